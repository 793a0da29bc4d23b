// The no-progress checks of the system simulation: the progress watchdog
// (a job not complete within its bound stops the run with a diagnostic) and
// the Soc's stall check (the host waits for something that can no longer
// happen). The Soc cases drive a scripted accelerator model through the real
// Soc and DramBridge.
//
// Each Soc case runs one SystemC simulation, and SystemC allows one per
// process: ctest runs every test case in a process of its own.
#include "sim/dram/dram_config.h"
#include "sim/system/soc.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

using namespace llamaf;
using namespace llamaf::sim;

TEST_CASE("watchdog: the bound grows with the job's PE beats", "[watchdog]") {
  const ProgressWatchdog w(8);
  CHECK(w.job_cycle_bound(1, 8) == 64 + 1'000'000);
  CHECK(w.job_cycle_bound(16, 9) == 64 * 16 * 2 + 1'000'000);  // ceil(9 / 8) = 2
  CHECK(w.job_cycle_bound(2048, 5632) == 64ull * 2048 * 704 + 1'000'000);
}

TEST_CASE("watchdog: a job completing at its bound passes, one cycle later fails", "[watchdog]") {
  ProgressWatchdog w(16);
  w.register_write(csr::kRows, 4);
  w.register_write(csr::kCols, 64);
  w.register_write(csr::kCtrl, csr::kCtrlEnqueue);
  REQUIRE(w.jobs_watched() == 1);
  const std::uint64_t bound = w.job_cycle_bound(4, 64);
  const auto describe = [] { return std::string("state X"); };
  SECTION("completion in the bound's last cycle") {
    for (std::uint64_t c = 1; c < bound; ++c) w.cycle(false, describe);
    w.cycle(true, describe);  // the interrupt retires the job
    CHECK(w.jobs_watched() == 0);
    for (int c = 0; c < 10; ++c) w.cycle(false, describe);  // idle: nothing watched
  }
  SECTION("no completion") {
    for (std::uint64_t c = 1; c <= bound; ++c) w.cycle(false, describe);
    try {
      w.cycle(false, describe);
      FAIL("expected the watchdog to fire");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find("made no progress") != std::string::npos);
      CHECK(m.find("job of 4 rows x 64 cols") != std::string::npos);
      CHECK(m.find("bound " + std::to_string(bound)) != std::string::npos);
      CHECK(m.find("state X") != std::string::npos);
    }
  }
}

TEST_CASE("watchdog: jobs retire in order, each with its own bound", "[watchdog]") {
  ProgressWatchdog w(8);
  const auto describe = [] { return std::string(); };
  for (std::uint32_t rows : {1u, 100u}) {
    w.register_write(csr::kRows, rows);
    w.register_write(csr::kCols, 8);
    w.register_write(csr::kCtrl, csr::kCtrlEnqueue);
  }
  w.register_write(csr::kCtrl, 0);  // a control write without enqueue adds nothing
  REQUIRE(w.jobs_watched() == 2);
  w.cycle(true, describe);  // the first job completes; this cycle is the second's first
  REQUIRE(w.jobs_watched() == 1);
  // The second job's bound (100 rows) applies from there.
  for (std::uint64_t c = 2; c <= w.job_cycle_bound(100, 8); ++c) w.cycle(false, describe);
  CHECK_THROWS_WITH(w.cycle(false, describe), Catch::Contains("job of 100 rows x 8 cols"));
}

namespace {

// An accelerator that completes each enqueued job after `latency` cycles, or
// never (latency 0), or rejects every job (rejects: quiet, no interrupt).
class ScriptedAccelerator final : public Accelerator {
 public:
  ScriptedAccelerator(std::uint64_t latency, bool rejects) : latency_(latency), rejects_(rejects) {
    p_.num_pe = 8;
  }
  const DesignParams& params() const override { return p_; }
  void step() override {
    // Far beyond any job's bound here: a missing watchdog fails, not hangs.
    if (++steps_ > 50'000'000) throw std::runtime_error("scripted model: no watchdog fired");
    irq_ = false;
    if (jobs_ > 0 && latency_ > 0 && ++cycles_ == latency_) {
      --jobs_;
      cycles_ = 0;
      irq_ = true;
    }
  }
  void set_csr(bool write, std::uint32_t addr, std::uint32_t wdata) override {
    if (write && addr == csr::kCtrl && (wdata & csr::kCtrlEnqueue) && !rejects_) ++jobs_;
  }
  std::uint32_t csr_rdata() const override { return 0; }
  bool irq() const override { return irq_; }
  csr::Counters counters() override { return {}; }
  bool quiet() const override { return jobs_ == 0; }
  std::string state_summary() override { return "scripted model, jobs " + std::to_string(jobs_); }

 private:
  DesignParams p_;
  std::uint64_t latency_;
  bool rejects_;
  int jobs_ = 0;
  std::uint64_t cycles_ = 0, steps_ = 0;
  bool irq_ = false;
};

dram::PsConfig one_port() {
  dram::PsConfig c;
  c.ports = {{"HP0", 128, 0, false, dram::QosClass::BestEffort}};
  c.xpi_ports = 1;
  return c;
}

// AddressSanitizer cannot follow SystemC's coroutine stacks (QuickThreads,
// no fiber annotations in SystemC 2.3.4): an exception leaving a SystemC
// thread, or threads left suspended at the end, give false stack-buffer
// reports (google/sanitizers issue 189). The Soc cases then report
// themselves skipped (tests/CMakeLists.txt: LLAMAF-SKIPPED); the regular
// build runs them.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

bool skipped_under_asan() {
  if (kAsan) std::puts("LLAMAF-SKIPPED: SystemC coroutines under AddressSanitizer");
  return kAsan;
}

// Runs one job of rows x cols on the scripted model through the Soc: the
// host writes the shape, enqueues and waits for the interrupt.
void run_one_job(ScriptedAccelerator& acc, std::uint32_t rows, std::uint32_t cols) {
  dram::DramSystem dram{dram::DramConfig{}};
  SparseMemory mem;
  DramBridge bridge(one_port(), dram, mem, 200000, {"HP0"});
  Soc soc("soc", acc, bridge, 200.0);
  soc.set_program([&] {
    std::vector<CsrOp> ops = {{true, csr::kRows, rows, 0},
                              {true, csr::kCols, cols, 0},
                              {true, csr::kCtrl, csr::kCtrlEnqueue, 0}};
    soc.csr(ops);
    soc.wait_irqs(1);
  });
  soc.run();
}

}  // namespace

TEST_CASE("soc: a job that completes lets the program finish", "[watchdog][system]") {
  ScriptedAccelerator acc(500, false);
  REQUIRE_NOTHROW(run_one_job(acc, 2, 16));
}

TEST_CASE("soc: an accelerator that never completes its job is stopped by the watchdog",
          "[watchdog][system]") {
  if (skipped_under_asan()) return;
  ScriptedAccelerator acc(0, false);
  try {
    run_one_job(acc, 3, 16);
    FAIL("expected the watchdog to stop the simulation");
  } catch (const std::exception& e) {
    const std::string m = e.what();
    CHECK(m.find("made no progress") != std::string::npos);
    CHECK(m.find("job of 3 rows x 16 cols") != std::string::npos);
    CHECK(m.find("scripted model, jobs 1") != std::string::npos);
  }
}

TEST_CASE("soc: a host waiting for an interrupt that cannot come is reported as a stall",
          "[watchdog][system]") {
  if (skipped_under_asan()) return;
  ScriptedAccelerator acc(500, true);
  CHECK_THROWS_WITH(run_one_job(acc, 2, 16), Catch::Contains("simulation stalled") &&
                                                 Catch::Contains("waiting for 1"));
}
