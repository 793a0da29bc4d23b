// `llamaf generate`: text generation on the host (float32 or golden quantized).
#include "explorer/cli/commands.h"

#include "sim/config/cli_checks.h"
#include "explorer/cli/model_options.h"

#include "sim/model/error.h"
#include "sim/model/generate.h"

#include <fmt/core.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>

namespace llamaf::cli {

namespace {

struct GenerateOptions {
  ModelOptions model;
  std::string prompt;
  int steps = 256;
  float temperature = 1.0f;
  float topp = 0.9f;
  std::uint64_t seed = 42;
};

// llama2.c's safe_printf: a raw single-byte piece that is neither printable
// nor white space (a fragment of a multi-byte character, a control byte) is
// dropped.
std::string printable(const std::string& piece) {
  if (piece.size() == 1) {
    const auto c = static_cast<unsigned char>(piece[0]);
    if (!(std::isprint(c) || std::isspace(c))) return {};
  }
  return piece;
}

void run_generate(const GenerateOptions& o) {
  model::Transformer t = o.model.load(o.model.quant());
  if (o.steps > t.config().seq_len)
    throw_error("-n {}: more positions than the model's seq_len {}", o.steps, t.config().seq_len);
  const auto tok = o.model.tokenizer(t.config().vocab_size);
  if (!o.prompt.empty() && !tok) throw Error("--prompt needs --tokenizer");

  std::vector<int> prompt = tok ? tok->encode(o.prompt, true, false) : std::vector<int>{1};
  model::Sampler sampler(t.config().vocab_size, o.temperature, o.topp, o.seed);

  // Text streams to stdout as it is generated; without a tokenizer, token ids.
  const auto start = std::chrono::steady_clock::now();
  int generated = 0;
  const std::vector<int> seq = model::generate(t, sampler, prompt, o.steps, [&](int prev, int next) {
    ++generated;
    if (tok)
      fmt::print("{}", printable(tok->decode_piece(prev, next)));
    else
      fmt::print("{} ", next);
    std::fflush(stdout);
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("\n");
  fmt::print(stderr, "host run: {} positions in {:.3f} s, {:.1f} tokens/s ({})\n", generated,
             seconds, generated / seconds,
             o.model.quant() ? "golden " + o.model.quant()->str() : std::string("float32"));
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  auto* cmd = app.add_subcommand("generate", "Generate text on the host: float32, or the golden "
                                             "quantized accelerator arithmetic with --quant");
  o->model.add_to(*cmd, /*allow_shape=*/true);
  cmd->add_option("--prompt", o->prompt, "prompt text (needs --tokenizer)");
  cmd->add_option("-n,--steps", o->steps, "positions to run, prompt included (as llama2.c)")
      ->check(config::positive_int("a positive number of positions, at most the model's seq_len"))
      ->capture_default_str();
  cmd->add_option("--temperature", o->temperature, "0 = greedy")
      ->check(config::non_negative("a temperature >= 0 (0 = greedy)"))
      ->capture_default_str();
  cmd->add_option("--topp", o->topp, "top-p (nucleus) threshold in (0, 1]; 1 disables")
      ->check(config::number_in(0, 1, "a top-p threshold in (0, 1]", true))
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "sampler seed")->capture_default_str();
  cmd->callback([o] { run_generate(*o); });
}

}  // namespace llamaf::cli
