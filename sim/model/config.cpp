// Llama2 model shape: validation and the configs/models JSON form.
#include "sim/model/config.h"

#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace llamaf::model {

std::int64_t Config::parameter_count() const {
  const std::int64_t d = dim, h = hidden_dim, l = n_layers, v = vocab_size, kv = kv_dim();
  std::int64_t n = v * d                      // token embedding
                   + l * d * 2                // rms_att, rms_ffn
                   + l * (d * d * 2 + d * kv * 2)  // wq, wo, wk, wv
                   + l * h * d * 3            // w1, w2, w3
                   + d;                       // rms_final
  if (!shared_classifier) n += v * d;
  return n;
}

void Config::validate(const std::string& where) const {
  auto positive = [&](const char* key, int v) {
    if (v <= 0) throw_error("{}: {} must be positive, got {}", where, key, v);
  };
  positive("dim", dim);
  positive("hidden_dim", hidden_dim);
  positive("n_layers", n_layers);
  positive("n_heads", n_heads);
  positive("n_kv_heads", n_kv_heads);
  positive("vocab_size", vocab_size);
  positive("seq_len", seq_len);
  if (dim % n_heads != 0)
    throw_error("{}: dim ({}) must be divisible by n_heads ({})", where, dim, n_heads);
  if (n_kv_heads > n_heads || n_heads % n_kv_heads != 0)
    throw_error("{}: n_heads ({}) must be a multiple of n_kv_heads ({})", where, n_heads,
                n_kv_heads);
  if (head_size() % 2 != 0)
    throw_error("{}: head size dim/n_heads = {} must be even for RoPE", where, head_size());
  if (!(norm_eps > 0.0f)) throw_error("{}: norm_eps must be positive, got {}", where, norm_eps);
  if (!(rope_theta > 0.0f))
    throw_error("{}: rope_theta must be positive, got {}", where, rope_theta);
}

namespace {

int required_int(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw_error("{}: missing required key '{}'", where, key);
  const auto& v = j.at(key);
  if (!v.is_number_integer())
    throw_error("{}: key '{}' must be an integer, got {}", where, key, v.dump());
  return v.get<int>();
}

}  // namespace

Config config_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw_error("{}: expected a JSON object", where);
  static const std::set<std::string> known = {
      "name", "description", "source", "dim", "hidden_dim", "n_layers", "n_heads",
      "n_kv_heads", "vocab_size", "seq_len", "shared_classifier", "norm_eps", "rope_theta"};
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) throw_error("{}: unknown key '{}'", where, key);
  }
  Config c;
  c.dim = required_int(j, "dim", where);
  c.hidden_dim = required_int(j, "hidden_dim", where);
  c.n_layers = required_int(j, "n_layers", where);
  c.n_heads = required_int(j, "n_heads", where);
  c.n_kv_heads = j.contains("n_kv_heads") ? required_int(j, "n_kv_heads", where) : c.n_heads;
  c.vocab_size = required_int(j, "vocab_size", where);
  c.seq_len = required_int(j, "seq_len", where);
  if (j.contains("shared_classifier")) {
    if (!j["shared_classifier"].is_boolean())
      throw_error("{}: key 'shared_classifier' must be true or false", where);
    c.shared_classifier = j["shared_classifier"].get<bool>();
  }
  auto optional_float = [&](const char* key, float& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number()) throw_error("{}: key '{}' must be a number", where, key);
    out = j[key].get<float>();
  };
  optional_float("norm_eps", c.norm_eps);
  optional_float("rope_theta", c.rope_theta);
  c.validate(where);
  return c;
}

Config load_shape(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_error("{}: cannot open model shape file", path);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::parse_error& e) {
    throw_error("{}: invalid JSON at byte {}: {}", path, e.byte, e.what());
  }
  return config_from_json(j, path);
}

nlohmann::json to_json(const Config& c) {
  return {{"dim", c.dim},
          {"hidden_dim", c.hidden_dim},
          {"n_layers", c.n_layers},
          {"n_heads", c.n_heads},
          {"n_kv_heads", c.n_kv_heads},
          {"vocab_size", c.vocab_size},
          {"seq_len", c.seq_len},
          {"shared_classifier", c.shared_classifier},
          {"norm_eps", c.norm_eps},
          {"rope_theta", c.rope_theta}};
}

}  // namespace llamaf::model
