// Synthetic bandwidth benchmark of the PS memory path (`llamaf membench`):
// one traffic generator per PL-side port, as the FPT 2019 AXI speed-test IP
// (Manev, Vaishnav, Koch) drives them, through the same PsMemory + DramSystem
// the system simulation uses. Plain C++; seconds per configuration.
#pragma once

#include "sim/dram/dram_config.h"
#include "sim/dram/ps_memory.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace llamaf::dram {

enum class MembenchPattern { Read, Write, Mixed };
enum class MembenchOrder { Sequential, Random };

struct MembenchOptions {
  std::vector<std::string> ports{"HP0"};
  std::uint32_t request_bytes = 128;   // one AXI4 request (split by the PS at 16 beats / 4 KB)
  MembenchPattern pattern = MembenchPattern::Read;
  MembenchOrder order = MembenchOrder::Sequential;
  double clock_mhz = 300.0;            // PL clock of the generators
  int outstanding = 50;                // requests in flight per port and direction
  double duration_us = 100.0;          // measured window
  double warmup_us = 10.0;             // simulated before the window opens
  std::uint64_t region_bytes = 128ull << 20;  // per port and direction
  // The k-th listed port's regions start k x stagger_bytes above the FPT
  // driver example's bases: 8 KB = one bank-group step of the ZCU102 address
  // map, so concurrent streams occupy different bank groups (docs/memory.md
  // explains why the calibration data needs this and how it was chosen).
  std::uint64_t stagger_bytes = 8192;
  // Sequential order only: 0, each port streams its own region; else the
  // ports share the first port's region, interleaved in chunks of this many
  // bytes (port k reads chunks k, k+P, ...: the accelerator's interleaved
  // weight layout, docs/arithmetic.md). A multiple of request_bytes.
  std::uint64_t interleave_bytes = 0;
  // Reads only, sequential: 0, every port streams on its own (the FPT IP).
  // Else the ports feed one consumer that takes a beat from every port in
  // the same cycle (the accelerator's row parser, which recombines one word
  // per port into a bus word), each port through a FIFO of this many bytes
  // (the RTL's WgtBufWords words) whose free space is its credit: a port
  // requests a burst only when the FIFO can hold it with everything in
  // flight, as lf_axi_reader does. The result is then the consumed
  // bandwidth: a slow port holds the others back.
  std::uint64_t lockstep_fifo_bytes = 0;
  std::uint64_t seed = 1;              // random order
};

struct MembenchPortResult {
  std::string name;
  double read_mbps = 0, write_mbps = 0;        // 10^6 bytes per second
  double avg_read_latency_cycles = 0;          // PL cycles, AR handshake to last R beat
};

struct MembenchResult {
  std::vector<MembenchPortResult> ports;
  double total_read_mbps = 0, total_write_mbps = 0;
  nlohmann::json ps_stats;     // PsMemory::stats_json()
  nlohmann::json dram_stats;   // DramSystem::stats_json()
};

// Read-region base of each PL port in the FPT 2019 driver example (HP3
// 0x1800_0000 .. HP0 0x4800_0000; HPC0/HPC1 continue the pattern upwards);
// its write region lies 0x0800_0000 below.
std::uint64_t membench_read_base(const std::string& port);

MembenchPattern membench_pattern_from_string(const std::string& s);
MembenchOrder membench_order_from_string(const std::string& s);

MembenchResult run_membench(const DramConfig& memory, const PsConfig& ps,
                            const MembenchOptions& o);
nlohmann::json to_json(const MembenchResult& r);

}  // namespace llamaf::dram
