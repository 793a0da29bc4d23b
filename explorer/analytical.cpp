// The analytical model: one token of the system simulation in closed form
// (docs/analytical.md derives each term and says what it leaves out).
#include "explorer/analytical.h"

#include "explorer/clock.h"
#include "explorer/energy.h"
#include "explorer/hash.h"
#include "sim/board/board.h"
#include "sim/dram/address_map.h"
#include "sim/dram/membench.h"
#include "sim/host/host_cost.h"
#include "sim/host/host_profile.h"
#include "sim/model/config.h"
#include "sim/model/error.h"
#include "sim/model/packed_image.h"
#include "sim/model/quant.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <tuple>

namespace llamaf::dse {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// RTL and harness facts the model is built from (each with where it is
// stated; none is fitted).
// Fabric cycles of one register access from the host (sim BackendConfig
// csr_latency_cycles; docs/system.md "Host model"): charged to the host per
// access, then the access itself takes one fabric cycle (Soc::csr).
constexpr double kCsrHostCycles = 12;
// Interrupt to waiting thread without a profile entry (BackendConfig
// irq_latency_cycles).
constexpr double kIrqCycles = 200;
// Register writes per job (ROWS, COLS, W/X/Y address halves, CTRL) and the
// STATUS read closing each wave (rtl_backend.cpp run_jobs).
constexpr double kCsrWritesPerJob = 9;
// Fixed PL-side latency of every PS read burst (sim/system/dram_axi.h:
// interconnect, 16 fabric cycles) on top of the DRAM's.
constexpr double kInterconnectCycles = 16;
// lf_job_dispatch: per-job geometry as single-adder steps, "about 20-40
// cycles, hidden behind the previous job" (docs/rtl.md): exposed once per
// wave, at its first job. The midpoint.
constexpr double kDispatchCycles = 30;
// Pipeline from a beat to its group's product and the row sum: operand
// registers and adder tree (~10, docs/rtl.md "pipeline fill"), i2f 5,
// fmul 5, row sum 15.
constexpr double kFillCycles = 10;
constexpr double kFloatTailCycles = 5 + 5 + 15;

struct MatrixShape {
  int rows, cols;  // cols padded to the group size
};

// One group of jobs sharing an input (rtl_backend.cpp matvecs), repeated
// `count` times per token.
struct JobGroup {
  std::vector<MatrixShape> jobs;
  int count = 1;
};

// Sustained read bandwidth of one memory configuration (membench) and the
// DRAM activates it costs per byte.
struct MemoryCeiling {
  double bytes_per_ns = 0;
  double activates_per_byte = 0;
};

using MemoryKey = std::tuple<std::string, int, int, int, std::int64_t, std::int64_t>;

// The memory ceilings measured so far in this process, by board: shared by
// every model of the same board (a sweep's contexts differ in the model
// shape or the schedule, not in the memory path).
struct CeilingCache {
  std::shared_mutex mu;
  std::map<std::pair<std::string, MemoryKey>, MemoryCeiling> map;
};
CeilingCache& ceiling_cache() {
  static CeilingCache cache;
  return cache;
}

}  // namespace

struct AnalyticalModel::Impl {
  board::Board board;
  model::Config shape;
  std::optional<host::HostCostModel> host;
  std::optional<EnergyTable> energy;
  ResourceEstimator resources;
  ClockMode clock_mode = ClockMode::kRequested;
  bool ps_only = false, serial = false;
  double positions = 1;
  std::vector<JobGroup> groups;
  double peak_gb_s = 0;
  std::optional<double> pl_ps_limit_mhz;
  // Host time of a token outside the matrix-vector groups, averaged over
  // the positions simulated, and its calls (for the cycle rounding).
  double host_ops_s = 0, host_op_calls = 0;
  double host_dram_read_bytes = 0, host_dram_write_bytes = 0;  // KV cache per token
  // The idle DRAM read latency (ns) of one burst through the PS path.
  double idle_read_latency_ns = 0;
  // The address map's bank period: 2^(highest address bit that selects a
  // channel, rank, bank group, bank or column, + 1); above it, only rows.
  std::int64_t bank_period = 1;
  double accel_start_s = 0, irq_s = 0;
  bool irq_profiled = false;
  std::string board_id;  // json_hash of the board: which ceilings it shares

  MemoryCeiling ceiling(const sim::DesignParams& d, const std::vector<std::string>& ports,
                        std::int64_t stagger) const;
  AnalyticalMetrics evaluate(const sim::DesignParams& d) const;
};

namespace {

const json& need(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null())
    throw_error("analytical model: the point has no \"{}\" (a resolved design point needs it)", key);
  return j[key];
}

}  // namespace

AnalyticalModel::AnalyticalModel(const json& point, const EvalContext& ctx,
                                 ResourceEstimator resources)
    : impl_(std::make_unique<Impl>()) {
  (void)ctx;
  Impl& m = *impl_;
  m.resources = std::move(resources);
  m.board = board::board_from_json(need(point, "board"), "board");
  m.board_id = json_hash(need(point, "board"));
  m.shape = model::config_from_json(need(point, "model"), "model");
  const json& ev = need(point, "evaluate");
  const json sim = ev.value("sim", json::object());
  const std::string policy = sim.value("policy", "overlapped");
  if (policy == "serial") m.serial = true;
  else if (policy == "ps_only") m.ps_only = true;
  else if (policy != "overlapped" && policy != "direct")
    throw_error("analytical model: schedule policy '{}' is not modelled (serial, overlapped and "
                "ps_only are; the staged policies' weight copies compete with the accelerator in "
                "the DDR model): evaluate it with --fidelity rtl", policy);
  m.clock_mode = clock_mode_from_json(ev.value("clock", json("requested")), "evaluate.clock");
  if (m.clock_mode != ClockMode::kRequested && !m.resources)
    throw_error("analytical model: evaluate.clock = \"{}\" needs an Fmax, and no resource model "
                "was given", clock_mode_name(m.clock_mode));
  // Positions: sim_tokens (a whole generation; sample_positions only
  // changes which of them the simulator runs cycle by cycle).
  m.positions = std::max(1, ev.value("sim_tokens", 16));
  if (const json& e = point.value("energy", json()); e.is_object())
    m.energy = energy_table_from_json(e, "energy");
  m.peak_gb_s = m.board.memory.peak_bandwidth_gbps();
  m.pl_ps_limit_mhz = board_pl_ps_clock_limit_mhz(need(point, "board"));

  std::optional<host::HostProfile> profile;
  if (!m.board.host.profile.empty() && m.board.host.profile != "none")
    profile = host::load_host_profile(host::resolve_host_profile(m.board.host.profile, ""));
  m.host.emplace(m.board.host, profile);
  const host::HostCostModel& h = *m.host;

  // The matrix-vector groups of a token (transformer.cpp forward).
  const model::Config& c = m.shape;
  const int L = c.n_layers;
  const int g = sim::DesignParams{}.group_size;  // replaced per design in evaluate()
  (void)g;
  m.groups = {{{{c.dim, c.dim}, {c.kv_dim(), c.dim}, {c.kv_dim(), c.dim}}, L},
              {{{c.dim, c.dim}}, L},
              {{{c.hidden_dim, c.dim}, {c.hidden_dim, c.dim}}, L},
              {{{c.dim, c.hidden_dim}}, L},
              {{{c.vocab_size, c.dim}}, 1}};

  // Host operators outside the groups, averaged over positions 0..N-1
  // (transformer.cpp forward, system_sim.cpp sampling).
  using model::HostOp;
  const std::int64_t kv_row = std::int64_t(c.kv_dim()) * 4;
  double secs = 0, calls = 0, kv_read = 0, kv_write = 0;
  const int n = static_cast<int>(m.positions);
  for (int pos = 0; pos < n; ++pos) {
    secs += h.op_seconds(c, {.op = HostOp::Embedding, .elements = c.dim});
    calls += 1;
    const model::HostWork per_layer[] = {
        {.op = HostOp::RmsNorm, .layer = 0, .elements = c.dim},
        {.op = HostOp::Rope, .layer = 0, .elements = c.dim},
        {.op = HostOp::Attention, .layer = 0, .elements = c.dim, .pos = pos,
         .kv_bytes_read = 2 * (pos + 1) * kv_row, .kv_bytes_written = 2 * kv_row},
        {.op = HostOp::Residual, .layer = 0, .elements = c.dim},
        {.op = HostOp::RmsNorm, .layer = 0, .elements = c.dim},
        {.op = HostOp::SwiGlu, .layer = 0, .elements = c.hidden_dim},
        {.op = HostOp::Residual, .layer = 0, .elements = c.dim}};
    for (const auto& w : per_layer) secs += L * h.op_seconds(c, w);
    calls += 7.0 * L;
    kv_read += double(L) * 2 * (pos + 1) * kv_row;
    kv_write += double(L) * 2 * kv_row;
    secs += h.op_seconds(c, {.op = HostOp::FinalNorm, .elements = c.dim});
    secs += h.sample_seconds(c.vocab_size, true);
    calls += 2;
  }
  m.host_ops_s = secs / n;
  m.host_op_calls = calls / n;
  m.host_dram_read_bytes = kv_read / n;
  m.host_dram_write_bytes = kv_write / n;
  m.accel_start_s = h.overhead_seconds("accel_start").value_or(0.0);
  if (const auto s = h.overhead_seconds("irq_to_thread")) {
    m.irq_s = *s;
    m.irq_profiled = true;
  }

  {
    const dram::AddressMapper map(m.board.memory);
    for (int bit = 0; bit < 40; ++bit) {
      const dram::DramCoord c = map.decode(std::uint64_t(1) << bit);
      if (c.channel || c.rank || c.bank_group || c.bank || c.column) m.bank_period = std::int64_t(2) << bit;
    }
  }
  // The idle read latency of the PS path: one burst at a time on one port.
  if (!m.ps_only) {
    dram::MembenchOptions o;
    o.ports = {m.board.ps.default_port_map(1).at(0)};
    o.request_bytes = 64;
    o.outstanding = 1;
    o.clock_mhz = m.board.fabric.hp_port_max_clock_mhz;
    o.duration_us = 5;
    o.warmup_us = 1;
    const dram::MembenchResult r = dram::run_membench(m.board.memory, m.board.ps, o);
    m.idle_read_latency_ns = r.ports.at(0).avg_read_latency_cycles * 1e3 / o.clock_mhz;
  }
}

AnalyticalModel::~AnalyticalModel() = default;

// The sustained read bandwidth of the design's ports (membench: the same
// PsMemory + DramSystem as the system simulation), at the board's PL-PS
// clock limit, where the DDR side rather than the ports sets it; the
// point's own clock caps it in evaluate(). With one region per port, the
// ports' distance matters only modulo the address map's bank period (the
// rows above it change, the banks and columns the ports meet do not), and
// whether the ports share rows (a distance below the period).
MemoryCeiling AnalyticalModel::Impl::ceiling(const sim::DesignParams& d,
                                             const std::vector<std::string>& ports,
                                             std::int64_t stagger) const {
  std::string names;
  for (const auto& p : ports) names += p + ",";
  const std::int64_t distance =
      d.weight_chunk_bytes ? 0 : stagger % bank_period + (stagger >= bank_period ? bank_period : 0);
  const MemoryKey key{names, d.burst_bytes(), d.max_outstanding, d.wgt_buf_words * d.axi_bytes(),
                      d.weight_chunk_bytes, distance};
  CeilingCache& cache = ceiling_cache();
  {
    std::shared_lock lock(cache.mu);
    if (auto it = cache.map.find({board_id, key}); it != cache.map.end()) return it->second;
  }
  dram::MembenchOptions o;
  o.ports = ports;
  o.request_bytes = static_cast<std::uint32_t>(d.burst_bytes());
  o.outstanding = d.max_outstanding;
  o.clock_mhz = board.fabric.hp_port_max_clock_mhz;
  // Two refresh intervals, so that refresh costs what it costs on average.
  o.warmup_us = 4;
  o.duration_us = 2 * board.memory.timing.tREFI_ns / 1e3;
  o.interleave_bytes = static_cast<std::uint64_t>(d.weight_chunk_bytes);
  // The ports feed the row parser in lockstep, each through its weight
  // FIFO, whose free space is the reader's credit (docs/rtl.md).
  o.lockstep_fifo_bytes = static_cast<std::uint64_t>(d.wgt_buf_words) * std::uint64_t(d.axi_bytes());
  // Regions: port p's region starts p x port_bytes above port 0's, as the
  // memory map places one matrix's regions; membench adds k x stagger to its
  // (bank-aligned) bases.
  if (d.weight_chunk_bytes == 0) o.stagger_bytes = static_cast<std::uint64_t>(distance);
  const dram::MembenchResult r = dram::run_membench(board.memory, board.ps, o);
  MemoryCeiling c;
  c.bytes_per_ns = r.total_read_mbps * 1e6 / 1e9;
  const double bytes = r.dram_stats.value("bytes_read", 0.0);
  c.activates_per_byte = bytes > 0 ? r.dram_stats.value("activates", 0.0) / bytes : 0.0;
  std::unique_lock lock(cache.mu);
  cache.map.emplace(std::pair{board_id, key}, c);
  return c;
}

AnalyticalMetrics AnalyticalModel::evaluate(const sim::DesignParams& d) const {
  return impl_->evaluate(d);
}

AnalyticalMetrics AnalyticalModel::Impl::evaluate(const sim::DesignParams& d) const {
  AnalyticalMetrics r;
  const host::HostCostModel& h = *host;
  const model::QuantSpec spec = d.quant_spec();
  const model::BusGeometry bus = d.bus();

  // Resources and the clock.
  std::optional<double> fmax;
  if (resources) {
    const ResourceEstimate e = resources(d);
    r.lut = e.lut;
    r.ff = e.ff;
    r.dsp = e.dsp;
    r.bram36 = e.bram36;
    r.bram18 = e.bram18;
    r.fmax_mhz = e.fmax_mhz;
    fmax = e.fmax_mhz;
    const board::ResourceBudget& b = board.resources;
    r.lut_util = b.lut > 0 ? e.lut / double(b.lut) : kNaN;
    r.ff_util = b.ff > 0 ? e.ff / double(b.ff) : kNaN;
    r.dsp_util = b.dsp > 0 ? e.dsp / double(b.dsp) : kNaN;
    r.bram36_util = b.bram36 > 0 ? (e.bram36 + e.bram18 / 2) / double(b.bram36) : kNaN;
    r.fits_board = (b.lut <= 0 || e.lut <= b.lut) && (b.ff <= 0 || e.ff <= b.ff) &&
                   (b.dsp <= 0 || e.dsp <= b.dsp) &&
                   (b.bram36 <= 0 || e.bram36 + e.bram18 / 2 <= b.bram36);
  } else {
    r.lut = r.ff = r.dsp = r.bram36 = r.bram18 = r.fmax_mhz = kNaN;
    r.lut_util = r.ff_util = r.dsp_util = r.bram36_util = r.fits_board = kNaN;
  }
  const std::optional<double> requested =
      d.clock_mhz > 0 ? std::optional<double>(d.clock_mhz)
                      : std::optional<double>(board.fabric.clock_mhz);
  const ClockChoice clock = choose_clock(clock_mode, requested, fmax, pl_ps_limit_mhz);
  r.clock_mhz = clock.mhz;
  r.clock_limited_by = clock.limited_by == "requested" ? "requested"
                       : clock.limited_by == "fmax"    ? "fmax"
                                                       : "board_pl_ps_limit";
  r.timing_met = fmax ? (clock.mhz <= *fmax ? 1.0 : 0.0) : kNaN;
  const double f_hz = clock.mhz * 1e6;
  const double ns_per_cycle = 1e3 / clock.mhz;

  // Memory: the ports' sustained bandwidth, capped by what they carry at
  // this clock.
  const std::vector<std::string> ports =
      board.ps.port_map(d.ps_ports, d.weight_ports, "design");
  // A job streams at the ceiling of its own placement: with one region per
  // port, port p's region lies p x port_bytes above port 0's, and which
  // banks the ports meet depends on that distance (docs/memory.md).
  double latency_cycles = 0;
  const auto stream_ceiling = [&](std::int64_t port_bytes) {
    const MemoryCeiling c = ceiling(d, ports, port_bytes);
    struct {
      double bytes_per_cycle, activates_per_byte;
    } rate{std::min(c.bytes_per_ns * ns_per_cycle, double(d.weight_ports) * d.axi_bytes()),
           c.activates_per_byte};
    return rate;
  };
  if (!ps_only) latency_cycles = idle_read_latency_ns / ns_per_cycle + kInterconnectCycles;

  // One token.
  const double host_round = 0.5 / f_hz;  // each host charge is ceil()ed to a cycle
  double host_s = host_ops_s + host_op_calls * host_round;
  double accel_busy_cycles = 0, matvec_s = 0, mem_bound_cycles = 0, job_cycles_total = 0;
  double macs = 0, image_bytes = 0, wgt_words = 0, beats = 0;
  double dram_read = host_dram_read_bytes, dram_write = host_dram_write_bytes, activates = 0;
  double ps_only_s = host_ops_s;
  const int container = spec.act_bits <= 8 ? 1 : 2;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const JobGroup& grp = groups[gi];
    const int cols = model::padded_cols(grp.jobs.front().cols, spec.group_size);
    if (cols > d.act_buf_cols)
      throw_error("{} columns exceed the activation buffer (ActBufCols = {})", cols, d.act_buf_cols);
    const double x_bytes = double(model::activation_image_bytes(cols, spec, bus));
    double group_s = 0, ps_group_s = h.quantize_seconds(cols, spec.group_size);
    // Quantize x, clean its lines, write its image (rtl_backend.cpp).
    const double quant_s = h.quantize_seconds(cols, spec.group_size) + h.cache_clean_seconds(x_bytes) +
                           (idle_read_latency_ns * 1e-9 + x_bytes / (peak_gb_s * 1e9)) + 2 * host_round;
    r.group_us[5] += quant_s * grp.count * 1e6;
    dram_write += x_bytes;
    const std::size_t n = grp.jobs.size();
    const std::size_t wave = serial ? 1 : std::min<std::size_t>(n, std::size_t(d.job_queue_depth));
    for (std::size_t first = 0; first < n; first += wave) {
      const std::size_t last = std::min(n, first + wave);
      const double ops = double(last - first) * kCsrWritesPerJob + 1;
      // The driver call and the register accesses (host), then the
      // accesses on the bus, one per fabric cycle; the first job starts
      // after its nine.
      const double host_pre_s = accel_start_s + kCsrHostCycles * ops / f_hz + host_round;
      // The accelerator: the first job's dispatch and first read, its
      // activation image on port 0; then the jobs' rows, each row as long
      // as its beats or its bus words, whichever is more, unless the
      // memory stream is slower; an activation load and pipeline fill
      // between jobs; the last row's float tail and the result write.
      double compute = 0, bytes = 0, results = 0, stream = 0;
      for (std::size_t i = first; i < last; ++i) {
        const MatrixShape& mm = grp.jobs[i];
        const model::WeightImageLayout l = model::weight_image_layout(mm.rows, cols, spec, bus);
        const double row_beats = std::ceil(double(cols) / d.num_pe);
        const double per_row = std::max(row_beats, double(l.row_words()));
        // The activation load: one AXI word per cycle, or NumPe
        // activations when fewer fit a word's worth.
        const double act_per_cycle = std::min(double(d.axi_data_bits) / (8 * container), double(d.num_pe));
        const double act_load = std::ceil(cols / act_per_cycle) +
                                std::ceil(double(cols / spec.group_size) * 32 / d.axi_data_bits);
        compute += mm.rows * per_row + act_load + kFillCycles;
        bytes += double(l.bytes_read()) + x_bytes;
        if (!ps_only) {
          const auto c = stream_ceiling(l.port_bytes);
          stream += (double(l.bytes_read()) + x_bytes) / c.bytes_per_cycle;
          activates += double(l.bytes_read()) * c.activates_per_byte * grp.count;
        }
        results += 4.0 * mm.rows;
        macs += double(mm.rows) * mm.cols * grp.count;
        image_bytes += double(l.bytes_read()) * grp.count;
        wgt_words += double(l.bytes_read()) / d.axi_bytes() * grp.count;
        beats += mm.rows * row_beats * grp.count;
        ps_group_s += h.matvec_seconds(mm.rows, mm.cols, spec.weight_bits, spec.act_bits, spec.group_size);
      }
      const double body = std::max(compute, stream);
      // Result write: the last burst and its response.
      const double drain = kFloatTailCycles + std::ceil(std::log2(d.num_pe)) / 2 + latency_cycles;
      const double accel = kDispatchCycles + latency_cycles + body + drain;
      mem_bound_cycles += (stream > compute ? body : 0) * grp.count;
      job_cycles_total += body * grp.count;
      accel_busy_cycles += accel * grp.count;
      const double after_csr = std::max(accel, ops - kCsrWritesPerJob);
      const double post_s = (irq_profiled ? irq_s : kIrqCycles / f_hz) +
                            h.cache_invalidate_seconds(results) + 2 * host_round +
                            idle_read_latency_ns * 1e-9 + results / (peak_gb_s * 1e9);
      group_s += host_pre_s + (kCsrWritesPerJob + after_csr) / f_hz + post_s;
      dram_read += bytes - 0 + results;  // weights + x image; the host reads y back
      dram_write += results;
    }
    r.group_us[gi] = group_s * grp.count * 1e6;
    matvec_s += (group_s + quant_s) * grp.count;
    ps_only_s += ps_group_s * grp.count;
    if (ps_only) {
      const double q = h.quantize_seconds(cols, spec.group_size);
      r.group_us[gi] = (ps_group_s - q) * grp.count * 1e6;
      r.group_us[5] -= (quant_s - q) * grp.count * 1e6;
    }
  }
  if (ps_only) {
    // The host runs every product: no accelerator, the weights read by the
    // host (counted, as the simulator counts them).
    host_s = ps_only_s;
    matvec_s = 0;
    accel_busy_cycles = mem_bound_cycles = job_cycles_total = 0;
    dram_read = host_dram_read_bytes + image_bytes;
    dram_write = host_dram_write_bytes;
  }
  const double token_s = ps_only ? ps_only_s : host_s + matvec_s;
  r.tokens_per_s = 1.0 / token_s;
  r.token_latency_ms = token_s * 1e3;
  r.cycles_per_token = token_s * f_hz;
  r.matvec_ms_per_token = matvec_s * 1e3;
  r.host_ms_per_token = host_s * 1e3;
  r.mem_bound_fraction = job_cycles_total > 0 ? mem_bound_cycles / job_cycles_total : 0;
  r.achieved_bandwidth_gb_s = (dram_read + dram_write) / token_s / 1e9;
  // The roofline of metrics.h: min(memory, compute) tokens/s.
  const double port_peak = bus.bus_bits() / 8.0 * f_hz / 1e9;
  const double roof = std::min(std::min(peak_gb_s, port_peak) * 1e9 / image_bytes,
                               d.num_pe * f_hz / macs);
  r.roofline_percent = 100.0 * r.tokens_per_s / roof;

  // Energy: the events above, as the simulation's report gives them.
  if (energy) {
    EnergyInputs in;
    in.tokens = 1;
    in.seconds = token_s;
    in.macs_by_bits[spec.weight_bits] = ps_only ? 0.0 : macs;
    in.bram_reads = ps_only ? 0 : beats + wgt_words;
    in.bram_writes = ps_only ? 0 : wgt_words;
    in.dram_read_bytes = dram_read;
    in.dram_write_bytes = dram_write;
    in.dram_activates = ps_only ? image_bytes / board.memory.row_bytes : activates;
    in.accel_total_cycles = token_s * f_hz;
    in.accel_busy_cycles = std::min(accel_busy_cycles, in.accel_total_cycles);
    in.host_busy_seconds = std::min(ps_only ? token_s : token_s - accel_busy_cycles / f_hz, token_s);
    in.lut = ps_only || std::isnan(r.lut) ? 0 : r.lut;
    in.ff = ps_only || std::isnan(r.ff) ? 0 : r.ff;
    const EnergyBreakdown e = compute_energy(*energy, in, "analytical energy");
    r.j_per_token = e.j_per_token;
    r.avg_power_w = e.avg_power_w;
    r.tokens_per_j = e.tokens_per_j;
  } else {
    r.j_per_token = r.avg_power_w = r.tokens_per_j = kNaN;
  }
  return r;
}

namespace {

struct MetricField {
  const char* key;
  double AnalyticalMetrics::*field;
};

constexpr MetricField kFields[] = {
    {"tokens_per_s", &AnalyticalMetrics::tokens_per_s},
    {"token_latency_ms", &AnalyticalMetrics::token_latency_ms},
    {"cycles_per_token", &AnalyticalMetrics::cycles_per_token},
    {"clock_mhz", &AnalyticalMetrics::clock_mhz},
    {"matvec_ms_per_token", &AnalyticalMetrics::matvec_ms_per_token},
    {"host_ms_per_token", &AnalyticalMetrics::host_ms_per_token},
    {"achieved_bandwidth_gb_s", &AnalyticalMetrics::achieved_bandwidth_gb_s},
    {"roofline_percent", &AnalyticalMetrics::roofline_percent},
    {"mem_bound_fraction", &AnalyticalMetrics::mem_bound_fraction},
    {"j_per_token", &AnalyticalMetrics::j_per_token},
    {"avg_power_w", &AnalyticalMetrics::avg_power_w},
    {"tokens_per_j", &AnalyticalMetrics::tokens_per_j},
    {"lut", &AnalyticalMetrics::lut},
    {"ff", &AnalyticalMetrics::ff},
    {"dsp", &AnalyticalMetrics::dsp},
    {"bram36", &AnalyticalMetrics::bram36},
    {"bram18", &AnalyticalMetrics::bram18},
    {"fmax_mhz", &AnalyticalMetrics::fmax_mhz},
    {"lut_util", &AnalyticalMetrics::lut_util},
    {"ff_util", &AnalyticalMetrics::ff_util},
    {"dsp_util", &AnalyticalMetrics::dsp_util},
    {"bram36_util", &AnalyticalMetrics::bram36_util},
    {"fits_board", &AnalyticalMetrics::fits_board},
    {"timing_met", &AnalyticalMetrics::timing_met},
};

}  // namespace

const std::vector<std::string>& analytical_metric_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& f : kFields) k.emplace_back(f.key);
    return k;
  }();
  return keys;
}

std::optional<double> analytical_metric(const AnalyticalMetrics& m, std::string_view key) {
  for (const auto& f : kFields)
    if (key == f.key) {
      const double v = m.*f.field;
      if (std::isnan(v)) return std::nullopt;
      return v;
    }
  return std::nullopt;
}

PointResult analytical_point_result(const json& point, const EvalContext& ctx,
                                    const ResourceEstimator& resources) {
  PointResult r;
  const sim::DesignParams d = sim::design_params_from_json(need(point, "design"), "design");
  sim::check_rtl_legality(d, "design");
  const AnalyticalModel model(point, ctx, resources);
  r.metrics = model_byte_metrics(point);
  r.metrics.update(to_json(model.evaluate(d)));
  r.metrics["fidelity"] = "analytical";
  r.tools["analytical_model"] = "explorer/analytical.cpp (docs/analytical.md)";
  if (!resources)
    r.notes.push_back("synthesis switched off (evaluate.synthesize = false): no resource model, so "
                      "resources, Fmax and board fit are absent");
  return r;
}

json to_json(const AnalyticalMetrics& m) {
  json j = json::object();
  for (const auto& f : kFields) {
    const double v = m.*f.field;
    if (std::isnan(v)) continue;
    if (std::string_view(f.key) == "fits_board" || std::string_view(f.key) == "timing_met")
      j[f.key] = v != 0;
    else
      j[f.key] = v;
  }
  j["clock_limited_by"] = m.clock_limited_by;
  json ops = json::object();
  for (std::size_t i = 0; i < m.group_us.size(); ++i) ops[AnalyticalMetrics::kGroupNames[i]] = m.group_us[i];
  j["op_latency_us"] = ops;
  return j;
}

}  // namespace llamaf::dse
