// `llamaf sim`: real token generation with every matrix-vector product of
// every token executed by the Verilated RTL inside one SystemC simulation,
// with the DDR4 model and the host model; prints the text and a per-token
// table, writes the JSON report (docs/system.md).
#pragma once

#include "sim/rtl_driver/design_params.h"
#include "sim/system/accelerator.h"
#include "sim/system/dram_axi.h"

#include <functional>
#include <memory>
#include <string>

namespace llamaf::sim {

using AcceleratorFactory = std::function<std::unique_ptr<Accelerator>(
    const DesignParams&, DramBridge&, const AcceleratorOptions&)>;

// The simulator executable of one design (Verilated class bound by the
// factory); `design_name` is the configs/designs file it was built from.
// Parses the `llamaf sim` command line, runs, returns the exit code.
int system_sim_main(int argc, char** argv, const AcceleratorFactory& factory,
                    const std::string& design_name);

}  // namespace llamaf::sim
