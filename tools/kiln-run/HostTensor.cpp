//===- HostTensor.cpp - kiln-run's in-memory tensors ----------------------===//

#include "HostTensor.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace kiln::run;

llvm::Expected<HostTensor> HostTensor::create(kiln_dtype dtype,
                                              llvm::ArrayRef<int64_t> shape) {
  size_t bits = kiln_dtype_bits(dtype);
  if (bits == 0)
    return llvm::createStringError(
        llvm::formatv("unsupported dtype {0}", static_cast<int>(dtype)));
  if (shape.size() > KILN_MAX_RANK)
    return llvm::createStringError(
        llvm::formatv("rank {0} is too large", shape.size()));
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return llvm::createStringError("negative dimension in shape " +
                                     formatShape(shape));
    if (d != 0 && n > (INT64_MAX / 16) / d)
      return llvm::createStringError("shape " + formatShape(shape) +
                                     " is too large");
    n *= d;
  }
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_.assign(shape.begin(), shape.end());
  t.numElements_ = n;
  // The 4-bit and 2-bit types are packed (kiln.h): whole bytes, rounded up.
  t.numBytes_ = (static_cast<size_t>(n) * bits + 7) / 8;
  size_t alloc = (t.numBytes_ + 63) / 64 * 64;
  if (alloc == 0)
    alloc = 64;
  void *p = std::aligned_alloc(64, alloc);
  if (!p)
    return llvm::createStringError(
        llvm::formatv("out of memory allocating {0} bytes", alloc));
  std::memset(p, 0, alloc);
  t.data_.reset(p);
  return std::move(t);
}

template <typename T> static T load(const void *base, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const char *>(base) + i * sizeof(T), sizeof(T));
  return v;
}

template <typename T> static void store(void *base, int64_t i, T v) {
  std::memcpy(static_cast<char *>(base) + i * sizeof(T), &v, sizeof(T));
}

/// The APFloat semantics of the float8/float4 types (null for the others).
static const llvm::fltSemantics *smallFloatSemantics(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_FLOAT8E4M3FN:
    return &llvm::APFloat::Float8E4M3FN();
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
    return &llvm::APFloat::Float8E4M3FNUZ();
  case KILN_DTYPE_FLOAT8E5M2:
    return &llvm::APFloat::Float8E5M2();
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
    return &llvm::APFloat::Float8E5M2FNUZ();
  case KILN_DTYPE_FLOAT8E8M0:
    return &llvm::APFloat::Float8E8M0FNU();
  case KILN_DTYPE_FLOAT4E2M1:
    return &llvm::APFloat::Float4E2M1FN();
  default:
    return nullptr;
  }
}

uint32_t HostTensor::getBits(int64_t i) const {
  size_t bits = kiln_dtype_bits(dtype_);
  const auto *p = static_cast<const uint8_t *>(data());
  if (bits >= 8) {
    uint64_t v = 0;
    std::memcpy(&v, p + i * (bits / 8), bits / 8);
    return static_cast<uint32_t>(v);
  }
  int64_t perByte = 8 / bits;
  unsigned shift = static_cast<unsigned>((i % perByte) * bits);
  return (p[i / perByte] >> shift) & ((1u << bits) - 1);
}

void HostTensor::setBits(int64_t i, uint32_t v) {
  size_t bits = kiln_dtype_bits(dtype_);
  auto *p = static_cast<uint8_t *>(data());
  if (bits >= 8) {
    uint64_t w = v;
    std::memcpy(p + i * (bits / 8), &w, std::min<size_t>(bits / 8, 8));
    return;
  }
  int64_t perByte = 8 / bits;
  unsigned shift = static_cast<unsigned>((i % perByte) * bits);
  uint8_t mask = static_cast<uint8_t>(((1u << bits) - 1) << shift);
  p[i / perByte] =
      static_cast<uint8_t>((p[i / perByte] & ~mask) | ((v << shift) & mask));
}

double kiln::run::smallFloatToDouble(kiln_dtype dtype, uint32_t bits) {
  if (dtype == KILN_DTYPE_FLOAT8E8M0) // 2^(bits - 127), 0xff is NaN
    return bits == 0xff ? NAN : std::ldexp(1.0, static_cast<int>(bits) - 127);
  const llvm::fltSemantics *sem = smallFloatSemantics(dtype);
  llvm::APFloat f(*sem, llvm::APInt(llvm::APFloat::getSizeInBits(*sem), bits));
  bool losesInfo;
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return f.convertToDouble();
}

uint32_t kiln::run::doubleToSmallFloat(kiln_dtype dtype, double v) {
  if (dtype == KILN_DTYPE_FLOAT8E8M0) {
    // Powers of two only (no sign, no zero): round up like ONNX's default
    // Cast round_mode, saturate to 2^127.
    if (std::isnan(v))
      return 0xff;
    if (!(v > 0x1p-127))
      return 0;
    int exp;
    double mant = std::frexp(std::min(v, 0x1p127), &exp); // [0.5, 1)
    int e = mant == 0.5 ? exp - 1 : exp;
    return static_cast<uint32_t>(std::min(e + 127, 254));
  }
  const llvm::fltSemantics *sem = smallFloatSemantics(dtype);
  // Saturate like ONNX's default cast: out-of-range values (infinities too)
  // become the largest finite value of the sign.
  double hi = llvm::APFloat::getLargest(*sem).convertToDouble();
  if (!std::isnan(v))
    v = std::clamp(v, llvm::APFloat::getLargest(*sem, true).convertToDouble(),
                   hi);
  llvm::APFloat f(v);
  bool losesInfo;
  f.convert(*sem, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint32_t>(f.bitcastToAPInt().getZExtValue());
}

double HostTensor::getDouble(int64_t i) const {
  const void *p = data();
  switch (dtype_) {
  case KILN_DTYPE_FLOAT8E4M3FN:
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
  case KILN_DTYPE_FLOAT8E5M2:
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
  case KILN_DTYPE_FLOAT8E8M0:
  case KILN_DTYPE_FLOAT4E2M1:
    return smallFloatToDouble(dtype_, getBits(i));
  case KILN_DTYPE_UINT4:
  case KILN_DTYPE_UINT2:
    return getBits(i);
  case KILN_DTYPE_INT4: // sign-extended
    return static_cast<int>(getBits(i) ^ 8u) - 8;
  case KILN_DTYPE_INT2:
    return static_cast<int>(getBits(i) ^ 2u) - 2;
  case KILN_DTYPE_FLOAT32:
    return load<float>(p, i);
  case KILN_DTYPE_FLOAT64:
    return load<double>(p, i);
  case KILN_DTYPE_FLOAT16:
    return halfToFloat(load<uint16_t>(p, i));
  case KILN_DTYPE_BFLOAT16:
    return bfloat16ToFloat(load<uint16_t>(p, i));
  case KILN_DTYPE_UINT8:
  case KILN_DTYPE_BOOL:
    return load<uint8_t>(p, i);
  case KILN_DTYPE_INT8:
    return load<int8_t>(p, i);
  case KILN_DTYPE_UINT16:
    return load<uint16_t>(p, i);
  case KILN_DTYPE_INT16:
    return load<int16_t>(p, i);
  case KILN_DTYPE_INT32:
    return load<int32_t>(p, i);
  case KILN_DTYPE_UINT32:
    return load<uint32_t>(p, i);
  case KILN_DTYPE_INT64:
    return static_cast<double>(load<int64_t>(p, i));
  case KILN_DTYPE_UINT64:
    return static_cast<double>(load<uint64_t>(p, i));
  }
  return 0;
}

void HostTensor::setDouble(int64_t i, double v) {
  void *p = data();
  switch (dtype_) {
  case KILN_DTYPE_FLOAT8E4M3FN:
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
  case KILN_DTYPE_FLOAT8E5M2:
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
  case KILN_DTYPE_FLOAT8E8M0:
  case KILN_DTYPE_FLOAT4E2M1:
    return setBits(i, doubleToSmallFloat(dtype_, v));
  case KILN_DTYPE_UINT4:
  case KILN_DTYPE_UINT2:
  case KILN_DTYPE_INT4:
  case KILN_DTYPE_INT2: // the low bits of the integer (two's complement)
    return setBits(i, static_cast<uint32_t>(static_cast<int64_t>(v)));
  case KILN_DTYPE_FLOAT32:
    return store<float>(p, i, static_cast<float>(v));
  case KILN_DTYPE_FLOAT64:
    return store<double>(p, i, v);
  case KILN_DTYPE_FLOAT16:
    return store<uint16_t>(p, i, floatToHalf(static_cast<float>(v)));
  case KILN_DTYPE_BFLOAT16:
    return store<uint16_t>(p, i, floatToBfloat16(static_cast<float>(v)));
  case KILN_DTYPE_BOOL:
    return store<uint8_t>(p, i, v != 0);
  case KILN_DTYPE_UINT8:
    return store<uint8_t>(p, i, static_cast<uint8_t>(v));
  case KILN_DTYPE_INT8:
    return store<int8_t>(p, i, static_cast<int8_t>(v));
  case KILN_DTYPE_UINT16:
    return store<uint16_t>(p, i, static_cast<uint16_t>(v));
  case KILN_DTYPE_INT16:
    return store<int16_t>(p, i, static_cast<int16_t>(v));
  case KILN_DTYPE_INT32:
    return store<int32_t>(p, i, static_cast<int32_t>(v));
  case KILN_DTYPE_UINT32:
    return store<uint32_t>(p, i, static_cast<uint32_t>(v));
  case KILN_DTYPE_INT64:
    return store<int64_t>(p, i, static_cast<int64_t>(v));
  case KILN_DTYPE_UINT64:
    return store<uint64_t>(p, i, static_cast<uint64_t>(v));
  }
}

std::string kiln::run::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

bool kiln::run::isFloatType(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_FLOAT32 || dtype == KILN_DTYPE_FLOAT64 ||
         dtype == KILN_DTYPE_FLOAT16 || dtype == KILN_DTYPE_BFLOAT16 ||
         smallFloatSemantics(dtype);
}

bool kiln::run::isPackedType(kiln_dtype dtype) {
  return kiln_dtype_bits(dtype) < 8 && kiln_dtype_bits(dtype) > 0;
}

float kiln::run::halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f,
           mant = h & 0x3ffu;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24); // zero or subnormal
  } else if (exp == 31) {
    f = mant ? NAN : INFINITY;
  } else {
    uint32_t bits = ((exp + 112) << 23) | (mant << 13);
    std::memcpy(&f, &bits, 4);
  }
  return sign ? -f : f;
}

uint16_t kiln::run::floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  float a = std::fabs(f);
  if (std::isnan(f))
    return static_cast<uint16_t>(sign | 0x7e00u);
  if (a >= 65520.0f)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (a < 6.103515625e-05f) // subnormal: round to a multiple of 2^-24
    return static_cast<uint16_t>(
        sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24))));
  std::memcpy(&bits, &a, 4);
  uint32_t exp = (bits >> 23) - 112, mant = bits & 0x7fffffu;
  uint32_t h = (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
    ++h; // round to nearest even (may carry into the exponent)
  return static_cast<uint16_t>(sign | h);
}

float kiln::run::bfloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t kiln::run::floatToBfloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f))
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

void kiln::run::fillRandom(HostTensor &t, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 3), bit(0, 1);
  for (int64_t i = 0; i < t.numElements(); ++i) {
    if (isFloatType(t.dtype()))
      t.setDouble(i, real(rng));
    else if (t.dtype() == KILN_DTYPE_BOOL)
      t.setDouble(i, bit(rng));
    else
      t.setDouble(i, small(rng));
  }
}
