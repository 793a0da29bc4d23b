// One lf_top instance inside the system: the Verilated model of some design
// behind a design-independent interface, its AXI ports served by the
// DDR4-timed bridge, and its register port driven by the host.
#pragma once

#include "sim/rtl_driver/design_params.h"
#include "sim/rtl_driver/lf_csr.h"
#include "sim/model/error.h"
#include "sim/rtl_driver/lf_top_pins.h"
#include "sim/system/dram_axi.h"

#include <verilated.h>
#include <verilated_fst_c.h>
#include <verilated_vcd_c.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llamaf::sim {

// How the accelerator is attached and observed.
struct AcceleratorOptions {
  std::string trace_path;  // VCD waveform file; empty: no waveforms
  std::uint64_t trace_from = 0, trace_to = ~std::uint64_t(0);  // fabric cycles dumped
};

// Models Verilated with tracing have trace() for their one waveform format:
// VCD with -DLLAMAF_RTL_TRACE=ON, FST with -DLLAMAF_RTL_TRACE_FST=ON (rtl/).
template <class Model>
concept VcdTraceable = requires(Model& m, VerilatedVcdC* t) { m.trace(t, 99); };
template <class Model>
concept FstTraceable = requires(Model& m, VerilatedFstC* t) { m.trace(t, 99); };

// A waveform file; a writer is instantiated only for models traceable in its
// format, so builds without tracing need none of its code.
struct TraceSink {
  virtual ~TraceSink() = default;
  virtual void dump(std::uint64_t time) = 0;
};
template <class Writer>
struct WaveSink final : TraceSink {
  Writer file;
  void dump(std::uint64_t time) override { file.dump(time); }
  ~WaveSink() override { file.close(); }
};

class Accelerator {
 public:
  virtual ~Accelerator() = default;
  virtual const DesignParams& params() const = 0;
  // One fabric clock cycle of the accelerator and its ports; a pending
  // register access (csr_access) is presented in this cycle. The caller ends
  // the cycle on the bridge afterwards.
  virtual void step() = 0;
  // Presents one register access in the next step(); returns what a read
  // returned there (read data is combinational in the cycle of the request).
  virtual void set_csr(bool write, std::uint32_t addr, std::uint32_t wdata) = 0;
  virtual std::uint32_t csr_rdata() const = 0;
  virtual bool irq() const = 0;  // irq_o in the last step
  // The performance counters, read without a clock edge (instrumentation of
  // the simulator, not a host access: it costs no simulated time).
  virtual csr::Counters counters() = 0;
  // No job outstanding and no AXI burst in flight on any port: stepping
  // the accelerator would change nothing but idle counters.
  virtual bool quiet() const = 0;
  // Its state in one line (status, counters) for a diagnostic such as the
  // progress watchdog's (sim/system/progress_watchdog.h); costs no time.
  virtual std::string state_summary() = 0;
};

template <class Model>
class VerilatedAccelerator final : public Accelerator {
 public:
  VerilatedAccelerator(const DesignParams& p, DramBridge& bridge, const AcceleratorOptions& opt)
      : p_(p), ctx_(std::make_unique<VerilatedContext>()), bridge_(bridge), opt_(opt) {
    ctx_->randReset(0);
    const bool fst = opt.trace_path.size() > 4 &&
                     opt.trace_path.compare(opt.trace_path.size() - 4, 4, ".fst") == 0;
    if (!opt.trace_path.empty()) {
      const bool can = fst ? FstTraceable<Model> : VcdTraceable<Model>;
      if (!can)
        throw_error("--trace {}: this simulator's RTL model was built without {} waveform "
                    "support; configure the build with -DLLAMAF_RTL_TRACE{}=ON",
                    opt.trace_path, fst ? "FST" : "VCD", fst ? "_FST" : "");
      ctx_->traceEverOn(true);
    }
    top_ = std::make_unique<Model>(ctx_.get(), "lf_top");
    // Before anything depends on the port geometry: the model must have been
    // built for exactly these parameters (a model of other parameters would
    // simulate another design, or index its ports out of bounds).
    std::array<std::uint32_t, 6> regs{};
    for (std::size_t i = 0; i < regs.size(); ++i)
      regs[i] = backdoor_read(csr::kParams0 + 4 * static_cast<std::uint32_t>(i));
    check_compiled_params(regs, p_, "design '" + p_.name + "'");
    if (!opt.trace_path.empty()) trace_ = open_trace(opt.trace_path, fst);
    const AxiPortShape shape{p_.axi_data_bits, p_.axi_addr_bits};
    for (int i = 0; i < p_.weight_ports; ++i)
      readers_.push_back(std::make_unique<DramAxiReadPort>(bridge, std::uint32_t(i), shape));
    writer_ = std::make_unique<DramAxiWritePort>(bridge, kWriteSource, shape);
    rd_in_.resize(std::size_t(p_.weight_ports));
    top_->csr_req_i = 0;
    top_->rst_ni = 0;
    for (int i = 0; i < 4; ++i) tick();
    top_->rst_ni = 1;
  }
  ~VerilatedAccelerator() override {
    top_->final();
    trace_.reset();
  }

  static constexpr std::uint32_t kWriteSource = 8;

  const DesignParams& params() const override { return p_; }

  void set_csr(bool write, std::uint32_t addr, std::uint32_t wdata) override {
    if (write && addr == csr::kCtrl && (wdata & csr::kCtrlEnqueue)) ++outstanding_jobs_;
    top_->csr_req_i = 1;
    top_->csr_we_i = write;
    top_->csr_addr_i = addr;
    top_->csr_wdata_i = wdata;
  }
  std::uint32_t csr_rdata() const override { return csr_rdata_; }
  bool irq() const override { return irq_; }
  bool quiet() const override {
    if (outstanding_jobs_ > 0) return false;
    for (const auto& r : readers_)
      if (!r->idle()) return false;
    return writer_->idle();
  }

  void step() override { tick(); }

  std::string state_summary() override {
    const csr::Status st = csr::Status::decode(backdoor_read(csr::kStatus));
    const csr::Counters c = counters();
    return fmt::format("STATUS busy {} error {} (code {}) queued {}; counters: PE beats {}, "
                       "memory-stall cycles {}, bytes read {}, written {}",
                       st.busy, st.error, st.error_code, st.queued, c.compute, c.mem_stall,
                       c.bytes_read, c.bytes_written);
  }

  csr::Counters counters() override {
    return csr::read_counters([this](std::uint32_t a) {
      return std::uint64_t(backdoor_read(a + 4)) << 32 | backdoor_read(a);
    }, p_.num_pe);
  }

 private:
  void tick() {
    for (int i = 0; i < p_.weight_ports; ++i)
      pins::drive_read_port(*top_, p_, i, readers_[std::size_t(i)]->outputs());
    pins::drive_write_port(*top_, writer_->outputs());
    top_->clk_i = 0;
    top_->eval();
    dump(0);
    for (int i = 0; i < p_.weight_ports; ++i)
      pins::sample_read_port(*top_, p_, i, rd_in_[std::size_t(i)]);
    pins::sample_write_port(*top_, p_, wr_in_);
    csr_rdata_ = top_->csr_rdata_o;
    irq_ = top_->irq_o;
    for (int i = 0; i < p_.weight_ports; ++i) readers_[std::size_t(i)]->clock(rd_in_[std::size_t(i)]);
    writer_->clock(wr_in_);
    top_->clk_i = 1;
    top_->eval();
    dump(1);
    top_->csr_req_i = 0;
    if (irq_ && outstanding_jobs_ > 0) --outstanding_jobs_;
  }

  std::unique_ptr<TraceSink> open_trace(const std::string& path, bool fst) {
    if constexpr (FstTraceable<Model>) {
      if (fst) {
        auto sink = std::make_unique<WaveSink<VerilatedFstC>>();
        top_->trace(&sink->file, 99);
        sink->file.open(path.c_str());
        return sink;
      }
    }
    if constexpr (VcdTraceable<Model>) {
      if (!fst) {
        auto sink = std::make_unique<WaveSink<VerilatedVcdC>>();
        top_->trace(&sink->file, 99);
        sink->file.open(path.c_str());
        return sink;
      }
    }
    return nullptr;  // unreachable: the constructor checked the format
  }

  // Waveform samples at both edges of fabric cycles [trace_from, trace_to]
  // (time unit: half a cycle).
  void dump(int half) {
    if (!trace_) return;
    const std::uint64_t c = bridge_.fabric_cycle();
    if (c >= opt_.trace_from && c <= opt_.trace_to) trace_->dump(2 * c + std::uint64_t(half));
  }

  // A combinational register read between clock edges (clk_i stays high, so
  // no flop changes).
  std::uint32_t backdoor_read(std::uint32_t addr) {
    top_->csr_req_i = 1;
    top_->csr_we_i = 0;
    top_->csr_addr_i = addr;
    top_->eval();
    const std::uint32_t v = top_->csr_rdata_o;
    top_->csr_req_i = 0;
    top_->eval();
    return v;
  }

  DesignParams p_;
  std::unique_ptr<VerilatedContext> ctx_;
  DramBridge& bridge_;
  AcceleratorOptions opt_;
  std::unique_ptr<TraceSink> trace_;
  std::unique_ptr<Model> top_;
  std::vector<std::unique_ptr<DramAxiReadPort>> readers_;
  std::unique_ptr<DramAxiWritePort> writer_;
  std::vector<AxiReadMaster> rd_in_;
  AxiWriteMaster wr_in_;
  std::uint32_t csr_rdata_ = 0;
  // Jobs enqueued through set_csr and not yet completed (irq); a job rejected
  // at enqueue stays counted, and the host driver sees the error in STATUS.
  int outstanding_jobs_ = 0;
  bool irq_ = false;
};

}  // namespace llamaf::sim
