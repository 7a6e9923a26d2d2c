//===- Elementwise.cpp - elementwise math and logic -----------------------===//
//
// Every op here becomes one linalg.generic over the (broadcast) result shape;
// the scalar body is built by a small function per op.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Scalar body: (builder, loc, converted scalar operands, ONNX element type
/// of operand 0) -> result.
using ScalarFn = Value (*)(OpBuilder &, Location, ValueRange, Type);

/// Lowers an elementwise op whose scalar semantics `fn` gives.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  ElementwiseLowering(TypeConverter &tc, MLIRContext *ctx, ScalarFn fn)
      : OpConversionPattern<OpTy>(tc, ctx), fn(fn) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op->getResult(0).getType());
    if (failed(type))
      return failure();
    SmallVector<Value> inputs;
    for (Value v : adaptor.getOperands()) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !t.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "needs static operand shapes");
      inputs.push_back(v);
    }
    Type onnxElt = getElementTypeOrSelf(op->getOperand(0).getType());
    Value result = createElementwise(
        rewriter, op.getLoc(), inputs, *type,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return fn(b, loc, args, onnxElt);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarFn fn;
};

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value add(OpBuilder &b, Location l, ValueRange a, Type) {
  if (isFloat(a[0]))
    return arith::AddFOp::create(b, l, a[0], a[1]);
  return arith::AddIOp::create(b, l, a[0], a[1]);
}
Value sub(OpBuilder &b, Location l, ValueRange a, Type) {
  if (isFloat(a[0]))
    return arith::SubFOp::create(b, l, a[0], a[1]);
  return arith::SubIOp::create(b, l, a[0], a[1]);
}
Value mul(OpBuilder &b, Location l, ValueRange a, Type) {
  if (isFloat(a[0]))
    return arith::MulFOp::create(b, l, a[0], a[1]);
  return arith::MulIOp::create(b, l, a[0], a[1]);
}
Value div(OpBuilder &b, Location l, ValueRange a, Type onnxElt) {
  if (isFloat(a[0]))
    return arith::DivFOp::create(b, l, a[0], a[1]);
  if (isUnsignedInt(onnxElt))
    return arith::DivUIOp::create(b, l, a[0], a[1]);
  return arith::DivSIOp::create(b, l, a[0], a[1]);
}
Value relu(OpBuilder &b, Location l, ValueRange a, Type) {
  Value zero = createScalar(b, l, a[0].getType(), 0.0);
  if (isFloat(a[0]))
    return arith::MaximumFOp::create(b, l, a[0], zero);
  return arith::MaxSIOp::create(b, l, a[0], zero);
}
Value sigmoid(OpBuilder &b, Location l, ValueRange a, Type) {
  // 1 / (1 + exp(-x))
  Value one = createScalar(b, l, a[0].getType(), 1.0);
  Value neg = arith::NegFOp::create(b, l, a[0]);
  Value e = math::ExpOp::create(b, l, neg);
  Value den = arith::AddFOp::create(b, l, one, e);
  return arith::DivFOp::create(b, l, one, den);
}
Value tanh(OpBuilder &b, Location l, ValueRange a, Type) {
  return math::TanhOp::create(b, l, a[0]);
}
Value exp(OpBuilder &b, Location l, ValueRange a, Type) {
  return math::ExpOp::create(b, l, a[0]);
}
Value identity(OpBuilder &, Location, ValueRange a, Type) { return a[0]; }

} // namespace

void populateElementwisePatterns(TypeConverter &tc,
                                 RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseLowering<onnx::AddOp>>(tc, ctx, add);
  patterns.add<ElementwiseLowering<onnx::SubOp>>(tc, ctx, sub);
  patterns.add<ElementwiseLowering<onnx::MulOp>>(tc, ctx, mul);
  patterns.add<ElementwiseLowering<onnx::DivOp>>(tc, ctx, div);
  patterns.add<ElementwiseLowering<onnx::ReluOp>>(tc, ctx, relu);
  patterns.add<ElementwiseLowering<onnx::SigmoidOp>>(tc, ctx, sigmoid);
  patterns.add<ElementwiseLowering<onnx::TanhOp>>(tc, ctx, tanh);
  patterns.add<ElementwiseLowering<onnx::ExpOp>>(tc, ctx, exp);
  patterns.add<ElementwiseLowering<onnx::IdentityOp>>(tc, ctx, identity);
}

} // namespace kiln::tolinalg
