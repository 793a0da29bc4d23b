// FNV-1a 64 and canonical JSON text.
#include "explorer/hash.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace llamaf::dse {

std::uint64_t fnv1a64(std::string_view data, std::uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= kFnv64Prime;
  }
  return h;
}

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::string canonical_json(const nlohmann::json& j) { return j.dump(); }

std::string json_hash(const nlohmann::json& j) { return hex64(fnv1a64(canonical_json(j))); }

}  // namespace llamaf::dse
