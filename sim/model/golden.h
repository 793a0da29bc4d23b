// Golden accelerator arithmetic: the bit-exact statement of what the RTL
// computes for y = W.x (docs/arithmetic.md). The single source of truth for
// RTL tests; the quantized forward pass runs every matvec through it.
#pragma once

#include "sim/model/quant.h"

#include <cstdint>
#include <span>

namespace llamaf::model {

// y[r] for rows [row_begin, row_end) of W; y has W.rows entries (or at least
// row_end). Throws if x does not match W (cols, group size, bits).
void golden_matvec(const QuantizedMatrix& w, const QuantizedVector& x, std::span<float> y,
                   int row_begin = 0, int row_end = -1);

// One group's exact integer dot product (exposed for tests).
std::int64_t golden_group_dot(std::span<const std::int8_t> qw, std::span<const std::int16_t> qx);

}  // namespace llamaf::model
