// A measured (or published-figure-derived) profile of the host processor:
// per-operator rates, copy bandwidth by thread count, per-call overheads and
// cache maintenance costs, read from configs/hosts/<board>.json through the
// project's checked-JSON reader. Every value carries its source. Operators a
// profile lacks fall back to the op-count model (host_cost.h), and the
// simulation report names them (docs/system.md, "Host profiles").
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>

namespace llamaf::host {

// One profiled value in SI base form: seconds per work unit (operators,
// overheads, cache maintenance), or operations / bytes per second (matvec,
// memcpy), with its optional fixed cost per call and its source.
struct ProfileValue {
  double value = 0;           // s/unit, ops/s or bytes/s (converted from the file's unit)
  double call_seconds = 0;    // fixed cost of each call ("call" sub-object), seconds
  std::string unit;           // the unit as written in the file
  std::string source;
};

struct HostProfile {
  std::string name;
  std::string where;          // the file it was read from
  std::string description;
  std::string cpu;
  double core_clock_mhz = 0;  // the clock the figures were taken at
  int threads = 1;            // threads of the parallel operators (attention, matvec)
  // Operator -> time per work unit. Known operators and their work units:
  //   attention   head_key   (n_heads x (pos + 1) per layer)
  //   rmsnorm     element    (dim; the final norm too)
  //   rope        element    (dim + kv_dim rotated)
  //   swiglu      element    (hidden_dim)
  //   residual    element    (dim)
  //   act_quant   element    (input columns of an accelerator / host matvec)
  //   sampling    logit      (vocab_size)
  //   embedding   element    (dim)
  std::map<std::string, ProfileValue> operators;
  // "w8a8" -> multiply-accumulate throughput of the host's quantized
  // matrix-vector kernel on `threads` threads, in ops/s (1 MAC = 2 ops).
  std::map<std::string, ProfileValue> matvec;
  std::map<int, ProfileValue> memcpy;      // threads -> bytes/s (bytes copied, counted once)
  std::map<std::string, ProfileValue> overheads;  // fork_join, accel_start, irq_to_thread: s/call
  std::map<std::string, ProfileValue> cache;      // clean, invalidate: s/byte

  const ProfileValue* op(const std::string& name) const;
  const ProfileValue* overhead(const std::string& name) const;
  // Copy bandwidth (bytes/s) with `threads` threads: the entry itself, else
  // linear interpolation between the neighbouring entries, else the nearest
  // one; nullopt without any memcpy entry.
  std::optional<double> memcpy_bytes_per_s(int threads) const;
};

// The operator names a profile may hold (and their work units).
const std::map<std::string, std::string>& profile_operator_units();

HostProfile host_profile_from_json(const nlohmann::json& j, const std::string& where);
HostProfile load_host_profile(const std::string& path);
// The profile a board names: a path (contains '/' or ends in ".json";
// relative paths resolve against `base_dir`, then the working directory) or
// a bare name looked up as configs/hosts/<name>.json in the source tree.
std::string resolve_host_profile(const std::string& ref, const std::string& base_dir);
nlohmann::json to_json(const HostProfile& p);

}  // namespace llamaf::host
