// A tiny, safe expression language for sweep filters and constraints
// ("NumPe <= GroupSize", "WeightBits >= 4 || GroupSize == 32"): numbers,
// 'strings', parameter names, + - * / %, comparisons, && || !, parentheses
// and the functions min, max, log2, pow2, is_pow2, count (items of a
// comma-separated string: count('HP0,HP2') = 2). Nothing else is evaluated:
// no assignment, no calls outside that list, no access to the host.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llamaf::dse {

// A value is a number (double; booleans are 0/1) or a string.
struct ExprValue {
  bool is_string = false;
  double number = 0.0;
  std::string text;

  static ExprValue num(double v) { return {false, v, {}}; }
  static ExprValue str(std::string s) { return {true, 0.0, std::move(s)}; }
  bool truthy() const { return is_string ? !text.empty() : number != 0.0; }
};

// Looks a name up; nullopt when the name is unknown (an error).
using ExprLookup = std::function<std::optional<ExprValue>(const std::string& name)>;

struct ExprNode;

class Expr {
 public:
  // Parses `text`; errors name `where` (e.g. "sweep.json: filters[2]"), quote
  // the text and give the character position.
  static Expr parse(const std::string& text, const std::string& where);

  // Evaluates; an unknown name, a type mismatch (arithmetic on strings) or a
  // division by zero throws llamaf::Error naming `where`.
  ExprValue eval(const ExprLookup& lookup) const;
  bool test(const ExprLookup& lookup) const { return eval(lookup).truthy(); }

  const std::string& text() const { return text_; }
  // Every name the expression reads, in order of first use.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::string text_, where_;
  std::shared_ptr<const ExprNode> root_;
  std::vector<std::string> names_;
};

}  // namespace llamaf::dse
