// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Ranks: a reduction over a second copy of the axis counting the elements
// that come first (larger; equal with a lower index; NaN above numbers).
// Then position r takes the element whose rank is r.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @topk_largest
// CHECK: %[[RANKS:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[OTHER]], #[[ID]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg0 : tensor<3x4xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<3x4xi64>)
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : index
// CHECK: arith.extui %{{.*}} : i1 to i64
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[OTHER]], #[[OTHER]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %[[RANKS]] : tensor<3x4xf32>, tensor<3x4xi64>) outs(%{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: arith.select
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @topk_largest(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %k = "onnx.Constant"() {value = dense<[2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0:2 = "onnx.TopK"(%x, %k) {axis = -1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// Smallest first along axis 0, unsigned compares; K is a run-time input
// whose value the static result shape fixes.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @topk_smallest_unsigned
// CHECK: %[[K:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xi64>
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[K]], %c3_i64
// CHECK: cf.assert %[[OK]], "TopK: the run-time K must be 3, the size of the compiled result"
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[OTHER]], #[[ID]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg0 : tensor<5x2xi64>, tensor<5x2xi64>)
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<3x2xi64>, tensor<3x2xi64>)
func.func @topk_smallest_unsigned(%x: tensor<5x2xui64>, %k: tensor<1xi64>) -> (tensor<3x2xui64>, tensor<3x2xi64>) {
  %0:2 = "onnx.TopK"(%x, %k) {axis = 0 : i64, largest = 0 : i64} : (tensor<5x2xui64>, tensor<1xi64>) -> (tensor<3x2xui64>, tensor<3x2xi64>)
  return %0#0, %0#1 : tensor<3x2xui64>, tensor<3x2xi64>
}

// -----

func.func @topk_runtime_k(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
  // expected-error @+2 {{TopK: K is known only at run time and the result shape is not static; K must be a constant}}
  // expected-error @+1 {{failed to legalize operation 'onnx.TopK'}}
  %0:2 = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %0#0, %0#1 : tensor<3x?xf32>, tensor<3x?xi64>
}

// -----

func.func @topk_k_too_large(%x: tensor<3x4xf32>) -> (tensor<3x5xf32>, tensor<3x5xi64>) {
  %k = "onnx.Constant"() {value = dense<[5]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+2 {{TopK: K = 5 out of range [0, 4]}}
  // expected-error @+1 {{failed to legalize operation 'onnx.TopK'}}
  %0:2 = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
  return %0#0, %0#1 : tensor<3x5xf32>, tensor<3x5xi64>
}
