//===- Tensor.cpp - shape inference: Tensor ops -----------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

std::optional<LogicalResult> inferTensorShapes(Operation *op) {
  return std::nullopt;
}

} // namespace kiln::onnx
