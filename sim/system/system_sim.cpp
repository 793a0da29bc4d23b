// `llamaf sim`: the full-system simulation of token generation. This is the
// command-line front end of the llamaf-sim-<design> executables, so, like
// explorer/cli, it prints; the library code it drives does not.
#include "sim/system/system_sim.h"

#include "llamaf_version.h"
#include "sim/config/cli_checks.h"

#include "sim/board/board.h"
#include "sim/host/host_cost.h"
#include "sim/host/host_profile.h"
#include "sim/model/atomic_file.h"
#include "sim/model/checkpoint.h"
#include "sim/model/error.h"
#include "sim/model/generate.h"
#include "sim/model/synthetic.h"
#include "sim/model/tokenizer.h"
#include "sim/system/activity.h"
#include "sim/system/fast_mode.h"
#include "sim/system/memory_map.h"
#include "sim/system/rtl_backend.h"
#include "sim/system/soc.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace llamaf::sim {

namespace {

struct SimOptions {
  std::string design_path, board_path, model_path, shape_path, tokenizer_path, prompt, report_path;
  std::string policy = "overlapped";
  std::string host_profile;     // path or configs/hosts name; "none": op-count model only
  std::uint64_t staging_bytes = 0;
  int copy_threads = 0;
  std::string baseline_path;    // a ps_only report of the same board and model
  int steps = 32;
  int sim_layers = 0;     // 0: every layer (full simulation)
  int sample_positions = 0;  // 0: every position simulated; else this many, the rest interpolated
  double clock_mhz = 0;  // 0: the design's clock_mhz, else the board's fabric clock
  float temperature = 0.0f;
  float topp = 0.9f;
  std::uint64_t seed = 42;
  std::uint64_t weights_seed = 1;
  std::uint64_t quantum = 256;
  bool quiet = false;
  std::string stage_file;             // progress for a supervising process
  std::string stage_label = "simulating";
  std::string trace_path;
  std::uint64_t trace_from = 0, trace_to = ~std::uint64_t(0);
};

struct TokenRecord {
  int pos = 0;
  int token = 0;  // the token fed at pos
  int next = 0;   // the token chosen at pos
  Activity activity;
  bool simulated = true;  // false: interpolated between simulated positions
};

// The positions simulated when only `k` of `steps` are (--sample-positions):
// evenly spread, the first and the last included.
std::vector<int> sampled_positions(int steps, int k) {
  std::vector<int> p;
  if (k <= 0 || k >= steps) {
    for (int i = 0; i < steps; ++i) p.push_back(i);
    return p;
  }
  for (int i = 0; i < k; ++i) {
    const int v = static_cast<int>(std::llround(double(i) * (steps - 1) / (k - 1)));
    if (p.empty() || v != p.back()) p.push_back(v);
  }
  return p;
}

// Fills the activity of positions not simulated by linear interpolation in
// the position between the nearest simulated ones (the costs that grow with
// the position, attention and its KV-cache traffic, grow linearly), and
// holds the last simulated value after it.
void interpolate_records(std::vector<TokenRecord>& records) {
  int prev = -1;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!records[i].simulated) continue;
    if (prev >= 0) {
      const TokenRecord& a = records[std::size_t(prev)];
      const TokenRecord& b = records[i];
      for (std::size_t j = std::size_t(prev) + 1; j < i; ++j) {
        const double f = double(records[j].pos - a.pos) / double(b.pos - a.pos);
        Activity act = a.activity.scaled(1.0 - f);
        act += b.activity.scaled(f);
        records[j].activity = act;
      }
    }
    prev = static_cast<int>(i);
  }
  for (std::size_t j = prev < 0 ? 0 : std::size_t(prev) + 1; j < records.size(); ++j)
    if (prev >= 0) records[j].activity = records[std::size_t(prev)].activity;
}


nlohmann::json design_json(const DesignParams& p) {
  return {{"name", p.name},          {"NumPe", p.num_pe},         {"WeightBits", p.weight_bits},
          {"ActBits", p.act_bits},   {"GroupSize", p.group_size},
          {"ScaleFmt", model::scale_format_name(p.scale_format)},
          {"AxiDataBits", p.axi_data_bits}, {"WeightPorts", p.weight_ports},
          {"MaxOutstanding", p.max_outstanding}, {"MaxBurstBeats", p.max_burst_beats},
          {"WgtBufWords", p.wgt_buf_words}, {"ActBufCols", p.act_buf_cols},
          {"OutBufWords", p.out_buf_words}, {"JobQueueDepth", p.job_queue_depth}};
}

// --version: the simulator's design, the project version and revision and
// the tools it was built with.
std::string version_text(const std::string& design_name) {
  return fmt::format("llamaf-sim-{}: LlamaF {} (git {}); {}; SystemC {}", design_name,
                     LLAMAF_VERSION_STRING, LLAMAF_GIT_REVISION, LLAMAF_VERILATOR_VERSION,
                     LLAMAF_SYSTEMC_VERSION);
}

int run(const SimOptions& o, const AcceleratorFactory& factory, const std::string& design_name) {
  const auto wall_start = std::chrono::steady_clock::now();
  // Every input is checked before any weight is generated or loaded: the
  // design (keys, legality), the board, the options, and the model's shape
  // against the design and the board's memory.
  const DesignParams design = load_design_params(o.design_path);
  const board::Board board = board::load_board(o.board_path);
  const double clock_mhz =
      o.clock_mhz > 0 ? o.clock_mhz : design.clock_mhz > 0 ? design.clock_mhz : board.fabric.clock_mhz;
  if (clock_mhz > board.fabric.hp_port_max_clock_mhz)
    throw_error("clock {} MHz{}: above board '{}' PL-PS port limit of {} MHz "
                "(fabric.hp_port_max_clock_mhz)", clock_mhz, o.clock_mhz > 0 ? " (--clock-mhz)" : "",
                board.name, board.fabric.hp_port_max_clock_mhz);
  // HP0..3 and HPC0/1: up to six PL-PS ports (the board's PS lists them).
  const std::vector<std::string> ps_ports =
      board.ps.port_map(design.ps_ports, design.weight_ports, o.design_path);
  const model::QuantSpec quant = design.quant_spec();
  const SchedulePolicy policy = parse_policy(o.policy);
  // The host profile: --host-profile, else the board's host.profile.
  std::optional<host::HostProfile> profile;
  {
    const std::string ref = !o.host_profile.empty() ? o.host_profile : board.host.profile;
    if (!ref.empty() && ref != "none") {
      const std::string base = o.host_profile.empty()
                                   ? std::filesystem::path(o.board_path).parent_path().string()
                                   : std::string();
      profile = host::load_host_profile(host::resolve_host_profile(ref, base));
    }
  }
  if (o.sim_layers > 0) check_fast_mode_policy(policy_name(policy), "--sim-layers with --policy");
  if (is_staged(policy) && o.staging_bytes > 0 && o.staging_bytes < MemoryMap::kAlign)
    throw_error("--staging-bytes {}: expected at least {} bytes", o.staging_bytes, MemoryMap::kAlign);
  std::optional<nlohmann::json> baseline;
  if (!o.baseline_path.empty()) {
    std::ifstream in(o.baseline_path);
    if (!in) throw_error("--baseline {}: cannot open", o.baseline_path);
    try {
      baseline = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw_error("--baseline {}: not JSON: {}", o.baseline_path, e.what());
    }
    if (baseline->value("schema", "") != "llamaf.sim.report/1" || baseline->value("policy", "") != "ps_only")
      throw_error("--baseline {}: expected a llamaf.sim.report/1 report of --policy ps_only",
                  o.baseline_path);
  }
  // A checkpoint is read (not yet quantized) to know its shape; a shape file
  // needs no weights at all until every check passed.
  std::optional<model::Checkpoint> ckpt;
  if (o.shape_path.empty()) ckpt.emplace(model::load_checkpoint(o.model_path));
  const model::Config shape = ckpt ? ckpt->config : model::load_shape(o.shape_path);
  const std::string model_file = o.shape_path.empty() ? o.model_path : o.shape_path;
  if (o.sim_layers > shape.n_layers)
    throw_error("--sim-layers {}: expected 1..{} (the layers of {})", o.sim_layers, shape.n_layers,
                model_file);
  if (o.steps > shape.seq_len)
    throw_error("-n {}: more positions than the model's seq_len {} ({})", o.steps, shape.seq_len,
                model_file);
  try {
    MemoryMap::check_shape(shape, design, board.memory.capacity_bytes());
  } catch (const Error& e) {
    throw_error("{} on design {} and board {}: {}", model_file, o.design_path, board.name, e.what());
  }
  std::optional<model::Tokenizer> tok;
  if (!o.tokenizer_path.empty()) tok.emplace(o.tokenizer_path, shape.vocab_size);
  if (!o.prompt.empty() && !tok) throw Error("--prompt needs --tokenizer");

  // The model, quantized as the design computes.
  model::Transformer t = ckpt ? model::Transformer(std::move(*ckpt), quant)
                              : model::make_synthetic_transformer(shape, o.weights_seed, quant);
  const model::Config& cfg = t.config();
  const std::vector<int> prompt = tok ? tok->encode(o.prompt, true, false) : std::vector<int>{1};
  if (static_cast<int>(prompt.size()) > cfg.seq_len)
    throw_error("--prompt: {} tokens exceed the model's seq_len {}", prompt.size(), cfg.seq_len);
  const int steps = o.steps;

  // Reference: the golden quantized model on the host, same sampler.
  std::vector<int> expected;
  {
    model::Sampler sampler(cfg.vocab_size, o.temperature, o.topp, o.seed);
    expected = model::generate(t, sampler, prompt, steps);
    t.reset();
  }

  // The system.
  dram::DramSystem dram(board.memory);
  SparseMemory mem;
  const MemoryMap map(t, design, board.memory.capacity_bytes());
  map.load_weights(mem);
  DramBridge bridge(board.ps, dram, mem, static_cast<std::int64_t>(std::llround(clock_mhz * 1000.0)),
                    ps_ports);
  AcceleratorOptions aopt;
  aopt.trace_path = o.trace_path;
  aopt.trace_from = o.trace_from;
  aopt.trace_to = o.trace_to;
  std::unique_ptr<Accelerator> acc;
  try {
    acc = factory(design, bridge, aopt);
  } catch (const Error& e) {
    throw_error("{} (llamaf-sim-{}): {}", o.design_path, design_name, e.what());
  }
  Soc soc("soc", *acc, bridge, clock_mhz, o.quantum);
  const host::HostCostModel host(board.host, profile);
  BackendConfig bcfg;
  bcfg.policy = policy;
  bcfg.sim_layers = o.sim_layers > 0 ? o.sim_layers : -1;  // the backend: -1 = every layer
  const std::uint64_t align = MemoryMap::image_align(design);
  bcfg.staging_base = (map.end() + align - 1) / align * align;
  bcfg.staging_bytes = o.staging_bytes;
  bcfg.copy_threads = o.copy_threads;
  bcfg.dram_row_bytes = double(board.memory.row_bytes);
  RtlBackend backend(soc, map, cfg, design, host, bcfg);
  if (const WeightStager* st = backend.stager()) {
    const std::uint64_t end = bcfg.staging_base + st->buffer_bytes();
    if (end > board.memory.capacity_bytes())
      throw_error("--staging-bytes: the staging buffer ({:.1f} MiB) after the model's {:.1f} MiB "
                  "exceeds board '{}' DRAM ({:.2f} GiB)", st->buffer_bytes() / 1048576.0,
                  map.end() / 1048576.0, board.name, board.memory.capacity_bytes() / 1073741824.0);
  }
  t.set_backend(&backend);

  std::vector<TokenRecord> records;
  const std::vector<int> sampled = sampled_positions(steps, o.sample_positions);
  std::vector<int> produced = prompt;
  std::exception_ptr failure;
  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  soc.set_program([&] {
    try {
      model::Sampler sampler(cfg.vocab_size, o.temperature, o.topp, o.seed);
      int token = prompt[0];
      Activity before = backend.snapshot();
      std::size_t next_sampled = 0;
      // Wall time of the simulated and of the golden-only positions so far,
      // for the ETA: with --sample-positions the two differ by 100x or more.
      double wall_sim = 0, wall_gold = 0;
      int n_sim = 0, n_gold = 0;
      auto pos_start = std::chrono::steady_clock::now();
      for (int pos = 0; pos < steps; ++pos) {
        // A position not sampled runs on the golden model alone (no
        // simulated time); its activity is interpolated afterwards.
        const bool simulate = next_sampled < sampled.size() && sampled[next_sampled] == pos;
        if (simulate) ++next_sampled;
        t.set_backend(simulate ? &backend : nullptr);
        std::span<float> logits = t.forward(token, pos);
        int next;
        if (pos + 1 < static_cast<int>(prompt.size())) {
          next = prompt[pos + 1];
        } else {
          if (simulate)
            backend.charge_host("sampling", host.sample_seconds(cfg.vocab_size, o.temperature == 0.0f));
          next = sampler.sample(logits);
        }
        const Activity after = backend.snapshot();
        Activity delta = after - before;
        for (auto& [k, v] : delta.op_cycles)
          v -= before.op_cycles.count(k) ? before.op_cycles.at(k) : 0.0;
        records.push_back({pos, token, next, delta, simulate});
        before = after;
        const auto pos_end = std::chrono::steady_clock::now();
        (simulate ? wall_sim : wall_gold) += std::chrono::duration<double>(pos_end - pos_start).count();
        ++(simulate ? n_sim : n_gold);
        pos_start = pos_end;
        if (progress || !o.stage_file.empty()) {
          const double wall = std::chrono::duration<double>(pos_end - wall_start).count();
          const double per_sim = n_sim ? wall_sim / n_sim : 0.0;
          const double per_gold = n_gold ? wall_gold / n_gold : per_sim;  // unknown yet: as slow
          const int sim_left = static_cast<int>(sampled.size() - next_sampled);
          const int gold_left = steps - (pos + 1) - sim_left;
          const double eta = sim_left * per_sim + gold_left * per_gold;
          if (progress)
            fmt::print(stderr, "\r  token {}/{}  simulated cycles {:.4g}  {:.3g} cycles/s  ETA {:.0f} s   ",
                       pos + 1, steps, after.cycles, after.cycles / wall, eta);
          if (!o.stage_file.empty()) {
            // Progress only: a failure to write it must not fail the run.
            try {
              write_file_atomic(o.stage_file, fmt::format("{} token {}/{}, ETA {:.0f} s\n",
                                                          o.stage_label, pos + 1, steps, eta));
            } catch (const std::exception&) {
            }
          }
        }
        if (pos + 1 >= static_cast<int>(prompt.size())) {
          if (next == 1) break;
          produced.push_back(next);
        }
        token = next;
      }
    } catch (...) {
      failure = std::current_exception();
    }
  });
  soc.run();
  if (progress) fmt::print(stderr, "\n");
  if (failure) std::rethrow_exception(failure);

  // Tokens must equal the golden model's.
  for (std::size_t i = 0; i < std::max(expected.size(), produced.size()); ++i) {
    const int e = i < expected.size() ? expected[i] : -1;
    const int g = i < produced.size() ? produced[i] : -1;
    if (e != g)
      throw_error("token mismatch at position {}: the simulated system produced {} but the golden "
                  "model {} (-1: sequence ended)", i, g, e);
  }

  interpolate_records(records);

  // Report.
  const double peak = board.memory.peak_bandwidth_gbps();
  Activity total;
  for (const TokenRecord& r : records) total += r.activity;
  const double seconds = total.cycles / (clock_mhz * 1e6);
  const double tokens_per_s = seconds > 0 ? records.size() / seconds : 0.0;
  const double weight_bytes = static_cast<double>(map.weight_bytes());
  const double roofline = peak * 1e9 / weight_bytes;
  const bool fast = o.sim_layers > 0 && o.sim_layers < cfg.n_layers;  // 0: every layer
  nlohmann::json rep;
  rep["schema"] = "llamaf.sim.report/1";
  rep["mode"] = fast ? "fast" : "full";
  rep["simulated_layers"] = fast ? o.sim_layers : cfg.n_layers;
  rep["design"] = design_json(design);
  rep["board"] = board.name;
  rep["clock_mhz"] = clock_mhz;
  rep["policy"] = policy_name(policy);
  rep["quant"] = quant.str();
  rep["model"] = model::to_json(cfg);
  rep["model"]["source"] = o.shape_path.empty() ? o.model_path : o.shape_path;
  rep["positions"] = records.size();
  {
    nlohmann::json sp = nlohmann::json::array();
    for (const TokenRecord& r : records)
      if (r.simulated) sp.push_back(r.pos);
    rep["sampling"] = {{"simulated_positions", sp},
                       {"interpolated_positions", records.size() - sp.size()},
                       {"method", "positions not simulated: their activity interpolated linearly in the "
                                  "position between the nearest simulated ones"}};
  }
  rep["prompt_tokens"] = prompt.size();
  rep["total"] = to_json(total, clock_mhz, peak);
  rep["total"]["tokens_per_s"] = tokens_per_s;
  rep["total"]["macs_by_bits"] = {{fmt::format("w{}a{}", design.weight_bits, design.act_bits), total.accel.macs}};
  rep["roofline"] = {{"weight_and_scale_bytes_per_token", weight_bytes},
                     {"dram_peak_gbps", peak},
                     {"roofline_tokens_per_s", roofline},
                     {"percent_of_roofline", 100.0 * tokens_per_s / roofline}};
  nlohmann::json toks = nlohmann::json::array();
  for (const TokenRecord& r : records) {
    nlohmann::json j = to_json(r.activity, clock_mhz, peak);
    j["pos"] = r.pos;
    j["token"] = r.token;
    j["next"] = r.next;
    j["simulated"] = r.simulated;
    toks.push_back(j);
  }
  rep["tokens"] = toks;
  rep["dram_stats"] = dram.stats_json();
  // Bandwidth and queueing per PL-PS port and per DDR controller (XPI) port.
  rep["ps_ports"] = ps_ports;
  rep["weight_layout"] = design.weight_layout();
  rep["ps_stats"] = bridge.ps().stats_json();
  // Where the host's costs came from.
  {
    nlohmann::json hp;
    hp["profile"] = profile ? nlohmann::json(profile->where) : nlohmann::json(nullptr);
    hp["fallback"] = nlohmann::json::array();
    for (const std::string& f : host.fallbacks()) hp["fallback"].push_back(f);
    hp["note"] = profile ? "operators listed under fallback were costed by the op-count model "
                           "(board host section) or, for cache maintenance, not modelled: the "
                           "profile lacks them"
                         : "no host profile: every host operator costed by the op-count model "
                           "(board host section); cache maintenance not modelled";
    rep["host_model"] = hp;
  }
  if (const WeightStager* st = backend.stager()) {
    rep["staging"] = {{"buffer_bytes", st->buffer_bytes()},
                      {"base_addr", bcfg.staging_base},
                      {"bytes_copied", st->bytes_copied()},
                      {"copy_wait_cycles", st->wait_cycles()},
                      {"units", st->units().size()}};
  }
  if (policy == SchedulePolicy::PsOnly)
    rep["ps_only"] = {{"weight_bytes_streamed", backend.ps_weight_bytes()},
                      {"note", "the host's weight reads are counted in dram bytes and activates "
                               "but not timed through the DDR4 model (the profile's matvec rate "
                               "includes them)"}};
  if (baseline) {
    const nlohmann::json& bt = baseline->at("total");
    const double base_tps = bt.at("tokens_per_s").get<double>();
    if (baseline->value("board", "") != board.name || baseline->at("model").value("dim", 0) != cfg.dim ||
        baseline->at("model").value("n_layers", 0) != cfg.n_layers ||
        baseline->value("positions", 0) != static_cast<int>(records.size()))
      throw_error("--baseline {}: not the same board, model shape and positions as this run",
                  o.baseline_path);
    rep["vs_ps_only"] = {{"baseline", o.baseline_path},
                         {"ps_only_tokens_per_s", base_tps},
                         {"speedup", base_tps > 0 ? tokens_per_s / base_tps : 0.0}};
  }
  rep["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!o.report_path.empty()) write_file_atomic(o.report_path, rep.dump(2) + "\n");

  // Human output.
  if (tok) fmt::print("{}\n", tok->decode(produced));
  else {
    for (int id : produced) fmt::print("{} ", id);
    fmt::print("\n");
  }
  fmt::print("\n{:>4} {:>6} {:>12} {:>10} {:>9} {:>7} {:>8}\n", "pos", "token", "cycles", "ms", "tokens/s",
             "busy %", "DRAM GB/s");
  for (const TokenRecord& r : records) {
    const double s = r.activity.cycles / (clock_mhz * 1e6);
    const double bytes = r.activity.dram.bytes_read + r.activity.dram.bytes_written;
    fmt::print("{:>4} {:>6} {:>12.0f} {:>10.3f} {:>9.2f} {:>7.1f} {:>8.2f}\n", r.pos, r.next,
               r.activity.cycles, 1e3 * s, 1.0 / s, 100.0 * r.activity.accel.busy / r.activity.cycles,
               bytes / s / 1e9);
  }
  fmt::print("\n{} ({}), design {}, board {} at {} MHz, {} policy, {} positions\n", fast ? "fast mode" : "full simulation",
             fast ? fmt::format("{} of {} layers simulated", o.sim_layers, cfg.n_layers) : "every layer simulated",
             design.name, board.name, clock_mhz, policy_name(policy), records.size());
  fmt::print("tokens/s {:.3f}  ({:.1f} % of the DDR roofline {:.2f} tokens/s)\n", tokens_per_s,
             100.0 * tokens_per_s / roofline, roofline);
  if (rep.contains("vs_ps_only"))
    fmt::print("speed-up over PS-only: {:.2f}x (PS-only {:.4f} tokens/s)\n",
               rep["vs_ps_only"]["speedup"].get<double>(), rep["vs_ps_only"]["ps_only_tokens_per_s"].get<double>());
  fmt::print("host model: {}{}\n", profile ? "profile " + profile->where : "op-count model (no profile)",
             host.fallbacks().empty() ? "" : fmt::format("; op-count fallback / not modelled: {}",
                                                         fmt::join(host.fallbacks(), ", ")));
  fmt::print("time by operator:");
  for (const auto& [k, v] : total.op_cycles) fmt::print("  {} {:.1f}%", k, 100.0 * v / total.cycles);
  fmt::print("\n");
  // The PS memory path: per PL-PS port (and the host's APU port) and per
  // DDR controller port, averaged over the whole simulated time.
  const nlohmann::json& ps = rep["ps_stats"];
  fmt::print("PS ports (GB/s read/write, mean read latency, command queue full):\n");
  for (const auto& [name, v] : ps["pl_ports"].items())
    fmt::print("  {:<5} XPI {}  {:6.2f} / {:5.2f} GB/s  {:6.0f} ns  {:5.1f} %\n", name,
               v["xpi"].get<int>(), v["read_gbps"].get<double>(), v["write_gbps"].get<double>(),
               v["mean_read_latency_ns"].get<double>(),
               100.0 * v["command_queue_full_fraction"].get<double>());
  fmt::print("DDR controller ports (mean queued bursts, head blocked by a full CAM):\n");
  for (const auto& [x, v] : ps["xpi_ports"].items())
    fmt::print("  XPI {}  {:6.2f} bursts  {:5.1f} %\n", x, v["mean_queue_bursts"].get<double>(),
               100.0 * v["cam_blocked_fraction"].get<double>());
  if (!o.report_path.empty()) fmt::print("report: {}\n", o.report_path);
  return 0;
}

}  // namespace

int system_sim_main(int argc, char** argv, const AcceleratorFactory& factory,
                    const std::string& design_name) {
  CLI::App app{"llamaf sim: token generation with every matrix-vector product through the "
               "Verilated RTL, in SystemC with a DDR4 model and a host model"};
  SimOptions o;
  app.add_option("--design", o.design_path, "configs/designs/X.json")->required();
  app.add_option("--board", o.board_path, "configs/boards/B.json")->required();
  auto* model = app.add_option("--model", o.model_path, "llama2.c .bin or Hugging Face directory");
  auto* shape = app.add_option("--shape", o.shape_path, "configs/models/X.json (synthetic weights)");
  model->excludes(shape);
  app.add_option("--tokenizer", o.tokenizer_path, "tokenizer.bin");
  app.add_option("--prompt", o.prompt, "prompt text (needs --tokenizer)");
  app.add_option("-n,--steps", o.steps, "positions to run, prompt included (1..seq_len)")->capture_default_str();
  app.add_option("--policy", o.policy,
                 "schedule: serial | overlapped (= direct) | ps_only | staged_sync | staged_async")
      ->capture_default_str();
  app.add_option("--host-profile", o.host_profile,
                 "host profile: configs/hosts/NAME.json path or NAME (default: the board's host.profile; "
                 "'none': op-count model only)");
  app.add_option("--staging-bytes", o.staging_bytes,
                 "staged policies: staging buffer size in bytes (default: the least the policy needs)");
  app.add_option("--copy-threads", o.copy_threads,
                 "staged policies: threads of a weight copy (default: all host threads for sync, "
                 "one background thread for async)");
  app.add_option("--baseline", o.baseline_path,
                 "report of a --policy ps_only run of the same board, model and positions: adds the "
                 "speed-up over PS-only");
  auto* sample = app.add_option("--sample-positions", o.sample_positions,
                 "whole generations: simulate this many positions (evenly spread, first and last "
                 "included), interpolate the others (default: every position)");
  auto* sim_layers = app.add_option("--sim-layers", o.sim_layers,
                 "fast mode: simulate this many layers cycle by cycle, extrapolate the rest (1..n_layers)");
  auto* clock = app.add_option("--clock-mhz", o.clock_mhz,
                               "accelerator clock, MHz (default: the design's clock_mhz, else the board's; at most the board's PL-PS port limit)");
  app.add_option("--report", o.report_path, "write the JSON report here");
  app.add_option("--temperature", o.temperature, "0 = greedy")->capture_default_str();
  app.add_option("--topp", o.topp, "top-p (nucleus) threshold, in (0, 1]")->capture_default_str();
  app.add_option("--seed", o.seed, "sampler seed")->capture_default_str();
  app.add_option("--weights-seed", o.weights_seed, "seed of synthetic weights")->capture_default_str();
  app.add_option("--quantum", o.quantum, "max cycles the accelerator runs ahead of a computing host")
      ->capture_default_str();
  app.add_flag("--quiet", o.quiet, "no progress line");
  app.add_option("--stage-file", o.stage_file,
                 "rewrite FILE after every position with \"LABEL token k/N, ETA s\" (how the "
                 "explorer shows a running point's progress)");
  app.add_option("--stage-label", o.stage_label, "LABEL of --stage-file")->capture_default_str();
  app.add_option("--trace", o.trace_path,
                 "VCD waveforms of lf_top (needs a build with -DLLAMAF_RTL_TRACE=ON)");
  app.add_option("--trace-from", o.trace_from, "first fabric cycle dumped");
  app.add_option("--trace-to", o.trace_to, "last fabric cycle dumped");
  app.set_version_flag("--version", version_text(design_name));
  try {
    app.parse(argc, argv);
    if (o.model_path.empty() && o.shape_path.empty()) throw Error("one of --model or --shape is required");
    // Numeric options, checked with a readable message (CLI11's range
    // checks print doubles' full limits).
    if (o.steps < 1) throw_error("-n {}: expected a positive number of positions", o.steps);
    if (sample->count() > 0 && o.sample_positions < 2)
      throw_error("--sample-positions {}: expected at least 2 (the first and the last position)",
                  o.sample_positions);
    if (sim_layers->count() > 0 && o.sim_layers < 1)
      throw_error("--sim-layers {}: expected 1..n_layers (omit it for a full simulation)", o.sim_layers);
    if (clock->count() > 0 && !(o.clock_mhz > 0))
      throw_error("--clock-mhz {}: expected a clock in MHz > 0", o.clock_mhz);
    if (!(o.temperature >= 0)) throw_error("--temperature {}: expected >= 0 (0 = greedy)", o.temperature);
    if (!(o.topp > 0 && o.topp <= 1)) throw_error("--topp {}: expected a value in (0, 1]", o.topp);
    if (o.copy_threads < 0) throw_error("--copy-threads {}: expected >= 1 (0: the default)", o.copy_threads);
    if (o.quantum < 1) throw_error("--quantum {}: expected at least 1 cycle", o.quantum);
    if (o.trace_to < o.trace_from)
      throw_error("--trace-to {} is before --trace-from {}", o.trace_to, o.trace_from);
    return run(o, factory, design_name);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // --help, --version: 0
    return code == 0 ? 0 : 2;      // a bad command line: 2, as llamaf's commands
  } catch (const std::exception& e) {
    fmt::print(stderr, "llamaf sim: error: {}\n", e.what());
    return 1;
  }
}

}  // namespace llamaf::sim
