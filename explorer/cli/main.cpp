// `llamaf`: one executable, one subcommand per task. Errors are one line on
// stderr and a non-zero exit; the exit codes are uniform across commands
// (README.md, "Exit codes"): 0 success, 1 an error (bad input, a failed
// tool), 2 bad command-line usage, 3 `explore` finished with failed points.
#include "explorer/cli/commands.h"

#include "explorer/subprocess.h"
#include "llamaf_version.h"
#include "sim/model/error.h"

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <unistd.h>

namespace {

// The --version text: project version and git revision, the Verilator and
// SystemC the build used, and the Yosys `llamaf synth` would run now.
std::string version_text() {
  std::string yosys = "not found on PATH";
  if (const auto y = llamaf::dse::find_program("yosys")) {
    const std::string log = fmt::format("/tmp/llamaf-yosys-version-{}.txt", ::getpid());
    if (llamaf::dse::run_process({y->string(), "-V"}, log, 10).exited_ok()) {
      std::ifstream in(log);
      std::getline(in, yosys);
    }
    std::remove(log.c_str());
  }
  return fmt::format("llamaf {} (git {})\n{} (simulators)\nSystemC {} (simulators)\n{}",
                     LLAMAF_VERSION_STRING, LLAMAF_GIT_REVISION, LLAMAF_VERILATOR_VERSION,
                     LLAMAF_SYSTEMC_VERSION, yosys);
}

}  // namespace

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
  llamaf::cli::add_metrics_command(app);
  llamaf::cli::add_compare_command(app);
  llamaf::cli::add_energy_command(app);
  llamaf::cli::add_fit_resources_command(app);
  // --version on the tool and on every subcommand (`sim` forwards it to the
  // simulator, which names its design too).
  app.set_version_flag("--version", version_text);
  for (CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() != "sim") sub->set_version_flag("--version", version_text);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2 (not CLI11's
    // own 105..114 codes).
    const int code = app.exit(e);
    return code == 0 ? 0 : llamaf::cli::kExitUsage;
  } catch (const llamaf::cli::ExitWith& e) {
    if (*e.what()) fmt::print(stderr, "llamaf: {}\n", e.what());
    return e.code;
  } catch (const llamaf::Error& e) {
    fmt::print(stderr, "llamaf: error: {}\n", e.what());
    return llamaf::cli::kExitError;
  } catch (const std::exception& e) {
    fmt::print(stderr, "llamaf: error: {}\n", e.what());
    return llamaf::cli::kExitError;
  }
  return 0;
}
