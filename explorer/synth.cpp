// Yosys synthesis of the accelerator RTL for a design point, with a result
// cache keyed by the RTL sources, the parameters and the script.
#include "explorer/synth.h"

#include "explorer/point_eval.h"
#include "explorer/subprocess.h"
#include "sim/config/json_reader.h"
#include "sim/model/atomic_file.h"
#include "sim/model/error.h"
#include "sim/rtl_driver/design_params.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <sys/wait.h>
#include <unistd.h>

namespace llamaf::dse {

namespace fs = std::filesystem;

namespace {

// Bumped whenever the script or the classification changes, so old cache
// entries are not reused (v4: netlist kept for timing).
constexpr const char* kScriptVersion = "synth-v4";

// LUTs a distributed-RAM primitive occupies on UltraScale+.
std::int64_t lutram_luts(const std::string& type) {
  static const std::map<std::string, std::int64_t> luts = {
      {"RAM32X1S", 1}, {"RAM32X1D", 2},  {"RAM32M", 4},    {"RAM32M16", 8},
      {"RAM64X1S", 1}, {"RAM64X1D", 2},  {"RAM64M", 4},    {"RAM64M8", 8},
      {"RAM128X1S", 2}, {"RAM128X1D", 4}, {"RAM256X1S", 4}, {"RAM256X1D", 8},
      {"RAM512X1S", 8}};
  auto it = luts.find(type);
  return it == luts.end() ? 0 : it->second;
}

std::uint64_t fnv1a(std::uint64_t h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  // Separator so that ("ab","c") and ("a","bc") differ.
  h ^= 0xFF;
  h *= 0x100000001b3ull;
  return h;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw_error("{}: cannot read", p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string quote(const fs::path& p) {
  std::string s = "'";
  for (char c : p.string()) {
    if (c == '\'') s += "'\\''";
    else s += c;
  }
  return s + "'";
}

// Yosys script quoting for file names: double quotes, no escapes possible.
std::string yosys_quote(const fs::path& p) {
  const std::string s = p.string();
  if (s.find('"') != std::string::npos)
    throw_error("{}: a path with a double quote cannot be passed to Yosys", s);
  return "\"" + s + "\"";
}

std::string first_error_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find("ERROR") != std::string::npos) return line;
    if (!line.empty()) last = line;
  }
  return last.empty() ? "no log" : last;
}

// Yosys 0.23's `stat -json` interleaves a plain-text hierarchy listing with
// the JSON when the design keeps a hierarchy; such lines are dropped.
nlohmann::json parse_stat_json(const std::string& text) {
  std::istringstream in(text);
  std::string line, kept;
  while (std::getline(in, line)) {
    const std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos) continue;
    const char c = line[i];
    if (c == '{' || c == '}' || c == '"' || c == ']' || c == '[') kept += line + "\n";
  }
  return nlohmann::json::parse(kept);
}

}  // namespace

SynthResources classify_cells(const std::map<std::string, std::int64_t>& cells) {
  SynthResources r;
  r.cells = cells;
  for (const auto& [type, n] : cells) {
    if (type.size() == 4 && type.rfind("LUT", 0) == 0 && type[3] >= '1' && type[3] <= '6')
      r.lut += n;
    else if (type == "FDRE" || type == "FDSE" || type == "FDCE" || type == "FDPE" ||
             type == "LDCE" || type == "LDPE")
      r.ff += n;
    else if (type == "DSP48E2" || type == "DSP48E1")
      r.dsp += n;
    else if (type == "RAMB36E2" || type == "RAMB36E1")
      r.bram36 += n;
    else if (type == "RAMB18E2" || type == "RAMB18E1")
      r.bram18 += n;
    else if (lutram_luts(type) > 0)
      r.lutram += n * lutram_luts(type);
    else if (type == "SRL16E" || type == "SRLC16E" || type == "SRLC32E")
      r.srl += n;
    else if (type == "CARRY4" || type == "CARRY8")
      r.carry += n;
  }
  return r;
}

SynthResources resources_from_stat_json(const nlohmann::json& stat) {
  auto d = stat.find("design");
  if (d == stat.end() || !d->contains("num_cells_by_type"))
    throw Error("yosys stat -json output has no design.num_cells_by_type");
  std::map<std::string, std::int64_t> cells;
  for (const auto& [type, n] : (*d)["num_cells_by_type"].items()) {
    std::string t = type;
    if (!t.empty() && t[0] == '\\') t.erase(0, 1);
    cells[t] += n.get<std::int64_t>();
  }
  return classify_cells(cells);
}

nlohmann::json to_json(const SynthResources& r) {
  nlohmann::json cells = nlohmann::json::object();
  for (const auto& [t, n] : r.cells) cells[t] = n;
  return {{"lut", r.lut},       {"ff", r.ff},         {"dsp48e2", r.dsp}, {"ramb36", r.bram36},
          {"ramb18", r.bram18}, {"lutram", r.lutram}, {"srl", r.srl},     {"carry", r.carry},
          {"cells", cells}};
}

SynthResources resources_from_json(const nlohmann::json& j, const std::string& where) {
  // The cell counts are the record; the groups are recomputed from them, so
  // a change of classification needs no new synthesis.
  try {
    std::map<std::string, std::int64_t> cells;
    for (const auto& [t, n] : j.at("cells").items()) cells[t] = n.get<std::int64_t>();
    return classify_cells(cells);
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: bad synthesis result: {}", where, e.what());
  }
}

std::vector<std::pair<std::string, std::int64_t>> rtl_parameters(const nlohmann::json& design,
                                                                  const std::string& where) {
  // The one design reader and legality check (sim/rtl_driver/design_params.h).
  const sim::DesignParams p = sim::design_params_from_json(design, where);
  sim::check_rtl_legality(p, where);
  // The parameters that differ from lf_top's defaults, ScaleFmt names as
  // numbers: canonical like the design identity, so two files naming the
  // same hardware share one synthesis whether or not they spell out a
  // default (and Yosys sets only what differs from the RTL).
  std::vector<std::pair<std::string, std::int64_t>> out;
  const nlohmann::json all = sim::rtl_json(p), defaults = sim::rtl_json(sim::DesignParams{});
  for (const auto& [k, v] : all.items())
    if (v != defaults.at(k)) out.emplace_back(k, v.get<std::int64_t>());
  return out;  // sorted by name (rtl_json's keys are)
}

fs::path default_cache_dir() { return default_dse_cache_dir() / "synth"; }

std::vector<fs::path> rtl_sources(const fs::path& rtl_dir) {
  std::vector<fs::path> pkgs, rest;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(rtl_dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".sv") continue;
    const std::string stem = e.path().stem().string();
    (stem.size() > 4 && stem.compare(stem.size() - 4, 4, "_pkg") == 0 ? pkgs : rest)
        .push_back(e.path());
  }
  if (ec) throw_error("{}: cannot list the RTL folder: {}", rtl_dir.string(), ec.message());
  std::sort(pkgs.begin(), pkgs.end());
  std::sort(rest.begin(), rest.end());
  pkgs.insert(pkgs.end(), rest.begin(), rest.end());
  if (pkgs.empty()) throw_error("{}: no *.sv sources", rtl_dir.string());
  return pkgs;
}

std::string synth_script(const std::vector<fs::path>& sources, const std::string& top,
                         const std::vector<std::pair<std::string, std::int64_t>>& params,
                         const fs::path& stat_json, const fs::path& netlist_json, bool abc9) {
  std::string s;
  // Include folders: every source's folder (`include "x.svh"` next to it).
  std::vector<std::string> incdirs;
  for (const fs::path& src : sources) {
    const std::string d = src.parent_path().string();
    if (!d.empty() && std::find(incdirs.begin(), incdirs.end(), d) == incdirs.end())
      incdirs.push_back(d);
  }
  std::string inc;
  for (const std::string& d : incdirs) inc += " -I" + yosys_quote(d);
  for (const fs::path& src : sources)
    s += "read_verilog" + std::string(src.extension() == ".v" ? "" : " -sv") + inc + " " +
         yosys_quote(src) + "\n";
  // One chparam for all parameters: one at a time, Yosys would elaborate
  // lf_top with each intermediate set, and its legality checks fire on a
  // mix of new and default values (MaxBurstBeats 32 before WgtBufWords 256
  // is WgtBufWords 128 < 8 x 32).
  if (!params.empty()) {
    s += "chparam";
    for (const auto& [name, value] : params) s += fmt::format(" -set {} {}", name, value);
    s += " " + top + "\n";
  }
  // -flatten: optimise across module boundaries and count one netlist;
  // -noiopad: the accelerator is a core inside the PS/PL design, not at pins.
  s += fmt::format("synth_xilinx -family xcup -top {} -flatten -noiopad{}\n", top,
                   abc9 ? " -abc9" : "");
  // `tee -o` takes the file name verbatim (no quotes): no blanks allowed.
  for (const fs::path& f : {stat_json, netlist_json}) {
    const std::string name = f.string();
    if (name.find_first_of(" \t\"") != std::string::npos)
      throw_error("{}: the synthesis scratch path must not contain blanks or quotes", name);
  }
  s += "tee -q -o " + stat_json.string() + " stat -json\n";
  if (!netlist_json.empty()) s += "write_json " + netlist_json.string() + "\n";
  return s;
}

std::string synth_cache_key(const std::vector<fs::path>& sources, const std::string& top,
                            const std::vector<std::pair<std::string, std::int64_t>>& params,
                            bool abc9) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  h = fnv1a(h, kScriptVersion);
  h = fnv1a(h, synth_script({}, top, params, "stat.json", "netlist.json", abc9));
  for (const fs::path& src : sources) {
    h = fnv1a(h, src.filename().string());
    h = fnv1a(h, read_file(src));
  }
  return fmt::format("{:016x}", h);
}

namespace {

// The key of a timing result within a cache entry: flow version, delay file
// contents and clock choice.
std::string timing_key(const DelayModel& d, const std::vector<std::string>& clocks) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  h = fnv1a(h, kTimingFlowVersion);
  h = fnv1a(h, d.digest());
  for (const std::string& c : clocks) h = fnv1a(h, c);
  return fmt::format("{:016x}", h);
}

nlohmann::json read_json_file(const fs::path& p) {
  try {
    return nlohmann::json::parse(read_file(p));
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: invalid JSON: {}", p.string(), e.what());
  }
}

// One synthesis + timing job, shared by --design and --rtl.
SynthResult run_flow(SynthResult r, const std::vector<fs::path>& sources, const std::string& top,
                     const std::string& origin, const SynthOptions& opt) {
  r.key = synth_cache_key(sources, top, r.parameters, opt.abc9);
  const fs::path cache = opt.cache_dir.empty() ? default_cache_dir() : opt.cache_dir;
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec) throw_error("{}: cannot create the synthesis cache: {}", cache.string(), ec.message());
  const fs::path entry = cache / (r.key + ".json");
  const fs::path netlist = cache / (r.key + ".netlist.json");
  r.log = cache / (r.key + ".log");

  std::optional<DelayModel> delays;
  std::string tkey;
  if (opt.timing) {
    delays = DelayModel::load(opt.delay_file.empty() ? default_delay_file() : opt.delay_file);
    tkey = timing_key(*delays, opt.clocks);
  }

  nlohmann::json entry_json;
  bool have_resources = false;
  if (opt.use_cache && fs::exists(entry)) {
    try {
      entry_json = read_json_file(entry);
      r.resources = resources_from_json(entry_json.at("resources"), entry.string());
      have_resources = true;
      if (!opt.timing) {
        r.from_cache = true;
        return r;
      }
      if (entry_json.value("timing_key", std::string()) == tkey && entry_json.contains("timing")) {
        r.timing = timing_from_json(entry_json["timing"], entry.string());
        r.fmax_mhz = r.timing.fmax_mhz;
        r.from_cache = true;
        return r;
      }
    } catch (const std::exception&) {
      // A damaged entry is rebuilt below.
      have_resources = false;
    }
  }
  // Run in a private scratch folder so parallel runs do not collide.
  const fs::path work = cache / fmt::format("run-{}-{}", r.key, ::getpid());
  fs::create_directories(work, ec);
  if (ec) throw_error("{}: cannot create: {}", work.string(), ec.message());
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{work};

  // Yosys, unless the entry has resources and the netlist is still there
  // (only the delay file or the timing flow changed).
  if (!have_resources || !fs::exists(netlist)) {
    {
      // A missing Yosys is reported as such (std::system would only say
      // "exit 32512" with no log).
      const fs::path y(opt.yosys);
      const bool found = y.has_parent_path() ? (::access(y.c_str(), X_OK) == 0)
                                             : find_program(opt.yosys).has_value();
      if (!found)
        throw_error("{}: yosys executable '{}' not found{} (Debian package 'yosys', or pass "
                    "--yosys PATH)",
                    origin, opt.yosys, y.has_parent_path() ? " or not executable" : " on PATH");
    }
    const fs::path script = work / "synth.ys";
    const fs::path stat = work / "stat.json";
    const fs::path log = work / "yosys.log";
    const fs::path net_tmp = work / "netlist.json";
    {
      std::ofstream out(script);
      out << synth_script(sources, top, r.parameters, stat, net_tmp, opt.abc9);
      if (!out) throw_error("{}: cannot write the Yosys script", script.string());
    }
    const std::string cmd = fmt::format("{} -q -l {} -s {} > /dev/null 2>&1", quote(opt.yosys),
                                        quote(log), quote(script));
    const int rc = std::system(cmd.c_str());
    fs::rename(log, r.log, ec);
    if (ec) r.log = log;
    if (rc != 0 || !fs::exists(stat) || !fs::exists(net_tmp)) {
      const std::string err = first_error_line(r.log);
      throw_error("{}: yosys failed ({}): {} (log: {})", origin,
                  WIFEXITED(rc) ? fmt::format("exit code {}", WEXITSTATUS(rc))
                                : fmt::format("status {}", rc),
                  err, r.log.string());
    }
    nlohmann::json stat_json;
    try {
      stat_json = parse_stat_json(read_file(stat));
    } catch (const nlohmann::json::exception& e) {
      throw_error("{}: unreadable yosys statistics: {}", stat.string(), e.what());
    }
    r.resources = resources_from_stat_json(stat_json);
    fs::rename(net_tmp, netlist, ec);
    if (ec) throw_error("{}: cannot store the netlist: {}", netlist.string(), ec.message());
  }
  if (opt.timing) {
    TimingOptions topt;
    topt.sta = opt.sta;
    topt.clocks = opt.clocks;
    // OpenSTA runs in the private scratch folder: two points of a sweep
    // with the same parameters may time the same netlist at once, and a
    // shared folder let one read the other's half-written report (a point
    // of `make run` failed with "no register-to-register path"). Its inputs
    // and full report then stay next to the entry (<key>.sta/); when two
    // runs race, either's copy (the same netlist and delays) stays.
    topt.work_dir = work / "sta";
    if (!find_program(opt.sta))
      throw_error("{}: OpenSTA '{}' not found (Debian package 'opensta')", origin, opt.sta);
    r.timing = time_netlist(read_json_file(netlist), *delays, topt);
    r.fmax_mhz = r.timing.fmax_mhz;
    const fs::path kept = cache / (r.key + ".sta");
    fs::remove_all(kept, ec);
    fs::rename(topt.work_dir, kept, ec);
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : r.parameters) params[k] = v;
  entry_json = {{"design", r.design},     {"design_file", origin}, {"key", r.key},
                {"parameters", params},   {"top", top},
                {"resources", to_json(r.resources)}};
  if (opt.timing) {
    entry_json["timing"] = to_json(r.timing);
    entry_json["timing_key"] = tkey;
  }
  write_file_atomic(entry, entry_json.dump(2) + "\n");
  return r;
}

}  // namespace

SynthResult synthesize(const fs::path& design_json, const SynthOptions& opt) {
  const nlohmann::json design = config::read_json_file(design_json.string());
  SynthResult r;
  r.design = design.is_object() && design.contains("name") && design["name"].is_string()
                 ? design["name"].get<std::string>()
                 : design_json.stem().string();
  r.parameters = rtl_parameters(design, design_json.string());
  return run_flow(r, rtl_sources(opt.rtl_dir), opt.top, design_json.string(), opt);
}

SynthResult synthesize_rtl(const std::vector<fs::path>& files, const std::string& top,
                           const std::vector<std::pair<std::string, std::int64_t>>& params,
                           const SynthOptions& opt) {
  if (files.empty()) throw Error("synth: no RTL files given");
  if (top.empty()) throw Error("synth: no top module given");
  std::vector<fs::path> sources;
  for (const fs::path& f : files) {
    if (!fs::is_regular_file(f)) throw_error("{}: no such RTL file", f.string());
    sources.push_back(fs::absolute(f));
  }
  SynthResult r;
  r.design = top;
  r.parameters = params;
  std::sort(r.parameters.begin(), r.parameters.end());
  return run_flow(r, sources, top, files.front().string(), opt);
}

}  // namespace llamaf::dse
