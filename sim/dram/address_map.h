// Physical address to DRAM coordinates (channel, rank, bank group, bank, row,
// column) by bit slicing, for the schemes of AddressMapping. All geometry
// fields are powers of two; address bits above the capacity are ignored, so
// addresses wrap modulo capacity_bytes().
#pragma once

#include "sim/dram/dram_config.h"

#include <array>
#include <cstdint>

namespace llamaf::dram {

struct DramCoord {
  int channel = 0;
  int rank = 0;
  int bank_group = 0;
  int bank = 0;        // within its bank group
  std::uint32_t row = 0;
  std::uint32_t column = 0;  // burst index within the row (0 .. bursts_per_row-1)
  bool operator==(const DramCoord&) const = default;
};

class AddressMapper {
 public:
  explicit AddressMapper(const DramConfig& c);

  DramCoord decode(std::uint64_t addr) const;
  // Inverse of decode for the burst-aligned address of `c`.
  std::uint64_t encode(const DramCoord& c) const;
  int burst_offset_bits() const { return offset_bits_; }

 private:
  enum Field { kChannel, kRank, kBankGroup, kBank, kRow, kColumn, kFields };
  struct Slice {
    int shift = 0;
    std::uint64_t mask = 0;
  };
  std::array<Slice, kFields> slice_{};
  int offset_bits_ = 0;
};

}  // namespace llamaf::dram
