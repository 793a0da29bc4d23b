// `llamaf point` (internal): evaluates one resolved design point written by
// `llamaf explore` and writes result.json. The protocol (docs/explore.md):
//   llamaf point DIR/points/<id>/point.json --out DIR/points/<id>/result.json
//                [--cache-dir DIR]
//   result.json = {"status": "ok"|"failed", "reason": "...", "metrics": {...},
//                  "notes": [...], "tools": {...}, "wall_seconds": s}
// Exit status 0 for "ok", 2 for "failed" (result.json written either way),
// 1 when even result.json could not be written.
#include "explorer/cli/commands.h"

#include "explorer/analytical.h"
#include "explorer/point_eval.h"
#include "explorer/resource_model.h"
#include "explorer/results_store.h"
#include "sim/model/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <memory>

namespace llamaf::cli {

namespace {

struct PointOptions {
  std::string point_path;
  std::string out_path;
  std::string cache_dir;
  std::string fidelity = "rtl";
};

void run_point(const PointOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  dse::PointResult r;
  try {
    std::ifstream in(o.point_path);
    if (!in) throw_error("{}: cannot open point file", o.point_path);
    nlohmann::json point;
    try {
      point = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
      throw_error("{}: invalid JSON at byte {}: {}", o.point_path, e.byte, e.what());
    } catch (const nlohmann::json::exception& e) {  // out_of_range: a number like 1e999
      throw_error("{}: invalid JSON: {}", o.point_path, e.what());
    }
    const nlohmann::json run = point.value("run", nlohmann::json::object());
    dse::EvalContext ctx;
    ctx.sweep_dir = run.value("sweep_dir", std::string("."));
    ctx.cache_dir = !o.cache_dir.empty()               ? std::filesystem::path(o.cache_dir)
                    : !run.value("cache_dir", "").empty() ? std::filesystem::path(run.value("cache_dir", ""))
                                                           : dse::default_dse_cache_dir();
    ctx.work_dir = std::filesystem::absolute(o.out_path).parent_path();
    std::error_code ec;
    ctx.bin_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    if (o.fidelity == "analytical") {
      // Resources and Fmax from the fitted model, unless the point has
      // synthesis switched off (a stale fit is refused, naming the refit).
      dse::ResourceEstimator resources;
      if (point.value("evaluate", nlohmann::json::object()).value("synthesize", true)) {
        auto model = std::make_shared<const dse::ResourceModel>(dse::ResourceModel::load(
            dse::default_resource_model_path(), std::filesystem::path(LLAMAF_SOURCE_DIR) / "rtl"));
        resources = [model](const sim::DesignParams& d) { return model->estimate(d); };
      }
      r = dse::analytical_point_result(point, ctx, resources);
    } else {
      r = dse::evaluate_point(point, ctx);
    }
  } catch (const std::exception& e) {
    r.status = "failed";
    r.reason = e.what();
    r.metrics = nlohmann::json::object();
  }
  nlohmann::json j = r.to_json();
  j["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  dse::write_file_atomic(o.out_path, j.dump(2) + "\n");
  if (r.status != "ok") {
    fmt::print(stderr, "llamaf point: failed: {}\n", r.reason);
    throw CLI::RuntimeError(2);
  }
  for (const auto& n : r.notes) fmt::print(stderr, "llamaf point: note: {}\n", n);
}

}  // namespace

void add_point_command(CLI::App& app) {
  auto o = std::make_shared<PointOptions>();
  auto* cmd = app.add_subcommand(
      "point", "(internal) Evaluate one resolved design point for `llamaf explore`");
  cmd->group("");  // hidden from --help: the explorer's subprocess protocol
  cmd->add_option("point", o->point_path, "resolved point JSON (DIR/points/<id>/point.json)")
      ->required();
  cmd->add_option("--out", o->out_path, "result JSON to write")->required();
  cmd->add_option("--cache-dir", o->cache_dir,
                  "cache folder (accuracy per quantization); default $LLAMAF_CACHE_DIR or "
                  "~/.cache/llamaf");
  cmd->add_option("--fidelity", o->fidelity,
                  "rtl: synthesis and cycle-accurate simulation (default); analytical: the "
                  "analytical model (docs/analytical.md)")
      ->check(CLI::IsMember({"rtl", "analytical"}));
  cmd->callback([o] { run_point(*o); });
}

}  // namespace llamaf::cli
