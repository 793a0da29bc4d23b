// The binary32 operations of the accelerator's float unit, bit-exact
// (docs/arithmetic.md): RNE, subnormal inputs read as zero, results below
// 2^-126 flushed to zero, canonical NaN 0x7FC00000.
#pragma once

#include <bit>
#include <cfloat>
#include <cstdint>
#include <limits>

namespace llamaf::model::hwfloat {

std::uint32_t fmul(std::uint32_t a, std::uint32_t b);
std::uint32_t fadd(std::uint32_t a, std::uint32_t b);
std::uint32_t i2f(std::int64_t d);  // exact integer to binary32 (any int64; golden |d| <= 2^31)

std::uint32_t bits_of(float f);
float float_of(std::uint32_t bits);

inline constexpr std::uint32_t kCanonicalNan = 0x7FC00000u;

// The definitions are inline: the golden model calls them once per group of
// every row of every matvec. The common case (normal operands) runs on the
// host's IEEE binary32 unit, which agrees with the hardware rules there:
//  - fadd: an IEEE sum of two normals that lands below 2^-126 is exact
//    (Hauser), so flushing it to a signed zero is what the hardware does;
//    everywhere else both round the exact sum to 24 bits, overflow alike.
//  - fmul: IEEE and the hardware differ only when the exact product is below
//    2^-126 (IEEE rounds on the subnormal grid); then the IEEE result is
//    <= 2^-126 in magnitude and the exact slow path decides.
// Both checks hold whether or not the host flushes subnormals (FTZ/DAZ),
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
std::uint32_t fadd_exact(std::uint32_t a, std::uint32_t b);

}  // namespace detail

inline std::uint32_t fmul(std::uint32_t a, std::uint32_t b) {
  if (detail::is_normal(a) && detail::is_normal(b)) {
    const std::uint32_t r = std::bit_cast<std::uint32_t>(std::bit_cast<float>(a) * std::bit_cast<float>(b));
    if ((r & ~detail::kSignBit) > detail::kMinNormal) return r;  // includes overflow to inf
  }
  return detail::fmul_exact(a, b);
}

inline std::uint32_t fadd(std::uint32_t a, std::uint32_t b) {
  if (detail::is_normal(a) && detail::is_normal(b)) {
    const std::uint32_t r = std::bit_cast<std::uint32_t>(std::bit_cast<float>(a) + std::bit_cast<float>(b));
    // Exact cancellation gives +0 (RNE); a subnormal sum flushes to its sign.
    return (r & detail::kExpMask) != 0 ? r : (r & detail::kSignBit);
  }
  return detail::fadd_exact(a, b);
}

inline std::uint32_t i2f(std::int64_t d) {
  // Integer-to-float conversion is correctly rounded (RNE) and never
  // subnormal or overflowing; 0 converts to +0.
  return std::bit_cast<std::uint32_t>(static_cast<float>(d));
}

inline std::uint32_t bits_of(float f) { return std::bit_cast<std::uint32_t>(f); }
inline float float_of(std::uint32_t bits) { return std::bit_cast<float>(bits); }

}  // namespace llamaf::model::hwfloat
