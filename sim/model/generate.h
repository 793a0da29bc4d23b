// Token generation (llama2.c's loop) and teacher-forced comparison of two
// models on one token sequence (the accuracy metric of `llamaf eval`).
#pragma once

#include "sim/model/sampler.h"
#include "sim/model/transformer.h"

#include <functional>
#include <vector>

namespace llamaf::model {

// Runs positions 0..steps-1: prompt tokens are forced, later tokens sampled.
// Stops early at BOS (token 1, as llama2.c does) or at seq_len. `on_token`
// sees each new token with its predecessor (for streaming decode).
// Returns the whole sequence: prompt followed by the generated tokens.
std::vector<int> generate(Transformer& model, Sampler& sampler, const std::vector<int>& prompt,
                          int steps, const std::function<void(int prev, int next)>& on_token = {});

struct Comparison {
  int positions = 0;            // predictions compared
  double top1_agreement = 0.0;  // fraction of positions where both argmaxes agree
  double mean_kl = 0.0;         // mean KL(reference || test), nats
  double perplexity_reference = 0.0;
  double perplexity_test = 0.0;
};

// Feeds `tokens` to both models (teacher forcing) and compares their next-token
// distributions at every position but the last.
Comparison compare_teacher_forced(Transformer& reference, Transformer& test,
                                  const std::vector<int>& tokens);

}  // namespace llamaf::model
