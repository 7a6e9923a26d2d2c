// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @resize_nearest
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x4x6xf32>)
// CHECK: math.ceil
// CHECK: tensor.extract %{{.*}} : tensor<1x1x2x3xf32>
func.func @resize_nearest(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x4x6xf32> {
  %n = "onnx.None"() : () -> none
  %s = "onnx.Constant"() {value = dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "onnx.Resize"(%x, %n, %s, %n) {mode = "nearest"} : (tensor<1x1x2x3xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// Bilinear: 4 taps.
// CHECK-LABEL: func.func @resize_linear
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %n = "onnx.None"() : () -> none
  %sz = "onnx.Constant"() {value = dense<[1, 1, 4, 4]> : tensor<4xi64>} : () -> tensor<4xi64>
  %0 = "onnx.Resize"(%x, %n, %n, %sz) {mode = "linear", coordinate_transformation_mode = "align_corners"} : (tensor<1x1x2x2xf32>, none, none, tensor<4xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Bicubic: 16 taps.
// CHECK-LABEL: func.func @resize_cubic
// CHECK: linalg.generic
// CHECK-COUNT-16: tensor.extract
func.func @resize_cubic(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %n = "onnx.None"() : () -> none
  %s = "onnx.Constant"() {value = dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "onnx.Resize"(%x, %n, %s, %n) {mode = "cubic"} : (tensor<1x1x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// Run-time scales: read before the loop, the coefficients computed from them
// (a downsample by 0.6 gives a 1x2 result whose scale is not out/in = 0.5).
// CHECK-LABEL: func.func @resize_runtime_scales
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[SH:.*]] = tensor.extract %[[S:.*]][%[[C2]]] : tensor<4xf32>
// CHECK-NEXT: arith.extf %[[SH]] : f32 to f64
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK-NEXT: tensor.extract %[[S]][%[[C3]]] : tensor<4xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x1x2xf32>)
// CHECK: math.floor
func.func @resize_runtime_scales(%x: tensor<1x1x2x4xf32>, %s: tensor<4xf32>) -> tensor<1x1x1x2xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Resize"(%x, %n, %s, %n) {mode = "linear"} : (tensor<1x1x2x4xf32>, none, tensor<4xf32>, none) -> tensor<1x1x1x2xf32>
  return %0 : tensor<1x1x1x2xf32>
}

// -----

// Run-time sizes with keep_aspect_ratio_policy: the scale is the smallest
// sizes[i] / in[i], computed at run time.
// CHECK-LABEL: func.func @resize_runtime_sizes_not_larger
// CHECK: tensor.extract %{{.*}} : tensor<2xi64>
// CHECK: arith.sitofp
// CHECK: arith.minimumf
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x7x8xf32>)
func.func @resize_runtime_sizes_not_larger(%x: tensor<1x1x4x4xf32>, %sz: tensor<2xi64>) -> tensor<1x1x7x8xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Resize"(%x, %n, %n, %sz) {mode = "nearest", axes = array<i64: 2, 3>, keep_aspect_ratio_policy = "not_larger"} : (tensor<1x1x4x4xf32>, none, none, tensor<2xi64>) -> tensor<1x1x7x8xf32>
  return %0 : tensor<1x1x7x8xf32>
}

// -----

// Run-time roi for tf_crop_and_resize.
// CHECK-LABEL: func.func @resize_runtime_roi
// CHECK: tensor.extract %{{.*}} : tensor<8xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x3x3xf32>)
func.func @resize_runtime_roi(%x: tensor<1x1x4x4xf32>, %roi: tensor<8xf32>) -> tensor<1x1x3x3xf32> {
  %n = "onnx.None"() : () -> none
  %sz = "onnx.Constant"() {value = dense<[1, 1, 3, 3]> : tensor<4xi64>} : () -> tensor<4xi64>
  %0 = "onnx.Resize"(%x, %roi, %n, %sz) {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize"} : (tensor<1x1x4x4xf32>, tensor<8xf32>, none, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Antialias linear downscaling with run-time scales: the size-1 dims stay
// identities; dims 2 and 3 (4 -> 2, so scale >= 0.5) get the taps
// ceil(x) - 1 + [-1, 2] of the filter stretched by 1 / min(scale, 1),
// weights max(1 - |t|, 0) normalized by their sum: 4 x 4 reads.
// CHECK-LABEL: func.func @resize_antialias_linear
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f64
// CHECK: math.ceil
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: arith.divf
// CHECK-COUNT-16: tensor.extract %{{.*}} : tensor<1x1x4x4xf32>
// CHECK-NOT: tensor.extract %{{.*}} : tensor<1x1x4x4xf32>
// CHECK: linalg.yield
func.func @resize_antialias_linear(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<1x1x2x2xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Resize"(%x, %n, %s, %n) {antialias = 1 : i64, mode = "linear"} : (tensor<1x1x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Antialias cubic with constant sizes (scale 3/4 along dims 2, 3): 6 taps
// per dim, Keys weights of |t| <= 1 and 1 < |t| < 2, 0 beyond.
// CHECK-LABEL: func.func @resize_antialias_cubic
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x3x3xf32>)
// CHECK: arith.cmpf ole
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK-COUNT-36: tensor.extract %{{.*}} : tensor<1x1x4x4xf32>
// CHECK-NOT: tensor.extract %{{.*}} : tensor<1x1x4x4xf32>
func.func @resize_antialias_cubic(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32> {
  %n = "onnx.None"() : () -> none
  %sz = "onnx.Constant"() {value = dense<[1, 1, 3, 3]> : tensor<4xi64>} : () -> tensor<4xi64>
  %0 = "onnx.Resize"(%x, %n, %n, %sz) {antialias = 1 : i64, mode = "cubic"} : (tensor<1x1x4x4xf32>, none, none, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}
