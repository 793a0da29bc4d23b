// Host profiles (configs/hosts/*.json): reading, unit conversion, checks.
#include "sim/host/host_profile.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <vector>

namespace llamaf::host {

namespace {

using config::JsonObject;

// Seconds per time unit, or 0 for a unit that is not a time.
double time_factor(const std::string& u) {
  if (u == "s") return 1.0;
  if (u == "ms") return 1e-3;
  if (u == "us") return 1e-6;
  if (u == "ns") return 1e-9;
  return 0.0;
}

// The kinds of quantity a profile holds, each with its accepted units.
enum class Kind { TimePer, Time, Ops, Bytes };

// Converts `value` in `unit` to the kind's SI form; throws naming the key
// and listing the accepted units when the unit does not fit.
double convert(const JsonObject& o, double value, const std::string& unit, Kind kind,
               const std::string& per) {
  double f = 0;
  std::string expected;
  switch (kind) {
    case Kind::TimePer: {
      const std::size_t slash = unit.find('/');
      if (slash != std::string::npos && unit.substr(slash + 1) == per)
        f = time_factor(unit.substr(0, slash));
      expected = "s/" + per + ", ms/" + per + ", us/" + per + " or ns/" + per;
      break;
    }
    case Kind::Time:
      f = time_factor(unit);
      expected = "s, ms, us or ns (per call)";
      break;
    case Kind::Ops:
      if (unit == "GOPS") f = 1e9;
      if (unit == "MOPS") f = 1e6;
      if (unit == "GMAC/s") f = 2e9;
      expected = "GOPS, MOPS (1 multiply-accumulate = 2 operations) or GMAC/s";
      break;
    case Kind::Bytes:
      if (unit == "GB/s") f = 1e9;
      if (unit == "MB/s") f = 1e6;
      expected = "GB/s or MB/s (10^9 / 10^6 bytes per second)";
      break;
  }
  if (f == 0) throw_error("{}: unit '{}' is not one of {}", o.at("unit"), unit, expected);
  return value * f;
}

// {"value": v, "unit": u, "source": s, "derivation": d?, "call": {...}?}
ProfileValue read_value(const JsonObject& o, Kind kind, const std::string& per, bool allow_call) {
  ProfileValue v;
  const double raw = o.get_number("value");
  v.unit = o.get_string("unit");
  if (!o.has("source"))
    throw_error("{}: missing required key (every profiled value says where it comes from)",
                o.at("source"));
  v.source = o.get_string("source");
  if (v.source.empty()) throw_error("{}: empty source", o.at("source"));
  o.allow({"derivation", "notes"});
  const bool zero_ok = kind == Kind::Time || kind == Kind::TimePer;
  if (!(raw > 0 || (zero_ok && raw == 0)))
    throw_error("{}: expected a {} number, got {}", o.at("value"), zero_ok ? "non-negative" : "positive",
                raw);
  v.value = convert(o, raw, v.unit, kind, per);
  if (allow_call && o.has("call")) {
    const JsonObject c = o.get_object("call");
    const ProfileValue cv = read_value(c, Kind::Time, "", false);
    v.call_seconds = cv.value;
    c.reject_unknown();
  }
  o.reject_unknown();
  return v;
}

}  // namespace

const std::map<std::string, std::string>& profile_operator_units() {
  static const std::map<std::string, std::string> u = {
      {"attention", "head_key"}, {"rmsnorm", "element"},   {"rope", "element"},
      {"swiglu", "element"},     {"residual", "element"},  {"act_quant", "element"},
      {"sampling", "logit"},     {"embedding", "element"}};
  return u;
}

const ProfileValue* HostProfile::op(const std::string& n) const {
  auto it = operators.find(n);
  return it == operators.end() ? nullptr : &it->second;
}

const ProfileValue* HostProfile::overhead(const std::string& n) const {
  auto it = overheads.find(n);
  return it == overheads.end() ? nullptr : &it->second;
}

std::optional<double> HostProfile::memcpy_bytes_per_s(int t) const {
  if (memcpy.empty()) return std::nullopt;
  auto hi = memcpy.lower_bound(t);
  if (hi != memcpy.end() && hi->first == t) return hi->second.value;
  if (hi == memcpy.begin()) return hi->second.value;
  if (hi == memcpy.end()) return std::prev(hi)->second.value;
  const auto lo = std::prev(hi);
  const double f = double(t - lo->first) / double(hi->first - lo->first);
  return lo->second.value + f * (hi->second.value - lo->second.value);
}

HostProfile host_profile_from_json(const nlohmann::json& j, const std::string& where) {
  const JsonObject root(j, where, "");
  HostProfile p;
  p.where = where;
  p.name = root.get_string("name");
  p.description = root.get_string("description", "");
  root.allow({"source", "notes"});
  p.cpu = root.get_string("cpu");
  p.core_clock_mhz = root.get_number("core_clock_mhz");
  if (!(p.core_clock_mhz > 0)) throw_error("{}: expected a clock > 0 MHz", root.at("core_clock_mhz"));
  p.threads = root.get_int("threads");
  if (p.threads < 1 || p.threads > 256) throw_error("{}: expected 1..256", root.at("threads"));

  const JsonObject ops = root.get_object_or_empty("operators");
  for (const auto& [name, unit] : profile_operator_units())
    if (ops.has(name)) p.operators[name] = read_value(ops.get_object(name), Kind::TimePer, unit, true);
  ops.reject_unknown();

  const JsonObject mv = root.get_object_or_empty("matvec");
  if (root.has("matvec")) {
    for (const auto& [key, val] : root.get_raw("matvec").items()) {
      // "w8a8": weight bits 1..16, activation bits 1..16
      int w = 0, a = 0;
      char tail = 0;
      if (std::sscanf(key.c_str(), "w%da%d%c", &w, &a, &tail) != 2 || w < 1 || w > 16 || a < 1 || a > 16)
        throw_error("{}: expected a key wNaM (weight and activation bits, e.g. w8a8)", mv.at(key));
      p.matvec[key] = read_value(mv.get_object(key), Kind::Ops, "", true);
    }
  }
  mv.reject_unknown();

  const JsonObject mc = root.get_object_or_empty("memcpy");
  if (root.has("memcpy")) {
    for (const auto& [key, val] : root.get_raw("memcpy").items()) {
      int t = 0;
      char tail = 0;
      if (std::sscanf(key.c_str(), "%d%c", &t, &tail) != 1 || t < 1 || t > 256)
        throw_error("{}: expected a thread count 1..256 as the key", mc.at(key));
      p.memcpy[t] = read_value(mc.get_object(key), Kind::Bytes, "", false);
    }
  }
  mc.reject_unknown();

  const JsonObject ov = root.get_object_or_empty("overheads");
  for (const char* name : {"fork_join", "accel_start", "irq_to_thread"})
    if (ov.has(name)) p.overheads[name] = read_value(ov.get_object(name), Kind::Time, "", false);
  ov.reject_unknown();

  const JsonObject ca = root.get_object_or_empty("cache");
  for (const char* name : {"clean", "invalidate"})
    if (ca.has(name)) p.cache[name] = read_value(ca.get_object(name), Kind::TimePer, "byte", false);
  ca.reject_unknown();

  root.reject_unknown();
  return p;
}

HostProfile load_host_profile(const std::string& path) {
  return host_profile_from_json(config::read_json_file(path), path);
}

std::string resolve_host_profile(const std::string& ref, const std::string& base_dir) {
  namespace fs = std::filesystem;
  const bool is_path = ref.find('/') != std::string::npos ||
                       (ref.size() > 5 && ref.compare(ref.size() - 5, 5, ".json") == 0);
  if (!is_path) {
    const fs::path p = fs::path(LLAMAF_SOURCE_DIR) / "configs" / "hosts" / (ref + ".json");
    if (std::error_code ec; !fs::exists(p, ec)) throw_error("host profile '{}': no file {}", ref, p.string());
    return p.string();
  }
  const fs::path r(ref);
  if (std::error_code ec; r.is_relative() && !base_dir.empty() && fs::exists(fs::path(base_dir) / r, ec))
    return (fs::path(base_dir) / r).string();
  if (std::error_code ec; !fs::exists(r, ec)) throw_error("host profile {}: no such file", ref);
  return r.string();
}

nlohmann::json to_json(const HostProfile& p) {
  auto val = [](const ProfileValue& v) {
    nlohmann::json j = {{"value_si", v.value}, {"unit", v.unit}, {"source", v.source}};
    if (v.call_seconds > 0) j["call_seconds"] = v.call_seconds;
    return j;
  };
  nlohmann::json j = {{"name", p.name}, {"file", p.where}, {"cpu", p.cpu},
                      {"core_clock_mhz", p.core_clock_mhz}, {"threads", p.threads}};
  for (const auto& [k, v] : p.operators) j["operators"][k] = val(v);
  for (const auto& [k, v] : p.matvec) j["matvec"][k] = val(v);
  for (const auto& [k, v] : p.memcpy) j["memcpy"][std::to_string(k)] = val(v);
  for (const auto& [k, v] : p.overheads) j["overheads"][k] = val(v);
  for (const auto& [k, v] : p.cache) j["cache"][k] = val(v);
  return j;
}

}  // namespace llamaf::host
