// `llamaf compare RUN_A RUN_B`: two runs' points paired by their parameters,
// the change of every metric, regressions beyond a threshold, and one
// before/after figure. A run is a sweep output folder (sweep.json +
// results.jsonl) or a `llamaf sim --report` JSON (llamaf.sim.report/1).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace llamaf::dse {

// One run as compare reads it: its "ok" points (params, flattened metrics).
struct CompareRun {
  std::string source;                    // the path given
  std::string kind;                      // "sweep" or "sim report"
  std::vector<std::string> params;       // parameter names, in order
  std::vector<nlohmann::json> points;    // {"id", "params", "metrics" (flat)}
  std::size_t not_ok = 0;                // failed / infeasible records left out
};

// Reads a sweep folder or a sim report (derived metrics added, metrics.h).
// A sim report's parameters are its design's RTL parameters, clock, board,
// policy and model.
CompareRun load_compare_run(const std::filesystem::path& path);

struct MetricChange {
  std::string point;   // "NumPe=16, WeightBits=4" (the pairing key)
  std::string values;  // "16/4": the key's values (figure tick labels)
  std::string metric, unit, better;
  nlohmann::json before, after;  // numbers, booleans, strings; null = absent
  double change = 0;             // after - before (numbers and booleans as 0/1)
  double change_percent = 0;     // 100 x change / |before| (0 when before is 0)
  bool regression = false;       // worse by more than the threshold, per `better`
};

struct Comparison {
  std::vector<std::string> key_params;      // parameters the points are paired by
  std::size_t paired = 0;
  std::vector<std::string> only_a, only_b;  // pairing keys without a partner
  std::string note;                         // how points were paired, when not by equal parameters
  std::vector<MetricChange> changes;        // every metric of every pair, pair by pair
  std::size_t regressions = 0;
  double threshold = 0;
};

// Pairs points by the parameters both runs have (two single-point runs are
// paired whatever their parameters; the note says which differ) and lists
// every metric's change. A change is a regression when the metric has a
// direction (docs/metrics.md `better`) and moves the wrong way by more than
// `threshold` (relative: 0.02 = 2 %; booleans: any change the wrong way).
Comparison compare_runs(const CompareRun& a, const CompareRun& b, double threshold);

// compare.md and compare.csv texts.
std::string comparison_markdown(const CompareRun& a, const CompareRun& b, const Comparison& c);
std::string comparison_csv(const Comparison& c);

// Writes DIR/compare.md, DIR/compare.csv and DIR/figures/compare.{dat,gp}
// (before/after bars of `metric` per paired point) and renders the figure
// with `gnuplot` ("" = no rendering). Returns the problems ("" = figure made).
std::string write_comparison(const std::filesystem::path& dir, const CompareRun& a,
                             const CompareRun& b, const Comparison& c, const std::string& metric,
                             const std::string& gnuplot);

}  // namespace llamaf::dse
