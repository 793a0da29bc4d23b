// Traffic generators of `llamaf membench` on the PS memory path.
#include "sim/dram/membench.h"

#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <deque>
#include <random>

namespace llamaf::dram {

std::uint64_t membench_read_base(const std::string& port) {
  // FPT 2019 driver example (README of ../shared/calibration): read regions
  // HP3 0x1800_0000, HP2 0x2800_0000, HP1 0x3800_0000, HP0 0x4800_0000.
  if (port == "HP3") return 0x18000000ull;
  if (port == "HP2") return 0x28000000ull;
  if (port == "HP1") return 0x38000000ull;
  if (port == "HP0") return 0x48000000ull;
  if (port == "HPC0") return 0x58000000ull;
  if (port == "HPC1") return 0x68000000ull;
  if (port == "APU") return 0x78000000ull;
  throw_error("membench: no default region for port \"{}\"", port);
}

MembenchPattern membench_pattern_from_string(const std::string& s) {
  if (s == "read") return MembenchPattern::Read;
  if (s == "write") return MembenchPattern::Write;
  if (s == "mixed") return MembenchPattern::Mixed;
  throw_error("--pattern must be read, write or mixed, got \"{}\"", s);
}

MembenchOrder membench_order_from_string(const std::string& s) {
  if (s == "sequential") return MembenchOrder::Sequential;
  if (s == "random") return MembenchOrder::Random;
  throw_error("--order must be sequential or random, got \"{}\"", s);
}

namespace {

struct Gen {
  int port = 0;
  std::uint64_t rank = 0;  // position in the port list (interleave)
  std::uint64_t base = 0;
  std::uint64_t offset = 0;
  int inflight = 0;
  std::deque<std::uint64_t> issue_cycles;  // reads: AR handshake cycle, in order
  int w_beats_left = 0;                    // writes: W beats still to send
  std::uint64_t bytes_x_beats = 0;         // request bytes x beats moved in the window
  std::uint64_t lat_sum = 0, lat_n = 0;
  std::uint64_t fifo_bytes = 0, reserved_bytes = 0;  // lockstep: held, and requested not yet held
};

}  // namespace

MembenchResult run_membench(const DramConfig& memory, const PsConfig& ps,
                            const MembenchOptions& o) {
  if (o.ports.empty()) throw_error("membench: --ports must name at least one port");
  if (o.request_bytes == 0 || o.request_bytes > 4096)
    throw_error("membench: --request-bytes must be in [1, 4096], got {}", o.request_bytes);
  if (!(o.clock_mhz > 0 && o.clock_mhz <= 1000))
    throw_error("membench: --clock-mhz must be in (0, 1000], got {}", o.clock_mhz);
  if (o.outstanding < 1 || o.outstanding > 4096)
    throw_error("membench: --outstanding must be in [1, 4096], got {}", o.outstanding);
  if (o.stagger_bytes >= o.region_bytes)
    throw_error("membench: --stagger-bytes must be below the 128 MiB region, got {}", o.stagger_bytes);
  if (o.interleave_bytes != 0) {
    if (o.order != MembenchOrder::Sequential)
      throw_error("membench: --interleave-bytes needs --order sequential");
    if (o.interleave_bytes % o.request_bytes != 0 ||
        o.interleave_bytes * o.ports.size() > o.region_bytes)
      throw_error("membench: --interleave-bytes {} must be a multiple of --request-bytes {} and "
                  "the ports' chunks must fit the 128 MiB region", o.interleave_bytes, o.request_bytes);
  }
  if (o.lockstep_fifo_bytes != 0 &&
      (o.pattern != MembenchPattern::Read || o.order != MembenchOrder::Sequential ||
       o.lockstep_fifo_bytes < o.request_bytes))
    throw_error("membench: --lockstep-fifo-bytes needs --pattern read, --order sequential and a "
                "FIFO of at least one request ({} bytes), got {}", o.request_bytes,
                o.lockstep_fifo_bytes);
  if (!(o.duration_us > 0 && o.duration_us <= 1e6))
    throw_error("membench: --duration-us must be in (0, 1e6], got {}", o.duration_us);

  DramSystem dram(memory);
  const auto khz = static_cast<std::int64_t>(std::llround(o.clock_mhz * 1000.0));
  PsMemory mem(ps, dram, khz);
  const bool do_read = o.pattern != MembenchPattern::Write;
  const bool do_write = o.pattern != MembenchPattern::Read;

  std::vector<Gen> rd, wr;
  for (std::size_t k = 0; k < o.ports.size(); ++k) {
    const std::string& name = o.ports[k];
    const int p = mem.port_index(name);
    for (std::size_t j = 0; j < k; ++j)
      if (o.ports[j] == name) throw_error("membench: port {} listed twice", name);
    Gen g;
    g.port = p;
    g.rank = k;
    // Interleaved: every port in the first port's region.
    g.base = o.interleave_bytes ? membench_read_base(o.ports[0])
                                : membench_read_base(name) + k * o.stagger_bytes;
    rd.push_back(g);
    g.base -= 0x08000000ull;
    wr.push_back(g);
  }
  const std::uint64_t req = o.request_bytes;
  std::mt19937_64 rng(o.seed);
  auto next_addr = [&](Gen& g) {
    std::uint64_t a;
    if (o.order == MembenchOrder::Random) {
      const std::uint64_t slots = std::max<std::uint64_t>(1, o.region_bytes / req);
      a = g.base + (rng() % slots) * req;
    } else if (o.interleave_bytes) {
      // Own-stream offset -> chunk (offset / C) of this port, among P.
      const std::uint64_t c = o.interleave_bytes, n = o.ports.size();
      if ((g.offset / c * n + g.rank + 1) * c > o.region_bytes) g.offset = 0;  // wrap
      a = g.base + (g.offset / c * n + g.rank) * c + g.offset % c;
      g.offset += req;
    } else {
      a = g.base + g.offset;
      g.offset += req;
      if (g.offset + req > o.region_bytes) g.offset = 0;
    }
    return a;
  };

  const bool lockstep = o.lockstep_fifo_bytes != 0;
  std::uint64_t consumed = 0;  // lockstep: bytes the consumer took in the window, per port
  const auto warm = static_cast<std::uint64_t>(std::llround(o.warmup_us * o.clock_mhz));
  const auto end = warm + static_cast<std::uint64_t>(std::llround(o.duration_us * o.clock_mhz));
  for (std::uint64_t cyc = 0; cyc < end; ++cyc) {
    const bool window = cyc >= warm;
    for (std::size_t i = 0; i < rd.size(); ++i) {
      Gen& r = rd[i];
      Gen& w = wr[i];
      const int p = r.port;
      const int bb = mem.beat_bytes(p);
      const int beats = static_cast<int>((req + std::uint64_t(bb) - 1) / std::uint64_t(bb));
      if (do_read) {
        // R: always ready, one beat per cycle.
        // Bytes are counted per beat (a request's bytes spread over its
        // beats), so the window edges cost at most a beat, not a request.
        if (mem.read_ready(p)) {
          const bool last = mem.take_read_beat(p);
          if (window) r.bytes_x_beats += req;
          r.fifo_bytes += std::uint64_t(bb);
          r.reserved_bytes -= std::min<std::uint64_t>(r.reserved_bytes, std::uint64_t(bb));
          if (last) {
            --r.inflight;
            if (window) {
              r.lat_sum += cyc - r.issue_cycles.front();
              ++r.lat_n;
            }
            r.issue_cycles.pop_front();
          }
        }
        const bool credit = !lockstep || r.fifo_bytes + r.reserved_bytes +
                                                 std::uint64_t(beats) * std::uint64_t(bb) <=
                                             o.lockstep_fifo_bytes;
        if (r.inflight < o.outstanding && credit && mem.can_accept_read(p)) {
          mem.read(p, next_addr(r), beats, 0);
          r.reserved_bytes += std::uint64_t(beats) * std::uint64_t(bb);
          ++r.inflight;
          r.issue_cycles.push_back(cyc);
        }
      }
      if (do_write) {
        if (mem.write_response_ready(p)) {
          mem.take_write_response(p);
          --w.inflight;
        }
        if (w.w_beats_left > 0 && mem.can_take_write_beat(p)) {
          mem.write_beat(p);
          --w.w_beats_left;
          if (window) w.bytes_x_beats += req;
        }
        if (w.inflight < o.outstanding && mem.can_accept_write(p)) {
          mem.write(p, next_addr(w), beats, 0);
          ++w.inflight;
          w.w_beats_left += beats;
        }
      }
    }
    if (lockstep) {
      // The consumer: one beat from every port, or none.
      bool all = true;
      for (const Gen& r : rd)
        all = all && r.fifo_bytes >= std::uint64_t(mem.beat_bytes(r.port));
      if (all) {
        for (Gen& r : rd) r.fifo_bytes -= std::uint64_t(mem.beat_bytes(r.port));
        if (window) consumed += std::uint64_t(mem.beat_bytes(rd[0].port));
      }
    }
    mem.end_fabric_cycle();
  }

  MembenchResult res;
  const double secs = static_cast<double>(end - warm) / (o.clock_mhz * 1e6);
  for (std::size_t i = 0; i < rd.size(); ++i) {
    MembenchPortResult pr;
    pr.name = o.ports[i];
    const auto bb = static_cast<std::uint64_t>(mem.beat_bytes(rd[i].port));
    const double beats_per_req = static_cast<double>((req + bb - 1) / bb);
    pr.read_mbps = lockstep ? static_cast<double>(consumed) / secs / 1e6
                            : static_cast<double>(rd[i].bytes_x_beats) / beats_per_req / secs / 1e6;
    pr.write_mbps = static_cast<double>(wr[i].bytes_x_beats) / beats_per_req / secs / 1e6;
    pr.avg_read_latency_cycles =
        rd[i].lat_n ? static_cast<double>(rd[i].lat_sum) / static_cast<double>(rd[i].lat_n) : 0.0;
    res.total_read_mbps += pr.read_mbps;
    res.total_write_mbps += pr.write_mbps;
    res.ports.push_back(pr);
  }
  res.ps_stats = mem.stats_json();
  res.dram_stats = dram.stats_json();
  return res;
}

nlohmann::json to_json(const MembenchResult& r) {
  nlohmann::json ports = nlohmann::json::array();
  for (const MembenchPortResult& p : r.ports)
    ports.push_back({{"name", p.name},
                     {"read_mbps", p.read_mbps},
                     {"write_mbps", p.write_mbps},
                     {"avg_read_latency_cycles", p.avg_read_latency_cycles}});
  return {{"ports", ports},
          {"total_read_mbps", r.total_read_mbps},
          {"total_write_mbps", r.total_write_mbps},
          {"ps", r.ps_stats},
          {"dram", r.dram_stats}};
}

}  // namespace llamaf::dram
