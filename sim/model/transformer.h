// The Llama2 decoder, written the llama2.c way: Config (shape), weights,
// RunState (activations and KV cache), and forward() reading as the algorithm.
// Every matrix-vector product goes through a Linear, so the same forward pass
// serves float32, golden quantized and RTL-backed runs.
#pragma once

#include "sim/model/config.h"
#include "sim/model/linear.h"
#include "sim/model/quant.h"
#include "sim/model/weights.h"

#include <cstdint>
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

// The matrix-vector jobs of a forward pass, by role. Jobs of one group share
// their input vector (Q/K/V; W1/W3), so a backend may enqueue them back to
// back (LlamaF concatenates them into one job).
enum class MatvecGroup { Qkv, Out, GateUp, Down, Classifier };
const char* matvec_group_name(MatvecGroup g);

// The operators the host (processing system) computes between accelerator
// jobs, with the work sizes a cost model needs.
enum class HostOp { Embedding, RmsNorm, Rope, Attention, Residual, SwiGlu, FinalNorm };
const char* host_op_name(HostOp op);

struct HostWork {
  HostOp op;
  int layer = -1;          // -1 outside the decoder layers
  int elements = 0;        // vector length the operator touches
  int pos = 0;             // Attention: current position (attends to pos+1 keys)
  std::int64_t kv_bytes_read = 0;     // Attention: KV-cache bytes read
  std::int64_t kv_bytes_written = 0;  // Attention: KV-cache bytes written (this position)
};

// Where the forward pass's matrix-vector products run, and who hears about
// host operators. The default runs every product on its Linear and ignores
// host operators; the system simulator's backend sends products to the RTL
// and charges host time.
class Backend {
 public:
  virtual ~Backend() = default;
  // ys[i] = ws[i] . x for all i.
  virtual void matvecs(MatvecGroup group, int layer, std::span<const float> x,
                       std::span<const Linear* const> ws, std::span<const std::span<float>> ys);
  // Called after the host has computed `work.op` (functionally).
  virtual void host_op(const HostWork& work) { (void)work; }
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
  // Route matrix-vector products and host-operator notices to `backend`
  // (not owned; nullptr restores the default).
  void set_backend(Backend* backend) { backend_ = backend ? backend : &default_backend_; }

 private:
  Config config_;
  TransformerWeights w_;
  RunState s_;
  Backend default_backend_;
  Backend* backend_ = &default_backend_;
};

}  // namespace llamaf::model
