//===- Signal.cpp - DFT, STFT, window functions, MelWeightMatrix ----------===//
//
// Signal-processing ops. Their result shapes often depend on run-time scalar
// inputs (a window's size, STFT's frame_length, DFT's axis): the lowering
// takes the declared static result shape, computes from it (so a wrong
// run-time value can never index out of bounds) and checks the run-time
// values against it with cf.assert. Where several static choices fit the
// result shape (DFT's run-time axis, the length of a onesided transform),
// each one is lowered and scf.if picks one by the run-time values.
//
// DFT and STFT are direct O(n^2) transforms: a linalg.generic reducing over
// the input samples, its twiddles read from compile-time cos/sin tables of
// length N at (k * n) mod N, all in f64.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

bool isScalarTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getNumElements() == 1 && t.getRank() <= 1;
}

/// The element of a one-element tensor, as i64 (integers are signed).
Value scalarI64(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> idx(type.getRank(),
                         arith::ConstantIndexOp::create(b, loc, 0));
  Value v = tensor::ExtractOp::create(b, loc, t, idx);
  if (v.getType().getIntOrFloatBitWidth() < 64)
    v = arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
  return v;
}

/// The element of a one-element float tensor, as f64.
Value scalarF64(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> idx(type.getRank(),
                         arith::ConstantIndexOp::create(b, loc, 0));
  Value v = tensor::ExtractOp::create(b, loc, t, idx);
  if (isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, loc, b.getF64Type(), v);
  if (!v.getType().isF64())
    v = arith::ExtFOp::create(b, loc, b.getF64Type(), v);
  return v;
}

Value cmpEq(OpBuilder &b, Location loc, Value v, int64_t c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v,
                               createIntScalar(b, loc, v.getType(), c));
}

/// One of several lowerings, picked at run time: scf.if on conds[i] (the
/// last one unconditionally; the caller asserted that one of conds holds).
Value chooseAmong(OpBuilder &b, Location loc, Type type, ArrayRef<Value> conds,
                  function_ref<Value(OpBuilder &, Location, size_t)> build,
                  size_t i = 0) {
  if (i + 1 >= conds.size())
    return build(b, loc, i);
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{type}, conds[i],
                                /*addThenBlock=*/true,
                                /*addElseBlock=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  scf::YieldOp::create(b, loc, build(b, loc, i));
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(b, loc, chooseAmong(b, loc, type, conds, build, i + 1));
  return ifOp.getResult(0);
}

/// The type DFT/STFT accumulate in: f64, as numpy's FFT does (the sums of
/// f32 products lose too much next to the exact zeros of symmetric inputs).
Type computeType(Type elt) { return Float64Type::get(elt.getContext()); }

Value extendTo(OpBuilder &b, Location loc, Value v, Type t) {
  if (v.getType() == t)
    return v;
  return arith::ExtFOp::create(b, loc, t, v);
}

/// cos (or sin) of 2*pi*j/n for j in [0, n), a constant of element type `ct`.
Value twiddleTable(OpBuilder &b, Location loc, Type ct, int64_t n, bool sine) {
  SmallVector<Attribute> vals;
  vals.reserve(n);
  for (int64_t j = 0; j < n; ++j) {
    double v;
    if ((4 * j) % n == 0) { // exact at multiples of a quarter turn
      int64_t q = 4 * j / n;
      static const double cosq[4] = {1, 0, -1, 0}, sinq[4] = {0, 1, 0, -1};
      v = sine ? sinq[q] : cosq[q];
    } else {
      double a = 2 * M_PI * double(j) / double(n);
      v = sine ? std::sin(a) : std::cos(a);
    }
    vals.push_back(FloatAttr::get(ct, v));
  }
  auto type = RankedTensorType::get({n}, ct);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, vals));
}

/// Interleaves re/im (shape `outType` without its last dim, compute type)
/// into `outType` ([..., 2], or [..., 1] taking re only), times `scale`.
Value interleave(OpBuilder &b, Location loc, ValueRange parts,
                 RankedTensorType outType, double scale) {
  MLIRContext *ctx = b.getContext();
  int64_t r = outType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d + 1 < r; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  AffineMap partMap = AffineMap::get(r, 0, exprs, ctx);
  SmallVector<AffineMap> maps(parts.size(), partMap);
  maps.push_back(AffineMap::getMultiDimIdentityMap(r, ctx));
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  Type elt = outType.getElementType();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, parts,
      ValueRange{createEmpty(b, loc, outType)}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value v = args[0];
        if (parts.size() == 2) {
          Value c = linalg::IndexOp::create(nb, nl, r - 1);
          Value isRe =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, c,
                                    arith::ConstantIndexOp::create(nb, nl, 0));
          v = arith::SelectOp::create(nb, nl, isRe, args[0], args[1]);
        }
        if (scale != 1.0)
          v = arith::MulFOp::create(nb, nl, v,
                                    createScalar(nb, nl, v.getType(), scale));
        if (v.getType() != elt)
          v = arith::TruncFOp::create(nb, nl, elt, v);
        linalg::YieldOp::create(nb, nl, v);
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// DFT
//===----------------------------------------------------------------------===//

/// The DFT of static `x` ([..., C], C = 1 real or 2 complex) along `axis`
/// with length `n`, as `outType`.
Value buildDFT(OpBuilder &b, Location loc, Value x, RankedTensorType outType,
               int64_t axis, int64_t n, bool inverse, bool onesided) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t r = xType.getRank();
  int64_t channels = xType.getShape().back();
  Type elt = xType.getElementType();
  Type ct = computeType(elt);
  bool irfft = inverse && onesided;
  // Input samples past the transform length are dropped (zero padding is
  // implicit: the reduction only visits the first m).
  int64_t m = std::min(xType.getDimSize(axis), irfft ? n / 2 + 1 : n);
  SmallVector<int64_t> partShape(xType.getShape().drop_back());
  partShape[axis] = m;
  auto partType = RankedTensorType::get(partShape, elt);
  SmallVector<OpFoldResult> offsets(r, b.getIndexAttr(0)), sizes,
      strides(r, b.getIndexAttr(1));
  for (int64_t d : partShape)
    sizes.push_back(b.getIndexAttr(d));
  sizes.push_back(b.getIndexAttr(1));
  SmallVector<Value> parts;
  for (int64_t c = 0; c < channels; ++c) {
    offsets[r - 1] = b.getIndexAttr(c);
    parts.push_back(tensor::ExtractSliceOp::create(b, loc, partType, x, offsets,
                                                   sizes, strides));
  }
  // Iteration space: the result dims but the last, then the input sample
  // (reduction) that replaces dim `axis` in the input map.
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t d = 0; d + 1 < r; ++d) {
    inExprs.push_back(getAffineDimExpr(d == axis ? r - 1 : d, ctx));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  AffineMap inMap = AffineMap::get(r, 0, inExprs, ctx);
  AffineMap outMap = AffineMap::get(r, 0, outExprs, ctx);
  int numOut = irfft ? 1 : 2;
  auto accType = RankedTensorType::get(outType.getShape().drop_back(), ct);
  Value init = createFilled(b, loc, accType, createScalar(b, loc, ct, 0));
  SmallVector<AffineMap> maps(parts.size(), inMap);
  maps.append(numOut, outMap);
  SmallVector<utils::IteratorType> iters(r - 1, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value cosT = twiddleTable(b, loc, ct, n, /*sine=*/false);
  Value sinT = twiddleTable(b, loc, ct, n, /*sine=*/true);
  SmallVector<Type> accTypes(numOut, accType);
  SmallVector<Value> inits(numOut, init);
  auto generic = linalg::GenericOp::create(
      b, loc, accTypes, parts, inits, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value xr = extendTo(nb, nl, args[0], ct);
        Value xi = channels == 2 ? extendTo(nb, nl, args[1], ct)
                                 : createScalar(nb, nl, ct, 0);
        ValueRange acc = args.drop_front(channels);
        Value k = linalg::IndexOp::create(nb, nl, axis);
        Value s = linalg::IndexOp::create(nb, nl, r - 1);
        Value j =
            arith::RemUIOp::create(nb, nl, arith::MulIOp::create(nb, nl, k, s),
                                   arith::ConstantIndexOp::create(nb, nl, n));
        Value c = tensor::ExtractOp::create(nb, nl, cosT, ValueRange{j});
        Value sn = tensor::ExtractOp::create(nb, nl, sinT, ValueRange{j});
        auto mul = [&](Value a, Value bb) {
          return arith::MulFOp::create(nb, nl, a, bb).getResult();
        };
        auto add = [&](Value a, Value bb) {
          return arith::AddFOp::create(nb, nl, a, bb).getResult();
        };
        auto sub = [&](Value a, Value bb) {
          return arith::SubFOp::create(nb, nl, a, bb).getResult();
        };
        if (irfft) {
          // The full spectrum is Hermitian: bins 1..ceil(n/2)-1 count twice,
          // and the imaginary parts of bins 0 and n/2 drop out.
          Value edge = arith::OrIOp::create(
              nb, nl,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, s,
                                    arith::ConstantIndexOp::create(nb, nl, 0)),
              arith::CmpIOp::create(
                  nb, nl, arith::CmpIPredicate::eq,
                  arith::MulIOp::create(
                      nb, nl, s, arith::ConstantIndexOp::create(nb, nl, 2)),
                  arith::ConstantIndexOp::create(nb, nl, n)));
          Value wc =
              arith::SelectOp::create(nb, nl, edge, createScalar(nb, nl, ct, 1),
                                      createScalar(nb, nl, ct, 2));
          Value ws =
              arith::SelectOp::create(nb, nl, edge, createScalar(nb, nl, ct, 0),
                                      createScalar(nb, nl, ct, 2));
          Value re = sub(mul(wc, mul(xr, c)), mul(ws, mul(xi, sn)));
          linalg::YieldOp::create(nb, nl, ValueRange{add(acc[0], re)});
          return;
        }
        Value re, im;
        if (inverse) { // e^{+j theta}
          re = sub(mul(xr, c), mul(xi, sn));
          im = add(mul(xi, c), mul(xr, sn));
        } else { // e^{-j theta}
          re = add(mul(xr, c), mul(xi, sn));
          im = sub(mul(xi, c), mul(xr, sn));
        }
        linalg::YieldOp::create(nb, nl,
                                ValueRange{add(acc[0], re), add(acc[1], im)});
      });
  return interleave(b, loc, generic.getResults(), outType,
                    inverse ? 1.0 / double(n) : 1.0);
}

struct DFTLowering : OpConversionPattern<onnx::DFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::DFTOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    auto xType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!xType || !xType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static input");
    int64_t r = xType.getRank();
    if (r < 2 || (xType.getShape().back() != 1 && xType.getShape().back() != 2))
      return op.emitError("DFT: the input's last dim must be 1 (real) or 2 "
                          "(complex)");
    if (type->getRank() != r)
      return op.emitError("DFT: the result rank differs from the input's");
    bool inverse = op.getInverse() != 0, onesided = op.getOnesided() != 0;
    bool irfft = inverse && onesided;
    Location loc = op.getLoc();

    // The axes and lengths that the input allows.
    SmallVector<int64_t> axes;
    bool axisAtRunTime = false;
    if (isa<NoneType>(op.getAxis().getType())) {
      axes.push_back(r - 2);
    } else if (auto c = getConstantInts(op.getAxis()); succeeded(c)) {
      if (c->size() != 1)
        return op.emitError("DFT: axis must be a scalar");
      int64_t a = (*c)[0] < 0 ? (*c)[0] + r : (*c)[0];
      if (a < 0 || a > r - 2)
        return op.emitError("DFT: axis ")
               << (*c)[0] << " is out of range for rank " << r;
      axes.push_back(a);
    } else {
      if (!isScalarTensor(adaptor.getAxis()))
        return op.emitError("DFT: axis must be a scalar");
      axisAtRunTime = true;
      for (int64_t a = 0; a + 1 < r; ++a)
        axes.push_back(a);
    }
    std::optional<int64_t> fixedLength;
    bool lengthAtRunTime = false;
    if (!isa<NoneType>(op.getDftLength().getType())) {
      if (auto c = getConstantInts(op.getDftLength()); succeeded(c)) {
        if (c->size() != 1)
          return op.emitError("DFT: dft_length must be a scalar");
        fixedLength = (*c)[0];
      } else {
        if (!isScalarTensor(adaptor.getDftLength()))
          return op.emitError("DFT: dft_length must be a scalar");
        lengthAtRunTime = true;
      }
    }
    // Keep those that produce the declared result shape.
    struct Choice {
      int64_t axis, n;
    };
    SmallVector<Choice> choices;
    for (int64_t a : axes) {
      int64_t len = xType.getDimSize(a), k = type->getDimSize(a);
      SmallVector<int64_t> ns;
      if (fixedLength)
        ns.push_back(*fixedLength);
      else if (!lengthAtRunTime)
        ns.push_back(irfft ? 2 * (len - 1) : len);
      else if (!inverse && onesided)
        ns.append({2 * (k - 1), 2 * k - 1});
      else
        ns.push_back(k);
      for (int64_t n : ns) {
        if (n < 1)
          continue;
        SmallVector<int64_t> expected(xType.getShape());
        expected[a] = (!inverse && onesided) ? n / 2 + 1 : n;
        expected[r - 1] = irfft ? 1 : 2;
        if (ArrayRef<int64_t>(expected) == type->getShape())
          choices.push_back({a, n});
      }
    }
    if (choices.empty())
      return op.emitError("DFT: no axis and dft_length give the declared "
                          "result shape");

    // Check the run-time values; pick the lowering by them.
    SmallVector<Value> conds;
    if (axisAtRunTime || lengthAtRunTime) {
      Value axisV, lengthV;
      if (axisAtRunTime) {
        axisV = scalarI64(rewriter, loc, adaptor.getAxis());
        Value neg = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::slt, axisV,
            createIntScalar(rewriter, loc, axisV.getType(), 0));
        axisV = arith::SelectOp::create(
            rewriter, loc, neg,
            arith::AddIOp::create(
                rewriter, loc, axisV,
                createIntScalar(rewriter, loc, axisV.getType(), r)),
            axisV);
      }
      if (lengthAtRunTime)
        lengthV = scalarI64(rewriter, loc, adaptor.getDftLength());
      Value any;
      for (const Choice &ch : choices) {
        Value cond;
        if (axisV)
          cond = cmpEq(rewriter, loc, axisV, ch.axis);
        if (lengthV) {
          Value l = cmpEq(rewriter, loc, lengthV, ch.n);
          cond = cond ? arith::AndIOp::create(rewriter, loc, cond, l) : l;
        }
        conds.push_back(cond);
        any = any ? arith::OrIOp::create(rewriter, loc, any, cond) : cond;
      }
      emitRuntimeCheck(
          rewriter, loc, op, any,
          "the run-time axis and dft_length must give the declared "
          "result shape");
    } else {
      conds.push_back(Value());
    }
    Value x = adaptor.getInput();
    Value y = chooseAmong(rewriter, loc, *type, conds,
                          [&](OpBuilder &b, Location l, size_t i) {
                            return buildDFT(b, l, x, *type, choices[i].axis,
                                            choices[i].n, inverse, onesided);
                          });
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// STFT
//===----------------------------------------------------------------------===//

/// Frames of `signal` ([B, L, C]) at run-time `step` (index), `t` samples
/// each (zero past the end), times `window` (or 1 when null), DFT'd to
/// `outType`
/// ([B, F, K, 2]).
Value buildSTFT(OpBuilder &b, Location loc, Value signal, Value window,
                Value step, RankedTensorType outType, int64_t t) {
  MLIRContext *ctx = b.getContext();
  auto sType = cast<RankedTensorType>(signal.getType());
  int64_t len = sType.getDimSize(1), channels = sType.getDimSize(2);
  Type ct = computeType(sType.getElementType());
  auto accType = RankedTensorType::get(outType.getShape().drop_back(), ct);
  Value init = createFilled(b, loc, accType, createScalar(b, loc, ct, 0));
  // (b, f, k, n): n is the sample within the frame (reduction).
  AffineMap outMap =
      AffineMap::get(4, 0,
                     {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx),
                      getAffineDimExpr(2, ctx)},
                     ctx);
  // No window: a rectangular one (the reduction dim needs an operand).
  if (!window) {
    auto wType = RankedTensorType::get({t}, ct);
    window = arith::ConstantOp::create(
        b, loc, wType, DenseElementsAttr::get(wType, FloatAttr::get(ct, 1.0)));
  }
  SmallVector<Value> inputs = {window};
  SmallVector<AffineMap> maps = {
      AffineMap::get(4, 0, {getAffineDimExpr(3, ctx)}, ctx), outMap, outMap};
  SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value cosT = twiddleTable(b, loc, ct, t, /*sine=*/false);
  Value sinT = twiddleTable(b, loc, ct, t, /*sine=*/true);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{accType, accType}, inputs, ValueRange{init, init}, maps,
      iters, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value bi = linalg::IndexOp::create(nb, nl, 0);
        Value f = linalg::IndexOp::create(nb, nl, 1);
        Value k = linalg::IndexOp::create(nb, nl, 2);
        Value n = linalg::IndexOp::create(nb, nl, 3);
        Value idx = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(nb, nl, f, step), n);
        Value last = arith::ConstantIndexOp::create(nb, nl, len - 1);
        Value inside =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ule, idx, last);
        Value at = arith::MinUIOp::create(nb, nl, idx, last);
        Value zero = createScalar(nb, nl, ct, 0);
        auto sample = [&](int64_t c) -> Value {
          if (c >= channels)
            return zero;
          Value v = tensor::ExtractOp::create(
              nb, nl, signal,
              ValueRange{bi, at, arith::ConstantIndexOp::create(nb, nl, c)});
          v = extendTo(nb, nl, v, ct);
          return arith::SelectOp::create(nb, nl, inside, v, zero);
        };
        Value w = extendTo(nb, nl, args[0], ct);
        Value xr = arith::MulFOp::create(nb, nl, sample(0), w);
        Value xi = arith::MulFOp::create(nb, nl, sample(1), w);
        ValueRange acc = args.drop_front(1);
        Value j =
            arith::RemUIOp::create(nb, nl, arith::MulIOp::create(nb, nl, k, n),
                                   arith::ConstantIndexOp::create(nb, nl, t));
        Value c = tensor::ExtractOp::create(nb, nl, cosT, ValueRange{j});
        Value s = tensor::ExtractOp::create(nb, nl, sinT, ValueRange{j});
        auto mul = [&](Value a, Value bb) {
          return arith::MulFOp::create(nb, nl, a, bb).getResult();
        };
        Value re = arith::AddFOp::create(nb, nl, mul(xr, c), mul(xi, s));
        Value im = arith::SubFOp::create(nb, nl, mul(xi, c), mul(xr, s));
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{arith::AddFOp::create(nb, nl, acc[0], re),
                       arith::AddFOp::create(nb, nl, acc[1], im)});
      });
  return interleave(b, loc, generic.getResults(), outType, 1.0);
}

struct STFTLowering : OpConversionPattern<onnx::STFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::STFTOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    auto sType = dyn_cast<RankedTensorType>(adaptor.getSignal().getType());
    if (!sType || !sType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static signal");
    if (sType.getRank() != 3 ||
        (sType.getDimSize(2) != 1 && sType.getDimSize(2) != 2))
      return op.emitError("STFT: the signal must be [batch, length, 1 or 2]");
    if (!isScalarTensor(adaptor.getFrameStep()))
      return op.emitError("STFT: frame_step must be a scalar");
    int64_t len = sType.getDimSize(1);
    bool onesided = op.getOnesided() != 0;
    Location loc = op.getLoc();
    Value window;
    bool hasLength = !isa<NoneType>(op.getFrameLength().getType());
    if (hasLength && !isScalarTensor(adaptor.getFrameLength()))
      return op.emitError("STFT: frame_length must be a scalar");
    // The frame lengths the inputs allow.
    SmallVector<int64_t> lengths;
    std::optional<int64_t> constLength;
    if (hasLength)
      if (auto c = getConstantInts(op.getFrameLength()); succeeded(c))
        constLength = (*c)[0];
    if (!isa<NoneType>(op.getWindow().getType())) {
      window = adaptor.getWindow();
      auto wType = dyn_cast<RankedTensorType>(window.getType());
      if (!wType || !wType.hasStaticShape() || wType.getRank() != 1)
        return op.emitError("STFT: window must be a static 1-D tensor");
      lengths.push_back(wType.getDimSize(0));
      if (constLength && *constLength != lengths[0])
        return op.emitError("STFT: frame_length differs from the window's "
                            "length");
    } else if (constLength) {
      lengths.push_back(*constLength);
    } else if (!hasLength) {
      lengths.push_back(len);
    } else {
      int64_t k = type->getRank() == 4 ? type->getDimSize(2) : 0;
      if (onesided)
        lengths.append({2 * (k - 1), 2 * k - 1});
      else
        lengths.push_back(k);
    }
    // Keep those that give the declared result shape.
    SmallVector<int64_t> choices;
    for (int64_t t : lengths) {
      if (t < 1 || t > len)
        continue;
      SmallVector<int64_t> expected = {
          sType.getDimSize(0),
          type->getRank() == 4 ? type->getDimSize(1) : ShapedType::kDynamic,
          onesided ? t / 2 + 1 : t, 2};
      if (ArrayRef<int64_t>(expected) == type->getShape())
        choices.push_back(t);
    }
    if (choices.empty())
      return op.emitError("STFT: no frame length gives the declared result "
                          "shape");
    int64_t frames = type->getDimSize(1);

    // Run-time checks: the step is positive, the frame length is one of the
    // choices, and the frame count is floor((L - T) / step) + 1.
    Value step = scalarI64(rewriter, loc, adaptor.getFrameStep());
    Type i64 = rewriter.getI64Type();
    emitRuntimeCheck(
        rewriter, loc, op,
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sgt, step,
                              createIntScalar(rewriter, loc, i64, 0)),
        "frame_step must be positive");
    Value lengthV;
    if (hasLength && !constLength)
      lengthV = scalarI64(rewriter, loc, adaptor.getFrameLength());
    SmallVector<Value> conds;
    Value any;
    for (int64_t t : choices) {
      Value cond = lengthV ? cmpEq(rewriter, loc, lengthV, t) : Value();
      Value count = arith::AddIOp::create(
          rewriter, loc,
          arith::DivSIOp::create(rewriter, loc,
                                 createIntScalar(rewriter, loc, i64, len - t),
                                 step),
          createIntScalar(rewriter, loc, i64, 1));
      Value fits = cmpEq(rewriter, loc, count, frames);
      conds.push_back(cond);
      Value both =
          cond ? arith::AndIOp::create(rewriter, loc, cond, fits) : fits;
      any = any ? arith::OrIOp::create(rewriter, loc, any, both) : both;
    }
    emitRuntimeCheck(
        rewriter, loc, op, any,
        "frame_step and frame_length must give the declared result "
        "shape");
    Value stepIdx = arith::IndexCastOp::create(rewriter, loc,
                                               rewriter.getIndexType(), step);
    Value signal = adaptor.getSignal();
    Value y = chooseAmong(
        rewriter, loc, *type, conds, [&](OpBuilder &b, Location l, size_t i) {
          return buildSTFT(b, l, signal, window, stepIdx, *type, choices[i]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// HannWindow, HammingWindow, BlackmanWindow
//===----------------------------------------------------------------------===//

/// w[n] = a0 - a1 cos(2 pi n / D) + a2 cos(4 pi n / D), D = N (periodic) or
/// N - 1: a constant of the declared length N, the run-time size asserted.
template <typename OpTy> struct WindowLowering : OpConversionPattern<OpTy> {
  WindowLowering(TypeConverter &tc, MLIRContext *ctx, double a0, double a1,
                 double a2)
      : OpConversionPattern<OpTy>(tc, ctx), a0(a0), a1(a1), a2(a2) {}
  double a0, a1, a2;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    if (type->getRank() != 1)
      return op.emitError() << op->getName() << ": needs a 1-D result";
    if (!isScalarTensor(adaptor.getSize()))
      return op.emitError() << op->getName() << ": size must be a scalar";
    int64_t n = type->getDimSize(0);
    Location loc = op.getLoc();
    if (auto c = getConstantInts(op.getSize()); succeeded(c)) {
      if ((*c)[0] != n)
        return op.emitError() << op->getName() << ": size " << (*c)[0]
                              << " differs from the result length " << n;
    } else {
      Value size = scalarI64(rewriter, loc, adaptor.getSize());
      emitRuntimeCheck(rewriter, loc, op, cmpEq(rewriter, loc, size, n),
                       "size must be " + Twine(n) +
                           " (the declared output length)");
    }
    double d = op.getPeriodic() ? double(n) : double(n - 1);
    Type elt = type->getElementType();
    SmallVector<Attribute> vals;
    for (int64_t i = 0; i < n; ++i) {
      double v = a0 - a1 * std::cos(2 * M_PI * double(i) / d) +
                 a2 * std::cos(4 * M_PI * double(i) / d);
      if (isa<FloatType>(elt)) {
        vals.push_back(FloatAttr::get(elt, v));
      } else {
        // astype: truncation toward zero.
        int64_t iv = std::isfinite(v) ? int64_t(std::trunc(v)) : 0;
        vals.push_back(IntegerAttr::get(elt, iv));
      }
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, *type, DenseElementsAttr::get(*type, vals));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// MelWeightMatrix
//===----------------------------------------------------------------------===//

struct MelWeightMatrixLowering : OpConversionPattern<onnx::MelWeightMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::MelWeightMatrixOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    if (type->getRank() != 2)
      return op.emitError("MelWeightMatrix: needs a 2-D result");
    for (Value v : adaptor.getOperands())
      if (!isScalarTensor(v))
        return op.emitError("MelWeightMatrix: inputs must be scalars");
    int64_t bins = type->getDimSize(0), mels = type->getDimSize(1);
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value numMel = scalarI64(b, loc, adaptor.getNumMelBins());
    Value dftLength = scalarI64(b, loc, adaptor.getDftLength());
    emitRuntimeCheck(b, loc, op, cmpEq(b, loc, numMel, mels),
                     "num_mel_bins must be " + Twine(mels) +
                         " (the declared output shape)");
    Type i64 = b.getI64Type(), f64 = b.getF64Type();
    Value half = arith::DivSIOp::create(b, loc, dftLength,
                                        createIntScalar(b, loc, i64, 2));
    emitRuntimeCheck(b, loc, op, cmpEq(b, loc, half, bins - 1),
                     "dft_length / 2 + 1 must be " + Twine(bins) +
                         " (the declared output shape)");
    // Band edges on the mel scale, in f64 as the reference computes them.
    auto cst = [&](double v) { return createScalar(b, loc, f64, v); };
    auto mel = [&](Value hz) -> Value {
      Value l = math::Log1pOp::create(
          b, loc, arith::DivFOp::create(b, loc, hz, cst(700)));
      return arith::DivFOp::create(b, loc,
                                   arith::MulFOp::create(b, loc, cst(2595), l),
                                   cst(std::log(10.0)));
    };
    Value lowMel = mel(scalarF64(b, loc, adaptor.getLowerEdgeHertz()));
    Value highMel = mel(scalarF64(b, loc, adaptor.getUpperEdgeHertz()));
    Value melStep = arith::DivFOp::create(
        b, loc, arith::SubFOp::create(b, loc, highMel, lowMel),
        cst(double(mels + 2)));
    Value dftPlus1 = arith::SIToFPOp::create(
        b, loc, f64,
        arith::AddIOp::create(b, loc, dftLength,
                              createIntScalar(b, loc, i64, 1)));
    Value rate = scalarF64(b, loc, adaptor.getSampleRate());
    // The M + 2 band edges as spectrogram bins.
    auto edgesType = RankedTensorType::get({mels + 2}, i64);
    Value edges = createElementwise(
        b, loc, ValueRange{}, edgesType,
        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
          Value i = arith::SIToFPOp::create(
              nb, nl, f64,
              arith::IndexCastOp::create(nb, nl, i64,
                                         linalg::IndexOp::create(nb, nl, 0)));
          Value m = arith::AddFOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, i, melStep), lowMel);
          Value hz = arith::MulFOp::create(
              nb, nl, createScalar(nb, nl, f64, 700),
              math::ExpM1Op::create(
                  nb, nl,
                  arith::MulFOp::create(
                      nb, nl,
                      arith::DivFOp::create(nb, nl, m,
                                            createScalar(nb, nl, f64, 2595)),
                      createScalar(nb, nl, f64, std::log(10.0)))));
          Value bin = math::FloorOp::create(
              nb, nl,
              arith::DivFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, dftPlus1, hz), rate));
          return arith::FPToSIOp::create(nb, nl, i64, bin);
        });
    // Triangles: rising from edge i to edge i+1, falling to edge i+2.
    Type onnxElt = cast<ShapedType>(op.getOutput().getType()).getElementType();
    Value y = createElementwise(
        b, loc, ValueRange{}, *type,
        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
          Value j = arith::IndexCastOp::create(
              nb, nl, i64, linalg::IndexOp::create(nb, nl, 0));
          Value i = linalg::IndexOp::create(nb, nl, 1);
          auto edge = [&](int64_t off) -> Value {
            Value at = arith::AddIOp::create(
                nb, nl, i, arith::ConstantIndexOp::create(nb, nl, off));
            return tensor::ExtractOp::create(nb, nl, edges, ValueRange{at});
          };
          Value lo = edge(0), ce = edge(1), hi = edge(2);
          auto cmp = [&](arith::CmpIPredicate p, Value a, Value c) -> Value {
            return arith::CmpIOp::create(nb, nl, p, a, c);
          };
          auto sub = [&](Value a, Value c) -> Value {
            return arith::SIToFPOp::create(nb, nl, f64,
                                           arith::SubIOp::create(nb, nl, a, c));
          };
          using P = arith::CmpIPredicate;
          Value zero = createScalar(nb, nl, f64, 0);
          Value one = createScalar(nb, nl, f64, 1);
          // Rising edge (or a 1 at the centre when it has no width).
          Value rising = arith::SelectOp::create(
              nb, nl,
              arith::AndIOp::create(nb, nl, cmp(P::sge, j, lo),
                                    cmp(P::sle, j, ce)),
              arith::DivFOp::create(nb, nl, sub(j, lo), sub(ce, lo)), zero);
          Value flat =
              arith::SelectOp::create(nb, nl, cmp(P::eq, j, ce), one, zero);
          Value v =
              arith::SelectOp::create(nb, nl, cmp(P::eq, lo, ce), flat, rising);
          // Falling edge, written last.
          Value falling =
              arith::DivFOp::create(nb, nl, sub(hi, j), sub(hi, ce));
          Value onFall = arith::AndIOp::create(
              nb, nl, cmp(P::sgt, hi, ce),
              arith::AndIOp::create(nb, nl, cmp(P::sge, j, ce),
                                    cmp(P::slt, j, hi)));
          v = arith::SelectOp::create(nb, nl, onFall, falling, v);
          return castScalar(nb, nl, v, f64, onnxElt);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateSignalPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<DFTLowering, STFTLowering, MelWeightMatrixLowering>(tc, ctx);
  patterns.add<WindowLowering<onnx::HannWindowOp>>(tc, ctx, 0.5, 0.5, 0.0);
  patterns.add<WindowLowering<onnx::HammingWindowOp>>(tc, ctx, 25.0 / 46.0,
                                                      21.0 / 46.0, 0.0);
  patterns.add<WindowLowering<onnx::BlackmanWindowOp>>(tc, ctx, 0.42, 0.5,
                                                       0.08);
}

} // namespace kiln::tolinalg
