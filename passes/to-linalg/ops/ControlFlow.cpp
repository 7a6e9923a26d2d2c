//===- ControlFlow.cpp - If, Loop, Scan -----------------------------------===//
//
// The subgraphs become scf regions, and the ops inside them are converted by
// the same partial conversion (it visits the moved ops after their parent).
//
// - If: scf.if with the two branches moved in; they must yield the static
//   types of the results. A constant condition inlines the taken branch.
// - Loop: with scan outputs, an scf.for over their static leading dim (M
//   when it is a constant, else the declared output shape); without, an
//   scf.for over M when only M limits the loop, an scf.while when the
//   condition may stop it or there is no M. When the condition or a runtime M
//   can end an scf.for early, it carries an "active" flag and each step runs
//   under scf.if (scan output rows after an early exit stay zero).
// - Scan (opset >= 9): an scf.for over the scan length; scan inputs are
//   sliced along their axes (reversed for direction 1) and scan outputs
//   inserted likewise.
//
// The body of a Loop/Scan goes into an scf.execute_region (inlined by the
// canonicalizer) whose block arguments are replaced by the iteration number,
// the carried values and the slices. onnx.Yield becomes scf.yield.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// The converted type of `t` when it is a static ranked tensor, else null.
RankedTensorType staticConverted(const TypeConverter &tc, Type t) {
  auto r = dyn_cast_or_null<RankedTensorType>(tc.convertType(t));
  return r && r.hasStaticShape() ? r : nullptr;
}

/// The single element of a static one-element tensor.
Value extractScalar(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(type.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}

bool isOneElementTensor(Type t, Type elt) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape() && r.getNumElements() == 1 &&
         r.getElementType() == elt;
}

/// Whether `v` is the constant true (through onnx.Identity).
bool isConstantTrue(Value v) {
  while (auto id = v.getDefiningOp<onnx::IdentityOp>())
    v = id.getInput();
  auto c = getConstantInts(v);
  return succeeded(c) && c->size() == 1 && (*c)[0] != 0;
}

/// Whether `v` is `arg` (through onnx.Identity).
bool isPassThrough(Value v, Value arg) {
  while (auto id = v.getDefiningOp<onnx::IdentityOp>())
    v = id.getInput();
  return v == arg;
}

/// Checks that the body's arguments convert to `argTypes` and its yield
/// operands to `yieldTypes`; emits an error on `op` naming the first
/// mismatch.
LogicalResult checkBody(Operation *op, const TypeConverter &tc, Region &body,
                        TypeRange argTypes, TypeRange yieldTypes) {
  if (!body.hasOneBlock())
    return op->emitError() << op->getName() << ": body must be one block";
  Block &block = body.front();
  auto yield = dyn_cast<onnx::YieldOp>(block.getTerminator());
  if (!yield || block.getNumArguments() != argTypes.size() ||
      yield->getNumOperands() != yieldTypes.size())
    return op->emitError() << op->getName()
                           << ": body signature does not match the node";
  for (auto [i, arg] : llvm::enumerate(block.getArguments()))
    if (tc.convertType(arg.getType()) != argTypes[i])
      return op->emitError()
             << op->getName() << ": body input #" << i << " has type "
             << arg.getType() << ", the node passes " << argTypes[i];
  for (auto [i, v] : llvm::enumerate(yield->getOperands()))
    if (tc.convertType(v.getType()) != yieldTypes[i])
      return op->emitError()
             << op->getName() << ": body output #" << i << " has type "
             << v.getType() << ", expected " << yieldTypes[i]
             << " (static shapes that stay the same in every iteration)";
  return success();
}

/// Moves the one-block `body` into a new scf.execute_region at the insertion
/// point, its arguments replaced by `args`; the results are the values the
/// body yields (of `resultTypes`).
FailureOr<ValueRange> inlineBody(ConversionPatternRewriter &rewriter,
                                 Location loc, const TypeConverter &tc,
                                 Region &body, ValueRange args,
                                 TypeRange resultTypes) {
  FailureOr<Block *> entry = rewriter.convertRegionTypes(&body, tc);
  if (failed(entry))
    return failure();
  auto exec = scf::ExecuteRegionOp::create(rewriter, loc, resultTypes);
  Block *block;
  {
    OpBuilder::InsertionGuard guard(rewriter);
    block = rewriter.createBlock(&exec.getRegion());
  }
  rewriter.mergeBlocks(*entry, block, args);
  return ValueRange(exec.getResults());
}

/// Offsets/sizes of the slice at `index` along `axis` of `shape`.
void sliceAt(OpBuilder &b, ArrayRef<int64_t> shape, int64_t axis, Value index,
             SmallVectorImpl<OpFoldResult> &offsets,
             SmallVectorImpl<OpFoldResult> &sizes,
             SmallVectorImpl<OpFoldResult> &strides) {
  for (auto [d, size] : llvm::enumerate(shape)) {
    offsets.push_back((int64_t)d == axis ? OpFoldResult(index)
                                         : OpFoldResult(b.getIndexAttr(0)));
    sizes.push_back(b.getIndexAttr((int64_t)d == axis ? 1 : size));
    strides.push_back(b.getIndexAttr(1));
  }
}

/// `full` with the slice at `index` along `axis` replaced by `part` (whose
/// shape is `full`'s without that axis).
Value insertAt(OpBuilder &b, Location loc, Value part, Value full, int64_t axis,
               Value index) {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  sliceAt(b, cast<RankedTensorType>(full.getType()).getShape(), axis, index,
          offsets, sizes, strides);
  return tensor::InsertSliceOp::create(b, loc, part, full, offsets, sizes,
                                       strides);
}

/// The slice of `full` at `index` along `axis`, without that axis.
Value extractAt(OpBuilder &b, Location loc, Value full, int64_t axis,
                Value index) {
  auto type = cast<RankedTensorType>(full.getType());
  SmallVector<OpFoldResult> offsets, sizes, strides;
  sliceAt(b, type.getShape(), axis, index, offsets, sizes, strides);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  auto sliceType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, full, offsets, sizes,
                                        strides);
}

/// A static one-element tensor of `type` holding scalar `v`.
Value toTensor(OpBuilder &b, Location loc, Type type, Value v) {
  return tensor::FromElementsOp::create(b, loc, cast<RankedTensorType>(type),
                                        ValueRange{v});
}

//===----------------------------------------------------------------------===//
// If
//===----------------------------------------------------------------------===//

struct IfLowering : OpConversionPattern<onnx::IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::IfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const TypeConverter &tc = *getTypeConverter();
    Location loc = op.getLoc();
    auto thenYield =
        dyn_cast<onnx::YieldOp>(op.getThenBranch().front().getTerminator());
    auto elseYield =
        dyn_cast<onnx::YieldOp>(op.getElseBranch().front().getTerminator());
    unsigned n = op->getNumResults();
    // A constant condition: the taken branch replaces the node.
    auto c = getConstantInts(op.getCond());
    if (failed(c))
      c = getConstantInts(adaptor.getCond());
    if (succeeded(c) && c->size() == 1) {
      Region &taken = (*c)[0] ? op.getThenBranch() : op.getElseBranch();
      auto yield = dyn_cast<onnx::YieldOp>(taken.front().getTerminator());
      if (!yield || yield->getNumOperands() != n)
        return op.emitError("If: branches must yield one value per output");
      SmallVector<Value> results(yield->getOperands());
      rewriter.eraseOp(yield);
      rewriter.inlineBlockBefore(&taken.front(), op);
      rewriter.replaceOp(op, results);
      return success();
    }
    if (!thenYield || !elseYield || thenYield->getNumOperands() != n ||
        elseYield->getNumOperands() != n)
      return op.emitError("If: branches must yield one value per output");
    SmallVector<Type> types;
    for (unsigned i = 0; i < n; ++i) {
      Type t = thenYield->getOperand(i).getType();
      Type e = elseYield->getOperand(i).getType();
      RankedTensorType rt = staticConverted(tc, op->getResult(i).getType());
      if (!rt || tc.convertType(t) != rt || tc.convertType(e) != rt)
        return op.emitError()
               << "If: output #" << i
               << " needs the same static type from both branches (then: " << t
               << ", else: " << e << ")";
      types.push_back(rt);
    }
    if (!isOneElementTensor(adaptor.getCond().getType(), rewriter.getI1Type()))
      return op.emitError("If: cond must be a one-element bool tensor");
    Value cond = extractScalar(rewriter, loc, adaptor.getCond());
    auto ifOp = scf::IfOp::create(rewriter, loc, types, cond,
                                  /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    rewriter.inlineRegionBefore(op.getThenBranch(), ifOp.getThenRegion(),
                                ifOp.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseBranch(), ifOp.getElseRegion(),
                                ifOp.getElseRegion().end());
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

/// onnx.Yield ending a branch moved into scf.if or a body moved into
/// scf.execute_region.
struct YieldLowering : OpConversionPattern<onnx::YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *parent = op->getParentOp();
    if (!isa<scf::IfOp, scf::ExecuteRegionOp>(parent))
      return rewriter.notifyMatchFailure(op, "not in a lowered region");
    SmallVector<Value> operands;
    for (auto [v, t] :
         llvm::zip_equal(adaptor.getOperands(), parent->getResultTypes())) {
      if (v.getType() != t) {
        if (!tensor::CastOp::areCastCompatible(v.getType(), t))
          return rewriter.notifyMatchFailure(op, "yield type mismatch");
        v = tensor::CastOp::create(rewriter, op.getLoc(), t, v);
      }
      operands.push_back(v);
    }
    rewriter.replaceOp(op,
                       scf::YieldOp::create(rewriter, op.getLoc(), operands));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

struct LoopLowering : OpConversionPattern<onnx::LoopOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LoopOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const TypeConverter &tc = *getTypeConverter();
    Location loc = op.getLoc();
    Region &body = op.getBody();
    if (!body.hasOneBlock() || body.front().getNumArguments() < 2)
      return op.emitError("Loop: body signature does not match the node");
    Block &block = body.front();
    unsigned n = op.getVInitial().size();
    unsigned k = op->getNumResults() - n;
    Type i1 = rewriter.getI1Type(), i64 = rewriter.getI64Type();

    // Carried values keep their static type; scan outputs stack static
    // per-iteration values along a static leading dim.
    SmallVector<Type> argTypes = {
        tc.convertType(block.getArgument(0).getType()),
        tc.convertType(block.getArgument(1).getType())};
    SmallVector<Type> yieldTypes = {argTypes[1]};
    if (!isOneElementTensor(argTypes[0], i64) ||
        !isOneElementTensor(argTypes[1], i1))
      return op.emitError("Loop: the iteration number and condition of the "
                          "body must be one-element tensors");
    for (unsigned i = 0; i < n; ++i) {
      RankedTensorType t = staticConverted(tc, op.getVInitial()[i].getType());
      if (!t || staticConverted(tc, op->getResult(i).getType()) != t)
        return op.emitError()
               << "Loop: carried value #" << i << " (initially "
               << op.getVInitial()[i].getType() << ", finally "
               << op->getResult(i).getType()
               << ") needs a static shape that stays the same in every "
                  "iteration";
      argTypes.push_back(t);
      yieldTypes.push_back(t);
    }
    std::optional<int64_t> bound;
    SmallVector<RankedTensorType> scanTypes;
    for (unsigned j = 0; j < k; ++j) {
      RankedTensorType t = staticConverted(tc, op->getResult(n + j).getType());
      if (!t || t.getRank() < 1 || (bound && *bound != t.getDimSize(0)))
        return op.emitError()
               << "Loop: scan output #" << j << " has type "
               << op->getResult(n + j).getType()
               << "; scan outputs need a static trip count (a constant M, or "
                  "static output shapes)";
      bound = t.getDimSize(0);
      scanTypes.push_back(t);
      yieldTypes.push_back(
          RankedTensorType::get(t.getShape().drop_front(), t.getElementType()));
    }
    if (failed(checkBody(op, tc, body, argTypes, yieldTypes)))
      return failure();

    // Trip limits: M (constant or runtime) and the condition.
    Value m = adaptor.getM();
    bool hasM = !isa<NoneType>(m.getType());
    std::optional<int64_t> mConst;
    if (hasM) {
      if (!isOneElementTensor(m.getType(), i64))
        return op.emitError("Loop: M must be a one-element int64 tensor");
      auto c = getConstantInts(op.getM());
      if (failed(c))
        c = getConstantInts(m);
      if (succeeded(c) && c->size() == 1)
        mConst = std::max<int64_t>((*c)[0], 0);
    }
    Value cond = adaptor.getCond();
    bool hasCond = !isa<NoneType>(cond.getType());
    if (hasCond && !isOneElementTensor(cond.getType(), i1))
      return op.emitError("Loop: cond must be a one-element bool tensor");
    auto yield = cast<onnx::YieldOp>(block.getTerminator());
    Value yieldCond = yield->getOperand(0);
    // The body sees cond_in = true whenever it runs, so yielding it back (or
    // a constant true) never stops the loop.
    bool bodyStops = !isConstantTrue(yieldCond) &&
                     !isPassThrough(yieldCond, block.getArgument(1));
    bool initMayStop = hasCond && !isConstantTrue(op.getCond());
    bool carryFlag = bodyStops || initMayStop;

    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value mVal = hasM ? extractScalar(rewriter, loc, m) : Value();
    Value initFlag =
        hasCond
            ? extractScalar(rewriter, loc, cond)
            : arith::ConstantIntOp::create(rewriter, loc, i1, 1).getResult();
    Value trueTensor = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(cast<RankedTensorType>(argTypes[1]), true));

    // One step: the body at iteration `iter` (i64) on `carried`; returns the
    // body's results (cond, carried..., scan values...).
    auto step = [&](Value iter, ValueRange carried) -> FailureOr<ValueRange> {
      SmallVector<Value> args = {toTensor(rewriter, loc, argTypes[0], iter),
                                 trueTensor};
      args.append(carried.begin(), carried.end());
      return inlineBody(rewriter, loc, tc, body, args, yieldTypes);
    };

    // Without scan outputs, a loop the condition may stop is an scf.while
    // even for a constant M: exporters write "while" loops as M = INT64_MAX.
    if (!bound && (carryFlag || !hasM))
      return lowerToWhile(op, rewriter, mVal, initFlag, carryFlag,
                          adaptor.getVInitial(), step);

    // scf.for over [0, ub): the scan bound, else M.
    Value ub;
    bool needMCheck = false;
    if (bound) {
      ub = arith::ConstantIndexOp::create(rewriter, loc, *bound);
      needMCheck = hasM && !(mConst && *mConst >= *bound);
    } else if (mConst) {
      ub = arith::ConstantIndexOp::create(rewriter, loc, *mConst);
    } else {
      ub = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                      mVal);
      ub = arith::MaxSIOp::create(rewriter, loc, ub, c0);
    }
    SmallVector<Value> inits;
    if (carryFlag)
      inits.push_back(initFlag);
    llvm::append_range(inits, adaptor.getVInitial());
    for (RankedTensorType t : scanTypes)
      inits.push_back(
          createFilled(rewriter, loc, t,
                       createScalar(rewriter, loc, t.getElementType(), 0.0)));
    auto loop = scf::ForOp::create(rewriter, loc, c0, ub, c1, inits);
    rewriter.setInsertionPointToStart(loop.getBody());
    Value iv = loop.getInductionVar();
    ValueRange iterArgs = loop.getRegionIterArgs();
    unsigned off = carryFlag ? 1 : 0;
    Value iter = arith::IndexCastOp::create(rewriter, loc, i64, iv);

    // The iteration's new loop-carried values.
    LogicalResult stepStatus = success();
    auto next = [&]() -> SmallVector<Value> {
      auto res = step(iter, iterArgs.slice(off, n));
      if (failed(res)) {
        stepStatus = failure();
        return llvm::to_vector(iterArgs);
      }
      SmallVector<Value> out;
      if (carryFlag)
        out.push_back(extractScalar(rewriter, loc, (*res)[0]));
      llvm::append_range(out, res->slice(1, n));
      for (unsigned j = 0; j < k; ++j)
        out.push_back(insertAt(rewriter, loc, (*res)[1 + n + j],
                               iterArgs[off + n + j], 0, iv));
      return out;
    };

    Value active = carryFlag ? iterArgs[0] : Value();
    if (needMCheck) {
      Value inRange = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::slt, iter, mVal);
      active = active ? arith::AndIOp::create(rewriter, loc, active, inRange)
                            .getResult()
                      : inRange;
    }
    if (!active) {
      scf::YieldOp::create(rewriter, loc, next());
    } else {
      auto ifOp = scf::IfOp::create(
          rewriter, loc, active,
          [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, next()); },
          [&](OpBuilder &b, Location l) {
            SmallVector<Value> keep = llvm::to_vector(iterArgs);
            if (carryFlag)
              keep[0] = arith::ConstantIntOp::create(b, l, i1, 0);
            scf::YieldOp::create(b, l, keep);
          });
      scf::YieldOp::create(rewriter, loc, ifOp.getResults());
    }
    if (failed(stepStatus))
      return failure();
    rewriter.replaceOp(op, loop.getResults().drop_front(off));
    return success();
  }

  /// No static bound and no scan outputs: scf.while (carried values,
  /// iteration number, flag) while flag && iteration < M. The carried tensors
  /// come first: bufferization needs the condition's operands to match the
  /// "before" arguments position by position, and the canonicalizer drops
  /// the unused trailing scalars.
  LogicalResult lowerToWhile(
      onnx::LoopOp op, ConversionPatternRewriter &rewriter, Value mVal,
      Value initFlag, bool carryFlag, ValueRange initial,
      llvm::function_ref<FailureOr<ValueRange>(Value, ValueRange)> step) const {
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    unsigned n = initial.size();
    SmallVector<Value> inits = llvm::to_vector(initial);
    inits.push_back(arith::ConstantIntOp::create(rewriter, loc, i64, 0));
    if (carryFlag)
      inits.push_back(initFlag);
    SmallVector<Type> types = llvm::to_vector(ValueRange(inits).getTypes());
    LogicalResult status = success();
    auto loop = scf::WhileOp::create(
        rewriter, loc, types, inits,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value go = carryFlag ? args[n + 1] : Value();
          if (mVal) {
            Value inRange = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, args[n], mVal);
            go = go ? arith::AndIOp::create(b, l, go, inRange).getResult()
                    : inRange;
          }
          if (!go)
            go = arith::ConstantIntOp::create(b, l, b.getI1Type(), 1);
          scf::ConditionOp::create(b, l, go, args);
        },
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto res = step(args[n], args.take_front(n));
          if (failed(res)) {
            status = failure();
            scf::YieldOp::create(b, l, args);
            return;
          }
          SmallVector<Value> out = llvm::to_vector(res->drop_front());
          out.push_back(arith::AddIOp::create(
              b, l, args[n], arith::ConstantIntOp::create(b, l, i64, 1)));
          if (carryFlag)
            out.push_back(extractScalar(b, l, (*res)[0]));
          scf::YieldOp::create(b, l, out);
        });
    if (failed(status))
      return failure();
    rewriter.replaceOp(op, loop.getResults().take_front(n));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scan
//===----------------------------------------------------------------------===//

struct ScanLowering : OpConversionPattern<onnx::ScanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const TypeConverter &tc = *getTypeConverter();
    Location loc = op.getLoc();
    ValueRange operands = adaptor.getInitialStateAndScanInputs();
    int64_t m = op.getNumScanInputs();
    int64_t n = (int64_t)operands.size() - m;
    int64_t k = (int64_t)op->getNumResults() - n;
    if (m < 1 || n < 0 || k < 0)
      return op.emitError("Scan: num_scan_inputs does not match the inputs");
    auto attrOr = [](std::optional<ArrayRef<int64_t>> a, int64_t size) {
      return a ? SmallVector<int64_t>(*a) : SmallVector<int64_t>(size, 0);
    };
    SmallVector<int64_t> inAxes = attrOr(op.getScanInputAxes(), m);
    SmallVector<int64_t> inDirs = attrOr(op.getScanInputDirections(), m);
    SmallVector<int64_t> outAxes = attrOr(op.getScanOutputAxes(), k);
    SmallVector<int64_t> outDirs = attrOr(op.getScanOutputDirections(), k);
    if ((int64_t)inAxes.size() != m || (int64_t)inDirs.size() != m ||
        (int64_t)outAxes.size() != k || (int64_t)outDirs.size() != k)
      return op.emitError("Scan: scan axes/directions do not match the scan "
                          "inputs/outputs");

    SmallVector<Type> argTypes, yieldTypes;
    for (int64_t i = 0; i < n; ++i) {
      RankedTensorType t = staticConverted(tc, operands[i].getType());
      if (!t || staticConverted(tc, op->getResult(i).getType()) != t)
        return op.emitError()
               << "Scan: state #" << i << " (initially "
               << operands[i].getType() << ", finally "
               << op->getResult(i).getType()
               << ") needs a static shape that stays the same in every "
                  "iteration";
      argTypes.push_back(t);
      yieldTypes.push_back(t);
    }
    std::optional<int64_t> len;
    for (int64_t j = 0; j < m; ++j) {
      RankedTensorType t = staticConverted(tc, operands[n + j].getType());
      std::optional<int64_t> axis =
          t ? normalizeAxis(inAxes[j], t.getRank()) : std::nullopt;
      if (!t || !axis || (len && *len != t.getDimSize(*axis)) ||
          (inDirs[j] != 0 && inDirs[j] != 1))
        return op.emitError()
               << "Scan: scan input #" << j << " of type "
               << operands[n + j].getType() << " needs a static shape, an "
               << "axis in range, direction 0 or 1 and the common length";
      inAxes[j] = *axis;
      len = t.getDimSize(*axis);
      SmallVector<int64_t> shape(t.getShape());
      shape.erase(shape.begin() + *axis);
      argTypes.push_back(RankedTensorType::get(shape, t.getElementType()));
    }
    SmallVector<RankedTensorType> outTypes;
    for (int64_t j = 0; j < k; ++j) {
      RankedTensorType t = staticConverted(tc, op->getResult(n + j).getType());
      std::optional<int64_t> axis =
          t ? normalizeAxis(outAxes[j], t.getRank()) : std::nullopt;
      if (!t || !axis || t.getDimSize(*axis) != *len ||
          (outDirs[j] != 0 && outDirs[j] != 1))
        return op.emitError()
               << "Scan: scan output #" << j << " of type "
               << op->getResult(n + j).getType()
               << " needs a static shape, an axis in range, direction 0 or 1 "
                  "and the scan length "
               << *len;
      outAxes[j] = *axis;
      outTypes.push_back(t);
      SmallVector<int64_t> shape(t.getShape());
      shape.erase(shape.begin() + *axis);
      yieldTypes.push_back(RankedTensorType::get(shape, t.getElementType()));
    }
    if (failed(checkBody(op, tc, op.getBody(), argTypes, yieldTypes)))
      return failure();

    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value last = arith::ConstantIndexOp::create(rewriter, loc, *len - 1);
    SmallVector<Value> inits = llvm::to_vector(operands.take_front(n));
    for (RankedTensorType t : outTypes)
      inits.push_back(createEmpty(rewriter, loc, t));
    auto loop = scf::ForOp::create(
        rewriter, loc, c0, arith::ConstantIndexOp::create(rewriter, loc, *len),
        c1, inits);
    rewriter.setInsertionPointToStart(loop.getBody());
    Value iv = loop.getInductionVar();
    Value reversed = arith::SubIOp::create(rewriter, loc, last, iv);
    ValueRange iterArgs = loop.getRegionIterArgs();
    SmallVector<Value> args = llvm::to_vector(iterArgs.take_front(n));
    for (int64_t j = 0; j < m; ++j)
      args.push_back(extractAt(rewriter, loc, operands[n + j], inAxes[j],
                               inDirs[j] ? reversed : iv));
    auto res = inlineBody(rewriter, loc, tc, op.getBody(), args, yieldTypes);
    if (failed(res))
      return failure();
    SmallVector<Value> next = llvm::to_vector(res->take_front(n));
    for (int64_t j = 0; j < k; ++j)
      next.push_back(insertAt(rewriter, loc, (*res)[n + j], iterArgs[n + j],
                              outAxes[j], outDirs[j] ? reversed : iv));
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void populateControlFlowPatterns(TypeConverter &tc,
                                 RewritePatternSet &patterns) {
  patterns.add<IfLowering, YieldLowering, LoopLowering, ScanLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
