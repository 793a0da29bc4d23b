// Bit-slicing address mapper for the documented mapping schemes.
#include "sim/dram/address_map.h"

#include <bit>

namespace llamaf::dram {

namespace {
int log2i(std::uint64_t v) { return std::countr_zero(v); }  // v is a power of two
}  // namespace

AddressMapper::AddressMapper(const DramConfig& c) {
  offset_bits_ = log2i(static_cast<std::uint64_t>(c.burst_bytes()));
  std::array<int, kFields> bits{};
  bits[kChannel] = log2i(c.channels);
  bits[kRank] = log2i(c.ranks);
  bits[kBankGroup] = log2i(c.bank_groups);
  bits[kBank] = log2i(c.banks_per_group);
  bits[kRow] = log2i(c.rows);
  bits[kColumn] = log2i(c.bursts_per_row());

  // Field order from the least significant bit up, after the burst offset.
  std::array<Field, kFields> order{};
  switch (c.controller.address_mapping) {
    case AddressMapping::RowBankCol:
      order = {kChannel, kColumn, kBankGroup, kBank, kRank, kRow};
      break;
    case AddressMapping::BankRowCol:
      order = {kChannel, kColumn, kRow, kBankGroup, kBank, kRank};
      break;
    case AddressMapping::RowColBank:
      order = {kChannel, kBankGroup, kBank, kColumn, kRank, kRow};
      break;
  }
  int shift = offset_bits_;
  for (Field f : order) {
    slice_[f].shift = shift;
    slice_[f].mask = (std::uint64_t{1} << bits[f]) - 1;
    shift += bits[f];
  }
}

DramCoord AddressMapper::decode(std::uint64_t addr) const {
  auto get = [&](Field f) { return (addr >> slice_[f].shift) & slice_[f].mask; };
  DramCoord c;
  c.channel = static_cast<int>(get(kChannel));
  c.rank = static_cast<int>(get(kRank));
  c.bank_group = static_cast<int>(get(kBankGroup));
  c.bank = static_cast<int>(get(kBank));
  c.row = static_cast<std::uint32_t>(get(kRow));
  c.column = static_cast<std::uint32_t>(get(kColumn));
  return c;
}

std::uint64_t AddressMapper::encode(const DramCoord& c) const {
  auto put = [&](Field f, std::uint64_t v) { return (v & slice_[f].mask) << slice_[f].shift; };
  return put(kChannel, static_cast<std::uint64_t>(c.channel)) |
         put(kRank, static_cast<std::uint64_t>(c.rank)) |
         put(kBankGroup, static_cast<std::uint64_t>(c.bank_group)) |
         put(kBank, static_cast<std::uint64_t>(c.bank)) | put(kRow, c.row) |
         put(kColumn, c.column);
}

}  // namespace llamaf::dram
