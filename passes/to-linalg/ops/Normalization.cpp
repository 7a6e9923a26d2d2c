//===- Normalization.cpp - BatchNorm, LayerNorm, GroupNorm, ... -----------===//
//
// Statistics are keepdims reductions (so they broadcast back against the
// input); variances are the two-pass mean of (x - mean)^2. Per-channel
// parameters ([C]) are reshaped to [C, 1, ..., 1] to broadcast on dim 1.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// mean(x) (or mean(x * x) with `square`) over `axes`, keepdims.
Value meanKeep(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
               bool square = false) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t count = 1;
  for (int64_t a : axes)
    count *= type.getDimSize(a);
  Value zero = createScalar(b, loc, type.getElementType(), 0.0);
  Value sum = createReduction(
      b, loc, x, axes, zero, /*keepDims=*/true,
      [square](OpBuilder &nb, Location l, Value in, Value acc) -> Value {
        if (square)
          in = arith::MulFOp::create(nb, l, in, in);
        return arith::AddFOp::create(nb, l, acc, in);
      });
  return createElementwise(
      b, loc, sum, cast<RankedTensorType>(sum.getType()),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::DivFOp::create(
            nb, l, a[0], createScalar(nb, l, a[0].getType(), (double)count));
      });
}

/// The normalized input and its statistics over `axes`.
struct Normalized {
  Value centered; // x - mean
  Value mean;     // keepdims
  Value invStd;   // 1 / sqrt(var + eps), keepdims
  Value var;      // keepdims
};

Normalized normalize(OpBuilder &b, Location loc, Value x,
                     ArrayRef<int64_t> axes, double eps) {
  auto type = cast<RankedTensorType>(x.getType());
  Value mean = meanKeep(b, loc, x, axes);
  Value d =
      createElementwise(b, loc, {x, mean}, type,
                        [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          return arith::SubFOp::create(nb, l, a[0], a[1]);
                        });
  Value var = meanKeep(b, loc, d, axes, /*square=*/true);
  Value inv = createElementwise(
      b, loc, var, cast<RankedTensorType>(var.getType()),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value v = arith::AddFOp::create(
            nb, l, a[0], createScalar(nb, l, a[0].getType(), eps));
        return math::RsqrtOp::create(nb, l, v);
      });
  return {d, mean, inv, var};
}

/// y = v * scale (+ bias); all inputs broadcast against `type`.
Value scaleShift(OpBuilder &b, Location loc, RankedTensorType type,
                 ValueRange inputs) {
  return createElementwise(
      b, loc, inputs, type,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value r = a[0];
        for (Value f : a.drop_front().drop_back())
          r = arith::MulFOp::create(nb, l, r, f);
        return arith::AddFOp::create(nb, l, r, a.back());
      });
}

/// y = v * f1 * f2 ... (no shift).
Value scaleOnly(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange inputs) {
  return createElementwise(
      b, loc, inputs, type,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value r = a[0];
        for (Value f : a.drop_front())
          r = arith::MulFOp::create(nb, l, r, f);
        return r;
      });
}

/// `v` converted to the element type of result `res` (or none for an unused
/// optional result).
Value asResult(OpBuilder &b, Location loc, Value v, Value res) {
  auto rt = dyn_cast<RankedTensorType>(res.getType());
  if (!rt)
    return onnx::NoneOp::create(b, loc);
  auto vt = cast<RankedTensorType>(v.getType());
  Type to = convertElementType(rt.getElementType());
  if (vt.getElementType() == to)
    return v;
  return createElementwise(
      b, loc, v, vt.clone(to),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return castScalar(nb, l, a[0], vt.getElementType(), to);
      });
}

/// Static float tensor types for the op's result and data operands.
LogicalResult checkFloatOperands(Operation *op,
                                 ConversionPatternRewriter &rewriter) {
  for (Value v : op->getOperands()) {
    if (isa<NoneType>(v.getType()))
      continue;
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.hasStaticShape() || !isa<FloatType>(t.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs static float tensors");
  }
  return success();
}

struct BatchNormLowering : OpConversionPattern<onnx::BatchNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;

  /// training_mode 1: Y is normalized with the batch statistics (mean and
  /// biased variance over every dim but 1); running_mean and running_var
  /// are input_mean * momentum + batch_mean * (1 - momentum) (the same for
  /// the variances).
  LogicalResult lowerTraining(onnx::BatchNormalizationOp op, OpAdaptor adaptor,
                              ConversionPatternRewriter &rewriter,
                              RankedTensorType type,
                              ArrayRef<Value> params) const {
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    if (adaptor.getX().getType() != type)
      return rewriter.notifyMatchFailure(op, "Y must have the type of X");
    SmallVector<int64_t> axes = {0};
    for (int64_t i = 2; i < rank; ++i)
      axes.push_back(i);
    Normalized n = normalize(rewriter, loc, adaptor.getX(), axes,
                             op.getEpsilon().convertToDouble());
    Value y = scaleShift(rewriter, loc, type,
                         {n.centered, n.invStd, params[0], params[1]});
    double momentum = op.getMomentum().convertToDouble();
    int64_t c = type.getDimSize(1);
    auto running = [&](Value input, Value batch, Value res) -> Value {
      auto rt = dyn_cast<RankedTensorType>(res.getType());
      if (!rt)
        return onnx::NoneOp::create(rewriter, loc);
      Value stat = reshapeTensor(rewriter, loc, batch, {c});
      auto statType = cast<RankedTensorType>(stat.getType());
      Value r = createElementwise(
          rewriter, loc, {input, stat}, statType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Type t = a[1].getType();
            Value in = a[0];
            if (in.getType() != t)
              in = castScalar(b, l, in, in.getType(), t);
            Value keep = arith::MulFOp::create(b, l, in,
                                               createScalar(b, l, t, momentum));
            Value add = arith::MulFOp::create(
                b, l, a[1], createScalar(b, l, t, 1.0 - momentum));
            return arith::AddFOp::create(b, l, keep, add);
          });
      return asResult(rewriter, loc, r, res);
    };
    SmallVector<Value> results = {y};
    results.push_back(
        running(adaptor.getInputMean(), n.mean, op.getRunningMean()));
    results.push_back(
        running(adaptor.getInputVar(), n.var, op.getRunningVar()));
    rewriter.replaceOp(op, results);
    return success();
  }

  LogicalResult
  matchAndRewrite(onnx::BatchNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "input rank below 2");
    Location loc = op.getLoc();
    SmallVector<Value> params;
    for (Value v : {adaptor.getScale(), adaptor.getB(), adaptor.getInputMean(),
                    adaptor.getInputVar()}) {
      auto vt = cast<RankedTensorType>(v.getType());
      if (vt.getRank() != 1 || vt.getDimSize(0) != type->getDimSize(1))
        return rewriter.notifyMatchFailure(op, "parameters must be [C]");
      params.push_back(alignToAxis(rewriter, loc, v, 1, rank));
    }
    if (op.getTrainingMode() != 0)
      return lowerTraining(op, adaptor, rewriter, *type, params);
    double eps = op.getEpsilon().convertToDouble();
    // y = (x - mean) * scale / sqrt(var + eps) + bias
    Value y = createElementwise(
        rewriter, loc,
        {adaptor.getX(), params[0], params[1], params[2], params[3]}, *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = arith::AddFOp::create(
              b, l, a[4], createScalar(b, l, a[4].getType(), eps));
          Value f =
              arith::MulFOp::create(b, l, a[1], math::RsqrtOp::create(b, l, v));
          Value d = arith::SubFOp::create(b, l, a[0], a[3]);
          return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, d, f),
                                       a[2]);
        });
    SmallVector<Value> results = {y};
    results.push_back(
        asResult(rewriter, loc, adaptor.getInputMean(), op.getRunningMean()));
    results.push_back(
        asResult(rewriter, loc, adaptor.getInputVar(), op.getRunningVar()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LayerNormLowering : OpConversionPattern<onnx::LayerNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LayerNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    for (Value v : op->getResults().drop_front())
      if (auto t = dyn_cast<RankedTensorType>(v.getType());
          t && !t.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic statistics shape");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    for (int64_t i = *axis; i < rank; ++i)
      axes.push_back(i);
    Normalized n = normalize(rewriter, loc, adaptor.getX(), axes,
                             op.getEpsilon().convertToDouble());
    SmallVector<Value> inputs = {n.centered, n.invStd, adaptor.getScale()};
    Value y;
    if (isa<NoneType>(adaptor.getB().getType())) {
      y = scaleOnly(rewriter, loc, *type, inputs);
    } else {
      inputs.push_back(adaptor.getB());
      y = scaleShift(rewriter, loc, *type, inputs);
    }
    rewriter.replaceOp(op,
                       {y, asResult(rewriter, loc, n.mean, op.getMean()),
                        asResult(rewriter, loc, n.invStd, op.getInvStdDev())});
    return success();
  }
};

struct RMSNormLowering : OpConversionPattern<onnx::RMSNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::RMSNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    for (int64_t i = *axis; i < rank; ++i)
      axes.push_back(i);
    double eps = op.getEpsilon().convertToDouble();
    Value ms = meanKeep(rewriter, loc, adaptor.getX(), axes, /*square=*/true);
    Value inv = createElementwise(
        rewriter, loc, ms, cast<RankedTensorType>(ms.getType()),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = arith::AddFOp::create(
              b, l, a[0], createScalar(b, l, a[0].getType(), eps));
          return math::RsqrtOp::create(b, l, v);
        });
    rewriter.replaceOp(op,
                       scaleOnly(rewriter, loc, *type,
                                 {adaptor.getX(), inv, adaptor.getScale()}));
    return success();
  }
};

struct InstanceNormLowering
    : OpConversionPattern<onnx::InstanceNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::InstanceNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    if (rank < 3)
      return rewriter.notifyMatchFailure(op, "input rank below 3");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < rank; ++i)
      axes.push_back(i);
    Normalized n = normalize(rewriter, loc, adaptor.getInput(), axes,
                             op.getEpsilon().convertToDouble());
    Value scale = alignToAxis(rewriter, loc, adaptor.getScale(), 1, rank);
    Value bias = alignToAxis(rewriter, loc, adaptor.getB(), 1, rank);
    rewriter.replaceOp(op, scaleShift(rewriter, loc, *type,
                                      {n.centered, n.invStd, scale, bias}));
    return success();
  }
};

/// Opset-21 GroupNormalization: statistics per (n, group) over the group's
/// channels and all spatial dims; scale and bias per channel.
struct GroupNormLowering : OpConversionPattern<onnx::GroupNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::GroupNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank();
    int64_t groups = op.getNumGroups();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "input rank below 2");
    int64_t c = type->getDimSize(1);
    if (groups <= 0 || c % groups != 0)
      return rewriter.notifyMatchFailure(op,
                                         "channels not divisible by groups");
    auto scaleType = cast<RankedTensorType>(adaptor.getScale().getType());
    if (scaleType.getRank() != 1 || scaleType.getDimSize(0) != c)
      return rewriter.notifyMatchFailure(
          op, "scale/bias must be per channel (opset 21)");
    Location loc = op.getLoc();
    // [N, C, S...] -> [N, G, C/G, S...]
    SmallVector<int64_t> shape = {type->getDimSize(0), groups, c / groups};
    SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2}};
    for (int64_t i = 2; i < rank; ++i) {
      shape.push_back(type->getDimSize(i));
      reassoc.push_back({i + 1});
    }
    auto groupedType = RankedTensorType::get(shape, type->getElementType());
    Value x = tensor::ExpandShapeOp::create(rewriter, loc, groupedType,
                                            adaptor.getX(), reassoc);
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i <= rank; ++i)
      axes.push_back(i);
    Normalized n =
        normalize(rewriter, loc, x, axes, op.getEpsilon().convertToDouble());
    Value v = scaleOnly(rewriter, loc, groupedType, {n.centered, n.invStd});
    v = tensor::CollapseShapeOp::create(rewriter, loc, *type, v, reassoc);
    Value scale = alignToAxis(rewriter, loc, adaptor.getScale(), 1, rank);
    Value bias = alignToAxis(rewriter, loc, adaptor.getBias(), 1, rank);
    rewriter.replaceOp(op, scaleShift(rewriter, loc, *type, {v, scale, bias}));
    return success();
  }
};

struct LpNormLowering : OpConversionPattern<onnx::LpNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LpNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    int64_t p = op.getP();
    if (p != 1 && p != 2)
      return rewriter.notifyMatchFailure(op, "p must be 1 or 2");
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), type->getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Location loc = op.getLoc();
    Value zero = createScalar(rewriter, loc, type->getElementType(), 0.0);
    Value norm = createReduction(
        rewriter, loc, adaptor.getInput(), {*axis}, zero, /*keepDims=*/true,
        [p](OpBuilder &b, Location l, Value in, Value acc) -> Value {
          Value t = p == 1 ? (Value)math::AbsFOp::create(b, l, in)
                           : (Value)arith::MulFOp::create(b, l, in, in);
          return arith::AddFOp::create(b, l, acc, t);
        });
    Value y = createElementwise(
        rewriter, loc, {adaptor.getInput(), norm}, *type,
        [p](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value n = a[1];
          if (p == 2)
            n = math::SqrtOp::create(b, l, n);
          // A zero norm gives 0, not NaN (as ONNX's reference does).
          Value zero = createScalar(b, l, n.getType(), 0.0);
          Value isZero =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, n, zero);
          return arith::SelectOp::create(b, l, isZero, zero,
                                         arith::DivFOp::create(b, l, a[0], n));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// (x - mean) / (sqrt(var) + 1e-9) over `axes`, as ONNX's function body.
struct MVNLowering : OpConversionPattern<onnx::MeanVarianceNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::MeanVarianceNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    SmallVector<int64_t> axes;
    for (int64_t a : op.getAxes()) {
      std::optional<int64_t> n = normalizeAxis(a, type->getRank());
      if (!n)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      axes.push_back(*n);
    }
    llvm::sort(axes);
    axes.erase(llvm::unique(axes), axes.end());
    Location loc = op.getLoc();
    Value mean = meanKeep(rewriter, loc, adaptor.getX(), axes);
    Value d =
        createElementwise(rewriter, loc, {adaptor.getX(), mean}, *type,
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return arith::SubFOp::create(b, l, a[0], a[1]);
                          });
    Value var = meanKeep(rewriter, loc, d, axes, /*square=*/true);
    Value y =
        createElementwise(rewriter, loc, {d, var}, *type,
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            Value s = arith::AddFOp::create(
                                b, l, math::SqrtOp::create(b, l, a[1]),
                                createScalar(b, l, a[1].getType(), 1e-9));
                            return arith::DivFOp::create(b, l, a[0], s);
                          });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// y = x / (bias + alpha / size * sum of x^2 over a channel window)^beta.
struct LRNLowering : OpConversionPattern<onnx::LRNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LRNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkFloatOperands(op, rewriter)))
      return failure();
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    int64_t rank = type->getRank(), size = op.getSize();
    if (rank < 2 || size <= 0)
      return rewriter.notifyMatchFailure(op, "needs rank >= 2 and size > 0");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elt = type->getElementType();
    Value x = adaptor.getX();
    int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
    SmallVector<OpFoldResult> low(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> high(rank, rewriter.getIndexAttr(0));
    low[1] = rewriter.getIndexAttr(lo);
    high[1] = rewriter.getIndexAttr(hi);
    SmallVector<int64_t> padded(type->getShape());
    padded[1] += lo + hi;
    Value zero = createScalar(rewriter, loc, elt, 0.0);
    Value xp = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(padded, elt), x, low, high, zero);
    // Iteration space (d0..d{rank-1}, k); k walks the window.
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t i = 0; i < rank; ++i) {
      AffineExpr d = getAffineDimExpr(i, ctx);
      outExprs.push_back(d);
      inExprs.push_back(i == 1 ? d + getAffineDimExpr(rank, ctx) : d);
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank + 1, 0, inExprs, ctx),
        AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx),
        AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value window =
        createEmpty(rewriter, loc, RankedTensorType::get({size}, elt));
    Value acc = createFilled(rewriter, loc, *type, zero);
    Value sumSq =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{*type}, ValueRange{xp, window},
            ValueRange{acc}, maps, iters,
            [](OpBuilder &b, Location l, ValueRange a) {
              Value sq = arith::MulFOp::create(b, l, a[0], a[0]);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, a[2], sq)});
            })
            .getResult(0);
    double alpha = op.getAlpha().convertToDouble() / size;
    double beta = op.getBeta().convertToDouble();
    double bias = op.getBias().convertToDouble();
    Value y = createElementwise(
        rewriter, loc, {x, sumSq}, *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value d = arith::AddFOp::create(
              b, l, createScalar(b, l, t, bias),
              arith::MulFOp::create(b, l, createScalar(b, l, t, alpha), a[1]));
          d = math::PowFOp::create(b, l, d, createScalar(b, l, t, beta));
          return arith::DivFOp::create(b, l, a[0], d);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(TypeConverter &tc,
                                   RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, LayerNormLowering, RMSNormLowering,
               InstanceNormLowering, GroupNormLowering, LpNormLowering,
               MVNLowering, LRNLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
