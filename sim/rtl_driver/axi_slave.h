// Cycle-level AXI4 slave models of one port over a SparseMemory: a read slave
// and a write slave, each with several bursts in flight and in-order
// responses. `Ideal` timing is always ready, one beat per cycle after a fixed
// latency; `Random` draws latencies and ready/valid gaps from a seeded RNG.
//
// Calling convention per clock cycle (the same for any simulator):
//   1. drive outputs() onto the DUT inputs, settle the DUT;
//   2. sample the DUT's master signals into an AxiReadMaster/AxiWriteMaster;
//   3. clock(master): the handshakes of this cycle happen, then the slave
//      computes the outputs of the next cycle.
#pragma once

#include "sim/rtl_driver/axi.h"
#include "sim/rtl_driver/sparse_memory.h"

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace llamaf::sim {

struct AxiTiming {
  enum class Mode { Ideal, Random };
  Mode mode = Mode::Ideal;
  int latency_min = 4;        // cycles from AR/last W accepted to first R/B
  int latency_max = 4;        // Random: uniform in [min, max]; Ideal uses min
  double ready_gap = 0.0;     // Random: probability arready/awready/wready low
  double valid_gap = 0.0;     // Random: probability rvalid/bvalid withheld
  int max_accepted = 64;      // bursts accepted and not yet answered
  std::uint64_t seed = 1;

  static AxiTiming ideal(int latency = 4) {
    AxiTiming t;
    t.latency_min = t.latency_max = latency;
    return t;
  }
  // Random latency 1..max_latency, gaps with the given probabilities, and
  // at most max_accepted bursts accepted.
  static AxiTiming random(std::uint64_t seed, int max_latency = 40, double ready_gap = 0.3,
                          double valid_gap = 0.3, int max_accepted = 4) {
    AxiTiming t;
    t.mode = Mode::Random;
    t.latency_min = 1;
    t.latency_max = max_latency;
    t.ready_gap = ready_gap;
    t.valid_gap = valid_gap;
    t.max_accepted = max_accepted;
    t.seed = seed;
    return t;
  }
};

// An address range [lo, hi) in which the slave answers SLVERR (tests of the
// error path).
struct AxiErrorRange {
  std::uint64_t lo = 0, hi = 0;
  bool contains(std::uint64_t a) const { return a >= lo && a < hi; }
};

class AxiReadSlave {
 public:
  AxiReadSlave(SparseMemory& mem, AxiPortShape shape, AxiTiming timing);

  const AxiReadSlaveOut& outputs() const { return out_; }
  void clock(const AxiReadMaster& m);
  void reset();  // drops bursts in flight, keeps memory

  void set_timing(const AxiTiming& t);
  void add_error_range(AxiErrorRange r) { errors_.push_back(r); }
  void clear_error_ranges() { errors_.clear(); }

  std::uint64_t beats_sent() const { return beats_sent_; }
  std::size_t bursts_in_flight() const { return bursts_.size(); }

 private:
  struct Burst {
    std::uint64_t addr;
    int beats;
    int next_beat;
    std::uint64_t ready_cycle;
  };
  bool chance(double p);
  int latency();
  void next_outputs(bool hold_r);

  SparseMemory& mem_;
  AxiPortShape shape_;
  AxiTiming timing_;
  std::mt19937_64 rng_;
  std::deque<Burst> bursts_;
  std::vector<AxiErrorRange> errors_;
  AxiReadSlaveOut out_;
  std::uint64_t cycle_ = 0;
  std::uint64_t beats_sent_ = 0;
};

class AxiWriteSlave {
 public:
  AxiWriteSlave(SparseMemory& mem, AxiPortShape shape, AxiTiming timing);

  const AxiWriteSlaveOut& outputs() const { return out_; }
  void clock(const AxiWriteMaster& m);
  void reset();

  void set_timing(const AxiTiming& t);
  void add_error_range(AxiErrorRange r) { errors_.push_back(r); }
  void clear_error_ranges() { errors_.clear(); }

  std::uint64_t beats_received() const { return beats_received_; }

 private:
  struct Aw {
    std::uint64_t addr;
    int beats;
    int next_beat;
    bool error;
  };
  struct WBeat {
    AxiData data;
    std::uint64_t strb;
  };
  struct B {
    std::uint64_t ready_cycle;
    std::uint8_t resp;
  };
  bool chance(double p);
  int latency();

  SparseMemory& mem_;
  AxiPortShape shape_;
  AxiTiming timing_;
  std::mt19937_64 rng_;
  std::deque<Aw> aws_;
  std::deque<WBeat> ws_;
  std::deque<B> bs_;
  std::vector<AxiErrorRange> errors_;
  AxiWriteSlaveOut out_;
  std::uint64_t cycle_ = 0;
  std::uint64_t beats_received_ = 0;
};

}  // namespace llamaf::sim
