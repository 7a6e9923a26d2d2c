//===- GatherScatter.cpp - Gather*, Scatter*, OneHot ----------------------===//
//
// Gathers are linalg.generic ops over the result reading the data with
// tensor.extract at indices that are wrapped (negative) and clamped. Scatters
// are scf.for nests over the updates carrying the result tensor, combining
// with tensor.extract/tensor.insert (reduction none/add/mul/max/min).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// A generic over `type` with no inputs whose body computes each element.
Value buildGather(OpBuilder &b, Location loc, RankedTensorType type,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body,
                  ValueRange ins = {}, ArrayRef<AffineMap> inMaps = {}) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ins,
             ValueRange{createEmpty(b, loc, type)}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               SmallVector<Value> idx;
               for (int64_t d = 0; d < rank; ++d)
                 idx.push_back(linalg::IndexOp::create(nb, nl, d));
               SmallVector<Value> args(a.drop_back());
               args.append(idx);
               linalg::YieldOp::create(nb, nl, body(nb, nl, args));
             })
      .getResult(0);
}

struct GatherLowering : OpConversionPattern<onnx::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getType());
    auto dType = getStaticType(rewriter, op, adaptor.getData().getType());
    auto iType = getStaticType(rewriter, op, adaptor.getIndices().getType());
    if (failed(type) || failed(dType) || failed(iType))
      return failure();
    int64_t r = dType->getRank(), q = iType->getRank();
    auto axis = normalizeAxis(op.getAxis(), r);
    if (!axis || type->getRank() != r + q - 1)
      return rewriter.notifyMatchFailure(op, "bad axis or result rank");
    if (type->getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, op.getLoc(), *type));
      return success();
    }
    SmallVector<AffineExpr> ie;
    for (int64_t i = 0; i < q; ++i)
      ie.push_back(getAffineDimExpr(*axis + i, ctx));
    Value data = adaptor.getData();
    int64_t dim = dType->getDimSize(*axis);
    Value res = buildGather(
        rewriter, op.getLoc(), *type,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value index = normalizeIndex(b, l, a[0], dim);
          ValueRange out = a.drop_front();
          SmallVector<Value> di(out.begin(), out.begin() + *axis);
          di.push_back(index);
          di.append(out.begin() + *axis + q, out.end());
          return tensor::ExtractOp::create(b, l, data, di).getResult();
        },
        ValueRange{adaptor.getIndices()},
        {AffineMap::get(type->getRank(), 0, ie, ctx)});
    rewriter.replaceOp(op, res);
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<onnx::GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getType());
    auto dType = getStaticType(rewriter, op, adaptor.getData().getType());
    if (failed(type) || failed(dType))
      return failure();
    int64_t r = dType->getRank();
    auto axis = normalizeAxis(op.getAxis(), r);
    if (!axis || type->getRank() != r)
      return rewriter.notifyMatchFailure(op, "bad axis or result rank");
    Value data = adaptor.getData();
    int64_t dim = dType->getDimSize(*axis);
    Value res = buildGather(
        rewriter, op.getLoc(), *type,
        [&](OpBuilder &b, Location l, ValueRange a) {
          SmallVector<Value> di(a.drop_front());
          di[*axis] = normalizeIndex(b, l, a[0], dim);
          return tensor::ExtractOp::create(b, l, data, di).getResult();
        },
        ValueRange{adaptor.getIndices()},
        {AffineMap::getMultiDimIdentityMap(r, rewriter.getContext())});
    rewriter.replaceOp(op, res);
    return success();
  }
};

struct GatherNDLowering : OpConversionPattern<onnx::GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getType());
    auto dType = getStaticType(rewriter, op, adaptor.getData().getType());
    auto iType = getStaticType(rewriter, op, adaptor.getIndices().getType());
    if (failed(type) || failed(dType) || failed(iType))
      return failure();
    int64_t r = dType->getRank(), q = iType->getRank();
    int64_t bd = op.getBatchDims();
    if (q < 1)
      return rewriter.notifyMatchFailure(op, "indices must have rank >= 1");
    int64_t last = iType->getDimSize(q - 1);
    if (bd < 0 || bd >= q || bd + last > r ||
        type->getRank() != q - 1 + r - bd - last)
      return rewriter.notifyMatchFailure(op, "bad batch_dims/index depth");
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    Value res = buildGather(
        rewriter, op.getLoc(), *type,
        [&](OpBuilder &b, Location l, ValueRange out) {
          SmallVector<Value> ii(out.take_front(q - 1));
          SmallVector<Value> di(out.take_front(bd));
          for (int64_t j = 0; j < last; ++j) {
            SmallVector<Value> at(ii);
            at.push_back(arith::ConstantIndexOp::create(b, l, j));
            Value v = tensor::ExtractOp::create(b, l, indices, at);
            di.push_back(normalizeIndex(b, l, v, dType->getDimSize(bd + j)));
          }
          llvm::append_range(di, out.drop_front(q - 1));
          return tensor::ExtractOp::create(b, l, data, di).getResult();
        });
    rewriter.replaceOp(op, res);
    return success();
  }
};

/// Combines the old and the new value of a scatter.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value old,
              Value upd, Type onnxElt) {
  if (reduction == "add")
    return createAdd(b, loc, old, upd);
  if (reduction == "mul")
    return createMul(b, loc, old, upd);
  if (reduction == "max")
    return createMax(b, loc, old, upd, isUnsignedInt(onnxElt));
  if (reduction == "min")
    return createMin(b, loc, old, upd, isUnsignedInt(onnxElt));
  return upd;
}

/// scf.for nest over `shape`, carrying `init`; `body` gets the induction
/// variables and the carried tensor and returns the new tensor.
Value buildLoopNest(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> ivs;
  std::function<Value(OpBuilder &, Location, size_t, Value)> rec =
      [&](OpBuilder &nb, Location nl, size_t d, Value acc) -> Value {
    if (d == shape.size())
      return body(nb, nl, ivs, acc);
    Value lb = arith::ConstantIndexOp::create(nb, nl, 0);
    Value ub = arith::ConstantIndexOp::create(nb, nl, shape[d]);
    Value step = arith::ConstantIndexOp::create(nb, nl, 1);
    auto loop = scf::ForOp::create(
        nb, nl, lb, ub, step, ValueRange{acc},
        [&](OpBuilder &lb2, Location ll, Value iv, ValueRange iter) {
          ivs.push_back(iv);
          Value r = rec(lb2, ll, d + 1, iter[0]);
          ivs.pop_back();
          scf::YieldOp::create(lb2, ll, r);
        });
    return loop.getResult(0);
  };
  return rec(b, loc, 0, init);
}

struct ScatterElementsLowering : OpConversionPattern<onnx::ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto dType = getStaticType(rewriter, op, adaptor.getData().getType());
    auto uType = getStaticType(rewriter, op, adaptor.getUpdates().getType());
    if (failed(dType) || failed(uType))
      return failure();
    int64_t r = dType->getRank();
    auto axis = normalizeAxis(op.getAxis(), r);
    StringRef red = op.getReduction();
    if (!axis || uType->getRank() != r)
      return rewriter.notifyMatchFailure(op, "bad axis or ranks");
    if (red != "none" && red != "add" && red != "mul" && red != "max" &&
        red != "min")
      return rewriter.notifyMatchFailure(op, "unknown reduction");
    Type onnxElt = getElementTypeOrSelf(op.getData().getType());
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t dim = dType->getDimSize(*axis);
    Value res = buildLoopNest(
        rewriter, op.getLoc(), uType->getShape(), adaptor.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) {
          Value idx = tensor::ExtractOp::create(b, l, indices, ivs);
          SmallVector<Value> at(ivs);
          at[*axis] = normalizeIndex(b, l, idx, dim);
          Value upd = tensor::ExtractOp::create(b, l, updates, ivs);
          if (red != "none") {
            Value old = tensor::ExtractOp::create(b, l, acc, at);
            upd = combine(b, l, red, old, upd, onnxElt);
          }
          return tensor::InsertOp::create(b, l, upd, acc, at).getResult();
        });
    rewriter.replaceOp(op, res);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<onnx::ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto dType = getStaticType(rewriter, op, adaptor.getData().getType());
    auto iType = getStaticType(rewriter, op, adaptor.getIndices().getType());
    auto uType = getStaticType(rewriter, op, adaptor.getUpdates().getType());
    if (failed(dType) || failed(iType) || failed(uType))
      return failure();
    int64_t r = dType->getRank(), q = iType->getRank();
    StringRef red = op.getReduction();
    if (q < 1)
      return rewriter.notifyMatchFailure(op, "indices must have rank >= 1");
    int64_t k = iType->getDimSize(q - 1);
    if (k > r || uType->getRank() != q - 1 + r - k)
      return rewriter.notifyMatchFailure(op, "bad index depth");
    if (red != "none" && red != "add" && red != "mul" && red != "max" &&
        red != "min")
      return rewriter.notifyMatchFailure(op, "unknown reduction");
    Type onnxElt = getElementTypeOrSelf(op.getData().getType());
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    Value res = buildLoopNest(
        rewriter, op.getLoc(), uType->getShape(), adaptor.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) {
          SmallVector<Value> at;
          for (int64_t j = 0; j < k; ++j) {
            SmallVector<Value> ii(ivs.take_front(q - 1));
            ii.push_back(arith::ConstantIndexOp::create(b, l, j));
            Value v = tensor::ExtractOp::create(b, l, indices, ii);
            at.push_back(normalizeIndex(b, l, v, dType->getDimSize(j)));
          }
          llvm::append_range(at, ivs.drop_front(q - 1));
          Value upd = tensor::ExtractOp::create(b, l, updates, ivs);
          if (red != "none") {
            Value old = tensor::ExtractOp::create(b, l, acc, at);
            upd = combine(b, l, red, old, upd, onnxElt);
          }
          return tensor::InsertOp::create(b, l, upd, acc, at).getResult();
        });
    rewriter.replaceOp(op, res);
    return success();
  }
};

/// OneHot: out[..., j, ...] = (j == wrap(indices[...])) ? on : off.
struct OneHotLowering : OpConversionPattern<onnx::OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getType());
    auto iType = getStaticType(rewriter, op, adaptor.getIndices().getType());
    if (failed(type) || failed(iType))
      return failure();
    int64_t rank = type->getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    if (!axis || iType->getRank() != rank - 1)
      return rewriter.notifyMatchFailure(op, "bad axis or ranks");
    int64_t depth = type->getDimSize(*axis);
    Type onnxIdx = getElementTypeOrSelf(op.getIndices().getType());
    Value values = adaptor.getValues();
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value off = tensor::ExtractOp::create(rewriter, loc, values, c0);
    Value on = tensor::ExtractOp::create(rewriter, loc, values, c1);
    SmallVector<AffineExpr> ie;
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis)
        ie.push_back(getAffineDimExpr(d, ctx));
    Value res = buildGather(
        rewriter, loc, *type,
        [&](OpBuilder &b, Location l, ValueRange a) {
          // Index as i64 (floats truncate), negative wraps by depth.
          Value i = a[0];
          if (isa<FloatType>(i.getType()))
            i = arith::FPToSIOp::create(b, l, b.getI64Type(), i);
          else
            i = castScalar(b, l, i, onnxIdx, b.getI64Type());
          Value zero = createIntScalar(b, l, b.getI64Type(), 0);
          Value dep = createIntScalar(b, l, b.getI64Type(), depth);
          Value neg =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
          i = arith::SelectOp::create(b, l, neg,
                                      arith::AddIOp::create(b, l, i, dep), i);
          Value j =
              arith::IndexCastOp::create(b, l, b.getI64Type(), a[1 + *axis]);
          Value eq =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, j);
          return arith::SelectOp::create(b, l, eq, on, off).getResult();
        },
        ValueRange{adaptor.getIndices()}, {AffineMap::get(rank, 0, ie, ctx)});
    rewriter.replaceOp(op, res);
    return success();
  }
};

} // namespace

void populateGatherScatterPatterns(TypeConverter &tc,
                                   RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering, OneHotLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
