// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

// A zero point of A with one value per column does not fit.
func.func @qlinearmatmul_bad_zero_point(%a: tensor<2x4xi8>, %as: tensor<f32>, %az: tensor<4xi8>, %b: tensor<4x3xi8>, %bs: tensor<f32>, %bz: tensor<i8>, %ys: tensor<f32>, %yz: tensor<i8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{failed to legalize operation 'onnx.QLinearMatMul'}}
  %0 = "onnx.QLinearMatMul"(%a, %as, %az, %b, %bs, %bz, %ys, %yz) : (tensor<2x4xi8>, tensor<f32>, tensor<4xi8>, tensor<4x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @convinteger_bad_w_zero_point(%x: tensor<1x1x3x3xui8>, %w: tensor<2x1x2x2xui8>, %xz: tensor<ui8>, %wz: tensor<3xui8>) -> tensor<1x2x2x2xi32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.ConvInteger'}}
  %0 = "onnx.ConvInteger"(%x, %w, %xz, %wz) : (tensor<1x1x3x3xui8>, tensor<2x1x2x2xui8>, tensor<ui8>, tensor<3xui8>) -> tensor<1x2x2x2xi32>
  return %0 : tensor<1x2x2x2xi32>
}

// -----

func.func @det_not_square(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{failed to legalize operation 'onnx.Det'}}
  %0 = "onnx.Det"(%x) : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
