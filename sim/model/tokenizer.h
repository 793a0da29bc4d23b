// Llama2 BPE tokenizer in llama2.c's tokenizer.bin format: encode by merge
// scores with byte fallback, decode with llama2.c's rules.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace llamaf::model {

class Tokenizer {
 public:
  // Loads tokenizer.bin (int32 max_token_length, then per token: float32
  // score, int32 length, bytes). vocab_size must be given by the model; the
  // file must hold exactly that many tokens (more: refused, another model's).
  Tokenizer(const std::string& path, int vocab_size);

  // llama2.c's encode(): optional BOS (1) / EOS (2); a leading dummy-prefix
  // space for non-empty text; merges by best score; UTF-8 byte fallback
  // (+3 offset).
  std::vector<int> encode(const std::string& text, bool bos, bool eos) const;
  // llama2.c's decode(): strips the leading space after BOS, turns <0xHH>
  // into the raw byte.
  std::string decode_piece(int prev_token, int token) const;
  // Decodes a whole sequence the way a generation loop prints it: each token
  // after its predecessor, unprintable single bytes suppressed as in
  // llama2.c's safe_printf (this includes lone UTF-8 bytes from byte
  // fallback). A leading BOS is the loop's start token and is not printed;
  // a later BOS ends the text, as it ends llama2.c's loop.
  std::string decode(const std::vector<int>& tokens) const;

  int vocab_size() const { return static_cast<int>(vocab_.size()); }
  const std::string& piece(int token) const { return vocab_.at(token); }

  static constexpr int kBos = 1;
  static constexpr int kEos = 2;

 private:
  std::vector<std::string> vocab_;
  std::vector<float> scores_;
  std::unordered_map<std::string, int> index_;
  int max_token_length_ = 0;
};

}  // namespace llamaf::model
