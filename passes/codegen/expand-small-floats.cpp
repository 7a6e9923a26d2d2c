//===- expand-small-floats.cpp - kiln-expand-small-floats -----------------===//
//
// arith.truncf to bf16/float8/float4 and arith.extf from them become
// integer arithmetic on the bit patterns, so the generated code needs no
// conversion builtins (__truncsfbf2 and the like) and LLVM never sees a
// float8 operation. Rounding is to nearest, ties to even; out-of-range values
// become infinity where the type has one, else NaN, else (float4) the
// largest finite value. arith.select of such values selects their bit
// patterns: LLVM legalizes a select of an odd-length bf16 vector on x86 by
// widening it through f32, which calls __truncsfbf2.
//
//===----------------------------------------------------------------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_EXPANDSMALLFLOATSPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using llvm::APFloat;

namespace {

/// How NaN is encoded.
enum class NaNKind {
  IEEE,    // all-ones exponent, non-zero mantissa (bf16, float8e5m2)
  AllOnes, // all-ones magnitude (float8e4m3fn)
  NegZero, // the negative-zero pattern (the FNUZ types)
  None     // no NaN (float4e2m1)
};

/// What the expansions need to know about a narrow float type.
struct Format {
  unsigned width;    // bits
  unsigned mantissa; // explicit mantissa bits
  int minExp;        // exponent of the smallest normal number
  int bias;
  NaNKind nan;
  bool hasInf, negZero;
  uint64_t maxFinite, nanBits, infBits;
};

std::optional<Format> getFormat(Type type) {
  NaNKind nan;
  if (isa<BFloat16Type, Float8E5M2Type>(type))
    nan = NaNKind::IEEE;
  else if (isa<Float8E4M3FNType>(type))
    nan = NaNKind::AllOnes;
  else if (isa<Float8E4M3FNUZType, Float8E5M2FNUZType>(type))
    nan = NaNKind::NegZero;
  else if (isa<Float4E2M1FNType>(type))
    nan = NaNKind::None;
  else
    return std::nullopt;
  const llvm::fltSemantics &sem = cast<FloatType>(type).getFloatSemantics();
  Format f;
  f.width = APFloat::semanticsSizeInBits(sem);
  f.mantissa = APFloat::semanticsPrecision(sem) - 1;
  f.minExp = APFloat::semanticsMinExponent(sem);
  f.bias = 1 - f.minExp;
  f.nan = nan;
  f.hasInf = APFloat::semanticsHasInf(sem);
  f.negZero = nan != NaNKind::NegZero;
  f.maxFinite = APFloat::getLargest(sem).bitcastToAPInt().getZExtValue();
  f.nanBits = nan == NaNKind::None
                  ? 0
                  : APFloat::getQNaN(sem).bitcastToAPInt().getZExtValue();
  f.infBits =
      f.hasInf ? APFloat::getInf(sem).bitcastToAPInt().getZExtValue() : 0;
  return f;
}

/// `type` (scalar or vector) with element type `elt`.
Type withElement(Type type, Type elt) {
  if (auto v = dyn_cast<VectorType>(type))
    return v.clone(elt);
  return elt;
}

/// Builds integer/float arithmetic on scalars or vectors of one shape.
struct Builder {
  PatternRewriter &b;
  Location loc;
  Type shapeLike; // the op's operand type: gives the vector shape

  Type intTy(unsigned bits) {
    return withElement(shapeLike, b.getIntegerType(bits));
  }
  Value cst(Type type, uint64_t v) {
    Type elt = getElementTypeOrSelf(type);
    TypedAttr attr;
    if (auto f = dyn_cast<FloatType>(elt))
      attr = b.getFloatAttr(
          f, APFloat(f.getFloatSemantics(), APInt(f.getWidth(), v)));
    else
      attr = b.getIntegerAttr(elt, APInt(elt.getIntOrFloatBitWidth(), v));
    if (auto vt = dyn_cast<VectorType>(type))
      attr = SplatElementsAttr::get(vt, attr);
    return arith::ConstantOp::create(b, loc, type, attr);
  }
  Value icst(Value like, uint64_t v) { return cst(like.getType(), v); }
  Value andI(Value x, uint64_t m) {
    return arith::AndIOp::create(b, loc, x, icst(x, m));
  }
  Value shr(Value x, uint64_t s) {
    return arith::ShRUIOp::create(b, loc, x, icst(x, s));
  }
  Value shl(Value x, uint64_t s) {
    return arith::ShLIOp::create(b, loc, x, icst(x, s));
  }
  Value cmp(arith::CmpIPredicate p, Value x, uint64_t v) {
    return arith::CmpIOp::create(b, loc, p, x, icst(x, v));
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
};

/// arith.truncf (f16/bf16/f32/f64) -> bf16/float8/float4, rounding to
/// nearest even.
struct ExpandTruncF : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Type resElt = getElementTypeOrSelf(op.getType());
    std::optional<Format> fmt = getFormat(resElt);
    if (!fmt)
      return failure();
    if (op.getRoundingmodeAttr() &&
        *op.getRoundingmode() != arith::RoundingMode::to_nearest_even)
      return rewriter.notifyMatchFailure(op, "only round-to-nearest-even");
    Location loc = op.getLoc();
    Value in = op.getIn();
    Type inElt = getElementTypeOrSelf(in.getType());
    // Narrow sources are first widened exactly to f32.
    if (!inElt.isF32() && !inElt.isF64()) {
      if (inElt.getIntOrFloatBitWidth() > 32)
        return rewriter.notifyMatchFailure(op, "unsupported source type");
      in = arith::ExtFOp::create(
          rewriter, loc, withElement(in.getType(), rewriter.getF32Type()), in);
      inElt = rewriter.getF32Type();
    }
    const llvm::fltSemantics &srcSem =
        cast<FloatType>(inElt).getFloatSemantics();
    unsigned w = APFloat::semanticsSizeInBits(srcSem);
    unsigned srcMant = APFloat::semanticsPrecision(srcSem) - 1;
    int srcBias = 1 - APFloat::semanticsMinExponent(srcSem);
    const Format &f = *fmt;
    Builder b{rewriter, loc, in.getType()};
    Type iw = b.intTy(w), in_ = b.intTy(f.width);
    using P = arith::CmpIPredicate;

    Value x = arith::BitcastOp::create(rewriter, loc, iw, in);
    uint64_t signMask = uint64_t(1) << (w - 1);
    Value a = b.andI(x, signMask - 1); // |x| bits
    Value absF = arith::BitcastOp::create(rewriter, loc, in.getType(), a);

    // Normal results: round the mantissa to nearest even in the integer
    // domain, then rebias the exponent.
    unsigned shift = srcMant - f.mantissa;
    Value lsb = b.andI(b.shr(a, shift), 1);
    Value r = arith::AddIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, a, lsb),
        b.icst(a, (uint64_t(1) << (shift - 1)) - 1));
    Value normal = arith::SubIOp::create(
        rewriter, loc, b.shr(r, shift),
        b.icst(a, uint64_t(srcBias - f.bias) << f.mantissa));
    Value overflow = b.cmp(P::ugt, normal, f.maxFinite);
    uint64_t ovfBits = f.hasInf                 ? f.infBits
                       : f.nan != NaNKind::None ? f.nanBits
                                                : f.maxFinite;
    normal = b.sel(overflow, b.icst(a, ovfBits), normal);

    // Results below the smallest normal: |x| + C rounds (in hardware, to
    // nearest even) to a multiple of the target's subnormal step, C being
    // the power of two whose ulp is that step.
    APFloat c(
        srcSem,
        APInt(w, uint64_t(f.minExp - int(f.mantissa) + int(srcMant) + srcBias)
                     << srcMant));
    Value cF = b.cst(in.getType(), c.bitcastToAPInt().getZExtValue());
    Value sum = arith::AddFOp::create(rewriter, loc, absF, cF);
    Value sub = arith::SubIOp::create(
        rewriter, loc, arith::BitcastOp::create(rewriter, loc, iw, sum),
        b.icst(a, c.bitcastToAPInt().getZExtValue()));
    uint64_t minNormalBits = uint64_t(f.minExp + srcBias) << srcMant;
    Value isSub = b.cmp(P::ult, a, minNormalBits);
    Value mag =
        arith::TruncIOp::create(rewriter, loc, in_, b.sel(isSub, sub, normal));

    // Sign, -0 where the type has none, NaN.
    Value sign =
        arith::TruncIOp::create(rewriter, loc, in_, b.shr(x, w - f.width));
    sign = b.andI(sign, uint64_t(1) << (f.width - 1));
    Value res = arith::OrIOp::create(rewriter, loc, mag, sign);
    if (!f.negZero)
      res = b.sel(b.cmp(P::eq, mag, 0), mag, res);
    Value isNaN =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, in, in);
    uint64_t nanRes = f.nan == NaNKind::None ? 0 : f.nanBits;
    if (f.nan == NaNKind::IEEE || f.nan == NaNKind::AllOnes)
      res = b.sel(
          isNaN, arith::OrIOp::create(rewriter, loc, sign, b.icst(res, nanRes)),
          res);
    else
      res = b.sel(isNaN, b.icst(res, nanRes), res);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), res);
    return success();
  }
};

/// arith.extf float8/float4 -> f16/bf16/f32/f64 (exact).
struct ExpandExtF : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    Type srcElt = getElementTypeOrSelf(op.getIn().getType());
    std::optional<Format> fmt = getFormat(srcElt);
    if (!fmt || srcElt.isBF16()) // bf16: ExpandExtFBF16
      return failure();
    const Format &f = *fmt;
    Location loc = op.getLoc();
    Builder b{rewriter, loc, op.getIn().getType()};
    using P = arith::CmpIPredicate;
    Type i32 = b.intTy(32),
         f32 = withElement(op.getType(), rewriter.getF32Type());
    Value bits =
        arith::BitcastOp::create(rewriter, loc, b.intTy(f.width), op.getIn());
    Value x = arith::ExtUIOp::create(rewriter, loc, i32, bits);
    uint64_t signBit = uint64_t(1) << (f.width - 1);
    uint64_t expMask = (uint64_t(1) << (f.width - 1 - f.mantissa)) - 1;
    Value e = b.andI(b.shr(x, f.mantissa), expMask);
    Value m = b.andI(x, (uint64_t(1) << f.mantissa) - 1);
    // Normal: rebias the exponent, widen the mantissa.
    Value normal = arith::OrIOp::create(
        rewriter, loc,
        b.shl(arith::AddIOp::create(rewriter, loc, e,
                                    b.icst(e, uint64_t(127 - f.bias))),
              23),
        b.shl(m, 23 - f.mantissa));
    // Subnormal: m * 2^(minExp - mantissa), exact in f32.
    Value mF = arith::UIToFPOp::create(rewriter, loc, f32, m);
    APFloat step(std::ldexp(1.0f, f.minExp - int(f.mantissa)));
    Value subF = arith::MulFOp::create(
        rewriter, loc, mF, b.cst(f32, step.bitcastToAPInt().getZExtValue()));
    Value sub = arith::BitcastOp::create(rewriter, loc, i32, subF);
    Value mag = b.sel(b.cmp(P::eq, e, 0), sub, normal);
    Value sign = b.shl(b.andI(x, signBit), 32 - f.width);
    Value res = arith::OrIOp::create(rewriter, loc, mag, sign);
    Value isNaN;
    switch (f.nan) {
    case NaNKind::IEEE:
      isNaN = arith::AndIOp::create(rewriter, loc, b.cmp(P::eq, e, expMask),
                                    b.cmp(P::ne, m, 0));
      break;
    case NaNKind::AllOnes:
      isNaN = b.cmp(P::eq, b.andI(x, signBit - 1), signBit - 1);
      break;
    case NaNKind::NegZero:
      isNaN = b.cmp(P::eq, x, signBit);
      break;
    case NaNKind::None:
      break;
    }
    if (f.hasInf) {
      Value isInf = arith::AndIOp::create(
          rewriter, loc, b.cmp(P::eq, e, expMask), b.cmp(P::eq, m, 0));
      res = b.sel(
          isInf,
          arith::OrIOp::create(rewriter, loc, sign, b.icst(res, 0x7f800000)),
          res);
    }
    if (isNaN)
      res = b.sel(isNaN, b.icst(res, 0x7fc00000), res);
    Value out = arith::BitcastOp::create(rewriter, loc, f32, res);
    if (op.getType() != f32) {
      Type outElt = getElementTypeOrSelf(op.getType());
      // Every float8/float4 value is exact in f16, bf16 and f64.
      if (outElt.getIntOrFloatBitWidth() > 32)
        out = arith::ExtFOp::create(rewriter, loc, op.getType(), out);
      else
        out = arith::TruncFOp::create(rewriter, loc, op.getType(), out);
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// arith.extf bf16 -> f32/f64: the bits shifted into the high half. Not
/// left to LLVM: from fpext it would narrow f32 operations back to bf16 ones,
/// which need __truncsfbf2 on targets without bf16 arithmetic.
struct ExpandExtFBF16 : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getIn().getType()).isBF16())
      return failure();
    Location loc = op.getLoc();
    Builder b{rewriter, loc, op.getIn().getType()};
    Type f32 = withElement(op.getType(), rewriter.getF32Type());
    Value bits =
        arith::BitcastOp::create(rewriter, loc, b.intTy(16), op.getIn());
    Value x =
        b.shl(arith::ExtUIOp::create(rewriter, loc, b.intTy(32), bits), 16);
    Value out = arith::BitcastOp::create(rewriter, loc, f32, x);
    if (op.getType() != f32)
      out = arith::ExtFOp::create(rewriter, loc, op.getType(), out);
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// arith.extf float8e8m0 -> float: 2^(e - 127), 0xff is NaN.
struct ExpandExtFE8M0 : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<Float8E8M0FNUType>(getElementTypeOrSelf(op.getIn().getType())))
      return failure();
    Location loc = op.getLoc();
    Builder b{rewriter, loc, op.getIn().getType()};
    using P = arith::CmpIPredicate;
    Type i32 = b.intTy(32);
    Type f32 = withElement(op.getType(), rewriter.getF32Type());
    Value bits =
        arith::BitcastOp::create(rewriter, loc, b.intTy(8), op.getIn());
    Value e = arith::ExtUIOp::create(rewriter, loc, i32, bits);
    Value res = b.shl(e, 23);
    res = b.sel(b.cmp(P::eq, e, 0), b.icst(res, 0x00400000), res); // 2^-127
    res = b.sel(b.cmp(P::eq, e, 0xff), b.icst(res, 0x7fc00000), res);
    Value out = arith::BitcastOp::create(rewriter, loc, f32, res);
    if (op.getType() != f32) {
      if (getElementTypeOrSelf(op.getType()).getIntOrFloatBitWidth() > 32)
        out = arith::ExtFOp::create(rewriter, loc, op.getType(), out);
      else // 2^-127..2^127 do not fit f16: round like any f32 value
        out = arith::TruncFOp::create(rewriter, loc, op.getType(), out);
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// arith.truncf float -> float8e8m0: the value must be a power of two
/// already (Cast rounds it per round_mode before): takes the f32 exponent,
/// NaN/Inf -> 0xff.
struct ExpandTruncFE8M0 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<Float8E8M0FNUType>(getElementTypeOrSelf(op.getType())))
      return failure();
    Location loc = op.getLoc();
    Value in = op.getIn();
    if (!getElementTypeOrSelf(in.getType()).isF32())
      in = arith::TruncFOp::create(
          rewriter, loc, withElement(in.getType(), rewriter.getF32Type()), in);
    Builder b{rewriter, loc, in.getType()};
    Value x = arith::BitcastOp::create(rewriter, loc, b.intTy(32), in);
    Value e = arith::TruncIOp::create(rewriter, loc, b.intTy(8),
                                      b.andI(b.shr(x, 23), 0xff));
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), e);
    return success();
  }
};

/// arith.select of bf16/float8/float4 values: a select of the bit patterns.
struct ExpandSelect : OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SelectOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getFormat(getElementTypeOrSelf(type)))
      return failure();
    Location loc = op.getLoc();
    Type intTy = withElement(
        type, rewriter.getIntegerType(
                  getElementTypeOrSelf(type).getIntOrFloatBitWidth()));
    Value t = arith::BitcastOp::create(rewriter, loc, intTy, op.getTrueValue());
    Value f =
        arith::BitcastOp::create(rewriter, loc, intTy, op.getFalseValue());
    Value sel = arith::SelectOp::create(rewriter, loc, op.getCondition(), t, f);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, type, sel);
    return success();
  }
};

struct ExpandSmallFloatsPass
    : kiln::impl::ExpandSmallFloatsPassBase<ExpandSmallFloatsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandTruncF, ExpandExtF, ExpandExtFBF16, ExpandExtFE8M0,
                 ExpandTruncFE8M0, ExpandSelect>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Not a pattern: folding the bitcast would bring the constant back.
    getOperation()->walk([](arith::ConstantOp op) {
      auto elt = dyn_cast<FloatType>(getElementTypeOrSelf(op.getType()));
      if (!elt || elt.getWidth() > 8)
        return;
      OpBuilder b(op);
      Type intElt = b.getIntegerType(elt.getWidth());
      Type intTy = withElement(op.getType(), intElt);
      TypedAttr attr;
      if (auto f = dyn_cast<FloatAttr>(op.getValue()))
        attr = b.getIntegerAttr(intTy, f.getValue().bitcastToAPInt());
      else if (auto d = dyn_cast<DenseFPElementsAttr>(op.getValue()))
        attr = d.bitcast(intElt);
      else
        return;
      Value c = arith::ConstantOp::create(b, op.getLoc(), intTy, attr);
      Value cast = arith::BitcastOp::create(b, op.getLoc(), op.getType(), c);
      op.getResult().replaceAllUsesWith(cast);
      op.erase();
    });
  }
};
} // namespace
