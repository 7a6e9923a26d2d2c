//===- Conv.cpp - Conv, ConvTranspose, DeformConv -------------------------===//
//
// Conv: the input is padded with tensor.pad (explicit pads or auto_pad), the
// bias is broadcast into the init, and the named linalg conv accumulates
// into it: conv_{1d_ncw_fcw,2d_nchw_fchw,3d_ncdhw_fcdhw} for one group
// (a 2-D f32 conv of one image as a linalg.matmul on its im2col matrix, or
// on the input itself for a 1x1 kernel with unit strides; pixel-major, on
// the transposed weight, for few pixels and many channels; direct for a
// small stride-1 filter on a big image),
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

#include "mlir/Dialect/Math/IR/Math.h"

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

/// Init of a conv result: bias (F) broadcast along dim `channelDim`, or
/// zeros.
Value buildConvInit(OpBuilder &b, Location loc, RankedTensorType type,
                    Value bias, unsigned channelDim = 1) {
  if (!bias || isa<NoneType>(bias.getType()))
    return createFilled(b, loc, type,
                        createScalar(b, loc, type.getElementType(), 0.0));
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, {getAffineDimExpr(channelDim, ctx)}, ctx),
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

/// The bias that `init` broadcasts along dim 1 (buildConvInit), or null.
Value broadcastBias(Value init) {
  auto bcast = init.getDefiningOp<linalg::GenericOp>();
  if (!bcast || bcast.getNumDpsInputs() != 1 || bcast.getNumDpsInits() != 1)
    return {};
  AffineMap map = bcast.getMatchingIndexingMap(bcast.getDpsInputOperand(0));
  if (map.getNumResults() != 1 ||
      map.getResult(0) != getAffineDimExpr(1, init.getContext()))
    return {};
  return bcast.getDpsInputOperand(0)->get();
}

/// `init` (1, F, OH, OW) as the matmul's [F, OH*OW]. A bias broadcast
/// (buildConvInit) is built again in two dims: the matmul's thread tiles
/// then fuse it (each writes the bias into its own columns, in cache)
/// instead of reading a whole bias-filled tensor that one more loop wrote.
Value matrixInit(OpBuilder &b, Location loc, Value init, int64_t f,
                 int64_t hw) {
  Value bias = broadcastBias(init);
  if (!bias)
    return reshapeTensor(b, loc, init, {f, hw});
  auto type = RankedTensorType::get(
      {f, hw}, cast<RankedTensorType>(init.getType()).getElementType());
  return buildConvInit(b, loc, type, bias, /*channelDim=*/0);
}

/// `init` (1, F, OH, OW) as the pixel-major matmul's [OH*OW, F]: a bias
/// broadcast built again along dim 1, zeros, or a transposed copy.
Value transposedInit(OpBuilder &b, Location loc, Value init, int64_t f,
                     int64_t hw) {
  auto elt = cast<RankedTensorType>(init.getType()).getElementType();
  auto type = RankedTensorType::get({hw, f}, elt);
  if (Value bias = broadcastBias(init))
    return buildConvInit(b, loc, type, bias, /*channelDim=*/1);
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return createFilled(b, loc, type, fill.getInputs()[0]);
  return transposeTensor(b, loc, reshapeTensor(b, loc, init, {f, hw}), {1, 0});
}

/// Largest im2col matrix (bytes) a convolution is lowered through; larger
/// ones (big images) keep the direct convolution.
constexpr int64_t kMaxIm2ColBytes = int64_t(32) << 20;

/// Stride-1 convolutions with a weight of at most kMaxDirectWeightBytes, at
/// least kMinDirectChannels output channels and kMinDirectPixels output
/// pixels stay direct (linalg.conv_2d_nchw_fchw): every thread tile (a band
/// of output rows) reads the whole weight, which then must be small; a
/// 128-channel 3x3 weight (590 KB) on 28x28 was slower direct, a 64-channel
/// one (147 KB) on 56x56 faster, 32 channels on 32x32 slower (a row tile of
/// 2 channels left over).
constexpr int64_t kMaxDirectWeightBytes = int64_t(256) << 10;
constexpr int64_t kMinDirectChannels = 64;
constexpr int64_t kMinDirectPixels = 28 * 28;

/// A conv whose output has at least this many channels per pixel (a deep
/// layer on a small image: 7x7 with 512 channels) runs as the pixel-major
/// matmul of buildConvAsPixelMatmul.
constexpr int64_t kMinChannelsPerPixel = 2;
constexpr int64_t kMaxPixelMajorPixels = 64;

/// The sizes of a 2-D conv of `x` (1, C, H, W) with `w` (F, C, KH, KW) into
/// `init` (1, F, OH, OW), and of its matmul: K = C*KH*KW, HW = OH*OW.
struct ConvSizes {
  int64_t c, f, kh, kw, oh, ow, k, hw;
  static ConvSizes of(Value x, Value w, Value init) {
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto oType = cast<RankedTensorType>(init.getType());
    ConvSizes s{xType.getDimSize(1),
                wType.getDimSize(0),
                wType.getDimSize(2),
                wType.getDimSize(3),
                oType.getDimSize(2),
                oType.getDimSize(3),
                0,
                0};
    s.k = s.c * s.kh * s.kw;
    s.hw = s.oh * s.ow;
    return s;
  }
};

/// A linalg.generic of type `type` that copies `x` read through `in` (the
/// result in loop order): an im2col, a transposing copy.
Value copyGeneric(OpBuilder &b, Location loc, Value x, AffineMap in,
                  RankedTensorType type) {
  unsigned rank = type.getRank();
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x},
             ValueRange{createEmpty(b, loc, type)},
             ArrayRef<AffineMap>{
                 in, AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

/// The im2col generic: cols[<dims of `order`>] = x[0, c, oh * sh + kh * dh,
/// ow * sw + kw * dw], its dims (c, kh, kw, oh, ow) in the given order.
Value buildIm2Col(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> dims,
                  ArrayRef<unsigned> order, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  // d[i]: the loop of dim i of (c, kh, kw, oh, ow).
  SmallVector<AffineExpr> d(5);
  SmallVector<int64_t> shape;
  for (auto [loop, dim] : llvm::enumerate(order)) {
    d[dim] = getAffineDimExpr(loop, ctx);
    shape.push_back(dims[dim]);
  }
  AffineMap in = AffineMap::get(5, 0,
                                {getAffineConstantExpr(0, ctx), d[0],
                                 d[3] * strides[0] + d[1] * dilations[0],
                                 d[4] * strides[1] + d[2] * dilations[1]},
                                ctx);
  return copyGeneric(b, loc, x, in,
                     RankedTensorType::get(shape, b.getF32Type()));
}

/// A 2-D f32 convolution of one image, one group, with few output pixels
/// and many channels, as the matmul X[OH*OW, C*KH*KW] x W^T[C*KH*KW, F]:
/// the weight (transposed at compile time) is the packed right-hand side,
/// the pixels are the rows. Against buildConvAsMatmul's W x X, no columns
/// are left over that the panels do not cover (49 pixels: 3 panels and a
/// scalar column), threads split the weight instead of each reading all of
/// it, and the packed side is the weight (once, at compile time), not the
/// im2col matrix (in every thread tile). The result is transposed back to
/// (F, OH*OW), a copy of the (small) output.
Value buildConvAsPixelMatmul(OpBuilder &b, Location loc, Value x, Value w,
                             Value init, ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations) {
  auto oType = cast<RankedTensorType>(init.getType());
  auto [c, f, kh, kw, oh, ow, k, hw] = ConvSizes::of(x, w, init);
  // rows[oh, ow, c, kh, kw]: the pixels' receptive fields.
  Value rows = reshapeTensor(b, loc,
                             buildIm2Col(b, loc, x, {c, kh, kw, oh, ow},
                                         {3, 4, 0, 1, 2}, strides, dilations),
                             {hw, k});
  Value wT = transposeTensor(b, loc, reshapeTensor(b, loc, w, {f, k}), {1, 0});
  Value initT = transposedInit(b, loc, init, f, hw);
  Value mm = linalg::MatmulOp::create(b, loc, TypeRange{initT.getType()},
                                      ValueRange{rows, wT}, ValueRange{initT})
                 .getResult(0);
  // Back to (F, OH*OW) as a generic copy (not linalg.transpose), so that
  // an elementwise consumer (bias, activation, residual add) fuses it and
  // reads the matmul's result in place.
  AffineExpr d0, d1;
  bindDims(b.getContext(), d0, d1);
  Value out =
      copyGeneric(b, loc, mm, AffineMap::get(2, 0, {d1, d0}, b.getContext()),
                  RankedTensorType::get({f, hw}, oType.getElementType()));
  return reshapeTensor(b, loc, out, oType.getShape());
}

/// A 2-D f32 convolution of one image, one group, as the matmul
/// W[F, C*KH*KW] x X[C*KH*KW, OH*OW] (which gets the packed, cache-blocked
/// matmul kernel). A 1x1 kernel with unit strides reads X as it is;
/// otherwise X is the im2col matrix, a copy of the (padded) input in which
/// row (c, kh, kw) holds the input pixels kernel element (kh, kw) of channel
/// c meets at every output position. Null when the convolution does not
/// qualify.
Value buildConvAsMatmul(OpBuilder &b, Location loc, Value x, Value w,
                        Value init, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations, bool directConvs) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  auto oType = cast<RankedTensorType>(init.getType());
  Type f32 = b.getF32Type();
  if (xType.getDimSize(0) != 1 || xType.getElementType() != f32 ||
      wType.getElementType() != f32 || oType.getElementType() != f32 ||
      !xType.hasStaticShape() || !wType.hasStaticShape() ||
      !oType.hasStaticShape())
    return {};
  auto [c, f, kh, kw, oh, ow, k, hw] = ConvSizes::of(x, w, init);
  bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1;
  if (!pointwise && k * hw * 4 > kMaxIm2ColBytes)
    return {};
  // A small stride-1 filter on a big image: the direct convolution reads
  // the input in place, where im2col would copy it 9 times over and pack
  // the copy (64 -> 64 channels 3x3 on 56x56: ~15% faster).
  if (directConvs && !pointwise && strides[0] == 1 && strides[1] == 1 &&
      hw >= kMinDirectPixels && f >= kMinDirectChannels &&
      wType.getNumElements() * 4 <= kMaxDirectWeightBytes)
    return {};
  if (hw <= kMaxPixelMajorPixels && f >= kMinChannelsPerPixel * hw)
    return buildConvAsPixelMatmul(b, loc, x, w, init, strides, dilations);
  Value cols;
  if (pointwise) {
    cols = reshapeTensor(b, loc, x, {c, hw});
  } else {
    Value col = buildIm2Col(b, loc, x, {c, kh, kw, oh, ow}, {0, 1, 2, 3, 4},
                            strides, dilations);
    cols = reshapeTensor(b, loc, col, {k, hw});
  }
  Value w2 = reshapeTensor(b, loc, w, {f, k});
  Value i2 = matrixInit(b, loc, init, f, hw);
  Value mm = linalg::MatmulOp::create(b, loc, TypeRange{i2.getType()},
                                      ValueRange{w2, cols}, ValueRange{i2})
                 .getResult(0);
  return reshapeTensor(b, loc, mm, oType.getShape());
}

/// Convolution of padded `x` (N, C, spatial...) with `w` (F, C/G, k...) into
/// `init` (N, F, out...), `groups` groups.
Value buildConv(OpBuilder &b, Location loc, Value x, Value w, Value init,
                int64_t groups, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations, bool directConvs) {
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
      if (Value mm = buildConvAsMatmul(b, loc, x, w, init, strides, dilations,
                                       directConvs))
        return mm;
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
                                  RankedTensorType type, const ConvAttrs &attrs,
                                  bool directConvs) {
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
  Value r = buildConv(rewriter, loc, x, w, init, groups, *strides, *dilations,
                      directConvs);
  return roundConvResult(rewriter, loc, r, type);
}

namespace {

struct ConvLowering : OpConversionPattern<onnx::ConvOp> {
  ConvLowering(TypeConverter &tc, MLIRContext *ctx, bool directConvs)
      : OpConversionPattern(tc, ctx), directConvs(directConvs) {}
  bool directConvs;
  LogicalResult
  matchAndRewrite(onnx::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getType());
    if (failed(type))
      return failure();
    FailureOr<Value> r =
        lowerConvolution(rewriter, op, adaptor.getX(), adaptor.getW(),
                         adaptor.getB(), *type, getConvAttrs(op), directConvs);
    if (failed(r))
      return failure();
    rewriter.replaceOp(op, *r);
    return success();
  }
};

struct ConvTransposeLowering : OpConversionPattern<onnx::ConvTransposeOp> {
  ConvTransposeLowering(TypeConverter &tc, MLIRContext *ctx, bool directConvs)
      : OpConversionPattern(tc, ctx), directConvs(directConvs) {}
  bool directConvs;
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
    Value r = buildConv(rewriter, loc, big, w2, init, groups, unit, *dilations,
                        directConvs);
    rewriter.replaceOp(op, roundConvResult(rewriter, loc, r, *type));
    return success();
  }
};

/// DeformConv: Y[n, f, o] = B[f] + sum over the group's input channels c and
/// kernel offsets k of W[f, c, k] * mask[n, g, k, o] * X[n, c](p), where the
/// sampling point p = o * stride - pad_begin + k * dilation + offset[n, g, k,
/// :, o] (g: the offset group of c) is read with (multi)linear interpolation,
/// taps outside X reading 0. One linalg.generic over (n, f, o..., c, k...)
/// with reductions over c and k; interpolation runs in f32 (f64 for f64).
struct DeformConvLowering : OpConversionPattern<onnx::DeformConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::DeformConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto wType = getStaticType(rewriter, op, adaptor.getW().getType());
    auto offType = getStaticType(rewriter, op, adaptor.getOffset().getType());
    if (failed(type) || failed(xType) || failed(wType) || failed(offType))
      return failure();
    bool hasMask = !isa<NoneType>(adaptor.getMask().getType());
    FailureOr<RankedTensorType> maskType;
    if (hasMask && failed(maskType = getStaticType(
                              rewriter, op, adaptor.getMask().getType())))
      return failure();
    int64_t rank = xType->getRank(), r = rank - 2;
    if (r < 1 || wType->getRank() != rank || type->getRank() != rank ||
        offType->getRank() != rank || (hasMask && maskType->getRank() != rank))
      return rewriter.notifyMatchFailure(op, "needs N-C-spatial operands");
    ArrayRef<int64_t> xs = xType->getShape(), ws = wType->getShape(),
                      ys = type->getShape(), os = offType->getShape();
    int64_t groups = op.getGroup(), offGroups = op.getOffsetGroup();
    int64_t c = xs[1], f = ws[0], cg = ws[1];
    if (groups <= 0 || f % groups || cg * groups != c || ys[1] != f ||
        ys[0] != xs[0])
      return rewriter.notifyMatchFailure(op, "inconsistent group/channels");
    if (offGroups <= 0 || c % offGroups)
      return rewriter.notifyMatchFailure(
          op, "channels must be a multiple of offset_group");
    SmallVector<int64_t> kernel(ws.drop_front(2));
    if (auto ks = op.getKernelShape();
        ks && ArrayRef<int64_t>(*ks) != ArrayRef<int64_t>(kernel))
      return rewriter.notifyMatchFailure(op, "kernel_shape disagrees with W");
    int64_t kProd = 1;
    for (int64_t k : kernel)
      kProd *= k;
    if (os[0] != xs[0] || os[1] != offGroups * kProd * r ||
        os.drop_front(2) != ys.drop_front(2))
      return rewriter.notifyMatchFailure(
          op, "offset must be [N, offset_group * prod(kernel) * r, out...]");
    if (hasMask && (maskType->getShape()[0] != xs[0] ||
                    maskType->getShape()[1] != offGroups * kProd ||
                    maskType->getShape().drop_front(2) != ys.drop_front(2)))
      return rewriter.notifyMatchFailure(
          op, "mask must be [N, offset_group * prod(kernel), out...]");
    auto strides = getWindowAttr(op.getStrides(), r, 1);
    auto dilations = getWindowAttr(op.getDilations(), r, 1);
    auto pads = getWindowAttr(op.getPads(), 2 * r, 0);
    if (failed(strides) || failed(dilations) || failed(pads))
      return rewriter.notifyMatchFailure(op, "bad strides/dilations/pads");
    Type elt = type->getElementType();
    if (!isa<FloatType>(elt))
      return rewriter.notifyMatchFailure(op, "needs float data");
    Value init = buildConvInit(rewriter, loc, *type, adaptor.getB());
    if (type->getNumElements() == 0 || c == 0 || kProd == 0) {
      rewriter.replaceOp(op, init);
      return success();
    }

    // Dims: n, f, o_1..o_r, c (in group), k_1..k_r.
    MLIRContext *ctx = rewriter.getContext();
    int64_t nd = 2 + r + 1 + r, cDim = 2 + r;
    SmallVector<AffineExpr> wExprs{getAffineDimExpr(1, ctx),
                                   getAffineDimExpr(cDim, ctx)};
    SmallVector<AffineExpr> yExprs;
    for (int64_t d = 0; d < r; ++d)
      wExprs.push_back(getAffineDimExpr(cDim + 1 + d, ctx));
    for (int64_t d = 0; d < 2 + r; ++d)
      yExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<utils::IteratorType> iters(2 + r,
                                           utils::IteratorType::parallel);
    iters.append(1 + r, utils::IteratorType::reduction);
    Type ct = elt.isF64() ? elt : rewriter.getF32Type();
    Value x = adaptor.getX(), offset = adaptor.getOffset(),
          mask = adaptor.getMask();
    int64_t fPerGroup = f / groups, cPerOffGroup = c / offGroups;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{adaptor.getW()},
        ValueRange{init},
        {AffineMap::get(nd, 0, wExprs, ctx),
         AffineMap::get(nd, 0, yExprs, ctx)},
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          auto idx = [&](int64_t d) -> Value {
            return linalg::IndexOp::create(b, l, d);
          };
          auto ci = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          auto cf = [&](double v) { return createScalar(b, l, ct, v); };
          auto toCt = [&](Value v) {
            return castScalar(b, l, v, v.getType(), ct);
          };
          // Input channel and its offset group.
          Value ch = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(
                  b, l, arith::DivUIOp::create(b, l, idx(1), ci(fPerGroup)),
                  ci(cg)),
              idx(cDim));
          Value g = arith::DivUIOp::create(b, l, ch, ci(cPerOffGroup));
          Value k = ci(0);
          for (int64_t d = 0; d < r; ++d)
            k = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, k, ci(kernel[d])),
                idx(cDim + 1 + d));
          Value gk = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, g, ci(kProd)), k);
          SmallVector<Value> outIdx;
          for (int64_t d = 0; d < r; ++d)
            outIdx.push_back(idx(2 + d));
          // Taps per spatial dim: (position, weight).
          SmallVector<std::array<std::pair<Value, Value>, 2>> taps;
          for (int64_t d = 0; d < r; ++d) {
            Value offCh = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, gk, ci(r)), ci(d));
            SmallVector<Value> oi{idx(0), offCh};
            oi.append(outIdx);
            Value off = toCt(tensor::ExtractOp::create(b, l, offset, oi));
            Value base = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, idx(2 + d), ci((*strides)[d])),
                arith::MulIOp::create(b, l, idx(cDim + 1 + d),
                                      ci((*dilations)[d])));
            Value basef = arith::SIToFPOp::create(
                b, l, ct,
                arith::IndexCastOp::create(b, l, b.getI64Type(), base));
            Value p = arith::AddFOp::create(
                b, l, arith::SubFOp::create(b, l, basef, cf((*pads)[d])), off);
            Value p0 = math::FloorOp::create(b, l, p);
            Value t = arith::SubFOp::create(b, l, p, p0);
            taps.push_back({{{p0, arith::SubFOp::create(b, l, cf(1.0), t)},
                             {arith::AddFOp::create(b, l, p0, cf(1.0)), t}}});
          }
          Value sum = cf(0.0);
          for (int64_t combo = 0; combo < (int64_t(1) << r); ++combo) {
            SmallVector<Value> xi{idx(0), ch};
            Value w, valid;
            for (int64_t d = 0; d < r; ++d) {
              auto [pos, tw] = taps[d][(combo >> (r - 1 - d)) & 1];
              double hi = (double)(xs[2 + d] - 1);
              Value ok = arith::AndIOp::create(
                  b, l,
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, pos,
                                        cf(0.0)),
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, pos,
                                        cf(hi)));
              valid = valid ? arith::AndIOp::create(b, l, valid, ok) : ok;
              Value cl = arith::MinNumFOp::create(
                  b, l, arith::MaxNumFOp::create(b, l, pos, cf(0.0)), cf(hi));
              Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), cl);
              xi.push_back(
                  arith::IndexCastOp::create(b, l, b.getIndexType(), i));
              w = w ? arith::MulFOp::create(b, l, w, tw).getResult() : tw;
            }
            Value v = toCt(tensor::ExtractOp::create(b, l, x, xi));
            v = arith::SelectOp::create(b, l, valid, v, cf(0.0));
            sum = arith::AddFOp::create(b, l, sum,
                                        arith::MulFOp::create(b, l, w, v));
          }
          Value prod = arith::MulFOp::create(b, l, sum, toCt(args[0]));
          if (hasMask) {
            SmallVector<Value> mi{idx(0), gk};
            mi.append(outIdx);
            prod = arith::MulFOp::create(
                b, l, prod, toCt(tensor::ExtractOp::create(b, l, mask, mi)));
          }
          Value acc = arith::AddFOp::create(b, l, toCt(args[1]), prod);
          linalg::YieldOp::create(b, l, castScalar(b, l, acc, ct, elt));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateConvPatterns(TypeConverter &tc, RewritePatternSet &patterns,
                          bool directConvs) {
  patterns.add<ConvLowering, ConvTransposeLowering>(tc, patterns.getContext(),
                                                    directConvs);
  patterns.add<DeformConvLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
