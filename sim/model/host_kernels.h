// The host's (processing system's) kernels of the decoder, header-only and
// dependent on the C++ standard library alone: the forward pass
// (transformer.cpp) computes with them, and the host probe
// (sim/host_probe) times them on the machine it runs on. Float kernels in
// llama2.c's order of operations (for exact text); the int8 group kernels are
// the CPU's own quantized matrix-vector product (llama2.c runq.c, LlamaF's
// PS-only run), not the accelerator's bit-exact arithmetic (golden.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace llamaf::model::kernels {

inline void rmsnorm(std::span<float> o, std::span<const float> x, std::span<const float> weight,
                    float eps) {
  float ss = 0.0f;
  for (float v : x) ss += v * v;
  ss /= static_cast<float>(x.size());
  ss += eps;
  ss = 1.0f / std::sqrt(ss);
  for (std::size_t j = 0; j < x.size(); ++j) o[j] = weight[j] * (ss * x[j]);
}

inline void softmax(std::span<float> x) {
  float max_val = *std::max_element(x.begin(), x.end());
  float sum = 0.0f;
  for (float& v : x) {
    v = std::exp(v - max_val);
    sum += v;
  }
  for (float& v : x) v /= sum;
}

// Rotary embedding on adjacent pairs (llama2.c layout) of q (dim) and k (kv_dim).
inline void rope(std::span<float> q, std::span<float> k, int pos, int head_size, float theta) {
  const int dim = static_cast<int>(q.size());
  const int kv_dim = static_cast<int>(k.size());
  for (int i = 0; i < dim; i += 2) {
    const int head_dim = i % head_size;
    const float freq = 1.0f / std::pow(theta, static_cast<float>(head_dim) / head_size);
    const float val = static_cast<float>(pos) * freq;
    const float fcr = std::cos(val);
    const float fci = std::sin(val);
    const int rotn = i < kv_dim ? 2 : 1;  // q always, k only within kv_dim
    for (int v = 0; v < rotn; ++v) {
      std::span<float> vec = v == 0 ? q : k;
      const float v0 = vec[i];
      const float v1 = vec[i + 1];
      vec[i] = v0 * fcr - v1 * fci;
      vec[i + 1] = v0 * fci + v1 * fcr;
    }
  }
}

inline float silu(float v) { return v * (1.0f / (1.0f + std::exp(-v))); }

// hb = silu(hb) * hb2, (hidden_dim)
inline void swiglu(std::span<float> hb, std::span<const float> hb2) {
  for (std::size_t i = 0; i < hb.size(); ++i) hb[i] = silu(hb[i]) * hb2[i];
}

// x += y, (dim)
inline void residual(std::span<float> x, std::span<const float> y) {
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += y[i];
}

// One head's attention over keys 0..pos: q (head_size), the cache rows
// (pos+1, row_stride) starting at this head's kv offset, att scratch
// (pos+1), out xb (head_size).
inline void attention_head(const float* q, const float* key_rows, const float* value_rows,
                           std::size_t row_stride, int pos, int head_size, float* att, float* xb) {
  for (int t = 0; t <= pos; ++t) {
    const float* k = key_rows + static_cast<std::size_t>(t) * row_stride;
    float score = 0.0f;
    for (int i = 0; i < head_size; ++i) score += q[i] * k[i];
    att[t] = score / std::sqrt(static_cast<float>(head_size));
  }
  softmax(std::span<float>(att, static_cast<std::size_t>(pos) + 1));
  std::fill_n(xb, head_size, 0.0f);
  for (int t = 0; t <= pos; ++t) {
    const float* v = value_rows + static_cast<std::size_t>(t) * row_stride;
    for (int i = 0; i < head_size; ++i) xb[i] += att[t] * v[i];
  }
}

// Greedy sampling: the index of the largest logit.
inline int argmax(std::span<const float> x) {
  return static_cast<int>(std::max_element(x.begin(), x.end()) - x.begin());
}

// Symmetric group-wise activation quantization on the CPU (runq.c): per
// group of `group` values, scale = absmax / qmax, q = round(x / scale).
inline void quantize_groups(std::span<const float> x, int group, int qmax, std::int8_t* q,
                            float* scales) {
  const std::size_t groups = x.size() / static_cast<std::size_t>(group);
  for (std::size_t g = 0; g < groups; ++g) {
    const float* xg = x.data() + g * static_cast<std::size_t>(group);
    float wmax = 0.0f;
    for (int i = 0; i < group; ++i) wmax = std::max(wmax, std::fabs(xg[i]));
    const float scale = wmax / static_cast<float>(qmax);
    scales[g] = scale;
    for (int i = 0; i < group; ++i)
      q[g * static_cast<std::size_t>(group) + static_cast<std::size_t>(i)] =
          static_cast<std::int8_t>(std::round(scale > 0 ? xg[i] / scale : 0.0f));
  }
}

// Rows [row_begin, row_end) of y = W x with int8 weights and activations in
// groups (runq.c matmul): integer dot per group, scaled by both scales.
// w (rows, cols), ws (rows, cols/group), xq (cols), xs (cols/group).
inline void matvec_q8(const std::int8_t* w, const float* ws, const std::int8_t* xq, const float* xs,
                      int cols, int group, int row_begin, int row_end, float* y) {
  const int groups = cols / group;
  for (int r = row_begin; r < row_end; ++r) {
    const std::int8_t* wr = w + static_cast<std::size_t>(r) * cols;
    const float* wsr = ws + static_cast<std::size_t>(r) * groups;
    float val = 0.0f;
    for (int g = 0; g < groups; ++g) {
      std::int32_t ival = 0;
      const std::size_t off = static_cast<std::size_t>(g) * group;
      for (int k = 0; k < group; ++k) ival += std::int32_t(xq[off + k]) * std::int32_t(wr[off + k]);
      val += static_cast<float>(ival) * wsr[g] * xs[g];
    }
    y[r] = val;
  }
}

}  // namespace llamaf::model::kernels
