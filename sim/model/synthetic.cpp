// Synthetic Llama2 weights: seeded, row by row, with heavy-ish tails.
#include "sim/model/synthetic.h"

#include "sim/model/error.h"

#include <cmath>
#include <functional>

namespace llamaf::model {

namespace {

// splitmix64: a tiny, well-mixed generator; each tensor row gets its own
// stream so rows can be generated independently and in any order.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // Approximately standard normal (sum of four uniforms, variance 1).
  float normal() {
    return (uniform() + uniform() + uniform() + uniform() - 2.0f) * 1.7320508f;
  }
};

enum class Tensor : std::uint64_t {
  Embedding = 1, RmsAtt, Wq, Wk, Wv, Wo, RmsFfn, W1, W2, W3, RmsFinal, Wcls
};

std::uint64_t stream_seed(std::uint64_t seed, Tensor t, int layer, int row) {
  SplitMix64 m{seed ^ (static_cast<std::uint64_t>(t) << 56) ^
               (static_cast<std::uint64_t>(layer) << 32) ^ static_cast<std::uint32_t>(row)};
  return m.next();
}

// Trained Llama weights are roughly normal with scale ~1/sqrt(fan_in) and a
// small fraction of outliers several times larger; the outliers matter here
// because they set the group-wise quantization scales.
void fill_row(std::span<float> row, std::uint64_t seed, Tensor t, int layer, int r, float sigma) {
  SplitMix64 g{stream_seed(seed, t, layer, r)};
  for (float& v : row) {
    const bool outlier = (g.next() & 0xFF) == 0;  // 1 in 256
    v = g.normal() * sigma * (outlier ? 6.0f : 1.0f);
  }
}

void fill_norm(std::span<float> v, std::uint64_t seed, Tensor t, int layer) {
  SplitMix64 g{stream_seed(seed, t, layer, 0)};
  for (float& x : v) x = 1.0f + 0.1f * g.normal();
}

struct MatrixSpec {
  Tensor tensor;
  int rows, cols;
};

// Fills all layers of one matrix kind into `out` (n_layers, rows, cols).
void fill_matrix(std::vector<float>& out, const MatrixSpec& m, int n_layers, std::uint64_t seed) {
  const std::size_t n = static_cast<std::size_t>(m.rows) * m.cols;
  const float sigma = 1.0f / std::sqrt(static_cast<float>(m.cols));
  for (int l = 0; l < n_layers; ++l)
    for (int r = 0; r < m.rows; ++r)
      fill_row(std::span<float>(out).subspan(l * n + static_cast<std::size_t>(r) * m.cols, m.cols),
               seed, m.tensor, l, r, sigma);
}

std::unique_ptr<Linear> synthetic_linear(const MatrixSpec& m, int layer, std::uint64_t seed,
                                         const std::optional<QuantSpec>& quant) {
  const float sigma = 1.0f / std::sqrt(static_cast<float>(m.cols));
  if (!quant) {
    std::vector<float> w(static_cast<std::size_t>(m.rows) * m.cols);
    for (int r = 0; r < m.rows; ++r)
      fill_row(std::span<float>(w).subspan(static_cast<std::size_t>(r) * m.cols, m.cols), seed,
               m.tensor, layer, r, sigma);
    return std::make_unique<FloatLinear>(std::move(w), m.rows, m.cols);
  }
  const int pc = padded_cols(m.cols, quant->group_size);
  QuantizedMatrix q;
  q.rows = m.rows;
  q.cols = pc;
  q.spec = *quant;
  q.q.assign(static_cast<std::size_t>(m.rows) * pc, 0);
  q.scale_bits.assign(static_cast<std::size_t>(m.rows) * (pc / quant->group_size), 0);
  std::vector<float> row(static_cast<std::size_t>(pc), 0.0f);
  for (int r = 0; r < m.rows; ++r) {
    fill_row(std::span<float>(row).first(m.cols), seed, m.tensor, layer, r, sigma);
    quantize_row(row, q, r);
  }
  return std::make_unique<QuantLinear>(std::move(q), m.cols);
}

}  // namespace

Checkpoint make_synthetic_checkpoint(const Config& c, std::uint64_t seed) {
  c.validate("synthetic model");
  Checkpoint ck{c, allocate_weights(c)};
  FloatWeights& w = ck.weights;
  const int d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  fill_matrix(w.token_embedding, {Tensor::Embedding, c.vocab_size, d}, 1, seed);
  fill_matrix(w.wq, {Tensor::Wq, d, d}, c.n_layers, seed);
  fill_matrix(w.wk, {Tensor::Wk, kv, d}, c.n_layers, seed);
  fill_matrix(w.wv, {Tensor::Wv, kv, d}, c.n_layers, seed);
  fill_matrix(w.wo, {Tensor::Wo, d, d}, c.n_layers, seed);
  fill_matrix(w.w1, {Tensor::W1, h, d}, c.n_layers, seed);
  fill_matrix(w.w2, {Tensor::W2, d, h}, c.n_layers, seed);
  fill_matrix(w.w3, {Tensor::W3, h, d}, c.n_layers, seed);
  if (!c.shared_classifier) fill_matrix(w.wcls, {Tensor::Wcls, c.vocab_size, d}, 1, seed);
  for (int l = 0; l < c.n_layers; ++l) {
    fill_norm(std::span<float>(w.rms_att).subspan(static_cast<std::size_t>(l) * d, d), seed,
              Tensor::RmsAtt, l);
    fill_norm(std::span<float>(w.rms_ffn).subspan(static_cast<std::size_t>(l) * d, d), seed,
              Tensor::RmsFfn, l);
  }
  fill_norm(w.rms_final, seed, Tensor::RmsFinal, 0);
  return ck;
}

Transformer make_synthetic_transformer(const Config& c, std::uint64_t seed,
                                       std::optional<QuantSpec> quant) {
  c.validate("synthetic model");
  const int d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  TransformerWeights w;
  w.token_embedding.resize(static_cast<std::size_t>(c.vocab_size) * d);
  fill_matrix(w.token_embedding, {Tensor::Embedding, c.vocab_size, d}, 1, seed);
  w.rms_att.resize(static_cast<std::size_t>(c.n_layers) * d);
  w.rms_ffn.resize(static_cast<std::size_t>(c.n_layers) * d);
  w.rms_final.resize(d);
  w.layers.resize(c.n_layers);
  for (int l = 0; l < c.n_layers; ++l) {
    fill_norm(std::span<float>(w.rms_att).subspan(static_cast<std::size_t>(l) * d, d), seed,
              Tensor::RmsAtt, l);
    fill_norm(std::span<float>(w.rms_ffn).subspan(static_cast<std::size_t>(l) * d, d), seed,
              Tensor::RmsFfn, l);
    LayerLinears& L = w.layers[l];
    L.wq = synthetic_linear({Tensor::Wq, d, d}, l, seed, quant);
    L.wk = synthetic_linear({Tensor::Wk, kv, d}, l, seed, quant);
    L.wv = synthetic_linear({Tensor::Wv, kv, d}, l, seed, quant);
    L.wo = synthetic_linear({Tensor::Wo, d, d}, l, seed, quant);
    L.w1 = synthetic_linear({Tensor::W1, h, d}, l, seed, quant);
    L.w2 = synthetic_linear({Tensor::W2, d, h}, l, seed, quant);
    L.w3 = synthetic_linear({Tensor::W3, h, d}, l, seed, quant);
  }
  fill_norm(w.rms_final, seed, Tensor::RmsFinal, 0);
  // The shared classifier is the embedding; its synthetic rows are the same.
  const Tensor cls = c.shared_classifier ? Tensor::Embedding : Tensor::Wcls;
  w.classifier = synthetic_linear({cls, c.vocab_size, d}, 0, seed, quant);
  return Transformer(c, std::move(w));
}

}  // namespace llamaf::model
