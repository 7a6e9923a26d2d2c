//===- Compile.h - the compile session API ----------------------*- C++ -*-===//
//
// One compilation: ONNX file -> (imported module) -> linalg -> LLVM -> .so.
// kiln-compile is a thin command line over this.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_DRIVER_COMPILE_H
#define KILN_COMPILER_DRIVER_COMPILE_H

#include "compiler/emit/Emit.h"
#include "compiler/import/ONNXImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"

namespace kiln {

enum class Stage {
  ONNX,
  Linalg,
  LLVMDialect,
  LLVMIR,
  Object,
  SharedObject,
  Static
};

/// Parses an --emit value (onnx|linalg|llvm|obj|so|static); nullopt if
/// unknown.
std::optional<Stage> parseStage(llvm::StringRef name);

struct CompileOptions {
  ImportOptions import;
  TargetOptions target;
  int64_t tiles = 16;         // parallel tiles per root op
  bool vectorize = true;      // register tiles + vector code (kiln-vectorize)
  StaticOptions staticOutput; // --emit=static: entry-point prefix, header
};

/// Registers everything a compile session needs (dialects, passes).
void registerCompilerPasses();

/// A compile session: owns the MLIR context and the module as it moves
/// through the stages. Errors name the ONNX node where one is at fault.
class CompileSession {
public:
  CompileSession();
  ~CompileSession();

  /// Imports `path`, verifies it and (unless told not to) runs the graph
  /// pipeline (shape inference, folding).
  llvm::Error import(llvm::StringRef path, const CompileOptions &options,
                     bool graphPipeline = true);
  /// Lowers to linalg on tensors.
  llvm::Error lowerToLinalg(const CompileOptions &options);
  /// Runs CPU code generation down to the LLVM dialect.
  llvm::Error lowerToLLVM(const CompileOptions &options);
  /// Writes LLVM IR, an object or a shared object.
  llvm::Error emit(const CompileOptions &options, EmitKind kind,
                   llvm::StringRef output, llvm::StringRef argv0);

  /// Runs every stage up to `stage` and writes the result to `output`
  /// (textual MLIR for the MLIR stages).
  llvm::Error compile(llvm::StringRef input, const CompileOptions &options,
                      Stage stage, llvm::StringRef output,
                      llvm::StringRef argv0, bool printWeights = false);

  mlir::ModuleOp module() { return *module_; }
  /// Inputs/outputs of the model (names, dtypes, static shapes).
  const ModelDesc &description() const { return desc_; }

private:
  llvm::Error runPipeline(llvm::function_ref<void(mlir::OpPassManager &)> build,
                          llvm::StringRef what);
  llvm::Error describe();
  llvm::Error takeError(llvm::StringRef what);

  mlir::MLIRContext context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  ModelDesc desc_;
  std::string path_;
  std::string firstError_;
};

} // namespace kiln

#endif // KILN_COMPILER_DRIVER_COMPILE_H
