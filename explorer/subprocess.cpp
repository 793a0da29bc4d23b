// fork/exec with a log file, a timeout and a process group.
#include "explorer/subprocess.h"

#include "sim/model/error.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace llamaf::dse {

std::string ProcessResult::describe(double timeout_s) const {
  if (timed_out) return fmt::format("timed out after {} s (killed)", timeout_s);
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  std::string p(path);
  std::size_t start = 0;
  while (start <= p.size()) {
    const std::size_t colon = p.find(':', start);
    const std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const std::filesystem::path cand = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(cand.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(cand)) return cand;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                          double timeout_s) {
  if (argv.empty()) throw Error("run_process: empty command line");
  std::string exe = argv[0];
  if (exe.find('/') == std::string::npos) {
    auto found = find_program(exe);
    if (found) exe = found->string();
  }
  // Everything the child touches is prepared before fork (only
  // async-signal-safe calls are allowed between fork and exec).
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const std::string log_path = log.empty() ? std::string("/dev/null") : log.string();
  const std::string exec_fail = fmt::format("llamaf: cannot execute {}\n", exe);
  const pid_t parent = ::getpid();

  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw_error("cannot start {}: fork failed: {}", argv[0], std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // parent already gone
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execv(exe.c_str(), cargv.data());
    const ssize_t w = ::write(2, exec_fail.data(), exec_fail.size());
    (void)w;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent: no race with the kill below

  ProcessResult r;
  int status = 0;
  auto sleep = std::chrono::milliseconds(2);
  while (true) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) throw_error("waitpid failed: {}", std::strerror(errno));
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (timeout_s > 0 && elapsed > timeout_s) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(sleep);
    if (sleep < std::chrono::milliseconds(50)) sleep *= 2;
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.timed_out) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  }
  return r;
}

std::string last_line(const std::filesystem::path& file, std::size_t max_chars) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) last = line;
  }
  if (last.size() > max_chars) last = last.substr(0, max_chars) + "...";
  return last;
}

}  // namespace llamaf::dse
