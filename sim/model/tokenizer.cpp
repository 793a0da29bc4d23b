// Llama2 BPE tokenizer: loading llama2.c's tokenizer.bin, encode and decode
// with the same token choices and printing rules as llama2.c's run.c.
#include "sim/model/tokenizer.h"

#include "sim/model/error.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

namespace llamaf::model {

namespace {

// Byte tokens sit right after <unk>, <s>, </s> in every llama2.c vocabulary.
constexpr int kByteTokenOffset = 3;

bool is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

// isprint()/isspace() of the "C" locale, which llama2.c runs in (it never
// calls setlocale); spelled out so the result cannot depend on the locale
// of whatever program links this library.
bool c_locale_printable_or_space(unsigned char c) {
  return (c >= 0x20 && c <= 0x7E) || (c >= '\t' && c <= '\r');
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// llama2.c recognises raw-byte pieces with sscanf(piece, "<0x%02hhX>"): the
// prefix "<0x" and one or two hex digits are what decide it.
bool parse_byte_piece(const std::string& piece, std::size_t start, unsigned char* byte) {
  if (piece.compare(start, 3, "<0x") != 0) return false;
  std::size_t i = start + 3;
  int value = 0;
  int digits = 0;
  while (digits < 2 && i < piece.size() && hex_digit(piece[i]) >= 0) {
    value = value * 16 + hex_digit(piece[i]);
    ++i;
    ++digits;
  }
  if (digits == 0) return false;
  *byte = static_cast<unsigned char>(value);
  return true;
}

}  // namespace

Tokenizer::Tokenizer(const std::string& path, int vocab_size) {
  if (vocab_size <= 0) {
    throw_error("{}: vocab_size must be positive, got {}", path, vocab_size);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_error("{}: cannot open tokenizer file", path);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::size_t offset = 0;
  // Reads one little-endian 4-byte field; `what` names it in the error.
  auto read4 = [&](void* dst, const char* what, int token) {
    if (data.size() - offset < 4) {
      if (token < 0) {
        throw_error("{}: truncated tokenizer file at offset {}: expected {} (4 bytes), file has {} bytes",
                    path, offset, what, data.size());
      }
      throw_error("{}: truncated tokenizer file at offset {}: expected {} of token {} of {} (4 bytes), file has {} bytes",
                  path, offset, what, token, vocab_size, data.size());
    }
    std::memcpy(dst, data.data() + offset, 4);
    offset += 4;
  };

  std::int32_t max_len = 0;
  read4(&max_len, "int32 max_token_length", -1);
  if (max_len < 0) {
    throw_error("{}: offset 0: max_token_length must be non-negative, got {}", path, max_len);
  }
  max_token_length_ = max_len;

  vocab_.reserve(static_cast<std::size_t>(vocab_size));
  scores_.reserve(static_cast<std::size_t>(vocab_size));
  for (int i = 0; i < vocab_size; ++i) {
    float score = 0.0f;
    std::int32_t len = 0;
    read4(&score, "float32 score", i);
    const std::size_t len_offset = offset;
    read4(&len, "int32 length", i);
    if (len < 0) {
      throw_error("{}: offset {}: length of token {} must be non-negative, got {}", path,
                  len_offset, i, len);
    }
    if (data.size() - offset < static_cast<std::size_t>(len)) {
      throw_error("{}: truncated tokenizer file at offset {}: expected {} bytes of token {} of {}, file has {} bytes",
                  path, offset, len, i, vocab_size, data.size());
    }
    scores_.push_back(score);
    vocab_.emplace_back(data.data() + offset, static_cast<std::size_t>(len));
    offset += static_cast<std::size_t>(len);
  }
  // The model fixes the vocabulary size, and llama2.c silently ignores bytes
  // after its last token; but a file with more tokens than the model's
  // vocabulary belongs to another model (the 32000-token tokenizer.bin with
  // the 512-token stories260K decodes to garbage), so it is refused.
  if (offset != data.size()) {
    std::size_t extra = 0;  // whole token records after the model's last one
    for (std::size_t o = offset; data.size() - o >= 8; ++extra) {
      std::int32_t len = 0;
      std::memcpy(&len, data.data() + o + 4, 4);
      if (len < 0 || data.size() - o - 8 < static_cast<std::size_t>(len)) break;
      o += 8 + static_cast<std::size_t>(len);
    }
    throw_error("{}: the tokenizer has more tokens than the model's vocabulary: the model's "
                "vocab_size is {}, but {} bytes ({} more token record(s)) follow token {} at "
                "offset {} (a tokenizer for another model?)",
                path, vocab_size, data.size() - offset, extra, vocab_size - 1, offset);
  }

  // llama2.c looks pieces up by bsearch in a sorted copy; the Llama 2 and
  // tok512 vocabularies have no duplicate pieces, so any exact-match index
  // gives the same ids. On a duplicate the first id is kept.
  index_.reserve(vocab_.size());
  for (int i = 0; i < vocab_size; ++i) index_.emplace(vocab_[static_cast<std::size_t>(i)], i);
}

std::vector<int> Tokenizer::encode(const std::string& text, bool bos, bool eos) const {
  auto lookup = [&](const std::string& s) {
    auto it = index_.find(s);
    return it == index_.end() ? -1 : it->second;
  };

  // BOS and EOS are fixed ids (llama2.c); a smaller vocabulary has no such
  // tokens, and the merge loop below would read past the vocabulary.
  if (bos && kBos >= vocab_size())
    throw_error("tokenizer: BOS is token {} but vocab_size is {}", kBos, vocab_size());
  if (eos && kEos >= vocab_size())
    throw_error("tokenizer: EOS is token {} but vocab_size is {}", kEos, vocab_size());

  std::vector<int> tokens;
  tokens.reserve(text.size() + 3);
  if (bos) tokens.push_back(kBos);

  // SentencePiece's add_dummy_prefix: the text is encoded as if it started
  // with a space, so the first word gets the same " word" token as any other.
  if (!text.empty()) {
    const int dummy_prefix = lookup(" ");
    if (dummy_prefix < 0) throw_error("tokenizer: vocabulary has no \" \" piece, needed as the dummy prefix");
    tokens.push_back(dummy_prefix);
  }

  // One token per UTF-8 code point when the vocabulary has it, else one
  // byte token per byte. A code point is a lead/ASCII byte plus following
  // continuation bytes, capped at 4 bytes; stray continuation bytes are
  // grouped the same way (llama2.c's state machine, kept byte for byte).
  std::string codepoint;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!is_continuation_byte(c)) codepoint.clear();
    codepoint.push_back(static_cast<char>(c));
    const bool next_continues =
        i + 1 < text.size() && is_continuation_byte(static_cast<unsigned char>(text[i + 1]));
    if (next_continues && codepoint.size() < 4) continue;

    if (const int id = lookup(codepoint); id >= 0) {
      tokens.push_back(id);
    } else {
      for (char b : codepoint) {
        const int id_byte = static_cast<unsigned char>(b) + kByteTokenOffset;
        if (id_byte >= vocab_size()) {
          throw_error("tokenizer: byte fallback needs token {} but vocab_size is {}", id_byte,
                      vocab_size());
        }
        tokens.push_back(id_byte);
      }
    }
    codepoint.clear();
  }

  // Greedy BPE: repeatedly merge the adjacent pair whose concatenation is the
  // highest-scoring piece; the leftmost pair wins ties (strict '>'). Pairs
  // before the BOS are considered too, as in llama2.c ("\n<s>\n" + piece is
  // never in the vocabulary, so this changes nothing in practice).
  std::string pair;
  while (true) {
    float best_score = -1e10f;
    int best_id = -1;
    std::size_t best_idx = 0;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      pair.assign(vocab_[static_cast<std::size_t>(tokens[i])]);
      pair.append(vocab_[static_cast<std::size_t>(tokens[i + 1])]);
      const int id = lookup(pair);
      if (id >= 0 && scores_[static_cast<std::size_t>(id)] > best_score) {
        best_score = scores_[static_cast<std::size_t>(id)];
        best_id = id;
        best_idx = i;
      }
    }
    if (best_id < 0) break;
    tokens[best_idx] = best_id;
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(best_idx) + 1);
  }

  if (eos) tokens.push_back(kEos);
  return tokens;
}

std::string Tokenizer::decode_piece(int prev_token, int token) const {
  if (token < 0 || token >= vocab_size()) {
    throw_error("tokenizer: token {} out of range [0, {})", token, vocab_size());
  }
  const std::string& piece = vocab_[static_cast<std::size_t>(token)];
  // SentencePiece's decoder drops the dummy-prefix space of the first word.
  const std::size_t start = (prev_token == kBos && !piece.empty() && piece[0] == ' ') ? 1 : 0;
  unsigned char byte = 0;
  // <0x00> yields a one-byte string holding NUL; llama2.c's C string is then
  // empty, and decode() prints neither.
  if (parse_byte_piece(piece, start, &byte)) return std::string(1, static_cast<char>(byte));
  return piece.substr(start);
}

std::string Tokenizer::decode(const std::vector<int>& tokens) const {
  std::string out;
  // llama2.c's generation loop starts from its first token (BOS) without
  // printing it, prints every later token as decode(prev, next), and stops
  // at the next BOS. Without a leading BOS the first token is printed with
  // no predecessor, so its dummy-prefix space is kept.
  int prev = -1;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const int token = tokens[i];
    if (token == kBos) {
      if (i == 0) {
        prev = token;
        continue;
      }
      break;
    }
    const std::string piece = decode_piece(prev, token);
    prev = token;
    // safe_printf: a single byte is printed only if printable or whitespace,
    // so raw control bytes never reach a terminal. This also drops lone
    // UTF-8 bytes from byte fallback, as llama2.c does.
    if (piece.empty() || (piece[0] == '\0')) continue;
    if (piece.size() == 1 && !c_locale_printable_or_space(static_cast<unsigned char>(piece[0]))) {
      continue;
    }
    out += piece;
  }
  return out;
}

}  // namespace llamaf::model
