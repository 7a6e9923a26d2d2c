//===- Passes.td - CPU code generation passes ---------------*- tablegen -*-===//
#ifndef KILN_PASSES_CODEGEN_PASSES
#define KILN_PASSES_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def TileAndDistributePass
    : Pass<"kiln-tile-and-distribute", "mlir::func::FuncOp"> {
  let summary = "Tile root linalg ops into parallel scf.forall loops and fuse producers";
  let description = [{
    Every linalg op whose result leaves its fusion group (a "root": a
    contraction, convolution, pooling, reduction or the last op of an
    elementwise chain) is tiled along its outer parallel dims into an
    `scf.forall` of about `tiles` iterations, and the linalg producers of its
    operands are fused into the loop body (TilingInterface). The forall
    iterations later run on the runtime's thread pool.

    Before:
    ```mlir
    %0 = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x16xf32>)
                       outs(%fill : tensor<64x16xf32>) -> tensor<64x16xf32>
    ```
    After (tiles = 8):
    ```mlir
    %0 = scf.forall (%i) in (8) shared_outs(%o = %empty) -> tensor<64x16xf32> {
      ... linalg.fill + linalg.matmul on an 8x16 slice ...
      scf.forall.in_parallel { tensor.parallel_insert_slice ... }
    }
    ```
  }];
  let options = [
    Option<"tiles", "tiles", "int64_t", /*default=*/"16",
           "Target number of parallel tiles per root op">,
    Option<"minTileWork", "min-tile-work", "int64_t", /*default=*/"4096",
           "Do not split ops whose total iteration count is below this">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def PlanMemoryPass : Pass<"kiln-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place every intermediate buffer in one workspace arena";
  let description = [{
    After bufferization, replaces each static `memref.alloc` of the public
    entry functions by a `memref.view` into a new trailing workspace argument
    (`memref<Nxi8>`). Offsets come from a liveness-based first-fit plan, so
    buffers whose lifetimes do not overlap share memory. The arena size is
    recorded as `kiln.workspace_size` on the function; a run then allocates
    nothing. Dynamic allocations are an error.

    Before:
    ```mlir
    func.func @main(%in: memref<4xf32>, %out: memref<4xf32>) {
      %a = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
      ...
    }
    ```
    After:
    ```mlir
    func.func @main(%in: memref<4xf32>, %out: memref<4xf32>,
                    %ws: memref<64xi8>) attributes {kiln.workspace_size = 64 : i64} {
      %c0 = arith.constant 0 : index
      %a = memref.view %ws[%c0][] : memref<64xi8> to memref<4xf32>
      ...
    }
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment in bytes of every buffer in the arena">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def OutlineParallelPass : Pass<"kiln-outline-parallel", "mlir::ModuleOp"> {
  let summary = "Outline scf.forall bodies into functions run by the thread pool";
  let description = [{
    Each top-level `scf.forall` (after bufferization and memory planning) is
    replaced by a call `@kiln_dispatch_N(%rt, %count, %roots...)` and its body
    moves into `func.func private @kiln_par_N(%iv: index, %roots...)`. The
    roots are the function arguments the body reads through (views, subviews
    and constants are re-created inside the body), so only identity-layout
    memrefs cross the boundary. The emitter defines `kiln_dispatch_N`, which
    calls the runtime's `kiln_rt_parallel_for`. The runtime context is a
    trailing `!llvm.ptr` argument added to the entry function.

    Before:
    ```mlir
    scf.forall (%i) in (4) { ... uses %ws ... }
    ```
    After:
    ```mlir
    %c4 = arith.constant 4 : index
    call @kiln_dispatch_0(%rt, %c4, %ws) : (!llvm.ptr, index, memref<64xi8>) -> ()
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::arith::ArithDialect", "mlir::affine::AffineDialect"];
}

def LowerCopiesPass : Pass<"kiln-lower-copies", "mlir::func::FuncOp"> {
  let summary = "Turn strided memref.copy into loops (no runtime library call)";
  let description = [{
    `memref.copy` between buffers that are not both contiguous would lower
    to a call of MLIR's `memrefCopy` runtime helper, which compiled models do
    not link. Such copies become `linalg.copy` (then loops); contiguous
    copies stay `memref.copy` and become `memcpy`.

    Before:
    ```mlir
    memref.copy %sub, %buf : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
    ```
    After:
    ```mlir
    linalg.copy ins(%sub : memref<4x4xf32, strided<[8, 1]>>) outs(%buf : memref<4x4xf32>)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // KILN_PASSES_CODEGEN_PASSES
