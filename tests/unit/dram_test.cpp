// DDR4 timing model: latencies, bandwidths and overheads checked against
// values derived here from the configured timing parameters.
#include "sim/dram/address_map.h"
#include "sim/dram/dram_config.h"
#include "sim/dram/dram_system.h"
#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace llamaf::dram;

namespace {

DramConfig base_config() {
  DramConfig c;  // DDR4-2400 17-17-17, 64-bit, 1 channel, 1 rank, 2 BG x 4 banks, 8 KB rows
  c.controller.refresh_enabled = false;
  return c;
}

// Runs one request alone from an idle system; returns done - enqueue cycles.
std::uint64_t lone_latency(DramSystem& mem, std::uint64_t addr, bool is_write = false) {
  REQUIRE(mem.try_enqueue({addr, 64, is_write, 0, 0}));
  DramCompletion c;
  for (int i = 0; i < 100000; ++i) {
    if (mem.pop_completion(c)) return c.done_cycle - c.enqueue_cycle;
    mem.tick();
  }
  FAIL("request never completed");
  return 0;
}

void settle(DramSystem& mem, std::uint64_t cycles) { mem.advance_to(mem.cycle() + cycles); }

// Streams `n` single-burst requests at addr_of(i), keeping the queue as full
// as backpressure allows; returns the completion cycle of each.
std::vector<std::uint64_t> run_stream(DramSystem& mem, std::uint64_t n,
                                      const std::function<std::uint64_t(std::uint64_t)>& addr_of,
                                      bool is_write = false) {
  std::vector<std::uint64_t> done(n, 0);
  std::uint64_t next = 0, got = 0;
  DramCompletion c;
  while (got < n) {
    while (next < n && mem.try_enqueue({addr_of(next), 64, is_write, 0, next})) ++next;
    mem.tick();
    while (mem.pop_completion(c)) {
      done[c.tag] = c.done_cycle;
      ++got;
    }
  }
  return done;
}

std::uint64_t seq(std::uint64_t i) { return i * 64; }

}  // namespace

TEST_CASE("DDR4-2400 defaults convert to the JEDEC clock counts", "[dram]") {
  const DramConfig c;
  const DramTiming t = derive_timing(c);
  // Speed bin DDR4-2400T is named by CL-nRCD-nRP = 17-17-17 clocks.
  CHECK(t.CL == 17);
  CHECK(t.tRCD == 17);
  CHECK(t.tRP == 17);
  // tCK = 2000 / 2400 ns; tCCD_L = max(4 nCK, 5 ns) = 6 clocks at 2400.
  CHECK(t.tCCD_L == 6);
  // tRFC = 350 ns and tREFI = 7.8 us at 1200 MHz command clock.
  CHECK(t.tRFC == 350 * 1200 / 1000);
  CHECK(t.tREFI == 7800 * 1200 / 1000);
  CHECK(t.tBL == 4);
  CHECK(c.burst_bytes() == 64);
  CHECK(c.capacity_bytes() == 4ull << 30);  // 4 GB: 8 banks x 64 Ki rows x 8 KB
  CHECK(c.peak_bandwidth_gbps() == Approx(19.2));
  // JEDEC floors apply at low data rates.
  DramConfig slow;
  slow.data_rate_mts = 800;
  CHECK(derive_timing(slow).tRRD_S == 4);
  CHECK(derive_timing(slow).tCCD_L == 4);
}

TEST_CASE("address mappings slice the documented fields", "[dram]") {
  for (AddressMapping m :
       {AddressMapping::RowBankCol, AddressMapping::BankRowCol, AddressMapping::RowColBank}) {
    DramConfig c = base_config();
    c.channels = 2;
    c.ranks = 2;
    c.controller.address_mapping = m;
    const AddressMapper map(c);
    for (std::uint64_t a : {0ull, 64ull, 8192ull, 123456789ull * 64, (1ull << 33) + 4096}) {
      const DramCoord d = map.decode(a);
      CHECK(map.decode(map.encode(d)) == d);
      CHECK(map.encode(d) == (a & (c.capacity_bytes() - 1) & ~63ull));
    }
  }
  DramConfig c = base_config();
  c.controller.address_mapping = AddressMapping::RowBankCol;
  AddressMapper rbc(c);
  const int r = c.bursts_per_row();
  CHECK(rbc.decode(64ull * (r - 1)).column == static_cast<std::uint32_t>(r - 1));
  CHECK(rbc.decode(64ull * r).bank_group == 1);  // next row-sized chunk: next bank group
  CHECK(rbc.decode(64ull * r * c.banks_per_rank()).row == 1);
  c.controller.address_mapping = AddressMapping::RowColBank;
  AddressMapper rcb(c);
  CHECK(rcb.decode(0).bank_group == 0);
  CHECK(rcb.decode(64).bank_group == 1);  // consecutive bursts alternate bank groups
  CHECK(rcb.decode(128).bank == 1);
  CHECK(rcb.decode(64ull * c.banks_per_rank()).column == 1);
  c.controller.address_mapping = AddressMapping::BankRowCol;
  AddressMapper brc(c);
  CHECK(brc.decode(64ull * r).row == 1);  // stays in bank 0, next row
  CHECK(brc.decode(64ull * r).bank_group == 0);
}

TEST_CASE("isolated accesses take the latency the timings add up to", "[dram]") {
  DramConfig c = base_config();
  SECTION("open page: miss, hit, conflict") {
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    const AddressMapper& map = mem.mapper();
    // Closed bank: ACT, tRCD later READ, CL later the first beat, tBL beats.
    CHECK(lone_latency(mem, 0) == static_cast<std::uint64_t>(t.tRCD + t.CL + t.tBL));
    // Same row: READ at once.
    CHECK(lone_latency(mem, 64) == static_cast<std::uint64_t>(t.CL + t.tBL));
    // Other row of the same bank, after tRAS and tRTP have passed: PRE, ACT, READ.
    settle(mem, 1000);
    const std::uint64_t other_row = map.encode({0, 0, 0, 0, 7, 0});
    CHECK(lone_latency(mem, other_row) ==
          static_cast<std::uint64_t>(t.tRP + t.tRCD + t.CL + t.tBL));
    const nlohmann::json s = mem.stats_json();
    CHECK(s["row_buffer"]["hits"] == 1);
    CHECK(s["row_buffer"]["misses"] == 1);
    CHECK(s["row_buffer"]["conflicts"] == 1);
    CHECK(s["commands"]["activate"] == 2);
    CHECK(s["commands"]["precharge"] == 1);
  }
  SECTION("closed page turns the second access into a miss") {
    c.controller.page_policy = PagePolicy::Closed;
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    CHECK(lone_latency(mem, 0) == static_cast<std::uint64_t>(t.tRCD + t.CL + t.tBL));
    settle(mem, 200);
    CHECK(lone_latency(mem, 64) == static_cast<std::uint64_t>(t.tRCD + t.CL + t.tBL));
    CHECK(mem.stats().precharges == 2);
  }
  SECTION("front-end latency adds to every request") {
    c.controller.frontend_latency_ck = 9;
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    CHECK(lone_latency(mem, 0) == static_cast<std::uint64_t>(9 + t.tRCD + t.CL + t.tBL));
  }
  SECTION("writes: posted or after the write data") {
    DramSystem posted(c);
    CHECK(lone_latency(posted, 0, true) == 0);
    c.controller.write_response = WriteResponse::OnData;
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    CHECK(lone_latency(mem, 0, true) == static_cast<std::uint64_t>(t.tRCD + t.CWL + t.tBL));
    // A read to the same bank group after the write waits for the end of
    // the write data plus tWTR_L: done = WR + CWL + tBL + tWTR_L + CL + tBL.
    REQUIRE(mem.try_enqueue({128, 64, true, 0, 1}));
    DramCompletion w;
    while (!mem.pop_completion(w)) mem.tick();
    const std::uint64_t wr_cycle = w.done_cycle - static_cast<std::uint64_t>(t.CWL + t.tBL);
    REQUIRE(mem.try_enqueue({192, 64, false, 0, 2}));
    DramCompletion rd;
    while (!mem.pop_completion(rd)) mem.tick();
    CHECK(rd.done_cycle ==
          wr_cycle + static_cast<std::uint64_t>(t.CWL + t.tBL + t.tWTR_L + t.CL + t.tBL));
  }
  SECTION("a multi-burst request completes with its last burst") {
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    // 256 B = 4 bursts in one row: ACT, then READs tCCD_L apart (same bank).
    REQUIRE(mem.try_enqueue({0, 256, false, 3, 42}));
    DramCompletion d;
    while (!mem.pop_completion(d)) mem.tick();
    CHECK(d.tag == 42);
    CHECK(d.done_cycle == static_cast<std::uint64_t>(t.tRCD + 3 * t.tCCD_L + t.CL + t.tBL));
    CHECK(mem.stats().per_source.at(3).read_bytes == 256);
  }
}

TEST_CASE("sequential reads without lookahead: tCCD_L per burst plus a conflict per row",
          "[dram]") {
  DramConfig c = base_config();
  c.controller.read_queue_depth = 1;
  c.controller.address_mapping = AddressMapping::RowBankCol;
  DramSystem mem(c);
  const DramTiming& t = mem.timing();
  const std::uint64_t r = static_cast<std::uint64_t>(c.bursts_per_row());
  const std::uint64_t nb = static_cast<std::uint64_t>(c.banks_per_rank());
  // After the first pass over all banks every new row is a conflict. With one
  // queue slot the next burst arrives the cycle after the previous READ, so
  // per row: hits tCCD_L apart, then 1 + tRP + tRCD to the next row's
  // first READ (PRE in the arrival cycle, ACT tRP later, READ tRCD later).
  const std::uint64_t t_row =
      (r - 1) * static_cast<std::uint64_t>(t.tCCD_L) + 1 + static_cast<std::uint64_t>(t.tRP + t.tRCD);
  const std::uint64_t rows = 3 * nb;
  const std::vector<std::uint64_t> done = run_stream(mem, rows * r, seq);
  const std::uint64_t first = nb * r - 1, last = rows * r - 1;  // row ends
  CHECK(done[last] - done[first] == (rows - nb) * t_row);
  const double efficiency = static_cast<double>((last - first) * t.tBL) /
                            static_cast<double>(done[last] - done[first]);
  CHECK(efficiency == Approx(static_cast<double>(r * t.tBL) / static_cast<double>(t_row)));
  CHECK(mem.stats().row_conflicts == (rows - nb));
  CHECK(mem.stats().row_misses == nb);
}

TEST_CASE("sequential reads interleaved over bank groups approach peak bandwidth", "[dram]") {
  DramConfig c = base_config();
  c.controller.address_mapping = AddressMapping::RowColBank;
  DramSystem mem(c);
  const DramTiming& t = mem.timing();
  const std::uint64_t nb = static_cast<std::uint64_t>(c.banks_per_rank());
  const std::uint64_t stripe = nb * static_cast<std::uint64_t>(c.bursts_per_row());
  // Within a stripe (one row in every bank) consecutive bursts alternate bank
  // groups, so READs can go every tCCD_S = tBL clocks: 100% of peak. At each
  // stripe switch every bank is precharged and reactivated; the stall is at
  // most tRTP + tRP + tRCD plus one activate slot per bank, each slot
  // max(tRRD_L, tFAW/4).
  REQUIRE(t.tCCD_S == t.tBL);
  const double act_slot = std::max(static_cast<double>(t.tRRD_L), std::ceil(t.tFAW / 4.0));
  const double stall_max = t.tRTP + t.tRP + t.tRCD + static_cast<double>(nb) * act_slot;
  const double stripe_cycles = static_cast<double>(stripe * t.tBL);
  const double lower = stripe_cycles / (stripe_cycles + stall_max);
  const std::uint64_t n = 12 * stripe;
  const std::vector<std::uint64_t> done = run_stream(mem, n, seq);
  const std::uint64_t first = 2 * stripe - 1, last = n - 1;
  const double eff = static_cast<double>((last - first) * t.tBL) /
                     static_cast<double>(done[last] - done[first]);
  INFO("efficiency " << eff << ", predicted range [" << lower << ", 1]");
  CHECK(eff >= lower);
  CHECK(eff <= 1.0);
  CHECK(mem.stats_json()["data_bus"]["utilization"].get<double>() <= 1.0);
}

TEST_CASE("row conflicts and activate limits slow streams by the predicted amounts", "[dram]") {
  DramConfig c = base_config();
  SECTION("same bank, new row every burst: one burst per max(tRC, tRAS + tRP, tRCD + tRTP + tRP)") {
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    const AddressMapper& map = mem.mapper();
    const std::uint64_t n = 400;
    const auto done = run_stream(mem, n, [&](std::uint64_t i) {
      return map.encode({0, 0, 0, 0, static_cast<std::uint32_t>(i), 0});
    });
    const std::uint64_t period = static_cast<std::uint64_t>(
        std::max({t.tRC, t.tRAS + t.tRP, t.tRCD + t.tRTP + t.tRP}));
    CHECK(done[n - 1] - done[99] == (n - 100) * period);
    // The same bank with row hits instead: tCCD_L per burst.
    DramSystem hits(c);
    const auto done_hits = run_stream(hits, n, [&](std::uint64_t i) {
      return map.encode({0, 0, 0, 0, 0, static_cast<std::uint32_t>(i % 128)});
    });
    CHECK(done_hits[n - 1] - done_hits[99] == (n - 100) * static_cast<std::uint64_t>(t.tCCD_L));
  }
  SECTION("new row in every bank in turn: activate-rate bound") {
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    const AddressMapper& map = mem.mapper();
    const int nb = c.banks_per_rank();
    // Bank order alternates bank groups; each access opens a new row.
    const std::uint64_t n = 4000;
    const auto done = run_stream(mem, n, [&](std::uint64_t i) {
      const int k = static_cast<int>(i % static_cast<std::uint64_t>(nb));
      return map.encode({0, 0, k % c.bank_groups, k / c.bank_groups,
                         static_cast<std::uint32_t>(i / static_cast<std::uint64_t>(nb)), 0});
    });
    // One ACT per burst: limited by tFAW/4, tRRD_S (bank groups alternate),
    // tRC spread over the banks, and the burst time.
    const double period = std::max({t.tFAW / 4.0, static_cast<double>(t.tRRD_S),
                                    static_cast<double>(t.tRC) / nb, static_cast<double>(t.tBL)});
    const double measured = static_cast<double>(done[n - 1] - done[999]) / static_cast<double>(n - 1000);
    CHECK(measured == Approx(period).epsilon(0.01));
    CHECK(mem.stats().row_hits == 0);
  }
}

TEST_CASE("refresh: one REF per tREFI, costing about tRFC/tREFI of the time", "[dram]") {
  DramConfig c = base_config();
  c.controller.refresh_enabled = true;
  SECTION("idle: REF exactly every tREFI; a read arriving just after waits tRFC") {
    DramSystem mem(c);
    const DramTiming& t = mem.timing();
    const std::uint64_t refi = static_cast<std::uint64_t>(t.tREFI);
    mem.advance_to(refi + 1);  // the first REF issued at cycle tREFI (all banks closed)
    CHECK(mem.stats().refreshes == 1);
    REQUIRE(mem.try_enqueue({0, 64, false, 0, 0}));
    DramCompletion d;
    while (!mem.pop_completion(d)) mem.tick();
    CHECK(d.done_cycle == refi + static_cast<std::uint64_t>(t.tRFC + t.tRCD + t.CL + t.tBL));
    mem.advance_to(50 * refi + 1);
    CHECK(mem.stats().refreshes == 50);
  }
  SECTION("streaming") {
    DramConfig c_off = c;
    c_off.controller.refresh_enabled = false;
    c.controller.address_mapping = c_off.controller.address_mapping = AddressMapping::RowColBank;
    DramSystem on(c), off(c_off);
    const DramTiming& t = on.timing();
    const std::uint64_t n = 40 * static_cast<std::uint64_t>(t.tREFI / t.tBL);  // ~40 tREFI of data
    const std::uint64_t first = 2000;
    const auto d_on = run_stream(on, n, seq);
    const auto d_off = run_stream(off, n, seq);
    const double t_on = static_cast<double>(d_on[n - 1] - d_on[first]);
    const double t_off = static_cast<double>(d_off[n - 1] - d_off[first]);
    const double loss = 1.0 - t_off / t_on;
    // At least tRFC per refresh is lost; at most tRFC plus draining (tRAS,
    // tRP) and restarting every bank (tRCD + one activate slot per bank).
    const int nb = c.banks_per_rank();
    const double act_slot = std::max(static_cast<double>(t.tRRD_L), std::ceil(t.tFAW / 4.0));
    const double lo = static_cast<double>(t.tRFC) / t.tREFI;
    const double hi = (t.tRFC + t.tRAS + t.tRP + t.tRCD + nb * act_slot) / t.tREFI;
    INFO("refresh loss " << loss << ", predicted [" << lo << ", " << hi << "]");
    CHECK(loss >= 0.95 * lo);
    CHECK(loss <= 1.05 * hi);
    const double refs = static_cast<double>(on.stats().refreshes);
    CHECK(refs == Approx(static_cast<double>(on.cycle()) / t.tREFI).margin(1.0));
  }
}

TEST_CASE("queues apply backpressure and accept again as slots free", "[dram]") {
  DramConfig c = base_config();
  c.controller.read_queue_depth = 4;
  DramSystem mem(c);
  int accepted = 0;
  for (int i = 0; i < 10; ++i)
    if (mem.try_enqueue({static_cast<std::uint64_t>(i) * 64, 64, false, 0, static_cast<std::uint64_t>(i)}))
      ++accepted;
  CHECK(accepted == 4);
  CHECK(mem.stats().rejected_requests == 6);
  const DramRequest fifth{4 * 64, 64, false, 0, 4};
  CHECK_FALSE(mem.can_accept(fifth));
  // The first READ issues tRCD after the ACT and frees its slot.
  const DramTiming& t = mem.timing();
  mem.advance_to(static_cast<std::uint64_t>(t.tRCD));
  CHECK_FALSE(mem.can_accept(fifth));
  mem.tick();
  CHECK(mem.can_accept(fifth));
  CHECK(mem.try_enqueue(fifth));
  // Writes have their own queue.
  CHECK(mem.try_enqueue({1 << 20, 64, true, 0, 99}));

  SECTION("a request larger than the queue enters burst by burst") {
    DramSystem big(c);
    REQUIRE(big.try_enqueue({0, 1024, false, 0, 7}));  // 16 bursts, 4 slots
    CHECK_FALSE(big.can_accept({4096, 64, false, 0, 8}));  // waits behind the overflow
    DramCompletion d;
    while (!big.pop_completion(d)) big.tick();
    CHECK(d.tag == 7);
    // One row, one bank: ACT, then 16 READs tCCD_L apart.
    CHECK(d.done_cycle == static_cast<std::uint64_t>(t.tRCD + 15 * t.tCCD_L + t.CL + t.tBL));
    CHECK(big.idle());
  }
  SECTION("invalid requests throw") {
    CHECK_THROWS_AS(mem.try_enqueue({0, 0, false, 0, 0}), llamaf::Error);
    CHECK_THROWS_AS(mem.try_enqueue({0, 64, false, kMaxSources, 0}), llamaf::Error);
  }
}

TEST_CASE("writes are drained between the watermarks while reads wait", "[dram]") {
  DramConfig c = base_config();
  c.controller.write_queue_depth = 16;
  c.controller.write_high_watermark = 12;
  c.controller.write_low_watermark = 4;
  DramSystem mem(c);
  std::uint64_t next_read = 0;
  auto feed_reads = [&] {
    while (mem.try_enqueue({next_read * 64, 64, false, 1, next_read})) ++next_read;
  };
  auto run = [&](int cycles) {
    for (int i = 0; i < cycles; ++i) {
      feed_reads();
      mem.tick();
      DramCompletion d;
      while (mem.pop_completion(d)) {
      }
    }
  };
  for (int w = 0; w < 11; ++w)
    REQUIRE(mem.try_enqueue({(1u << 24) + static_cast<std::uint64_t>(w) * 64, 64, true, 2,
                             1000000u + static_cast<std::uint64_t>(w)}));
  run(5000);
  CHECK(mem.stats().write_bursts == 0);  // below the high watermark, reads keep priority
  REQUIRE(mem.try_enqueue({(1u << 24) + 11 * 64, 64, true, 2, 2000000}));
  run(5000);
  CHECK(mem.stats().write_bursts == 12 - 4);  // drained from high to low watermark
  CHECK(mem.stats().write_mode_switches == 1);
  // With no reads waiting the rest drain too.
  DramCompletion d;
  for (int i = 0; i < 5000; ++i) {
    mem.tick();
    while (mem.pop_completion(d)) {
    }
  }
  CHECK(mem.stats().write_bursts == 12);
  const nlohmann::json s = mem.stats_json();
  CHECK(s["sources"]["2"]["write_bytes"] == 12 * 64);
  CHECK(s["sources"]["1"]["read_bytes"].get<std::uint64_t>() == mem.stats().bytes_read);
}

TEST_CASE("more channels and ranks spread a stream and add bandwidth", "[dram]") {
  DramConfig c = base_config();
  c.channels = 2;
  c.ranks = 2;
  c.controller.address_mapping = AddressMapping::RowColBank;
  DramSystem mem(c);
  const std::uint64_t n = 20000;
  const auto done = run_stream(mem, n, seq);
  const double eff = static_cast<double>((n - 2001) * mem.timing().tBL) /
                     static_cast<double>(done[n - 1] - done[2000]);
  CHECK(eff > 1.5);  // bursts per channel-bus time: two buses in parallel
  CHECK(eff <= 2.0);
  CHECK(mem.stats().read_bursts == n);
  CHECK(mem.idle());
}

TEST_CASE("memory JSON errors name the key path", "[dram]") {
  const nlohmann::json good = {{"data_rate_mts", 2400}, {"bus_width_bits", 64},
                               {"bank_groups", 2},      {"banks_per_group", 4},
                               {"rows", 65536},         {"row_bytes", 8192}};
  const DramConfig c = dram_config_from_json(good, "b.json");
  CHECK(c.timing.tRCD_ns == Approx(14.16));
  CHECK(c.controller.address_mapping == AddressMapping::RowBankCol);
  auto error_of = [](const nlohmann::json& j) -> std::string {
    try {
      dram_config_from_json(j, "b.json");
    } catch (const llamaf::Error& e) {
      return e.what();
    }
    return "no error";
  };
  using Catch::Matchers::Contains;
  nlohmann::json j = good;
  j.erase("data_rate_mts");
  CHECK_THAT(error_of(j), Contains("b.json: memory.data_rate_mts") && Contains("missing"));
  j = good;
  j["timing"] = {{"tRDC_ns", 14.0}};
  CHECK_THAT(error_of(j), Contains("memory.timing.tRDC_ns") && Contains("unknown"));
  j = good;
  j["timing"] = {{"CL_ck", 0}};
  CHECK_THAT(error_of(j), Contains("memory.timing.CL_ck") && Contains("[1, 64]"));
  j = good;
  j["timing"] = {{"tRCD_ns", -1}};
  CHECK_THAT(error_of(j), Contains("memory.timing.tRCD_ns"));
  j = good;
  j["rows"] = 1000;
  CHECK_THAT(error_of(j), Contains("memory.rows") && Contains("power of two"));
  j = good;
  j["bus_width_bits"] = "64";
  CHECK_THAT(error_of(j), Contains("memory.bus_width_bits") && Contains("integer"));
  j = good;
  j["controller"] = {{"address_mapping", "row_bank"}};
  CHECK_THAT(error_of(j), Contains("memory.controller.address_mapping"));
  j = good;
  j["controller"] = {{"write_high_watermark", 8}, {"write_low_watermark", 8}};
  CHECK_THAT(error_of(j), Contains("memory.controller.write_low_watermark"));
  j = good;
  j["controller"] = {{"page_policy", "open"}, {"sources", {{"page_polcy", "x"}}}};
  CHECK_THAT(error_of(j), Contains("memory.controller.sources.page_polcy"));
  j = good;
  j["banks"] = 8;
  CHECK_THAT(error_of(j), Contains("memory.banks") && Contains("unknown"));
}

namespace {

// Independent check of a command trace against the JEDEC rules of
// docs/dram.md, using the converted timings of the model under test.
void check_trace(std::vector<DramCommandRecord> trace, const DramConfig& c, const DramTiming& t) {
  using I = std::int64_t;
  const I never = -(I{1} << 40);
  std::stable_sort(trace.begin(), trace.end(),
                   [](const DramCommandRecord& a, const DramCommandRecord& b) {
                     return a.cycle < b.cycle;
                   });
  struct BankState {
    bool open = false;
    std::uint32_t row = 0;
    I act = -(I{1} << 40), pre = -(I{1} << 40), rd = -(I{1} << 40), wr = -(I{1} << 40);
  };
  struct RankState {
    std::vector<I> acts;
    std::vector<I> act_bg, rd_bg, wr_bg;
    I act_any, rd_any, wr_any, ref;
  };
  const int nb = c.banks_per_rank();
  std::map<int, std::vector<BankState>> banks;
  std::map<int, std::vector<RankState>> ranks;
  std::map<int, I> last_cmd, bus_end;
  std::map<int, int> bus_rank;
  for (int ch = 0; ch < c.channels; ++ch) {
    banks[ch].resize(static_cast<std::size_t>(c.ranks * nb));
    for (int r = 0; r < c.ranks; ++r) {
      RankState rs;
      rs.act_bg = rs.rd_bg = rs.wr_bg = std::vector<I>(static_cast<std::size_t>(c.bank_groups), never);
      rs.act_any = rs.rd_any = rs.wr_any = rs.ref = never;
      ranks[ch].push_back(rs);
    }
    last_cmd[ch] = never;
    bus_end[ch] = never;
    bus_rank[ch] = 0;
  }
  std::size_t checked = 0;
  for (const DramCommandRecord& r : trace) {
    const I now = static_cast<I>(r.cycle);
    const int ch = r.channel;
    RankState& rk = ranks[ch][r.rank];
    BankState& bk = banks[ch][static_cast<std::size_t>(r.rank * nb + r.bank_group * c.banks_per_group + r.bank)];
    const std::size_t bg = r.bank_group;
    INFO(to_string(r.command) << " at " << r.cycle << " ch " << ch << " rank " << int(r.rank)
                              << " bg " << int(r.bank_group) << " bank " << int(r.bank));
    if (!r.implicit) {
      REQUIRE(now > last_cmd[ch]);  // one command per cycle per channel
      last_cmd[ch] = now;
    }
    switch (r.command) {
      case DramCommand::Activate:
        REQUIRE_FALSE(bk.open);
        REQUIRE(now - bk.pre >= t.tRP);
        REQUIRE(now - bk.act >= t.tRC);
        REQUIRE(now - rk.act_bg[bg] >= t.tRRD_L);
        REQUIRE(now - rk.act_any >= t.tRRD_S);
        if (rk.acts.size() >= 4) REQUIRE(now - rk.acts[rk.acts.size() - 4] >= t.tFAW);
        REQUIRE(now - rk.ref >= t.tRFC);
        bk.open = true;
        bk.row = r.row;
        bk.act = now;
        rk.acts.push_back(now);
        rk.act_bg[bg] = rk.act_any = now;
        break;
      case DramCommand::Precharge:
        REQUIRE(bk.open);
        REQUIRE(now - bk.act >= t.tRAS);
        REQUIRE(now - bk.rd >= t.tRTP);
        REQUIRE(now - (bk.wr + t.CWL + t.tBL) >= t.tWR);
        bk.open = false;
        bk.pre = now;
        break;
      case DramCommand::Read:
      case DramCommand::Write: {
        const bool wr = r.command == DramCommand::Write;
        REQUIRE(bk.open);
        REQUIRE(bk.row == r.row);
        REQUIRE(now - bk.act >= t.tRCD);
        if (wr) {
          REQUIRE(now - rk.wr_bg[bg] >= t.tCCD_L);
          REQUIRE(now - rk.wr_any >= t.tCCD_S);
          REQUIRE(now - rk.rd_any >= t.tRTW);
        } else {
          REQUIRE(now - rk.rd_bg[bg] >= t.tCCD_L);
          REQUIRE(now - rk.rd_any >= t.tCCD_S);
          REQUIRE(now - (rk.wr_bg[bg] + t.CWL + t.tBL) >= t.tWTR_L);
          REQUIRE(now - (rk.wr_any + t.CWL + t.tBL) >= t.tWTR_S);
        }
        const I start = now + (wr ? t.CWL : t.CL);
        REQUIRE(start >= bus_end[ch] + (r.rank != bus_rank[ch] ? t.tRTRS : 0));
        bus_end[ch] = start + t.tBL;
        bus_rank[ch] = r.rank;
        if (wr) bk.wr = rk.wr_bg[bg] = rk.wr_any = now;
        else bk.rd = rk.rd_bg[bg] = rk.rd_any = now;
        break;
      }
      case DramCommand::Refresh:
        for (int k = 0; k < nb; ++k) {
          const BankState& o = banks[ch][static_cast<std::size_t>(r.rank * nb + k)];
          REQUIRE_FALSE(o.open);
          REQUIRE(now - o.pre >= t.tRP);
          REQUIRE(now - o.act >= t.tRC);
        }
        REQUIRE(now - rk.ref >= t.tRFC);
        rk.ref = now;
        break;
    }
    ++checked;
  }
  CHECK(checked == trace.size());
}

}  // namespace

TEST_CASE("random mixed traffic never violates a DDR4 timing rule", "[dram]") {
  DramConfig c;
  c.ranks = 2;
  c.controller.read_queue_depth = 16;
  c.controller.write_queue_depth = 16;
  c.controller.write_high_watermark = 12;
  c.controller.write_low_watermark = 4;
  c.controller.frontend_latency_ck = 3;
  c.timing.tREFI_ns = 2000;  // refresh often to exercise it
  SECTION("open page, row_bank_col") {}
  SECTION("closed page, row_bank_col") { c.controller.page_policy = PagePolicy::Closed; }
  SECTION("open page, two channels, row_col_bank, write data response") {
    c.channels = 2;
    c.controller.address_mapping = AddressMapping::RowColBank;
    c.controller.write_response = WriteResponse::OnData;
  }
  DramSystem mem(c);
  std::vector<DramCommandRecord> trace;
  mem.trace_commands(&trace);
  std::mt19937_64 rng(12345);
  std::uint64_t sent = 0, got = 0, tag = 0;
  DramCompletion d;
  bool pending = false;
  DramRequest req;
  for (int cycle = 0; cycle < 60000; ++cycle) {
    if (!pending && rng() % 3 == 0) {
      req.addr = (rng() % (1u << 22)) & ~std::uint64_t{7};
      req.bytes = static_cast<std::uint32_t>(1 + rng() % 512);
      req.is_write = rng() % 10 < 3;
      req.source = static_cast<std::uint32_t>(rng() % 4);
      req.tag = tag++;
      pending = true;
    }
    if (pending && mem.try_enqueue(req)) {
      pending = false;
      ++sent;
    }
    mem.tick();
    while (mem.pop_completion(d)) ++got;
  }
  for (int i = 0; i < 200000 && !mem.idle(); ++i) {
    mem.tick();
    while (mem.pop_completion(d)) ++got;
  }
  CHECK(got == sent);
  CHECK(mem.idle());
  const DramStats& s = mem.stats();
  CHECK(s.row_hits > 0);
  CHECK(s.row_conflicts + s.row_misses > 0);
  CHECK(s.refreshes > 0);
  CHECK(s.write_bursts > 0);
  INFO(trace.size() << " commands");
  check_trace(trace, c, mem.timing());
}

TEST_CASE("model speed on a streaming workload", "[dram][.bench]") {
  for (AddressMapping m : {AddressMapping::RowBankCol, AddressMapping::RowColBank}) {
    DramConfig c;
    c.controller.address_mapping = m;
    DramSystem mem(c);
    const std::uint64_t n = 4'000'000;
    // Process CPU time, so a loaded machine does not distort the rate.
    const std::clock_t t0 = std::clock();
    std::uint64_t next = 0, got = 0;
    DramCompletion d;
    while (got < n) {
      while (next < n && mem.try_enqueue({next * 64, 64, false, 0, next})) ++next;
      mem.tick();
      while (mem.pop_completion(d)) ++got;
    }
    const double s = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
    WARN(to_string(m) << ": " << n << " bursts, " << mem.cycle() << " DRAM cycles in " << s
                      << " CPU s: " << mem.cycle() / s / 1e6 << " M cycles/s, " << n / s / 1e6
                      << " M bursts/s, bus utilization "
                      << mem.stats_json()["data_bus"]["utilization"].get<double>());
    // Idle-heavy: one 64 B read every 200 cycles (a slow requester).
    DramSystem idle(c);
    const std::clock_t t1 = std::clock();
    for (std::uint64_t i = 0; i < 200000; ++i) {
      REQUIRE(idle.try_enqueue({i * 64, 64, false, 0, i}));
      for (int k = 0; k < 200; ++k) idle.tick();
      while (idle.pop_completion(d)) {
      }
    }
    const double s1 = static_cast<double>(std::clock() - t1) / CLOCKS_PER_SEC;
    WARN("idle-heavy tick(): " << idle.cycle() / s1 / 1e6 << " M cycles/s");
  }
}
