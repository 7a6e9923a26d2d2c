//===- Misc.cpp - CumSum, Trilu, EyeLike, Range, ReverseSequence, ... -----===//
//
// Index-driven ops: their generic bodies read linalg.index. CumSum is a
// reduction over a second walk of the scanned axis (k <= j), quadratic in
// that axis' length but a plain linalg.generic that later passes can tile.
// Also ConstantOfShape and BitCast (an arith.bitcast per element).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

Value indexAsI64(OpBuilder &b, Location l, int64_t dim) {
  Value i = linalg::IndexOp::create(b, l, dim);
  return arith::IndexCastOp::create(b, l, b.getI64Type(), i);
}

template <typename OpTy, bool IsProd>
struct CumLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    if (rank == 0)
      return rewriter.notifyMatchFailure(op, "rank-0 input");
    Location loc = op.getLoc();
    auto axisVals = getConstantInts(op.getAxis());
    // A run-time axis of a 1-D input can only be 0 (or -1).
    if (failed(axisVals) && rank == 1)
      axisVals = SmallVector<int64_t>{0};
    if (succeeded(axisVals)) {
      if (axisVals->size() != 1)
        return rewriter.notifyMatchFailure(op, "axis must be a scalar");
      std::optional<int64_t> axis = normalizeAxis((*axisVals)[0], rank);
      if (!axis)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      rewriter.replaceOp(op,
                         scan(rewriter, loc, op, adaptor.getX(), *type, *axis));
      return success();
    }
    // A run-time axis: scan along every axis, select by the axis value.
    auto axisType = dyn_cast<RankedTensorType>(adaptor.getAxis().getType());
    if (!axisType || !axisType.hasStaticShape() ||
        axisType.getNumElements() != 1 || axisType.getRank() > 1)
      return rewriter.notifyMatchFailure(op, "axis must be a scalar");
    SmallVector<Value> inputs = {adaptor.getAxis()};
    for (int64_t i = 0; i < rank; ++i)
      inputs.push_back(scan(rewriter, loc, op, adaptor.getX(), *type, i));
    Value y = createElementwise(
        rewriter, loc, inputs, *type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value ax = args[0], r = args.back();
          for (int64_t i = rank - 2; i >= 0; --i) {
            Type t = ax.getType();
            Value isI = arith::OrIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, ax,
                                      createIntScalar(b, l, t, i)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, ax,
                                      createIntScalar(b, l, t, i - rank)));
            r = arith::SelectOp::create(b, l, isI, args[i + 1], r);
          }
          return r;
        });
    rewriter.replaceOp(op, y);
    return success();
  }

  /// The inclusive/exclusive, forward/reverse scan of `x` along `axis`.
  static Value scan(OpBuilder &rewriter, Location loc, OpTy op, Value x,
                    RankedTensorType type, int64_t axis) {
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    // Iteration space (d0..d{rank-1}, k): y[.., j, ..] += x[.., k, ..].
    SmallVector<AffineExpr> inExprs;
    for (int64_t i = 0; i < rank; ++i)
      inExprs.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, inExprs, ctx),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Type elt = type.getElementType();
    Value init = createFilled(rewriter, loc, type,
                              createScalar(rewriter, loc, elt, IsProd ? 1 : 0));
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    return linalg::GenericOp::create(
               rewriter, loc, TypeRange{type}, ValueRange{x}, ValueRange{init},
               maps, iters,
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value j = indexAsI64(b, l, axis), k = indexAsI64(b, l, rank);
                 using P = arith::CmpIPredicate;
                 P p = reverse ? (exclusive ? P::sgt : P::sge)
                               : (exclusive ? P::slt : P::sle);
                 Value take = arith::CmpIOp::create(b, l, p, k, j);
                 Value next = IsProd ? createMul(b, l, args[1], args[0])
                                     : createAdd(b, l, args[1], args[0]);
                 linalg::YieldOp::create(b, l,
                                         ValueRange{arith::SelectOp::create(
                                             b, l, take, next, args[1])});
               })
        .getResult(0);
  }
};

struct TriluLowering : OpConversionPattern<onnx::TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    if (!type->getElementType().isIntOrFloat() || type->getRank() < 2)
      return rewriter.notifyMatchFailure(op, "needs int/float and rank >= 2");
    // k: a constant, or a one-element tensor read in the body.
    int64_t k = 0;
    SmallVector<Value> inputs = {adaptor.getInput()};
    if (!isa<NoneType>(op.getK().getType())) {
      auto vals = getConstantInts(op.getK());
      if (succeeded(vals) && vals->size() == 1) {
        k = (*vals)[0];
      } else {
        auto kt = dyn_cast<RankedTensorType>(adaptor.getK().getType());
        if (!kt || !kt.hasStaticShape() || kt.getNumElements() != 1 ||
            kt.getRank() > 1)
          return rewriter.notifyMatchFailure(op, "k must be a scalar");
        inputs.push_back(adaptor.getK());
      }
    }
    bool upper = op.getUpper() != 0;
    int64_t rank = type->getRank();
    Value y = createElementwise(
        rewriter, op.getLoc(), inputs, *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = indexAsI64(b, l, rank - 2), j = indexAsI64(b, l, rank - 1);
          Value diff = arith::SubIOp::create(b, l, j, i);
          Value kv =
              a.size() > 1 ? a[1] : createIntScalar(b, l, b.getI64Type(), k);
          Value keep = arith::CmpIOp::create(b, l,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diff, kv);
          return arith::SelectOp::create(b, l, keep, a[0],
                                         createScalar(b, l, a[0].getType(), 0));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct EyeLikeLowering : OpConversionPattern<onnx::EyeLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::EyeLikeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    if (type->getRank() != 2)
      return rewriter.notifyMatchFailure(op, "needs rank 2");
    int64_t k = op.getK();
    Type elt = type->getElementType();
    Value y = createElementwise(
        rewriter, op.getLoc(), ValueRange{}, *type,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value i = indexAsI64(b, l, 0), j = indexAsI64(b, l, 1);
          Value ik = arith::AddIOp::create(
              b, l, i, createIntScalar(b, l, b.getI64Type(), k));
          Value on =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, ik, j);
          return arith::SelectOp::create(b, l, on, createScalar(b, l, elt, 1),
                                         createScalar(b, l, elt, 0));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// output[i] = start + i * delta (the length is static already).
struct RangeLowering : OpConversionPattern<onnx::RangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    if (type->getRank() != 1)
      return rewriter.notifyMatchFailure(op, "needs a 1-D result");
    for (Value v :
         {adaptor.getStart(), adaptor.getLimit(), adaptor.getDelta()}) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !t.hasStaticShape() || t.getNumElements() != 1 ||
          t.getRank() > 1)
        return rewriter.notifyMatchFailure(op, "inputs must be scalars");
    }
    checkLength(rewriter, op, adaptor, type->getDimSize(0));
    Value y = createElementwise(
        rewriter, op.getLoc(), {adaptor.getStart(), adaptor.getDelta()}, *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value i = linalg::IndexOp::create(b, l, 0);
          Value iv;
          if (isa<FloatType>(t)) {
            iv = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
            iv = arith::SIToFPOp::create(b, l, t, iv);
          } else {
            iv = arith::IndexCastOp::create(b, l, t, i);
          }
          return createAdd(b, l, a[0], createMul(b, l, iv, a[1]));
        });
    rewriter.replaceOp(op, y);
    return success();
  }

  /// Asserts delta != 0 and max(ceil((limit - start) / delta), 0) == `n`
  /// (numpy.arange's length; f64 for floats).
  static void checkLength(OpBuilder &b, onnx::RangeOp op, OpAdaptor adaptor,
                          int64_t n) {
    Location loc = op.getLoc();
    auto scalar = [&](Value t) -> Value {
      auto type = cast<RankedTensorType>(t.getType());
      SmallVector<Value> idx(type.getRank(),
                             arith::ConstantIndexOp::create(b, loc, 0));
      return tensor::ExtractOp::create(b, loc, t, idx);
    };
    Value start = scalar(adaptor.getStart()),
          limit = scalar(adaptor.getLimit());
    Value delta = scalar(adaptor.getDelta());
    Type t = start.getType();
    Type i64 = b.getI64Type();
    Value count;
    if (isa<FloatType>(t)) {
      Type f64 = b.getF64Type();
      auto ext = [&](Value v) -> Value {
        return t == f64 ? v : arith::ExtFOp::create(b, loc, f64, v);
      };
      delta = ext(delta);
      emitRuntimeCheck(b, loc, op,
                       arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                                             delta,
                                             createScalar(b, loc, f64, 0)),
                       "delta must not be 0");
      Value q = math::CeilOp::create(
          b, loc,
          arith::DivFOp::create(
              b, loc, arith::SubFOp::create(b, loc, ext(limit), ext(start)),
              delta));
      // Also 0 for NaN; clamped so that the conversion is defined.
      q = arith::MaxNumFOp::create(b, loc, q, createScalar(b, loc, f64, 0));
      q = arith::MinNumFOp::create(b, loc, q, createScalar(b, loc, f64, 1e18));
      count = arith::FPToSIOp::create(b, loc, i64, q);
    } else {
      auto ext = [&](Value v) -> Value {
        return t == i64 ? v : arith::ExtSIOp::create(b, loc, i64, v);
      };
      delta = ext(delta);
      Value zero = createIntScalar(b, loc, i64, 0);
      Value nonzero =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, delta, zero);
      emitRuntimeCheck(b, loc, op, nonzero, "delta must not be 0");
      Value safe = arith::SelectOp::create(b, loc, nonzero, delta,
                                           createIntScalar(b, loc, i64, 1));
      Value diff = arith::SubIOp::create(b, loc, ext(limit), ext(start));
      // ceil(diff / delta): the truncated quotient, plus one when the
      // remainder is non-zero and has the sign of delta.
      Value q = arith::DivSIOp::create(b, loc, diff, safe);
      Value rem = arith::RemSIOp::create(b, loc, diff, safe);
      Value up = arith::AndIOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero),
          arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, rem,
                                    zero),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, safe,
                                    zero)));
      q = arith::AddIOp::create(b, loc, q,
                                arith::ExtUIOp::create(b, loc, i64, up));
      count = arith::MaxSIOp::create(b, loc, q, zero);
    }
    emitRuntimeCheck(b, loc, op,
                     arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           count,
                                           createIntScalar(b, loc, i64, n)),
                     "start, limit and delta must give " + Twine(n) +
                         " elements (the declared output length)");
  }
};

/// A splat arith.constant of the `value` attribute (default float 0).
struct ConstantOfShapeLowering : OpConversionPattern<onnx::ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ConstantOfShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    Type elt = type->getElementType();
    Attribute v;
    if (auto value = op.getValueAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(value);
      if (!dense || dense.getNumElements() != 1)
        return rewriter.notifyMatchFailure(op, "value must hold one element");
      v = dense.getSplatValue<Attribute>();
    } else {
      v = rewriter.getF32FloatAttr(0);
    }
    if (auto i = dyn_cast<IntegerAttr>(v)) {
      if (!isa<IntegerType>(elt))
        return rewriter.notifyMatchFailure(op, "value/result type mismatch");
      v = IntegerAttr::get(elt, i.getValue());
    } else if (auto f = dyn_cast<FloatAttr>(v)) {
      if (f.getType() != elt)
        return rewriter.notifyMatchFailure(op, "value/result type mismatch");
    } else {
      return rewriter.notifyMatchFailure(op, "unsupported value");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, *type, DenseElementsAttr::get(*type, v));
    return success();
  }
};

/// Y[.., b, .., t, ..] = X[.., b, .., len[b] - 1 - t, ..] for t < len[b],
/// X itself otherwise. len[b] is clamped to [0, T], so no read is out of
/// bounds whatever the run-time lengths.
struct ReverseSequenceLowering : OpConversionPattern<onnx::ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto lensType =
        getStaticType(rewriter, op, adaptor.getSequenceLens().getType());
    if (failed(type) || failed(lensType))
      return failure();
    if (!type->getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = type->getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "needs rank >= 2");
    std::optional<int64_t> batchAxis = normalizeAxis(op.getBatchAxis(), rank);
    std::optional<int64_t> timeAxis = normalizeAxis(op.getTimeAxis(), rank);
    if (!batchAxis || !timeAxis || *batchAxis == *timeAxis)
      return rewriter.notifyMatchFailure(
          op, "batch_axis and time_axis must be distinct axes of the input");
    if (lensType->getRank() != 1 ||
        lensType->getDimSize(0) != type->getDimSize(*batchAxis))
      return rewriter.notifyMatchFailure(
          op, "sequence_lens must have one length per batch entry");
    Value x = adaptor.getInput(), lens = adaptor.getSequenceLens();
    int64_t timeLen = type->getDimSize(*timeAxis);
    Value y = createElementwise(
        rewriter, op.getLoc(), ValueRange{}, *type,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Type i64 = b.getI64Type();
          Value len = tensor::ExtractOp::create(b, l, lens, idx[*batchAxis]);
          len =
              arith::MaxSIOp::create(b, l, len, createIntScalar(b, l, i64, 0));
          len = arith::MinSIOp::create(b, l, len,
                                       createIntScalar(b, l, i64, timeLen));
          Value t = arith::IndexCastOp::create(b, l, i64, idx[*timeAxis]);
          Value inSeq =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t, len);
          Value rev =
              arith::SubIOp::create(b, l, arith::SubIOp::create(b, l, len, t),
                                    createIntScalar(b, l, i64, 1));
          Value src = arith::SelectOp::create(b, l, inSeq, rev, t);
          idx[*timeAxis] =
              arith::IndexCastOp::create(b, l, b.getIndexType(), src);
          return tensor::ExtractOp::create(b, l, x, idx);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// BitCast: the same bits read as another type of the same width. bool is
/// one byte (0 or 1) at the interface: to 8 bits it is zero-extended, from
/// 8 bits any non-zero byte is true.
struct BitCastLowering : OpConversionPattern<onnx::BitCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::BitCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    auto inType = getStaticType(rewriter, op, adaptor.getInput().getType());
    if (failed(type) || failed(inType))
      return failure();
    Type from = inType->getElementType(), to = type->getElementType();
    if (!from.isIntOrFloat() || !to.isIntOrFloat())
      return rewriter.notifyMatchFailure(
          op, "BitCast of complex or string tensors is not supported");
    auto width = [](Type t) {
      unsigned w = t.getIntOrFloatBitWidth();
      return w == 1 ? 8u : w;
    };
    if (width(from) != width(to))
      return rewriter.notifyMatchFailure(
          op, "BitCast needs input and output types of the same bit width");
    if (from == to) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    Value y = createElementwise(
        rewriter, op.getLoc(), adaptor.getInput(), *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = a[0];
          Type i8 = b.getI8Type();
          if (from.isInteger(1))
            v = arith::ExtUIOp::create(b, l, i8, v);
          if (to.isInteger(1)) {
            if (v.getType() != i8)
              v = arith::BitcastOp::create(b, l, i8, v);
            return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v,
                                         createIntScalar(b, l, i8, 0));
          }
          if (v.getType() != to)
            v = arith::BitcastOp::create(b, l, to, v);
          return v;
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateMiscPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<CumLowering<onnx::CumSumOp, false>,
               CumLowering<onnx::CumProdOp, true>, TriluLowering,
               EyeLikeLowering, RangeLowering, ConstantOfShapeLowering,
               ReverseSequenceLowering, BitCastLowering>(tc,
                                                         patterns.getContext());
}

} // namespace kiln::tolinalg
