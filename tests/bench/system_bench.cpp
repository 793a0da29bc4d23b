// Harness overhead of the SystemC system: the same accelerator jobs run (a)
// in a plain C++ loop driving the Verilated RTL with ideal memory and (b) in
// the whole SystemC system (DDR4 model, DRAM-timed ports, host thread).
// Prints simulated cycles per wall second of both, side by side, and their
// ratio (docs/benchmarks.md). Built per design; run by `make bench`.
#include "design_adapter.h"

#include "sim/board/board.h"
#include "sim/model/packed_image.h"
#include "sim/rtl_driver/lf_top_harness.h"
#include "sim/system/accelerator.h"
#include "sim/system/soc.h"
#include "tests/rtl/rtl_jobs.h"

#include <fmt/core.h>
#include <systemc>

#include <chrono>
#include <cstdlib>
#include <string>

namespace {

using namespace llamaf;
using Clock = std::chrono::steady_clock;

constexpr int kJobs = 4;
constexpr std::uint64_t kWAddr = 0x1000'0000, kXAddr = 0x0800'0000, kYAddr = 0x0C00'0000;

struct Run {
  double cycles = 0, seconds = 0, macs = 0;
};

void place(sim::SparseMemory& mem, const test::Job& job, const sim::DesignParams& p) {
  mem.write(kWAddr, model::pack_weight_image(job.w, p.bus()));
  mem.write(kXAddr, model::pack_activation_image(job.x, p.bus()));
}

sim::csr::JobRegs regs(const test::Job& job) {
  return {std::uint32_t(job.w.rows), std::uint32_t(job.w.cols), kWAddr, kXAddr, kYAddr};
}

Run plain_loop(const sim::DesignParams& p, const test::Job& job) {
  sim::LfTopHarness<test::Dut> h(p, sim::AxiTiming::ideal());
  place(h.memory(), job, p);
  const auto t0 = Clock::now();
  const std::uint64_t c0 = h.cycle();
  for (int i = 0; i < kJobs; ++i) {
    h.submit(regs(job));
    h.wait_idle(1ull << 40);
  }
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cycles = double(h.cycle() - c0);
  r.macs = double(h.counters().macs);
  return r;
}

Run systemc_system(const sim::DesignParams& p, const test::Job& job) {
  const board::Board b = board::load_board(std::string(LLAMAF_SOURCE_DIR) + "/configs/boards/zcu102.json");
  dram::DramSystem dram(b.memory);
  sim::SparseMemory mem;
  place(mem, job, p);
  sim::DramBridge bridge(b.ps, dram, mem, std::int64_t(b.fabric.clock_mhz * 1000),
                         b.ps.default_port_map(p.weight_ports));
  sim::VerilatedAccelerator<test::Dut> acc(p, bridge, sim::AcceleratorOptions{});
  sim::Soc soc("soc", acc, bridge, b.fabric.clock_mhz);
  Run r;
  soc.set_program([&] {
    const sim::csr::JobRegs j = regs(job);
    for (int i = 0; i < kJobs; ++i) {
      std::vector<sim::CsrOp> ops = {
          {true, sim::csr::kRows, j.rows, 0},     {true, sim::csr::kCols, j.cols, 0},
          {true, sim::csr::kWAddrLo, std::uint32_t(j.w_addr), 0}, {true, sim::csr::kWAddrHi, 0, 0},
          {true, sim::csr::kXAddrLo, std::uint32_t(j.x_addr), 0}, {true, sim::csr::kXAddrHi, 0, 0},
          {true, sim::csr::kYAddrLo, std::uint32_t(j.y_addr), 0}, {true, sim::csr::kYAddrHi, 0, 0},
          {true, sim::csr::kCtrl, sim::csr::kCtrlEnqueue, 0}};
      soc.csr(ops);
      soc.wait_irqs(std::uint64_t(i + 1));
    }
  });
  const auto t0 = Clock::now();
  soc.run();
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cycles = double(bridge.fabric_cycle());
  r.macs = double(acc.counters().macs);
  return r;
}

}  // namespace

int sc_main(int argc, char** argv) {
  const bool header = argc > 1 && std::string(argv[1]) == "--header";
  const sim::DesignParams p = sim::load_design_params(test::kDesignJson);
  std::mt19937_64 rng(1);
  const int cols = std::min(2048, p.act_buf_cols / p.group_size * p.group_size);
  const test::Job job = test::make_job(p, 2048, cols, test::Values::Random, rng);
  const Run a = plain_loop(p, job);
  const Run b = systemc_system(p, job);
  if (header) {
    fmt::print("| design | jobs | plain loop: cycles | cycles/s | SystemC system: cycles | cycles/s | "
               "overhead (plain/system cycles per s) |\n|---|---|---|---|---|---|---|\n");
  }
  fmt::print("| {} | {} x {}x{} | {:.0f} | {:.3g} | {:.0f} | {:.3g} | {:.2f}x |\n", p.name, kJobs, 2048, cols,
             a.cycles, a.cycles / a.seconds, b.cycles, b.cycles / b.seconds,
             (a.cycles / a.seconds) / (b.cycles / b.seconds));
  return a.macs == b.macs ? 0 : 1;  // both ran the same work
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
