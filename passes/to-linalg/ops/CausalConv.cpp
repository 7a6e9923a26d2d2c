//===- CausalConv.cpp - CausalConvWithState -------------------------------===//
//
// CausalConvWithState (opset 27): a stateful causal depthwise 1-D conv.
// The input (B, C, L) is prefixed along the length with past_state
// (B, C, K-1), or zeros, by tensor.insert_slice; a
// linalg.depthwise_conv_1d_ncw_cw (stride 1, no pads) with the weight
// (C, 1, K) collapsed to (C, K) accumulates into the bias broadcast along
// the channels. present_state is the last K-1 positions of the padded
// sequence (an extract_slice).
//
// As ONNX's reference does, the conv result is rounded to T before the
// fused SiLU/Swish activation (x * sigmoid(x)), which is computed in f32.
// f16/bf16 convs accumulate in f32 (the expected outputs are the exact sums
// rounded once).
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Float scalar `v` converted to float type `to` (extf/truncf; f16 <-> bf16
/// through f32).
Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  return castScalar(b, loc, v, v.getType(), to);
}

struct CausalConvWithStateLowering
    : OpConversionPattern<onnx::CausalConvWithStateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::CausalConvWithStateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto xType = getStaticType(rewriter, op, adaptor.getInput().getType());
    auto wType = getStaticType(rewriter, op, adaptor.getWeight().getType());
    auto outType = getStaticType(rewriter, op, op.getOutput().getType());
    auto stType = getStaticType(rewriter, op, op.getPresentState().getType());
    if (failed(xType) || failed(wType) || failed(outType) || failed(stType))
      return failure();
    StringRef act = op.getActivation();
    bool silu = act == "silu" || act == "swish";
    if (!silu && act != "none")
      return op.emitError() << "CausalConvWithState: unsupported activation '"
                            << act << "' (expected 'none', 'silu' or 'swish')";
    if (xType->getRank() != 3 || wType->getRank() != 3)
      return op.emitError("CausalConvWithState: input and weight must be "
                          "rank 3 (batch, channels, length), (channels, 1, k)");
    int64_t n = xType->getDimSize(0), c = xType->getDimSize(1),
            len = xType->getDimSize(2), k = wType->getDimSize(2);
    if (wType->getDimSize(0) != c || wType->getDimSize(1) != 1 || k < 1)
      return op.emitError() << "CausalConvWithState: weight must have shape ("
                            << c << ", 1, k) with k >= 1";
    SmallVector<int64_t> stShape{n, c, k - 1};
    if (outType->getShape() != xType->getShape() ||
        stType->getShape() != ArrayRef<int64_t>(stShape))
      return op.emitError("CausalConvWithState: output must have the shape of "
                          "the input, present_state (batch, channels, k - 1)");
    Value bias = adaptor.getBias(), past = adaptor.getPastState();
    bool hasBias = !isa<NoneType>(bias.getType());
    bool hasPast = !isa<NoneType>(past.getType());
    if (hasBias) {
      auto bType = getStaticType(rewriter, op, bias.getType());
      if (failed(bType))
        return failure();
      if (bType->getShape() != ArrayRef<int64_t>{c})
        return op.emitError()
               << "CausalConvWithState: bias must have shape (" << c << ")";
    }
    if (hasPast) {
      auto pType = getStaticType(rewriter, op, past.getType());
      if (failed(pType))
        return failure();
      if (pType->getShape() != ArrayRef<int64_t>(stShape))
        return op.emitError()
               << "CausalConvWithState: past_state must have shape (" << n
               << ", " << c << ", " << k - 1 << ")";
    }

    // The padded sequence (B, C, K-1+L): past_state (or zeros), then input.
    Type elt = xType->getElementType();
    auto padType = RankedTensorType::get({n, c, k - 1 + len}, elt);
    Value padded = hasPast ? createEmpty(rewriter, loc, padType)
                           : createFilled(rewriter, loc, padType,
                                          createScalar(rewriter, loc, elt, 0));
    SmallVector<OpFoldResult> unit(3, rewriter.getIndexAttr(1));
    auto sizes = [&](int64_t l) {
      return SmallVector<OpFoldResult>{rewriter.getIndexAttr(n),
                                       rewriter.getIndexAttr(c),
                                       rewriter.getIndexAttr(l)};
    };
    auto offsets = [&](int64_t t) {
      return SmallVector<OpFoldResult>{rewriter.getIndexAttr(0),
                                       rewriter.getIndexAttr(0),
                                       rewriter.getIndexAttr(t)};
    };
    if (hasPast && k > 1)
      padded = tensor::InsertSliceOp::create(rewriter, loc, past, padded,
                                             offsets(0), sizes(k - 1), unit);
    padded =
        tensor::InsertSliceOp::create(rewriter, loc, adaptor.getInput(), padded,
                                      offsets(k - 1), sizes(len), unit);

    // Depthwise conv accumulating in f32 for f16/bf16, into the bias.
    Type acc = elt.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : elt;
    auto accType = RankedTensorType::get({n, c, len}, acc);
    Value init;
    if (hasBias) {
      SmallVector<AffineMap> maps{
          AffineMap::get(3, 0, {getAffineDimExpr(1, ctx)}, ctx),
          AffineMap::getMultiDimIdentityMap(3, ctx)};
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{accType}, ValueRange{bias},
                 ValueRange{createEmpty(rewriter, loc, accType)}, maps,
                 SmallVector<utils::IteratorType>(
                     3, utils::IteratorType::parallel),
                 [&](OpBuilder &b, Location l, ValueRange a) {
                   linalg::YieldOp::create(b, l, convertFloat(b, l, a[0], acc));
                 })
                 .getResult(0);
    } else {
      init = createFilled(rewriter, loc, accType,
                          createScalar(rewriter, loc, acc, 0));
    }
    Value w = reshapeTensor(rewriter, loc, adaptor.getWeight(), {c, k});
    auto unitAttr = rewriter.getI64TensorAttr({1});
    Value conv = linalg::DepthwiseConv1DNcwCwOp::create(
                     rewriter, loc, TypeRange{accType}, ValueRange{padded, w},
                     ValueRange{init}, unitAttr, unitAttr)
                     .getResult(0);

    // Round to T, then the activation in f32.
    Value out = conv;
    if (silu || acc != elt)
      out = createElementwise(
          rewriter, loc, ValueRange{conv}, *outType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value v = convertFloat(b, l, a[0], elt);
            if (!silu)
              return v;
            Type f32 = b.getF32Type();
            Value x = convertFloat(b, l, v, f32);
            Value one = createScalar(b, l, f32, 1.0);
            Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
            Value sig = arith::DivFOp::create(
                b, l, one, arith::AddFOp::create(b, l, one, e));
            return convertFloat(b, l, arith::MulFOp::create(b, l, x, sig), elt);
          });

    // present_state: the last K-1 positions of the padded sequence.
    Value state =
        k > 1 ? tensor::ExtractSliceOp::create(rewriter, loc, *stType, padded,
                                               offsets(len), sizes(k - 1), unit)
                    .getResult()
              : createEmpty(rewriter, loc, *stType);
    rewriter.replaceOp(op, {out, state});
    return success();
  }
};

} // namespace

void populateCausalConvPatterns(TypeConverter &tc,
                                RewritePatternSet &patterns) {
  patterns.add<CausalConvWithStateLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
