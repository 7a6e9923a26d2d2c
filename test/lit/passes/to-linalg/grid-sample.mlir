// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Bilinear, zeros padding: one parallel generic over Y reads both grid
// components (x = component 0 for the last dim), then four taps whose
// out-of-range reads are masked to 0.
// CHECK-LABEL: func.func @gridsample_linear_zeros
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x2x4xf32>)
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[C1]]] : tensor<1x2x4x2xf32>
// CHECK: math.floor
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[C0]]] : tensor<1x2x4x2xf32>
// CHECK: math.floor
// CHECK: arith.cmpf oge
// CHECK: arith.cmpf ole
// CHECK: arith.fptosi
// CHECK: tensor.extract %{{.*}} : tensor<1x1x3x2xf32>
// CHECK: arith.select
// CHECK-COUNT-3: tensor.extract %{{.*}} : tensor<1x1x3x2xf32>
// CHECK: linalg.yield
func.func @gridsample_linear_zeros(%x: tensor<1x1x3x2xf32>, %g: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = "onnx.GridSample"(%x, %g) {mode = "linear", padding_mode = "zeros"} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// Nearest rounds half to even and reads one tap per point; border padding
// clamps the coordinate.
// CHECK-LABEL: func.func @gridsample_nearest_border
// CHECK: math.roundeven
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: math.trunc
// CHECK: math.roundeven
// CHECK: math.trunc
// CHECK-COUNT-1: tensor.extract %{{.*}} : tensor<1x1x3x2x2xf32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @gridsample_nearest_border(%x: tensor<1x1x3x2x2xf32>, %g: tensor<1x2x4x2x3xf32>) -> tensor<1x1x2x4x2xf32> {
  %0 = "onnx.GridSample"(%x, %g) {align_corners = 1 : i64, mode = "nearest", padding_mode = "border"} : (tensor<1x1x3x2x2xf32>, tensor<1x2x4x2x3xf32>) -> tensor<1x1x2x4x2xf32>
  return %0 : tensor<1x1x2x4x2xf32>
}

// -----

// Bicubic with reflection padding: 4 x 4 taps.
// CHECK-LABEL: func.func @gridsample_cubic_reflection
// CHECK-COUNT-16: tensor.extract %{{.*}} : tensor<1x1x3x2xf32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @gridsample_cubic_reflection(%x: tensor<1x1x3x2xf32>, %g: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = "onnx.GridSample"(%x, %g) {mode = "cubic", padding_mode = "reflection"} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

func.func @gridsample_unknown_mode(%x: tensor<1x1x3x2xf32>, %g: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.GridSample'}}
  %0 = "onnx.GridSample"(%x, %g) {mode = "area"} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}
