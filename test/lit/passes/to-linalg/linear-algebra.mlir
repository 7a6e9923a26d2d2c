// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// Det: LU with partial pivoting of the whole batch, one scf.for step per
// pivot column, f16 factored in f32.
// CHECK-LABEL: func.func @det_batch_f16
// CHECK: %[[DET0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: %[[R:.*]]:2 = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[M:.*]] = %[[A]], %[[D:.*]] = %[[DET0]]) -> (tensor<3x2x2xf32>, tensor<3xf32>)
// CHECK: %[[COL:.*]] = tensor.extract_slice %[[M]][0, 0, %[[K]]] [3, 2, 1] [1, 1, 1] : tensor<3x2x2xf32> to tensor<3x2xf32>
// Pivot search: the largest |A[i, k]| with i >= k.
// CHECK: %[[PIV:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[COL]] : tensor<3x2xf32>)
// CHECK: arith.cmpi sge
// CHECK: math.absf
// CHECK: arith.cmpf ogt
// Determinant times the pivot, negated after a swap.
// CHECK: linalg.generic {{.*}} ins(%[[PIV]]#1, %[[D]] : tensor<3xi64>, tensor<3xf32>)
// CHECK: tensor.extract %[[M]]
// CHECK: arith.negf
// CHECK: arith.mulf
// Swap and eliminate.
// CHECK: linalg.generic {{.*}} ins(%[[PIV]]#1 : tensor<3xi64>) outs(%{{.*}} : tensor<3x2x2xf32>)
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: scf.yield
// CHECK: linalg.generic {{.*}} ins(%[[R]]#1 : tensor<3xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @det_batch_f16(%x: tensor<3x2x2xf16>) -> tensor<3xf16> {
  %0 = "onnx.Det"(%x) : (tensor<3x2x2xf16>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

// One matrix: the (1) determinant collapses to a scalar.
// CHECK-LABEL: func.func @det_2d
// CHECK: scf.for
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1xf32> into tensor<f32>
func.func @det_2d(%x: tensor<2x2xf32>) -> tensor<f32> {
  %0 = "onnx.Det"(%x) : (tensor<2x2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
