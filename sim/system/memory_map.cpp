// DRAM layout of a model on one accelerator design.
#include "sim/system/memory_map.h"

#include "sim/model/error.h"

#include <algorithm>
#include <string>
#include <vector>

namespace llamaf::sim {

namespace {

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

namespace {

// One matrix of the forward pass: name and shape (rows = outputs, cols =
// inputs, zero-padded to whole quantization groups as the quantizer stores
// them: stories260K's 172-wide rows become 192 at group 64).
struct MatrixShape {
  std::string name;
  int rows = 0, cols = 0;
};

// Every matrix in forward-pass order, as the constructor places them:
// per layer wq wk wv wo w1 w3 w2, then the classifier.
std::vector<MatrixShape> matrix_shapes(const model::Config& c, int group_size) {
  const auto pad = [group_size](int n) { return (n + group_size - 1) / group_size * group_size; };
  std::vector<MatrixShape> m;
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "layer " + std::to_string(l) + " ";
    m.push_back({p + "wq", c.dim, pad(c.dim)});
    m.push_back({p + "wk", c.kv_dim(), pad(c.dim)});
    m.push_back({p + "wv", c.kv_dim(), pad(c.dim)});
    m.push_back({p + "wo", c.dim, pad(c.dim)});
    m.push_back({p + "w1", c.hidden_dim, pad(c.dim)});
    m.push_back({p + "w3", c.hidden_dim, pad(c.dim)});
    m.push_back({p + "w2", c.dim, pad(c.hidden_dim)});
  }
  m.push_back({"classifier", c.vocab_size, pad(c.dim)});
  return m;
}

// The address plan of a shape on a design: one address per matrix (in
// matrix_shapes order), then the activation slots, result slots, KV cache.
struct Plan {
  std::vector<std::uint64_t> addr;
  std::vector<model::WeightImageLayout> layout;
  std::int64_t weight_bytes = 0;
  std::uint64_t x_base = 0, x_slot_bytes = 0, y_base = 0, y_slot_bytes = 0, kv_base = 0, end = 0;
};

Plan plan(const model::Config& c, const DesignParams& design, std::uint64_t capacity_bytes) {
  const model::QuantSpec spec = design.quant_spec();
  const model::BusGeometry bus = design.bus();
  const std::uint64_t align = MemoryMap::image_align(design);
  Plan p;
  std::uint64_t next = align;  // address 0 stays unused: a null job address is a bug
  int max_rows = 0, max_cols = 0;
  for (const MatrixShape& m : matrix_shapes(c, design.group_size)) {
    if (m.cols > design.act_buf_cols)
      throw_error("{}: {} columns exceed design '{}' activation buffer (ActBufCols = {})", m.name,
                  m.cols, design.name, design.act_buf_cols);
    p.layout.push_back(model::weight_image_layout(m.rows, m.cols, spec, bus));
    p.addr.push_back(next);
    next = align_up(next + static_cast<std::uint64_t>(p.layout.back().total_bytes), align);
    p.weight_bytes += p.layout.back().total_bytes;
    max_rows = std::max(max_rows, m.rows);
    max_cols = std::max(max_cols, m.cols);
  }
  p.x_slot_bytes = align_up(static_cast<std::uint64_t>(model::activation_image_bytes(max_cols, spec, bus)),
                            MemoryMap::kAlign);
  p.x_base = next;
  next += 2 * p.x_slot_bytes;
  p.y_slot_bytes = align_up(4ull * static_cast<std::uint64_t>(max_rows), MemoryMap::kAlign);
  p.y_base = next;
  next += MemoryMap::kJobSlots * p.y_slot_bytes;
  p.kv_base = next;
  next += 2ull * 4 * static_cast<std::uint64_t>(c.n_layers) * c.seq_len * c.kv_dim();
  p.end = align_up(next, MemoryMap::kAlign);
  if (p.end > capacity_bytes)
    throw_error("model needs {:.2f} GiB of DRAM (weights {:.2f} GiB) but the board has {:.2f} GiB",
                p.end / 1073741824.0, p.weight_bytes / 1073741824.0, capacity_bytes / 1073741824.0);
  return p;
}

}  // namespace

std::uint64_t MemoryMap::image_align(const DesignParams& design) {
  return std::max<std::uint64_t>(kAlign, static_cast<std::uint64_t>(design.weight_chunk_bytes));
}

std::uint64_t MemoryMap::check_shape(const model::Config& c, const DesignParams& design,
                                     std::uint64_t capacity_bytes) {
  return plan(c, design, capacity_bytes).end;
}

MemoryMap::MemoryMap(const model::Transformer& t, const DesignParams& design,
                     std::uint64_t capacity_bytes)
    : design_(design), config_(t.config()) {
  const Plan p = plan(config_, design, capacity_bytes);
  const std::vector<MatrixShape> shapes = matrix_shapes(config_, design.group_size);
  const model::QuantSpec spec = design.quant_spec();
  std::size_t i = 0;
  auto place = [&](const model::Linear* l) {
    const MatrixShape& s = shapes.at(i);
    const auto* q = dynamic_cast<const model::QuantLinear*>(l);
    if (!q) throw_error("{}: not quantized; the accelerator needs group-wise quantized weights", s.name);
    const model::QuantizedMatrix& m = q->weights();
    if (!(m.spec == spec))
      throw_error("{}: quantized as {} but design '{}' computes {}", s.name, m.spec.str(),
                  design.name, spec.str());
    if (m.rows != s.rows || m.cols != s.cols)
      throw_error("{}: {}x{} but the model shape says {}x{}", s.name, m.rows, m.cols, s.rows, s.cols);
    images_[l] = MatrixImage{q, p.addr[i], p.layout[i]};
    order_.push_back(l);
    ++i;
  };
  const auto& w = t.weights();
  for (const model::LayerLinears& L : w.layers) {
    place(L.wq.get());
    place(L.wk.get());
    place(L.wv.get());
    place(L.wo.get());
    place(L.w1.get());
    place(L.w3.get());
    place(L.w2.get());
  }
  place(w.classifier.get());
  weight_bytes_ = p.weight_bytes;
  x_base_ = p.x_base;
  x_slot_bytes_ = p.x_slot_bytes;
  y_base_ = p.y_base;
  y_slot_bytes_ = p.y_slot_bytes;
  kv_base_ = p.kv_base;
  end_ = p.end;
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

MemoryMap::Range MemoryMap::unit_range(int layer) const {
  if (layer >= config_.n_layers) throw_error("memory map: no layer {}", layer);
  const std::size_t first = layer < 0 ? order_.size() - 1 : std::size_t(layer) * 7;
  const std::size_t last = layer < 0 ? order_.size() - 1 : first + 6;
  const MatrixImage& a = images_.at(order_.at(first));
  const MatrixImage& b = images_.at(order_.at(last));
  // Whole alignment units, so that a unit copied to an aligned staging slot
  // keeps its images aligned.
  return {a.addr, align_up(b.addr + static_cast<std::uint64_t>(b.layout.total_bytes), image_align(design_)) - a.addr};
}

std::uint64_t MemoryMap::kv_addr(int layer, int pos) const {
  const std::uint64_t row = 4ull * static_cast<std::uint64_t>(config_.kv_dim());
  return kv_base_ + (static_cast<std::uint64_t>(layer) * config_.seq_len + pos) * 2 * row;
}

}  // namespace llamaf::sim
