// Sampler: greedy argmax, llama2.c's pick sequences for fixed seeds, the
// top-p nucleus, temperature handling and argument errors.
#include "sim/model/sampler.h"

#include "sim/model/error.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <vector>

using llamaf::model::Sampler;

namespace {

// Exactly representable logits, a permutation of 0..100 (/16, -3) for the
// first 101 entries and repeating after that, so vocabularies above 101
// have ties.
std::vector<float> fixed_logits(int n) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>((i * 37) % 101) / 16.0f - 3.0f;
  return x;
}

// `steps` picks, each from a fresh copy of fixed_logits (sample() rewrites
// its input).
std::vector<int> picks(int n, float temperature, float topp, std::uint64_t seed, int steps) {
  Sampler s(n, temperature, topp, seed);
  std::vector<int> out;
  for (int k = 0; k < steps; ++k) {
    auto x = fixed_logits(n);
    out.push_back(s.sample(x));
  }
  return out;
}

}  // namespace

TEST_CASE("temperature 0 picks the argmax and leaves logits alone", "[sampler]") {
  Sampler s(5, 0.0f, 0.9f, 0);  // seed 0 is fine: greedy draws no coin
  std::vector<float> x = {0.5f, -1.0f, 3.25f, 3.0f, 2.0f};
  const auto before = x;
  CHECK(s.sample(x) == 2);
  CHECK(x == before);
  // Ties go to the first index, like llama2.c's strict '>'.
  std::vector<float> tie = {1.0f, 7.0f, 7.0f, -2.0f, 7.0f};
  CHECK(s.sample(tie) == 1);
  CHECK(picks(101, 0.0f, 0.9f, 42, 4) == std::vector<int>{30, 30, 30, 30});
}

TEST_CASE("fixed seeds reproduce llama2.c's picks", "[sampler]") {
  // Every expected sequence below is what llama2.c's run.c sampler
  // (build_sampler + sample, xorshift random_f32, softmax, sample_mult /
  // sample_topp) picks for the same logits, temperature, topp and seed.
  SECTION("top-p 0.9, temperature 1") {
    CHECK(picks(101, 1.0f, 0.9f, 42, 16) ==
          std::vector<int>{79, 95, 95, 21, 65, 84, 19, 68, 79, 46, 38, 79, 43, 90, 60, 87});
  }
  SECTION("multinomial: topp 0 and topp 1 both switch top-p off") {
    const std::vector<int> expected = {32, 79, 79, 95, 79, 87, 21, 46, 30, 68, 43, 34, 90, 19, 8, 60};
    CHECK(picks(101, 1.0f, 0.0f, 42, 16) == expected);
    CHECK(picks(101, 1.0f, 1.0f, 42, 16) == expected);
  }
  SECTION("low temperature, narrow nucleus") {
    CHECK(picks(101, 0.7f, 0.5f, 1337, 16) ==
          std::vector<int>{60, 60, 60, 8, 49, 60, 60, 90, 90, 49, 19, 90, 79, 19, 60, 90});
  }
  SECTION("high temperature, wide nucleus") {
    CHECK(picks(101, 2.0f, 0.95f, 7, 16) ==
          std::vector<int>{7, 83, 90, 19, 16, 46, 26, 79, 87, 18, 21, 40, 62, 64, 19, 57});
  }
  SECTION("tied probabilities keep llama2.c's sort order") {
    CHECK(picks(512, 1.3f, 0.8f, 123456789, 16) ==
          std::vector<int>{436, 229, 180, 191, 248, 27, 158, 461, 502, 507, 185, 431, 188, 210,
                           324, 382});
  }
}

TEST_CASE("top-p never picks outside the nucleus", "[sampler]") {
  const int n = 64;
  std::mt19937 gen(12345);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (float topp : {0.3f, 0.6f, 0.9f}) {
    std::vector<float> logits(n);
    for (auto& v : logits) v = normal(gen);

    // The nucleus computed independently, in double: most probable first,
    // the shortest prefix whose mass exceeds topp.
    std::vector<double> p(n);
    const double mx = *std::max_element(logits.begin(), logits.end());
    for (int i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = std::exp(logits[static_cast<std::size_t>(i)] - mx);
    const double sum = std::accumulate(p.begin(), p.end(), 0.0);
    for (auto& v : p) v /= sum;
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return p[static_cast<std::size_t>(a)] > p[static_cast<std::size_t>(b)];
    });
    std::set<int> nucleus;
    double mass = 0.0;
    for (int i : order) {
      nucleus.insert(i);
      mass += p[static_cast<std::size_t>(i)];
      if (mass > topp) break;
    }
    REQUIRE(nucleus.size() < static_cast<std::size_t>(n));

    Sampler s(n, 1.0f, topp, 2024);
    std::set<int> seen;
    for (int k = 0; k < 2000; ++k) {
      auto x = logits;
      const int t = s.sample(x);
      INFO("topp " << topp << " picked " << t);
      REQUIRE(nucleus.count(t) == 1);
      seen.insert(t);
    }
    // 2000 draws reach every member of these small nuclei.
    CHECK(seen == nucleus);
  }
}

TEST_CASE("temperature scales logits before the softmax, in place", "[sampler]") {
  const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f};
  for (float t : {0.5f, 1.0f, 3.0f}) {
    Sampler s(4, t, 0.0f, 99);
    auto x = logits;
    s.sample(x);
    double sum = 0.0;
    for (const float v : logits) sum += std::exp((v - 2.0) / t);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(x[i] == Approx(std::exp((logits[i] - 2.0) / t) / sum).epsilon(1e-6));
    }
  }
  // A tiny temperature concentrates all mass on the argmax.
  Sampler cold(101, 1e-3f, 0.9f, 5);
  for (int k = 0; k < 50; ++k) {
    auto x = fixed_logits(101);
    CHECK(cold.sample(x) == 30);
  }
  // A large one spreads picks over most of the vocabulary.
  Sampler hot(101, 100.0f, 0.0f, 5);
  std::set<int> seen;
  for (int k = 0; k < 2000; ++k) {
    auto x = fixed_logits(101);
    seen.insert(hot.sample(x));
  }
  CHECK(seen.size() > 90);
}

TEST_CASE("one-token vocabularies and short logit spans", "[sampler]") {
  Sampler one(1, 1.0f, 0.9f, 3);
  std::vector<float> x = {4.0f};
  CHECK(one.sample(x) == 0);

  Sampler s(8, 1.0f, 0.9f, 3);
  std::vector<float> short_logits(7, 0.0f);
  CHECK_THROWS_AS(s.sample(short_logits), llamaf::Error);
  // Extra entries (padded logits) are ignored.
  std::vector<float> padded(10, 0.0f);
  padded[9] = 100.0f;
  CHECK(s.sample(padded) < 8);
}

TEST_CASE("invalid sampler settings throw llamaf::Error", "[sampler]") {
  CHECK_THROWS_AS(Sampler(0, 1.0f, 0.9f, 1), llamaf::Error);
  CHECK_THROWS_AS(Sampler(10, -0.5f, 0.9f, 1), llamaf::Error);
  CHECK_THROWS_AS(Sampler(10, std::nanf(""), 0.9f, 1), llamaf::Error);
  CHECK_THROWS_AS(Sampler(10, 1.0f, std::nanf(""), 1), llamaf::Error);
  // Seed 0 would freeze xorshift at 0.
  CHECK_THROWS_AS(Sampler(10, 1.0f, 0.9f, 0), llamaf::Error);
  CHECK_NOTHROW(Sampler(10, 0.0f, 0.9f, 0));
}
