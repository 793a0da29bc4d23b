// The no-progress watchdog of the system simulation. It follows the jobs the
// host enqueues through the accelerator's registers and the job interrupts
// that complete them, and stops the simulation with a diagnostic when the
// oldest job has run far longer than any design could need: an accelerator
// model that never completes a job (an RTL deadlock, a harness bug, a memory
// model that never answers) then fails instead of spinning. It lives in the
// Soc, so every accelerator model behind the Accelerator interface has it.
#pragma once

#include "sim/model/error.h"
#include "sim/rtl_driver/lf_csr.h"

#include <cstdint>
#include <deque>
#include <string>

namespace llamaf::sim {

class ProgressWatchdog {
 public:
  explicit ProgressWatchdog(int num_pe) : num_pe_(num_pe < 1 ? 1 : num_pe) {}

  // The most fabric cycles one job (rows x cols) may take: 64 times its PE
  // beats (rows * ceil(cols / NumPe), the compute-bound time), since even a
  // design starved by DRAM streams its weights far faster than that, plus
  // 10^6 cycles for latency and small jobs.
  std::uint64_t job_cycle_bound(std::uint64_t rows, std::uint64_t cols) const {
    const auto pe = static_cast<std::uint64_t>(num_pe_);
    return 64 * rows * ((cols + pe - 1) / pe) + 1'000'000;
  }

  // A register write the host presented to the accelerator: the staged job
  // shape, and an enqueue starts watching one more job.
  void register_write(std::uint32_t addr, std::uint32_t wdata) {
    if (addr == csr::kRows) staged_rows_ = wdata;
    if (addr == csr::kCols) staged_cols_ = wdata;
    if (addr == csr::kCtrl && (wdata & csr::kCtrlEnqueue))
      jobs_.push_back({staged_rows_, staged_cols_, job_cycle_bound(staged_rows_, staged_cols_)});
  }

  // One stepped fabric cycle; `irq`: the accelerator signalled a completed
  // job in it (jobs complete in order). Throws llamaf::Error, with
  // `describe()` (the accelerator's state) in the message, when the oldest
  // job exceeds its bound.
  template <class Describe>
  void cycle(bool irq, Describe&& describe) {
    if (irq && !jobs_.empty()) {
      jobs_.pop_front();
      cycles_on_job_ = 0;
    }
    if (jobs_.empty()) {
      cycles_on_job_ = 0;
      return;
    }
    const Job& j = jobs_.front();
    if (++cycles_on_job_ <= j.bound) return;
    throw_error("the accelerator made no progress: job of {} rows x {} cols not complete after "
                "{} cycles (bound {} for this job size); {}",
                j.rows, j.cols, cycles_on_job_, j.bound, std::string(describe()));
  }

  std::size_t jobs_watched() const { return jobs_.size(); }

 private:
  struct Job {
    std::uint64_t rows = 0, cols = 0, bound = 0;
  };
  int num_pe_;
  std::uint32_t staged_rows_ = 0, staged_cols_ = 0;
  std::deque<Job> jobs_;
  std::uint64_t cycles_on_job_ = 0;
};

}  // namespace llamaf::sim
