//===- RoiAlign.cpp - RoiAlign --------------------------------------------===//
//
// Y[r, c, ph, pw] pools X[batch_indices[r], c] over the bin (ph, pw) of the
// region rois[r] = (x1, y1, x2, y2) (scaled by spatial_scale, shifted by
// -0.5 with half_pixel; at least 1x1 with output_half_pixel), sampling a
// grid of gh x gw points per bin (sampling_ratio, or ceil(roi size / output
// size) when it is 0) with bilinear interpolation as ONNX's reference does:
// points beyond [-1, H] x [-1, W] give 0, others are clamped at 0 and at the
// last row/column. mode avg averages the samples; mode max takes the max
// over samples of the largest of the four weighted taps.
//
// With a fixed sampling_ratio the samples are two reduction dims of one
// linalg.generic (avg divides by the count in a second elementwise
// generic); an adaptive grid (sampling_ratio 0) loops over the samples with
// scf.for inside the generic's body. Interpolation runs in f32 (f64 for
// f64 data).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Scalar computations of one output element of RoiAlign.
struct RoiSampler {
  OpBuilder &b;
  Location loc;
  Type ct;
  Value x, rois;
  int64_t height, width, pooledH, pooledW, samplingRatio;
  double spatialScale;
  bool halfPixel, isMax;

  Value cst(double v) { return createScalar(b, loc, ct, v); }
  Value add(Value p, Value q) { return arith::AddFOp::create(b, loc, p, q); }
  Value sub(Value p, Value q) { return arith::SubFOp::create(b, loc, p, q); }
  Value mul(Value p, Value q) { return arith::MulFOp::create(b, loc, p, q); }
  Value div(Value p, Value q) { return arith::DivFOp::create(b, loc, p, q); }
  Value toCt(Value v) { return castScalar(b, loc, v, v.getType(), ct); }
  Value indexToCt(Value i) {
    return arith::SIToFPOp::create(
        b, loc, ct, arith::IndexCastOp::create(b, loc, b.getI64Type(), i));
  }

  // Per output element: region start and bin size (y then x), grid size.
  Value startH, startW, binH, binW, gridH, gridW;

  /// Reads the region of roi `r` and derives the bins and the grid.
  void setRoi(Value r) {
    auto coord = [&](int64_t i) {
      Value v = toCt(tensor::ExtractOp::create(
          b, loc, rois,
          ValueRange{r, arith::ConstantIndexOp::create(b, loc, i)}));
      return sub(mul(v, cst(spatialScale)), cst(halfPixel ? 0.5 : 0.0));
    };
    startW = coord(0);
    startH = coord(1);
    Value roiW = sub(coord(2), startW), roiH = sub(coord(3), startH);
    if (!halfPixel) {
      roiW = arith::MaximumFOp::create(b, loc, roiW, cst(1.0));
      roiH = arith::MaximumFOp::create(b, loc, roiH, cst(1.0));
    }
    binH = div(roiH, cst((double)pooledH));
    binW = div(roiW, cst((double)pooledW));
    if (samplingRatio > 0) {
      gridH = gridW = cst((double)samplingRatio);
    } else {
      gridH = math::CeilOp::create(b, loc, binH);
      gridW = math::CeilOp::create(b, loc, binW);
    }
  }

  /// The number of samples of the adaptive grid along one dim, as index.
  Value gridCount(Value g) {
    Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), g);
    i = arith::MaxSIOp::create(
        b, loc, i, arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0));
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  }

  /// Average divisor: max(gh * gw, 1).
  Value count() {
    return arith::MaximumFOp::create(b, loc, mul(gridH, gridW), cst(1.0));
  }

  /// The sample (iy, ix) of bin (ph, pw) of channel c of image n.
  Value sample(Value n, Value c, Value ph, Value pw, Value iy, Value ix) {
    Value y = add(add(startH, mul(indexToCt(ph), binH)),
                  div(mul(add(indexToCt(iy), cst(0.5)), binH), gridH));
    Value xx = add(add(startW, mul(indexToCt(pw), binW)),
                   div(mul(add(indexToCt(ix), cst(0.5)), binW), gridW));
    auto cmp = [&](arith::CmpFPredicate p, Value u, double v) {
      return arith::CmpFOp::create(b, loc, p, u, cst(v));
    };
    Value outside = arith::OrIOp::create(
        b, loc,
        arith::OrIOp::create(b, loc, cmp(arith::CmpFPredicate::OLT, y, -1.0),
                             cmp(arith::CmpFPredicate::OGT, y, (double)height)),
        arith::OrIOp::create(
            b, loc, cmp(arith::CmpFPredicate::OLT, xx, -1.0),
            cmp(arith::CmpFPredicate::OGT, xx, (double)width)));
    // Low/high taps and the fraction along one dim of size `size`.
    auto axis = [&](Value u, int64_t size) {
      u = arith::MaxNumFOp::create(b, loc, u, cst(0.0));
      Value low = math::FloorOp::create(b, loc, u);
      Value last = cst((double)(size - 1));
      Value atEnd = cmp(arith::CmpFPredicate::OGE, low, (double)(size - 1));
      low = arith::SelectOp::create(b, loc, atEnd, last, low);
      Value high =
          arith::SelectOp::create(b, loc, atEnd, last, add(low, cst(1.0)));
      u = arith::SelectOp::create(b, loc, atEnd, last, u);
      // Clamped again so that the reads of an outside point stay in bounds.
      auto toIndex = [&](Value f) -> Value {
        f = arith::MinNumFOp::create(b, loc, f, last);
        Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), f);
        return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
      };
      return std::make_tuple(toIndex(low), toIndex(high), sub(u, low));
    };
    auto [yLow, yHigh, ly] = axis(y, height);
    auto [xLow, xHigh, lx] = axis(xx, width);
    Value hy = sub(cst(1.0), ly), hx = sub(cst(1.0), lx);
    auto tap = [&](Value w, Value yi, Value xi) {
      Value v = tensor::ExtractOp::create(b, loc, x, ValueRange{n, c, yi, xi});
      return mul(w, toCt(v));
    };
    Value t1 = tap(mul(hy, hx), yLow, xLow), t2 = tap(mul(hy, lx), yLow, xHigh);
    Value t3 = tap(mul(ly, hx), yHigh, xLow),
          t4 = tap(mul(ly, lx), yHigh, xHigh);
    Value v;
    if (isMax) {
      v = arith::MaximumFOp::create(b, loc, t1, t2);
      v = arith::MaximumFOp::create(b, loc, v, t3);
      v = arith::MaximumFOp::create(b, loc, v, t4);
    } else {
      v = add(add(add(t1, t2), t3), t4);
    }
    return arith::SelectOp::create(b, loc, outside, cst(0.0), v);
  }

  /// A copy of this sampler (with the roi set) building with `nb`.
  RoiSampler at(OpBuilder &nb, Location nl) const {
    RoiSampler s{nb,           nl,        ct,      x,       rois,
                 height,       width,     pooledH, pooledW, samplingRatio,
                 spatialScale, halfPixel, isMax};
    s.startH = startH;
    s.startW = startW;
    s.binH = binH;
    s.binW = binW;
    s.gridH = gridH;
    s.gridW = gridW;
    return s;
  }

  /// Combines the running value with a sample.
  Value combine(Value acc, Value v) {
    return isMax ? arith::MaximumFOp::create(b, loc, acc, v).getResult()
                 : add(acc, v);
  }
};

struct RoiAlignLowering : OpConversionPattern<onnx::RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::RoiAlignOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto rType = getStaticType(rewriter, op, adaptor.getRois().getType());
    auto bType =
        getStaticType(rewriter, op, adaptor.getBatchIndices().getType());
    if (failed(type) || failed(xType) || failed(rType) || failed(bType))
      return failure();
    ArrayRef<int64_t> xs = xType->getShape(), ys = type->getShape();
    int64_t numRois = ys[0];
    if (xType->getRank() != 4 || type->getRank() != 4 ||
        rType->getRank() != 2 || rType->getDimSize(0) != numRois ||
        rType->getDimSize(1) != 4 || bType->getRank() != 1 ||
        bType->getDimSize(0) != numRois || ys[1] != xs[1] ||
        ys[2] != op.getOutputHeight() || ys[3] != op.getOutputWidth())
      return rewriter.notifyMatchFailure(
          op, "expects X [N, C, H, W], rois [R, 4], batch_indices [R] and Y "
              "[R, C, output_height, output_width]");
    StringRef mode = op.getMode(), ctm = op.getCoordinateTransformationMode();
    if (mode != "avg" && mode != "max")
      return rewriter.notifyMatchFailure(op, "unknown mode");
    if (ctm != "half_pixel" && ctm != "output_half_pixel")
      return rewriter.notifyMatchFailure(
          op, "unknown coordinate_transformation_mode");
    Type elt = type->getElementType();
    if (!isa<FloatType>(elt))
      return rewriter.notifyMatchFailure(op, "needs float data");
    int64_t sr = op.getSamplingRatio();
    if (sr < 0)
      return rewriter.notifyMatchFailure(op, "sampling_ratio must be >= 0");
    if (type->getNumElements() == 0 || xs[0] == 0 || xs[2] == 0 || xs[3] == 0) {
      rewriter.replaceOp(op, createFilled(rewriter, loc, *type,
                                          createScalar(rewriter, loc, elt, 0)));
      return success();
    }
    bool isMax = mode == "max";
    Type ct = elt.isF64() ? elt : rewriter.getF32Type();
    Value x = adaptor.getX(), rois = adaptor.getRois(),
          batch = adaptor.getBatchIndices();
    int64_t numImages = xs[0];
    auto makeSampler = [&](OpBuilder &b, Location l) {
      return RoiSampler{b,
                        l,
                        ct,
                        x,
                        rois,
                        xs[2],
                        xs[3],
                        ys[2],
                        ys[3],
                        sr,
                        op.getSpatialScale().convertToDouble(),
                        ctm == "half_pixel",
                        isMax};
    };
    // The image of roi r, clamped into [0, N-1].
    auto image = [&](OpBuilder &b, Location l, Value r) {
      Value i = tensor::ExtractOp::create(b, l, batch, ValueRange{r});
      return normalizeIndex(b, l, i, numImages);
    };
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType ctType = RankedTensorType::get(ys, ct);
    Value init = createFilled(
        rewriter, loc, ctType,
        createScalar(rewriter, loc, ct,
                     isMax ? -std::numeric_limits<double>::infinity() : 0.0));
    Value result;
    if (sr > 0) {
      // Samples are reduction dims 4 (y) and 5 (x).
      SmallVector<AffineExpr> outExprs;
      for (int64_t d = 0; d < 4; ++d)
        outExprs.push_back(getAffineDimExpr(d, ctx));
      SmallVector<AffineExpr> gridExprs{getAffineDimExpr(4, ctx),
                                        getAffineDimExpr(5, ctx)};
      SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
      iters.append(2, utils::IteratorType::reduction);
      // An empty tensor gives the reduction dims their sizes.
      Value grid =
          createEmpty(rewriter, loc, RankedTensorType::get({sr, sr}, ct));
      result = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{ctType}, ValueRange{grid},
                   ValueRange{init},
                   {AffineMap::get(6, 0, gridExprs, ctx),
                    AffineMap::get(6, 0, outExprs, ctx)},
                   iters,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     RoiSampler s = makeSampler(b, l);
                     SmallVector<Value> iv;
                     for (int64_t d = 0; d < 6; ++d)
                       iv.push_back(linalg::IndexOp::create(b, l, d));
                     s.setRoi(iv[0]);
                     Value v = s.sample(image(b, l, iv[0]), iv[1], iv[2], iv[3],
                                        iv[4], iv[5]);
                     linalg::YieldOp::create(b, l, s.combine(args[1], v));
                   })
                   .getResult(0);
      if (!isMax) {
        double count = (double)(sr * sr);
        result = createElementwise(
            rewriter, loc, ValueRange{result}, ctType,
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              return arith::DivFOp::create(b, l, a[0],
                                           createScalar(b, l, ct, count));
            });
      }
    } else {
      // Adaptive grid: loops over the samples in the body.
      result =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{ctType}, ValueRange{}, ValueRange{init},
              {AffineMap::getMultiDimIdentityMap(4, ctx)},
              SmallVector<utils::IteratorType>(4,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange args) {
                RoiSampler s = makeSampler(b, l);
                SmallVector<Value> iv;
                for (int64_t d = 0; d < 4; ++d)
                  iv.push_back(linalg::IndexOp::create(b, l, d));
                s.setRoi(iv[0]);
                Value n = image(b, l, iv[0]);
                Value c0 = arith::ConstantIndexOp::create(b, l, 0);
                Value c1 = arith::ConstantIndexOp::create(b, l, 1);
                Value ny = s.gridCount(s.gridH), nx = s.gridCount(s.gridW);
                auto outer = scf::ForOp::create(
                    b, l, c0, ny, c1, ValueRange{args[0]},
                    [&](OpBuilder &ob, Location ol, Value iy, ValueRange acc) {
                      auto inner = scf::ForOp::create(
                          ob, ol, c0, nx, c1, acc,
                          [&](OpBuilder &ib, Location il, Value ix,
                              ValueRange acc2) {
                            RoiSampler smp = s.at(ib, il);
                            Value v =
                                smp.sample(n, iv[1], iv[2], iv[3], iy, ix);
                            scf::YieldOp::create(ib, il,
                                                 smp.combine(acc2[0], v));
                          });
                      scf::YieldOp::create(ob, ol, inner.getResults());
                    });
                Value v = outer.getResult(0);
                if (!isMax)
                  v = arith::DivFOp::create(b, l, v, s.count());
                else // no samples: 0
                  v = arith::SelectOp::create(
                      b, l,
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            s.count(), s.mul(s.gridH, s.gridW)),
                      s.cst(0.0), v);
                linalg::YieldOp::create(b, l, v);
              })
              .getResult(0);
    }
    if (ct != elt)
      result = createElementwise(
          rewriter, loc, ValueRange{result}, *type,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return castScalar(b, l, a[0], ct, elt);
          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateRoiAlignPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<RoiAlignLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
