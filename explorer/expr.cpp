// Recursive-descent parser and tree-walking evaluator of sweep expressions.
//
// Grammar (lowest precedence first):
//   or      := and ( "||" and )*
//   and     := cmp ( "&&" cmp )*
//   cmp     := sum ( ("<" | "<=" | ">" | ">=" | "==" | "!=") sum )?
//   sum     := product ( ("+" | "-") product )*
//   product := unary ( ("*" | "/" | "%") unary )*
//   unary   := ("!" | "-" | "+") unary | primary
//   primary := number | 'string' | "string" | name | name "(" args ")" | "(" or ")"
// Names: [A-Za-z_][A-Za-z0-9_.]* (dots allow "design.NumPe"); true/false are
// the numbers 1 and 0.
#include "explorer/expr.h"

#include <algorithm>

#include "sim/model/error.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace llamaf::dse {

enum class Op {
  Num, Str, Name, Call, Not, Neg, Add, Sub, Mul, Div, Mod, Lt, Le, Gt, Ge, Eq, Ne, And, Or
};

struct ExprNode {
  Op op = Op::Num;
  double number = 0.0;
  std::string text;  // string literal, name or function name
  std::vector<std::shared_ptr<const ExprNode>> args;
  std::size_t pos = 0;  // character offset in the source, for messages
};

namespace {

using NodePtr = std::shared_ptr<const ExprNode>;

NodePtr make(Op op, std::size_t pos, std::vector<NodePtr> args = {}) {
  auto n = std::make_shared<ExprNode>();
  n->op = op;
  n->pos = pos;
  n->args = std::move(args);
  return n;
}

class Parser {
 public:
  Parser(const std::string& text, const std::string& where, std::vector<std::string>& names)
      : s_(text), where_(where), names_(names) {}

  // Bounds that keep the recursive-descent parser, eval() and the tree's
  // destruction well inside the stack: nesting (parentheses, unary
  // operators, function calls) and text length (a left-leaning chain
  // "1+1+...+1" is one tree level per operator).
  static constexpr int kMaxNesting = 64;
  static constexpr std::size_t kMaxLength = 4096;

  NodePtr parse() {
    if (s_.size() > kMaxLength)
      throw_error("{}: expression of {} characters: at most {} are accepted", where_, s_.size(),
                  kMaxLength);
    NodePtr n = parse_or();
    skip_ws();
    if (i_ != s_.size()) fail("unexpected '" + std::string(1, s_[i_]) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw_error("{}: expression '{}': {} at character {}", where_, s_, what, i_ + 1);
  }
  void skip_ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool accept(const char* tok) {
    skip_ws();
    const std::string_view t(tok);
    if (s_.compare(i_, t.size(), t) != 0) return false;
    // "<" must not swallow the "<" of "<=", "!" not the "!" of "!=", ...
    if (t.size() == 1 && i_ + 1 < s_.size() && s_[i_ + 1] == '=' &&
        (t == "<" || t == ">" || t == "!" || t == "="))
      return false;
    i_ += t.size();
    return true;
  }

  NodePtr parse_or() {
    NodePtr l = parse_and();
    while (true) {
      const std::size_t p = i_;
      if (accept("||")) l = make(Op::Or, p, {l, parse_and()});
      else return l;
    }
  }
  NodePtr parse_and() {
    NodePtr l = parse_cmp();
    while (true) {
      const std::size_t p = i_;
      if (accept("&&")) l = make(Op::And, p, {l, parse_cmp()});
      else return l;
    }
  }
  NodePtr parse_cmp() {
    NodePtr l = parse_sum();
    static const std::pair<const char*, Op> ops[] = {{"<=", Op::Le}, {">=", Op::Ge},
                                                     {"==", Op::Eq}, {"!=", Op::Ne},
                                                     {"<", Op::Lt},  {">", Op::Gt}};
    for (const auto& [tok, op] : ops) {
      const std::size_t p = i_;
      if (accept(tok)) {
        NodePtr r = parse_sum();
        skip_ws();
        for (const auto& [tok2, op2] : ops) {
          (void)op2;
          if (s_.compare(i_, std::string_view(tok2).size(), tok2) == 0)
            fail("comparisons do not chain; use && between them");
        }
        return make(op, p, {l, r});
      }
    }
    if (accept("=")) fail("'=' is not a comparison; use '=='");
    return l;
  }
  NodePtr parse_sum() {
    NodePtr l = parse_product();
    while (true) {
      const std::size_t p = i_;
      if (accept("+")) l = make(Op::Add, p, {l, parse_product()});
      else if (accept("-")) l = make(Op::Sub, p, {l, parse_product()});
      else return l;
    }
  }
  NodePtr parse_product() {
    NodePtr l = parse_unary();
    while (true) {
      const std::size_t p = i_;
      if (accept("*")) l = make(Op::Mul, p, {l, parse_unary()});
      else if (accept("/")) l = make(Op::Div, p, {l, parse_unary()});
      else if (accept("%")) l = make(Op::Mod, p, {l, parse_unary()});
      else return l;
    }
  }
  NodePtr parse_unary() {
    // Every nested level (parentheses, !, -, function arguments) passes here.
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > kMaxNesting)
      fail(fmt::format("nesting deeper than {} levels (parentheses, unary operators, function "
                       "calls)", kMaxNesting));
    const std::size_t p = i_;
    if (accept("!")) return make(Op::Not, p, {parse_unary()});
    if (accept("-")) return make(Op::Neg, p, {parse_unary()});
    if (accept("+")) return parse_unary();
    return parse_primary();
  }
  NodePtr parse_primary() {
    skip_ws();
    if (i_ >= s_.size()) fail("unexpected end, expected a number, name or '('");
    const std::size_t p = i_;
    const char c = s_[i_];
    if (c == '(') {
      ++i_;
      NodePtr n = parse_or();
      if (!accept(")")) fail("expected ')'");
      return n;
    }
    if (c == '\'' || c == '"') {
      const std::size_t end = s_.find(c, i_ + 1);
      if (end == std::string::npos) fail("unterminated string");
      auto n = std::make_shared<ExprNode>();
      n->op = Op::Str;
      n->pos = p;
      n->text = s_.substr(i_ + 1, end - i_ - 1);
      i_ = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* begin = s_.c_str() + i_;
      char* end = nullptr;
      const double v = std::strtod(begin, &end);
      if (end == begin) fail("bad number");
      i_ += static_cast<std::size_t>(end - begin);
      auto n = std::make_shared<ExprNode>();
      n->op = Op::Num;
      n->pos = p;
      n->number = v;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i_;
      while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_' ||
                               s_[j] == '.'))
        ++j;
      std::string name = s_.substr(i_, j - i_);
      i_ = j;
      if (name == "true" || name == "false") {
        auto n = std::make_shared<ExprNode>();
        n->op = Op::Num;
        n->pos = p;
        n->number = name == "true" ? 1.0 : 0.0;
        return n;
      }
      if (accept("(")) {
        static const std::pair<const char*, int> functions[] = {
            {"min", 2}, {"max", 2}, {"log2", 1}, {"pow2", 1}, {"is_pow2", 1}, {"count", 1}};
        int arity = -1;
        for (const auto& [f, a] : functions)
          if (name == f) arity = a;
        if (arity < 0) {
          i_ = p;
          fail("unknown function '" + name + "' (known: min, max, log2, pow2, is_pow2, count)");
        }
        std::vector<NodePtr> args;
        if (!accept(")")) {
          do args.push_back(parse_or());
          while (accept(","));
          if (!accept(")")) fail("expected ')' or ','");
        }
        if (static_cast<int>(args.size()) != arity) {
          i_ = p;
          fail(name + "() takes " + std::to_string(arity) + " argument(s), got " +
               std::to_string(args.size()));
        }
        auto n = std::make_shared<ExprNode>();
        n->op = Op::Call;
        n->pos = p;
        n->text = name;
        n->args = std::move(args);
        return n;
      }
      bool seen = false;
      for (const auto& k : names_) seen = seen || k == name;
      if (!seen) names_.push_back(name);
      auto n = std::make_shared<ExprNode>();
      n->op = Op::Name;
      n->pos = p;
      n->text = std::move(name);
      return n;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  const std::string& s_;
  const std::string& where_;
  std::vector<std::string>& names_;
  std::size_t i_ = 0;
  int depth_ = 0;  // current nesting, bounded by kMaxNesting
};

struct Evaluator {
  const std::string& text;
  const std::string& where;
  const ExprLookup& lookup;

  [[noreturn]] void fail(const ExprNode& n, const std::string& what) const {
    throw_error("{}: expression '{}': {} (at character {})", where, text, what, n.pos + 1);
  }
  double number(const ExprNode& n, const ExprValue& v, const char* op) const {
    if (v.is_string) fail(n, fmt::format("'{}' needs numbers, got the string '{}'", op, v.text));
    return v.number;
  }

  ExprValue eval(const ExprNode& n) const {
    switch (n.op) {
      case Op::Num: return ExprValue::num(n.number);
      case Op::Str: return ExprValue::str(n.text);
      case Op::Name: {
        auto v = lookup(n.text);
        if (!v) fail(n, fmt::format("unknown parameter '{}'", n.text));
        return *v;
      }
      case Op::Not: return ExprValue::num(eval(*n.args[0]).truthy() ? 0.0 : 1.0);
      case Op::Neg: return ExprValue::num(-number(n, eval(*n.args[0]), "-"));
      case Op::And:
        return ExprValue::num(eval(*n.args[0]).truthy() && eval(*n.args[1]).truthy() ? 1 : 0);
      case Op::Or:
        return ExprValue::num(eval(*n.args[0]).truthy() || eval(*n.args[1]).truthy() ? 1 : 0);
      case Op::Eq:
      case Op::Ne: {
        const ExprValue a = eval(*n.args[0]), b = eval(*n.args[1]);
        if (a.is_string != b.is_string)
          fail(n, "'==' and '!=' compare a number with a number or a string with a string");
        const bool eq = a.is_string ? a.text == b.text : a.number == b.number;
        return ExprValue::num((n.op == Op::Eq) == eq ? 1 : 0);
      }
      case Op::Call: return call(n);
      default: break;
    }
    const char* sym = "";
    switch (n.op) {
      case Op::Add: sym = "+"; break;
      case Op::Sub: sym = "-"; break;
      case Op::Mul: sym = "*"; break;
      case Op::Div: sym = "/"; break;
      case Op::Mod: sym = "%"; break;
      case Op::Lt: sym = "<"; break;
      case Op::Le: sym = "<="; break;
      case Op::Gt: sym = ">"; break;
      case Op::Ge: sym = ">="; break;
      default: break;
    }
    const double a = number(n, eval(*n.args[0]), sym);
    const double b = number(n, eval(*n.args[1]), sym);
    switch (n.op) {
      case Op::Add: return ExprValue::num(a + b);
      case Op::Sub: return ExprValue::num(a - b);
      case Op::Mul: return ExprValue::num(a * b);
      case Op::Div:
        if (b == 0.0) fail(n, "division by zero");
        return ExprValue::num(a / b);
      case Op::Mod:
        if (b == 0.0) fail(n, "modulo by zero");
        return ExprValue::num(std::fmod(a, b));
      case Op::Lt: return ExprValue::num(a < b ? 1 : 0);
      case Op::Le: return ExprValue::num(a <= b ? 1 : 0);
      case Op::Gt: return ExprValue::num(a > b ? 1 : 0);
      case Op::Ge: return ExprValue::num(a >= b ? 1 : 0);
      default: fail(n, "internal: unhandled operator");
    }
  }

  ExprValue call(const ExprNode& n) const {
    if (n.text == "count") {
      // Items of a comma-separated list string ('HP0,HP2' -> 2; '' -> 0):
      // a port map's length, to pair it with the design's port count.
      const ExprValue v = eval(*n.args[0]);
      if (!v.is_string) fail(n, "count() takes a comma-separated string, got a number");
      if (v.text.empty()) return ExprValue::num(0);
      return ExprValue::num(static_cast<double>(std::count(v.text.begin(), v.text.end(), ',') + 1));
    }
    std::vector<double> a;
    for (const auto& arg : n.args) a.push_back(number(n, eval(*arg), n.text.c_str()));
    if (n.text == "min") return ExprValue::num(std::min(a[0], a[1]));
    if (n.text == "max") return ExprValue::num(std::max(a[0], a[1]));
    if (n.text == "log2") {
      if (!(a[0] > 0)) fail(n, "log2() of a non-positive number");
      return ExprValue::num(std::log2(a[0]));
    }
    if (n.text == "pow2") return ExprValue::num(std::exp2(a[0]));
    // is_pow2
    const double v = a[0];
    const bool p = v >= 1 && v == std::floor(v) && std::exp2(std::round(std::log2(v))) == v;
    return ExprValue::num(p ? 1 : 0);
  }
};

}  // namespace

Expr Expr::parse(const std::string& text, const std::string& where) {
  Expr e;
  e.text_ = text;
  e.where_ = where;
  Parser p(e.text_, e.where_, e.names_);
  e.root_ = p.parse();
  return e;
}

ExprValue Expr::eval(const ExprLookup& lookup) const {
  if (!root_) throw_error("{}: empty expression", where_);
  return Evaluator{text_, where_, lookup}.eval(*root_);
}

}  // namespace llamaf::dse
