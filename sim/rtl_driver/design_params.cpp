// Reading an accelerator design's RTL parameters from its JSON, their
// legality rules, and the PARAMS registers a model built with them returns.
#include "sim/rtl_driver/design_params.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <filesystem>
#include <functional>
#include <limits>
#include <vector>

namespace llamaf::sim {

namespace {

bool is_pow2(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

// "interleaved" without a size: one DRAM row of the ZCU102's DDR4 under its
// psu_init address map (8 KiB of consecutive addresses per row and bank; the
// next 8 KiB lie in another bank group, docs/memory.md), so that P ports
// read P adjacent rows in P bank groups at once.
constexpr std::int64_t kDefaultInterleaveBytes = 8192;

// The value of each parameter by RTL name, widened so that a value beyond
// int (1e12) is judged by the rules rather than silently wrapped.
struct Values {
  std::int64_t v[kRtlParamNames.size()];
  std::int64_t operator()(const char* name) const {
    for (std::size_t i = 0; i < kRtlParamNames.size(); ++i)
      if (std::string_view(kRtlParamNames[i]) == name) return v[i];
    throw_error("internal: no RTL parameter {}", name);
  }
};

Values values_of(const DesignParams& p) {
  return {{p.num_pe, p.weight_bits, p.act_bits, p.group_size, static_cast<int>(p.scale_format),
           p.axi_data_bits, p.axi_addr_bits, p.weight_ports, p.max_outstanding,
           p.max_burst_beats, p.wgt_buf_words, p.act_buf_cols, p.out_buf_words,
           p.job_queue_depth}};
}

// One elaboration check of rtl/lf_top.sv ("Parameter legality"), in its order.
struct Rule {
  const char* param;  // the key reported
  const char* text;   // the rule, as docs/rtl.md states it
  std::function<bool(const Values&)> ok;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = {
      {"NumPe", "must be a power of two in 1..512",
       [](const Values& v) { return is_pow2(v("NumPe")) && v("NumPe") <= 512; }},
      {"NumPe", "must be <= GroupSize",
       [](const Values& v) { return v("NumPe") <= v("GroupSize"); }},
      {"WeightBits", "must be 2, 4 or 8",
       [](const Values& v) { return v("WeightBits") == 2 || v("WeightBits") == 4 || v("WeightBits") == 8; }},
      {"ActBits", "must be in 4..16",
       [](const Values& v) { return v("ActBits") >= 4 && v("ActBits") <= 16; }},
      {"GroupSize", "must be a power of two in 16..512",
       [](const Values& v) { return is_pow2(v("GroupSize")) && v("GroupSize") >= 16 && v("GroupSize") <= 512; }},
      {"ScaleFmt", "must be 0 (fp32), 1 (fp16) or 2 (bf16)",
       [](const Values& v) { return v("ScaleFmt") >= 0 && v("ScaleFmt") <= 2; }},
      {"AxiDataBits", "must be 64, 128, 256 or 512",
       [](const Values& v) {
         const auto b = v("AxiDataBits");
         return b == 64 || b == 128 || b == 256 || b == 512;
       }},
      {"AxiAddrBits", "must be in 32..64",
       [](const Values& v) { return v("AxiAddrBits") >= 32 && v("AxiAddrBits") <= 64; }},
      {"WeightPorts", "must be in 1..8",
       [](const Values& v) { return v("WeightPorts") >= 1 && v("WeightPorts") <= 8; }},
      {"MaxOutstanding", "must be in 1..32",
       [](const Values& v) { return v("MaxOutstanding") >= 1 && v("MaxOutstanding") <= 32; }},
      {"MaxBurstBeats", "must be a power of two in 1..256",
       [](const Values& v) { return is_pow2(v("MaxBurstBeats")) && v("MaxBurstBeats") <= 256; }},
      {"WgtBufWords", "must be >= MaxOutstanding * MaxBurstBeats (and >= 2)",
       [](const Values& v) {
         return v("WgtBufWords") >= v("MaxOutstanding") * v("MaxBurstBeats") && v("WgtBufWords") >= 2;
       }},
      {"ActBufCols", "must be a nonzero multiple of GroupSize",
       [](const Values& v) {
         return v("ActBufCols") > 0 && v("GroupSize") > 0 && v("ActBufCols") % v("GroupSize") == 0;
       }},
      {"OutBufWords", "must be >= 2", [](const Values& v) { return v("OutBufWords") >= 2; }},
      {"JobQueueDepth", "must be in 2..255",
       [](const Values& v) { return v("JobQueueDepth") >= 2 && v("JobQueueDepth") <= 255; }},
  };
  return r;
}

std::string rule_of(const char* param) {
  std::string s;
  for (const Rule& r : rules())
    if (std::string_view(r.param) == param) s += (s.empty() ? "" : ", ") + std::string(r.text);
  return s;
}

model::ScaleFormat scale_format_from(const config::JsonObject& rtl) {
  const nlohmann::json& v = rtl.get_raw("ScaleFmt");
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "fp32") return model::ScaleFormat::Fp32;
    if (s == "fp16") return model::ScaleFormat::Fp16;
    if (s == "bf16") return model::ScaleFormat::Bf16;
    throw_error("{}: expected 0, 1, 2, \"fp32\", \"fp16\" or \"bf16\", got \"{}\"", rtl.at("ScaleFmt"), s);
  }
  if (!v.is_number_integer())
    throw_error("{}: expected 0, 1, 2, \"fp32\", \"fp16\" or \"bf16\", got {}", rtl.at("ScaleFmt"), v.dump());
  const std::int64_t f = v.get<std::int64_t>();
  if (f < 0 || f > 2)
    throw_error("{} = {}: {} (docs/rtl.md)", rtl.at("ScaleFmt"), f, rule_of("ScaleFmt"));
  return static_cast<model::ScaleFormat>(f);
}

// "regions" -> 0; "interleaved" -> the default chunk; "interleaved:<bytes>".
std::int64_t parse_weight_layout(const config::JsonObject& root) {
  const nlohmann::json& v = root.get_raw("weight_layout");
  const std::string expected =
      "\"regions\", \"interleaved\" or \"interleaved:<chunk bytes>\" (a power of two, e.g. "
      "\"interleaved:8192\")";
  if (!v.is_string()) throw_error("{}: expected {}, got {}", root.at("weight_layout"), expected, v.dump());
  const std::string s = v.get<std::string>();
  if (s == "regions") return 0;
  if (s == "interleaved") return kDefaultInterleaveBytes;
  const std::string prefix = "interleaved:";
  if (s.rfind(prefix, 0) == 0) {
    const std::string n = s.substr(prefix.size());
    std::int64_t bytes = 0;
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), bytes);
    if (ec == std::errc() && end == n.data() + n.size() && bytes > 0 &&
        std::has_single_bit(static_cast<std::uint64_t>(bytes)) && bytes <= (std::int64_t{1} << 31))
      return bytes;
    throw_error("{}: \"{}\": the chunk must be a power of two up to 2^31 bytes (expected {})",
                root.at("weight_layout"), s, expected);
  }
  throw_error("{}: expected {}, got \"{}\"", root.at("weight_layout"), expected, s);
}

}  // namespace

std::string DesignParams::weight_layout() const {
  return weight_chunk_bytes == 0 ? std::string("regions")
                                 : fmt::format("interleaved:{}", weight_chunk_bytes);
}

int DesignParams::burst_bytes() const {
  return std::min(max_burst_beats * axi_bytes(), 4096);
}

model::QuantSpec DesignParams::quant_spec() const {
  model::QuantSpec s;
  s.weight_bits = weight_bits;
  s.act_bits = act_bits;
  s.group_size = group_size;
  s.scale_format = scale_format;
  return s;
}

DesignParams design_params_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw_error("{}: a design must be a JSON object, got {}", where, j.type_name());
  const config::JsonObject root(j, where, "");
  DesignParams p;
  p.name = root.get_string("name", "");
  p.description = root.get_string("description", "");
  p.check_throughput = root.get_bool("tb_check_throughput", true);
  if (root.has("clock_mhz")) {
    p.clock_mhz = root.get_number("clock_mhz");
    if (!(p.clock_mhz > 0)) throw_error("{}: expected a clock in MHz > 0, got {}", root.at("clock_mhz"), p.clock_mhz);
  }
  if (root.has("ps_ports")) {
    // An array of names, or the same as one comma-separated string
    // ("HP0,HP2,HP3", as `llamaf membench --ports` takes it): a sweep
    // parameter's values are scalars, so port maps are swept as strings.
    const nlohmann::json& v = root.get_raw("ps_ports");
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      std::size_t begin = 0;
      while (true) {
        const std::size_t comma = s.find(',', begin);
        const std::string name = s.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
        if (name.empty())
          throw_error("{}: expected PS port names separated by commas (\"HP0,HP2\"), got \"{}\"",
                      root.at("ps_ports"), s);
        p.ps_ports.push_back(name);
        if (comma == std::string::npos) break;
        begin = comma + 1;
      }
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
          throw_error("{}[{}]: expected a PS port name (\"HP0\"), got {}", root.at("ps_ports"), i, v[i].dump());
        p.ps_ports.push_back(v[i].get<std::string>());
      }
    } else {
      throw_error("{}: expected an array of PS port names or a comma-separated string, got {}",
                  root.at("ps_ports"), v.dump());
    }
  }
  if (root.has("weight_layout")) p.weight_chunk_bytes = parse_weight_layout(root);
  // An RTL parameter at the top level is a misplaced key, not an unknown one.
  for (const char* name : kRtlParamNames)
    if (j.contains(name))
      throw_error("{}: lf_top parameters belong in the \"rtl\" object (rtl.{})", root.at(name), name);
  const config::JsonObject rtl = root.get_object_or_empty("rtl");
  int* const fields[] = {&p.num_pe,         &p.weight_bits,     &p.act_bits,      &p.group_size,
                         nullptr,           &p.axi_data_bits,   &p.axi_addr_bits, &p.weight_ports,
                         &p.max_outstanding, &p.max_burst_beats, &p.wgt_buf_words, &p.act_buf_cols,
                         &p.out_buf_words,  &p.job_queue_depth};
  for (std::size_t i = 0; i < kRtlParamNames.size(); ++i) {
    const char* name = kRtlParamNames[i];
    if (!rtl.has(name)) continue;
    if (!fields[i]) {
      p.scale_format = scale_format_from(rtl);
      continue;
    }
    const std::int64_t v = rtl.get_int64(name);
    // The RTL parameters are 32-bit; a value beyond int is illegal for every
    // rule, so report the rule rather than an overflow.
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      throw_error("{} = {}: {} (docs/rtl.md)", rtl.at(name), v, rule_of(name));
    *fields[i] = static_cast<int>(v);
  }
  rtl.reject_unknown();
  root.reject_unknown();
  return p;
}

void check_rtl_legality(const DesignParams& p, const std::string& where, bool quantizer_only) {
  const Values v = values_of(p);
  for (const Rule& r : rules()) {
    if (quantizer_only && std::string_view(r.param) == "WeightBits") {
      if (v("WeightBits") >= 2 && v("WeightBits") <= 8) continue;
      throw_error("{}: rtl.WeightBits = {}: must be in 2..8 (the C++ quantizer; the RTL does 2, 4 "
                  "or 8)", where, v("WeightBits"));
    }
    if (!r.ok(v)) {
      std::string related;
      if (std::string_view(r.text).find("GroupSize") != std::string_view::npos)
        related = fmt::format(" (GroupSize = {})", v("GroupSize"));
      if (std::string_view(r.text).find("MaxOutstanding") != std::string_view::npos)
        related = fmt::format(" (MaxOutstanding = {}, MaxBurstBeats = {})", v("MaxOutstanding"),
                              v("MaxBurstBeats"));
      throw_error("{}: rtl.{} = {}: {}{} (docs/rtl.md, the elaboration checks of rtl/lf_top.sv)",
                  where, r.param, v(r.param), r.text, related);
    }
  }
  // The LAYOUT register's rule (error 6): a chunk holds whole bursts.
  if (p.weight_chunk_bytes != 0 && p.weight_chunk_bytes < p.burst_bytes())
    throw_error("{}: weight_layout = \"{}\": the chunk must be at least one full burst, {} bytes "
                "(MaxBurstBeats = {} x {}-byte AXI words, at most 4 KiB; docs/arithmetic.md)",
                where, p.weight_layout(), p.burst_bytes(), p.max_burst_beats, p.axi_bytes());
}

nlohmann::json rtl_json(const DesignParams& p) {
  const Values v = values_of(p);
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < kRtlParamNames.size(); ++i) j[kRtlParamNames[i]] = v.v[i];
  return j;
}

std::array<std::uint32_t, 6> params_registers(const DesignParams& p) {
  // Field layout of rtl/lf_csr.sv (docs/rtl.md, "Registers").
  auto u = [](int v) { return static_cast<std::uint32_t>(v); };
  return {(u(static_cast<int>(p.scale_format)) & 0x3u) << 25 | (u(p.act_bits) & 0x1Fu) << 20 |
              (u(p.weight_bits) & 0xFu) << 16 | (u(p.num_pe) & 0xFFFFu),
          (u(p.weight_ports) & 0xFu) << 27 | (u(p.axi_data_bits) & 0x7FFu) << 16 |
              (u(p.group_size) & 0xFFFFu),
          u(p.act_buf_cols),
          (u(p.axi_addr_bits) & 0xFFu) << 24 | (u(p.job_queue_depth) & 0xFFu) << 16 |
              (u(p.max_burst_beats) & 0x1FFu) << 7 | (u(p.max_outstanding) & 0x3Fu),
          u(p.wgt_buf_words),
          u(p.out_buf_words)};
}

void check_compiled_params(const std::array<std::uint32_t, 6>& regs, const DesignParams& p,
                           const std::string& where) {
  if (regs == params_registers(p)) return;
  DesignParams c;  // the compiled parameters, decoded
  c.num_pe = int(regs[0] & 0xFFFFu);
  c.weight_bits = int(regs[0] >> 16 & 0xFu);
  c.act_bits = int(regs[0] >> 20 & 0x1Fu);
  c.scale_format = static_cast<model::ScaleFormat>(regs[0] >> 25 & 0x3u);
  c.group_size = int(regs[1] & 0xFFFFu);
  c.axi_data_bits = int(regs[1] >> 16 & 0x7FFu);
  c.weight_ports = int(regs[1] >> 27 & 0xFu);
  c.act_buf_cols = int(regs[2]);
  c.max_outstanding = int(regs[3] & 0x3Fu);
  c.max_burst_beats = int(regs[3] >> 7 & 0x1FFu);
  c.job_queue_depth = int(regs[3] >> 16 & 0xFFu);
  c.axi_addr_bits = int(regs[3] >> 24 & 0xFFu);
  c.wgt_buf_words = int(regs[4]);
  c.out_buf_words = int(regs[5]);
  const nlohmann::json a = rtl_json(c), b = rtl_json(p);
  std::string diff, compiled, file;
  for (const auto& [k, v] : a.items()) {
    compiled += fmt::format("{}{}={}", compiled.empty() ? "" : " ", k, v.dump());
    file += fmt::format("{}{}={}", file.empty() ? "" : " ", k, b[k].dump());
    if (v != b[k]) diff += fmt::format("{}{} {} (compiled) vs {} (file)", diff.empty() ? "" : ", ", k, v.dump(), b[k].dump());
  }
  throw_error("{}: this simulator was built for other RTL parameters than the design file's: {}. "
              "Compiled into the model (PARAMS registers): {}. Design file: {}. Run it through "
              "`llamaf sim --design FILE`, which picks (or builds) the simulator of exactly these "
              "parameters", where, diff, compiled, file);
}

DesignParams load_design_params(const std::string& path) {
  DesignParams p = design_params_from_json(config::read_json_file(path), path);
  if (p.name.empty()) p.name = std::filesystem::path(path).stem().string();
  check_rtl_legality(p, path);
  return p;
}

}  // namespace llamaf::sim
