//===- Emit.h - LLVM dialect -> object -> model .so -------------*- C++ -*-===//
#ifndef KILN_COMPILER_EMIT_EMIT_H
#define KILN_COMPILER_EMIT_EMIT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln {

/// One input or output of the compiled model, as the ABI describes it.
struct TensorDesc {
  std::string name;
  int32_t dtype = 0; // ONNX TensorProto data type code
  std::vector<int64_t> dims;
};

struct ModelDesc {
  std::vector<TensorDesc> inputs, outputs;
};

struct TargetOptions {
  std::string triple;   // empty: the host
  std::string cpu;      // empty: a portable default; "native": the host CPU
  std::string features; // extra "+feat,-feat"
  int optLevel = 2;
};

enum class EmitKind { LLVMIR, Object, SharedObject };

/// Where the Kiln runtime library built for `triple` lives (next to the
/// tools: <bin>/../lib/<triple>/libkiln_rt.a, or <bin>/../lib/libkiln_rt.a
/// for the host).
std::string findRuntimeLibrary(llvm::StringRef triple, llvm::StringRef argv0);

/// Translates the LLVM-dialect module (entry `main`, outlined parallel
/// bodies) to LLVM IR, adds the model ABI (kiln_model_get_abi, the run
/// wrapper, thread-pool dispatch glue), optimizes, and writes LLVM IR, an
/// object file, or a shared object linked with lld against `runtimeLib`.
llvm::Error emitModel(mlir::ModuleOp module, const ModelDesc &desc,
                      const TargetOptions &target, EmitKind kind,
                      llvm::StringRef runtimeLib, llvm::StringRef outputPath);

/// The normalized target triple for `target` (host when empty).
std::string resolveTriple(const TargetOptions &target);

} // namespace kiln

#endif // KILN_COMPILER_EMIT_EMIT_H
