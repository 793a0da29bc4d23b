// Cost model of the host (processing system) for the operators it runs
// between accelerator jobs: compute cycles at the core clock from operation
// counts and the board's host section, plus the DRAM bytes the operator
// moves (KV cache), which the system simulator sends through the DDR4 model.
#pragma once

#include "sim/board/board.h"
#include "sim/model/config.h"
#include "sim/model/transformer.h"

#include <cstdint>

namespace llamaf::host {

// Operation counts of one operator call.
struct OpCounts {
  double flops = 0;        // fp32 adds/multiplies (an FMA counts 2)
  double exps = 0;         // expf / sinf / cosf / powf calls
  double sqrts = 0;
  double divs = 0;
  bool parallel = true;    // split over cores_used threads (OpenMP-style)
};

// Operation counts for a host operator of a forward pass of `model`.
OpCounts op_counts(const model::Config& model, const model::HostWork& work);
// Activation quantization of an n-vector (abs-max per group, one divide per
// group, n multiplies and roundings) before an accelerator job.
OpCounts quantize_counts(int n, int group_size);
// Sampling from vocab_size logits: greedy is one pass; otherwise softmax.
OpCounts sample_counts(int vocab_size, bool greedy);

class HostCostModel {
 public:
  explicit HostCostModel(const board::HostConfig& cfg) : cfg_(cfg) {}
  // Host core cycles for one call: fixed call overhead plus the counted work
  // at the sustained throughput of the cores it runs on.
  double cycles(const OpCounts& c) const;
  double seconds(const OpCounts& c) const { return cycles(c) / (cfg_.core_clock_mhz * 1e6); }
  const board::HostConfig& config() const { return cfg_; }

 private:
  board::HostConfig cfg_;
};

}  // namespace llamaf::host
