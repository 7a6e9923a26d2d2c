//===- MatMul.cpp - MatMul, Gemm, MatMulInteger ---------------------------===//
//
// 2-D products become linalg.matmul, batched ones linalg.batch_matmul after
// broadcasting and collapsing the batch dims; the accumulator is a
// zero-filled init (or the broadcast C of a Gemm). Integer products
// accumulate in the result type; f16/bf16 MatMul products accumulate in f32
// and round once (as numpy and ONNX Runtime do).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

using namespace mlir;

namespace kiln::tolinalg {

FailureOr<Value> buildMatMul(OpBuilder &b, Location loc, Value a, Value bm,
                             RankedTensorType resultType) {
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(bm.getType());
  Type elt = resultType.getElementType();
  bool aVec = aType.getRank() == 1, bVec = bType.getRank() == 1;
  if (aType.getRank() == 0 || bType.getRank() == 0)
    return failure();
  if (aVec)
    a = reshapeTensor(b, loc, a, {1, aType.getDimSize(0)});
  if (bVec)
    bm = reshapeTensor(b, loc, bm, {bType.getDimSize(0), 1});
  aType = cast<RankedTensorType>(a.getType());
  bType = cast<RankedTensorType>(bm.getType());
  int64_t m = aType.getDimSize(aType.getRank() - 2);
  int64_t k = aType.getDimSize(aType.getRank() - 1);
  int64_t n = bType.getDimSize(bType.getRank() - 1);
  if (bType.getDimSize(bType.getRank() - 2) != k)
    return failure();
  // Batch dims of the result.
  ArrayRef<int64_t> aBatch = aType.getShape().drop_back(2);
  ArrayRef<int64_t> bBatch = bType.getShape().drop_back(2);
  SmallVector<int64_t> batch;
  size_t nb = std::max(aBatch.size(), bBatch.size());
  for (size_t i = 0; i < nb; ++i) {
    int64_t da = i + aBatch.size() >= nb ? aBatch[i + aBatch.size() - nb] : 1;
    int64_t db = i + bBatch.size() >= nb ? bBatch[i + bBatch.size() - nb] : 1;
    if (da != db && da != 1 && db != 1)
      return failure();
    batch.push_back(std::max(da, db));
  }
  int64_t batchCount = 1;
  for (int64_t d : batch)
    batchCount *= d;

  Value zero = createScalar(b, loc, elt, 0.0);
  Value product;
  if (batchCount == 1 ||
      llvm::all_of(bBatch, [](int64_t d) { return d == 1; })) {
    // B is one matrix: fold A's batch dims into its rows.
    int64_t rows = batchCount * m;
    Value a2 = a;
    if (aType.getNumElements() != rows * k) {
      SmallVector<int64_t> s(batch);
      s.append({m, k});
      a2 = broadcastTensor(b, loc, a, RankedTensorType::get(s, elt));
    }
    a2 = reshapeTensor(b, loc, a2, {rows, k});
    Value b2 = reshapeTensor(b, loc, bm, {k, n});
    auto t = RankedTensorType::get({rows, n}, elt);
    Value init = createFilled(b, loc, t, zero);
    product = linalg::MatmulOp::create(b, loc, TypeRange{t}, ValueRange{a2, b2},
                                       ValueRange{init})
                  .getResult(0);
  } else {
    SmallVector<int64_t> sa(batch), sb(batch);
    sa.append({m, k});
    sb.append({k, n});
    Value a3 = broadcastTensor(b, loc, a, RankedTensorType::get(sa, elt));
    Value b3 = broadcastTensor(b, loc, bm, RankedTensorType::get(sb, elt));
    a3 = reshapeTensor(b, loc, a3, {batchCount, m, k});
    b3 = reshapeTensor(b, loc, b3, {batchCount, k, n});
    auto t = RankedTensorType::get({batchCount, m, n}, elt);
    Value init = createFilled(b, loc, t, zero);
    product = linalg::BatchMatmulOp::create(
                  b, loc, TypeRange{t}, ValueRange{a3, b3}, ValueRange{init})
                  .getResult(0);
  }
  if (cast<RankedTensorType>(product.getType()).getNumElements() !=
      resultType.getNumElements())
    return failure();
  return reshapeTensor(b, loc, product, resultType.getShape());
}

namespace {
/// Float tensor `x` with its elements converted (extf/truncf) to `elt`.
Value convertFloats(OpBuilder &b, Location loc, Value x, Type elt) {
  auto t = cast<RankedTensorType>(x.getType());
  bool ext = cast<FloatType>(elt).getWidth() >
             cast<FloatType>(t.getElementType()).getWidth();
  return createElementwise(
      b, loc, x, RankedTensorType::get(t.getShape(), elt),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        if (ext)
          return arith::ExtFOp::create(nb, l, elt, a[0]);
        return arith::TruncFOp::create(nb, l, elt, a[0]);
      });
}

struct MatMulLowering : OpConversionPattern<onnx::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getType());
    if (failed(type))
      return failure();
    if (failed(getStaticType(rewriter, op, adaptor.getA().getType())) ||
        failed(getStaticType(rewriter, op, adaptor.getB().getType())))
      return failure();
    Location loc = op.getLoc();
    Value a = adaptor.getA(), bm = adaptor.getB();
    RankedTensorType accType = *type;
    auto fType = dyn_cast<FloatType>(type->getElementType());
    if (fType && fType.getWidth() < 32) {
      // 16-bit floats: an f32 accumulator, one rounding at the end.
      accType = RankedTensorType::get(type->getShape(), rewriter.getF32Type());
      a = convertFloats(rewriter, loc, a, accType.getElementType());
      bm = convertFloats(rewriter, loc, bm, accType.getElementType());
    }
    FailureOr<Value> r = buildMatMul(rewriter, loc, a, bm, accType);
    if (failed(r))
      return rewriter.notifyMatchFailure(op, "incompatible matmul shapes");
    if (accType != *type)
      r = convertFloats(rewriter, loc, *r, type->getElementType());
    rewriter.replaceOp(op, *r);
    return success();
  }
};

struct GemmLowering : OpConversionPattern<onnx::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    if (failed(type))
      return failure();
    auto aType = getStaticType(rewriter, op, adaptor.getA().getType());
    auto bType = getStaticType(rewriter, op, adaptor.getB().getType());
    if (failed(aType) || failed(bType))
      return failure();
    if (aType->getRank() != 2 || bType->getRank() != 2 || type->getRank() != 2)
      return rewriter.notifyMatchFailure(op, "Gemm needs 2-D operands");
    Value a = adaptor.getA(), bm = adaptor.getB();
    if (op.getTransA())
      a = transposeTensor(rewriter, loc, a, {1, 0});
    if (op.getTransB())
      bm = transposeTensor(rewriter, loc, bm, {1, 0});
    int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
    if (cast<RankedTensorType>(bm.getType()).getDimSize(0) != k ||
        cast<RankedTensorType>(a.getType()).getDimSize(0) !=
            type->getDimSize(0) ||
        cast<RankedTensorType>(bm.getType()).getDimSize(1) !=
            type->getDimSize(1))
      return rewriter.notifyMatchFailure(op, "incompatible Gemm shapes");
    Type elt = type->getElementType();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    bool hasC = !isa<NoneType>(c.getType()) && beta != 0.0;
    if (hasC) {
      auto cType = dyn_cast<RankedTensorType>(c.getType());
      if (!cType || !cType.hasStaticShape() || cType.getRank() > 2)
        return rewriter.notifyMatchFailure(op, "C must be static, rank <= 2");
    }
    bool isFloat = isa<FloatType>(elt);
    // Integer alpha/beta are applied as integers (truncated).
    auto scale = [&](OpBuilder &nb, Location nl, Value v, double f) {
      if (f == 1.0)
        return v;
      return createMul(nb, nl, v, createScalar(nb, nl, elt, f));
    };
    Value init;
    if (alpha == 1.0 && hasC) {
      init = createElementwise(rewriter, loc, ValueRange{c}, *type,
                               [&](OpBuilder &nb, Location nl, ValueRange s) {
                                 return scale(nb, nl, s[0], beta);
                               });
    } else {
      init = createFilled(rewriter, loc, *type,
                          createScalar(rewriter, loc, elt, 0.0));
    }
    Value r = linalg::MatmulOp::create(rewriter, loc, TypeRange{*type},
                                       ValueRange{a, bm}, ValueRange{init})
                  .getResult(0);
    if (alpha != 1.0) {
      SmallVector<Value> ins{r};
      if (hasC)
        ins.push_back(c);
      r = createElementwise(rewriter, loc, ins, *type,
                            [&](OpBuilder &nb, Location nl, ValueRange s) {
                              Value v = scale(nb, nl, s[0], alpha);
                              if (s.size() > 1)
                                v = createAdd(nb, nl, v,
                                              scale(nb, nl, s[1], beta));
                              return v;
                            });
    }
    (void)isFloat;
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// MatMulInteger: (A - a_zp) x (B - b_zp) in i32, with zero points that are
/// scalars or per-row (A) / per-column (B) vectors.
struct MatMulIntegerLowering : OpConversionPattern<onnx::MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::MatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    if (failed(type))
      return failure();
    Type i32 = type->getElementType();
    // Widen an operand minus its zero point to i32.
    auto widen = [&](Value v, Value onnxV, Value zp, Value onnxZp,
                     bool isA) -> FailureOr<Value> {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !t.hasStaticShape())
        return failure();
      Type onnxElt = getElementTypeOrSelf(onnxV.getType());
      SmallVector<Value> ins{v};
      bool hasZp = !isa<NoneType>(zp.getType());
      if (hasZp) {
        auto zt = dyn_cast<RankedTensorType>(zp.getType());
        if (!zt || !zt.hasStaticShape() || zt.getRank() > 1)
          return failure();
        Value z = zp;
        if (zt.getRank() == 1 && zt.getDimSize(0) != 1) {
          // Per-row of A: shape (M) -> (M, 1); per-column of B: (N).
          if (isA)
            z = reshapeTensor(rewriter, loc, zp, {zt.getDimSize(0), 1});
        }
        ins.push_back(z);
      }
      Value r = createElementwise(
          rewriter, loc, ins, t.clone(i32),
          [&](OpBuilder &nb, Location nl, ValueRange s) {
            Value x = castScalar(nb, nl, s[0], onnxElt, i32);
            if (s.size() > 1) {
              Value z = castScalar(nb, nl, s[1],
                                   getElementTypeOrSelf(onnxZp.getType()), i32);
              x = arith::SubIOp::create(nb, nl, x, z);
            }
            return x;
          });
      return r;
    };
    auto a = widen(adaptor.getA(), op.getA(), adaptor.getAZeroPoint(),
                   op.getAZeroPoint(), true);
    auto bm = widen(adaptor.getB(), op.getB(), adaptor.getBZeroPoint(),
                    op.getBZeroPoint(), false);
    if (failed(a) || failed(bm))
      return rewriter.notifyMatchFailure(op, "unsupported operand shapes");
    FailureOr<Value> r = buildMatMul(rewriter, loc, *a, *bm, *type);
    if (failed(r))
      return rewriter.notifyMatchFailure(op, "incompatible matmul shapes");
    rewriter.replaceOp(op, *r);
    return success();
  }
};

} // namespace

void populateMatMulPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<MatMulLowering, GemmLowering, MatMulIntegerLowering>(tc, ctx);
}

} // namespace kiln::tolinalg
