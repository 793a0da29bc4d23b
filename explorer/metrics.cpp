// The known metric keys of design-point records.
#include "explorer/metrics.h"

namespace llamaf::dse {

const std::vector<std::string>& metric_keys() {
  static const std::vector<std::string> keys = {
      // byte accounting and roofline (point_eval.cpp, always)
      "weight_bytes_per_token", "scale_bytes_per_token", "activation_bytes_per_token",
      "result_bytes_per_token", "image_bytes_per_token", "float32_bytes_per_token",
      "macs_per_token", "bits_per_weight", "quant", "dram_peak_gb_s", "port_peak_gb_s",
      "roofline_bandwidth_gb_s", "roofline_tokens_per_s",
      // accuracy (evaluate.accuracy)
      "top1_agreement", "mean_kl_nats", "perplexity_float32", "perplexity_quantized",
      "accuracy_positions",
      // synthesis and board fit (evaluate.synthesize)
      "lut", "ff", "dsp", "bram36", "bram18", "lutram", "srl", "lut_util", "ff_util", "dsp_util",
      "bram36_util", "fits_board",
      // timing (evaluate.synthesize with OpenSTA) and the evaluated clock (clock.h)
      "fmax_mhz", "critical_path", "critical_path_ns", "clock_mhz", "clock_limited_by",
      "timing_met", "timing_slack_ns",
      // cycle-accurate simulation (evaluate.simulate)
      "tokens_per_s", "cycles_per_token", "token_latency_ms", "achieved_bandwidth_gb_s",
      "dram_row_hit_rate", "macs_per_busy_cycle", "sim_percent_of_roofline", "sim_positions",
      "sim_mode",
      // energy (with a base.energy table and a simulation)
      "j_per_token", "avg_power_w", "tokens_per_j",
      // the PS-only baseline of the same board and model (evaluate.sim.baseline)
      "ps_only_tokens_per_s", "speedup_vs_ps_only", "ps_only_tokens_per_j", "ps_only_avg_power_w",
      "energy_efficiency_gain_vs_ps_only"};
  return keys;
}

const std::vector<std::string>& metric_object_prefixes() {
  static const std::vector<std::string> p = {"op_latency_us", "energy_j_per_token"};
  return p;
}

bool is_metric_key(const std::string& key) {
  for (const std::string& k : metric_keys())
    if (k == key) return true;
  for (const std::string& p : metric_object_prefixes())
    if (key.size() > p.size() + 1 && key.compare(0, p.size(), p) == 0 && key[p.size()] == '.')
      return true;
  return false;
}

}  // namespace llamaf::dse
