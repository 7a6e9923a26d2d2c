//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//
#ifndef KILN_PASSES_CODEGEN_PASSES_H
#define KILN_PASSES_CODEGEN_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace kiln {

#define GEN_PASS_DECL
#include "passes/codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/Passes.h.inc"

struct CPUCodegenOptions {
  int64_t tiles = 16;
  /// Register tiling and vectorization (kiln-vectorize); the sizes come
  /// from the target's tile table (targets/cpu/TileTable.h).
  bool vectorize = true;
  int64_t vectorBits = 128;
  int64_t matmulRows = 4;
  int64_t matmulVectors = 2;
};

/// onnx dialect (shape-inferred) -> linalg on tensors; `directConvs` from
/// the target's tile table (kiln-convert-onnx-to-linalg's direct-convs).
void buildToLinalgPipeline(mlir::OpPassManager &pm, bool directConvs = true);

/// linalg on tensors -> LLVM dialect: fusion, tiling to threads,
/// bufferization, memory planning, outlining, lowering.
void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options = {});

/// Registers the codegen passes and the kiln-codegen-cpu / kiln-to-linalg
/// pipelines.
void registerCodegenPipelines();

} // namespace kiln

#endif // KILN_PASSES_CODEGEN_PASSES_H
