//===- tile-and-distribute.cpp - kiln-tile-and-distribute -----------------===//
#include "passes/codegen/PackedMatmul.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/RegisterTiles.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
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

/// The matmul whose result `v` expands (tensor.expand_shape, both used
/// once): a conv-as-matmul's [F, OH*OW] seen as (1, F, OH, OW).
linalg::MatmulOp expandedMatmul(Value v) {
  auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || !expand->hasOneUse() || !expand.getSrc().hasOneUse())
    return {};
  return expand.getSrc().getDefiningOp<linalg::MatmulOp>();
}

/// The linalg producers that fuse into `root`'s loop: transitively, those
/// whose results all feed (once, directly or through a collapse_shape read
/// only there) an op of the group; with `throughExpand`,
/// also a matmul whose result the root reads expanded.
llvm::SmallPtrSet<Operation *, 8> fusionGroup(linalg::LinalgOp root,
                                              bool throughExpand = false) {
  llvm::SmallPtrSet<Operation *, 8> group;
  SmallVector<Operation *> worklist = {root};
  if (throughExpand)
    for (Value operand : root->getOperands())
      if (linalg::MatmulOp mm = expandedMatmul(operand)) {
        group.insert(mm);
        worklist.push_back(mm);
      }
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    for (Value operand : op->getOperands()) {
      // Through a reshape read only here (a conv's im2col [C, KH, KW, OH,
      // OW] seen as the matmul's [C*KH*KW, OH*OW]): the bubble-up cleanup
      // patterns move a tile's slice onto the producer when the slice is
      // whole rows of it.
      if (auto collapse = operand.getDefiningOp<tensor::CollapseShapeOp>();
          collapse && collapse->hasOneUse() && collapse.getSrc().hasOneUse())
        operand = collapse.getSrc();
      auto producer = operand.getDefiningOp<linalg::LinalgOp>();
      if (!producer || group.contains(producer) ||
          !producer.hasPureTensorSemantics() ||
          producer->getParentOfType<scf::ForallOp>())
        continue;
      bool single = llvm::all_of(producer->getResults(), [&](Value r) {
        if (!r.hasOneUse())
          return false;
        Operation *user = *r.getUsers().begin();
        if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(user))
          user =
              collapse->hasOneUse() ? *collapse->getUsers().begin() : nullptr;
        return user == op;
      });
      if (!single)
        continue;
      group.insert(producer);
      worklist.push_back(producer);
    }
  }
  return group;
}

/// Largest left-hand side (bytes) that stays in L2 while a tile's panels
/// stream past it.
constexpr int64_t kLhsInCacheBytes = int64_t(1) << 20;

/// Least panels per tile for a matmul whose left-hand side exceeds
/// kLhsInCacheBytes.
constexpr int64_t kMinDeepPanels = 6;

/// The matmul of `root`'s group (`root` itself first) that satisfies
/// `pred`, when the root writes its result unchanged in shape (the matmul
/// itself, or its elementwise epilogue); null otherwise.
Operation *epilogueMatmul(linalg::LinalgOp root,
                          const llvm::SmallPtrSet<Operation *, 8> &group,
                          llvm::function_ref<bool(Operation *)> pred) {
  if (root.getNumDpsInits() != 1 || root.getNumLoops() < 2)
    return nullptr;
  Operation *matmul = pred(root) ? root.getOperation() : nullptr;
  for (Operation *op : group)
    if (!matmul && pred(op))
      matmul = op;
  if (!matmul)
    return nullptr;
  // The root's loops are the result's dims (an epilogue) or (m, n, k).
  OpOperand *init = root.getDpsInitOperand(0);
  if (matmul != root.getOperation() &&
      (!root.getMatchingIndexingMap(init).isIdentity() ||
       init->get().getType() != matmul->getResult(0).getType()))
    return nullptr;
  return matmul;
}

/// At most `tiles` column tiles of `matmul`'s `n` columns, fewer when its
/// left-hand side is deep. Every tile streams all of the left-hand side
/// past its columns. When that is larger than L2 (a deep conv on a small
/// image: a big weight, few output columns), a tile needs several panels
/// to pay for it: one panel per tile reads a 2 MB weight from L3 for every
/// 16 columns (~20% slower on ResNet-50's 14x14 convs than 6 panels per
/// tile).
int64_t columnTileBound(Operation *matmul, int64_t tiles, int64_t n,
                        int64_t panel) {
  auto lhsTy = cast<ShapedType>(matmul->getOperand(0).getType());
  if (lhsTy.getNumElements() * 4 > kLhsInCacheBytes)
    tiles = std::min(tiles, std::max<int64_t>(2, n / panel / kMinDeepPanels));
  return tiles;
}

/// For a group around a matmul that kiln-vectorize packs, whose result the root
/// writes unchanged in shape (the matmul itself, or its elementwise epilogue):
/// the number of tiles along the columns (root dim 1) that keeps every
/// tile whole panels of `panel` columns; 0 when there is none.
int64_t panelTiles(linalg::LinalgOp root,
                   const llvm::SmallPtrSet<Operation *, 8> &group,
                   int64_t tiles, int64_t panel) {
  if (panel <= 0)
    return 0;
  Operation *matmul = epilogueMatmul(root, group, kiln::isPackableMatmul);
  if (!matmul)
    return 0;
  int64_t n = cast<ShapedType>(matmul->getResult(0).getType()).getDimSize(1);
  tiles = columnTileBound(matmul, tiles, n, panel);
  for (int64_t t = std::min(tiles, n / panel); t >= 2; --t)
    if (n % t == 0 && (n / t) % panel == 0)
      return t;
  return 0;
}

/// The output rows (OH, OW) a matmul's right-hand side is read from, when
/// it is a collapse_shape [..., [OH, OW]] of a linalg op read only there (a
/// conv's im2col [C, KH, KW, OH, OW], or the activation [1, C, H, W] a 1x1
/// conv reads): such a producer fuses into the matmul's column tiles when
/// each tile is whole rows, and is then neither split off at panel
/// boundaries nor packed (kiln-vectorize: computed in the tile).
std::optional<std::pair<int64_t, int64_t>> fusableImageRows(Operation *op) {
  auto mm = dyn_cast<linalg::MatmulOp>(op);
  if (!mm)
    return std::nullopt;
  auto collapse =
      mm.getDpsInputOperand(1)->get().getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || !collapse->hasOneUse() || !collapse.getSrc().hasOneUse() ||
      !collapse.getSrc().getDefiningOp<linalg::LinalgOp>() ||
      !collapse.getSrcType().hasStaticShape())
    return std::nullopt;
  SmallVector<ReassociationIndices> re = collapse.getReassociationIndices();
  if (re.size() != 2 || re[1].size() != 2)
    return std::nullopt;
  return std::pair{collapse.getSrcType().getDimSize(re[1][0]),
                   collapse.getSrcType().getDimSize(re[1][1])};
}

/// For a matmul with fusable image rows: the number of column tiles of
/// whole output rows, at most `tiles` (fewer for a deep left-hand side, as
/// in panelTiles), each a multiple of half a panel wide (one vector: a tile
/// of 56 columns is a 32-column register tile and a 24-column one, which
/// is shuffles, ~15x slower); 0 when there is none (14x14 images).
int64_t imageRowTileCount(Operation *matmul, int64_t tiles, int64_t panel) {
  std::optional<std::pair<int64_t, int64_t>> rows = fusableImageRows(matmul);
  if (!rows || panel < 2 || !kiln::isPackableMatmul(matmul))
    return 0;
  auto [oh, ow] = *rows;
  tiles = columnTileBound(matmul, tiles, oh * ow, panel);
  for (int64_t t = std::min(tiles, oh); t >= 2; --t)
    if (oh % t == 0 && (oh / t * ow) % (panel / 2) == 0)
      return t;
  return 0;
}

/// For a group around a matmul with image row tiles (imageRowTileCount)
/// whose result the root writes unchanged in shape: that tile count; 0
/// otherwise.
int64_t imageRowTiles(linalg::LinalgOp root,
                      const llvm::SmallPtrSet<Operation *, 8> &group,
                      int64_t tiles, int64_t panel) {
  Operation *matmul = epilogueMatmul(root, group, [](Operation *op) {
    return fusableImageRows(op).has_value();
  });
  return matmul ? imageRowTileCount(matmul, tiles, panel) : 0;
}

/// For an elementwise root on (1, F, OH, OW) that reads a matmul's
/// [F, OH*OW] result expanded (a conv's activation written into the next
/// conv's padded input): the number of tiles along OH, at most `tiles`,
/// whose columns (rows x OW) are whole panels; 0 when there is none.
int64_t expandedMatmulRowTiles(linalg::LinalgOp root, int64_t tiles,
                               int64_t panel) {
  if (panel <= 0 || root.getNumLoops() != 4 ||
      root.getNumReductionLoops() != 0 || root.getNumDpsInits() != 1 ||
      !root.getMatchingIndexingMap(root.getDpsInitOperand(0)).isIdentity())
    return 0;
  bool reads = false, imageRows = false;
  for (OpOperand *in : root.getDpsInputOperands()) {
    linalg::MatmulOp mm = expandedMatmul(in->get());
    if (mm && root.getMatchingIndexingMap(in).isIdentity() &&
        kiln::isPackableMatmul(mm)) {
      reads = true;
      imageRows |= imageRowTileCount(mm, tiles, panel) > 0;
    }
  }
  SmallVector<int64_t> r = root.getStaticLoopRanges();
  if (!reads || r[0] != 1)
    return 0;
  // Whole panels, or whole vectors when the matmul's right-hand side is
  // computed in the tile.
  int64_t unit = imageRows ? panel / 2 : panel;
  for (int64_t t = std::min(tiles, r[2]); t >= 2; --t)
    if (r[2] % t == 0 && (r[2] / t * r[3]) % unit == 0)
      return t;
  return 0;
}

/// A static slice of a collapse_shape whose every collapsed dim is either
/// taken whole or, for the slice along a group's outermost source dim
/// only, in whole runs of the inner dims (columns [224, 448) of an im2col's
/// [C*KH*KW, OH*OW] with OW = 56: output rows 4 to 8): the collapse of a
/// slice of the source, so that tiling fuses the source's producer.
struct BubbleSliceAboveCollapse : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    auto collapse = slice.getSource().getDefiningOp<tensor::CollapseShapeOp>();
    if (!collapse || !slice.hasUnitStride() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank() ||
        !collapse.getSrcType().hasStaticShape())
      return failure();
    ArrayRef<int64_t> src = collapse.getSrcType().getShape();
    SmallVector<OpFoldResult> offsets, sizes;
    Location loc = slice.getLoc();
    for (auto [i, group] :
         llvm::enumerate(collapse.getReassociationIndices())) {
      OpFoldResult off = slice.getMixedOffsets()[i];
      int64_t size = slice.getResultType().getDimSize(i);
      int64_t whole = collapse.getResultType().getDimSize(i);
      if (size == whole && getConstantIntValue(off) == 0) {
        for (int64_t d : group) {
          offsets.push_back(rewriter.getIndexAttr(0));
          sizes.push_back(rewriter.getIndexAttr(src[d]));
        }
        continue;
      }
      // Whole runs of the inner dims: the outer dim is sliced by size /
      // inner from offset / inner.
      int64_t inner = 1;
      for (int64_t d : ArrayRef<int64_t>(group).drop_front())
        inner *= src[d];
      if (ShapedType::isDynamic(size) || size % inner != 0)
        return failure();
      OpFoldResult outerOff;
      if (std::optional<int64_t> c = getConstantIntValue(off)) {
        if (*c % inner != 0)
          return failure();
        outerOff = rewriter.getIndexAttr(*c / inner);
      } else {
        auto apply = cast<Value>(off).getDefiningOp<affine::AffineApplyOp>();
        if (!apply || apply.getAffineMap().getNumResults() != 1 ||
            !apply.getAffineMap().getResult(0).isMultipleOf(inner))
          return failure();
        AffineExpr d0 = rewriter.getAffineDimExpr(0);
        outerOff = affine::AffineApplyOp::create(
                       rewriter, loc, AffineMap::get(1, 0, d0.floorDiv(inner)),
                       ValueRange{cast<Value>(off)})
                       .getResult();
      }
      offsets.push_back(outerOff);
      sizes.push_back(rewriter.getIndexAttr(size / inner));
      for (int64_t d : ArrayRef<int64_t>(group).drop_front()) {
        offsets.push_back(rewriter.getIndexAttr(0));
        sizes.push_back(rewriter.getIndexAttr(src[d]));
      }
    }
    SmallVector<OpFoldResult> strides(src.size(), rewriter.getIndexAttr(1));
    Value inner = tensor::ExtractSliceOp::create(
        rewriter, loc, collapse.getSrc(), offsets, sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        slice, slice.getResultType(), inner,
        collapse.getReassociationIndices());
    return success();
  }
};

/// Marks the members of the fusion group being tiled.
constexpr llvm::StringLiteral kMemberAttr = "kiln.group_member";

/// The number of a loop the pass built.
constexpr llvm::StringLiteral kLoopIdAttr = "kiln.loop";

/// A static tensor.pad with a constant value as linalg ops the loop below
/// tiles: a fill of the padded tensor (one memset), and a copy of the source
/// into its interior, or the source's single-use elementwise producer
/// writing the interior itself (both in place). Left as it is, a pad
/// bufferizes to one serial copy in the model's main function (8% of
/// MobileNetV2).
void decomposePad(RewriterBase &rewriter, tensor::PadOp pad) {
  Value value = pad.getConstantPaddingValue();
  RankedTensorType type = pad.getResultType();
  if (!value || !type.hasStaticShape() ||
      !pad.getSourceType().hasStaticShape() || pad.getNofold())
    return;
  Location loc = pad.getLoc();
  rewriter.setInsertionPoint(pad);
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  auto fill = linalg::FillOp::create(rewriter, loc, value, empty);
  fill->setAttr(kiln::kMemsetAttr, rewriter.getUnitAttr());
  Value filled = fill.getResult(0);
  SmallVector<OpFoldResult> offsets = pad.getMixedLowPad();
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, pad.getSource());
  SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
  Value interior = tensor::ExtractSliceOp::create(
      rewriter, loc, pad.getSourceType(), filled, offsets, sizes, strides);
  // An elementwise producer used only here writes the interior itself
  // (instead of a tile temporary that a copy then moves).
  Value copied;
  auto producer = pad.getSource().getDefiningOp<linalg::GenericOp>();
  if (producer && producer->hasOneUse() && producer.getNumDpsInits() == 1 &&
      producer.getNumReductionLoops() == 0 &&
      producer.getMatchingIndexingMap(producer.getDpsInitOperand(0))
          .isIdentity() &&
      !producer.payloadUsesValueFromOperand(producer.getDpsInitOperand(0))) {
    rewriter.modifyOpInPlace(
        producer, [&] { producer.getDpsInitOperand(0)->set(interior); });
    // The producer now comes after the fill it writes into.
    rewriter.moveOpAfter(producer, interior.getDefiningOp());
    copied = producer.getResult(0);
  } else {
    copied = linalg::CopyOp::create(rewriter, loc, pad.getSource(), interior)
                 .getResult(0);
  }
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, copied, filled,
                                                     offsets, sizes, strides);
}

/// Erases `op` when nothing but unused slices of its result (left by tile
/// and fuse) or the unused reshape a matmul was fused through read it; the
/// erased op goes into `erased`. Returns whether it was erased.
bool eraseIfDead(RewriterBase &rewriter, Operation *op,
                 llvm::DenseSet<Operation *> &erased) {
  for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
            tensor::ExtractSliceOp>(user) &&
        user->use_empty())
      rewriter.eraseOp(user);
  if (!op->use_empty())
    return false;
  erased.insert(op);
  rewriter.eraseOp(op);
  return true;
}

struct TileAndDistributePass
    : kiln::impl::TileAndDistributePassBase<TileAndDistributePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    // Packable matmuls: whole panels apart from the remaining columns.
    SmallVector<linalg::MatmulOp> matmuls;
    func.walk([&](linalg::MatmulOp op) {
      if (!op->getParentOfType<scf::ForallOp>())
        matmuls.push_back(op);
    });
    for (linalg::MatmulOp op : matmuls)
      if (!imageRowTileCount(op, tiles, panelWidth))
        (void)kiln::splitPanelRemainder(rewriter, op, panelWidth, tiles);
    SmallVector<tensor::PadOp> pads;
    func.walk([&](tensor::PadOp op) {
      if (!op->getParentOfType<scf::ForallOp>())
        pads.push_back(op);
    });
    for (tensor::PadOp op : pads)
      decomposePad(rewriter, op);

    SmallVector<linalg::LinalgOp> roots;
    func.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ForallOp>() || !op.hasPureTensorSemantics())
        return;
      if (isRoot(op))
        roots.push_back(op);
    });
    int64_t loopId = 0;
    // Last roots first, so producers are still untouched when their
    // consumers fuse them.
    // A group member that a tile needs whole (the left-hand side of a
    // matmul split by columns: an FFN's GELU feeding the next matmul) is not
    // fused; it becomes a root itself, next (it comes before the root).
    SmallVector<linalg::LinalgOp> worklist(roots.begin(), roots.end());
    // Ops erased after another root's loop fused them (a matmul fused
    // through a reshape was a root of its own).
    llvm::DenseSet<Operation *> erased;
    // Slices of a reshaped producer move above the reshape, onto the
    // producer, which then fuses.
    RewritePatternSet bubble(&getContext());
    tensor::populateBubbleUpExtractSliceOpPatterns(bubble);
    bubble.add<BubbleSliceAboveCollapse>(&getContext());
    FrozenRewritePatternSet bubbleUp(std::move(bubble));
    while (!worklist.empty()) {
      linalg::LinalgOp root = worklist.pop_back_val();
      if (erased.contains(root.getOperation()))
        continue;
      SmallVector<int64_t> ranges = root.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        continue;
      int64_t work = 1;
      for (int64_t r : ranges)
        work *= std::max<int64_t>(r, 1);
      if (work < minTileWork)
        continue;
      // The group is decided before tiling: while the loop is built, the
      // original root and the already fused producers still use their
      // operands, so use counts taken in the control function are off.
      // An activation on (1, F, OH, OW) of a matmul's [F, OH*OW] splits its
      // output rows and fuses the matmul through the reshape: each tile
      // computes whole panels of the matmul and applies the activation to
      // them in cache (into the next conv's padded input).
      int64_t rowTiles = expandedMatmulRowTiles(root, tiles, panelWidth);
      llvm::SmallPtrSet<Operation *, 8> group =
          fusionGroup(root, /*throughExpand=*/rowTiles > 0);
      // A packed matmul splits its columns in whole panels: every tile
      // packs (at run time) and reads its own panels once, for all rows.
      int64_t dim = -1;
      int64_t n = imageRowTiles(root, group, tiles, panelWidth);
      if (n <= 0)
        n = panelTiles(root, group, tiles, panelWidth);
      if (rowTiles > 0) {
        dim = 2;
        n = rowTiles;
      } else if (n > 0) {
        dim = 1;
      } else {
        // Split the outermost parallel dim that has room for several
        // tiles; a direct convolution its output rows (each tile reads a
        // band of input rows and the whole, small, weight -- not the whole
        // input for a few output channels).
        SmallVector<utils::IteratorType> iters = root.getIteratorTypesArray();
        // A packed matmul left without whole panels to split (one panel,
        // or the columns short of one) splits its rows or stays whole:
        // column tiles narrower than a panel read each row of the
        // right-hand side for a few floats of it.
        if (isa<linalg::Conv2DNchwFchwOp>(root.getOperation()) &&
            ranges[2] >= 2)
          dim = 2;
        else if (kiln::isPackableMatmul(root))
          dim = ranges[0] >= 2 ? 0 : -1;
        else
          for (auto [i, it] : llvm::enumerate(iters))
            if (it == utils::IteratorType::parallel && ranges[i] >= 2) {
              dim = i;
              break;
            }
        if (dim < 0)
          continue;
        n = std::min<int64_t>(tiles, ranges[dim]);
        // Prefer a count that divides the dim: every tile then has a
        // static shape (fusable, vectorizable).
        for (int64_t d = n; d >= std::max<int64_t>(1, n / 2); --d)
          if (ranges[dim] % d == 0) {
            n = d;
            break;
          }
      }
      SmallVector<OpFoldResult> numThreads(ranges.size(),
                                           rewriter.getIndexAttr(0));
      numThreads[dim] = rewriter.getIndexAttr(n);

      scf::SCFTilingOptions tiling;
      tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      tiling.setNumThreads(numThreads);
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tiling);
      options.cleanupPatterns = bubbleUp;
      options.setFusionControlFn(
          [&group](tensor::ExtractSliceOp slice, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            // Fuse single-use linalg producers; shared ones stay roots. A
            // tile that needs all of the producer would recompute it in
            // every iteration: leave that producer outside.
            if (!group.contains(producer.getOwner()) ||
                !slice.getResultType().hasStaticShape() ||
                slice.getResultType().getShape() ==
                    slice.getSourceType().getShape())
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });
      // Members are found again by this mark after tiling: the cleanup
      // patterns may erase some (a producer whose slices they moved), so
      // pointers to them cannot be kept.
      for (Operation *member : group)
        member->setAttr(kMemberAttr, rewriter.getUnitAttr());
      rewriter.setInsertionPoint(root);
      FailureOr<scf::SCFTileAndFuseResult> result =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(root.getOperation()), options);
      if (failed(result)) {
        for (Operation *member : group)
          member->removeAttr(kMemberAttr);
        continue; // leave it untiled: still correct, just sequential
      }
      // Each loop keeps its own number: CSE would otherwise make two loops
      // that compute the same thing (the zero fills or bias broadcasts
      // of two matmuls of one shape, the fills of two pads) one tensor,
      // which two ops then cannot both write in place -- bufferization
      // copies it, whole and serially, for each of them.
      for (LoopLikeOpInterface loop : result->loops)
        loop->setAttr(kLoopIdAttr, rewriter.getI64IntegerAttr(loopId));
      ++loopId;
      for (OpResult r : root->getResults())
        if (Value repl = result->replacements.lookup(r))
          rewriter.replaceAllUsesWith(r, repl);
      // A member of this group can also be a root still in the worklist (an
      // im2col read through a reshape).
      if (root->use_empty()) {
        erased.insert(root.getOperation());
        rewriter.eraseOp(root);
      }
      // Members still outside the loop (fused ones, now read only by unused
      // slices, and those left out), in block order; their clones in the
      // loop lose the mark.
      SmallVector<linalg::LinalgOp> left;
      func.walk([&](linalg::LinalgOp op) {
        if (!op->hasAttr(kMemberAttr))
          return;
        op->removeAttr(kMemberAttr);
        if (!op->getParentOfType<scf::ForallOp>())
          left.push_back(op);
      });
      // Consumers first: the slices tiling made of a fused op's result and
      // left unused keep it (and its own producers) alive. The new roots are
      // those read by something else than the members left (the others fuse
      // into them).
      llvm::SmallPtrSet<Operation *, 8> alive;
      SmallVector<linalg::LinalgOp> newRoots;
      for (linalg::LinalgOp op : llvm::reverse(left)) {
        if (eraseIfDead(rewriter, op, erased))
          continue;
        if (llvm::any_of(op->getUsers(), [&](Operation *user) {
              return !alive.contains(user);
            }))
          newRoots.insert(newRoots.begin(), op);
        alive.insert(op);
      }
      worklist.append(newRoots.begin(), newRoots.end());
    }
  }
};
} // namespace
