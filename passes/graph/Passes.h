//===- Passes.h - graph-level passes ----------------------------*- C++ -*-===//
#ifndef KILN_PASSES_GRAPH_PASSES_H
#define KILN_PASSES_GRAPH_PASSES_H

#include "dialects/onnx/ONNXDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace kiln {

#define GEN_PASS_DECL
#include "passes/graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"

/// The `graph` pipeline (kiln-graph-pipeline): shape inference, folding and
/// cleanup on the imported onnx module.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// Registers the graph passes and the kiln-graph-pipeline pipeline.
void registerGraphPipelines();

} // namespace kiln

#endif // KILN_PASSES_GRAPH_PASSES_H
