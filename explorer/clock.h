// The clock a design point is evaluated at, and whether its synthesized
// design meets timing there. Every tokens/s the explorer reports is simulated
// cycles divided by this clock, so it is decided in one place:
//
//   evaluate.clock = "requested" (default): the requested clock, the design's
//                    clock_mhz, else the board's fabric.clock_mhz;
//                    "fmax": the estimated Fmax, capped by the board's PL-PS
//                    interface limit (fabric.hp_port_max_clock_mhz);
//                    "min":  min(requested, estimated Fmax, PL-PS limit), the
//                    requested clock slowed down to what timing allows.
//
// timing_met = clock <= estimated Fmax. Without an Fmax (synthesis off or
// unavailable) timing is unknown: the metric is absent, never "met".
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace llamaf::dse {

enum class ClockMode { kRequested, kFmax, kMin };

// Parses evaluate.clock: "requested", "fmax" or "min". Throws llamaf::Error
// naming `where` and the allowed values.
ClockMode clock_mode_from_json(const nlohmann::json& v, const std::string& where);
const char* clock_mode_name(ClockMode m);

struct ClockChoice {
  double mhz = 0.0;
  // What set the clock: "requested", "fmax" or "board_pl_ps_limit".
  std::string limited_by;
};

// The point's clock for `mode`. Throws llamaf::Error when the mode needs a
// value that is absent (an Fmax for "fmax"/"min", the board limit for
// "fmax"/"min", a requested clock for "requested"/"min"), naming it.
ClockChoice choose_clock(ClockMode mode, std::optional<double> requested_mhz,
                         std::optional<double> fmax_mhz, std::optional<double> board_limit_mhz);

// Timing metrics of a point run at `clock_mhz`:
//   clock_mhz                               always
//   fmax_mhz, timing_met (bool),
//   timing_slack_ns = 1000/clock - 1000/fmax   only with an Fmax
nlohmann::json timing_metrics(double clock_mhz, std::optional<double> fmax_mhz);

// The board's PL-PS interface clock limit in MHz (fabric.hp_port_max_clock_mhz:
// the S_AXI_HP ports' maximum frequency), nullopt when the board states none.
std::optional<double> board_pl_ps_clock_limit_mhz(const nlohmann::json& board);

}  // namespace llamaf::dse
