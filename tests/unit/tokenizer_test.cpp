// Tokenizer: llama2.c's encodings of fixed strings, decode rules, round trips
// on the 512- and 32000-token vocabularies, and loader errors.
#include "sim/model/tokenizer.h"

#include "sim/model/error.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using llamaf::model::Tokenizer;

namespace {

// Concatenated decode_piece() output: every byte, including the ones that
// decode() withholds from a terminal.
std::string raw_decode(const Tokenizer& tok, const std::vector<int>& ids) {
  std::string out;
  for (std::size_t i = 1; i < ids.size(); ++i) out += tok.decode_piece(ids[i - 1], ids[i]);
  return out;
}

struct Case {
  std::string text;
  std::vector<int> ids;      // llama2.c's encode(text, bos=1, eos=0)
  std::string printed;       // what llama2.c's generate loop prints
};

// Texts whose bytes all survive in both vocabularies (ASCII, or code points
// that are whole pieces in the 32000-token vocabulary).
const std::vector<std::string> kRoundTripTexts = {
    "Hello world",
    "Once upon a time, there was a little girl named Lily.",
    "tab\tnew\nline  double  spaces ",
    "x",
    " leading space",
    "I believe the meaning of life is 42!",
};

// Texts that need byte fallback in at least one vocabulary: code points
// absent from the vocabulary, control bytes, invalid UTF-8.
const std::vector<std::string> kByteTexts = {
    "h\xc3\xa9llo w\xc3\xb6rld \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x99\x82",  // héllo wörld 你好 🙂
    "na\xc3\xafve caf\xc3\xa9 \xc3\xb1 \xe2\x82\xac",                           // naïve café ñ €
    "bell\x07 del\x7f esc\x1b",
    "stray \x80\x80\x80\x80\x80 continuation, lone lead \xe4 end",
    "\xff\xfe",
};

}  // namespace

TEST_CASE("tok512 encodes fixed strings exactly as llama2.c", "[tokenizer]") {
  auto p = llamaf::test::model_file("tok512.bin");
  if (!p) return;
  Tokenizer tok(p->string(), 512);
  REQUIRE(tok.vocab_size() == 512);

  // Expected ids are llama2.c's run.c encode(text, 1, 0) output on tok512.bin;
  // printed text is its generate loop's safe_printf output for those ids.
  const std::vector<Case> cases = {
      {"Hello world", {1, 346, 306, 414, 263, 304, 341}, "Hello world"},
      {"Once upon a time, there was a little girl named Lily.",
       {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426},
       "Once upon a time, there was a little girl named Lily."},
      {"", {1}, ""},
      {"h\xc3\xa9llo w\xc3\xb6rld \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x99\x82",
       {1, 270, 485, 306, 414, 263, 198, 185, 420, 341, 410, 231, 192, 163, 232, 168, 192, 410,
        243, 162, 156, 133},
       "h\xc3\xa9llo wrld  "},
      {"tab\tnew\nline", {1, 259, 412, 430, 12, 416, 411, 424, 13, 421, 271, 411},
       "tab\tnew\nline"},
      {"I believe the meaning of life is",
       {1, 359, 329, 421, 417, 411, 360, 265, 284, 411, 303, 299, 373, 397, 431, 411, 410, 293},
       "I believe the meaning of life is"},
  };
  for (const auto& c : cases) {
    INFO("text: " << c.text);
    CHECK(tok.encode(c.text, true, false) == c.ids);
    CHECK(tok.decode(c.ids) == c.printed);
  }
}

TEST_CASE("Llama 2 tokenizer encodes fixed strings exactly as llama2.c", "[tokenizer]") {
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  Tokenizer tok(p->string(), 32000);
  REQUIRE(tok.vocab_size() == 32000);

  // Expected ids are llama2.c's run.c encode(text, 1, 0) output on
  // tokenizer.bin; printed text is its safe_printf output for those ids.
  const std::vector<Case> cases = {
      {"Hello world", {1, 15043, 3186}, "Hello world"},
      {"Once upon a time, there was a little girl named Lily.",
       {1, 9038, 2501, 263, 931, 29892, 727, 471, 263, 2217, 7826, 4257, 365, 2354, 29889},
       "Once upon a time, there was a little girl named Lily."},
      {"", {1}, ""},
      // 🙂 has no piece: four byte tokens (<0xF0> = 243 ...), which
      // safe_printf drops one by one.
      {"h\xc3\xa9llo w\xc3\xb6rld \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x99\x82",
       {1, 298, 3610, 417, 281, 1340, 430, 29871, 30919, 31076, 29871, 243, 162, 156, 133},
       "h\xc3\xa9llo w\xc3\xb6rld \xe4\xbd\xa0\xe5\xa5\xbd "},
      {"tab\tnew\nline", {1, 4434, 12, 1482, 13, 1220}, "tab\tnew\nline"},
      {"I believe the meaning of life is", {1, 306, 4658, 278, 6593, 310, 2834, 338},
       "I believe the meaning of life is"},
  };
  for (const auto& c : cases) {
    INFO("text: " << c.text);
    CHECK(tok.encode(c.text, true, false) == c.ids);
    CHECK(tok.decode(c.ids) == c.printed);
  }
}

// Round trips: printable text through decode(); every byte, including those
// decode() withholds, through decode_piece().
static void check_round_trips(const Tokenizer& tok) {
  for (const auto& text : kRoundTripTexts) {
    INFO("text: " << text);
    CHECK(tok.decode(tok.encode(text, true, false)) == text);
    // Without BOS nothing strips the dummy-prefix space.
    CHECK(tok.decode(tok.encode(text, false, false)) == " " + text);
    CHECK(raw_decode(tok, tok.encode(text, true, false)) == text);
  }
  for (const auto& text : kByteTexts) {
    INFO("text: " << text);
    const auto ids = tok.encode(text, true, false);
    for (int id : ids) {
      CHECK(id >= 0);
      CHECK(id < tok.vocab_size());
    }
    CHECK(raw_decode(tok, ids) == text);
  }
}

TEST_CASE("encode -> decode round trips on tok512", "[tokenizer]") {
  auto p = llamaf::test::model_file("tok512.bin");
  if (!p) return;
  check_round_trips(Tokenizer(p->string(), 512));
}

TEST_CASE("encode -> decode round trips on the Llama 2 tokenizer", "[tokenizer]") {
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  check_round_trips(Tokenizer(p->string(), 32000));
}

TEST_CASE("32000 vocabulary keeps multi-byte pieces in decode()", "[tokenizer]") {
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  Tokenizer tok(p->string(), 32000);
  // é, ö, 你, 好 are pieces of their own, so safe_printf prints them.
  const std::string text = "h\xc3\xa9llo w\xc3\xb6rld \xe4\xbd\xa0\xe5\xa5\xbd";
  CHECK(tok.decode(tok.encode(text, true, false)) == text);
}

TEST_CASE("BOS, EOS and the dummy prefix", "[tokenizer]") {
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  Tokenizer tok(p->string(), 32000);
  CHECK(tok.encode("", false, false).empty());
  CHECK(tok.encode("", true, true) == std::vector<int>{Tokenizer::kBos, Tokenizer::kEos});
  CHECK(tok.encode("Hello world", false, true) ==
        std::vector<int>{15043, 3186, Tokenizer::kEos});
  // The dummy prefix: "Hello" alone still becomes the " Hello" piece.
  CHECK(tok.piece(15043) == " Hello");
}

TEST_CASE("decode_piece strips the space after BOS and maps <0xHH> to bytes", "[tokenizer]") {
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  Tokenizer tok(p->string(), 32000);
  CHECK(tok.decode_piece(Tokenizer::kBos, 15043) == "Hello");
  CHECK(tok.decode_piece(3186, 15043) == " Hello");
  // Byte tokens are byte + 3.
  CHECK(tok.piece(13) == "<0x0A>");
  CHECK(tok.decode_piece(3186, 13) == "\n");
  CHECK(tok.decode_piece(3186, 3 + 0xF0) == "\xf0");
  CHECK(tok.decode_piece(3186, 3) == std::string(1, '\0'));
  CHECK_THROWS_AS(tok.decode_piece(1, 32000), llamaf::Error);
  CHECK_THROWS_AS(tok.decode_piece(1, -1), llamaf::Error);
}

TEST_CASE("decode applies safe_printf and stops at a later BOS", "[tokenizer]") {
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  Tokenizer tok(p->string(), 32000);
  const int hello = 15043, world = 3186;
  // Control bytes (0x01, 0x07) and lone high bytes vanish; whitespace bytes
  // (tab 0x09, newline 0x0A) and printable bytes ('A' = 0x41) stay.
  CHECK(tok.decode({1, hello, 3 + 0x01, 3 + 0x07, 3 + 0x09, 3 + 0x0A, 3 + 0x41, 3 + 0xE4, world}) ==
        "Hello\t\nA world");
  CHECK(tok.decode({1, hello, 3, world}) == "Hello world");
  // A leading BOS is not printed; a second one ends the text.
  CHECK(tok.decode({1, hello, 1, world}) == "Hello");
  // No BOS: the first piece keeps its space.
  CHECK(tok.decode({hello, world}) == " Hello world");
  // EOS prints its piece, as llama2.c's loop would.
  CHECK(tok.decode({1, hello, 2}) == "Hello" + tok.piece(2));
  CHECK(tok.decode({}).empty());
}

TEST_CASE("a tokenizer with more tokens than the model's vocabulary is refused", "[tokenizer]") {
  // The case: the 32000-token tokenizer.bin with the 512-token
  // stories260K printed garbage (llama2.c reads a prefix and ignores the rest).
  auto p = llamaf::test::model_file("tokenizer.bin");
  if (!p) return;
  try {
    Tokenizer tok(p->string(), 512);
    FAIL("accepted a 32000-token tokenizer for a 512-token model");
  } catch (const llamaf::Error& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find(p->string()) != std::string::npos);
    CHECK(msg.find("vocab_size is 512") != std::string::npos);
    CHECK(msg.find("31488 more token record(s)") != std::string::npos);
  }
  // Exactly the model's vocabulary is accepted.
  CHECK(Tokenizer(p->string(), 32000).vocab_size() == 32000);
}

TEST_CASE("truncated or missing tokenizer files throw llamaf::Error naming the file",
          "[tokenizer]") {
  auto p = llamaf::test::model_file("tok512.bin");
  if (!p) return;
  std::ifstream in(*p, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 100);

  const auto dir = std::filesystem::temp_directory_path() / "llamaf_tokenizer_test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "truncated_tok512.bin").string();
  auto expect_truncated = [&](std::size_t keep, const std::string& what) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(keep));
    }
    INFO("kept " << keep << " bytes");
    try {
      Tokenizer tok(path, 512);
      FAIL("expected llamaf::Error");
    } catch (const llamaf::Error& e) {
      const std::string msg = e.what();
      CHECK(msg.find(path) != std::string::npos);
      CHECK(msg.find("truncated") != std::string::npos);
      CHECK(msg.find("offset") != std::string::npos);
      CHECK(msg.find(what) != std::string::npos);
      CHECK(msg.find('\n') == std::string::npos);
    }
  };
  expect_truncated(0, "max_token_length");
  expect_truncated(2, "max_token_length");
  expect_truncated(6, "score of token 0");
  expect_truncated(10, "length of token 0");
  // Token 0 "<unk>" (5 bytes) starts at offset 12.
  expect_truncated(14, "bytes of token 0");
  expect_truncated(bytes.size() - 1, "token 511");

  // Asking for more tokens than the file holds is a truncation too.
  CHECK_THROWS_AS(Tokenizer(p->string(), 513), llamaf::Error);
  std::filesystem::remove_all(dir);

  const std::string missing = "/nonexistent/llamaf/tok.bin";
  try {
    Tokenizer tok(missing, 512);
    FAIL("expected llamaf::Error");
  } catch (const llamaf::Error& e) {
    CHECK(std::string(e.what()).find(missing) != std::string::npos);
  }
  CHECK_THROWS_AS(Tokenizer(p->string(), 0), llamaf::Error);
}

// A vocabulary too small to hold BOS (1) or EOS (2): encode() used to push
// the id anyway and the merge loop read past the vocabulary (found by
// tests/fuzz/tokenizer_fuzz, docs/robustness.md).
TEST_CASE("encode refuses BOS/EOS that a tiny vocabulary does not have", "[tokenizer]") {
  const auto path = std::filesystem::temp_directory_path() / "llamaf_tokenizer_tiny_vocab.bin";
  {
    // max_token_length 1; tokens " " and "a", score 0.
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    auto put = [&](auto v) { out.write(reinterpret_cast<const char*>(&v), sizeof v); };
    put(std::int32_t{1});
    for (const char* piece : {" ", "a"}) {
      put(0.0f);
      put(std::int32_t{1});
      out.write(piece, 1);
    }
  }
  const Tokenizer one(path.string(), 2);
  CHECK(one.encode("a a", false, false) == std::vector<int>{0, 1, 0, 1});
  CHECK_THROWS_WITH(one.encode("a", false, true), Catch::Contains("EOS is token 2") &&
                                                      Catch::Contains("vocab_size is 2"));
  CHECK_NOTHROW(one.encode("a", true, false));  // BOS = 1 exists
  std::filesystem::remove(path);
}
