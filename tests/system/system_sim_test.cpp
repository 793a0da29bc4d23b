// End-to-end system simulation on the real stories260K checkpoint: tokens
// through the RTL equal the golden model's, the report's counts agree with
// the model's shapes, fast mode stays within 1 % of the full simulation, and
// the overlapped schedule is never slower than the serial one.
#include "sim/model/config.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

const std::string kSim = std::string(LLAMAF_BINARY_DIR) + "/llamaf-sim-tiny";
const std::string kSrc = LLAMAF_SOURCE_DIR;

// Runs the tiny design's simulator; returns its report.
nlohmann::json simulate(const std::string& extra, const std::string& tag) {
  const auto model = llamaf::test::model_file("stories260K.bin");
  const auto tok = llamaf::test::model_file("tok512.bin");
  REQUIRE(model);
  REQUIRE(tok);
  const auto dir = std::filesystem::temp_directory_path() / "llamaf_system_test";
  std::filesystem::create_directories(dir);
  const std::string report = (dir / (tag + ".json")).string();
  const std::string log = (dir / (tag + ".log")).string();
  const std::string cmd = kSim + " --design " + kSrc + "/configs/designs/tiny.json --board " + kSrc +
                          "/configs/boards/zcu102.json --model " + model->string() +
                          " --tokenizer " + tok->string() + " --quiet --report " + report + " " +
                          extra + " > " + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream l(log);
  const std::string out((std::istreambuf_iterator<char>(l)), {});
  INFO(cmd << "\n" << out);
  REQUIRE(rc == 0);
  std::ifstream in(report);
  return nlohmann::json::parse(in);
}

// Multiply-accumulates of one forward pass on a design with group size g:
// every matrix's rows times its columns padded to a multiple of g.
double macs_per_token(const llamaf::model::Config& c, int g) {
  auto pad = [g](int n) { return double((n + g - 1) / g * g); };
  const double d = c.dim, kv = c.kv_dim(), h = c.hidden_dim;
  const double layer = (d + 2 * kv) * pad(c.dim) + d * pad(c.dim) + 2 * h * pad(c.dim) + d * pad(c.hidden_dim);
  return c.n_layers * layer + c.vocab_size * pad(c.dim);
}

}  // namespace

TEST_CASE("stories260K: 32 tokens through the RTL in SystemC equal the golden tokens", "[system][models]") {
  if (!llamaf::test::model_file("stories260K.bin")) return;
  // The simulator exits non-zero on the first token (or any matvec result
  // bit) that differs from the golden quantized model.
  const nlohmann::json r = simulate("-n 32", "full32");
  CHECK(r["mode"] == "full");
  CHECK(r["positions"] == 32);
  const auto cfg = llamaf::model::load_shape(kSrc + "/configs/models/stories260K.json");
  const double macs = r["total"]["accelerator"]["macs"].get<double>();
  CHECK(macs == macs_per_token(cfg, 64) * 32);
  // Every weight and scale byte is read once per token, plus activations.
  const double weight_bytes = r["roofline"]["weight_and_scale_bytes_per_token"].get<double>();
  const double accel_read = r["total"]["accelerator"]["bytes_read"].get<double>();
  CHECK(accel_read >= weight_bytes * 32);
  CHECK(accel_read <= weight_bytes * 32 * 1.25);  // plus the small activation images
  CHECK(r["total"]["dram"]["bytes_read"].get<double>() >= accel_read);
  CHECK(r["total"]["tokens_per_s"].get<double>() > 0);
  // The operator breakdown accounts for (nearly) all the time: everything but
  // the loop's own bookkeeping, which costs no simulated time.
  double ops = 0;
  for (const auto& [k, v] : r["total"]["operators"].items()) ops += v["cycles"].get<double>();
  CHECK(ops == Approx(r["total"]["cycles"].get<double>()).epsilon(1e-9));
}

TEST_CASE("fast mode extrapolates within 1 % of the full simulation", "[system][models]") {
  if (!llamaf::test::model_file("stories260K.bin")) return;
  const nlohmann::json full = simulate("-n 16", "full16");
  const nlohmann::json fast = simulate("-n 16 --sim-layers 2", "fast16");
  CHECK(fast["mode"] == "fast");
  CHECK(fast["simulated_layers"] == 2);
  const double a = full["total"]["tokens_per_s"].get<double>();
  const double b = fast["total"]["tokens_per_s"].get<double>();
  INFO("full " << a << " tokens/s, fast " << b << " tokens/s");
  CHECK(std::abs(b - a) / a < 0.01);
  CHECK(fast["total"]["extrapolated_cycles"].get<double>() > 0);
}

TEST_CASE("the overlapped schedule is not slower than the serial one", "[system][models]") {
  if (!llamaf::test::model_file("stories260K.bin")) return;
  const nlohmann::json serial = simulate("-n 4 --policy serial", "serial");
  const nlohmann::json overlapped = simulate("-n 4 --policy overlapped", "overlapped");
  CHECK(serial["policy"] == "serial");
  CHECK(overlapped["total"]["cycles"].get<double>() < serial["total"]["cycles"].get<double>());
}
