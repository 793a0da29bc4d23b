// Sparse byte-addressable memory for RTL tests.
#include "sim/rtl_driver/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace llamaf::sim {

std::uint8_t* SparseMemory::page_for_write(std::uint64_t page_no) {
  auto it = pages_.find(page_no);
  if (it != pages_.end()) return it->second.get();
  Page p(new std::uint8_t[kPageBytes]);
  std::memset(p.get(), fill_, kPageBytes);
  std::uint8_t* raw = p.get();
  pages_.emplace(page_no, std::move(p));
  return raw;
}

const std::uint8_t* SparseMemory::page_for_read(std::uint64_t page_no) const {
  auto it = pages_.find(page_no);
  return it == pages_.end() ? nullptr : it->second.get();
}

void SparseMemory::read(std::uint64_t addr, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t a = addr + done;
    const std::uint64_t off = a % kPageBytes;
    const std::size_t n = std::min<std::size_t>(out.size() - done, kPageBytes - off);
    const std::uint8_t* p = page_for_read(a / kPageBytes);
    if (p) {
      std::memcpy(out.data() + done, p + off, n);
    } else {
      std::memset(out.data() + done, fill_, n);
    }
    done += n;
  }
}

void SparseMemory::write(std::uint64_t addr, std::span<const std::uint8_t> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t a = addr + done;
    const std::uint64_t off = a % kPageBytes;
    const std::size_t n = std::min<std::size_t>(data.size() - done, kPageBytes - off);
    std::memcpy(page_for_write(a / kPageBytes) + off, data.data() + done, n);
    done += n;
  }
}

void SparseMemory::write_strobed(std::uint64_t addr, std::span<const std::uint8_t> data,
                                 std::uint64_t strobe) {
  for (std::size_t i = 0; i < data.size() && i < 64; ++i) {
    if ((strobe >> i) & 1u) {
      const std::uint64_t a = addr + i;
      page_for_write(a / kPageBytes)[a % kPageBytes] = data[i];
    }
  }
}

void SparseMemory::fill(std::uint64_t addr, std::uint64_t n, std::uint8_t value) {
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t a = addr + i;
    page_for_write(a / kPageBytes)[a % kPageBytes] = value;
  }
}

std::uint8_t SparseMemory::read_u8(std::uint64_t addr) const {
  const std::uint8_t* p = page_for_read(addr / kPageBytes);
  return p ? p[addr % kPageBytes] : fill_;
}

std::uint32_t SparseMemory::read_u32(std::uint64_t addr) const {
  std::uint8_t b[4];
  read(addr, b);
  return std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
         std::uint32_t(b[3]) << 24;
}

void SparseMemory::write_u32(std::uint64_t addr, std::uint32_t v) {
  const std::uint8_t b[4] = {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16),
                             std::uint8_t(v >> 24)};
  write(addr, b);
}

}  // namespace llamaf::sim
