// On-demand simulator builds for sweep points.
#include "explorer/sim_build.h"

#include "explorer/design_identity.h"
#include "explorer/subprocess.h"
#include "explorer/synth.h"
#include "sim/model/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace llamaf::dse {

namespace fs = std::filesystem;

SimulatorChoice find_simulator(const sim::DesignParams& p, const fs::path& build_dir,
                               const fs::path& source_dir) {
  const nlohmann::json want = sim::rtl_json(p);
  std::error_code ec;
  std::vector<fs::path> shipped;
  for (const auto& e : fs::directory_iterator(source_dir / "configs" / "designs", ec))
    if (e.path().extension() == ".json") shipped.push_back(e.path());
  std::sort(shipped.begin(), shipped.end());
  for (const fs::path& f : shipped) {
    if (sim::rtl_json(sim::load_design_params(f.string())) == want) {
      const std::string stem = f.stem().string();
      return {build_dir / ("llamaf-sim-" + stem), stem, true};
    }
  }
  const std::string id = design_identity(p, source_dir / "rtl");
  return {build_dir / ("llamaf-sim-" + id), id, false};
}

namespace {

// An exclusive lock on a file for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const fs::path& p) : fd_(::open(p.c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw_error("{}: cannot lock", p.string());
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

std::string last_error_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, err, last;
  while (std::getline(in, line)) {
    if (line.find("rror") != std::string::npos || line.find("%Fatal") != std::string::npos) err = line;
    if (!line.empty()) last = line;
  }
  return err.empty() ? last : err;
}

}  // namespace

fs::path ensure_simulator(const sim::DesignParams& p, const fs::path& build_dir,
                          const fs::path& source_dir, const fs::path& log,
                          const std::function<void(const std::string&)>& progress) {
  const SimulatorChoice choice = find_simulator(p, build_dir, source_dir);
  const fs::path& exe = choice.exe;
  if (fs::exists(exe)) return exe;
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  const auto start = std::chrono::steady_clock::now();
  const std::string& name = choice.name;

  const fs::path dir = build_dir / "explorer-designs";
  fs::create_directories(dir);
  say(fmt::format("waiting for the build lock {}", (dir / ".lock").string()));
  FileLock lock(dir / ".lock");
  if (fs::exists(exe)) return exe;  // built by another process meanwhile
  if (!choice.prebuilt) {
    const fs::path json = dir / (name + ".json");
    const fs::path tmp = dir / (name + ".json.tmp");
    std::ofstream(tmp) << nlohmann::json{{"name", name}, {"rtl", sim::rtl_json(p)}}.dump(2) << "\n";
    fs::rename(tmp, json);
    say(fmt::format("configuring the build for design {} (log {})", name, log.string()));
    const ProcessResult conf = run_process(
        {"cmake", "-S", source_dir.string(), "-B", build_dir.string(),
         "-DLLAMAF_EXTRA_DESIGN_DIR=" + dir.string()},
        log, 0.0);
    if (!conf.exited_ok())
      throw_error("configuring the simulator build for design {} failed ({}): {}", name,
                  conf.describe(0), last_error_line(log));
  }
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  const fs::path build_log = log.string() + ".build";
  say(fmt::format("verilating and compiling llamaf-sim-{} with {} jobs (minutes; log {})", name,
                  jobs, build_log.string()));
  const ProcessResult b = run_process({"cmake", "--build", build_dir.string(), "--target",
                                       "llamaf-sim-" + name, "-j", std::to_string(jobs)},
                                      build_log, 0.0);
  if (!b.exited_ok() || !fs::exists(exe))
    throw_error("building simulator llamaf-sim-{} failed ({}): {} (log {})", name, b.describe(0),
                last_error_line(build_log), build_log.string());
  say(fmt::format("built {} in {:.0f} s", exe.string(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  return exe;
}

}  // namespace llamaf::dse
