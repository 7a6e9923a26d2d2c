//===- Elementwise.cpp - shape inference: Elementwise ops -----------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

std::optional<LogicalResult> inferElementwiseShapes(Operation *op) {
  return std::nullopt;
}

} // namespace kiln::onnx
