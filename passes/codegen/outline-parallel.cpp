//===- outline-parallel.cpp - kiln-outline-parallel -----------------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#define DEBUG_TYPE "kiln-outline-parallel"

namespace kiln {
#define GEN_PASS_DEF_OUTLINEPARALLELPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Collects what the body of `forall` needs from outside: root values
/// (function arguments) passed to the outlined function, and pure ops to
/// re-create inside it, in dependency order. Fails if a captured value
/// depends on an op that cannot be re-created (it would need to cross the
/// thread boundary by value).
LogicalResult collectCaptures(scf::ForallOp forall, SetVector<Value> &roots,
                              SetVector<Operation *> &clones) {
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(forall.getRegion(), captured);
  SmallVector<Value> work(captured.begin(), captured.end());
  std::function<LogicalResult(Value)> visit = [&](Value v) -> LogicalResult {
    if (isa<BlockArgument>(v)) {
      roots.insert(v);
      return success();
    }
    Operation *def = v.getDefiningOp();
    if (clones.contains(def))
      return success();
    if (!isPure(def) || def->getNumRegions() != 0)
      return failure();
    for (Value operand : def->getOperands())
      if (failed(visit(operand)))
        return failure();
    clones.insert(def); // after its operands: dependency order
    return success();
  };
  for (Value v : work)
    if (failed(visit(v)))
      return failure();
  return success();
}

/// True when the forall runs from 0 with step 1 over static bounds.
bool isNormalized(scf::ForallOp forall, SmallVectorImpl<int64_t> &bounds) {
  for (auto [lb, ub, step] :
       llvm::zip(forall.getMixedLowerBound(), forall.getMixedUpperBound(),
                 forall.getMixedStep())) {
    auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
         s = getConstantIntValue(step);
    if (!l || !u || !s || *l != 0 || *s != 1)
      return false;
    bounds.push_back(*u);
  }
  return forall.getOutputs().empty();
}

struct OutlineParallelPass
    : kiln::impl::OutlineParallelPassBase<OutlineParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    int counter = 0;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isPrivate() || func.isExternal())
        continue;
      // The runtime context: a trailing pointer argument.
      unsigned rtIndex = func.getNumArguments();
      if (failed(func.insertArgument(rtIndex, ptrType, DictionaryAttr::get(ctx),
                                     func.getLoc())))
        return signalPassFailure();
      func.setArgAttr(rtIndex, "kiln.runtime", UnitAttr::get(ctx));
      Value rt = func.getArgument(rtIndex);

      SmallVector<scf::ForallOp> foralls;
      for (Operation &op : func.getBody().front())
        if (auto f = dyn_cast<scf::ForallOp>(op))
          foralls.push_back(f);
      for (scf::ForallOp forall : foralls) {
        SmallVector<int64_t> bounds;
        SetVector<Value> roots;
        SetVector<Operation *> clones;
        if (!isNormalized(forall, bounds) ||
            failed(collectCaptures(forall, roots, clones)))
          continue; // stays a sequential loop (scf-forall-to-for)
        int64_t count = 1;
        for (int64_t b : bounds)
          count *= b;
        if (count <= 1)
          continue;
        if (llvm::is_contained(roots, rt))
          continue;
        std::string name = "kiln_par_" + std::to_string(counter);
        std::string dispatch = "kiln_dispatch_" + std::to_string(counter);
        ++counter;

        // func.func private @kiln_par_N(%iv: index, %roots...)
        SmallVector<Type> argTypes{IndexType::get(ctx)};
        for (Value r : roots)
          argTypes.push_back(r.getType());
        OpBuilder mb(module.getBodyRegion());
        mb.setInsertionPointToEnd(module.getBody());
        auto body = func::FuncOp::create(mb, forall.getLoc(), name,
                                         FunctionType::get(ctx, argTypes, {}));
        body.setPrivate();
        Block *entry = body.addEntryBlock();
        OpBuilder b = OpBuilder::atBlockBegin(entry);
        IRMapping map;
        for (auto [i, r] : llvm::enumerate(roots))
          map.map(r, entry->getArgument(i + 1));
        for (Operation *op : clones)
          b.clone(*op, map);
        // Delinearize the flat iteration index into the forall's ivs.
        Value iv = entry->getArgument(0);
        SmallVector<Value> ivs;
        if (bounds.size() == 1) {
          ivs.push_back(iv);
        } else {
          auto delin = affine::AffineDelinearizeIndexOp::create(
              b, forall.getLoc(), iv, bounds, /*hasOuterBound=*/true);
          ivs.assign(delin.getResults().begin(), delin.getResults().end());
        }
        for (auto [from, to] : llvm::zip(forall.getInductionVars(), ivs))
          map.map(from, to);
        for (Operation &op : forall.getBody()->without_terminator())
          b.clone(op, map);
        func::ReturnOp::create(b, forall.getLoc());

        // func.func private @kiln_dispatch_N(!llvm.ptr, index, roots...)
        SmallVector<Type> dispatchTypes{ptrType, IndexType::get(ctx)};
        for (Value r : roots)
          dispatchTypes.push_back(r.getType());
        auto decl =
            func::FuncOp::create(mb, forall.getLoc(), dispatch,
                                 FunctionType::get(ctx, dispatchTypes, {}));
        decl.setPrivate();
        decl->setAttr("kiln.parallel_body", FlatSymbolRefAttr::get(body));

        OpBuilder cb(forall);
        SmallVector<Value> args{
            rt, arith::ConstantIndexOp::create(cb, forall.getLoc(), count)};
        args.append(roots.begin(), roots.end());
        func::CallOp::create(cb, forall.getLoc(), decl, args);
        forall.erase();
      }
    }
  }
};
} // namespace
