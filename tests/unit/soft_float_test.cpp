// Tests of the accelerator float unit (hwfloat) against native IEEE binary32
// and hand-made edge cases (docs/arithmetic.md, "Golden arithmetic").
#include "sim/model/soft_float.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace llamaf::model::hwfloat;

namespace {

constexpr std::uint32_t kNan = 0x7FC00000u;
constexpr std::uint32_t kInf = 0x7F800000u;
constexpr std::uint32_t kNegInf = 0xFF800000u;
constexpr std::uint32_t kNegZero = 0x80000000u;
constexpr std::uint32_t kMin = 0x00800000u;  // 2^-126
constexpr std::uint32_t kMax = 0x7F7FFFFFu;  // FLT_MAX
constexpr std::uint32_t kOne = 0x3F800000u;

std::uint32_t b(float f) { return std::bit_cast<std::uint32_t>(f); }

// The row sum of two terms: the exact sum rounded once, which is an IEEE
// binary32 add under the float unit's rules (DAZ, FTZ, zero sum +0).
std::uint32_t sum2(std::uint32_t x, std::uint32_t y) {
  ExactSum s;
  s.add(x);
  s.add(y);
  return s.result();
}
float f(std::uint32_t u) { return std::bit_cast<float>(u); }

bool is_nan_bits(std::uint32_t u) { return (u & 0x7F800000u) == 0x7F800000u && (u & 0x7FFFFFu); }
std::uint32_t daz(std::uint32_t u) { return (u & 0x7F800000u) == 0 ? (u & 0x80000000u) : u; }

// Independent reference built on native IEEE arithmetic (round to nearest
// even, with subnormals), then mapped onto the hardware rules.
std::uint32_t ref_mul(std::uint32_t x, std::uint32_t y) {
  x = daz(x);
  y = daz(y);
  if (is_nan_bits(x) || is_nan_bits(y)) return kNan;
  const float p = f(x) * f(y);
  if (std::isnan(p)) return kNan;  // inf x 0
  if (std::isinf(p) || f(x) == 0.0f || f(y) == 0.0f || std::fabs(p) >= 0x1p-120f) return b(p);
  // Small result: IEEE may have rounded on the subnormal grid (even up to
  // 2^-126), so redo it scaled by 2^64 (exact for the smaller operand, which
  // is below 2^-60 here), where IEEE rounds to 24 bits like the hardware.
  const bool x_small = std::fabs(f(x)) < std::fabs(f(y));
  const float xs = x_small ? f(x) * 0x1p64f : f(x);
  const float ys = x_small ? f(y) : f(y) * 0x1p64f;
  const float p2 = xs * ys;
  const std::uint32_t sign = (x ^ y) & 0x80000000u;
  if (std::fabs(p2) >= 0x1p-62f) return b(p2 * 0x1p-64f);  // rounded up to >= 2^-126
  return sign;
}

std::uint32_t ref_add(std::uint32_t x, std::uint32_t y) {
  x = daz(x);
  y = daz(y);
  if (is_nan_bits(x) || is_nan_bits(y)) return kNan;
  const float s = f(x) + f(y);
  if (std::isnan(s)) return kNan;
  if (s == 0.0f) return 0u;  // an exact zero sum is +0, (-0)+(-0) included
  // A subnormal IEEE sum is exact (Hauser), below 2^-126 with fewer than 24
  // bits, so the hardware flushes it keeping the sign.
  if (s != 0.0f && std::fabs(s) < 0x1p-126f) return b(s) & 0x80000000u;
  return b(s);
}

// A second, differently built reference: exact products / double-rounded
// sums in a double, rounded to 24 bits by integer arithmetic on the
// significand, then flushed or overflowed.
std::uint32_t carrier_round(double x) {
  if (x == 0.0) return std::signbit(x) ? 0x80000000u : 0u;
  const std::uint32_t sign = std::signbit(x) ? 0x80000000u : 0u;
  int e = 0;
  const double m = std::frexp(std::fabs(x), &e);  // x = m * 2^e, m in [0.5, 1)
  auto sig = static_cast<std::uint64_t>(std::ldexp(m, 53));  // 53-bit integer
  const std::uint64_t rem = sig & ((1ull << 29) - 1);
  sig >>= 29;  // 24 bits
  if (rem > (1ull << 28) || (rem == (1ull << 28) && (sig & 1u))) ++sig;
  if (sig == (1ull << 24)) {
    sig >>= 1;
    ++e;
  }
  const int exp = e - 1;  // value = sig * 2^(exp - 23), sig in [2^23, 2^24)
  if (exp < -126) return sign;
  if (exp > 127) return sign | kInf;
  return sign | (static_cast<std::uint32_t>(exp + 127) << 23) | (static_cast<std::uint32_t>(sig) & 0x7FFFFFu);
}

std::uint32_t carrier_mul(std::uint32_t x, std::uint32_t y) {
  x = daz(x);
  y = daz(y);
  if (is_nan_bits(x) || is_nan_bits(y)) return kNan;
  const bool xi = (x & 0x7FFFFFFFu) == kInf, yi = (y & 0x7FFFFFFFu) == kInf;
  const bool xz = (x & 0x7FFFFFFFu) == 0, yz = (y & 0x7FFFFFFFu) == 0;
  if ((xi && yz) || (yi && xz)) return kNan;
  if (xi || yi) return ((x ^ y) & 0x80000000u) | kInf;
  return carrier_round(static_cast<double>(f(x)) * static_cast<double>(f(y)));
}

std::uint32_t carrier_add(std::uint32_t x, std::uint32_t y) {
  x = daz(x);
  y = daz(y);
  if (is_nan_bits(x) || is_nan_bits(y)) return kNan;
  const bool xi = (x & 0x7FFFFFFFu) == kInf, yi = (y & 0x7FFFFFFFu) == kInf;
  if (xi && yi && ((x ^ y) & 0x80000000u)) return kNan;
  if (xi) return x;
  if (yi) return y;
  const double sum = static_cast<double>(f(x)) + static_cast<double>(f(y));
  // Double rounding (53 then 24 bits) is innocuous for a sum of two binary32
  // (Figueroa: p' >= 2p + 1); an exact zero sum is +0.
  return sum == 0.0 ? 0u : carrier_round(sum);
}

// Random binary32 bit patterns: exponents drawn from [emin, emax] (biased),
// random sign and fraction.
struct Gen {
  std::mt19937_64 rng{12345};
  std::uint32_t pattern(int emin, int emax) {
    std::uniform_int_distribution<int> e(emin, emax);
    const auto frac = static_cast<std::uint32_t>(rng()) & 0x7FFFFFu;
    const auto sign = static_cast<std::uint32_t>(rng() & 1u) << 31;
    // Low-entropy fractions make ties and exact cancellations likely.
    const std::uint32_t fr = (rng() % 4 == 0) ? (frac & 0x7F0001u) : frac;
    return sign | (static_cast<std::uint32_t>(e(rng)) << 23) | fr;
  }
};

}  // namespace

TEST_CASE("fmul agrees with native IEEE on normal-range results", "[soft_float]") {
  Gen g;
  for (int i = 0; i < 2'000'000; ++i) {
    const std::uint32_t x = g.pattern(64, 190);
    const std::uint32_t y = g.pattern(64, 190);
    const float p = f(x) * f(y);
    REQUIRE(std::isnormal(p));
    if (fmul(x, y) != b(p)) FAIL("fmul " << std::hex << x << " * " << y);
  }
}

TEST_CASE("a two-term row sum agrees with native IEEE add on normal-range results", "[soft_float]") {
  Gen g;
  for (int i = 0; i < 2'000'000; ++i) {
    const std::uint32_t x = g.pattern(100, 160);
    // Nearby exponents (cancellation) and far ones (sticky bits, double
    // rounding in the double carrier).
    const int ex = static_cast<int>((x >> 23) & 0xFF);
    const int d = static_cast<int>(g.rng() % 70);
    const std::uint32_t y = g.pattern(std::max(1, ex - d), std::max(1, ex - d));
    const std::uint32_t r = sum2(x, y);
    if (r != b(f(x) + f(y))) FAIL("sum2 " << std::hex << x << " + " << y);
    if (sum2(y, x) != r) FAIL("sum2 not commutative " << std::hex << x << " + " << y);
  }
}

TEST_CASE("fmul and the two-term row sum over the full exponent range match the references", "[soft_float]") {
  // Includes subnormal inputs (DAZ), tiny results (FTZ), overflow, inf, NaN.
  Gen g;
  for (int i = 0; i < 2'000'000; ++i) {
    const std::uint32_t x = g.pattern(0, 255);
    const std::uint32_t y = (i % 2) ? g.pattern(0, 255) : g.pattern(0, 20);
    if (fmul(x, y) != ref_mul(x, y)) FAIL("fmul " << std::hex << x << " * " << y);
    const std::uint32_t y2 = g.pattern(std::max(0, static_cast<int>((x >> 23) & 0xFF) - 3),
                                       std::min(255, static_cast<int>((x >> 23) & 0xFF) + 3));
    if (sum2(x, y2) != ref_add(x, y2)) FAIL("sum2 " << std::hex << x << " + " << y2);
    if (fmul(x, y) != carrier_mul(x, y)) FAIL("fmul vs carrier " << std::hex << x << " * " << y);
    if (sum2(x, y2) != carrier_add(x, y2)) FAIL("sum2 vs carrier " << std::hex << x << " + " << y2);
    if (sum2(x, y) != carrier_add(x, y)) FAIL("sum2 vs carrier " << std::hex << x << " + " << y);
  }
  // Tiny products near the flush boundary.
  for (int i = 0; i < 1'000'000; ++i) {
    const std::uint32_t x = g.pattern(100, 127);
    const int ex = static_cast<int>((x >> 23) & 0xFF);
    const int ey = 127 - ex + static_cast<int>(g.rng() % 3);  // product in [2^-127, 2^-123)
    const std::uint32_t y = g.pattern(std::max(1, ey), std::max(1, ey));
    if (fmul(x, y) != ref_mul(x, y)) FAIL("fmul near 2^-126 " << std::hex << x << " * " << y);
    if (fmul(x, y) != carrier_mul(x, y)) FAIL("fmul near 2^-126 vs carrier " << std::hex << x << " * " << y);
  }
}

TEST_CASE("fmul edge cases", "[soft_float]") {
  // Tie: (1+2^-23) * 1.5 = 1.5 + 2^-23 + 2^-24, halfway; even is 1.5 + 2^-22.
  CHECK(fmul(0x3F800001u, 0x3FC00000u) == 0x3FC00002u);
  // Carry into the exponent: (2-2^-23)*(1+2^-23) = 2 + 2^-23 - 2^-46 -> 2.0.
  CHECK(fmul(0x3FFFFFFFu, 0x3F800001u) == 0x40000000u);
  // Rounded result reaches 2^-126 although the exact one is below: kept.
  // (1-2^-23) * 2^-126 (1+2^-23) = 2^-126 (1 - 2^-46).
  CHECK(fmul(0x3F7FFFFEu, 0x00800001u) == kMin);
  // Exactly representable below 2^-126: (1-2^-24) * 2^-126 -> flushed (IEEE
  // with subnormals would round it to 2^-126 on the subnormal grid).
  CHECK(fmul(0x3F7FFFFFu, kMin) == 0u);
  CHECK(fmul(0xBF7FFFFFu, kMin) == kNegZero);
  CHECK(fmul(kOne, kMin) == kMin);
  CHECK(fmul(b(0x1p-100f), b(-0x1p-100f)) == kNegZero);
  CHECK(fmul(b(0x1p-63f), b(0x1p-63f)) == kMin);
  CHECK(fmul(b(0x1p-63f), b(0x1p-64f)) == 0u);
  // Overflow: FLT_MAX*(1+2^-23) rounds above FLT_MAX -> inf; FLT_MAX*1 stays.
  CHECK(fmul(kMax, 0x3F800001u) == kInf);
  CHECK(fmul(kMax | 0x80000000u, 0x3F800001u) == kNegInf);
  CHECK(fmul(kMax, kOne) == kMax);
  CHECK(fmul(b(0x1p64f), b(0x1p64f)) == kInf);
  CHECK(fmul(b(0x1p64f), b(0x1p63f)) == b(0x1p127f));
  // Subnormal inputs read as signed zero.
  CHECK(fmul(0x00000001u, kOne) == 0u);
  CHECK(fmul(0x80400000u, kOne) == kNegZero);
  CHECK(fmul(0x007FFFFFu, b(0x1p100f)) == 0u);
  // Signed zeros.
  CHECK(fmul(kNegZero, b(5.0f)) == kNegZero);
  CHECK(fmul(b(-2.0f), 0u) == kNegZero);
  CHECK(fmul(kNegZero, kNegZero) == 0u);
  // inf and NaN.
  CHECK(fmul(kInf, 0u) == kNan);
  CHECK(fmul(kNegZero, kInf) == kNan);
  CHECK(fmul(kInf, 0x00000001u) == kNan);  // subnormal is zero
  CHECK(fmul(kInf, b(-2.0f)) == kNegInf);
  CHECK(fmul(kNegInf, kNegInf) == kInf);
  CHECK(fmul(0x7F800001u, kOne) == kNan);  // signalling NaN
  CHECK(fmul(0xFFC00123u, kInf) == kNan);  // payload and sign dropped
  CHECK(fmul(kOne, 0x7FFFFFFFu) == kNan);
  CHECK(fmul(0u, kNan) == kNan);
}

TEST_CASE("two-term row sum edge cases", "[soft_float]") {
  // Ties to even.
  CHECK(sum2(kOne, b(0x1p-24f)) == kOne);
  CHECK(sum2(0x3F800001u, b(0x1p-24f)) == 0x3F800002u);
  CHECK(sum2(kOne, 0x33800001u) == 0x3F800001u);  // just above the tie
  // Sticky bits far below the rounding position.
  CHECK(sum2(0x3F800001u, b(-0x1.000002p-24f)) == kOne);  // just below the tie
  CHECK(sum2(kOne, b(0x1p-60f)) == kOne);
  CHECK(sum2(kOne, b(-0x1p-60f)) == kOne);
  CHECK(sum2(b(0x1p-60f), kOne) == kOne);
  // Carry into the exponent: (2-2^-23) + 2^-24 -> 2.
  CHECK(sum2(0x3FFFFFFFu, b(0x1p-24f)) == 0x40000000u);
  // An exact zero sum is +0 whatever the operands' signs, -0 + -0 included.
  CHECK(sum2(b(3.5f), b(-3.5f)) == 0u);
  CHECK(sum2(b(-3.5f), b(3.5f)) == 0u);
  CHECK(sum2(0u, kNegZero) == 0u);
  CHECK(sum2(kNegZero, 0u) == 0u);
  CHECK(sum2(kNegZero, kNegZero) == 0u);
  CHECK(sum2(0u, 0u) == 0u);
  CHECK(sum2(kNegZero, b(-1.0f)) == b(-1.0f));
  // Tiny differences are flushed with the sign of the exact result.
  CHECK(sum2(kMin, b(-0x1.8p-126f)) == kNegZero);
  CHECK(sum2(b(0x1.8p-126f), b(-0x1p-126f)) == 0u);
  CHECK(sum2(0x00800001u, 0x80800000u) == 0u);
  CHECK(sum2(0x80800001u, 0x00800000u) == kNegZero);
  CHECK(sum2(b(0x1p-125f), b(-0x1p-126f)) == kMin);  // exactly 2^-126 survives
  // Subnormal inputs are zeros of their sign.
  CHECK(sum2(0x00000001u, kNegZero) == 0u);
  CHECK(sum2(0x80000001u, kNegZero) == 0u);
  CHECK(sum2(0x80000001u, b(2.0f)) == b(2.0f));
  CHECK(sum2(0x00400000u, 0x00400000u) == 0u);  // IEEE would give 2^-126
  // Overflow: FLT_MAX + half an ulp is a tie to the even 2^128 -> inf.
  CHECK(sum2(kMax, b(0x1p103f)) == kInf);
  CHECK(sum2(kMax, b(0x1p102f)) == kMax);
  CHECK(sum2(kMax | 0x80000000u, b(-0x1p103f)) == kNegInf);
  CHECK(sum2(kMax, kMax) == kInf);
  // inf and NaN.
  CHECK(sum2(kInf, kNegInf) == kNan);
  CHECK(sum2(kNegInf, kInf) == kNan);
  CHECK(sum2(kInf, kInf) == kInf);
  CHECK(sum2(kNegInf, b(1.0f)) == kNegInf);
  CHECK(sum2(b(1.0f), kInf) == kInf);
  CHECK(sum2(0xFFFFFFFFu, b(1.0f)) == kNan);
  CHECK(sum2(kInf, 0x7FA00000u) == kNan);
}

TEST_CASE("the row sum is the exact sum rounded once, in any order", "[soft_float]") {
  // Reference: terms with exponent fields in [E0, E0 + 60] are integers
  // sig * 2^(e - E0) times 2^(E0 - 150); their sum is exact in __int128, and
  // the int128 -> float conversion rounds once (RNE). With E0 = 100 every
  // nonzero result is normal ([2^-50, 2^41)), so the scaling is exact.
  constexpr int kE0 = 100;
  __extension__ typedef __int128 i128;
  Gen g;
  std::vector<std::uint32_t> terms;
  for (int it = 0; it < 20'000; ++it) {
    const int n = 1 + static_cast<int>(g.rng() % 64);
    const int span = 1 + static_cast<int>(g.rng() % 60);  // exponent spread
    terms.clear();
    i128 exact = 0;
    for (int i = 0; i < n; ++i) {
      std::uint32_t t = g.pattern(kE0, kE0 + span);
      // Now and then the negation of an earlier term: exact cancellation.
      if (i > 0 && g.rng() % 4 == 0) t = terms[g.rng() % terms.size()] ^ 0x80000000u;
      terms.push_back(t);
      const auto sig = static_cast<i128>((t & 0x7FFFFFu) | 0x800000u);
      const i128 v = sig << (((t >> 23) & 0xFFu) - kE0);
      exact += (t >> 31) ? -v : v;
    }
    const std::uint32_t want = exact == 0 ? 0u : b(std::ldexp(static_cast<float>(exact), kE0 - 150));
    ExactSum s;
    for (const std::uint32_t t : terms) s.add(t);
    if (s.result() != want) FAIL("row sum of " << n << " terms, span " << span);
    // Any order gives the same bits.
    std::shuffle(terms.begin(), terms.end(), g.rng);
    ExactSum s2;
    for (const std::uint32_t t : terms) s2.add(t);
    if (s2.result() != want) FAIL("row sum depends on the order");
  }
}

TEST_CASE("row sum edge cases", "[soft_float]") {
  auto sum = [](std::initializer_list<std::uint32_t> ts) {
    ExactSum s;
    for (const std::uint32_t t : ts) s.add(t);
    return s.result();
  };
  CHECK(sum({}) == 0u);
  CHECK(sum({kNegZero, kNegZero}) == 0u);
  // Rounded once: 2^24 + 1 + 1 = 2^24 + 2 (a sequential fadd gives 2^24).
  CHECK(sum({b(0x1p24f), kOne, kOne}) == b(0x1p24f + 2.0f));
  CHECK(sum({kOne, kOne, b(0x1p24f)}) == b(0x1p24f + 2.0f));
  // A tie decided by a term far below: 1 + 2^-24 + 2^-100 rounds up.
  CHECK(sum({kOne, b(0x1p-24f), b(0x1p-100f)}) == 0x3F800001u);
  CHECK(sum({kOne, b(0x1p-24f), b(-0x1p-100f)}) == kOne);
  // Huge cancellation leaves the small terms exactly.
  CHECK(sum({kMax, b(0x1p-120f), kMax | 0x80000000u}) == b(0x1p-120f));
  CHECK(sum({kMax, kMax, kMax | 0x80000000u}) == kMax);  // no intermediate overflow
  // Range of the result: FTZ keeps the sum's sign; overflow goes to inf.
  CHECK(sum({0x00800001u, 0x80800000u}) == 0u);         // 2^-149 flushes to +0
  CHECK(sum({0x80800001u, 0x00800000u}) == kNegZero);
  CHECK(sum({b(0x1p-125f), b(-0x1p-126f)}) == kMin);
  CHECK(sum({0x00400000u, 0x00400000u}) == 0u);         // subnormal terms are zero
  CHECK(sum({kMax, b(0x1p103f)}) == kInf);               // tie to even 2^128
  CHECK(sum({kMax, b(0x1p102f)}) == kMax);
  CHECK(sum({kMax, kMax, kMax, kMax}) == kInf);
  CHECK(sum({kMax | 0x80000000u, kMax | 0x80000000u}) == kNegInf);
  // Smallest and largest terms together (bits 127 .. 277 of the sum).
  CHECK(sum({kMin, kMax}) == kMax);
  CHECK(sum({kMin, kMin | 0x80000000u, kMin}) == kMin);
  // inf and NaN: any NaN, or both infinities, give the canonical NaN.
  CHECK(sum({kInf, b(-1.0f)}) == kInf);
  CHECK(sum({b(1.0f), kNegInf, kMax}) == kNegInf);
  CHECK(sum({kInf, kInf}) == kInf);
  CHECK(sum({kInf, b(2.0f), kNegInf}) == kNan);
  CHECK(sum({b(2.0f), 0xFFFFFFFFu}) == kNan);
  CHECK(sum({kInf, 0x7FA00000u}) == kNan);
  // Many terms: 2^20 copies of 1 + 2^-23 (the sum carries through chunks).
  ExactSum many;
  for (int i = 0; i < (1 << 20); ++i) many.add(0x3F800001u);
  CHECK(many.result() == b(0x1p20f + 0x1p-3f));
}

TEST_CASE("i2f rounds integers to nearest even", "[soft_float]") {
  CHECK(i2f(0) == 0u);
  CHECK(i2f(1) == kOne);
  CHECK(i2f(-1) == b(-1.0f));
  CHECK(i2f((1 << 24) + 1) == b(16777216.0f));    // tie -> even (down)
  CHECK(i2f((1 << 24) + 3) == b(16777220.0f));    // tie -> even (up)
  CHECK(i2f(-((1 << 24) + 3)) == b(-16777220.0f));
  CHECK(i2f((1 << 25) - 1) == b(33554432.0f));    // carry into the exponent
  CHECK(i2f(std::int64_t{1} << 39) == b(0x1p39f));
  CHECK(i2f(-(std::int64_t{1} << 33)) == b(-0x1p33f));
  CHECK(i2f(INT64_MIN) == b(-0x1p63f));
  CHECK(i2f(INT64_MAX) == b(0x1p63f));
  CHECK(i2f((std::int64_t{1} << 60) + (std::int64_t{1} << 36)) == b(0x1p60f));  // tie, even
  CHECK(i2f((std::int64_t{1} << 60) + (std::int64_t{1} << 36) + 1) == 0x5D800001u);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1'000'000; ++i) {
    const int shift = static_cast<int>(rng() % 64);
    const auto d = static_cast<std::int64_t>(rng()) >> shift;
    // Native int64 -> float conversion rounds to nearest even.
    if (i2f(d) != b(static_cast<float>(d))) FAIL("i2f " << d);
  }
}

TEST_CASE("bits_of and float_of are bit casts", "[soft_float]") {
  CHECK(bits_of(1.0f) == kOne);
  CHECK(bits_of(-0.0f) == kNegZero);
  CHECK(float_of(0x40490FDBu) == 3.14159274f);
  CHECK(bits_of(float_of(0x7FA00001u)) == 0x7FA00001u);  // NaN payload kept
}
