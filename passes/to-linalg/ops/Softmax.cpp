//===- Softmax.cpp - Softmax, LogSoftmax, Hardmax -------------------------===//
//
// Opset-13 semantics (one axis; older forms were rewritten by the importer).
// Softmax is computed stably: m = max(x), e = exp(x - m), y = e / sum(e);
// LogSoftmax is (x - m) - log(sum(e)); Hardmax is 1 at the first maximum.
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

    Value m = createReduction(
        rewriter, loc, x, {*axis}, createLowest(rewriter, loc, elt),
        /*keepDims=*/true, [](OpBuilder &b, Location l, Value in, Value acc) {
          return createMax(b, l, acc, in, false);
        });
    Value e =
        createElementwise(rewriter, loc, {x, m}, *type,
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return math::ExpOp::create(
                                b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                          });
    Value s = createReduction(
        rewriter, loc, e, {*axis}, createScalar(rewriter, loc, elt, 0.0),
        /*keepDims=*/true, [](OpBuilder &b, Location l, Value in, Value acc) {
          return createAdd(b, l, acc, in);
        });
    Value r;
    if (K == Kind::Softmax)
      r = createElementwise(
          rewriter, loc, {e, s}, *type,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], a[1]);
          });
    else
      r = createElementwise(
          rewriter, loc, {x, m, s}, *type,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value d = arith::SubFOp::create(b, l, a[0], a[1]);
            return arith::SubFOp::create(b, l, d,
                                         math::LogOp::create(b, l, a[2]));
          });
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
