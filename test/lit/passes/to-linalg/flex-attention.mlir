// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// GQA without modifiers: Q and K scaled by sqrt(1/sqrt(8)) in f32, query
// heads grouped per KV head (2 x 3 rows), softmax over the keys, P x V.
// CHECK-LABEL: func.func @flex_gqa
// CHECK: arith.mulf
// CHECK: linalg.transpose
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x6x8xf32>, tensor<2x8x5xf32>)
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x6x5xf32>, tensor<2x5x6xf32>)
// CHECK-NOT: linalg.batch_matmul
func.func @flex_gqa(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x6xf32>) -> tensor<1x4x3x6xf32> {
  %y = "onnx.FlexAttention"(%q, %k, %v) ({
  }, {
  }) : (tensor<1x4x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x6xf32>) -> tensor<1x4x3x6xf32>
  return %y : tensor<1x4x3x6xf32>
}

// -----

// score_mod (a soft cap) runs on the scores before the softmax, prob_mod
// (a scale) on the probabilities after it; their ops are inlined.
// CHECK-LABEL: func.func @flex_modifiers
// CHECK: linalg.batch_matmul
// CHECK: arith.divf
// CHECK: math.tanh
// CHECK: arith.mulf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: linalg.batch_matmul
// CHECK-NOT: onnx.
func.func @flex_modifiers(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %y = "onnx.FlexAttention"(%q, %k, %v) ({
  ^bb0(%p: tensor<1x2x3x3xf32>):
    %h = "onnx.Constant"() {value = dense<5.000000e-01> : tensor<f32>} : () -> tensor<f32>
    %r = "onnx.Mul"(%p, %h) : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
    "onnx.Yield"(%r) : (tensor<1x2x3x3xf32>) -> ()
  }, {
  ^bb0(%s: tensor<1x2x3x3xf32>):
    %c = "onnx.Constant"() {value = dense<2.000000e+00> : tensor<f32>} : () -> tensor<f32>
    %d = "onnx.Div"(%s, %c) : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
    %t = "onnx.Tanh"(%d) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
    %m = "onnx.Mul"(%t, %c) : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
    "onnx.Yield"(%m) : (tensor<1x2x3x3xf32>) -> ()
  }) {scale = 1.000000e-01 : f32} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

// f16: Q * s and K * s rounded to f16, products accumulated in f32, the
// scores rounded to f16 and the softmax computed in f32; Y rounded to f16.
// CHECK-LABEL: func.func @flex_f16
// CHECK: arith.mulf %{{.*}} : f16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x4x8xf32>, tensor<2x8x6xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: math.exp %{{.*}} : f32
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x4x6xf32>, tensor<2x6x8xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @flex_f16(%q: tensor<1x2x4x8xf16>, %k: tensor<1x2x6x8xf16>, %v: tensor<1x2x6x8xf16>) -> tensor<1x2x4x8xf16> {
  %y = "onnx.FlexAttention"(%q, %k, %v) ({
  }, {
  }) : (tensor<1x2x4x8xf16>, tensor<1x2x6x8xf16>, tensor<1x2x6x8xf16>) -> tensor<1x2x4x8xf16>
  return %y : tensor<1x2x4x8xf16>
}

// -----

// A score_mod of the wrong element type (softmax_precision is DOUBLE).
func.func @flex_bad_score_mod(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  // expected-error @+2 {{FlexAttention: score_mod must map 'tensor<1x2x3x3xf64>' to the same type (its input is 'tensor<1x2x3x3xf32>', its output 'tensor<1x2x3x3xf32>')}}
  // expected-error @+1 {{failed to legalize operation 'onnx.FlexAttention'}}
  %y = "onnx.FlexAttention"(%q, %k, %v) ({
  }, {
  ^bb0(%s: tensor<1x2x3x3xf32>):
    "onnx.Yield"(%s) : (tensor<1x2x3x3xf32>) -> ()
  }) {softmax_precision = 11 : i64} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

// GQA needs Hq to be a multiple of Hkv.
func.func @flex_bad_heads(%q: tensor<1x3x3x4xf32>, %k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+2 {{FlexAttention: the number of query heads must be a multiple of the number of key/value heads}}
  // expected-error @+1 {{failed to legalize operation 'onnx.FlexAttention'}}
  %y = "onnx.FlexAttention"(%q, %k, %v) ({
  }, {
  }) : (tensor<1x3x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x3x3x4xf32>
  return %y : tensor<1x3x3x4xf32>
}
