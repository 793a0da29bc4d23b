// `llamaf energy`: the energy model (explorer/energy.h) applied to `llamaf
// sim` reports: tokens/J, average power and the breakdown of each report,
// and, with --baseline, the energy-efficiency gain over a PS-only report of
// the same board and model (docs/explore.md, "Energy").
#include "explorer/cli/commands.h"

#include "explorer/energy.h"
#include "explorer/point_eval.h"
#include "sim/model/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace llamaf::cli {

namespace {

struct EnergyOptions {
  std::vector<std::string> reports;
  std::string table;
  std::string baseline;
  double lut = 0, ff = 0;
};

dse::EnergyBreakdown energy_of(const std::string& path, const dse::EnergyTable& table, double lut,
                               double ff, nlohmann::json* rep_out) {
  std::ifstream in(path);
  if (!in) throw_error("{}: cannot open", path);
  nlohmann::json rep;
  try {
    rep = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: not JSON: {}", path, e.what());
  }
  const dse::StageOutcome o = dse::sim_report_metrics(rep);
  dse::EnergyInputs e = dse::energy_inputs_from_json(o.events, path);
  // PS-only: no accelerator logic in the system.
  if (rep.value("policy", "") != "ps_only") {
    e.lut = lut;
    e.ff = ff;
  }
  if (rep_out) *rep_out = rep;
  return dse::compute_energy(table, e, path);
}

int run(const EnergyOptions& o) {
  const dse::EnergyTable table = dse::load_energy_table(o.table);
  double base_tpj = 0;
  if (!o.baseline.empty()) {
    nlohmann::json b;
    const dse::EnergyBreakdown be = energy_of(o.baseline, table, 0, 0, &b);
    if (b.value("policy", "") != "ps_only")
      throw_error("--baseline {}: expected a report of --policy ps_only", o.baseline);
    base_tpj = be.tokens_per_j;
    fmt::print("{}: PS-only {:.4f} tokens/J, {:.3f} W\n", o.baseline, be.tokens_per_j, be.avg_power_w);
  }
  fmt::print("{:<40} {:>10} {:>10} {:>8} {:>10}  {}\n", "report", "policy", "tokens/J", "W", "J/token",
             base_tpj > 0 ? "gain vs PS-only" : "");
  for (const std::string& r : o.reports) {
    nlohmann::json rep;
    const dse::EnergyBreakdown e = energy_of(r, table, o.lut, o.ff, &rep);
    fmt::print("{:<40} {:>10} {:>10.4f} {:>8.3f} {:>10.3f}  {}\n", r, rep.value("policy", "?"),
               e.tokens_per_j, e.avg_power_w, e.j_per_token,
               base_tpj > 0 ? fmt::format("{:.2f}x", e.tokens_per_j / base_tpj) : "");
    const double per = e.total_j > 0 ? e.j_per_token / e.total_j : 0.0;
    fmt::print("    J/token: fabric MAC {:.4f}, fabric memory {:.4f}, fabric clock/logic {:.4f}, DRAM "
               "dynamic {:.4f}, DRAM background {:.4f}, host {:.4f}, device static {:.4f}\n",
               e.fabric_mac_j * per, e.fabric_memory_j * per, e.fabric_clock_logic_j * per,
               e.dram_dynamic_j * per, e.dram_background_j * per, e.host_j * per,
               e.device_static_j * per);
  }
  return 0;
}

}  // namespace

void add_energy_command(CLI::App& app) {
  auto o = std::make_shared<EnergyOptions>();
  auto* cmd = app.add_subcommand(
      "energy", "Energy of llamaf sim reports (tokens/J, W, breakdown) from an energy table, and "
                "the energy-efficiency gain over a PS-only report (--baseline)");
  cmd->add_option("reports", o->reports, "llamaf sim --report files")->required();
  cmd->add_option("--table", o->table, "configs/energy/X.json")->required();
  cmd->add_option("--baseline", o->baseline, "report of a --policy ps_only run (same board and model)");
  cmd->add_option("--lut", o->lut, "LUTs of the accelerator (fabric clock/logic term; 0: left out)");
  cmd->add_option("--ff", o->ff, "flip-flops of the accelerator (fabric clock/logic term)");
  cmd->callback([o] {
    const int rc = run(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace llamaf::cli
