// Float32 Llama2 weights in llama2.c's layout, as the checkpoint loaders
// produce them. Matrices are row-major (out, in): y = W x.
#pragma once

#include "sim/model/config.h"

#include <vector>

namespace llamaf::model {

struct FloatWeights {
  std::vector<float> token_embedding;  // (vocab_size, dim)
  std::vector<float> rms_att;          // (n_layers, dim)
  std::vector<float> wq;               // (n_layers, dim, dim)        out=n_heads*head_size
  std::vector<float> wk;               // (n_layers, kv_dim, dim)
  std::vector<float> wv;               // (n_layers, kv_dim, dim)
  std::vector<float> wo;               // (n_layers, dim, dim)
  std::vector<float> rms_ffn;          // (n_layers, dim)
  std::vector<float> w1;               // (n_layers, hidden_dim, dim)
  std::vector<float> w2;               // (n_layers, dim, hidden_dim)
  std::vector<float> w3;               // (n_layers, hidden_dim, dim)
  std::vector<float> rms_final;        // (dim)
  std::vector<float> wcls;             // (vocab_size, dim); empty when shared

  // The classifier matrix: wcls, or the token embedding when shared.
  const std::vector<float>& classifier() const { return wcls.empty() ? token_embedding : wcls; }
};

// A loaded model: its shape and weights.
struct Checkpoint {
  Config config;
  FloatWeights weights;
};

// Allocates every tensor of `c` with the right size, filled with zeros.
FloatWeights allocate_weights(const Config& c);

}  // namespace llamaf::model
