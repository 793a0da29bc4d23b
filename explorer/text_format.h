// How numbers and strings are written into the report files: CSV cells,
// LaTeX text, gnuplot strings, and the rounding of measured floats.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace llamaf::dse {

// Significant digits floats are written with in results.csv, results.json,
// pareto.csv and compare outputs (results.jsonl keeps full precision).
inline constexpr int kSignificantDigits = 6;

// `v` rounded to kSignificantDigits significant digits, but never below
// the units digit (1234567.8 -> 1234568): 1.6700000000000002 -> 1.67.
double round_significant(double v, int digits = kSignificantDigits);
// The same for every float inside a JSON value (integers, strings and
// booleans unchanged).
nlohmann::json round_floats(const nlohmann::json& v, int digits = kSignificantDigits);

// A CSV cell (RFC 4180 quoting); floats rounded as above, null empty.
std::string csv_cell(const nlohmann::json& v);
// A string with CSV quoting where needed.
std::string csv_text(const std::string& s);

// LaTeX text-mode escaping of every special character: \ { } $ & # ^ _ % ~
// < > | (the last three print as other glyphs in the OT1 encoding).
std::string latex_escape(const std::string& s);
// A unit in LaTeX text ("us" -> "$\mu$s", "%" -> "\%").
std::string latex_unit(const std::string& unit);

// A double-quoted gnuplot string.
std::string gp_quote(const std::string& s);

// A Markdown table cell: "–" for null, yes/no, 4 significant digits (whole
// numbers from 1000 up), '|' escaped.
std::string md_value(const nlohmann::json& v);

}  // namespace llamaf::dse
