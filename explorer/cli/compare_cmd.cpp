// `llamaf compare RUN_A RUN_B`: the change of every metric between two runs
// (sweep folders or `llamaf sim --report` files), regressions flagged.
#include "explorer/cli/commands.h"

#include "explorer/compare.h"

#include <fmt/core.h>

#include <memory>

namespace llamaf::cli {

void add_compare_command(CLI::App& app) {
  struct Options {
    std::string a, b, out = "compare-out", metric, gnuplot = "gnuplot";
    double threshold = 0.02;
    bool fail_on_regression = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "compare", "Compare two runs (sweep output folders or `llamaf sim --report` JSON files): "
                 "points paired by parameters, the change of every metric, regressions beyond a "
                 "threshold; writes compare.md, compare.csv and figures/compare.{pdf,svg}");
  cmd->add_option("run_a", o->a, "the run before (sweep folder or sim report)")->required()->check(CLI::ExistingPath);
  cmd->add_option("run_b", o->b, "the run after")->required()->check(CLI::ExistingPath);
  cmd->add_option("--out", o->out, "output folder")->capture_default_str();
  cmd->add_option("--threshold", o->threshold,
                  "relative change the wrong way (per docs/metrics.md `better`) that counts as a "
                  "regression, e.g. 0.02 = 2 %")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--metric", o->metric, "metric of the before/after figure (default tokens_per_s, "
                                         "else the first metric with a direction)");
  cmd->add_option("--gnuplot", o->gnuplot, "gnuplot program (\"\" for no figure)")->capture_default_str();
  cmd->add_flag("--fail-on-regression", o->fail_on_regression,
                "exit with status 3 when a metric regressed (for scripts and CI)");
  cmd->callback([o] {
    const dse::CompareRun a = dse::load_compare_run(o->a), b = dse::load_compare_run(o->b);
    const dse::Comparison c = dse::compare_runs(a, b, o->threshold);
    std::string metric = o->metric;
    if (metric.empty()) {
      for (const auto& ch : c.changes)
        if (ch.metric == "tokens_per_s") metric = ch.metric;
      for (const auto& ch : c.changes)
        if (metric.empty() && !ch.better.empty()) metric = ch.metric;
    }
    const std::string problem = dse::write_comparison(o->out, a, b, c, metric, o->gnuplot);
    const std::string md = dse::comparison_markdown(a, b, c);
    // Few pairs: every change on the terminal; many: the summary and the
    // regressions, the rest in the files.
    const auto every = md.find("## Every change");
    fmt::print("{}", c.paired <= 3 || every == std::string::npos ? md : md.substr(0, every));
    fmt::print("wrote {0}/compare.md, {0}/compare.csv{1}\n", o->out,
               problem.empty() ? fmt::format(", {}/figures/compare.{{pdf,svg}} ({})", o->out, metric)
                               : "; figure not made: " + problem);
    if (o->fail_on_regression && c.regressions > 0)
      throw ExitWith(kExitPointsFailed, fmt::format("{} regression(s) beyond {} %", c.regressions,
                                                    100 * o->threshold));
  });
}

}  // namespace llamaf::cli
