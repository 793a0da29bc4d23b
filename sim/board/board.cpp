// Board description: hand-written reader and validation of configs/boards/*.json.
#include "sim/board/board.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>

namespace llamaf::board {

using dram::JsonObject;

namespace {

// Collects every "sources" object below `j` (already validated by the
// section's reader) as "path.key" -> source.
void collect_sources(const nlohmann::json& j, const std::string& path,
                     std::map<std::string, std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    if (key == "sources" && value.is_object()) {
      for (const auto& [k, v] : value.items())
        if (v.is_string()) out[path + "." + k] = v.get<std::string>();
    } else if (value.is_object()) {
      collect_sources(value, path + "." + key, out);
    }
  }
}

void positive(const std::string& where, const char* key, double v) {
  if (!(v > 0.0)) throw_error("{}.{} must be > 0, got {}", where, key, v);
}

void non_negative(const std::string& where, const char* key, double v) {
  if (!(v >= 0.0)) throw_error("{}.{} must be >= 0, got {}", where, key, v);
}

void in_range(const std::string& where, const char* key, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi)) throw_error("{}.{} must be in [{}, {}], got {}", where, key, lo, hi, v);
}

}  // namespace

void Board::validate(const std::string& where) const {
  if (name.empty()) throw_error("{}: name must not be empty", where);
  const std::string f = where + ": fabric";
  in_range(f, "clock_mhz", fabric.clock_mhz, 1.0, 1000.0);
  in_range(f, "hp_ports", fabric.hp_ports, 1, 16);
  if (fabric.hp_port_data_bits != 32 && fabric.hp_port_data_bits != 64 &&
      fabric.hp_port_data_bits != 128 && fabric.hp_port_data_bits != 256 &&
      fabric.hp_port_data_bits != 512)
    throw_error("{}.hp_port_data_bits must be 32, 64, 128, 256 or 512, got {}", f,
                fabric.hp_port_data_bits);
  in_range(f, "hp_port_max_clock_mhz", fabric.hp_port_max_clock_mhz, 1.0, 1000.0);
  in_range(f, "hp_port_max_burst_beats", fabric.hp_port_max_burst_beats, 1, 256);
  if (!fabric.hp_port_ddrc_ports.empty() &&
      fabric.hp_port_ddrc_ports.size() != static_cast<std::size_t>(fabric.hp_ports))
    throw_error("{}.hp_port_ddrc_ports must list one DDR controller port per HP port ({}), got {}",
                f, fabric.hp_ports, fabric.hp_port_ddrc_ports.size());

  const std::string r = where + ": resources";
  positive(r, "lut", static_cast<double>(resources.lut));
  positive(r, "ff", static_cast<double>(resources.ff));
  non_negative(r, "dsp", static_cast<double>(resources.dsp));
  non_negative(r, "bram36", static_cast<double>(resources.bram36));
  non_negative(r, "uram", static_cast<double>(resources.uram));

  memory.validate(where + ": memory");

  const std::string h = where + ": host";
  in_range(h, "core_clock_mhz", host.core_clock_mhz, 1.0, 10000.0);
  in_range(h, "cores", host.cores, 1, 256);
  in_range(h, "cores_used", host.cores_used, 1, host.cores);
  positive(h, "flops_per_cycle_per_core", host.flops_per_cycle_per_core);
  if (!(host.flop_efficiency > 0.0 && host.flop_efficiency <= 1.0))
    throw_error("{}.flop_efficiency must be in (0, 1], got {}", h, host.flop_efficiency);
  non_negative(h, "op_call_overhead_cycles", host.op_call_overhead_cycles);
  positive(h, "exp_cycles", host.exp_cycles);
  positive(h, "sqrt_cycles", host.sqrt_cycles);
  positive(h, "div_cycles", host.div_cycles);
  positive(h, "memory_bandwidth_gbps", host.memory_bandwidth_gbps);
  positive(h, "l1d_bytes", static_cast<double>(host.l1d_bytes));
  positive(h, "l2_bytes", static_cast<double>(host.l2_bytes));

  const std::string p = where + ": power";
  non_negative(p, "pl_static_w", power.pl_static_w);
  non_negative(p, "ps_static_w", power.ps_static_w);
  non_negative(p, "ps_idle_w", power.ps_idle_w);
  non_negative(p, "apu_core_active_w", power.apu_core_active_w);
  non_negative(p, "ddr_static_w", power.ddr_static_w);
  non_negative(p, "board_other_w", power.board_other_w);
}

Board board_from_json(const nlohmann::json& j, const std::string& where) {
  const JsonObject root(j, where, "");
  Board b;
  b.name = root.get_string("name");
  b.description = root.get_string("description", "");
  root.allow({"source", "notes"});

  {
    const JsonObject o = root.get_object("fabric");
    o.allow({"notes"});
    FabricConfig& f = b.fabric;
    f.part = o.get_string("part");
    f.clock_mhz = o.get_number("clock_mhz");
    f.hp_ports = o.get_int("hp_ports");
    f.hp_port_data_bits = o.get_int("hp_port_data_bits");
    f.hp_port_max_clock_mhz = o.get_number("hp_port_max_clock_mhz", f.hp_port_max_clock_mhz);
    f.hp_port_max_burst_beats = o.get_int("hp_port_max_burst_beats", f.hp_port_max_burst_beats);
    if (o.has("hp_port_ddrc_ports")) {
      const nlohmann::json& v = o.get_raw("hp_port_ddrc_ports");
      if (!v.is_array()) throw_error("{}: expected an array of integers", o.at("hp_port_ddrc_ports"));
      for (const auto& e : v) {
        if (!e.is_number_integer())
          throw_error("{}: expected an array of integers, got {}", o.at("hp_port_ddrc_ports"),
                      e.dump());
        f.hp_port_ddrc_ports.push_back(e.get<int>());
      }
    }
    o.read_sources(&b.sources);
    o.reject_unknown();
  }
  {
    const JsonObject o = root.get_object("resources");
    o.allow({"notes"});
    ResourceBudget& r = b.resources;
    r.lut = o.get_int64("lut");
    r.ff = o.get_int64("ff");
    r.dsp = o.get_int64("dsp");
    r.bram36 = o.get_int64("bram36");
    r.uram = o.get_int64("uram");
    o.read_sources(&b.sources);
    o.reject_unknown();
  }
  {
    const JsonObject o = root.get_object("memory");
    b.memory = dram::dram_config_from_json(o);
    collect_sources(j.at("memory"), "memory", b.sources);
  }
  {
    const JsonObject o = root.get_object("ps");
    b.ps = dram::ps_config_from_json(o);
    collect_sources(j.at("ps"), "ps", b.sources);
  }
  {
    const JsonObject o = root.get_object("host");
    o.allow({"notes"});
    HostConfig& h = b.host;
    h.cpu = o.get_string("cpu", h.cpu);
    h.core_clock_mhz = o.get_number("core_clock_mhz");
    h.cores = o.get_int("cores");
    h.cores_used = o.get_int("cores_used", h.cores);
    h.flops_per_cycle_per_core = o.get_number("flops_per_cycle_per_core", h.flops_per_cycle_per_core);
    h.flop_efficiency = o.get_number("flop_efficiency", h.flop_efficiency);
    h.op_call_overhead_cycles = o.get_number("op_call_overhead_cycles", h.op_call_overhead_cycles);
    h.exp_cycles = o.get_number("exp_cycles", h.exp_cycles);
    h.sqrt_cycles = o.get_number("sqrt_cycles", h.sqrt_cycles);
    h.div_cycles = o.get_number("div_cycles", h.div_cycles);
    h.memory_bandwidth_gbps = o.get_number("memory_bandwidth_gbps", h.memory_bandwidth_gbps);
    h.l1d_bytes = o.get_int64("l1d_bytes", h.l1d_bytes);
    h.l2_bytes = o.get_int64("l2_bytes", h.l2_bytes);
    h.profile = o.get_string("profile", h.profile);
    o.read_sources(&b.sources);
    o.reject_unknown();
  }
  {
    const JsonObject o = root.get_object("power");
    o.allow({"notes"});
    PowerConfig& p = b.power;
    p.pl_static_w = o.get_number("pl_static_w");
    p.ps_static_w = o.get_number("ps_static_w");
    p.ddr_static_w = o.get_number("ddr_static_w");
    p.ps_idle_w = o.get_number("ps_idle_w", p.ps_idle_w);
    p.apu_core_active_w = o.get_number("apu_core_active_w", p.apu_core_active_w);
    p.board_other_w = o.get_number("board_other_w", p.board_other_w);
    o.read_sources(&b.sources);
    o.reject_unknown();
  }
  root.reject_unknown();
  b.validate(where);
  return b;
}

Board load_board(const std::string& path) {
  return board_from_json(dram::read_json_file(path), path);
}

nlohmann::json to_json(const Board& b) {
  const FabricConfig& f = b.fabric;
  const ResourceBudget& r = b.resources;
  const HostConfig& h = b.host;
  const PowerConfig& p = b.power;
  return {{"name", b.name},
          {"description", b.description},
          {"fabric",
           {{"part", f.part},
            {"clock_mhz", f.clock_mhz},
            {"hp_ports", f.hp_ports},
            {"hp_port_data_bits", f.hp_port_data_bits},
            {"hp_port_max_clock_mhz", f.hp_port_max_clock_mhz},
            {"hp_port_max_burst_beats", f.hp_port_max_burst_beats},
            {"hp_port_ddrc_ports", f.hp_port_ddrc_ports}}},
          {"resources",
           {{"lut", r.lut}, {"ff", r.ff}, {"dsp", r.dsp}, {"bram36", r.bram36}, {"uram", r.uram}}},
          {"memory", dram::to_json(b.memory)},
          {"ps", dram::to_json(b.ps)},
          {"host",
           {{"cpu", h.cpu},
            {"core_clock_mhz", h.core_clock_mhz},
            {"cores", h.cores},
            {"cores_used", h.cores_used},
            {"flops_per_cycle_per_core", h.flops_per_cycle_per_core},
            {"flop_efficiency", h.flop_efficiency},
            {"op_call_overhead_cycles", h.op_call_overhead_cycles},
            {"exp_cycles", h.exp_cycles},
            {"sqrt_cycles", h.sqrt_cycles},
            {"div_cycles", h.div_cycles},
            {"memory_bandwidth_gbps", h.memory_bandwidth_gbps},
            {"l1d_bytes", h.l1d_bytes},
            {"l2_bytes", h.l2_bytes},
            {"profile", h.profile}}},
          {"power",
           {{"pl_static_w", p.pl_static_w},
            {"ps_static_w", p.ps_static_w},
            {"ps_idle_w", p.ps_idle_w},
            {"apu_core_active_w", p.apu_core_active_w},
            {"ddr_static_w", p.ddr_static_w},
            {"board_other_w", p.board_other_w}}},
          {"sources", b.sources}};
}

}  // namespace llamaf::board
