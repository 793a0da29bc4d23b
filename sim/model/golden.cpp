// Golden accelerator arithmetic y = W.x, bit-exact per docs/arithmetic.md.
#include "sim/model/golden.h"

#include "sim/model/error.h"
#include "sim/model/soft_float.h"

namespace llamaf::model {

namespace {

// Products of an int8 and an int16 have magnitude <= 2^7 * 2^15 = 2^22, so
// any 256 of them sum to <= 2^30 and an int32 accumulator cannot overflow
// (whatever WBITS/ABITS). Longer groups (512) add int32 chunks in int64. The
// plain loop lets the compiler vectorize (widen, multiply, add).
constexpr int kInt32Chunk = 256;

inline std::int32_t dot_chunk(const std::int8_t* w, const std::int16_t* x, int n) {
  std::int32_t acc = 0;
  for (int i = 0; i < n; ++i) acc += static_cast<std::int32_t>(w[i]) * static_cast<std::int32_t>(x[i]);
  return acc;
}

inline std::int64_t dot(const std::int8_t* w, const std::int16_t* x, int n) {
  if (n <= kInt32Chunk) return dot_chunk(w, x, n);
  std::int64_t acc = 0;
  for (int i = 0; i < n; i += kInt32Chunk)
    acc += dot_chunk(w + i, x + i, n - i < kInt32Chunk ? n - i : kInt32Chunk);
  return acc;
}

void check_operands(const QuantizedMatrix& w, const QuantizedVector& x, std::span<float> y,
                    int row_begin, int row_end) {
  w.spec.validate();
  const int g_size = w.spec.group_size;
  if (w.rows <= 0 || w.cols <= 0 || w.cols % g_size != 0)
    throw_error("golden_matvec: matrix shape ({}, {}) invalid for group {}", w.rows, w.cols, g_size);
  const auto groups = static_cast<std::size_t>(w.cols / g_size);
  const auto rows = static_cast<std::size_t>(w.rows);
  const auto cols = static_cast<std::size_t>(w.cols);
  if (w.q.size() != rows * cols || w.scale_bits.size() != rows * groups)
    throw_error("golden_matvec: matrix ({}, {}) holds {} weights and {} scales, expected {} and {}",
                w.rows, w.cols, w.q.size(), w.scale_bits.size(), rows * cols, rows * groups);
  if (x.bits != w.spec.act_bits)
    throw_error("golden_matvec: activations have {} bits, spec {} wants {}", x.bits, w.spec.str(),
                w.spec.act_bits);
  if (x.group_size != g_size)
    throw_error("golden_matvec: activation group {} differs from weight group {}", x.group_size,
                g_size);
  if (x.q.size() != cols || x.scales.size() != groups)
    throw_error("golden_matvec: activation vector has {} values and {} scales, matrix ({}, {}) "
                "group {} wants {} and {}",
                x.q.size(), x.scales.size(), w.rows, w.cols, g_size, cols, groups);
  if (row_begin < 0 || row_begin > row_end || row_end > w.rows)
    throw_error("golden_matvec: row range [{}, {}) outside 0..{}", row_begin, row_end, w.rows);
  if (y.size() < static_cast<std::size_t>(row_end))
    throw_error("golden_matvec: y has {} entries, row_end is {}", y.size(), row_end);
  // The hardware holds ABITS-bit activations: a wider value would be
  // truncated there, so it is an error here (O(cols), cheap per matvec).
  const int lo = -(1 << (x.bits - 1));
  const int hi = (1 << (x.bits - 1)) - 1;
  for (std::size_t i = 0; i < cols; ++i) {
    if (x.q[i] < lo || x.q[i] > hi)
      throw_error("golden_matvec: activation {} = {} outside the {}-bit range {}..{}", i, x.q[i],
                  x.bits, lo, hi);
  }
}

}  // namespace

std::int64_t golden_group_dot(std::span<const std::int8_t> qw, std::span<const std::int16_t> qx) {
  if (qw.size() != qx.size())
    throw_error("golden_group_dot: {} weights but {} activations", qw.size(), qx.size());
  std::int64_t acc = 0;
  for (std::size_t i = 0; i < qw.size(); i += kInt32Chunk) {
    const std::size_t n = qw.size() - i < kInt32Chunk ? qw.size() - i : kInt32Chunk;
    acc += dot_chunk(qw.data() + i, qx.data() + i, static_cast<int>(n));
  }
  return acc;
}

namespace {

// Rows [row_begin, row_end) with the group size and scale format fixed at
// compile time: the dot product becomes a fixed-length loop the compiler
// unrolls and vectorizes, and the scale widening folds to a few bit ops.
// 
template <int G, ScaleFormat F>
void matvec_rows(const QuantizedMatrix& w, const QuantizedVector& x, std::span<float> y,
                 int row_begin, int row_end) {
  const int groups = w.cols / G;
  const std::int16_t* xq = x.q.data();
  const float* sx = x.scales.data();
  for (int r = row_begin; r < row_end; ++r) {
    const std::int8_t* wq = w.q.data() + static_cast<std::size_t>(r) * w.cols;  // (cols)
    const std::uint32_t* sw = w.scale_bits.data() + static_cast<std::size_t>(r) * groups;
    hwfloat::ExactSum acc;
    for (int g = 0; g < groups; ++g) {
      const std::size_t off = static_cast<std::size_t>(g) * G;
      const std::int64_t d = dot(wq + off, xq + off, G);
      const std::uint32_t s = hwfloat::fmul(widen_scale_bits(sw[g], F), hwfloat::bits_of(sx[g]));
      const std::uint32_t p = hwfloat::fmul(hwfloat::i2f(d), s);
      acc.add(p);
    }
    y[static_cast<std::size_t>(r)] = hwfloat::float_of(acc.result());
  }
}

template <int G>
void matvec_rows(const QuantizedMatrix& w, const QuantizedVector& x, std::span<float> y,
                 int row_begin, int row_end) {
  switch (w.spec.scale_format) {
    case ScaleFormat::Fp32: return matvec_rows<G, ScaleFormat::Fp32>(w, x, y, row_begin, row_end);
    case ScaleFormat::Fp16: return matvec_rows<G, ScaleFormat::Fp16>(w, x, y, row_begin, row_end);
    case ScaleFormat::Bf16: return matvec_rows<G, ScaleFormat::Bf16>(w, x, y, row_begin, row_end);
  }
}

}  // namespace

void golden_matvec(const QuantizedMatrix& w, const QuantizedVector& x, std::span<float> y,
                   int row_begin, int row_end) {
  if (row_end < 0) row_end = w.rows;
  check_operands(w, x, y, row_begin, row_end);
  switch (w.spec.group_size) {
    case 16: return matvec_rows<16>(w, x, y, row_begin, row_end);
    case 32: return matvec_rows<32>(w, x, y, row_begin, row_end);
    case 64: return matvec_rows<64>(w, x, y, row_begin, row_end);
    case 128: return matvec_rows<128>(w, x, y, row_begin, row_end);
    case 256: return matvec_rows<256>(w, x, y, row_begin, row_end);
    case 512: return matvec_rows<512>(w, x, y, row_begin, row_end);
    default: throw_error("golden_matvec: group size {} unsupported", w.spec.group_size);
  }
}

}  // namespace llamaf::model
