// Running a sweep: expansion, sharding, resume, a thread pool of point
// evaluations each in its own subprocess (protocol in docs/explore.md), and
// the results store.
//
// Output folder layout:
//   DIR/sweep.json              the self-contained sweep (+ hash, shard)
//   DIR/results.jsonl           one record per finished point (results_store.h)
//   DIR/points/<id>/point.json  the resolved point handed to the evaluator
//   DIR/points/<id>/result.json what the evaluator wrote
//   DIR/points/<id>/log.txt     the evaluator's stdout and stderr
#pragma once

#include "explorer/sweep.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace llamaf::dse {

struct Progress {
  std::size_t done = 0;     // finished in this shard (including earlier runs)
  std::size_t total = 0;    // points in this shard
  std::size_t failed = 0;   // failed so far (including earlier runs)
  std::size_t ran = 0;      // evaluated by this run so far
  std::size_t to_run = 0;   // to evaluate in this run
  double elapsed_s = 0;     // wall-clock since this run started
  const nlohmann::json* record = nullptr;  // the record just finished (null: start or tick)
  // Points being evaluated now, reported every second or so with tick = true
  // (their stage from DIR/points/<id>/stage.txt, point_eval.h).
  struct Running {
    std::string id;
    nlohmann::json params;
    std::string stage;     // "" before the evaluator wrote one
    double elapsed_s = 0;  // since the point started
  };
  std::vector<Running> running;
  bool tick = false;
  // For the ETA (estimate_remaining_s). A point whose simulator does not
  // exist yet builds it first (evaluate.sim.build), once per RTL parameter
  // set: the builds observed (seconds in the "building simulator" stage),
  // each finished point's time without its build, and the builds still
  // ahead for points not started (distinct parameter sets that no started
  // point is building).
  std::vector<double> build_s;
  std::vector<double> rest_s;
  std::size_t builds_queued = 0;
  std::set<std::string> building;  // ids of running points that build their simulator
  // From earlier runs on this machine (llamaf explore keeps them in the
  // cache folder), used until this run has its own figures.
  std::optional<double> prior_build_s, prior_rest_s;
};

// Seconds left in the run with `jobs` points evaluated in parallel: each
// queued point takes the mean point time (without builds), each build still
// ahead the mean build time, and a running point what is left of its
// expected time. nullopt while neither this run nor the priors give a
// point time (or a build time when builds are ahead).
std::optional<double> estimate_remaining_s(const Progress& p, int jobs);

struct RunOptions {
  std::filesystem::path out_dir;
  // The program implementing the point protocol:
  //   <evaluator> point <DIR/points/<id>/point.json> --out <.../result.json>
  //               [--cache-dir <cache_dir>]
  // Normally the running llamaf executable itself.
  std::filesystem::path evaluator;
  std::filesystem::path cache_dir;  // empty: the evaluator's default
  int jobs = 1;
  Shard shard;
  bool resume = false;
  bool retry_failed = false;  // with resume: evaluate failed points again
  std::optional<double> timeout_s;  // overrides the sweep's run.timeout_s
  std::function<void(const Progress&)> progress;  // called under a lock
  std::optional<double> prior_build_s, prior_rest_s;  // copied into Progress
  // The points to evaluate instead of the sweep's expansion (fidelity
  // "auto": the screen's selection, each from resolve_point, in index
  // order); null: every point of expand(). Sharding and resume apply alike.
  const std::vector<Point>* points = nullptr;
};

struct RunSummary {
  std::size_t combinations = 0, filtered_out = 0;
  std::size_t in_shard = 0;       // points of this shard (feasible or not)
  std::size_t already_done = 0;   // skipped: recorded by an earlier run
  std::size_t ran = 0, ok = 0, failed = 0, infeasible = 0;  // this run
  std::size_t failed_before = 0;  // failed records of earlier runs, not retried
  bool dropped_torn_tail = false;
  // This run's simulator build times and point times without the build
  // (Progress::build_s, rest_s; measured only with a progress callback).
  std::vector<double> build_s, rest_s;
};

// Throws llamaf::Error when `out_dir` holds another sweep (config hash) or
// another shard.
void check_sweep_folder(const Sweep& sweep, const std::filesystem::path& out_dir, const Shard& shard);
// Writes out_dir/sweep.json: the self-contained sweep (with its fidelity),
// config hash, shard, source and base paths.
void write_sweep_file(const Sweep& sweep, const std::filesystem::path& out_dir, const Shard& shard);

// Throws llamaf::Error when DIR holds another sweep's results, or results
// without `resume`.
RunSummary run_sweep(const Sweep& sweep, const RunOptions& opt);

// The record stored for one point (used by the runner and by tests).
nlohmann::json make_record(const Point& p, const std::string& status, const std::string& reason,
                           const nlohmann::json& metrics, const nlohmann::json& notes,
                           const nlohmann::json& tools, double wallclock_s);

// The JSON handed to the evaluator: the resolved point plus its id, index,
// sweep name and the (unhashed) run context.
nlohmann::json point_file_json(const Point& p, const Sweep& sweep,
                               const std::filesystem::path& cache_dir);

}  // namespace llamaf::dse
