// Samplers after llama2.c: greedy (temperature 0), multinomial with
// temperature, top-p (nucleus); seeded xorshift RNG reproducing llama2.c's
// choices for the same seed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace llamaf::model {

class Sampler {
 public:
  Sampler(int vocab_size, float temperature, float topp, std::uint64_t seed);
  // Picks the next token from logits (modified in place: temperature and
  // softmax are applied as llama2.c does). Reads the first vocab_size
  // entries; a shorter span throws.
  int sample(std::span<float> logits);

 private:
  struct ProbIndex {
    float prob;
    int index;
  };

  float random_f32();
  int sample_topp(std::span<const float> probs, float coin);

  int vocab_size_;
  float temperature_;
  float topp_;
  std::uint64_t rng_state_;
  std::vector<ProbIndex> probindex_;  // (vocab_size) top-p candidates, reused
};

}  // namespace llamaf::model
