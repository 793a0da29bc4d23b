// The PS memory path (sim/dram/ps_memory.h) against hand-computed cases:
// AXI3 splitting, sharing of a DDRC port, QoS arbitration order, the ZCU102
// address map, and back-pressure of the AFI and the CAMs.
#include "sim/board/board.h"
#include "sim/dram/address_map.h"
#include "sim/dram/ps_memory.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace llamaf;

namespace {

using Pieces = std::vector<std::pair<std::uint64_t, int>>;

std::string board_path(const std::string& name) {
  return std::string(LLAMAF_SOURCE_DIR) + "/configs/boards/" + name + ".json";
}

// A small PS: two ports on their own XPI ports, zero interconnect latency.
dram::PsConfig two_port_ps(dram::QosClass qos_a, dram::QosClass qos_b) {
  dram::PsConfig c;
  c.ports = {{"A", 128, 0, false, qos_a}, {"B", 128, 1, false, qos_b}};
  c.request_latency_ns = 0;
  c.response_latency_ns = 0;
  c.write_response_latency_ns = 0;
  c.xpi_ports = 2;
  return c;
}

}  // namespace

TEST_CASE("AXI4 bursts split at 16 beats and at 4 KB boundaries", "[ps_memory]") {
  // 64 beats x 16 B from 0x0F80: 8 beats to the 4 KB boundary, then 16, 16, 16, 8.
  CHECK(dram::split_axi3(0x0F80, 64, 16, 16, 4096) ==
        Pieces{{0x0F80, 8}, {0x1000, 16}, {0x1100, 16}, {0x1200, 16}, {0x1300, 8}});
  // Aligned 256 beats: sixteen 16-beat bursts, 256 B apart.
  const Pieces p = dram::split_axi3(0x2000, 256, 16, 16, 4096);
  REQUIRE(p.size() == 16);
  CHECK(p[15] == std::pair<std::uint64_t, int>{0x2F00, 16});
  // 17 beats: 16 + 1. A short burst inside one 4 KB page stays whole.
  CHECK(dram::split_axi3(0x0, 17, 16, 16, 4096) == Pieces{{0x0, 16}, {0x100, 1}});
  CHECK(dram::split_axi3(0x40, 5, 16, 16, 4096) == Pieces{{0x40, 5}});
  // Unaligned start 8 bytes below a boundary: the first beat ends the page,
  // the following beats are aligned.
  CHECK(dram::split_axi3(0x0FF8, 3, 16, 16, 4096) == Pieces{{0x0FF8, 1}, {0x1000, 2}});
}

TEST_CASE("the ZCU102 address map decodes as its psu_init ADDRMAP registers say", "[ps_memory]") {
  const board::Board b = board::load_board(board_path("zcu102"));
  const dram::AddressMapper m(b.memory);
  // Independent decode of the register values (HIF address = AXI address / 8
  // on the 64-bit bus; internal base + field value = HIF bit):
  //   ADDRMAP2/3: column bits 2..9 at HIF 2..9 (bits 0, 1 fixed)  -> column = HIF[9:0]
  //   ADDRMAP8 = 0x0808: bank group bit 0 at 2+8, bit 1 at 3+8    -> HIF 10, 11
  //   ADDRMAP1 = 0x001F0A0A: bank bit 0 at 2+10, bit 1 at 3+10    -> HIF 12, 13
  //   ADDRMAP5/9/10/11/6 = 8: row bit k at (6+k)+8                -> HIF 14.. 28
  auto hif_bits = [](std::uint64_t addr, int lo, int n) {
    return static_cast<std::uint32_t>(((addr >> 3) >> lo) & ((1u << n) - 1));
  };
  for (const std::uint64_t addr : {0x0ull, 0x40ull, 0x1FC0ull, 0x2000ull, 0x8000ull, 0x20000ull,
                                   0x48000000ull, 0x18002000ull, 0x12345678ull, 0xFFFFFFC0ull}) {
    const dram::DramCoord c = m.decode(addr);
    INFO("address 0x" << std::hex << addr);
    CHECK(c.column == hif_bits(addr, 3, 7));  // 64-byte burst index within the row
    CHECK(static_cast<std::uint32_t>(c.bank_group) == hif_bits(addr, 10, 2));
    CHECK(static_cast<std::uint32_t>(c.bank) == hif_bits(addr, 12, 2));
    CHECK(c.row == hif_bits(addr, 14, 15));
  }
}

TEST_CASE("two masters on one DDRC port share it round robin", "[ps_memory]") {
  const board::Board b = board::load_board(board_path("zcu102"));
  dram::DramSystem dram(b.memory);
  dram::PsMemory ps(b.ps, dram, 300000);
  const int hp1 = ps.port_index("HP1"), hp2 = ps.port_index("HP2");
  REQUIRE(b.ps.ports[std::size_t(hp1)].xpi == 4);
  REQUIRE(b.ps.ports[std::size_t(hp2)].xpi == 4);
  std::uint64_t a1 = 0x38000000, a2 = 0x28002000;
  std::uint64_t beats1 = 0, beats2 = 0;
  for (int cyc = 0; cyc < 30000; ++cyc) {
    if (ps.can_accept_read(hp1)) { ps.read(hp1, a1, 16, 0); a1 += 256; }
    if (ps.can_accept_read(hp2)) { ps.read(hp2, a2, 16, 0); a2 += 256; }
    if (ps.read_ready(hp1)) { ps.take_read_beat(hp1); ++beats1; }
    if (ps.read_ready(hp2)) { ps.take_read_beat(hp2); ++beats2; }
    ps.end_fabric_cycle();
  }
  const auto& st = ps.port_stats();
  const auto& xs = ps.xpi_stats();
  // Every burst of both masters went through XPI 4 and nothing else.
  CHECK(xs[4].grants > 0);
  CHECK(xs[4].grants + 32 >= st[std::size_t(hp1)].read_bursts + st[std::size_t(hp2)].read_bursts);
  CHECK(xs[3].grants == 0);
  CHECK(xs[5].grants == 0);
  // Both stream; neither gets more than 52 % of the shared port.
  const double share = static_cast<double>(beats1) / static_cast<double>(beats1 + beats2);
  CHECK(share > 0.48);
  CHECK(share < 0.52);
}

TEST_CASE("the DDRC port arbiter grants by QoS class, then round robin", "[ps_memory]") {
  auto first_grant = [](dram::QosClass qa, dram::QosClass qb) {
    dram::DramConfig mc;  // defaults: DDR4-2400, 64-bit
    dram::DramSystem dram(mc);
    dram::PsConfig c = two_port_ps(qa, qb);
    c.hif_period_ck = 64;  // one grant per 64 DRAM clocks: the first one is alone
    dram::PsMemory ps(c, dram, 300000);
    // Both ports present a read in the same cycle, to different banks.
    ps.read(0, 0x0, 4, 0);
    ps.read(1, 0x8000, 4, 0);
    while (dram.stats().read_requests == 0) ps.end_fabric_cycle();
    REQUIRE(dram.stats().read_requests == 1);
    const auto& src = dram.stats().per_source;
    return src.size() > 1 && src[1].read_requests == 1 ? 'B' : 'A';
  };
  using Q = dram::QosClass;
  // Equal classes: round robin from XPI 0.
  CHECK(first_grant(Q::BestEffort, Q::BestEffort) == 'A');
  // Low latency beats video beats best effort, whatever the XPI order.
  CHECK(first_grant(Q::BestEffort, Q::LowLatency) == 'B');
  CHECK(first_grant(Q::BestEffort, Q::Video) == 'B');
  CHECK(first_grant(Q::LowLatency, Q::Video) == 'A');
}

TEST_CASE("the AFI back-pressures at its acceptance, issuing and FIFO limits", "[ps_memory]") {
  dram::DramConfig mc;
  dram::DramSystem dram(mc);
  dram::PsConfig c = two_port_ps(dram::QosClass::BestEffort, dram::QosClass::BestEffort);
  c.request_latency_ns = 100000;  // nothing returns during the test
  dram::PsMemory ps(c, dram, 300000);
  SECTION("single-beat reads: 16 issued, 8 more accepted") {
    int accepted = 0;
    for (int cyc = 0; cyc < 200; ++cyc) {
      while (ps.can_accept_read(0)) { ps.read(0, 64ull * accepted, 1, 0); ++accepted; }
      ps.end_fabric_cycle();
    }
    CHECK(ps.port_stats()[0].read_bursts == 16);  // issuing capability
    CHECK(accepted == 16 + 8);                    // plus the command queue
    CHECK_FALSE(ps.can_accept_read(0));
  }
  SECTION("16-beat reads: the 128-beat read FIFO allows 8 in flight") {
    for (int cyc = 0; cyc < 200; ++cyc) {
      if (ps.can_accept_read(0)) ps.read(0, 256ull * std::uint64_t(cyc), 16, 0);
      ps.end_fabric_cycle();
    }
    CHECK(ps.port_stats()[0].read_bursts == 8);
  }
}

TEST_CASE("a full read CAM back-pressures the XPI queue", "[ps_memory]") {
  dram::DramConfig mc;
  mc.controller.read_queue_depth = 2;
  mc.controller.frontend_latency_ck = 1000;  // bursts stay in the CAM
  dram::DramSystem dram(mc);
  dram::PsMemory ps(two_port_ps(dram::QosClass::BestEffort, dram::QosClass::BestEffort), dram,
                    300000);
  for (int i = 0; i < 6; ++i) ps.read(0, 0x10000ull * std::uint64_t(i), 4, 0);
  for (int cyc = 0; cyc < 50; ++cyc) ps.end_fabric_cycle();
  CHECK(dram.stats().read_requests == 2);  // the CAM's two entries
  CHECK(ps.xpi_stats()[0].grants == 2);
  CHECK(ps.xpi_stats()[0].cam_blocked_cycles > 0);
  CHECK(ps.port_stats()[0].read_bursts == 6);  // issued into the PS, waiting at the XPI
}

TEST_CASE("writes: data after the address, store and forward, in-order responses", "[ps_memory]") {
  dram::DramConfig mc;
  dram::DramSystem dram(mc);
  dram::PsMemory ps(two_port_ps(dram::QosClass::BestEffort, dram::QosClass::BestEffort), dram,
                    300000);
  CHECK_FALSE(ps.can_take_write_beat(0));  // no address yet
  ps.write(0, 0x0, 4, 7);
  ps.write(0, 0x1000, 2, 8);
  int beats = 0;
  std::vector<std::uint64_t> tags;
  for (int cyc = 0; cyc < 500 && tags.size() < 2; ++cyc) {
    if (ps.can_take_write_beat(0)) { ps.write_beat(0); ++beats; }
    std::uint64_t t = 0;
    if (ps.write_response_ready(0, &t)) { ps.take_write_response(0); tags.push_back(t); }
    ps.end_fabric_cycle();
  }
  CHECK(beats == 6);
  CHECK(tags == std::vector<std::uint64_t>{7, 8});
  CHECK(dram.stats().write_requests == 2);
}

TEST_CASE("bad PS sections are refused with the key named", "[ps_memory]") {
  dram::PsConfig c = two_port_ps(dram::QosClass::BestEffort, dram::QosClass::BestEffort);
  c.ports[1].xpi = 9;
  CHECK_THROWS_WITH(c.validate("b.json: ps"), Catch::Contains("b.json: ps.ports[1].xpi"));
  c = two_port_ps(dram::QosClass::BestEffort, dram::QosClass::BestEffort);
  c.read_fifo_beats = 4;
  CHECK_THROWS_WITH(c.validate("b.json: ps"), Catch::Contains("read_fifo_beats"));
}
