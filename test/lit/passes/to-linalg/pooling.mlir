// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @maxpool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]]
// CHECK: %[[F:.*]] = linalg.fill ins(%[[NINF]] : f32)
// CHECK: %[[W:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x2x10x10xf32>, tensor<3x3xf32>) outs(%[[F]] : tensor<1x2x4x4xf32>)
func.func @maxpool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %0, %1 = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>) -> (tensor<1x2x4x4xf32>, none)
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// ceil_mode: the end pad grows so that the last window fits.
// CHECK-LABEL: func.func @maxpool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_max
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x3x3xf32>)
func.func @maxpool_ceil(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32> {
  %0, %1 = "onnx.MaxPool"(%x) {ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x1x6x6xf32>) -> (tensor<1x1x3x3xf32>, none)
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// 3-D pools use a generic with the pooling indexing.
// CHECK-LABEL: func.func @maxpool_3d
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @maxpool_3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x3x3xf32> {
  %0, %1 = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 2, 2, 2>} : (tensor<1x1x4x4x4xf32>) -> (tensor<1x1x3x3x3xf32>, none)
  return %0 : tensor<1x1x3x3x3xf32>
}

// -----

// No pads: divide by the window size.
// CHECK-LABEL: func.func @avgpool
// CHECK: linalg.pooling_nchw_sum
// CHECK: %[[D:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[D]]
func.func @avgpool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = "onnx.AveragePool"(%x) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Pads without count_include_pad: per-position divisors as a constant.
// CHECK-LABEL: func.func @avgpool_pads
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: arith.divf
func.func @avgpool_pads(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = "onnx.AveragePool"(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @lppool
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.sqrt
func.func @lppool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32> {
  %0 = "onnx.LpPool"(%x) {kernel_shape = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @global_avg
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: arith.constant 2.000000e+01 : f32
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x1x1xf32>
func.func @global_avg(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32> {
  %0 = "onnx.GlobalAveragePool"(%x) : (tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @global_max
// CHECK: arith.maximumf
func.func @global_max(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32> {
  %0 = "onnx.GlobalMaxPool"(%x) : (tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// MaxPool with Indices: one generic over (N, C, out spatial, kernel) reads
// in-bounds window positions and keeps the first max and its flat index.
// CHECK-LABEL: func.func @maxpool_indices
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
// CHECK: tensor.extract %{{.*}} : tensor<1x1x5x5xf32>
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i64
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @maxpool_indices(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>) {
  %0:2 = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 5, 5>, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
  return %0#0, %0#1 : tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>
}

// -----

// MaxUnpool: X's elements written in order at their flat indices into a zero
// tensor (indices unraveled in MaxPool's input shape, 4x4 here).
// CHECK-LABEL: func.func @maxunpool
// CHECK: linalg.fill
// CHECK: scf.for
// CHECK: arith.remsi
// CHECK: arith.divsi
// CHECK: scf.if
// CHECK: tensor.insert %{{.*}} : tensor<1x1x4x4xf32>
func.func @maxunpool(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32> {
  %none = onnx.None
  %0 = "onnx.MaxUnpool"(%x, %i, %none) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}
