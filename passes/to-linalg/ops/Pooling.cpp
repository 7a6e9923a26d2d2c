//===- Pooling.cpp - MaxPool, AveragePool, LpPool, Global*Pool ------------===//
//
// The input is padded (-inf for max, 0 otherwise; the end pads grow for
// ceil_mode) and reduced by linalg.pooling_nchw_{max,sum} in 2-D or
// pooling_ncw_{max,sum} in 1-D, a linalg.generic with the same indexing
// otherwise. AveragePool divides by a compile-time divisor: the window size,
// or a constant tensor of per-position counts when pads make them differ.
// Global pools are generics reducing the spatial dims. MaxPool's Indices
// output and MaxUnpool: see buildMaxPoolWithIndices and MaxUnpoolLowering.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class PoolKind { Max, Sum };

/// Window reduction of padded `x` (N, C, spatial...) into `init`; `pre`
/// (optional) maps each input element before the sum (LpPool).
Value buildPool(OpBuilder &b, Location loc, PoolKind kind, Value x, Value init,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations, Type onnxElt,
                function_ref<Value(OpBuilder &, Location, Value)> pre = {}) {
  auto oType = cast<RankedTensorType>(init.getType());
  Type elt = oType.getElementType();
  int64_t nsp = kernel.size();
  Value window = createEmpty(b, loc, RankedTensorType::get(kernel, elt));
  auto stridesAttr = b.getI64TensorAttr(strides);
  auto dilationsAttr = b.getI64TensorAttr(dilations);
  SmallVector<Type> rt{oType};
  SmallVector<Value> ins{x, window};
  bool floatMax = isa<FloatType>(elt);
  if (!pre && (kind == PoolKind::Sum || floatMax)) {
    if (nsp == 2)
      return kind == PoolKind::Max
                 ? linalg::PoolingNchwMaxOp::create(b, loc, rt, ins,
                                                    ValueRange{init},
                                                    stridesAttr, dilationsAttr)
                       .getResult(0)
                 : linalg::PoolingNchwSumOp::create(b, loc, rt, ins,
                                                    ValueRange{init},
                                                    stridesAttr, dilationsAttr)
                       .getResult(0);
    if (nsp == 1)
      return kind == PoolKind::Max
                 ? linalg::PoolingNcwMaxOp::create(b, loc, rt, ins,
                                                   ValueRange{init},
                                                   stridesAttr, dilationsAttr)
                       .getResult(0)
                 : linalg::PoolingNcwSumOp::create(b, loc, rt, ins,
                                                   ValueRange{init},
                                                   stridesAttr, dilationsAttr)
                       .getResult(0);
  }
  // dims: n, c, o..., k...
  MLIRContext *ctx = b.getContext();
  int64_t nd = 2 + 2 * nsp;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe{d(0), d(1)}, we, oe{d(0), d(1)};
  for (int64_t i = 0; i < nsp; ++i) {
    xe.push_back(d(2 + i) * strides[i] + d(2 + nsp + i) * dilations[i]);
    we.push_back(d(2 + nsp + i));
    oe.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(nd, 0, xe, ctx),
                              AffineMap::get(nd, 0, we, ctx),
                              AffineMap::get(nd, 0, oe, ctx)};
  SmallVector<utils::IteratorType> iters(2 + nsp,
                                         utils::IteratorType::parallel);
  iters.append(nsp, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, rt, ins, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value v = pre ? pre(nb, nl, a[0]) : a[0];
               Value r =
                   kind == PoolKind::Max
                       ? createMax(nb, nl, a[2], v, isUnsignedInt(onnxElt))
                       : createAdd(nb, nl, a[2], v);
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

/// Attributes of a windowed pool, validated against the static shapes.
struct PoolParams {
  SmallVector<int64_t> kernel, strides, dilations;
  WindowPads pads;
};

template <typename OpTy>
FailureOr<PoolParams> getPoolParams(OpTy op, RankedTensorType xType,
                                    RankedTensorType type,
                                    ConversionPatternRewriter &rewriter) {
  int64_t rank = xType.getRank();
  if (rank < 3 || type.getRank() != rank)
    return rewriter.notifyMatchFailure(op, "needs N-C-spatial operands");
  int64_t nsp = rank - 2;
  PoolParams p;
  p.kernel.assign(op.getKernelShape().begin(), op.getKernelShape().end());
  if ((int64_t)p.kernel.size() != nsp)
    return rewriter.notifyMatchFailure(op, "kernel_shape rank mismatch");
  auto strides = getWindowAttr(op.getStrides(), nsp, 1);
  auto dilations = getWindowAttr(op.getDilations(), nsp, 1);
  if (failed(strides) || failed(dilations))
    return rewriter.notifyMatchFailure(op, "bad strides/dilations");
  p.strides = *strides;
  p.dilations = *dilations;
  auto pads = computeWindowPads(op.getAutoPad(), xType.getShape().drop_front(2),
                                p.kernel, p.strides, p.dilations, op.getPads(),
                                type.getShape().drop_front(2));
  if (failed(pads))
    return rewriter.notifyMatchFailure(op, "bad pads/auto_pad");
  p.pads = *pads;
  return p;
}

Value padSpatial(OpBuilder &b, Location loc, Value x, const WindowPads &pads,
                 Value padValue) {
  SmallVector<int64_t> lo{0, 0}, hi{0, 0};
  lo.append(pads.begin);
  hi.append(pads.end);
  return padTensor(b, loc, x, lo, hi, padValue);
}

/// MaxPool with the Indices output: one linalg.generic over (N, C, output
/// spatial..., kernel...) whose kernel dims reduce, reading the unpadded
/// input with tensor.extract at in-bounds window positions. It yields the
/// max and the flat index of its first occurrence in X (row-major, or with
/// the spatial dims column-major for storage_order 1).
SmallVector<Value> buildMaxPoolWithIndices(OpBuilder &b, Location loc, Value x,
                                           RankedTensorType type,
                                           RankedTensorType idxType,
                                           const PoolParams &p,
                                           int64_t storageOrder, Type onnxElt) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  ArrayRef<int64_t> in = xType.getShape();
  int64_t nsp = p.kernel.size();
  int64_t outRank = 2 + nsp;
  int64_t loops = outRank + nsp;
  bool isUnsigned = isUnsignedInt(onnxElt);
  Type elt = type.getElementType();
  Value window = createEmpty(b, loc, RankedTensorType::get(p.kernel, elt));
  Value vals = createFilled(b, loc, type, createLowest(b, loc, onnxElt));
  Value idxs = createFilled(b, loc, idxType,
                            createIntScalar(b, loc, b.getI64Type(), -1));
  SmallVector<AffineExpr> outExprs, winExprs;
  for (int64_t i = 0; i < outRank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  for (int64_t i = 0; i < nsp; ++i)
    winExprs.push_back(getAffineDimExpr(outRank + i, ctx));
  AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, winExprs, ctx),
                                 outMap, outMap};
  SmallVector<utils::IteratorType> iters(outRank,
                                         utils::IteratorType::parallel);
  iters.append(nsp, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type, idxType}, ValueRange{window},
      ValueRange{vals, idxs}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Type i64 = nb.getI64Type();
        auto c = [&](int64_t v) { return createIntScalar(nb, l, i64, v); };
        auto idx64 = [&](int64_t d) -> Value {
          return arith::IndexCastOp::create(nb, l, i64,
                                            linalg::IndexOp::create(nb, l, d));
        };
        Value inBounds = createIntScalar(nb, l, nb.getI1Type(), 1);
        SmallVector<Value> at = {linalg::IndexOp::create(nb, l, 0),
                                 linalg::IndexOp::create(nb, l, 1)};
        SmallVector<Value> pos;
        for (int64_t i = 0; i < nsp; ++i) {
          // o * stride - pad + k * dilation
          Value v = arith::AddIOp::create(
              nb, l,
              arith::MulIOp::create(nb, l, idx64(2 + i), c(p.strides[i])),
              arith::MulIOp::create(nb, l, idx64(outRank + i),
                                    c(p.dilations[i])));
          v = arith::SubIOp::create(nb, l, v, c(p.pads.begin[i]));
          Value ge =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, v, c(0));
          Value lt = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, v,
                                           c(in[2 + i]));
          inBounds = arith::AndIOp::create(
              nb, l, inBounds, arith::AndIOp::create(nb, l, ge, lt));
          pos.push_back(v);
          at.push_back(normalizeIndex(nb, l, v, in[2 + i]));
        }
        Value xv = tensor::ExtractOp::create(nb, l, x, at);
        // Flat index: ((n * C + c) * spatial) + spatial offset.
        Value flat = arith::AddIOp::create(
            nb, l, arith::MulIOp::create(nb, l, idx64(0), c(in[1])), idx64(1));
        int64_t spatial = 1;
        for (int64_t i = 0; i < nsp; ++i)
          spatial *= in[2 + i];
        flat = arith::MulIOp::create(nb, l, flat, c(spatial));
        int64_t stride = 1;
        for (int64_t k = 0; k < nsp; ++k) {
          int64_t i = storageOrder == 1 ? k : nsp - 1 - k;
          flat = arith::AddIOp::create(
              nb, l, flat, arith::MulIOp::create(nb, l, pos[i], c(stride)));
          stride *= in[2 + i];
        }
        Value acc = args[1], accIdx = args[2];
        Value greater =
            isa<FloatType>(elt)
                ? arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, xv,
                                        acc)
                      .getResult()
                : arith::CmpIOp::create(nb, l,
                                        isUnsigned ? arith::CmpIPredicate::ugt
                                                   : arith::CmpIPredicate::sgt,
                                        xv, acc)
                      .getResult();
        Value none = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                           accIdx, c(-1));
        Value take = arith::AndIOp::create(
            nb, l, inBounds, arith::OrIOp::create(nb, l, none, greater));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, take, xv, acc),
                       arith::SelectOp::create(nb, l, take, flat, accIdx)});
      });
  return SmallVector<Value>(generic->getResults());
}

struct MaxPoolLowering : OpConversionPattern<onnx::MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    auto p = getPoolParams(op, *xType, *type, rewriter);
    if (failed(p))
      return failure();
    Type onnxElt = getElementTypeOrSelf(op.getX().getType());
    if (!isa<NoneType>(op.getIndices().getType()) &&
        !op.getIndices().use_empty()) {
      auto idxType = getStaticType(rewriter, op, op.getIndices().getType());
      if (failed(idxType))
        return failure();
      if (idxType->getShape() != type->getShape())
        return rewriter.notifyMatchFailure(op, "Indices must have Y's shape");
      if (op.getStorageOrder() != 0 && op.getStorageOrder() != 1)
        return rewriter.notifyMatchFailure(op, "storage_order must be 0 or 1");
      rewriter.replaceOp(op, buildMaxPoolWithIndices(
                                 rewriter, loc, adaptor.getX(), *type, *idxType,
                                 *p, op.getStorageOrder(), onnxElt));
      return success();
    }
    Value lowest = createLowest(rewriter, loc, onnxElt);
    Value x = padSpatial(rewriter, loc, adaptor.getX(), p->pads, lowest);
    Value init = createFilled(rewriter, loc, *type, lowest);
    Value r = buildPool(rewriter, loc, PoolKind::Max, x, init, p->kernel,
                        p->strides, p->dilations, onnxElt);
    SmallVector<Value> results{r};
    if (op->getNumResults() == 2) {
      if (isa<NoneType>(op.getIndices().getType()))
        results.push_back(
            onnx::NoneOp::create(rewriter, loc, rewriter.getNoneType()));
      else
        results.push_back(createEmpty(
            rewriter, loc, cast<RankedTensorType>(op.getIndices().getType())));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Number of window positions of output `o` along one dim that lie in
/// [lo, hi) of the padded coordinates (input starts at pads.begin).
int64_t windowCount(int64_t o, int64_t k, int64_t s, int64_t d, int64_t lo,
                    int64_t hi) {
  int64_t count = 0;
  for (int64_t j = 0; j < k; ++j) {
    int64_t pos = o * s + j * d;
    count += pos >= lo && pos < hi;
  }
  return count;
}

struct AveragePoolLowering : OpConversionPattern<onnx::AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    auto p = getPoolParams(op, *xType, *type, rewriter);
    if (failed(p))
      return failure();
    Type elt = type->getElementType();
    Type onnxElt = getElementTypeOrSelf(op.getX().getType());
    Value zero = createScalar(rewriter, loc, elt, 0.0);
    Value x = padSpatial(rewriter, loc, adaptor.getX(), p->pads, zero);
    Value init = createFilled(rewriter, loc, *type, zero);
    Value sum = buildPool(rewriter, loc, PoolKind::Sum, x, init, p->kernel,
                          p->strides, p->dilations, onnxElt);
    // Divisors per output position: window positions inside the input
    // (count_include_pad=0) or inside the explicitly padded input.
    int64_t nsp = p->kernel.size();
    SmallVector<int64_t> outSp(type->getShape().drop_front(2));
    SmallVector<int64_t> inSp(xType->getShape().drop_front(2));
    bool includePad = op.getCountIncludePad() != 0;
    // Explicit end pads (before growth for ceil_mode).
    SmallVector<int64_t> explicitEnd(p->pads.end);
    if (op.getAutoPad() == "VALID") {
      explicitEnd.assign(nsp, 0);
    } else if (op.getAutoPad() == "NOTSET") {
      explicitEnd.assign(nsp, 0);
      if (auto pads = op.getPads())
        for (int64_t i = 0; i < nsp; ++i)
          explicitEnd[i] = (*pads)[nsp + i];
    }
    SmallVector<SmallVector<int64_t>> perDim(nsp);
    bool uniform = true;
    int64_t full = 1;
    for (int64_t k : p->kernel)
      full *= k;
    for (int64_t i = 0; i < nsp; ++i) {
      int64_t lo = includePad ? 0 : p->pads.begin[i];
      int64_t hi = includePad ? p->pads.begin[i] + inSp[i] + explicitEnd[i]
                              : p->pads.begin[i] + inSp[i];
      for (int64_t o = 0; o < outSp[i]; ++o) {
        perDim[i].push_back(windowCount(o, p->kernel[i], p->strides[i],
                                        p->dilations[i], lo, hi));
        uniform &= perDim[i].back() == p->kernel[i];
      }
    }
    Value r;
    if (uniform) {
      r = createElementwise(
          rewriter, loc, ValueRange{sum}, *type,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value dv = createScalar(nb, nl, elt, full);
            return arith::DivFOp::create(nb, nl, a[0], dv).getResult();
          });
    } else {
      int64_t total = 1;
      for (int64_t o : outSp)
        total *= o;
      SmallVector<APFloat> counts;
      auto fType = cast<FloatType>(elt);
      for (int64_t flat = 0; flat < total; ++flat) {
        int64_t rem = flat, c = 1;
        for (int64_t i = nsp - 1; i >= 0; --i) {
          c *= perDim[i][rem % outSp[i]];
          rem /= outSp[i];
        }
        APFloat v((double)std::max<int64_t>(c, 1));
        bool lost;
        v.convert(fType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &lost);
        counts.push_back(v);
      }
      auto cType = RankedTensorType::get(outSp, elt);
      Value divisor = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(cType, counts));
      r = createElementwise(
          rewriter, loc, ValueRange{sum, divisor}, *type,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            return arith::DivFOp::create(nb, nl, a[0], a[1]).getResult();
          });
    }
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// |x|^p summed, then ^(1/p).
Value lpPre(OpBuilder &b, Location loc, Value v, int64_t p) {
  Value a = math::AbsFOp::create(b, loc, v);
  if (p == 1)
    return a;
  if (p == 2)
    return arith::MulFOp::create(b, loc, a, a);
  return math::PowFOp::create(b, loc, a, createScalar(b, loc, v.getType(), p));
}
Value lpPost(OpBuilder &b, Location loc, Value v, int64_t p) {
  if (p == 1)
    return v;
  if (p == 2)
    return math::SqrtOp::create(b, loc, v);
  return math::PowFOp::create(b, loc, v,
                              createScalar(b, loc, v.getType(), 1.0 / p));
}

struct LpPoolLowering : OpConversionPattern<onnx::LpPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LpPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    auto p = getPoolParams(op, *xType, *type, rewriter);
    if (failed(p))
      return failure();
    int64_t pw = op.getP();
    if (pw <= 0)
      return rewriter.notifyMatchFailure(op, "p must be positive");
    Type elt = type->getElementType();
    Type onnxElt = getElementTypeOrSelf(op.getX().getType());
    Value zero = createScalar(rewriter, loc, elt, 0.0);
    Value x = padSpatial(rewriter, loc, adaptor.getX(), p->pads, zero);
    Value init = createFilled(rewriter, loc, *type, zero);
    Value sum = buildPool(rewriter, loc, PoolKind::Sum, x, init, p->kernel,
                          p->strides, p->dilations, onnxElt,
                          [&](OpBuilder &nb, Location nl, Value v) {
                            return lpPre(nb, nl, v, pw);
                          });
    Value r = createElementwise(rewriter, loc, ValueRange{sum}, *type,
                                [&](OpBuilder &nb, Location nl, ValueRange a) {
                                  return lpPost(nb, nl, a[0], pw);
                                });
    rewriter.replaceOp(op, r);
    return success();
  }
};

enum class GlobalKind { Avg, Max, Lp };

/// Reduces the spatial dims of (N, C, spatial...) into (N, C, 1...).
template <typename OpTy, GlobalKind kind>
struct GlobalPoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getStaticType(rewriter, op, op->getResult(0).getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    if (rank < 2 || type->getRank() != rank)
      return rewriter.notifyMatchFailure(op, "needs N-C-spatial operands");
    int64_t p = 2;
    if constexpr (kind == GlobalKind::Lp) {
      p = op.getP();
      if (p <= 0)
        return rewriter.notifyMatchFailure(op, "p must be positive");
    }
    Type elt = type->getElementType();
    Type onnxElt = getElementTypeOrSelf(op.getX().getType());
    auto redType = RankedTensorType::get(
        {xType->getDimSize(0), xType->getDimSize(1)}, elt);
    Value initV = kind == GlobalKind::Max ? createLowest(rewriter, loc, onnxElt)
                                          : createScalar(rewriter, loc, elt, 0);
    Value init = createFilled(rewriter, loc, redType, initV);
    SmallVector<AffineMap> maps{
        AffineMap::getMultiDimIdentityMap(rank, ctx),
        AffineMap::get(rank, 0,
                       {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)},
                       ctx)};
    SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
    iters.append(rank - 2, utils::IteratorType::reduction);
    Value red =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{redType}, ValueRange{adaptor.getX()},
            ValueRange{init}, maps, iters,
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value r;
              if (kind == GlobalKind::Max)
                r = createMax(nb, nl, a[1], a[0], isUnsignedInt(onnxElt));
              else if (kind == GlobalKind::Lp)
                r = createAdd(nb, nl, a[1], lpPre(nb, nl, a[0], p));
              else
                r = createAdd(nb, nl, a[1], a[0]);
              linalg::YieldOp::create(nb, nl, r);
            })
            .getResult(0);
    if (kind != GlobalKind::Max) {
      int64_t count = 1;
      for (int64_t i = 2; i < rank; ++i)
        count *= xType->getDimSize(i);
      red = createElementwise(
          rewriter, loc, ValueRange{red}, redType,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            if (kind == GlobalKind::Lp)
              return lpPost(nb, nl, a[0], p);
            Value c = createScalar(nb, nl, elt, count);
            return arith::DivFOp::create(nb, nl, a[0], c).getResult();
          });
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, red, type->getShape()));
    return success();
  }
};

/// MaxUnpool: a zero tensor of the output shape into which every element of
/// X is written at its index I. As in the ONNX reference, I is a flat index
/// into the shape MaxPool's input had ((in - 1) * stride - pads + kernel per
/// spatial dim); an explicit larger output_shape keeps those positions (the
/// rest stays zero). Elements are written in order (a repeated index keeps
/// the last); indices outside the shape are skipped. The static output type
/// decides the shape (the run-time output_shape is not read).
struct MaxUnpoolLowering : OpConversionPattern<onnx::MaxUnpoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::MaxUnpoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto iType = getStaticType(rewriter, op, adaptor.getI().getType());
    if (failed(type) || failed(xType) || failed(iType))
      return failure();
    int64_t rank = xType->getRank();
    int64_t nsp = rank - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    if (rank < 3 || type->getRank() != rank ||
        iType->getShape() != xType->getShape() || (int64_t)kernel.size() != nsp)
      return rewriter.notifyMatchFailure(
          op, "needs N-C-spatial X, I of X's shape and a kernel per spatial "
              "dim");
    auto strides = getWindowAttr(op.getStrides(), nsp, 1);
    auto pads = getWindowAttr(op.getPads(), 2 * nsp, 0);
    if (failed(strides) || failed(pads))
      return rewriter.notifyMatchFailure(op, "bad strides/pads");
    // The shape MaxPool's input had: the indices are flat into it.
    SmallVector<int64_t> inferred(xType->getShape().take_front(2));
    for (int64_t i = 0; i < nsp; ++i)
      inferred.push_back((xType->getDimSize(2 + i) - 1) * (*strides)[i] -
                         (*pads)[i] - (*pads)[nsp + i] + kernel[i]);
    int64_t total = 1;
    for (int64_t d : inferred)
      total *= d;
    if (type->getDimSize(0) != inferred[0] ||
        type->getDimSize(1) != inferred[1])
      return rewriter.notifyMatchFailure(op, "output N and C must be X's");

    Location loc = op.getLoc();
    Value x =
        reshapeTensor(rewriter, loc, adaptor.getX(), {xType->getNumElements()});
    Value idx =
        reshapeTensor(rewriter, loc, adaptor.getI(), {xType->getNumElements()});
    Value init =
        createFilled(rewriter, loc, *type,
                     createScalar(rewriter, loc, type->getElementType(), 0.0));
    auto cIdx = [&](OpBuilder &b, Location l, int64_t v) {
      return arith::ConstantIndexOp::create(b, l, v).getResult();
    };
    auto loop = scf::ForOp::create(
        rewriter, loc, cIdx(rewriter, loc, 0),
        cIdx(rewriter, loc, xType->getNumElements()), cIdx(rewriter, loc, 1),
        ValueRange{init},
        [&](OpBuilder &b, Location l, Value e, ValueRange acc) {
          Type i64 = b.getI64Type();
          Value flat = tensor::ExtractOp::create(b, l, idx, e);
          Value v = tensor::ExtractOp::create(b, l, x, e);
          Value ok = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, flat,
                                    createIntScalar(b, l, i64, 0)),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, flat,
                                    createIntScalar(b, l, i64, total)));
          // Unravel in the inferred shape; keep positions inside the output.
          SmallVector<Value> at(rank);
          Value rest = flat;
          for (int64_t d = rank - 1; d >= 0; --d) {
            Value size = createIntScalar(b, l, i64, inferred[d]);
            Value coord = arith::RemSIOp::create(b, l, rest, size);
            rest = arith::DivSIOp::create(b, l, rest, size);
            ok = arith::AndIOp::create(
                b, l, ok,
                arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::slt, coord,
                    createIntScalar(b, l, i64, type->getDimSize(d))));
            at[d] = normalizeIndex(b, l, coord, type->getDimSize(d));
          }
          auto ifOp = scf::IfOp::create(
              b, l, ok,
              [&](OpBuilder &tb, Location tl) {
                Value r = tensor::InsertOp::create(tb, tl, v, acc[0], at);
                scf::YieldOp::create(tb, tl, r);
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, acc[0]);
              });
          scf::YieldOp::create(b, l, ifOp.getResults());
        });
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void populatePoolingPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<MaxPoolLowering, AveragePoolLowering, LpPoolLowering,
               MaxUnpoolLowering>(tc, ctx);
  patterns.add<GlobalPoolLowering<onnx::GlobalAveragePoolOp, GlobalKind::Avg>,
               GlobalPoolLowering<onnx::GlobalMaxPoolOp, GlobalKind::Max>,
               GlobalPoolLowering<onnx::GlobalLpPoolOp, GlobalKind::Lp>>(tc,
                                                                         ctx);
}

} // namespace kiln::tolinalg
