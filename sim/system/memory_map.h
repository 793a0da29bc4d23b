// Where everything lives in the simulated DRAM: the packed weight image of
// every quantized matrix of the model (4 KiB aligned, in forward-pass order),
// the KV cache the host reads and writes, and the activation/result buffers
// of accelerator jobs.
#pragma once

#include "sim/model/linear.h"
#include "sim/model/packed_image.h"
#include "sim/model/transformer.h"
#include "sim/rtl_driver/design_params.h"
#include "sim/rtl_driver/sparse_memory.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace llamaf::sim {

struct MatrixImage {
  const model::QuantLinear* linear = nullptr;
  std::uint64_t addr = 0;
  model::WeightImageLayout layout;
};

class MemoryMap {
 public:
  static constexpr std::uint64_t kAlign = 4096;
  // Alignment of the weight images (and of whole units): kAlign, or the
  // interleave chunk when that is larger (LAYOUT needs w_addr chunk-aligned).
  static std::uint64_t image_align(const DesignParams& design);
  static constexpr int kJobSlots = 4;  // result buffers (jobs in flight at once)

  // Lays out every matrix of `t`; throws llamaf::Error if a matrix is not
  // quantized with the design's spec, does not fit the design's activation
  // buffer, or the whole does not fit in `capacity_bytes`.
  MemoryMap(const model::Transformer& t, const DesignParams& design, std::uint64_t capacity_bytes);

  // The checks that need only the model's shape (columns within ActBufCols,
  // the whole image within `capacity_bytes`), with the constructor's
  // messages, before any weight exists: `llamaf sim` runs it first, so a
  // shape that cannot run on the design is refused in milliseconds rather
  // than after generating gigabytes of weights. Returns the bytes needed.
  static std::uint64_t check_shape(const model::Config& c, const DesignParams& design,
                                   std::uint64_t capacity_bytes);

  // Writes every weight image into `mem` (functional contents).
  void load_weights(SparseMemory& mem) const;

  const MatrixImage& image(const model::Linear* l) const;
  // The contiguous address range of one layer's seven images (layer >= 0)
  // or of the classifier (layer -1): what a staged policy copies as one.
  struct Range {
    std::uint64_t addr = 0, bytes = 0;
  };
  Range unit_range(int layer) const;
  std::uint64_t x_addr(int slot) const { return x_base_ + std::uint64_t(slot) * x_slot_bytes_; }
  std::uint64_t y_addr(int slot) const { return y_base_ + std::uint64_t(slot) * y_slot_bytes_; }
  // KV cache rows of (layer, pos): key row, then value row.
  std::uint64_t kv_addr(int layer, int pos) const;
  std::int64_t weight_bytes() const { return weight_bytes_; }  // all weight images (read per token)
  std::uint64_t end() const { return end_; }

 private:
  DesignParams design_;
  model::Config config_;
  std::unordered_map<const model::Linear*, MatrixImage> images_;
  std::vector<const model::Linear*> order_;
  std::int64_t weight_bytes_ = 0;
  std::uint64_t x_base_ = 0, x_slot_bytes_ = 0;
  std::uint64_t y_base_ = 0, y_slot_bytes_ = 0;
  std::uint64_t kv_base_ = 0;
  std::uint64_t end_ = 0;
};

}  // namespace llamaf::sim
