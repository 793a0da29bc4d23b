// Group-wise symmetric quantization: spec parsing, scale formats and the
// quantizer of docs/arithmetic.md.
#include "sim/model/quant.h"

#include "sim/model/error.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace llamaf::model {

namespace {

constexpr const char* kGrammar = "w<weight bits>a<activation bits>g<group size>[:fp32|fp16|bf16]";

// A binary format's parameters for encoding: fraction bits, exponent bias,
// largest finite and canonical quiet NaN bit patterns (without sign).
struct FormatInfo {
  int frac_bits;
  int bias;  // also the largest unbiased exponent; smallest normal is 1 - bias
  std::uint32_t max_finite;
  std::uint32_t inf;
  std::uint32_t qnan;
  int sign_shift;
};

FormatInfo format_info(ScaleFormat f) {
  switch (f) {
    case ScaleFormat::Fp32: return {23, 127, 0x7F7FFFFFu, 0x7F800000u, 0x7FC00000u, 31};
    case ScaleFormat::Fp16: return {10, 15, 0x7BFFu, 0x7C00u, 0x7E00u, 15};
    case ScaleFormat::Bf16: return {7, 127, 0x7F7Fu, 0x7F80u, 0x7FC0u, 15};
  }
  throw_error("unknown scale format {}", static_cast<int>(f));
}

// Range checks shared by parse() and validate(); `spec` is the text quoted in
// the message.
void check_fields(const QuantSpec& q, const std::string& spec) {
  if (q.weight_bits < 2 || q.weight_bits > 8)
    throw_error("quantization spec '{}': weight bits {} out of range 2..8", spec, q.weight_bits);
  if (q.act_bits < 4 || q.act_bits > 16)
    throw_error("quantization spec '{}': activation bits {} out of range 4..16", spec, q.act_bits);
  if (q.group_size < 16 || q.group_size > 512 || !std::has_single_bit(static_cast<unsigned>(q.group_size)))
    throw_error("quantization spec '{}': group size {} is not a power of two in 16..512", spec,
                q.group_size);
  if (q.scale_format != ScaleFormat::Fp32 && q.scale_format != ScaleFormat::Fp16 &&
      q.scale_format != ScaleFormat::Bf16)
    throw_error("quantization spec '{}': scale format {} is not one of fp32, fp16, bf16", spec,
                static_cast<int>(q.scale_format));
}

// Symmetric quantization of one group (docs/arithmetic.md, "Quantizer"):
// returns the encoded scale, writes q (G values). Inputs must be finite.
template <typename Q>
std::uint32_t quantize_group(const float* w, int n, int qmax, ScaleFormat fmt, Q* q) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i) amax = std::max(amax, std::fabs(w[i]));
  // IEEE binary32 division (subnormal quotients kept), then the format's
  // rounding, which flushes them.
  const float quotient = amax / static_cast<float>(qmax);
  const std::uint32_t s = encode_scale(quotient, fmt);
  const float sd = decode_scale(s, fmt);
  if (sd == 0.0f) {
    std::fill(q, q + n, Q{0});
    return s;
  }
  const auto lim = static_cast<float>(qmax);
  for (int i = 0; i < n; ++i) {
    // std::round is half away from zero; the clamp catches |w/sd| slightly
    // above qmax (scale rounded down by the format) and scale overflow.
    const float r = std::clamp(std::round(w[i] / sd), -lim, lim);
    q[i] = static_cast<Q>(r);
  }
  return s;
}

void check_finite(std::span<const float> v, const std::string& what, int row) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      if (row >= 0)
        throw_error("{}: weight at row {} col {} is not finite ({}); cannot quantize", what, row, i,
                    v[i]);
      throw_error("{}: element {} is not finite ({}); cannot quantize", what, i, v[i]);
    }
  }
}

void quantize_row_impl(std::span<const float> w_row, QuantizedMatrix& m, int row,
                       const std::string& what) {
  if (row < 0 || row >= m.rows)
    throw_error("{}: row {} out of range 0..{}", what, row, m.rows - 1);
  if (static_cast<std::int64_t>(w_row.size()) != m.cols)
    throw_error("{}: row {} has {} values, expected cols = {}", what, row, w_row.size(), m.cols);
  const int groups = m.groups_per_row();
  const auto n_q = static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols);
  const auto n_s = static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(groups);
  if (m.q.empty() && m.scale_bits.empty()) {
    m.q.assign(n_q, 0);
    m.scale_bits.assign(n_s, 0);
  }
  if (m.q.size() != n_q || m.scale_bits.size() != n_s)
    throw_error("{}: storage holds {} weights and {} scales, expected ({}, {}) and ({}, {})", what,
                m.q.size(), m.scale_bits.size(), m.rows, m.cols, m.rows, groups);
  check_finite(w_row, what, row);
  const int g_size = m.spec.group_size;
  const int qmax = m.spec.weight_qmax();
  std::int8_t* q = m.q.data() + static_cast<std::size_t>(row) * m.cols;
  std::uint32_t* s = m.scale_bits.data() + static_cast<std::size_t>(row) * groups;
  for (int g = 0; g < groups; ++g) {
    s[g] = quantize_group(w_row.data() + static_cast<std::size_t>(g) * g_size, g_size, qmax,
                          m.spec.scale_format, q + static_cast<std::size_t>(g) * g_size);
  }
}

}  // namespace

int scale_bits(ScaleFormat f) { return f == ScaleFormat::Fp32 ? 32 : 16; }

const char* scale_format_name(ScaleFormat f) {
  switch (f) {
    case ScaleFormat::Fp32: return "fp32";
    case ScaleFormat::Fp16: return "fp16";
    case ScaleFormat::Bf16: return "bf16";
  }
  return "?";
}

std::uint32_t encode_scale(float v, ScaleFormat f) {
  const FormatInfo fi = format_info(f);
  const std::uint32_t v_bits = std::bit_cast<std::uint32_t>(v);
  const std::uint32_t sign = (v_bits >> 31) << fi.sign_shift;
  if (std::isnan(v)) return fi.qnan;
  if (std::isinf(v)) return sign | fi.inf;
  if (v == 0.0f) return sign;
  // The exact value (float32 subnormals included: they are double normals),
  // rounded to frac_bits fraction bits, ties to even, unbounded exponent. A
  // carry out of the fraction lands in the exponent field, as it should.
  std::uint64_t u = std::bit_cast<std::uint64_t>(static_cast<double>(v));
  const int drop = 52 - fi.frac_bits;
  u += (std::uint64_t{1} << (drop - 1)) - 1 + ((u >> drop) & 1u);
  u &= ~((std::uint64_t{1} << drop) - 1);
  const int exp = static_cast<int>((u >> 52) & 0x7FF) - 1023;
  if (exp < 1 - fi.bias) return sign;            // would be a format subnormal
  if (exp > fi.bias) return sign | fi.max_finite;  // overflow saturates
  const auto frac = static_cast<std::uint32_t>((u & 0xFFFFFFFFFFFFFull) >> drop);
  return sign | (static_cast<std::uint32_t>(exp + fi.bias) << fi.frac_bits) | frac;
}

float decode_scale(std::uint32_t bits, ScaleFormat f) {
  return std::bit_cast<float>(widen_scale_bits(bits, f));
}

QuantSpec QuantSpec::parse(const std::string& text) {
  std::size_t pos = 0;
  // One decimal field introduced by `tag`: no sign, no leading zeros (so that
  // every spec has one spelling).
  auto field = [&](char tag, const char* name, const char* range) -> int {
    if (pos >= text.size() || text[pos] != tag)
      throw_error("quantization spec '{}': expected '{}' before the {} at position {}; form is {}",
                  text, tag, name, pos, kGrammar);
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start)
      throw_error("quantization spec '{}': {} missing after '{}'; form is {}", text, name, tag,
                  kGrammar);
    if (text[start] == '0' && pos - start > 1)
      throw_error("quantization spec '{}': {} '{}' has a leading zero", text, name,
                  text.substr(start, pos - start));
    if (pos - start > 6)  // would not fit an int; far out of range anyway
      throw_error("quantization spec '{}': {} {} out of range {}", text, name,
                  text.substr(start, pos - start), range);
    return std::stoi(text.substr(start, pos - start));
  };
  QuantSpec q;
  q.weight_bits = field('w', "weight bits", "2..8");
  q.act_bits = field('a', "activation bits", "4..16");
  q.group_size = field('g', "group size", "16..512 (a power of two)");
  if (pos < text.size()) {
    if (text[pos] != ':')
      throw_error("quantization spec '{}': unexpected '{}' at position {}; form is {}", text,
                  text.substr(pos), pos, kGrammar);
    const std::string fmt = text.substr(pos + 1);
    if (fmt == "fp32") {
      q.scale_format = ScaleFormat::Fp32;
    } else if (fmt == "fp16") {
      q.scale_format = ScaleFormat::Fp16;
    } else if (fmt == "bf16") {
      q.scale_format = ScaleFormat::Bf16;
    } else {
      throw_error("quantization spec '{}': scale format '{}' is not one of fp32, fp16, bf16", text,
                  fmt);
    }
  }
  check_fields(q, text);
  return q;
}

std::string QuantSpec::str() const {
  return fmt::format("w{}a{}g{}:{}", weight_bits, act_bits, group_size,
                     scale_format_name(scale_format));
}

void QuantSpec::validate() const {
  // Format the message only on failure: this runs once per matvec.
  const bool ok = weight_bits >= 2 && weight_bits <= 8 && act_bits >= 4 && act_bits <= 16 &&
                  group_size >= 16 && group_size <= 512 &&
                  std::has_single_bit(static_cast<unsigned>(group_size)) &&
                  (scale_format == ScaleFormat::Fp32 || scale_format == ScaleFormat::Fp16 ||
                   scale_format == ScaleFormat::Bf16);
  if (!ok) check_fields(*this, str());
}

void QuantSpec::check_cols(int cols, const std::string& what) const {
  if (cols <= 0 || group_size <= 0 || cols % group_size != 0)
    throw_error("{}: cols {} is not a positive multiple of the quantization group {} (spec {})",
                what, cols, group_size, str());
}

int QuantSpec::accumulator_bits() const {
  // |qw*qx| <= 2^(WBITS-1) * 2^(ABITS-1); G of them <= 2^(WBITS+ABITS-2+log2 G),
  // which a signed integer of WBITS+ABITS+log2(G) bits holds.
  return weight_bits + act_bits + std::countr_zero(static_cast<unsigned>(group_size));
}

float QuantizedMatrix::scale(int row, int group) const {
  return decode_scale(
      scale_bits[static_cast<std::size_t>(row) * groups_per_row() + static_cast<std::size_t>(group)],
      spec.scale_format);
}

std::int64_t QuantizedMatrix::bytes_packed() const {
  const std::int64_t bits = static_cast<std::int64_t>(rows) * cols * spec.weight_bits +
                            static_cast<std::int64_t>(rows) * groups_per_row() *
                                model::scale_bits(spec.scale_format);
  return (bits + 7) / 8;
}

QuantizedMatrix make_quantized_matrix(int rows, int cols, const QuantSpec& spec,
                                      const std::string& what) {
  spec.validate();
  if (rows <= 0) throw_error("{}: rows {} must be positive", what, rows);
  spec.check_cols(cols, what);
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.spec = spec;
  m.q.assign(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), 0);
  m.scale_bits.assign(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols / spec.group_size), 0);
  return m;
}

QuantizedMatrix quantize_matrix(std::span<const float> w, int rows, int cols,
                                const QuantSpec& spec, const std::string& what) {
  QuantizedMatrix m = make_quantized_matrix(rows, cols, spec, what);
  if (w.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    throw_error("{}: {} values given for a ({}, {}) matrix", what, w.size(), rows, cols);
  for (int r = 0; r < rows; ++r)
    quantize_row_impl(w.subspan(static_cast<std::size_t>(r) * cols, cols), m, r, what);
  return m;
}

void quantize_row(std::span<const float> w_row, QuantizedMatrix& m, int row) {
  m.spec.validate();
  m.spec.check_cols(m.cols, "quantize_row");
  quantize_row_impl(w_row, m, row, "quantize_row");
}

void quantize_activations(std::span<const float> x, const QuantSpec& spec, QuantizedVector& out) {
  spec.validate();
  spec.check_cols(static_cast<int>(x.size()), "activation vector");
  check_finite(x, "activation vector", -1);
  const int g_size = spec.group_size;
  const int groups = static_cast<int>(x.size()) / g_size;
  out.bits = spec.act_bits;
  out.group_size = g_size;
  out.q.resize(x.size());
  out.scales.resize(static_cast<std::size_t>(groups));
  for (int g = 0; g < groups; ++g) {
    const auto off = static_cast<std::size_t>(g) * g_size;
    const std::uint32_t s = quantize_group(x.data() + off, g_size, spec.act_qmax(),
                                           ScaleFormat::Fp32, out.q.data() + off);
    out.scales[static_cast<std::size_t>(g)] = decode_scale(s, ScaleFormat::Fp32);
  }
}

QuantizedVector quantize_activations(std::span<const float> x, const QuantSpec& spec) {
  QuantizedVector v;
  quantize_activations(x, spec, v);
  return v;
}

float dequantize(const QuantizedMatrix& m, int row, int col) {
  const float q = m.q[static_cast<std::size_t>(row) * m.cols + static_cast<std::size_t>(col)];
  return q * m.scale(row, col / m.spec.group_size);
}

}  // namespace llamaf::model
