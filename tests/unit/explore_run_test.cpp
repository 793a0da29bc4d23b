// Explorer runs through real subprocesses: the llamaf point protocol, a
// failing / crashing / hanging point isolated from the rest, a run killed
// with SIGKILL and resumed without redoing finished points, shards merged,
// byte-identical results.csv across runs; fidelity auto from the screen to
// the report, sharing its results with an rtl run.
#include "explorer/report.h"
#include "explorer/results_store.h"
#include "explorer/runner.h"
#include "explorer/subprocess.h"
#include "explorer/sweep.h"
#include "sim/model/error.h"
#include "tests/support/models.h"

#include "tests/support/files.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace llamaf::dse;

namespace {

using llamaf::test::read_file;

void write(const fs::path& p, const std::string& text) { llamaf::test::write_file(p, text); }

struct TempDir : llamaf::test::TempDir {
  TempDir() : llamaf::test::TempDir("llamaf-explore-run") {}
};

const fs::path kLlamaf = fs::path(LLAMAF_BINARY_DIR) / "llamaf";

const json kTinyModel = {{"dim", 64},    {"hidden_dim", 128}, {"n_layers", 2},
                         {"n_heads", 4}, {"n_kv_heads", 4},   {"vocab_size", 256},
                         {"seq_len", 64}};

// A stand-in evaluator following the point protocol, steered by the point's
// "Mode" parameter: ok (after "Delay" seconds), crash (SIGSEGV), hang, or
// fail (a failed result.json). Every start is logged to $dir/starts.log.
fs::path write_script_evaluator(const fs::path& dir) {
  const fs::path script = dir / "evaluator.sh";
  write(script, "#!/bin/sh\n"
                "# usage: evaluator.sh point POINT.json --out RESULT.json [--cache-dir DIR]\n"
                "p=\"$2\"; out=\"$4\"\n"
                "id=$(sed -n 's/.*\"id\": \"\\([0-9a-f]*\\)\".*/\\1/p' \"$p\" | head -n 1)\n"
                "echo \"$id\" >> \"" + (dir / "starts.log").string() + "\"\n"
                "delay=$(sed -n 's/.*\"Delay\": \\([0-9.]*\\).*/\\1/p' \"$p\" | head -n 1)\n"
                "[ -n \"$delay\" ] && sleep \"$delay\"\n"
                "if grep -q '\"Mode\": \"crash\"' \"$p\"; then kill -SEGV $$; fi\n"
                "if grep -q '\"Mode\": \"hang\"' \"$p\"; then sleep 30; fi\n"
                "if grep -q '\"Mode\": \"fail\"' \"$p\"; then\n"
                "  printf '{\"status\": \"failed\", \"reason\": \"stand-in failure\"}' > \"$out\"; exit 2\n"
                "fi\n"
                "printf '{\"status\": \"ok\", \"metrics\": {\"tokens_per_s\": 1}, \"notes\": [], "
                "\"tools\": {}, \"wall_seconds\": 0}' > \"$out\"\n");
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return script;
}

fs::path write_sweep(const fs::path& dir, const json& params, const std::string& name = "run") {
  const json s = {{"name", name},
                  {"base", {{"model", kTinyModel}, {"design", {{"rtl", {{"ActBits", 8}, {"GroupSize", 64}}}}}}},
                  {"evaluate", {{"accuracy", false}, {"synthesize", false}, {"simulate", false}}},
                  {"parameters", params},
                  {"objectives", json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}}})}};
  const fs::path f = dir / (name + ".json");
  write(f, s.dump(2));
  return f;
}

std::map<std::string, int> count_lines(const fs::path& p) {
  std::map<std::string, int> c;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) ++c[l];
  return c;
}

std::string drop_wallclock_column(const std::string& csv) {
  // wallclock_s is the last column here.
  std::string out;
  std::istringstream in(csv);
  for (std::string l; std::getline(in, l);) out += l.substr(0, l.rfind(',')) + "\n";
  return out;
}

}  // namespace

TEST_CASE("explore: points run through the point protocol, and an invalid point is refused at load",
          "[explore]") {
  REQUIRE(fs::exists(kLlamaf));
  TempDir t;
  // An illegal point is refused before anything runs, naming the point and
  // the rule (9-bit weights: not even the C++ quantizer has them).
  const fs::path bad = write_sweep(
      t.path, json::array({{{"name", "WeightBits"}, {"values", {4, 9, 8}}}}), "bad");
  CHECK_THROWS_WITH(load_sweep(bad), Catch::Contains("point 1") && Catch::Contains("WeightBits = 9") &&
                                         Catch::Contains("2..8"));
  const fs::path sweep = write_sweep(
      t.path, json::array({{{"name", "WeightBits"}, {"values", {4, 8}}}}));
  RunOptions o;
  o.out_dir = t.path / "out";
  o.evaluator = kLlamaf;
  o.cache_dir = t.path / "cache";
  o.jobs = 2;
  const RunSummary s = run_sweep(load_sweep(sweep), o);
  CHECK(s.ran == 2);
  CHECK(s.ok == 2);
  CHECK(s.failed == 0);
  const auto records = load_records(o.out_dir);
  REQUIRE(records.size() == 2);
  // The ok points carry the byte accounting and say what is missing.
  CHECK(records[0]["metrics"]["weight_bytes_per_token"].get<double>() > 0);
  CHECK(records[1]["metrics"]["weight_bytes_per_token"].get<double>() >
        records[0]["metrics"]["weight_bytes_per_token"].get<double>());
  CHECK_FALSE(records[0]["metrics"].contains("tokens_per_s"));
  CHECK(records[0]["notes"].size() >= 2);
  // The protocol files.
  const fs::path pdir = o.out_dir / "points" / records[0]["id"].get<std::string>();
  const json point = json::parse(read_file(pdir / "point.json"));
  CHECK(point["id"] == records[0]["id"]);
  CHECK(point["design"]["rtl"]["WeightBits"] == 4);
  const json result = json::parse(read_file(pdir / "result.json"));
  CHECK(result["status"] == "ok");
  CHECK(result.contains("wall_seconds"));

  // Running again into the same folder without --resume is refused.
  CHECK_THROWS_WITH(run_sweep(load_sweep(sweep), o), Catch::Contains("--resume"));
  // So is a second explorer while one holds the folder.
  const int fd = ::open((o.out_dir / ".lock").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  o.resume = true;
  CHECK_THROWS_WITH(run_sweep(load_sweep(sweep), o), Catch::Contains("another llamaf explore"));
  ::close(fd);
  const RunSummary again = run_sweep(load_sweep(sweep), o);
  CHECK(again.ran == 0);
  CHECK(again.already_done == 2);
}

TEST_CASE("explore: crashes and hangs are recorded with their reason and the sweep goes on",
          "[explore]") {
  TempDir t;
  const fs::path evaluator = write_script_evaluator(t.path);
  const fs::path sweep = write_sweep(
      t.path, json::array({{{"name", "Mode"}, {"set", json::array()},
                            {"values", {"ok", "crash", "hang", "fail"}}}}));
  RunOptions o;
  o.out_dir = t.path / "out";
  o.evaluator = evaluator;
  o.jobs = 4;
  o.timeout_s = 2.0;
  const RunSummary s = run_sweep(load_sweep(sweep), o);
  CHECK(s.ok == 1);
  CHECK(s.failed == 3);
  const auto r = load_records(o.out_dir);
  REQUIRE(r.size() == 4);
  CHECK(r[0]["status"] == "ok");
  CHECK_THAT(r[1]["reason"].get<std::string>(), Catch::Contains("signal 11"));
  CHECK_THAT(r[2]["reason"].get<std::string>(), Catch::Contains("timed out after 2 s"));
  CHECK(r[3]["reason"] == "stand-in failure");
  const ReportSummary rep = write_report(o.out_dir, ReportOptions{""});
  CHECK(rep.failed == 3);
  const std::string md = read_file(o.out_dir / "report.md");
  CHECK(md.find("signal 11") != std::string::npos);
  CHECK(md.find("timed out after 2 s") != std::string::npos);
}

TEST_CASE("explore: a run killed with SIGKILL resumes without redoing finished points",
          "[explore]") {
  TempDir t;
  const fs::path evaluator = write_script_evaluator(t.path);
  const fs::path sweep = write_sweep(
      t.path, json::array({{{"name", "Delay"}, {"set", json::array()}, {"values", {0.3}}},
                           {{"name", "I"}, {"set", json::array()}, {"from", 1}, {"to", 10}}}));
  const fs::path out = t.path / "out";
  const std::vector<std::string> cmd = {kLlamaf.string(), "explore",     sweep.string(),
                                        "--out",          out.string(), "--evaluator",
                                        evaluator.string(), "-j",        "2",
                                        "--no-report"};
  // 10 points of 0.3 s on 2 workers; SIGKILL the explorer once two points
  // are recorded (polling, so a slow machine does not change the test).
  std::vector<char*> argv;
  for (const auto& a : cmd) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t io;
  ::posix_spawn_file_actions_init(&io);
  const std::string first_log = (t.path / "first.log").string();
  ::posix_spawn_file_actions_addopen(&io, 1, first_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::posix_spawn_file_actions_adddup2(&io, 1, 2);
  REQUIRE(::posix_spawn(&pid, argv[0], &io, nullptr, argv.data(), environ) == 0);
  ::posix_spawn_file_actions_destroy(&io);
  std::size_t seen = 0;
  for (int i = 0; i < 3000 && seen < 2; ++i) {
    ::usleep(10 * 1000);
    seen = read_results_file(out / "results.jsonl").records.size();
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const auto after_kill = read_results_file(out / "results.jsonl").records;
  INFO("finished before the kill: " << after_kill.size());
  CHECK(after_kill.size() >= 2);
  CHECK(after_kill.size() < 10);
  // Simulate a kill in the middle of an append as well.
  {
    std::ofstream torn(out / "results.jsonl", std::ios::app | std::ios::binary);
    torn << R"({"id":"0123456789abcdef","sta)";
  }
  // Let the orphaned evaluators of the killed run finish (they die with it,
  // but their `sleep` children may linger a moment).
  ::usleep(400 * 1000);

  auto cmd2 = cmd;
  cmd2.push_back("--resume");
  const ProcessResult second = run_process(cmd2, t.path / "second.log", 60);
  INFO(read_file(t.path / "second.log"));
  REQUIRE(second.exited_ok());
  CHECK_THAT(read_file(t.path / "second.log"), Catch::Contains("torn last record"));

  const ResultsFile f = read_results_file(out / "results.jsonl");
  CHECK_FALSE(f.torn_tail);
  std::map<std::string, int> recorded;
  for (const auto& r : f.records) ++recorded[r["id"].get<std::string>()];
  CHECK(recorded.size() == 10);
  for (const auto& [id, n] : recorded) CHECK(n == 1);  // no point recorded twice
  // Every point finished by the first run started exactly once overall.
  const auto starts = count_lines(t.path / "starts.log");
  for (const auto& r : after_kill) {
    INFO(r["id"]);
    CHECK(starts.at(r["id"].get<std::string>()) == 1);
  }
}

TEST_CASE("explore CLI: shards merge into the unsharded result and results.csv is deterministic",
          "[explore]") {
  TempDir t;
  const fs::path sweep = write_sweep(
      t.path, json::array({{{"name", "WeightBits"}, {"values", {2, 4, 8}}},
                           {{"name", "GroupSize"}, {"from", 32}, {"to", 128}, {"scale", "pow2"}}}));
  auto run = [&](std::vector<std::string> args, const std::string& log) {
    std::vector<std::string> cmd = {kLlamaf.string()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const ProcessResult r = run_process(cmd, t.path / log, 120);
    INFO(read_file(t.path / log));
    REQUIRE(r.exited_ok());
  };
  const std::string cache = (t.path / "cache").string();
  run({"explore", sweep.string(), "--out", (t.path / "whole").string(), "-j", "2", "--cache-dir",
       cache, "--gnuplot", ""},
      "whole.log");
  run({"explore", sweep.string(), "--out", (t.path / "again").string(), "--cache-dir", cache,
       "--gnuplot", ""},
      "again.log");
  run({"explore", sweep.string(), "--out", (t.path / "s1").string(), "--shard", "1/2",
       "--cache-dir", cache, "--no-report"},
      "s1.log");
  run({"explore", sweep.string(), "--out", (t.path / "s2").string(), "--shard", "2/2",
       "--cache-dir", cache, "--no-report"},
      "s2.log");
  run({"merge", (t.path / "s1").string(), (t.path / "s2").string(), "--out",
       (t.path / "merged").string(), "--gnuplot", ""},
      "merge.log");
  const std::string whole = read_file(t.path / "whole" / "results.csv");
  CHECK(std::count(whole.begin(), whole.end(), '\n') == 1 + 9);
  CHECK(drop_wallclock_column(whole) == drop_wallclock_column(read_file(t.path / "again" / "results.csv")));
  CHECK(drop_wallclock_column(whole) == drop_wallclock_column(read_file(t.path / "merged" / "results.csv")));
  const auto s1 = load_records(t.path / "s1"), s2 = load_records(t.path / "s2");
  CHECK(s1.size() + s2.size() == 9);
  // report.md says how its results came about.
  CHECK_THAT(read_file(t.path / "whole" / "report.md"),
             Catch::Contains("Produced by a fresh run of `llamaf explore` (9 points evaluated)"));
  CHECK_THAT(read_file(t.path / "merged" / "report.md"),
             Catch::Contains("Produced by `llamaf merge` of 2 shard folders"));
  run({"explore", sweep.string(), "--out", (t.path / "again").string(), "--cache-dir", cache,
       "--gnuplot", "", "--resume"},
      "resume.log");
  CHECK_THAT(read_file(t.path / "again" / "report.md"),
             Catch::Contains("Produced by a resumed run of `llamaf explore --resume` (0 points "
                             "evaluated now, 9 taken from results.jsonl"));
  // `llamaf report` regenerates the same table from the stored results.
  fs::remove(t.path / "whole" / "results.csv");
  run({"report", (t.path / "whole").string(), "--no-figures"}, "report.log");
  CHECK(read_file(t.path / "whole" / "results.csv") == whole);
  CHECK_THAT(read_file(t.path / "whole" / "report.md"),
             Catch::Contains("Produced by `llamaf report` from results.jsonl (no point was re-run)"));
}

TEST_CASE("llamaf point: accuracy of a quantization on the real checkpoint, cached", "[explore]") {
  const auto ckpt = llamaf::test::model_file("stories260K.bin");
  if (!ckpt) return;
  TempDir t;
  json point = {{"id", "test"},
                {"model", json::parse(read_file(fs::path(LLAMAF_SOURCE_DIR) / "configs" / "models" /
                                                "stories260K.json"))},
                {"design", {{"rtl", {{"WeightBits", 8}, {"ActBits", 8}, {"GroupSize", 64}}}}},
                {"board", nullptr},
                {"energy", nullptr},
                {"evaluate", {{"checkpoint", ckpt->string()}, {"accuracy_tokens", 64}, {"synthesize", false}, {"simulate", false}}},
                {"run", {{"sweep_dir", t.path.string()}}}};
  point["model"].erase("name");
  point["model"].erase("source");
  write(t.path / "point.json", point.dump());
  const std::vector<std::string> cmd = {kLlamaf.string(), "point", (t.path / "point.json").string(),
                                        "--out", (t.path / "result.json").string(), "--cache-dir",
                                        (t.path / "cache").string()};
  const ProcessResult r = run_process(cmd, t.path / "log.txt", 120);
  INFO(read_file(t.path / "log.txt"));
  REQUIRE(r.exited_ok());
  const json res = json::parse(read_file(t.path / "result.json"));
  CHECK(res["status"] == "ok");
  const json m = res["metrics"];
  CHECK(m["accuracy_positions"].get<int>() >= 60);
  CHECK(m["top1_agreement"].get<double>() > 0.9);  // w8a8g64 on stories260K (docs/accuracy.md)
  CHECK(m["mean_kl_nats"].get<double>() < 0.01);
  std::size_t cached = 0;
  for (const auto& e : fs::directory_iterator(t.path / "cache" / "accuracy")) cached += e.is_regular_file();
  CHECK(cached == 1);
  // Second evaluation: same numbers (from the cache).
  REQUIRE(run_process(cmd, t.path / "log2.txt", 120).exited_ok());
  CHECK(json::parse(read_file(t.path / "result.json"))["metrics"] == m);

  // A missing checkpoint fails the point (exit 2) with the reason in result.json.
  point["evaluate"]["checkpoint"] = (t.path / "missing.bin").string();
  write(t.path / "point.json", point.dump());
  const ProcessResult bad = run_process(cmd, t.path / "log3.txt", 120);
  CHECK(bad.exit_code == 2);
  const json fail = json::parse(read_file(t.path / "result.json"));
  CHECK(fail["status"] == "failed");
  CHECK_THAT(fail["reason"].get<std::string>(), Catch::Contains("missing.bin") && Catch::Contains("not found"));
}

TEST_CASE("explore CLI: progress names each running point's stage, and an ETA", "[explore]") {
  TempDir t;
  // An evaluator that goes through two stages (as llamaf point writes them
  // into stage.txt next to result.json) of 1.5 s each.
  const fs::path ev = t.path / "staged.sh";
  write(ev, "#!/bin/sh\nd=$(dirname \"$4\")\necho 'building simulator' > \"$d/stage.txt\"; sleep 1.5\n"
            "echo 'simulating 16 tokens' > \"$d/stage.txt\"; sleep 1.5\n"
            "echo '{\"status\":\"ok\",\"metrics\":{\"tokens_per_s\":1},\"notes\":[],\"tools\":{}}' > \"$4\"\n");
  fs::permissions(ev, fs::perms::owner_all);
  const fs::path sweep =
      write_sweep(t.path, json::array({{{"name", "I"}, {"set", json::array()}, {"from", 1}, {"to", 2}}}));
  const ProcessResult r = run_process({kLlamaf.string(), "explore", sweep.string(), "--out",
                                       (t.path / "out").string(), "--evaluator", ev.string(),
                                       "--no-report"},
                                      t.path / "log.txt", 60);
  const std::string log = read_file(t.path / "log.txt");
  INFO(log);
  REQUIRE(r.exited_ok());
  // Not a terminal: one line per stage change of a running point.
  CHECK_THAT(log, Catch::Contains("I=1: building simulator (point running"));
  CHECK_THAT(log, Catch::Contains("I=1: simulating 16 tokens (point running"));
  CHECK_THAT(log, Catch::Contains("I=2: simulating 16 tokens (point running"));
  // After the first point (about 3 s), the second's ETA is estimated from it.
  CHECK_THAT(log, Catch::Matches("[\\s\\S]*\\[1/2\\] ok [0-9a-f]{16} I=1 \\(ETA [0-9]+s\\)[\\s\\S]*"));
}

TEST_CASE("explore CLI: fidelity auto screens then confirms through the runner and reports the error",
          "[explore]") {
  TempDir t;
  // The confirmation's evaluator: a script answering a fixed throughput (the
  // real one would simulate); the screen is the analytical model itself.
  const fs::path ev = t.path / "fixed.sh";
  write(ev, "#!/bin/sh\necho '{\"status\":\"ok\",\"metrics\":{\"tokens_per_s\":50},\"notes\":[],"
            "\"tools\":{}}' > \"$4\"\n");
  fs::permissions(ev, fs::perms::owner_all);
  const fs::path configs = fs::path(LLAMAF_SOURCE_DIR) / "configs";
  const json s = {
      {"name", "auto_cli"},
      {"base", {{"model", (configs / "models" / "stories15M.json").string()},
                {"design", (configs / "designs" / "embedded.json").string()},
                {"board", (configs / "boards" / "zcu102.json").string()},
                {"energy", (configs / "energy" / "zcu102_16nm.json").string()}}},
      {"evaluate", {{"accuracy", false}, {"synthesize", false}, {"fidelity", "auto"},
                    {"confirm", {{"all", true}, {"max_points", 4}}}}},
      {"parameters", json::array({{{"name", "NumPe"}, {"values", {8, 16, 32}}},
                                  {{"name", "Policy"}, {"set", "evaluate.sim.policy"},
                                   {"values", {"overlapped", "serial"}}}})},
      {"objectives", json::array({{{"metric", "tokens_per_s"}, {"goal", "maximize"}}})}};
  const fs::path sweep = t.path / "auto_cli.json";
  write(sweep, s.dump(2));
  const fs::path out = t.path / "out";
  auto run = [&](std::vector<std::string> args, const std::string& log) {
    std::vector<std::string> cmd = {kLlamaf.string()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const ProcessResult r = run_process(cmd, t.path / log, 300);
    INFO(read_file(t.path / log));
    REQUIRE(r.exited_ok());
    return read_file(t.path / log);
  };
  run({"explore", sweep.string(), "--out", out.string(), "--evaluator", ev.string(), "--gnuplot", ""},
      "auto.log");
  // The screen's outputs, and exactly max_points points confirmed.
  for (const char* f : {"summary.json", "front.jsonl", "cloud.csv"}) CHECK(fs::exists(out / "screen" / f));
  CHECK_FALSE(fs::exists(out / "screen" / "points.csv"));
  const json summary = json::parse(read_file(out / "screen" / "summary.json"));
  CHECK(summary["screened"] == 6);
  CHECK(summary["candidates"] == 6);
  const std::vector<json> records = load_records(out);
  CHECK(records.size() == 4);
  const std::string md = read_file(out / "report.md");
  CHECK_THAT(md, Catch::Contains("## Analytical model") && Catch::Contains("4 confirmed points") &&
                     Catch::Contains("| tokens_per_s | 4 |"));
  // `llamaf report` regenerates the section from the folder alone.
  fs::remove(out / "report.md");
  run({"report", out.string(), "--no-figures"}, "report.log");
  CHECK_THAT(read_file(out / "report.md"), Catch::Contains("4 confirmed points"));
  // The same folder run at fidelity rtl: the confirmed points are already
  // done (same ids), only the other two are evaluated.
  const std::string log = run({"explore", sweep.string(), "--out", out.string(), "--evaluator", ev.string(),
                               "--fidelity", "rtl", "--resume", "--gnuplot", ""},
                              "rtl.log");
  CHECK_THAT(log, Catch::Contains("this run: 2 evaluated") && Catch::Contains("4 were already done"));
  CHECK(load_records(out).size() == 6);
  // --all-points and --list follow the fidelity.
  const ProcessResult bad = run_process({kLlamaf.string(), "explore", sweep.string(), "--out",
                                         (t.path / "x").string(), "--fidelity", "rtl", "--all-points"},
                                        t.path / "bad.log", 60);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(read_file(t.path / "bad.log"), Catch::Contains("--all-points"));
}
