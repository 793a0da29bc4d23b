// The packed DRAM images of weights, activations and results
// (docs/arithmetic.md, "Packed DRAM image").
#include "sim/model/packed_image.h"

#include "sim/model/error.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace llamaf::model {

namespace {

// A bus word is built (or read) whole in a buffer of bus_bits/8 bytes, then
// scattered to (gathered from) the ports: bus bytes [p*A, (p+1)*A) are AXI
// word p and go to port p's word j (A = axi_bytes), wherever the layout puts
// it (WeightImageLayout::word_offset).
//
//   bus word j:  | port P-1 AXI word | ... | port 1 AXI word | port 0 AXI word |
struct PortScatter {
  const WeightImageLayout& l;
  void store(std::uint8_t* image, std::int64_t j, const std::uint8_t* word) const {
    const auto a = static_cast<std::size_t>(l.bus.axi_bytes());
    for (int p = 0; p < l.bus.weight_ports; ++p)
      std::memcpy(image + l.word_offset(p, j), word + p * a, a);
  }
  void load(const std::uint8_t* image, std::int64_t j, std::uint8_t* word) const {
    const auto a = static_cast<std::size_t>(l.bus.axi_bytes());
    for (int p = 0; p < l.bus.weight_ports; ++p)
      std::memcpy(word + p * a, image + l.word_offset(p, j), a);
  }
};

// Appends fields LSB first to a zeroed byte buffer. A field may cross byte
// (and hence port) boundaries, e.g. 3-bit weights.
class BitWriter {
 public:
  explicit BitWriter(std::uint8_t* out) : out_(out) {}
  void put(std::uint32_t value, int width) {  // width <= 32
    acc_ |= static_cast<std::uint64_t>(value & (0xFFFFFFFFu >> (32 - width))) << bits_;
    bits_ += width;
    while (bits_ >= 8) {
      *out_++ = static_cast<std::uint8_t>(acc_);
      acc_ >>= 8;
      bits_ -= 8;
    }
  }
  void flush() {
    if (bits_ > 0) *out_++ = static_cast<std::uint8_t>(acc_);
    acc_ = 0;
    bits_ = 0;
  }

 private:
  std::uint8_t* out_;
  std::uint64_t acc_ = 0;
  int bits_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const std::uint8_t* in) : in_(in) {}
  std::uint32_t get(int width) {  // width <= 32
    while (bits_ < width) {
      acc_ |= static_cast<std::uint64_t>(*in_++) << bits_;
      bits_ += 8;
    }
    const auto v = static_cast<std::uint32_t>(acc_ & (0xFFFFFFFFu >> (32 - width)));
    acc_ >>= width;
    bits_ -= width;
    return v;
  }

 private:
  const std::uint8_t* in_;
  std::uint64_t acc_ = 0;
  int bits_ = 0;
};

int container_bytes(int act_bits) { return act_bits <= 8 ? 1 : 2; }

std::int64_t round_up(std::int64_t v, std::int64_t m) { return (v + m - 1) / m * m; }

void put_le32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get_le32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

void BusGeometry::validate() const {
  if (axi_data_bits < 32 || axi_data_bits > 1024 ||
      !std::has_single_bit(static_cast<unsigned>(axi_data_bits)))
    throw_error("bus geometry: axi_data_bits {} is not a power of two in 32..1024", axi_data_bits);
  if (weight_ports < 1 || weight_ports > 8)
    throw_error("bus geometry: weight_ports {} out of range 1..8", weight_ports);
  if (chunk_bytes != 0 &&
      (chunk_bytes < axi_bytes() || chunk_bytes > (std::int64_t{1} << 31) ||
       !std::has_single_bit(static_cast<std::uint64_t>(chunk_bytes))))
    throw_error("bus geometry: interleave chunk_bytes {} is not 0 or a power of two in {}..2^31",
                chunk_bytes, axi_bytes());
}

std::int64_t WeightImageLayout::word_offset(int port, std::int64_t j) const {
  const std::int64_t a = bus.axi_bytes();
  if (bus.chunk_bytes == 0) return port * port_bytes + j * a;
  const std::int64_t chunk_words = bus.chunk_bytes / a;
  const std::int64_t chunk = j / chunk_words;
  return (chunk * bus.weight_ports + port) * bus.chunk_bytes + (j % chunk_words) * a;
}

WeightImageLayout weight_image_layout(int rows, int cols, const QuantSpec& spec,
                                      const BusGeometry& bus) {
  spec.validate();
  bus.validate();
  if (rows <= 0) throw_error("weight image: rows {} must be positive", rows);
  spec.check_cols(cols, "weight image");
  WeightImageLayout l;
  l.rows = rows;
  l.cols = cols;
  const std::int64_t bus_bits = bus.bus_bits();
  const std::int64_t groups = cols / spec.group_size;
  l.weights_per_word = static_cast<int>(bus_bits / spec.weight_bits);
  l.scale_words = static_cast<int>((groups * scale_bits(spec.scale_format) + bus_bits - 1) / bus_bits);
  l.weight_words = (cols + l.weights_per_word - 1) / l.weights_per_word;
  l.bus = bus;
  l.port_bytes = static_cast<std::int64_t>(rows) * l.row_words() * bus.axi_bytes();
  // The last word of the last port ends the image.
  l.total_bytes =
      l.word_offset(bus.weight_ports - 1, l.port_bytes / bus.axi_bytes() - 1) + bus.axi_bytes();
  return l;
}

std::vector<std::uint8_t> pack_weight_image(const QuantizedMatrix& m, const BusGeometry& bus) {
  const WeightImageLayout l = weight_image_layout(m.rows, m.cols, m.spec, bus);
  const int groups = m.groups_per_row();
  const auto n_q = static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols);
  const auto n_s = static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(groups);
  if (m.q.size() != n_q || m.scale_bits.size() != n_s)
    throw_error("weight image: matrix ({}, {}) holds {} weights and {} scales, expected {} and {}",
                m.rows, m.cols, m.q.size(), m.scale_bits.size(), n_q, n_s);
  const int wb = m.spec.weight_bits;
  const int sb = scale_bits(m.spec.scale_format);
  const int lo = -(1 << (wb - 1));
  const int hi = (1 << (wb - 1)) - 1;
  const std::uint32_t scale_mask = sb == 32 ? 0xFFFFFFFFu : 0xFFFFu;
  const int scales_per_word = bus.bus_bits() / sb;  // sb divides bus_bits: no straddling

  std::vector<std::uint8_t> image(static_cast<std::size_t>(l.total_bytes), 0);
  const PortScatter ports{l};
  std::vector<std::uint8_t> word(static_cast<std::size_t>(bus.bus_bits() / 8));
  for (int r = 0; r < m.rows; ++r) {
    std::int64_t j = static_cast<std::int64_t>(r) * l.row_words();
    const std::uint32_t* s = m.scale_bits.data() + static_cast<std::size_t>(r) * groups;
    for (int g0 = 0; g0 < groups; g0 += scales_per_word, ++j) {
      std::fill(word.begin(), word.end(), std::uint8_t{0});
      BitWriter out(word.data());
      for (int g = g0; g < std::min(groups, g0 + scales_per_word); ++g) {
        if ((s[g] & ~scale_mask) != 0)
          throw_error("weight image: row {} group {}: scale 0x{:x} wider than {} bits", r, g, s[g],
                      sb);
        out.put(s[g], sb);
      }
      out.flush();
      ports.store(image.data(), j, word.data());
    }
    const std::int8_t* q = m.q.data() + static_cast<std::size_t>(r) * m.cols;
    for (int c0 = 0; c0 < m.cols; c0 += l.weights_per_word, ++j) {
      std::fill(word.begin(), word.end(), std::uint8_t{0});
      BitWriter out(word.data());
      for (int c = c0; c < std::min(m.cols, c0 + l.weights_per_word); ++c) {
        if (q[c] < lo || q[c] > hi)
          throw_error("weight image: row {} col {}: weight {} outside the {}-bit range {}..{}", r,
                      c, q[c], wb, lo, hi);
        out.put(static_cast<std::uint32_t>(q[c]), wb);  // two's complement, low wb bits
      }
      out.flush();
      ports.store(image.data(), j, word.data());
    }
  }
  return image;
}

QuantizedMatrix unpack_weight_image(std::span<const std::uint8_t> image, int rows, int cols,
                                    const QuantSpec& spec, const BusGeometry& bus) {
  const WeightImageLayout l = weight_image_layout(rows, cols, spec, bus);
  if (static_cast<std::int64_t>(image.size()) != l.total_bytes)
    throw_error("weight image: {} bytes, layout ({}, {}) {} on {}x{} bits wants {}", image.size(),
                rows, cols, spec.str(), bus.weight_ports, bus.axi_data_bits, l.total_bytes);
  QuantizedMatrix m = make_quantized_matrix(rows, cols, spec, "weight image");
  const int groups = m.groups_per_row();
  const int wb = spec.weight_bits;
  const int sb = scale_bits(spec.scale_format);
  const int scales_per_word = bus.bus_bits() / sb;
  const PortScatter ports{l};
  std::vector<std::uint8_t> word(static_cast<std::size_t>(bus.bus_bits() / 8));
  for (int r = 0; r < rows; ++r) {
    std::int64_t j = static_cast<std::int64_t>(r) * l.row_words();
    std::uint32_t* s = m.scale_bits.data() + static_cast<std::size_t>(r) * groups;
    for (int g0 = 0; g0 < groups; g0 += scales_per_word, ++j) {
      ports.load(image.data(), j, word.data());
      BitReader in(word.data());
      for (int g = g0; g < std::min(groups, g0 + scales_per_word); ++g) s[g] = in.get(sb);
    }
    std::int8_t* q = m.q.data() + static_cast<std::size_t>(r) * cols;
    for (int c0 = 0; c0 < cols; c0 += l.weights_per_word, ++j) {
      ports.load(image.data(), j, word.data());
      BitReader in(word.data());
      for (int c = c0; c < std::min(cols, c0 + l.weights_per_word); ++c) {
        // Sign-extend the wb-bit two's-complement field.
        const std::uint32_t raw = in.get(wb);
        q[c] = static_cast<std::int8_t>(static_cast<std::int32_t>(raw << (32 - wb)) >> (32 - wb));
      }
    }
  }
  // Unused bits must be zero: repacking reproduces the image only then.
  if (pack_weight_image(m, bus) != std::vector<std::uint8_t>(image.begin(), image.end()))
    throw_error("weight image: unused (padding) bits are not zero");
  return m;
}

std::int64_t activation_image_bytes(int cols, const QuantSpec& spec, const BusGeometry& bus) {
  spec.validate();
  bus.validate();
  spec.check_cols(cols, "activation image");
  const std::int64_t a = bus.axi_bytes();
  const std::int64_t groups = cols / spec.group_size;
  return round_up(static_cast<std::int64_t>(cols) * container_bytes(spec.act_bits), a) +
         round_up(groups * 4, a);
}

std::vector<std::uint8_t> pack_activation_image(const QuantizedVector& x, const BusGeometry& bus) {
  bus.validate();
  if (x.bits < 4 || x.bits > 16)
    throw_error("activation image: activation bits {} out of range 4..16", x.bits);
  const int cols = static_cast<int>(x.q.size());
  if (x.group_size <= 0 || cols == 0 || cols % x.group_size != 0 ||
      x.scales.size() != static_cast<std::size_t>(cols / x.group_size))
    throw_error("activation image: {} activations and {} scales do not fit group {}", cols,
                x.scales.size(), x.group_size);
  const int cb = container_bytes(x.bits);
  const std::int64_t a = bus.axi_bytes();
  const std::int64_t x_bytes = round_up(static_cast<std::int64_t>(cols) * cb, a);
  const std::int64_t s_bytes = round_up(static_cast<std::int64_t>(x.scales.size()) * 4, a);
  std::vector<std::uint8_t> image(static_cast<std::size_t>(x_bytes + s_bytes), 0);
  const int lo = -(1 << (x.bits - 1));
  const int hi = (1 << (x.bits - 1)) - 1;
  for (int i = 0; i < cols; ++i) {
    const int v = x.q[static_cast<std::size_t>(i)];
    if (v < lo || v > hi)
      throw_error("activation image: activation {} = {} outside the {}-bit range {}..{}", i, v,
                  x.bits, lo, hi);
    // Sign-extended to the container, little-endian.
    const auto u = static_cast<std::uint16_t>(v);
    image[static_cast<std::size_t>(i) * cb] = static_cast<std::uint8_t>(u);
    if (cb == 2) image[static_cast<std::size_t>(i) * 2 + 1] = static_cast<std::uint8_t>(u >> 8);
  }
  for (std::size_t g = 0; g < x.scales.size(); ++g)
    put_le32(image.data() + x_bytes + 4 * g, std::bit_cast<std::uint32_t>(x.scales[g]));
  return image;
}

QuantizedVector unpack_activation_image(std::span<const std::uint8_t> image, int cols,
                                        const QuantSpec& spec, const BusGeometry& bus) {
  const std::int64_t total = activation_image_bytes(cols, spec, bus);
  if (static_cast<std::int64_t>(image.size()) != total)
    throw_error("activation image: {} bytes, expected {}", image.size(), total);
  const int cb = container_bytes(spec.act_bits);
  const std::int64_t x_bytes = round_up(static_cast<std::int64_t>(cols) * cb, bus.axi_bytes());
  QuantizedVector x;
  x.bits = spec.act_bits;
  x.group_size = spec.group_size;
  x.q.resize(static_cast<std::size_t>(cols));
  x.scales.resize(static_cast<std::size_t>(cols / spec.group_size));
  for (int i = 0; i < cols; ++i) {
    if (cb == 1) {
      x.q[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(image[static_cast<std::size_t>(i)]);
    } else {
      const auto lo = image[static_cast<std::size_t>(i) * 2];
      const auto hi = image[static_cast<std::size_t>(i) * 2 + 1];
      x.q[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
    }
  }
  for (std::size_t g = 0; g < x.scales.size(); ++g)
    x.scales[g] = std::bit_cast<float>(get_le32(image.data() + x_bytes + 4 * g));
  return x;
}

std::vector<float> unpack_result_image(std::span<const std::uint8_t> bytes, int rows) {
  if (rows < 0 || bytes.size() < static_cast<std::size_t>(rows) * 4)
    throw_error("result image: {} bytes hold fewer than {} float32 results", bytes.size(), rows);
  std::vector<float> y(static_cast<std::size_t>(rows));
  for (std::size_t r = 0; r < y.size(); ++r) y[r] = std::bit_cast<float>(get_le32(bytes.data() + 4 * r));
  return y;
}

std::vector<std::uint8_t> pack_result_image(std::span<const float> y) {
  std::vector<std::uint8_t> bytes(y.size() * 4);
  for (std::size_t r = 0; r < y.size(); ++r) put_le32(bytes.data() + 4 * r, std::bit_cast<std::uint32_t>(y[r]));
  return bytes;
}

}  // namespace llamaf::model
