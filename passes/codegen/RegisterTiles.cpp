//===- RegisterTiles.cpp - register tiling and vectorization
//------------------===//
#include "passes/codegen/RegisterTiles.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

#define DEBUG_TYPE "kiln-vectorize"

using namespace mlir;

namespace kiln {

namespace {

bool isPool(linalg::LinalgOp op) {
  return isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(
      op.getOperation());
}

/// 2-D window ops on NCHW that get register tiles along the output width.
bool isConv(linalg::LinalgOp op) {
  return isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp>(
             op.getOperation()) ||
         isPool(op);
}

/// Elements of the op's (first) result per vector register; 0 if unknown.
int64_t lanesFor(linalg::LinalgOp op, const RegisterTiles &tiles) {
  if (op.getNumDpsInits() != 1)
    return 0;
  Type et = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (!et.isIntOrFloat())
    return 0;
  unsigned bits = et.getIntOrFloatBitWidth();
  if (bits < 8 || bits > 64 || tiles.vectorBits % bits)
    return 0;
  return tiles.vectorBits / bits;
}

bool allSameFloat(linalg::LinalgOp op) {
  Type et;
  for (Value v : op->getOperands()) {
    Type t = getElementTypeOrSelf(v.getType());
    if (!isa<FloatType>(t) || (et && t != et))
      return false;
    et = t;
  }
  return true;
}

/// A window copy: a generic without reductions that yields its one input,
/// writes its result in loop order, and reads the input at sums of loop
/// indices (times positive constants) plus constants, the last loop index
/// only in the last input dim (an im2col: x[c, oh * s + kh, ow * s + kw]).
/// Returns the stride of the last loop along that input dim, or 0.
int64_t windowCopyStride(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0)
    return 0;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues().front() != body.getArgument(0))
    return 0;
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return 0;
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  unsigned last = op.getNumLoops() - 1;
  int64_t stride = 0;
  for (auto [i, e] : llvm::enumerate(in.getResults())) {
    // Flatten the sum: dims with positive constant coefficients, constants.
    SmallVector<AffineExpr> terms = {e};
    while (!terms.empty()) {
      AffineExpr t = terms.pop_back_val();
      auto bin = dyn_cast<AffineBinaryOpExpr>(t);
      if (bin && bin.getKind() == AffineExprKind::Add) {
        terms.push_back(bin.getLHS());
        terms.push_back(bin.getRHS());
        continue;
      }
      if (isa<AffineConstantExpr>(t))
        continue;
      int64_t coef = 1;
      AffineExpr dim = t;
      if (bin && bin.getKind() == AffineExprKind::Mul) {
        auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
        if (!c || c.getValue() <= 0)
          return 0;
        coef = c.getValue();
        dim = bin.getLHS();
      }
      auto d = dyn_cast<AffineDimExpr>(dim);
      if (!d)
        return 0;
      if (d.getPosition() == last) {
        if (i + 1 != in.getNumResults() || stride)
          return 0;
        stride = coef;
      }
    }
  }
  return stride;
}

} // namespace

SmallVector<int64_t> registerTileSizes(linalg::LinalgOp op,
                                       const RegisterTiles &tiles) {
  if (!op.hasPureTensorSemantics())
    return {};
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || llvm::any_of(ranges, ShapedType::isDynamic))
    return {};
  int64_t lanes = lanesFor(op, tiles);
  if (lanes == 0)
    return {};
  // Gathers (tensor.extract in the body) stay scalar loops.
  if (op->walk([](tensor::ExtractOp) {
          return WalkResult::interrupt();
        }).wasInterrupted())
    return {};
  // Bytes per element in memory (bool is one byte) but bits in an LLVM
  // vector: i1 and other sub-byte operands stay scalar.
  for (Value v : op->getOperands()) {
    Type t = getElementTypeOrSelf(v.getType());
    if (t.isIntOrFloat() && t.getIntOrFloatBitWidth() < 8)
      return {};
  }
  int64_t rows = tiles.matmulRows, vecs = tiles.matmulVectors;
  SmallVector<int64_t> sizes(ranges.size(), 1);
  auto clip = [&](unsigned d, int64_t s) {
    sizes[d] = std::max<int64_t>(1, std::min(s, ranges[d]));
  };

  // Matmul columns in whole vectors: when `vecs` vectors leave a
  // remainder that is not whole vectors (56 = 32 + 24, a vector<24> tile of
  // shuffles ~15x slower), one vector (56 = 3 x 16 + 8).
  auto columns = [&](int64_t n) {
    int64_t wide = vecs * lanes;
    return n >= wide && (n % wide) % lanes != 0 && n % lanes != n % wide ? lanes
                                                                         : wide;
  };
  if (isa<linalg::MatmulOp>(op.getOperation())) {
    clip(0, rows);
    clip(1, columns(ranges[1]));
    return sizes;
  }
  if (isa<linalg::BatchMatmulOp>(op.getOperation())) {
    clip(1, rows);
    clip(2, columns(ranges[2]));
    return sizes;
  }
  if (isConv(op)) {
    if (!allSameFloat(op))
      return {};
    FailureOr<linalg::ConvolutionDimensions> dims =
        linalg::inferConvolutionDims(op);
    if (failed(dims) || dims->outputImage.size() != 2)
      return {};
    // Output width in vectors, output (or depthwise) channels as rows:
    // about rows * vecs accumulator registers. Whole vectors along the
    // width (a 14-wide row is 8 + a peeled 6, not one vector<14> of two
    // registers with shuffles and spills: 14x14 depthwise convs ran at ~2.5
    // GFLOP/s), one vector when more vectors leave a remainder that is not
    // whole vectors (28 = 3 x 8 + 4, not 16 + 12); narrower rows, half
    // vectors.
    unsigned w = dims->outputImage[1];
    int64_t width = ranges[w];
    if (width >= vecs * lanes && (width % (vecs * lanes)) % lanes == 0)
      width = vecs * lanes;
    else if (width >= lanes)
      width = lanes;
    else if (width >= lanes / 2)
      width = lanes / 2;
    clip(w, width);
    int64_t wVectors = (sizes[w] + lanes - 1) / lanes;
    int64_t channelRows = std::max<int64_t>(1, rows * vecs / wVectors);
    for (unsigned d : dims->outputChannel)
      clip(d, channelRows);
    for (unsigned d : dims->depth)
      clip(d, channelRows);
    if (isPool(op)) // (n, c, oh, ow, kh, kw): the channels as rows
      clip(1, channelRows);
    return sizes; // batch, output rows, window and input channels: 1
  }
  // A window copy's register tile reads one (strided) run of its input.
  if (windowCopyStride(op) > 0) {
    clip(op.getNumLoops() - 1, lanes);
    return sizes;
  }
  if (op->hasAttr(kMemsetAttr))
    return {};
  if (isa<linalg::FillOp>(op.getOperation()) ||
      (isa<linalg::GenericOp>(op.getOperation()) &&
       op.getNumReductionLoops() == 0 &&
       succeeded(linalg::vectorizeOpPrecondition(op)))) {
    if (op.getNumLoops() == 0)
      return {};
    clip(op.getNumLoops() - 1, lanes);
    return sizes;
  }
  return {};
}

LogicalResult tileToRegisters(RewriterBase &rewriter, linalg::LinalgOp op,
                              ArrayRef<int64_t> sizes) {
  op->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Nothing to tile: the op already is a register tile.
  if (llvm::equal(ranges, sizes))
    return success();
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  SmallVector<OpFoldResult> tileSizes;
  for (auto [r, s] : llvm::zip(ranges, sizes))
    tileSizes.push_back(rewriter.getIndexAttr(r == s ? 0 : s));
  options.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled)) {
    op->removeAttr(kRegisterTileAttr);
    return failure();
  }
  rewriter.replaceOp(op, tiled->replacements);
  for (LoopLikeOpInterface loop : tiled->loops)
    loop->setAttr(kRegisterLoopAttr, rewriter.getUnitAttr());
  // Peel partial tiles: the main loops then have full, static tiles and
  // the remainders static ones too (after canonicalization).
  SmallVector<scf::ForOp> worklist;
  for (LoopLikeOpInterface loop : tiled->loops)
    if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation()))
      worklist.push_back(forOp);
  while (!worklist.empty()) {
    scf::ForOp loop = worklist.pop_back_val();
    scf::ForOp partial;
    if (failed(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial)) ||
        !partial)
      continue;
    // Loops nested in the remainder are partial too in their own dims.
    partial->walk([&](scf::ForOp inner) {
      if (inner != partial)
        worklist.push_back(inner);
    });
  }
  return success();
}

namespace {

/// A conv_2d_nchw_fchw / depthwise_conv_2d_nchw_chw register tile with batch
/// 1, one output row and a 1x1 window slice is a contraction over the input
/// channels between the filter slice and a (strided) input row; a
/// pooling_nchw_{max,sum} tile is the max / sum of the output row and that
/// input row.
struct ConvTileToContraction : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!isConv(op) || !op->hasAttr(kRegisterTileAttr) ||
        !op.hasPureTensorSemantics() || !allSameFloat(op))
      return rewriter.notifyMatchFailure(op, "not a float conv register tile");
    bool depthwise = isa<linalg::DepthwiseConv2DNchwChwOp>(op.getOperation());
    bool pool = isPool(op);
    Value input = op.getDpsInputOperand(0)->get();
    Value filter = op.getDpsInputOperand(1)->get();
    Value init = op.getDpsInitOperand(0)->get();
    auto inTy = cast<RankedTensorType>(input.getType());
    auto fTy = cast<RankedTensorType>(filter.getType());
    auto outTy = cast<RankedTensorType>(init.getType());
    if (!inTy.hasStaticShape() || !fTy.hasStaticShape() ||
        !outTy.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    ArrayRef<int64_t> out = outTy.getShape();
    ArrayRef<int64_t> flt = fTy.getShape();
    // out: n, c/f, oh, ow. filter: f, c, kh, kw | c, kh, kw.
    int64_t kh = flt[flt.size() - 2], kw = flt[flt.size() - 1];
    if (out[0] != 1 || out[2] != 1 || kh != 1 || kw != 1 ||
        inTy.getDimSize(2) != 1)
      return rewriter.notifyMatchFailure(op, "not a one-row 1x1 tile");
    DenseIntElementsAttr stridesAttr;
    if (auto max = dyn_cast<linalg::PoolingNchwMaxOp>(op.getOperation()))
      stridesAttr = max.getStrides();
    else if (auto sum = dyn_cast<linalg::PoolingNchwSumOp>(op.getOperation()))
      stridesAttr = sum.getStrides();
    else if (depthwise)
      stridesAttr = cast<linalg::DepthwiseConv2DNchwChwOp>(op).getStrides();
    else
      stridesAttr = cast<linalg::Conv2DNchwFchwOp>(op).getStrides();
    int64_t sw = *std::next(stridesAttr.getValues<int64_t>().begin());
    int64_t c = inTy.getDimSize(1), ow = out[3], f = out[1];
    if ((ow - 1) * sw + 1 > inTy.getDimSize(3))
      return rewriter.notifyMatchFailure(op, "input row too short");

    Location loc = op.getLoc();
    Type et = outTy.getElementType();
    auto idx = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    auto slice = [&](Value src, ArrayRef<int64_t> shape,
                     ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides) {
      SmallVector<OpFoldResult> offs(sizes.size(), idx(0)), sz, st;
      for (int64_t s : sizes)
        sz.push_back(idx(s));
      for (int64_t s : strides)
        st.push_back(idx(s));
      return tensor::ExtractSliceOp::create(rewriter, loc,
                                            RankedTensorType::get(shape, et),
                                            src, offs, sz, st)
          .getResult();
    };
    // Input row: [c, ow] (stride sw); result: [f, ow].
    Value x = slice(input, {c, ow}, {1, c, 1, ow}, {1, 1, 1, sw});
    Value y = slice(init, {f, ow}, {1, f, 1, ow}, {1, 1, 1, 1});
    Value result;
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    AffineMap id = AffineMap::get(2, 0, {d0, d1}, ctx);
    SmallVector<utils::IteratorType> par(2, utils::IteratorType::parallel);
    if (pool) {
      bool max = isa<linalg::PoolingNchwMaxOp>(op.getOperation());
      auto gen = linalg::GenericOp::create(
          rewriter, loc, TypeRange{y.getType()}, ValueRange{x}, ValueRange{y},
          ArrayRef<AffineMap>{id, id}, par,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value r =
                max ? arith::MaximumFOp::create(b, l, args[1], args[0])
                          .getResult()
                    : arith::AddFOp::create(b, l, args[1], args[0]).getResult();
            linalg::YieldOp::create(b, l, r);
          });
      gen->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
      result = gen.getResult(0);
    } else if (!depthwise) {
      Value w = slice(filter, {f, c}, {f, c, 1, 1}, {1, 1, 1, 1});
      auto mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{y.getType()},
                                         ValueRange{w, x}, ValueRange{y});
      mm->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
      result = mm.getResult(0);
    } else {
      Value k = slice(filter, {c}, {c, 1, 1}, {1, 1, 1});
      AffineMap ch = AffineMap::get(2, 0, {d0}, ctx);
      auto gen = linalg::GenericOp::create(
          rewriter, loc, TypeRange{y.getType()}, ValueRange{x, k},
          ValueRange{y}, ArrayRef<AffineMap>{id, ch, id}, par,
          [&](OpBuilder &b, Location l, ValueRange args) {
            // contract: a fused multiply-add where the target has one (as
            // the matmul tiles' vector.contract becomes).
            auto contract = arith::FastMathFlagsAttr::get(
                b.getContext(), arith::FastMathFlags::contract);
            Value m = arith::MulFOp::create(b, l, args[0], args[1], contract);
            Value s = arith::AddFOp::create(b, l, args[2], m, contract);
            linalg::YieldOp::create(b, l, s);
          });
      gen->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
      result = gen.getResult(0);
    }
    SmallVector<OpFoldResult> offs(4, idx(0)),
        sz = {idx(1), idx(f), idx(1), idx(ow)}, st(4, idx(1));
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(op, result, init, offs,
                                                       sz, st);
    return success();
  }
};

/// A window copy register tile (every loop but the last of size 1) reads a
/// run of its input with one stride: the input becomes that run as a
/// strided slice, read in loop order -- a generic the vectorizer takes.
struct WindowCopyTileToSlice : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasAttr(kRegisterTileAttr) || !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a register tile");
    int64_t stride = windowCopyStride(op);
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (stride == 0 || llvm::any_of(ranges, ShapedType::isDynamic) ||
        llvm::any_of(ArrayRef(ranges).drop_back(),
                     [](int64_t r) { return r != 1; }))
      return rewriter.notifyMatchFailure(op, "not a one-run window copy");
    AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
    if (stride == 1 && in.isProjectedPermutation(/*allowZeroInResults=*/true))
      return rewriter.notifyMatchFailure(op, "already vectorizable");
    Value input = op.getDpsInputOperand(0)->get();
    auto inTy = cast<RankedTensorType>(input.getType());
    // Every loop but the last is 0: the offsets are the map at 0.
    SmallVector<int64_t> zeros(ranges.size(), 0);
    SmallVector<int64_t> at = in.compose(zeros);
    int64_t rank = inTy.getRank();
    SmallVector<OpFoldResult> offs, sizes, strides;
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < rank; ++i) {
      bool run = i + 1 == rank;
      int64_t size = run ? ranges.back() : 1;
      offs.push_back(rewriter.getIndexAttr(at[i]));
      sizes.push_back(rewriter.getIndexAttr(size));
      strides.push_back(rewriter.getIndexAttr(run ? stride : 1));
      shape.push_back(size);
    }
    Location loc = op.getLoc();
    Value run = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get(shape, inTy.getElementType()),
        input, offs, sizes, strides);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> results(rank - 1, getAffineConstantExpr(0, ctx));
    results.push_back(getAffineDimExpr(ranges.size() - 1, ctx));
    AffineMap runMap = AffineMap::get(ranges.size(), 0, results, ctx);
    rewriter.modifyOpInPlace(op, [&] {
      op.getDpsInputOperand(0)->set(run);
      SmallVector<Attribute> maps = {AffineMapAttr::get(runMap),
                                     op.getIndexingMaps()[1]};
      op.setIndexingMapsAttr(rewriter.getArrayAttr(maps));
    });
    return success();
  }
};

} // namespace

void populateConvTileToContractionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvTileToContraction, WindowCopyTileToSlice>(
      patterns.getContext());
}

void vectorizeRegisterTiles(RewriterBase &rewriter, Operation *root) {
  SmallVector<linalg::LinalgOp> ops;
  root->walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kRegisterTileAttr))
      ops.push_back(op);
  });
  for (linalg::LinalgOp op : ops) {
    op->removeAttr(kRegisterTileAttr);
    if (!op.hasPureTensorSemantics() ||
        llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic) ||
        failed(linalg::vectorizeOpPrecondition(op)))
      continue; // stays a (small) linalg op: loops later
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
        rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
        /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/true);
    if (failed(result))
      continue;
    rewriter.replaceOp(op, result->replacements);
  }
}

void populateUnrollToRowsPatterns(RewritePatternSet &patterns) {
  vector::UnrollVectorOptions options;
  options.setNativeShapeFn(
      [](Operation *op) -> std::optional<SmallVector<int64_t>> {
        auto unrollable = dyn_cast<VectorUnrollOpInterface>(op);
        if (!unrollable)
          return std::nullopt;
        std::optional<SmallVector<int64_t>> shape =
            unrollable.getShapeForUnroll();
        if (!shape || shape->size() < 2)
          return std::nullopt;
        SmallVector<int64_t> native(shape->size(), 1);
        if (auto contract = dyn_cast<vector::ContractionOp>(op)) {
          // Keep the innermost dim of the result whole.
          AffineMap acc = contract.getIndexingMapsArray().back();
          if (acc.getNumResults() == 0)
            return std::nullopt;
          unsigned d =
              cast<AffineDimExpr>(acc.getResults().back()).getPosition();
          native[d] = (*shape)[d];
        } else {
          native.back() = shape->back();
        }
        if (native == *shape)
          return std::nullopt;
        return native;
      });
  vector::populateVectorUnrollPatterns(patterns, options);
}

void hoistAccumulators(RewriterBase &rewriter, Operation *root) {
  // Post-order: inner loops first, so what leaves an inner loop can leave
  // the next one out too.
  SmallVector<scf::ForOp> loops;
  root->walk([&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops) {
    auto loopLike = cast<LoopLikeOpInterface>(loop.getOperation());
    // Subset offsets computed in the body must leave first.
    moveLoopInvariantCode(loopLike);
    // Only the register tiles' own loops: in loops of the model (LSTM time
    // steps) the upstream subset hoisting miscompiled carried state.
    if (loop->hasAttr(kRegisterLoopAttr))
      (void)hoistLoopInvariantSubsets(rewriter, loopLike);
  }
}

namespace {

/// A 1-D read of a stride-2 run (a window op's input row at stride 2:
/// pooling, depthwise and im2col of stride-2 layers) as two contiguous
/// reads and a shuffle of their even lanes. Lowered as it is, the read is
/// one scalar load and insert per lane. The second read starts at the
/// first one's last element, so both stay within the elements the strided
/// read covers: a[0..n) = x[p, p+n), b[0..n) = x[p+n-1, p+2n-1), and lane l
/// of the result, x[p + 2l], is a[2l] or b[2l - n + 1].
struct DeinterleaveStride2Read : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    VectorType vt = read.getVectorType();
    auto slice = read.getBase().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || vt.getRank() != 1 || vt.isScalable() || read.getMask() ||
        !read.getPermutationMap().isMinorIdentity() ||
        !read.getInBoundsValues().front())
      return rewriter.notifyMatchFailure(read, "not an in-bounds 1-D read");
    RankedTensorType srcTy = slice.getSourceType();
    int64_t srcRank = srcTy.getRank();
    std::optional<int64_t> lastStride =
        getConstantIntValue(slice.getMixedStrides().back());
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    if (!lastStride || *lastStride != 2 || dropped.test(srcRank - 1))
      return rewriter.notifyMatchFailure(read, "not a stride-2 run");
    // Source indices: offset + index * stride for every kept dim.
    Location loc = read.getLoc();
    SmallVector<OpFoldResult> offs = slice.getMixedOffsets();
    SmallVector<OpFoldResult> strides = slice.getMixedStrides();
    SmallVector<Value> idx;
    unsigned k = 0;
    AffineExpr d0, d1, s0;
    bindDims(rewriter.getContext(), d0, d1);
    bindSymbols(rewriter.getContext(), s0);
    for (int64_t d = 0; d < srcRank; ++d) {
      Value off = getValueOrCreateConstantIndexOp(rewriter, loc, offs[d]);
      if (dropped.test(d)) {
        idx.push_back(off);
        continue;
      }
      Value i = read.getIndices()[k++];
      Value st = getValueOrCreateConstantIndexOp(rewriter, loc, strides[d]);
      idx.push_back(
          affine::makeComposedAffineApply(rewriter, loc, d0 + d1 * s0,
                                          ArrayRef<OpFoldResult>{off, i, st})
              .getResult());
    }
    int64_t n = vt.getDimSize(0);
    auto readAt = [&](ArrayRef<Value> at) {
      return vector::TransferReadOp::create(
          rewriter, loc, vt, slice.getSource(), at, read.getPadding(),
          ArrayRef<bool>{true});
    };
    Value a = readAt(idx);
    SmallVector<Value> idxB = idx;
    idxB.back() =
        affine::makeComposedAffineApply(rewriter, loc, d0 + (n - 1),
                                        ArrayRef<OpFoldResult>{idx.back()})
            .getResult();
    Value b = readAt(idxB);
    SmallVector<int64_t> mask;
    for (int64_t l = 0; l < n; ++l)
      mask.push_back(2 * l < n ? 2 * l : 2 * l + 1);
    rewriter.replaceOpWithNewOp<vector::ShuffleOp>(read, a, b, mask);
    return success();
  }
};

} // namespace

void populateKilnVectorLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<DeinterleaveStride2Read>(patterns.getContext());
  // erf (GELU), exp (softmax, sigmoid) and tanh as polynomials in vector
  // arithmetic instead of one libm call per lane; within a few ulp of
  // libm over the whole f32 range (the node tests of these ops check it).
  populateMathPolynomialApproximationPatterns(
      patterns, [](StringRef name) {
        return name == "math.erf" || name == "math.exp" || name == "math.tanh";
      });
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateVectorContractLoweringPatterns(
      patterns, vector::VectorContractLowering::OuterProduct);
  vector::populateVectorOuterProductLoweringPatterns(patterns);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorTransposeLoweringPatterns(
      patterns, vector::VectorTransposeLowering::EltWise);
  vector::populateVectorMultiReductionLoweringPatterns(
      patterns, vector::VectorMultiReductionLowering::InnerParallel);
  vector::populateVectorBroadcastLoweringPatterns(patterns);
  vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
}

} // namespace kiln
