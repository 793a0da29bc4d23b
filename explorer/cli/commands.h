// The subcommands of `llamaf`: each file in explorer/cli adds one to the app.
#pragma once

#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>

namespace llamaf::cli {

// Exit codes of every llamaf command (README.md, "Exit codes").
inline constexpr int kExitError = 1;         // bad input, a failed tool or simulation
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitPointsFailed = 3;  // explore: finished, but some points failed

// Thrown by a command to end with a given exit code after it has reported
// (the message, if any, is printed as "llamaf: <message>").
struct ExitWith : std::runtime_error {
  ExitWith(int c, const std::string& message) : std::runtime_error(message), code(c) {}
  int code;
};

void add_generate_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_sim_command(CLI::App& app);
void add_explore_command(CLI::App& app);
void add_point_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_membench_command(CLI::App& app);
void add_metrics_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_energy_command(CLI::App& app);
void add_fit_resources_command(CLI::App& app);

}  // namespace llamaf::cli
