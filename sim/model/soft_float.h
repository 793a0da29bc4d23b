// The binary32 operations of the accelerator's float unit, bit-exact
// (docs/arithmetic.md): RNE, subnormal inputs read as zero, results below
// 2^-126 flushed to zero, canonical NaN 0x7FC00000.
#pragma once

#include <array>
#include <bit>
#include <cfloat>
#include <cstdint>
#include <limits>

namespace llamaf::model::hwfloat {

std::uint32_t fmul(std::uint32_t a, std::uint32_t b);
std::uint32_t i2f(std::int64_t d);  // exact integer to binary32 (any int64; golden |d| <= 2^31)

std::uint32_t bits_of(float f);
float float_of(std::uint32_t bits);

inline constexpr std::uint32_t kCanonicalNan = 0x7FC00000u;

// The definitions are inline: the golden model calls them once per group of
// every row of every matvec. The common case (normal operands) runs on the
// host's IEEE binary32 unit, which agrees with the hardware rules there:
//  - fmul: IEEE and the hardware differ only when the exact product is below
//    2^-126 (IEEE rounds on the subnormal grid); then the IEEE result is
//    <= 2^-126 in magnitude and the exact slow path decides.
// The check holds whether or not the host flushes subnormals (FTZ/DAZ),
// since the fast paths only see normal inputs and never return a subnormal.
// They need binary32 evaluated in binary32 and round-to-nearest-even (the
// default rounding mode; nothing in this project changes it).
static_assert(std::numeric_limits<float>::is_iec559, "host float must be IEEE binary32");
static_assert(FLT_EVAL_METHOD == 0, "float arithmetic must be evaluated in binary32");

namespace detail {

inline constexpr std::uint32_t kSignBit = 0x80000000u;
inline constexpr std::uint32_t kExpMask = 0x7F800000u;
inline constexpr std::uint32_t kMinNormal = 0x00800000u;  // 2^-126

// Exponent field neither all zeros nor all ones.
inline bool is_normal(std::uint32_t a) {
  const std::uint32_t e = a & kExpMask;
  return e != 0 && e != kExpMask;
}

// The exact rules for every input (zeros, subnormals, inf, NaN) and for tiny
// products; see soft_float.cpp.
std::uint32_t fmul_exact(std::uint32_t a, std::uint32_t b);

}  // namespace detail

inline std::uint32_t fmul(std::uint32_t a, std::uint32_t b) {
  if (detail::is_normal(a) && detail::is_normal(b)) {
    const std::uint32_t r = std::bit_cast<std::uint32_t>(std::bit_cast<float>(a) * std::bit_cast<float>(b));
    if ((r & ~detail::kSignBit) > detail::kMinNormal) return r;  // includes overflow to inf
  }
  return detail::fmul_exact(a, b);
}

inline std::uint32_t i2f(std::int64_t d) {
  // Integer-to-float conversion is correctly rounded (RNE) and never
  // subnormal or overflowing; 0 converts to +0.
  return std::bit_cast<std::uint32_t>(static_cast<float>(d));
}

inline std::uint32_t bits_of(float f) { return std::bit_cast<std::uint32_t>(f); }

// The row sum of the float unit (docs/arithmetic.md, "Row sum"): the exact sum
// of binary32 terms, rounded once to binary32 (RNE, unbounded exponent, then
// FTZ below 2^-126 and overflow to infinity). The result does not depend on
// the order of the terms. Subnormal terms are read as zero (DAZ); an exact
// zero sum is +0; any NaN term, or +inf and -inf together, give the
// canonical NaN; otherwise an infinite term gives that infinity.
//
// Representation, the same as the RTL's (rtl/lf_row_acc.sv): a fixed-point
// number whose bit i weighs 2^(i-150), split into 32-bit chunks that each
// keep their own carries. A normal term with exponent field e and significand
// m (24 bits with the hidden one) is m << e: chunk e/32 gets the low 32 bits
// of m << (e mod 32), chunk e/32 + 1 the rest (< 2^24). A chunk gains less
// than 2^32 in magnitude per term, so int64 chunks hold 2^31 terms exactly.
class ExactSum {
 public:
  void add(std::uint32_t term) {
    const std::uint32_t e = (term >> 23) & 0xFFu;
    if (e == 0) return;  // zero or subnormal (DAZ): adds nothing
    const bool neg = (term >> 31) != 0;
    if (e == 0xFFu) {
      if ((term & 0x007FFFFFu) != 0) {
        nan_ = true;
      } else {
        (neg ? neg_inf_ : pos_inf_) = true;
      }
      return;
    }
    const std::uint64_t w = static_cast<std::uint64_t>((term & 0x007FFFFFu) | 0x00800000u) << (e & 31u);
    const auto lo = static_cast<std::int64_t>(w & 0xFFFFFFFFu);
    const auto hi = static_cast<std::int64_t>(w >> 32);
    const std::uint32_t k = e >> 5;  // 0..7
    chunk_[k] += neg ? -lo : lo;
    chunk_[k + 1] += neg ? -hi : hi;
  }
  std::uint32_t result() const;

  static constexpr int kChunks = 9;  // bits 0..287; a term reaches bit 277

 private:
  std::array<std::int64_t, kChunks> chunk_{};
  bool nan_ = false;
  bool pos_inf_ = false;
  bool neg_inf_ = false;
};

inline float float_of(std::uint32_t bits) { return std::bit_cast<float>(bits); }

}  // namespace llamaf::model::hwfloat
