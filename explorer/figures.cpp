// Sweep figures through gnuplot: scatter plots, the roofline, time breakdowns.
#include "explorer/figures.h"

#include "explorer/metrics.h"
#include "explorer/pareto.h"
#include "explorer/results_store.h"
#include "explorer/screen.h"
#include "explorer/selection.h"
#include "explorer/subprocess.h"
#include "explorer/text_format.h"
#include "sim/model/transformer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace llamaf::dse {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Filled point types and their open counterparts (gnuplot 5 pt numbers):
// circle, square, triangle up, diamond, triangle down, pentagon.
constexpr int kFilled[] = {7, 5, 9, 13, 11, 15};
constexpr int kOpen[] = {6, 4, 8, 12, 10, 14};
constexpr std::size_t kShapes = std::size(kFilled);

int rgb_int(const std::string& hex) { return std::stoi(hex.substr(1), nullptr, 16); }

void write_text(const fs::path& p, const std::string& text, ReportSummary& sum, const fs::path& dir) {
  write_file_atomic(p, text);
  sum.files.push_back(fs::relative(p, dir).string());
}

std::string num(double v) { return json(round_significant(v)).dump(); }

// "NumPe = 8": one parameter value as a legend entry.
std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// An axis label: the figure's own, else the metric's label and unit, else a
// parameter's name and unit.
std::string axis_label(const Sweep& sweep, const std::string& key, const std::string& given) {
  if (!given.empty()) return given;
  for (const auto& p : sweep.params)
    if (p.name == key) return p.unit.empty() ? p.name : fmt::format("{} ({})", p.name, p.unit);
  return metric_axis_label(key);
}

// Which way is better on an axis: the sweep's objective, else the metric's
// registry entry; 0 = neither (a parameter, a property).
int direction(const Sweep& sweep, const std::string& key) {
  for (const auto& o : sweep.objectives)
    if (o.metric == key) return o.maximize ? 1 : -1;
  if (const MetricDef* d = find_metric(key)) {
    if (d->better == "higher") return 1;
    if (d->better == "lower") return -1;
  }
  return 0;
}

std::vector<json> distinct_values(const std::vector<const json*>& records, const std::string& param) {
  std::set<json> s;
  for (const json* r : records) {
    const json& p = r->value("params", json::object());
    if (p.contains(param)) s.insert(p[param]);
  }
  return {s.begin(), s.end()};
}

// Point marking of one figure: colour by one parameter, shape by another.
struct Marking {
  std::string color_by, shape_by;
  std::vector<json> colors, shapes;  // distinct values, sorted

  std::size_t index(const std::vector<json>& vals, const std::string& by, const json& r) const {
    if (by.empty()) return 0;
    const json& v = r.value("params", json::object()).value(by, json());
    const auto it = std::find(vals.begin(), vals.end(), v);
    return it == vals.end() ? 0 : static_cast<std::size_t>(it - vals.begin());
  }
  std::string color(const json& r) const {
    return figure_palette()[index(colors, color_by, r) % figure_palette().size()];
  }
  int shape(const json& r, bool filled) const {
    const std::size_t i = index(shapes, shape_by, r) % kShapes;
    return filled ? kFilled[i] : kOpen[i];
  }
  // Legend entries (empty plots) for the colours and shapes.
  std::string legend() const {
    std::string out;
    for (std::size_t i = 0; i < colors.size() && !color_by.empty(); ++i)
      out += fmt::format(", NaN with points pt 7 ps 0.9 lc rgb \"{}\" title {}",
                         figure_palette()[i % figure_palette().size()],
                         gp_quote(color_by + " = " + value_text(colors[i])));
    for (std::size_t i = 0; i < shapes.size() && !shape_by.empty(); ++i)
      out += fmt::format(", NaN with points pt {} ps 0.9 lc rgb \"#555555\" title {}",
                         kFilled[i % kShapes], gp_quote(shape_by + " = " + value_text(shapes[i])));
    return out;
  }
};

Marking marking(const Sweep& sweep, const std::vector<const json*>& evaluated,
                const std::string& color_by, const std::string& shape_by) {
  std::vector<json> all;
  for (const json* r : evaluated) all.push_back(*r);
  const auto [c, s] = figure_grouping(sweep, all, color_by, shape_by);
  Marking m;
  m.color_by = c;
  m.shape_by = s;
  if (!c.empty()) m.colors = distinct_values(evaluated, c);
  if (!s.empty()) m.shapes = distinct_values(evaluated, s);
  return m;
}

// "8/4": the values of the parameters that vary among `records`, and their
// names "NumPe/WeightBits" (the tick label and axis label of a point).
std::vector<std::string> varying_params(const Sweep& sweep, const std::vector<const json*>& records) {
  std::vector<std::string> out;
  for (const auto& p : sweep.params)
    if (distinct_values(records, p.name).size() > 1) out.push_back(p.name);
  return out;
}

std::string point_key(const std::vector<std::string>& params, const json& r) {
  std::string s;
  for (const auto& p : params) {
    if (!s.empty()) s += '/';
    s += value_text(r.value("params", json::object()).value(p, json()));
  }
  return s.empty() ? r.value("id", "") : s;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

const char* kHeader =
    "set datafile separator \"\\t\"\n"
    "set border lw 0.8\nset grid lc rgb \"#dddddd\" lw 0.6\n"
    "set key below horizontal maxcols 3 samplen 2.5 spacing 0.9 height 1 font \",7\"\n"
    "set tics nomirror out scale 0.6\nset border 3\n";

struct ScatterDef {
  std::string name, title, x, y, xlabel, ylabel;
  bool logx = false, logy = false;
  std::string color_by, shape_by;
};

void render(const fs::path& gp, const std::optional<fs::path>& gnuplot, const std::string& name,
            ReportSummary& sum) {
  if (!gnuplot) return;
  const std::string err = run_gnuplot(gnuplot->string(), gp);
  if (err.empty()) sum.figures.push_back(name);
  else sum.figure_problems.push_back(err);
}

void scatter(const Sweep& sweep, const std::vector<json>& records, const ScatterDef& f,
             const fs::path& fig_dir, const fs::path& dir, const std::optional<fs::path>& gnuplot,
             ReportSummary& sum) {
  std::vector<const json*> evaluated;
  bool any_y = false;
  for (const auto& r : records) {
    if (r.value("status", "") != "ok") continue;
    const auto x = record_number(r, f.x), y = record_number(r, f.y);
    any_y = any_y || y.has_value();
    if (x && y) evaluated.push_back(&r);
  }
  if (evaluated.empty()) {
    sum.figure_problems.push_back(fmt::format("{}: skipped, no evaluated point has {}{}", f.name,
                                              any_y ? f.x : f.y,
                                              any_y ? " together with " + f.y : ""));
    return;
  }
  const Marking m = marking(sweep, evaluated, f.color_by.empty() ? sweep.figure_style.color_by : f.color_by,
                            f.shape_by.empty() ? sweep.figure_style.shape_by : f.shape_by);
  const std::vector<std::string> keyed = varying_params(sweep, evaluated);
  std::string data = fmt::format("# {}\t{}\tpoint_type\trgb\tcandidate\tlabel ({})\n", f.x, f.y,
                                 join(keyed, "/"));
  bool any_off = false;
  double max_x = 0, max_y = 0;
  std::vector<json> cands;
  for (const json* r : evaluated) {
    const double x = *record_number(*r, f.x), y = *record_number(*r, f.y);
    const bool cand = is_candidate(*r, sweep.selection);
    any_off = any_off || !cand;
    if (cand) cands.push_back(*r);
    max_x = std::max(max_x, std::fabs(x));
    max_y = std::max(max_y, std::fabs(y));
    data += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", num(x), num(y), m.shape(*r, cand),
                        rgb_int(m.color(*r)), cand ? 1 : 0, point_key(keyed, *r));
  }
  // Block 1: the Pareto front of the two plotted metrics, sorted by x.
  const int dx = direction(sweep, f.x), dy = direction(sweep, f.y);
  std::string front_note;
  bool front_line = false;
  data += "\n\n# Pareto front\n";
  if (dx != 0 && dy != 0 && !cands.empty()) {
    const ParetoFront pf = pareto_front(cands, {{f.x, dx > 0}, {f.y, dy > 0}}, sweep.selection);
    std::vector<std::pair<double, double>> pts;
    for (std::size_t i : pf.members) pts.emplace_back(*record_number(cands[i], f.x), *record_number(cands[i], f.y));
    std::sort(pts.begin(), pts.end());
    for (const auto& [x, y] : pts) data += fmt::format("{}\t{}\n", num(x), num(y));
    front_line = !pts.empty();
  } else {
    data += fmt::format("NaN\tNaN\n");
  }
  const fs::path stem = fig_dir / f.name;
  write_text(fs::path(stem.string() + ".dat"), data, sum, dir);

  const std::string dat = gp_quote(f.name + ".dat");
  std::string plot = fmt::format("plot {} index 0 using 1:2:3:4 with points pt variable ps 0.8 "
                                 "lc rgb variable notitle",
                                 dat);
  if (front_line)
    plot += fmt::format(", {} index 1 using 1:2 with lines dt 2 lw 1.2 lc rgb \"#000000\" "
                        "title \"Pareto front\"",
                        dat);
  if (sweep.figure_style.labels)
    plot += fmt::format(", {} index 0 using 1:2:6 with labels offset char 0.4,0.4 left "
                        "font \",6\" notitle",
                        dat);
  plot += m.legend();
  if (any_off)
    plot += ", NaN with points pt 6 ps 0.9 lc rgb \"#555555\" title \"open: misses timing/fit\"";
  std::string script = fmt::format(
      "# {}: {} (generated by llamaf report; regenerate: cd figures && gnuplot {}.gp)\n{}"
      "set xlabel {}\nset ylabel {}\n{}{}",
      f.name, f.title, f.name, kHeader, gp_quote(axis_label(sweep, f.x, f.xlabel)),
      gp_quote(axis_label(sweep, f.y, f.ylabel)), f.logx ? "set logscale x\n" : "",
      f.logy ? "set logscale y\n" : "");
  // Large linear axes in k/M/G so tick labels do not collide.
  if (!f.logx && max_x >= 1e4) script += "set format x \"%.0s%c\"\n";
  if (!f.logy && max_y >= 1e4) script += "set format y \"%.0s%c\"\n";
  if (f.logx) script += "set format x \"%g\"\n";
  if (f.logy) script += "set format y \"%g\"\n";
  script += "set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n";
  script += figure_outputs(f.name, plot);
  write_text(fs::path(stem.string() + ".gp"), script, sum, dir);
  render(fs::path(stem.string() + ".gp"), gnuplot, f.name, sum);
}

// Attained performance against operational intensity, with the roofs.
void roofline(const Sweep& sweep, const std::vector<json>& records, const fs::path& fig_dir,
              const fs::path& dir, const std::optional<fs::path>& gnuplot, ReportSummary& sum) {
  const std::string name = "roofline";
  std::vector<const json*> pts;
  for (const auto& r : records) {
    if (r.value("status", "") != "ok") continue;
    if (record_number(r, "operational_intensity_macs_per_byte") && record_number(r, "macs_per_token") &&
        (record_number(r, "tokens_per_s") || record_number(r, "roofline_tokens_per_s")))
      pts.push_back(&r);
  }
  if (pts.empty()) {
    sum.figure_problems.push_back(
        "roofline: skipped, no evaluated point has operational_intensity_macs_per_byte with "
        "tokens_per_s or roofline_tokens_per_s");
    return;
  }
  const Marking m = marking(sweep, pts, sweep.figure_style.color_by, sweep.figure_style.shape_by);
  std::set<double> ddr, port, compute;
  std::map<double, double> ridge_of;  // compute roof -> lowest intensity it is reached at
  double min_i = 1e300, max_i = 0;
  bool any_bound = false;
  std::string data = "# operational_intensity_macs_per_byte\tGMAC/s\tpoint_type\trgb\tsimulated\n";
  for (const json* r : pts) {
    const double i = *record_number(*r, "operational_intensity_macs_per_byte");
    const double macs = *record_number(*r, "macs_per_token");
    const auto tps = record_number(*r, "tokens_per_s");
    const double perf = (tps ? *tps : *record_number(*r, "roofline_tokens_per_s")) * macs / 1e9;
    any_bound = any_bound || !tps;
    min_i = std::min(min_i, i);
    max_i = std::max(max_i, i);
    if (auto v = record_number(*r, "dram_peak_gb_s")) ddr.insert(round_significant(*v));
    if (auto v = record_number(*r, "port_peak_gb_s")) port.insert(round_significant(*v));
    if (auto v = record_number(*r, "compute_peak_gmac_s")) {
      compute.insert(round_significant(*v));
      // The design's compute roof starts where it meets its own memory roof.
      const auto bw = record_number(*r, "roofline_bandwidth_gb_s");
      const double ridge = bw ? *v / *bw : 0;
      auto& at = ridge_of[round_significant(*v)];
      at = at == 0 ? ridge : std::min(at, ridge);
    }
    data += fmt::format("{}\t{}\t{}\t{}\t{}\n", num(i), num(perf), m.shape(*r, tps.has_value()),
                        rgb_int(m.color(*r)), tps ? 1 : 0);
  }
  const fs::path stem = fig_dir / name;
  write_text(fs::path(stem.string() + ".dat"), data, sum, dir);

  // The x range spans the points and the ridge points (where a compute roof
  // meets the lowest memory roof), within two decades of the points.
  double lo = min_i / 4, hi = max_i * 4;
  std::set<double> mem = ddr;
  mem.insert(port.begin(), port.end());
  if (!mem.empty())
    for (double c : compute) {
      const double ridge = c / *mem.begin();
      if (ridge < max_i * 100 && ridge > min_i / 100) {
        lo = std::min(lo, ridge / 2);
        hi = std::max(hi, ridge * 2);
      }
    }
  std::string plot = fmt::format("plot {} using 1:2:3:4 with points pt variable ps 0.8 lc rgb "
                                 "variable notitle",
                                 gp_quote(name + ".dat"));
  for (double b : ddr)
    plot += fmt::format(", {}*x with lines lw 1.2 lc rgb \"#000000\" title {}", b,
                        gp_quote(fmt::format("DDR peak {} GB/s", num(b))));
  for (double b : port)
    plot += fmt::format(", {}*x with lines dt 2 lw 1.2 lc rgb \"#000000\" title {}", b,
                        gp_quote(fmt::format("PL-PS ports {} GB/s", num(b))));
  std::string labels;
  for (double c : compute) {
    plot += fmt::format(", (x >= {} ? {} : 1/0) with lines dt 3 lw 1.2 lc rgb \"{}\" notitle",
                        ridge_of[c], c, kFigureGrey);
    labels += fmt::format("set label {} at graph 0.99, first {} right offset 0,0.5 font \",7\" "
                          "tc rgb \"#555555\"\n",
                          gp_quote(fmt::format("compute {} GMAC/s", num(c))), c);
  }
  if (!compute.empty())
    plot += fmt::format(", NaN with lines dt 3 lw 1.2 lc rgb \"{}\" title \"compute roofs\"", kFigureGrey);
  plot += m.legend();
  if (any_bound)
    plot += ", NaN with points pt 6 ps 0.9 lc rgb \"#555555\" title \"open: not simulated (bound)\"";
  std::string script = fmt::format(
      "# roofline: attained MAC rate against operational intensity (generated by llamaf report; "
      "regenerate: cd figures && gnuplot roofline.gp)\n"
      "# points: tokens_per_s x macs_per_token (simulated), else roofline_tokens_per_s x "
      "macs_per_token\n{}"
      "set logscale xy\nset format xy \"%g\"\nset samples 1000\nset xrange [{}:{}]\nset xlabel \"operational intensity (MAC/B)\"\n"
      "set ylabel \"attained performance (GMAC/s)\"\n{}",
      kHeader, num(lo), num(hi), labels);
  script += figure_outputs(name, plot, 3.0);
  write_text(fs::path(stem.string() + ".gp"), script, sum, dir);
  render(fs::path(stem.string() + ".gp"), gnuplot, name, sum);
}

// Per-token time by operator, stacked, in ms, keyed by the varying parameters.
void time_breakdown(const Sweep& sweep, const std::vector<json>& records, const fs::path& fig_dir,
                    const fs::path& dir, const std::optional<fs::path>& gnuplot, ReportSummary& sum) {
  const std::string name = "time_breakdown";
  const std::string prefix = "op_latency_us.";
  std::map<std::string, double> total;  // op -> summed us over points
  std::vector<const json*> pts;
  for (const auto& r : records) {
    if (r.value("status", "") != "ok") continue;
    const json flat = flatten_metrics(r.value("metrics", json::object()));
    bool any = false;
    for (const auto& [k, v] : flat.items())
      if (k.rfind(prefix, 0) == 0 && v.is_number()) {
        total[k.substr(prefix.size())] += v.get<double>();
        any = true;
      }
    if (any) pts.push_back(&r);
  }
  if (pts.empty()) {
    sum.figure_problems.push_back(
        "time_breakdown: skipped, no evaluated point has op_latency_us.* (per-operator "
        "latency comes from the cycle-accurate simulation)");
    return;
  }
  // At most 8 colours: the accelerator's matrix-vector jobs (qkv, o_proj,
  // ...) each keep one, then the largest host operators up to 7 in all; the
  // remaining host operators are one grey "other host ops" bar.
  std::set<std::string> matvec;
  for (auto g : {model::MatvecGroup::Qkv, model::MatvecGroup::Out, model::MatvecGroup::GateUp,
                 model::MatvecGroup::Down, model::MatvecGroup::Classifier})
    matvec.insert(model::matvec_group_name(g));
  std::vector<std::pair<double, std::string>> by_size;
  for (const auto& [op, t] : total) by_size.emplace_back(-t, op);
  std::stable_sort(by_size.begin(), by_size.end(), [&matvec](const auto& a, const auto& b) {
    const bool ma = matvec.contains(a.second), mb = matvec.contains(b.second);
    if (ma != mb) return ma;  // accelerator jobs first
    return a.first < b.first;
  });
  const std::size_t kept = by_size.size() <= 8 ? by_size.size() : 7;
  std::vector<std::string> ops;
  for (std::size_t i = 0; i < kept; ++i) ops.push_back(by_size[i].second);
  const bool other = kept < by_size.size();
  const std::vector<std::string> keyed = varying_params(sweep, pts);
  std::string data = "point";
  for (const auto& o : ops) data += "\t" + o;
  if (other) data += "\tother host ops";
  data += "\n";
  for (const json* r : pts) {
    const json flat = flatten_metrics(r->value("metrics", json::object()));
    data += point_key(keyed, *r);
    double rest = 0;
    for (const auto& [k, v] : flat.items())
      if (k.rfind(prefix, 0) == 0 && v.is_number() &&
          std::find(ops.begin(), ops.end(), k.substr(prefix.size())) == ops.end())
        rest += v.get<double>();
    for (const auto& o : ops) {
      const auto it = flat.find(prefix + o);
      data += '\t';
      data += num(it != flat.end() && it->is_number() ? it->get<double>() / 1e3 : 0.0);
    }
    if (other) {
      data += '\t';
      data += num(rest / 1e3);
    }
    data += "\n";
  }
  const fs::path stem = fig_dir / name;
  write_text(fs::path(stem.string() + ".dat"), data, sum, dir);
  std::string plot = "plot";
  const std::size_t columns = ops.size() + (other ? 1 : 0);
  for (std::size_t i = 0; i < columns; ++i)
    plot += fmt::format("{} {} using {}{} title columnheader({}) lc rgb \"{}\"", i ? "," : "",
                        gp_quote(name + ".dat"), i + 2, i == 0 ? ":xtic(1)" : "", i + 2,
                        i < ops.size() ? figure_palette()[i] : kFigureGrey);
  std::string script = fmt::format(
      "# time_breakdown: simulated time per token by operator, ms (generated by llamaf report; "
      "regenerate: cd figures && gnuplot time_breakdown.gp)\n{}"
      "set style data histograms\nset style histogram rowstacked\n"
      "set style fill solid 1.0 border rgb \"#ffffff\"\nset boxwidth 0.75\nset grid noxtics ytics\n"
      "set xlabel {}\nset ylabel \"time per token (ms)\"\nset yrange [0:*]\n",
      kHeader, gp_quote(keyed.empty() ? "design point" : join(keyed, " / ")));
  if (pts.size() > 6) script += "set xtics rotate by 45 right font \",7\"\n";
  script += figure_outputs(name, plot, 2.8);
  write_text(fs::path(stem.string() + ".gp"), script, sum, dir);
  render(fs::path(stem.string() + ".gp"), gnuplot, name, sum);
}

}  // namespace

const std::vector<std::string>& figure_palette() {
  static const std::vector<std::string> p = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                             "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return p;
}

std::string figure_outputs(const std::string& stem, const std::string& plot, double height_in) {
  // 3.4 in wide (one column) at 8 pt: the size a paper prints it at. The SVG
  // has the same aspect at 150 px per inch.
  return fmt::format(
      "set terminal pdfcairo noenhanced size 3.4in,{}in font \"Sans,8\" linewidth 1\n"
      "set output {}\n{}\n"
      "set terminal svg noenhanced size 510,{} dynamic font \"Sans,12\" background \"#ffffff\"\n"
      "set output {}\nreplot\nunset output\n",
      height_in, gp_quote(stem + ".pdf"), plot, static_cast<int>(height_in * 150),
      gp_quote(stem + ".svg"));
}

std::string run_gnuplot(const std::string& gnuplot, const fs::path& script) {
  const fs::path log = fs::path(script).replace_extension(".log");
  fs::remove(log);
  // The scripts name their files relative to their own folder.
  std::string folder = fs::absolute(script).parent_path().string();
  std::string quoted = "'";
  for (char c : folder) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  quoted += "'";
  const ProcessResult r =
      run_process({gnuplot, "-e", "cd " + quoted, script.filename().string()}, log, 120.0);
  if (r.exited_ok()) {
    fs::remove(log);
    return "";
  }
  return fmt::format("gnuplot {}: {}{}", script.filename().string(), r.describe(120.0),
                     last_line(log).empty() ? "" : ": " + last_line(log));
}

std::pair<std::string, std::string> figure_grouping(const Sweep& sweep, const std::vector<json>& records,
                                                    const std::string& color_by,
                                                    const std::string& shape_by) {
  std::vector<const json*> rs;
  for (const auto& r : records) rs.push_back(&r);
  // Parameters by how many distinct values they take (most first, sweep
  // order among equals); more than 8 values cannot have distinct colours.
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (std::size_t i = 0; i < sweep.params.size(); ++i) {
    const std::size_t n = distinct_values(rs, sweep.params[i].name).size();
    if (n > 1) ranked.emplace_back(n, sweep.params[i].name);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    const bool fa = a.first <= 8, fb = b.first <= 8;
    if (fa != fb) return fa;
    return a.first > b.first;
  });
  auto pick = [&](const std::string& chosen, const std::string& other) -> std::string {
    if (chosen == "none") return "";
    if (!chosen.empty()) return chosen;
    for (const auto& [n, p] : ranked)
      if (p != other) return p;
    return "";
  };
  std::string c = pick(color_by, shape_by == "none" ? "" : shape_by);
  std::string s = pick(shape_by, c);
  return {c, s};
}

void make_figures(const Sweep& sweep, const std::vector<json>& records, const fs::path& dir,
                  const ReportOptions& opt, ReportSummary& sum) {
  const fs::path fig_dir = dir / "figures";
  fs::create_directories(fig_dir);
  std::optional<fs::path> gnuplot;
  if (!opt.gnuplot.empty()) gnuplot = find_program(opt.gnuplot);
  if (!gnuplot)
    sum.figure_problems.push_back(
        opt.gnuplot.empty() ? "figures switched off"
                            : fmt::format("'{}' not found on PATH: no PDF/SVG figures were made "
                                          "(their data and gnuplot scripts are in figures/)",
                                          opt.gnuplot));
  std::vector<ScatterDef> figs = {
      {"tokens_per_s_vs_lut", "Throughput vs LUTs", "lut", "tokens_per_s", "LUTs", "", false, false, "", ""},
      {"tokens_per_s_vs_dsp", "Throughput vs DSPs", "dsp", "tokens_per_s", "DSP48E2", "", false, false, "", ""},
      {"tokens_per_j_vs_accuracy", "Energy efficiency vs accuracy", "top1_agreement", "tokens_per_j",
       "top-1 agreement with float32", "", false, false, "", ""},
      {"accuracy_vs_bits_per_weight", "Accuracy vs stored bits per weight", "bits_per_weight",
       "top1_agreement", "stored bits per weight (weights + scales + padding)",
       "top-1 agreement with float32", false, false, "", ""},
  };
  for (const auto& f : sweep.figures)
    figs.push_back({f.name, f.title, f.x, f.y, f.xlabel, f.ylabel, f.logx, f.logy, f.color_by, f.shape_by});
  for (const auto& f : figs) scatter(sweep, records, f, fig_dir, dir, gnuplot, sum);
  roofline(sweep, records, fig_dir, dir, gnuplot, sum);
  time_breakdown(sweep, records, fig_dir, dir, gnuplot, sum);
}

namespace {

// The screen's cloud sample (screen/cloud.csv): column name -> values.
std::map<std::string, std::vector<double>> read_cloud(const fs::path& file) {
  std::map<std::string, std::vector<double>> cols;
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return cols;
  std::vector<std::string> names;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) names.push_back(c);
  while (std::getline(in, line)) {
    std::size_t start = 0;
    for (std::size_t k = 0; k < names.size(); ++k) {
      const std::size_t comma = line.find(',', start);
      const std::string cell = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      cols[names[k]].push_back(cell.empty() ? std::nan("") : std::stod(cell));
      start = comma == std::string::npos ? line.size() : comma + 1;
    }
  }
  return cols;
}

std::optional<double> number_of(const json& metrics, const std::string& key) {
  const auto it = metrics.find(key);
  if (it == metrics.end()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>() ? 1.0 : 0.0;
  if (it->is_number()) return it->get<double>();
  return std::nullopt;
}

// tokens/s against `x` over the analytical cloud: the sampled candidates as
// grey dots, the analytical Pareto front of the two metrics as a line, and
// the confirmed points at their cycle-accurate values (coloured, joined by a
// dotted line to where the model put them).
void cloud_figure(const Sweep& sweep, const std::vector<json>& records, const StoredScreen& screen,
                  const std::map<std::string, std::vector<double>>& cloud, const std::string& name,
                  const std::string& x, const fs::path& fig_dir, const fs::path& dir,
                  const std::optional<fs::path>& gnuplot, ReportSummary& sum) {
  const std::string y = "tokens_per_s";
  const auto cx = cloud.find(x), cy = cloud.find(y);
  if (cx == cloud.end() || cy == cloud.end()) {
    sum.figure_problems.push_back(fmt::format("{}: skipped, the screen's cloud sample has no {}", name,
                                              cx == cloud.end() ? x : y));
    return;
  }
  std::string data = fmt::format("# analytical cloud (a deterministic sample of the candidates): {}\t{}\n", x, y);
  std::size_t n = 0;
  double max_x = 0, min_x = std::numeric_limits<double>::infinity();
  std::vector<json> pool;  // for the front of the two plotted metrics
  for (std::size_t i = 0; i < cx->second.size(); ++i) {
    const double a = cx->second[i], b = cy->second[i];
    if (std::isnan(a) || std::isnan(b)) continue;
    data += fmt::format("{}\t{}\n", num(a), num(b));
    max_x = std::max(max_x, std::fabs(a));
    min_x = std::min(min_x, a);
    pool.push_back({{"status", "ok"}, {"metrics", {{x, a}, {y, b}}}});
    ++n;
  }
  if (n == 0) {
    sum.figure_problems.push_back(fmt::format("{}: skipped, no sampled point has {} and {}", name, x, y));
    return;
  }
  for (const json& f : screen.front)
    if (const json& m = f.value("metrics", json::object()); number_of(m, x) && number_of(m, y))
      pool.push_back({{"status", "ok"}, {"metrics", {{x, *number_of(m, x)}, {y, *number_of(m, y)}}}});
  // Block 1: the analytical front of (max tokens/s, x in its better direction).
  const int dx = direction(sweep, x);
  data += "\n\n# analytical Pareto front of the two metrics (sample and front points)\n";
  std::vector<std::pair<double, double>> fpts;
  SelectionRules all;
  all.keep_board_misfits = all.keep_timing_failures = true;
  all.pareto_tolerance = sweep.selection.pareto_tolerance;
  for (std::size_t i : pareto_front(pool, {{y, true}, {x, dx > 0}}, all).members)
    fpts.emplace_back(*number_of(pool[i]["metrics"], x), *number_of(pool[i]["metrics"], y));
  std::sort(fpts.begin(), fpts.end());
  for (const auto& [a, b] : fpts) data += fmt::format("{}\t{}\n", num(a), num(b));
  if (fpts.empty()) data += "NaN\tNaN\n";
  // Block 2: confirmed points, cycle-accurate; block 3: model -> simulation.
  std::string confirmed = "\n\n# confirmed points (cycle-accurate): x\ty\tpoint_type\trgb\n";
  std::string arrows = "\n\n# analytical position -> cycle-accurate: x_a\ty_a\tdx\tdy\n";
  std::size_t nc = 0;
  bool any_off = false;
  for (const json& r : records) {
    if (!r.contains("analytical") || r.value("fidelity", "") == "analytical") continue;
    if (!(r.value("status", "") == "ok" || r.value("constraint_stage", "") == "after_evaluation")) continue;
    const auto rx = record_number(r, x), ry = record_number(r, y);
    if (!rx || !ry) continue;
    const bool cand = is_candidate(r, sweep.selection);
    any_off = any_off || !cand;
    const bool front = r.value("analytical_on_front", false);
    confirmed += fmt::format("{}\t{}\t{}\t{}\n", num(*rx), num(*ry), cand ? 7 : 6,
                             rgb_int(figure_palette()[front ? 0 : 1]));
    max_x = std::max(max_x, std::fabs(*rx));
    min_x = std::min(min_x, *rx);
    if (const auto ax = number_of(r["analytical"], x), ay = number_of(r["analytical"], y); ax && ay)
      arrows += fmt::format("{}\t{}\t{}\t{}\n", num(*ax), num(*ay), num(*rx - *ax), num(*ry - *ay));
    ++nc;
  }
  if (nc == 0) {
    confirmed += "NaN\tNaN\t7\t0\n";
    arrows += "NaN\tNaN\tNaN\tNaN\n";
  }
  data += confirmed + arrows;
  const fs::path stem = fig_dir / name;
  write_text(fs::path(stem.string() + ".dat"), data, sum, dir);
  const std::string dat = gp_quote(name + ".dat");
  std::string plot = fmt::format(
      "plot {0} index 0 using 1:2 with points pt 7 ps 0.15 lc rgb \"#c8c8c8\" notitle, "
      "NaN with points pt 7 ps 0.6 lc rgb \"#c8c8c8\" title {1}, {0} index 1 using 1:2 with steps lw 1.4 lc rgb \"#000000\" "
      "title \"analytical Pareto front\", {0} index 1 using 1:2 with points pt 7 ps 0.45 "
      "lc rgb \"#000000\" notitle",
      dat, gp_quote(fmt::format("analytical ({} sampled points)", n)));
  if (nc > 0) {
    plot += fmt::format(", {0} index 3 using 1:2:3:4 with vectors nohead dt 3 lw 0.8 lc rgb \"#555555\" "
                        "notitle, {0} index 3 using 1:2 with points pt 6 ps 0.6 lc rgb \"#555555\" "
                        "title \"model's value\", {0} index 2 using 1:2:3:4 with points pt variable "
                        "ps 0.9 lc rgb variable notitle",
                        dat);
    plot += fmt::format(", NaN with points pt 7 ps 0.9 lc rgb \"{}\" title \"confirmed: front\", NaN "
                        "with points pt 7 ps 0.9 lc rgb \"{}\" title \"confirmed: near front\", NaN "
                        "with lines dt 3 lc rgb \"#555555\" title \"model to simulation\"",
                        figure_palette()[0], figure_palette()[1]);
    if (any_off)
      plot += ", NaN with points pt 6 ps 0.9 lc rgb \"#555555\" title \"open: misses timing/fit\"";
  }
  // Steps of a front: for a maximised y against a minimised x the front
  // rises to the right; draw it as a staircase.
  std::string script = fmt::format(
      "# {}: tokens/s against {} over the analytical screen (generated by llamaf report; "
      "regenerate: cd figures && gnuplot {}.gp)\n{}set xlabel {}\nset ylabel {}\n",
      name, x, name, kHeader, gp_quote(axis_label(sweep, x, "")), gp_quote(axis_label(sweep, y, "")));
  if (max_x >= 1e4) script += "set format x \"%.0s%c\"\n";
  // About five x tics: the labels of a narrow range (0.0277, 0.0278, ...)
  // would otherwise run into each other at one column's width.
  if (max_x > min_x) {
    const double raw = (max_x - min_x) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * mag;
    for (double f : {1.0, 2.0, 5.0})
      if (f * mag >= raw) {
        step = f * mag;
        break;
      }
    script += fmt::format("set xtics {}\n", step);
  }
  script += "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n";
  script += figure_outputs(name, plot, 2.8);
  write_text(fs::path(stem.string() + ".gp"), script, sum, dir);
  render(fs::path(stem.string() + ".gp"), gnuplot, name, sum);
}

}  // namespace

void make_cloud_figures(const Sweep& sweep, const std::vector<json>& records, const fs::path& dir,
                        const ReportOptions& opt, ReportSummary& sum) {
  const StoredScreen screen = load_screen(dir);
  if (screen.summary.is_null()) {
    sum.figure_problems.push_back("cloud_tokens_lut, cloud_tokens_j: skipped, no screen in this "
                                  "folder (screen/summary.json)");
    return;
  }
  const fs::path fig_dir = dir / "figures";
  fs::create_directories(fig_dir);
  std::optional<fs::path> gnuplot;
  if (!opt.gnuplot.empty()) gnuplot = find_program(opt.gnuplot);
  const auto cloud = read_cloud(dir / "screen" / "cloud.csv");
  cloud_figure(sweep, records, screen, cloud, "cloud_tokens_lut", "lut", fig_dir, dir, gnuplot, sum);
  cloud_figure(sweep, records, screen, cloud, "cloud_tokens_j", "j_per_token", fig_dir, dir, gnuplot, sum);
}

}  // namespace llamaf::dse
