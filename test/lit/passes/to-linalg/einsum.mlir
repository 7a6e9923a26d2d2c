// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// One linalg.generic: output labels b, i, k parallel, j a reduction.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @einsum_batch_matmul
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<5x2x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[Y]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<5x2x3xf32>, tensor<5x3x4xf32>) outs(%[[F]] : tensor<5x2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @einsum_batch_matmul(%x: tensor<5x2x3xf32>, %y: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "onnx.Einsum"(%x, %y) {equation = "bij, bjk -> bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// A repeated label is the same loop dim twice (the diagonal); no reduction,
// so no accumulator.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @einsum_batch_diagonal
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[OUT]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<3x5x5xf64>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: linalg.yield %[[IN]] : f64
func.func @einsum_batch_diagonal(%x: tensor<3x5x5xf64>) -> tensor<3x5xf64> {
  %0 = "onnx.Einsum"(%x) {equation = "...ii ->...i"} : (tensor<3x5x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

// -----

// Implicit output of "i,i" is a scalar; integers accumulate in their type.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @einsum_inner_prod
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[IN]], #[[OUT]]], iterator_types = ["reduction"]} ins(%arg0, %arg1 : tensor<5xi32>, tensor<5xi32>) outs(%{{.*}} : tensor<i32>)
// CHECK: arith.muli
// CHECK: arith.addi
func.func @einsum_inner_prod(%x: tensor<5xi32>, %y: tensor<5xi32>) -> tensor<i32> {
  %0 = "onnx.Einsum"(%x, %y) {equation = "i,i"} : (tensor<5xi32>, tensor<5xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// bf16 sums accumulate in f32, rounded once at the end.
// CHECK-LABEL: func.func @einsum_sum_bf16
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<3x4xbf16>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @einsum_sum_bf16(%x: tensor<3x4xbf16>) -> tensor<3xbf16> {
  %0 = "onnx.Einsum"(%x) {equation = "ij->i"} : (tensor<3x4xbf16>) -> tensor<3xbf16>
  return %0 : tensor<3xbf16>
}

// -----

// Implicit output "...ik"; the ellipsis dims broadcast (1 against 4, read
// at index 0).
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @einsum_implicit_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[Y]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @einsum_implicit_broadcast(%x: tensor<1x2x3xf32>, %y: tensor<4x3x6xf32>) -> tensor<4x2x6xf32> {
  %0 = "onnx.Einsum"(%x, %y) {equation = "...ij,...jk"} : (tensor<1x2x3xf32>, tensor<4x3x6xf32>) -> tensor<4x2x6xf32>
  return %0 : tensor<4x2x6xf32>
}

// -----

// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @einsum_transpose
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[OUT]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<3x4xf32>) outs(%{{.*}} : tensor<4x3xf32>)
func.func @einsum_transpose(%x: tensor<3x4xf32>) -> tensor<4x3xf32> {
  %0 = "onnx.Einsum"(%x) {equation = "ij->ji"} : (tensor<3x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @einsum_scalar
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = []} ins(%arg0 : tensor<f32>) outs(%{{.*}} : tensor<f32>)
func.func @einsum_scalar(%x: tensor<f32>) -> tensor<f32> {
  %0 = "onnx.Einsum"(%x) {equation = "->"} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @einsum_bad_terms(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{Einsum 'ij,jk->i': the equation has 2 input terms for 1 inputs}}
  // expected-error @+1 {{failed to legalize operation 'onnx.Einsum'}}
  %0 = "onnx.Einsum"(%x) {equation = "ij,jk->i"} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @einsum_bad_output(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{Einsum 'ij->k': output label not in the inputs in 'k'}}
  // expected-error @+1 {{failed to legalize operation 'onnx.Einsum'}}
  %0 = "onnx.Einsum"(%x) {equation = "ij->k"} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
