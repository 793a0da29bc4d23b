// Energy tables and the energy computation.
#include "explorer/energy.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <set>

namespace llamaf::dse {

namespace {

using nlohmann::json;

// Unknown keys through the shared checked-JSON reader (sim/config), so the
// message and its "did you mean" are those of every config file.
void reject_unknown(const json& j, const std::string& where, std::initializer_list<const char*> known) {
  const config::JsonObject o(j, where, "");
  o.allow(known);
  o.reject_unknown();
}

SourcedValue sourced(const json& j, const std::string& where, const std::string& key,
                     const std::string& unit) {
  const std::string at = fmt::format("{}: {}", where, key);
  if (!j.is_object())
    throw_error("{}: expected {{\"value\", \"unit\": \"{}\", \"source\", \"node\"}}, got {}", at,
                unit, j.dump());
  reject_unknown(j, at, {"value", "unit", "source", "node", "confidence", "derivation"});
  SourcedValue s;
  if (!j.contains("value") || !j["value"].is_number())
    throw_error("{}.value: expected a number", at);
  s.value = j["value"].get<double>();
  if (!std::isfinite(s.value) || s.value < 0)
    throw_error("{}.value: expected a non-negative number, got {}", at, j["value"].dump());
  for (const char* k : {"unit", "source", "node"}) {
    if (!j.contains(k) || !j[k].is_string() || j[k].get<std::string>().empty())
      throw_error("{}.{}: expected a non-empty string (every energy value states its unit, "
                  "source and technology node)",
                  at, k);
  }
  s.unit = j["unit"].get<std::string>();
  if (s.unit != unit) throw_error("{}.unit: expected \"{}\", got \"{}\"", at, unit, s.unit);
  s.source = j["source"].get<std::string>();
  s.node = j["node"].get<std::string>();
  if (j.contains("confidence")) {
    if (!j["confidence"].is_string()) throw_error("{}.confidence: expected a string", at);
    s.confidence = j["confidence"].get<std::string>();
    if (s.confidence != "high" && s.confidence != "medium" && s.confidence != "low")
      throw_error("{}.confidence: expected \"high\", \"medium\" or \"low\", got \"{}\"", at,
                  s.confidence);
  }
  return s;
}

const json& section(const json& j, const std::string& where, const char* key) {
  if (!j.contains(key) || !j[key].is_object())
    throw_error("{}: {}: expected an object (required)", where, key);
  return j[key];
}


const json& need(const json& j, const std::string& where, const char* key) {
  if (!j.contains(key)) throw_error("{}: {}: missing (required)", where, key);
  return j[key];
}

}  // namespace

EnergyTable energy_table_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw_error("{}: expected a JSON object", where);
  reject_unknown(j, where, {"name", "description", "node", "fabric", "dram", "host", "device",
                            "comment", "$schema"});
  EnergyTable t;
  if (j.contains("name") && j["name"].is_string()) t.name = j["name"].get<std::string>();
  if (j.contains("description") && j["description"].is_string())
    t.description = j["description"].get<std::string>();

  const json& f = section(j, where, "fabric");
  const std::string fw = where + ": fabric";
  reject_unknown(f, fw, {"mac_pj", "bram_read_pj", "bram_write_pj", "lutram_read_pj",
                         "lutram_write_pj", "ff_clock_pj_per_cycle", "lut_pj_per_cycle"});
  const json& macs = need(f, fw, "mac_pj");
  if (!macs.is_object() || macs.empty())
    throw_error("{}.mac_pj: expected an object keyed by weight bits (\"8\": {{...}})", fw);
  for (const auto& [k, v] : macs.items()) {
    int bits = 0;
    try {
      std::size_t used = 0;
      bits = std::stoi(k, &used);
      if (used != k.size()) bits = 0;
    } catch (const std::logic_error&) {
      bits = 0;
    }
    if (bits < 1 || bits > 32)
      throw_error("{}.mac_pj: key '{}': expected a weight bit width 1..32", fw, k);
    t.mac_pj[bits] = sourced(v, fw, "mac_pj." + k, "pJ");
  }
  t.bram_read_pj = sourced(need(f, fw, "bram_read_pj"), fw, "bram_read_pj", "pJ");
  t.bram_write_pj = sourced(need(f, fw, "bram_write_pj"), fw, "bram_write_pj", "pJ");
  if (f.contains("lutram_read_pj"))
    t.lutram_read_pj = sourced(f["lutram_read_pj"], fw, "lutram_read_pj", "pJ");
  if (f.contains("lutram_write_pj"))
    t.lutram_write_pj = sourced(f["lutram_write_pj"], fw, "lutram_write_pj", "pJ");
  t.ff_clock_pj_per_cycle =
      sourced(need(f, fw, "ff_clock_pj_per_cycle"), fw, "ff_clock_pj_per_cycle", "pJ/cycle");
  t.lut_pj_per_cycle = sourced(need(f, fw, "lut_pj_per_cycle"), fw, "lut_pj_per_cycle", "pJ/cycle");

  const json& d = section(j, where, "dram");
  const std::string dw = where + ": dram";
  reject_unknown(d, dw, {"activate_pj", "read_pj_per_bit", "write_pj_per_bit", "background_mw",
                         "refresh_mw"});
  t.dram_activate_pj = sourced(need(d, dw, "activate_pj"), dw, "activate_pj", "pJ");
  t.dram_read_pj_per_bit = sourced(need(d, dw, "read_pj_per_bit"), dw, "read_pj_per_bit", "pJ/bit");
  t.dram_write_pj_per_bit =
      sourced(need(d, dw, "write_pj_per_bit"), dw, "write_pj_per_bit", "pJ/bit");
  t.dram_background_mw = sourced(need(d, dw, "background_mw"), dw, "background_mw", "mW");
  t.dram_refresh_mw = sourced(need(d, dw, "refresh_mw"), dw, "refresh_mw", "mW");

  const json& h = section(j, where, "host");
  const std::string hw = where + ": host";
  reject_unknown(h, hw, {"active_w", "idle_w"});
  t.host_active_w = sourced(need(h, hw, "active_w"), hw, "active_w", "W");
  t.host_idle_w = sourced(need(h, hw, "idle_w"), hw, "idle_w", "W");

  const json& v = section(j, where, "device");
  const std::string vw = where + ": device";
  reject_unknown(v, vw, {"static_w"});
  t.device_static_w = sourced(need(v, vw, "static_w"), vw, "static_w", "W");
  return t;
}

EnergyTable load_energy_table(const std::filesystem::path& path) {
  return energy_table_from_json(config::read_json_file(path.string()), path.string());
}

EnergyInputs energy_inputs_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw_error("{}: expected an object of event counts", where);
  reject_unknown(j, where,
                 {"tokens", "seconds", "macs_by_bits", "bram_reads", "bram_writes", "lutram_reads",
                  "lutram_writes", "dram_activates", "dram_read_bytes", "dram_write_bytes",
                  "accel_busy_cycles", "accel_total_cycles", "host_busy_seconds", "lut", "ff"});
  EnergyInputs in;
  auto num = [&](const char* key, double& out, bool required) {
    if (!j.contains(key)) {
      if (required) throw_error("{}: {}: missing (required)", where, key);
      return;
    }
    if (!j[key].is_number() || j[key].get<double>() < 0)
      throw_error("{}: {}: expected a non-negative number, got {}", where, key, j[key].dump());
    out = j[key].get<double>();
  };
  if (!j.contains("tokens") || !j["tokens"].is_number_integer() || j["tokens"].get<std::int64_t>() < 1)
    throw_error("{}: tokens: expected a positive integer", where);
  in.tokens = j["tokens"].get<std::int64_t>();
  num("seconds", in.seconds, true);
  if (j.contains("macs_by_bits")) {
    const json& m = j["macs_by_bits"];
    if (!m.is_object()) throw_error("{}: macs_by_bits: expected {{\"bits\": count}}", where);
    for (const auto& [k, v] : m.items()) {
      int bits = 0;
      try {
        bits = std::stoi(k);
      } catch (const std::logic_error&) {
      }
      if (bits < 1 || bits > 32 || std::to_string(bits) != k)
        throw_error("{}: macs_by_bits: key '{}': expected a bit width 1..32", where, k);
      if (!v.is_number() || v.get<double>() < 0)
        throw_error("{}: macs_by_bits.{}: expected a non-negative number", where, k);
      in.macs_by_bits[bits] = v.get<double>();
    }
  }
  num("bram_reads", in.bram_reads, false);
  num("bram_writes", in.bram_writes, false);
  num("lutram_reads", in.lutram_reads, false);
  num("lutram_writes", in.lutram_writes, false);
  num("dram_activates", in.dram_activates, false);
  num("dram_read_bytes", in.dram_read_bytes, false);
  num("dram_write_bytes", in.dram_write_bytes, false);
  num("accel_busy_cycles", in.accel_busy_cycles, false);
  num("accel_total_cycles", in.accel_total_cycles, false);
  num("host_busy_seconds", in.host_busy_seconds, false);
  num("lut", in.lut, false);
  num("ff", in.ff, false);
  return in;
}

json to_json(const EnergyInputs& in) {
  json m = json::object();
  for (const auto& [b, n] : in.macs_by_bits) m[std::to_string(b)] = n;
  return {{"tokens", in.tokens},
          {"seconds", in.seconds},
          {"macs_by_bits", m},
          {"bram_reads", in.bram_reads},
          {"bram_writes", in.bram_writes},
          {"lutram_reads", in.lutram_reads},
          {"lutram_writes", in.lutram_writes},
          {"dram_activates", in.dram_activates},
          {"dram_read_bytes", in.dram_read_bytes},
          {"dram_write_bytes", in.dram_write_bytes},
          {"accel_busy_cycles", in.accel_busy_cycles},
          {"accel_total_cycles", in.accel_total_cycles},
          {"host_busy_seconds", in.host_busy_seconds},
          {"lut", in.lut},
          {"ff", in.ff}};
}

EnergyBreakdown compute_energy(const EnergyTable& t, const EnergyInputs& in,
                               const std::string& where) {
  constexpr double kPico = 1e-12;
  if (in.tokens < 1) throw_error("{}: tokens must be positive, got {}", where, in.tokens);
  if (!(in.seconds > 0)) throw_error("{}: seconds must be positive, got {}", where, in.seconds);
  if (in.accel_busy_cycles > in.accel_total_cycles)
    throw_error("{}: accel_busy_cycles ({}) exceeds accel_total_cycles ({})", where,
                in.accel_busy_cycles, in.accel_total_cycles);
  if (in.host_busy_seconds > in.seconds * (1 + 1e-9))
    throw_error("{}: host_busy_seconds ({}) exceeds seconds ({})", where, in.host_busy_seconds,
                in.seconds);
  if ((in.lutram_reads > 0 && !t.lutram_read_pj) || (in.lutram_writes > 0 && !t.lutram_write_pj))
    throw_error("{}: LUTRAM accesses given but energy table '{}' has no lutram_read_pj/"
                "lutram_write_pj",
                where, t.name);

  EnergyBreakdown e;
  for (const auto& [bits, n] : in.macs_by_bits) {
    auto it = t.mac_pj.find(bits);
    if (it == t.mac_pj.end()) {
      std::string have;
      for (const auto& [b, v] : t.mac_pj) {
        if (!have.empty()) have += ", ";
        have += std::to_string(b);
      }
      throw_error("{}: energy table '{}' has no MAC energy for {}-bit weights (it has: {})", where,
                  t.name, bits, have);
    }
    e.fabric_mac_j += n * it->second.value * kPico;
  }
  e.fabric_memory_j = (in.bram_reads * t.bram_read_pj.value + in.bram_writes * t.bram_write_pj.value +
                       (t.lutram_read_pj ? in.lutram_reads * t.lutram_read_pj->value : 0.0) +
                       (t.lutram_write_pj ? in.lutram_writes * t.lutram_write_pj->value : 0.0)) *
                      kPico;
  e.fabric_clock_logic_j = (in.ff * t.ff_clock_pj_per_cycle.value * in.accel_total_cycles +
                            in.lut * t.lut_pj_per_cycle.value * in.accel_busy_cycles) *
                           kPico;
  e.dram_dynamic_j = (in.dram_activates * t.dram_activate_pj.value +
                      8.0 * in.dram_read_bytes * t.dram_read_pj_per_bit.value +
                      8.0 * in.dram_write_bytes * t.dram_write_pj_per_bit.value) *
                     kPico;
  e.dram_background_j = (t.dram_background_mw.value + t.dram_refresh_mw.value) * 1e-3 * in.seconds;
  const double busy = std::min(in.host_busy_seconds, in.seconds);
  e.host_j = t.host_active_w.value * busy + t.host_idle_w.value * (in.seconds - busy);
  e.device_static_j = t.device_static_w.value * in.seconds;
  e.total_j = e.fabric_mac_j + e.fabric_memory_j + e.fabric_clock_logic_j + e.dram_dynamic_j +
              e.dram_background_j + e.host_j + e.device_static_j;
  e.j_per_token = e.total_j / static_cast<double>(in.tokens);
  e.avg_power_w = e.total_j / in.seconds;
  e.tokens_per_j = e.total_j > 0 ? static_cast<double>(in.tokens) / e.total_j : 0.0;
  return e;
}

json energy_metrics(const EnergyBreakdown& e) {
  const double per = e.total_j > 0 ? e.j_per_token / e.total_j : 0.0;  // 1 / tokens
  return {{"j_per_token", e.j_per_token},
          {"avg_power_w", e.avg_power_w},
          {"tokens_per_j", e.tokens_per_j},
          {"energy_j_per_token",
           {{"fabric_mac", e.fabric_mac_j * per},
            {"fabric_memory", e.fabric_memory_j * per},
            {"fabric_clock_logic", e.fabric_clock_logic_j * per},
            {"dram_dynamic", e.dram_dynamic_j * per},
            {"dram_background", e.dram_background_j * per},
            {"host", e.host_j * per},
            {"device_static", e.device_static_j * per}}}};
}

}  // namespace llamaf::dse
