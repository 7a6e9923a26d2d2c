//===- Reduction.cpp - Reduce* and ArgMax/ArgMin --------------------------===//
//
// Reduce* ops become a linalg.generic with reduction iterators over the
// axes, the per-element transform folded into the combiner (|x| for L1, x*x
// for L2/SumSquare) and a final elementwise step where the op needs one
// (Mean, L2, LogSum, LogSumExp). keepdims is a tensor.expand_shape of the
// reduced result.
//
// Axes given at run time: when the static input and result shapes leave one
// choice of reduced dims, that one is lowered as above. Otherwise (3x2x2 ->
// 3x2 reduces dim 1 or dim 2) the axes are read into per-dim flags before
// the loop, and a generic over [result elements] x [reduced elements]
// gathers each input element at indices computed from those flags. Empty
// sets reduce to the start value (0, 1, -inf/lowest, +inf/highest); results
// with no elements are just tensor.empty.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <functional>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSq };

Value absOf(OpBuilder &b, Location l, Value x, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return math::AbsFOp::create(b, l, x);
  if (isUnsigned)
    return x;
  return math::AbsIOp::create(b, l, x);
}

/// Reductions of a single element that return it unchanged.
bool isIdentityOnOne(Kind k) {
  return k == Kind::Sum || k == Kind::Mean || k == Kind::Max ||
         k == Kind::Min || k == Kind::Prod || k == Kind::LogSumExp;
}

/// How the dims a Reduce op reduces are known.
struct ReducePlan {
  enum How { Static, Identity, RunTime } how = Static;
  /// Static: the reduced dims (sorted, unique; empty when only size-1 dims
  /// are reduced or the input has rank 0).
  SmallVector<int64_t> axes;
};

constexpr int64_t kMaxEnumeratedRank = 16;

/// Axes known only at run time: the reductions the static input and result
/// shapes allow. Reducing a dim of size 1 or not gives the same values, so
/// candidates are compared without those dims; a unique one is lowered
/// statically, several (e.g. 3x2x2 -> 3x2 over dim 1 or 2) read the axes at
/// run time.
FailureOr<ReducePlan> planFromShapes(Operation *op, Kind k,
                                     ArrayRef<int64_t> in,
                                     ArrayRef<int64_t> out, bool keepDims,
                                     bool noop,
                                     ConversionPatternRewriter &rewriter) {
  int64_t rank = in.size();
  ReducePlan plan;
  if (rank == 0) { // only empty axes are in range
    plan.how = noop ? ReducePlan::Identity : ReducePlan::Static;
    return plan;
  }
  // Empty axes with noop_with_empty_axes return the input.
  bool identity = noop && in == out;
  if (rank > kMaxEnumeratedRank) {
    plan.how = ReducePlan::RunTime;
    return plan;
  }
  std::optional<SmallVector<int64_t>> unique;
  bool ambiguous = false;
  for (uint64_t m = 1; m < (uint64_t(1) << rank); ++m) {
    SmallVector<int64_t> shape, canonical;
    for (int64_t d = 0; d < rank; ++d) {
      if (!(m >> d & 1)) {
        shape.push_back(in[d]);
        continue;
      }
      if (keepDims)
        shape.push_back(1);
      if (in[d] != 1)
        canonical.push_back(d);
    }
    if (ArrayRef<int64_t>(shape) != out)
      continue;
    if (!unique)
      unique = canonical;
    else if (*unique != canonical)
      ambiguous = true;
  }
  if (!unique) {
    if (!identity)
      return rewriter.notifyMatchFailure(
          op, "the result shape is no reduction of the input shape");
    plan.how = ReducePlan::Identity;
    return plan;
  }
  if (identity) {
    // Reducing only dims of size 1 or nothing at all: the same for most ops.
    plan.how = !ambiguous && unique->empty() && isIdentityOnOne(k)
                   ? ReducePlan::Identity
                   : ReducePlan::RunTime;
    return plan;
  }
  if (ambiguous) {
    plan.how = ReducePlan::RunTime;
    return plan;
  }
  plan.axes = *unique;
  return plan;
}

/// How `op` reduces: constant axes (checked against the result shape), or
/// run-time axes (planFromShapes).
template <typename OpTy>
FailureOr<ReducePlan> getReducePlan(OpTy op, Kind k, RankedTensorType inType,
                                    RankedTensorType outType,
                                    ConversionPatternRewriter &rewriter) {
  int64_t rank = inType.getRank();
  bool keepDims = op.getKeepdims() != 0;
  bool noop = op.getNoopWithEmptyAxes() != 0;
  ReducePlan plan;
  SmallVector<int64_t> axes;
  if (!isa<NoneType>(op.getAxes().getType())) {
    auto vals = getConstantInts(op.getAxes());
    auto axesType = dyn_cast<RankedTensorType>(op.getAxes().getType());
    if (failed(vals) && axesType && axesType.hasStaticShape() &&
        axesType.getNumElements() == 0)
      vals = SmallVector<int64_t>(); // empty whatever its producer
    if (failed(vals))
      return planFromShapes(op, k, inType.getShape(), outType.getShape(),
                            keepDims, noop, rewriter);
    for (int64_t a : *vals) {
      std::optional<int64_t> n = normalizeAxis(a, rank);
      if (!n)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      axes.push_back(*n);
    }
  }
  if (axes.empty()) {
    if (noop) {
      if (inType != outType)
        return rewriter.notifyMatchFailure(op, "noop with a different type");
      plan.how = ReducePlan::Identity;
      return plan;
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  llvm::sort(axes);
  axes.erase(llvm::unique(axes), axes.end());
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < rank; ++i) {
    if (!llvm::is_contained(axes, i))
      expected.push_back(inType.getDimSize(i));
    else if (keepDims)
      expected.push_back(1);
  }
  if (outType.getShape() != ArrayRef<int64_t>(expected))
    return rewriter.notifyMatchFailure(op, "result shape mismatch");
  plan.axes = axes;
  return plan;
}

/// Start value and combiner (per-element transform folded in) of `k`.
struct Reducer {
  Value init;
  std::function<Value(OpBuilder &, Location, Value, Value)> combine;
};

Reducer getReducer(OpBuilder &b, Location loc, Kind k, Type elt, Type onnxElt) {
  bool u = isUnsignedInt(onnxElt);
  Value zero = createScalar(b, loc, elt, 0.0);
  switch (k) {
  case Kind::Prod:
    return {createScalar(b, loc, elt, 1.0),
            [](OpBuilder &b, Location l, Value in, Value acc) {
              return createMul(b, l, acc, in);
            }};
  case Kind::Max:
  case Kind::LogSumExp: // its first pass
    return {createLowest(b, loc, onnxElt),
            [u](OpBuilder &b, Location l, Value in, Value acc) {
              return createMax(b, l, acc, in, u);
            }};
  case Kind::Min:
    return {createHighest(b, loc, onnxElt),
            [u](OpBuilder &b, Location l, Value in, Value acc) {
              return createMin(b, l, acc, in, u);
            }};
  case Kind::L1:
    return {zero, [u](OpBuilder &b, Location l, Value in, Value acc) {
              return createAdd(b, l, acc, absOf(b, l, in, u));
            }};
  case Kind::L2:
  case Kind::SumSq:
    return {zero, [](OpBuilder &b, Location l, Value in, Value acc) {
              return createAdd(b, l, acc, createMul(b, l, in, in));
            }};
  default:
    return {zero, [](OpBuilder &b, Location l, Value in, Value acc) {
              return createAdd(b, l, acc, in);
            }};
  }
}

/// -inf -> 0 (the shift of LogSumExp when every element is -inf).
Value zeroIfNegInf(OpBuilder &b, Location l, Value v) {
  Value isNegInf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v,
                                         createLowest(b, l, v.getType()));
  return arith::SelectOp::create(b, l, isNegInf,
                                 createScalar(b, l, v.getType(), 0.0), v);
}

/// The last step of Mean (/count), L2 (sqrt), LogSum (log) on `v`.
Value finishReduction(OpBuilder &b, Location loc, Kind k, Value v,
                      RankedTensorType type, Type onnxElt, int64_t count) {
  bool isF = isa<FloatType>(type.getElementType());
  bool u = isUnsignedInt(onnxElt);
  if (k != Kind::Mean && k != Kind::L2 && k != Kind::LogSum)
    return v;
  if (k == Kind::Mean && !isF && count == 0)
    return v; // integer mean of nothing: 0 (no division by zero)
  return createElementwise(
      b, loc, v, type, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value e = a[0];
        if (k == Kind::LogSum)
          return math::LogOp::create(nb, l, e);
        if (k == Kind::L2) {
          if (isF)
            return math::SqrtOp::create(nb, l, e);
          Value f = castScalar(nb, l, e, onnxElt, nb.getF64Type());
          f = math::SqrtOp::create(nb, l, f);
          return castScalar(nb, l, f, nb.getF64Type(), onnxElt);
        }
        Value n = createScalar(nb, l, e.getType(), (double)count);
        if (isF)
          return arith::DivFOp::create(nb, l, e, n);
        if (u)
          return arith::DivUIOp::create(nb, l, e, n);
        return arith::DivSIOp::create(nb, l, e, n);
      });
}

/// Reduction of static `x` over `axes` (sorted, unique): a tensor of the
/// shape of `x` without `axes`.
Value lowerStaticAxes(OpBuilder &b, Location loc, Kind k, Value x,
                      ArrayRef<int64_t> axes, Type onnxElt) {
  auto inType = cast<RankedTensorType>(x.getType());
  Type elt = inType.getElementType();
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t i = 0; i < inType.getRank(); ++i) {
    if (llvm::is_contained(axes, i))
      count *= inType.getDimSize(i);
    else
      shape.push_back(inType.getDimSize(i));
  }
  auto type = RankedTensorType::get(shape, elt);
  if (type.getNumElements() == 0)
    return createEmpty(b, loc, type);
  Reducer red = getReducer(b, loc, k, elt, onnxElt);
  if (count == 0) {
    // Over the empty set: the start value (-inf for LogSumExp).
    Value r = createFilled(b, loc, type, red.init);
    return finishReduction(b, loc, k, r, type, onnxElt, count);
  }
  if (k != Kind::LogSumExp) {
    Value r = createReduction(b, loc, x, axes, red.init, false, red.combine);
    return finishReduction(b, loc, k, r, type, onnxElt, count);
  }
  // m + log(sum(exp(x - m))), m = max (0 where the max is -inf).
  Value m = createReduction(b, loc, x, axes, red.init, false, red.combine);
  m = createElementwise(b, loc, m, type,
                        [](OpBuilder &b, Location l, ValueRange a) {
                          return zeroIfNegInf(b, l, a[0]);
                        });
  Value mKeep = expandReducedDims(b, loc, m, inType.getShape(), axes);
  Value e =
      createElementwise(b, loc, {x, mKeep}, inType,
                        [](OpBuilder &b, Location l, ValueRange a) -> Value {
                          return math::ExpOp::create(
                              b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                        });
  Value s =
      createReduction(b, loc, e, axes, createScalar(b, loc, elt, 0.0), false,
                      [](OpBuilder &b, Location l, Value in, Value acc) {
                        return createAdd(b, l, acc, in);
                      });
  return createElementwise(b, loc, {s, m}, type,
                           [](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::AddFOp::create(
                                 b, l, math::LogOp::create(b, l, a[0]), a[1]);
                           });
}

/// Per-dim i1 flags "dim d is reduced" read from the run-time `axes`
/// (negative axes wrap; empty axes mean all dims unless `noop`), and the
/// flag "axes is empty".
std::pair<SmallVector<Value>, Value> computeAxesMask(OpBuilder &b, Location loc,
                                                     Value axes, int64_t rank,
                                                     bool noop) {
  Type i1 = b.getI1Type(), i64 = b.getI64Type();
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value n = tensor::DimOp::create(b, loc, axes, 0);
  SmallVector<Value> init(rank, createIntScalar(b, loc, i1, 0));
  auto loop = scf::ForOp::create(
      b, loc, c0, n, c1, init,
      [&](OpBuilder &lb, Location l, Value iv, ValueRange mask) {
        Value a = tensor::ExtractOp::create(lb, l, axes, iv);
        if (a.getType() != i64)
          a = arith::ExtSIOp::create(lb, l, i64, a);
        Value neg = arith::CmpIOp::create(lb, l, arith::CmpIPredicate::slt, a,
                                          createIntScalar(lb, l, i64, 0));
        a = arith::SelectOp::create(
            lb, l, neg,
            arith::AddIOp::create(lb, l, a, createIntScalar(lb, l, i64, rank)),
            a);
        SmallVector<Value> next;
        for (int64_t d = 0; d < rank; ++d) {
          Value here = arith::CmpIOp::create(lb, l, arith::CmpIPredicate::eq, a,
                                             createIntScalar(lb, l, i64, d));
          next.push_back(arith::OrIOp::create(lb, l, mask[d], here));
        }
        scf::YieldOp::create(lb, l, next);
      });
  Value empty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, n, c0);
  SmallVector<Value> mask(loop.getResults());
  if (!noop)
    for (Value &m : mask)
      m = arith::OrIOp::create(b, loc, m, empty);
  return {mask, empty};
}

/// A reduction whose reduced dims `mask` are known at run time, as a gather:
/// iterations (o, q) over [nOut] x [nRed] read the element of `x` whose
/// kept dims (row-major) are output element o and whose reduced dims are q.
/// `extra` tensors of shape [nOut] are passed to `combine` per o.
Value createMaskedReduction(
    OpBuilder &b, Location loc, Value x, ArrayRef<Value> mask, int64_t nOut,
    Value init, ValueRange extra,
    llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange, Value)>
        combine) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(x.getType());
  int64_t rank = inType.getRank();
  int64_t nRed = inType.getNumElements() / nOut;
  auto outType = RankedTensorType::get({nOut}, init.getType());
  // x viewed as [nOut, nRed] only gives the loops their bounds.
  Value bounds = reshapeTensor(b, loc, x, {nOut, nRed});
  SmallVector<Value> inputs = {bounds};
  inputs.append(extra.begin(), extra.end());
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap o = AffineMap::get(2, 0, getAffineDimExpr(0, ctx), ctx);
  SmallVector<AffineMap> maps = {id};
  maps.append(extra.size() + 1, o);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, inputs,
      ValueRange{createFilled(b, loc, outType, init)}, maps,
      {utils::IteratorType::parallel, utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value kept = linalg::IndexOp::create(nb, l, 0);
        Value red = linalg::IndexOp::create(nb, l, 1);
        SmallVector<Value> idx(rank);
        for (int64_t d = rank - 1; d >= 0; --d) {
          int64_t size = inType.getDimSize(d);
          if (size == 1) {
            idx[d] = arith::ConstantIndexOp::create(nb, l, 0);
            continue;
          }
          Value s = arith::ConstantIndexOp::create(nb, l, size);
          Value src = arith::SelectOp::create(nb, l, mask[d], red, kept);
          idx[d] = arith::RemUIOp::create(nb, l, src, s);
          Value quot = arith::DivUIOp::create(nb, l, src, s);
          red = arith::SelectOp::create(nb, l, mask[d], quot, red);
          kept = arith::SelectOp::create(nb, l, mask[d], kept, quot);
        }
        Value in = tensor::ExtractOp::create(nb, l, x, idx);
        linalg::YieldOp::create(
            nb, l,
            combine(nb, l, in, args.drop_front().drop_back(), args.back()));
      });
  return generic.getResult(0);
}

/// Reduction over run-time axes (read into per-dim flags): a tensor of
/// `outType`. Correct for every axes consistent with the static shapes;
/// others read in-bounds elements in an unspecified order.
Value lowerRunTimeAxes(OpBuilder &b, Location loc, Kind k, Value x, Value axes,
                       RankedTensorType outType, bool noop, Type onnxElt) {
  auto inType = cast<RankedTensorType>(x.getType());
  Type elt = inType.getElementType();
  int64_t nIn = inType.getNumElements(), nOut = outType.getNumElements();
  if (nOut == 0)
    return createEmpty(b, loc, outType);
  int64_t count = nIn / nOut;
  auto flatType = RankedTensorType::get({nOut}, elt);
  auto flags = computeAxesMask(b, loc, axes, inType.getRank(), noop);
  SmallVector<Value> mask = flags.first;
  Value empty = flags.second;
  Reducer red = getReducer(b, loc, k, elt, onnxElt);
  Value r;
  if (count == 0) {
    r = createFilled(b, loc, flatType, red.init);
  } else if (k != Kind::LogSumExp) {
    r = createMaskedReduction(
        b, loc, x, mask, nOut, red.init, {},
        [&](OpBuilder &b, Location l, Value in, ValueRange, Value acc) {
          return red.combine(b, l, in, acc);
        });
  } else {
    Value m = createMaskedReduction(
        b, loc, x, mask, nOut, red.init, {},
        [&](OpBuilder &b, Location l, Value in, ValueRange, Value acc) {
          return red.combine(b, l, in, acc);
        });
    m = createElementwise(b, loc, m, flatType,
                          [](OpBuilder &b, Location l, ValueRange a) {
                            return zeroIfNegInf(b, l, a[0]);
                          });
    Value s = createMaskedReduction(
        b, loc, x, mask, nOut, createScalar(b, loc, elt, 0.0), {m},
        [](OpBuilder &b, Location l, Value in, ValueRange m, Value acc) {
          Value e =
              math::ExpOp::create(b, l, arith::SubFOp::create(b, l, in, m[0]));
          return arith::AddFOp::create(b, l, acc, e);
        });
    r = createElementwise(b, loc, {s, m}, flatType,
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return arith::AddFOp::create(
                                b, l, math::LogOp::create(b, l, a[0]), a[1]);
                          });
  }
  r = finishReduction(b, loc, k, r, flatType, onnxElt, count);
  if (noop && count == 1 && !isIdentityOnOne(k)) {
    // Empty axes with noop_with_empty_axes: the input, not |x|, x*x, ...
    Value flatX = reshapeTensor(b, loc, x, {nOut});
    r = createElementwise(
        b, loc, {flatX, r}, flatType,
        [&](OpBuilder &b, Location l, ValueRange a) {
          return arith::SelectOp::create(b, l, empty, a[0], a[1]).getResult();
        });
  }
  return reshapeTensor(b, loc, r, outType.getShape());
}

template <typename OpTy, Kind K>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = getStaticType(rewriter, op, op.getData().getType());
    auto outType = getStaticType(rewriter, op, op.getReduced().getType());
    if (failed(inType) || failed(outType))
      return failure();
    Type onnxElt = getElementTypeOrSelf(op.getData().getType());
    Type elt = inType->getElementType();
    if (!isa<FloatType>(elt) && (K == Kind::LogSum || K == Kind::LogSumExp))
      return rewriter.notifyMatchFailure(op, "integer LogSum/LogSumExp");
    if (elt.isInteger(1) && K != Kind::Max && K != Kind::Min)
      return rewriter.notifyMatchFailure(op, "bool reduction");
    auto plan = getReducePlan(op, K, *inType, *outType, rewriter);
    if (failed(plan))
      return failure();
    Value x = adaptor.getData();
    Value result;
    switch (plan->how) {
    case ReducePlan::Identity:
      result = x;
      break;
    case ReducePlan::Static:
      result = lowerStaticAxes(rewriter, loc, K, x, plan->axes, onnxElt);
      if (outType->getRank() == inType->getRank() && !plan->axes.empty() &&
          outType->getNumElements() != 0) // keepdims
        result = expandReducedDims(rewriter, loc, result, inType->getShape(),
                                   plan->axes);
      result = reshapeTensor(rewriter, loc, result, outType->getShape());
      break;
    case ReducePlan::RunTime: {
      auto axesType = dyn_cast<RankedTensorType>(adaptor.getAxes().getType());
      if (!axesType || axesType.getRank() != 1 ||
          !axesType.getElementType().isInteger())
        return rewriter.notifyMatchFailure(op, "axes must be a 1-D integer "
                                               "tensor");
      if (outType->getNumElements() != 0 &&
          inType->getNumElements() % outType->getNumElements() != 0)
        return rewriter.notifyMatchFailure(
            op, "the result shape is no reduction of the input shape");
      result =
          lowerRunTimeAxes(rewriter, loc, K, x, adaptor.getAxes(), *outType,
                           op.getNoopWithEmptyAxes() != 0, onnxElt);
      break;
    }
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy, bool IsMin>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = getStaticType(rewriter, op, op.getData().getType());
    auto outType = getStaticType(rewriter, op, op.getReduced().getType());
    if (failed(inType) || failed(outType))
      return failure();
    std::optional<int64_t> axis =
        normalizeAxis(op.getAxis(), inType->getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value r = createArgReduction(rewriter, op.getLoc(), adaptor.getData(),
                                 *axis, IsMin, op.getSelectLastIndex() != 0,
                                 isUnsignedInt(op.getData().getType()));
    if (op.getKeepdims())
      r = expandReducedDims(rewriter, op.getLoc(), r, inType->getShape(),
                            {*axis});
    if (r.getType() != *outType)
      return rewriter.notifyMatchFailure(op, "result shape mismatch");
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// DynamicQuantizeLinear (uint8): the range [min(x, 0), max(x, 0)] maps to
/// [0, 255]; scale = range / 255, zero point = round(-min / scale).
struct DynamicQuantizeLowering
    : OpConversionPattern<onnx::DynamicQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::DynamicQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = getStaticType(rewriter, op, op.getX().getType());
    auto yType = getStaticType(rewriter, op, op.getY().getType());
    auto sType = getStaticType(rewriter, op, op.getYScale().getType());
    auto zType = getStaticType(rewriter, op, op.getYZeroPoint().getType());
    if (failed(inType) || failed(yType) || failed(sType) || failed(zType))
      return failure();
    if (!inType->getElementType().isF32() ||
        !isUnsignedInt(op.getY().getType()) ||
        !yType->getElementType().isInteger(8) || sType->getRank() != 0 ||
        zType->getRank() != 0)
      return rewriter.notifyMatchFailure(op, "needs f32 in, uint8 out");
    Value x = adaptor.getX();
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < inType->getRank(); ++i)
      axes.push_back(i);
    Type f32 = rewriter.getF32Type();
    // min(x, 0) and max(x, 0): reductions starting at 0.
    Value zero = createScalar(rewriter, loc, f32, 0.0);
    Value lo =
        createReduction(rewriter, loc, x, axes, zero, false,
                        [](OpBuilder &b, Location l, Value in, Value acc) {
                          return createMin(b, l, acc, in, false);
                        });
    Value hi =
        createReduction(rewriter, loc, x, axes, zero, false,
                        [](OpBuilder &b, Location l, Value in, Value acc) {
                          return createMax(b, l, acc, in, false);
                        });
    auto clampRound = [](OpBuilder &b, Location l, Value v) -> Value {
      v = math::RoundEvenOp::create(b, l, v);
      v = arith::MaximumFOp::create(b, l, v,
                                    createScalar(b, l, v.getType(), 0));
      return arith::MinimumFOp::create(b, l, v,
                                       createScalar(b, l, v.getType(), 255));
    };
    Value scale = createElementwise(
        rewriter, loc, {lo, hi}, *sType,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value range = arith::SubFOp::create(b, l, a[1], a[0]);
          return arith::DivFOp::create(b, l, range,
                                       createScalar(b, l, a[0].getType(), 255));
        });
    Value zpF = createElementwise(
        rewriter, loc, {lo, scale}, *sType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value q = arith::DivFOp::create(b, l, a[0], a[1]);
          return clampRound(b, l, arith::NegFOp::create(b, l, q));
        });
    Value zp = createElementwise(
        rewriter, loc, zpF, *zType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::FPToUIOp::create(b, l, zType->getElementType(), a[0]);
        });
    Value y = createElementwise(
        rewriter, loc, {x, scale, zpF}, *yType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value q = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, a[0], a[1]));
          q = clampRound(b, l, arith::AddFOp::create(b, l, q, a[2]));
          return arith::FPToUIOp::create(b, l, yType->getElementType(), q);
        });
    rewriter.replaceOp(op, {y, scale, zp});
    return success();
  }
};

} // namespace

void populateReductionPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<onnx::ReduceSumOp, Kind::Sum>,
               ReduceLowering<onnx::ReduceMeanOp, Kind::Mean>,
               ReduceLowering<onnx::ReduceMaxOp, Kind::Max>,
               ReduceLowering<onnx::ReduceMinOp, Kind::Min>,
               ReduceLowering<onnx::ReduceProdOp, Kind::Prod>,
               ReduceLowering<onnx::ReduceL1Op, Kind::L1>,
               ReduceLowering<onnx::ReduceL2Op, Kind::L2>,
               ReduceLowering<onnx::ReduceLogSumOp, Kind::LogSum>,
               ReduceLowering<onnx::ReduceLogSumExpOp, Kind::LogSumExp>,
               ReduceLowering<onnx::ReduceSumSquareOp, Kind::SumSq>,
               ArgLowering<onnx::ArgMaxOp, false>,
               ArgLowering<onnx::ArgMinOp, true>, DynamicQuantizeLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
