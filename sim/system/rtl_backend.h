// The forward pass's backend inside the system simulation: every
// matrix-vector product becomes accelerator jobs (the host quantizes the
// input, writes its image, programs the registers, waits for the interrupt,
// reads the result back) and every host operator is charged to the host by
// the cost model, its KV-cache traffic going through the DDR4 model. Each
// result is checked bit for bit against the golden model.
#pragma once

#include "sim/host/host_cost.h"
#include "sim/model/transformer.h"
#include "sim/system/activity.h"
#include "sim/system/memory_map.h"
#include "sim/system/soc.h"
#include "sim/system/staging.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llamaf::sim {

enum class SchedulePolicy {
  Serial,       // one job at a time: program, start, wait, read back
  Overlapped,   // jobs sharing an input enqueued back to back (Q/K/V, W1/W3); "direct"
  PsOnly,       // no accelerator: every operator, matvecs included, on the host model
  StagedSync,   // overlapped jobs on weights the host first copies into a staging buffer
  StagedAsync,  // as StagedSync, the next unit's copy overlapped with this one's compute
};
// "serial" | "overlapped" (= "direct") | "ps_only" | "staged_sync" | "staged_async"
SchedulePolicy parse_policy(const std::string& s);
const char* policy_name(SchedulePolicy p);
bool is_staged(SchedulePolicy p);

struct BackendConfig {
  SchedulePolicy policy = SchedulePolicy::Overlapped;
  int sim_layers = -1;            // fast mode: layers simulated cycle by cycle (-1: all)
  int csr_latency_cycles = 12;    // host-side cost of one register access (PS->PL AXI-Lite)
  int irq_latency_cycles = 200;   // interrupt to the waiting thread running again (without a profile)
  // Staged policies: staging buffer address and size (0: the least the
  // policy needs), threads of a copy (0: all of the host's for sync, one
  // background thread for async).
  std::uint64_t staging_base = 0;
  std::uint64_t staging_bytes = 0;
  int copy_threads = 0;
  double dram_row_bytes = 8192;   // PS-only weight streams: one activate per row
};

class RtlBackend final : public model::Backend {
 public:
  // `host` must outlive the backend.
  RtlBackend(Soc& soc, const MemoryMap& map, const model::Config& model, const DesignParams& design,
             const host::HostCostModel& host, const BackendConfig& cfg);

  void matvecs(model::MatvecGroup group, int layer, std::span<const float> x,
               std::span<const model::Linear* const> ws,
               std::span<const std::span<float>> ys) override;
  void host_op(const model::HostWork& work) override;

  // Host work outside the forward pass (sampling), charged like an operator.
  void charge_host(const std::string& name, double seconds);
  // The staging schedule (staged policies), else nullptr.
  const WeightStager* stager() const { return stager_.get(); }
  // PS-only: weight bytes the host's matvecs streamed (counted, not simulated).
  double ps_weight_bytes() const { return ps_weight_bytes_; }

  // Totals since construction: measured activity plus, in fast mode, the
  // extrapolated layers.
  Activity snapshot();
  const BackendConfig& config() const { return cfg_; }

 private:
  bool simulated(int layer) const { return cfg_.sim_layers < 0 || layer < cfg_.sim_layers; }
  std::uint64_t seconds_to_fabric(double s) const;
  void run_jobs(std::span<const model::Linear* const> ws, std::span<const std::span<float>> ys,
                const model::QuantizedVector& xq, std::uint64_t x_addr, const std::string& what,
                int unit);
  void host_matvecs(model::MatvecGroup group, std::span<const float> x,
                    std::span<const model::Linear* const> ws, std::span<const std::span<float>> ys);
  int unit_of(int layer) const;
  void charge(const std::string& op, std::uint64_t start_cycle);
  void layer_boundary(int layer);

  Soc& soc_;
  const MemoryMap& map_;
  model::Config model_;
  DesignParams design_;
  const host::HostCostModel& host_;  // the caller's (its fallback list is the report's)
  BackendConfig cfg_;
  std::map<std::string, double> op_cycles_;
  Activity extrapolated_;      // added activity of the layers not simulated
  int current_layer_ = -1;
  // Fast mode: the snapshot at the start of layer 0, then (from layer
  // sim_layers on) the average activity of one simulated layer.
  Activity layer_start_;
  std::vector<float> golden_;  // scratch for the bit-exact check
  int x_slot_ = 0;
  std::unique_ptr<WeightStager> stager_;
  std::unique_ptr<StagingHost> staging_host_;
  int current_unit_ = -1;
  bool layout_set_ = false;  // LAYOUT written (design_.weight_chunk_bytes)
  double ps_weight_bytes_ = 0;
};

}  // namespace llamaf::sim
