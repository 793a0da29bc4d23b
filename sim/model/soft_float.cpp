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
// Why a double is a correct carrier: the caller passes an exact value (a
// product of two 24-bit significands has <= 48 bits), zero or a double normal
// (|x| >= 2^-252 for products of binary32 normals) below 2^257, so the double
// has a full 53-bit significand and no exponent limit.
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

}  // namespace llamaf::model::hwfloat::detail

namespace llamaf::model::hwfloat {

std::uint32_t ExactSum::result() const {
  using detail::kExpMask;
  using detail::kSignBit;
  if (nan_ || (pos_inf_ && neg_inf_)) return kCanonicalNan;
  if (pos_inf_) return kExpMask;
  if (neg_inf_) return kSignBit | kExpMask;
  // Resolve the carries into 32-bit digits of a two's-complement number; the
  // last carry (signed, |sum| < 2^31 * 2^278) is one more digit.
  constexpr int kDigits = kChunks + 2;
  std::array<std::uint32_t, kDigits> dig{};
  std::int64_t carry = 0;
  for (int k = 0; k < kChunks; ++k) {
    // No overflow: |chunk| < 2^63 - 2^32 by the term bound, |carry| < 2^32.
    const std::int64_t c = chunk_[static_cast<std::size_t>(k)] + carry;
    dig[static_cast<std::size_t>(k)] = static_cast<std::uint32_t>(c);
    carry = c >> 32;  // arithmetic shift (C++20)
  }
  dig[kChunks] = static_cast<std::uint32_t>(carry);
  dig[kChunks + 1] = static_cast<std::uint32_t>(carry >> 32);
  const bool neg = carry < 0;
  if (neg) {  // magnitude: ~x + 1
    std::uint64_t c = 1;
    for (auto& d : dig) {
      c += static_cast<std::uint32_t>(~d);
      d = static_cast<std::uint32_t>(c);
      c >>= 32;
    }
  }
  const std::uint32_t sign = neg ? kSignBit : 0u;
  int top = kDigits - 1;
  while (top >= 0 && dig[static_cast<std::size_t>(top)] == 0) --top;
  if (top < 0) return 0u;  // exact zero: +0
  // Leading one at bit lead (value 2^(lead-150)): biased exponent lead - 23.
  const int lead = 32 * top + (31 - std::countl_zero(dig[static_cast<std::size_t>(top)]));
  if (lead < 24) return sign;  // below 2^-126 even after rounding: FTZ
  auto bit = [&](int i) { return (dig[static_cast<std::size_t>(i / 32)] >> (i % 32)) & 1u; };
  std::uint32_t mant = 0;  // bits lead .. lead-23
  for (int i = lead; i > lead - 24; --i) mant = (mant << 1) | bit(i);
  const bool guard = bit(lead - 24) != 0;
  bool sticky = false;  // any bit below the guard bit
  for (int k = 0; 32 * k < lead - 24; ++k) {
    const int below = lead - 24 - 32 * k;  // bits of digit k below the guard
    const std::uint32_t d = dig[static_cast<std::size_t>(k)];
    sticky = sticky || (below >= 32 ? d : (d & ((1u << below) - 1u))) != 0;
  }
  int exp = lead - 23;
  if (guard && (sticky || (mant & 1u) != 0)) {
    ++mant;
    if (mant == (1u << 24)) {
      mant >>= 1;
      ++exp;
    }
  }
  if (exp >= 255) return sign | kExpMask;
  return sign | (static_cast<std::uint32_t>(exp) << 23) | (mant & 0x007FFFFFu);
}

}  // namespace llamaf::model::hwfloat
