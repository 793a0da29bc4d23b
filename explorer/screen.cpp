// The analytical screen: the cartesian product by index, designs by
// patches, tabulated filters, a streaming Pareto front with its margin band.
#include "explorer/screen.h"

#include "explorer/hash.h"
#include "explorer/pareto.h"
#include "explorer/results_store.h"
#include "explorer/selection.h"
#include "explorer/text_format.h"
#include "sim/config/json_reader.h"
#include "sim/dram/ps_memory.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <mutex>
#include <regex>
#include <set>
#include <thread>
#include <unordered_map>

namespace llamaf::dse {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------
// DesignParams fields a patch may set: the 14 lf_top parameters (in
// kRtlParamNames order), then the clock, the PS ports and the layout.
constexpr int kFieldClock = 14, kFieldPorts = 15, kFieldChunk = 16, kFields = 17;

int* rtl_field(sim::DesignParams& d, int i) {
  switch (i) {
    case 0: return &d.num_pe;
    case 1: return &d.weight_bits;
    case 2: return &d.act_bits;
    case 3: return &d.group_size;
    case 5: return &d.axi_data_bits;
    case 6: return &d.axi_addr_bits;
    case 7: return &d.weight_ports;
    case 8: return &d.max_outstanding;
    case 9: return &d.max_burst_beats;
    case 10: return &d.wgt_buf_words;
    case 11: return &d.act_buf_cols;
    case 12: return &d.out_buf_words;
    case 13: return &d.job_queue_depth;
    default: return nullptr;  // 4: ScaleFmt (an enum)
  }
}
const int* rtl_field(const sim::DesignParams& d, int i) {
  return rtl_field(const_cast<sim::DesignParams&>(d), i);
}

bool same_field(const sim::DesignParams& a, const sim::DesignParams& b, int f) {
  if (f == 4) return a.scale_format == b.scale_format;
  if (f < 14) return *rtl_field(a, f) == *rtl_field(b, f);
  if (f == kFieldClock) return a.clock_mhz == b.clock_mhz;
  if (f == kFieldPorts) return a.ps_ports == b.ps_ports;
  return a.weight_chunk_bytes == b.weight_chunk_bytes;
}

void copy_field(sim::DesignParams& dst, const sim::DesignParams& src, int f) {
  if (f == 4) dst.scale_format = src.scale_format;
  else if (f < 14) *rtl_field(dst, f) = *rtl_field(src, f);
  else if (f == kFieldClock) dst.clock_mhz = src.clock_mhz;
  else if (f == kFieldPorts) dst.ps_ports = src.ps_ports;
  else dst.weight_chunk_bytes = src.weight_chunk_bytes;
}

// The field a design key sets ("design.rtl.NumPe" -> NumPe), -1 for keys
// that do not decide the design point (name, description).
int field_of_target(const std::string& target) {
  const std::string key = target.substr(target.rfind('.') + 1);
  for (std::size_t i = 0; i < sim::kRtlParamNames.size(); ++i)
    if (key == sim::kRtlParamNames[i]) return static_cast<int>(i);
  if (key == "clock_mhz") return kFieldClock;
  if (key == "ps_ports") return kFieldPorts;
  if (key == "weight_layout") return kFieldChunk;
  return -1;
}

// "design: rtl.NumPe = 256: must be <= GroupSize (GroupSize = 128) (docs/..."
// -> "rtl.NumPe: must be <= GroupSize": illegal points counted by rule.
std::string rule_of_message(std::string m) {
  for (const char* prefix : {"design: ", "design.rtl: ", "design."})
    if (m.rfind(prefix, 0) == 0) m = m.substr(std::string_view(prefix).size());
  if (const std::size_t eq = m.find(" = "); eq != std::string::npos) {
    const std::size_t colon = m.find(": ", eq);
    if (colon != std::string::npos) m = m.substr(0, eq) + m.substr(colon);
  }
  if (const std::size_t paren = m.find(" ("); paren != std::string::npos) m = m.substr(0, paren);
  return m;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

bool same_design(const sim::DesignParams& a, const sim::DesignParams& b) {
  for (int f = 0; f < kFields; ++f)
    if (!same_field(a, b, f)) return false;
  return true;
}

// ---------------------------------------------------------------------------
// DesignPatcher

struct DesignPatcher::Impl {
  const Sweep* s = nullptr;
  std::vector<std::size_t> design_params;   // parameters whose targets all lie under design.
  std::vector<std::size_t> context_params;  // parameters that define a context
  std::vector<std::size_t> ctx_stride;      // per context parameter
  std::size_t n_contexts = 1;
  std::vector<json> ctx_points;             // a representative resolved point per context
  std::vector<sim::DesignParams> ctx_base;  // the context's design without design parameters
  std::vector<std::string> ctx_error;       // the base design does not parse
  struct Patch {
    sim::DesignParams d;
    std::string error;
  };
  std::vector<std::vector<std::vector<Patch>>> patches;  // [context][k][value]
  std::vector<std::vector<int>> touched;                 // fields design_params[k] sets
  // The id's hash (canonical text {"board":..,"design":..,"energy":..,
  // "evaluate":..,"model":..,"params":..}) per context: FNV-1a state after
  // the board, and the text from the energy to the params key.
  std::vector<std::uint64_t> id_head;
  std::vector<std::string> id_middle;
};

DesignPatcher::DesignPatcher(const Sweep& s) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.s = &s;
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    const ParamSpec& p = s.params[i];
    if (p.targets.empty()) continue;  // free: expressions only
    bool design = p.configs.empty();
    for (const auto& t : p.targets) design = design && t.rfind("design.", 0) == 0;
    (design ? m.design_params : m.context_params).push_back(i);
  }
  m.ctx_stride.assign(m.context_params.size(), 1);
  for (std::size_t c = m.context_params.size(); c-- > 0;) {
    m.ctx_stride[c] = m.n_contexts;
    const std::size_t n = s.params[m.context_params[c]].values.size();
    if (m.n_contexts > 100000 / n)
      throw_error("{}: the analytical screen builds one model per combination of the parameters "
                  "that are not design keys (board, model, energy, evaluate, whole configs); this "
                  "sweep has more than 100000",
                  s.file.string());
    m.n_contexts *= n;
  }
  m.touched.resize(m.design_params.size());
  for (std::size_t k = 0; k < m.design_params.size(); ++k)
    for (const auto& t : s.params[m.design_params[k]].targets)
      if (const int f = field_of_target(t); f >= 0 &&
          std::find(m.touched[k].begin(), m.touched[k].end(), f) == m.touched[k].end())
        m.touched[k].push_back(f);
  m.patches.resize(m.n_contexts);
  std::vector<std::size_t> digits(s.params.size(), 0);
  for (std::size_t c = 0; c < m.n_contexts; ++c) {
    std::size_t rest = c;
    for (std::size_t k = 0; k < m.context_params.size(); ++k) {
      digits[m.context_params[k]] = rest / m.ctx_stride[k];
      rest %= m.ctx_stride[k];
    }
    std::size_t index = 0;
    for (std::size_t i = 0; i < s.params.size(); ++i) index = index * s.params[i].values.size() + digits[i];
    m.ctx_points.push_back(resolve_point(s, index).resolved);
    const json& rp = m.ctx_points.back();
    m.id_head.push_back(fnv1a64("{\"board\":" + rp["board"].dump() + ",\"design\":"));
    m.id_middle.push_back(",\"energy\":" + rp["energy"].dump() + ",\"evaluate\":" + rp["evaluate"].dump() +
                          ",\"model\":" + rp["model"].dump() + ",\"params\":");
    // The context's design: the base (or a whole design config), then the
    // design keys of the context's parameters, in declaration order.
    json dj = s.base["design"];
    for (std::size_t i : m.context_params)
      if (!s.params[i].configs.empty() && s.params[i].targets[0] == "design")
        dj = s.params[i].configs[digits[i]];
    for (std::size_t i : m.context_params)
      if (s.params[i].configs.empty())
        for (const auto& t : s.params[i].targets)
          if (t.rfind("design.", 0) == 0) set_path(dj, t.substr(7), s.params[i].values[digits[i]], "design patch");
    sim::DesignParams base;
    std::string error;
    try {
      base = sim::design_params_from_json(dj, "design");
    } catch (const Error& e) {
      error = e.what();
    }
    m.ctx_base.push_back(base);
    m.ctx_error.push_back(error);
    m.patches[c].resize(m.design_params.size());
    for (std::size_t k = 0; k < m.design_params.size(); ++k) {
      const ParamSpec& p = s.params[m.design_params[k]];
      for (const json& v : p.values) {
        Impl::Patch patch;
        json pj = dj;
        try {
          for (const auto& t : p.targets) set_path(pj, t.substr(7), v, "design patch");
          patch.d = sim::design_params_from_json(pj, "design");
          // Whatever else the value changes is part of its patch too.
          for (int f = 0; f < kFields; ++f)
            if (!same_field(patch.d, base, f) &&
                std::find(m.touched[k].begin(), m.touched[k].end(), f) == m.touched[k].end())
              m.touched[k].push_back(f);
        } catch (const Error& e) {
          patch.error = e.what();
        }
        m.patches[c][k].push_back(std::move(patch));
      }
    }
  }
}

DesignPatcher::~DesignPatcher() = default;

std::size_t DesignPatcher::contexts() const { return impl_->n_contexts; }

std::size_t DesignPatcher::context_of(const std::vector<std::size_t>& digits) const {
  std::size_t c = 0;
  for (std::size_t k = 0; k < impl_->context_params.size(); ++k)
    c += digits[impl_->context_params[k]] * impl_->ctx_stride[k];
  return c;
}

const json& DesignPatcher::context_point(std::size_t context) const {
  return impl_->ctx_points.at(context);
}

bool DesignPatcher::design(const std::vector<std::size_t>& digits, sim::DesignParams& out,
                           std::string& error) const {
  const Impl& m = *impl_;
  const std::size_t c = context_of(digits);
  if (!m.ctx_error[c].empty()) {
    error = m.ctx_error[c];
    return false;
  }
  out = m.ctx_base[c];
  for (std::size_t k = 0; k < m.design_params.size(); ++k) {
    const Impl::Patch& p = m.patches[c][k][digits[m.design_params[k]]];
    if (!p.error.empty()) {
      error = p.error;
      return false;
    }
    for (int f : m.touched[k]) copy_field(out, p.d, f);
  }
  return true;
}

json DesignPatcher::params(const std::vector<std::size_t>& digits) const {
  json p = json::object();
  for (std::size_t i = 0; i < impl_->s->params.size(); ++i)
    p[impl_->s->params[i].name] = impl_->s->params[i].values[digits[i]];
  return p;
}

std::string DesignPatcher::point_id(const std::vector<std::size_t>& digits) const {
  const Impl& m = *impl_;
  const Sweep& s = *m.s;
  // The design as resolve_point makes it: the base or whole design config,
  // then every design key in declaration order.
  json dj = s.base["design"];
  for (std::size_t i = 0; i < s.params.size(); ++i)
    if (!s.params[i].configs.empty() && s.params[i].targets[0] == "design") dj = s.params[i].configs[digits[i]];
  for (std::size_t i = 0; i < s.params.size(); ++i)
    if (s.params[i].configs.empty())
      for (const auto& t : s.params[i].targets)
        if (t.rfind("design.", 0) == 0) set_path(dj, t.substr(7), s.params[i].values[digits[i]], "design patch");
  const std::size_t c = context_of(digits);
  std::uint64_t h = fnv1a64(dj.dump(), m.id_head[c]);
  h = fnv1a64(m.id_middle[c], h);
  h = fnv1a64(params(digits).dump() + "}", h);
  return hex64(h);
}

// ---------------------------------------------------------------------------
// Margin and front arithmetic (objective vectors: larger is better).

double margin_to_front(const std::vector<double>& p, const std::vector<std::vector<double>>& front) {
  double need = 0;
  for (const auto& q : front) {
    // Escaping q needs one objective k with p_k + m |p_k| > q_k.
    double escape = kInf;
    for (std::size_t k = 0; k < p.size(); ++k) {
      double t;
      if (p[k] > q[k]) t = -kInf;
      else if (p[k] != 0) t = (q[k] - p[k]) / std::fabs(p[k]);
      else t = kInf;
      escape = std::min(escape, t);
    }
    need = std::max(need, escape);
  }
  return need;
}

namespace {

bool dominates(const double* b, const double* a, std::size_t n) {
  bool one = false;
  for (std::size_t k = 0; k < n; ++k) {
    if (b[k] < a[k]) return false;
    if (b[k] > a[k]) one = true;
  }
  return one;
}

// One candidate in the front or the margin band.
struct Cand {
  std::size_t index = 0;
  std::size_t context = 0;
  std::vector<double> obj;  // oriented: larger is better
};

double margin_of(const Cand& c, const std::vector<Cand>& front) {
  double need = 0;
  for (const Cand& q : front) {
    double escape = kInf;
    for (std::size_t k = 0; k < c.obj.size(); ++k) {
      double t;
      if (c.obj[k] > q.obj[k]) t = -kInf;
      else if (c.obj[k] != 0) t = (q.obj[k] - c.obj[k]) / std::fabs(c.obj[k]);
      else t = kInf;
      escape = std::min(escape, t);
    }
    need = std::max(need, escape);
  }
  return need;
}

// margin_of for two objectives against a staircase front (sorted as in
// dominated_by_front): along it the first objective's escape margin falls
// and the second's rises, so the largest of their minima is where they
// cross.
double margin_to_staircase(const Cand& c, const std::vector<Cand>& f) {
  const auto term = [](double p, double q) {
    if (p > q) return -kInf;
    if (p != 0) return (q - p) / std::fabs(p);
    return kInf;
  };
  const auto t0 = [&](std::size_t i) { return term(c.obj[0], f[i].obj[0]); };
  const auto t1 = [&](std::size_t i) { return term(c.obj[1], f[i].obj[1]); };
  std::size_t lo = 0, hi = f.size();  // first i with t1(i) >= t0(i)
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (t1(mid) < t0(mid)) lo = mid + 1;
    else hi = mid;
  }
  double need = 0;
  for (std::size_t i : {lo, lo - 1})
    if (i < f.size()) need = std::max(need, std::min(t0(i), t1(i)));
  return need;
}

// A thread's exact front: every candidate no other dominates (equal ones all
// kept). With two objectives it is a staircase kept sorted by the first
// objective, best first (the second then rises strictly between distinct
// points), so each test is a binary search; otherwise a list.
std::size_t prefix_end(const std::vector<Cand>& f, double x) {  // members with obj[0] >= x
  return static_cast<std::size_t>(
      std::partition_point(f.begin(), f.end(), [x](const Cand& q) { return q.obj[0] >= x; }) - f.begin());
}

bool dominated_by_front(const std::vector<Cand>& f, const std::vector<double>& p) {
  if (p.size() == 2) {
    const std::size_t i = prefix_end(f, p[0]);
    if (i == 0) return false;
    const Cand& q = f[i - 1];  // the best second objective among those at least as good in the first
    return q.obj[1] > p[1] || (q.obj[1] == p[1] && q.obj[0] > p[0]);
  }
  for (const Cand& q : f)
    if (dominates(q.obj.data(), p.data(), p.size())) return true;
  return false;
}

// Some member at least as good as `p` in every objective.
bool covered_by_front(const std::vector<Cand>& f, const std::vector<double>& p) {
  if (p.size() == 2) {
    const std::size_t i = prefix_end(f, p[0]);
    return i > 0 && f[i - 1].obj[1] >= p[1];
  }
  for (const Cand& q : f) {
    bool all = true;
    for (std::size_t k = 0; k < p.size() && all; ++k) all = q.obj[k] >= p[k];
    if (all) return true;
  }
  return false;
}

// `c` (not dominated) joins the front; the members it dominates go to `band`.
void insert_into_front(std::vector<Cand>& f, Cand c, std::vector<Cand>& band) {
  if (c.obj.size() == 2) {
    // Members with obj[0] <= c's: those with obj[1] <= c's follow them first.
    const std::size_t j = static_cast<std::size_t>(
        std::partition_point(f.begin(), f.end(), [&](const Cand& q) { return q.obj[0] > c.obj[0]; }) -
        f.begin());
    std::size_t k = j;
    while (k < f.size() && f[k].obj[1] <= c.obj[1] && f[k].obj != c.obj) ++k;
    for (std::size_t r = j; r < k; ++r) band.push_back(std::move(f[r]));
    f.erase(f.begin() + static_cast<std::ptrdiff_t>(j), f.begin() + static_cast<std::ptrdiff_t>(k));
    f.insert(f.begin() + static_cast<std::ptrdiff_t>(j), std::move(c));
    return;
  }
  std::size_t w = 0;
  for (std::size_t r = 0; r < f.size(); ++r) {
    if (dominates(c.obj.data(), f[r].obj.data(), c.obj.size())) band.push_back(std::move(f[r]));
    else if (w != r) f[w++] = std::move(f[r]);
    else ++w;
  }
  f.resize(w);
  f.push_back(std::move(c));
}

// Every objective improved by the relative margin m: a candidate is within
// the margin of the front when this point is covered by no member.
std::vector<double> improved(const std::vector<double>& p, double m) {
  std::vector<double> out(p);
  for (double& v : out) v += m * std::fabs(v);
  return out;
}

// ---------------------------------------------------------------------------
// Expressions compiled against the screen's inputs.

struct NameRef {
  enum Kind { kParam, kMetric, kPath } kind = kParam;
  std::size_t index = 0;  // parameter index or metric slot
  std::string name;
};

struct Compiled {
  const Expr* expr = nullptr;
  std::string reason;
  std::vector<NameRef> refs;
  bool reads_path = false, reads_metric = false;
  // Over parameters only: the value for every combination of the values of
  // the parameters it reads (0 false, 1 true, 2 error: message in `errors`).
  bool tabulated = false;
  std::vector<std::size_t> tparams, tstrides;
  std::vector<std::int8_t> table;
  std::map<std::size_t, std::string> errors;
  // `metric OP number` or a bare metric: compared without the evaluator.
  int fast = 0;  // 0 no, 1 comparison, 2 truthy
  std::size_t fast_slot = 0;
  std::string op;
  double constant = 0;
};

// Per-parameter values as expression values.
using ParamValues = std::vector<std::vector<ExprValue>>;

}  // namespace

// ---------------------------------------------------------------------------
// The screen.

namespace {

struct Engine {
  const Sweep& s;
  ScreenBackend& backend;
  const ScreenOptions& opt;
  DesignPatcher patcher;
  ParamValues pvalues;
  std::vector<std::string> slot_keys;  // metric keys evaluated per point
  std::vector<std::size_t> slots;      // their positions in backend.metric_keys()
  std::vector<std::size_t> obj_slot;   // objective -> slot position
  std::vector<bool> obj_max;
  std::vector<std::size_t> sample_slot;  // sample column -> slot position
  std::optional<std::size_t> timing_slot, fit_slot;
  std::vector<Compiled> filters, before, after;
  std::vector<std::size_t> models;            // context -> backend handle
  std::vector<std::string> model_error;       // context -> why the model cannot be built
  std::vector<std::optional<dram::PsConfig>> ps;  // context -> the board's PS
  std::size_t combinations = 0;

  Engine(const Sweep& sweep, ScreenBackend& b, const ScreenOptions& o)
      : s(sweep), backend(b), opt(o), patcher(sweep) {
    combinations = combination_count(s);
    for (const auto& p : s.params) {
      std::vector<ExprValue> vs;
      for (const json& v : p.values) vs.push_back(*to_expr_value(v));
      pvalues.push_back(std::move(vs));
    }
  }

  std::size_t slot_of(const std::string& key) {
    for (std::size_t i = 0; i < slot_keys.size(); ++i)
      if (slot_keys[i] == key) return i;
    const auto& keys = backend.metric_keys();
    const auto it = std::find(keys.begin(), keys.end(), key);
    slot_keys.push_back(key);
    slots.push_back(it == keys.end() ? std::numeric_limits<std::size_t>::max()
                                     : static_cast<std::size_t>(it - keys.begin()));
    return slot_keys.size() - 1;
  }

  Compiled compile(const Expr& e, const std::string& reason) {
    Compiled c;
    c.expr = &e;
    c.reason = reason;
    for (const auto& n : e.names()) {
      NameRef r;
      r.name = n;
      bool found = false;
      for (std::size_t i = 0; i < s.params.size() && !found; ++i)
        if (s.params[i].name == n) {
          r.kind = NameRef::kParam;
          r.index = i;
          found = true;
        }
      if (!found && is_input_name(n, s.params)) {
        r.kind = NameRef::kPath;
        c.reads_path = true;
        found = true;
      }
      if (!found) {
        r.kind = NameRef::kMetric;
        r.index = slot_of(n);
        c.reads_metric = true;
      }
      c.refs.push_back(r);
    }
    if (!c.reads_path && !c.reads_metric) {
      std::size_t size = 1;
      for (const auto& r : c.refs)
        if (std::find(c.tparams.begin(), c.tparams.end(), r.index) == c.tparams.end()) {
          c.tparams.push_back(r.index);
          size *= s.params[r.index].values.size();
          if (size > (1u << 20)) break;
        }
      if (size <= (1u << 20)) {
        c.tabulated = true;
        c.tstrides.assign(c.tparams.size(), 1);
        for (std::size_t k = c.tparams.size(); k-- > 1;)
          c.tstrides[k - 1] = c.tstrides[k] * s.params[c.tparams[k]].values.size();
        c.table.assign(size, 0);
        std::vector<std::size_t> d(c.tparams.size(), 0);
        for (std::size_t t = 0; t < size; ++t) {
          std::size_t rest = t;
          for (std::size_t k = 0; k < d.size(); ++k) {
            d[k] = rest / c.tstrides[k];
            rest %= c.tstrides[k];
          }
          auto lookup = [&](const std::string& name) -> std::optional<ExprValue> {
            for (std::size_t k = 0; k < c.tparams.size(); ++k)
              if (s.params[c.tparams[k]].name == name) return pvalues[c.tparams[k]][d[k]];
            return std::nullopt;
          };
          try {
            c.table[t] = e.test(lookup) ? 1 : 0;
          } catch (const Error& err) {
            c.table[t] = 2;
            c.errors[t] = err.what();
          }
        }
      }
    }
    // `metric OP number` and a bare metric name (timing_met, fits_board).
    static const std::regex cmp(
        R"(^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|<|>|==|!=)\s*([-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)\s*$)");
    static const std::regex bare(R"(^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$)");
    std::smatch m;
    if (c.refs.size() == 1 && c.refs[0].kind == NameRef::kMetric) {
      if (std::regex_match(e.text(), m, cmp)) {
        c.fast = 1;
        c.op = m[2];
        c.constant = std::stod(m[3]);
      } else if (std::regex_match(e.text(), m, bare)) {
        c.fast = 2;
      }
      c.fast_slot = c.refs[0].index;
    }
    return c;
  }

  void setup() {
    for (const auto& o : s.objectives) {
      obj_slot.push_back(slot_of(o.metric));
      obj_max.push_back(o.maximize);
    }
    for (const char* k : {"tokens_per_s", "lut", "j_per_token", "tokens_per_j", "dsp", "bram36",
                          "fmax_mhz"})
      (void)slot_of(k);
    for (std::size_t i = 0; i < slot_keys.size(); ++i)
      if (slots[i] != std::numeric_limits<std::size_t>::max()) sample_slot.push_back(i);
    timing_slot = slot_of("timing_met");
    fit_slot = slot_of("fits_board");
    for (std::size_t i = 0; i < s.filters.size(); ++i) filters.push_back(compile(s.filters[i], ""));
    for (const auto& c : s.constraints)
      (c.after_evaluation ? after : before).push_back(compile(c.expr, c.reason));
    // One model per context.
    ps.resize(patcher.contexts());
    for (std::size_t c = 0; c < patcher.contexts(); ++c) {
      const json& point = patcher.context_point(c);
      std::string error;
      std::size_t handle = 0;
      try {
        handle = backend.add_context(point);
      } catch (const Error& e) {
        const std::string what = e.what();
        error = what.rfind("analytical model", 0) == 0 ? what : "analytical model: " + what;
      }
      models.push_back(handle);
      model_error.push_back(error);
      const json& board = point["board"];
      if (board.is_object() && board.contains("ps"))
        ps[c] = dram::ps_config_from_json(config::JsonObject(board["ps"], "board", "ps"));
    }
  }
};

// The inputs of the RTL legality rules: the 14 lf_top parameters and the
// interleave chunk.
using LegalityKey = std::array<std::int64_t, 15>;
struct LegalityKeyHash {
  std::size_t operator()(const LegalityKey& k) const {
    return fnv1a64(std::string_view(reinterpret_cast<const char*>(k.data()), sizeof(k)));
  }
};

// What one thread accumulates.
struct ThreadState {
  std::size_t screened = 0, filtered = 0, illegal = 0, infeasible = 0, infeasible_after = 0,
              excluded = 0, lacking = 0, candidates = 0;
  std::map<std::string, std::size_t> illegal_by_rule, infeasible_by_reason,
      infeasible_after_by_reason, excluded_by_reason;
  std::vector<std::size_t> have_objective;
  std::vector<Cand> front, band;
  std::size_t band_pruned = 0;
  struct Sample {
    std::uint64_t hash;
    std::size_t index;
    std::vector<double> values;
    bool operator<(const Sample& o) const { return hash < o.hash; }
  };
  std::vector<Sample> sample;  // a max-heap on hash
  std::vector<double> min, max;
  std::vector<std::size_t> count;
  std::unordered_map<std::string, std::string> port_checks;  // key -> error ("" = fine)
  std::unordered_map<LegalityKey, std::string, LegalityKeyHash> legality;  // "" = legal
};

bool compare(double x, const std::string& op, double c) {
  if (op == "<=") return x <= c;
  if (op == ">=") return x >= c;
  if (op == "<") return x < c;
  if (op == ">") return x > c;
  if (op == "==") return x == c;
  return x != c;
}

}  // namespace

ScreenResult screen_sweep(const Sweep& s, ScreenBackend& backend, const ScreenOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  Engine eng(s, backend, opt);
  eng.setup();
  const std::size_t nslots = eng.slot_keys.size();
  const std::size_t nparams = s.params.size();

  // Patches against resolved JSON on a spread of points: a difference is a
  // bug of the screen, never a result.
  if (opt.self_check_points > 0) {
    const std::size_t n = std::min(opt.self_check_points, eng.combinations);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t index = i * eng.combinations / n;
      const Point p = resolve_point(s, index);
      sim::DesignParams slow, fast;
      std::string slow_error, fast_error;
      try {
        slow = sim::design_params_from_json(p.resolved["design"], "design");
      } catch (const Error& e) {
        slow_error = e.what();
      }
      const bool ok = eng.patcher.design(index_digits(s, index), fast, fast_error);
      if (eng.patcher.point_id(index_digits(s, index)) != p.id)
        throw_error("{}: internal error of the analytical screen: the id of point {} differs from "
                    "its resolved JSON's; run with --fidelity rtl",
                    s.file.string(), index);
      if (ok != slow_error.empty() || (ok && !same_design(slow, fast)))
        throw_error("{}: internal error of the analytical screen: the design of point {} built from "
                    "patches differs from its resolved JSON ({}); run with --fidelity rtl",
                    s.file.string(), index, slow_error.empty() ? fast_error : slow_error);
    }
  }

  std::vector<Objective> used;
  std::vector<std::size_t> used_k;  // positions in s.objectives
  for (std::size_t k = 0; k < s.objectives.size(); ++k) used_k.push_back(k);

  const int threads = std::max(1, opt.threads);
  const std::size_t chunk = std::max<std::size_t>(1, opt.chunk);
  const std::size_t nchunks = (eng.combinations + chunk - 1) / chunk;
  std::vector<ThreadState> states;
  std::vector<std::string> csv_chunks;
  std::vector<std::vector<std::string>> pcells;  // CSV text of every parameter value
  for (const auto& p : s.params) {
    std::vector<std::string> cells;
    for (const json& v : p.values) cells.push_back(csv_cell(v));
    pcells.push_back(std::move(cells));
  }

  auto run_pass = [&]() {
    states.assign(static_cast<std::size_t>(threads), ThreadState{});
    if (opt.all_points) csv_chunks.assign(nchunks, std::string());
    std::atomic<std::size_t> next{0};
    std::mutex error_mu;
    std::exception_ptr error;
    auto worker = [&](ThreadState& st) {
      st.have_objective.assign(s.objectives.size(), 0);
      st.min.assign(nslots, kInf);
      st.max.assign(nslots, -kInf);
      st.count.assign(nslots, 0);
      std::vector<double> out(nslots, kNaN);
      std::vector<std::size_t> digits(nparams, 0);
      sim::DesignParams d;
      std::string error_text;
      std::optional<Point> lazy;  // the resolved point, for dotted paths
      std::size_t index = 0;
      bool evaluated = false;
      const ExprLookup lookup = [&](const std::string& name) -> std::optional<ExprValue> {
        for (std::size_t i = 0; i < nparams; ++i)
          if (s.params[i].name == name) return eng.pvalues[i][digits[i]];
        if (is_input_name(name, s.params)) {
          if (!lazy) lazy = resolve_point(s, index);
          return point_value(*lazy, name);
        }
        if (!evaluated) return std::nullopt;
        for (std::size_t k = 0; k < nslots; ++k)
          if (eng.slot_keys[k] == name && !std::isnan(out[k])) return ExprValue::num(out[k]);
        return std::nullopt;
      };
      // Expression result on the current point: 0/1, throwing on errors.
      auto test = [&](const Compiled& c) -> bool {
        if (c.tabulated) {
          std::size_t t = 0;
          for (std::size_t k = 0; k < c.tparams.size(); ++k) t += digits[c.tparams[k]] * c.tstrides[k];
          if (c.table[t] == 2) throw Error(c.errors.at(t));
          return c.table[t] == 1;
        }
        if (c.fast == 1) return compare(out[c.fast_slot], c.op, c.constant);
        if (c.fast == 2) return out[c.fast_slot] != 0;
        return c.expr->test(lookup);
      };
      const std::vector<std::size_t> selected_k = used_k;
      std::vector<double> obj(selected_k.size());
      while (true) {
        const std::size_t ci = next.fetch_add(1);
        if (ci >= nchunks) return;
        const std::size_t first = ci * chunk, last = std::min(eng.combinations, first + chunk);
        std::string* csv = opt.all_points ? &csv_chunks[ci] : nullptr;
        digits = index_digits(s, first);
        for (index = first; index < last; ++index) {
          if (index != first)  // the mixed-radix counter, last parameter fastest
            for (std::size_t i = nparams; i-- > 0;) {
              if (++digits[i] < s.params[i].values.size()) break;
              digits[i] = 0;
            }
          lazy.reset();
          evaluated = false;
          ++st.screened;
          if (csv) {  // index, parameters, then status, reason, metrics
            *csv += std::to_string(index);
            for (std::size_t i = 0; i < nparams; ++i) *csv += "," + pcells[i][digits[i]];
          }
          std::string reason;
          bool kept = true;
          for (const auto& f : eng.filters)
            if (!test(f)) {
              kept = false;
              break;
            }
          if (!kept) {
            ++st.filtered;
            if (csv) *csv += ",filtered\n";
            continue;
          }
          for (const auto& c : eng.before)
            if (!test(c)) {
              reason = c.reason;
              break;
            }
          if (!reason.empty()) {
            ++st.infeasible;
            ++st.infeasible_by_reason[reason];
            if (csv) *csv += ",infeasible," + csv_cell(json(reason)) + "\n";
            continue;
          }
          const std::size_t ctx = eng.patcher.context_of(digits);
          bool legal = eng.model_error[ctx].empty();
          std::string why = eng.model_error[ctx];
          if (legal) legal = eng.patcher.design(digits, d, why);
          if (legal) {
            // The rules read the 14 parameters and the layout only: each
            // distinct set is checked once per thread.
            LegalityKey key{};
            for (int f = 0; f < 14; ++f) key[static_cast<std::size_t>(f)] = f == 4 ? static_cast<int>(d.scale_format) : *rtl_field(d, f);
            key[14] = d.weight_chunk_bytes;
            auto it = st.legality.find(key);
            if (it == st.legality.end()) {
              std::string e;
              try {
                sim::check_rtl_legality(d, "design");
              } catch (const Error& err) {
                e = err.what();
              }
              it = st.legality.emplace(key, std::move(e)).first;
            }
            if (!it->second.empty()) {
              legal = false;
              why = it->second;
            }
          }
          if (legal && eng.ps[ctx]) {
            std::string key = fmt::format("{}#{}", ctx, d.weight_ports);
            for (const auto& port : d.ps_ports) key += "#" + port;
            auto it = st.port_checks.find(key);
            if (it == st.port_checks.end()) {
              std::string e;
              try {
                (void)eng.ps[ctx]->port_map(d.ps_ports, d.weight_ports, "design");
              } catch (const Error& err) {
                e = err.what();
              }
              it = st.port_checks.emplace(key, e).first;
            }
            if (!it->second.empty()) {
              legal = false;
              why = it->second;
            }
          }
          if (!legal) {
            ++st.illegal;
            ++st.illegal_by_rule[rule_of_message(why)];
            if (csv) *csv += ",illegal," + csv_cell(json(why)) + "\n";
            continue;
          }
          eng.backend.evaluate(eng.models[ctx], d, eng.slots, out.data());
          evaluated = true;
          for (const auto& c : eng.after) {
            std::string missing;
            for (const auto& r : c.refs)
              if (r.kind == NameRef::kMetric && std::isnan(out[r.index]))
                missing += (missing.empty() ? "" : ", ") + r.name;
            if (!missing.empty()) {
              reason = fmt::format("after evaluation: `{}` cannot be checked: the point has no {}",
                                   c.expr->text(), missing);
            } else {
              try {
                if (!test(c)) reason = fmt::format("after evaluation: {}", c.reason);
              } catch (const Error& e) {
                reason = fmt::format("after evaluation: `{}` cannot be checked: {}", c.expr->text(),
                                     e.what());
              }
            }
            if (!reason.empty()) break;
          }
          if (csv) {
            *csv += fmt::format(",{},{}", reason.empty() ? "ok" : "infeasible", csv_cell(json(reason)));
            for (std::size_t k = 0; k < nslots; ++k)
              *csv += std::isnan(out[k]) ? std::string(",") : fmt::format(",{}", out[k]);
            *csv += "\n";
          }
          if (!reason.empty()) {
            ++st.infeasible_after;
            ++st.infeasible_after_by_reason[reason];
            continue;
          }
          // Selection rules (selection.h): as for a cycle-accurate record.
          std::string excluded;
          if (!s.selection.keep_timing_failures && out[*eng.timing_slot] == 0)
            excluded = "does not meet timing";
          if (!s.selection.keep_board_misfits && out[*eng.fit_slot] == 0)
            excluded += std::string(excluded.empty() ? "" : "; ") + "does not fit the board";
          if (!excluded.empty()) {
            ++st.excluded;
            ++st.excluded_by_reason[excluded];
            continue;
          }
          bool complete = true;
          for (std::size_t k = 0; k < selected_k.size(); ++k) {
            const double v = out[eng.obj_slot[selected_k[k]]];
            if (std::isnan(v)) {
              complete = false;
            } else {
              ++st.have_objective[selected_k[k]];
              obj[k] = eng.obj_max[selected_k[k]] ? v : -v;
            }
          }
          ++st.candidates;
          for (std::size_t k = 0; k < nslots; ++k)
            if (!std::isnan(out[k])) {
              st.min[k] = std::min(st.min[k], out[k]);
              st.max[k] = std::max(st.max[k], out[k]);
              ++st.count[k];
            }
          if (opt.cloud_points > 0) {
            const std::uint64_t h = splitmix64(index);
            if (st.sample.size() < opt.cloud_points || h < st.sample.front().hash) {
              ThreadState::Sample smp{h, index, {}};
              for (std::size_t k : eng.sample_slot) smp.values.push_back(out[k]);
              st.sample.push_back(std::move(smp));
              std::push_heap(st.sample.begin(), st.sample.end());
              if (st.sample.size() > opt.cloud_points) {
                std::pop_heap(st.sample.begin(), st.sample.end());
                st.sample.pop_back();
              }
            }
          }
          if (!complete) {
            ++st.lacking;
            continue;
          }
          if (selected_k.empty()) continue;
          // The exact front so far, and the band within the margin of it.
          Cand c{index, ctx, obj};
          if (!dominated_by_front(st.front, c.obj)) {
            insert_into_front(st.front, std::move(c), st.band);
          } else if (s.confirm.all || !covered_by_front(st.front, improved(c.obj, s.confirm.margin))) {
            st.band.push_back(std::move(c));
            if (!s.confirm.all && st.band.size() > 2 * st.band_pruned + 1024) {
              std::vector<Cand> keep;
              for (auto& b : st.band)
                if (!covered_by_front(st.front, improved(b.obj, s.confirm.margin))) keep.push_back(std::move(b));
              st.band = std::move(keep);
              st.band_pruned = st.band.size();
            }
          }
        }
      }
    };
    std::vector<std::thread> pool;
    std::atomic<int> running{threads};
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        try {
          worker(states[static_cast<std::size_t>(t)]);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (!error) error = std::current_exception();
          next.store(nchunks);
        }
        --running;
      });
    // Progress about once a second: chunks handed out so far.
    if (opt.progress) {
      const auto start = std::chrono::steady_clock::now();
      while (running.load() > 0) {
        for (int i = 0; i < 20 && running.load() > 0; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (running.load() == 0) break;
        opt.progress(std::min(eng.combinations, std::min(next.load(), nchunks) * chunk), eng.combinations,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    }
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  };

  const auto t_scan = std::chrono::steady_clock::now();
  run_pass();
  // pareto_front() leaves out objectives no candidate has: so does the
  // screen (a second pass without them, as the front's membership changes).
  std::vector<std::size_t> have(s.objectives.size(), 0);
  for (const auto& st : states)
    for (std::size_t k = 0; k < have.size(); ++k) have[k] += st.have_objective[k];
  std::vector<std::size_t> keep_k;
  for (std::size_t k : used_k)
    if (have[k] > 0) keep_k.push_back(k);
  if (keep_k.size() != used_k.size() && !keep_k.empty()) {
    used_k = keep_k;
    run_pass();
  } else if (keep_k.empty()) {
    used_k.clear();
  }

  const auto t_select = std::chrono::steady_clock::now();
  ScreenResult r;
  r.setup_seconds = std::chrono::duration<double>(t_scan - t0).count();
  r.scan_seconds = std::chrono::duration<double>(t_select - t_scan).count();
  r.combinations = eng.combinations;
  r.contexts = eng.patcher.contexts();
  r.threads = threads;
  for (std::size_t k : used_k) r.objectives_used.push_back(s.objectives[k]);
  for (std::size_t k = 0; k < s.objectives.size(); ++k)
    if (std::find(used_k.begin(), used_k.end(), k) == used_k.end())
      r.objectives_missing.push_back(s.objectives[k].metric);
  std::vector<Cand> fronts, band;
  std::vector<ThreadState::Sample> sample;
  std::vector<double> mins(nslots, kInf), maxs(nslots, -kInf);
  std::vector<std::size_t> counts(nslots, 0);
  auto add_map = [](std::map<std::string, std::size_t>& to, const std::map<std::string, std::size_t>& from) {
    for (const auto& [k, v] : from) to[k] += v;
  };
  for (auto& st : states) {
    r.screened += st.screened;
    r.filtered_out += st.filtered;
    r.illegal += st.illegal;
    r.infeasible += st.infeasible;
    r.infeasible_after += st.infeasible_after;
    r.excluded += st.excluded;
    r.lacking_objective += st.lacking;
    r.candidates += st.candidates;
    add_map(r.illegal_by_rule, st.illegal_by_rule);
    add_map(r.infeasible_by_reason, st.infeasible_by_reason);
    add_map(r.infeasible_after_by_reason, st.infeasible_after_by_reason);
    add_map(r.excluded_by_reason, st.excluded_by_reason);
    for (auto& c : st.front) fronts.push_back(std::move(c));
    for (auto& c : st.band) band.push_back(std::move(c));
    for (auto& smp : st.sample) sample.push_back(std::move(smp));
    for (std::size_t k = 0; k < nslots; ++k) {
      mins[k] = std::min(mins[k], st.min[k]);
      maxs[k] = std::max(maxs[k], st.max[k]);
      counts[k] += st.count[k];
    }
  }

  // The exact front over every thread's front (equal points all kept), in
  // index order as pareto_front() sees records.
  std::sort(fronts.begin(), fronts.end(), [](const Cand& a, const Cand& b) { return a.index < b.index; });
  std::vector<Cand> exact;
  for (std::size_t a = 0; a < fronts.size(); ++a) {
    bool dominated = false;
    for (std::size_t b = 0; b < fronts.size() && !dominated; ++b)
      dominated = a != b && dominates(fronts[b].obj.data(), fronts[a].obj.data(), fronts[a].obj.size());
    (dominated ? band : exact).push_back(fronts[a]);
  }
  // The tolerance (report.pareto_tolerance) through pareto_front() itself,
  // on records holding the objectives.
  std::vector<json> recs;
  for (const Cand& c : exact) {
    json m = json::object();
    for (std::size_t k = 0; k < used_k.size(); ++k)
      m[s.objectives[used_k[k]].metric] = eng.obj_max[used_k[k]] ? c.obj[k] : -c.obj[k];
    recs.push_back({{"status", "ok"}, {"metrics", m}, {"params", json::object()}});
  }
  std::vector<bool> on_front(exact.size(), false);
  if (!recs.empty()) {
    SelectionRules rules = s.selection;
    rules.keep_board_misfits = rules.keep_timing_failures = true;  // already applied
    for (std::size_t i : pareto_front(recs, r.objectives_used, rules).members) on_front[i] = true;
  }
  struct Near {
    Cand c;
    double margin;
    bool front;
  };
  std::vector<Near> chosen;
  for (std::size_t i = 0; i < exact.size(); ++i) chosen.push_back({exact[i], 0.0, bool(on_front[i])});
  std::vector<Near> near;
  std::vector<Cand> staircase = exact;  // best first objective first (see dominated_by_front)
  std::sort(staircase.begin(), staircase.end(), [](const Cand& a, const Cand& b) {
    return a.obj[0] != b.obj[0] ? a.obj[0] > b.obj[0] : a.obj[1] < b.obj[1];
  });
  for (auto& c : band) {
    if (!s.confirm.all && covered_by_front(staircase, improved(c.obj, s.confirm.margin))) continue;
    const double m = c.obj.size() == 2 ? margin_to_staircase(c, staircase) : margin_of(c, exact);
    if (s.confirm.all || m < s.confirm.margin) near.push_back({std::move(c), m, false});
  }
  // Exact-front members left off by the tolerance are near points (margin 0).
  for (auto it = chosen.begin(); it != chosen.end();)
    if (!it->front) {
      near.push_back(*it);
      it = chosen.erase(it);
    } else {
      ++it;
    }
  std::sort(near.begin(), near.end(), [](const Near& a, const Near& b) {
    return a.margin != b.margin ? a.margin < b.margin : a.c.index < b.c.index;
  });
  r.front_size = chosen.size();
  r.within_margin = near.size();
  // Front ordered by the first objective (best first).
  std::sort(chosen.begin(), chosen.end(), [](const Near& a, const Near& b) {
    return a.c.obj[0] != b.c.obj[0] ? a.c.obj[0] > b.c.obj[0] : a.c.index < b.c.index;
  });
  // Confirmation: the front (evenly spread along the first objective when it
  // alone exceeds max_points), then the nearest points.
  std::vector<bool> confirm_front(chosen.size(), false);
  const std::size_t cap = s.confirm.max_points;
  if (chosen.size() <= cap) {
    confirm_front.assign(chosen.size(), true);
  } else if (cap == 1) {
    confirm_front[0] = true;
  } else {
    for (std::size_t i = 0; i < cap; ++i)
      confirm_front[(i * (chosen.size() - 1) + (cap - 1) / 2) / (cap - 1)] = true;
  }
  std::size_t confirmed = 0;
  for (bool b : confirm_front) confirmed += b;
  const std::size_t near_written = std::min(near.size(), opt.max_near_points);
  r.near_written = near_written;
  auto add_selected = [&](const Near& n, bool confirm) {
    ScreenSelected sel;
    const std::vector<std::size_t> digits = index_digits(s, n.c.index);
    sel.point.index = n.c.index;
    sel.point.params = eng.patcher.params(digits);
    sel.point.id = eng.patcher.point_id(digits);
    if (confirm) {
      sel.point = resolve_point(s, n.c.index);
      if (sel.point.id != eng.patcher.point_id(digits))
        throw_error("{}: internal error of the analytical screen: the id of point {} differs from "
                    "its resolved JSON's; run with --fidelity rtl",
                    s.file.string(), n.c.index);
    }
    sel.on_front = n.front;
    sel.margin = n.margin;
    sel.confirm = confirm;
    sim::DesignParams d;
    std::string error;
    if (eng.patcher.design(digits, d, error))
      sel.metrics = backend.metrics(eng.models[n.c.context], d);
    r.selected.push_back(std::move(sel));
  };
  for (std::size_t i = 0; i < chosen.size(); ++i) add_selected(chosen[i], confirm_front[i]);
  for (std::size_t i = 0; i < near_written; ++i) {
    const bool confirm = confirmed < cap;
    confirmed += confirm;
    add_selected(near[i], confirm);
  }
  r.confirm_count = confirmed;

  // The cloud sample: the candidates of smallest index hash, by index.
  std::sort(sample.begin(), sample.end());
  if (sample.size() > opt.cloud_points) sample.resize(opt.cloud_points);
  std::sort(sample.begin(), sample.end(),
            [](const ThreadState::Sample& a, const ThreadState::Sample& b) { return a.index < b.index; });
  for (std::size_t k : eng.sample_slot) r.sample_keys.push_back(eng.slot_keys[k]);
  for (auto& smp : sample) r.sample.emplace_back(smp.index, std::move(smp.values));
  for (std::size_t j = 0; j < eng.sample_slot.size(); ++j) {
    const std::size_t k = eng.sample_slot[j];
    if (counts[k] == 0) continue;
    MetricStats ms;
    ms.count = counts[k];
    ms.min = mins[k];
    ms.max = maxs[k];
    std::vector<double> v;
    for (const auto& smp : r.sample)
      if (!std::isnan(smp.second[j])) v.push_back(smp.second[j]);
    if (!v.empty()) {
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      ms.median = v[v.size() / 2];
    }
    r.stats[eng.slot_keys[k]] = ms;
  }
  if (opt.all_points) {
    r.points_csv = "index";
    for (const auto& p : s.params) r.points_csv += "," + csv_cell(json(p.name));
    r.points_csv += ",status,reason";
    for (const auto& k : eng.slot_keys) r.points_csv += "," + k;
    r.points_csv += "\n";
    for (const auto& text : csv_chunks) r.points_csv += text;
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.select_seconds = r.wall_seconds - r.setup_seconds - r.scan_seconds;
  return r;
}

json ScreenResult::summary_json(const Sweep& sweep) const {
  json stats_j = json::object();
  for (const auto& [k, m] : stats)
    stats_j[k] = {{"count", m.count}, {"min", m.min}, {"median_of_sample", m.median}, {"max", m.max}};
  json used = json::array();
  for (const auto& o : objectives_used)
    used.push_back({{"metric", o.metric}, {"goal", o.maximize ? "maximize" : "minimize"}});
  return {{"sweep", sweep.name},
          {"fidelity", to_string(sweep.fidelity)},
          {"combinations", combinations},
          {"screened", screened},
          {"filtered_out", filtered_out},
          {"illegal", illegal},
          {"illegal_by_rule", illegal_by_rule},
          {"infeasible", infeasible},
          {"infeasible_by_reason", infeasible_by_reason},
          {"infeasible_after_evaluation", infeasible_after},
          {"infeasible_after_evaluation_by_reason", infeasible_after_by_reason},
          {"excluded", excluded},
          {"excluded_by_reason", excluded_by_reason},
          {"lacking_objective", lacking_objective},
          {"candidates", candidates},
          {"contexts", contexts},
          {"objectives_used", used},
          {"objectives_missing", objectives_missing},
          {"pareto_tolerance", sweep.selection.pareto_tolerance},
          {"front", front_size},
          {"within_margin", within_margin},
          {"near_written", near_written},
          {"confirm", {{"margin", sweep.confirm.margin},
                       {"all", sweep.confirm.all},
                       {"max_points", sweep.confirm.max_points},
                       {"selected", confirm_count}}},
          {"metrics", stats_j},
          {"sample_points", sample.size()},
          {"threads", threads},
          {"wall_seconds", wall_seconds},
          {"seconds", {{"setup", setup_seconds}, {"scan", scan_seconds}, {"select", select_seconds}}},
          {"points_per_s", wall_seconds > 0 ? static_cast<double>(screened) / wall_seconds : 0.0},
          {"points_per_s_per_thread",
           wall_seconds > 0 ? static_cast<double>(screened) / wall_seconds / threads : 0.0}};
}

void write_screen(const fs::path& dir, const Sweep& sweep, const ScreenResult& r) {
  const fs::path sd = dir / "screen";
  fs::create_directories(sd);
  std::string front;
  for (const auto& sel : r.selected)
    front += json{{"id", sel.point.id},         {"index", sel.point.index},
                  {"params", sel.point.params}, {"metrics", sel.metrics},
                  {"on_front", sel.on_front},   {"margin", sel.margin},
                  {"confirm", sel.confirm}}
                 .dump() +
             "\n";
  write_file_atomic(sd / "front.jsonl", front);
  std::string cloud = "index";
  for (const auto& k : r.sample_keys) cloud += "," + k;
  cloud += "\n";
  for (const auto& [index, values] : r.sample) {
    cloud += std::to_string(index);
    for (double v : values) cloud += std::isnan(v) ? std::string(",") : fmt::format(",{}", v);
    cloud += "\n";
  }
  write_file_atomic(sd / "cloud.csv", cloud);
  if (!r.points_csv.empty()) write_file_atomic(sd / "points.csv", r.points_csv);
  else fs::remove(sd / "points.csv");
  write_file_atomic(sd / "summary.json", r.summary_json(sweep).dump(1) + "\n");
}

StoredScreen load_screen(const fs::path& dir) {
  StoredScreen s;
  std::ifstream in(dir / "screen" / "summary.json");
  if (!in) return s;
  try {
    s.summary = json::parse(in);
  } catch (const json::exception& e) {
    throw_error("{}: invalid JSON: {}", (dir / "screen" / "summary.json").string(), e.what());
  }
  std::ifstream fin(dir / "screen" / "front.jsonl");
  std::string line;
  std::size_t n = 0;
  while (std::getline(fin, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      s.front.push_back(json::parse(line));
    } catch (const json::exception& e) {
      throw_error("{}:{}: invalid JSON: {}", (dir / "screen" / "front.jsonl").string(), n, e.what());
    }
  }
  return s;
}

bool screen_needs_resources(const Sweep& sweep) {
  if (sweep.evaluate.value("synthesize", true)) return true;
  static const std::set<std::string> kResource = {
      "lut", "ff", "dsp", "bram36", "bram18", "fmax_mhz", "lut_util", "ff_util", "dsp_util",
      "bram36_util", "timing_met", "fits_board", "timing_slack_ns"};
  for (const auto& o : sweep.objectives)
    if (kResource.contains(o.metric)) return true;
  for (const auto& c : sweep.constraints)
    for (const auto& n : c.expr.names())
      if (kResource.contains(n)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Analytical against cycle-accurate.

std::vector<AnalyticalError> analytical_errors(const std::vector<json>& records) {
  const std::vector<std::pair<std::string, double>> metrics = {
      {"tokens_per_s", 0.02}, {"lut", 0.10}, {"dsp", 0.10}, {"bram36", 0.10}, {"fmax_mhz", 0.10}};
  std::vector<AnalyticalError> out;
  for (const auto& [key, target] : metrics) {
    AnalyticalError e;
    e.metric = key;
    e.target = target;
    double sum = 0;
    for (const json& r : records) {
      if (!r.contains("analytical") || !r["analytical"].is_object()) continue;
      const json& m = r.value("metrics", json::object());
      const json& a = r["analytical"];
      if (!m.contains(key) || !a.contains(key) || !m[key].is_number() || !a[key].is_number()) continue;
      const double x = m[key].get<double>(), y = a[key].get<double>();
      if (x == 0) continue;
      const double err = (y - x) / x;
      e.errors.emplace_back(r.value("id", ""), err);
      sum += std::fabs(err);
      if (std::fabs(err) > std::fabs(e.worst) || e.worst_id.empty()) {
        e.worst = err;
        e.worst_id = r.value("id", "");
      }
    }
    if (!e.errors.empty()) e.mean_abs = sum / static_cast<double>(e.errors.size());
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

std::string pct(double v) { return fmt::format("{:+.1f} %", 100 * v); }

}  // namespace

std::string analytical_report_md(const Sweep& sweep, const StoredScreen& screen,
                                 const std::vector<json>& records) {
  std::string md = "## Analytical model\n\n";
  md += fmt::format("Fidelity `{}` (docs/explore.md \"Fidelity\"; the model: docs/analytical.md). ",
                    to_string(sweep.fidelity));
  const json& s = screen.summary;
  if (s.is_null()) {
    md += "No screen in this folder (screen/summary.json): run `llamaf explore` with "
          "`--fidelity analytical` or `auto`.\n\n";
  } else {
    const auto num = [&](const char* k) { return s.value(k, json(0)); };
    md += fmt::format(
        "The screen evaluated {} of {} combinations in {:.1f} s on {} thread(s) ({:.0f} points/s, "
        "{:.0f} per thread): {} dropped by filters, {} illegal, {} infeasible by a constraint "
        "before evaluation, {} by a constraint on the analytical metrics, {} kept off by timing or "
        "board fit, {} candidates; {} on the Pareto front, {} within the margin {} of it; {} "
        "selected for cycle-accurate confirmation (at most {}).\n\n",
        num("screened").dump(), num("combinations").dump(), s.value("wall_seconds", 0.0),
        s.value("threads", 1), s.value("points_per_s", 0.0), s.value("points_per_s_per_thread", 0.0),
        num("filtered_out").dump(), num("illegal").dump(), num("infeasible").dump(),
        num("infeasible_after_evaluation").dump(), num("excluded").dump(), num("candidates").dump(),
        num("front").dump(), num("within_margin").dump(),
        s.value("confirm", json::object()).value("margin", 0.0),
        s.value("confirm", json::object()).value("selected", 0),
        s.value("confirm", json::object()).value("max_points", 0));
    const auto reasons = [&](const char* key, const char* title) {
      const json& m = s.value(key, json::object());
      if (!m.is_object() || m.empty()) return;
      md += fmt::format("{}:\n\n", title);
      for (const auto& [k, v] : m.items()) md += fmt::format("- {} points: {}\n", v.dump(), md_value(json(k)));
      md += "\n";
    };
    reasons("illegal_by_rule", "Illegal points by rule (docs/rtl.md)");
    reasons("infeasible_by_reason", "Infeasible before evaluation");
    reasons("infeasible_after_evaluation_by_reason", "Infeasible by the analytical metrics");
    reasons("excluded_by_reason", "Kept off the front (selection rules)");
    const json& st = s.value("metrics", json::object());
    if (st.is_object() && !st.empty()) {
      md += "| metric (candidates) | min | median (of the cloud sample) | max |\n| --- | ---: | ---: | ---: |\n";
      for (const auto& [k, v] : st.items())
        md += fmt::format("| {} | {} | {} | {} |\n", k, md_value(v.value("min", json())),
                          md_value(v.value("median_of_sample", json())), md_value(v.value("max", json())));
      md += "\n";
    }
  }
  // Confirmed points: analytical against cycle-accurate.
  std::vector<json> confirmed;
  for (const json& r : records)
    if (r.contains("analytical") && r.value("fidelity", "") != "analytical" &&
        (r.value("status", "") == "ok" || r.value("constraint_stage", "") == "after_evaluation"))
      confirmed.push_back(r);
  if (confirmed.empty()) {
    md += sweep.fidelity == Fidelity::kAnalytical
              ? "No point was confirmed cycle-accurately (fidelity `analytical`): the metrics "
                "above and in the tables are the model's.\n\n"
              : "No confirmed point has cycle-accurate results yet.\n\n";
    return md;
  }
  const std::vector<AnalyticalError> errs = analytical_errors(confirmed);
  md += fmt::format("{} confirmed points, analytical (A) against cycle-accurate (C) values, relative "
                    "error (A - C) / C:\n\n| point | parameters |",
                    confirmed.size());
  for (const auto& e : errs) md += fmt::format(" {} A | C | error |", e.metric);
  md += "\n| --- | --- |";
  for (std::size_t i = 0; i < errs.size(); ++i) md += " ---: | ---: | ---: |";
  md += "\n";
  for (const json& r : confirmed) {
    std::string params;
    for (const auto& p : sweep.params) {
      if (!params.empty()) params += ", ";
      params += p.name + "=" + md_value(r.value("params", json::object()).value(p.name, json()));
    }
    md += fmt::format("| `{}` | {} |", r.value("id", ""), params);
    const json& m = r.value("metrics", json::object());
    const json& a = r["analytical"];
    for (const auto& e : errs) {
      const json av = a.value(e.metric, json()), cv = m.value(e.metric, json());
      std::string err = "–";
      if (av.is_number() && cv.is_number() && cv.get<double>() != 0)
        err = pct((av.get<double>() - cv.get<double>()) / cv.get<double>());
      md += fmt::format(" {} | {} | {} |", av.is_null() ? "–" : md_value(av),
                        cv.is_null() ? "–" : md_value(cv), err);
    }
    md += "\n";
  }
  md += "\n| metric | points | mean abs error | worst error | worst point | target (mean) | |\n"
        "| --- | ---: | ---: | ---: | --- | ---: | --- |\n";
  std::string worse;
  for (const auto& e : errs) {
    if (e.errors.empty()) {
      md += fmt::format("| {} | 0 | – | – | – | {:.0f} % | no point has both values |\n", e.metric,
                        100 * e.target);
      continue;
    }
    md += fmt::format("| {} | {} | {:.2f} % | {} | `{}` | {:.0f} % | {} |\n", e.metric, e.errors.size(),
                      100 * e.mean_abs, pct(e.worst), e.worst_id, 100 * e.target,
                      e.meets_target() ? "met" : "**above target**");
    if (e.meets_target()) continue;
    // Where: the points above the target, and the parameter value whose
    // points have the largest mean error.
    std::map<std::string, double> by_id(e.errors.begin(), e.errors.end());
    std::string pts;
    for (const auto& [id, err] : e.errors)
      if (std::fabs(err) > e.target) pts += fmt::format("{}`{}` ({})", pts.empty() ? "" : ", ", id, pct(err));
    std::string worst_param;
    double worst_mean = -1;
    std::size_t worst_n = 0;
    for (const auto& p : sweep.params) {
      std::map<std::string, std::pair<double, std::size_t>> acc;
      for (const json& r : confirmed) {
        const auto it = by_id.find(r.value("id", ""));
        if (it == by_id.end()) continue;
        auto& a = acc[md_value(r.value("params", json::object()).value(p.name, json()))];
        a.first += std::fabs(it->second);
        ++a.second;
      }
      if (acc.size() < 2) continue;  // the parameter does not vary among the points
      for (const auto& [v, a] : acc) {
        const double mean = a.first / static_cast<double>(a.second);
        if (mean > worst_mean) {
          worst_mean = mean;
          worst_param = p.name + "=" + v;
          worst_n = a.second;
        }
      }
    }
    worse += fmt::format("- **{}**: mean |error| {:.2f} % > {:.0f} %; points beyond {:.0f} %: {}.{}\n",
                         e.metric, 100 * e.mean_abs, 100 * e.target, 100 * e.target,
                         pts.empty() ? "none (a few large errors raise the mean)" : pts,
                         worst_param.empty()
                             ? ""
                             : fmt::format(" Largest mean |error| by parameter value: {} ({:.2f} % "
                                           "over {} points).",
                                           worst_param, 100 * worst_mean, worst_n));
  }
  md += "\n";
  if (worse.empty())
    md += "Every compared metric meets its target (tokens/s 2 %, resources and Fmax 10 % mean "
          "|error|).\n\n";
  else
    md += "Where the model is worse than its target:\n\n" + worse +
          "\nWhy: see docs/analytical.md for what each model term leaves out.\n\n";
  return md;
}

}  // namespace llamaf::dse
