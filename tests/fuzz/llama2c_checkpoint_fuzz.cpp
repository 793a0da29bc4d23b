// libFuzzer target: the llama2.c checkpoint reader (7-int32 header, size check,
// tensor reads) on arbitrary bytes.
#include "sim/model/checkpoint.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = llamaf::fuzz::write_scratch("model.bin", data, size);
  llamaf::fuzz::expect_only_errors([&] {
    const auto ckpt = llamaf::model::load_llama2c(path);
    // A checkpoint that loads has tensors of the sizes its config implies.
    if (static_cast<std::int64_t>(ckpt.weights.token_embedding.size()) !=
        static_cast<std::int64_t>(ckpt.config.vocab_size) * ckpt.config.dim)
      std::abort();
  });
  return 0;
}
