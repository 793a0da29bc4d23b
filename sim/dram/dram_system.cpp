// DDR4 controller (FR-FCFS, write draining, refresh) and device timing model.
//
// Each channel keeps, for every bank, the earliest cycle at which each
// command kind may issue, plus per-rank activate/column windows (tRRD, tFAW,
// tCCD, tWTR) and the data-bus reservation. Scheduling is event driven: when
// no command can issue in the current cycle, the channel computes the
// earliest cycle at which one could (the minimum of the ready times of all
// queued bursts, refresh deadlines and arrivals) and sleeps until then; state
// changes only by issuing commands or by new requests, so the sleep is exact.
#include "sim/dram/dram_system.h"

#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace llamaf::dram {

namespace detail {

enum Outcome : std::uint8_t { kUnclassified = 0, kHit, kMiss, kConflict };

struct Burst {
  std::uint64_t visible_at;  // first cycle the scheduler may act on it
  std::uint32_t row;
  std::uint32_t req;         // request slot in DramSystem::requests_
  std::uint16_t bank;        // flat bank index within the channel
  std::uint8_t rank;
  std::uint8_t bg;
  std::uint8_t outcome;
};

struct Bank {
  bool open = false;
  std::uint32_t row = 0;
  std::uint64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
};

struct Rank {
  std::uint64_t next_act_any = 0, next_rd_any = 0, next_wr_any = 0;
  std::vector<std::uint64_t> next_act_bg, next_rd_bg, next_wr_bg;  // (bank_groups)
  std::array<std::uint64_t, 4> faw{};  // last four ACT cycles (ring)
  int faw_count = 0, faw_pos = 0;
  std::uint64_t refresh_due = 0;
  bool refresh_pending = false;
  int open_banks = 0;
};

struct Queue {
  std::vector<Burst> q;         // scheduler-visible, oldest first (depth)
  std::deque<Burst> overflow;   // bursts of an accepted request waiting for a slot
  std::size_t depth = 0;
  std::size_t size() const { return q.size() + overflow.size(); }
};

struct InFlight {
  std::uint64_t done;
  std::uint32_t req;
};

template <typename T>
void raise(T& v, T x) {
  if (x > v) v = x;
}

}  // namespace detail

using namespace detail;

class DramChannel {
 public:
  DramChannel(DramSystem& sys, int index) : sys_(sys), t_(sys.t_), index_(index) {
    const DramConfig& c = sys.cfg_;
    banks_.resize(static_cast<std::size_t>(c.ranks * c.banks_per_rank()));
    hit_gen_.assign(banks_.size(), 0);
    pre_gen_.assign(banks_.size(), 0);
    act_gen_.assign(banks_.size(), 0);
    pre_idx_.assign(banks_.size(), 0);
    pre_banks_.reserve(banks_.size());
    ranks_.resize(static_cast<std::size_t>(c.ranks));
    for (int r = 0; r < c.ranks; ++r) {
      Rank& rk = ranks_[static_cast<std::size_t>(r)];
      rk.next_act_bg.assign(static_cast<std::size_t>(c.bank_groups), 0);
      rk.next_rd_bg.assign(static_cast<std::size_t>(c.bank_groups), 0);
      rk.next_wr_bg.assign(static_cast<std::size_t>(c.bank_groups), 0);
      // Ranks refresh staggered over one tREFI so they do not stall together.
      rk.refresh_due = static_cast<std::uint64_t>(t_.tREFI) +
                       static_cast<std::uint64_t>(t_.tREFI) * static_cast<std::uint64_t>(r) /
                           static_cast<std::uint64_t>(c.ranks);
    }
    rq_.depth = static_cast<std::size_t>(c.controller.read_queue_depth);
    wq_.depth = static_cast<std::size_t>(c.controller.write_queue_depth);
    refresh_ = c.controller.refresh_enabled;
    closed_page_ = c.controller.page_policy == PagePolicy::Closed;
    high_ = static_cast<std::size_t>(c.controller.write_high_watermark);
    low_ = static_cast<std::size_t>(c.controller.write_low_watermark);
    banks_per_rank_ = c.banks_per_rank();
  }

  bool has_room(bool is_write, std::size_t bursts) const {
    const Queue& q = is_write ? wq_ : rq_;
    return q.overflow.empty() && q.depth - q.q.size() >= std::min(bursts, q.depth);
  }

  void push(const Burst& b, bool is_write, std::uint64_t now) {
    Queue& q = is_write ? wq_ : rq_;
    if (q.q.size() < q.depth) q.q.push_back(b);
    else q.overflow.push_back(b);
    next_wake = now;
  }

  bool empty() const {
    return rq_.size() == 0 && wq_.size() == 0 && inflight.empty();
  }

  void schedule(std::uint64_t now);

  std::uint64_t next_wake = 0;  // earliest cycle schedule() can issue anything
  std::deque<InFlight> inflight;  // bursts whose data is on its way, by done cycle

 private:
  std::uint64_t act_ready(const Burst& b) const {
    const Bank& bk = banks_[b.bank];
    const Rank& rk = ranks_[b.rank];
    std::uint64_t t = std::max({bk.next_act, rk.next_act_any, rk.next_act_bg[b.bg]});
    if (rk.faw_count == 4) raise(t, rk.faw[static_cast<std::size_t>(rk.faw_pos)] +
                                        static_cast<std::uint64_t>(t_.tFAW));
    return t;
  }

  std::uint64_t col_ready(const Burst& b, bool is_write) const {
    const Bank& bk = banks_[b.bank];
    const Rank& rk = ranks_[b.rank];
    std::uint64_t t = is_write ? std::max({bk.next_wr, rk.next_wr_bg[b.bg], rk.next_wr_any})
                               : std::max({bk.next_rd, rk.next_rd_bg[b.bg], rk.next_rd_any});
    // Data bus: this burst's data may start only after the previous burst's
    // data (plus the rank-to-rank turnaround when the rank changes).
    const std::uint64_t lat = static_cast<std::uint64_t>(is_write ? t_.CWL : t_.CL);
    const std::uint64_t bus =
        bus_free_ + (b.rank != bus_rank_ ? static_cast<std::uint64_t>(t_.tRTRS) : 0);
    if (bus > lat) raise(t, bus - lat);
    return t;
  }

  void trace(std::uint64_t cycle, DramCommand cmd, std::size_t bank, std::uint32_t row,
             bool implicit = false) {
    if (!sys_.trace_) return;
    const std::size_t per_rank = static_cast<std::size_t>(banks_per_rank_);
    const std::size_t bpg = static_cast<std::size_t>(sys_.cfg_.banks_per_group);
    DramCommandRecord r;
    r.cycle = cycle;
    r.command = cmd;
    r.channel = static_cast<std::uint8_t>(index_);
    r.rank = static_cast<std::uint8_t>(bank / per_rank);
    r.bank_group = static_cast<std::uint8_t>((bank % per_rank) / bpg);
    r.bank = static_cast<std::uint8_t>(bank % bpg);
    r.row = row;
    r.implicit = implicit;
    sys_.trace_->push_back(r);
  }

  void classify(Burst& b, Outcome o) {
    if (b.outcome != kUnclassified) return;
    b.outcome = o;
    DramStats& s = sys_.stats_;
    if (o == kHit) ++s.row_hits;
    else if (o == kMiss) ++s.row_misses;
    else ++s.row_conflicts;
  }

  void activate(Burst& b, std::uint64_t now) {
    Bank& bk = banks_[b.bank];
    Rank& rk = ranks_[b.rank];
    bk.open = true;
    bk.row = b.row;
    bk.next_rd = bk.next_wr = now + static_cast<std::uint64_t>(t_.tRCD);
    raise(bk.next_pre, now + static_cast<std::uint64_t>(t_.tRAS));
    raise(bk.next_act, now + static_cast<std::uint64_t>(t_.tRC));
    raise(rk.next_act_any, now + static_cast<std::uint64_t>(t_.tRRD_S));
    raise(rk.next_act_bg[b.bg], now + static_cast<std::uint64_t>(t_.tRRD_L));
    rk.faw[static_cast<std::size_t>(rk.faw_pos)] = now;
    rk.faw_pos = (rk.faw_pos + 1) & 3;
    if (rk.faw_count < 4) ++rk.faw_count;
    ++rk.open_banks;
    ++sys_.stats_.activates;
    trace(now, DramCommand::Activate, b.bank, b.row);
  }

  void precharge(std::size_t bank, std::uint64_t pre_cycle, bool implicit = false) {
    Bank& bk = banks_[bank];
    trace(pre_cycle, DramCommand::Precharge, bank, bk.row, implicit);
    bk.open = false;
    raise(bk.next_act, pre_cycle + static_cast<std::uint64_t>(t_.tRP));
    --ranks_[bank / static_cast<std::size_t>(banks_per_rank_)].open_banks;
    ++sys_.stats_.precharges;
  }

  bool row_wanted(const Burst& b) const {
    for (const Queue* q : {&rq_, &wq_})
      for (const Burst& o : q->q)
        if (o.bank == b.bank && o.row == b.row) return true;
    return false;
  }

  void issue_column(Queue& q, std::size_t i, std::uint64_t now, bool is_write);
  void refresh_step(std::uint64_t now, std::uint64_t& wake, bool& issued);

  DramSystem& sys_;
  const DramTiming& t_;
  std::vector<Bank> banks_;          // (ranks * bank_groups * banks_per_group)
  std::vector<std::uint64_t> hit_gen_;  // bank has a queued row hit in scan `gen_`
  std::vector<std::uint64_t> pre_gen_;  // bank has a queued conflicting burst in scan `gen_`
  std::vector<std::uint64_t> act_gen_;  // bank's ACT readiness computed in scan `gen_`
  std::vector<std::size_t> pre_idx_;    // (banks) oldest such burst's queue index
  std::vector<std::uint16_t> pre_banks_;  // banks with pre_gen_ == gen_
  std::uint64_t gen_ = 0;
  std::vector<Rank> ranks_;
  Queue rq_, wq_;
  bool write_mode_ = false;
  bool refresh_ = true;
  bool closed_page_ = false;
  std::size_t high_ = 0, low_ = 0;
  int banks_per_rank_ = 1;
  int index_ = 0;
  std::uint64_t bus_free_ = 0;  // cycle the data bus is free after the last burst
  int bus_rank_ = 0;
};

void DramChannel::issue_column(Queue& q, std::size_t i, std::uint64_t now, bool is_write) {
  Burst b = q.q[i];
  classify(b, kHit);
  Bank& bk = banks_[b.bank];
  Rank& rk = ranks_[b.rank];
  const auto u = [](int v) { return static_cast<std::uint64_t>(v); };
  std::uint64_t data_start = 0;
  if (!is_write) {
    raise(bk.next_pre, now + u(t_.tRTP));
    raise(rk.next_rd_bg[b.bg], now + u(t_.tCCD_L));
    raise(rk.next_rd_any, now + u(t_.tCCD_S));
    raise(rk.next_wr_bg[b.bg], now + u(std::max(t_.tCCD_L, t_.tRTW)));
    raise(rk.next_wr_any, now + u(std::max(t_.tCCD_S, t_.tRTW)));
    data_start = now + u(t_.CL);
  } else {
    const std::uint64_t data_end = now + u(t_.CWL + t_.tBL);
    raise(bk.next_pre, data_end + u(t_.tWR));
    raise(rk.next_wr_bg[b.bg], now + u(t_.tCCD_L));
    raise(rk.next_wr_any, now + u(t_.tCCD_S));
    raise(rk.next_rd_bg[b.bg], data_end + u(t_.tWTR_L));
    raise(rk.next_rd_any, data_end + u(t_.tWTR_S));
    data_start = now + u(t_.CWL);
  }
  const std::uint64_t done = data_start + u(t_.tBL);
  trace(now, is_write ? DramCommand::Write : DramCommand::Read, b.bank, b.row);
  bus_free_ = done;
  bus_rank_ = b.rank;

  DramStats& s = sys_.stats_;
  const std::uint64_t bytes = static_cast<std::uint64_t>(sys_.cfg_.burst_bytes());
  DramSourceStats& src = s.per_source[sys_.requests_[b.req].req.source];
  if (is_write) {
    ++s.write_bursts;
    s.bytes_written += bytes;
    src.write_bytes += bytes;
  } else {
    ++s.read_bursts;
    s.bytes_read += bytes;
    src.read_bytes += bytes;
  }
  s.data_bus_busy_cycles += u(t_.tBL);

  auto it = inflight.end();
  while (it != inflight.begin() && std::prev(it)->done > done) --it;
  inflight.insert(it, InFlight{done, b.req});

  q.q.erase(q.q.begin() + static_cast<std::ptrdiff_t>(i));
  if (!q.overflow.empty()) {
    Burst nb = q.overflow.front();
    q.overflow.pop_front();
    raise(nb.visible_at, now + 1);
    q.q.push_back(nb);
  }
  // Closed page: auto-precharge (RDA/WRA) unless another queued burst wants
  // this row; the internal precharge happens at the earliest legal cycle.
  if (closed_page_ && !row_wanted(b)) precharge(b.bank, bk.next_pre, true);
}

void DramChannel::refresh_step(std::uint64_t now, std::uint64_t& wake, bool& issued) {
  const std::size_t per_rank = static_cast<std::size_t>(banks_per_rank_);
  for (std::size_t r = 0; r < ranks_.size(); ++r) {
    Rank& rk = ranks_[r];
    if (!rk.refresh_pending) {
      if (now < rk.refresh_due) {
        wake = std::min(wake, rk.refresh_due);
        continue;
      }
      rk.refresh_pending = true;
    }
    if (issued) {
      wake = std::min(wake, now + 1);
      continue;
    }
    const std::size_t first = r * per_rank;
    std::uint64_t ready = 0;
    if (rk.open_banks > 0) {
      // PREA once every open bank may be precharged (tRAS, tRTP, tWR).
      for (std::size_t k = first; k < first + per_rank; ++k)
        if (banks_[k].open) raise(ready, banks_[k].next_pre);
      if (ready <= now) {
        // PREA: one command; the per-bank records after the first are implicit.
        bool first_bank = true;
        for (std::size_t k = first; k < first + per_rank; ++k) {
          if (!banks_[k].open) continue;
          precharge(k, now, !first_bank);
          first_bank = false;
        }
        issued = true;
      } else {
        wake = std::min(wake, ready);
      }
    } else {
      // REF once every bank may be activated (tRP after PREA, tRC after ACT).
      for (std::size_t k = first; k < first + per_rank; ++k) raise(ready, banks_[k].next_act);
      if (ready <= now) {
        for (std::size_t k = first; k < first + per_rank; ++k)
          raise(banks_[k].next_act, now + static_cast<std::uint64_t>(t_.tRFC));
        rk.refresh_due += static_cast<std::uint64_t>(t_.tREFI);
        rk.refresh_pending = false;
        ++sys_.stats_.refreshes;
        trace(now, DramCommand::Refresh, first, 0);
        issued = true;
      } else {
        wake = std::min(wake, ready);
      }
    }
  }
}

void DramChannel::schedule(std::uint64_t now) {
  std::uint64_t wake = kNever;
  bool issued = false;
  if (refresh_) refresh_step(now, wake, issued);
  if (issued) {
    next_wake = now + 1;
    return;
  }

  // Write draining with hysteresis: writes are served from the high
  // watermark down to the low one, or whenever no read is waiting.
  const std::size_t nw = wq_.size(), nr = rq_.size();
  if (write_mode_) {
    if (nw == 0 || (nr > 0 && nw <= low_)) write_mode_ = false;
  } else if (nw > 0 && (nw >= high_ || nr == 0)) {
    write_mode_ = true;
    ++sys_.stats_.write_mode_switches;
  }
  Queue& q = write_mode_ ? wq_ : rq_;
  const bool is_write = write_mode_;

  // FR-FCFS in one pass over the queue, oldest first. The first ready row
  // hit issues at once (hits before everything else). Otherwise the oldest
  // ready ACT or PRE issues; a bank whose open row still has queued hits is
  // not precharged (its hits go first), which is known only after the pass.
  ++gen_;
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t act_idx = kNone;
  pre_banks_.clear();
  for (std::size_t i = 0; i < q.q.size(); ++i) {
    const Burst& b = q.q[i];
    if (b.visible_at > now) {
      wake = std::min(wake, b.visible_at);
      continue;
    }
    if (ranks_[b.rank].refresh_pending) continue;
    const Bank& bk = banks_[b.bank];
    if (bk.open) {
      if (bk.row == b.row) {
        // Every hit to one bank has the same ready cycle: only the oldest
        // needs computing; if it was not ready, neither are the others.
        if (hit_gen_[b.bank] == gen_) continue;
        hit_gen_[b.bank] = gen_;
        const std::uint64_t t = col_ready(b, is_write);
        if (t <= now) {
          issue_column(q, i, now, is_write);
          next_wake = now + 1;
          return;
        }
        wake = std::min(wake, t);
      } else if (pre_gen_[b.bank] != gen_) {
        pre_gen_[b.bank] = gen_;  // the oldest burst wanting this bank precharged
        pre_idx_[b.bank] = i;
        pre_banks_.push_back(b.bank);
      }
    } else if (act_idx == kNone && act_gen_[b.bank] != gen_) {
      act_gen_[b.bank] = gen_;  // same bank, same ACT ready cycle for all its bursts
      const std::uint64_t t = act_ready(b);
      if (t <= now) act_idx = i;
      else wake = std::min(wake, t);
    }
  }
  std::size_t pick = act_idx;
  for (const std::uint16_t bank : pre_banks_) {
    if (hit_gen_[bank] == gen_) continue;
    if (banks_[bank].next_pre <= now) pick = std::min(pick, pre_idx_[bank]);
    else wake = std::min(wake, banks_[bank].next_pre);
  }
  if (pick == kNone) {
    next_wake = wake;
    return;
  }
  Burst& b = q.q[pick];
  if (banks_[b.bank].open) {
    classify(b, kConflict);
    precharge(b.bank, now);
  } else {
    classify(b, kMiss);
    activate(b, now);
  }
  next_wake = now + 1;
}

const char* to_string(DramCommand c) {
  switch (c) {
    case DramCommand::Activate: return "ACT";
    case DramCommand::Precharge: return "PRE";
    case DramCommand::Read: return "RD";
    case DramCommand::Write: return "WR";
    case DramCommand::Refresh: return "REF";
  }
  return "?";
}

namespace {
const DramConfig& validated(const DramConfig& c) {
  c.validate("DramSystem config: memory");
  return c;
}
}  // namespace

DramSystem::DramSystem(const DramConfig& cfg)
    : cfg_(validated(cfg)), t_(derive_timing(cfg_)), map_(cfg_) {
  for (int c = 0; c < cfg_.channels; ++c)
    channels_.push_back(std::make_unique<DramChannel>(*this, c));
  recompute_next_event();
}

DramSystem::~DramSystem() = default;

bool DramSystem::can_accept(const DramRequest& r) const {
  if (r.bytes == 0) return false;
  const int ob = map_.burst_offset_bits();
  const std::uint64_t first = r.addr >> ob;
  const std::uint64_t last = (r.addr + r.bytes - 1) >> ob;
  if (channels_.size() == 1) return channels_[0]->has_room(r.is_write, last - first + 1);
  std::vector<std::size_t> per(channels_.size(), 0);
  for (std::uint64_t k = first; k <= last; ++k)
    ++per[static_cast<std::size_t>(map_.decode(k << ob).channel)];
  for (std::size_t c = 0; c < per.size(); ++c)
    if (per[c] > 0 && !channels_[c]->has_room(r.is_write, per[c])) return false;
  return true;
}

bool DramSystem::try_enqueue(const DramRequest& r) {
  if (r.bytes == 0) throw_error("DramSystem: request tag {} has zero bytes", r.tag);
  if (r.source >= kMaxSources)
    throw_error("DramSystem: source id {} must be < {}", r.source, kMaxSources);
  if (!can_accept(r)) {
    ++stats_.rejected_requests;
    return false;
  }
  std::uint32_t slot;
  if (!free_requests_.empty()) {
    slot = free_requests_.back();
    free_requests_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(requests_.size());
    requests_.emplace_back();
  }
  const int ob = map_.burst_offset_bits();
  const std::uint64_t first = r.addr >> ob;
  const std::uint64_t last = (r.addr + r.bytes - 1) >> ob;
  RequestState& rs = requests_[slot];
  rs.req = r;
  rs.enqueue_cycle = now_;
  rs.done_cycle = now_;
  rs.remaining = static_cast<std::uint32_t>(last - first + 1);
  rs.respond = !(r.is_write && cfg_.controller.write_response == WriteResponse::OnAccept);
  ++live_requests_;

  if (stats_.per_source.size() <= r.source) stats_.per_source.resize(r.source + 1);
  DramSourceStats& src = stats_.per_source[r.source];
  if (r.is_write) {
    ++stats_.write_requests;
    ++src.write_requests;
  } else {
    ++stats_.read_requests;
    ++src.read_requests;
  }
  if (!rs.respond) done_.push_back({r.tag, r.source, true, r.addr, r.bytes, now_, now_});

  const std::uint64_t visible = now_ + static_cast<std::uint64_t>(cfg_.controller.frontend_latency_ck);
  const int per_rank = cfg_.banks_per_rank();
  for (std::uint64_t k = first; k <= last; ++k) {
    const DramCoord c = map_.decode(k << ob);
    Burst b{};
    b.visible_at = visible;
    b.row = c.row;
    b.req = slot;
    b.bank = static_cast<std::uint16_t>(c.rank * per_rank + c.bank_group * cfg_.banks_per_group +
                                        c.bank);
    b.rank = static_cast<std::uint8_t>(c.rank);
    b.bg = static_cast<std::uint8_t>(c.bank_group);
    b.outcome = kUnclassified;
    channels_[static_cast<std::size_t>(c.channel)]->push(b, r.is_write, now_);
  }
  next_event_ = now_;
  return true;
}

void DramSystem::burst_done(std::uint32_t slot, std::uint64_t done_cycle) {
  RequestState& rs = requests_[slot];
  raise(rs.done_cycle, done_cycle);
  if (--rs.remaining > 0) return;
  if (rs.respond) {
    done_.push_back({rs.req.tag, rs.req.source, rs.req.is_write, rs.req.addr, rs.req.bytes,
                     rs.enqueue_cycle, rs.done_cycle});
  }
  if (!rs.req.is_write) {
    const std::uint64_t lat = rs.done_cycle - rs.enqueue_cycle;
    stats_.read_latency_sum_ck += lat;
    raise(stats_.read_latency_max_ck, lat);
    DramSourceStats& src = stats_.per_source[rs.req.source];
    src.read_latency_sum_ck += lat;
    raise(src.read_latency_max_ck, lat);
  }
  free_requests_.push_back(slot);
  --live_requests_;
}

void DramSystem::step() {
  for (auto& ch : channels_)
    if (now_ >= ch->next_wake) ch->schedule(now_);
  for (auto& ch : channels_) {
    while (!ch->inflight.empty() && ch->inflight.front().done <= now_) {
      const InFlight f = ch->inflight.front();
      ch->inflight.pop_front();
      burst_done(f.req, f.done);
    }
  }
  recompute_next_event();
}

void DramSystem::recompute_next_event() {
  std::uint64_t t = kNever;
  for (const auto& ch : channels_) {
    t = std::min(t, ch->next_wake);
    if (!ch->inflight.empty()) t = std::min(t, ch->inflight.front().done);
  }
  next_event_ = t;
}

void DramSystem::advance_to(std::uint64_t c) {
  while (now_ < c) {
    if (next_event_ > now_) {
      now_ = std::min(next_event_, c);
      continue;
    }
    step();
    ++now_;
  }
}

bool DramSystem::idle() const { return live_requests_ == 0 && done_.empty(); }

bool DramSystem::pop_completion(DramCompletion& out) {
  if (done_.empty()) return false;
  out = done_.front();
  done_.pop_front();
  return true;
}

nlohmann::json DramSystem::stats_json() const {
  const DramStats& s = stats_;
  const double cycles = static_cast<double>(now_);
  const double ns = cycles * cfg_.tck_ns();
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  const std::uint64_t bursts = s.row_hits + s.row_misses + s.row_conflicts;
  nlohmann::json sources = nlohmann::json::object();
  for (std::size_t i = 0; i < s.per_source.size(); ++i) {
    const DramSourceStats& p = s.per_source[i];
    if (p.read_requests == 0 && p.write_requests == 0) continue;
    sources[std::to_string(i)] = {
        {"read_requests", p.read_requests},
        {"write_requests", p.write_requests},
        {"read_bytes", p.read_bytes},
        {"write_bytes", p.write_bytes},
        {"read_latency_ck", {{"mean", ratio(static_cast<double>(p.read_latency_sum_ck),
                                            static_cast<double>(p.read_requests))},
                             {"max", p.read_latency_max_ck}}}};
  }
  return {
      {"config",
       {{"standard", cfg_.standard},
        {"data_rate_mts", cfg_.data_rate_mts},
        {"channels", cfg_.channels},
        {"tck_ns", cfg_.tck_ns()},
        {"peak_bandwidth_gbps", cfg_.peak_bandwidth_gbps()},
        {"timing_ck", to_json(t_)}}},
      {"cycles", now_},
      {"time_ns", ns},
      {"requests",
       {{"read", s.read_requests}, {"write", s.write_requests}, {"rejected", s.rejected_requests}}},
      {"commands",
       {{"activate", s.activates},
        {"precharge", s.precharges},
        {"read", s.read_bursts},
        {"write", s.write_bursts},
        {"refresh", s.refreshes}}},
      {"row_buffer",
       {{"hits", s.row_hits},
        {"misses", s.row_misses},
        {"conflicts", s.row_conflicts},
        {"hit_rate", ratio(static_cast<double>(s.row_hits), static_cast<double>(bursts))}}},
      {"bytes", {{"read", s.bytes_read}, {"written", s.bytes_written}}},
      {"data_bus",
       {{"busy_cycles", s.data_bus_busy_cycles},
        {"utilization", ratio(static_cast<double>(s.data_bus_busy_cycles),
                              cycles * cfg_.channels)}}},
      {"bandwidth_gbps",
       {{"read", ratio(static_cast<double>(s.bytes_read), ns)},
        {"write", ratio(static_cast<double>(s.bytes_written), ns)},
        {"peak", cfg_.peak_bandwidth_gbps()}}},
      {"read_latency_ck",
       {{"mean", ratio(static_cast<double>(s.read_latency_sum_ck),
                       static_cast<double>(s.read_requests))},
        {"max", s.read_latency_max_ck}}},
      {"write_mode_switches", s.write_mode_switches},
      {"sources", sources}};
}

}  // namespace llamaf::dram
