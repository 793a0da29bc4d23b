// The RTL testbench's own pieces, without any RTL: sparse memory, AXI slave
// models (ideal and random timing) driven by a behavioural master, and the
// protocol checker catching each rule.
#include "sim/rtl_driver/axi_checker.h"
#include "sim/rtl_driver/axi_slave.h"
#include "sim/rtl_driver/sparse_memory.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <deque>
#include <random>
#include <vector>

using namespace llamaf::sim;

namespace {

// A well-behaved read master: issues the given bursts in order (at most
// max_out in flight), with random ARVALID start gaps and RREADY gaps, and
// records every beat it receives.
struct ReadMaster {
  struct Req {
    std::uint64_t addr;
    int beats;
  };
  std::deque<Req> todo;
  std::deque<Req> in_flight;
  int max_out = 4;
  double gap = 0.0;
  std::mt19937 rng{7};
  AxiReadMaster sig;
  int beat_in_burst = 0;
  std::vector<std::pair<std::uint64_t, AxiData>> got;  // (address, data)
  int rlast_errors = 0;
  int bytes = 16;

  bool chance() { return gap > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < gap; }

  // Signals for this cycle (payload held while waiting for ARREADY).
  void drive() {
    if (!sig.arvalid && !todo.empty() && int(in_flight.size()) < max_out && !chance()) {
      sig.arvalid = true;
      sig.araddr = todo.front().addr;
      sig.arlen = std::uint8_t(todo.front().beats - 1);
      sig.arsize = std::uint8_t(__builtin_ctz(unsigned(bytes)));
      sig.arburst = kAxiBurstIncr;
    }
    sig.rready = !chance();
  }
  void clock(const AxiReadSlaveOut& s) {
    if (sig.arvalid && s.arready) {
      in_flight.push_back(todo.front());
      todo.pop_front();
      sig.arvalid = false;
    }
    if (s.rvalid && sig.rready) {
      REQUIRE(!in_flight.empty());
      const Req& r = in_flight.front();
      got.emplace_back(r.addr + std::uint64_t(beat_in_burst * bytes), s.rdata);
      const bool last = beat_in_burst == r.beats - 1;
      if (s.rlast != last) ++rlast_errors;
      if (++beat_in_burst == r.beats) {
        beat_in_burst = 0;
        in_flight.pop_front();
      }
    }
  }
  bool done() const { return todo.empty() && in_flight.empty() && !sig.arvalid; }
};

void fill_pattern(SparseMemory& m, std::uint64_t addr, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::uint8_t((addr + i) * 131u + 7u);
  m.write(addr, v);
}

// Runs a read master against a slave and checker; returns cycles taken.
std::uint64_t run_reads(ReadMaster& m, AxiReadSlave& s, AxiReadChecker& c, SparseMemory& mem,
                        std::uint64_t limit = 100000) {
  std::uint64_t cyc = 0;
  AxiReadSlaveOut prev_out;
  bool prev_waiting_r = false;
  while (!m.done() && cyc < limit) {
    m.drive();
    const AxiReadSlaveOut out = s.outputs();
    // The slave must hold RVALID and its payload until RREADY.
    if (prev_waiting_r) {
      REQUIRE(out.rvalid);
      REQUIRE(std::memcmp(out.rdata.data(), prev_out.rdata.data(), 16) == 0);
      REQUIRE(out.rlast == prev_out.rlast);
    }
    c.sample(cyc, m.sig, out);
    prev_waiting_r = out.rvalid && !m.sig.rready;
    s.clock(m.sig);
    m.clock(out);
    prev_out = out;
    ++cyc;
  }
  REQUIRE(m.done());
  for (const auto& [addr, data] : m.got) {
    std::uint8_t want[16];
    mem.read(addr, want);
    REQUIRE(std::memcmp(want, data.data(), 16) == 0);
  }
  CHECK(m.rlast_errors == 0);
  return cyc;
}

std::vector<std::string> rules(const std::vector<AxiViolation>& v) {
  std::vector<std::string> r;
  for (const auto& x : v) r.push_back(x.rule);
  return r;
}

}  // namespace

TEST_CASE("sparse memory reads fill for unwritten bytes and spans pages", "[rtl][axi_model]") {
  SparseMemory m(0xAB);
  CHECK(m.read_u8(0x123456789) == 0xAB);
  std::vector<std::uint8_t> v(10000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::uint8_t(i);
  m.write(4090, v);
  std::vector<std::uint8_t> back(10000);
  m.read(4090, back);
  CHECK(back == v);
  CHECK(m.pages() == 4);
  m.write_u32(8, 0xDEADBEEF);
  CHECK(m.read_u32(8) == 0xDEADBEEF);
  const std::uint8_t d[4] = {1, 2, 3, 4};
  m.write_strobed(8, d, 0b0101);
  CHECK(m.read_u32(8) == 0xDE03BE01);
}

TEST_CASE("ideal read slave streams one beat per cycle after a fixed latency",
          "[rtl][axi_model]") {
  SparseMemory mem;
  fill_pattern(mem, 0x1000, 64 * 16 * 16);
  AxiReadSlave slave(mem, AxiPortShape{128, 40}, AxiTiming::ideal(4));
  AxiReadChecker chk("read port 0", AxiPortShape{128, 40}, AxiCheckLimits{16, 8});
  chk.allow(AxiRange{0x1000, 0x1000 + 64 * 16 * 16});
  ReadMaster m;
  m.max_out = 8;
  for (int i = 0; i < 64; ++i) m.todo.push_back({0x1000 + std::uint64_t(i) * 256, 16});
  const std::uint64_t cyc = run_reads(m, slave, chk, mem);
  CHECK(m.got.size() == 64 * 16);
  CHECK(cyc <= 64 * 16 + 8);  // fully pipelined: beats + latency + a few
  CHECK(chk.violations().empty());
  CHECK(chk.max_in_flight() >= 2);
}

TEST_CASE("random read slave returns correct data in order under backpressure",
          "[rtl][axi_model]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SparseMemory mem;
    fill_pattern(mem, 0x20000, 64 * 1024);
    AxiReadSlave slave(mem, AxiPortShape{128, 40}, AxiTiming::random(seed));
    AxiReadChecker chk("read port 0", AxiPortShape{128, 40}, AxiCheckLimits{16, 8});
    chk.allow(AxiRange{0x20000, 0x30000});
    ReadMaster m;
    m.gap = 0.3;
    m.max_out = 8;
    std::mt19937 rng{unsigned(seed)};
    std::uint64_t a = 0x20000;
    for (int i = 0; i < 100; ++i) {
      const int beats = 1 + int(rng() % 16);
      m.todo.push_back({a, beats});
      a += std::uint64_t(beats) * 16;
      if (a / 4096 != (a + 256) / 4096) a = (a + 4095) / 4096 * 4096;
    }
    run_reads(m, slave, chk, mem);
    CHECK(chk.violations().empty());
    CHECK(chk.max_in_flight() >= 2);
    CHECK(slave.bursts_in_flight() == 0);
  }
}

TEST_CASE("write slaves apply strobed beats in order with W allowed before AW",
          "[rtl][axi_model]") {
  for (bool random : {false, true}) {
    SparseMemory mem(0x55);
    const AxiTiming t = random ? AxiTiming::random(9) : AxiTiming::ideal(3);
    AxiWriteSlave slave(mem, AxiPortShape{64, 40}, t);
    AxiWriteChecker chk("write port 0", AxiPortShape{64, 40}, AxiCheckLimits{4, 1 << 30});
    chk.allow(AxiRange{0x100, 0x100 + 4 * 29});  // 29 floats: last word half strobed
    // Bursts: 4 + 4 + 4 + 3 beats of 8 bytes = 120 bytes, 116 strobed.
    std::deque<std::pair<std::uint64_t, int>> aws = {{0x100, 4}, {0x120, 4}, {0x140, 4},
                                                     {0x160, 3}};
    const int total_beats = 15;
    AxiWriteMaster m;
    int w_sent = 0, b_got = 0, aw_idx = 0;
    std::mt19937 rng(5);
    std::uint64_t cyc = 0;
    // W leads AW by up to 6 beats.
    while (b_got < 4 && cyc < 10000) {
      if (!m.awvalid && aw_idx < 4 && (w_sent >= 6 || aw_idx == 0 || rng() % 2)) {
        m.awvalid = true;
        m.awaddr = aws[std::size_t(aw_idx)].first;
        m.awlen = std::uint8_t(aws[std::size_t(aw_idx)].second - 1);
        m.awsize = 3;
        m.awburst = kAxiBurstIncr;
      }
      if (!m.wvalid && w_sent < total_beats) {
        m.wvalid = true;
        for (int b = 0; b < 8; ++b) m.wdata[std::size_t(b)] = std::uint8_t(w_sent * 8 + b);
        m.wstrb = w_sent == total_beats - 1 ? 0x0F : 0xFF;
        const int in_burst = w_sent < 12 ? w_sent % 4 : w_sent - 12;
        m.wlast = w_sent < 12 ? in_burst == 3 : in_burst == 2;
      }
      m.bready = !random || rng() % 2;
      const AxiWriteSlaveOut s = slave.outputs();
      chk.sample(cyc, m, s);
      slave.clock(m);
      if (m.awvalid && s.awready) {
        m.awvalid = false;
        ++aw_idx;
      }
      if (m.wvalid && s.wready) {
        m.wvalid = false;
        ++w_sent;
      }
      if (s.bvalid && m.bready) {
        CHECK(s.bresp == kAxiRespOkay);
        ++b_got;
      }
      ++cyc;
    }
    REQUIRE(b_got == 4);
    chk.check_quiescent(cyc);
    CHECK(rules(chk.violations()).empty());
    for (int i = 0; i < 116; ++i) CHECK(mem.read_u8(0x100 + std::uint64_t(i)) == std::uint8_t(i));
    for (int i = 116; i < 120; ++i) CHECK(mem.read_u8(0x100 + std::uint64_t(i)) == 0x55);
  }
}

TEST_CASE("read slave answers SLVERR inside an error range", "[rtl][axi_model]") {
  SparseMemory mem;
  AxiReadSlave slave(mem, AxiPortShape{128, 40}, AxiTiming::ideal(1));
  slave.add_error_range(AxiErrorRange{0x1010, 0x1020});
  AxiReadMaster m;
  m.arvalid = true;
  m.araddr = 0x1000;
  m.arlen = 2;
  m.arsize = 4;
  m.arburst = 1;
  m.rready = true;
  std::vector<int> resp;
  for (int c = 0; c < 10; ++c) {
    const AxiReadSlaveOut o = slave.outputs();
    if (o.rvalid) resp.push_back(o.rresp);
    slave.clock(m);
    if (o.arready) m.arvalid = false;
  }
  CHECK(resp == std::vector<int>{0, 2, 0});
}

TEST_CASE("checker flags every read-channel rule", "[rtl][axi_model]") {
  const AxiPortShape shape{128, 40};
  auto fresh = [&] {
    AxiReadChecker c("read port 1", shape, AxiCheckLimits{16, 2});
    c.allow(AxiRange{0x10000, 0x20000});
    return c;
  };
  AxiReadMaster good;
  good.arvalid = true;
  good.araddr = 0x10000;
  good.arlen = 15;
  good.arsize = 4;
  good.arburst = 1;
  AxiReadSlaveOut ready, busy;
  ready.arready = true;
  busy.arready = false;

  auto single = [&](AxiReadMaster m) {
    AxiReadChecker c = fresh();
    c.sample(5, m, ready);
    return rules(c.violations());
  };
  CHECK(single(good).empty());
  AxiReadMaster m = good;
  m.arlen = 16;
  CHECK(single(m) == std::vector<std::string>{"AR-LEN"});
  m = good;
  m.arsize = 3;
  CHECK(single(m) == std::vector<std::string>{"AR-SIZE"});
  m = good;
  m.arburst = 0;
  CHECK(single(m) == std::vector<std::string>{"AR-BURST"});
  m = good;
  m.araddr = 0x10008;
  m.arlen = 0;
  CHECK(single(m) == std::vector<std::string>{"AR-ALIGN"});
  m = good;
  m.araddr = 0x10F80;  // 16 beats x 16 B = 256 B from 0x10F80 crosses 0x11000
  CHECK(single(m) == std::vector<std::string>{"AR-4K"});
  m = good;
  m.araddr = 0x20000;
  CHECK(single(m) == std::vector<std::string>{"AR-RANGE"});
  m = good;
  m.araddr = 0xFFF0;
  m.arlen = 0;
  CHECK(single(m) == std::vector<std::string>{"AR-RANGE"});

  {  // valid dropped, payload changed
    AxiReadChecker c = fresh();
    c.sample(1, good, busy);
    AxiReadMaster d = good;
    d.arvalid = false;
    c.sample(2, d, busy);
    REQUIRE(rules(c.violations()) == std::vector<std::string>{"AR-STABLE"});
    CHECK(c.violations()[0].cycle == 2);
    CHECK(c.violations()[0].message().find("read port 1") != std::string::npos);
    AxiReadChecker c2 = fresh();
    c2.sample(1, good, busy);
    d = good;
    d.araddr += 16;
    c2.sample(2, d, ready);
    CHECK(rules(c2.violations()) == std::vector<std::string>{"AR-STABLE"});
  }
  {  // three bursts accepted with MaxOutstanding 2
    AxiReadChecker c = fresh();
    for (int i = 0; i < 3; ++i) {
      AxiReadMaster a = good;
      a.araddr += std::uint64_t(i) * 256;
      c.sample(std::uint64_t(i), a, ready);
    }
    CHECK(rules(c.violations()) == std::vector<std::string>{"AR-OUTSTANDING"});
    c.clear_violations();
    c.check_quiescent(10);
    CHECK(rules(c.violations()) == std::vector<std::string>{"QUIESCE"});
  }
}

TEST_CASE("checker flags every write-channel rule", "[rtl][axi_model]") {
  const AxiPortShape shape{128, 40};
  AxiWriteSlaveOut ready;
  ready.awready = ready.wready = true;
  AxiWriteSlaveOut busy;
  auto fresh = [&] {
    AxiWriteChecker c("write port 0", shape, AxiCheckLimits{4, 1 << 30});
    c.allow(AxiRange{0x4000, 0x4000 + 4 * 10});  // 10 floats: 2.5 words
    return c;
  };
  AxiWriteMaster aw;
  aw.awvalid = true;
  aw.awaddr = 0x4000;
  aw.awlen = 2;
  aw.awsize = 4;
  aw.awburst = 1;
  auto beat = [](std::uint64_t strb, bool last) {
    AxiWriteMaster w;
    w.wvalid = true;
    w.wstrb = strb;
    w.wlast = last;
    return w;
  };
  {  // a correct job write: 3 beats, last one half strobed
    AxiWriteChecker c = fresh();
    c.sample(0, aw, ready);
    c.sample(1, beat(0xFFFF, false), ready);
    c.sample(2, beat(0xFFFF, false), ready);
    c.sample(3, beat(0x00FF, true), ready);
    CHECK(rules(c.violations()).empty());
  }
  {
    AxiWriteChecker c = fresh();
    c.sample(0, aw, ready);
    c.sample(1, beat(0xFFFF, false), ready);
    c.sample(2, beat(0xFFFF, true), ready);
    CHECK(rules(c.violations()) == std::vector<std::string>{"W-LAST"});
  }
  {
    AxiWriteChecker c = fresh();
    c.sample(0, aw, ready);
    c.sample(1, beat(0xFFFF, false), ready);
    c.sample(2, beat(0xFFFF, false), ready);
    c.sample(3, beat(0xFFFF, true), ready);  // floats 10, 11 are outside
    CHECK(rules(c.violations()) == std::vector<std::string>{"W-STRB"});
  }
  {
    AxiWriteChecker c = fresh();
    c.sample(1, beat(0x0003, false), ready);  // W before AW, half a float
    c.sample(2, aw, ready);
    CHECK(rules(c.violations()) == std::vector<std::string>{"W-STRB"});
  }
  {
    AxiWriteChecker c = fresh();
    AxiWriteMaster a = aw;
    a.awaddr = 0x4030;  // beyond the rounded-up y image
    a.awlen = 0;
    c.sample(0, a, ready);
    CHECK(rules(c.violations()) == std::vector<std::string>{"AW-RANGE"});
  }
  {
    AxiWriteChecker c = fresh();
    AxiWriteMaster a = aw;
    a.awlen = 4;
    a.awsize = 2;
    a.awburst = 2;
    c.sample(0, a, ready);
    CHECK(rules(c.violations()) ==
          std::vector<std::string>{"AW-LEN", "AW-SIZE", "AW-BURST", "AW-RANGE"});
  }
  {
    AxiWriteChecker c = fresh();
    AxiWriteMaster w = beat(0xFFFF, false);
    c.sample(0, w, busy);
    w.wdata[0] = 1;
    c.sample(1, w, busy);
    w.wvalid = false;
    c.sample(2, w, busy);
    CHECK(rules(c.violations()) == std::vector<std::string>{"W-STABLE", "W-STABLE"});
  }
  {
    AxiWriteChecker c = fresh();
    c.sample(0, aw, busy);
    AxiWriteMaster a = aw;
    a.awlen = 1;
    c.sample(1, a, ready);
    CHECK(rules(c.violations()).front() == "AW-STABLE");
  }
  {  // idle with an incomplete burst
    AxiWriteChecker c = fresh();
    c.sample(0, aw, ready);
    c.sample(1, beat(0xFFFF, false), ready);
    c.check_quiescent(2);
    CHECK(rules(c.violations()) == std::vector<std::string>{"QUIESCE"});
  }
}
