// Everything the system counts over a span of simulated time: cycles by
// operator, the accelerator's own performance counters, DRAM commands and
// bytes, host busy time. Spans add and scale, which is how per-token totals
// and the extrapolated (fast-mode) layers are formed.
#pragma once

#include "sim/dram/dram_system.h"
#include "sim/rtl_driver/lf_csr.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace llamaf::sim {

struct DramActivity {
  double reads = 0, writes = 0, activates = 0, precharges = 0, refreshes = 0;
  double row_hits = 0, row_misses = 0, row_conflicts = 0;
  double bytes_read = 0, bytes_written = 0, bus_busy_cycles = 0;
  double accel_bytes = 0, host_bytes = 0;

  static DramActivity of(const dram::DramStats& s, std::uint32_t host_source);
};

struct AccelActivity {
  double busy = 0, compute = 0, mem_stall = 0, bytes_read = 0, bytes_written = 0, macs = 0,
         act_buf_reads = 0, wgt_buf_writes = 0;
  static AccelActivity of(const csr::Counters& c);
};

struct Activity {
  double cycles = 0;                          // fabric cycles of the span
  std::map<std::string, double> op_cycles;    // by operator (qkv, attention, ...)
  AccelActivity accel;
  DramActivity dram;
  double host_busy_cycles = 0;
  double extrapolated_cycles = 0;             // part of `cycles` not simulated (fast mode)
  double jobs = 0;

  Activity& operator+=(const Activity& o);
  Activity operator-(const Activity& o) const;  // counters only (op_cycles kept from *this)
  Activity scaled(double f) const;
};

nlohmann::json to_json(const Activity& a, double clock_mhz, double dram_peak_gbps);

}  // namespace llamaf::sim
