// Staged weight copies: buffer placement and the sync / async schedules.
#include "sim/system/staging.h"

#include "sim/model/error.h"

#include <algorithm>

namespace llamaf::sim {

std::uint64_t WeightStager::needed_bytes(const std::vector<WeightUnit>& units, bool async) {
  std::uint64_t need = 0;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::uint64_t next = units[(i + 1) % units.size()].bytes;
    need = std::max(need, async && units.size() > 1 ? units[i].bytes + next : units[i].bytes);
  }
  return need;
}

WeightStager::WeightStager(const StagingConfig& cfg, std::vector<WeightUnit> units,
                           const std::string& what)
    : cfg_(cfg), units_(std::move(units)), at_(units_.size(), 0) {
  if (units_.empty()) throw Error("staged weights: no weight units");
  if (cfg_.align == 0 || cfg_.base % cfg_.align != 0)
    throw_error("staged weights: buffer base 0x{:x} is not a multiple of the alignment {}",
                cfg_.base, cfg_.align);
  for (std::size_t u = 0; u < units_.size(); ++u)
    if (units_[u].bytes % cfg_.align != 0)
      throw_error("staged weights: unit {} of {} bytes is not a multiple of the alignment {}", u,
                  units_[u].bytes, cfg_.align);
  const std::uint64_t need = needed_bytes(units_, cfg_.async);
  buffer_bytes_ = cfg_.buffer_bytes ? cfg_.buffer_bytes : need;
  if (buffer_bytes_ < need)
    throw_error("{} {} bytes ({:.1f} MiB): too small for {} staging; it needs {} bytes ({:.1f} MiB: "
                "{})", what, buffer_bytes_, buffer_bytes_ / 1048576.0,
                cfg_.async ? "double-buffered (async)" : "sync", need, need / 1048576.0,
                cfg_.async ? "the largest two consecutive layers or the last layer and the classifier"
                           : "the largest layer or the classifier");
}

std::uint64_t WeightStager::slot_addr(std::uint64_t copy_index, int u) const {
  if (!cfg_.async || copy_index % 2 == 0) return cfg_.base;
  // The buffer's end, rounded down to an aligned start: the unit before
  // (at most buffer - bytes, a multiple of align) still fits below it.
  const std::uint64_t at = buffer_bytes_ - units_[std::size_t(u)].bytes;
  return cfg_.base + at / cfg_.align * cfg_.align;
}

void WeightStager::start_copy(StagingHost& host, int u) {
  const WeightUnit& w = units_[std::size_t(u)];
  const std::uint64_t dst = slot_addr(copies_++, u);
  at_[std::size_t(u)] = dst;
  host.copy_start(w.addr, dst, w.bytes, w.copy_cycles);
  bytes_copied_ += w.bytes;
}

std::uint64_t WeightStager::enter(StagingHost& host, int u) {
  if (u < 0 || u >= static_cast<int>(units_.size())) throw_error("staged weights: no unit {}", u);
  const std::uint64_t t0 = host.now();
  if (!cfg_.async || pending_ != u) {
    // Sync (or async's first unit, or a unit the prefetch did not guess):
    // the host thread copies, overlapped with its own DRAM traffic.
    if (pending_ >= 0) {  // an unused prefetch still occupies the memory
      host.copy_wait();
      host.idle_until(pending_cpu_done_);
      pending_ = -1;
    }
    start_copy(host, u);
    host.busy(units_[std::size_t(u)].copy_cycles);
    host.copy_wait();
  } else {
    // Async: the prefetch of u must be done, in DRAM and on its thread.
    host.copy_wait();
    host.idle_until(pending_cpu_done_);
    pending_ = -1;
  }
  wait_cycles_ += host.now() - t0;
  const std::uint64_t addr = at_[std::size_t(u)];
  if (cfg_.async) {
    const int next = (u + 1) % static_cast<int>(units_.size());
    start_copy(host, next);
    pending_ = next;
    pending_cpu_done_ = host.now() + units_[std::size_t(next)].copy_cycles;
    host.account_busy(double(units_[std::size_t(next)].copy_cycles) * cfg_.background_busy_fraction);
  }
  return addr;
}

std::uint64_t WeightStager::staged(int u, std::uint64_t addr) const {
  const WeightUnit& w = units_[std::size_t(u)];
  if (addr < w.addr || addr >= w.addr + w.bytes)
    throw_error("staged weights: address 0x{:x} outside unit {} (0x{:x}+{})", addr, u, w.addr, w.bytes);
  return at_[std::size_t(u)] + (addr - w.addr);
}

}  // namespace llamaf::sim
