// Sweep file parsing, validation and expansion.
#include "explorer/sweep.h"

#include "explorer/clock.h"
#include "explorer/hash.h"
#include "explorer/selection.h"
#include "explorer/metrics.h"
#include "explorer/point_eval.h"
#include "sim/config/json_reader.h"
#include "sim/dram/ps_memory.h"
#include "sim/model/config.h"
#include "sim/rtl_driver/design_params.h"
#include "sim/system/fast_mode.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

namespace llamaf::dse {

namespace {

using nlohmann::json;

// Where a value sits: the file and a key path, for error messages.
struct At {
  std::string file;
  std::string path;  // "parameters[1].range.step"
  At key(const std::string& k) const { return {file, path.empty() ? k : path + "." + k}; }
  At index(std::size_t i) const { return {file, fmt::format("{}[{}]", path, i)}; }
  [[noreturn]] void fail(const std::string& expected, const json* got = nullptr) const {
    if (got)
      throw_error("{}: {}: expected {}, got {}", file, path.empty() ? "(top level)" : path,
                  expected, got->dump());
    throw_error("{}: {}: {}", file, path.empty() ? "(top level)" : path, expected);
  }
};

// Unknown keys through the shared checked-JSON reader (sim/config): one
// message (with a "did you mean") for every config file.
void reject_unknown(const json& j, const At& at, const std::set<std::string>& known) {
  const config::JsonObject o(j, at.file, at.path);
  for (const std::string& k : known) o.allow({k.c_str()});
  o.reject_unknown();
}

const json& need_object(const json& j, const At& at) {
  if (!j.is_object()) at.fail("a JSON object", &j);
  return j;
}

std::string get_string(const json& j, const At& at) {
  if (!j.is_string()) at.fail("a string", &j);
  return j.get<std::string>();
}

double get_number(const json& j, const At& at) {
  if (!j.is_number()) at.fail("a number", &j);
  return j.get<double>();
}

bool get_bool(const json& j, const At& at) {
  if (!j.is_boolean()) at.fail("true or false", &j);
  return j.get<bool>();
}

std::int64_t get_int(const json& j, const At& at, std::int64_t lo, std::int64_t hi) {
  if (!j.is_number_integer()) at.fail(fmt::format("an integer in [{}, {}]", lo, hi), &j);
  const auto v = j.get<std::int64_t>();
  if (v < lo || v > hi) at.fail(fmt::format("an integer in [{}, {}]", lo, hi), &j);
  return v;
}

json read_json_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw_error("{}: cannot open {}", path.string(), what);
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw_error("{}: invalid JSON at byte {}: {}", path.string(), e.byte, e.what());
  } catch (const json::exception& e) {  // out_of_range: a number like 1e999
    throw_error("{}: invalid JSON: {}", path.string(), e.what());
  }
}

bool is_integral(double v) {
  return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15;
}

json number_value(double v) {
  if (is_integral(v)) return static_cast<std::int64_t>(v);
  return v;
}

// Expands one parameter's value specification.
std::vector<json> expand_values(const json& spec, const At& at) {
  std::vector<json> out;
  if (spec.is_array()) {
    for (std::size_t i = 0; i < spec.size(); ++i) {
      const json& v = spec[i];
      if (!(v.is_number() || v.is_string() || v.is_boolean()))
        at.index(i).fail("a number, string or boolean", &v);
      out.push_back(v);
    }
  } else {
    const double from = get_number(spec.at("from"), at.key("from"));
    const double to = get_number(spec.at("to"), at.key("to"));
    if (to < from) at.key("to").fail(fmt::format("a value >= from ({})", from), &spec.at("to"));
    const std::string scale = spec.contains("scale") ? get_string(spec["scale"], at.key("scale"))
                                                     : std::string("linear");
    if (scale == "linear") {
      if (spec.contains("factor")) at.key("factor").fail("no 'factor' with a linear scale");
      const double step = spec.contains("step") ? get_number(spec["step"], at.key("step")) : 1.0;
      if (!(step > 0)) at.key("step").fail("a positive number", &spec["step"]);
      const double n = std::floor((to - from) / step * (1.0 + 1e-12) + 1e-9);
      if (n + 1 > static_cast<double>(kMaxCombinations))
        at.fail(fmt::format("at most {} values", kMaxCombinations));
      const bool ints = is_integral(from) && is_integral(step);
      for (std::int64_t k = 0; k <= static_cast<std::int64_t>(n); ++k) {
        const double v = from + static_cast<double>(k) * step;
        // Decimal steps (0.1) print as written, not as 0.30000000000000004.
        out.push_back(ints ? number_value(v) : json(std::stod(fmt::format("{:.12g}", v))));
      }
    } else if (scale == "pow2" || scale == "log2") {
      if (spec.contains("factor")) at.key("factor").fail("no 'factor' with a pow2 scale");
      auto pow2_exp = [&](double v, const char* key) {
        const double e = std::log2(v);
        if (!(v > 0) || e != std::floor(e)) at.key(key).fail("a power of two", &spec.at(key));
        return static_cast<int>(e);
      };
      const int e0 = pow2_exp(from, "from"), e1 = pow2_exp(to, "to");
      const std::int64_t step =
          spec.contains("step") ? get_int(spec["step"], at.key("step"), 1, 64) : 1;
      for (int e = e0; e <= e1; e += static_cast<int>(step)) out.push_back(number_value(std::exp2(e)));
    } else if (scale == "geometric") {
      if (!spec.contains("factor")) at.key("factor").fail("a factor > 1 for a geometric scale");
      const double f = get_number(spec["factor"], at.key("factor"));
      if (!(f > 1)) at.key("factor").fail("a number > 1", &spec["factor"]);
      if (!(from > 0)) at.key("from").fail("a positive number for a geometric scale", &spec["from"]);
      if (spec.contains("step")) at.key("step").fail("no 'step' with a geometric scale");
      for (double v = from; v <= to * (1 + 1e-12); v *= f) {
        out.push_back(is_integral(from) && is_integral(f) ? number_value(v)
                                                          : json(std::stod(fmt::format("{:.12g}", v))));
        if (out.size() > kMaxCombinations) at.fail(fmt::format("at most {} values", kMaxCombinations));
      }
    } else {
      at.key("scale").fail("\"linear\", \"pow2\" (alias \"log2\") or \"geometric\"", &spec["scale"]);
    }
  }
  if (out.empty()) at.fail("at least one value");
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (out[i] == out[k])
        at.fail(fmt::format("distinct values; value {} appears twice", out[i].dump()));
  return out;
}

const std::set<std::string> kBaseKeys = {"design", "board", "model", "energy"};
const std::set<std::string> kEvaluateKeys = {"checkpoint",  "accuracy",   "accuracy_tokens",
                                             "sequence_seed", "simulate", "synthesize",
                                             "sim_tokens",  "sim",      "clock",
                                             "fidelity",    "confirm"};

json default_evaluate() {
  return {{"checkpoint", nullptr}, {"accuracy", true},  {"accuracy_tokens", 256},
          {"sequence_seed", 1234}, {"simulate", true},  {"synthesize", true},
          {"sim_tokens", 16},      {"sim", json::object()}};
}

void validate_evaluate_key(const std::string& key, const json& v, const At& at) {
  if (key == "checkpoint") {
    if (!v.is_null() && !v.is_string()) at.fail("a path string or null", &v);
  } else if (key == "accuracy" || key == "simulate" || key == "synthesize") {
    get_bool(v, at);
  } else if (key == "accuracy_tokens") {
    get_int(v, at, 2, 100000);
  } else if (key == "sim_tokens") {
    get_int(v, at, 1, 100000);
  } else if (key == "sequence_seed") {
    get_int(v, at, 0, std::numeric_limits<std::int64_t>::max());
  } else if (key == "sim") {
    need_object(v, at);
    for (const auto& [k, sv] : v.items()) validate_evaluate_key("sim." + k, sv, at.key(k));
  } else if (key == "clock") {
    // Not in default_evaluate(): sweeps that do not set it keep their ids.
    clock_mode_from_json(v, at.file + ": " + at.path);
  } else if (key == "sim.sim_layers") {
    get_int(v, at, 1, 100000);
  } else if (key == "sim.policy") {
    const std::string p = get_string(v, at);
    if (p != "serial" && p != "overlapped" && p != "direct" && p != "ps_only" && p != "staged_sync" &&
        p != "staged_async")
      at.fail("\"serial\", \"overlapped\" (= \"direct\"), \"ps_only\", \"staged_sync\" or "
              "\"staged_async\"", &v);
  } else if (key == "sim.weights") {
    const std::string w = get_string(v, at);
    if (w != "synthetic" && w != "checkpoint") at.fail("\"synthetic\" or \"checkpoint\"", &v);
  } else if (key == "sim.weights_seed") {
    get_int(v, at, 0, std::numeric_limits<std::int64_t>::max());
  } else if (key == "sim.build" || key == "sim.baseline") {
    get_bool(v, at);
  } else if (key == "sim.staging_bytes") {
    get_int(v, at, 0, std::numeric_limits<std::int64_t>::max());
  } else if (key == "sim.sample_positions") {
    get_int(v, at, 2, 100000);
  } else if (key.rfind("sim.", 0) == 0) {
    at.fail(fmt::format("a known evaluate.sim key ({}){}", fmt::join(sim_option_keys(), ", "),
                        config::did_you_mean(key.substr(4), sim_option_keys())));
  }
}

const json* get_path(const json& root, const std::string& path) {
  const json* cur = &root;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    if (dot == std::string::npos) return &*it;
    cur = &*it;
    start = dot + 1;
  }
}


bool valid_name(const std::string& s, bool allow_dots) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (allow_dots && c == '.')))
      return false;
  return true;
}

TableSpec parse_table(const json& j, const At& at) {
  need_object(j, at);
  reject_unknown(j, at, {"columns", "rows", "sort_by", "descending", "caption", "label"});
  TableSpec t;
  if (j.contains("columns")) {
    const At ca = at.key("columns");
    if (!j["columns"].is_array()) ca.fail("an array of column objects", &j["columns"]);
    for (std::size_t i = 0; i < j["columns"].size(); ++i) {
      const json& c = j["columns"][i];
      const At a = ca.index(i);
      TableColumn col;
      if (c.is_string()) {
        col.key = c.get<std::string>();
      } else {
        need_object(c, a);
        reject_unknown(c, a, {"key", "label", "unit", "format", "scale"});
        if (!c.contains("key")) a.key("key").fail("a parameter name or metric key");
        col.key = get_string(c["key"], a.key("key"));
        if (c.contains("label")) col.label = get_string(c["label"], a.key("label"));
        if (c.contains("unit")) col.unit = get_string(c["unit"], a.key("unit"));
        if (c.contains("format")) {
          col.format = get_string(c["format"], a.key("format"));
          try {
            (void)fmt::format(fmt::runtime(col.format), 1.5);
          } catch (const fmt::format_error& e) {
            a.key("format").fail(fmt::format("a fmt format for one number such as \"{{:.2f}}\" ({})",
                                             e.what()),
                                 &c["format"]);
          }
        }
        if (c.contains("scale")) col.scale = get_number(c["scale"], a.key("scale"));
      }
      t.columns.push_back(col);
    }
  }
  if (j.contains("rows")) {
    t.rows = get_string(j["rows"], at.key("rows"));
    if (t.rows != "pareto" && t.rows != "ok" && t.rows != "all")
      at.key("rows").fail("\"pareto\", \"ok\" or \"all\"", &j["rows"]);
  }
  if (j.contains("sort_by")) t.sort_by = get_string(j["sort_by"], at.key("sort_by"));
  if (j.contains("descending")) t.descending = get_bool(j["descending"], at.key("descending"));
  if (j.contains("caption")) t.caption = get_string(j["caption"], at.key("caption"));
  if (j.contains("label")) t.label = get_string(j["label"], at.key("label"));
  return t;
}

FigureSpec parse_figure(const json& j, const At& at) {
  need_object(j, at);
  reject_unknown(j, at, {"name", "title", "x", "y", "xlabel", "ylabel", "logx", "logy", "color_by",
                         "shape_by"});
  FigureSpec f;
  for (const char* k : {"name", "x", "y"})
    if (!j.contains(k)) at.key(k).fail("a string (required)");
  f.name = get_string(j["name"], at.key("name"));
  if (!valid_name(f.name, false)) at.key("name").fail("a file stem of letters, digits and _", &j["name"]);
  f.x = get_string(j["x"], at.key("x"));
  f.y = get_string(j["y"], at.key("y"));
  f.title = j.contains("title") ? get_string(j["title"], at.key("title")) : f.y + " vs " + f.x;
  if (j.contains("xlabel")) f.xlabel = get_string(j["xlabel"], at.key("xlabel"));
  if (j.contains("ylabel")) f.ylabel = get_string(j["ylabel"], at.key("ylabel"));
  if (j.contains("logx")) f.logx = get_bool(j["logx"], at.key("logx"));
  if (j.contains("logy")) f.logy = get_bool(j["logy"], at.key("logy"));
  if (j.contains("color_by")) f.color_by = get_string(j["color_by"], at.key("color_by"));
  if (j.contains("shape_by")) f.shape_by = get_string(j["shape_by"], at.key("shape_by"));
  return f;
}

// A "set" target inside a config ("design.rtl.NumPe", "model.dim",
// "board.fabric.clock_mhz") must name a key that config has; `configs` are
// the configs it can land in (the base, or a whole-config axis's files).
// Design and model targets are tried on the first with the first swept value
// through the config's own reader (which rejects unknown keys with a "did you
// mean"); board and energy targets must exist in one of them.
void check_config_target(const std::vector<json>& configs, const std::string& t, const json& value,
                         const At& at) {
  const std::size_t dot = t.find('.');
  const std::string root = t.substr(0, dot), rest = t.substr(dot + 1);
  if (root == "design" || root == "model") {
    json probe = configs[0].is_object() ? configs[0] : json::object();
    set_path(probe, rest, value, at.file);
    try {
      if (root == "design") (void)sim::design_params_from_json(probe, "design");
      else (void)model::config_from_json(probe, "model");
    } catch (const Error& e) {
      const std::string m = e.what();
      // Only a wrong key is the target's fault; values are judged per point.
      if (m.find("unknown key") != std::string::npos || m.find("belong in the") != std::string::npos)
        at.fail(fmt::format("a key of the {} config; setting '{}' fails: {}", root, t, m));
    }
  } else if (root == "board" || root == "energy") {
    std::vector<std::string> keys;
    for (const json& c : configs) {
      const json wrapped = {{root, c}};
      if (get_path(wrapped, t)) return;
      // Suggest from the keys of the deepest existing object on the path.
      std::string parent = root;
      for (std::size_t d = rest.find('.'); d != std::string::npos; d = rest.find('.', d + 1)) {
        if (!get_path(wrapped, root + "." + rest.substr(0, d))) break;
        parent = root + "." + rest.substr(0, d);
      }
      if (const json* obj = get_path(wrapped, parent); obj && obj->is_object())
        for (const auto& [k, v] : obj->items()) keys.push_back(parent + "." + k);
    }
    at.fail(fmt::format("a key present in the {} config (base.{} or an axis of {} files); '{}' "
                        "is not{}", root, root, root, t, config::did_you_mean(t, keys)));
  }
}

// A report key (objective metric, figure axis, table column): a metric
// (explorer/metrics.h), a parameter name, or one of the record's own fields.
void check_report_key(const std::string& key, const Sweep& s, const At& at, bool metric_only) {
  if (is_metric_key(key)) return;
  if (const std::string now = renamed_metric(key); !now.empty())
    at.fail(fmt::format("a metric key; '{}' was renamed '{}' (docs/metrics.md)", key, now));
  std::vector<std::string> known = metric_keys();
  if (!metric_only) {
    for (const auto& p : s.params) {
      if (p.name == key) return;
      known.push_back(p.name);
    }
    for (const char* f : {"id", "index", "status", "reason", "wallclock_s"}) {
      if (key == f) return;
      known.push_back(f);
    }
  }
  at.fail(fmt::format("{}; '{}' is not one{}",
                      metric_only ? "a metric key (the table at the top of docs/explore.md)"
                                  : "a metric key or parameter name",
                      key, config::did_you_mean(key, known)));
}

}  // namespace

static void validate_points(const Sweep& s) {
  const Expansion e = expand(s);
  std::set<std::string> seen;  // (design, model, board, mode) already checked
  for (const Point& p : e.points) {
    if (!p.infeasible.empty()) continue;
    const json& ev = p.resolved["evaluate"];
    // A design only used for C++ accuracy studies may use weight widths the
    // quantizer has and the RTL does not (WeightBits 3, 5, 6, 7).
    const bool hardware = ev.value("simulate", true) || ev.value("synthesize", true);
    const json& board = p.resolved["board"];
    const std::string key = p.resolved["design"].dump() + p.resolved["model"].dump() +
                            (board.is_object() ? board.value("ps", json()).dump() : "") +
                            ev.value("sim", json()).dump() + (hardware ? "h" : "q");
    if (!seen.insert(key).second) continue;
    std::string params;
    for (const auto& [k, v] : p.params.items()) params += (params.empty() ? "" : ", ") + k + " = " + v.dump();
    try {
      const sim::DesignParams d = sim::design_params_from_json(p.resolved["design"], "design");
      sim::check_rtl_legality(d, "design", !hardware);
      const json sim_opts = ev.value("sim", json::object());
      const json policy = sim_opts.is_object() ? sim_opts.value("policy", json()) : json();
      if (ev.value("simulate", true) && sim_opts.contains("sim_layers") && policy.is_string())
        sim::check_fast_mode_policy(policy.get<std::string>(), "evaluate.sim");
      (void)model::config_from_json(p.resolved["model"], "model");
      // The port map against the board's PS (docs/memory.md): one PS port
      // per AXI read port, each a PL-PS port the PS has, none twice. Checked
      // whenever the point simulates or names ports, so a wrong map is
      // refused here and not after a simulator build.
      if (board.is_object() && board.contains("ps") &&
          (ev.value("simulate", true) || !d.ps_ports.empty())) {
        const dram::PsConfig ps =
            dram::ps_config_from_json(config::JsonObject(board["ps"], "board", "ps"));
        (void)ps.port_map(d.ps_ports, d.weight_ports, "design");
      }
    } catch (const Error& err) {
      throw_error("{}: point {} ({}): {}; exclude such points with a filter or constraint",
                  s.file.string(), p.index, params, err.what());
    }
  }
}

Sweep load_sweep(const std::filesystem::path& path, std::optional<Fidelity> fidelity) {
  const json j = read_json_file(path, "sweep file");
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  Sweep s = parse_sweep(j, path, dir, fidelity);
  // The checkpoint must exist now, not when the first point reads it (after
  // a possible simulator build).
  if (const json& c = s.evaluate["checkpoint"]; c.is_string()) {
    EvalContext ctx;
    ctx.sweep_dir = dir;
    const std::filesystem::path ckpt = resolve_checkpoint(c.get<std::string>(), ctx);
    if (std::error_code ec; !std::filesystem::exists(ckpt, ec))
      throw_error("{}: evaluate.checkpoint: '{}' names {}, which does not exist (\"models:NAME\" "
                  "is $LLAMAF_MODELS_DIR/NAME, a relative path starts at the sweep's folder)",
                  path.string(), c.get<std::string>(), ckpt.string());
  }
  return s;
}

Sweep parse_sweep(const json& j, const std::filesystem::path& file,
                  const std::filesystem::path& dir, std::optional<Fidelity> fidelity) {
  const At top{file.string(), ""};
  need_object(j, top);
  reject_unknown(j, top, {"name", "description", "base", "evaluate", "parameters", "filters",
                          "constraints", "objectives", "report", "run", "$schema", "comment"});
  Sweep s;
  s.file = file;
  s.resolved = j;

  if (!j.contains("name")) top.key("name").fail("a sweep name (required)");
  s.name = get_string(j["name"], top.key("name"));
  for (char c : s.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      top.key("name").fail("a name of letters, digits, '_', '-' or '.'", &j["name"]);
  if (s.name.empty()) top.key("name").fail("a non-empty name", &j["name"]);
  if (j.contains("description")) s.description = get_string(j["description"], top.key("description"));

  // Base configs: a path (relative to the sweep file) or an inline object.
  if (!j.contains("base")) top.key("base").fail("an object with at least \"model\" (required)");
  const At ba = top.key("base");
  need_object(j["base"], ba);
  reject_unknown(j["base"], ba, kBaseKeys);
  s.base = json::object();
  s.base_sources = json::object();
  for (const auto& key : kBaseKeys) {
    const At a = ba.key(key);
    if (!j["base"].contains(key)) {
      if (key == "model") a.fail("a model shape (configs/models/*.json path or object) (required)");
      s.base[key] = key == "design" ? json::object() : json(nullptr);
      s.base_sources[key] = nullptr;
      continue;
    }
    const json& v = j["base"][key];
    if (v.is_string()) {
      std::filesystem::path p = v.get<std::string>();
      if (p.is_relative()) p = dir / p;
      if (std::error_code ec; !std::filesystem::is_regular_file(p, ec))
        a.fail(fmt::format("an existing file (relative to the sweep file's folder); {} not found",
                           p.string()));
      s.base[key] = read_json_file(p, key + " config");
      need_object(s.base[key], {p.string(), ""});
      s.base_sources[key] = v;
    } else if (v.is_object()) {
      s.base[key] = v;
      s.base_sources[key] = "inline";
    } else {
      a.fail("a path string or an object", &v);
    }
    s.resolved["base"][key] = s.base[key];
  }

  // Evaluation options.
  s.evaluate = default_evaluate();
  if (j.contains("evaluate")) {
    const At ea = top.key("evaluate");
    need_object(j["evaluate"], ea);
    reject_unknown(j["evaluate"], ea, kEvaluateKeys);
    for (const auto& [k, v] : j["evaluate"].items()) {
      // How the points are evaluated, not what they are: kept out of
      // s.evaluate, so out of every point's content (its id) and the hash.
      if (k == "fidelity") {
        if (!v.is_string()) ea.key(k).fail("\"rtl\", \"analytical\" or \"auto\"", &v);
        s.fidelity = fidelity_from_string(v.get<std::string>(), file.string() + ": evaluate.fidelity");
        continue;
      }
      if (k == "confirm") {
        const At ca = ea.key(k);
        need_object(v, ca);
        reject_unknown(v, ca, {"margin", "max_points", "all"});
        if (v.contains("all")) s.confirm.all = get_bool(v["all"], ca.key("all"));
        if (v.contains("margin")) {
          s.confirm.margin = get_number(v["margin"], ca.key("margin"));
          if (!(s.confirm.margin >= 0 && s.confirm.margin <= 1))
            ca.key("margin").fail("a relative margin in [0, 1], e.g. 0.05 for 5 %", &v["margin"]);
        }
        if (v.contains("max_points"))
          s.confirm.max_points =
              static_cast<std::size_t>(get_int(v["max_points"], ca.key("max_points"), 1, 10000));
        continue;
      }
      validate_evaluate_key(k, v, ea.key(k));
      s.evaluate[k] = v;
    }
    // The clock follows Fmax only when synthesis estimates one.
    if (s.evaluate.contains("clock") &&
        clock_mode_from_json(s.evaluate["clock"], "evaluate.clock") != ClockMode::kRequested &&
        !s.evaluate.value("synthesize", true))
      ea.key("clock").fail(fmt::format("\"requested\" when evaluate.synthesize is false (\"{}\" "
                                       "sets the clock from the synthesized design's Fmax)",
                                       s.evaluate["clock"].get<std::string>()));
  }

  // Parameters.
  if (!j.contains("parameters")) top.key("parameters").fail("an array of parameters (required)");
  const At pa = top.key("parameters");
  if (!j["parameters"].is_array() || j["parameters"].empty())
    pa.fail("a non-empty array of parameter objects", &j["parameters"]);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < j["parameters"].size(); ++i) {
    const json& pj = j["parameters"][i];
    const At a = pa.index(i);
    need_object(pj, a);
    reject_unknown(pj, a,
                   {"name", "set", "values", "from", "to", "step", "scale", "factor", "unit",
                    "description"});
    ParamSpec p;
    if (!pj.contains("name")) a.key("name").fail("a parameter name (required)");
    p.name = get_string(pj["name"], a.key("name"));
    if (!valid_name(p.name, false))
      a.key("name").fail("a name of letters, digits and '_' (usable in expressions)", &pj["name"]);
    if (seen.contains(p.name)) a.key("name").fail(fmt::format("a unique name; '{}' repeats", p.name));
    if (kBaseKeys.contains(p.name) || p.name == "evaluate" || p.name == "params" || p.name == "id")
      a.key("name").fail(fmt::format("a name other than '{}' (reserved)", p.name));
    seen.insert(p.name);
    if (pj.contains("unit")) p.unit = get_string(pj["unit"], a.key("unit"));
    // Targets: default design.<name>; [] makes a free parameter.
    if (!pj.contains("set")) {
      // An lf_top parameter's name sets it in the design's "rtl" object.
      bool rtl = false;
      for (const char* n : sim::kRtlParamNames) rtl = rtl || p.name == n;
      p.targets = {(rtl ? "design.rtl." : "design.") + p.name};
    } else if (pj["set"].is_string()) {
      p.targets = {pj["set"].get<std::string>()};
    } else if (pj["set"].is_array()) {
      for (std::size_t t = 0; t < pj["set"].size(); ++t)
        p.targets.push_back(get_string(pj["set"][t], a.key("set").index(t)));
    } else {
      a.key("set").fail("a target path string or an array of them", &pj["set"]);
    }
    const bool whole_config = p.targets.size() == 1 && kBaseKeys.contains(p.targets[0]);
    for (const auto& t : p.targets) {
      if (whole_config) break;  // validated with its values below
      const std::size_t dot = t.find('.');
      const std::string root = t.substr(0, dot);
      if (dot == std::string::npos || dot + 1 == t.size() || !valid_name(t, true) ||
          !(kBaseKeys.contains(root) || root == "evaluate"))
        a.key("set").fail(
            "paths \"design.KEY\", \"board.KEY\", \"model.KEY\", \"energy.KEY\" or \"evaluate.KEY\", "
            "or one whole config \"board\", \"model\", \"design\" or \"energy\"",
            &pj["set"]);
      const std::string first = t.substr(dot + 1, t.find('.', dot + 1) - dot - 1);
      if (root == "evaluate" && !kEvaluateKeys.contains(first))
        a.key("set").fail(fmt::format("a known evaluate key; '{}' is not one", first), &pj["set"]);
      if (root == "evaluate" && (first == "fidelity" || first == "confirm"))
        a.key("set").fail(fmt::format("an evaluation option of the points; evaluate.{} says how the "
                                      "whole sweep is evaluated and cannot be swept", first),
                          &pj["set"]);
      if (root == "evaluate" && first != "sim" && first != t.substr(dot + 1))
        a.key("set").fail(fmt::format("evaluate.{} has no sub-keys (only evaluate.sim.* does)", first),
                          &pj["set"]);
      if (root == "evaluate" && first == "sim") {
        const std::string sub = t.substr(dot + 1);
        if (sub == "sim") a.key("set").fail("evaluate.sim.KEY (a key of evaluate.sim)", &pj["set"]);
        std::vector<std::string> known;
        for (const auto& k : sim_option_keys()) known.push_back("sim." + k);
        if (std::find(known.begin(), known.end(), sub) == known.end())
          a.key("set").fail(fmt::format("a known evaluate.sim key ({}); '{}' is not one{}",
                                        fmt::join(sim_option_keys(), ", "), t,
                                        config::did_you_mean(sub, known)),
                            &pj["set"]);
      }

      if ((root == "board" || root == "energy") && s.base[root].is_null())
        a.key("set").fail(fmt::format("a base.{} to override (none given)", root), &pj["set"]);
    }
    const bool has_values = pj.contains("values");
    const bool has_range = pj.contains("from") || pj.contains("to");
    if (has_values == has_range)
      a.fail("either \"values\": [...] or a range \"from\"/\"to\" (with optional \"step\", \"scale\")");
    if (has_values) {
      for (const char* k : {"step", "scale", "factor"})
        if (pj.contains(k)) a.key(k).fail("no range keys together with \"values\"");
      if (!pj["values"].is_array()) a.key("values").fail("an array", &pj["values"]);
      p.values = expand_values(pj["values"], a.key("values"));
    } else {
      for (const char* k : {"from", "to"})
        if (!pj.contains(k)) a.key(k).fail("a number (ranges need both from and to)");
      p.values = expand_values(pj, a);
    }
    for (const auto& t : p.targets)
      if (t.rfind("evaluate.", 0) == 0)
        for (std::size_t v = 0; v < p.values.size(); ++v)
          validate_evaluate_key(t.substr(9), p.values[v], a.key("values").index(v));
    if (whole_config) {
      // Each value names a config file (relative to the sweep file's folder)
      // that replaces the whole base config of that kind in its points.
      for (std::size_t v = 0; v < p.values.size(); ++v) {
        const At va = a.key("values").index(v);
        if (!p.values[v].is_string()) va.fail("a config file path", &p.values[v]);
        std::filesystem::path f = p.values[v].get<std::string>();
        if (f.is_relative()) f = dir / f;
        if (std::error_code ec; !std::filesystem::is_regular_file(f, ec))
          va.fail(fmt::format("an existing {} config file; {} not found", p.targets[0], f.string()));
        p.configs.push_back(read_json_file(f, p.targets[0] + " config"));
        need_object(p.configs.back(), {f.string(), ""});
      }
    }
    s.params.push_back(std::move(p));
  }

  // Key targets name keys of the configs they land in: the base config, or
  // the configs of a whole-config axis of the same kind.
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    const ParamSpec& p = s.params[i];
    if (!p.configs.empty()) continue;
    for (const auto& t : p.targets) {
      const std::string root = t.substr(0, t.find('.'));
      std::vector<json> candidates = {s.base.value(root, json())};
      for (const ParamSpec& q : s.params)
        if (!q.configs.empty() && q.targets[0] == root)
          candidates.insert(candidates.end(), q.configs.begin(), q.configs.end());
      check_config_target(candidates, t, p.values[0], pa.index(i).key("set"));
    }
  }

  // Filters and constraints: expressions over parameter names and
  // dotted config paths; names are checked against the first point at
  // expansion time (a path may exist only after overrides).
  if (j.contains("filters")) {
    const At fa = top.key("filters");
    if (!j["filters"].is_array()) fa.fail("an array of expression strings", &j["filters"]);
    for (std::size_t i = 0; i < j["filters"].size(); ++i)
      s.filters.push_back(Expr::parse(get_string(j["filters"][i], fa.index(i)),
                                      fmt::format("{}: filters[{}]", file.string(), i)));
  }
  if (j.contains("constraints")) {
    const At ca = top.key("constraints");
    if (!j["constraints"].is_array())
      ca.fail("an array of expression strings or {\"expr\", \"reason\"} objects", &j["constraints"]);
    for (std::size_t i = 0; i < j["constraints"].size(); ++i) {
      const json& c = j["constraints"][i];
      const At a = ca.index(i);
      const std::string where = fmt::format("{}: constraints[{}]", file.string(), i);
      if (c.is_string()) {
        s.constraints.push_back({Expr::parse(c.get<std::string>(), where), c.get<std::string>(), false});
      } else {
        need_object(c, a);
        reject_unknown(c, a, {"expr", "reason"});
        if (!c.contains("expr")) a.key("expr").fail("an expression string (required)");
        const std::string text = get_string(c["expr"], a.key("expr"));
        s.constraints.push_back(
            {Expr::parse(text, where), c.contains("reason") ? get_string(c["reason"], a.key("reason")) : text,
             false});
      }
      s.constraints.back().after_evaluation = reads_metrics(s.constraints.back().expr, s.params);
      // A name that is no input is a metric: a typo must not make every
      // point infeasible "after evaluation".
      for (const std::string& n : s.constraints.back().expr.names())
        if (!is_input_name(n, s.params)) check_report_key(n, s, a, true);
    }
  }

  if (j.contains("objectives")) {
    const At oa = top.key("objectives");
    if (!j["objectives"].is_array()) oa.fail("an array of {\"metric\", \"goal\"} objects", &j["objectives"]);
    for (std::size_t i = 0; i < j["objectives"].size(); ++i) {
      const json& o = j["objectives"][i];
      const At a = oa.index(i);
      need_object(o, a);
      reject_unknown(o, a, {"metric", "goal"});
      if (!o.contains("metric")) a.key("metric").fail("a metric key (required)");
      Objective ob;
      ob.metric = get_string(o["metric"], a.key("metric"));
      const std::string goal = o.contains("goal") ? get_string(o["goal"], a.key("goal")) : "";
      if (goal != "maximize" && goal != "minimize")
        a.key("goal").fail("\"maximize\" or \"minimize\"", o.contains("goal") ? &o["goal"] : nullptr);
      ob.maximize = goal == "maximize";
      s.objectives.push_back(ob);
    }
  }

  if (j.contains("report")) {
    const At ra = top.key("report");
    need_object(j["report"], ra);
    reject_unknown(j["report"], ra, {"table", "figures", "keep_timing_failures", "keep_board_misfits",
                                     "pareto_tolerance", "recommend_by"});
    if (j["report"].contains("recommend_by")) {
      const At rb = ra.key("recommend_by");
      s.recommend_by = get_string(j["report"]["recommend_by"], rb);
      std::vector<std::string> names;
      for (const ParamSpec& p : s.params) names.push_back(p.name);
      if (std::find(names.begin(), names.end(), s.recommend_by) == names.end())
        rb.fail("the name of a sweep parameter" + config::did_you_mean(s.recommend_by, names),
                &j["report"]["recommend_by"]);
    }
    if (j["report"].contains("pareto_tolerance")) {
      const At pa = ra.key("pareto_tolerance");
      s.selection.pareto_tolerance = get_number(j["report"]["pareto_tolerance"], pa);
      if (!(s.selection.pareto_tolerance >= 0 && s.selection.pareto_tolerance < 1))
        pa.fail("a relative tolerance in [0, 1), e.g. 0.01 for 1 %", &j["report"]["pareto_tolerance"]);
    }
    if (j["report"].contains("keep_timing_failures"))
      s.selection.keep_timing_failures =
          get_bool(j["report"]["keep_timing_failures"], ra.key("keep_timing_failures"));
    if (j["report"].contains("keep_board_misfits"))
      s.selection.keep_board_misfits =
          get_bool(j["report"]["keep_board_misfits"], ra.key("keep_board_misfits"));
    if (j["report"].contains("table")) s.table = parse_table(j["report"]["table"], ra.key("table"));
    if (j["report"].contains("figures")) {
      // An array of extra figures, or {"color_by", "shape_by", "labels", "extra": [...]}.
      At fa = ra.key("figures");
      const json* extra = &j["report"]["figures"];
      if (extra->is_object()) {
        const json& fo = *extra;
        reject_unknown(fo, fa, {"color_by", "shape_by", "labels", "extra"});
        if (fo.contains("color_by")) s.figure_style.color_by = get_string(fo["color_by"], fa.key("color_by"));
        if (fo.contains("shape_by")) s.figure_style.shape_by = get_string(fo["shape_by"], fa.key("shape_by"));
        if (fo.contains("labels")) s.figure_style.labels = get_bool(fo["labels"], fa.key("labels"));
        static const json kNone = json::array();
        extra = fo.contains("extra") ? &fo["extra"] : &kNone;
        fa = fa.key("extra");
      }
      if (!extra->is_array()) fa.fail("an array of figure objects", extra);
      for (std::size_t i = 0; i < extra->size(); ++i)
        s.figures.push_back(parse_figure((*extra)[i], fa.index(i)));
    }
  }

  if (j.contains("run")) {
    const At ra = top.key("run");
    need_object(j["run"], ra);
    reject_unknown(j["run"], ra, {"timeout_s"});
    if (j["run"].contains("timeout_s")) {
      s.timeout_s = get_number(j["run"]["timeout_s"], ra.key("timeout_s"));
      if (!(s.timeout_s > 0)) ra.key("timeout_s").fail("a positive number of seconds", &j["run"]["timeout_s"]);
    }
  }

  // Report keys name metrics or parameters that exist.
  for (std::size_t i = 0; i < s.objectives.size(); ++i)
    check_report_key(s.objectives[i].metric, s, top.key("objectives").index(i).key("metric"), true);
  for (std::size_t i = 0; i < s.table.columns.size(); ++i)
    check_report_key(s.table.columns[i].key, s,
                     top.key("report").key("table").key("columns").index(i).key("key"), false);
  if (!s.table.sort_by.empty())
    check_report_key(s.table.sort_by, s, top.key("report").key("table").key("sort_by"), false);
  for (std::size_t i = 0; i < s.figures.size(); ++i)
    for (const char* axis : {"x", "y"})
      check_report_key(axis[0] == 'x' ? s.figures[i].x : s.figures[i].y, s,
                       top.key("report").key("figures").index(i).key(axis), false);
  // color_by / shape_by name a swept parameter (or "none").
  auto check_param = [&s](const std::string& name, const At& at) {
    if (name.empty() || name == "none") return;
    std::vector<std::string> names = {"none"};
    for (const auto& p : s.params) {
      if (p.name == name) return;
      names.push_back(p.name);
    }
    at.fail(fmt::format("a parameter name or \"none\"; '{}' is not one{}", name,
                        config::did_you_mean(name, names)));
  };
  const At fsa = top.key("report").key("figures");
  check_param(s.figure_style.color_by, fsa.key("color_by"));
  check_param(s.figure_style.shape_by, fsa.key("shape_by"));
  for (std::size_t i = 0; i < s.figures.size(); ++i) {
    check_param(s.figures[i].color_by, fsa.index(i).key("color_by"));
    check_param(s.figures[i].shape_by, fsa.index(i).key("shape_by"));
  }

  // Every point that will be evaluated is checked now, before any build,
  // simulation or synthesis: its design (keys, types, RTL legality), its
  // model shape. Points dropped by a filter or made infeasible by a
  // constraint are exempt (they are never evaluated).
  // A fidelity given on the command line replaces the file's, and is
  // stored with the sweep (DIR/sweep.json) so that `llamaf report` knows it.
  if (fidelity) {
    s.fidelity = *fidelity;
    if (!s.resolved.contains("evaluate") || !s.resolved["evaluate"].is_object())
      s.resolved["evaluate"] = json::object();
    s.resolved["evaluate"]["fidelity"] = to_string(*fidelity);
  }
  (void)combination_count(s);  // the product's size against the fidelity's limit
  // The analytical screen checks every point itself and counts the illegal
  // ones by rule (screen.h): a space of 10^7 points is never expanded.
  if (s.fidelity == Fidelity::kRtl) validate_points(s);

  // The hash covers what decides the points and their evaluation, not the
  // name, texts, objectives, report settings or run options: changing those
  // keeps a folder resumable and shards mergeable.
  json hashed = json::object();
  for (const char* k : {"base", "parameters", "filters"})
    if (s.resolved.contains(k)) hashed[k] = s.resolved[k];
  if (s.resolved.contains("constraints")) {
    json before = json::array();
    for (std::size_t i = 0; i < s.constraints.size(); ++i)
      if (!s.constraints[i].after_evaluation) before.push_back(s.resolved["constraints"][i]);
    if (!before.empty() || s.constraints.empty()) hashed["constraints"] = before;
  }
  hashed["evaluate"] = s.evaluate;
  s.hash = json_hash(hashed);
  return s;
}

void set_path(json& root, const std::string& path, const json& value, const std::string& where) {
  json* cur = &root;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (cur->is_null()) *cur = json::object();
    if (!cur->is_object())
      throw_error("{}: cannot set '{}': '{}' is not an object", where, path, part);
    if (dot == std::string::npos) {
      (*cur)[part] = value;
      return;
    }
    cur = &(*cur)[part];
    start = dot + 1;
  }
}


std::optional<ExprValue> to_expr_value(const json& v) {
  if (v.is_boolean()) return ExprValue::num(v.get<bool>() ? 1 : 0);
  if (v.is_number()) return ExprValue::num(v.get<double>());
  if (v.is_string()) return ExprValue::str(v.get<std::string>());
  return std::nullopt;
}

std::optional<ExprValue> point_value(const Point& p, const std::string& name) {
  if (auto it = p.params.find(name); it != p.params.end()) return to_expr_value(*it);
  if (name.find('.') != std::string::npos)
    if (const json* v = get_path(p.resolved, name)) return to_expr_value(*v);
  return std::nullopt;
}

std::size_t combination_count(const Sweep& s) {
  const std::size_t cap = s.fidelity == Fidelity::kRtl ? kMaxCombinations : kMaxScreenCombinations;
  std::size_t total = 1;
  for (const auto& p : s.params) {
    if (total > cap / p.values.size())
      throw_error("{}: parameters: the sweep has more than {} combinations{}", s.file.string(), cap,
                  s.fidelity == Fidelity::kRtl
                      ? fmt::format(" (the limit of evaluate.fidelity \"rtl\"; \"analytical\" and "
                                    "\"auto\" screen up to {})",
                                    kMaxScreenCombinations)
                      : std::string());
    total *= p.values.size();
  }
  return total;
}

std::vector<std::size_t> index_digits(const Sweep& s, std::size_t index) {
  // Mixed-radix digits: the first parameter varies slowest.
  std::vector<std::size_t> digit(s.params.size(), 0);
  for (std::size_t i = s.params.size(); i-- > 0;) {
    digit[i] = index % s.params[i].values.size();
    index /= s.params[i].values.size();
  }
  return digit;
}

namespace {

// The point's parameters, content and id (constraints not yet checked).
Point point_content(const Sweep& s, std::size_t index) {
  const std::vector<std::size_t> digit = index_digits(s, index);
  Point p;
  p.index = index;
  p.params = json::object();
  json r = {{"design", s.base["design"]}, {"board", s.base["board"]}, {"model", s.base["model"]},
            {"energy", s.base["energy"]}, {"evaluate", s.evaluate}};
  // Whole configs first, so that key overrides apply on top of them.
  for (std::size_t i = 0; i < s.params.size(); ++i)
    if (!s.params[i].configs.empty()) r[s.params[i].targets[0]] = s.params[i].configs[digit[i]];
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    const json& v = s.params[i].values[digit[i]];
    p.params[s.params[i].name] = v;
    if (!s.params[i].configs.empty()) continue;
    for (const auto& t : s.params[i].targets)
      set_path(r, t, v, fmt::format("{}: parameters[{}].set", s.file.string(), i));
  }
  r["params"] = p.params;
  p.resolved = std::move(r);
  p.id = json_hash(p.resolved);
  return p;
}

void check_constraints(const Sweep& s, Point& p) {
  auto lookup = [&p](const std::string& name) { return point_value(p, name); };
  for (const auto& c : s.constraints)
    if (!c.after_evaluation && !c.expr.test(lookup)) {
      p.infeasible = c.reason;
      break;
    }
}

}  // namespace

Point resolve_point(const Sweep& s, std::size_t index) {
  Point p = point_content(s, index);
  check_constraints(s, p);
  return p;
}

std::optional<Point> point_at(const Sweep& s, std::size_t index) {
  Point p = point_content(s, index);
  auto lookup = [&p](const std::string& name) { return point_value(p, name); };
  for (const auto& f : s.filters)
    if (!f.test(lookup)) return std::nullopt;
  check_constraints(s, p);
  return p;
}

Expansion expand(const Sweep& s) {
  Expansion e;
  std::size_t total = 1;
  for (const auto& p : s.params) {
    if (total > kMaxCombinations / p.values.size())
      throw_error("{}: parameters: the sweep has more than {} combinations", s.file.string(),
                  kMaxCombinations);
    total *= p.values.size();
  }
  e.combinations = total;
  for (std::size_t index = 0; index < total; ++index) {
    std::optional<Point> p = point_at(s, index);
    if (!p) {
      ++e.filtered_out;
      continue;
    }
    e.points.push_back(std::move(*p));
  }
  return e;
}

Fidelity fidelity_from_string(const std::string& text, const std::string& where) {
  if (text == "rtl") return Fidelity::kRtl;
  if (text == "analytical") return Fidelity::kAnalytical;
  if (text == "auto") return Fidelity::kAuto;
  throw_error("{}: expected \"rtl\", \"analytical\" or \"auto\", got \"{}\"", where, text);
}

const char* to_string(Fidelity f) {
  switch (f) {
    case Fidelity::kRtl: return "rtl";
    case Fidelity::kAnalytical: return "analytical";
    case Fidelity::kAuto: return "auto";
  }
  return "rtl";
}

Shard Shard::parse(const std::string& text) {
  const std::size_t slash = text.find('/');
  auto bad = [&]() { throw_error("--shard '{}': expected K/N with 1 <= K <= N, e.g. 2/8", text); };
  if (slash == std::string::npos) bad();
  Shard s;
  try {
    std::size_t used = 0;
    s.k = std::stoi(text.substr(0, slash), &used);
    if (used != slash) bad();
    const std::string ns = text.substr(slash + 1);
    s.n = std::stoi(ns, &used);
    if (used != ns.size()) bad();
  } catch (const std::logic_error&) {
    bad();
  }
  if (s.n < 1 || s.k < 1 || s.k > s.n) bad();
  return s;
}

bool Shard::contains(std::size_t ordinal) const {
  return ordinal % static_cast<std::size_t>(n) == static_cast<std::size_t>(k - 1);
}

}  // namespace llamaf::dse
