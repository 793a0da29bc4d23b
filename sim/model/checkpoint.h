// Checkpoint loaders: llama2.c `.bin` (format v0) and Hugging Face Llama
// directories (config.json + model.safetensors); `load_checkpoint` picks by path.
#pragma once

#include "sim/model/weights.h"

#include <string>

namespace llamaf::model {

// llama2.c v0: 7 int32 header, then float32 tensors in the FloatWeights order
// (with the unused freq_cis_real/imag tables, seq_len*head_size/2 each, before
// the classifier). vocab_size > 0: classifier shared with the embedding.
// The file size must equal what the header implies exactly.
Checkpoint load_llama2c(const std::string& path);
void save_llama2c(const Checkpoint& ckpt, const std::string& path);

// A directory with config.json and model.safetensors (f32, f16 or bf16
// tensors). Q and K are permuted from Hugging Face's rotate-half RoPE layout
// into llama2.c's adjacent-pair layout.
Checkpoint load_hf_dir(const std::string& dir);
// Writes config.json and model.safetensors (f32 or bf16/f16 per `dtype`:
// "F32", "F16", "BF16"), applying the inverse permutation. Used by tests.
void save_hf_dir(const Checkpoint& ckpt, const std::string& dir, const std::string& dtype = "F32");

// A directory -> load_hf_dir, otherwise load_llama2c.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace llamaf::model
