//===- LinearAttention.cpp - LinearAttention, SwiGLU ----------------------===//
//
// ONNX LinearAttention (opset 27) runs the recurrence token by token, as the
// spec defines it: an scf.for over the sequence carries the state
// S [B, Hkv, dk, dv] and the output [B, T, Hkv, G, dv] as tensors; each step
// is a few linalg.generic ops:
//
//   S = S * exp(g_t)                     gated, gated_delta
//   u = beta_t * (v_t - S^T k_t)         delta, gated_delta (u = v_t else)
//   S = S + k_t (x) u                    outer product over dk x dv
//   o_t = scale * q_t^T S                contraction over dk
//
// Query head h reads KV head h / G (G = q_num_heads / kv_num_heads): the
// query is viewed as [B, T, Hkv, G, dk], so no copy of the state is made.
// decay is per KV head [B, T, Hkv] or per key dim [B, T, Hkv * dk], beta per
// KV head [B, T, Hkv] or shared [B, T, 1]; exp(decay) and the head split are
// computed for all tokens before the loop. Everything is computed in f32
// (f16/bf16 inputs are extended, as the reference does) and rounded once:
// the output to the query's type, present_state to past_state's (or the
// query's) type. scale = 0 means 1 / sqrt(dk); chunk_size is a tuning hint
// without effect on the results.
//
// SwiGLU (opset 28) is Y = A * sigmoid(alpha * A) * B in one linalg.generic.
// f16/bf16 compute in f32 and round once; the reference rounds after each
// numpy step in f16 instead, so on arbitrary inputs the two can differ by a
// few f16 ulps (the f32 result is the correctly rounded one).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

bool isAbsent(Value v) { return !v || isa<NoneType>(v.getType()); }

/// "LinearAttention node 'name'" for diagnostics (the importer puts the node
/// name in a NameLoc).
std::string nodeLabel(Operation *op) {
  std::string name = "<unnamed>";
  if (auto nl = dyn_cast<NameLoc>(op->getLoc()))
    name = nl.getName().str();
  return op->getName().stripDialect().str() + " node '" + name + "'";
}

/// Emits "<Op> node '<name>': msg" on `op` and fails.
LogicalResult nodeError(Operation *op, const Twine &msg) {
  return op->emitError() << nodeLabel(op) << ": " << msg;
}

/// Float scalar `v` converted to `to`.
Value toFloat(OpBuilder &b, Location loc, Value v, Type to) {
  return castScalar(b, loc, v, v.getType(), to);
}

/// `x` with its elements converted to `elt`, reshaped to `shape`.
Value convertReshape(OpBuilder &b, Location loc, Value x, Type elt,
                     ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getElementType() != elt)
    x = createElementwise(b, loc, x,
                          RankedTensorType::get(type.getShape(), elt),
                          [&](OpBuilder &nb, Location nl, ValueRange a) {
                            return toFloat(nb, nl, a[0], elt);
                          });
  return reshapeTensor(b, loc, x, shape);
}

/// Token `t` of `x` [B, T, ...]: the slice [B, ...] (dim 1 dropped).
Value tokenSlice(OpBuilder &b, Location loc, Value x, Value t) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offs(rank, b.getIndexAttr(0)),
      strides(rank, b.getIndexAttr(1));
  offs[1] = t;
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), type.getShape());
  sizes[1] = b.getIndexAttr(1);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + 1);
  auto resType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, resType, x, offs, sizes,
                                        strides);
}

/// A linalg.generic summing `lhs * rhs` over the reduction dims of an
/// iteration space of `numDims` dims into a zero-filled `resType`.
Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs,
               RankedTensorType resType, ArrayRef<AffineMap> maps,
               ArrayRef<utils::IteratorType> iters) {
  Value init = createFilled(
      b, loc, resType, createScalar(b, loc, resType.getElementType(), 0.0));
  return linalg::GenericOp::create(
             b, loc, TypeRange{resType}, ValueRange{lhs, rhs}, ValueRange{init},
             maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
               linalg::YieldOp::create(
                   nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], p)});
             })
      .getResult(0);
}

struct LinearAttentionLowering : OpConversionPattern<onnx::LinearAttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::LinearAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto qType = getStaticType(rewriter, op, adaptor.getQuery().getType());
    auto kType = getStaticType(rewriter, op, adaptor.getKey().getType());
    auto vType = getStaticType(rewriter, op, adaptor.getValue().getType());
    if (failed(qType) || failed(kType) || failed(vType))
      return failure();
    if (qType->getRank() != 3 || kType->getRank() != 3 || vType->getRank() != 3)
      return nodeError(op, "query, key and value must be 3-D (B, T, H*D)");

    // Update rule and the inputs it needs.
    StringRef rule = op.getUpdateRule();
    if (rule != "linear" && rule != "gated" && rule != "delta" &&
        rule != "gated_delta")
      return nodeError(op, "update_rule '" + rule +
                               "' is not one of linear, gated, delta, "
                               "gated_delta");
    bool gating = rule == "gated" || rule == "gated_delta";
    bool delta = rule == "delta" || rule == "gated_delta";
    Value decay = adaptor.getDecay(), beta = adaptor.getBeta();
    Value past = adaptor.getPastState();
    if (gating == isAbsent(decay))
      return nodeError(op, "update_rule '" + rule +
                               (gating ? "' needs" : "' takes no") +
                               " decay input");
    if (delta == isAbsent(beta))
      return nodeError(op, "update_rule '" + rule +
                               (delta ? "' needs" : "' takes no") +
                               " beta input");

    // Sizes.
    int64_t hq = (int64_t)op.getQNumHeads();
    int64_t hkv = (int64_t)op.getKvNumHeads();
    if (hq <= 0 || hkv <= 0 || hq % hkv)
      return nodeError(op, "q_num_heads (" + Twine(hq) +
                               ") must be a positive multiple of "
                               "kv_num_heads (" +
                               Twine(hkv) + ")");
    int64_t batch = qType->getDimSize(0), seq = qType->getDimSize(1);
    int64_t groups = hq / hkv;
    for (RankedTensorType t : {*kType, *vType})
      if (t.getDimSize(0) != batch || t.getDimSize(1) != seq)
        return nodeError(op, "query, key and value must have the same batch "
                             "and sequence sizes");
    if (qType->getDimSize(2) % hq || kType->getDimSize(2) % hkv ||
        vType->getDimSize(2) % hkv)
      return nodeError(op, "hidden sizes do not split into q_num_heads / "
                           "kv_num_heads heads");
    int64_t dk = qType->getDimSize(2) / hq;
    int64_t dv = vType->getDimSize(2) / hkv;
    if (kType->getDimSize(2) / hkv != dk)
      return nodeError(op, "query and key head sizes differ");

    // decay: [B, T, Hkv] (per head) or [B, T, Hkv * dk] (per key dim).
    int64_t decayLast = 0;
    if (gating) {
      auto dt = getStaticType(rewriter, op, decay.getType());
      if (failed(dt))
        return failure();
      decayLast = dt->getRank() == 3 ? dt->getDimSize(2) : -1;
      if (dt->getRank() != 3 || dt->getDimSize(0) != batch ||
          dt->getDimSize(1) != seq ||
          (decayLast != hkv && decayLast != hkv * dk))
        return nodeError(op, "decay must be (B, T, kv_num_heads) or (B, T, "
                             "kv_num_heads * d_k)");
    }
    // beta: [B, T, Hkv] or [B, T, 1].
    int64_t betaLast = 0;
    if (delta) {
      auto bt = getStaticType(rewriter, op, beta.getType());
      if (failed(bt))
        return failure();
      betaLast = bt->getRank() == 3 ? bt->getDimSize(2) : -1;
      if (bt->getRank() != 3 || bt->getDimSize(0) != batch ||
          bt->getDimSize(1) != seq || (betaLast != hkv && betaLast != 1))
        return nodeError(op, "beta must be (B, T, kv_num_heads) or (B, T, 1)");
    }
    SmallVector<int64_t> stateShape = {batch, hkv, dk, dv};
    if (!isAbsent(past)) {
      auto pt = getStaticType(rewriter, op, past.getType());
      if (failed(pt))
        return failure();
      if (pt->getShape() != ArrayRef<int64_t>(stateShape))
        return nodeError(op, "past_state must be (B, kv_num_heads, d_k, d_v)");
    }
    auto yType = getStaticType(rewriter, op, op.getOutput().getType());
    auto sType = getStaticType(rewriter, op, op.getPresentState().getType());
    if (failed(yType) || failed(sType))
      return failure();
    if (yType->getShape() != ArrayRef<int64_t>{batch, seq, hq * dv} ||
        sType->getShape() != ArrayRef<int64_t>(stateShape))
      return nodeError(op, "unexpected result shapes");

    double scale = op.getScale().convertToDouble();
    if (scale == 0.0)
      scale = 1.0 / std::sqrt((double)dk);

    // f32 copies with the heads split out, for all tokens.
    Type f32 = rewriter.getF32Type();
    Value q = convertReshape(rewriter, loc, adaptor.getQuery(), f32,
                             {batch, seq, hkv, groups, dk});
    Value k = convertReshape(rewriter, loc, adaptor.getKey(), f32,
                             {batch, seq, hkv, dk});
    Value v = convertReshape(rewriter, loc, adaptor.getValue(), f32,
                             {batch, seq, hkv, dv});
    Value expDecay, betaF;
    if (gating) {
      // exp(g) as [B, T, Hkv, dk or 1, 1]: broadcasts over the state.
      int64_t per = decayLast == hkv ? 1 : dk;
      auto dt = cast<RankedTensorType>(decay.getType());
      expDecay = createElementwise(
          rewriter, loc, decay, RankedTensorType::get(dt.getShape(), f32),
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return math::ExpOp::create(b, l, toFloat(b, l, a[0], f32));
          });
      expDecay =
          reshapeTensor(rewriter, loc, expDecay, {batch, seq, hkv, per, 1});
    }
    if (delta)
      // [B, T, Hkv or 1, 1]: broadcasts over [B, Hkv, dv] per token.
      betaF =
          convertReshape(rewriter, loc, beta, f32, {batch, seq, betaLast, 1});

    Value state = isAbsent(past)
                      ? createFilled(rewriter, loc,
                                     RankedTensorType::get(stateShape, f32),
                                     createScalar(rewriter, loc, f32, 0.0))
                      : convertReshape(rewriter, loc, past, f32, stateShape);
    Type yElt = yType->getElementType();
    SmallVector<int64_t> outShape = {batch, seq, hkv, groups, dv};
    Value out =
        createEmpty(rewriter, loc, RankedTensorType::get(outShape, yElt));

    auto stateType = RankedTensorType::get(stateShape, f32);
    auto vecType = RankedTensorType::get({batch, hkv, dv}, f32);
    auto rowType = RankedTensorType::get({batch, hkv, groups, dv}, f32);
    auto yRowType = RankedTensorType::get({batch, hkv, groups, dv}, yElt);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    using IT = utils::IteratorType;
    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value ub = arith::ConstantIndexOp::create(rewriter, loc, seq);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, lb, ub, one, ValueRange{state, out},
        [&](OpBuilder &b, Location l, Value t, ValueRange args) {
          Value s = args[0], o = args[1];
          Value kT = tokenSlice(b, l, k, t); // [B, Hkv, dk]
          Value vT = tokenSlice(b, l, v, t); // [B, Hkv, dv]
          // S = S * exp(g_t).
          if (gating)
            s = createElementwise(
                b, l, {s, tokenSlice(b, l, expDecay, t)}, stateType,
                [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  return arith::MulFOp::create(nb, nl, a[0], a[1]);
                });
          // u = beta_t * (v_t - S^T k_t).
          Value u = vT;
          if (delta) {
            // r[b, h, m] = sum_d S[b, h, d, m] * k[b, h, d]; dims (b,h,m,d).
            Value r = contract(
                b, l, s, kT, vecType,
                {AffineMap::get(4, 0, {d(0), d(1), d(3), d(2)}, ctx),
                 AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx),
                 AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
                {IT::parallel, IT::parallel, IT::parallel, IT::reduction});
            u = createElementwise(
                b, l, {vT, r, tokenSlice(b, l, betaF, t)}, vecType,
                [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  Value diff = arith::SubFOp::create(nb, nl, a[0], a[1]);
                  return arith::MulFOp::create(nb, nl, a[2], diff);
                });
          }
          // S = S + k_t (x) u.
          s = createElementwise(
              b, l,
              {s, reshapeTensor(b, l, kT, {batch, hkv, dk, 1}),
               reshapeTensor(b, l, u, {batch, hkv, 1, dv})},
              stateType, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                Value p = arith::MulFOp::create(nb, nl, a[1], a[2]);
                return arith::AddFOp::create(nb, nl, a[0], p);
              });
          // o_t[b, h, g, m] = scale * sum_d q[b, h, g, d] * S[b, h, d, m];
          // dims (b, h, g, m, d).
          Value y =
              contract(b, l, tokenSlice(b, l, q, t), s, rowType,
                       {AffineMap::get(5, 0, {d(0), d(1), d(2), d(4)}, ctx),
                        AffineMap::get(5, 0, {d(0), d(1), d(4), d(3)}, ctx),
                        AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)},
                       {IT::parallel, IT::parallel, IT::parallel, IT::parallel,
                        IT::reduction});
          y = createElementwise(
              b, l, y, yRowType,
              [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                Value sc = createScalar(nb, nl, f32, scale);
                return toFloat(nb, nl, arith::MulFOp::create(nb, nl, a[0], sc),
                               yElt);
              });
          SmallVector<OpFoldResult> offs(5, b.getIndexAttr(0)),
              strides(5, b.getIndexAttr(1));
          offs[1] = t;
          SmallVector<OpFoldResult> sizes =
              getAsIndexOpFoldResult(ctx, outShape);
          sizes[1] = b.getIndexAttr(1);
          o = tensor::InsertSliceOp::create(b, l, y, o, offs, sizes, strides);
          scf::YieldOp::create(b, l, ValueRange{s, o});
        });

    Value y =
        reshapeTensor(rewriter, loc, loop.getResult(1), {batch, seq, hq * dv});
    Value present = loop.getResult(0);
    Type sElt = sType->getElementType();
    if (sElt != f32)
      present = createElementwise(
          rewriter, loc, present, *sType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return toFloat(b, l, a[0], sElt);
          });
    rewriter.replaceOp(op, {y, present});
    return success();
  }
};

/// SwiGLU: Y = A * sigmoid(alpha * A) * B, computed in f32 at least.
struct SwiGLULowering : OpConversionPattern<onnx::SwiGLUOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::SwiGLUOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto aType = getStaticType(rewriter, op, adaptor.getA().getType());
    auto bType = getStaticType(rewriter, op, adaptor.getB().getType());
    auto yType = getStaticType(rewriter, op, op.getY().getType());
    if (failed(aType) || failed(bType) || failed(yType))
      return failure();
    if (aType->getShape() != bType->getShape() ||
        yType->getShape() != aType->getShape())
      return nodeError(op, "A, B and Y must have the same shape (SwiGLU does "
                           "not broadcast)");
    Type elt = yType->getElementType();
    Type cType = elt.isF64() ? elt : rewriter.getF32Type();
    double alpha = op.getAlpha().convertToDouble();
    Value y = createElementwise(
        rewriter, op.getLoc(), {adaptor.getA(), adaptor.getB()}, *yType,
        [&](OpBuilder &b, Location l, ValueRange in) -> Value {
          Value a = toFloat(b, l, in[0], cType);
          Value bv = toFloat(b, l, in[1], cType);
          Value one = createScalar(b, l, cType, 1.0);
          Value x =
              arith::MulFOp::create(b, l, createScalar(b, l, cType, alpha), a);
          Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
          Value sig = arith::DivFOp::create(
              b, l, one, arith::AddFOp::create(b, l, one, e));
          Value swish = arith::MulFOp::create(b, l, a, sig);
          return toFloat(b, l, arith::MulFOp::create(b, l, swish, bv), elt);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateLinearAttentionPatterns(TypeConverter &tc,
                                     RewritePatternSet &patterns) {
  patterns.add<LinearAttentionLowering, SwiGLULowering>(tc,
                                                        patterns.getContext());
}

} // namespace kiln::tolinalg
