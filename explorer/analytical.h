// The analytical model of a design point (`--fidelity analytical`,
// docs/analytical.md): the same token as the cycle-accurate system
// simulation, in closed form. It mirrors the simulated models term by term
// rather than fitting them:
//   accelerator   cycles of each job from the RTL parameters (docs/rtl.md:
//                 one bus word per cycle, NumPe MACs per beat, the rows'
//                 scale words, the activation load and pipeline fill between
//                 jobs, the result drain), overlapped across a job wave;
//   memory        the PS memory path's sustained read bandwidth for the
//                 point's ports, layout, burst and bursts in flight, measured
//                 once per distinct memory configuration with the same
//                 PsMemory + DramSystem models (`llamaf membench`) and
//                 memoized; a job streams at min(that, what its ports and
//                 clock carry);
//   host          the same HostCostModel calls the simulator charges (host
//                 profile, per-job driver overheads, cache maintenance);
//   schedule      serial / overlapped waves as rtl_backend.cpp issues them;
//   resources     the fitted resource and Fmax model (resource_model.h);
//   energy        the energy model (energy.h) on the events the above imply.
// Metric keys are those of a cycle-accurate record (point_eval.h), so the
// two compare one to one.
#pragma once

#include "explorer/point_eval.h"
#include "explorer/resource_model.h"
#include "sim/rtl_driver/design_params.h"

#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace llamaf::dse {

// FPGA resources and estimated Fmax of a design: ResourceModel::estimate
// of the fitted model (resource_model.h), or a stand-in in tests.
using ResourceEstimator = std::function<ResourceEstimate(const sim::DesignParams&)>;

// The analytical metrics of one point. NaN: not available (e.g. no resource
// model); booleans are 0/1 (NaN when unknown).
struct AnalyticalMetrics {
  double tokens_per_s = 0, token_latency_ms = 0, cycles_per_token = 0;
  double clock_mhz = 0;
  double matvec_ms_per_token = 0, host_ms_per_token = 0;
  double achieved_bandwidth_gb_s = 0;  // weight+scale bytes of a token / token time
  double roofline_percent = 0;         // of the board's DRAM peak
  double mem_bound_fraction = 0;       // share of accelerator job time set by memory
  double j_per_token = 0, avg_power_w = 0, tokens_per_j = 0;
  double lut = 0, ff = 0, dsp = 0, bram36 = 0, bram18 = 0, fmax_mhz = 0;
  double lut_util = 0, ff_util = 0, dsp_util = 0, bram36_util = 0;
  double fits_board = 0, timing_met = 0;
  const char* clock_limited_by = "requested";
  // Per token, microseconds, by the simulator's operator names
  // (op_latency_us.<name>): the matrix-vector groups (accelerator waves and
  // their driver calls) and act_quant_io (quantizing x and writing its
  // image before each group).
  static constexpr std::array<const char*, 6> kGroupNames = {"qkv", "o_proj", "ffn_w1w3", "ffn_w2",
                                                             "classifier", "act_quant_io"};
  std::array<double, 6> group_us{};
};

// Every metric key AnalyticalMetrics has (for expressions and reports).
const std::vector<std::string>& analytical_metric_keys();
// A metric by key; nullopt for a key the analytical model does not give
// (or a NaN value).
std::optional<double> analytical_metric(const AnalyticalMetrics& m, std::string_view key);
// As record metrics (point_eval.h keys; NaN values left out).
nlohmann::json to_json(const AnalyticalMetrics& m);

// What stays fixed while a sweep varies the design: board, model shape,
// host, energy table and evaluate options, taken from one resolved point.
// evaluate() is thread-safe (the memory ceilings it memoizes are shared,
// under a lock, by every model of the same board in the process).
class AnalyticalModel {
 public:
  // `point`: a resolved point (sweep.h Point::resolved). `resources` may be
  // empty: then no resource metrics, no fits_board, and an evaluate.clock of
  // "fmax"/"min" is refused (it needs an Fmax). Throws llamaf::Error on what
  // the model cannot evaluate (e.g. a policy it does not model), naming it.
  AnalyticalModel(const nlohmann::json& point, const EvalContext& ctx,
                  ResourceEstimator resources);
  ~AnalyticalModel();
  AnalyticalModel(const AnalyticalModel&) = delete;
  AnalyticalModel& operator=(const AnalyticalModel&) = delete;

  // The metrics of the point with this design (its RTL parameters, clock,
  // ports and layout); the design must be legal (sim::check_rtl_legality).
  AnalyticalMetrics evaluate(const sim::DesignParams& design) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One point evaluated analytically, as `llamaf point --fidelity analytical`
// writes it: the byte accounting of model_byte_metrics, the analytical
// metrics and the derived roofline metrics, with the note that they are
// analytical ("fidelity": "analytical" in the metrics).
PointResult analytical_point_result(const nlohmann::json& point, const EvalContext& ctx,
                                    const ResourceEstimator& resources);

}  // namespace llamaf::dse
