// libFuzzer target: the sweep filter/constraint expression parser and
// evaluator. Names NumPe, WeightBits, GroupSize, board and fits_board are
// known; every other name is an unknown-name error.
#include "explorer/expr.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using llamaf::dse::ExprValue;
  const llamaf::dse::ExprLookup lookup = [](const std::string& name) -> std::optional<ExprValue> {
    if (name == "NumPe") return ExprValue::num(16);
    if (name == "WeightBits") return ExprValue::num(4);
    if (name == "GroupSize") return ExprValue::num(64);
    if (name == "fits_board") return ExprValue::num(1);
    if (name == "board") return ExprValue::str("zcu102");
    return std::nullopt;
  };
  llamaf::fuzz::expect_only_errors([&] {
    const auto e = llamaf::dse::Expr::parse(text, "fuzz: filters[0]");
    (void)e.eval(lookup);
  });
  return 0;
}
