// Evaluation of one resolved design point (what `llamaf point` runs in a
// subprocess): model-shape byte accounting, the DRAM roofline, accuracy
// (cached per quantization), and the extension points where the
// cycle-accurate simulation and Yosys synthesis plug in. Metrics that cannot
// be computed are absent, never estimated: each absence is explained in
// `notes`.
//
// Metric keys (units in the names; docs/explore.md has the full list):
//   model_params_matvec, macs_per_token               counts
//   weight_bytes_per_token, scale_bytes_per_token,
//   image_bytes_per_token (weights + scales + padding as packed for the bus),
//   activation_bytes_per_token, result_bytes_per_token, float32_bytes_per_token
//   dram_peak_gb_s, port_peak_gb_s, roofline_bandwidth_gb_s (min of the two),
//   compute_peak_gmac_s; derived (metrics.h): roofline_tokens_per_s (min of
//   the memory and compute roofs), roofline_percent
//   top1_agreement (fraction), mean_kl_nats, perplexity_float32,
//   perplexity_quantized, accuracy_positions
//   from simulation (when available): tokens_per_s, cycles_per_token,
//   token_latency_ms, achieved_bandwidth_gb_s, op_latency_us.<op>, ...
//   from synthesis (when available): lut, ff, dsp, bram36, bram18, fmax_mhz,
//   fits_board, lut_util, ff_util, dsp_util, bram36_util
//   clock (explorer/clock.h): clock_mhz, clock_limited_by; with an Fmax
//   timing_met (clock_mhz <= fmax_mhz), timing_slack_ns
//   from the energy model (needs simulation events): j_per_token, avg_power_w,
//   tokens_per_j, energy_j_per_token.<component>
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace llamaf::dse {

struct EvalContext {
  std::filesystem::path sweep_dir;  // relative checkpoint paths start here
  std::filesystem::path cache_dir;  // accuracy cache: <cache_dir>/accuracy/<key>.json
  std::filesystem::path work_dir;   // the point's folder: simulator inputs, report, log
  std::filesystem::path bin_dir;    // where llamaf-sim-<design> executables are
};

// What `llamaf point` writes to result.json (plus "wall_seconds").
struct PointResult {
  std::string status = "ok";  // "ok" or "failed"
  std::string reason;         // why it failed (one line)
  nlohmann::json metrics = nlohmann::json::object();
  std::vector<std::string> notes;  // what was not evaluated and why
  nlohmann::json tools = nlohmann::json::object();  // versions of what produced the metrics
  nlohmann::json to_json() const;
};

// The outcome of an optional stage.
struct StageOutcome {
  bool available = false;  // false: the stage does not exist yet or was switched off
  std::string note;        // why not, when !available
  nlohmann::json metrics = nlohmann::json::object();
  // Event counts for the energy model (EnergyInputs JSON), simulation only.
  nlohmann::json events;
  // The same for the PS-only run of the same board and model (simulation
  // of an accelerated policy, unless evaluate.sim.baseline is false).
  nlohmann::json baseline_events;
  nlohmann::json tools = nlohmann::json::object();  // name -> version of what ran
};

// ---------------------------------------------------------------------------
// The cycle-accurate simulation and synthesis stages.
//
// simulate_point runs the full-system simulator (docs/system.md). The build
// makes `llamaf-sim-<name>` for each configs/designs/<name>.json: a point
// whose design carries that "name" and still has its RTL parameters uses
// it. Other parameter sets get a simulator only with evaluate.sim.build =
// true (dse::ensure_simulator, explorer/sim_build.h: built on demand in the
// build tree, named by content hash, reused); without it they get a note and
// no simulation metrics. The stage writes the design, board and model shape
// to <work_dir>/sim/, runs the simulator with --report, and maps the report
// with sim_report_metrics. evaluate.sim options: "sim_layers" (fast mode),
// "policy" ("serial"/"overlapped"), "weights" ("synthetic" = --shape,
// default, or "checkpoint" = evaluate.checkpoint), "weights_seed", "build".
//
// synthesize_point runs dse::synthesize() (explorer/synth.h: Yosys
// synth_xilinx, cached by RTL sources + parameters under <cache_dir>/synth)
// on point["design"] and returns lut/ff/dsp/bram36/bram18/lutram/srl; a
// Yosys failure (e.g. parameters the RTL rejects) fails the point.
// evaluate_point() then adds fits_board (when the board lists its
// resources) and passes LUT/FF counts to the energy model.
// The keys evaluate.sim may hold (simulate_point's options; the sweep loader
// checks them at load).
const std::vector<std::string>& sim_option_keys();
StageOutcome simulate_point(const nlohmann::json& point, const EvalContext& ctx);

// The simulator a point's evaluation would build before simulating (its
// simulation is on, evaluate.sim.build is set and no simulator for its RTL
// parameters exists under bin_dir): its name (the design identity), which
// points with the same parameters share; nullopt when nothing is built.
// For the explorer's ETA; a malformed point gives nullopt (its evaluation
// reports it).
std::optional<std::string> simulator_build_needed(const nlohmann::json& point,
                                                  const std::filesystem::path& bin_dir);

// The stage a point's evaluation is in ("synthesizing", "building simulator",
// "simulating 16 tokens", ...), one line in <work_dir>/stage.txt, read by the
// explorer for its progress display. Never throws.
inline constexpr const char* kStageFile = "stage.txt";
// The stage of a point building its simulator (the explorer's ETA times it).
inline constexpr const char* kBuildStage = "building simulator";
void report_stage(const EvalContext& ctx, const std::string& stage);
StageOutcome synthesize_point(const nlohmann::json& point, const EvalContext& ctx);

// A `llamaf.sim.report/1` JSON (docs/system.md) as explorer metrics:
// tokens_per_s, cycles_per_token, token_latency_ms, achieved_bandwidth_gb_s,
// dram_row_hit_rate, macs_per_busy_cycle,
// sim_positions, sim_mode, op_latency_us.<op> (per token); from the report's
// ps_stats (the PS memory path): ps_port_read_gb_s.<port> and
// ps_port_read_latency_ns.<port> (per PL-PS port and the host's APU port),
// xpi_queue_bursts.<xpi> and xpi_cam_blocked.<xpi> (per DDR controller
// port), and over the accelerator's ports ps_port_read_gb_s_min/_max,
// ps_port_read_latency_ns_max, xpi_queue_bursts_max, xpi_cam_blocked_max;
// and the energy
// model's inputs (EnergyInputs JSON) in `events`: tokens = positions,
// seconds, macs_by_bits, bram_reads = act_buf_reads + wgt_buf_writes (each
// weight-FIFO word is written and read once), bram_writes = wgt_buf_writes,
// dram_activates, dram_read_bytes, dram_write_bytes, accel_busy_cycles,
// accel_total_cycles, host_busy_seconds. Throws on a malformed report.
StageOutcome sim_report_metrics(const nlohmann::json& report);
// ---------------------------------------------------------------------------

// Weight/scale byte accounting of every matrix of the model for the design's
// quantization and bus (sim/model/packed_image.h weight_image_layout).
nlohmann::json model_byte_metrics(const nlohmann::json& point);

// Peak DRAM bandwidth of a board JSON in GB/s (1e9 B/s), if the board states
// it: "peak_bandwidth_gb_s", or "data_rate_mts" x "bus_width_bits" / 8 x
// "channels" (default 1) as in configs/boards (aliases "data_rate_mt_s",
// "data_bits"), at the top level or under "memory", "dram" or "ddr".
// nullopt when absent.
std::optional<double> board_peak_bandwidth_gb_s(const nlohmann::json& board);
// The fabric clock in MHz: design "clock_mhz"/"fabric_clock_mhz", else the
// board's "fabric_clock_mhz"/"clock_mhz" (top level or under "clocks"/"fabric").
std::optional<double> fabric_clock_mhz(const nlohmann::json& point);

// The default cache folder: $LLAMAF_CACHE_DIR, else $XDG_CACHE_HOME/llamaf,
// else ~/.cache/llamaf.
std::filesystem::path default_dse_cache_dir();

// Resolves an evaluate.checkpoint string: "models:NAME" -> $LLAMAF_MODELS_DIR
// or <source>/../shared/models; relative -> sweep_dir; absolute as is.
std::filesystem::path resolve_checkpoint(const std::string& spec, const EvalContext& ctx);

// Accuracy of the point's quantization on its checkpoint, from the cache or
// computed (and cached, atomically). Keys: top1_agreement, mean_kl_nats,
// perplexity_float32, perplexity_quantized, accuracy_positions.
nlohmann::json accuracy_metrics(const nlohmann::json& point, const EvalContext& ctx);

// The whole evaluation, in order: bytes, accuracy, synthesis, the clock
// (evaluate.clock: with "fmax"/"min" the chosen clock is written into the
// point's design.clock_mhz, so the stages below run at it), roofline,
// simulation, board fit, energy. Throws llamaf::Error when the point cannot
// be evaluated (bad parameters, missing checkpoint, "fmax" without an Fmax);
// the caller records that as a failed point.
PointResult evaluate_point(const nlohmann::json& point, const EvalContext& ctx);

}  // namespace llamaf::dse
