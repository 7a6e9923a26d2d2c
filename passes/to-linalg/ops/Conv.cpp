//===- Conv.cpp - Conv, ConvTranspose -------------------------------------===//
//
// Conv: the input is padded with tensor.pad (explicit pads or auto_pad), the
// bias is broadcast into the init, and the named linalg conv accumulates
// into it: conv_{1d_ncw_fcw,2d_nchw_fchw,3d_ncdhw_fcdhw} for one group,
// depthwise_conv_2d_nchw_chw when every channel is its own group,
// conv_2d_ngchw_gfchw for other 2-D groups, a linalg.generic otherwise.
//
// ConvTranspose: the input is spread with zeros between elements (stride),
// placed into a zero tensor with the border the transposed pads leave, and
// convolved (stride 1, same dilation) with the flipped, transposed kernel.
//
// f16/bf16 convolutions accumulate in f32 and round once at the end (as the
// exact sums ONNX's expected outputs hold).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// The accumulator type of a conv result of `type`: f32 for f16/bf16.
RankedTensorType getAccType(RankedTensorType type) {
  Type elt = type.getElementType();
  if (isa<FloatType>(elt) && elt.getIntOrFloatBitWidth() < 32)
    return type.clone(Float32Type::get(type.getContext()));
  return type;
}

/// `r` (of the accumulator type) rounded to `type`.
Value roundConvResult(OpBuilder &b, Location loc, Value r,
                      RankedTensorType type) {
  if (r.getType() == type)
    return r;
  return createElementwise(
      b, loc, ValueRange{r}, type,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        return arith::TruncFOp::create(nb, nl, type.getElementType(), a[0]);
      });
}

/// Init of a conv result: bias (F) broadcast along dim 1, or zeros.
Value buildConvInit(OpBuilder &b, Location loc, RankedTensorType type,
                    Value bias) {
  if (!bias || isa<NoneType>(bias.getType()))
    return createFilled(b, loc, type,
                        createScalar(b, loc, type.getElementType(), 0.0));
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias},
             ValueRange{createEmpty(b, loc, type)}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = args[0];
               if (v.getType() != type.getElementType())
                 v = arith::ExtFOp::create(nb, nl, type.getElementType(), v);
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

/// Convolution of padded `x` (N, C, spatial...) with `w` (F, C/G, k...) into
/// `init` (N, F, out...), `groups` groups.
Value buildConv(OpBuilder &b, Location loc, Value x, Value w, Value init,
                int64_t groups, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  auto oType = cast<RankedTensorType>(init.getType());
  int64_t nsp = xType.getRank() - 2;
  int64_t c = xType.getDimSize(1), f = wType.getDimSize(0);
  auto stridesAttr = b.getI64TensorAttr(strides);
  auto dilationsAttr = b.getI64TensorAttr(dilations);
  SmallVector<Type> rt{oType};
  if (groups == 1) {
    if (nsp == 1)
      return linalg::Conv1DNcwFcwOp::create(b, loc, rt, ValueRange{x, w},
                                            ValueRange{init}, stridesAttr,
                                            dilationsAttr)
          .getResult(0);
    if (nsp == 2)
      return linalg::Conv2DNchwFchwOp::create(b, loc, rt, ValueRange{x, w},
                                              ValueRange{init}, stridesAttr,
                                              dilationsAttr)
          .getResult(0);
    if (nsp == 3)
      return linalg::Conv3DNcdhwFcdhwOp::create(b, loc, rt, ValueRange{x, w},
                                                ValueRange{init}, stridesAttr,
                                                dilationsAttr)
          .getResult(0);
  }
  if (nsp == 2 && groups == c && f == c) {
    Value w2 =
        reshapeTensor(b, loc, w, {c, wType.getDimSize(2), wType.getDimSize(3)});
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, rt, ValueRange{x, w2}, ValueRange{init}, stridesAttr,
               dilationsAttr)
        .getResult(0);
  }
  // Grouped: expand to (N, G, C/G, ...), (G, F/G, C/G, ...), (N, G, F/G, ...).
  int64_t cg = c / groups, fg = f / groups;
  auto expand = [&](Value v, ArrayRef<int64_t> lead, int64_t from) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> s(lead);
    s.append(t.getShape().begin() + from, t.getShape().end());
    return reshapeTensor(b, loc, v, s);
  };
  int64_t n = xType.getDimSize(0);
  Value xg = expand(x, {n, groups, cg}, 2);
  Value wg = expand(w, {groups, fg, cg}, 2);
  Value ig = expand(init, {n, groups, fg}, 2);
  auto igType = cast<RankedTensorType>(ig.getType());
  Value r;
  if (nsp == 2) {
    r = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{igType},
                                           ValueRange{xg, wg}, ValueRange{ig},
                                           stridesAttr, dilationsAttr)
            .getResult(0);
  } else {
    // dims: n, g, f, o_0..o_{nsp-1}, c, k_0..k_{nsp-1}
    MLIRContext *ctx = b.getContext();
    int64_t nd = 4 + 2 * nsp;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    int64_t cDim = 3 + nsp;
    SmallVector<AffineExpr> xe{d(0), d(1), d(cDim)}, we{d(1), d(2), d(cDim)},
        oe{d(0), d(1), d(2)};
    for (int64_t i = 0; i < nsp; ++i) {
      xe.push_back(d(3 + i) * strides[i] + d(cDim + 1 + i) * dilations[i]);
      we.push_back(d(cDim + 1 + i));
      oe.push_back(d(3 + i));
    }
    SmallVector<AffineMap> maps{AffineMap::get(nd, 0, xe, ctx),
                                AffineMap::get(nd, 0, we, ctx),
                                AffineMap::get(nd, 0, oe, ctx)};
    SmallVector<utils::IteratorType> iters(3 + nsp,
                                           utils::IteratorType::parallel);
    iters.append(1 + nsp, utils::IteratorType::reduction);
    r = linalg::GenericOp::create(
            b, loc, TypeRange{igType}, ValueRange{xg, wg}, ValueRange{ig}, maps,
            iters,
            [](OpBuilder &nb, Location nl, ValueRange a) {
              Type acc = a[2].getType();
              auto ext = [&](Value v) -> Value {
                if (v.getType() == acc)
                  return v;
                return arith::ExtFOp::create(nb, nl, acc, v);
              };
              Value m = createMul(nb, nl, ext(a[0]), ext(a[1]));
              linalg::YieldOp::create(nb, nl, createAdd(nb, nl, a[2], m));
            })
            .getResult(0);
  }
  return reshapeTensor(b, loc, r, oType.getShape());
}

} // namespace

FailureOr<Value> lowerConvolution(ConversionPatternRewriter &rewriter,
                                  Operation *op, Value xIn, Value w, Value bias,
                                  RankedTensorType type,
                                  const ConvAttrs &attrs) {
  Location loc = op->getLoc();
  auto xType = getStaticType(rewriter, op, xIn.getType());
  auto wType = getStaticType(rewriter, op, w.getType());
  if (failed(xType) || failed(wType))
    return failure();
  int64_t rank = xType->getRank();
  if (rank < 3 || wType->getRank() != rank || type.getRank() != rank)
    return rewriter.notifyMatchFailure(op, "needs N-C-spatial operands");
  int64_t nsp = rank - 2;
  int64_t groups = attrs.group;
  int64_t c = xType->getDimSize(1), f = wType->getDimSize(0);
  if (groups <= 0 || c % groups || f % groups ||
      wType->getDimSize(1) * groups != c)
    return rewriter.notifyMatchFailure(op, "inconsistent group/channels");
  SmallVector<int64_t> kernel(wType->getShape().drop_front(2));
  if (attrs.kernelShape && *attrs.kernelShape != ArrayRef<int64_t>(kernel))
    return rewriter.notifyMatchFailure(op, "kernel_shape disagrees with W");
  auto strides = getWindowAttr(attrs.strides, nsp, 1);
  auto dilations = getWindowAttr(attrs.dilations, nsp, 1);
  if (failed(strides) || failed(dilations))
    return rewriter.notifyMatchFailure(op, "bad strides/dilations");
  auto pads = computeWindowPads(attrs.autoPad, xType->getShape().drop_front(2),
                                kernel, *strides, *dilations, attrs.pads,
                                type.getShape().drop_front(2));
  if (failed(pads))
    return rewriter.notifyMatchFailure(op, "bad pads/auto_pad");
  SmallVector<int64_t> lo{0, 0}, hi{0, 0};
  lo.append(pads->begin);
  hi.append(pads->end);
  Type elt = type.getElementType();
  Value x = padTensor(rewriter, loc, xIn, lo, hi,
                      createScalar(rewriter, loc, elt, 0.0));
  // f16/bf16 accumulate in f32 and round once.
  Value init = buildConvInit(rewriter, loc, getAccType(type), bias);
  Value r = buildConv(rewriter, loc, x, w, init, groups, *strides, *dilations);
  return roundConvResult(rewriter, loc, r, type);
}

namespace {

struct ConvLowering : OpConversionPattern<onnx::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getType());
    if (failed(type))
      return failure();
    FailureOr<Value> r =
        lowerConvolution(rewriter, op, adaptor.getX(), adaptor.getW(),
                         adaptor.getB(), *type, getConvAttrs(op));
    if (failed(r))
      return failure();
    rewriter.replaceOp(op, *r);
    return success();
  }
};

struct ConvTransposeLowering : OpConversionPattern<onnx::ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto wType = getStaticType(rewriter, op, adaptor.getW().getType());
    if (failed(type) || failed(xType) || failed(wType))
      return failure();
    int64_t rank = xType->getRank();
    if (rank < 3 || wType->getRank() != rank || type->getRank() != rank)
      return rewriter.notifyMatchFailure(op, "needs N-C-spatial operands");
    int64_t nsp = rank - 2;
    int64_t groups = op.getGroup();
    int64_t c = xType->getDimSize(1);
    int64_t fg = wType->getDimSize(1);
    if (groups <= 0 || c % groups || wType->getDimSize(0) != c ||
        type->getDimSize(1) != fg * groups)
      return rewriter.notifyMatchFailure(op, "inconsistent group/channels");
    int64_t cg = c / groups;
    SmallVector<int64_t> kernel(wType->getShape().drop_front(2));
    auto strides = getWindowAttr(op.getStrides(), nsp, 1);
    auto dilations = getWindowAttr(op.getDilations(), nsp, 1);
    if (failed(strides) || failed(dilations))
      return rewriter.notifyMatchFailure(op, "bad strides/dilations");
    SmallVector<int64_t> inSp(xType->getShape().drop_front(2));
    SmallVector<int64_t> outSp(type->getShape().drop_front(2));
    // Begin pads of the transposed conv (the output is cropped by them).
    SmallVector<int64_t> padBegin(nsp, 0);
    StringRef autoPad = op.getAutoPad();
    auto outPadding = getWindowAttr(op.getOutputPadding(), nsp, 0);
    if (failed(outPadding))
      return rewriter.notifyMatchFailure(op, "bad output_padding");
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t full = (*strides)[i] * (inSp[i] - 1) + (*outPadding)[i] +
                     (kernel[i] - 1) * (*dilations)[i] + 1;
      // An output larger than the full result is zero-extended at the end
      // (as ONNX's reference and ONNX Runtime do): no negative pads.
      int64_t total = std::max<int64_t>(0, full - outSp[i]);
      if (op.getOutputShape() || autoPad == "SAME_UPPER" ||
          autoPad == "SAME_LOWER") {
        padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      } else if (auto p = op.getPads()) {
        if ((int64_t)p->size() != 2 * nsp)
          return rewriter.notifyMatchFailure(op, "bad pads");
        padBegin[i] = (*p)[i];
      }
    }
    Type elt = type->getElementType();
    Value zero = createScalar(rewriter, loc, elt, 0.0);
    // Spread input placed in a zero tensor: out + (k-1)*d per spatial dim,
    // x element i at (k-1)*d - padBegin + i*s.
    SmallVector<int64_t> bigShape{xType->getDimSize(0), c};
    SmallVector<int64_t> offsets{0, 0}, sizes{xType->getDimSize(0), c},
        steps{1, 1}, srcOff{0, 0}, srcSize{xType->getDimSize(0), c}, one{1, 1};
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t s = (*strides)[i], kd = (kernel[i] - 1) * (*dilations)[i];
      int64_t len = outSp[i] + kd;
      int64_t base = kd - padBegin[i];
      int64_t i0 = base < 0 ? (-base + s - 1) / s : 0;
      int64_t i1 =
          len - 1 - base < 0 ? -1 : std::min(inSp[i] - 1, (len - 1 - base) / s);
      if (i1 < i0)
        return rewriter.notifyMatchFailure(op, "output covers no input");
      bigShape.push_back(len);
      offsets.push_back(base + i0 * s);
      sizes.push_back(i1 - i0 + 1);
      steps.push_back(s);
      srcOff.push_back(i0);
      srcSize.push_back(i1 - i0 + 1);
      one.push_back(1);
    }
    Value x = adaptor.getX();
    if (ArrayRef<int64_t>(srcSize) != xType->getShape())
      x = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(srcSize, elt), x, ValueRange{},
          ValueRange{}, ValueRange{}, srcOff, srcSize, one);
    Value big =
        createFilled(rewriter, loc, RankedTensorType::get(bigShape, elt), zero);
    big = tensor::InsertSliceOp::create(rewriter, loc, x, big, ValueRange{},
                                        ValueRange{}, ValueRange{}, offsets,
                                        sizes, steps);
    // Kernel (C, F/G, k...) -> (F, C/G, k...) flipped: iterate the expanded
    // result (G, F/G, C/G, k...) and read W expanded (G, C/G, F/G, K-1-k).
    SmallVector<int64_t> wExpShape{groups, cg, fg};
    wExpShape.append(kernel);
    Value wExp = reshapeTensor(rewriter, loc, adaptor.getW(), wExpShape);
    SmallVector<int64_t> w2Shape{groups, fg, cg};
    w2Shape.append(kernel);
    // The flip reads W at K-1-k; the linalg verifier rejects negative
    // affine coefficients, so the body extracts the element itself.
    int64_t nd = 3 + nsp;
    auto w2Type = RankedTensorType::get(w2Shape, elt);
    Value w2 =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{w2Type}, ValueRange{},
            ValueRange{createEmpty(rewriter, loc, w2Type)},
            SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(nd, ctx)},
            SmallVector<utils::IteratorType>(nd, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange) {
              SmallVector<Value> idx{linalg::IndexOp::create(nb, nl, 0),
                                     linalg::IndexOp::create(nb, nl, 2),
                                     linalg::IndexOp::create(nb, nl, 1)};
              for (int64_t i = 0; i < nsp; ++i) {
                Value k = linalg::IndexOp::create(nb, nl, 3 + i);
                Value last =
                    arith::ConstantIndexOp::create(nb, nl, kernel[i] - 1);
                idx.push_back(arith::SubIOp::create(nb, nl, last, k));
              }
              Value v = tensor::ExtractOp::create(nb, nl, wExp, idx);
              linalg::YieldOp::create(nb, nl, v);
            })
            .getResult(0);
    SmallVector<int64_t> wShape{groups * fg, cg};
    wShape.append(kernel);
    w2 = reshapeTensor(rewriter, loc, w2, wShape);
    Value init =
        buildConvInit(rewriter, loc, getAccType(*type), adaptor.getB());
    SmallVector<int64_t> unit(nsp, 1);
    Value r = buildConv(rewriter, loc, big, w2, init, groups, unit, *dilations);
    rewriter.replaceOp(op, roundConvResult(rewriter, loc, r, *type));
    return success();
  }
};

} // namespace

void populateConvPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<ConvLowering, ConvTransposeLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
