// llama2.c checkpoint loader: real file, round trip, and every header/size error.
#include "sim/model/checkpoint.h"
#include "sim/model/error.h"
#include "sim/model/synthetic.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace llamaf::model;
namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("llamaf_ckpt_test_" + name);
}

std::vector<char> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const fs::path& p, const std::vector<char>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Config tiny_config(bool shared) {
  Config c;
  c.dim = 16;
  c.hidden_dim = 40;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.vocab_size = 32;
  c.seq_len = 8;
  c.shared_classifier = shared;
  return c;
}

}  // namespace

TEST_CASE("stories260K loads with the documented shape", "[checkpoint][models]") {
  auto path = llamaf::test::model_file("stories260K.bin");
  if (!path) return;
  const Checkpoint ck = load_llama2c(path->string());
  CHECK(ck.config.dim == 64);
  CHECK(ck.config.hidden_dim == 172);
  CHECK(ck.config.n_layers == 5);
  CHECK(ck.config.n_heads == 8);
  CHECK(ck.config.n_kv_heads == 4);
  CHECK(ck.config.vocab_size == 512);
  CHECK(ck.config.seq_len == 512);
  CHECK(ck.config.shared_classifier);
  CHECK(ck.weights.wcls.empty());
  CHECK(ck.weights.wq.size() == 5u * 64 * 64);
  CHECK(ck.weights.wk.size() == 5u * 32 * 64);
}

TEST_CASE("llama2.c save/load round trip, shared and unshared classifier", "[checkpoint]") {
  for (bool shared : {true, false}) {
    const Checkpoint ck = make_synthetic_checkpoint(tiny_config(shared), 7);
    const auto p = temp_file(shared ? "shared.bin" : "unshared.bin");
    save_llama2c(ck, p.string());
    const Checkpoint back = load_llama2c(p.string());
    CHECK(back.config == ck.config);
    CHECK(back.weights.wq == ck.weights.wq);
    CHECK(back.weights.w2 == ck.weights.w2);
    CHECK(back.weights.rms_final == ck.weights.rms_final);
    CHECK(back.weights.wcls == ck.weights.wcls);
    CHECK(back.weights.classifier() == ck.weights.classifier());
    fs::remove(p);
  }
}

TEST_CASE("llama2.c loader rejects truncated, padded and malformed files", "[checkpoint][errors]") {
  const auto good = temp_file("good.bin");
  save_llama2c(make_synthetic_checkpoint(tiny_config(true), 3), good.string());
  const std::vector<char> bytes = read_all(good);

  auto expect_error = [](const fs::path& p, const std::string& needle) {
    try {
      load_llama2c(p.string());
      FAIL("no error for " << p);
    } catch (const llamaf::Error& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find(p.string()) != std::string::npos);
      CHECK(msg.find(needle) != std::string::npos);
    }
  };

  SECTION("truncated by one byte: names expected and actual size") {
    const auto p = temp_file("truncated.bin");
    write_all(p, std::vector<char>(bytes.begin(), bytes.end() - 1));
    expect_error(p, std::to_string(bytes.size() - 1) + " bytes");
    expect_error(p, "implies " + std::to_string(bytes.size()) + " bytes");
  }
  SECTION("padded by four bytes") {
    const auto p = temp_file("padded.bin");
    auto padded = bytes;
    padded.insert(padded.end(), 4, 0);
    write_all(p, padded);
    expect_error(p, "implies " + std::to_string(bytes.size()) + " bytes");
  }
  SECTION("shorter than the header") {
    const auto p = temp_file("short.bin");
    write_all(p, std::vector<char>(bytes.begin(), bytes.begin() + 10));
    expect_error(p, "header");
  }
  SECTION("negative dim in the header names the field and offset") {
    const auto p = temp_file("baddim.bin");
    auto bad = bytes;
    const std::int32_t minus = -5;
    std::memcpy(bad.data(), &minus, 4);
    write_all(p, bad);
    expect_error(p, "dim (offset 0)");
  }
  SECTION("heads not dividing dim") {
    const auto p = temp_file("badheads.bin");
    auto bad = bytes;
    const std::int32_t heads = 3;
    std::memcpy(bad.data() + 12, &heads, 4);
    write_all(p, bad);
    expect_error(p, "n_heads");
  }
  SECTION("missing file") {
    expect_error(temp_file("does_not_exist.bin"), "cannot open");
  }
  // Found by tests/fuzz/llama2c_checkpoint_fuzz (docs/robustness.md): the
  // negation of vocab_size INT32_MIN overflowed int32.
  SECTION("vocab_size INT32_MIN (classifier flag with no representable size)") {
    const auto p = temp_file("vocab_min.bin");
    auto bad = bytes;
    const std::int32_t vocab = INT32_MIN;
    std::memcpy(bad.data() + 20, &vocab, 4);
    write_all(p, bad);
    expect_error(p, "vocab_size (offset 20) = -2147483648");
  }
  // Every field within 1..2^20 but the shape's byte count overflowed int64
  // (found by UBSan under the same fuzzer).
  SECTION("header whose size overflows 64 bits") {
    const auto p = temp_file("huge.bin");
    const std::array<std::int32_t, 7> h = {1 << 20, 1 << 20, 1 << 20, 1 << 10, 1 << 10, 1 << 20, 1 << 20};
    std::vector<char> bad(28);
    std::memcpy(bad.data(), h.data(), 28);
    write_all(p, bad);
    expect_error(p, "more than the limit");
  }
}

TEST_CASE("model shape configs load and validate", "[config]") {
  const std::string dir = std::string(LLAMAF_SOURCE_DIR) + "/configs/models/";
  const Config tiny = load_shape(dir + "tinyllama-1.1b.json");
  CHECK(tiny.dim == 2048);
  CHECK(tiny.hidden_dim == 5632);
  CHECK(tiny.n_layers == 22);
  CHECK(tiny.n_heads == 32);
  CHECK(tiny.n_kv_heads == 4);
  CHECK(tiny.vocab_size == 32000);
  CHECK(tiny.parameter_count() == 1100048384);  // TinyLlama-1.1B's published count
  const Config l7 = load_shape(dir + "llama-2-7b.json");
  CHECK(l7.parameter_count() == 6738415616);  // Llama-2-7B's published count
  CHECK(load_shape(dir + "stories260K.json").hidden_dim == 172);
  CHECK(load_shape(dir + "stories15M.json").dim == 288);
}

TEST_CASE("model shape errors name the file and key", "[config][errors]") {
  const auto p = temp_file("shape.json");
  auto check = [&](const std::string& text, const std::string& needle) {
    { std::ofstream(p) << text; }
    try {
      load_shape(p.string());
      FAIL("no error for " << text);
    } catch (const llamaf::Error& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find(p.string()) != std::string::npos);
      CHECK(msg.find(needle) != std::string::npos);
    }
  };
  check(R"({"dim": 64})", "hidden_dim");
  check(R"({"dim": 64, "hidden_dim": 172, "n_layers": 5, "n_heads": 8, "vocab_size": 512,
            "seq_len": 512, "colour": 1})", "colour: unknown key");
  check(R"({"dim": 64, "hidden_dim": 172, "n_layers": 5, "n_heads": 7, "vocab_size": 512,
            "seq_len": 512})", "n_heads");
  check(R"({"dim": "64"})", "dim: expected an integer");
  check("{not json", "invalid JSON");
  // Shapes whose sizes would overflow the 64-bit element and byte counts.
  check(R"({"dim": 65536, "hidden_dim": 1048576, "n_layers": 1000, "n_heads": 64,
            "vocab_size": 32000, "seq_len": 512})", "more than the limit");
  check(R"({"dim": 4096, "hidden_dim": 4096, "n_layers": 1000, "n_heads": 32,
            "vocab_size": 32000, "seq_len": 2000000000})", "KV cache");
}
