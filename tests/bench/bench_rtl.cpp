// RTL benchmark of one design (built once per configs/designs/*.json; run by
// the `bench` target, not by ctest): with ideal memory, the sustained MACs per
// cycle and read-bus utilization from the RTL's own counters, and the
// Verilator simulation speed in simulated cycles per wall-clock second.
// Prints one Markdown table row; the result is checked against the golden model.
#include "design_adapter.h"

#include "sim/model/packed_image.h"
#include "sim/rtl_driver/lf_top_harness.h"
#include "tests/rtl/rtl_jobs.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

using namespace llamaf;
using namespace llamaf::sim;
using namespace llamaf::test;

int main(int argc, char** argv) {
  try {
    const DesignParams p = load_design_params(kDesignJson);
    const bool header = argc > 1 && std::string(argv[1]) == "--header";
    if (header) {
      fmt::print("| design | NumPe | W/A bits | group | weight bus | job (rows x cols) | cycles | "
                 "MACs/cycle | of NumPe | read-bus util | mem stall | sim cycles/s |\n");
      fmt::print("| --- | ---: | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    }
    const int cols = std::min(p.act_buf_cols, 2048);
    const int rows = 2048;
    std::mt19937_64 rng(2024);
    AddressAllocator alloc(p, 2024);
    LfTopHarness<Dut> h(p, AxiTiming::ideal());
    Job job = make_job(p, rows, cols, Values::Random, rng);
    place_job(job, p, h.memory(), alloc);

    const std::uint64_t c0 = h.cycle();
    const auto t0 = std::chrono::steady_clock::now();
    h.submit(job.regs);
    h.wait_idle(std::uint64_t(rows) * std::uint64_t(cols) + 1000000);
    const auto t1 = std::chrono::steady_clock::now();
    const std::uint64_t sim_cycles = h.cycle() - c0;
    const double secs = std::chrono::duration<double>(t1 - t0).count();

    const std::string diff = compare_result(job, p, h.memory());
    if (!diff.empty()) {
      fmt::print(stderr, "{}: result differs from the golden model:\n{}", p.name, diff);
      return 1;
    }
    const csr::Counters c = h.counters();
    const double macs_per_cycle = double(c.macs) / double(c.busy);
    const double bus_bytes_per_cycle = double(p.weight_ports) * p.axi_bytes();
    const double bus_util = double(c.bytes_read) / (double(c.busy) * bus_bytes_per_cycle);
    fmt::print("| {} | {} | w{}a{} | {} | {}x{} bit | {}x{} | {} | {:.2f} | {:.1f}% | {:.1f}% | "
               "{:.1f}% | {:.0f} |\n",
               p.name, p.num_pe, p.weight_bits, p.act_bits, p.group_size, p.weight_ports,
               p.axi_data_bits, rows, cols, c.busy, macs_per_cycle,
               100.0 * macs_per_cycle / p.num_pe, 100.0 * bus_util,
               100.0 * double(c.mem_stall) / double(c.busy), double(sim_cycles) / secs);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench {}: error: {}\n", kDesignName, e.what());
    return 1;
  }
}
