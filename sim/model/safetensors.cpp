// A small reader and writer for the safetensors format (Hugging Face weights).
#include "sim/model/safetensors.h"

#include "sim/model/error.h"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

namespace llamaf::model {

// Tensor bytes are copied straight into floats and integers.
static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

using nlohmann::json;

// The reference implementation refuses headers above 100 MB; a larger value
// means the file is not safetensors at all.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
// Conversion happens through a bounded buffer so large tensors need no
// second full-size copy in their file dtype.
constexpr std::size_t kChunkElems = 1 << 20;

std::uint64_t read_le64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string shape_str(const std::vector<std::int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

// A non-negative JSON integer, or nullopt-like failure reported by the caller.
bool as_u64(const json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v.get<std::int64_t>());
    return true;
  }
  return false;
}

SafetensorsTensor parse_tensor(const std::string& path, const std::string& name, const json& v) {
  if (!v.is_object()) {
    throw_error("{}: header entry for tensor '{}' is {}, expected an object with dtype, shape, "
                "data_offsets",
                path, name, v.type_name());
  }
  SafetensorsTensor t;
  t.name = name;

  auto dt = v.find("dtype");
  if (dt == v.end() || !dt->is_string()) {
    throw_error("{}: tensor '{}' has no string 'dtype' in the header", path, name);
  }
  t.dtype = dt->get<std::string>();
  const std::size_t elem = safetensors_dtype_size(t.dtype);
  if (elem == 0) {
    throw_error("{}: tensor '{}' has unknown dtype '{}' (expected a safetensors dtype such as F32, "
                "F16, BF16)",
                path, name, t.dtype);
  }

  auto sh = v.find("shape");
  if (sh == v.end() || !sh->is_array()) {
    throw_error("{}: tensor '{}' has no 'shape' array in the header", path, name);
  }
  // Element count with overflow checks: a hostile header must not wrap the
  // byte count around to something that matches its offsets.
  std::uint64_t numel = 1;
  constexpr std::uint64_t kLimit = std::numeric_limits<std::uint64_t>::max() / 16;
  for (const auto& d : *sh) {
    std::uint64_t n = 0;
    if (!as_u64(d, n) || n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw_error("{}: tensor '{}' has shape {}, expected non-negative integers", path, name,
                  sh->dump());
    }
    if (n != 0 && numel > kLimit / n) {
      throw_error("{}: tensor '{}' has shape {}, too large", path, name, sh->dump());
    }
    numel *= n;
    t.shape.push_back(static_cast<std::int64_t>(n));
  }

  auto off = v.find("data_offsets");
  if (off == v.end() || !off->is_array() || off->size() != 2 || !as_u64((*off)[0], t.begin) ||
      !as_u64((*off)[1], t.end)) {
    throw_error("{}: tensor '{}' needs 'data_offsets' [begin, end] of non-negative integers", path,
                name);
  }
  if (t.end < t.begin) {
    throw_error("{}: tensor '{}' has data_offsets [{}, {}] with end before begin", path, name,
                t.begin, t.end);
  }
  const std::uint64_t nbytes = numel * elem;
  if (t.end - t.begin != nbytes) {
    throw_error("{}: tensor '{}' has data_offsets [{}, {}] ({} bytes), but dtype {} with shape {} "
                "needs {} bytes",
                path, name, t.begin, t.end, t.end - t.begin, t.dtype, shape_str(t.shape), nbytes);
  }
  return t;
}

// Float32 -> 16-bit conversion of one chunk into `out`.
template <typename Convert>
void convert_chunk(std::span<const float> in, std::vector<std::uint16_t>& out, Convert conv) {
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = conv(in[i]);
}

}  // namespace

std::int64_t SafetensorsTensor::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::size_t safetensors_dtype_size(const std::string& dtype) {
  // The dtypes of the safetensors specification.
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" ||
      dtype == "F8_E5M2") {
    return 1;
  }
  return 0;
}

SafetensorsReader::SafetensorsReader(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(path_, ec);
  if (ec) throw_error("{}: cannot open safetensors file ({})", path_, ec.message());
  in_.open(path_, std::ios::binary);
  if (!in_) throw_error("{}: cannot open safetensors file", path_);

  if (file_size < 8) {
    throw_error("{}: file is {} bytes, shorter than the 8-byte header length (truncated?)", path_,
                file_size);
  }
  unsigned char len_bytes[8];
  in_.read(reinterpret_cast<char*>(len_bytes), 8);
  const std::uint64_t header_len = read_le64(len_bytes);
  if (header_len < 2 || header_len > kMaxHeaderBytes) {
    throw_error("{}: header length {} is not plausible (expected 2 to {} bytes; not a safetensors "
                "file?)",
                path_, header_len, kMaxHeaderBytes);
  }
  if (header_len > file_size - 8) {
    throw_error("{}: header length {} exceeds the {} bytes after the length field (truncated?)",
                path_, header_len, file_size - 8);
  }
  std::string header(header_len, '\0');
  in_.read(header.data(), static_cast<std::streamsize>(header_len));
  if (!in_) throw_error("{}: cannot read the {}-byte header", path_, header_len);

  json j;
  try {
    j = json::parse(header);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for numbers like 1e999
    throw_error("{}: header is not valid JSON ({})", path_, e.what());
  }
  if (!j.is_object()) {
    throw_error("{}: header is a JSON {}, expected an object of tensors", path_, j.type_name());
  }

  data_start_ = 8 + header_len;
  const std::uint64_t data_size = file_size - data_start_;
  for (const auto& [key, value] : j.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) throw_error("{}: '__metadata__' is not a JSON object", path_);
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string()) {
          throw_error("{}: '__metadata__' entry '{}' is not a string", path_, mk);
        }
        metadata_[mk] = mv.get<std::string>();
      }
      continue;
    }
    SafetensorsTensor t = parse_tensor(path_, key, value);
    if (t.end > data_size) {
      throw_error("{}: tensor '{}' data_offsets [{}, {}] reach past the end of the {}-byte data "
                  "section (file truncated?)",
                  path_, key, t.begin, t.end, data_size);
    }
    tensors_.emplace(key, std::move(t));
  }

  // The data section must be tiled exactly: overlapping tensors would alias
  // each other, holes and trailing bytes mean the header and data disagree.
  std::vector<const SafetensorsTensor*> order;
  for (const auto& [name, t] : tensors_) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t covered = 0;
  const SafetensorsTensor* prev = nullptr;
  for (const auto* t : order) {
    if (t->begin < covered) {
      throw_error("{}: tensor '{}' data_offsets [{}, {}] overlap tensor '{}' [{}, {}]", path_,
                  t->name, t->begin, t->end, prev->name, prev->begin, prev->end);
    }
    if (t->begin > covered) {
      throw_error("{}: bytes [{}, {}) of the data section before tensor '{}' belong to no tensor",
                  path_, covered, t->begin, t->name);
    }
    covered = t->end;
    prev = t;
  }
  if (covered != data_size) {
    throw_error("{}: data section is {} bytes but the tensors cover {} (trailing bytes)", path_,
                data_size, covered);
  }
}

const SafetensorsTensor* SafetensorsReader::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

void SafetensorsReader::read_f32(const SafetensorsTensor& t, std::span<float> out) {
  if (static_cast<std::int64_t>(out.size()) != t.numel()) {
    throw_error("{}: tensor '{}' has {} elements, the destination holds {}", path_, t.name,
                t.numel(), out.size());
  }
  const bool f32 = t.dtype == "F32", f16 = t.dtype == "F16", bf16 = t.dtype == "BF16";
  if (!f32 && !f16 && !bf16) {
    throw_error("{}: tensor '{}' has unsupported dtype {} (expected F32, F16 or BF16)", path_,
                t.name, t.dtype);
  }
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_start_ + t.begin));
  auto fail = [&] {
    throw_error("{}: cannot read tensor '{}' at file offset {} (file changed or truncated?)", path_,
                t.name, data_start_ + t.begin);
  };
  if (f32) {
    in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size_bytes()));
    if (!in_) fail();
    return;
  }
  std::vector<std::uint16_t> buf;
  for (std::size_t i = 0; i < out.size(); i += kChunkElems) {
    const std::size_t n = std::min(kChunkElems, out.size() - i);
    buf.resize(n);
    in_.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n * 2));
    if (!in_) fail();
    for (std::size_t k = 0; k < n; ++k) out[i + k] = f16 ? f16_to_f32(buf[k]) : bf16_to_f32(buf[k]);
  }
}

std::vector<float> SafetensorsReader::read_f32(const std::string& name) {
  const SafetensorsTensor* t = find(name);
  if (!t) throw_error("{}: missing tensor '{}'", path_, name);
  std::vector<float> out(static_cast<std::size_t>(t->numel()));
  read_f32(*t, out);
  return out;
}

void write_safetensors(const std::string& path, const std::vector<SafetensorsOutput>& tensors,
                       const std::string& dtype,
                       const std::map<std::string, std::string>& metadata) {
  if (dtype != "F32" && dtype != "F16" && dtype != "BF16") {
    throw_error("{}: cannot write dtype '{}' (expected F32, F16 or BF16)", path, dtype);
  }
  const std::uint64_t elem = dtype == "F32" ? 4 : 2;

  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (t.name == "__metadata__" || header.contains(t.name)) {
      throw_error("{}: tensor name '{}' is reserved or used twice", path, t.name);
    }
    std::int64_t numel = 1;
    for (auto d : t.shape) {
      if (d < 0) throw_error("{}: tensor '{}' has negative shape {}", path, t.name, shape_str(t.shape));
      numel *= d;
    }
    if (static_cast<std::int64_t>(t.data.size()) != numel) {
      throw_error("{}: tensor '{}' has {} values, shape {} needs {}", path, t.name, t.data.size(),
                  shape_str(t.shape), numel);
    }
    if (dtype == "F16") {
      // Checked before the file is opened so a failure leaves no partial file.
      for (std::size_t i = 0; i < t.data.size(); ++i) {
        if (std::isfinite(t.data[i]) && std::isinf(f16_to_f32(f32_to_f16(t.data[i])))) {
          throw_error("{}: tensor '{}' element {} = {} is outside the F16 range", path, t.name, i,
                      t.data[i]);
        }
      }
    }
    const std::uint64_t nbytes = static_cast<std::uint64_t>(numel) * elem;
    header[t.name] = {{"dtype", dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw_error("{}: cannot create file", path);
  unsigned char len_bytes[8];
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(text.size() >> (8 * i));
  out.write(reinterpret_cast<const char*>(len_bytes), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  std::vector<std::uint16_t> buf;
  for (const auto& t : tensors) {
    if (elem == 4) {
      out.write(reinterpret_cast<const char*>(t.data.data()),
                static_cast<std::streamsize>(t.data.size_bytes()));
      continue;
    }
    for (std::size_t i = 0; i < t.data.size(); i += kChunkElems) {
      auto chunk = t.data.subspan(i, std::min(kChunkElems, t.data.size() - i));
      if (dtype == "F16") {
        convert_chunk(chunk, buf, f32_to_f16);
      } else {
        convert_chunk(chunk, buf, f32_to_bf16);
      }
      out.write(reinterpret_cast<const char*>(buf.data()),
                static_cast<std::streamsize>(buf.size() * 2));
    }
  }
  out.close();
  if (!out) throw_error("{}: write failed (disk full?)", path);
}

std::uint16_t f32_to_f16(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) {  // Inf or NaN; NaN keeps a quiet bit and its top payload
    return static_cast<std::uint16_t>(sign | 0x7C00u | (ax > 0x7F800000u ? 0x200u | ((ax >> 13) & 0x3FFu) : 0u));
  }
  // 65520 is halfway between the largest half (65504) and 2^16; ties go to
  // the even neighbour, which is infinity.
  if (ax >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);
  const std::uint32_t exp = ax >> 23;
  if (ax < 0x38800000u) {  // below 2^-14: half subnormal (units of 2^-24) or zero
    if (exp == 0) return sign;  // float subnormals are far below 2^-25
    const std::uint32_t mant = (ax & 0x7FFFFFu) | 0x800000u;
    const std::uint32_t shift = 126 - exp;  // value / 2^-24 = mant >> shift
    if (shift > 24) return sign;            // below 2^-25 rounds to zero
    std::uint32_t q = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (q & 1u))) ++q;  // may carry into the smallest normal
    return static_cast<std::uint16_t>(sign | q);
  }
  std::uint32_t h = ((exp - 112) << 10) | ((ax >> 13) & 0x3FFu);
  const std::uint32_t rem = ax & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a mantissa carry bumps the exponent
  return static_cast<std::uint16_t>(sign | h);
}

float f16_to_f32(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu;
  if (exp == 0) {
    const float mag = std::ldexp(static_cast<float>(mant), -24);  // exact: subnormal half
    return sign ? -mag : mag;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mant << 13));
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

std::uint16_t f32_to_bf16(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  const std::uint32_t rounded = x + 0x7FFFu + ((x >> 16) & 1u);  // round to nearest even
  return static_cast<std::uint16_t>(rounded >> 16);
}

float bf16_to_f32(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

}  // namespace llamaf::model
