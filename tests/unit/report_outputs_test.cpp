// Report outputs a paper uses as they are: table.tex (escaping, units,
// aligned numbers, compiled with pdflatex), the metric registry and
// results.schema.json, float precision, the epsilon-Pareto front, report.md's
// provenance and recommended design, and every figure rendered by gnuplot.
#include "explorer/compare.h"
#include "explorer/figures.h"
#include "explorer/metrics.h"
#include "explorer/pareto.h"
#include "explorer/report.h"
#include "explorer/subprocess.h"
#include "explorer/sweep.h"
#include "explorer/text_format.h"

#include "tests/support/files.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace llamaf::dse;
using llamaf::test::read_file;

namespace {

struct TempDir : llamaf::test::TempDir {
  TempDir() : llamaf::test::TempDir("llamaf-report-test") {}
};

fs::path fixture(const std::string& name) {
  return fs::path(LLAMAF_SOURCE_DIR) / "tests" / "data" / "explore" / name;
}

fs::path fixture_copy(const TempDir& t, const std::string& name, const std::string& as = "run") {
  const fs::path dst = t.path / as;
  fs::create_directories(dst);
  for (const char* f : {"sweep.json", "results.jsonl"}) fs::copy_file(fixture(name) / f, dst / f);
  return dst;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// A sweep whose strings hold every LaTeX special, and no objectives.
json special_sweep() {
  return {{"name", "specials"},
          {"base",
           {{"model",
             {{"dim", 64}, {"hidden_dim", 128}, {"n_layers", 2}, {"n_heads", 4}, {"n_kv_heads", 4},
              {"vocab_size", 256}, {"seq_len", 64}}},
            {"design", {{"rtl", {{"ActBits", 8}, {"GroupSize", 64}}}}}}},
          {"parameters",
           json::array({{{"name", "Group_Size"}, {"set", json::array()}, {"values", {"a_b", "50%&#$"}}},
                        {{"name", "Note"}, {"set", json::array()}, {"values", {"x^2~{}\\|<>"}}}})},
          {"report", {{"table", {{"caption", "Costs & 100% of {it} in $"}}}}}};
}

std::vector<json> special_records() {
  auto rec = [](const char* id, int index, const char* g, double tps, int lut) {
    return json{{"id", id},
                {"index", index},
                {"status", "ok"},
                {"params", {{"Group_Size", g}, {"Note", "x^2~{}\\|<>"}}},
                {"metrics",
                 {{"tokens_per_s", tps}, {"lut", lut}, {"quant", "w4_a8 #1"}, {"timing_slack_ns", -0.25}}}};
  };
  return {rec("p0", 0, "a_b", 1.6700000000000002, 30000), rec("p1", 1, "50%&#$", 12.5, 41000)};
}

// The cells of the data rows of a tabular (between \midrule and \bottomrule).
std::vector<std::vector<std::string>> body_cells(const std::string& tex) {
  const auto a = tex.find("\\midrule\n"), b = tex.find("\\bottomrule");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(tex.substr(a + 9, b - a - 9));
  for (std::string line; std::getline(in, line);) {
    const auto end = line.rfind("\\\\");
    if (end == std::string::npos) continue;
    line = line.substr(0, end);
    std::vector<std::string> cells;
    std::size_t pos = 0;
    for (std::size_t amp; (amp = line.find(" & ", pos)) != std::string::npos; pos = amp + 3)
      cells.push_back(line.substr(pos, amp - pos));
    cells.push_back(line.substr(pos));
    for (auto& c : cells) c = std::regex_replace(c, std::regex("^\\s+|\\s+$"), "");
    rows.push_back(cells);
  }
  return rows;
}

// Compiles `tables` (table.tex texts) in one document; "" when pdflatex
// succeeded, else its log's error lines. nullopt: pdflatex is not installed.
std::optional<std::string> compile_latex(const fs::path& dir, const std::vector<std::string>& tables) {
  const auto pdflatex = find_program("pdflatex");
  if (!pdflatex) return std::nullopt;
  std::string doc = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n";
  for (std::size_t i = 0; i < tables.size(); ++i) {
    llamaf::test::write_file(dir / fmt::format("table{}.tex", i), tables[i]);
    doc += fmt::format("\\input{{table{}.tex}}\n", i);
  }
  doc += "\\end{document}\n";
  llamaf::test::write_file(dir / "doc.tex", doc);
  const fs::path log = dir / "pdflatex.out";
  const std::string cd = dir.string();
  const ProcessResult r = run_process(
      {"sh", "-c", "cd '" + cd + "' && '" + pdflatex->string() +
                       "' -interaction=nonstopmode -halt-on-error doc.tex"},
      log, 120);
  if (r.exited_ok() && fs::exists(dir / "doc.pdf") && fs::file_size(dir / "doc.pdf") > 0) return "";
  std::string errors;
  std::istringstream in(read_file(log));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '!') errors += line + "\n";
  return errors.empty() ? read_file(log) : errors;
}

}  // namespace

TEST_CASE("table.tex: every string escaped, units in the header, aligned numbers, rows "
          "without objectives",
          "[report]") {
  const Sweep s = parse_sweep(special_sweep(), "specials.json", ".");
  REQUIRE(s.objectives.empty());
  REQUIRE(s.table.rows == "pareto");
  const std::string tex = latex_table(s, special_records());
  INFO(tex);
  // Escaped parameter names, values, caption.
  CHECK(tex.find("Group\\_Size") != std::string::npos);
  CHECK(tex.find("a\\_b") != std::string::npos);
  CHECK(tex.find("50\\%\\&\\#\\$") != std::string::npos);
  CHECK(tex.find("x\\textasciicircum{}2\\textasciitilde{}\\{\\}\\textbackslash{}\\textbar{}"
                 "\\textless{}\\textgreater{}") != std::string::npos);
  CHECK(tex.find("\\caption{Costs \\& 100\\% of \\{it\\} in \\$}") != std::string::npos);
  // No objectives: no Pareto front, so every evaluated point is a row, with
  // the headline metrics the rows have and their units.
  const auto rows = body_cells(tex);
  REQUIRE(rows.size() == 2);
  CHECK(tex.find("throughput (tokens/s)") != std::string::npos);
  CHECK(tex.find("LUTs") != std::string::npos);
  // Same decimals down a float column (aligned on the point when right-aligned).
  CHECK(rows[0][2] == "1.7");
  CHECK(rows[1][2] == "12.5");
  CHECK(tex.find("{llrr}") != std::string::npos);

  // A string metric column is escaped too; a negative number gets a real minus.
  json j = special_sweep();
  j["report"]["table"]["columns"] = json::array({"quant", "timing_slack_ns"});
  const std::string tex2 = latex_table(parse_sweep(j, "specials.json", "."), special_records());
  INFO(tex2);
  CHECK(tex2.find("w4\\_a8 \\#1") != std::string::npos);
  CHECK(tex2.find("$-$0.250") != std::string::npos);
  CHECK(tex2.find("timing slack (ns)") != std::string::npos);
}

TEST_CASE("table.tex: the generated tables compile with pdflatex", "[report]") {
  TempDir t;
  std::vector<std::string> tables;
  tables.push_back(latex_table(parse_sweep(special_sweep(), "specials.json", "."), special_records()));
  for (const char* f : {"report_fixture", "figures_fixture"}) {
    const fs::path dir = fixture_copy(t, f, f);
    write_report(dir, ReportOptions{""});
    tables.push_back(read_file(dir / "table.tex"));
  }
  // A sweep without results: a table with a "no evaluated point" row.
  tables.push_back(latex_table(parse_sweep(special_sweep(), "specials.json", "."), {}));
  const fs::path build = t.path / "latex";
  fs::create_directories(build);
  const auto result = compile_latex(build, tables);
  if (!result) {
    if (in_ci()) FAIL("pdflatex not installed in CI: .ci/deps.sh installs texlive-latex-base and "
                      "texlive-latex-recommended");
    std::cout << "LLAMAF-SKIPPED: pdflatex not installed (apt-get install texlive-latex-base "
                 "texlive-latex-recommended); table.tex compilation not checked\n";
    return;
  }
  INFO(*result);
  CHECK(result->empty());
  // The check can fail: an unescaped underscore does not compile.
  const auto broken = compile_latex(build, {"\\begin{tabular}{l}Group_Size\\end{tabular}\n"});
  REQUIRE(broken);
  CHECK_FALSE(broken->empty());
}

TEST_CASE("metric registry: one name, unit, type and definition per metric, and docs/metrics.md "
          "is generated from it",
          "[report]") {
  std::set<std::string> keys;
  for (const MetricDef& d : metric_defs()) {
    INFO(d.key);
    CHECK(keys.insert(d.key).second);
    CHECK(std::set<std::string>{"number", "integer", "boolean", "string"}.contains(d.type));
    CHECK(std::set<std::string>{"", "higher", "lower"}.contains(d.better));
    CHECK_FALSE(d.definition.empty());
    CHECK_FALSE(d.label.empty());
  }
  CHECK(is_metric_key("op_latency_us.matvec"));
  CHECK(find_metric("op_latency_us.matvec")->unit == "us");
  CHECK_FALSE(is_metric_key("sim_percent_of_roofline"));
  CHECK(renamed_metric("sim_percent_of_roofline") == "roofline_percent");
  CHECK(metric_axis_label("tokens_per_s") == "throughput (tokens/s)");
  // docs/metrics.md holds the registry's table as generated.
  const std::string doc = read_file(fs::path(LLAMAF_SOURCE_DIR) / "docs" / "metrics.md");
  INFO("docs/metrics.md is out of date: replace its table with `build/llamaf metrics --markdown`");
  CHECK(doc.find(metrics_markdown()) != std::string::npos);
}

TEST_CASE("roofline: one definition, the lower of the memory and compute roofs", "[report]") {
  json m = {{"macs_per_token", 1000000},       {"image_bytes_per_token", 500000},
            {"roofline_bandwidth_gb_s", 3.2},  {"compute_peak_gmac_s", 1.6},
            {"tokens_per_s", 800.0},           {"sim_percent_of_roofline", 12.0}};
  add_derived_metrics(m);
  CHECK(m["operational_intensity_macs_per_byte"].get<double>() == Approx(2.0));
  // memory roof 3.2e9 / 5e5 = 6400 tokens/s; compute roof 1.6e9 / 1e6 = 1600.
  CHECK(m["roofline_tokens_per_s"].get<double>() == Approx(1600));
  CHECK(m["roofline_bound"] == "compute");
  CHECK(m["roofline_percent"].get<double>() == Approx(50));
  CHECK_FALSE(m.contains("sim_percent_of_roofline"));
  m["compute_peak_gmac_s"] = 16.0;
  add_derived_metrics(m);
  CHECK(m["roofline_tokens_per_s"].get<double>() == Approx(6400));
  CHECK(m["roofline_bound"] == "memory");
  CHECK(m["roofline_percent"].get<double>() == Approx(12.5));
}

TEST_CASE("floats: 6 significant digits in the outputs, integers and large values exact",
          "[report]") {
  CHECK(csv_cell(json(1.6700000000000002)) == "1.67");
  CHECK(csv_cell(json(0.1 + 0.2)) == "0.3");
  CHECK(csv_cell(json(333.33333333)) == "333.333");
  CHECK(csv_cell(json(1234567.8)) == "1234568.0");
  CHECK(csv_cell(json(98304)) == "98304");
  CHECK(csv_cell(json(-2.5e-7)) == "-2.5e-07");
  CHECK(md_value(json(52000.0)) == "52000");
}

TEST_CASE("results.schema.json: every results.csv column with its kind, type and unit",
          "[report]") {
  TempDir t;
  const fs::path dir = fixture_copy(t, "figures_fixture");
  write_report(dir, ReportOptions{""});
  const json schema = json::parse(read_file(dir / "results.schema.json"));
  std::istringstream csv(read_file(dir / "results.csv"));
  std::string header;
  std::getline(csv, header);
  std::vector<std::string> cols;
  std::stringstream hs(header);
  for (std::string c; std::getline(hs, c, ',');) cols.push_back(c);
  CHECK(schema["columns"].get<std::vector<std::string>>() == cols);
  for (const auto& c : cols) {
    INFO(c);
    REQUIRE(schema["properties"].contains(c));
    CHECK(schema["properties"][c].contains("kind"));
    CHECK(schema["properties"][c].contains("description"));
  }
  CHECK(schema["properties"]["tokens_per_s"]["unit"] == "tokens/s");
  CHECK(schema["properties"]["op_latency_us.matvec"]["unit"] == "us");
  CHECK(schema["properties"]["NumPe"]["kind"] == "parameter");
  CHECK(schema["properties"]["NumPe"]["unit"] == "MACs/cycle");
  CHECK(schema["properties"]["lut"]["better"] == "lower");
  // No float in results.csv carries round-off digits.
  CHECK(read_file(dir / "results.csv").find("0000000") == std::string::npos);
}

TEST_CASE("pareto: a relative tolerance drops points better only within it", "[report]") {
  auto rec = [](const char* id, double tps, double lut) {
    return json{{"id", id}, {"status", "ok"}, {"params", json::object()},
                {"metrics", {{"tokens_per_s", tps}, {"lut", lut}}}};
  };
  // b is 0.01 % faster than a but needs 50 % more LUTs.
  const std::vector<json> r = {rec("a", 10.0, 20000), rec("b", 10.001, 30000), rec("c", 20, 60000)};
  const std::vector<Objective> o = {{"tokens_per_s", true}, {"lut", false}};
  CHECK(pareto_front(r, o).members == std::vector<std::size_t>{0, 1, 2});
  SelectionRules tol;
  tol.pareto_tolerance = 0.01;
  CHECK(pareto_front(r, o, tol).members == std::vector<std::size_t>{0, 2});
  // Points within the tolerance in every objective are all kept (ties).
  const std::vector<json> ties = {rec("a", 10.0, 20000), rec("b", 10.001, 20001)};
  CHECK(pareto_front(ties, o, tol).members.size() == 2);
  // The sweep option.
  json j = special_sweep();
  j["report"]["pareto_tolerance"] = 0.02;
  CHECK(parse_sweep(j, "s.json", ".").selection.pareto_tolerance == 0.02);
  j["report"]["pareto_tolerance"] = 1.5;
  CHECK_THROWS_WITH(parse_sweep(j, "s.json", "."), Catch::Contains("report.pareto_tolerance"));
}

TEST_CASE("report.md: how it was produced, and the recommended design first", "[report]") {
  TempDir t;
  const fs::path dir = fixture_copy(t, "figures_fixture");
  ReportOptions ro{""};
  ro.produced_by = "a fresh run of `llamaf explore` (15 points evaluated)";
  write_report(dir, ro);
  const std::string md = read_file(dir / "report.md");
  CHECK(md.find("Produced by a fresh run of `llamaf explore`") != std::string::npos);
  CHECK(md.find("no point was re-run") == std::string::npos);
  const auto rec = md.find("## Recommended design");
  REQUIRE(rec != std::string::npos);
  CHECK(rec < md.find("## What was swept"));
  // The fastest point overall misses timing (NumPe = 64); the recommendation
  // is the fastest that meets timing and fits: NumPe = 32, WeightBits = 4,
  // overlapped (index 9).
  const std::string first = md.substr(rec, md.find("\n- **min lut**") - rec);
  INFO(first);
  CHECK(first.find("`4ddef84d7d5bbe0f` (NumPe=32, WeightBits=4, Policy=overlapped)") != std::string::npos);
  CHECK(first.find("throughput 46296 tokens/s") != std::string::npos);
  CHECK(first.find("4616 LUTs") != std::string::npos);
  CHECK(md.find("- **min lut**: `16bab96dfd235dd5`") != std::string::npos);

  // `llamaf report` says so.
  write_report(dir, ReportOptions{""});
  CHECK(read_file(dir / "report.md").find("Produced by `llamaf report` from results.jsonl") !=
        std::string::npos);
}

TEST_CASE("report.md: report.recommend_by adds the best points per value of a parameter", "[report]") {
  TempDir t;
  const fs::path dir = fixture_copy(t, "figures_fixture");
  json stored = json::parse(read_file(dir / "sweep.json"));
  stored["sweep"]["report"]["recommend_by"] = "WeightBits";
  std::ofstream(dir / "sweep.json") << stored.dump(2);
  write_report(dir, ReportOptions{""});
  const std::string md = read_file(dir / "report.md");
  const auto w4 = md.find("### WeightBits = 4"), w8 = md.find("### WeightBits = 8");
  REQUIRE(w4 != std::string::npos);
  REQUIRE(w8 != std::string::npos);
  CHECK(md.find("## What was swept") > std::max(w4, w8));
  // The overall fastest qualifying point is a W4 one (above); the W4
  // section names it again, the W8 section a W8 point.
  auto section = [&](std::size_t from) { return md.substr(from, md.find("\n#", from + 3) - from); };
  const std::string s4 = section(w4), s8 = section(w8);
  CHECK(s4.find("- **max tokens_per_s**: `4ddef84d7d5bbe0f`") != std::string::npos);
  INFO(s8);
  CHECK(s8.find("- **max tokens_per_s**: `") != std::string::npos);
  CHECK(s8.find("WeightBits=8") != std::string::npos);
  CHECK(s8.find("WeightBits=4") == std::string::npos);
  // An unknown parameter is refused when the sweep is read.
  json j = special_sweep();
  j["report"]["recommend_by"] = "Group_Siz";
  CHECK_THROWS_WITH(parse_sweep(j, "s.json", "."),
                    Catch::Contains("report.recommend_by") && Catch::Contains("Group_Size"));
  j["report"]["recommend_by"] = "Group_Size";
  CHECK(parse_sweep(j, "s.json", ".").recommend_by == "Group_Size");
}

TEST_CASE("figures: every figure of a fixture sweep rendered, keyed by parameters, relative paths",
          "[report][figures]") {
  TempDir t;
  const fs::path dir = fixture_copy(t, "figures_fixture");
  const char* figures[] = {"tokens_per_s_vs_lut", "tokens_per_s_vs_dsp", "tokens_per_j_vs_accuracy",
                           "accuracy_vs_bits_per_weight", "roofline", "time_breakdown"};
  // The scripts and data exist without gnuplot, and hold no absolute path.
  write_report(dir, ReportOptions{""});
  for (const char* f : figures) {
    INFO(f);
    const std::string gp = read_file(dir / "figures" / (std::string(f) + ".gp"));
    REQUIRE_FALSE(gp.empty());
    CHECK(gp.find(dir.string()) == std::string::npos);
    CHECK(gp.find("\"/") == std::string::npos);
    CHECK(gp.find("size 3.4in") != std::string::npos);
  }
  // Colour and shape by the two parameters with most values (NumPe: 4,
  // then WeightBits and Policy: 2, sweep order), with a legend.
  const std::vector<json> recs = [&] {
    std::vector<json> v;
    std::istringstream in(read_file(dir / "results.jsonl"));
    for (std::string l; std::getline(in, l);) v.push_back(json::parse(l));
    return v;
  }();
  const Sweep sweep = load_stored_sweep(dir);
  CHECK(figure_grouping(sweep, recs, "", "") == std::pair<std::string, std::string>{"NumPe", "WeightBits"});
  CHECK(figure_grouping(sweep, recs, "Policy", "none") == std::pair<std::string, std::string>{"Policy", ""});
  const std::string lut_gp = read_file(dir / "figures" / "tokens_per_s_vs_lut.gp");
  CHECK(lut_gp.find("title \"NumPe = 64\"") != std::string::npos);
  CHECK(lut_gp.find("title \"WeightBits = 8\"") != std::string::npos);
  CHECK(lut_gp.find("title \"Pareto front\"") != std::string::npos);
  // The Pareto line of tokens/s against LUTs: candidates only (NumPe = 64
  // misses timing), increasing in both.
  const std::string dat = read_file(dir / "figures" / "tokens_per_s_vs_lut.dat");
  const std::string front = dat.substr(dat.find("# Pareto front"));
  std::istringstream fin(front);
  std::string line;
  std::getline(fin, line);
  double last_x = -1, last_y = -1;
  int n = 0;
  while (std::getline(fin, line)) {
    double x = 0, y = 0;
    std::istringstream(line) >> x >> y;
    CHECK(x > last_x);
    CHECK(y > last_y);
    CHECK(x < 7000);  // no NumPe = 64 point (they have >= 7132 LUTs)
    last_x = x;
    last_y = y;
    ++n;
  }
  CHECK(n >= 3);
  // Roofline: the board's roofs and each design's compute roof.
  const std::string roof = read_file(dir / "figures" / "roofline.gp");
  CHECK(roof.find("DDR peak 19.2 GB/s") != std::string::npos);
  CHECK(roof.find("PL-PS ports 3.2 GB/s") != std::string::npos);
  for (const char* c : {"compute 1.6 GMAC/s", "compute 3.2 GMAC/s", "compute 6.4 GMAC/s", "compute 12.8 GMAC/s"})
    CHECK(roof.find(c) != std::string::npos);
  // Time breakdown: ms, keyed by parameter values, at most 8 series with the
  // small operators grouped.
  const std::string tb = read_file(dir / "figures" / "time_breakdown.dat");
  std::istringstream tin(tb);
  std::string head, row;
  std::getline(tin, head);
  std::getline(tin, row);
  CHECK(head.find("other host ops") != std::string::npos);
  CHECK(std::count(head.begin(), head.end(), '\t') == 8);
  CHECK(row.rfind("8/4/serial\t", 0) == 0);
  CHECK(read_file(dir / "figures" / "time_breakdown.gp").find("(ms)") != std::string::npos);

  if (!find_program("gnuplot")) {
    if (in_ci()) FAIL("gnuplot not installed in CI (.ci/deps.sh installs gnuplot-nox)");
    std::cout << "LLAMAF-SKIPPED: gnuplot not installed; figures not rendered\n";
    return;
  }
  const ReportSummary s = write_report(dir, ReportOptions{"gnuplot"});
  CHECK(s.figure_problems.empty());
  for (const char* f : figures) {
    INFO(f);
    CHECK(std::find(s.figures.begin(), s.figures.end(), f) != s.figures.end());
    for (const char* ext : {".pdf", ".svg"}) {
      const fs::path p = dir / "figures" / (std::string(f) + ext);
      REQUIRE(fs::exists(p));
      CHECK(fs::file_size(p) > 1000);
    }
    const std::string svg = read_file(dir / "figures" / (std::string(f) + ".svg"));
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(read_file(dir / "figures" / (std::string(f) + ".pdf")).rfind("%PDF", 0) == 0);
  }
  // The scripts regenerate the figures from inside a copy of figures/
  // elsewhere (relative paths only).
  const fs::path moved = t.path / "elsewhere";
  fs::create_directories(moved);
  fs::copy(dir / "figures", moved, fs::copy_options::recursive);
  fs::remove(moved / "roofline.pdf");
  CHECK(run_gnuplot("gnuplot", moved / "roofline.gp").empty());
  CHECK(fs::file_size(moved / "roofline.pdf") > 1000);
}

namespace {

// A `llamaf sim --report` JSON of one run (the fields compare reads).
json sim_report(double tokens_per_s, double matvec_s, int num_pe, const std::string& board) {
  const double positions = 4, seconds = positions / tokens_per_s;
  return {{"schema", "llamaf.sim.report/1"},
          {"mode", "full"},
          {"design", {{"name", "d"}, {"NumPe", num_pe}, {"WeightBits", 8}}},
          {"board", board},
          {"clock_mhz", 200.0},
          {"policy", "overlapped"},
          {"quant", "w8a8g64fp32"},
          {"model", {{"name", "tiny"}}},
          {"positions", positions},
          {"total",
           {{"cycles", seconds * 200e6},
            {"seconds", seconds},
            {"tokens_per_s", tokens_per_s},
            {"operators", {{"matvec", {{"seconds", matvec_s}}}, {"attention", {{"seconds", 1e-4}}}}},
            {"accelerator", {{"busy_cycles", 1000.0}, {"macs", 5000.0}, {"act_buf_reads", 10.0},
                             {"wgt_buf_writes", 10.0}, {"macs_per_busy_cycle", 5.0}}},
            {"dram", {{"activates", 10.0}, {"bytes_read", 1000.0}, {"bytes_written", 10.0},
                      {"achieved_gbps", 1.5}, {"row_hit_rate", 0.9}}},
            {"host", {{"busy_seconds", 1e-4}}},
            {"macs_by_bits", {{"w8a8", 5000.0}}}}}};
}

std::vector<std::string> csv_lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

}  // namespace

TEST_CASE("compare: two sweep folders paired by parameters, every metric's change, regressions",
          "[report][compare]") {
  TempDir t;
  const fs::path a = fixture_copy(t, "figures_fixture", "a");
  const fs::path b = fixture_copy(t, "figures_fixture", "b");
  // B: NumPe = 16 points 10 % slower with 100 more LUTs; one point 1 % faster
  // (within the 2 % threshold either way); one point missing.
  std::string out;
  std::istringstream in(read_file(a / "results.jsonl"));
  for (std::string l; std::getline(in, l);) {
    json r = json::parse(l);
    if (r["index"] == 14) continue;
    if (r["status"] == "ok" && r["params"]["NumPe"] == 16) {
      r["metrics"]["tokens_per_s"] = r["metrics"]["tokens_per_s"].get<double>() * 0.9;
      r["metrics"]["lut"] = r["metrics"]["lut"].get<int>() + 100;
    }
    if (r["index"] == 0) r["metrics"]["tokens_per_s"] = r["metrics"]["tokens_per_s"].get<double>() * 0.99;
    out += r.dump() + "\n";
  }
  llamaf::test::write_file(b / "results.jsonl", out);

  const CompareRun ra = load_compare_run(a), rb = load_compare_run(b);
  CHECK(ra.points.size() == 14);
  CHECK(rb.points.size() == 13);
  const Comparison c = compare_runs(ra, rb, 0.02);
  CHECK(c.key_params == std::vector<std::string>{"NumPe", "WeightBits", "Policy"});
  CHECK(c.paired == 13);
  CHECK(c.only_a == std::vector<std::string>{"NumPe=64, WeightBits=8, Policy=serial"});
  CHECK(c.only_b.empty());
  // 4 NumPe = 16 points x (tokens_per_s, lut, roofline_percent) regress.
  CHECK(c.regressions == 12);
  std::set<std::string> regressed;
  for (const auto& ch : c.changes)
    if (ch.regression) regressed.insert(ch.metric + "@" + ch.point);
  CHECK(regressed.contains("tokens_per_s@NumPe=16, WeightBits=4, Policy=serial"));
  CHECK(regressed.contains("lut@NumPe=16, WeightBits=8, Policy=overlapped"));
  CHECK_FALSE(regressed.contains("tokens_per_s@NumPe=8, WeightBits=4, Policy=serial"));
  for (const auto& ch : c.changes)
    if (ch.metric == "tokens_per_s" && ch.point == "NumPe=16, WeightBits=4, Policy=serial") {
      CHECK(ch.change_percent == Approx(-10));
      CHECK(ch.unit == "tokens/s");
    }
  // A tighter threshold flags the 1 % slowdown too (tokens/s and its share
  // of the roofline); a looser one nothing.
  CHECK(compare_runs(ra, rb, 0.005).regressions == 14);
  CHECK(compare_runs(ra, rb, 0.5).regressions == 0);

  // Files: every metric of every pair in the CSV, regressions in the Markdown.
  const fs::path dir = t.path / "cmp";
  const std::string problem = write_comparison(dir, ra, rb, c, "tokens_per_s", "");
  CHECK(problem.empty());
  const auto lines = csv_lines(read_file(dir / "compare.csv"));
  CHECK(lines[0] == "point,metric,unit,better,a,b,change,change_percent,regression");
  std::size_t regress_rows = 0, tps_rows = 0;
  for (const auto& l : lines) {
    regress_rows += l.ends_with(",true") ? 1 : 0;
    tps_rows += l.find(",tokens_per_s,") != std::string::npos ? 1 : 0;
  }
  CHECK(regress_rows == 12);
  CHECK(tps_rows == 13);
  const std::string md = read_file(dir / "compare.md");
  CHECK(md.find("13 points paired by `NumPe`, `WeightBits`, `Policy`") != std::string::npos);
  CHECK(md.find("only in A: NumPe=64, WeightBits=8, Policy=serial") != std::string::npos);
  CHECK(md.find("## Regressions (worse by more than 2 %)") != std::string::npos);
  CHECK(md.find("**regression**") != std::string::npos);
  const std::string fig = read_file(dir / "figures" / "compare.dat");
  CHECK(fig.find("16/4/serial\t") != std::string::npos);
  CHECK(read_file(dir / "figures" / "compare.gp").find("\"/") == std::string::npos);

  // The same run against itself: nothing changed.
  const Comparison same = compare_runs(ra, ra, 0.02);
  CHECK(same.paired == 14);
  CHECK(same.regressions == 0);
  for (const auto& ch : same.changes) CHECK(ch.change == 0);
}

TEST_CASE("compare: the llamaf command on two sim reports and on sweep folders", "[report][compare]") {
  TempDir t;
  const std::string llamaf = std::string(LLAMAF_BINARY_DIR) + "/llamaf";
  // Before/after an RTL change: same design parameters, 20 % slower.
  llamaf::test::write_file(t.path / "before.json", sim_report(1000, 2e-3, 16, "zcu102").dump());
  llamaf::test::write_file(t.path / "after.json", sim_report(800, 2.5e-3, 16, "zcu102").dump());
  const fs::path log = t.path / "log.txt";
  ProcessResult r = run_process({llamaf, "compare", (t.path / "before.json").string(),
                                 (t.path / "after.json").string(), "--out", (t.path / "c1").string(),
                                 "--fail-on-regression"},
                                log, 60);
  const std::string out = read_file(log);
  INFO(out);
  CHECK(r.exit_code == 3);  // a regression, and --fail-on-regression
  CHECK(out.find("1 points paired") != std::string::npos);
  CHECK(out.find("`tokens_per_s` (tokens/s) | 1000 | 800 | -200 (-20.0 %)") != std::string::npos);
  CHECK(out.find("`op_latency_us.matvec`") != std::string::npos);
  CHECK(fs::exists(t.path / "c1" / "compare.csv"));
  if (find_program("gnuplot")) CHECK(fs::file_size(t.path / "c1" / "figures" / "compare.pdf") > 1000);

  // Two boards: paired although a parameter differs, and the note says which.
  llamaf::test::write_file(t.path / "kv260.json", sim_report(700, 3e-3, 16, "kv260").dump());
  fs::remove(log);
  r = run_process({llamaf, "compare", (t.path / "before.json").string(), (t.path / "kv260.json").string(),
                   "--out", (t.path / "c2").string(), "--gnuplot", ""},
                  log, 60);
  const std::string out2 = read_file(log);
  INFO(out2);
  CHECK(r.exit_code == 0);
  CHECK(out2.find("board zcu102 -> kv260") != std::string::npos);

  // Two sweep folders through the command; a folder against itself: no regression.
  const fs::path a = fixture_copy(t, "figures_fixture", "a");
  fs::remove(log);
  r = run_process({llamaf, "compare", a.string(), a.string(), "--out", (t.path / "c3").string(),
                   "--gnuplot", "", "--fail-on-regression"},
                  log, 60);
  INFO(read_file(log));
  CHECK(r.exit_code == 0);
  CHECK(read_file(log).find("14 points paired") != std::string::npos);
  // Not a run: a clear error.
  llamaf::test::write_file(t.path / "other.json", "{\"schema\": \"other/1\"}");
  r = run_process({llamaf, "compare", (t.path / "other.json").string(), a.string()}, t.path / "log2.txt", 60);
  CHECK(r.exit_code == 1);
  CHECK(read_file(t.path / "log2.txt").find("sim report") != std::string::npos);
}
