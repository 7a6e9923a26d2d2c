//===- Reduction.cpp - shape inference: Reduction ops -----------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

std::optional<LogicalResult> inferReductionShapes(Operation *op) {
  return std::nullopt;
}

} // namespace kiln::onnx
