// Reports of a sweep output folder, regenerated from the stored sweep and
// results; shard merging.
#include "explorer/report.h"

#include "explorer/figures.h"
#include "explorer/metrics.h"
#include "explorer/pareto.h"
#include "explorer/point_eval.h"
#include "explorer/results_store.h"
#include "explorer/screen.h"
#include "explorer/selection.h"
#include "explorer/subprocess.h"
#include "explorer/text_format.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace llamaf::dse {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Metrics in the order a reader looks for them; others follow alphabetically.
const std::vector<std::string> kMetricOrder = {
    "quant", "tokens_per_s", "clock_mhz", "fmax_mhz", "timing_met", "timing_slack_ns",
    "clock_limited_by", "critical_path_ns", "critical_path", "token_latency_ms",
    "cycles_per_token", "achieved_bandwidth_gb_s",
    "lut", "ff", "dsp", "bram36", "bram18", "fits_board", "lut_util", "ff_util", "dsp_util",
    "bram36_util", "j_per_token", "avg_power_w",
    "tokens_per_j", "top1_agreement", "mean_kl_nats", "perplexity_float32",
    "perplexity_quantized", "accuracy_positions", "bits_per_weight", "macs_per_token",
    "weight_bytes_per_token", "scale_bytes_per_token", "image_bytes_per_token",
    "activation_bytes_per_token", "result_bytes_per_token", "float32_bytes_per_token",
    "dram_peak_gb_s", "port_peak_gb_s", "roofline_bandwidth_gb_s", "compute_peak_gmac_s",
    "operational_intensity_macs_per_byte", "roofline_tokens_per_s", "roofline_bound",
    "roofline_percent"};

bool is_wallclock(const std::string& key) { return key.rfind(kWallclockPrefix, 0) == 0; }

std::vector<std::string> metric_columns(const std::vector<json>& records) {
  std::set<std::string> keys;
  for (const auto& r : records) {
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    for (const auto& [k, v] : flat.items()) keys.insert(k);
  }
  std::vector<std::string> cols;
  for (const auto& k : kMetricOrder)
    if (keys.erase(k)) cols.push_back(k);
  for (const auto& k : keys)
    if (!is_wallclock(k)) cols.push_back(k);
  for (const auto& k : keys)
    if (is_wallclock(k)) cols.push_back(k);
  return cols;
}

// The value of a column for a record: id/index/status/reason, a parameter,
// a flattened metric, or a top-level wall-clock field.
json column_value(const json& r, const std::string& key, const json& flat) {
  if (key == "id" || key == "index" || key == "status" || key == "reason" || is_wallclock(key))
    if (r.contains(key)) return r[key];
  if (auto it = flat.find(key); it != flat.end()) return *it;
  const json& params = r.value("params", json::object());
  if (auto it = params.find(key); it != params.end()) return *it;
  return nullptr;
}

std::vector<std::string> all_columns(const Sweep& s, const std::vector<json>& records) {
  std::vector<std::string> cols = {"id", "index", "status", "reason"};
  for (const auto& p : s.params) cols.push_back(p.name);
  std::vector<std::string> wall;
  for (const auto& m : metric_columns(records)) (is_wallclock(m) ? wall : cols).push_back(m);
  cols.push_back("wallclock_s");
  for (const auto& w : wall) cols.push_back(w);
  return cols;
}

std::string csv_of(const std::vector<std::string>& cols, const std::vector<json>& records) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ",";
      out += csv_cell(cols[i]);
    }
  out += "\n";
  for (const auto& r : records) {
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ",";
      out += csv_cell(column_value(r, cols[i], flat));
    }
    out += "\n";
  }
  return out;
}

void write_text(const fs::path& p, const std::string& text, ReportSummary& sum,
                const fs::path& dir) {
  write_file_atomic(p, text);
  sum.files.push_back(fs::relative(p, dir).string());
}

// "NumPe=16, WeightBits=4": a record's parameters in sweep order.
std::string params_md(const Sweep& sweep, const json& r) {
  std::string params;
  for (const auto& p : sweep.params) {
    if (!params.empty()) params += ", ";
    params += p.name + "=" + md_value(r.value("params", json::object()).value(p.name, json()));
  }
  return params;
}

// report.md's "Timing and board fit": the clock rule, how many evaluated
// points meet timing / fit the board / are unknown, and the points kept off
// the best points and the Pareto front, with why.
std::string timing_and_fit_md(const Sweep& sweep, const std::vector<json>& records) {
  std::size_t met = 0, missed = 0, unknown = 0, fits = 0, misfits = 0, fit_unknown = 0;
  std::vector<const json*> evaluated;
  for (const auto& r : records) {
    if (!(r.value("status", "") == "ok" || r.value("constraint_stage", "") == "after_evaluation"))
      continue;
    evaluated.push_back(&r);
    const json& m = r.value("metrics", json::object());
    const json tm = m.value("timing_met", json()), fit = m.value("fits_board", json());
    (tm.is_boolean() ? (tm.get<bool>() ? met : missed) : unknown)++;
    (fit.is_boolean() ? (fit.get<bool>() ? fits : misfits) : fit_unknown)++;
  }
  std::string md = "## Timing and board fit\n\n";
  const std::string mode = sweep.evaluate.value("clock", "requested");
  std::string swept;
  for (const auto& p : sweep.params)
    for (const auto& t : p.targets)
      if (t == "evaluate.clock") swept = p.name;
  if (!swept.empty())
    md += fmt::format("Clock: set per point by the parameter `{}` (`evaluate.clock`: \"requested\" "
                      "= the design's or board's clock, \"fmax\" = the estimated Fmax capped by the "
                      "board's PL-PS limit, \"min\" = the lower of the two).\n\n",
                      swept);
  else if (mode == "fmax")
    md += "Clock (`evaluate.clock` = \"fmax\"): each point runs at its estimated Fmax, capped "
          "by the board's PL-PS interface limit (`fabric.hp_port_max_clock_mhz`).\n\n";
  else if (mode == "min")
    md += "Clock (`evaluate.clock` = \"min\"): each point runs at the lower of its requested "
          "clock, its estimated Fmax and the board's PL-PS interface limit.\n\n";
  else
    md += "Clock (`evaluate.clock` = \"requested\"): each point runs at its design's "
          "`clock_mhz`, else the board's `fabric.clock_mhz`; `timing_met` checks it against the "
          "estimated Fmax.\n\n";
  if (evaluated.empty()) return md + "No evaluated point.\n\n";
  md += fmt::format(
      "| of {} evaluated points | yes | no | unknown |\n| --- | --- | --- | --- |\n"
      "| meet timing (clock <= estimated Fmax) | {} | {} | {} |\n"
      "| fit the board | {} | {} | {} |\n\n",
      evaluated.size(), met, missed, unknown, fits, misfits, fit_unknown);
  if (unknown > 0)
    md += fmt::format("Timing is unknown for {} points: they have no Fmax estimate (synthesis "
                      "off or unavailable, see \"Metrics not available\"), so their clock, and "
                      "every tokens/s derived from it, is not checked.\n\n",
                      unknown);
  const SelectionRules& rules = sweep.selection;
  if (rules.keep_timing_failures)
    md += "`report.keep_timing_failures` is set: points that do not meet timing compete for the "
          "best points and the Pareto front.\n\n";
  if (rules.keep_board_misfits)
    md += "`report.keep_board_misfits` is set: points that do not fit the board compete for the "
          "best points and the Pareto front.\n\n";
  std::string rows;
  for (const json* r : evaluated) {
    if (r->value("status", "") != "ok") continue;  // infeasible: listed with the constraints
    const std::string why = exclusion_reason(*r, rules);
    if (!why.empty())
      rows += fmt::format("| `{}` | {} | {} |\n", (*r)["id"].get<std::string>(),
                          params_md(sweep, *r), md_value(why));
  }
  if (!rows.empty())
    md += "Kept off the best points and the Pareto front:\n\n| point | parameters | reason |\n"
          "| --- | --- | --- |\n" + rows + "\n";
  return md;
}

// "throughput 41.5 tokens/s", "52000 LUTs": a metric value with its label
// and unit.
std::string with_unit(const std::string& key, double v) {
  const MetricDef* d = find_metric(key);
  const std::string text = md_value(json(v));
  if (!d) return text;
  if (d->unit.empty()) return text + " " + d->label;
  return d->label + " " + text + " " + d->unit;
}

// report.md's opening paragraph: per objective (tokens/s when the sweep has
// none), the best point that fits the board and meets timing, with its key
// figures.
std::string best_points_md(const Sweep& sweep, const std::vector<json>& records,
                           const std::vector<Objective>& goals);

// With report.recommend_by, the same list once per value of that parameter
// (in order of first appearance), after the overall one.
std::string recommended_md(const Sweep& sweep, const std::vector<json>& records) {
  std::vector<Objective> goals = sweep.objectives;
  std::string md = "## Recommended design\n\n";
  if (goals.empty()) {
    goals.push_back({"tokens_per_s", true});
    md += "The sweep declares no objectives; by throughput:\n\n";
  } else {
    md += "The best point per objective among the evaluated points that fit the board and meet "
          "timing:\n\n";
  }
  md += best_points_md(sweep, records, goals);
  if (sweep.recommend_by.empty()) return md;
  std::vector<json> values;
  for (const json& r : records) {
    const json& v = r.value("params", json::object()).value(sweep.recommend_by, json());
    if (!v.is_null() && std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  for (const json& v : values) {
    std::vector<json> subset;
    for (const json& r : records)
      if (r.value("params", json::object()).value(sweep.recommend_by, json()) == v) subset.push_back(r);
    md += fmt::format("### {} = {}\n\n", sweep.recommend_by, md_value(v));
    md += best_points_md(sweep, subset, goals);
  }
  return md;
}

// One line per objective: its best point that fits the board and meets timing.
std::string best_points_md(const Sweep& sweep, const std::vector<json>& records,
                           const std::vector<Objective>& goals) {
  std::string md;
  SelectionRules strict;  // whatever the keep_* report settings say
  strict.pareto_tolerance = sweep.selection.pareto_tolerance;
  bool any = false;
  for (const auto& o : goals) {
    const json* best = best_record(records, o, strict);
    if (!best) {
      md += fmt::format("- **{} {}**: no evaluated point that fits the board and meets timing has "
                        "this metric.\n",
                        o.maximize ? "max" : "min", o.metric);
      continue;
    }
    any = true;
    std::string figures;
    for (const char* k : {"tokens_per_s", "token_latency_ms", "clock_mhz", "lut", "dsp", "bram36",
                          "j_per_token", "avg_power_w", "top1_agreement", "bits_per_weight",
                          "roofline_percent"}) {
      if (k == o.metric) continue;
      if (const auto v = record_number(*best, k)) figures += ", " + with_unit(k, *v);
    }
    const json& m = best->value("metrics", json::object());
    std::string caveat;
    if (!m.contains("timing_met")) caveat += " Timing not checked (no Fmax estimate).";
    if (!m.contains("fits_board")) caveat += " Board fit not checked (no synthesis or no board).";
    md += fmt::format("- **{} {}**: `{}` ({}): {}{}.{}\n", o.maximize ? "max" : "min", o.metric,
                      (*best)["id"].get<std::string>(), params_md(sweep, *best),
                      with_unit(o.metric, *record_number(*best, o.metric)),
                      figures, caveat);
  }
  if (!any) md += "\nNo point qualifies: see \"Timing and board fit\" below.\n";
  return md + "\n";
}

}  // namespace

Sweep load_stored_sweep(const fs::path& dir) {
  const fs::path file = dir / "sweep.json";
  std::ifstream in(file);
  if (!in) throw_error("{}: not found (not a sweep output folder?)", file.string());
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw_error("{}: invalid JSON at byte {}: {}", file.string(), e.byte, e.what());
  } catch (const json::exception& e) {  // out_of_range: a number like 1e999
    throw_error("{}: invalid JSON: {}", file.string(), e.what());
  }
  if (!j.is_object() || !j.contains("sweep"))
    throw_error("{}: sweep: expected the stored sweep object", file.string());
  const fs::path source = j.value("source", file.string());
  Sweep s = parse_sweep(j["sweep"], source, source.parent_path());
  if (j.contains("base_sources")) s.base_sources = j["base_sources"];  // paths, not "inline"
  return s;
}

std::vector<json> load_records(const fs::path& dir) {
  std::vector<json> r = latest_records(read_results_file(dir / "results.jsonl").records);
  // Derived metrics recomputed from the stored ones: results of an older
  // llamaf get today's definitions (metrics.h).
  for (json& rec : r)
    if (rec.contains("metrics")) add_derived_metrics(rec["metrics"]);
  std::stable_sort(r.begin(), r.end(), [](const json& a, const json& b) {
    return a.value("index", std::size_t{0}) < b.value("index", std::size_t{0});
  });
  return r;
}

std::string results_csv(const Sweep& sweep, const std::vector<json>& records) {
  return csv_of(all_columns(sweep, records), records);
}

json results_schema(const Sweep& sweep, const std::vector<std::string>& columns) {
  json props = json::object();
  auto typed = [](const std::string& type) {
    return json::array({type, "null"});  // null: the point has no value (empty CSV cell)
  };
  for (const auto& c : columns) {
    json p;
    if (c == "id") p = {{"type", "string"}, {"description", "point id: FNV-1a 64 of the resolved point (16 hex digits)"}};
    else if (c == "index") p = {{"type", "integer"}, {"description", "position in the sweep's cartesian product"}};
    else if (c == "status") p = {{"type", "string"}, {"enum", {"ok", "failed", "infeasible"}}, {"description", "evaluation outcome"}};
    else if (c == "reason") p = {{"type", typed("string")}, {"description", "why a point failed or is infeasible"}};
    else if (c.rfind(kWallclockPrefix, 0) == 0)
      p = {{"type", typed("number")}, {"unit", "s"}, {"description", "wall-clock time (differs between runs; never a metric)"}};
    if (!p.is_null()) {
      p["kind"] = "record";
      props[c] = p;
      continue;
    }
    const ParamSpec* param = nullptr;
    for (const auto& ps : sweep.params)
      if (ps.name == c) param = &ps;
    if (param) {
      std::set<std::string> types;
      for (const auto& v : param->values)
        types.insert(v.is_string() ? "string" : v.is_boolean() ? "boolean" : v.is_number_integer() ? "integer" : "number");
      std::string targets;
      for (const auto& t : param->targets) targets += (targets.empty() ? "" : ", ") + t;
      p = {{"kind", "parameter"},
           {"type", types.size() == 1 ? json(*types.begin()) : json(std::vector<std::string>(types.begin(), types.end()))},
           {"description", targets.empty() ? "free sweep parameter" : "swept parameter, sets " + targets}};
      if (!param->unit.empty()) p["unit"] = param->unit;
    } else if (const MetricDef* d = find_metric(c)) {
      p = {{"kind", "metric"}, {"type", typed(d->type)}, {"unit", d->unit}, {"stage", d->stage},
           {"description", d->definition}};
      if (!d->better.empty()) p["better"] = d->better;
    } else {
      p = {{"kind", "metric"}, {"type", typed("number")}, {"description", "not in the metric registry (docs/metrics.md)"}};
    }
    props[c] = p;
  }
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"title", fmt::format("results.csv row of sweep {}", sweep.name)},
          {"description",
           "One row of results.csv / pareto.csv (and one point of results.json, metrics flattened "
           "with '.'). `unit` is the unit of every value of the column (\"\" = dimensionless; "
           "fractions are 0..1), `kind` says whether it is a record field, a swept parameter or a "
           "metric, `better` which way is better. Floats are written to 6 significant digits; "
           "results.jsonl keeps full precision. Definitions: docs/metrics.md."},
          {"type", "object"},
          {"columns", columns},
          {"properties", props}};
}

namespace {

// A table.tex column: its header (label and unit) and how numbers are written.
struct TexColumn {
  TableColumn spec;
  std::string header;        // LaTeX
  std::string plain_header;  // Markdown
  int decimals = -1;      // fixed decimals of a float column; -1: as given by `format` or integers
  bool numeric = true;
};

// A number in LaTeX text: a real minus sign, "--" for a missing value.
std::string tex_number(const std::string& text) {
  if (!text.empty() && text[0] == '-') return "$-$" + text.substr(1);
  return text;
}

// Decimals that give a float column about 3 significant digits on its
// largest magnitude, the same for every row (aligned on the decimal point
// in a right-aligned column).
int column_decimals(const std::vector<double>& values) {
  double max = 0;
  for (double v : values) max = std::max(max, std::fabs(v));
  if (max == 0) return 0;
  const int digits = static_cast<int>(std::floor(std::log10(max))) + 1;
  return std::clamp(3 - digits, 0, 4);
}

// The rows and columns of report.table, shared by table.tex and the "Table"
// section of report.md: the selected rows (sorted), each column's header and
// number format.
struct TableLayout {
  std::vector<json> rows;
  std::vector<TexColumn> cols;
  std::string rows_note;  // a LaTeX comment when the rows fell back to every point
};

TableLayout table_layout(const Sweep& sweep, const std::vector<json>& records) {
  const TableSpec& t = sweep.table;
  std::vector<TableColumn> specs = t.columns;
  std::vector<json> rows;
  std::string rows_note;
  const ParetoFront front = pareto_front(records, sweep.objectives, sweep.selection);
  // Without objectives (or without data for any) there is no front: the
  // table then shows every evaluated point rather than nothing.
  const bool pareto_rows = t.rows == "pareto" && !front.used.empty();
  if (pareto_rows) {
    for (std::size_t i : front.members) rows.push_back(records[i]);
  } else {
    if (t.rows == "pareto")
      rows_note = "% report.table.rows is \"pareto\" but no objective has data: every evaluated point.\n";
    for (const auto& r : records)
      if (t.rows == "all" || r.value("status", "") == "ok") rows.push_back(r);
  }
  if (specs.empty()) {
    for (const auto& p : sweep.params) specs.push_back({p.name, "", "", "", 1.0});
    std::vector<std::string> metrics;
    for (const auto& o : sweep.objectives) metrics.push_back(o.metric);
    // No objectives: the headline metrics the rows have.
    if (metrics.empty())
      for (const char* k : {"tokens_per_s", "lut", "dsp", "j_per_token", "top1_agreement",
                            "bits_per_weight", "mean_kl_nats"}) {
        bool any = false;
        for (const auto& r : rows) any = any || record_number(r, k).has_value();
        if (any && metrics.size() < 5) metrics.push_back(k);
      }
    for (const auto& m : metrics) specs.push_back({m, "", "", "", 1.0});
  }
  if (!t.sort_by.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
      const auto x = record_number(a, t.sort_by), y = record_number(b, t.sort_by);
      if (!x || !y) return x.has_value() && !y.has_value();  // missing values last
      return t.descending ? *x > *y : *x < *y;
    });
  }
  std::vector<TexColumn> cols;
  for (const auto& c : specs) {
    TexColumn col;
    col.spec = c;
    std::string unit = c.unit;
    const ParamSpec* param = nullptr;
    for (const auto& p : sweep.params)
      if (p.name == c.key) param = &p;
    const MetricDef* def = find_metric(c.key);
    // The registry's unit applies to unscaled values under the default label.
    if (unit.empty() && c.label.empty() && c.scale == 1.0)
      unit = param ? param->unit : def ? def->unit : "";
    std::string label = !c.label.empty() ? c.label
                        : param || !def ? latex_escape(c.key)
                                        : latex_escape(def->label);
    col.header = unit.empty() ? label : label + " (" + latex_unit(unit) + ")";
    std::string unescaped;  // labels are LaTeX header text: "\\%" shows as "%"
    for (std::size_t k = 0; k < c.label.size(); ++k)
      if (!(c.label[k] == '\\' && k + 1 < c.label.size() && c.label[k + 1] == '%')) unescaped += c.label[k];
    const std::string plain = !c.label.empty() ? unescaped : param || !def ? c.key : def->label;
    col.plain_header = unit.empty() ? plain : plain + " (" + unit + ")";
    std::vector<double> floats;
    bool any_float = false;
    for (const auto& r : rows) {
      const json v = column_value(r, c.key, flatten_metrics(r.value("metrics", json::object())));
      if (!v.is_null() && !v.is_number()) col.numeric = false;
      if (v.is_number()) {
        floats.push_back(v.get<double>() * c.scale);
        any_float = any_float || !v.is_number_integer() || c.scale != 1.0;
      }
    }
    if (c.format.empty() && any_float) col.decimals = column_decimals(floats);
    cols.push_back(col);
  }
  return {rows, cols, rows_note};
}

// A number cell in the column's format (scale applied first), plain text.
std::string number_text(const json& v, const TexColumn& col) {
  const TableColumn& c = col.spec;
  const double x = v.get<double>() * c.scale;
  if (!c.format.empty()) return fmt::format(fmt::runtime(c.format), x);
  if (col.decimals >= 0) return fmt::format("{:.{}f}", x, col.decimals);
  return v.dump();
}

// report.table as a Markdown table (the same rows and numbers as table.tex).
std::string markdown_table(const Sweep& sweep, const std::vector<json>& records) {
  const TableLayout l = table_layout(sweep, records);
  std::string out;
  if (!sweep.table.caption.empty()) out += sweep.table.caption + "\n\n";
  out += "|";
  for (const auto& c : l.cols) {
    out += ' ';
    out += md_value(json(c.plain_header));
    out += " |";
  }
  out += "\n|";
  for (const auto& c : l.cols) out += c.numeric ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& r : l.rows) {
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    out += "|";
    for (const auto& c : l.cols) {
      const json v = column_value(r, c.spec.key, flat);
      out += ' ';
      out += v.is_number() ? number_text(v, c) : md_value(v);
      out += " |";
    }
    out += "\n";
  }
  if (l.rows.empty()) out += "\n(no rows: no point matches the table's `rows` selection)\n";
  return out + "\n";
}

}  // namespace

std::string latex_table(const Sweep& sweep, const std::vector<json>& records) {
  const TableSpec& t = sweep.table;
  TableLayout layout = table_layout(sweep, records);
  const std::vector<json>& rows = layout.rows;
  const std::vector<TexColumn>& cols = layout.cols;
  const std::string& rows_note = layout.rows_note;
  std::string align;
  for (const auto& c : cols) align += c.numeric ? "r" : "l";
  std::string out = "% Generated by llamaf report from results.jsonl; needs \\usepackage{booktabs}.\n";
  out += rows_note;
  out += "\\begin{table}[t]\n  \\centering\n";
  if (!t.caption.empty()) out += "  \\caption{" + latex_escape(t.caption) + "}\n";
  if (!t.label.empty()) out += "  \\label{" + t.label + "}\n";
  out += "  \\begin{tabular}{" + align + "}\n    \\toprule\n    ";
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) out += " & ";
    out += cols[i].header;
  }
  out += " \\\\\n    \\midrule\n";
  // Rows whose timing or fit is not established carry a mark on their first
  // cell, explained below the table.
  bool any_timing = false;
  for (const auto& r : rows)
    any_timing = any_timing || r.value("metrics", json::object()).contains("timing_met");
  bool used_dag = false, used_ddag = false, used_unknown = false, any_evaluated = false;
  for (const auto& r : rows) {
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    std::string mark;
    if (r.value("status", "") == "ok" || r.value("constraint_stage", "") == "after_evaluation") {
      any_evaluated = true;
      const json tm = flat.value("timing_met", json()), fit = flat.value("fits_board", json());
      if (tm.is_boolean() && !tm.get<bool>()) {
        mark += "\\dag";
        used_dag = true;
      } else if (!tm.is_boolean() && any_timing) {
        mark += "\\S";
        used_unknown = true;
      }
      if (fit.is_boolean() && !fit.get<bool>()) {
        mark += "\\ddag";
        used_ddag = true;
      }
    }
    out += "    ";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const json v = column_value(r, cols[i].spec.key, flat);
      std::string cell;
      if (v.is_null()) {
        cell = "--";
      } else if (v.is_number()) {
        const TableColumn& c = cols[i].spec;
        const double x = v.get<double>() * c.scale;
        if (!c.format.empty()) cell = fmt::format(fmt::runtime(c.format), x);
        else if (cols[i].decimals >= 0) cell = fmt::format("{:.{}f}", x, cols[i].decimals);
        else cell = v.dump();
        cell = tex_number(cell);
      } else if (v.is_boolean()) {
        cell = v.get<bool>() ? "yes" : "no";
      } else {
        cell = latex_escape(v.is_string() ? v.get<std::string>() : v.dump());
      }
      if (i) out += " & ";
      out += cell;
      if (i == 0 && !mark.empty()) out += "\\textsuperscript{" + mark + "}";
    }
    out += " \\\\\n";
  }
  if (rows.empty())
    out += fmt::format("    \\multicolumn{{{}}}{{c}}{{no evaluated point}} \\\\\n", cols.size());
  out += "    \\bottomrule\n  \\end{tabular}\n";
  std::vector<std::string> notes;
  if (used_dag) notes.push_back("\\textsuperscript{\\dag}does not meet timing (clock above the estimated Fmax)");
  if (used_ddag) notes.push_back("\\textsuperscript{\\ddag}does not fit the board");
  if (used_unknown) notes.push_back("\\textsuperscript{\\S}timing unknown (no Fmax estimate)");
  if (any_evaluated && !any_timing)
    notes.push_back("Timing unknown: no Fmax estimate (synthesis off), the clock is not checked");
  if (!notes.empty()) {
    out += "  \\par\\smallskip{\\footnotesize ";
    for (std::size_t i = 0; i < notes.size(); ++i) out += (i ? "; " : "") + notes[i];
    out += ".}\n";
  }
  out += "\\end{table}\n";
  return out;
}

namespace {

// The records of a folder as the reports use them. Fidelity "rtl": the
// expansion and results.jsonl. "analytical": the screen's front (and the
// points it selected) as records with "fidelity": "analytical" and the
// model's metrics. "auto": results.jsonl (the confirmed points), each with
// its analytical metrics attached ("analytical", "analytical_on_front",
// "analytical_margin"); the expansion is the confirmed points only (a
// screened space is never expanded).
std::vector<json> folder_records(const fs::path& dir, const Sweep& sweep, const StoredScreen& screen,
                                 Expansion& e) {
  if (sweep.fidelity == Fidelity::kRtl) {
    e = expand(sweep);
    return load_records(dir);
  }
  e.combinations = screen.summary.is_object() ? screen.summary.value("combinations", std::size_t{0})
                                              : combination_count(sweep);
  e.filtered_out = screen.summary.is_object() ? screen.summary.value("filtered_out", std::size_t{0}) : 0;
  std::vector<json> records;
  if (sweep.fidelity == Fidelity::kAnalytical) {
    for (const json& f : screen.front) {
      if (!f.value("on_front", false) && !f.value("confirm", false)) continue;
      json r = {{"id", f.value("id", "")},   {"index", f.value("index", std::size_t{0})},
                {"params", f.value("params", json::object())},
                {"status", "ok"},            {"reason", ""},
                {"metrics", f.value("metrics", json::object())},
                {"notes", json::array({"analytical model only (fidelity analytical): not simulated "
                                       "nor synthesized"})},
                {"tools", json::object()},   {"wallclock_s", 0.0},
                {"fidelity", "analytical"},  {"analytical", f.value("metrics", json::object())},
                {"analytical_on_front", f.value("on_front", false)},
                {"analytical_margin", f.value("margin", 0.0)}};
      // The byte accounting and roofline of the point (what `llamaf point
      // --fidelity analytical` adds), for the tables and the roofline.
      try {
        const json bytes = model_byte_metrics(resolve_point(sweep, r["index"].get<std::size_t>()).resolved);
        for (const auto& [k, v] : bytes.items())
          if (!r["metrics"].contains(k)) r["metrics"][k] = v;
      } catch (const Error&) {
        // A point the byte accounting cannot read keeps the model's metrics only.
      }
      add_derived_metrics(r["metrics"]);
      records.push_back(std::move(r));
    }
    return records;
  }
  std::map<std::string, const json*> by_id;
  for (const json& f : screen.front) {
    by_id.emplace(f.value("id", ""), &f);
    if (f.value("confirm", false)) e.points.push_back(resolve_point(sweep, f.value("index", std::size_t{0})));
  }
  records = load_records(dir);
  for (json& r : records)
    if (const auto it = by_id.find(r.value("id", "")); it != by_id.end()) {
      r["analytical"] = it->second->value("metrics", json::object());
      r["analytical_on_front"] = it->second->value("on_front", false);
      r["analytical_margin"] = it->second->value("margin", 0.0);
    }
  return records;
}

}  // namespace

ReportSummary write_report(const fs::path& dir, const ReportOptions& opt) {
  const Sweep sweep = load_stored_sweep(dir);
  const StoredScreen screen = sweep.fidelity == Fidelity::kRtl ? StoredScreen{} : load_screen(dir);
  Expansion e;
  std::vector<json> loaded = folder_records(dir, sweep, screen, e);
  // As the reports show them: post-evaluation constraints applied.
  const std::vector<json> records = apply_result_constraints(sweep, e.points, std::move(loaded));
  ReportSummary sum;
  std::ifstream sj(dir / "sweep.json");
  const json stored = json::parse(sj);
  const std::string shard = stored.value("shard", "1/1");
  // Points of this folder's shard (all of them when merged) without a record.
  const Shard mine = shard == "merged" ? Shard{} : Shard::parse(shard);
  std::set<std::string> have;
  for (const auto& r : records) have.insert(r["id"].get<std::string>());
  sum.points = records.size();
  for (std::size_t i = 0; i < e.points.size(); ++i)
    if (mine.contains(i) && !have.contains(e.points[i].id)) ++sum.pending;
  std::vector<const json*> failed, infeasible, infeasible_after;
  for (const auto& r : records) {
    const std::string st = r.value("status", "");
    if (st == "ok") ++sum.ok;
    else if (st == "infeasible")
      (r.value("constraint_stage", "") == "after_evaluation" ? infeasible_after : infeasible)
          .push_back(&r);
    else failed.push_back(&r);
  }
  sum.failed = failed.size();
  sum.infeasible = infeasible.size() + infeasible_after.size();

  // results.csv / pareto.csv / results.json
  const std::vector<std::string> cols = all_columns(sweep, records);
  write_text(dir / "results.csv", csv_of(cols, records), sum, dir);
  const ParetoFront front = pareto_front(records, sweep.objectives, sweep.selection);
  std::vector<json> front_records;
  for (std::size_t i : front.members) front_records.push_back(records[i]);
  write_text(dir / "pareto.csv", csv_of(cols, front_records), sum, dir);
  json tools = json::object();
  for (const auto& r : records)
    if (r.value("status", "") == "ok" && r.contains("tools")) {
      tools = r["tools"];
      break;
    }
  json objectives = json::array();
  for (const auto& o : sweep.objectives)
    objectives.push_back({{"metric", o.metric}, {"goal", o.maximize ? "maximize" : "minimize"}});
  json points = json::array();
  for (const auto& r : records) points.push_back(r);
  const json results = {
      {"sweep", sweep.name},
      {"description", sweep.description},
      {"config_hash", sweep.hash},
      {"shard", shard},
      {"tools", tools},
      {"seeds", {{"accuracy_sequence_seed", sweep.evaluate.value("sequence_seed", 0)}}},
      {"objectives", objectives},
      {"clock", sweep.evaluate.value("clock", json("requested"))},
      {"selection",
       {{"keep_timing_failures", sweep.selection.keep_timing_failures},
        {"keep_board_misfits", sweep.selection.keep_board_misfits},
        {"pareto_tolerance", sweep.selection.pareto_tolerance}}},
      {"produced_by", opt.produced_by},
      {"schema", "results.schema.json"},
      {"columns", cols},
      {"wallclock_columns", "every key starting with 'wallclock_' (run-to-run wall-clock times)"},
      {"points", points}};
  write_text(dir / "results.json", round_floats(results).dump(1) + "\n", sum, dir);
  write_text(dir / "results.schema.json", results_schema(sweep, cols).dump(1) + "\n", sum, dir);
  write_text(dir / "table.tex", latex_table(sweep, records), sum, dir);
  make_figures(sweep, records, dir, opt, sum);
  if (sweep.fidelity != Fidelity::kRtl) make_cloud_figures(sweep, records, dir, opt, sum);

  // report.md
  std::string md = fmt::format("# Sweep `{}`\n\n", sweep.name);
  if (!sweep.description.empty()) md += sweep.description + "\n\n";
  md += fmt::format("Config hash `{}`; shard {}. Produced by {}.\n\n", sweep.hash, shard,
                    opt.produced_by);
  md += recommended_md(sweep, records);
  md += "## What was swept\n\n| base | source |\n| --- | --- |\n";
  for (const auto& [k, v] : sweep.base_sources.items())
    md += fmt::format("| {} | {} |\n", k, v.is_null() ? "(none)" : md_value(v));
  md += "\n| parameter | sets | values | unit |\n| --- | --- | --- | --- |\n";
  for (const auto& p : sweep.params) {
    std::string targets, values;
    for (const auto& t : p.targets) {
      if (!targets.empty()) targets += ", ";
      targets += ("`" + t + "`");
    }
    for (const auto& v : p.values) {
      if (!values.empty()) values += ", ";
      values += md_value(v);
    }
    md += fmt::format("| {} | {} | {} | {} |\n", p.name, targets.empty() ? "(free)" : targets,
                      values, p.unit.empty() ? "" : p.unit);
  }
  md += "\n";
  for (const auto& f : sweep.filters) md += fmt::format("- filter: `{}`\n", f.text());
  for (const auto& c : sweep.constraints)
    md += fmt::format("- constraint{}: `{}`{}\n",
                      c.after_evaluation ? " (applied after evaluation, to the metrics)" : "",
                      c.expr.text(), c.reason == c.expr.text() ? "" : " (" + c.reason + ")");
  md += fmt::format(
      "\n{} combinations, {} dropped by filters, {} design points.\n\n## Status\n\n"
      "| ok | failed | infeasible | not yet evaluated |\n| --- | --- | --- | --- |\n"
      "| {} | {} | {} | {} |\n\n",
      e.combinations, e.filtered_out, e.points.size(), sum.ok, sum.failed, sum.infeasible,
      sum.pending);
  if (sweep.fidelity == Fidelity::kAnalytical)
    md += "Fidelity `analytical`: the design points above are the analytical screen's Pareto front "
          "and the points it selected near it, with the model's metrics (no simulation, no "
          "synthesis); see \"Analytical model\".\n\n";
  else if (sweep.fidelity == Fidelity::kAuto)
    md += "Fidelity `auto`: the combinations were screened analytically; the design points above "
          "are the ones confirmed cycle-accurately (the analytical front and the points within the "
          "margin of it); see \"Analytical model\".\n\n";
  if (sum.pending > 0)
    md += fmt::format("{} points have no result yet: re-run `llamaf explore ... --resume` with "
                      "the same --out.\n\n",
                      sum.pending);
  if (sweep.fidelity != Fidelity::kRtl) md += analytical_report_md(sweep, screen, records);

  // What could not be computed, from the evaluators' notes.
  std::map<std::string, std::size_t> notes;
  for (const auto& r : records)
    for (const auto& n : r.value("notes", json::array()))
      if (n.is_string()) ++notes[n.get<std::string>()];
  if (!notes.empty()) {
    md += "## Metrics not available\n\n";
    for (const auto& [n, c] : notes) md += fmt::format("- {} ({} points)\n", n, c);
    md += "\n";
  }

  md += timing_and_fit_md(sweep, records);

  md += "## Table\n\n" + markdown_table(sweep, records);

  md += "## Best points\n\n";
  if (sweep.objectives.empty()) md += "The sweep declares no objectives.\n\n";
  else {
    md += "Among the ok points that fit the board and meet timing (see above).\n\n";
    md += "| objective | best | point | parameters |\n| --- | --- | --- | --- |\n";
    for (const auto& o : sweep.objectives) {
      const json* best = best_record(records, o, sweep.selection);
      if (!best) {
        md += fmt::format("| {} {} | – | – | no candidate point has this metric |\n",
                          o.maximize ? "max" : "min", o.metric);
        continue;
      }
      md += fmt::format("| {} {} | {} | `{}` | {} |\n", o.maximize ? "max" : "min", o.metric,
                        md_value(json(*record_number(*best, o.metric))),
                        (*best)["id"].get<std::string>(), params_md(sweep, *best));
    }
    md += "\n";
  }

  md += "## Pareto front\n\n";
  if (!front.missing.empty()) {
    std::string miss;
    for (const auto& m : front.missing) {
      if (!miss.empty()) miss += ", ";
      miss += ("`" + m + "`");
    }
    md += fmt::format("Objectives without data on any point (left out of the front): {}.\n\n", miss);
  }
  if (front.used.empty()) {
    md += "No objective has data: no Pareto front.\n\n";
  } else {
    std::string used;
    for (const auto& o : front.used) {
      if (!used.empty()) used += ", ";
      used += fmt::format("{} `{}`", o.maximize ? "max" : "min", o.metric);
    }
    md += fmt::format("Over {}: {} of {} evaluated points (pareto.csv){}.\n\n", used,
                      front.members.size(), sum.ok,
                      sweep.selection.pareto_tolerance > 0
                          ? fmt::format("; relative tolerance {} (`report.pareto_tolerance`: "
                                        "values within {} % count as equal)",
                                        sweep.selection.pareto_tolerance,
                                        100 * sweep.selection.pareto_tolerance)
                          : "");
    md += "| point |";
    for (const auto& p : sweep.params) md += " " + p.name + " |";
    for (const auto& o : front.used) md += " " + o.metric + " |";
    md += "\n| --- |";
    for (std::size_t i = 0; i < sweep.params.size() + front.used.size(); ++i) md += " --- |";
    md += "\n";
    for (std::size_t i : front.members) {
      const json& r = records[i];
      md += fmt::format("| `{}` |", r["id"].get<std::string>());
      for (const auto& p : sweep.params) md += " " + md_value(r["params"].value(p.name, json())) + " |";
      for (const auto& o : front.used) {
        const auto v = record_number(r, o.metric);
        md += " " + (v ? md_value(json(*v)) : std::string("–")) + " |";
      }
      md += "\n";
    }
    md += "\n";
  }

  md += "## Failed points\n\n";
  if (failed.empty()) md += "None.\n\n";
  else {
    md += "| point | parameters | reason |\n| --- | --- | --- |\n";
    for (const json* r : failed)
      md += fmt::format("| `{}` | {} | {} |\n", (*r)["id"].get<std::string>(), params_md(sweep, *r),
                        md_value((*r).value("reason", "")));
    md += "\n";
  }
  if (!infeasible.empty() || !infeasible_after.empty()) {
    md += "## Infeasible points (constraints)\n\n";
    std::map<std::string, std::size_t> why;
    for (const json* r : infeasible) ++why[r->value("reason", "")];
    for (const auto& [w, c] : why) md += fmt::format("- {} points, not evaluated: {}\n", c, w);
    if (!infeasible_after.empty()) {
      md += fmt::format("\n{} evaluated points violate a constraint applied after evaluation "
                        "(their metrics are in results.csv):\n\n"
                        "| point | parameters | reason |\n| --- | --- | --- |\n",
                        infeasible_after.size());
      for (const json* r : infeasible_after)
        md += fmt::format("| `{}` | {} | {} |\n", (*r)["id"].get<std::string>(),
                          params_md(sweep, *r), md_value(r->value("reason", "")));
    }
    md += "\n";
  }

  md += "## Figures\n\n";
  for (const auto& f : sum.figures)
    md += fmt::format("- [{0}](figures/{0}.svg) ([PDF](figures/{0}.pdf))\n", f);
  for (const auto& p : sum.figure_problems) md += "- " + p + "\n";
  md += "\n## Files\n\n`results.csv` (one row per point; columns starting `wallclock_` are "
        "wall-clock times and differ between runs; floats to 6 significant digits), "
        "`results.schema.json` (every column's type, unit and definition), `results.json`, "
        "`pareto.csv`, `table.tex`, `figures/` (`cd figures && gnuplot NAME.gp` redraws one).\n";
  write_text(dir / "report.md", md, sum, dir);
  return sum;
}

MergeSummary merge_results(const std::vector<fs::path>& inputs, const fs::path& out) {
  if (inputs.empty()) throw Error("merge: no input folders");
  // The output must not be one of the inputs: writing it would destroy the
  // shard results being merged.
  for (const fs::path& in : inputs) {
    std::error_code ec;
    if (fs::exists(out) && fs::equivalent(in, out, ec))
      throw_error("merge: --out {} is the input folder {}; choose a new folder", out.string(),
                  in.string());
  }
  MergeSummary m;
  json first;
  std::string hash;
  std::map<std::string, json> by_id;
  std::vector<std::string> order;
  auto take = [&](const json& r) {
    const std::string id = r.at("id").get<std::string>();
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      by_id.emplace(id, r);
      order.push_back(id);
      return;
    }
    ++m.duplicates;
    if (!(it->second.value("status", "") == "ok" && r.value("status", "") != "ok")) it->second = r;
  };
  std::vector<fs::path> all = inputs;
  if (fs::exists(out / "sweep.json") &&
      std::find(all.begin(), all.end(), out) == all.end())
    all.insert(all.begin(), out);
  for (const auto& dir : all) {
    std::ifstream in(dir / "sweep.json");
    if (!in) throw_error("{}: no sweep.json (not a sweep output folder)", dir.string());
    json s;
    try {
      s = json::parse(in);
    } catch (const json::exception& e) {  // parse_error, out_of_range (1e999)
      throw_error("{}: invalid JSON: {}", (dir / "sweep.json").string(), e.what());
    }
    const std::string h = s.value("hash", "");
    if (hash.empty()) {
      hash = h;
      first = s;
    } else if (h != hash) {
      throw_error("merge: {} holds sweep hash {}, but {} holds {}: only shards of one sweep merge",
                  dir.string(), h, all.front().string(), hash);
    }
    for (const auto& r : read_results_file(dir / "results.jsonl").records) take(r);
    ++m.inputs;
  }
  fs::create_directories(out);
  first["shard"] = "merged";
  write_file_atomic(out / "sweep.json", first.dump(2) + "\n");
  std::vector<json> records;
  for (const auto& id : order) records.push_back(by_id[id]);
  std::stable_sort(records.begin(), records.end(), [](const json& a, const json& b) {
    return a.value("index", std::size_t{0}) < b.value("index", std::size_t{0});
  });
  std::string text;
  for (const auto& r : records) text += r.dump() + "\n";
  write_file_atomic(out / "results.jsonl", text);
  m.records = records.size();
  return m;
}

}  // namespace llamaf::dse
