//===- tile-and-distribute.cpp - kiln-tile-and-distribute -----------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

#define DEBUG_TYPE "kiln-tile-and-distribute"

namespace kiln {
#define GEN_PASS_DEF_TILEANDDISTRIBUTEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// A root ends a fusion group: a linalg op none of whose results feeds
/// another linalg op as its only consumer.
bool isRoot(linalg::LinalgOp op) {
  for (Value r : op->getResults())
    for (Operation *user : r.getUsers())
      if (!isa<linalg::LinalgOp>(user))
        return true;
  return op->getNumResults() > 0 &&
         llvm::any_of(op->getResults(), [](Value r) { return !r.hasOneUse(); });
}

struct TileAndDistributePass
    : kiln::impl::TileAndDistributePassBase<TileAndDistributePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<linalg::LinalgOp> roots;
    func.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ForallOp>() || !op.hasPureTensorSemantics())
        return;
      if (isRoot(op))
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    // Last roots first, so producers are still untouched when their
    // consumers fuse them.
    for (linalg::LinalgOp root : llvm::reverse(roots)) {
      SmallVector<int64_t> ranges = root.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        continue;
      int64_t work = 1;
      for (int64_t r : ranges)
        work *= std::max<int64_t>(r, 1);
      if (work < minTileWork)
        continue;
      // Split the outermost parallel dim that has room for several tiles.
      SmallVector<utils::IteratorType> iters = root.getIteratorTypesArray();
      int64_t dim = -1;
      for (auto [i, it] : llvm::enumerate(iters))
        if (it == utils::IteratorType::parallel && ranges[i] >= 2) {
          dim = i;
          break;
        }
      if (dim < 0)
        continue;
      int64_t n = std::min<int64_t>(tiles, ranges[dim]);
      SmallVector<OpFoldResult> numThreads(ranges.size(),
                                           rewriter.getIndexAttr(0));
      numThreads[dim] = rewriter.getIndexAttr(n);

      scf::SCFTilingOptions tiling;
      tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      tiling.setNumThreads(numThreads);
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tiling);
      options.setFusionControlFn(
          [](tensor::ExtractSliceOp, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            // Fuse single-use linalg producers; shared ones stay roots.
            if (!isa<linalg::LinalgOp>(producer.getOwner()) ||
                !producer.hasOneUse())
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });
      rewriter.setInsertionPoint(root);
      FailureOr<scf::SCFTileAndFuseResult> result =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(root.getOperation()), options);
      if (failed(result))
        continue; // leave it untiled: still correct, just sequential
      for (OpResult r : root->getResults())
        if (Value repl = result->replacements.lookup(r))
          rewriter.replaceAllUsesWith(r, repl);
      if (root->use_empty())
        rewriter.eraseOp(root);
      // Nearest producers come first: erasing them frees the farther ones.
      for (Operation *fused : result->fusedProducers)
        if (fused->use_empty())
          rewriter.eraseOp(fused);
    }
  }
};
} // namespace
