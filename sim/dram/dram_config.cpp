// DDR4 configuration: validation, the board-JSON "memory" reader, and the
// conversion of JEDEC timings to command-clock cycles.
#include "sim/dram/dram_config.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace llamaf::dram {

const char* to_string(AddressMapping m) {
  switch (m) {
    case AddressMapping::RowBankCol: return "row_bank_col";
    case AddressMapping::BankRowCol: return "bank_row_col";
    case AddressMapping::RowColBank: return "row_col_bank";
  }
  return "?";
}

const char* to_string(PagePolicy p) { return p == PagePolicy::Open ? "open" : "closed"; }

const char* to_string(WriteResponse w) {
  return w == WriteResponse::OnAccept ? "on_accept" : "on_data";
}

std::uint64_t DramConfig::capacity_bytes() const {
  return static_cast<std::uint64_t>(channels) * ranks * bank_groups * banks_per_group *
         static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(row_bytes);
}

double DramConfig::peak_bandwidth_gbps() const {
  return static_cast<double>(data_rate_mts) * 1e6 * (bus_width_bits / 8) * channels / 1e9;
}

namespace {

bool is_pow2(long long v) { return v > 0 && (v & (v - 1)) == 0; }

void check_int(const std::string& where, const char* key, long long v, long long lo, long long hi,
               bool pow2 = false) {
  if (v < lo || v > hi || (pow2 && !is_pow2(v)))
    throw_error("{}.{} must be {}in [{}, {}], got {}", where, key,
                pow2 ? "a power of two " : "", lo, hi, v);
}

void check_ns(const std::string& where, const char* key, double v, double hi) {
  if (!(v > 0.0) || !(v <= hi))
    throw_error("{}.{} must be in (0, {}] ns, got {}", where, key, hi, v);
}

}  // namespace

void DramConfig::validate(const std::string& where) const {
  if (standard != "DDR4")
    throw_error("{}.standard must be \"DDR4\" (the only modelled standard), got \"{}\"", where,
                standard);
  // Odd rates are allowed: DDR4-2133 is 2133.33 MT/s (a 1066.67 MHz clock),
  // which 2133 MT/s (1066.5 MHz) approximates to 0.02 %.
  check_int(where, "data_rate_mts", data_rate_mts, 400, 8000);
  check_int(where, "bus_width_bits", bus_width_bits, 8, 512, true);
  check_int(where, "channels", channels, 1, 16, true);
  check_int(where, "ranks", ranks, 1, 8, true);
  check_int(where, "bank_groups", bank_groups, 1, 8, true);
  check_int(where, "banks_per_group", banks_per_group, 1, 16, true);
  check_int(where, "rows", rows, 2, 1 << 20, true);
  check_int(where, "burst_length", burst_length, 2, 16, true);
  check_int(where, "row_bytes", row_bytes, burst_bytes(), 1 << 20, true);

  const std::string tw = where + ".timing";
  check_int(tw, "CL_ck", timing.CL_ck, 1, 64);
  check_int(tw, "CWL_ck", timing.CWL_ck, 1, timing.CL_ck + burst_length / 2 + 1);
  check_int(tw, "tCCD_S_ck", timing.tCCD_S_ck, 1, 32);
  check_int(tw, "tRTRS_ck", timing.tRTRS_ck, 0, 32);
  check_ns(tw, "tRCD_ns", timing.tRCD_ns, 1000);
  check_ns(tw, "tRP_ns", timing.tRP_ns, 1000);
  check_ns(tw, "tRAS_ns", timing.tRAS_ns, 1000);
  check_ns(tw, "tRC_ns", timing.tRC_ns, 1000);
  check_ns(tw, "tRRD_S_ns", timing.tRRD_S_ns, 1000);
  check_ns(tw, "tRRD_L_ns", timing.tRRD_L_ns, 1000);
  check_ns(tw, "tFAW_ns", timing.tFAW_ns, 1000);
  check_ns(tw, "tCCD_L_ns", timing.tCCD_L_ns, 1000);
  check_ns(tw, "tWTR_S_ns", timing.tWTR_S_ns, 1000);
  check_ns(tw, "tWTR_L_ns", timing.tWTR_L_ns, 1000);
  check_ns(tw, "tRTP_ns", timing.tRTP_ns, 1000);
  check_ns(tw, "tWR_ns", timing.tWR_ns, 1000);
  check_ns(tw, "tRFC_ns", timing.tRFC_ns, 5000);
  check_ns(tw, "tREFI_ns", timing.tREFI_ns, 1e6);
  if (timing.tREFI_ns <= timing.tRFC_ns + timing.tRP_ns)
    throw_error("{}.tREFI_ns must exceed tRFC_ns + tRP_ns = {} ns, got {}", tw,
                timing.tRFC_ns + timing.tRP_ns, timing.tREFI_ns);

  const std::string cw = where + ".controller";
  check_int(cw, "read_queue_depth", controller.read_queue_depth, 1, 4096);
  check_int(cw, "write_queue_depth", controller.write_queue_depth, 1, 4096);
  check_int(cw, "write_high_watermark", controller.write_high_watermark, 1,
            controller.write_queue_depth);
  check_int(cw, "write_low_watermark", controller.write_low_watermark, 0,
            controller.write_high_watermark - 1);
  check_int(cw, "frontend_latency_ck", controller.frontend_latency_ck, 0, 100000);
  if (capacity_bytes() > (std::uint64_t{1} << 48))
    throw_error("{}: capacity {} bytes exceeds the 2^48-byte address space", where,
                capacity_bytes());
}

DramConfig dram_config_from_json(const JsonObject& o) {
  DramConfig c;
  o.allow({"description", "source", "part", "notes"});
  c.standard = o.get_string("standard", c.standard);
  c.data_rate_mts = o.get_int("data_rate_mts");
  c.bus_width_bits = o.get_int("bus_width_bits");
  c.channels = o.get_int("channels", c.channels);
  c.ranks = o.get_int("ranks", c.ranks);
  c.bank_groups = o.get_int("bank_groups");
  c.banks_per_group = o.get_int("banks_per_group");
  c.rows = o.get_int("rows");
  c.row_bytes = o.get_int("row_bytes");
  c.burst_length = o.get_int("burst_length", c.burst_length);

  const JsonObject t = o.get_object_or_empty("timing");
  t.allow({"description", "source", "notes"});
  DramTimingConfig& tc = c.timing;
  tc.CL_ck = t.get_int("CL_ck", tc.CL_ck);
  tc.CWL_ck = t.get_int("CWL_ck", tc.CWL_ck);
  tc.tCCD_S_ck = t.get_int("tCCD_S_ck", tc.tCCD_S_ck);
  tc.tRTRS_ck = t.get_int("tRTRS_ck", tc.tRTRS_ck);
  tc.tRCD_ns = t.get_number("tRCD_ns", tc.tRCD_ns);
  tc.tRP_ns = t.get_number("tRP_ns", tc.tRP_ns);
  tc.tRAS_ns = t.get_number("tRAS_ns", tc.tRAS_ns);
  tc.tRC_ns = t.get_number("tRC_ns", tc.tRC_ns);
  tc.tRRD_S_ns = t.get_number("tRRD_S_ns", tc.tRRD_S_ns);
  tc.tRRD_L_ns = t.get_number("tRRD_L_ns", tc.tRRD_L_ns);
  tc.tFAW_ns = t.get_number("tFAW_ns", tc.tFAW_ns);
  tc.tCCD_L_ns = t.get_number("tCCD_L_ns", tc.tCCD_L_ns);
  tc.tWTR_S_ns = t.get_number("tWTR_S_ns", tc.tWTR_S_ns);
  tc.tWTR_L_ns = t.get_number("tWTR_L_ns", tc.tWTR_L_ns);
  tc.tRTP_ns = t.get_number("tRTP_ns", tc.tRTP_ns);
  tc.tWR_ns = t.get_number("tWR_ns", tc.tWR_ns);
  tc.tRFC_ns = t.get_number("tRFC_ns", tc.tRFC_ns);
  tc.tREFI_ns = t.get_number("tREFI_ns", tc.tREFI_ns);
  t.read_sources();
  t.reject_unknown();

  const JsonObject k = o.get_object_or_empty("controller");
  k.allow({"description", "source", "notes"});
  DramControllerConfig& cc = c.controller;
  if (k.has("address_mapping")) {
    const std::string s = k.get_string("address_mapping");
    if (s == "row_bank_col") cc.address_mapping = AddressMapping::RowBankCol;
    else if (s == "bank_row_col") cc.address_mapping = AddressMapping::BankRowCol;
    else if (s == "row_col_bank") cc.address_mapping = AddressMapping::RowColBank;
    else
      throw_error("{} must be one of row_bank_col, bank_row_col, row_col_bank, got \"{}\"",
                  k.at("address_mapping"), s);
  }
  if (k.has("page_policy")) {
    const std::string s = k.get_string("page_policy");
    if (s == "open") cc.page_policy = PagePolicy::Open;
    else if (s == "closed") cc.page_policy = PagePolicy::Closed;
    else throw_error("{} must be open or closed, got \"{}\"", k.at("page_policy"), s);
  }
  if (k.has("write_response")) {
    const std::string s = k.get_string("write_response");
    if (s == "on_accept") cc.write_response = WriteResponse::OnAccept;
    else if (s == "on_data") cc.write_response = WriteResponse::OnData;
    else throw_error("{} must be on_accept or on_data, got \"{}\"", k.at("write_response"), s);
  }
  cc.read_queue_depth = k.get_int("read_queue_depth", cc.read_queue_depth);
  cc.write_queue_depth = k.get_int("write_queue_depth", cc.write_queue_depth);
  cc.write_high_watermark = k.get_int("write_high_watermark", cc.write_high_watermark);
  cc.write_low_watermark = k.get_int("write_low_watermark", cc.write_low_watermark);
  cc.frontend_latency_ck = k.get_int("frontend_latency_ck", cc.frontend_latency_ck);
  cc.refresh_enabled = k.get_bool("refresh_enabled", cc.refresh_enabled);
  k.read_sources();
  k.reject_unknown();

  o.read_sources();
  o.reject_unknown();
  c.validate(o.where() + ": " + (o.path().empty() ? std::string("memory") : o.path()));
  return c;
}

DramConfig dram_config_from_json(const nlohmann::json& j, const std::string& where,
                                 const std::string& path) {
  return dram_config_from_json(JsonObject(j, where, path));
}

nlohmann::json to_json(const DramConfig& c) {
  const DramTimingConfig& t = c.timing;
  const DramControllerConfig& k = c.controller;
  return {{"standard", c.standard},
          {"data_rate_mts", c.data_rate_mts},
          {"bus_width_bits", c.bus_width_bits},
          {"channels", c.channels},
          {"ranks", c.ranks},
          {"bank_groups", c.bank_groups},
          {"banks_per_group", c.banks_per_group},
          {"rows", c.rows},
          {"row_bytes", c.row_bytes},
          {"burst_length", c.burst_length},
          {"timing",
           {{"CL_ck", t.CL_ck}, {"CWL_ck", t.CWL_ck}, {"tCCD_S_ck", t.tCCD_S_ck},
            {"tRTRS_ck", t.tRTRS_ck}, {"tRCD_ns", t.tRCD_ns}, {"tRP_ns", t.tRP_ns},
            {"tRAS_ns", t.tRAS_ns}, {"tRC_ns", t.tRC_ns}, {"tRRD_S_ns", t.tRRD_S_ns},
            {"tRRD_L_ns", t.tRRD_L_ns}, {"tFAW_ns", t.tFAW_ns}, {"tCCD_L_ns", t.tCCD_L_ns},
            {"tWTR_S_ns", t.tWTR_S_ns}, {"tWTR_L_ns", t.tWTR_L_ns}, {"tRTP_ns", t.tRTP_ns},
            {"tWR_ns", t.tWR_ns}, {"tRFC_ns", t.tRFC_ns}, {"tREFI_ns", t.tREFI_ns}}},
          {"controller",
           {{"address_mapping", to_string(k.address_mapping)},
            {"page_policy", to_string(k.page_policy)},
            {"read_queue_depth", k.read_queue_depth},
            {"write_queue_depth", k.write_queue_depth},
            {"write_high_watermark", k.write_high_watermark},
            {"write_low_watermark", k.write_low_watermark},
            {"write_response", to_string(k.write_response)},
            {"frontend_latency_ck", k.frontend_latency_ck},
            {"refresh_enabled", k.refresh_enabled}}}};
}

int ns_to_ck(double ns, double tck_ns) {
  return static_cast<int>(std::floor(ns / tck_ns + 0.974));
}

DramTiming derive_timing(const DramConfig& c) {
  const DramTimingConfig& t = c.timing;
  const double tck = c.tck_ns();
  DramTiming d;
  d.tBL = c.burst_length / 2;
  d.CL = t.CL_ck;
  d.CWL = t.CWL_ck;
  d.tCCD_S = t.tCCD_S_ck;
  d.tCCD_L = std::max({ns_to_ck(t.tCCD_L_ns, tck), 4, d.tCCD_S});
  d.tRCD = ns_to_ck(t.tRCD_ns, tck);
  d.tRP = ns_to_ck(t.tRP_ns, tck);
  d.tRAS = ns_to_ck(t.tRAS_ns, tck);
  d.tRC = ns_to_ck(t.tRC_ns, tck);
  d.tRRD_S = std::max(ns_to_ck(t.tRRD_S_ns, tck), 4);
  d.tRRD_L = std::max(ns_to_ck(t.tRRD_L_ns, tck), 4);
  d.tFAW = ns_to_ck(t.tFAW_ns, tck);
  d.tWTR_S = std::max(ns_to_ck(t.tWTR_S_ns, tck), 2);
  d.tWTR_L = std::max(ns_to_ck(t.tWTR_L_ns, tck), 4);
  d.tRTP = std::max(ns_to_ck(t.tRTP_ns, tck), 4);
  d.tWR = ns_to_ck(t.tWR_ns, tck);
  d.tRFC = ns_to_ck(t.tRFC_ns, tck);
  d.tREFI = static_cast<int>(std::floor(t.tREFI_ns / tck));  // an average period: round down
  d.tRTRS = t.tRTRS_ck;
  d.tRTW = d.CL + d.tBL + 2 - d.CWL;
  return d;
}

nlohmann::json to_json(const DramTiming& t) {
  return {{"tBL", t.tBL},       {"CL", t.CL},         {"CWL", t.CWL},       {"tCCD_S", t.tCCD_S},
          {"tCCD_L", t.tCCD_L}, {"tRCD", t.tRCD},     {"tRP", t.tRP},       {"tRAS", t.tRAS},
          {"tRC", t.tRC},       {"tRRD_S", t.tRRD_S}, {"tRRD_L", t.tRRD_L}, {"tFAW", t.tFAW},
          {"tWTR_S", t.tWTR_S}, {"tWTR_L", t.tWTR_L}, {"tRTP", t.tRTP},     {"tWR", t.tWR},
          {"tRFC", t.tRFC},     {"tREFI", t.tREFI},   {"tRTRS", t.tRTRS},   {"tRTW", t.tRTW}};
}

}  // namespace llamaf::dram
