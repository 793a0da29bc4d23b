// `llamaf membench`: synthetic PL-port bandwidth of a board's PS memory path
// (sim/dram/membench.h), defaults after the FPT 2019 AXI speed test.
#include "explorer/cli/commands.h"

#include "sim/board/board.h"
#include "sim/dram/membench.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <sstream>
#include <string>

namespace llamaf::cli {

namespace {

struct MembenchCmdOptions {
  std::string board;
  std::string ports = "HP0";
  std::uint32_t request_bytes = 128;
  std::string pattern = "read";
  std::string order = "sequential";
  double clock_mhz = 300.0;
  int outstanding = 50;
  double duration_us = 100.0;
  std::uint64_t stagger_bytes = 8192;
  std::uint64_t interleave_bytes = 0;
  std::uint64_t lockstep_fifo_bytes = 0;
  bool json = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void run_membench_cmd(const MembenchCmdOptions& c) {
  const board::Board b = board::load_board(c.board);
  dram::MembenchOptions o;
  o.ports = split_list(c.ports);
  o.request_bytes = c.request_bytes;
  o.pattern = dram::membench_pattern_from_string(c.pattern);
  o.order = dram::membench_order_from_string(c.order);
  o.clock_mhz = c.clock_mhz;
  o.outstanding = c.outstanding;
  o.duration_us = c.duration_us;
  o.stagger_bytes = c.stagger_bytes;
  o.interleave_bytes = c.interleave_bytes;
  o.lockstep_fifo_bytes = c.lockstep_fifo_bytes;
  const dram::MembenchResult r = dram::run_membench(b.memory, b.ps, o);
  if (c.json) {
    nlohmann::json j = dram::to_json(r);
    j["board"] = b.name;
    j["request_bytes"] = c.request_bytes;
    j["pattern"] = c.pattern;
    j["order"] = c.order;
    j["clock_mhz"] = c.clock_mhz;
    j["outstanding"] = c.outstanding;
    j["duration_us"] = c.duration_us;
    j["stagger_bytes"] = c.stagger_bytes;
    j["interleave_bytes"] = c.interleave_bytes;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("membench {}: {} B {} {} requests, {} in flight, PL {} MHz, {} us\n", b.name,
             c.request_bytes, c.order, c.pattern, c.outstanding, c.clock_mhz, c.duration_us);
  fmt::print("  {:<6} {:>12} {:>12} {:>22}\n", "port", "read MB/s", "write MB/s",
             "avg read latency (cyc)");
  for (const dram::MembenchPortResult& p : r.ports)
    fmt::print("  {:<6} {:>12.1f} {:>12.1f} {:>22.1f}\n", p.name, p.read_mbps, p.write_mbps,
               p.avg_read_latency_cycles);
  fmt::print("  {:<6} {:>12.1f} {:>12.1f}\n", "total", r.total_read_mbps, r.total_write_mbps);
}

}  // namespace

void add_membench_command(CLI::App& app) {
  auto o = std::make_shared<MembenchCmdOptions>();
  CLI::App* cmd = app.add_subcommand(
      "membench", "Synthetic PL-port bandwidth through the board's PS memory model");
  cmd->add_option("--board", o->board, "Board JSON (configs/boards/*.json)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--ports", o->ports, "Comma-separated PL ports, e.g. HP0,HP2,HP3 (HPC0/HPC1 too)");
  cmd->add_option("--request-bytes", o->request_bytes, "Bytes per AXI request (1..4096)");
  cmd->add_option("--pattern", o->pattern, "read, write or mixed (both at once on every port)");
  cmd->add_option("--order", o->order, "sequential or random addresses in each 128 MiB region");
  cmd->add_option("--clock-mhz", o->clock_mhz, "PL clock of the traffic generators");
  cmd->add_option("--outstanding", o->outstanding, "Requests in flight per port and direction");
  cmd->add_option("--duration-us", o->duration_us, "Measured window of simulated time");
  cmd->add_option("--stagger-bytes", o->stagger_bytes,
                  "Offset of the k-th port's regions (k x this) above the FPT driver's bases");
  cmd->add_option("--interleave-bytes", o->interleave_bytes,
                  "Ports share the first port's region in chunks of this many bytes, taking turns "
                  "(the accelerator's interleaved weight layout); 0: a region per port");
  cmd->add_option("--lockstep-fifo-bytes", o->lockstep_fifo_bytes,
                  "The ports feed one consumer taking a beat from every port per cycle (the "
                  "accelerator's row parser), each through a FIFO of this many bytes whose free "
                  "space is its credit; reports the consumed bandwidth. 0: independent ports");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] { run_membench_cmd(*o); });
}

}  // namespace llamaf::cli
