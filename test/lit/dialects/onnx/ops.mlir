// RUN: kiln-opt %s --split-input-file | kiln-opt | FileCheck %s

// CHECK-LABEL: func.func @roundtrip
func.func @roundtrip(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<*xf32> {
  // CHECK: %[[N:.*]] = onnx.None
  %none = onnx.None
  // CHECK: "onnx.Conv"(%{{.*}}, %{{.*}}, %[[N]]) <{auto_pad = "NOTSET", group = 1 : i64, kernel_shape = array<i64: 3, 3>}>
  %0 = "onnx.Conv"(%x, %w, %none) {kernel_shape = array<i64: 3, 3>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @types
// CHECK-SAME: tensor<2x!onnx.string>
// CHECK-SAME: !onnx.seq<tensor<*xf32>>
// CHECK-SAME: !onnx.opt<tensor<2xf32>>
func.func @types(%s: tensor<2x!onnx.string>, %q: !onnx.seq<tensor<*xf32>>, %o: !onnx.opt<tensor<2xf32>>, %i: tensor<i64>) -> (tensor<*xf32>, tensor<2xf32>, tensor<2x!onnx.string>) {
  // CHECK: "onnx.SequenceAt"
  %0 = "onnx.SequenceAt"(%q, %i) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
  // CHECK: "onnx.OptionalGetElement"
  %1 = "onnx.OptionalGetElement"(%o) : (!onnx.opt<tensor<2xf32>>) -> tensor<2xf32>
  // CHECK: "onnx.Identity"
  %2 = "onnx.Identity"(%s) : (tensor<2x!onnx.string>) -> tensor<2x!onnx.string>
  return %0, %1, %2 : tensor<*xf32>, tensor<2xf32>, tensor<2x!onnx.string>
}
