//===- Loss.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ------===//
//
// Both losses read, at every position p = (n, d1, ..., dk) of the target
// ([N, d1, ..., dk]), the class t = target[p] and the value
// -input[n, t, d1, ..., dk] of the [N, C, d1, ..., dk] input, scaled by the
// class weight w = weight[t] (1 without weights). Positions whose target is
// ignore_index get loss 0 and weight 0. reduction "none" returns the
// per-position losses, "sum" their sum, "mean" their sum divided by the sum
// of the weights (the count of positions not ignored without weights).
// SoftmaxCrossEntropyLoss applies this to log_softmax(scores, axis 1), which
// it also returns as the optional log_prob. One linalg.generic over the
// target computes (and for sum/mean reduces) the losses, reading input and
// weight with tensor.extract at the class clamped into [0, C-1] (ignored
// targets may lie outside). f16/bf16 compute and accumulate in f32.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class Reduction { None, Sum, Mean };

/// The type losses are computed in: f32 for narrower floats.
Type computeType(Type elt) {
  if (cast<FloatType>(elt).getWidth() < 32)
    return Float32Type::get(elt.getContext());
  return elt;
}

/// Float scalar `v` converted to float type `to`.
Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  unsigned from = cast<FloatType>(v.getType()).getWidth();
  unsigned width = cast<FloatType>(to).getWidth();
  if (v.getType() == to)
    return v;
  if (from < width)
    return arith::ExtFOp::create(b, loc, to, v);
  if (from > width)
    return arith::TruncFOp::create(b, loc, to, v);
  return castScalar(b, loc, v, v.getType(), to);
}

/// Checks the operand shapes of a loss op: input [N, C, d...], target
/// [N, d...] of i32/i64, weight [C] (or none) and result (`resultType`,
/// [N, d...] for reduction none, rank 0 otherwise).
LogicalResult checkLossShapes(ConversionPatternRewriter &rewriter,
                              Operation *op, RankedTensorType inType,
                              RankedTensorType tType, Value weight,
                              RankedTensorType resultType, Reduction red) {
  ArrayRef<int64_t> in = inType.getShape(), t = tType.getShape();
  if (in.size() < 2)
    return rewriter.notifyMatchFailure(op, "input must have rank >= 2");
  if (t.size() + 1 != in.size() || t[0] != in[0] ||
      t.drop_front() != in.drop_front(2))
    return rewriter.notifyMatchFailure(
        op, "target shape must be the input shape without dim 1");
  if (weight) {
    auto wType = cast<RankedTensorType>(weight.getType());
    if (wType.getRank() != 1 || wType.getDimSize(0) != in[1])
      return rewriter.notifyMatchFailure(op, "weight must have shape [C]");
  }
  if (red == Reduction::None ? resultType.getShape() != t
                             : resultType.getRank() != 0)
    return rewriter.notifyMatchFailure(op, "unexpected loss shape");
  return success();
}

/// The loss of `input` ([N, C, d...], any float type) against `target`
/// ([N, d...]) with optional `weight` ([C]), as a tensor of `resultType`.
Value buildNegativeLogLikelihood(OpBuilder &b, Location loc, Value input,
                                 Value target, Value weight,
                                 std::optional<int64_t> ignoreIndex,
                                 Reduction red, RankedTensorType resultType) {
  MLIRContext *ctx = b.getContext();
  auto tType = cast<RankedTensorType>(target.getType());
  int64_t rank = tType.getRank();
  int64_t numClasses = cast<RankedTensorType>(input.getType()).getDimSize(1);
  Type elt = resultType.getElementType();
  Type ct = computeType(elt);
  // Mean needs the sum of the weights unless every position counts 1.
  bool sumWeights = red == Reduction::Mean && (weight || ignoreIndex);

  SmallVector<Value> inits;
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  if (red == Reduction::None) {
    inits.push_back(createEmpty(b, loc, resultType));
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  } else {
    auto accType = RankedTensorType::get({}, ct);
    Value zero = createScalar(b, loc, ct, 0.0);
    for (int i = 0, e = sumWeights ? 2 : 1; i < e; ++i) {
      inits.push_back(createFilled(b, loc, accType, zero));
      maps.push_back(AffineMap::get(rank, 0, {}, ctx));
    }
    iters.assign(rank, utils::IteratorType::reduction);
  }

  auto generic = linalg::GenericOp::create(
      b, loc, ValueRange(inits).getTypes(), ValueRange{target}, inits, maps,
      iters, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value t = args[0];
        Type i64 = nb.getI64Type();
        if (t.getType() != i64)
          t = arith::ExtSIOp::create(nb, l, i64, t);
        // The class, clamped to [0, C-1] (np.take mode "clip").
        Value cls =
            arith::MaxSIOp::create(nb, l, t, createIntScalar(nb, l, i64, 0));
        cls = arith::MinSIOp::create(
            nb, l, cls, createIntScalar(nb, l, i64, numClasses - 1));
        cls = arith::IndexCastOp::create(nb, l, nb.getIndexType(), cls);
        SmallVector<Value> idx;
        for (int64_t d = 0; d < rank; ++d)
          idx.push_back(linalg::IndexOp::create(nb, l, d));
        idx.insert(idx.begin() + 1, cls);
        Value x = tensor::ExtractOp::create(nb, l, input, idx);
        Value loss = arith::NegFOp::create(nb, l, convertFloat(nb, l, x, ct));
        Value w = createScalar(nb, l, ct, 1.0);
        if (weight) {
          w = tensor::ExtractOp::create(nb, l, weight, ValueRange{cls});
          w = convertFloat(nb, l, w, ct);
          loss = arith::MulFOp::create(nb, l, loss, w);
        }
        if (ignoreIndex) {
          Value ignored =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, t,
                                    createIntScalar(nb, l, i64, *ignoreIndex));
          Value zero = createScalar(nb, l, ct, 0.0);
          loss = arith::SelectOp::create(nb, l, ignored, zero, loss);
          w = arith::SelectOp::create(nb, l, ignored, zero, w);
        }
        SmallVector<Value> yields;
        if (red == Reduction::None) {
          yields.push_back(convertFloat(nb, l, loss, elt));
        } else {
          yields.push_back(arith::AddFOp::create(nb, l, args[1], loss));
          if (sumWeights)
            yields.push_back(arith::AddFOp::create(nb, l, args[2], w));
        }
        linalg::YieldOp::create(nb, l, yields);
      });
  if (red == Reduction::None)
    return generic.getResult(0);

  // The rank-0 total (divided by the weight sum or count for mean).
  SmallVector<Value> totals(generic.getResults());
  int64_t count = tType.getNumElements();
  return createElementwise(
      b, loc, totals, resultType,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value r = a[0];
        if (red == Reduction::Mean) {
          Value denom =
              sumWeights ? a[1] : createScalar(nb, l, ct, (double)count);
          r = arith::DivFOp::create(nb, l, r, denom);
        }
        return convertFloat(nb, l, r, elt);
      });
}

/// log_softmax of `x` along dim 1, computed in type `ct`.
Value buildLogSoftmax(OpBuilder &b, Location loc, Value x, Type ct) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto type = xType.clone(ct);
  if (xType.getElementType() != ct)
    x = createElementwise(b, loc, x, type,
                          [&](OpBuilder &nb, Location l, ValueRange a) {
                            return convertFloat(nb, l, a[0], ct);
                          });
  Value m = createReduction(b, loc, x, {1}, createLowest(b, loc, ct),
                            /*keepDims=*/true,
                            [](OpBuilder &nb, Location l, Value in, Value acc) {
                              return createMax(nb, l, acc, in, false);
                            });
  Value e = createElementwise(
      b, loc, {x, m}, type, [](OpBuilder &nb, Location l, ValueRange a) {
        return math::ExpOp::create(nb, l,
                                   arith::SubFOp::create(nb, l, a[0], a[1]))
            .getResult();
      });
  Value s = createReduction(
      b, loc, e, {1}, createScalar(b, loc, ct, 0.0), /*keepDims=*/true,
      [](OpBuilder &nb, Location l, Value in, Value acc) {
        return arith::AddFOp::create(nb, l, acc, in).getResult();
      });
  return createElementwise(
      b, loc, {x, m, s}, type, [](OpBuilder &nb, Location l, ValueRange a) {
        Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
        return arith::SubFOp::create(nb, l, d, math::LogOp::create(nb, l, a[2]))
            .getResult();
      });
}

FailureOr<Reduction> parseReduction(ConversionPatternRewriter &rewriter,
                                    Operation *op, StringRef s) {
  if (s == "none")
    return Reduction::None;
  if (s == "sum")
    return Reduction::Sum;
  if (s == "mean")
    return Reduction::Mean;
  return rewriter.notifyMatchFailure(
      op, [&](Diagnostic &diag) { diag << "unknown reduction '" << s << "'"; });
}

/// The operands of a loss op after the checks: static types, weight or null.
struct LossOperands {
  RankedTensorType resultType;
  Value weight;
  Reduction red;
};

FailureOr<LossOperands> prepareLoss(ConversionPatternRewriter &rewriter,
                                    Operation *op, Value input, Value target,
                                    Value weight, Type resultType,
                                    StringRef reduction) {
  auto red = parseReduction(rewriter, op, reduction);
  if (failed(red))
    return failure();
  auto rType = getStaticType(rewriter, op, resultType);
  auto inType = getStaticType(rewriter, op, input.getType());
  auto tType = getStaticType(rewriter, op, target.getType());
  if (failed(rType) || failed(inType) || failed(tType))
    return failure();
  if (isa<NoneType>(weight.getType())) {
    weight = nullptr;
  } else if (failed(getStaticType(rewriter, op, weight.getType()))) {
    return failure();
  }
  if (!isa<FloatType>(rType->getElementType()) ||
      !isa<FloatType>(inType->getElementType()))
    return rewriter.notifyMatchFailure(op, "needs float input and loss");
  if (failed(
          checkLossShapes(rewriter, op, *inType, *tType, weight, *rType, *red)))
    return failure();
  return LossOperands{*rType, weight, *red};
}

struct NegativeLogLikelihoodLossLowering
    : OpConversionPattern<onnx::NegativeLogLikelihoodLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::NegativeLogLikelihoodLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto p = prepareLoss(rewriter, op, adaptor.getInput(), adaptor.getTarget(),
                         adaptor.getWeight(), op.getLoss().getType(),
                         op.getReduction());
    if (failed(p))
      return failure();
    Value loss = buildNegativeLogLikelihood(
        rewriter, op.getLoc(), adaptor.getInput(), adaptor.getTarget(),
        p->weight, op.getIgnoreIndex(), p->red, p->resultType);
    rewriter.replaceOp(op, loss);
    return success();
  }
};

struct SoftmaxCrossEntropyLossLowering
    : OpConversionPattern<onnx::SoftmaxCrossEntropyLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::SoftmaxCrossEntropyLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto p = prepareLoss(rewriter, op, adaptor.getScores(), adaptor.getLabels(),
                         adaptor.getWeights(), op.getOutput().getType(),
                         op.getReduction());
    if (failed(p))
      return failure();
    Value logProbResult = op.getLogProb();
    RankedTensorType logProbType;
    if (!isa<NoneType>(logProbResult.getType())) {
      auto t = getStaticType(rewriter, op, logProbResult.getType());
      if (failed(t))
        return failure();
      if (t->getShape() != cast<RankedTensorType>(adaptor.getScores().getType())
                               .getShape() ||
          !isa<FloatType>(t->getElementType()))
        return rewriter.notifyMatchFailure(
            op, "log_prob must have the shape of the scores");
      logProbType = *t;
    }
    Type ct = computeType(p->resultType.getElementType());
    Value logProb = buildLogSoftmax(rewriter, loc, adaptor.getScores(), ct);
    Value loss = buildNegativeLogLikelihood(
        rewriter, loc, logProb, adaptor.getLabels(), p->weight,
        op.getIgnoreIndex(), p->red, p->resultType);
    Value logProbOut;
    if (!logProbType) {
      logProbOut = onnx::NoneOp::create(rewriter, loc);
    } else if (logProbType.getElementType() == ct) {
      logProbOut = logProb;
    } else {
      Type elt = logProbType.getElementType();
      logProbOut =
          createElementwise(rewriter, loc, logProb, logProbType,
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return convertFloat(nb, l, a[0], elt);
                            });
    }
    rewriter.replaceOp(op, {loss, logProbOut});
    return success();
  }
};

} // namespace

void populateLossPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns
      .add<NegativeLogLikelihoodLossLowering, SoftmaxCrossEntropyLossLowering>(
          tc, patterns.getContext());
}

} // namespace kiln::tolinalg
