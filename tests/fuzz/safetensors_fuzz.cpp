// libFuzzer target: the safetensors reader (header length, JSON header,
// tensor table checks) and the F32/F16/BF16 conversion of every tensor it
// accepts.
#include "sim/model/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = llamaf::fuzz::write_scratch("model.safetensors", data, size);
  llamaf::fuzz::expect_only_errors([&] {
    llamaf::model::SafetensorsReader r(path);
    for (const auto& entry : r.tensors()) {
      const llamaf::model::SafetensorsTensor& t = entry.second;
      // Offsets were checked against the file: a tensor never holds more
      // elements than the file has bytes.
      if (static_cast<std::uint64_t>(t.numel()) > size) std::abort();
      std::vector<float> out(static_cast<std::size_t>(t.numel()));
      llamaf::fuzz::expect_only_errors([&] { r.read_f32(t, out); });
    }
  });
  return 0;
}
