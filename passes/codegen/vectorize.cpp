//===- vectorize.cpp - kiln-vectorize -------------------------------------===//
#include "passes/codegen/PackedMatmul.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/RegisterTiles.h"

#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-vectorize"

namespace kiln {
#define GEN_PASS_DEF_VECTORIZEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

void addCanonicalization(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

struct VectorizePass : kiln::impl::VectorizePassBase<VectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    kiln::RegisterTiles tiles;
    tiles.vectorBits = vectorBits;
    tiles.matmulRows = matmulRows;
    tiles.matmulVectors = matmulVectors;

    IRRewriter rewriter(ctx);
    // 1. Matmuls: right-hand sides packed in panels, cache-blocked
    //    register tiles.
    // Slices of slices of a weight (a thread's columns of the whole-panel
    // part) become one slice of the weight.
    {
      RewritePatternSet patterns(ctx);
      tensor::populateMergeConsecutiveInsertExtractSlicePatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    SmallVector<linalg::MatmulOp> matmuls;
    func.walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    kiln::PackedConstants packed;
    for (linalg::MatmulOp op : matmuls) {
      FailureOr<linalg::GenericOp> generic =
          kiln::packMatmul(rewriter, op, tiles, packed);
      if (succeeded(generic))
        (void)kiln::tilePackedMatmul(rewriter, *generic, tiles);
    }

    // 2. Other register tiles (scf.for inside the thread tiles), peeled.
    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> work;
    func.walk([&](linalg::LinalgOp op) {
      SmallVector<int64_t> sizes = kiln::registerTileSizes(op, tiles);
      if (!sizes.empty())
        work.push_back({op, sizes});
    });
    for (auto &[op, sizes] : work)
      (void)kiln::tileToRegisters(rewriter, op, sizes);

    // 3. Static tile shapes; convolution tiles become contractions.
    {
      RewritePatternSet patterns(ctx);
      addCanonicalization(patterns);
      kiln::populateConvTileToContractionPatterns(patterns);
      kiln::populatePackedTileToMatmulPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 4. Vectorize, fold slices into transfers, keep accumulators in
    //    registers across reduction loops. The output slices of window
    //    tiles leave the window loops first: once vectorized, their reads
    //    fold into the loop's tensor and no longer pair with the writes.
    kiln::hoistAccumulators(rewriter, func);
    kiln::vectorizeRegisterTiles(rewriter, func);
    {
      RewritePatternSet patterns(ctx);
      addCanonicalization(patterns);
      tensor::populateFoldTensorSubsetOpPatterns(patterns);
      tensor::populateMergeConsecutiveInsertExtractSlicePatterns(patterns);
      kiln::populateUnrollToRowsPatterns(patterns);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    {
      DominanceInfo dom(func);
      eliminateCommonSubExpressions(rewriter, dom, func);
    }
    kiln::hoistAccumulators(rewriter, func);

    // 5. Vector-level lowering (contractions to FMAs, ...).
    {
      RewritePatternSet patterns(ctx);
      addCanonicalization(patterns);
      kiln::populateKilnVectorLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    func.walk([](Operation *op) {
      op->removeAttr(kiln::kRegisterTileAttr);
      op->removeAttr(kiln::kRegisterLoopAttr);
    });
  }
};
} // namespace
