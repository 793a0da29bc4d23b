// Tests of the quantization spec grammar, the scale formats and the
// group-wise quantizer (docs/arithmetic.md).
#include "sim/model/quant.h"

#include "sim/model/error.h"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace llamaf::model;
using llamaf::Error;
using Catch::Matchers::Contains;

namespace {

std::uint32_t b(float f) { return std::bit_cast<std::uint32_t>(f); }
float f(std::uint32_t u) { return std::bit_cast<float>(u); }

const ScaleFormat kFormats[] = {ScaleFormat::Fp32, ScaleFormat::Fp16, ScaleFormat::Bf16};

}  // namespace

TEST_CASE("QuantSpec::parse accepts the grammar", "[quant]") {
  const QuantSpec a = QuantSpec::parse("w8a8g64");
  CHECK(a.weight_bits == 8);
  CHECK(a.act_bits == 8);
  CHECK(a.group_size == 64);
  CHECK(a.scale_format == ScaleFormat::Fp32);
  CHECK(a.str() == "w8a8g64:fp32");

  const QuantSpec c = QuantSpec::parse("w4a8g128:bf16");
  CHECK(c.weight_bits == 4);
  CHECK(c.group_size == 128);
  CHECK(c.scale_format == ScaleFormat::Bf16);
  CHECK(QuantSpec::parse("w8a8g256:fp32").str() == "w8a8g256:fp32");
  CHECK(QuantSpec::parse("w2a16g512:fp16").scale_format == ScaleFormat::Fp16);

  // Every supported combination round-trips through its canonical form.
  for (int w = 2; w <= 8; ++w)
    for (int a = 4; a <= 16; ++a)
      for (int g = 16; g <= 512; g *= 2)
        for (ScaleFormat fmt : kFormats) {
          QuantSpec s{w, a, g, fmt};
          REQUIRE_NOTHROW(s.validate());
          REQUIRE(QuantSpec::parse(s.str()) == s);
        }
}

TEST_CASE("QuantSpec::parse rejects bad specs with a precise message", "[quant]") {
  auto msg = [](const std::string& text) -> std::string {
    try {
      QuantSpec::parse(text);
    } catch (const Error& e) {
      return e.what();
    }
    return "<no error>";
  };
  CHECK_THAT(msg("w9a8g64"), Contains("'w9a8g64'") && Contains("weight bits 9") && Contains("2..8"));
  CHECK_THAT(msg("w1a8g64"), Contains("weight bits 1") && Contains("2..8"));
  CHECK_THAT(msg("w8a3g64"), Contains("activation bits 3") && Contains("4..16"));
  CHECK_THAT(msg("w8a17g64"), Contains("activation bits 17") && Contains("4..16"));
  CHECK_THAT(msg("w8a8g48"), Contains("group size 48") && Contains("power of two in 16..512"));
  CHECK_THAT(msg("w8a8g8"), Contains("group size 8"));
  CHECK_THAT(msg("w8a8g1024"), Contains("group size 1024"));
  CHECK_THAT(msg("w8a8g64:fp8"), Contains("scale format 'fp8'") && Contains("fp32, fp16, bf16"));
  CHECK_THAT(msg("w8a8g64:"), Contains("scale format ''"));
  CHECK_THAT(msg("w8a8g64:FP32"), Contains("scale format 'FP32'"));
  CHECK_THAT(msg(""), Contains("expected 'w'"));
  CHECK_THAT(msg("W8a8g64"), Contains("expected 'w'"));
  CHECK_THAT(msg("w8g64"), Contains("expected 'a'"));
  CHECK_THAT(msg("w8a8"), Contains("expected 'g'"));
  CHECK_THAT(msg("wa8g64"), Contains("weight bits missing"));
  CHECK_THAT(msg("w08a8g64"), Contains("leading zero"));
  CHECK_THAT(msg("w8a8g64x"), Contains("unexpected 'x'"));
  CHECK_THAT(msg("w8a8g64 "), Contains("unexpected ' '"));
  CHECK_THAT(msg(" w8a8g64"), Contains("expected 'w'"));
  CHECK_THAT(msg("w-8a8g64"), Contains("weight bits missing"));
  CHECK_THAT(msg("w99999999999a8g64"), Contains("weight bits 99999999999") && Contains("2..8"));
  CHECK_THAT(msg("w8a8g1000000000"), Contains("group size 1000000000") && Contains("16..512"));
}

TEST_CASE("QuantSpec::validate, check_cols, accumulator_bits", "[quant]") {
  CHECK_THROWS_AS((QuantSpec{9, 8, 64, ScaleFormat::Fp32}.validate()), Error);
  CHECK_THROWS_AS((QuantSpec{8, 8, 96, ScaleFormat::Fp32}.validate()), Error);
  CHECK_THROWS_AS((QuantSpec{8, 8, 64, static_cast<ScaleFormat>(7)}.validate()), Error);
  CHECK_THROWS_WITH((QuantSpec{8, 2, 64, ScaleFormat::Fp16}.validate()),
                    Contains("w8a2g64:fp16") && Contains("activation bits 2"));

  const QuantSpec s = QuantSpec::parse("w8a8g64");
  CHECK_NOTHROW(s.check_cols(2048, "layers.0.wq"));
  CHECK_THROWS_WITH(s.check_cols(100, "layers.0.wq"),
                    Contains("layers.0.wq") && Contains("100") && Contains("64"));
  CHECK_THROWS_AS(s.check_cols(0, "m"), Error);

  CHECK(QuantSpec::parse("w8a8g256").accumulator_bits() == 24);
  CHECK(QuantSpec::parse("w8a16g512").accumulator_bits() == 33);
  CHECK(QuantSpec::parse("w2a4g16").accumulator_bits() == 10);
  CHECK(QuantSpec::parse("w4a8g64").weight_qmax() == 7);
  CHECK(QuantSpec::parse("w4a16g64").act_qmax() == 32767);
  CHECK(scale_bits(ScaleFormat::Fp32) == 32);
  CHECK(scale_bits(ScaleFormat::Bf16) == 16);
  CHECK(std::string(scale_format_name(ScaleFormat::Fp16)) == "fp16");
}

TEST_CASE("encode_scale / decode_scale: fp32", "[quant]") {
  CHECK(encode_scale(1.5f, ScaleFormat::Fp32) == b(1.5f));
  CHECK(encode_scale(-0.0f, ScaleFormat::Fp32) == 0x80000000u);
  CHECK(encode_scale(0x1p-126f, ScaleFormat::Fp32) == 0x00800000u);
  CHECK(encode_scale(f(0x007FFFFFu), ScaleFormat::Fp32) == 0u);  // subnormal -> 0
  CHECK(encode_scale(f(0x807FFFFFu), ScaleFormat::Fp32) == 0x80000000u);
  CHECK(encode_scale(std::numeric_limits<float>::max(), ScaleFormat::Fp32) == 0x7F7FFFFFu);
  CHECK(encode_scale(std::numeric_limits<float>::infinity(), ScaleFormat::Fp32) == 0x7F800000u);
  CHECK(encode_scale(std::numeric_limits<float>::quiet_NaN(), ScaleFormat::Fp32) == 0x7FC00000u);
  CHECK(decode_scale(0x00000001u, ScaleFormat::Fp32) == 0.0f);
  CHECK(b(decode_scale(0x80000001u, ScaleFormat::Fp32)) == 0x80000000u);
  CHECK(decode_scale(b(3.25f), ScaleFormat::Fp32) == 3.25f);
}

TEST_CASE("encode_scale / decode_scale: fp16", "[quant]") {
  const auto F = ScaleFormat::Fp16;
  CHECK(encode_scale(1.0f, F) == 0x3C00u);
  CHECK(encode_scale(-2.0f, F) == 0xC000u);
  CHECK(encode_scale(65504.0f, F) == 0x7BFFu);
  CHECK(encode_scale(65519.0f, F) == 0x7BFFu);   // below the midpoint
  CHECK(encode_scale(65520.0f, F) == 0x7BFFu);   // tie rounds to 2^16: overflow saturates
  CHECK(encode_scale(1e6f, F) == 0x7BFFu);
  CHECK(encode_scale(-1e30f, F) == 0xFBFFu);
  CHECK(encode_scale(std::numeric_limits<float>::infinity(), F) == 0x7C00u);
  CHECK(encode_scale(-std::numeric_limits<float>::infinity(), F) == 0xFC00u);
  CHECK(encode_scale(std::numeric_limits<float>::quiet_NaN(), F) == 0x7E00u);
  CHECK(encode_scale(1.0f + 0x1p-11f, F) == 0x3C00u);      // tie, even
  CHECK(encode_scale(1.0f + 3 * 0x1p-11f, F) == 0x3C02u);  // tie, even (up)
  CHECK(encode_scale(1.0f + 0x1p-11f + 0x1p-20f, F) == 0x3C01u);
  CHECK(encode_scale(0x1p-14f, F) == 0x0400u);  // smallest normal
  CHECK(encode_scale(0x1p-15f, F) == 0u);       // would be subnormal
  CHECK(encode_scale(-0x1p-15f, F) == 0x8000u);
  // Just below 2^-14 but rounding (11 bits) up to it: kept.
  CHECK(encode_scale(0x1p-14f - 0x1p-26f, F) == 0x0400u);
  CHECK(encode_scale(0x1p-14f - 0x1p-25f, F) == 0u);
  CHECK(decode_scale(0x3C00u, F) == 1.0f);
  CHECK(decode_scale(0x7BFFu, F) == 65504.0f);
  CHECK(decode_scale(0x0400u, F) == 0x1p-14f);
  CHECK(decode_scale(0x0001u, F) == 0.0f);  // format subnormal reads as zero
  CHECK(b(decode_scale(0x83FFu, F)) == 0x80000000u);
  CHECK(b(decode_scale(0x7C00u, F)) == 0x7F800000u);
  CHECK(b(decode_scale(0xFC00u, F)) == 0xFF800000u);
  CHECK(std::isnan(decode_scale(0x7E00u, F)));
  CHECK(widen_scale_bits(0x7E01u, F) == 0x7FC02000u);

  // Exhaustive: every normal fp16 value decodes exactly and re-encodes to
  // itself; midpoints between neighbours round to the even one, and values
  // just off the midpoint round to the near one.
  for (std::uint32_t h = 0x0400u; h < 0x7BFFu; ++h) {
    const float lo = decode_scale(h, F);
    const float hi = decode_scale(h + 1, F);
    REQUIRE(encode_scale(lo, F) == h);
    const float mid = (lo + hi) / 2;  // exact in float32
    const std::uint32_t even = (h & 1u) ? h + 1 : h;
    REQUIRE(encode_scale(mid, F) == even);
    REQUIRE(encode_scale(std::nextafter(mid, 0.0f), F) == h);
    REQUIRE(encode_scale(std::nextafter(mid, std::numeric_limits<float>::infinity()), F) == h + 1);
    REQUIRE(encode_scale(-lo, F) == (h | 0x8000u));
  }
}

TEST_CASE("encode_scale / decode_scale: bf16", "[quant]") {
  const auto F = ScaleFormat::Bf16;
  CHECK(encode_scale(1.0f, F) == 0x3F80u);
  CHECK(encode_scale(1.0f + 0x1p-8f, F) == 0x3F80u);      // tie, even
  CHECK(encode_scale(1.0f + 3 * 0x1p-8f, F) == 0x3F82u);  // tie, even (up)
  CHECK(encode_scale(f(0x3F808001u), F) == 0x3F81u);
  CHECK(encode_scale(f(0x7F7F0000u), F) == 0x7F7Fu);
  CHECK(encode_scale(f(0x7F7F7FFFu), F) == 0x7F7Fu);
  CHECK(encode_scale(std::numeric_limits<float>::max(), F) == 0x7F7Fu);  // rounds to 2^128: saturates
  CHECK(encode_scale(-std::numeric_limits<float>::max(), F) == 0xFF7Fu);
  CHECK(encode_scale(0x1p-126f, F) == 0x0080u);
  CHECK(encode_scale(f(0x007FFFFFu), F) == 0x0080u);  // rounds up to 2^-126: kept
  CHECK(encode_scale(f(0x00400000u), F) == 0u);       // stays below: zero
  CHECK(encode_scale(std::numeric_limits<float>::infinity(), F) == 0x7F80u);
  CHECK(encode_scale(std::numeric_limits<float>::quiet_NaN(), F) == 0x7FC0u);
  CHECK(decode_scale(0x3F80u, F) == 1.0f);
  CHECK(decode_scale(0x0001u, F) == 0.0f);
  CHECK(b(decode_scale(0x8001u, F)) == 0x80000000u);
  CHECK(widen_scale_bits(0x7F7Fu, F) == 0x7F7F0000u);
  CHECK(widen_scale_bits(0x7F81u, F) == 0x7F810000u);  // NaN payload is irrelevant downstream

  for (std::uint32_t h = 0x0080u; h < 0x7F7Fu; ++h) {
    const float lo = decode_scale(h, F);
    const float hi = decode_scale(h + 1, F);
    REQUIRE(encode_scale(lo, F) == h);
    const float mid = f(b(lo) + 0x8000u);  // exact midpoint
    REQUIRE(mid > lo);
    REQUIRE(mid < hi);
    const std::uint32_t even = (h & 1u) ? h + 1 : h;
    REQUIRE(encode_scale(mid, F) == even);
    REQUIRE(encode_scale(std::nextafter(mid, 0.0f), F) == h);
    REQUIRE(encode_scale(std::nextafter(mid, std::numeric_limits<float>::infinity()), F) == h + 1);
  }
}

TEST_CASE("quantizer: hand-computed groups", "[quant]") {
  // w8: amax 127 -> scale 1 exactly, q = round half away from zero.
  std::vector<float> w(16, 0.0f);
  const float vals[] = {127.0f, -127.0f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 0.49999997f, 126.6f, -3.0f};
  std::copy(std::begin(vals), std::end(vals), w.begin());
  const QuantizedMatrix m = quantize_matrix(w, 1, 16, QuantSpec::parse("w8a8g16"), "hand");
  REQUIRE(m.scale_bits.size() == 1);
  CHECK(m.scale_bits[0] == b(1.0f));
  const std::int8_t want[] = {127, -127, 1, -1, 2, 3, -3, 0, 127, -3, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 16; ++i) CHECK(m.q[static_cast<std::size_t>(i)] == want[i]);

  // w4 (qmax 7), two groups: amax 14 -> scale 2; second group all zero ->
  // scale 0, q 0.
  std::vector<float> w4(32, 0.0f);
  w4[0] = 14.0f;
  w4[1] = 3.0f;    // 1.5 -> 2
  w4[2] = -5.0f;   // -2.5 -> -3
  w4[3] = -14.0f;  // -7
  w4[4] = 0.9f;    // 0.45 -> 0
  const QuantizedMatrix m4 = quantize_matrix(w4, 1, 32, QuantSpec::parse("w4a8g16:bf16"), "w4");
  CHECK(m4.scale_bits[0] == 0x4000u);  // bf16 2.0
  CHECK(m4.scale_bits[1] == 0u);
  CHECK(m4.scale(0, 0) == 2.0f);
  CHECK(m4.q[0] == 7);
  CHECK(m4.q[1] == 2);
  CHECK(m4.q[2] == -3);
  CHECK(m4.q[3] == -7);
  CHECK(m4.q[4] == 0);
  CHECK(dequantize(m4, 0, 2) == -6.0f);
  for (int i = 16; i < 32; ++i) CHECK(m4.q[static_cast<std::size_t>(i)] == 0);

  // w2 (qmax 1): amax 0.75 -> 0.75; 0.375 -> 0.5 -> 1.
  std::vector<float> w2(16, 0.0f);
  w2[0] = 0.75f;
  w2[1] = 0.375f;
  w2[2] = -0.37f;
  const QuantizedMatrix m2 = quantize_matrix(w2, 1, 16, QuantSpec::parse("w2a8g16"), "w2");
  CHECK(m2.scale(0, 0) == 0.75f);
  CHECK(m2.q[0] == 1);
  CHECK(m2.q[1] == 1);
  CHECK(m2.q[2] == 0);
}

TEST_CASE("quantizer: scale flush and saturation", "[quant]") {
  std::vector<float> w(16, 0.0f);
  // fp32: amax/127 subnormal -> scale 0 -> all q 0.
  w[0] = 1e-37f;
  w[1] = -5e-38f;
  QuantizedMatrix m = quantize_matrix(w, 1, 16, QuantSpec::parse("w8a8g16"), "tiny");
  CHECK(m.scale_bits[0] == 0u);
  CHECK(m.q[0] == 0);
  CHECK(m.q[1] == 0);
  // fp16: 127 * 2^-15 / 127 = 2^-15 is an fp16 subnormal -> 0.
  w[0] = 127 * 0x1p-15f;
  m = quantize_matrix(w, 1, 16, QuantSpec::parse("w8a8g16:fp16"), "tiny16");
  CHECK(m.scale_bits[0] == 0u);
  CHECK(m.q[0] == 0);
  // fp16 overflow: the scale saturates at 65504 and q clamps to +-qmax.
  w[0] = 127e5f;
  w[1] = -127e5f;
  w[2] = 65504.0f * 3;
  m = quantize_matrix(w, 1, 16, QuantSpec::parse("w8a8g16:fp16"), "big16");
  CHECK(m.scale_bits[0] == 0x7BFFu);
  CHECK(m.q[0] == 127);
  CHECK(m.q[1] == -127);
  CHECK(m.q[2] == 3);
  // Non-finite input is an error naming the matrix and position.
  w[5] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(quantize_matrix(w, 1, 16, QuantSpec::parse("w8a8g16"), "layers.3.w2"),
                    Contains("layers.3.w2") && Contains("col 5"));
  w[5] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(quantize_matrix(w, 1, 16, QuantSpec::parse("w8a8g16"), "x"), Error);
}

TEST_CASE("quantizer: random data, every bit width and scale format", "[quant]") {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 0.02f);
  const int rows = 7, cols = 256;
  std::vector<float> w(static_cast<std::size_t>(rows) * cols);
  for (float& v : w) v = nd(rng);
  for (int bits = 2; bits <= 8; ++bits) {
    for (ScaleFormat fmt : kFormats) {
      for (int g : {16, 64, 256}) {
        const QuantSpec spec{bits, 8, g, fmt};
        const QuantizedMatrix m = quantize_matrix(w, rows, cols, spec, "rand");
        REQUIRE(m.rows == rows);
        REQUIRE(m.cols == cols);
        REQUIRE(m.q.size() == w.size());
        REQUIRE(m.scale_bits.size() == static_cast<std::size_t>(rows * cols / g));
        const int qmax = spec.weight_qmax();
        for (int r = 0; r < rows; ++r) {
          for (int c = 0; c < cols; ++c) {
            const int q = m.q[static_cast<std::size_t>(r) * cols + c];
            REQUIRE(q >= -qmax);
            REQUIRE(q <= qmax);
            const float sd = m.scale(r, c / g);
            const float x = w[static_cast<std::size_t>(r) * cols + c];
            // Off by at most half a step, except where the clamp bites
            // (scale rounded down by the format).
            if (std::abs(q) < qmax) REQUIRE(std::fabs(x - dequantize(m, r, c)) <= 0.5001f * sd);
            else REQUIRE(std::fabs(x - dequantize(m, r, c)) <= 0.51f * sd + 1e-7f);
          }
        }
      }
    }
  }
}

TEST_CASE("quantize_row, make_quantized_matrix and bytes_packed", "[quant]") {
  const QuantSpec spec = QuantSpec::parse("w4a8g32:bf16");
  std::vector<float> w(3 * 64);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i));
  const QuantizedMatrix ref = quantize_matrix(w, 3, 64, spec, "ref");

  QuantizedMatrix a = make_quantized_matrix(3, 64, spec, "a");
  QuantizedMatrix bare;  // storage allocated by the first quantize_row
  bare.rows = 3;
  bare.cols = 64;
  bare.spec = spec;
  for (int r = 2; r >= 0; --r) {
    const std::span<const float> row(w.data() + r * 64, 64);
    quantize_row(row, a, r);
    quantize_row(row, bare, r);
  }
  CHECK(a.q == ref.q);
  CHECK(a.scale_bits == ref.scale_bits);
  CHECK(bare.q == ref.q);
  CHECK(bare.scale_bits == ref.scale_bits);

  CHECK(ref.bytes_packed() == 3 * 64 * 4 / 8 + 3 * 2 * 2);
  CHECK(QuantizedMatrix{5, 256, QuantSpec::parse("w8a8g64"), {}, {}}.bytes_packed() ==
        5 * 256 + 5 * 4 * 4);

  CHECK_THROWS_AS(quantize_row(std::span<const float>(w.data(), 63), a, 0), Error);
  CHECK_THROWS_AS(quantize_row(std::span<const float>(w.data(), 64), a, 3), Error);
  QuantizedMatrix wrong = a;
  wrong.q.resize(10);
  CHECK_THROWS_AS(quantize_row(std::span<const float>(w.data(), 64), wrong, 0), Error);
  CHECK_THROWS_WITH(make_quantized_matrix(3, 48, spec, "layers.0.w1"),
                    Contains("layers.0.w1") && Contains("48") && Contains("32"));
  CHECK_THROWS_AS(make_quantized_matrix(0, 64, spec, "m"), Error);
  CHECK_THROWS_WITH(quantize_matrix(std::span<const float>(w.data(), 10), 3, 64, spec, "m"),
                    Contains("10 values"));
}

TEST_CASE("quantize_activations", "[quant]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = -0.5f;
  x[2] = 63.5f;
  x[16] = -32767.0f;  // second group: 16-bit range, scale 1
  x[17] = 1.5f;
  QuantizedVector v = quantize_activations(x, QuantSpec::parse("w4a16g16:bf16"));
  CHECK(v.bits == 16);
  CHECK(v.group_size == 16);
  REQUIRE(v.scales.size() == 2);
  CHECK(v.scales[0] == 127.0f / 32767.0f);  // activation scales are float32 whatever the weight format
  CHECK(v.scales[1] == 1.0f);
  CHECK(v.q[16] == -32767);
  CHECK(v.q[17] == 2);
  CHECK(v.q[0] == 32767);

  v = quantize_activations(x, QuantSpec::parse("w8a8g16"));
  CHECK(v.bits == 8);
  CHECK(v.scales[0] == 1.0f);
  CHECK(v.q[0] == 127);
  CHECK(v.q[1] == -1);
  CHECK(v.q[2] == 64);
  CHECK(v.q[16] == -127);

  // The reusing overload gives the same result.
  QuantizedVector reuse;
  quantize_activations(x, QuantSpec::parse("w8a8g16"), reuse);
  CHECK(reuse.q == v.q);
  CHECK(reuse.scales == v.scales);

  CHECK_THROWS_WITH(quantize_activations(std::span<const float>(x.data(), 20), QuantSpec::parse("w8a8g16")),
                    Contains("activation vector") && Contains("20"));
  x[3] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(quantize_activations(x, QuantSpec::parse("w8a8g16")), Error);
}
