//===- Passes.td - CPU code generation passes ---------------*- tablegen -*-===//
#ifndef KILN_PASSES_CODEGEN_PASSES
#define KILN_PASSES_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def FuseElementwisePass : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops and fold reshapes, keeping contractions named";
  let description = [{
    Upstream's elementwise fusion (producer `linalg.generic`s fused into
    their elementwise consumers, constant folding, reshapes folded into
    linalg ops by expansion), except that a reshape is never folded into a
    contraction or a convolution: that would turn a `linalg.batch_matmul`
    whose operands were collapsed from 4-D (an N-D ONNX MatMul) into a 5-D
    `linalg.generic` that `kiln-vectorize` no longer sees as a matmul, so it
    ran as scalar loops (~60x slower for attention-sized products).

    Before:
    ```mlir
    %a2 = tensor.collapse_shape %a [[0, 1], [2], [3]] : tensor<1x12x128x64xf32> into tensor<12x128x64xf32>
    %b2 = tensor.collapse_shape %b [[0, 1], [2], [3]] : tensor<1x12x64x128xf32> into tensor<12x64x128xf32>
    %m = linalg.batch_matmul ins(%a2, %b2 : ...) outs(%fill : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
    %r = tensor.expand_shape %m [[0, 1], [2], [3]] ...
    ```
    After: unchanged (upstream `linalg-fuse-elementwise-ops` makes it one
    5-D `linalg.generic`); elementwise consumers of `%r` are still fused
    with each other.

    Then an elementwise consumer of a `linalg.matmul`'s expanded result (a
    conv's activation or residual add on (1, F, OH, OW)) is collapsed to
    the matmul's 2-D shape, unless a `tensor.pad` reads it:
    `kiln-tile-and-distribute` then tiles it together with the matmul, so
    it runs on each thread tile while that is in cache.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect"];
}

def TileAndDistributePass
    : Pass<"kiln-tile-and-distribute", "mlir::func::FuncOp"> {
  let summary = "Tile root linalg ops into parallel scf.forall loops and fuse producers";
  let description = [{
    Every linalg op whose result leaves its fusion group (a "root": a
    contraction, convolution, pooling, reduction or the last op of an
    elementwise chain) is tiled along its outer parallel dims into an
    `scf.forall` of about `tiles` iterations, and the linalg producers of its
    operands are fused into the loop body (TilingInterface). The forall
    iterations later run on the runtime's thread pool. A producer that the
    tiles need whole (the left-hand side of a matmul split by columns: an
    FFN's activation) is not fused; it is tiled as a root of its own.

    A matmul that kiln-vectorize packs (`panel-width` > 0) first splits off
    the columns beyond its last whole panel, and a group around it splits
    its columns in whole panels, so each tile packs and reads only its own
    panels. When the matmul's left-hand side is over 1 MB (a deep conv's
    weight), a tile keeps at least 6 panels, so that the weight is not
    streamed from L3 for every 16 columns. A direct `conv_2d_nchw_fchw`
    splits its output rows (each tile reads a band of input rows and the
    small weight, not the whole input for a few output channels). An
    elementwise op on (1, F, OH, OW) that reads a matmul's [F, OH*OW]
    result expanded (a conv's activation writing the next conv's padded
    input) splits its output rows in whole panels and fuses the matmul
    through the reshape (extract_slice bubbled up through expand_shape).

    A static `tensor.pad` first becomes a `linalg.fill` of the padded tensor
    and a `linalg.copy` into its interior (or, for a source that a
    single-use elementwise op produces, that op writing the interior), tiled
    like any root (the pad would otherwise be one serial copy). Every loop built carries its
    own number (`kiln.loop`), so that CSE does not merge two loops that
    compute the same tensor (two equal fills) which two ops then write in
    place.

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
           "Do not split ops whose total iteration count is below this">,
    Option<"panelWidth", "panel-width", "int64_t", /*default=*/"0",
           "Columns of a packed weight panel (0: no packing): a group "
           "around a matmul on a weight is split along the weight's "
           "columns, in whole panels">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def VectorizePass : Pass<"kiln-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to register tiles and vectorize them (on tensors)";
  let description = [{
    Runs after kiln-tile-and-distribute, before bufferization. Each linalg
    op (inside the thread tiles or not) is tiled again with `scf.for` to a
    register tile, partial tiles are peeled so all tiles are static, and the
    tiles are vectorized:

    - `linalg.matmul` whose columns are whole panels of nr = `matmul-vectors`
      vectors (f32, static; see passes/codegen/PackedMatmul.h): the
      right-hand side is packed into panels [N/nr][K][nr] (a constant at
      compile time; an activation by a copy in the thread's tile when the
      matmul has at least 8 rows) and the matmul becomes a contraction over
      the panels, tiled K block (~256) -> `matmul-rows` rows -> panel with
      K innermost (a one-row matmul: 4 panels per register tile);
    - other `linalg.matmul` / `linalg.batch_matmul`: `matmul-rows` x
      (`matmul-vectors` vectors) of the result, K by 1;
    - `linalg.conv_2d_nchw_fchw` / `linalg.depthwise_conv_2d_nchw_chw`: one
      output row, a run of output columns (vectors) x a few output channels,
      input channel and window by 1; such a tile is a matmul (a multiply-add
      for depthwise) of the filter column and a (strided) input row;
      `linalg.pooling_nchw_{max,sum}` likewise (a few channels as rows), the
      max / sum of the output row and the input row;
    - fills and elementwise generics: the innermost dim by the vector width.

    Accumulators (transfer_read/transfer_write pairs on loop-carried
    tensors) are hoisted out of the reduction loops, then `vector.contract`
    is lowered to outer products (FMAs), a read of a stride-2 run (the
    input row of a stride-2 window op) becomes two contiguous reads and a
    shuffle of their even lanes, and `math.erf`, `math.exp` and
    `math.tanh` become polynomials in vector arithmetic (within a few ulp). Vector widths and tile sizes come
    from the target (targets/cpu/TileTable.h).

    Before:
    ```mlir
    %0 = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x32xf32>)
                       outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
    ```
    After (vector-bits = 512, matmul-rows = 8, matmul-vectors = 2):
    ```mlir
    %0 = scf.for %i = %c0 to %c16 step %c8 iter_args(%t = %c) -> (tensor<16x32xf32>) {
      %acc = vector.transfer_read %t[%i, %c0], %pad : tensor<16x32xf32>, vector<8x32xf32>
      %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%v = %acc) -> (vector<8x32xf32>) {
        ... vector.transfer_read of a column of %a and a row of %b,
            eight vector.fma on vector<32xf32> ...
      }
      %w = vector.transfer_write %r, %t[%i, %c0] : vector<8x32xf32>, tensor<16x32xf32>
      scf.yield %w : tensor<16x32xf32>
    }
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"128",
           "Bits in one vector register">,
    Option<"matmulRows", "matmul-rows", "int64_t", /*default=*/"4",
           "Rows of a matmul register tile">,
    Option<"matmulVectors", "matmul-vectors", "int64_t", /*default=*/"2",
           "Columns of a matmul register tile, in vectors">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect", "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect"];
}

def CarryInPlacePass : Pass<"kiln-carry-in-place", "mlir::func::FuncOp"> {
  let summary = "Write each loop-carried tensor into its iteration argument";
  let description = [{
    One-shot bufferization keeps a tensor carried by an `scf.for` in one
    buffer only when the yielded value is written into the iteration
    argument's buffer (it refuses the loop otherwise, or would allocate
    every iteration). A yielded tensor computed elsewhere (a fresh
    `tensor.empty` destination, often after canonicalization has replaced
    a fully overwritten destination) is therefore copied into the iteration
    argument with `bufferization.materialize_in_destination` right before
    the yield. Values already written into the argument (through DPS inits,
    `tensor.insert_slice`, `vector.transfer_write` or nested loops) are left
    alone. In an `scf.while` the yielded value goes into the "after"
    argument that the condition forwards the matching "before" argument to.

    Second, a tensor defined outside a loop and written in place inside it
    (a `vector.transfer_write`, `tensor.insert_slice` or DPS init whose
    destination comes from outside) would be one buffer shared by all
    iterations, and the analysis does not always see that a later iteration
    reads what an earlier one overwrote. Each iteration gets its own: a new
    `tensor.empty` when the contents are undefined, otherwise a
    `bufferization.alloc_tensor() copy(...)`. Runs right before
    bufferization.

    Before:
    ```mlir
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%h = %h0) -> (tensor<4xf32>) {
      %e = tensor.empty() : tensor<4xf32>
      %new = linalg.generic ... ins(%h : tensor<4xf32>) outs(%e : tensor<4xf32>)
      scf.yield %new : tensor<4xf32>
    }
    ```
    After:
    ```mlir
      %c = bufferization.materialize_in_destination %new in %h
          : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      scf.yield %c : tensor<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
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

def FoldZeroSizePass : Pass<"kiln-fold-zero-size", "mlir::func::FuncOp"> {
  let summary = "Remove computations on tensors and buffers with no elements";
  let description = [{
    A linalg op with a loop of trip count 0 is replaced by its inits (on
    tensors) or erased (on buffers); any other side-effect free op whose
    results are tensors without elements becomes `tensor.empty`; copies of
    buffers without elements and then unused such buffers are erased. Buffer
    arguments without elements and without uses are retyped to a 1-D
    `memref<0xT>` (upstream's bare-pointer calling convention cannot lower a
    memref whose zero dim is not the first one). Returned tensors without
    elements each get their own `bufferization.alloc_tensor` (one buffer
    returned twice breaks buffer-results-to-out-params). Runs on tensors
    before tiling and again on buffers after bufferization.

    Before:
    ```mlir
    %e = tensor.empty() : tensor<3x0x5xf32>
    %0 = linalg.generic {...} ins(%x : tensor<3x0x5xf32>)
                              outs(%e : tensor<3x0x5xf32>) {...}
    %1 = linalg.generic {...} ins(%x : tensor<3x0x5xf32>)
                              outs(%acc : tensor<3x5xf32>) {...} // reduction
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<3x0x5xf32>
    // uses of %0 read %e, uses of %1 read %acc
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect",
                           "mlir::bufferization::BufferizationDialect"];
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

def LowerChecksPass : Pass<"kiln-lower-checks", "mlir::ModuleOp"> {
  let summary = "Turn run-time checks (cf.assert) into the model's error status";
  let description = [{
    Lowerings check run-time values that the compiled shapes depend on (a
    window's size, Range's bounds, a crop's shape) with `cf.assert`. Instead
    of aborting the program, a failed check makes the run return an error:
    `main` keeps a status word (0, or the 1-based number of the first check
    that failed) and returns it as an extra `i32` result; the checks'
    messages become the module attribute `kiln.check_messages`, which the
    ABI exports so that `kiln_model_run` reports the message. The run goes on
    after a failed check (lowerings compute from the static shapes, so no
    access goes out of bounds); its outputs are unspecified.

    Before:
    ```mlir
    func.func @main(%n: memref<i64>) {
      cf.assert %ok, "HannWindow node 'w': size must be 10"
      return
    }
    ```
    After:
    ```mlir
    func.func @main(%n: memref<i64>) -> i32 {
      %s = memref.alloca() : memref<i32>
      ... store select(not %ok and status == 0, 1, status) ...
      %r = memref.load %s[] : memref<i32>
      return %r : i32
    }
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def PackInterfacePass : Pass<"kiln-pack-interface", "mlir::ModuleOp"> {
  let summary = "Pack int4/uint4/float4 and int2/uint2 tensors at the model interface";
  let description = [{
    Compiled models take and return int4/uint4/float4 tensors packed two
    elements per byte and int2/uint2 four per byte, the first element in the
    lowest bits, the last byte padded with zeros (ONNX's raw_data layout,
    `kiln.h`). Inside, such tensors take one byte per element. Arguments and
    results of public functions with these element types become
    `tensor<ceil(N*bits/8) x i8>`, unpacked at entry and packed before the
    return by `linalg.generic` ops.

    Before:
    ```mlir
    func.func @main(%x: tensor<3xi4>) -> tensor<3xi4>
    ```
    After:
    ```mlir
    func.func @main(%x: tensor<2xi8>) -> tensor<2xi8> {
      %u = linalg.generic ... { tensor.extract %x[i / 2], shift by 4 * (i % 2),
                                arith.trunci to i4 } -> tensor<3xi4>
      ...
      %p = linalg.generic ... { or of the two (zero-extended, shifted)
                                elements of byte i } -> tensor<2xi8>
      return %p : tensor<2xi8>
    }
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def ExpandSmallFloatsPass : Pass<"kiln-expand-small-floats"> {
  let summary = "Expand conversions to bf16 and from/to float8/float4 into integer arithmetic";
  let description = [{
    `arith.truncf` to bf16, float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz,
    e8m0fnu) and float4 (e2m1fn), and `arith.extf` from float8/float4,
    become integer arithmetic on the bit patterns (round to nearest even;
    overflow to infinity, else NaN, else the largest finite value), and
    float8/float4 constants become integer constants and a bitcast. The LLVM
    lowering then needs no conversion builtin (`__truncsfbf2`): nothing for
    bare-metal targets to provide. Truncation to e8m0 takes the exponent
    (Cast rounds to a power of two before).

    Before:
    ```mlir
    %y = arith.truncf %x : f32 to bf16
    ```
    After:
    ```mlir
    %b = arith.bitcast %x : f32 to i32
    ... rounding of the low 16 bits, subnormals, NaN ...
    %y = arith.bitcast %r : i16 to bf16
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // KILN_PASSES_CODEGEN_PASSES
