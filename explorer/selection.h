// Which evaluated points compete for the best point and the Pareto front,
// and the sweep's post-evaluation constraints.
//
// A point that does not fit the board (fits_board = false) or does not meet
// timing (timing_met = false: its clock is above its estimated Fmax) is never
// the best point nor on the Pareto front, unless the sweep's
// report.keep_board_misfits / report.keep_timing_failures keep it. A point
// without an Fmax (synthesis off) has unknown timing: it competes, and the
// reports say its clock was not checked.
//
// A constraint that reads an evaluated metric (`lut_util <= 0.5`,
// `fits_board`, `tokens_per_s > 5`) cannot be decided at expansion: the
// point is evaluated and the constraint is applied to its result. The stored
// record (results.jsonl) keeps what the evaluator answered; the reports show
// a violating point as "infeasible" with the reason "after evaluation: ...",
// its metrics kept. A point lacking a metric the constraint reads is
// infeasible too (it cannot be shown to satisfy it), with that reason.
#pragma once

#include "explorer/sweep.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace llamaf::dse {

// Whether a name in an expression is an input (a parameter or a dotted path
// under design., board., model., energy., evaluate. or params.) rather than
// an evaluated metric.
bool is_input_name(const std::string& name, const std::vector<ParamSpec>& params);

// Whether an expression reads an evaluated metric: one of its names is
// neither a parameter nor a dotted path under design., board., model.,
// energy., evaluate. or params.
bool reads_metrics(const Expr& e, const std::vector<ParamSpec>& params);

// Why a record may not be the best point nor on the Pareto front under
// `rules` ("" = it competes): its status when not "ok"; "does not meet
// timing: clock 200 MHz > estimated Fmax 95.2 MHz"; "does not fit the board:
// lut_util 3.29". Several reasons are joined with "; ".
std::string exclusion_reason(const nlohmann::json& record, const SelectionRules& rules);
inline bool is_candidate(const nlohmann::json& record, const SelectionRules& rules) {
  return exclusion_reason(record, rules).empty();
}

// Records as the reports show them: each "ok" record that violates a
// post-evaluation constraint (or lacks a metric one reads) becomes
// "infeasible", reason "after evaluation: <reason> (<metric> = <value>, ...)",
// with "constraint_stage": "after_evaluation"; its metrics stay. `points`
// (the sweep's expansion) resolves dotted config paths in mixed expressions.
std::vector<nlohmann::json> apply_result_constraints(const Sweep& sweep,
                                                     const std::vector<Point>& points,
                                                     std::vector<nlohmann::json> records);

}  // namespace llamaf::dse
