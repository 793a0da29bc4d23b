// explorer/resource_model: the structural DSP/BRAM counts and the LUT/FF/Fmax
// fit against real Yosys 0.23 + OpenSTA results (tests/data/fit/points.json,
// written by `llamaf fit-resources`), the shipped fit file against the
// configs/designs results, and the fit file's staleness and format checks.
// No Yosys runs here.
#include "explorer/resource_model.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"
#include "sim/rtl_driver/design_params.h"
#include "tests/support/files.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

using namespace llamaf;
using namespace llamaf::dse;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSource = LLAMAF_SOURCE_DIR;
const fs::path kFixture = kSource / "tests" / "data" / "fit" / "points.json";

// The documented accuracy (docs/resource_model.md, "Measured errors"):
// mean |error| of the fit on its own points, and the bound on any single
// held-out configs/designs point.
constexpr double kFitMeanLutPct = 10, kFitMeanFfPct = 10, kFitMeanFmaxPct = 10;
constexpr double kDesignLutPct = 15, kDesignFfPct = 15, kDesignFmaxPct = 10;

struct Fixture {
  std::vector<FitPoint> training, validation;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    const json j = config::read_json_file(kFixture.string());
    return Fixture{fit_points_from_json(j.at("training"), kFixture.string(), "training"),
                   fit_points_from_json(j.at("validation"), kFixture.string(), "validation")};
  }();
  return f;
}

double pct(double est, double measured) { return 100.0 * std::abs(est - measured) / measured; }

json shipped_fit() { return config::read_json_file(default_resource_model_path().string()); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("resource model: memory mapping mirrors memory_libmap's costs", "[resource_model]") {
  // Port FIFO of a 128-bit port (word + last flag), 256 words: 2 x RAMB36 72 x 512.
  CHECK(map_memory(129, 256, true).bram36 == 2);
  CHECK(map_memory(129, 256, true).bram18 == 0);
  // 257 bits: 4 RAMB36 (cost 1028) beat 8 RAMB18 (1032).
  CHECK(map_memory(257, 256, true).bram36 == 4);
  // Activation buffer of 128 PEs x 8 bits, 86 deep: 29 RAMB18 (3741) beat 15 RAMB36 (3855).
  CHECK(map_memory(1024, 86, true).bram18 == 29);
  CHECK(map_memory(1024, 86, true).bram36 == 0);
  // 64 words deep or less: LUTRAM (RAM64M8, 7 bits per 16) is cheaper than any block RAM.
  CHECK(map_memory(256, 64, true).bram36 + map_memory(256, 64, true).bram18 == 0);
  CHECK(map_memory(1024, 32, true).bram36 + map_memory(1024, 32, true).bram18 == 0);
  // 65 words or more: block RAM.
  CHECK(map_memory(256, 65, true).bram36 == 4);
  // Deeper than 512: narrower configurations (36 x 1K).
  CHECK(map_memory(64, 1024, true).bram36 == 2);
  // An asynchronous read never goes to block RAM.
  CHECK(map_memory(129, 256, false).bram36 == 0);
}

TEST_CASE("resource model: DSP and block RAM counts are exact on every synthesized point",
          "[resource_model]") {
  const Fixture& f = fixture();
  REQUIRE(f.training.size() >= 15);
  std::vector<FitPoint> all = f.training;
  all.insert(all.end(), f.validation.begin(), f.validation.end());
  for (const FitPoint& p : all) {
    INFO(p.name);
    const StructuralCounts s = structural_counts(p.params);
    CHECK(s.dsp == p.measured.dsp);
    CHECK(s.bram36 == p.measured.bram36);
    CHECK(s.bram18 == p.measured.bram18);
  }
}

TEST_CASE("resource model: the fit reproduces the synthesized points", "[resource_model]") {
  const Fixture& f = fixture();
  const ResourceFit fit = fit_resource_model(f.training, f.validation);
  const auto metric = [](const char* name) {
    for (std::size_t m = 0; m < kResourceMetrics.size(); ++m)
      if (std::string(kResourceMetrics[m]) == name) return m;
    FAIL("no metric " << name);
    return std::size_t{0};
  };
  CHECK(fit.fit[metric("lut")].mean_abs_pct <= kFitMeanLutPct);
  CHECK(fit.fit[metric("ff")].mean_abs_pct <= kFitMeanFfPct);
  CHECK(fit.fit[metric("fmax_mhz")].mean_abs_pct <= kFitMeanFmaxPct);
  CHECK(fit.loo[metric("lut")].mean_abs_pct <= kFitMeanLutPct);
  CHECK(fit.validation[metric("lut")].mean_abs_pct <= kFitMeanLutPct);
  CHECK(fit.validation[metric("fmax_mhz")].mean_abs_pct <= kFitMeanFmaxPct);
  // The error summary is what the points say (recomputed here).
  double sum = 0;
  for (std::size_t i = 0; i < f.training.size(); ++i)
    sum += pct(fit.training_estimates[i].lut, f.training[i].measured.lut);
  CHECK(fit.fit[metric("lut")].mean_abs_pct == Approx(sum / f.training.size()));
  // Refitting the shipped fit's points gives the shipped coefficients.
  const ResourceModel shipped = ResourceModel::from_json(shipped_fit(), "shipped");
  const json sj = shipped_fit();
  const std::vector<FitPoint> shipped_training =
      fit_points_from_json(sj.at("training"), "shipped", "training");
  const ResourceCoefficients c = fit_coefficients(shipped_training);
  for (std::size_t i = 0; i < kLutTerms; ++i)
    CHECK(c.lut[i] == Approx(shipped.coefficients().lut[i]).epsilon(1e-6).margin(1e-9));
  for (std::size_t i = 0; i < kFmaxTerms; ++i)
    CHECK(c.fmax[i] == Approx(shipped.coefficients().fmax[i]).epsilon(1e-6).margin(1e-12));
}

TEST_CASE("resource model: the shipped fit is within its bound on every configs/designs point",
          "[resource_model]") {
  const ResourceModel m = ResourceModel::from_json(shipped_fit(), "shipped");
  const Fixture& f = fixture();
  int checked = 0;
  for (const auto& e : fs::directory_iterator(kSource / "configs" / "designs")) {
    if (e.path().extension() != ".json") continue;
    const sim::DesignParams p = sim::load_design_params(e.path().string());
    INFO(e.path().filename().string());
    // Its synthesis result in the fixture (the same RTL parameters).
    const FitPoint* r = nullptr;
    for (const FitPoint& v : f.validation)
      if (sim::rtl_json(v.params) == sim::rtl_json(p)) r = &v;
    REQUIRE(r != nullptr);  // a new design: rerun `llamaf fit-resources` and refresh the fixture
    const ResourceEstimate est = m.estimate(p);
    CHECK(est.dsp == r->measured.dsp);
    CHECK(est.bram36 == r->measured.bram36);
    CHECK(est.bram18 == r->measured.bram18);
    CHECK(pct(est.lut, r->measured.lut) <= kDesignLutPct);
    CHECK(pct(est.ff, r->measured.ff) <= kDesignFfPct);
    CHECK(pct(est.fmax_mhz, r->measured.fmax_mhz) <= kDesignFmaxPct);
    ++checked;
  }
  CHECK(checked >= 7);
}

TEST_CASE("resource model: the shipped fit matches the current RTL", "[resource_model]") {
  // Fails after an RTL, synthesis-script or delay-file change until
  // `llamaf fit-resources` is rerun (and tests/data/fit refreshed).
  const ResourceModel m = ResourceModel::load(default_resource_model_path(), kSource / "rtl");
  CHECK(m.rtl_hash() == current_rtl_fit_hash(kSource / "rtl"));
  CHECK(m.file() == default_resource_model_path());
}

TEST_CASE("resource model: load() refuses a fit of other RTL, naming the refit command",
          "[resource_model]") {
  test::TempDir tmp("resource-model");
  // A copy of the RTL, then one source edited: the hash changes.
  const fs::path rtl = tmp.path / "rtl";
  fs::create_directories(rtl);
  for (const auto& e : fs::directory_iterator(kSource / "rtl"))
    if (e.path().extension() == ".sv") fs::copy_file(e.path(), rtl / e.path().filename());
  json j = shipped_fit();
  j["rtl_hash"] = current_rtl_fit_hash(rtl);
  const fs::path file = tmp.path / "fit.json";
  test::write_file(file, j.dump(2));
  CHECK_NOTHROW(ResourceModel::load(file, rtl));

  test::write_file(rtl / "lf_fifo.sv", test::read_file(rtl / "lf_fifo.sv") + "\n// edited\n");
  const std::string msg = error_of([&] { ResourceModel::load(file, rtl); });
  CHECK_THAT(msg, Catch::Contains(file.string()));
  CHECK_THAT(msg, Catch::Contains("`llamaf fit-resources`"));
  CHECK_THAT(msg, Catch::Contains(j["rtl_hash"].get<std::string>()));
  CHECK_THAT(msg, Catch::Contains(current_rtl_fit_hash(rtl)));
}

TEST_CASE("resource model: malformed fit files are refused naming the key", "[resource_model]") {
  const json good = shipped_fit();
  const auto fails_with = [&](const std::function<void(json&)>& edit, const std::string& key) {
    json j = good;
    edit(j);
    const std::string msg = error_of([&] { ResourceModel::from_json(j, "bad.json"); });
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains("bad.json"));
    CHECK_THAT(msg, Catch::Contains(key));
  };
  CHECK_NOTHROW(ResourceModel::from_json(good, "good.json"));
  fails_with([](json& j) { j["coefficients"]["lut"].erase("pe_adder_bits"); },
             "coefficients.lut.pe_adder_bits");
  fails_with([](json& j) { j["coefficients"]["ff"]["const"] = "many"; }, "coefficients.ff.const");
  fails_with([](json& j) { j["coefficients"]["fmax"]["extra_ns"] = 1.0; }, "extra_ns");
  fails_with([](json& j) { j.erase("rtl_hash"); }, "rtl_hash");
  fails_with([](json& j) { j["form"] = "lf_top-resources-v0"; }, "llamaf fit-resources");
  fails_with([](json& j) { j["training"][0]["measured"].erase("lut"); }, "training[0].measured.lut");
  fails_with([](json& j) { j["training"][1]["rtl"]["NumPe"] = 3; }, "NumPe");
  fails_with([](json& j) { j["validation"] = 5; }, "validation");
  // Not JSON at all: the reader names the file.
  test::TempDir tmp("resource-model");
  test::write_file(tmp.path / "broken.json", "{\"form\": ");
  const std::string msg = error_of([&] { ResourceModel::load(tmp.path / "broken.json", kSource / "rtl"); });
  CHECK_THAT(msg, Catch::Contains("broken.json"));
}

TEST_CASE("resource model: estimate() is cheap enough for the analytical screen",
          "[resource_model]") {
  const ResourceModel m = ResourceModel::from_json(shipped_fit(), "shipped");
  sim::DesignParams p;
  double sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) {
    p.num_pe = 8 << (i % 5);
    p.group_size = 256;
    p.weight_ports = 1 + i % 6;
    sink += m.estimate(p).lut;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(sink > 0);
  // 1 us per estimate would be 0.2 s; the budget is generous for sanitizer
  // and debug builds (measured on a Release build: docs/resource_model.md).
  CHECK(s < 2.0);
}
