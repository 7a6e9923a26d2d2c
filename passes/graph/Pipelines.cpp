//===- Pipelines.cpp - the graph pipeline ---------------------------------===//
#include "passes/graph/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void kiln::buildGraphPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createShapeInferencePass());
  pm.addNestedPass<func::FuncOp>(createResolveSequencesPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createShapeInferencePass());
}

void kiln::registerGraphPipelines() {
  registerKilnGraphPasses();
  PassPipelineRegistration<>(
      "kiln-graph-pipeline",
      "Shape inference, constant folding and cleanup on the onnx dialect",
      [](OpPassManager &pm) { buildGraphPipeline(pm); });
}
