// The project's one checked-JSON reader, shared by every config reader
// (designs, model shapes, boards and their DRAM section, energy tables,
// sweeps): a checked view of one JSON object for hand-written from_json
// readers: required keys, optional keys with defaults, type checks, and
// rejection of unknown keys (with a "did you mean" suggestion), with every
// error naming the file and the dotted key path.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace llamaf::config {

class JsonObject {
 public:
  // `where` names the file (or other origin), `path` the dotted key path of
  // this object inside it ("" for the root). Throws llamaf::Error when `j` is
  // not an object.
  JsonObject(const nlohmann::json& j, std::string where, std::string path);

  const std::string& where() const { return where_; }
  const std::string& path() const { return path_; }
  // "memory.timing.tRCD_ns" for key "tRCD_ns" of object "memory.timing".
  std::string key_path(const std::string& key) const;
  // "<where>: <key path>" prefix for error messages.
  std::string at(const std::string& key) const;

  // Every accessor marks `key` as known, whether or not it is present.
  bool has(const std::string& key) const;
  int get_int(const std::string& key) const;
  int get_int(const std::string& key, int fallback) const;
  std::int64_t get_int64(const std::string& key) const;
  std::int64_t get_int64(const std::string& key, std::int64_t fallback) const;
  double get_number(const std::string& key) const;
  double get_number(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  JsonObject get_object(const std::string& key) const;
  // Optional sub-object: an empty object when absent.
  JsonObject get_object_or_empty(const std::string& key) const;
  const nlohmann::json& get_raw(const std::string& key) const;

  // Marks keys as known without reading them (free-text documentation keys).
  void allow(std::initializer_list<const char*> keys) const;
  // Throws naming the first key that no accessor or allow() asked for.
  void reject_unknown() const;
  // Keys asked for so far (present or not).
  const std::set<std::string>& known() const { return known_; }
  // Reads the optional "sources" object, whose entries say where the value of
  // a sibling key comes from ({"tRCD_ns": "Micron MT40A512M16 data sheet"}).
  // Call after reading all other keys: each entry must name a known key and
  // hold a string. Entries are stored in `out` (if given) under key_path(key).
  void read_sources(std::map<std::string, std::string>* out = nullptr) const;

 private:
  const nlohmann::json& require(const std::string& key) const;

  const nlohmann::json* j_;
  std::string where_;
  std::string path_;
  mutable std::set<std::string> known_;
};

// Reads a whole JSON file; errors name the file and the byte offset.
nlohmann::json read_json_file(const std::string& path);

// The closest of `candidates` to `word` (edit distance, case-insensitive),
// or "" when none is close enough to be a plausible typo.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'X'?)" for closest_match, or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace llamaf::config

// The DRAM and board readers name these in their own namespace.
namespace llamaf::dram {
using config::JsonObject;
using config::read_json_file;
}  // namespace llamaf::dram
