// The analytical screen's rate: configs/sweeps/zcu102_screen.json (about
// 10^6 combinations) screened with fidelity "analytical" by 1 and 2 threads,
// the first time with the models' memory ceilings still to measure (cold),
// then with them measured (warm); prints points per second and per core as
// a Markdown table. A benchmark, not a test: it asserts nothing
// (docs/explore.md, "Screen rate").
//   screen_bench [--sweep FILE] [--threads 1,2]
#include "explorer/point_eval.h"
#include "explorer/screen.h"
#include "explorer/sweep.h"
#include "sim/model/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace llamaf::dse;
  fs::path sweep_path = fs::path(LLAMAF_SOURCE_DIR) / "configs" / "sweeps" / "zcu102_screen.json";
  std::vector<int> threads = {1, 2};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sweep" && i + 1 < argc) {
      sweep_path = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads.clear();
      std::stringstream ss(argv[++i]);
      for (std::string t; std::getline(ss, t, ',');) threads.push_back(std::stoi(t));
    } else {
      fmt::print(stderr, "usage: screen_bench [--sweep FILE] [--threads 1,2]\n");
      return 2;
    }
  }
  try {
    const Sweep sweep = load_sweep(sweep_path, Fidelity::kAnalytical);
    const ResourceEstimator resources = screen_resources(sweep, fs::path(LLAMAF_SOURCE_DIR) / "rtl");
    EvalContext ctx;
    ctx.sweep_dir = fs::absolute(sweep_path).parent_path();
    ctx.cache_dir = default_dse_cache_dir();
    ctx.work_dir = fs::temp_directory_path();
    fmt::print("Analytical screen of {} ({} combinations)\n\n", sweep_path.filename().string(),
               combination_count(sweep));
    // The first screen measures the memory ceilings of every distinct
    // memory configuration (membench, memoized by the models): "cold", as a
    // first `llamaf explore` runs. Later screens with the same backend
    // reuse the models: "warm", the cost per point alone.
    fmt::print("| run | threads | points | wall s | setup + scan + select s | points/s | points/s per core | "
               "evaluated | candidates | front |\n"
               "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
    const auto backend = make_analytical_backend(ctx, resources);
    bool cold = true;
    for (int t : threads) {
      const int passes = cold ? 2 : 1;
      for (int pass = 0; pass < passes; ++pass) {
        ScreenOptions opt;
        opt.threads = t;
        const ScreenResult r = screen_sweep(sweep, *backend, opt);
        const double rate = static_cast<double>(r.screened) / r.wall_seconds;
        const std::size_t evaluated = r.screened - r.filtered_out - r.illegal - r.infeasible;
        fmt::print("| {} | {} | {} | {:.2f} | {:.2f} + {:.2f} + {:.2f} | {:.0f} | {:.0f} | {} | {} | {} |\n",
                   cold ? "cold" : "warm", t, r.screened, r.wall_seconds, r.setup_seconds, r.scan_seconds,
                   r.select_seconds, rate, rate / t, evaluated, r.candidates, r.front_size);
        std::fflush(stdout);
        cold = false;
      }
    }
  } catch (const llamaf::Error& e) {
    fmt::print(stderr, "screen_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
