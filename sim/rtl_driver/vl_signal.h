// Bit-field access to Verilator port signals of any width: CData/SData/IData/
// QData for <= 64 bits, VlWide<N> (32-bit words, word 0 least significant)
// above. Packed per-port vectors (port p at [p*W +: W]) are sliced with these.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace llamaf::sim::vl {

inline constexpr std::uint64_t mask(int width) {
  return width >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << width) - 1;
}

// Bits [lsb +: width] (width <= 64) of a signal.
template <class T>
std::uint64_t get(const T& s, int lsb, int width) {
  if constexpr (std::is_integral_v<T>) {
    return (std::uint64_t(s) >> lsb) & mask(width);
  } else {
    std::uint64_t v = 0;
    int got = 0;
    while (got < width) {
      const int bit = lsb + got;
      const int off = bit % 32;
      const int n = std::min(32 - off, width - got);
      v |= ((std::uint64_t(s.data()[bit / 32]) >> off) & mask(n)) << got;
      got += n;
    }
    return v;
  }
}

template <class T>
void set(T& s, int lsb, int width, std::uint64_t v) {
  v &= mask(width);
  if constexpr (std::is_integral_v<T>) {
    const std::uint64_t m = mask(width) << lsb;
    s = T((std::uint64_t(s) & ~m) | (v << lsb));
  } else {
    int put = 0;
    while (put < width) {
      const int bit = lsb + put;
      const int off = bit % 32;
      const int n = std::min(32 - off, width - put);
      const std::uint32_t m = std::uint32_t(mask(n) << off);
      auto& w = s.data()[bit / 32];
      w = (w & ~m) | (std::uint32_t((v >> put) & mask(n)) << off);
      put += n;
    }
  }
}

// Byte-aligned copies (the host is little-endian, as Verilator assumes).
template <class T>
void get_bytes(const T& s, int byte_off, int n, std::uint8_t* out) {
  if constexpr (std::is_integral_v<T>) {
    const std::uint64_t v = std::uint64_t(s);
    std::memcpy(out, reinterpret_cast<const std::uint8_t*>(&v) + byte_off, std::size_t(n));
  } else {
    std::memcpy(out, reinterpret_cast<const std::uint8_t*>(s.data()) + byte_off, std::size_t(n));
  }
}

template <class T>
void set_bytes(T& s, int byte_off, int n, const std::uint8_t* in) {
  if constexpr (std::is_integral_v<T>) {
    std::uint64_t v = std::uint64_t(s);
    std::memcpy(reinterpret_cast<std::uint8_t*>(&v) + byte_off, in, std::size_t(n));
    s = T(v);
  } else {
    std::memcpy(reinterpret_cast<std::uint8_t*>(s.data()) + byte_off, in, std::size_t(n));
  }
}

}  // namespace llamaf::sim::vl
