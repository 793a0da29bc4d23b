// Numeric command-line checks shared by every command (llamaf's subcommands
// and the llamaf-sim-* simulators): readable messages naming the option, the
// value and the accepted range. CLI11's own PositiveNumber/Range print the
// full limits of double ("0.000000 to 1797693134862315...").
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <string>

namespace llamaf::config {

// A number in [lo, hi] (inclusive), or in (lo, hi] with `open_low`.
// `what` describes the range in words ("a positive number of tokens").
inline CLI::Validator number_in(double lo, double hi, const std::string& what,
                                bool open_low = false) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || !std::isfinite(v)) return fmt::format("'{}' is not a number; expected {}", text, what);
        if (v < lo || v > hi || (open_low && v == lo)) return fmt::format("{} is out of range; expected {}", text, what);
        return "";
      },
      what);
}

inline CLI::Validator positive_int(const std::string& what = "an integer >= 1") {
  return number_in(1, 2147483647.0, what);
}
inline CLI::Validator positive_number(const std::string& what = "a number > 0") {
  return number_in(0, 1e300, what, true);
}
inline CLI::Validator non_negative(const std::string& what = "a number >= 0") {
  return number_in(0, 1e300, what);
}

}  // namespace llamaf::config
