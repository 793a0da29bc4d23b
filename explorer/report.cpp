// Reports of a sweep output folder, regenerated from the stored sweep and
// results; shard merging.
#include "explorer/report.h"

#include "explorer/pareto.h"
#include "explorer/results_store.h"
#include "explorer/selection.h"
#include "explorer/subprocess.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
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
    "dram_peak_gb_s", "port_peak_gb_s", "roofline_bandwidth_gb_s", "roofline_tokens_per_s"};

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

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
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

std::string md_value(const json& v) {
  if (v.is_null()) return "–";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number()) return fmt::format("{:.4g}", v.get<double>());
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '_': case '%': case '&': case '#': case '$': case '{': case '}':
        out += '\\';
        out += c;
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string gp_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void write_text(const fs::path& p, const std::string& text, ReportSummary& sum,
                const fs::path& dir) {
  write_file_atomic(p, text);
  sum.files.push_back(fs::relative(p, dir).string());
}

struct FigureDef {
  std::string name, title, x, y, xlabel, ylabel;
  bool logx = false, logy = false, diagonal = false;
};

std::vector<FigureDef> standard_figures() {
  return {
      {"tokens_per_s_vs_lut", "Throughput vs LUTs", "lut", "tokens_per_s", "LUTs", "tokens/s"},
      {"tokens_per_s_vs_dsp", "Throughput vs DSPs", "dsp", "tokens_per_s", "DSP48E2", "tokens/s"},
      {"tokens_per_j_vs_accuracy", "Energy efficiency vs accuracy", "top1_agreement",
       "tokens_per_j", "top-1 agreement with float32", "tokens/J"},
      {"bandwidth_achieved_vs_roofline", "Achieved vs roofline bandwidth",
       "roofline_bandwidth_gb_s", "achieved_bandwidth_gb_s", "roofline bandwidth (GB/s)",
       "achieved bandwidth (GB/s)", false, false, true},
      {"accuracy_vs_bits_per_weight", "Accuracy vs stored bits per weight", "bits_per_weight",
       "top1_agreement", "bits per weight (weights + scales + padding)",
       "top-1 agreement with float32"},
  };
}

// Runs one gnuplot script; "" on success, else the reason.
std::string run_gnuplot(const std::string& gnuplot, const fs::path& script) {
  const fs::path log = fs::path(script).replace_extension(".log");
  fs::remove(log);
  const ProcessResult r = run_process({gnuplot, script.string()}, log, 120.0);
  if (r.exited_ok()) {
    fs::remove(log);
    return "";
  }
  return fmt::format("gnuplot {}: {}{}", script.filename().string(), r.describe(120.0),
                     last_line(log).empty() ? "" : ": " + last_line(log));
}

std::string terminals(const fs::path& stem) {
  // Both outputs from one script: PDF for papers, SVG for the web.
  return fmt::format(
      "set terminal pdfcairo noenhanced size 5in,3.5in font \"Sans,9\"\nset output {}\nPLOT\n"
      "set terminal svg noenhanced size 640,450 dynamic font \"Sans,11\"\nset output {}\nPLOT\n",
      gp_quote(stem.string() + ".pdf"), gp_quote(stem.string() + ".svg"));
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

void make_figures(const Sweep& sweep, const std::vector<json>& records, const fs::path& dir,
                  const ReportOptions& opt, ReportSummary& sum) {
  const fs::path fig_dir = fs::absolute(dir / "figures");
  fs::create_directories(fig_dir);
  std::optional<fs::path> gnuplot;
  if (!opt.gnuplot.empty()) gnuplot = find_program(opt.gnuplot);
  if (!gnuplot)
    sum.figure_problems.push_back(
        opt.gnuplot.empty() ? "figures switched off"
                            : fmt::format("'{}' not found on PATH: no PDF/SVG figures were made "
                                          "(their data and gnuplot scripts are in figures/)",
                                          opt.gnuplot));

  std::vector<FigureDef> figs = standard_figures();
  for (const auto& f : sweep.figures)
    figs.push_back({f.name, f.title, f.x, f.y, f.xlabel, f.ylabel, f.logx, f.logy, false});

  for (const auto& f : figs) {
    std::string data = "# " + f.x + "\t" + f.y + "\tid\n";
    std::size_t n = 0;
    bool any_y = false;
    double max_x = 0, max_y = 0;
    for (const auto& r : records) {
      if (r.value("status", "") != "ok") continue;
      const auto x = record_number(r, f.x), y = record_number(r, f.y);
      any_y = any_y || y.has_value();
      if (!x || !y) continue;
      max_x = std::max(max_x, std::fabs(*x));
      max_y = std::max(max_y, std::fabs(*y));
      data += fmt::format("{}\t{}\t{}\n", json(*x).dump(), json(*y).dump(), r.value("id", ""));
      ++n;
    }
    if (n == 0) {
      sum.figure_problems.push_back(
          fmt::format("{}: skipped, no evaluated point has {}{}", f.name, any_y ? f.x : f.y,
                      any_y ? " together with " + f.y : ""));
      continue;
    }
    const fs::path stem = fig_dir / f.name;
    write_text(fs::path(stem.string() + ".dat"), data, sum, dir);
    std::string plot = fmt::format("plot {} using 1:2 with points pt 7 ps 0.7 lc rgb \"#1f77b4\" notitle",
                                   gp_quote(stem.string() + ".dat"));
    if (f.diagonal) plot += ", x with lines dt 2 lc rgb \"#888888\" title \"achieved = roofline\"";
    std::string script = fmt::format(
        "# {} (generated by llamaf report)\nset datafile separator \"\\t\"\nset title {}\n"
        "set xlabel {}\nset ylabel {}\nset grid\nset key top left\n{}{}",
        f.name, gp_quote(f.title), gp_quote(f.xlabel), gp_quote(f.ylabel),
        f.logx ? "set logscale x\n" : "", f.logy ? "set logscale y\n" : "");
    // Large linear axes in k/M/G so tick labels do not collide.
    if (!f.logx && max_x >= 1e4) script += "set format x \"%.0s%c\"\n";
    if (!f.logy && max_y >= 1e4) script += "set format y \"%.0s%c\"\n";
    script += replace_all(terminals(stem), "PLOT", plot);
    write_text(fs::path(stem.string() + ".gp"), script, sum, dir);
    if (gnuplot) {
      const std::string err = run_gnuplot(gnuplot->string(), fs::path(stem.string() + ".gp"));
      if (err.empty()) sum.figures.push_back(f.name);
      else sum.figure_problems.push_back(err);
    }
  }

  // Per-operator latency breakdown: stacked bars of op_latency_us.<op>.
  std::set<std::string> ops;
  for (const auto& r : records) {
    if (r.value("status", "") != "ok") continue;
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    for (const auto& [k, v] : flat.items())
      if (k.rfind("op_latency_us.", 0) == 0) ops.insert(k.substr(14));
  }
  if (ops.empty()) {
    sum.figure_problems.push_back(
        "op_latency_breakdown: skipped, no evaluated point has op_latency_us.* (per-operator "
        "latency comes from the cycle-accurate simulation)");
    return;
  }
  std::string data = "point";
  for (const auto& o : ops) data += "\t" + o;
  data += "\n";
  for (const auto& r : records) {
    if (r.value("status", "") != "ok") continue;
    std::string line = fmt::format("{}", r.value("index", 0));
    bool any = false;
    for (const auto& o : ops) {
      const auto v = record_number(r, "op_latency_us." + o);
      any = any || v.has_value();
      line += "\t" + (v ? json(*v).dump() : std::string("0"));
    }
    if (any) data += line + "\n";
  }
  const fs::path stem = fig_dir / "op_latency_breakdown";
  write_text(fs::path(stem.string() + ".dat"), data, sum, dir);
  const std::string plot = fmt::format(
      "plot for [i=2:{}] {} using i:xtic(1) title columnheader(i)", ops.size() + 1,
      gp_quote(stem.string() + ".dat"));
  std::string script =
      "# op_latency_breakdown (generated by llamaf report)\nset datafile separator \"\\t\"\n"
      "set title \"Per-token latency by operator\"\nset xlabel \"design point (sweep index)\"\n"
      "set ylabel \"latency per token (us)\"\nset style data histograms\n"
      "set style histogram rowstacked\nset style fill solid 0.8 border -1\nset boxwidth 0.75\n"
      "set key outside right\nset grid y\n";
  // Distinct colours for up to 20 operators (matplotlib's tab20).
  const char* colors[] = {"#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
                          "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2",
                          "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"};
  for (int i = 0; i < 20; ++i) script += fmt::format("set linetype {} lc rgb \"{}\"\n", i + 1, colors[i]);
  script += "set linetype cycle 20\n";
  script += replace_all(terminals(stem), "PLOT", plot);
  write_text(fs::path(stem.string() + ".gp"), script, sum, dir);
  if (gnuplot) {
    const std::string err = run_gnuplot(gnuplot->string(), fs::path(stem.string() + ".gp"));
    if (err.empty()) sum.figures.push_back("op_latency_breakdown");
    else sum.figure_problems.push_back(err);
  }
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
  std::stable_sort(r.begin(), r.end(), [](const json& a, const json& b) {
    return a.value("index", std::size_t{0}) < b.value("index", std::size_t{0});
  });
  return r;
}

std::string results_csv(const Sweep& sweep, const std::vector<json>& records) {
  return csv_of(all_columns(sweep, records), records);
}

std::string latex_table(const Sweep& sweep, const std::vector<json>& records) {
  const TableSpec& t = sweep.table;
  std::vector<TableColumn> cols = t.columns;
  if (cols.empty()) {
    for (const auto& p : sweep.params) cols.push_back({p.name, p.name, "", 1.0});
    for (const auto& o : sweep.objectives) cols.push_back({o.metric, o.metric, "{:.4g}", 1.0});
  }
  std::vector<json> rows;
  if (t.rows == "pareto") {
    for (std::size_t i : pareto_front(records, sweep.objectives, sweep.selection).members)
      rows.push_back(records[i]);
  } else {
    for (const auto& r : records)
      if (t.rows == "all" || r.value("status", "") == "ok") rows.push_back(r);
  }
  if (!t.sort_by.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
      const auto x = record_number(a, t.sort_by), y = record_number(b, t.sort_by);
      if (!x || !y) return x.has_value() && !y.has_value();  // missing values last
      return t.descending ? *x > *y : *x < *y;
    });
  }
  // Numeric columns right-aligned.
  std::string align;
  for (const auto& c : cols) {
    bool numeric = true;
    for (const auto& r : rows) {
      const json v = column_value(r, c.key, flatten_metrics(r.value("metrics", json::object())));
      if (!v.is_null() && !v.is_number()) numeric = false;
    }
    align += numeric ? "r" : "l";
  }
  std::string out = "% Generated by llamaf report from results.jsonl; needs \\usepackage{booktabs}.\n";
  out += "\\begin{table}[t]\n  \\centering\n";
  if (!t.caption.empty()) out += "  \\caption{" + latex_escape(t.caption) + "}\n";
  if (!t.label.empty()) out += "  \\label{" + t.label + "}\n";
  out += "  \\begin{tabular}{" + align + "}\n    \\toprule\n    ";
  for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) out += " & ";
      out += cols[i].label;
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
      const json v = column_value(r, cols[i].key, flat);
      std::string cell;
      if (v.is_null()) {
        cell = "--";
      } else if (v.is_number()) {
        const double x = v.get<double>() * cols[i].scale;
        if (!cols[i].format.empty()) cell = fmt::format(fmt::runtime(cols[i].format), x);
        else cell = (v.is_number_integer() && cols[i].scale == 1.0) ? v.dump() : json(x).dump();
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

ReportSummary write_report(const fs::path& dir, const ReportOptions& opt) {
  const Sweep sweep = load_stored_sweep(dir);
  const Expansion e = expand(sweep);
  // As the reports show them: post-evaluation constraints applied.
  const std::vector<json> records = apply_result_constraints(sweep, e.points, load_records(dir));
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
        {"keep_board_misfits", sweep.selection.keep_board_misfits}}},
      {"columns", cols},
      {"wallclock_columns", "every key starting with 'wallclock_' (run-to-run wall-clock times)"},
      {"points", points}};
  write_text(dir / "results.json", results.dump(1) + "\n", sum, dir);
  write_text(dir / "table.tex", latex_table(sweep, records), sum, dir);
  make_figures(sweep, records, dir, opt, sum);

  // report.md
  std::string md = fmt::format("# Sweep `{}`\n\n", sweep.name);
  if (!sweep.description.empty()) md += sweep.description + "\n\n";
  md += fmt::format("Config hash `{}`; shard {}. Generated by `llamaf report` from "
                    "`results.jsonl` (no point was re-run).\n\n",
                    sweep.hash, shard);
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
  if (sum.pending > 0)
    md += fmt::format("{} points have no result yet: re-run `llamaf explore ... --resume` with "
                      "the same --out.\n\n",
                      sum.pending);

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
    md += fmt::format("Over {}: {} of {} evaluated points (pareto.csv).\n\n", used,
                      front.members.size(), sum.ok);
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
        "wall-clock times and differ between runs), `results.json`, `pareto.csv`, `table.tex`, "
        "`figures/`.\n";
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
