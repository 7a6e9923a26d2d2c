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
    if (!starts || !ends || starts->size() != ends->size())
      return rewriter.notifyMatchFailure(op, "starts/ends must be constants");
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
/// position `o` along a dim of size `n` with begin pad `lo`.
Value padSourceIndex(OpBuilder &b, Location loc, StringRef mode, Value o,
                     int64_t lo, int64_t n) {
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value p = arith::SubIOp::create(b, loc, o, cst(lo));
  auto posMod = [&](Value v, int64_t m) -> Value {
    Value r = arith::RemSIOp::create(b, loc, v, cst(m));
    Value neg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, cst(0));
    Value adj = arith::AddIOp::create(b, loc, r, cst(m));
    return arith::SelectOp::create(b, loc, neg, adj, r);
  };
  if (mode == "edge") {
    p = arith::MaxSIOp::create(b, loc, p, cst(0));
    return arith::MinSIOp::create(b, loc, p, cst(n - 1));
  }
  if (mode == "wrap")
    return posMod(p, n);
  // reflect
  if (n == 1)
    return cst(0);
  int64_t period = 2 * (n - 1);
  Value m = posMod(p, period);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, m, cst(n));
  Value back = arith::SubIOp::create(b, loc, cst(period), m);
  return arith::SelectOp::create(b, loc, inRange, m, back);
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
    auto pads = onnx::getConstantInts(op.getPads());
    if (!pads)
      return rewriter.notifyMatchFailure(op, "pads must be constant");
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
    Type elt = type->getElementType();
    StringRef mode = op.getMode();
    if (mode == "constant") {
      Value padValue;
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
                idx.push_back(padSourceIndex(nb, nl, mode, o, lo[d],
                                             cType.getDimSize(d)));
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
