// The accelerator's binary32 float unit, bit-exact (docs/arithmetic.md): the
// exact paths for special operands and tiny products. The common paths are
// inline in the header.
#include "sim/model/soft_float.h"

namespace llamaf::model::hwfloat::detail {

namespace {

constexpr std::uint32_t kFracMask = 0x007FFFFFu;

bool is_nan(std::uint32_t a) { return (a & kExpMask) == kExpMask && (a & kFracMask) != 0; }
bool is_inf(std::uint32_t a) { return (a & ~kSignBit) == kExpMask; }
bool is_zero(std::uint32_t a) { return (a & ~kSignBit) == 0; }

// Subnormal inputs are read as zero of the same sign (DAZ).
std::uint32_t daz(std::uint32_t a) { return (a & kExpMask) == 0 ? (a & kSignBit) : a; }

double to_double(std::uint32_t a) { return static_cast<double>(std::bit_cast<float>(a)); }

// Round a finite double to 24 significant bits (RNE) as if the exponent range
// were unbounded, then flush magnitudes below 2^-126 to a signed zero and
// send magnitudes above FLT_MAX to a signed infinity.
//
// Why a double is a correct carrier: callers pass an exact value (a product
// of two 24-bit significands has <= 48 bits) or the double-rounded sum of two
// binary32 numbers, for which rounding to 53 bits and then to 24 bits equals
// rounding once to 24 bits (Figueroa: double rounding is innocuous for +,-,x
// when p' >= 2p+1; 53 >= 49). Such values are zero or double normals
// (|x| >= 2^-252 for products of binary32 normals, >= 2^-149 for sums) below
// 2^257, so the double has a full 53-bit significand and no exponent limit.
std::uint32_t round_to_f32(double x) {
  std::uint64_t u = std::bit_cast<std::uint64_t>(x);
  const std::uint32_t sign = static_cast<std::uint32_t>(u >> 63) << 31;
  if ((u & 0x7FFFFFFFFFFFFFFFull) == 0) return sign;  // zero keeps its sign
  // Drop the low 29 of the 52 fraction bits, ties to even; a carry out of the
  // fraction increments the exponent field, which is exactly right.
  u += 0x0FFFFFFFull + ((u >> 29) & 1u);
  const int exp = static_cast<int>((u >> 52) & 0x7FF) - 1023;  // unbiased
  if (exp < -126) return sign;                                 // FTZ
  if (exp > 127) return sign | kExpMask;                       // overflow
  const auto frac = static_cast<std::uint32_t>(u >> 29) & kFracMask;
  return sign | (static_cast<std::uint32_t>(exp + 127) << 23) | frac;
}

}  // namespace

std::uint32_t fmul_exact(std::uint32_t a, std::uint32_t b) {
  a = daz(a);
  b = daz(b);
  if (is_nan(a) || is_nan(b)) return kCanonicalNan;
  if (is_inf(a) || is_inf(b)) {
    if (is_zero(a) || is_zero(b)) return kCanonicalNan;  // inf x 0
    return ((a ^ b) & kSignBit) | kExpMask;
  }
  // Zeros (signed per IEEE) or normals, whose double product is exact.
  return round_to_f32(to_double(a) * to_double(b));
}

std::uint32_t fadd_exact(std::uint32_t a, std::uint32_t b) {
  a = daz(a);
  b = daz(b);
  if (is_nan(a) || is_nan(b)) return kCanonicalNan;
  if (is_inf(a)) {
    if (is_inf(b) && ((a ^ b) & kSignBit)) return kCanonicalNan;  // inf + -inf
    return a;
  }
  if (is_inf(b)) return b;
  // The double sum of zeros follows IEEE: (+0)+(-0) = +0, (-0)+(-0) = -0;
  // x + (-x) = +0 under round-to-nearest.
  return round_to_f32(to_double(a) + to_double(b));
}

}  // namespace llamaf::model::hwfloat::detail
