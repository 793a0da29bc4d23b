// The Llama2 decoder forward pass, after llama2.c's run.c.
#include "sim/model/transformer.h"

#include "sim/model/error.h"
#include "sim/model/host_kernels.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace llamaf::model {

namespace {

// The small pure kernels are the host's (host_kernels.h), shared with the
// host probe that times them.
using kernels::attention_head;
using kernels::residual;
using kernels::rmsnorm;
using kernels::rope;
using kernels::swiglu;

std::span<const float> slice(const std::vector<float>& v, std::size_t index, std::size_t n) {
  return std::span<const float>(v).subspan(index * n, n);
}

}  // namespace

const char* matvec_group_name(MatvecGroup g) {
  switch (g) {
    case MatvecGroup::Qkv: return "qkv";
    case MatvecGroup::Out: return "o_proj";
    case MatvecGroup::GateUp: return "ffn_w1w3";
    case MatvecGroup::Down: return "ffn_w2";
    case MatvecGroup::Classifier: return "classifier";
  }
  return "?";
}

const char* host_op_name(HostOp op) {
  switch (op) {
    case HostOp::Embedding: return "embedding";
    case HostOp::RmsNorm: return "rmsnorm";
    case HostOp::Rope: return "rope";
    case HostOp::Attention: return "attention";
    case HostOp::Residual: return "residual";
    case HostOp::SwiGlu: return "swiglu";
    case HostOp::FinalNorm: return "final_rmsnorm";
  }
  return "?";
}

void Backend::matvecs(MatvecGroup, int, std::span<const float> x,
                      std::span<const Linear* const> ws, std::span<const std::span<float>> ys) {
  for (std::size_t i = 0; i < ws.size(); ++i) ws[i]->matvec(x, ys[i]);
}

RunState::RunState(const Config& c)
    : x(c.dim), xb(c.dim), xb2(c.dim), hb(c.hidden_dim), hb2(c.hidden_dim), q(c.dim),
      k(c.kv_dim()), v(c.kv_dim()),
      att(static_cast<std::size_t>(c.n_heads) * c.seq_len), logits(c.vocab_size),
      key_cache(static_cast<std::size_t>(c.n_layers) * c.seq_len * c.kv_dim()),
      value_cache(static_cast<std::size_t>(c.n_layers) * c.seq_len * c.kv_dim()) {}

Transformer::Transformer(Config config, TransformerWeights weights)
    : config_(config), w_(std::move(weights)), s_(config_) {
  config_.validate("transformer");
  if (static_cast<int>(w_.layers.size()) != config_.n_layers || !w_.classifier)
    throw_error("transformer: weights have {} layers (expected {}) or no classifier",
                w_.layers.size(), config_.n_layers);
}

namespace {

TransformerWeights build_weights(Checkpoint& ckpt, const std::optional<QuantSpec>& quant) {
  const Config& c = ckpt.config;
  FloatWeights& f = ckpt.weights;
  const std::size_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  TransformerWeights w;
  w.layers.resize(c.n_layers);
  auto linear = [&](const std::vector<float>& all, int layer, std::size_t rows,
                    std::size_t cols, const char* name) {
    return make_linear(slice(all, layer, rows * cols), static_cast<int>(rows),
                       static_cast<int>(cols), quant, fmt::format("layer {} {}", layer, name));
  };
  for (int l = 0; l < c.n_layers; ++l) {
    LayerLinears& L = w.layers[l];
    L.wq = linear(f.wq, l, d, d, "wq");
    L.wk = linear(f.wk, l, kv, d, "wk");
    L.wv = linear(f.wv, l, kv, d, "wv");
    L.wo = linear(f.wo, l, d, d, "wo");
    L.w1 = linear(f.w1, l, h, d, "w1");
    L.w2 = linear(f.w2, l, d, h, "w2");
    L.w3 = linear(f.w3, l, h, d, "w3");
  }
  // Release the float matrices as soon as they have been copied/quantized.
  for (auto* t : {&f.wq, &f.wk, &f.wv, &f.wo, &f.w1, &f.w2, &f.w3}) std::vector<float>().swap(*t);
  w.classifier = make_linear(f.classifier(), c.vocab_size, c.dim, quant, "classifier");
  std::vector<float>().swap(f.wcls);
  w.token_embedding = std::move(f.token_embedding);
  w.rms_att = std::move(f.rms_att);
  w.rms_ffn = std::move(f.rms_ffn);
  w.rms_final = std::move(f.rms_final);
  return w;
}

}  // namespace

Transformer::Transformer(Checkpoint ckpt, std::optional<QuantSpec> quant)
    : Transformer(ckpt.config, build_weights(ckpt, quant)) {}

void Transformer::reset() {
  std::fill(s_.key_cache.begin(), s_.key_cache.end(), 0.0f);
  std::fill(s_.value_cache.begin(), s_.value_cache.end(), 0.0f);
}

std::span<float> Transformer::forward(int token, int pos) {
  const Config& p = config_;
  RunState& s = s_;
  const int dim = p.dim, kv_dim = p.kv_dim(), hidden = p.hidden_dim;
  const int head_size = p.head_size(), kv_mul = p.kv_mul();
  if (token < 0 || token >= p.vocab_size)
    throw_error("forward: token {} outside the vocabulary 0..{}", token, p.vocab_size - 1);
  if (pos < 0 || pos >= p.seq_len)
    throw_error("forward: position {} outside 0..{} (seq_len)", pos, p.seq_len - 1);

  Backend& be = *backend_;
  const std::int64_t kv_row_bytes = static_cast<std::int64_t>(kv_dim) * sizeof(float);

  // x = token embedding
  std::ranges::copy(slice(w_.token_embedding, token, dim), s.x.begin());
  be.host_op({.op = HostOp::Embedding, .elements = dim});

  for (int l = 0; l < p.n_layers; ++l) {
    const LayerLinears& L = w_.layers[l];
    const std::size_t loff = static_cast<std::size_t>(l) * p.seq_len * kv_dim;
    float* key_row = s.key_cache.data() + loff + static_cast<std::size_t>(pos) * kv_dim;
    float* value_row = s.value_cache.data() + loff + static_cast<std::size_t>(pos) * kv_dim;

    // attention rmsnorm, then q, k, v projections (k, v straight into the cache)
    rmsnorm(s.xb, s.x, slice(w_.rms_att, l, dim), p.norm_eps);
    be.host_op({.op = HostOp::RmsNorm, .layer = l, .elements = dim});
    {
      const Linear* ws[] = {L.wq.get(), L.wk.get(), L.wv.get()};
      const std::span<float> ys[] = {s.q, {key_row, static_cast<std::size_t>(kv_dim)},
                                     {value_row, static_cast<std::size_t>(kv_dim)}};
      be.matvecs(MatvecGroup::Qkv, l, s.xb, ws, ys);
    }
    rope(s.q, std::span<float>(key_row, kv_dim), pos, head_size, p.rope_theta);
    be.host_op({.op = HostOp::Rope, .layer = l, .elements = dim});

    // grouped-query attention over positions 0..pos
    for (int hd = 0; hd < p.n_heads; ++hd) {
      const std::size_t kv_off = static_cast<std::size_t>(hd / kv_mul) * head_size;
      attention_head(s.q.data() + hd * head_size, s.key_cache.data() + loff + kv_off,
                     s.value_cache.data() + loff + kv_off, static_cast<std::size_t>(kv_dim), pos,
                     head_size, s.att.data() + static_cast<std::size_t>(hd) * p.seq_len,
                     s.xb.data() + hd * head_size);
    }
    be.host_op({.op = HostOp::Attention,
                .layer = l,
                .elements = dim,
                .pos = pos,
                .kv_bytes_read = 2 * (pos + 1) * kv_row_bytes,
                .kv_bytes_written = 2 * kv_row_bytes});

    // output projection and residual
    {
      const Linear* ws[] = {L.wo.get()};
      const std::span<float> ys[] = {s.xb2};
      be.matvecs(MatvecGroup::Out, l, s.xb, ws, ys);
    }
    residual(s.x, s.xb2);
    be.host_op({.op = HostOp::Residual, .layer = l, .elements = dim});

    // FFN: w2(silu(w1 x) * w3 x) and residual
    rmsnorm(s.xb, s.x, slice(w_.rms_ffn, l, dim), p.norm_eps);
    be.host_op({.op = HostOp::RmsNorm, .layer = l, .elements = dim});
    {
      const Linear* ws[] = {L.w1.get(), L.w3.get()};
      const std::span<float> ys[] = {s.hb, s.hb2};
      be.matvecs(MatvecGroup::GateUp, l, s.xb, ws, ys);
    }
    swiglu(s.hb, s.hb2);
    be.host_op({.op = HostOp::SwiGlu, .layer = l, .elements = hidden});
    {
      const Linear* ws[] = {L.w2.get()};
      const std::span<float> ys[] = {s.xb};
      be.matvecs(MatvecGroup::Down, l, s.hb, ws, ys);
    }
    residual(s.x, s.xb);
    be.host_op({.op = HostOp::Residual, .layer = l, .elements = dim});
  }

  rmsnorm(s.x, s.x, w_.rms_final, p.norm_eps);
  be.host_op({.op = HostOp::FinalNorm, .elements = dim});
  {
    const Linear* ws[] = {w_.classifier.get()};
    const std::span<float> ys[] = {s.logits};
    be.matvecs(MatvecGroup::Classifier, -1, s.x, ws, ys);
  }
  return s.logits;
}

}  // namespace llamaf::model
