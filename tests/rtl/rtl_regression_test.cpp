// RTL regression of one design (compiled once per configs/designs/*.json):
// lf_top against the golden model, bit for bit, on randomized shapes and
// extreme values, queued and reset jobs, random memory timing, error cases,
// the performance counters, and sustained throughput with ideal memory.
#include "design_adapter.h"

#include "sim/model/packed_image.h"
#include "sim/rtl_driver/lf_top_harness.h"
#include "tests/rtl/rtl_jobs.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cctype>
#include <memory>
#include <string>

using namespace llamaf;
using namespace llamaf::sim;
using namespace llamaf::test;
using Harness = LfTopHarness<Dut>;

namespace {

const DesignParams& params() {
  static const DesignParams p = load_design_params(kDesignJson);
  return p;
}

// Generous cycle bound for one job: every bus word plus a per-row and fixed
// allowance, times a slack factor for random memory timing.
std::uint64_t budget(const Job& j, int slack = 1) {
  const model::WeightImageLayout l = model::weight_image_layout(
      int(j.regs.rows), int(j.regs.cols), params().quant_spec(), params().bus());
  const std::uint64_t words = std::uint64_t(j.regs.rows) * std::uint64_t(l.row_words());
  const std::uint64_t macs = std::uint64_t(j.regs.rows) * j.regs.cols / std::uint64_t(params().num_pe);
  return std::uint64_t(slack) * (4 * std::max(words, macs) + 64 * j.regs.rows + 5000);
}

// rows in [1, 3*NumPe+5], never a multiple of NumPe unless NumPe == 1.
int random_rows(std::mt19937_64& rng) {
  const int pe = params().num_pe;
  for (;;) {
    const int r = 1 + int(rng() % std::uint64_t(3 * pe + 5));
    if (pe == 1 || r % pe != 0) return r;
  }
}

// cols a multiple of GroupSize in [G, min(ActBufCols, max_cols)].
int random_cols(std::mt19937_64& rng, int max_cols = 1024) {
  const int G = params().group_size;
  const int groups = std::max(1, std::min(params().act_buf_cols, max_cols) / G);
  return G * (1 + int(rng() % std::uint64_t(groups)));
}

void require_exact(const Job& j, Harness& h, const std::string& what) {
  const std::string diff = compare_result(j, params(), h.memory());
  INFO(what << fmt::format(" (rows {}, cols {})", j.regs.rows, j.regs.cols));
  if (!diff.empty()) FAIL(diff);
}

// Places (with `layout`'s weight image layout), submits and runs jobs one at
// a time, checking each result.
void run_each(Harness& h, std::vector<Job>& jobs, AddressAllocator& alloc, int slack,
              const std::string& what, const DesignParams& layout = params()) {
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    place_job(jobs[i], layout, h.memory(), alloc);
    const std::uint32_t before = h.jobs_done();
    h.submit(jobs[i].regs);
    h.wait_idle(budget(jobs[i], slack));
    REQUIRE(h.jobs_done() == before + 1);
    const csr::Status s = h.status();
    REQUIRE_FALSE(s.error);
    require_exact(jobs[i], h, fmt::format("{} job {}", what, i));
  }
}

// Places all jobs, then enqueues them back to back (waiting only while the
// queue is full) and checks every result once the accelerator is idle.
void run_queued(Harness& h, std::vector<Job>& jobs, AddressAllocator& alloc, int slack,
                const std::string& what, const DesignParams& layout = params()) {
  std::uint64_t total = 0;
  for (Job& j : jobs) {
    place_job(j, layout, h.memory(), alloc);
    total += budget(j, slack);
  }
  const std::uint32_t before = h.jobs_done();
  const std::uint64_t irq_before = h.irq_count();
  const std::uint64_t start = h.cycle();
  for (Job& j : jobs) {
    h.allow_job(j.regs);
    h.stage_job(j.regs);
    while (h.status().queue_full) {
      REQUIRE(h.cycle() - start < total);
      h.run(7);
    }
    h.enqueue();
  }
  h.wait_idle(total);
  REQUIRE(h.jobs_done() == before + jobs.size());
  CHECK(h.irq_count() == irq_before + jobs.size());
  REQUIRE_FALSE(h.status().error);
  for (std::size_t i = 0; i < jobs.size(); ++i)
    require_exact(jobs[i], h, fmt::format("{} queued job {}", what, i));
}

// The design reproducing LlamaF's point: its description says "LlamaF-like"
// (configs/designs/embedded.json), or its name mentions llamaf.
bool is_llamaf_like() {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
  };
  return lower(params().name).find("llamaf") != std::string::npos ||
         lower(params().description).find("llamaf-like") != std::string::npos;
}

}  // namespace

TEST_CASE("PARAMS registers match the design JSON", "[rtl]") {
  Harness h(params());
  const DesignParams& p = params();
  const std::uint32_t p0 = h.csr_read(csr::kParams0);
  const std::uint32_t p1 = h.csr_read(csr::kParams1);
  const std::uint32_t p2 = h.csr_read(csr::kParams2);
  CHECK((p0 & 0xFFFFu) == std::uint32_t(p.num_pe));
  CHECK(((p0 >> 16) & 0xFu) == std::uint32_t(p.weight_bits));
  CHECK(((p0 >> 20) & 0x1Fu) == std::uint32_t(p.act_bits));
  CHECK(((p0 >> 25) & 0x3u) == std::uint32_t(p.scale_format));
  CHECK((p1 & 0xFFFFu) == std::uint32_t(p.group_size));
  CHECK(((p1 >> 16) & 0x7FFu) == std::uint32_t(p.axi_data_bits));
  CHECK(p2 == std::uint32_t(p.act_buf_cols));
  // Beyond docs/rtl.md ("..."): WeightPorts in PARAMS1[30:27]; PARAMS3 =
  // {AxiAddrBits[31:24], JobQueueDepth[23:16], MaxBurstBeats[15:7],
  // MaxOutstanding[5:0]}; PARAMS4 WgtBufWords; PARAMS5 OutBufWords; 0x9C ID.
  // The testbench's port geometry relies on these matching the JSON.
  CHECK(((p1 >> 27) & 0xFu) == std::uint32_t(p.weight_ports));
  const std::uint32_t p3 = h.csr_read(0x8C);
  CHECK((p3 & 0x3Fu) == std::uint32_t(p.max_outstanding));
  CHECK(((p3 >> 7) & 0x1FFu) == std::uint32_t(p.max_burst_beats));
  CHECK(((p3 >> 16) & 0xFFu) == std::uint32_t(p.job_queue_depth));
  CHECK(((p3 >> 24) & 0xFFu) == std::uint32_t(p.axi_addr_bits));
  CHECK(h.csr_read(0x90) == std::uint32_t(p.wgt_buf_words));
  CHECK(h.csr_read(0x94) == std::uint32_t(p.out_buf_words));
  CHECK(h.csr_read(csr::kId) == csr::kIdValue);
  // Reserved counter slots (MACs and activation-buffer reads are derived).
  for (std::uint32_t a : {0x68u, 0x6Cu, 0x70u, 0x74u}) CHECK(h.csr_read(a) == 0);
  const csr::Status s = h.status();
  CHECK_FALSE(s.busy);
  CHECK_FALSE(s.error);
  CHECK(h.jobs_done() == 0);
}

TEST_CASE("random shapes with ideal memory are bit-exact", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(11);
  AddressAllocator alloc(params(), 11);
  std::vector<Job> jobs;
  for (int i = 0; i < 40; ++i)
    jobs.push_back(make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng));
  // A few larger ones, up to the full activation buffer.
  for (int i = 0; i < 3; ++i)
    jobs.push_back(make_job(params(), 1 + int(rng() % 300), random_cols(rng, params().act_buf_cols),
                            Values::Random, rng));
  run_each(h, jobs, alloc, 1, "random");
}

// Edge shapes: one row of one group, one and three rows of ActBufCols,
// NumPe+1 rows, 2*NumPe-1 rows. (Test names avoid "," and ";", which ctest
// and Catch treat as separators.)
TEST_CASE("edge shapes are bit-exact", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(12);
  AddressAllocator alloc(params(), 12);
  const int G = params().group_size;
  std::vector<Job> jobs;
  jobs.push_back(make_job(params(), 1, G, Values::Random, rng));
  jobs.push_back(make_job(params(), 1, params().act_buf_cols, Values::Random, rng));
  jobs.push_back(make_job(params(), 3, params().act_buf_cols, Values::Random, rng));
  jobs.push_back(make_job(params(), params().num_pe + 1, G, Values::Random, rng));
  jobs.push_back(make_job(params(), 2 * params().num_pe - 1, 2 * G, Values::Random, rng));
  run_each(h, jobs, alloc, 1, "edge shape");
}

TEST_CASE("extreme values are bit-exact", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(13);
  AddressAllocator alloc(params(), 13);
  const int G = params().group_size;
  const int cols = std::min(params().act_buf_cols, 4 * G);
  struct Case {
    Values v;
    const char* name;
  };
  for (const Case& c : {Case{Values::MostNegative, "most negative operands"},
                        Case{Values::LargestScales, "largest scales"},
                        Case{Values::ZeroScales, "zero scales"},
                        Case{Values::Mixed, "mixed zero/subnormal/huge scales"},
                        Case{Values::WildBits, "random scale bit patterns (inf, NaN)"}}) {
    std::vector<Job> jobs;
    jobs.push_back(make_job(params(), random_rows(rng), cols, c.v, rng));
    jobs.push_back(make_job(params(), 1, params().act_buf_cols, c.v, rng));
    run_each(h, jobs, alloc, 1, c.name);
  }
}

TEST_CASE("back-to-back queued jobs are bit-exact", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(14);
  AddressAllocator alloc(params(), 14);
  std::vector<Job> jobs;
  const int n = params().job_queue_depth + 3;
  for (int i = 0; i < n; ++i)
    jobs.push_back(make_job(params(), random_rows(rng), random_cols(rng, 512),
                            i % 3 == 2 ? Values::Mixed : Values::Random, rng));
  run_queued(h, jobs, alloc, 1, "back-to-back");
}

TEST_CASE("enqueue while the queue is full is ignored", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(15);
  AddressAllocator alloc(params(), 15);
  // A long first job keeps the queue from draining while it is filled: the
  // dispatcher takes the next job once the readers have issued all of the
  // current one's bursts, which needs the port FIFO to drain, so the first
  // job's image is made larger than three port FIFOs.
  const DesignParams& p = params();
  const model::WeightImageLayout l1 =
      model::weight_image_layout(1, p.act_buf_cols, p.quant_spec(), p.bus());
  const int first_rows = std::max(8 * p.num_pe, 3 * p.wgt_buf_words / l1.row_words() + 1);
  std::vector<Job> jobs;
  jobs.push_back(make_job(p, first_rows, p.act_buf_cols, Values::Random, rng));
  for (int i = 0; i < p.job_queue_depth + 2; ++i)
    jobs.push_back(make_job(p, random_rows(rng), p.group_size, Values::Random, rng));
  std::uint64_t total = 0;
  for (Job& j : jobs) {
    place_job(j, params(), h.memory(), alloc);
    total += budget(j);
  }
  std::size_t accepted = 0;
  for (Job& j : jobs) {
    h.allow_job(j.regs);
    h.stage_job(j.regs);
    if (h.status().queue_full) break;
    h.enqueue();
    ++accepted;
  }
  INFO("jobs accepted before the queue was full: " << accepted);
  REQUIRE(accepted >= 2);
  REQUIRE(accepted < jobs.size());
  // One more enqueue while full (the staged registers hold job `accepted`).
  REQUIRE(h.status().queue_full);
  CHECK(h.status().queued == accepted);  // waiting or in flight
  h.enqueue();
  h.wait_idle(total);
  CHECK(h.jobs_done() == accepted);
  CHECK_FALSE(h.status().error);
  for (std::size_t i = 0; i < accepted; ++i) require_exact(jobs[i], h, fmt::format("job {}", i));
  // The dropped job left its y image untouched.
  const Job& dropped = jobs[accepted];
  CHECK(h.memory().read_u8(dropped.regs.y_addr) == kSentinel);
}

TEST_CASE("reset between jobs and in the middle of a job", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(16);
  AddressAllocator alloc(params(), 16);
  std::vector<Job> first{make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng)};
  run_each(h, first, alloc, 1, "before reset");
  h.reset();
  CHECK(h.jobs_done() == 0);
  CHECK_FALSE(h.status().busy);
  const csr::Counters c = h.counters();
  CHECK(c.busy == 0);
  CHECK(c.macs == 0);
  CHECK(c.bytes_read == 0);
  std::vector<Job> second{make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng)};
  run_each(h, second, alloc, 1, "after reset");

  // Abort a long job (bursts in flight, results half written), then run a fresh one.
  Job big = make_job(params(), 4 * params().num_pe + 3, params().act_buf_cols, Values::Random, rng);
  place_job(big, params(), h.memory(), alloc);
  h.submit(big.regs);
  h.run(std::min<std::uint64_t>(budget(big) / 8, 3000));
  REQUIRE(h.status().busy);
  h.reset();
  CHECK_FALSE(h.status().busy);
  CHECK(h.jobs_done() == 0);
  std::vector<Job> third{make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng),
                         make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng)};
  run_queued(h, third, alloc, 1, "after mid-job reset");
}

TEST_CASE("random memory latency and backpressure", "[rtl]") {
  for (std::uint64_t seed = 21; seed <= 30; ++seed) {
    INFO("memory seed " << seed);
    // Every third seed: long latencies and rare gaps; others: short latencies,
    // many gaps, at most 1..4 bursts accepted.
    const bool long_latency = seed % 3 == 2;
    const AxiTiming t = long_latency ? AxiTiming::random(seed, 120, 0.1, 0.1, 16)
                                     : AxiTiming::random(seed, 30, 0.4, 0.4, 1 + int(seed % 4));
    Harness h(params(), t);
    std::mt19937_64 rng(seed);
    AddressAllocator alloc(params(), seed);
    std::vector<Job> each, queued;
    for (int i = 0; i < 3; ++i)
      each.push_back(make_job(params(), random_rows(rng), random_cols(rng, 512), Values::Random, rng));
    run_each(h, each, alloc, 20, "random memory");
    for (int i = 0; i < params().job_queue_depth + 1; ++i)
      queued.push_back(make_job(params(), random_rows(rng), random_cols(rng, 512),
                                i == 0 ? Values::Mixed : i == 1 ? Values::WildBits : Values::Random,
                                rng));
    run_queued(h, queued, alloc, 20, "random memory");
  }
}

// The design with its weight image interleaved across the ports in chunks of
// `chunk` bytes (the LAYOUT register; docs/arithmetic.md).
DesignParams interleaved(std::int64_t chunk) {
  DesignParams p = params();
  p.weight_chunk_bytes = chunk;
  return p;
}

TEST_CASE("interleaved weight layouts are bit-exact", "[rtl]") {
  // Chunks of one burst (the smallest), two bursts, 4 KiB and 8 KiB (a
  // ZCU102 DRAM row); random shapes (mostly several chunks per port, ending
  // on a partial one) and one long job per chunk size; then queued jobs,
  // the regions layout again on the same accelerator, and random memory
  // timing.
  const int burst = params().burst_bytes();
  std::mt19937_64 rng(51);
  {  // one Verilated model at a time (two in one context deadlock on destruction)
    Harness h(params());
    AddressAllocator alloc(params(), 51);
    for (const std::int64_t chunk : {std::int64_t(burst), 2 * std::int64_t(burst), std::int64_t{4096},
                                     std::int64_t{8192}}) {
      if (chunk < burst) continue;
      INFO("chunk " << chunk << " bytes");
      const DesignParams q = interleaved(chunk);
      std::vector<Job> jobs;
      for (int i = 0; i < 4; ++i)
        jobs.push_back(make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng));
      jobs.push_back(make_job(params(), 1 + int(rng() % 200), params().act_buf_cols, Values::Random, rng));
      run_each(h, jobs, alloc, 1, fmt::format("interleaved:{}", chunk), q);
      std::vector<Job> queued;
      for (int i = 0; i < params().job_queue_depth + 1; ++i)
        queued.push_back(make_job(params(), random_rows(rng), random_cols(rng, 512),
                                  i == 0 ? Values::Mixed : Values::Random, rng));
      run_queued(h, queued, alloc, 1, fmt::format("interleaved:{} queued", chunk), q);
    }
    // Back to one region per port on the same accelerator.
    std::vector<Job> regions{make_job(params(), random_rows(rng), random_cols(rng), Values::Random, rng)};
    run_each(h, regions, alloc, 1, "regions after interleaved");
  }
  for (std::uint64_t seed = 52; seed <= 54; ++seed) {
    INFO("memory seed " << seed);
    Harness hr(params(), AxiTiming::random(seed, 60, 0.3, 0.3, 1 + int(seed % 4)));
    AddressAllocator a(params(), seed);
    std::vector<Job> jobs;
    for (int i = 0; i < 3; ++i)
      jobs.push_back(make_job(params(), random_rows(rng), random_cols(rng, 512), Values::Random, rng));
    run_each(hr, jobs, a, 20, "interleaved, random memory", interleaved(seed == 53 ? 8192 : burst));
  }
}

TEST_CASE("illegal jobs are dropped with an error code", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(17);
  AddressAllocator alloc(params(), 17);
  const DesignParams& p = params();
  const std::uint32_t G = std::uint32_t(p.group_size);
  Job good = make_job(p, 5, int(G), Values::Random, rng);
  place_job(good, p, h.memory(), alloc);
  struct Bad {
    const char* what;
    csr::JobRegs regs;
    csr::ErrorCode code;
  };
  std::vector<Bad> bad;
  auto with = [&](auto f) {
    csr::JobRegs r = good.regs;
    f(r);
    return r;
  };
  bad.push_back({"rows = 0", with([](csr::JobRegs& r) { r.rows = 0; }), csr::ErrorCode::RowsZero});
  bad.push_back({"rows = 2^24 (beyond the 24-bit ROWS field)",
                 with([](csr::JobRegs& r) { r.rows = 1u << 24; }), csr::ErrorCode::RowsZero});
  bad.push_back({"cols = 0", with([](csr::JobRegs& r) { r.cols = 0; }),
                 csr::ErrorCode::ColsNotGroupMultiple});
  bad.push_back({"cols = GroupSize / 2", with([&](csr::JobRegs& r) { r.cols = G / 2; }),
                 csr::ErrorCode::ColsNotGroupMultiple});
  bad.push_back({"cols = GroupSize + 1", with([&](csr::JobRegs& r) { r.cols = G + 1; }),
                 csr::ErrorCode::ColsNotGroupMultiple});
  bad.push_back({"cols = ActBufCols + GroupSize",
                 with([&](csr::JobRegs& r) { r.cols = std::uint32_t(p.act_buf_cols) + G; }),
                 csr::ErrorCode::ColsTooLarge});
  bad.push_back({"w_addr misaligned", with([](csr::JobRegs& r) { r.w_addr += 4; }),
                 csr::ErrorCode::Misaligned});
  bad.push_back({"x_addr misaligned", with([](csr::JobRegs& r) { r.x_addr += 4; }),
                 csr::ErrorCode::Misaligned});
  bad.push_back({"y_addr misaligned", with([](csr::JobRegs& r) { r.y_addr += 4; }),
                 csr::ErrorCode::Misaligned});
  // LAYOUT: a chunk below one full burst; w_addr on an AXI word but not on
  // the interleave chunk (the layout check comes first).
  const std::uint32_t burst_log2 = csr::layout_register(p.burst_bytes());
  bad.push_back({"layout chunk of 2 bytes", with([](csr::JobRegs& r) { r.layout = 1; }),
                 csr::ErrorCode::Layout});
  bad.push_back({"layout chunk half a burst", with([&](csr::JobRegs& r) { r.layout = burst_log2 - 1; }),
                 csr::ErrorCode::Layout});
  bad.push_back({"layout chunk half a burst and w_addr misaligned",
                 with([&](csr::JobRegs& r) { r.layout = burst_log2 - 1; r.w_addr += 4; }),
                 csr::ErrorCode::Layout});
  bad.push_back({"w_addr not chunk-aligned",
                 with([&](csr::JobRegs& r) {
                   r.layout = burst_log2 + 1;
                   r.w_addr = (r.w_addr >> r.layout << r.layout) + std::uint64_t(p.axi_bytes());
                 }),
                 csr::ErrorCode::Misaligned});
  for (const Bad& b : bad) {
    INFO(b.what);
    const csr::Counters before = h.counters();
    h.stage_job(b.regs);
    h.enqueue();
    h.run(4);
    csr::Status s = h.status();
    CHECK(s.error);
    CHECK(s.error_code == std::uint32_t(b.code));
    CHECK_FALSE(s.busy);
    CHECK(s.queued == 0);
    CHECK(h.jobs_done() == 0);
    const csr::Counters after = h.counters();
    CHECK(after.busy == before.busy);
    CHECK(after.bytes_read == before.bytes_read);
    CHECK(after.macs == before.macs);
    h.clear_error();
    s = h.status();
    CHECK_FALSE(s.error);
  }
  // The accelerator still works after the errors.
  h.submit(good.regs);
  h.wait_idle(budget(good));
  CHECK(h.jobs_done() == 1);
  CHECK_FALSE(h.status().error);
  require_exact(good, h, "job after errors");
}

TEST_CASE("the error flag keeps the first error and clear applies before enqueue", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(40);
  AddressAllocator alloc(params(), 40);
  Job good = make_job(params(), 3, params().group_size, Values::Random, rng);
  place_job(good, params(), h.memory(), alloc);
  csr::JobRegs r = good.regs;
  r.rows = 0;
  h.stage_job(r);
  h.enqueue();
  r = good.regs;
  r.cols = 0;
  h.stage_job(r);
  h.enqueue();
  csr::Status s = h.status();
  CHECK(s.error);
  CHECK(s.error_code == std::uint32_t(csr::ErrorCode::RowsZero));
  // Jobs are still accepted while the flag is set.
  h.submit(good.regs);
  h.wait_idle(budget(good));
  CHECK(h.jobs_done() == 1);
  CHECK(h.status().error);
  require_exact(good, h, "job enqueued while the error flag was set");
  // CTRL = clear | enqueue with an illegal job: the new error is recorded.
  r = good.regs;
  r.cols = std::uint32_t(params().group_size) / 2;
  h.stage_job(r);
  h.csr_write(csr::kCtrl, csr::kCtrlClearError | csr::kCtrlEnqueue);
  s = h.status();
  CHECK(s.error);
  CHECK(s.error_code == std::uint32_t(csr::ErrorCode::ColsNotGroupMultiple));
  // CTRL = clear | enqueue with a legal job: cleared, and the job runs.
  Job next = make_job(params(), 2, params().group_size, Values::Random, rng);
  place_job(next, params(), h.memory(), alloc);
  h.allow_job(next.regs);
  h.stage_job(next.regs);
  h.csr_write(csr::kCtrl, csr::kCtrlClearError | csr::kCtrlEnqueue);
  h.wait_idle(budget(next));
  CHECK_FALSE(h.status().error);
  CHECK(h.jobs_done() == 2);
  require_exact(next, h, "job enqueued with clear");
}

TEST_CASE("AXI write error response sets error code 5 and the job completes", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(41);
  AddressAllocator alloc(params(), 41);
  Job j = make_job(params(), params().num_pe + 1, params().group_size, Values::Random, rng);
  place_job(j, params(), h.memory(), alloc);
  h.write_slave().add_error_range(AxiErrorRange{j.regs.y_addr, j.regs.y_addr + 4});
  h.submit(j.regs);
  h.wait_idle(budget(j));
  const csr::Status s = h.status();
  CHECK(s.error);
  CHECK(s.error_code == std::uint32_t(csr::ErrorCode::AxiResponse));
  CHECK(h.jobs_done() == 1);
  CHECK(h.irq_count() == 1);
}

TEST_CASE("AXI error response sets error code 5", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(18);
  AddressAllocator alloc(params(), 18);
  Job j = make_job(params(), params().num_pe + 2, 2 * params().group_size, Values::Random, rng);
  place_job(j, params(), h.memory(), alloc);
  // SLVERR on the last AXI word of port 0's weight region.
  const model::WeightImageLayout l = model::weight_image_layout(
      int(j.regs.rows), int(j.regs.cols), params().quant_spec(), params().bus());
  const std::uint64_t last = j.regs.w_addr + std::uint64_t(l.port_bytes) -
                             std::uint64_t(params().axi_bytes());
  h.read_slave(0).add_error_range(AxiErrorRange{last, last + 1});
  h.submit(j.regs);
  h.wait_idle(budget(j));
  const csr::Status s = h.status();
  CHECK(s.error);
  CHECK(s.error_code == std::uint32_t(csr::ErrorCode::AxiResponse));
  CHECK(h.jobs_done() == 1);  // an AXI error does not stop the job
  h.clear_error();
  CHECK_FALSE(h.status().error);
  h.read_slave(0).clear_error_ranges();
  Job k = make_job(params(), 3, params().group_size, Values::Random, rng);
  std::vector<Job> next{k};
  run_each(h, next, alloc, 1, "job after AXI error");
}

TEST_CASE("performance counters count one job's work", "[rtl]") {
  Harness h(params());
  std::mt19937_64 rng(19);
  AddressAllocator alloc(params(), 19);
  const DesignParams& p = params();
  Job j = make_job(p, 2 * p.num_pe + 1, std::min(p.act_buf_cols, 4 * p.group_size),
                   Values::Random, rng);
  std::vector<Job> jobs{j};
  run_each(h, jobs, alloc, 1, "counted job");
  const csr::Counters c = h.counters();
  const model::WeightImageLayout l =
      model::weight_image_layout(int(j.regs.rows), int(j.regs.cols), p.quant_spec(), p.bus());
  const std::uint64_t x_bytes =
      std::uint64_t(model::activation_image_bytes(int(j.regs.cols), p.quant_spec(), p.bus()));
  CHECK(c.macs == std::uint64_t(j.regs.rows) * j.regs.cols);
  CHECK(c.bytes_written == 4ull * j.regs.rows);
  CHECK(c.bytes_read == std::uint64_t(l.bytes_read()) + x_bytes);
  // Port FIFO writes: every weight word, and port 0's activation words too.
  CHECK(c.wgt_buf_writes * std::uint64_t(p.axi_bytes()) == c.bytes_read);
  // One PE beat per NumPe columns of every row (the MACs are derived from it).
  CHECK(c.compute * std::uint64_t(p.num_pe) == std::uint64_t(j.regs.rows) * j.regs.cols);
  // A beat and a memory stall never share a cycle, and both lie in busy cycles.
  CHECK(c.busy >= c.compute + c.mem_stall);
  CHECK(h.irq_count() == 1);
}

// Write bursts as the spec of lf_axi_writer gives them, computed here
// independently: words of the y image from y_addr, each burst at most
// min(MaxBurstBeats, 4 KiB / AxiBytes) beats and never across 4 KiB.
struct BurstPlan {
  std::uint64_t bursts = 0;
  int longest = 0;
};
BurstPlan expected_write_bursts(std::uint64_t y_addr, std::uint64_t rows, const DesignParams& p) {
  const std::uint64_t bytes = std::uint64_t(p.axi_bytes());
  std::uint64_t words = (rows * 4 + bytes - 1) / bytes;
  std::uint64_t addr = y_addr;
  BurstPlan b;
  while (words > 0) {
    const std::uint64_t to_4k = (4096 - addr % 4096) / bytes;
    const std::uint64_t len =
        std::min({words, to_4k, std::uint64_t(p.max_burst_beats)});
    ++b.bursts;
    b.longest = std::max(b.longest, int(len));
    words -= len;
    addr += len * bytes;
  }
  return b;
}

TEST_CASE("write bursts are as long as MaxBurstBeats and 4 KiB allow", "[rtl]") {
  const DesignParams& p = params();
  Harness h(p);
  std::mt19937_64 rng(42);
  AddressAllocator alloc(p, 42);
  // Enough rows for three longest bursts plus a partial last word.
  const int rpw = p.axi_data_bits / 32;
  const int cap = std::min(p.max_burst_beats, 4096 / p.axi_bytes());
  const int rows = 3 * cap * rpw + rpw / 2 + 1;
  std::vector<Job> jobs{make_job(p, rows, p.group_size, Values::Random, rng),
                        make_job(p, rows + 7, p.group_size, Values::Random, rng)};
  for (Job& j : jobs) {
    const std::uint64_t bursts_before = h.write_checker().bursts();
    std::vector<Job> one{j};
    run_each(h, one, alloc, 1, "burst job");
    const BurstPlan want = expected_write_bursts(one[0].regs.y_addr, one[0].regs.rows, p);
    INFO(fmt::format("y_addr {:#x} rows {}", one[0].regs.y_addr, one[0].regs.rows));
    CHECK(h.write_checker().bursts() - bursts_before == want.bursts);
    CHECK(h.write_checker().violations().empty());
  }
  CHECK(h.write_checker().longest_burst() == cap);
  for (int i = 0; i < p.weight_ports; ++i) CHECK(h.read_checker(i).longest_burst() <= cap);
}

// CNT_MEM_STALL counts cycles in which the PEs wait for data still on its way
// from memory (docs/rtl.md). With an always-ready memory, jobs queued behind
// a running one are prefetched: no memory stall at all.
TEST_CASE("no memory stall with ideal memory once the first job runs", "[rtl]") {
  const DesignParams& p = params();
  if (!p.check_throughput) return;  // latency-bound corner points wait by construction
  Harness h(p);
  std::mt19937_64 rng(43);
  AddressAllocator alloc(p, 43);
  const int cols = std::min(p.act_buf_cols, 1024);
  std::vector<Job> jobs;
  for (int i = 0; i < 4; ++i) jobs.push_back(make_job(p, 4 * p.num_pe + 3, cols, Values::Random, rng));
  std::uint64_t total = 0;
  for (Job& j : jobs) {
    place_job(j, p, h.memory(), alloc);
    total += budget(j);
  }
  // The first job's cold start waits one memory latency; measure from its
  // first beat on, with the others queued behind it.
  h.allow_job(jobs[0].regs);
  h.submit(jobs[0].regs);
  csr::Counters c0 = h.counters();
  while (c0.compute == 0) {
    REQUIRE(h.cycle() < total);
    c0 = h.counters();
  }
  for (std::size_t i = 1; i < jobs.size(); ++i) {
    h.allow_job(jobs[i].regs);
    h.submit(jobs[i].regs);
  }
  h.wait_idle(total);
  const csr::Counters c1 = h.counters();
  REQUIRE(h.jobs_done() == jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) require_exact(jobs[i], h, fmt::format("job {}", i));
  INFO(fmt::format("busy {} compute {} after the first beat", c1.busy - c0.busy,
                   c1.compute - c0.compute));
  CHECK(c1.mem_stall == c0.mem_stall);
  // The cold start: at most the read latency plus the reader's request
  // pipeline and the FIFO's write-to-read delay.
  CHECK(c0.mem_stall <= std::uint64_t(AxiTiming::ideal().latency_min) + 8);
}

// One read port throttled (long latency, one burst accepted at a time): the
// memory stall it causes is the extra busy time over the same job with ideal
// memory, measured by the testbench. The counter may attribute to the
// pipeline the few cycles after each late word arrives (port FIFO to PE
// beat), at most kRefill per burst on the throttled port.
TEST_CASE("a throttled read port causes the memory stall it costs", "[rtl]") {
  const DesignParams& p = params();
  if (!p.check_throughput) return;
  constexpr int kRefill = 6;
  std::mt19937_64 rng(44);
  const int cols = std::min(p.act_buf_cols, 1024);
  const Job proto = make_job(p, 4 * p.num_pe + 3, cols, Values::Random, rng);
  auto run = [&](bool throttle, int port) {
    Harness h(p);
    AxiTiming slow = AxiTiming::ideal(60);
    slow.max_accepted = 1;
    if (throttle) h.read_slave(port).set_timing(slow);
    AddressAllocator alloc(p, 44);
    std::vector<Job> one{proto};
    run_each(h, one, alloc, 40, throttle ? "throttled" : "ideal");
    struct R {
      csr::Counters c;
      std::uint64_t bursts;
    };
    return R{h.counters(), h.read_checker(port).bursts()};
  };
  for (int port : {0, p.weight_ports - 1}) {
    INFO("throttled port " << port);
    const auto ideal = run(false, port);
    const auto slow = run(true, port);
    // A compute-bound design may hide the slow port entirely (then no stall).
    REQUIRE(slow.c.busy >= ideal.c.busy);
    const std::uint64_t extra_busy = slow.c.busy - ideal.c.busy;
    const std::uint64_t extra_stall = slow.c.mem_stall - ideal.c.mem_stall;
    WARN(fmt::format("{}: port {} throttled: busy +{} cycles, CNT_MEM_STALL +{} ({} bursts)",
                     p.name, port, extra_busy, extra_stall, slow.bursts));
    CHECK(slow.c.compute == ideal.c.compute);
    CHECK(extra_stall <= extra_busy);
    CHECK(extra_stall + std::uint64_t(kRefill) * slow.bursts >= extra_busy);
    if (port == 0 && p.weight_ports == 1) break;
  }
}

TEST_CASE("sustained throughput with ideal memory", "[rtl][perf]") {
  const DesignParams& p = params();
  Harness h(p);
  std::mt19937_64 rng(20);
  AddressAllocator alloc(p, 20);
  // The LlamaF-like design runs the 2048x2048 job of the spec; the others a
  // smaller one. Bound: NumPe MACs per cycle, or fewer when one bus word per
  // cycle (scale words included) cannot feed NumPe weights.
  const bool llamaf = is_llamaf_like();
  const int cols = std::min(p.act_buf_cols, 2048);
  const int rows = llamaf ? 2048 : 256;
  const model::WeightImageLayout l = model::weight_image_layout(rows, cols, p.quant_spec(), p.bus());
  const double bus_bound = double(cols) / double(l.row_words());
  const double bound = std::min(double(p.num_pe), bus_bound);
  Job j = make_job(p, rows, cols, Values::Random, rng);
  std::vector<Job> one{j};
  run_each(h, one, alloc, 1, "throughput job");
  const csr::Counters c1 = h.counters();
  const double macs_per_cycle = double(c1.macs) / double(c1.busy);
  WARN(fmt::format("{}: {}x{} job: {:.3f} MACs/cycle (NumPe {}, bound {:.3f}), busy {} compute {} "
                   "stall {}",
                   p.name, rows, cols, macs_per_cycle, p.num_pe, bound, c1.busy, c1.compute,
                   c1.mem_stall));
  if (llamaf) CHECK(macs_per_cycle >= 0.95 * double(p.num_pe));
  if (p.check_throughput) CHECK(macs_per_cycle >= 0.90 * bound);

  // Back-to-back: K queued jobs of two sizes. The cycles beyond the ideal
  // (max of MAC cycles and bus-word cycles) per job must not grow with the
  // rows: the RTL's bubble is loading the next job's activation image into
  // the single-banked activation buffer (docs/rtl.md: one AXI word per cycle,
  // at most NumPe activations per cycle) plus a pipeline fill, so the bound
  // is those load cycles + 32.
  const int qcols = std::min(cols, 512);
  const int container_bits = p.act_bits <= 8 ? 8 : 16;
  const int acts_per_cycle = std::min(p.axi_data_bits / container_bits, p.num_pe);
  const double x_words = std::ceil(double(qcols) / acts_per_cycle) +
                         std::ceil(double(qcols / p.group_size) * 32.0 / p.axi_data_bits);
  auto overhead_per_job = [&](int r, int k) {
    std::vector<Job> q;
    for (int i = 0; i < k; ++i) q.push_back(make_job(p, r, qcols, Values::Random, rng));
    const model::WeightImageLayout ql = model::weight_image_layout(r, qcols, p.quant_spec(), p.bus());
    const double ideal = std::max(double(r) * qcols / p.num_pe, double(r) * ql.row_words());
    const csr::Counters before = h.counters();
    run_queued(h, q, alloc, 1, "bubble");
    const csr::Counters after = h.counters();
    return (double(after.busy - before.busy) - k * ideal) / k;
  };
  const double small = overhead_per_job(2 * p.num_pe, 4);
  const double large = overhead_per_job(8 * p.num_pe, 4);
  WARN(fmt::format("{}: cycles beyond ideal per queued job ({} cols, x load {} cycles): "
                   "{:.1f} ({} rows), {:.1f} ({} rows)",
                   p.name, qcols, x_words, small, 2 * p.num_pe, large, 8 * p.num_pe));
  if (p.check_throughput) {
    CHECK(small <= x_words + 32.0);
    CHECK(large <= x_words + 32.0);
    CHECK(std::abs(large - small) <= 8.0);
  }
}

TEST_CASE("the testbench notices a corrupted image and a read outside the job", "[rtl]") {
  const DesignParams& p = params();
  std::mt19937_64 rng(30);
  {
    Harness h(p);
    AddressAllocator alloc(p, 30);
    Job j = make_job(p, 3, 2 * p.group_size, Values::Random, rng);
    place_job(j, p, h.memory(), alloc);
    // Flip bits of the first weight word of row 0 (after its scale words).
    const model::WeightImageLayout l =
        model::weight_image_layout(int(j.regs.rows), int(j.regs.cols), p.quant_spec(), p.bus());
    const std::uint64_t a = j.regs.w_addr + std::uint64_t(l.scale_words) * std::uint64_t(p.axi_bytes());
    for (std::uint64_t i = 0; i < 4; ++i)
      h.memory().fill(a + i, 1, std::uint8_t(h.memory().read_u8(a + i) ^ 0x11u));
    h.submit(j.regs);
    h.wait_idle(budget(j));
    CHECK_FALSE(compare_result(j, p, h.memory()).empty());
  }
  {
    Harness h(p);
    AddressAllocator alloc(p, 31);
    Job j = make_job(p, 3, 2 * p.group_size, Values::Random, rng);
    place_job(j, p, h.memory(), alloc);
    // Only the y image is allowed: the first read must be flagged.
    h.write_checker().allow(AxiRange{j.regs.y_addr, j.regs.y_addr + 4ull * j.regs.rows});
    h.stage_job(j.regs);
    h.enqueue();
    CHECK_THROWS_WITH(h.wait_idle(budget(j)), Catch::Contains("AR-RANGE") &&
                                                  Catch::Contains("read port"));
  }
}

// A mix of everything, sized by the environment for longer bug hunts:
// LLAMAF_RTL_SOAK_JOBS (default 24) jobs from seed LLAMAF_RTL_SEED (default
// 1): random memory timing per batch, random shapes up to the full
// activation buffer, all value kinds, batches queued back to back, an
// occasional reset between batches.
TEST_CASE("soak of random jobs under mixed timing with batches and resets", "[rtl][soak]") {
  const DesignParams& p = params();
  auto env = [](const char* name, std::uint64_t dflt) {
    const char* v = std::getenv(name);
    return v && *v ? std::stoull(v) : dflt;
  };
  const std::uint64_t jobs_total = env("LLAMAF_RTL_SOAK_JOBS", 24);
  const std::uint64_t seed = env("LLAMAF_RTL_SEED", 1);
  INFO("LLAMAF_RTL_SEED=" << seed);
  std::mt19937_64 rng(seed * 7919 + 5);
  Harness h(p);
  AddressAllocator alloc(p, seed);
  std::uint64_t done = 0;
  int batch_no = 0;
  while (done < jobs_total) {
    ++batch_no;
    INFO("batch " << batch_no);
    const std::uint64_t tseed = rng();
    switch (rng() % 3) {
      case 0: h.set_timing(AxiTiming::ideal(int(1 + rng() % 8))); break;
      case 1: h.set_timing(AxiTiming::random(tseed, 30, 0.4, 0.4, int(1 + rng() % 4))); break;
      default: h.set_timing(AxiTiming::random(tseed, 150, 0.1, 0.2, 16)); break;
    }
    const int n = int(1 + rng() % std::uint64_t(p.job_queue_depth + 3));
    std::vector<Job> batch;
    for (int i = 0; i < n && done < jobs_total; ++i, ++done) {
      const Values v = static_cast<Values>(rng() % 6);
      const int rows = rng() % 4 == 0 ? 1 + int(rng() % 200) : random_rows(rng);
      const int cols = rng() % 4 == 0 ? random_cols(rng, p.act_buf_cols) : random_cols(rng, 512);
      batch.push_back(make_job(p, rows, cols, v, rng));
    }
    run_queued(h, batch, alloc, 40, "soak");
    if (std::getenv("LLAMAF_RTL_SOAK_VERBOSE")) WARN("cycle " << h.cycle() << " jobs " << done);
    if (rng() % 5 == 0) {
      h.reset();
      h.clear_allowed();
    }
  }
}
