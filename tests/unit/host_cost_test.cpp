// Host cost model: operation counts per operator and the cycle formula.
#include "sim/host/host_cost.h"

#include <catch2/catch.hpp>

using namespace llamaf;

namespace {

model::Config tiny_llama() {
  return model::load_shape(std::string(LLAMAF_SOURCE_DIR) + "/configs/models/tinyllama-1.1b.json");
}

}  // namespace

TEST_CASE("operation counts follow the operator's arithmetic", "[host]") {
  const model::Config c = tiny_llama();
  using model::HostOp;
  const host::OpCounts norm = host::op_counts(c, {.op = HostOp::RmsNorm, .elements = 2048});
  CHECK(norm.flops == 4 * 2048);
  CHECK(norm.sqrts == 1);
  // Attention at position p touches p+1 keys in every head.
  const host::OpCounts a0 = host::op_counts(c, {.op = HostOp::Attention, .pos = 0});
  const host::OpCounts a9 = host::op_counts(c, {.op = HostOp::Attention, .pos = 9});
  CHECK(a9.exps == 10 * a0.exps);
  CHECK(a0.exps == 32);
  CHECK(a0.flops == 32 * (4.0 * 64 + 3));
  const host::OpCounts swiglu = host::op_counts(c, {.op = HostOp::SwiGlu, .elements = 5632});
  CHECK(swiglu.exps == 5632);
  CHECK(host::sample_counts(32000, true).exps == 0);
  CHECK(host::sample_counts(32000, false).exps == 32000);
}

TEST_CASE("host cycles: call overhead plus work at the sustained rate of the cores used", "[host]") {
  board::HostConfig h;
  h.core_clock_mhz = 1000;
  h.cores_used = 4;
  h.flops_per_cycle_per_core = 4;
  h.flop_efficiency = 0.5;
  h.op_call_overhead_cycles = 100;
  h.exp_cycles = 20;
  h.sqrt_cycles = 10;
  h.div_cycles = 5;
  const host::HostCostModel m(h);
  host::OpCounts c;
  c.flops = 8000;  // 8000 / (4 * 0.5) = 4000 core cycles
  c.exps = 10;     // 200
  c.sqrts = 2;     // 20
  c.divs = 4;      // 20
  CHECK(m.cycles(c) == Approx(100 + (4000 + 200 + 20 + 20) / 4.0));
  c.parallel = false;
  CHECK(m.cycles(c) == Approx(100 + 4240));
  CHECK(m.seconds(c) == Approx((100 + 4240) / 1e9));
}
