//===- ConversionUtils.h - shared pieces of the onnx lowerings --*- C++ -*-===//
#ifndef KILN_PASSES_TOLINALG_CONVERSIONUTILS_H
#define KILN_PASSES_TOLINALG_CONVERSIONUTILS_H

#include "dialects/onnx/ONNXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
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
/// The ONNX node's name (from its location, as the importer sets it), or
/// "" when it has none: for messages such as run-time check failures.
std::string nodeName(mlir::Operation *op);

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

/// ONNX Cast of scalar `v` to float8e8m0 (powers of two, no sign): the f32
/// exponent, rounded up when `roundMode` is "up" and the mantissa is not
/// zero, to nearest (ONNX's guard/round/sticky rule) for "nearest"; NaN and
/// infinities become NaN (0xff), as does rounding past 2^127 unless
/// `saturate`.
mlir::Value castToE8M0(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                       mlir::Type fromOnnx, llvm::StringRef roundMode,
                       bool saturate);

/// An integer arith.constant of `type` holding `value` (truncated to the
/// width; i1 takes 0/1).
mlir::Value createIntScalar(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Type type, int64_t value);

/// The lowest (-inf, or the minimum integer of the ONNX signedness) and
/// highest values of ONNX element type `onnxElt`, as converted scalars.
mlir::Value createLowest(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type onnxElt);
mlir::Value createHighest(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type onnxElt);

/// Scalar arithmetic choosing float/int (and signedness) arith ops.
mlir::Value createAdd(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);
mlir::Value createMul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);
/// max/min; floats propagate NaN (numpy maximum/minimum).
mlir::Value createMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y, bool isUnsigned);
mlir::Value createMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y, bool isUnsigned);

/// `axis` in [-rank, rank) made non-negative, or std::nullopt.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// The elements of an integer constant tensor (onnx.Constant or
/// arith.constant), or failure.
mlir::FailureOr<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value v);

/// Scalar reduction combiner: (builder, loc, input element, accumulator) ->
/// new accumulator.
using ReduceFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value, mlir::Value)>;

/// A linalg.generic reducing `input` over `axes` (sorted, unique) from `init`
/// with `combine`. With `keepDims` the reduced dims stay as size 1
/// (tensor.expand_shape), so the result broadcasts against `input`.
mlir::Value createReduction(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value input, llvm::ArrayRef<int64_t> axes,
                            mlir::Value init, bool keepDims, ReduceFn combine);

/// Expands `reduced` (the shape of `fullShape` without `axes`) back to rank
/// `fullShape.size()` with size-1 dims at `axes`.
mlir::Value expandReducedDims(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value reduced,
                              llvm::ArrayRef<int64_t> fullShape,
                              llvm::ArrayRef<int64_t> axes);

/// Reshapes a 1-D tensor of size C to [C, 1, ..., 1] so that numpy
/// broadcasting aligns it with dim `axis` of a rank-`rank` tensor (per-channel
/// parameters). Rank-0 and other shapes are returned as they are.
mlir::Value alignToAxis(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                        int64_t axis, int64_t rank);

/// ArgMax (or ArgMin with `isMin`) of `input` along `axis`: an i64 tensor
/// without that dim. Ties take the first index (the last with
/// `selectLast`); for floats the first NaN wins, as numpy does.
mlir::Value createArgReduction(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value input, int64_t axis, bool isMin,
                               bool selectLast, bool isUnsigned);

/// cf.assert(cond, "<Op> node '<name>': <what>") ("<Op>: <what>" when the
/// location names no node): checks a run-time value (a size, an axis)
/// against what the lowering assumed from static shapes.
void emitRuntimeCheck(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Operation *op, mlir::Value cond,
                      const llvm::Twine &what);

// Pattern families (one file each under ops/).
void populateConstantPatterns(mlir::TypeConverter &tc,
                              mlir::RewritePatternSet &patterns);
void populateElementwisePatterns(mlir::TypeConverter &tc,
                                 mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::TypeConverter &tc,
                               mlir::RewritePatternSet &patterns);
void populateSoftmaxPatterns(mlir::TypeConverter &tc,
                             mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::TypeConverter &tc,
                                   mlir::RewritePatternSet &patterns);
void populateMiscPatterns(mlir::TypeConverter &tc,
                          mlir::RewritePatternSet &patterns);

//===----------------------------------------------------------------------===//
// Helpers of the MatMul/Conv/Pooling/DataMovement families.
//===----------------------------------------------------------------------===//

/// Begin/end pads of the spatial dims of a window op (Conv, pools): explicit
/// `pads` (ONNX layout [b0, b1, ..., e0, e1, ...]) or computed from
/// `autoPad` (NOTSET, VALID, SAME_UPPER, SAME_LOWER). The end pads are grown
/// so that the padded input covers every window of `outSpatial` (ceil_mode).
struct WindowPads {
  llvm::SmallVector<int64_t> begin, end;
};
mlir::FailureOr<WindowPads>
computeWindowPads(llvm::StringRef autoPad, llvm::ArrayRef<int64_t> inSpatial,
                  llvm::ArrayRef<int64_t> kernel,
                  llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> dilations,
                  std::optional<llvm::ArrayRef<int64_t>> pads,
                  llvm::ArrayRef<int64_t> outSpatial);

/// `attr` or `n` copies of `dflt` when absent; failure if the size is not n.
mlir::FailureOr<llvm::SmallVector<int64_t>>
getWindowAttr(std::optional<llvm::ArrayRef<int64_t>> attr, size_t n,
              int64_t dflt);

/// Pads `x` by `low`/`high` (per dim, negative values crop) with scalar
/// `padValue` (tensor.pad; extract_slice for crops). Returns `x` when all
/// pads are zero.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue);

/// linalg.transpose of `x` by `perm` (result dim i = input dim perm[i]).
mlir::Value transposeTensor(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value x, llvm::ArrayRef<int64_t> perm);

/// Reshapes static `x` to `shape` (same element count): one
/// tensor.collapse_shape or tensor.expand_shape when the shapes allow,
/// collapse-to-1-D + expand otherwise.
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                          llvm::ArrayRef<int64_t> shape);

/// Broadcasts `x` (numpy rules) to `type` with a linalg.generic; `x` when
/// the shapes already agree.
mlir::Value broadcastTensor(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value x, mlir::RankedTensorType type);

/// Index `idx` (any integer type) of a dim of size `dim` as an index value,
/// negative values wrapped (+dim) and the result clamped to [0, dim-1].
mlir::Value normalizeIndex(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value idx, int64_t dim);

/// A (..., M, K) x B (..., K, N) -> `resultType` (numpy matmul: batch dims
/// broadcast, 1-D operands as a row/column). The operands must have the
/// result's element type (the product accumulates in it). Failure when the
/// shapes disagree.
mlir::FailureOr<mlir::Value> buildMatMul(mlir::OpBuilder &b, mlir::Location loc,
                                         mlir::Value a, mlir::Value bm,
                                         mlir::RankedTensorType resultType);

/// The window attributes of a Conv-like op (Conv, ConvInteger, QLinearConv).
struct ConvAttrs {
  llvm::StringRef autoPad;
  std::optional<llvm::ArrayRef<int64_t>> dilations, kernelShape, pads, strides;
  int64_t group;
};
template <typename OpTy> ConvAttrs getConvAttrs(OpTy op) {
  return {op.getAutoPad(),     op.getDilations(),
          op.getKernelShape(), op.getPads(),
          op.getStrides(),     static_cast<int64_t>(op.getGroup())};
}

/// Convolution of `x` (N, C, spatial...) by `w` (F, C/G, k...) with `attrs`
/// into static `type` (N, F, out...), padding with zeros, accumulating in
/// the element type of `type` (x and w must have it) from `bias` (F; null or
/// none for zeros). Failure, with a match-failure note on `op`, when the
/// shapes and attributes disagree.
mlir::FailureOr<mlir::Value>
lowerConvolution(mlir::ConversionPatternRewriter &rewriter, mlir::Operation *op,
                 mlir::Value x, mlir::Value w, mlir::Value bias,
                 mlir::RankedTensorType type, const ConvAttrs &attrs,
                 bool directConvs = true);

// Pattern families (one file each under ops/).
void populateMatMulPatterns(mlir::TypeConverter &tc,
                            mlir::RewritePatternSet &patterns);
/// `directConvs`: see kiln-convert-onnx-to-linalg's direct-convs option.
void populateConvPatterns(mlir::TypeConverter &tc,
                          mlir::RewritePatternSet &patterns,
                          bool directConvs = true);
void populatePoolingPatterns(mlir::TypeConverter &tc,
                             mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::TypeConverter &tc,
                                  mlir::RewritePatternSet &patterns);
void populateGatherScatterPatterns(mlir::TypeConverter &tc,
                                   mlir::RewritePatternSet &patterns);
void populateResizePatterns(mlir::TypeConverter &tc,
                            mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::TypeConverter &tc,
                               mlir::RewritePatternSet &patterns);
void populateSelectionPatterns(mlir::TypeConverter &tc,
                               mlir::RewritePatternSet &patterns);
void populateTopKPatterns(mlir::TypeConverter &tc,
                          mlir::RewritePatternSet &patterns);
void populateEinsumPatterns(mlir::TypeConverter &tc,
                            mlir::RewritePatternSet &patterns);
void populateLossPatterns(mlir::TypeConverter &tc,
                          mlir::RewritePatternSet &patterns);
void populateGridSamplePatterns(mlir::TypeConverter &tc,
                                mlir::RewritePatternSet &patterns);
void populateAttentionPatterns(mlir::TypeConverter &tc,
                               mlir::RewritePatternSet &patterns);
void populateLinearAttentionPatterns(mlir::TypeConverter &tc,
                                     mlir::RewritePatternSet &patterns);
void populateFlexAttentionPatterns(mlir::TypeConverter &tc,
                                   mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(mlir::TypeConverter &tc,
                                 mlir::RewritePatternSet &patterns);
void populateCausalConvPatterns(mlir::TypeConverter &tc,
                                mlir::RewritePatternSet &patterns);
void populateTensorScatterPatterns(mlir::TypeConverter &tc,
                                   mlir::RewritePatternSet &patterns);
void populateQuantizedPatterns(mlir::TypeConverter &tc,
                               mlir::RewritePatternSet &patterns);
void populateLinearAlgebraPatterns(mlir::TypeConverter &tc,
                                   mlir::RewritePatternSet &patterns);
void populateImagePatterns(mlir::TypeConverter &tc,
                           mlir::RewritePatternSet &patterns);
void populateRoiAlignPatterns(mlir::TypeConverter &tc,
                              mlir::RewritePatternSet &patterns);
void populateSignalPatterns(mlir::TypeConverter &tc,
                            mlir::RewritePatternSet &patterns);
void populateTrainingPatterns(mlir::TypeConverter &tc,
                              mlir::RewritePatternSet &patterns);
void populateMLPatterns(mlir::TypeConverter &tc,
                        mlir::RewritePatternSet &patterns);
void populateTreeEnsemblePatterns(mlir::TypeConverter &tc,
                                  mlir::RewritePatternSet &patterns);

} // namespace kiln::tolinalg

#endif // KILN_PASSES_TOLINALG_CONVERSIONUTILS_H
