//===- Constant.cpp - onnx.Constant / onnx.None ---------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// onnx.Constant -> arith.constant with the same elements (signless type).
struct ConstantLowering : OpConversionPattern<onnx::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast_or_null<ElementsAttr>(op.getValueAttr());
    if (!value)
      return rewriter.notifyMatchFailure(op, "no tensor value");
    auto type = getStaticType(rewriter, op, op.getResult().getType());
    if (failed(type))
      return failure();
    TypedAttr attr = value;
    if (type->getElementType() != value.getElementType()) {
      // Unsigned -> signless: same bits.
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        attr = dense.bitcast(type->getElementType());
      else if (auto res = dyn_cast<DenseResourceElementsAttr>(value))
        attr = DenseResourceElementsAttr::get(*type, res.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unsupported constant kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, *type, attr);
    return success();
  }
};
} // namespace

void populateConstantPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<ConstantLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
