// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics

func.func @unsupported(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Gradient' is not supported by the code generator yet}}
  %0 = "onnx.Gradient"(%a) {xs = ["a"], y = "b"} : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
