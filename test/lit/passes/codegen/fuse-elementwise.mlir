// RUN: kiln-opt %s --kiln-fuse-elementwise --split-input-file | FileCheck %s

// An N-D MatMul lowered as a batch_matmul on collapsed operands stays a
// named batch_matmul: the reshapes are not folded into it.
// CHECK-LABEL: func.func @batch_matmul_4d
// CHECK: tensor.collapse_shape
// CHECK: linalg.batch_matmul
// CHECK: tensor.expand_shape
// CHECK-NOT: linalg.generic
func.func @batch_matmul_4d(%a: tensor<1x12x128x64xf32>, %b: tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32> {
  %cst = arith.constant 0.0 : f32
  %a2 = tensor.collapse_shape %a [[0, 1], [2], [3]] : tensor<1x12x128x64xf32> into tensor<12x128x64xf32>
  %b2 = tensor.collapse_shape %b [[0, 1], [2], [3]] : tensor<1x12x64x128xf32> into tensor<12x64x128xf32>
  %e = tensor.empty() : tensor<12x128x128xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  %m = linalg.batch_matmul ins(%a2, %b2 : tensor<12x128x64xf32>, tensor<12x64x128xf32>) outs(%f : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  %r = tensor.expand_shape %m [[0, 1], [2], [3]] output_shape [1, 12, 128, 128] : tensor<12x128x128xf32> into tensor<1x12x128x128xf32>
  return %r : tensor<1x12x128x128xf32>
}

// -----

// Elementwise producers are still fused into their elementwise consumers.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: math.exp
// CHECK-NOT: linalg.generic
// CHECK: arith.mulf
#id = affine_map<(d0) -> (d0)>
func.func @elementwise_chain(%x: tensor<16xf32>) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %t = math.exp %i : f32
    linalg.yield %t : f32
  } -> tensor<16xf32>
  %b = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%a, %x : tensor<16xf32>, tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %t = arith.mulf %i, %j : f32
    linalg.yield %t : f32
  } -> tensor<16xf32>
  return %b : tensor<16xf32>
}

// -----

// A transposed weight (Gemm transB on an initializer, a resource blob) is
// folded into the transposed constant: [[1, 2, 3], [4, 5, 6]] becomes
// [[1, 4], [2, 5], [3, 6]] (f32 1.0 = 0x3F800000, 4.0 = 0x40800000,
// 2.0 = 0x40000000; blobs start with their alignment).
// CHECK-LABEL: func.func @constant_transpose
// CHECK-NOT: linalg.transpose
// CHECK: arith.constant dense_resource<kiln_transposed{{.*}}> : tensor<3x2xf32>
// CHECK: kiln_transposed{{.*}}: "0x400000000000803F0000804000000040
func.func @constant_transpose() -> tensor<3x2xf32> {
  %c = arith.constant dense_resource<w> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%c : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A conv-as-matmul's activation on (1, F, OH, OW) is collapsed to the
// matmul's [F, OH*OW] (kiln-tile-and-distribute then tiles it with the
// matmul); the reshape moves after it.
// CHECK-LABEL: func.func @matmul_activation
// CHECK: %[[M:.*]] = linalg.matmul
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[M]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape %[[R]] {{.*}} into tensor<1x8x4x4xf32>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @matmul_activation(%w: tensor<8x27xf32>, %x: tensor<27x16xf32>, %init: tensor<8x16xf32>) -> tensor<1x8x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %m = linalg.matmul ins(%w, %x : tensor<8x27xf32>, tensor<27x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %e = tensor.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 8, 4, 4] : tensor<8x16xf32> into tensor<1x8x4x4xf32>
  %o = tensor.empty() : tensor<1x8x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%e : tensor<1x8x4x4xf32>) outs(%o : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %zero : f32
    linalg.yield %v : f32
  } -> tensor<1x8x4x4xf32>
  return %r : tensor<1x8x4x4xf32>
}

// -----

// ... but not when a pad reads the activation (it writes the padded
// tensor's interior, a 4-D strided slice, itself).
// CHECK-LABEL: func.func @matmul_activation_padded
// CHECK: linalg.matmul
// CHECK: tensor.expand_shape
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x8x4x4xf32>)
// CHECK: tensor.pad
#id4p = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @matmul_activation_padded(%w: tensor<8x27xf32>, %x: tensor<27x16xf32>, %init: tensor<8x16xf32>) -> tensor<1x8x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %m = linalg.matmul ins(%w, %x : tensor<8x27xf32>, tensor<27x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %e = tensor.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 8, 4, 4] : tensor<8x16xf32> into tensor<1x8x4x4xf32>
  %o = tensor.empty() : tensor<1x8x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id4p, #id4p], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%e : tensor<1x8x4x4xf32>) outs(%o : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %zero : f32
    linalg.yield %v : f32
  } -> tensor<1x8x4x4xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x4x4xf32> to tensor<1x8x6x6xf32>
  return %p : tensor<1x8x6x6xf32>
}
