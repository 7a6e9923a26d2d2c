// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg=direct-convs=false --split-input-file | FileCheck %s --check-prefix=NODIRECT

// Bias broadcast into the init, explicit pads by tensor.pad, strides. An
// f32 conv of one image is a matmul of the weights [F, C*KH*KW] with the
// im2col matrix [C*KH*KW, OH*OW] of the padded input.
// CHECK: #[[COL:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d0, d3 * 2 + d1, d4 * 2 + d2)>
// The bias is broadcast into the matmul's [F, OH*OW] init itself (the
// matmul's thread tiles fuse it).
// CHECK: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @conv2d_bias_pads
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
// CHECK: %[[I:.*]] = linalg.generic {indexing_maps = [#[[COL]], {{.*}}]{{.*}} ins(%[[P]] : tensor<1x3x10x10xf32>) outs(%{{.*}} : tensor<3x3x3x4x4xf32>)
// CHECK: %[[X:.*]] = tensor.collapse_shape %[[I]] {{.*}} into tensor<27x16xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} into tensor<4x27xf32>
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [#[[BIAS]], {{.*}}]{{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK: linalg.matmul ins(%[[W]], %[[X]] : tensor<4x27xf32>, tensor<27x16xf32>) outs(%[[B]] : tensor<4x16xf32>)
func.func @conv2d_bias_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = "onnx.Conv"(%x, %w, %b) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Few output pixels, many channels (a deep layer on a small image): the
// matmul runs pixel-major, X[OH*OW, C*KH*KW] x W^T[C*KH*KW, F] (the weight
// transposed, at compile time for a constant), so the weight is the packed
// side and the pixels are the rows; a generic copies the result back to
// (F, OH*OW).
// CHECK: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d2, d0 + d3, d1 + d4)>
// CHECK: #[[BACK:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @conv2d_pixel_major
// CHECK: %[[P:.*]] = tensor.pad
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ROWS]], {{.*}}]{{.*}} ins(%[[P]] : tensor<1x8x6x6xf32>) outs(%{{.*}} : tensor<4x4x8x3x3xf32>)
// CHECK: %[[X:.*]] = tensor.collapse_shape %[[R]] {{.*}} into tensor<16x72xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} into tensor<64x72xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<64x72xf32>) outs(%{{.*}} : tensor<72x64xf32>) permutation = [1, 0]
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<64xf32>) outs(%{{.*}} : tensor<16x64xf32>)
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[X]], %[[WT]] : tensor<16x72xf32>, tensor<72x64xf32>) outs(%[[B]] : tensor<16x64xf32>)
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[BACK]], {{.*}}]{{.*}} ins(%[[M]] : tensor<16x64xf32>) outs(%{{.*}} : tensor<64x16xf32>)
// CHECK: tensor.expand_shape %[[T]] {{.*}} into tensor<1x64x4x4xf32>
func.func @conv2d_pixel_major(%x: tensor<1x8x4x4xf32>, %w: tensor<64x8x3x3xf32>, %b: tensor<64xf32>) -> tensor<1x64x4x4xf32> {
  %0 = "onnx.Conv"(%x, %w, %b) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x4x4xf32>, tensor<64x8x3x3xf32>, tensor<64xf32>) -> tensor<1x64x4x4xf32>
  return %0 : tensor<1x64x4x4xf32>
}

// -----

// SAME_UPPER with a 4x4 kernel: total pad 3, 1 before and 2 after.
// CHECK-LABEL: func.func @conv2d_same_upper
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: linalg.fill
// CHECK: linalg.matmul {{.*}} : tensor<3x32xf32>, tensor<32x25xf32>
func.func @conv2d_same_upper(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x4x4xf32>) -> tensor<1x3x5x5xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {auto_pad = "SAME_UPPER"} : (tensor<1x2x5x5xf32>, tensor<3x2x4x4xf32>, none) -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

// CHECK-LABEL: func.func @conv1d
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<2> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
func.func @conv1d(%x: tensor<1x2x10xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x6xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {dilations = array<i64: 2>} : (tensor<1x2x10xf32>, tensor<3x2x3xf32>, none) -> tensor<1x3x6xf32>
  return %0 : tensor<1x3x6xf32>
}

// -----

// CHECK-LABEL: func.func @conv3d
// CHECK: linalg.conv_3d_ncdhw_fcdhw
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x2x2x2xf32>)
func.func @conv3d(%x: tensor<1x1x4x4x4xf32>, %w: tensor<2x1x3x3x3xf32>) -> tensor<1x2x2x2x2xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) : (tensor<1x1x4x4x4xf32>, tensor<2x1x3x3x3xf32>, none) -> tensor<1x2x2x2x2xf32>
  return %0 : tensor<1x2x2x2x2xf32>
}

// -----

// group == channels: depthwise with the kernel collapsed to (C, kh, kw).
// CHECK-LABEL: func.func @conv_depthwise
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x4x8x8xf32>, tensor<4x3x3xf32>)
func.func @conv_depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {group = 4 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>, none) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Other groups: expanded to (N, G, C/G, ...) and conv_2d_ngchw_gfchw.
// CHECK-LABEL: func.func @conv_groups
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x5x5xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x2x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x3x3x3xf32>)
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x6x3x3xf32>
func.func @conv_groups(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>, none) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// ConvTranspose: input spread by the stride into zeros, kernel flipped and
// transposed, then a stride-1 conv.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<1x1x9x9xf32>
// CHECK: %[[S:.*]] = tensor.insert_slice %{{.*}} into %[[Z]][0, 0, 2, 2] [1, 1, 3, 3] [1, 1, 2, 2]
// The flipped kernel is read with tensor.extract at K-1-k (no negative
// affine coefficients, which the linalg verifier rejects).
// CHECK: %[[WE:.*]] = tensor.expand_shape %{{.*}} {{.*}} : tensor<1x2x3x3xf32> into tensor<1x1x2x3x3xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x1x3x3xf32>)
// CHECK: %[[K:.*]] = linalg.index 3
// CHECK: arith.subi %{{.*}}, %[[K]]
// CHECK: tensor.extract %[[WE]]
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<1x1x9x9xf32>) outs(%{{.*}} : tensor<1x3x3x7x7xf32>)
// CHECK: linalg.matmul {{.*}} : tensor<2x9xf32>, tensor<9x49xf32>) outs(%{{.*}} : tensor<2x49xf32>)
func.func @conv_transpose(%x: tensor<1x1x3x3xf32>, %w: tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.ConvTranspose"(%x, %w, %n) {strides = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>, none) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

// ConvTranspose with an output_shape larger than the full result: no negative
// begin pad, the extra rows/columns at the end are zeros (+ bias).
// CHECK-LABEL: func.func @conv_transpose_output_shape
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<1x1x12x10xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[Z]][0, 0, 2, 2] [1, 1, 3, 3] [1, 1, 3, 2]
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<2x80xf32>)
func.func @conv_transpose_output_shape(%x: tensor<1x1x3x3xf32>, %w: tensor<1x2x3x3xf32>) -> tensor<1x2x10x8xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.ConvTranspose"(%x, %w, %n) {output_shape = array<i64: 10, 8>, strides = array<i64: 3, 2>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>, none) -> tensor<1x2x10x8xf32>
  return %0 : tensor<1x2x10x8xf32>
}

// -----

// f16: the bias is extended into an f32 accumulator, the named conv reads
// the f16 operands into it, and the sum is rounded to f16 once.
// CHECK-LABEL: func.func @conv1d_f16_accumulates_in_f32
// CHECK: %[[B:.*]] = linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<4xf16>) outs(%{{.*}} : tensor<1x4x6xf32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: %[[C:.*]] = linalg.conv_1d_ncw_fcw
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x2x8xf16>, tensor<4x2x3xf16>) outs(%[[B]] : tensor<1x4x6xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[C]] : tensor<1x4x6xf32>) outs(%{{.*}} : tensor<1x4x6xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @conv1d_f16_accumulates_in_f32(%x: tensor<1x2x8xf16>, %w: tensor<4x2x3xf16>, %b: tensor<4xf16>) -> tensor<1x4x6xf16> {
  %0 = "onnx.Conv"(%x, %w, %b) : (tensor<1x2x8xf16>, tensor<4x2x3xf16>, tensor<4xf16>) -> tensor<1x4x6xf16>
  return %0 : tensor<1x4x6xf16>
}

// -----

// DeformConv, 2 offset groups, bias and mask: the bias fills the init, one
// generic over (n, f, oh, ow, c, kh, kw) reads W through its indexing map
// and the offsets (y, x), 4 bilinear taps of X (masked to 0 outside) and
// the mask with tensor.extract.
// CHECK-LABEL: func.func @deform_conv
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1xf32>) outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}} : tensor<1x2x2x2xf32>) outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: tensor.extract %{{.*}} : tensor<1x16x2x2xf32>
// CHECK: math.floor
// CHECK: tensor.extract %{{.*}} : tensor<1x16x2x2xf32>
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x2x3x3xf32>
// CHECK: tensor.extract %{{.*}} : tensor<1x8x2x2xf32>
// CHECK: linalg.yield
func.func @deform_conv(%x: tensor<1x2x3x3xf32>, %w: tensor<1x2x2x2xf32>, %o: tensor<1x16x2x2xf32>, %b: tensor<1xf32>, %m: tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %0 = "onnx.DeformConv"(%x, %w, %o, %b, %m) {kernel_shape = array<i64: 2, 2>, offset_group = 2 : i64} : (tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<1x16x2x2xf32>, tensor<1xf32>, tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// A 1x1 kernel with unit strides on one image is the matmul
// W[F, C] x X[C, H*W] into the bias broadcast, reshaped back.
// CHECK-LABEL: func.func @conv2d_pointwise
// CHECK-DAG: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<1x3x4x5xf32> into tensor<3x20xf32>
// CHECK-DAG: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<8x3x1x1xf32> into tensor<8x3xf32>
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[W]], %[[X]] : tensor<8x3xf32>, tensor<3x20xf32>) outs(%{{.*}} : tensor<8x20xf32>)
// CHECK: tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2, 3]] output_shape [1, 8, 4, 5] : tensor<8x20xf32> into tensor<1x8x4x5xf32>
// CHECK-NOT: linalg.conv_2d
func.func @conv2d_pointwise(%x: tensor<1x3x4x5xf32>, %w: tensor<8x3x1x1xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x5xf32> {
  %0 = "onnx.Conv"(%x, %w, %b) {kernel_shape = array<i64: 1, 1>} : (tensor<1x3x4x5xf32>, tensor<8x3x1x1xf32>, tensor<8xf32>) -> tensor<1x8x4x5xf32>
  return %0 : tensor<1x8x4x5xf32>
}

// -----

// f16 keeps the direct convolution (accumulating in f32).
// CHECK-LABEL: func.func @conv2d_f16_direct
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x5x5xf16>, tensor<3x2x3x3xf16>) outs(%{{.*}} : tensor<1x3x3x3xf32>)
func.func @conv2d_f16_direct(%x: tensor<1x2x5x5xf16>, %w: tensor<3x2x3x3xf16>) -> tensor<1x3x3x3xf16> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) : (tensor<1x2x5x5xf16>, tensor<3x2x3x3xf16>, none) -> tensor<1x3x3x3xf16>
  return %0 : tensor<1x3x3x3xf16>
}

// -----

// A small stride-1 filter (64 output channels, <= 256 KB) on a big image
// (>= 28x28 output) stays a direct convolution: no im2col copy. Not for a
// target whose tile table says direct convs lose (AVX-512): im2col + matmul.
// NODIRECT-LABEL: func.func @conv2d_direct
// NODIRECT-NOT: linalg.conv_2d_nchw_fchw
// NODIRECT: linalg.matmul
// NODIRECT-SAME: -> tensor<64x784xf32>
// CHECK-LABEL: func.func @conv2d_direct
// CHECK-NOT: linalg.matmul
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: outs(%{{.*}} : tensor<1x64x28x28xf32>)
func.func @conv2d_direct(%x: tensor<1x16x28x28xf32>, %w: tensor<64x16x3x3xf32>) -> tensor<1x64x28x28xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Conv"(%x, %w, %n) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x28x28xf32>, tensor<64x16x3x3xf32>, none) -> tensor<1x64x28x28xf32>
  return %0 : tensor<1x64x28x28xf32>
}
