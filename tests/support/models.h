// Locating the real checkpoints in ../shared/models (or LLAMAF_MODELS_DIR).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace llamaf::test {

// The folder holding the shared checkpoints: $LLAMAF_MODELS_DIR if set, else
// <project>/../shared/models.
std::filesystem::path models_dir();

// Path of a shared model file. When it is missing: under CI=true the current
// test fails (a missing file is a failure there); otherwise the test prints a
// line starting "LLAMAF-SKIPPED:" with the reason (ctest reports it as
// skipped) and nullopt is returned so the caller can return early.
std::optional<std::filesystem::path> model_file(const std::string& name);

}  // namespace llamaf::test
