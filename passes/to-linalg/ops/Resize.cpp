//===- Resize.cpp - Resize (nearest, linear, cubic, antialias) ------------===//
//
// One linalg.generic over the result. Every coordinate transformation mode
// maps an output index x to an input coordinate a*x + b; a and b are
// folded at compile time when the scales/sizes/roi are constants, and
// computed once before the loop (f64 scalars read with tensor.extract) when
// they are run-time inputs. The body computes the coordinate in f64 (as ONNX's
// reference does), rounds it (nearest) or forms 2 (linear) or 4 (cubic) taps
// per resized dim with clamped indices, and reads the input with
// tensor.extract. With antialias (linear/cubic), a downscaled dim's filter is
// stretched by 1 / scale (more taps, weights normalized to sum 1), as ONNX's
// reference does.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "dialects/onnx/ShapeInference.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// An f64 scalar known at compile time (`v` null) or computed at run time.
struct F64 {
  double c = 0.0;
  Value v;
  F64(double c = 0.0) : c(c) {}
  F64(Value v) : v(v) {}
  bool isConst() const { return !v; }
};

/// f64 arithmetic on F64 that folds when both sides are constants.
struct F64Builder {
  OpBuilder &b;
  Location loc;
  Value val(F64 x) {
    return x.v ? x.v
               : arith::ConstantOp::create(b, loc, b.getF64FloatAttr(x.c))
                     .getResult();
  }
  template <typename OpTy> F64 bin(F64 x, F64 y, double (*f)(double, double)) {
    if (x.isConst() && y.isConst())
      return F64(f(x.c, y.c));
    return F64(OpTy::create(b, loc, val(x), val(y)).getResult());
  }
  F64 add(F64 x, F64 y) {
    return bin<arith::AddFOp>(x, y, [](double p, double q) { return p + q; });
  }
  F64 sub(F64 x, F64 y) {
    return bin<arith::SubFOp>(x, y, [](double p, double q) { return p - q; });
  }
  F64 mul(F64 x, F64 y) {
    return bin<arith::MulFOp>(x, y, [](double p, double q) { return p * q; });
  }
  F64 div(F64 x, F64 y) {
    return bin<arith::DivFOp>(x, y, [](double p, double q) { return p / q; });
  }
  F64 min(F64 x, F64 y) {
    return bin<arith::MinimumFOp>(
        x, y, [](double p, double q) { return std::min(p, q); });
  }
  F64 max(F64 x, F64 y) {
    return bin<arith::MaximumFOp>(
        x, y, [](double p, double q) { return std::max(p, q); });
  }
  /// x > c ? t : f (x == c ? t : f when `eq`).
  F64 selectCmp(F64 x, double c, F64 t, F64 f, bool eq = false) {
    if (x.isConst())
      return (eq ? x.c == c : x.c > c) ? t : f;
    Value cond = arith::CmpFOp::create(
        b, loc, eq ? arith::CmpFPredicate::OEQ : arith::CmpFPredicate::OGT, x.v,
        val(F64(c)));
    return F64(
        arith::SelectOp::create(b, loc, cond, val(t), val(f)).getResult());
  }
  /// Element i of a 1-D tensor, as f64.
  F64 extract(Value t, int64_t i) {
    Value idx = arith::ConstantIndexOp::create(b, loc, i);
    Value e = tensor::ExtractOp::create(b, loc, t, idx);
    Type et = e.getType();
    if (isa<IntegerType>(et))
      return F64(
          arith::SIToFPOp::create(b, loc, b.getF64Type(), e).getResult());
    if (!et.isF64())
      e = arith::ExtFOp::create(b, loc, b.getF64Type(), e);
    return F64(e);
  }
};

/// Per-dim affine map from output index to input coordinate.
struct DimTransform {
  F64 a = 1.0, b = 0.0;
  bool identity = true;
};

struct ResizeLowering : OpConversionPattern<onnx::ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    int64_t rank = xType->getRank();
    if (type->getRank() != rank)
      return rewriter.notifyMatchFailure(op, "rank mismatch");
    bool antialias = op.getAntialias() != 0;
    StringRef mode = op.getMode();
    StringRef ctm = op.getCoordinateTransformationMode();
    StringRef nearestMode = op.getNearestMode();
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return rewriter.notifyMatchFailure(op, "unknown mode");
    Type elt = type->getElementType();
    if (mode != "nearest" && !isa<FloatType>(elt))
      return rewriter.notifyMatchFailure(op, "interpolation needs floats");
    if (antialias && mode == "nearest")
      return rewriter.notifyMatchFailure(op, "antialias needs linear or cubic");
    // Axes the scales/sizes/roi refer to.
    SmallVector<int64_t> axes;
    if (auto a = op.getAxes()) {
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
    // Scales per dim: constants, or read from the scales/sizes/roi inputs at
    // run time (the static result shape gives the output sizes either way).
    F64Builder fb{rewriter, loc};
    auto isRankedVector = [&](Value v, int64_t n) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      return t && t.getRank() == 1 && t.getDimSize(0) == n;
    };
    SmallVector<F64> scales(rank, F64(1.0));
    std::optional<SmallVector<double>> given;
    Value scalesIn = adaptor.getScales(), sizesIn = adaptor.getSizes();
    bool runtimeScales = false;
    bool hasScales = !onnx::isNone(op.getScales());
    if (hasScales)
      given = onnx::getConstantFloats(op.getScales());
    if (hasScales && given && !given->empty()) {
      if ((int64_t)given->size() != na)
        return rewriter.notifyMatchFailure(op, "scales size mismatch");
      for (int64_t i = 0; i < na; ++i)
        scales[axes[i]] = (*given)[i];
    } else if (hasScales && isRankedVector(scalesIn, na)) {
      runtimeScales = true;
      for (int64_t i = 0; i < na; ++i)
        scales[axes[i]] = fb.extract(scalesIn, i);
    } else if (!onnx::isNone(op.getSizes())) {
      StringRef policy = op.getKeepAspectRatioPolicy();
      auto sizes = onnx::getConstantInts(op.getSizes());
      if (!sizes && !isRankedVector(sizesIn, na))
        return rewriter.notifyMatchFailure(op, "sizes size mismatch");
      if (sizes && (int64_t)sizes->size() != na)
        return rewriter.notifyMatchFailure(op, "sizes size mismatch");
      auto sizeAt = [&](int64_t i) -> F64 {
        if (sizes)
          return F64((double)(*sizes)[i]);
        // With "stretch" the result shape holds the sizes.
        if (policy == "stretch")
          return F64((double)type->getDimSize(axes[i]));
        return fb.extract(sizesIn, i);
      };
      if (policy == "stretch") {
        for (int64_t i = 0; i < na; ++i)
          scales[axes[i]] =
              fb.div(sizeAt(i), (double)xType->getDimSize(axes[i]));
      } else {
        F64 sc = policy == "not_larger" ? 1e300 : 0.0;
        for (int64_t i = 0; i < na; ++i) {
          F64 r = fb.div(sizeAt(i), (double)xType->getDimSize(axes[i]));
          sc = policy == "not_larger" ? fb.min(sc, r) : fb.max(sc, r);
        }
        for (int64_t i = 0; i < na; ++i)
          scales[axes[i]] = sc;
      }
    } else {
      // Scales from the static shapes.
      for (int64_t d = 0; d < rank; ++d)
        scales[d] = (double)type->getDimSize(d) / xType->getDimSize(d);
    }
    SmallVector<F64> roiStart(rank, F64(0.0)), roiEnd(rank, F64(1.0));
    if (ctm == "tf_crop_and_resize") {
      auto roi = onnx::isNone(op.getRoi())
                     ? std::nullopt
                     : onnx::getConstantFloats(op.getRoi());
      if (roi && (int64_t)roi->size() == 2 * na) {
        for (int64_t i = 0; i < na; ++i) {
          roiStart[axes[i]] = (*roi)[i];
          roiEnd[axes[i]] = (*roi)[na + i];
        }
      } else if (!onnx::isNone(op.getRoi()) &&
                 isRankedVector(adaptor.getRoi(), 2 * na)) {
        for (int64_t i = 0; i < na; ++i) {
          roiStart[axes[i]] = fb.extract(adaptor.getRoi(), i);
          roiEnd[axes[i]] = fb.extract(adaptor.getRoi(), na + i);
        }
      } else {
        return rewriter.notifyMatchFailure(op, "roi must have 2 * axes values");
      }
    }
    SmallVector<DimTransform> tr(rank);
    for (int64_t d = 0; d < rank; ++d) {
      double in = xType->getDimSize(d);
      int64_t outInt = type->getDimSize(d);
      F64 s = scales[d];
      if (s.isConst() && s.c <= 0)
        return rewriter.notifyMatchFailure(op, "scales must be positive");
      F64 outF = fb.mul(s, in);
      F64 inv = fb.div(1.0, s);
      F64 halfInv = fb.sub(fb.mul(0.5, inv), 0.5); // 0.5 / s - 0.5
      DimTransform &t = tr[d];
      if (ctm == "half_pixel") {
        t.a = inv;
        t.b = halfInv;
      } else if (ctm == "half_pixel_symmetric") {
        F64 adjustment = fb.div((double)outInt, outF);
        F64 offset = fb.mul(in / 2, fb.sub(1.0, adjustment));
        t.a = inv;
        t.b = fb.add(offset, halfInv);
      } else if (ctm == "pytorch_half_pixel") {
        t.a = fb.selectCmp(outF, 1.0, inv, 0.0);
        t.b = fb.selectCmp(outF, 1.0, halfInv, 0.0);
      } else if (ctm == "align_corners") {
        t.a = fb.selectCmp(outF, 1.0, 0.0, fb.div(in - 1, fb.sub(outF, 1.0)),
                           /*eq=*/true);
        t.b = 0.0;
      } else if (ctm == "asymmetric") {
        t.a = inv;
        t.b = 0.0;
      } else if (ctm == "tf_crop_and_resize") {
        F64 st = roiStart[d], en = roiEnd[d];
        t.a = fb.selectCmp(
            outF, 1.0,
            fb.div(fb.mul(fb.sub(en, st), in - 1), fb.sub(outF, 1.0)), 0.0);
        t.b = fb.selectCmp(outF, 1.0, fb.mul(st, in - 1),
                           fb.mul(fb.mul(0.5, fb.add(st, en)), in - 1));
      } else {
        return rewriter.notifyMatchFailure(op, "unknown coordinate mode");
      }
      // A dim of size 1 staying 1 reads its only element whatever the scale
      // (the weights sum to 1) unless points outside extrapolate.
      t.identity = (t.a.isConst() && t.b.isConst() && t.a.c == 1.0 &&
                    t.b.c == 0.0 && outInt == (int64_t)in) ||
                   (in == 1 && outInt == 1 && ctm != "tf_crop_and_resize");
    }
    // Antialias (downscaling) stretches the filter by 1 / scale: taps
    // start..1-start around the coordinate. Their number comes from a lower
    // bound of the scale (the scale itself when constant, else from the
    // static sizes: the output size is floor or round of in * scale); taps
    // beyond the true support get weight 0.
    SmallVector<int64_t> aaStart(rank, 0);
    if (antialias) {
      double support = mode == "linear" ? 1.0 : 2.0;
      for (int64_t d = 0; d < rank; ++d) {
        if (tr[d].identity)
          continue;
        double in = xType->getDimSize(d), out = type->getDimSize(d);
        // Run-time scales give floor(in * scale) (exact for f32 scales),
        // run-time sizes with a kept aspect ratio round it.
        double lo = scales[d].isConst() ? scales[d].c
                    : runtimeScales     ? out / in
                                        : std::max(out - 0.5, 0.25) / in;
        lo = lo > 0 ? std::min(lo, 1.0) : 1.0; // empty results: any
        aaStart[d] = (int64_t)std::floor(-support / lo) + 1;
        if (2 - 2 * aaStart[d] > 64)
          return rewriter.notifyMatchFailure(
              op, "antialias downscaling by more than 32x is not supported");
      }
    }
    if (mode == "nearest" && nearestMode != "round_prefer_floor" &&
        nearestMode != "round_prefer_ceil" && nearestMode != "floor" &&
        nearestMode != "ceil")
      return rewriter.notifyMatchFailure(op, "unknown nearest_mode");
    bool tfCrop = ctm == "tf_crop_and_resize";
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    double cubicA = op.getCubicCoeffA().convertToDouble();
    bool excludeOutside = op.getExcludeOutside() != 0;
    Value x = adaptor.getX();

    auto body = [&](OpBuilder &b, Location l, ValueRange) {
      Type f64 = b.getF64Type();
      auto cf = [&](double v) -> Value {
        return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
      };
      auto toIndex = [&](Value f, int64_t n) -> Value {
        Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), f);
        i = arith::IndexCastOp::create(b, l, b.getIndexType(), i);
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value last = arith::ConstantIndexOp::create(b, l, n - 1);
        i = arith::MaxSIOp::create(b, l, i, zero);
        return arith::MinSIOp::create(b, l, i, last);
      };
      // Antialias taps x0 + i (i in [start, 1 - start]) with x0 = ceil(xo)
      // - 1, weights f((i - ratio) * min(scale, 1)) normalized to sum 1
      // (after dropping taps outside the input with exclude_outside).
      auto antialiasTaps = [&](Value xo, F64 scale, int64_t start, int64_t n) {
        F64Builder lb{b, l};
        Value s = lb.val(lb.min(scale, 1.0));
        Value x0 = arith::SubFOp::create(b, l, math::CeilOp::create(b, l, xo),
                                         cf(1.0));
        Value ratio = arith::SubFOp::create(b, l, xo, x0);
        double A = cubicA;
        SmallVector<Value> pos, w;
        Value sum = cf(0.0);
        for (int64_t i = start; i <= 1 - start; ++i) {
          Value p = arith::AddFOp::create(b, l, x0, cf((double)i));
          Value t = math::AbsFOp::create(
              b, l,
              arith::MulFOp::create(
                  b, l, arith::SubFOp::create(b, l, cf((double)i), ratio), s));
          Value wi;
          auto lt = [&](Value u, double c) {
            return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, u,
                                         cf(c));
          };
          if (mode == "linear") {
            wi = arith::MaximumFOp::create(
                b, l, arith::SubFOp::create(b, l, cf(1.0), t), cf(0.0));
          } else {
            Value t2 = arith::MulFOp::create(b, l, t, t);
            Value t3 = arith::MulFOp::create(b, l, t2, t);
            // (A+2)t^3 - (A+3)t^2 + 1 for t <= 1
            Value nearW = arith::AddFOp::create(
                b, l,
                arith::SubFOp::create(
                    b, l, arith::MulFOp::create(b, l, cf(A + 2), t3),
                    arith::MulFOp::create(b, l, cf(A + 3), t2)),
                cf(1.0));
            // A t^3 - 5A t^2 + 8A t - 4A for 1 < t < 2
            Value farW = arith::SubFOp::create(
                b, l,
                arith::AddFOp::create(
                    b, l,
                    arith::SubFOp::create(
                        b, l, arith::MulFOp::create(b, l, cf(A), t3),
                        arith::MulFOp::create(b, l, cf(5 * A), t2)),
                    arith::MulFOp::create(b, l, cf(8 * A), t)),
                cf(4 * A));
            Value isNear = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OLE, t, cf(1.0));
            wi = arith::SelectOp::create(
                b, l, isNear, nearW,
                arith::SelectOp::create(b, l, lt(t, 2.0), farW, cf(0.0)));
          }
          if (excludeOutside) {
            Value in = arith::AndIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p,
                                      cf(0.0)),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, p,
                                      cf((double)(n - 1))));
            wi = arith::SelectOp::create(b, l, in, wi, cf(0.0));
          }
          sum = arith::AddFOp::create(b, l, sum, wi);
          pos.push_back(p);
          w.push_back(wi);
        }
        // A sum of 0 (every tap excluded) divides by 1 instead.
        Value zero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, sum,
                                           cf(0.0));
        sum = arith::SelectOp::create(b, l, zero, cf(1.0), sum);
        SmallVector<std::pair<Value, Value>> result;
        for (auto [p, wi] : llvm::zip(pos, w))
          result.push_back(
              {toIndex(p, n), arith::DivFOp::create(b, l, wi, sum)});
        return result;
      };
      Value outside;
      // Taps per dim: (index, weight or null).
      SmallVector<SmallVector<std::pair<Value, Value>>> taps(rank);
      for (int64_t d = 0; d < rank; ++d) {
        Value o = linalg::IndexOp::create(b, l, d);
        int64_t n = xType->getDimSize(d);
        if (tr[d].identity) {
          taps[d].push_back({o, Value()});
          continue;
        }
        Value oi = arith::IndexCastOp::create(b, l, b.getI64Type(), o);
        Value of = arith::SIToFPOp::create(b, l, f64, oi);
        auto coef = [&](F64 v) { return v.v ? v.v : cf(v.c); };
        Value xo = arith::AddFOp::create(
            b, l, arith::MulFOp::create(b, l, of, coef(tr[d].a)),
            coef(tr[d].b));
        if (tfCrop) {
          Value lo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, xo,
                                           cf(0.0));
          Value hi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, xo,
                                           cf(n - 1));
          Value out = arith::OrIOp::create(b, l, lo, hi);
          outside = outside ? arith::OrIOp::create(b, l, outside, out) : out;
        }
        if (mode == "nearest") {
          Value r;
          if (nearestMode == "floor")
            r = math::FloorOp::create(b, l, xo);
          else if (nearestMode == "ceil")
            r = math::CeilOp::create(b, l, xo);
          else if (nearestMode == "round_prefer_ceil")
            r = math::FloorOp::create(b, l,
                                      arith::AddFOp::create(b, l, xo, cf(0.5)));
          else
            r = math::CeilOp::create(b, l,
                                     arith::SubFOp::create(b, l, xo, cf(0.5)));
          taps[d].push_back({toIndex(r, n), Value()});
          continue;
        }
        if (antialias) {
          taps[d] = antialiasTaps(xo, scales[d], aaStart[d], n);
          continue;
        }
        Value x0 = math::FloorOp::create(b, l, xo);
        Value ratio = arith::SubFOp::create(b, l, xo, x0);
        if (mode == "linear") {
          Value w0 = arith::SubFOp::create(b, l, cf(1.0), ratio);
          Value x1 = arith::AddFOp::create(b, l, x0, cf(1.0));
          taps[d].push_back({toIndex(x0, n), w0});
          taps[d].push_back({toIndex(x1, n), ratio});
          continue;
        }
        // cubic: taps at x0-1 .. x0+2.
        double A = cubicA;
        auto far = [&](Value t) { // |t| in [1, 2]
          // ((A*t - 5A)*t + 8A)*t - 4A
          Value v = arith::MulFOp::create(b, l, cf(A), t);
          v = arith::SubFOp::create(b, l, v, cf(5 * A));
          v = arith::MulFOp::create(b, l, v, t);
          v = arith::AddFOp::create(b, l, v, cf(8 * A));
          v = arith::MulFOp::create(b, l, v, t);
          return arith::SubFOp::create(b, l, v, cf(4 * A)).getResult();
        };
        auto near = [&](Value t) { // |t| in [0, 1]
          // ((A+2)*t - (A+3))*t*t + 1
          Value v = arith::MulFOp::create(b, l, cf(A + 2), t);
          v = arith::SubFOp::create(b, l, v, cf(A + 3));
          v = arith::MulFOp::create(b, l, v, t);
          v = arith::MulFOp::create(b, l, v, t);
          return arith::AddFOp::create(b, l, v, cf(1.0)).getResult();
        };
        Value inv = arith::SubFOp::create(b, l, cf(1.0), ratio);
        SmallVector<Value> w{far(arith::AddFOp::create(b, l, ratio, cf(1.0))),
                             near(ratio), near(inv),
                             far(arith::AddFOp::create(b, l, inv, cf(1.0)))};
        SmallVector<Value> pos;
        for (int64_t k = -1; k <= 2; ++k)
          pos.push_back(arith::AddFOp::create(b, l, x0, cf(k)));
        if (excludeOutside) {
          Value sum = cf(0.0);
          for (int k = 0; k < 4; ++k) {
            Value inLo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                               pos[k], cf(0.0));
            Value inHi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE,
                                               pos[k], cf(n - 1));
            Value in = arith::AndIOp::create(b, l, inLo, inHi);
            w[k] = arith::SelectOp::create(b, l, in, w[k], cf(0.0));
            sum = arith::AddFOp::create(b, l, sum, w[k]);
          }
          for (int k = 0; k < 4; ++k)
            w[k] = arith::DivFOp::create(b, l, w[k], sum);
        }
        for (int k = 0; k < 4; ++k)
          taps[d].push_back({toIndex(pos[k], n), w[k]});
      }
      // Weighted sum over the cartesian product of the taps.
      Value acc;
      SmallVector<Value> idx(rank);
      std::function<void(int64_t, Value)> rec = [&](int64_t d, Value w) {
        if (d == rank) {
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          if (w) {
            if (!elt.isF64())
              v = arith::ExtFOp::create(b, l, f64, v).getResult();
            v = arith::MulFOp::create(b, l, v, w);
            acc = acc ? arith::AddFOp::create(b, l, acc, v).getResult() : v;
          } else {
            acc = v;
          }
          return;
        }
        for (auto &[i, tw] : taps[d]) {
          idx[d] = i;
          Value nw = w;
          if (tw)
            nw = w ? arith::MulFOp::create(b, l, w, tw).getResult() : tw;
          rec(d + 1, nw);
        }
      };
      rec(0, Value());
      if (acc.getType() != elt)
        acc = arith::TruncFOp::create(b, l, elt, acc);
      if (outside)
        acc = arith::SelectOp::create(
            b, l, outside, createScalar(b, l, elt, extrapolation), acc);
      return acc;
    };
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{*type}, ValueRange{},
            ValueRange{createEmpty(rewriter, loc, *type)},
            SmallVector<AffineMap>{
                AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext())},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl, body(nb, nl, a));
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateResizePatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
