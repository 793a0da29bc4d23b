// The results store of a sweep output folder: DIR/results.jsonl, one JSON
// object per finished point, appended with a single write() and fsync'd.
// A run killed mid-write leaves at most a torn last line; opening the store
// detects it (no final newline, or unparsable) and cuts it off, so a resumed
// run appends after the last complete record. Small whole files (sweep.json,
// results.csv, point.json) are written with write_file_atomic.
#pragma once

#include "sim/model/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace llamaf::dse {

using llamaf::write_file_atomic;  // sim/model/atomic_file.h

struct ResultsFile {
  std::vector<nlohmann::json> records;  // every complete record, in file order
  std::size_t valid_bytes = 0;          // length of the complete-record prefix
  bool torn_tail = false;               // a partial last line was found (and ignored)
};

// Reads a results.jsonl without changing it. A bad line that is not the last
// one is corruption: llamaf::Error naming the file and line.
ResultsFile read_results_file(const std::filesystem::path& path);

// The latest record of each id (a retried point appends a newer one), in the
// order ids first appear.
std::vector<nlohmann::json> latest_records(const std::vector<nlohmann::json>& records);

class ResultsStore {
 public:
  // Opens (creating) `path` for appending; a torn last line is truncated away.
  explicit ResultsStore(const std::filesystem::path& path);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::vector<nlohmann::json>& loaded() const { return loaded_; }
  bool dropped_torn_tail() const { return torn_; }
  // Thread-safe: one line, one write(), then fsync.
  void append(const nlohmann::json& record);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<nlohmann::json> loaded_;
  bool torn_ = false;
  std::mutex mutex_;
};

}  // namespace llamaf::dse
