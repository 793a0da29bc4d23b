// The Zynq UltraScale+ PS memory path: AFI ports, interconnect latency, DDRC
// XPI queues and port arbiter in front of the DDR4 model (ps_memory.h).
#include "sim/dram/ps_memory.h"

#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace llamaf::dram {

const char* to_string(QosClass q) {
  switch (q) {
    case QosClass::BestEffort: return "best_effort";
    case QosClass::Video: return "video";
    case QosClass::LowLatency: return "low_latency";
  }
  return "?";
}

namespace {

QosClass qos_from_string(const std::string& s, const std::string& at) {
  if (s == "best_effort") return QosClass::BestEffort;
  if (s == "video") return QosClass::Video;
  if (s == "low_latency") return QosClass::LowLatency;
  throw_error("{} must be \"best_effort\", \"video\" or \"low_latency\", got \"{}\"", at, s);
}

void check(const std::string& where, const char* key, long long v, long long lo, long long hi) {
  if (v < lo || v > hi) throw_error("{}.{} must be in [{}, {}], got {}", where, key, lo, hi, v);
}

void check_ns(const std::string& where, const char* key, double v) {
  if (!(v >= 0.0 && v <= 100000.0))
    throw_error("{}.{} must be in [0, 100000] ns, got {}", where, key, v);
}

}  // namespace

// ------------------------------------------------------------------ config

int PsConfig::port_index(const std::string& name) const {
  for (std::size_t i = 0; i < ports.size(); ++i)
    if (ports[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> PsConfig::default_port_map(int n) const {
  if (n < 1 || n > static_cast<int>(default_port_order.size()))
    throw_error("a design with {} AXI ports needs a port map: the board's default_port_order "
                "lists {} ports",
                n, default_port_order.size());
  return {default_port_order.begin(), default_port_order.begin() + n};
}

std::vector<std::string> PsConfig::port_map(const std::vector<std::string>& ps_ports,
                                            int axi_ports, const std::string& where) const {
  if (ps_ports.empty()) {
    try {
      return default_port_map(axi_ports);
    } catch (const Error& e) {
      throw_error("{}: {}", where, e.what());
    }
  }
  std::string pl;  // the PL-side ports, for the messages
  for (const PsPortSpec& p : ports)
    if (p.name != "APU") pl += (pl.empty() ? "" : ", ") + p.name;
  if (static_cast<int>(ps_ports.size()) != axi_ports)
    throw_error("{}: ps_ports lists {} PS port{} but the design has {} AXI read port{} "
                "(rtl.WeightPorts); give exactly one PS port per AXI port",
                where, ps_ports.size(), ps_ports.size() == 1 ? "" : "s", axi_ports,
                axi_ports == 1 ? "" : "s");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ps_ports.size(); ++i) {
    const std::string& n = ps_ports[i];
    if (port_index(n) < 0 || n == "APU")
      throw_error("{}: ps_ports[{}] \"{}\" is not a PL-PS port of the board's PS (known: {})",
                  where, i, n, pl);
    for (const std::string& prev : out)
      if (prev == n) throw_error("{}: ps_ports[{}] {} is used twice", where, i, prev);
    out.push_back(n);
  }
  return out;
}

void PsConfig::validate(const std::string& where) const {
  if (ports.empty()) throw_error("{}.ports must list at least one port", where);
  for (std::size_t i = 0; i < default_port_order.size(); ++i)
    if (port_index(default_port_order[i]) < 0)
      throw_error("{}.default_port_order[{}]: no port named \"{}\"", where, i,
                  default_port_order[i]);
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const PsPortSpec& p = ports[i];
    const std::string w = fmt::format("{}.ports[{}]", where, i);
    if (p.name.empty()) throw_error("{}.name must not be empty", w);
    for (std::size_t j = 0; j < i; ++j)
      if (ports[j].name == p.name) throw_error("{}.name \"{}\" appears twice", w, p.name);
    if (p.data_bits != 32 && p.data_bits != 64 && p.data_bits != 128)
      throw_error("{}.data_bits must be 32, 64 or 128, got {}", w, p.data_bits);
    check(w, "xpi", p.xpi, 0, xpi_ports - 1);
  }
  check(where, "read_acceptance", read_acceptance, 1, 1024);
  check(where, "write_acceptance", write_acceptance, 1, 1024);
  check(where, "read_issuing", read_issuing, 1, 1024);
  check(where, "write_issuing", write_issuing, 1, 1024);
  check(where, "max_burst_beats", max_burst_beats, 1, 256);
  check(where, "read_fifo_beats", read_fifo_beats, max_burst_beats, 1 << 20);
  check(where, "write_fifo_beats", write_fifo_beats, max_burst_beats, 1 << 20);
  check(where, "boundary_bytes", boundary_bytes, 64, 1 << 20);
  if ((boundary_bytes & (boundary_bytes - 1)) != 0)
    throw_error("{}.boundary_bytes must be a power of two, got {}", where, boundary_bytes);
  check_ns(where, "request_latency_ns", request_latency_ns);
  check_ns(where, "response_latency_ns", response_latency_ns);
  check_ns(where, "write_response_latency_ns", write_response_latency_ns);
  check_ns(where, "cci_latency_ns", cci_latency_ns);
  check(where, "xpi_ports", xpi_ports, 1, 64);
  check(where, "xpi_queue_depth", xpi_queue_depth, 1, 4096);
  check(where, "hif_period_ck", hif_period_ck, 1, 64);
  check(where, "apu_outstanding", apu_outstanding, 1, 1024);
  check(where, "apu_line_bytes", apu_line_bytes, 16, 4096);
}

PsConfig ps_config_from_json(const JsonObject& o) {
  PsConfig c;
  o.allow({"notes", "description"});
  const nlohmann::json& ports = o.get_raw("ports");
  if (!ports.is_array()) throw_error("{}: expected an array of port objects", o.at("ports"));
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const JsonObject p(ports[i], o.where(), fmt::format("{}[{}]", o.key_path("ports"), i));
    PsPortSpec s;
    s.name = p.get_string("name");
    s.data_bits = p.get_int("data_bits", s.data_bits);
    s.xpi = p.get_int("xpi");
    s.coherent = p.get_bool("coherent", s.coherent);
    s.qos = qos_from_string(p.get_string("qos", "best_effort"), p.at("qos"));
    p.allow({"shares_xpi_with", "notes"});
    p.read_sources();
    p.reject_unknown();
    c.ports.push_back(s);
  }
  if (o.has("default_port_order")) {
    const nlohmann::json& v = o.get_raw("default_port_order");
    if (!v.is_array()) throw_error("{}: expected an array of port names", o.at("default_port_order"));
    for (const auto& e : v) {
      if (!e.is_string())
        throw_error("{}: expected an array of port names, got {}", o.at("default_port_order"), e.dump());
      c.default_port_order.push_back(e.get<std::string>());
    }
  }
  c.read_acceptance = o.get_int("read_acceptance", c.read_acceptance);
  c.write_acceptance = o.get_int("write_acceptance", c.write_acceptance);
  c.read_issuing = o.get_int("read_issuing", c.read_issuing);
  c.write_issuing = o.get_int("write_issuing", c.write_issuing);
  c.read_fifo_beats = o.get_int("read_fifo_beats", c.read_fifo_beats);
  c.write_fifo_beats = o.get_int("write_fifo_beats", c.write_fifo_beats);
  c.max_burst_beats = o.get_int("max_burst_beats", c.max_burst_beats);
  c.boundary_bytes = o.get_int("boundary_bytes", c.boundary_bytes);
  c.request_latency_ns = o.get_number("request_latency_ns");
  c.response_latency_ns = o.get_number("response_latency_ns");
  c.write_response_latency_ns = o.get_number("write_response_latency_ns");
  c.cci_latency_ns = o.get_number("cci_latency_ns", c.cci_latency_ns);
  c.xpi_ports = o.get_int("xpi_ports", c.xpi_ports);
  c.xpi_queue_depth = o.get_int("xpi_queue_depth", c.xpi_queue_depth);
  c.hif_period_ck = o.get_int("hif_period_ck", c.hif_period_ck);
  c.apu_outstanding = o.get_int("apu_outstanding", c.apu_outstanding);
  c.apu_line_bytes = o.get_int("apu_line_bytes", c.apu_line_bytes);
  o.read_sources();
  o.reject_unknown();
  c.validate(o.where() + ": " + o.path());
  return c;
}

nlohmann::json to_json(const PsConfig& c) {
  nlohmann::json ports = nlohmann::json::array();
  for (const PsPortSpec& p : c.ports)
    ports.push_back({{"name", p.name}, {"data_bits", p.data_bits}, {"xpi", p.xpi},
                     {"coherent", p.coherent}, {"qos", to_string(p.qos)}});
  return {{"ports", ports},
          {"default_port_order", c.default_port_order},
          {"read_acceptance", c.read_acceptance},
          {"write_acceptance", c.write_acceptance},
          {"read_issuing", c.read_issuing},
          {"write_issuing", c.write_issuing},
          {"read_fifo_beats", c.read_fifo_beats},
          {"write_fifo_beats", c.write_fifo_beats},
          {"max_burst_beats", c.max_burst_beats},
          {"boundary_bytes", c.boundary_bytes},
          {"request_latency_ns", c.request_latency_ns},
          {"response_latency_ns", c.response_latency_ns},
          {"write_response_latency_ns", c.write_response_latency_ns},
          {"cci_latency_ns", c.cci_latency_ns},
          {"xpi_ports", c.xpi_ports},
          {"xpi_queue_depth", c.xpi_queue_depth},
          {"hif_period_ck", c.hif_period_ck},
          {"apu_outstanding", c.apu_outstanding},
          {"apu_line_bytes", c.apu_line_bytes}};
}

// ------------------------------------------------------------------ model

PsMemory::PsMemory(const PsConfig& cfg, DramSystem& dram, std::int64_t fabric_khz)
    : cfg_(cfg), dram_(dram),
      dram_khz_(static_cast<std::uint64_t>(dram.config().data_rate_mts) * 500u),
      fabric_khz_(static_cast<std::uint64_t>(fabric_khz)) {
  cfg_.validate("ps");
  if (fabric_khz <= 0) throw_error("fabric clock must be positive, got {} kHz", fabric_khz);
  const std::uint64_t g = std::gcd(dram_khz_, fabric_khz_);
  dram_khz_ /= g;
  fabric_khz_ /= g;
  const double tck = dram.config().tck_ns();
  auto to_ck = [tck](double ns) { return static_cast<std::uint64_t>(std::llround(ns / tck)); };
  req_ck_ = to_ck(cfg_.request_latency_ns);
  resp_ck_ = to_ck(cfg_.response_latency_ns);
  wresp_ck_ = to_ck(cfg_.write_response_latency_ns);
  cci_ck_ = to_ck(cfg_.cci_latency_ns);
  const std::size_t n = cfg_.ports.size();
  rd_.resize(n);
  wr_.resize(n);
  port_stats_.resize(n);
  for (auto& q : xpi_q_) q.resize(std::size_t(cfg_.xpi_ports));
  for (auto& v : xpi_pending_) v.assign(std::size_t(cfg_.xpi_ports), 0);
  xpi_stats_.resize(std::size_t(cfg_.xpi_ports));
  apu_ = cfg_.port_index("APU");
  if (dram_.cycle() != 0) throw_error("PsMemory needs a DRAM model at cycle 0");
}

int PsMemory::port_index(const std::string& name) const {
  const int i = cfg_.port_index(name);
  if (i < 0) {
    std::string names;
    for (const PsPortSpec& p : cfg_.ports) names += (names.empty() ? "" : ", ") + p.name;
    throw_error("no PS port named \"{}\" (the board has {})", name, names);
  }
  return i;
}

std::uint64_t PsMemory::dram_cycle_at(std::uint64_t n) const { return n * dram_khz_ / fabric_khz_; }
std::uint64_t PsMemory::fabric_cycle_of(std::uint64_t d) const {
  return d * fabric_khz_ / dram_khz_;
}

std::uint64_t PsMemory::path_ck(int port) const {
  return cfg_.ports[std::size_t(port)].coherent ? cci_ck_ : 0;
}

std::vector<std::pair<std::uint64_t, int>> split_axi3(std::uint64_t addr, int beats, int beat_bytes,
                                                      int max_beats, int boundary_bytes) {
  std::vector<std::pair<std::uint64_t, int>> out;
  const auto bound = static_cast<std::uint64_t>(boundary_bytes);
  const auto bb = static_cast<std::uint64_t>(beat_bytes);
  while (beats > 0) {
    // Beats that start before the next boundary (an unaligned first beat
    // counts as one).
    const std::uint64_t to_bound = (bound - addr % bound + bb - 1) / bb;
    int n = std::min(beats, max_beats);
    if (std::uint64_t(n) > to_bound) n = static_cast<int>(to_bound);
    out.emplace_back(addr, n);
    beats -= n;
    addr = addr - addr % bb + std::uint64_t(n) * bb;  // beats after the first are aligned
  }
  return out;
}

void PsMemory::split(Channel& ch, std::uint64_t addr, int beats, std::uint64_t parent,
                     int bytes_per_beat) {
  const auto pieces =
      split_axi3(addr, beats, bytes_per_beat, cfg_.max_burst_beats, cfg_.boundary_bytes);
  for (std::size_t i = 0; i < pieces.size(); ++i)
    ch.cmdq.push_back(Piece{pieces[i].first, pieces[i].second, parent, i + 1 == pieces.size()});
}

bool PsMemory::can_accept_read(int port) const {
  return static_cast<int>(chan(port, false).cmdq.size()) < cfg_.read_acceptance;
}
bool PsMemory::can_accept_write(int port) const {
  return static_cast<int>(chan(port, true).cmdq.size()) < cfg_.write_acceptance;
}

void PsMemory::read(int port, std::uint64_t addr, int beats, std::uint64_t tag) {
  if (beats <= 0) throw_error("read of {} beats on port {}", beats, cfg_.ports[std::size_t(port)].name);
  Channel& ch = chan(port, false);
  const std::size_t first = ch.cmdq.size();
  split(ch, addr, beats, ch.next_parent, beat_bytes(port));
  ch.parents.push_back({tag, beats, static_cast<int>(ch.cmdq.size() - first)});
  ++ch.next_parent;
}

void PsMemory::write(int port, std::uint64_t addr, int beats, std::uint64_t tag) {
  if (beats <= 0) throw_error("write of {} beats on port {}", beats, cfg_.ports[std::size_t(port)].name);
  Channel& ch = chan(port, true);
  const std::size_t first = ch.cmdq.size();
  split(ch, addr, beats, ch.next_parent, beat_bytes(port));
  for (std::size_t i = first; i < ch.cmdq.size(); ++i) ch.cmdq[i].write = true;
  ch.parents.push_back({tag, beats, static_cast<int>(ch.cmdq.size() - first)});
  ++ch.next_parent;
  ch.cmdq_beats += beats;
}

bool PsMemory::can_take_write_beat(int port) const {
  const Channel& ch = chan(port, true);
  return ch.w_received < ch.cmdq_beats && ch.fifo_used < cfg_.write_fifo_beats;
}

void PsMemory::write_beat(int port) {
  Channel& ch = chan(port, true);
  if (!can_take_write_beat(port))
    throw_error("write beat on port {} without a write address or FIFO room",
                cfg_.ports[std::size_t(port)].name);
  ++ch.w_received;
  ++ch.fifo_used;
}

bool PsMemory::read_ready(int port, std::uint64_t* tag) const {
  const Channel& ch = chan(port, false);
  if (ch.issued.empty() || !ch.issued.front().done) return false;
  if (tag) *tag = ch.parents[ch.issued.front().parent - ch.first_parent].tag;
  return true;
}

bool PsMemory::take_read_beat(int port) {
  Channel& ch = chan(port, false);
  if (!read_ready(port)) throw_error("read beat taken on port {} with no data", cfg_.ports[std::size_t(port)].name);
  --ch.fifo_used;
  const Piece& p = ch.issued.front();
  if (++ch.beats_taken < p.beats) return false;
  ch.beats_taken = 0;
  const bool last = p.last;
  ch.issued.pop_front();
  if (last) {
    ch.parents.pop_front();
    ++ch.first_parent;
  }
  return last;
}

bool PsMemory::write_response_ready(int port, std::uint64_t* tag) const {
  const Channel& ch = chan(port, true);
  if (ch.parents.empty() || ch.parents.front().pieces_left > 0) return false;
  if (tag) *tag = ch.parents.front().tag;
  return true;
}

void PsMemory::take_write_response(int port) {
  Channel& ch = chan(port, true);
  if (!write_response_ready(port)) throw_error("no write response on port {}", cfg_.ports[std::size_t(port)].name);
  ch.parents.pop_front();
  ++ch.first_parent;
}

void PsMemory::host_request(std::uint64_t addr, std::uint64_t bytes, bool write, std::uint64_t tag) {
  if (apu_ < 0) throw_error("the board's PS has no APU port for host traffic");
  if (bytes == 0) throw_error("host request of 0 bytes");
  const std::uint64_t line = static_cast<std::uint64_t>(cfg_.apu_line_bytes);
  const std::uint64_t first = addr / line, last = (addr + bytes - 1) / line;
  const std::uint64_t id = next_host_id_++;
  host_xfers_[id] = {tag, last - first + 1};
  Channel& ch = chan(apu_, write);
  const int beats = static_cast<int>(line / std::uint64_t(beat_bytes(apu_)));
  for (std::uint64_t l = first; l <= last; ++l) {
    Piece p{l * line, beats, id, true};
    p.write = write;
    ch.cmdq.push_back(p);
  }
}

bool PsMemory::pop_host_done(std::uint64_t& tag) {
  if (host_done_.empty()) return false;
  tag = host_done_.front();
  host_done_.pop_front();
  return true;
}

bool PsMemory::idle() const {
  if (!transit_.empty() || !in_dram_.empty() || !returning_.empty()) return false;
  for (std::size_t i = 0; i < rd_.size(); ++i)
    if (!rd_[i].cmdq.empty() || !rd_[i].issued.empty() || !wr_[i].cmdq.empty() ||
        !wr_[i].issued.empty() || !wr_[i].parents.empty())
      return false;
  return true;
}

// ------------------------------------------------------------ simulation

void PsMemory::issue(int port, bool write) {
  Channel& ch = chan(port, write);
  if (ch.cmdq.empty()) return;
  Piece& head = ch.cmdq.front();
  const bool apu = port == apu_;
  const int issuing = apu ? cfg_.apu_outstanding : write ? cfg_.write_issuing : cfg_.read_issuing;
  const int xpi = cfg_.ports[std::size_t(port)].xpi;
  bool ok = ch.issued_count < issuing && xpi_pending_[write][std::size_t(xpi)] < cfg_.xpi_queue_depth;
  if (!apu) {
    if (write) ok = ok && ch.w_received >= head.beats;  // store and forward: whole burst in FIFO
    else ok = ok && ch.fifo_used + head.beats <= cfg_.read_fifo_beats;  // FIFO room reserved
  }
  PsPortStats& st = port_stats_[std::size_t(port)];
  if (static_cast<int>(ch.cmdq.size()) >= (write ? cfg_.write_acceptance : cfg_.read_acceptance))
    ++st.cmd_full_cycles;
  if (!ok) {
    ++st.issue_blocked_cycles;
    return;
  }
  const std::uint64_t now = dram_.cycle();
  Piece p = head;
  ch.cmdq.pop_front();
  p.issue_ck = now;
  if (!apu) {
    if (write) {
      ch.w_received -= p.beats;
      ch.cmdq_beats -= p.beats;
    } else {
      ch.fifo_used += p.beats;
    }
  }
  ch.issued.push_back(p);
  ++ch.issued_count;
  ++xpi_pending_[write][std::size_t(xpi)];
  transit_.push_back({port, write, &ch.issued.back(), now + req_ck_ + path_ck(port)});
  const std::uint64_t bytes = std::uint64_t(p.beats) * std::uint64_t(beat_bytes(port));
  if (write) {
    ++st.write_bursts;
    st.write_bytes += bytes;
  } else {
    ++st.read_bursts;
    st.read_bytes += bytes;
  }
}

void PsMemory::arbitrate() {
  const std::uint64_t now = dram_.cycle();
  const int nx = cfg_.xpi_ports;
  for (int w = 0; w < 2; ++w)
    for (int x = 0; x < nx; ++x) {
      const auto& q = xpi_q_[w][std::size_t(x)];
      xpi_stats_[std::size_t(x)].queue_sum += q.size();
    }
  if (now < arbiter_free_ck_) return;
  // Candidates (xpi, direction) in round-robin order from rr_, best QoS first.
  const int slots = 2 * nx;
  std::vector<int> order;
  order.reserve(std::size_t(slots));
  for (int k = 0; k < slots; ++k) {
    const int s = (rr_ + k) % slots;
    const auto& q = xpi_q_[s % 2][std::size_t(s / 2)];
    if (!q.empty()) order.push_back(s);
  }
  // Stable by class: highest class first, round robin within a class.
  std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
    const auto& qa = xpi_q_[a % 2][std::size_t(a / 2)];
    const auto& qb = xpi_q_[b % 2][std::size_t(b / 2)];
    return static_cast<int>(cfg_.ports[std::size_t(qa.front().port)].qos) >
           static_cast<int>(cfg_.ports[std::size_t(qb.front().port)].qos);
  });
  for (int s : order) {
    auto& q = xpi_q_[s % 2][std::size_t(s / 2)];
    const Hif& h = q.front();
    const std::uint64_t bytes = std::uint64_t(h.piece->beats) * std::uint64_t(beat_bytes(h.port));
    const DramRequest r{h.piece->addr, static_cast<std::uint32_t>(bytes), h.write,
                        static_cast<std::uint32_t>(h.port), next_dram_tag_};
    if (!dram_.try_enqueue(r)) {
      ++xpi_stats_[std::size_t(s / 2)].cam_blocked_cycles;
      continue;
    }
    in_dram_[next_dram_tag_++] = h;
    const std::uint64_t b = std::uint64_t(dram_.config().burst_bytes());
    const std::uint64_t hif = (h.piece->addr + bytes - 1) / b - h.piece->addr / b + 1;
    arbiter_free_ck_ = now + hif * std::uint64_t(cfg_.hif_period_ck);
    ++xpi_stats_[std::size_t(s / 2)].grants;
    --xpi_pending_[s % 2][std::size_t(s / 2)];
    q.pop_front();
    rr_ = (s + 1) % slots;
    break;
  }
}

void PsMemory::piece_done(int port, bool write, Piece* p) {
  Channel& ch = chan(port, write);
  p->done = true;
  --ch.issued_count;
  if (!write) {
    PsPortStats& st = port_stats_[std::size_t(port)];
    const std::uint64_t lat = dram_.cycle() - p->issue_ck;
    st.read_latency_sum_ck += lat;
    st.read_latency_max_ck = std::max(st.read_latency_max_ck, lat);
  }
  if (port == apu_) {
    auto it = host_xfers_.find(p->parent);
    if (it != host_xfers_.end() && --it->second.lines_left == 0) {
      host_done_.push_back(it->second.tag);
      host_xfers_.erase(it);
    }
    while (!ch.issued.empty() && ch.issued.front().done) ch.issued.pop_front();
    return;
  }
  if (write) {
    --ch.parents[p->parent - ch.first_parent].pieces_left;
    while (!ch.issued.empty() && ch.issued.front().done) ch.issued.pop_front();
  }
}

void PsMemory::deliver(const DramCompletion& c) {
  auto it = in_dram_.find(c.tag);
  if (it == in_dram_.end()) return;
  const Hif h = it->second;
  in_dram_.erase(it);
  if (h.write && h.port != apu_) {
    // Posted write: its data has left the AFI write FIFO for the DDRC's
    // write data buffer.
    chan(h.port, true).fifo_used -= h.piece->beats;
  }
  returning_.emplace(c.done_cycle + (h.write ? wresp_ck_ : resp_ck_) + path_ck(h.port),
                     std::make_pair(h.port, h.piece));
}

void PsMemory::step_dram_cycle() {
  const std::uint64_t now = dram_.cycle();
  // Request path arrivals into the XPI queues, in issue order.
  if (!transit_.empty()) {
    std::size_t keep = 0;
    for (std::size_t i = 0; i < transit_.size(); ++i) {
      const Hif& h = transit_[i];
      if (h.arrive_ck <= now)
        xpi_q_[h.write][std::size_t(cfg_.ports[std::size_t(h.port)].xpi)].push_back(h);
      else
        transit_[keep++] = h;
    }
    transit_.resize(keep);
  }
  arbitrate();
  for (int p = 0; p < static_cast<int>(rd_.size()); ++p) {
    issue(p, false);
    issue(p, true);
  }
  dram_.tick();
  DramCompletion c;
  while (dram_.pop_completion(c)) deliver(c);
  while (!returning_.empty() && returning_.begin()->first <= now) {
    const auto [port, piece] = returning_.begin()->second;
    returning_.erase(returning_.begin());
    piece_done(port, piece->write, piece);
  }
}

void PsMemory::end_fabric_cycle() {
  const std::uint64_t target = dram_cycle_at(fabric_ + 1);
  if (idle()) {
    dram_.advance_to(target);
  } else {
    while (dram_.cycle() < target) step_dram_cycle();
  }
  ++fabric_;
}

void PsMemory::skip_to(std::uint64_t n) {
  if (n <= fabric_) return;
  if (!idle()) {
    while (fabric_ < n) end_fabric_cycle();
    return;
  }
  dram_.advance_to(dram_cycle_at(n));
  fabric_ = n;
}

nlohmann::json PsMemory::stats_json() const {
  const double secs = static_cast<double>(dram_.cycle()) * dram_.config().tck_ns() * 1e-9;
  const double tck = dram_.config().tck_ns();
  nlohmann::json ports = nlohmann::json::object();
  for (std::size_t i = 0; i < cfg_.ports.size(); ++i) {
    const PsPortStats& s = port_stats_[i];
    if (s.read_bursts == 0 && s.write_bursts == 0) continue;
    ports[cfg_.ports[i].name] = {
        {"xpi", cfg_.ports[i].xpi},
        {"read_bursts", s.read_bursts},
        {"write_bursts", s.write_bursts},
        {"read_bytes", s.read_bytes},
        {"write_bytes", s.write_bytes},
        {"read_gbps", secs > 0 ? static_cast<double>(s.read_bytes) / secs / 1e9 : 0.0},
        {"write_gbps", secs > 0 ? static_cast<double>(s.write_bytes) / secs / 1e9 : 0.0},
        {"mean_read_latency_ns",
         s.read_bursts ? static_cast<double>(s.read_latency_sum_ck) / static_cast<double>(s.read_bursts) * tck : 0.0},
        {"max_read_latency_ns", static_cast<double>(s.read_latency_max_ck) * tck},
        {"command_queue_full_fraction",
         dram_.cycle() ? static_cast<double>(s.cmd_full_cycles) / static_cast<double>(dram_.cycle()) : 0.0},
        {"issue_blocked_fraction",
         dram_.cycle() ? static_cast<double>(s.issue_blocked_cycles) / static_cast<double>(dram_.cycle()) : 0.0}};
  }
  nlohmann::json xpis = nlohmann::json::object();
  for (std::size_t x = 0; x < xpi_stats_.size(); ++x) {
    const XpiStats& s = xpi_stats_[x];
    if (s.grants == 0) continue;
    xpis[std::to_string(x)] = {
        {"grants", s.grants},
        {"mean_queue_bursts",
         dram_.cycle() ? static_cast<double>(s.queue_sum) / static_cast<double>(dram_.cycle()) : 0.0},
        {"cam_blocked_fraction",
         dram_.cycle() ? static_cast<double>(s.cam_blocked_cycles) / static_cast<double>(dram_.cycle()) : 0.0}};
  }
  return {{"pl_ports", ports}, {"xpi_ports", xpis}};
}

}  // namespace llamaf::dram
