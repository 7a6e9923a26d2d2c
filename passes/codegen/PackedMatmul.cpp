//===- PackedMatmul.cpp - matmuls on weights packed at compile time -------===//
#include "passes/codegen/PackedMatmul.h"
#include "passes/codegen/ConstantData.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/TilingInterface.h"

#define DEBUG_TYPE "kiln-vectorize"

using namespace mlir;

namespace kiln {

namespace {

/// Rows of K per cache block: a panel block of kKBlock x nr floats stays in
/// L1 while every register tile of the thread's rows streams past it.
constexpr int64_t kKBlock = 256;

/// Panels of a one-row register tile.
constexpr int64_t kSingleRowPanels = 4;

/// Least depth (K) from which a right-hand side computed at run time is
/// packed: a shallower one's tile columns ([K, nr], a few KB) stay in L1
/// as they are, and packing them is a copy for nothing (MobileNetV2's
/// 16- to 32-channel expand convs on 112x112 to 28x28 images).
constexpr int64_t kMinDepthToPack = 64;

/// Largest right-hand side packed at run time: the panels are a temporary
/// of the thread's tile, which lives on the thread's stack.
constexpr int64_t kMaxRunTimePanelBytes = int64_t(1) << 20;

/// `v` is a constant or a unit-stride static slice of a 2-D constant, or
/// either of an N-D constant seen as [rows, cols] (its leading dims
/// collapsed: a conv weight transposed to [C, KH, KW, F] at compile time),
/// sliced only along the last dim.
struct ConstantSlice {
  arith::ConstantOp constant;
  int64_t rows, cols;
  SmallVector<OpFoldResult> offsets;
};

std::optional<ConstantSlice> constantSource(Value v) {
  Builder b(v.getContext());
  // [rows, cols] of a constant of type `t` whose leading dims collapse.
  auto matrix = [](RankedTensorType t) -> std::pair<int64_t, int64_t> {
    int64_t cols = t.getShape().back();
    return {t.getNumElements() / std::max<int64_t>(cols, 1), cols};
  };
  if (auto c = v.getDefiningOp<arith::ConstantOp>()) {
    auto t = cast<RankedTensorType>(c.getType());
    if (t.getRank() != 2)
      return std::nullopt;
    return ConstantSlice{c,
                         t.getDimSize(0),
                         t.getDimSize(1),
                         {b.getIndexAttr(0), b.getIndexAttr(0)}};
  }
  bool collapsed = false;
  if (auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>()) {
    // [[0, ..., r-2], [r-1]]: the leading dims as the rows.
    SmallVector<ReassociationIndices> re = collapse.getReassociationIndices();
    if (re.size() != 2 || re[1].size() != 1 ||
        re[1][0] != collapse.getSrcType().getRank() - 1)
      return std::nullopt;
    v = collapse.getSrc();
    collapsed = true;
  }
  if (auto c = v.getDefiningOp<arith::ConstantOp>()) {
    if (!collapsed)
      return std::nullopt;
    auto [rows, cols] = matrix(cast<RankedTensorType>(c.getType()));
    return ConstantSlice{c, rows, cols, {b.getIndexAttr(0), b.getIndexAttr(0)}};
  }
  auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || !slice.hasUnitStride() ||
      slice.getSourceType().getRank() != slice.getResultType().getRank())
    return std::nullopt;
  auto c = slice.getSource().getDefiningOp<arith::ConstantOp>();
  if (!c)
    return std::nullopt;
  RankedTensorType srcTy = slice.getSourceType();
  int64_t rank = srcTy.getRank();
  SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
  if (collapsed) {
    // Whole along the leading dims: the rows of the slice are all rows.
    for (int64_t d = 0; d + 1 < rank; ++d)
      if (getConstantIntValue(offsets[d]) != 0 ||
          slice.getResultType().getDimSize(d) != srcTy.getDimSize(d))
        return std::nullopt;
    offsets = {b.getIndexAttr(0), offsets.back()};
  } else if (rank != 2) {
    return std::nullopt;
  }
  auto [rows, cols] = matrix(srcTy);
  return ConstantSlice{c, rows, cols, offsets};
}

/// `ofr` is provably a multiple of `n`: a constant, or an affine.apply
/// whose expression is (thread tile offsets: tid * size).
bool isMultipleOf(OpFoldResult ofr, int64_t n) {
  if (std::optional<int64_t> c = getConstantIntValue(ofr))
    return *c % n == 0;
  auto apply = cast<Value>(ofr).getDefiningOp<affine::AffineApplyOp>();
  return apply && apply.getAffineMap().getNumResults() == 1 &&
         apply.getAffineMap().getResult(0).isMultipleOf(n);
}

/// The whole panels of the f32 constant `c` ([K, N]) packed as
/// [N/nr][K][nr] (the last N % nr columns are left out).
FailureOr<Value> packWeights(RewriterBase &rewriter, arith::ConstantOp c,
                             int64_t k, int64_t n, int64_t nr) {
  auto type = cast<RankedTensorType>(c.getType());
  auto packedType =
      RankedTensorType::get({n / nr, k, nr}, type.getElementType());
  Attribute value;
  if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      dense && dense.isSplat()) {
    value =
        DenseElementsAttr::get(packedType, dense.getSplatValue<Attribute>());
  } else {
    std::optional<ArrayRef<char>> data = constantBytes(c.getValue());
    if (!data || data->size() != static_cast<size_t>(k * n) * sizeof(float))
      return failure();
    size_t bytes = static_cast<size_t>(k * (n / nr) * nr) * sizeof(float);
    AsmResourceBlob blob =
        HeapAsmResourceBlob::allocate(bytes, 64, /*dataIsMutable=*/true);
    const auto *src = reinterpret_cast<const float *>(data->data());
    auto *dst = reinterpret_cast<float *>(blob.getMutableData().data());
    for (int64_t p = 0; p < n / nr; ++p)
      for (int64_t r = 0; r < k; ++r)
        std::copy_n(src + r * n + p * nr, nr, dst + (p * k + r) * nr);
    value = DenseResourceElementsAttr::get(packedType, "kiln_packed",
                                           std::move(blob));
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfter(c);
  return arith::ConstantOp::create(rewriter, c.getLoc(), packedType,
                                   cast<TypedAttr>(value))
      .getResult();
}

} // namespace

bool isPackableMatmul(Operation *op) {
  auto mm = dyn_cast<linalg::MatmulOp>(op);
  if (!mm || !mm.hasPureTensorSemantics() || mm.hasUserDefinedMaps())
    return false;
  Type f32 = Float32Type::get(op->getContext());
  bool staticF32 = llvm::all_of(op->getOperandTypes(), [&](Type t) {
    auto rt = dyn_cast<RankedTensorType>(t);
    return rt && rt.hasStaticShape() && rt.getElementType() == f32;
  });
  if (!staticF32)
    return false;
  return constantSource(mm.getDpsInputOperand(1)->get()) ||
         cast<ShapedType>(mm.getResult(0).getType()).getDimSize(0) >=
             kMinRowsToPack;
}

namespace {

/// The panels [n/nr, k, nr] of the constant `source` that a [k, n] slice of
/// it covers (the constant packed once per panel width).
FailureOr<Value> constantPanels(RewriterBase &rewriter, Location loc,
                                ConstantSlice source, int64_t k, int64_t n,
                                int64_t nr, PackedConstants &packed) {
  if (!isMultipleOf(source.offsets[1], nr))
    return failure();
  auto srcTy = cast<RankedTensorType>(source.constant.getType());
  if (source.cols < nr)
    return failure();
  Value &weights = packed[{source.constant.getResult(), nr}];
  if (!weights) {
    FailureOr<Value> p =
        packWeights(rewriter, source.constant, source.rows, source.cols, nr);
    if (failed(p))
      return failure();
    weights = *p;
  }
  auto panelsTy =
      RankedTensorType::get({n / nr, k, nr}, srcTy.getElementType());
  if (panelsTy == weights.getType())
    return weights;
  OpFoldResult panelOffset;
  if (std::optional<int64_t> c = getConstantIntValue(source.offsets[1])) {
    panelOffset = rewriter.getIndexAttr(*c / nr);
  } else {
    AffineExpr d0 = rewriter.getAffineDimExpr(0);
    panelOffset = affine::AffineApplyOp::create(
                      rewriter, loc, AffineMap::get(1, 0, d0.floorDiv(nr)),
                      ValueRange{cast<Value>(source.offsets[1])})
                      .getResult();
  }
  SmallVector<OpFoldResult> offsets = {panelOffset, source.offsets[0],
                                       rewriter.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(n / nr),
                                     rewriter.getIndexAttr(k),
                                     rewriter.getIndexAttr(nr)};
  SmallVector<OpFoldResult> strides(3, rewriter.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(rewriter, loc, panelsTy, weights,
                                        offsets, sizes, strides)
      .getResult();
}

/// `b` is computed in `op`'s thread tile (by a fused producer: a conv's
/// im2col, directly or reshaped): the tile's own buffer, just written and
/// in cache, its rows as long as the tile is wide. The panel copy only
/// adds to that (64-channel 3x3 on 56x56 ~17% faster without it, ResNet's
/// 7x7 stride-2 stem ~12%), unlike for slices of a whole tensor computed
/// before, whose rows are far apart.
bool computedInTile(Value b, Operation *op) {
  while (auto reshape = b.getDefiningOp<tensor::CollapseShapeOp>())
    b = reshape.getSrc();
  while (auto reshape = b.getDefiningOp<tensor::ExpandShapeOp>())
    b = reshape.getSrc();
  auto producer = b.getDefiningOp<linalg::LinalgOp>();
  auto loop = op->getParentOfType<scf::ForallOp>();
  return producer && loop && producer->getParentOfType<scf::ForallOp>() == loop;
}

/// `b` ([k, n], computed at run time) copied into panels [n/nr, k, nr]: a
/// transposing copy of its view [k, n/nr, nr], vectorized along the panel
/// rows like any elementwise op.
Value runTimePanels(RewriterBase &rewriter, Location loc, Value b, int64_t nr) {
  auto bTy = cast<RankedTensorType>(b.getType());
  int64_t k = bTy.getDimSize(0), n = bTy.getDimSize(1);
  Type et = bTy.getElementType();
  Value view = tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get({k, n / nr, nr}, et), b,
      SmallVector<ReassociationIndices>{{0}, {1, 2}});
  auto panelsTy = RankedTensorType::get({n / nr, k, nr}, et);
  Value empty = tensor::EmptyOp::create(rewriter, loc, panelsTy.getShape(), et);
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  // Loops (k, panel, column): each row of b is read once, in order (the
  // other order walks down b's columns, a new page every row).
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(3, ctx),
                                 AffineMap::get(3, 0, {d1, d0, d2}, ctx)};
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{panelsTy}, ValueRange{view},
             ValueRange{empty}, maps,
             SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
             [](OpBuilder &bb, Location l, ValueRange args) {
               linalg::YieldOp::create(bb, l, args[0]);
             })
      .getResult(0);
}

} // namespace

FailureOr<linalg::GenericOp> packMatmul(RewriterBase &rewriter,
                                        linalg::MatmulOp op,
                                        const RegisterTiles &tiles,
                                        PackedConstants &packed) {
  if (!isPackableMatmul(op))
    return failure();
  Value a = op.getDpsInputOperand(0)->get();
  Value b = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  auto cTy = cast<RankedTensorType>(init.getType());
  Type f32 = cTy.getElementType();
  int64_t nr = tiles.matmulVectors * (tiles.vectorBits / 32);
  int64_t m = cTy.getDimSize(0), n = cTy.getDimSize(1),
          k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  if (nr <= 0 || n % nr != 0 || m == 0 || k == 0)
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value panels;
  if (std::optional<ConstantSlice> source = constantSource(b)) {
    FailureOr<Value> p =
        constantPanels(rewriter, loc, *source, k, n, nr, packed);
    if (failed(p))
      return failure();
    panels = *p;
  } else {
    // Packing costs a copy of b, which the m rows then read from L1. The
    // copy is a temporary of the thread's tile (on its stack).
    if (m < kMinRowsToPack || k < kMinDepthToPack ||
        k * n * 4 > kMaxRunTimePanelBytes || computedInTile(b, op))
      return failure();
    panels = runTimePanels(rewriter, loc, b, nr);
  }

  SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2}};
  auto outTy = RankedTensorType::get({m, n / nr, nr}, f32);
  Value out =
      tensor::ExpandShapeOp::create(rewriter, loc, outTy, init, reassoc);
  // Loops (m, panel, k, column in panel): the columns innermost, so the
  // register tile's vectors run along them.
  MLIRContext *ctx = op.getContext();
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d0, d2}, ctx),
                                 AffineMap::get(4, 0, {d1, d2, d3}, ctx),
                                 AffineMap::get(4, 0, {d0, d1, d3}, ctx)};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters[2] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{outTy}, ValueRange{a, panels}, ValueRange{out},
      maps, iters, [](OpBuilder &bb, Location l, ValueRange args) {
        Value mul = arith::MulFOp::create(bb, l, args[0], args[1]);
        Value sum = arith::AddFOp::create(bb, l, args[2], mul);
        linalg::YieldOp::create(bb, l, sum);
      });
  generic->setAttr(kPackedMatmulAttr, rewriter.getUnitAttr());
  Value result = tensor::CollapseShapeOp::create(rewriter, loc, cTy,
                                                 generic.getResult(0), reassoc);
  rewriter.replaceOp(op, result);
  return generic;
}

LogicalResult tilePackedMatmul(RewriterBase &rewriter, linalg::GenericOp op,
                               const RegisterTiles &tiles) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.size() != 4 || llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  int64_t k = ranges[2];
  // K blocks of about kKBlock rows that divide K (no remainder block); a K
  // without such a divisor stays one block.
  int64_t blocks = llvm::divideCeil(k, kKBlock);
  while (k % blocks != 0)
    ++blocks;
  int64_t kc = k / blocks;
  if (kc < kKBlock / 4)
    kc = k;

  // Cache blocks: K blocks outermost. Within a block, row tiles go outside
  // the panels: a row tile's K-block slice of the left-hand side (rows x kc)
  // stays in L1 while the panels stream past it from L2 (about 10% faster on
  // a 512x1024x1024 GEMM than panels outside rows, whose strided row reads
  // come from L2 for every panel).
  auto inner = cast<linalg::LinalgOp>(op.getOperation());
  if (kc != k) {
    scf::SCFTilingOptions options;
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    options.setTileSizes({rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                          rewriter.getIndexAttr(kc), rewriter.getIndexAttr(0)});
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> blocked = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(blocked))
      return failure();
    rewriter.replaceOp(op, blocked->replacements);
    inner = cast<linalg::LinalgOp>(blocked->tiledOps.front());
  }
  // Register tiles: rows x one panel, K innermost. A single row (a
  // classifier's matrix-vector product) takes several panels instead: one
  // panel would be two accumulator chains, FMA-latency bound.
  int64_t nr = ranges[3];
  int64_t panels = ranges[0] == 1 ? std::min(kSingleRowPanels, ranges[1]) : 1;
  return tileToRegisters(
      rewriter, inner, {std::min(tiles.matmulRows, ranges[0]), panels, 1, nr});
}

namespace {

/// Columns [offset, offset + size) of the 2-D f32 constant `v` as a new
/// constant; null when `v` is no constant with its data in memory.
Value constantColumns(RewriterBase &rewriter, Value v, int64_t offset,
                      int64_t size) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  if (!c)
    return {};
  auto type = cast<RankedTensorType>(c.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  auto sliceType = RankedTensorType::get({k, size}, type.getElementType());
  Attribute value;
  if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      dense && dense.isSplat()) {
    value = dense.resizeSplat(sliceType);
  } else {
    std::optional<ArrayRef<char>> data = constantBytes(c.getValue());
    if (!data || data->size() != static_cast<size_t>(k * n) * sizeof(float))
      return {};
    const auto *src = reinterpret_cast<const float *>(data->data());
    SmallVector<float> cols(k * size);
    for (int64_t r = 0; r < k; ++r)
      std::copy_n(src + r * n + offset, size, cols.begin() + r * size);
    value = DenseElementsAttr::get(sliceType, ArrayRef<float>(cols));
  }
  return arith::ConstantOp::create(rewriter, c.getLoc(), sliceType,
                                   cast<TypedAttr>(value))
      .getResult();
}

/// The panels of a constant right-hand side of `panels` panels that about
/// `tiles` thread tiles share evenly: `panels` when a tile count of at
/// least half of min(tiles, panels) divides it, else the largest count
/// below it that such a tile count divides (31 -> 30 in 15 tiles).
int64_t evenPanels(int64_t panels, int64_t tiles) {
  auto even = [&](int64_t p) {
    int64_t want = std::min(tiles, p);
    for (int64_t t = want; 2 * t >= want && t >= 2; --t)
      if (p % t == 0)
        return true;
    return false;
  };
  if (panels < 2 || tiles < 2 || even(panels))
    return panels;
  for (int64_t p = panels - 1; p >= 2; --p)
    if (even(p))
      return p;
  return panels;
}

} // namespace

LogicalResult splitPanelRemainder(RewriterBase &rewriter, linalg::MatmulOp op,
                                  int64_t panel, int64_t tiles) {
  if (panel <= 0 || !isPackableMatmul(op))
    return failure();
  auto cTy = cast<RankedTensorType>(op.getResult(0).getType());
  int64_t m = cTy.getDimSize(0), n = cTy.getDimSize(1);
  int64_t k = cast<RankedTensorType>(op.getDpsInputOperand(0)->get().getType())
                  .getDimSize(1);
  Value a = op.getDpsInputOperand(0)->get();
  Value b = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  // Column parts: whole panels that the thread tiles share evenly, the
  // panels left over, the columns that are not a whole panel. Only a
  // constant right-hand side is split for balance: a run-time one (an
  // im2col) read by two matmuls could no longer fuse into their tiles.
  int64_t panels = n / panel;
  int64_t even =
      b.getDefiningOp<arith::ConstantOp>() ? evenPanels(panels, tiles) : panels;
  SmallVector<std::pair<int64_t, int64_t>> parts;
  for (auto [offset, size] : {std::pair{int64_t(0), even * panel},
                              std::pair{even * panel, (panels - even) * panel},
                              std::pair{panels * panel, n - panels * panel}})
    if (size > 0)
      parts.push_back({offset, size});
  if (parts.size() < 2)
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto idx = [&](int64_t v) -> OpFoldResult {
    return rewriter.getIndexAttr(v);
  };
  SmallVector<OpFoldResult> unit = {idx(1), idx(1)};
  Value result = init;
  for (auto [offset, size] : parts) {
    SmallVector<OpFoldResult> offs = {idx(0), idx(offset)};
    // A weight's parts become constants of their own (the first one only
    // when whole panels follow it: otherwise the weight's packed panels
    // are exactly its panels), so no column is kept twice.
    Value bs = offset || even != panels
                   ? constantColumns(rewriter, b, offset, size)
                   : Value();
    if (!bs)
      bs = tensor::ExtractSliceOp::create(
          rewriter, loc, b, offs, SmallVector<OpFoldResult>{idx(k), idx(size)},
          unit);
    SmallVector<OpFoldResult> cSizes = {idx(m), idx(size)};
    // Each part's columns come from the result so far (not from the init):
    // extract, compute, insert back into one tensor bufferizes in place.
    Value cs = tensor::ExtractSliceOp::create(rewriter, loc, result, offs,
                                              cSizes, unit);
    Value part =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{cs.getType()},
                                 ValueRange{a, bs}, ValueRange{cs})
            .getResult(0);
    result = tensor::InsertSliceOp::create(rewriter, loc, part, result, offs,
                                           cSizes, unit);
  }
  rewriter.replaceOp(op, result);
  return success();
}

namespace {

/// A register tile of a packed matmul ([rows, p panels, 1 k, nr]) is, per
/// panel, a linalg.matmul [rows, nr, 1] on the same slices without their
/// unit dims; as such each vectorizes into a contraction (FMAs with a
/// broadcast) whose accumulators the reduction loop keeps in registers.
struct PackedTileToMatmul : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasAttr(kPackedMatmulAttr) || !op->hasAttr(kRegisterTileAttr) ||
        !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a packed register tile");
    SmallVector<int64_t> r = op.getStaticLoopRanges();
    if (r.size() != 4 || r[2] != 1 || llvm::any_of(r, ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "not a static [m,p,1,n] tile");
    Location loc = op.getLoc();
    Type et = getElementTypeOrSelf(op.getResult(0).getType());
    auto idx = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    SmallVector<OpFoldResult> unit(3, idx(1));
    Value b = op.getDpsInputOperand(1)->get();
    Value c = op.getDpsInitOperand(0)->get();
    auto bTy = RankedTensorType::get({1, r[3]}, et);
    auto cTy = RankedTensorType::get({r[0], r[3]}, et);
    for (int64_t j = 0; j < r[1]; ++j) {
      // Panel j: b[j, 0, :] as [1, n], c[:, j, :] as [m, n] (rank-reducing
      // slices: contiguous rows).
      Value bj = tensor::ExtractSliceOp::create(
          rewriter, loc, bTy, b, ArrayRef<OpFoldResult>{idx(j), idx(0), idx(0)},
          ArrayRef<OpFoldResult>{idx(1), idx(1), idx(r[3])}, unit);
      SmallVector<OpFoldResult> cOffs = {idx(0), idx(j), idx(0)};
      SmallVector<OpFoldResult> cSizes = {idx(r[0]), idx(1), idx(r[3])};
      Value cj = tensor::ExtractSliceOp::create(rewriter, loc, cTy, c, cOffs,
                                                cSizes, unit);
      auto mm = linalg::MatmulOp::create(
          rewriter, loc, TypeRange{cTy},
          ValueRange{op.getDpsInputOperand(0)->get(), bj}, ValueRange{cj});
      mm->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
      c = tensor::InsertSliceOp::create(rewriter, loc, mm.getResult(0), c,
                                        cOffs, cSizes, unit);
    }
    rewriter.replaceOp(op, c);
    return success();
  }
};

} // namespace

void populatePackedTileToMatmulPatterns(RewritePatternSet &patterns) {
  patterns.add<PackedTileToMatmul>(patterns.getContext());
  tensor::populateReassociativeReshapeFoldingPatterns(patterns);
}

} // namespace kiln
