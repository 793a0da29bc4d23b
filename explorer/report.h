// Everything a sweep output folder shows, regenerated from DIR/sweep.json and
// DIR/results.jsonl alone (no re-running): results.csv, results.json,
// pareto.csv, report.md, table.tex and figures/ (gnuplot, PDF and SVG).
// Also merging of shard folders.
#pragma once

#include "explorer/sweep.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace llamaf::dse {

// Columns whose values are wall-clock measurements: the only ones allowed to
// differ between two runs of the same sweep.
inline constexpr const char* kWallclockPrefix = "wallclock_";

struct ReportOptions {
  std::string gnuplot = "gnuplot";  // program name or path; "" = no figures
  // How the folder's results came about, for report.md's first lines.
  std::string produced_by = "`llamaf report` from results.jsonl (no point was re-run)";
};

struct ReportSummary {
  std::size_t points = 0, ok = 0, failed = 0, infeasible = 0, pending = 0;
  std::vector<std::string> files;            // written, relative to DIR
  std::vector<std::string> figures;          // figure stems made
  std::vector<std::string> figure_problems;  // why a figure was not made
};

// The sweep stored in DIR/sweep.json.
Sweep load_stored_sweep(const std::filesystem::path& dir);

// The records of DIR/results.jsonl: latest per id, sorted by sweep index.
std::vector<nlohmann::json> load_records(const std::filesystem::path& dir);

// results.csv text: id, index, status, reason, every parameter (sweep
// order), every metric (known metrics first, then alphabetical, nested
// objects flattened with '.'), then the wall-clock columns.
std::string results_csv(const Sweep& sweep, const std::vector<nlohmann::json>& records);

// results.schema.json: a JSON Schema of one results.csv row with each
// column's kind (record field, parameter, metric), type, unit and definition
// (metric registry, metrics.h).
nlohmann::json results_schema(const Sweep& sweep, const std::vector<std::string>& columns);

// table.tex text (booktabs) for the sweep's report.table settings: strings
// LaTeX-escaped, units in the header, float columns at fixed decimals, and
// every evaluated point as rows when there is no Pareto front.
std::string latex_table(const Sweep& sweep, const std::vector<nlohmann::json>& records);

ReportSummary write_report(const std::filesystem::path& dir, const ReportOptions& opt = {});

struct MergeSummary {
  std::size_t inputs = 0, records = 0, duplicates = 0;
};

// Merges the results of shard folders of one sweep into `out` (which may be
// new, or hold results of the same sweep); ids found twice keep an "ok"
// record over a failed one, else the later input's. Throws when the inputs
// hold different sweeps.
MergeSummary merge_results(const std::vector<std::filesystem::path>& inputs,
                           const std::filesystem::path& out);

}  // namespace llamaf::dse
