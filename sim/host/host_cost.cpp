// Host operator cost model (docs/system.md, "Host model").
#include "sim/host/host_cost.h"

#include <algorithm>
#include <fmt/format.h>

namespace llamaf::host {

OpCounts op_counts(const model::Config& m, const model::HostWork& w) {
  using model::HostOp;
  const double n = w.elements;
  OpCounts c;
  switch (w.op) {
    case HostOp::Embedding:  // a row copy
      c.flops = 0;
      c.parallel = false;
      break;
    case HostOp::RmsNorm:
    case HostOp::FinalNorm:  // sum of squares (2n), scale (2n), one sqrt and divide
      c.flops = 4 * n;
      c.sqrts = 1;
      c.divs = 1;
      break;
    case HostOp::Rope: {  // per pair of q (and of k within kv_dim): pow, cos, sin, 6 flops
      const double pairs = (m.dim + m.kv_dim()) / 2.0;
      c.flops = 6 * pairs;
      c.exps = 3 * (m.dim / 2.0);
      break;
    }
    case HostOp::Attention: {  // per head and key: q.k (2 hs), softmax (exp, 2), weighted sum (2 hs)
      const double keys = w.pos + 1.0;
      c.flops = m.n_heads * keys * (4.0 * m.head_size() + 3.0);
      c.exps = m.n_heads * keys;
      c.divs = m.n_heads * (keys + 1.0);
      c.sqrts = m.n_heads;
      break;
    }
    case HostOp::Residual:
      c.flops = n;
      break;
    case HostOp::SwiGlu:  // silu (exp, divide, add, mul) and the product
      c.flops = 3 * n;
      c.exps = n;
      c.divs = n;
      break;
  }
  return c;
}

OpCounts quantize_counts(int n, int group_size) {
  OpCounts c;
  c.flops = 3.0 * n;  // abs/max, multiply by the reciprocal scale, round
  c.divs = static_cast<double>(n) / group_size + n;  // one divide per element (as the golden quantizer)
  return c;
}

OpCounts sample_counts(int vocab_size, bool greedy) {
  OpCounts c;
  c.flops = greedy ? vocab_size : 4.0 * vocab_size;
  c.exps = greedy ? 0 : vocab_size;
  c.parallel = false;
  return c;
}

double HostCostModel::cycles(const OpCounts& c) const {
  const int threads = c.parallel ? std::max(1, cfg_.cores_used) : 1;
  const double flop_rate = cfg_.flops_per_cycle_per_core * cfg_.flop_efficiency;  // per core
  const double work = c.flops / flop_rate + c.exps * cfg_.exp_cycles +
                      c.sqrts * cfg_.sqrt_cycles + c.divs * cfg_.div_cycles;
  return cfg_.op_call_overhead_cycles + work / threads;
}

OpCounts matvec_counts(int rows, int cols, int group_size) {
  OpCounts c;
  const double r = rows, k = cols;
  c.flops = 2.0 * r * k + 2.0 * r * (k / group_size);
  return c;
}

std::string profile_op_name(model::HostOp op) {
  using model::HostOp;
  switch (op) {
    case HostOp::Embedding: return "embedding";
    case HostOp::RmsNorm:
    case HostOp::FinalNorm: return "rmsnorm";
    case HostOp::Rope: return "rope";
    case HostOp::Attention: return "attention";
    case HostOp::Residual: return "residual";
    case HostOp::SwiGlu: return "swiglu";
  }
  return "";
}

double profile_op_units(const model::Config& m, const model::HostWork& w) {
  using model::HostOp;
  switch (w.op) {
    case HostOp::Attention: return double(m.n_heads) * (w.pos + 1.0);
    case HostOp::Rope: return double(m.dim + m.kv_dim());
    default: return double(w.elements);
  }
}

double HostCostModel::fork_join_seconds() const {
  if (profile_)
    if (const ProfileValue* v = profile_->overhead("fork_join")) return v->value;
  fallbacks_.insert("overheads.fork_join");
  return cfg_.op_call_overhead_cycles / (cfg_.core_clock_mhz * 1e6);
}

double HostCostModel::profiled(const ProfileValue& v, double units, bool parallel) const {
  return (parallel ? fork_join_seconds() : 0.0) + v.call_seconds + units * v.value;
}

double HostCostModel::op_seconds(const model::Config& m, const model::HostWork& w) const {
  const std::string name = profile_op_name(w.op);
  if (profile_) {
    // As in llama2.c (and LlamaF's PS code), only attention is a parallel
    // region (over heads); the element-wise operators run on one thread.
    if (const ProfileValue* v = profile_->op(name))
      return profiled(*v, profile_op_units(m, w), w.op == model::HostOp::Attention);
    // An embedding row is a copy of dim floats on one thread.
    if (w.op == model::HostOp::Embedding)
      if (auto bw = profile_->memcpy_bytes_per_s(1)) return 4.0 * w.elements / *bw;
  }
  fallbacks_.insert(name);
  return seconds(op_counts(m, w));
}

double HostCostModel::quantize_seconds(int n, int group_size) const {
  if (profile_)
    if (const ProfileValue* v = profile_->op("act_quant")) return profiled(*v, n, false);
  fallbacks_.insert("act_quant");
  return seconds(quantize_counts(n, group_size));
}

double HostCostModel::sample_seconds(int vocab_size, bool greedy) const {
  if (profile_)
    if (const ProfileValue* v = profile_->op("sampling")) return profiled(*v, vocab_size, false);
  fallbacks_.insert("sampling");
  return seconds(sample_counts(vocab_size, greedy));
}

double HostCostModel::matvec_seconds(int rows, int cols, int wbits, int abits, int group_size) const {
  const std::string key = fmt::format("w{}a{}", wbits, abits);
  if (profile_) {
    auto it = profile_->matvec.find(key);
    if (it != profile_->matvec.end())
      return fork_join_seconds() + it->second.call_seconds + 2.0 * rows * cols / it->second.value;
  }
  fallbacks_.insert("matvec." + key);
  return seconds(matvec_counts(rows, cols, group_size));
}

double HostCostModel::memcpy_seconds(double bytes, int threads) const {
  if (profile_)
    if (auto bw = profile_->memcpy_bytes_per_s(threads)) return bytes / *bw;
  fallbacks_.insert("memcpy");
  return bytes / (cfg_.memory_bandwidth_gbps * 1e9);
}

// Cache maintenance of `bytes` ("clean" or "invalidate") at the profile's
// per-byte cost; without one it is free and reported as a fallback.
double HostCostModel::cache_seconds(const std::string& kind, double bytes) const {
  if (profile_) {
    auto it = profile_->cache.find(kind);
    if (it != profile_->cache.end()) return bytes * it->second.value;
  }
  fallbacks_.insert("cache." + kind);
  return 0.0;
}

double HostCostModel::cache_clean_seconds(double bytes) const { return cache_seconds("clean", bytes); }

double HostCostModel::cache_invalidate_seconds(double bytes) const {
  return cache_seconds("invalidate", bytes);
}

std::optional<double> HostCostModel::overhead_seconds(const std::string& name) const {
  if (profile_)
    if (const ProfileValue* v = profile_->overhead(name)) return v->value;
  fallbacks_.insert("overheads." + name);
  return std::nullopt;
}

}  // namespace llamaf::host
