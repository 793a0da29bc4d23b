// Sweep files (configs/sweeps/*.json, docs/explore.md): what to vary, over
// which base configs, which points to drop (filters) or mark infeasible
// (constraints), and what to report. Expansion into design points with
// stable content-hash ids, and sharding by id.
#pragma once

#include "explorer/expr.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace llamaf::dse {

// One swept parameter: its name (in expressions and as a CSV column), where
// its value is written in the resolved point, and the expanded values.
struct ParamSpec {
  std::string name;
  std::vector<std::string> targets;     // "design.NumPe", "evaluate.accuracy_tokens", ...
  std::vector<nlohmann::json> values;   // numbers (integers stay integers), strings or booleans
  std::string unit;                     // free text for the report ("MHz"); optional
  // A whole-config axis ("set": "board" / "model" / "design" / "energy"):
  // values are config file paths, and configs[i] is the content of values[i].
  std::vector<nlohmann::json> configs;
};

struct Constraint {
  Expr expr;
  std::string reason;  // shown for infeasible points; defaults to the expression
  // Reads an evaluated metric (`lut_util <= 0.5`, `fits_board`): checked on
  // each result after evaluation (selection.h), not at expansion.
  bool after_evaluation = false;
};

// Which evaluated points may be the best point or on the Pareto front
// (report.keep_timing_failures / report.keep_board_misfits; selection.h).
struct SelectionRules {
  bool keep_timing_failures = false;  // timing_met == false stays a candidate
  bool keep_board_misfits = false;    // fits_board == false stays a candidate
  // report.pareto_tolerance: relative tolerance of the Pareto front
  // (epsilon-dominance, pareto.h); 0 = exact dominance.
  double pareto_tolerance = 0;
};

struct Objective {
  std::string metric;  // a metric key, e.g. "tokens_per_s"
  bool maximize = true;
};

// One column of table.tex.
struct TableColumn {
  std::string key;     // parameter name or metric key (or "id")
  std::string label;   // LaTeX header text (written as is); "" = the metric's label, escaped
  std::string unit;    // header unit, escaped; "" = the metric's (parameter's) unit unless a
                       // label or scale is given
  std::string format;  // fmt spec for numbers, e.g. "{:.2f}"; "" = shortest
  double scale = 1.0;  // value multiplied by this first (e.g. 100 for percent)
};

struct TableSpec {
  std::vector<TableColumn> columns;  // empty: every parameter + objective
  std::string rows = "pareto";       // "pareto", "ok" (all evaluated) or "all"
  std::string sort_by;               // column key; "" = sweep order
  bool descending = false;
  std::string caption, label;
};

// An extra figure: y against x over the evaluated points.
struct FigureSpec {
  std::string name;  // file stem: figures/<name>.{pdf,svg}
  std::string title, x, y, xlabel, ylabel;  // labels "": the metric's label and unit
  bool logx = false, logy = false;
  std::string color_by, shape_by;  // parameters; "" = FigureStyle's
};

// How scatter figures mark points (report.figures as an object): colour and
// point shape by a swept parameter each ("" = the parameters with the most
// distinct values among the evaluated points, "none" = not at all), and
// whether points carry a label with their parameter values.
struct FigureStyle {
  std::string color_by, shape_by;
  bool labels = false;
};

// How a sweep's points are evaluated (evaluate.fidelity, `llamaf explore
// --fidelity`): every point cycle-accurately in its own subprocess ("rtl"),
// every point by the analytical model only ("analytical", explorer/screen.h),
// or the whole space analytically and then the front and the points near it
// cycle-accurately ("auto"). Not part of a point's content: a point has the
// same id whatever the fidelity, so folders stay resumable across them.
enum class Fidelity { kRtl, kAnalytical, kAuto };
// "rtl" / "analytical" / "auto"; throws naming `where` for another string.
Fidelity fidelity_from_string(const std::string& text, const std::string& where);
const char* to_string(Fidelity f);

// evaluate.confirm: which screened points `auto` confirms cycle-accurately:
// the analytical Pareto front and the points within `margin` of it (a point
// whose objectives, each improved by `margin` relative to its value, would
// not be dominated by the front), at most `max_points` in all (the front
// first). Not part of the config hash.
// With `all`, every candidate is near enough (a check of the model on a
// small sweep: every point confirmed, the nearest first, up to max_points).
struct ConfirmOptions {
  double margin = 0.05;
  std::size_t max_points = 12;
  bool all = false;
};

struct Sweep {
  std::filesystem::path file;  // where it was read from (for messages)
  std::string name, description;
  // Resolved base configs: {"design": {...}, "board": {...}|null,
  // "model": {...}, "energy": {...}|null} (file contents or inline objects).
  nlohmann::json base;
  nlohmann::json base_sources;  // per base key: the path it came from, or "inline"
  nlohmann::json evaluate;      // evaluation options with defaults filled in
  std::vector<ParamSpec> params;
  std::vector<Expr> filters;
  std::vector<Constraint> constraints;
  std::vector<Objective> objectives;
  TableSpec table;
  std::vector<FigureSpec> figures;
  FigureStyle figure_style;
  SelectionRules selection;
  // report.recommend_by: a parameter name; report.md then recommends the
  // best points per objective for each of its values too (e.g. per
  // WeightBits: the fastest W8 and the fastest W4 engine). Empty: overall only.
  std::string recommend_by;
  double timeout_s = 3600.0;  // per-point subprocess limit
  Fidelity fidelity = Fidelity::kRtl;  // evaluate.fidelity (or --fidelity)
  ConfirmOptions confirm;              // evaluate.confirm
  // The sweep as a self-contained JSON (base paths replaced by contents):
  // what `llamaf explore` stores in DIR/sweep.json and `report` re-reads.
  nlohmann::json resolved;
  // json_hash of base (contents), evaluate (with defaults), parameters,
  // filters and the constraints checked at expansion: resume and merge check
  // it. Post-evaluation constraints only change how stored results are
  // reported, so they are left out: tightening one keeps a folder resumable.
  std::string hash;
};

// Reads and validates a sweep file. Errors name the file, the key path
// (e.g. "parameters[1].step") and what was expected. `fidelity` (the
// command line's --fidelity) overrides evaluate.fidelity, and is written
// into `resolved` so that the stored sweep remembers it.
Sweep load_sweep(const std::filesystem::path& path, std::optional<Fidelity> fidelity = std::nullopt);
// Same from a parsed JSON; relative base/checkpoint paths are taken from
// `dir`; `file` is used in messages. Every point is checked at load
// (design, legality, model, port map) for fidelity "rtl" only: the
// analytical screen counts illegal points by rule instead (screen.h).
Sweep parse_sweep(const nlohmann::json& j, const std::filesystem::path& file,
                  const std::filesystem::path& dir,
                  std::optional<Fidelity> fidelity = std::nullopt);

// One design point of an expansion.
struct Point {
  std::size_t index = 0;   // position in the full cartesian product (stable across shards)
  std::string id;          // json_hash(resolved): 16 hex digits
  nlohmann::json params;   // name -> value
  // Hashed content: {"params", "design", "board", "model", "energy", "evaluate"}.
  nlohmann::json resolved;
  std::string infeasible;  // non-empty: the reason of the first violated constraint
};

struct Expansion {
  std::vector<Point> points;        // kept points (feasible or not), in index order
  std::size_t combinations = 0;     // size of the cartesian product
  std::size_t filtered_out = 0;     // dropped by filters
};

// Maximum cartesian-product size expand() accepts (and a sweep of fidelity
// "rtl" may have).
inline constexpr std::size_t kMaxCombinations = 1'000'000;
// Maximum for fidelity "analytical" and "auto": the screen iterates the
// product by index and never materializes it.
inline constexpr std::size_t kMaxScreenCombinations = 100'000'000;

// The size of the cartesian product; throws (naming the file) when it
// exceeds the limit of the sweep's fidelity.
std::size_t combination_count(const Sweep& sweep);

// The point at `index` of the cartesian product (0 <= index <
// combination_count): parameters, resolved content and id, `infeasible`
// from the constraints checked at expansion; filters are not applied.
Point resolve_point(const Sweep& sweep, std::size_t index);
// The same, or nullopt when a filter drops it: what expand() keeps.
std::optional<Point> point_at(const Sweep& sweep, std::size_t index);
// Every parameter's value position (digit) of `index`, first parameter
// varying slowest.
std::vector<std::size_t> index_digits(const Sweep& sweep, std::size_t index);

// Every kept point (point_at over the whole product); at most
// kMaxCombinations combinations, whatever the fidelity.
Expansion expand(const Sweep& sweep);

// Value of a name in expressions over a point: a parameter name, or a dotted
// path into the resolved point ("design.ActBufCols", "model.dim").
std::optional<ExprValue> point_value(const Point& p, const std::string& name);

// Sets `value` at a dotted path inside `root` ("design.rtl.NumPe"),
// creating objects on the way; throws naming `where` when a step is not an
// object.
void set_path(nlohmann::json& root, const std::string& path, const nlohmann::json& value,
              const std::string& where);
// A JSON value as an expression value: booleans as 0/1, numbers, strings;
// nullopt for anything else.
std::optional<ExprValue> to_expr_value(const nlohmann::json& v);

// --shard K/N: parses "K/N" (1 <= K <= N); errors quote the text.
struct Shard {
  int k = 1, n = 1;
  static Shard parse(const std::string& text);
  // Disjoint, complete and balanced: the point at `ordinal` (its position in
  // Expansion::points, fixed by the sweep) is in shard (ordinal mod n) + 1,
  // so every shard holds floor or ceil of points/n. (Ids are not used: they
  // are hashes of points that differ in few bits, and their residues need
  // not spread.)
  bool contains(std::size_t ordinal) const;
};

}  // namespace llamaf::dse
