//===- ONNXVerify.cpp - verifiers of the onnx ops -------------------------===//
//
// Every op's verifier checks (1) that values whose schema shares a type
// constraint have the same element type (tables from ONNXSchemaInfo.inc) and
// (2) attribute values ODS cannot express.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ONNXDialect.h"

#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln::onnx;

namespace {
constexpr int kGroupEnd = 1 << 20;
constexpr int kListEnd = kGroupEnd + 1;

/// Values of ODS operand group `idx` (>= 0) or ODS result group -(idx+1).
template <typename OpT>
SmallVector<Value> odsValues(OpT op, int idx) {
  SmallVector<Value> out;
  if (idx >= 0)
    llvm::append_range(out, op.getODSOperands(idx));
  else
    llvm::append_range(out, op.getODSResults(-idx - 1));
  return out;
}

template <typename OpT>
LogicalResult verifyTypeGroups(OpT op, const int *groups) {
  Type first;
  Value firstValue;
  for (const int *g = groups; *g != kListEnd; ++g) {
    if (*g == kGroupEnd) {
      first = nullptr;
      continue;
    }
    for (Value v : odsValues(op, *g)) {
      Type elt = getElementTypeOrNull(v.getType());
      if (!elt)
        continue;
      if (!first) {
        first = elt;
        firstValue = v;
        continue;
      }
      if (elt != first)
        return op.emitOpError("element types must match (schema ties them "
                              "together): ")
               << first << " vs " << elt;
    }
  }
  return verifyONNXAttributes(op.getOperation());
}

int64_t rankOf(Value v) {
  if (auto t = dyn_cast<RankedTensorType>(v.getType()))
    return t.getRank();
  return -1;
}

/// Checks the `axis` attribute against the rank of the first operand;
/// `extra` widens the range for ops whose axis may equal the rank.
LogicalResult checkAxis(Operation *op, int64_t extra = 0) {
  auto axis = op->getAttrOfType<IntegerAttr>("axis");
  if (!axis || op->getNumOperands() == 0)
    return success();
  int64_t r = rankOf(op->getOperand(0));
  if (r < 0)
    return success();
  int64_t a = axis.getInt();
  if (a < -r - extra || a > r - 1 + extra)
    return op->emitOpError("axis ") << a << " is out of range for rank " << r;
  return success();
}

LogicalResult checkPositive(Operation *op, StringRef name, int64_t len) {
  auto attr = op->getAttrOfType<DenseI64ArrayAttr>(name);
  if (!attr)
    return success();
  if (len >= 0 && (int64_t)attr.size() != len)
    return op->emitOpError(name) << " has " << attr.size()
                                 << " values; expected " << len;
  for (int64_t v : attr.asArrayRef())
    if (v <= 0)
      return op->emitOpError(name) << " values must be positive, got " << v;
  return success();
}

/// Conv/ConvTranspose/pooling: spatial attributes sized by the input rank.
LogicalResult checkWindow(Operation *op) {
  int64_t r = rankOf(op->getOperand(0));
  int64_t spatial = r >= 2 ? r - 2 : -1;
  if (r >= 0 && r < 3)
    return op->emitOpError("expects an input of rank >= 3, got ") << r;
  for (StringRef name : {"kernel_shape", "strides", "dilations"})
    if (failed(checkPositive(op, name, spatial)))
      return failure();
  if (auto pads = op->getAttrOfType<DenseI64ArrayAttr>("pads")) {
    if (spatial >= 0 && (int64_t)pads.size() != 2 * spatial)
      return op->emitOpError("pads has ")
             << pads.size() << " values; expected " << 2 * spatial;
    for (int64_t v : pads.asArrayRef())
      if (v < 0)
        return op->emitOpError("pads must be non-negative, got ") << v;
  }
  if (auto ap = op->getAttrOfType<StringAttr>("auto_pad")) {
    StringRef v = ap.getValue();
    if (v != "NOTSET" && v != "SAME_UPPER" && v != "SAME_LOWER" &&
        v != "VALID")
      return op->emitOpError("unknown auto_pad '") << v << "'";
  }
  if (auto g = op->getAttrOfType<IntegerAttr>("group"))
    if (g.getInt() <= 0)
      return op->emitOpError("group must be positive, got ") << g.getInt();
  return success();
}

LogicalResult checkPerm(TransposeOp op) {
  auto perm = op.getPermAttr();
  if (!perm)
    return success();
  int64_t n = perm.size();
  int64_t r = rankOf(op.getData());
  if (r >= 0 && n != r)
    return op.emitOpError("perm has ") << n << " entries for rank " << r;
  llvm::SmallBitVector seen(n);
  for (int64_t p : perm.asArrayRef()) {
    if (p < 0 || p >= n || seen.test(p))
      return op.emitOpError("perm is not a permutation of 0..") << n - 1;
    seen.set(p);
  }
  return success();
}
} // namespace

LogicalResult kiln::onnx::verifyONNXAttributes(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ConvOp, ConvTransposeOp, AveragePoolOp, MaxPoolOp, LpPoolOp,
            ConvIntegerOp, QLinearConvOp>(
          [](Operation *op) { return checkWindow(op); })
      .Case<TransposeOp>([](TransposeOp op) { return checkPerm(op); })
      .Case<ConcatOp, GatherOp, GatherElementsOp, SoftmaxOp, LogSoftmaxOp,
            HardmaxOp, SplitOp, ArgMaxOp, ArgMinOp, TopKOp,
            LayerNormalizationOp, ScatterElementsOp>(
          [](Operation *op) { return checkAxis(op); })
      .Case<FlattenOp>([](Operation *op) { return checkAxis(op, 1); })
      .Default([](Operation *) { return success(); });
}

#define KILN_ONNX_MAX_OPSET(N)
#define KILN_ONNX_MAX_IR_VERSION(N)
#define KILN_ONNX_OP(NAME, VERS, ...)                                          \
  LogicalResult NAME##Op::verify() {                                           \
    static const int groups[] = {__VA_ARGS__};                                 \
    return verifyTypeGroups(*this, groups);                                    \
  }
#include "dialects/onnx/ONNXSchemaInfo.inc"
