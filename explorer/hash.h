// Stable content hashes for design points and caches: FNV-1a 64 over the
// canonical JSON text (nlohmann::json keeps object keys sorted, so dump() is
// canonical for a given value).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace llamaf::dse {

inline constexpr std::uint64_t kFnv64Offset = 0xcbf29ce484222325ull;
inline constexpr std::uint64_t kFnv64Prime = 0x100000001b3ull;

// FNV-1a 64 of `data`, continuing from `h` (chain calls to hash pieces).
std::uint64_t fnv1a64(std::string_view data, std::uint64_t h = kFnv64Offset);

// 16 lower-case hex digits.
std::string hex64(std::uint64_t v);

// The canonical text of a JSON value: sorted keys, no whitespace, numbers in
// nlohmann's shortest round-trip form.
std::string canonical_json(const nlohmann::json& j);

// hex64(fnv1a64(canonical_json(j))).
std::string json_hash(const nlohmann::json& j);

}  // namespace llamaf::dse
