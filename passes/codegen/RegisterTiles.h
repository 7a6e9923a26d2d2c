//===- RegisterTiles.h - register tiling and vectorization ----------*- C++
//-*-===//
//
// The pieces of kiln-vectorize: register-sized tiling of linalg ops with
// scf.for, convolution tiles rewritten as contractions, vectorization, and
// hoisting of accumulators out of reduction loops. All on tensors.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_CODEGEN_REGISTERTILES_H
#define KILN_PASSES_CODEGEN_REGISTERTILES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// Register tile shape for one target (see targets/cpu/TileTable.h).
struct RegisterTiles {
  /// Bits in one vector register.
  int64_t vectorBits = 128;
  /// Rows of a matmul register tile (broadcast operand).
  int64_t matmulRows = 4;
  /// Columns of a matmul register tile, in vectors.
  int64_t matmulVectors = 2;
};

/// Marks linalg ops that went through register tiling (and are to be
/// vectorized).
constexpr llvm::StringLiteral kRegisterTileAttr = "kiln.register_tile";

/// Marks a linalg.fill of a large contiguous buffer (a pad's): no register
/// tiles, so that its loops become one memset (register tiles of such a
/// fill unrolled into thousands of stores, seconds in instruction
/// scheduling).
constexpr llvm::StringLiteral kMemsetAttr = "kiln.memset";

/// Marks the scf.for loops of register tiles (accumulators are hoisted out
/// of these only).
constexpr llvm::StringLiteral kRegisterLoopAttr = "kiln.register_loop";

/// Register tile sizes (one per loop of `op`), or an empty vector when `op`
/// is left to the scalar path.
llvm::SmallVector<int64_t> registerTileSizes(mlir::linalg::LinalgOp op,
                                             const RegisterTiles &tiles);

/// Tiles `op` with scf.for loops to `sizes`, peels partial tiles so every
/// tile has a static shape, and marks the tiled ops with kRegisterTileAttr.
mlir::LogicalResult tileToRegisters(mlir::RewriterBase &rewriter,
                                    mlir::linalg::LinalgOp op,
                                    llvm::ArrayRef<int64_t> sizes);

/// Rewrites register tiles of 2-D NCHW convolutions (one output row, a 1x1
/// window of the kernel, batch 1) as a matmul (conv_2d_nchw_fchw) or a
/// multiply-add generic (depthwise_conv_2d_nchw_chw) on strided slices.
void populateConvTileToContractionPatterns(mlir::RewritePatternSet &patterns);

/// Vectorizes every linalg op under `root` marked with kRegisterTileAttr.
void vectorizeRegisterTiles(mlir::RewriterBase &rewriter,
                            mlir::Operation *root);

/// Unrolls n-D vector ops (transfers, contractions, elementwise) to rows:
/// all dims 1 but the innermost one of the result.
void populateUnrollToRowsPatterns(mlir::RewritePatternSet &patterns);

/// Moves loop-invariant transfer_read/transfer_write pairs on loop-carried
/// tensors out of scf.for loops (innermost first), so accumulators stay in
/// vector registers across reduction loops.
void hoistAccumulators(mlir::RewriterBase &rewriter, mlir::Operation *root);

/// Vector-to-vector lowerings applied after hoisting: contractions to
/// outer products / FMAs, transfer permutation maps, transposes, broadcasts,
/// multi-reductions.
void populateKilnVectorLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln

#endif // KILN_PASSES_CODEGEN_REGISTERTILES_H
