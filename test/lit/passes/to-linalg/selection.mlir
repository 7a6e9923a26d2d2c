// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// NonZero into the declared [rank, 3] result: a sequential loop over the
// elements writes the multi-index of each non-zero one while there is room;
// the count is checked against 3 at run time.
// CHECK-LABEL: func.func @nonzero
// CHECK: %[[R:.*]]:2 = scf.for %[[I:.*]] = %c0 to %c4 step %c1 iter_args(%[[N:.*]] = %c0{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (index, tensor<2x3xi64>)
// CHECK: arith.cmpf une
// CHECK: arith.cmpi ult, %[[N]], %c3
// CHECK: scf.if
// CHECK: arith.divui %[[I]], %c2
// CHECK: arith.remui
// CHECK: tensor.insert
// CHECK: tensor.insert
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[R]]#0, %c3
// CHECK: cf.assert %[[OK]], "NonZero: the number of non-zero input elements is not 3, the result size the model declares"
// CHECK: return %[[R]]#1
func.func @nonzero(%x: tensor<2x2xf32>) -> tensor<2x3xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<2x2xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Compress along axis 1: selected columns are copied as slices.
// CHECK-LABEL: func.func @compress_axis
// CHECK: scf.for {{.*}} to %c3 {{.*}} -> (index, tensor<2x2xf32>)
// CHECK: tensor.extract %arg1
// CHECK: scf.if
// CHECK: tensor.extract_slice %arg0[0, %{{.*}}] [2, 1] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %{{.*}}] [2, 1] [1, 1]
// CHECK: cf.assert {{.*}}"Compress: the number of true conditions is not 2, the result size the model declares"
func.func @compress_axis(%x: tensor<2x3xf32>, %c: tensor<3xi1>) -> tensor<2x2xf32> {
  %0 = "onnx.Compress"(%x, %c) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xi1>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// NonMaxSuppression: per batch and class, candidates in score order, each
// kept unless it overlaps a kept box of its class by more than the IoU
// threshold.
// CHECK-LABEL: func.func @nms
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpi slt
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: cf.assert {{.*}}"NonMaxSuppression: the number of selected boxes is not 2, the result size the model declares"
func.func @nms(%boxes: tensor<1x4x4xf32>, %scores: tensor<1x1x4xf32>, %max: tensor<1xi64>, %iou: tensor<1xf32>) -> tensor<2x3xi64> {
  %none = onnx.None
  %0 = "onnx.NonMaxSuppression"(%boxes, %scores, %max, %iou, %none) : (tensor<1x4x4xf32>, tensor<1x1x4xf32>, tensor<1xi64>, tensor<1xf32>, none) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

func.func @nonzero_dynamic(%x: tensor<2x2xf32>) -> tensor<2x?xi64> {
  // expected-error @+2 {{NonZero node '': the size of its result depends on the input values; compiled models have static shapes, so the graph must declare a static shape for this result}}
  // expected-error @+1 {{failed to legalize operation 'onnx.NonZero'}}
  %0 = "onnx.NonZero"(%x) : (tensor<2x2xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}
