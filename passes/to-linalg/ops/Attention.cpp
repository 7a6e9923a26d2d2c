//===- Attention.cpp - Attention, RotaryEmbedding -------------------------===//
//
// ONNX Attention (opsets 23-25) composed from linalg ops:
//
//   Q, K, V -> [B, H, S, D] (3-D inputs: reshape + transpose by the heads)
//   present K/V = concat(past K/V, K/V) along the sequence
//   S = (Q * sqrt(scale)) x (K * sqrt(scale))^T      linalg.batch_matmul
//   S = softcap * tanh(S / softcap)                  (softcap > 0)
//   X = S + bias     bias from attn_mask (bool: 0/-inf, float: additive,
//                    padded with -inf up to the total sequence length),
//                    is_causal (bottom-right aligned by the cache offset),
//                    the sliding window and nonpad_kv_seqlen
//   P = softmax(X)   rows whose bias is all -inf give zeros, not NaN
//   Y = P x V                                        linalg.batch_matmul
//
// Grouped-query attention reads KV head h / (Hq / Hkv) for query head h: the
// query heads are grouped as [B * Hkv, G * Sq, D] so that both products are
// plain batched matmuls without copies of K and V. f16/bf16 inputs compute in
// f32 (softmax_precision = DOUBLE computes the softmax in f64) and round once
// at the outputs. qk_matmul_output is the product (mode 0), after softcap
// (1), after the bias (2) or after the softmax (3), as the spec words them.
//
// RotaryEmbedding is one linalg.generic reading each element's rotation
// partner (halves or interleaved pairs) and its cos/sin cache entry.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"
#include "passes/to-linalg/ops/AttentionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

bool isAbsent(Value v) { return !v || isa<NoneType>(v.getType()); }

/// Float scalar `v` converted to float type `to` (extf/truncf; f16 <-> bf16
/// through f32).
Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  return castScalar(b, loc, v, v.getType(), to);
}

/// `x` with its elements converted to `elt` and multiplied by `mul` (when
/// not 1).
Value convertTensor(OpBuilder &b, Location loc, Value x, Type elt,
                    double mul = 1.0) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getElementType() == elt && mul == 1.0)
    return x;
  return createElementwise(
      b, loc, x, RankedTensorType::get(type.getShape(), elt),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value v = convertFloat(nb, nl, a[0], elt);
        if (mul != 1.0)
          v = arith::MulFOp::create(nb, nl, v, createScalar(nb, nl, elt, mul));
        return v;
      });
}

} // namespace

Value batchMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  auto t = RankedTensorType::get(
      {lt.getDimSize(0), lt.getDimSize(1), rt.getDimSize(2)},
      lt.getElementType());
  Value init =
      createFilled(b, loc, t, createScalar(b, loc, t.getElementType(), 0.0));
  return linalg::BatchMatmulOp::create(b, loc, TypeRange{t},
                                       ValueRange{lhs, rhs}, ValueRange{init})
      .getResult(0);
}

namespace {

/// `x` with `y` appended along dim 2 (x may be absent).
Value concatSeq(OpBuilder &b, Location loc, Value x, Value y) {
  if (isAbsent(x))
    return y;
  auto xt = cast<RankedTensorType>(x.getType());
  auto yt = cast<RankedTensorType>(y.getType());
  SmallVector<int64_t> shape(xt.getShape());
  shape[2] += yt.getDimSize(2);
  Value dest =
      createEmpty(b, loc, RankedTensorType::get(shape, xt.getElementType()));
  SmallVector<OpFoldResult> offs(4, b.getIndexAttr(0)),
      strides(4, b.getIndexAttr(1));
  dest = tensor::InsertSliceOp::create(
      b, loc, x, dest, offs,
      getAsIndexOpFoldResult(b.getContext(), xt.getShape()), strides);
  offs[2] = b.getIndexAttr(xt.getDimSize(2));
  return tensor::InsertSliceOp::create(
      b, loc, y, dest, offs,
      getAsIndexOpFoldResult(b.getContext(), yt.getShape()), strides);
}

struct AttentionLowering : OpConversionPattern<onnx::AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto qType = getStaticType(rewriter, op, adaptor.getQ().getType());
    auto kType = getStaticType(rewriter, op, adaptor.getK().getType());
    auto vType = getStaticType(rewriter, op, adaptor.getV().getType());
    if (failed(qType) || failed(kType) || failed(vType))
      return failure();
    int64_t rank = qType->getRank();
    if ((rank != 3 && rank != 4) || kType->getRank() != rank ||
        vType->getRank() != rank)
      return rewriter.notifyMatchFailure(
          op, "Q, K and V must all be 3-D or all be 4-D");
    Type elt = qType->getElementType();
    Type vElt = vType->getElementType();
    // Compute type: f32 at least.
    Type cType = rewriter.getF32Type();
    if (elt.isF64() || vElt.isF64())
      cType = rewriter.getF64Type();

    // Sizes: batch, heads, sequences, head sizes.
    Value q = adaptor.getQ(), k = adaptor.getK(), v = adaptor.getV();
    int64_t batch = qType->getDimSize(0);
    int64_t hq, hkv, sq, skvNew, d, dv;
    if (rank == 4) {
      hq = qType->getDimSize(1);
      sq = qType->getDimSize(2);
      d = qType->getDimSize(3);
      hkv = kType->getDimSize(1);
      skvNew = kType->getDimSize(2);
      dv = vType->getDimSize(3);
      if (kType->getDimSize(3) != d || vType->getDimSize(1) != hkv ||
          vType->getDimSize(2) != skvNew)
        return rewriter.notifyMatchFailure(op, "Q, K, V shapes do not match");
    } else {
      std::optional<uint64_t> qh = op.getQNumHeads(), kvh = op.getKvNumHeads();
      if (!qh || !kvh || (int64_t)*qh <= 0 || (int64_t)*kvh <= 0)
        return rewriter.notifyMatchFailure(
            op, "3-D inputs need positive q_num_heads and kv_num_heads");
      hq = *qh;
      hkv = *kvh;
      sq = qType->getDimSize(1);
      skvNew = kType->getDimSize(1);
      if (qType->getDimSize(2) % hq || kType->getDimSize(2) % hkv ||
          vType->getDimSize(2) % hkv ||
          qType->getDimSize(2) / hq != kType->getDimSize(2) / hkv ||
          vType->getDimSize(1) != skvNew)
        return rewriter.notifyMatchFailure(
            op, "hidden sizes do not split into the given numbers of heads");
      d = qType->getDimSize(2) / hq;
      dv = vType->getDimSize(2) / hkv;
    }
    if (kType->getDimSize(0) != batch || vType->getDimSize(0) != batch)
      return rewriter.notifyMatchFailure(op, "batch sizes do not match");
    if (hkv <= 0 || hq % hkv)
      return rewriter.notifyMatchFailure(
          op, "q_num_heads must be a multiple of kv_num_heads");
    int64_t groups = hq / hkv;

    // KV cache.
    Value pastK = adaptor.getPastKey(), pastV = adaptor.getPastValue();
    Value nonpad = adaptor.getNonpadKvSeqlen();
    if (isAbsent(pastK) != isAbsent(pastV))
      return rewriter.notifyMatchFailure(
          op, "past_key and past_value must be given together");
    if (!isAbsent(nonpad) && !isAbsent(pastK))
      return rewriter.notifyMatchFailure(
          op, "nonpad_kv_seqlen cannot be combined with past_key/past_value");
    int64_t past = 0;
    if (!isAbsent(pastK)) {
      auto pk = getStaticType(rewriter, op, pastK.getType());
      auto pv = getStaticType(rewriter, op, pastV.getType());
      if (failed(pk) || failed(pv))
        return failure();
      past = pk->getDimSize(2);
      if (pk->getRank() != 4 || pv->getRank() != 4 ||
          pk->getShape() != ArrayRef<int64_t>{batch, hkv, past, d} ||
          pv->getShape() != ArrayRef<int64_t>{batch, hkv, past, dv})
        return rewriter.notifyMatchFailure(
            op, "past_key/past_value shapes do not match K/V");
    }
    int64_t skv = past + skvNew;
    if (!isAbsent(nonpad)) {
      auto nt = getStaticType(rewriter, op, nonpad.getType());
      if (failed(nt))
        return failure();
      if (nt->getShape() != ArrayRef<int64_t>{batch})
        return rewriter.notifyMatchFailure(
            op, "nonpad_kv_seqlen must have shape (batch_size)");
    }
    FailureOr<MaskInfo> mask =
        checkMask(op, adaptor, rewriter, {batch, hq, sq, skv});
    if (failed(mask))
      return failure();
    int64_t mode = op.getQkMatmulOutputMode();
    if (mode < 0 || mode > 3)
      return rewriter.notifyMatchFailure(
          op, "qk_matmul_output_mode must be 0, 1, 2 or 3");
    // Softmax precision.
    Type sType = cType;
    if (std::optional<uint64_t> p = op.getSoftmaxPrecision()) {
      if (*p == 11) // DOUBLE
        sType = rewriter.getF64Type();
      else if (*p != 1 && *p != 10 && *p != 16) // FLOAT, FLOAT16, BFLOAT16
        return rewriter.notifyMatchFailure(
            op, "softmax_precision must be a float type");
    }
    // The results' shapes.
    SmallVector<SmallVector<int64_t>> shapes = {
        rank == 4 ? SmallVector<int64_t>{batch, hq, sq, dv}
                  : SmallVector<int64_t>{batch, sq, hq * dv},
        {batch, hkv, skv, d},
        {batch, hkv, skv, dv},
        {batch, hq, sq, skv}};
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      Value res = op->getResult(i);
      if (isa<NoneType>(res.getType()))
        continue;
      auto want = getStaticType(rewriter, op, res.getType());
      if (failed(want))
        return failure();
      if (want->getShape() != ArrayRef<int64_t>(shapes[i]))
        return rewriter.notifyMatchFailure(op, "unexpected result shape");
    }

    // Q, K, V as [B, H, S, D]; present K/V.
    if (rank == 3) {
      auto split = [&](Value x, int64_t heads, int64_t head) {
        auto t = cast<RankedTensorType>(x.getType());
        x = reshapeTensor(rewriter, loc, x,
                          {batch, t.getDimSize(1), heads, head});
        return transposeTensor(rewriter, loc, x, {0, 2, 1, 3});
      };
      q = split(q, hq, d);
      k = split(k, hkv, d);
      v = split(v, hkv, dv);
    }
    Value presentK = concatSeq(rewriter, loc, pastK, k);
    Value presentV = concatSeq(rewriter, loc, pastV, v);

    // Scale Q and K by sqrt(scale) rounded to the input type (as the
    // function body does), then S = Q x K^T grouped by KV head.
    double scale = 1.0 / std::sqrt((double)d);
    if (auto s = op.getScaleAttr())
      scale = s.getValueAsDouble();
    llvm::APFloat sq2(std::sqrt(scale));
    bool lost;
    sq2.convert(cast<FloatType>(elt).getFloatSemantics(),
                llvm::APFloat::rmNearestTiesToEven, &lost);
    double mul = sq2.convertToDouble();
    Value qs = convertTensor(rewriter, loc, q, cType, mul);
    // [B, Hq, ...] <-> [B * Hkv, G * Sq, ...] through [B, Hkv, G, Sq, ...]:
    // one expand_shape and one collapse_shape each way.
    auto regroup = [&](Value x, int64_t last, bool toGroups) {
      x = reshapeTensor(rewriter, loc, x, {batch, hkv, groups, sq, last});
      if (toGroups)
        return reshapeTensor(rewriter, loc, x,
                             {batch * hkv, groups * sq, last});
      return reshapeTensor(rewriter, loc, x, {batch, hq, sq, last});
    };
    qs = regroup(qs, d, /*toGroups=*/true);
    Value ks = convertTensor(rewriter, loc, presentK, cType, mul);
    ks = transposeTensor(rewriter, loc, ks, {0, 1, 3, 2});
    ks = reshapeTensor(rewriter, loc, ks, {batch * hkv, d, skv});
    Value scores = batchMatmul(rewriter, loc, qs, ks);
    SmallVector<int64_t> fullShape = {batch, hq, sq, skv};
    auto fullType = RankedTensorType::get(fullShape, cType);
    scores = regroup(scores, skv, /*toGroups=*/false);
    Value rawScores = scores;

    double softcap = op.getSoftcap().convertToDouble();
    if (softcap > 0.0)
      scores = createElementwise(
          rewriter, loc, scores, fullType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value c = createScalar(b, l, cType, softcap);
            Value t = math::TanhOp::create(
                b, l, arith::DivFOp::create(b, l, a[0], c));
            return arith::MulFOp::create(b, l, t, c);
          });
    Value cappedScores = scores;

    // The additive bias.
    Value bias =
        buildBias(op, adaptor, rewriter, *mask, cType, batch, sq, skv, past);

    auto sFullType = RankedTensorType::get(fullShape, sType);
    Value x;
    if (bias)
      x = createElementwise(rewriter, loc, {scores, bias}, sFullType,
                            [&](OpBuilder &b, Location l, ValueRange a) {
                              Value r = arith::AddFOp::create(b, l, a[0], a[1]);
                              return convertFloat(b, l, r, sType);
                            });
    else
      x = convertTensor(rewriter, loc, scores, sType);
    Value biasedScores = x;

    // Softmax along the keys; fully-masked rows (bias all -inf) give 0.
    Value negInf = createScalar(rewriter, loc, sType, -INFINITY);
    Value m =
        createReduction(rewriter, loc, x, {3}, negInf, /*keepDims=*/true,
                        [](OpBuilder &b, Location l, Value in, Value acc) {
                          return createMax(b, l, acc, in, false);
                        });
    Value e = createElementwise(
        rewriter, loc, {x, m}, sFullType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value ninf = createScalar(b, l, sType, -INFINITY);
          Value isNinf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                               a[1], ninf);
          Value safe = arith::SelectOp::create(
              b, l, isNinf, createScalar(b, l, sType, 0.0), a[1]);
          return math::ExpOp::create(b, l,
                                     arith::SubFOp::create(b, l, a[0], safe));
        });
    Value s = createReduction(
        rewriter, loc, e, {3}, createScalar(rewriter, loc, sType, 0.0),
        /*keepDims=*/true, [](OpBuilder &b, Location l, Value in, Value acc) {
          return createAdd(b, l, acc, in);
        });
    SmallVector<Value> ins = {e, s};
    if (bias) {
      Type bElt = cType;
      ins.push_back(createReduction(
          rewriter, loc, bias, {3},
          createScalar(rewriter, loc, bElt, -INFINITY),
          /*keepDims=*/true, [](OpBuilder &b, Location l, Value in, Value acc) {
            return createMax(b, l, acc, in, false);
          }));
    }
    Value probs = createElementwise(
        rewriter, loc, ins, sFullType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value zero = createScalar(b, l, sType, 0.0);
          Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                               a[1], zero);
          Value den = arith::SelectOp::create(
              b, l, isZero, createScalar(b, l, sType, 1.0), a[1]);
          Value r = arith::DivFOp::create(b, l, a[0], den);
          if (a.size() < 3)
            return r;
          Value masked = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ, a[2],
              createScalar(b, l, a[2].getType(), -INFINITY));
          return arith::SelectOp::create(b, l, masked, zero, r);
        });

    // Y = P x V, grouped by KV head.
    Value p = convertTensor(rewriter, loc, probs, cType);
    p = regroup(p, skv, /*toGroups=*/true);
    Value vs = convertTensor(rewriter, loc, presentV, cType);
    vs = reshapeTensor(rewriter, loc, vs, {batch * hkv, skv, dv});
    Value y = batchMatmul(rewriter, loc, p, vs);
    y = regroup(y, dv, /*toGroups=*/false);
    y = convertTensor(rewriter, loc, y, elt);
    if (rank == 3) {
      y = transposeTensor(rewriter, loc, y, {0, 2, 1, 3});
      y = reshapeTensor(rewriter, loc, y, {batch, sq, hq * dv});
    }

    // qk_matmul_output (modes 0-3).
    Value qk = mode == 0   ? rawScores
               : mode == 1 ? cappedScores
               : mode == 2 ? biasedScores
                           : probs;
    SmallVector<Value> results = {y, presentK, presentV, qk};
    Value none;
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      if (isa<NoneType>(op->getResult(i).getType())) {
        if (!none)
          none = onnx::NoneOp::create(rewriter, loc);
        results[i] = none;
      } else if (i == 3) {
        results[i] = convertTensor(rewriter, loc, qk, elt);
      }
    }
    rewriter.replaceOp(op, results);
    return success();
  }

  /// attn_mask as the bias sees it: its shape right-aligned to 4-D with the
  /// key dim padded to the total sequence length.
  struct MaskInfo {
    bool present = false, isBool = false;
    Type onnxElt;
    SmallVector<int64_t> shape4;
  };

  FailureOr<MaskInfo> checkMask(onnx::AttentionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter,
                                ArrayRef<int64_t> full) const {
    MaskInfo info;
    Value mask = adaptor.getAttnMask();
    if (isAbsent(mask))
      return info;
    auto mt = getStaticType(rewriter, op, mask.getType());
    if (failed(mt))
      return failure();
    int64_t r = mt->getRank();
    if (r < 1 || r > 4)
      return rewriter.notifyMatchFailure(op, "attn_mask must be 1-D to 4-D");
    if (mt->getDimSize(r - 1) > full[3])
      return rewriter.notifyMatchFailure(
          op, "attn_mask is longer than the total sequence length");
    info.present = true;
    info.onnxElt =
        cast<ShapedType>(op.getAttnMask().getType()).getElementType();
    info.isBool = info.onnxElt.isInteger(1);
    info.shape4.assign(4 - r, 1);
    llvm::append_range(info.shape4, mt->getShape().drop_back());
    info.shape4.push_back(full[3]);
    for (int i = 0; i < 4; ++i)
      if (info.shape4[i] != 1 && info.shape4[i] != full[i])
        return rewriter.notifyMatchFailure(
            op, "attn_mask does not broadcast to (batch, q_num_heads, "
                "q_sequence_length, total_sequence_length)");
    return info;
  }

  /// The additive bias [B or 1, Hq or 1, Sq, Skv] in `cType`, or a null value
  /// when there is none.
  Value buildBias(onnx::AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter, const MaskInfo &info,
                  Type cType, int64_t batch, int64_t sq, int64_t skv,
                  int64_t past) const {
    Location loc = op.getLoc();
    Value mask = adaptor.getAttnMask();
    Value nonpad = adaptor.getNonpadKvSeqlen();
    bool causal = op.getIsCausal() != 0;
    int64_t left = (int64_t)op.getLeftWindowSize();
    int64_t right = (int64_t)op.getRightWindowSize();
    bool window = left >= 0 || right >= 0;
    bool hasMask = info.present, hasNonpad = !isAbsent(nonpad);
    if (!hasMask && !causal && !window && !hasNonpad)
      return Value();

    SmallVector<int64_t> shape = {1, 1, sq, skv};
    SmallVector<Value> inputs;
    Type maskOnnxElt = info.onnxElt;
    bool boolMask = info.isBool;
    if (hasMask) {
      // Pad the key dim up to the total sequence length: False / -inf.
      auto mt = cast<RankedTensorType>(mask.getType());
      int64_t r = mt.getRank(), len = mt.getDimSize(r - 1);
      if (len < skv) {
        SmallVector<int64_t> low(r, 0), high(r, 0);
        high[r - 1] = skv - len;
        Type me = mt.getElementType();
        Value pad = boolMask ? createIntScalar(rewriter, loc, me, 0)
                    : isa<FloatType>(me)
                        ? createScalar(rewriter, loc, me, -INFINITY)
                        : createLowest(rewriter, loc, maskOnnxElt);
        mask = padTensor(rewriter, loc, mask, low, high, pad);
      }
      for (int i = 0; i < 4; ++i)
        shape[i] = std::max(shape[i], info.shape4[i]);
      inputs.push_back(reshapeTensor(rewriter, loc, mask, info.shape4));
    }
    if (hasNonpad) {
      shape[0] = batch;
      inputs.push_back(reshapeTensor(rewriter, loc, nonpad, {batch, 1, 1, 1}));
    }
    auto type = RankedTensorType::get(shape, cType);
    return createElementwise(
        rewriter, loc, inputs, type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type i64 = b.getI64Type();
          Value zero = createScalar(b, l, cType, 0.0);
          Value ninf = createScalar(b, l, cType, -INFINITY);
          auto index = [&](int64_t dim) -> Value {
            return arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, dim));
          };
          Value bias = zero;
          if (hasMask) {
            if (boolMask)
              bias = arith::SelectOp::create(b, l, a[0], zero, ninf);
            else
              bias = castScalar(b, l, a[0], maskOnnxElt, cType);
          }
          Value n = hasNonpad ? a.back() : Value();
          // Keys allowed: add -inf where `allowed` is false.
          auto restrict = [&](Value allowed) {
            bias = arith::AddFOp::create(
                b, l, bias, arith::SelectOp::create(b, l, allowed, zero, ninf));
          };
          if (causal || window || hasNonpad) {
            Value i = index(2), j = index(3);
            // Offset of the query block: the cache length.
            Value offset = hasNonpad
                               ? arith::SubIOp::create(
                                     b, l, n, createIntScalar(b, l, i64, sq))
                               : createIntScalar(b, l, i64, past);
            Value diff = arith::SubIOp::create(
                b, l, arith::AddIOp::create(b, l, i, offset), j);
            Value zeroI = createIntScalar(b, l, i64, 0);
            if (causal)
              restrict(arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                             diff, zeroI));
            if (left >= 0)
              restrict(arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle,
                                             diff,
                                             createIntScalar(b, l, i64, left)));
            if (right >= 0)
              restrict(arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::sle,
                  arith::SubIOp::create(b, l, zeroI, diff),
                  createIntScalar(b, l, i64, right)));
            if (hasNonpad)
              restrict(
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, n));
          }
          return bias;
        });
  }
};

/// RotaryEmbedding: one linalg.generic over the output reading the rotated
/// pair of each element and its cos/sin entry (gathered by position_ids).
struct RotaryEmbeddingLowering : OpConversionPattern<onnx::RotaryEmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::RotaryEmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto cosType = getStaticType(rewriter, op, adaptor.getCosCache().getType());
    auto sinType = getStaticType(rewriter, op, adaptor.getSinCache().getType());
    if (failed(xType) || failed(cosType) || failed(sinType))
      return failure();
    if (cosType->getShape() != sinType->getShape())
      return rewriter.notifyMatchFailure(
          op, "cos_cache and sin_cache shapes differ");
    int64_t rank = xType->getRank();
    Value x = adaptor.getX();
    // A 4-D view: [B, H, S, D] (4-D input) or [B, S, H, D] (3-D input).
    int64_t batch = xType->getDimSize(0), seq, head, heads = 0;
    int64_t seqDim = rank == 4 ? 2 : 1;
    if (rank == 4) {
      seq = xType->getDimSize(2);
      head = xType->getDimSize(3);
    } else if (rank == 3) {
      std::optional<uint64_t> numHeads = op.getNumHeads();
      int64_t hidden = xType->getDimSize(2);
      heads = numHeads ? (int64_t)*numHeads : 0;
      if (heads <= 0 || hidden % heads)
        return rewriter.notifyMatchFailure(
            op, "3-D input needs num_heads dividing the hidden size");
      seq = xType->getDimSize(1);
      head = hidden / heads;
    } else {
      return rewriter.notifyMatchFailure(op, "input must be 3-D or 4-D");
    }
    int64_t rot = (int64_t)op.getRotaryEmbeddingDim();
    if (rot == 0)
      rot = head;
    if (rot < 0 || rot > head || rot % 2)
      return rewriter.notifyMatchFailure(
          op, "rotary_embedding_dim must be even and at most the head size");
    int64_t half = rot / 2;
    bool interleaved = op.getInterleaved() != 0;
    Value pos = adaptor.getPositionIds();
    bool hasPos = !isAbsent(pos);
    ArrayRef<int64_t> cs = cosType->getShape();
    if (hasPos) {
      auto pt = getStaticType(rewriter, op, pos.getType());
      if (failed(pt))
        return failure();
      if (pt->getShape() != ArrayRef<int64_t>{batch, seq} || cs.size() != 2 ||
          cs[1] != half)
        return rewriter.notifyMatchFailure(
            op, "position_ids must be (batch, seq) and the caches "
                "(max_position, rotary_embedding_dim / 2)");
    } else if (cs != ArrayRef<int64_t>{batch, seq, half}) {
      return rewriter.notifyMatchFailure(
          op, "caches must be (batch, seq, rotary_embedding_dim / 2)");
    }
    Type elt = xType->getElementType();
    Type cType = rewriter.getF32Type();
    if (rank == 3)
      x = reshapeTensor(rewriter, loc, x, {batch, seq, heads, head});
    Value cosCache = adaptor.getCosCache(), sinCache = adaptor.getSinCache();
    auto viewType = cast<RankedTensorType>(x.getType());
    Value init = createEmpty(rewriter, loc, viewType);
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(4, rewriter.getContext())};
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{viewType}, ValueRange{}, ValueRange{init},
            maps, iters,
            [&](OpBuilder &b, Location l, ValueRange) {
              SmallVector<Value> iv;
              for (int64_t i = 0; i < 4; ++i)
                iv.push_back(linalg::IndexOp::create(b, l, i));
              auto cIdx = [&](int64_t v) {
                return arith::ConstantIndexOp::create(b, l, v).getResult();
              };
              Value dIdx = iv[3];
              auto read = [&](Value d) {
                SmallVector<Value> at(iv);
                at[3] = d;
                return convertFloat(
                    b, l, tensor::ExtractOp::create(b, l, x, at), cType);
              };
              // Pair index p, the two elements of the pair, and whether
              // this element is the first (real) one.
              Value p, first, second, isReal;
              if (interleaved) {
                p = arith::DivUIOp::create(b, l, dIdx, cIdx(2));
                first = arith::MulIOp::create(b, l, p, cIdx(2));
                second = arith::AddIOp::create(b, l, first, cIdx(1));
                isReal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                               first, dIdx);
              } else {
                isReal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                               dIdx, cIdx(half));
                p = arith::SelectOp::create(
                    b, l, isReal, dIdx,
                    arith::SubIOp::create(b, l, dIdx, cIdx(half)));
                first = p;
                second = arith::AddIOp::create(b, l, p, cIdx(half));
              }
              // Positions beyond the rotary dims are copied; clamp the
              // indices so that the reads stay in bounds there.
              Value rotated = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ult, dIdx, cIdx(rot));
              auto clampTo = [&](Value v, int64_t hi) {
                return arith::MinUIOp::create(b, l, v, cIdx(hi));
              };
              p = clampTo(p, half - 1);
              first = clampTo(first, rot - 1);
              second = clampTo(second, rot - 1);
              SmallVector<Value> cacheAt;
              Value bIdx = iv[0], sIdx = iv[seqDim];
              if (hasPos) {
                Value id = tensor::ExtractOp::create(b, l, pos,
                                                     ValueRange{bIdx, sIdx});
                cacheAt = {normalizeIndex(b, l, id, cs[0]), p};
              } else {
                cacheAt = {bIdx, sIdx, p};
              }
              Value c = convertFloat(
                  b, l, tensor::ExtractOp::create(b, l, cosCache, cacheAt),
                  cType);
              Value s = convertFloat(
                  b, l, tensor::ExtractOp::create(b, l, sinCache, cacheAt),
                  cType);
              Value x1 = read(first), x2 = read(second);
              Value real = arith::SubFOp::create(
                  b, l, arith::MulFOp::create(b, l, c, x1),
                  arith::MulFOp::create(b, l, s, x2));
              Value imag = arith::AddFOp::create(
                  b, l, arith::MulFOp::create(b, l, s, x1),
                  arith::MulFOp::create(b, l, c, x2));
              Value rotatedV = convertFloat(
                  b, l, arith::SelectOp::create(b, l, isReal, real, imag), elt);
              Value copied = tensor::ExtractOp::create(b, l, x, iv);
              linalg::YieldOp::create(b, l,
                                      ValueRange{arith::SelectOp::create(
                                          b, l, rotated, rotatedV, copied)});
            })
            .getResult(0);
    r = reshapeTensor(rewriter, loc, r, xType->getShape());
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateAttentionPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<AttentionLowering, RotaryEmbeddingLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
