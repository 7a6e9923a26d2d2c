// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @causal_conv_bad_activation(%x: tensor<1x2x4xf32>, %w: tensor<2x1x2xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x1xf32>) {
  %n = "onnx.None"() : () -> none
  // expected-error @+2 {{CausalConvWithState: unsupported activation 'relu' (expected 'none', 'silu' or 'swish')}}
  // expected-error @+1 {{failed to legalize operation 'onnx.CausalConvWithState'}}
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %n, %n) {activation = "relu"} : (tensor<1x2x4xf32>, tensor<2x1x2xf32>, none, none) -> (tensor<1x2x4xf32>, tensor<1x2x1xf32>)
  return %0#0, %0#1 : tensor<1x2x4xf32>, tensor<1x2x1xf32>
}

// -----

func.func @causal_conv_bad_past_state(%x: tensor<1x2x4xf32>, %w: tensor<2x1x3xf32>, %p: tensor<1x2x1xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x2xf32>) {
  %n = "onnx.None"() : () -> none
  // expected-error @+2 {{CausalConvWithState: past_state must have shape (1, 2, 2)}}
  // expected-error @+1 {{failed to legalize operation 'onnx.CausalConvWithState'}}
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %n, %p) : (tensor<1x2x4xf32>, tensor<2x1x3xf32>, none, tensor<1x2x1xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x2xf32>)
  return %0#0, %0#1 : tensor<1x2x4xf32>, tensor<1x2x2xf32>
}
