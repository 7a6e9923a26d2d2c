// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @gelu_unknown_approximation(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.Gelu'}}
  %0 = "onnx.Gelu"(%a) {approximate = "fast"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Training-mode Dropout (training.mlir) needs f16/bf16/f32/f64 data.
func.func @dropout_training_f8(%x: tensor<4xf8E4M3FN>, %r: tensor<f32>) -> tensor<4xf8E4M3FN> {
  %t = "onnx.Constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  // expected-error @+1 {{failed to legalize operation 'onnx.Dropout'}}
  %0, %1 = "onnx.Dropout"(%x, %r, %t) : (tensor<4xf8E4M3FN>, tensor<f32>, tensor<i1>) -> (tensor<4xf8E4M3FN>, tensor<4xi1>)
  return %0 : tensor<4xf8E4M3FN>
}

// -----

func.func @blocked_quantize_bad_scale(%x: tensor<4x4xf32>, %s: tensor<4x3xf32>) -> tensor<4x4xi8> {
  %none = onnx.None
  // expected-error @+1 {{failed to legalize operation 'onnx.QuantizeLinear'}}
  %0 = "onnx.QuantizeLinear"(%x, %s, %none) {axis = 1 : i64, block_size = 2 : i64, output_dtype = 3 : i64} : (tensor<4x4xf32>, tensor<4x3xf32>, none) -> tensor<4x4xi8>
  return %0 : tensor<4x4xi8>
}

// -----

// Per-channel parameters must be [C].
func.func @batchnorm_training_bad_params(%x: tensor<2x3xf32>, %s: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.BatchNormalization'}}
  %0, %1, %2 = "onnx.BatchNormalization"(%x, %s, %s, %s, %s) {training_mode = 1 : i64} : (tensor<2x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0 : tensor<2x3xf32>
}

// -----

// Run-time axes and a result shape that no reduction of the input has.
func.func @reduce_runtime_axes_bad_shape(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.ReduceSum'}}
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @groupnorm_per_group_scale(%x: tensor<2x6x5xf32>, %s: tensor<2xf32>) -> tensor<2x6x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.GroupNormalization'}}
  %0 = "onnx.GroupNormalization"(%x, %s, %s) {num_groups = 2 : i64} : (tensor<2x6x5xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// -----

func.func @lpnorm_p3(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.LpNormalization'}}
  %0 = "onnx.LpNormalization"(%x) {p = 3 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @cast_string(%x: tensor<2x!onnx.string>) -> tensor<2xf32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.Cast'}}
  %0 = "onnx.Cast"(%x) {to = 1 : i64} : (tensor<2x!onnx.string>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
