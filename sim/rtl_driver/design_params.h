// The compile-time parameters of one accelerator design (docs/rtl.md), as
// read from configs/designs/*.json, for drivers that must know the port
// geometry of a Verilated lf_top.
#pragma once

#include "sim/model/packed_image.h"
#include "sim/model/quant.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace llamaf::sim {

struct DesignParams {
  std::string name;
  std::string description;
  // Testbench hint ("tb_check_throughput": false): the design cannot
  // sustain its bound by construction, so throughput is not asserted.
  bool check_throughput = true;
  int num_pe = 16;
  int weight_bits = 8;
  int act_bits = 8;
  int group_size = 64;
  model::ScaleFormat scale_format = model::ScaleFormat::Fp32;
  int axi_data_bits = 128;
  int axi_addr_bits = 40;
  int weight_ports = 1;
  int max_outstanding = 4;
  int max_burst_beats = 16;
  int wgt_buf_words = 64;
  int act_buf_cols = 2048;
  int out_buf_words = 16;
  int job_queue_depth = 2;

  model::QuantSpec quant_spec() const;
  model::BusGeometry bus() const { return model::BusGeometry{axi_data_bits, weight_ports}; }
  int axi_bytes() const { return axi_data_bits / 8; }
};

// Reads the RTL parameters of a design JSON. Each parameter is looked up under
// its RTL name (`NumPe`) or its snake_case name (`num_pe`), at the top level
// or inside a "params"/"parameters"/"rtl" object; `ScaleFmt` may be 0/1/2 or
// "fp32"/"fp16"/"bf16". Missing parameters keep the lf_top defaults. Throws
// llamaf::Error naming `where` and the key on a wrongly typed value.
DesignParams design_params_from_json(const nlohmann::json& j, const std::string& where);
DesignParams load_design_params(const std::string& path);

}  // namespace llamaf::sim
