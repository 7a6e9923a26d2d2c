//===- TopK.cpp - TopK ----------------------------------------------------===//
//
// TopK as two linalg.generic ops, with no data-dependent control flow:
//
//  1. The rank of every element along the axis: the number of elements that
//     come before it in the result order (a larger value, or a smaller one
//     with largest=0; an equal value with a lower index, as ONNX breaks ties;
//     NaN orders above every number). A reduction over a second copy of the
//     axis, O(n^2) per row.
//  2. The ranks are a permutation of 0..n-1, so result position r takes the
//     value and index of the element whose rank is r: a reduction over the
//     axis selecting that element, O(n*k) per row.
//
// sorted=0 gets the sorted order too (the order is then unspecified). K must
// be a constant, or a run-time input whose value the static result shape
// fixes.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// True when element `a` (index `ia`) comes before element `b` (index `ib`)
/// in the TopK result order.
Value comesBefore(OpBuilder &b, Location l, Value a, Value ia, Value bv,
                  Value ib, bool largest, bool isUnsigned) {
  Value first, same;
  if (isa<FloatType>(a.getType())) {
    using P = arith::CmpFPredicate;
    // NaN is the largest value: it leads with largest=1 and trails otherwise.
    Value aNaN = arith::CmpFOp::create(b, l, P::UNO, a, a);
    Value bNaN = arith::CmpFOp::create(b, l, P::UNO, bv, bv);
    Value aNum = arith::XOrIOp::create(b, l, aNaN,
                                       createIntScalar(b, l, b.getI1Type(), 1));
    Value bNum = arith::XOrIOp::create(b, l, bNaN,
                                       createIntScalar(b, l, b.getI1Type(), 1));
    Value cmp = arith::CmpFOp::create(b, l, largest ? P::OGT : P::OLT, a, bv);
    Value nanFirst = largest ? arith::AndIOp::create(b, l, aNaN, bNum)
                             : arith::AndIOp::create(b, l, bNaN, aNum);
    first = arith::OrIOp::create(b, l, cmp, nanFirst);
    same =
        arith::OrIOp::create(b, l, arith::CmpFOp::create(b, l, P::OEQ, a, bv),
                             arith::AndIOp::create(b, l, aNaN, bNaN));
  } else {
    using P = arith::CmpIPredicate;
    P p = largest ? (isUnsigned ? P::ugt : P::sgt)
                  : (isUnsigned ? P::ult : P::slt);
    first = arith::CmpIOp::create(b, l, p, a, bv);
    same = arith::CmpIOp::create(b, l, P::eq, a, bv);
  }
  Value lower = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, ia, ib);
  return arith::OrIOp::create(b, l, first,
                              arith::AndIOp::create(b, l, same, lower));
}

struct TopKLowering : OpConversionPattern<onnx::TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = getStaticType(rewriter, op, op.getX().getType());
    if (failed(inType))
      return failure();
    int64_t rank = inType->getRank();
    std::optional<int64_t> axisOr = normalizeAxis(op.getAxis(), rank);
    if (!axisOr)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t axis = *axisOr;
    int64_t n = inType->getDimSize(axis);

    // K: a constant, or fixed by the static result shape.
    int64_t k;
    auto valType = dyn_cast<RankedTensorType>(op.getValues().getType());
    if (auto kc = getConstantInts(op.getK()); succeeded(kc)) {
      if (kc->size() != 1)
        return rewriter.notifyMatchFailure(op, "K must have one element");
      k = (*kc)[0];
    } else if (valType && valType.getRank() == rank &&
               !valType.isDynamicDim(axis)) {
      k = valType.getDimSize(axis);
    } else {
      return op.emitError("TopK: K is known only at run time and the result "
                          "shape is not static; K must be a constant");
    }
    if (k < 0 || k > n)
      return op.emitError("TopK: K = ")
             << k << " out of range [0, " << n << "]";
    auto outType = getStaticType(rewriter, op, op.getValues().getType());
    auto idxType = getStaticType(rewriter, op, op.getIndices().getType());
    if (failed(outType) || failed(idxType))
      return failure();
    SmallVector<int64_t> shape(inType->getShape());
    shape[axis] = k;
    if (outType->getShape() != ArrayRef<int64_t>(shape) ||
        idxType->getShape() != ArrayRef<int64_t>(shape))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");

    // A run-time K must be the K the result shape was compiled for.
    if (failed(getConstantInts(op.getK()))) {
      Value kVal = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getK(),
          ValueRange{arith::ConstantIndexOp::create(rewriter, loc, 0)});
      Value ok = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, kVal,
          arith::ConstantIntOp::create(rewriter, loc, kVal.getType(), k));
      emitRuntimeCheck(rewriter, loc, op, ok,
                       "the run-time K must be " + Twine(k) +
                           ", the size of the compiled result");
    }

    bool largest = op.getLargest() != 0;
    bool isUnsigned = isUnsignedInt(op.getX().getType());
    Value x = adaptor.getX();
    Type i64 = rewriter.getI64Type();

    // Maps over (d0, ..., d_{rank-1}, j): the element at d, and the element
    // at j along the axis.
    SmallVector<AffineExpr> id, other;
    for (int64_t d = 0; d < rank; ++d) {
      id.push_back(getAffineDimExpr(d, ctx));
      other.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    }
    AffineMap idMap = AffineMap::get(rank + 1, 0, id, ctx);
    AffineMap otherMap = AffineMap::get(rank + 1, 0, other, ctx);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);

    // 1. Ranks.
    auto rankType = RankedTensorType::get(inType->getShape(), i64);
    Value zero = createIntScalar(rewriter, loc, i64, 0);
    Value rankInit = createFilled(rewriter, loc, rankType, zero);
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{rankType}, ValueRange{x, x},
            ValueRange{rankInit},
            SmallVector<AffineMap>{idMap, otherMap, idMap}, iters,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value i = linalg::IndexOp::create(b, l, axis);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value before = comesBefore(b, l, args[1], j, args[0], i, largest,
                                         isUnsigned);
              Value inc = arith::ExtUIOp::create(b, l, i64, before);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddIOp::create(b, l, args[2], inc)});
            })
            .getResult(0);

    // 2. Position r (d_axis) takes the element j whose rank is r.
    Value valInit = createFilled(
        rewriter, loc, *outType,
        createScalar(rewriter, loc, outType->getElementType(), 0.0));
    Value idxInit = createFilled(rewriter, loc, *idxType, zero);
    auto gather = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*outType, *idxType}, ValueRange{x, ranks},
        ValueRange{valInit, idxInit},
        SmallVector<AffineMap>{otherMap, otherMap, idMap, idMap}, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value r = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value j = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[1], r);
          Value v = arith::SelectOp::create(b, l, hit, args[0], args[2]);
          Value ix = arith::SelectOp::create(b, l, hit, j, args[3]);
          linalg::YieldOp::create(b, l, ValueRange{v, ix});
        });
    rewriter.replaceOp(op, gather.getResults());
    return success();
  }
};

} // namespace

void populateTopKPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<TopKLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
