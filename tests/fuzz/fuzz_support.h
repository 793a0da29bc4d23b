// Shared helpers of the libFuzzer targets: a per-process scratch file for
// readers that take a path, and the rule every target follows: the
// library's documented error (llamaf::Error) is a correct answer to bad
// input; any other exception escapes and libFuzzer reports it as a crash.
#pragma once

#include "sim/model/error.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace llamaf::fuzz {

// A private scratch folder under $TMPDIR (or /tmp) for this process;
// removed at a normal exit (libFuzzer's own exits skip this, so
// run_fuzzers.sh points TMPDIR at a folder it removes).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path d = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
                              ("llamaf-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return d;
  }();
  return dir;
}

// Writes `size` bytes to scratch_dir()/name and returns the path.
inline std::string write_scratch(const std::string& name, const std::uint8_t* data,
                                 std::size_t size) {
  const std::filesystem::path p = scratch_dir() / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) std::abort();  // the harness itself failed: not a finding in the library
  return p.string();
}

// Runs `fn`; llamaf::Error (bad input, clearly reported) is fine. An error
// message must say where: it may not be empty.
template <typename Fn>
void expect_only_errors(Fn&& fn) {
  try {
    fn();
  } catch (const llamaf::Error& e) {
    if (e.what()[0] == '\0') std::abort();
  }
}

}  // namespace llamaf::fuzz
