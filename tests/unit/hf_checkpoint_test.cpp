// Hugging Face checkpoint loader/writer: round trips against the llama2.c
// loader, the Q/K RoPE permutation, 16-bit dtypes and malformed inputs.
#include "sim/model/checkpoint.h"
#include "sim/model/error.h"
#include "sim/model/safetensors.h"
#include "sim/model/transformer.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace llamaf::model;

// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / fmt::format("llamaf_hf_test_{:08x}{:08x}", rd(), rd());
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// A small model with every tensor filled with distinct pseudo-random values.
Checkpoint tiny_checkpoint(bool shared_classifier, int n_heads = 2, int n_kv_heads = 1) {
  Config c;
  c.dim = 16;
  c.hidden_dim = 8;
  c.n_layers = 2;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv_heads;
  c.vocab_size = 8;
  c.seq_len = 8;
  c.shared_classifier = shared_classifier;
  c.norm_eps = 1e-5f;
  Checkpoint ck{c, allocate_weights(c)};
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (auto* v : {&ck.weights.token_embedding, &ck.weights.rms_att, &ck.weights.wq, &ck.weights.wk,
                  &ck.weights.wv, &ck.weights.wo, &ck.weights.rms_ffn, &ck.weights.w1,
                  &ck.weights.w2, &ck.weights.w3, &ck.weights.rms_final, &ck.weights.wcls}) {
    for (auto& x : *v) x = u(rng);
  }
  return ck;
}

void require_same_weights(const FloatWeights& a, const FloatWeights& b) {
  CHECK(a.token_embedding == b.token_embedding);
  CHECK(a.rms_att == b.rms_att);
  CHECK(a.wq == b.wq);
  CHECK(a.wk == b.wk);
  CHECK(a.wv == b.wv);
  CHECK(a.wo == b.wo);
  CHECK(a.rms_ffn == b.rms_ffn);
  CHECK(a.w1 == b.w1);
  CHECK(a.w2 == b.w2);
  CHECK(a.w3 == b.w3);
  CHECK(a.rms_final == b.rms_final);
  CHECK(a.wcls == b.wcls);
}

// Runs `fn`, which must throw llamaf::Error with a one-line message containing
// every string in `parts` (file name, tensor or key, what was expected).
void require_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
  } catch (const llamaf::Error& e) {
    const std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(msg.find('\n') == std::string::npos);
    for (const auto& p : parts) CHECK(msg.find(p) != std::string::npos);
    return;
  }
  FAIL("no llamaf::Error thrown; expected one mentioning " << parts.front());
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A safetensors file split into its JSON header and data section, for
// tampering with the header byte-for-byte.
struct RawFile {
  json header;
  std::string data;
};

RawFile read_raw(const fs::path& p) {
  const std::string b = read_bytes(p);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
  return {json::parse(b.substr(8, n)), b.substr(8 + n)};
}

std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
  return s;
}

void write_raw(const fs::path& p, const RawFile& f) {
  const std::string h = f.header.dump();
  write_bytes(p, le64(h.size()) + h + f.data);
}

// Rewrites a safetensors file as float32 after `edit` changed its tensor list.
struct OwnedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> data;
};

void rewrite(const fs::path& p, const std::function<void(std::vector<OwnedTensor>&)>& edit) {
  std::vector<OwnedTensor> ts;
  {
    SafetensorsReader r(p.string());
    for (const auto& [name, t] : r.tensors()) ts.push_back({name, t.shape, r.read_f32(name)});
  }
  edit(ts);
  std::vector<SafetensorsOutput> out;
  for (const auto& t : ts) out.push_back({t.name, t.shape, t.data});
  write_safetensors(p.string(), out, "F32");
}

void edit_config(const fs::path& dir, const std::function<void(json&)>& edit) {
  json j = json::parse(read_bytes(dir / "config.json"));
  edit(j);
  write_bytes(dir / "config.json", j.dump(2));
}

// llama2.c's RoPE: rotates adjacent pairs (2i, 2i+1) of each head.
void rope_adjacent(std::vector<double>& v, int head_size, int pos, double theta) {
  for (std::size_t h = 0; h < v.size(); h += static_cast<std::size_t>(head_size)) {
    for (int i = 0; i < head_size / 2; ++i) {
      const double a = pos * std::pow(theta, -2.0 * i / head_size);
      double& x0 = v[h + 2 * static_cast<std::size_t>(i)];
      double& x1 = v[h + 2 * static_cast<std::size_t>(i) + 1];
      const double r0 = x0 * std::cos(a) - x1 * std::sin(a), r1 = x0 * std::sin(a) + x1 * std::cos(a);
      x0 = r0;
      x1 = r1;
    }
  }
}

// Hugging Face's RoPE: q * cos + rotate_half(q) * sin, pairing (i, i + hs/2).
void rope_rotate_half(std::vector<double>& v, int head_size, int pos, double theta) {
  const std::size_t half = static_cast<std::size_t>(head_size / 2);
  for (std::size_t h = 0; h < v.size(); h += static_cast<std::size_t>(head_size)) {
    for (std::size_t i = 0; i < half; ++i) {
      const double a = pos * std::pow(theta, -2.0 * static_cast<double>(i) / head_size);
      double& x0 = v[h + i];
      double& x1 = v[h + i + half];
      const double r0 = x0 * std::cos(a) - x1 * std::sin(a), r1 = x1 * std::cos(a) + x0 * std::sin(a);
      x0 = r0;
      x1 = r1;
    }
  }
}

// y = W x for layer `layer` of a (n_layers, rows, cols) tensor, in double.
std::vector<double> matvec(const std::vector<float>& w, int layer, int rows, int cols,
                           const std::vector<double>& x) {
  std::vector<double> y(static_cast<std::size_t>(rows));
  const std::size_t base = static_cast<std::size_t>(layer) * rows * cols;
  for (std::size_t r = 0; r < y.size(); ++r) {
    for (std::size_t c = 0; c < static_cast<std::size_t>(cols); ++c) {
      y[r] += w[base + r * static_cast<std::size_t>(cols) + c] * x[c];
    }
  }
  return y;
}

// Per-head attention scores q_h . k_(h / kv_mul) after RoPE.
std::vector<double> scores(const std::vector<double>& q, const std::vector<double>& k, const Config& c) {
  std::vector<double> s;
  const std::size_t hs = static_cast<std::size_t>(c.head_size());
  for (std::size_t h = 0; h < static_cast<std::size_t>(c.n_heads); ++h) {
    const std::size_t kh = h / static_cast<std::size_t>(c.kv_mul());
    double d = 0;
    for (std::size_t i = 0; i < hs; ++i) d += q[h * hs + i] * k[kh * hs + i];
    s.push_back(d);
  }
  return s;
}

}  // namespace

TEST_CASE("stories260K survives llama2.c -> HF F32 -> load bit for bit", "[hf]") {
  auto p = llamaf::test::model_file("stories260K.bin");
  if (!p) return;
  const Checkpoint orig = load_llama2c(p->string());
  TempDir dir;
  save_hf_dir(orig, dir.str(), "F32");

  const Checkpoint back = load_hf_dir(dir.str());
  REQUIRE(back.config == orig.config);
  require_same_weights(back.weights, orig.weights);

  // What a Hugging Face loader reads: the LlamaConfig keys and no separate
  // lm_head for this tied model.
  const json cfg = json::parse(read_bytes(dir.path / "config.json"));
  CHECK(cfg.at("hidden_size") == 64);
  CHECK(cfg.at("intermediate_size") == 172);
  CHECK(cfg.at("num_hidden_layers") == 5);
  CHECK(cfg.at("num_attention_heads") == 8);
  CHECK(cfg.at("num_key_value_heads") == 4);
  CHECK(cfg.at("vocab_size") == 512);
  CHECK(cfg.at("max_position_embeddings") == 512);
  CHECK(cfg.at("tie_word_embeddings") == true);
  SafetensorsReader st((dir.path / "model.safetensors").string());
  CHECK(st.find("lm_head.weight") == nullptr);
  CHECK(st.tensors().size() == 2 + 9 * 5u);
  CHECK(st.metadata().at("format") == "pt");

  // load_checkpoint dispatches a directory to the HF loader.
  CHECK(load_checkpoint(dir.str()).weights.wq == orig.weights.wq);

  Transformer a(load_llama2c(p->string()));
  Transformer b(load_hf_dir(dir.str()));
  const int tokens[] = {1, 403, 407, 261, 511, 0, 97};
  for (int pos = 0; pos < 7; ++pos) {
    auto la = a.forward(tokens[pos], pos);
    auto lb = b.forward(tokens[pos], pos);
    REQUIRE(la.size() == 512);
    REQUIRE(lb.size() == la.size());
    for (std::size_t i = 0; i < la.size(); ++i) {
      INFO("pos " << pos << " logit " << i);
      REQUIRE(std::bit_cast<std::uint32_t>(la[i]) == std::bit_cast<std::uint32_t>(lb[i]));
    }
  }
}

TEST_CASE("untied classifier and grouped-query shapes round trip", "[hf]") {
  for (bool shared : {false, true}) {
    const Checkpoint orig = tiny_checkpoint(shared, 4, 2);
    TempDir dir;
    save_hf_dir(orig, dir.str());
    SafetensorsReader st((dir.path / "model.safetensors").string());
    CHECK((st.find("lm_head.weight") != nullptr) == !shared);
    const Checkpoint back = load_hf_dir(dir.str());
    CHECK(back.config == orig.config);
    require_same_weights(back.weights, orig.weights);
  }
}

TEST_CASE("BF16 and F16 exports load with rounding error only", "[hf]") {
  auto p = llamaf::test::model_file("stories260K.bin");
  if (!p) return;
  const Checkpoint orig = load_llama2c(p->string());
  struct Case {
    const char* dtype;
    double rel, abs;  // round to nearest: half an ulp of the format
  };
  for (const Case& k : {Case{"BF16", std::ldexp(1.0, -8), 0.0},
                        Case{"F16", std::ldexp(1.0, -11), std::ldexp(1.0, -25)}}) {
    INFO("dtype " << k.dtype);
    TempDir dir;
    save_hf_dir(orig, dir.str(), k.dtype);
    CHECK(read_raw(dir.path / "model.safetensors").header.at("model.norm.weight").at("dtype") == k.dtype);
    const Checkpoint back = load_hf_dir(dir.str());
    REQUIRE(back.config == orig.config);
    auto check = [&](const std::vector<float>& a, const std::vector<float>& b, const char* name) {
      INFO("tensor " << name);
      REQUIRE(a.size() == b.size());
      double worst = 0.0;
      bool changed = false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const double err = std::fabs(static_cast<double>(a[i]) - b[i]);
        worst = std::max(worst, err - (k.rel * std::fabs(a[i]) + k.abs));
        changed |= a[i] != b[i];
      }
      CHECK(worst <= 0.0);
      CHECK(changed);  // the values really went through 16 bits
    };
    const auto &o = orig.weights, &r = back.weights;
    check(o.token_embedding, r.token_embedding, "token_embedding");
    check(o.rms_att, r.rms_att, "rms_att");
    check(o.wq, r.wq, "wq");
    check(o.wk, r.wk, "wk");
    check(o.wv, r.wv, "wv");
    check(o.wo, r.wo, "wo");
    check(o.rms_ffn, r.rms_ffn, "rms_ffn");
    check(o.w1, r.w1, "w1");
    check(o.w2, r.w2, "w2");
    check(o.w3, r.w3, "w3");
    check(o.rms_final, r.rms_final, "rms_final");

    // The rounded model still computes nearly the same logits.
    Transformer a(load_llama2c(p->string()));
    Transformer b(load_hf_dir(dir.str()));
    const int tokens[] = {1, 403, 407, 261};
    for (int pos = 0; pos < 4; ++pos) {
      auto la = a.forward(tokens[pos], pos);
      auto lb = b.forward(tokens[pos], pos);
      double worst = 0.0;
      for (std::size_t i = 0; i < la.size(); ++i) worst = std::max(worst, std::fabs(double(la[i]) - lb[i]));
      INFO("pos " << pos << " max |logit diff| " << worst);
      CHECK(worst < 0.25);
    }
  }
}

TEST_CASE("16-bit conversions round to nearest even", "[hf]") {
  CHECK(f32_to_f16(1.0f) == 0x3C00);
  CHECK(f32_to_f16(-2.0f) == 0xC000);
  CHECK(f32_to_f16(65504.0f) == 0x7BFF);
  CHECK(f32_to_f16(65519.0f) == 0x7BFF);
  CHECK(f32_to_f16(65520.0f) == 0x7C00);  // tie rounds to even: infinity
  CHECK(f32_to_f16(std::ldexp(1.0f, -14)) == 0x0400);
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);         // tie to even: zero
  CHECK(f32_to_f16(std::ldexp(3.0f, -26)) == 0x0001);         // 1.5 * 2^-25
  CHECK(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);         // 1.5 ulp: tie to even
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie to even
  CHECK(f32_to_f16(1.0f + std::ldexp(3.0f, -11)) == 0x3C02);
  CHECK(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
  // Every binary16 value survives the trip through float32.
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const auto v = static_cast<std::uint16_t>(h);
    if (std::isnan(f16_to_f32(v))) continue;
    REQUIRE(f32_to_f16(f16_to_f32(v)) == v);
  }
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));
  CHECK(f16_to_f32(0x3555) == 0.333251953125f);

  CHECK(f32_to_bf16(1.0f) == 0x3F80);
  CHECK(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);  // tie to even
  CHECK(f32_to_bf16(1.0f + std::ldexp(3.0f, -8)) == 0x3F82);
  CHECK(f32_to_bf16(-3.0f) == 0xC040);
  CHECK(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  CHECK(bf16_to_f32(0x3F80) == 1.0f);
}

TEST_CASE("saved Q/K rows follow Hugging Face's rotate-half order", "[hf]") {
  // dim 16, 2 query heads of 8, 1 KV head: llama2.c pairs rows (2i, 2i+1) of
  // a head, HF pairs (i, i+4), so HF row j holds llama2.c row
  // 0 2 4 6 1 3 5 7 (then the same for the second head, +8).
  Checkpoint ck = tiny_checkpoint(false, 2, 1);
  const int dim = 16;
  for (int l = 0; l < 2; ++l) {
    for (int r = 0; r < 16; ++r) {
      for (int c = 0; c < dim; ++c) {
        ck.weights.wq[static_cast<std::size_t>((l * 16 + r) * dim + c)] = float(1000 * l + 100 * r + c);
      }
    }
    for (int r = 0; r < 8; ++r) {
      for (int c = 0; c < dim; ++c) {
        ck.weights.wk[static_cast<std::size_t>((l * 8 + r) * dim + c)] = float(1000 * l + 100 * r + c);
      }
    }
  }
  TempDir dir;
  save_hf_dir(ck, dir.str());
  SafetensorsReader st((dir.path / "model.safetensors").string());
  const int q_rows[] = {0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15};
  const int k_rows[] = {0, 2, 4, 6, 1, 3, 5, 7};
  for (int l = 0; l < 2; ++l) {
    const auto q = st.read_f32(fmt::format("model.layers.{}.self_attn.q_proj.weight", l));
    const auto k = st.read_f32(fmt::format("model.layers.{}.self_attn.k_proj.weight", l));
    for (int j = 0; j < 16; ++j) {
      for (int c = 0; c < dim; ++c) {
        REQUIRE(q[static_cast<std::size_t>(j * dim + c)] == float(1000 * l + 100 * q_rows[j] + c));
      }
    }
    for (int j = 0; j < 8; ++j) {
      for (int c = 0; c < dim; ++c) {
        REQUIRE(k[static_cast<std::size_t>(j * dim + c)] == float(1000 * l + 100 * k_rows[j] + c));
      }
    }
    // V is not rotated, so it is stored as is.
    const auto v = st.read_f32(fmt::format("model.layers.{}.self_attn.v_proj.weight", l));
    REQUIRE(std::equal(v.begin(), v.end(), ck.weights.wv.begin() + l * 8 * dim));
  }
  // And loading puts them back.
  CHECK(load_hf_dir(dir.str()).weights.wq == ck.weights.wq);
  CHECK(load_hf_dir(dir.str()).weights.wk == ck.weights.wk);
}

TEST_CASE("HF layout with rotate-half RoPE gives llama2.c's attention scores", "[hf]") {
  // The independent check of the permutation's direction: attention scores
  // computed the Hugging Face way from the saved q_proj/k_proj must equal
  // llama2.c's from wq/wk. The inverse permutation (the wrong direction)
  // must not, which shows the check can tell them apart at head size 8.
  auto p = llamaf::test::model_file("stories260K.bin");
  if (!p) return;
  const Checkpoint ck = load_llama2c(p->string());
  const Config& c = ck.config;
  REQUIRE(c.head_size() == 8);
  TempDir dir;
  save_hf_dir(ck, dir.str());
  SafetensorsReader st((dir.path / "model.safetensors").string());

  std::mt19937 rng(7);
  std::normal_distribution<double> n01;
  std::vector<double> x(static_cast<std::size_t>(c.dim)), x2(x.size());
  for (auto& v : x) v = n01(rng);
  for (auto& v : x2) v = n01(rng);
  const int pos_q = 5, pos_k = 2;
  const double theta = c.rope_theta;

  for (int l = 0; l < c.n_layers; ++l) {
    INFO("layer " << l);
    const auto q_hf = st.read_f32(fmt::format("model.layers.{}.self_attn.q_proj.weight", l));
    const auto k_hf = st.read_f32(fmt::format("model.layers.{}.self_attn.k_proj.weight", l));
    const std::vector<float> wq(ck.weights.wq.begin() + l * c.dim * c.dim,
                                ck.weights.wq.begin() + (l + 1) * c.dim * c.dim);
    CHECK(q_hf != wq);

    auto q = matvec(ck.weights.wq, l, c.dim, c.dim, x);
    auto k = matvec(ck.weights.wk, l, c.kv_dim(), c.dim, x2);
    rope_adjacent(q, c.head_size(), pos_q, theta);
    rope_adjacent(k, c.head_size(), pos_k, theta);
    const auto want = scores(q, k, c);

    auto qh = matvec(q_hf, 0, c.dim, c.dim, x);
    auto kh = matvec(k_hf, 0, c.kv_dim(), c.dim, x2);
    rope_rotate_half(qh, c.head_size(), pos_q, theta);
    rope_rotate_half(kh, c.head_size(), pos_k, theta);
    const auto got = scores(qh, kh, c);
    for (std::size_t h = 0; h < want.size(); ++h) CHECK(got[h] == Approx(want[h]).epsilon(1e-9));

    // The wrong direction: HF row j taken from llama2.c row perm^-1(j).
    const int hs = c.head_size(), half = hs / 2;
    auto wrong = [&](const std::vector<float>& w, int rows) {
      std::vector<float> out(static_cast<std::size_t>(rows * c.dim));
      for (int r = 0; r < rows; ++r) {
        const int h = r / hs, i = r % hs;
        const int src = h * hs + (i % 2) * half + i / 2;
        std::copy_n(w.begin() + (static_cast<std::ptrdiff_t>(l) * rows + src) * c.dim, c.dim,
                    out.begin() + static_cast<std::ptrdiff_t>(r) * c.dim);
      }
      return out;
    };
    auto qw = matvec(wrong(ck.weights.wq, c.dim), 0, c.dim, c.dim, x);
    auto kw = matvec(wrong(ck.weights.wk, c.kv_dim()), 0, c.kv_dim(), c.dim, x2);
    rope_rotate_half(qw, c.head_size(), pos_q, theta);
    rope_rotate_half(kw, c.head_size(), pos_k, theta);
    const auto bad = scores(qw, kw, c);
    double worst = 0.0;
    for (std::size_t h = 0; h < want.size(); ++h) worst = std::max(worst, std::fabs(bad[h] - want[h]));
    CHECK(worst > 1e-3);
  }
}

TEST_CASE("sharded checkpoints load through model.safetensors.index.json", "[hf]") {
  const Checkpoint orig = tiny_checkpoint(false);
  TempDir dir;
  save_hf_dir(orig, dir.str());
  std::vector<OwnedTensor> all;
  {
    SafetensorsReader r((dir.path / "model.safetensors").string());
    for (const auto& [name, t] : r.tensors()) all.push_back({name, t.shape, r.read_f32(name)});
  }
  fs::remove(dir.path / "model.safetensors");
  json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
  std::vector<SafetensorsOutput> shard[2];
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::size_t s = i % 2;
    shard[s].push_back({all[i].name, all[i].shape, all[i].data});
    index["weight_map"][all[i].name] = fmt::format("model-0000{}-of-00002.safetensors", s + 1);
  }
  write_safetensors((dir.path / "model-00001-of-00002.safetensors").string(), shard[0], "BF16");
  write_safetensors((dir.path / "model-00002-of-00002.safetensors").string(), shard[1], "F32");
  write_bytes(dir.path / "model.safetensors.index.json", index.dump(2));

  const Checkpoint back = load_hf_dir(dir.str());
  CHECK(back.config == orig.config);
  CHECK(back.weights.w2.size() == orig.weights.w2.size());

  // A tensor the index promises but the shard lacks.
  index["weight_map"]["model.layers.0.mlp.up_proj.weight"] =
      index["weight_map"]["model.layers.0.mlp.up_proj.weight"] == "model-00001-of-00002.safetensors"
          ? "model-00002-of-00002.safetensors"
          : "model-00001-of-00002.safetensors";
  write_bytes(dir.path / "model.safetensors.index.json", index.dump(2));
  require_error([&] { load_hf_dir(dir.str()); },
                {"of-00002.safetensors", "model.layers.0.mlp.up_proj.weight", "missing"});
}

TEST_CASE("malformed HF checkpoints give one-line errors naming file and tensor or key", "[hf]") {
  const Checkpoint orig = tiny_checkpoint(false);
  TempDir dir;
  const fs::path st = dir.path / "model.safetensors";
  const fs::path cfg = dir.path / "config.json";
  const std::string st_name = st.string(), cfg_name = cfg.string();
  auto fresh = [&] { save_hf_dir(orig, dir.str()); };
  auto load = [&] { load_hf_dir(dir.str()); };

  SECTION("missing tensor") {
    fresh();
    rewrite(st, [](auto& ts) {
      std::erase_if(ts, [](const auto& t) { return t.name == "model.layers.1.mlp.up_proj.weight"; });
    });
    require_error(load, {st_name, "missing tensor 'model.layers.1.mlp.up_proj.weight'", "[8, 16]"});
  }
  SECTION("missing lm_head when the classifier is not tied") {
    fresh();
    rewrite(st, [](auto& ts) {
      std::erase_if(ts, [](const auto& t) { return t.name == "lm_head.weight"; });
    });
    require_error(load, {st_name, "lm_head.weight", "missing"});
  }
  SECTION("wrong shape") {
    fresh();
    rewrite(st, [](auto& ts) {
      for (auto& t : ts) {
        if (t.name == "model.layers.0.mlp.down_proj.weight") t.shape = {8, 16};
      }
    });
    require_error(load, {st_name, "model.layers.0.mlp.down_proj.weight", "shape [8, 16], expected [16, 8]"});
  }
  SECTION("unexpected tensor (a bias the forward pass would ignore)") {
    fresh();
    rewrite(st, [](auto& ts) { ts.push_back({"model.layers.0.self_attn.q_proj.bias", {16}, std::vector<float>(16)}); });
    require_error(load, {st_name, "model.layers.0.self_attn.q_proj.bias", "unexpected"});
  }
  SECTION("truncated data section") {
    fresh();
    fs::resize_file(st, fs::file_size(st) - 10);
    // The tensor stored last reaches past the end of the file.
    const RawFile raw = read_raw(st);
    std::string last;
    std::uint64_t last_end = 0;
    for (const auto& [name, v] : raw.header.items()) {
      if (name != "__metadata__" && v.at("data_offsets")[1].get<std::uint64_t>() > last_end) {
        last_end = v.at("data_offsets")[1].get<std::uint64_t>();
        last = name;
      }
    }
    require_error(load, {st_name, "'" + last + "'", "truncated"});
  }
  SECTION("truncated inside the header") {
    fresh();
    fs::resize_file(st, 40);
    require_error(load, {st_name, "header length", "truncated"});
    fs::resize_file(st, 5);
    require_error(load, {st_name, "8-byte header length"});
  }
  SECTION("implausible header length") {
    fresh();
    std::string b = read_bytes(st);
    b.replace(0, 8, le64(std::uint64_t{1} << 40));
    write_bytes(st, b);
    require_error(load, {st_name, "header length 1099511627776"});
  }
  SECTION("header is not JSON") {
    fresh();
    std::string b = read_bytes(st);
    b[8] = '[';
    b[9] = '!';
    write_bytes(st, b);
    require_error(load, {st_name, "not valid JSON"});
  }
  SECTION("unknown dtype") {
    fresh();
    RawFile raw = read_raw(st);
    raw.header["model.norm.weight"]["dtype"] = "Q4";
    write_raw(st, raw);
    require_error(load, {st_name, "model.norm.weight", "unknown dtype 'Q4'"});
  }
  SECTION("unsupported dtype") {
    fresh();
    RawFile raw = read_raw(st);
    raw.header["model.norm.weight"]["dtype"] = "I32";
    write_raw(st, raw);
    require_error(load, {st_name, "model.norm.weight", "unsupported dtype I32", "F32, F16 or BF16"});
  }
  SECTION("data_offsets disagree with dtype and shape") {
    fresh();
    RawFile raw = read_raw(st);
    raw.header["model.norm.weight"]["dtype"] = "F16";
    write_raw(st, raw);
    require_error(load, {st_name, "model.norm.weight", "(64 bytes)", "needs 32 bytes"});
  }
  SECTION("overlapping data_offsets") {
    fresh();
    RawFile raw = read_raw(st);
    // Shift the final norm 4 bytes back, into the tensor stored before it.
    auto& off = raw.header["model.norm.weight"]["data_offsets"];
    off = {off[0].get<std::uint64_t>() - 4, off[1].get<std::uint64_t>() - 4};
    write_raw(st, raw);
    require_error(load, {st_name, "model.norm.weight", "overlap"});
  }
  SECTION("data_offsets past the end of the file") {
    fresh();
    RawFile raw = read_raw(st);
    const auto size = raw.data.size();
    raw.header["model.norm.weight"]["data_offsets"] = {size, size + 64};
    write_raw(st, raw);
    require_error(load, {st_name, "model.norm.weight", fmt::format("[{}, {}]", size, size + 64)});
  }
  SECTION("missing config key") {
    fresh();
    edit_config(dir.path, [](json& j) { j.erase("num_hidden_layers"); });
    require_error(load, {cfg_name, "missing key 'num_hidden_layers'"});
  }
  SECTION("config key of the wrong type") {
    fresh();
    edit_config(dir.path, [](json& j) { j["hidden_size"] = "16"; });
    require_error(load, {cfg_name, "'hidden_size'", "expected an integer"});
  }
  SECTION("config shape the tensors contradict") {
    fresh();
    edit_config(dir.path, [](json& j) { j["intermediate_size"] = 12; });
    require_error(load, {st_name, "model.layers.0.mlp.gate_proj.weight", "expected [12, 16]"});
  }
  // Found by tests/fuzz/hf_config_fuzz (docs/robustness.md): the weights
  // were allocated before the tensors were checked, so this config (9e11
  // parameters) asked for 3.6 TB and a huge num_hidden_layers built a
  // tensor table of billions of entries.
  SECTION("config far larger than the tensors: missing tensor, nothing allocated") {
    fresh();
    edit_config(dir.path, [](json& j) {
      j["hidden_size"] = 65536;
      j["intermediate_size"] = 65536;
      j["num_attention_heads"] = 64;
      j["num_key_value_heads"] = 64;
      j["num_hidden_layers"] = 30;
      j.erase("head_dim");
    });
    require_error(load, {st_name, "model.embed_tokens.weight", "65536]"});
    edit_config(dir.path, [](json& j) {
      j["hidden_size"] = 16;
      j["intermediate_size"] = 8;
      j["num_attention_heads"] = 2;
      j["num_key_value_heads"] = 1;
      j["num_hidden_layers"] = 300000000;
    });
    require_error(load, {st_name, "missing tensor 'model.layers.2.input_layernorm.weight'"});
  }
  // Found by tests/fuzz/hf_config_fuzz and safetensors_fuzz: nlohmann
  // throws out_of_range (not parse_error) for a number beyond double, and it
  // escaped the readers as a non-llamaf::Error.
  SECTION("numbers beyond double (1e999) in config.json or the safetensors header") {
    fresh();
    write_bytes(cfg, R"({"hidden_size": 16, "rope_theta": 1e999})");
    require_error(load, {cfg_name, "not valid JSON", "number overflow"});
    fresh();
    std::string header = R"({"t": {"dtype": "F32", "shape": [1e999], "data_offsets": [0, 4]}})";
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
    write_bytes(st, file + header + std::string(4, '\0'));
    require_error([&] { SafetensorsReader r(st_name); }, {st_name, "not valid JSON", "number overflow"});
  }
  SECTION("unsupported config features") {
    fresh();
    edit_config(dir.path, [](json& j) { j["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}}; });
    require_error(load, {cfg_name, "rope_scaling"});
    edit_config(dir.path, [](json& j) {
      j["rope_scaling"] = nullptr;
      j["hidden_act"] = "gelu";
    });
    require_error(load, {cfg_name, "hidden_act", "silu"});
  }
  SECTION("no config.json or model.safetensors") {
    fresh();
    fs::remove(st);
    require_error(load, {st_name});
    fs::remove(cfg);
    require_error(load, {cfg_name, "config.json"});
  }
  SECTION("F16 export refuses values it cannot represent") {
    Checkpoint big = orig;
    big.weights.w2[3] = 1e6f;
    require_error([&] { save_hf_dir(big, dir.str(), "F16"); }, {"model.layers.0.mlp.down_proj.weight", "F16 range"});
    require_error([&] { save_hf_dir(orig, dir.str(), "F8"); }, {dir.str(), "'F8'"});
  }
}

TEST_CASE("LlamaConfig defaults and ignorable tensors are accepted", "[hf]") {
  const Checkpoint orig = tiny_checkpoint(true, 2, 2);
  TempDir dir;
  save_hf_dir(orig, dir.str());
  // save_pretrained leaves out keys equal to LlamaConfig's defaults.
  edit_config(dir.path, [](json& j) {
    j.erase("num_key_value_heads");
    j.erase("rope_theta");
    j.erase("torch_dtype");
    j["bos_token_id"] = 1;  // keys the loader has no use for are fine
  });
  // Older exports carry RoPE inverse frequencies and a copy of the tied head.
  rewrite(dir.path / "model.safetensors", [&](auto& ts) {
    ts.push_back({"model.layers.0.self_attn.rotary_emb.inv_freq", {4}, std::vector<float>(4, 1.0f)});
    ts.push_back({"lm_head.weight", {8, 16}, orig.weights.token_embedding});
  });
  const Checkpoint back = load_hf_dir(dir.str());
  CHECK(back.config == orig.config);
  require_same_weights(back.weights, orig.weights);
}
