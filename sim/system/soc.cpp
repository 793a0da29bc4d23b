// The SystemC system: fabric clock domain and host processor threads.
#include "sim/system/soc.h"

#include "sim/model/error.h"

#include <algorithm>
#include <cmath>

namespace llamaf::sim {

namespace {
constexpr std::uint32_t kHostChunkBytes = 4096;  // host streams in 4 KiB requests
}

Soc::Soc(const sc_core::sc_module_name& name, Accelerator& acc, DramBridge& bridge,
         double fabric_clock_mhz, std::uint64_t quantum_cycles)
    : sc_module(name), acc_(acc), bridge_(bridge), watchdog_(acc.params().num_pe), clock_mhz_(fabric_clock_mhz),
      period_(1e6 / fabric_clock_mhz, sc_core::SC_PS), quantum_(std::max<std::uint64_t>(1, quantum_cycles)) {
  bridge_.set_other_completion([this](const dram::DramCompletion& c) {
    std::uint64_t& n = c.tag == kCopyTag ? copy_outstanding_ : host_dram_outstanding_;
    if (n > 0) --n;
    if (c.tag == kCopyTag && copy_inflight_ > 0) --copy_inflight_;
  });
  // Coroutine stacks: the Verilated model's eval() and the forward pass need
  // far more than SystemC's default (64 KiB).
  SC_THREAD(fabric_thread);
  set_stack_size(64 << 20);
  SC_THREAD(host_thread);
  set_stack_size(64 << 20);
}

std::uint64_t Soc::now_cycles() const {
  return static_cast<std::uint64_t>(std::llround(sc_core::sc_time_stamp() / period_));
}

void Soc::run() {
  // sc_stop() at the end of the program is the normal end, not news.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_start();
  if (!program_done_)
    throw_error("simulation stalled at fabric cycle {}: the host waits for a job interrupt, a "
                "register access or DRAM traffic that can no longer happen (jobs done {}, "
                "waiting for {})",
                bridge_.fabric_cycle(), irqs_, irq_target_);
}

void Soc::host_thread() {
  if (program_) program_();
  program_done_ = true;
  sc_core::sc_stop();
}

// ------------------------------------------------------------ host services

void Soc::host_busy(std::uint64_t n) {
  if (n == 0) return;
  host_busy_cycles_ += n;
  host_computing_ = true;
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
  wait(cycles(n));
  host_computing_ = false;
}

void Soc::csr(std::vector<CsrOp>& ops) {
  if (ops.empty()) return;
  csr_ops_ = &ops;
  csr_next_ = 0;
  host_blocked_ = true;
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
  wait(csr_done_);
  host_blocked_ = false;
  csr_ops_ = nullptr;
}

void Soc::wait_irqs(std::uint64_t count) {
  if (irqs_ >= count) return;
  irq_target_ = count;
  host_blocked_ = true;
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
  wait(irq_done_);
  host_blocked_ = false;
}

void Soc::dram_start(std::uint64_t addr, std::uint64_t bytes, bool write) {
  for (std::uint64_t off = 0; off < bytes; off += kHostChunkBytes) {
    const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(kHostChunkBytes, bytes - off));
    host_chunks_.push_back({addr + off, n, write, 0});
    ++host_dram_outstanding_;
  }
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
}

void Soc::copy_start(std::uint64_t src, std::uint64_t dst, std::uint64_t bytes,
                     std::uint64_t pace_cycles) {
  const std::uint64_t start = now_cycles();
  const std::uint64_t chunks = (bytes + kHostChunkBytes - 1) / kHostChunkBytes;
  std::uint64_t i = 0;
  for (std::uint64_t off = 0; off < bytes; off += kHostChunkBytes, ++i) {
    const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(kHostChunkBytes, bytes - off));
    const std::uint64_t release = start + (chunks ? pace_cycles * i / chunks : 0);
    copy_chunks_.push_back({release, {src + off, n, false, kCopyTag}});
    copy_chunks_.push_back({release, {dst + off, n, true, kCopyTag}});
    copy_outstanding_ += 2;
  }
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
}

void Soc::copy_wait() {
  if (copy_outstanding_ == 0) return;
  copy_waiting_ = true;
  host_blocked_ = true;
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
  wait(copy_done_);
  host_blocked_ = false;
  copy_waiting_ = false;
}

void Soc::skip(std::uint64_t n) {
  if (n == 0) return;
  // As host_busy: the fabric (a background copy's traffic) yields every
  // quantum so that it does not run ahead of the waiting host.
  host_computing_ = true;
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
  wait(cycles(n));
  host_computing_ = false;
}

void Soc::dram_wait() {
  if (host_dram_outstanding_ == 0) return;
  host_dram_waiting_ = true;
  host_blocked_ = true;
  wake_fabric_.notify(sc_core::SC_ZERO_TIME);
  wait(dram_done_);
  host_blocked_ = false;
  host_dram_waiting_ = false;
}

// ----------------------------------------------------------- fabric thread

bool Soc::fabric_has_work() const {
  return !acc_.quiet() || (csr_ops_ && csr_next_ < csr_ops_->size()) ||
         host_dram_outstanding_ > 0 || copy_outstanding_ > 0;
}

void Soc::issue_host_dram() {
  while (host_chunk_next_ < host_chunks_.size()) {
    const HostChunk& c = host_chunks_[host_chunk_next_];
    if (!bridge_.try_request({c.addr, c.bytes, c.write, kHostSource, c.tag})) return;
    ++host_chunk_next_;
  }
  host_chunks_.clear();
  host_chunk_next_ = 0;
  // Paced copy traffic whose time has come.
  const std::uint64_t now = bridge_.fabric_cycle();
  while (!copy_chunks_.empty() && copy_chunks_.front().release <= now && copy_inflight_ < kCopyWindow) {
    const HostChunk& c = copy_chunks_.front().chunk;
    if (!bridge_.try_request({c.addr, c.bytes, c.write, kHostSource, c.tag})) return;
    copy_chunks_.pop_front();
    ++copy_inflight_;
  }
}

void Soc::fabric_thread() {
  for (;;) {
    // Catch up with SystemC time (the accelerator was quiet meanwhile).
    bridge_.skip_to(now_cycles());
    if (!fabric_has_work()) {
      wait(wake_fabric_);
      continue;
    }
    const std::uint64_t start = bridge_.fabric_cycle();
    bool csr_finished = false, irq_reached = false, dram_finished = false, copy_finished = false;
    for (;;) {
      const bool csr_pending = csr_ops_ && csr_next_ < csr_ops_->size();
      if (csr_pending || !acc_.quiet()) {
        if (csr_pending) {
          const CsrOp& op = (*csr_ops_)[csr_next_];
          acc_.set_csr(op.write, op.addr, op.wdata);
          if (op.write) watchdog_.register_write(op.addr, op.wdata);
        }
        acc_.step();
        watchdog_.cycle(acc_.irq(), [this] { return acc_.state_summary(); });
        if (csr_pending) {
          (*csr_ops_)[csr_next_].rdata = acc_.csr_rdata();
          csr_finished = ++csr_next_ == csr_ops_->size();
        }
        if (acc_.irq()) irq_reached = ++irqs_ == irq_target_;
      }
      issue_host_dram();
      bridge_.end_cycle();
      dram_finished = host_dram_waiting_ && host_dram_outstanding_ == 0;
      copy_finished = copy_waiting_ && copy_outstanding_ == 0;
      if (csr_finished || irq_reached || dram_finished || copy_finished) break;
      if (!host_blocked_ && bridge_.fabric_cycle() - start >= quantum_) break;
      if (!fabric_has_work()) break;
    }
    wait(cycles(bridge_.fabric_cycle() - start));
    // The host runs again from here: from now on the fabric yields every
    // quantum until it blocks again.
    if (csr_finished || irq_reached || dram_finished || copy_finished) host_blocked_ = false;
    if (csr_finished) csr_done_.notify(sc_core::SC_ZERO_TIME);
    if (irq_reached) irq_done_.notify(sc_core::SC_ZERO_TIME);
    if (dram_finished) dram_done_.notify(sc_core::SC_ZERO_TIME);
    if (copy_finished) copy_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace llamaf::sim
