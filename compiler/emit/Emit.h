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

enum class EmitKind {
  LLVMIR,
  Object,
  SharedObject,
  /// model.o + model.h for static linking (Linux or bare metal): the entry
  /// points are <name>_run and <name>_get_abi, typed in the header.
  Static
};

/// What --emit=static writes besides the object.
struct StaticOptions {
  /// C prefix of the entry points and macros (default: the output's stem).
  std::string name;
  /// The header to write (default: the output with the extension .h).
  std::string headerPath;
  /// Where the model came from, for the header's comment.
  std::string source;
};

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
                      llvm::StringRef runtimeLib, llvm::StringRef outputPath,
                      const StaticOptions &staticOptions = {});

/// The typed C header of a static model (see EmitKind::Static).
std::string staticHeader(const ModelDesc &desc, const StaticOptions &options,
                         llvm::StringRef triple, llvm::StringRef cpu,
                         uint64_t workspaceSize);

/// A C identifier made from `s` (other characters become '_').
std::string cIdentifier(llvm::StringRef s);

/// The normalized target triple for `target` (host when empty).
std::string resolveTriple(const TargetOptions &target);

} // namespace kiln

#endif // KILN_COMPILER_EMIT_EMIT_H
