// libFuzzer target: a Hugging Face checkpoint folder's config.json (the
// LlamaConfig reader) and its match against the tensors. The first input
// byte's low bit picks the folder: 0 holds only config.json, 1 also holds a
// tiny model.safetensors (dim 8, hidden 16, 1 layer, 2 heads, 1 KV head,
// vocab 16, tied classifier); the rest is config.json. A config that
// disagrees with the tensors, or asks for tensors that are not there, must
// end in a clear error, never a crash or an allocation the files cannot back.
#include "sim/model/checkpoint.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// Folder "with_weights" holding the tiny model's model.safetensors.
std::filesystem::path weights_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d = llamaf::fuzz::scratch_dir() / "with_weights";
    llamaf::model::Checkpoint ckpt;
    ckpt.config.dim = 8;
    ckpt.config.hidden_dim = 16;
    ckpt.config.n_layers = 1;
    ckpt.config.n_heads = 2;
    ckpt.config.n_kv_heads = 1;
    ckpt.config.vocab_size = 16;
    ckpt.config.seq_len = 4;
    ckpt.weights = llamaf::model::allocate_weights(ckpt.config);
    std::filesystem::create_directories(d);
    llamaf::model::save_hf_dir(ckpt, d.string(), "BF16");
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool with_weights = data[0] & 1;
  const std::string name = with_weights ? "with_weights/config.json" : "config.json";
  if (with_weights) (void)weights_dir();
  const std::string cfg = llamaf::fuzz::write_scratch(name, data + 1, size - 1);
  const std::string dir = std::filesystem::path(cfg).parent_path().string();
  llamaf::fuzz::expect_only_errors([&] {
    const auto ckpt = llamaf::model::load_hf_dir(dir);
    if (!with_weights) std::abort();  // no model.safetensors: loading cannot succeed
    if (ckpt.weights.token_embedding.size() != 16 * 8) std::abort();
  });
  return 0;
}
