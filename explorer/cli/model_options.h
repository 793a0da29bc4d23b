// Options shared by the subcommands that run a model: where it comes from
// (--model checkpoint or --shape synthetic), its tokenizer and quantization.
#pragma once

#include "sim/model/tokenizer.h"
#include "sim/model/transformer.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace llamaf::cli {

struct ModelOptions {
  std::string model_path;  // llama2.c .bin or Hugging Face directory
  std::string shape_path;  // configs/models/X.json (synthetic weights)
  std::string tokenizer_path;
  std::string quant_spec;  // empty: float32
  std::uint64_t weights_seed = 1;

  // Registers --model/--shape/--tokenizer/--quant/--weights-seed on `cmd`.
  void add_to(CLI::App& cmd, bool allow_shape);
  std::optional<model::QuantSpec> quant() const;
  // Builds the model; `quant` overrides the --quant option when given.
  model::Transformer load(const std::optional<model::QuantSpec>& quant) const;
  std::optional<model::Tokenizer> tokenizer(int vocab_size) const;
};

}  // namespace llamaf::cli
