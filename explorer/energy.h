// Energy model: per-event energies and static/idle powers from an energy
// table (configs/energy/*.json, every value with its unit, source and
// technology node), applied to a run's event counts and times.
//
//   fabric MACs        sum_b macs_by_bits[b] * mac_pj[b]
//   fabric memories    bram_reads * bram_read_pj + bram_writes * bram_write_pj
//                      (+ the same for LUTRAM)
//   fabric clock/logic ff * ff_clock_pj_per_cycle * accel_total_cycles
//                      + lut * lut_pj_per_cycle * accel_busy_cycles
//   DRAM dynamic       dram_activates * activate_pj
//                      + 8 * (read_bytes * read_pj_per_bit + write_bytes * write_pj_per_bit)
//   DRAM background    (background_mw + refresh_mw) * seconds
//   host               active_w * host_busy_seconds + idle_w * (seconds - host_busy_seconds)
//   device static      static_w * seconds
//
// Then J/token = total / tokens, average W = total / seconds, tokens/J.
// docs/explore.md ("Energy model") lists the sources and the limits.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace llamaf::dse {

// {"value": 1.2, "unit": "pJ", "source": "...", "node": "16nm", "confidence": "low"}
struct SourcedValue {
  double value = 0.0;
  std::string unit, source, node, confidence;
};

struct EnergyTable {
  std::string name, description;
  // fabric (programmable logic)
  std::map<int, SourcedValue> mac_pj;  // weight bits -> energy of one weight x activation MAC
  SourcedValue bram_read_pj, bram_write_pj;      // per BRAM port access
  std::optional<SourcedValue> lutram_read_pj, lutram_write_pj;
  SourcedValue ff_clock_pj_per_cycle;  // per flip-flop per fabric cycle (clock tree + FF)
  SourcedValue lut_pj_per_cycle;       // per LUT per busy cycle at the stated toggle rate
  // DRAM
  SourcedValue dram_activate_pj;  // one ACT + PRE pair
  SourcedValue dram_read_pj_per_bit, dram_write_pj_per_bit;
  SourcedValue dram_background_mw, dram_refresh_mw;
  // host processor
  SourcedValue host_active_w, host_idle_w;
  // device
  SourcedValue device_static_w;
};

// Errors name `where`, the key path and the expected unit.
EnergyTable energy_table_from_json(const nlohmann::json& j, const std::string& where);
EnergyTable load_energy_table(const std::filesystem::path& path);

// Event counts and times of one run (all tokens of it). JSON form: the same
// keys; macs_by_bits as {"8": n, "4": n}. docs/explore.md documents each.
struct EnergyInputs {
  std::int64_t tokens = 0;         // tokens generated in the run
  double seconds = 0.0;            // simulated run time
  std::map<int, double> macs_by_bits;  // weight bits -> MACs
  double bram_reads = 0, bram_writes = 0;
  double lutram_reads = 0, lutram_writes = 0;
  double dram_activates = 0;       // ACT commands
  double dram_read_bytes = 0, dram_write_bytes = 0;
  double accel_busy_cycles = 0;    // fabric cycles the accelerator was working
  double accel_total_cycles = 0;   // fabric cycles of the whole run
  double host_busy_seconds = 0;    // host CPU busy time (all cores as one)
  double lut = 0, ff = 0;          // fabric resources of the design
};

EnergyInputs energy_inputs_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const EnergyInputs& in);

struct EnergyBreakdown {
  double fabric_mac_j = 0, fabric_memory_j = 0, fabric_clock_logic_j = 0;
  double dram_dynamic_j = 0, dram_background_j = 0;
  double host_j = 0, device_static_j = 0;
  double total_j = 0, j_per_token = 0, avg_power_w = 0, tokens_per_j = 0;
};

// Throws llamaf::Error (naming `where`) on inconsistent inputs (tokens or
// seconds not positive, busy > total, a MAC width the table lacks).
EnergyBreakdown compute_energy(const EnergyTable& t, const EnergyInputs& in,
                               const std::string& where = "energy");

// Metrics form: {"j_per_token", "avg_power_w", "tokens_per_j",
// "energy_j_per_token": {"fabric_mac", ..., "device_static"}}.
nlohmann::json energy_metrics(const EnergyBreakdown& e);

}  // namespace llamaf::dse
