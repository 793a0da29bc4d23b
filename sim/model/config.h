// Llama2 model shape (llama2.c's Config) and its JSON form in configs/models.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace llamaf::model {

struct Config {
  int dim = 0;         // transformer width
  int hidden_dim = 0;  // FFN width
  int n_layers = 0;
  int n_heads = 0;     // query heads
  int n_kv_heads = 0;  // key/value heads (grouped-query attention)
  int vocab_size = 0;
  int seq_len = 0;     // maximum sequence length (KV-cache size)
  bool shared_classifier = true;  // classifier reuses the token embedding
  float norm_eps = 1e-5f;         // RMSNorm epsilon
  float rope_theta = 10000.0f;    // RoPE base

  int head_size() const { return dim / n_heads; }
  int kv_dim() const { return head_size() * n_kv_heads; }
  int kv_mul() const { return n_heads / n_kv_heads; }

  // Number of float32 parameters, as stored by llama2.c (including the
  // classifier only when it is not shared).
  std::int64_t parameter_count() const;

  // Throws llamaf::Error naming `where` and the offending field when the
  // shape is inconsistent (non-positive sizes, dim not divisible by heads,
  // heads not divisible by kv heads, odd head size for RoPE, ...) or so
  // large that parameter_count() or the KV-cache size would not fit the
  // 64-bit sizes computed from it (more than kMaxElements).
  void validate(const std::string& where) const;

  // Bound on the parameter count and on the KV-cache elements
  // (n_layers * seq_len * kv_dim): 2^40, some 1000x Llama-2-70B, far below
  // where 64-bit byte counts overflow.
  static constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;

  bool operator==(const Config&) const = default;
};

// configs/models/*.json: {"name": ..., "dim": ..., "hidden_dim": ..., ...}.
// Unknown keys are rejected; errors name `where` and the key.
Config config_from_json(const nlohmann::json& j, const std::string& where);
Config load_shape(const std::string& path);
nlohmann::json to_json(const Config& c);

}  // namespace llamaf::model
