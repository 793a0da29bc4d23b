// `llamaf explore`: runs a sweep (configs/sweeps/*.json) point by point in
// subprocesses, appends each result to DIR/results.jsonl, then writes the
// reports. Interruptible at any moment: re-run with --resume.
#include "explorer/cli/commands.h"

#include "sim/config/cli_checks.h"

#include "explorer/point_eval.h"
#include "explorer/report.h"
#include "explorer/results_store.h"
#include "explorer/runner.h"
#include "explorer/screen.h"
#include "explorer/sweep.h"
#include "sim/model/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

namespace llamaf::cli {

namespace {

struct ExploreOptions {
  std::string sweep_path;
  std::string out_dir;
  int jobs = 1;
  std::string shard = "1/1";
  bool resume = false;
  bool retry_failed = false;
  double timeout_s = 0;  // 0: the sweep's run.timeout_s
  std::string cache_dir;
  std::string evaluator;  // default: this executable
  std::string gnuplot = "gnuplot";
  bool no_report = false;
  bool list = false;
  std::string fidelity;  // "" = the sweep's evaluate.fidelity
  bool all_points = false;
};

std::string duration(double s) {
  if (s < 0) return "?";
  const auto t = static_cast<long long>(s + 0.5);
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

// Mean build and point times of earlier runs on this machine, for the ETA
// before this run has its own: <cache>/explore_history.json, {"build_s": s,
// "rest_s": {"<sweep name>": s}} (a point's time without its simulator
// build depends on the sweep; a build on the machine).
struct EtaHistory {
  std::filesystem::path file;
  nlohmann::json data = nlohmann::json::object();

  static EtaHistory load(const std::filesystem::path& cache_dir) {
    EtaHistory h;
    h.file = cache_dir / "explore_history.json";
    std::ifstream in(h.file);
    if (!in) return h;
    try {
      h.data = nlohmann::json::parse(in);
      if (!h.data.is_object()) h.data = nlohmann::json::object();
    } catch (const nlohmann::json::exception&) {
      fmt::print(stderr, "note: {} is not valid JSON; ignored (it only feeds the ETA)\n",
                 h.file.string());
      h.data = nlohmann::json::object();
    }
    return h;
  }
  std::optional<double> get(const std::string& key, const std::string& sweep = "") const {
    const nlohmann::json* v = data.contains(key) ? &data[key] : nullptr;
    if (v && !sweep.empty()) v = v->is_object() && v->contains(sweep) ? &(*v)[sweep] : nullptr;
    if (v && v->is_number() && v->get<double>() >= 0) return v->get<double>();
    return std::nullopt;
  }
  // Records this run's means (if it measured any); never fails the run.
  void save(const std::vector<double>& build_s, const std::vector<double>& rest_s,
            const std::string& sweep) {
    const auto mean = [](const std::vector<double>& v) {
      double m = 0;
      for (double x : v) m += x;
      return m / static_cast<double>(v.size());
    };
    if (build_s.empty() && rest_s.empty()) return;
    if (!build_s.empty()) data["build_s"] = mean(build_s);
    if (!rest_s.empty()) {
      if (!data["rest_s"].is_object()) data["rest_s"] = nlohmann::json::object();
      data["rest_s"][sweep] = mean(rest_s);
    }
    try {
      std::filesystem::create_directories(file.parent_path());
      write_file_atomic(file, data.dump(2) + "\n");
    } catch (const std::exception& e) {
      fmt::print(stderr, "note: could not record run times in {}: {}\n", file.string(), e.what());
    }
  }
};

// "NumPe=16 GroupSize=64", in the sweep's parameter order.
std::string params_text(const dse::Sweep& sweep, const nlohmann::json& params) {
  std::string s;
  for (const auto& p : sweep.params) {
    auto it = params.find(p.name);
    if (it == params.end()) continue;
    if (!s.empty()) s += " ";
    s += p.name + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return s;
}

// The analytical screen of fidelity analytical/auto: every combination
// through the model, outputs in DIR/screen/; returns the points to confirm
// (auto) in index order.
std::vector<dse::Point> run_screen(const dse::Sweep& sweep, const ExploreOptions& o,
                                   const std::filesystem::path& out_dir) {
  dse::EvalContext ctx;
  ctx.sweep_dir = std::filesystem::absolute(sweep.file).parent_path();
  ctx.cache_dir = o.cache_dir.empty() ? dse::default_dse_cache_dir() : std::filesystem::path(o.cache_dir);
  ctx.work_dir = out_dir / "screen";
  ctx.bin_dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  const dse::ResourceEstimator resources =
      dse::screen_resources(sweep, std::filesystem::path(LLAMAF_SOURCE_DIR) / "rtl");
  const auto backend = dse::make_analytical_backend(ctx, resources);
  dse::ScreenOptions so;
  so.threads = o.jobs;
  so.all_points = o.all_points;
  // The first screen of a sweep measures the memory ceilings of its memory
  // configurations (membench): that can take minutes, so show progress.
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  double last_line = 0;
  so.progress = [tty, &last_line](std::size_t done, std::size_t total, double s) {
    const double left = done > 0 ? s * static_cast<double>(total - done) / static_cast<double>(done) : -1;
    if (tty) {
      fmt::print(stderr, "\r\033[K[screen] {}/{} combinations, {} elapsed, ETA {}", done, total, duration(s),
                 duration(left));
    } else if (s - last_line >= 10) {
      last_line = s;
      fmt::print(stderr, "[screen] {}/{} combinations, {} elapsed, ETA {}\n", done, total, duration(s),
                 duration(left));
    }
  };
  fmt::print(stderr, "screening {} combinations analytically on {} thread(s)...\n",
             dse::combination_count(sweep), so.threads);
  const dse::ScreenResult r = dse::screen_sweep(sweep, *backend, so);
  if (tty) fmt::print(stderr, "\r\033[K");
  dse::write_screen(out_dir, sweep, r);
  fmt::print("screen: {} points in {:.1f} s ({:.0f} points/s, {:.0f} per thread): {} filtered out, "
             "{} illegal, {} infeasible, {} infeasible on the analytical metrics, {} kept off by "
             "timing/fit, {} candidates; front {}, within margin {} of it {}; {} to confirm\n",
             r.screened, r.wall_seconds, r.screened / std::max(1e-9, r.wall_seconds),
             r.screened / std::max(1e-9, r.wall_seconds) / r.threads, r.filtered_out, r.illegal,
             r.infeasible, r.infeasible_after, r.excluded, r.candidates, r.front_size,
             sweep.confirm.margin, r.within_margin, r.confirm_count);
  fmt::print("screen outputs: {}/screen/ (summary.json, front.jsonl, cloud.csv{})\n", out_dir.string(),
             o.all_points ? ", points.csv" : "");
  std::vector<dse::Point> confirm;
  for (const auto& sel : r.selected)
    if (sel.confirm) confirm.push_back(sel.point);
  std::sort(confirm.begin(), confirm.end(),
            [](const dse::Point& a, const dse::Point& b) { return a.index < b.index; });
  return confirm;
}

void run_explore(const ExploreOptions& o) {
  std::optional<dse::Fidelity> fidelity;
  if (!o.fidelity.empty()) fidelity = dse::fidelity_from_string(o.fidelity, "--fidelity");
  const dse::Sweep sweep = dse::load_sweep(o.sweep_path, fidelity);
  const dse::Shard shard = dse::Shard::parse(o.shard);
  if (o.all_points && sweep.fidelity == dse::Fidelity::kRtl)
    throw CLI::ValidationError("--all-points",
                               "writes every screened point: only with fidelity analytical or auto");
  if (o.list && sweep.fidelity != dse::Fidelity::kRtl)
    throw CLI::ValidationError("--list", fmt::format("expands every point; with fidelity {} use "
                                                     "--all-points (DIR/screen/points.csv)",
                                                     dse::to_string(sweep.fidelity)));
  if (o.list) {
    const dse::Expansion e = dse::expand(sweep);
    for (std::size_t i = 0; i < e.points.size(); ++i)
      if (const dse::Point& p = e.points[i]; shard.contains(i))
        fmt::print("{} {:>5} {}{}\n", p.id, p.index, params_text(sweep, p.params),
                   p.infeasible.empty() ? "" : "  [infeasible: " + p.infeasible + "]");
    return;
  }
  dse::RunOptions opt;
  opt.out_dir = o.out_dir.empty() ? std::filesystem::path("explore-out") / sweep.name
                                  : std::filesystem::path(o.out_dir);
  opt.evaluator = o.evaluator.empty() ? std::filesystem::read_symlink("/proc/self/exe")
                                      : std::filesystem::path(o.evaluator);
  opt.cache_dir = o.cache_dir;
  opt.jobs = o.jobs;
  opt.shard = shard;
  opt.resume = o.resume;
  opt.retry_failed = o.retry_failed;
  if (o.timeout_s > 0) opt.timeout_s = o.timeout_s;
  EtaHistory history = EtaHistory::load(o.cache_dir.empty() ? dse::default_dse_cache_dir()
                                                            : std::filesystem::path(o.cache_dir));
  opt.prior_build_s = history.get("build_s");
  opt.prior_rest_s = history.get("rest_s", sweep.name);

  // Fidelity analytical/auto: the screen first (under a minute; an
  // interrupted one simply runs again), then for auto the cycle-accurate
  // confirmation of the selected points by the runner (resumable).
  std::vector<dse::Point> confirm;
  if (sweep.fidelity != dse::Fidelity::kRtl) {
    if (shard.n != 1)
      throw CLI::ValidationError("--shard", "the analytical screen runs whole: no --shard with "
                                            "fidelity analytical or auto");
    dse::check_sweep_folder(sweep, opt.out_dir, shard);
    dse::write_sweep_file(sweep, opt.out_dir, shard);
    confirm = run_screen(sweep, o, opt.out_dir);
    if (sweep.fidelity == dse::Fidelity::kAnalytical) {
      if (!o.no_report) {
        dse::ReportOptions ro;
        ro.gnuplot = o.gnuplot;
        ro.produced_by = "`llamaf explore --fidelity analytical` (the analytical screen only)";
        const dse::ReportSummary r = dse::write_report(opt.out_dir, ro);
        fmt::print("report: {}/report.md ({} figures{})\n", opt.out_dir.string(), r.figures.size(),
                   r.figure_problems.empty()
                       ? ""
                       : fmt::format("; {} not made, see report.md", r.figure_problems.size()));
      }
      return;
    }
    opt.points = &confirm;
  }

  const bool tty = ::isatty(STDERR_FILENO) != 0;
  auto stages = std::make_shared<std::map<std::string, std::string>>();  // id -> last stage shown
  const int jobs = std::max(1, o.jobs);
  opt.progress = [tty, &sweep, stages, jobs](const dse::Progress& p) {
    // ETA: simulator builds still ahead and point times, from this run's
    // finished points or else this machine's earlier runs.
    const std::optional<double> left = dse::estimate_remaining_s(p, jobs);
    const std::string eta = left ? duration(*left) : "unknown until a point finishes";
    std::string now;
    for (const auto& r : p.running)
      now += fmt::format("{}{} {} {}", now.empty() ? "" : "; ", r.id.substr(0, 8),
                         r.stage.empty() ? "starting" : r.stage, duration(r.elapsed_s));
    if (tty) {
      fmt::print(stderr, "\r\033[K[{}/{}] {} failed, {} to run, ETA {}{}", p.done, p.total, p.failed,
                 p.to_run - p.ran, eta, now.empty() ? "" : " | " + now);
      if (p.record && p.record->value("status", "") != "ok")
        fmt::print(stderr, "\r\033[Kfailed {} {}: {}\n", p.record->value("id", ""),
                   params_text(sweep, p.record->value("params", nlohmann::json::object())),
                   p.record->value("reason", ""));
      std::fflush(stderr);
    } else if (p.tick) {
      // One line per stage change of a running point.
      for (const auto& r : p.running) {
        if (r.stage.empty() || (*stages)[r.id] == r.stage) continue;
        (*stages)[r.id] = r.stage;
        fmt::print(stderr, "  {} {}: {} (point running {})\n", r.id, params_text(sweep, r.params),
                   r.stage, duration(r.elapsed_s));
      }
    } else if (p.record) {
      stages->erase(p.record->value("id", ""));
      fmt::print(stderr, "[{}/{}] {} {} {}{} (ETA {})\n", p.done, p.total,
                 p.record->value("status", ""), p.record->value("id", ""),
                 params_text(sweep, p.record->value("params", nlohmann::json::object())),
                 p.record->value("status", "") == "ok" ? "" : ": " + p.record->value("reason", ""),
                 eta);
    } else {
      fmt::print(stderr, "[{}/{}] starting: {} points to run ({} simulator build{} first), {} already "
                 "done; ETA {}{}\n",
                 p.done, p.total, p.to_run, p.builds_queued, p.builds_queued == 1 ? "" : "s",
                 p.done, eta, left && p.to_run > 0 ? " (from this machine's earlier runs)" : "");
    }
  };
  // The run is interruptible at any moment (Ctrl-C, a killed job): finished
  // points are on disk, so say up front how to continue.
  fmt::print(stderr, "results go to {}; if interrupted, continue with: llamaf explore {} --out {}{} "
                     "--resume\n",
             opt.out_dir.string(), o.sweep_path, opt.out_dir.string(),
             o.shard == "1/1" ? "" : " --shard " + o.shard);
  const dse::RunSummary s = dse::run_sweep(sweep, opt);
  history.save(s.build_s, s.rest_s, sweep.name);
  if (tty) fmt::print(stderr, "\n");
  fmt::print("sweep {}: {} combinations, {} filtered out, {} points in shard {}\n", sweep.name,
             s.combinations, s.filtered_out, s.in_shard, o.shard);
  fmt::print("this run: {} evaluated ({} ok, {} failed), {} infeasible recorded; {} were already "
             "done{}\n",
             s.ran, s.ok, s.failed, s.infeasible, s.already_done - s.infeasible,
             s.dropped_torn_tail ? " (a torn last record from a killed run was dropped)" : "");
  if (!o.no_report) {
    dse::ReportOptions ro;
    ro.gnuplot = o.gnuplot;
    ro.produced_by =
        s.already_done == 0
            ? fmt::format("a fresh run of `llamaf explore` ({} points evaluated)", s.ran)
            : fmt::format("a resumed run of `llamaf explore --resume` ({} points evaluated now, "
                          "{} taken from results.jsonl of earlier runs)",
                          s.ran, s.already_done);
    const dse::ReportSummary r = dse::write_report(opt.out_dir, ro);
    fmt::print("report: {}/report.md ({} figures", opt.out_dir.string(), r.figures.size());
    fmt::print("{})\n", r.figure_problems.empty() ? "" : fmt::format("; {} not made, see report.md",
                                                                     r.figure_problems.size()));
  }
  // Any failed point (this run or an earlier one of this folder) makes the
  // exit status non-zero, so scripts and Slurm arrays notice.
  if (s.failed > 0 || s.failed_before > 0)
    throw ExitWith(kExitPointsFailed,
                   fmt::format("{} point(s) failed (reasons in {}/results.jsonl); "
                               "retry them with --resume --retry-failed",
                               s.failed + s.failed_before, opt.out_dir.string()));
}

}  // namespace

void add_explore_command(CLI::App& app) {
  auto o = std::make_shared<ExploreOptions>();
  auto* cmd = app.add_subcommand(
      "explore", "Run a design-space sweep (configs/sweeps/*.json): every point in its own "
                 "subprocess, results appended to DIR/results.jsonl, then the reports");
  cmd->add_option("sweep", o->sweep_path, "sweep file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out_dir, "output folder (default explore-out/<sweep name>)");
  cmd->add_option("-j,--jobs", o->jobs, "points evaluated in parallel")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--shard", o->shard,
                  "run only shard K of N (K/N, 1-based): disjoint subsets by point id; merge the "
                  "shard folders with `llamaf merge`")
      ->capture_default_str();
  cmd->add_flag("--resume", o->resume, "continue a run in the same --out, skipping finished points");
  cmd->add_flag("--retry-failed", o->retry_failed, "with --resume: evaluate failed points again");
  cmd->add_option("--timeout", o->timeout_s,
                  "per-point limit in seconds (default: the sweep's run.timeout_s, else 3600)")
      ->check(config::positive_number("a per-point limit in seconds > 0"));
  cmd->add_option("--cache-dir", o->cache_dir,
                  "cache folder for accuracy results (default $LLAMAF_CACHE_DIR or ~/.cache/llamaf)");
  cmd->add_option("--evaluator", o->evaluator,
                  "program implementing the point protocol (default: this llamaf)");
  cmd->add_option("--gnuplot", o->gnuplot, "gnuplot program for figures")->capture_default_str();
  cmd->add_flag("--no-report", o->no_report, "do not write the reports after the run");
  cmd->add_flag("--list", o->list, "print the points (id, index, parameters) and exit");
  cmd->add_option("--fidelity", o->fidelity,
                  "rtl (every point cycle-accurately), analytical (the analytical screen only) or "
                  "auto (screen, then confirm the front and the points near it cycle-accurately); "
                  "default: the sweep's evaluate.fidelity, else rtl")
      ->check(CLI::IsMember({"rtl", "analytical", "auto"}));
  cmd->add_flag("--all-points", o->all_points,
                "with fidelity analytical/auto: also write every screened point to "
                "DIR/screen/points.csv");
  cmd->callback([o] { run_explore(*o); });
}

}  // namespace llamaf::cli
