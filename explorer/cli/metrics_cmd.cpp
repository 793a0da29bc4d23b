// `llamaf metrics [--markdown | --json]`: the metric registry (explorer/metrics.h),
// the source of docs/metrics.md.
#include "explorer/cli/commands.h"

#include "explorer/metrics.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace llamaf::cli {

void add_metrics_command(CLI::App& app) {
  struct Options {
    bool markdown = false, json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "metrics", "List every metric of the results: name, unit, type, which way is better, stage "
                 "and definition (docs/metrics.md is `llamaf metrics --markdown`)");
  cmd->add_flag("--markdown", o->markdown, "the Markdown table of docs/metrics.md");
  cmd->add_flag("--json", o->json, "JSON array of {key, unit, type, better, stage, label, definition}");
  cmd->callback([o] {
    if (o->markdown) {
      fmt::print("{}", dse::metrics_markdown());
      return;
    }
    if (o->json) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& d : dse::metric_defs())
        a.push_back({{"key", d.key}, {"unit", d.unit}, {"type", d.type}, {"better", d.better},
                     {"stage", d.stage}, {"label", d.label}, {"definition", d.definition}});
      fmt::print("{}\n", a.dump(1));
      return;
    }
    for (const auto& d : dse::metric_defs())
      fmt::print("{:<38} {:<10} {}\n", d.key, d.unit.empty() ? "-" : d.unit, d.definition);
  });
}

}  // namespace llamaf::cli
