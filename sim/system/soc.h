// The SystemC system: the accelerator clock domain (Verilated lf_top and the
// DDR4-timed AXI bridge) and the host processor, as two threads on one time
// axis. Simulated time is counted in exact accelerator (fabric) cycles; host
// work is converted into fabric cycles before it is charged.
//
// The fabric thread runs the accelerator cycle by cycle in a local loop and
// synchronises with SystemC time only when the host must hear of something
// (a register access done, a job's interrupt, host DRAM traffic done) or,
// while the host computes concurrently, every `quantum` cycles (the bound on
// how far host DRAM requests may lag the accelerator's). When the accelerator
// is quiet its evaluation is skipped and only the DRAM model advances.
#pragma once

#include "sim/system/accelerator.h"
#include "sim/system/dram_axi.h"
#include "sim/system/progress_watchdog.h"

#include <systemc>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace llamaf::sim {

struct CsrOp {
  bool write = false;
  std::uint32_t addr = 0;
  std::uint32_t wdata = 0;
  std::uint32_t rdata = 0;  // filled for reads
};

class Soc : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Soc);
  Soc(const sc_core::sc_module_name& name, Accelerator& acc, DramBridge& bridge,
      double fabric_clock_mhz, std::uint64_t quantum_cycles = 256);

  // The host's program; runs in the host thread from time 0.
  void set_program(std::function<void()> program) { program_ = std::move(program); }
  // Runs the simulation until the program returns; throws llamaf::Error if
  // it stalls (the host waits for something that can no longer happen).
  void run();

  // ---- host services (call only from the program) ----
  std::uint64_t now_cycles() const;
  // The host computes for n fabric cycles (the accelerator runs meanwhile).
  void host_busy(std::uint64_t n);
  // Simulated time passes with nothing simulated (fast mode's extrapolated
  // layers), or the host thread waits (idle) for n cycles.
  void skip(std::uint64_t n);
  // Host busy time of a background thread: counted, not waited for.
  void account_busy(double n) { host_busy_extra_ += n; }
  // Register accesses, one per fabric cycle, in order; blocks until done.
  void csr(std::vector<CsrOp>& ops);
  // Blocks until `count` job interrupts have been seen since reset.
  void wait_irqs(std::uint64_t count);
  std::uint64_t irqs() const { return irqs_; }
  // Host DRAM traffic (cache-line streams through the DDR4 model): start a
  // transfer, then wait for all started transfers to complete.
  void dram_start(std::uint64_t addr, std::uint64_t bytes, bool write);
  void dram_wait();
  // A host copy (staged weights): reads of src and writes of dst, 4 KiB at a
  // time interleaved, through the APU port, tracked apart from other host
  // traffic so that a background copy and the host's own traffic can be
  // waited for separately.
  // The chunks are released evenly over `pace_cycles` (the copying thread's
  // CPU time), as a CPU copy issues its lines, not all at once.
  void copy_start(std::uint64_t src, std::uint64_t dst, std::uint64_t bytes, std::uint64_t pace_cycles);
  void copy_wait();

  Accelerator& accelerator() { return acc_; }
  DramBridge& bridge() { return bridge_; }
  double clock_mhz() const { return clock_mhz_; }
  double host_busy_cycles() const { return double(host_busy_cycles_) + host_busy_extra_; }

  static constexpr std::uint32_t kHostSource = 15;

 private:
  static constexpr std::uint64_t kCopyTag = 1;  // tag of copy traffic (others: 0)
  struct HostChunk {
    std::uint64_t addr;
    std::uint32_t bytes;
    bool write;
    std::uint64_t tag;
  };
  void fabric_thread();
  void host_thread();
  bool fabric_has_work() const;
  void issue_host_dram();
  sc_core::sc_time cycles(std::uint64_t n) const { return period_ * static_cast<double>(n); }

  Accelerator& acc_;
  DramBridge& bridge_;
  ProgressWatchdog watchdog_;
  double clock_mhz_;
  sc_core::sc_time period_;
  std::uint64_t quantum_;
  std::function<void()> program_;
  bool program_done_ = false;

  // host -> fabric
  std::vector<CsrOp>* csr_ops_ = nullptr;
  std::size_t csr_next_ = 0;
  std::uint64_t irq_target_ = 0;
  std::vector<HostChunk> host_chunks_;  // not yet accepted by the DRAM model
  struct CopyChunk {
    std::uint64_t release;  // fabric cycle from which it may issue
    HostChunk chunk;
  };
  std::deque<CopyChunk> copy_chunks_;    // paced copy traffic not yet issued
  // Copy chunks issued and not complete: a copying core has a bounded number
  // of lines in flight, so a copy cannot flood the APU port's queue ahead of
  // the host's other traffic (it is issued closed-loop, at most
  // kCopyWindow chunks at a time, and no earlier than its pace).
  static constexpr std::uint64_t kCopyWindow = 4;
  std::uint64_t copy_inflight_ = 0;
  std::size_t host_chunk_next_ = 0;
  std::uint64_t host_dram_outstanding_ = 0;
  bool host_dram_waiting_ = false;
  std::uint64_t copy_outstanding_ = 0;
  bool copy_waiting_ = false;
  bool host_computing_ = false;
  // The host waits in csr(), wait_irqs(), dram_wait() or copy_wait(), for an
  // event the fabric loop watches. Otherwise (computing, or runnable after
  // one of those events) the fabric yields every quantum: with background
  // work (a staged copy) it would else run far ahead of the host.
  bool host_blocked_ = false;

  std::uint64_t irqs_ = 0;
  std::uint64_t host_busy_cycles_ = 0;
  double host_busy_extra_ = 0;
  sc_core::sc_event wake_fabric_, csr_done_, irq_done_, dram_done_, copy_done_;
};

}  // namespace llamaf::sim
