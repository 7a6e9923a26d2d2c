//===- MemoryPlan.cpp - static workspace planning -------------------------===//
#include "passes/codegen/MemoryPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace kiln {

int64_t placeBuffers(MutableArrayRef<PlannedBuffer> buffers,
                     int64_t alignment) {
  SmallVector<PlannedBuffer *> order;
  for (PlannedBuffer &b : buffers)
    order.push_back(&b);
  llvm::stable_sort(order, [](PlannedBuffer *a, PlannedBuffer *b) {
    return a->size > b->size;
  });
  int64_t total = 0;
  SmallVector<PlannedBuffer *> placed;
  for (PlannedBuffer *buf : order) {
    int64_t size = llvm::alignTo(std::max<int64_t>(buf->size, 1), alignment);
    // Intervals taken by live-overlapping buffers, sorted by offset.
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (PlannedBuffer *p : placed)
      if (p->firstUse <= buf->lastUse && buf->firstUse <= p->lastUse)
        taken.push_back(
            {p->offset, p->offset + llvm::alignTo(std::max<int64_t>(p->size, 1),
                                                  alignment)});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [lo, hi] : taken) {
      if (offset + size <= lo)
        break;
      offset = std::max(offset, hi);
    }
    buf->offset = offset;
    total = std::max(total, offset + size);
    placed.push_back(buf);
  }
  return total;
}

namespace {
/// The op of `block` that contains `op` (or null).
Operation *ancestorIn(Block *block, Operation *op) {
  return block->findAncestorOpInBlock(*op);
}

/// Last position in `block` at which `value` or a view of it is used.
void extendLiveness(Value value, Block *block,
                    const DenseMap<Operation *, int64_t> &position,
                    int64_t &last) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (Operation *top = ancestorIn(block, user))
      last = std::max(last, position.lookup(top));
    if (isa<ViewLikeOpInterface>(user) ||
        isa<memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp,
            memref::ReinterpretCastOp>(user))
      for (Value r : user->getResults())
        extendLiveness(r, block, position, last);
  }
}

int64_t byteSize(MemRefType type) {
  // index buffers are 64-bit on every target Kiln supports (the LLVM
  // lowering uses the data layout's index width, <= 64).
  int64_t bits =
      type.getElementType().isIndex() ? 64 : type.getElementTypeBitWidth();
  return type.getNumElements() * ((bits + 7) / 8);
}
} // namespace

LogicalResult planWorkspace(func::FuncOp func, int64_t alignment) {
  Block &entry = func.getBody().front();
  DenseMap<Operation *, int64_t> position;
  int64_t pos = 0;
  for (Operation &op : entry)
    position[&op] = pos++;

  SmallVector<memref::AllocOp> allocs;
  SmallVector<memref::AllocOp> nested;
  bool failedAny = false;
  func.walk([&](memref::AllocOp alloc) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
      alloc.emitError("kiln-plan-memory: buffer of type ")
          << type << " has no static size";
      failedAny = true;
      return;
    }
    if (alloc->getBlock() == &entry)
      allocs.push_back(alloc);
    else
      nested.push_back(alloc);
  });
  if (failedAny)
    return failure();

  // Deallocations are meaningless in an arena.
  func.walk([](memref::DeallocOp d) { d.erase(); });

  // Per-iteration temporaries inside loops live on the stack.
  for (memref::AllocOp alloc : nested) {
    OpBuilder b(alloc);
    auto alloca = memref::AllocaOp::create(b, alloc.getLoc(), alloc.getType(),
                                           alloc.getAlignmentAttr());
    alloc.replaceAllUsesWith(alloca.getResult());
    alloc.erase();
  }

  SmallVector<PlannedBuffer> buffers;
  for (memref::AllocOp alloc : allocs) {
    PlannedBuffer buf;
    buf.size = byteSize(alloc.getType());
    buf.firstUse = position.lookup(alloc);
    buf.lastUse = buf.firstUse;
    extendLiveness(alloc.getResult(), &entry, position, buf.lastUse);
    buffers.push_back(buf);
  }
  int64_t total = placeBuffers(buffers, alignment);

  MLIRContext *ctx = func.getContext();
  auto wsType = MemRefType::get({total}, IntegerType::get(ctx, 8));
  unsigned argIndex = func.getNumArguments();
  if (failed(func.insertArgument(argIndex, wsType, DictionaryAttr::get(ctx),
                                 func.getLoc())))
    return failure();
  func.setArgAttr(argIndex, "kiln.workspace", UnitAttr::get(ctx));
  Value ws = func.getArgument(argIndex);
  for (auto [alloc, buf] : llvm::zip(allocs, buffers)) {
    OpBuilder b(alloc);
    Value offset =
        arith::ConstantIndexOp::create(b, alloc.getLoc(), buf.offset);
    auto view = memref::ViewOp::create(b, alloc.getLoc(), alloc.getType(), ws,
                                       offset, ValueRange{});
    alloc.replaceAllUsesWith(view.getResult());
    alloc.erase();
  }
  func->setAttr("kiln.workspace_size",
                IntegerAttr::get(IntegerType::get(ctx, 64), total));
  return success();
}

} // namespace kiln
