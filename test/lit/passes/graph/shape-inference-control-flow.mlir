// RUN: kiln-opt %s --kiln-shape-inference --split-input-file | FileCheck %s

// Shape inference of If, Loop and Scan.

// If results join what the branches yield (regions: else, then).
// CHECK-LABEL: func.func @if_join(
// CHECK-SAME: -> (tensor<2x3xf32>, tensor<?x3xf32>, tensor<*xf32>) {
func.func @if_join(%c: tensor<i1>, %x: tensor<2x3xf32>, %y: tensor<1x3xf32>, %z: tensor<4x3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = "onnx.If"(%c) ({
    %a = "onnx.Add"(%x, %y) : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<*xf32>
    "onnx.Yield"(%a) : (tensor<*xf32>) -> ()
  }, {
    %b = "onnx.Relu"(%x) : (tensor<2x3xf32>) -> tensor<*xf32>
    "onnx.Yield"(%b) : (tensor<*xf32>) -> ()
  }) : (tensor<i1>) -> tensor<*xf32>
  %1 = "onnx.If"(%c) ({
    "onnx.Yield"(%x) : (tensor<2x3xf32>) -> ()
  }, {
    %b = "onnx.Neg"(%z) : (tensor<4x3xf32>) -> tensor<*xf32>
    "onnx.Yield"(%b) : (tensor<*xf32>) -> ()
  }) : (tensor<i1>) -> tensor<*xf32>
  %2 = "onnx.If"(%c) ({
    "onnx.Yield"(%x) : (tensor<2x3xf32>) -> ()
  }, {
    "onnx.Yield"(%y) : (tensor<1x3xf32>) -> ()
  }) : (tensor<i1>) -> tensor<*xf32>
  %n = "onnx.None"() : () -> none
  %r = "onnx.ReduceSum"(%2, %n) {keepdims = 0 : i64} : (tensor<*xf32>, none) -> tensor<*xf32>
  %3 = "onnx.If"(%c) ({
    "onnx.Yield"(%x) : (tensor<2x3xf32>) -> ()
  }, {
    "onnx.Yield"(%r) : (tensor<*xf32>) -> ()
  }) : (tensor<i1>) -> tensor<*xf32>
  return %0, %1, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// A loop-carried value whose shape the body keeps: the body arguments and
// the results get it; the scan output gets a leading dynamic dim.
// CHECK-LABEL: func.func @loop_invariant(
// CHECK-SAME: -> (tensor<2xf32>, tensor<?x2xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %{{.*}}: tensor<2xf32>):
// CHECK: "onnx.Add"{{.*}} -> tensor<2xf32>
func.func @loop_invariant(%m: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0:2 = "onnx.Loop"(%m, %c, %x) ({
  ^bb0(%i: tensor<*xi64>, %ci: tensor<*xi1>, %acc: tensor<*xf32>):
    %s = "onnx.Add"(%acc, %x) : (tensor<*xf32>, tensor<2xf32>) -> tensor<*xf32>
    %co = "onnx.Identity"(%ci) : (tensor<*xi1>) -> tensor<*xi1>
    "onnx.Yield"(%co, %s, %s) : (tensor<*xi1>, tensor<*xf32>, tensor<*xf32>) -> ()
  }) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// A carried value that grows each iteration gets a dynamic dim, never the
// initial static one.
// CHECK-LABEL: func.func @loop_growing(
// CHECK-SAME: -> (tensor<?xf32>, tensor<3xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %{{.*}}: tensor<?xf32>, %{{.*}}: tensor<3xf32>):
func.func @loop_growing(%m: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>, %y: tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0:2 = "onnx.Loop"(%m, %c, %x, %y) ({
  ^bb0(%i: tensor<*xi64>, %ci: tensor<*xi1>, %acc: tensor<*xf32>, %keep: tensor<*xf32>):
    %s = "onnx.Concat"(%acc, %x) {axis = 0 : i64} : (tensor<*xf32>, tensor<2xf32>) -> tensor<*xf32>
    %k = "onnx.Sigmoid"(%keep) : (tensor<*xf32>) -> tensor<*xf32>
    "onnx.Yield"(%ci, %s, %k) : (tensor<*xi1>, tensor<*xf32>, tensor<*xf32>) -> ()
  }) : (tensor<i64>, tensor<i1>, tensor<2xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Without a condition and with a constant trip count, scan outputs have
// that many rows.
// CHECK-LABEL: func.func @loop_trip_count(
// CHECK-SAME: -> (tensor<1x4xf32>, tensor<5x1x4xf32>) {
func.func @loop_trip_count(%x: tensor<1x4xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %m = "onnx.Constant"() {value = dense<5> : tensor<i64>} : () -> tensor<i64>
  %n = "onnx.None"() : () -> none
  %0:2 = "onnx.Loop"(%m, %n, %x) ({
  ^bb0(%i: tensor<*xi64>, %ci: tensor<*xi1>, %acc: tensor<*xf32>):
    %s = "onnx.Mul"(%acc, %acc) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    "onnx.Yield"(%ci, %s, %acc) : (tensor<*xi1>, tensor<*xf32>, tensor<*xf32>) -> ()
  }) : (tensor<i64>, none, tensor<1x4xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Scan: the body sees slices of the scan inputs; scan outputs stack along
// scan_output_axes.
// CHECK-LABEL: func.func @scan(
// CHECK-SAME: -> (tensor<2xf32>, tensor<7x2xf32>, tensor<2x7xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<2xf32>, %{{.*}}: tensor<2xf32>):
func.func @scan(%init: tensor<2xf32>, %xs: tensor<7x2xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0:3 = "onnx.Scan"(%init, %xs) ({
  ^bb0(%st: tensor<*xf32>, %x: tensor<*xf32>):
    %s = "onnx.Add"(%st, %x) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    "onnx.Yield"(%s, %s, %x) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> ()
  }) {num_scan_inputs = 1 : i64, scan_output_axes = array<i64: 0, -1>} : (tensor<2xf32>, tensor<7x2xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1, %0#2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// A constant condition: the results are what the taken branch yields.
// CHECK-LABEL: func.func @if_constant_condition(
// CHECK-SAME: -> tensor<4xf32> {
func.func @if_constant_condition(%x: tensor<2xf32>, %y: tensor<4xf32>) -> tensor<*xf32> {
  %c = "onnx.Constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  %0 = "onnx.If"(%c) ({
    "onnx.Yield"(%x) : (tensor<2xf32>) -> ()
  }, {
    "onnx.Yield"(%y) : (tensor<4xf32>) -> ()
  }) : (tensor<i1>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
