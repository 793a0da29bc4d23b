// The Zynq UltraScale+ PS memory path between the fabric and the DDR4 model
// (AMD UG1085 ch. 35 "PL-PS interface specifics" and ch. 17 "DDR memory
// controller"), as structure with few constants:
//
//   PL master ──AXI4──► AFI (S_AXI_HPx_FPD / S_AXI_HPCx_FPD / APU via CCI)
//     command queue (acceptance 8), AXI4 -> AXI3 split (16 beats, 4 KB),
//     issuing capability (16 per channel), 128-beat read and write data FIFOs
//   ──► PS interconnect (FPD main switch; HPC and APU: CCI-400) latency
//   ──► DDRC XPI port (six; HP1+HP2 share XPI 4, HP0 + DisplayPort XPI 3,
//       HP3 + FPD DMA XPI 5, CCI XPI 1/2), per-port read and write queues
//   ──► port arbiter (QoS class, then round robin; one HIF command = one
//       DRAM burst per DDRC core clock = two DRAM command clocks)
//   ──► read / write CAMs, FR-FCFS, address mapping, DDR4 devices (DramSystem)
//   ──► response path back to the AFI's read data FIFO (in order per port)
//
// Plain C++ ticked on the DRAM command clock; the PL side is driven in fabric
// cycles through an exact clock ratio (the caller ends each fabric cycle).
// docs/memory.md draws this path and lists every constant with its source.
#pragma once

#include "sim/dram/dram_system.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace llamaf::config {
class JsonObject;
}  // namespace llamaf::config

namespace llamaf::dram {

using config::JsonObject;

// DDRC traffic classes (PG201 "DDR traffic class"; UG1085 DDR QoS): ports
// arbitrate by class first (low latency over video over best effort).
enum class QosClass { BestEffort = 0, Video = 1, LowLatency = 2 };
const char* to_string(QosClass q);

// One PL-side (or APU) master port into the PS.
struct PsPortSpec {
  std::string name;            // "HP0".."HP3", "HPC0", "HPC1", "APU"
  int data_bits = 128;         // AXI data width at the PS side of the AFI
  int xpi = 3;                 // DDR controller port (XPI 0..5) it reaches
  bool coherent = false;       // through the CCI (adds cci_latency_ns)
  QosClass qos = QosClass::BestEffort;
};

struct PsConfig {
  std::vector<PsPortSpec> ports;
  // Ports an n-port design uses when it names none: the first n of this list.
  std::vector<std::string> default_port_order;
  // AFI (AXI FIFO interface) of each port, UG1085 "AXI interface programming".
  int read_acceptance = 8;     // read commands the AFI accepts (command queue)
  int write_acceptance = 8;
  int read_issuing = 16;       // outstanding read bursts issued into the PS
  int write_issuing = 16;
  int read_fifo_beats = 128;   // read data FIFO (128 x 128 bit)
  int write_fifo_beats = 128;
  int max_burst_beats = 16;    // AXI3 inside the PS
  int boundary_bytes = 4096;   // AXI bursts never cross 4 KB
  // PS interconnect (ns): AFI issue to XPI, and DRAM data/response back to
  // the AFI FIFO. Calibrated (docs/memory.md).
  double request_latency_ns = 100.0;
  double response_latency_ns = 100.0;
  double write_response_latency_ns = 60.0;  // DDRC write acceptance to BRESP at the AFI
  double cci_latency_ns = 20.0;       // extra each way through the CCI
  // DDRC.
  int xpi_ports = 6;
  int xpi_queue_depth = 32;           // per XPI port and direction, AXI3 bursts
  int hif_period_ck = 2;              // DRAM clocks per HIF command (DDRC core = DRAM clock / 2)
  // The APU (host) as a master: 64-byte cache-line requests through the CCI.
  int apu_outstanding = 16;
  int apu_line_bytes = 64;

  void validate(const std::string& where) const;
  int port_index(const std::string& name) const;  // -1 when absent
  // The first n of default_port_order; throws when n exceeds it.
  std::vector<std::string> default_port_map(int n) const;
  // The PS ports of a design's `axi_ports` AXI read ports: `ps_ports` (e.g.
  // {"HP0", "HP2", "HP3"}; HPC0/HPC1 allowed), or default_port_map when it
  // is empty. Throws, naming `where`, when the list has another length than
  // the design's AXI ports, names a port the PS does not have (or the APU),
  // or names one twice. The system simulation and the explorer's sweep
  // loader both call it, so a sweep is refused before anything is built.
  std::vector<std::string> port_map(const std::vector<std::string>& ps_ports, int axi_ports,
                                    const std::string& where) const;
};

PsConfig ps_config_from_json(const JsonObject& obj);

// AXI4 -> AXI3 as the AFI converts: (address, beats) pieces of at most
// max_beats beats that never cross a boundary_bytes boundary.
// E.g. 64 beats x 16 B from 0x0F80: 8 beats (to 0x1000), then 16, 16, 16, 8.
std::vector<std::pair<std::uint64_t, int>> split_axi3(std::uint64_t addr, int beats, int beat_bytes,
                                                      int max_beats, int boundary_bytes);
nlohmann::json to_json(const PsConfig& c);

// Per PL-side port counters.
struct PsPortStats {
  std::uint64_t read_bursts = 0, write_bursts = 0;   // AXI3 bursts issued into the PS
  std::uint64_t read_bytes = 0, write_bytes = 0;     // useful bytes (beats x width)
  std::uint64_t read_latency_sum_ck = 0;             // issue into PS to data in FIFO, DRAM clocks
  std::uint64_t read_latency_max_ck = 0;
  std::uint64_t cmd_full_cycles = 0;                 // DRAM cycles with a full command queue
  std::uint64_t issue_blocked_cycles = 0;            // commands waiting on issuing/FIFO/XPI room
};
struct XpiStats {
  std::uint64_t grants = 0;                 // AXI3 bursts granted to the CAMs
  std::uint64_t queue_sum = 0;              // sum over DRAM cycles of queued bursts
  std::uint64_t cam_blocked_cycles = 0;     // head waiting for CAM room
};

class PsMemory {
 public:
  // `fabric_khz`: PL clock of the masters (the AFI PL side).
  PsMemory(const PsConfig& cfg, DramSystem& dram, std::int64_t fabric_khz);

  const PsConfig& config() const { return cfg_; }
  DramSystem& dram() { return dram_; }
  int port_index(const std::string& name) const;  // throws when absent
  int beat_bytes(int port) const { return cfg_.ports[std::size_t(port)].data_bits / 8; }

  // ---- PL side, called within fabric cycle fabric_cycle() ----
  bool can_accept_read(int port) const;
  bool can_accept_write(int port) const;
  // An AXI4 read burst of `beats` beats at `addr`; `tag` is returned with
  // its data. Split at 16 beats and 4 KB into AXI3 bursts.
  void read(int port, std::uint64_t addr, int beats, std::uint64_t tag);
  // An AXI4 write burst; its beats follow with write_beat().
  void write(int port, std::uint64_t addr, int beats, std::uint64_t tag);
  bool can_take_write_beat(int port) const;  // WREADY: address known and FIFO room
  void write_beat(int port);
  // The oldest read burst whose data is in the FIFO: its tag and beats left.
  bool read_ready(int port, std::uint64_t* tag = nullptr) const;
  // Consumes one beat of it (RVALID && RREADY); true when that was the last.
  bool take_read_beat(int port);
  // A write response (BVALID), in order.
  bool write_response_ready(int port, std::uint64_t* tag = nullptr) const;
  void take_write_response(int port);
  // The host (APU): a transfer of `bytes` in cache lines through the CCI;
  // its completion is reported by pop_host_done().
  void host_request(std::uint64_t addr, std::uint64_t bytes, bool write, std::uint64_t tag);
  bool pop_host_done(std::uint64_t& tag);

  // Ends the current fabric cycle: simulates the DRAM clocks inside it.
  void end_fabric_cycle();
  // Jumps to fabric cycle n (only valid while nothing is in flight: idle()).
  void skip_to(std::uint64_t n);
  std::uint64_t fabric_cycle() const { return fabric_; }
  std::uint64_t dram_cycle_at(std::uint64_t fabric_cycle) const;
  std::uint64_t fabric_cycle_of(std::uint64_t dram_cycle) const;
  bool idle() const;

  const std::vector<PsPortStats>& port_stats() const { return port_stats_; }
  const std::vector<XpiStats>& xpi_stats() const { return xpi_stats_; }
  std::uint64_t dram_cycles() const { return dram_.cycle(); }
  // Per PL-PS port and per XPI port bandwidth and queueing (JSON).
  nlohmann::json stats_json() const;

 private:
  struct Piece {                 // one AXI3 burst
    std::uint64_t addr;
    int beats;
    std::uint64_t parent;        // index of the AXI4 burst (per port and direction)
    bool last;                   // last piece of its parent
    bool write = false;
    std::uint64_t issue_ck = 0;
    std::uint64_t ready_ck = kNever;  // data in the AFI FIFO / BRESP back
    bool done = false;
  };
  struct Parent {
    std::uint64_t tag;
    int beats;                   // write: beats still expected on W
    int pieces_left;
  };
  struct Channel {               // one direction of one AFI
    std::deque<Piece> cmdq;      // accepted, not yet issued into the PS
    std::deque<Piece> issued;    // issued, in issue order, until data/response leaves
    std::deque<Parent> parents;  // AXI4 bursts accepted and not yet answered
    std::uint64_t next_parent = 0;   // index of the next accepted AXI4 burst
    std::uint64_t first_parent = 0;  // index of parents.front()
    int issued_count = 0;        // counts against the issuing capability
    int fifo_used = 0;           // beats reserved in (read) or held by (write) the data FIFO
    int beats_taken = 0;         // read: beats of issued.front() delivered
    int cmdq_beats = 0;          // write: beats the commands in cmdq expect
    int w_received = 0;          // write: beats received for the commands in cmdq
  };
  struct Hif {                   // an AXI3 burst on its way to / in an XPI queue
    int port;
    bool write;
    Piece* piece;
    std::uint64_t arrive_ck;
  };
  struct HostXfer {
    std::uint64_t tag;
    std::uint64_t lines_left;
  };
  void piece_done(int port, bool write, Piece* p);

  void step_dram_cycle();
  void issue(int port, bool write);
  void arbitrate();
  void deliver(const DramCompletion& c);
  void split(Channel& ch, std::uint64_t addr, int beats, std::uint64_t parent, int bytes_per_beat);
  Channel& chan(int port, bool write) { return write ? wr_[std::size_t(port)] : rd_[std::size_t(port)]; }
  const Channel& chan(int port, bool write) const {
    return write ? wr_[std::size_t(port)] : rd_[std::size_t(port)];
  }
  std::uint64_t path_ck(int port) const;

  PsConfig cfg_;
  DramSystem& dram_;
  std::uint64_t dram_khz_, fabric_khz_;
  std::uint64_t fabric_ = 0;
  std::uint64_t req_ck_ = 0, resp_ck_ = 0, wresp_ck_ = 0, cci_ck_ = 0;
  std::vector<Channel> rd_, wr_;
  std::vector<Hif> transit_;                      // on the request path
  std::vector<std::deque<Hif>> xpi_q_[2];         // [write][xpi]
  std::vector<int> xpi_pending_[2];               // in transit + queued, per xpi
  int rr_ = 0;                                    // round-robin pointer over (xpi, dir)
  std::uint64_t arbiter_free_ck_ = 0;
  std::map<std::uint64_t, Hif> in_dram_;          // DRAM tag -> burst
  std::uint64_t next_dram_tag_ = 0;
  std::multimap<std::uint64_t, std::pair<int, Piece*>> returning_;  // ready_ck -> (port, piece)
  // Host.
  int apu_ = -1;
  std::map<std::uint64_t, HostXfer> host_xfers_;
  std::uint64_t next_host_id_ = 0;
  std::deque<std::uint64_t> host_done_;
  std::vector<PsPortStats> port_stats_;
  std::vector<XpiStats> xpi_stats_;
};

}  // namespace llamaf::dram
