// Pareto dominance over records' metrics.
#include "explorer/pareto.h"

#include "explorer/selection.h"

#include <algorithm>
#include <cmath>

namespace llamaf::dse {

namespace {

void flatten_into(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out) {
  for (const auto& [k, v] : j.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) flatten_into(v, key, out);
    else out[key] = v;
  }
}

std::optional<double> as_number(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

}  // namespace

nlohmann::json flatten_metrics(const nlohmann::json& metrics) {
  nlohmann::json out = nlohmann::json::object();
  if (metrics.is_object()) flatten_into(metrics, "", out);
  return out;
}

std::optional<double> record_number(const nlohmann::json& record, const std::string& key) {
  const nlohmann::json flat = flatten_metrics(record.value("metrics", nlohmann::json::object()));
  if (auto it = flat.find(key); it != flat.end()) return as_number(*it);
  const nlohmann::json& params = record.value("params", nlohmann::json::object());
  if (auto it = params.find(key); it != params.end()) return as_number(*it);
  return std::nullopt;
}

const nlohmann::json* best_record(const std::vector<nlohmann::json>& records, const Objective& o,
                                  const SelectionRules& rules) {
  const nlohmann::json* best = nullptr;
  double bv = 0;
  for (const auto& r : records) {
    if (!is_candidate(r, rules)) continue;
    const auto v = record_number(r, o.metric);
    if (v && (!best || (o.maximize ? *v > bv : *v < bv))) {
      best = &r;
      bv = *v;
    }
  }
  return best;
}

ParetoFront pareto_front(const std::vector<nlohmann::json>& records,
                         const std::vector<Objective>& objectives, const SelectionRules& rules) {
  ParetoFront f;
  auto ok = [&rules](const nlohmann::json& r) { return is_candidate(r, rules); };
  for (const auto& o : objectives) {
    bool any = false;
    for (const auto& r : records) any = any || (ok(r) && record_number(r, o.metric).has_value());
    if (any) f.used.push_back(o);
    else f.missing.push_back(o.metric);
  }
  if (f.used.empty()) return f;
  // Values oriented so that larger is better.
  std::vector<std::size_t> cand;
  std::vector<std::vector<double>> v;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!ok(records[i])) continue;
    std::vector<double> row;
    for (const auto& o : f.used) {
      auto x = record_number(records[i], o.metric);
      if (!x) break;
      row.push_back(o.maximize ? *x : -*x);
    }
    if (row.size() != f.used.size()) continue;
    cand.push_back(i);
    v.push_back(std::move(row));
  }
  // b dominates a: at least as good in every objective and better in one.
  // With a relative tolerance eps, values within eps x max(|a|, |b|) count as
  // equal (epsilon-dominance): a point better only by a negligible margin is
  // dominated by one clearly better elsewhere.
  const double eps = rules.pareto_tolerance;
  auto dominates = [&v, eps](std::size_t b, std::size_t a) {
    bool one_better = false;
    for (std::size_t k = 0; k < v[a].size(); ++k) {
      const double x = v[a][k], y = v[b][k];
      const bool tie = std::fabs(y - x) <= eps * std::max(std::fabs(x), std::fabs(y));
      if (tie) continue;
      if (y < x) return false;
      one_better = true;
    }
    return one_better;
  };
  // Exact front first; then, with a tolerance, members dominated within it
  // are removed one at a time (their dominator stays), so the front is never
  // empty even though tolerant dominance is not transitive.
  std::vector<std::size_t> front;
  for (std::size_t a = 0; a < cand.size(); ++a) {
    bool dominated = false;
    for (std::size_t b = 0; b < cand.size() && !dominated; ++b) {
      if (a == b) continue;
      bool all_ge = true, one_gt = false;
      for (std::size_t k = 0; k < v[a].size(); ++k) {
        if (v[b][k] < v[a][k]) all_ge = false;
        if (v[b][k] > v[a][k]) one_gt = true;
      }
      dominated = all_ge && one_gt;
    }
    if (!dominated) front.push_back(a);
  }
  if (eps > 0) {
    for (bool removed = true; removed;) {
      removed = false;
      for (std::size_t i = 0; i < front.size() && !removed; ++i)
        for (std::size_t j = 0; j < front.size() && !removed; ++j)
          if (i != j && dominates(front[j], front[i])) {
            front.erase(front.begin() + static_cast<std::ptrdiff_t>(i));
            removed = true;
          }
    }
  }
  for (std::size_t a : front) f.members.push_back(cand[a]);
  return f;
}

}  // namespace llamaf::dse
