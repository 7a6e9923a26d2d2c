//===- LinearAlgebra.cpp - Det --------------------------------------------===//
//
// Det: LU decomposition with partial pivoting (as LAPACK's getrf) of every
// matrix of the batch at once. An scf.for over the pivot column k carries
// the batch of matrices (B, n, n) and the determinants (B); each step is
// three linalg.generics over the batch: the pivot search (the first row
// i >= k of largest |A[i, k]|), the determinant update (times the pivot,
// negated when rows were swapped) and the row swap fused with the
// elimination below the pivot. A zero pivot leaves its rows as they are
// (the determinant is 0 already). f16/bf16 matrices are factored in f32.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

struct DetLowering : OpConversionPattern<onnx::DetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::DetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "Det needs matrices (rank >= 2)");
    int64_t n = xType->getDimSize(rank - 1);
    if (xType->getDimSize(rank - 2) != n)
      return rewriter.notifyMatchFailure(op, "Det needs square matrices");
    ArrayRef<int64_t> batchShape = xType->getShape().drop_back(2);
    if (type->getShape() != batchShape)
      return rewriter.notifyMatchFailure(op, "result shape is not the batch");
    Type elt = xType->getElementType();
    if (!isa<FloatType>(elt))
      return rewriter.notifyMatchFailure(op, "Det needs float matrices");
    Type ct = elt.isF64() ? (Type)rewriter.getF64Type() : rewriter.getF32Type();
    int64_t batch = 1;
    for (int64_t d : batchShape)
      batch *= d;
    auto detType = RankedTensorType::get({batch}, ct);
    auto matType = RankedTensorType::get({batch, n, n}, ct);
    Value one = createScalar(rewriter, loc, ct, 1.0);
    Value det = createFilled(rewriter, loc, detType, one);
    if (n > 0) {
      Value a = reshapeTensor(rewriter, loc, adaptor.getX(), {batch, n, n});
      if (elt != ct)
        a = createElementwise(rewriter, loc, a, matType,
                              [&](OpBuilder &b, Location l, ValueRange s) {
                                return castScalar(b, l, s[0], elt, ct);
                              });
      Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value ub = arith::ConstantIndexOp::create(rewriter, loc, n);
      Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
      auto loop = scf::ForOp::create(
          rewriter, loc, lb, ub, step, ValueRange{a, det},
          [&](OpBuilder &b, Location l, Value k, ValueRange args) {
            auto [next, nextDet] =
                luStep(b, l, ctx, args[0], args[1], k, batch, n, ct);
            scf::YieldOp::create(b, l, ValueRange{next, nextDet});
          });
      det = loop.getResult(1);
    }
    if (ct != type->getElementType())
      det = createElementwise(rewriter, loc, det,
                              detType.clone(type->getElementType()),
                              [&](OpBuilder &b, Location l, ValueRange s) {
                                return castScalar(b, l, s[0], ct, elt);
                              });
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, det, batchShape));
    return success();
  }

  /// One elimination step at pivot column `k` of the matrices `a` (B, n, n):
  /// returns the updated matrices and determinants.
  static std::pair<Value, Value> luStep(OpBuilder &b, Location loc,
                                        MLIRContext *ctx, Value a, Value det,
                                        Value k, int64_t batch, int64_t n,
                                        Type ct) {
    Type i64 = b.getI64Type();
    Type idx = b.getIndexType();
    Value kI64 = arith::IndexCastOp::create(b, loc, i64, k);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    auto par = utils::IteratorType::parallel;
    // Column k: (B, n).
    auto colType = RankedTensorType::get({batch, n}, ct);
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(0), k};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(batch), b.getIndexAttr(n),
                                    b.getIndexAttr(1)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    Value col = tensor::ExtractSliceOp::create(b, loc, colType, a, offsets,
                                               sizes, strides);
    // Pivot search: the first i >= k of largest |A[i, k]| (k when none is
    // larger than -1, e.g. all NaN).
    auto vecType = RankedTensorType::get({batch}, ct);
    auto pivType = RankedTensorType::get({batch}, i64);
    Value maxInit =
        createFilled(b, loc, vecType, createScalar(b, loc, ct, -1.0));
    Value pivInit = createFilled(b, loc, pivType, kI64);
    SmallVector<AffineMap> maps{AffineMap::get(2, 0, {d(0), d(1)}, ctx),
                                AffineMap::get(2, 0, {d(0)}, ctx),
                                AffineMap::get(2, 0, {d(0)}, ctx)};
    auto search = linalg::GenericOp::create(
        b, loc, TypeRange{vecType, pivType}, ValueRange{col},
        ValueRange{maxInit, pivInit}, maps,
        SmallVector<utils::IteratorType>{par, utils::IteratorType::reduction},
        [&](OpBuilder &nb, Location l, ValueRange s) {
          Value i = arith::IndexCastOp::create(
              nb, l, i64, linalg::IndexOp::create(nb, l, 1));
          Value below =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, i, kI64);
          Value mag = math::AbsFOp::create(nb, l, s[0]);
          Value larger = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                               mag, s[1]);
          Value take = arith::AndIOp::create(nb, l, below, larger);
          linalg::YieldOp::create(
              nb, l,
              ValueRange{arith::SelectOp::create(nb, l, take, mag, s[1]),
                         arith::SelectOp::create(nb, l, take, i, s[2])});
        });
    Value piv = search.getResult(1);
    // det *= +-A[p, k].
    auto id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value newDet =
        linalg::GenericOp::create(
            b, loc, TypeRange{vecType}, ValueRange{piv, det},
            ValueRange{createEmpty(b, loc, vecType)},
            SmallVector<AffineMap>{id1, id1, id1},
            SmallVector<utils::IteratorType>{par},
            [&](OpBuilder &nb, Location l, ValueRange s) {
              Value bi = linalg::IndexOp::create(nb, l, 0);
              Value p = arith::IndexCastOp::create(nb, l, idx, s[0]);
              Value pv = tensor::ExtractOp::create(nb, l, a, {bi, p, k});
              Value swapped = arith::CmpIOp::create(
                  nb, l, arith::CmpIPredicate::ne, s[0], kI64);
              Value neg = arith::NegFOp::create(nb, l, pv);
              pv = arith::SelectOp::create(nb, l, swapped, neg, pv);
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::MulFOp::create(nb, l, s[1], pv)});
            })
            .getResult(0);
    // Rows k and p swapped; rows below k minus their multiple of the pivot
    // row.
    auto id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    Value next =
        linalg::GenericOp::create(
            b, loc, TypeRange{a.getType()}, ValueRange{piv},
            ValueRange{
                createEmpty(b, loc, cast<RankedTensorType>(a.getType()))},
            SmallVector<AffineMap>{AffineMap::get(3, 0, {d(0)}, ctx), id3},
            SmallVector<utils::IteratorType>(3, par),
            [&](OpBuilder &nb, Location l, ValueRange s) {
              Value bi = linalg::IndexOp::create(nb, l, 0);
              Value i = linalg::IndexOp::create(nb, l, 1);
              Value j = linalg::IndexOp::create(nb, l, 2);
              Value p = arith::IndexCastOp::create(nb, l, idx, s[0]);
              auto eq = [&](Value x, Value y) {
                return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, x,
                                             y);
              };
              // Source row: k <-> p.
              Value r = arith::SelectOp::create(
                  nb, l, eq(i, k), p,
                  arith::SelectOp::create(nb, l, eq(i, p), k, i));
              Value v = tensor::ExtractOp::create(nb, l, a, {bi, r, j});
              Value pivot = tensor::ExtractOp::create(nb, l, a, {bi, p, k});
              Value rk = tensor::ExtractOp::create(nb, l, a, {bi, r, k});
              Value pj = tensor::ExtractOp::create(nb, l, a, {bi, p, j});
              Value zero = createScalar(nb, l, ct, 0.0);
              Value below =
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ugt, i, k);
              Value nonZero = arith::CmpFOp::create(
                  nb, l, arith::CmpFPredicate::UNE, pivot, zero);
              Value f = arith::DivFOp::create(nb, l, rk, pivot);
              Value upd = arith::SubFOp::create(
                  nb, l, v, arith::MulFOp::create(nb, l, f, pj));
              Value take = arith::AndIOp::create(nb, l, below, nonZero);
              linalg::YieldOp::create(
                  nb, l,
                  ValueRange{arith::SelectOp::create(nb, l, take, upd, v)});
            })
            .getResult(0);
    return {next, newDet};
  }
};

} // namespace

void populateLinearAlgebraPatterns(TypeConverter &tc,
                                   RewritePatternSet &patterns) {
  patterns.add<DetLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
