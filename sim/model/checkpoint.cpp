// llama2.c checkpoint (format v0) loader and writer; load_checkpoint() picks
// the format from the path.
#include "sim/model/checkpoint.h"

#include "sim/model/error.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>

namespace llamaf::model {

namespace {

constexpr std::int64_t kHeaderBytes = 7 * 4;

// The tensors of a v0 file in file order; `rope_tables` stands for the two
// unused freq_cis tables (seq_len * head_size / 2 floats each).
template <typename Weights, typename Fn>
void for_each_tensor(Weights& w, Fn&& fn) {
  fn(w.token_embedding, "token_embedding");
  fn(w.rms_att, "rms_att");
  fn(w.wq, "wq");
  fn(w.wk, "wk");
  fn(w.wv, "wv");
  fn(w.wo, "wo");
  fn(w.rms_ffn, "rms_ffn");
  fn(w.w1, "w1");
  fn(w.w2, "w2");
  fn(w.w3, "w3");
  fn(w.rms_final, "rms_final");
}

std::int64_t rope_table_floats(const Config& c) {
  return static_cast<std::int64_t>(c.seq_len) * c.head_size();  // real + imag halves
}

}  // namespace

Checkpoint load_llama2c(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_error("{}: cannot open checkpoint", path);
  const auto actual_size = static_cast<std::int64_t>(std::filesystem::file_size(path));
  if (actual_size < kHeaderBytes)
    throw_error("{}: file is {} bytes, shorter than the {}-byte llama2.c header", path,
                actual_size, kHeaderBytes);
  std::array<std::int32_t, 7> h{};
  in.read(reinterpret_cast<char*>(h.data()), kHeaderBytes);

  // Sanity limits keep a corrupt header from asking for absurd allocations.
  // vocab_size's sign says whether the classifier is shared; its magnitude
  // is taken in 64 bits (-INT32_MIN does not fit an int32).
  const std::int64_t vocab = h[5] > 0 ? std::int64_t{h[5]} : -std::int64_t{h[5]};
  const std::array<std::pair<const char*, std::int64_t>, 7> fields = {{
      {"dim", h[0]}, {"hidden_dim", h[1]}, {"n_layers", h[2]}, {"n_heads", h[3]},
      {"n_kv_heads", h[4]}, {"vocab_size", vocab}, {"seq_len", h[6]}}};
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& [name, value] = fields[i];
    if (value <= 0 || value > (1 << 20))
      throw_error("{}: header field {} (offset {}) = {} is outside 1..{}", path, name, i * 4,
                  i == 5 ? h[5] : value, 1 << 20);
  }
  Config c;
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  c.shared_classifier = h[5] > 0;
  c.vocab_size = static_cast<int>(vocab);
  c.seq_len = h[6];
  c.validate(path + " header");

  const std::int64_t floats = c.parameter_count() + rope_table_floats(c);
  const std::int64_t expected = kHeaderBytes + floats * 4;
  if (actual_size != expected)
    throw_error("{}: file is {} bytes but its header (dim {}, hidden {}, layers {}, heads {}, "
                "kv heads {}, vocab {}, seq_len {}) implies {} bytes",
                path, actual_size, c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads,
                c.vocab_size, c.seq_len, expected);

  Checkpoint ckpt{c, allocate_weights(c)};
  auto read = [&](std::vector<float>& t, const char* name) {
    in.read(reinterpret_cast<char*>(t.data()), static_cast<std::streamsize>(t.size() * 4));
    if (!in) throw_error("{}: read error in tensor {}", path, name);
  };
  for_each_tensor(ckpt.weights, read);
  in.seekg(rope_table_floats(c) * 4, std::ios::cur);
  if (!c.shared_classifier) read(ckpt.weights.wcls, "wcls");
  return ckpt;
}

void save_llama2c(const Checkpoint& ckpt, const std::string& path) {
  const Config& c = ckpt.config;
  c.validate(path);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw_error("{}: cannot create file", tmp);
    const std::array<std::int32_t, 7> h = {c.dim, c.hidden_dim, c.n_layers, c.n_heads,
                                           c.n_kv_heads,
                                           c.shared_classifier ? c.vocab_size : -c.vocab_size,
                                           c.seq_len};
    out.write(reinterpret_cast<const char*>(h.data()), kHeaderBytes);
    auto write = [&](const std::vector<float>& t, const char*) {
      out.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.size() * 4));
    };
    for_each_tensor(ckpt.weights, write);
    const std::vector<float> rope(static_cast<std::size_t>(rope_table_floats(c)), 0.0f);
    write(rope, "rope");
    if (!c.shared_classifier) write(ckpt.weights.wcls, "wcls");
    if (!out) throw_error("{}: write error", tmp);
  }
  std::filesystem::rename(tmp, path);
}

Checkpoint load_checkpoint(const std::string& path) {
  if (std::filesystem::is_directory(path)) return load_hf_dir(path);
  return load_llama2c(path);
}

}  // namespace llamaf::model
