// AXI ports of the accelerator on the PS memory model, and the fabric-clock
// bridge.
#include "sim/system/dram_axi.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <span>

namespace llamaf::sim {

namespace {

// PS beats (of ps_bytes) that bytes [addr, addr + n) occupy.
int ps_beats_of(std::uint64_t addr, std::uint64_t n, int ps_bytes) {
  const auto p = static_cast<std::uint64_t>(ps_bytes);
  return static_cast<int>((addr % p + n + p - 1) / p);
}

}  // namespace

// ------------------------------------------------------------------ bridge

DramBridge::DramBridge(const dram::PsConfig& ps, dram::DramSystem& dram, SparseMemory& mem,
                       std::int64_t fabric_khz, std::vector<std::string> port_map)
    : dram_(dram), mem_(mem), ps_(ps, dram, fabric_khz), port_map_(std::move(port_map)) {
  if (port_map_.empty()) throw_error("the PS port map is empty");
  for (const std::string& n : port_map_) ps_index_.push_back(ps_.port_index(n));
}

int DramBridge::ps_port(std::uint32_t index) const {
  // The accelerator's write port (index >= the number of read ports) shares
  // the first port's PS port: AXI has separate read and write channels.
  return index < ps_index_.size() ? ps_index_[index] : ps_index_[0];
}

bool DramBridge::try_request(const dram::DramRequest& r) {
  ps_.host_request(r.addr, r.bytes, r.is_write, r.tag);
  return true;
}

void DramBridge::deliver() {
  std::uint64_t tag = 0;
  while (ps_.pop_host_done(tag)) {
    if (!other_done_) continue;
    dram::DramCompletion c;
    c.tag = tag;
    c.done_cycle = dram_.cycle();
    other_done_(c);
  }
}

void DramBridge::end_cycle() {
  ps_.end_fabric_cycle();
  deliver();
}

void DramBridge::skip_to(std::uint64_t n) {
  ps_.skip_to(n);
  deliver();
}

// -------------------------------------------------------------- read port

DramAxiReadPort::DramAxiReadPort(DramBridge& bridge, std::uint32_t index, AxiPortShape shape)
    : bridge_(bridge), port_(bridge.ps_port(index)), shape_(shape) {
  out_.arready = bridge_.ps().can_accept_read(port_);
}

void DramAxiReadPort::clock(const AxiReadMaster& m) {
  dram::PsMemory& ps = bridge_.ps();
  const bool ar_hs = out_.arready && m.arvalid;
  const bool r_hs = out_.rvalid && m.rready;
  const int w = shape_.data_bytes();
  const int pb = ps.beat_bytes(port_);
  if (r_hs && ++bursts_.front().next_beat == bursts_.front().beats) bursts_.pop_front();
  if (ar_hs) {
    const int beats = int(m.arlen) + 1;
    const int psb = ps_beats_of(m.araddr, std::uint64_t(beats) * std::uint64_t(w), pb);
    ps.read(port_, m.araddr, psb, 0);
    bursts_.push_back(Burst{m.araddr, beats, psb});
  }
  // Take at most one PS beat per cycle (the HP port is one PS beat wide) for
  // the PL beat to present next.
  if (!bursts_.empty()) {
    Burst& b = bursts_.front();
    const std::uint64_t end = std::uint64_t(b.next_beat + 1) * std::uint64_t(w);
    const int need = b.next_beat + 1 == b.beats ? b.ps_beats : ps_beats_of(b.addr, end, pb);
    if (b.ps_taken < need && ps.read_ready(port_)) {
      ps.take_read_beat(port_);
      ++b.ps_taken;
    }
  }
  next_outputs(out_.rvalid && !r_hs);
}

void DramAxiReadPort::next_outputs(bool hold_r) {
  out_.arready = bridge_.ps().can_accept_read(port_);
  if (hold_r) return;  // RVALID and its payload stay until RREADY
  out_.rvalid = false;
  out_.rlast = false;
  if (bursts_.empty()) return;
  const Burst& b = bursts_.front();
  const int w = shape_.data_bytes();
  const int pb = bridge_.ps().beat_bytes(port_);
  const std::uint64_t end = std::uint64_t(b.next_beat + 1) * std::uint64_t(w);
  const int need = b.next_beat + 1 == b.beats ? b.ps_beats : ps_beats_of(b.addr, end, pb);
  if (b.ps_taken < need) return;
  const std::uint64_t addr = b.addr + static_cast<std::uint64_t>(b.next_beat) * std::uint64_t(w);
  bridge_.memory().read(addr, std::span<std::uint8_t>(out_.rdata.data(), std::size_t(w)));
  out_.rvalid = true;
  out_.rresp = kAxiRespOkay;
  out_.rlast = b.next_beat == b.beats - 1;
}

// ------------------------------------------------------------- write port

DramAxiWritePort::DramAxiWritePort(DramBridge& bridge, std::uint32_t index, AxiPortShape shape)
    : bridge_(bridge), port_(bridge.ps_port(index)), shape_(shape) {
  out_.awready = bridge_.ps().can_accept_write(port_);
}

void DramAxiWritePort::clock(const AxiWriteMaster& m) {
  dram::PsMemory& ps = bridge_.ps();
  const bool aw_hs = out_.awready && m.awvalid;
  const bool w_hs = out_.wready && m.wvalid;
  const bool b_hs = out_.bvalid && m.bready;
  const int w = shape_.data_bytes();
  const int pb = ps.beat_bytes(port_);
  if (b_hs) {
    ps.take_write_response(port_);
    --responses_;
  }
  if (w_hs) {  // wready implies an address is known
    Aw& a = aws_.front();
    const std::uint64_t addr = a.addr + static_cast<std::uint64_t>(a.next_beat) * std::uint64_t(w);
    bridge_.memory().write_strobed(
        addr, std::span<const std::uint8_t>(m.wdata.data(), std::size_t(w)), m.wstrb);
    ++a.next_beat;
  }
  if (aw_hs) {
    const int beats = int(m.awlen) + 1;
    const int psb = ps_beats_of(m.awaddr, std::uint64_t(beats) * std::uint64_t(w), pb);
    ps.write(port_, m.awaddr, psb, 0);
    aws_.push_back(Aw{m.awaddr, beats, psb});
  }
  // Move at most one PS beat per cycle into the AFI write FIFO for the PL
  // beats received so far.
  if (!aws_.empty()) {
    Aw& a = aws_.front();
    const std::uint64_t end = std::uint64_t(a.next_beat) * std::uint64_t(w);
    const int need = a.next_beat == a.beats ? a.ps_beats
                     : a.next_beat == 0   ? 0
                                          : ps_beats_of(a.addr, end, pb);
    if (a.ps_sent < need && ps.can_take_write_beat(port_)) {
      ps.write_beat(port_);
      ++a.ps_sent;
    }
    if (a.next_beat == a.beats && a.ps_sent == a.ps_beats) {
      aws_.pop_front();
      ++responses_;
    }
  }
  out_.awready = ps.can_accept_write(port_);
  // A W beat is taken once its address is known and the previous beats'
  // data has moved on.
  out_.wready = false;
  if (!aws_.empty()) {
    const Aw& a = aws_.front();
    const std::uint64_t end = std::uint64_t(a.next_beat) * std::uint64_t(w);
    const int sent_needed = a.next_beat == 0 ? 0 : ps_beats_of(a.addr, end, pb);
    out_.wready = a.next_beat < a.beats && a.ps_sent >= sent_needed;
  }
  if (out_.bvalid && !b_hs) return;  // BVALID and BRESP stay until BREADY
  out_.bvalid = responses_ > 0 && ps.write_response_ready(port_);
  out_.bresp = kAxiRespOkay;
}

}  // namespace llamaf::sim
