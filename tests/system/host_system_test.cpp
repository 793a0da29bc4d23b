// The processing system in the system simulation (issue 11): the host
// probe's profile loads and drives a simulation, the PS-only policy runs
// every operator on the host, and the staged policies' copies go through
// the memory model. Synthetic stories260K-shaped weights on the tiny design.
#include "sim/host/host_profile.h"
#include "tests/support/files.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

const std::string kBin = LLAMAF_BINARY_DIR;
const std::string kSrc = LLAMAF_SOURCE_DIR;

std::string run(const std::string& cmd, const std::string& log) {
  const int rc = std::system((cmd + " > " + log + " 2>&1").c_str());
  const std::string out = llamaf::test::read_file(log);
  INFO(cmd << "\n" << out);
  REQUIRE(rc == 0);
  return out;
}

nlohmann::json simulate(const llamaf::test::TempDir& dir, const std::string& extra, const std::string& tag) {
  const std::string report = (dir.path / (tag + ".json")).string();
  run(kBin + "/llamaf-sim-tiny --design " + kSrc + "/configs/designs/tiny.json --board " + kSrc +
          "/configs/boards/zcu102.json --shape " + kSrc + "/configs/models/stories260K.json --quiet --report " +
          report + " " + extra,
      (dir.path / (tag + ".log")).string());
  std::ifstream in(report);
  return nlohmann::json::parse(in);
}

bool contains(const nlohmann::json& list, const std::string& s) {
  for (const auto& v : list)
    if (v == s) return true;
  return false;
}

}  // namespace

TEST_CASE("the host probe writes a profile that loads and drives a simulation", "[system][host]") {
  llamaf::test::TempDir dir("llamaf-host-probe");
  const std::string prof = (dir.path / "probe.json").string();
  // Small shapes and short measurements: this checks the probe's output,
  // not this machine's speed.
  run(kBin + "/llamaf-host-probe --out " + prof + " --name probe-test --dim 256 --hidden 512 --heads 8 "
             "--kv-heads 4 --vocab 512 --group 64 --min-seconds 0.03 --copy-mib 4",
      (dir.path / "probe.log").string());
  const llamaf::host::HostProfile p = llamaf::host::load_host_profile(prof);
  CHECK(p.name == "probe-test");
  for (const auto& [name, unit] : llamaf::host::profile_operator_units())
    if (name != "embedding") CHECK(p.op(name) != nullptr);
  CHECK(p.matvec.count("w8a8") == 1);
  CHECK(p.memcpy.count(1) == 1);
  for (const char* o : {"fork_join", "accel_start", "irq_to_thread"}) CHECK(p.overhead(o) != nullptr);
  CHECK(p.cache.size() == 2);

  const nlohmann::json r = simulate(dir, "-n 3 --host-profile " + prof, "probe_sim");
  CHECK(r["host_model"]["profile"] == prof);
  const nlohmann::json& fb = r["host_model"]["fallback"];
  for (const char* op : {"rmsnorm", "rope", "attention", "swiglu", "residual", "act_quant", "sampling",
                         "overheads.fork_join", "cache.clean", "cache.invalidate"})
    CHECK_FALSE(contains(fb, op));
  // The operators the probe timed set the host's time: RMSNorm is 11
  // calls per token (2 per layer + the final one) of 64 elements.
  const double rms_s = r["total"]["operators"]["rmsnorm"]["seconds"].get<double>() +
                       r["total"]["operators"]["final_rmsnorm"]["seconds"].get<double>();
  CHECK(rms_s == Approx(3 * 11 * 64 * p.op("rmsnorm")->value).epsilon(0.05).margin(3 * 11 * 2 / 200e6));
}

TEST_CASE("ps_only runs every operator on the host and the accelerated run reports its speed-up",
          "[system][host]") {
  llamaf::test::TempDir dir("llamaf-ps-only");
  const nlohmann::json ps = simulate(dir, "-n 3 --policy ps_only", "ps");
  CHECK(ps["policy"] == "ps_only");
  CHECK(ps["total"]["jobs"].get<double>() == 0);
  CHECK(ps["total"]["accelerator"]["macs"].get<double>() == 0);
  // The tiny design is W4A8: the ZCU102 profile has only the w8a8 kernel,
  // so the report says the op-count model costed the matvecs.
  CHECK(contains(ps["host_model"]["fallback"], "matvec.w4a8"));
  CHECK_FALSE(contains(ps["host_model"]["fallback"], "rmsnorm"));
  // Weights streamed by the host, once per token.
  CHECK(ps["ps_only"]["weight_bytes_streamed"].get<double>() ==
        Approx(3 * ps["roofline"]["weight_and_scale_bytes_per_token"].get<double>()));
  CHECK(ps["total"]["host"]["busy_cycles"].get<double>() ==
        Approx(ps["total"]["cycles"].get<double>()).epsilon(0.01));

  const std::string base = (dir.path / "ps.json").string();
  const nlohmann::json acc = simulate(dir, "-n 3 --policy overlapped --baseline " + base, "acc");
  const double speedup = acc["vs_ps_only"]["speedup"].get<double>();
  CHECK(speedup == Approx(acc["total"]["tokens_per_s"].get<double>() / ps["total"]["tokens_per_s"].get<double>()));
  // Both runs cost attention with the same host model; only the KV-cache
  // traffic's DRAM timing may differ.
  CHECK(acc["total"]["operators"]["attention"]["cycles"].get<double>() ==
        Approx(ps["total"]["operators"]["attention"]["cycles"].get<double>()).epsilon(1e-3));
  // The matvecs: host kernels in PS-only, accelerator jobs otherwise.
  CHECK(acc["total"]["jobs"].get<double>() > 0);
  // A baseline of another shape is refused.
  const std::string cmd = kBin + "/llamaf-sim-tiny --design " + kSrc + "/configs/designs/tiny.json --board " +
                          kSrc + "/configs/boards/zcu102.json --shape " + kSrc +
                          "/configs/models/stories260K.json --quiet -n 2 --baseline " + base + " > " +
                          (dir.path / "bad.log").string() + " 2>&1";
  CHECK(std::system(cmd.c_str()) != 0);
  CHECK_THAT(llamaf::test::read_file(dir.path / "bad.log"), Catch::Contains("--baseline"));
}

TEST_CASE("staged policies copy every layer through the memory model", "[system][host]") {
  llamaf::test::TempDir dir("llamaf-staged");
  const nlohmann::json direct = simulate(dir, "-n 3 --policy direct", "direct");
  const nlohmann::json sync = simulate(dir, "-n 3 --policy staged_sync", "sync");
  const nlohmann::json async = simulate(dir, "-n 3 --policy staged_async", "async");
  const double weights = direct["roofline"]["weight_and_scale_bytes_per_token"].get<double>();
  // Sync copies every unit (5 layers + classifier) of every token; async
  // also prefetches the next token's layer 0 after the last classifier.
  const double copied_sync = sync["staging"]["bytes_copied"].get<double>();
  CHECK(copied_sync >= 3 * weights);
  CHECK(copied_sync <= 3 * (weights + 4096.0 * (7 * 5 + 1)));  // plus the images' 4 KiB alignment
  CHECK(async["staging"]["bytes_copied"].get<double>() > copied_sync);
  // The copies are DRAM traffic of the host (read + write of every byte).
  const double host_direct = direct["total"]["dram"]["host_bytes"].get<double>();
  CHECK(sync["total"]["dram"]["host_bytes"].get<double>() >= host_direct + 2 * copied_sync);
  // Copying costs time; overlapping it with the computation wins some back.
  const double c_direct = direct["total"]["cycles"].get<double>();
  const double c_sync = sync["total"]["cycles"].get<double>();
  const double c_async = async["total"]["cycles"].get<double>();
  CHECK(c_sync > c_direct);
  CHECK(c_async < c_sync);
  CHECK(sync["total"]["operators"]["staging_copy"]["cycles"].get<double>() > 0);
  // The accelerator reads the staged copies: same accelerator bytes.
  CHECK(sync["total"]["accelerator"]["bytes_read"] == direct["total"]["accelerator"]["bytes_read"]);
  // A staging buffer too small for double buffering is refused, naming the size needed.
  const std::string cmd = kBin + "/llamaf-sim-tiny --design " + kSrc + "/configs/designs/tiny.json --board " +
                          kSrc + "/configs/boards/zcu102.json --shape " + kSrc +
                          "/configs/models/stories260K.json --quiet -n 1 --policy staged_async "
                          "--staging-bytes 8192 > " + (dir.path / "small.log").string() + " 2>&1";
  CHECK(std::system(cmd.c_str()) != 0);
  CHECK_THAT(llamaf::test::read_file(dir.path / "small.log"),
             Catch::Contains("--staging-bytes 8192") && Catch::Contains("double-buffered"));
}

TEST_CASE("a whole generation from sampled positions stays within 1 % of the full run",
          "[system][host]") {
  llamaf::test::TempDir dir("llamaf-generation");
  // 64 positions of stories260K: every one simulated, then 5 of them
  // (0, 16, 32, 47, 63) with the other 59 interpolated.
  const nlohmann::json full = simulate(dir, "-n 64", "full");
  const nlohmann::json sampled = simulate(dir, "-n 64 --sample-positions 5", "sampled");
  CHECK(sampled["positions"] == 64);
  CHECK(sampled["sampling"]["simulated_positions"].size() == 5);
  CHECK(sampled["sampling"]["interpolated_positions"] == 59);
  CHECK(sampled["tokens"][63]["simulated"] == true);
  CHECK(sampled["tokens"][1]["simulated"] == false);
  const double a = full["total"]["tokens_per_s"].get<double>();
  const double b = sampled["total"]["tokens_per_s"].get<double>();
  const double err = std::abs(b - a) / a;
  INFO("full " << a << " tokens/s, sampled " << b << " tokens/s, error " << 100 * err << " %");
  CHECK(err < 0.01);
  // The simulated positions are the full run's positions, cycle for cycle.
  for (int p : {0, 16, 32, 63})
    CHECK(sampled["tokens"][p]["cycles"].get<double>() ==
          Approx(full["tokens"][p]["cycles"].get<double>()).epsilon(0.02));
  // And the energy inputs are interpolated too: DRAM bytes within 1 %.
  CHECK(sampled["total"]["dram"]["bytes_read"].get<double>() ==
        Approx(full["total"]["dram"]["bytes_read"].get<double>()).epsilon(0.01));
}
