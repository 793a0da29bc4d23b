// The simulators on bad or unusual input, all refused before (or instead
// of) a simulation: a design file whose parameters differ from those
// compiled into the simulator (PARAMS registers), `llamaf sim` choosing the
// simulator by the design's parameters rather than its file name, a model
// shape that cannot run on the design (found before any weight exists),
// out-of-range options, and a tokenizer of another vocabulary.
#include "tests/support/files.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kBin = LLAMAF_BINARY_DIR;
const std::string kSrc = LLAMAF_SOURCE_DIR;
const std::string kSim = kBin + "/llamaf-sim-tiny";
const std::string kBoard = kSrc + "/configs/boards/zcu102.json";
const std::string kShape = kSrc + "/configs/models/stories260K.json";

struct Run {
  int code = -1;
  std::string out;
};

Run run(const std::string& cmd) {
  static int n = 0;
  const fs::path log = fs::temp_directory_path() /
                       ("llamaf-sim-inputs-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".txt");
  const int rc = std::system((cmd + " > " + log.string() + " 2>&1").c_str());
  Run r;
  r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = llamaf::test::read_file(log);
  fs::remove(log);
  return r;
}

json tiny() { return json::parse(llamaf::test::read_file(kSrc + "/configs/designs/tiny.json")); }

}  // namespace

TEST_CASE("a simulator refuses a design file with other parameters, showing both sets", "[system]") {
  llamaf::test::TempDir t("llamaf-sim-inputs");
  json d = tiny();
  d["rtl"]["NumPe"] = 16;  // the case: tiny.json copied elsewhere with NumPe 16
  const fs::path f = t.path / "tiny.json";
  llamaf::test::write_file(f, d.dump());
  const Run r = run(kSim + " --design " + f.string() + " --board " + kBoard + " --shape " + kShape +
                    " -n 1 --quiet");
  INFO(r.out);
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Catch::Contains(f.string()) && Catch::Contains("NumPe 8 (compiled) vs 16 (file)") &&
                        Catch::Contains("Compiled into the model (PARAMS registers)") &&
                        Catch::Contains("Design file:"));
  // WeightBits: refused as a design mismatch, not reported as an RTL bug.
  d = tiny();
  d["rtl"]["WeightBits"] = 8;
  llamaf::test::write_file(f, d.dump());
  const Run w = run(kSim + " --design " + f.string() + " --board " + kBoard + " --shape " + kShape +
                    " -n 1 --quiet");
  CHECK_THAT(w.out, Catch::Contains("WeightBits 4 (compiled) vs 8 (file)"));
  CHECK(w.out.find("golden") == std::string::npos);
}

TEST_CASE("llamaf sim picks the simulator by the design's parameters, not its file name", "[system]") {
  llamaf::test::TempDir t("llamaf-sim-inputs");
  json d = tiny();
  d["name"] = "wide";
  const fs::path f = t.path / "wide.json";  // tiny's parameters in a file named wide.json
  llamaf::test::write_file(f, d.dump());
  // --version is answered by the chosen simulator itself.
  const Run r = run(kBin + "/llamaf sim --design " + f.string() + " --version");
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("llamaf-sim-tiny:") && Catch::Contains("Verilator") &&
                        Catch::Contains("SystemC"));
  // Illegal parameters are refused before any simulator is looked for or built.
  d["rtl"]["NumPe"] = 3;
  llamaf::test::write_file(f, d.dump());
  const Run bad = run(kBin + "/llamaf sim --design " + f.string() + " --board " + kBoard + " --shape " + kShape);
  INFO(bad.out);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("rtl.NumPe = 3") && Catch::Contains("power of two"));
  CHECK(bad.out.find("building") == std::string::npos);
}

TEST_CASE("a shape that cannot run on the design is refused before weights exist", "[system]") {
  // Llama-2-7B's columns exceed ActBufCols (on `wide` its 11008-column w2:
  // the 2-minute, 11 GB case; on `tiny` already the 4096-column wq);
  // nothing but the shape is needed to say so.
  const Run r = run(kSim + " --design " + kSrc + "/configs/designs/tiny.json --board " + kBoard +
                    " --shape " + kSrc + "/configs/models/llama-2-7b.json -n 1 --quiet");
  INFO(r.out);
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Catch::Contains("llama-2-7b.json") && Catch::Contains("layer 0 wq: 4096 columns exceed") &&
                        Catch::Contains("ActBufCols = 2048"));
}

TEST_CASE("simulator options are checked with readable messages", "[system]") {
  const std::string base = kSim + " --design " + kSrc + "/configs/designs/tiny.json --board " + kBoard +
                           " --shape " + kShape + " --quiet ";
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"--clock-mhz 0", "--clock-mhz 0: expected a clock in MHz > 0"},
      {"--clock-mhz -5", "--clock-mhz -5: expected a clock in MHz > 0"},
      {"--clock-mhz 1e6", "PL-PS port limit"},
      {"--sim-layers -1", "--sim-layers -1: expected 1..n_layers"},
      {"--sim-layers 0", "--sim-layers 0: expected 1..n_layers"},
      {"--sim-layers 99", "--sim-layers 99: expected 1..5"},
      {"--topp 2", "--topp 2: expected a value in (0, 1]"},
      {"-n 0", "-n 0: expected a positive number"},
      {"-n 100000", "-n 100000: more positions than the model's seq_len 512"},
      {"--quantum 0", "--quantum 0"},
      {"--sim-layers 1 --policy staged_async", "fast mode (sim_layers) cannot extrapolate"},
  };
  for (const Case& c : cases) {
    const Run r = run(base + c.args);
    INFO(c.args << "\n" << r.out);
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Catch::Contains(c.expect));
    CHECK(r.out.find("179769313") == std::string::npos);
  }
}

TEST_CASE("the simulator refuses a tokenizer of another vocabulary", "[system][models]") {
  const auto model = llamaf::test::model_file("stories260K.bin");
  const auto tok = llamaf::test::model_file("tokenizer.bin");
  if (!model || !tok) return;
  const Run r = run(kSim + " --design " + kSrc + "/configs/designs/tiny.json --board " + kBoard +
                    " --model " + model->string() + " --tokenizer " + tok->string() + " -n 4 --quiet");
  INFO(r.out);
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Catch::Contains("vocab_size is 512") && Catch::Contains("more tokens"));
}
