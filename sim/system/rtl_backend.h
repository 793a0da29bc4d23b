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

#include <cstdint>
#include <string>
#include <vector>

namespace llamaf::sim {

enum class SchedulePolicy {
  Serial,      // one job at a time: program, start, wait, read back
  Overlapped,  // jobs sharing an input enqueued back to back (Q/K/V, W1/W3)
};
SchedulePolicy parse_policy(const std::string& s);  // "serial" | "overlapped"
const char* policy_name(SchedulePolicy p);

struct BackendConfig {
  SchedulePolicy policy = SchedulePolicy::Overlapped;
  int sim_layers = -1;            // fast mode: layers simulated cycle by cycle (-1: all)
  int csr_latency_cycles = 12;    // host-side cost of one register access (PS->PL AXI-Lite)
  int irq_latency_cycles = 200;   // interrupt to the waiting thread running again
};

class RtlBackend final : public model::Backend {
 public:
  RtlBackend(Soc& soc, const MemoryMap& map, const model::Config& model, const DesignParams& design,
             const host::HostCostModel& host, const BackendConfig& cfg);

  void matvecs(model::MatvecGroup group, int layer, std::span<const float> x,
               std::span<const model::Linear* const> ws,
               std::span<const std::span<float>> ys) override;
  void host_op(const model::HostWork& work) override;

  // Host work outside the forward pass (sampling), charged like an operator.
  void charge_host(const std::string& name, const host::OpCounts& counts);

  // Totals since construction: measured activity plus, in fast mode, the
  // extrapolated layers.
  Activity snapshot();
  const BackendConfig& config() const { return cfg_; }

 private:
  bool simulated(int layer) const { return cfg_.sim_layers < 0 || layer < cfg_.sim_layers; }
  std::uint64_t host_to_fabric(double host_cycles) const;
  void run_jobs(std::span<const model::Linear* const> ws, std::span<const std::span<float>> ys,
                const model::QuantizedVector& xq, std::uint64_t x_addr, const std::string& what);
  void charge(const std::string& op, std::uint64_t start_cycle);
  void layer_boundary(int layer);

  Soc& soc_;
  const MemoryMap& map_;
  model::Config model_;
  DesignParams design_;
  host::HostCostModel host_;
  BackendConfig cfg_;
  std::map<std::string, double> op_cycles_;
  Activity extrapolated_;      // added activity of the layers not simulated
  int current_layer_ = -1;
  // Fast mode: the snapshot at the start of layer 0, then (from layer
  // sim_layers on) the average activity of one simulated layer.
  Activity layer_start_;
  std::vector<float> golden_;  // scratch for the bit-exact check
  int x_slot_ = 0;
};

}  // namespace llamaf::sim
