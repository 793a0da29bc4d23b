// Host operator cost model (docs/system.md, "Host model").
#include "sim/host/host_cost.h"

#include <algorithm>

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

}  // namespace llamaf::host
