// The analytical screen (explorer/screen.h): designs by patches against
// resolved JSON, the streaming front and margin against pareto_front() over
// records built the slow way, the fidelity options, ids shared with rtl
// runs, and the report's error arithmetic. Most cases use a stand-in backend
// with closed-form metrics; one screens with the analytical model itself
// against points evaluated one by one (the model's accuracy against the
// simulation is tested elsewhere).
#include "explorer/analytical.h"
#include "explorer/pareto.h"
#include "explorer/screen.h"
#include "explorer/selection.h"
#include "explorer/sweep.h"
#include "sim/model/error.h"

#include "tests/support/files.h"

#include "tests/support/errors.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

namespace fs = std::filesystem;
using llamaf::Error;
using nlohmann::json;
using namespace llamaf::dse;

namespace {

const json kTinyModel = {{"dim", 64},     {"hidden_dim", 128}, {"n_layers", 2},
                         {"n_heads", 4},  {"n_kv_heads", 4},   {"vocab_size", 256},
                         {"seq_len", 64}};

json zcu102() {
  return json::parse(llamaf::test::read_file(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "boards" /
                                             "zcu102.json"));
}

using llamaf::test::error_of;

// Closed-form stand-in metrics: memory- or compute-bound tokens/s, LUTs
// growing with PEs and ports, timing failing for wide fast designs.
json fake_metrics(const json& point, const llamaf::sim::DesignParams& d) {
  const std::string policy = point["evaluate"].value("sim", json::object()).value("policy", "overlapped");
  const double factor = policy == "serial" ? 0.7 : 1.0;
  const double clock = d.clock_mhz > 0 ? d.clock_mhz : 200.0;
  const double compute = d.num_pe * clock * 1e6 / 2.2e9;
  const double memory = d.weight_ports * (8.0 / d.weight_bits) * (0.5 + 0.1 * d.max_outstanding);
  const double tokens = factor * std::min(compute, memory);
  const double lut = 3000 + 420.0 * d.num_pe * (d.weight_bits == 8 ? 1.0 : 0.8) + 2500.0 * d.weight_ports +
                     40.0 * d.max_outstanding + (d.weight_chunk_bytes ? 300 : 0);
  const double fmax = 400 - 1.5 * d.num_pe - 10 * d.weight_ports;
  return {{"tokens_per_s", tokens},
          {"lut", lut},
          {"lut_util", lut / 274080.0},
          {"j_per_token", 1.0 / tokens + lut * 1e-6},
          {"clock_mhz", clock},
          {"fmax_mhz", fmax},
          {"timing_met", clock <= fmax},
          {"fits_board", lut < 274080.0}};
}

class FakeBackend final : public ScreenBackend {
 public:
  const std::vector<std::string>& metric_keys() const override {
    static const std::vector<std::string> k = {"tokens_per_s", "lut",      "lut_util",  "j_per_token",
                                               "clock_mhz",    "fmax_mhz", "timing_met", "fits_board"};
    return k;
  }
  std::size_t add_context(const json& point) override {
    points_.push_back(point);
    return points_.size() - 1;
  }
  void evaluate(std::size_t context, const llamaf::sim::DesignParams& d,
                const std::vector<std::size_t>& slots, double* out) const override {
    const json m = fake_metrics(points_[context], d);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] >= metric_keys().size()) {
        out[i] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const json& v = m[metric_keys()[slots[i]]];
      out[i] = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
    }
  }
  json metrics(std::size_t context, const llamaf::sim::DesignParams& d) const override {
    return fake_metrics(points_[context], d);
  }

 private:
  std::vector<json> points_;
};

// A small sweep over design keys (RTL parameters, ports, layout, clock) and
// context keys (the policy, a board key), with filters, constraints before
// and after evaluation, and two objectives.
json small_sweep() {
  return {{"name", "screen_small"},
          {"base", {{"model", kTinyModel}, {"board", zcu102()},
                    {"design", {{"clock_mhz", 200}, {"rtl", {{"ActBufCols", 256}, {"GroupSize", 64}}}}}}},
          {"evaluate", {{"fidelity", "analytical"}, {"confirm", {{"margin", 0.1}, {"max_points", 5}}}}},
          {"parameters",
           json::array({{{"name", "NumPe"}, {"values", {8, 32, 64, 128}}},
                        {{"name", "WeightBits"}, {"values", {8, 4}}},
                        {{"name", "ScaleFmt"}, {"values", {"fp32", "bf16"}}},
                        {{"name", "WeightPorts"}, {"values", {1, 2, 4}}},
                        {{"name", "PortMap"}, {"set", "design.ps_ports"},
                         {"values", {"HP0", "HP0,HP1", "HP0,HP1,HP2,HP3", "HP0,HP1,HP2,HPC0"}}},
                        {{"name", "Layout"}, {"set", "design.weight_layout"},
                         {"values", {"regions", "interleaved:4096", "interleaved:64"}}},
                        {{"name", "MaxOutstanding"}, {"values", {2, 8}}},
                        {{"name", "ClockMhz"}, {"set", "design.clock_mhz"}, {"values", {200, 300}}},
                        {{"name", "Policy"}, {"set", "evaluate.sim.policy"}, {"values", {"overlapped", "serial"}}},
                        {{"name", "DdrMts"}, {"set", "board.memory.data_rate_mts"}, {"values", {2133, 2400}}}})},
          {"filters", json::array({"count(PortMap) == WeightPorts"})},
          {"constraints", json::array({"WeightBits == 8 || ScaleFmt == 'bf16'",
                                       {{"expr", "lut_util <= 0.1"}, {"reason", "a tenth of the LUTs"}}})},
          {"objectives", json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}},
                                      {{"metric", "lut"}, {"goal", "minimize"}}})}};
}

Sweep parse(const json& j) { return parse_sweep(j, "sweep.json", "."); }

// The small sweep without its illegal points, as fidelity rtl requires
// (every kept point legal at load).
json legal_sweep() {
  json j = small_sweep();
  j["constraints"] = json::array({"WeightBits == 8 || ScaleFmt == 'bf16'", "NumPe <= 64", "lut_util <= 0.2"});
  j["filters"].push_back("Layout != 'interleaved:64' && PortMap != 'HP0,HP1,HP2,HPC0'");
  return j;
}

// Records built the slow way: every combination resolved to JSON, its
// design read by the design reader and checked, metrics from the stand-in,
// post-evaluation constraints applied as for cycle-accurate records.
struct Slow {
  std::vector<json> records;  // evaluated (ok, or infeasible after evaluation)
  std::vector<Point> points;
  std::size_t filtered = 0, illegal = 0, infeasible = 0;
};

Slow slow_records(const Sweep& s) {
  Slow out;
  const std::size_t n = combination_count(s);
  for (std::size_t index = 0; index < n; ++index) {
    const std::optional<Point> p = point_at(s, index);
    if (!p) {
      ++out.filtered;
      continue;
    }
    if (!p->infeasible.empty()) {
      ++out.infeasible;
      continue;
    }
    llamaf::sim::DesignParams d;
    try {
      d = llamaf::sim::design_params_from_json(p->resolved["design"], "design");
      llamaf::sim::check_rtl_legality(d, "design");
    } catch (const Error&) {
      ++out.illegal;
      continue;
    }
    out.records.push_back({{"id", p->id},
                           {"index", p->index},
                           {"params", p->params},
                           {"status", "ok"},
                           {"metrics", fake_metrics(p->resolved, d)}});
    out.points.push_back(*p);
  }
  out.records = apply_result_constraints(s, out.points, out.records);
  return out;
}

std::set<std::string> screen_front_ids(const ScreenResult& r) {
  std::set<std::string> ids;
  for (const auto& sel : r.selected)
    if (sel.on_front) ids.insert(sel.point.id);
  return ids;
}

}  // namespace

TEST_CASE("screen: patches give the design the resolved JSON gives, at every point", "[screen]") {
  const Sweep s = parse(small_sweep());
  const DesignPatcher patcher(s);
  CHECK(patcher.contexts() == 4);  // Policy x DdrMts
  const std::size_t n = combination_count(s);
  REQUIRE(n == 4 * 2 * 2 * 3 * 4 * 3 * 2 * 2 * 2 * 2);
  std::size_t compared = 0, errors = 0;
  for (std::size_t index = 0; index < n; ++index) {
    const Point p = resolve_point(s, index);
    llamaf::sim::DesignParams slow, fast;
    std::string slow_error, fast_error;
    try {
      slow = llamaf::sim::design_params_from_json(p.resolved["design"], "design");
    } catch (const Error& e) {
      slow_error = e.what();
    }
    const std::vector<std::size_t> digits = index_digits(s, index);
    const bool ok = patcher.design(digits, fast, fast_error);
    INFO("index " << index << " " << p.params.dump());
    REQUIRE(ok == slow_error.empty());
    if (!ok) {
      ++errors;
      continue;
    }
    CHECK(same_design(slow, fast));
    CHECK(patcher.point_id(digits) == p.id);
    CHECK(patcher.params(digits) == p.params);
    // The context's representative point has the same board, model,
    // energy and evaluate as the point itself.
    const json& ctx = patcher.context_point(patcher.context_of(digits));
    for (const char* k : {"board", "model", "energy", "evaluate"}) CHECK(ctx[k] == p.resolved[k]);
    ++compared;
  }
  CHECK(compared == n);
  CHECK(errors == 0);
  // same_design sees every field a patch sets.
  llamaf::sim::DesignParams a, b;
  b.ps_ports = {"HP0"};
  CHECK_FALSE(same_design(a, b));
  b = a;
  b.weight_chunk_bytes = 4096;
  CHECK_FALSE(same_design(a, b));
  b = a;
  b.scale_format = llamaf::model::ScaleFormat::Bf16;
  CHECK_FALSE(same_design(a, b));
}

TEST_CASE("screen: a value whose design does not parse makes its points illegal", "[screen]") {
  json j = small_sweep();
  j["parameters"][7]["values"] = {200, -5};  // ClockMhz -5: the design reader refuses it
  const Sweep s = parse(j);
  FakeBackend backend;
  ScreenOptions opt;
  const ScreenResult r = screen_sweep(s, backend, opt);
  const Slow slow = slow_records(s);
  CHECK(r.illegal == slow.illegal);
  bool clock_rule = false;
  for (const auto& [rule, n] : r.illegal_by_rule) clock_rule = clock_rule || rule.find("clock_mhz") != std::string::npos;
  CHECK(clock_rule);
}

TEST_CASE("screen: counts and front equal pareto_front over records built the slow way", "[screen]") {
  for (const double tolerance : {0.0, 0.05}) {
    json j = small_sweep();
    j["report"] = {{"pareto_tolerance", tolerance}};
    const Sweep s = parse(j);
    const Slow slow = slow_records(s);
    for (const int threads : {1, 3}) {
      INFO("tolerance " << tolerance << ", threads " << threads);
      FakeBackend backend;
      ScreenOptions opt;
      opt.threads = threads;
      opt.chunk = 97;  // many work items, uneven
      const ScreenResult r = screen_sweep(s, backend, opt);
      CHECK(r.combinations == combination_count(s));
      CHECK(r.screened == r.combinations);
      CHECK(r.filtered_out == slow.filtered);
      CHECK(r.infeasible == slow.infeasible);
      CHECK(r.illegal == slow.illegal);
      std::size_t after = 0, candidates = 0, excluded = 0;
      for (const auto& rec : slow.records) {
        if (rec.value("status", "") != "ok") ++after;
        else if (is_candidate(rec, s.selection)) ++candidates;
        else ++excluded;
      }
      CHECK(r.infeasible_after == after);
      CHECK(r.candidates == candidates);
      CHECK(r.excluded == excluded);
      CHECK(excluded > 0);  // timing_met false: kept off the front
      CHECK(r.illegal > 0);  // HPC0 with 4 ports, ... : some rule fires
      CHECK(after > 0);
      const ParetoFront pf = pareto_front(slow.records, s.objectives, s.selection);
      std::set<std::string> expected;
      for (std::size_t i : pf.members) expected.insert(slow.records[i]["id"].get<std::string>());
      REQUIRE(!expected.empty());
      CHECK(screen_front_ids(r) == expected);
      CHECK(r.front_size == expected.size());
      // The front's metrics are the backend's, ids those of the resolved points.
      for (const auto& sel : r.selected) {
        const Point p = resolve_point(s, sel.point.index);
        CHECK(sel.point.id == p.id);
        CHECK(sel.point.params == p.params);
        if (sel.confirm) CHECK(sel.point.resolved == p.resolved);
        CHECK(sel.metrics.contains("tokens_per_s"));
      }
    }
  }
}

TEST_CASE("screen: the margin band is every candidate within the margin of the front", "[screen]") {
  json j = small_sweep();
  j["evaluate"]["confirm"] = {{"margin", 0.15}, {"max_points", 7}};
  const Sweep s = parse(j);
  FakeBackend backend;
  ScreenOptions opt;
  opt.threads = 2;
  opt.chunk = 50;
  const ScreenResult r = screen_sweep(s, backend, opt);
  const Slow slow = slow_records(s);
  // Brute force: the exact front over the candidates, then each candidate's
  // margin to it.
  std::vector<std::vector<double>> cand;
  std::vector<std::string> ids;
  for (const auto& rec : slow.records) {
    if (!is_candidate(rec, s.selection)) continue;
    cand.push_back({rec["metrics"]["tokens_per_s"].get<double>(), -rec["metrics"]["lut"].get<double>()});
    ids.push_back(rec["id"]);
  }
  std::vector<std::vector<double>> front;
  for (std::size_t a = 0; a < cand.size(); ++a) {
    bool dominated = false;
    for (std::size_t b = 0; b < cand.size() && !dominated; ++b)
      dominated = cand[b][0] >= cand[a][0] && cand[b][1] >= cand[a][1] &&
                  (cand[b][0] > cand[a][0] || cand[b][1] > cand[a][1]);
    if (!dominated) front.push_back(cand[a]);
  }
  std::set<std::string> near;
  for (std::size_t a = 0; a < cand.size(); ++a)
    if (margin_to_front(cand[a], front) < 0.15) near.insert(ids[a]);
  std::set<std::string> got;
  for (const auto& sel : r.selected) got.insert(sel.point.id);
  CHECK(got == near);
  CHECK(r.front_size + r.within_margin == near.size());
  CHECK(near.size() > r.front_size);  // the band is not empty in this sweep
  // Confirmation: the front first, then the nearest, max_points in all.
  std::size_t confirmed = 0;
  for (const auto& sel : r.selected) confirmed += sel.confirm;
  CHECK(confirmed == std::min<std::size_t>(7, near.size()));
  CHECK(r.confirm_count == confirmed);
  for (std::size_t i = 1; i < r.selected.size(); ++i)
    if (!r.selected[i].on_front && !r.selected[i - 1].on_front)
      CHECK(r.selected[i - 1].margin <= r.selected[i].margin);

  // margin_to_front by hand (tokens/s, -LUT): (1, -10) against the front
  // point (2, -10) escapes with any margin > 0 (a tie in LUTs, broken by any
  // improvement); against (2, -5) it needs 100 % more tokens/s or half the
  // LUTs: 0.5.
  CHECK(margin_to_front({1, -10}, {{2, -10}}) == Approx(0.0));
  CHECK(margin_to_front({1, -10}, {{2, -5}}) == Approx(0.5));
  CHECK(margin_to_front({3, -10}, {{2, -5}}) == Approx(0.0));
  CHECK(margin_to_front({0, -10}, {{1, -10}}) == Approx(0.0));  // any fewer LUTs escape
  CHECK(std::isinf(margin_to_front({0, 0}, {{1, 0}})));         // zero cannot improve
}

TEST_CASE("screen: confirm all takes every candidate, nearest first", "[screen]") {
  json j = small_sweep();
  j["evaluate"]["confirm"] = {{"all", true}, {"max_points", 10000}};
  const Sweep s = parse(j);
  FakeBackend backend;
  ScreenOptions opt;
  opt.threads = 2;
  opt.max_near_points = 100000;
  const ScreenResult r = screen_sweep(s, backend, opt);
  CHECK(r.front_size + r.within_margin == r.candidates);
  CHECK(r.confirm_count == r.candidates);
  std::set<std::size_t> indices;
  for (const auto& sel : r.selected) indices.insert(sel.point.index);
  CHECK(indices.size() == r.candidates);
  j["evaluate"]["confirm"] = {{"all", "yes"}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.confirm.all"));
}

TEST_CASE("screen: the front alone beyond max_points is spread along the first objective", "[screen]") {
  json j = small_sweep();
  j["evaluate"]["confirm"] = {{"margin", 0.0}, {"max_points", 2}};
  const Sweep s = parse(j);
  FakeBackend backend;
  const ScreenResult r = screen_sweep(s, backend, ScreenOptions{});
  REQUIRE(r.front_size > 2);
  CHECK(r.within_margin == 0);
  CHECK(r.confirm_count == 2);
  // The fastest and the smallest point of the front.
  CHECK(r.selected.front().confirm);
  CHECK(r.selected[r.front_size - 1].confirm);
}

TEST_CASE("screen: every point on request, and the outputs on disk", "[screen]") {
  const Sweep s = parse(small_sweep());
  FakeBackend backend;
  ScreenOptions opt;
  opt.all_points = true;
  opt.cloud_points = 50;
  const ScreenResult r = screen_sweep(s, backend, opt);
  std::size_t lines = 0;
  for (char c : r.points_csv) lines += c == '\n';
  CHECK(lines == r.combinations + 1);
  CHECK(r.sample.size() == std::min<std::size_t>(50, r.candidates));
  for (std::size_t i = 1; i < r.sample.size(); ++i) CHECK(r.sample[i - 1].first < r.sample[i].first);
  llamaf::test::TempDir t("llamaf-screen-test");
  write_screen(t.path, s, r);
  const StoredScreen st = load_screen(t.path);
  CHECK(st.summary["screened"] == r.screened);
  CHECK(st.summary["front"] == r.front_size);
  CHECK(st.front.size() == r.selected.size());
  CHECK(fs::exists(t.path / "screen" / "points.csv"));
  CHECK(fs::exists(t.path / "screen" / "cloud.csv"));
  // The same screen twice gives the same front and sample (deterministic
  // whatever the threads).
  opt.threads = 2;
  const ScreenResult again = screen_sweep(s, backend, opt);
  CHECK(screen_front_ids(again) == screen_front_ids(r));
  CHECK(again.sample == r.sample);
}

TEST_CASE("fidelity: options are checked at load with the file and key", "[screen]") {
  json j = small_sweep();
  j["evaluate"]["fidelity"] = "fast";
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("sweep.json") && Catch::Contains("evaluate.fidelity") && Catch::Contains("auto"));
  j = small_sweep();
  j["evaluate"]["confirm"] = {{"margin", 1.5}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.confirm.margin"));
  j["evaluate"]["confirm"] = {{"max_points", 0}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.confirm.max_points"));
  j["evaluate"]["confirm"] = {{"margins", 0.1}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("margins"));
  j = small_sweep();
  j["parameters"].push_back({{"name", "F"}, {"set", "evaluate.fidelity"}, {"values", {"rtl", "auto"}}});
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("cannot be swept"));
  // Defaults, and the command line's override (stored with the sweep).
  j = legal_sweep();
  j["evaluate"].erase("fidelity");
  j["evaluate"].erase("confirm");
  Sweep s = parse(j);
  CHECK(s.fidelity == Fidelity::kRtl);
  CHECK(s.confirm.margin == Approx(0.05));
  CHECK(s.confirm.max_points == 12);
  s = parse_sweep(j, "sweep.json", ".", Fidelity::kAuto);
  CHECK(s.fidelity == Fidelity::kAuto);
  CHECK(s.resolved["evaluate"]["fidelity"] == "auto");
  CHECK(parse_sweep(s.resolved, "sweep.json", ".").fidelity == Fidelity::kAuto);
}

TEST_CASE("fidelity: the limit on combinations is 10^6 for rtl and 10^8 for the screen", "[screen]") {
  json j = {{"name", "big"},
            {"base", {{"model", kTinyModel}}},
            {"evaluate", {{"fidelity", "analytical"}}},
            {"parameters", json::array({{{"name", "A"}, {"set", json::array()}, {"from", 1}, {"to", 2000}},
                                        {{"name", "B"}, {"set", json::array()}, {"from", 1}, {"to", 1000}}})}};
  CHECK(combination_count(parse(j)) == 2'000'000);
  j["evaluate"]["fidelity"] = "rtl";
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("1000000") && Catch::Contains("analytical"));
  j["evaluate"]["fidelity"] = "auto";
  j["parameters"].push_back({{"name", "C"}, {"set", json::array()}, {"from", 1}, {"to", 100}});
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("100000000"));
}

TEST_CASE("fidelity: auto-confirmed points have the ids of the same points in an rtl run", "[screen]") {
  json j = legal_sweep();
  j["evaluate"]["fidelity"] = "rtl";
  const Sweep rtl = parse(j);
  j["evaluate"]["fidelity"] = "auto";
  j["evaluate"]["confirm"] = {{"margin", 0.2}, {"max_points", 100}};
  const Sweep automatic = parse(j);
  CHECK(rtl.hash == automatic.hash);  // one folder may hold both
  const Expansion e = expand(rtl);
  FakeBackend backend;
  const ScreenResult r = screen_sweep(automatic, backend, ScreenOptions{});
  REQUIRE(r.confirm_count > 0);
  for (const auto& sel : r.selected) {
    if (!sel.confirm) continue;
    const auto it = std::find_if(e.points.begin(), e.points.end(),
                                 [&](const Point& p) { return p.index == sel.point.index; });
    REQUIRE(it != e.points.end());
    CHECK(it->id == sel.point.id);
    CHECK(it->resolved == sel.point.resolved);
  }
}

TEST_CASE("analytical report: relative errors, mean and worst per metric, and where", "[screen]") {
  const auto rec = [](const std::string& id, int bits, double t_c, double t_a, double lut_c, double lut_a) {
    return json{{"id", id},
                {"status", "ok"},
                {"params", {{"WeightBits", bits}}},
                {"metrics", {{"tokens_per_s", t_c}, {"lut", lut_c}, {"dsp", 0}}},
                {"analytical", {{"tokens_per_s", t_a}, {"lut", lut_a}, {"dsp", 64}}}};
  };
  const std::vector<json> records = {rec("a", 8, 10.0, 10.1, 1000, 1050), rec("b", 8, 20.0, 19.8, 2000, 2000),
                                     rec("c", 4, 5.0, 5.5, 4000, 3200)};
  const std::vector<AnalyticalError> errs = analytical_errors(records);
  REQUIRE(errs.size() == 5);
  CHECK(errs[0].metric == "tokens_per_s");
  REQUIRE(errs[0].errors.size() == 3);
  CHECK(errs[0].errors[0].second == Approx(0.01));
  CHECK(errs[0].errors[1].second == Approx(-0.01));
  CHECK(errs[0].errors[2].second == Approx(0.10));
  CHECK(errs[0].mean_abs == Approx(0.04));
  CHECK(errs[0].worst == Approx(0.10));
  CHECK(errs[0].worst_id == "c");
  CHECK_FALSE(errs[0].meets_target());  // 4 % > 2 %
  CHECK(errs[1].metric == "lut");
  CHECK(errs[1].mean_abs == Approx((0.05 + 0.0 + 0.2) / 3));
  CHECK(errs[1].worst == Approx(-0.2));
  CHECK(errs[1].meets_target());  // 8.3 % <= 10 %
  CHECK(errs[2].errors.empty());        // dsp: cycle-accurate 0, skipped
  CHECK(errs[2].meets_target());
  CHECK(errs[4].errors.empty());  // fmax_mhz: no value either side

  json j = small_sweep();
  j["parameters"] = json::array({{{"name", "WeightBits"}, {"values", {8, 4}}}});
  j["filters"] = json::array();
  j["constraints"] = json::array();
  j["evaluate"]["fidelity"] = "auto";
  const Sweep s = parse(j);
  StoredScreen st;
  st.summary = {{"screened", 2}, {"combinations", 2}, {"wall_seconds", 0.5}, {"threads", 1}};
  const std::string md = analytical_report_md(s, st, records);
  CHECK_THAT(md, Catch::Contains("## Analytical model"));
  CHECK_THAT(md, Catch::Contains("3 confirmed points"));
  CHECK_THAT(md, Catch::Contains("| tokens_per_s | 3 | 4.00 % | +10.0 % | `c` | 2 % | **above target** |"));
  CHECK_THAT(md, Catch::Contains("`c` (+10.0 %)"));
  CHECK_THAT(md, Catch::Contains("WeightBits=4"));
}

TEST_CASE("fidelity: the shipped 10^6-point ZCU102 screen loads", "[screen]") {
  const Sweep s = load_sweep(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "sweeps" / "zcu102_screen.json");
  CHECK(s.fidelity == Fidelity::kAuto);
  const std::size_t n = combination_count(s);
  CHECK(n >= 500'000);
  CHECK(n <= 2'000'000);
  CHECK(s.objectives.size() == 2);
  // Its patches agree with the resolved JSON on a spread of points.
  const DesignPatcher patcher(s);
  for (std::size_t i = 0; i < 200; ++i) {
    const std::size_t index = i * (n / 200) + i % 7;
    const Point p = resolve_point(s, index);
    llamaf::sim::DesignParams fast;
    std::string error;
    REQUIRE(patcher.design(index_digits(s, index), fast, error));
    CHECK(same_design(fast, llamaf::sim::design_params_from_json(p.resolved["design"], "design")));
  }
}

TEST_CASE("screen: with the analytical model, the front equals pareto_front over points evaluated one by one",
          "[screen]") {
  // stories15M on the ZCU102: PEs, weight bits, ports and the schedule; the
  // slow way is `llamaf point --fidelity analytical` per point.
  const fs::path configs = fs::path(LLAMAF_SOURCE_DIR) / "configs";
  json j = {{"name", "screen_analytical"},
            {"base", {{"model", (configs / "models" / "stories15M.json").string()},
                      {"design", (configs / "designs" / "embedded.json").string()},
                      {"board", (configs / "boards" / "zcu102.json").string()},
                      {"energy", (configs / "energy" / "zcu102_16nm.json").string()}}},
            {"evaluate", {{"fidelity", "analytical"}, {"synthesize", false}, {"accuracy", false},
                          {"confirm", {{"margin", 0.1}, {"max_points", 4}}}}},
            {"parameters",
             json::array({{{"name", "NumPe"}, {"values", {8, 16, 32, 64}}},
                          {{"name", "WeightBits"}, {"values", {8, 4}}},
                          {{"name", "WeightPorts"}, {"values", {1, 2}}},
                          {{"name", "PortMap"}, {"set", "design.ps_ports"}, {"values", {"HP0", "HP0,HP2"}}},
                          {{"name", "Policy"}, {"set", "evaluate.sim.policy"}, {"values", {"overlapped", "serial"}}}})},
            {"filters", json::array({"count(PortMap) == WeightPorts", "NumPe <= design.rtl.GroupSize"})},
            {"objectives", json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}},
                                        {{"metric", "j_per_token"}, {"goal", "minimize"}}})}};
  const Sweep s = parse_sweep(j, configs / "sweeps" / "screen_analytical.json", configs / "sweeps");
  EvalContext ctx;
  ctx.sweep_dir = configs / "sweeps";
  const auto backend = make_analytical_backend(ctx, {});
  ScreenOptions opt;
  opt.threads = 2;
  const ScreenResult r = screen_sweep(s, *backend, opt);
  std::vector<json> records;
  std::vector<Point> points;
  for (std::size_t index = 0; index < combination_count(s); ++index) {
    const std::optional<Point> p = point_at(s, index);
    if (!p) continue;
    const PointResult pr = analytical_point_result(p->resolved, ctx, {});
    records.push_back({{"id", p->id}, {"index", index}, {"params", p->params}, {"status", pr.status},
                       {"metrics", pr.metrics}});
    points.push_back(*p);
  }
  REQUIRE(records.size() == r.candidates);
  const ParetoFront pf = pareto_front(records, s.objectives, s.selection);
  std::set<std::string> expected;
  for (std::size_t i : pf.members) expected.insert(records[i]["id"].get<std::string>());
  REQUIRE(!expected.empty());
  CHECK(screen_front_ids(r) == expected);
  // The front's metrics are those `llamaf point --fidelity analytical` gives.
  for (const auto& sel : r.selected) {
    const auto it = std::find_if(records.begin(), records.end(),
                                 [&](const json& rec) { return rec["id"] == sel.point.id; });
    REQUIRE(it != records.end());
    CHECK(sel.metrics["tokens_per_s"].get<double>() == Approx((*it)["metrics"]["tokens_per_s"].get<double>()));
    CHECK(sel.metrics["j_per_token"].get<double>() == Approx((*it)["metrics"]["j_per_token"].get<double>()));
  }
}
