// Accelerator jobs and host operators of the forward pass, in simulated time.
#include "sim/system/rtl_backend.h"

#include "sim/model/error.h"
#include "sim/model/golden.h"
#include "sim/model/packed_image.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace llamaf::sim {

SchedulePolicy parse_policy(const std::string& s) {
  if (s == "serial") return SchedulePolicy::Serial;
  if (s == "overlapped") return SchedulePolicy::Overlapped;
  throw_error("schedule policy '{}': expected 'serial' or 'overlapped'", s);
}

const char* policy_name(SchedulePolicy p) {
  return p == SchedulePolicy::Serial ? "serial" : "overlapped";
}

RtlBackend::RtlBackend(Soc& soc, const MemoryMap& map, const model::Config& model,
                       const DesignParams& design, const host::HostCostModel& host,
                       const BackendConfig& cfg)
    : soc_(soc), map_(map), model_(model), design_(design), host_(host), cfg_(cfg) {}

std::uint64_t RtlBackend::host_to_fabric(double host_cycles) const {
  return static_cast<std::uint64_t>(
      std::ceil(host_cycles * soc_.clock_mhz() / host_.config().core_clock_mhz));
}

void RtlBackend::charge(const std::string& op, std::uint64_t start_cycle) {
  op_cycles_[op] += double(soc_.now_cycles() - start_cycle);
}

Activity RtlBackend::snapshot() {
  Activity a;
  a.cycles = double(soc_.now_cycles());
  a.op_cycles = op_cycles_;
  a.accel = AccelActivity::of(soc_.accelerator().counters());
  a.dram = DramActivity::of(soc_.bridge().dram().stats(), Soc::kHostSource);
  a.host_busy_cycles = double(soc_.host_busy_cycles());
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

void RtlBackend::charge_host(const std::string& name, const host::OpCounts& counts) {
  const std::uint64_t start = soc_.now_cycles();
  soc_.host_busy(host_to_fabric(host_.cycles(counts)));
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
  soc_.host_busy(host_to_fabric(host_.cycles(host::op_counts(model_, w))));
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
  const std::string what = layer >= 0 ? fmt::format("layer {} {}", layer, model::matvec_group_name(group))
                                      : std::string(model::matvec_group_name(group));
  // Host: quantize x (padded to the matrices' width) and write its image;
  // the jobs of a group share their input, so the first matrix's view serves.
  const std::uint64_t t0 = soc_.now_cycles();
  const model::QuantLinear& first_linear = *map_.image(ws[0]).linear;
  const model::QuantizedMatrix& first = first_linear.weights();
  model::QuantizedVector xq;
  first_linear.quantize_input(x, xq);
  soc_.host_busy(host_to_fabric(host_.cycles(host::quantize_counts(first.cols, first.spec.group_size))));
  const std::vector<std::uint8_t> ximg = model::pack_activation_image(xq, design_.bus());
  x_slot_ ^= 1;
  const std::uint64_t x_addr = map_.x_addr(x_slot_);
  soc_.bridge().memory().write(x_addr, ximg);
  soc_.dram_start(x_addr, ximg.size(), true);
  soc_.dram_wait();
  charge("act_quant_io", t0);

  const std::uint64_t t1 = soc_.now_cycles();
  run_jobs(ws, ys, xq, x_addr, what);
  charge(model::matvec_group_name(group), t1);
}

void RtlBackend::run_jobs(std::span<const model::Linear* const> ws,
                          std::span<const std::span<float>> ys, const model::QuantizedVector& xq,
                          std::uint64_t x_addr,
                          const std::string& what) {
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
    for (std::size_t i = first; i < last; ++i) {
      const MatrixImage& img = map_.image(ws[i]);
      const std::uint64_t y = map_.y_addr(int(i));
      const std::uint32_t regs[][2] = {
          {csr::kRows, std::uint32_t(img.layout.rows)}, {csr::kCols, std::uint32_t(img.layout.cols)},
          {csr::kWAddrLo, std::uint32_t(img.addr)},     {csr::kWAddrHi, std::uint32_t(img.addr >> 32)},
          {csr::kXAddrLo, std::uint32_t(x_addr)},       {csr::kXAddrHi, std::uint32_t(x_addr >> 32)},
          {csr::kYAddrLo, std::uint32_t(y)},            {csr::kYAddrHi, std::uint32_t(y >> 32)},
          {csr::kCtrl, csr::kCtrlEnqueue}};
      for (const auto& r : regs) ops.push_back({true, r[0], r[1], 0});
    }
    ops.push_back({false, csr::kStatus, 0, 0});
    const std::uint64_t irqs_before = soc_.irqs();
    soc_.host_busy(std::uint64_t(cfg_.csr_latency_cycles) * ops.size());
    soc_.csr(ops);
    const csr::Status st = csr::Status::decode(ops.back().rdata);
    if (st.error)
      throw_error("{}: the accelerator rejected the job (STATUS error code {})", what, st.error_code);
    soc_.wait_irqs(irqs_before + (last - first));
    soc_.host_busy(std::uint64_t(cfg_.irq_latency_cycles));

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
