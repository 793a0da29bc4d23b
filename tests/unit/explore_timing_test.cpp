// Explorer: a point's clock (requested, Fmax, or the lower), timing_met,
// which points compete for the best point and the Pareto front (board fit,
// timing), constraints on evaluated metrics, and how the reports show them.
// Metric values here are invented fixtures, not measurements.
#include "explorer/clock.h"
#include "explorer/pareto.h"
#include "explorer/point_eval.h"
#include "explorer/report.h"
#include "explorer/runner.h"
#include "explorer/selection.h"
#include "explorer/sweep.h"
#include "sim/model/error.h"

#include "tests/support/files.h"

#include "tests/support/errors.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using llamaf::Error;
using nlohmann::json;
using namespace llamaf::dse;

namespace {

using llamaf::test::read_file;

const json kTinyModel = {{"dim", 64},    {"hidden_dim", 128}, {"n_layers", 2},
                         {"n_heads", 4}, {"n_kv_heads", 4},   {"vocab_size", 256},
                         {"seq_len", 64}};

// A board with the keys the explorer reads: clock, PL-PS limit, resources.
const json kBoard = {{"fabric", {{"clock_mhz", 200.0}, {"hp_port_max_clock_mhz", 333.0}}},
                     {"resources", {{"lut", 100000}, {"ff", 200000}, {"dsp", 100}, {"bram36", 100}}}};

json base_sweep() {
  return {{"name", "t"},
          {"base", {{"model", kTinyModel}, {"design", {{"rtl", {{"ActBits", 8}, {"GroupSize", 64}}}}}, {"board", kBoard}}},
          {"parameters", json::array({{{"name", "NumPe"}, {"values", {8, 16, 32}}},
                                      {{"name", "WeightBits"}, {"values", {4, 8}}}})}};
}

Sweep parse(const json& j) { return parse_sweep(j, "sweep.json", "."); }

using llamaf::test::error_of;

json record(const std::string& id, json metrics, const std::string& status = "ok") {
  return {{"id", id}, {"index", 0}, {"status", status}, {"reason", ""},
          {"params", json::object()}, {"metrics", std::move(metrics)}};
}

}  // namespace

TEST_CASE("clock: requested, fmax (capped by the PL-PS limit) and min", "[explore][timing]") {
  // requested: whatever the design or board asks, Fmax or not.
  ClockChoice c = choose_clock(ClockMode::kRequested, 200.0, 95.0, 333.0);
  CHECK(c.mhz == 200.0);
  CHECK(c.limited_by == "requested");
  CHECK(choose_clock(ClockMode::kRequested, 200.0, std::nullopt, std::nullopt).mhz == 200.0);
  // fmax: the estimate, capped by the HP ports' limit.
  c = choose_clock(ClockMode::kFmax, 200.0, 95.0, 333.0);
  CHECK(c.mhz == 95.0);
  CHECK(c.limited_by == "fmax");
  c = choose_clock(ClockMode::kFmax, std::nullopt, 412.5, 333.0);
  CHECK(c.mhz == 333.0);
  CHECK(c.limited_by == "board_pl_ps_limit");
  // min: the requested clock slowed down to what timing allows.
  c = choose_clock(ClockMode::kMin, 200.0, 95.0, 333.0);
  CHECK(c.mhz == 95.0);
  CHECK(c.limited_by == "fmax");
  c = choose_clock(ClockMode::kMin, 200.0, 350.0, 333.0);
  CHECK(c.mhz == 200.0);
  CHECK(c.limited_by == "requested");
  c = choose_clock(ClockMode::kMin, 400.0, 350.0, 333.0);
  CHECK(c.mhz == 333.0);
  CHECK(c.limited_by == "board_pl_ps_limit");

  CHECK_THAT(error_of([] { choose_clock(ClockMode::kFmax, 200.0, std::nullopt, 333.0); }),
             Catch::Contains("no Fmax estimate") && Catch::Contains("evaluate.synthesize"));
  CHECK_THAT(error_of([] { choose_clock(ClockMode::kMin, 200.0, 95.0, std::nullopt); }),
             Catch::Contains("fabric.hp_port_max_clock_mhz"));
  CHECK_THAT(error_of([] { choose_clock(ClockMode::kMin, std::nullopt, 95.0, 333.0); }),
             Catch::Contains("no requested clock"));

  // timing_met = clock <= Fmax; slack = period - 1000/Fmax.
  json m = timing_metrics(200.0, 125.0);
  CHECK(m["clock_mhz"] == 200.0);
  CHECK(m["fmax_mhz"] == 125.0);
  CHECK(m["timing_met"] == false);
  CHECK(m["timing_slack_ns"].get<double>() == Approx(5.0 - 8.0));
  m = timing_metrics(125.0, 125.0);
  CHECK(m["timing_met"] == true);
  CHECK(m["timing_slack_ns"].get<double>() == Approx(0.0).margin(1e-12));
  // Without an Fmax timing is unknown: no timing_met at all, never true.
  m = timing_metrics(200.0, std::nullopt);
  CHECK(m == json{{"clock_mhz", 200.0}});

  // The shipped ZCU102 states its HP ports' limit.
  std::ifstream in(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "boards" / "zcu102.json");
  CHECK(board_pl_ps_clock_limit_mhz(json::parse(in)) == 333.0);
  CHECK_FALSE(board_pl_ps_clock_limit_mhz(json{{"fabric", {{"clock_mhz", 200}}}}).has_value());
}

TEST_CASE("sweep: evaluate.clock is checked at load, and fmax and min need synthesis", "[explore][timing]") {
  json j = base_sweep();
  const std::string plain_hash = parse(j).hash;
  j["evaluate"] = {{"clock", "fmax"}};
  const Sweep s = parse(j);
  CHECK(s.evaluate["clock"] == "fmax");
  CHECK(s.hash != plain_hash);  // the clock changes every result
  // Not set: not part of the evaluate defaults, so existing sweeps keep their ids.
  CHECK_FALSE(parse(base_sweep()).evaluate.contains("clock"));

  j["evaluate"] = {{"clock", "fastest"}};
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("sweep.json: evaluate.clock") && Catch::Contains("\"fmax\"") &&
                 Catch::Contains("\"fastest\""));
  j["evaluate"] = {{"clock", "min"}, {"synthesize", false}};
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("evaluate.clock") && Catch::Contains("evaluate.synthesize is false"));
  j["evaluate"] = {{"clock", "requested"}, {"synthesize", false}};
  CHECK_NOTHROW(parse(j));

  json p = base_sweep();
  p["parameters"].push_back({{"name", "Clock"}, {"set", "evaluate.clock"}, {"values", {"requested", "fmax"}}});
  CHECK(expand(parse(p)).points.size() == 12);
  p["parameters"][2]["values"] = {"requested", "max"};
  CHECK_THAT(error_of([&] { parse(p); }), Catch::Contains("parameters[2].values[1]"));

  json k = base_sweep();
  k["report"] = {{"keep_timing_failures", true}};
  CHECK(parse(k).selection.keep_timing_failures);
  CHECK_FALSE(parse(k).selection.keep_board_misfits);
  k["report"] = {{"keep_board_misfits", "yes"}};
  CHECK_THAT(error_of([&] { parse(k); }), Catch::Contains("report.keep_board_misfits"));
}

TEST_CASE("selection: points that miss timing or do not fit are never best nor on the front",
          "[explore][timing]") {
  // "fast" is the fastest and smallest but misses timing; "huge" is the
  // most accurate but does not fit; "nofmax" has no Fmax (unknown timing).
  const std::vector<json> r = {
      record("fast", {{"tokens_per_s", 50.0}, {"lut", 1000}, {"clock_mhz", 200.0},
                      {"fmax_mhz", 95.0}, {"timing_met", false}, {"fits_board", true}}),
      record("ok1", {{"tokens_per_s", 20.0}, {"lut", 2000}, {"clock_mhz", 95.0},
                     {"fmax_mhz", 95.0}, {"timing_met", true}, {"fits_board", true}}),
      record("huge", {{"tokens_per_s", 60.0}, {"lut", 900}, {"timing_met", true},
                      {"fits_board", false}, {"lut_util", 3.29}}),
      record("nofmax", {{"tokens_per_s", 10.0}, {"lut", 1500}, {"clock_mhz", 200.0}}),
  };
  const std::vector<Objective> o = {{"tokens_per_s", true}, {"lut", false}};

  CHECK(exclusion_reason(r[0], {}) == "does not meet timing: clock 200 MHz > estimated Fmax 95 MHz");
  CHECK(exclusion_reason(r[2], {}) == "does not fit the board: lut_util 3.29");
  CHECK(exclusion_reason(r[1], {}).empty());
  CHECK(exclusion_reason(r[3], {}).empty());  // unknown timing competes; reports say so
  CHECK(exclusion_reason(record("x", json::object(), "failed"), {}) == "status failed");

  const ParetoFront f = pareto_front(r, o);
  CHECK(f.members == std::vector<std::size_t>{1, 3});
  CHECK(best_record(r, o[0]) == &r[1]);
  CHECK(best_record(r, o[1]) == &r[3]);

  // The sweep options keep them.
  SelectionRules keep_t;
  keep_t.keep_timing_failures = true;
  CHECK(pareto_front(r, o, keep_t).members == std::vector<std::size_t>{0});  // dominates 1 and 3
  CHECK(best_record(r, o[0], keep_t) == &r[0]);
  SelectionRules keep_both = keep_t;
  keep_both.keep_board_misfits = true;
  CHECK(pareto_front(r, o, keep_both).members == std::vector<std::size_t>{2});
  CHECK(best_record(r, o[0], keep_both) == &r[2]);
}

TEST_CASE("constraints on evaluated metrics: applied after evaluation, left out of the hash",
          "[explore][timing]") {
  json j = base_sweep();
  j["constraints"] = json::array({"NumPe <= 16",
                                  "lut_util <= 0.5",
                                  {{"expr", "fits_board"}, {"reason", "must fit the ZCU102"}},
                                  "tokens_per_s >= 2 * design.rtl.ActBits || WeightBits == 4"});
  const Sweep s = parse(j);
  REQUIRE(s.constraints.size() == 4);
  CHECK_FALSE(s.constraints[0].after_evaluation);
  CHECK(s.constraints[1].after_evaluation);
  CHECK(s.constraints[2].after_evaluation);
  CHECK(s.constraints[3].after_evaluation);
  // Post-evaluation constraints only change the reports: same hash (and ids) as without them.
  json only_before = base_sweep();
  only_before["constraints"] = json::array({"NumPe <= 16"});
  CHECK(s.hash == parse(only_before).hash);
  json tighter = j;
  tighter["constraints"][1] = "lut_util <= 0.4";
  CHECK(parse(tighter).hash == s.hash);

  // At expansion only NumPe <= 16 applies (the metrics do not exist yet).
  const Expansion e = expand(s);
  REQUIRE(e.points.size() == 6);
  for (const auto& p : e.points)
    CHECK(p.infeasible == (p.params["NumPe"] == 32 ? "NumPe <= 16" : ""));

  auto rec = [&](std::size_t i, json metrics) {
    return make_record(e.points[i], "ok", "", std::move(metrics), json::array(), json::object(), 1.0);
  };
  // Points 0..5: NumPe 8/16/32 x WeightBits 4/8.
  std::vector<json> in = {
      rec(0, {{"lut_util", 0.3}, {"fits_board", true}, {"tokens_per_s", 1.0}}),   // ok (W4)
      rec(1, {{"lut_util", 0.62}, {"fits_board", true}, {"tokens_per_s", 30.0}}), // lut_util
      rec(2, {{"lut_util", 0.4}, {"fits_board", false}, {"tokens_per_s", 30.0}}), // fits_board
      rec(3, {{"tokens_per_s", 30.0}}),                                           // no synthesis
      rec(5, {{"lut_util", 0.1}, {"fits_board", true}, {"tokens_per_s", 10.0}}),  // 10 < 16, W8
      make_record(e.points[4], "failed", "boom", json::object(), json::array(), json::object(), 1.0)};
  const std::vector<json> out = apply_result_constraints(s, e.points, in);
  REQUIRE(out.size() == in.size());
  CHECK(out[0]["status"] == "ok");
  CHECK(out[1]["status"] == "infeasible");
  CHECK(out[1]["reason"] == "after evaluation: lut_util <= 0.5 (lut_util = 0.62)");
  CHECK(out[1]["constraint_stage"] == "after_evaluation");
  CHECK(out[1]["metrics"]["tokens_per_s"] == 30.0);  // metrics kept
  CHECK(out[2]["reason"] == "after evaluation: must fit the ZCU102 (fits_board = false)");
  CHECK(out[3]["status"] == "infeasible");
  CHECK_THAT(out[3]["reason"].get<std::string>(),
             Catch::Contains("`lut_util <= 0.5` cannot be checked: the point has no lut_util"));
  // A mixed expression reads the resolved point (design.rtl.ActBits = 8) and a metric.
  CHECK(out[4]["status"] == "infeasible");
  CHECK_THAT(out[4]["reason"].get<std::string>(), Catch::Contains("(tokens_per_s = 10)"));
  CHECK(out[5]["status"] == "failed");
  CHECK(out[5]["reason"] == "boom");
  // The stored records are untouched.
  CHECK(in[1]["status"] == "ok");
}

namespace {

// A stored sweep folder (as `llamaf explore` leaves it) with invented
// results for the report tests.
struct Folder {
  llamaf::test::TempDir tmp{"llamaf-explore-timing"};
  fs::path dir = tmp.path / "out";
  Sweep sweep;
  Expansion e;

  explicit Folder(const json& sweep_json) {
    fs::create_directories(dir);
    sweep = parse(sweep_json);
    e = expand(sweep);
    std::ofstream(dir / "sweep.json")
        << json{{"hash", sweep.hash},      {"shard", "1/1"},
                {"source", "sweep.json"},  {"base_sources", sweep.base_sources},
                {"sweep", sweep.resolved}}
               .dump(2);
  }
  void add(std::size_t i, json metrics, const json& notes = json::array()) {
    std::ofstream(dir / "results.jsonl", std::ios::app)
        << make_record(e.points[i], "ok", "", std::move(metrics), notes, json::object(), 1.0).dump()
        << "\n";
  }
};

json timing_sweep() {
  json j = base_sweep();
  j["parameters"][0]["values"] = {8, 16};
  j["objectives"] = json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}},
                                 {{"metric", "lut"}, {"goal", "minimize"}}});
  j["constraints"] = json::array({"lut_util <= 0.5"});
  j["report"] = {{"table", {{"rows", "ok"}, {"columns", {"NumPe", "WeightBits", "tokens_per_s"}}}}};
  return j;
}

void fill(Folder& f) {
  // 0: meets timing; 1: misses timing (fastest); 2: does not fit;
  // 3: violates lut_util <= 0.5 after evaluation.
  f.add(0, {{"tokens_per_s", 10.0}, {"lut", 20000}, {"lut_util", 0.2}, {"fits_board", true},
            {"clock_mhz", 200.0}, {"fmax_mhz", 250.0}, {"timing_met", true}});
  f.add(1, {{"tokens_per_s", 40.0}, {"lut", 10000}, {"lut_util", 0.1}, {"fits_board", true},
            {"clock_mhz", 200.0}, {"fmax_mhz", 95.5}, {"timing_met", false}});
  f.add(2, {{"tokens_per_s", 30.0}, {"lut", 40000}, {"lut_util", 0.4}, {"fits_board", false},
            {"dsp_util", 1.5}, {"clock_mhz", 200.0}, {"fmax_mhz", 210.0}, {"timing_met", true}});
  f.add(3, {{"tokens_per_s", 35.0}, {"lut", 60000}, {"lut_util", 0.6}, {"fits_board", true},
            {"clock_mhz", 200.0}, {"fmax_mhz", 300.0}, {"timing_met", true}});
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("report: timing and board fit in results.csv, pareto.csv, report.md and table.tex",
          "[explore][timing]") {
  Folder f(timing_sweep());
  fill(f);
  const ReportSummary s = write_report(f.dir, ReportOptions{""});
  CHECK(s.ok == 3);
  CHECK(s.infeasible == 1);
  const std::string id0 = f.e.points[0].id, id1 = f.e.points[1].id, id2 = f.e.points[2].id,
                    id3 = f.e.points[3].id;

  const std::vector<std::string> csv = lines_of(read_file(f.dir / "results.csv"));
  REQUIRE(csv.size() == 5);
  CHECK(csv[0].rfind("id,index,status,reason,NumPe,WeightBits,tokens_per_s,clock_mhz,fmax_mhz,"
                     "timing_met,lut,fits_board,lut_util,dsp_util,",
                     0) == 0);
  CHECK(csv[2].find(",ok,,8,8,40.0,200.0,95.5,false,") != std::string::npos);
  CHECK(csv[4].find(",infeasible,after evaluation: lut_util <= 0.5 (lut_util = 0.6),") !=
        std::string::npos);

  // Only point 0 competes: 1 misses timing, 2 does not fit, 3 is infeasible.
  const std::string pareto = read_file(f.dir / "pareto.csv");
  CHECK(pareto.find(id0) != std::string::npos);
  for (const auto& id : {id1, id2, id3}) CHECK(pareto.find(id) == std::string::npos);

  const std::string md = read_file(f.dir / "report.md");
  CHECK(md.find("## Timing and board fit") != std::string::npos);
  CHECK(md.find("| meet timing (clock <= estimated Fmax) | 3 | 1 | 0 |") != std::string::npos);
  CHECK(md.find("| fit the board | 3 | 1 | 0 |") != std::string::npos);
  CHECK(md.find("does not meet timing: clock 200 MHz > estimated Fmax 95.5 MHz") != std::string::npos);
  CHECK(md.find("does not fit the board: dsp_util 1.5") != std::string::npos);
  CHECK(md.find("max tokens_per_s | 10 | `" + id0 + "`") != std::string::npos);
  CHECK(md.find("constraint (applied after evaluation, to the metrics): `lut_util <= 0.5`") !=
        std::string::npos);
  CHECK(md.find("| `" + id3 + "` | NumPe=16, WeightBits=8 | after evaluation: lut_util <= 0.5") !=
        std::string::npos);

  // rows "ok": the excluded points are listed, marked and explained.
  const std::string tex = read_file(f.dir / "table.tex");
  CHECK(tex.find("8\\textsuperscript{\\dag} & 8 & 40.0 \\\\") != std::string::npos);
  CHECK(tex.find("16\\textsuperscript{\\ddag} & 4 & 30.0 \\\\") != std::string::npos);
  CHECK(tex.find("8 & 4 & 10.0 \\\\") != std::string::npos);
  CHECK(tex.find("\\dag}does not meet timing") != std::string::npos);

  const json results = json::parse(read_file(f.dir / "results.json"));
  CHECK(results["selection"]["keep_timing_failures"] == false);
  CHECK(results["clock"] == "requested");
}

TEST_CASE("report: the keep options put misfits and timing failures back on the front",
          "[explore][timing]") {
  json j = timing_sweep();
  j["report"]["keep_timing_failures"] = true;
  j["report"]["keep_board_misfits"] = true;
  j["report"]["table"]["rows"] = "pareto";
  Folder f(j);
  fill(f);
  write_report(f.dir, ReportOptions{""});
  const std::string pareto = read_file(f.dir / "pareto.csv");
  // 1 (40 tokens/s, 10k LUT) now dominates 0 and 2; 3 stays infeasible.
  CHECK(pareto.find(f.e.points[1].id) != std::string::npos);
  CHECK(pareto.find(f.e.points[0].id) == std::string::npos);
  CHECK(pareto.find(f.e.points[3].id) == std::string::npos);
  const std::string md = read_file(f.dir / "report.md");
  CHECK(md.find("`report.keep_timing_failures` is set") != std::string::npos);
  CHECK(md.find("max tokens_per_s | 40 | `" + f.e.points[1].id + "`") != std::string::npos);
  // On the front yet marked in the table.
  CHECK(read_file(f.dir / "table.tex").find("8\\textsuperscript{\\dag} & 8 & 40.0") != std::string::npos);
}

TEST_CASE("report: without an Fmax timing is unknown, never met", "[explore][timing]") {
  json j = timing_sweep();
  j.erase("constraints");
  Folder f(j);
  const std::string note =
      "synthesis switched off (evaluate.synthesize = false): lut/ff/dsp/bram, fits_board and "
      "fmax_mhz are absent, so timing_met is unknown (the clock is not checked)";
  f.add(0, {{"tokens_per_s", 10.0}, {"clock_mhz", 200.0}}, json::array({note}));
  f.add(1, {{"tokens_per_s", 12.0}, {"clock_mhz", 200.0}, {"fmax_mhz", 150.0}, {"timing_met", false}});
  write_report(f.dir, ReportOptions{""});
  const std::string md = read_file(f.dir / "report.md");
  CHECK(md.find("| meet timing (clock <= estimated Fmax) | 0 | 1 | 1 |") != std::string::npos);
  CHECK(md.find("Timing is unknown for 1 points") != std::string::npos);
  const std::string tex = read_file(f.dir / "table.tex");
  CHECK(tex.find("8\\textsuperscript{\\S} & 4 & 10.0") != std::string::npos);
  CHECK(tex.find("\\S}timing unknown (no Fmax estimate)") != std::string::npos);
  const std::vector<std::string> csv = lines_of(read_file(f.dir / "results.csv"));
  REQUIRE(csv.size() == 3);
  CHECK(csv[0].find(",timing_met,") != std::string::npos);
  CHECK(csv[1].find(",ok,,8,4,10.0,200.0,,,") != std::string::npos);  // fmax, timing_met empty
}

TEST_CASE("evaluate_point: the clock and its timing metrics without synthesis", "[explore][timing]") {
  json point = {{"design", {{"rtl", {{"NumPe", 8}, {"ActBits", 8}, {"WeightBits", 8}, {"GroupSize", 64}}}}},
                {"board", kBoard},
                {"model", kTinyModel},
                {"energy", nullptr},
                {"evaluate",
                 {{"accuracy", false}, {"simulate", false}, {"synthesize", false}, {"sim", json::object()}}},
                {"params", json::object()}};
  const PointResult r = evaluate_point(point, EvalContext{});
  CHECK(r.metrics["clock_mhz"] == 200.0);  // the board's fabric clock
  CHECK(r.metrics["clock_limited_by"] == "requested");
  CHECK_FALSE(r.metrics.contains("timing_met"));
  CHECK_FALSE(r.metrics.contains("fmax_mhz"));
  bool said = false;
  for (const auto& n : r.notes) said = said || n.find("timing_met is unknown") != std::string::npos;
  CHECK(said);

  point["design"]["clock_mhz"] = 400.0;
  const PointResult fast = evaluate_point(point, EvalContext{});
  CHECK(fast.metrics["clock_mhz"] == 400.0);
  // The roofline's port peak follows the clock.
  CHECK(fast.metrics["port_peak_gb_s"].get<double>() ==
        Approx(2.0 * r.metrics["port_peak_gb_s"].get<double>()));
  said = false;
  for (const auto& n : fast.notes)
    said = said || n.find("above the board's PL-PS interface limit 333 MHz") != std::string::npos;
  CHECK(said);

  point["evaluate"]["clock"] = "fmax";
  CHECK_THAT(error_of([&] { evaluate_point(point, EvalContext{}); }),
             Catch::Contains("evaluate.clock = \"fmax\" needs the point's estimated Fmax") &&
                 Catch::Contains("synthesis switched off"));
}
