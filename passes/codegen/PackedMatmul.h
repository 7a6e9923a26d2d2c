//===- PackedMatmul.h - matmuls on weights packed at compile time -*- C++
//-*-===//
//
// A float linalg.matmul whose right-hand side is a constant (a weight) reads
// that constant in column panels: for every register tile of the result the
// kernel walks down K through `nr` adjacent columns. In the row-major [K, N]
// layout each step of K is a new cache line (and for large N a new page), so
// the kernel waits on memory. The weight is therefore repacked at compile
// time into panels [N/nr][K][nr] (each panel one contiguous run) and the
// matmul becomes a generic contraction over the packed constant, written
// into the result viewed as [M, N/nr, nr]. Its tiling is cache-blocked: a
// block of K (kc rows of a panel, kept in L1) outermost, then the panels,
// then the register tiles of `rows` x `nr` with K innermost.
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

/// Marks the generic contractions made by packConstantMatmul.
constexpr llvm::StringLiteral kPackedMatmulAttr = "kiln.packed_matmul";

/// `op` is an f32 linalg.matmul with static shapes whose right-hand side is
/// a constant: packConstantMatmul applies to its tiles whose columns are
/// whole panels.
bool isWeightMatmul(mlir::Operation *op);

/// Rewrites `op` (f32 linalg.matmul, static shapes, right-hand side a
/// constant or a static-size slice of one whose column offset is a multiple
/// of the panel width) as a contraction over the constant packed in panels
/// of `tiles`' register width. Fails, changing nothing, otherwise.
mlir::FailureOr<mlir::linalg::GenericOp>
packConstantMatmul(mlir::RewriterBase &rewriter, mlir::linalg::MatmulOp op,
                   const RegisterTiles &tiles, PackedConstants &packed);

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
