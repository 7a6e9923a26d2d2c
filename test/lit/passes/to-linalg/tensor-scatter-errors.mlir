// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @tensor_scatter_batch_axis(%past: tensor<4x5xf32>, %upd: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %n = "onnx.None"() : () -> none
  // expected-error @+2 {{TensorScatter: axis 0 must name a non-batch dim of the rank-2 cache}}
  // expected-error @+1 {{failed to legalize operation 'onnx.TensorScatter'}}
  %0 = "onnx.TensorScatter"(%past, %upd, %n) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<2x5xf32>, none) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @tensor_scatter_long_update(%past: tensor<2x3x5xf32>, %upd: tensor<2x4x5xf32>, %w: tensor<2xi64>) -> tensor<2x3x5xf32> {
  // expected-error @+2 {{TensorScatter: the update's sequence length (4) exceeds max_sequence_length (3)}}
  // expected-error @+1 {{failed to legalize operation 'onnx.TensorScatter'}}
  %0 = "onnx.TensorScatter"(%past, %upd, %w) {mode = "circular"} : (tensor<2x3x5xf32>, tensor<2x4x5xf32>, tensor<2xi64>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
