// `llamaf synth`: FPGA resources (Yosys synth_xilinx -family xcup) and the
// estimated Fmax with its critical path (OpenSTA over the mapped netlist,
// delays from configs/timing/xcup-2.json) of a design point or of any RTL,
// cached by a hash of the RTL, the parameters and the delay file.
#include "explorer/cli/commands.h"

#include "explorer/synth.h"
#include "sim/model/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

namespace llamaf::cli {

namespace {

namespace fs = std::filesystem;

struct SynthCmdOptions {
  std::vector<std::string> designs;
  std::string rtl_dir = LLAMAF_SOURCE_DIR "/rtl";
  std::vector<std::string> rtl;
  std::string top;
  std::vector<std::string> params;
  std::vector<std::string> clocks;
  std::string cache_dir;
  std::string yosys = "yosys";
  std::string sta = "sta";
  std::string delays;
  bool all_designs = false;
  bool markdown = false;
  bool json = false;
  bool no_cache = false;
  bool no_timing = false;
  int path_rows = 40;
  double min_fmax = 0;
};

std::vector<std::pair<std::string, std::int64_t>> parse_params(const std::vector<std::string>& ps) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const std::string& p : ps) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      throw_error("--param '{}': expected NAME=VALUE", p);
    const std::string v = p.substr(eq + 1);
    std::size_t used = 0;
    std::int64_t value = 0;
    try {
      value = std::stoll(v, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || v.empty())
      throw_error("--param '{}': the value must be an integer", p);
    out.emplace_back(p.substr(0, eq), value);
  }
  return out;
}

nlohmann::json result_json(const dse::SynthResult& r) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : r.parameters) params[k] = v;
  nlohmann::json j = {{"design", r.design},
                      {"parameters", params},
                      {"resources", dse::to_json(r.resources)},
                      {"cache_key", r.key},
                      {"from_cache", r.from_cache}};
  j["fmax_mhz"] = r.fmax_mhz;
  j["timing"] = dse::to_json(r.timing);
  if (r.timing.has_path) j["critical_path"] = dse::to_json(r.timing.critical_path);
  return j;
}

std::string cells_text(const std::map<std::string, int>& cells) {
  std::string s;
  for (const auto& [t, n] : cells) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", n, t);
  return s.empty() ? "none" : s;
}

void print_text(const dse::SynthResult& r, bool timed, int path_rows) {
  const dse::SynthResources& s = r.resources;
  fmt::print("design {} (yosys synth_xilinx -family xcup{})\n", r.design,
             r.from_cache ? ", cached" : "");
  fmt::print("  {:<10} {:>10}\n", "LUT", s.lut);
  fmt::print("  {:<10} {:>10}\n", "FF", s.ff);
  fmt::print("  {:<10} {:>10}\n", "DSP48E2", s.dsp);
  fmt::print("  {:<10} {:>10}\n", "RAMB36", s.bram36);
  fmt::print("  {:<10} {:>10}\n", "RAMB18", s.bram18);
  fmt::print("  {:<10} {:>10}   (LUTs as distributed RAM)\n", "LUTRAM", s.lutram);
  fmt::print("  {:<10} {:>10}\n", "SRL", s.srl);
  fmt::print("  {:<10} {:>10}\n", "CARRY", s.carry);
  if (!timed) return;
  const dse::TimingResult& t = r.timing;
  if (!t.has_path) {
    fmt::print("  {:<10} {:>10}   ({})\n", "Fmax", "-", t.limit);
    return;
  }
  fmt::print("  {:<10} {:>10.1f}   MHz (estimate, {}, clock {}; limit: {})\n", "Fmax", t.fmax_mhz,
             t.delay_model, t.clock, t.limit);
  const dse::CriticalPath& p = t.critical_path;
  fmt::print("critical path: {} ({}) -> {} ({})\n", p.startpoint, p.start_type, p.endpoint,
             p.end_type);
  fmt::print("  cells: {}; net hops: {}\n", cells_text(p.cells), p.net_hops);
  fmt::print("  clock-to-out {:.3f} + logic {:.3f} + net {:.3f} + setup {:.3f} + uncertainty {:.3f} "
             "= {:.3f} ns\n",
             p.clock_to_out_ns, p.logic_ns, p.net_ns, p.setup_ns, p.uncertainty_ns, p.total_ns);
  fmt::print("  {:>8} {:>8} {:>6}  {:<10} {}\n", "incr ns", "at ns", "fanout", "cell", "pin / net");
  int shown = 0;
  for (const dse::PathElement& e : p.elements) {
    if (!e.is_output && &e != &p.elements.front() && &e != &p.elements.back()) continue;
    if (path_rows >= 0 && shown++ >= path_rows) {
      fmt::print("  ... ({} elements; --json lists all)\n", p.elements.size());
      break;
    }
    fmt::print("  {:>8.3f} {:>8.3f} {:>6}  {:<10} {}{}{}\n", e.incr_ns, e.arrival_ns,
               e.is_output ? fmt::format("{:g}", e.fanout) : "", e.cell_type,
               e.is_output ? e.net : e.pin, e.src.empty() ? "" : "  @ ", e.src);
  }
}

void print_markdown(const std::vector<dse::SynthResult>& rs) {
  fmt::print("| design | LUT | FF | DSP48E2 | RAMB36 | RAMB18 | LUTRAM | SRL | CARRY8 | Fmax (MHz) "
             "| critical path |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (const dse::SynthResult& r : rs) {
    const auto& s = r.resources;
    const auto& p = r.timing.critical_path;
    const std::string path =
        r.timing.has_path
            ? fmt::format("`{}` → `{}`: {}, {} net hops, {:.2f} ns", p.elements.front().net.empty() ? p.startpoint : p.elements.size() > 1 ? p.elements[1].net : p.startpoint,
                          p.elements.back().net.empty() ? p.endpoint : p.elements.back().net,
                          cells_text(p.cells), p.net_hops, p.total_ns)
            : r.timing.limit;
    fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.design, s.lut, s.ff,
               s.dsp, s.bram36, s.bram18, s.lutram, s.srl, s.carry,
               r.timing.has_path ? fmt::format("{:.0f}", r.fmax_mhz) : "-", path);
  }
}

void run_synth(const SynthCmdOptions& o) {
  dse::SynthOptions opt;
  opt.rtl_dir = o.rtl_dir;
  opt.cache_dir = o.cache_dir;
  opt.yosys = o.yosys;
  opt.sta = o.sta;
  opt.delay_file = o.delays;
  opt.clocks = o.clocks;
  opt.timing = !o.no_timing;
  opt.use_cache = !o.no_cache;
  std::vector<dse::SynthResult> results;
  if (!o.rtl.empty()) {
    if (!o.designs.empty() || o.all_designs)
      throw Error("synth: give either --rtl or --design/--all-designs, not both");
    if (o.top.empty()) throw Error("synth: --rtl needs --top MODULE");
    std::vector<fs::path> files(o.rtl.begin(), o.rtl.end());
    results.push_back(dse::synthesize_rtl(files, o.top, parse_params(o.params), opt));
  } else {
    if (!o.params.empty()) throw Error("synth: --param applies to --rtl designs only");
    std::vector<fs::path> designs(o.designs.begin(), o.designs.end());
    if (o.all_designs) {
      const fs::path dir = fs::path(LLAMAF_SOURCE_DIR) / "configs" / "designs";
      std::vector<fs::path> all;
      for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".json") all.push_back(e.path());
      std::sort(all.begin(), all.end());
      designs.insert(designs.end(), all.begin(), all.end());
    }
    if (designs.empty()) throw Error("synth: give --design FILE, --all-designs or --rtl FILE...");
    opt.top = o.top.empty() ? "lf_top" : o.top;
    for (const fs::path& d : designs) results.push_back(dse::synthesize(d, opt));
  }
  if (o.markdown) {
    print_markdown(results);
  } else if (o.json) {
    if (results.size() == 1) {
      fmt::print("{}\n", result_json(results.front()).dump(2));
    } else {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& r : results) a.push_back(result_json(r));
      fmt::print("{}\n", a.dump(2));
    }
  } else {
    for (const auto& r : results) print_text(r, opt.timing, o.path_rows);
  }
  // --min-fmax: the check the RTL must pass (ctest timing_shipped_designs_fmax).
  if (o.min_fmax > 0) {
    if (!opt.timing) throw Error("synth: --min-fmax needs timing (drop --no-timing)");
    std::string failing;
    for (const auto& r : results)
      if (!r.timing.has_path || r.fmax_mhz < o.min_fmax)
        failing += fmt::format("{}{} {:.1f} MHz ({} -> {})", failing.empty() ? "" : "; ", r.design,
                               r.fmax_mhz, r.timing.critical_path.startpoint,
                               r.timing.critical_path.endpoint);
    if (!failing.empty())
      throw_error("estimated Fmax below {:g} MHz: {}", o.min_fmax, failing);
  }
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto o = std::make_shared<SynthCmdOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth",
      "FPGA resources (Yosys synth_xilinx -family xcup) and estimated Fmax with the critical "
      "path (OpenSTA, configs/timing/xcup-2.json) of a design or of any RTL, cached");
  cmd->add_option("--design", o->designs, "Design JSON (configs/designs/*.json); repeatable")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--all-designs", o->all_designs, "Every configs/designs/*.json");
  cmd->add_option("--rtl", o->rtl, "Verilog/SystemVerilog files of any design (with --top)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--top", o->top, "Top module (--rtl; default lf_top for --design)");
  cmd->add_option("--param", o->params, "NAME=VALUE parameter of the --rtl top; repeatable");
  cmd->add_option("--clock", o->clocks,
                  "Clock port (default: every input that drives a register clock)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->add_flag("--markdown", o->markdown, "Print one Markdown table row per design");
  cmd->add_flag("--no-cache", o->no_cache, "Run Yosys even when a cached result exists");
  cmd->add_flag("--no-timing", o->no_timing, "Resources only (no OpenSTA)");
  cmd->add_option("--rtl-dir", o->rtl_dir, "Folder of the RTL sources (--design)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--cache-dir", o->cache_dir,
                  "Result cache (default $LLAMAF_CACHE_DIR/synth or ~/.cache/llamaf/synth)");
  cmd->add_option("--yosys", o->yosys, "Yosys executable");
  cmd->add_option("--sta", o->sta, "OpenSTA executable");
  cmd->add_option("--delays", o->delays,
                  "Delay file (default configs/timing/xcup-2.json or $LLAMAF_TIMING_FILE)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--min-fmax", o->min_fmax,
                  "Fail (exit 1) when a design's estimated Fmax is below this many MHz");
  cmd->add_option("--path-rows", o->path_rows, "Critical-path rows in the text output (-1: all)");
  cmd->callback([o] { run_synth(*o); });
}

}  // namespace llamaf::cli
