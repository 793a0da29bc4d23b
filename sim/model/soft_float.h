// The binary32 operations of the accelerator's float unit, bit-exact
// (docs/arithmetic.md): RNE, subnormal inputs read as zero, results below
// 2^-126 flushed to zero, canonical NaN 0x7FC00000.
#pragma once

#include <cstdint>

namespace llamaf::model::hwfloat {

std::uint32_t fmul(std::uint32_t a, std::uint32_t b);
std::uint32_t fadd(std::uint32_t a, std::uint32_t b);
std::uint32_t i2f(std::int64_t d);  // exact integer (|d| < 2^40) to binary32

std::uint32_t bits_of(float f);
float float_of(std::uint32_t bits);

}  // namespace llamaf::model::hwfloat
