// FPGA resources and estimated Fmax of a design point: Yosys `synth_xilinx
// -family xcup` of the accelerator RTL with the design's parameters, then
// OpenSTA over the mapped netlist (explorer/timing.h), cached by a hash of the
// RTL sources, the parameters, the synthesis script and the delay file.
#pragma once

#include "explorer/timing.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace llamaf::dse {

// Cell counts of a synthesized netlist, grouped the way an FPGA report is.
// Not in any group (but in `cells`): INV (Vivado folds inverters into the
// neighbouring LUTs or inverted pins), MUXF7/8/9, BUFG.
struct SynthResources {
  std::int64_t lut = 0;     // LUT1..LUT6 logic cells
  std::int64_t ff = 0;      // FDRE/FDSE/FDCE/FDPE (and latches)
  std::int64_t dsp = 0;     // DSP48E2
  std::int64_t bram36 = 0;  // RAMB36E2
  std::int64_t bram18 = 0;  // RAMB18E2
  std::int64_t lutram = 0;  // LUTs used as distributed RAM (RAM32M = 4, RAM64X1D = 2, ...)
  std::int64_t srl = 0;     // SRL16E/SRLC32E shift registers (one LUT each)
  std::int64_t carry = 0;   // CARRY4/CARRY8 carry chains
  std::map<std::string, std::int64_t> cells;  // every cell type, as Yosys counted it

  bool operator==(const SynthResources&) const = default;
};

// Groups Yosys cell counts (type -> count) into SynthResources.
SynthResources classify_cells(const std::map<std::string, std::int64_t>& cells);
// Reads the "design" totals of `stat -json` output.
SynthResources resources_from_stat_json(const nlohmann::json& stat);

nlohmann::json to_json(const SynthResources& r);
SynthResources resources_from_json(const nlohmann::json& j, const std::string& where);

// The lf_top parameters of a design JSON that differ from lf_top's defaults
// (whether or not the file spells them out), as (RTL name, value) sorted by
// name (ScaleFmt names as 0/1/2): read by the one
// design reader
// (sim::design_params_from_json: unknown keys rejected) and checked by
// sim::check_rtl_legality, so illegal parameters never reach Yosys.
std::vector<std::pair<std::string, std::int64_t>> rtl_parameters(const nlohmann::json& design,
                                                                  const std::string& where);

struct SynthOptions {
  std::filesystem::path rtl_dir;    // folder of the *.sv sources
  std::filesystem::path cache_dir;  // empty: default_cache_dir()
  std::string yosys = "yosys";      // executable
  std::string top = "lf_top";
  bool use_cache = true;            // false: always run Yosys (the result is still stored)
  bool timing = true;               // also run the OpenSTA estimate
  bool abc9 = false;                // synth_xilinx -abc9 (timing-driven mapping; docs/timing.md)
  std::string sta = "sta";          // OpenSTA executable
  std::filesystem::path delay_file; // empty: default_delay_file()
  std::vector<std::string> clocks;  // clock ports; empty: found in the netlist
};

struct SynthResult {
  std::string design;  // name of the design (JSON "name" or file stem)
  std::vector<std::pair<std::string, std::int64_t>> parameters;
  SynthResources resources;
  // Estimated maximum clock of the mapped netlist (OpenSTA with the delay
  // file); 0 when timing was not run or the design has no register path.
  double fmax_mhz = 0;
  TimingResult timing;  // critical path and its breakdown
  std::string key;     // cache key: 16 hex digits
  bool from_cache = false;
  std::filesystem::path log;  // Yosys log of the run that produced the result
};

// default_dse_cache_dir()/synth: $LLAMAF_CACHE_DIR/synth if set, else
// $XDG_CACHE_HOME/llamaf/synth, else ~/.cache/llamaf/synth.
std::filesystem::path default_cache_dir();

// The Yosys script for the given sources and parameters; the mapped netlist
// goes to `netlist_json` (write_json) unless it is empty.
std::string synth_script(const std::vector<std::filesystem::path>& sources, const std::string& top,
                         const std::vector<std::pair<std::string, std::int64_t>>& params,
                         const std::filesystem::path& stat_json,
                         const std::filesystem::path& netlist_json = {}, bool abc9 = false);

// The RTL sources in read order: lf_pkg.sv (and other *_pkg.sv) first, then
// the remaining *.sv files by name. Throws if there are none.
std::vector<std::filesystem::path> rtl_sources(const std::filesystem::path& rtl_dir);

// Cache key of a synthesis: the design identity (explorer/design_identity.h:
// parameters and every source) with the script version and the top.
std::string synth_cache_key(const std::vector<std::filesystem::path>& sources,
                            const std::string& top,
                            const std::vector<std::pair<std::string, std::int64_t>>& params,
                            bool abc9 = false);

// Synthesizes the design in `design_json` (a configs/designs/*.json file),
// or returns the cached result. Throws llamaf::Error when the design cannot
// be read or Yosys fails (the message quotes the log's first error line).
SynthResult synthesize(const std::filesystem::path& design_json, const SynthOptions& opt);

// Synthesizes and times any Verilog/SystemVerilog design: `files` in the
// order given (include folders: the files' folders), `top` with `params`.
// The design's name is `top`. Same cache and errors as synthesize().
SynthResult synthesize_rtl(const std::vector<std::filesystem::path>& files, const std::string& top,
                           const std::vector<std::pair<std::string, std::int64_t>>& params,
                           const SynthOptions& opt);

}  // namespace llamaf::dse
