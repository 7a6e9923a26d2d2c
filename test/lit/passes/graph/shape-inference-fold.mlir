// RUN: kiln-opt %s --kiln-shape-inference --split-input-file | FileCheck %s

// Compile-time evaluation of shape arithmetic.

// The Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain of a
// torch-exported attention block becomes a constant shape.
// CHECK-LABEL: func.func @bert_reshape_chain(
// CHECK-SAME: -> tensor<2x12x8x64xf32> {
// CHECK-DAG: "onnx.Constant"() <{value = dense<[2, 8, 12, 64]> : tensor<4xi64>}>
// CHECK: "onnx.Reshape"(%arg0, %{{.*}}) {{.*}} -> tensor<2x8x12x64xf32>
// CHECK-NOT: onnx.Concat
func.func @bert_reshape_chain(%x: tensor<2x8x768xf32>) -> tensor<*xf32> {
  %s = "onnx.Shape"(%x) : (tensor<2x8x768xf32>) -> tensor<*xi64>
  %i0 = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %i1 = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %b = "onnx.Gather"(%s, %i0) {axis = 0 : i64} : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %t = "onnx.Gather"(%s, %i1) {axis = 0 : i64} : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %ax = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %bu = "onnx.Unsqueeze"(%b, %ax) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %tu = "onnx.Unsqueeze"(%t, %ax) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %c = "onnx.Constant"() {value = dense<[12, 64]> : tensor<2xi64>} : () -> tensor<2xi64>
  %shape = "onnx.Concat"(%bu, %tu, %c) {axis = 0 : i64} : (tensor<*xi64>, tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %r = "onnx.Reshape"(%x, %shape) : (tensor<2x8x768xf32>, tensor<*xi64>) -> tensor<*xf32>
  %p = "onnx.Transpose"(%r) {perm = array<i64: 0, 2, 1, 3>} : (tensor<*xf32>) -> tensor<*xf32>
  return %p : tensor<*xf32>
}

// -----

// A dynamic batch dim stays dynamic, the other entries of the shape are
// still known; Gather of a static dim of a dynamic shape folds.
// CHECK-LABEL: func.func @dynamic_batch_chain(
// CHECK-SAME: -> (tensor<?x8x12x64xf32>, tensor<1xi64>) {
// CHECK-DAG: "onnx.Constant"() <{value = dense<8> : tensor<1xi64>}>
func.func @dynamic_batch_chain(%x: tensor<?x8x768xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  %s = "onnx.Shape"(%x) : (tensor<?x8x768xf32>) -> tensor<*xi64>
  %i0 = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %i1 = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %b = "onnx.Gather"(%s, %i0) {axis = 0 : i64} : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %t = "onnx.Gather"(%s, %i1) {axis = 0 : i64} : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %ax = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %bu = "onnx.Unsqueeze"(%b, %ax) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %tu = "onnx.Unsqueeze"(%t, %ax) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %c = "onnx.Constant"() {value = dense<[12, 64]> : tensor<2xi64>} : () -> tensor<2xi64>
  %shape = "onnx.Concat"(%bu, %tu, %c) {axis = 0 : i64} : (tensor<*xi64>, tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %r = "onnx.Reshape"(%x, %shape) : (tensor<?x8x768xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %r, %tu : tensor<*xf32>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @fold_int_arith(
// CHECK-SAME: -> (tensor<3xi64>, tensor<3xi64>, tensor<3xi1>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) {
// CHECK-DAG: dense<[7, 1, 2]> : tensor<3xi64>
// CHECK-DAG: dense<[2, 0, 0]> : tensor<3xi64>
// CHECK-DAG: dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: dense<[0, 3, 0]> : tensor<3xi64>
// CHECK-DAG: dense<[6, 3, 3]> : tensor<3xi64>
// CHECK-DAG: dense<[-4, -2, -1]> : tensor<3xi64>
// CHECK-NOT: "onnx.{{Add|Div|Equal|Mod|Mul|Where|Max|Neg|Abs|Sub|Min}}"
func.func @fold_int_arith() -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi1>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>) {
  %a = "onnx.Constant"() {value = dense<[6, -2, 1]> : tensor<3xi64>} : () -> tensor<3xi64>
  %b = "onnx.Constant"() {value = dense<[1, 3, 1]> : tensor<3xi64>} : () -> tensor<3xi64>
  %three = "onnx.Constant"() {value = dense<3> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.Add"(%a, %b) : (tensor<3xi64>, tensor<3xi64>) -> tensor<*xi64>
  %1 = "onnx.Div"(%a, %three) : (tensor<3xi64>, tensor<i64>) -> tensor<*xi64>
  %2 = "onnx.Equal"(%b, %three) : (tensor<3xi64>, tensor<i64>) -> tensor<*xi1>
  // Modulo takes the sign of the divisor: [6, -2, 1] mod [1, 3, 1] = [0, 1, 0].
  %m = "onnx.Mod"(%a, %b) : (tensor<3xi64>, tensor<3xi64>) -> tensor<*xi64>
  %3 = "onnx.Mul"(%m, %b) : (tensor<*xi64>, tensor<3xi64>) -> tensor<*xi64>
  %4 = "onnx.Where"(%2, %b, %a) : (tensor<*xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<*xi64>
  %5 = "onnx.Max"(%4, %three) : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %6 = "onnx.Neg"(%a) : (tensor<3xi64>) -> tensor<*xi64>
  %7 = "onnx.Abs"(%6) : (tensor<*xi64>) -> tensor<*xi64>
  %8 = "onnx.Sub"(%1, %7) : (tensor<*xi64>, tensor<*xi64>) -> tensor<*xi64>
  %9 = "onnx.Min"(%8, %1) : (tensor<*xi64>, tensor<*xi64>) -> tensor<*xi64>
  return %0, %1, %2, %3, %5, %9 : tensor<*xi64>, tensor<*xi64>, tensor<*xi1>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @fold_slice_cast_concat(
// CHECK-SAME: -> (tensor<2xi64>, tensor<2xf32>, tensor<4xi32>) {
// CHECK-DAG: dense<[40, 20]> : tensor<2xi64>
// CHECK-DAG: dense<[4.000000e+01, 2.000000e+01]> : tensor<2xf32>
// CHECK-DAG: dense<[10, 20, 30, 40]> : tensor<4xi32>
func.func @fold_slice_cast_concat(%x: tensor<10x20x30x40xf32>) -> (tensor<*xi64>, tensor<*xf32>, tensor<*xi32>) {
  %n = "onnx.None"() : () -> none
  %s = "onnx.Shape"(%x) : (tensor<10x20x30x40xf32>) -> tensor<*xi64>
  %st = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %en = "onnx.Constant"() {value = dense<[-9223372036854775808]> : tensor<1xi64>} : () -> tensor<1xi64>
  %sp = "onnx.Constant"() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Slice"(%s, %st, %en, %n, %sp) : (tensor<*xi64>, tensor<1xi64>, tensor<1xi64>, none, tensor<1xi64>) -> tensor<*xi64>
  %1 = "onnx.Cast"(%0) {to = 1 : i64} : (tensor<*xi64>) -> tensor<*xf32>
  %2 = "onnx.Cast"(%s) {to = 6 : i64} : (tensor<*xi64>) -> tensor<*xi32>
  return %0, %1, %2 : tensor<*xi64>, tensor<*xf32>, tensor<*xi32>
}

// -----

// CHECK-LABEL: func.func @fold_generators(
// CHECK-SAME: -> (tensor<2x3xi64>, tensor<4xi64>, tensor<3xf32>, tensor<3x2xi64>, tensor<1x4xi64>, tensor<2x2xi64>, tensor<i64>, tensor<1xi64>) {
// CHECK-DAG: dense<7> : tensor<2x3xi64>
// CHECK-DAG: dense<[5, 3, 1, -1]> : tensor<4xi64>
// CHECK-DAG: dense<[0.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dense<{{\[\[}}7, 5], [7, 3], [7, 1]]> : tensor<3x2xi64>
// CHECK-DAG: dense<{{\[\[}}5, 3, 5, 3]]> : tensor<1x4xi64>
// CHECK-DAG: dense<{{\[\[}}5, 1], [3, -1]]> : tensor<2x2xi64>
// CHECK-DAG: dense<8> : tensor<i64>
// CHECK-DAG: dense<-15> : tensor<1xi64>
// CHECK-NOT: "onnx.{{Range|Expand|Tile|Transpose|Reduce|Concat|Slice|Unsqueeze}}"
func.func @fold_generators() -> (tensor<*xi64>, tensor<*xi64>, tensor<*xf32>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>) {
  %n = "onnx.None"() : () -> none
  %shape = "onnx.Constant"() {value = dense<[2, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.ConstantOfShape"(%shape) {value = dense<7> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<*xi64>
  %s = "onnx.Constant"() {value = dense<5> : tensor<i64>} : () -> tensor<i64>
  %l = "onnx.Constant"() {value = dense<-3> : tensor<i64>} : () -> tensor<i64>
  %d = "onnx.Constant"() {value = dense<-2> : tensor<i64>} : () -> tensor<i64>
  %1 = "onnx.Range"(%s, %l, %d) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<*xi64>
  %fs = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %fl = "onnx.Constant"() {value = dense<1.2> : tensor<f32>} : () -> tensor<f32>
  %fd = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %2 = "onnx.Range"(%fs, %fl, %fd) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  %v = "onnx.Constant"() {value = dense<[7]> : tensor<1xi64>} : () -> tensor<1xi64>
  %e = "onnx.Constant"() {value = dense<[3, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %col = "onnx.Expand"(%v, %e) : (tensor<1xi64>, tensor<2xi64>) -> tensor<*xi64>
  %z = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %o = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %t3 = "onnx.Constant"() {value = dense<[3]> : tensor<1xi64>} : () -> tensor<1xi64>
  %r3 = "onnx.Slice"(%1, %z, %t3, %n, %n) : (tensor<*xi64>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<*xi64>
  %rc = "onnx.Unsqueeze"(%r3, %o) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %3 = "onnx.Concat"(%col, %rc) {axis = 1 : i64} : (tensor<*xi64>, tensor<*xi64>) -> tensor<*xi64>
  %i01 = "onnx.Constant"() {value = dense<[0, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %g = "onnx.Gather"(%1, %i01) : (tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %gu = "onnx.Unsqueeze"(%g, %z) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %reps = "onnx.Constant"() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %4 = "onnx.Tile"(%gu, %reps) : (tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %sq = "onnx.Constant"() {value = dense<[2, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %rs = "onnx.Reshape"(%1, %sq) : (tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %5 = "onnx.Transpose"(%rs) : (tensor<*xi64>) -> tensor<*xi64>
  %6 = "onnx.ReduceSum"(%1, %n) {keepdims = 0 : i64} : (tensor<*xi64>, none) -> tensor<*xi64>
  %7 = "onnx.ReduceProd"(%1, %z) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<*xi64>, tensor<*xi64>, tensor<*xf32>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>
}
