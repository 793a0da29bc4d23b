// The packed DRAM image the accelerator reads and writes (docs/arithmetic.md):
// weight matrices as bus words split across AXI ports, the activation image
// and the result image. Defined once here; the RTL testbench, the SystemC
// harness and the byte accounting all use it.
#pragma once

#include "sim/model/quant.h"

#include <cstdint>
#include <span>
#include <vector>

namespace llamaf::model {

// The bus geometry an image is packed for, and how the weight image lies
// across the ports (docs/arithmetic.md, "Layouts across ports").
struct BusGeometry {
  int axi_data_bits = 128;  // one AXI port's data width: 32..1024, power of two
  int weight_ports = 1;     // ports the weight stream is spread over
  // 0: one contiguous region per port. Otherwise the ports take turns in
  // chunks of this many bytes (a power of two >= one AXI word; the RTL needs
  // at least one full burst): port p's words fill chunks p, p+P, p+2P, ...
  std::int64_t chunk_bytes = 0;
  int bus_bits() const { return axi_data_bits * weight_ports; }
  int axi_bytes() const { return axi_data_bits / 8; }
  // axi_data_bits a power of two 32..1024, weight_ports 1..8, chunk_bytes 0
  // or a power of two in axi_bytes..2^31.
  void validate() const;
};

// Sizes of one matrix's image, in bus words and bytes, and where each port's
// words lie.
struct WeightImageLayout {
  int rows = 0, cols = 0;
  int weights_per_word = 0;  // floor(bus_bits / weight_bits)
  int scale_words = 0;       // per row
  int weight_words = 0;      // per row
  int row_words() const { return scale_words + weight_words; }
  BusGeometry bus;
  std::int64_t port_bytes = 0;   // bytes each port reads: rows * row_words * axi_bytes
  std::int64_t total_bytes = 0;  // the image's extent from w_addr (gaps of an interleave's
                                 // last round included): port_bytes * weight_ports for regions
  // Bytes the ports read for one product: port_bytes * weight_ports (the
  // image without an interleave's padding).
  std::int64_t bytes_read() const { return port_bytes * bus.weight_ports; }
  // Byte offset from w_addr of port p's AXI word j (j < rows * row_words).
  std::int64_t word_offset(int port, std::int64_t j) const;
};

WeightImageLayout weight_image_layout(int rows, int cols, const QuantSpec& spec,
                                      const BusGeometry& bus);

// The image of `m` as it lies in DRAM starting at w_addr (total_bytes bytes,
// unused bytes zero): port 0's region, then port 1's, ...; or, interleaved,
// chunk 0 of port 0, chunk 0 of port 1, ..., chunk 1 of port 0, ...
std::vector<std::uint8_t> pack_weight_image(const QuantizedMatrix& m, const BusGeometry& bus);
// Inverse of pack_weight_image (tests).
QuantizedMatrix unpack_weight_image(std::span<const std::uint8_t> image, int rows, int cols,
                                    const QuantSpec& spec, const BusGeometry& bus);

// x image: activations in 8/16-bit containers, then fp32 scales at the next
// AXI-word boundary.
std::int64_t activation_image_bytes(int cols, const QuantSpec& spec, const BusGeometry& bus);
std::vector<std::uint8_t> pack_activation_image(const QuantizedVector& x, const BusGeometry& bus);
// Inverse of pack_activation_image (tests); `bits`/`group_size` as in the spec.
QuantizedVector unpack_activation_image(std::span<const std::uint8_t> image, int cols,
                                        const QuantSpec& spec, const BusGeometry& bus);

// y image: rows float32 values, little-endian (bit patterns kept, NaNs too).
std::vector<float> unpack_result_image(std::span<const std::uint8_t> bytes, int rows);
// The bytes the accelerator writes for y (rows * 4; a testbench's reference).
std::vector<std::uint8_t> pack_result_image(std::span<const float> y);

}  // namespace llamaf::model
