// Pareto front of finished points over the sweep's objectives.
#pragma once

#include "explorer/sweep.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace llamaf::dse {

// Metrics with nested objects flattened to dotted keys
// ({"energy_j_per_token": {"host": 1}} -> "energy_j_per_token.host").
nlohmann::json flatten_metrics(const nlohmann::json& metrics);

// A record's numeric value of `key`: a flattened metric, else a parameter
// (booleans are 0/1; strings and absent keys give nullopt).
std::optional<double> record_number(const nlohmann::json& record, const std::string& key);

struct ParetoFront {
  std::vector<std::size_t> members;       // indices into the records given, in input order
  std::vector<Objective> used;            // objectives some candidate record has
  std::vector<std::string> missing;       // objective metrics no candidate record has
};

// Non-dominated candidate records (selection.h: "ok", and fitting the board
// and meeting timing unless `rules` keep such points) over the objectives
// that have data; a record lacking any used objective is not a candidate.
// Equal records are all kept. With rules.pareto_tolerance = eps > 0
// (report.pareto_tolerance), two values within eps x the larger magnitude
// count as equal: a point is also left off when another front point is
// as good within eps in every objective and better by more than eps in one.
ParetoFront pareto_front(const std::vector<nlohmann::json>& records,
                         const std::vector<Objective>& objectives,
                         const SelectionRules& rules = {});

// The candidate record with the best value of `o` (the first of equals),
// nullptr when no candidate has the metric.
const nlohmann::json* best_record(const std::vector<nlohmann::json>& records, const Objective& o,
                                  const SelectionRules& rules = {});

}  // namespace llamaf::dse
