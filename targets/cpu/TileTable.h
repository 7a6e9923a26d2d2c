//===- TileTable.h - CPU vector widths and register tiles -------*- C++ -*-===//
//
// What the CPU code generator needs to know about a target CPU: its vector
// width and register file, and the register tiles that fit them.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGETS_CPU_TILETABLE_H
#define KILN_TARGETS_CPU_TILETABLE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace kiln::cpu {

struct CPUFeatures {
  bool avx512f = false;
  bool avx2 = false;
  bool fma = false;
  bool avx = false;
  bool sse2 = false;
  bool neon = false;
};

struct TileTable {
  /// Bits in one vector register.
  int64_t vectorBits = 128;
  /// Architectural vector registers.
  int64_t vectorRegisters = 16;
  /// Matmul register tile: rows (broadcast operand) x vectors of columns.
  int64_t matmulRows = 4;
  int64_t matmulVectors = 2;
  /// A name for reports ("avx512", "avx2", ...).
  std::string isa = "generic";
};

/// Features of `cpu` ("native": the host) with `features` ("+f,-g") on
/// top, for `triple` (empty: the host).
CPUFeatures getCPUFeatures(llvm::StringRef triple, llvm::StringRef cpu,
                           llvm::StringRef features);

/// Register tiles for a CPU with `features`.
TileTable selectTiles(const CPUFeatures &features);

} // namespace kiln::cpu

#endif // KILN_TARGETS_CPU_TILETABLE_H
