//===- ShapeInference.cpp - dispatch and shared helpers -------------------===//
#include "dialects/onnx/ShapeInference.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln::onnx {

LogicalResult inferShapes(Operation *op) {
  using Family = std::optional<LogicalResult> (*)(Operation *);
  static const Family families[] = {
      inferElementwiseShapes, inferTensorShapes,      inferNNShapes,
      inferReductionShapes,   inferControlFlowShapes, inferSignalShapes,
      inferMLShapes,
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

static std::optional<SmallVector<int64_t>> getPartialInts(Value v, int depth) {
  if (auto c = getConstantInts(v))
    return c;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() > 1 || !type.getElementType().isInteger())
    return std::nullopt;
  auto unknown = [&]() -> std::optional<SmallVector<int64_t>> {
    if (!type.hasStaticShape())
      return std::nullopt;
    return SmallVector<int64_t>(type.getNumElements(), ShapedType::kDynamic);
  };
  Operation *op = v.getDefiningOp();
  if (!op || depth > 8)
    return unknown();
  if (auto shape = dyn_cast<ShapeOp>(op)) {
    auto in = getShape(shape.getData());
    if (!in)
      return unknown();
    int64_t r = in->size();
    auto clampAxis = [&](int64_t a) {
      if (a < 0)
        a += r;
      return std::min(std::max<int64_t>(a, 0), r);
    };
    int64_t start = clampAxis(shape.getStart());
    int64_t end = clampAxis(shape.getEnd().value_or(r));
    if (end <= start)
      return SmallVector<int64_t>();
    return SmallVector<int64_t>(in->begin() + start, in->begin() + end);
  }
  if (isa<ConcatOp>(op)) {
    SmallVector<int64_t> out;
    for (Value in : op->getOperands()) {
      auto p = getPartialInts(in, depth + 1);
      if (!p)
        return unknown();
      out.append(*p);
    }
    return out;
  }
  if (isa<UnsqueezeOp, SqueezeOp, CastOp, IdentityOp, ReshapeOp>(op)) {
    auto p = getPartialInts(op->getOperand(0), depth + 1);
    if (p && type.hasStaticShape() &&
        (int64_t)p->size() == type.getNumElements())
      return p;
    return unknown();
  }
  if (isa<GatherOp>(op)) {
    auto data = getPartialInts(op->getOperand(0), depth + 1);
    auto idx = getConstantInts(op->getOperand(1));
    if (!data || !idx || getRank(op->getOperand(0)) != 1)
      return unknown();
    SmallVector<int64_t> out;
    int64_t n = data->size();
    for (int64_t i : *idx) {
      if (i < -n || i >= n)
        return unknown();
      out.push_back((*data)[i < 0 ? i + n : i]);
    }
    return out;
  }
  return unknown();
}

std::optional<SmallVector<int64_t>> getPartialInts(Value v) {
  return getPartialInts(v, 0);
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

bool refineValueShape(Value v, ArrayRef<int64_t> shape) {
  Operation *def = v.getDefiningOp();
  auto type = dyn_cast<TensorType>(v.getType());
  if (!def || !isa_and_nonnull<ONNXDialect>(def->getDialect()) || !type)
    return false;
  SmallVector<int64_t> merged(shape);
  if (auto ranked = dyn_cast<RankedTensorType>(type)) {
    if (ranked.getRank() != (int64_t)shape.size())
      return false;
    for (auto [m, d] : llvm::zip(merged, ranked.getShape())) {
      if (ShapedType::isDynamic(d))
        continue;
      if (!ShapedType::isDynamic(m) && m != d)
        return false;
      m = d;
    }
  }
  if (llvm::any_of(
          merged, [](int64_t d) { return !ShapedType::isDynamic(d) && d < 0; }))
    return false;
  auto refined = RankedTensorType::get(merged, type.getElementType());
  if (refined == type)
    return false;
  v.setType(refined);
  return true;
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

bool isNone(Value v) { return isa<NoneType>(v.getType()); }

std::optional<int64_t> getRank(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return t.getRank();
  return std::nullopt;
}

LogicalResult setSameShape(Value r, Value from) {
  if (auto s = getShape(from))
    return setShape(r, *s);
  return success();
}

int64_t getIntAttr(Operation *op, StringRef name, int64_t dflt) {
  if (auto a = op->getAttrOfType<IntegerAttr>(name))
    return a.getValue().getSExtValue();
  return dflt;
}

std::optional<SmallVector<int64_t>> getIntsAttr(Operation *op, StringRef name) {
  Attribute a = op->getAttr(name);
  if (!a)
    return std::nullopt;
  if (auto d = dyn_cast<DenseI64ArrayAttr>(a))
    return SmallVector<int64_t>(d.asArrayRef());
  if (auto arr = dyn_cast<ArrayAttr>(a)) {
    SmallVector<int64_t> out;
    for (Attribute e : arr) {
      auto i = dyn_cast<IntegerAttr>(e);
      if (!i)
        return std::nullopt;
      out.push_back(i.getValue().getSExtValue());
    }
    return out;
  }
  return std::nullopt;
}

std::optional<int64_t> getNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d) || d < 0)
      return std::nullopt;
    if (d != 0 && n > (int64_t(1) << 62) / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

bool isStaticShape(ArrayRef<int64_t> shape) {
  return llvm::none_of(shape, ShapedType::isDynamic);
}

InFlightDiagnostic shapeError(Operation *op, const Twine &msg) {
  return op->emitOpError(msg);
}

std::optional<int64_t> getStatic1DLength(Value v) {
  auto s = getShape(v);
  if (!s || s->size() != 1 || ShapedType::isDynamic((*s)[0]))
    return std::nullopt;
  return (*s)[0];
}

std::pair<int64_t, int64_t> sliceRange(int64_t d, int64_t start, int64_t end,
                                       int64_t step) {
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) {
    return std::min(std::max(v, lo), hi);
  };
  if (start < 0)
    start += d;
  if (end < 0)
    end += d;
  if (step > 0) {
    start = clamp(start, 0, d);
    end = clamp(end, 0, d);
    return {start, end > start ? (end - start - 1) / step + 1 : 0};
  }
  start = clamp(start, 0, d - 1);
  end = clamp(end, -1, d - 1);
  uint64_t neg = 0 - (uint64_t)step;
  return {start,
          start > end ? (int64_t)((uint64_t)(start - end - 1) / neg) + 1 : 0};
}

int64_t mulDims(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  return a * b;
}

} // namespace kiln::onnx
