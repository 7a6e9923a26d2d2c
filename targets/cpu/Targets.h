//===- Targets.h - the targets kiln-compile supports ------------*- C++ -*-===//
//
// One table of the targets Kiln compiles for: the triple the user names, the
// LLVM target options it implies (default CPU and features, ABI, relocation
// model), where the runtime built for it lives, and whether it has an OS.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGETS_CPU_TARGETS_H
#define KILN_TARGETS_CPU_TARGETS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/TargetParser/Triple.h"

#include <string>
#include <vector>

namespace kiln::cpu {

struct TargetInfo {
  /// Normalized LLVM triple (armv7-unknown-linux-gnueabihf, ...).
  std::string triple;
  /// Folder of the runtime built for this target under <build>/lib (the
  /// Debian multiarch name for Linux: arm-linux-gnueabihf).
  std::string libDir;
  /// --cpu when none is given, and features added to every CPU of the
  /// target (the ISA baseline the target's name promises).
  std::string defaultCPU;
  std::string baseFeatures;
  /// Integer/float calling convention (RISC-V: lp64d); empty: default.
  std::string abi;
  /// No operating system: no threads, no malloc, static relocations; only
  /// --emit=static (model.o + model.h) makes sense.
  bool bareMetal = false;
  /// --cpu names documented (and tested) for this target.
  std::vector<std::string> knownCPUs;
};

/// The target for `triple` (empty: the host). Every triple LLVM knows is
/// accepted; the ones Kiln tests get their defaults from the table.
TargetInfo getTargetInfo(llvm::StringRef triple);

/// The CPU name to give LLVM for `cpu` on `info` ("" -> the default;
/// "native" stays "native").
std::string resolveCPU(const TargetInfo &info, llvm::StringRef cpu);

/// The targets in the table, for --help and the README.
std::vector<TargetInfo> listTargets();

} // namespace kiln::cpu

#endif // KILN_TARGETS_CPU_TARGETS_H
