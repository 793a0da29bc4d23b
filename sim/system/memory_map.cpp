// DRAM layout of a model on one accelerator design.
#include "sim/system/memory_map.h"

#include "sim/model/error.h"

#include <algorithm>

namespace llamaf::sim {

namespace {

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

MemoryMap::MemoryMap(const model::Transformer& t, const DesignParams& design,
                     std::uint64_t capacity_bytes)
    : design_(design), config_(t.config()) {
  const model::QuantSpec spec = design.quant_spec();
  const model::BusGeometry bus = design.bus();
  std::uint64_t next = kAlign;  // address 0 stays unused: a null job address is a bug
  int max_rows = 0, max_cols = 0;
  auto place = [&](const model::Linear* l, const std::string& what) {
    const auto* q = dynamic_cast<const model::QuantLinear*>(l);
    if (!q) throw_error("{}: not quantized; the accelerator needs group-wise quantized weights", what);
    const model::QuantizedMatrix& m = q->weights();
    if (!(m.spec == spec))
      throw_error("{}: quantized as {} but design '{}' computes {}", what, m.spec.str(),
                  design.name, spec.str());
    if (m.cols > design.act_buf_cols)
      throw_error("{}: {} columns exceed design '{}' activation buffer (ActBufCols = {})", what,
                  m.cols, design.name, design.act_buf_cols);
    MatrixImage img{q, next, model::weight_image_layout(m.rows, m.cols, spec, bus)};
    images_[l] = img;
    order_.push_back(l);
    next = align_up(next + static_cast<std::uint64_t>(img.layout.total_bytes), kAlign);
    weight_bytes_ += img.layout.total_bytes;
    max_rows = std::max(max_rows, m.rows);
    max_cols = std::max(max_cols, m.cols);
  };
  const auto& w = t.weights();
  for (std::size_t l = 0; l < w.layers.size(); ++l) {
    const model::LayerLinears& L = w.layers[l];
    const std::string p = "layer " + std::to_string(l) + " ";
    place(L.wq.get(), p + "wq");
    place(L.wk.get(), p + "wk");
    place(L.wv.get(), p + "wv");
    place(L.wo.get(), p + "wo");
    place(L.w1.get(), p + "w1");
    place(L.w3.get(), p + "w3");
    place(L.w2.get(), p + "w2");
  }
  place(w.classifier.get(), "classifier");

  x_slot_bytes_ = align_up(static_cast<std::uint64_t>(model::activation_image_bytes(max_cols, spec, bus)), kAlign);
  x_base_ = next;
  next += 2 * x_slot_bytes_;
  y_slot_bytes_ = align_up(4ull * static_cast<std::uint64_t>(max_rows), kAlign);
  y_base_ = next;
  next += kJobSlots * y_slot_bytes_;
  kv_base_ = next;
  next += 2ull * 4 * static_cast<std::uint64_t>(config_.n_layers) * config_.seq_len * config_.kv_dim();
  end_ = align_up(next, kAlign);
  if (end_ > capacity_bytes)
    throw_error("model needs {:.2f} GiB of DRAM (weights {:.2f} GiB) but the board has {:.2f} GiB",
                end_ / 1073741824.0, weight_bytes_ / 1073741824.0, capacity_bytes / 1073741824.0);
}

void MemoryMap::load_weights(SparseMemory& mem) const {
  const model::BusGeometry bus = design_.bus();
  for (const model::Linear* l : order_) {
    const MatrixImage& img = images_.at(l);
    const std::vector<std::uint8_t> bytes = model::pack_weight_image(img.linear->weights(), bus);
    mem.write(img.addr, bytes);
  }
}

const MatrixImage& MemoryMap::image(const model::Linear* l) const {
  auto it = images_.find(l);
  if (it == images_.end()) throw_error("matrix not in the memory map");
  return it->second;
}

std::uint64_t MemoryMap::kv_addr(int layer, int pos) const {
  const std::uint64_t row = 4ull * static_cast<std::uint64_t>(config_.kv_dim());
  return kv_base_ + (static_cast<std::uint64_t>(layer) * config_.seq_len + pos) * 2 * row;
}

}  // namespace llamaf::sim
