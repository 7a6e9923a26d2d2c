// RUN: kiln-opt %s --kiln-shape-inference --split-input-file | FileCheck %s

// Shape inference of convolutions, pooling, matrix products, normalizations and recurrences.

// CHECK-LABEL: func.func @conv_pads_strides(
// CHECK-SAME: -> tensor<1x64x112x112xf32> {
func.func @conv_pads_strides(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %b: tensor<64xf32>) -> tensor<*xf32> {
  %0 = "onnx.Conv"(%x, %w, %b) {kernel_shape = array<i64: 7, 7>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @conv_same_upper_group(
// CHECK-SAME: -> tensor<2x8x8x?xf32> {
func.func @conv_same_upper_group(%x: tensor<2x4x15x?xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {auto_pad = "SAME_UPPER", group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<2x4x15x?xf32>, tensor<8x2x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @conv_valid_dilations(
// CHECK-SAME: -> tensor<1x5x6x6xf32> {
func.func @conv_valid_dilations(%x: tensor<1x3x10x10xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {auto_pad = "VALID", dilations = array<i64: 2, 2>} : (tensor<1x3x10x10xf32>, tensor<5x3x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @conv_1d_same_lower(
// CHECK-SAME: -> (tensor<1x6x7xf32>, tensor<1x6x7xf32>) {
func.func @conv_1d_same_lower(%x: tensor<1x4x20xf32>, %w: tensor<6x4x5xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {pads = array<i64: 2, 2>, strides = array<i64: 3>} : (tensor<1x4x20xf32>, tensor<6x4x5xf32>, none) -> tensor<*xf32>
  %1 = "onnx.Conv"(%x, %w, %n) {auto_pad = "SAME_LOWER", strides = array<i64: 3>} : (tensor<1x4x20xf32>, tensor<6x4x5xf32>, none) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @conv_unknown_weight(
// CHECK-SAME: -> tensor<1x?x30x30xf32> {
func.func @conv_unknown_weight(%x: tensor<1x3x32x32xf32>, %w: tensor<*xf32>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {kernel_shape = array<i64: 3, 3>} : (tensor<1x3x32x32xf32>, tensor<*xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @conv_transpose(
// CHECK-SAME: -> (tensor<1x4x16x16xf32>, tensor<1x4x20x21xf32>, tensor<1x8x16x16xf32>) {
func.func @conv_transpose(%x: tensor<1x16x8x8xf32>, %w: tensor<16x4x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.ConvTranspose"(%x, %w, %n) {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x16x8x8xf32>, tensor<16x4x3x3xf32>, none) -> tensor<*xf32>
  %1 = "onnx.ConvTranspose"(%x, %w, %n) {output_shape = array<i64: 20, 21>, strides = array<i64: 2, 2>} : (tensor<1x16x8x8xf32>, tensor<16x4x3x3xf32>, none) -> tensor<*xf32>
  %2 = "onnx.ConvTranspose"(%x, %w, %n) {auto_pad = "SAME_UPPER", group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x16x8x8xf32>, tensor<16x4x3x3xf32>, none) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @maxpool_indices(
// CHECK-SAME: -> (tensor<1x64x56x56xf32>, tensor<1x64x56x56xi64>) {
func.func @maxpool_indices(%x: tensor<1x64x112x112xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  %0, %1 = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> (tensor<*xf32>, tensor<*xi64>)
  return %0, %1 : tensor<*xf32>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @maxpool_ceil_mode(
// CHECK-SAME: -> (tensor<1x1x3x2xf32>, tensor<1x1x2x2xf32>) {
func.func @maxpool_ceil_mode(%x: tensor<1x1x6x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0, %1 = "onnx.MaxPool"(%x) {ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 1>, pads = array<i64: 0, 0, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x6x3xf32>) -> (tensor<*xf32>, none)
  %2, %3 = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 3, 1>, pads = array<i64: 0, 0, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x6x3xf32>) -> (tensor<*xf32>, none)
  return %0, %2 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @avgpool_lppool(
// CHECK-SAME: -> (tensor<1x2x4x3xf32>, tensor<1x2x5x4xf32>, tensor<1x2x8x7xf32>) {
func.func @avgpool_lppool(%x: tensor<1x2x10x9xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.AveragePool"(%x) {auto_pad = "SAME_LOWER", kernel_shape = array<i64: 3, 3>, strides = array<i64: 3, 3>} : (tensor<1x2x10x9xf32>) -> tensor<*xf32>
  %1 = "onnx.LpPool"(%x) {auto_pad = "VALID", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x10x9xf32>) -> tensor<*xf32>
  %2 = "onnx.AveragePool"(%x) {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x2x10x9xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @global_pools(
// CHECK-SAME: -> (tensor<?x64x1x1xf32>, tensor<?x64x1x1xf32>, tensor<?x64x1x1xf32>) {
func.func @global_pools(%x: tensor<?x64x7x7xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.GlobalAveragePool"(%x) : (tensor<?x64x7x7xf32>) -> tensor<*xf32>
  %1 = "onnx.GlobalMaxPool"(%x) : (tensor<?x64x7x7xf32>) -> tensor<*xf32>
  %2 = "onnx.GlobalLpPool"(%x) : (tensor<?x64x7x7xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: -> (tensor<2x3x5xf32>, tensor<5xf32>, tensor<2x3xf32>, tensor<6x?x3x2xf32>, tensor<f32>) {
func.func @matmul(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %v: tensor<4xf32>, %c: tensor<1x?x3x4xf32>, %d: tensor<6x1x4x2xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  %1 = "onnx.MatMul"(%v, %b) : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  %2 = "onnx.MatMul"(%a, %v) : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<*xf32>
  %3 = "onnx.MatMul"(%c, %d) : (tensor<1x?x3x4xf32>, tensor<6x1x4x2xf32>) -> tensor<*xf32>
  %4 = "onnx.MatMul"(%v, %v) : (tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_integer(
// CHECK-SAME: -> tensor<2x7xi32> {
func.func @matmul_integer(%a: tensor<2x3xui8>, %b: tensor<3x7xi8>) -> tensor<*xi32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.MatMulInteger"(%a, %b, %n, %n) : (tensor<2x3xui8>, tensor<3x7xi8>, none, none) -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

// CHECK-LABEL: func.func @gemm(
// CHECK-SAME: -> tensor<3x5xf32> {
func.func @gemm(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<*xf32> {
  %0 = "onnx.Gemm"(%a, %b, %c) {transA = 1 : i64, transB = 1 : i64} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @batchnorm(
// CHECK-SAME: -> (tensor<2x3x4x4xf32>, tensor<3xf32>) {
func.func @batchnorm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0, %1, %2 = "onnx.BatchNormalization"(%x, %s, %s, %s, %s) {training_mode = 1 : i64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @layernorm(
// CHECK-SAME: -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
func.func @layernorm(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0, %1, %2 = "onnx.LayerNormalization"(%x, %s, %n) {axis = -2 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, none) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @normalizations(
// CHECK-SAME: -> tensor<2x6x5x5xf32> {
func.func @normalizations(%x: tensor<2x6x5x5xf32>, %s: tensor<6xf32>, %g: tensor<2xf32>) -> tensor<*xf32> {
  %0 = "onnx.InstanceNormalization"(%x, %s, %s) : (tensor<2x6x5x5xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<*xf32>
  %1 = "onnx.GroupNormalization"(%0, %g, %g) {num_groups = 2 : i64} : (tensor<*xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<*xf32>
  %2 = "onnx.LRN"(%1) {size = 3 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: -> tensor<2x?x5xf32> {
func.func @softmax(%x: tensor<2x?x5xf32>) -> tensor<*xf32> {
  %0 = "onnx.Softmax"(%x) : (tensor<2x?x5xf32>) -> tensor<*xf32>
  %1 = "onnx.LogSoftmax"(%0) {axis = 1 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %2 = "onnx.Hardmax"(%1) : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @lstm_bidirectional(
// CHECK-SAME: -> (tensor<5x2x2x20xf32>, tensor<2x2x20xf32>, tensor<2x2x20xf32>) {
func.func @lstm_bidirectional(%x: tensor<5x2x10xf32>, %w: tensor<2x80x10xf32>, %r: tensor<2x80x20xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0, %1, %2 = "onnx.LSTM"(%x, %w, %r, %n, %n, %n, %n, %n) {direction = "bidirectional", hidden_size = 20 : i64} : (tensor<5x2x10xf32>, tensor<2x80x10xf32>, tensor<2x80x20xf32>, none, none, none, none, none) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @gru_batch_first(
// CHECK-SAME: -> (tensor<2x5x1x20xf32>, tensor<2x1x20xf32>, tensor<2x1x20xf32>) {
func.func @gru_batch_first(%x: tensor<2x5x10xf32>, %w: tensor<1x60x10xf32>, %r: tensor<1x60x20xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0, %1 = "onnx.GRU"(%x, %w, %r, %n, %n, %n) {layout = 1 : i64} : (tensor<2x5x10xf32>, tensor<1x60x10xf32>, tensor<1x60x20xf32>, none, none, none) -> (tensor<*xf32>, tensor<*xf32>)
  %2, %3 = "onnx.RNN"(%x, %w, %r, %n, %n, %n) {layout = 1 : i64, hidden_size = 20 : i64} : (tensor<2x5x10xf32>, tensor<1x60x10xf32>, tensor<1x60x20xf32>, none, none, none) -> (tensor<*xf32>, tensor<*xf32>)
  return %0, %1, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @attention_4d(
// CHECK-SAME: -> tensor<2x8x10x32xf32> {
func.func @attention_4d(%q: tensor<2x8x10x64xf32>, %k: tensor<2x8x12x64xf32>, %v: tensor<2x8x12x32xf32>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %0, %1, %2, %3 = "onnx.Attention"(%q, %k, %v, %n, %n, %n, %n) : (tensor<2x8x10x64xf32>, tensor<2x8x12x64xf32>, tensor<2x8x12x32xf32>, none, none, none, none) -> (tensor<*xf32>, none, none, none)
  return %0 : tensor<*xf32>
}

// -----

// 3-D GQA with a KV cache: present K/V and qk_matmul_output cover past + new.
// CHECK-LABEL: func.func @attention_3d_past(
// CHECK-SAME: -> (tensor<2x4x90xf32>, tensor<2x3x18x8xf32>, tensor<2x3x18x10xf32>, tensor<2x9x4x18xf32>) {
func.func @attention_3d_past(%q: tensor<2x4x72xf32>, %k: tensor<2x6x24xf32>, %v: tensor<2x6x30xf32>, %pk: tensor<2x3x12x8xf32>, %pv: tensor<2x3x12x10xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0, %1, %2, %3 = "onnx.Attention"(%q, %k, %v, %n, %pk, %pv, %n) {q_num_heads = 9 : i64, kv_num_heads = 3 : i64} : (tensor<2x4x72xf32>, tensor<2x6x24xf32>, tensor<2x6x30xf32>, none, tensor<2x3x12x8xf32>, tensor<2x3x12x10xf32>, none) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// LinearAttention with GQA: output [B, T, Hq * dv], state [B, Hkv, dk, dv].
// CHECK-LABEL: func.func @linear_attention_gqa(
// CHECK-SAME: -> (tensor<2x5x80xf32>, tensor<2x4x8x10xf32>) {
func.func @linear_attention_gqa(%q: tensor<2x5x64xf32>, %k: tensor<2x5x32xf32>, %v: tensor<2x5x40xf32>, %g: tensor<2x5x4xf32>, %b: tensor<2x5x1xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0, %1 = "onnx.LinearAttention"(%q, %k, %v, %n, %g, %b) {q_num_heads = 8 : i64, kv_num_heads = 4 : i64} : (tensor<2x5x64xf32>, tensor<2x5x32xf32>, tensor<2x5x40xf32>, none, tensor<2x5x4xf32>, tensor<2x5x1xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @grid_sample_det(
// CHECK-SAME: -> (tensor<1x3x5x6xf32>, tensor<4xf32>) {
func.func @grid_sample_det(%x: tensor<1x3x8x8xf32>, %g: tensor<1x5x6x2xf32>, %m: tensor<4x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.GridSample"(%x, %g) : (tensor<1x3x8x8xf32>, tensor<1x5x6x2xf32>) -> tensor<*xf32>
  %1 = "onnx.Det"(%m) : (tensor<4x3x3xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @nll_loss_none(
// CHECK-SAME: -> tensor<3x6x7xf32> {
func.func @nll_loss_none(%x: tensor<3x5x6x7xf32>, %t: tensor<3x6x7xi64>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %n) {reduction = "none"} : (tensor<3x5x6x7xf32>, tensor<3x6x7xi64>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @sce_loss_mean_log_prob(
// CHECK-SAME: -> (tensor<f32>, tensor<3x5x2xf32>) {
func.func @sce_loss_mean_log_prob(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0, %1 = "onnx.SoftmaxCrossEntropyLoss"(%x, %t, %n) : (tensor<3x5x2xf32>, tensor<3x2xi64>, none) -> (tensor<*xf32>, tensor<*xf32>)
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CausalConvWithState: output shaped like the input, present_state
// (B, C, k - 1) from the weight; B and C also from past_state.
// CHECK-LABEL: func.func @causal_conv_with_state(
// CHECK-SAME: -> (tensor<2x4x8xf32>, tensor<2x4x3xf32>, tensor<?x4x2xf32>, tensor<2x4x2xf32>) {
func.func @causal_conv_with_state(%x: tensor<2x4x8xf32>, %w: tensor<4x1x4xf32>, %y: tensor<?x4x?xf32>, %w2: tensor<4x1x3xf32>, %p: tensor<2x4x2xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %0:2 = "onnx.CausalConvWithState"(%x, %w, %n, %n) : (tensor<2x4x8xf32>, tensor<4x1x4xf32>, none, none) -> (tensor<*xf32>, tensor<*xf32>)
  %1:2 = "onnx.CausalConvWithState"(%y, %w2, %n, %n) : (tensor<?x4x?xf32>, tensor<4x1x3xf32>, none, none) -> (tensor<*xf32>, tensor<*xf32>)
  %2:2 = "onnx.CausalConvWithState"(%y, %w2, %n, %p) : (tensor<?x4x?xf32>, tensor<4x1x3xf32>, none, tensor<2x4x2xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1, %1#1, %2#1 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CenterCropPad: the input's shape with the constant sizes on the axes; a
// run-time shape leaves those dims unknown.
// CHECK-LABEL: func.func @center_crop_pad_shapes(
// CHECK-SAME: -> (tensor<10x9x3xf32>, tensor<?x?x3xf32>) {
func.func @center_crop_pad_shapes(%x: tensor<20x8x3xf32>, %s: tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %c = "onnx.Constant"() {value = dense<[10, 9]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.CenterCropPad"(%x, %c) {axes = array<i64: 0, -2>} : (tensor<20x8x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  %1 = "onnx.CenterCropPad"(%x, %s) {axes = array<i64: 0, 1>} : (tensor<20x8x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Col2Im: [N, C, image_shape...] with C = input dim 1 / prod(block_shape).
// CHECK-LABEL: func.func @col2im_shape(
// CHECK-SAME: -> tensor<1x2x3x4x5xf32> {
func.func @col2im_shape(%x: tensor<1x10x12xf32>) -> tensor<*xf32> {
  %i = "onnx.Constant"() {value = dense<[3, 4, 5]> : tensor<3xi64>} : () -> tensor<3xi64>
  %b = "onnx.Constant"() {value = dense<[1, 1, 5]> : tensor<3xi64>} : () -> tensor<3xi64>
  %0 = "onnx.Col2Im"(%x, %i, %b) : (tensor<1x10x12xf32>, tensor<3xi64>, tensor<3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// AffineGrid: [N, D1..Dr, r] from size [N, C, D1..Dr]; N from theta when the
// size is a run-time input.
// CHECK-LABEL: func.func @affine_grid_shapes(
// CHECK-SAME: -> (tensor<2x4x5x6x3xf32>, tensor<2x?x?x2xf32>) {
func.func @affine_grid_shapes(%t3: tensor<2x3x4xf32>, %t2: tensor<2x2x3xf32>, %s: tensor<4xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %c = "onnx.Constant"() {value = dense<[2, 1, 4, 5, 6]> : tensor<5xi64>} : () -> tensor<5xi64>
  %0 = "onnx.AffineGrid"(%t3, %c) : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<*xf32>
  %1 = "onnx.AffineGrid"(%t2, %s) : (tensor<2x2x3xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}
