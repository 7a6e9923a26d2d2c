// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @dft_bad_result(%x: tensor<2x4x1xf32>) -> tensor<2x5x2xf32> {
  %none = onnx.None
  // expected-error @+2 {{DFT: no axis and dft_length give the declared result shape}}
  // expected-error @+1 {{failed to legalize operation 'onnx.DFT'}}
  %0 = "onnx.DFT"(%x, %none, %none) : (tensor<2x4x1xf32>, none, none) -> tensor<2x5x2xf32>
  return %0 : tensor<2x5x2xf32>
}

// -----

func.func @hann_constant_size_mismatch(%x: tensor<2x4x1xf32>) -> tensor<5xf32> {
  %n = "onnx.Constant"() {value = dense<4> : tensor<i64>} : () -> tensor<i64>
  // expected-error @+2 {{size 4 differs from the result length 5}}
  // expected-error @+1 {{failed to legalize operation 'onnx.HannWindow'}}
  %0 = "onnx.HannWindow"(%n) : (tensor<i64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
