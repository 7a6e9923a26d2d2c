//===- ConversionUtils.h - shared pieces of the onnx lowerings --*- C++ -*-===//
#ifndef KILN_PASSES_TOLINALG_CONVERSIONUTILS_H
#define KILN_PASSES_TOLINALG_CONVERSIONUTILS_H

#include "dialects/onnx/ONNXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln::tolinalg {

/// ONNX types -> the types the lowered code uses: unsigned integers become
/// signless of the same width (ops keep the signedness from the ONNX type),
/// everything else is unchanged. Unranked or dynamic tensors are left as they
/// are and make the op's lowering fail.
class ONNXTypeConverter : public mlir::TypeConverter {
public:
  ONNXTypeConverter();
};

/// The converted (signless) form of an element type.
mlir::Type convertElementType(mlir::Type type);

/// True for ui8..ui64 (ONNX unsigned) element types of a value's type.
bool isUnsignedInt(mlir::Type type);

/// The static ranked tensor type of `v` (converted), or failure with a match
/// failure note mentioning the op.
mlir::FailureOr<mlir::RankedTensorType>
getStaticType(mlir::ConversionPatternRewriter &rewriter, mlir::Operation *op,
              mlir::Type type);

/// tensor.empty of a static type.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// linalg.fill of a static type with `value`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);

/// A scalar arith.constant of `type` (int or float) holding `value`.
mlir::Value createScalar(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, double value);

/// The indexing map reading `inputType` broadcast (numpy rules) into an
/// iteration space of rank `rank`: dims of size 1 that the result does not
/// have read index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             mlir::RankedTensorType inputType,
                             llvm::ArrayRef<int64_t> resultShape);

/// A linalg.generic computing `body` elementwise over `inputs` broadcast to
/// `resultType`. `body` gets the scalar inputs and returns the scalar result.
mlir::Value createElementwise(
    mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
    mlir::RankedTensorType resultType,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>
        body);

/// Casts scalar `v` to element type `to` (int/float, signedness from the
/// ONNX types `fromOnnx`/`toOnnx`), with ONNX Cast semantics.
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                       mlir::Type fromOnnx, mlir::Type toOnnx);

// Pattern families (one file each under ops/).
void populateConstantPatterns(mlir::TypeConverter &tc,
                              mlir::RewritePatternSet &patterns);
void populateElementwisePatterns(mlir::TypeConverter &tc,
                                 mlir::RewritePatternSet &patterns);

} // namespace kiln::tolinalg

#endif // KILN_PASSES_TOLINALG_CONVERSIONUTILS_H
