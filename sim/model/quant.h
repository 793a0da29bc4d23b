// Group-wise symmetric quantization (docs/arithmetic.md): the spec grammar,
// quantized matrices and vectors, and the quantizer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace llamaf::model {

enum class ScaleFormat { Fp32, Fp16, Bf16 };

int scale_bits(ScaleFormat f);               // 32 or 16
const char* scale_format_name(ScaleFormat f);  // "fp32", "fp16", "bf16"

// Encode a float32 value into the scale format (RNE; format subnormals -> 0;
// overflow -> largest finite) and decode it back to float32 (exact widening;
// subnormal inputs read as zero, per docs/arithmetic.md).
std::uint32_t encode_scale(float v, ScaleFormat f);
float decode_scale(std::uint32_t bits, ScaleFormat f);
// f32() of docs/arithmetic.md: the binary32 bit pattern of a stored scale,
// exactly as the hardware widens it (bf16: << 16; fp16: rebias, inf/NaN kept;
// format subnormals to signed zero). decode_scale is this reinterpreted as a
// float. Inline: the golden model widens one scale per group per row.
inline std::uint32_t widen_scale_bits(std::uint32_t bits, ScaleFormat f) {
  if (f == ScaleFormat::Fp16) {
    const std::uint32_t sign = (bits & 0x8000u) << 16;
    const std::uint32_t exp = (bits >> 10) & 0x1Fu;
    const std::uint32_t frac = (bits & 0x3FFu) << 13;
    if (exp == 0) return sign;                          // zero or subnormal
    if (exp == 0x1Fu) return sign | 0x7F800000u | frac;  // inf, NaN
    return sign | ((exp + 127 - 15) << 23) | frac;
  }
  const std::uint32_t w = f == ScaleFormat::Bf16 ? (bits & 0xFFFFu) << 16 : bits;
  return (w & 0x7F800000u) == 0 ? (w & 0x80000000u) : w;  // subnormal -> signed zero
}

struct QuantSpec {
  int weight_bits = 8;  // 2..8
  int act_bits = 8;     // 4..16
  int group_size = 64;  // 16..512, power of two
  ScaleFormat scale_format = ScaleFormat::Fp32;

  // "w8a8g64", "w4a8g128:bf16". Throws llamaf::Error quoting the spec and
  // saying which field is wrong and its allowed range.
  static QuantSpec parse(const std::string& text);
  std::string str() const;  // canonical form, always with ":fmt"
  void validate() const;
  // Throws if group_size does not divide cols; `what` names the matrix.
  void check_cols(int cols, const std::string& what) const;

  int weight_qmax() const { return (1 << (weight_bits - 1)) - 1; }
  int act_qmax() const { return (1 << (act_bits - 1)) - 1; }
  // Integer accumulator width the hardware needs for one group's dot product.
  int accumulator_bits() const;

  bool operator==(const QuantSpec&) const = default;
};

// A quantized weight matrix (rows, cols), row-major, groups along a row.
struct QuantizedMatrix {
  int rows = 0;
  int cols = 0;
  QuantSpec spec;
  std::vector<std::int8_t> q;            // (rows, cols) weights in [-2^(b-1), 2^(b-1)-1]
  std::vector<std::uint32_t> scale_bits; // (rows, cols/group) encoded in spec.scale_format

  int groups_per_row() const { return cols / spec.group_size; }
  float scale(int row, int group) const;  // decoded float32
  std::int64_t bytes_packed() const;      // weights + scales, unpadded
};

// A quantized activation vector (cols), groups of spec.group_size.
struct QuantizedVector {
  int bits = 8;
  int group_size = 64;
  std::vector<std::int16_t> q;  // (cols)
  std::vector<float> scales;    // (cols/group)
};

// Quantize rows x cols float weights (row-major). `what` names the matrix in
// errors (group not dividing cols).
QuantizedMatrix quantize_matrix(std::span<const float> w, int rows, int cols,
                                const QuantSpec& spec, const std::string& what);
// Quantize one row into an existing matrix (used to build large matrices
// without a float copy of the whole matrix). `m` must have rows, cols and
// spec set; empty q/scale_bits are allocated here (zero-filled), storage of
// the wrong size is an error. Non-finite weights are an error.
void quantize_row(std::span<const float> w_row, QuantizedMatrix& m, int row);
// An all-zero matrix of the given shape, ready for quantize_row. Validates
// the spec and that group_size divides cols (`what` names the matrix).
QuantizedMatrix make_quantized_matrix(int rows, int cols, const QuantSpec& spec,
                                      const std::string& what);
QuantizedVector quantize_activations(std::span<const float> x, const QuantSpec& spec);
// Same, reusing out's storage (the per-matvec path: no allocation once warm).
void quantize_activations(std::span<const float> x, const QuantSpec& spec, QuantizedVector& out);

// Dequantized value of one weight (for tests and the float view).
float dequantize(const QuantizedMatrix& m, int row, int col);

}  // namespace llamaf::model
