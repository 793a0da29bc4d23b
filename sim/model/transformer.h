// The Llama2 decoder, written the llama2.c way: Config (shape), weights,
// RunState (activations and KV cache), and forward() reading as the algorithm.
// Every matrix-vector product goes through a Linear, so the same forward pass
// serves float32, golden quantized and RTL-backed runs.
#pragma once

#include "sim/model/config.h"
#include "sim/model/linear.h"
#include "sim/model/quant.h"
#include "sim/model/weights.h"

#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace llamaf::model {

// The linear layers of one decoder layer.
struct LayerLinears {
  std::unique_ptr<Linear> wq, wk, wv, wo, w1, w2, w3;
};

// Everything forward() reads: embeddings and norms in float32, matrices
// behind Linear.
struct TransformerWeights {
  std::vector<float> token_embedding;  // (vocab_size, dim)
  std::vector<float> rms_att;          // (n_layers, dim)
  std::vector<float> rms_ffn;          // (n_layers, dim)
  std::vector<float> rms_final;        // (dim)
  std::vector<LayerLinears> layers;    // (n_layers)
  std::unique_ptr<Linear> classifier;  // (vocab_size, dim)
};

// Activation buffers and KV cache of one sequence.
struct RunState {
  explicit RunState(const Config& c);
  std::vector<float> x;        // (dim) residual stream
  std::vector<float> xb;       // (dim) normalized / attention output
  std::vector<float> xb2;      // (dim)
  std::vector<float> hb;       // (hidden_dim)
  std::vector<float> hb2;      // (hidden_dim)
  std::vector<float> q;        // (dim)
  std::vector<float> k;        // (kv_dim)
  std::vector<float> v;        // (kv_dim)
  std::vector<float> att;      // (n_heads, seq_len)
  std::vector<float> logits;   // (vocab_size)
  std::vector<float> key_cache;    // (n_layers, seq_len, kv_dim)
  std::vector<float> value_cache;  // (n_layers, seq_len, kv_dim)
};

class Transformer {
 public:
  // Float32 model, or group-wise quantized (golden arithmetic) when `quant`
  // is given. Takes the checkpoint's tensors (float copies of quantized
  // matrices are released as they are quantized).
  explicit Transformer(Checkpoint ckpt, std::optional<QuantSpec> quant = std::nullopt);
  Transformer(Config config, TransformerWeights weights);

  const Config& config() const { return config_; }
  const TransformerWeights& weights() const { return w_; }
  // Logits (vocab_size) for `token` at position `pos`; updates the KV cache.
  std::span<float> forward(int token, int pos);
  // Forget the sequence (positions restart at 0).
  void reset();

 private:
  Config config_;
  TransformerWeights w_;
  RunState s_;
};

}  // namespace llamaf::model
