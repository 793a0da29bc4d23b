// explorer/timing: the OpenSTA estimate on small known circuits
// (tests/data/timing/*.v through Yosys), checked against sums of the delay
// file's values computed here from the JSON itself; the delay file's
// consistency with the DS925 DSP figures; errors for unknown cells, missing
// clocks and undocumented values.
#include "explorer/synth.h"
#include "explorer/timing.h"

#include "sim/model/error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace llamaf::dse;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSource = LLAMAF_SOURCE_DIR;
const fs::path kDelayFile = kSource / "configs" / "timing" / "xcup-2.json";

const json& delays() {
  static const json j = [] {
    std::ifstream in(kDelayFile);
    return json::parse(in);
  }();
  return j;
}

// A value of the delay file, read directly (not through DelayModel).
double ns(const std::string& group, const std::string& key) {
  return delays().at(group).at(key).at("ns").get<double>();
}

// One net hop driving `fanout` sinks: linear between the file's points.
double net(double fanout) {
  const auto x = delays().at("net").at("fanout").get<std::vector<double>>();
  const auto y = delays().at("net").at("ns").get<std::vector<double>>();
  for (std::size_t i = 1; i < x.size(); ++i)
    if (fanout <= x[i]) return y[i - 1] + (y[i] - y[i - 1]) * (fanout - x[i - 1]) / (x[i] - x[i - 1]);
  FAIL("fanout beyond the table");
  return 0;
}

// Synthesis + timing of a test circuit; the cache under the build tree makes
// reruns fast (the Yosys result only changes with the file or the script).
SynthResult time_rtl(const std::string& file, const std::string& top,
                     std::vector<std::pair<std::string, std::int64_t>> params = {}) {
  SynthOptions opt;
  opt.cache_dir = fs::path(LLAMAF_BINARY_DIR) / "timing-test-cache";
  opt.delay_file = kDelayFile;
  return synthesize_rtl({kSource / "tests" / "data" / "timing" / file}, top, params, opt);
}

double uncertainty() { return ns("clock", "uncertainty"); }

// The elements of a path that are output pins (one per cell, in order).
std::vector<PathElement> outputs(const CriticalPath& p) {
  std::vector<PathElement> o;
  for (const PathElement& e : p.elements)
    if (e.is_output) o.push_back(e);
  return o;
}

}  // namespace

TEST_CASE("register-LUT-register chain of known depth", "[timing]") {
  const SynthResult r = time_rtl("lut_chain.v", "lut_chain", {{"DEPTH", 4}});
  REQUIRE(r.timing.has_path);
  const CriticalPath& p = r.timing.critical_path;
  CHECK(p.start_type == "FDRE");
  CHECK(p.end_type == "FDRE");
  CHECK(p.cells == std::map<std::string, int>{{"LUT6", 4}});
  CHECK(p.net_hops == 5);  // FF -> LUT, 3 x LUT -> LUT, LUT -> FF
  for (const PathElement& e : outputs(p)) CHECK(e.fanout == 1);
  const double expect = ns("ff", "clk_to_q") + net(1) + 4 * (ns("lut", "LUT6") + net(1)) +
                        ns("ff", "setup_d") + uncertainty();
  CHECK(p.total_ns == Approx(expect).margin(1e-3));
  CHECK(p.clock_to_out_ns == Approx(ns("ff", "clk_to_q")).margin(1e-3));
  CHECK(p.logic_ns == Approx(4 * ns("lut", "LUT6")).margin(1e-3));
  CHECK(p.net_ns == Approx(5 * net(1)).margin(1e-3));
  CHECK(r.fmax_mhz == Approx(1000.0 / expect).epsilon(1e-3));
  CHECK(r.timing.limit == "path");
}

TEST_CASE("mapped logic: the path delay is the sum of its cells and nets", "[timing]") {
  // The mapper chooses the cells (LUT6 + MUXF7/F8 trees for a 64-bit XOR);
  // whatever it chose, the delay must be the file's values along the path.
  const SynthResult r = time_rtl("parity.v", "parity");
  REQUIRE(r.timing.has_path);
  const CriticalPath& p = r.timing.critical_path;
  double expect = 0;
  bool first = true;
  int lut_levels = 0;
  for (const PathElement& e : outputs(p)) {
    expect += net(e.fanout);
    if (first) {
      CHECK(e.cell_type == "FDRE");
      expect += ns("ff", "clk_to_q");
      first = false;
    } else if (e.cell_type.rfind("LUT", 0) == 0) {
      expect += ns("lut", e.cell_type);
      ++lut_levels;
    } else {
      REQUIRE((e.cell_type == "MUXF7" || e.cell_type == "MUXF8" || e.cell_type == "MUXF9"));
      // A MUXF's data inputs come from the LUTs beside it (dedicated wires).
      expect += ns("muxf", e.cell_type + "_data");
    }
  }
  expect += ns("ff", "setup_d") + uncertainty();
  CHECK(lut_levels >= 2);  // 64 inputs need at least two levels of 6-input functions
  CHECK(p.total_ns == Approx(expect).margin(1e-3));
}

TEST_CASE("carry chain: 32-bit adder between registers", "[timing]") {
  const SynthResult r = time_rtl("adder.v", "adder");
  REQUIRE(r.timing.has_path);
  const CriticalPath& p = r.timing.critical_path;
  // Yosys 0.23 maps xcup adders onto CARRY4: 8 for 32 bits, fed by one LUT2
  // per bit (the propagate signal) on the S inputs.
  CHECK(p.cells == std::map<std::string, int>{{"CARRY4", 8}, {"LUT2", 1}});
  const auto out = outputs(p);
  REQUIRE(out.size() == 10);
  CHECK(out[0].fanout == 2);  // the operand bit feeds the LUT2 and the carry's DI
  CHECK(out[1].fanout == 0);  // LUT2 -> S of its own slice's carry: dedicated
  for (std::size_t i = 2; i < 9; ++i) CHECK(out[i].fanout == 0);  // CO[3] -> CI
  CHECK(p.net_hops == 2);
  // S -> CO[3] in the first CARRY4, CI -> CO[3] through six, CI -> O in the last.
  const double expect = ns("ff", "clk_to_q") + net(2) + ns("lut", "LUT2") + ns("carry8", "S_to_CO") +
                        6 * ns("carry8", "CI_to_CO4") + ns("carry8", "CI_to_O") + net(1) +
                        ns("ff", "setup_d") + uncertainty();
  CHECK(p.total_ns == Approx(expect).margin(1e-3));
}

TEST_CASE("DSP48E2 multiply without pipeline registers", "[timing]") {
  const SynthResult r = time_rtl("dsp_mult.v", "dsp_mult", {{"PIPE", 0}});
  REQUIRE(r.timing.has_path);
  const CriticalPath& p = r.timing.critical_path;
  CHECK(p.cells == std::map<std::string, int>{{"DSP48E2", 1}});
  CHECK(p.start_type == "FDRE");
  CHECK(p.end_type == "FDRE");
  // A -> input stage -> preadder bypass -> multiplier -> M -> ALU -> P.
  const double dsp = ns("dsp48e2", "in_ab") + ns("dsp48e2", "preadd_mux") + ns("dsp48e2", "mult") +
                     ns("dsp48e2", "m_data") + ns("dsp48e2", "alu") + ns("dsp48e2", "out_p");
  const double expect = ns("ff", "clk_to_q") + net(1) + dsp + net(1) + ns("ff", "setup_d") +
                        uncertainty();
  CHECK(p.total_ns == Approx(expect).margin(1e-3));
  CHECK(p.logic_ns == Approx(dsp).margin(1e-3));
}

TEST_CASE("DSP48E2 with A/B, M and P registers", "[timing]") {
  const SynthResult r = time_rtl("dsp_pipe.v", "dsp_pipe");
  REQUIRE(r.timing.has_path);
  const CriticalPath& p = r.timing.critical_path;
  // The fabric paths are short: the register into the DSP's A register
  // (setup = input stage + register setup) is the worst of them.
  const double reg_in = ns("ff", "clk_to_q") + net(1) + ns("dsp48e2", "in_ab") +
                        ns("dsp48e2", "reg_setup") + uncertainty();
  const double p_out = ns("dsp48e2", "reg_clk_to_q") + ns("dsp48e2", "out_p") + net(1) +
                       ns("ff", "setup_d") + uncertainty();
  CHECK(p.total_ns == Approx(std::max(reg_in, p_out)).margin(1e-3));
  CHECK(p.end_type == (reg_in >= p_out ? "DSP48E2" : "FDRE"));
  // Inside the DSP: AREG -> multiplier -> MREG and MREG -> ALU -> PREG.
  const double q = ns("dsp48e2", "reg_clk_to_q"), su = ns("dsp48e2", "reg_setup");
  const double a_to_m = q + ns("dsp48e2", "preadd_mux") + ns("dsp48e2", "mult") + su;
  const double m_to_p = q + ns("dsp48e2", "m_data") + ns("dsp48e2", "alu") + su;
  const double internal = std::max(a_to_m, m_to_p);
  const double cap = delays().at("dsp48e2").at("fmax_all_regs").at("mhz").get<double>();
  const double expect_fmax =
      std::min({1000.0 / p.total_ns, 1000.0 / internal, cap});
  CHECK(r.fmax_mhz == Approx(expect_fmax).epsilon(1e-6));
  CHECK(r.timing.limit != "path");
}

TEST_CASE("the DSP constants reproduce the DS925 -2 Fmax figures", "[timing]") {
  // DS925 v1.30, DSP48 Slice Switching Characteristics, -2 at 0.85 V.
  const double q = ns("dsp48e2", "reg_clk_to_q"), su = ns("dsp48e2", "reg_setup");
  const double mult = ns("dsp48e2", "mult"), m = ns("dsp48e2", "m_data"), alu = ns("dsp48e2", "alu");
  // FMAX_MULT_NOMREG 544 MHz: AREG -> multiplier -> ALU -> PREG.
  CHECK(1000.0 / (q + ns("dsp48e2", "preadd_mux") + mult + m + alu + su) == Approx(544).epsilon(0.02));
  // FMAX_PREADD_NOADREG 565 MHz: AREG/DREG -> preadder -> multiplier -> MREG.
  CHECK(1000.0 / (q + ns("dsp48e2", "preadd") + mult + su) == Approx(565).epsilon(0.02));
  // FMAX_NOPIPELINEREG 410 MHz: AREG -> preadder -> multiplier -> ALU -> PREG.
  CHECK(1000.0 / (q + ns("dsp48e2", "preadd") + mult + m + alu + su) == Approx(410).epsilon(0.02));
}

TEST_CASE("delay model: net interpolation and documented values", "[timing]") {
  const DelayModel d = DelayModel::load(kDelayFile);
  CHECK(d.net_ns(0) == 0);
  CHECK(d.net_ns(1) == Approx(net(1)));
  CHECK(d.net_ns(3) == Approx((net(2) + net(4)) / 2));
  CHECK(d.net_ns(100) == Approx(net(100)));
  CHECK(d.ns("lut.LUT6") == ns("lut", "LUT6"));
  json bad = delays();
  bad["lut"]["LUT6"].erase("estimate");
  CHECK_THROWS_WITH(DelayModel::from_json(bad, "bad.json"),
                    Catch::Contains("bad.json") && Catch::Contains("lut.LUT6"));
  CHECK_THROWS_WITH(d.ns("lut.LUT7"), Catch::Contains("lut.LUT7"));
}

namespace {

// A hand-written Yosys netlist: one register and one cell of `type`.
json tiny_netlist(const std::string& type, bool with_clock) {
  json cell_ff = {{"type", "FDRE"},
                  {"parameters", json::object()},
                  {"port_directions", {{"C", "input"}, {"D", "input"}, {"Q", "output"}}},
                  {"connections", {{"C", {2}}, {"D", {4}}, {"Q", {3}}}}};
  json cell_x = {{"type", type},
                 {"parameters", json::object()},
                 {"port_directions", {{"I0", "input"}, {"O", "output"}}},
                 {"connections", {{"I0", {3}}, {"O", {4}}}}};
  json cells = {{"x", cell_x}};
  if (with_clock) cells["r"] = cell_ff;
  return {{"modules",
           {{"top",
             {{"attributes", {{"top", "00000000000000000000000000000001"}}},
              {"ports", {{"clk", {{"direction", "input"}, {"bits", {2}}}}}},
              {"cells", cells},
              {"netnames", json::object()}}}}}};
}

}  // namespace

TEST_CASE("unknown cells and missing clocks are errors", "[timing]") {
  const DelayModel d = DelayModel::load(kDelayFile);
  TimingOptions opt;
  opt.work_dir = fs::path(LLAMAF_BINARY_DIR) / "tmp" / "timing_test_errors";
  CHECK_THROWS_WITH(time_netlist(tiny_netlist("FROB7", true), d, opt),
                    Catch::Contains("FROB7") && Catch::Contains("no timing model"));
  CHECK_THROWS_WITH(time_netlist(tiny_netlist("LUT1", false), d, opt),
                    Catch::Contains("no clock"));
  opt.clocks = {"nope"};
  CHECK_THROWS_WITH(time_netlist(tiny_netlist("LUT1", true), d, opt), Catch::Contains("nope"));
  // With the clock and a known cell: a register -> LUT1 -> itself loop.
  opt.clocks = {};
  const TimingResult t = time_netlist(tiny_netlist("LUT1", true), d, opt);
  REQUIRE(t.has_path);
  CHECK(t.critical_path.total_ns ==
        Approx(ns("ff", "clk_to_q") + net(1) + ns("lut", "LUT1") + net(1) + ns("ff", "setup_d") +
               uncertainty())
            .margin(1e-3));
  CHECK(timing_from_json(to_json(t), "t") == t);
}
