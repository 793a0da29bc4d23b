// OpenSTA timing of a Yosys xcup netlist: rewrite the netlist with one
// Liberty cell per primitive configuration, generate the Liberty library from
// the delay file, run OpenSTA, read back its critical path.
#include "explorer/timing.h"

#include "explorer/hash.h"
#include "explorer/subprocess.h"
#include "sim/model/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

namespace llamaf::dse {

namespace fs = std::filesystem;

const char* const kTimingFlowVersion = "timing-v1";

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw_error("{}: cannot read", p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// ---------------------------------------------------------------- delay file

DelayModel DelayModel::load(const fs::path& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(file));
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: invalid JSON: {}", file.string(), e.what());
  }
  return from_json(j, file.string());
}

DelayModel DelayModel::from_json(const nlohmann::json& j, const std::string& where) {
  DelayModel m;
  m.j_ = j;
  m.where_ = where;
  if (!j.is_object()) throw_error("{}: a delay file must be a JSON object", where);
  m.name_ = j.value("name", std::string("unnamed"));
  m.digest_ = json_hash(j);
  // Every leaf with a value must say where the value comes from.
  std::function<void(const nlohmann::json&, const std::string&)> check =
      [&](const nlohmann::json& o, const std::string& path) {
        if (!o.is_object()) return;
        if (o.contains("ns") || o.contains("mhz")) {
          if (!o.contains("source") && !o.contains("estimate"))
            throw_error("{}: key '{}' has a value but neither \"source\" nor \"estimate\"", where,
                        path);
          return;
        }
        for (const auto& [k, v] : o.items()) check(v, path.empty() ? k : path + "." + k);
      };
  check(j, "");
  try {
    const auto& net = j.at("net");
    m.net_fanout_ = net.at("fanout").get<std::vector<double>>();
    m.net_ns_ = net.at("ns").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: key 'net' must have arrays 'fanout' and 'ns': {}", where, e.what());
  }
  if (m.net_fanout_.size() < 2 || m.net_fanout_.size() != m.net_ns_.size())
    throw_error("{}: 'net.fanout' and 'net.ns' must have the same length (at least 2)", where);
  if (m.net_fanout_[0] != 0 || m.net_ns_[0] != 0)
    throw_error("{}: 'net' must start at fanout 0 with 0 ns (dedicated wires)", where);
  for (std::size_t i = 1; i < m.net_fanout_.size(); ++i)
    if (!(m.net_fanout_[i] > m.net_fanout_[i - 1]))
      throw_error("{}: 'net.fanout' must increase strictly (index {})", where, i);
  return m;
}

const nlohmann::json& DelayModel::leaf(const std::string& key) const {
  const nlohmann::json* o = &j_;
  std::size_t pos = 0;
  while (pos <= key.size()) {
    const std::size_t dot = key.find('.', pos);
    const std::string part = key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    auto it = o->find(part);
    if (it == o->end()) throw_error("{}: missing key '{}'", where_, key);
    o = &*it;
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return *o;
}

double DelayModel::ns(const std::string& key) const {
  const nlohmann::json& l = leaf(key);
  if (!l.is_object() || !l.contains("ns") || !l["ns"].is_number())
    throw_error("{}: key '{}' must be an object with a number \"ns\"", where_, key);
  return l["ns"].get<double>();
}

double DelayModel::mhz(const std::string& key) const {
  const nlohmann::json& l = leaf(key);
  if (!l.is_object() || !l.contains("mhz") || !l["mhz"].is_number())
    throw_error("{}: key '{}' must be an object with a number \"mhz\"", where_, key);
  return l["mhz"].get<double>();
}

double DelayModel::net_ns(double load) const {
  const auto& x = net_fanout_;
  const auto& y = net_ns_;
  if (load <= 0) return 0;
  std::size_t i = 1;
  while (i + 1 < x.size() && load > x[i]) ++i;
  // Segment [i-1, i]; beyond the last point the last segment extends.
  return y[i - 1] + (y[i] - y[i - 1]) * (load - x[i - 1]) / (x[i] - x[i - 1]);
}

fs::path default_delay_file() {
  if (const char* f = std::getenv("LLAMAF_TIMING_FILE"); f && *f) return f;
  return fs::path(LLAMAF_SOURCE_DIR) / "configs" / "timing" / "xcup-2.json";
}

// ------------------------------------------------------------- result JSON

nlohmann::json to_json(const CriticalPath& p) {
  nlohmann::json els = nlohmann::json::array();
  for (const PathElement& e : p.elements) {
    nlohmann::json je = {{"pin", e.pin},          {"cell_type", e.cell_type},
                         {"lib_cell", e.lib_cell}, {"net", e.net},
                         {"src", e.src},           {"is_output", e.is_output},
                         {"incr_ns", e.incr_ns},   {"arrival_ns", e.arrival_ns},
                         {"fanout", e.fanout},     {"net_ns", e.net_ns}};
    els.push_back(je);
  }
  nlohmann::json cells = nlohmann::json::object();
  for (const auto& [t, n] : p.cells) cells[t] = n;
  return {{"startpoint", p.startpoint},
          {"start_type", p.start_type},
          {"endpoint", p.endpoint},
          {"end_type", p.end_type},
          {"clock_to_out_ns", p.clock_to_out_ns},
          {"logic_ns", p.logic_ns},
          {"net_ns", p.net_ns},
          {"setup_ns", p.setup_ns},
          {"uncertainty_ns", p.uncertainty_ns},
          {"total_ns", p.total_ns},
          {"net_hops", p.net_hops},
          {"cells", cells},
          {"elements", els}};
}

nlohmann::json to_json(const TimingResult& t) {
  nlohmann::json j = {{"has_path", t.has_path},   {"fmax_mhz", t.fmax_mhz},
                      {"period_ns", t.period_ns}, {"clock", t.clock},
                      {"delay_model", t.delay_model}, {"limit", t.limit}};
  if (t.has_path) j["critical_path"] = to_json(t.critical_path);
  return j;
}

TimingResult timing_from_json(const nlohmann::json& j, const std::string& where) {
  TimingResult t;
  try {
    t.has_path = j.at("has_path").get<bool>();
    t.fmax_mhz = j.at("fmax_mhz").get<double>();
    t.period_ns = j.at("period_ns").get<double>();
    t.clock = j.at("clock").get<std::string>();
    t.delay_model = j.at("delay_model").get<std::string>();
    t.limit = j.at("limit").get<std::string>();
    if (t.has_path) {
      const auto& p = j.at("critical_path");
      CriticalPath& c = t.critical_path;
      c.startpoint = p.at("startpoint").get<std::string>();
      c.start_type = p.at("start_type").get<std::string>();
      c.endpoint = p.at("endpoint").get<std::string>();
      c.end_type = p.at("end_type").get<std::string>();
      c.clock_to_out_ns = p.at("clock_to_out_ns").get<double>();
      c.logic_ns = p.at("logic_ns").get<double>();
      c.net_ns = p.at("net_ns").get<double>();
      c.setup_ns = p.at("setup_ns").get<double>();
      c.uncertainty_ns = p.at("uncertainty_ns").get<double>();
      c.total_ns = p.at("total_ns").get<double>();
      c.net_hops = p.at("net_hops").get<int>();
      for (const auto& [k, v] : p.at("cells").items()) c.cells[k] = v.get<int>();
      for (const auto& e : p.at("elements")) {
        PathElement x;
        x.pin = e.at("pin").get<std::string>();
        x.cell_type = e.at("cell_type").get<std::string>();
        x.lib_cell = e.at("lib_cell").get<std::string>();
        x.net = e.at("net").get<std::string>();
        x.src = e.at("src").get<std::string>();
        x.is_output = e.at("is_output").get<bool>();
        x.incr_ns = e.at("incr_ns").get<double>();
        x.arrival_ns = e.at("arrival_ns").get<double>();
        x.fanout = e.at("fanout").get<double>();
        x.net_ns = e.at("net_ns").get<double>();
        c.elements.push_back(x);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw_error("{}: bad timing result: {}", where, e.what());
  }
  return t;
}

// ------------------------------------------------------------ the netlist

namespace {

// Yosys JSON parameter values: binary digit strings for numbers, other text
// for strings (a string that looks binary gets a trailing blank).
std::int64_t param_int(const nlohmann::json& params, const std::string& name, std::int64_t dflt) {
  auto it = params.find(name);
  if (it == params.end()) return dflt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const std::string s = it->get<std::string>();
  if (s.empty() || s.find_first_not_of("01") != std::string::npos) return dflt;
  std::int64_t v = 0;
  // Only the low 62 bits matter for register counts and flags.
  for (std::size_t i = s.size() > 62 ? s.size() - 62 : 0; i < s.size(); ++i) v = v * 2 + (s[i] - '0');
  return v;
}

std::string param_str(const nlohmann::json& params, const std::string& name,
                      const std::string& dflt) {
  auto it = params.find(name);
  if (it == params.end() || !it->is_string()) return dflt;
  std::string s = it->get<std::string>();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

struct Pin {
  std::string name;  // scalar pin name in the Liberty cell (A_3, or A for 1-bit ports)
  std::string base;  // the primitive's port (A)
  int bit = 0;
  bool output = false;
  long net = -1;     // Yosys bit id; -1: constant or unconnected
};

struct Cell {
  std::string name;      // Yosys instance name
  std::string type;      // Yosys primitive
  std::string lib_cell;  // configuration-specific Liberty cell
  std::string src;
  nlohmann::json params;
  std::vector<Pin> pins;
};

enum class ArcKind { Comb, CombPositive, CombNegative, RisingEdge, FallingEdge, SetupRising, SetupFalling, RecoveryRising, RecoveryFalling };

struct Arc {
  ArcKind kind;
  std::string from;  // related (input or clock) pin
  std::string to;    // output pin (Comb/edge) or constrained input pin (checks)
  double ns;
};

// One Liberty cell: its pins (with direction and capacitance) and arcs.
struct LibCell {
  std::string name;
  std::string type;
  std::map<std::string, bool> pin_output;  // scalar pin -> is output
  std::map<std::string, double> pin_cap;   // input pins
  std::set<std::string> clock_pins;
  std::vector<Arc> arcs;
  double internal_ns = 0;  // slowest internal register-to-register stage (DSP)
  std::string internal_what;
};

// Scalar name of bit `i` of a `width`-bit primitive port.
std::string scalar_pin(const std::string& base, int i, int width) {
  return width == 1 ? base : fmt::format("{}_{}", base, i);
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// The pins of a cell grouped by primitive port.
struct PinSet {
  std::map<std::string, std::vector<std::string>> by_base;
  std::map<std::string, bool> output;
  std::vector<std::string> get(const std::string& base) const {
    auto it = by_base.find(base);
    return it == by_base.end() ? std::vector<std::string>{} : it->second;
  }
  bool has(const std::string& base) const { return by_base.count(base) > 0; }
};

struct ArcBuilder {
  LibCell& c;
  const PinSet& ps;
  void comb(const std::vector<std::string>& from, const std::vector<std::string>& to, double ns) {
    for (const auto& f : from)
      for (const auto& t : to) c.arcs.push_back({ArcKind::Comb, f, t, ns});
  }
  void clk_out(const std::string& clk, bool falling, const std::vector<std::string>& to, double ns) {
    for (const auto& t : to)
      c.arcs.push_back({falling ? ArcKind::FallingEdge : ArcKind::RisingEdge, clk, t, ns});
  }
  void setup(const std::string& clk, bool falling, const std::vector<std::string>& pins, double ns,
             bool recovery = false) {
    const ArcKind k = recovery ? (falling ? ArcKind::RecoveryFalling : ArcKind::RecoveryRising)
                               : (falling ? ArcKind::SetupFalling : ArcKind::SetupRising);
    for (const auto& p : pins) c.arcs.push_back({k, clk, p, ns});
  }
  void cap(const std::vector<std::string>& pins, double v) {
    for (const auto& p : pins) c.pin_cap[p] = v;
  }
};

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

bool is_lut(const std::string& t) {
  return t.size() == 4 && starts_with(t, "LUT") && t[3] >= '1' && t[3] <= '6';
}
bool is_ff(const std::string& t) {
  return t == "FDRE" || t == "FDSE" || t == "FDCE" || t == "FDPE";
}
bool is_lutram(const std::string& t) {
  static const std::set<std::string> s = {
      "RAM32X1S", "RAM32X1D", "RAM32M",    "RAM32M16",  "RAM64X1S",  "RAM64X1D", "RAM64M",
      "RAM64M8",  "RAM128X1S", "RAM128X1D", "RAM256X1S", "RAM256X1D", "RAM512X1S"};
  return s.count(t) > 0;
}
bool is_srl(const std::string& t) { return t == "SRL16E" || t == "SRLC16E" || t == "SRLC32E"; }
bool is_bram(const std::string& t) { return t == "RAMB18E2" || t == "RAMB36E2"; }

// The Liberty cell name of a configuration: the primitive plus the parameters
// that change its timing.
std::string lib_cell_name(const std::string& type, const nlohmann::json& p) {
  auto inv = [&](const char* param) { return param_int(p, param, 0) ? "_N" : ""; };
  if (is_ff(type)) return type + inv("IS_C_INVERTED");
  if (is_lutram(type)) return type + inv("IS_WCLK_INVERTED");
  if (is_srl(type)) return type + inv("IS_CLK_INVERTED");
  if (is_bram(type))
    return fmt::format("{}_DA{}_DB{}{}{}", type, param_int(p, "DOA_REG", 1),
                       param_int(p, "DOB_REG", 1), inv("IS_CLKARDCLK_INVERTED"),
                       inv("IS_CLKBWRCLK_INVERTED"));
  if (type == "DSP48E2") {
    auto r = [&](const char* n) { return param_int(p, n, 1); };
    std::string mult = param_str(p, "USE_MULT", "MULTIPLY");
    return fmt::format(
        "DSP48E2_A{}B{}C{}D{}AD{}M{}P{}_AC{}BC{}_CT{}{}{}{}{}_{}_{}{}{}{}", r("AREG"), r("BREG"),
        r("CREG"), r("DREG"), r("ADREG"), r("MREG"), r("PREG"), r("ACASCREG"), r("BCASCREG"),
        r("OPMODEREG"), r("ALUMODEREG"), r("INMODEREG"), r("CARRYINREG"), r("CARRYINSELREG"),
        mult == "NONE" ? "NOMULT" : "MULT", param_str(p, "AMULTSEL", "A"),
        param_str(p, "BMULTSEL", "B"), param_str(p, "PREADDINSEL", "A"), inv("IS_CLK_INVERTED"));
  }
  return type;
}

// ---- DSP48E2 (UG579 Figure 1-1): a chain of stages from each input group
// to the ALU outputs; a register after a stage ends the combinational part.
struct Stage {
  double ns;
  bool reg_after;
  const char* reg;  // name of the register (for the internal-stage report)
};

void dsp_arcs(ArcBuilder& b, const nlohmann::json& p, const DelayModel& d, bool falling) {
  auto r = [&](const char* n) { return param_int(p, n, 1) > 0; };
  const bool mult = param_str(p, "USE_MULT", "MULTIPLY") != "NONE";
  const bool a_pre = param_str(p, "AMULTSEL", "A") == "AD";
  const bool b_pre = param_str(p, "BMULTSEL", "B") == "AD";
  const bool pre_from_b = param_str(p, "PREADDINSEL", "A") == "B";
  const bool preadder = a_pre || b_pre;
  const PinSet& ps = b.ps;
  const std::string clk = "CLK";
  const bool has_clk = ps.has("CLK");

  // Outputs of the ALU (everything but the A/B cascade outputs).
  std::vector<std::string> alu_out, casc_out;
  for (const auto& [base, pins] : ps.by_base) {
    if (!ps.output.at(pins.front())) continue;
    if (base == "ACOUT" || base == "BCOUT") continue;
    auto& dst = (base == "PCOUT" || base == "CARRYCASCOUT" || base == "MULTSIGNOUT") ? casc_out : alu_out;
    dst.insert(dst.end(), pins.begin(), pins.end());
  }
  const double out_p = d.ns("dsp48e2.out_p"), out_c = d.ns("dsp48e2.out_cascade");
  const double clk_q = d.ns("dsp48e2.reg_clk_to_q"), su = d.ns("dsp48e2.reg_setup");
  const double mult_stage = mult ? d.ns("dsp48e2.mult") + d.ns("dsp48e2.m_data") : 0.0;
  const double alu = d.ns("dsp48e2.alu");
  double clk_to_alu_out = -1;  // worst clock-to-out over all chains

  // Walks one chain: setup at its first register, internal stages between
  // registers, clock-to-out from its last register, or combinational arcs.
  auto chain = [&](const std::vector<std::string>& in_pins, double in_ns,
                   const std::vector<Stage>& stages) {
    double acc = in_ns;
    bool reg_seen = false;
    const char* last_reg = nullptr;
    for (const Stage& s : stages) {
      acc += s.ns;
      if (!s.reg_after) continue;
      if (!reg_seen) {
        if (has_clk) b.setup(clk, falling, in_pins, acc + su);
      } else {
        const double stage = clk_q + acc + su;
        if (stage > b.c.internal_ns) {
          b.c.internal_ns = stage;
          b.c.internal_what = fmt::format("DSP48E2 {} -> {}", last_reg, s.reg);
        }
      }
      reg_seen = true;
      last_reg = s.reg;
      acc = 0;
    }
    if (!reg_seen) {
      b.comb(in_pins, alu_out, acc + out_p);
      b.comb(in_pins, casc_out, acc + out_c);
    } else {
      clk_to_alu_out = std::max(clk_to_alu_out, clk_q + acc);
    }
  };

  const double in_ab = d.ns("dsp48e2.in_ab"), casc_net = d.ns("dsp48e2.cascade_net");
  const double pre = d.ns("dsp48e2.preadd"), pre_mux = d.ns("dsp48e2.preadd_mux");
  // A/B/D -> (input register) -> preadder or its bypass -> (ADREG) ->
  // multiplier -> (MREG) -> ALU -> (PREG). Without the multiplier A:B and
  // C feed the ALU directly.
  auto ab_chain = [&](bool through_preadder, bool in_reg, const char* reg_name) {
    std::vector<Stage> s;
    s.push_back({0.0, in_reg, reg_name});
    if (mult) {
      s.push_back({through_preadder ? pre : pre_mux, through_preadder && r("ADREG"), "ADREG"});
      s.push_back({mult_stage, r("MREG"), "MREG"});
    }
    s.push_back({alu, r("PREG"), "PREG"});
    return s;
  };
  const bool a_through = preadder && !pre_from_b;
  const bool b_through = preadder && pre_from_b;
  b.cap(ps.get("ACIN"), 0);
  b.cap(ps.get("BCIN"), 0);
  b.cap(ps.get("PCIN"), 0);
  b.cap(ps.get("CARRYCASCIN"), 0);
  b.cap(ps.get("MULTSIGNIN"), 0);
  chain(ps.get("A"), in_ab, ab_chain(a_through, r("AREG"), "AREG"));
  chain(ps.get("ACIN"), in_ab + casc_net, ab_chain(a_through, r("AREG"), "AREG"));
  chain(ps.get("B"), in_ab, ab_chain(b_through, r("BREG"), "BREG"));
  chain(ps.get("BCIN"), in_ab + casc_net, ab_chain(b_through, r("BREG"), "BREG"));
  if (preadder) chain(ps.get("D"), d.ns("dsp48e2.in_d"), ab_chain(true, r("DREG"), "DREG"));
  chain(ps.get("C"), d.ns("dsp48e2.in_c"), {{0.0, r("CREG"), "CREG"}, {alu, r("PREG"), "PREG"}});
  chain(concat({ps.get("PCIN"), ps.get("CARRYCASCIN"), ps.get("MULTSIGNIN")}), casc_net,
        {{alu, r("PREG"), "PREG"}});
  // Control inputs select the ALU function: their own register, then the ALU.
  chain(ps.get("OPMODE"), in_ab, {{0.0, r("OPMODEREG"), "OPMODEREG"}, {alu, r("PREG"), "PREG"}});
  chain(ps.get("ALUMODE"), in_ab, {{0.0, r("ALUMODEREG"), "ALUMODEREG"}, {alu, r("PREG"), "PREG"}});
  chain(ps.get("CARRYIN"), in_ab, {{0.0, r("CARRYINREG"), "CARRYINREG"}, {alu, r("PREG"), "PREG"}});
  chain(ps.get("CARRYINSEL"), in_ab,
        {{0.0, r("CARRYINSELREG"), "CARRYINSELREG"}, {alu, r("PREG"), "PREG"}});
  chain(ps.get("INMODE"), in_ab, ab_chain(true, r("INMODEREG"), "INMODEREG"));
  if (clk_to_alu_out >= 0 && has_clk) {
    b.clk_out(clk, falling, alu_out, clk_to_alu_out + out_p);
    b.clk_out(clk, falling, casc_out, clk_to_alu_out + out_c);
  }
  // A/B cascade outputs leave after the A/B input registers (ACASCREG).
  for (const char* x : {"A", "B"}) {
    const auto out = ps.get(std::string(x) + "COUT");
    if (out.empty()) continue;
    const bool reg = r(x[0] == 'A' ? "AREG" : "BREG");
    if (reg && has_clk) {
      b.clk_out(clk, falling, out, clk_q + out_c);
    } else {
      b.comb(ps.get(x), out, in_ab + out_c);
      b.comb(ps.get(std::string(x) + "CIN"), out, in_ab + casc_net + out_c);
    }
  }
  // Clock enables and resets of the registers.
  std::vector<std::string> ctl;
  for (const auto& [base, pins] : ps.by_base)
    if ((starts_with(base, "CE") || starts_with(base, "RST")) && !ps.output.at(pins.front()))
      ctl.insert(ctl.end(), pins.begin(), pins.end());
  if (has_clk) b.setup(clk, falling, ctl, in_ab + su);
}

// ---- Block RAM: port A pins are timed to CLKARDCLK, port B pins to
// CLKBWRCLK (UG573 port names of RAMB18E2/RAMB36E2).
char bram_port(const std::string& base) {
  static const std::set<std::string> a = {
      "ADDRARDADDR", "DINADIN", "DINPADINP", "ENARDEN", "REGCEAREGCE", "RSTRAMARSTRAM",
      "RSTREGARSTREG", "WEA", "ADDRENA", "CASDIMUXA", "CASDOMUXA", "CASDOMUXEN_A",
      "CASOREGIMUXA", "CASOREGIMUXEN_A", "DOUTADOUT", "DOUTPADOUTP", "CASDOUTA", "CASDOUTPA",
      "CASDINA", "CASDINPA", "SLEEP", "ECCPIPECE", "INJECTDBITERR", "INJECTSBITERR",
      "CASINDBITERR", "CASINSBITERR"};
  return a.count(base) ? 'A' : 'B';
}

void bram_arcs(ArcBuilder& b, const nlohmann::json& p, const DelayModel& d) {
  const PinSet& ps = b.ps;
  const bool fall_a = param_int(p, "IS_CLKARDCLK_INVERTED", 0);
  const bool fall_b = param_int(p, "IS_CLKBWRCLK_INVERTED", 0);
  const bool reg_a = param_int(p, "DOA_REG", 1), reg_b = param_int(p, "DOB_REG", 1);
  for (const auto& [base, pins] : ps.by_base) {
    if (base == "CLKARDCLK" || base == "CLKBWRCLK") continue;
    const char port = bram_port(base);
    const std::string clk = port == 'A' ? "CLKARDCLK" : "CLKBWRCLK";
    if (!ps.has(clk)) continue;
    const bool fall = port == 'A' ? fall_a : fall_b;
    if (ps.output.at(pins.front())) {
      const bool reg = port == 'A' ? reg_a : reg_b;
      b.clk_out(clk, fall, pins, d.ns(reg ? "bram.clk_to_do_reg" : "bram.clk_to_do"));
      continue;
    }
    const char* key = starts_with(base, "ADDR")    ? "bram.setup_addr"
                      : starts_with(base, "DIN")   ? "bram.setup_din"
                      : starts_with(base, "WE")    ? "bram.setup_we"
                      : starts_with(base, "EN")    ? "bram.setup_en"
                      : starts_with(base, "REGCE") ? "bram.setup_regce"
                      : starts_with(base, "RST")   ? "bram.setup_rst"
                                                   : "bram.setup_din";
    b.setup(clk, fall, pins, d.ns(key));
  }
}

// ---- Distributed RAM: write on WCLK, asynchronous read.
void lutram_arcs(ArcBuilder& b, const std::string& type, const nlohmann::json& p,
                 const DelayModel& d) {
  const PinSet& ps = b.ps;
  const bool fall = param_int(p, "IS_WCLK_INVERTED", 0);
  const bool multi = type.find('M') != std::string::npos && type.find("X1") == std::string::npos;
  std::vector<std::string> outs;
  for (const auto& [base, pins] : ps.by_base)
    if (ps.output.at(pins.front())) outs.insert(outs.end(), pins.begin(), pins.end());
  if (ps.has("WCLK")) b.clk_out("WCLK", fall, outs, d.ns("lutram.clk_to_out"));
  const double rd = d.ns("lutram.read_addr_to_out");
  // The write port's address: ADDRD (RAM32M/RAM64M), ADDRH (RAM32M16/RAM64M8), A* otherwise.
  const std::string write_addr = type == "RAM32M16" || type == "RAM64M8" ? "ADDRH" : "ADDRD";
  for (const auto& [base, pins] : ps.by_base) {
    if (ps.output.at(pins.front()) || base == "WCLK") continue;
    if (starts_with(base, "WE")) {
      if (ps.has("WCLK")) b.setup("WCLK", fall, pins, d.ns("lutram.setup_we"));
    } else if (multi && starts_with(base, "ADDR")) {
      // ADDRx reads port x (DOx); the last port's address is also the write address.
      b.comb(pins, ps.get("DO" + base.substr(4)), rd);
      if (base == write_addr && ps.has("WCLK"))
        b.setup("WCLK", fall, pins, d.ns("lutram.setup_addr"));
    } else if (starts_with(base, "DPRA")) {
      b.comb(pins, ps.get("DPO"), rd);
    } else if (base == "A" || (base.size() >= 2 && base[0] == 'A' && std::isdigit(static_cast<unsigned char>(base[1])))) {
      b.comb(pins, concat({ps.get("SPO"), ps.get("O")}), rd);
      if (ps.has("WCLK")) b.setup("WCLK", fall, pins, d.ns("lutram.setup_addr"));
    } else if (base == "D" || starts_with(base, "DI")) {
      if (ps.has("WCLK")) b.setup("WCLK", fall, pins, d.ns("lutram.setup_data"));
    } else {
      throw_error("timing: {} pin '{}' has no timing model", type, base);
    }
  }
}

void srl_arcs(ArcBuilder& b, const nlohmann::json& p, const DelayModel& d) {
  const PinSet& ps = b.ps;
  const bool fall = param_int(p, "IS_CLK_INVERTED", 0);
  if (!ps.has("CLK")) return;
  b.clk_out("CLK", fall, ps.get("Q"), d.ns("srl.clk_to_q"));
  b.clk_out("CLK", fall, concat({ps.get("Q15"), ps.get("Q31")}), d.ns("srl.clk_to_q31"));
  for (const auto& [base, pins] : ps.by_base) {
    if (base == "A" || (base.size() == 2 && base[0] == 'A')) b.comb(pins, ps.get("Q"), d.ns("srl.addr_to_q"));
  }
  b.setup("CLK", fall, ps.get("D"), d.ns("srl.setup_d"));
  b.setup("CLK", fall, ps.get("CE"), d.ns("srl.setup_ce"));
}

// Builds the Liberty cell of one configuration from the pins it uses.
LibCell make_lib_cell(const Cell& cell, const PinSet& ps, const DelayModel& d) {
  LibCell c;
  c.name = cell.lib_cell;
  c.type = cell.type;
  c.pin_output = ps.output;
  for (const auto& [pin, out] : ps.output)
    if (!out) c.pin_cap[pin] = 1.0;
  ArcBuilder b{c, ps};
  const std::string& t = cell.type;
  const nlohmann::json& p = cell.params;
  std::vector<std::string> inputs;
  for (const auto& [pin, out] : ps.output)
    if (!out) inputs.push_back(pin);
  if (is_lut(t)) {
    b.comb(inputs, ps.get("O"), d.ns("lut." + t));
  } else if (t == "MUXF7" || t == "MUXF8" || t == "MUXF9") {
    b.comb(concat({ps.get("I0"), ps.get("I1")}), ps.get("O"), d.ns("muxf." + t + "_data"));
    b.comb(ps.get("S"), ps.get("O"), d.ns("muxf." + t + "_select"));
    b.cap(concat({ps.get("I0"), ps.get("I1")}), 0);
  } else if (t == "CARRY8" || t == "CARRY4") {
    // Bit j of S/DI only reaches outputs i >= j (O[j] from S[j] itself, CO
    // from j up); CI reaches every output, CI_TOP the upper half (DUAL_CY4).
    auto bits = [&](const std::string& base) {
      std::map<int, std::string> m;
      for (const Pin& pin : cell.pins)
        if (pin.base == base) m[pin.bit] = pin.name;
      return m;
    };
    const auto S = bits("S"), DI = bits("DI"), O = bits("O"), CO = bits("CO");
    for (const auto& [j, s] : S) {
      for (const auto& [i, o] : O)
        if (i >= j) b.comb({s}, {o}, d.ns("carry8.S_to_O"));
      for (const auto& [i, co] : CO)
        if (i >= j) b.comb({s}, {co}, d.ns("carry8.S_to_CO"));
    }
    for (const auto& [j, di] : DI) {
      for (const auto& [i, o] : O)
        if (i > j) b.comb({di}, {o}, d.ns("carry8.DI_to_O"));
      for (const auto& [i, co] : CO)
        if (i >= j) b.comb({di}, {co}, d.ns("carry8.DI_to_CO"));
    }
    for (const auto& [i, o] : O) {
      b.comb(ps.get("CI"), {o}, d.ns("carry8.CI_to_O"));
      if (i >= 4) b.comb(ps.get("CI_TOP"), {o}, d.ns("carry8.CI_to_O"));
    }
    // A CARRY4 (Yosys 0.23's xcup carry cell) is half of Vivado's CARRY8.
    const double ci_co = d.ns(t == "CARRY4" ? "carry8.CI_to_CO4" : "carry8.CI_to_CO");
    for (const auto& [i, co] : CO) {
      b.comb(concat({ps.get("CI"), ps.get("CYINIT")}), {co}, ci_co);
      if (i >= 4) b.comb(ps.get("CI_TOP"), {co}, ci_co);
    }
    for (const auto& [i, o] : O) b.comb(ps.get("CYINIT"), {o}, d.ns("carry8.CI_to_O"));
    b.cap(ps.get("CI"), 0);
    b.cap(ps.get("S"), 0);
  } else if (is_ff(t)) {
    const bool fall = param_int(p, "IS_C_INVERTED", 0);
    if (ps.has("C")) {
      b.clk_out("C", fall, ps.get("Q"), d.ns("ff.clk_to_q"));
      b.setup("C", fall, ps.get("D"), d.ns("ff.setup_d"));
      b.setup("C", fall, ps.get("CE"), d.ns("ff.setup_ce"));
      b.setup("C", fall, concat({ps.get("R"), ps.get("S")}), d.ns("ff.setup_sr"));
      b.setup("C", fall, concat({ps.get("CLR"), ps.get("PRE")}), d.ns("ff.recovery_async"), true);
    }
  } else if (t == "DSP48E2") {
    dsp_arcs(b, p, d, param_int(p, "IS_CLK_INVERTED", 0));
  } else if (is_bram(t)) {
    bram_arcs(b, p, d);
  } else if (is_lutram(t)) {
    lutram_arcs(b, t, p, d);
  } else if (is_srl(t)) {
    srl_arcs(b, p, d);
  } else if (t == "INV") {
    // Unate arcs: a clock through a buffer keeps its edge (a non-unate arc
    // would also propagate the opposite edge and time half-cycle paths).
    for (const auto& o : ps.get("O"))
      for (const auto& i : ps.get("I")) c.arcs.push_back({ArcKind::CombNegative, i, o, d.ns("misc.inv")});
    b.cap(ps.get("I"), 0);
  } else if (t == "BUF" || t == "BUFG" || t == "BUFGCE" || t == "BUFG_PS") {
    for (const auto& o : ps.get("O"))
      for (const auto& i : ps.get("I"))
        c.arcs.push_back({ArcKind::CombPositive, i, o, d.ns(t == "BUF" ? "misc.buf" : "misc.bufg")});
  } else if (t == "VCC" || t == "GND") {
    // Constant drivers: no arcs.
  } else {
    throw_error(
        "timing: no timing model for cell type '{}' (instance '{}'); the xcup delay model knows "
        "LUT1-6, MUXF7/8/9, CARRY4/CARRY8, FDRE/FDSE/FDCE/FDPE, DSP48E2, RAMB18E2/RAMB36E2, "
        "RAM32M/RAM64M/RAM32X1D/... LUTRAM, SRL16E/SRLC32E, INV, BUF, BUFG, VCC, GND",
        t, cell.name);
  }
  for (const char* clkpin : {"C", "CLK", "WCLK", "CLKARDCLK", "CLKBWRCLK"})
    if (ps.has(clkpin) && (is_ff(t) || t == "DSP48E2" || is_bram(t) || is_lutram(t) || is_srl(t)))
      c.clock_pins.insert(clkpin);
  return c;
}

// ---- Liberty text.
std::string lib_number(double v) { return fmt::format("{:.6f}", v); }

std::string write_liberty(const std::vector<LibCell>& cells, const DelayModel& d) {
  std::string s;
  s += "/* Generated by llamaf from " + d.where() + " (" + d.name() +
       "); load = fanout (every routed input pin has capacitance 1). */\n";
  s += "library (llamaf_" + d.name() + ") {\n";
  s += "  delay_model : table_lookup;\n  time_unit : \"1ns\";\n  voltage_unit : \"1V\";\n";
  s += "  current_unit : \"1mA\";\n  pulling_resistance_unit : \"1kohm\";\n";
  s += "  leakage_power_unit : \"1nW\";\n  capacitive_load_unit (1, pf);\n";
  s += "  nom_process : 1; nom_voltage : 0.85; nom_temperature : 100;\n";
  s += "  input_threshold_pct_rise : 50; input_threshold_pct_fall : 50;\n";
  s += "  output_threshold_pct_rise : 50; output_threshold_pct_fall : 50;\n";
  s += "  slew_lower_threshold_pct_rise : 20; slew_lower_threshold_pct_fall : 20;\n";
  s += "  slew_upper_threshold_pct_rise : 80; slew_upper_threshold_pct_fall : 80;\n";
  s += "  default_max_transition : 1000;\n";
  std::string idx, zeros;
  for (std::size_t i = 0; i < d.net_fanout().size(); ++i) {
    idx += (i ? ", " : "") + lib_number(d.net_fanout()[i]);
    zeros += (i ? ", " : "") + std::string("0");
  }
  s += "  lu_table_template (fanout) { variable_1 : total_output_net_capacitance; index_1 (\"" +
       idx + "\"); }\n";
  // Delay to an output pin = arc delay + the net hop it drives.
  auto table = [&](double ns) {
    std::string v;
    for (std::size_t i = 0; i < d.net_fanout().size(); ++i)
      v += (i ? ", " : "") + lib_number(ns + d.net_values()[i]);
    return v;
  };
  auto delay_group = [&](const std::string& related, const char* type_line, double ns) {
    std::string g = "      timing () {\n        related_pin : \"" + related + "\";\n";
    g += type_line;
    g += "        cell_rise (fanout) { values (\"" + table(ns) + "\"); }\n";
    g += "        cell_fall (fanout) { values (\"" + table(ns) + "\"); }\n";
    g += "        rise_transition (fanout) { values (\"" + zeros + "\"); }\n";
    g += "        fall_transition (fanout) { values (\"" + zeros + "\"); }\n      }\n";
    return g;
  };
  for (const LibCell& c : cells) {
    s += "  cell (" + c.name + ") {\n";
    // Group arcs by (target pin, kind, value) so related_pin lists many pins.
    std::map<std::string, std::map<std::pair<int, std::string>, std::vector<std::string>>> by_pin;
    for (const Arc& a : c.arcs)
      by_pin[a.to][{static_cast<int>(a.kind), lib_number(a.ns)}].push_back(a.from);
    for (const auto& [pin, out] : c.pin_output) {
      s += "    pin (" + pin + ") {\n      direction : " + (out ? "output" : "input") + ";\n";
      if (!out) {
        auto it = c.pin_cap.find(pin);
        s += "      capacitance : " + lib_number(it == c.pin_cap.end() ? 1.0 : it->second) + ";\n";
        if (c.clock_pins.count(pin)) s += "      clock : true;\n";
      }
      auto arcs = by_pin.find(pin);
      if (arcs != by_pin.end()) {
        for (const auto& [key, from] : arcs->second) {
          std::string related;
          for (const auto& f : from) related += (related.empty() ? "" : " ") + f;
          const ArcKind kind = static_cast<ArcKind>(key.first);
          const double ns = std::stod(key.second);
          switch (kind) {
            case ArcKind::Comb:
              s += delay_group(related, "        timing_sense : non_unate;\n", ns);
              break;
            case ArcKind::CombPositive:
              s += delay_group(related, "        timing_sense : positive_unate;\n", ns);
              break;
            case ArcKind::CombNegative:
              s += delay_group(related, "        timing_sense : negative_unate;\n", ns);
              break;
            case ArcKind::RisingEdge:
              s += delay_group(related, "        timing_type : rising_edge;\n", ns);
              break;
            case ArcKind::FallingEdge:
              s += delay_group(related, "        timing_type : falling_edge;\n", ns);
              break;
            default: {
              const char* tt = kind == ArcKind::SetupRising      ? "setup_rising"
                               : kind == ArcKind::SetupFalling   ? "setup_falling"
                               : kind == ArcKind::RecoveryRising ? "recovery_rising"
                                                                 : "recovery_falling";
              s += "      timing () {\n        related_pin : \"" + related +
                   "\";\n        timing_type : " + tt + ";\n";
              s += "        rise_constraint (scalar) { values (\"" + key.second + "\"); }\n";
              s += "        fall_constraint (scalar) { values (\"" + key.second + "\"); }\n      }\n";
            }
          }
        }
      }
      s += "    }\n";
    }
    s += "  }\n";
  }
  s += "}\n";
  return s;
}

struct Netlist {
  std::string top;
  std::vector<Cell> cells;
  // Top ports, one entry per bit: scalar name, Yosys port, bit, direction, net.
  struct PortBit {
    std::string name, port;
    int bit;
    bool output;
    long net;
  };
  std::vector<PortBit> ports;
  std::map<long, std::string> net_name;  // readable name of a bit
};

Netlist read_netlist(const nlohmann::json& j) {
  Netlist n;
  const nlohmann::json* top = nullptr;
  if (!j.contains("modules") || !j["modules"].is_object())
    throw Error("timing: the Yosys netlist has no 'modules'");
  for (const auto& [name, m] : j["modules"].items()) {
    auto a = m.find("attributes");
    if (a != m.end() && a->contains("top")) {
      const auto& v = (*a)["top"];
      const bool is_top = v.is_string() ? v.get<std::string>().find('1') != std::string::npos
                                        : v.is_number() && v.get<long>() != 0;
      if (is_top) {
        top = &m;
        n.top = name;
      }
    }
  }
  if (!top) throw Error("timing: the Yosys netlist has no top module (attribute 'top')");
  auto bit_id = [](const nlohmann::json& b) -> long { return b.is_number() ? b.get<long>() : -1; };
  for (const auto& [name, p] : (*top)["ports"].items()) {
    const auto& bits = p.at("bits");
    const bool out = p.at("direction").get<std::string>() == "output";
    for (std::size_t i = 0; i < bits.size(); ++i)
      n.ports.push_back({scalar_pin(name, static_cast<int>(i), static_cast<int>(bits.size())), name,
                         static_cast<int>(i), out, bit_id(bits[i])});
  }
  // Readable names of each bit: public before hidden ($...), then register
  // names (lowRISC `_q`), then the shortest.
  if (top->contains("netnames")) {
    auto score = [](const std::string& label, bool hidden) {
      const std::size_t br = label.find('[');
      const std::string stem = label.substr(0, br);
      const bool reg = stem.size() > 2 && stem.compare(stem.size() - 2, 2, "_q") == 0;
      return std::make_tuple(hidden || label[0] == '$' ? 1 : 0, reg ? 0 : 1, label.size());
    };
    std::map<long, std::tuple<int, int, std::size_t>> best;
    for (const auto& [name, nn] : (*top)["netnames"].items()) {
      const bool hidden = nn.value("hide_name", 0) != 0;
      const auto& bits = nn.at("bits");
      for (std::size_t i = 0; i < bits.size(); ++i) {
        const long b = bit_id(bits[i]);
        if (b < 0) continue;
        const std::string label = bits.size() == 1 ? name : fmt::format("{}[{}]", name, i);
        const auto sc = score(label, hidden);
        auto it = best.find(b);
        if (it == best.end() || sc < it->second) {
          best[b] = sc;
          n.net_name[b] = label;
        }
      }
    }
  }
  for (const auto& [name, c] : (*top)["cells"].items()) {
    Cell cell;
    cell.name = name;
    cell.type = c.at("type").get<std::string>();
    if (!cell.type.empty() && cell.type[0] == '\\') cell.type.erase(0, 1);
    if (!cell.type.empty() && cell.type[0] == '$')
      throw_error("timing: cell '{}' is an unmapped Yosys cell '{}'; the netlist must be "
                  "technology-mapped (synth_xilinx)", name, cell.type);
    cell.params = c.value("parameters", nlohmann::json::object());
    if (auto a = c.find("attributes"); a != c.end() && a->contains("src"))
      cell.src = (*a)["src"].get<std::string>();
    const auto dirs = c.value("port_directions", nlohmann::json::object());
    for (const auto& [port, bits] : c.at("connections").items()) {
      auto dir = dirs.find(port);
      if (dir == dirs.end())
        throw_error("timing: cell '{}' ({}) has no direction for port '{}'", name, cell.type, port);
      const bool out = dir->get<std::string>() == "output";
      for (std::size_t i = 0; i < bits.size(); ++i)
        cell.pins.push_back({scalar_pin(port, static_cast<int>(i), static_cast<int>(bits.size())),
                             port, static_cast<int>(i), out, bit_id(bits[i])});
    }
    cell.lib_cell = lib_cell_name(cell.type, cell.params);
    n.cells.push_back(std::move(cell));
  }
  return n;
}

// Clock ports: top inputs that reach a clock pin directly or through clock buffers.
std::vector<std::string> find_clock_ports(const Netlist& n) {
  std::map<long, long> buf_in;  // BUFG output bit -> input bit
  for (const Cell& c : n.cells) {
    if (!starts_with(c.type, "BUFG")) continue;
    long in = -1, out = -1;
    for (const Pin& p : c.pins) {
      if (p.base == "I") in = p.net;
      if (p.base == "O") out = p.net;
    }
    if (in >= 0 && out >= 0) buf_in[out] = in;
  }
  std::set<long> clk_bits;
  for (const Cell& c : n.cells)
    for (const Pin& p : c.pins) {
      if (p.output || p.net < 0) continue;
      const bool clk = (is_ff(c.type) && p.base == "C") ||
                       ((c.type == "DSP48E2" || is_srl(c.type)) && p.base == "CLK") ||
                       (is_lutram(c.type) && p.base == "WCLK") ||
                       (is_bram(c.type) && (p.base == "CLKARDCLK" || p.base == "CLKBWRCLK"));
      if (!clk) continue;
      long b = p.net;
      for (int hops = 0; hops < 4 && buf_in.count(b); ++hops) b = buf_in[b];
      clk_bits.insert(b);
    }
  std::vector<std::string> out;
  for (const auto& pb : n.ports)
    if (!pb.output && clk_bits.count(pb.net)) out.push_back(pb.name);
  return out;
}

std::string net_ident(long b) { return fmt::format("n{}", b); }

// A readable name for a cell: its own name if public, else the net on its
// first output (a register is known by the signal it holds: "acc_q[3]").
std::string cell_display(const Cell& c, const Netlist& n) {
  if (!c.name.empty() && c.name[0] != '$') return c.name;
  for (const Pin& p : c.pins)
    if (p.output && p.net >= 0) {
      auto it = n.net_name.find(p.net);
      if (it != n.net_name.end() && it->second[0] != '$') return it->second;
    }
  return c.name;
}

// The design's own source location in a Yosys src attribute ("a.sv:3.1-4.2|
// /usr/share/yosys/xilinx/ff_map.v:..."): the first entry outside Yosys's
// techmap library.
std::string design_src(const std::string& src) {
  std::size_t pos = 0;
  while (pos <= src.size()) {
    const std::size_t bar = src.find('|', pos);
    const std::string part = src.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos);
    if (part.find("/share/yosys/") == std::string::npos) return part;
    if (bar == std::string::npos) break;
    pos = bar + 1;
  }
  return "";
}

// Structural Verilog for OpenSTA: instance c<i> of the configuration cell,
// nets n<bit>, scalar ports.
std::string write_verilog(const Netlist& n, std::map<long, std::string>& port_of_bit) {
  std::string s = "module " + std::string("top") + " (";
  bool first = true;
  for (const auto& pb : n.ports) {
    s += (first ? "" : ", ") + pb.name;
    first = false;
  }
  s += ");\n";
  for (const auto& pb : n.ports) {
    s += (pb.output ? "  output " : "  input ") + pb.name + ";\n";
    if (pb.net >= 0 && !port_of_bit.count(pb.net)) port_of_bit[pb.net] = pb.name;
  }
  std::set<long> nets;
  for (const Cell& c : n.cells)
    for (const Pin& p : c.pins)
      if (p.net >= 0 && !port_of_bit.count(p.net)) nets.insert(p.net);
  for (long b : nets) s += "  wire " + net_ident(b) + ";\n";
  for (std::size_t i = 0; i < n.cells.size(); ++i) {
    const Cell& c = n.cells[i];
    s += fmt::format("  {} c{} (", c.lib_cell, i);
    bool f = true;
    for (const Pin& p : c.pins) {
      if (p.net < 0) continue;
      auto it = port_of_bit.find(p.net);
      s += fmt::format("{}.{}({})", f ? "" : ", ", p.name,
                       it != port_of_bit.end() ? it->second : net_ident(p.net));
      f = false;
    }
    s += ");\n";
  }
  s += "endmodule\n";
  return s;
}

std::string tcl_quote(const std::string& s) {
  std::string o = "{";
  for (char c : s) {
    if (c == '{' || c == '}' || c == '\\') throw_error("timing: path '{}' cannot be quoted for Tcl", s);
    o += c;
  }
  return o + "}";
}

// One row of OpenSTA's `report_checks -format full -fields {capacitance}`.
struct ReportRow {
  bool has_cap = false;
  double cap = 0, incr = 0, time = 0;
  std::string pin, cell;  // pin rows
  std::string text;       // other rows ("library setup time", ...)
};

std::vector<ReportRow> parse_rows(const std::vector<std::string>& lines) {
  static const std::regex pin_row(
      R"(^\s*(?:(-?\d+\.\d+)\s+)?(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+[\^v]\s+(\S+)\s+\(([^)]*)\)\s*$)");
  static const std::regex text_row(R"(^\s*(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+([A-Za-z].*?)\s*$)");
  std::vector<ReportRow> rows;
  for (const std::string& l : lines) {
    std::smatch m;
    ReportRow r;
    if (std::regex_match(l, m, pin_row)) {
      r.has_cap = m[1].matched;
      if (r.has_cap) r.cap = std::stod(m[1]);
      r.incr = std::stod(m[2]);
      r.time = std::stod(m[3]);
      r.pin = m[4];
      r.cell = m[5];
      rows.push_back(r);
    } else if (std::regex_match(l, m, text_row)) {
      r.incr = std::stod(m[1]);
      r.time = std::stod(m[2]);
      r.text = m[3];
      rows.push_back(r);
    }
  }
  return rows;
}

}  // namespace

TimingResult time_netlist(const nlohmann::json& yosys_netlist, const DelayModel& d,
                          const TimingOptions& opt) {
  const Netlist n = read_netlist(yosys_netlist);
  TimingResult res;
  res.delay_model = d.name();

  // One Liberty cell per configuration, with the union of the pins its
  // instances use.
  std::map<std::string, PinSet> pinsets;
  std::map<std::string, const Cell*> example;
  for (const Cell& c : n.cells) {
    PinSet& ps = pinsets[c.lib_cell];
    example.emplace(c.lib_cell, &c);
    for (const Pin& p : c.pins) {
      auto& v = ps.by_base[p.base];
      if (std::find(v.begin(), v.end(), p.name) == v.end()) v.push_back(p.name);
      ps.output[p.name] = p.output;
    }
  }
  // Pin lists in bit order (A_0, A_1, ... not A_0, A_1, A_10).
  for (auto& [name, ps] : pinsets) {
    const Cell* c = example[name];
    for (auto& [base, v] : ps.by_base) {
      std::map<std::string, int> bit;
      for (const Cell& cc : n.cells) {
        if (cc.lib_cell != name) continue;
        for (const Pin& p : cc.pins)
          if (p.base == base) bit[p.name] = p.bit;
        break;
      }
      (void)c;
      std::sort(v.begin(), v.end(), [&](const std::string& a, const std::string& b) {
        auto ia = bit.find(a), ib = bit.find(b);
        if (ia != bit.end() && ib != bit.end()) return ia->second < ib->second;
        return a < b;
      });
    }
  }
  std::vector<LibCell> lib;
  double internal_ns = 0;
  std::string internal_what;
  bool has_dsp = false;
  for (const auto& [name, ps] : pinsets) {
    Cell merged = *example[name];
    merged.pins.clear();
    for (const Cell& cc : n.cells)
      if (cc.lib_cell == name)
        for (const Pin& p : cc.pins)
          if (std::none_of(merged.pins.begin(), merged.pins.end(),
                           [&](const Pin& q) { return q.name == p.name; }))
            merged.pins.push_back(p);
    lib.push_back(make_lib_cell(merged, ps, d));
    if (lib.back().internal_ns > internal_ns) {
      internal_ns = lib.back().internal_ns;
      internal_what = lib.back().internal_what;
    }
    if (merged.type == "DSP48E2") has_dsp = true;
  }

  std::vector<std::string> clocks = opt.clocks;
  if (clocks.empty()) clocks = find_clock_ports(n);
  if (clocks.empty())
    throw Error("timing: no clock found: no top-level input drives a register's clock pin "
                "(give the clock port with --clock)");
  for (const std::string& ck : clocks) {
    const bool known = std::any_of(n.ports.begin(), n.ports.end(),
                                   [&](const auto& pb) { return pb.name == ck && !pb.output; });
    if (!known) throw_error("timing: clock '{}' is not an input port of '{}'", ck, n.top);
  }
  res.clock = fmt::format("{}", fmt::join(clocks, " "));

  std::error_code ec;
  fs::create_directories(opt.work_dir, ec);
  if (ec) throw_error("{}: cannot create: {}", opt.work_dir.string(), ec.message());
  const fs::path lib_file = opt.work_dir / "cells.lib", v_file = opt.work_dir / "netlist.v",
                 sdc_file = opt.work_dir / "clock.sdc", tcl_file = opt.work_dir / "sta.tcl",
                 log_file = opt.work_dir / "sta.log", rpt_file = opt.work_dir / "path.rpt";
  std::map<long, std::string> port_of_bit;
  auto write = [](const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw_error("{}: cannot write", p.string());
  };
  write(lib_file, write_liberty(lib, d));
  write(v_file, write_verilog(n, port_of_bit));
  // A 10 ns period: the minimum period is read from the slack, so the value
  // only has to be a valid clock. Registers only: I/O paths are unconstrained.
  std::string sdc;
  for (std::size_t i = 0; i < clocks.size(); ++i)
    sdc += fmt::format("create_clock -name clk{} -period 10 [get_ports {{{}}}]\n", i, clocks[i]);
  sdc += fmt::format("set_clock_uncertainty {} [all_clocks]\n", d.ns("clock.uncertainty"));
  if (clocks.size() > 1) {
    sdc += "set_clock_groups -asynchronous";
    for (std::size_t i = 0; i < clocks.size(); ++i) sdc += fmt::format(" -group clk{}", i);
    sdc += "\n";
  }
  write(sdc_file, sdc);
  write(tcl_file, "read_liberty " + tcl_quote(lib_file.string()) + "\nread_verilog " +
                      tcl_quote(v_file.string()) + "\nlink_design top\nread_sdc " +
                      tcl_quote(sdc_file.string()) +
                      "\nreport_checks -path_delay max -format full -fields {capacitance} "
                      "-digits 4 -group_count 1 -endpoint_count 1 > " +
                      tcl_quote(rpt_file.string()) + "\n");
  fs::remove(rpt_file, ec);
  // Run in the work folder: OpenSTA leaves a .history_sta file in its
  // current directory.
  auto sh_quote = [](const std::string& x) {
    std::string q = "'";
    for (char ch : x) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
  };
  if (!find_program(opt.sta) && !fs::exists(opt.sta))
    throw_error("timing: OpenSTA '{}' not found (Debian package 'opensta')", opt.sta);
  const ProcessResult pr = run_process(
      {"/bin/sh", "-c",
       "cd " + sh_quote(opt.work_dir.string()) + " && exec " + sh_quote(opt.sta) +
           " -no_splash -exit " + sh_quote(tcl_file.string())},
      log_file, 0);
  std::string first_error;
  {
    std::ifstream in(log_file);
    std::string line;
    while (std::getline(in, line))
      if (first_error.empty() && (starts_with(line, "Error") || line.find("ERROR") != std::string::npos))
        first_error = line;
  }
  if (!pr.exited_ok() || !first_error.empty() || !fs::exists(rpt_file))
    throw_error("timing: OpenSTA failed ({}): {} (log: {})", pr.describe(0),
                first_error.empty() ? last_line(log_file) : first_error, log_file.string());

  // ---- The report.
  std::vector<std::string> lines;
  {
    std::ifstream in(rpt_file);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  std::string start, end;
  for (const std::string& l : lines) {
    if (starts_with(l, "Startpoint: ")) start = l.substr(12, l.find(' ', 12) - 12);
    if (starts_with(l, "Endpoint: ")) end = l.substr(10, l.find(' ', 10) - 10);
  }
  if (start.empty() || end.empty()) {
    res.has_path = false;
    res.limit = "no register-to-register path";
    return res;
  }
  // Instance c<i> -> cell; pin -> net bit.
  auto resolve = [&](const std::string& pin, PathElement& e) {
    const auto slash = pin.find('/');
    if (slash == std::string::npos) {
      e.pin = pin;
      e.cell_type = "port";
      for (const auto& pb : n.ports)
        if (pb.name == pin) {
          e.pin = fmt::format("{}[{}]", pb.port, pb.bit);
          if (pb.net >= 0 && n.net_name.count(pb.net)) e.net = n.net_name.at(pb.net);
        }
      return;
    }
    const std::string inst = pin.substr(0, slash), pname = pin.substr(slash + 1);
    const std::size_t idx = std::stoul(inst.substr(1));
    const Cell& c = n.cells.at(idx);
    e.pin = cell_display(c, n) + "/" + pname;
    e.cell_type = c.type;
    e.lib_cell = c.lib_cell;
    e.src = design_src(c.src);
    for (const Pin& p : c.pins)
      if (p.name == pname && p.net >= 0) {
        auto it = n.net_name.find(p.net);
        e.net = it != n.net_name.end() ? it->second : net_ident(p.net);
      }
  };
  CriticalPath& cp = res.critical_path;
  // Sections of the report: launch clock rows, the data path (pin rows up
  // to "data arrival time"), then the capture side (uncertainty, setup),
  // then the slack.
  enum { kBefore, kData, kRequired } section = kBefore;
  double slack = 0;
  bool slack_seen = false;
  static const std::regex slack_row(R"(^\s*(-?\d+\.\d+)\s+slack\s.*$)");
  for (const std::string& l : lines) {
    std::smatch m;
    if (l.find("data arrival time") != std::string::npos) {
      section = kRequired;
      continue;
    }
    if (std::regex_match(l, m, slack_row)) {
      slack = std::stod(m[1]);
      slack_seen = true;
      continue;
    }
    const std::vector<ReportRow> one = parse_rows({l});
    if (one.empty()) continue;
    const ReportRow& r = one.front();
    if (!r.text.empty()) {
      if (section == kBefore && r.text.find("clock network delay") != std::string::npos)
        section = kData;
      if (section == kRequired && r.text.find("clock uncertainty") != std::string::npos)
        cp.uncertainty_ns = -r.incr;
      if (section == kRequired && (r.text.find("library setup time") != std::string::npos ||
                                   r.text.find("library recovery time") != std::string::npos))
        cp.setup_ns = -r.incr;
      continue;
    }
    if (section != kData) continue;
    PathElement e;
    resolve(r.pin, e);
    e.is_output = r.has_cap;
    e.incr_ns = r.incr;
    e.arrival_ns = r.time;
    if (r.has_cap) {
      e.fanout = r.cap;
      e.net_ns = d.net_ns(r.cap);
    }
    cp.elements.push_back(e);
  }
  if (cp.elements.empty() || !slack_seen)
    throw_error("timing: cannot read OpenSTA's path report {}", rpt_file.string());
  // Breakdown: the first output pin is the launching element's clock-to-out.
  bool first_out = true;
  for (std::size_t i = 0; i < cp.elements.size(); ++i) {
    const PathElement& e = cp.elements[i];
    if (!e.is_output) {
      // Input pins: wire delays annotated on the pin (none in this model).
      cp.net_ns += e.incr_ns;
      continue;
    }
    cp.net_ns += e.net_ns;
    if (e.net_ns > 0) ++cp.net_hops;
    if (first_out) cp.clock_to_out_ns = e.incr_ns - e.net_ns;
    else cp.logic_ns += e.incr_ns - e.net_ns;
    if (!first_out) ++cp.cells[e.cell_type];
    first_out = false;
  }
  const PathElement& s0 = cp.elements.front();
  const PathElement& s1 = cp.elements.back();
  cp.startpoint = s0.pin;
  cp.start_type = s0.cell_type;
  cp.endpoint = s1.pin;
  cp.end_type = s1.cell_type;
  cp.total_ns = 10.0 - slack;
  res.has_path = true;
  res.period_ns = cp.total_ns;
  res.fmax_mhz = 1000.0 / cp.total_ns;
  res.limit = "path";
  // Register-to-register stages inside a DSP are invisible to the netlist.
  if (internal_ns > res.period_ns) {
    res.period_ns = internal_ns;
    res.fmax_mhz = 1000.0 / internal_ns;
    res.limit = internal_what;
  }
  if (has_dsp && d.mhz("dsp48e2.fmax_all_regs") < res.fmax_mhz) {
    res.fmax_mhz = d.mhz("dsp48e2.fmax_all_regs");
    res.period_ns = 1000.0 / res.fmax_mhz;
    res.limit = "DSP48E2 maximum frequency (DS925)";
  }
  return res;
}

}  // namespace llamaf::dse
