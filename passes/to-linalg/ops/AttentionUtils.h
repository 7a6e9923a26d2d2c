//===- AttentionUtils.h - pieces shared by the attention lowerings --*- C++
//-*-===//
#ifndef KILN_PASSES_TOLINALG_OPS_ATTENTIONUTILS_H
#define KILN_PASSES_TOLINALG_OPS_ATTENTIONUTILS_H

#include "mlir/IR/Builders.h"

namespace kiln::tolinalg {

/// linalg.batch_matmul of [N, M, K] x [N, K, P] (zero-initialized), in the
/// operands' element type.
mlir::Value batchMatmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                        mlir::Value rhs);

} // namespace kiln::tolinalg

#endif // KILN_PASSES_TOLINALG_OPS_ATTENTIONUTILS_H
