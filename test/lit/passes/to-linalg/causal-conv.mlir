// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// No past_state: the input goes after k - 1 zeros; no bias: a zero init;
// present_state is the last k - 1 positions of the padded sequence.
// CHECK-LABEL: func.func @causal_conv_basic
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4x11xf32>)
// CHECK: %[[P:.*]] = tensor.insert_slice %arg0 into %[[Z]][0, 0, 3] [2, 4, 8] [1, 1, 1] : tensor<2x4x8xf32> into tensor<2x4x11xf32>
// CHECK: %[[I:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4x8xf32>)
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2]] : tensor<4x1x4xf32> into tensor<4x4xf32>
// CHECK: %[[C:.*]] = linalg.depthwise_conv_1d_ncw_cw {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%[[P]], %[[W]] : tensor<2x4x11xf32>, tensor<4x4xf32>) outs(%[[I]] : tensor<2x4x8xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[S:.*]] = tensor.extract_slice %[[P]][0, 0, 8] [2, 4, 3] [1, 1, 1] : tensor<2x4x11xf32> to tensor<2x4x3xf32>
// CHECK: return %[[C]], %[[S]]
func.func @causal_conv_basic(%x: tensor<2x4x8xf32>, %w: tensor<4x1x4xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x3xf32>) {
  %n = "onnx.None"() : () -> none
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %n, %n) : (tensor<2x4x8xf32>, tensor<4x1x4xf32>, none, none) -> (tensor<2x4x8xf32>, tensor<2x4x3xf32>)
  return %0#0, %0#1 : tensor<2x4x8xf32>, tensor<2x4x3xf32>
}

// -----

// past_state fills the first k - 1 positions; the bias is the init.
// CHECK-LABEL: func.func @causal_conv_bias_past
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x4xf32>
// CHECK: %[[P0:.*]] = tensor.insert_slice %arg3 into %[[E]][0, 0, 0] [2, 4, 3] [1, 1, 1]
// CHECK: %[[P:.*]] = tensor.insert_slice %arg0 into %[[P0]][0, 0, 3] [2, 4, 1] [1, 1, 1]
// CHECK: %[[B:.*]] = linalg.generic
// CHECK-SAME: ins(%arg2 : tensor<4xf32>) outs(%{{.*}} : tensor<2x4x1xf32>)
// CHECK: linalg.depthwise_conv_1d_ncw_cw
// CHECK-SAME: outs(%[[B]] : tensor<2x4x1xf32>)
// CHECK: tensor.extract_slice %[[P]][0, 0, 1] [2, 4, 3] [1, 1, 1]
func.func @causal_conv_bias_past(%x: tensor<2x4x1xf32>, %w: tensor<4x1x4xf32>, %b: tensor<4xf32>, %p: tensor<2x4x3xf32>) -> (tensor<2x4x1xf32>, tensor<2x4x3xf32>) {
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %b, %p) : (tensor<2x4x1xf32>, tensor<4x1x4xf32>, tensor<4xf32>, tensor<2x4x3xf32>) -> (tensor<2x4x1xf32>, tensor<2x4x3xf32>)
  return %0#0, %0#1 : tensor<2x4x1xf32>, tensor<2x4x3xf32>
}

// -----

// f16: the conv accumulates in f32, the sum is rounded to f16, the SiLU is
// computed in f32 from the rounded value and rounded again.
// CHECK-LABEL: func.func @causal_conv_silu_f16
// CHECK: linalg.depthwise_conv_1d_ncw_cw
// CHECK-SAME: tensor<1x2x8xf16>, tensor<2x3xf16>) outs(%{{.*}} : tensor<1x2x6xf32>)
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f16):
// CHECK: %[[R:.*]] = arith.truncf %[[IN]] : f32 to f16
// CHECK: %[[X:.*]] = arith.extf %[[R]] : f16 to f32
// CHECK: %[[N:.*]] = arith.negf %[[X]]
// CHECK: math.exp %[[N]]
// CHECK: arith.divf
// CHECK: %[[M:.*]] = arith.mulf %[[X]]
// CHECK: arith.truncf %[[M]] : f32 to f16
func.func @causal_conv_silu_f16(%x: tensor<1x2x6xf16>, %w: tensor<2x1x3xf16>) -> (tensor<1x2x6xf16>, tensor<1x2x2xf16>) {
  %n = "onnx.None"() : () -> none
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %n, %n) {activation = "silu"} : (tensor<1x2x6xf16>, tensor<2x1x3xf16>, none, none) -> (tensor<1x2x6xf16>, tensor<1x2x2xf16>)
  return %0#0, %0#1 : tensor<1x2x6xf16>, tensor<1x2x2xf16>
}

// -----

// k = 1: no state (a 0-length present_state), no activation pass.
// CHECK-LABEL: func.func @causal_conv_kernel_one
// CHECK-NOT: math.exp
// CHECK: %[[S:.*]] = tensor.empty() : tensor<1x2x0xf32>
// CHECK: return %{{.*}}, %[[S]]
func.func @causal_conv_kernel_one(%x: tensor<1x2x5xf32>, %w: tensor<2x1x1xf32>) -> (tensor<1x2x5xf32>, tensor<1x2x0xf32>) {
  %n = "onnx.None"() : () -> none
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %n, %n) : (tensor<1x2x5xf32>, tensor<2x1x1xf32>, none, none) -> (tensor<1x2x5xf32>, tensor<1x2x0xf32>)
  return %0#0, %0#1 : tensor<1x2x5xf32>, tensor<1x2x0xf32>
}
