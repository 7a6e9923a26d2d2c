// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-tile-and-distribute{tiles=4 min-tile-work=1 panel-width=16}))' --split-input-file | FileCheck %s

// An elementwise root splits its outermost dim into 4 tiles.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 0] [2, 32] [1, 1]
// CHECK: math.tanh
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// A matmul on a weight (with its bias epilogue) splits the weight's
// columns in whole 16-column panels: 64 columns are 4 tiles of 16, each
// with all 8 rows; the matmul and its fill fuse into the epilogue's loop.
// CHECK-LABEL: func.func @weight_matmul
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.fill {{.*}} -> tensor<8x16xf32>
// CHECK: linalg.matmul {{.*}} tensor<8x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<8x16xf32>
// CHECK: arith.addf
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @weight_matmul(%a: tensor<8x32xf32>, %bias: tensor<64xf32>) -> tensor<8x64xf32> {
  %w = arith.constant dense<0.5> : tensor<32x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x32xf32>, tensor<32x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %bias : tensor<8x64xf32>, tensor<64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// A matmul on an input with 8 rows (packed at run time) splits its columns
// too: each tile packs only its own panels.
// CHECK-LABEL: func.func @input_matmul
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.matmul {{.*}} tensor<8x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<8x16xf32>
func.func @input_matmul(%a: tensor<8x32xf32>, %w: tensor<32x64xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x32xf32>, tensor<32x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %m : tensor<8x64xf32>
}

// -----

// With fewer rows than packing needs, the rows split.
// CHECK-LABEL: func.func @few_rows_matmul
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.matmul {{.*}} tensor<1x32xf32>, tensor<32x64xf32>{{.*}} -> tensor<1x64xf32>
func.func @few_rows_matmul(%a: tensor<4x32xf32>, %w: tensor<32x64xf32>) -> tensor<4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<4x32xf32>, tensor<32x64xf32>) outs(%f : tensor<4x64xf32>) -> tensor<4x64xf32>
  return %m : tensor<4x64xf32>
}

// -----

// 40 columns of a weight are 2 whole 16-column panels and 8 more: the
// matmul splits in two, the whole panels split among threads in panels, and
// the last 8 columns of the weight become a constant of their own.
// CHECK-LABEL: func.func @weight_matmul_remainder
// CHECK: %[[W:.*]] = arith.constant dense<2.500000e-01> : tensor<32x40xf32>
// CHECK: tensor.extract_slice %[[W]][0, 0] [32, 32] [1, 1]
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.matmul {{.*}} tensor<8x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<8x16xf32>
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: %[[TAIL:.*]] = arith.constant dense<2.500000e-01> : tensor<32x8xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[TAIL]] : tensor<2x32xf32>, tensor<32x8xf32>)
func.func @weight_matmul_remainder(%a: tensor<8x32xf32>) -> tensor<8x40xf32> {
  %w = arith.constant dense<0.25> : tensor<32x40xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x40xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x40xf32>) -> tensor<8x40xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x32xf32>, tensor<32x40xf32>) outs(%f : tensor<8x40xf32>) -> tensor<8x40xf32>
  return %m : tensor<8x40xf32>
}

// -----

// 80 columns of a weight are 5 panels, which no tile count from 2 to 4
// divides: 4 panels split among the 4 tiles, the fifth is a matmul of its
// own (split by rows), each part a constant of its own.
// CHECK-LABEL: func.func @weight_matmul_prime_panels
// CHECK: arith.constant dense<2.500000e-01> : tensor<32x64xf32>
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.matmul {{.*}} tensor<8x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<8x16xf32>
// CHECK: arith.constant dense<2.500000e-01> : tensor<32x16xf32>
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.matmul {{.*}} tensor<2x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<2x16xf32>
func.func @weight_matmul_prime_panels(%a: tensor<8x32xf32>) -> tensor<8x80xf32> {
  %w = arith.constant dense<0.25> : tensor<32x80xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x80xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x80xf32>) -> tensor<8x80xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x32xf32>, tensor<32x80xf32>) outs(%f : tensor<8x80xf32>) -> tensor<8x80xf32>
  return %m : tensor<8x80xf32>
}

// -----

// The same for one row (a classifier's matrix-vector product): the panel
// left over has no rows to split and stays whole, not split into column
// tiles narrower than a panel.
// CHECK-LABEL: func.func @vector_weight_prime_panels
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.matmul {{.*}} tensor<1x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<1x16xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul {{.*}} tensor<1x32xf32>, tensor<32x16xf32>{{.*}} -> tensor<1x16xf32>
// CHECK-NOT: scf.forall
// CHECK: return
func.func @vector_weight_prime_panels(%a: tensor<1x32xf32>) -> tensor<1x80xf32> {
  %w = arith.constant dense<0.25> : tensor<32x80xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x80xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x80xf32>) -> tensor<1x80xf32>
  %m = linalg.matmul ins(%a, %w : tensor<1x32xf32>, tensor<32x80xf32>) outs(%f : tensor<1x80xf32>) -> tensor<1x80xf32>
  return %m : tensor<1x80xf32>
}

// -----

// A left-hand side over 1 MB (a deep conv's weight, 256 x 2304 floats)
// keeps at least 6 panels per tile: 192 columns are 2 tiles of 96, not 4
// of 48.
// CHECK-LABEL: func.func @deep_matmul
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.matmul {{.*}} tensor<256x2304xf32>, tensor<2304x96xf32>{{.*}} -> tensor<256x96xf32>
func.func @deep_matmul(%w: tensor<256x2304xf32>, %x: tensor<2304x192xf32>) -> tensor<256x192xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x192xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<256x192xf32>) -> tensor<256x192xf32>
  %m = linalg.matmul ins(%w, %x : tensor<256x2304xf32>, tensor<2304x192xf32>) outs(%f : tensor<256x192xf32>) -> tensor<256x192xf32>
  return %m : tensor<256x192xf32>
}

// -----

// A pad becomes a parallel fill of the padded tensor and a parallel copy
// into its interior (bufferized in place); each loop carries its own
// number, so that CSE keeps two equal fills apart.
// CHECK-LABEL: func.func @pad
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs
// CHECK: linalg.fill
// CHECK: } {kiln.loop = 1 : i64}
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs
// CHECK: linalg.copy ins(%{{.*}} : tensor<1x8x8xf32>) outs(%{{.*}} : tensor<1x8x8xf32>)
// CHECK: } {kiln.loop = 0 : i64}
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1] [4, 8, 8] [1, 1, 1]
// CHECK-NOT: tensor.pad
func.func @pad(%x: tensor<4x8x8xf32>) -> tensor<4x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<4x8x8xf32> to tensor<4x10x10xf32>
  return %p : tensor<4x10x10xf32>
}

// -----

// An elementwise op used only by a pad writes the padded tensor's interior
// itself: no copy.
// CHECK-LABEL: func.func @pad_of_elementwise
// CHECK: linalg.fill
// CHECK: scf.forall
// CHECK: math.tanh
// CHECK-NOT: linalg.copy
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1] [4, 8, 8] [1, 1, 1]
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @pad_of_elementwise(%x: tensor<4x8x8xf32>) -> tensor<4x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8x8xf32>
  %t = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<4x8x8xf32>) outs(%e : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = math.tanh %a : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %p = tensor.pad %t low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<4x8x8xf32> to tensor<4x10x10xf32>
  return %p : tensor<4x10x10xf32>
}

// -----

// A direct convolution splits its output rows: each tile reads a band of
// input rows (and the whole weight), not the whole input for a few output
// channels.
// CHECK-LABEL: func.func @direct_conv
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, %{{.*}}, 0] [1, 8, 6, 18] [1, 1, 1, 1] : tensor<1x8x18x18xf32> to tensor<1x8x6x18xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} outs(%{{.*}} : tensor<1x16x4x16xf32>)
func.func @direct_conv(%x: tensor<1x8x18x18xf32>, %w: tensor<16x8x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// -----

// An FFN: the second matmul splits its columns and needs all of its
// left-hand side, so the activation (and the first matmul under it) cannot
// fuse into its tiles; they become a root of their own, tiled in their own
// loop -- not left serial.
// CHECK-LABEL: func.func @ffn
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.matmul {{.*}} : tensor<16x32xf32>, tensor<32x16xf32>) outs(%{{.*}} : tensor<16x16xf32>)
// CHECK: math.tanh
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.matmul {{.*}} : tensor<16x64xf32>, tensor<64x16xf32>) outs(%{{.*}} : tensor<16x16xf32>)
// CHECK-NOT: linalg.matmul
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @ffn(%x: tensor<16x32xf32>, %w1: tensor<32x64xf32>, %w2: tensor<64x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<16x64xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<16x32xf32>, tensor<32x64xf32>) outs(%f1 : tensor<16x64xf32>) -> tensor<16x64xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<16x64xf32>) outs(%e1 : tensor<16x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<16x64xf32>
  %e2 = tensor.empty() : tensor<16x32xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<16x64xf32>, tensor<64x32xf32>) outs(%f2 : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// A conv's activation on (1, F, OH, OW) that reads the matmul's [F, OH*OW]
// expanded (it writes the next conv's padded input, so it stays 4-D) splits
// its output rows in whole panels (2 rows x 8 = 16 columns) and fuses the
// matmul through the reshape: one loop, no whole-tensor matmul result.
// CHECK-LABEL: func.func @activation_of_expanded_matmul
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: %[[M:.*]] = linalg.matmul {{.*}} : tensor<8x32xf32>, tensor<32x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[M]] {{.*}} into tensor<1x8x2x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[E]] : tensor<1x8x2x8xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: scf.forall (
// CHECK-NOT: linalg.matmul
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @activation_of_expanded_matmul(%w: tensor<8x32xf32>, %x: tensor<32x64xf32>) -> tensor<1x8x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%w, %x : tensor<8x32xf32>, tensor<32x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  %v = tensor.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 8, 8, 8] : tensor<8x64xf32> into tensor<1x8x8x8xf32>
  %o = tensor.empty() : tensor<1x8x8x8xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v : tensor<1x8x8x8xf32>) outs(%o : tensor<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.maximumf %in, %zero : f32
    linalg.yield %a : f32
  } -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

// A conv's im2col [C, KH, KW, OH, OW], read by the matmul as [C*KH*KW,
// OH*OW], fuses into the matmul's column tiles when a tile is whole output
// rows (16 columns = 1 row of 16): each tile copies the 3 input rows its output
// row needs, not the whole im2col in a loop of its own.
// CHECK-LABEL: func.func @im2col_matmul
// CHECK: scf.forall (%[[T:.*]]) in (4)
// CHECK: tensor.extract_slice %arg0[0, 0, %[[T]], 0] [1, 2, 3, 18]
// CHECK: linalg.generic
// CHECK: } -> tensor<2x3x3x1x16xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<18x16xf32>
// CHECK: linalg.matmul {{.*}} tensor<8x18xf32>, tensor<18x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @im2col_matmul(%x: tensor<1x2x6x18xf32>) -> tensor<8x64xf32> {
  %w = arith.constant dense<0.5> : tensor<8x18xf32>
  %e = tensor.empty() : tensor<2x3x3x4x16xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(c, kh, kw, oh, ow) -> (0, c, oh + kh, ow + kw)>, affine_map<(c, kh, kw, oh, ow) -> (c, kh, kw, oh, ow)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x6x18xf32>) outs(%e : tensor<2x3x3x4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x3x4x16xf32>
  %b = tensor.collapse_shape %cols [[0, 1, 2], [3, 4]] : tensor<2x3x3x4x16xf32> into tensor<18x64xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%w, %b : tensor<8x18xf32>, tensor<18x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %m : tensor<8x64xf32>
}

// -----

// The same when the columns (6 x 4 = 24) are not whole 16-column panels:
// not split at a panel boundary (16 + 8 columns, the im2col with two
// readers, materialized), but cut into tiles of whole rows that are whole
// half-panel vectors (2 rows = 8 columns), the im2col fused into each.
// CHECK-LABEL: func.func @im2col_matmul_row_tiles
// CHECK: scf.forall (%{{.*}}) in (3)
// CHECK: linalg.generic
// CHECK: } -> tensor<2x3x3x2x4xf32>
// CHECK: linalg.matmul {{.*}} tensor<8x18xf32>, tensor<18x8xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall
// CHECK: return
func.func @im2col_matmul_row_tiles(%x: tensor<1x2x8x6xf32>) -> tensor<8x24xf32> {
  %w = arith.constant dense<0.5> : tensor<8x18xf32>
  %e = tensor.empty() : tensor<2x3x3x6x4xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(c, kh, kw, oh, ow) -> (0, c, oh + kh, ow + kw)>, affine_map<(c, kh, kw, oh, ow) -> (c, kh, kw, oh, ow)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x8x6xf32>) outs(%e : tensor<2x3x3x6x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x3x6x4xf32>
  %b = tensor.collapse_shape %cols [[0, 1, 2], [3, 4]] : tensor<2x3x3x6x4xf32> into tensor<18x24xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<8x24xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8x24xf32>) -> tensor<8x24xf32>
  %m = linalg.matmul ins(%w, %b : tensor<8x18xf32>, tensor<18x24xf32>) outs(%f : tensor<8x24xf32>) -> tensor<8x24xf32>
  return %m : tensor<8x24xf32>
}
