// A tiny end-to-end sweep: `llamaf explore` on two points (schedule
// policies) of the `tiny` design running the stories260K shape, with the real
// cycle-accurate simulation and the energy model (synthesis off to keep it
// quick), then `llamaf report` regenerating the outputs from the results;
// and a sweep whose clock follows each point's estimated Fmax.
#include "tests/support/files.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string kLlamaf = std::string(LLAMAF_BINARY_DIR) + "/llamaf";
const std::string kSrc = LLAMAF_SOURCE_DIR;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

}  // namespace

TEST_CASE("a two-point sweep runs the system simulation end to end", "[system][explore]") {
  llamaf::test::TempDir t("llamaf-explore-e2e");
  const nlohmann::json sweep = {
      {"name", "e2e"},
      {"base",
       {{"model", kSrc + "/configs/models/stories260K.json"},
        {"design", kSrc + "/configs/designs/tiny.json"},
        {"board", kSrc + "/configs/boards/zcu102.json"},
        {"energy", kSrc + "/configs/energy/zcu102_16nm.json"}}},
      {"evaluate", {{"sim_tokens", 4}, {"synthesize", false}}},
      {"parameters", nlohmann::json::array({{{"name", "Policy"},
                                             {"set", "evaluate.sim.policy"},
                                             {"values", {"serial", "overlapped"}}}})},
      {"objectives", nlohmann::json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}}})}};
  llamaf::test::write_file(t.path / "e2e.json", sweep.dump(2));
  const std::string out = (t.path / "out").string();
  const std::string cmd = kLlamaf + " explore " + (t.path / "e2e.json").string() + " --out " + out +
                          " -j 2 > " + (t.path / "log.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(llamaf::test::read_file(t.path / "log.txt"));
  REQUIRE(rc == 0);

  std::stringstream csv(llamaf::test::read_file(t.path / "out" / "results.csv"));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = split(line);
  auto column = [&](const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    FAIL("no column " << name << " in results.csv");
    return std::size_t(0);
  };
  const std::size_t status = column("status"), tps = column("tokens_per_s"),
                    jpt = column("j_per_token"), policy = column("Policy");
  int rows = 0;
  while (std::getline(csv, line)) {
    const std::vector<std::string> row = split(line);
    INFO(line);
    CHECK(row[status] == "ok");
    CHECK(std::stod(row[tps]) > 100.0);  // stories260K runs thousands of tokens/s
    CHECK(std::stod(row[jpt]) > 0.0);
    CHECK((row[policy] == "serial" || row[policy] == "overlapped"));
    ++rows;
  }
  CHECK(rows == 2);

  // The reports regenerate from the results alone.
  std::filesystem::remove(t.path / "out" / "report.md");
  REQUIRE(std::system((kLlamaf + " report " + out + " > /dev/null 2>&1").c_str()) == 0);
  CHECK(llamaf::test::read_file(t.path / "out" / "report.md").find("## Pareto front") != std::string::npos);
}

// The clock follows the estimated Fmax: each point is synthesized and timed
// first (Yosys + the timing estimate, from the synthesis cache after the
// first run), then simulated at the clock evaluate.clock chose. The
// simulator must have run at exactly the clock the results record.
TEST_CASE("a sweep with evaluate.clock = fmax simulates each point at its estimated Fmax",
          "[system][explore][timing]") {
  llamaf::test::TempDir t("llamaf-explore-e2e-fmax");
  const nlohmann::json sweep = {
      {"name", "e2e_fmax"},
      {"base",
       {{"model", kSrc + "/configs/models/stories260K.json"},
        {"design", kSrc + "/configs/designs/tiny.json"},
        {"board", kSrc + "/configs/boards/zcu102.json"}}},
      {"evaluate", {{"sim_tokens", 2}, {"accuracy", false}}},
      {"parameters", nlohmann::json::array({{{"name", "Clock"},
                                             {"set", "evaluate.clock"},
                                             {"values", {"requested", "fmax"}}}})},
      {"objectives", nlohmann::json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}}})}};
  llamaf::test::write_file(t.path / "fmax.json", sweep.dump(2));
  const std::string out = (t.path / "out").string();
  const std::string cmd = kLlamaf + " explore " + (t.path / "fmax.json").string() + " --out " + out +
                          " -j 1 > " + (t.path / "log.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(llamaf::test::read_file(t.path / "log.txt"));
  REQUIRE(rc == 0);

  std::stringstream csv(llamaf::test::read_file(t.path / "out" / "results.csv"));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = split(line);
  auto column = [&](const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    FAIL("no column " << name << " in results.csv");
    return std::size_t(0);
  };
  const std::size_t status = column("status"), clock = column("Clock"), mhz = column("clock_mhz"),
                    fmax = column("fmax_mhz"), met = column("timing_met"),
                    by = column("clock_limited_by"), tps = column("tokens_per_s"),
                    cpt = column("cycles_per_token");
  std::vector<double> fmaxes;
  int rows = 0;
  while (std::getline(csv, line)) {
    const std::vector<std::string> row = split(line);
    INFO(line);
    REQUIRE(row[status] == "ok");
    const double f = std::stod(row[fmax]), c = std::stod(row[mhz]);
    CHECK(f > 0.0);
    fmaxes.push_back(f);
    if (row[clock] == "requested") {
      CHECK(c == 200.0);  // configs/boards/zcu102.json fabric.clock_mhz
      CHECK(row[met] == (c <= f ? "true" : "false"));
    } else {
      CHECK(c == std::min(f, 333.0));  // fabric.hp_port_max_clock_mhz
      CHECK(row[by] == (f <= 333.0 ? "fmax" : "board_pl_ps_limit"));
      CHECK(row[met] == "true");
    }
    // The simulator ran at the recorded clock: tokens/s = clock / cycles per token.
    // results.csv holds 6 significant digits (docs/metrics.md): 1e-5 relative.
    CHECK(std::stod(row[tps]) == Approx(c * 1e6 / std::stod(row[cpt])).epsilon(1e-5));
    ++rows;
  }
  CHECK(rows == 2);
  REQUIRE(fmaxes.size() == 2);
  CHECK(fmaxes[0] == fmaxes[1]);  // one design, one synthesis (cached)
  CHECK(llamaf::test::read_file(t.path / "out" / "report.md").find("## Timing and board fit") !=
        std::string::npos);
}
