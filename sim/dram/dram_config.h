// DDR4 memory-system configuration: organisation, JEDEC timings and
// controller policy, read from the "memory" section of a board JSON
// (docs/dram.md lists every key, unit, default and range). Defaults describe
// DDR4-2400 17-17-17 built from 8 Gb x16 devices on a 64-bit bus (the ZCU102
// PS DDR4 SODIMM).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace llamaf::config {
class JsonObject;
}  // namespace llamaf::config

namespace llamaf::dram {

using config::JsonObject;

// How a physical byte address is sliced into channel/rank/bank group/bank/
// row/column (docs/dram.md draws the bit layouts, LSB first after the burst
// offset):
//   RowBankCol  offset|channel|column|bank group|bank|rank|row  (UG1085 row-bank-column)
//   BankRowCol  offset|channel|column|row|bank group|bank|rank  (UG1085 bank-row-column)
//   RowColBank  offset|channel|bank group|bank|column|rank|row  (bursts rotate over banks)
enum class AddressMapping { RowBankCol, BankRowCol, RowColBank };
// Open: rows stay open until a conflict or refresh. Closed: a column command
// auto-precharges when no other queued request hits the same row.
enum class PagePolicy { Open, Closed };
// When a write request is reported complete: when it enters the write queue
// (posted write) or when its last burst's data has been driven on the bus.
enum class WriteResponse { OnAccept, OnData };

const char* to_string(AddressMapping m);
const char* to_string(PagePolicy p);
const char* to_string(WriteResponse w);

// JEDEC timings. Values JEDEC states in clocks are in command-clock cycles
// (`_ck`); values it states in time are in nanoseconds (`_ns`) and are
// converted with the JEDEC rounding rule (docs/dram.md) and nCK floors.
struct DramTimingConfig {
  int CL_ck = 17;       // READ to first data (CAS latency), DDR4-2400T
  int CWL_ck = 12;      // WRITE to first data (CAS write latency)
  int tCCD_S_ck = 4;    // column to column, different bank group
  int tRTRS_ck = 2;     // data-bus turnaround between ranks (controller setting)
  double tRCD_ns = 14.16;   // ACT to READ/WRITE
  double tRP_ns = 14.16;    // PRE to ACT
  double tRAS_ns = 32.0;    // ACT to PRE
  double tRC_ns = 46.16;    // ACT to ACT, same bank
  double tRRD_S_ns = 5.3;   // ACT to ACT, different bank group (2 KB page)
  double tRRD_L_ns = 6.4;   // ACT to ACT, same bank group (2 KB page)
  double tFAW_ns = 30.0;    // four-activate window (2 KB page)
  double tCCD_L_ns = 5.0;   // column to column, same bank group
  double tWTR_S_ns = 2.5;   // end of write data to READ, different bank group
  double tWTR_L_ns = 7.5;   // end of write data to READ, same bank group
  double tRTP_ns = 7.5;     // READ to PRE
  double tWR_ns = 15.0;     // end of write data to PRE (write recovery)
  double tRFC_ns = 350.0;   // REF to next command (8 Gb device, 1x mode)
  double tREFI_ns = 7800.0; // average refresh interval (0..85 C)
};

struct DramControllerConfig {
  AddressMapping address_mapping = AddressMapping::RowBankCol;
  PagePolicy page_policy = PagePolicy::Open;
  int read_queue_depth = 32;      // bursts
  int write_queue_depth = 32;     // bursts
  int write_high_watermark = 24;  // enter write drain at this many queued writes
  int write_low_watermark = 8;    // leave write drain at this many (if reads wait)
  WriteResponse write_response = WriteResponse::OnAccept;
  int frontend_latency_ck = 0;    // cycles from acceptance until schedulable
  bool refresh_enabled = true;
};

struct DramConfig {
  std::string standard = "DDR4";
  int data_rate_mts = 2400;   // transfers per second per pin, in millions
  int bus_width_bits = 64;    // data bus width of one channel
  int channels = 1;
  int ranks = 1;              // per channel
  int bank_groups = 2;        // per rank (x16 devices: 2, x4/x8: 4)
  int banks_per_group = 4;
  int rows = 65536;           // per bank
  int row_bytes = 8192;       // one row across the whole rank (page size x devices)
  int burst_length = 8;       // beats per column command (BL8)
  DramTimingConfig timing;
  DramControllerConfig controller;

  double tck_ns() const { return 2000.0 / data_rate_mts; }  // command clock = data rate / 2
  int burst_bytes() const { return bus_width_bits / 8 * burst_length; }
  int bursts_per_row() const { return row_bytes / burst_bytes(); }
  int banks_per_rank() const { return bank_groups * banks_per_group; }
  std::uint64_t capacity_bytes() const;
  double peak_bandwidth_gbps() const;  // GB/s (1e9 bytes/s), all channels

  // Throws llamaf::Error naming `where` + "." + the offending key path and the
  // allowed range, e.g. "zcu102.json: memory.timing.tRCD_ns must be in (0, 1000], got -1".
  void validate(const std::string& where) const;
};

// Reads a "memory" object. `obj` carries the file name and key path used in
// errors; unknown keys are rejected; the result is validated.
DramConfig dram_config_from_json(const JsonObject& obj);
DramConfig dram_config_from_json(const nlohmann::json& j, const std::string& where,
                                 const std::string& path = "memory");
nlohmann::json to_json(const DramConfig& c);

// Timings in command-clock cycles, as the controller uses them.
struct DramTiming {
  int tBL = 0;     // data-bus cycles per burst = burst_length / 2
  int CL = 0, CWL = 0;
  int tCCD_S = 0, tCCD_L = 0;
  int tRCD = 0, tRP = 0, tRAS = 0, tRC = 0;
  int tRRD_S = 0, tRRD_L = 0, tFAW = 0;
  int tWTR_S = 0, tWTR_L = 0, tRTP = 0, tWR = 0;
  int tRFC = 0, tREFI = 0;
  int tRTRS = 0;
  int tRTW = 0;    // READ to WRITE, same rank: CL + tBL + 2 - CWL (1 tCK preamble)
};

// JEDEC rounding (DDR4 SPD annex): nCK = floor(t / tCK + 0.974), i.e. round
// up unless within 2.6% of the lower integer.
int ns_to_ck(double ns, double tck_ns);
// Conversion plus JEDEC floors: tRRD >= 4, tCCD_L >= max(4, tCCD_S),
// tWTR_S >= 2, tWTR_L >= 4, tRTP >= 4 clocks.
DramTiming derive_timing(const DramConfig& c);
nlohmann::json to_json(const DramTiming& t);

}  // namespace llamaf::dram
