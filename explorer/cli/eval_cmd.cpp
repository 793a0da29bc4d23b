// `llamaf eval`: accuracy of a quantization against float32, teacher-forced.
#include "explorer/cli/commands.h"

#include "sim/config/cli_checks.h"
#include "explorer/cli/model_options.h"

#include "sim/model/error.h"
#include "sim/model/generate.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <sstream>

namespace llamaf::cli {

namespace {

struct EvalOptions {
  ModelOptions model;
  std::string text_path;
  int tokens = 256;
  bool json = false;
};

// Without --text the sequence is sampled from the float32 model itself, with
// fixed sampler settings so that every run compares on the same tokens.
constexpr float kSequenceTemperature = 1.0f;
constexpr float kSequenceTopp = 0.9f;
constexpr std::uint64_t kSequenceSeed = 1234;

void run_eval(const EvalOptions& o) {
  const auto quant = o.model.quant();
  if (!quant) throw Error("--quant is required");
  model::Transformer reference = o.model.load(std::nullopt);
  model::Transformer test = o.model.load(quant);
  const int vocab = reference.config().vocab_size;

  std::vector<int> tokens;
  std::string source;
  if (!o.text_path.empty()) {
    const auto tok = o.model.tokenizer(vocab);
    if (!tok) throw Error("--text needs --tokenizer");
    std::ifstream in(o.text_path);
    if (!in) throw_error("{}: cannot open text file", o.text_path);
    std::stringstream ss;
    ss << in.rdbuf();
    tokens = tok->encode(ss.str(), true, false);
    if (static_cast<int>(tokens.size()) > o.tokens + 1) tokens.resize(o.tokens + 1);
    source = o.text_path;
  } else {
    model::Sampler sampler(vocab, kSequenceTemperature, kSequenceTopp, kSequenceSeed);
    tokens = model::generate(reference, sampler, {1}, o.tokens + 1);
    source = fmt::format("float32 model sample (temperature {}, topp {}, seed {})",
                         kSequenceTemperature, kSequenceTopp, kSequenceSeed);
  }
  const model::Comparison c = model::compare_teacher_forced(reference, test, tokens);

  if (o.json) {
    nlohmann::json j = {{"quant", quant->str()},
                        {"sequence", source},
                        {"positions", c.positions},
                        {"top1_agreement", c.top1_agreement},
                        {"mean_kl_nats", c.mean_kl},
                        {"perplexity_float32", c.perplexity_reference},
                        {"perplexity_quantized", c.perplexity_test}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("quantization        {}\n", quant->str());
  fmt::print("sequence            {}\n", source);
  fmt::print("positions compared  {}\n", c.positions);
  fmt::print("top-1 agreement     {:.2f} %\n", 100.0 * c.top1_agreement);
  fmt::print("mean KL divergence  {:.6f} nats\n", c.mean_kl);
  fmt::print("perplexity float32  {:.4f}\n", c.perplexity_reference);
  fmt::print("perplexity quant    {:.4f}\n", c.perplexity_test);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "eval", "Compare a quantized model with float32 on one token sequence (teacher-forced): "
              "top-1 agreement, mean KL divergence, perplexity of each");
  o->model.add_to(*cmd, /*allow_shape=*/true);
  cmd->add_option("--text", o->text_path, "text file to evaluate on (needs --tokenizer)");
  cmd->add_option("--tokens", o->tokens,
                            "tokens to compare (without --text: sampled from the float32 model)")
                ->check(config::positive_int("a positive number of tokens"))
                ->capture_default_str();
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace llamaf::cli
