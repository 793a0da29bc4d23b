// Building matrix-vector jobs for the RTL regression and benchmark.
#include "tests/rtl/rtl_jobs.h"

#include "sim/model/golden.h"
#include "sim/model/packed_image.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace llamaf::test {

namespace {

using model::ScaleFormat;

std::uint32_t largest_finite(ScaleFormat f) {
  switch (f) {
    case ScaleFormat::Fp32: return 0x7F7FFFFFu;
    case ScaleFormat::Fp16: return 0x7BFFu;
    case ScaleFormat::Bf16: return 0x7F7Fu;
  }
  return 0;
}

std::uint32_t sign_bit(ScaleFormat f) { return f == ScaleFormat::Fp32 ? 0x80000000u : 0x8000u; }

// Log-uniform positive float in [2^lo, 2^hi).
float log_uniform(std::mt19937_64& rng, int lo, int hi) {
  const double e = std::uniform_real_distribution<double>(lo, hi)(rng);
  return float(std::exp2(e));
}

int uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// A weight scale's encoding for the Mixed case: zero, a format subnormal
// (read as zero), a tiny or huge normal, or a moderate one, either sign.
std::uint32_t mixed_weight_scale(std::mt19937_64& rng, ScaleFormat f) {
  const std::uint32_t sign = (rng() & 1) ? sign_bit(f) : 0u;
  switch (uniform(rng, 0, 4)) {
    case 0: return sign;
    case 1: return sign | 1u;  // smallest subnormal of the format
    case 2: return sign | largest_finite(f);
    case 3: return sign | model::encode_scale(log_uniform(rng, -120, -100), f);
    default: return sign | model::encode_scale(log_uniform(rng, -12, -2), f);
  }
}

float mixed_act_scale(std::mt19937_64& rng) {
  const float sign = (rng() & 1) ? -1.0f : 1.0f;
  switch (uniform(rng, 0, 4)) {
    case 0: return sign * 0.0f;
    case 1: return sign * std::bit_cast<float>(0x00000001u);  // subnormal
    case 2: return sign * 3.4028235e38f;
    case 3: return sign * log_uniform(rng, -126, -100);
    default: return sign * log_uniform(rng, -10, 0);
  }
}

}  // namespace

Job make_job(const sim::DesignParams& p, int rows, int cols, Values v, std::mt19937_64& rng) {
  const model::QuantSpec spec = p.quant_spec();
  const int G = spec.group_size;
  const int wmin = -(1 << (spec.weight_bits - 1)), wmax = (1 << (spec.weight_bits - 1)) - 1;
  const int amin = -(1 << (spec.act_bits - 1)), amax = (1 << (spec.act_bits - 1)) - 1;
  const ScaleFormat f = spec.scale_format;
  const int sbits = model::scale_bits(f);
  const int ngroups = cols / G;

  Job job;
  job.w.rows = rows;
  job.w.cols = cols;
  job.w.spec = spec;
  job.w.q.resize(std::size_t(rows) * std::size_t(cols));
  job.w.scale_bits.resize(std::size_t(rows) * std::size_t(ngroups));
  job.x.bits = spec.act_bits;
  job.x.group_size = G;
  job.x.q.resize(std::size_t(cols));
  job.x.scales.resize(std::size_t(ngroups));

  auto extreme_w = [&] {
    const int c[] = {wmin, wmax, 0, -1, 1};
    return c[uniform(rng, 0, 4)];
  };
  auto extreme_a = [&] {
    const int c[] = {amin, amax, 0, -1, 1};
    return c[uniform(rng, 0, 4)];
  };
  for (std::size_t i = 0; i < job.w.q.size(); ++i) {
    int q = 0;
    switch (v) {
      case Values::MostNegative:
      case Values::LargestScales: q = wmin; break;
      case Values::Mixed: q = extreme_w(); break;
      default: q = uniform(rng, wmin, wmax); break;
    }
    job.w.q[i] = std::int8_t(q);
  }
  for (std::size_t i = 0; i < job.x.q.size(); ++i) {
    int q = 0;
    switch (v) {
      case Values::MostNegative:
      case Values::LargestScales: q = amin; break;
      case Values::Mixed: q = extreme_a(); break;
      default: q = uniform(rng, amin, amax); break;
    }
    job.x.q[i] = std::int16_t(q);
  }
  for (std::uint32_t& s : job.w.scale_bits) {
    switch (v) {
      case Values::LargestScales: s = largest_finite(f); break;
      case Values::ZeroScales: s = (rng() & 1) ? sign_bit(f) : 0u; break;
      case Values::Mixed: s = mixed_weight_scale(rng, f); break;
      case Values::WildBits:
        s = std::uint32_t(rng()) & (sbits == 32 ? 0xFFFFFFFFu : 0xFFFFu);
        break;
      default: s = model::encode_scale(log_uniform(rng, -12, -2), f); break;
    }
  }
  for (float& s : job.x.scales) {
    switch (v) {
      case Values::LargestScales: s = 3.4028235e38f; break;
      case Values::ZeroScales: s = (rng() & 1) ? -0.0f : 0.0f; break;
      case Values::Mixed: s = mixed_act_scale(rng); break;
      case Values::WildBits: s = std::bit_cast<float>(std::uint32_t(rng())); break;
      default: s = log_uniform(rng, -10, 0); break;
    }
  }

  std::vector<float> y(std::size_t(rows), 0.0f);
  model::golden_matvec(job.w, job.x, y);
  job.expected.resize(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) job.expected[i] = std::bit_cast<std::uint32_t>(y[i]);
  job.regs.rows = std::uint32_t(rows);
  job.regs.cols = std::uint32_t(cols);
  return job;
}

AddressAllocator::AddressAllocator(const sim::DesignParams& p, std::uint64_t seed)
    : align_(std::uint64_t(p.axi_bytes())), rng_(seed) {
  next_ = p.axi_addr_bits > 33 ? 0x100000000ull : 0x10000ull;
  next_ += (rng_() % 4096) * align_;
}

std::uint64_t AddressAllocator::take(std::uint64_t bytes, std::uint64_t align) {
  align = std::max(align, align_);
  next_ = (next_ + align - 1) / align * align;
  if (rng_() % 3 == 0 && align < 4096) {
    // Start a few words (or chunks) below a 4 KiB boundary.
    const std::uint64_t words = 1 + rng_() % std::min<std::uint64_t>(4, 4096 / align - 1);
    next_ = (next_ + 4095) / 4096 * 4096 + 4096 - words * align;
  }
  const std::uint64_t a = next_;
  next_ += bytes + (rng_() % 4) * align_;
  return a;
}

void place_job(Job& job, const sim::DesignParams& p, sim::SparseMemory& mem,
               AddressAllocator& alloc) {
  const model::BusGeometry bus = p.bus();
  const std::vector<std::uint8_t> wimg = model::pack_weight_image(job.w, bus);
  const std::vector<std::uint8_t> ximg = model::pack_activation_image(job.x, bus);
  job.regs.w_addr = alloc.take(wimg.size(), std::uint64_t(bus.chunk_bytes));
  job.regs.layout = sim::csr::layout_register(bus.chunk_bytes);
  mem.write(job.regs.w_addr, wimg);
  job.regs.x_addr = alloc.take(ximg.size());
  mem.write(job.regs.x_addr, ximg);
  const std::uint64_t ab = std::uint64_t(p.axi_bytes());
  const std::uint64_t ybytes = (std::uint64_t(job.regs.rows) * 4 + ab - 1) / ab * ab + ab;
  job.regs.y_addr = alloc.take(ybytes);
  mem.fill(job.regs.y_addr, ybytes, kSentinel);
}

std::string compare_result(const Job& job, const sim::DesignParams& p,
                           const sim::SparseMemory& mem) {
  std::string report;
  int bad = 0;
  for (std::size_t r = 0; r < job.expected.size(); ++r) {
    const std::uint32_t got = mem.read_u32(job.regs.y_addr + 4 * r);
    if (got != job.expected[r]) {
      if (bad < 8)
        report += fmt::format("row {}: got {:#010x} ({}), expected {:#010x} ({})\n", r, got,
                              std::bit_cast<float>(got), job.expected[r],
                              std::bit_cast<float>(job.expected[r]));
      ++bad;
    }
  }
  if (bad) report += fmt::format("{} of {} rows differ\n", bad, job.expected.size());
  const std::uint64_t ab = std::uint64_t(p.axi_bytes());
  const std::uint64_t used = std::uint64_t(job.regs.rows) * 4;
  const std::uint64_t end = (used + ab - 1) / ab * ab + ab;
  for (std::uint64_t a = used; a < end; ++a) {
    if (mem.read_u8(job.regs.y_addr + a) != kSentinel) {
      report += fmt::format("byte {:#x} past the y image (y_addr + {}) was written\n",
                            job.regs.y_addr + a, a);
      break;
    }
  }
  return report;
}

}  // namespace llamaf::test
