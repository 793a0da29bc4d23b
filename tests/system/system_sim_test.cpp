// End-to-end system simulation on the real stories260K checkpoint: tokens
// through the RTL equal the golden model's, the report's counts agree with
// the model's shapes, fast mode stays within 1 % of the full simulation, and
// the overlapped schedule is never slower than the serial one, and the
// report's PS statistics attribute the traffic to the ports it took.
#include "sim/model/config.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

const std::string kSim = std::string(LLAMAF_BINARY_DIR) + "/llamaf-sim-tiny";
const std::string kSrc = LLAMAF_SOURCE_DIR;

// Runs the tiny design's simulator (or that of `design`, a design file with
// the tiny design's parameters); returns its report.
nlohmann::json simulate(const std::string& extra, const std::string& tag,
                        const std::string& design = kSrc + "/configs/designs/tiny.json",
                        const std::string& sim = kSim) {
  const auto model = llamaf::test::model_file("stories260K.bin");
  const auto tok = llamaf::test::model_file("tok512.bin");
  REQUIRE(model);
  REQUIRE(tok);
  const auto dir = std::filesystem::temp_directory_path() / "llamaf_system_test";
  std::filesystem::create_directories(dir);
  const std::string report = (dir / (tag + ".json")).string();
  const std::string log = (dir / (tag + ".log")).string();
  const std::string cmd = sim + " --design " + design + " --board " + kSrc +
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

TEST_CASE("the report gives bandwidth and queueing per PL-PS port and per DDR controller port",
          "[system][models]") {
  if (!llamaf::test::model_file("stories260K.bin")) return;
  // The tiny design on HP2 (XPI 4 on the ZCU102) instead of the default HP0.
  nlohmann::json d = nlohmann::json::parse(std::ifstream(kSrc + "/configs/designs/tiny.json"));
  d["ps_ports"] = nlohmann::json::array({"HP2"});
  const auto dir = std::filesystem::temp_directory_path() / "llamaf_system_test";
  std::filesystem::create_directories(dir);
  const std::string design = (dir / "tiny_hp2.json").string();
  std::ofstream(design) << d.dump(2);
  const nlohmann::json r = simulate("-n 4", "hp2", design);
  CHECK(r["ps_ports"] == nlohmann::json::array({"HP2"}));
  const nlohmann::json& ports = r["ps_stats"]["pl_ports"];
  const nlohmann::json& xpis = r["ps_stats"]["xpi_ports"];
  INFO(r["ps_stats"].dump(2));
  // Only HP2 (the accelerator's reads and writes) and the host's APU port
  // carried traffic.
  REQUIRE(ports.contains("HP2"));
  REQUIRE(ports.contains("APU"));
  CHECK(ports.size() == 2);
  const nlohmann::json& hp2 = ports["HP2"];
  CHECK(hp2["xpi"] == 4);
  // Every byte the accelerator read went through HP2 (whole 16-byte PS beats
  // for the 64-bit PL port, so at most a little more).
  const double accel_read = r["total"]["accelerator"]["bytes_read"].get<double>();
  const double hp2_read = hp2["read_bytes"].get<double>();
  CHECK(hp2_read >= accel_read);
  CHECK(hp2_read <= accel_read * 1.25);
  CHECK(hp2["write_bytes"].get<double>() >= r["total"]["accelerator"]["bytes_written"].get<double>());
  // Bandwidth = bytes over the simulated time.
  const double seconds = r["total"]["seconds"].get<double>();
  CHECK(hp2["read_gbps"].get<double>() == Approx(hp2_read / seconds / 1e9).epsilon(0.01));
  CHECK(hp2["mean_read_latency_ns"].get<double>() > 0);
  CHECK(hp2["max_read_latency_ns"].get<double>() >= hp2["mean_read_latency_ns"].get<double>());
  // XPI 4 carried exactly HP2's AXI3 bursts; the host's went elsewhere.
  REQUIRE(xpis.contains("4"));
  CHECK(xpis["4"]["grants"].get<double>() ==
        hp2["read_bursts"].get<double>() + hp2["write_bursts"].get<double>());
  CHECK_FALSE(xpis.contains("3"));  // HP0's XPI port: idle
  for (const auto& [x, v] : xpis.items()) {
    CHECK(v["mean_queue_bursts"].get<double>() >= 0);
    CHECK(v["cam_blocked_fraction"].get<double>() >= 0);
    CHECK(v["cam_blocked_fraction"].get<double>() <= 1);
  }
}

TEST_CASE("an interleaved weight layout computes the same tokens from the same bytes", "[system][models]") {
  if (!llamaf::test::model_file("stories260K.bin")) return;
  // The wide design (four ports) with its image in regions and interleaved
  // in one-burst chunks: every matvec stays bit-exact (the simulator checks
  // each against the golden model), the same bytes are read, spread evenly
  // over the four PL ports either way.
  const auto dir = std::filesystem::temp_directory_path() / "llamaf_system_test";
  std::filesystem::create_directories(dir);
  nlohmann::json d = nlohmann::json::parse(std::ifstream(kSrc + "/configs/designs/wide.json"));
  d["weight_layout"] = "interleaved:256";
  const std::string design = (dir / "wide_il256.json").string();
  std::ofstream(design) << d.dump(2);
  const std::string wide_sim = std::string(LLAMAF_BINARY_DIR) + "/llamaf-sim-wide";
  const nlohmann::json regions = simulate("-n 3", "wide_regions", kSrc + "/configs/designs/wide.json", wide_sim);
  const nlohmann::json il = simulate("-n 3", "wide_il256", design, wide_sim);
  CHECK(regions["weight_layout"] == "regions");
  CHECK(il["weight_layout"] == "interleaved:256");
  auto ids = [](const nlohmann::json& r) {
    std::vector<int> t;
    for (const auto& p : r["tokens"]) t.push_back(p["token"].get<int>());
    return t;
  };
  CHECK(ids(il) == ids(regions));
  CHECK(il["total"]["accelerator"]["bytes_read"] == regions["total"]["accelerator"]["bytes_read"]);
  for (const nlohmann::json* r : {&regions, &il}) {
    const nlohmann::json& ports = (*r)["ps_stats"]["pl_ports"];
    double lo = 1e300, hi = 0;
    for (const auto& [name, v] : ports.items()) {
      if (name == "APU") continue;
      lo = std::min(lo, v["read_bytes"].get<double>());
      hi = std::max(hi, v["read_bytes"].get<double>());
    }
    INFO((*r)["weight_layout"]);
    CHECK(hi > 0);
    CHECK(hi <= lo * 1.1);  // port 0 also reads the activation images
  }
}

TEST_CASE("a stage file (--stage-file) holds the last position's progress line", "[system][models]") {
  const auto stage = std::filesystem::temp_directory_path() / "llamaf_system_test" / "stage.txt";
  std::filesystem::remove(stage);
  simulate("-n 5 --stage-file " + stage.string() + " --stage-label testing", "stage");
  std::ifstream in(stage);
  std::string line;
  std::getline(in, line);
  CHECK(line.rfind("testing token 5/5, ETA ", 0) == 0);
}
