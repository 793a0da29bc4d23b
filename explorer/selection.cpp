// Candidates for the best point and the Pareto front; post-evaluation
// constraints.
#include "explorer/selection.h"

#include "explorer/pareto.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace llamaf::dse {

namespace {

using nlohmann::json;

// Roots of dotted names that read the resolved point, not its results.
const std::set<std::string> kInputRoots = {"design", "board", "model", "energy", "evaluate", "params"};

}  // namespace

bool is_input_name(const std::string& name, const std::vector<ParamSpec>& params) {
  for (const auto& p : params)
    if (p.name == name) return true;
  const std::size_t dot = name.find('.');
  return dot != std::string::npos && kInputRoots.contains(name.substr(0, dot));
}

namespace {

std::string num(double v) { return fmt::format("{:.4g}", v); }

std::optional<ExprValue> metric_value(const json& flat, const std::string& name) {
  const auto it = flat.find(name);
  if (it == flat.end()) return std::nullopt;
  if (it->is_boolean()) return ExprValue::num(it->get<bool>() ? 1 : 0);
  if (it->is_number()) return ExprValue::num(it->get<double>());
  if (it->is_string()) return ExprValue::str(it->get<std::string>());
  return std::nullopt;
}

std::string shown(const json& v) {
  if (v.is_number()) return num(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

bool reads_metrics(const Expr& e, const std::vector<ParamSpec>& params) {
  for (const auto& n : e.names())
    if (!is_input_name(n, params)) return true;
  return false;
}

std::string exclusion_reason(const json& record, const SelectionRules& rules) {
  const std::string status = record.value("status", "");
  if (status != "ok") return "status " + (status.empty() ? std::string("unknown") : status);
  const json& m = record.value("metrics", json::object());
  std::vector<std::string> why;
  if (!rules.keep_timing_failures) {
    const auto t = m.find("timing_met");
    if (t != m.end() && t->is_boolean() && !t->get<bool>()) {
      const json clock = m.value("clock_mhz", json()), fmax = m.value("fmax_mhz", json());
      why.push_back(clock.is_number() && fmax.is_number()
                        ? fmt::format("does not meet timing: clock {} MHz > estimated Fmax {} MHz",
                                      num(clock.get<double>()), num(fmax.get<double>()))
                        : std::string("does not meet timing"));
    }
  }
  if (!rules.keep_board_misfits) {
    const auto f = m.find("fits_board");
    if (f != m.end() && f->is_boolean() && !f->get<bool>()) {
      std::string over;
      for (const char* k : {"lut_util", "ff_util", "dsp_util", "bram36_util"}) {
        const json u = m.value(k, json());
        if (u.is_number() && u.get<double>() > 1.0)
          over += fmt::format("{}{} {}", over.empty() ? "" : ", ", k, num(u.get<double>()));
      }
      why.push_back("does not fit the board" + (over.empty() ? "" : ": " + over));
    }
  }
  std::string out;
  for (const auto& w : why) out += (out.empty() ? "" : "; ") + w;
  return out;
}

std::vector<json> apply_result_constraints(const Sweep& sweep, const std::vector<Point>& points,
                                           std::vector<json> records) {
  std::vector<const Constraint*> after;
  for (const auto& c : sweep.constraints)
    if (c.after_evaluation) after.push_back(&c);
  if (after.empty()) return records;
  std::map<std::string, const Point*> by_id;
  for (const auto& p : points) by_id.emplace(p.id, &p);

  for (auto& r : records) {
    if (r.value("status", "") != "ok") continue;
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    Point fallback;  // a record whose point the expansion no longer has: parameters only
    fallback.params = r.value("params", json::object());
    const auto it = by_id.find(r.value("id", ""));
    const Point& p = it != by_id.end() ? *it->second : fallback;
    auto lookup = [&](const std::string& name) -> std::optional<ExprValue> {
      if (auto v = point_value(p, name)) return v;
      return metric_value(flat, name);
    };
    for (const Constraint* c : after) {
      std::string missing, values;
      for (const auto& n : c->expr.names()) {
        if (is_input_name(n, sweep.params)) continue;
        const auto f = flat.find(n);
        if (f == flat.end()) missing += (missing.empty() ? "" : ", ") + n;
        else values += fmt::format("{}{} = {}", values.empty() ? "" : ", ", n, shown(*f));
      }
      std::string reason;
      if (!missing.empty()) {
        reason = fmt::format("after evaluation: `{}` cannot be checked: the point has no {} "
                             "(see its notes for what was not evaluated)",
                             c->expr.text(), missing);
      } else {
        try {
          if (!c->expr.test(lookup))
            reason = fmt::format("after evaluation: {} ({})", c->reason, values);
        } catch (const Error& e) {
          reason = fmt::format("after evaluation: `{}` cannot be checked: {}", c->expr.text(), e.what());
        }
      }
      if (reason.empty()) continue;
      r["status"] = "infeasible";
      r["reason"] = reason;
      r["constraint_stage"] = "after_evaluation";
      break;
    }
  }
  return records;
}

}  // namespace llamaf::dse
