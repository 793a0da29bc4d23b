// AXI4 protocol checker for the accelerator's master ports.
#include "sim/rtl_driver/axi_checker.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace llamaf::sim {

namespace {
constexpr std::uint64_t k4KiB = 4096;
constexpr std::size_t kMaxRecorded = 32;  // keep the first violations only

int log2_exact(int v) { return std::countr_zero(unsigned(v)); }

std::string range_list(const std::vector<AxiRange>& rs) {
  std::string s;
  for (const AxiRange& r : rs) s += fmt::format(" [{:#x},{:#x})", r.lo, r.hi);
  return s.empty() ? " (none)" : s;
}
}  // namespace

std::string AxiViolation::message() const {
  return fmt::format("AXI violation on {} at cycle {}: rule {}: {}", port, cycle, rule, detail);
}

// ---------------------------------------------------------------- read port

AxiReadChecker::AxiReadChecker(std::string port, AxiPortShape shape, AxiCheckLimits limits)
    : port_(std::move(port)), shape_(shape), limits_(limits) {}

void AxiReadChecker::reset() {
  prev_ = AxiReadMaster{};
  prev_waiting_ = false;
  in_flight_.clear();
}

void AxiReadChecker::fail(std::uint64_t cycle, const char* rule, std::string detail) {
  if (violations_.size() < kMaxRecorded)
    violations_.push_back(AxiViolation{port_, cycle, rule, std::move(detail)});
}

void AxiReadChecker::sample(std::uint64_t cycle, const AxiReadMaster& m,
                            const AxiReadSlaveOut& s) {
  if (prev_waiting_) {
    if (!m.arvalid) {
      fail(cycle, "AR-STABLE", "ARVALID dropped before ARREADY");
    } else if (m.araddr != prev_.araddr || m.arlen != prev_.arlen ||
               m.arsize != prev_.arsize || m.arburst != prev_.arburst) {
      fail(cycle, "AR-STABLE",
           fmt::format("AR payload changed while waiting for ARREADY: addr {:#x} len {} -> "
                       "addr {:#x} len {}",
                       prev_.araddr, prev_.arlen, m.araddr, m.arlen));
    }
  }
  if (m.arvalid && s.arready) {
    const int nbytes = shape_.data_bytes();
    const int beats = int(m.arlen) + 1;
    const std::uint64_t end = m.araddr + std::uint64_t(beats) * std::uint64_t(nbytes);
    if (beats > limits_.max_burst_beats)
      fail(cycle, "AR-LEN",
           fmt::format("{} beats > MaxBurstBeats {}", beats, limits_.max_burst_beats));
    if (m.arsize != log2_exact(nbytes))
      fail(cycle, "AR-SIZE", fmt::format("arsize {} != {} ({} bytes)", m.arsize,
                                         log2_exact(nbytes), nbytes));
    if (m.arburst != kAxiBurstIncr)
      fail(cycle, "AR-BURST", fmt::format("arburst {} is not INCR", m.arburst));
    if (m.araddr % std::uint64_t(nbytes) != 0)
      fail(cycle, "AR-ALIGN", fmt::format("araddr {:#x} not a multiple of {}", m.araddr, nbytes));
    if (m.araddr / k4KiB != (end - 1) / k4KiB)
      fail(cycle, "AR-4K", fmt::format("burst [{:#x},{:#x}) crosses a 4 KiB boundary",
                                       m.araddr, end));
    if (check_ranges_) {
      bool ok = false;
      for (const AxiRange& r : ranges_) ok = ok || r.covers(m.araddr, end);
      if (!ok)
        fail(cycle, "AR-RANGE", fmt::format("burst [{:#x},{:#x}) outside the allowed ranges{}",
                                            m.araddr, end, range_list(ranges_)));
    }
    in_flight_.push_back(beats);
    ++bursts_;
    longest_ = std::max(longest_, beats);
    max_in_flight_ = std::max(max_in_flight_, int(in_flight_.size()));
    if (int(in_flight_.size()) > limits_.max_outstanding)
      fail(cycle, "AR-OUTSTANDING",
           fmt::format("{} bursts in flight > MaxOutstanding {}", in_flight_.size(),
                       limits_.max_outstanding));
  }
  if (s.rvalid && m.rready && !in_flight_.empty()) {
    if (--in_flight_.front() == 0) in_flight_.pop_front();
  }
  prev_ = m;
  prev_waiting_ = m.arvalid && !s.arready;
}

void AxiReadChecker::check_quiescent(std::uint64_t cycle) {
  if (!in_flight_.empty())
    fail(cycle, "QUIESCE", fmt::format("idle with {} read bursts in flight", in_flight_.size()));
}

// ---------------------------------------------------------------- write port

void AxiWriteChecker::check_quiescent(std::uint64_t cycle) {
  if (!aws_.empty() || !ws_.empty() || b_pending_ != 0)
    fail(cycle, "QUIESCE",
         fmt::format("idle with {} AW bursts missing W beats, {} W beats without AW, {} B "
                     "responses not taken",
                     aws_.size(), ws_.size(), b_pending_));
}

AxiWriteChecker::AxiWriteChecker(std::string port, AxiPortShape shape, AxiCheckLimits limits)
    : port_(std::move(port)), shape_(shape), limits_(limits) {}

void AxiWriteChecker::reset() {
  prev_ = AxiWriteMaster{};
  prev_aw_waiting_ = prev_w_waiting_ = false;
  aws_.clear();
  ws_.clear();
  b_pending_ = 0;
}

void AxiWriteChecker::fail(std::uint64_t cycle, const char* rule, std::string detail) {
  if (violations_.size() < kMaxRecorded)
    violations_.push_back(AxiViolation{port_, cycle, rule, std::move(detail)});
}

void AxiWriteChecker::match_beats() {
  const int nbytes = shape_.data_bytes();
  while (!aws_.empty() && !ws_.empty()) {
    Aw& a = aws_.front();
    const PendingW w = ws_.front();
    ws_.pop_front();
    const bool want_last = a.next == a.beats - 1;
    if (w.last != want_last)
      fail(w.cycle, "W-LAST",
           fmt::format("WLAST={} on beat {} of a {}-beat burst at {:#x}", int(w.last), a.next,
                       a.beats, a.addr));
    // Strobed bytes: inside a y range, in whole 4-byte float32 lanes.
    const std::uint64_t base = a.addr + std::uint64_t(a.next) * std::uint64_t(nbytes);
    for (int lane = 0; lane < nbytes; lane += 4) {
      const std::uint64_t bits = (w.strb >> lane) & 0xFu;
      if (bits != 0 && bits != 0xFu) {
        fail(w.cycle, "W-STRB",
             fmt::format("wstrb {:#x} strobes part of the float32 lane at {:#x}", w.strb,
                         base + std::uint64_t(lane)));
        break;
      }
      if (bits == 0xFu) {
        bool ok = false;
        for (const AxiRange& r : ranges_) ok = ok || r.covers(base + lane, base + lane + 4);
        if (!ok) {
          fail(w.cycle, "W-STRB",
               fmt::format("wstrb {:#x} writes bytes [{:#x},{:#x}) outside the y image{}",
                           w.strb, base + lane, base + lane + 4, range_list(ranges_)));
          break;
        }
      }
    }
    if (nbytes < 64 && (w.strb >> nbytes) != 0)
      fail(w.cycle, "W-STRB", fmt::format("wstrb {:#x} wider than the {}-byte bus", w.strb,
                                          nbytes));
    if (++a.next == a.beats) {
      aws_.pop_front();
      ++b_pending_;
    }
  }
}

void AxiWriteChecker::sample(std::uint64_t cycle, const AxiWriteMaster& m,
                             const AxiWriteSlaveOut& s) {
  if (prev_aw_waiting_) {
    if (!m.awvalid) {
      fail(cycle, "AW-STABLE", "AWVALID dropped before AWREADY");
    } else if (m.awaddr != prev_.awaddr || m.awlen != prev_.awlen ||
               m.awsize != prev_.awsize || m.awburst != prev_.awburst) {
      fail(cycle, "AW-STABLE",
           fmt::format("AW payload changed while waiting for AWREADY: addr {:#x} len {} -> "
                       "addr {:#x} len {}",
                       prev_.awaddr, prev_.awlen, m.awaddr, m.awlen));
    }
  }
  const int nbytes = shape_.data_bytes();
  if (prev_w_waiting_) {
    if (!m.wvalid) {
      fail(cycle, "W-STABLE", "WVALID dropped before WREADY");
    } else if (m.wstrb != prev_.wstrb || m.wlast != prev_.wlast ||
               std::memcmp(m.wdata.data(), prev_.wdata.data(), std::size_t(nbytes)) != 0) {
      fail(cycle, "W-STABLE", "W payload (wdata/wstrb/wlast) changed while waiting for WREADY");
    }
  }
  if (m.awvalid && s.awready) {
    const int beats = int(m.awlen) + 1;
    const std::uint64_t end = m.awaddr + std::uint64_t(beats) * std::uint64_t(nbytes);
    if (beats > limits_.max_burst_beats)
      fail(cycle, "AW-LEN",
           fmt::format("{} beats > MaxBurstBeats {}", beats, limits_.max_burst_beats));
    if (m.awsize != log2_exact(nbytes))
      fail(cycle, "AW-SIZE", fmt::format("awsize {} != {} ({} bytes)", m.awsize,
                                         log2_exact(nbytes), nbytes));
    if (m.awburst != kAxiBurstIncr)
      fail(cycle, "AW-BURST", fmt::format("awburst {} is not INCR", m.awburst));
    if (m.awaddr % std::uint64_t(nbytes) != 0)
      fail(cycle, "AW-ALIGN", fmt::format("awaddr {:#x} not a multiple of {}", m.awaddr, nbytes));
    if (m.awaddr / k4KiB != (end - 1) / k4KiB)
      fail(cycle, "AW-4K", fmt::format("burst [{:#x},{:#x}) crosses a 4 KiB boundary",
                                       m.awaddr, end));
    // The burst may cover the padding of a partial last word (strobes zero
    // there), so ranges are checked rounded out to whole AXI words.
    bool ok = false;
    for (const AxiRange& r : ranges_) {
      const std::uint64_t hi = (r.hi + std::uint64_t(nbytes) - 1) / std::uint64_t(nbytes) *
                               std::uint64_t(nbytes);
      ok = ok || (m.awaddr >= r.lo && end <= hi);
    }
    if (!ok)
      fail(cycle, "AW-RANGE", fmt::format("burst [{:#x},{:#x}) outside the y image{}", m.awaddr,
                                          end, range_list(ranges_)));
    aws_.push_back(Aw{m.awaddr, beats, 0});
    ++bursts_;
    longest_ = std::max(longest_, beats);
  }
  if (m.wvalid && s.wready) {
    ws_.push_back(PendingW{cycle, m.wstrb, m.wlast});
    if (ws_.size() > 4096) {
      fail(cycle, "W-EXTRA", "more than 4096 W beats without an AW burst");
      ws_.clear();
    }
  }
  match_beats();
  if (s.bvalid && m.bready && b_pending_ > 0) --b_pending_;
  prev_ = m;
  prev_aw_waiting_ = m.awvalid && !s.awready;
  prev_w_waiting_ = m.wvalid && !s.wready;
}

}  // namespace llamaf::sim
