// The metric keys a design point's record can carry (docs/explore.md,
// "Metrics"): what sweep objectives, figure axes and table columns may name.
// One list, checked at sweep load so that a typo ("tokens_per_sec") is an
// error with a suggestion instead of "no point has this metric" after a run.
#pragma once

#include <string>
#include <vector>

namespace llamaf::dse {

// Every scalar metric key, as flattened in results.csv.
const std::vector<std::string>& metric_keys();
// Object-valued metrics whose flattened keys are "<prefix>.<name>" with
// names known only at run time (operators, energy terms).
const std::vector<std::string>& metric_object_prefixes();
// True if `key` is a metric: in metric_keys(), or "<prefix>.<anything>".
bool is_metric_key(const std::string& key);

}  // namespace llamaf::dse
