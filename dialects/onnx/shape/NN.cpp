//===- NN.cpp - shape inference: NN ops -----------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

std::optional<LogicalResult> inferNNShapes(Operation *op) {
  return std::nullopt;
}

} // namespace kiln::onnx
