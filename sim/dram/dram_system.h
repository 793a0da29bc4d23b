// Cycle-based DDR4 memory system: per channel an FR-FCFS controller with
// read/write queues, write draining between watermarks and all-bank refresh,
// in front of a device model that enforces the JEDEC timings of every bank,
// bank group and rank. Plain C++ (no SystemC), ticked once per command clock
// (tCK); idle spans are skipped, so a caller may also jump with advance_to().
//
// Use:
//   DramSystem mem(cfg);
//   if (mem.try_enqueue({addr, bytes, is_write, source, tag})) ...;  // else retry later
//   mem.tick();                       // or mem.advance_to(c)
//   DramCompletion done;
//   while (mem.pop_completion(done)) ...;  // done.done_cycle = cycle of the last data beat
//
// Timing of one request (docs/dram.md derives these):
//   read, bank closed:    frontend + tRCD + CL + tBL cycles from acceptance to last data
//   read, row hit:        frontend + CL + tBL
//   read, row conflict:   frontend + tRP + tRCD + CL + tBL (tRAS/tRTP/tWR already met)
//   write (on_data):      same with CWL for CL; (on_accept): complete at acceptance.
#pragma once

#include "sim/dram/address_map.h"
#include "sim/dram/dram_config.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <vector>

namespace llamaf::dram {

inline constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::uint32_t kMaxSources = 4096;

struct DramRequest {
  std::uint64_t addr = 0;
  std::uint32_t bytes = 64;   // any size > 0; split into the bursts it touches
  bool is_write = false;
  std::uint32_t source = 0;   // requester id (< kMaxSources), for per-source statistics
  std::uint64_t tag = 0;      // returned unchanged in the completion
};

struct DramCompletion {
  std::uint64_t tag = 0;
  std::uint32_t source = 0;
  bool is_write = false;
  std::uint64_t addr = 0;
  std::uint32_t bytes = 0;
  std::uint64_t enqueue_cycle = 0;  // cycle the request was accepted
  std::uint64_t done_cycle = 0;     // cycle its last data beat finished (or acceptance, posted writes)
};

struct DramSourceStats {
  std::uint64_t read_requests = 0, write_requests = 0;
  std::uint64_t read_bytes = 0, write_bytes = 0;  // burst bytes moved on the bus
  std::uint64_t read_latency_sum_ck = 0, read_latency_max_ck = 0;
};

// Counters of the whole memory system (all channels).
struct DramStats {
  std::uint64_t read_requests = 0, write_requests = 0;
  std::uint64_t rejected_requests = 0;  // try_enqueue calls refused (a polling caller counts each retry)
  std::uint64_t read_bursts = 0, write_bursts = 0;
  std::uint64_t activates = 0;
  std::uint64_t precharges = 0;  // rows closed: PRE, auto-precharge and each bank of a PREA
  std::uint64_t refreshes = 0;
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;  // per burst, at its first command
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t data_bus_busy_cycles = 0;  // summed over channels
  std::uint64_t write_mode_switches = 0;   // read-to-write mode switches
  std::uint64_t read_latency_sum_ck = 0, read_latency_max_ck = 0;  // per request
  std::vector<DramSourceStats> per_source;  // indexed by source id
};

// One issued DRAM command, for tracing and for independent timing checks.
enum class DramCommand : std::uint8_t { Activate, Precharge, Read, Write, Refresh };
struct DramCommandRecord {
  std::uint64_t cycle = 0;
  DramCommand command = DramCommand::Activate;
  std::uint8_t channel = 0, rank = 0, bank_group = 0, bank = 0;
  std::uint32_t row = 0;
  // Precharge records only: an auto-precharge (RDA/WRA, at the earliest
  // legal cycle, which may lie after later records) or one bank of a PREA;
  // neither occupies a command-bus slot of its own.
  bool implicit = false;
};
const char* to_string(DramCommand c);

class DramChannel;

class DramSystem {
 public:
  explicit DramSystem(const DramConfig& cfg);  // validates cfg
  ~DramSystem();
  DramSystem(const DramSystem&) = delete;
  DramSystem& operator=(const DramSystem&) = delete;

  const DramConfig& config() const { return cfg_; }
  const DramTiming& timing() const { return t_; }
  const AddressMapper& mapper() const { return map_; }
  // The cycle the next tick() simulates; a request enqueued now arrives in it.
  std::uint64_t cycle() const { return now_; }

  // True when try_enqueue(r) would accept r now. A request is accepted when,
  // in every channel it touches, no earlier request still waits for queue
  // slots and the queue has room for min(its bursts, depth) bursts; bursts
  // beyond the queue depth then enter as slots free up.
  bool can_accept(const DramRequest& r) const;
  // Accepts r in the current cycle, or returns false (backpressure).
  // Throws llamaf::Error for bytes == 0 or source >= kMaxSources.
  bool try_enqueue(const DramRequest& r);

  // Simulates the current cycle (at most one command per channel), then
  // advances by one.
  void tick() {
    if (now_ >= next_event_) step();
    ++now_;
  }
  // Ticks until cycle() == c, jumping over cycles in which nothing can happen.
  void advance_to(std::uint64_t c);
  // Earliest cycle >= cycle() in which tick() can change any state or deliver
  // a completion (refresh included); kNever when nothing is pending.
  std::uint64_t next_event_cycle() const { return next_event_ < now_ ? now_ : next_event_; }
  // No request queued, waiting for a slot, in flight or undelivered.
  bool idle() const;

  // Completions in nondecreasing done_cycle order; each is delivered by the
  // tick() that simulates its done_cycle (posted writes: at acceptance).
  bool pop_completion(DramCompletion& out);
  std::size_t completions_ready() const { return done_.size(); }

  const DramStats& stats() const { return stats_; }
  // Nested JSON: configuration summary, counters, derived rates, per source.
  nlohmann::json stats_json() const;

  // Appends every command issued from now on to *sink (nullptr: stop).
  void trace_commands(std::vector<DramCommandRecord>* sink) { trace_ = sink; }

 private:
  friend class DramChannel;
  struct RequestState {
    DramRequest req;
    std::uint64_t enqueue_cycle = 0;
    std::uint64_t done_cycle = 0;
    std::uint32_t remaining = 0;  // bursts not yet completed
    bool respond = true;          // false: completion already reported (posted write)
  };

  void step();
  void burst_done(std::uint32_t slot, std::uint64_t done_cycle);
  void recompute_next_event();

  DramConfig cfg_;
  DramTiming t_;
  AddressMapper map_;
  std::uint64_t now_ = 0;
  std::uint64_t next_event_ = 0;
  std::vector<std::unique_ptr<DramChannel>> channels_;
  std::vector<RequestState> requests_;
  std::vector<std::uint32_t> free_requests_;
  std::uint64_t live_requests_ = 0;
  std::deque<DramCompletion> done_;
  DramStats stats_;
  std::vector<DramCommandRecord>* trace_ = nullptr;
};

}  // namespace llamaf::dram
