// AXI4 slave ports whose timing comes from the DDR4 model: the fabric side of
// the PS memory system (ZynqMP HP ports). Data is functional (SparseMemory);
// each AXI burst becomes one DRAM request, and its beats are returned once
// the request has completed and crossed the PS interconnect.
//
// The bridge owns the clock-domain crossing: each fabric cycle it advances the
// DRAM model to the DRAM command cycle that corresponds to the end of that
// fabric cycle (exact integer ratio of the two clocks) and routes completions
// to the port (or host) that issued them, by source id.
//
// Calling convention per fabric cycle (that of sim/rtl_driver/axi_slave.h):
// drive outputs() into the DUT, sample its master signals, clock(master) on
// every port, then bridge.end_cycle().
#pragma once

#include "sim/dram/dram_system.h"
#include "sim/rtl_driver/axi.h"
#include "sim/rtl_driver/sparse_memory.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace llamaf::sim {

// Static properties of the PS side of a port.
struct PsPortConfig {
  int max_accepted_bursts = 16;      // bursts a port accepts before arready/awready drops
  int interconnect_latency_cycles = 16;  // fabric cycles added to each response
};

class DramBridge;

class DramAxiReadPort {
 public:
  DramAxiReadPort(DramBridge& bridge, std::uint32_t source, AxiPortShape shape,
                  PsPortConfig cfg);
  const AxiReadSlaveOut& outputs() const { return out_; }
  void clock(const AxiReadMaster& m);
  void reset();
  bool idle() const { return bursts_.empty(); }

 private:
  friend class DramBridge;
  struct Burst {
    std::uint64_t addr;
    int beats;
    int next_beat = 0;
    bool issued = false;                  // accepted by the DRAM model
    std::uint64_t ready_cycle = UINT64_MAX;  // fabric cycle the first beat may go
  };
  void completed(std::uint64_t tag, std::uint64_t fabric_cycle);
  void next_outputs(bool hold_r);

  DramBridge& bridge_;
  std::uint32_t source_;
  AxiPortShape shape_;
  PsPortConfig cfg_;
  std::deque<Burst> bursts_;     // accepted, in order
  std::uint64_t first_tag_ = 0;  // tag of bursts_.front()
  AxiReadSlaveOut out_;
};

class DramAxiWritePort {
 public:
  DramAxiWritePort(DramBridge& bridge, std::uint32_t source, AxiPortShape shape,
                   PsPortConfig cfg);
  const AxiWriteSlaveOut& outputs() const { return out_; }
  void clock(const AxiWriteMaster& m);
  void reset();
  bool idle() const { return aws_.empty() && pending_.empty(); }

 private:
  friend class DramBridge;
  struct Aw {
    std::uint64_t addr;
    int beats;
    int next_beat = 0;
  };
  struct Pending {  // a complete burst: DRAM request then B response
    std::uint64_t addr;
    std::uint32_t bytes;
    bool issued = false;
    std::uint64_t ready_cycle = UINT64_MAX;
  };
  void completed(std::uint64_t tag, std::uint64_t fabric_cycle);

  DramBridge& bridge_;
  std::uint32_t source_;
  AxiPortShape shape_;
  PsPortConfig cfg_;
  std::deque<Aw> aws_;
  std::deque<Pending> pending_;
  std::uint64_t first_tag_ = 0;
  AxiWriteSlaveOut out_;
};

// The DRAM model seen from the fabric clock domain.
class DramBridge {
 public:
  // fabric_khz and the DRAM command clock (data_rate/2) define the ratio.
  DramBridge(dram::DramSystem& dram, SparseMemory& mem, std::int64_t fabric_khz);

  SparseMemory& memory() { return mem_; }
  dram::DramSystem& dram() { return dram_; }
  std::uint64_t fabric_cycle() const { return cycle_; }
  // DRAM command cycle at the start of fabric cycle n.
  std::uint64_t dram_cycle_at(std::uint64_t n) const;
  // Fabric cycle in which DRAM cycle d falls.
  std::uint64_t fabric_cycle_of(std::uint64_t d) const;

  void attach(DramAxiReadPort* p);
  void attach(DramAxiWritePort* p);
  // Requests of another agent (the host); `done` is called with the fabric
  // cycle of completion. Returns false on backpressure.
  bool try_request(const dram::DramRequest& r);
  void set_other_completion(std::function<void(const dram::DramCompletion&)> f) {
    other_done_ = std::move(f);
  }

  // Ends the current fabric cycle: advances the DRAM model through it and
  // delivers completions.
  void end_cycle();
  // Jumps over idle fabric cycles (no port activity): advances to cycle n.
  void skip_to(std::uint64_t n);

 private:
  void deliver();

  dram::DramSystem& dram_;
  SparseMemory& mem_;
  std::uint64_t dram_khz_;    // the two clocks' ratio, reduced
  std::uint64_t fabric_khz_;
  std::uint64_t cycle_ = 0;
  std::vector<DramAxiReadPort*> readers_;   // indexed by source
  std::vector<DramAxiWritePort*> writers_;  // indexed by source
  std::function<void(const dram::DramCompletion&)> other_done_;
};

}  // namespace llamaf::sim
