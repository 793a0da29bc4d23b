// `llamaf synth`: FPGA resources of a design point from Yosys synth_xilinx
// (xcup), cached by a hash of the RTL and the parameters.
#include "explorer/cli/commands.h"

#include "explorer/synth.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace llamaf::cli {

namespace {

struct SynthCmdOptions {
  std::string design;
  std::string rtl_dir = LLAMAF_SOURCE_DIR "/rtl";
  std::string cache_dir;
  std::string yosys = "yosys";
  bool json = false;
  bool no_cache = false;
};

void run_synth(const SynthCmdOptions& o) {
  dse::SynthOptions opt;
  opt.rtl_dir = o.rtl_dir;
  opt.cache_dir = o.cache_dir;
  opt.yosys = o.yosys;
  opt.use_cache = !o.no_cache;
  const dse::SynthResult r = dse::synthesize(o.design, opt);
  if (o.json) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : r.parameters) params[k] = v;
    const nlohmann::json j = {{"design", r.design},
                              {"parameters", params},
                              {"resources", dse::to_json(r.resources)},
                              {"cache_key", r.key},
                              {"from_cache", r.from_cache}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  const dse::SynthResources& s = r.resources;
  fmt::print("design {} (yosys synth_xilinx -family xcup{})\n", r.design,
             r.from_cache ? ", cached" : "");
  fmt::print("  {:<10} {:>10}\n", "LUT", s.lut);
  fmt::print("  {:<10} {:>10}\n", "FF", s.ff);
  fmt::print("  {:<10} {:>10}\n", "DSP48E2", s.dsp);
  fmt::print("  {:<10} {:>10}\n", "RAMB36", s.bram36);
  fmt::print("  {:<10} {:>10}\n", "RAMB18", s.bram18);
  fmt::print("  {:<10} {:>10}   (LUTs as distributed RAM)\n", "LUTRAM", s.lutram);
  fmt::print("  {:<10} {:>10}\n", "SRL", s.srl);
  fmt::print("  {:<10} {:>10}\n", "CARRY", s.carry);
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto o = std::make_shared<SynthCmdOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "FPGA resources of a design (Yosys synth_xilinx -family xcup), cached");
  cmd->add_option("--design", o->design, "Design JSON (configs/designs/*.json)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->add_flag("--no-cache", o->no_cache, "Run Yosys even when a cached result exists");
  cmd->add_option("--rtl-dir", o->rtl_dir, "Folder of the RTL sources")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--cache-dir", o->cache_dir,
                  "Result cache (default $LLAMAF_CACHE_DIR/synth or ~/.cache/llamaf/synth)");
  cmd->add_option("--yosys", o->yosys, "Yosys executable");
  cmd->callback([o] { run_synth(*o); });
}

}  // namespace llamaf::cli
