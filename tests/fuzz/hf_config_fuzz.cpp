// libFuzzer target: a Hugging Face checkpoint folder's config.json (the
// LlamaConfig reader) with no weights beside it: every input must end in a
// clear error (bad config, or the missing model.safetensors), never in a
// crash or an allocation the weights could not back.
#include "sim/model/checkpoint.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string cfg = llamaf::fuzz::write_scratch("config.json", data, size);
  const std::string dir = std::filesystem::path(cfg).parent_path().string();
  llamaf::fuzz::expect_only_errors([&] {
    (void)llamaf::model::load_hf_dir(dir);
    std::abort();  // no model.safetensors: loading cannot succeed
  });
  return 0;
}
