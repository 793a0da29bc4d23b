// Staged weights: the sync and async schedules' time accounting on a
// hand-computed two-layer model with an uncontended memory, and the
// staging buffer's placement and size checks.
#include "sim/model/error.h"
#include "sim/system/staging.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace llamaf;
using namespace llamaf::sim;

namespace {

// A host on a counter: a copy's DRAM traffic takes bytes / bytes_per_cycle
// from its start (or its pacing, if longer), whatever else runs
// (uncontended memory).
class CounterHost final : public StagingHost {
 public:
  explicit CounterHost(std::uint64_t bytes_per_cycle) : bpc_(bytes_per_cycle) {}
  std::uint64_t now() override { return t; }
  void copy_start(std::uint64_t src, std::uint64_t dst, std::uint64_t bytes, std::uint64_t pace) override {
    // Issued over `pace` cycles: done when the later of the issue and the
    // transfer is.
    dram_done = std::max(dram_done, t + std::max(pace, bytes / bpc_));
    copies.push_back({src, dst, bytes});
  }
  void copy_wait() override { t = std::max(t, dram_done); }
  void busy(std::uint64_t n) override { t += n; busy_cycles += double(n); }
  void idle_until(std::uint64_t x) override { t = std::max(t, x); }
  void account_busy(double n) override { busy_cycles += n; }

  struct Copy {
    std::uint64_t src, dst, bytes;
  };
  std::uint64_t t = 0, dram_done = 0;
  double busy_cycles = 0;
  std::vector<Copy> copies;

 private:
  std::uint64_t bpc_;
};

// Two layers and the classifier: sizes, CPU copy cycles, compute cycles.
// DRAM moves 10 bytes per cycle, so layer 0's traffic (4000 B) takes 400
// cycles against its CPU copy time of 500: the CPU bounds every copy but the
// classifier's, whose DRAM time (900) exceeds its CPU time (600).
const std::vector<WeightUnit> kUnits = {
    {0x1000, 4000, 500}, {0x2000, 3000, 350}, {0x3000, 9000, 600}};
const std::uint64_t kCompute[] = {700, 200, 1000};  // matvecs + host operators of each unit

std::uint64_t run_token(WeightStager& s, CounterHost& h) {
  const std::uint64_t start = h.t;
  for (int u = 0; u < 3; ++u) {
    s.enter(h, u);
    h.busy(kCompute[u]);
  }
  return h.t - start;
}

}  // namespace

TEST_CASE("staged_sync: every unit is copied, then computed", "[staging]") {
  WeightStager s({.async = false, .base = 0x100000}, kUnits, "--staging-bytes");
  CHECK(s.buffer_bytes() == 9000);  // the largest unit
  CounterHost h(10);
  // copy = max(CPU, DRAM) for each unit, then its compute
  const std::uint64_t expect = std::max<std::uint64_t>(500, 400) + 700 +
                               std::max<std::uint64_t>(350, 300) + 200 +
                               std::max<std::uint64_t>(600, 900) + 1000;
  CHECK(run_token(s, h) == expect);
  CHECK(run_token(s, h) == expect);  // no state carried between tokens
  for (const auto& c : h.copies) CHECK(c.dst == 0x100000);
  CHECK(s.bytes_copied() == 2 * 16000);
}

TEST_CASE("staged_async: each unit's compute overlaps the next unit's copy", "[staging]") {
  WeightStager s({.async = true, .base = 0x100000, .background_busy_fraction = 0.25}, kUnits,
                 "--staging-bytes");
  // Double buffer: two consecutive units side by side (classifier + layer 0).
  CHECK(s.buffer_bytes() == 13000);
  CounterHost h(10);
  // First token: layer 0 is copied up front (nothing to overlap it with).
  // Then per unit: max(copy of the next unit, compute of this one); the
  // classifier overlaps the next token's layer-0 copy.
  const auto cp = [](const WeightUnit& u) { return std::max(u.copy_cycles, u.bytes / 10); };
  const std::uint64_t steady = std::max(cp(kUnits[1]), kCompute[0]) +
                               std::max(cp(kUnits[2]), kCompute[1]) +
                               std::max(cp(kUnits[0]), kCompute[2]);
  CHECK(steady == 700 + 900 + 1000);
  CHECK(run_token(s, h) == cp(kUnits[0]) + steady);
  CHECK(run_token(s, h) == steady);
  CHECK(run_token(s, h) == steady);
  // Copies alternate between the two ends of the buffer, and the unit being
  // computed is never overwritten by the copy running beside it.
  REQUIRE(h.copies.size() >= 4);
  for (std::size_t i = 0; i < h.copies.size(); ++i) {
    const auto& c = h.copies[i];
    if (i % 2 == 0) CHECK(c.dst == 0x100000);
    else CHECK(c.dst + c.bytes == 0x100000 + 13000);
    if (i > 0) {
      const auto& p = h.copies[i - 1];
      CHECK((p.dst + p.bytes <= c.dst || c.dst + c.bytes <= p.dst));
    }
  }
  // Unit 1's images are addressed inside its latest copy.
  std::uint64_t latest = 0;
  for (const auto& c : h.copies)
    if (c.src == 0x2000) latest = c.dst;
  CHECK(s.staged(1, 0x2000 + 16) == latest + 16);
  // Busy time: the first copy on the host thread, the compute, and each
  // background copy's CPU time at a quarter (one thread of four).
  CHECK(h.busy_cycles == Approx(500 + 3 * 1900 + 0.25 * (3 * (350 + 600 + 500))));
}

TEST_CASE("staged_async with aligned units: both ends of the buffer stay aligned", "[staging]") {
  // Units of whole 8 KiB (an interleaved image's chunk) in a buffer that is
  // not: the second slot starts at the end rounded down to 8 KiB, and still
  // clears the unit copied before it.
  const std::vector<WeightUnit> units = {{0x10000, 16384, 100}, {0x20000, 8192, 100}, {0x30000, 24576, 100}};
  WeightStager s({.async = true, .base = 0x200000, .buffer_bytes = 45000, .align = 8192}, units,
                 "--staging-bytes");
  CounterHost h(10);
  run_token(s, h);
  run_token(s, h);
  REQUIRE(h.copies.size() >= 4);
  for (std::size_t i = 0; i < h.copies.size(); ++i) {
    const auto& c = h.copies[i];
    INFO("copy " << i);
    CHECK(c.dst % 8192 == 0);
    CHECK(c.dst + c.bytes <= 0x200000 + 45000);
    if (i > 0) {
      const auto& p = h.copies[i - 1];
      CHECK((p.dst + p.bytes <= c.dst || c.dst + c.bytes <= p.dst));
    }
  }
  CHECK_THROWS_WITH(WeightStager({.async = true, .base = 0x200000, .align = 8192},
                                 {{0x10000, 5000, 1}, {0x20000, 8192, 1}}, "--staging-bytes"),
                    Catch::Contains("unit 0 of 5000 bytes is not a multiple of the alignment 8192"));
  CHECK_THROWS_WITH(WeightStager({.async = true, .base = 0x201000, .align = 8192}, units, "x"),
                    Catch::Contains("base 0x201000"));
}

TEST_CASE("staging buffers too small are refused with the size they need", "[staging]") {
  CHECK_THROWS_WITH(WeightStager({.async = true, .base = 0, .buffer_bytes = 12000}, kUnits, "--staging-bytes"),
                    Catch::Contains("--staging-bytes 12000") && Catch::Contains("13000"));
  CHECK_THROWS_WITH(WeightStager({.async = false, .base = 0, .buffer_bytes = 8999}, kUnits, "--staging-bytes"),
                    Catch::Contains("9000"));
  CHECK_NOTHROW(WeightStager({.async = false, .base = 0, .buffer_bytes = 9000}, kUnits, "--staging-bytes"));
}
