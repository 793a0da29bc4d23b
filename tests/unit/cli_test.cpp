// The llamaf command line on bad input: every numeric option checked with a
// readable message (no CLI11 double limits), --version on every command,
// uniform exit codes (README "Exit codes"), a missing tool named as such,
// illegal design parameters refused before Yosys, `merge` never writing
// into an input, `explore` failing when a point failed, and a tokenizer of
// another model refused.
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

const std::string kLlamaf = std::string(LLAMAF_BINARY_DIR) + "/llamaf";
const std::string kSrc = LLAMAF_SOURCE_DIR;

struct Run {
  int code = -1;
  std::string out;  // stdout and stderr
};

Run run(const std::string& args) {
  static int n = 0;
  const fs::path log = fs::temp_directory_path() /
                       ("llamaf-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".txt");
  const std::string cmd = kLlamaf + " " + args + " > " + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = llamaf::test::read_file(log);
  fs::remove(log);
  return r;
}

const std::string kShape = kSrc + "/configs/models/stories260K.json";

}  // namespace

TEST_CASE("cli: numeric options are checked with readable messages and exit code 2", "[cli]") {
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"generate --shape " + kShape + " --topp 2", "(0, 1]"},
      {"generate --shape " + kShape + " --topp 0", "(0, 1]"},
      {"generate --shape " + kShape + " -n 0", "positive number of positions"},
      {"generate --shape " + kShape + " --temperature -1", ">= 0"},
      {"eval --shape " + kShape + " --quant w8a8g64 --tokens 0", "positive number of tokens"},
      {"explore " + kSrc + "/configs/sweeps/default.json --timeout 0", "seconds > 0"},
      {"explore " + kSrc + "/configs/sweeps/default.json --timeout -1", "seconds > 0"},
      {"explore " + kSrc + "/configs/sweeps/default.json -j 0", "--jobs"},
  };
  for (const Case& c : cases) {
    const Run r = run(c.args);
    INFO(c.args << "\n" << r.out);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains(c.expect));
    CHECK(r.out.find("179769313") == std::string::npos);  // no double limits printed
  }
  // -n beyond the model's positions is an error, not a silent clamp.
  const Run n = run("generate --shape " + kShape + " --quant w8a8g64 -n 100000");
  INFO(n.out);
  CHECK(n.code == 1);
  CHECK_THAT(n.out, Catch::Contains("-n 100000") && Catch::Contains("seq_len 512"));
}

TEST_CASE("cli: --version on every command names the version, revision and tools", "[cli]") {
  for (const char* cmd : {"--version", "generate --version", "eval --version", "synth --version",
                          "explore --version", "point --version", "report --version", "merge --version",
                          "fit-resources --version"}) {
    const Run r = run(cmd);
    INFO(cmd << "\n" << r.out);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("llamaf 0.") && Catch::Contains("(git ") &&
                          Catch::Contains("Verilator") && Catch::Contains("SystemC") &&
                          (Catch::Contains("Yosys") || Catch::Contains("yosys")));
  }
}

TEST_CASE("cli: synth refuses illegal parameters before Yosys and names a missing Yosys", "[cli]") {
  llamaf::test::TempDir t("llamaf-cli");
  json d = json::parse(llamaf::test::read_file(kSrc + "/configs/designs/tiny.json"));
  d["rtl"]["NumPe"] = 3;
  llamaf::test::write_file(t.path / "numpe3.json", d.dump());
  const Run bad = run("synth --design " + (t.path / "numpe3.json").string() + " --cache-dir " +
                      (t.path / "cache").string());
  INFO(bad.out);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("numpe3.json: rtl.NumPe = 3") &&
                          Catch::Contains("must be a power of two in 1..512"));
  CHECK_FALSE(fs::exists(t.path / "cache"));  // nothing ran
  d["rtl"]["NumPe"] = 8;
  d["rtl"]["NumPee"] = 8;
  llamaf::test::write_file(t.path / "typo.json", d.dump());
  const Run typo = run("synth --design " + (t.path / "typo.json").string());
  CHECK_THAT(typo.out, Catch::Contains("rtl.NumPee") && Catch::Contains("did you mean 'NumPe'"));
  const Run noyosys = run("synth --design " + kSrc + "/configs/designs/tiny.json --no-cache --yosys /nonexistent/yosys --cache-dir " +
                          (t.path / "cache2").string());
  INFO(noyosys.out);
  CHECK(noyosys.code == 1);
  CHECK_THAT(noyosys.out, Catch::Contains("/nonexistent/yosys") && Catch::Contains("not found"));
}

TEST_CASE("cli: fit-resources checks every training design before any synthesis", "[cli]") {
  llamaf::test::TempDir t("llamaf-cli");
  json train = json::parse(llamaf::test::read_file(kSrc + "/configs/fits/training.json"));
  train.erase("validation_dir");
  train["training"][6]["rtl"]["NumPe"] = 3;
  llamaf::test::write_file(t.path / "training.json", train.dump());
  const std::string args = "fit-resources --training " + (t.path / "training.json").string() +
                           " --out " + (t.path / "fit.json").string() + " --cache-dir " +
                           (t.path / "cache").string();
  const Run bad = run(args);
  INFO(bad.out);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("training.json: training[6] (\"") &&
                          Catch::Contains("rtl.NumPe = 3"));
  CHECK_FALSE(fs::exists(t.path / "cache"));  // no synthesis ran
  CHECK_FALSE(fs::exists(t.path / "fit.json"));
  train["training"][6]["rtl"]["NumPe"] = 8;
  train["training"][6]["rtll"] = 1;
  llamaf::test::write_file(t.path / "training.json", train.dump());
  const Run typo = run(args);
  CHECK(typo.code == 1);
  CHECK_THAT(typo.out, Catch::Contains("training[6].rtll") && Catch::Contains("did you mean 'rtl'"));
  CHECK_FALSE(fs::exists(t.path / "cache"));
}

TEST_CASE("cli: merge never writes into an input, and explore exits 3 when a point failed", "[cli]") {
  llamaf::test::TempDir t("llamaf-cli");
  const json sweep = {
      {"name", "fails"},
      {"base", {{"model", json::parse(llamaf::test::read_file(kShape))}, {"design", {{"rtl", {{"GroupSize", 64}}}}}}},
      {"evaluate", {{"accuracy", false}, {"synthesize", false}, {"simulate", false}}},
      {"parameters", json::array({{{"name", "WeightBits"}, {"values", {4, 8}}}})}};
  llamaf::test::write_file(t.path / "s.json", sweep.dump());
  // /bin/false as the evaluator: every point fails.
  const Run r = run("explore " + (t.path / "s.json").string() + " --out " + (t.path / "out").string() +
                    " --evaluator /bin/false --no-report");
  INFO(r.out);
  CHECK(r.code == 3);
  CHECK_THAT(r.out, Catch::Contains("2 point(s) failed") && Catch::Contains("--retry-failed") &&
                        Catch::Contains("--resume"));
  const Run m = run("merge " + (t.path / "out").string() + " --out " + (t.path / "out").string());
  INFO(m.out);
  CHECK(m.code == 1);
  CHECK_THAT(m.out, Catch::Contains("is the input folder"));
}

TEST_CASE("cli: a tokenizer of another vocabulary is refused by generate", "[cli][models]") {
  const auto model = llamaf::test::model_file("stories260K.bin");
  const auto tok = llamaf::test::model_file("tokenizer.bin");  // 32000 tokens, not 512
  if (!model || !tok) return;
  const Run r = run("generate --model " + model->string() + " --tokenizer " + tok->string() + " -n 4");
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("vocab_size is 512") && Catch::Contains("more tokens"));
}
