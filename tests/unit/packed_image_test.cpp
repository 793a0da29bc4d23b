// Tests of the packed DRAM images (docs/arithmetic.md, "Packed DRAM image"):
// hand-computed images byte by byte, and pack/unpack round trips over every
// weight width, scale format, port count and AXI width.
#include "sim/model/packed_image.h"

#include "sim/model/error.h"

#include <catch2/catch.hpp>

#include <bit>
#include <random>
#include <vector>

using namespace llamaf::model;
using llamaf::Error;
using Catch::Matchers::Contains;

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t b(float f) { return std::bit_cast<std::uint32_t>(f); }

QuantizedMatrix random_matrix(int rows, int cols, const QuantSpec& spec, std::mt19937& rng) {
  QuantizedMatrix m = make_quantized_matrix(rows, cols, spec, "random");
  const int lo = -(1 << (spec.weight_bits - 1)), hi = (1 << (spec.weight_bits - 1)) - 1;
  std::uniform_int_distribution<int> qd(lo, hi);
  for (auto& q : m.q) q = static_cast<std::int8_t>(qd(rng));
  // Extremes present in every matrix.
  m.q.front() = static_cast<std::int8_t>(lo);
  m.q.back() = static_cast<std::int8_t>(hi);
  const std::uint32_t mask = scale_bits(spec.scale_format) == 32 ? 0xFFFFFFFFu : 0xFFFFu;
  for (auto& s : m.scale_bits) s = static_cast<std::uint32_t>(rng()) & mask;
  return m;
}

}  // namespace

TEST_CASE("weight image: hand-computed, 2 ports of 32 bits, w4 fp16", "[packed_image]") {
  // BUS = 64 bits; 2 groups of 16 -> 32 scale bits -> 1 scale word; 16
  // weights per word -> 2 weight words; 3 words per row; 2 rows.
  const QuantSpec spec = QuantSpec::parse("w4a8g16:fp16");
  const BusGeometry bus{32, 2};
  QuantizedMatrix m = make_quantized_matrix(2, 32, spec, "kat");
  m.scale_bits = {0x3C00u, 0xC000u, 0x7BFFu, 0x0400u};
  for (int i = 0; i < 32; ++i) {
    m.q[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i % 16 - 8);
    m.q[static_cast<std::size_t>(32 + i)] = -1;
  }
  const WeightImageLayout l = weight_image_layout(2, 32, spec, bus);
  CHECK(l.weights_per_word == 16);
  CHECK(l.scale_words == 1);
  CHECK(l.weight_words == 2);
  CHECK(l.row_words() == 3);
  CHECK(l.port_bytes == 24);
  CHECK(l.total_bytes == 48);

  // Row 0 weights: nibbles (i - 8) & 15 = 8, 9, ..., F, 0, ..., 7 from bit 0,
  // i.e. the 64-bit word 0x76543210FEDCBA98: port 0 gets the low half.
  const Bytes want = {
      // port 0 region: words j = 0..5, low 32 bits of each bus word
      0x00, 0x3C, 0x00, 0xC0,  // row 0 scales: 0xC000'3C00
      0x98, 0xBA, 0xDC, 0xFE,  // row 0 q[0..7]
      0x98, 0xBA, 0xDC, 0xFE,  // row 0 q[16..23]
      0xFF, 0x7B, 0x00, 0x04,  // row 1 scales: 0x0400'7BFF
      0xFF, 0xFF, 0xFF, 0xFF,  // row 1 q = -1
      0xFF, 0xFF, 0xFF, 0xFF,
      // port 1 region: high 32 bits
      0x00, 0x00, 0x00, 0x00,  // row 0 scales: unused, zero
      0x10, 0x32, 0x54, 0x76,  // row 0 q[8..15]
      0x10, 0x32, 0x54, 0x76,  // row 0 q[24..31]
      0x00, 0x00, 0x00, 0x00,
      0xFF, 0xFF, 0xFF, 0xFF,
      0xFF, 0xFF, 0xFF, 0xFF,
  };
  CHECK(pack_weight_image(m, bus) == want);
  const QuantizedMatrix back = unpack_weight_image(want, 2, 32, spec, bus);
  CHECK(back.q == m.q);
  CHECK(back.scale_bits == m.scale_bits);
}

TEST_CASE("weight image: hand-computed, w3 with unused bits and a port-straddling weight",
          "[packed_image]") {
  // One 64-bit port: 21 three-bit weights per word (bit 63 unused), 32
  // columns -> 2 weight words (21 + 11); two fp32 scales fill one word.
  const QuantSpec spec = QuantSpec::parse("w3a8g16:fp32");
  QuantizedMatrix m = make_quantized_matrix(1, 32, spec, "w3");
  m.scale_bits = {b(1.0f), b(-0.5f)};
  std::fill(m.q.begin(), m.q.end(), std::int8_t{-1});
  const Bytes want = {
      0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xBF,  // scales 1.0f, -0.5f
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,  // q[0..20]: 63 ones
      0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00,  // q[21..31]: 33 ones
  };
  CHECK(pack_weight_image(m, BusGeometry{64, 1}) == want);

  // Two 64-bit ports: BUS = 128, 42 weights per word; q[21] = -3 = 0b101
  // sits at bus bits 63..65: bit 63 in port 0, bit 65 in port 1.
  std::fill(m.q.begin(), m.q.end(), std::int8_t{0});
  m.q[21] = -3;
  m.scale_bits = {0u, 0u};
  const BusGeometry two{64, 2};
  const WeightImageLayout l = weight_image_layout(1, 32, spec, two);
  CHECK(l.weights_per_word == 42);
  CHECK(l.scale_words == 1);
  CHECK(l.weight_words == 1);
  CHECK(l.total_bytes == 32);
  Bytes want2(32, 0);
  want2[8 + 7] = 0x80;   // port 0, word 1, byte 7, bit 7 = bus bit 63
  want2[16 + 8] = 0x02;  // port 1 region starts at 16; word 1, bit 1 = bus bit 65
  CHECK(pack_weight_image(m, two) == want2);
  CHECK(unpack_weight_image(want2, 1, 32, spec, two).q == m.q);
}

TEST_CASE("weight image round trip: all widths, formats, ports, AXI widths", "[packed_image]") {
  std::mt19937 rng(17);
  for (int wb = 2; wb <= 8; ++wb) {
    for (ScaleFormat fmt : {ScaleFormat::Fp32, ScaleFormat::Fp16, ScaleFormat::Bf16}) {
      for (int ports = 1; ports <= 4; ++ports) {
        for (int axi : {64, 128, 256, 512}) {
          const int g = 16 << (rng() % 4);
          const QuantSpec spec{wb, 8, g, fmt};
          const BusGeometry bus{axi, ports};
          const int rows = 1 + 2 * static_cast<int>(rng() % 3);  // odd: 1, 3, 5
          const int cols = g * (1 + static_cast<int>(rng() % 5));
          const QuantizedMatrix m = random_matrix(rows, cols, spec, rng);
          const WeightImageLayout l = weight_image_layout(rows, cols, spec, bus);
          const int bus_bits = axi * ports;
          const int sb = scale_bits(fmt);
          INFO("w" << wb << " " << scale_format_name(fmt) << " ports " << ports << " axi " << axi
                   << " rows " << rows << " cols " << cols << " g " << g);
          REQUIRE(l.weights_per_word == bus_bits / wb);
          REQUIRE(l.scale_words == (cols / g * sb + bus_bits - 1) / bus_bits);
          REQUIRE(l.weight_words == (cols + l.weights_per_word - 1) / l.weights_per_word);
          REQUIRE(l.port_bytes == std::int64_t{rows} * l.row_words() * axi / 8);
          REQUIRE(l.total_bytes == l.port_bytes * ports);
          const Bytes img = pack_weight_image(m, bus);
          REQUIRE(static_cast<std::int64_t>(img.size()) == l.total_bytes);
          const QuantizedMatrix back = unpack_weight_image(img, rows, cols, spec, bus);
          REQUIRE(back.q == m.q);
          REQUIRE(back.scale_bits == m.scale_bits);
          REQUIRE(back.spec == spec);
        }
      }
    }
  }
}

TEST_CASE("weight image: each port region is the matching slice of every bus word",
          "[packed_image]") {
  // Rebuild the bus words from the port regions and compare with a one-port
  // image of the same bus width (which stores bus words whole).
  std::mt19937 rng(4);
  const QuantSpec spec = QuantSpec::parse("w5a8g32:bf16");
  const QuantizedMatrix m = random_matrix(3, 96, spec, rng);
  const Bytes whole = pack_weight_image(m, BusGeometry{512, 1});
  const Bytes split = pack_weight_image(m, BusGeometry{128, 4});
  REQUIRE(whole.size() == split.size());
  const std::size_t words = whole.size() / 64, region = whole.size() / 4;
  for (std::size_t j = 0; j < words; ++j)
    for (std::size_t p = 0; p < 4; ++p)
      for (std::size_t k = 0; k < 16; ++k)
        REQUIRE(split[p * region + j * 16 + k] == whole[j * 64 + p * 16 + k]);
}

TEST_CASE("weight image: interleaved layout, hand-computed offsets", "[packed_image]") {
  // 3 ports of 128 bits, chunks of 64 bytes (4 AXI words): port p's word j
  // lies in chunk (j / 4) * 3 + p at word j % 4.
  const QuantSpec spec = QuantSpec::parse("w8a8g16:fp32");
  const BusGeometry bus{128, 3, 64};
  // 384-bit bus: 48 weights and 12 scales per word; cols 32 -> 1 scale word
  // + 1 weight word per row; 5 rows -> 10 words per port (chunks 0..2, the
  // last holding 2 words).
  const WeightImageLayout l = weight_image_layout(5, 32, spec, bus);
  REQUIRE(l.row_words() == 2);
  CHECK(l.port_bytes == 160);
  CHECK(l.word_offset(0, 0) == 0);
  CHECK(l.word_offset(1, 0) == 64);
  CHECK(l.word_offset(2, 3) == 128 + 48);
  CHECK(l.word_offset(0, 4) == 192);      // chunk 3
  CHECK(l.word_offset(1, 5) == 256 + 16);  // chunk 4, word 1
  CHECK(l.word_offset(2, 9) == 8 * 64 + 16);  // chunk 8, word 1: the last word
  CHECK(l.total_bytes == 8 * 64 + 32);     // ends with port 2's partial chunk
  CHECK(l.bytes_read() == 480);
  // The regions layout of the same matrix, for comparison.
  const WeightImageLayout r = weight_image_layout(5, 32, spec, BusGeometry{128, 3});
  CHECK(r.word_offset(2, 3) == 2 * 160 + 48);
  CHECK(r.total_bytes == 480);
}

TEST_CASE("weight image: interleaved and regions hold the same AXI words", "[packed_image]") {
  // Every port's AXI word j is the same 16 bytes in both layouts, only
  // elsewhere; the interleave's gaps are zero; and each round trips.
  std::mt19937 rng(9);
  for (int ports = 1; ports <= 6; ++ports) {
    for (const std::int64_t chunk : {16, 64, 256, 4096}) {
      const QuantSpec spec = QuantSpec::parse("w4a8g32:fp16");
      const int rows = 1 + static_cast<int>(rng() % 40);
      const QuantizedMatrix m = random_matrix(rows, 32 * (1 + static_cast<int>(rng() % 6)), spec, rng);
      INFO("ports " << ports << " chunk " << chunk << " rows " << rows << " cols " << m.cols);
      const BusGeometry reg{128, ports}, il{128, ports, chunk};
      const Bytes a = pack_weight_image(m, reg), b = pack_weight_image(m, il);
      const WeightImageLayout la = weight_image_layout(m.rows, m.cols, spec, reg);
      const WeightImageLayout lb = weight_image_layout(m.rows, m.cols, spec, il);
      REQUIRE(static_cast<std::int64_t>(b.size()) == lb.total_bytes);
      REQUIRE(lb.bytes_read() == la.bytes_read());
      std::vector<bool> used(b.size(), false);
      for (int p = 0; p < ports; ++p)
        for (std::int64_t j = 0; j < la.port_bytes / 16; ++j) {
          const auto oa = static_cast<std::size_t>(la.word_offset(p, j));
          const auto ob = static_cast<std::size_t>(lb.word_offset(p, j));
          REQUIRE(ob % static_cast<std::size_t>(chunk) + 16 <= static_cast<std::size_t>(chunk));
          for (std::size_t k = 0; k < 16; ++k) {
            REQUIRE(b[ob + k] == a[oa + k]);
            REQUIRE_FALSE(used[ob + k]);
            used[ob + k] = true;
          }
        }
      for (std::size_t i = 0; i < b.size(); ++i)
        if (!used[i]) REQUIRE(b[i] == 0);
      const QuantizedMatrix back = unpack_weight_image(b, m.rows, m.cols, spec, il);
      REQUIRE(back.q == m.q);
      REQUIRE(back.scale_bits == m.scale_bits);
    }
  }
  CHECK_THROWS_WITH(weight_image_layout(1, 32, QuantSpec::parse("w4a8g32"), BusGeometry{128, 2, 8}),
                    Contains("chunk_bytes 8"));
  CHECK_THROWS_WITH(weight_image_layout(1, 32, QuantSpec::parse("w4a8g32"), BusGeometry{128, 2, 96}),
                    Contains("chunk_bytes 96"));
}

TEST_CASE("weight image: errors", "[packed_image]") {
  const QuantSpec spec = QuantSpec::parse("w4a8g16");
  QuantizedMatrix m = make_quantized_matrix(1, 16, spec, "m");
  CHECK_NOTHROW(pack_weight_image(m, BusGeometry{128, 1}));
  CHECK_THROWS_WITH(pack_weight_image(m, BusGeometry{96, 1}), Contains("axi_data_bits 96"));
  CHECK_THROWS_AS(pack_weight_image(m, BusGeometry{2048, 1}), Error);
  CHECK_THROWS_WITH(pack_weight_image(m, BusGeometry{128, 0}), Contains("weight_ports 0"));
  CHECK_THROWS_AS(pack_weight_image(m, BusGeometry{128, 9}), Error);
  m.q[3] = 8;  // outside 4 bits
  CHECK_THROWS_WITH(pack_weight_image(m, BusGeometry{128, 1}), Contains("col 3"));
  m.q[3] = 0;
  QuantizedMatrix h = make_quantized_matrix(1, 16, QuantSpec::parse("w4a8g16:bf16"), "h");
  h.scale_bits[0] = 0x10000u;  // wider than 16 bits
  CHECK_THROWS_AS(pack_weight_image(h, BusGeometry{128, 1}), Error);
  m.scale_bits.clear();
  CHECK_THROWS_AS(pack_weight_image(m, BusGeometry{128, 1}), Error);

  const QuantizedMatrix ok = make_quantized_matrix(1, 16, spec, "ok");
  Bytes img = pack_weight_image(ok, BusGeometry{128, 1});  // 2 words: scale, 16 weights
  CHECK_THROWS_AS(unpack_weight_image(Bytes(img.begin(), img.end() - 1), 1, 16, spec, BusGeometry{128, 1}),
                  Error);
  img[16 + 9] = 0x01;  // a bit beyond the 16 weights (64 bits) of the weight word
  CHECK_THROWS_WITH(unpack_weight_image(img, 1, 16, spec, BusGeometry{128, 1}), Contains("padding"));
  CHECK_THROWS_AS(weight_image_layout(1, 24, spec, BusGeometry{128, 1}), Error);
  CHECK_THROWS_AS(weight_image_layout(0, 16, spec, BusGeometry{128, 1}), Error);
}

TEST_CASE("activation image: hand-computed", "[packed_image]") {
  // a8: 32 one-byte containers (4 words of 8 bytes), then 2 scales in the
  // next word: 40 bytes.
  QuantSpec spec = QuantSpec::parse("w4a8g16");
  QuantizedVector x;
  x.bits = 8;
  x.group_size = 16;
  for (int i = 0; i < 32; ++i) x.q.push_back(static_cast<std::int16_t>(i - 16));
  x.q[0] = -128;
  x.q[31] = 127;
  x.scales = {1.0f, -2.0f};
  const BusGeometry bus{64, 2};  // only port 0 carries activations
  CHECK(activation_image_bytes(32, spec, bus) == 40);
  Bytes want;
  for (int i = 0; i < 32; ++i) want.push_back(static_cast<std::uint8_t>(x.q[static_cast<std::size_t>(i)] & 0xFF));
  CHECK(want[0] == 0x80);
  CHECK(want[1] == 0xF1);
  for (std::uint8_t v : {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0}) want.push_back(v);
  CHECK(pack_activation_image(x, bus) == want);

  // a12: 16-bit containers, sign-extended; 16 x 2 = 32 bytes = 2 words of
  // 16 bytes; one scale padded to a whole word: 48 bytes.
  spec = QuantSpec::parse("w4a12g16");
  QuantizedVector y;
  y.bits = 12;
  y.group_size = 16;
  y.q.assign(16, 0);
  y.q[0] = -2048;
  y.q[1] = 2047;
  y.q[15] = -1;
  y.scales = {0.5f};
  CHECK(activation_image_bytes(16, spec, BusGeometry{128, 1}) == 48);
  Bytes want12(48, 0);
  want12[0] = 0x00;
  want12[1] = 0xF8;
  want12[2] = 0xFF;
  want12[3] = 0x07;
  want12[30] = 0xFF;
  want12[31] = 0xFF;
  want12[32 + 2] = 0x00;
  want12[32 + 3] = 0x3F;  // 0.5f = 0x3F000000
  CHECK(pack_activation_image(y, BusGeometry{128, 1}) == want12);
  const QuantizedVector back = unpack_activation_image(want12, 16, spec, BusGeometry{128, 1});
  CHECK(back.q == y.q);
  CHECK(back.scales == y.scales);
  CHECK(back.bits == 12);
}

TEST_CASE("activation image round trip: all activation widths and AXI widths", "[packed_image]") {
  std::mt19937 rng(9);
  for (int ab = 4; ab <= 16; ++ab) {
    for (int axi : {32, 64, 128, 256, 512, 1024}) {
      const int g = 16 << (rng() % 5);
      const QuantSpec spec{4, ab, g, ScaleFormat::Fp32};
      const int cols = g * (1 + static_cast<int>(rng() % 7));
      QuantizedVector x;
      x.bits = ab;
      x.group_size = g;
      std::uniform_int_distribution<int> qd(-(1 << (ab - 1)), (1 << (ab - 1)) - 1);
      for (int i = 0; i < cols; ++i) x.q.push_back(static_cast<std::int16_t>(qd(rng)));
      x.q[0] = static_cast<std::int16_t>(-(1 << (ab - 1)));
      std::uniform_real_distribution<float> sd(0.0f, 1.0f);
      for (int i = 0; i < cols / g; ++i) x.scales.push_back(sd(rng));
      const BusGeometry bus{axi, 1};
      const Bytes img = pack_activation_image(x, bus);
      INFO("a" << ab << " axi " << axi << " cols " << cols);
      const std::int64_t a = axi / 8;
      const std::int64_t cb = ab <= 8 ? 1 : 2;
      const std::int64_t x_bytes = (cols * cb + a - 1) / a * a;
      REQUIRE(static_cast<std::int64_t>(img.size()) == activation_image_bytes(cols, spec, bus));
      REQUIRE(static_cast<std::int64_t>(img.size()) == x_bytes + (cols / g * 4 + a - 1) / a * a);
      for (std::int64_t i = cols * cb; i < x_bytes; ++i) REQUIRE(img[static_cast<std::size_t>(i)] == 0);
      const QuantizedVector back = unpack_activation_image(img, cols, spec, bus);
      REQUIRE(back.q == x.q);
      REQUIRE(back.scales == x.scales);
    }
  }
}

TEST_CASE("activation image: errors", "[packed_image]") {
  QuantizedVector x;
  x.bits = 8;
  x.group_size = 16;
  x.q.assign(16, 0);
  x.scales = {1.0f};
  CHECK_NOTHROW(pack_activation_image(x, BusGeometry{128, 1}));
  x.q[5] = 128;
  CHECK_THROWS_WITH(pack_activation_image(x, BusGeometry{128, 1}), Contains("activation 5"));
  x.q[5] = 0;
  x.scales.push_back(2.0f);
  CHECK_THROWS_AS(pack_activation_image(x, BusGeometry{128, 1}), Error);
  x.scales.pop_back();
  x.bits = 3;
  CHECK_THROWS_AS(pack_activation_image(x, BusGeometry{128, 1}), Error);
  CHECK_THROWS_AS(activation_image_bytes(24, QuantSpec::parse("w4a8g16"), BusGeometry{128, 1}), Error);
}

TEST_CASE("result image", "[packed_image]") {
  const std::vector<float> y = {1.0f, -0.0f, std::bit_cast<float>(0x7FC00001u), 3.5f, 1e-30f};
  const Bytes bytes = pack_result_image(y);
  REQUIRE(bytes.size() == 20);
  CHECK(Bytes(bytes.begin(), bytes.begin() + 8) == Bytes{0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x80});
  const std::vector<float> back = unpack_result_image(bytes, 5);
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(b(back[i]) == b(y[i]));
  // A longer buffer (whole AXI words) is fine; a shorter one is not.
  Bytes padded = bytes;
  padded.resize(32, 0xAA);
  CHECK(unpack_result_image(padded, 5).size() == 5);
  CHECK_THROWS_AS(unpack_result_image(Bytes(19), 5), Error);
}
