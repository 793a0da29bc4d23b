// libFuzzer target: the llama2.c tokenizer.bin reader, then encode/decode
// with the vocabulary it accepted. Input: 1 byte vocabulary size - 1
// (1..256), 1 byte text length L, L bytes of text to encode, then the file.
#include "sim/model/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size < 2u + data[1]) return 0;
  const int vocab_size = 1 + data[0];
  const std::string text(reinterpret_cast<const char*>(data + 2), data[1]);
  const std::size_t skip = 2u + data[1];
  const std::string path = llamaf::fuzz::write_scratch("tokenizer.bin", data + skip, size - skip);
  llamaf::fuzz::expect_only_errors([&] {
    const llamaf::model::Tokenizer tok(path, vocab_size);
    if (tok.vocab_size() != vocab_size) std::abort();
    for (bool bos : {false, true}) {
      llamaf::fuzz::expect_only_errors([&] {
        const std::vector<int> ids = tok.encode(text, bos, bos);
        for (int id : ids)
          if (id < 0 || id >= vocab_size) std::abort();  // encode never invents tokens
        (void)tok.decode(ids);
      });
    }
    std::vector<int> all;
    for (int i = 0; i < vocab_size; ++i) all.push_back(i);
    (void)tok.decode(all);
  });
  return 0;
}
