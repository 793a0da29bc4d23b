// Samplers after llama2.c: greedy (temperature 0), multinomial with
// temperature, top-p (nucleus); seeded xorshift RNG reproducing llama2.c's
// choices for the same seed.
#pragma once

#include <cstdint>
#include <span>

namespace llamaf::model {

class Sampler {
 public:
  Sampler(int vocab_size, float temperature, float topp, std::uint64_t seed);
  // Picks the next token from logits (modified in place: temperature and
  // softmax are applied as llama2.c does).
  int sample(std::span<float> logits);

 private:
  int vocab_size_;
  float temperature_;
  float topp_;
  std::uint64_t rng_state_;
};

}  // namespace llamaf::model
