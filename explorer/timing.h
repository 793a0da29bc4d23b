// Static timing estimate of a Yosys-mapped UltraScale+ netlist: the netlist
// is rewritten with one Liberty cell per primitive configuration, the Liberty
// library is generated from the delay file (configs/timing/xcup-2.json) and
// OpenSTA finds the critical register-to-register path (docs/timing.md).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace llamaf::dse {

// The delay file: every leaf is {"ns": x, "source"|"estimate": why} (or
// {"mhz": f, ...} for a frequency cap). Values are read by dotted key.
class DelayModel {
 public:
  // Throws llamaf::Error naming the file if it is unreadable or a leaf has
  // neither a source nor an estimate.
  static DelayModel load(const std::filesystem::path& file);
  static DelayModel from_json(const nlohmann::json& j, const std::string& where);

  // Value of a leaf ("lut.LUT6", "ff.clk_to_q") in ns; throws naming the key.
  double ns(const std::string& key) const;
  double mhz(const std::string& key) const;
  // Net delay of one hop that drives `load` pins of capacitance 1 (piecewise
  // linear over net.fanout / net.ns, linear extrapolation beyond the last point).
  double net_ns(double load) const;
  const std::vector<double>& net_fanout() const { return net_fanout_; }
  const std::vector<double>& net_values() const { return net_ns_; }
  const std::string& name() const { return name_; }
  const std::string& where() const { return where_; }
  // Hash of the file's contents (part of the cache key).
  std::string digest() const { return digest_; }

 private:
  const nlohmann::json& leaf(const std::string& key) const;
  nlohmann::json j_;
  std::string where_, name_, digest_;
  std::vector<double> net_fanout_, net_ns_;
};

// One pin on the critical path, in order from the launching clock pin.
struct PathElement {
  std::string pin;        // "<instance>/<pin>" in Yosys names, or a port name
  std::string cell_type;  // Yosys primitive (FDRE, LUT6, DSP48E2, ...); "port" for ports
  std::string lib_cell;   // the configuration-specific Liberty cell (DSP48E2_A1B1...)
  std::string net;        // readable net on this pin (public name if one exists)
  std::string src;        // RTL source location of the cell (Yosys src attribute)
  bool is_output = false; // an output pin (the delay is the arc into it, with its net)
  double incr_ns = 0;     // delay added at this pin
  double arrival_ns = 0;  // time at this pin
  double fanout = 0;      // output pins: load driven (sinks with capacitance 1)
  double net_ns = 0;      // output pins: the net-hop part of incr_ns (0 for dedicated wires)
  bool operator==(const PathElement&) const = default;
};

struct CriticalPath {
  std::string startpoint;  // register/RAM/DSP clock pin or input port
  std::string start_type;  // cell type of the startpoint
  std::string endpoint;    // register/RAM/DSP data pin or output port
  std::string end_type;
  double clock_to_out_ns = 0;  // launching element's clock-to-out (without its net)
  double logic_ns = 0;         // combinational cell delays (without nets)
  double net_ns = 0;           // sum of net hops
  double setup_ns = 0;         // capture setup (or recovery) time
  double uncertainty_ns = 0;   // clock uncertainty
  double total_ns = 0;         // the sum of the five: the minimum clock period
  int net_hops = 0;            // nets with a routing delay (dedicated wires not counted)
  std::map<std::string, int> cells;  // cell types between start and end (exclusive)
  std::vector<PathElement> elements;
  bool operator==(const CriticalPath&) const = default;
};

struct TimingResult {
  bool has_path = false;     // false: no register-to-register path in the design
  double fmax_mhz = 0;       // 1000 / min period; 0 when !has_path
  double period_ns = 0;      // minimum clock period (critical path + setup + uncertainty)
  std::string clock;         // the clock port(s) constrained
  std::string delay_model;   // name of the delay file (xcup-2)
  std::string limit;         // "path", or the primitive cap that set fmax_mhz
  CriticalPath critical_path;
  bool operator==(const TimingResult&) const = default;
};

nlohmann::json to_json(const TimingResult& t);
TimingResult timing_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const CriticalPath& p);

struct TimingOptions {
  std::string sta = "sta";            // OpenSTA executable
  std::vector<std::string> clocks;    // clock ports; empty: found from the netlist
  std::filesystem::path work_dir;     // scratch folder for netlist, Liberty, SDC, logs
};

// The version of the netlist rewriting, Liberty generation and report
// parsing: part of every cache key.
extern const char* const kTimingFlowVersion;

// Times the top module of a Yosys `write_json` netlist. Throws llamaf::Error
// for an unknown primitive (naming it), no clock, or an OpenSTA failure
// (quoting its error).
TimingResult time_netlist(const nlohmann::json& yosys_netlist, const DelayModel& delays,
                          const TimingOptions& opt);

// The default delay file: $LLAMAF_TIMING_FILE, else <source>/configs/timing/xcup-2.json.
std::filesystem::path default_delay_file();

}  // namespace llamaf::dse
