// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// QLinearMatMul: operands minus zero points in i32, an i32 matmul, then the
// f16 scales combined in f16 (each step rounded), the accumulator scaled in
// f64, rounded to nearest even and saturated to uint8.
// CHECK-LABEL: func.func @qlinearmatmul_u8_f16
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xi32>, tensor<4x3xi32>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: %[[ACC:.*]] = arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.mulf %[[ACC]], %{{.*}} : f64
// CHECK: arith.uitofp %{{.*}} : i8 to f64
// CHECK: math.roundeven %{{.*}} : f64
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptoui %{{.*}} : f64 to i8
func.func @qlinearmatmul_u8_f16(%a: tensor<2x4xui8>, %as: tensor<1xf16>, %az: tensor<1xui8>, %b: tensor<4x3xui8>, %bs: tensor<1xf16>, %bz: tensor<1xui8>, %ys: tensor<1xf16>, %yz: tensor<1xui8>) -> tensor<2x3xui8> {
  %0 = "onnx.QLinearMatMul"(%a, %as, %az, %b, %bs, %bz, %ys, %yz) : (tensor<2x4xui8>, tensor<1xf16>, tensor<1xui8>, tensor<4x3xui8>, tensor<1xf16>, tensor<1xui8>, tensor<1xf16>, tensor<1xui8>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

// Per-row parameters of A become columns (M, 1); those of B stay per column.
// CHECK-LABEL: func.func @qlinearmatmul_per_row_column
// CHECK: %[[AZ:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xi8> into tensor<2x1xi8>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[AZ]] : tensor<2x4xi8>, tensor<2x1xi8>)
// CHECK: arith.extsi
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x3xi8>, tensor<3xi8>)
// CHECK: linalg.matmul
// CHECK: %[[AS:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[AS]], %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<2x1xf32>, tensor<3xf32>, tensor<f32>, tensor<i8>)
// CHECK: arith.constant -1.280000e+02 : f64
// CHECK: arith.constant 1.270000e+02 : f64
// CHECK: arith.fptosi %{{.*}} : f64 to i8
func.func @qlinearmatmul_per_row_column(%a: tensor<2x4xi8>, %as: tensor<2xf32>, %az: tensor<2xi8>, %b: tensor<4x3xi8>, %bs: tensor<3xf32>, %bz: tensor<3xi8>, %ys: tensor<f32>, %yz: tensor<i8>) -> tensor<2x3xi8> {
  %0 = "onnx.QLinearMatMul"(%a, %as, %az, %b, %bs, %bz, %ys, %yz) : (tensor<2x4xi8>, tensor<2xf32>, tensor<2xi8>, tensor<4x3xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

// float8: dequantized to f32, an f32 matmul, the result saturated to the
// largest finite float8 (448 for e4m3fn).
// CHECK-LABEL: func.func @qlinearmatmul_float8
// CHECK: arith.extf %{{.*}} : f8E4M3FN to f32
// CHECK: arith.subf
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x3xf32>)
// CHECK: arith.constant 4.480000e+02 : f32
// CHECK: arith.constant -4.480000e+02 : f32
// CHECK: arith.truncf %{{.*}} : f32 to f8E4M3FN
func.func @qlinearmatmul_float8(%a: tensor<2x4xf8E4M3FN>, %as: tensor<f32>, %az: tensor<f8E4M3FN>, %b: tensor<4x3xf8E4M3FN>, %bs: tensor<f32>, %bz: tensor<f8E4M3FN>, %ys: tensor<f32>, %yz: tensor<f8E4M3FN>) -> tensor<2x3xf8E4M3FN> {
  %0 = "onnx.QLinearMatMul"(%a, %as, %az, %b, %bs, %bz, %ys, %yz) : (tensor<2x4xf8E4M3FN>, tensor<f32>, tensor<f8E4M3FN>, tensor<4x3xf8E4M3FN>, tensor<f32>, tensor<f8E4M3FN>, tensor<f32>, tensor<f8E4M3FN>) -> tensor<2x3xf8E4M3FN>
  return %0 : tensor<2x3xf8E4M3FN>
}

// -----

// ConvInteger: X minus its zero point, W minus one zero point per output
// channel, padded with 0 (= the zero point), an i32 convolution.
// CHECK-LABEL: func.func @convinteger_per_channel
// CHECK: %[[WZ:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] output_shape [2, 1, 1, 1] : tensor<2xi8> into tensor<2x1x1x1xi8>
// CHECK: %[[X:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x3x3xi8>, tensor<i8>)
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[WZ]] : tensor<2x1x2x2xi8>, tensor<2x1x1x1xi8>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[P]], %[[W]] : tensor<1x1x5x5xi32>, tensor<2x1x2x2xi32>) outs(%{{.*}} : tensor<1x2x4x4xi32>)
func.func @convinteger_per_channel(%x: tensor<1x1x3x3xui8>, %w: tensor<2x1x2x2xui8>, %xz: tensor<ui8>, %wz: tensor<2xui8>) -> tensor<1x2x4x4xi32> {
  %0 = "onnx.ConvInteger"(%x, %w, %xz, %wz) {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xui8>, tensor<2x1x2x2xui8>, tensor<ui8>, tensor<2xui8>) -> tensor<1x2x4x4xi32>
  return %0 : tensor<1x2x4x4xi32>
}

// -----

// QLinearConv: the i32 bias starts the accumulator; w_scale applies per
// output channel (dim 1 of the result).
// CHECK-LABEL: func.func @qlinearconv_per_channel
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2xi32>) outs(%{{.*}} : tensor<1x2x7x7xi32>)
// CHECK: %[[ACC:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: %[[WS:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %{{.*}}, %[[WS]], %{{.*}}, %{{.*}} : tensor<1x2x7x7xi32>, tensor<f32>, tensor<2x1x1xf32>, tensor<f32>, tensor<i8>)
// CHECK: math.roundeven
// CHECK: arith.fptoui %{{.*}} : f64 to i8
func.func @qlinearconv_per_channel(%x: tensor<1x1x7x7xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %w: tensor<2x1x1x1xui8>, %ws: tensor<2xf32>, %wz: tensor<2xui8>, %ys: tensor<f32>, %yz: tensor<ui8>, %bias: tensor<2xi32>) -> tensor<1x2x7x7xui8> {
  %0 = "onnx.QLinearConv"(%x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %bias) : (tensor<1x1x7x7xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x1x1xui8>, tensor<2xf32>, tensor<2xui8>, tensor<f32>, tensor<ui8>, tensor<2xi32>) -> tensor<1x2x7x7xui8>
  return %0 : tensor<1x2x7x7xui8>
}
