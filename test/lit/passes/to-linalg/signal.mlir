// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// DFT of a real input along a constant axis: a reduction over the input
// samples with cos/sin tables read at (k * n) mod N, then interleaved.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @dft_real
// CHECK: arith.constant dense<[1.000000e+00, 0.000000e+00, -1.000000e+00, 0.000000e+00]> : tensor<4xf64>
// CHECK: arith.constant dense<[0.000000e+00, 1.000000e+00, 0.000000e+00, -1.000000e+00]> : tensor<4xf64>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.remui
// CHECK: tensor.extract
// CHECK: linalg.generic
// CHECK: arith.select
// CHECK-NOT: cf.assert
func.func @dft_real(%x: tensor<2x4x1xf32>) -> tensor<2x4x2xf32> {
  %none = onnx.None
  %axis = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.DFT"(%x, %none, %axis) : (tensor<2x4x1xf32>, none, tensor<i64>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

// -----

// A run-time axis: one lowering per axis that fits the result shape, picked
// by scf.if, the axis asserted.
// CHECK-LABEL: func.func @dft_runtime_axis
// CHECK: tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: cf.assert %{{.*}}, "DFT node 'my_dft': the run-time axis and dft_length must give the declared result shape"
// CHECK: scf.if
// CHECK: linalg.generic
// CHECK: } else {
// CHECK: scf.if
func.func @dft_runtime_axis(%x: tensor<3x4x4x2xf32>, %a: tensor<i64>) -> tensor<3x4x4x2xf32> {
  %none = onnx.None
  %0 = "onnx.DFT"(%x, %none, %a) {inverse = 1 : i64} : (tensor<3x4x4x2xf32>, none, tensor<i64>) -> tensor<3x4x4x2xf32> loc("my_dft")
  return %0 : tensor<3x4x4x2xf32>
}

// -----

// Inverse onesided (irfft): one real output, 1/N scaling.
// CHECK-LABEL: func.func @dft_irfft
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.ori
// CHECK: linalg.generic
// CHECK: arith.constant 1.250000e-01 : f64
// CHECK: -> tensor<2x8x1xf32>
func.func @dft_irfft(%x: tensor<2x5x2xf32>) -> tensor<2x8x1xf32> {
  %none = onnx.None
  %axis = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.DFT"(%x, %none, %axis) {inverse = 1 : i64, onesided = 1 : i64} : (tensor<2x5x2xf32>, none, tensor<i64>) -> tensor<2x8x1xf32>
  return %0 : tensor<2x8x1xf32>
}

// -----

// STFT with a run-time frame_length and onesided output of 3 bins: frame
// lengths 4 and 5 both fit, one lowering each.
// CHECK-LABEL: func.func @stft_runtime_length
// CHECK: cf.assert %{{.*}}, "STFT node 'stft': frame_step must be positive"
// CHECK: cf.assert %{{.*}}, "STFT node 'stft': frame_step and frame_length must give the declared result shape"
// CHECK: scf.if
// CHECK: tensor<4xf64>
// CHECK: } else {
// CHECK: tensor<5xf64>
func.func @stft_runtime_length(%s: tensor<1x16x1xf32>, %step: tensor<i64>, %len: tensor<i64>) -> tensor<1x3x3x2xf32> {
  %none = onnx.None
  %0 = "onnx.STFT"(%s, %step, %none, %len) : (tensor<1x16x1xf32>, tensor<i64>, none, tensor<i64>) -> tensor<1x3x3x2xf32> loc("stft")
  return %0 : tensor<1x3x3x2xf32>
}

// -----

// Windows are constants of the declared length; the run-time size is
// asserted.
// CHECK-LABEL: func.func @hann
// CHECK: cf.assert %{{.*}}, "HannWindow node 'w': size must be 4 (the declared output length)"
// CHECK: arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 5.000000e-01]> : tensor<4xf32>
func.func @hann(%n: tensor<i32>) -> tensor<4xf32> {
  %0 = "onnx.HannWindow"(%n) : (tensor<i32>) -> tensor<4xf32> loc("w")
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @blackman_symmetric
// CHECK: arith.constant dense<[-1.38777878E-17, 1.000000e+00, -1.38777878E-17]> : tensor<3xf32>
func.func @blackman_symmetric(%n: tensor<i64>) -> tensor<3xf32> {
  %0 = "onnx.BlackmanWindow"(%n) {periodic = 0 : i64} : (tensor<i64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @mel
// CHECK: cf.assert %{{.*}}, "MelWeightMatrix node 'mel': num_mel_bins must be 4 (the declared output shape)"
// CHECK: cf.assert %{{.*}}, "MelWeightMatrix node 'mel': dft_length / 2 + 1 must be 5 (the declared output shape)"
// CHECK: math.log1p
// CHECK: linalg.generic
// CHECK: math.expm1
// CHECK: math.floor
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK: -> tensor<5x4xf32>
func.func @mel(%m: tensor<i32>, %d: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<5x4xf32> {
  %0 = "onnx.MelWeightMatrix"(%m, %d, %r, %lo, %hi) : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<5x4xf32> loc("mel")
  return %0 : tensor<5x4xf32>
}
