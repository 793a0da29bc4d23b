// The one exception type of the project: a single line naming the file, key
// or offset at fault and what was expected. Library code throws it; only the
// CLI prints it.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace llamaf {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// fmt-style convenience: throw_error("{}: expected {}, got {}", path, a, b).
template <typename... Args>
[[noreturn]] void throw_error(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace llamaf
