// One evaluation board as the simulator and explorer see it: FPGA resources,
// fabric clock and PS-PL ports, the DDR4 memory system, the host (PS) cost
// model parameters and static powers, read from configs/boards/*.json
// (docs/dram.md, "Board schema", lists every key). Values carry their
// sources in per-section "sources" objects.
#pragma once

#include "sim/dram/dram_config.h"
#include "sim/dram/ps_memory.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace llamaf::board {

// Programmable logic and its ports into the PS memory system.
struct FabricConfig {
  std::string part;                  // e.g. "XCZU9EG-2FFVB1156E"
  double clock_mhz = 200.0;          // default accelerator clock (designs may override)
  int hp_ports = 4;                  // S_AXI_HP0..3_FPD
  int hp_port_data_bits = 128;
  double hp_port_max_clock_mhz = 333.0;
  int hp_port_max_burst_beats = 16;  // PS converts to AXI3: at most 16 beats per burst
  std::vector<int> hp_port_ddrc_ports;  // DDR controller port behind each HP port (optional)
};

// Device capacity (what a design's utilisation is compared against).
struct ResourceBudget {
  std::int64_t lut = 0;
  std::int64_t ff = 0;
  std::int64_t dsp = 0;
  std::int64_t bram36 = 0;  // RAMB36 tiles (each = 2 RAMB18)
  std::int64_t uram = 0;
  std::int64_t bram18() const { return 2 * bram36; }
};

// Parameters of the processing-system cost model (the host model itself
// lives elsewhere): the host runs the non-matvec operators.
struct HostConfig {
  std::string cpu = "Cortex-A53";
  double core_clock_mhz = 1200.0;
  int cores = 4;
  int cores_used = 4;                      // threads the host model may use
  double flops_per_cycle_per_core = 4.0;   // fp32 peak (one FMA pair of NEON lanes per cycle)
  double flop_efficiency = 0.25;           // sustained fraction of peak for compiled kernels
  double op_call_overhead_cycles = 2000;   // fixed cost per operator call (incl. fork/join)
  double exp_cycles = 40;                  // one expf
  double sqrt_cycles = 19;                 // one sqrtf
  double div_cycles = 13;                  // one fp32 divide
  double memory_bandwidth_gbps = 3.5;      // sustained host streaming bandwidth, all cores
  std::int64_t l1d_bytes = 32768;          // per core
  std::int64_t l2_bytes = 1048576;         // shared
  // Host profile (configs/hosts/<name>.json, or a path) whose per-operator
  // rates replace the op-count model above; "" = op-count model only.
  std::string profile;
};

// Static and idle powers in watts (per-event energies live in configs/energy).
struct PowerConfig {
  double pl_static_w = 0.0;          // PL device static (leakage), typical process
  double ps_static_w = 0.0;          // PS static (leakage)
  double ps_idle_w = 0.0;            // PS dynamic with the OS idle (clocks, interconnect, DDRC)
  double apu_core_active_w = 0.0;    // added per busy A53 core at core_clock_mhz
  double ddr_static_w = 0.0;         // DRAM devices + PHY background (standby, refresh)
  double board_other_w = 0.0;        // rest of the board, reported separately
};

struct Board {
  std::string name;
  std::string description;
  FabricConfig fabric;
  ResourceBudget resources;
  dram::DramConfig memory;
  dram::PsConfig ps;  // the PS memory path from the PL ports to the DDRC (docs/memory.md)
  HostConfig host;
  PowerConfig power;
  // "section.key" -> where the value comes from (datasheet, estimate, ...).
  std::map<std::string, std::string> sources;

  // Throws llamaf::Error naming `where` and the key path.
  void validate(const std::string& where) const;
};

// `where` names the file in error messages ("zcu102.json: host.cores ...").
Board board_from_json(const nlohmann::json& j, const std::string& where);
Board load_board(const std::string& path);
nlohmann::json to_json(const Board& b);

}  // namespace llamaf::board
