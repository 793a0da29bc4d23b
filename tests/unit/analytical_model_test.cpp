// The analytical model's structure without a simulator (its accuracy
// against the cycle-accurate simulation: tests/system/analytical_test.cpp):
// what it refuses, the clock it picks with a resource estimate, the PS-only
// baseline, the memory ceiling, and its metric keys.
#include "explorer/analytical.h"
#include "sim/model/error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace {

using nlohmann::json;
using llamaf::dse::AnalyticalMetrics;
using llamaf::dse::AnalyticalModel;
const std::string kSrc = LLAMAF_SOURCE_DIR;

json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return json::parse(in);
}

json point_for(const std::string& design, json evaluate) {
  return {{"design", read_json(kSrc + "/configs/designs/" + design + ".json")},
          {"board", read_json(kSrc + "/configs/boards/zcu102.json")},
          {"model", read_json(kSrc + "/configs/models/tinyllama-1.1b.json")},
          {"energy", read_json(kSrc + "/configs/energy/zcu102_16nm.json")},
          {"evaluate", std::move(evaluate)},
          {"params", json::object()}};
}

AnalyticalMetrics evaluate(const json& point, const llamaf::dse::ResourceEstimator& r = {}) {
  const AnalyticalModel m(point, {}, r);
  return m.evaluate(llamaf::sim::design_params_from_json(point["design"], "design"));
}

}  // namespace

TEST_CASE("the analytical model refuses what it does not model, naming the way out",
          "[analytical]") {
  CHECK_THROWS_WITH(AnalyticalModel(point_for("wide", {{"sim", {{"policy", "staged_async"}}}}), {}, {}),
                    Catch::Contains("staged_async") && Catch::Contains("--fidelity rtl"));
  CHECK_THROWS_WITH(AnalyticalModel(point_for("wide", {{"clock", "min"}}), {}, {}),
                    Catch::Contains("needs an Fmax"));
  json no_board = point_for("wide", json::object());
  no_board.erase("board");
  CHECK_THROWS_WITH(AnalyticalModel(no_board, {}, {}), Catch::Contains("\"board\""));
  // A matrix wider than the activation buffer cannot run.
  json narrow = point_for("wide", json::object());
  narrow["design"]["rtl"]["ActBufCols"] = 2048;
  CHECK_THROWS_WITH(evaluate(narrow), Catch::Contains("ActBufCols = 2048"));
}

TEST_CASE("the analytical model picks the clock as the explorer does and checks the fit",
          "[analytical]") {
  const auto estimator = [](const llamaf::sim::DesignParams& d) {
    llamaf::dse::ResourceEstimate e;
    e.lut = 1000.0 * d.num_pe;
    e.ff = 2000.0 * d.num_pe;
    e.dsp = d.num_pe;
    e.bram36 = 10;
    e.fmax_mhz = 250;
    return e;
  };
  json p = point_for("wide", {{"clock", "min"}, {"sim_tokens", 1}});
  p["design"]["clock_mhz"] = 300;
  const AnalyticalMetrics m = evaluate(p, estimator);
  CHECK(m.clock_mhz == 250);
  CHECK(std::string(m.clock_limited_by) == "fmax");
  CHECK(m.timing_met == 1);
  CHECK(m.lut == 64000);
  CHECK(m.lut_util == Approx(64000.0 / 274080));
  CHECK(m.fits_board == 1);
  p["evaluate"]["clock"] = "requested";
  const AnalyticalMetrics fast = evaluate(p, estimator);
  CHECK(fast.clock_mhz == 300);
  CHECK(fast.timing_met == 0);
  CHECK(fast.tokens_per_s > m.tokens_per_s);
  // No estimator: resources and timing unknown, never "met".
  const AnalyticalMetrics none = evaluate(p);
  CHECK_FALSE(llamaf::dse::analytical_metric(none, "timing_met"));
  CHECK_FALSE(llamaf::dse::analytical_metric(none, "lut"));
  CHECK_FALSE(llamaf::dse::to_json(none).contains("fits_board"));
}

TEST_CASE("the analytical model's token: host, groups, memory ceiling and PS-only",
          "[analytical]") {
  const json p = point_for("wide", {{"sim_tokens", 1}, {"sim", {{"policy", "overlapped"}}}});
  const AnalyticalMetrics a = evaluate(p);
  // The token is the host's operators plus the groups of products.
  double groups_us = 0;
  for (double us : a.group_us) groups_us += us;
  CHECK(groups_us / 1e3 == Approx(a.matvec_ms_per_token));
  CHECK(a.token_latency_ms == Approx(a.matvec_ms_per_token + a.host_ms_per_token));
  CHECK(a.tokens_per_s == Approx(1e3 / a.token_latency_ms));
  // Evaluating again (memoized ceilings) gives the same answer.
  CHECK(evaluate(p).tokens_per_s == a.tokens_per_s);
  // Serial waves are never faster.
  json serial = p;
  serial["evaluate"]["sim"]["policy"] = "serial";
  CHECK(evaluate(serial).tokens_per_s < a.tokens_per_s);
  // Interleaving lifts the four ports' stream (docs/memory.md) at 333 MHz,
  // where the DDR rather than the ports sets it.
  json fast = p;
  fast["design"]["clock_mhz"] = 333;
  json interleaved = fast;
  interleaved["design"]["weight_layout"] = "interleaved";
  const AnalyticalMetrics r = evaluate(fast), i = evaluate(interleaved);
  CHECK(i.matvec_ms_per_token < r.matvec_ms_per_token);
  CHECK(i.mem_bound_fraction > 0.5);
  // Never above the DRAM peak: weight bytes per token over matvec time.
  CHECK(i.achieved_bandwidth_gb_s < 17.07);
  // PS-only: no accelerator, much slower, the same host operators.
  json ps = p;
  ps["evaluate"]["sim"]["policy"] = "ps_only";
  const AnalyticalMetrics h = evaluate(ps);
  CHECK(h.matvec_ms_per_token == 0);
  CHECK(h.tokens_per_s < 0.2 * a.tokens_per_s);
  CHECK(h.j_per_token > a.j_per_token);
  CHECK(h.group_us[0] > a.group_us[0]);
}

TEST_CASE("analytical metric keys cover the struct and the JSON form", "[analytical]") {
  const AnalyticalMetrics a = evaluate(point_for("wide", {{"sim_tokens", 1}}));
  const json j = llamaf::dse::to_json(a);
  for (const std::string& k : llamaf::dse::analytical_metric_keys()) {
    const auto v = llamaf::dse::analytical_metric(a, k);
    CHECK(v.has_value() == j.contains(k));
    if (v && j[k].is_number()) CHECK(j[k].get<double>() == *v);
  }
  CHECK(j.at("op_latency_us").size() == AnalyticalMetrics::kGroupNames.size());
  CHECK_FALSE(llamaf::dse::analytical_metric(a, "no_such_metric"));
}
