//===- convert-onnx-to-linalg.cpp - kiln-convert-onnx-to-linalg ----------===//
//
// Thin pass: collects the per-family patterns (ops/*.cpp) and runs a partial
// dialect conversion. Ops with no lowering are reported by node first.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"
#include "passes/to-linalg/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"

#define DEBUG_TYPE "kiln-convert-onnx-to-linalg"

namespace kiln {
#define GEN_PASS_DEF_CONVERTONNXTOLINALGPASS
#include "passes/to-linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct ConvertONNXToLinalgPass
    : kiln::impl::ConvertONNXToLinalgPassBase<ConvertONNXToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ModuleOp module = getOperation();
    kiln::tolinalg::ONNXTypeConverter typeConverter;
    RewritePatternSet patterns(ctx);
    kiln::tolinalg::populateConstantPatterns(typeConverter, patterns);
    kiln::tolinalg::populateElementwisePatterns(typeConverter, patterns);
    kiln::tolinalg::populateMatMulPatterns(typeConverter, patterns);
    kiln::tolinalg::populateConvPatterns(typeConverter, patterns, directConvs);
    kiln::tolinalg::populatePoolingPatterns(typeConverter, patterns);
    kiln::tolinalg::populateDataMovementPatterns(typeConverter, patterns);
    kiln::tolinalg::populateGatherScatterPatterns(typeConverter, patterns);
    kiln::tolinalg::populateResizePatterns(typeConverter, patterns);
    kiln::tolinalg::populateReductionPatterns(typeConverter, patterns);
    kiln::tolinalg::populateSoftmaxPatterns(typeConverter, patterns);
    kiln::tolinalg::populateNormalizationPatterns(typeConverter, patterns);
    kiln::tolinalg::populateMiscPatterns(typeConverter, patterns);
    kiln::tolinalg::populateRecurrentPatterns(typeConverter, patterns);
    kiln::tolinalg::populateTopKPatterns(typeConverter, patterns);
    kiln::tolinalg::populateSelectionPatterns(typeConverter, patterns);
    kiln::tolinalg::populateEinsumPatterns(typeConverter, patterns);
    kiln::tolinalg::populateLossPatterns(typeConverter, patterns);
    kiln::tolinalg::populateGridSamplePatterns(typeConverter, patterns);
    kiln::tolinalg::populateAttentionPatterns(typeConverter, patterns);
    kiln::tolinalg::populateLinearAttentionPatterns(typeConverter, patterns);
    kiln::tolinalg::populateFlexAttentionPatterns(typeConverter, patterns);
    kiln::tolinalg::populateControlFlowPatterns(typeConverter, patterns);
    kiln::tolinalg::populateCausalConvPatterns(typeConverter, patterns);
    kiln::tolinalg::populateTensorScatterPatterns(typeConverter, patterns);
    kiln::tolinalg::populateQuantizedPatterns(typeConverter, patterns);
    kiln::tolinalg::populateLinearAlgebraPatterns(typeConverter, patterns);
    kiln::tolinalg::populateImagePatterns(typeConverter, patterns);
    kiln::tolinalg::populateRoiAlignPatterns(typeConverter, patterns);
    kiln::tolinalg::populateSignalPatterns(typeConverter, patterns);
    kiln::tolinalg::populateTrainingPatterns(typeConverter, patterns);
    kiln::tolinalg::populateMLPatterns(typeConverter, patterns);
    kiln::tolinalg::populateTreeEnsemblePatterns(typeConverter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);
    FrozenRewritePatternSet frozen(std::move(patterns));

    // Name every op that has no lowering at all before converting.
    bool unsupported = false;
    const auto &byOp = frozen.getOpSpecificNativePatterns();
    module.walk([&](Operation *op) {
      if (!isa<kiln::onnx::ONNXDialect>(op->getDialect()) ||
          isa<kiln::onnx::NoneOp, kiln::onnx::YieldOp>(op))
        return;
      if (!byOp.count(op->getName())) {
        op->emitError() << "'" << op->getName()
                        << "' is not supported by the code generator yet";
        unsupported = true;
      }
    });
    if (unsupported)
      return signalPassFailure();

    ConversionTarget target(*ctx);
    target.addIllegalDialect<kiln::onnx::ONNXDialect>();
    target.addLegalOp<kiln::onnx::NoneOp>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect, cf::ControlFlowDialect,
                           bufferization::BufferizationDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return typeConverter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp r) { return typeConverter.isLegal(r); });
    if (failed(applyPartialConversion(module, target, frozen)))
      return signalPassFailure();
    // Omitted optional inputs have no users left.
    module.walk([](kiln::onnx::NoneOp op) {
      if (op->use_empty())
        op->erase();
    });
  }
};
} // namespace
