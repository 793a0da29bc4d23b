// Simulators for arbitrary RTL parameter sets: every distinct lf_top
// parameter set is its own Verilated class, so a sweep point whose design is
// not one of configs/designs/*.json gets a simulator built on demand, in the
// project's build tree, under a content-hash name (the parameters and every
// RTL source), so a later run, or another point with the same parameters,
// reuses it.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

namespace llamaf::dse {

// The "x<hash>" name of the simulator for an "rtl" parameter object.
std::string simulator_name(const nlohmann::json& rtl_params, const std::filesystem::path& rtl_dir);

// Path of build_dir/llamaf-sim-<name> for `rtl_params`, building it first if
// it is missing: writes build_dir/explorer-designs/<name>.json, re-configures
// the build with LLAMAF_EXTRA_DESIGN_DIR pointing there and builds the one
// target. Builds are serialised across processes by a lock file; the build's
// output goes to `log`. Throws llamaf::Error with the log's last error line.
std::filesystem::path ensure_simulator(const nlohmann::json& rtl_params,
                                       const std::filesystem::path& build_dir,
                                       const std::filesystem::path& source_dir,
                                       const std::filesystem::path& log);

}  // namespace llamaf::dse
