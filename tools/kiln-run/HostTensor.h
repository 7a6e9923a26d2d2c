//===- HostTensor.h - kiln-run's in-memory tensors --------------*- C++ -*-===//
//
// A dense, row-major tensor in a 64-byte aligned buffer, plus the element
// type helpers kiln-run needs (names, conversion to double, random fill).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TOOLS_KILN_RUN_HOSTTENSOR_H
#define KILN_TOOLS_KILN_RUN_HOSTTENSOR_H

#include "kiln/kiln.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace kiln::run {

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};

class HostTensor {
public:
  HostTensor() = default;
  /// Zero-filled tensor; fails on overflow, negative dims or no memory.
  static llvm::Expected<HostTensor> create(kiln_dtype dtype,
                                           llvm::ArrayRef<int64_t> shape);

  kiln_dtype dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t numElements() const { return numElements_; }
  size_t numBytes() const { return numBytes_; }
  void *data() const { return data_.get(); }

  /// Element `i` as a double (float16/bfloat16/float8/float4 decoded).
  double getDouble(int64_t i) const;
  /// Stores `v` into element `i`, converted to the element type (float8 and
  /// float4 round to nearest even and saturate, like ONNX's Cast).
  void setDouble(int64_t i, double v);
  /// The bit pattern of element `i` (types of at most 32 bits; the packed
  /// types are unpacked).
  uint32_t getBits(int64_t i) const;
  void setBits(int64_t i, uint32_t bits);

private:
  kiln_dtype dtype_ = KILN_DTYPE_FLOAT32;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 0;
  size_t numBytes_ = 0;
  std::unique_ptr<void, FreeDeleter> data_;
};

/// "[1,3,224,224]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);
bool isFloatType(kiln_dtype dtype);
/// int4/uint4/float4 (two per byte), int2/uint2 (four per byte).
bool isPackedType(kiln_dtype dtype);

/// float8/float4 encodings (KILN_DTYPE_FLOAT8*, KILN_DTYPE_FLOAT4E2M1).
double smallFloatToDouble(kiln_dtype dtype, uint32_t bits);
uint32_t doubleToSmallFloat(kiln_dtype dtype, double v);

float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bfloat16ToFloat(uint16_t b);
uint16_t floatToBfloat16(float f);

/// Floats uniform in [-1, 1], integers in [0, 3], bools 0/1.
void fillRandom(HostTensor &t, std::mt19937_64 &rng);

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_HOSTTENSOR_H
