//===- MemoryPlan.h - static workspace planning -----------------*- C++ -*-===//
#ifndef KILN_PASSES_CODEGEN_MEMORYPLAN_H
#define KILN_PASSES_CODEGEN_MEMORYPLAN_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {

/// One buffer of a plan: its byte size, live range (positions in the entry
/// block) and the offset the planner gave it.
struct PlannedBuffer {
  int64_t size = 0;
  int64_t firstUse = 0, lastUse = 0;
  int64_t offset = -1;
};

/// First-fit placement, largest buffers first: buffers whose live ranges
/// overlap never overlap in memory. Returns the arena size.
int64_t placeBuffers(llvm::MutableArrayRef<PlannedBuffer> buffers,
                     int64_t alignment);

/// Moves every static memref.alloc of `func` into one workspace arena that
/// becomes a new trailing `memref<Nxi8>` argument; sets
/// `kiln.workspace_size`. Allocations inside loops become stack allocas
/// (they are per-iteration tiles). Fails on dynamic allocations.
mlir::LogicalResult planWorkspace(mlir::func::FuncOp func, int64_t alignment);

} // namespace kiln

#endif // KILN_PASSES_CODEGEN_MEMORYPLAN_H
