//===- Elementwise.cpp - elementwise math and logic -----------------------===//
//
// Every op here becomes one linalg.generic over the (broadcast) result shape;
// the scalar body is built by a small function per op. Omitted optional
// inputs (`none`) are left out of the generic's inputs; a body sees only the
// inputs that are present, in order.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/Support/MathExtras.h"

#include <functional>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Scalar body: (op, builder, loc, converted scalar operands) -> result.
template <typename OpTy>
using BodyFn = std::function<Value(OpTy, OpBuilder &, Location, ValueRange)>;
/// Precondition on the op: a reason to refuse it, or "" to accept.
template <typename OpTy> using CheckFn = std::function<StringRef(OpTy)>;

bool isIntOrFloatTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.hasStaticShape() && rt.getElementType().isIntOrFloat();
}

/// Lowers an elementwise op whose scalar semantics `fn` gives.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  ElementwiseLowering(TypeConverter &tc, MLIRContext *ctx, BodyFn<OpTy> fn,
                      CheckFn<OpTy> check = nullptr)
      : OpConversionPattern<OpTy>(tc, ctx), fn(std::move(fn)),
        check(std::move(check)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (check) {
      StringRef reason = check(op);
      if (!reason.empty())
        return rewriter.notifyMatchFailure(op, reason);
    }
    auto type = getStaticType(rewriter, op, op->getResult(0).getType());
    if (failed(type))
      return failure();
    if (!type->getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    SmallVector<Value> inputs;
    ValueRange operands = adaptor.getOperands();
    // CastLike's target and Dropout's ratio/training_mode are not data.
    if constexpr (std::is_same_v<OpTy, onnx::CastLikeOp> ||
                  std::is_same_v<OpTy, onnx::DropoutOp>)
      operands = operands.take_front();
    for (Value v : operands) {
      if (isa<NoneType>(v.getType()))
        continue;
      if (!isIntOrFloatTensor(v.getType()))
        return rewriter.notifyMatchFailure(
            op, "needs static int/float operand tensors");
      inputs.push_back(v);
    }
    Value result =
        createElementwise(rewriter, op.getLoc(), inputs, *type,
                          [&](OpBuilder &b, Location loc, ValueRange args) {
                            return fn(op, b, loc, args);
                          });
    SmallVector<Value> results = {result};
    // Extra results (Dropout's mask) are filled by the body's caller.
    for (unsigned i = 1; i < op->getNumResults(); ++i)
      results.push_back(extraResult(rewriter, op, i));
    rewriter.replaceOp(op, results);
    return success();
  }

  /// Results after the first: an all-true mask or an unused none.
  Value extraResult(ConversionPatternRewriter &rewriter, OpTy op,
                    unsigned i) const {
    Location loc = op.getLoc();
    Type t = op->getResult(i).getType();
    if (auto rt = dyn_cast<RankedTensorType>(t);
        rt && rt.hasStaticShape() && rt.getElementType().isInteger(1))
      return createFilled(
          rewriter, loc, rt,
          createIntScalar(rewriter, loc, rt.getElementType(), 1));
    return onnx::NoneOp::create(rewriter, loc);
  }

  BodyFn<OpTy> fn;
  CheckFn<OpTy> check;
};

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }
Type onnxElt(Operation *op, unsigned i = 0) {
  return getElementTypeOrSelf(op->getOperand(i).getType());
}
bool isUnsigned(Operation *op, unsigned i = 0) {
  return isUnsignedInt(onnxElt(op, i));
}
Value cst(OpBuilder &b, Location l, Value like, double v) {
  return createScalar(b, l, like.getType(), v);
}
Value fadd(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
Value fsub(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
Value fmul(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
Value fdiv(OpBuilder &b, Location l, Value x, Value y) {
  return arith::DivFOp::create(b, l, x, y);
}
Value select(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}

enum class Cmp { EQ, LT, LE, GT, GE };

/// Ordered float compare, or signed/unsigned int compare.
Value compare(OpBuilder &b, Location l, Cmp k, Value x, Value y,
              bool isUnsignedCmp) {
  if (isFloat(x)) {
    arith::CmpFPredicate p[] = {
        arith::CmpFPredicate::OEQ, arith::CmpFPredicate::OLT,
        arith::CmpFPredicate::OLE, arith::CmpFPredicate::OGT,
        arith::CmpFPredicate::OGE};
    return arith::CmpFOp::create(b, l, p[(int)k], x, y);
  }
  bool u = isUnsignedCmp || x.getType().isInteger(1);
  arith::CmpIPredicate s[] = {
      arith::CmpIPredicate::eq, arith::CmpIPredicate::slt,
      arith::CmpIPredicate::sle, arith::CmpIPredicate::sgt,
      arith::CmpIPredicate::sge};
  arith::CmpIPredicate us[] = {
      arith::CmpIPredicate::eq, arith::CmpIPredicate::ult,
      arith::CmpIPredicate::ule, arith::CmpIPredicate::ugt,
      arith::CmpIPredicate::uge};
  return arith::CmpIOp::create(b, l, u ? us[(int)k] : s[(int)k], x, y);
}

/// Float scalar of the op's float attribute, in the type of `like`.
Value attr(OpBuilder &b, Location l, Value like, llvm::APFloat v) {
  return cst(b, l, like, v.convertToDouble());
}

Value sigmoidOf(OpBuilder &b, Location l, Value x) {
  Value one = cst(b, l, x, 1.0);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return fdiv(b, l, one, fadd(b, l, one, e));
}

/// log(1 + exp(x)) computed as max(x, 0) + log1p(exp(-|x|)).
Value softplusOf(OpBuilder &b, Location l, Value x) {
  Value zero = cst(b, l, x, 0.0);
  Value m = arith::MaximumFOp::create(b, l, x, zero);
  Value negAbs = arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
  Value lp = math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs));
  return fadd(b, l, m, lp);
}

/// Float x to integer type `t` with saturation to its range (signedness from
/// `isUnsignedTo`), after rounding half to even.
Value saturateToInt(OpBuilder &b, Location l, Value x, Type t,
                    bool isUnsignedTo) {
  unsigned w = t.getIntOrFloatBitWidth();
  double lo = isUnsignedTo ? 0.0 : -std::ldexp(1.0, w - 1);
  double hi =
      isUnsignedTo ? std::ldexp(1.0, w) - 1 : std::ldexp(1.0, w - 1) - 1;
  Value r = math::RoundEvenOp::create(b, l, x);
  r = arith::MaximumFOp::create(b, l, r, cst(b, l, x, lo));
  r = arith::MinimumFOp::create(b, l, r, cst(b, l, x, hi));
  if (isUnsignedTo)
    return arith::FPToUIOp::create(b, l, t, r);
  return arith::FPToSIOp::create(b, l, t, r);
}

/// Integer to f32 by signedness.
Value intToF32(OpBuilder &b, Location l, Value v, bool isUnsignedFrom) {
  Type f32 = b.getF32Type();
  if (isa<FloatType>(v.getType()))
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, l, f32, v);
  if (isUnsignedFrom)
    return arith::UIToFPOp::create(b, l, f32, v);
  return arith::SIToFPOp::create(b, l, f32, v);
}

/// ONNX Cast; with `saturate`, casts to float8/float4 clamp to the largest
/// finite value of the target (infinities too), NaN stays NaN.
Value castBody(OpBuilder &b, Location l, Value v, Type fromOnnx, Type toOnnx,
               bool saturate, StringRef roundMode) {
  auto toF = dyn_cast<FloatType>(convertElementType(toOnnx));
  // float -> int4/uint4/int2/uint2 wraps around (ONNX's reference): convert
  // to i32, keep the low bits.
  Type to = convertElementType(toOnnx);
  if (isa<FloatType>(fromOnnx) && to.isInteger() &&
      to.getIntOrFloatBitWidth() > 1 && to.getIntOrFloatBitWidth() < 8) {
    v = castScalar(b, l, v, fromOnnx, b.getI32Type());
    return arith::TruncIOp::create(b, l, to, v);
  }
  if (isa_and_nonnull<Float8E8M0FNUType>(toF) &&
      !isa<Float8E8M0FNUType>(convertElementType(fromOnnx)))
    return castToE8M0(b, l, v, fromOnnx, roundMode, saturate);
  if (!saturate || !toF || toF.getWidth() > 8)
    return castScalar(b, l, v, fromOnnx, toOnnx);
  Type f32 = b.getF32Type();
  v = castScalar(b, l, v, fromOnnx, f32);
  double hi = APFloat::getLargest(toF.getFloatSemantics()).convertToDouble();
  v = arith::MinimumFOp::create(b, l, v, cst(b, l, v, hi));
  v = arith::MaximumFOp::create(b, l, v, cst(b, l, v, -hi));
  return castScalar(b, l, v, f32, toOnnx);
}

//===----------------------------------------------------------------------===//
// Op bodies
//===----------------------------------------------------------------------===//

Value powBody(Operation *op, OpBuilder &b, Location l, ValueRange a) {
  Value x = a[0], y = a[1];
  Type yOnnx = onnxElt(op, 1);
  if (isFloat(x)) {
    // float ^ float, float ^ int: pow in the base's type (an integral
    // exponent as float keeps negative bases exact in libm pow).
    y = castScalar(b, l, y, yOnnx, onnxElt(op, 0));
    return math::PowFOp::create(b, l, x, y);
  }
  // int ^ (int | float): computed in f64, truncated toward zero.
  Type f64 = b.getF64Type();
  Value xf = castScalar(b, l, x, onnxElt(op, 0), f64);
  Value yf = castScalar(b, l, y, yOnnx, f64);
  Value r = math::PowFOp::create(b, l, xf, yf);
  return arith::FPToSIOp::create(b, l, x.getType(), r);
}

Value modBody(onnx::ModOp op, OpBuilder &b, Location l, ValueRange a) {
  Value x = a[0], y = a[1];
  bool floatMod = isFloat(x);
  if (!floatMod && isUnsigned(op))
    return arith::RemUIOp::create(b, l, x, y);
  Value r = floatMod ? (Value)arith::RemFOp::create(b, l, x, y) // C fmod
                     : (Value)arith::RemSIOp::create(b, l, x, y);
  if (op.getFmod() == 1)
    return r;
  // Python/numpy %: a nonzero result takes the sign of the divisor (floats:
  // a zero result too).
  Value zero = cst(b, l, x, 0);
  Value rNeg = compare(b, l, Cmp::LT, r, zero, false);
  Value rNonZero =
      arith::OrIOp::create(b, l, rNeg, compare(b, l, Cmp::GT, r, zero, false));
  Value signDiffers =
      arith::XOrIOp::create(b, l, rNeg, compare(b, l, Cmp::LT, y, zero, false));
  Value fix = arith::AndIOp::create(b, l, rNonZero, signDiffers);
  Value fixed = select(b, l, fix, createAdd(b, l, r, y), r);
  if (!floatMod)
    return fixed;
  Value isZero = compare(b, l, Cmp::EQ, r, zero, false);
  return select(b, l, isZero, math::CopySignOp::create(b, l, zero, y), fixed);
}

Value signBody(Operation *op, OpBuilder &b, Location l, ValueRange a) {
  Value x = a[0], zero = cst(b, l, x, 0), one = cst(b, l, x, 1);
  if (!isFloat(x) && isUnsigned(op))
    return select(b, l, compare(b, l, Cmp::EQ, x, zero, true), zero, one);
  Value neg = cst(b, l, x, -1);
  // Zeros and NaN return themselves.
  Value r = select(b, l, compare(b, l, Cmp::LT, x, zero, false), neg, x);
  return select(b, l, compare(b, l, Cmp::GT, x, zero, false), one, r);
}

Value clipBody(onnx::ClipOp op, OpBuilder &b, Location l, ValueRange a) {
  Value x = a[0];
  bool u = isUnsigned(op);
  unsigned next = 1;
  // NaN inputs stay NaN: select on ordered compares.
  if (!isa<NoneType>(op.getMin().getType())) {
    Value lo = a[next++];
    x = select(b, l, compare(b, l, Cmp::LT, x, lo, u), lo, x);
  }
  if (!isa<NoneType>(op.getMax().getType())) {
    Value hi = a[next++];
    x = select(b, l, compare(b, l, Cmp::GT, x, hi, u), hi, x);
  }
  return x;
}

Value bitShiftBody(onnx::BitShiftOp op, OpBuilder &b, Location l,
                   ValueRange a) {
  Value x = a[0], y = a[1];
  unsigned w = x.getType().getIntOrFloatBitWidth();
  Value r;
  if (op.getDirection() == "LEFT")
    r = arith::ShLIOp::create(b, l, x, y);
  else if (isUnsigned(op))
    r = arith::ShRUIOp::create(b, l, x, y);
  else
    r = arith::ShRSIOp::create(b, l, x, y);
  // Shifts by the width or more (or negative) give 0, or the sign for
  // signed right shifts (LLVM would give poison).
  Value tooFar = compare(b, l, Cmp::GE, y, cst(b, l, y, w), /*unsigned=*/true);
  Value fill = cst(b, l, x, 0);
  if (op.getDirection() != "LEFT" && !isUnsigned(op))
    fill = arith::ShRSIOp::create(b, l, x, cst(b, l, x, w - 1));
  return select(b, l, tooFar, fill, r);
}

Value geluBody(onnx::GeluOp op, OpBuilder &b, Location l, ValueRange a) {
  Value x = a[0], half = cst(b, l, x, 0.5), one = cst(b, l, x, 1.0);
  Value inner;
  if (op.getApproximate() == "tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value x3 = fmul(b, l, x, fmul(b, l, x, x));
    Value t = fadd(b, l, x, fmul(b, l, cst(b, l, x, 0.044715), x3));
    t = fmul(b, l, cst(b, l, x, std::sqrt(2.0 / llvm::numbers::pi)), t);
    inner = math::TanhOp::create(b, l, t);
  } else {
    // 0.5 x (1 + erf(x / sqrt(2)))
    inner = math::ErfOp::create(
        b, l, fmul(b, l, x, cst(b, l, x, 1.0 / llvm::numbers::sqrt2)));
  }
  return fmul(b, l, fmul(b, l, half, x), fadd(b, l, one, inner));
}

Value shrinkBody(onnx::ShrinkOp op, OpBuilder &b, Location l, ValueRange a) {
  Value x = a[0];
  bool u = isUnsigned(op);
  double lambd = op.getLambd().convertToDouble();
  double bias = op.getBias().convertToDouble();
  Value zero = cst(b, l, x, 0);
  Value lam = cst(b, l, x, lambd), negLam = cst(b, l, x, -lambd);
  Value bv = cst(b, l, x, bias);
  Value sub = isFloat(x) ? fsub(b, l, x, bv)
                         : (Value)arith::SubIOp::create(b, l, x, bv);
  Value add = createAdd(b, l, x, bv);
  Value r = select(b, l, compare(b, l, Cmp::GT, x, lam, u), sub, zero);
  if (u && lambd >= 0)
    return r; // nothing unsigned is below -lambd
  return select(b, l, compare(b, l, Cmp::LT, x, negLam, u), add, r);
}

/// QuantizeLinear: saturate(round_half_even(x / scale) + zero_point).
Value quantizeBody(onnx::QuantizeLinearOp op, OpBuilder &b, Location l,
                   ValueRange a) {
  Type outOnnx = getElementTypeOrSelf(op.getY().getType());
  Type out = convertElementType(outOnnx);
  Value x = intToF32(b, l, a[0], false);
  Value scale = intToF32(b, l, a[1], false);
  Value v = fdiv(b, l, x, scale);
  if (isa<FloatType>(out)) {
    // float8/float4: no rounding to integers; the zero point (0 for float8
    // by the spec, which ONNX's reference ignores) is added for float4 only.
    if (a.size() > 2 && isa<Float4E2M1FNType>(out))
      v = fadd(b, l, v, intToF32(b, l, a[2], false));
    return castBody(b, l, v, b.getF32Type(), outOnnx, op.getSaturate() != 0,
                    "up");
  }
  if (a.size() > 2) {
    Value zp = intToF32(b, l, a[2], isUnsigned(op, 2));
    // Round first, then add the zero point (both integral after rounding).
    v = fadd(b, l, math::RoundEvenOp::create(b, l, v), zp);
  }
  return saturateToInt(b, l, v, out, isUnsignedInt(outOnnx));
}

/// DequantizeLinear: (x - zero_point) * scale.
Value dequantizeBody(onnx::DequantizeLinearOp op, OpBuilder &b, Location l,
                     ValueRange a) {
  Value x = intToF32(b, l, a[0], isUnsigned(op, 0));
  if (a.size() > 2)
    x = fsub(b, l, x, intToF32(b, l, a[2], isUnsigned(op, 2)));
  Value scale = intToF32(b, l, a[1], false);
  Value r = fmul(b, l, x, scale);
  Type out = getElementTypeOrSelf(op.getY().getType());
  return castScalar(b, l, r, b.getF32Type(), out);
}

/// Reads a quantization parameter's axis from the op and aligns per-axis
/// parameters to it. Quantize/Dequantize share this.
template <typename OpTy> struct QuantLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op->getResult(0).getType());
    if (failed(type))
      return failure();
    if (!isa<IntegerType, FloatType>(type->getElementType()))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    for (Value v : op->getOperands())
      if (!isa<NoneType>(v.getType()) && !isIntOrFloatTensor(v.getType()))
        return rewriter.notifyMatchFailure(op, "dynamic operand");
    int64_t rank = type->getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    int64_t block = op.getBlockSize();
    if (block < 0 || (block > 0 && !axis))
      return rewriter.notifyMatchFailure(op, "bad block_size or axis");
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<Value> inputs = {adaptor.getOperands()[0]};
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    for (Value v : adaptor.getOperands().drop_front()) {
      if (isa<NoneType>(v.getType()))
        continue;
      auto vt = cast<RankedTensorType>(v.getType());
      if (block > 0) {
        // Blocked: same rank, dim `axis` holds ceil(D / block) blocks.
        bool ok = vt.getRank() == rank;
        SmallVector<AffineExpr> exprs;
        for (int64_t i = 0; ok && i < rank; ++i) {
          int64_t d = type->getDimSize(i);
          AffineExpr e = getAffineDimExpr(i, ctx);
          if (i == *axis) {
            ok = vt.getDimSize(i) == llvm::divideCeil(d, block);
            e = e.floorDiv(block);
          } else {
            ok = vt.getDimSize(i) == d;
          }
          exprs.push_back(e);
        }
        if (!ok)
          return rewriter.notifyMatchFailure(op, "bad blocked parameter");
        maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
        inputs.push_back(v);
        continue;
      }
      if (vt.getRank() == 1 && vt.getDimSize(0) != 1) {
        if (!axis || type->getDimSize(*axis) != vt.getDimSize(0))
          return rewriter.notifyMatchFailure(op, "bad per-axis parameter");
        v = alignToAxis(rewriter, op.getLoc(), v, *axis, rank);
      } else if (vt.getNumElements() != 1) {
        return rewriter.notifyMatchFailure(op, "unsupported parameter shape");
      }
      maps.push_back(broadcastMap(ctx, cast<RankedTensorType>(v.getType()),
                                  type->getShape()));
      inputs.push_back(v);
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), TypeRange{*type}, inputs,
        ValueRange{createEmpty(rewriter, op.getLoc(), *type)}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value r;
          if constexpr (std::is_same_v<OpTy, onnx::QuantizeLinearOp>)
            r = quantizeBody(op, b, l, args.drop_back());
          else
            r = dequantizeBody(op, b, l, args.drop_back());
          linalg::YieldOp::create(b, l, r);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Registers `fn` (unary float math op) for OpTy.
template <typename OpTy, typename MathOp>
void addMath(TypeConverter &tc, RewritePatternSet &p) {
  p.add<ElementwiseLowering<OpTy>>(
      tc, p.getContext(),
      [](OpTy, OpBuilder &b, Location l, ValueRange a) -> Value {
        return MathOp::create(b, l, a[0]).getResult();
      });
}

template <typename OpTy>
void add(TypeConverter &tc, RewritePatternSet &p, BodyFn<OpTy> fn,
         CheckFn<OpTy> check = nullptr) {
  p.add<ElementwiseLowering<OpTy>>(tc, p.getContext(), std::move(fn),
                                   std::move(check));
}

template <typename OpTy>
void addCompare(TypeConverter &tc, RewritePatternSet &p, Cmp k) {
  add<OpTy>(tc, p,
            [k](OpTy op, OpBuilder &b, Location l, ValueRange a) -> Value {
              return compare(b, l, k, a[0], a[1], isUnsigned(op));
            });
}

/// Variadic Max/Min/Sum/Mean: a left fold.
template <typename OpTy>
void addFold(TypeConverter &tc, RewritePatternSet &p,
             Value (*combine)(OpBuilder &, Location, Value, Value, bool),
             bool mean = false) {
  add<OpTy>(tc, p,
            [=](OpTy op, OpBuilder &b, Location l, ValueRange a) -> Value {
              bool u = isUnsigned(op);
              Value r = a[0];
              for (Value v : a.drop_front())
                r = combine(b, l, r, v, u);
              if (mean)
                r = fdiv(b, l, r, cst(b, l, r, a.size()));
              return r;
            });
}

Value addAny(OpBuilder &b, Location l, Value x, Value y, bool) {
  return createAdd(b, l, x, y);
}

template <typename OpTy, typename IntOp>
void addBitwise(TypeConverter &tc, RewritePatternSet &p) {
  add<OpTy>(tc, p, [](OpTy, OpBuilder &b, Location l, ValueRange a) -> Value {
    return IntOp::create(b, l, a[0], a[1]).getResult();
  });
}

} // namespace

void populateElementwisePatterns(TypeConverter &tc,
                                 RewritePatternSet &patterns) {
  auto &p = patterns;
  // Arithmetic.
  add<onnx::AddOp>(tc, p,
                   [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
                     return createAdd(b, l, a[0], a[1]);
                   });
  add<onnx::SubOp>(tc, p,
                   [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
                     if (isFloat(a[0]))
                       return fsub(b, l, a[0], a[1]);
                     return arith::SubIOp::create(b, l, a[0], a[1]).getResult();
                   });
  add<onnx::MulOp>(tc, p,
                   [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
                     return createMul(b, l, a[0], a[1]);
                   });
  add<onnx::DivOp>(
      tc, p,
      [](onnx::DivOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isFloat(a[0]))
          return fdiv(b, l, a[0], a[1]);
        // Integer division truncates toward zero.
        if (isUnsigned(op))
          return arith::DivUIOp::create(b, l, a[0], a[1]).getResult();
        return arith::DivSIOp::create(b, l, a[0], a[1]).getResult();
      });
  add<onnx::PowOp>(tc, p,
                   [](onnx::PowOp op, OpBuilder &b, Location l,
                      ValueRange a) -> Value { return powBody(op, b, l, a); });
  add<onnx::ModOp>(tc, p, modBody);
  add<onnx::NegOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isFloat(a[0]))
          return arith::NegFOp::create(b, l, a[0]).getResult();
        return arith::SubIOp::create(b, l, cst(b, l, a[0], 0), a[0])
            .getResult();
      });
  add<onnx::AbsOp>(
      tc, p,
      [](onnx::AbsOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isFloat(a[0]))
          return math::AbsFOp::create(b, l, a[0]).getResult();
        if (isUnsigned(op))
          return a[0];
        return math::AbsIOp::create(b, l, a[0]).getResult();
      });
  add<onnx::SignOp>(
      tc, p,
      [](onnx::SignOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        return signBody(op, b, l, a);
      });
  add<onnx::ReciprocalOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        return fdiv(b, l, cst(b, l, a[0], 1.0), a[0]);
      });

  // Unary float math.
  addMath<onnx::CeilOp, math::CeilOp>(tc, p);
  addMath<onnx::FloorOp, math::FloorOp>(tc, p);
  addMath<onnx::RoundOp, math::RoundEvenOp>(tc, p);
  addMath<onnx::SqrtOp, math::SqrtOp>(tc, p);
  addMath<onnx::ExpOp, math::ExpOp>(tc, p);
  addMath<onnx::LogOp, math::LogOp>(tc, p);
  addMath<onnx::SinOp, math::SinOp>(tc, p);
  addMath<onnx::CosOp, math::CosOp>(tc, p);
  addMath<onnx::TanOp, math::TanOp>(tc, p);
  addMath<onnx::AsinOp, math::AsinOp>(tc, p);
  addMath<onnx::AcosOp, math::AcosOp>(tc, p);
  addMath<onnx::AtanOp, math::AtanOp>(tc, p);
  addMath<onnx::SinhOp, math::SinhOp>(tc, p);
  addMath<onnx::CoshOp, math::CoshOp>(tc, p);
  addMath<onnx::AsinhOp, math::AsinhOp>(tc, p);
  addMath<onnx::AcoshOp, math::AcoshOp>(tc, p);
  addMath<onnx::AtanhOp, math::AtanhOp>(tc, p);
  addMath<onnx::ErfOp, math::ErfOp>(tc, p);
  addMath<onnx::TanhOp, math::TanhOp>(tc, p);

  // Activations.
  add<onnx::ReluOp>(tc, p,
                    [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
                      return createMax(b, l, a[0], cst(b, l, a[0], 0), false);
                    });
  add<onnx::LeakyReluOp>(
      tc, p,
      [](onnx::LeakyReluOp op, OpBuilder &b, Location l,
         ValueRange a) -> Value {
        Value x = a[0];
        Value neg = compare(b, l, Cmp::LT, x, cst(b, l, x, 0), false);
        return select(b, l, neg, fmul(b, l, attr(b, l, x, op.getAlpha()), x),
                      x);
      });
  add<onnx::PReluOp>(
      tc, p,
      [](onnx::PReluOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        Value neg = compare(b, l, Cmp::LT, x, cst(b, l, x, 0), isUnsigned(op));
        return select(b, l, neg, createMul(b, l, a[1], x), x);
      });
  add<onnx::EluOp>(
      tc, p,
      [](onnx::EluOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        Value neg = compare(b, l, Cmp::LT, x, cst(b, l, x, 0), false);
        Value e = fmul(b, l, attr(b, l, x, op.getAlpha()),
                       math::ExpM1Op::create(b, l, x));
        return select(b, l, neg, e, x);
      });
  add<onnx::SeluOp>(
      tc, p,
      [](onnx::SeluOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        Value pos = compare(b, l, Cmp::GT, x, cst(b, l, x, 0), false);
        Value e = fmul(b, l, attr(b, l, x, op.getAlpha()),
                       math::ExpM1Op::create(b, l, x));
        return fmul(b, l, attr(b, l, x, op.getGamma()),
                    select(b, l, pos, x, e));
      });
  add<onnx::CeluOp>(
      tc, p,
      [](onnx::CeluOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
        Value x = a[0], zero = cst(b, l, x, 0);
        Value alpha = attr(b, l, x, op.getAlpha());
        Value e = fmul(b, l, alpha,
                       math::ExpM1Op::create(b, l, fdiv(b, l, x, alpha)));
        return fadd(b, l, arith::MaximumFOp::create(b, l, zero, x),
                    arith::MinimumFOp::create(b, l, zero, e));
      });
  add<onnx::ThresholdedReluOp>(
      tc, p,
      [](onnx::ThresholdedReluOp op, OpBuilder &b, Location l,
         ValueRange a) -> Value {
        Value x = a[0];
        Value gt =
            compare(b, l, Cmp::GT, x, attr(b, l, x, op.getAlpha()), false);
        return select(b, l, gt, x, cst(b, l, x, 0));
      });
  add<onnx::SigmoidOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        return sigmoidOf(b, l, a[0]);
      });
  add<onnx::HardSigmoidOp>(
      tc, p,
      [](onnx::HardSigmoidOp op, OpBuilder &b, Location l,
         ValueRange a) -> Value {
        Value x = a[0];
        Value v = fadd(b, l, fmul(b, l, attr(b, l, x, op.getAlpha()), x),
                       attr(b, l, x, op.getBeta()));
        v = arith::MinimumFOp::create(b, l, v, cst(b, l, x, 1.0));
        return arith::MaximumFOp::create(b, l, v, cst(b, l, x, 0.0))
            .getResult();
      });
  add<onnx::HardSwishOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        Value v =
            fadd(b, l, fmul(b, l, cst(b, l, x, 1.0 / 6), x), cst(b, l, x, 0.5));
        v = arith::MinimumFOp::create(b, l, v, cst(b, l, x, 1.0));
        v = arith::MaximumFOp::create(b, l, v, cst(b, l, x, 0.0));
        return fmul(b, l, x, v);
      });
  add<onnx::SoftplusOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        return softplusOf(b, l, a[0]);
      });
  add<onnx::SoftsignOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        return fdiv(
            b, l, x,
            fadd(b, l, cst(b, l, x, 1.0), math::AbsFOp::create(b, l, x)));
      });
  add<onnx::MishOp>(
      tc, p, [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
        return fmul(b, l, a[0],
                    math::TanhOp::create(b, l, softplusOf(b, l, a[0])));
      });
  add<onnx::SwishOp>(
      tc, p,
      [](onnx::SwishOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        return fmul(
            b, l, x,
            sigmoidOf(b, l, fmul(b, l, attr(b, l, x, op.getAlpha()), x)));
      });
  add<onnx::GeluOp>(tc, p, geluBody, [](onnx::GeluOp op) -> StringRef {
    if (op.getApproximate() != "none" && op.getApproximate() != "tanh")
      return "unknown Gelu approximation";
    return "";
  });
  add<onnx::ClipOp>(tc, p, clipBody);
  add<onnx::ShrinkOp>(tc, p, shrinkBody);

  // Casts, selection, identity.
  add<onnx::IdentityOp>(
      tc, p,
      [](auto, OpBuilder &, Location, ValueRange a) -> Value { return a[0]; });
  auto castCheck = [](Operation *op) -> StringRef {
    for (Type t : {onnxElt(op), getElementTypeOrSelf(op->getResult(0))})
      if (!t.isIntOrFloat())
        return "cast of strings";
    return "";
  };
  add<onnx::CastOp>(
      tc, p,
      [](onnx::CastOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        return castBody(b, l, a[0], onnxElt(op),
                        getElementTypeOrSelf(op.getOutput().getType()),
                        op.getSaturate() != 0, op.getRoundMode());
      },
      [=](onnx::CastOp op) { return castCheck(op); });
  // CastLike's second input only gives the type: it is not read.
  add<onnx::CastLikeOp>(
      tc, p,
      [](onnx::CastLikeOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        return castBody(b, l, a[0], onnxElt(op),
                        getElementTypeOrSelf(op.getOutput().getType()),
                        op.getSaturate() != 0, op.getRoundMode());
      },
      [=](onnx::CastLikeOp op) { return castCheck(op); });
  add<onnx::WhereOp>(tc, p,
                     [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
                       return select(b, l, a[0], a[1], a[2]);
                     });
  add<onnx::DropoutOp>(
      tc, p,
      [](onnx::DropoutOp, OpBuilder &, Location, ValueRange a) -> Value {
        return a[0];
      },
      [](onnx::DropoutOp op) -> StringRef {
        Value mode = op.getTrainingMode();
        if (isa<NoneType>(mode.getType()))
          return "";
        auto vals = getConstantInts(mode);
        if (succeeded(vals) &&
            llvm::none_of(*vals, [](int64_t v) { return v; }))
          return "";
        // Training with a constant ratio of 0 is still the identity.
        auto ratio = op.getRatio().getDefiningOp<onnx::ConstantOp>();
        auto dense =
            ratio ? dyn_cast_or_null<DenseFPElementsAttr>(ratio.getValueAttr())
                  : nullptr;
        if (dense && llvm::all_of(dense.getValues<APFloat>(),
                                  [](const APFloat &v) { return v.isZero(); }))
          return "";
        return "Dropout in training mode";
      });

  // Comparisons and logic.
  addCompare<onnx::EqualOp>(tc, p, Cmp::EQ);
  addCompare<onnx::LessOp>(tc, p, Cmp::LT);
  addCompare<onnx::LessOrEqualOp>(tc, p, Cmp::LE);
  addCompare<onnx::GreaterOp>(tc, p, Cmp::GT);
  addCompare<onnx::GreaterOrEqualOp>(tc, p, Cmp::GE);
  addBitwise<onnx::AndOp, arith::AndIOp>(tc, p);
  addBitwise<onnx::OrOp, arith::OrIOp>(tc, p);
  addBitwise<onnx::XorOp, arith::XOrIOp>(tc, p);
  addBitwise<onnx::BitwiseAndOp, arith::AndIOp>(tc, p);
  addBitwise<onnx::BitwiseOrOp, arith::OrIOp>(tc, p);
  addBitwise<onnx::BitwiseXorOp, arith::XOrIOp>(tc, p);
  auto notBody = [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::XOrIOp::create(b, l, a[0], cst(b, l, a[0], -1)).getResult();
  };
  add<onnx::NotOp>(tc, p, notBody);
  add<onnx::BitwiseNotOp>(tc, p, notBody);
  add<onnx::BitShiftOp>(
      tc, p, bitShiftBody, [](onnx::BitShiftOp op) -> StringRef {
        if (op.getDirection() != "LEFT" && op.getDirection() != "RIGHT")
          return "BitShift direction must be LEFT or RIGHT";
        return "";
      });
  add<onnx::IsNaNOp>(tc, p,
                     [](auto, OpBuilder &b, Location l, ValueRange a) -> Value {
                       return arith::CmpFOp::create(
                                  b, l, arith::CmpFPredicate::UNO, a[0], a[0])
                           .getResult();
                     });
  add<onnx::IsInfOp>(
      tc, p,
      [](onnx::IsInfOp op, OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        auto ft = cast<FloatType>(x.getType());
        auto inf = [&](bool neg) {
          return arith::ConstantOp::create(
                     b, l,
                     b.getFloatAttr(
                         ft, APFloat::getInf(ft.getFloatSemantics(), neg)))
              .getResult();
        };
        Value r = createIntScalar(b, l, b.getI1Type(), 0);
        if (op.getDetectPositive())
          r = arith::OrIOp::create(
              b, l, r, compare(b, l, Cmp::EQ, x, inf(false), false));
        if (op.getDetectNegative())
          r = arith::OrIOp::create(b, l, r,
                                   compare(b, l, Cmp::EQ, x, inf(true), false));
        return r;
      });

  // Variadic.
  addFold<onnx::MaxOp>(tc, p, createMax);
  addFold<onnx::MinOp>(tc, p, createMin);
  addFold<onnx::SumOp>(tc, p, addAny);
  addFold<onnx::MeanOp>(tc, p, addAny, /*mean=*/true);

  // Quantization.
  p.add<QuantLowering<onnx::QuantizeLinearOp>,
        QuantLowering<onnx::DequantizeLinearOp>>(tc, p.getContext());
}

} // namespace kiln::tolinalg
