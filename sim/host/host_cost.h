// Cost model of the host (processing system) for the operators it runs
// between accelerator jobs: from a host profile (host_profile.h) where it
// has the operator, else compute cycles at the core clock from operation
// counts and the board's host section (the op-count fallback), plus the DRAM
// bytes the operator moves (KV cache), which the system simulator sends
// through the DDR4 model.
#pragma once

#include "sim/board/board.h"
#include "sim/host/host_profile.h"
#include "sim/model/config.h"
#include "sim/model/transformer.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>

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

// Operation counts of a host matrix-vector product (rows x cols, group-wise
// quantized): a multiply-add per weight, a scale multiply-add per group.
OpCounts matvec_counts(int rows, int cols, int group_size);

class HostCostModel {
 public:
  explicit HostCostModel(const board::HostConfig& cfg, std::optional<HostProfile> profile = {})
      : cfg_(cfg), profile_(std::move(profile)) {}
  // Op-count model: host core cycles for one call: fixed call overhead plus
  // the counted work at the sustained throughput of the cores it runs on.
  double cycles(const OpCounts& c) const;
  double seconds(const OpCounts& c) const { return cycles(c) / (cfg_.core_clock_mhz * 1e6); }
  const board::HostConfig& config() const { return cfg_; }
  const HostProfile* profile() const { return profile_ ? &*profile_ : nullptr; }

  // Seconds of one call, from the profile where it has the operator (the
  // fork/join of a parallel region for attention and matvecs, which run on
  // the profile's threads + the operator's fixed cost per call + work x
  // rate; the element-wise operators, sampling and activation quantization
  // run on one thread as in llama2.c), else from the op-count model
  // (recorded in fallbacks()).
  double op_seconds(const model::Config& m, const model::HostWork& w) const;
  double quantize_seconds(int n, int group_size) const;
  double sample_seconds(int vocab_size, bool greedy) const;
  // A matrix-vector product of rows x cols with wbits-bit weights and
  // abits-bit activations on the host (PS-only).
  double matvec_seconds(int rows, int cols, int wbits, int abits, int group_size) const;
  // A copy of `bytes` with `threads` threads (profile memcpy, else the
  // board's host.memory_bandwidth_gbps).
  double memcpy_seconds(double bytes, int threads) const;
  // Cache maintenance of a buffer shared with the PL (the HP ports are not
  // coherent): 0 without a profile entry (not modelled, recorded).
  double cache_clean_seconds(double bytes) const;
  double cache_invalidate_seconds(double bytes) const;
  double cache_seconds(const std::string& kind, double bytes) const;
  // A per-call overhead of the profile ("accel_start", "irq_to_thread");
  // nullopt (recorded) when the profile lacks it: the caller keeps its own
  // default.
  std::optional<double> overhead_seconds(const std::string& name) const;
  // The threads of the host's parallel operators.
  int threads() const { return profile_ ? profile_->threads : cfg_.cores_used; }

  // What was costed by the op-count model (or not modelled) for want of a
  // profile entry: "rmsnorm", "cache.clean", ...
  const std::set<std::string>& fallbacks() const { return fallbacks_; }

 private:
  double fork_join_seconds() const;
  double profiled(const ProfileValue& v, double units, bool parallel) const;

  board::HostConfig cfg_;
  std::optional<HostProfile> profile_;
  mutable std::set<std::string> fallbacks_;
};

// The profile operator a forward-pass host operator is costed by, and its
// work units (profile_operator_units()).
std::string profile_op_name(model::HostOp op);
double profile_op_units(const model::Config& m, const model::HostWork& w);

}  // namespace llamaf::host
