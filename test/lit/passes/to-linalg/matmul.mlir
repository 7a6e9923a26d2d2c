// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @matmul_2d
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[F]] : tensor<2x4xf32>)
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A batched LHS against one matrix folds the batch into the rows.
// CHECK-LABEL: func.func @matmul_batch_lhs
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<5x2x3xf32> into tensor<10x3xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<10x3xf32>, tensor<3x4xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [5, 2, 4] : tensor<10x4xf32> into tensor<5x2x4xf32>
func.func @matmul_batch_lhs(%a: tensor<5x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// Batch dims broadcast (1 vs 5), then collapse into one batch dim.
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x5x3x4xf32>)
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<10x2x3xf32>, tensor<10x3x4xf32>) outs(%{{.*}} : tensor<10x2x4xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<2x5x2x4xf32>
func.func @matmul_broadcast_batch(%a: tensor<2x5x2x3xf32>, %b: tensor<1x5x3x4xf32>) -> tensor<2x5x2x4xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x5x2x3xf32>, tensor<1x5x3x4xf32>) -> tensor<2x5x2x4xf32>
  return %0 : tensor<2x5x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_vec
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x3xf32>, tensor<3x4xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x4xf32> into tensor<4xf32>
func.func @matmul_vec(%a: tensor<3xf32>, %b: tensor<3x4xf32>) -> tensor<4xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer matmul accumulates in the result type.
// CHECK-LABEL: func.func @matmul_i32
// CHECK: %[[Z:.*]] = arith.constant 0 : i32
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3x4xi32>) outs(%{{.*}} : tensor<2x4xi32>)
func.func @matmul_i32(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>) -> tensor<2x4xi32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// Gemm with transB and C: C broadcast into the init, matmul accumulates.
// CHECK-LABEL: func.func @gemm_transb_bias
// CHECK: linalg.transpose ins(%{{.*}} : tensor<4x3xf32>) outs(%{{.*}} : tensor<3x4xf32>) permutation = [1, 0]
// CHECK: %[[INIT:.*]] = linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
func.func @gemm_transb_bias(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.Gemm"(%a, %b, %c) {transB = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// alpha != 1: product into zeros, then alpha * AB + beta * C.
// CHECK-LABEL: func.func @gemm_alpha_beta
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x2xf32>) outs(%{{.*}} : tensor<2x3xf32>) permutation = [1, 0]
// CHECK: linalg.fill
// CHECK: %[[P:.*]] = linalg.matmul
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[P]], %{{.*}} : tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_alpha_beta(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.Gemm"(%a, %b, %c) {transA = 1 : i64, alpha = 2.0 : f32, beta = 0.5 : f32} : (tensor<3x2xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_integer
// CHECK: arith.extui
// CHECK: arith.subi
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3x4xi32>) outs(%{{.*}} : tensor<2x4xi32>)
func.func @matmul_integer(%a: tensor<2x3xui8>, %b: tensor<3x4xi8>, %za: tensor<ui8>) -> tensor<2x4xi32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.MatMulInteger"(%a, %b, %za, %n) : (tensor<2x3xui8>, tensor<3x4xi8>, tensor<ui8>, none) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}
