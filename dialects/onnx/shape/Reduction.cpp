//===- Reduction.cpp - shape inference: reductions ------------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

namespace {

bool isReduce(Operation *op) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
             ReduceL1Op, ReduceL2Op, ReduceLogSumOp, ReduceLogSumExpOp,
             ReduceSumSquareOp>(op);
}

/// Output shape of reducing `in` over `axes` (empty: all dims).
FailureOr<SmallVector<int64_t>> reducedShape(Operation *op,
                                             ArrayRef<int64_t> in,
                                             ArrayRef<int64_t> axes,
                                             bool keepDims) {
  int64_t r = in.size();
  SmallVector<bool> reduce(r, axes.empty());
  for (int64_t a : axes) {
    auto n = normalizeAxis(a, r);
    if (!n) {
      op->emitOpError("axis ") << a << " out of range for rank " << r;
      return failure();
    }
    reduce[*n] = true;
  }
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < r; ++i) {
    if (!reduce[i])
      out.push_back(in[i]);
    else if (keepDims)
      out.push_back(1);
  }
  return out;
}

LogicalResult inferReduce(Operation *op) {
  auto in = getShape(op->getOperand(0));
  bool keepDims = getIntAttr(op, "keepdims", 1) != 0;
  bool noop = getIntAttr(op, "noop_with_empty_axes", 0) != 0;
  std::optional<SmallVector<int64_t>> axes;
  Value axesV = op->getNumOperands() > 1 ? op->getOperand(1) : Value();
  if (axesV && !isNone(axesV)) {
    axes = getConstantInts(axesV);
    // An axes tensor of static length 0 is empty whatever its producer.
    if (!axes && getStatic1DLength(axesV) == 0)
      axes = SmallVector<int64_t>();
    if (!axes) {
      // Unknown axes: with keepdims the rank stays, and so do dims of size 1
      // (reduced or not).
      if (!in || !keepDims)
        return success();
      SmallVector<int64_t> out(in->size(), ShapedType::kDynamic);
      for (auto [o, d] : llvm::zip(out, *in))
        if (d == 1)
          o = 1;
      return setShape(op->getResult(0), out);
    }
  } else if (auto attr = getIntsAttr(op, "axes")) {
    axes = *attr;
  } else {
    axes = SmallVector<int64_t>();
  }
  if (!in)
    return success();
  if (axes->empty() && noop)
    return setShape(op->getResult(0), *in);
  auto out = reducedShape(op, *in, *axes, keepDims);
  if (failed(out))
    return failure();
  return setShape(op->getResult(0), *out);
}

LogicalResult inferArg(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t axis = getIntAttr(op, "axis", 0);
  auto out = reducedShape(op, *in, {axis}, getIntAttr(op, "keepdims", 1) != 0);
  if (failed(out))
    return failure();
  return setShape(op->getResult(0), *out);
}

} // namespace

std::optional<LogicalResult> inferReductionShapes(Operation *op) {
  if (isReduce(op))
    return inferReduce(op);
  if (isa<ArgMaxOp, ArgMinOp>(op))
    return inferArg(op);
  return std::nullopt;
}

} // namespace kiln::onnx
