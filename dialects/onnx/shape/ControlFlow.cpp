//===- ControlFlow.cpp - shape inference: ops with subgraphs --------------===//
//
// If results are the join of what the two branches yield (what the taken
// branch yields when the condition is a constant). Loop and Scan
// bodies get their loop-carried argument types by a small fixpoint: assume
// the initial types, infer the body, and keep the assumption only when the
// body yields values that fit it (widening dims that change to dynamic).
// FlexAttention's score_mod / prob_mod subgraphs see the static
// (B, Hq, L, S) score shape the node implies.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace kiln::onnx {

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// The least precise of two types: equal dims stay, others become dynamic;
/// null when the ranks differ or either is unranked / not a tensor.
RankedTensorType joinTypes(Type a, Type b) {
  auto ra = dyn_cast<RankedTensorType>(a), rb = dyn_cast<RankedTensorType>(b);
  if (!ra || !rb || ra.getRank() != rb.getRank() ||
      ra.getElementType() != rb.getElementType())
    return nullptr;
  SmallVector<int64_t> dims;
  for (auto [x, y] : llvm::zip(ra.getShape(), rb.getShape()))
    dims.push_back(x == y ? x : kDyn);
  return RankedTensorType::get(dims, ra.getElementType());
}

/// Whether every value of type `y` is also a value of type `h`.
bool fits(Type y, Type h) {
  auto rh = dyn_cast<RankedTensorType>(h);
  if (!rh)
    return true;
  auto ry = dyn_cast<RankedTensorType>(y);
  if (!ry || ry.getRank() != rh.getRank())
    return false;
  for (auto [a, b] : llvm::zip(ry.getShape(), rh.getShape()))
    if (!ShapedType::isDynamic(b) && a != b)
      return false;
  return true;
}

Operation *getYield(Region &r) {
  if (r.empty() || r.front().empty())
    return nullptr;
  Operation *t = &r.front().back();
  return isa<YieldOp>(t) ? t : nullptr;
}

/// Sets the type of a block argument to a ranked refinement of its type.
void refineArg(BlockArgument arg, ArrayRef<int64_t> shape) {
  auto t = dyn_cast<TensorType>(arg.getType());
  if (!t || isa<RankedTensorType>(t))
    return;
  arg.setType(RankedTensorType::get(shape, t.getElementType()));
}

/// Infers every op in `body` a few rounds; false when an op fails.
bool inferBody(Region &body) {
  for (int round = 0; round < 8; ++round) {
    bool changed = false, ok = true;
    body.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!op->getDialect() || !isa<ONNXDialect>(op->getDialect()))
        return WalkResult::advance();
      SmallVector<Type> before(op->getResultTypes());
      if (failed(inferShapes(op))) {
        ok = false;
        return WalkResult::interrupt();
      }
      changed |= !llvm::equal(before, op->getResultTypes());
      return WalkResult::advance();
    });
    if (!ok)
      return false;
    if (!changed)
      break;
  }
  return true;
}

/// Gives loop-carried block args `args` (yielded back as yield operands
/// `yieldIdx`) the most precise types that the body keeps invariant,
/// starting from the initial types `inits`. Only unranked args are touched.
void refineCarried(Region &body, ArrayRef<BlockArgument> args,
                   ArrayRef<Type> inits, ArrayRef<unsigned> yieldIdx) {
  Operation *yield = getYield(body);
  if (!yield)
    return;
  SmallVector<unsigned> cands;
  SmallVector<Type> hyp;
  for (auto [i, arg] : llvm::enumerate(args)) {
    if (isa<RankedTensorType>(arg.getType()) ||
        yieldIdx[i] >= yield->getNumOperands())
      continue;
    auto init = dyn_cast<RankedTensorType>(inits[i]);
    auto argT = dyn_cast<TensorType>(arg.getType());
    if (!init || !argT || init.getElementType() != argT.getElementType())
      continue;
    cands.push_back(i);
    hyp.push_back(init);
  }
  if (cands.empty())
    return;
  // Snapshot every type in the body so a rejected assumption leaves no trace.
  llvm::DenseMap<Value, Type> snapshot;
  body.walk([&](Block *b) {
    for (BlockArgument a : b->getArguments())
      snapshot[a] = a.getType();
  });
  body.walk([&](Operation *op) {
    for (Value r : op->getResults())
      snapshot[r] = r.getType();
  });
  auto restore = [&] {
    for (auto &[v, t] : snapshot)
      v.setType(t);
  };
  MLIRContext *ctx = body.getContext();
  ScopedDiagnosticHandler quiet(ctx, [](Diagnostic &) { return success(); });
  for (int attempt = 0; attempt < 8; ++attempt) {
    restore();
    for (auto [k, i] : llvm::enumerate(cands))
      if (hyp[k])
        Value(args[i]).setType(hyp[k]);
    if (!inferBody(body))
      break;
    bool stable = true;
    for (auto [k, i] : llvm::enumerate(cands)) {
      if (!hyp[k])
        continue;
      Type y = yield->getOperand(yieldIdx[i]).getType();
      if (fits(y, hyp[k]))
        continue;
      stable = false;
      hyp[k] = joinTypes(hyp[k], y);
    }
    if (stable)
      return;
  }
  restore();
}

/// Result `r` = join of `a` and `b` when both are ranked alike.
LogicalResult setJoin(Value r, Type a, Type b) {
  if (auto j = joinTypes(a, b))
    return setShape(r, j.getShape());
  return success();
}

LogicalResult inferIf(IfOp op) {
  Operation *t = getYield(op.getThenBranch());
  Operation *e = getYield(op.getElseBranch());
  if (!t || !e)
    return success();
  if (t->getNumOperands() != op->getNumResults() ||
      e->getNumOperands() != op->getNumResults())
    return op.emitOpError("branches yield ")
           << t->getNumOperands() << " and " << e->getNumOperands()
           << " values for " << op->getNumResults() << " results";
  // A constant condition: only the taken branch counts.
  auto c = getConstantInts(op.getCond());
  if (c && c->size() == 1)
    t = e = (*c)[0] ? t : e;
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    if (failed(setJoin(op->getResult(i), t->getOperand(i).getType(),
                       e->getOperand(i).getType())))
      return failure();
  return success();
}

LogicalResult inferLoop(LoopOp op) {
  Region &body = op.getBody();
  if (body.empty())
    return success();
  Block &block = body.front();
  Operation *yield = getYield(body);
  unsigned n = op->getNumOperands() - 2;
  if (!yield || block.getNumArguments() != n + 2 ||
      yield->getNumOperands() < n + 1 ||
      op->getNumResults() != yield->getNumOperands() - 1)
    return op.emitOpError("body signature does not match the loop");
  refineArg(block.getArgument(0), {});
  refineArg(block.getArgument(1), {});
  SmallVector<BlockArgument> args;
  SmallVector<Type> inits;
  SmallVector<unsigned> yieldIdx;
  for (unsigned i = 0; i < n; ++i) {
    args.push_back(block.getArgument(i + 2));
    inits.push_back(op->getOperand(i + 2).getType());
    yieldIdx.push_back(i + 1);
  }
  refineCarried(body, args, inits, yieldIdx);
  for (unsigned i = 0; i < n; ++i)
    if (failed(setJoin(op->getResult(i), inits[i],
                       yield->getOperand(i + 1).getType())))
      return failure();
  // The trip count is M when nothing can stop the loop early.
  int64_t trips = kDyn;
  auto m = getConstantInts(op.getM());
  if (m && m->size() == 1 && isNone(op.getCond()) &&
      yield->getOperand(0) == block.getArgument(1))
    trips = (*m)[0];
  for (unsigned k = n; k < op->getNumResults(); ++k) {
    auto s = getShape(yield->getOperand(k + 1));
    if (!s)
      continue;
    SmallVector<int64_t> out = {trips};
    out.append(*s);
    if (failed(setShape(op->getResult(k), out)))
      return failure();
  }
  return success();
}

LogicalResult inferScan(ScanOp op) {
  Region &body = op.getBody();
  if (body.empty())
    return success();
  Block &block = body.front();
  Operation *yield = getYield(body);
  int64_t m = getIntAttr(op, "num_scan_inputs", 0);
  int64_t total = op->getNumOperands();
  int64_t n = total - m;
  if (!yield || m < 0 || n < 0 || (int64_t)block.getNumArguments() != total ||
      (int64_t)yield->getNumOperands() < n ||
      op->getNumResults() != yield->getNumOperands())
    return op.emitOpError("body signature does not match the scan");
  auto inAxes =
      getIntsAttr(op, "scan_input_axes").value_or(SmallVector<int64_t>(m, 0));
  int64_t k = yield->getNumOperands() - n;
  auto outAxes =
      getIntsAttr(op, "scan_output_axes").value_or(SmallVector<int64_t>(k, 0));
  if ((int64_t)inAxes.size() != m || (int64_t)outAxes.size() != k)
    return op.emitOpError("scan axes do not match the scan inputs/outputs");
  int64_t len = kDyn;
  for (int64_t j = 0; j < m; ++j) {
    auto s = getShape(op->getOperand(n + j));
    if (!s)
      continue;
    auto axis = normalizeAxis(inAxes[j], s->size());
    if (!axis)
      return op.emitOpError("scan input axis out of range");
    int64_t d = (*s)[*axis];
    if (!ShapedType::isDynamic(d)) {
      if (!ShapedType::isDynamic(len) && len != d)
        return op.emitOpError("scan inputs differ in length: ")
               << len << " vs " << d;
      len = d;
    }
    s->erase(s->begin() + *axis);
    refineArg(block.getArgument(n + j), *s);
  }
  SmallVector<BlockArgument> args;
  SmallVector<Type> inits;
  SmallVector<unsigned> yieldIdx;
  for (int64_t i = 0; i < n; ++i) {
    args.push_back(block.getArgument(i));
    inits.push_back(op->getOperand(i).getType());
    yieldIdx.push_back(i);
  }
  refineCarried(body, args, inits, yieldIdx);
  for (int64_t i = 0; i < n; ++i)
    if (failed(setJoin(op->getResult(i), inits[i],
                       yield->getOperand(i).getType())))
      return failure();
  for (int64_t j = 0; j < k; ++j) {
    auto s = getShape(yield->getOperand(n + j));
    if (!s)
      continue;
    auto axis = normalizeAxis(outAxes[j], s->size() + 1);
    if (!axis)
      return op.emitOpError("scan output axis out of range");
    s->insert(s->begin() + *axis, len);
    if (failed(setShape(op->getResult(n + j), *s)))
      return failure();
  }
  return success();
}

/// FlexAttention: Y is (B, Hq, L, Ev); the modifier subgraphs' input gets
/// the score shape (B, Hq, L, S) where it declares a compatible one.
LogicalResult inferFlexAttention(FlexAttentionOp op) {
  auto q = getShape(op.getQ()), k = getShape(op.getK()),
       v = getShape(op.getV());
  if (!q || !k || !v)
    return success();
  if (q->size() != 4 || k->size() != 4 || v->size() != 4)
    return op.emitOpError("Q, K and V must be rank-4 tensors");
  SmallVector<int64_t> scores = {(*q)[0], (*q)[1], (*q)[2], (*k)[2]};
  for (Region *r : {&op.getScoreMod(), &op.getProbMod()}) {
    if (r->empty() || r->front().getNumArguments() != 1)
      continue;
    BlockArgument arg = r->front().getArgument(0);
    if (auto t = dyn_cast<RankedTensorType>(arg.getType())) {
      if (t.getRank() != 4 || t.hasStaticShape())
        continue;
      SmallVector<int64_t> dims(t.getShape());
      bool ok = true;
      for (auto [d, s] : llvm::zip(dims, scores)) {
        ok &= ShapedType::isDynamic(d) || ShapedType::isDynamic(s) || d == s;
        if (ShapedType::isDynamic(d))
          d = s;
      }
      if (ok)
        arg.setType(RankedTensorType::get(dims, t.getElementType()));
    } else {
      refineArg(arg, scores);
    }
    if (!inferBody(*r))
      return failure();
  }
  return setShape(op.getY(), {(*q)[0], (*q)[1], (*q)[2], (*v)[3]});
}

} // namespace

std::optional<LogicalResult> inferControlFlowShapes(Operation *op) {
  if (auto f = dyn_cast<FlexAttentionOp>(op))
    return inferFlexAttention(f);
  if (auto i = dyn_cast<IfOp>(op))
    return inferIf(i);
  if (auto l = dyn_cast<LoopOp>(op))
    return inferLoop(l);
  if (auto s = dyn_cast<ScanOp>(op))
    return inferScan(s);
  return std::nullopt;
}

} // namespace kiln::onnx
