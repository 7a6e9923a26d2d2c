// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Fixed sampling_ratio 2: the 2 x 2 samples are reduction dims (sized by an
// empty 2x2 operand); each reads the roi, its image and 4 taps of X; a
// second generic divides the sum by the count (4).
// CHECK-LABEL: func.func @roialign_avg
// CHECK: %[[G:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[G]] : tensor<2x2xf32>) outs(%{{.*}} : tensor<3x1x5x5xf32>)
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<3x4xf32>
// CHECK: arith.maximumf
// CHECK: tensor.extract %{{.*}} : tensor<3xi64>
// CHECK: math.floor
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x10x10xf32>
// CHECK: arith.select
// CHECK: arith.addf
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
func.func @roialign_avg(%x: tensor<1x1x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x1x5x5xf32> {
  %0 = "onnx.RoiAlign"(%x, %r, %b) {coordinate_transformation_mode = "output_half_pixel", output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
  return %0 : tensor<3x1x5x5xf32>
}

// -----

// Adaptive grid (sampling_ratio 0): ceil(bin size) samples per dim, looped
// with scf.for in the body; max takes the largest weighted tap.
// CHECK-LABEL: func.func @roialign_adaptive_max
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK: math.ceil
// CHECK: math.ceil
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x10x10xf32>
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: linalg.yield
func.func @roialign_adaptive_max(%x: tensor<1x1x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x1x5x5xf32> {
  %0 = "onnx.RoiAlign"(%x, %r, %b) {mode = "max", output_height = 5 : i64, output_width = 5 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
  return %0 : tensor<3x1x5x5xf32>
}

// -----

func.func @roialign_wrong_output(%x: tensor<1x1x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x1x4x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.RoiAlign'}}
  %0 = "onnx.RoiAlign"(%x, %r, %b) {output_height = 5 : i64, output_width = 5 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x4x5xf32>
  return %0 : tensor<3x1x4x5xf32>
}
