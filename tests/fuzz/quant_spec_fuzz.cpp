// libFuzzer target: the quantization spec grammar ("w4a8g128:bf16").
// A spec that parses must print canonically and parse back to itself.
#include "sim/model/quant.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  llamaf::fuzz::expect_only_errors([&] {
    const auto q = llamaf::model::QuantSpec::parse(text);
    const auto back = llamaf::model::QuantSpec::parse(q.str());
    if (!(back == q)) std::abort();
    (void)q.accumulator_bits();
  });
  return 0;
}
