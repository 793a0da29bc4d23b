// The subcommands of `llamaf`: each file in explorer/cli adds one to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace llamaf::cli {

void add_generate_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_sim_command(CLI::App& app);
void add_explore_command(CLI::App& app);
void add_point_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_membench_command(CLI::App& app);

}  // namespace llamaf::cli
