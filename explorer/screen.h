// The analytical screen (`llamaf explore --fidelity analytical|auto`,
// docs/explore.md "Fidelity"): every point of a sweep's cartesian product
// evaluated by a closed-form model, by index and without building a JSON
// point, at a few microseconds per point; filters, constraints, the
// selection rules (selection.h) and the Pareto front (pareto.h) applied with
// the same semantics as to cycle-accurate records; the front and the points
// within a margin of it kept for confirmation, everything else summarised.
//
// How a point is made without JSON: parameters whose targets all lie under
// "design." are *design* parameters; for each of their values the screen
// parses the base design with that one override once (design_params_from_json)
// and keeps the fields it sets (a patch). Every other parameter (board,
// model, energy, evaluate keys, whole configs) defines a *context*: one model
// per distinct combination, built from a representative resolved point.
// A point is then its context's base DesignParams with one patch per design
// parameter applied in declaration order, which is what resolving its JSON
// gives (checked on a sample of points every run, and by the tests on every
// point of small sweeps). Filters and constraints that read parameters only
// are tabulated over the values they read; an expression that reads a dotted
// config path falls back to resolving the point's JSON.
//
// Output folder DIR/screen/ (each file written atomically):
//   summary.json  counts (screened, filtered, illegal by rule, infeasible by
//                 constraint, excluded, candidates, front), min/median/max of
//                 the metrics, wall seconds and points per second
//   front.jsonl   the Pareto front and the points within the margin of it:
//                 id, index, params, analytical metrics, on_front, margin,
//                 confirm (selected for cycle-accurate confirmation)
//   cloud.csv     a deterministic sample of the candidates (index and
//                 metrics) for the cloud figures
//   points.csv    every screened point, only with ScreenOptions::all_points
#pragma once

#include "explorer/analytical.h"
#include "explorer/point_eval.h"
#include "explorer/sweep.h"
#include "sim/rtl_driver/design_params.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llamaf::dse {

// What the screen evaluates a design with: one model per context.
// evaluate() and metrics() are called from several threads at once.
class ScreenBackend {
 public:
  virtual ~ScreenBackend() = default;
  // Every numeric metric key the backend may give (booleans as 0/1).
  virtual const std::vector<std::string>& metric_keys() const = 0;
  // Builds the model of one context from a representative resolved point
  // (sweep.h Point::resolved); returns its handle (0, 1, ... in call order).
  virtual std::size_t add_context(const nlohmann::json& point) = 0;
  // Writes the metrics metric_keys()[slots[i]] to out[i]; NaN: not given
  // (also for a slot >= metric_keys().size(), a key the backend lacks).
  virtual void evaluate(std::size_t context, const sim::DesignParams& design,
                        const std::vector<std::size_t>& slots, double* out) const = 0;
  // All metrics of one design as record metrics (point_eval.h keys).
  virtual nlohmann::json metrics(std::size_t context, const sim::DesignParams& design) const = 0;
};

// The analytical model (analytical.h) as a screen backend. `resources` may
// be empty (no resource metrics, fits_board, timing_met).
std::unique_ptr<ScreenBackend> make_analytical_backend(const EvalContext& ctx,
                                                       ResourceEstimator resources);

// Whether a sweep needs resource metrics from the analytical screen: it
// synthesizes, or an objective or constraint reads lut, ff, dsp, bram,
// fmax, *_util, timing_met or fits_board.
bool screen_needs_resources(const Sweep& sweep);

// The resource estimator of the screen: the fitted model (resource_model.h,
// its fit file under configs/fits, checked against the RTL in `rtl_dir`)
// when the sweep needs resources; empty otherwise. A stale or missing fit
// file throws llamaf::Error naming `llamaf fit-resources`.
ResourceEstimator screen_resources(const Sweep& sweep, const std::filesystem::path& rtl_dir);

struct ScreenOptions {
  int threads = 1;
  bool all_points = false;          // write screen/points.csv (every point)
  std::size_t cloud_points = 20000;  // size of the cloud sample (cloud.csv)
  std::size_t max_near_points = 10000;  // near-front points written to front.jsonl
  std::size_t chunk = 4096;         // indices per work item
  // Points whose patched DesignParams are compared with their resolved
  // JSON's at the start of every run (0: none).
  std::size_t self_check_points = 64;
  // Called about once a second from the calling thread while the product
  // is scanned: combinations started, total, seconds since the scan began.
  std::function<void(std::size_t, std::size_t, double)> progress;
};

// A point the screen keeps: on the front or within the margin of it.
struct ScreenSelected {
  // id, index and params; resolved (its content) only for the points to
  // confirm (resolve_point gives it for the others).
  Point point;
  nlohmann::json metrics;      // the backend's metrics of the point
  bool on_front = false;       // on the analytical Pareto front (with pareto_tolerance)
  double margin = 0;           // smallest relative improvement that makes it non-dominated
  bool confirm = false;        // selected for cycle-accurate confirmation
};

struct MetricStats {
  std::size_t count = 0;
  double min = 0, median = 0, max = 0;  // median of the cloud sample
};

struct ScreenResult {
  std::size_t combinations = 0, screened = 0, filtered_out = 0, illegal = 0;
  std::size_t infeasible = 0;        // by a constraint checked before evaluation
  std::size_t infeasible_after = 0;  // by a constraint on the analytical metrics
  std::size_t excluded = 0;          // timing_met / fits_board false (selection.h)
  std::size_t lacking_objective = 0;  // candidates without a value of an objective
  std::size_t candidates = 0;        // compete for the front
  std::size_t contexts = 0;
  std::map<std::string, std::size_t> illegal_by_rule, infeasible_by_reason,
      infeasible_after_by_reason, excluded_by_reason;
  std::vector<Objective> objectives_used;
  std::vector<std::string> objectives_missing;
  std::vector<ScreenSelected> selected;  // front first (by the first objective), then by margin
  std::size_t front_size = 0, within_margin = 0, near_written = 0, confirm_count = 0;
  std::map<std::string, MetricStats> stats;
  std::vector<std::string> sample_keys;          // the cloud sample's metric columns
  std::vector<std::pair<std::size_t, std::vector<double>>> sample;  // (index, values), by index
  double wall_seconds = 0;
  // Of which: contexts, models, patches and the self-check; the pass(es)
  // over the product; the front, the margin band and the selected points.
  double setup_seconds = 0, scan_seconds = 0, select_seconds = 0;
  int threads = 1;
  std::string points_csv;  // with all_points
  nlohmann::json summary_json(const Sweep& sweep) const;
};

// Screens the whole cartesian product of `sweep` with `backend` (contexts
// are added to it). Throws llamaf::Error when a filter or constraint cannot
// be evaluated, or when the patch self-check finds a difference.
ScreenResult screen_sweep(const Sweep& sweep, ScreenBackend& backend, const ScreenOptions& opt);

// Writes DIR/screen/{summary.json, front.jsonl, cloud.csv[, points.csv]}.
void write_screen(const std::filesystem::path& dir, const Sweep& sweep, const ScreenResult& r);

// The screen outputs of a folder (empty when it has none).
struct StoredScreen {
  nlohmann::json summary;             // null when there is no screen/summary.json
  std::vector<nlohmann::json> front;  // front.jsonl lines, in file order
};
StoredScreen load_screen(const std::filesystem::path& dir);

// The design of a point as the screen builds it, through patches (exposed
// for the tests: it must equal sim::design_params_from_json of the point's
// resolved design for every point). nullopt: the point is filtered out;
// `error` set: the design does not parse.
struct PatchedDesign {
  bool filtered = false;
  std::string error;
  sim::DesignParams design;
};
class DesignPatcher {
 public:
  explicit DesignPatcher(const Sweep& sweep);
  ~DesignPatcher();
  DesignPatcher(const DesignPatcher&) = delete;
  DesignPatcher& operator=(const DesignPatcher&) = delete;
  std::size_t contexts() const;
  // The context of an index and a representative resolved point of it.
  std::size_t context_of(const std::vector<std::size_t>& digits) const;
  const nlohmann::json& context_point(std::size_t context) const;
  // The design of the point with these digits; false with `error` set when
  // some value's design does not parse.
  bool design(const std::vector<std::size_t>& digits, sim::DesignParams& out,
              std::string& error) const;
  // The point's parameters and id (sweep.h Point::params and Point::id)
  // without resolving it: the id's hash runs over the context's cached
  // board text and the point's own design and parameters only.
  nlohmann::json params(const std::vector<std::size_t>& digits) const;
  std::string point_id(const std::vector<std::size_t>& digits) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Field-by-field equality of the DesignParams fields that decide a design
// point (all but name, description and the testbench hint).
bool same_design(const sim::DesignParams& a, const sim::DesignParams& b);

// The relative margin a point needs to be non-dominated by `front`
// (objective vectors oriented so that larger is better): the smallest m >= 0
// such that the point with every value v raised by m * |v| is dominated by
// no front member; +inf when no margin suffices.
double margin_to_front(const std::vector<double>& p, const std::vector<std::vector<double>>& front);

// Cycle-accurate against analytical: relative errors (analytical - rtl) /
// rtl of the confirmed points, per metric.
struct AnalyticalError {
  std::string metric;
  double target = 0;  // mean |error| target (0.02 tokens/s, 0.10 resources)
  std::vector<std::pair<std::string, double>> errors;  // (point id, relative error)
  double mean_abs = 0, worst = 0;  // worst: the signed error of largest magnitude
  std::string worst_id;
  bool meets_target() const { return errors.empty() || mean_abs <= target; }
};
// Metrics compared: tokens_per_s, lut, dsp, bram36, fmax_mhz. `records`:
// records with "metrics" (cycle-accurate) and "analytical" (the screen's).
// A metric either side lacks, or a cycle-accurate value of 0, is skipped.
std::vector<AnalyticalError> analytical_errors(const std::vector<nlohmann::json>& records);
// report.md's "Analytical model" section: the screen summary, and for the
// confirmed points a table of analytical against cycle-accurate values,
// mean and worst |error| per metric against the targets, and where the
// error is above target (points, and the parameter values with the
// largest mean error).
std::string analytical_report_md(const Sweep& sweep, const StoredScreen& screen,
                                 const std::vector<nlohmann::json>& records);

}  // namespace llamaf::dse
