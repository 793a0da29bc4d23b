// Append-only JSONL results with torn-tail detection.
#include "explorer/results_store.h"

#include "sim/model/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace llamaf::dse {

ResultsFile read_results_file(const std::filesystem::path& path) {
  ResultsFile r;
  std::ifstream in(path, std::ios::binary);
  if (!in) return r;  // no file yet: no records
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  std::size_t start = 0;
  std::size_t line_no = 0;
  while (start < data.size()) {
    ++line_no;
    const std::size_t nl = data.find('\n', start);
    if (nl == std::string::npos) {  // no newline: the write was cut short
      r.torn_tail = true;
      break;
    }
    const std::string line = data.substr(start, nl - start);
    nlohmann::json j;
    bool ok = true;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {  // parse_error, out_of_range (1e999)
      ok = false;
    }
    if (!ok || !j.is_object() || !j.contains("id")) {
      if (nl + 1 == data.size()) {  // a damaged last line: treat as torn
        r.torn_tail = true;
        break;
      }
      throw_error("{}:{}: corrupt results record (not a JSON object with an \"id\"): {}",
                  path.string(), line_no, line.substr(0, 80));
    }
    r.records.push_back(std::move(j));
    start = nl + 1;
    r.valid_bytes = start;
  }
  return r;
}

std::vector<nlohmann::json> latest_records(const std::vector<nlohmann::json>& records) {
  std::map<std::string, std::size_t> slot;
  std::vector<nlohmann::json> out;
  for (const auto& r : records) {
    const std::string id = r.at("id").get<std::string>();
    auto it = slot.find(id);
    if (it == slot.end()) {
      slot.emplace(id, out.size());
      out.push_back(r);
    } else {
      out[it->second] = r;
    }
  }
  return out;
}

ResultsStore::ResultsStore(const std::filesystem::path& path) : path_(path) {
  ResultsFile f = read_results_file(path);
  loaded_ = std::move(f.records);
  torn_ = f.torn_tail;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_error("{}: cannot open results store: {}", path.string(), std::strerror(errno));
  if (torn_ && ::ftruncate(fd_, static_cast<off_t>(f.valid_bytes)) != 0) {
    ::close(fd_);
    throw_error("{}: cannot cut off the torn last record: {}", path.string(), std::strerror(errno));
  }
  if (::lseek(fd_, 0, SEEK_END) < 0) {
    ::close(fd_);
    throw_error("{}: seek failed: {}", path.string(), std::strerror(errno));
  }
}

ResultsStore::~ResultsStore() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultsStore::append(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  write_all(fd_, line, path_.string());
  if (::fsync(fd_) != 0)
    throw_error("{}: fsync failed: {}", path_.string(), std::strerror(errno));
}

}  // namespace llamaf::dse
