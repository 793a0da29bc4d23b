// Running a child process with its output in a log file and a wall-clock
// limit (the explorer's per-point isolation, gnuplot for figures).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace llamaf::dse {

struct ProcessResult {
  int exit_code = -1;       // valid when the child exited normally
  int signal = 0;           // non-zero: killed by this signal
  bool timed_out = false;   // killed by us after the limit
  double wall_seconds = 0;  // wall-clock, for progress only (never a metric)
  bool exited_ok() const { return signal == 0 && !timed_out && exit_code == 0; }
  // "exit code 3", "killed by signal 11 (Segmentation fault)", "timed out after 5 s".
  std::string describe(double timeout_s) const;
};

// Runs argv[0] (a path, or a name looked up in PATH) with stdin from
// /dev/null and stdout+stderr appended to `log` (or discarded when empty).
// The child gets its own process group, killed whole at the timeout
// (timeout_s <= 0: no limit), and dies with the calling thread's process
// (PR_SET_PDEATHSIG), so killing the explorer leaves no stray evaluations.
// Throws llamaf::Error only when the process cannot be created; a child that
// cannot exec exits 127 with the reason in the log.
ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                          double timeout_s);

// The full path of `name` in PATH, if there.
std::optional<std::filesystem::path> find_program(const std::string& name);

// The last non-empty line of a text file (for failure reasons), at most
// `max_chars` long; "" if none.
std::string last_line(const std::filesystem::path& file, std::size_t max_chars = 200);

}  // namespace llamaf::dse
