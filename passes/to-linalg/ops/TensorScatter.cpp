//===- TensorScatter.cpp - TensorScatter ----------------------------------===//
//
// TensorScatter (opset 24), the functional KV-cache update: the update
// (..., s, ...) is written into past_cache (..., M, ...) along `axis` at
// write_indices[batch] (+ j, modulo M in "circular" mode).
//
// Without write_indices the update lands at 0: one tensor.insert_slice.
// Otherwise a linalg.generic over the cache computes, for each position p
// along the axis, the update row j = p - w (linear) or (p - w) mod M
// (circular) and selects update[..., j, ...] when 0 <= j < s, the past value
// otherwise; the update is read at j clamped into [0, s-1], so no write
// index can read out of bounds. In linear mode the run-time write indices
// are checked with cf.assert (0 <= w and w + s <= M).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

struct TensorScatterLowering : OpConversionPattern<onnx::TensorScatterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::TensorScatterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getType());
    auto pType = getStaticType(rewriter, op, adaptor.getPastCache().getType());
    auto uType = getStaticType(rewriter, op, adaptor.getUpdate().getType());
    if (failed(type) || failed(pType) || failed(uType))
      return failure();
    int64_t rank = pType->getRank();
    auto axisOr = normalizeAxis(op.getAxis(), rank);
    if (!axisOr || *axisOr == 0)
      return op.emitError()
             << "TensorScatter: axis " << op.getAxis()
             << " must name a non-batch dim of the rank-" << rank << " cache";
    int64_t axis = *axisOr;
    StringRef mode = op.getMode();
    bool circular = mode == "circular";
    if (!circular && mode != "linear")
      return op.emitError() << "TensorScatter: unsupported mode '" << mode
                            << "' (expected 'linear' or 'circular')";
    if (type->getShape() != pType->getShape() || uType->getRank() != rank)
      return op.emitError("TensorScatter: present_cache must have the shape "
                          "of past_cache, update its rank");
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && uType->getDimSize(i) != pType->getDimSize(i))
        return op.emitError()
               << "TensorScatter: update dim " << i << " ("
               << uType->getDimSize(i) << ") differs from the cache's ("
               << pType->getDimSize(i) << ")";
    int64_t maxSeq = pType->getDimSize(axis), seq = uType->getDimSize(axis);
    if (seq > maxSeq)
      return op.emitError()
             << "TensorScatter: the update's sequence length (" << seq
             << ") exceeds max_sequence_length (" << maxSeq << ")";
    Value past = adaptor.getPastCache(), update = adaptor.getUpdate();
    Value indices = adaptor.getWriteIndices();
    if (seq == 0 || type->getNumElements() == 0) {
      rewriter.replaceOp(op, past);
      return success();
    }

    // No write indices: the update lands at the start of the sequence.
    if (isa<NoneType>(indices.getType())) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)),
          strides(rank, rewriter.getIndexAttr(1)), sizes;
      for (int64_t d : uType->getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      rewriter.replaceOp(
          op, tensor::InsertSliceOp::create(rewriter, loc, update, past,
                                            offsets, sizes, strides));
      return success();
    }
    auto iType = getStaticType(rewriter, op, indices.getType());
    if (failed(iType))
      return failure();
    int64_t batch = pType->getDimSize(0);
    if (iType->getShape() != ArrayRef<int64_t>{batch})
      return op.emitError() << "TensorScatter: write_indices must have shape ("
                            << batch << ")";

    Type i64 = rewriter.getI64Type();
    if (!circular) {
      // Every write must fit: 0 <= w and w + s <= M.
      std::string name = nodeName(op);
      auto reduce = [&](bool isMin) {
        Value init = isMin ? createHighest(rewriter, loc, i64)
                           : createLowest(rewriter, loc, i64);
        Value r = createReduction(
            rewriter, loc, indices, {0}, init, /*keepDims=*/false,
            [&](OpBuilder &b, Location l, Value x, Value a) {
              return isMin ? createMin(b, l, x, a, false)
                           : createMax(b, l, x, a, false);
            });
        return tensor::ExtractOp::create(rewriter, loc, r, ValueRange{})
            .getResult();
      };
      Value lo = reduce(/*isMin=*/true), hi = reduce(/*isMin=*/false);
      Value geZero =
          arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge, lo,
                                createIntScalar(rewriter, loc, i64, 0));
      cf::AssertOp::create(rewriter, loc, geZero,
                           "TensorScatter node '" + name +
                               "': write_indices must be >= 0");
      Value fits = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::sle, hi,
          createIntScalar(rewriter, loc, i64, maxSeq - seq));
      cf::AssertOp::create(rewriter, loc, fits,
                           "TensorScatter node '" + name +
                               "': write_indices + " + std::to_string(seq) +
                               " (the update's sequence length) must be "
                               "<= " +
                               std::to_string(maxSeq) +
                               " (max_sequence_length)");
    }

    SmallVector<AffineMap> maps{
        AffineMap::getMultiDimIdentityMap(rank, ctx),
        AffineMap::get(rank, 0, {getAffineDimExpr(0, ctx)}, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value res =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{*type}, ValueRange{past, indices},
            ValueRange{createEmpty(rewriter, loc, *type)}, maps,
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              SmallVector<Value> idx;
              for (int64_t d = 0; d < rank; ++d)
                idx.push_back(linalg::IndexOp::create(b, l, d));
              Value p = arith::IndexCastOp::create(b, l, i64, idx[axis]);
              Value j = arith::SubIOp::create(b, l, p, a[1]);
              Value zero = createIntScalar(b, l, i64, 0);
              if (circular) {
                // Non-negative (p - w) mod M.
                Value m = createIntScalar(b, l, i64, maxSeq);
                Value r = arith::RemSIOp::create(b, l, j, m);
                Value neg = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::slt, r, zero);
                j = arith::SelectOp::create(
                    b, l, neg, arith::AddIOp::create(b, l, r, m), r);
              }
              Value s = createIntScalar(b, l, i64, seq);
              Value inRange = arith::AndIOp::create(
                  b, l,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, j,
                                        zero),
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, s));
              Value last = createIntScalar(b, l, i64, seq - 1);
              Value clamped = arith::MinSIOp::create(
                  b, l, arith::MaxSIOp::create(b, l, j, zero), last);
              idx[axis] =
                  arith::IndexCastOp::create(b, l, b.getIndexType(), clamped);
              Value u = tensor::ExtractOp::create(b, l, update, idx);
              Value v = arith::SelectOp::create(b, l, inRange, u, a[0]);
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
    rewriter.replaceOp(op, res);
    return success();
  }
};

} // namespace

void populateTensorScatterPatterns(TypeConverter &tc,
                                   RewritePatternSet &patterns) {
  patterns.add<TensorScatterLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
