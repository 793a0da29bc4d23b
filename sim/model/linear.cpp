// Float32 and golden-quantized linear layers.
#include "sim/model/linear.h"

#include "sim/model/error.h"
#include "sim/model/golden.h"

#include <algorithm>

namespace llamaf::model {

void float_matvec(std::span<const float> w, std::span<const float> x, std::span<float> y,
                  int rows, int cols) {
  for (int i = 0; i < rows; ++i) {
    const float* row = w.data() + static_cast<std::size_t>(i) * cols;
    float val = 0.0f;
    for (int j = 0; j < cols; ++j) val += row[j] * x[j];
    y[i] = val;
  }
}

FloatLinear::FloatLinear(std::vector<float> w, int rows, int cols)
    : w_(std::move(w)), rows_(rows), cols_(cols) {
  if (w_.size() != static_cast<std::size_t>(rows) * cols)
    throw_error("FloatLinear: {} values for a {}x{} matrix", w_.size(), rows, cols);
}

void FloatLinear::matvec(std::span<const float> x, std::span<float> y) const {
  float_matvec(w_, x, y, rows_, cols_);
}

QuantLinear::QuantLinear(QuantizedMatrix w, int cols) : w_(std::move(w)), cols_(cols) {
  if (cols_ > w_.cols || w_.cols - cols_ >= w_.spec.group_size)
    throw_error("QuantLinear: {} logical cols do not fit a padded width of {} (group {})",
                cols_, w_.cols, w_.spec.group_size);
}

void QuantLinear::quantize_input(std::span<const float> x, QuantizedVector& out) const {
  // Zero padding of x to the matrix's padded width contributes exactly zero
  // to every group's integer dot product.
  thread_local std::vector<float> padded;
  padded.assign(static_cast<std::size_t>(w_.cols), 0.0f);
  std::copy_n(x.begin(), cols_, padded.begin());
  quantize_activations(padded, w_.spec, out);
}

void QuantLinear::matvec(std::span<const float> x, std::span<float> y) const {
  thread_local QuantizedVector xq;  // storage reused across calls
  quantize_input(x, xq);
  golden_matvec(w_, xq, y);
}

int padded_cols(int cols, int group_size) {
  return (cols + group_size - 1) / group_size * group_size;
}

std::unique_ptr<Linear> make_linear(std::span<const float> w, int rows, int cols,
                                    const std::optional<QuantSpec>& quant,
                                    const std::string& what) {
  if (!quant) return std::make_unique<FloatLinear>(std::vector<float>(w.begin(), w.end()), rows, cols);
  const int pc = padded_cols(cols, quant->group_size);
  if (pc == cols)
    return std::make_unique<QuantLinear>(quantize_matrix(w, rows, cols, *quant, what), cols);
  // Quantize row by row into the padded matrix (zero columns at the end).
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = pc;
  m.spec = *quant;
  m.q.assign(static_cast<std::size_t>(rows) * pc, 0);
  m.scale_bits.assign(static_cast<std::size_t>(rows) * (pc / quant->group_size), 0);
  std::vector<float> row(static_cast<std::size_t>(pc), 0.0f);
  for (int r = 0; r < rows; ++r) {
    std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(r) * cols, cols, row.begin());
    quantize_row(row, m, r);
  }
  return std::make_unique<QuantLinear>(std::move(m), cols);
}

}  // namespace llamaf::model
