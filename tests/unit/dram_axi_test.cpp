// The DDR4-timed AXI ports: data comes from memory, a burst's first beat
// arrives after the DRAM latency plus the interconnect latency (converted to
// fabric cycles), beats then stream one per cycle, writes land in memory.
#include "sim/dram/dram_config.h"
#include "sim/system/dram_axi.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace llamaf;
using namespace llamaf::sim;

namespace {

dram::DramConfig ddr4_2400() {
  dram::DramConfig c;
  c.controller.refresh_enabled = false;  // keep the latency deterministic
  return c;
}

}  // namespace

TEST_CASE("a read burst returns memory contents after DRAM + interconnect latency", "[dram][system]") {
  dram::DramSystem dram(ddr4_2400());
  SparseMemory mem;
  std::vector<std::uint8_t> data(256);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t(i * 7 + 1);
  mem.write(0x10000, data);
  DramBridge bridge(dram, mem, 200000);  // 200 MHz fabric, DRAM at 1200 MHz: ratio 6
  PsPortConfig pc;
  pc.interconnect_latency_cycles = 10;
  DramAxiReadPort port(bridge, 0, AxiPortShape{128, 40}, pc);

  AxiReadMaster m;
  m.arvalid = true;
  m.araddr = 0x10000;
  m.arlen = 15;  // 16 beats of 16 bytes
  m.arsize = 4;
  m.arburst = 1;
  m.rready = true;
  REQUIRE(port.outputs().arready);
  std::vector<std::uint8_t> got;
  std::uint64_t first_beat = 0;
  for (std::uint64_t cycle = 0; cycle < 400 && got.size() < 256; ++cycle) {
    const AxiReadSlaveOut out = port.outputs();
    if (out.rvalid) {
      if (got.empty()) first_beat = cycle;
      got.insert(got.end(), out.rdata.begin(), out.rdata.begin() + 16);
      CHECK(out.rlast == (got.size() == 256));
    }
    port.clock(m);
    m.arvalid = false;
    bridge.end_cycle();
  }
  CHECK(got == data);
  // Closed bank: tRCD + CL + tBL per 64-byte burst, four bursts back to back
  // in one row (tCCD_L apart): the last data beat at tRCD + CL + 3 tCCD_L + tBL
  // DRAM cycles, which falls in fabric cycle floor(that / 6); the first beat
  // is presented the interconnect latency later.
  const dram::DramTiming& t = dram.timing();
  const std::uint64_t dram_done = std::uint64_t(t.tRCD + t.CL + 3 * t.tCCD_L + t.tBL);
  CHECK(first_beat == dram_done / 6 + 10);
}

TEST_CASE("a write burst lands in memory and is answered after the write completes", "[dram][system]") {
  dram::DramSystem dram(ddr4_2400());
  SparseMemory mem;
  DramBridge bridge(dram, mem, 200000);
  DramAxiWritePort port(bridge, 8, AxiPortShape{128, 40}, PsPortConfig{});
  AxiWriteMaster m;
  m.awvalid = true;
  m.awaddr = 0x2000;
  m.awlen = 1;
  m.awsize = 4;
  m.awburst = 1;
  m.bready = true;
  int beat = 0;
  bool answered = false;
  for (int cycle = 0; cycle < 200 && !answered; ++cycle) {
    const AxiWriteSlaveOut out = port.outputs();
    m.wvalid = beat < 2;
    m.wlast = beat == 1;
    m.wstrb = beat == 1 ? 0x00FF : 0xFFFF;  // the second beat writes only its low 8 bytes
    for (int i = 0; i < 16; ++i) m.wdata[std::size_t(i)] = std::uint8_t(0x40 + beat * 16 + i);
    const bool w_hs = out.wready && m.wvalid;
    answered = out.bvalid;
    port.clock(m);
    if (out.awready) m.awvalid = false;
    if (w_hs) ++beat;
    bridge.end_cycle();
  }
  CHECK(answered);
  std::vector<std::uint8_t> got(32);
  mem.read(0x2000, got);
  for (int i = 0; i < 24; ++i) CHECK(got[std::size_t(i)] == 0x40 + i);
  for (int i = 24; i < 32; ++i) CHECK(got[std::size_t(i)] == 0);
}
