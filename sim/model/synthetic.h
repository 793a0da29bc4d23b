// Synthetic Llama2 models of any shape, deterministic from a seed, with
// weight statistics resembling trained checkpoints. Quantized models are
// generated row by row directly into quantized form, so a TinyLlama-1.1B
// shape needs about 1.2 GB at W8, not the 4.4 GB of float32 weights.
#pragma once

#include "sim/model/transformer.h"
#include "sim/model/weights.h"

#include <cstdint>
#include <optional>

namespace llamaf::model {

// Float32 checkpoint (for small shapes; 4 bytes per parameter).
Checkpoint make_synthetic_checkpoint(const Config& c, std::uint64_t seed);

// A runnable model: float32 without `quant`, otherwise quantized directly.
// The same seed gives the same underlying float weights in both cases.
Transformer make_synthetic_transformer(const Config& c, std::uint64_t seed,
                                       std::optional<QuantSpec> quant);

}  // namespace llamaf::model
