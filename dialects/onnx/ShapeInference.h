//===- ShapeInference.h - shape/type inference of onnx ops ------*- C++ -*-===//
//
// Result shapes of onnx ops computed from operand types and from operands
// that are constants (shape tensors). Used by the kiln-shape-inference pass.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_ONNX_SHAPEINFERENCE_H
#define KILN_DIALECTS_ONNX_SHAPEINFERENCE_H

#include "dialects/onnx/ONNXDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include <optional>

namespace kiln::onnx {

/// Refines the result types of `op` in place from what its operands tell.
/// Returns failure (after emitting an error on `op`) when the operands are
/// incompatible (e.g. shapes that do not broadcast); success otherwise,
/// including when nothing could be inferred. Never loosens a known dim.
mlir::LogicalResult inferShapes(mlir::Operation *op);

/// Refines the types of the operands of `op` that other onnx ops produce
/// from the result types of `op`, where the op determines them: elementwise
/// ops whose result has the shape of their operand, and broadcasts where one
/// operand alone can supply a dim. This carries the declared static type of a
/// graph output back to the ops computing it (e.g. through a ReduceSum with
/// run-time axes). Returns true when an operand type changed. Never loosens
/// a known dim and never fails: conflicts are left to forward inference.
bool refineOperandShapes(mlir::Operation *op);

/// Tries to evaluate `op` at compile time when all operands it needs are
/// constants and the result is small (shape arithmetic on int64 tensors,
/// Shape of a static tensor, ...). Returns the folded values, one per result,
/// or nothing.
std::optional<llvm::SmallVector<mlir::DenseElementsAttr>>
foldToConstants(mlir::Operation *op);

//===----------------------------------------------------------------------===//
// Helpers shared by the per-family inference files.
//===----------------------------------------------------------------------===//

/// Known dims of a value: nullopt when unranked; kDynamic for unknown dims.
std::optional<llvm::SmallVector<int64_t>> getShape(mlir::Value v);

/// Values of a constant integer tensor operand (onnx.Constant producer).
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value v);

/// Values of a 0-D or 1-D integer tensor that is partly known at compile
/// time (kDynamic for unknown entries): constants, Shape of a ranked tensor,
/// and Concat/Gather/Unsqueeze/Squeeze/Cast/Identity of those. Typical of
/// the shape arithmetic of exported models with a dynamic batch dim.
std::optional<llvm::SmallVector<int64_t>> getPartialInts(mlir::Value v);

/// Values of a constant float tensor operand, converted to double.
std::optional<llvm::SmallVector<double>> getConstantFloats(mlir::Value v);

/// The constant elements behind `v`, if it is produced by onnx.Constant.
mlir::ElementsAttr getConstantElements(mlir::Value v);

/// Sets the shape of result `r`, keeping its element type; merges with the
/// shape it already has (a known dim is never replaced by a dynamic one).
/// Emits an error and fails when a known dim disagrees.
mlir::LogicalResult setShape(mlir::Value r, llvm::ArrayRef<int64_t> shape);

/// Refines the type of `v` to `shape` (kDynamic: unknown) when `v` is the
/// result of an onnx op and the shapes agree; an unranked `v` takes the
/// rank. Returns true when the type changed.
bool refineValueShape(mlir::Value v, llvm::ArrayRef<int64_t> shape);

/// Multidirectional (numpy) broadcast of shapes; fails when incompatible.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// Normalizes a possibly negative axis into [0, rank); nullopt if out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// True for the `none` value of an omitted optional input.
bool isNone(mlir::Value v);

/// Rank of a ranked tensor value; nullopt otherwise.
std::optional<int64_t> getRank(mlir::Value v);

/// Gives `r` the shape of `from` when `from` is ranked.
mlir::LogicalResult setSameShape(mlir::Value r, mlir::Value from);

/// Integer attribute `name` of `op`, or `dflt` when absent.
int64_t getIntAttr(mlir::Operation *op, llvm::StringRef name, int64_t dflt);

/// Integer-array attribute `name` of `op` (DenseI64ArrayAttr or ArrayAttr of
/// integers); nullopt when absent.
std::optional<llvm::SmallVector<int64_t>> getIntsAttr(mlir::Operation *op,
                                                      llvm::StringRef name);

/// Number of elements of a shape; nullopt when a dim is dynamic.
std::optional<int64_t> getNumElements(llvm::ArrayRef<int64_t> shape);

/// True when every dim is known.
bool isStaticShape(llvm::ArrayRef<int64_t> shape);

/// Emits `msg` as an op error on `op` and returns failure.
mlir::InFlightDiagnostic shapeError(mlir::Operation *op,
                                    const llvm::Twine &msg);

/// Length of a 1-D value when statically known (e.g. a shape operand whose
/// contents are unknown but whose length fixes the result rank).
std::optional<int64_t> getStatic1DLength(mlir::Value v);

/// First index and number of elements a Slice (step != 0) selects from a
/// dim of size `d`, with ONNX clamping of out-of-range starts and ends.
std::pair<int64_t, int64_t> sliceRange(int64_t d, int64_t start, int64_t end,
                                       int64_t step);

/// Multiplies dims, propagating kDynamic.
int64_t mulDims(int64_t a, int64_t b);

// Per-family entry points: each returns std::nullopt when `op` is not of its
// family, otherwise the result of inferring it.
std::optional<mlir::LogicalResult> inferElementwiseShapes(mlir::Operation *op);
std::optional<mlir::LogicalResult> inferTensorShapes(mlir::Operation *op);
std::optional<mlir::LogicalResult> inferNNShapes(mlir::Operation *op);
std::optional<mlir::LogicalResult> inferReductionShapes(mlir::Operation *op);
std::optional<mlir::LogicalResult> inferControlFlowShapes(mlir::Operation *op);
std::optional<mlir::LogicalResult> inferSignalShapes(mlir::Operation *op);
std::optional<mlir::LogicalResult> inferMLShapes(mlir::Operation *op);

} // namespace kiln::onnx

#endif // KILN_DIALECTS_ONNX_SHAPEINFERENCE_H
