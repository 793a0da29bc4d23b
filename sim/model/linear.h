// A linear layer y = W x of a Transformer, behind one interface so that the
// same forward pass runs float32 weights, the golden quantized arithmetic,
// or (in the system simulator) the RTL.
#pragma once

#include "sim/model/quant.h"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace llamaf::model {

class Linear {
 public:
  virtual ~Linear() = default;
  virtual int rows() const = 0;  // output features
  virtual int cols() const = 0;  // input features
  // y (rows) = W (rows, cols) . x (cols)
  virtual void matvec(std::span<const float> x, std::span<float> y) const = 0;
};

// Float32 weights, row-major (rows, cols).
class FloatLinear final : public Linear {
 public:
  FloatLinear(std::vector<float> w, int rows, int cols);
  int rows() const override { return rows_; }
  int cols() const override { return cols_; }
  void matvec(std::span<const float> x, std::span<float> y) const override;

 private:
  std::vector<float> w_;  // (rows, cols)
  int rows_, cols_;
};

// Group-wise quantized weights; activations are quantized per call with the
// same spec (as the host does before each accelerator job) and the product
// is the golden accelerator arithmetic. A row length that the group size does
// not divide is zero-padded to the next multiple (docs/arithmetic.md,
// "Padding"): `w` then has more cols than the layer's logical `cols`.
class QuantLinear final : public Linear {
 public:
  QuantLinear(QuantizedMatrix w, int cols);
  int rows() const override { return w_.rows; }
  int cols() const override { return cols_; }
  void matvec(std::span<const float> x, std::span<float> y) const override;
  const QuantizedMatrix& weights() const { return w_; }
  // What the host does before a job: x (cols) zero-padded to the matrix's
  // width and quantized with its spec, into `out` (storage reused).
  void quantize_input(std::span<const float> x, QuantizedVector& out) const;

 private:
  QuantizedMatrix w_;  // (rows, padded cols)
  int cols_;           // logical input features
};

// cols rounded up to a multiple of group_size.
int padded_cols(int cols, int group_size);

// A float32 layer (no `quant`) or a quantized one from float weights
// (rows, cols); `what` names the matrix in errors.
std::unique_ptr<Linear> make_linear(std::span<const float> w, int rows, int cols,
                                    const std::optional<QuantSpec>& quant,
                                    const std::string& what);

// y = W x with float32 accumulation in llama2.c's order (one row at a time,
// columns in increasing order).
void float_matvec(std::span<const float> w, std::span<const float> x, std::span<float> y,
                  int rows, int cols);

}  // namespace llamaf::model
