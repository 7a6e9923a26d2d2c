//===- TileTable.cpp - CPU vector widths and register tiles ---------------===//
//
// Register tiles per ISA, with per-CPU rows where a core's pipeline wants a
// different shape. A matmul tile of R rows x V vectors keeps R*V
// accumulators, V vectors of the right operand and one broadcast in
// registers, so R*V + V + 1 must fit the register file.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/TileTable.h"
#include "targets/cpu/Targets.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

using namespace llvm;

namespace kiln::cpu {
namespace {

Arch archOf(const Triple &t) {
  switch (t.getArch()) {
  case Triple::x86_64:
    return Arch::X86_64;
  case Triple::aarch64:
    return Arch::AArch64;
  case Triple::arm:
    return Arch::ARM;
  case Triple::thumb:
    return Arch::Thumb;
  case Triple::riscv64:
    return Arch::RISCV64;
  default:
    return Arch::Other;
  }
}

/// One row of the per-CPU tables: a CPU name (or "*" for the ISA default)
/// and its tile.
struct CPUTile {
  const char *cpu;
  int64_t rows, vectors;
};

/// First row naming `cpu`, else the "*" row.
CPUTile pick(ArrayRef<CPUTile> rows, StringRef cpu) {
  for (const CPUTile &r : rows)
    if (cpu == r.cpu)
      return r;
  for (const CPUTile &r : rows)
    if (StringRef(r.cpu) == "*")
      return r;
  return rows.front();
}

} // namespace

CPUFeatures getCPUFeatures(StringRef tripleName, StringRef cpu,
                           StringRef features) {
  TargetInfo info = getTargetInfo(tripleName);
  Triple triple(info.triple);
  StringMap<bool> on;
  std::string name = resolveCPU(info, cpu);
  auto addFeatures = [&](StringRef list) {
    SmallVector<StringRef> extra;
    list.split(extra, ',', -1, false);
    for (StringRef f : extra)
      if (f.size() > 1 && (f[0] == '+' || f[0] == '-'))
        on[f.drop_front()] = f[0] == '+';
  };
  if (name == "native") {
    name = sys::getHostCPUName().str();
    for (const auto &f : sys::getHostCPUFeatures())
      on[f.getKey()] = f.getValue();
  } else {
    InitializeAllTargetInfos();
    InitializeAllTargetMCs();
    std::string error;
    if (const Target *target = TargetRegistry::lookupTarget(triple, error)) {
      std::unique_ptr<MCSubtargetInfo> sti(
          target->createMCSubtargetInfo(triple, name, ""));
      // Only features this target knows (checkFeatures aborts on others).
      if (sti)
        for (const SubtargetFeatureKV &kv : sti->getAllProcessorFeatures())
          on[kv.Key] = sti->getFeatureBits().test(kv.Value);
    }
    addFeatures(info.baseFeatures);
  }
  addFeatures(features);
  CPUFeatures result;
  result.arch = archOf(triple);
  result.cpu = name;
  result.avx512f = on.lookup("avx512f");
  result.avx2 = on.lookup("avx2");
  result.fma = on.lookup("fma");
  result.avx = on.lookup("avx");
  result.sse2 = on.lookup("sse2") || result.arch == Arch::X86_64;
  result.neon = on.lookup("neon") || result.arch == Arch::AArch64;
  switch (result.arch) {
  case Arch::ARM:
  case Arch::Thumb:
    result.fpu = on.lookup("vfp2sp") || on.lookup("vfp2") ||
                 on.lookup("vfp3d16sp") || on.lookup("vfp4d16sp") ||
                 on.lookup("fp-armv8d16sp") || result.neon;
    break;
  case Arch::RISCV64:
    result.fpu = on.lookup("f");
    if (on.lookup("v") || on.lookup("zve32f")) {
      // The largest Zvl<N>b the CPU guarantees (V implies Zvl128b).
      result.rvvBits = on.lookup("v") ? 128 : 32;
      for (int64_t bits = 32; bits <= 65536; bits *= 2)
        if (on.lookup("zvl" + std::to_string(bits) + "b"))
          result.rvvBits = std::max(result.rvvBits, bits);
    }
    break;
  default:
    result.fpu = true;
    break;
  }
  return result;
}

TileTable selectTiles(const CPUFeatures &f) {
  TileTable t;
  if (f.avx512f) {
    // 32 zmm: 8x2 accumulators, 2 B vectors, broadcasts.
    t.vectorBits = 512;
    t.vectorRegisters = 32;
    t.matmulRows = 8;
    t.matmulVectors = 2;
    t.directConvs = false;
    t.isa = "avx512";
  } else if (f.avx2 || f.avx) {
    // 16 ymm: the classic 6x16 kernel (12 accumulators).
    t.vectorBits = 256;
    t.vectorRegisters = 16;
    t.matmulRows = 6;
    t.matmulVectors = 2;
    t.isa = f.avx2 ? "avx2" : "avx";
  } else if (f.neon && f.arch == Arch::AArch64) {
    // 32 q registers. Out-of-order cores (Cortex-A76, Neoverse-N1) keep
    // 8x3 = 24 accumulators busy on their two FMA pipes; the in-order
    // Cortex-A53 stalls on the loads of a 3-vector row: 8x2.
    static const CPUTile rows[] = {
        {"cortex-a53", 8, 2}, {"cortex-a55", 8, 2}, {"*", 8, 3}};
    CPUTile r = pick(rows, f.cpu);
    t.vectorBits = 128;
    t.vectorRegisters = 32;
    t.matmulRows = r.rows;
    t.matmulVectors = r.vectors;
    t.isa = "neon";
  } else if (f.neon) {
    // ARMv7 NEON: 16 q registers: 4x2 = 8 accumulators, 2 B vectors, and
    // the broadcast from a d-register lane (vmla.f32 q, q, d[x]) leaves
    // room; Cortex-A7 (one 64-bit NEON pipe) gains nothing from wider.
    static const CPUTile rows[] = {{"cortex-a7", 4, 2}, {"*", 4, 2}};
    CPUTile r = pick(rows, f.cpu);
    t.vectorBits = 128;
    t.vectorRegisters = 16;
    t.matmulRows = r.rows;
    t.matmulVectors = r.vectors;
    t.isa = "neon32";
  } else if (f.rvvBits >= 64) {
    // RVV at LMUL=1: 32 vector registers of the guaranteed VLEN (Zvl*b);
    // vfmacc.vf broadcasts from a scalar FP register: 8x3 like AArch64.
    t.vectorBits = f.rvvBits;
    t.vectorRegisters = 32;
    t.matmulRows = 8;
    t.matmulVectors = 3;
    t.isa = "rvv";
  } else if (f.sse2) {
    t.vectorBits = 128;
    t.vectorRegisters = 16;
    t.matmulRows = 6;
    t.matmulVectors = 2;
    t.isa = "sse2";
  } else if (f.arch == Arch::RISCV64 || f.arch == Arch::ARM ||
             f.arch == Arch::Thumb) {
    // No SIMD: scalar register tiles in the FP register file (32 f32
    // registers on RV64F and on VFP/FPv4-SP/FPv5: s0-s31). 4x4 = 16
    // accumulators + 4 B values + 1 A value. Cortex-M has no cache to
    // speak of and a short pipeline: 4x2 keeps code size down.
    static const CPUTile rows[] = {
        {"cortex-m4", 4, 2}, {"cortex-m7", 4, 2}, {"*", 4, 4}};
    CPUTile r = pick(rows, f.cpu);
    t.vectorBits = 32;
    t.vectorRegisters = f.fpu ? 32 : 16;
    t.matmulRows = r.rows;
    t.matmulVectors = r.vectors;
    t.isa = "scalar";
  }
  return t;
}

} // namespace kiln::cpu
