// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-vectorize{vector-bits=256 matmul-rows=4 matmul-vectors=2}))' --split-input-file | FileCheck %s

// A matmul becomes 4x16 register tiles: the K loop carries 4 accumulator
// rows of 16 lanes (2 registers of 8 each) and does FMAs; no linalg op is
// left.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>) -> tensor<8x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// -----

// Elementwise ops: the innermost dim by the vector width, the remainder
// peeled to a smaller static vector.
// CHECK-LABEL: func.func @elementwise
// CHECK: math.sqrt {{.*}} : vector<8xf32>
// CHECK: math.sqrt {{.*}} : vector<4xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<3x12xf32>) -> tensor<3x12xf32> {
  %e = tensor.empty() : tensor<3x12xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x12xf32>) outs(%e : tensor<3x12xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.sqrt %a : f32
    linalg.yield %t : f32
  } -> tensor<3x12xf32>
  return %r : tensor<3x12xf32>
}

// -----

// Booleans are bytes in memory but bits in an LLVM vector: ops on i1 stay
// scalar; so do gathers (tensor.extract in the body).
// CHECK-LABEL: func.func @select_bool
// CHECK: linalg.generic
// CHECK-NOT: vector<
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @select_bool(%c: tensor<2x8xi1>, %x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%c, %x, %y : tensor<2x8xi1>, tensor<2x8xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%p: i1, %a: f32, %b: f32, %o: f32):
    %s = arith.select %p, %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// A matmul on a weight reads the weight packed at compile time in panels
// [N/16][K][16] (here [2][2][16]: the first panel holds columns 0-15 of
// both rows), through a generic contraction on the result viewed as
// [M, N/16, 16]; its register tiles (4 rows x one panel) still do FMAs
// with the accumulators carried by the K loop.
// CHECK-LABEL: func.func @weight_matmul
// CHECK: arith.constant dense_resource<kiln_packed{{.*}}> : tensor<2x2x16xf32>
// CHECK-NOT: linalg.matmul
// CHECK: tensor.expand_shape {{.*}} into tensor<8x2x16xf32>
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<8x32xf32>
func.func @weight_matmul(%a: tensor<8x2xf32>) -> tensor<8x32xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0], [32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]> : tensor<2x32xf32>
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x2xf32>, tensor<2x32xf32>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// -----

// A matmul on an input with at least 8 rows and a depth of at least 64
// packs its right-hand side at run time: a transposing copy of the
// [K, N/16, 16] view into panels [N/16][K][16] (vectorized along the panel
// rows), then the same kernel.
// CHECK-LABEL: func.func @input_matmul
// CHECK: tensor.expand_shape %{{.*}} into tensor<64x2x16xf32>
// CHECK: tensor.empty() : tensor<2x64x16xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<64x2x16xf32>, vector<8xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x1x8xf32>
// CHECK-NOT: linalg.matmul
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @input_matmul(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>) -> tensor<8x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// -----

// A shallower one (K = 2: a few-channel expand conv) is not packed: its
// tile columns stay in L1 as they are; the FMAs read it in place.
// CHECK-LABEL: func.func @shallow_input_matmul
// CHECK-NOT: tensor.expand_shape
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
// CHECK: vector.transfer_read %arg1[{{.*}}]{{.*}} : tensor<2x32xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @shallow_input_matmul(%a: tensor<8x2xf32>, %b: tensor<2x32xf32>) -> tensor<8x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x2xf32>, tensor<2x32xf32>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// -----

// erf, exp and tanh become polynomials in vector arithmetic (no libm call
// per lane later).
// CHECK-LABEL: func.func @math_polynomials
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: return
func.func @math_polynomials(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.erf %x : vector<8xf32>
  %1 = math.exp %0 : vector<8xf32>
  %2 = math.tanh %1 : vector<8xf32>
  return %2 : vector<8xf32>
}

// -----

// An im2col (a window copy: the input read at oh + kh, ow + kw) copies runs
// of 8 along the output width with vector transfers; nothing stays scalar.
// CHECK-LABEL: func.func @im2col
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x2x10x10xf32>, vector<8xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8xf32>
// CHECK-NOT: linalg.generic
func.func @im2col(%x: tensor<1x2x10x10xf32>) -> tensor<2x3x3x8x8xf32> {
  %e = tensor.empty() : tensor<2x3x3x8x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(c, kh, kw, oh, ow) -> (0, c, oh + kh, ow + kw)>,
                                        affine_map<(c, kh, kw, oh, ow) -> (c, kh, kw, oh, ow)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x10x10xf32>) outs(%e : tensor<2x3x3x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x3x3x8x8xf32>
  return %r : tensor<2x3x3x8x8xf32>
}

// -----

// With stride 2 the run is a strided slice of the input row, read as two
// contiguous vectors (the second from the first's last element: both within
// the row) whose even lanes a shuffle picks.
// CHECK: #[[NEXT:.*]] = affine_map<(d0) -> (d0 + 7)>
// CHECK-LABEL: func.func @im2col_stride2
// CHECK: %[[A:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[KW:.*]]], %{{.*}} {in_bounds = [true]} : tensor<1x2x17x17xf32>, vector<8xf32>
// CHECK: %[[AT:.*]] = affine.apply #[[NEXT]](%[[KW]])
// CHECK: %[[B:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[AT]]], %{{.*}} {in_bounds = [true]} : tensor<1x2x17x17xf32>, vector<8xf32>
// CHECK: %[[S:.*]] = vector.shuffle %[[A]], %[[B]] [0, 2, 4, 6, 9, 11, 13, 15] : vector<8xf32>, vector<8xf32>
// CHECK: vector.transfer_write %[[S]]
// CHECK-NOT: linalg.generic
func.func @im2col_stride2(%x: tensor<1x2x17x17xf32>) -> tensor<2x3x3x8x8xf32> {
  %e = tensor.empty() : tensor<2x3x3x8x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(c, kh, kw, oh, ow) -> (0, c, oh * 2 + kh, ow * 2 + kw)>,
                                        affine_map<(c, kh, kw, oh, ow) -> (c, kh, kw, oh, ow)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x17x17xf32>) outs(%e : tensor<2x3x3x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x3x3x8x8xf32>
  return %r : tensor<2x3x3x8x8xf32>
}

// -----

// A depthwise conv on 14-wide rows runs whole vectors of 8 and a peeled 6,
// never a vector<14> (two registers with shuffles between them). The
// accumulators stay in registers across the window loops (loop-carried
// vectors, not a load and store per window element).
// CHECK-LABEL: func.func @depthwise_width14
// CHECK-NOT: vector<14xf32>
// CHECK: scf.for {{.*}} to %c3 {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: scf.for {{.*}} to %c3 {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-NOT: vector.transfer_write
// CHECK: arith.addf {{.*}} fastmath<contract> : vector<8xf32>
// CHECK-NOT: vector<14xf32>
// CHECK: arith.addf {{.*}} fastmath<contract> : vector<6xf32>
// CHECK-NOT: vector<14xf32>
func.func @depthwise_width14(%x: tensor<1x16x16x16xf32>, %w: tensor<16x3x3xf32>, %init: tensor<1x16x14x14xf32>) -> tensor<1x16x14x14xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x16x16x16xf32>, tensor<16x3x3xf32>) outs(%init : tensor<1x16x14x14xf32>) -> tensor<1x16x14x14xf32>
  return %r : tensor<1x16x14x14xf32>
}

// -----

// A max pool's register tiles (channels x 8 of the output width) take the
// max of the output row and the stride-2 input row of each window element,
// in vectors; nothing stays a scalar linalg op.
// CHECK-LABEL: func.func @maxpool_stride2
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 9, 11, 13, 15] : vector<8xf32>, vector<8xf32>
// CHECK: arith.maximumf {{.*}} : vector<8xf32>
// CHECK-NOT: linalg.pooling_nchw_max
func.func @maxpool_stride2(%x: tensor<1x4x17x17xf32>, %init: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %win = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : tensor<1x4x17x17xf32>, tensor<3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// A one-row matmul on a weight (a classifier's matrix-vector product) takes
// 4 panels per register tile: 4 accumulator chains (vector<16>, 8 registers)
// through the K loop, not one latency-bound pair.
// CHECK-LABEL: func.func @single_row
// CHECK: scf.for {{.*}} to %c32 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @single_row(%a: tensor<1x32xf32>) -> tensor<1x64xf32> {
  %w = arith.constant dense<0.5> : tensor<32x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64xf32>) -> tensor<1x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<1x32xf32>, tensor<32x64xf32>) outs(%f : tensor<1x64xf32>) -> tensor<1x64xf32>
  return %m : tensor<1x64xf32>
}

// -----

// A weight that reaches the matmul as a 3-D constant, sliced along its last
// dim and collapsed to [K, N] (a conv weight transposed to [C, KH, KW, F] at
// compile time, in a thread tile) is packed at compile time too: the FMAs
// read panel 1 of the packed constant, no copy of the weight is made at run
// time (that copy was ~40% of a 7x7 512-channel conv).
// CHECK-LABEL: func.func @weight_matmul_collapsed
// CHECK: %[[P:.*]] = arith.constant dense_resource<kiln_packed{{.*}}> : tensor<2x2x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: vector.transfer_read %[[P]][%c1, %{{.*}}, %c0]
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @weight_matmul_collapsed(%a: tensor<8x2xf32>) -> tensor<8x16xf32> {
  %w = arith.constant dense<[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]], [[32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]]> : tensor<2x1x32xf32>
  %s = tensor.extract_slice %w[0, 0, 16] [2, 1, 16] [1, 1, 1] : tensor<2x1x32xf32> to tensor<2x1x16xf32>
  %b = tensor.collapse_shape %s [[0, 1], [2]] : tensor<2x1x16xf32> into tensor<2x16xf32>
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x2xf32>, tensor<2x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %m : tensor<8x16xf32>
}

// -----

// A right-hand side computed in the matmul's own thread tile (a fused
// im2col; here a copy) is not packed: the tile's buffer is fresh in cache
// and its rows are as long as the tile is wide. The FMAs read it in place.
// CHECK-LABEL: func.func @in_tile_rhs
// CHECK-NOT: tensor<2x64x16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @in_tile_rhs(%a: tensor<8x64xf32>, %x: tensor<64x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  %r = scf.forall (%i) in (2) shared_outs(%o = %e) -> (tensor<8x64xf32>) {
    %off = affine.apply affine_map<(d0) -> (d0 * 32)>(%i)
    %xs = tensor.extract_slice %x[0, %off] [64, 32] [1, 1] : tensor<64x64xf32> to tensor<64x32xf32>
    %be = tensor.empty() : tensor<64x32xf32>
    %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%xs : tensor<64x32xf32>) outs(%be : tensor<64x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<64x32xf32>
    %os = tensor.extract_slice %o[0, %off] [8, 32] [1, 1] : tensor<8x64xf32> to tensor<8x32xf32>
    %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%os : tensor<8x32xf32>) -> tensor<8x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %m into %o[0, %off] [8, 32] [1, 1] : tensor<8x32xf32> into tensor<8x64xf32>
    }
  }
  return %r : tensor<8x64xf32>
}

// -----

// Matmul columns in whole vectors: 28 columns are 3 x 8 + 4, not a
// 16-column tile and a 12-column one (a vector<12> of shuffles; a
// vector<24> remainder on AVX-512 ran ~15x slower).
// CHECK-LABEL: func.func @matmul_columns_whole_vectors
// CHECK-NOT: vector<16xf32>
// CHECK-NOT: vector<12xf32>
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
// CHECK-NOT: vector<12xf32>
func.func @matmul_columns_whole_vectors(%a: tensor<8x4xf32>, %b: tensor<4x28xf32>) -> tensor<8x28xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x28xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x28xf32>) -> tensor<8x28xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x28xf32>) outs(%f : tensor<8x28xf32>) -> tensor<8x28xf32>
  return %m : tensor<8x28xf32>
}
