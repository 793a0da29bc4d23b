// `llamaf sim`: runs the system simulator built for exactly the RTL
// parameters of --design (every RTL parameter set is its own Verilated
// model): the default build's llamaf-sim-<name> when a configs/designs/*.json
// has those parameters, else llamaf-sim-<design identity>, built on demand
// (explorer/sim_build.h). The design file is read and its parameters checked
// for legality before anything is built; the simulator itself then checks
// the parameters compiled into it against the file's.
#include "explorer/cli/commands.h"

#include "explorer/sim_build.h"
#include "sim/model/error.h"
#include "sim/rtl_driver/design_params.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace llamaf::cli {

namespace {

std::filesystem::path simulator_dir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path();
}

[[noreturn]] void exec_simulator(const std::vector<std::string>& args) {
  std::string design;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--design" && i + 1 < args.size()) design = args[i + 1];
    if (args[i].rfind("--design=", 0) == 0) design = args[i].substr(9);
  }
  std::filesystem::path exe;
  const bool help = args.empty() || std::find(args.begin(), args.end(), "--help") != args.end() ||
                    std::find(args.begin(), args.end(), "-h") != args.end();
  if (!design.empty() && !help) {
    const sim::DesignParams p = sim::load_design_params(design);  // keys, types, legality
    const std::filesystem::path bin = simulator_dir();
    const dse::SimulatorChoice choice = dse::find_simulator(p, bin, LLAMAF_SOURCE_DIR);
    exe = choice.exe;
    if (!std::filesystem::exists(exe)) {
      if (choice.prebuilt)
        fmt::print(stderr, "llamaf sim: the simulator of design '{}' ({}) is not built yet; "
                           "building it\n", choice.name, exe.string());
      else
        fmt::print(stderr, "llamaf sim: no simulator exists yet for the RTL parameters of {} "
                           "(design identity {}); building one (a few minutes, once)\n",
                   design, choice.name);
      std::filesystem::create_directories(bin / "explorer-designs");
      exe = dse::ensure_simulator(p, bin, LLAMAF_SOURCE_DIR,
                                  bin / "explorer-designs" / (choice.name + ".log"),
                                  [](const std::string& step) {
                                    fmt::print(stderr, "llamaf sim: {}\n", step);
                                  });
    }
  } else if (help) {
    for (const auto& e : std::filesystem::directory_iterator(simulator_dir()))
      if (e.path().filename().string().rfind("llamaf-sim-", 0) == 0) exe = e.path();
    if (exe.empty()) throw Error("no llamaf-sim-* simulator was built");
  } else {
    throw Error("--design is required (configs/designs/X.json)");
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(exe.c_str(), argv.data());
  throw_error("{}: cannot execute", exe.string());
}

}  // namespace

void add_sim_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sim", "Cycle-accurate system simulation: tokens through the Verilated RTL, DDR4 and host "
             "models in SystemC (--help lists its options)");
  cmd->prefix_command();
  cmd->set_help_flag();  // --help goes to the simulator itself
  cmd->callback([cmd] { exec_simulator(cmd->remaining()); });
}

}  // namespace llamaf::cli
