// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// gated_delta with GQA (4 query heads over 2 KV heads), per-key-dim decay and
// a shared beta: exp(decay) before the loop, then per token the decayed
// state, the retrieval S^T k (reduction over d_k), the delta update, the outer
// product and the read q^T S (reduction over d_k), scaled by 1/sqrt(4).
// CHECK-LABEL: func.func @linear_attention_gated_delta_gqa
// CHECK: math.exp
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x2x4x1xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (tensor<2x2x4x8xf32>, tensor<2x3x2x2x8xf32>)
// CHECK: tensor.extract_slice {{.*}} to tensor<2x2x4xf32>
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.subf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: tensor.insert_slice {{.*}} into tensor<2x3x2x2x8xf32>
// CHECK: scf.yield
// CHECK: tensor.collapse_shape {{.*}} into tensor<2x3x32xf32>
func.func @linear_attention_gated_delta_gqa(%q: tensor<2x3x16xf32>, %k: tensor<2x3x8xf32>, %v: tensor<2x3x16xf32>, %g: tensor<2x3x8xf32>, %b: tensor<2x3x1xf32>) -> (tensor<2x3x32xf32>, tensor<2x2x4x8xf32>) {
  %none = onnx.None
  %y, %s = "onnx.LinearAttention"(%q, %k, %v, %none, %g, %b) {q_num_heads = 4 : i64, kv_num_heads = 2 : i64} : (tensor<2x3x16xf32>, tensor<2x3x8xf32>, tensor<2x3x16xf32>, none, tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> (tensor<2x3x32xf32>, tensor<2x2x4x8xf32>)
  return %y, %s : tensor<2x3x32xf32>, tensor<2x2x4x8xf32>
}

// -----

// linear rule in f16 with a past state and an explicit scale: f32 inside the
// loop, the output row rounded to f16 at each token, the state at the end.
// CHECK-LABEL: func.func @linear_attention_linear_f16_past
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK-NOT: math.exp
// CHECK: scf.for
// CHECK-NOT: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: scf.yield
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: return {{.*}} : tensor<1x2x8xf16>, tensor<1x2x4x4xf16>
func.func @linear_attention_linear_f16_past(%q: tensor<1x2x8xf16>, %k: tensor<1x2x8xf16>, %v: tensor<1x2x8xf16>, %p: tensor<1x2x4x4xf16>) -> (tensor<1x2x8xf16>, tensor<1x2x4x4xf16>) {
  %none = onnx.None
  %y, %s = "onnx.LinearAttention"(%q, %k, %v, %p, %none, %none) {q_num_heads = 2 : i64, kv_num_heads = 2 : i64, scale = 0.25 : f32, update_rule = "linear"} : (tensor<1x2x8xf16>, tensor<1x2x8xf16>, tensor<1x2x8xf16>, tensor<1x2x4x4xf16>, none, none) -> (tensor<1x2x8xf16>, tensor<1x2x4x4xf16>)
  return %y, %s : tensor<1x2x8xf16>, tensor<1x2x4x4xf16>
}

// -----

func.func @linear_attention_missing_decay(%q: tensor<1x2x8xf32>, %k: tensor<1x2x8xf32>, %v: tensor<1x2x8xf32>) -> (tensor<1x2x8xf32>, tensor<1x2x4x4xf32>) {
  %none = onnx.None
  // expected-error @+2 {{LinearAttention node '<unnamed>': update_rule 'gated' needs decay input}}
  // expected-error @+1 {{failed to legalize operation 'onnx.LinearAttention'}}
  %y, %s = "onnx.LinearAttention"(%q, %k, %v, %none, %none, %none) {q_num_heads = 2 : i64, kv_num_heads = 2 : i64, update_rule = "gated"} : (tensor<1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>, none, none, none) -> (tensor<1x2x8xf32>, tensor<1x2x4x4xf32>)
  return %y, %s : tensor<1x2x8xf32>, tensor<1x2x4x4xf32>
}

// -----

func.func @linear_attention_bad_rule(%q: tensor<1x2x8xf32>, %k: tensor<1x2x8xf32>, %v: tensor<1x2x8xf32>) -> (tensor<1x2x8xf32>, tensor<1x2x4x4xf32>) {
  %none = onnx.None
  // expected-error @+2 {{update_rule 'softmax' is not one of linear, gated, delta, gated_delta}}
  // expected-error @+1 {{failed to legalize operation 'onnx.LinearAttention'}}
  %y, %s = "onnx.LinearAttention"(%q, %k, %v, %none, %none, %none) {q_num_heads = 2 : i64, kv_num_heads = 2 : i64, update_rule = "softmax"} : (tensor<1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>, none, none, none) -> (tensor<1x2x8xf32>, tensor<1x2x4x4xf32>)
  return %y, %s : tensor<1x2x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// SwiGLU in f16: one generic computing in f32, rounded once.
// CHECK-LABEL: func.func @swiglu_f16
// CHECK: linalg.generic
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK-NOT: linalg.generic
func.func @swiglu_f16(%a: tensor<2x4xf16>, %b: tensor<2x4xf16>) -> tensor<2x4xf16> {
  %y = "onnx.SwiGLU"(%a, %b) {alpha = 0.5 : f32} : (tensor<2x4xf16>, tensor<2x4xf16>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

func.func @swiglu_broadcast(%a: tensor<2x4xf32>, %b: tensor<1x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{A, B and Y must have the same shape (SwiGLU does not broadcast)}}
  // expected-error @+1 {{failed to legalize operation 'onnx.SwiGLU'}}
  %y = "onnx.SwiGLU"(%a, %b) : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
