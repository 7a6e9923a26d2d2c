//===- Elementwise.cpp - shape inference: elementwise ops -----------------===//
//
// Ops whose output has the (numpy-broadcast) shape of their inputs.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

namespace {

/// Result 0 (and every other tensor result) has the shape of operand 0.
bool isSameShapeOp(Operation *op) {
  return isa<
      // Activations and math.
      AbsOp, AcosOp, AcoshOp, AsinOp, AsinhOp, AtanOp, AtanhOp, CeilOp, CeluOp,
      CosOp, CoshOp, EluOp, ErfOp, ExpOp, FloorOp, GeluOp, HardSigmoidOp,
      HardSwishOp, LeakyReluOp, LogOp, MishOp, NegOp, ReciprocalOp, ReluOp,
      RoundOp, SeluOp, ShrinkOp, SigmoidOp, SignOp, SinOp, SinhOp, SoftplusOp,
      SoftsignOp, SqrtOp, SwishOp, TanOp, TanhOp, ThresholdedReluOp, ClipOp,
      // Logic and bit ops.
      NotOp, BitwiseNotOp, IsNaNOp, IsInfOp,
      // Type conversions and copies.
      BitCastOp, CastOp, CastLikeOp, IdentityOp, QuantizeLinearOp,
      DequantizeLinearOp,
      // Random ops shaped like their input.
      BernoulliOp, RandomNormalLikeOp, RandomUniformLikeOp,
      // Ops that keep the layout of their input.
      CumSumOp, CumProdOp, TriluOp, ReverseSequenceOp, EyeLikeOp, ScatterOp,
      ScatterElementsOp, ScatterNDOp, TensorScatterOp>(op);
}

/// Ops whose single result is the broadcast of all their tensor operands.
bool isBroadcastOp(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, PowOp, ModOp, BitShiftOp, AndOp, OrOp,
             XorOp, EqualOp, LessOp, GreaterOp, LessOrEqualOp, GreaterOrEqualOp,
             BitwiseAndOp, BitwiseOrOp, BitwiseXorOp, WhereOp, MaxOp, MinOp,
             SumOp, MeanOp, PReluOp>(op);
}

LogicalResult inferBroadcast(Operation *op) {
  SmallVector<SmallVector<int64_t>> shapes;
  for (Value v : op->getOperands()) {
    if (isNone(v))
      continue;
    auto s = getShape(v);
    if (!s)
      return success(); // an unranked operand: the rank is unknown
    shapes.push_back(*s);
  }
  if (shapes.empty())
    return success();
  auto out = broadcastShapes(shapes);
  if (failed(out)) {
    InFlightDiagnostic d = op->emitOpError("operand shapes do not broadcast:");
    for (const auto &s : shapes) {
      d << " [";
      llvm::interleave(
          s,
          [&](int64_t x) {
            if (ShapedType::isDynamic(x))
              d << "?";
            else
              d << x;
          },
          [&] { d << "x"; });
      d << "]";
    }
    return d;
  }
  if (isa<PReluOp>(op)) {
    // Unidirectional: the output has the shape of X.
    auto x = getShape(op->getOperand(0));
    if (x->size() < out->size())
      return shapeError(op, "slope has a higher rank than X");
  }
  return setShape(op->getResult(0), *out);
}

/// The value whose dim `fromEnd` (counted from the last, 1-based) unknown dim
/// `fromEnd` of `v` provably equals: followed through same-shape ops and
/// broadcasts where that dim comes from operands sharing one root (the others
/// have 1 there or lack the dim). `v` itself when nothing is known.
std::pair<Value, int64_t> unknownDimRoot(Value v, int64_t fromEnd,
                                         int depth = 0) {
  Operation *op = v.getDefiningOp();
  if (!op || depth > 32 || !isa_and_nonnull<ONNXDialect>(op->getDialect()))
    return {v, fromEnd};
  auto dimOf = [&](Value x) -> std::optional<int64_t> {
    auto s = getShape(x);
    if (!s || (int64_t)s->size() < fromEnd)
      return std::nullopt;
    return (*s)[s->size() - fromEnd];
  };
  if (isSameShapeOp(op)) {
    auto d = dimOf(op->getOperand(0));
    if (d && ShapedType::isDynamic(*d))
      return unknownDimRoot(op->getOperand(0), fromEnd, depth + 1);
    return {v, fromEnd};
  }
  if (!isBroadcastOp(op) || isa<PReluOp>(op))
    return {v, fromEnd};
  std::optional<std::pair<Value, int64_t>> root;
  for (Value in : op->getOperands()) {
    if (isNone(in))
      continue;
    if (!getRank(in))
      return {v, fromEnd};
    auto d = dimOf(in);
    if (!d || *d == 1)
      continue;
    if (!ShapedType::isDynamic(*d))
      return {v, fromEnd};
    auto r = unknownDimRoot(in, fromEnd, depth + 1);
    if (root && *root != r)
      return {v, fromEnd};
    root = r;
  }
  return root ? *root : std::make_pair(v, fromEnd);
}

/// Broadcast backwards: a result dim 1 needs 1 in every operand; a known
/// result dim d != 1 that no operand has statically (all known ones are 1 or
/// absent) comes from the one operand whose dim there is unknown, or from
/// all of them when their unknown dims are provably equal (one root).
bool refineBroadcastOperands(Operation *op) {
  auto out = getShape(op->getResult(0));
  if (!out)
    return false;
  int64_t rank = out->size();
  SmallVector<Value> operands;
  for (Value v : op->getOperands()) {
    if (isNone(v))
      continue;
    auto r = getRank(v);
    if (!r || *r > rank)
      return false; // an unranked operand could supply any dim
    operands.push_back(v);
  }
  bool changed = false;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = (*out)[i];
    if (ShapedType::isDynamic(d))
      continue;
    if (d == 1) {
      for (Value v : operands) {
        auto s = *getShape(v);
        int64_t j = i - (rank - (int64_t)s.size());
        if (j >= 0 && ShapedType::isDynamic(s[j])) {
          s[j] = 1;
          changed |= refineValueShape(v, s);
        }
      }
      continue;
    }
    SmallVector<Value> unknown;
    bool known = false;
    for (Value v : operands) {
      auto s = *getShape(v);
      int64_t j = i - (rank - (int64_t)s.size());
      if (j < 0 || s[j] == 1)
        continue;
      if (!ShapedType::isDynamic(s[j])) {
        known = true;
        break;
      }
      if (!llvm::is_contained(unknown, v))
        unknown.push_back(v);
    }
    if (known || unknown.empty())
      continue;
    auto root = unknownDimRoot(unknown[0], rank - i);
    if (llvm::any_of(unknown, [&](Value v) {
          return unknownDimRoot(v, rank - i) != root;
        }))
      continue;
    for (Value v : unknown) {
      auto s = *getShape(v);
      s[i - (rank - (int64_t)s.size())] = d;
      changed |= refineValueShape(v, s);
    }
  }
  return changed;
}

} // namespace

bool refineOperandShapes(Operation *op) {
  if (op->getNumResults() == 0)
    return false;
  if (isSameShapeOp(op) || isa<DropoutOp>(op)) {
    auto out = getShape(op->getResult(0));
    return out && refineValueShape(op->getOperand(0), *out);
  }
  if (isa<SwiGLUOp>(op)) {
    // A and B both have the result's shape (no broadcasting).
    auto out = getShape(op->getResult(0));
    if (!out)
      return false;
    bool changed = refineValueShape(op->getOperand(0), *out);
    return refineValueShape(op->getOperand(1), *out) || changed;
  }
  if (isBroadcastOp(op) && !isa<PReluOp>(op))
    return refineBroadcastOperands(op);
  return false;
}

std::optional<LogicalResult> inferElementwiseShapes(Operation *op) {
  if (isSameShapeOp(op)) {
    for (Value r : op->getResults())
      if (failed(setSameShape(r, op->getOperand(0))))
        return failure();
    return success();
  }
  if (isBroadcastOp(op))
    return inferBroadcast(op);
  if (isa<SwiGLUOp>(op)) {
    // Y, A and B have one shape: no broadcasting.
    auto a = getShape(op->getOperand(0));
    auto b = getShape(op->getOperand(1));
    if (a && b) {
      if (a->size() != b->size())
        return shapeError(op, "A and B must have the same shape");
      for (size_t i = 0; i < a->size(); ++i) {
        int64_t &x = (*a)[i], y = (*b)[i];
        if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
          return shapeError(op, "A and B must have the same shape");
        if (ShapedType::isDynamic(x))
          x = y;
      }
    }
    if (!a)
      a = b;
    return a ? setShape(op->getResult(0), *a) : success();
  }
  if (isa<DropoutOp>(op)) {
    // output and mask both have the shape of data.
    for (Value r : op->getResults())
      if (failed(setSameShape(r, op->getOperand(0))))
        return failure();
    return success();
  }
  if (auto q = dyn_cast<DynamicQuantizeLinearOp>(op)) {
    if (failed(setSameShape(op->getResult(0), op->getOperand(0))) ||
        failed(setShape(op->getResult(1), {})) ||
        failed(setShape(op->getResult(2), {})))
      return failure();
    return success();
  }
  if (isa<MultinomialOp>(op)) {
    auto s = getShape(op->getOperand(0));
    if (!s)
      return success();
    if (s->size() != 2)
      return shapeError(op, "expects a 2-D input");
    return setShape(op->getResult(0),
                    {(*s)[0], getIntAttr(op, "sample_size", 1)});
  }
  if (isa<RandomNormalOp, RandomUniformOp>(op)) {
    if (auto s = getIntsAttr(op, "shape"))
      return setShape(op->getResult(0), *s);
    return success();
  }
  return std::nullopt;
}

} // namespace kiln::onnx
