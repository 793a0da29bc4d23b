// The subcommands of `llamaf`: each file in explorer/cli adds one to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace llamaf::cli {

void add_generate_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_synth_command(CLI::App& app);

}  // namespace llamaf::cli
