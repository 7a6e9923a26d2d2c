//===- Quantized.cpp - QLinearMatMul, ConvInteger, QLinearConv ------------===//
//
// The integer operands minus their zero points are widened to i32 (one
// linalg.generic each), multiplied by the MatMul/Conv lowerings in i32, and
// requantized elementwise as ONNX's reference does: the combined scale
// (a_scale * b_scale / y_scale, each step rounded to the scale type) times
// the i32 accumulator in f64, plus the output zero point, rounded to
// nearest even and saturated to the output type.
//
// QLinearMatMul on float8 operands dequantizes to f32 instead, multiplies in
// f32 and converts the scaled result to the float8 output with saturation
// (float8 values are not rounded to integers).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

bool isNoneValue(Value v) { return !v || isa<NoneType>(v.getType()); }

/// True when `from` broadcasts (numpy rules) to exactly `to`.
bool broadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != 1 && f != t)
      return false;
  }
  return true;
}

/// A quantization parameter (scale or zero point) made to broadcast against
/// a tensor of shape `shape`: a 1-D parameter of more than one element
/// applies per row (dim rank-2) with `perRow`, per column (the last dim)
/// otherwise, unless `axis` names the dim. Failure when it does not fit.
FailureOr<Value> alignParam(OpBuilder &b, Location loc, Value p,
                            ArrayRef<int64_t> shape, bool perRow,
                            std::optional<int64_t> axis = std::nullopt) {
  auto t = dyn_cast<RankedTensorType>(p.getType());
  if (!t || !t.hasStaticShape())
    return failure();
  int64_t rank = shape.size();
  if (t.getRank() == 1 && t.getDimSize(0) != 1) {
    if (axis)
      p = alignToAxis(b, loc, p, *axis, rank);
    else if (perRow && rank >= 2)
      p = reshapeTensor(b, loc, p, {t.getDimSize(0), 1});
    t = cast<RankedTensorType>(p.getType());
  }
  if (!broadcastsTo(t.getShape(), shape))
    return failure();
  return p;
}

/// `x` (ONNX element type `xOnnx`) minus the zero point `zp` (already
/// aligned; none for 0), converted to `to` (i32, or f32 for float8).
Value subtractZeroPoint(OpBuilder &b, Location loc, Value x, Type xOnnx,
                        Value zp, Type zpOnnx, Type to) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<Value> ins{x};
  if (!isNoneValue(zp))
    ins.push_back(zp);
  return createElementwise(
      b, loc, ins, t.clone(to), [&](OpBuilder &nb, Location nl, ValueRange s) {
        Value v = castScalar(nb, nl, s[0], xOnnx, to);
        if (s.size() < 2)
          return v;
        Value z = castScalar(nb, nl, s[1], zpOnnx, to);
        if (isa<FloatType>(to))
          return (Value)arith::SubFOp::create(nb, nl, v, z);
        return (Value)arith::SubIOp::create(nb, nl, v, z);
      });
}

/// A float scalar of ONNX type `onnxElt` extended to f32.
Value toF32(OpBuilder &b, Location loc, Value v, Type onnxElt) {
  return castScalar(b, loc, v, onnxElt, b.getF32Type());
}

/// lhs * rhs / div computed in `scaleType` (each step rounded to it, as
/// numpy does), returned as f64. f32 holds the exact product of two 16-bit
/// floats and rounds the quotient finely enough that rounding it again to
/// f16/bf16 is correct.
Value combinedScale(OpBuilder &b, Location loc, Value lhs, Value rhs, Value div,
                    Type scaleType) {
  Type f32 = b.getF32Type();
  auto round = [&](Value v) {
    if (scaleType == f32)
      return v;
    return castScalar(b, loc, castScalar(b, loc, v, f32, scaleType), scaleType,
                      f32);
  };
  Value s = round(arith::MulFOp::create(b, loc, toF32(b, loc, lhs, scaleType),
                                        toF32(b, loc, rhs, scaleType)));
  s = round(arith::DivFOp::create(b, loc, s, toF32(b, loc, div, scaleType)));
  return arith::ExtFOp::create(b, loc, b.getF64Type(), s);
}

/// round_half_even(acc * scale) + zp, saturated to the integer ONNX type
/// `outOnnx`; `acc` is i32, `scale` f64, `zp` (or null) of type `zpOnnx`.
Value requantizeInt(OpBuilder &b, Location loc, Value acc, Value scale,
                    Value zp, Type zpOnnx, Type outOnnx) {
  Type f64 = b.getF64Type();
  Value v = arith::SIToFPOp::create(b, loc, f64, acc);
  v = arith::MulFOp::create(b, loc, v, scale);
  if (zp)
    v = arith::AddFOp::create(b, loc, v, castScalar(b, loc, zp, zpOnnx, f64));
  v = math::RoundEvenOp::create(b, loc, v);
  Type out = convertElementType(outOnnx);
  bool isUnsigned = isUnsignedInt(outOnnx);
  unsigned w = out.getIntOrFloatBitWidth();
  APInt lo = isUnsigned ? APInt::getMinValue(w) : APInt::getSignedMinValue(w);
  APInt hi = isUnsigned ? APInt::getMaxValue(w) : APInt::getSignedMaxValue(w);
  // (Each branch to double: a common type of uint64_t would wrap -128.)
  double loD =
      isUnsigned ? (double)lo.getZExtValue() : (double)lo.getSExtValue();
  double hiD =
      isUnsigned ? (double)hi.getZExtValue() : (double)hi.getSExtValue();
  v = arith::MaximumFOp::create(b, loc, v, createScalar(b, loc, f64, loD));
  v = arith::MinimumFOp::create(b, loc, v, createScalar(b, loc, f64, hiD));
  if (isUnsigned)
    return arith::FPToUIOp::create(b, loc, out, v);
  return arith::FPToSIOp::create(b, loc, out, v);
}

/// f32 `v` to the float8 type `out`, saturating to its largest finite
/// value (NaN stays NaN).
Value saturateToFloat8(OpBuilder &b, Location loc, Value v, Type out) {
  double hi =
      llvm::APFloat::getLargest(cast<FloatType>(out).getFloatSemantics())
          .convertToDouble();
  Type f32 = b.getF32Type();
  v = arith::MinimumFOp::create(b, loc, v, createScalar(b, loc, f32, hi));
  v = arith::MaximumFOp::create(b, loc, v, createScalar(b, loc, f32, -hi));
  return arith::TruncFOp::create(b, loc, out, v);
}

Type onnxEltOf(Value v) { return getElementTypeOrSelf(v.getType()); }

struct QLinearMatMulLowering : OpConversionPattern<onnx::QLinearMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::QLinearMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto aType = getStaticType(rewriter, op, adaptor.getA().getType());
    auto bType = getStaticType(rewriter, op, adaptor.getB().getType());
    if (failed(type) || failed(aType) || failed(bType))
      return failure();
    if (aType->getRank() == 0 || bType->getRank() == 0)
      return rewriter.notifyMatchFailure(op, "QLinearMatMul of a scalar");
    Type outOnnx = onnxEltOf(op.getY());
    bool isFloat8 = isa<FloatType>(type->getElementType());
    Type accType =
        isFloat8 ? (Type)rewriter.getF32Type() : rewriter.getI32Type();
    // Zero points of A apply per row, those of B per column.
    auto aZp = alignParam(rewriter, loc, adaptor.getAZeroPoint(),
                          aType->getShape(), /*perRow=*/true);
    auto bZp = alignParam(rewriter, loc, adaptor.getBZeroPoint(),
                          bType->getShape(), /*perRow=*/false);
    if (failed(aZp) || failed(bZp))
      return rewriter.notifyMatchFailure(
          op, "zero points must be scalars, per row of A or per column of B");
    Value a =
        subtractZeroPoint(rewriter, loc, adaptor.getA(), onnxEltOf(op.getA()),
                          *aZp, onnxEltOf(op.getAZeroPoint()), accType);
    Value bm =
        subtractZeroPoint(rewriter, loc, adaptor.getB(), onnxEltOf(op.getB()),
                          *bZp, onnxEltOf(op.getBZeroPoint()), accType);
    auto accResult = type->clone(accType);
    FailureOr<Value> acc = buildMatMul(rewriter, loc, a, bm, accResult);
    if (failed(acc))
      return rewriter.notifyMatchFailure(op, "incompatible matmul shapes");
    // Scales of A per row of the result, of B and Y per column.
    ArrayRef<int64_t> shape = type->getShape();
    // (The rows are the last dim when B is a vector, none when A is.)
    bool rowsLast = bType->getRank() == 1;
    std::optional<int64_t> rowAxis;
    if (rowsLast && type->getRank() >= 1)
      rowAxis = type->getRank() - 1;
    auto aScale = alignParam(rewriter, loc, adaptor.getAScale(), shape,
                             /*perRow=*/aType->getRank() >= 2, rowAxis);
    auto bScale = alignParam(rewriter, loc, adaptor.getBScale(), shape, false);
    auto yScale = alignParam(rewriter, loc, adaptor.getYScale(), shape, false);
    auto yZp = alignParam(rewriter, loc, adaptor.getYZeroPoint(), shape, false);
    if (failed(aScale) || failed(bScale) || failed(yScale) || failed(yZp))
      return rewriter.notifyMatchFailure(
          op, "scales must be scalars, per row of A or per column of B/Y");
    Type scaleType = onnxEltOf(op.getAScale());
    if (onnxEltOf(op.getBScale()) != scaleType ||
        onnxEltOf(op.getYScale()) != scaleType)
      return rewriter.notifyMatchFailure(op, "scales of different types");
    Type yZpOnnx = onnxEltOf(op.getYZeroPoint());
    Value y = createElementwise(
        rewriter, loc, ValueRange{*acc, *aScale, *bScale, *yScale, *yZp}, *type,
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value scale = combinedScale(b, l, s[1], s[2], s[3], scaleType);
          if (!isFloat8)
            return requantizeInt(b, l, s[0], scale, s[4], yZpOnnx, outOnnx);
          Type f32 = b.getF32Type();
          Value v = arith::MulFOp::create(
              b, l, s[0], arith::TruncFOp::create(b, l, f32, scale));
          v = arith::AddFOp::create(b, l, v, toF32(b, l, s[4], yZpOnnx));
          return saturateToFloat8(b, l, v, type->getElementType());
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// X minus its (per-tensor) zero point and W minus its per-tensor or
/// per-output-channel zero point, both in i32.
FailureOr<std::pair<Value, Value>>
widenConvOperands(ConversionPatternRewriter &rewriter, Operation *op, Value x,
                  Value onnxX, Value xZp, Value onnxXZp, Value w, Value onnxW,
                  Value wZp, Value onnxWZp) {
  Location loc = op->getLoc();
  auto xType = getStaticType(rewriter, op, x.getType());
  auto wType = getStaticType(rewriter, op, w.getType());
  if (failed(xType) || failed(wType))
    return failure();
  if (wType->getRank() < 1)
    return rewriter.notifyMatchFailure(op, "W must have an output channel dim");
  Type i32 = rewriter.getI32Type();
  if (!isNoneValue(xZp)) {
    auto t = dyn_cast<RankedTensorType>(xZp.getType());
    if (!t || !t.hasStaticShape() || t.getNumElements() != 1 ||
        !broadcastsTo(t.getShape(), xType->getShape()))
      return rewriter.notifyMatchFailure(op, "x_zero_point must be a scalar");
  }
  FailureOr<Value> wZpAligned = wZp;
  if (!isNoneValue(wZp))
    wZpAligned = alignParam(rewriter, loc, wZp, wType->getShape(), false,
                            /*axis=*/0);
  if (failed(wZpAligned))
    return rewriter.notifyMatchFailure(
        op, "w_zero_point must be a scalar or one per output channel");
  Value x32 = subtractZeroPoint(rewriter, loc, x, onnxEltOf(onnxX), xZp,
                                onnxEltOf(onnxXZp), i32);
  Value w32 = subtractZeroPoint(rewriter, loc, w, onnxEltOf(onnxW), *wZpAligned,
                                onnxEltOf(onnxWZp), i32);
  return std::make_pair(x32, w32);
}

struct ConvIntegerLowering : OpConversionPattern<onnx::ConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ConvIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    auto xw = widenConvOperands(rewriter, op, adaptor.getX(), op.getX(),
                                adaptor.getXZeroPoint(), op.getXZeroPoint(),
                                adaptor.getW(), op.getW(),
                                adaptor.getWZeroPoint(), op.getWZeroPoint());
    if (failed(xw))
      return failure();
    FailureOr<Value> r = lowerConvolution(rewriter, op, xw->first, xw->second,
                                          Value(), *type, getConvAttrs(op));
    if (failed(r))
      return failure();
    rewriter.replaceOp(op, *r);
    return success();
  }
};

struct QLinearConvLowering : OpConversionPattern<onnx::QLinearConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::QLinearConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    if (type->getRank() < 3)
      return rewriter.notifyMatchFailure(op, "needs N-C-spatial operands");
    auto xw = widenConvOperands(rewriter, op, adaptor.getX(), op.getX(),
                                adaptor.getXZeroPoint(), op.getXZeroPoint(),
                                adaptor.getW(), op.getW(),
                                adaptor.getWZeroPoint(), op.getWZeroPoint());
    if (failed(xw))
      return failure();
    Value bias = adaptor.getB();
    if (!isNoneValue(bias)) {
      auto bt = dyn_cast<RankedTensorType>(bias.getType());
      if (!bt || bt.getRank() != 1 || bt.getDimSize(0) != type->getDimSize(1))
        return rewriter.notifyMatchFailure(op, "B must hold one value per "
                                               "output channel");
    }
    auto accType = type->clone(rewriter.getI32Type());
    FailureOr<Value> acc = lowerConvolution(rewriter, op, xw->first, xw->second,
                                            bias, accType, getConvAttrs(op));
    if (failed(acc))
      return failure();
    // x_scale is per tensor; w_scale, y_scale and y_zero_point per tensor
    // or per output channel.
    ArrayRef<int64_t> shape = type->getShape();
    auto xScale = alignParam(rewriter, loc, adaptor.getXScale(), shape, false);
    if (succeeded(xScale) &&
        cast<RankedTensorType>(adaptor.getXScale().getType())
                .getNumElements() != 1)
      xScale = failure();
    auto wScale =
        alignParam(rewriter, loc, adaptor.getWScale(), shape, false, 1);
    auto yScale =
        alignParam(rewriter, loc, adaptor.getYScale(), shape, false, 1);
    auto yZp =
        alignParam(rewriter, loc, adaptor.getYZeroPoint(), shape, false, 1);
    if (failed(xScale) || failed(wScale) || failed(yScale) || failed(yZp))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be scalars (x_scale) or one per "
              "output channel");
    Type f32 = rewriter.getF32Type();
    Type yZpOnnx = onnxEltOf(op.getYZeroPoint());
    Type outOnnx = onnxEltOf(op.getY());
    Value y = createElementwise(
        rewriter, loc, ValueRange{*acc, *xScale, *wScale, *yScale, *yZp}, *type,
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value scale = combinedScale(b, l, s[1], s[2], s[3], f32);
          return requantizeInt(b, l, s[0], scale, s[4], yZpOnnx, outOnnx);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateQuantizedPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<QLinearMatMulLowering, ConvIntegerLowering, QLinearConvLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
