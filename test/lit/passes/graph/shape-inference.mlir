// RUN: kiln-opt %s --kiln-shape-inference --split-input-file | FileCheck %s

// Shape inference of elementwise, data movement and reduction ops.

// CHECK-LABEL: func.func @relu(
// CHECK-SAME: -> tensor<1x3xf32> {
func.func @relu(%x: tensor<1x3xf32>) -> tensor<*xf32> {
  %0 = "onnx.Relu"(%x) : (tensor<1x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @unary_dynamic(
// CHECK-SAME: -> tensor<?x3xf32> {
func.func @unary_dynamic(%x: tensor<?x3xf32>) -> tensor<*xf32> {
  %0 = "onnx.Sigmoid"(%x) : (tensor<?x3xf32>) -> tensor<*xf32>
  %1 = "onnx.Tanh"(%0) : (tensor<*xf32>) -> tensor<*xf32>
  %2 = "onnx.Erf"(%1) : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @unary_unranked(
// CHECK-SAME: -> tensor<*xf32> {
func.func @unary_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  %0 = "onnx.Exp"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @add_broadcast(
// CHECK-SAME: -> tensor<2x3x4xf32> {
func.func @add_broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<*xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @mul_dynamic_broadcast(
// CHECK-SAME: -> (tensor<?x4xf32>, tensor<5x4xf32>) {
func.func @mul_dynamic_broadcast(%a: tensor<?x4xf32>, %b: tensor<4xf32>, %c: tensor<5x1xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Mul"(%a, %b) : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<*xf32>
  %1 = "onnx.Sub"(%a, %c) : (tensor<?x4xf32>, tensor<5x1xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @compare_logic(
// CHECK-SAME: -> tensor<2x3xi1> {
func.func @compare_logic(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %m: tensor<2x1xi1>) -> tensor<*xi1> {
  %0 = "onnx.Less"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<*xi1>
  %1 = "onnx.And"(%0, %m) : (tensor<*xi1>, tensor<2x1xi1>) -> tensor<*xi1>
  %2 = "onnx.Not"(%1) : (tensor<*xi1>) -> tensor<*xi1>
  return %2 : tensor<*xi1>
}

// -----

// CHECK-LABEL: func.func @where(
// CHECK-SAME: -> tensor<4x3xf32> {
func.func @where(%c: tensor<4x1xi1>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<*xf32> {
  %0 = "onnx.Where"(%c, %x, %y) : (tensor<4x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @variadic(
// CHECK-SAME: -> (tensor<2x5xf32>, tensor<2x5xf32>, tensor<2x1xf32>) {
func.func @variadic(%a: tensor<2x1xf32>, %b: tensor<1x5xf32>, %c: tensor<5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Sum"(%a, %b, %c) : (tensor<2x1xf32>, tensor<1x5xf32>, tensor<5xf32>) -> tensor<*xf32>
  %1 = "onnx.Max"(%a, %b) : (tensor<2x1xf32>, tensor<1x5xf32>) -> tensor<*xf32>
  %2 = "onnx.Mean"(%a) : (tensor<2x1xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @prelu_clip_cast(
// CHECK-SAME: -> tensor<1x8x4x4xi64> {
func.func @prelu_clip_cast(%x: tensor<1x8x4x4xf32>, %s: tensor<8x1x1xf32>) -> tensor<*xi64> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.PRelu"(%x, %s) : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<*xf32>
  %1 = "onnx.Clip"(%0, %n, %n) : (tensor<*xf32>, none, none) -> tensor<*xf32>
  %2 = "onnx.Cast"(%1) {to = 7 : i64} : (tensor<*xf32>) -> tensor<*xi64>
  return %2 : tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @dropout_mask(
// CHECK-SAME: -> (tensor<3x4xf32>, tensor<3x4xi1>) {
func.func @dropout_mask(%x: tensor<3x4xf32>) -> (tensor<*xf32>, tensor<*xi1>) {
  %n = "onnx.None"() : () -> none
  %0, %1 = "onnx.Dropout"(%x, %n, %n) : (tensor<3x4xf32>, none, none) -> (tensor<*xf32>, tensor<*xi1>)
  return %0, %1 : tensor<*xf32>, tensor<*xi1>
}

// -----

// SwiGLU: A and B have one shape; each fills the other's unknown dims.
// CHECK-LABEL: func.func @swiglu(
// CHECK-SAME: -> tensor<3x4xf16> {
func.func @swiglu(%a: tensor<?x4xf16>, %b: tensor<3x?xf16>) -> tensor<*xf16> {
  %0 = "onnx.SwiGLU"(%a, %b) : (tensor<?x4xf16>, tensor<3x?xf16>) -> tensor<*xf16>
  return %0 : tensor<*xf16>
}

// -----

// CHECK-LABEL: func.func @quantize(
// CHECK-SAME: -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) {
func.func @quantize(%x: tensor<2x3xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> (tensor<*xui8>, tensor<*xf32>, tensor<*xui8>) {
  %0 = "onnx.QuantizeLinear"(%x, %s, %z) : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<*xui8>
  %1 = "onnx.DequantizeLinear"(%0, %s, %z) : (tensor<*xui8>, tensor<f32>, tensor<ui8>) -> tensor<*xf32>
  %2, %3, %4 = "onnx.DynamicQuantizeLinear"(%1) : (tensor<*xf32>) -> (tensor<*xui8>, tensor<*xf32>, tensor<*xui8>)
  return %2, %3, %4 : tensor<*xui8>, tensor<*xf32>, tensor<*xui8>
}

// -----

// CHECK-LABEL: func.func @bitshift_mod_pow(
// CHECK-SAME: -> (tensor<4xui8>, tensor<4xui8>, tensor<2x4xf32>) {
func.func @bitshift_mod_pow(%a: tensor<4xui8>, %b: tensor<1xui8>, %x: tensor<2x4xf32>, %y: tensor<f32>) -> (tensor<*xui8>, tensor<*xui8>, tensor<*xf32>) {
  %0 = "onnx.BitShift"(%a, %b) {direction = "LEFT"} : (tensor<4xui8>, tensor<1xui8>) -> tensor<*xui8>
  %1 = "onnx.Mod"(%a, %b) : (tensor<4xui8>, tensor<1xui8>) -> tensor<*xui8>
  %2 = "onnx.Pow"(%x, %y) : (tensor<2x4xf32>, tensor<f32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xui8>, tensor<*xui8>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_zero_minus_one(
// CHECK-SAME: -> tensor<2x12xf32> {
func.func @reshape_zero_minus_one(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[0, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_dynamic(
// CHECK-SAME: -> (tensor<?x12xf32>, tensor<?x3x4xf32>) {
func.func @reshape_dynamic(%x: tensor<?x3x4xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %s = "onnx.Constant"() {value = dense<[-1, 12]> : tensor<2xi64>} : () -> tensor<2xi64>
  %t = "onnx.Constant"() {value = dense<[0, 3, 4]> : tensor<3xi64>} : () -> tensor<3xi64>
  %0 = "onnx.Reshape"(%x, %s) : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  %1 = "onnx.Reshape"(%0, %t) : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_allowzero(
// CHECK-SAME: -> tensor<4x0xf32> {
func.func @reshape_allowzero(%x: tensor<0x4xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[4, 0]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Reshape"(%x, %s) {allowzero = 1 : i64} : (tensor<0x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_unknown_shape(
// CHECK-SAME: -> tensor<?x?x?xf32> {
func.func @reshape_unknown_shape(%x: tensor<6xf32>, %s: tensor<3xi64>) -> tensor<*xf32> {
  %0 = "onnx.Reshape"(%x, %s) : (tensor<6xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @flatten(
// CHECK-SAME: -> (tensor<6x20xf32>, tensor<24x5xf32>, tensor<1x120xf32>) {
func.func @flatten(%x: tensor<2x3x4x5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Flatten"(%x) {axis = 2 : i64} : (tensor<2x3x4x5xf32>) -> tensor<*xf32>
  %1 = "onnx.Flatten"(%x) {axis = -1 : i64} : (tensor<2x3x4x5xf32>) -> tensor<*xf32>
  %2 = "onnx.Flatten"(%x) {axis = 0 : i64} : (tensor<2x3x4x5xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze_unsqueeze(
// CHECK-SAME: -> (tensor<1x3x5xf32>, tensor<3x5xf32>, tensor<1x3x5x1xf32>) {
func.func @squeeze_unsqueeze(%x: tensor<1x3x1x5xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %a = "onnx.Constant"() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %u = "onnx.Constant"() {value = dense<[0, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Squeeze"(%x, %a) : (tensor<1x3x1x5xf32>, tensor<1xi64>) -> tensor<*xf32>
  %1 = "onnx.Squeeze"(%x, %n) : (tensor<1x3x1x5xf32>, none) -> tensor<*xf32>
  %2 = "onnx.Unsqueeze"(%1, %u) : (tensor<*xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: -> (tensor<?x3x2xf32>, tensor<3x?x2xf32>) {
func.func @transpose(%x: tensor<2x3x?xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Transpose"(%x) : (tensor<2x3x?xf32>) -> tensor<*xf32>
  %1 = "onnx.Transpose"(%x) {perm = array<i64: 1, 2, 0>} : (tensor<2x3x?xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @concat(
// CHECK-SAME: -> (tensor<?x3xf32>, tensor<2x8xf32>, tensor<2x?xf32>) {
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<?x3xf32>, %c: tensor<2x5xf32>, %d: tensor<2x?xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Concat"(%a, %b) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<?x3xf32>) -> tensor<*xf32>
  %1 = "onnx.Concat"(%a, %c) {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<*xf32>
  %2 = "onnx.Concat"(%b, %d) {axis = 1 : i64} : (tensor<?x3xf32>, tensor<2x?xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @split(
// CHECK-SAME: -> (tensor<2x3xf32>, tensor<2x7xf32>, tensor<2x4xf32>, tensor<2x2xf32>, tensor<1x10xf32>) {
func.func @split(%x: tensor<2x10xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %s = "onnx.Constant"() {value = dense<[3, 7]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0:2 = "onnx.Split"(%x, %s) {axis = 1 : i64} : (tensor<2x10xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  %1:3 = "onnx.Split"(%x, %n) {axis = -1 : i64, num_outputs = 3 : i64} : (tensor<2x10xf32>, none) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  %2:2 = "onnx.Split"(%x, %n) : (tensor<2x10xf32>, none) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1, %1#0, %1#2, %2#1 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @slice(
// CHECK-SAME: -> (tensor<3x7x?xf32>, tensor<9x0x?xf32>) {
func.func @slice(%x: tensor<10x20x?xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %st = "onnx.Constant"() {value = dense<[1, -5]> : tensor<2xi64>} : () -> tensor<2xi64>
  %en = "onnx.Constant"() {value = dense<[9223372036854775807, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %ax = "onnx.Constant"() {value = dense<[0, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %sp = "onnx.Constant"() {value = dense<[3, -2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Slice"(%x, %st, %en, %ax, %sp) : (tensor<10x20x?xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<*xf32>
  %1 = "onnx.Slice"(%x, %st, %en, %n, %n) : (tensor<10x20x?xf32>, tensor<2xi64>, tensor<2xi64>, none, none) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @slice_negative_axes(
// CHECK-SAME: -> tensor<4x6x7xf32> {
func.func @slice_negative_axes(%x: tensor<4x6x8xf32>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %st = "onnx.Constant"() {value = dense<[-100]> : tensor<1xi64>} : () -> tensor<1xi64>
  %en = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %ax = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Slice"(%x, %st, %en, %ax, %n) : (tensor<4x6x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @slice_dynamic_starts(
// CHECK-SAME: -> tensor<4x?x8xf32> {
func.func @slice_dynamic_starts(%x: tensor<4x6x8xf32>, %st: tensor<1xi64>, %en: tensor<1xi64>) -> tensor<*xf32> {
  %ax = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Slice"(%x, %st, %en, %ax, %n) : (tensor<4x6x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @gather(
// CHECK-SAME: -> (tensor<5x2x3x7xf32>, tensor<5x6xf32>) {
func.func @gather(%x: tensor<5x6x7xf32>, %i: tensor<2x3xi64>, %j: tensor<i64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Gather"(%x, %i) {axis = 1 : i64} : (tensor<5x6x7xf32>, tensor<2x3xi64>) -> tensor<*xf32>
  %1 = "onnx.Gather"(%x, %j) {axis = -1 : i64} : (tensor<5x6x7xf32>, tensor<i64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @gather_elements_nd(
// CHECK-SAME: -> (tensor<5x2x7xf32>, tensor<5x4xf32>, tensor<5x4x7xf32>) {
func.func @gather_elements_nd(%x: tensor<5x6x7xf32>, %i: tensor<5x2x7xi64>, %k: tensor<5x4x2xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.GatherElements"(%x, %i) {axis = 1 : i64} : (tensor<5x6x7xf32>, tensor<5x2x7xi64>) -> tensor<*xf32>
  %1 = "onnx.GatherND"(%x, %k) {batch_dims = 1 : i64} : (tensor<5x6x7xf32>, tensor<5x4x2xi64>) -> tensor<*xf32>
  %2 = "onnx.GatherND"(%x, %k) : (tensor<5x6x7xf32>, tensor<5x4x2xi64>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @scatter(
// CHECK-SAME: -> tensor<5x6xf32> {
func.func @scatter(%x: tensor<5x6xf32>, %i: tensor<2x6xi64>, %u: tensor<2x6xf32>) -> tensor<*xf32> {
  %0 = "onnx.ScatterElements"(%x, %i, %u) : (tensor<5x6xf32>, tensor<2x6xi64>, tensor<2x6xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @expand_tile(
// CHECK-SAME: -> (tensor<2x3x4xf32>, tensor<6x3xf32>) {
func.func @expand_tile(%x: tensor<3x1xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %s = "onnx.Constant"() {value = dense<[2, 1, 4]> : tensor<3xi64>} : () -> tensor<3xi64>
  %r = "onnx.Constant"() {value = dense<[2, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Expand"(%x, %s) : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<*xf32>
  %1 = "onnx.Tile"(%x, %r) : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @pad(
// CHECK-SAME: -> (tensor<1x3x12x?xf32>, tensor<1x3x9x?xf32>) {
func.func @pad(%x: tensor<1x3x8x?xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %p = "onnx.Constant"() {value = dense<[0, 0, 1, 2, 0, 0, 3, 4]> : tensor<8xi64>} : () -> tensor<8xi64>
  %q = "onnx.Constant"() {value = dense<[1, -1, 0, 0]> : tensor<4xi64>} : () -> tensor<4xi64>
  %a = "onnx.Constant"() {value = dense<[2, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Pad"(%x, %p, %n, %n) : (tensor<1x3x8x?xf32>, tensor<8xi64>, none, none) -> tensor<*xf32>
  %1 = "onnx.Pad"(%x, %q, %n, %a) {mode = "reflect"} : (tensor<1x3x8x?xf32>, tensor<4xi64>, none, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @shape_size(
// CHECK-SAME: -> (tensor<3xi64>, tensor<2xi64>, tensor<i64>) {
func.func @shape_size(%x: tensor<2x?x4xf32>) -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi64>) {
  %0 = "onnx.Shape"(%x) : (tensor<2x?x4xf32>) -> tensor<*xi64>
  %1 = "onnx.Shape"(%x) {start = -2 : i64} : (tensor<2x?x4xf32>) -> tensor<*xi64>
  %2 = "onnx.Size"(%x) : (tensor<2x?x4xf32>) -> tensor<*xi64>
  return %0, %1, %2 : tensor<*xi64>, tensor<*xi64>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape(
// CHECK-SAME: -> (tensor<?x?x?xf32>, tensor<2x3xf32>) {
func.func @constant_of_shape(%s: tensor<3xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %c = "onnx.Constant"() {value = dense<[2, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.ConstantOfShape"(%s) : (tensor<3xi64>) -> tensor<*xf32>
  %1 = "onnx.ConstantOfShape"(%c) {value = dense<1.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @range(
// CHECK-SAME: -> (tensor<5xf32>, tensor<?xf32>) {
func.func @range(%l: tensor<f32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %a = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %b = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %c = "onnx.Constant"() {value = dense<10.5> : tensor<f32>} : () -> tensor<f32>
  %0 = "onnx.Range"(%a, %c, %b) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  %1 = "onnx.Range"(%a, %l, %b) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @resize(
// CHECK-SAME: -> (tensor<1x3x25x?xf32>, tensor<1x3x7x9xf32>) {
func.func @resize(%x: tensor<1x3x10x?xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %sc = "onnx.Constant"() {value = dense<[1.0, 1.0, 2.5, 2.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %sz = "onnx.Constant"() {value = dense<[1, 3, 7, 9]> : tensor<4xi64>} : () -> tensor<4xi64>
  %e = "onnx.Constant"() {value = dense<> : tensor<0xf32>} : () -> tensor<0xf32>
  %0 = "onnx.Resize"(%x, %n, %sc, %n) : (tensor<1x3x10x?xf32>, none, tensor<4xf32>, none) -> tensor<*xf32>
  %1 = "onnx.Resize"(%x, %n, %e, %sz) : (tensor<1x3x10x?xf32>, none, tensor<0xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @depth_space(
// CHECK-SAME: -> (tensor<1x2x4x6xf32>, tensor<1x8x2x3xf32>) {
func.func @depth_space(%x: tensor<1x8x2x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<*xf32>
  %1 = "onnx.SpaceToDepth"(%0) {blocksize = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @onehot(
// CHECK-SAME: -> (tensor<2x3x10xf32>, tensor<10x2x3xf32>) {
func.func @onehot(%i: tensor<2x3xi64>, %v: tensor<2xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %d = "onnx.Constant"() {value = dense<10> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.OneHot"(%i, %d, %v) : (tensor<2x3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<*xf32>
  %1 = "onnx.OneHot"(%i, %d, %v) {axis = 0 : i64} : (tensor<2x3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @trilu_cumsum_eyelike(
// CHECK-SAME: -> tensor<4x5xf32> {
func.func @trilu_cumsum_eyelike(%x: tensor<4x5xf32>, %a: tensor<i64>) -> tensor<*xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Trilu"(%x, %n) : (tensor<4x5xf32>, none) -> tensor<*xf32>
  %1 = "onnx.CumSum"(%0, %a) : (tensor<*xf32>, tensor<i64>) -> tensor<*xf32>
  %2 = "onnx.EyeLike"(%1) : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @compress_nonzero(
// CHECK-SAME: -> (tensor<4x?xf32>, tensor<?xf32>, tensor<2x5xf32>, tensor<2x?xi64>) {
func.func @compress_nonzero(%x: tensor<4x5xf32>, %c: tensor<5xi1>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xi64>) {
  %k = "onnx.Constant"() {value = dense<[true, false, true]> : tensor<3xi1>} : () -> tensor<3xi1>
  %0 = "onnx.Compress"(%x, %c) {axis = 1 : i64} : (tensor<4x5xf32>, tensor<5xi1>) -> tensor<*xf32>
  %1 = "onnx.Compress"(%x, %c) : (tensor<4x5xf32>, tensor<5xi1>) -> tensor<*xf32>
  %2 = "onnx.Compress"(%x, %k) {axis = 0 : i64} : (tensor<4x5xf32>, tensor<3xi1>) -> tensor<*xf32>
  %3 = "onnx.NonZero"(%x) : (tensor<4x5xf32>) -> tensor<*xi64>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @topk(
// CHECK-SAME: -> (tensor<3x4xf32>, tensor<3x4xi64>) {
func.func @topk(%x: tensor<3x10xf32>) -> (tensor<*xf32>, tensor<*xi64>) {
  %k = "onnx.Constant"() {value = dense<[4]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0, %1 = "onnx.TopK"(%x, %k) : (tensor<3x10xf32>, tensor<1xi64>) -> (tensor<*xf32>, tensor<*xi64>)
  return %0, %1 : tensor<*xf32>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @einsum(
// CHECK-SAME: -> (tensor<2x3x5xf32>, tensor<7x3xf32>, tensor<3x7xf32>, tensor<2x4x3xf32>) {
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>, %c: tensor<7x3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.Einsum"(%a, %b) {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<*xf32>
  %1 = "onnx.Einsum"(%c) {equation = "ij"} : (tensor<7x3xf32>) -> tensor<*xf32>
  %2 = "onnx.Einsum"(%c) {equation = "ji"} : (tensor<7x3xf32>) -> tensor<*xf32>
  %3 = "onnx.Einsum"(%a) {equation = "...ij->...ji"} : (tensor<2x3x4xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reverse_sequence(
// CHECK-SAME: -> tensor<4x2x3xf32> {
func.func @reverse_sequence(%x: tensor<4x2x3xf32>, %l: tensor<2xi64>) -> tensor<*xf32> {
  %0 = "onnx.ReverseSequence"(%x, %l) : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reduce(
// CHECK-SAME: -> (tensor<2x1x1xf32>, tensor<2xf32>, tensor<f32>, tensor<2x3x4xf32>, tensor<1x1x1xf32>) {
func.func @reduce(%x: tensor<2x3x4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %n = "onnx.None"() : () -> none
  %a = "onnx.Constant"() {value = dense<[1, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.ReduceSum"(%x, %a) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  %1 = "onnx.ReduceMean"(%x, %a) {keepdims = 0 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  %2 = "onnx.ReduceMax"(%x, %n) {keepdims = 0 : i64} : (tensor<2x3x4xf32>, none) -> tensor<*xf32>
  %3 = "onnx.ReduceL2"(%x, %n) {noop_with_empty_axes = 1 : i64} : (tensor<2x3x4xf32>, none) -> tensor<*xf32>
  %4 = "onnx.ReduceLogSumExp"(%x, %n) : (tensor<2x3x4xf32>, none) -> tensor<*xf32>
  return %0, %1, %2, %3, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Run-time axes: keepdims keeps the rank and the dims of size 1.
// CHECK-LABEL: func.func @reduce_dynamic_axes(
// CHECK-SAME: -> (tensor<?x1x?xf32>, tensor<*xf32>) {
func.func @reduce_dynamic_axes(%x: tensor<2x1x4xf32>, %a: tensor<1xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.ReduceProd"(%x, %a) : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<*xf32>
  %1 = "onnx.ReduceMin"(%x, %a) {keepdims = 0 : i64} : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// An axes input of static length 0 is empty: all dims (or none with
// noop_with_empty_axes).
// CHECK-LABEL: func.func @reduce_empty_axes_input(
// CHECK-SAME: -> (tensor<1x1xf32>, tensor<2x3xf32>) {
func.func @reduce_empty_axes_input(%x: tensor<2x3xf32>, %a: tensor<0xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.ReduceSum"(%x, %a) : (tensor<2x3xf32>, tensor<0xi64>) -> tensor<*xf32>
  %1 = "onnx.ReduceL2"(%x, %a) {noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>, tensor<0xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// The declared type of a graph output flows back through elementwise ops to
// a Reduce with run-time axes (forward inference leaves it unknown).
// CHECK-LABEL: func.func @reduce_dynamic_axes_backward(
// CHECK: "onnx.ReduceSum"{{.*}} -> tensor<3x2xf32>
// CHECK: "onnx.Log"{{.*}} (tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: "onnx.ReduceMax"{{.*}} -> tensor<3x1x2xf32>
// CHECK: "onnx.Mul"{{.*}} (tensor<3x1x2xf32>, tensor<3x1x2xf32>) -> tensor<3x1x2xf32>
// CHECK: "onnx.ReduceMin"{{.*}} -> tensor<?x1x?xf32>
// CHECK: "onnx.Add"{{.*}} (tensor<?x1x?xf32>, tensor<3x1x2xf32>) -> tensor<3x1x2xf32>
func.func @reduce_dynamic_axes_backward(%x: tensor<3x2x2xf32>, %a: tensor<1xi64>, %y: tensor<3x1x2xf32>) -> (tensor<3x2xf32>, tensor<3x1x2xf32>, tensor<3x1x2xf32>) {
  %0 = "onnx.ReduceSum"(%x, %a) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<*xf32>
  %1 = "onnx.Log"(%0) : (tensor<*xf32>) -> tensor<3x2xf32>
  // Mul(v, v): both operands are v, so v has the result's dims.
  %2 = "onnx.ReduceMax"(%x, %a) : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<*xf32>
  %3 = "onnx.Mul"(%2, %2) : (tensor<*xf32>, tensor<*xf32>) -> tensor<3x1x2xf32>
  // Add(v, y), y of the result shape: v may broadcast except where it is 1.
  %4 = "onnx.ReduceMin"(%x, %a) : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<*xf32>
  %5 = "onnx.Add"(%4, %y) : (tensor<*xf32>, tensor<3x1x2xf32>) -> tensor<3x1x2xf32>
  return %1, %3, %5 : tensor<3x2xf32>, tensor<3x1x2xf32>, tensor<3x1x2xf32>
}

// -----

// Add(a, b) with both dims unknown: they provably share one root (a Range
// through same-shape ops and broadcasts with scalars), so both take the
// result's dim, and so does the Range (the expanded window functions).
// CHECK-LABEL: func.func @shared_root_backward(
// CHECK: "onnx.Range"{{.*}} -> tensor<10xf32>
// CHECK: "onnx.Cos"{{.*}} -> tensor<10xf32>
// CHECK: "onnx.Sin"{{.*}} -> tensor<10xf32>
// CHECK: "onnx.Add"{{.*}} (tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32>
// CHECK: "onnx.Sub"{{.*}} (tensor<?xf32>, tensor<?xf32>) -> tensor<3xf32>
func.func @shared_root_backward(%n: tensor<f32>, %k: tensor<f32>, %m: tensor<f32>) -> (tensor<10xf32>, tensor<3xf32>) {
  %zero = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %r = "onnx.Range"(%zero, %n, %one) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  %s = "onnx.Mul"(%r, %n) : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %c = "onnx.Cos"(%s) : (tensor<*xf32>) -> tensor<*xf32>
  %d = "onnx.Sin"(%r) : (tensor<*xf32>) -> tensor<*xf32>
  %y = "onnx.Add"(%c, %d) : (tensor<*xf32>, tensor<*xf32>) -> tensor<10xf32>
  // Two different Ranges: either could broadcast, nothing is refined.
  %r1 = "onnx.Range"(%zero, %k, %one) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  %r2 = "onnx.Range"(%zero, %m, %one) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  %z = "onnx.Sub"(%r1, %r2) : (tensor<*xf32>, tensor<*xf32>) -> tensor<3xf32>
  return %y, %z : tensor<10xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @signal_shapes(
// CHECK-SAME: -> (tensor<2x5x3x2xf32>, tensor<2x8x3x1xf32>, tensor<?x?x?x2xf32>, tensor<1x8x5x2xf32>, tensor<9x8xf32>)
func.func @signal_shapes(%x: tensor<2x8x3x1xf32>, %c: tensor<2x5x3x2xf32>, %a: tensor<i64>, %s: tensor<1x64x1xf32>, %w: tensor<8xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %none = onnx.None
  %axis = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %step = "onnx.Constant"() {value = dense<8> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.DFT"(%x, %none, %axis) {onesided = 1 : i64} : (tensor<2x8x3x1xf32>, none, tensor<i64>) -> tensor<*xf32>
  %1 = "onnx.DFT"(%c, %none, %axis) {inverse = 1 : i64, onesided = 1 : i64} : (tensor<2x5x3x2xf32>, none, tensor<i64>) -> tensor<*xf32>
  // A run-time axis: any non-complex dim may be the transformed one.
  %2 = "onnx.DFT"(%x, %none, %a) {onesided = 1 : i64} : (tensor<2x8x3x1xf32>, none, tensor<i64>) -> tensor<*xf32>
  %3 = "onnx.STFT"(%s, %step, %w, %none) : (tensor<1x64x1xf32>, tensor<i64>, tensor<8xf32>, none) -> tensor<*xf32>
  %m = "onnx.Constant"() {value = dense<8> : tensor<i32>} : () -> tensor<i32>
  %d = "onnx.Constant"() {value = dense<16> : tensor<i32>} : () -> tensor<i32>
  %r = "onnx.Constant"() {value = dense<8000> : tensor<i32>} : () -> tensor<i32>
  %lo = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %4 = "onnx.MelWeightMatrix"(%m, %d, %r, %lo, %lo) : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @argmax(
// CHECK-SAME: -> (tensor<2x3x1xi64>, tensor<2x4xi64>) {
func.func @argmax(%x: tensor<2x3x4xf32>) -> (tensor<*xi64>, tensor<*xi64>) {
  %0 = "onnx.ArgMax"(%x) {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %1 = "onnx.ArgMin"(%x) {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<*xi64>
  return %0, %1 : tensor<*xi64>, tensor<*xi64>
}

// -----

// A static Slice of data whose shape depends on the run-time length added to
// its starts (CenterCropPad's function body): the length must be the
// result's sizes, so its other uses read those as a constant (the Pad
// becomes static) and the Add reads it through an Identity the lowering
// checks at run time.
// CHECK-LABEL: func.func @assume_slice_length(
// CHECK: "onnx.Pad"{{.*}} -> tensor<20x10x3xf32>
// CHECK: %[[ID:.*]] = "onnx.Identity"(%arg1) {kiln.expected_message = "Slice: ends - starts must be the static result shape", kiln.expected_value = dense<[10, 7, 3]> : tensor<3xi64>}
// CHECK: %[[E:.*]] = "onnx.Add"(%{{.*}}, %[[ID]])
// CHECK: "onnx.Slice"(%{{.*}}, %{{.*}}, %[[E]], %{{.*}}, %{{.*}}) : (tensor<20x10x3xf32>, {{.*}}) -> tensor<10x7x3xf32>
func.func @assume_slice_length(%x: tensor<20x10x3xf32>, %s: tensor<3xi64>) -> tensor<10x7x3xf32> {
  %n = "onnx.None"() : () -> none
  %two = "onnx.Constant"() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %xs = "onnx.Shape"(%x) : (tensor<20x10x3xf32>) -> tensor<3xi64>
  %m = "onnx.Max"(%xs, %s) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %amount = "onnx.Sub"(%m, %xs) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %left = "onnx.Div"(%amount, %two) : (tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
  %right = "onnx.Sub"(%amount, %left) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %pads = "onnx.Concat"(%left, %right) {axis = 0 : i64} : (tensor<3xi64>, tensor<3xi64>) -> tensor<6xi64>
  %p = "onnx.Pad"(%x, %pads, %n, %n) {mode = "constant"} : (tensor<20x10x3xf32>, tensor<6xi64>, none, none) -> tensor<*xf32>
  %ps = "onnx.Shape"(%p) : (tensor<*xf32>) -> tensor<3xi64>
  %d = "onnx.Sub"(%ps, %s) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %st = "onnx.Div"(%d, %two) : (tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
  %en = "onnx.Add"(%st, %s) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %y = "onnx.Slice"(%p, %st, %en, %n, %n) : (tensor<*xf32>, tensor<3xi64>, tensor<3xi64>, none, none) -> tensor<10x7x3xf32>
  return %y : tensor<10x7x3xf32>
}
