// The compile-time parameters of one accelerator design (docs/rtl.md), as
// read from configs/designs/*.json, for drivers that must know the port
// geometry of a Verilated lf_top.
#pragma once

#include "sim/model/packed_image.h"
#include "sim/model/quant.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace llamaf::sim {

struct DesignParams {
  std::string name;
  std::string description;
  // Testbench hint ("tb_check_throughput": false): the design cannot
  // sustain its bound by construction, so throughput is not asserted.
  bool check_throughput = true;
  // Fabric clock of the design point, MHz; 0: the board's.
  double clock_mhz = 0;
  // PS ports (board ps.ports[].name, e.g. "HP0") of the AXI ports, in order;
  // empty: the board's default_port_order. Not an RTL parameter: the same
  // hardware on other ports is the same design identity.
  std::vector<std::string> ps_ports;
  // How the weight image lies across the AXI ports ("weight_layout"): 0, one
  // contiguous region per port ("regions"); else the ports take turns in
  // chunks of this many bytes ("interleaved:<bytes>"). A run-time choice
  // (the LAYOUT register), so not an RTL parameter either.
  std::int64_t weight_chunk_bytes = 0;
  // The lf_top parameter defaults (rtl/lf_top.sv): a design file that omits
  // a parameter gets the RTL's own default, here and in the Verilated model.
  int num_pe = 16;
  int weight_bits = 8;
  int act_bits = 8;
  int group_size = 256;
  model::ScaleFormat scale_format = model::ScaleFormat::Fp32;
  int axi_data_bits = 128;
  int axi_addr_bits = 40;
  int weight_ports = 1;
  int max_outstanding = 4;
  int max_burst_beats = 16;
  int wgt_buf_words = 128;
  int act_buf_cols = 2048;
  int out_buf_words = 16;
  int job_queue_depth = 4;

  model::QuantSpec quant_spec() const;
  model::BusGeometry bus() const {
    return model::BusGeometry{axi_data_bits, weight_ports, weight_chunk_bytes};
  }
  // "regions" or "interleaved:<bytes>", as the design file spells it.
  std::string weight_layout() const;
  // Bytes of the longest burst a reader issues (lf_pkg::burst_bytes_log2):
  // MaxBurstBeats words, at most 4 KiB. The smallest interleave chunk.
  int burst_bytes() const;
  int axi_bytes() const { return axi_data_bits / 8; }
};

// The lf_top parameters by their SystemVerilog names, in declaration order.
inline constexpr std::array<const char*, 14> kRtlParamNames = {
    "NumPe",          "WeightBits",    "ActBits",     "GroupSize",   "ScaleFmt",
    "AxiDataBits",    "AxiAddrBits",   "WeightPorts", "MaxOutstanding",
    "MaxBurstBeats",  "WgtBufWords",   "ActBufCols",  "OutBufWords", "JobQueueDepth"};

// Reads a design JSON (docs/configuration.md): "name", "description",
// "clock_mhz" (> 0), "tb_check_throughput", "ps_ports" (an array of PS port
// names, one per AXI port, or one comma-separated string "HP0,HP2"; checked
// against a board by dram::PsConfig::port_map), "weight_layout" ("regions",
// "interleaved" = "interleaved:8192", or "interleaved:<bytes>")
// and the "rtl" object holding lf_top
// parameters by their SystemVerilog names (`ScaleFmt` may be 0/1/2 or
// "fp32"/"fp16"/"bf16"); missing parameters keep the lf_top defaults. Unknown
// keys are rejected (with a "did you mean"). Types only: legality is
// check_rtl_legality. Throws llamaf::Error naming `where` and the key path.
DesignParams design_params_from_json(const nlohmann::json& j, const std::string& where);
// Reads the file and checks legality (check_rtl_legality): what every command
// that builds, simulates or synthesizes a design file calls first.
DesignParams load_design_params(const std::string& path);

// The legality rules of docs/rtl.md, exactly the elaboration checks of
// rtl/lf_top.sv (which Verilator 5.006 does not enforce: its $fatal in a
// generate block does not fire). Throws naming `where`, the key rtl.<Name>,
// its value and the rule. `quantizer_only`: the design is only used for
// C++ accuracy studies, so WeightBits may be anything the quantizer does
// (2..8) rather than what the RTL implements (2, 4, 8).
void check_rtl_legality(const DesignParams& p, const std::string& where,
                        bool quantizer_only = false);

// All lf_top parameters as {"NumPe": 16, ...} (ScaleFmt as 0/1/2), keys
// sorted: the canonical form hashed into a design's identity and written to
// generated design files.
nlohmann::json rtl_json(const DesignParams& p);

// The PARAMS0..5 register values (docs/rtl.md, rtl/lf_csr.sv) a model built
// with `p` returns.
std::array<std::uint32_t, 6> params_registers(const DesignParams& p);
// Compares the PARAMS0..5 registers read from a Verilated model with the
// design file's parameters; throws, showing both sets, when they differ:
// the simulator was built for another design.
void check_compiled_params(const std::array<std::uint32_t, 6>& regs, const DesignParams& p,
                           const std::string& where);

}  // namespace llamaf::sim
