// Locating the real checkpoints in ../shared/models (or LLAMAF_MODELS_DIR).
#include "tests/support/models.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

namespace llamaf::test {

std::filesystem::path models_dir() {
  if (const char* env = std::getenv("LLAMAF_MODELS_DIR"); env && *env) return env;
  return std::filesystem::path(LLAMAF_SOURCE_DIR) / ".." / "shared" / "models";
}

std::optional<std::filesystem::path> model_file(const std::string& name) {
  auto path = models_dir() / name;
  if (std::filesystem::is_regular_file(path)) return path;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL("required model file missing in CI: " << path.string()
                                                 << " (set LLAMAF_MODELS_DIR)");
  }
  std::cout << "LLAMAF-SKIPPED: model file " << path.string()
            << " not found (set LLAMAF_MODELS_DIR to the folder holding it)\n";
  return std::nullopt;
}

}  // namespace llamaf::test
