// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// Linear mode: the write indices are checked at run time, then every cache
// position p along the axis takes update[p - w] when 0 <= p - w < s.
// CHECK-LABEL: func.func @tensor_scatter_linear
// CHECK: %[[LO:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[HI:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[LO]], %{{.*}} : i64
// CHECK: cf.assert %[[GE]], "TensorScatter node 'ts': write_indices must be >= 0"
// CHECK: %[[C3:.*]] = arith.constant 3 : i64
// CHECK: %[[LE:.*]] = arith.cmpi sle, %[[HI]], %[[C3]] : i64
// CHECK: cf.assert %[[LE]], "TensorScatter node 'ts': write_indices + 1 (the update's sequence length) must be <= 4 (max_sequence_length)"
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%arg0, %arg2 : tensor<2x1x4x5xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[PAST:.*]]: f32, %[[W:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[I2:.*]] = linalg.index 2 : index
// CHECK: %[[P:.*]] = arith.index_cast %[[I2]] : index to i64
// CHECK: %[[J:.*]] = arith.subi %[[P]], %[[W]] : i64
// CHECK-NOT: arith.remsi
// CHECK: %[[U:.*]] = tensor.extract %arg1
// CHECK: arith.select %{{.*}}, %[[U]], %[[PAST]] : f32
func.func @tensor_scatter_linear(%past: tensor<2x1x4x5xf32>, %upd: tensor<2x1x1x5xf32>, %w: tensor<2xi64>) -> tensor<2x1x4x5xf32> {
  %0 = "onnx.TensorScatter"(%past, %upd, %w) {mode = "linear"} : (tensor<2x1x4x5xf32>, tensor<2x1x1x5xf32>, tensor<2xi64>) -> tensor<2x1x4x5xf32> loc("ts")
  return %0 : tensor<2x1x4x5xf32>
}

// -----

// Circular mode: the update row is (p - w) mod M (non-negative); no checks.
// CHECK-LABEL: func.func @tensor_scatter_circular
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
// CHECK: %[[J:.*]] = arith.subi
// CHECK: %[[M:.*]] = arith.constant 4 : i64
// CHECK: %[[R:.*]] = arith.remsi %[[J]], %[[M]] : i64
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[R]]
// CHECK: %[[A:.*]] = arith.addi %[[R]], %[[M]] : i64
// CHECK: arith.select %[[NEG]], %[[A]], %[[R]] : i64
// CHECK: tensor.extract %arg1
// CHECK: arith.select
func.func @tensor_scatter_circular(%past: tensor<3x4x5xi32>, %upd: tensor<3x2x5xi32>, %w: tensor<3xi64>) -> tensor<3x4x5xi32> {
  %0 = "onnx.TensorScatter"(%past, %upd, %w) {axis = 1 : i64, mode = "circular"} : (tensor<3x4x5xi32>, tensor<3x2x5xi32>, tensor<3xi64>) -> tensor<3x4x5xi32>
  return %0 : tensor<3x4x5xi32>
}

// -----

// No write_indices: the update is written at position 0.
// CHECK-LABEL: func.func @tensor_scatter_no_indices
// CHECK: %[[R:.*]] = tensor.insert_slice %arg1 into %arg0[0, 0, 0, 0] [2, 3, 2, 4] [1, 1, 1, 1] : tensor<2x3x2x4xf16> into tensor<2x3x6x4xf16>
// CHECK: return %[[R]]
func.func @tensor_scatter_no_indices(%past: tensor<2x3x6x4xf16>, %upd: tensor<2x3x2x4xf16>) -> tensor<2x3x6x4xf16> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.TensorScatter"(%past, %upd, %n) : (tensor<2x3x6x4xf16>, tensor<2x3x2x4xf16>, none) -> tensor<2x3x6x4xf16>
  return %0 : tensor<2x3x6x4xf16>
}
