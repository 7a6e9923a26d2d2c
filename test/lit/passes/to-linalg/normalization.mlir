// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// Inference BatchNormalization: per-channel parameters reshaped to [C,1,1].
// CHECK-LABEL: func.func @batchnorm
// CHECK-COUNT-4: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [3, 1, 1] : tensor<3xf32> into tensor<3x1x1xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: math.rsqrt
// CHECK: arith.subf
func.func @batchnorm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0, %1, %2 = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {epsilon = 1.0e-5 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, none, none)
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// LayerNormalization over the last two dims, with Mean/InvStdDev outputs.
// CHECK-LABEL: func.func @layernorm
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x1xf32>
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.mulf
// CHECK: math.rsqrt
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>, tensor<4xf32>)
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
func.func @layernorm(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>, %b: tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
  %0, %1, %2 = "onnx.LayerNormalization"(%x, %s, %b) {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %0, %1, %2 : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @layernorm_no_bias
// CHECK-NOT: onnx.
// CHECK: return %{{.*}} : tensor<2x4xf32>
func.func @layernorm_no_bias(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  %none = onnx.None
  %0, %1, %2 = "onnx.LayerNormalization"(%x, %s, %none) : (tensor<2x4xf32>, tensor<4xf32>, none) -> (tensor<2x4xf32>, none, none)
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @instancenorm
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: math.rsqrt
func.func @instancenorm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = "onnx.InstanceNormalization"(%x, %s, %b) : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// GroupNormalization: [N, C, H] -> [N, G, C/G, H], statistics per group.
// CHECK-LABEL: func.func @groupnorm
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] output_shape [2, 2, 3, 5] : tensor<2x6x5xf32> into tensor<2x2x3x5xf32>
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<2x2x3x5xf32> into tensor<2x6x5xf32>
func.func @groupnorm(%x: tensor<2x6x5xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<2x6x5xf32> {
  %0 = "onnx.GroupNormalization"(%x, %s, %b) {num_groups = 2 : i64} : (tensor<2x6x5xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// -----

// CHECK-LABEL: func.func @lpnorm
// CHECK: arith.mulf
// CHECK: math.sqrt
// CHECK: arith.divf
func.func @lpnorm(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "onnx.LpNormalization"(%x) : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func.func @mvn
// CHECK: iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: math.sqrt
// CHECK: arith.constant 9.99999971E-10 : f32
func.func @mvn(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = "onnx.MeanVarianceNormalization"(%x) : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// LRN: zero-padded channels, a window reduction, then the power.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d4, d2, d3)>
// CHECK-LABEL: func.func @lrn
// CHECK: tensor.pad %{{.*}} low[0, 1, 0, 0] high[0, 1, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: math.powf
func.func @lrn(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %0 = "onnx.LRN"(%x) {size = 3 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @rmsnorm
// CHECK: math.rsqrt
func.func @rmsnorm(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.RMSNormalization"(%x, %s) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// BatchNormalization in training mode: batch statistics over N and the
// spatial dims normalize Y; the running statistics blend in the batch ones.
// CHECK-LABEL: func.func @batchnorm_training
// CHECK: math.rsqrt
// CHECK: tensor.collapse_shape %{{.*}} : tensor<1x3x1xf32> into tensor<3xf32>
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batchnorm_training(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0:3 = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {epsilon = 1.0e-2 : f32, momentum = 0.9 : f32, training_mode = 1 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}
