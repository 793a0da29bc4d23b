// `llamaf report DIR` and `llamaf merge DIR... --out OUT`: regenerate a sweep
// folder's reports from its results, and merge shard folders.
#include "explorer/cli/commands.h"

#include "explorer/report.h"
#include "sim/model/error.h"

#include <fmt/core.h>

#include <memory>

namespace llamaf::cli {

namespace {

void print_summary(const std::filesystem::path& dir, const dse::ReportSummary& r) {
  fmt::print("{}: {} points ({} ok, {} failed, {} infeasible), {} not yet evaluated\n",
             dir.string(), r.points, r.ok, r.failed, r.infeasible, r.pending);
  fmt::print("wrote {} files; figures: {}\n", r.files.size(), r.figures.size());
  for (const auto& p : r.figure_problems) fmt::print("  figure not made: {}\n", p);
}

}  // namespace

void add_report_command(CLI::App& app) {
  struct Options {
    std::string dir;
    std::string gnuplot = "gnuplot";
    bool no_figures = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "report", "Regenerate results.csv/json, pareto.csv, report.md, table.tex and figures of a "
                "sweep folder from its results.jsonl (nothing is re-run)");
  cmd->add_option("dir", o->dir, "sweep output folder")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--gnuplot", o->gnuplot, "gnuplot program")->capture_default_str();
  cmd->add_flag("--no-figures", o->no_figures, "skip the gnuplot figures");
  cmd->callback([o] {
    dse::ReportOptions ro;
    ro.gnuplot = o->no_figures ? "" : o->gnuplot;
    print_summary(o->dir, dse::write_report(o->dir, ro));
  });
}

void add_merge_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> dirs;
    std::string out;
    std::string gnuplot = "gnuplot";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "merge", "Merge the output folders of the shards of one sweep (--shard K/N) into one "
               "folder and write its reports");
  cmd->add_option("dirs", o->dirs, "shard output folders")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", o->out, "merged output folder")->required();
  cmd->add_option("--gnuplot", o->gnuplot, "gnuplot program (\"\" for no figures)")
      ->capture_default_str();
  cmd->callback([o] {
    std::vector<std::filesystem::path> dirs(o->dirs.begin(), o->dirs.end());
    const dse::MergeSummary m = dse::merge_results(dirs, o->out);
    fmt::print("merged {} folders: {} points ({} ids found in more than one)\n", m.inputs,
               m.records, m.duplicates);
    dse::ReportOptions ro;
    ro.gnuplot = o->gnuplot;
    ro.produced_by = fmt::format("`llamaf merge` of {} shard folders (no point was re-run)", m.inputs);
    print_summary(o->out, dse::write_report(o->out, ro));
  });
}

}  // namespace llamaf::cli
