// The AXI ports on the PS memory model: data comes from memory, a burst's
// first beat arrives after the PS path and DRAM latency (converted to fabric
// cycles), beats then stream one PS beat per cycle, writes land in memory.
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

// One 128-bit HP port with no interconnect latency: only the DRAM's remains.
dram::PsConfig one_port() {
  dram::PsConfig c;
  c.ports = {{"HP0", 128, 0, false, dram::QosClass::BestEffort}};
  c.xpi_ports = 1;
  c.request_latency_ns = 0;
  c.response_latency_ns = 0;
  c.write_response_latency_ns = 0;
  return c;
}

}  // namespace

TEST_CASE("a read burst returns memory contents after DRAM + interconnect latency", "[dram][system]") {
  dram::DramSystem dram(ddr4_2400());
  SparseMemory mem;
  std::vector<std::uint8_t> data(256);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t(i * 7 + 1);
  mem.write(0x10000, data);
  DramBridge bridge(one_port(), dram, mem, 200000, {"HP0"});  // DRAM at 1200 MHz: ratio 6
  DramAxiReadPort port(bridge, 0, AxiPortShape{128, 40});

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
  // The AFI issues the burst in DRAM cycle 0, it reaches the XPI queue and
  // the CAM in cycle 1; closed bank: tRCD + CL + tBL per 64-byte burst, four
  // bursts back to back in one row (tCCD_L apart): the data is complete at
  // 1 + tRCD + CL + 3 tCCD_L + tBL, simulated in fabric cycle floor(that / 6);
  // the port takes the first PS beat in the next cycle and presents it in
  // the one after.
  const dram::DramTiming& t = dram.timing();
  const std::uint64_t dram_done = std::uint64_t(1 + t.tRCD + t.CL + 3 * t.tCCD_L + t.tBL);
  CHECK(first_beat == dram_done / 6 + 2);
}

TEST_CASE("a write burst lands in memory and is answered after the write completes", "[dram][system]") {
  dram::DramSystem dram(ddr4_2400());
  SparseMemory mem;
  DramBridge bridge(one_port(), dram, mem, 200000, {"HP0"});
  DramAxiWritePort port(bridge, 8, AxiPortShape{128, 40});
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

TEST_CASE("a 256-bit PL port on a 128-bit HP port moves one PS beat per cycle", "[dram][system]") {
  dram::DramSystem dram(ddr4_2400());
  SparseMemory mem;
  std::vector<std::uint8_t> data(128);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t(i * 3 + 5);
  mem.write(0x4000, data);
  DramBridge bridge(one_port(), dram, mem, 200000, {"HP0"});
  DramAxiReadPort port(bridge, 0, AxiPortShape{256, 40});
  AxiReadMaster m;
  m.arvalid = true;
  m.araddr = 0x4000;
  m.arlen = 3;  // 4 beats of 32 bytes = 8 PS beats
  m.rready = true;
  std::vector<std::uint8_t> got;
  std::uint64_t first = 0, last = 0;
  for (std::uint64_t cycle = 0; cycle < 400 && got.size() < 128; ++cycle) {
    const AxiReadSlaveOut out = port.outputs();
    if (out.rvalid) {
      if (got.empty()) first = cycle;
      last = cycle;
      got.insert(got.end(), out.rdata.begin(), out.rdata.begin() + 32);
    }
    port.clock(m);
    m.arvalid = false;
    bridge.end_cycle();
  }
  CHECK(got == data);
  CHECK(last - first == 6);  // beats every 2 cycles: two PS beats each
}

TEST_CASE("design port maps: ps_ports or the board's default order", "[dram][system]") {
  dram::PsConfig c = one_port();
  c.ports.push_back({"HP3", 128, 0, false, dram::QosClass::BestEffort});
  c.default_port_order = {"HP0", "HP3"};
  CHECK(c.default_port_map(2) == std::vector<std::string>{"HP0", "HP3"});
  CHECK_THROWS_WITH(c.default_port_map(3), Catch::Contains("needs a port map"));
  // PsConfig::port_map: the design's list, else the default order.
  CHECK(c.port_map({}, 2, "d.json") == std::vector<std::string>{"HP0", "HP3"});
  CHECK(c.port_map({"HP3"}, 1, "d.json") == std::vector<std::string>{"HP3"});
  CHECK_THROWS_WITH(c.port_map({}, 3, "d.json"), Catch::Contains("d.json") && Catch::Contains("needs a port map"));
  CHECK_THROWS_WITH(c.port_map({"HP0", "HP3"}, 1, "d.json"),
                    Catch::Contains("d.json: ps_ports lists 2 PS ports but the design has 1 AXI read port"));
  CHECK_THROWS_WITH(c.port_map({"HP7"}, 1, "d.json"),
                    Catch::Contains("ps_ports[0] \"HP7\" is not a PL-PS port") && Catch::Contains("known: HP0, HP3"));
  CHECK_THROWS_WITH(c.port_map({"HP3", "HP3"}, 2, "d.json"), Catch::Contains("HP3 is used twice"));
}
