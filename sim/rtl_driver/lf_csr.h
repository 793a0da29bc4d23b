// Register map of the accelerator top `lf_top` (docs/rtl.md), shared by every
// driver of its CSR port.
#pragma once

#include <bit>
#include <cstdint>

namespace llamaf::sim::csr {

inline constexpr std::uint32_t kCtrl = 0x00;
inline constexpr std::uint32_t kStatus = 0x04;
inline constexpr std::uint32_t kJobsDone = 0x08;
inline constexpr std::uint32_t kRows = 0x0C;
inline constexpr std::uint32_t kCols = 0x10;
inline constexpr std::uint32_t kWAddrLo = 0x14;
inline constexpr std::uint32_t kWAddrHi = 0x18;
inline constexpr std::uint32_t kXAddrLo = 0x1C;
inline constexpr std::uint32_t kXAddrHi = 0x20;
inline constexpr std::uint32_t kYAddrLo = 0x24;
inline constexpr std::uint32_t kYAddrHi = 0x28;
// Weight-image layout of the next job: 0 one region per port, k > 0 the
// ports interleaved in chunks of 2^k bytes (docs/arithmetic.md).
inline constexpr std::uint32_t kLayout = 0x2C;
// 64-bit counters, LO at the address, HI at address + 4.
inline constexpr std::uint32_t kCntBusy = 0x40;
inline constexpr std::uint32_t kCntCompute = 0x48;
inline constexpr std::uint32_t kCntMemStall = 0x50;
inline constexpr std::uint32_t kCntBytesRead = 0x58;
inline constexpr std::uint32_t kCntBytesWritten = 0x60;
// 0x68 and 0x70 are reserved (read 0): MACs and activation-buffer reads are
// derived from CNT_COMPUTE (read_counters).
inline constexpr std::uint32_t kCntWgtBufWrites = 0x78;
inline constexpr std::uint32_t kParams0 = 0x80;
inline constexpr std::uint32_t kParams1 = 0x84;
inline constexpr std::uint32_t kParams2 = 0x88;
inline constexpr std::uint32_t kId = 0x9C;
inline constexpr std::uint32_t kIdValue = 0x4C460003;  // "LF", interface version 3

inline constexpr std::uint32_t kCtrlEnqueue = 1u << 0;
inline constexpr std::uint32_t kCtrlClearError = 1u << 1;

// Error codes in STATUS[15:8].
enum class ErrorCode : std::uint32_t {
  None = 0,
  RowsZero = 1,
  ColsNotGroupMultiple = 2,
  ColsTooLarge = 3,
  Misaligned = 4,
  AxiResponse = 5,
  Layout = 6,  // LAYOUT names a chunk smaller than one full burst
};

struct Status {
  bool busy = false;
  bool queue_full = false;
  bool error = false;
  std::uint32_t error_code = 0;
  std::uint32_t queued = 0;

  static Status decode(std::uint32_t v) {
    Status s;
    s.busy = v & 1u;
    s.queue_full = (v >> 1) & 1u;
    s.error = (v >> 2) & 1u;
    s.error_code = (v >> 8) & 0xFFu;
    s.queued = (v >> 16) & 0xFFu;
    return s;
  }
};

// The staged registers of one job.
struct JobRegs {
  std::uint32_t rows = 0;
  std::uint32_t cols = 0;
  std::uint64_t w_addr = 0;
  std::uint64_t x_addr = 0;
  std::uint64_t y_addr = 0;
  std::uint32_t layout = 0;  // LAYOUT: 0, or log2 of the interleave chunk in bytes
};

// The LAYOUT value of an image packed with `chunk_bytes` (BusGeometry): 0 for
// one region per port, else log2(chunk_bytes) (a power of two).
inline std::uint32_t layout_register(std::int64_t chunk_bytes) {
  return chunk_bytes == 0 ? 0 : std::uint32_t(std::countr_zero(std::uint64_t(chunk_bytes)));
}

// All performance counters of one read-out. `macs` and `act_buf_reads` are
// not hardware counters: every PE beat (CNT_COMPUTE) is NumPe MACs and one
// activation-buffer read (docs/rtl.md).
struct Counters {
  std::uint64_t busy = 0, compute = 0, mem_stall = 0, bytes_read = 0, bytes_written = 0,
                macs = 0, act_buf_reads = 0, wgt_buf_writes = 0;
};

// Reads every counter with `read64(lo_address)` (however the caller reaches
// the registers: a bus access or a backdoor read) and derives the rest;
// `num_pe` is the design's NumPe.
template <class Read64>
Counters read_counters(Read64 read64, int num_pe) {
  Counters c;
  c.busy = read64(kCntBusy);
  c.compute = read64(kCntCompute);
  c.mem_stall = read64(kCntMemStall);
  c.bytes_read = read64(kCntBytesRead);
  c.bytes_written = read64(kCntBytesWritten);
  c.macs = c.compute * std::uint64_t(num_pe);
  c.act_buf_reads = c.compute;
  c.wgt_buf_writes = read64(kCntWgtBufWrites);
  return c;
}

}  // namespace llamaf::sim::csr
