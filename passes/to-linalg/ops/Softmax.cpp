//===- Softmax.cpp - Softmax, LogSoftmax, Hardmax -------------------------===//
//
// Opset-13 semantics (one axis; older forms were rewritten by the importer).
// Softmax is computed stably: m = max(x), e = exp(x - m), y = e / sum(e);
// LogSoftmax is (x - m) - log(sum(e)); Hardmax is 1 at the first maximum.
// f16/bf16 round every step to the input type, as the ops' function bodies
// (Sub, Exp, ReduceSum, Div / Log, Sub in T) say, computing each in f32; the
// sum accumulates in f32 and rounds once (as MatMul does).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class Kind { Softmax, LogSoftmax, Hardmax };

template <typename OpTy, Kind K>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getOutput().getType());
    if (failed(type))
      return failure();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), type->getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value x = adaptor.getInput();
    Type elt = type->getElementType();

    if (K == Kind::Hardmax) {
      Value idx = createArgReduction(rewriter, loc, x, *axis, /*isMin=*/false,
                                     /*selectLast=*/false, false);
      idx = expandReducedDims(rewriter, loc, idx, type->getShape(), {*axis});
      int64_t a = *axis;
      Value r = createElementwise(
          rewriter, loc, idx, *type,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value i = linalg::IndexOp::create(b, l, a);
            i = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
            Value eq = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i,
                                             args[0]);
            return arith::SelectOp::create(b, l, eq,
                                           createScalar(b, l, elt, 1.0),
                                           createScalar(b, l, elt, 0.0));
          });
      rewriter.replaceOp(op, r);
      return success();
    }

    // 16-bit floats: each step computes in f32 and rounds to `elt`.
    bool narrow = cast<FloatType>(elt).getWidth() < 32;
    Type f32 = rewriter.getF32Type();
    auto step = [&](ValueRange inputs,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
      return createElementwise(
          rewriter, loc, inputs, *type,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            if (!narrow)
              return fn(b, l, a);
            SmallVector<Value> wide;
            for (Value v : a)
              wide.push_back(arith::ExtFOp::create(b, l, f32, v));
            return arith::TruncFOp::create(b, l, elt, fn(b, l, wide));
          });
    };
    Value m = createReduction(
        rewriter, loc, x, {*axis}, createLowest(rewriter, loc, elt),
        /*keepDims=*/true, [](OpBuilder &b, Location l, Value in, Value acc) {
          return createMax(b, l, acc, in, false);
        });
    Value d = step({x, m}, [](OpBuilder &b, Location l, ValueRange a) {
      return arith::SubFOp::create(b, l, a[0], a[1]);
    });
    Value e = step({d}, [](OpBuilder &b, Location l, ValueRange a) {
      return math::ExpOp::create(b, l, a[0]);
    });
    Type accElt = narrow ? f32 : elt;
    Value s = createReduction(
        rewriter, loc, e, {*axis}, createScalar(rewriter, loc, accElt, 0.0),
        /*keepDims=*/true, [&](OpBuilder &b, Location l, Value in, Value acc) {
          if (narrow)
            in = arith::ExtFOp::create(b, l, f32, in);
          return createAdd(b, l, acc, in);
        });
    if (narrow) {
      auto sType = cast<RankedTensorType>(s.getType());
      s = createElementwise(
          rewriter, loc, s, RankedTensorType::get(sType.getShape(), elt),
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::TruncFOp::create(b, l, elt, a[0]);
          });
    }
    Value r;
    if (K == Kind::Softmax) {
      r = step({e, s}, [](OpBuilder &b, Location l, ValueRange a) {
        return arith::DivFOp::create(b, l, a[0], a[1]);
      });
    } else {
      Value lg = step({s}, [](OpBuilder &b, Location l, ValueRange a) {
        return math::LogOp::create(b, l, a[0]);
      });
      r = step({d, lg}, [](OpBuilder &b, Location l, ValueRange a) {
        return arith::SubFOp::create(b, l, a[0], a[1]);
      });
    }
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateSoftmaxPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering<onnx::SoftmaxOp, Kind::Softmax>,
               SoftmaxLowering<onnx::LogSoftmaxOp, Kind::LogSoftmax>,
               SoftmaxLowering<onnx::HardmaxOp, Kind::Hardmax>>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
