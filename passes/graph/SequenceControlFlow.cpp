//===- SequenceControlFlow.cpp - control flow over sequences -------------===//
//
// The kiln-resolve-sequences patterns for SequenceMap, Loop and If: bodies
// are cloned once per element (SequenceMap) or iteration (a Loop with a
// constant trip count), and an If that returns sequences or optionals
// returns their tensors.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"
#include "passes/graph/Sequences.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace kiln::seq;
namespace onnx = kiln::onnx;

std::optional<Flattened> kiln::seq::flatten(Value v) {
  Flattened f;
  if (isa<onnx::OptType>(v.getType())) {
    auto o = getOptional(v);
    if (!o)
      return std::nullopt;
    f.isOpt = true;
    f.present = o->first;
    if (!f.present)
      return f;
    v = o->second;
    if (!isSeqOrOpt(v.getType())) {
      f.values.push_back(v);
      return f;
    }
    if (isa<onnx::OptType>(v.getType()))
      return std::nullopt; // optional of optional: not supported
  }
  auto e = getElements(v);
  if (!e)
    return std::nullopt;
  f.values = *e;
  return f;
}

namespace {

/// Clones the ops of `body` (one block) before the rewriter's insertion
/// point with `mapping`; returns the values its yield returns.
SmallVector<Value> inlineBody(PatternRewriter &rw, Region &body,
                              IRMapping &mapping) {
  Block &block = body.front();
  for (Operation &o : block.without_terminator())
    rw.clone(o, mapping);
  SmallVector<Value> results;
  for (Value v : block.getTerminator()->getOperands())
    results.push_back(mapping.lookupOrDefault(v));
  return results;
}

struct ResolveSequenceMap : OpRewritePattern<onnx::SequenceMapOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SequenceMapOp op,
                                PatternRewriter &rw) const override {
    int64_t n = -1;
    SmallVector<std::optional<SmallVector<Value>>> seqs;
    for (Value v : op->getOperands()) {
      if (!isa<onnx::SeqType>(v.getType())) {
        seqs.push_back(std::nullopt);
        continue;
      }
      auto e = getElements(v);
      if (!e)
        return rw.notifyMatchFailure(op, "sequence not resolved");
      if (n >= 0 && (int64_t)e->size() != n)
        return op.emitError("input sequences differ in length: ")
               << n << " and " << e->size();
      n = e->size();
      seqs.push_back(std::move(e));
    }
    Region &body = op->getRegion(0);
    Block &block = body.front();
    if (block.getNumArguments() != op->getNumOperands())
      return op.emitError("body takes ")
             << block.getNumArguments() << " inputs for "
             << op->getNumOperands() << " operands";
    SmallVector<SmallVector<Value>> outs(op->getNumResults());
    for (int64_t i = 0; i < n; ++i) {
      IRMapping mapping;
      for (auto [k, arg] : llvm::enumerate(block.getArguments()))
        mapping.map(arg, seqs[k] ? (*seqs[k])[i] : op->getOperand(k));
      SmallVector<Value> ys = inlineBody(rw, body, mapping);
      for (auto [k, y] : llvm::enumerate(ys))
        outs[k].push_back(y);
    }
    SmallVector<Value> results;
    for (auto [k, r] : llvm::enumerate(op->getResults()))
      results.push_back(makeSequence(rw, op.getLoc(), r.getType(), outs[k]));
    rw.replaceOp(op, results);
    return success();
  }
};

/// A Loop that carries a sequence or an optional, with a constant trip count
/// and a condition that stays true (or turns false at a constant point):
/// unrolled.
struct UnrollSequenceLoop : OpRewritePattern<onnx::LoopOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::LoopOp op,
                                PatternRewriter &rw) const override {
    if (!llvm::any_of(op->getResultTypes(), isSeqOrOpt) &&
        !llvm::any_of(op->getOperandTypes(), isSeqOrOpt))
      return rw.notifyMatchFailure(op, "no sequence");
    Value mV = op->getOperand(0), condV = op->getOperand(1);
    if (onnx::isNone(mV))
      return rw.notifyMatchFailure(op, "no trip count");
    auto m = onnx::getConstantInts(mV);
    if (!m || m->size() != 1)
      return rw.notifyMatchFailure(op, "run-time trip count");
    bool cond = true;
    if (!onnx::isNone(condV)) {
      auto c = onnx::getConstantInts(condV);
      if (!c || c->size() != 1)
        return rw.notifyMatchFailure(op, "run-time condition");
      cond = (*c)[0] != 0;
    }
    int64_t trips = cond ? std::max<int64_t>((*m)[0], 0) : 0;
    if (trips > kMaxUnroll)
      return op.emitError("carries a sequence over ")
             << trips << " iterations (at most " << kMaxUnroll
             << " are unrolled)";
    Region &body = op.getBody();
    Block &block = body.front();
    Operation *yield = block.getTerminator();
    unsigned numCarried = op->getNumOperands() - 2;
    unsigned numScan = op->getNumResults() - numCarried;
    if (block.getNumArguments() != numCarried + 2 ||
        yield->getNumOperands() != 1 + numCarried + numScan)
      return op.emitError("body signature does not match the loop");
    // The body's condition must be the incoming one or a constant.
    Value bodyCond = yield->getOperand(0);
    while (auto id = bodyCond.getDefiningOp<onnx::IdentityOp>())
      bodyCond = id->getOperand(0);
    std::optional<bool> constBodyCond;
    if (bodyCond != block.getArgument(1)) {
      auto c = onnx::getConstantInts(bodyCond);
      if (!c || c->size() != 1)
        return rw.notifyMatchFailure(op, "run-time loop condition");
      constBodyCond = (*c)[0] != 0;
    }
    if (numScan && trips == 0)
      return rw.notifyMatchFailure(op, "empty scan outputs");
    Location loc = op.getLoc();
    SmallVector<Value> carried(op->operand_begin() + 2, op->operand_end());
    SmallVector<SmallVector<Value>> scans(numScan);
    Value trueV = onnx::createConstant(
                      rw, loc,
                      DenseElementsAttr::get(
                          RankedTensorType::get({}, rw.getI1Type()), true))
                      .getResult();
    for (int64_t i = 0; i < trips; ++i) {
      IRMapping mapping;
      mapping.map(block.getArgument(0), i64Scalar(rw, loc, i));
      mapping.map(block.getArgument(1), trueV);
      for (unsigned k = 0; k < numCarried; ++k)
        mapping.map(block.getArgument(k + 2), carried[k]);
      SmallVector<Value> ys = inlineBody(rw, body, mapping);
      for (unsigned k = 0; k < numCarried; ++k)
        carried[k] = ys[k + 1];
      for (unsigned k = 0; k < numScan; ++k)
        scans[k].push_back(ys[1 + numCarried + k]);
      if (constBodyCond && !*constBodyCond)
        break;
    }
    SmallVector<Value> results(carried);
    for (unsigned k = 0; k < numScan; ++k) {
      SmallVector<Value> parts;
      for (Value v : scans[k])
        parts.push_back(makeOp<onnx::UnsqueezeOp>(
            rw, loc, unrankedLike(v.getType()), {v, i64Vector(rw, loc, {0})}));
      results.push_back(makeOp<onnx::ConcatOp>(
          rw, loc, op->getResult(numCarried + k).getType(), parts,
          {rw.getNamedAttr("axis", rw.getI64IntegerAttr(0))}));
    }
    rw.replaceOp(op, results);
    return success();
  }
};

/// If returning sequences/optionals of the same length/presence in both
/// branches: returns their tensors.
struct ResolveSequenceIf : OpRewritePattern<onnx::IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::IfOp op,
                                PatternRewriter &rw) const override {
    if (!llvm::any_of(op->getResultTypes(), isSeqOrOpt))
      return rw.notifyMatchFailure(op, "no sequence");
    Operation *yields[2] = {op->getRegion(0).front().getTerminator(),
                            op->getRegion(1).front().getTerminator()};
    SmallVector<Type> newTypes;
    SmallVector<Value> newYield[2];
    SmallVector<std::optional<Flattened>> kinds;
    for (unsigned r = 0; r < op->getNumResults(); ++r) {
      Type t = op->getResult(r).getType();
      if (!isSeqOrOpt(t)) {
        kinds.push_back(std::nullopt);
        for (int b = 0; b < 2; ++b)
          newYield[b].push_back(yields[b]->getOperand(r));
        newTypes.push_back(t);
        continue;
      }
      auto f0 = flatten(yields[0]->getOperand(r));
      auto f1 = flatten(yields[1]->getOperand(r));
      if (!f0 || !f1)
        return rw.notifyMatchFailure(op, "branch sequence not resolved");
      if (f0->present != f1->present)
        return op.emitError("result ")
               << r << " is an optional that only one branch sets";
      if (f0->values.size() != f1->values.size())
        return op.emitError("result ")
               << r << " is a sequence of length " << f1->values.size()
               << " in then_branch and " << f0->values.size()
               << " in else_branch";
      for (size_t i = 0; i < f0->values.size(); ++i) {
        newYield[0].push_back(f0->values[i]);
        newYield[1].push_back(f1->values[i]);
        newTypes.push_back(unrankedLike(f1->values[i].getType()));
      }
      kinds.push_back(f1);
    }
    Location loc = op.getLoc();
    auto newIf = onnx::IfOp::create(rw, loc, TypeRange(newTypes),
                                    op->getOperands(), op->getAttrs());
    for (int b = 0; b < 2; ++b) {
      newIf->getRegion(b).takeBody(op->getRegion(b));
      Operation *y = newIf->getRegion(b).front().getTerminator();
      rw.modifyOpInPlace(y, [&] { y->setOperands(newYield[b]); });
    }
    SmallVector<Value> results;
    unsigned next = 0;
    for (unsigned r = 0; r < op->getNumResults(); ++r) {
      Type t = op->getResult(r).getType();
      if (!kinds[r]) {
        results.push_back(newIf->getResult(next++));
        continue;
      }
      SmallVector<Value> vals;
      for (size_t i = 0; i < kinds[r]->values.size(); ++i)
        vals.push_back(newIf->getResult(next++));
      if (auto opt = dyn_cast<onnx::OptType>(t)) {
        Value inner;
        if (!kinds[r]->present) {
          inner = onnx::NoneOp::create(rw, loc).getResult();
        } else if (isa<onnx::SeqType>(opt.getElementType())) {
          inner = makeSequence(rw, loc, opt.getElementType(), vals);
        } else {
          inner = vals.front();
        }
        results.push_back(makeOp<onnx::OptionalOp>(
            rw, loc, t, inner,
            {rw.getNamedAttr("type_", TypeAttr::get(opt.getElementType()))}));
      } else {
        results.push_back(makeSequence(rw, loc, t, vals));
      }
    }
    rw.replaceOp(op, results);
    return success();
  }
};

} // namespace

void kiln::seq::populateSequenceControlFlowPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ResolveSequenceMap, UnrollSequenceLoop, ResolveSequenceIf>(
      patterns.getContext());
}
