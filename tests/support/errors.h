// The message of the llamaf::Error a callable throws (tests that check what
// an error names).
#pragma once

#include "sim/model/error.h"

#include <catch2/catch.hpp>

#include <string>

namespace llamaf::test {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected llamaf::Error");
  return "";
}

}  // namespace llamaf::test
