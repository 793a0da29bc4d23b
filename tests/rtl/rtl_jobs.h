// Building matrix-vector jobs for the RTL regression and benchmark: random
// or extreme quantized operands, their packed DRAM images placed in a
// SparseMemory, and the golden model's result to compare bit for bit.
#pragma once

#include "sim/model/quant.h"
#include "sim/rtl_driver/design_params.h"
#include "sim/rtl_driver/lf_csr.h"
#include "sim/rtl_driver/sparse_memory.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace llamaf::test {

enum class Values {
  Random,      // full two's-complement range, moderate scales
  MostNegative,  // every weight -2^(b-1), every activation -2^(a-1), moderate scales
  LargestScales, // most negative operands with the largest finite scales (overflow to inf)
  ZeroScales,  // random operands, every weight and activation scale zero (+0 and -0)
  Mixed,       // per group one of: zero, subnormal (DAZ), tiny, huge scales; extreme operands
  WildBits,    // random scale bit patterns, including inf and NaN
};

struct Job {
  model::QuantizedMatrix w;    // (rows, cols)
  model::QuantizedVector x;    // (cols)
  std::vector<std::uint32_t> expected;  // (rows) golden float32 bit patterns
  sim::csr::JobRegs regs;
};

// Operands of the given shape; expected is computed with golden_matvec.
Job make_job(const sim::DesignParams& p, int rows, int cols, Values v, std::mt19937_64& rng);

// Bump allocator of DRAM addresses, aligned to the AXI word, sometimes placed
// just below a 4 KiB boundary so bursts must split there. Starts above 4 GiB
// when the address width allows, so the *_HI registers matter.
class AddressAllocator {
 public:
  AddressAllocator(const sim::DesignParams& p, std::uint64_t seed);
  // `align` (a power of two) beyond the AXI word: an interleave's chunk.
  std::uint64_t take(std::uint64_t bytes, std::uint64_t align = 0);

 private:
  std::uint64_t next_;
  std::uint64_t align_;
  std::mt19937_64 rng_;
};

// Writes the job's W and x images into mem at fresh addresses (filling regs),
// and fills the y image plus its padding to the next AXI word, and one word
// beyond, with a sentinel. The W image has p's layout (p.weight_chunk_bytes;
// regs.layout is set to match, w_addr chunk-aligned).
void place_job(Job& job, const sim::DesignParams& p, sim::SparseMemory& mem,
               AddressAllocator& alloc);

inline constexpr std::uint8_t kSentinel = 0xA5;

// Compares the y image in mem with the golden result; an empty string when
// every row is bit-exact and the padding untouched, else a report of the
// first mismatches (row, got, expected).
std::string compare_result(const Job& job, const sim::DesignParams& p,
                           const sim::SparseMemory& mem);

}  // namespace llamaf::test
