//===- ImporterImpl.h - pieces shared by the importer's files ---*- C++ -*-===//
#ifndef KILN_COMPILER_IMPORT_IMPORTERIMPL_H
#define KILN_COMPILER_IMPORT_IMPORTERIMPL_H

#include "compiler/import/ONNXImporter.h"
#include "dialects/onnx/ONNXDialect.h"
#include "onnx/onnx.pb.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace kiln::import {

namespace pb = ::onnx;

/// The MLIR element type of an ONNX TensorProto::DataType; null if unknown.
mlir::Type convertDataType(int32_t dtype, mlir::MLIRContext *ctx);

/// The name of an ONNX data type, for messages ("FLOAT", "INT64", ...).
std::string dataTypeName(int32_t dtype);

/// Imports a TensorProto as an ElementsAttr. Large tensors become
/// dense_resource blobs that take ownership of the proto's raw bytes (the
/// proto is modified: its raw_data is moved out) or of a mapping of the
/// external data file, resolved inside `baseDir`. Errors name the tensor.
llvm::Expected<mlir::ElementsAttr> importTensor(pb::TensorProto &tensor,
                                                llvm::StringRef baseDir,
                                                mlir::MLIRContext *ctx);

/// Builds a small constant of `type` (shape + element type) from values.
mlir::DenseElementsAttr makeI64Tensor(mlir::MLIRContext *ctx,
                                      llvm::ArrayRef<int64_t> values,
                                      bool scalar = false);

/// Everything the opset upgrade needs to rewrite one node into the form of
/// the newest operator version.
struct NodeState {
  std::string opType;
  int64_t version = 0; // the schema version in effect for this node
  /// One entry per node input; a null Value for an omitted optional input.
  llvm::SmallVector<mlir::Value> inputs;
  /// Attributes by ONNX name (pointers into the NodeProto or into `owned`).
  llvm::SmallVector<const pb::AttributeProto *> attrs;
  std::vector<std::unique_ptr<pb::AttributeProto>> owned;
  /// Set by the upgrade when it emitted the node itself: its outputs.
  llvm::SmallVector<mlir::Value> replacement;

  const pb::AttributeProto *attr(llvm::StringRef name) const;
  void dropAttr(llvm::StringRef name);
  void setIntAttr(llvm::StringRef name, int64_t v);
  void setStringAttr(llvm::StringRef name, llvm::StringRef v);
};

/// Rewrites a node of an older opset into the newest operator form (attributes
/// that became inputs, renamed or replaced ops). May create helper ops with
/// `b` at `loc`. Returns an error message on failure.
llvm::Error upgradeNode(NodeState &node, mlir::OpBuilder &b,
                        mlir::Location loc);

/// Builds `onnx.<opType>` from a node state: null inputs become onnx.None,
/// INT/FLOAT/STRING(S)/INTS/FLOATS attributes are converted to the kinds the
/// op declares; `extraAttrs` (tensors, types) are added as they are, and
/// `numRegions` empty regions are created for the caller to fill.
llvm::Expected<mlir::Operation *>
buildONNXOp(mlir::OpBuilder &b, mlir::Location loc, NodeState &node,
            llvm::ArrayRef<mlir::Type> resultTypes,
            llvm::ArrayRef<mlir::NamedAttribute> extraAttrs,
            unsigned numRegions);

/// The MLIR attribute name of ONNX attribute `name` of `opType`, if any.
std::optional<std::string> lookupAttr(llvm::StringRef opType,
                                      llvm::StringRef name);

/// The graph attributes of `opType`, in the order of the op's regions.
llvm::SmallVector<std::string> graphAttrNames(llvm::StringRef opType);
/// Whether graph attribute `name` of `opType` may be left out.
bool isOptionalGraphAttr(llvm::StringRef opType, llvm::StringRef name);

} // namespace kiln::import

#endif // KILN_COMPILER_IMPORT_IMPORTERIMPL_H
