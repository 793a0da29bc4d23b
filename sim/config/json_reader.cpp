// Checked JSON object access for the hand-written config readers.
#include "sim/config/json_reader.h"

#include "sim/model/error.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace llamaf::config {

namespace {
const nlohmann::json kEmptyObject = nlohmann::json::object();
}  // namespace

JsonObject::JsonObject(const nlohmann::json& j, std::string where, std::string path)
    : j_(&j), where_(std::move(where)), path_(std::move(path)) {
  if (!j.is_object())
    throw_error("{}: {}: expected a JSON object, got {}", where_,
                path_.empty() ? "(root)" : path_, j.type_name());
}

std::string JsonObject::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

std::string JsonObject::at(const std::string& key) const {
  return where_ + ": " + key_path(key);
}

bool JsonObject::has(const std::string& key) const {
  known_.insert(key);
  return j_->contains(key);
}

const nlohmann::json& JsonObject::require(const std::string& key) const {
  known_.insert(key);
  auto it = j_->find(key);
  if (it == j_->end()) throw_error("{}: missing required key", at(key));
  return *it;
}

int JsonObject::get_int(const std::string& key) const {
  const std::int64_t v = get_int64(key);
  if (v < INT32_MIN || v > INT32_MAX) throw_error("{}: integer {} out of range", at(key), v);
  return static_cast<int>(v);
}

int JsonObject::get_int(const std::string& key, int fallback) const {
  return has(key) ? get_int(key) : fallback;
}

std::int64_t JsonObject::get_int64(const std::string& key) const {
  const nlohmann::json& v = require(key);
  if (!v.is_number_integer()) throw_error("{}: expected an integer, got {}", at(key), v.dump());
  // nlohmann stores integers above INT64_MAX as unsigned; get<int64_t>
  // would wrap 18446744073709551615 to -1.
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    throw_error("{}: integer {} out of range", at(key), v.dump());
  return v.get<std::int64_t>();
}

std::int64_t JsonObject::get_int64(const std::string& key, std::int64_t fallback) const {
  return has(key) ? get_int64(key) : fallback;
}

double JsonObject::get_number(const std::string& key) const {
  const nlohmann::json& v = require(key);
  if (!v.is_number()) throw_error("{}: expected a number, got {}", at(key), v.dump());
  return v.get<double>();
}

double JsonObject::get_number(const std::string& key, double fallback) const {
  return has(key) ? get_number(key) : fallback;
}

bool JsonObject::get_bool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& v = require(key);
  if (!v.is_boolean()) throw_error("{}: expected true or false, got {}", at(key), v.dump());
  return v.get<bool>();
}

std::string JsonObject::get_string(const std::string& key) const {
  const nlohmann::json& v = require(key);
  if (!v.is_string()) throw_error("{}: expected a string, got {}", at(key), v.dump());
  return v.get<std::string>();
}

std::string JsonObject::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

JsonObject JsonObject::get_object(const std::string& key) const {
  return JsonObject(require(key), where_, key_path(key));
}

JsonObject JsonObject::get_object_or_empty(const std::string& key) const {
  if (!has(key)) return JsonObject(kEmptyObject, where_, key_path(key));
  return get_object(key);
}

const nlohmann::json& JsonObject::get_raw(const std::string& key) const { return require(key); }

void JsonObject::allow(std::initializer_list<const char*> keys) const {
  for (const char* k : keys) known_.insert(k);
}

void JsonObject::read_sources(std::map<std::string, std::string>* out) const {
  if (!has("sources")) return;
  const JsonObject s = get_object("sources");
  for (const auto& [key, value] : get_raw("sources").items()) {
    if (key == "sources" || !known_.contains(key))
      throw_error("{}: names no key of {}", s.at(key), path_.empty() ? "the root object" : path_);
    if (!value.is_string()) throw_error("{}: expected a string, got {}", s.at(key), value.dump());
    if (out) (*out)[key_path(key)] = value.get<std::string>();
  }
}

void JsonObject::reject_unknown() const {
  for (const auto& [key, value] : j_->items()) {
    if (known_.contains(key)) continue;
    std::string known;
    for (const std::string& k : known_) known += (known.empty() ? "" : ", ") + k;
    throw_error("{}: unknown key{} (known keys here: {})", at(key),
                did_you_mean(key, {known_.begin(), known_.end()}), known);
  }
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_error("{}: cannot open file", path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw_error("{}: invalid JSON at byte {}: {}", path, e.byte, e.what());
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number like 1e999
    throw_error("{}: invalid JSON: {}", path, e.what());
  }
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string w = lower(word);
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const std::string& c : candidates) {
    // Levenshtein distance, one row at a time.
    const std::string k = lower(c);
    std::vector<std::size_t> row(k.size() + 1);
    for (std::size_t j = 0; j <= k.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= w.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= k.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (w[i - 1] == k[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[k.size()] < best_d) {
      best_d = row[k.size()];
      best = c;
    }
  }
  // A plausible typo: at most a third of the word changed (and at most 3 edits).
  if (best.empty() || best_d == 0 || best_d > std::min<std::size_t>(3, (w.size() + 2) / 3)) return "";
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string m = closest_match(word, candidates);
  return m.empty() ? "" : " (did you mean '" + m + "'?)";
}

}  // namespace llamaf::config
