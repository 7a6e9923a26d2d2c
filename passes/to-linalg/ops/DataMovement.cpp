//===- DataMovement.cpp - reshapes, transposes, slices, pads, tiles -------===//
//
// Shape-only ops become tensor.collapse_shape/expand_shape, Transpose a
// linalg.transpose, Concat tensor.insert_slice into a tensor.empty, Split and
// positive-step Slice tensor.extract_slice, negative-step Slice a
// linalg.generic with a reversed affine index, Pad tensor.pad (constant) or
// a generic gathering with tensor.extract (reflect/edge/wrap), Expand a
// broadcasting generic, Tile a broadcast + collapse. Shape and Size fold
// to constants of the static types.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Reshape, Flatten, Squeeze, Unsqueeze: only the static result shape
/// matters.
template <typename OpTy>
struct ReshapeLikeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op->getResult(0).getType());
    Value x = adaptor.getOperands()[0];
    auto xType = getStaticType(rewriter, op, x.getType());
    if (failed(type) || failed(xType))
      return failure();
    if (xType->getNumElements() != type->getNumElements())
      return rewriter.notifyMatchFailure(op, "element counts differ");
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, op.getLoc(), x, type->getShape()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<onnx::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto xType = getStaticType(rewriter, op, adaptor.getData().getType());
    if (failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    SmallVector<int64_t> perm;
    if (auto p = op.getPerm())
      perm.assign(p->begin(), p->end());
    else
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    SmallVector<int64_t> sorted(perm);
    llvm::sort(sorted);
    for (int64_t i = 0; i < (int64_t)sorted.size(); ++i)
      if (sorted[i] != i || (int64_t)sorted.size() != rank)
        return rewriter.notifyMatchFailure(op, "perm is not a permutation");
    rewriter.replaceOp(
        op, transposeTensor(rewriter, op.getLoc(), adaptor.getData(), perm));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<onnx::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value result = createEmpty(rewriter, loc, *type);
    int64_t offset = 0;
    for (Value in : adaptor.getInputs()) {
      auto t = getStaticType(rewriter, op, in.getType());
      if (failed(t))
        return failure();
      if (t->getNumElements() == 0)
        continue;
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[*axis] = offset;
      offset += t->getDimSize(*axis);
      if (offset > type->getDimSize(*axis))
        return rewriter.notifyMatchFailure(op, "inputs exceed the result");
      result = tensor::InsertSliceOp::create(
          rewriter, loc, in, result, ValueRange{}, ValueRange{}, ValueRange{},
          offsets, t->getShape(), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitLowering : OpConversionPattern<onnx::SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto xType = getStaticType(rewriter, op, adaptor.getInput().getType());
    if (failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value r : op.getOutputs()) {
      auto t = getStaticType(rewriter, op, r.getType());
      if (failed(t))
        return failure();
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[*axis] = offset;
      offset += t->getDimSize(*axis);
      if (offset > xType->getDimSize(*axis))
        return rewriter.notifyMatchFailure(op, "outputs exceed the input");
      if (t->getNumElements() == 0) {
        results.push_back(createEmpty(rewriter, loc, *t));
        continue;
      }
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, *t, adaptor.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, offsets, t->getShape(), strides));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Slice whose starts/axes/steps are run-time inputs (the result shape is
/// static): per dim an offset and a step computed from the inputs before the
/// loop, then a gather out[i] = x[off + i * step] (indices clamped in range).
/// The ends are not needed: the static result shape gives the sizes.
LogicalResult lowerRuntimeSlice(onnx::SliceOp op,
                                onnx::SliceOp::Adaptor adaptor,
                                RankedTensorType xType, RankedTensorType type,
                                ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  int64_t rank = xType.getRank();
  auto vecLen = [](Value v) -> int64_t {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.getRank() == 1 && t.hasStaticShape() ? t.getDimSize(0) : -1;
  };
  int64_t k = vecLen(adaptor.getStarts());
  if (k < 0 || k > rank ||
      (!onnx::isNone(op.getAxes()) && vecLen(adaptor.getAxes()) != k) ||
      (!onnx::isNone(op.getSteps()) && vecLen(adaptor.getSteps()) != k))
    return rewriter.notifyMatchFailure(op, "starts/axes/steps must be 1-D "
                                           "tensors of one static length");
  Type i64 = rewriter.getI64Type();
  auto c64 = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(rewriter, loc,
                                     rewriter.getI64IntegerAttr(v));
  };
  auto elem = [&](Value t, int64_t i) -> Value {
    Value idx = arith::ConstantIndexOp::create(rewriter, loc, i);
    Value e = tensor::ExtractOp::create(rewriter, loc, t, idx);
    if (e.getType() != i64)
      e = arith::ExtSIOp::create(rewriter, loc, i64, e);
    return e;
  };
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value a, Value b) -> Value {
    return arith::CmpIOp::create(rewriter, loc, p, a, b);
  };
  auto sel = [&](Value c, Value a, Value b) -> Value {
    return arith::SelectOp::create(rewriter, loc, c, a, b);
  };
  SmallVector<Value> offs(rank, c64(0)), steps(rank, c64(1));
  for (int64_t i = 0; i < k; ++i) {
    Value axis =
        onnx::isNone(op.getAxes()) ? c64(i) : elem(adaptor.getAxes(), i);
    axis = sel(cmp(P::slt, axis, c64(0)),
               arith::AddIOp::create(rewriter, loc, axis, c64(rank)), axis);
    Value step =
        onnx::isNone(op.getSteps()) ? c64(1) : elem(adaptor.getSteps(), i);
    Value start = elem(adaptor.getStarts(), i);
    Value stepPos = cmp(P::sgt, step, c64(0));
    for (int64_t d = 0; d < rank; ++d) {
      int64_t dim = xType.getDimSize(d);
      Value s =
          sel(cmp(P::slt, start, c64(0)),
              arith::AddIOp::create(rewriter, loc, start, c64(dim)), start);
      s = arith::MaxSIOp::create(rewriter, loc, s, c64(0));
      s = arith::MinSIOp::create(rewriter, loc, s,
                                 sel(stepPos, c64(dim), c64(dim - 1)));
      Value here = cmp(P::eq, axis, c64(d));
      offs[d] = sel(here, s, offs[d]);
      steps[d] = sel(here, step, steps[d]);
    }
  }
  for (int64_t d = 0; d < rank; ++d) {
    offs[d] = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                         offs[d]);
    steps[d] = arith::IndexCastOp::create(rewriter, loc,
                                          rewriter.getIndexType(), steps[d]);
  }
  Value x = adaptor.getData();
  Value r =
      linalg::GenericOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{},
          ValueRange{createEmpty(rewriter, loc, type)},
          SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange) {
            SmallVector<Value> idx;
            for (int64_t d = 0; d < rank; ++d) {
              Value i = linalg::IndexOp::create(b, l, d);
              i = arith::AddIOp::create(
                  b, l, offs[d], arith::MulIOp::create(b, l, i, steps[d]));
              i = arith::MaxSIOp::create(
                  b, l, i, arith::ConstantIndexOp::create(b, l, 0));
              i = arith::MinSIOp::create(b, l, i,
                                         arith::ConstantIndexOp::create(
                                             b, l, xType.getDimSize(d) - 1));
              idx.push_back(i);
            }
            linalg::YieldOp::create(
                b, l, tensor::ExtractOp::create(b, l, x, idx).getResult());
          })
          .getResult(0);
  rewriter.replaceOp(op, r);
  return success();
}

struct SliceLowering : OpConversionPattern<onnx::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getData().getType());
    if (failed(type) || failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    auto starts = onnx::getConstantInts(op.getStarts());
    auto ends = onnx::getConstantInts(op.getEnds());
    bool constAxes = onnx::isNone(op.getAxes()) ||
                     onnx::getConstantInts(op.getAxes()).has_value();
    bool constSteps = onnx::isNone(op.getSteps()) ||
                      onnx::getConstantInts(op.getSteps()).has_value();
    if (!starts || !ends || !constAxes || !constSteps)
      return lowerRuntimeSlice(op, adaptor, *xType, *type, rewriter);
    if (starts->size() != ends->size())
      return rewriter.notifyMatchFailure(op, "starts/ends sizes differ");
    SmallVector<int64_t> axes, steps(starts->size(), 1);
    if (!onnx::isNone(op.getAxes())) {
      auto a = onnx::getConstantInts(op.getAxes());
      if (!a)
        return rewriter.notifyMatchFailure(op, "axes must be constant");
      axes = *a;
    } else {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (!onnx::isNone(op.getSteps())) {
      auto s = onnx::getConstantInts(op.getSteps());
      if (!s)
        return rewriter.notifyMatchFailure(op, "steps must be constant");
      steps = *s;
    }
    if (axes.size() != starts->size() || steps.size() != starts->size())
      return rewriter.notifyMatchFailure(op, "starts/axes/steps sizes differ");
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    bool negative = false;
    for (size_t i = 0; i < axes.size(); ++i) {
      auto ax = normalizeAxis(axes[i], rank);
      if (!ax || steps[i] == 0)
        return rewriter.notifyMatchFailure(op, "bad axis or zero step");
      int64_t dim = xType->getDimSize(*ax);
      int64_t s = (*starts)[i];
      if (s < 0)
        s += dim;
      s = steps[i] > 0 ? std::clamp<int64_t>(s, 0, dim)
                       : std::clamp<int64_t>(s, 0, dim - 1);
      offsets[*ax] = s;
      strides[*ax] = steps[i];
      negative |= steps[i] < 0;
    }
    if (type->getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, *type));
      return success();
    }
    for (int64_t d = 0; d < rank; ++d) {
      int64_t last = offsets[d] + (type->getDimSize(d) - 1) * strides[d];
      if (last < 0 || last >= xType->getDimSize(d))
        return rewriter.notifyMatchFailure(op, "result shape out of bounds");
    }
    if (!negative) {
      rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                                 rewriter, loc, *type, adaptor.getData(),
                                 ValueRange{}, ValueRange{}, ValueRange{},
                                 offsets, type->getShape(), strides));
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx) * strides[d] + offsets[d]);
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, exprs, ctx),
                                AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{*type}, ValueRange{adaptor.getData()},
            ValueRange{createEmpty(rewriter, loc, *type)}, maps,
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl, a[0]);
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Index arithmetic of the non-constant Pad modes: source index of padded
/// position `o` along a dim of size `n` with begin pad `lo` (index values).
Value padSourceIndex(OpBuilder &b, Location loc, StringRef mode, Value o,
                     Value lo, Value n) {
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value p = arith::SubIOp::create(b, loc, o, lo);
  auto posMod = [&](Value v, Value m) -> Value {
    Value r = arith::RemSIOp::create(b, loc, v, m);
    Value neg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, cst(0));
    Value adj = arith::AddIOp::create(b, loc, r, m);
    return arith::SelectOp::create(b, loc, neg, adj, r);
  };
  Value last = arith::SubIOp::create(b, loc, n, cst(1));
  if (mode == "edge") {
    p = arith::MaxSIOp::create(b, loc, p, cst(0));
    return arith::MinSIOp::create(b, loc, p, last);
  }
  if (mode == "wrap")
    return posMod(p, n);
  // reflect: period 2 * (n - 1), or 1 when n == 1 (always index 0).
  Value period = arith::MaxSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, last, last), cst(1));
  Value m = posMod(p, period);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, m, n);
  Value back = arith::SubIOp::create(b, loc, period, m);
  return arith::SelectOp::create(b, loc, inRange, m, back);
}

/// Pad whose pads (or axes) are run-time inputs; the static shapes give
/// lo + hi per dim, lo is read before the loop. One gather: constant mode
/// selects the pad value outside the source, the other modes crop the
/// negative pads and map the position with padSourceIndex.
LogicalResult lowerRuntimePad(onnx::PadOp op, onnx::PadOp::Adaptor adaptor,
                              RankedTensorType xType, RankedTensorType type,
                              Value padValue,
                              ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  int64_t rank = xType.getRank();
  auto vecLen = [](Value v) -> int64_t {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.getRank() == 1 && t.hasStaticShape() ? t.getDimSize(0) : -1;
  };
  int64_t na = onnx::isNone(op.getAxes()) ? rank : vecLen(adaptor.getAxes());
  if (na < 0 || vecLen(adaptor.getPads()) != 2 * na)
    return rewriter.notifyMatchFailure(op, "pads must hold 2 * axes values");
  Type i64 = rewriter.getI64Type();
  auto c64 = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(rewriter, loc,
                                     rewriter.getI64IntegerAttr(v));
  };
  auto elem = [&](Value t, int64_t i) -> Value {
    Value idx = arith::ConstantIndexOp::create(rewriter, loc, i);
    Value e = tensor::ExtractOp::create(rewriter, loc, t, idx);
    if (e.getType() != i64)
      e = arith::ExtSIOp::create(rewriter, loc, i64, e);
    return e;
  };
  using P = arith::CmpIPredicate;
  SmallVector<Value> lo(rank, c64(0));
  for (int64_t i = 0; i < na; ++i) {
    Value axis =
        onnx::isNone(op.getAxes()) ? c64(i) : elem(adaptor.getAxes(), i);
    Value neg = arith::CmpIOp::create(rewriter, loc, P::slt, axis, c64(0));
    axis = arith::SelectOp::create(
        rewriter, loc, neg,
        arith::AddIOp::create(rewriter, loc, axis, c64(rank)), axis);
    Value pad = elem(adaptor.getPads(), i);
    for (int64_t d = 0; d < rank; ++d) {
      Value here = arith::CmpIOp::create(rewriter, loc, P::eq, axis, c64(d));
      lo[d] = arith::SelectOp::create(rewriter, loc, here, pad, lo[d]);
    }
  }
  StringRef mode = op.getMode();
  bool constant = mode == "constant";
  if (!constant && mode != "reflect" && mode != "edge" && mode != "wrap")
    return rewriter.notifyMatchFailure(op, "unknown pad mode");
  // Per dim: begin pad (>= 0), first source index and source length after
  // the negative pads' crop.
  SmallVector<Value> padLo(rank), srcOff(rank), srcLen(rank);
  Type idxT = rewriter.getIndexType();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t in = xType.getDimSize(d);
    Value hi = arith::SubIOp::create(rewriter, loc,
                                     c64(type.getDimSize(d) - in), lo[d]);
    Value cropLo = arith::MaxSIOp::create(
        rewriter, loc, arith::SubIOp::create(rewriter, loc, c64(0), lo[d]),
        c64(0));
    Value cropHi = arith::MaxSIOp::create(
        rewriter, loc, arith::SubIOp::create(rewriter, loc, c64(0), hi),
        c64(0));
    Value len = arith::SubIOp::create(
        rewriter, loc, arith::SubIOp::create(rewriter, loc, c64(in), cropLo),
        cropHi);
    padLo[d] = arith::IndexCastOp::create(
        rewriter, loc, idxT,
        arith::MaxSIOp::create(rewriter, loc, lo[d], c64(0)));
    srcOff[d] = arith::IndexCastOp::create(rewriter, loc, idxT, cropLo);
    srcLen[d] = arith::IndexCastOp::create(
        rewriter, loc, idxT,
        arith::MaxSIOp::create(rewriter, loc, len, c64(1)));
  }
  Value x = adaptor.getData();
  Value r =
      linalg::GenericOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{},
          ValueRange{createEmpty(rewriter, loc, type)},
          SmallVector<AffineMap>{
              AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext())},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange) {
            auto cst = [&](int64_t v) {
              return arith::ConstantIndexOp::create(b, l, v).getResult();
            };
            SmallVector<Value> idx;
            Value inside;
            for (int64_t d = 0; d < rank; ++d) {
              Value o = linalg::IndexOp::create(b, l, d);
              Value i;
              if (constant) {
                i = arith::SubIOp::create(b, l, o, padLo[d]);
                Value ok = arith::AndIOp::create(
                    b, l, arith::CmpIOp::create(b, l, P::sge, i, cst(0)),
                    arith::CmpIOp::create(b, l, P::slt, i, srcLen[d]));
                inside = inside ? arith::AndIOp::create(b, l, inside, ok) : ok;
                i = arith::MinSIOp::create(
                    b, l, arith::MaxSIOp::create(b, l, i, cst(0)),
                    arith::SubIOp::create(b, l, srcLen[d], cst(1)));
              } else {
                i = padSourceIndex(b, l, mode, o, padLo[d], srcLen[d]);
              }
              idx.push_back(arith::AddIOp::create(b, l, i, srcOff[d]));
            }
            Value v = tensor::ExtractOp::create(b, l, x, idx);
            if (inside)
              v = arith::SelectOp::create(b, l, inside, v, padValue);
            linalg::YieldOp::create(b, l, v);
          })
          .getResult(0);
  rewriter.replaceOp(op, r);
  return success();
}

struct PadLowering : OpConversionPattern<onnx::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getData().getType());
    if (failed(type) || failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    Type elt = type->getElementType();
    StringRef mode = op.getMode();
    Value padValue;
    if (mode == "constant") {
      Value cv = adaptor.getConstantValue();
      if (!isa<NoneType>(cv.getType())) {
        auto ct = dyn_cast<RankedTensorType>(cv.getType());
        if (!ct || ct.getNumElements() != 1)
          return rewriter.notifyMatchFailure(op, "constant_value not scalar");
        SmallVector<Value> idx(
            ct.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
        padValue = tensor::ExtractOp::create(rewriter, loc, cv, idx);
      } else if (auto v = op.getValue()) {
        padValue = createScalar(rewriter, loc, elt, v->convertToDouble());
      } else {
        padValue = createScalar(rewriter, loc, elt, 0.0);
      }
    }
    auto pads = onnx::getConstantInts(op.getPads());
    if (!pads ||
        (!onnx::isNone(op.getAxes()) && !onnx::getConstantInts(op.getAxes())))
      return lowerRuntimePad(op, adaptor, *xType, *type, padValue, rewriter);
    SmallVector<int64_t> axes;
    if (!onnx::isNone(op.getAxes())) {
      auto a = onnx::getConstantInts(op.getAxes());
      if (!a)
        return rewriter.notifyMatchFailure(op, "axes must be constant");
      for (int64_t ax : *a) {
        auto n = normalizeAxis(ax, rank);
        if (!n)
          return rewriter.notifyMatchFailure(op, "axis out of range");
        axes.push_back(*n);
      }
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    int64_t na = axes.size();
    if ((int64_t)pads->size() != 2 * na)
      return rewriter.notifyMatchFailure(op, "pads size mismatch");
    SmallVector<int64_t> lo(rank, 0), hi(rank, 0);
    for (int64_t i = 0; i < na; ++i) {
      lo[axes[i]] = (*pads)[i];
      hi[axes[i]] = (*pads)[na + i];
    }
    for (int64_t d = 0; d < rank; ++d)
      if (xType->getDimSize(d) + lo[d] + hi[d] != type->getDimSize(d))
        return rewriter.notifyMatchFailure(op, "pads disagree with result");
    if (mode == "constant") {
      rewriter.replaceOp(
          op, padTensor(rewriter, loc, adaptor.getData(), lo, hi, padValue));
      return success();
    }
    if (mode != "reflect" && mode != "edge" && mode != "wrap")
      return rewriter.notifyMatchFailure(op, "unknown pad mode");
    // Crop the negative pads first, then gather.
    SmallVector<int64_t> cropLo(rank), cropHi(rank);
    for (int64_t d = 0; d < rank; ++d) {
      cropLo[d] = std::min<int64_t>(lo[d], 0);
      cropHi[d] = std::min<int64_t>(hi[d], 0);
      lo[d] = std::max<int64_t>(lo[d], 0);
    }
    Value x =
        padTensor(rewriter, loc, adaptor.getData(), cropLo, cropHi, Value());
    auto cType = cast<RankedTensorType>(x.getType());
    if (cType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "nothing to pad from");
    Value init = createEmpty(rewriter, loc, *type);
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{*type}, ValueRange{}, ValueRange{init},
            SmallVector<AffineMap>{
                AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext())},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange) {
              SmallVector<Value> idx;
              for (int64_t d = 0; d < rank; ++d) {
                Value o = linalg::IndexOp::create(nb, nl, d);
                idx.push_back(padSourceIndex(
                    nb, nl, mode, o,
                    arith::ConstantIndexOp::create(nb, nl, lo[d]),
                    arith::ConstantIndexOp::create(nb, nl,
                                                   cType.getDimSize(d))));
              }
              Value v = tensor::ExtractOp::create(nb, nl, x, idx);
              linalg::YieldOp::create(nb, nl, v);
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<onnx::ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getInput().getType());
    if (failed(type) || failed(xType))
      return failure();
    if (xType->getRank() > type->getRank())
      return rewriter.notifyMatchFailure(op, "input rank above result rank");
    rewriter.replaceOp(
        op, broadcastTensor(rewriter, op.getLoc(), adaptor.getInput(), *type));
    return success();
  }
};

/// Tile: x (d0, d1, ...) broadcast to (r0, d0, r1, d1, ...) and collapsed.
struct TileLowering : OpConversionPattern<onnx::TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getInput().getType());
    if (failed(type) || failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    SmallVector<int64_t> big;
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t n = xType->getDimSize(d);
      if (n == 0 || type->getDimSize(d) % n)
        return rewriter.notifyMatchFailure(op, "repeats disagree with result");
      big.push_back(type->getDimSize(d) / n);
      big.push_back(n);
      exprs.push_back(getAffineDimExpr(2 * d + 1, ctx));
    }
    auto bigType = RankedTensorType::get(big, type->getElementType());
    SmallVector<AffineMap> maps{
        AffineMap::get(2 * rank, 0, exprs, ctx),
        AffineMap::getMultiDimIdentityMap(2 * rank, ctx)};
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{bigType}, ValueRange{adaptor.getInput()},
            ValueRange{createEmpty(rewriter, loc, bigType)}, maps,
            SmallVector<utils::IteratorType>(2 * rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl, a[0]);
            })
            .getResult(0);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, r, type->getShape()));
    return success();
  }
};

/// Replaces `op` by an arith.constant of the static result type.
LogicalResult replaceByInts(ConversionPatternRewriter &rewriter, Operation *op,
                            ArrayRef<int64_t> values) {
  auto type = getStaticType(rewriter, op, op->getResult(0).getType());
  if (failed(type))
    return failure();
  if (type->getNumElements() != (int64_t)values.size())
    return rewriter.notifyMatchFailure(op, "result size mismatch");
  rewriter.replaceOpWithNewOp<arith::ConstantOp>(
      op, *type, DenseElementsAttr::get(*type, values));
  return success();
}

struct ShapeLowering : OpConversionPattern<onnx::ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto xType = getStaticType(rewriter, op, adaptor.getData().getType());
    if (failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    int64_t start = op.getStart(), end = op.getEnd().value_or(rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    return replaceByInts(rewriter, op,
                         xType->getShape().slice(start, end - start));
  }
};

struct SizeLowering : OpConversionPattern<onnx::SizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::SizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto xType = getStaticType(rewriter, op, adaptor.getData().getType());
    if (failed(xType))
      return failure();
    return replaceByInts(rewriter, op, {xType->getNumElements()});
  }
};

/// DepthToSpace / SpaceToDepth: reshape, transpose, reshape.
template <typename OpTy, bool toSpace>
struct BlockRearrangeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getInput().getType());
    if (failed(type) || failed(xType) || xType->getRank() != 4)
      return rewriter.notifyMatchFailure(op, "needs static 4-D tensors");
    int64_t bs = op.getBlocksize();
    int64_t n = xType->getDimSize(0), c = xType->getDimSize(1),
            h = xType->getDimSize(2), w = xType->getDimSize(3);
    if (bs <= 0)
      return rewriter.notifyMatchFailure(op, "bad blocksize");
    bool crd = op.getMode() == "CRD";
    Value x = adaptor.getInput();
    Value r;
    if (toSpace) {
      if (c % (bs * bs))
        return rewriter.notifyMatchFailure(op, "channels not divisible");
      int64_t c2 = c / (bs * bs);
      if (crd) {
        x = reshapeTensor(rewriter, loc, x, {n, c2, bs, bs, h, w});
        r = transposeTensor(rewriter, loc, x, {0, 1, 4, 2, 5, 3});
      } else {
        x = reshapeTensor(rewriter, loc, x, {n, bs, bs, c2, h, w});
        r = transposeTensor(rewriter, loc, x, {0, 3, 4, 1, 5, 2});
      }
    } else {
      if (h % bs || w % bs)
        return rewriter.notifyMatchFailure(op, "spatial not divisible");
      // SpaceToDepth: DCR puts the block offsets before the channel, CRD
      // (opset 25) after it.
      x = reshapeTensor(rewriter, loc, x, {n, c, h / bs, bs, w / bs, bs});
      if (crd)
        r = transposeTensor(rewriter, loc, x, {0, 1, 3, 5, 2, 4});
      else
        r = transposeTensor(rewriter, loc, x, {0, 3, 5, 1, 2, 4});
    }
    if (cast<RankedTensorType>(r.getType()).getNumElements() !=
        type->getNumElements())
      return rewriter.notifyMatchFailure(op, "result shape mismatch");
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, r, type->getShape()));
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(TypeConverter &tc,
                                  RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReshapeLikeLowering<onnx::ReshapeOp>,
               ReshapeLikeLowering<onnx::FlattenOp>,
               ReshapeLikeLowering<onnx::SqueezeOp>,
               ReshapeLikeLowering<onnx::UnsqueezeOp>, TransposeLowering,
               ConcatLowering, SplitLowering, SliceLowering, PadLowering,
               ExpandLowering, TileLowering, ShapeLowering, SizeLowering,
               BlockRearrangeLowering<onnx::DepthToSpaceOp, true>,
               BlockRearrangeLowering<onnx::SpaceToDepthOp, false>>(tc, ctx);
}

} // namespace kiln::tolinalg
