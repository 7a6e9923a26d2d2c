//===- ONNXImporter.h - ONNX protobuf -> onnx dialect -----------*- C++ -*-===//
#ifndef KILN_COMPILER_IMPORT_ONNXIMPORTER_H
#define KILN_COMPILER_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace kiln {

struct ImportOptions {
  /// Static shapes for graph inputs, by name (--input-shape=NAME:1x3x8x8).
  /// They replace the model's shape of that input; a rank change is an error.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Values of symbolic dims (dim_param), by name; applied to every input.
  std::map<std::string, int64_t> dimParams;
  /// Lengths of sequence inputs, by name (--sequence-length=NAME:N). A
  /// sequence input of length N becomes N tensor arguments of @main named
  /// `NAME[0]` .. `NAME[N-1]` (their shapes can be set with --input-shape on
  /// those names); @main rebuilds the sequence with onnx.SequenceConstruct.
  std::map<std::string, int64_t> sequenceLengths;
  /// Optional inputs that are absent (--absent-input=NAME): they take no
  /// argument and are an empty onnx.Optional. A present optional input is
  /// passed as its element (a tensor `NAME`, or a flattened sequence).
  std::set<std::string> absentInputs;
};

/// Reads the ONNX model at `path` and builds a module holding `func.func
/// @main` in the onnx dialect. Graph inputs/outputs keep their names
/// (`onnx.name` argument/result attributes). Weights become
/// `dense_resource` blobs that own the protobuf's bytes (or a mapping of the
/// external data file): they are not copied on the way in.
///
/// Errors (unreadable, truncated or non-ONNX files, unsupported IR version,
/// opset, domain or op, bad external data paths, malformed nodes) come back
/// as one human-readable line naming the node and op type where one is at
/// fault.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXModel(llvm::StringRef path, mlir::MLIRContext &context,
                const ImportOptions &options = {});

/// The same from bytes in memory; external data is resolved against
/// `baseDir` (empty: external data is an error).
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXModelFromBuffer(llvm::StringRef bytes, llvm::StringRef baseDir,
                          mlir::MLIRContext &context,
                          const ImportOptions &options = {});

} // namespace kiln

#endif // KILN_COMPILER_IMPORT_ONNXIMPORTER_H
