// `llamaf fit-resources`: synthesizes the training set of the resource and
// Fmax model (Yosys + OpenSTA, cached like `llamaf synth`), fits it
// (explorer/resource_model.h), prints the fit, leave-one-out and held-out
// errors, and writes the fit file with the RTL hash it was fitted on.
#include "explorer/cli/commands.h"

#include "explorer/resource_model.h"
#include "explorer/subprocess.h"
#include "explorer/synth.h"
#include "sim/config/json_reader.h"
#include "sim/model/atomic_file.h"
#include "sim/model/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

namespace llamaf::cli {

namespace {

namespace fs = std::filesystem;

struct FitCmdOptions {
  std::string training = LLAMAF_SOURCE_DIR "/configs/fits/training.json";
  std::string out;  // default: dse::default_resource_model_path()
  std::string cache_dir;
  std::string rtl_dir = LLAMAF_SOURCE_DIR "/rtl";
  std::string yosys = "yosys";
  std::string sta = "sta";
  bool points = false;
};

// One design of the training file: {"name", "rtl": {...}}.
struct TrainingDesign {
  std::string name;
  nlohmann::json design;  // as a design file would hold it
};

struct TrainingSet {
  std::vector<TrainingDesign> training;
  std::vector<fs::path> validation;  // design files, held out
};

TrainingSet read_training(const fs::path& file) {
  const nlohmann::json j = config::read_json_file(file.string());
  const config::JsonObject root(j, file.string(), "");
  TrainingSet t;
  const nlohmann::json& arr = root.get_raw("training");
  if (!arr.is_array() || arr.empty())
    throw_error("{}: expected a non-empty array of designs ({{\"name\", \"rtl\"}})",
                root.at("training"));
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const config::JsonObject o(arr[i], file.string(), fmt::format("training[{}]", i));
    TrainingDesign d;
    d.name = o.get_string("name");
    // Read and checked by the design reader (unknown parameters rejected).
    d.design = {{"name", d.name}, {"rtl", o.get_raw("rtl")}};
    o.reject_unknown();
    t.training.push_back(std::move(d));
  }
  if (root.has("validation_dir")) {
    const fs::path dir = file.parent_path() / root.get_string("validation_dir");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json") t.validation.push_back(e.path());
    if (ec) throw_error("{}: cannot list {}: {}", root.at("validation_dir"), dir.string(), ec.message());
    std::sort(t.validation.begin(), t.validation.end());
  }
  root.allow({"description"});
  root.reject_unknown();
  return t;
}

std::string yosys_version(const std::string& yosys) {
  std::string v = "Yosys";
  if (const auto y = dse::find_program(yosys)) {
    const std::string log = fmt::format("/tmp/llamaf-fit-yosys-version-{}.txt", ::getpid());
    if (dse::run_process({y->string(), "-V"}, log, 10).exited_ok()) {
      std::ifstream in(log);
      std::string line;
      if (std::getline(in, line) && !line.empty()) {
        // "Yosys 0.23 (git sha1 ...)" -> "Yosys 0.23"
        const std::size_t paren = line.find(" (");
        v = paren == std::string::npos ? line : line.substr(0, paren);
      }
    }
    std::remove(log.c_str());
  }
  return v;
}

std::string today_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

dse::FitPoint to_point(const std::string& name, const sim::DesignParams& p,
                       const dse::SynthResult& r) {
  if (!r.timing.has_path)
    throw_error("{}: the synthesis has no timed register path ({}), so no Fmax to fit", name,
                r.timing.limit);
  dse::FitPoint pt;
  pt.name = name;
  pt.params = p;
  pt.cache_key = r.key;
  pt.measured.lut = static_cast<double>(r.resources.lut);
  pt.measured.ff = static_cast<double>(r.resources.ff);
  pt.measured.dsp = static_cast<double>(r.resources.dsp);
  pt.measured.bram36 = static_cast<double>(r.resources.bram36);
  pt.measured.bram18 = static_cast<double>(r.resources.bram18);
  pt.measured.fmax_mhz = r.fmax_mhz;
  return pt;
}

void print_progress(std::size_t i, std::size_t n, const std::string& name,
                    const dse::SynthResult& r, double seconds) {
  const auto& s = r.resources;
  fmt::print("[{:>2}/{}] {:<26} {:>6} LUT {:>6} FF {:>4} DSP {:>3} RAMB36 {:>3} RAMB18 {:>6.1f} MHz  "
             "({})\n",
             i, n, name, s.lut, s.ff, s.dsp, s.bram36, s.bram18, r.fmax_mhz,
             r.from_cache ? "cached" : fmt::format("{:.0f} s", seconds));
  std::fflush(stdout);
}

std::string pct(double v) { return fmt::format("{:.1f} %", v); }

// One Markdown row per metric: mean and worst |error| of the fit, its
// leave-one-out and the held-out points.
void print_errors(const dse::ResourceFit& f, std::size_t n_train, std::size_t n_val) {
  fmt::print("\n| metric | fit mean | fit worst | leave-one-out mean | leave-one-out worst | "
             "held-out mean | held-out worst (point) |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---|\n");
  for (std::size_t m = 0; m < dse::kResourceMetrics.size(); ++m) {
    const dse::MetricError &a = f.fit[m], &l = f.loo[m], &v = f.validation[m];
    fmt::print("| {} | {} | {} | {} | {} | {} | {} ({}) |\n", dse::kResourceMetrics[m],
               pct(a.mean_abs_pct), pct(a.worst_abs_pct), pct(l.mean_abs_pct),
               pct(l.worst_abs_pct), n_val ? pct(v.mean_abs_pct) : "-",
               n_val ? pct(v.worst_abs_pct) : "-", n_val ? v.worst_point : "-");
  }
  fmt::print("\n{} training points, {} held out; |error| in percent of the measured value "
             "(points measuring 0 excluded from the percentages). Exact structural counts: ",
             n_train, n_val);
  for (std::size_t m = 2; m <= 5; ++m)
    fmt::print("{}{} {}/{} fit, {}/{} held out", m == 2 ? "" : "; ", dse::kResourceMetrics[m],
               f.fit[m].exact, f.fit[m].points, f.validation[m].exact, f.validation[m].points);
  fmt::print(".\n");
}

void print_points(const char* title, const std::vector<dse::FitPoint>& pts,
                  const std::vector<dse::ResourceEstimate>& est) {
  fmt::print("\n{}\n| point | LUT | est | FF | est | DSP | est | RAMB36 | est | RAMB18 | est | "
             "Fmax | est |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
             title);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const auto &m = pts[i].measured, &e = est[i];
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | "
               "{:.0f} | {:.0f} | {:.0f} | {:.0f} |\n",
               pts[i].name, m.lut, e.lut, m.ff, e.ff, m.dsp, e.dsp, m.bram36, e.bram36, m.bram18,
               e.bram18, m.fmax_mhz, e.fmax_mhz);
  }
}

void run_fit(const FitCmdOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path training_file = o.training;
  const TrainingSet set = read_training(training_file);
  dse::SynthOptions opt;
  opt.rtl_dir = o.rtl_dir;
  opt.cache_dir = o.cache_dir;
  opt.yosys = o.yosys;
  opt.sta = o.sta;
  opt.top = "lf_top";
  const std::vector<fs::path> sources = dse::rtl_sources(opt.rtl_dir);
  const std::size_t n = set.training.size() + set.validation.size();
  std::size_t i = 0;

  // Every design is read and checked before the first synthesis, so a bad
  // one costs no Yosys time.
  const std::size_t needed = std::max(dse::kLutTerms, dse::kFfTerms);
  if (set.training.size() < needed)
    throw_error("{}: training: {} designs, the fit needs at least {} (the LUT and FF terms)",
                training_file.string(), set.training.size(), needed);
  std::vector<sim::DesignParams> train_params, val_params;
  std::vector<std::vector<std::pair<std::string, std::int64_t>>> train_rtl;
  for (std::size_t k = 0; k < set.training.size(); ++k) {
    const TrainingDesign& d = set.training[k];
    const std::string where =
        fmt::format("{}: training[{}] (\"{}\")", training_file.string(), k, d.name);
    train_params.push_back(sim::design_params_from_json(d.design, where));
    sim::check_rtl_legality(train_params.back(), where);
    train_rtl.push_back(dse::rtl_parameters(d.design, where));
  }
  for (const fs::path& f : set.validation) val_params.push_back(sim::load_design_params(f.string()));

  std::vector<dse::FitPoint> training, validation;
  for (std::size_t k = 0; k < set.training.size(); ++k) {
    const auto s = std::chrono::steady_clock::now();
    const dse::SynthResult r = dse::synthesize_rtl(sources, opt.top, train_rtl[k], opt);
    print_progress(++i, n, set.training[k].name, r,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
    training.push_back(to_point(set.training[k].name, train_params[k], r));
  }
  for (std::size_t k = 0; k < set.validation.size(); ++k) {
    const fs::path& f = set.validation[k];
    const sim::DesignParams& p = val_params[k];
    const auto s = std::chrono::steady_clock::now();
    const dse::SynthResult r = dse::synthesize(f, opt);
    const std::string name = f.stem().string();
    print_progress(++i, n, name, r,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
    // Design files with the same parameters are one point ("embedded = llamaf").
    auto same = std::find_if(validation.begin(), validation.end(),
                             [&](const dse::FitPoint& v) { return v.cache_key == r.key; });
    if (same != validation.end())
      same->name += " = " + name;
    else
      validation.push_back(to_point(name, p, r));
  }

  const dse::ResourceFit fit = dse::fit_resource_model(training, validation);
  print_errors(fit, training.size(), validation.size());
  if (o.points) {
    print_points("Training points (fit):", training, fit.training_estimates);
    print_points("Held-out points:", validation, fit.validation_estimates);
  }

  const std::string source =
      fmt::format("least-squares fit to {} {} runs (+ {} held out), `{}`, {}", training.size(),
                  yosys_version(o.yosys), validation.size(), dse::kRefitCommand, today_utc());
  const std::string hash = dse::current_rtl_fit_hash(opt.rtl_dir);
  const fs::path out = o.out.empty() ? dse::default_resource_model_path() : fs::path(o.out);
  write_file_atomic(out, dse::fit_file_json(fit, training, validation, hash, source).dump(2) + "\n");
  fmt::print("\nwrote {} (RTL {}; {:.0f} s)\n", out.string(), hash,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace

void add_fit_resources_command(CLI::App& app) {
  auto o = std::make_shared<FitCmdOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fit-resources",
      "Synthesize the resource model's training set (cached), fit LUT/FF/Fmax, print the fit, "
      "leave-one-out and held-out errors, write the fit file (docs/resource_model.md)");
  cmd->add_option("--training", o->training,
                  "Training set (default configs/fits/training.json)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out, "Fit file to write (default configs/fits/lf_top_xcup-2.json)");
  cmd->add_option("--cache-dir", o->cache_dir,
                  "Synthesis cache (default $LLAMAF_CACHE_DIR/synth or ~/.cache/llamaf/synth)");
  cmd->add_option("--rtl-dir", o->rtl_dir, "Folder of the RTL sources")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--yosys", o->yosys, "Yosys executable");
  cmd->add_option("--sta", o->sta, "OpenSTA executable");
  cmd->add_flag("--points", o->points, "Also print every point's measured and estimated values");
  cmd->callback([o] { run_fit(*o); });
}

}  // namespace llamaf::cli
