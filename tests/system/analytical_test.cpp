// The analytical model (explorer/analytical.h) against the cycle-accurate
// system simulation on a fixed set of points: shipped designs of one, four
// and five ports, W8 and W4, regions and interleaved layouts, both schedule
// policies, on the stories15M shape (synthetic weights, one token, every
// layer cycle by cycle). docs/analytical.md states the bound checked here:
// |error| of tokens/s at most 2 % per point (measured: at most 1.2 %), and
// of each matrix-vector group's time at most 10 %.
#include "explorer/analytical.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using nlohmann::json;
const std::string kSrc = LLAMAF_SOURCE_DIR;
const std::string kBin = LLAMAF_BINARY_DIR;

json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return json::parse(in);
}

// The resolved point the explorer would hand its evaluator.
json point_for(const std::string& design, const std::string& policy) {
  return {{"design", read_json(kSrc + "/configs/designs/" + design + ".json")},
          {"board", read_json(kSrc + "/configs/boards/zcu102.json")},
          {"model", read_json(kSrc + "/configs/models/stories15M.json")},
          {"energy", read_json(kSrc + "/configs/energy/zcu102_16nm.json")},
          {"evaluate", {{"sim_tokens", 1}, {"clock", "requested"}, {"sim", {{"policy", policy}}}}},
          {"params", json::object()}};
}

json simulate(const std::string& sim, const std::string& design, const std::string& policy,
              const std::string& design_file = "") {
  const auto dir = std::filesystem::temp_directory_path() / "llamaf_analytical_test";
  std::filesystem::create_directories(dir);
  const std::string tag = design + "_" + policy;
  const std::string report = (dir / (tag + ".json")).string();
  const std::string cmd = fmt::format(
      "{}/llamaf-sim-{} --design {} --board {}/configs/boards/zcu102.json --shape "
      "{}/configs/models/stories15M.json -n 1 --policy {} --quiet --report {} > {} 2>&1",
      kBin, sim, design_file.empty() ? kSrc + "/configs/designs/" + design + ".json" : design_file,
      kSrc, kSrc, policy, report, (dir / (tag + ".log")).string());
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  return read_json(report);
}

}  // namespace

TEST_CASE("the analytical model is within 2 % of the cycle-accurate tokens/s on shipped designs",
          "[analytical]") {
  struct Case {
    const char* design;
    const char* sim;  // the simulator built for its RTL parameters
  };
  // tiny: 1 port, compute-bound; embedded_w4: W4; wide: 4 ports, regions,
  // at the port limit; large: 5 ports (HPC0 shares a path: lockstep);
  // zcu102_w4a8: 4 ports interleaved at 333 MHz, memory-bound.
  const Case cases[] = {{"tiny", "tiny"}, {"embedded_w4", "embedded_w4"}, {"wide", "wide"},
                        {"large", "large"}, {"zcu102_w4a8", "zcu102_w4a8"}};
  for (const Case& c : cases)
    for (const char* policy : {"overlapped", "serial"}) {
      const json rep = simulate(c.sim, c.design, policy);
      const json point = point_for(c.design, policy);
      const llamaf::dse::AnalyticalModel model(point, {}, {});
      const llamaf::dse::AnalyticalMetrics a =
          model.evaluate(llamaf::sim::design_params_from_json(point["design"], c.design));
      const double rtl = rep["total"]["tokens_per_s"].get<double>();
      const double err = a.tokens_per_s / rtl - 1;
      INFO(c.design << " " << policy << ": analytical " << a.tokens_per_s << " tokens/s, "
                    << "cycle-accurate " << rtl << " (" << 100 * err << " %)");
      CHECK(std::abs(err) <= 0.02);
      // Each group of matrix-vector products, per token.
      const json& ops = rep["total"]["operators"];
      for (std::size_t g = 0; g < a.group_us.size(); ++g) {
        const std::string name = llamaf::dse::AnalyticalMetrics::kGroupNames[g];
        REQUIRE(ops.contains(name));
        const double us = ops[name]["seconds"].get<double>() * 1e6;
        INFO(name << ": analytical " << a.group_us[g] << " us, cycle-accurate " << us);
        CHECK(std::abs(a.group_us[g] / us - 1) <= 0.10);
      }
    }
}
