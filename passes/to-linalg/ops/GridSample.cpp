//===- GridSample.cpp - GridSample (2-D and N-d) --------------------------===//
//
// Y[n, c, h1..hr] samples X[n, c, :, ..., :] ([N, C, D1..Dr]) at the point
// grid[n, h1..hr, :] (normalized to [-1, 1], components in reverse dim order:
// component 0 is the last dim). Each normalized coordinate u of dim i with
// size D becomes x = (u + 1) / 2 * (D - 1) (align_corners) or
// ((u + 1) * D - 1) / 2; nearest rounds it half to even first. A coordinate
// outside the borders ([0, D-1] with align_corners, [-0.5, D-0.5] otherwise)
// is clamped to [0, D-1] (padding border) or reflected at the borders until
// inside (padding reflection). The taps are then trunc(x) (nearest),
// floor(x) + {0, 1} (linear) or floor(x) + {-1, 0, 1, 2} (cubic, Keys
// coefficients with a = -0.75), weighted separably over the dims. A tap
// outside [0, D-1] reads 0 (zeros), the nearest edge (border) or its
// reflection (reflection). One linalg.generic over Y computes every element
// with tensor.extract reads of grid and X; interpolation runs in f32 (f64 for
// f64 data or grid).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Padding { Zeros, Border, Reflection };

/// One tap of one dim: the (float, integer-valued) position and its weight.
struct Tap {
  Value pos, weight;
};

/// Builds the scalar computation of one output element.
class Sampler {
public:
  Sampler(OpBuilder &b, Location loc, Type ct, Mode mode, Padding padding,
          bool alignCorners)
      : b(b), loc(loc), ct(ct), mode(mode), padding(padding),
        alignCorners(alignCorners) {}

  Value cst(double v) { return createScalar(b, loc, ct, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// clamp ignoring NaN (maxnumf/minnumf), so indices stay in bounds.
  Value clamp(Value x, double lo, double hi) {
    x = arith::MaxNumFOp::create(b, loc, x, cst(lo));
    return arith::MinNumFOp::create(b, loc, x, cst(hi));
  }

  /// Reflects `x` at `lo`/`hi` until it lies inside (x unchanged when
  /// inside).
  Value reflect(Value x, double lo, double hi) {
    double range = hi - lo;
    if (range <= 0)
      return x;
    Value below = cmp(arith::CmpFPredicate::OLT, x, cst(lo));
    Value above = cmp(arith::CmpFPredicate::OGT, x, cst(hi));
    Value dx = select(below, sub(cst(lo), x), sub(x, cst(hi)));
    Value n = math::FloorOp::create(
        b, loc, arith::DivFOp::create(b, loc, dx, cst(range)));
    Value r = sub(dx, mul(n, cst(range)));
    Value half = math::FloorOp::create(b, loc, mul(n, cst(0.5)));
    Value even =
        cmp(arith::CmpFPredicate::OEQ, sub(n, mul(half, cst(2.0))), cst(0.0));
    Value fromLo = add(cst(lo), r), fromHi = sub(cst(hi), r);
    Value low = select(even, fromLo, fromHi);
    Value high = select(even, fromHi, fromLo);
    return select(below, low, select(above, high, x));
  }

  /// The taps of normalized coordinate `u` along a dim of size `size`.
  SmallVector<Tap> taps(Value u, int64_t size) {
    double d = (double)size;
    Value x = alignCorners
                  ? mul(mul(add(u, cst(1.0)), cst(0.5)), cst(d - 1))
                  : mul(sub(mul(add(u, cst(1.0)), cst(d)), cst(1.0)), cst(0.5));
    if (mode == Mode::Nearest)
      x = math::RoundEvenOp::create(b, loc, x);
    double lo = alignCorners ? 0.0 : -0.5;
    double hi = alignCorners ? d - 1 : d - 0.5;
    if (padding == Padding::Border) {
      Value outside = arith::OrIOp::create(
          b, loc, cmp(arith::CmpFPredicate::OLT, x, cst(lo)),
          cmp(arith::CmpFPredicate::OGT, x, cst(hi)));
      x = select(outside, clamp(x, 0.0, d - 1), x);
    } else if (padding == Padding::Reflection) {
      x = reflect(x, lo, hi);
    }
    if (mode == Mode::Nearest)
      return {{math::TruncOp::create(b, loc, x), cst(1.0)}};
    Value x0 = math::FloorOp::create(b, loc, x);
    Value t = sub(x, x0);
    if (mode == Mode::Linear)
      return {{x0, sub(cst(1.0), t)}, {add(x0, cst(1.0)), t}};
    // Keys cubic convolution, a = -0.75.
    const double a = -0.75;
    auto far = [&](Value s) { // weight at distance s in [1, 2]
      Value p = sub(mul(cst(a), s), cst(5 * a));
      p = add(mul(p, s), cst(8 * a));
      return sub(mul(p, s), cst(4 * a));
    };
    auto near = [&](Value s) { // weight at distance s in [0, 1]
      Value p = sub(mul(cst(a + 2), s), cst(a + 3));
      return add(mul(mul(p, s), s), cst(1.0));
    };
    Value one = cst(1.0);
    return {{sub(x0, one), far(add(t, one))},
            {x0, near(t)},
            {add(x0, one), near(sub(one, t))},
            {add(x0, cst(2.0)), far(sub(cst(2.0), t))}};
  }

  /// The index a tap at `pos` reads along a dim of size `size`, and (zeros
  /// padding) whether it lies inside.
  std::pair<Value, Value> tapIndex(Value pos, int64_t size) {
    double d = (double)size;
    Value valid;
    if (padding == Padding::Zeros)
      valid = arith::AndIOp::create(
          b, loc, cmp(arith::CmpFPredicate::OGE, pos, cst(0.0)),
          cmp(arith::CmpFPredicate::OLE, pos, cst(d - 1)));
    else if (padding == Padding::Reflection)
      pos = reflect(pos, alignCorners ? 0.0 : -0.5,
                    alignCorners ? d - 1 : d - 0.5);
    // Truncation toward zero of a value clamped into [0, D-1].
    Value i =
        arith::FPToSIOp::create(b, loc, b.getI64Type(), clamp(pos, 0.0, d - 1));
    return {arith::IndexCastOp::create(b, loc, b.getIndexType(), i), valid};
  }

private:
  OpBuilder &b;
  Location loc;
  Type ct;
  Mode mode;
  Padding padding;
  bool alignCorners;
};

Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  return castScalar(b, loc, v, v.getType(), to);
}

struct GridSampleLowering : OpConversionPattern<onnx::GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::GridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto gType = getStaticType(rewriter, op, adaptor.getGrid().getType());
    if (failed(type) || failed(xType) || failed(gType))
      return failure();
    StringRef modeName = op.getMode(), padName = op.getPaddingMode();
    Mode mode;
    if (modeName == "nearest")
      mode = Mode::Nearest;
    else if (modeName == "linear" || modeName == "bilinear")
      mode = Mode::Linear;
    else if (modeName == "cubic" || modeName == "bicubic")
      mode = Mode::Cubic;
    else
      return rewriter.notifyMatchFailure(op, "unknown mode");
    Padding padding;
    if (padName == "zeros")
      padding = Padding::Zeros;
    else if (padName == "border")
      padding = Padding::Border;
    else if (padName == "reflection")
      padding = Padding::Reflection;
    else
      return rewriter.notifyMatchFailure(op, "unknown padding_mode");

    Type elt = type->getElementType();
    Type gElt = gType->getElementType();
    if (!isa<FloatType>(elt) || xType->getElementType() != elt)
      return rewriter.notifyMatchFailure(op, "needs float data");
    int64_t rank = xType->getRank(), r = rank - 2;
    ArrayRef<int64_t> xs = xType->getShape(), gs = gType->getShape();
    if (r < 1 || gType->getRank() != rank || gs[0] != xs[0] ||
        gs[rank - 1] != r)
      return rewriter.notifyMatchFailure(
          op, "grid must have shape [N, H1, ..., Hr, r] for X [N, C, D1..Dr]");
    SmallVector<int64_t> outShape = {xs[0], xs[1]};
    outShape.append(gs.begin() + 1, gs.end() - 1);
    if (type->getShape() != ArrayRef<int64_t>(outShape))
      return rewriter.notifyMatchFailure(op, "unexpected result shape");
    if (type->getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, *type));
      return success();
    }
    if (llvm::any_of(xs.drop_front(2), [](int64_t d) { return d == 0; }))
      return rewriter.notifyMatchFailure(op, "empty spatial dims");

    Type f64 = rewriter.getF64Type();
    Type ct = (elt == f64 || gElt == f64) ? f64 : rewriter.getF32Type();
    Value x = adaptor.getX(), grid = adaptor.getGrid();
    bool align = op.getAlignCorners() != 0;
    MLIRContext *ctx = rewriter.getContext();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, *type)},
        {AffineMap::getMultiDimIdentityMap(rank, ctx)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          Sampler s(b, l, ct, mode, padding, align);
          SmallVector<Value> iv;
          for (int64_t d = 0; d < rank; ++d)
            iv.push_back(linalg::IndexOp::create(b, l, d));
          // grid[n, h1..hr, r-1-i] is the coordinate of spatial dim i.
          SmallVector<SmallVector<Tap>> taps;
          for (int64_t i = 0; i < r; ++i) {
            SmallVector<Value> gi = {iv[0]};
            gi.append(iv.begin() + 2, iv.end());
            gi.push_back(arith::ConstantIndexOp::create(b, l, r - 1 - i));
            Value u = tensor::ExtractOp::create(b, l, grid, gi);
            taps.push_back(s.taps(convertFloat(b, l, u, ct), xs[2 + i]));
          }
          // Sum over every combination of taps (odometer over the dims).
          SmallVector<size_t> pick(r, 0);
          Value acc = s.cst(0.0);
          while (true) {
            SmallVector<Value> xi = {iv[0], iv[1]};
            Value weight, valid;
            for (int64_t i = 0; i < r; ++i) {
              const Tap &t = taps[i][pick[i]];
              auto [index, ok] = s.tapIndex(t.pos, xs[2 + i]);
              xi.push_back(index);
              weight = weight ? s.mul(weight, t.weight) : t.weight;
              if (ok)
                valid = valid ? arith::AndIOp::create(b, l, valid, ok) : ok;
            }
            Value v =
                convertFloat(b, l, tensor::ExtractOp::create(b, l, x, xi), ct);
            if (valid)
              v = s.select(valid, v, s.cst(0.0));
            acc = mode == Mode::Nearest ? v : s.add(acc, s.mul(weight, v));
            int64_t i = r - 1;
            while (i >= 0 && ++pick[i] == taps[i].size())
              pick[i--] = 0;
            if (i < 0)
              break;
          }
          linalg::YieldOp::create(b, l, convertFloat(b, l, acc, elt));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateGridSamplePatterns(TypeConverter &tc,
                                RewritePatternSet &patterns) {
  patterns.add<GridSampleLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
