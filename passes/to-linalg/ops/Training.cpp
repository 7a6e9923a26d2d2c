//===- Training.cpp - Adagrad, Adam, Momentum, training-mode Dropout ------===//
//
// The optimizers of ai.onnx.preview.training update n tensors in one node:
// the inputs are R (learning rate, scalar), T (update count, int64 scalar),
// then n X's, n G's and n of each optimizer state (Adagrad: H; Momentum: V;
// Adam: V and H); the outputs are the n new X's followed by the n new values
// of each state. Each update is elementwise over tensors of one shape: one
// linalg.generic per X yields the new X and its new states. Factors that
// depend on R and T only (the decayed or bias-corrected learning rate) are
// computed once in f64 before the generics.
//
// Dropout in training mode (training_mode a run-time or true input) keeps an
// element when a uniform draw u in [0, 1) is >= ratio and scales it by
// 1 / (1 - ratio). The draws come from a counter-based hash of the element's
// linear index and the seed attribute (0 when absent), so a run is
// deterministic; with ratio 0 or training_mode false the output is the input
// and the mask all true, exactly as the ONNX reference does.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Body of a multi-result elementwise generic: scalar inputs -> results.
using MultiBodyFn =
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

/// One linalg.generic over `inputs` (all of the static shape of the result
/// types) producing one tensor per type in `resultTypes`.
SmallVector<Value> createElementwiseMulti(OpBuilder &b, Location loc,
                                          ValueRange inputs,
                                          ArrayRef<RankedTensorType> types,
                                          MultiBodyFn body) {
  int64_t rank = types.front().getRank();
  SmallVector<Value> inits;
  for (RankedTensorType t : types)
    inits.push_back(createEmpty(b, loc, t));
  SmallVector<AffineMap> maps(
      inputs.size() + inits.size(),
      AffineMap::getMultiDimIdentityMap(rank, b.getContext()));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, ValueRange(inits).getTypes(), inputs, inits, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l,
                                body(nb, l, args.take_front(inputs.size())));
      });
  return SmallVector<Value>(generic->getResults());
}

/// The single element of a scalar (rank 0 or one-element) tensor.
FailureOr<Value> extractScalar(ConversionPatternRewriter &rewriter,
                               Operation *op, Value v, StringRef what) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || t.getNumElements() != 1)
    return rewriter.notifyMatchFailure(op, Twine(what) + " must be a scalar");
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  SmallVector<Value> idx(t.getRank(), zero);
  return tensor::ExtractOp::create(rewriter, loc, v, idx).getResult();
}

/// Float scalar `v` as f64.
Value toF64(OpBuilder &b, Location loc, Value v) {
  Type f64 = b.getF64Type();
  if (v.getType() == f64)
    return v;
  return arith::ExtFOp::create(b, loc, f64, v);
}

/// f64 scalar `v` as float type `to`.
Value fromF64(OpBuilder &b, Location loc, Value v, Type to) {
  if (v.getType() == to)
    return v;
  return arith::TruncFOp::create(b, loc, to, v);
}

/// Scalar float arithmetic shorthands.
struct FMath {
  OpBuilder &b;
  Location loc;
  Value c(Type t, double v) { return createScalar(b, loc, t, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  /// a * x with a constant `a`.
  Value scale(double a, Value x) { return mul(c(x.getType(), a), x); }
};

/// The per-op part of an optimizer lowering.
template <typename OpTy> struct OptimizerTraits;

template <> struct OptimizerTraits<onnx::AdagradOp> {
  static constexpr unsigned numStates = 1; // H
  static LogicalResult check(onnx::AdagradOp) { return success(); }
  /// r / (1 + t * decay_factor)
  static SmallVector<Value> factors(onnx::AdagradOp op, FMath &m, Value r,
                                    Value t) {
    double decay = op.getDecayFactor().convertToDouble();
    return {m.div(r, m.add(m.c(r.getType(), 1.0), m.scale(decay, t)))};
  }
  static SmallVector<Value> update(onnx::AdagradOp op, FMath &m, ValueRange f,
                                   Value x, Value g, ValueRange s) {
    double norm = op.getNormCoefficient().convertToDouble();
    double eps = op.getEpsilon().convertToDouble();
    Value gr = m.add(m.scale(norm, x), g);
    Value h = m.add(s[0], m.mul(gr, gr));
    Value denom = m.add(m.sqrt(h), m.c(h.getType(), eps));
    Value xNew = m.sub(x, m.div(m.mul(f[0], gr), denom));
    return {xNew, h};
  }
};

template <> struct OptimizerTraits<onnx::AdamOp> {
  static constexpr unsigned numStates = 2; // V, H
  static LogicalResult check(onnx::AdamOp) { return success(); }
  /// t > 0: r * sqrt(1 - beta^t) / (1 - alpha^t) (bias correction), else r.
  static SmallVector<Value> factors(onnx::AdamOp op, FMath &m, Value r,
                                    Value t) {
    Type f64 = r.getType();
    Value alpha = m.c(f64, op.getAlpha().convertToDouble());
    Value beta = m.c(f64, op.getBeta().convertToDouble());
    Value one = m.c(f64, 1.0);
    Value corrected = m.div(
        m.mul(r, m.sqrt(m.sub(one, math::PowFOp::create(m.b, m.loc, beta, t)))),
        m.sub(one, math::PowFOp::create(m.b, m.loc, alpha, t)));
    Value positive = arith::CmpFOp::create(
        m.b, m.loc, arith::CmpFPredicate::OGT, t, m.c(f64, 0.0));
    return {arith::SelectOp::create(m.b, m.loc, positive, corrected, r)};
  }
  static SmallVector<Value> update(onnx::AdamOp op, FMath &m, ValueRange f,
                                   Value x, Value g, ValueRange s) {
    double norm = op.getNormCoefficient().convertToDouble();
    double post = op.getNormCoefficientPost().convertToDouble();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    double eps = op.getEpsilon().convertToDouble();
    Value gr = m.add(m.scale(norm, x), g);
    Value v = m.add(m.scale(alpha, s[0]), m.scale(1.0 - alpha, gr));
    Value h = m.add(m.scale(beta, s[1]), m.scale(1.0 - beta, m.mul(gr, gr)));
    Value denom = m.add(m.sqrt(h), m.c(h.getType(), eps));
    Value xNew = m.sub(x, m.mul(f[0], m.div(v, denom)));
    return {m.scale(1.0 - post, xNew), v, h};
  }
};

template <> struct OptimizerTraits<onnx::MomentumOp> {
  static constexpr unsigned numStates = 1; // V
  static LogicalResult check(onnx::MomentumOp op) {
    return success(op.getMode() == "standard" || op.getMode() == "nesterov");
  }
  /// r, and beta for t > 0 else 1 (the first gradient is taken whole).
  static SmallVector<Value> factors(onnx::MomentumOp op, FMath &m, Value r,
                                    Value t) {
    Type f64 = r.getType();
    Value positive = arith::CmpFOp::create(
        m.b, m.loc, arith::CmpFPredicate::OGT, t, m.c(f64, 0.0));
    Value beta = arith::SelectOp::create(
        m.b, m.loc, positive, m.c(f64, op.getBeta().convertToDouble()),
        m.c(f64, 1.0));
    return {r, beta};
  }
  static SmallVector<Value> update(onnx::MomentumOp op, FMath &m, ValueRange f,
                                   Value x, Value g, ValueRange s) {
    double norm = op.getNormCoefficient().convertToDouble();
    double alpha = op.getAlpha().convertToDouble();
    Value gr = m.add(m.scale(norm, x), g);
    Value v = m.add(m.scale(alpha, s[0]), m.mul(f[1], gr));
    Value step = op.getMode() == "nesterov" ? m.add(gr, m.scale(alpha, v)) : v;
    return {m.sub(x, m.mul(f[0], step)), v};
  }
};

template <typename OpTy> struct OptimizerLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Traits = OptimizerTraits<OpTy>;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(Traits::check(op)))
      return rewriter.notifyMatchFailure(
          op, "mode must be 'standard' or 'nesterov'");
    ValueRange ins = adaptor.getInputs();
    unsigned groups = 2 + Traits::numStates;
    if (ins.empty() || ins.size() % groups != 0)
      return rewriter.notifyMatchFailure(
          op, "expects n X, n G and n of each optimizer state");
    unsigned n = ins.size() / groups;
    if (op->getNumResults() != n * (1 + Traits::numStates))
      return rewriter.notifyMatchFailure(
          op, "expects one output per updated X and state");
    Location loc = op.getLoc();
    auto r = extractScalar(rewriter, op, adaptor.getR(), "R");
    auto t = extractScalar(rewriter, op, adaptor.getT(), "T");
    if (failed(r) || failed(t))
      return failure();
    FMath m{rewriter, loc};
    Value t64 =
        arith::SIToFPOp::create(rewriter, loc, rewriter.getF64Type(), *t);
    SmallVector<Value> factors =
        Traits::factors(op, m, toF64(rewriter, loc, *r), t64);

    SmallVector<Value> results(op->getNumResults());
    for (unsigned i = 0; i < n; ++i) {
      auto type = getStaticType(rewriter, op, op->getResult(i).getType());
      if (failed(type))
        return failure();
      SmallVector<Value> operands;
      SmallVector<RankedTensorType> types = {*type};
      for (unsigned k = 0; k < groups; ++k)
        operands.push_back(ins[k * n + i]);
      for (unsigned k = 1; k <= Traits::numStates; ++k)
        types.push_back(*type);
      for (Value v : operands)
        if (v.getType() != *type)
          return rewriter.notifyMatchFailure(
              op, "X, G and the states must have the static type of the "
                  "updated X");
      for (unsigned k = 0; k <= Traits::numStates; ++k)
        if (op->getResult(k * n + i).getType() != op->getResult(i).getType())
          return rewriter.notifyMatchFailure(
              op, "the new states must have the type of the new X");
      Type elt = type->getElementType();
      SmallVector<Value> f;
      for (Value v : factors)
        f.push_back(fromF64(rewriter, loc, v, elt));
      SmallVector<Value> outs = createElementwiseMulti(
          rewriter, loc, operands, types,
          [&](OpBuilder &b, Location l, ValueRange a) {
            FMath em{b, l};
            return Traits::update(op, em, f, a[0], a[1], a.drop_front(2));
          });
      for (unsigned k = 0; k <= Traits::numStates; ++k)
        results[k * n + i] = outs[k];
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// A uniform draw in [0, 1) (f32) from the 32-bit hash of `counter` and
/// `seed` (murmur3's finalizer over counter * golden ratio + seed).
Value uniformDraw(OpBuilder &b, Location loc, Value counter, uint32_t seed) {
  Type i32 = b.getI32Type();
  auto c = [&](uint32_t v) { return createIntScalar(b, loc, i32, v); };
  auto xorShift = [&](Value h, uint32_t s) {
    return arith::XOrIOp::create(b, loc, h,
                                 arith::ShRUIOp::create(b, loc, h, c(s)));
  };
  Value h = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, counter, c(0x9e3779b9u)), c(seed));
  h = xorShift(h, 16);
  h = arith::MulIOp::create(b, loc, h, c(0x85ebca6bu));
  h = xorShift(h, 13);
  h = arith::MulIOp::create(b, loc, h, c(0xc2b2ae35u));
  h = xorShift(h, 16);
  // The top 24 bits, exactly representable in f32, scaled by 2^-24.
  Value top = arith::ShRUIOp::create(b, loc, h, c(8));
  Value f = arith::UIToFPOp::create(b, loc, b.getF32Type(), top);
  return arith::MulFOp::create(
      b, loc, f, createScalar(b, loc, b.getF32Type(), 1.0 / (1 << 24)));
}

struct TrainingDropoutLowering : OpConversionPattern<onnx::DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Without training_mode, or with a constant false one, Dropout is the
    // identity: the elementwise lowering handles it.
    Value mode = op.getTrainingMode();
    if (isa<NoneType>(mode.getType()))
      return rewriter.notifyMatchFailure(op, "not in training mode");
    auto modes = getConstantInts(mode);
    if (succeeded(modes) && llvm::none_of(*modes, [](int64_t v) { return v; }))
      return rewriter.notifyMatchFailure(op, "not in training mode");
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    auto elt = dyn_cast<FloatType>(type->getElementType());
    if (!elt || elt.getWidth() < 16)
      return rewriter.notifyMatchFailure(
          op, "data must be a f16, bf16, f32 or f64 tensor");
    if (adaptor.getData().getType() != *type)
      return rewriter.notifyMatchFailure(op, "output type differs from data");
    Location loc = op.getLoc();
    auto training =
        extractScalar(rewriter, op, adaptor.getTrainingMode(), "training_mode");
    if (failed(training))
      return failure();
    Value ratio = createScalar(rewriter, loc, rewriter.getF32Type(), 0.5);
    if (!isa<NoneType>(adaptor.getRatio().getType())) {
      auto r = extractScalar(rewriter, op, adaptor.getRatio(), "ratio");
      if (failed(r))
        return failure();
      ratio = *r;
      if (!isa<FloatType>(ratio.getType()))
        return rewriter.notifyMatchFailure(op, "ratio must be a float");
      unsigned w = cast<FloatType>(ratio.getType()).getWidth();
      if (w < 32)
        ratio =
            arith::ExtFOp::create(rewriter, loc, rewriter.getF32Type(), ratio);
      else if (w > 32)
        ratio = arith::TruncFOp::create(rewriter, loc, rewriter.getF32Type(),
                                        ratio);
    }
    // scale = training ? 1 / (1 - ratio) : 1, in the data's type.
    FMath m{rewriter, loc};
    Value one = m.c(rewriter.getF32Type(), 1.0);
    Value scale = arith::SelectOp::create(rewriter, loc, *training,
                                          m.div(one, m.sub(one, ratio)), one);
    if (elt.getWidth() > 32)
      scale = arith::ExtFOp::create(rewriter, loc, elt, scale);
    else if (elt.getWidth() < 32)
      scale = arith::TruncFOp::create(rewriter, loc, elt, scale);

    Value maskResult = op.getMask();
    auto maskType = dyn_cast<RankedTensorType>(maskResult.getType());
    if (maskType && maskType.getShape() != type->getShape())
      return rewriter.notifyMatchFailure(op, "mask shape differs from data");
    SmallVector<RankedTensorType> types = {*type};
    if (maskType)
      types.push_back(type->clone(rewriter.getI1Type()));
    uint32_t seed = op.getSeed() ? (uint32_t)*op.getSeed() : 0;
    ArrayRef<int64_t> shape = type->getShape();
    Value trainingFlag = *training;
    SmallVector<Value> outs = createElementwiseMulti(
        rewriter, loc, adaptor.getData(), types,
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          // Row-major linear index of the element.
          Value lin = arith::ConstantIndexOp::create(b, l, 0);
          for (int64_t d = 0, e = shape.size(); d < e; ++d) {
            Value dimSize = arith::ConstantIndexOp::create(b, l, shape[d]);
            lin = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, lin, dimSize),
                linalg::IndexOp::create(b, l, d));
          }
          Value counter =
              arith::IndexCastUIOp::create(b, l, b.getI32Type(), lin);
          Value u = uniformDraw(b, l, counter, seed);
          Value drawn =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u, ratio);
          Value notTraining = arith::XOrIOp::create(
              b, l, trainingFlag, createIntScalar(b, l, b.getI1Type(), 1));
          Value keep = arith::OrIOp::create(b, l, notTraining, drawn);
          Value y = arith::SelectOp::create(
              b, l, keep, arith::MulFOp::create(b, l, a[0], scale),
              createScalar(b, l, elt, 0.0));
          if (types.size() == 1)
            return {y};
          return {y, keep};
        });
    SmallVector<Value> results = {outs[0]};
    results.push_back(
        maskType ? outs[1] : onnx::NoneOp::create(rewriter, loc).getResult());
    rewriter.replaceOp(
        op, ArrayRef<Value>(results).take_front(op->getNumResults()));
    return success();
  }
};

} // namespace

void populateTrainingPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns
      .add<OptimizerLowering<onnx::AdagradOp>, OptimizerLowering<onnx::AdamOp>,
           OptimizerLowering<onnx::MomentumOp>, TrainingDropoutLowering>(
          tc, patterns.getContext());
}

} // namespace kiln::tolinalg
