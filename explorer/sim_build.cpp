// On-demand simulator builds for sweep points.
#include "explorer/sim_build.h"

#include "explorer/hash.h"
#include "explorer/subprocess.h"
#include "explorer/synth.h"
#include "sim/model/error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace llamaf::dse {

namespace fs = std::filesystem;

std::string simulator_name(const nlohmann::json& rtl_params, const fs::path& rtl_dir) {
  std::uint64_t h = fnv1a64(canonical_json(rtl_params));
  for (const fs::path& src : rtl_sources(rtl_dir)) {
    std::ifstream in(src, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    h = fnv1a64(src.filename().string(), h);
    h = fnv1a64(ss.str(), h);
  }
  std::string name = hex64(h);
  name.resize(12);
  name.insert(name.begin(), 'x');  // (not "x" + ...: GCC 12 -Wrestrict false positive)
  return name;
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

fs::path ensure_simulator(const nlohmann::json& rtl_params, const fs::path& build_dir,
                          const fs::path& source_dir, const fs::path& log) {
  if (!rtl_params.is_object() || rtl_params.empty())
    throw Error("design: the \"rtl\" parameter object is missing or empty");
  const std::string name = simulator_name(rtl_params, source_dir / "rtl");
  const fs::path exe = build_dir / ("llamaf-sim-" + name);
  if (fs::exists(exe)) return exe;

  const fs::path dir = build_dir / "explorer-designs";
  fs::create_directories(dir);
  FileLock lock(dir / ".lock");
  if (fs::exists(exe)) return exe;  // built by another process meanwhile
  {
    const fs::path json = dir / (name + ".json");
    const fs::path tmp = dir / (name + ".json.tmp");
    std::ofstream(tmp) << nlohmann::json{{"name", name}, {"rtl", rtl_params}}.dump(2) << "\n";
    fs::rename(tmp, json);
  }
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  const ProcessResult conf = run_process(
      {"cmake", "-S", source_dir.string(), "-B", build_dir.string(),
       "-DLLAMAF_EXTRA_DESIGN_DIR=" + dir.string()},
      log, 0.0);
  if (!conf.exited_ok())
    throw_error("configuring the simulator build for design {} failed ({}): {}", name,
                conf.describe(0), last_error_line(log));
  const fs::path build_log = log.string() + ".build";
  const ProcessResult b = run_process({"cmake", "--build", build_dir.string(), "--target",
                                       "llamaf-sim-" + name, "-j", std::to_string(jobs)},
                                      build_log, 0.0);
  if (!b.exited_ok() || !fs::exists(exe))
    throw_error("building simulator llamaf-sim-{} failed ({}): {} (log {})", name, b.describe(0),
                last_error_line(build_log), build_log.string());
  return exe;
}

}  // namespace llamaf::dse
