// A design's identity: the content hash of its lf_top parameters (all of
// them, defaults filled in, sim::rtl_json) and of every RTL source. The one
// name of a design's hardware, used by `llamaf sim` (which simulator runs a
// design file), `llamaf synth` (the synthesis cache key) and the explorer
// (sweep points' simulators and synthesis): two design files with the same
// parameters are the same design whatever their names, and an RTL edit makes
// every design a new one.
#pragma once

#include "sim/rtl_driver/design_params.h"

#include <filesystem>
#include <string>
#include <vector>

namespace llamaf::dse {

// "x" and 12 hex digits of FNV-1a 64 over the canonical parameter JSON and
// each source's file name and contents (in rtl_sources order).
std::string design_identity(const sim::DesignParams& p, const std::filesystem::path& rtl_dir);
std::string design_identity(const sim::DesignParams& p,
                            const std::vector<std::filesystem::path>& sources);

}  // namespace llamaf::dse
