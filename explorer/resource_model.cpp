// Fitted resource and Fmax model of lf_top: structural DSP/BRAM counts,
// least-squares LUT/FF/Fmax terms, the fit file and its staleness check.
#include "explorer/resource_model.h"

#include "explorer/hash.h"
#include "explorer/synth.h"
#include "explorer/timing.h"
#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace llamaf::dse {

namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------- RTL elaboration math
// The lf_pkg helpers, as the RTL computes its localparams.

std::int64_t clog2(std::int64_t x) {  // $clog2
  return x <= 1 ? 0 : std::bit_width(static_cast<std::uint64_t>(x - 1));
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t gcd(std::int64_t a, std::int64_t b) {
  while (b != 0) {
    const std::int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

constexpr std::int64_t kRowBits = 24;     // lf_pkg::ROW_BITS
constexpr std::int64_t kLayoutBits = 5;   // lf_pkg::LAYOUT_BITS
constexpr std::int64_t kAxi4kBytes = 4096;
constexpr std::int64_t kSFifoDepth = 16;  // lf_group_post's scale FIFO
constexpr std::int64_t kDescFifoDepth = 4;
// DSP48E2 of the two binary32 multipliers (lf_fp_mul: the scale product and
// the group product): a 24 x 24 significand product is two 27 x 18 slices.
constexpr int kFloatMulDsps = 2 * 2;
// Yosys maps a multiplier to a DSP48E2 when its product has at least
// DSP_Y_MINWIDTH = 9 bits (synth_xilinx, mul2dsp); narrower ones stay in LUTs.
constexpr int kDspMinProductBits = 9;

// The geometry of lf_top for one parameter set: rtl/lf_top.sv's localparams
// and those of the blocks it instantiates.
struct Geometry {
  std::int64_t num_pe, wbits, abits, bus_bits, axi_bits, axi_bytes, ports;
  std::int64_t scale_bits, wpw, col_bits, dot_bits, act_depth, num_groups;
  std::int64_t scl_depth, sw_max, scl_fifo_depth, ww_fifo_depth, res_depth;
  std::int64_t burst_cap, wf_depth, wf_width, job_bits;
  // lf_pe_array
  std::int64_t levels, sum_bits, tree_adder_bits, tree_reg_bits;
  // lf_beat_gen gearbox
  std::int64_t slots, num_sel, beat_bits;
};

Geometry geometry(const sim::DesignParams& p) {
  Geometry g{};
  g.num_pe = p.num_pe;
  g.wbits = p.weight_bits;
  g.abits = p.act_bits;
  g.axi_bits = p.axi_data_bits;
  g.axi_bytes = p.axi_data_bits / 8;
  g.ports = p.weight_ports;
  g.bus_bits = g.axi_bits * g.ports;
  g.scale_bits = p.scale_format == model::ScaleFormat::Fp32 ? 32 : 16;
  g.wpw = g.bus_bits / g.wbits;
  g.col_bits = clog2(std::int64_t{p.act_buf_cols} + 1);
  g.dot_bits = g.wbits + g.abits + clog2(p.group_size);
  g.act_depth = p.act_buf_cols / p.num_pe;
  g.num_groups = p.act_buf_cols / p.group_size;
  g.scl_depth = std::max<std::int64_t>(2, ceil_div(g.num_groups, g.axi_bits / 32));
  g.sw_max = ceil_div(g.num_groups * g.scale_bits, g.bus_bits);
  g.scl_fifo_depth = std::min<std::int64_t>(256, std::max<std::int64_t>(4, 2 * g.sw_max + 2));
  g.ww_fifo_depth =
      g.wpw > g.num_pe ? std::min<std::int64_t>(64, std::max<std::int64_t>(4, g.sw_max + 2)) : 4;
  g.res_depth = std::max<std::int64_t>(p.out_buf_words, 2 * (g.axi_bits / 32));
  g.burst_cap = std::min<std::int64_t>(p.max_burst_beats, kAxi4kBytes / g.axi_bytes);
  g.wf_depth = std::max<std::int64_t>(2, 2 * g.burst_cap);
  g.wf_width = g.axi_bytes + g.axi_bits;
  g.job_bits = kLayoutBits + kRowBits + g.col_bits + 3 * std::int64_t{p.axi_addr_bits};

  // lf_pe_array: products of SumBits, a binary adder tree registered at level
  // 0, every second level and the root, then the group accumulator.
  g.levels = clog2(g.num_pe);
  g.sum_bits = g.wbits + g.abits + g.levels;
  g.tree_adder_bits = (g.num_pe - 1) * g.sum_bits + g.dot_bits;
  g.tree_reg_bits = 0;
  for (std::int64_t l = 0; l <= g.levels; ++l)
    if (l == 0 || l == g.levels || l % 2 == 0) g.tree_reg_bits += (g.num_pe >> l) * g.sum_bits;

  // lf_beat_gen: S = K + 1 bus-word slots; each of the NumPe x WeightBits beat
  // bits is a one-hot AND-OR over S x NumOff (slot, offset) selections.
  const std::int64_t gd = gcd(g.wpw, g.num_pe);
  const std::int64_t num_off = g.wpw / gd;
  const std::int64_t k = (g.wpw - gd + g.num_pe + g.wpw - 1) / g.wpw;
  g.slots = k + 1;
  g.num_sel = g.slots * num_off;
  g.beat_bits = g.num_pe * g.wbits;
  return g;
}

// An lf_fifo. Its UseRam choice (Depth >= 32 and Width x Depth >= 8192)
// does not decide the mapping: the flop variant reads mem_q[rptr_q], and
// Yosys' memory_dff merges the rptr_q register into the read port, so both
// variants reach memory_libmap with a registered read and its costs decide
// (measured: a 32 x 128 result FIFO of the flop variant is one RAMB18E2).
MemoryMapping map_fifo(std::int64_t width, std::int64_t depth) {
  return map_memory(width, depth, true);
}

}  // namespace

// ------------------------------------------------------------- structure

MemoryMapping map_memory(std::int64_t width, std::int64_t depth, bool registered_read) {
  MemoryMapping m;
  // At most 64 words deep, LUTRAM always costs less (16/7 per bit at most,
  // against 129/36 or more for block RAM), whatever the width.
  if (!registered_read || width <= 0 || depth <= 64) return m;
  // memory_libmap costs (techlibs/xilinx/lutrams_xcu.txt, brams_xc4v.txt).
  constexpr double kLutRamCost = 16, kRamb18Cost = 129, kRamb36Cost = 257;
  // LUTRAM: the shallowest cell that holds the depth (SDP 32 x 14, SDP
  // 64 x 7, DP 128 x 2, DP 256 x 1 bits per cell); memory_libmap does not
  // stack them in depth (measured: 512 x 88 goes to 15 RAMB18E2, not to three
  // RAM32M16 deep at a lower cost), except beyond 256 words.
  double lutram = kLutRamCost * static_cast<double>(width) * static_cast<double>(ceil_div(depth, 256));
  const std::int64_t lr_depth[] = {32, 64, 128, 256};
  const std::int64_t lr_width[] = {14, 7, 2, 1};
  for (int i = 3; i >= 0; --i)
    if (depth <= lr_depth[i])
      lutram = kLutRamCost * static_cast<double>(width) / static_cast<double>(lr_width[i]);
  // Block RAM: the widest configuration at each depth (9-bit bytes), as many
  // blocks side by side and stacked as the memory needs.
  // Configurations deeper than the memory only need more blocks side by
  // side, so the search stops at the first that holds the depth.
  auto blocks = [&](std::int64_t max_width) {
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t w = max_width, d = 512; w >= 1; w = (w == 9 ? 4 : w / 2), d *= 2) {
      best = std::min(best, ceil_div(width, w) * ceil_div(depth, d));
      if (d >= depth) break;
    }
    return best;
  };
  const std::int64_t n18 = blocks(36), n36 = blocks(72);
  const double c18 = kRamb18Cost * static_cast<double>(n18);
  const double c36 = kRamb36Cost * static_cast<double>(n36);
  if (lutram <= std::min(c18, c36)) return m;
  if (c18 < c36)
    m.bram18 = static_cast<int>(n18);
  else
    m.bram36 = static_cast<int>(n36);
  return m;
}

namespace {

StructuralCounts structural_of(const Geometry& g, const sim::DesignParams& p) {
  StructuralCounts s;
  const bool pe_in_dsp = g.wbits + g.abits >= kDspMinProductBits;
  s.dsp = static_cast<double>((pe_in_dsp ? g.num_pe : 0) + kFloatMulDsps);
  auto add = [&](MemoryMapping m, std::int64_t copies) {
    s.bram36 += static_cast<double>(m.bram36 * copies);
    s.bram18 += static_cast<double>(m.bram18 * copies);
  };
  add(map_fifo(g.axi_bits + 1, p.wgt_buf_words), g.ports);         // port FIFOs (word + last)
  add(map_fifo(g.bus_bits, g.scl_fifo_depth), 1);                  // scale-word FIFO
  add(map_fifo(g.bus_bits, g.ww_fifo_depth), 1);                   // weight-word FIFO
  add(map_memory(g.num_pe * g.abits, g.act_depth, true), 1);        // activation buffer
  add(map_memory(g.axi_bits, g.scl_depth, true), 1);                // activation scales
  add(map_fifo(32, g.res_depth), 1);                                // result FIFO
  add(map_fifo(g.wf_width, g.wf_depth), 1);                         // writer word FIFO
  add(map_fifo(g.job_bits, p.job_queue_depth), 1);                  // job queue (lf_csr)
  // Not counted: the group-post scale FIFO (32 x 16), the readers' tag FIFOs
  // (at most 32 deep) and the descriptor FIFOs (4 deep) are at most 32 words
  // deep, so always LUTRAM.
  static_assert(kSFifoDepth <= 32 && kDescFifoDepth <= 32);
  return s;
}

}  // namespace

StructuralCounts structural_counts(const sim::DesignParams& p) {
  return structural_of(geometry(p), p);
}

// The fitted terms. Each LUT/FF feature counts bits of one structure of the
// RTL; its coefficient is the LUTs or flops per bit that Yosys spends on it.
const std::array<const char*, kLutTerms> kLutTermNames = {
    "const",             // control, CSR, float units, row sum
    "pe_adder_bits",     // adder tree + group accumulator bits (a carry-chain LUT each)
    "gearbox_selects",   // beat bits x (slot, offset) selections of the gearbox AND-OR
    "bus_bits",          // AxiDataBits x WeightPorts: parser, word FIFOs, port heads
    "port_ctl",          // WeightPorts: one AXI reader (address, burst planning) each
    "axi_bits",          // AxiDataBits: writer packing and strobes, activation loader
};
const std::array<const char*, kFfTerms> kFfTermNames = {
    "const",            // control, CSR, float pipelines, row sum
    "pe_reg_bits",      // PE input registers + registered adder-tree levels
    "gearbox_bits",     // gearbox slots (S x bus) + beat register
    "bus_bits",         // port head slices and parser registers
    "port_ctl",         // per-port reader state
    "axi_bits",         // writer packing register, activation loader
};
// Fmax: the period is the longest of four path families (docs/resource_model.md):
//   floor    every other register-to-register path: the readers' burst
//            planning, FIFO counters, the gearbox select; short carry chains
//            between registers that barely move with the parameters;
//   writer   present when the writer's word FIFO is read asynchronously (the
//            lf_fifo flop variant in LUTRAM: Depth < 32 or Width x Depth <
//            8192): LUTRAM read, then the byte count of the last word's
//            strobes, a tree over AxiDataBits/8 bits, into a counter; a
//            line in log2(AxiDataBits/8);
//   split    present when one AXI word carries several activation-buffer
//            entries (lf_act_loader's Split with AxiDataBits/8/NumPe > 1
//            entries per word): the entry counter decides the pop of port 0's
//            head, whose clock enable fans out to AxiDataBits + 1 flops; a
//            line in log2(entries per word);
//   result   present when the result FIFO is lf_fifo's block-RAM variant
//            (32 x ResDepth >= 8192 bits): the writer's lane-full pop runs
//            through the RAM FIFO's read-enable logic into its word counter;
//            a constant.
const std::array<const char*, kFmaxTerms> kFmaxTermNames = {
    "floor_ns", "writer_ns", "writer_per_log2_strobe_ns", "split_ns",
    "split_per_log2_entries_ns", "result_ram_ns"};

namespace {

// What each coefficient multiplies, written into the fit file beside it.
constexpr std::array<const char*, kLutTerms> kLutTermDocs = {
    "LUTs of everything that does not scale: control, CSR, float units, row sum",
    "LUTs per PE adder-tree and group-accumulator bit: (NumPe-1)(W+A+log2 NumPe) + DotBits",
    "LUTs per gearbox AND-OR input: NumPe x W beat bits x S slots x NumOff offsets",
    "LUTs per bus bit (AxiDataBits x WeightPorts): row parser, word FIFOs, port heads",
    "LUTs per weight port: one AXI reader (address, burst planning, credits)",
    "LUTs per AXI data bit: writer packing and strobes, activation loader"};
constexpr std::array<const char*, kFfTerms> kFfTermDocs = {
    "flops of everything that does not scale: control, CSR, float pipelines, row sum",
    "flops per PE register bit: NumPe (W+A) inputs + registered adder-tree levels",
    "flops per gearbox bit: S x BusBits slots + NumPe x W beat register",
    "flops per bus bit (AxiDataBits x WeightPorts): port head slices, parser",
    "flops per weight port: reader state",
    "flops per AXI data bit: writer packing register, activation loader"};
constexpr std::array<const char*, kFmaxTerms> kFmaxTermDocs = {
    "ns, the floor: every path not in a family below (burst planning, FIFO counters)",
    "ns, writer family intercept (word FIFO read from LUTRAM -> strobe byte count)",
    "ns per log2(AxiDataBits/8) strobe bits, writer family",
    "ns, split family intercept (activation loader, several entries per AXI word)",
    "ns per log2(AxiDataBits/8/NumPe) entries per word, split family",
    "ns, result family (result FIFO in block RAM: writer pop -> RAM FIFO read enable -> count)"};

}  // namespace

namespace {

ResourceFeatures features_of(const Geometry& g) {
  ResourceFeatures f;
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  f.lut = {1.0,
           d(g.tree_adder_bits),
           d(g.beat_bits * g.num_sel),
           d(g.bus_bits),
           d(g.ports),
           d(g.axi_bits)};
  f.ff = {1.0,
          d(g.num_pe * (g.wbits + g.abits) + g.tree_reg_bits),
          d(g.slots * g.bus_bits + g.beat_bits),
          d(g.bus_bits),
          d(g.ports),
          d(g.axi_bits)};
  const bool writer_lutram_read = !(g.wf_depth >= 32 && g.wf_width * g.wf_depth >= 8192);
  const std::int64_t acts_per_word = g.axi_bits / (g.abits <= 8 ? 8 : 16);
  const std::int64_t entries_per_word = acts_per_word >= g.num_pe ? acts_per_word / g.num_pe : 1;
  const bool result_in_ram = g.res_depth >= 32 && 32 * g.res_depth >= 8192;
  f.fmax = {1.0,
            writer_lutram_read ? 1.0 : 0.0,
            d(clog2(g.axi_bytes)),
            entries_per_word > 1 ? 1.0 : 0.0,
            d(clog2(entries_per_word)),
            result_in_ram ? 1.0 : 0.0};
  return f;
}

}  // namespace

ResourceFeatures resource_features(const sim::DesignParams& p) { return features_of(geometry(p)); }

namespace {

// The path families after the floor: (presence feature, line variable,
// intercept coefficient, slope coefficient), indices into the fmax arrays;
// kNone: a constant family.
constexpr std::size_t kNone = kFmaxTerms;
struct PathFamily {
  std::size_t present, x, c0, c1;
};
constexpr std::array<PathFamily, 3> kFamilies = {
    PathFamily{1, 2, 1, 2}, PathFamily{3, 4, 3, 4}, PathFamily{5, kNone, 5, kNone}};

double family_ns(const PathFamily& fam, const std::array<double, kFmaxTerms>& c,
                 const std::array<double, kFmaxTerms>& f) {
  return fam.x == kNone ? c[fam.c0] : c[fam.c0] + c[fam.c1] * f[fam.x];
}

// The critical period: the longest of the floor and the present families.
double fmax_period_ns(const std::array<double, kFmaxTerms>& c,
                      const std::array<double, kFmaxTerms>& f) {
  double t = c[0] * f[0];
  for (const PathFamily& fam : kFamilies)
    if (f[fam.present] > 0) t = std::max(t, family_ns(fam, c, f));
  return t;
}

}  // namespace

ResourceEstimate estimate_resources(const ResourceCoefficients& c, const sim::DesignParams& p) {
  const Geometry g = geometry(p);
  const ResourceFeatures f = features_of(g);
  const StructuralCounts s = structural_of(g, p);
  ResourceEstimate e;
  for (std::size_t i = 0; i < kLutTerms; ++i) e.lut += c.lut[i] * f.lut[i];
  for (std::size_t i = 0; i < kFfTerms; ++i) e.ff += c.ff[i] * f.ff[i];
  const double period_ns = fmax_period_ns(c.fmax, f.fmax);
  e.fmax_mhz = period_ns > 0 ? 1000.0 / period_ns : 0;
  e.dsp = s.dsp;
  e.bram36 = s.bram36;
  e.bram18 = s.bram18;
  return e;
}

// ------------------------------------------------------------- fitting

double metric_value(const ResourceEstimate& e, std::size_t metric) {
  switch (metric) {
    case 0: return e.lut;
    case 1: return e.ff;
    case 2: return e.dsp;
    case 3: return e.bram36;
    case 4: return e.bram18;
    case 5: return e.bram36 + e.bram18 / 2;
    case 6: return e.fmax_mhz;
    default: throw_error("resource model: no metric {}", metric);
  }
}

ErrorSummary error_summary(const std::vector<FitPoint>& points,
                           const std::vector<ResourceEstimate>& estimates) {
  if (points.size() != estimates.size())
    throw_error("resource model: {} points but {} estimates", points.size(), estimates.size());
  ErrorSummary s{};
  for (std::size_t m = 0; m < kResourceMetrics.size(); ++m) {
    MetricError& e = s[m];
    int relative = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double y = metric_value(points[i].measured, m);
      const double err = metric_value(estimates[i], m) - y;
      e.mean_abs += std::abs(err);
      if (std::abs(err) < 0.5) ++e.exact;
      ++e.points;
      if (y != 0) {
        const double pct = 100.0 * std::abs(err) / std::abs(y);
        e.mean_abs_pct += pct;
        ++relative;
        if (pct > e.worst_abs_pct || e.worst_point.empty()) {
          e.worst_abs_pct = pct;
          e.worst_point = points[i].name;
        }
      } else if (std::abs(err) >= 0.5 && e.worst_point.empty()) {
        e.worst_point = points[i].name;
      }
    }
    if (e.points > 0) e.mean_abs /= e.points;
    if (relative > 0) e.mean_abs_pct /= relative;
  }
  return s;
}

namespace {

// Minimises sum_i ((x_i . c - y_i) / y_i)^2 + ridge |D c|^2 by the normal
// equations on column-scaled features (Cholesky). `rows` x n features.
template <std::size_t N>
std::array<double, N> least_squares(const std::vector<std::array<double, N>>& x,
                                    const std::vector<double>& y, const char* what) {
  if (x.size() < N)
    throw_error("resource model: {} needs at least {} training points, got {}", what, N, x.size());
  // Column scales: the largest |weighted feature|, so that the ridge and
  // the pivots see comparable columns.
  std::array<double, N> scale{};
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < N; ++j)
      scale[j] = std::max(scale[j], std::abs(x[i][j] / y[i]));
  for (double& s : scale)
    if (s == 0) s = 1;
  std::array<std::array<double, N>, N> a{};
  std::array<double, N> b{};
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(y[i] > 0)) throw_error("resource model: {} of a training point is {}", what, y[i]);
    std::array<double, N> row{};
    for (std::size_t j = 0; j < N; ++j) row[j] = x[i][j] / y[i] / scale[j];
    for (std::size_t j = 0; j < N; ++j) {
      b[j] += row[j];  // target y/y = 1
      for (std::size_t k = 0; k < N; ++k) a[j][k] += row[j] * row[k];
    }
  }
  constexpr double kRidge = 1e-9;
  for (std::size_t j = 0; j < N; ++j) a[j][j] += kRidge * static_cast<double>(x.size());
  // Cholesky A = L L^T, then forward and back substitution.
  std::array<std::array<double, N>, N> l{};
  for (std::size_t j = 0; j < N; ++j) {
    double d = a[j][j];
    for (std::size_t k = 0; k < j; ++k) d -= l[j][k] * l[j][k];
    if (!(d > 0)) throw_error("resource model: {} fit is singular (term {})", what, j);
    l[j][j] = std::sqrt(d);
    for (std::size_t i = j + 1; i < N; ++i) {
      double s = a[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      l[i][j] = s / l[j][j];
    }
  }
  std::array<double, N> z{}, c{};
  for (std::size_t i = 0; i < N; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  for (std::size_t ii = N; ii-- > 0;) {
    double s = z[ii];
    for (std::size_t k = ii + 1; k < N; ++k) s -= l[k][ii] * c[k];
    c[ii] = s / l[ii][ii];
  }
  for (std::size_t j = 0; j < N; ++j) c[j] /= scale[j];
  return c;
}

// Fits max(floor, family lines) to periods: each point is attributed to the
// family the current coefficients make critical, each family is fitted on
// its points (the floor as a relative-error mean, a line by least squares
// when its points have two values of its variable, else a constant), until
// the attribution no longer changes. Starts with every point in the first
// family it has. A family no point is attributed to gets the floor (it then
// never sets the period).
double relative_mean(const std::vector<double>& y) {
  double n = 0, d = 0;
  for (double v : y) {
    n += 1 / v;
    d += 1 / (v * v);
  }
  return n / d;  // minimises sum ((c - y) / y)^2
}

std::array<double, kFmaxTerms> fit_fmax(const std::vector<std::array<double, kFmaxTerms>>& x,
                                        const std::vector<double>& period) {
  if (x.empty()) throw Error("resource model: no training point has an Fmax");
  constexpr int kFloor = -1;
  std::vector<int> family(x.size(), kFloor);
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t k = 0; k < kFamilies.size() && family[i] == kFloor; ++k)
      if (x[i][kFamilies[k].present] > 0) family[i] = static_cast<int>(k);
  std::array<double, kFmaxTerms> c{};
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<double> floor_y;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (family[i] == kFloor) floor_y.push_back(period[i]);
    c[0] = floor_y.empty() ? *std::min_element(period.begin(), period.end()) : relative_mean(floor_y);
    for (std::size_t k = 0; k < kFamilies.size(); ++k) {
      const PathFamily& fam = kFamilies[k];
      std::vector<std::array<double, 2>> fx;
      std::vector<double> fy;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (family[i] == static_cast<int>(k)) {
          fx.push_back({1.0, fam.x == kNone ? 0.0 : x[i][fam.x]});
          fy.push_back(period[i]);
        }
      bool two_values = false;
      for (const auto& v : fx) two_values |= v[1] != fx.front()[1];
      if (two_values) {
        const std::array<double, 2> line = least_squares(fx, fy, "Fmax (a path family)");
        c[fam.c0] = line[0];
        c[fam.c1] = line[1];
      } else {
        c[fam.c0] = fy.empty() ? c[0] : relative_mean(fy);
        if (fam.c1 != kNone) c[fam.c1] = 0;
      }
    }
    // Re-attribute: the family that sets each point's period now.
    bool changed = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      int best = kFloor;
      double t = c[0];
      for (std::size_t k = 0; k < kFamilies.size(); ++k) {
        const PathFamily& fam = kFamilies[k];
        const double tk = family_ns(fam, c, x[i]);
        if (x[i][fam.present] > 0 && tk > t) {
          t = tk;
          best = static_cast<int>(k);
        }
      }
      changed |= best != family[i];
      family[i] = best;
    }
    if (!changed) break;
  }
  return c;
}

}  // namespace

ResourceCoefficients fit_coefficients(const std::vector<FitPoint>& training) {
  std::vector<std::array<double, kLutTerms>> xl;
  std::vector<std::array<double, kFfTerms>> xf;
  std::vector<std::array<double, kFmaxTerms>> xt;  // features of the timed points
  std::vector<double> yl, yf, yt;
  for (const FitPoint& pt : training) {
    const ResourceFeatures f = resource_features(pt.params);
    xl.push_back(f.lut);
    yl.push_back(pt.measured.lut);
    xf.push_back(f.ff);
    yf.push_back(pt.measured.ff);
    if (pt.measured.fmax_mhz > 0) {
      xt.push_back(f.fmax);
      yt.push_back(1000.0 / pt.measured.fmax_mhz);
    }
  }
  ResourceCoefficients c;
  c.lut = least_squares(xl, yl, "LUT");
  c.ff = least_squares(xf, yf, "FF");
  c.fmax = fit_fmax(xt, yt);
  return c;
}

ResourceFit fit_resource_model(const std::vector<FitPoint>& training,
                               const std::vector<FitPoint>& validation) {
  ResourceFit r;
  r.coefficients = fit_coefficients(training);
  for (const FitPoint& p : training)
    r.training_estimates.push_back(estimate_resources(r.coefficients, p.params));
  for (std::size_t i = 0; i < training.size(); ++i) {
    std::vector<FitPoint> rest;
    for (std::size_t j = 0; j < training.size(); ++j)
      if (j != i) rest.push_back(training[j]);
    r.loo_estimates.push_back(estimate_resources(fit_coefficients(rest), training[i].params));
  }
  for (const FitPoint& p : validation)
    r.validation_estimates.push_back(estimate_resources(r.coefficients, p.params));
  r.fit = error_summary(training, r.training_estimates);
  r.loo = error_summary(training, r.loo_estimates);
  r.validation = error_summary(validation, r.validation_estimates);
  return r;
}

// ------------------------------------------------------------- fit file

std::string current_rtl_fit_hash(const fs::path& rtl_dir) {
  // synth_cache_key without parameters covers the script version, the script
  // and every source (name and contents); then the timing flow version and
  // the delay file, which invalidate the cached Fmax.
  std::uint64_t h = fnv1a64(synth_cache_key(rtl_sources(rtl_dir), "lf_top", {}) + '\0');
  h = fnv1a64(std::string(kTimingFlowVersion) + '\0', h);
  h = fnv1a64(DelayModel::load(default_delay_file()).digest() + '\0', h);
  return hex64(h);
}

fs::path default_resource_model_path() {
  return fs::path(LLAMAF_SOURCE_DIR) / "configs" / "fits" / "lf_top_xcup-2.json";
}

namespace {

nlohmann::json estimate_json(const ResourceEstimate& e) {
  return {{"lut", e.lut},       {"ff", e.ff},         {"dsp", e.dsp},
          {"bram36", e.bram36}, {"bram18", e.bram18}, {"fmax_mhz", e.fmax_mhz}};
}

ResourceEstimate estimate_from(const config::JsonObject& o) {
  ResourceEstimate e;
  e.lut = o.get_number("lut");
  e.ff = o.get_number("ff");
  e.dsp = o.get_number("dsp");
  e.bram36 = o.get_number("bram36");
  e.bram18 = o.get_number("bram18");
  e.fmax_mhz = o.get_number("fmax_mhz");
  o.reject_unknown();
  return e;
}

nlohmann::json summary_json(const ErrorSummary& s) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t m = 0; m < kResourceMetrics.size(); ++m) {
    const MetricError& e = s[m];
    j[kResourceMetrics[m]] = {{"mean_abs_pct", e.mean_abs_pct}, {"worst_abs_pct", e.worst_abs_pct},
                              {"worst_point", e.worst_point},   {"mean_abs", e.mean_abs},
                              {"exact", e.exact},               {"points", e.points}};
  }
  return j;
}

nlohmann::json points_json(const std::vector<FitPoint>& pts,
                           const std::vector<ResourceEstimate>& est, const char* est_key) {
  nlohmann::json a = nlohmann::json::array();
  for (std::size_t i = 0; i < pts.size(); ++i) {
    nlohmann::json p = {{"name", pts[i].name},
                        {"rtl", sim::rtl_json(pts[i].params)},
                        {"cache_key", pts[i].cache_key},
                        {"measured", estimate_json(pts[i].measured)}};
    if (i < est.size()) p[est_key] = estimate_json(est[i]);
    a.push_back(p);
  }
  return a;
}

template <std::size_t N>
nlohmann::json terms_json(const std::array<const char*, N>& names, const std::array<double, N>& c) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < N; ++i) j[names[i]] = c[i];
  return j;
}

template <std::size_t N>
std::array<double, N> terms_from(const config::JsonObject& o,
                                 const std::array<const char*, N>& names) {
  std::array<double, N> c{};
  for (std::size_t i = 0; i < N; ++i) {
    c[i] = o.get_number(names[i]);
    if (!std::isfinite(c[i])) throw_error("{}: expected a finite number", o.at(names[i]));
  }
  o.reject_unknown();
  return c;
}

}  // namespace

nlohmann::json fit_file_json(const ResourceFit& fit, const std::vector<FitPoint>& training,
                             const std::vector<FitPoint>& validation, const std::string& rtl_hash,
                             const std::string& source) {
  nlohmann::json j;
  j["form"] = kResourceModelForm;
  j["rtl_hash"] = rtl_hash;
  j["refit_command"] = kRefitCommand;
  j["source"] = source;
  j["description"] =
      "Resource and Fmax model of lf_top on xcup (Yosys 0.23 synth_xilinx, OpenSTA with "
      "configs/timing/xcup-2.json); form and features in explorer/resource_model.h and "
      "docs/resource_model.md. DSP and block RAM are structural counts (no coefficients); "
      "lut and ff are sums of coefficient x feature; fmax_mhz = 1000 / max(floor_ns, "
      "writer_ns + writer_per_log2_strobe_ns x log2(AxiDataBits/8) when the writer's word FIFO "
      "is read from LUTRAM, split_ns + split_per_log2_entries_ns x log2(AxiDataBits/8/NumPe) "
      "when that is > 0, result_ram_ns when the result FIFO is in block RAM). Errors in "
      "percent of the measured value.";
  nlohmann::json terms = {{"lut", nlohmann::json::object()}, {"ff", nlohmann::json::object()},
                          {"fmax", nlohmann::json::object()}};
  for (std::size_t i = 0; i < kLutTerms; ++i) terms["lut"][kLutTermNames[i]] = kLutTermDocs[i];
  for (std::size_t i = 0; i < kFfTerms; ++i) terms["ff"][kFfTermNames[i]] = kFfTermDocs[i];
  for (std::size_t i = 0; i < kFmaxTerms; ++i) terms["fmax"][kFmaxTermNames[i]] = kFmaxTermDocs[i];
  j["terms"] = terms;
  j["structural"] = {
      {"dsp", "NumPe (when WeightBits + ActBits >= 9, Yosys mul2dsp's DSP_Y_MINWIDTH) + 4 (two "
              "binary32 multipliers, a 24x24 significand product = two 27x18 slices each)"},
      {"bram", "every RTL memory's width x depth mapped by Yosys 0.23 memory_libmap's costs: "
               "RAMB18E2 129, RAMB36E2 257, LUTRAM 16 per cell (map_memory); no coefficient"}};
  j["coefficients"] = {{"lut", terms_json(kLutTermNames, fit.coefficients.lut)},
                       {"ff", terms_json(kFfTermNames, fit.coefficients.ff)},
                       {"fmax", terms_json(kFmaxTermNames, fit.coefficients.fmax)}};
  j["error"] = {{"fit", summary_json(fit.fit)},
                {"leave_one_out", summary_json(fit.loo)},
                {"validation", summary_json(fit.validation)}};
  nlohmann::json train = points_json(training, fit.training_estimates, "estimate");
  for (std::size_t i = 0; i < train.size() && i < fit.loo_estimates.size(); ++i)
    train[i]["loo_estimate"] = estimate_json(fit.loo_estimates[i]);
  j["training"] = train;
  j["validation"] = points_json(validation, fit.validation_estimates, "estimate");
  return j;
}

std::vector<FitPoint> fit_points_from_json(const nlohmann::json& array, const std::string& where,
                                           const std::string& path) {
  if (!array.is_array())
    throw_error("{}: {}: expected an array of synthesized points, got {}", where, path,
                array.type_name());
  std::vector<FitPoint> pts;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const config::JsonObject o(array[i], where, fmt::format("{}[{}]", path, i));
    FitPoint p;
    p.name = o.get_string("name");
    // The design reader: unknown parameters rejected, defaults filled in.
    const nlohmann::json design = {{"name", p.name}, {"rtl", o.get_raw("rtl")}};
    p.params = sim::design_params_from_json(design, fmt::format("{}: {}", where, o.path()));
    sim::check_rtl_legality(p.params, fmt::format("{}: {}", where, o.path()));
    p.cache_key = o.get_string("cache_key");
    p.measured = estimate_from(o.get_object("measured"));
    o.allow({"estimate", "loo_estimate"});
    o.reject_unknown();
    pts.push_back(std::move(p));
  }
  return pts;
}

ResourceModel ResourceModel::from_json(const nlohmann::json& j, const std::string& where) {
  const config::JsonObject root(j, where, "");
  const std::string form = root.get_string("form");
  if (form != kResourceModelForm)
    throw_error("{}: form \"{}\" is not this model's form \"{}\": refit with `{}`", root.at("form"),
                form, kResourceModelForm, kRefitCommand);
  ResourceModel m;
  m.rtl_hash_ = root.get_string("rtl_hash");
  const config::JsonObject c = root.get_object("coefficients");
  m.coefficients_.lut = terms_from(c.get_object("lut"), kLutTermNames);
  m.coefficients_.ff = terms_from(c.get_object("ff"), kFfTermNames);
  m.coefficients_.fmax = terms_from(c.get_object("fmax"), kFmaxTermNames);
  c.reject_unknown();
  // The record of the fit: read (so that a damaged file is caught) but not
  // used by estimate().
  root.get_string("source");
  fit_points_from_json(root.get_raw("training"), where, "training");
  fit_points_from_json(root.get_raw("validation"), where, "validation");
  root.get_object("error");
  root.allow({"description", "refit_command", "terms", "structural"});
  root.reject_unknown();
  return m;
}

ResourceModel ResourceModel::load(const fs::path& file, const fs::path& rtl_dir) {
  ResourceModel m = from_json(config::read_json_file(file.string()), file.string());
  m.file_ = file;
  const std::string now = current_rtl_fit_hash(rtl_dir);
  if (m.rtl_hash_ != now)
    throw_error("{} was fitted on RTL {}, the RTL is now {} ({}: sources, synthesis script or "
                "delay file changed): refit with `{}`",
                file.string(), m.rtl_hash_, now, rtl_dir.string(), kRefitCommand);
  return m;
}

}  // namespace llamaf::dse
