// Token samplers reproducing llama2.c's run.c choice for choice: argmax,
// multinomial and top-p over a temperature softmax, driven by xorshift*.
#include "sim/model/sampler.h"

#include "sim/model/error.h"

#include <algorithm>
#include <cmath>

namespace llamaf::model {

namespace {

// First index of the largest value, like llama2.c's sample_argmax.
int argmax(std::span<const float> x) {
  int best = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (x[i] > x[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
  }
  return best;
}

// llama2.c's softmax: float accumulation in index order and a division per
// element, so probabilities match its bits, not just its values.
void softmax(std::span<float> x) {
  float max_val = x[0];
  for (std::size_t i = 1; i < x.size(); ++i) max_val = x[i] > max_val ? x[i] : max_val;
  float sum = 0.0f;
  for (float& v : x) {
    v = std::exp(v - max_val);
    sum += v;
  }
  for (float& v : x) v /= sum;
}

// Inverse-CDF pick in index order; the last index absorbs rounding when the
// probabilities sum to slightly less than the coin.
int sample_mult(std::span<const float> probs, float coin) {
  float cdf = 0.0f;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    cdf += probs[i];
    if (coin < cdf) return static_cast<int>(i);
  }
  return static_cast<int>(probs.size()) - 1;
}

}  // namespace

Sampler::Sampler(int vocab_size, float temperature, float topp, std::uint64_t seed)
    : vocab_size_(vocab_size), temperature_(temperature), topp_(topp), rng_state_(seed) {
  if (vocab_size <= 0) throw_error("sampler: vocab_size must be positive, got {}", vocab_size);
  if (!(temperature >= 0.0f) || std::isinf(temperature)) {
    throw_error("sampler: temperature must be finite and >= 0, got {}", temperature);
  }
  if (std::isnan(topp)) throw_error("sampler: topp must be a number, got NaN");
  // Zero is a fixed point of xorshift: every coin would be 0. llama2.c's CLI
  // swaps 0 for time(NULL); a library must stay deterministic, so refuse it.
  if (seed == 0 && temperature != 0.0f) {
    throw_error("sampler: seed must be non-zero when temperature > 0 (xorshift state 0 never changes)");
  }
}

// xorshift* (Marsaglia shifts 12/25/27, Vigna's multiplier), upper 32 bits,
// then the top 24 of those as a float in [0, 1): llama2.c's random_f32.
float Sampler::random_f32() {
  rng_state_ ^= rng_state_ >> 12;
  rng_state_ ^= rng_state_ << 25;
  rng_state_ ^= rng_state_ >> 27;
  const auto u32 = static_cast<std::uint32_t>((rng_state_ * 0x2545F4914F6CDD1Dull) >> 32);
  return static_cast<float>(u32 >> 8) / 16777216.0f;
}

int Sampler::sample(std::span<float> logits) {
  if (logits.size() < static_cast<std::size_t>(vocab_size_)) {
    throw_error("sampler: expected {} logits, got {}", vocab_size_, logits.size());
  }
  const auto x = logits.first(static_cast<std::size_t>(vocab_size_));
  if (temperature_ == 0.0f) return argmax(x);

  // Division, not multiplication by 1/T, to round exactly as llama2.c does.
  for (float& v : x) v /= temperature_;
  softmax(x);
  // One coin per call on every random path, so the RNG stream stays in step
  // with llama2.c whichever sampler runs.
  const float coin = random_f32();
  if (topp_ <= 0.0f || topp_ >= 1.0f) return sample_mult(x, coin);
  return sample_topp(x, coin);
}

// Nucleus sampling: the smallest most-probable set whose mass exceeds topp,
// sampled in proportion to the probabilities.
int Sampler::sample_topp(std::span<const float> probs, float coin) {
  const int n = static_cast<int>(probs.size());
  // llama2.c's cutoff is 1/0 for a single token; the answer is token 0 anyway.
  if (n == 1) return 0;

  // A token below (1 - topp) / (n - 1) can never be in the nucleus (the rest
  // would already exceed topp), so it is dropped before sorting. The filter
  // is part of the result, not only a speed-up: it decides what the rounding
  // fallback below covers.
  const float cutoff = (1.0f - topp_) / static_cast<float>(n - 1);
  probindex_.clear();
  for (int i = 0; i < n; ++i) {
    if (probs[static_cast<std::size_t>(i)] >= cutoff) {
      probindex_.push_back({probs[static_cast<std::size_t>(i)], i});
    }
  }
  // llama2.c's run.c would read probindex[-1] here (topp below 1/n with
  // near-uniform probabilities); any single token already exceeds topp, so
  // the most probable one is the nucleus.
  if (probindex_.empty()) return argmax(probs);

  // Descending probability; ties keep index order, which is what glibc's
  // qsort (a stable merge sort for arrays this size) gives llama2.c.
  std::stable_sort(probindex_.begin(), probindex_.end(),
                   [](const ProbIndex& a, const ProbIndex& b) { return a.prob > b.prob; });

  float cumulative = 0.0f;
  std::size_t last = probindex_.size() - 1;  // rounding: all candidates
  for (std::size_t i = 0; i < probindex_.size(); ++i) {
    cumulative += probindex_[i].prob;
    if (cumulative > topp_) {
      last = i;
      break;
    }
  }

  const float r = coin * cumulative;
  float cdf = 0.0f;
  for (std::size_t i = 0; i <= last; ++i) {
    cdf += probindex_[i].prob;
    if (r < cdf) return probindex_[i].index;
  }
  return probindex_[last].index;
}

}  // namespace llamaf::model
