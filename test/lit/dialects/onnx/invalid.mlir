// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @mismatched_element_types(%a: tensor<2xf32>, %b: tensor<2xf64>) {
  // expected-error @+1 {{element types must match (schema ties them together): 'f32' vs 'f64'}}
  %0 = "onnx.Add"(%a, %b) : (tensor<2xf32>, tensor<2xf64>) -> tensor<*xf32>
  return
}

// -----

func.func @type_not_allowed(%a: tensor<2xi32>) {
  // expected-error @+1 {{operand #0 must be tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values}}
  %0 = "onnx.Sigmoid"(%a) : (tensor<2xi32>) -> tensor<*xi32>
  return
}

// -----

func.func @wrong_arity(%a: tensor<2xf32>) {
  // expected-error @+1 {{expected 2 operands, but found 1}}
  %0 = "onnx.Add"(%a) : (tensor<2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @bad_perm(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{perm is not a permutation of 0..1}}
  %0 = "onnx.Transpose"(%a) {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @perm_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 3 entries for rank 2}}
  %0 = "onnx.Transpose"(%a) {perm = array<i64: 0, 1, 2>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @axis_range(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = "onnx.Softmax"(%a) {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %none = onnx.None
  // expected-error @+1 {{strides values must be positive, got 0}}
  %0 = "onnx.Conv"(%x, %w, %none) {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<*xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %none = onnx.None
  // expected-error @+1 {{pads has 2 values; expected 4}}
  %0 = "onnx.Conv"(%x, %w, %none) {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<*xf32>
  return
}

// -----

func.func @auto_pad(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{unknown auto_pad 'SAME'}}
  %0:2 = "onnx.MaxPool"(%x) {auto_pad = "SAME", kernel_shape = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> (tensor<*xf32>, none)
  return
}

// -----

func.func @conv_rank(%x: tensor<3x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %none = onnx.None
  // expected-error @+1 {{expects an input of rank >= 3, got 2}}
  %0 = "onnx.Conv"(%x, %w, %none) : (tensor<3x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<*xf32>
  return
}
