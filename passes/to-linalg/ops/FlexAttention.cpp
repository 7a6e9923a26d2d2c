//===- FlexAttention.cpp - FlexAttention (ai.onnx.preview) ----------------===//
//
// FlexAttention (ai.onnx.preview opset 1) composed from linalg ops, with the
// rounding steps of its function body / reference:
//
//   s = sqrt(float32(scale)) rounded to T        (scale: 1/sqrt(head_size))
//   S = (Q * s) x (K * s)^T     products rounded to T, accumulated in f32
//                               (f64 for double), the sum rounded to T
//   S = score_mod(S in C)       C: softmax_precision, else f32 for
//                               f16/bf16 inputs, else T
//   P = prob_mod(softmax(S))
//   Y = P x V (V in C), rounded to T
//
// Grouped-query attention reads KV head h / (Hq / Hkv) for query head h,
// through [B * Hkv, G * L, ...] batched matmuls as in Attention.cpp.
//
// score_mod / prob_mod are one-input, one-output subgraphs: shape inference
// gives their input the static score shape; here their ops are inlined in
// place (the partial conversion lowers them after the node, as for a
// constant If).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"
#include "passes/to-linalg/ops/AttentionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Float scalar `v` converted to float type `to` (extf/truncf; f16 <-> bf16
/// through f32).
Value toFloat(OpBuilder &b, Location loc, Value v, Type to) {
  return castScalar(b, loc, v, v.getType(), to);
}

/// `x` with its elements rounded to `via` and then converted to `elt`.
Value convertVia(OpBuilder &b, Location loc, Value x, Type via, Type elt) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getElementType() == via && via == elt)
    return x;
  return createElementwise(
      b, loc, x, RankedTensorType::get(type.getShape(), elt),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        return toFloat(nb, nl, toFloat(nb, nl, a[0], via), elt);
      });
}

/// The accumulator type of a product of `elt` values: f64 for f64, f32
/// otherwise.
Type accumulatorType(OpBuilder &b, Type elt) {
  return elt.isF64() ? Type(b.getF64Type()) : Type(b.getF32Type());
}

struct FlexAttentionLowering : OpConversionPattern<onnx::FlexAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::FlexAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto qType = getStaticType(rewriter, op, adaptor.getQ().getType());
    auto kType = getStaticType(rewriter, op, adaptor.getK().getType());
    auto vType = getStaticType(rewriter, op, adaptor.getV().getType());
    auto yType = getStaticType(rewriter, op, op.getY().getType());
    if (failed(qType) || failed(kType) || failed(vType) || failed(yType))
      return failure();
    if (qType->getRank() != 4 || kType->getRank() != 4 || vType->getRank() != 4)
      return op.emitError("FlexAttention: Q, K and V must be rank-4 tensors");
    int64_t batch = qType->getDimSize(0), hq = qType->getDimSize(1),
            l = qType->getDimSize(2), e = qType->getDimSize(3);
    int64_t hkv = kType->getDimSize(1), s = kType->getDimSize(2),
            ev = vType->getDimSize(3);
    if (kType->getDimSize(0) != batch || vType->getDimSize(0) != batch ||
        kType->getDimSize(3) != e || vType->getDimSize(1) != hkv ||
        vType->getDimSize(2) != s)
      return op.emitError(
          "FlexAttention: K must be (B, Hkv, S, E) and V (B, Hkv, S, Ev) for "
          "Q (B, Hq, L, E)");
    if (hkv <= 0 || hq % hkv)
      return op.emitError(
          "FlexAttention: the number of query heads must be a multiple of "
          "the number of key/value heads");
    if (yType->getShape() != ArrayRef<int64_t>{batch, hq, l, ev})
      return op.emitError("FlexAttention: Y must be (B, Hq, L, Ev)");
    int64_t groups = hq / hkv;

    Type elt = qType->getElementType();
    Type acc = accumulatorType(rewriter, elt);
    // The softmax (and modifier) precision.
    Type cType =
        elt.isF64() ? Type(rewriter.getF64Type()) : Type(rewriter.getF32Type());
    if (std::optional<uint64_t> p = op.getSoftmaxPrecision()) {
      switch (*p) {
      case 1:
        cType = rewriter.getF32Type();
        break;
      case 10:
        cType = rewriter.getF16Type();
        break;
      case 11:
        cType = rewriter.getF64Type();
        break;
      case 16:
        cType = rewriter.getBF16Type();
        break;
      default:
        return op.emitError("FlexAttention: softmax_precision must be "
                            "FLOAT, FLOAT16, BFLOAT16 or DOUBLE");
      }
    }
    SmallVector<int64_t> scoreShape = {batch, hq, l, s};
    auto scoreType = RankedTensorType::get(scoreShape, cType);
    for (Region *r : {&op.getScoreMod(), &op.getProbMod()})
      if (failed(checkModifier(op, *r, scoreType)))
        return failure();

    // s = sqrt(float32(scale)) rounded to T.
    float scale = (float)(1.0 / std::sqrt((double)e));
    if (auto attr = op.getScaleAttr())
      scale = (float)attr.getValueAsDouble();
    llvm::APFloat sqrtScale(std::sqrt(scale));
    bool lost;
    sqrtScale.convert(cast<FloatType>(elt).getFloatSemantics(),
                      llvm::APFloat::rmNearestTiesToEven, &lost);
    double mul = sqrtScale.convertToDouble();
    // x * s in T, then in the accumulator type.
    auto scaled = [&](Value x) {
      auto t = cast<RankedTensorType>(x.getType());
      return createElementwise(
          rewriter, loc, x, RankedTensorType::get(t.getShape(), acc),
          [&](OpBuilder &b, Location nl, ValueRange a) -> Value {
            Value v = arith::MulFOp::create(b, nl, a[0],
                                            createScalar(b, nl, elt, mul));
            return toFloat(b, nl, v, acc);
          });
    };
    // [B, Hq, L, X] <-> [B * Hkv, G * L, X].
    auto regroup = [&](Value x, int64_t last, bool toGroups) {
      x = reshapeTensor(rewriter, loc, x, {batch, hkv, groups, l, last});
      if (toGroups)
        return reshapeTensor(rewriter, loc, x, {batch * hkv, groups * l, last});
      return reshapeTensor(rewriter, loc, x, {batch, hq, l, last});
    };
    Value qs = regroup(scaled(adaptor.getQ()), e, /*toGroups=*/true);
    Value ks =
        transposeTensor(rewriter, loc, scaled(adaptor.getK()), {0, 1, 3, 2});
    ks = reshapeTensor(rewriter, loc, ks, {batch * hkv, e, s});
    Value scores = regroup(batchMatmul(rewriter, loc, qs, ks), s,
                           /*toGroups=*/false);
    scores = convertVia(rewriter, loc, scores, elt, cType);

    FailureOr<Value> modified =
        applyModifier(rewriter, op, op.getScoreMod(), scores);
    if (failed(modified))
      return failure();
    Value probs = softmax(rewriter, loc, *modified, scoreType);
    modified = applyModifier(rewriter, op, op.getProbMod(), probs);
    if (failed(modified))
      return failure();

    // Y = P x V in C (accumulated in f32 at least), rounded to T.
    Type pvAcc = accumulatorType(rewriter, cType);
    Value p = convertVia(rewriter, loc, *modified, cType, pvAcc);
    p = regroup(p, s, /*toGroups=*/true);
    Value v = convertVia(rewriter, loc, adaptor.getV(), cType, pvAcc);
    v = reshapeTensor(rewriter, loc, v, {batch * hkv, s, ev});
    Value y = regroup(batchMatmul(rewriter, loc, p, v), ev, /*toGroups=*/false);
    y = convertVia(rewriter, loc, y, cType, elt);
    rewriter.replaceOp(op, y);
    return success();
  }

  /// A present modifier must take and give one value of the score type.
  LogicalResult checkModifier(onnx::FlexAttentionOp op, Region &r,
                              RankedTensorType scoreType) const {
    if (r.empty())
      return success();
    StringRef name = &r == &op.getScoreMod() ? "score_mod" : "prob_mod";
    const TypeConverter &tc = *getTypeConverter();
    Block &block = r.front();
    auto yield = dyn_cast<onnx::YieldOp>(block.getTerminator());
    if (!yield || block.getNumArguments() != 1 || yield->getNumOperands() != 1)
      return op.emitError() << "FlexAttention: " << name
                            << " must have one input and one output";
    Type in = tc.convertType(block.getArgument(0).getType());
    Type out = tc.convertType(yield->getOperand(0).getType());
    if (in != scoreType || out != scoreType)
      return op.emitError() << "FlexAttention: " << name << " must map "
                            << scoreType << " to the same type (its input is "
                            << block.getArgument(0).getType() << ", its output "
                            << yield->getOperand(0).getType() << ")";
    return success();
  }

  /// The value `r` yields for `x`, its ops moved before the node; `x` when
  /// `r` is empty.
  FailureOr<Value> applyModifier(ConversionPatternRewriter &rewriter,
                                 onnx::FlexAttentionOp op, Region &r,
                                 Value x) const {
    if (r.empty())
      return x;
    // An identity subgraph yields its input.
    Value yielded = r.front().getTerminator()->getOperand(0);
    if (yielded == r.front().getArgument(0))
      return x;
    FailureOr<Block *> entry =
        rewriter.convertRegionTypes(&r, *getTypeConverter());
    if (failed(entry))
      return failure();
    auto yield = cast<onnx::YieldOp>((*entry)->getTerminator());
    Value result = yield->getOperand(0);
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(*entry, op, ValueRange{x});
    return result;
  }

  /// softmax(x) along the last dim: exp(x - max) / sum.
  static Value softmax(OpBuilder &b, Location loc, Value x,
                       RankedTensorType type) {
    Type c = type.getElementType();
    Value m = createReduction(
        b, loc, x, {3}, createScalar(b, loc, c, -INFINITY),
        /*keepDims=*/true, [](OpBuilder &nb, Location l, Value in, Value a) {
          return createMax(nb, l, a, in, false);
        });
    Value ex = createElementwise(
        b, loc, {x, m}, type,
        [](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return math::ExpOp::create(nb, l,
                                     arith::SubFOp::create(nb, l, a[0], a[1]));
        });
    Value sum = createReduction(
        b, loc, ex, {3}, createScalar(b, loc, c, 0.0), /*keepDims=*/true,
        [](OpBuilder &nb, Location l, Value in, Value a) {
          return createAdd(nb, l, a, in);
        });
    return createElementwise(
        b, loc, {ex, sum}, type,
        [](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return arith::DivFOp::create(nb, l, a[0], a[1]);
        });
  }
};

} // namespace

void populateFlexAttentionPatterns(TypeConverter &tc,
                                   RewritePatternSet &patterns) {
  patterns.add<FlexAttentionLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
