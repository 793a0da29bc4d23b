// Content-hash identity of a design (parameters + RTL sources).
#include "explorer/design_identity.h"

#include "explorer/hash.h"
#include "explorer/synth.h"
#include "sim/model/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace llamaf::dse {

namespace fs = std::filesystem;

std::string design_identity(const sim::DesignParams& p, const std::vector<fs::path>& sources) {
  std::uint64_t h = fnv1a64(canonical_json(sim::rtl_json(p)));
  for (const fs::path& src : sources) {
    std::ifstream in(src, std::ios::binary);
    if (!in) throw_error("{}: cannot read RTL source", src.string());
    std::stringstream ss;
    ss << in.rdbuf();
    // Name and contents, each followed by a separator, so that moving text
    // between files changes the hash.
    h = fnv1a64(src.filename().string() + '\0', h);
    h = fnv1a64(ss.str() + '\0', h);
  }
  std::string name = hex64(h);
  name.resize(12);
  name.insert(name.begin(), 'x');  // (not "x" + ...: GCC 12 -Wrestrict false positive)
  return name;
}

std::string design_identity(const sim::DesignParams& p, const fs::path& rtl_dir) {
  return design_identity(p, rtl_sources(rtl_dir));
}

}  // namespace llamaf::dse
