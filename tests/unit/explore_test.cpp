// Explorer library: expressions, sweep files and their errors, expansion,
// point ids, sharding, the results store, Pareto fronts, the energy model,
// byte accounting, reports from a fixed results file, merging.
#include "explorer/energy.h"
#include "explorer/expr.h"
#include "explorer/hash.h"
#include "explorer/pareto.h"
#include "explorer/point_eval.h"
#include "explorer/report.h"
#include "explorer/results_store.h"
#include "explorer/runner.h"
#include "explorer/subprocess.h"
#include "explorer/sweep.h"
#include "sim/model/config.h"
#include "sim/model/error.h"

#include "tests/support/files.h"

#include "tests/support/errors.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using llamaf::Error;
using nlohmann::json;
using namespace llamaf::dse;

namespace {

using llamaf::test::read_file;

void write(const fs::path& p, const std::string& text) { llamaf::test::write_file(p, text); }

struct TempDir : llamaf::test::TempDir {
  TempDir() : llamaf::test::TempDir("llamaf-explore-test") {}
};

const json kTinyModel = {{"dim", 64},     {"hidden_dim", 128}, {"n_layers", 2},
                         {"n_heads", 4},  {"n_kv_heads", 4},   {"vocab_size", 256},
                         {"seq_len", 64}};

json base_sweep() {
  return {{"name", "t"},
          {"base", {{"model", kTinyModel}, {"design", {{"rtl", {{"ActBits", 8}}}}}}},
          {"parameters", json::array({{{"name", "NumPe"}, {"values", {8, 16, 32}}},
                                      {{"name", "GroupSize"}, {"from", 16}, {"to", 64}, {"scale", "pow2"}}})},
          // (32, 16) is illegal RTL (docs/rtl.md): refused at load unless excluded.
          {"constraints", json::array({"NumPe <= GroupSize"})}};
}

Sweep parse(const json& j) { return parse_sweep(j, "sweep.json", "."); }

ExprValue eval(const std::string& text, const std::map<std::string, ExprValue>& vars = {}) {
  return Expr::parse(text, "test").eval([&](const std::string& n) -> std::optional<ExprValue> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

using llamaf::test::error_of;

}  // namespace

TEST_CASE("expressions: arithmetic, comparisons, logic, strings, functions", "[explore]") {
  CHECK(eval("1 + 2 * 3").number == 7);
  CHECK(eval("(1 + 2) * 3").number == 9);
  CHECK(eval("7 % 4 - -1").number == 4);
  CHECK(eval("10 / 4").number == 2.5);
  CHECK(eval("2 < 3 && 3 <= 3 && 4 > 3 && 4 >= 4 && 1 == 1 && 1 != 2").truthy());
  CHECK_FALSE(eval("!(1 || 0)").truthy());
  CHECK(eval("NumPe <= GroupSize", {{"NumPe", ExprValue::num(16)}, {"GroupSize", ExprValue::num(64)}})
            .truthy());
  CHECK(eval("design.ScaleFmt == 'bf16'", {{"design.ScaleFmt", ExprValue::str("bf16")}}).truthy());
  CHECK(eval("min(3, 2) + max(3, 2) + log2(8) + pow2(4)").number == 2 + 3 + 3 + 16);
  CHECK(eval("is_pow2(64) && !is_pow2(48)").truthy());
  CHECK(eval("count('HP0') == 1 && count('HP0,HP2,HPC1') == 3 && count('') == 0").truthy());
  CHECK(eval("count(PortMap) == 2", {{"PortMap", ExprValue::str("HP0,HP3")}}).truthy());
  CHECK_THAT(error_of([] { eval("count(4)"); }), Catch::Contains("count() takes a comma-separated string"));
  CHECK(eval("true && !false").truthy());
  const auto names = Expr::parse("a + b * a < c.d", "t").names();
  CHECK(names == std::vector<std::string>{"a", "b", "c.d"});
}

TEST_CASE("expressions: errors name where, the text and the position", "[explore]") {
  CHECK_THAT(error_of([] { Expr::parse("1 +", "f.json: filters[0]"); }),
             Catch::Contains("f.json: filters[0]") && Catch::Contains("'1 +'") &&
                 Catch::Contains("character"));
  CHECK_THAT(error_of([] { Expr::parse("a = 1", "w"); }), Catch::Contains("use '=='"));
  CHECK_THAT(error_of([] { Expr::parse("1 < 2 < 3", "w"); }), Catch::Contains("do not chain"));
  CHECK_THAT(error_of([] { Expr::parse("system(1)", "w"); }), Catch::Contains("unknown function 'system'"));
  CHECK_THAT(error_of([] { Expr::parse("(1", "w"); }), Catch::Contains("expected ')'"));
  CHECK_THAT(error_of([] { eval("NumPes > 1"); }), Catch::Contains("unknown parameter 'NumPes'"));
  CHECK_THAT(error_of([] { eval("1 / 0"); }), Catch::Contains("division by zero"));
  CHECK_THAT(error_of([] { eval("'a' + 1"); }), Catch::Contains("needs numbers"));
  CHECK_THAT(error_of([] { eval("'a' == 1"); }), Catch::Contains("compare a number with a number"));
}

TEST_CASE("sweep: values, ranges and their expansion order", "[explore]") {
  json j = base_sweep();
  j["parameters"].push_back({{"name", "ClockMhz"}, {"set", "design.clock_mhz"},
                             {"from", 0.1}, {"to", 0.3}, {"step", 0.1}});
  j["parameters"].push_back({{"name", "Depth"}, {"set", json::array()}, {"from", 1}, {"to", 100},
                             {"scale", "geometric"}, {"factor", 10}});
  const Sweep s = parse(j);
  REQUIRE(s.params.size() == 4);
  CHECK(s.params[0].values == std::vector<json>{8, 16, 32});
  CHECK(s.params[1].values == std::vector<json>{16, 32, 64});
  CHECK(s.params[2].values == std::vector<json>{0.1, 0.2, 0.3});
  CHECK(s.params[2].values[1].dump() == "0.2");
  CHECK(s.params[3].values == std::vector<json>{1, 10, 100});
  CHECK(s.params[0].targets == std::vector<std::string>{"design.rtl.NumPe"});
  CHECK(s.params[3].targets.empty());

  const Expansion e = expand(s);
  CHECK(e.combinations == 3 * 3 * 3 * 3);
  REQUIRE(e.points.size() == 81);
  // The first parameter varies slowest, the last fastest.
  CHECK(e.points[0].params == json{{"NumPe", 8}, {"GroupSize", 16}, {"ClockMhz", 0.1}, {"Depth", 1}});
  CHECK(e.points[1].params["Depth"] == 10);
  CHECK(e.points[27].params["NumPe"] == 16);
  // Overrides land in the resolved configs; the base is kept.
  CHECK(e.points[0].resolved["design"] == json{{"rtl", {{"ActBits", 8}, {"NumPe", 8}, {"GroupSize", 16}}},
                                               {"clock_mhz", 0.1}});
  CHECK(e.points[0].resolved["model"] == kTinyModel);

  json pow2 = base_sweep();
  pow2["parameters"][1] = {{"name", "GroupSize"}, {"from", 16}, {"to", 256}, {"scale", "log2"}, {"step", 2}};
  CHECK(parse(pow2).params[1].values == std::vector<json>{16, 64, 256});
}

TEST_CASE("sweep: whole configs (board, model) as axes, key overrides on top", "[explore]") {
  TempDir t;
  write(t.path / "b1.json", R"({"name": "one", "memory": {"data_rate_mts": 2400}})");
  write(t.path / "b2.json", R"({"name": "two", "memory": {"data_rate_mts": 3200}})");
  write(t.path / "m2.json", json(kTinyModel).dump());
  json j = base_sweep();
  j["base"]["board"] = {{"name", "base"}};
  j["parameters"] = json::array(
      {{{"name", "Board"}, {"set", "board"}, {"values", {"b1.json", "b2.json"}}},
       {{"name", "Model"}, {"set", "model"}, {"values", {"m2.json"}}},
       {{"name", "Rate"}, {"set", "board.memory.data_rate_mts"}, {"values", {2133}}}});
  j.erase("constraints");  // (over NumPe and GroupSize, not swept here)
  const Expansion e = expand(parse_sweep(j, t.path / "sweep.json", t.path));
  REQUIRE(e.points.size() == 2);
  CHECK(e.points[0].resolved["board"]["name"] == "one");
  CHECK(e.points[1].resolved["board"]["name"] == "two");
  // The key override applies to the chosen board, whichever parameter comes first.
  CHECK(e.points[1].resolved["board"]["memory"]["data_rate_mts"] == 2133);
  CHECK(e.points[0].resolved["model"] == kTinyModel);
  CHECK(e.points[0].params["Board"] == "b1.json");
  CHECK(e.points[0].id != e.points[1].id);

  json bad = j;
  bad["parameters"][0]["values"] = {"missing.json"};
  CHECK_THROWS_WITH(parse_sweep(bad, t.path / "sweep.json", t.path),
                    Catch::Contains("parameters[0].values[0]") && Catch::Contains("missing.json"));
  // A name the file system refuses (longer than NAME_MAX; found by the
  // config_json fuzzer, which crashed on std::filesystem's exception) is
  // "not found" like any other missing file, in base and in values.
  const std::string too_long(5000, 'x');
  bad["parameters"][0]["values"] = {too_long + ".json"};
  CHECK_THROWS_AS(parse_sweep(bad, t.path / "sweep.json", t.path), llamaf::Error);
  json bad_base = j;
  bad_base["base"]["board"] = too_long;
  CHECK_THROWS_WITH(parse_sweep(bad_base, t.path / "sweep.json", t.path),
                    Catch::Contains("base.board") && Catch::Contains("not found"));
}

TEST_CASE("sweep: filters drop points, constraints mark them infeasible", "[explore]") {
  json j = base_sweep();
  j["filters"] = {"NumPe * 2 != GroupSize"};
  j["constraints"] = json::array({"NumPe <= GroupSize",
                                  {{"expr", "design.rtl.ActBits >= 8"}, {"reason", "8-bit activations"}}});
  const Expansion e = expand(parse(j));
  // Filtered: (8,16), (16,32), (32,64); infeasible: (32,16).
  CHECK(e.filtered_out == 3);
  REQUIRE(e.points.size() == 6);
  std::size_t infeasible = 0;
  for (const auto& p : e.points) {
    const bool bad = p.params["NumPe"].get<int>() > p.params["GroupSize"].get<int>();
    CHECK(p.infeasible == (bad ? "NumPe <= GroupSize" : ""));
    infeasible += bad;
  }
  CHECK(infeasible == 1);
  // Indices are positions in the full product, so they survive filtering.
  CHECK(e.points[0].index == 1);

  json k = base_sweep();
  k["constraints"] = json::array({{{"expr", "design.rtl.ActBits >= 16"}, {"reason", "wide activations"}}});
  for (const auto& p : expand(parse(k)).points) CHECK(p.infeasible == "wide activations");

  json u = base_sweep();
  u["filters"] = {"NumPes > 1"};
  CHECK_THAT(error_of([&] { expand(parse(u)); }),
             Catch::Contains("sweep.json: filters[0]") && Catch::Contains("unknown parameter 'NumPes'"));
}

TEST_CASE("sweep: a bad file names the file, the key path and what was expected", "[explore]") {
  TempDir t;
  const fs::path f = t.path / "bad.json";
  auto message = [&](const json& j) {
    write(f, j.dump());
    return error_of([&] { load_sweep(f); });
  };
  json j = base_sweep();
  j["parameters"][1] = {{"name", "GroupSize"}, {"from", 16}, {"to", 64}, {"step", -2}};
  CHECK_THAT(message(j), Catch::Contains(f.string()) && Catch::Contains("parameters[1].step") &&
                             Catch::Contains("expected a positive number, got -2"));

  j = base_sweep();
  j["paramters"] = 1;
  CHECK_THAT(message(j), Catch::Contains("paramters") && Catch::Contains("unknown key"));

  j = base_sweep();
  j.erase("name");
  CHECK_THAT(message(j), Catch::Contains(": name:") && Catch::Contains("required"));

  j = base_sweep();
  j["base"]["model"] = "no/such/model.json";
  CHECK_THAT(message(j), Catch::Contains("base.model") && Catch::Contains("not found"));

  j = base_sweep();
  j["parameters"][0]["values"] = {8, 16, 8};
  CHECK_THAT(message(j), Catch::Contains("parameters[0].values") && Catch::Contains("appears twice"));

  j = base_sweep();
  j["parameters"][0]["values"] = {8, {{"x", 1}}};
  CHECK_THAT(message(j), Catch::Contains("parameters[0].values[1]") &&
                             Catch::Contains("a number, string or boolean"));

  j = base_sweep();
  j["parameters"][1] = {{"name", "GroupSize"}, {"from", 24}, {"to", 64}, {"scale", "pow2"}};
  CHECK_THAT(message(j), Catch::Contains("parameters[1].from") && Catch::Contains("power of two"));

  j = base_sweep();
  j["parameters"][0]["set"] = "chip.NumPe";
  CHECK_THAT(message(j), Catch::Contains("parameters[0].set"));

  j = base_sweep();
  j["parameters"][0]["set"] = "evaluate.acuracy_tokens";
  CHECK_THAT(message(j), Catch::Contains("not one"));

  j = base_sweep();
  j["parameters"][0] = {{"name", "Tokens"}, {"set", "evaluate.accuracy_tokens"}, {"values", {1}}};
  CHECK_THAT(message(j), Catch::Contains("parameters[0].values[0]") && Catch::Contains("[2, 100000]"));

  j = base_sweep();
  j["objectives"] = json::array({{{"metric", "tokens_per_s"}, {"goal", "max"}}});
  CHECK_THAT(message(j), Catch::Contains("objectives[0].goal") && Catch::Contains("maximize"));

  j = base_sweep();
  j["report"] = {{"table", {{"columns", json::array({{{"key", "lut"}, {"format", "{:q}"}}})}}}};
  CHECK_THAT(message(j), Catch::Contains("report.table.columns[0].format"));

  write(f, "{\"name\": ");
  CHECK_THAT(error_of([&] { load_sweep(f); }), Catch::Contains(f.string()) && Catch::Contains("invalid JSON"));
}

TEST_CASE("point ids: FNV-1a 64 of the canonical resolved point, stable and content-addressed",
          "[explore]") {
  // Published FNV-1a 64 test vectors.
  CHECK(hex64(fnv1a64("")) == "cbf29ce484222325");
  CHECK(hex64(fnv1a64("a")) == "af63dc4c8601ec8c");
  CHECK(hex64(fnv1a64("foobar")) == "85944171f73967e8");
  CHECK(json_hash(json{{"b", 1}, {"a", 2}}) == hex64(fnv1a64(R"({"a":2,"b":1})")));

  const Expansion a = expand(parse(base_sweep()));
  // Same content written differently (key order, extra whitespace, a file).
  TempDir t;
  write(t.path / "s.json", base_sweep().dump(4));
  const Expansion b = expand(load_sweep(t.path / "s.json"));
  REQUIRE(a.points.size() == b.points.size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    CHECK(a.points[i].id == b.points[i].id);
    CHECK(a.points[i].id == json_hash(a.points[i].resolved));
    CHECK(a.points[i].id.size() == 16);
    ids.insert(a.points[i].id);
  }
  CHECK(ids.size() == a.points.size());
  // The name and description of the sweep do not change ids; the content does.
  json renamed = base_sweep();
  renamed["name"] = "other";
  renamed["description"] = "x";
  CHECK(expand(parse(renamed)).points[0].id == a.points[0].id);
  json changed = base_sweep();
  changed["base"]["design"]["rtl"]["ActBits"] = 16;
  CHECK(expand(parse(changed)).points[0].id != a.points[0].id);
  // The sweep hash (resume, merge) ignores texts, objectives and report settings.
  json reported = base_sweep();
  reported["objectives"] = json::array({{{"metric", "lut"}, {"goal", "minimize"}}});
  reported["report"] = {{"table", {{"rows", "all"}}}};
  reported["run"] = {{"timeout_s", 5}};
  CHECK(parse(reported).hash == parse(base_sweep()).hash);
  CHECK(parse(changed).hash != parse(base_sweep()).hash);
}

TEST_CASE("sharding: --shard K/N splits points disjointly and completely", "[explore]") {
  json j = base_sweep();
  j["parameters"].push_back({{"name", "X"}, {"set", json::array()}, {"from", 1}, {"to", 20}});
  const Expansion e = expand(parse(j));
  REQUIRE(e.points.size() == 180);
  for (int n = 1; n <= 7; ++n) {
    std::vector<std::size_t> count(e.points.size(), 0);
    for (int k = 1; k <= n; ++k) {
      const Shard s = Shard::parse(std::to_string(k) + "/" + std::to_string(n));
      std::size_t mine = 0;
      for (std::size_t i = 0; i < e.points.size(); ++i)
        if (s.contains(i)) {
          ++count[i];
          ++mine;
        }
      CHECK(mine * n >= e.points.size() - (n - 1));  // balanced: floor or ceil of points/n
      CHECK(mine * n <= e.points.size() + (n - 1));
    }
    for (std::size_t c : count) CHECK(c == 1);
  }
  for (const char* bad : {"0/3", "4/3", "1", "a/b", "1/0", "2/3x"})
    CHECK_THAT(error_of([&] { Shard::parse(bad); }), Catch::Contains("--shard") && Catch::Contains(bad));
}

TEST_CASE("results store: append, torn last line dropped and cut, corruption reported",
          "[explore]") {
  TempDir t;
  const fs::path f = t.path / "results.jsonl";
  {
    ResultsStore s(f);
    CHECK(s.loaded().empty());
    s.append({{"id", "a"}, {"status", "ok"}});
    s.append({{"id", "b"}, {"status", "failed"}});
  }
  // A run killed in the middle of a write leaves a partial line.
  {
    std::ofstream out(f, std::ios::app | std::ios::binary);
    out << R"({"id":"c","sta)";
  }
  ResultsFile r = read_results_file(f);
  CHECK(r.torn_tail);
  CHECK(r.records.size() == 2);
  {
    ResultsStore s(f);
    CHECK(s.dropped_torn_tail());
    CHECK(s.loaded().size() == 2);
    s.append({{"id", "b"}, {"status", "ok"}});
  }
  r = read_results_file(f);
  CHECK_FALSE(r.torn_tail);
  REQUIRE(r.records.size() == 3);
  CHECK(read_file(f).find("sta{") == std::string::npos);
  const auto latest = latest_records(r.records);
  REQUIRE(latest.size() == 2);
  CHECK(latest[1]["status"] == "ok");

  // A damaged line followed by good ones is corruption, not a torn tail.
  write(f, "{\"id\":\"a\"}\nnot json\n{\"id\":\"b\"}\n");
  CHECK_THAT(error_of([&] { read_results_file(f); }), Catch::Contains(f.string() + ":2"));

  write_file_atomic(t.path / "x.txt", "hello");
  CHECK(read_file(t.path / "x.txt") == "hello");
  write_file_atomic(t.path / "x.txt", "bye");
  CHECK(read_file(t.path / "x.txt") == "bye");
  for (const auto& e : fs::directory_iterator(t.path))
    CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("pareto: non-dominated ok points over the objectives that have data", "[explore]") {
  auto rec = [](const char* id, double tps, double lut, const char* status = "ok") {
    return json{{"id", id}, {"status", status}, {"params", json::object()},
                {"metrics", {{"tokens_per_s", tps}, {"resources", {{"lut", lut}}}}}};
  };
  const std::vector<json> r = {rec("a", 10, 100), rec("b", 20, 200), rec("c", 15, 300),
                               rec("d", 30, 50, "failed"), rec("e", 20, 200)};
  const std::vector<Objective> o = {{"tokens_per_s", true}, {"resources.lut", false}, {"j_per_token", false}};
  const ParetoFront f = pareto_front(r, o);
  CHECK(f.members == std::vector<std::size_t>{0, 1, 4});
  CHECK(f.used.size() == 2);
  CHECK(f.missing == std::vector<std::string>{"j_per_token"});
  CHECK(record_number(r[0], "resources.lut") == 100.0);
}

namespace {

json sourced(double v, const char* unit) {
  return {{"value", v}, {"unit", unit}, {"source", "test"}, {"node", "16nm"}};
}

json test_table() {
  return {{"name", "t"},
          {"fabric",
           {{"mac_pj", {{"8", sourced(2, "pJ")}, {"4", sourced(1, "pJ")}}},
            {"bram_read_pj", sourced(5, "pJ")},
            {"bram_write_pj", sourced(6, "pJ")},
            {"ff_clock_pj_per_cycle", sourced(0.01, "pJ/cycle")},
            {"lut_pj_per_cycle", sourced(0.02, "pJ/cycle")}}},
          {"dram",
           {{"activate_pj", sourced(1000, "pJ")},
            {"read_pj_per_bit", sourced(10, "pJ/bit")},
            {"write_pj_per_bit", sourced(20, "pJ/bit")},
            {"background_mw", sourced(100, "mW")},
            {"refresh_mw", sourced(50, "mW")}}},
          {"host", {{"active_w", sourced(2, "W")}, {"idle_w", sourced(0.5, "W")}}},
          {"device", {{"static_w", sourced(1, "W")}}}};
}

}  // namespace

TEST_CASE("energy: events x table + static power, J/token, W, tokens/J", "[explore]") {
  const EnergyTable t = energy_table_from_json(test_table(), "table");
  const EnergyInputs in = energy_inputs_from_json(
      {{"tokens", 4},
       {"seconds", 2.0},
       {"macs_by_bits", {{"8", 1e9}, {"4", 2e9}}},
       {"bram_reads", 1e8},
       {"bram_writes", 1e7},
       {"dram_activates", 1e6},
       {"dram_read_bytes", 1e9},
       {"dram_write_bytes", 1e6},
       {"accel_busy_cycles", 1e8},
       {"accel_total_cycles", 4e8},
       {"host_busy_seconds", 0.5},
       {"lut", 1e5},
       {"ff", 2e5}},
      "events");
  const EnergyBreakdown e = compute_energy(t, in);
  CHECK(e.fabric_mac_j == Approx((1e9 * 2 + 2e9 * 1) * 1e-12));
  CHECK(e.fabric_memory_j == Approx((1e8 * 5 + 1e7 * 6) * 1e-12));
  CHECK(e.fabric_clock_logic_j == Approx((2e5 * 0.01 * 4e8 + 1e5 * 0.02 * 1e8) * 1e-12));
  CHECK(e.dram_dynamic_j == Approx((1e6 * 1000 + 8e9 * 10 + 8e6 * 20) * 1e-12));
  CHECK(e.dram_background_j == Approx(0.150 * 2.0));
  CHECK(e.host_j == Approx(2 * 0.5 + 0.5 * 1.5));
  CHECK(e.device_static_j == Approx(2.0));
  const double total = e.fabric_mac_j + e.fabric_memory_j + e.fabric_clock_logic_j +
                       e.dram_dynamic_j + e.dram_background_j + e.host_j + e.device_static_j;
  CHECK(e.total_j == Approx(total));
  CHECK(e.j_per_token == Approx(total / 4));
  CHECK(e.avg_power_w == Approx(total / 2));
  CHECK(e.tokens_per_j == Approx(4 / total));
  const json m = energy_metrics(e);
  CHECK(m["energy_j_per_token"]["host"].get<double>() == Approx(e.host_j / 4));

  EnergyInputs bad = in;
  bad.macs_by_bits[3] = 1;
  CHECK_THAT(error_of([&] { compute_energy(t, bad); }), Catch::Contains("3-bit") && Catch::Contains("4, 8"));
  bad = in;
  bad.accel_busy_cycles = 5e8;
  CHECK_THAT(error_of([&] { compute_energy(t, bad); }), Catch::Contains("accel_busy_cycles"));

  json wrong = test_table();
  wrong["dram"]["read_pj_per_bit"]["unit"] = "pJ";
  CHECK_THAT(error_of([&] { energy_table_from_json(wrong, "e.json"); }),
             Catch::Contains("e.json: dram: read_pj_per_bit.unit") && Catch::Contains("pJ/bit"));
  json unsourced = test_table();
  unsourced["host"]["idle_w"].erase("source");
  CHECK_THAT(error_of([&] { energy_table_from_json(unsourced, "e.json"); }),
             Catch::Contains("idle_w.source"));
}

TEST_CASE("energy: the shipped tables load and every value states unit, source and node",
          "[explore]") {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "energy")) {
    if (e.path().extension() != ".json") continue;
    INFO(e.path().string());
    const EnergyTable t = load_energy_table(e.path());
    for (int bits : {2, 3, 4, 8}) CHECK(t.mac_pj.contains(bits));
    ++n;
  }
  CHECK(n >= 1);
}

TEST_CASE("byte accounting: every matrix of the model, weights + scales as packed", "[explore]") {
  for (const char* name : {"stories260K", "tinyllama-1.1b"}) {
    INFO(name);
    const llamaf::model::Config c =
        llamaf::model::load_shape(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "models" / (std::string(name) + ".json"));
    json point = {{"model", llamaf::model::to_json(c)},
                  {"design", {{"rtl", {{"WeightBits", 8}, {"ActBits", 8}, {"GroupSize", 64}, {"AxiDataBits", 128}}}}}};
    const json m = model_byte_metrics(point);
    // Matrix MACs = parameters less norms and the embedding table.
    const std::int64_t norms = static_cast<std::int64_t>(c.n_layers) * c.dim * 2 + c.dim;
    const std::int64_t embedding = c.shared_classifier ? 0 : static_cast<std::int64_t>(c.vocab_size) * c.dim;
    CHECK(m["macs_per_token"].get<std::int64_t>() == c.parameter_count() - norms - embedding);
    CHECK(m["image_bytes_per_token"].get<std::int64_t>() ==
          m["weight_bytes_per_token"].get<std::int64_t>() + m["scale_bytes_per_token"].get<std::int64_t>());
    CHECK(m["float32_bytes_per_token"].get<std::int64_t>() == 4 * m["macs_per_token"].get<std::int64_t>());
    if (std::string(name) == "tinyllama-1.1b") {
      // 8-bit weights and one fp32 scale per 64 weights: 8.5 bits, padding negligible.
      CHECK(m["bits_per_weight"].get<double>() == Approx(8.5).epsilon(0.002));
    } else {
      CHECK(m["bits_per_weight"].get<double>() > 8.5);  // 172-wide rows padded to 192
    }
    point["design"]["rtl"]["WeightBits"] = 4;
    CHECK(model_byte_metrics(point)["weight_bytes_per_token"].get<double>() <
          0.51 * m["weight_bytes_per_token"].get<double>());
  }
  const json board = {{"memory", {{"data_rate_mt_s", 2400}, {"data_bits", 64}, {"channels", 2}}}};
  CHECK(board_peak_bandwidth_gb_s(board).value() == Approx(38.4));
  CHECK(board_peak_bandwidth_gb_s(json{{"dram", {{"peak_bandwidth_gb_s", 19.2}}}}).value() == 19.2);
  CHECK_FALSE(board_peak_bandwidth_gb_s(json{{"name", "x"}}).has_value());
}

TEST_CASE("simulation adapter: a llamaf.sim.report/1 as metrics and energy events", "[explore]") {
  const json rep = {
      {"schema", "llamaf.sim.report/1"},
      {"mode", "fast"},
      {"positions", 4},
      {"roofline", {{"percent_of_roofline", 50.0}}},
      {"total",
       {{"cycles", 4000.0},
        {"seconds", 2e-5},
        {"tokens_per_s", 200000.0},
        {"operators", {{"qkv", {{"cycles", 1000.0}, {"seconds", 5e-6}}},
                       {"attention", {{"cycles", 200.0}, {"seconds", 1e-6}}}}},
        {"accelerator", {{"busy_cycles", 3000.0}, {"macs", 12345.0}, {"act_buf_reads", 100.0},
                         {"wgt_buf_writes", 50.0}, {"macs_per_busy_cycle", 4.115}}},
        {"dram", {{"activates", 10.0}, {"bytes_read", 1000.0}, {"bytes_written", 10.0},
                  {"achieved_gbps", 0.5}, {"row_hit_rate", 0.9}}},
        {"host", {{"busy_seconds", 1e-5}}},
        {"macs_by_bits", {{"w4a8", 12345.0}}}}}};
  const StageOutcome o = sim_report_metrics(rep);
  CHECK(o.available);
  CHECK(o.metrics["tokens_per_s"] == 200000.0);
  CHECK(o.metrics["cycles_per_token"] == 1000.0);
  CHECK(o.metrics["token_latency_ms"].get<double>() == Approx(0.005));
  CHECK(o.metrics["op_latency_us"]["qkv"].get<double>() == Approx(1.25));
  CHECK(o.metrics["achieved_bandwidth_gb_s"] == 0.5);
  CHECK(o.metrics["sim_mode"] == "fast");
  CHECK(o.events["macs_by_bits"] == json{{"4", 12345.0}});
  CHECK(o.events["bram_reads"] == 150.0);
  CHECK(o.events["bram_writes"] == 50.0);
  CHECK(o.events["tokens"] == 4);
  const EnergyInputs in = energy_inputs_from_json(o.events, "events");
  CHECK(in.accel_total_cycles == 4000.0);
  CHECK(in.host_busy_seconds == 1e-5);

  json bad = rep;
  bad["total"].erase("dram");
  CHECK_THAT(error_of([&] { sim_report_metrics(bad); }), Catch::Contains("simulation report"));
  bad = rep;
  bad["schema"] = "other/2";
  CHECK_THAT(error_of([&] { sim_report_metrics(bad); }), Catch::Contains("llamaf.sim.report/1"));

  // A design that is not one of configs/designs has no simulator: a note, no metrics.
  const json point = {{"design", {{"rtl", {{"WeightBits", 8}}}}}, {"evaluate", {{"simulate", true}}}};
  const StageOutcome none = simulate_point(point, EvalContext{});
  CHECK_FALSE(none.available);
  CHECK_THAT(none.note, Catch::Contains("build folder"));
}

namespace {

fs::path fixture_copy(const TempDir& t, const std::string& name = "run") {
  const fs::path dst = t.path / name;
  fs::create_directories(dst);
  const fs::path src = fs::path(LLAMAF_SOURCE_DIR) / "tests" / "data" / "explore" / "report_fixture";
  for (const char* f : {"sweep.json", "results.jsonl"}) fs::copy_file(src / f, dst / f);
  return dst;
}

}  // namespace

TEST_CASE("report: regenerated from a fixed results file", "[explore]") {
  TempDir t;
  const fs::path dir = fixture_copy(t);
  const ReportSummary s = write_report(dir, ReportOptions{""});
  CHECK(s.points == 3);
  CHECK(s.ok == 2);
  CHECK(s.failed == 1);
  CHECK(s.pending == 1);

  const std::string csv = read_file(dir / "results.csv");
  std::istringstream lines(csv);
  std::string header, row0, row1, row2, extra;
  std::getline(lines, header);
  std::getline(lines, row0);
  std::getline(lines, row1);
  std::getline(lines, row2);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(header ==
        "id,index,status,reason,NumPe,WeightBits,tokens_per_s,lut,top1_agreement,"
        "op_latency_us.attention,op_latency_us.matvec,wallclock_s");
  // Sorted by sweep index; the retried point keeps its latest record.
  CHECK(row0 == "9d447205170dd89c,0,failed,timed out after 600 s (killed),8,4,,,,,,600.0");
  CHECK(row1 == "1c6cd6ffbd3c2d0c,1,ok,,8,8,22.0,30000,0.97,3000,40000,2.25");
  CHECK(row2.rfind("1007bcdc97d9b052,2,ok,,16,4,41.5,52000,0.8,", 0) == 0);

  // Both ok points are Pareto-optimal (faster vs smaller and more accurate).
  const std::string pareto = read_file(dir / "pareto.csv");
  CHECK(pareto.find("1c6cd6ffbd3c2d0c") != std::string::npos);
  CHECK(pareto.find("1007bcdc97d9b052") != std::string::npos);
  CHECK(pareto.find("9d447205170dd89c") == std::string::npos);

  const std::string md = read_file(dir / "report.md");
  CHECK(md.find("timed out after 600 s (killed)") != std::string::npos);
  CHECK(md.find("| 2 | 1 | 0 | 1 |") != std::string::npos);  // ok, failed, infeasible, pending
  CHECK(md.find("max tokens_per_s | 41.5 | `1007bcdc97d9b052`") != std::string::npos);
  CHECK(md.find("figures switched off") != std::string::npos);

  const std::string tex = read_file(dir / "table.tex");
  CHECK(tex.find("\\toprule") != std::string::npos);
  CHECK(tex.find("\\caption{Fixture table}") != std::string::npos);
  CHECK(tex.find("PEs & $w$ & tokens/s & top-1 (\\%) \\\\") != std::string::npos);
  // Sorted by tokens/s, descending; formats and scales applied.
  const auto a = tex.find("16 & 4 & 41.5 & 80.0 \\\\");
  const auto b = tex.find("8 & 8 & 22.0 & 97.0 \\\\");
  CHECK(a != std::string::npos);
  CHECK(b != std::string::npos);
  CHECK(a < b);
  // report.md shows the same table in markdown: same rows, order, formats.
  const auto ma = md.find("| 16 | 4 | 41.5 | 80.0 |");
  const auto mb = md.find("| 8 | 8 | 22.0 | 97.0 |");
  CHECK(md.find("## Table\n\nFixture table\n\n| PEs | $w$ | tokens/s | top-1 (%) |") != std::string::npos);
  CHECK(ma != std::string::npos);
  CHECK(mb != std::string::npos);
  CHECK(ma < mb);

  const json results = json::parse(read_file(dir / "results.json"));
  CHECK(results["sweep"] == "report_fixture");
  CHECK(results["points"].size() == 3);
  CHECK(results["tools"]["llamaf"] == "0.1.0");

  // Regenerating gives the same bytes.
  const std::string before = read_file(dir / "results.csv") + read_file(dir / "report.md") +
                             read_file(dir / "table.tex") + read_file(dir / "results.json");
  write_report(dir, ReportOptions{""});
  CHECK(before == read_file(dir / "results.csv") + read_file(dir / "report.md") +
                      read_file(dir / "table.tex") + read_file(dir / "results.json"));
}

TEST_CASE("report: figures through gnuplot, or a note when it is missing", "[explore]") {
  TempDir t;
  const fs::path dir = fixture_copy(t);
  const ReportSummary missing = write_report(dir, ReportOptions{"no-such-gnuplot-llamaf"});
  CHECK(missing.figures.empty());
  CHECK(read_file(dir / "report.md").find("'no-such-gnuplot-llamaf' not found") != std::string::npos);
  CHECK(fs::exists(dir / "figures" / "tokens_per_s_vs_lut.gp"));
  CHECK(fs::exists(dir / "figures" / "tokens_per_s_vs_lut.dat"));
  if (!find_program("gnuplot")) {
    WARN("gnuplot not installed: figure rendering not checked");
    return;
  }
  const ReportSummary s = write_report(dir, ReportOptions{"gnuplot"});
  for (const char* f : {"tokens_per_s_vs_lut", "time_breakdown"}) {
    INFO(f);
    CHECK(std::find(s.figures.begin(), s.figures.end(), f) != s.figures.end());
    CHECK(fs::file_size(dir / "figures" / (std::string(f) + ".pdf")) > 0);
    CHECK(fs::file_size(dir / "figures" / (std::string(f) + ".svg")) > 0);
  }
  // No point has tokens_per_j: that figure is skipped with a reason.
  CHECK(read_file(dir / "report.md").find("tokens_per_j_vs_accuracy: skipped") != std::string::npos);
}

TEST_CASE("merge: shard folders of one sweep, refusing other sweeps", "[explore]") {
  TempDir t;
  const fs::path a = fixture_copy(t, "a"), b = fixture_copy(t, "b");
  // Split the records; the retried point's failed record goes to a, its ok
  // record to b: the merge keeps the ok one.
  const std::string all = read_file(a / "results.jsonl");
  std::vector<std::string> lines;
  std::istringstream in(all);
  for (std::string l; std::getline(in, l);) lines.push_back(l + "\n");
  write(a / "results.jsonl", lines[0] + lines[2]);
  write(b / "results.jsonl", lines[1] + lines[3]);
  const MergeSummary m = merge_results({a, b}, t.path / "merged");
  CHECK(m.inputs == 2);
  CHECK(m.records == 3);
  CHECK(m.duplicates == 1);
  const ReportSummary s = write_report(t.path / "merged", ReportOptions{""});
  CHECK(s.ok == 2);
  CHECK(s.failed == 1);
  const fs::path whole = fixture_copy(t, "whole");
  write_report(whole, ReportOptions{""});
  CHECK(read_file(t.path / "merged" / "results.csv") == read_file(whole / "results.csv"));

  json other = json::parse(read_file(b / "sweep.json"));
  other["hash"] = "another";
  write(b / "sweep.json", other.dump());
  CHECK_THAT(error_of([&] { merge_results({a, b}, t.path / "merged2"); }),
             Catch::Contains("only shards of one sweep merge"));
}

TEST_CASE("sweep load: typos in targets, metrics, axes and columns are errors with a suggestion",
          "[explore]") {
  json j = base_sweep();
  j["parameters"][0]["set"] = "design.rtl.NumPee";  // the issue's typo: was a sweep of identical points
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("sweep.json: parameters[0].set") &&
                                              Catch::Contains("did you mean 'NumPe'"));
  j = base_sweep();
  j["parameters"][0]["set"] = "model.dimm";
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("parameters[0].set") && Catch::Contains("did you mean 'dim'"));
  j = base_sweep();
  j["parameters"][0] = {{"name", "Policy"}, {"set", "evaluate.sim.polcy"}, {"values", {"serial"}}};
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("parameters[0].set") && Catch::Contains("did you mean 'sim.policy'"));
  j = base_sweep();
  j["objectives"] = json::array({{{"metric", "tokens_per_sec"}, {"goal", "maximize"}}});
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("objectives[0].metric") &&
                                              Catch::Contains("did you mean 'tokens_per_s'"));
  j = base_sweep();
  j["report"] = {{"table", {{"columns", json::array({"NumPe", "lutt"})}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("report.table.columns[1].key") &&
                                              Catch::Contains("did you mean 'lut'"));
  j = base_sweep();
  j["report"] = {{"table", {{"sort_by", "NumPes"}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("sort_by") && Catch::Contains("did you mean 'NumPe'"));
  j = base_sweep();
  j["report"] = {{"figures", json::array({{{"name", "f"}, {"x", "NumPe"}, {"y", "j_per_tokn"}}})}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("report.figures[0].y") &&
                                              Catch::Contains("did you mean 'j_per_token'"));
  // Flattened object metrics are accepted by prefix.
  j = base_sweep();
  j["report"] = {{"table", {{"columns", json::array({"op_latency_us.matvec", "id"})}}}};
  CHECK_NOTHROW(parse(j));
}

TEST_CASE("sweep load: evaluate.sim values, RTL legality and checkpoints are checked before any point runs",
          "[explore]") {
  json j = base_sweep();
  j["evaluate"] = {{"sim", {{"policy", "fast"}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.sim.policy") && Catch::Contains("overlapped"));
  j = base_sweep();
  j["evaluate"] = {{"sim", {{"sim_layers", -1}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.sim.sim_layers"));
  j = base_sweep();
  j["evaluate"] = {{"sim", {{"bild", true}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.sim.bild") && Catch::Contains("did you mean 'build'"));
  j["evaluate"] = {{"sim", {{"sample_positions", 1}}}};  // at least the first and the last
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("evaluate.sim.sample_positions"));
  j["evaluate"] = {{"sim", {{"sim_layers", 1}, {"policy", "staged_async"}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("fast mode") && Catch::Contains("staged_async"));
  j["evaluate"] = {{"sim", {{"sample_position", 3}}}};
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("did you mean 'sample_positions'"));
  // The issue's NumPe values, with simulation and synthesis on (the default)
  // or off: refused at load, naming the point and the rule.
  for (const int n : {0, 3, -8, 1000000}) {
    for (const bool hw : {true, false}) {
      j = base_sweep();
      j["evaluate"] = {{"simulate", hw}, {"synthesize", hw}};
      j["parameters"][0]["values"] = {16, n};
      j.erase("constraints");  // (NumPe <= GroupSize would exempt 1000000)
      INFO(n);
      CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("sweep.json: point") &&
                                                  Catch::Contains("NumPe = " + std::to_string(n)) &&
                                                  Catch::Contains("power of two in 1..512"));
    }
  }
  // Points a constraint makes infeasible are exempt (never evaluated).
  j = base_sweep();
  j["constraints"] = json::array({"NumPe <= GroupSize"});
  CHECK_NOTHROW(parse(j));
  j["constraints"] = json::array();
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("NumPe = 32") && Catch::Contains("<= GroupSize"));
  // A checkpoint that does not exist is refused by load_sweep.
  TempDir t;
  j = base_sweep();
  j["evaluate"] = {{"checkpoint", "no-such-model.bin"}};
  write(t.path / "s.json", j.dump());
  CHECK_THAT(error_of([&] { load_sweep(t.path / "s.json"); }),
             Catch::Contains("evaluate.checkpoint") && Catch::Contains("no-such-model.bin") &&
                 Catch::Contains("does not exist"));
}

TEST_CASE("sweep load: port maps are checked against the board's PS before any point runs",
          "[explore]") {
  const json zcu102 =
      json::parse(read_file(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "boards" / "zcu102.json"));
  auto sweep = [&](const json& port_maps, const json& weight_ports) {
    json j = base_sweep();
    j["base"]["board"] = zcu102;
    j["parameters"] = json::array(
        {{{"name", "WeightPorts"}, {"set", "design.rtl.WeightPorts"}, {"values", weight_ports}},
         {{"name", "PortMap"}, {"set", "design.ps_ports"}, {"values", port_maps}}});
    j.erase("constraints");
    return j;
  };
  // One to six ports, HPC included, each with its own port count: loads.
  const json maps = {"HP0", "HP0,HP2", "HP0,HP2,HP3", "HP0,HP1,HP2,HP3", "HP0,HP1,HP2,HP3,HPC0",
                     "HP0,HP1,HP2,HP3,HPC0,HPC1"};
  json j = sweep(maps, {1, 2, 3, 4, 5, 6});
  j["filters"] = json::array({"count(PortMap) == WeightPorts"});
  const Sweep ok = parse(j);
  CHECK(expand(ok).points.size() == 6);
  // A port map longer than the design's AXI read ports: refused at load,
  // naming the point, both counts and the fix.
  j = sweep({"HP0", "HP0,HP2,HP3"}, {2});
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("sweep.json: point") && Catch::Contains("PortMap = \"HP0\"") &&
                 Catch::Contains("ps_ports lists 1 PS port but the design has 2 AXI read ports"));
  j = sweep({"HP0,HP2,HP3"}, {2});
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("PortMap = \"HP0,HP2,HP3\"") &&
                 Catch::Contains("ps_ports lists 3 PS ports but the design has 2 AXI read ports"));
  // An unknown port, the host's APU port, a port used twice.
  j = sweep({"HP0,HP9"}, {2});
  CHECK_THAT(error_of([&] { parse(j); }),
             Catch::Contains("ps_ports[1] \"HP9\" is not a PL-PS port") &&
                 Catch::Contains("known: HP0, HP1, HP2, HP3, HPC0, HPC1"));
  j = sweep({"APU"}, {1});
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("\"APU\" is not a PL-PS port"));
  j = sweep({"HP2,HP2"}, {2});
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("HP2 is used twice"));
  // Without a port map, more AXI ports than the board's default order.
  j = sweep({"HP0"}, {1});
  j["parameters"] = json::array({{{"name", "WeightPorts"}, {"set", "design.rtl.WeightPorts"}, {"values", {7}}}});
  CHECK_THAT(error_of([&] { parse(j); }), Catch::Contains("WeightPorts = 7") && Catch::Contains("needs a port map"));
  // A filtered-out or constraint-exempt point is never checked.
  j = sweep({"HP0,HP2,HP3"}, {2});
  j["constraints"] = json::array({"count(PortMap) == WeightPorts"});
  CHECK_NOTHROW(parse(j));
}

TEST_CASE("sharding: every shipped sweep splits evenly for N = 2..16", "[explore]") {
  for (const auto& f : fs::directory_iterator(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "sweeps")) {
    INFO(f.path());
    Sweep s;
    try {
      s = load_sweep(f.path());
    } catch (const llamaf::Error& e) {
      // Only a missing real checkpoint may stop a shipped sweep from loading.
      CHECK_THAT(e.what(), Catch::Contains("evaluate.checkpoint"));
      json j = json::parse(llamaf::test::read_file(f.path()));
      j["evaluate"].erase("checkpoint");
      s = parse_sweep(j, f.path(), f.path().parent_path());
    }
    // A screened sweep (fidelity analytical/auto) is never expanded nor
    // sharded: its screen runs whole (screen_test.cpp loads it).
    if (s.fidelity != Fidelity::kRtl) continue;
    const Expansion e = expand(s);
    const std::size_t points = e.points.size();
    REQUIRE(points > 0);
    for (int n = 2; n <= 16; ++n) {
      std::size_t total = 0;
      for (int k = 1; k <= n; ++k) {
        const Shard sh = Shard::parse(std::to_string(k) + "/" + std::to_string(n));
        std::size_t mine = 0;
        for (std::size_t i = 0; i < points; ++i) mine += sh.contains(i);
        INFO("shard " << k << "/" << n << ": " << mine << " of " << points);
        CHECK(mine >= points / n);
        CHECK(mine <= points / n + 1);
        total += mine;
      }
      CHECK(total == points);
    }
  }
}

TEST_CASE("expressions: nesting and length are bounded with a clear error", "[explore]") {
  const std::string deep = std::string(20000, '(') + "1" + std::string(20000, ')');
  CHECK_THAT(error_of([&] { Expr::parse(deep, "filters[0]"); }),
             Catch::Contains("filters[0]") && Catch::Contains("characters"));
  const std::string nested = std::string(100, '(') + "1" + std::string(100, ')');
  CHECK_THAT(error_of([&] { Expr::parse(nested, "filters[0]"); }), Catch::Contains("nesting deeper than 64"));
  CHECK_THAT(error_of([&] { Expr::parse(std::string(100, '!') + "1", "w"); }), Catch::Contains("nesting"));
  const std::string ok = std::string(60, '(') + "1" + std::string(60, ')');
  CHECK(Expr::parse(ok, "w").eval([](const std::string&) { return std::nullopt; }).truthy());
}

TEST_CASE("ETA: builds ahead are counted once each, with the measured build time", "[explore][eta]") {
  llamaf::dse::Progress p;
  p.to_run = 6;
  p.ran = 2;
  p.rest_s = {10, 30};  // mean 20 s per point without its build
  p.build_s = {100};    // one build measured
  p.builds_queued = 2;  // the 4 points left need 2 distinct simulators
  CHECK(*llamaf::dse::estimate_remaining_s(p, 1) == Approx(4 * 20 + 2 * 100));
  CHECK(*llamaf::dse::estimate_remaining_s(p, 2) == Approx((4 * 20 + 2 * 100) / 2.0));
  // A running point that builds: what is left of build + point time.
  p.running.push_back({"a", nlohmann::json::object(), "building simulator", 30});
  p.building.insert("a");
  p.builds_queued = 1;
  CHECK(*llamaf::dse::estimate_remaining_s(p, 1) == Approx((120 - 30) + 3 * 20 + 100));
  // Past its expected time it counts as about to finish.
  p.running[0].elapsed_s = 500;
  CHECK(*llamaf::dse::estimate_remaining_s(p, 1) == Approx(3 * 20 + 100));
}

TEST_CASE("ETA: priors from earlier runs until this run measures, unknown without", "[explore][eta]") {
  llamaf::dse::Progress p;
  p.to_run = 3;
  p.builds_queued = 3;
  CHECK_FALSE(llamaf::dse::estimate_remaining_s(p, 1).has_value());
  p.prior_rest_s = 5;
  CHECK_FALSE(llamaf::dse::estimate_remaining_s(p, 1).has_value());  // builds ahead, no build time
  p.prior_build_s = 50;
  CHECK(*llamaf::dse::estimate_remaining_s(p, 1) == Approx(3 * 5 + 3 * 50));
  p.build_s = {80};  // this run's measurement replaces the prior
  CHECK(*llamaf::dse::estimate_remaining_s(p, 1) == Approx(3 * 5 + 3 * 80));
  p.ran = 3;
  CHECK(*llamaf::dse::estimate_remaining_s(p, 1) == 0.0);
}
