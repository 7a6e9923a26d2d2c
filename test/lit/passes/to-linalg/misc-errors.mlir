// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @bitcast_width_mismatch(%x: tensor<4xf32>) -> tensor<4xi64> {
  // expected-error @+1 {{failed to legalize operation 'onnx.BitCast'}}
  %0 = "onnx.BitCast"(%x) {to = 7 : i64} : (tensor<4xf32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @reverse_sequence_same_axes(%x: tensor<4x3xf32>, %l: tensor<4xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.ReverseSequence'}}
  %0 = "onnx.ReverseSequence"(%x, %l) {batch_axis = 0 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
