// Reading an accelerator design's RTL parameters from its JSON.
#include "sim/rtl_driver/design_params.h"

#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace llamaf::sim {

namespace {

const nlohmann::json* find_key(const nlohmann::json& j, const char* rtl_name,
                               const char* snake_name) {
  for (const char* section : {"", "params", "parameters", "rtl"}) {
    const nlohmann::json* obj = &j;
    if (*section) {
      auto it = j.find(section);
      if (it == j.end() || !it->is_object()) continue;
      obj = &*it;
    }
    for (const char* k : {rtl_name, snake_name}) {
      auto it = obj->find(k);
      if (it != obj->end()) return &*it;
    }
  }
  return nullptr;
}

void read_int(const nlohmann::json& j, const std::string& where, const char* rtl_name,
              const char* snake_name, int& out) {
  const nlohmann::json* v = find_key(j, rtl_name, snake_name);
  if (!v) return;
  if (!v->is_number_integer())
    throw_error("{}: key '{}' must be an integer, got {}", where, rtl_name, v->dump());
  out = v->get<int>();
}

}  // namespace

model::QuantSpec DesignParams::quant_spec() const {
  model::QuantSpec s;
  s.weight_bits = weight_bits;
  s.act_bits = act_bits;
  s.group_size = group_size;
  s.scale_format = scale_format;
  return s;
}

DesignParams design_params_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw_error("{}: a design must be a JSON object", where);
  DesignParams p;
  if (auto it = j.find("name"); it != j.end() && it->is_string()) p.name = it->get<std::string>();
  if (auto it = j.find("description"); it != j.end() && it->is_string())
    p.description = it->get<std::string>();
  if (auto it = j.find("tb_check_throughput"); it != j.end() && it->is_boolean())
    p.check_throughput = it->get<bool>();
  read_int(j, where, "NumPe", "num_pe", p.num_pe);
  read_int(j, where, "WeightBits", "weight_bits", p.weight_bits);
  read_int(j, where, "ActBits", "act_bits", p.act_bits);
  read_int(j, where, "GroupSize", "group_size", p.group_size);
  read_int(j, where, "AxiDataBits", "axi_data_bits", p.axi_data_bits);
  read_int(j, where, "AxiAddrBits", "axi_addr_bits", p.axi_addr_bits);
  read_int(j, where, "WeightPorts", "weight_ports", p.weight_ports);
  read_int(j, where, "MaxOutstanding", "max_outstanding", p.max_outstanding);
  read_int(j, where, "MaxBurstBeats", "max_burst_beats", p.max_burst_beats);
  read_int(j, where, "WgtBufWords", "wgt_buf_words", p.wgt_buf_words);
  read_int(j, where, "ActBufCols", "act_buf_cols", p.act_buf_cols);
  read_int(j, where, "OutBufWords", "out_buf_words", p.out_buf_words);
  read_int(j, where, "JobQueueDepth", "job_queue_depth", p.job_queue_depth);
  if (const nlohmann::json* v = find_key(j, "ScaleFmt", "scale_fmt")) {
    if (v->is_number_integer()) {
      const int f = v->get<int>();
      if (f < 0 || f > 2) throw_error("{}: key 'ScaleFmt' must be 0, 1 or 2, got {}", where, f);
      p.scale_format = static_cast<model::ScaleFormat>(f);
    } else if (v->is_string()) {
      const std::string s = v->get<std::string>();
      if (s == "fp32") p.scale_format = model::ScaleFormat::Fp32;
      else if (s == "fp16") p.scale_format = model::ScaleFormat::Fp16;
      else if (s == "bf16") p.scale_format = model::ScaleFormat::Bf16;
      else throw_error("{}: key 'ScaleFmt' must be fp32, fp16 or bf16, got '{}'", where, s);
    } else {
      throw_error("{}: key 'ScaleFmt' must be an integer or a string", where);
    }
  }
  if (const nlohmann::json* v = find_key(j, "ScaleFormat", "scale_format"); v && v->is_string()) {
    const std::string s = v->get<std::string>();
    if (s == "fp32") p.scale_format = model::ScaleFormat::Fp32;
    else if (s == "fp16") p.scale_format = model::ScaleFormat::Fp16;
    else if (s == "bf16") p.scale_format = model::ScaleFormat::Bf16;
    else throw_error("{}: key 'scale_format' must be fp32, fp16 or bf16, got '{}'", where, s);
  }
  return p;
}

DesignParams load_design_params(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_error("{}: cannot open design file", path);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: invalid JSON: {}", path, e.what());
  }
  DesignParams p = design_params_from_json(j, path);
  if (p.name.empty()) p.name = std::filesystem::path(path).stem().string();
  return p;
}

}  // namespace llamaf::sim
