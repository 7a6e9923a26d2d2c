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

enum class Arch { Other, X86_64, AArch64, ARM, Thumb, RISCV64 };

struct CPUFeatures {
  Arch arch = Arch::Other;
  /// The CPU name LLVM was given (after defaults), for per-CPU tiles.
  std::string cpu;
  bool avx512f = false;
  bool avx2 = false;
  bool fma = false;
  bool avx = false;
  bool sse2 = false;
  bool neon = false;
  /// A hardware FPU for f32 (ARM VFP, RISC-V F).
  bool fpu = false;
  /// RISC-V V: the guaranteed vector length in bits (Zvl*b), 0 without V.
  int64_t rvvBits = 0;
};

struct TileTable {
  /// Bits in one vector register (32: scalar code, one f32 per "vector").
  int64_t vectorBits = 128;
  /// Architectural vector registers (or FP registers for scalar targets).
  int64_t vectorRegisters = 16;
  /// Matmul register tile: rows (broadcast operand) x vectors of columns.
  int64_t matmulRows = 4;
  int64_t matmulVectors = 2;
  /// Small stride-1 convolutions on big images run direct (vectors along
  /// the output width, output channels as rows) rather than as im2col +
  /// matmul: a win with 8-float vectors (16 ymm: 6 channel rows x 2
  /// vectors), a loss with 16-float ones (16 channel rows x 1 zmm: 17 loads
  /// per 16 FMAs; 64-channel 3x3 on 56x56 ~25% slower than im2col).
  bool directConvs = true;
  /// A name for reports ("avx512", "avx2", "neon", "rvv", "scalar", ...).
  std::string isa = "generic";
};

/// Features of `cpu` ("native": the host; "": the target's default) with
/// `features` ("+f,-g") on top, for `triple` (empty: the host). The
/// target's baseline features (targets/cpu/Targets.h) are always on.
CPUFeatures getCPUFeatures(llvm::StringRef triple, llvm::StringRef cpu,
                           llvm::StringRef features);

/// Register tiles for a CPU with `features`.
TileTable selectTiles(const CPUFeatures &features);

} // namespace kiln::cpu

#endif // KILN_TARGETS_CPU_TILETABLE_H
