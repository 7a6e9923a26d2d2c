//===- ShapeInference.cpp - dispatch and shared helpers -------------------===//
#include "dialects/onnx/ShapeInference.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln::onnx {

LogicalResult inferShapes(Operation *op) {
  using Family = std::optional<LogicalResult> (*)(Operation *);
  static const Family families[] = {
      inferElementwiseShapes, inferTensorShapes,      inferNNShapes,
      inferReductionShapes,   inferControlFlowShapes,
  };
  for (Family family : families)
    if (std::optional<LogicalResult> r = family(op))
      return *r;
  return success();
}

std::optional<SmallVector<int64_t>> getShape(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return SmallVector<int64_t>(t.getShape());
  return std::nullopt;
}

ElementsAttr getConstantElements(Value v) {
  if (auto cst = v.getDefiningOp<ConstantOp>())
    if (auto value = cst.getValueAttr())
      return dyn_cast<ElementsAttr>(value);
  return nullptr;
}

std::optional<SmallVector<int64_t>> getConstantInts(Value v) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(getConstantElements(v));
  if (!dense || !dense.getElementType().isInteger())
    return std::nullopt;
  SmallVector<int64_t> out;
  bool isUnsigned = dense.getElementType().isUnsignedInteger() ||
                    dense.getElementType().isInteger(1);
  for (const APInt &i : dense.getValues<APInt>())
    out.push_back(isUnsigned ? (int64_t)i.getZExtValue() : i.getSExtValue());
  return out;
}

std::optional<SmallVector<double>> getConstantFloats(Value v) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(getConstantElements(v));
  if (!dense || !isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  SmallVector<double> out;
  for (const APFloat &f : dense.getValues<APFloat>()) {
    APFloat d = f;
    bool lost;
    d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(d.convertToDouble());
  }
  return out;
}

LogicalResult setShape(Value r, ArrayRef<int64_t> shape) {
  Type elt;
  auto shaped = dyn_cast<ShapedType>(r.getType());
  if (!shaped)
    return success(); // none, sequences, optionals: nothing to refine here
  elt = shaped.getElementType();
  SmallVector<int64_t> merged(shape);
  if (auto old = dyn_cast<RankedTensorType>(r.getType())) {
    if (old.getRank() != (int64_t)shape.size()) {
      if (Operation *op = r.getDefiningOp())
        return op->emitOpError("inferred rank ")
               << shape.size() << " disagrees with the declared rank "
               << old.getRank();
      return failure();
    }
    for (auto [i, d] : llvm::enumerate(old.getShape())) {
      if (ShapedType::isDynamic(d))
        continue;
      if (ShapedType::isDynamic(merged[i])) {
        merged[i] = d;
      } else if (merged[i] != d) {
        if (Operation *op = r.getDefiningOp())
          return op->emitOpError("inferred dim ")
                 << i << " = " << merged[i]
                 << " disagrees with the declared dim " << d;
        return failure();
      }
    }
  }
  for (int64_t d : merged)
    if (!ShapedType::isDynamic(d) && d < 0) {
      if (Operation *op = r.getDefiningOp())
        return op->emitOpError("inferred a negative dim ") << d;
      return failure();
    }
  r.setType(RankedTensorType::get(merged, elt));
  return success();
}

FailureOr<SmallVector<int64_t>>
broadcastShapes(ArrayRef<SmallVector<int64_t>> shapes) {
  size_t rank = 0;
  for (const auto &s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t dim = 1;
    bool dynamic = false;
    for (const auto &s : shapes) {
      if (i + s.size() < rank)
        continue;
      int64_t d = s[i + s.size() - rank];
      if (ShapedType::isDynamic(d)) {
        dynamic = true;
        continue;
      }
      if (d == 1)
        continue;
      if (dim != 1 && dim != d)
        return failure();
      dim = d;
    }
    // A dynamic dim broadcast against 1s stays dynamic; against a known
    // d != 1 it must be d (or 1, which broadcasts to d).
    out[i] = (dynamic && dim == 1) ? ShapedType::kDynamic : dim;
  }
  return out;
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

} // namespace kiln::onnx
