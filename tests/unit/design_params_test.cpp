// Design files: the one reader (unknown keys rejected, with a suggestion),
// the legality rules of docs/rtl.md (exactly lf_top.sv's elaboration
// checks), the defaults (lf_top's own), the PARAMS registers a model built
// for a design returns, the refusal of a simulator built for other
// parameters, and the design identity shared by sim, synth and explore.
#include "explorer/design_identity.h"
#include "explorer/sim_build.h"
#include "explorer/synth.h"
#include "sim/config/json_reader.h"
#include "sim/model/error.h"
#include "sim/rtl_driver/design_params.h"
#include "tests/support/files.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

using namespace llamaf;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kSrc = LLAMAF_SOURCE_DIR;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

json tiny() { return json::parse(test::read_file(kSrc / "configs" / "designs" / "tiny.json")); }

// Reads and checks a design JSON as every command does for a file.
void check(const json& j) {
  const sim::DesignParams p = sim::design_params_from_json(j, "d.json");
  sim::check_rtl_legality(p, "d.json");
}

}  // namespace

TEST_CASE("design legality: every shipped design is legal", "[design]") {
  for (const auto& e : fs::directory_iterator(kSrc / "configs" / "designs")) {
    INFO(e.path());
    CHECK_NOTHROW(sim::load_design_params(e.path().string()));
  }
  for (const auto& e : fs::directory_iterator(kSrc / "tests" / "rtl" / "designs")) {
    INFO(e.path());
    CHECK_NOTHROW(sim::load_design_params(e.path().string()));
  }
}

TEST_CASE("design legality: illegal parameters name the file, the key and the rule", "[design]") {
  // The issue's NumPe values: 0, 3, -8, 1,000,000.
  for (const std::int64_t n : {0LL, 3LL, -8LL, 1000000LL}) {
    json j = tiny();
    j["rtl"]["NumPe"] = n;
    INFO(n);
    CHECK_THAT(error_of([&] { check(j); }),
               Catch::Contains("d.json") && Catch::Contains("rtl.NumPe = " + std::to_string(n)) &&
                   Catch::Contains("power of two in 1..512"));
  }
  // Beyond a 32-bit parameter: the rule, not an overflow.
  json big = tiny();
  big["rtl"]["ActBufCols"] = 1000000000000LL;
  CHECK_THAT(error_of([&] { check(big); }),
             Catch::Contains("rtl.ActBufCols") && Catch::Contains("multiple of GroupSize"));
  // One violation of each rule of lf_top.sv's "Parameter legality".
  const std::vector<std::tuple<const char*, std::int64_t, const char*>> bad = {
      {"NumPe", 128, "must be <= GroupSize (GroupSize = 64)"},
      {"WeightBits", 3, "2, 4 or 8"},
      {"ActBits", 17, "4..16"},
      {"GroupSize", 48, "power of two in 16..512"},
      {"ScaleFmt", 3, "0 (fp32), 1 (fp16) or 2 (bf16)"},
      {"AxiDataBits", 96, "64, 128, 256 or 512"},
      {"AxiAddrBits", 31, "32..64"},
      {"WeightPorts", 9, "1..8"},
      {"MaxOutstanding", 33, "1..32"},
      {"MaxBurstBeats", 24, "power of two in 1..256"},
      {"WgtBufWords", 32, ">= MaxOutstanding * MaxBurstBeats"},
      {"ActBufCols", 2000, "multiple of GroupSize"},
      {"OutBufWords", 1, ">= 2"},
      {"JobQueueDepth", 256, "2..255"}};
  for (const auto& [key, value, rule] : bad) {
    json j = tiny();
    j["rtl"][key] = value;
    INFO(key);
    const std::string e = error_of([&] { check(j); });
    CHECK_THAT(e, Catch::Contains(rule) && Catch::Contains("d.json"));
    if (std::string(key) != "NumPe" && std::string(key) != "ScaleFmt")
      CHECK_THAT(e, Catch::Contains(std::string("rtl.") + key));
  }
  // Accuracy-only studies may use the quantizer's widths.
  json w3 = tiny();
  w3["rtl"]["WeightBits"] = 3;
  const sim::DesignParams p3 = sim::design_params_from_json(w3, "d.json");
  CHECK_NOTHROW(sim::check_rtl_legality(p3, "d.json", /*quantizer_only=*/true));
  w3["rtl"]["WeightBits"] = 9;
  const sim::DesignParams p9 = sim::design_params_from_json(w3, "d.json");
  CHECK_THAT(error_of([&] { sim::check_rtl_legality(p9, "d.json", true); }), Catch::Contains("2..8"));
}

TEST_CASE("design reader: unknown and misplaced keys are refused with a suggestion", "[design]") {
  json j = tiny();
  j["rtl"]["NumPee"] = 16;
  CHECK_THAT(error_of([&] { check(j); }),
             Catch::Contains("d.json: rtl.NumPee") && Catch::Contains("did you mean 'NumPe'"));
  j = tiny();
  j["colour"] = "red";
  CHECK_THAT(error_of([&] { check(j); }), Catch::Contains("d.json: colour") && Catch::Contains("unknown key"));
  j = tiny();
  j["NumPe"] = 16;  // the old top-level spelling
  CHECK_THAT(error_of([&] { check(j); }), Catch::Contains("belong in the \"rtl\" object"));
  j = tiny();
  j["rtl"]["num_pe"] = 16;  // snake_case is no longer a second spelling
  CHECK_THAT(error_of([&] { check(j); }), Catch::Contains("rtl.num_pe") && Catch::Contains("unknown key"));
  j = tiny();
  j["rtl"]["NumPe"] = "many";
  CHECK_THAT(error_of([&] { check(j); }), Catch::Contains("rtl.NumPe") && Catch::Contains("integer"));
  // The synthesis front end reads designs through the same reader.
  j = tiny();
  j["rtl"]["GroupSise"] = 64;
  CHECK_THAT(error_of([&] { dse::rtl_parameters(j, "s.json"); }), Catch::Contains("did you mean 'GroupSize'"));
  j = tiny();
  j["rtl"]["NumPe"] = 3;
  CHECK_THAT(error_of([&] { dse::rtl_parameters(j, "s.json"); }),
             Catch::Contains("s.json: rtl.NumPe = 3") && Catch::Contains("power of two"));
}

TEST_CASE("design reader: ps_ports as an array or one comma-separated string", "[design]") {
  json j = tiny();
  j["ps_ports"] = json::array({"HP0", "HPC1"});
  CHECK(sim::design_params_from_json(j, "d.json").ps_ports == std::vector<std::string>{"HP0", "HPC1"});
  j["ps_ports"] = "HP0,HP2,HP3";  // a sweep parameter's scalar value
  CHECK(sim::design_params_from_json(j, "d.json").ps_ports ==
        std::vector<std::string>{"HP0", "HP2", "HP3"});
  j["ps_ports"] = "HP0";
  CHECK(sim::design_params_from_json(j, "d.json").ps_ports == std::vector<std::string>{"HP0"});
  for (const char* bad : {"", "HP0,", ",HP0", "HP0,,HP2"}) {
    j["ps_ports"] = bad;
    INFO(bad);
    CHECK_THAT(error_of([&] { check(j); }),
               Catch::Contains("d.json: ps_ports") && Catch::Contains("separated by commas"));
  }
  j["ps_ports"] = 3;
  CHECK_THAT(error_of([&] { check(j); }), Catch::Contains("comma-separated string"));
}

TEST_CASE("design reader: weight_layout regions or interleaved chunks of a full burst", "[design]") {
  json j = tiny();
  CHECK(sim::design_params_from_json(j, "d.json").weight_chunk_bytes == 0);
  j["weight_layout"] = "regions";
  CHECK(sim::design_params_from_json(j, "d.json").weight_layout() == "regions");
  j["weight_layout"] = "interleaved";  // one ZCU102 DRAM row
  CHECK(sim::design_params_from_json(j, "d.json").weight_chunk_bytes == 8192);
  j["weight_layout"] = "interleaved:1024";
  const sim::DesignParams p = sim::design_params_from_json(j, "d.json");
  CHECK(p.weight_chunk_bytes == 1024);
  CHECK(p.weight_layout() == "interleaved:1024");
  CHECK(p.bus().chunk_bytes == 1024);
  for (const char* bad : {"interleaved:", "interleaved:1000", "interleaved:-64", "interleaved:64k",
                          "interleave", "Regions"}) {
    j["weight_layout"] = bad;
    INFO(bad);
    CHECK_THAT(error_of([&] { check(j); }),
               Catch::Contains("d.json: weight_layout") && Catch::Contains("interleaved:<chunk bytes>"));
  }
  // Legal as a layout but below one burst of the design (LAYOUT error 6).
  j["rtl"]["MaxBurstBeats"] = 16;
  j["rtl"]["AxiDataBits"] = 128;
  j["weight_layout"] = "interleaved:128";
  CHECK_THAT(error_of([&] { check(j); }),
             Catch::Contains("d.json: weight_layout = \"interleaved:128\"") &&
                 Catch::Contains("at least one full burst, 256 bytes"));
  j["weight_layout"] = "interleaved:256";
  CHECK_NOTHROW(check(j));
}

TEST_CASE("design reader: missing parameters take lf_top's own defaults", "[design]") {
  // Parse `parameter int unsigned Name = <number>` from lf_top.sv, so the
  // C++ defaults cannot drift from what Verilator builds for a missing key.
  const std::string sv = test::read_file(kSrc / "rtl" / "lf_top.sv");
  const std::regex re(R"(parameter\s+int\s+unsigned\s+(\w+)\s*=\s*(\d+))");
  const json defaults = sim::rtl_json(sim::design_params_from_json(json::object(), "empty"));
  int found = 0;
  for (auto it = std::sregex_iterator(sv.begin(), sv.end(), re); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    INFO(name);
    REQUIRE(defaults.contains(name));
    CHECK(defaults[name] == std::stoll((*it)[2]));
    ++found;
  }
  CHECK(found == 13);  // every parameter but ScaleFmt (an enum constant, fp32 = 0)
  CHECK(defaults["ScaleFmt"] == 0);
}

TEST_CASE("PARAMS registers: a simulator built for other parameters is refused", "[design]") {
  const sim::DesignParams t = sim::design_params_from_json(tiny(), "tiny.json");
  const auto regs = sim::params_registers(t);
  // Field layout of rtl/lf_csr.sv.
  CHECK((regs[0] & 0xFFFFu) == 8u);           // NumPe
  CHECK(((regs[0] >> 16) & 0xFu) == 4u);      // WeightBits
  CHECK(((regs[1] >> 16) & 0x7FFu) == 64u);   // AxiDataBits
  CHECK(regs[2] == 2048u);                     // ActBufCols
  CHECK(((regs[3] >> 7) & 0x1FFu) == 16u);    // MaxBurstBeats
  CHECK_NOTHROW(sim::check_compiled_params(regs, t, "tiny.json"));
  json j = tiny();
  j["rtl"]["NumPe"] = 16;
  j["rtl"]["WeightBits"] = 8;
  const sim::DesignParams other = sim::design_params_from_json(j, "mine.json");
  const std::string e = error_of([&] { sim::check_compiled_params(regs, other, "mine.json"); });
  CHECK_THAT(e, Catch::Contains("mine.json") && Catch::Contains("NumPe 8 (compiled) vs 16 (file)") &&
                    Catch::Contains("WeightBits 4 (compiled) vs 8 (file)") &&
                    Catch::Contains("NumPe=8") && Catch::Contains("NumPe=16"));
}

TEST_CASE("design identity: the parameters and the RTL, not the file's name", "[design]") {
  const fs::path rtl = kSrc / "rtl";
  json a = tiny();
  json b = tiny();
  b["name"] = "renamed";
  b["description"] = "same parameters, another file";
  const auto pa = sim::design_params_from_json(a, "a");
  const auto pb = sim::design_params_from_json(b, "b");
  CHECK(dse::design_identity(pa, rtl) == dse::design_identity(pb, rtl));
  // Spelling a default explicitly is the same design.
  json c = tiny();
  c["rtl"].erase("AxiAddrBits");  // 40, lf_top's default
  CHECK(dse::design_identity(sim::design_params_from_json(c, "c"), rtl) == dse::design_identity(pa, rtl));
  json d = tiny();
  d["rtl"]["NumPe"] = 16;
  CHECK(dse::design_identity(sim::design_params_from_json(d, "d"), rtl) != dse::design_identity(pa, rtl));
  CHECK(dse::design_identity(pa, rtl).size() == 13);
  CHECK(dse::design_identity(pa, rtl)[0] == 'x');
  // An RTL edit makes it another design.
  test::TempDir t("llamaf-identity");
  for (const auto& e : fs::directory_iterator(rtl)) fs::copy_file(e.path(), t.path / e.path().filename());
  CHECK(dse::design_identity(pa, t.path) == dse::design_identity(pa, rtl));
  test::write_file(t.path / "lf_top.sv", test::read_file(rtl / "lf_top.sv") + "\n// edit\n");
  CHECK(dse::design_identity(pa, t.path) != dse::design_identity(pa, rtl));
  // The synthesis cache key follows the identity: same parameters, same key.
  const auto sources = dse::rtl_sources(rtl);
  CHECK(dse::synth_cache_key(sources, "lf_top", dse::rtl_parameters(a, "a")) ==
        dse::synth_cache_key(sources, "lf_top", dse::rtl_parameters(b, "b")));
  CHECK(dse::synth_cache_key(sources, "lf_top", dse::rtl_parameters(a, "a")) !=
        dse::synth_cache_key(sources, "lf_top", dse::rtl_parameters(d, "d")));
}

TEST_CASE("synthesis script: every parameter in one chparam", "[design]") {
  // One at a time, Yosys elaborates each intermediate parameter set and
  // lf_top's legality checks fire (MaxBurstBeats 32 with the default
  // WgtBufWords 128 < MaxOutstanding x 32).
  const std::string s = dse::synth_script({"/r/lf_pkg.sv", "/r/lf_top.sv"}, "lf_top",
                                          {{"MaxBurstBeats", 32}, {"WgtBufWords", 256}}, "/t/stat.json");
  CHECK(s.find("chparam -set MaxBurstBeats 32 -set WgtBufWords 256 lf_top\n") != std::string::npos);
  CHECK(s.find("chparam") == s.rfind("chparam"));
}

TEST_CASE("checked-JSON reader: suggestions for plausible typos only", "[design]") {
  CHECK(config::closest_match("NumPee", {"NumPe", "GroupSize"}) == "NumPe");
  CHECK(config::closest_match("tokens_per_sec", {"tokens_per_s", "lut"}) == "tokens_per_s");
  CHECK(config::closest_match("polcy", {"policy", "build"}) == "policy");
  CHECK(config::closest_match("zzzzzz", {"policy", "build"}).empty());
  CHECK(config::did_you_mean("Buld", {"build"}) == " (did you mean 'build'?)");
}

TEST_CASE("checked-JSON reader: a number beyond double is invalid JSON, naming the file", "[design]") {
  // nlohmann throws out_of_range, not parse_error, for 1e999 (found by
  // tests/fuzz/config_json_fuzz's sibling targets).
  const fs::path p = fs::temp_directory_path() / "llamaf_design_params_test_1e999.json";
  { std::ofstream(p) << R"({"rtl": {"NumPe": 1e999}})"; }
  CHECK_THROWS_WITH(config::read_json_file(p.string()),
                    Catch::Contains(p.string()) && Catch::Contains("invalid JSON"));
  fs::remove(p);
}

TEST_CASE("checked-JSON reader: integers beyond int64 are out of range, not wrapped", "[design]") {
  // 2^64 - 1 is stored unsigned by nlohmann; get<int64_t> made it -1.
  const json j = json::parse(R"({"a": 18446744073709551615, "b": 9223372036854775807})");
  const config::JsonObject o(j, "f.json", "");
  CHECK_THROWS_WITH(o.get_int64("a"), Catch::Contains("f.json: a") &&
                                          Catch::Contains("18446744073709551615 out of range"));
  CHECK(o.get_int64("b") == INT64_MAX);
  CHECK_THROWS_WITH(o.get_int("b"), Catch::Contains("out of range"));
  json d = tiny();
  d["rtl"]["NumPe"] = json::parse("18446744073709551615");
  CHECK_THROWS_WITH(sim::design_params_from_json(d, "d.json"),
                    Catch::Contains("d.json: rtl.NumPe") && Catch::Contains("out of range"));
}

TEST_CASE("simulator choice: the default build's by parameters, else one named by the identity",
          "[design]") {
  const fs::path bin = "/some/build";
  json w = tiny();
  w["name"] = "wide";  // tiny's parameters under another name
  const dse::SimulatorChoice a = dse::find_simulator(sim::design_params_from_json(w, "w"), bin, kSrc);
  CHECK(a.prebuilt);
  CHECK(a.name == "tiny");
  CHECK(a.exe == bin / "llamaf-sim-tiny");
  json d = tiny();
  d["rtl"]["NumPe"] = 16;  // parameters no configs/designs file has
  const sim::DesignParams pd = sim::design_params_from_json(d, "d");
  const dse::SimulatorChoice b = dse::find_simulator(pd, bin, kSrc);
  CHECK_FALSE(b.prebuilt);
  CHECK(b.name == dse::design_identity(pd, kSrc / "rtl"));
  CHECK(b.exe == bin / ("llamaf-sim-" + b.name));
}
