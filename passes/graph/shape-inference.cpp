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
