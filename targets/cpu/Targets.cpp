//===- Targets.cpp - the targets kiln-compile supports --------------------===//
#include "targets/cpu/Targets.h"

#include "llvm/TargetParser/Host.h"

using namespace llvm;

namespace kiln::cpu {
namespace {

/// Debian's multiarch name for a triple (x86_64-pc-linux-gnu ->
/// x86_64-linux-gnu, armv7-unknown-linux-gnueabihf -> arm-linux-gnueabihf);
/// bare-metal triples keep their architecture name (thumbv7em-none-eabihf).
std::string multiarch(const Triple &t) {
  std::string arch = t.getArchName().str();
  if (t.getArch() == Triple::arm)
    arch = "arm";
  std::string env = Triple::getEnvironmentTypeName(t.getEnvironment()).str();
  return arch + "-" + Triple::getOSTypeName(t.getOS()).str() + "-" + env;
}

struct Entry {
  const char *name; // the triple users write
  const char *defaultCPU;
  const char *baseFeatures;
  const char *abi;
  bool bareMetal;
  std::vector<std::string> knownCPUs;
};

const std::vector<Entry> &table() {
  static const std::vector<Entry> entries = {
      {"x86_64-linux-gnu",
       "x86-64-v2",
       "",
       "",
       false,
       {"x86-64-v2", "x86-64-v3", "skylake-avx512", "native"}},
      // NEON is part of AArch64.
      {"aarch64-linux-gnu",
       "generic",
       "+neon",
       "",
       false,
       {"cortex-a53", "cortex-a76", "neoverse-n1"}},
      // Debian's armhf promises ARMv7-A + VFPv3-D16; Kiln's armv7 target
      // also assumes NEON (every Cortex-A7/A9/A15/A53 board in practice).
      {"armv7-linux-gnueabihf",
       "generic",
       "+vfp3,+neon",
       "",
       false,
       {"cortex-a7", "cortex-a9"}},
      // rv64gc, LP64D: what Debian's riscv64 port is built for; a --cpu
      // with the V extension (sifive-x280, spacemit-x60, ...) gets vectors.
      {"riscv64-linux-gnu",
       "generic-rv64",
       "+m,+a,+f,+d,+c,+zicsr,+zifencei",
       "lp64d",
       false,
       {"generic-rv64", "sifive-u74", "sifive-x280"}},
      // Cortex-M4F / M7 with a single-precision FPU, hard-float ABI.
      {"thumbv7em-none-eabihf",
       "cortex-m4",
       "",
       "",
       true,
       {"cortex-m4", "cortex-m7"}},
  };
  return entries;
}

} // namespace

TargetInfo getTargetInfo(StringRef tripleName) {
  std::string normalized =
      tripleName.empty() ? Triple::normalize(sys::getDefaultTargetTriple())
                         : Triple::normalize(tripleName);
  Triple t(normalized);
  TargetInfo info;
  info.triple = normalized;
  info.libDir = multiarch(t);
  info.defaultCPU = t.getArch() == Triple::x86_64 ? "x86-64-v2" : "generic";
  info.bareMetal = t.getOS() == Triple::UnknownOS && !t.isOSBinFormatMachO();
  for (const Entry &e : table()) {
    Triple et(Triple::normalize(e.name));
    if (et.getArch() != t.getArch() || et.getSubArch() != t.getSubArch() ||
        et.getOS() != t.getOS() || et.getEnvironment() != t.getEnvironment())
      continue;
    info.defaultCPU = e.defaultCPU;
    info.baseFeatures = e.baseFeatures;
    info.abi = e.abi;
    info.bareMetal = e.bareMetal;
    info.knownCPUs = e.knownCPUs;
    break;
  }
  return info;
}

std::string resolveCPU(const TargetInfo &info, StringRef cpu) {
  if (cpu.empty())
    return info.defaultCPU;
  return cpu.str();
}

std::vector<TargetInfo> listTargets() {
  std::vector<TargetInfo> out;
  for (const Entry &e : table())
    out.push_back(getTargetInfo(e.name));
  return out;
}

} // namespace kiln::cpu
