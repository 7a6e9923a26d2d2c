//===- shape-inference.cpp - kiln-shape-inference ------------------------===//
//
// Thin pass over kiln::onnx::inferShapes / foldToConstants.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "kiln-shape-inference"

namespace kiln {
#define GEN_PASS_DEF_SHAPEINFERENCEPASS
#include "passes/graph/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Replaces `op` by constants when it folds; returns true if it did.
bool foldOp(Operation *op) {
  auto folded = kiln::onnx::foldToConstants(op);
  if (!folded)
    return false;
  OpBuilder b(op);
  for (auto [res, attr] : llvm::zip(op->getResults(), *folded)) {
    auto cst = kiln::onnx::createConstant(b, op->getLoc(), attr);
    res.replaceAllUsesWith(cst.getResult());
  }
  op->erase();
  return true;
}

/// Slice(data, starts, Add(starts, len)) (unit steps) whose result is static
/// while its data's shape is not (it depends on the run-time `len`, as in
/// CenterCropPad's function body): the slice can only give the declared
/// result when `len` holds the result's sizes along the sliced axes. Every
/// other use of `len` gets those sizes as a constant (which makes the shapes
/// static); the Add reads Identity(len) carrying the expected values
/// (kiln.expected_value), which the lowering checks at run time. Returns true
/// when it rewrote.
bool assumeSliceLength(kiln::onnx::SliceOp op) {
  namespace ko = kiln::onnx;
  auto res = dyn_cast<RankedTensorType>(op.getType());
  auto data = dyn_cast<RankedTensorType>(op.getData().getType());
  if (!res || !res.hasStaticShape() || (data && data.hasStaticShape()))
    return false;
  if (!ko::isNone(op.getSteps())) {
    auto steps = ko::getConstantInts(op.getSteps());
    if (!steps || llvm::any_of(*steps, [](int64_t s) { return s != 1; }))
      return false;
  }
  int64_t rank = res.getRank();
  SmallVector<int64_t> axes;
  if (ko::isNone(op.getAxes())) {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  } else {
    auto a = ko::getConstantInts(op.getAxes());
    if (!a)
      return false;
    for (int64_t ax : *a) {
      auto n = ko::normalizeAxis(ax, rank);
      if (!n)
        return false;
      axes.push_back(*n);
    }
  }
  auto add = op.getEnds().getDefiningOp<ko::AddOp>();
  if (!add)
    return false;
  Value len = add.getA() == op.getStarts()   ? add.getB()
              : add.getB() == op.getStarts() ? add.getA()
                                             : Value();
  auto lenType = len ? dyn_cast<RankedTensorType>(len.getType()) : nullptr;
  if (!lenType || lenType.getRank() != 1 ||
      lenType.getDimSize(0) != (int64_t)axes.size() ||
      ko::getConstantInts(len) || len.getDefiningOp<ko::IdentityOp>())
    return false;
  auto intType = dyn_cast<IntegerType>(lenType.getElementType());
  if (!intType)
    return false;
  SmallVector<APInt> values;
  for (int64_t a : axes)
    values.push_back(APInt(intType.getWidth(), res.getDimSize(a),
                           /*isSigned=*/true));
  auto expected = DenseElementsAttr::get(lenType, values);
  Location loc = op.getLoc();
  // The constant right after `len` (it replaces uses anywhere `len` is
  // visible, also in other regions), the check right before the Add.
  OpBuilder b(op->getContext());
  if (Operation *def = len.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(cast<BlockArgument>(len).getOwner());
  Value cst = ko::createConstant(b, loc, expected).getResult();
  b.setInsertionPoint(add);
  auto check = ko::IdentityOp::create(b, loc, lenType, len);
  check->setAttr("kiln.expected_value", expected);
  std::string what = "Slice";
  if (auto name = dyn_cast<NameLoc>(loc))
    what += " node '" + name.getName().str() + "'";
  check->setAttr("kiln.expected_message",
                 b.getStringAttr(what + ": ends - starts must be the static "
                                        "result shape"));
  len.replaceUsesWithIf(cst, [&](OpOperand &use) {
    return use.getOwner() != add.getOperation() &&
           use.getOwner() != check.getOperation();
  });
  add->replaceUsesOfWith(len, check.getResult());
  return true;
}

struct ShapeInferencePass
    : kiln::impl::ShapeInferencePassBase<ShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Types only ever get more precise, so this terminates; the bound guards
    // against a bug turning into a hang.
    for (int iter = 0; iter < 64; ++iter) {
      bool changed = false;
      bool failedAny = false;
      func.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (op->getDialect() == nullptr ||
            !isa<kiln::onnx::ONNXDialect>(op->getDialect()))
          return WalkResult::advance();
        SmallVector<Type> before(op->getResultTypes());
        if (failed(kiln::onnx::inferShapes(op))) {
          failedAny = true;
          return WalkResult::interrupt();
        }
        if (!llvm::equal(before, op->getResultTypes()))
          changed = true;
        if (!isa<kiln::onnx::ConstantOp, kiln::onnx::NoneOp>(op) &&
            foldOp(op)) {
          changed = true;
          return WalkResult::skip();
        }
        return WalkResult::advance();
      });
      if (failedAny)
        return signalPassFailure();
      // Backwards: declared result types (graph outputs) refine the values
      // computing them, last op first.
      SmallVector<Operation *> ops;
      func.walk([&](Operation *op) {
        if (isa_and_nonnull<kiln::onnx::ONNXDialect>(op->getDialect()))
          ops.push_back(op);
      });
      for (Operation *op : llvm::reverse(ops))
        changed |= kiln::onnx::refineOperandShapes(op);
      // Run-time lengths a static slice needs (last resort).
      if (!changed)
        for (Operation *op : ops)
          if (auto slice = dyn_cast<kiln::onnx::SliceOp>(op))
            changed |= assumeSliceLength(slice);
      if (!changed)
        break;
    }
    // The function returns what its body computes.
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    auto type = func.getFunctionType();
    func.setType(FunctionType::get(&getContext(), type.getInputs(),
                                   ret.getOperandTypes()));
  }
};
} // namespace
