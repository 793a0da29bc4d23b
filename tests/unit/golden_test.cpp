// Tests of the golden accelerator arithmetic (docs/arithmetic.md, "Golden
// arithmetic"): known answers, extremes of every bit width, special values,
// and agreement with float arithmetic on random data.
#include "sim/model/golden.h"

#include "sim/model/error.h"
#include "sim/model/soft_float.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace llamaf::model;
using llamaf::Error;
using Catch::Matchers::Contains;

namespace {

std::uint32_t b(float f) { return std::bit_cast<std::uint32_t>(f); }

constexpr float kFltMax = std::numeric_limits<float>::max();
constexpr std::uint32_t kNan = 0x7FC00000u;

// A matrix with every weight `qw`, every weight scale bits `sw`.
QuantizedMatrix filled_matrix(int rows, int cols, const QuantSpec& spec, int qw, std::uint32_t sw) {
  QuantizedMatrix m = make_quantized_matrix(rows, cols, spec, "test");
  std::fill(m.q.begin(), m.q.end(), static_cast<std::int8_t>(qw));
  std::fill(m.scale_bits.begin(), m.scale_bits.end(), sw);
  return m;
}

QuantizedVector filled_vector(int cols, const QuantSpec& spec, int qx, float sx) {
  QuantizedVector v;
  v.bits = spec.act_bits;
  v.group_size = spec.group_size;
  v.q.assign(static_cast<std::size_t>(cols), static_cast<std::int16_t>(qx));
  v.scales.assign(static_cast<std::size_t>(cols / spec.group_size), sx);
  return v;
}

std::uint32_t golden_one(const QuantizedMatrix& m, const QuantizedVector& x, int row = 0) {
  std::vector<float> y(static_cast<std::size_t>(m.rows), -1.0f);
  golden_matvec(m, x, y);
  return b(y[static_cast<std::size_t>(row)]);
}

}  // namespace

TEST_CASE("golden: hand-computed row", "[golden]") {
  // w8a8g16, one row of 32: group 0 weights 1..16 against ones -> d = 136,
  // scales 0.5 * 0.25 -> 17; group 1 (-128)*(-128)*16 = 262144 at 2^-10 -> 256.
  const QuantSpec spec = QuantSpec::parse("w8a8g16");
  QuantizedMatrix m = make_quantized_matrix(1, 32, spec, "hand");
  QuantizedVector x = filled_vector(32, spec, 1, 0.25f);
  for (int i = 0; i < 16; ++i) m.q[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i + 1);
  for (int i = 16; i < 32; ++i) {
    m.q[static_cast<std::size_t>(i)] = -128;
    x.q[static_cast<std::size_t>(i)] = -128;
  }
  x.scales[1] = 1.0f;
  m.scale_bits = {b(0.5f), b(0x1p-10f)};
  CHECK(golden_group_dot(std::span(m.q).subspan(0, 16), std::span(x.q).subspan(0, 16)) == 136);
  CHECK(golden_group_dot(std::span(m.q).subspan(16, 16), std::span(x.q).subspan(16, 16)) == 262144);
  CHECK(golden_one(m, x) == b(273.0f));

  // Scale formats: bf16 0x3F00 = 0.5, fp16 0x3800 = 0.5.
  m.spec.scale_format = ScaleFormat::Bf16;
  m.scale_bits = {0x3F00u, 0x3A80u};  // 0.5, 2^-10
  CHECK(golden_one(m, x) == b(273.0f));
  m.spec.scale_format = ScaleFormat::Fp16;
  m.scale_bits = {0x3800u, 0x1400u};  // 0.5, 2^-10
  CHECK(golden_one(m, x) == b(273.0f));
}

TEST_CASE("golden: a row's group products are summed exactly and rounded once", "[golden]") {
  // p = 2^24, 1, 1 gives 2^24 + 2 in any order (a sequential binary32
  // accumulation would give 2^24 for this order: each +1 is a tie to even).
  const QuantSpec spec = QuantSpec::parse("w8a8g16");
  QuantizedMatrix m = make_quantized_matrix(1, 48, spec, "seq");
  QuantizedVector x = filled_vector(48, spec, 0, 1.0f);
  for (int g = 0; g < 3; ++g) {
    m.q[static_cast<std::size_t>(16 * g)] = 1;
    x.q[static_cast<std::size_t>(16 * g)] = 1;
  }
  m.scale_bits = {b(0x1p24f), b(1.0f), b(1.0f)};
  CHECK(golden_one(m, x) == b(0x1p24f + 2.0f));
  m.scale_bits = {b(1.0f), b(1.0f), b(0x1p24f)};
  CHECK(golden_one(m, x) == b(0x1p24f + 2.0f));
  // 2^24 + 1 - 2^24 = 1 exactly (sequentially: 0).
  m.scale_bits = {b(0x1p24f), b(1.0f), b(-0x1p24f)};
  CHECK(golden_one(m, x) == b(1.0f));

  // The scale product is rounded (and flushed) before meeting d:
  // 2^-100 * 2^-30 = 2^-130 flushes to 0 although d*sw*sx = 2^-112 is normal.
  m.scale_bits = {b(0x1p-100f), b(0.0f), b(0.0f)};
  x.scales[0] = 0x1p-30f;
  m.q[0] = 127;
  x.q[0] = 127;
  m.q[1] = 127;
  x.q[1] = 127;
  CHECK(golden_one(m, x) == 0u);
  // And i2f rounds d: (2^24 + 1) in one group (w8a16) -> 2^24.
  const QuantSpec s16 = QuantSpec::parse("w8a16g16");
  QuantizedMatrix m16 = make_quantized_matrix(1, 16, s16, "i2f");
  QuantizedVector x16 = filled_vector(16, s16, 0, 1.0f);
  m16.scale_bits = {b(1.0f)};
  // d = 4 * (-128) * (-32768) + 1 * 1 = 2^24 + 1.
  for (int i = 0; i < 4; ++i) {
    m16.q[static_cast<std::size_t>(i)] = -128;
    x16.q[static_cast<std::size_t>(i)] = -32768;
  }
  m16.q[4] = 1;
  x16.q[4] = 1;
  CHECK(golden_group_dot(m16.q, x16.q) == (1 << 24) + 1);
  CHECK(golden_one(m16, x16) == b(0x1p24f));
  x16.q[5] = 1;
  m16.q[5] = 2;  // d = 2^24 + 3 -> ties to 2^24 + 4
  CHECK(golden_one(m16, x16) == b(0x1p24f + 4.0f));
}

TEST_CASE("golden: extreme integers for every bit width and group", "[golden]") {
  for (int wb = 2; wb <= 8; ++wb) {
    for (int ab = 4; ab <= 16; ++ab) {
      for (int g = 16; g <= 512; g *= 2) {
        const QuantSpec spec{wb, ab, g, ScaleFormat::Fp32};
        const int wmin = -(1 << (wb - 1)), wmax = (1 << (wb - 1)) - 1;
        const int amin = -(1 << (ab - 1));
        const int cols = 2 * g;
        QuantizedMatrix m = filled_matrix(2, cols, spec, wmin, b(1.0f));
        std::fill(m.q.begin() + cols, m.q.end(), static_cast<std::int8_t>(wmax));
        const QuantizedVector x = filled_vector(cols, spec, amin, 1.0f);
        const std::int64_t most = std::int64_t{g} * wmin * amin;  // 2^(wb+ab+log2 g-2)
        REQUIRE(golden_group_dot(std::span(m.q).subspan(0, static_cast<std::size_t>(g)),
                                 std::span(x.q).subspan(0, static_cast<std::size_t>(g))) == most);
        REQUIRE(golden_group_dot(std::span(m.q).subspan(static_cast<std::size_t>(cols),
                                                        static_cast<std::size_t>(g)),
                                 std::span(x.q).subspan(0, static_cast<std::size_t>(g))) ==
                std::int64_t{g} * wmax * amin);
        std::vector<float> y(2);
        golden_matvec(m, x, y);
        // Two groups of a power of two: exact in float.
        REQUIRE(y[0] == static_cast<float>(2 * most));
        // Twice i2f(d): doubling is exact.
        REQUIRE(y[1] == 2.0f * hwfloat::float_of(hwfloat::i2f(std::int64_t{g} * wmax * amin)));
        REQUIRE(std::int64_t{1} << (spec.accumulator_bits() - 1) > most);
      }
    }
  }
}

TEST_CASE("golden: zero, huge, subnormal and NaN scales", "[golden]") {
  const QuantSpec spec = QuantSpec::parse("w8a8g16");
  // Zero weight scale with negative d: p = -0, acc = +0 + -0 = +0.
  QuantizedMatrix m = filled_matrix(1, 32, spec, 3, 0u);
  QuantizedVector x = filled_vector(32, spec, -5, 1.0f);
  CHECK(golden_one(m, x) == 0u);
  // Zero weights, negative scale: i2f(0) * negative = -0; still +0 overall.
  m = filled_matrix(1, 32, spec, 0, b(-2.0f));
  CHECK(golden_one(m, x) == 0u);
  // Subnormal scale reads as zero.
  m = filled_matrix(1, 32, spec, 3, 0x00000001u);
  CHECK(golden_one(m, x) == 0u);

  // Largest finite scales overflow: FLT_MAX * 2 -> inf per group.
  m = filled_matrix(1, 32, spec, 3, b(kFltMax));
  x = filled_vector(32, spec, 5, 2.0f);
  CHECK(golden_one(m, x) == 0x7F800000u);
  x = filled_vector(32, spec, -5, 2.0f);
  CHECK(golden_one(m, x) == 0xFF800000u);
  // FLT_MAX * 1 stays finite, but d * FLT_MAX overflows.
  x = filled_vector(32, spec, 5, 1.0f);
  CHECK(golden_one(m, x) == 0x7F800000u);
  // +inf from group 0 and -inf from group 1 -> NaN.
  x.q.assign(32, 5);
  std::fill(x.q.begin() + 16, x.q.end(), -5);
  x.scales = {2.0f, 2.0f};
  CHECK(golden_one(m, x) == kNan);
  // inf scale with d = 0: inf * 0 -> NaN.
  x = filled_vector(32, spec, 0, 2.0f);
  CHECK(golden_one(m, x) == kNan);
  // bf16 largest finite times a large activation scale.
  QuantizedMatrix mb = filled_matrix(1, 32, QuantSpec::parse("w8a8g16:bf16"), 1, 0x7F7Fu);
  CHECK(golden_one(mb, filled_vector(32, spec, 1, 0x1p10f)) == 0x7F800000u);
  // fp16 largest finite 65504 stays finite.
  QuantizedMatrix mh = filled_matrix(1, 32, QuantSpec::parse("w8a8g16:fp16"), 1, 0x7BFFu);
  CHECK(golden_one(mh, filled_vector(32, spec, 1, 1.0f)) == b(65504.0f * 32));
  // fp16 inf and NaN scales.
  mh.scale_bits = {0x7C00u, b(0.0f)};
  CHECK(golden_one(mh, filled_vector(32, spec, 1, 1.0f)) == 0x7F800000u);
  mh.scale_bits = {0x7E00u, 0x3C00u};
  CHECK(golden_one(mh, filled_vector(32, spec, 1, 1.0f)) == kNan);

  // NaN activation scale poisons the row whatever else happens.
  m = filled_matrix(1, 32, spec, 1, b(1.0f));
  x = filled_vector(32, spec, 1, 1.0f);
  x.scales[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK(golden_one(m, x) == kNan);
  x.scales[1] = std::bit_cast<float>(0xFFC00001u);
  CHECK(golden_one(m, x) == kNan);
}

namespace {

// The exact sum of nonzero-or-zero binary32 normals rounded once to binary32,
// built independently of hwfloat::ExactSum: the terms as integers aligned to
// the smallest one in __int128 (their exponents must span < 80 bits), then
// one correctly rounded int128 -> float conversion; the final scaling is
// exact while the result is normal.
float exact_sum_ref(const std::vector<float>& terms) {
  __extension__ typedef __int128 i128;
  int emin = std::numeric_limits<int>::max(), emax = std::numeric_limits<int>::min();
  for (const float t : terms) {
    if (t == 0.0f) continue;
    emin = std::min(emin, std::ilogb(t) - 23);
    emax = std::max(emax, std::ilogb(t) - 23);
  }
  if (emin == std::numeric_limits<int>::max()) return 0.0f;
  REQUIRE(emax - emin < 80);
  i128 sum = 0;
  for (const float t : terms) {
    if (t == 0.0f) continue;
    const int e = std::ilogb(t) - 23;
    const auto m = static_cast<i128>(std::ldexp(std::fabs(t), -e));  // 24-bit integer
    sum += (t < 0.0f ? -m : m) << (e - emin);
  }
  return sum == 0 ? 0.0f : std::ldexp(static_cast<float>(sum), emin);
}

}  // namespace

TEST_CASE("golden equals native float arithmetic when everything stays normal", "[golden]") {
  // Without subnormals or overflow the hardware rules coincide with IEEE
  // binary32, so the formula evaluated with native floats (group products)
  // and an exact sum rounded once is a reference.
  std::mt19937 rng(11);
  for (int wb = 2; wb <= 8; ++wb) {
    for (int ab : {4, 8, 12, 16}) {
      for (ScaleFormat fmt : {ScaleFormat::Fp32, ScaleFormat::Fp16, ScaleFormat::Bf16}) {
        const int g = 16 << (rng() % 6);
        const QuantSpec spec{wb, ab, g, fmt};
        const int rows = 5, cols = g * 3;
        QuantizedMatrix m = make_quantized_matrix(rows, cols, spec, "rand");
        std::uniform_int_distribution<int> wd(-(1 << (wb - 1)), (1 << (wb - 1)) - 1);
        std::uniform_int_distribution<int> ad(-(1 << (ab - 1)), (1 << (ab - 1)) - 1);
        std::uniform_real_distribution<float> sd(0.001f, 0.1f);
        for (auto& q : m.q) q = static_cast<std::int8_t>(wd(rng));
        for (auto& s : m.scale_bits) s = encode_scale(sd(rng), fmt);
        QuantizedVector x = filled_vector(cols, spec, 0, 1.0f);
        for (auto& q : x.q) q = static_cast<std::int16_t>(ad(rng));
        for (auto& s : x.scales) s = sd(rng);
        std::vector<float> y(rows);
        golden_matvec(m, x, y);
        for (int r = 0; r < rows; ++r) {
          std::vector<float> products;
          for (int gi = 0; gi < cols / g; ++gi) {
            std::int64_t d = 0;
            for (int i = 0; i < g; ++i)
              d += m.q[static_cast<std::size_t>(r * cols + gi * g + i)] *
                   x.q[static_cast<std::size_t>(gi * g + i)];
            const float s = m.scale(r, gi) * x.scales[static_cast<std::size_t>(gi)];
            products.push_back(static_cast<float>(d) * s);
          }
          REQUIRE(b(y[static_cast<std::size_t>(r)]) == b(exact_sum_ref(products)));
        }
      }
    }
  }
}

TEST_CASE("golden is close to the float product of the dequantized operands", "[golden]") {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int rows = 16, cols = 1024;
  std::vector<float> w(static_cast<std::size_t>(rows) * cols), xf(cols);
  for (float& v : w) v = 0.05f * nd(rng);
  for (float& v : xf) v = nd(rng);
  for (const char* text : {"w8a8g64", "w4a8g128:bf16", "w2a4g16:fp16", "w8a16g512", "w3a12g256:fp16"}) {
    const QuantSpec spec = QuantSpec::parse(text);
    const QuantizedMatrix m = quantize_matrix(w, rows, cols, spec, "w");
    const QuantizedVector x = quantize_activations(xf, spec);
    std::vector<float> y(rows);
    golden_matvec(m, x, y);
    for (int r = 0; r < rows; ++r) {
      double ref = 0.0, mag = 0.0, full = 0.0;
      for (int c = 0; c < cols; ++c) {
        const double t = static_cast<double>(dequantize(m, r, c)) *
                         x.q[static_cast<std::size_t>(c)] * x.scales[static_cast<std::size_t>(c / spec.group_size)];
        ref += t;
        mag += std::fabs(t);
        full += static_cast<double>(w[static_cast<std::size_t>(r) * cols + c]) * xf[static_cast<std::size_t>(c)];
      }
      // Float rounding only: i2f and two fmul per group, each at most 2^-24
      // relative to a term no larger than mag, and the row sum's one rounding.
      INFO(text << " row " << r);
      const double groups = cols / spec.group_size;
      REQUIRE(std::fabs(y[static_cast<std::size_t>(r)] - ref) <= (groups + 4) * 0x1p-24 * mag);
      // And, coarser, the quantized product tracks the unquantized one.
      if (spec.weight_bits == 8 && spec.act_bits >= 8)
        REQUIRE(std::fabs(y[static_cast<std::size_t>(r)] - full) <= 0.02 * mag);
    }
  }
}

TEST_CASE("golden: row ranges and group dot", "[golden]") {
  const QuantSpec spec = QuantSpec::parse("w4a8g32");
  std::mt19937 rng(2);
  std::vector<float> w(8 * 64), xf(64);
  std::normal_distribution<float> nd;
  for (float& v : w) v = nd(rng);
  for (float& v : xf) v = nd(rng);
  const QuantizedMatrix m = quantize_matrix(w, 8, 64, spec, "w");
  const QuantizedVector x = quantize_activations(xf, spec);
  std::vector<float> all(8), part(8, 42.0f);
  golden_matvec(m, x, all);
  golden_matvec(m, x, part, 2, 5);
  for (int r = 0; r < 8; ++r) {
    if (r >= 2 && r < 5) CHECK(b(part[static_cast<std::size_t>(r)]) == b(all[static_cast<std::size_t>(r)]));
    else CHECK(part[static_cast<std::size_t>(r)] == 42.0f);
  }
  golden_matvec(m, x, std::span(part).subspan(0, 3), 0, 3);  // y needs only row_end entries
  golden_matvec(m, x, part, 8, 8);                           // empty range

  std::vector<std::int8_t> qw(1000);
  std::vector<std::int16_t> qx(1000);
  std::uniform_int_distribution<int> d8(-128, 127), d16(-32768, 32767);
  for (int n : {0, 1, 16, 255, 256, 257, 512, 1000}) {
    std::int64_t ref = 0;
    for (int i = 0; i < n; ++i) {
      qw[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(d8(rng));
      qx[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(d16(rng));
      ref += std::int64_t{qw[static_cast<std::size_t>(i)]} * qx[static_cast<std::size_t>(i)];
    }
    CHECK(golden_group_dot(std::span(qw).subspan(0, static_cast<std::size_t>(n)),
                           std::span(qx).subspan(0, static_cast<std::size_t>(n))) == ref);
  }
  std::fill(qw.begin(), qw.end(), std::int8_t{-128});
  std::fill(qx.begin(), qx.end(), std::int16_t{-32768});
  CHECK(golden_group_dot(qw, qx) == 1000LL * 128 * 32768);
  CHECK_THROWS_AS(golden_group_dot(std::span(qw).subspan(0, 3), std::span(qx).subspan(0, 4)), Error);
}

TEST_CASE("golden rejects operands that do not match", "[golden]") {
  const QuantSpec spec = QuantSpec::parse("w8a8g16");
  const QuantizedMatrix m = filled_matrix(4, 32, spec, 1, b(1.0f));
  const QuantizedVector x = filled_vector(32, spec, 1, 1.0f);
  std::vector<float> y(4);
  REQUIRE_NOTHROW(golden_matvec(m, x, y));

  QuantizedVector bad = x;
  bad.bits = 16;
  CHECK_THROWS_WITH(golden_matvec(m, bad, y), Contains("16 bits"));
  bad = x;
  bad.group_size = 32;
  CHECK_THROWS_AS(golden_matvec(m, bad, y), Error);
  bad = x;
  bad.q.resize(48);
  bad.scales.resize(3);
  CHECK_THROWS_AS(golden_matvec(m, bad, y), Error);
  bad = x;
  bad.scales.resize(1);
  CHECK_THROWS_AS(golden_matvec(m, bad, y), Error);
  bad = x;
  bad.q[7] = 128;  // outside 8 bits
  CHECK_THROWS_WITH(golden_matvec(m, bad, y), Contains("activation 7"));

  std::vector<float> short_y(3);
  CHECK_THROWS_AS(golden_matvec(m, x, short_y), Error);
  CHECK_THROWS_AS(golden_matvec(m, x, y, 3, 2), Error);
  CHECK_THROWS_AS(golden_matvec(m, x, y, 0, 5), Error);
  CHECK_THROWS_AS(golden_matvec(m, x, y, -1, 2), Error);

  QuantizedMatrix badm = m;
  badm.spec.weight_bits = 9;
  CHECK_THROWS_WITH(golden_matvec(badm, x, y), Contains("weight bits 9"));
  badm = m;
  badm.scale_bits.pop_back();
  CHECK_THROWS_AS(golden_matvec(badm, x, y), Error);
  badm = m;
  badm.cols = 40;
  CHECK_THROWS_AS(golden_matvec(badm, x, y), Error);
}
