// Shared model-loading options of the CLI.
#include "explorer/cli/model_options.h"

#include "sim/model/checkpoint.h"
#include "sim/model/error.h"
#include "sim/model/synthetic.h"

namespace llamaf::cli {

void ModelOptions::add_to(CLI::App& cmd, bool allow_shape) {
  auto* model = cmd.add_option("--model", model_path,
                               "llama2.c checkpoint (.bin) or Hugging Face directory "
                               "(config.json + model.safetensors)");
  if (allow_shape) {
    auto* shape = cmd.add_option("--shape", shape_path,
                                 "model shape JSON (configs/models/X.json): synthetic weights");
    model->excludes(shape);
    shape->excludes(model);
    cmd.add_option("--weights-seed", weights_seed, "seed of the synthetic weights")
        ->capture_default_str();
  } else {
    model->required();
  }
  cmd.add_option("--tokenizer", tokenizer_path, "tokenizer.bin (llama2.c format)");
  cmd.add_option("--quant", quant_spec,
                 "quantization, e.g. w8a8g64 or w4a8g128:bf16 (docs/arithmetic.md); "
                 "float32 when absent");
}

std::optional<model::QuantSpec> ModelOptions::quant() const {
  if (quant_spec.empty()) return std::nullopt;
  return model::QuantSpec::parse(quant_spec);
}

model::Transformer ModelOptions::load(const std::optional<model::QuantSpec>& q) const {
  if (!shape_path.empty())
    return model::make_synthetic_transformer(model::load_shape(shape_path), weights_seed, q);
  if (model_path.empty()) throw Error("one of --model or --shape is required");
  return model::Transformer(model::load_checkpoint(model_path), q);
}

std::optional<model::Tokenizer> ModelOptions::tokenizer(int vocab_size) const {
  if (tokenizer_path.empty()) return std::nullopt;
  return model::Tokenizer(tokenizer_path, vocab_size);
}

}  // namespace llamaf::cli
