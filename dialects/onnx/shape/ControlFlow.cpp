//===- ControlFlow.cpp - shape inference: ControlFlow ops -----------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

std::optional<LogicalResult> inferControlFlowShapes(Operation *op) {
  return std::nullopt;
}

} // namespace kiln::onnx
