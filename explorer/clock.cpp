// A design point's clock (requested, estimated Fmax, or the lower of the two)
// and its timing metrics.
#include "explorer/clock.h"

#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace llamaf::dse {

namespace {

bool positive(std::optional<double> v) { return v && std::isfinite(*v) && *v > 0; }

}  // namespace

ClockMode clock_mode_from_json(const nlohmann::json& v, const std::string& where) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "requested") return ClockMode::kRequested;
    if (s == "fmax") return ClockMode::kFmax;
    if (s == "min") return ClockMode::kMin;
  }
  throw_error("{}: expected \"requested\" (the design's or board's clock), \"fmax\" (the "
              "estimated Fmax, capped by the board's PL-PS limit) or \"min\" (the lower of the "
              "two), got {}",
              where, v.dump());
}

const char* clock_mode_name(ClockMode m) {
  switch (m) {
    case ClockMode::kRequested: return "requested";
    case ClockMode::kFmax: return "fmax";
    case ClockMode::kMin: return "min";
  }
  return "?";
}

ClockChoice choose_clock(ClockMode mode, std::optional<double> requested_mhz,
                         std::optional<double> fmax_mhz, std::optional<double> board_limit_mhz) {
  const char* name = clock_mode_name(mode);
  if (mode != ClockMode::kFmax && !positive(requested_mhz))
    throw_error("evaluate.clock = \"{}\": no requested clock (design clock_mhz or the board's "
                "fabric.clock_mhz)",
                name);
  if (mode == ClockMode::kRequested) return {*requested_mhz, "requested"};
  if (!positive(fmax_mhz))
    throw_error("evaluate.clock = \"{}\": the point has no Fmax estimate (it comes from "
                "synthesis: evaluate.synthesize must be true and Yosys available)",
                name);
  if (!positive(board_limit_mhz))
    throw_error("evaluate.clock = \"{}\": the board states no PL-PS interface clock limit "
                "(fabric.hp_port_max_clock_mhz) to cap the clock at",
                name);
  // Ties go to the earlier entry: a requested clock equal to Fmax is "requested".
  ClockChoice c{*fmax_mhz, "fmax"};
  if (mode == ClockMode::kMin && *requested_mhz <= c.mhz) c = {*requested_mhz, "requested"};
  if (*board_limit_mhz < c.mhz) c = {*board_limit_mhz, "board_pl_ps_limit"};
  return c;
}

nlohmann::json timing_metrics(double clock_mhz, std::optional<double> fmax_mhz) {
  nlohmann::json m = {{"clock_mhz", clock_mhz}};
  if (!positive(fmax_mhz)) return m;
  m["fmax_mhz"] = *fmax_mhz;
  m["timing_met"] = clock_mhz <= *fmax_mhz;
  // Period minus the critical path's delay (1000/Fmax ns); negative = violated.
  m["timing_slack_ns"] = 1000.0 / clock_mhz - 1000.0 / *fmax_mhz;
  return m;
}

std::optional<double> board_pl_ps_clock_limit_mhz(const nlohmann::json& board) {
  if (!board.is_object()) return std::nullopt;
  const auto f = board.find("fabric");
  if (f == board.end() || !f->is_object()) return std::nullopt;
  const auto v = f->find("hp_port_max_clock_mhz");
  if (v == f->end() || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

}  // namespace llamaf::dse
