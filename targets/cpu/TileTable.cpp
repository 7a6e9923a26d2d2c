//===- TileTable.cpp - CPU vector widths and register tiles ---------------===//
#include "targets/cpu/TileTable.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

using namespace llvm;

namespace kiln::cpu {

CPUFeatures getCPUFeatures(StringRef tripleName, StringRef cpu,
                           StringRef features) {
  std::string tripleStr = tripleName.empty() ? sys::getDefaultTargetTriple()
                                             : Triple::normalize(tripleName);
  Triple triple(tripleStr);
  StringMap<bool> on;
  if (cpu == "native") {
    for (const auto &f : sys::getHostCPUFeatures())
      on[f.getKey()] = f.getValue();
  } else {
    std::string name = cpu.str();
    if (name.empty()) // the emitter's portable default
      name = triple.getArch() == Triple::x86_64 ? "x86-64-v2" : "generic";
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
  }
  SmallVector<StringRef> extra;
  features.split(extra, ',', -1, false);
  for (StringRef f : extra)
    if (f.size() > 1 && (f[0] == '+' || f[0] == '-'))
      on[f.drop_front()] = f[0] == '+';
  CPUFeatures result;
  result.avx512f = on.lookup("avx512f");
  result.avx2 = on.lookup("avx2");
  result.fma = on.lookup("fma");
  result.avx = on.lookup("avx");
  result.sse2 = on.lookup("sse2") || triple.getArch() == Triple::x86_64;
  result.neon = on.lookup("neon") || triple.getArch() == Triple::aarch64;
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
    t.isa = "avx512";
  } else if (f.avx2 || f.avx) {
    // 16 ymm: the classic 6x16 kernel (12 accumulators).
    t.vectorBits = 256;
    t.vectorRegisters = 16;
    t.matmulRows = 6;
    t.matmulVectors = 2;
    t.isa = f.avx2 ? "avx2" : "avx";
  } else if (f.neon) {
    // 32 q registers: 8x3 accumulators.
    t.vectorBits = 128;
    t.vectorRegisters = 32;
    t.matmulRows = 8;
    t.matmulVectors = 3;
    t.isa = "neon";
  } else if (f.sse2) {
    t.vectorBits = 128;
    t.vectorRegisters = 16;
    t.matmulRows = 6;
    t.matmulVectors = 2;
    t.isa = "sse2";
  }
  return t;
}

} // namespace kiln::cpu
