// Comparing two runs: pairing, metric changes, regressions, outputs.
#include "explorer/compare.h"

#include "explorer/figures.h"
#include "explorer/metrics.h"
#include "explorer/pareto.h"
#include "explorer/point_eval.h"
#include "explorer/report.h"
#include "explorer/results_store.h"
#include "explorer/selection.h"
#include "explorer/subprocess.h"
#include "explorer/text_format.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

namespace llamaf::dse {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::optional<double> as_number(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

// "NumPe=16, WeightBits=4": the pairing key of a point over `names`.
std::string key_of(const json& params, const std::vector<std::string>& names) {
  std::string k;
  for (const auto& n : names) {
    if (!k.empty()) k += ", ";
    k += n + "=" + value_text(params.value(n, json()));
  }
  return k.empty() ? "(the only point)" : k;
}

// "16/4": the values of a pairing key.
std::string values_of(const json& params, const std::vector<std::string>& names) {
  std::string k;
  for (const auto& n : names) {
    if (!k.empty()) k += '/';
    k += value_text(params.value(n, json()));
  }
  return k;
}

CompareRun load_sim_report(const fs::path& path, const json& rep) {
  CompareRun run;
  run.source = path.string();
  run.kind = "sim report";
  const StageOutcome o = sim_report_metrics(rep);
  json metrics = o.metrics;
  metrics["clock_mhz"] = rep.value("clock_mhz", json());
  if (rep.contains("quant")) metrics["quant"] = rep["quant"];
  add_derived_metrics(metrics);
  json params = json::object();
  const json design = rep.value("design", json::object());
  for (const auto& [k, v] : design.items())
    if (k != "name") {
      params[k] = v;
      run.params.push_back(k);
    }
  for (const char* k : {"clock_mhz", "board", "policy"})
    if (rep.contains(k)) {
      params[k] = rep[k];
      run.params.push_back(k);
    }
  if (rep.contains("model") && rep["model"].contains("name")) {
    params["model"] = rep["model"]["name"];
    run.params.push_back("model");
  }
  run.points.push_back({{"id", path.filename().string()},
                        {"params", params},
                        {"metrics", flatten_metrics(metrics)}});
  return run;
}

}  // namespace

CompareRun load_compare_run(const fs::path& path) {
  if (fs::is_directory(path)) {
    if (!fs::exists(path / "sweep.json"))
      throw_error("{}: not a sweep output folder (no sweep.json) nor a sim report file", path.string());
    const Sweep sweep = load_stored_sweep(path);
    CompareRun run;
    run.source = path.string();
    run.kind = "sweep";
    for (const auto& p : sweep.params) run.params.push_back(p.name);
    // A screened sweep (fidelity analytical/auto) is never expanded: its
    // records resolve dotted config paths from their parameters only.
    const std::vector<Point> points =
        sweep.fidelity == Fidelity::kRtl ? expand(sweep).points : std::vector<Point>{};
    for (const json& r : apply_result_constraints(sweep, points, load_records(path))) {
      if (r.value("status", "") != "ok") {
        ++run.not_ok;
        continue;
      }
      run.points.push_back({{"id", r.value("id", "")},
                            {"params", r.value("params", json::object())},
                            {"metrics", flatten_metrics(r.value("metrics", json::object()))}});
    }
    return run;
  }
  std::ifstream in(path);
  if (!in) throw_error("{}: not found (expected a sweep output folder or a `llamaf sim --report` JSON)", path.string());
  json rep;
  try {
    rep = json::parse(in);
  } catch (const json::parse_error& e) {
    throw_error("{}: invalid JSON: {}", path.string(), e.what());
  }
  if (!rep.is_object() || rep.value("schema", "") != "llamaf.sim.report/1")
    throw_error("{}: expected a sweep output folder or a sim report (schema llamaf.sim.report/1)",
                path.string());
  return load_sim_report(path, rep);
}

Comparison compare_runs(const CompareRun& a, const CompareRun& b, double threshold) {
  Comparison c;
  c.threshold = threshold;
  for (const auto& p : a.params)
    if (std::find(b.params.begin(), b.params.end(), p) != b.params.end()) c.key_params.push_back(p);
  // Parameters one run has and the other has not: named in the note; for
  // pairing, the points must then agree on the shared ones only.
  std::vector<std::string> differ;
  for (const auto& p : a.params)
    if (std::find(c.key_params.begin(), c.key_params.end(), p) == c.key_params.end()) differ.push_back(p);
  for (const auto& p : b.params)
    if (std::find(c.key_params.begin(), c.key_params.end(), p) == c.key_params.end()) differ.push_back(p);

  std::vector<std::pair<const json*, const json*>> pairs;
  std::vector<std::string> keys, values;
  if (a.points.size() == 1 && b.points.size() == 1) {
    // Two single runs (two sim reports, two one-point sweeps): compared
    // whatever their parameters; the differing ones are named.
    std::vector<std::string> diff;
    const json& pa = a.points[0]["params"];
    const json& pb = b.points[0]["params"];
    for (const auto& p : c.key_params)
      if (pa.value(p, json()) != pb.value(p, json()))
        diff.push_back(fmt::format("{} {} -> {}", p, value_text(pa.value(p, json())),
                                   value_text(pb.value(p, json()))));
    for (const auto& p : differ) diff.push_back(p + " (in one run only)");
    pairs.emplace_back(&a.points[0], &b.points[0]);
    keys.push_back("A vs B");
    values.push_back("A vs B");
    if (diff.empty()) {
      c.note = "one point each, with the same parameters";
    } else {
      c.note = "one point each, paired although their parameters differ: ";
      for (std::size_t i = 0; i < diff.size(); ++i) c.note += (i ? ", " : "") + diff[i];
    }
  } else {
    if (!differ.empty()) {
      c.note = "paired by the parameters both runs have; not compared: ";
      for (std::size_t i = 0; i < differ.size(); ++i) c.note += (i ? ", " : "") + differ[i];
    }
    std::map<std::string, const json*> in_b;
    for (const auto& p : b.points) {
      const std::string k = key_of(p["params"], c.key_params);
      if (!in_b.emplace(k, &p).second)
        throw_error("{}: two points share the parameters {} (the runs cannot be paired by them)",
                    b.source, k);
    }
    std::set<std::string> seen;
    for (const auto& p : a.points) {
      const std::string k = key_of(p["params"], c.key_params);
      if (!seen.insert(k).second)
        throw_error("{}: two points share the parameters {} (the runs cannot be paired by them)",
                    a.source, k);
      const auto it = in_b.find(k);
      if (it == in_b.end()) {
        c.only_a.push_back(k);
        continue;
      }
      pairs.emplace_back(&p, it->second);
      keys.push_back(k);
      values.push_back(values_of(p["params"], c.key_params));
      in_b.erase(it);
    }
    for (const auto& p : b.points) {
      const std::string k = key_of(p["params"], c.key_params);
      if (in_b.contains(k)) c.only_b.push_back(k);
    }
  }
  c.paired = pairs.size();

  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const json& ma = (*pairs[i].first)["metrics"];
    const json& mb = (*pairs[i].second)["metrics"];
    std::set<std::string> names;
    for (const auto& [k, v] : ma.items()) names.insert(k);
    for (const auto& [k, v] : mb.items()) names.insert(k);
    // Registry order first (a reader's order), then the rest alphabetically.
    std::vector<std::string> order;
    for (const MetricDef& d : metric_defs())
      for (auto it = names.begin(); it != names.end();) {
        if (find_metric(*it) == &d) {
          order.push_back(*it);
          it = names.erase(it);
        } else {
          ++it;
        }
      }
    order.insert(order.end(), names.begin(), names.end());
    for (const auto& m : order) {
      MetricChange ch;
      ch.point = keys[i];
      ch.values = values[i].empty() ? keys[i] : values[i];
      ch.metric = m;
      if (const MetricDef* d = find_metric(m)) {
        ch.unit = d->unit;
        ch.better = d->better;
      }
      ch.before = ma.value(m, json());
      ch.after = mb.value(m, json());
      const auto x = as_number(ch.before), y = as_number(ch.after);
      if (x && y) {
        ch.change = *y - *x;
        ch.change_percent = *x != 0 ? 100.0 * ch.change / std::fabs(*x) : 0.0;
        const double worse = ch.better == "higher" ? -ch.change : ch.better == "lower" ? ch.change : 0.0;
        const bool boolean = ch.before.is_boolean() || ch.after.is_boolean();
        ch.regression = worse > 0 && (boolean || (*x != 0 ? worse / std::fabs(*x) > threshold : true));
      }
      c.regressions += ch.regression ? 1 : 0;
      c.changes.push_back(ch);
    }
  }
  return c;
}

namespace {

std::string cell(const json& v) { return v.is_null() ? "–" : md_value(round_floats(v)); }

std::string change_text(const MetricChange& ch) {
  if (!as_number(ch.before) || !as_number(ch.after)) return ch.before == ch.after ? "" : "changed";
  if (ch.change == 0) return "";
  const std::string d = md_value(json(round_significant(ch.change, 4)));
  const std::string sign = ch.change > 0 ? "+" : "";
  return ch.before.is_boolean() || ch.change_percent == 0
             ? sign + d
             : fmt::format("{}{} ({}{:.1f} %)", sign, d, ch.change > 0 ? "+" : "", ch.change_percent);
}

bool changed(const MetricChange& ch) { return ch.before != ch.after; }

}  // namespace

std::string comparison_markdown(const CompareRun& a, const CompareRun& b, const Comparison& c) {
  std::string md = "# Comparison\n\n";
  md += fmt::format("- A (before): `{}` ({}, {} evaluated points{})\n", a.source, a.kind, a.points.size(),
                    a.not_ok ? fmt::format(", {} failed or infeasible left out", a.not_ok) : "");
  md += fmt::format("- B (after): `{}` ({}, {} evaluated points{})\n\n", b.source, b.kind, b.points.size(),
                    b.not_ok ? fmt::format(", {} failed or infeasible left out", b.not_ok) : "");
  std::string by;
  if (a.points.size() != 1 || b.points.size() != 1)
    for (const auto& p : c.key_params) by += (by.empty() ? "`" : ", `") + p + "`";
  md += fmt::format("{} points paired{}.", c.paired, by.empty() ? "" : " by " + by);
  if (!c.note.empty()) md += " Note: " + c.note + ".";
  md += "\n\n";
  if (!c.only_a.empty() || !c.only_b.empty()) {
    md += "Unpaired points:\n\n";
    for (const auto& k : c.only_a) md += "- only in A: " + k + "\n";
    for (const auto& k : c.only_b) md += "- only in B: " + k + "\n";
    md += "\n";
  }
  md += fmt::format("## Regressions (worse by more than {} %)\n\n", 100 * c.threshold);
  if (c.regressions == 0) {
    md += "None.\n\n";
  } else {
    md += "| point | metric | A | B | change |\n| --- | --- | --- | --- | --- |\n";
    for (const auto& ch : c.changes)
      if (ch.regression)
        md += fmt::format("| {} | `{}`{} | {} | {} | {} |\n", ch.point, ch.metric,
                          ch.unit.empty() ? "" : " (" + ch.unit + ")", cell(ch.before), cell(ch.after),
                          change_text(ch));
    md += "\n";
  }
  md += "## Every change\n\nPer paired point, the metrics that differ (compare.csv lists every "
        "metric). Direction from docs/metrics.md: ↑ higher is better, ↓ lower is better.\n\n";
  std::string current;
  std::size_t unchanged = 0;
  auto flush = [&] {
    if (!current.empty()) md += fmt::format("\n{} metrics unchanged.\n\n", unchanged);
  };
  for (const auto& ch : c.changes) {
    if (ch.point != current) {
      flush();
      current = ch.point;
      unchanged = 0;
      md += fmt::format("### {}\n\n| metric | unit | A | B | change | |\n| --- | --- | --- | --- | --- | --- |\n",
                        ch.point);
    }
    if (!changed(ch)) {
      ++unchanged;
      continue;
    }
    md += fmt::format("| `{}`{} | {} | {} | {} | {} | {} |\n", ch.metric,
                      ch.better == "higher" ? " ↑" : ch.better == "lower" ? " ↓" : "",
                      ch.unit.empty() ? "–" : ch.unit, cell(ch.before), cell(ch.after), change_text(ch),
                      ch.regression ? "**regression**" : "");
  }
  flush();
  return md;
}

std::string comparison_csv(const Comparison& c) {
  std::string out = "point,metric,unit,better,a,b,change,change_percent,regression\n";
  for (const auto& ch : c.changes) {
    const bool numeric = as_number(ch.before) && as_number(ch.after);
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_text(ch.point), csv_text(ch.metric),
                       csv_text(ch.unit), ch.better, csv_cell(ch.before), csv_cell(ch.after),
                       numeric ? csv_cell(json(ch.change)) : "", numeric ? csv_cell(json(ch.change_percent)) : "",
                       ch.regression ? "true" : "false");
  }
  return out;
}

std::string write_comparison(const fs::path& dir, const CompareRun& a, const CompareRun& b,
                             const Comparison& c, const std::string& metric, const std::string& gnuplot) {
  fs::create_directories(dir / "figures");
  write_file_atomic(dir / "compare.md", comparison_markdown(a, b, c));
  write_file_atomic(dir / "compare.csv", comparison_csv(c));
  // Before/after bars of one metric per paired point.
  std::string data = fmt::format("point\tA (before)\tB (after)\n");
  std::size_t n = 0;
  double max = 0;
  for (const auto& ch : c.changes) {
    if (ch.metric != metric) continue;
    const auto x = as_number(ch.before), y = as_number(ch.after);
    if (!x && !y) continue;
    max = std::max({max, x ? std::fabs(*x) : 0.0, y ? std::fabs(*y) : 0.0});
    data += fmt::format("{}\t{}\t{}\n", ch.values, x ? json(round_significant(*x)).dump() : "NaN",
                        y ? json(round_significant(*y)).dump() : "NaN");
    ++n;
  }
  if (n == 0) return fmt::format("compare figure: no paired point has {}", metric);
  write_file_atomic(dir / "figures" / "compare.dat", data);
  std::string by_names;
  for (const auto& p : c.key_params) by_names += (by_names.empty() ? "" : " / ") + p;
  if (c.paired == 1 && !c.note.empty()) by_names = "";
  std::string script = fmt::format(
      "# compare: {} before (A) and after (B) per paired point (generated by llamaf compare; "
      "regenerate: cd figures && gnuplot compare.gp)\n"
      "set datafile separator \"\\t\"\nset border 3 lw 0.8\nset tics nomirror out scale 0.6\n"
      "set grid noxtics ytics lc rgb \"#dddddd\" lw 0.6\n"
      "set key below horizontal samplen 1.5 font \",7\"\nset style data histograms\n"
      "set style histogram clustered gap 1\nset style fill solid 1.0 border rgb \"#ffffff\"\n"
      "set yrange [0:*]\nset ylabel {}\nset xlabel {}\n{}{}",
      metric, gp_quote(metric_axis_label(metric)), gp_quote(by_names), n > 6 ? "set xtics rotate by 45 right font \",7\"\n" : "",
      max >= 1e4 ? "set format y \"%.0s%c\"\n" : "");
  const std::string plot = fmt::format(
      "plot \"compare.dat\" using 2:xtic(1) title columnheader(2) lc rgb \"{}\", \"compare.dat\" "
      "using 3 title columnheader(3) lc rgb \"{}\"",
      figure_palette()[0], figure_palette()[1]);
  script += figure_outputs("compare", plot, 2.8);
  write_file_atomic(dir / "figures" / "compare.gp", script);
  if (gnuplot.empty()) return "";
  const auto g = find_program(gnuplot);
  if (!g) return fmt::format("'{}' not found on PATH: figures/compare.pdf not made", gnuplot);
  const std::string err = run_gnuplot(g->string(), dir / "figures" / "compare.gp");
  return err;
}

}  // namespace llamaf::dse
