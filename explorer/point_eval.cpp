// Evaluation of one design point: byte accounting, roofline, accuracy, and
// the (not yet available) simulation and synthesis stages.
#include "explorer/point_eval.h"

#include "explorer/clock.h"
#include "explorer/energy.h"
#include "explorer/hash.h"
#include "explorer/results_store.h"
#include "explorer/metrics.h"
#include "explorer/sim_build.h"
#include "explorer/subprocess.h"
#include "explorer/synth.h"
#include "sim/model/checkpoint.h"
#include "sim/model/config.h"
#include "sim/model/error.h"
#include "sim/model/generate.h"
#include "sim/model/linear.h"
#include "sim/model/packed_image.h"
#include "sim/model/sampler.h"
#include "sim/model/transformer.h"
#include "sim/rtl_driver/design_params.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

namespace llamaf::dse {

namespace {

using nlohmann::json;

#ifndef LLAMAF_VERSION
#define LLAMAF_VERSION "unknown"
#endif

const json& field(const json& point, const char* key) {
  if (!point.is_object() || !point.contains(key))
    throw_error("point: missing \"{}\" (not a resolved design point)", key);
  return point[key];
}

sim::DesignParams design_of(const json& point) {
  const sim::DesignParams d = sim::design_params_from_json(field(point, "design"), "design");
  try {
    d.quant_spec().validate();
    d.bus().validate();
  } catch (const Error& e) {
    throw_error("design: {}", e.what());
  }
  return d;
}

model::Config shape_of(const json& point) {
  json m = field(point, "model");
  return model::config_from_json(m, "model");
}

// A number at one of `keys`, at the top level of `j` or in one of `sections`.
std::optional<double> find_number(const json& j, std::initializer_list<const char*> sections,
                                  std::initializer_list<const char*> keys) {
  if (!j.is_object()) return std::nullopt;
  auto in = [&](const json& obj) -> std::optional<double> {
    for (const char* k : keys)
      if (auto it = obj.find(k); it != obj.end() && it->is_number()) return it->get<double>();
    return std::nullopt;
  };
  if (auto v = in(j)) return v;
  for (const char* s : sections)
    if (auto it = j.find(s); it != j.end() && it->is_object())
      if (auto v = in(*it)) return v;
  return std::nullopt;
}

std::string default_models_dir() {
  if (const char* env = std::getenv("LLAMAF_MODELS_DIR"); env && *env) return env;
#ifdef LLAMAF_SOURCE_DIR
  return (std::filesystem::path(LLAMAF_SOURCE_DIR) / ".." / "shared" / "models").string();
#else
  return "../shared/models";
#endif
}

// Size and FNV-1a 64 of a file's bytes: the checkpoint's identity in cache keys.
json file_identity(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw_error("{}: cannot open", p.string());
  std::uint64_t h = kFnv64Offset;
  std::uint64_t size = 0;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    h = fnv1a64(std::string_view(buf.data(), n), h);
    size += n;
  }
  return {{"bytes", size}, {"fnv1a64", hex64(h)}};
}

}  // namespace

void report_stage(const EvalContext& ctx, const std::string& stage) {
  if (ctx.work_dir.empty()) return;
  // Progress only: a failure to write it must not fail the point.
  try {
    write_file_atomic(ctx.work_dir / kStageFile, stage + "\n");
  } catch (const std::exception&) {
  }
}

json PointResult::to_json() const {
  json j = {{"status", status}, {"metrics", metrics}, {"notes", notes}, {"tools", tools}};
  if (!reason.empty()) j["reason"] = reason;
  return j;
}

StageOutcome sim_report_metrics(const json& rep) {
  const std::string where = "simulation report";
  if (!rep.is_object() || rep.value("schema", "") != "llamaf.sim.report/1")
    throw_error("{}: expected schema llamaf.sim.report/1", where);
  try {
    const json& t = rep.at("total");
    const double positions = rep.at("positions").get<double>();
    if (!(positions > 0)) throw_error("{}: no positions simulated", where);
    const double seconds = t.at("seconds").get<double>();
    StageOutcome o;
    o.available = true;
    json& m = o.metrics;
    m["tokens_per_s"] = t.at("tokens_per_s").get<double>();
    m["cycles_per_token"] = t.at("cycles").get<double>() / positions;
    m["token_latency_ms"] = seconds / positions * 1e3;
    m["achieved_bandwidth_gb_s"] = t.at("dram").at("achieved_gbps").get<double>();
    m["dram_row_hit_rate"] = t.at("dram").at("row_hit_rate").get<double>();
    m["macs_per_busy_cycle"] = t.at("accelerator").at("macs_per_busy_cycle").get<double>();
    m["sim_positions"] = rep.at("positions");
    m["sim_mode"] = rep.value("mode", "full");
    // The PS memory path (docs/memory.md): bandwidth and queueing per PL-PS
    // port and per DDR controller (XPI) port, as the report's ps_stats gives
    // them (averages over the whole simulated time), with the summaries a
    // port-map comparison needs.
    if (rep.contains("ps_stats")) {
      const json& ps = rep.at("ps_stats");
      json port_gbps = json::object(), port_lat = json::object(), xpi_q = json::object(),
           xpi_cam = json::object();
      double gb_min = 0, gb_max = 0, lat_max = 0, q_max = 0, cam_max = 0;
      bool first = true;
      for (const auto& [name, v] : ps.at("pl_ports").items()) {
        const double gb = v.at("read_gbps").get<double>();
        const double lat = v.at("mean_read_latency_ns").get<double>();
        port_gbps[name] = gb;
        port_lat[name] = lat;
        // The host's APU port is not a PL port: the summaries are over the
        // accelerator's ports.
        if (name == "APU") continue;
        gb_min = first ? gb : std::min(gb_min, gb);
        gb_max = first ? gb : std::max(gb_max, gb);
        lat_max = std::max(lat_max, lat);
        first = false;
      }
      for (const auto& [x, v] : ps.at("xpi_ports").items()) {
        const double q = v.at("mean_queue_bursts").get<double>();
        const double cam = v.at("cam_blocked_fraction").get<double>();
        xpi_q[x] = q;
        xpi_cam[x] = cam;
        q_max = std::max(q_max, q);
        cam_max = std::max(cam_max, cam);
      }
      m["ps_port_read_gb_s"] = port_gbps;
      m["ps_port_read_latency_ns"] = port_lat;
      m["xpi_queue_bursts"] = xpi_q;
      m["xpi_cam_blocked"] = xpi_cam;
      if (!first) {
        m["ps_port_read_gb_s_min"] = gb_min;
        m["ps_port_read_gb_s_max"] = gb_max;
        m["ps_port_read_latency_ns_max"] = lat_max;
      }
      m["xpi_queue_bursts_max"] = q_max;
      m["xpi_cam_blocked_max"] = cam_max;
    }
    json ops = json::object();
    for (const auto& [op, v] : t.at("operators").items())
      ops[op] = v.at("seconds").get<double>() / positions * 1e6;
    m["op_latency_us"] = ops;

    json macs = json::object();
    for (const auto& [k, v] : t.at("macs_by_bits").items()) {
      // "w8a8" -> weight bits 8
      const std::size_t a = k.find('a');
      if (k.empty() || k[0] != 'w' || a == std::string::npos)
        throw_error("{}: total.macs_by_bits: key '{}' is not wNaM", where, k);
      const std::string bits = k.substr(1, a - 1);
      macs[bits] = macs.value(bits, 0.0) + v.get<double>();
    }
    const json& acc = t.at("accelerator");
    const json& dram = t.at("dram");
    const double host_busy = std::min(t.at("host").at("busy_seconds").get<double>(), seconds);
    o.events = {{"tokens", static_cast<std::int64_t>(positions)},
                {"seconds", seconds},
                {"macs_by_bits", macs},
                {"bram_reads", acc.at("act_buf_reads").get<double>() + acc.at("wgt_buf_writes").get<double>()},
                {"bram_writes", acc.at("wgt_buf_writes").get<double>()},
                {"dram_activates", dram.at("activates").get<double>()},
                {"dram_read_bytes", dram.at("bytes_read").get<double>()},
                {"dram_write_bytes", dram.at("bytes_written").get<double>()},
                {"accel_busy_cycles", acc.at("busy_cycles").get<double>()},
                {"accel_total_cycles", t.at("cycles").get<double>()},
                {"host_busy_seconds", host_busy}};
    return o;
  } catch (const json::exception& e) {
    throw_error("{}: missing or mistyped field: {}", where, e.what());
  }
}

const std::vector<std::string>& sim_option_keys() {
  static const std::vector<std::string> keys = {"sim_layers", "policy",        "weights",
                                                "weights_seed", "build",      "baseline",
                                                "staging_bytes", "sample_positions"};
  return keys;
}

std::optional<std::string> simulator_build_needed(const json& point,
                                                  const std::filesystem::path& bin_dir) {
  namespace fs = std::filesystem;
  fs::path source_dir;
#ifdef LLAMAF_SOURCE_DIR
  source_dir = LLAMAF_SOURCE_DIR;
#endif
  try {
    const json& ev = field(point, "evaluate");
    if (!ev.value("simulate", true) || bin_dir.empty() || source_dir.empty()) return std::nullopt;
    const json& opts = ev.value("sim", json::object());
    if (!opts.is_object() || !opts.value("build", false)) return std::nullopt;
    const SimulatorChoice choice = find_simulator(design_of(point), bin_dir, source_dir);
    if (choice.prebuilt || fs::exists(choice.exe)) return std::nullopt;
    return choice.name;
  } catch (const std::exception&) {
    return std::nullopt;  // the evaluation itself reports a bad point
  }
}

StageOutcome simulate_point(const json& point, const EvalContext& ctx) {
  namespace fs = std::filesystem;
  StageOutcome o;
  const json& ev = field(point, "evaluate");
  if (!ev.value("simulate", true)) {
    o.note = "simulation switched off (evaluate.simulate = false): tokens_per_s, latency, "
             "bandwidth, per-operator and energy metrics are absent";
    return o;
  }
  const json& design = field(point, "design");
  const json& opts = ev.value("sim", json::object());
  for (const auto& [k, v] : opts.items())
    if (std::find(sim_option_keys().begin(), sim_option_keys().end(), k) == sim_option_keys().end())
      throw_error("evaluate.sim: unknown key '{}' (known: {})", k, fmt::join(sim_option_keys(), ", "));
  const std::string absent = "cycle-accurate simulation metrics (tokens_per_s, latency, bandwidth, "
                             "per-operator, energy) are absent: ";
  const sim::DesignParams params = design_of(point);
  const json rtl = sim::rtl_json(params);
  // The simulator of exactly these parameters (explorer/sim_build.h): the
  // default build's when a configs/designs/*.json has them, else (with
  // evaluate.sim.build) one built on demand, named by the design identity.
  fs::path source_dir;
#ifdef LLAMAF_SOURCE_DIR
  source_dir = LLAMAF_SOURCE_DIR;
#endif
  if (ctx.bin_dir.empty() || source_dir.empty()) {
    o.note = absent + "no build folder to find the simulators in";
    return o;
  }
  const SimulatorChoice choice = find_simulator(params, ctx.bin_dir, source_dir);
  const std::string name = choice.name;
  fs::path exe = choice.exe;
  if (!fs::exists(exe)) {
    if (choice.prebuilt) {
      o.note = absent + fmt::format("simulator {} is not built", exe.string());
      return o;
    }
    if (!opts.value("build", false)) {
      o.note = absent + "the point's RTL parameters are not those of a configs/designs/*.json "
                        "design, and no simulator was built for them yet (evaluate.sim.build = "
                        "true builds one per parameter set, cached by the design identity)";
      return o;
    }
    if (ctx.work_dir.empty()) throw Error("simulation: on-demand builds need a work folder");
    fs::create_directories(ctx.work_dir / "sim");
    report_stage(ctx, kBuildStage);
    exe = ensure_simulator(params, ctx.bin_dir, source_dir, ctx.work_dir / "sim" / "build.log");
  }
  const json& board = point.value("board", json());
  if (!board.is_object()) {
    o.note = absent + "the sweep names no base.board";
    return o;
  }
  if (ctx.work_dir.empty()) throw Error("simulation: no work folder for the simulator's files");

  const fs::path dir = ctx.work_dir / "sim";
  fs::create_directories(dir);
  // The simulator checks its compiled parameters against this file's.
  json design_file = {{"name", name}, {"rtl", rtl}};
  if (params.clock_mhz > 0) design_file["clock_mhz"] = params.clock_mhz;
  // The PS ports are no part of the simulator's identity (one binary serves
  // every port map): the simulator reads them from this file.
  if (!params.ps_ports.empty()) design_file["ps_ports"] = params.ps_ports;
  // So is the weight layout (the LAYOUT register, set at run time).
  if (params.weight_chunk_bytes != 0) design_file["weight_layout"] = params.weight_layout();
  write_file_atomic(dir / (name + ".json"), design_file.dump(2) + "\n");
  write_file_atomic(dir / "board.json", board.dump(2) + "\n");
  std::vector<std::string> argv = {exe.string(), "--design", (dir / (name + ".json")).string(),
                                   "--board", (dir / "board.json").string()};
  const std::string weights = opts.value("weights", "synthetic");
  if (weights == "checkpoint") {
    if (!ev.contains("checkpoint") || !ev["checkpoint"].is_string())
      throw Error("evaluate.sim.weights = \"checkpoint\" needs evaluate.checkpoint");
    argv.push_back("--model");
    argv.push_back(resolve_checkpoint(ev["checkpoint"].get<std::string>(), ctx).string());
  } else if (weights == "synthetic") {
    write_file_atomic(dir / "model.json", field(point, "model").dump(2) + "\n");
    argv.push_back("--shape");
    argv.push_back((dir / "model.json").string());
    if (opts.contains("weights_seed")) {
      argv.push_back("--weights-seed");
      argv.push_back(opts["weights_seed"].dump());
    }
  } else {
    throw_error("evaluate.sim.weights: expected \"synthetic\" or \"checkpoint\", got \"{}\"", weights);
  }
  argv.push_back("-n");
  argv.push_back(std::to_string(ev.value("sim_tokens", 16)));
  if (opts.contains("sim_layers")) {
    argv.push_back("--sim-layers");
    argv.push_back(opts["sim_layers"].dump());
  }
  if (opts.contains("policy")) {
    argv.push_back("--policy");
    argv.push_back(opts["policy"].get<std::string>());
  }
  if (opts.contains("staging_bytes")) {
    argv.push_back("--staging-bytes");
    argv.push_back(opts["staging_bytes"].dump());
  }
  if (opts.contains("sample_positions")) {
    argv.push_back("--sample-positions");
    argv.push_back(opts["sample_positions"].dump());
  }
  if (auto mhz = find_number(design, {}, {"clock_mhz", "fabric_clock_mhz"})) {
    argv.push_back("--clock-mhz");
    argv.push_back(json(*mhz).dump());
  }
  // Runs the simulator with `extra` arguments, writing `stem`.json / .log.
  const auto run_sim = [&](std::vector<std::string> args, const std::string& stem) {
    const fs::path report = dir / (stem + ".json");
    args.insert(args.end(), {"--report", report.string(), "--quiet"});
    // Per-token progress for the sweep's status line (the point's stage file).
    args.insert(args.end(), {"--stage-file", (ctx.work_dir / kStageFile).string(),
                             "--stage-label", stem == "report" ? "simulating" : "simulating " + stem});
    fs::remove(report);
    const ProcessResult r = run_process(args, dir / (stem == "report" ? "log.txt" : stem + ".log"),
                                        0.0);  // the explorer's timeout applies
    if (!r.exited_ok()) {
      const std::string tail = last_line(dir / (stem == "report" ? "log.txt" : stem + ".log"));
      throw_error("simulation {} failed: {}{}", exe.filename().string(), r.describe(0),
                  tail.empty() ? "" : ": " + tail);
    }
    std::ifstream in(report);
    json rep;
    try {
      rep = json::parse(in);
    } catch (const json::exception& e) {
      throw_error("{}: cannot read the simulation report: {}", report.string(), e.what());
    }
    return rep;
  };
  const json rep = run_sim(argv, "report");
  StageOutcome out = sim_report_metrics(rep);
  out.tools["simulator"] = exe.filename().string() + " (" + rep.value("schema", "") + ")";
  // The PS-only baseline of the same board, model and positions: the
  // speed-up (and, in the energy stage, the energy-efficiency gain) papers
  // report.
  if (opts.value("baseline", true) && rep.value("policy", "") != "ps_only") {
    std::vector<std::string> base = argv;
    for (std::size_t i = 0; i + 1 < base.size(); ++i)
      if (base[i] == "--policy") base.erase(base.begin() + long(i), base.begin() + long(i) + 2);
    base.insert(base.end(), {"--policy", "ps_only"});
    const StageOutcome b = sim_report_metrics(run_sim(base, "ps_only"));
    const double tps = b.metrics.at("tokens_per_s").get<double>();
    out.metrics["ps_only_tokens_per_s"] = tps;
    out.metrics["speedup_vs_ps_only"] = tps > 0 ? out.metrics["tokens_per_s"].get<double>() / tps : 0.0;
    out.baseline_events = b.events;
  }
  return out;
}

StageOutcome synthesize_point(const json& point, const EvalContext& ctx) {
  namespace fs = std::filesystem;
  StageOutcome o;
  if (!field(point, "evaluate").value("synthesize", true)) {
    o.note = "synthesis switched off (evaluate.synthesize = false): lut/ff/dsp/bram, fits_board "
             "and fmax_mhz are absent, so timing_met is unknown (the clock is not checked)";
    return o;
  }
  const auto yosys = find_program("yosys");
  if (!yosys) {
    o.note = "yosys not found on PATH: lut/ff/dsp/bram, fits_board and fmax_mhz are absent, so "
             "timing_met is unknown (the clock is not checked)";
    return o;
  }
  fs::path rtl_dir;
#ifdef LLAMAF_SOURCE_DIR
  rtl_dir = fs::path(LLAMAF_SOURCE_DIR) / "rtl";
#endif
  if (rtl_dir.empty() || !fs::is_directory(rtl_dir)) {
    o.note = "RTL sources not found: lut/ff/dsp/bram, fits_board and fmax_mhz are absent, so "
             "timing_met is unknown (the clock is not checked)";
    return o;
  }
  if (ctx.work_dir.empty()) throw Error("synthesis: no work folder for the design file");
  const fs::path dir = ctx.work_dir / "synth";
  fs::create_directories(dir);
  const fs::path design = dir / "design.json";
  write_file_atomic(design, field(point, "design").dump(2) + "\n");
  SynthOptions opt;
  opt.rtl_dir = rtl_dir;
  opt.cache_dir = ctx.cache_dir.empty() ? default_cache_dir() : ctx.cache_dir / "synth";
  opt.yosys = yosys->string();
  // The timing estimate (OpenSTA over the mapped netlist, explorer/timing.h)
  // gives fmax_mhz; without OpenSTA the resources still come, timing is unknown.
  const auto sta = find_program("sta");
  opt.timing = sta.has_value();
  if (sta) opt.sta = sta->string();
  const SynthResult r = synthesize(design, opt);  // cached by RTL + parameters (+ delay file)
  o.available = true;
  // Yosys's version line, for results.json's tool versions.
  if (run_process({opt.yosys, "-V"}, dir / "yosys-version.txt", 30).exited_ok())
    o.tools["yosys"] = last_line(dir / "yosys-version.txt");
  o.metrics = {{"lut", r.resources.lut},       {"ff", r.resources.ff},
               {"dsp", r.resources.dsp},       {"bram36", r.resources.bram36},
               {"bram18", r.resources.bram18}, {"lutram", r.resources.lutram},
               {"srl", r.resources.srl}};
  if (!opt.timing) {
    o.note = "OpenSTA (sta) not found on PATH: fmax_mhz is absent, so timing_met is unknown (the "
             "clock is not checked)";
  } else if (!r.timing.has_path || !(r.fmax_mhz > 0)) {
    o.note = "the timing estimate found no register-to-register path: fmax_mhz is absent, so "
             "timing_met is unknown";
  } else {
    o.metrics["fmax_mhz"] = r.fmax_mhz;
    // What sets the Fmax: the critical path (start -> end, period in ns) or
    // a primitive's frequency cap (timing.limit).
    const CriticalPath& p = r.timing.critical_path;
    o.metrics["critical_path"] =
        r.timing.limit == "path" ? fmt::format("{} -> {}", p.startpoint, p.endpoint) : r.timing.limit;
    o.metrics["critical_path_ns"] = r.timing.period_ns;
    o.tools["timing"] = "OpenSTA, delays " + r.timing.delay_model;
  }
  return o;
}

json model_byte_metrics(const json& point) {
  const model::Config c = shape_of(point);
  const sim::DesignParams d = design_of(point);
  const model::QuantSpec spec = d.quant_spec();
  const model::BusGeometry bus = d.bus();
  const std::int64_t bus_bytes = bus.bus_bits() / 8;
  struct Matrix {
    int rows, cols;
    std::int64_t count;
  };
  const std::int64_t L = c.n_layers;
  // Every matrix-vector product of one token (classifier included: the
  // accelerator runs it too).
  const Matrix matrices[] = {{c.dim, c.dim, L},        {c.kv_dim(), c.dim, L},
                             {c.kv_dim(), c.dim, L},   {c.dim, c.dim, L},
                             {c.hidden_dim, c.dim, L}, {c.dim, c.hidden_dim, L},
                             {c.hidden_dim, c.dim, L}, {c.vocab_size, c.dim, 1}};
  std::int64_t weight = 0, scale = 0, image = 0, macs = 0, act = 0, result = 0;
  for (const Matrix& m : matrices) {
    const int pc = model::padded_cols(m.cols, spec.group_size);
    const model::WeightImageLayout l = model::weight_image_layout(m.rows, pc, spec, bus);
    weight += m.count * m.rows * l.weight_words * bus_bytes;
    scale += m.count * m.rows * l.scale_words * bus_bytes;
    image += m.count * l.bytes_read();
    macs += m.count * static_cast<std::int64_t>(m.rows) * m.cols;
    act += m.count * model::activation_image_bytes(pc, spec, bus);
    result += m.count * static_cast<std::int64_t>(m.rows) * 4;
  }
  return {{"macs_per_token", macs},
          {"weight_bytes_per_token", weight},
          {"scale_bytes_per_token", scale},
          {"image_bytes_per_token", image},
          {"activation_bytes_per_token", act},
          {"result_bytes_per_token", result},
          {"float32_bytes_per_token", macs * 4},
          {"bits_per_weight", 8.0 * static_cast<double>(image) / static_cast<double>(macs)}};
}

std::optional<double> board_peak_bandwidth_gb_s(const json& board) {
  if (!board.is_object()) return std::nullopt;
  const auto sections = {"memory", "dram", "ddr"};
  if (auto v = find_number(board, sections, {"peak_bandwidth_gb_s"})) return v;
  auto rate = find_number(board, sections, {"data_rate_mts", "data_rate_mt_s"});
  auto bits = find_number(board, sections, {"bus_width_bits", "data_bits"});
  if (!rate || !bits) return std::nullopt;
  const double channels = find_number(board, sections, {"channels"}).value_or(1.0);
  return *rate * 1e6 * *bits / 8.0 * channels / 1e9;
}

std::optional<double> fabric_clock_mhz(const json& point) {
  if (auto v = find_number(point.value("design", json::object()), {}, {"clock_mhz", "fabric_clock_mhz"}))
    return v;
  return find_number(point.value("board", json::object()), {"clocks", "fabric"},
                     {"fabric_clock_mhz", "clock_mhz"});
}

std::filesystem::path default_dse_cache_dir() {
  if (const char* e = std::getenv("LLAMAF_CACHE_DIR"); e && *e) return e;
  if (const char* e = std::getenv("XDG_CACHE_HOME"); e && *e)
    return std::filesystem::path(e) / "llamaf";
  if (const char* e = std::getenv("HOME"); e && *e)
    return std::filesystem::path(e) / ".cache" / "llamaf";
  return ".llamaf-cache";
}

std::filesystem::path resolve_checkpoint(const std::string& spec, const EvalContext& ctx) {
  if (spec.rfind("models:", 0) == 0) return std::filesystem::path(default_models_dir()) / spec.substr(7);
  std::filesystem::path p(spec);
  if (p.is_relative()) p = ctx.sweep_dir / p;
  return p;
}

json accuracy_metrics(const json& point, const EvalContext& ctx) {
  const json& ev = field(point, "evaluate");
  const std::string spec_text = ev.at("checkpoint").get<std::string>();
  const std::filesystem::path path = resolve_checkpoint(spec_text, ctx);
  if (!std::filesystem::exists(path))
    throw_error("evaluate.checkpoint '{}': {} not found (models: names are looked up in "
                "$LLAMAF_MODELS_DIR or ../shared/models)",
                spec_text, path.string());
  const model::QuantSpec spec = design_of(point).quant_spec();
  const int tokens = ev.value("accuracy_tokens", 256);
  const std::uint64_t seed = ev.value("sequence_seed", std::uint64_t{1234});
  const json key_inputs = {{"kind", "accuracy-v1"},
                           {"checkpoint", std::filesystem::is_directory(path)
                                              ? json(spec_text)
                                              : file_identity(path)},
                           {"quant", spec.str()},
                           {"tokens", tokens},
                           {"seed", seed}};
  const std::filesystem::path cache =
      ctx.cache_dir.empty() ? std::filesystem::path()
                            : ctx.cache_dir / "accuracy" / (json_hash(key_inputs) + ".json");
  if (!cache.empty() && std::filesystem::exists(cache)) {
    std::ifstream in(cache);
    try {
      const json j = json::parse(in);
      if (j.value("inputs", json()) == key_inputs && j.contains("metrics")) return j["metrics"];
    } catch (const json::exception&) {
      // A damaged cache entry is recomputed and replaced.
    }
  }

  model::Transformer reference(model::load_checkpoint(path.string()));
  const model::Config shape = shape_of(point);
  const model::Config& got = reference.config();
  if (got.dim != shape.dim || got.hidden_dim != shape.hidden_dim || got.n_layers != shape.n_layers ||
      got.n_heads != shape.n_heads || got.n_kv_heads != shape.n_kv_heads ||
      got.vocab_size != shape.vocab_size)
    throw_error("evaluate.checkpoint {}: shape (dim {}, hidden {}, layers {}, heads {}/{}, vocab {}) "
                "differs from the point's model (dim {}, hidden {}, layers {}, heads {}/{}, vocab {})",
                path.string(), got.dim, got.hidden_dim, got.n_layers, got.n_heads, got.n_kv_heads,
                got.vocab_size, shape.dim, shape.hidden_dim, shape.n_layers, shape.n_heads,
                shape.n_kv_heads, shape.vocab_size);
  model::Transformer test(model::load_checkpoint(path.string()), spec);
  // The same sequence `llamaf eval` uses: sampled from the float32 model.
  model::Sampler sampler(got.vocab_size, 1.0f, 0.9f, seed);
  const std::vector<int> seq = model::generate(reference, sampler, {1}, tokens + 1);
  const model::Comparison c = model::compare_teacher_forced(reference, test, seq);
  const json metrics = {{"top1_agreement", c.top1_agreement},
                        {"mean_kl_nats", c.mean_kl},
                        {"perplexity_float32", c.perplexity_reference},
                        {"perplexity_quantized", c.perplexity_test},
                        {"accuracy_positions", c.positions}};
  if (!cache.empty()) {
    std::filesystem::create_directories(cache.parent_path());
    write_file_atomic(cache, json{{"inputs", key_inputs}, {"metrics", metrics}}.dump(1) + "\n");
  }
  return metrics;
}

PointResult evaluate_point(const json& point_in, const EvalContext& ctx) {
  PointResult r;
  r.tools = {{"llamaf", LLAMAF_VERSION}, {"compiler", __VERSION__}};
  const json& ev = field(point_in, "evaluate");

  // 1. Bytes the accelerator streams per token.
  r.metrics.update(model_byte_metrics(point_in));
  const sim::DesignParams d = design_of(point_in);
  r.metrics["quant"] = d.quant_spec().str();

  // 2. Accuracy of the quantization (cached).
  if (!ev.value("accuracy", true)) {
    r.notes.push_back("accuracy switched off (evaluate.accuracy = false)");
  } else if (!ev.contains("checkpoint") || ev["checkpoint"].is_null()) {
    r.notes.push_back("no evaluate.checkpoint: accuracy metrics absent");
  } else {
    report_stage(ctx, "accuracy");
    r.metrics.update(accuracy_metrics(point_in, ctx));
  }

  // 3. Synthesis first: its Fmax can decide the clock everything below uses.
  if (ev.value("synthesize", true)) report_stage(ctx, "synthesizing");
  const StageOutcome syn = synthesize_point(point_in, ctx);
  if (syn.available) r.metrics.update(syn.metrics);
  if (!syn.note.empty()) r.notes.push_back(syn.note);  // (available, yet without an Fmax)
  r.tools.update(syn.tools);

  // 4. The clock (explorer/clock.h). With evaluate.clock "fmax" or "min" it
  // is written into the point's design, so that the roofline, the simulator
  // (--clock-mhz) and the energy model all run at it.
  const ClockMode mode = clock_mode_from_json(ev.value("clock", json("requested")), "evaluate.clock");
  std::optional<double> fmax;
  if (syn.metrics.contains("fmax_mhz") && syn.metrics["fmax_mhz"].is_number())
    fmax = syn.metrics["fmax_mhz"].get<double>();
  const json board = point_in.value("board", json());
  const std::optional<double> limit = board_pl_ps_clock_limit_mhz(board);
  json point = point_in;
  if (mode != ClockMode::kRequested && !fmax)
    throw_error("evaluate.clock = \"{}\" needs the point's estimated Fmax, which is absent: {}",
                clock_mode_name(mode), syn.note);
  if (const std::optional<double> requested = fabric_clock_mhz(point_in);
      requested || mode != ClockMode::kRequested) {
    const ClockChoice clock = choose_clock(mode, requested, fmax, limit);
    if (mode != ClockMode::kRequested) point["design"]["clock_mhz"] = clock.mhz;
    r.metrics.update(timing_metrics(clock.mhz, fmax));
    r.metrics["clock_limited_by"] = clock.limited_by;
    if (limit && clock.mhz > *limit)
      r.notes.push_back(fmt::format("clock {} MHz is above the board's PL-PS interface limit {} "
                                    "MHz (fabric.hp_port_max_clock_mhz)",
                                    clock.mhz, *limit));
  } else {
    r.notes.push_back("no fabric clock (design clock_mhz or board fabric_clock_mhz): clock_mhz, "
                      "port_peak_gb_s and timing_met absent");
  }

  // 5. Roofline: the lower of the DRAM peak and the accelerator's port peak.
  std::optional<double> bw;
  if (auto dram = board_peak_bandwidth_gb_s(board)) {
    r.metrics["dram_peak_gb_s"] = *dram;
    bw = *dram;
  } else {
    r.notes.push_back("board states no DRAM peak bandwidth: dram_peak_gb_s absent");
  }
  if (auto mhz = fabric_clock_mhz(point)) {
    const double port = d.bus().bus_bits() / 8.0 * *mhz * 1e6 / 1e9;
    r.metrics["port_peak_gb_s"] = port;
    r.metrics["compute_peak_gmac_s"] = d.num_pe * *mhz / 1e3;
    bw = bw ? std::min(*bw, port) : port;
  }
  if (bw) r.metrics["roofline_bandwidth_gb_s"] = *bw;
  // roofline_tokens_per_s, operational intensity: metrics.h.
  add_derived_metrics(r.metrics);

  // 6. Cycle-accurate simulation at the point's clock.
  if (ev.value("simulate", true))
    report_stage(ctx, fmt::format("simulating {} tokens", ev.value("sim_tokens", 16)));
  const StageOutcome simo = simulate_point(point, ctx);
  if (simo.available) {
    r.metrics.update(simo.metrics);
    add_derived_metrics(r.metrics);  // roofline_percent
  } else {
    r.notes.push_back(simo.note);
  }
  r.tools.update(simo.tools);

  // 7. Fit against the board's resources.
  if (board.is_object() && board.contains("resources") && r.metrics.contains("lut")) {
    // BRAM in RAMB36 units: two RAMB18 share one RAMB36 site.
    const double bram = r.metrics.value("bram36", 0.0) + r.metrics.value("bram18", 0.0) / 2.0;
    const std::pair<const char*, double> used[] = {{"lut", r.metrics.value("lut", 0.0)},
                                                   {"ff", r.metrics.value("ff", 0.0)},
                                                   {"dsp", r.metrics.value("dsp", 0.0)},
                                                   {"bram36", bram}};
    bool fits = true;
    for (const auto& [k, v] : used) {
      const json& cap = board["resources"].value(k, json());
      if (!cap.is_number() || cap.get<double>() <= 0) continue;
      r.metrics[std::string(k) + "_util"] = v / cap.get<double>();
      fits = fits && v <= cap.get<double>();
    }
    r.metrics["fits_board"] = fits;
  }

  // 8. Energy: needs the simulation's event counts and an energy table.
  report_stage(ctx, "energy");
  if (simo.available && !simo.events.is_null()) {
    const json& table = point.value("energy", json());
    if (table.is_object()) {
      EnergyInputs in = energy_inputs_from_json(simo.events, "simulation events");
      // PS-only: the accelerator's logic is not in the system (no fabric term).
      const bool ps_only = field(point, "evaluate").value("sim", json::object()).value("policy", "") == "ps_only";
      if (!ps_only && in.lut == 0 && r.metrics.contains("lut")) in.lut = r.metrics["lut"].get<double>();
      if (!ps_only && in.ff == 0 && r.metrics.contains("ff")) in.ff = r.metrics["ff"].get<double>();
      if (!ps_only && in.lut == 0 && in.ff == 0)
        r.notes.push_back("energy: the fabric clock/logic term is left out (no LUT/FF counts "
                          "without synthesis); j_per_token underestimates by that much");
      r.metrics.update(energy_metrics(compute_energy(energy_table_from_json(table, "energy"), in)));
      if (!simo.baseline_events.is_null()) {
        // PS-only: the same energy model, no fabric logic switching.
        const EnergyInputs b = energy_inputs_from_json(simo.baseline_events, "PS-only simulation events");
        const EnergyBreakdown be = compute_energy(energy_table_from_json(table, "energy"), b);
        r.metrics["ps_only_tokens_per_j"] = be.tokens_per_j;
        r.metrics["ps_only_avg_power_w"] = be.avg_power_w;
        if (be.tokens_per_j > 0 && r.metrics.contains("tokens_per_j"))
          r.metrics["energy_efficiency_gain_vs_ps_only"] =
              r.metrics["tokens_per_j"].get<double>() / be.tokens_per_j;
      }
    } else {
      r.notes.push_back("no base.energy table: energy metrics absent");
    }
  }
  return r;
}

}  // namespace llamaf::dse
