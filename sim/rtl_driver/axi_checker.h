// AXI4 protocol checker for the accelerator's master ports: one instance per
// read port and one for the write port. Sampled once per cycle, before the
// clock edge, with the master's and the slave's signals. Each violation names
// the port, the cycle and the rule:
//   AR-STABLE / AW-STABLE / W-STABLE  valid dropped or payload changed before ready
//   AR-LEN / AW-LEN                   burst longer than MaxBurstBeats (or 256)
//   AR-SIZE / AW-SIZE                 beat size not the full data width
//   AR-BURST / AW-BURST               burst type not INCR
//   AR-ALIGN / AW-ALIGN               address not a multiple of the data width
//   AR-4K / AW-4K                     burst crosses a 4 KiB boundary
//   AR-RANGE / AW-RANGE               burst touches bytes outside the job's images
//   AR-OUTSTANDING                    more bursts in flight than MaxOutstanding
//   W-LAST                            WLAST not on the burst's last beat
//   W-STRB                            strobed bytes outside the y image or not
//                                     whole float32 lanes
//   W-EXTRA                           more W beats than announced by AW bursts
//   QUIESCE                           DUT idle with bursts still in flight
#pragma once

#include "sim/rtl_driver/axi.h"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace llamaf::sim {

struct AxiRange {
  std::uint64_t lo = 0, hi = 0;  // [lo, hi)
  bool covers(std::uint64_t a, std::uint64_t b) const { return a >= lo && b <= hi; }
};

struct AxiViolation {
  std::string port;
  std::uint64_t cycle = 0;
  std::string rule;
  std::string detail;
  std::string message() const;
};

struct AxiCheckLimits {
  int max_burst_beats = 256;
  int max_outstanding = 1 << 30;  // read bursts in flight per port
};

class AxiReadChecker {
 public:
  AxiReadChecker(std::string port, AxiPortShape shape, AxiCheckLimits limits);

  void allow(AxiRange r) { ranges_.push_back(r); }
  void clear_ranges() { ranges_.clear(); }
  void check_ranges(bool on) { check_ranges_ = on; }

  void sample(std::uint64_t cycle, const AxiReadMaster& m, const AxiReadSlaveOut& s);
  void reset();  // forget channel state (DUT reset)
  // When the DUT says it is idle: no burst may still be in flight (QUIESCE).
  void check_quiescent(std::uint64_t cycle);
  int in_flight() const { return int(in_flight_.size()); }

  const std::vector<AxiViolation>& violations() const { return violations_; }
  void clear_violations() { violations_.clear(); }
  std::uint64_t bursts() const { return bursts_; }
  int longest_burst() const { return longest_; }  // beats of the longest burst accepted
  int max_in_flight() const { return max_in_flight_; }

 private:
  void fail(std::uint64_t cycle, const char* rule, std::string detail);

  std::string port_;
  AxiPortShape shape_;
  AxiCheckLimits limits_;
  std::vector<AxiRange> ranges_;
  bool check_ranges_ = true;
  AxiReadMaster prev_{};
  bool prev_waiting_ = false;  // ARVALID high and ARREADY low last cycle
  std::deque<int> in_flight_;  // beats left per accepted burst
  std::uint64_t bursts_ = 0;
  int longest_ = 0;
  int max_in_flight_ = 0;
  std::vector<AxiViolation> violations_;
};

class AxiWriteChecker {
 public:
  AxiWriteChecker(std::string port, AxiPortShape shape, AxiCheckLimits limits);

  void allow(AxiRange r) { ranges_.push_back(r); }
  void clear_ranges() { ranges_.clear(); }

  void sample(std::uint64_t cycle, const AxiWriteMaster& m, const AxiWriteSlaveOut& s);
  void reset();
  // When the DUT says it is idle: every AW burst got all its W beats, no
  // stray W beats, every burst's B response taken (QUIESCE).
  void check_quiescent(std::uint64_t cycle);

  const std::vector<AxiViolation>& violations() const { return violations_; }
  void clear_violations() { violations_.clear(); }
  std::uint64_t bursts() const { return bursts_; }
  int longest_burst() const { return longest_; }  // beats of the longest burst accepted

 private:
  struct PendingW {
    std::uint64_t cycle;
    std::uint64_t strb;
    bool last;
  };
  void fail(std::uint64_t cycle, const char* rule, std::string detail);
  void match_beats();

  std::string port_;
  AxiPortShape shape_;
  AxiCheckLimits limits_;
  std::vector<AxiRange> ranges_;
  AxiWriteMaster prev_{};
  bool prev_aw_waiting_ = false;
  bool prev_w_waiting_ = false;
  struct Aw {
    std::uint64_t addr;
    int beats;
    int next;
  };
  std::deque<Aw> aws_;
  std::deque<PendingW> ws_;
  std::uint64_t bursts_ = 0;
  int longest_ = 0;
  std::uint64_t b_pending_ = 0;  // bursts whose last W beat went, B not yet taken
  std::vector<AxiViolation> violations_;
};

}  // namespace llamaf::sim
