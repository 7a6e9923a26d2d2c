//===- PackedMatmul.h - matmuls on weights packed at compile time -*- C++
//-*-===//
//
// A float linalg.matmul reads its right-hand side in column panels: for every
// register tile of the result the kernel walks down K through `nr` adjacent
// columns. In the row-major [K, N] layout each step of K is a new cache line
// (and for large N a new page), so the kernel waits on memory (and with
// power-of-two row lengths the rows fight over a few cache sets). The
// right-hand side is therefore packed into panels [N/nr][K][nr] (each panel one
// contiguous run): a weight at compile time, an activation by a copy at run
// time (inside the thread's tile, so each thread packs only its own columns).
// The matmul becomes a generic contraction over the panels, written into the
// result viewed as [M, N/nr, nr]. Its tiling is cache-blocked: a block of K (kc
// rows of a panel, kept in L1) outermost, then the panels, then the register
// tiles of `rows` x `nr` with K innermost.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_CODEGEN_PACKEDMATMUL_H
#define KILN_PASSES_CODEGEN_PACKEDMATMUL_H

#include "passes/codegen/RegisterTiles.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/DenseMap.h"

namespace kiln {

/// Packed constants made so far, by (source constant, panel width): one
/// weight read by several matmuls is packed once.
using PackedConstants =
    llvm::DenseMap<std::pair<mlir::Value, int64_t>, mlir::Value>;

/// Marks the generic contractions made by packMatmul.
constexpr llvm::StringLiteral kPackedMatmulAttr = "kiln.packed_matmul";

/// Rows from which packing a right-hand side computed at run time pays
/// (each packed element is then read by at least this many FMAs).
constexpr int64_t kMinRowsToPack = 8;

/// `op` is an f32 linalg.matmul with static shapes whose right-hand side is
/// a constant, or that has at least kMinRowsToPack rows: packMatmul applies
/// to its tiles whose columns are whole panels.
bool isPackableMatmul(mlir::Operation *op);

/// Rewrites `op` (isPackableMatmul; for a constant right-hand side, the
/// constant itself or a static-size slice of it whose column offset is a
/// multiple of the panel width) as a contraction over its right-hand side
/// in panels of `tiles`' register width: a constant is packed at compile
/// time, anything else by a copy at run time. Fails, changing nothing,
/// otherwise.
mlir::FailureOr<mlir::linalg::GenericOp>
packMatmul(mlir::RewriterBase &rewriter, mlir::linalg::MatmulOp op,
           const RegisterTiles &tiles, PackedConstants &packed);

/// Splits a packable matmul by columns so that threads can share it in
/// whole panels of `panel` columns: one matmul on a number of panels that
/// about `tiles` tiles divide, one on the panels left over (a prime count
/// of panels, 31 for a 1000-class classifier on 32-wide panels, has no
/// divisor to split it by), one on the columns that are not whole panels
/// (each written into its slice of the result). Fails when there is
/// nothing to split.
mlir::LogicalResult splitPanelRemainder(mlir::RewriterBase &rewriter,
                                        mlir::linalg::MatmulOp op,
                                        int64_t panel, int64_t tiles);

/// Cache-blocked register tiling of a packed matmul (see the file comment);
/// the register tiles are marked for vectorization like tileToRegisters'.
mlir::LogicalResult tilePackedMatmul(mlir::RewriterBase &rewriter,
                                     mlir::linalg::GenericOp op,
                                     const RegisterTiles &tiles);

/// Register tiles of packed matmuls become linalg.matmul ops on rank-reduced
/// slices (vectorized like the other matmul tiles).
void populatePackedTileToMatmulPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln

#endif // KILN_PASSES_CODEGEN_PACKEDMATMUL_H
