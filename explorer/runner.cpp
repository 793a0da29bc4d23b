// The sweep runner: thread pool over subprocess evaluations.
#include "explorer/runner.h"

#include "explorer/hash.h"
#include "explorer/point_eval.h"
#include "explorer/results_store.h"
#include "explorer/subprocess.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace llamaf::dse {

namespace {

using nlohmann::json;

std::optional<json> read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  try {
    return json::parse(in);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

json make_record(const Point& p, const std::string& status, const std::string& reason,
                 const json& metrics, const json& notes, const json& tools, double wallclock_s) {
  json r = {{"id", p.id},           {"index", p.index},   {"params", p.params},
            {"status", status},     {"reason", reason},   {"metrics", metrics},
            {"notes", notes},       {"tools", tools},     {"wallclock_s", wallclock_s}};
  return r;
}

json point_file_json(const Point& p, const Sweep& sweep, const std::filesystem::path& cache_dir) {
  json j = p.resolved;
  j["id"] = p.id;
  j["index"] = p.index;
  j["sweep"] = sweep.name;
  j["run"] = {{"sweep_dir", std::filesystem::absolute(sweep.file).parent_path().string()},
              {"cache_dir", cache_dir.empty() ? "" : std::filesystem::absolute(cache_dir).string()}};
  return j;
}

void check_sweep_folder(const Sweep& sweep, const std::filesystem::path& out_dir, const Shard& shard) {
  // The folder belongs to one sweep and one shard.
  const std::string shard_text = fmt::format("{}/{}", shard.k, shard.n);
  if (auto prev = read_json(out_dir / "sweep.json")) {
    if (prev->value("hash", "") != sweep.hash)
      throw_error("{}: holds results of another sweep (hash {}, this sweep {}); choose another "
                  "--out, or move that folder aside (for out/default: `make run FRESH=1`)",
                  out_dir.string(), prev->value("hash", "?"), sweep.hash);
    if (prev->value("shard", "1/1") != shard_text)
      throw_error("{}: holds shard {}, not {}; choose another --out", out_dir.string(),
                  prev->value("shard", "1/1"), shard_text);
  }
}

void write_sweep_file(const Sweep& sweep, const std::filesystem::path& out_dir, const Shard& shard) {
  std::filesystem::create_directories(out_dir);
  write_file_atomic(out_dir / "sweep.json",
                    json{{"hash", sweep.hash},
                         {"shard", fmt::format("{}/{}", shard.k, shard.n)},
                         {"source", std::filesystem::absolute(sweep.file).string()},
                         {"base_sources", sweep.base_sources},
                         {"sweep", sweep.resolved}}
                            .dump(2) +
                        "\n");
}

RunSummary run_sweep(const Sweep& sweep, const RunOptions& opt) {
  namespace fs = std::filesystem;
  if (opt.jobs < 1) throw_error("--jobs {}: expected at least 1", opt.jobs);
  if (opt.evaluator.empty()) throw Error("run_sweep: no evaluator program given");
  fs::create_directories(opt.out_dir / "points");

  check_sweep_folder(sweep, opt.out_dir, opt.shard);
  // One explorer per folder at a time (a second one would interleave records
  // and race on the point folders). The lock dies with the process.
  const fs::path lock_path = opt.out_dir / ".lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) throw_error("{}: cannot create lock file", lock_path.string());
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    throw_error("{}: another llamaf explore is running in this folder", opt.out_dir.string());
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock_fd};
  const fs::path results = opt.out_dir / "results.jsonl";
  if (fs::exists(results) && fs::file_size(results) > 0 && !opt.resume)
    throw_error("{}: already holds results; pass --resume to continue that run, or choose another "
                "--out",
                opt.out_dir.string());
  write_sweep_file(sweep, opt.out_dir, opt.shard);

  Expansion e;
  if (opt.points) {
    e.points = *opt.points;
    e.combinations = combination_count(sweep);
  } else {
    e = expand(sweep);
  }
  RunSummary sum;
  sum.combinations = e.combinations;
  sum.filtered_out = e.filtered_out;
  std::vector<const Point*> mine;
  for (std::size_t i = 0; i < e.points.size(); ++i)
    if (opt.shard.contains(i)) mine.push_back(&e.points[i]);
  sum.in_shard = mine.size();

  ResultsStore store(results);
  sum.dropped_torn_tail = store.dropped_torn_tail();
  std::set<std::string> done;
  std::size_t& failed_before = sum.failed_before;
  for (const auto& r : latest_records(store.loaded())) {
    const std::string status = r.value("status", "");
    if (status == "failed" && opt.retry_failed) continue;
    done.insert(r["id"].get<std::string>());
    if (status == "failed") ++failed_before;
  }

  std::vector<const Point*> todo;
  for (const Point* p : mine) {
    if (done.contains(p->id)) {
      ++sum.already_done;
      continue;
    }
    if (!p->infeasible.empty()) {
      store.append(make_record(*p, "infeasible", p->infeasible, json::object(), json::array(),
                               json::object(), 0.0));
      ++sum.infeasible;
      ++sum.already_done;  // counts as finished without running
      continue;
    }
    todo.push_back(p);
  }

  // The simulators the points to run will build first (the ETA counts
  // each parameter set's build once, for the first point that starts it).
  const fs::path bin_dir = opt.evaluator.parent_path();
  std::vector<std::optional<std::string>> build_of(todo.size());
  if (opt.progress)
    for (std::size_t i = 0; i < todo.size(); ++i)
      build_of[i] = simulator_build_needed(point_file_json(*todo[i], sweep, opt.cache_dir), bin_dir);
  std::set<std::string> builds_started;
  const auto builds_queued_from = [&](std::size_t first) {  // under mu
    std::set<std::string> ahead;
    for (std::size_t j = first; j < todo.size(); ++j)
      if (build_of[j] && !builds_started.contains(*build_of[j])) ahead.insert(*build_of[j]);
    return ahead.size();
  };

  const double timeout = opt.timeout_s.value_or(sweep.timeout_s);
  const auto t0 = std::chrono::steady_clock::now();
  std::mutex mu;
  Progress prog;
  prog.prior_build_s = opt.prior_build_s;
  prog.prior_rest_s = opt.prior_rest_s;
  prog.builds_queued = builds_queued_from(0);
  prog.total = mine.size();
  prog.done = sum.already_done;
  prog.failed = failed_before;
  prog.to_run = todo.size();
  if (opt.progress) opt.progress(prog);

  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  // Points in flight (under mu): id -> (point, start time).
  std::map<std::string, std::pair<const Point*, std::chrono::steady_clock::time_point>> in_flight;
  // Time each running point has spent in its "building simulator" stage
  // (building, or waiting for another point's build of the same simulator),
  // as seen by the once-a-second snapshots; under mu.
  struct BuildTime {
    std::optional<std::chrono::steady_clock::time_point> since;  // in the stage now
    double seconds = 0;
  };
  std::map<std::string, BuildTime> build_time;
  const auto end_build_stage = [&](const std::string& id, std::chrono::steady_clock::time_point now) {
    BuildTime& b = build_time[id];
    if (!b.since) return;
    b.seconds += std::chrono::duration<double>(now - *b.since).count();
    b.since.reset();
    if (prog.building.contains(id)) prog.build_s.push_back(b.seconds);
  };
  auto snapshot_running = [&]() {  // under mu
    prog.running.clear();
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [id, pt] : in_flight) {
      Progress::Running r;
      r.id = id;
      r.params = pt.first->params;
      std::ifstream in(opt.out_dir / "points" / id / kStageFile);
      std::getline(in, r.stage);
      r.elapsed_s = std::chrono::duration<double>(now - pt.second).count();
      BuildTime& b = build_time[id];
      if (r.stage == kBuildStage) {
        if (!b.since) b.since = now;
      } else {
        end_build_stage(id, now);
      }
      prog.running.push_back(r);
    }
  };
  auto worker = [&]() {
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= todo.size()) return;
      const Point& p = *todo[i];
      try {
        const fs::path dir = opt.out_dir / "points" / p.id;
        fs::create_directories(dir);
        const fs::path point_json = dir / "point.json";
        const fs::path result_json = dir / "result.json";
        const fs::path log = dir / "log.txt";
        fs::remove(result_json);
        fs::remove(log);
        fs::remove(dir / kStageFile);
        {
          std::lock_guard<std::mutex> lock(mu);
          in_flight[p.id] = {&p, std::chrono::steady_clock::now()};
          if (build_of[i] && builds_started.insert(*build_of[i]).second) prog.building.insert(p.id);
          prog.builds_queued = builds_queued_from(i + 1);
        }
        write_file_atomic(point_json, point_file_json(p, sweep, opt.cache_dir).dump(2) + "\n");
        std::vector<std::string> argv = {opt.evaluator.string(), "point", point_json.string(),
                                         "--out", result_json.string()};
        if (!opt.cache_dir.empty()) {
          argv.push_back("--cache-dir");
          argv.push_back(opt.cache_dir.string());
        }
        const ProcessResult pr = run_process(argv, log, timeout);
        std::string status = "failed", reason;
        json metrics = json::object(), notes = json::array(), tools = json::object();
        const auto result = (pr.timed_out || pr.signal) ? std::nullopt : read_json(result_json);
        if (result && result->is_object() && result->contains("status")) {
          status = result->value("status", "failed");
          reason = result->value("reason", "");
          metrics = result->value("metrics", json::object());
          notes = result->value("notes", json::array());
          tools = result->value("tools", json::object());
          if (status != "ok" && status != "failed") {
            reason = fmt::format("evaluator wrote an unknown status '{}'", status);
            status = "failed";
          }
          if (status == "failed" && reason.empty()) reason = "evaluator reported failure";
        } else {
          reason = pr.describe(timeout);
          if (!pr.timed_out && pr.signal == 0 && pr.exit_code == 0)
            reason = "evaluator exited 0 without a readable result.json";
          const std::string tail = last_line(log);
          if (!tail.empty() && !pr.timed_out) reason += ": " + tail;
        }
        const json record = make_record(p, status, reason, metrics, notes, tools, pr.wall_seconds);
        store.append(record);
        std::lock_guard<std::mutex> lock(mu);
        in_flight.erase(p.id);
        end_build_stage(p.id, std::chrono::steady_clock::now());
        prog.building.erase(p.id);
        prog.rest_s.push_back(std::max(0.0, pr.wall_seconds - build_time[p.id].seconds));
        build_time.erase(p.id);
        ++sum.ran;
        ++prog.ran;
        ++prog.done;
        if (status == "ok") {
          ++sum.ok;
        } else {
          ++sum.failed;
          ++prog.failed;
        }
        prog.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        prog.record = &record;
        snapshot_running();
        if (opt.progress) opt.progress(prog);
        prog.record = nullptr;
      } catch (...) {
        // Infrastructure errors (disk full, cannot fork) stop the sweep.
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        next.store(todo.size());
        return;
      }
    }
  };
  const int n = std::min<int>(opt.jobs, static_cast<int>(std::max<std::size_t>(todo.size(), 1)));
  std::vector<std::thread> pool;
  for (int t = 0; t < n; ++t) pool.emplace_back(worker);
  // Progress of the points in flight, once a second, until the pool is done.
  std::condition_variable stop_cv;
  bool stop = false;
  std::thread ticker;
  if (opt.progress)
    ticker = std::thread([&] {
      std::unique_lock<std::mutex> lock(mu);
      while (!stop_cv.wait_for(lock, std::chrono::seconds(1), [&] { return stop; })) {
        if (in_flight.empty()) continue;
        snapshot_running();
        prog.tick = true;
        prog.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        opt.progress(prog);
        prog.tick = false;
      }
    });
  for (auto& t : pool) t.join();
  if (ticker.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    stop_cv.notify_all();
    ticker.join();
  }
  if (error) std::rethrow_exception(error);
  sum.build_s = prog.build_s;
  sum.rest_s = prog.rest_s;
  return sum;
}

std::optional<double> estimate_remaining_s(const Progress& p, int jobs) {
  if (p.ran >= p.to_run) return 0.0;
  const auto mean = [](const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m += x;
    return v.empty() ? 0.0 : m / static_cast<double>(v.size());
  };
  const std::optional<double> rest = !p.rest_s.empty() ? std::optional(mean(p.rest_s)) : p.prior_rest_s;
  const std::optional<double> build = !p.build_s.empty() ? std::optional(mean(p.build_s)) : p.prior_build_s;
  if (!rest) return std::nullopt;
  const bool builds_ahead = p.builds_queued > 0 || !p.building.empty();
  if (builds_ahead && !build) return std::nullopt;
  double left = 0;
  for (const auto& r : p.running) {
    // A running point past its expected time counts as about to finish.
    const double expected = *rest + (p.building.contains(r.id) ? build.value_or(0) : 0.0);
    left += std::max(0.0, expected - r.elapsed_s);
  }
  const std::size_t not_started = p.to_run - p.ran - std::min(p.to_run - p.ran, p.running.size());
  left += static_cast<double>(not_started) * *rest + static_cast<double>(p.builds_queued) * build.value_or(0);
  return left / std::max(1, jobs);
}

}  // namespace llamaf::dse
