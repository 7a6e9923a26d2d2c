//===- Pipelines.cpp - the to-linalg and codegen-cpu pipelines ------------===//
//
// One definition shared by kiln-compile and kiln-opt (registered as
// kiln-to-linalg and kiln-codegen-cpu).
//
//===----------------------------------------------------------------------===//
#include "passes/codegen/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/to-linalg/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// Adds upstream passes given in textual form (they have no options struct
/// we would add anything to).
void addUpstream(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("kiln: bad built-in pipeline: " + pipeline);
}
} // namespace

void kiln::buildToLinalgPipeline(OpPassManager &pm, bool directConvs) {
  ConvertONNXToLinalgPassOptions options;
  options.directConvs = directConvs;
  pm.addPass(createConvertONNXToLinalgPass(options));
  pm.addPass(createCanonicalizerPass());
}

void kiln::buildCPUCodegenPipeline(OpPassManager &pm,
                                   const CPUCodegenOptions &options) {
  // Packed int4/int2/float4 interface tensors: unpacked at entry, packed
  // at the return.
  pm.addPass(createPackInterfacePass());
  // Fusion groups around roots, tiled over threads.
  pm.addNestedPass<func::FuncOp>(createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFoldZeroSizePass());
  TileAndDistributePassOptions tiling;
  tiling.tiles = options.tiles;
  // Matmuls on weights read them packed in panels of one register tile's
  // width (kiln-vectorize); threads split them in whole panels.
  if (options.vectorize)
    tiling.panelWidth = options.matmulVectors * (options.vectorBits / 32);
  pm.addNestedPass<func::FuncOp>(createTileAndDistributePass(tiling));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Register tiles, vectorized (still on tensors).
  if (options.vectorize) {
    VectorizePassOptions vec;
    vec.vectorBits = options.vectorBits;
    vec.matmulRows = options.matmulRows;
    vec.matmulVectors = options.matmulVectors;
    pm.addNestedPass<func::FuncOp>(createVectorizePass(vec));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // Bufferize: outputs become caller buffers, intermediates one arena.
  pm.addNestedPass<func::FuncOp>(createCarryInPlacePass());
  addUpstream(pm, "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map}");
  addUpstream(pm, "buffer-results-to-out-params{hoist-static-allocs "
                  "modify-public-functions}");
  // Subviews a forall's parallel_insert_slice (or an in-place insert_slice)
  // bufferized to are the same ops twice: once CSE makes them one value,
  // canonicalization drops the copies of a buffer onto itself (otherwise a
  // memmove of every tile's output onto itself).
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFoldZeroSizePass());
  pm.addPass(createPlanMemoryPass());
  // Run-time checks become the status main returns.
  pm.addPass(createLowerChecksPass());
  pm.addPass(createOutlineParallelPass());
  pm.addNestedPass<func::FuncOp>(createLowerCopiesPass());
  // Arithmetic and math on bf16/float8/float4 runs in f32 (LLVM would
  // promote bf16 the same way, calling __truncsfbf2), and their conversions
  // become integer arithmetic: the .so needs no conversion builtins.
  addUpstream(pm, "func.func(math-extend-to-supported-types{extra-types=f16 "
                  "target-type=f32}),"
                  "func.func(arith-emulate-unsupported-floats{source-types="
                  "bf16,f8E4M3FN,f8E4M3FNUZ,f8E5M2,f8E5M2FNUZ,f8E8M0FNU,"
                  "f4E2M1FN target-type=f32})");
  pm.addPass(createExpandSmallFloatsPass());
  // Lower to the LLVM dialect.
  // n-D transfers become 1-D ones (loads/stores, scalar loops where
  // strided); the rest of the vector dialect goes to LLVM vectors.
  addUpstream(pm, "func.func(scf-forall-to-for),"
                  "func.func(convert-vector-to-scf{full-unroll=true}),"
                  "func.func(convert-linalg-to-loops),"
                  "expand-strided-metadata,lower-affine,"
                  "convert-scf-to-cf,"
                  // libm calls on vectors are unrolled into vector ops,
                  // so the math lowering comes first.
                  "convert-math-to-llvm,convert-math-to-libm,"
                  "convert-vector-to-llvm{reassociate-fp-reductions=true},"
                  "finalize-memref-to-llvm,convert-arith-to-llvm,"
                  "convert-index-to-llvm,convert-ub-to-llvm,"
                  "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
                  "convert-cf-to-llvm,reconcile-unrealized-casts");
  pm.addPass(createCanonicalizerPass());
}

void kiln::registerCodegenPipelines() {
  registerKilnCodegenPasses();
  PassPipelineRegistration<>(
      "kiln-to-linalg", "Lower the onnx dialect to linalg on tensors",
      [](OpPassManager &pm) { buildToLinalgPipeline(pm); });
  PassPipelineRegistration<>(
      "kiln-codegen-cpu",
      "linalg on tensors -> LLVM dialect for CPUs (tiling, bufferization, "
      "memory planning, thread outlining)",
      [](OpPassManager &pm) { buildCPUCodegenPipeline(pm); });
}
