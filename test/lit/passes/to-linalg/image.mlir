// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// CenterCropPad with a run-time shape: each requested size is asserted to be
// the static result dim; dim 0 is cropped from (20 - 10) / 2 = 5, dim 1 is
// padded by (9 - 8) / 2 = 0 before and 1 after, dim 2 is not in axes.
// CHECK-LABEL: func.func @center_crop_pad
// CHECK: %[[S0:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<2xi64>
// CHECK: %[[C0:.*]] = arith.cmpi eq, %[[S0]], %{{.*}} : i64
// CHECK: cf.assert %[[C0]], "CenterCropPad node: shape[0] must be 10 (the static result shape)"
// CHECK: cf.assert %{{.*}}, "CenterCropPad node: shape[1] must be 9 (the static result shape)"
// CHECK: tensor.extract_slice %{{.*}}[5, 0, 0] [10, 8, 3] [1, 1, 1] : tensor<20x8x3xf32> to tensor<10x8x3xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, 1, 0]
// CHECK: } : tensor<10x8x3xf32> to tensor<10x9x3xf32>
func.func @center_crop_pad(%x: tensor<20x8x3xf32>, %s: tensor<2xi64>) -> tensor<10x9x3xf32> {
  %0 = "onnx.CenterCropPad"(%x, %s) {axes = array<i64: 0, -2>} : (tensor<20x8x3xf32>, tensor<2xi64>) -> tensor<10x9x3xf32>
  return %0 : tensor<10x9x3xf32>
}

// -----

// A constant shape is checked at compile time: no assert. An odd difference
// crops one more element at the end.
// CHECK-LABEL: func.func @center_crop_pad_const
// CHECK-NOT: cf.assert
// CHECK: tensor.extract_slice %{{.*}}[1] [4] [1] : tensor<7xi32> to tensor<4xi32>
// CHECK-NOT: tensor.pad
func.func @center_crop_pad_const(%x: tensor<7xi32>) -> tensor<4xi32> {
  %s = "onnx.Constant"() {value = dense<[4]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.CenterCropPad"(%x, %s) : (tensor<7xi32>, tensor<1xi64>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @center_crop_pad_wrong_const(%x: tensor<7xf32>) -> tensor<4xf32> {
  %s = "onnx.Constant"() {value = dense<[5]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{failed to legalize operation 'onnx.CenterCropPad'}}
  %0 = "onnx.CenterCropPad"(%x, %s) : (tensor<7xf32>, tensor<1xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Col2Im with run-time image and block shapes: the image shape is asserted,
// the block sizes are read once and checked (positive, product K = 5, block
// count L = 15); one generic sums the 5 block offsets (reduction dim) of
// every output pixel, reading X only where a block covers it.
// CHECK-LABEL: func.func @col2im
// CHECK: cf.assert %{{.*}}, "Col2Im node: image_shape[0] must be 5 (the static result shape)"
// CHECK: cf.assert %{{.*}}, "Col2Im node: image_shape[1] must be 5 (the static result shape)"
// CHECK: cf.assert %{{.*}}, "Col2Im node: block_shape values must be positive"
// CHECK: cf.assert %{{.*}}, "Col2Im node: the product of block_shape must be 5 (input dim 1 / result channels)"
// CHECK: cf.assert %{{.*}}, "Col2Im node: the number of sliding blocks must be input dim 2 (15)"
// CHECK: %[[K:.*]] = tensor.empty() : tensor<5xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[K]] : tensor<5xf32>) outs(%{{.*}} : tensor<1x1x5x5xf32>)
// CHECK: arith.remsi
// CHECK: arith.floordivsi
// CHECK: tensor.extract %{{.*}} : tensor<1x5x15xf32>
// CHECK: arith.select
// CHECK: arith.addf
func.func @col2im(%x: tensor<1x5x15xf32>, %i: tensor<2xi64>, %b: tensor<2xi64>) -> tensor<1x1x5x5xf32> {
  %0 = "onnx.Col2Im"(%x, %i, %b) {pads = array<i64: 0, 1, 0, 1>} : (tensor<1x5x15xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}

// -----

func.func @col2im_channels(%x: tensor<1x5x15xf32>, %i: tensor<2xi64>, %b: tensor<2xi64>) -> tensor<1x2x5x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.Col2Im'}}
  %0 = "onnx.Col2Im"(%x, %i, %b) : (tensor<1x5x15xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

// AffineGrid: N and the spatial sizes of `size` are asserted (C is free);
// grid[n, h, w, j] = theta[n, j, 0] * x(w) + theta[n, j, 1] * y(h) +
// theta[n, j, 2] in f64, x(w) = -1 + w * 2 / (W - 1) with align_corners.
// CHECK-LABEL: func.func @affine_grid
// CHECK: cf.assert %{{.*}}, "AffineGrid node: size[0] must be 2 (the static result shape)"
// CHECK: cf.assert %{{.*}}, "AffineGrid node: size[2] must be 5 (the static result shape)"
// CHECK: cf.assert %{{.*}}, "AffineGrid node: size[3] must be 6 (the static result shape)"
// CHECK: linalg.generic
// CHECK: arith.constant 4.000000e-01 : f64
// CHECK: tensor.extract %{{.*}} : tensor<2x2x3xf32>
// CHECK: arith.constant 5.000000e-01 : f64
// CHECK: tensor.extract %{{.*}} : tensor<2x2x3xf32>
// CHECK: tensor.extract %{{.*}} : tensor<2x2x3xf32>
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @affine_grid(%t: tensor<2x2x3xf32>, %s: tensor<4xi64>) -> tensor<2x5x6x2xf32> {
  %0 = "onnx.AffineGrid"(%t, %s) {align_corners = 1 : i64} : (tensor<2x2x3xf32>, tensor<4xi64>) -> tensor<2x5x6x2xf32>
  return %0 : tensor<2x5x6x2xf32>
}

// -----

func.func @affine_grid_1d(%t: tensor<2x1x2xf32>, %s: tensor<3xi64>) -> tensor<2x5x1xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.AffineGrid'}}
  %0 = "onnx.AffineGrid"(%t, %s) : (tensor<2x1x2xf32>, tensor<3xi64>) -> tensor<2x5x1xf32>
  return %0 : tensor<2x5x1xf32>
}

// -----

// An Identity carrying kiln.expected_value (a run-time length shape
// inference assumed) asserts each entry and forwards its input.
// CHECK-LABEL: func.func @expected_value
// CHECK: %[[E0:.*]] = tensor.extract %arg0[%{{.*}}] : tensor<2xi64>
// CHECK: %[[C0:.*]] = arith.cmpi eq, %[[E0]], %{{.*}} : i64
// CHECK: cf.assert %[[C0]], "Slice: ends - starts must be the static result shape (entry 0 must be 10)"
// CHECK: cf.assert %{{.*}}, "Slice: ends - starts must be the static result shape (entry 1 must be 7)"
// CHECK: return %arg0 : tensor<2xi64>
func.func @expected_value(%v: tensor<2xi64>) -> tensor<2xi64> {
  %0 = "onnx.Identity"(%v) {kiln.expected_message = "Slice: ends - starts must be the static result shape", kiln.expected_value = dense<[10, 7]> : tensor<2xi64>} : (tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
