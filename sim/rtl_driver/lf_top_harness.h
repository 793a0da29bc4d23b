// Cycle-based Verilator testbench of the accelerator top `lf_top`: clocks the
// model, serves its AXI ports from one SparseMemory through AxiReadSlave/
// AxiWriteSlave models, checks every port with the AXI protocol checkers
// (throwing llamaf::Error on the first violation) and drives the CSR port.
// A template over the Verilated class (Vlf_top_<design>), whose ports are
// those of docs/rtl.md; port geometry comes from the design's parameters.
#pragma once

#include "sim/model/error.h"
#include "sim/model/packed_image.h"
#include "sim/rtl_driver/axi_checker.h"
#include "sim/rtl_driver/axi_slave.h"
#include "sim/rtl_driver/design_params.h"
#include "sim/rtl_driver/lf_csr.h"
#include "sim/rtl_driver/lf_top_pins.h"
#include "sim/rtl_driver/sparse_memory.h"
#include "sim/rtl_driver/vl_signal.h"

#include <verilated.h>
#ifdef LLAMAF_TB_TRACE
#include <verilated_vcd_c.h>
#endif

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace llamaf::sim {

using csr::JobRegs;

template <class Model>
class LfTopHarness {
 public:
  explicit LfTopHarness(const DesignParams& p, const AxiTiming& timing = AxiTiming::ideal())
      : p_(p), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->randReset(0);
#ifdef LLAMAF_TB_TRACE
    const char* vcd = std::getenv("LLAMAF_RTL_VCD");
    if (vcd && *vcd) ctx_->traceEverOn(true);
#endif
    top_ = std::make_unique<Model>(ctx_.get(), "top");
#ifdef LLAMAF_TB_TRACE
    if (vcd && *vcd) {
      static int instances = 0;
      const int n = instances++;
      tfp_ = std::make_unique<VerilatedVcdC>();
      top_->trace(tfp_.get(), 99);
      tfp_->open(n == 0 ? vcd : fmt::format("{}.{}", vcd, n).c_str());
    }
#endif
    const AxiPortShape shape{p_.axi_data_bits, p_.axi_addr_bits};
    AxiCheckLimits rd_limits{p_.max_burst_beats, p_.max_outstanding};
    AxiCheckLimits wr_limits{p_.max_burst_beats, 1 << 30};
    for (int i = 0; i < p_.weight_ports; ++i) {
      rd_slaves_.push_back(std::make_unique<AxiReadSlave>(mem_, shape, port_timing(timing, i)));
      rd_checkers_.emplace_back(fmt::format("read port {}", i), shape, rd_limits);
    }
    wr_slave_ = std::make_unique<AxiWriteSlave>(mem_, shape, port_timing(timing, 100));
    wr_checker_ = std::make_unique<AxiWriteChecker>("write port 0", shape, wr_limits);
    rd_in_.resize(std::size_t(p_.weight_ports));
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->csr_req_i = 0;
    top_->csr_we_i = 0;
    top_->csr_addr_i = 0;
    top_->csr_wdata_i = 0;
    reset();
  }
  ~LfTopHarness() {
    top_->final();
#ifdef LLAMAF_TB_TRACE
    if (tfp_) tfp_->close();
#endif
  }
  LfTopHarness(const LfTopHarness&) = delete;
  LfTopHarness& operator=(const LfTopHarness&) = delete;

  const DesignParams& params() const { return p_; }
  SparseMemory& memory() { return mem_; }
  Model& model() { return *top_; }
  std::uint64_t cycle() const { return cycle_; }
  std::uint64_t irq_count() const { return irqs_; }
  AxiReadSlave& read_slave(int port) { return *rd_slaves_.at(std::size_t(port)); }
  AxiWriteSlave& write_slave() { return *wr_slave_; }
  AxiReadChecker& read_checker(int port) { return rd_checkers_.at(std::size_t(port)); }
  AxiWriteChecker& write_checker() { return *wr_checker_; }

  // New timing for every port; each port's RNG seed is derived from t.seed.
  void set_timing(const AxiTiming& t) {
    for (int i = 0; i < p_.weight_ports; ++i) rd_slaves_[std::size_t(i)]->set_timing(port_timing(t, i));
    wr_slave_->set_timing(port_timing(t, 100));
  }

  // Holds rst_ni low for `cycles` cycles; the memory keeps its contents,
  // the slaves and checkers drop their bursts in flight.
  void reset(int cycles = 4) {
    in_reset_ = true;
    top_->rst_ni = 0;
    for (int i = 0; i < cycles; ++i) step();
    for (auto& s : rd_slaves_) s->reset();
    wr_slave_->reset();
    for (auto& c : rd_checkers_) c.reset();
    wr_checker_->reset();
    top_->rst_ni = 1;
    in_reset_ = false;
  }

  // One clock cycle: drive the slaves' outputs, settle, sample and check the
  // masters, let the slaves see this cycle's handshakes, rising edge.
  void step() {
    drive_slave_outputs();
    top_->clk_i = 0;
    top_->eval();
    dump();
    sample_masters();
    csr_rdata_ = top_->csr_rdata_o;
    if (top_->irq_o && !in_reset_) ++irqs_;
    if (!in_reset_) {
      for (int i = 0; i < p_.weight_ports; ++i)
        rd_checkers_[std::size_t(i)].sample(cycle_, rd_in_[std::size_t(i)],
                                             rd_slaves_[std::size_t(i)]->outputs());
      wr_checker_->sample(cycle_, wr_in_, wr_slave_->outputs());
    }
    for (int i = 0; i < p_.weight_ports; ++i) rd_slaves_[std::size_t(i)]->clock(rd_in_[std::size_t(i)]);
    wr_slave_->clock(wr_in_);
    ctx_->timeInc(1);
    top_->clk_i = 1;
    top_->eval();
    dump();
    ctx_->timeInc(1);
    ++cycle_;
    top_->csr_req_i = 0;
    top_->csr_we_i = 0;
    throw_on_violation();
  }

  void run(std::uint64_t cycles) {
    for (std::uint64_t i = 0; i < cycles; ++i) step();
  }

  // ---------------------------------------------------------------- CSR driver

  // One cycle each: the request is presented for one cycle; read data is
  // combinational in that cycle.
  std::uint32_t csr_read(std::uint32_t addr) {
    top_->csr_req_i = 1;
    top_->csr_we_i = 0;
    top_->csr_addr_i = addr;
    step();
    return csr_rdata_;
  }
  void csr_write(std::uint32_t addr, std::uint32_t value) {
    top_->csr_req_i = 1;
    top_->csr_we_i = 1;
    top_->csr_addr_i = addr;
    top_->csr_wdata_i = value;
    step();
  }
  std::uint64_t csr_read64(std::uint32_t addr) {
    // HI, LO, HI again: a carry between the two reads is detected and retried.
    for (;;) {
      const std::uint32_t hi = csr_read(addr + 4);
      const std::uint32_t lo = csr_read(addr);
      if (csr_read(addr + 4) == hi) return std::uint64_t(hi) << 32 | lo;
    }
  }

  csr::Status status() { return csr::Status::decode(csr_read(csr::kStatus)); }
  std::uint32_t jobs_done() { return csr_read(csr::kJobsDone); }
  csr::Counters counters() {
    return csr::read_counters([this](std::uint32_t a) { return csr_read64(a); }, p_.num_pe);
  }

  void stage_job(const JobRegs& j) {
    csr_write(csr::kRows, j.rows);
    csr_write(csr::kCols, j.cols);
    csr_write(csr::kWAddrLo, std::uint32_t(j.w_addr));
    csr_write(csr::kWAddrHi, std::uint32_t(j.w_addr >> 32));
    csr_write(csr::kXAddrLo, std::uint32_t(j.x_addr));
    csr_write(csr::kXAddrHi, std::uint32_t(j.x_addr >> 32));
    csr_write(csr::kYAddrLo, std::uint32_t(j.y_addr));
    csr_write(csr::kYAddrHi, std::uint32_t(j.y_addr >> 32));
    csr_write(csr::kLayout, j.layout);
  }
  void enqueue() { csr_write(csr::kCtrl, csr::kCtrlEnqueue); }
  void clear_error() { csr_write(csr::kCtrl, csr::kCtrlClearError); }

  // Stages and enqueues a job and lets the checkers accept its images.
  void submit(const JobRegs& j) {
    allow_job(j);
    stage_job(j);
    enqueue();
  }

  // The address ranges of a job's images become legal for the checkers:
  // weight region p on read port p (interleaved: the whole image, whose
  // chunks the ports share), the x image on port 0, the y image on the write
  // port. The job's layout is its LAYOUT value, whatever the design file says.
  void allow_job(const JobRegs& j) {
    if (j.rows == 0 || j.cols == 0 || j.cols % std::uint32_t(p_.group_size) != 0) return;
    model::BusGeometry bus = p_.bus();
    bus.chunk_bytes = j.layout == 0 ? 0 : std::int64_t{1} << j.layout;
    if (j.layout != 0 && bus.chunk_bytes < p_.burst_bytes()) return;  // rejected (error 6)
    const model::WeightImageLayout l =
        model::weight_image_layout(int(j.rows), int(j.cols), p_.quant_spec(), bus);
    for (int i = 0; i < p_.weight_ports; ++i) {
      const auto lo = j.w_addr + std::uint64_t(j.layout == 0 ? l.word_offset(i, 0) : 0);
      const auto bytes = std::uint64_t(j.layout == 0 ? l.port_bytes : l.total_bytes);
      rd_checkers_[std::size_t(i)].allow(AxiRange{lo, lo + bytes});
    }
    const std::uint64_t xb = std::uint64_t(
        model::activation_image_bytes(int(j.cols), p_.quant_spec(), bus));
    rd_checkers_[0].allow(AxiRange{j.x_addr, j.x_addr + xb});
    wr_checker_->allow(AxiRange{j.y_addr, j.y_addr + 4ull * j.rows});
  }
  void clear_allowed() {
    for (auto& c : rd_checkers_) c.clear_ranges();
    wr_checker_->clear_ranges();
  }

  // Steps until STATUS.busy is low, polling every `poll` cycles; then checks
  // that no AXI burst is left in flight. Returns the cycles waited. Throws
  // llamaf::Error after max_cycles.
  std::uint64_t wait_idle(std::uint64_t max_cycles, int poll = 8) {
    const std::uint64_t start = cycle_;
    for (;;) {
      const csr::Status s = status();
      if (!s.busy) break;
      if (cycle_ - start > max_cycles)
        throw_error("lf_top still busy after {} cycles (queued {}, error {} code {}, jobs done {})",
                    max_cycles, s.queued, int(s.error), s.error_code, jobs_done());
      run(std::uint64_t(poll - 1));
    }
    for (auto& c : rd_checkers_) c.check_quiescent(cycle_);
    wr_checker_->check_quiescent(cycle_);
    throw_on_violation();
    return cycle_ - start;
  }

 private:
  static AxiTiming port_timing(AxiTiming t, int port) {
    t.seed = t.seed * 1000003u + std::uint64_t(port) + 1;
    return t;
  }

  void drive_slave_outputs() {
    for (int i = 0; i < p_.weight_ports; ++i)
      pins::drive_read_port(*top_, p_, i, rd_slaves_[std::size_t(i)]->outputs());
    pins::drive_write_port(*top_, wr_slave_->outputs());
  }

  void sample_masters() {
    for (int i = 0; i < p_.weight_ports; ++i)
      pins::sample_read_port(*top_, p_, i, rd_in_[std::size_t(i)]);
    pins::sample_write_port(*top_, p_, wr_in_);
  }

  void dump() {
#ifdef LLAMAF_TB_TRACE
    if (tfp_) tfp_->dump(ctx_->time());
#endif
  }

  void throw_on_violation() {
    for (auto& c : rd_checkers_)
      if (!c.violations().empty()) throw Error(c.violations().front().message());
    if (!wr_checker_->violations().empty())
      throw Error(wr_checker_->violations().front().message());
  }

  DesignParams p_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> top_;
#ifdef LLAMAF_TB_TRACE
  std::unique_ptr<VerilatedVcdC> tfp_;
#endif
  SparseMemory mem_;
  std::vector<std::unique_ptr<AxiReadSlave>> rd_slaves_;
  std::vector<AxiReadChecker> rd_checkers_;
  std::unique_ptr<AxiWriteSlave> wr_slave_;
  std::unique_ptr<AxiWriteChecker> wr_checker_;
  std::vector<AxiReadMaster> rd_in_;
  AxiWriteMaster wr_in_;
  std::uint32_t csr_rdata_ = 0;
  std::uint64_t cycle_ = 0;
  std::uint64_t irqs_ = 0;
  bool in_reset_ = false;
};

}  // namespace llamaf::sim
