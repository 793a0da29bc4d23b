// Simulators for arbitrary RTL parameter sets: every distinct lf_top
// parameter set is its own Verilated class, so a design whose parameters are
// not those of one of configs/designs/*.json gets a simulator built on
// demand, in the project's build tree, named by the design's identity
// (explorer/design_identity.h), so a later run, or another design file with
// the same parameters, reuses it. `llamaf sim` and the explorer both choose
// their simulator here.
#pragma once

#include "sim/rtl_driver/design_params.h"

#include <filesystem>
#include <functional>
#include <string>

namespace llamaf::dse {

struct SimulatorChoice {
  std::filesystem::path exe;  // build_dir/llamaf-sim-<name>; may not exist yet
  std::string name;           // configs/designs/<name>.json's stem, or the identity
  bool prebuilt = false;      // one of the default build's simulators
};

// The simulator of exactly `p`'s parameters: the default build's
// llamaf-sim-<stem> of a configs/designs/<stem>.json whose parameters equal
// `p`'s (same RTL sources, so same identity), else
// llamaf-sim-<design_identity(p)>.
SimulatorChoice find_simulator(const sim::DesignParams& p, const std::filesystem::path& build_dir,
                               const std::filesystem::path& source_dir);

// Path of the simulator for `p` (find_simulator), building it first if it is
// missing: writes build_dir/explorer-designs/<identity>.json, re-configures
// the build with LLAMAF_EXTRA_DESIGN_DIR pointing there and builds the one
// target (a prebuilt design's missing simulator is just built). Builds are
// serialised across processes by a lock file; the build's output goes to
// `log`. `progress`, if given, hears each step (configure, build, done).
// Throws llamaf::Error with the log's last error line.
std::filesystem::path ensure_simulator(
    const sim::DesignParams& p, const std::filesystem::path& build_dir,
    const std::filesystem::path& source_dir, const std::filesystem::path& log,
    const std::function<void(const std::string&)>& progress = {});

}  // namespace llamaf::dse
