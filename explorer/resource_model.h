// Fitted resource and Fmax model of lf_top (docs/resource_model.md): LUT, FF,
// DSP48E2, RAMB36E2/RAMB18E2 and the estimated Fmax as closed-form functions
// of the RTL parameters, for the analytical design-space screen
// (analytical.h), which evaluates far more points than Yosys could.
//   DSP and block RAM  counted structurally: one DSP48E2 per PE multiplier
//                      plus the float multipliers' significand products;
//                      every memory of the RTL with its geometry, mapped as
//                      Yosys 0.23's memory_libmap maps it (flops, LUTRAM,
//                      RAMB18E2 or RAMB36E2, by its costs). No coefficients.
//   LUT and FF         linear in a few structural features (PE adder tree
//                      bits, gearbox select inputs, bus and AXI widths, ports,
//                      counter widths), least squares on relative error.
//   Fmax               1000 / the longest of four register-to-register path
//                      families: a floor (control paths), the writer's
//                      LUTRAM-read strobe count (a line in log2 of the strobe
//                      bits), the activation loader's word split (a line in
//                      log2 of the entries per word) and the result FIFO's
//                      block-RAM variant (a constant), where present.
// The coefficients live in a fit file (configs/fits/lf_top_xcup-2.json) with
// the hash of the RTL, synthesis script and delay file they were fitted on;
// `llamaf fit-resources` refits them, and load() refuses a stale file.
#pragma once

#include "sim/rtl_driver/design_params.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace llamaf::dse {

struct ResourceEstimate {
  double lut = 0, ff = 0, dsp = 0, bram36 = 0, bram18 = 0, fmax_mhz = 0;
};

// The version of the model form (features, structural rules): a fit file of
// another form is refused like a stale one.
inline constexpr const char* kResourceModelForm = "lf_top-resources-v1";
// The command that refits, named in every refusal.
inline constexpr const char* kRefitCommand = "llamaf fit-resources";

// ---------------------------------------------------------------- structure

// The block RAMs one memory occupies (width x depth bits, one write and one
// read port) as Yosys 0.23 `memory_libmap` maps it for xcup: a memory with a
// registered read may go to block RAM, at cost 129 per RAMB18E2 (up to 36
// bits x 512 words, 18 x 1K, ...) and 257 per RAMB36E2 (72 x 512, 36 x 1K,
// ...), or to LUTRAM, at cost 16 per LUT-RAM cell (RAM32M16: 14 bits x 32,
// RAM64M8: 7 x 64, RAM128X1D: 2 x 128, RAM256X1D: 1 x 256, the shallowest
// that holds the depth); the cheapest wins. So: at most 64 words deep,
// LUTRAM; deeper, block RAM unless very narrow. `registered_read` false (a
// read Yosys cannot register): never block RAM.
struct MemoryMapping {
  int bram36 = 0;
  int bram18 = 0;
};
MemoryMapping map_memory(std::int64_t width_bits, std::int64_t depth, bool registered_read);

// DSP48E2 and block RAM counts from the RTL structure (no fitted constant).
struct StructuralCounts {
  double dsp = 0, bram36 = 0, bram18 = 0;
};
StructuralCounts structural_counts(const sim::DesignParams& p);

// The features of the fitted terms, by name in the fit file.
inline constexpr std::size_t kLutTerms = 6;
inline constexpr std::size_t kFfTerms = 6;
inline constexpr std::size_t kFmaxTerms = 6;
extern const std::array<const char*, kLutTerms> kLutTermNames;
extern const std::array<const char*, kFfTerms> kFfTermNames;
extern const std::array<const char*, kFmaxTerms> kFmaxTermNames;

struct ResourceFeatures {
  std::array<double, kLutTerms> lut{};
  std::array<double, kFfTerms> ff{};
  // 1; writer FIFO read from LUTRAM (0/1), log2 strobe bits; loader split (0/1),
  // log2 entries per AXI word; result FIFO in block RAM (0/1)
  std::array<double, kFmaxTerms> fmax{};
};
ResourceFeatures resource_features(const sim::DesignParams& p);

// The fitted coefficients (same order as the term names).
struct ResourceCoefficients {
  std::array<double, kLutTerms> lut{};
  std::array<double, kFfTerms> ff{};
  std::array<double, kFmaxTerms> fmax{};
};

// The estimate from given coefficients: no allocation, thread-safe.
ResourceEstimate estimate_resources(const ResourceCoefficients& c, const sim::DesignParams& p);

// ---------------------------------------------------------------- fitting

// One synthesized design: its parameters and what Yosys + OpenSTA measured.
struct FitPoint {
  std::string name;
  sim::DesignParams params;
  std::string cache_key;  // synthesis cache key (explorer/synth.h)
  ResourceEstimate measured;
};

// The metrics an error summary covers, in this order; "bram" is RAMB36
// equivalents (RAMB36 + RAMB18/2), what fits_board compares.
inline constexpr std::array<const char*, 7> kResourceMetrics = {
    "lut", "ff", "dsp", "bram36", "bram18", "bram", "fmax_mhz"};
double metric_value(const ResourceEstimate& e, std::size_t metric);

struct MetricError {
  // Over the points whose measured value is not 0; |estimate - measured| /
  // measured in percent.
  double mean_abs_pct = 0, worst_abs_pct = 0;
  std::string worst_point;
  double mean_abs = 0;  // in the metric's own unit, over all points
  int exact = 0;        // points estimated exactly (|error| < 0.5 unit)
  int points = 0;
};
using ErrorSummary = std::array<MetricError, kResourceMetrics.size()>;

ErrorSummary error_summary(const std::vector<FitPoint>& points,
                           const std::vector<ResourceEstimate>& estimates);

struct ResourceFit {
  ResourceCoefficients coefficients;
  ErrorSummary fit;         // on the training points
  ErrorSummary loo;         // leave-one-out on the training points
  ErrorSummary validation;  // on the held-out points (empty when none)
  std::vector<ResourceEstimate> training_estimates, loo_estimates, validation_estimates;
};

// Least squares on relative error (each row weighted by 1/measured), with a
// tiny ridge for conditioning. Throws when there are fewer points than terms.
ResourceCoefficients fit_coefficients(const std::vector<FitPoint>& training);
ResourceFit fit_resource_model(const std::vector<FitPoint>& training,
                               const std::vector<FitPoint>& validation);

// ---------------------------------------------------------------- the fit file

// The hash load() compares against: the RTL sources of rtl_dir, the synthesis
// script and its version (synth_cache_key without parameters), the timing
// flow version and the default delay file's digest: what invalidates a
// cached synthesis result. 16 hex digits.
std::string current_rtl_fit_hash(const std::filesystem::path& rtl_dir);

// <source tree>/configs/fits/lf_top_xcup-2.json.
std::filesystem::path default_resource_model_path();

// The fit file's JSON (what `llamaf fit-resources` writes).
nlohmann::json fit_file_json(const ResourceFit& fit, const std::vector<FitPoint>& training,
                             const std::vector<FitPoint>& validation, const std::string& rtl_hash,
                             const std::string& source);

// Reads the points of a fit file's "training" or "validation" array (also the
// test fixture's format): name, rtl, cache_key, measured.
std::vector<FitPoint> fit_points_from_json(const nlohmann::json& array, const std::string& where,
                                           const std::string& path);

class ResourceModel {
 public:
  // Reads the fit file; throws llamaf::Error naming the file when it is malformed, and when it is stale:
  // its stored RTL hash differs from the current RTL's (rtl_dir's sources + synthesis script version +
  // delay file digest, i.e. what invalidates synthesis results), with a message naming the refit command
  // (e.g. "configs/fits/lf_top_xcup-2.json was fitted on RTL 1a2b..., the RTL is now 3c4d...: refit with
  // `llamaf fit-resources`").
  static ResourceModel load(const std::filesystem::path& file, const std::filesystem::path& rtl_dir);
  // The same without the staleness check (`where` names the origin in errors).
  static ResourceModel from_json(const nlohmann::json& j, const std::string& where);

  ResourceEstimate estimate(const sim::DesignParams& p) const {
    return estimate_resources(coefficients_, p);
  }
  const std::string& rtl_hash() const { return rtl_hash_; }
  const std::filesystem::path& file() const { return file_; }
  const ResourceCoefficients& coefficients() const { return coefficients_; }

 private:
  ResourceCoefficients coefficients_;
  std::string rtl_hash_;
  std::filesystem::path file_;
};

}  // namespace llamaf::dse
