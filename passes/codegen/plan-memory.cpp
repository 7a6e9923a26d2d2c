//===- plan-memory.cpp - kiln-plan-memory ---------------------------------===//
//
// Thin pass over kiln::planWorkspace (MemoryPlan.h).
//
//===----------------------------------------------------------------------===//
#include "passes/codegen/MemoryPlan.h"
#include "passes/codegen/Passes.h"

#define DEBUG_TYPE "kiln-plan-memory"

namespace kiln {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct PlanMemoryPass : kiln::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using Base::Base;
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      if (failed(kiln::planWorkspace(func, alignment)))
        return signalPassFailure();
    }
  }
};
} // namespace
