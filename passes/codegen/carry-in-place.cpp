//===- carry-in-place.cpp - kiln-carry-in-place ---------------------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

#define DEBUG_TYPE "kiln-carry-in-place"

namespace kiln {
#define GEN_PASS_DEF_CARRYINPLACEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
/// Whether `v` is written into `arg`: following destinations (DPS inits,
/// insert_slice and transfer_write destinations, loop inits) from `v` leads
/// back to `arg`.
bool writtenInto(Value v, BlockArgument arg) {
  while (v && v != arg) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return false;
    auto result = cast<OpResult>(v);
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(def)) {
      v = dps.getTiedOpOperand(result)->get();
    } else if (auto write = dyn_cast<vector::TransferWriteOp>(def)) {
      v = write.getBase();
    } else if (auto loop = dyn_cast<scf::ForOp>(def)) {
      v = loop.getInitArgs()[result.getResultNumber()];
    } else if (auto forall = dyn_cast<scf::ForallOp>(def)) {
      v = forall.getOutputs()[result.getResultNumber()];
    } else {
      return false;
    }
  }
  return v == arg;
}

/// The destination operand that `op` writes into, if any.
OpOperand *destination(Operation *op) {
  if (auto write = dyn_cast<vector::TransferWriteOp>(op))
    return &write.getBaseMutable();
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op))
    return &insert.getDestMutable();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    if (dps.getNumDpsInits() == 1 &&
        isa<RankedTensorType>(dps.getDpsInitOperand(0)->get().getType()))
      return dps.getDpsInitOperand(0);
  return nullptr;
}

/// A tensor defined outside `loop` and written inside it, in place, is a
/// buffer that the next iteration reads again: give each iteration its own
/// (a new tensor.empty, or a copy when the contents are read).
void privatizeOutsideDestinations(Region &body) {
  body.walk([&](Operation *op) {
    OpOperand *dest = destination(op);
    if (!dest || !isa<RankedTensorType>(dest->get().getType()) ||
        body.isAncestor(dest->get().getParentRegion()))
      return;
    OpBuilder b(op);
    if (auto empty = dest->get().getDefiningOp<tensor::EmptyOp>()) {
      dest->set(b.clone(*empty)->getResult(0));
      return;
    }
    auto copy = bufferization::AllocTensorOp::create(
        b, op->getLoc(), cast<RankedTensorType>(dest->get().getType()),
        ValueRange{}, /*copy=*/dest->get());
    dest->set(copy.getResult());
  });
}

struct CarryInPlacePass : kiln::impl::CarryInPlacePassBase<CarryInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([](scf::ForOp loop) {
      privatizeOutsideDestinations(loop.getRegion());
    });
    getOperation().walk([](scf::WhileOp loop) {
      privatizeOutsideDestinations(loop.getAfter());
    });
    getOperation().walk([](scf::ForOp loop) {
      auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
      OpBuilder b(yield);
      for (auto [i, operand] : llvm::enumerate(yield->getOpOperands())) {
        BlockArgument arg = loop.getRegionIterArg(i);
        if (!isa<RankedTensorType>(arg.getType()) ||
            writtenInto(operand.get(), arg))
          continue;
        auto copy = bufferization::MaterializeInDestinationOp::create(
            b, yield.getLoc(), operand.get(), arg);
        operand.set(copy.getResult());
      }
    });
    // scf.while: the value yielded for "before" argument i goes into the
    // "after" argument that the condition forwards argument i to.
    getOperation().walk([](scf::WhileOp loop) {
      scf::ConditionOp cond = loop.getConditionOp();
      scf::YieldOp yield = loop.getYieldOp();
      OpBuilder b(yield);
      for (auto [i, operand] : llvm::enumerate(yield->getOpOperands())) {
        Value before = loop.getBeforeArguments()[i];
        auto it = llvm::find(cond.getArgs(), before);
        if (!isa<RankedTensorType>(before.getType()) ||
            it == cond.getArgs().end())
          continue;
        BlockArgument arg =
            loop.getAfterArguments()[it - cond.getArgs().begin()];
        if (writtenInto(operand.get(), arg))
          continue;
        auto copy = bufferization::MaterializeInDestinationOp::create(
            b, yield.getLoc(), operand.get(), arg);
        operand.set(copy.getResult());
      }
    });
  }
};
} // namespace
