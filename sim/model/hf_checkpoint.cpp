// Hugging Face Llama checkpoints (config.json + safetensors) read into and
// written from llama2.c-layout Checkpoints.
#include "sim/model/checkpoint.h"

#include "sim/model/error.h"
#include "sim/model/safetensors.h"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <climits>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace llamaf::model {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Q/K row order. llama2.c (like Meta's original code) rotates adjacent pairs
// (2i, 2i+1) of each head; Hugging Face's rotate_half pairs (i, i + hs/2).
// Per head of hs rows (each `cols` wide):
//
//   llama2.c row:  0  1  2  3  4  5  6  7      (pairs (0,1) (2,3) (4,5) (6,7))
//   HF row:        0  4  1  5  2  6  3  7      (pairs (0,4) (1,5) (2,6) (3,7))
//
// i.e. llama2.c row 2i+p is HF row p*hs/2 + i. In torch terms, HF =
// l2c.view(heads, hs/2, 2, cols).transpose(1, 2) (Meta's convert script), and
// llama2.c's export.py reads HF back with view(heads, 2, hs/2, cols).transpose(1, 2).
enum class RopeLayout { kHfToLlama2c, kLlama2cToHf };

void permute_rope_rows(std::span<const float> src, std::span<float> dst, int n_heads, int head_size,
                       int cols, RopeLayout direction) {
  const std::size_t half = static_cast<std::size_t>(head_size / 2);
  const std::size_t hs = static_cast<std::size_t>(head_size), c = static_cast<std::size_t>(cols);
  for (std::size_t h = 0; h < static_cast<std::size_t>(n_heads); ++h) {
    for (std::size_t p = 0; p < 2; ++p) {
      for (std::size_t i = 0; i < half; ++i) {
        const std::size_t l2c = (h * hs + 2 * i + p) * c;
        const std::size_t hf = (h * hs + p * half + i) * c;
        const std::size_t from = direction == RopeLayout::kHfToLlama2c ? hf : l2c;
        const std::size_t to = direction == RopeLayout::kHfToLlama2c ? l2c : hf;
        std::copy_n(src.begin() + static_cast<std::ptrdiff_t>(from), c,
                    dst.begin() + static_cast<std::ptrdiff_t>(to));
      }
    }
  }
}

std::string shape_str(const std::vector<std::int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

std::string layer_name(int layer, const char* suffix) {
  return fmt::format("model.layers.{}.{}", layer, suffix);
}

json read_json_file(const fs::path& file, const char* what) {
  std::ifstream in(file);
  if (!in) throw_error("{}: cannot open {}", file.string(), what);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::exception& e) {  // parse_error, or out_of_range for numbers like 1e999
    throw_error("{}: not valid JSON ({})", file.string(), e.what());
  }
}

// HF LlamaConfig -> Config. Shape keys are required: their LlamaConfig
// defaults describe Llama-7B and would silently give a different model.
// The others take LlamaConfig's defaults, because save_pretrained omits keys
// that equal them. Keys describing variants the forward pass does not model
// (biases, RoPE scaling, other activations) are rejected rather than ignored.
Config read_hf_config(const fs::path& file) {
  const std::string where = file.string();
  const json j = read_json_file(file, "config.json");
  if (!j.is_object()) throw_error("{}: expected a JSON object, got {}", where, j.type_name());

  auto get_int = [&](const char* key, std::optional<int> fallback) -> int {
    auto it = j.find(key);
    if (it == j.end()) {
      if (fallback) return *fallback;
      throw_error("{}: missing key '{}' (expected an integer)", where, key);
    }
    if (!it->is_number_integer() || it->get<std::int64_t>() < INT_MIN ||
        it->get<std::int64_t>() > INT_MAX) {
      throw_error("{}: key '{}' is {}, expected an integer", where, key, it->dump());
    }
    return static_cast<int>(it->get<std::int64_t>());
  };
  auto get_float = [&](const char* key, float fallback) -> float {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_number()) throw_error("{}: key '{}' is {}, expected a number", where, key, it->dump());
    return static_cast<float>(it->get<double>());
  };
  auto get_bool = [&](const char* key, bool fallback) -> bool {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_boolean()) throw_error("{}: key '{}' is {}, expected true or false", where, key, it->dump());
    return it->get<bool>();
  };
  auto get_string = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw_error("{}: key '{}' is {}, expected a string", where, key, it->dump());
    return it->get<std::string>();
  };

  if (auto t = get_string("model_type"); t && *t != "llama") {
    throw_error("{}: model_type is '{}', expected 'llama'", where, *t);
  }
  if (auto act = get_string("hidden_act"); act && *act != "silu") {
    throw_error("{}: hidden_act is '{}', expected 'silu' (SwiGLU)", where, *act);
  }
  if (auto it = j.find("rope_scaling"); it != j.end() && !it->is_null()) {
    throw_error("{}: rope_scaling {} is not supported (expected null)", where, it->dump());
  }
  if (get_bool("attention_bias", false)) {
    throw_error("{}: attention_bias is true, expected false (bias-free Llama)", where);
  }
  if (get_bool("mlp_bias", false)) {
    throw_error("{}: mlp_bias is true, expected false (bias-free Llama)", where);
  }

  Config c;
  c.dim = get_int("hidden_size", std::nullopt);
  c.hidden_dim = get_int("intermediate_size", std::nullopt);
  c.n_layers = get_int("num_hidden_layers", std::nullopt);
  c.n_heads = get_int("num_attention_heads", std::nullopt);
  c.vocab_size = get_int("vocab_size", std::nullopt);
  c.seq_len = get_int("max_position_embeddings", std::nullopt);
  c.n_kv_heads = get_int("num_key_value_heads", c.n_heads);
  c.norm_eps = get_float("rms_norm_eps", 1e-6f);
  c.rope_theta = get_float("rope_theta", 10000.0f);
  c.shared_classifier = get_bool("tie_word_embeddings", false);
  // Named with the HF keys here; Config::validate speaks llama2.c names.
  const std::pair<const char*, int> sizes[] = {
      {"hidden_size", c.dim}, {"intermediate_size", c.hidden_dim},
      {"num_hidden_layers", c.n_layers}, {"num_attention_heads", c.n_heads},
      {"num_key_value_heads", c.n_kv_heads}, {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.seq_len}};
  for (const auto& [key, value] : sizes) {
    if (value <= 0) throw_error("{}: key '{}' is {}, expected a positive integer", where, key, value);
  }
  c.validate(where);
  if (auto it = j.find("head_dim"); it != j.end() && !it->is_null() &&
                                    get_int("head_dim", std::nullopt) != c.head_size()) {
    throw_error("{}: head_dim is {}, expected hidden_size / num_attention_heads = {}", where,
                it->dump(), c.head_size());
  }
  return c;
}

// A float written as its shortest decimal form when that reads back as the
// same float (so config.json says 1e-05, not 9.999999747378752e-06).
double json_float(float f) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f);
  double d = 0.0;
  std::from_chars(buf, res.ptr, d);
  return static_cast<float>(d) == f ? d : static_cast<double>(f);
}

// The tensors of a model directory: model.safetensors, or the shards listed
// in model.safetensors.index.json (how large checkpoints are published).
class TensorSource {
 public:
  explicit TensorSource(const fs::path& dir) {
    const fs::path single = dir / "model.safetensors";
    const fs::path index = dir / "model.safetensors.index.json";
    if (fs::exists(single) || !fs::exists(index)) {
      where_ = single.string();
      auto& r = *files_.emplace_back(std::make_unique<SafetensorsReader>(where_));
      for (const auto& [name, t] : r.tensors()) entries_[name] = {&r, &t};
      return;
    }
    where_ = index.string();
    const json j = read_json_file(index, "safetensors index");
    auto wm = j.is_object() ? j.find("weight_map") : j.end();
    if (wm == j.end() || !wm->is_object()) {
      throw_error("{}: missing object 'weight_map' (tensor name -> shard file)", where_);
    }
    std::map<std::string, SafetensorsReader*> shards;
    for (const auto& [name, file] : wm->items()) {
      if (!file.is_string() || file.get<std::string>().empty() ||
          fs::path(file.get<std::string>()).has_parent_path()) {
        throw_error("{}: weight_map entry '{}' is {}, expected a file name in the same directory",
                    where_, name, file.dump());
      }
      const std::string shard = file.get<std::string>();
      auto& reader = shards[shard];
      if (!reader) reader = files_.emplace_back(std::make_unique<SafetensorsReader>((dir / shard).string())).get();
      const SafetensorsTensor* t = reader->find(name);
      if (!t) throw_error("{}: missing tensor '{}' (listed in {})", reader->path(), name, where_);
      entries_[name] = {reader, t};
    }
  }

  // The file named in messages about the set of tensors.
  const std::string& where() const { return where_; }
  const std::map<std::string, std::pair<SafetensorsReader*, const SafetensorsTensor*>>& entries() const {
    return entries_;
  }

  const SafetensorsTensor& require(const std::string& name, const std::vector<std::int64_t>& shape) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      throw_error("{}: missing tensor '{}' (expected shape {})", where_, name, shape_str(shape));
    }
    const auto& [reader, t] = it->second;
    if (t->shape != shape) {
      throw_error("{}: tensor '{}' has shape {}, expected {}", reader->path(), name,
                  shape_str(t->shape), shape_str(shape));
    }
    if (t->dtype != "F32" && t->dtype != "F16" && t->dtype != "BF16") {
      throw_error("{}: tensor '{}' has unsupported dtype {} (expected F32, F16 or BF16)",
                  reader->path(), name, t->dtype);
    }
    return *t;
  }

  void read(const std::string& name, std::span<float> out) const {
    const auto& [reader, t] = entries_.at(name);
    reader->read_f32(*t, out);
  }

 private:
  std::string where_;
  std::vector<std::unique_ptr<SafetensorsReader>> files_;
  std::map<std::string, std::pair<SafetensorsReader*, const SafetensorsTensor*>> entries_;
};

// One HF tensor and where its values go in FloatWeights.
struct TensorSlot {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> FloatWeights::*field;
  std::size_t offset;  // floats into the field
  int rope_heads;      // > 0: Q/K rows to permute, in this many heads
};

// Every tensor of the HF layout, in FloatWeights order; the same table drives
// loading and saving so the two cannot drift apart.
std::vector<TensorSlot> tensor_slots(const Config& c) {
  using W = FloatWeights;
  const std::int64_t dim = c.dim, hidden = c.hidden_dim, kv_dim = c.kv_dim();
  const std::size_t udim = static_cast<std::size_t>(c.dim), uhidden = static_cast<std::size_t>(c.hidden_dim),
                    ukv = static_cast<std::size_t>(c.kv_dim());
  std::vector<TensorSlot> s;
  s.push_back({"model.embed_tokens.weight", {c.vocab_size, dim}, &W::token_embedding, 0, 0});
  for (int l = 0; l < c.n_layers; ++l) {
    const std::size_t ul = static_cast<std::size_t>(l);
    s.push_back({layer_name(l, "input_layernorm.weight"), {dim}, &W::rms_att, ul * udim, 0});
    s.push_back({layer_name(l, "self_attn.q_proj.weight"), {dim, dim}, &W::wq, ul * udim * udim, c.n_heads});
    s.push_back({layer_name(l, "self_attn.k_proj.weight"), {kv_dim, dim}, &W::wk, ul * ukv * udim, c.n_kv_heads});
    s.push_back({layer_name(l, "self_attn.v_proj.weight"), {kv_dim, dim}, &W::wv, ul * ukv * udim, 0});
    s.push_back({layer_name(l, "self_attn.o_proj.weight"), {dim, dim}, &W::wo, ul * udim * udim, 0});
    s.push_back({layer_name(l, "post_attention_layernorm.weight"), {dim}, &W::rms_ffn, ul * udim, 0});
    s.push_back({layer_name(l, "mlp.gate_proj.weight"), {hidden, dim}, &W::w1, ul * uhidden * udim, 0});
    s.push_back({layer_name(l, "mlp.down_proj.weight"), {dim, hidden}, &W::w2, ul * udim * uhidden, 0});
    s.push_back({layer_name(l, "mlp.up_proj.weight"), {hidden, dim}, &W::w3, ul * uhidden * udim, 0});
  }
  s.push_back({"model.norm.weight", {dim}, &W::rms_final, 0, 0});
  if (!c.shared_classifier) s.push_back({"lm_head.weight", {c.vocab_size, dim}, &W::wcls, 0, 0});
  return s;
}

std::size_t numel(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

// Each FloatWeights vector must be exactly as long as its slots imply.
void check_sizes(const std::vector<TensorSlot>& slots, const FloatWeights& w, const std::string& where) {
  using W = FloatWeights;
  const std::pair<const char*, std::vector<float> W::*> fields[] = {
      {"token_embedding", &W::token_embedding}, {"rms_att", &W::rms_att}, {"wq", &W::wq},
      {"wk", &W::wk}, {"wv", &W::wv}, {"wo", &W::wo}, {"rms_ffn", &W::rms_ffn}, {"w1", &W::w1},
      {"w2", &W::w2}, {"w3", &W::w3}, {"rms_final", &W::rms_final}, {"wcls", &W::wcls}};
  for (const auto& [name, field] : fields) {
    std::size_t expected = 0;
    for (const auto& s : slots) {
      if (s.field == field) expected = std::max(expected, s.offset + numel(s.shape));
    }
    if ((w.*field).size() != expected) {
      throw_error("{}: weights '{}' hold {} floats, the config implies {}", where, name,
                  (w.*field).size(), expected);
    }
  }
}

bool ignorable_tensor(const std::string& name, const Config& c) {
  // Older exports store RoPE's inverse frequencies; they follow from the config.
  if (name.ends_with(".self_attn.rotary_emb.inv_freq")) return true;
  return c.shared_classifier && name == "lm_head.weight";
}

}  // namespace

Checkpoint load_hf_dir(const std::string& dir) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw_error("{}: not a directory", dir);
  Checkpoint ckpt;
  ckpt.config = read_hf_config(root / "config.json");
  const Config& c = ckpt.config;
  const TensorSource src(root);
  // A config with more layers than the files hold fails naming the first
  // missing tensor before the (9 x n_layers)-entry tensor table is built:
  // with fewer tensors than needed, one of the first entries/9 + 1 layers
  // lacks one.
  const std::size_t needed = 9 * static_cast<std::size_t>(c.n_layers) + (c.shared_classifier ? 2 : 3);
  if (src.entries().size() < needed) {
    Config head = c;
    head.n_layers = static_cast<int>(
        std::min<std::size_t>(static_cast<std::size_t>(c.n_layers), src.entries().size() / 9 + 1));
    for (const auto& s : tensor_slots(head)) src.require(s.name, s.shape);
  }
  const auto slots = tensor_slots(c);

  // All names, shapes and dtypes are checked before any data is read, so a
  // bad multi-gigabyte checkpoint fails at once; and before the weights are
  // allocated, so a config.json asking for more parameters than the files
  // hold fails with the missing tensor instead of a terabyte allocation.
  std::set<std::string> expected;
  for (const auto& s : slots) {
    src.require(s.name, s.shape);
    expected.insert(s.name);
  }
  for (const auto& [name, entry] : src.entries()) {
    if (!expected.count(name) && !ignorable_tensor(name, c)) {
      throw_error("{}: unexpected tensor '{}' (not part of a bias-free Llama model with this config)",
                  entry.first->path(), name);
    }
  }
  ckpt.weights = allocate_weights(c);
  check_sizes(slots, ckpt.weights, dir);

  std::vector<float> tmp;
  for (const auto& s : slots) {
    std::span<float> dst((ckpt.weights.*s.field).data() + s.offset, numel(s.shape));
    if (s.rope_heads == 0) {
      src.read(s.name, dst);
      continue;
    }
    tmp.resize(dst.size());
    src.read(s.name, tmp);
    permute_rope_rows(tmp, dst, s.rope_heads, c.head_size(), c.dim, RopeLayout::kHfToLlama2c);
  }
  return ckpt;
}

void save_hf_dir(const Checkpoint& ckpt, const std::string& dir, const std::string& dtype) {
  if (dtype != "F32" && dtype != "F16" && dtype != "BF16") {
    throw_error("{}: cannot save dtype '{}' (expected F32, F16 or BF16)", dir, dtype);
  }
  const Config& c = ckpt.config;
  c.validate(dir);
  const FloatWeights& w = ckpt.weights;
  const auto slots = tensor_slots(c);
  check_sizes(slots, w, dir);

  // Q and K in HF row order (whole copies: this writer serves tests and
  // conversions, not memory-tight runs).
  std::vector<float> wq_hf(w.wq.size()), wk_hf(w.wk.size());
  std::vector<SafetensorsOutput> out;
  for (const auto& s : slots) {
    std::span<const float> data((w.*s.field).data() + s.offset, numel(s.shape));
    if (s.rope_heads > 0) {
      auto& perm = s.field == &FloatWeights::wq ? wq_hf : wk_hf;
      std::span<float> dst(perm.data() + s.offset, data.size());
      permute_rope_rows(data, dst, s.rope_heads, c.head_size(), c.dim, RopeLayout::kLlama2cToHf);
      data = dst;
    }
    out.push_back({s.name, s.shape, data});
  }

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw_error("{}: cannot create directory ({})", dir, ec.message());

  const char* torch_dtype = dtype == "F32" ? "float32" : dtype == "F16" ? "float16" : "bfloat16";
  const json config = {
      {"architectures", {"LlamaForCausalLM"}},
      {"model_type", "llama"},
      {"hidden_act", "silu"},
      {"hidden_size", c.dim},
      {"intermediate_size", c.hidden_dim},
      {"num_hidden_layers", c.n_layers},
      {"num_attention_heads", c.n_heads},
      {"num_key_value_heads", c.n_kv_heads},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.seq_len},
      {"rms_norm_eps", json_float(c.norm_eps)},
      {"rope_theta", json_float(c.rope_theta)},
      {"rope_scaling", nullptr},
      {"tie_word_embeddings", c.shared_classifier},
      {"attention_bias", false},
      {"torch_dtype", torch_dtype},
  };
  const std::string config_path = (fs::path(dir) / "config.json").string();
  std::ofstream cf(config_path, std::ios::trunc);
  if (!cf) throw_error("{}: cannot create file", config_path);
  cf << config.dump(2) << '\n';
  cf.close();
  if (!cf) throw_error("{}: write failed", config_path);

  // transformers refuses safetensors files whose metadata lacks format=pt.
  write_safetensors((fs::path(dir) / "model.safetensors").string(), out, dtype, {{"format", "pt"}});
}

}  // namespace llamaf::model
