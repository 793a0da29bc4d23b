// A sparse, byte-addressable memory (the DRAM behind the accelerator's AXI
// ports in RTL tests): 4 KiB pages allocated on first write, unwritten bytes
// read as a fill byte.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

namespace llamaf::sim {

class SparseMemory {
 public:
  static constexpr std::uint64_t kPageBytes = 4096;

  explicit SparseMemory(std::uint8_t fill = 0) : fill_(fill) {}

  void read(std::uint64_t addr, std::span<std::uint8_t> out) const;
  void write(std::uint64_t addr, std::span<const std::uint8_t> data);
  // Writes data[i] only where bit i of `strobe` is set (data.size() <= 64).
  void write_strobed(std::uint64_t addr, std::span<const std::uint8_t> data,
                     std::uint64_t strobe);
  // Sets n bytes from addr to `value`.
  void fill(std::uint64_t addr, std::uint64_t n, std::uint8_t value);

  std::uint8_t read_u8(std::uint64_t addr) const;
  std::uint32_t read_u32(std::uint64_t addr) const;  // little-endian
  void write_u32(std::uint64_t addr, std::uint32_t v);

  void clear() { pages_.clear(); }
  std::size_t pages() const { return pages_.size(); }

 private:
  using Page = std::unique_ptr<std::uint8_t[]>;
  std::uint8_t* page_for_write(std::uint64_t page_no);
  const std::uint8_t* page_for_read(std::uint64_t page_no) const;

  std::uint8_t fill_;
  std::unordered_map<std::uint64_t, Page> pages_;
};

}  // namespace llamaf::sim
