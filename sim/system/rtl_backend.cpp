// Accelerator jobs and host operators of the forward pass, in simulated time.
#include "sim/system/rtl_backend.h"

#include "sim/model/error.h"
#include "sim/model/golden.h"
#include "sim/model/packed_image.h"

#include <fmt/format.h>

#include <bit>
#include <optional>
#include <cmath>
#include <cstring>

namespace llamaf::sim {

SchedulePolicy parse_policy(const std::string& s) {
  if (s == "serial") return SchedulePolicy::Serial;
  if (s == "overlapped" || s == "direct") return SchedulePolicy::Overlapped;
  if (s == "ps_only") return SchedulePolicy::PsOnly;
  if (s == "staged_sync") return SchedulePolicy::StagedSync;
  if (s == "staged_async") return SchedulePolicy::StagedAsync;
  throw_error("schedule policy '{}': expected 'serial', 'overlapped' (= 'direct'), 'ps_only', "
              "'staged_sync' or 'staged_async'", s);
}

const char* policy_name(SchedulePolicy p) {
  switch (p) {
    case SchedulePolicy::Serial: return "serial";
    case SchedulePolicy::Overlapped: return "overlapped";
    case SchedulePolicy::PsOnly: return "ps_only";
    case SchedulePolicy::StagedSync: return "staged_sync";
    case SchedulePolicy::StagedAsync: return "staged_async";
  }
  return "?";
}

bool is_staged(SchedulePolicy p) {
  return p == SchedulePolicy::StagedSync || p == SchedulePolicy::StagedAsync;
}

namespace {

// The stager's view of the system simulation.
class SocStagingHost final : public StagingHost {
 public:
  explicit SocStagingHost(Soc& soc) : soc_(soc) {}
  std::uint64_t now() override { return soc_.now_cycles(); }
  void copy_start(std::uint64_t src, std::uint64_t dst, std::uint64_t bytes, std::uint64_t pace) override {
    buf_.resize(bytes);
    soc_.bridge().memory().read(src, buf_);
    soc_.bridge().memory().write(dst, buf_);
    soc_.copy_start(src, dst, bytes, pace);
  }
  void copy_wait() override { soc_.copy_wait(); }
  void busy(std::uint64_t n) override { soc_.host_busy(n); }
  void idle_until(std::uint64_t t) override {
    const std::uint64_t now = soc_.now_cycles();
    if (t > now) soc_.skip(t - now);
  }
  void account_busy(double n) override { soc_.account_busy(n); }

 private:
  Soc& soc_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace

RtlBackend::RtlBackend(Soc& soc, const MemoryMap& map, const model::Config& model,
                       const DesignParams& design, const host::HostCostModel& host,
                       const BackendConfig& cfg)
    : soc_(soc), map_(map), model_(model), design_(design), host_(host), cfg_(cfg) {
  if (!is_staged(cfg_.policy)) return;
  const bool async = cfg_.policy == SchedulePolicy::StagedAsync;
  const int threads = cfg_.copy_threads > 0 ? cfg_.copy_threads : async ? 1 : host_.threads();
  // One unit per simulated layer, then the classifier.
  const int layers = cfg_.sim_layers < 0 ? model_.n_layers : cfg_.sim_layers;
  std::vector<WeightUnit> units;
  for (int u = 0; u <= layers; ++u) {
    const MemoryMap::Range r = map_.unit_range(u < layers ? u : -1);
    const double secs = host_.memcpy_seconds(double(r.bytes), threads) +
                        host_.cache_clean_seconds(double(r.bytes));
    units.push_back({r.addr, r.bytes, seconds_to_fabric(secs)});
  }
  StagingConfig sc;
  sc.async = async;
  sc.base = cfg_.staging_base;
  sc.buffer_bytes = cfg_.staging_bytes;
  sc.align = MemoryMap::image_align(design_);
  sc.background_busy_fraction = double(threads) / host_.config().cores;
  stager_ = std::make_unique<WeightStager>(sc, std::move(units), "--staging-bytes");
  staging_host_ = std::make_unique<SocStagingHost>(soc_);
}

std::uint64_t RtlBackend::seconds_to_fabric(double s) const {
  return static_cast<std::uint64_t>(std::ceil(s * soc_.clock_mhz() * 1e6));
}

int RtlBackend::unit_of(int layer) const {
  return layer >= 0 ? layer : (cfg_.sim_layers < 0 ? model_.n_layers : cfg_.sim_layers);
}

void RtlBackend::charge(const std::string& op, std::uint64_t start_cycle) {
  op_cycles_[op] += double(soc_.now_cycles() - start_cycle);
}

Activity RtlBackend::snapshot() {
  Activity a;
  a.cycles = double(soc_.now_cycles());
  a.op_cycles = op_cycles_;
  a.accel = AccelActivity::of(soc_.accelerator().counters());
  // Host traffic reaches the DDR4 model as the PS memory's APU port (the
  // PS memory numbers its requests by port).
  a.dram = DramActivity::of(soc_.bridge().dram().stats(),
                            static_cast<std::uint32_t>(soc_.bridge().ps().port_index("APU")));
  // PS-only: the host's weight streams, counted (bytes, one activate per
  // row) but not sent through the DDR4 model (docs/system.md).
  a.dram.bytes_read += ps_weight_bytes_;
  a.dram.host_bytes += ps_weight_bytes_;
  a.dram.activates += ps_weight_bytes_ / cfg_.dram_row_bytes;
  a.dram.precharges += ps_weight_bytes_ / cfg_.dram_row_bytes;
  a.host_busy_cycles = soc_.host_busy_cycles();
  a.jobs = double(soc_.irqs());
  // The extrapolated layers' time has passed on the clock already: only the
  // counters they did not really produce are added.
  Activity extra = extrapolated_;
  extra.cycles = 0;
  extra.op_cycles.clear();  // already in op_cycles_
  a += extra;
  a.extrapolated_cycles = extrapolated_.cycles;
  return a;
}

void RtlBackend::layer_boundary(int layer) {
  if (layer < 0 || layer == current_layer_) return;
  current_layer_ = layer;
  if (cfg_.sim_layers < 0) return;
  if (layer == 0) {
    layer_start_ = snapshot();
    return;
  }
  if (simulated(layer)) return;
  // A layer that is not simulated: identical in shape to the simulated ones
  // (same matrices, same attention length), so it costs their average.
  if (layer == cfg_.sim_layers) {
    const Activity now = snapshot();
    Activity diff = now - layer_start_;
    for (auto& [k, v] : diff.op_cycles) v -= layer_start_.op_cycles.count(k) ? layer_start_.op_cycles.at(k) : 0.0;
    layer_start_ = diff.scaled(1.0 / cfg_.sim_layers);  // from now on: the per-layer average
  }
  const Activity& per_layer = layer_start_;
  extrapolated_ += per_layer;
  for (const auto& [k, v] : per_layer.op_cycles) op_cycles_[k] += v;
  soc_.skip(static_cast<std::uint64_t>(std::llround(per_layer.cycles)));
}

void RtlBackend::charge_host(const std::string& name, double seconds) {
  const std::uint64_t start = soc_.now_cycles();
  soc_.host_busy(seconds_to_fabric(seconds));
  charge(name, start);
}

void RtlBackend::host_op(const model::HostWork& w) {
  layer_boundary(w.layer);
  if (w.layer >= 0 && !simulated(w.layer)) return;
  const std::uint64_t start = soc_.now_cycles();
  if (w.op == model::HostOp::Attention) {
    // Write this position's K and V rows, stream the cache for positions
    // 0..pos, overlapped with the arithmetic.
    soc_.dram_start(map_.kv_addr(w.layer, w.pos), static_cast<std::uint64_t>(w.kv_bytes_written), true);
    soc_.dram_start(map_.kv_addr(w.layer, 0), static_cast<std::uint64_t>(w.kv_bytes_read), false);
  }
  soc_.host_busy(seconds_to_fabric(host_.op_seconds(model_, w)));
  soc_.dram_wait();
  charge(model::host_op_name(w.op), start);
}

void RtlBackend::matvecs(model::MatvecGroup group, int layer, std::span<const float> x,
                         std::span<const model::Linear* const> ws,
                         std::span<const std::span<float>> ys) {
  layer_boundary(layer);
  if (layer >= 0 && !simulated(layer)) {
    for (std::size_t i = 0; i < ws.size(); ++i) ws[i]->matvec(x, ys[i]);
    return;
  }
  if (cfg_.policy == SchedulePolicy::PsOnly) {
    host_matvecs(group, x, ws, ys);
    return;
  }
  const std::string what = layer >= 0 ? fmt::format("layer {} {}", layer, model::matvec_group_name(group))
                                      : std::string(model::matvec_group_name(group));
  // Staged weights: the unit's first product waits for (or makes) its copy.
  const int unit = unit_of(layer);
  if (stager_ && unit != current_unit_) {
    const std::uint64_t ts = soc_.now_cycles();
    stager_->enter(*staging_host_, unit);
    current_unit_ = unit;
    charge("staging_copy", ts);
  }
  // Host: quantize x (padded to the matrices' width) and write its image;
  // the jobs of a group share their input, so the first matrix's view serves.
  const std::uint64_t t0 = soc_.now_cycles();
  const model::QuantLinear& first_linear = *map_.image(ws[0]).linear;
  const model::QuantizedMatrix& first = first_linear.weights();
  model::QuantizedVector xq;
  first_linear.quantize_input(x, xq);
  const std::vector<std::uint8_t> ximg = model::pack_activation_image(xq, design_.bus());
  // Quantizing, then cleaning the image's lines out of the caches (the HP
  // ports do not snoop them).
  soc_.host_busy(seconds_to_fabric(host_.quantize_seconds(first.cols, first.spec.group_size) +
                                   host_.cache_clean_seconds(double(ximg.size()))));
  x_slot_ ^= 1;
  const std::uint64_t x_addr = map_.x_addr(x_slot_);
  soc_.bridge().memory().write(x_addr, ximg);
  soc_.dram_start(x_addr, ximg.size(), true);
  soc_.dram_wait();
  charge("act_quant_io", t0);

  const std::uint64_t t1 = soc_.now_cycles();
  run_jobs(ws, ys, xq, x_addr, what, unit);
  charge(model::matvec_group_name(group), t1);
}

void RtlBackend::host_matvecs(model::MatvecGroup group, std::span<const float> x,
                              std::span<const model::Linear* const> ws,
                              std::span<const std::span<float>> ys) {
  // PS-only: the host quantizes x once for the group and runs every product
  // with its own kernel (the golden arithmetic, functionally).
  const std::uint64_t t0 = soc_.now_cycles();
  const model::QuantizedMatrix& first = map_.image(ws[0]).linear->weights();
  soc_.host_busy(seconds_to_fabric(host_.quantize_seconds(first.cols, first.spec.group_size)));
  charge("act_quant_io", t0);
  const std::uint64_t t1 = soc_.now_cycles();
  double secs = 0;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    const MatrixImage& img = map_.image(ws[i]);
    const model::QuantizedMatrix& m = img.linear->weights();
    ws[i]->matvec(x, ys[i]);
    secs += host_.matvec_seconds(m.rows, m.cols, m.spec.weight_bits, m.spec.act_bits, m.spec.group_size);
    ps_weight_bytes_ += double(img.layout.bytes_read());
  }
  soc_.host_busy(seconds_to_fabric(secs));
  charge(model::matvec_group_name(group), t1);
}

void RtlBackend::run_jobs(std::span<const model::Linear* const> ws,
                          std::span<const std::span<float>> ys, const model::QuantizedVector& xq,
                          std::uint64_t x_addr,
                          const std::string& what, int unit) {
  const std::size_t n = ws.size();
  if (n > MemoryMap::kJobSlots) throw_error("{}: {} jobs exceed {} result slots", what, n, int(MemoryMap::kJobSlots));
  // Jobs go out in waves: one at a time (serial) or as many as the queue
  // holds (overlapped).
  const std::size_t wave = cfg_.policy == SchedulePolicy::Serial
                               ? 1
                               : std::min<std::size_t>(n, std::size_t(design_.job_queue_depth));
  for (std::size_t first = 0; first < n; first += wave) {
    const std::size_t last = std::min(n, first + wave);
    std::vector<CsrOp> ops;
    // LAYOUT keeps its value across jobs: the driver sets it once.
    if (!layout_set_) {
      const std::uint32_t layout = csr::layout_register(design_.weight_chunk_bytes);
      if (layout != 0) ops.push_back({true, csr::kLayout, layout, 0});
      layout_set_ = true;
    }
    for (std::size_t i = first; i < last; ++i) {
      const MatrixImage& img = map_.image(ws[i]);
      const std::uint64_t y = map_.y_addr(int(i));
      const std::uint64_t w = stager_ ? stager_->staged(unit, img.addr) : img.addr;
      const std::uint32_t regs[][2] = {
          {csr::kRows, std::uint32_t(img.layout.rows)}, {csr::kCols, std::uint32_t(img.layout.cols)},
          {csr::kWAddrLo, std::uint32_t(w)},            {csr::kWAddrHi, std::uint32_t(w >> 32)},
          {csr::kXAddrLo, std::uint32_t(x_addr)},       {csr::kXAddrHi, std::uint32_t(x_addr >> 32)},
          {csr::kYAddrLo, std::uint32_t(y)},            {csr::kYAddrHi, std::uint32_t(y >> 32)},
          {csr::kCtrl, csr::kCtrlEnqueue}};
      for (const auto& r : regs) ops.push_back({true, r[0], r[1], 0});
    }
    ops.push_back({false, csr::kStatus, 0, 0});
    const std::uint64_t irqs_before = soc_.irqs();
    // The driver call (profile accel_start), then the register accesses.
    const double start_s = host_.overhead_seconds("accel_start").value_or(0.0);
    soc_.host_busy(seconds_to_fabric(start_s) + std::uint64_t(cfg_.csr_latency_cycles) * ops.size());
    soc_.csr(ops);
    const csr::Status st = csr::Status::decode(ops.back().rdata);
    if (st.error)
      throw_error("{}: the accelerator rejected the job (STATUS error code {})", what, st.error_code);
    soc_.wait_irqs(irqs_before + (last - first));
    const std::optional<double> irq_s = host_.overhead_seconds("irq_to_thread");
    double results = 0;
    for (std::size_t i = first; i < last; ++i) results += 4.0 * map_.image(ws[i]).layout.rows;
    soc_.host_busy((irq_s ? seconds_to_fabric(*irq_s) : std::uint64_t(cfg_.irq_latency_cycles)) +
                   seconds_to_fabric(host_.cache_invalidate_seconds(results)));

    // Read the results back and check them against the golden model.
    for (std::size_t i = first; i < last; ++i) {
      const MatrixImage& img = map_.image(ws[i]);
      const int rows = img.layout.rows;
      std::vector<std::uint8_t> bytes(4 * static_cast<std::size_t>(rows));
      soc_.bridge().memory().read(map_.y_addr(int(i)), bytes);
      soc_.dram_start(map_.y_addr(int(i)), bytes.size(), false);
      const std::vector<float> y = model::unpack_result_image(bytes, rows);
      // The golden model defines correct output: any difference in any bit
      // is an RTL (or harness) bug, reported with its place.
      golden_.resize(static_cast<std::size_t>(rows));
      model::golden_matvec(img.linear->weights(), xq, golden_);  // the x the RTL read
      for (int r = 0; r < rows; ++r) {
        if (std::bit_cast<std::uint32_t>(y[r]) != std::bit_cast<std::uint32_t>(golden_[r]))
          throw_error("{} job {}: RTL result row {} = {} (0x{:08x}) differs from the golden model's "
                      "{} (0x{:08x})",
                      what, i, r, y[r], std::bit_cast<std::uint32_t>(y[r]), golden_[r],
                      std::bit_cast<std::uint32_t>(golden_[r]));
      }
      std::copy(y.begin(), y.end(), ys[i].begin());
    }
    soc_.dram_wait();
  }
}

}  // namespace llamaf::sim
