//===- fuse-elementwise.cpp - kiln-fuse-elementwise -----------------------===//
//
// Upstream's elementwise fusion and reshape folding with a control function
// that keeps contractions and convolutions in their named form (see the
// pass description in Passes.td); transposes of constants are folded.
//
//===----------------------------------------------------------------------===//
#include "passes/codegen/ConstantData.h"
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "kiln-fuse-elementwise"

namespace kiln {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
/// Contractions and convolutions are the roots that kiln-vectorize turns
/// into register tiles; reshapes must not be folded into them.
bool isRoot(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || linalgOp.getNumReductionLoops() == 0)
    return false;
  return linalg::isaContractionOpInterface(linalgOp) ||
         linalg::isaConvolutionOpInterface(linalgOp);
}

/// Fuse/fold through `fusedOperand` only when its producer has no other use
/// and neither side of the fold is a root.
bool allowFusion(OpOperand *fusedOperand) {
  Operation *producer = fusedOperand->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  return !isRoot(producer) && !isRoot(fusedOperand->getOwner());
}

/// Collapse an elementwise consumer of a matmul's reshaped result (a conv's
/// activation or residual add on (1, F, OH, OW)) to the matmul's 2-D shape:
/// kiln-tile-and-distribute then tiles it with the matmul, which applies it
/// to each thread tile while it is in cache, instead of one more pass over
/// the whole output. A consumer that a tensor.pad reads stays as it is (it
/// writes the padded tensor's interior itself, a 4-D strided slice).
bool allowCollapseIntoMatmulShape(OpOperand *fusedOperand) {
  auto expand = fusedOperand->get().getDefiningOp<tensor::ExpandShapeOp>();
  auto generic = dyn_cast<linalg::GenericOp>(fusedOperand->getOwner());
  if (!expand || !generic || !expand->hasOneUse() ||
      !expand.getSrc().getDefiningOp<linalg::MatmulOp>() ||
      generic.getNumReductionLoops() != 0 ||
      !generic.getMatchingIndexingMap(fusedOperand).isIdentity())
    return false;
  return llvm::none_of(generic->getUsers(), [](Operation *user) {
    return isa<tensor::PadOp>(user);
  });
}

/// A linalg.transpose of a constant is the transposed constant (a Gemm's
/// transB on a weight): computed once here instead of in every run.
struct FoldConstantTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto cst = op.getInput().getDefiningOp<arith::ConstantOp>();
    auto inTy = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto outTy = dyn_cast<RankedTensorType>(op.getInit().getType());
    if (!cst || !inTy || !outTy || !inTy.hasStaticShape() ||
        !inTy.getElementType().isIntOrFloat() ||
        inTy.getElementType().getIntOrFloatBitWidth() % 8 != 0)
      return rewriter.notifyMatchFailure(op, "not a constant to transpose");
    Attribute value;
    if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
        dense && dense.isSplat()) {
      value = dense.resizeSplat(outTy);
    } else {
      ArrayRef<char> data =
          kiln::constantBytes(cst.getValue()).value_or(ArrayRef<char>());
      size_t elt = inTy.getElementType().getIntOrFloatBitWidth() / 8;
      int64_t count = inTy.getNumElements();
      if (data.size() != static_cast<size_t>(count) * elt)
        return rewriter.notifyMatchFailure(op, "constant data not in memory");
      AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
          data.size(), 64, /*dataIsMutable=*/true);
      char *dst = blob.getMutableData().data();
      ArrayRef<int64_t> perm = op.getPermutation();
      SmallVector<int64_t> inStrides = computeStrides(inTy.getShape());
      // out[i] = in[j], j's coordinates being i's permuted back.
      SmallVector<int64_t> outShape(outTy.getShape());
      SmallVector<int64_t> index(outShape.size(), 0);
      for (int64_t i = 0; i < count; ++i) {
        int64_t j = 0;
        for (auto [d, p] : llvm::enumerate(perm))
          j += index[d] * inStrides[p];
        std::memcpy(dst + i * elt, data.data() + j * elt, elt);
        for (int64_t d = outShape.size() - 1; d >= 0; --d) {
          if (++index[d] < outShape[d])
            break;
          index[d] = 0;
        }
      }
      value = DenseResourceElementsAttr::get(outTy, "kiln_transposed",
                                             std::move(blob));
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, outTy,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

struct FuseElementwisePass
    : kiln::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, allowFusion);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, allowFusion);
    linalg::populateConstantFoldLinalgOperations(patterns, allowFusion);
    patterns.add<FoldConstantTranspose>(ctx);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setUseTopDownTraversal(true))))
      return signalPassFailure();
    // Apart: folding reshapes by expansion (above) would undo it.
    RewritePatternSet collapsing(ctx);
    linalg::populateFoldReshapeOpsByCollapsingPatterns(
        collapsing, allowCollapseIntoMatmulShape);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(collapsing, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(collapsing, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(collapsing))))
      return signalPassFailure();
  }
};
} // namespace
