// Which schedule policies fast mode (--sim-layers, evaluate.sim.sim_layers)
// can extrapolate. Fast mode simulates the first layers and charges every
// other layer their average; with staged weights the first layer's copy
// cannot overlap anything (no earlier layer), and the layers it skips do not
// advance the copy pipeline, so the average overstates a staged token: a
// TinyLlama staged_async token took 977 ms in fast mode against 652 ms with
// every layer simulated (docs/system.md). Such a run is refused, here, for
// the simulator and for the sweep loader alike.
#pragma once

#include "sim/model/error.h"

#include <string>

namespace llamaf::sim {

inline void check_fast_mode_policy(const std::string& policy, const std::string& where) {
  if (policy == "staged_sync" || policy == "staged_async")
    throw_error("{}: fast mode (sim_layers) cannot extrapolate the staged weight copies of policy "
                "{} (the first layer's copy overlaps nothing; it overstated a TinyLlama "
                "staged_async token by 50 %); simulate every layer and shorten long "
                "generations with sample_positions instead",
                where, policy);
}

}  // namespace llamaf::sim
