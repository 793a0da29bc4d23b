// `llamaf`: one executable, one subcommand per task. Errors are one line on
// stderr and a non-zero exit.
#include "explorer/cli/commands.h"

#include "sim/model/error.h"

#include <fmt/core.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"LlamaF: cycle-accurate simulator and design-space explorer for FPGA "
               "accelerators of Llama2 decoding"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  llamaf::cli::add_generate_command(app);
  llamaf::cli::add_eval_command(app);
  llamaf::cli::add_synth_command(app);
  llamaf::cli::add_sim_command(app);
  llamaf::cli::add_explore_command(app);
  llamaf::cli::add_point_command(app);
  llamaf::cli::add_report_command(app);
  llamaf::cli::add_merge_command(app);
  llamaf::cli::add_membench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const llamaf::Error& e) {
    fmt::print(stderr, "llamaf: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "llamaf: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
