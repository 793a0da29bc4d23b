// The metric registry of design-point records (docs/metrics.md is generated
// from it by `llamaf metrics --markdown`): every metric's one name, unit,
// type and definition. What sweep objectives, figure axes and table columns
// may name, checked at sweep load so that a typo ("tokens_per_sec") is an
// error with a suggestion instead of "no point has this metric" after a run;
// what results.schema.json, table headers and figure labels say.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace llamaf::dse {

// One metric. A key ending in ".*" is a family of object-valued metrics,
// flattened to "<prefix>.<name>" with names known only at run time
// (operators, energy terms).
struct MetricDef {
  std::string key;         // "tokens_per_s", "op_latency_us.*"
  std::string unit;        // "tokens/s", "B", "" for dimensionless
  std::string type;        // "number", "integer", "boolean" or "string"
  std::string better;      // "higher", "lower" or "" (neither: a property, not a goal)
  std::string stage;       // what computes it: "bytes", "roofline", "simulation", ...
  std::string label;       // short axis/header text without the unit: "throughput"
  std::string definition;  // one sentence, the formula where there is one
};

// Every metric, grouped by stage, in the order a reader looks for them.
const std::vector<MetricDef>& metric_defs();
// The definition of `key` (a family member "op_latency_us.matvec" finds
// "op_latency_us.*"), nullptr when it is not a metric.
const MetricDef* find_metric(const std::string& key);

// Every scalar metric key, as flattened in results.csv.
std::vector<std::string> metric_keys();
// Object-valued metrics whose flattened keys are "<prefix>.<name>".
std::vector<std::string> metric_object_prefixes();
// True if `key` is a metric: in metric_keys(), or "<prefix>.<anything>".
bool is_metric_key(const std::string& key);
// A metric's former name -> its current one ("" when `key` was not renamed).
std::string renamed_metric(const std::string& key);

// "throughput (tokens/s)": an axis label for a metric key (the key itself
// when it is not a metric; no unit part when it has none).
std::string metric_axis_label(const std::string& key);

// Metrics computed from others, in one place so that a point's evaluation
// and a report of older results agree: operational_intensity_macs_per_byte,
// roofline_tokens_per_s (min of the memory and compute roofs), roofline_bound,
// roofline_percent. Adds what its inputs allow, removes the former
// sim_percent_of_roofline (whose roofline was another one).
void add_derived_metrics(nlohmann::json& metrics);

// docs/metrics.md: the registry as a Markdown table.
std::string metrics_markdown();

}  // namespace llamaf::dse
