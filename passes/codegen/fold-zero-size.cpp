//===- fold-zero-size.cpp - kiln-fold-zero-size ---------------------------===//
//
// Removes computations on tensors and buffers that have no elements: the
// tiling, vectorization and LLVM lowerings need none of them, and upstream's
// bare-pointer calling convention cannot lower a memref with a zero dim after
// its first (its strides are not static).
//
//===----------------------------------------------------------------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

#define DEBUG_TYPE "kiln-fold-zero-size"

namespace kiln {
#define GEN_PASS_DEF_FOLDZEROSIZEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

bool hasNoElements(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasRank() && shaped.hasStaticShape() &&
         shaped.getNumElements() == 0;
}

bool hasZeroTripLoop(linalg::LinalgOp op) {
  return llvm::is_contained(op.getStaticLoopRanges(), 0);
}

/// One rewrite of `op`; returns true if it changed the IR (`op` may be gone).
bool foldOp(Operation *op) {
  OpBuilder b(op);
  // A linalg op with a loop of trip count 0 does nothing: its results are
  // its inits (on tensors); on buffers it goes away.
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (hasZeroTripLoop(linalgOp)) {
      if (linalgOp.hasPureTensorSemantics()) {
        SmallVector<Value> inits;
        for (OpOperand &init : linalgOp.getDpsInitsMutable())
          inits.push_back(init.get());
        op->replaceAllUsesWith(inits);
        op->erase();
        return true;
      }
      if (linalgOp.hasPureBufferSemantics()) {
        op->erase();
        return true;
      }
    }
  }
  // Copies of nothing.
  if (auto copy = dyn_cast<memref::CopyOp>(op)) {
    if (hasNoElements(copy.getSource().getType()) ||
        hasNoElements(copy.getTarget().getType())) {
      op->erase();
      return true;
    }
    return false;
  }
  if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
    if (hasNoElements(dealloc.getMemref().getType())) {
      op->erase();
      return true;
    }
    return false;
  }
  if (op->getNumResults() == 0 ||
      !llvm::all_of(op->getResultTypes(), hasNoElements))
    return false;
  // Unused buffers (and views) of nothing.
  if (isOpTriviallyDead(op)) {
    op->erase();
    return true;
  }
  // A side-effect free op producing only tensors of nothing: tensor.empty.
  if (isa<tensor::EmptyOp>(op) || !isMemoryEffectFree(op) ||
      !llvm::all_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>))
    return false;
  SmallVector<Value> empties;
  for (Type t : op->getResultTypes()) {
    auto type = cast<RankedTensorType>(t);
    empties.push_back(tensor::EmptyOp::create(b, op->getLoc(), type.getShape(),
                                              type.getElementType(),
                                              type.getEncoding()));
  }
  op->replaceAllUsesWith(empties);
  op->erase();
  return true;
}

struct FoldZeroSizePass : kiln::impl::FoldZeroSizePassBase<FoldZeroSizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<Operation *> ops;
      func.walk([&](Operation *op) {
        if (op != func.getOperation())
          ops.push_back(op);
      });
      // Users first, so that producers become dead in the same sweep.
      DenseSet<Operation *> erased;
      for (Operation *op : llvm::reverse(ops)) {
        if (erased.contains(op))
          continue;
        // Ops nested in `op` come after it in this order: when `op` goes,
        // they go with it.
        SmallVector<Operation *> nested;
        op->walk([&](Operation *n) { nested.push_back(n); });
        if (foldOp(op)) {
          changed = true;
          erased.insert(nested.begin(), nested.end());
        }
      }
    }
    // Returned tensors of nothing: one allocation each (CSE would merge
    // their tensor.empty ops, and buffer-results-to-out-params cannot hoist
    // one buffer returned twice).
    func.walk([&](func::ReturnOp ret) {
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<RankedTensorType>(operand.get().getType());
        auto alloc =
            operand.get().getDefiningOp<bufferization::AllocTensorOp>();
        if (!type || !hasNoElements(type) || (alloc && alloc->hasOneUse()))
          continue;
        OpBuilder b(ret);
        operand.set(bufferization::AllocTensorOp::create(b, ret.getLoc(), type,
                                                         ValueRange{}));
      }
    });
    // Buffer arguments of nothing that nothing uses any more get a type the
    // bare-pointer calling convention can lower (memref<2x0x4xf32> cannot).
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    SmallVector<Type> inputs(func.getArgumentTypes());
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || !hasNoElements(type) || !arg.use_empty() ||
          type.getRank() == 1)
        continue;
      auto flat =
          MemRefType::get({0}, type.getElementType(),
                          MemRefLayoutAttrInterface(), type.getMemorySpace());
      arg.setType(flat);
      inputs[arg.getArgNumber()] = flat;
    }
    func.setType(
        FunctionType::get(&getContext(), inputs, func.getResultTypes()));
  }
};
} // namespace
