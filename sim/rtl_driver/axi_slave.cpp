// AXI4 slave models of one port (read and write) over a SparseMemory.
#include "sim/rtl_driver/axi_slave.h"

#include <algorithm>
#include <span>

namespace llamaf::sim {

namespace {
constexpr std::size_t kMaxBufferedWBeats = 1024;
}

AxiReadSlave::AxiReadSlave(SparseMemory& mem, AxiPortShape shape, AxiTiming timing)
    : mem_(mem), shape_(shape), timing_(timing), rng_(timing.seed) {
  reset();
}

void AxiReadSlave::set_timing(const AxiTiming& t) {
  timing_ = t;
  rng_.seed(t.seed);
}

void AxiReadSlave::reset() {
  bursts_.clear();
  out_ = AxiReadSlaveOut{};
  next_outputs(false);
}

bool AxiReadSlave::chance(double p) {
  if (timing_.mode == AxiTiming::Mode::Ideal || p <= 0.0) return false;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
}

int AxiReadSlave::latency() {
  if (timing_.mode == AxiTiming::Mode::Ideal || timing_.latency_max <= timing_.latency_min)
    return timing_.latency_min;
  return std::uniform_int_distribution<int>(timing_.latency_min, timing_.latency_max)(rng_);
}

void AxiReadSlave::clock(const AxiReadMaster& m) {
  const bool ar_hs = out_.arready && m.arvalid;
  const bool r_hs = out_.rvalid && m.rready;
  if (r_hs) {
    ++beats_sent_;
    Burst& b = bursts_.front();
    if (++b.next_beat == b.beats) bursts_.pop_front();
  }
  ++cycle_;
  if (ar_hs) {
    // In-order responses: a burst is never ready before the one ahead of it.
    std::uint64_t ready = cycle_ + std::uint64_t(latency());
    if (!bursts_.empty()) ready = std::max(ready, bursts_.back().ready_cycle);
    bursts_.push_back(Burst{m.araddr, int(m.arlen) + 1, 0, ready});
  }
  next_outputs(out_.rvalid && !r_hs);
}

void AxiReadSlave::next_outputs(bool hold_r) {
  out_.arready = int(bursts_.size()) < timing_.max_accepted && !chance(timing_.ready_gap);
  if (hold_r) return;  // AXI: RVALID and its payload stay until RREADY
  out_.rvalid = false;
  out_.rlast = false;
  out_.rresp = kAxiRespOkay;
  if (bursts_.empty()) return;
  const Burst& b = bursts_.front();
  if (b.ready_cycle > cycle_ || chance(timing_.valid_gap)) return;
  const int nbytes = shape_.data_bytes();
  const std::uint64_t addr = b.addr + std::uint64_t(b.next_beat) * std::uint64_t(nbytes);
  mem_.read(addr, std::span<std::uint8_t>(out_.rdata.data(), std::size_t(nbytes)));
  out_.rvalid = true;
  out_.rlast = b.next_beat == b.beats - 1;
  for (const AxiErrorRange& e : errors_)
    if (e.contains(addr)) out_.rresp = kAxiRespSlvErr;
}

AxiWriteSlave::AxiWriteSlave(SparseMemory& mem, AxiPortShape shape, AxiTiming timing)
    : mem_(mem), shape_(shape), timing_(timing), rng_(timing.seed) {
  reset();
}

void AxiWriteSlave::set_timing(const AxiTiming& t) {
  timing_ = t;
  rng_.seed(t.seed);
}

void AxiWriteSlave::reset() {
  aws_.clear();
  ws_.clear();
  bs_.clear();
  out_ = AxiWriteSlaveOut{};
  out_.awready = true;
  out_.wready = true;
}

bool AxiWriteSlave::chance(double p) {
  if (timing_.mode == AxiTiming::Mode::Ideal || p <= 0.0) return false;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
}

int AxiWriteSlave::latency() {
  if (timing_.mode == AxiTiming::Mode::Ideal || timing_.latency_max <= timing_.latency_min)
    return timing_.latency_min;
  return std::uniform_int_distribution<int>(timing_.latency_min, timing_.latency_max)(rng_);
}

void AxiWriteSlave::clock(const AxiWriteMaster& m) {
  const bool aw_hs = out_.awready && m.awvalid;
  const bool w_hs = out_.wready && m.wvalid;
  const bool b_hs = out_.bvalid && m.bready;
  ++cycle_;
  if (aw_hs) aws_.push_back(Aw{m.awaddr, int(m.awlen) + 1, 0, false});
  if (w_hs) {
    ws_.push_back(WBeat{m.wdata, m.wstrb});
    ++beats_received_;
  }
  if (b_hs) bs_.pop_front();
  // Apply W beats to memory in order once their burst's address is known.
  const int nbytes = shape_.data_bytes();
  while (!aws_.empty() && !ws_.empty()) {
    Aw& a = aws_.front();
    const WBeat& w = ws_.front();
    const std::uint64_t addr = a.addr + std::uint64_t(a.next_beat) * std::uint64_t(nbytes);
    bool err = false;
    for (const AxiErrorRange& e : errors_) err = err || e.contains(addr);
    if (!err)
      mem_.write_strobed(addr, std::span<const std::uint8_t>(w.data.data(), std::size_t(nbytes)),
                         w.strb);
    a.error = a.error || err;
    ws_.pop_front();
    if (++a.next_beat == a.beats) {
      std::uint64_t ready = cycle_ + std::uint64_t(latency());
      if (!bs_.empty()) ready = std::max(ready, bs_.back().ready_cycle);
      bs_.push_back(B{ready, a.error ? kAxiRespSlvErr : kAxiRespOkay});
      aws_.pop_front();
    }
  }
  out_.awready = int(aws_.size() + bs_.size()) < timing_.max_accepted &&
                 !chance(timing_.ready_gap);
  out_.wready = ws_.size() < kMaxBufferedWBeats && !chance(timing_.ready_gap);
  if (out_.bvalid && !b_hs) return;  // BVALID and BRESP stay until BREADY
  out_.bvalid = false;
  out_.bresp = kAxiRespOkay;
  if (bs_.empty() || bs_.front().ready_cycle > cycle_ || chance(timing_.valid_gap)) return;
  out_.bvalid = true;
  out_.bresp = bs_.front().resp;
}

}  // namespace llamaf::sim
