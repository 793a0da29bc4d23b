// AXI4 slave ports whose timing comes from the PS memory model: the fabric
// side of the ZynqMP PL-PS ports (S_AXI_HPx_FPD / S_AXI_HPCx_FPD). Data is
// functional (SparseMemory); timing, acceptance, AXI3 splitting, the AFI
// FIFOs, the PS interconnect, the DDRC port arbitration and the DDR4 devices
// are those of dram::PsMemory (sim/dram/ps_memory.h, docs/memory.md).
//
// The bridge owns the clock-domain crossing (PsMemory advances the DRAM
// clock by the exact integer ratio of the two clocks) and the design's port
// map: accelerator AXI port i is attached to PS port port_map[i].
//
// Calling convention per fabric cycle (that of sim/rtl_driver/axi_slave.h):
// drive outputs() into the DUT, sample its master signals, clock(master) on
// every port, then bridge.end_cycle().
#pragma once

#include "sim/dram/dram_system.h"
#include "sim/dram/ps_memory.h"
#include "sim/rtl_driver/axi.h"
#include "sim/rtl_driver/sparse_memory.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace llamaf::sim {

class DramBridge;

// One AXI read port of the accelerator on a PS port. A PL beat wider than
// the PS port (e.g. 256 bits on a 128-bit HP port) takes several PS beats,
// one per fabric cycle; a narrower one shares a PS beat.
class DramAxiReadPort {
 public:
  // `index`: the accelerator's AXI port number, mapped to a PS port by the bridge.
  DramAxiReadPort(DramBridge& bridge, std::uint32_t index, AxiPortShape shape);
  const AxiReadSlaveOut& outputs() const { return out_; }
  void clock(const AxiReadMaster& m);
  bool idle() const { return bursts_.empty(); }
  int ps_port() const { return port_; }

 private:
  struct Burst {
    std::uint64_t addr;
    int beats;          // PL beats
    int ps_beats;       // PS beats it was issued as
    int next_beat = 0;  // PL beats delivered
    int ps_taken = 0;   // PS beats taken from the AFI FIFO
  };
  void next_outputs(bool hold_r);

  DramBridge& bridge_;
  int port_;
  AxiPortShape shape_;
  std::deque<Burst> bursts_;  // accepted, in order
  AxiReadSlaveOut out_;
};

class DramAxiWritePort {
 public:
  DramAxiWritePort(DramBridge& bridge, std::uint32_t index, AxiPortShape shape);
  const AxiWriteSlaveOut& outputs() const { return out_; }
  void clock(const AxiWriteMaster& m);
  bool idle() const { return aws_.empty() && responses_ == 0; }
  int ps_port() const { return port_; }

 private:
  struct Aw {
    std::uint64_t addr;
    int beats;
    int ps_beats;
    int next_beat = 0;
    int ps_sent = 0;
  };
  DramBridge& bridge_;
  int port_;
  AxiPortShape shape_;
  std::deque<Aw> aws_;     // addresses accepted, data not complete
  int responses_ = 0;      // bursts whose B response is outstanding
  AxiWriteSlaveOut out_;
};

// The PS memory system seen from the fabric clock domain.
class DramBridge {
 public:
  // `port_map[i]`: PS port (ps.ports[].name) of accelerator AXI port i; the
  // accelerator's write port uses port_map[0]. fabric_khz: the PL clock.
  DramBridge(const dram::PsConfig& ps, dram::DramSystem& dram, SparseMemory& mem,
             std::int64_t fabric_khz, std::vector<std::string> port_map);

  SparseMemory& memory() { return mem_; }
  dram::DramSystem& dram() { return dram_; }
  dram::PsMemory& ps() { return ps_; }
  const std::vector<std::string>& port_map() const { return port_map_; }
  int ps_port(std::uint32_t index) const;
  std::uint64_t fabric_cycle() const { return ps_.fabric_cycle(); }
  std::uint64_t dram_cycle_at(std::uint64_t n) const { return ps_.dram_cycle_at(n); }
  std::uint64_t fabric_cycle_of(std::uint64_t d) const { return ps_.fabric_cycle_of(d); }

  // Host (APU) traffic through the CCI: always accepted (the APU port queues
  // it); its completion is reported through set_other_completion with the
  // request's tag.
  bool try_request(const dram::DramRequest& r);
  void set_other_completion(std::function<void(const dram::DramCompletion&)> f) {
    other_done_ = std::move(f);
  }

  // Ends the current fabric cycle: advances the PS and DRAM models through it.
  void end_cycle();
  // Jumps over idle fabric cycles (no port activity): advances to cycle n.
  void skip_to(std::uint64_t n);

 private:
  void deliver();

  dram::DramSystem& dram_;
  SparseMemory& mem_;
  dram::PsMemory ps_;
  std::vector<std::string> port_map_;
  std::vector<int> ps_index_;
  std::function<void(const dram::DramCompletion&)> other_done_;
};

}  // namespace llamaf::sim
