// Staged weights (policies staged_sync and staged_async, docs/system.md):
// the host copies each layer's weights (and the classifier's) from the
// model's memory into a staging buffer that the accelerator reads. Sync
// copies a unit, then computes it; async double-buffers: while a unit is
// computed, the next one is copied by a background copy thread into the
// other end of the buffer. A copy ends when both its CPU time (profile
// memcpy bandwidth + cache clean) and its DRAM traffic are done.
//
// Staging buffer of `buffer_bytes`, async: copies alternate between its two
// ends, so two consecutive units fit when their sizes sum to at most the
// buffer (LlamaF's 111.5 MB holds a TinyLlama layer and the classifier):
//
//   base                                             base + buffer_bytes
//   | even copy (unit k) ->        ...        <- odd copy (unit k+1) |
//
// The stager is independent of SystemC: it drives a StagingHost, which the
// system simulation implements on the Soc and the unit test on a counter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llamaf::sim {

// A contiguous range of weight images copied as one (a layer's seven
// matrices, or the classifier).
struct WeightUnit {
  std::uint64_t addr = 0;
  std::uint64_t bytes = 0;
  std::uint64_t copy_cycles = 0;  // CPU time of its copy, fabric cycles (memcpy + cache clean)
};

// What the stager needs of the system; times in fabric cycles.
class StagingHost {
 public:
  virtual ~StagingHost() = default;
  virtual std::uint64_t now() = 0;
  // Starts the DRAM traffic of copying `bytes` from src to dst, issued
  // evenly over `pace` cycles (the copying thread's CPU time), and copies
  // the functional contents.
  virtual void copy_start(std::uint64_t src, std::uint64_t dst, std::uint64_t bytes,
                          std::uint64_t pace) = 0;
  // Blocks until the DRAM traffic of every started copy is done.
  virtual void copy_wait() = 0;
  // The host thread copies for n cycles (busy).
  virtual void busy(std::uint64_t n) = 0;
  // The host thread waits (idle) until cycle t (no-op if t <= now()).
  virtual void idle_until(std::uint64_t t) = 0;
  // CPU time of a background copy thread, counted but not waited for.
  virtual void account_busy(double n) = 0;
};

struct StagingConfig {
  bool async = false;
  std::uint64_t base = 0;          // staging buffer address
  std::uint64_t buffer_bytes = 0;  // 0: the least the policy needs
  // Staged units start at multiples of this (base and every unit's bytes
  // must be multiples): the weight images' alignment (MemoryMap::image_align).
  std::uint64_t align = 1;
  // async: fraction of the host's busy power a background copy thread
  // counts for (copy threads / cores).
  double background_busy_fraction = 0.25;
};

class WeightStager {
 public:
  // Throws llamaf::Error when the buffer cannot hold one unit (sync) or two
  // consecutive units (async); `what` names the option in the message.
  WeightStager(const StagingConfig& cfg, std::vector<WeightUnit> units, const std::string& what);

  // At the start of unit u's computation: makes its weights present in the
  // staging buffer (copy now, or wait for the prefetch) and, async, starts
  // copying the unit after it. Returns the staging address of unit u.
  std::uint64_t enter(StagingHost& host, int u);
  // The staging address of `addr` (inside unit u's range) after enter(u).
  std::uint64_t staged(int u, std::uint64_t addr) const;

  std::uint64_t buffer_bytes() const { return buffer_bytes_; }
  // The least buffer the policy needs for these units.
  static std::uint64_t needed_bytes(const std::vector<WeightUnit>& units, bool async);
  // Totals: bytes copied, fabric cycles the host thread spent copying or
  // waiting for a copy.
  std::uint64_t bytes_copied() const { return bytes_copied_; }
  std::uint64_t wait_cycles() const { return wait_cycles_; }
  const std::vector<WeightUnit>& units() const { return units_; }

 private:
  std::uint64_t slot_addr(std::uint64_t copy_index, int u) const;
  void start_copy(StagingHost& host, int u);

  StagingConfig cfg_;
  std::vector<WeightUnit> units_;
  std::uint64_t buffer_bytes_ = 0;
  std::uint64_t copies_ = 0;            // copies started so far
  std::vector<std::uint64_t> at_;       // unit -> staging address of its latest copy
  int pending_ = -1;                    // async: unit being prefetched
  std::uint64_t pending_cpu_done_ = 0;  // async: when its copy thread finishes
  std::uint64_t bytes_copied_ = 0;
  std::uint64_t wait_cycles_ = 0;
};

}  // namespace llamaf::sim
