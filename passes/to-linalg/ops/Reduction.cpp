//===- Reduction.cpp - Reduce* and ArgMax/ArgMin --------------------------===//
//
// Reduce* ops become a linalg.generic with reduction iterators over the
// (constant) axes, the per-element transform folded into the combiner
// (|x| for L1, x*x for L2/SumSquare) and a final elementwise step where the
// op needs one (Mean, L2, LogSum, LogSumExp). keepdims is a
// tensor.expand_shape of the reduced result.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSq };

Value absOf(OpBuilder &b, Location l, Value x, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return math::AbsFOp::create(b, l, x);
  if (isUnsigned)
    return x;
  return math::AbsIOp::create(b, l, x);
}

/// The reduced axes of `op` (sorted, unique, non-negative), std::nullopt
/// for "no reduction" (noop_with_empty_axes), or failure.
template <typename OpTy>
FailureOr<std::optional<SmallVector<int64_t>>>
getReduceAxes(OpTy op, RankedTensorType inType, RankedTensorType outType,
              ConversionPatternRewriter &rewriter) {
  int64_t rank = inType.getRank();
  SmallVector<int64_t> axes;
  if (!isa<NoneType>(op.getAxes().getType())) {
    auto vals = getConstantInts(op.getAxes());
    if (failed(vals)) {
      // Axes known only at run time: with keepdims and static shapes, the
      // reduced dims are those that became 1. Dims of size 1 may or may not
      // be in the axes; reducing them or not gives the same values.
      if (!op.getKeepdims() || outType.getRank() != rank)
        return rewriter.notifyMatchFailure(
            op, "axes must be a constant (or keepdims=1)");
      for (int64_t i = 0; i < rank; ++i)
        if (outType.getDimSize(i) != inType.getDimSize(i)) {
          if (outType.getDimSize(i) != 1)
            return rewriter.notifyMatchFailure(op, "result shape mismatch");
          axes.push_back(i);
        }
      return std::optional<SmallVector<int64_t>>(axes);
    }
    for (int64_t a : *vals) {
      std::optional<int64_t> n = normalizeAxis(a, rank);
      if (!n)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      axes.push_back(*n);
    }
  }
  if (axes.empty()) {
    if (op.getNoopWithEmptyAxes())
      return std::optional<SmallVector<int64_t>>();
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  llvm::sort(axes);
  axes.erase(llvm::unique(axes), axes.end());
  return std::optional<SmallVector<int64_t>>(axes);
}

template <typename OpTy, Kind K>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = getStaticType(rewriter, op, op.getData().getType());
    auto outType = getStaticType(rewriter, op, op.getReduced().getType());
    if (failed(inType) || failed(outType))
      return failure();
    Type onnxElt = getElementTypeOrSelf(op.getData().getType());
    bool u = isUnsignedInt(onnxElt);
    Type elt = inType->getElementType();
    bool isF = isa<FloatType>(elt);
    if (!isF && (K == Kind::LogSum || K == Kind::LogSumExp))
      return rewriter.notifyMatchFailure(op, "integer LogSum/LogSumExp");
    if (elt.isInteger(1) && K != Kind::Max && K != Kind::Min)
      return rewriter.notifyMatchFailure(op, "bool reduction");
    int64_t rank = inType->getRank();
    auto axesOr = getReduceAxes(op, *inType, *outType, rewriter);
    if (failed(axesOr))
      return failure();
    Value x = adaptor.getData();
    if (!*axesOr) { // noop_with_empty_axes
      if (*inType != *outType)
        return rewriter.notifyMatchFailure(op, "noop with a different type");
      rewriter.replaceOp(op, x);
      return success();
    }
    SmallVector<int64_t> axes = **axesOr;
    bool keepDims = op.getKeepdims() != 0;
    SmallVector<int64_t> expected;
    int64_t count = 1;
    for (int64_t i = 0; i < rank; ++i) {
      if (!llvm::is_contained(axes, i))
        expected.push_back(inType->getDimSize(i));
      else {
        count *= inType->getDimSize(i);
        if (keepDims)
          expected.push_back(1);
      }
    }
    if (outType->getShape() != ArrayRef<int64_t>(expected))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");

    Value zero = createScalar(rewriter, loc, elt, 0.0);
    Value result;
    switch (K) {
    case Kind::Sum:
    case Kind::Mean:
    case Kind::LogSum:
      result =
          createReduction(rewriter, loc, x, axes, zero, keepDims,
                          [](OpBuilder &b, Location l, Value in, Value acc) {
                            return createAdd(b, l, acc, in);
                          });
      break;
    case Kind::Prod:
      result = createReduction(
          rewriter, loc, x, axes, createScalar(rewriter, loc, elt, 1.0),
          keepDims, [](OpBuilder &b, Location l, Value in, Value acc) {
            return createMul(b, l, acc, in);
          });
      break;
    case Kind::Max:
      result = createReduction(
          rewriter, loc, x, axes, createLowest(rewriter, loc, onnxElt),
          keepDims, [u](OpBuilder &b, Location l, Value in, Value acc) {
            return createMax(b, l, acc, in, u);
          });
      break;
    case Kind::Min:
      result = createReduction(
          rewriter, loc, x, axes, createHighest(rewriter, loc, onnxElt),
          keepDims, [u](OpBuilder &b, Location l, Value in, Value acc) {
            return createMin(b, l, acc, in, u);
          });
      break;
    case Kind::L1:
      result =
          createReduction(rewriter, loc, x, axes, zero, keepDims,
                          [u](OpBuilder &b, Location l, Value in, Value acc) {
                            return createAdd(b, l, acc, absOf(b, l, in, u));
                          });
      break;
    case Kind::L2:
    case Kind::SumSq:
      result = createReduction(
          rewriter, loc, x, axes, zero, keepDims,
          [](OpBuilder &b, Location l, Value in, Value acc) {
            return createAdd(b, l, acc, createMul(b, l, in, in));
          });
      break;
    case Kind::LogSumExp: {
      // m + log(sum(exp(x - m))), m = max (0 where the max is -inf).
      Value m = createReduction(
          rewriter, loc, x, axes, createLowest(rewriter, loc, elt),
          /*keepDims=*/false,
          [](OpBuilder &b, Location l, Value in, Value acc) {
            return createMax(b, l, acc, in, false);
          });
      m = createElementwise(
          rewriter, loc, m, cast<RankedTensorType>(m.getType()),
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value negInf = createLowest(b, l, a[0].getType());
            Value isNegInf = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ, a[0], negInf);
            return arith::SelectOp::create(
                b, l, isNegInf, createScalar(b, l, a[0].getType(), 0.0), a[0]);
          });
      Value mKeep =
          expandReducedDims(rewriter, loc, m, inType->getShape(), axes);
      Value e = createElementwise(
          rewriter, loc, {x, mKeep}, *inType,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return math::ExpOp::create(b, l,
                                       arith::SubFOp::create(b, l, a[0], a[1]));
          });
      Value s =
          createReduction(rewriter, loc, e, axes, zero, keepDims,
                          [](OpBuilder &b, Location l, Value in, Value acc) {
                            return createAdd(b, l, acc, in);
                          });
      if (keepDims)
        m = mKeep;
      result = createElementwise(
          rewriter, loc, {s, m}, *outType,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::AddFOp::create(b, l, math::LogOp::create(b, l, a[0]),
                                         a[1]);
          });
      break;
    }
    }

    // Final elementwise step.
    if (K == Kind::Mean || K == Kind::L2 || K == Kind::LogSum) {
      result = createElementwise(
          rewriter, loc, result, *outType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value v = a[0];
            if (K == Kind::LogSum)
              return math::LogOp::create(b, l, v);
            if (K == Kind::L2) {
              if (isF)
                return math::SqrtOp::create(b, l, v);
              Value f = castScalar(b, l, v, onnxElt, b.getF64Type());
              f = math::SqrtOp::create(b, l, f);
              return castScalar(b, l, f, b.getF64Type(), onnxElt);
            }
            Value n = createScalar(b, l, v.getType(), (double)count);
            if (isF)
              return arith::DivFOp::create(b, l, v, n);
            if (u)
              return arith::DivUIOp::create(b, l, v, n);
            return arith::DivSIOp::create(b, l, v, n);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy, bool IsMin>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = getStaticType(rewriter, op, op.getData().getType());
    auto outType = getStaticType(rewriter, op, op.getReduced().getType());
    if (failed(inType) || failed(outType))
      return failure();
    std::optional<int64_t> axis =
        normalizeAxis(op.getAxis(), inType->getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value r = createArgReduction(rewriter, op.getLoc(), adaptor.getData(),
                                 *axis, IsMin, op.getSelectLastIndex() != 0,
                                 isUnsignedInt(op.getData().getType()));
    if (op.getKeepdims())
      r = expandReducedDims(rewriter, op.getLoc(), r, inType->getShape(),
                            {*axis});
    if (r.getType() != *outType)
      return rewriter.notifyMatchFailure(op, "result shape mismatch");
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// DynamicQuantizeLinear (uint8): the range [min(x, 0), max(x, 0)] maps to
/// [0, 255]; scale = range / 255, zero point = round(-min / scale).
struct DynamicQuantizeLowering
    : OpConversionPattern<onnx::DynamicQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::DynamicQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = getStaticType(rewriter, op, op.getX().getType());
    auto yType = getStaticType(rewriter, op, op.getY().getType());
    auto sType = getStaticType(rewriter, op, op.getYScale().getType());
    auto zType = getStaticType(rewriter, op, op.getYZeroPoint().getType());
    if (failed(inType) || failed(yType) || failed(sType) || failed(zType))
      return failure();
    if (!inType->getElementType().isF32() ||
        !isUnsignedInt(op.getY().getType()) ||
        !yType->getElementType().isInteger(8) || sType->getRank() != 0 ||
        zType->getRank() != 0)
      return rewriter.notifyMatchFailure(op, "needs f32 in, uint8 out");
    Value x = adaptor.getX();
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < inType->getRank(); ++i)
      axes.push_back(i);
    Type f32 = rewriter.getF32Type();
    // min(x, 0) and max(x, 0): reductions starting at 0.
    Value zero = createScalar(rewriter, loc, f32, 0.0);
    Value lo =
        createReduction(rewriter, loc, x, axes, zero, false,
                        [](OpBuilder &b, Location l, Value in, Value acc) {
                          return createMin(b, l, acc, in, false);
                        });
    Value hi =
        createReduction(rewriter, loc, x, axes, zero, false,
                        [](OpBuilder &b, Location l, Value in, Value acc) {
                          return createMax(b, l, acc, in, false);
                        });
    auto clampRound = [](OpBuilder &b, Location l, Value v) -> Value {
      v = math::RoundEvenOp::create(b, l, v);
      v = arith::MaximumFOp::create(b, l, v,
                                    createScalar(b, l, v.getType(), 0));
      return arith::MinimumFOp::create(b, l, v,
                                       createScalar(b, l, v.getType(), 255));
    };
    Value scale = createElementwise(
        rewriter, loc, {lo, hi}, *sType,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value range = arith::SubFOp::create(b, l, a[1], a[0]);
          return arith::DivFOp::create(b, l, range,
                                       createScalar(b, l, a[0].getType(), 255));
        });
    Value zpF = createElementwise(
        rewriter, loc, {lo, scale}, *sType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value q = arith::DivFOp::create(b, l, a[0], a[1]);
          return clampRound(b, l, arith::NegFOp::create(b, l, q));
        });
    Value zp = createElementwise(
        rewriter, loc, zpF, *zType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::FPToUIOp::create(b, l, zType->getElementType(), a[0]);
        });
    Value y = createElementwise(
        rewriter, loc, {x, scale, zpF}, *yType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value q = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, a[0], a[1]));
          q = clampRound(b, l, arith::AddFOp::create(b, l, q, a[2]));
          return arith::FPToUIOp::create(b, l, yType->getElementType(), q);
        });
    rewriter.replaceOp(op, {y, scale, zp});
    return success();
  }
};

} // namespace

void populateReductionPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<onnx::ReduceSumOp, Kind::Sum>,
               ReduceLowering<onnx::ReduceMeanOp, Kind::Mean>,
               ReduceLowering<onnx::ReduceMaxOp, Kind::Max>,
               ReduceLowering<onnx::ReduceMinOp, Kind::Min>,
               ReduceLowering<onnx::ReduceProdOp, Kind::Prod>,
               ReduceLowering<onnx::ReduceL1Op, Kind::L1>,
               ReduceLowering<onnx::ReduceL2Op, Kind::L2>,
               ReduceLowering<onnx::ReduceLogSumOp, Kind::LogSum>,
               ReduceLowering<onnx::ReduceLogSumExpOp, Kind::LogSumExp>,
               ReduceLowering<onnx::ReduceSumSquareOp, Kind::SumSq>,
               ArgLowering<onnx::ArgMaxOp, false>,
               ArgLowering<onnx::ArgMinOp, true>, DynamicQuantizeLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
