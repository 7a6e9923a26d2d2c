// RUN: kiln-opt %s --kiln-shape-inference --split-input-file -verify-diagnostics

func.func @no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand shapes do not broadcast: [2x3] [4x3]}}
  %0 = "onnx.Add"(%a, %b) : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inner dims do not match: 3 vs 4}}
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gemm_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>, %c: tensor<5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inner dims do not match: 2 vs 4}}
  %0 = "onnx.Gemm"(%a, %b, %c) {transA = 1 : i64} : (tensor<2x3xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_two_minus_one(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[-1, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  // expected-error @+1 {{shape has more than one -1}}
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[4, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  // expected-error @+1 {{cannot reshape 6 elements into 8}}
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unsqueeze_axis(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %a = "onnx.Constant"() {value = dense<[3]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{axis 3 out of range for rank 3}}
  %0 = "onnx.Unsqueeze"(%x, %a) : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @squeeze_non_one(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %a = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{cannot squeeze dim 1 of size 3}}
  %0 = "onnx.Squeeze"(%x, %a) : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  // expected-error @+1 {{input channels 3 != weight channels 2 * group 1}}
  %0 = "onnx.Conv"(%x, %w, %n) : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_kernel_too_big(%x: tensor<1x3x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel extent 3 exceeds the padded input size 2 of dim 0}}
  %0 = "onnx.AveragePool"(%x) {kernel_shape = array<i64: 3, 3>} : (tensor<1x3x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inputs disagree on dim 1: 3 vs 4}}
  %0 = "onnx.Concat"(%a, %b) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @split_sum(%x: tensor<10xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[3, 4]> : tensor<2xi64>} : () -> tensor<2xi64>
  // expected-error @+1 {{split sizes sum to 7 but the dim is 10}}
  %0:2 = "onnx.Split"(%x, %s) : (tensor<10xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0 : tensor<*xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<10xf32>) -> tensor<*xf32> {
  %z = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %e = "onnx.Constant"() {value = dense<[5]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{slice step cannot be 0}}
  %0 = "onnx.Slice"(%x, %z, %e, %z, %z) : (tensor<10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @expand_mismatch(%x: tensor<3xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[2, 4]> : tensor<2xi64>} : () -> tensor<2xi64>
  // expected-error @+1 {{input shape does not broadcast to the shape}}
  %0 = "onnx.Expand"(%x, %s) : (tensor<3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @einsum_diagonal(%x: tensor<7x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{label 'i' has sizes 7 and 3}}
  %0 = "onnx.Einsum"(%x) {equation = "ii->i"} : (tensor<7x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @declared_type_contradiction(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{inferred dim 0 = 2 disagrees with the declared dim 4}}
  %0 = "onnx.Relu"(%x) : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gather_nd_too_deep(%x: tensor<2x3xf32>, %i: tensor<4x3xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{indices address 3 dims after 0 batch dims of a rank 2 tensor}}
  %0 = "onnx.GatherND"(%x, %i) : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @topk_too_large(%x: tensor<3x4xf32>) -> tensor<*xf32> {
  %k = "onnx.Constant"() {value = dense<[5]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{k = 5 out of range}}
  %0, %1 = "onnx.TopK"(%x, %k) : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<*xf32>, tensor<*xi64>)
  return %0 : tensor<*xf32>
}

// -----

// A declared result type that contradicts what the operands give.
func.func @declared_type_conflict(%x: tensor<2x3x4xf32>) -> tensor<2x5xf32> {
  %a = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceSum"(%x, %a) {keepdims = 0 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<*xf32>
  // expected-error @+1 {{inferred dim 1 = 4 disagrees with the declared dim 5}}
  %1 = "onnx.Relu"(%0) : (tensor<*xf32>) -> tensor<2x5xf32>
  return %1 : tensor<2x5xf32>
}

// -----

func.func @swiglu_shapes(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{A and B must have the same shape}}
  %0 = "onnx.SwiGLU"(%a, %b) : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @linear_attention_heads(%q: tensor<2x4x24xf32>, %k: tensor<2x4x16xf32>, %v: tensor<2x4x16xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  // expected-error @+1 {{q_num_heads must be a positive multiple of kv_num_heads}}
  %0, %1 = "onnx.LinearAttention"(%q, %k, %v, %n, %n, %n) {q_num_heads = 3 : i64, kv_num_heads = 2 : i64, update_rule = "linear"} : (tensor<2x4x24xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, none, none, none) -> (tensor<*xf32>, tensor<*xf32>)
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}
