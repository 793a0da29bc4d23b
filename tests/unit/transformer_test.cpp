// Float32 forward pass against the published stories260K behaviour, and the
// synthetic models.
#include "sim/model/checkpoint.h"
#include "sim/model/generate.h"
#include "sim/model/synthetic.h"
#include "sim/model/tokenizer.h"
#include "tests/support/models.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace llamaf::model;

namespace {

// ../shared/models/README.md: greedy, empty prompt, BOS = 1.
const std::string kLilyStory =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
    "park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.";

}  // namespace

TEST_CASE("stories260K float32 greedy generation reproduces the reference story",
          "[transformer][models]") {
  auto model_path = llamaf::test::model_file("stories260K.bin");
  auto tok_path = llamaf::test::model_file("tok512.bin");
  if (!model_path || !tok_path) return;
  Transformer t(load_llama2c(model_path->string()));
  Tokenizer tok(tok_path->string(), t.config().vocab_size);
  Sampler greedy(t.config().vocab_size, 0.0f, 0.9f, 1);
  const std::vector<int> seq = generate(t, greedy, {Tokenizer::kBos}, 80);
  const std::string text = tok.decode(seq);
  INFO(text);
  REQUIRE(text.size() >= kLilyStory.size());
  CHECK(text.substr(0, kLilyStory.size()) == kLilyStory);
}

TEST_CASE("synthetic models are deterministic and shaped like real checkpoints", "[synthetic]") {
  Config c;
  c.dim = 64;
  c.hidden_dim = 172;
  c.n_layers = 2;
  c.n_heads = 8;
  c.n_kv_heads = 4;
  c.vocab_size = 100;
  c.seq_len = 16;
  const Checkpoint a = make_synthetic_checkpoint(c, 5);
  const Checkpoint b = make_synthetic_checkpoint(c, 5);
  const Checkpoint other = make_synthetic_checkpoint(c, 6);
  CHECK(a.weights.w1 == b.weights.w1);
  CHECK(a.weights.w1 != other.weights.w1);

  // Weight statistics: mean ~0, standard deviation ~1/sqrt(fan_in) with a
  // heavier tail than a normal distribution (kurtosis > 3).
  const auto& w = a.weights.w1;
  double sum = 0, sq = 0, quad = 0;
  for (float v : w) sum += v;
  const double mean = sum / w.size();
  for (float v : w) {
    sq += (v - mean) * (v - mean);
    quad += std::pow(v - mean, 4);
  }
  const double var = sq / w.size();
  const double kurtosis = quad / w.size() / (var * var);
  CHECK(std::abs(mean) < 0.01);
  CHECK(std::sqrt(var) == Approx(1.0 / std::sqrt(64.0) * 1.08).epsilon(0.15));
  CHECK(kurtosis > 3.5);

  // The float and the quantized synthetic transformer come from the same
  // weights: W8 logits stay close to float32 logits.
  Transformer f = make_synthetic_transformer(c, 5, std::nullopt);
  Transformer q = make_synthetic_transformer(c, 5, QuantSpec::parse("w8a8g64"));
  Transformer from_ckpt(make_synthetic_checkpoint(c, 5));
  const auto lf_span = f.forward(3, 0);
  const std::vector<float> lf(lf_span.begin(), lf_span.end());
  const auto lc = from_ckpt.forward(3, 0);
  for (std::size_t i = 0; i < lf.size(); ++i) REQUIRE(lf[i] == lc[i]);
  const auto lq = q.forward(3, 0);
  double max_diff = 0, max_abs = 0;
  for (std::size_t i = 0; i < lf.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(static_cast<double>(lf[i]) - lq[i]));
    max_abs = std::max(max_abs, std::abs(static_cast<double>(lf[i])));
  }
  CHECK(max_diff < 0.05 * max_abs);
}

TEST_CASE("a TinyLlama-shaped quantized model builds a layer without float copies",
          "[synthetic]") {
  // One layer of the real width, to keep the test fast; bytes scale linearly.
  Config c = load_shape(std::string(LLAMAF_SOURCE_DIR) + "/configs/models/tinyllama-1.1b.json");
  c.n_layers = 1;
  c.vocab_size = 512;
  c.seq_len = 8;
  Transformer q = make_synthetic_transformer(c, 1, QuantSpec::parse("w8a8g256"));
  const auto& w1 = dynamic_cast<const QuantLinear&>(*q.weights().layers[0].w1).weights();
  CHECK(w1.rows == 5632);
  CHECK(w1.cols == 2048);
  const auto logits = q.forward(1, 0);
  for (float v : logits) REQUIRE(std::isfinite(v));
}
