// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// If: scf.if on the extracted condition, branches moved in (regions: else,
// then), their ops converted too.
// CHECK-LABEL: func.func @if_branches
// CHECK: %[[C:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
// CHECK: %[[R:.*]] = scf.if %[[C]] -> (tensor<3xf32>) {
// CHECK:   linalg.generic
// CHECK:   arith.negf
// CHECK:   scf.yield %{{.*}} : tensor<3xf32>
// CHECK: } else {
// CHECK:   scf.yield %{{.*}} : tensor<3xf32>
// CHECK: }
// CHECK: return %[[R]]
func.func @if_branches(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "onnx.If"(%c) ({
    "onnx.Yield"(%x) : (tensor<3xf32>) -> ()
  }, {
    %n = "onnx.Neg"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    "onnx.Yield"(%n) : (tensor<3xf32>) -> ()
  }) : (tensor<i1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// If with a constant condition: the taken branch replaces the node (the
// other one need not even have the result's shape).
// CHECK-LABEL: func.func @if_constant_condition
// CHECK-NOT: scf.if
// CHECK: arith.negf
// CHECK-NOT: scf.if
func.func @if_constant_condition(%x: tensor<3xf32>, %y: tensor<2xf32>) -> tensor<3xf32> {
  %c = "onnx.Constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  %0 = "onnx.If"(%c) ({
    "onnx.Yield"(%y) : (tensor<2xf32>) -> ()
  }, {
    %n = "onnx.Neg"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    "onnx.Yield"(%n) : (tensor<3xf32>) -> ()
  }) : (tensor<i1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Loop with a constant M and no condition: a plain scf.for over M steps;
// the scan output is inserted at the iteration's row.
// CHECK-LABEL: func.func @loop_constant_trip_count
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: %[[L:.*]]:2 = scf.for %[[IV:.*]] = %[[C0]] to %[[C4]] step %[[C1]] iter_args(%[[A:.*]] = %{{.*}}, %[[S:.*]] = %[[F]]) -> (tensor<2xf32>, tensor<4x2xf32>) {
// CHECK:   %[[I:.*]] = arith.index_cast %[[IV]] : index to i64
// CHECK:   tensor.from_elements %[[I]] : tensor<i64>
// CHECK:   scf.execute_region -> (tensor<i1>, tensor<2xf32>, tensor<2xf32>) {
// CHECK:     linalg.generic
// CHECK:     arith.addf
// CHECK:     scf.yield
// CHECK:   }
// CHECK:   tensor.insert_slice %{{.*}} into %[[S]][%[[IV]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<4x2xf32>
// CHECK:   scf.yield
// CHECK: }
// CHECK: return %[[L]]#0, %[[L]]#1
func.func @loop_constant_trip_count(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) {
  %m = "onnx.Constant"() {value = dense<4> : tensor<i64>} : () -> tensor<i64>
  %n = "onnx.None"() : () -> none
  %0:2 = "onnx.Loop"(%m, %n, %x) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %acc: tensor<2xf32>):
    %s = "onnx.Add"(%acc, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    "onnx.Yield"(%ci, %s, %s) : (tensor<i1>, tensor<2xf32>, tensor<2xf32>) -> ()
  }) : (tensor<i64>, none, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<4x2xf32>
}

// -----

// Loop with a runtime M and condition and a static scan output: scf.for
// over the output's rows, each step guarded by the carried flag and i < M.
// CHECK-LABEL: func.func @loop_runtime_trip_count
// CHECK: %[[M:.*]] = tensor.extract %arg0[] : tensor<i64>
// CHECK: %[[C:.*]] = tensor.extract %arg1[] : tensor<i1>
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[L:.*]]:3 = scf.for %[[IV:.*]] = %{{.*}} to %[[C3]] step %{{.*}} iter_args(%[[F:.*]] = %[[C]], %{{.*}} = %arg2, %{{.*}} = %{{.*}}) -> (i1, tensor<1xf32>, tensor<3x1xf32>) {
// CHECK:   %[[I:.*]] = arith.index_cast %[[IV]] : index to i64
// CHECK:   %[[LT:.*]] = arith.cmpi slt, %[[I]], %[[M]] : i64
// CHECK:   %[[GO:.*]] = arith.andi %[[F]], %[[LT]] : i1
// CHECK:   scf.if %[[GO]] -> (i1, tensor<1xf32>, tensor<3x1xf32>) {
// CHECK:     scf.execute_region
// CHECK:     tensor.extract %{{.*}}[] : tensor<i1>
// CHECK:     tensor.insert_slice
// CHECK:   } else {
// CHECK:     %[[FALSE:.*]] = arith.constant false
// CHECK:     scf.yield %[[FALSE]]
// CHECK:   }
// CHECK: return %[[L]]#1, %[[L]]#2
func.func @loop_runtime_trip_count(%m: tensor<i64>, %c: tensor<i1>, %y: tensor<1xf32>) -> (tensor<1xf32>, tensor<3x1xf32>) {
  %0:2 = "onnx.Loop"(%m, %c, %y) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %acc: tensor<1xf32>):
    %s = "onnx.Add"(%acc, %acc) : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
    %co = "onnx.Identity"(%ci) : (tensor<i1>) -> tensor<i1>
    "onnx.Yield"(%co, %s, %s) : (tensor<i1>, tensor<1xf32>, tensor<1xf32>) -> ()
  }) : (tensor<i64>, tensor<i1>, tensor<1xf32>) -> (tensor<1xf32>, tensor<3x1xf32>)
  return %0#0, %0#1 : tensor<1xf32>, tensor<3x1xf32>
}

// -----

// Loop whose body computes the condition and has no scan outputs: an
// scf.while on (carried values, iteration, flag).
// CHECK-LABEL: func.func @loop_while
// CHECK: %[[W:.*]]:3 = scf.while (%{{.*}} = %arg0, %[[I:.*]] = %{{.*}}, %[[F:.*]] = %{{.*}}) : (tensor<f32>, i64, i1) -> (tensor<f32>, i64, i1) {
// CHECK:   scf.condition(%[[F]])
// CHECK: } do {
// CHECK: ^bb0(%{{.*}}: tensor<f32>, %[[J:.*]]: i64, %{{.*}}: i1):
// CHECK:   scf.execute_region -> (tensor<i1>, tensor<f32>)
// CHECK:     arith.cmpf olt
// CHECK:   arith.addi %[[J]], %{{.*}} : i64
// CHECK:   scf.yield
// CHECK: return %[[W]]#0
func.func @loop_while(%x: tensor<f32>, %lim: tensor<f32>) -> tensor<f32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Loop"(%n, %n, %x) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %acc: tensor<f32>):
    %s = "onnx.Add"(%acc, %acc) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %go = "onnx.Less"(%s, %lim) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "onnx.Yield"(%go, %s) : (tensor<i1>, tensor<f32>) -> ()
  }) : (none, none, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A constant M with a condition the body computes: still an scf.while (M is
// often INT64_MAX for a "while" loop), stopping at i < M too.
// CHECK-LABEL: func.func @loop_while_constant_m
// CHECK: scf.while
// CHECK:   arith.cmpi slt
// CHECK:   arith.andi
// CHECK:   scf.condition
func.func @loop_while_constant_m(%x: tensor<f32>, %lim: tensor<f32>) -> tensor<f32> {
  %m = "onnx.Constant"() {value = dense<9223372036854775807> : tensor<i64>} : () -> tensor<i64>
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Loop"(%m, %n, %x) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %acc: tensor<f32>):
    %s = "onnx.Add"(%acc, %acc) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %go = "onnx.Less"(%s, %lim) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "onnx.Yield"(%go, %s) : (tensor<i1>, tensor<f32>) -> ()
  }) : (tensor<i64>, none, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Scan: input 0 read backwards along axis 1, output 0 written along axis 1,
// output 1 written backwards along axis 0; the state is carried.
// CHECK-LABEL: func.func @scan_axes_directions
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[IV:.*]] = %{{.*}} to %[[C3]] step %{{.*}} iter_args(%{{.*}} = %arg0, %[[O0:.*]] = %{{.*}}, %[[O1:.*]] = %{{.*}}) -> (tensor<2xf32>, tensor<2x3xf32>, tensor<3x2xf32>) {
// CHECK:   %[[REV:.*]] = arith.subi %[[C2]], %[[IV]] : index
// CHECK:   tensor.extract_slice %arg1[0, %[[REV]]] [2, 1] [1, 1] : tensor<2x3xf32> to tensor<2xf32>
// CHECK:   scf.execute_region -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK:   tensor.insert_slice %{{.*}} into %[[O0]][0, %[[IV]]] [2, 1] [1, 1] : tensor<2xf32> into tensor<2x3xf32>
// CHECK:   tensor.insert_slice %{{.*}} into %[[O1]][%[[REV]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<3x2xf32>
func.func @scan_axes_directions(%init: tensor<2xf32>, %x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2x3xf32>, tensor<3x2xf32>) {
  %0:3 = "onnx.Scan"(%init, %x) ({
  ^bb0(%s: tensor<2xf32>, %e: tensor<2xf32>):
    %t = "onnx.Add"(%s, %e) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    "onnx.Yield"(%t, %t, %e) : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> ()
  }) {num_scan_inputs = 1 : i64, scan_input_axes = array<i64: 1>, scan_input_directions = array<i64: 1>, scan_output_axes = array<i64: 1, 0>, scan_output_directions = array<i64: 0, 1>} : (tensor<2xf32>, tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2x3xf32>, tensor<3x2xf32>)
  return %0#0, %0#1, %0#2 : tensor<2xf32>, tensor<2x3xf32>, tensor<3x2xf32>
}
