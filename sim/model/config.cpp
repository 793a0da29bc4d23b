// Llama2 model shape: validation and the configs/models JSON form.
#include "sim/model/config.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>


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
  // Exact in double up to 2^53, and far above kMaxElements before rounding
  // could matter: computed without the int64 overflow the sizes could cause.
  const double d = dim, h = hidden_dim, l = n_layers, v = vocab_size, kv = kv_dim();
  const double params =
      v * d * (shared_classifier ? 1 : 2) + l * d * 2 + l * (d * d * 2 + d * kv * 2) + l * h * d * 3 + d;
  if (params > static_cast<double>(kMaxElements))
    throw_error("{}: shape (dim {}, hidden_dim {}, n_layers {}, vocab_size {}) has {:.3g} "
                "parameters, more than the limit of {:.3g}",
                where, dim, hidden_dim, n_layers, vocab_size, params,
                static_cast<double>(kMaxElements));
  const double kv_cache = l * static_cast<double>(seq_len) * kv;
  if (kv_cache > static_cast<double>(kMaxElements))
    throw_error("{}: KV cache of n_layers {} x seq_len {} x kv_dim {} = {:.3g} elements exceeds "
                "the limit of {:.3g}",
                where, n_layers, seq_len, kv_dim(), kv_cache, static_cast<double>(kMaxElements));
  if (!(norm_eps > 0.0f)) throw_error("{}: norm_eps must be positive, got {}", where, norm_eps);
  if (!(rope_theta > 0.0f))
    throw_error("{}: rope_theta must be positive, got {}", where, rope_theta);
}

Config config_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw_error("{}: expected a JSON object, got {}", where, j.type_name());
  const config::JsonObject o(j, where, "");
  o.allow({"name", "description", "source"});  // documentation only
  Config c;
  c.dim = o.get_int("dim");
  c.hidden_dim = o.get_int("hidden_dim");
  c.n_layers = o.get_int("n_layers");
  c.n_heads = o.get_int("n_heads");
  c.n_kv_heads = o.get_int("n_kv_heads", c.n_heads);
  c.vocab_size = o.get_int("vocab_size");
  c.seq_len = o.get_int("seq_len");
  c.shared_classifier = o.get_bool("shared_classifier", c.shared_classifier);
  c.norm_eps = static_cast<float>(o.get_number("norm_eps", c.norm_eps));
  c.rope_theta = static_cast<float>(o.get_number("rope_theta", c.rope_theta));
  o.reject_unknown();
  c.validate(where);
  return c;
}

Config load_shape(const std::string& path) {
  return config_from_json(config::read_json_file(path), path);
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
