// Allocation of float32 Llama2 weights for a shape.
#include "sim/model/weights.h"

namespace llamaf::model {

FloatWeights allocate_weights(const Config& c) {
  const std::size_t d = c.dim, h = c.hidden_dim, l = c.n_layers, v = c.vocab_size,
                    kv = c.kv_dim();
  FloatWeights w;
  w.token_embedding.resize(v * d);
  w.rms_att.resize(l * d);
  w.wq.resize(l * d * d);
  w.wk.resize(l * kv * d);
  w.wv.resize(l * kv * d);
  w.wo.resize(l * d * d);
  w.rms_ffn.resize(l * d);
  w.w1.resize(l * h * d);
  w.w2.resize(l * d * h);
  w.w3.resize(l * h * d);
  w.rms_final.resize(d);
  if (!c.shared_classifier) w.wcls.resize(v * d);
  return w;
}

}  // namespace llamaf::model
