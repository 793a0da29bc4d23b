// Activity counters of the system simulation and their JSON form.
#include "sim/system/activity.h"

#include <nlohmann/json.hpp>

namespace llamaf::sim {

DramActivity DramActivity::of(const dram::DramStats& s, std::uint32_t host_source) {
  DramActivity d;
  d.reads = double(s.read_bursts);
  d.writes = double(s.write_bursts);
  d.activates = double(s.activates);
  d.precharges = double(s.precharges);
  d.refreshes = double(s.refreshes);
  d.row_hits = double(s.row_hits);
  d.row_misses = double(s.row_misses);
  d.row_conflicts = double(s.row_conflicts);
  d.bytes_read = double(s.bytes_read);
  d.bytes_written = double(s.bytes_written);
  d.bus_busy_cycles = double(s.data_bus_busy_cycles);
  for (std::uint32_t i = 0; i < s.per_source.size(); ++i) {
    const double b = double(s.per_source[i].read_bytes + s.per_source[i].write_bytes);
    (i == host_source ? d.host_bytes : d.accel_bytes) += b;
  }
  return d;
}

AccelActivity AccelActivity::of(const csr::Counters& c) {
  return {double(c.busy),        double(c.compute), double(c.mem_stall),
          double(c.bytes_read),  double(c.bytes_written), double(c.macs),
          double(c.act_buf_reads), double(c.wgt_buf_writes)};
}

namespace {

template <class F>
void each_field(DramActivity& a, const DramActivity& b, F f) {
  f(a.reads, b.reads); f(a.writes, b.writes); f(a.activates, b.activates);
  f(a.precharges, b.precharges); f(a.refreshes, b.refreshes); f(a.row_hits, b.row_hits);
  f(a.row_misses, b.row_misses); f(a.row_conflicts, b.row_conflicts);
  f(a.bytes_read, b.bytes_read); f(a.bytes_written, b.bytes_written);
  f(a.bus_busy_cycles, b.bus_busy_cycles); f(a.accel_bytes, b.accel_bytes);
  f(a.host_bytes, b.host_bytes);
}

template <class F>
void each_field(AccelActivity& a, const AccelActivity& b, F f) {
  f(a.busy, b.busy); f(a.compute, b.compute); f(a.mem_stall, b.mem_stall);
  f(a.bytes_read, b.bytes_read); f(a.bytes_written, b.bytes_written); f(a.macs, b.macs);
  f(a.act_buf_reads, b.act_buf_reads); f(a.wgt_buf_writes, b.wgt_buf_writes);
}

// Applies f to every counter of a and the matching one of b.
template <class F>
void each_counter(Activity& a, const Activity& b, F f) {
  f(a.cycles, b.cycles);
  each_field(a.accel, b.accel, f);
  each_field(a.dram, b.dram, f);
  f(a.host_busy_cycles, b.host_busy_cycles);
  f(a.extrapolated_cycles, b.extrapolated_cycles);
  f(a.jobs, b.jobs);
}

}  // namespace

Activity& Activity::operator+=(const Activity& o) {
  each_counter(*this, o, [](double& x, double y) { x += y; });
  for (const auto& [k, v] : o.op_cycles) op_cycles[k] += v;
  return *this;
}

Activity Activity::operator-(const Activity& o) const {
  Activity r = *this;
  each_counter(r, o, [](double& x, double y) { x -= y; });
  return r;
}

Activity Activity::scaled(double f) const {
  Activity r = *this;
  each_counter(r, r, [f](double& x, double) { x *= f; });
  for (auto& [k, v] : r.op_cycles) v *= f;
  return r;
}

nlohmann::json to_json(const Activity& a, double clock_mhz, double dram_peak_gbps) {
  const double seconds = a.cycles / (clock_mhz * 1e6);
  const double dram_bytes = a.dram.bytes_read + a.dram.bytes_written;
  const double bursts = a.dram.row_hits + a.dram.row_misses + a.dram.row_conflicts;
  nlohmann::json ops = nlohmann::json::object();
  for (const auto& [k, v] : a.op_cycles) ops[k] = {{"cycles", v}, {"seconds", v / (clock_mhz * 1e6)}};
  return {
      {"cycles", a.cycles},
      {"seconds", seconds},
      {"extrapolated_cycles", a.extrapolated_cycles},
      {"jobs", a.jobs},
      {"operators", ops},
      {"accelerator",
       {{"busy_cycles", a.accel.busy},
        {"compute_cycles", a.accel.compute},
        {"mem_stall_cycles", a.accel.mem_stall},
        {"bytes_read", a.accel.bytes_read},
        {"bytes_written", a.accel.bytes_written},
        {"wgt_buf_writes", a.accel.wgt_buf_writes},
        // Derived, not counted by the RTL: every PE beat is NumPe MACs and
        // one activation-buffer read (csr::read_counters fills these two),
        // every weight-FIFO word is read once, and every result (4 strobed
        // bytes) is written once to the result FIFO and read once by the
        // AXI writer.
        {"macs", a.accel.macs},
        {"act_buf_reads", a.accel.act_buf_reads},
        {"wgt_buf_reads", a.accel.wgt_buf_writes},
        {"out_buf_writes", a.accel.bytes_written / 4},
        {"out_buf_reads", a.accel.bytes_written / 4},
        {"macs_per_busy_cycle", a.accel.busy > 0 ? a.accel.macs / a.accel.busy : 0.0}}},
      {"dram",
       {{"read_bursts", a.dram.reads},
        {"write_bursts", a.dram.writes},
        {"activates", a.dram.activates},
        {"precharges", a.dram.precharges},
        {"refreshes", a.dram.refreshes},
        {"row_hits", a.dram.row_hits},
        {"row_misses", a.dram.row_misses},
        {"row_conflicts", a.dram.row_conflicts},
        {"row_hit_rate", bursts > 0 ? a.dram.row_hits / bursts : 0.0},
        {"bytes_read", a.dram.bytes_read},
        {"bytes_written", a.dram.bytes_written},
        {"accelerator_bytes", a.dram.accel_bytes},
        {"host_bytes", a.dram.host_bytes},
        {"data_bus_busy_cycles", a.dram.bus_busy_cycles},
        {"achieved_gbps", seconds > 0 ? dram_bytes / seconds / 1e9 : 0.0},
        {"peak_gbps", dram_peak_gbps},
        {"percent_of_peak", seconds > 0 ? 100.0 * dram_bytes / seconds / 1e9 / dram_peak_gbps : 0.0}}},
      {"host", {{"busy_cycles", a.host_busy_cycles}, {"busy_seconds", a.host_busy_cycles / (clock_mhz * 1e6)}}},
  };
}

}  // namespace llamaf::sim
