// A small reader and writer for the safetensors format (Hugging Face weights):
// 8-byte little-endian header length, JSON header, then the raw tensor bytes.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace llamaf::model {

// One tensor as the header describes it. Offsets are bytes into the data
// section (which starts right after the header), [begin, end).
struct SafetensorsTensor {
  std::string name;
  std::string dtype;                // "F32", "F16", "BF16", "I64", ... as written
  std::vector<std::int64_t> shape;  // empty for a scalar
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  std::int64_t numel() const;
};

// Bytes per element of a safetensors dtype name; 0 when the name is unknown.
std::size_t safetensors_dtype_size(const std::string& dtype);

// Opens a file and validates its header completely before any tensor is read:
// header length within the file, JSON object, known dtypes, data_offsets equal
// to dtype size * shape, inside the data section, no overlaps or holes (as the
// reference implementation requires). Tensors are read on demand, so a
// multi-gigabyte file is never held in memory at once.
class SafetensorsReader {
 public:
  explicit SafetensorsReader(std::string path);

  const std::string& path() const { return path_; }
  const std::map<std::string, SafetensorsTensor>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // nullptr when the file has no tensor of that name.
  const SafetensorsTensor* find(const std::string& name) const;

  // Converts the tensor to float32 into `out` (exactly numel() floats).
  // F32, F16 and BF16 only; other dtypes throw, naming the tensor.
  void read_f32(const SafetensorsTensor& t, std::span<float> out);
  std::vector<float> read_f32(const std::string& name);

 private:
  std::string path_;
  std::ifstream in_;
  std::uint64_t data_start_ = 0;  // file offset of the data section
  std::map<std::string, SafetensorsTensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

// A float32 tensor to store; `data` holds product(shape) values.
struct SafetensorsOutput {
  std::string name;
  std::vector<std::int64_t> shape;
  std::span<const float> data;
};

// Writes `tensors` in the given order, converted to `dtype` ("F32", "F16" or
// "BF16", round to nearest even). The header is padded with spaces to a
// multiple of 8 bytes so tensor data stays aligned, as the reference writer
// does. Throws when a value does not fit the dtype (F16 overflow).
void write_safetensors(const std::string& path, const std::vector<SafetensorsOutput>& tensors,
                       const std::string& dtype,
                       const std::map<std::string, std::string>& metadata = {});

// IEEE binary16 and bfloat16 conversions (round to nearest even; NaN stays
// NaN; float32 values beyond the binary16 range become infinity).
std::uint16_t f32_to_f16(float f);
float f16_to_f32(std::uint16_t h);
std::uint16_t f32_to_bf16(float f);
float bf16_to_f32(std::uint16_t b);

}  // namespace llamaf::model
