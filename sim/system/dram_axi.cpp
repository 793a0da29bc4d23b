// DDR4-timed AXI slave ports and the fabric/DRAM clock bridge.
#include "sim/system/dram_axi.h"

#include "sim/model/error.h"

#include <numeric>
#include <span>

namespace llamaf::sim {

// ------------------------------------------------------------------ bridge

DramBridge::DramBridge(dram::DramSystem& dram, SparseMemory& mem, std::int64_t fabric_khz)
    : dram_(dram), mem_(mem),
      dram_khz_(static_cast<std::uint64_t>(dram.config().data_rate_mts) * 500u),
      fabric_khz_(static_cast<std::uint64_t>(fabric_khz)) {
  if (fabric_khz <= 0) throw_error("fabric clock must be positive, got {} kHz", fabric_khz);
  // The reduced ratio keeps cycle * ratio inside 64 bits for any run length
  // that matters (2^64 / 240 cycles at 205 MHz is 12 years of simulated time).
  const std::uint64_t g = std::gcd(dram_khz_, fabric_khz_);
  dram_khz_ /= g;
  fabric_khz_ /= g;
}

std::uint64_t DramBridge::dram_cycle_at(std::uint64_t n) const {
  return n * dram_khz_ / fabric_khz_;
}

std::uint64_t DramBridge::fabric_cycle_of(std::uint64_t d) const {
  return d * fabric_khz_ / dram_khz_;
}

void DramBridge::attach(DramAxiReadPort* p) {
  if (readers_.size() <= p->source_) readers_.resize(p->source_ + 1, nullptr);
  readers_[p->source_] = p;
}

void DramBridge::attach(DramAxiWritePort* p) {
  if (writers_.size() <= p->source_) writers_.resize(p->source_ + 1, nullptr);
  writers_[p->source_] = p;
}

bool DramBridge::try_request(const dram::DramRequest& r) { return dram_.try_enqueue(r); }

void DramBridge::deliver() {
  dram::DramCompletion c;
  while (dram_.pop_completion(c)) {
    const std::uint64_t fc = fabric_cycle_of(c.done_cycle);
    if (!c.is_write && c.source < readers_.size() && readers_[c.source])
      readers_[c.source]->completed(c.tag, fc);
    else if (c.is_write && c.source < writers_.size() && writers_[c.source])
      writers_[c.source]->completed(c.tag, fc);
    else if (other_done_)
      other_done_(c);
  }
}

void DramBridge::end_cycle() {
  ++cycle_;
  dram_.advance_to(dram_cycle_at(cycle_));
  deliver();
}

void DramBridge::skip_to(std::uint64_t n) {
  if (n <= cycle_) return;
  cycle_ = n;
  dram_.advance_to(dram_cycle_at(cycle_));
  deliver();
}

// -------------------------------------------------------------- read port

DramAxiReadPort::DramAxiReadPort(DramBridge& bridge, std::uint32_t source, AxiPortShape shape,
                                 PsPortConfig cfg)
    : bridge_(bridge), source_(source), shape_(shape), cfg_(cfg) {
  bridge_.attach(this);
  reset();
}

void DramAxiReadPort::reset() {
  // Requests already in the DRAM model complete later with stale tags;
  // moving first_tag_ past them makes completed() ignore them.
  first_tag_ += bursts_.size();
  bursts_.clear();
  out_ = AxiReadSlaveOut{};
  out_.arready = true;
}

void DramAxiReadPort::completed(std::uint64_t tag, std::uint64_t fabric_cycle) {
  if (tag < first_tag_ || tag - first_tag_ >= bursts_.size()) return;  // dropped by reset
  bursts_[tag - first_tag_].ready_cycle =
      fabric_cycle + static_cast<std::uint64_t>(cfg_.interconnect_latency_cycles);
}

void DramAxiReadPort::clock(const AxiReadMaster& m) {
  const bool ar_hs = out_.arready && m.arvalid;
  const bool r_hs = out_.rvalid && m.rready;
  if (r_hs) {
    Burst& b = bursts_.front();
    if (++b.next_beat == b.beats) {
      bursts_.pop_front();
      ++first_tag_;
    }
  }
  if (ar_hs) bursts_.push_back(Burst{m.araddr, int(m.arlen) + 1});
  // Issue accepted bursts to the DRAM model in order, as its queues allow.
  const std::uint32_t beat_bytes = static_cast<std::uint32_t>(shape_.data_bytes());
  for (std::size_t i = 0; i < bursts_.size(); ++i) {
    Burst& b = bursts_[i];
    if (b.issued) continue;
    const dram::DramRequest req{b.addr, beat_bytes * static_cast<std::uint32_t>(b.beats), false,
                                source_, first_tag_ + i};
    if (!bridge_.dram().try_enqueue(req)) break;
    b.issued = true;
  }
  next_outputs(out_.rvalid && !r_hs);
}

void DramAxiReadPort::next_outputs(bool hold_r) {
  // The cycle being prepared is the next one: bridge cycle + 1.
  out_.arready = static_cast<int>(bursts_.size()) < cfg_.max_accepted_bursts;
  if (hold_r) return;  // RVALID and its payload stay until RREADY
  out_.rvalid = false;
  out_.rlast = false;
  if (bursts_.empty()) return;
  const Burst& b = bursts_.front();
  if (b.ready_cycle > bridge_.fabric_cycle() + 1) return;
  const int nbytes = shape_.data_bytes();
  const std::uint64_t addr = b.addr + static_cast<std::uint64_t>(b.next_beat) * nbytes;
  bridge_.memory().read(addr, std::span<std::uint8_t>(out_.rdata.data(), std::size_t(nbytes)));
  out_.rvalid = true;
  out_.rresp = kAxiRespOkay;
  out_.rlast = b.next_beat == b.beats - 1;
}

// ------------------------------------------------------------- write port

DramAxiWritePort::DramAxiWritePort(DramBridge& bridge, std::uint32_t source, AxiPortShape shape,
                                   PsPortConfig cfg)
    : bridge_(bridge), source_(source), shape_(shape), cfg_(cfg) {
  bridge_.attach(this);
  reset();
}

void DramAxiWritePort::reset() {
  first_tag_ += pending_.size();
  aws_.clear();
  pending_.clear();
  out_ = AxiWriteSlaveOut{};
  out_.awready = true;
}

void DramAxiWritePort::completed(std::uint64_t tag, std::uint64_t fabric_cycle) {
  if (tag < first_tag_ || tag - first_tag_ >= pending_.size()) return;
  pending_[tag - first_tag_].ready_cycle =
      fabric_cycle + static_cast<std::uint64_t>(cfg_.interconnect_latency_cycles);
}

void DramAxiWritePort::clock(const AxiWriteMaster& m) {
  const bool aw_hs = out_.awready && m.awvalid;
  const bool w_hs = out_.wready && m.wvalid;
  const bool b_hs = out_.bvalid && m.bready;
  if (b_hs) {
    pending_.pop_front();
    ++first_tag_;
  }
  if (w_hs) {  // wready implies an address is known (aws_ non-empty)
    Aw& a = aws_.front();
    const int nbytes = shape_.data_bytes();
    const std::uint64_t addr = a.addr + static_cast<std::uint64_t>(a.next_beat) * nbytes;
    bridge_.memory().write_strobed(
        addr, std::span<const std::uint8_t>(m.wdata.data(), std::size_t(nbytes)), m.wstrb);
    if (++a.next_beat == a.beats) {
      pending_.push_back(
          Pending{a.addr, static_cast<std::uint32_t>(a.beats * nbytes)});
      aws_.pop_front();
    }
  }
  if (aw_hs) aws_.push_back(Aw{m.awaddr, int(m.awlen) + 1});
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    if (p.issued) continue;
    if (!bridge_.dram().try_enqueue({p.addr, p.bytes, true, source_, first_tag_ + i})) break;
    p.issued = true;
  }
  out_.awready = static_cast<int>(aws_.size() + pending_.size()) < cfg_.max_accepted_bursts;
  // W beats are taken only once their burst's address is known.
  out_.wready = !aws_.empty();
  if (out_.bvalid && !b_hs) return;  // BVALID and BRESP stay until BREADY
  out_.bvalid = !pending_.empty() && pending_.front().ready_cycle <= bridge_.fabric_cycle() + 1;
  out_.bresp = kAxiRespOkay;
}

}  // namespace llamaf::sim
