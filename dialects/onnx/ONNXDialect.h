//===- ONNXDialect.h - the onnx dialect -------------------------*- C++ -*-===//
#ifndef KILN_DIALECTS_ONNX_ONNXDIALECT_H
#define KILN_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/onnx/ONNXOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/onnx/ONNXOpsTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/ONNXOps.h.inc"

namespace kiln::onnx {

/// Newest ai.onnx opset and IR version this build of Kiln knows.
int64_t maxSupportedOpset();
int64_t maxSupportedIRVersion();

/// The versions at which the schema of operator `name` changed, ascending
/// (versions of the operator's own domain); empty when the dialect has no
/// operator `name`.
llvm::ArrayRef<int64_t> schemaVersions(llvm::StringRef name);

/// The schema version that applies to operator `name` in a model importing
/// its domain at `opset` (0 when the operator does not exist at that opset).
int64_t schemaVersionFor(llvm::StringRef name, int64_t opset);

/// The domain of operator `name`: "ai.onnx", or the domain of the ops
/// generated from another one ("ai.onnx.ml", "ai.onnx.preview",
/// "ai.onnx.preview.training").
llvm::StringRef schemaDomain(llvm::StringRef name);

/// Groups of values tied to one type constraint in the newest schema of
/// `name`: operand i as i, result k as -(k+1).
llvm::ArrayRef<llvm::SmallVector<int>> typeGroups(llvm::StringRef name);

/// Element type of a tensor, sequence-of-tensor or optional value; null for
/// `none` and other types.
mlir::Type getElementTypeOrNull(mlir::Type type);

/// Checks the attribute values of an ONNX op that ODS cannot express
/// (ranges, permutations, lengths tied to ranks). Called by every verifier.
mlir::LogicalResult verifyONNXAttributes(mlir::Operation *op);

/// An `onnx.Constant` holding `value` (its type is the value's type).
ConstantOp createConstant(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::ElementsAttr value);

/// The ONNX node name an op was imported from ("" if none).
llvm::StringRef getNodeName(mlir::Operation *op);

} // namespace kiln::onnx

#endif // KILN_DIALECTS_ONNX_ONNXDIALECT_H
