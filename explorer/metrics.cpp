// The metric registry and the derived (roofline) metrics.
#include "explorer/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace llamaf::dse {

const std::vector<MetricDef>& metric_defs() {
  // {key, unit, type, better, stage, label, definition}. One line per metric, grouped
  // by the stage that computes it (explorer/point_eval.cpp and the files it
  // calls); a new metric is one more line here, and docs/metrics.md is
  // regenerated with `llamaf metrics --markdown`.
  static const std::vector<MetricDef> defs = {
      // byte accounting (point_eval.cpp model_byte_metrics, always)
      {"quant", "", "string", "", "bytes", "quantization", "weight/activation bits, group size and scale format, e.g. w8a8g256fp32"},
      {"macs_per_token", "MAC", "integer", "", "bytes", "MACs per token", "multiply-accumulates of every matrix-vector product of one token (classifier included)"},
      {"weight_bytes_per_token", "B", "integer", "lower", "bytes", "weight bytes per token", "bus words holding quantized weights, read once per token, in bytes"},
      {"scale_bytes_per_token", "B", "integer", "lower", "bytes", "scale bytes per token", "bus words holding group scales, read once per token, in bytes"},
      {"image_bytes_per_token", "B", "integer", "lower", "bytes", "weight image bytes per token", "packed weight image of every matrix (weights + scales + padding), the bytes the accelerator streams per token"},
      {"activation_bytes_per_token", "B", "integer", "", "bytes", "activation bytes per token", "quantized activation vectors sent to the accelerator per token"},
      {"result_bytes_per_token", "B", "integer", "", "bytes", "result bytes per token", "float32 results written back per token (4 B per output row)"},
      {"float32_bytes_per_token", "B", "integer", "", "bytes", "float32 weight bytes per token", "the same weights stored as float32: 4 x macs_per_token"},
      {"bits_per_weight", "bit", "number", "lower", "bytes", "stored bits per weight", "8 x image_bytes_per_token / macs_per_token (weights + scales + padding)"},
      // roofline (point_eval.cpp and add_derived_metrics)
      {"dram_peak_gb_s", "GB/s", "number", "", "roofline", "DRAM peak bandwidth", "board DRAM peak: data rate x bus width (10^9 B/s)"},
      {"port_peak_gb_s", "GB/s", "number", "", "roofline", "PL-PS port peak bandwidth", "accelerator AXI ports: ports x data bytes x clock_mhz (10^9 B/s)"},
      {"roofline_bandwidth_gb_s", "GB/s", "number", "", "roofline", "memory roof", "min(dram_peak_gb_s, port_peak_gb_s): the bandwidth the weight stream can attain"},
      {"compute_peak_gmac_s", "GMAC/s", "number", "", "roofline", "compute roof", "NumPe x clock_mhz / 1000: the MACs per second of the PE array"},
      {"operational_intensity_macs_per_byte", "MAC/B", "number", "", "roofline", "operational intensity", "macs_per_token / image_bytes_per_token"},
      {"roofline_tokens_per_s", "tokens/s", "number", "higher", "roofline", "roofline throughput", "min(roofline_bandwidth_gb_s x 10^9 / image_bytes_per_token, compute_peak_gmac_s x 10^9 / macs_per_token): the attainable upper bound"},
      {"roofline_bound", "", "string", "", "roofline", "roofline bound", "\"memory\" or \"compute\": which roof sets roofline_tokens_per_s"},
      {"roofline_percent", "%", "number", "higher", "roofline", "share of roofline", "100 x tokens_per_s / roofline_tokens_per_s"},
      // accuracy (evaluate.accuracy)
      {"top1_agreement", "", "number", "higher", "accuracy", "top-1 agreement", "fraction of positions whose quantized-model argmax equals the float32 model's"},
      {"mean_kl_nats", "nat", "number", "lower", "accuracy", "mean KL divergence", "mean over positions of KL(float32 || quantized) of the next-token distributions"},
      {"perplexity_float32", "", "number", "", "accuracy", "float32 perplexity", "perplexity of the float32 model on the sampled sequence"},
      {"perplexity_quantized", "", "number", "lower", "accuracy", "quantized perplexity", "perplexity of the quantized (golden) model on the same sequence"},
      {"accuracy_positions", "", "integer", "", "accuracy", "positions compared", "teacher-forced positions the accuracy metrics average over"},
      // synthesis and board fit (evaluate.synthesize)
      {"lut", "", "integer", "lower", "synthesis", "LUTs", "LUT1..LUT6 cells after Yosys synth_xilinx (INV excluded)"},
      {"ff", "", "integer", "lower", "synthesis", "flip-flops", "flip-flop cells after Yosys synth_xilinx"},
      {"dsp", "", "integer", "lower", "synthesis", "DSP48E2", "DSP48E2 cells after Yosys synth_xilinx"},
      {"bram36", "", "integer", "lower", "synthesis", "RAMB36", "RAMB36E2 cells"},
      {"bram18", "", "integer", "lower", "synthesis", "RAMB18", "RAMB18E2 cells"},
      {"lutram", "", "integer", "lower", "synthesis", "LUTRAM", "LUTs used as distributed RAM"},
      {"srl", "", "integer", "lower", "synthesis", "SRL", "LUTs used as shift registers"},
      {"lut_util", "", "number", "lower", "synthesis", "LUT utilisation", "lut / board LUTs (fraction)"},
      {"ff_util", "", "number", "lower", "synthesis", "FF utilisation", "ff / board FFs (fraction)"},
      {"dsp_util", "", "number", "lower", "synthesis", "DSP utilisation", "dsp / board DSPs (fraction)"},
      {"bram36_util", "", "number", "lower", "synthesis", "BRAM utilisation", "(bram36 + bram18 / 2) / board RAMB36 (fraction)"},
      {"fits_board", "", "boolean", "higher", "synthesis", "fits the board", "every *_util <= 1"},
      // timing (OpenSTA) and the evaluated clock (clock.h)
      {"fmax_mhz", "MHz", "number", "higher", "timing", "estimated Fmax", "1000 / critical_path_ns, static timing on the mapped netlist (no place and route)"},
      {"critical_path", "", "string", "", "timing", "critical path", "start -> end register pins, or the primitive cap that set the Fmax"},
      {"critical_path_ns", "ns", "number", "lower", "timing", "critical path delay", "minimum clock period of the mapped netlist"},
      {"clock_mhz", "MHz", "number", "", "timing", "clock", "the fabric clock the point is evaluated at (evaluate.clock)"},
      {"clock_limited_by", "", "string", "", "timing", "clock limited by", "requested, fmax or board_pl_ps_limit"},
      {"timing_met", "", "boolean", "higher", "timing", "meets timing", "clock_mhz <= fmax_mhz"},
      {"timing_slack_ns", "ns", "number", "higher", "timing", "timing slack", "1000 / clock_mhz - 1000 / fmax_mhz (negative: violated)"},
      // cycle-accurate simulation (evaluate.simulate)
      {"tokens_per_s", "tokens/s", "number", "higher", "simulation", "throughput", "simulated positions / simulated seconds (cycles / clock)"},
      {"cycles_per_token", "cycle", "number", "lower", "simulation", "cycles per token", "accelerator clock cycles per simulated position"},
      {"token_latency_ms", "ms", "number", "lower", "simulation", "latency per token", "simulated seconds per position x 1000"},
      {"achieved_bandwidth_gb_s", "GB/s", "number", "", "simulation", "achieved DRAM bandwidth", "DRAM bytes moved / simulated seconds (10^9 B/s)"},
      {"dram_row_hit_rate", "", "number", "higher", "simulation", "DRAM row-hit rate", "column accesses that hit an open row (fraction)"},
      {"macs_per_busy_cycle", "MAC/cycle", "number", "higher", "simulation", "MACs per busy cycle", "MACs / accelerator busy cycles"},
      {"sim_positions", "", "integer", "", "simulation", "simulated positions", "token positions the simulation ran"},
      {"sim_mode", "", "string", "", "simulation", "simulation mode", "full (every layer) or fast (evaluate.sim.sim_layers)"},
      {"op_latency_us.*", "us", "number", "lower", "simulation", "latency per token", "simulated time per token spent in one operator (matvec, attention, ...)"},
      // the PS memory path (simulation report ps_stats; docs/memory.md)
      {"ps_port_read_gb_s.*", "GB/s", "number", "higher", "simulation", "port read bandwidth", "read bytes of one PL-PS port (or the host's APU port) / simulated seconds"},
      {"ps_port_read_latency_ns.*", "ns", "number", "lower", "simulation", "port read latency", "mean read latency of one PL-PS port over the run (report ps_stats.pl_ports.<port>.mean_read_latency_ns)"},
      {"xpi_queue_bursts.*", "burst", "number", "lower", "simulation", "controller port queue", "mean bursts queued at one DDR controller (XPI) port"},
      {"xpi_cam_blocked.*", "", "number", "lower", "simulation", "controller port blocked", "fraction of time one XPI port's queue head waits for a full controller command queue"},
      {"ps_port_read_gb_s_min", "GB/s", "number", "higher", "simulation", "slowest port bandwidth", "minimum of ps_port_read_gb_s over the accelerator's ports"},
      {"ps_port_read_gb_s_max", "GB/s", "number", "", "simulation", "fastest port bandwidth", "maximum of ps_port_read_gb_s over the accelerator's ports"},
      {"ps_port_read_latency_ns_max", "ns", "number", "lower", "simulation", "worst port latency", "maximum of ps_port_read_latency_ns over the accelerator's ports"},
      {"xpi_queue_bursts_max", "burst", "number", "lower", "simulation", "longest controller queue", "maximum of xpi_queue_bursts over the controller ports"},
      {"xpi_cam_blocked_max", "", "number", "lower", "simulation", "most blocked controller port", "maximum of xpi_cam_blocked over the controller ports"},
      // energy (base.energy and a simulation; explorer/energy.h)
      {"j_per_token", "J", "number", "lower", "energy", "energy per token", "modelled energy of the run / tokens"},
      {"avg_power_w", "W", "number", "lower", "energy", "average power", "modelled energy / simulated seconds"},
      {"tokens_per_j", "tokens/J", "number", "higher", "energy", "energy efficiency", "tokens / modelled energy"},
      {"energy_j_per_token.*", "J", "number", "lower", "energy", "energy per token", "one term of j_per_token (fabric_mac, dram_dynamic, host, ...)"},
      // the PS-only baseline of the same board and model (evaluate.sim.baseline)
      {"ps_only_tokens_per_s", "tokens/s", "number", "", "baseline", "PS-only throughput", "tokens_per_s of the same board and model with every operator on the host (--policy ps_only)"},
      {"speedup_vs_ps_only", "", "number", "higher", "baseline", "speed-up over PS-only", "tokens_per_s / ps_only_tokens_per_s"},
      {"ps_only_tokens_per_j", "tokens/J", "number", "", "baseline", "PS-only energy efficiency", "tokens_per_j of the PS-only run (same energy model)"},
      {"ps_only_avg_power_w", "W", "number", "", "baseline", "PS-only average power", "avg_power_w of the PS-only run"},
      {"energy_efficiency_gain_vs_ps_only", "", "number", "higher", "baseline", "energy-efficiency gain over PS-only", "tokens_per_j / ps_only_tokens_per_j"},
  };
  return defs;
}

namespace {

bool is_family(const MetricDef& d) { return d.key.size() > 2 && d.key.ends_with(".*"); }

}  // namespace

const MetricDef* find_metric(const std::string& key) {
  for (const MetricDef& d : metric_defs()) {
    if (!is_family(d)) {
      if (d.key == key) return &d;
      continue;
    }
    const std::size_t n = d.key.size() - 1;  // "op_latency_us."
    if (key.size() > n && key.compare(0, n, d.key, 0, n) == 0) return &d;
  }
  return nullptr;
}

std::vector<std::string> metric_keys() {
  std::vector<std::string> keys;
  for (const MetricDef& d : metric_defs())
    if (!is_family(d)) keys.push_back(d.key);
  return keys;
}

std::vector<std::string> metric_object_prefixes() {
  std::vector<std::string> p;
  for (const MetricDef& d : metric_defs())
    if (is_family(d)) p.push_back(d.key.substr(0, d.key.size() - 2));
  return p;
}

bool is_metric_key(const std::string& key) { return find_metric(key) != nullptr; }

std::string renamed_metric(const std::string& key) {
  // sim_percent_of_roofline measured against the DDR peak and weight+scale
  // bytes, beside a roofline_tokens_per_s against min(port, DDR): one
  // roofline now, roofline_percent against roofline_tokens_per_s.
  if (key == "sim_percent_of_roofline") return "roofline_percent";
  return "";
}

std::string metric_axis_label(const std::string& key) {
  const MetricDef* d = find_metric(key);
  if (!d) return key;
  std::string label = d->label;
  if (d->key.ends_with(".*")) label = key.substr(d->key.size() - 1) + " " + label;
  return d->unit.empty() ? label : fmt::format("{} ({})", label, d->unit);
}

void add_derived_metrics(nlohmann::json& m) {
  if (!m.is_object()) return;
  m.erase("sim_percent_of_roofline");
  auto num = [&m](const char* k) -> std::optional<double> {
    const auto it = m.find(k);
    if (it == m.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  const auto macs = num("macs_per_token"), bytes = num("image_bytes_per_token");
  if (macs && bytes && *bytes > 0) m["operational_intensity_macs_per_byte"] = *macs / *bytes;
  std::optional<double> memory_roof, compute_roof;  // tokens/s
  if (const auto bw = num("roofline_bandwidth_gb_s"); bw && bytes && *bytes > 0)
    memory_roof = *bw * 1e9 / *bytes;
  if (const auto peak = num("compute_peak_gmac_s"); peak && macs && *macs > 0)
    compute_roof = *peak * 1e9 / *macs;
  if (!memory_roof && !compute_roof) return;
  const bool memory_bound = memory_roof && (!compute_roof || *memory_roof <= *compute_roof);
  const double roof = memory_bound ? *memory_roof : *compute_roof;
  m["roofline_tokens_per_s"] = roof;
  // A bound from one roof only is still an upper bound, but which roof binds
  // is known only when both are.
  if (memory_roof && compute_roof) m["roofline_bound"] = memory_bound ? "memory" : "compute";
  if (const auto t = num("tokens_per_s"); t && roof > 0) m["roofline_percent"] = 100.0 * *t / roof;
}

std::string metrics_markdown() {
  std::string md =
      "| metric | unit | type | better | stage | definition |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  for (const MetricDef& d : metric_defs()) {
    std::string def;
    for (char c : d.definition) def += c == '|' ? std::string("\\|") : std::string(1, c);
    md += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n",
                      is_family(d) ? d.key.substr(0, d.key.size() - 1) + "<name>" : d.key,
                      d.unit.empty() ? "–" : d.unit, d.type, d.better.empty() ? "–" : d.better,
                      d.stage, def);
  }
  return md;
}

}  // namespace llamaf::dse
