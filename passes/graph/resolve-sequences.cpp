//===- resolve-sequences.cpp - kiln-resolve-sequences ---------------------===//
//
// Sequences and optionals, resolved at compile time.
//
// Design. Compiled models have only tensors: their ABI (kiln.h) passes flat
// lists of tensor buffers whose shapes are fixed when the model is compiled,
// and the code generator has no representation for a list of tensors of
// run-time length. Kiln therefore requires that the length of every
// sequence, the shape of each of its elements and the presence of every
// optional value are known at compile time, and resolves them in the onnx
// dialect:
//
//  - At the model boundary, the importer flattens a sequence input of length
//    N (--sequence-length=NAME:N) into the tensor arguments NAME[0] ..
//    NAME[N-1] and rebuilds it with onnx.SequenceConstruct; an optional
//    input is its element (or nothing when --absent-input=NAME) wrapped in
//    onnx.Optional.
//  - This pass takes onnx.SequenceConstruct / onnx.SequenceEmpty as the
//    canonical form of a resolved sequence and onnx.Optional (of a value, or
//    of `none` when empty) as that of a resolved optional, and rewrites every
//    op that reads one into tensor ops: SequenceAt/Insert/Erase with a
//    constant position pick elements (with a run-time position, a chain of
//    onnx.Where over elements of one static type), SequenceLength becomes a
//    constant, ConcatFromSequence a Concat (of Unsqueezes for new_axis),
//    SplitToSequence a Split of constant sizes, SequenceMap and Loops that
//    carry sequences (constant trip count) are unrolled, If returning
//    sequences or optionals returns their tensors instead, and
//    OptionalHasElement / OptionalGetElement fold.
//  - Finally a sequence result of @main becomes the results NAME[0] ..
//    NAME[N-1], an optional result its element (or no result when empty).
//
// A sequence whose length or element shapes depend on run-time values (a
// Loop with a run-time trip count, SplitToSequence with a run-time split)
// cannot be compiled: the op is named in an error.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"
#include "passes/graph/Passes.h"
#include "passes/graph/Sequences.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_RESOLVESEQUENCESPASS
#include "passes/graph/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace onnx = kiln::onnx;
using namespace kiln::seq;

namespace {

/// A constant position, normalized to [0, n + extra); nullopt if it is not
/// constant, failure if it is out of range.
FailureOr<std::optional<int64_t>> constantPosition(Value pos, int64_t n,
                                                   int64_t extra) {
  auto c = onnx::getConstantInts(pos);
  if (!c)
    return std::optional<int64_t>();
  if (c->size() != 1)
    return failure();
  int64_t p = (*c)[0];
  if (p < 0)
    p += n;
  if (p < 0 || p >= n + extra)
    return failure();
  return std::optional<int64_t>(p);
}

/// True when all values have one static tensor type (a run-time choice
/// between them can be a Where).
bool sameStaticType(ArrayRef<Value> values) {
  if (values.empty())
    return false;
  auto t = dyn_cast<RankedTensorType>(values.front().getType());
  if (!t || !t.hasStaticShape())
    return false;
  return llvm::all_of(values, [&](Value v) { return v.getType() == t; });
}

/// The run-time position `pos` normalized to [0, n) by adding `n` to a
/// negative value (as an i64 tensor of pos's shape).
Value normalizePosition(PatternRewriter &rw, Location loc, Value pos,
                        int64_t n) {
  auto pt = cast<TensorType>(pos.getType());
  Type boolT = UnrankedTensorType::get(rw.getI1Type());
  Type i64T = UnrankedTensorType::get(rw.getI64Type());
  if (!pt.getElementType().isInteger(64))
    pos = makeOp<onnx::CastOp>(
        rw, loc, i64T, pos, {rw.getNamedAttr("to", rw.getI64IntegerAttr(7))});
  Value zero = i64Scalar(rw, loc, 0);
  Value neg = makeOp<onnx::LessOp>(rw, loc, boolT, {pos, zero});
  Value shifted =
      makeOp<onnx::AddOp>(rw, loc, i64T, {pos, i64Scalar(rw, loc, n)});
  return makeOp<onnx::WhereOp>(rw, loc, i64T, {neg, shifted, pos});
}

Value cmp(PatternRewriter &rw, Location loc, Value pos, int64_t k,
          bool less /* k < pos */) {
  Type boolT = UnrankedTensorType::get(rw.getI1Type());
  Value c = i64Scalar(rw, loc, k);
  if (less)
    return makeOp<onnx::LessOp>(rw, loc, boolT, {c, pos});
  return makeOp<onnx::EqualOp>(rw, loc, boolT, {pos, c});
}

struct ResolveSequenceAt : OpRewritePattern<onnx::SequenceAtOp> {
  ResolveSequenceAt(MLIRContext *ctx, bool runtime)
      : OpRewritePattern(ctx), runtime(runtime) {}
  bool runtime; // whether to rewrite a run-time position
  LogicalResult matchAndRewrite(onnx::SequenceAtOp op,
                                PatternRewriter &rw) const override {
    auto elems = getElements(op->getOperand(0));
    if (!elems)
      return rw.notifyMatchFailure(op, "sequence not resolved");
    int64_t n = elems->size();
    auto p = constantPosition(op->getOperand(1), n, 0);
    if (failed(p))
      return op.emitError("position out of range for a sequence of length ")
             << n;
    if (*p) {
      rw.replaceOp(op, (*elems)[**p]);
      return success();
    }
    if (!runtime || !sameStaticType(*elems))
      return rw.notifyMatchFailure(op, "run-time position, element types");
    Location loc = op.getLoc();
    Value pos = normalizePosition(rw, loc, op->getOperand(1), n);
    Value r = elems->back();
    for (int64_t i = n - 2; i >= 0; --i)
      r = makeOp<onnx::WhereOp>(rw, loc, r.getType(),
                                {cmp(rw, loc, pos, i, false), (*elems)[i], r});
    rw.replaceOp(op, r);
    return success();
  }
};

struct ResolveSequenceInsert : OpRewritePattern<onnx::SequenceInsertOp> {
  ResolveSequenceInsert(MLIRContext *ctx, bool runtime)
      : OpRewritePattern(ctx), runtime(runtime) {}
  bool runtime; // whether to rewrite a run-time position
  LogicalResult matchAndRewrite(onnx::SequenceInsertOp op,
                                PatternRewriter &rw) const override {
    auto elems = getElements(op->getOperand(0));
    if (!elems)
      return rw.notifyMatchFailure(op, "sequence not resolved");
    int64_t n = elems->size();
    Value t = op->getOperand(1);
    Value posV = op->getOperand(2);
    Location loc = op.getLoc();
    SmallVector<Value> out(*elems);
    if (onnx::isNone(posV) || n == 0) {
      // Appending; into an empty sequence the only valid position is 0.
      out.push_back(t);
    } else {
      auto p = constantPosition(posV, n, 1);
      if (failed(p))
        return op.emitError("position out of range for a sequence of length ")
               << n;
      if (*p) {
        out.insert(out.begin() + **p, t);
      } else {
        SmallVector<Value> all(*elems);
        all.push_back(t);
        if (!runtime || !sameStaticType(all))
          return rw.notifyMatchFailure(op, "run-time position, element types");
        Value pos = normalizePosition(rw, loc, posV, n);
        out.clear();
        for (int64_t j = 0; j <= n; ++j) {
          // j < pos: elems[j]; j == pos: t; j > pos: elems[j - 1].
          Value r;
          if (j == 0)
            r = (*elems)[0];
          else if (j == n)
            r = (*elems)[n - 1];
          else
            r = makeOp<onnx::WhereOp>(
                rw, loc, t.getType(),
                {cmp(rw, loc, pos, j, true), (*elems)[j], (*elems)[j - 1]});
          r = makeOp<onnx::WhereOp>(rw, loc, t.getType(),
                                    {cmp(rw, loc, pos, j, false), t, r});
          out.push_back(r);
        }
      }
    }
    rw.replaceOp(op, makeSequence(rw, loc, op.getType(), out));
    return success();
  }
};

struct ResolveSequenceErase : OpRewritePattern<onnx::SequenceEraseOp> {
  ResolveSequenceErase(MLIRContext *ctx, bool runtime)
      : OpRewritePattern(ctx), runtime(runtime) {}
  bool runtime; // whether to rewrite a run-time position
  LogicalResult matchAndRewrite(onnx::SequenceEraseOp op,
                                PatternRewriter &rw) const override {
    auto elems = getElements(op->getOperand(0));
    if (!elems)
      return rw.notifyMatchFailure(op, "sequence not resolved");
    int64_t n = elems->size();
    if (n == 0)
      return op.emitError("erasing from an empty sequence");
    Value posV = op->getOperand(1);
    Location loc = op.getLoc();
    SmallVector<Value> out(*elems);
    if (onnx::isNone(posV)) {
      out.pop_back();
    } else {
      auto p = constantPosition(posV, n, 0);
      if (failed(p))
        return op.emitError("position out of range for a sequence of length ")
               << n;
      if (*p) {
        out.erase(out.begin() + **p);
      } else {
        if (!runtime || !sameStaticType(*elems))
          return rw.notifyMatchFailure(op, "run-time position, element types");
        Value pos = normalizePosition(rw, loc, posV, n);
        out.clear();
        // j < pos: elems[j]; otherwise elems[j + 1].
        for (int64_t j = 0; j + 1 < n; ++j)
          out.push_back(makeOp<onnx::WhereOp>(
              rw, loc, (*elems)[j].getType(),
              {cmp(rw, loc, pos, j, true), (*elems)[j], (*elems)[j + 1]}));
      }
    }
    rw.replaceOp(op, makeSequence(rw, loc, op.getType(), out));
    return success();
  }
};

struct ResolveSequenceLength : OpRewritePattern<onnx::SequenceLengthOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SequenceLengthOp op,
                                PatternRewriter &rw) const override {
    auto elems = getElements(op->getOperand(0));
    if (!elems)
      return rw.notifyMatchFailure(op, "sequence not resolved");
    rw.replaceOp(op, i64Scalar(rw, op.getLoc(), elems->size()));
    return success();
  }
};

struct ResolveConcatFromSequence
    : OpRewritePattern<onnx::ConcatFromSequenceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConcatFromSequenceOp op,
                                PatternRewriter &rw) const override {
    auto elems = getElements(op->getOperand(0));
    if (!elems)
      return rw.notifyMatchFailure(op, "sequence not resolved");
    if (elems->empty())
      return op.emitError("ConcatFromSequence of an empty sequence");
    int64_t axis = onnx::getIntAttr(op, "axis", 0);
    bool newAxis = onnx::getIntAttr(op, "new_axis", 0) != 0;
    Location loc = op.getLoc();
    SmallVector<Value> parts;
    for (Value e : *elems) {
      if (!newAxis) {
        parts.push_back(e);
        continue;
      }
      parts.push_back(makeOp<onnx::UnsqueezeOp>(
          rw, loc, unrankedLike(e.getType()), {e, i64Vector(rw, loc, {axis})}));
    }
    rw.replaceOp(op,
                 makeOp<onnx::ConcatOp>(
                     rw, loc, op.getType(), parts,
                     {rw.getNamedAttr("axis", rw.getI64IntegerAttr(axis))}));
    return success();
  }
};

struct ResolveSplitToSequence : OpRewritePattern<onnx::SplitToSequenceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::SplitToSequenceOp op,
                                PatternRewriter &rw) const override {
    Value input = op->getOperand(0);
    Value splitV = op->getOperand(1);
    auto shape = onnx::getShape(input);
    if (!shape)
      return rw.notifyMatchFailure(op, "input rank unknown");
    auto axis =
        onnx::normalizeAxis(onnx::getIntAttr(op, "axis", 0), shape->size());
    if (!axis)
      return op.emitError("axis out of range");
    int64_t dim = (*shape)[*axis];
    if (ShapedType::isDynamic(dim))
      return rw.notifyMatchFailure(op, "split axis dim unknown");
    SmallVector<int64_t> sizes;
    bool squeeze = false;
    if (onnx::isNone(splitV)) {
      sizes.assign(dim, 1);
      squeeze = onnx::getIntAttr(op, "keepdims", 1) == 0;
    } else {
      auto c = onnx::getConstantInts(splitV);
      if (!c)
        return rw.notifyMatchFailure(op, "run-time split");
      auto st = cast<ShapedType>(splitV.getType());
      if (st.hasRank() && st.getRank() == 0) {
        int64_t s = (*c)[0];
        if (s <= 0)
          return op.emitError("split must be positive, got ") << s;
        for (int64_t off = 0; off < dim; off += s)
          sizes.push_back(std::min(s, dim - off));
      } else {
        sizes.assign(c->begin(), c->end());
        int64_t sum = 0;
        for (int64_t s : sizes) {
          if (s < 0)
            return op.emitError("split sizes must be >= 0");
          sum += s;
        }
        if (sum != dim)
          return op.emitError("split sizes sum to ")
                 << sum << " but the axis has " << dim << " elements";
      }
    }
    if ((int64_t)sizes.size() > kMaxUnroll)
      return op.emitError("splits into ")
             << sizes.size() << " tensors (at most " << kMaxUnroll << ")";
    Location loc = op.getLoc();
    Type elt = unrankedLike(input.getType());
    SmallVector<Value> out;
    if (!sizes.empty()) {
      SmallVector<Type> types(sizes.size(), elt);
      auto split = onnx::SplitOp::create(
          rw, loc, TypeRange(types),
          ValueRange{input, i64Vector(rw, loc, sizes)},
          {rw.getNamedAttr("axis", rw.getI64IntegerAttr(*axis))});
      for (Value r : split->getResults())
        out.push_back(squeeze
                          ? makeOp<onnx::SqueezeOp>(
                                rw, loc, elt, {r, i64Vector(rw, loc, {*axis})})
                          : r);
    }
    rw.replaceOp(op, makeSequence(rw, loc, op.getType(), out));
    return success();
  }
};

struct ResolveIdentity : OpRewritePattern<onnx::IdentityOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::IdentityOp op,
                                PatternRewriter &rw) const override {
    Value in = op->getOperand(0);
    if (!isSeqOrOpt(in.getType()))
      return rw.notifyMatchFailure(op, "a tensor");
    rw.replaceOp(op, in);
    return success();
  }
};

struct ResolveOptionalHasElement
    : OpRewritePattern<onnx::OptionalHasElementOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::OptionalHasElementOp op,
                                PatternRewriter &rw) const override {
    bool has;
    Value in = op->getNumOperands() ? op->getOperand(0) : Value();
    if (!in || isa<NoneType>(in.getType())) {
      has = false; // no input: an empty optional
    } else if (!isa<onnx::OptType>(in.getType())) {
      has = true; // a tensor or a sequence is always there
    } else {
      auto o = getOptional(in);
      if (!o)
        return rw.notifyMatchFailure(op, "optional not resolved");
      has = o->first;
    }
    auto t = RankedTensorType::get({}, rw.getI1Type());
    rw.replaceOp(op, onnx::createConstant(rw, op.getLoc(),
                                          DenseElementsAttr::get(t, has))
                         .getResult());
    return success();
  }
};

struct ResolveOptionalGetElement
    : OpRewritePattern<onnx::OptionalGetElementOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::OptionalGetElementOp op,
                                PatternRewriter &rw) const override {
    Value in = op->getOperand(0);
    if (!isa<onnx::OptType>(in.getType())) {
      rw.replaceOp(op, in); // a tensor or a sequence: itself
      return success();
    }
    auto o = getOptional(in);
    if (!o)
      return rw.notifyMatchFailure(op, "optional not resolved");
    if (!o->first)
      return op.emitError("gets the element of an empty optional");
    rw.replaceOp(op, o->second);
    return success();
  }
};

/// Why a sequence op that is left could not be resolved.
std::string explain(Operation *op) {
  if (isa<onnx::LoopOp>(op))
    return "a Loop that carries a sequence or an optional needs a constant "
           "trip count and a condition known at compile time (it is "
           "unrolled)";
  if (isa<onnx::SplitToSequenceOp>(op))
    return "SplitToSequence needs a constant split and a static size along "
           "its axis";
  if (isa<onnx::SequenceAtOp, onnx::SequenceInsertOp, onnx::SequenceEraseOp>(
          op))
    return "a run-time position needs elements of one static shape";
  if (isa<onnx::IfOp>(op))
    return "both branches must give sequences of one length (optionals of "
           "one presence)";
  return "the sequence or optional it uses must be known at compile time";
}

struct ResolveSequencesPass
    : kiln::impl::ResolveSequencesPassBase<ResolveSequencesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool any = false;
    func.walk([&](Operation *op) {
      any |= llvm::any_of(op->getResultTypes(), isSeqOrOpt) ||
             llvm::any_of(op->getOperandTypes(), isSeqOrOpt) ||
             isa<onnx::OptionalHasElementOp, onnx::OptionalGetElementOp>(op);
    });
    if (!any)
      return;
    // Phase 1 resolves what is known at compile time (unrolling loops makes
    // their iteration numbers constants); phase 2 adds the run-time
    // positions (chains of Where) for what is left.
    FrozenRewritePatternSet phases[2];
    for (int phase = 0; phase < 2; ++phase) {
      RewritePatternSet patterns(&getContext());
      patterns
          .add<ResolveSequenceAt, ResolveSequenceInsert, ResolveSequenceErase>(
              &getContext(), phase == 1);
      patterns.add<ResolveSequenceLength, ResolveConcatFromSequence,
                   ResolveSplitToSequence, ResolveIdentity,
                   ResolveOptionalHasElement, ResolveOptionalGetElement>(
          &getContext());
      populateSequenceControlFlowPatterns(patterns);
      phases[phase] = FrozenRewritePatternSet(std::move(patterns));
    }
    // Patterns need shapes (SplitToSequence, Where chains) that the ops they
    // create only get from shape inference: alternate until a fixed point.
    bool failedAny = false;
    ScopedDiagnosticHandler handler(&getContext(), [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error)
        failedAny = true;
      return failure(); // let it through
    });
    int phase = 0;
    for (int iter = 0; iter < 32 && !failedAny; ++iter) {
      bool changed = false;
      if (failed(applyPatternsGreedily(func, phases[phase],
                                       GreedyRewriteConfig(), &changed)))
        break;
      func.walk([&](Operation *op) {
        if (isa_and_nonnull<onnx::ONNXDialect>(op->getDialect()))
          if (failed(onnx::inferShapes(op)))
            failedAny = true;
      });
      if (changed)
        phase = 0;
      else if (phase == 0)
        phase = 1;
      else
        break;
    }
    if (failedAny)
      return signalPassFailure();
    if (failed(flattenResults(func)))
      return signalPassFailure();
  }

  /// Sequence and optional results of @main become tensor results; then
  /// every op left that uses a sequence or optional is an error.
  LogicalResult flattenResults(func::FuncOp func) {
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    SmallVector<Value> operands;
    SmallVector<DictionaryAttr> attrs;
    Builder b(&getContext());
    bool ok = true;
    for (auto [i, v] : llvm::enumerate(ret->getOperands())) {
      DictionaryAttr dict = func.getResultAttrDict(i);
      if (!isSeqOrOpt(v.getType())) {
        operands.push_back(v);
        attrs.push_back(dict);
        continue;
      }
      std::string name;
      if (dict)
        if (auto n = dict.getAs<StringAttr>("onnx.name"))
          name = n.str();
      std::optional<Flattened> f = flatten(v);
      if (!f) {
        Operation *def = v.getDefiningOp();
        InFlightDiagnostic d = def ? def->emitError() : func.emitError();
        d << "output '" << name
          << "' is a sequence or optional that is not known at compile time: "
          << (def ? explain(def) : std::string("it is an argument"));
        ok = false;
        continue;
      }
      bool isSeq =
          !f->isOpt ||
          isa<onnx::SeqType>(cast<onnx::OptType>(v.getType()).getElementType());
      for (auto [k, e] : llvm::enumerate(f->values)) {
        operands.push_back(e);
        std::string n = isSeq ? name + "[" + std::to_string(k) + "]" : name;
        attrs.push_back(b.getDictionaryAttr(
            b.getNamedAttr("onnx.name", b.getStringAttr(n))));
      }
    }
    if (!ok)
      return failure();
    ret->setOperands(operands);
    SmallVector<Type> types;
    for (Value v : operands)
      types.push_back(v.getType());
    func.setType(FunctionType::get(&getContext(),
                                   func.getFunctionType().getInputs(), types));
    func.setAllResultAttrs(attrs);
    // Dead canonical forms go; whatever else is left is an error.
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : llvm::reverse(ops))
      if (isa<onnx::SequenceConstructOp, onnx::SequenceEmptyOp,
              onnx::OptionalOp, onnx::NoneOp>(op) &&
          op->use_empty())
        op->erase();
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<onnx::SequenceConstructOp, onnx::SequenceEmptyOp,
              onnx::OptionalOp>(op))
        return WalkResult::advance(); // reported at their users
      if (llvm::any_of(op->getResultTypes(), isSeqOrOpt) ||
          llvm::any_of(op->getOperandTypes(), isSeqOrOpt)) {
        op->emitError() << "cannot resolve the sequence or optional at "
                           "compile time: "
                        << explain(op);
        ok = false;
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    return success(ok);
  }
};

} // namespace
