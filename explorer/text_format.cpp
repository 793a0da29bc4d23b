// Number and string formatting of the report files.
#include "explorer/text_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace llamaf::dse {

double round_significant(double v, int digits) {
  if (!std::isfinite(v) || v == 0) return v;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v)))) + 1;
  const int d = std::max(digits, magnitude);
  // Through the decimal text, so that the result is the double nearest to
  // the rounded decimal (what a reader of the CSV sees).
  return std::strtod(fmt::format("{:.{}g}", v, d).c_str(), nullptr);
}

nlohmann::json round_floats(const nlohmann::json& v, int digits) {
  if (v.is_number_float()) return round_significant(v.get<double>(), digits);
  if (v.is_object() || v.is_array()) {
    nlohmann::json out = v;
    for (auto& e : out) e = round_floats(e, digits);
    return out;
  }
  return v;
}

std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return round_floats(v).dump();
  return csv_text(v.is_string() ? v.get<std::string>() : v.dump());
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
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      case '|': out += "\\textbar{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string latex_unit(const std::string& unit) {
  if (unit == "us") return "$\\mu$s";
  return latex_escape(unit);
}

std::string gp_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string md_value(const nlohmann::json& v) {
  if (v.is_null()) return "–";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number()) {
    // 4 significant digits, but never an exponent for large values.
    const double x = v.get<double>();
    if (std::fabs(x) >= 1000 && std::fabs(x) < 1e15) return fmt::format("{:.0f}", x);
    return fmt::format("{:.4g}", x);
  }
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace llamaf::dse
