// Token generation and teacher-forced model comparison.
#include "sim/model/generate.h"

#include "sim/model/error.h"

#include <algorithm>
#include <cmath>

namespace llamaf::model {

std::vector<int> generate(Transformer& model, Sampler& sampler, const std::vector<int>& prompt,
                          int steps, const std::function<void(int, int)>& on_token) {
  if (prompt.empty()) throw_error("generate: the prompt must hold at least one token (BOS)");
  steps = std::min(steps, model.config().seq_len);
  std::vector<int> seq = prompt;
  int token = prompt[0];
  for (int pos = 0; pos < steps; ++pos) {
    std::span<float> logits = model.forward(token, pos);
    int next;
    if (pos + 1 < static_cast<int>(prompt.size())) {
      next = prompt[pos + 1];
    } else {
      next = sampler.sample(logits);
      if (next == 1) break;  // BOS delimits sequences
      seq.push_back(next);
    }
    if (on_token) on_token(token, next);
    token = next;
  }
  return seq;
}

namespace {

// log-softmax of logits (numerically stable, double precision).
std::vector<double> log_softmax(std::span<const float> logits) {
  const double max_val = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float v : logits) sum += std::exp(v - max_val);
  const double log_z = max_val + std::log(sum);
  std::vector<double> out(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) out[i] = logits[i] - log_z;
  return out;
}

}  // namespace

Comparison compare_teacher_forced(Transformer& reference, Transformer& test,
                                  const std::vector<int>& tokens) {
  if (tokens.size() < 2) throw_error("eval: need at least 2 tokens, got {}", tokens.size());
  if (reference.config().vocab_size != test.config().vocab_size)
    throw_error("eval: vocabularies differ ({} vs {})", reference.config().vocab_size,
                test.config().vocab_size);
  reference.reset();
  test.reset();
  Comparison c;
  double agree = 0, kl_sum = 0, nll_ref = 0, nll_test = 0;
  const int n = static_cast<int>(
      std::min<std::size_t>(tokens.size() - 1, static_cast<std::size_t>(reference.config().seq_len)));
  for (int pos = 0; pos < n; ++pos) {
    const std::vector<double> lp = log_softmax(reference.forward(tokens[pos], pos));
    const std::vector<double> lq = log_softmax(test.forward(tokens[pos], pos));
    const auto argmax = [](const std::vector<double>& v) {
      return std::max_element(v.begin(), v.end()) - v.begin();
    };
    agree += argmax(lp) == argmax(lq) ? 1 : 0;
    double kl = 0;
    for (std::size_t i = 0; i < lp.size(); ++i) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
    kl_sum += kl;
    nll_ref -= lp[tokens[pos + 1]];
    nll_test -= lq[tokens[pos + 1]];
  }
  c.positions = n;
  c.top1_agreement = agree / n;
  c.mean_kl = kl_sum / n;
  c.perplexity_reference = std::exp(nll_ref / n);
  c.perplexity_test = std::exp(nll_test / n);
  return c;
}

}  // namespace llamaf::model
