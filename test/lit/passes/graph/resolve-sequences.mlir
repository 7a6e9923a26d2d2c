// RUN: kiln-opt %s --kiln-resolve-sequences --split-input-file -verify-diagnostics | FileCheck %s

// Sequences and optionals resolved into the tensors they hold.

// A sequence result becomes one result per element, named NAME[i].
// CHECK-LABEL: func.func @construct_result(
// CHECK-SAME: %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-SAME: -> (tensor<3xf32> {onnx.name = "s[0]"}, tensor<2xf32> {onnx.name = "s[1]"})
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @construct_result(%a: tensor<3xf32>, %b: tensor<2xf32>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "s"}) {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<2xf32>) -> !onnx.seq<tensor<*xf32>>
  %i = "onnx.Identity"(%s) : (!onnx.seq<tensor<*xf32>>) -> !onnx.seq<tensor<*xf32>>
  return %i : !onnx.seq<tensor<*xf32>>
}

// -----

// Constant positions pick elements; SequenceLength is a constant.
// CHECK-LABEL: func.func @insert_erase_at(
// CHECK-SAME: %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<3xf32>)
// CHECK: %[[N:.*]] = "onnx.Constant"() <{value = dense<3> : tensor<i64>}>
// CHECK: return %[[C]], %[[A]], %[[N]]
func.func @insert_erase_at(%a: tensor<3xf32>, %b: tensor<3xf32>, %c: tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xi64>) {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> !onnx.seq<tensor<*xf32>>
  %p = "onnx.Constant"() <{value = dense<-2> : tensor<i64>}> : () -> tensor<i64>
  %t = "onnx.SequenceInsert"(%s, %c, %p) : (!onnx.seq<tensor<*xf32>>, tensor<3xf32>, tensor<i64>) -> !onnx.seq<tensor<*xf32>>
  %none = onnx.None
  %e = "onnx.SequenceErase"(%t, %none) : (!onnx.seq<tensor<*xf32>>, none) -> !onnx.seq<tensor<*xf32>>
  %z = "onnx.Constant"() <{value = dense<0> : tensor<i64>}> : () -> tensor<i64>
  %x0 = "onnx.SequenceAt"(%e, %z) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
  %one = "onnx.Constant"() <{value = dense<1> : tensor<i64>}> : () -> tensor<i64>
  %x1 = "onnx.SequenceAt"(%e, %one) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
  %n = "onnx.SequenceLength"(%t) : (!onnx.seq<tensor<*xf32>>) -> tensor<*xi64>
  return %x0, %x1, %n : tensor<*xf32>, tensor<*xf32>, tensor<*xi64>
}

// -----

// A run-time position over elements of one static type: a chain of Where.
// CHECK-LABEL: func.func @at_runtime(
// CHECK-SAME: %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[P:.*]]: tensor<i64>)
// CHECK: %[[NEG:.*]] = "onnx.Less"(%[[P]],
// CHECK: %[[POS:.*]] = "onnx.Where"(%[[NEG]],
// CHECK: %[[EQ:.*]] = "onnx.Equal"(%[[POS]],
// CHECK: %[[R:.*]] = "onnx.Where"(%[[EQ]], %[[A]], %[[B]])
// CHECK: return %[[R]]
func.func @at_runtime(%a: tensor<3xf32>, %b: tensor<3xf32>, %p: tensor<i64>) -> tensor<*xf32> {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> !onnx.seq<tensor<*xf32>>
  %x = "onnx.SequenceAt"(%s, %p) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
  return %x : tensor<*xf32>
}

// -----

// ConcatFromSequence with new_axis stacks: Unsqueeze + Concat.
// CHECK-LABEL: func.func @concat_new_axis(
// CHECK: %[[U0:.*]] = "onnx.Unsqueeze"(%arg0,
// CHECK: %[[U1:.*]] = "onnx.Unsqueeze"(%arg1,
// CHECK: "onnx.Concat"(%[[U0]], %[[U1]]) <{axis = 1 : i64}>
func.func @concat_new_axis(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> !onnx.seq<tensor<*xf32>>
  %c = "onnx.ConcatFromSequence"(%s) <{axis = 1 : i64, new_axis = 1 : i64}> : (!onnx.seq<tensor<*xf32>>) -> tensor<*xf32>
  return %c : tensor<*xf32>
}

// -----

// SplitToSequence without split: pieces of 1, squeezed when keepdims = 0.
// CHECK-LABEL: func.func @split_to_sequence(
// CHECK-SAME: -> (tensor<3xf32> {onnx.name = "seq[0]"}, tensor<3xf32> {onnx.name = "seq[1]"})
// CHECK: %[[S:.*]]:2 = "onnx.Split"(%arg0, %{{.*}}) <{axis = 1 : i64}>
// CHECK: "onnx.Squeeze"(%[[S]]#0,
// CHECK: "onnx.Squeeze"(%[[S]]#1,
func.func @split_to_sequence(%x: tensor<3x2xf32>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "seq"}) {
  %none = onnx.None
  %s = "onnx.SplitToSequence"(%x, %none) <{axis = 1 : i64, keepdims = 0 : i64}> : (tensor<3x2xf32>, none) -> !onnx.seq<tensor<*xf32>>
  return %s : !onnx.seq<tensor<*xf32>>
}

// -----

// SequenceMap: the body once per element.
// CHECK-LABEL: func.func @sequence_map(
// CHECK-SAME: %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<f32>)
// CHECK: %[[R0:.*]] = "onnx.Add"(%[[A]], %[[T]])
// CHECK: %[[R1:.*]] = "onnx.Add"(%[[B]], %[[T]])
// CHECK: return %[[R0]], %[[R1]] : tensor<3xf32>, tensor<4xf32>
func.func @sequence_map(%a: tensor<3xf32>, %b: tensor<4xf32>, %t: tensor<f32>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "y"}) {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<4xf32>) -> !onnx.seq<tensor<*xf32>>
  %y = "onnx.SequenceMap"(%s, %t) ({
  ^bb0(%x: tensor<?xf32>, %u: tensor<f32>):
    %r = "onnx.Add"(%x, %u) : (tensor<?xf32>, tensor<f32>) -> tensor<*xf32>
    onnx.Yield %r : tensor<*xf32>
  }) : (!onnx.seq<tensor<*xf32>>, tensor<f32>) -> !onnx.seq<tensor<*xf32>>
  return %y : !onnx.seq<tensor<*xf32>>
}

// -----

// A Loop carrying a sequence with a constant trip count is unrolled (the
// expanded form of SequenceMap).
// CHECK-LABEL: func.func @loop_unrolled(
// CHECK-SAME: %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK-NOT: onnx.Loop
// CHECK: %[[R0:.*]] = "onnx.Neg"(%[[A]])
// CHECK: %[[R1:.*]] = "onnx.Neg"(%[[B]])
// CHECK: return %[[R0]], %[[R1]]
func.func @loop_unrolled(%a: tensor<3xf32>, %b: tensor<3xf32>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "y"}) {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> !onnx.seq<tensor<*xf32>>
  %n = "onnx.SequenceLength"(%s) : (!onnx.seq<tensor<*xf32>>) -> tensor<*xi64>
  %c = "onnx.Constant"() <{value = dense<true> : tensor<i1>}> : () -> tensor<*xi1>
  %e = "onnx.SequenceEmpty"() <{dtype = 1 : i64}> : () -> !onnx.seq<tensor<*xf32>>
  %y = "onnx.Loop"(%n, %c, %e) ({
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: !onnx.seq<tensor<*xf32>>):
    %cc = "onnx.Identity"(%cond) : (tensor<i1>) -> tensor<i1>
    %x = "onnx.SequenceAt"(%s, %i) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
    %r = "onnx.Neg"(%x) : (tensor<*xf32>) -> tensor<*xf32>
    %none = onnx.None
    %acc2 = "onnx.SequenceInsert"(%acc, %r, %none) : (!onnx.seq<tensor<*xf32>>, tensor<*xf32>, none) -> !onnx.seq<tensor<*xf32>>
    onnx.Yield %cc, %acc2 : tensor<i1>, !onnx.seq<tensor<*xf32>>
  }) : (tensor<*xi64>, tensor<*xi1>, !onnx.seq<tensor<*xf32>>) -> !onnx.seq<tensor<*xf32>>
  return %y : !onnx.seq<tensor<*xf32>>
}

// -----

// An If returning sequences of one length returns their tensors.
// CHECK-LABEL: func.func @if_sequence(
// CHECK: %[[IF:.*]] = "onnx.If"(%arg0) ({
// CHECK: onnx.Yield %arg2 : tensor<5xf32>
// CHECK: }, {
// CHECK: onnx.Yield %arg1 : tensor<5xf32>
// CHECK: return %[[IF]] : tensor<5xf32>
func.func @if_sequence(%c: tensor<i1>, %a: tensor<5xf32>, %b: tensor<5xf32>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "res"}) {
  %r = "onnx.If"(%c) ({
    %s = "onnx.SequenceConstruct"(%b) : (tensor<5xf32>) -> !onnx.seq<tensor<*xf32>>
    onnx.Yield %s : !onnx.seq<tensor<*xf32>>
  }, {
    %s = "onnx.SequenceConstruct"(%a) : (tensor<5xf32>) -> !onnx.seq<tensor<*xf32>>
    onnx.Yield %s : !onnx.seq<tensor<*xf32>>
  }) : (tensor<i1>) -> !onnx.seq<tensor<*xf32>>
  return %r : !onnx.seq<tensor<*xf32>>
}

// -----

// Optionals: presence folds; a present optional result is its element, an
// empty one is no result.
// CHECK-LABEL: func.func @optionals(
// CHECK-SAME: %[[A:.*]]: tensor<4xf32>)
// CHECK-SAME: -> (tensor<i1> {onnx.name = "has"}, tensor<i1> {onnx.name = "empty_has"}, tensor<4xf32> {onnx.name = "get"}, tensor<4xf32> {onnx.name = "opt"})
// CHECK-DAG: %[[T:.*]] = "onnx.Constant"() <{value = dense<true> : tensor<i1>}>
// CHECK-DAG: %[[F:.*]] = "onnx.Constant"() <{value = dense<false> : tensor<i1>}>
// CHECK: return %[[T]], %[[F]], %[[A]], %[[A]]
func.func @optionals(%a: tensor<4xf32>) -> (tensor<*xi1> {onnx.name = "has"}, tensor<*xi1> {onnx.name = "empty_has"}, tensor<*xf32> {onnx.name = "get"}, !onnx.opt<tensor<4xf32>> {onnx.name = "opt"}, !onnx.opt<tensor<4xf32>> {onnx.name = "empty"}) {
  %o = "onnx.Optional"(%a) : (tensor<4xf32>) -> !onnx.opt<tensor<4xf32>>
  %none = onnx.None
  %e = "onnx.Optional"(%none) <{type_ = tensor<4xf32>}> : (none) -> !onnx.opt<tensor<4xf32>>
  %h = "onnx.OptionalHasElement"(%o) : (!onnx.opt<tensor<4xf32>>) -> tensor<*xi1>
  %he = "onnx.OptionalHasElement"(%e) : (!onnx.opt<tensor<4xf32>>) -> tensor<*xi1>
  %g = "onnx.OptionalGetElement"(%o) : (!onnx.opt<tensor<4xf32>>) -> tensor<*xf32>
  return %h, %he, %g, %o, %e : tensor<*xi1>, tensor<*xi1>, tensor<*xf32>, !onnx.opt<tensor<4xf32>>, !onnx.opt<tensor<4xf32>>
}

// -----

// The length of a sequence a Loop builds over a run-time trip count is not
// known at compile time.
func.func @loop_runtime_trips(%m: tensor<i64>, %a: tensor<3xf32>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "y"}) {
  %e = "onnx.SequenceEmpty"() <{dtype = 1 : i64}> : () -> !onnx.seq<tensor<*xf32>>
  %none = onnx.None
  // expected-error @+1 {{output 'y' is a sequence or optional that is not known at compile time: a Loop that carries a sequence or an optional needs a constant trip count}}
  %y = "onnx.Loop"(%m, %none, %e) ({
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: !onnx.seq<tensor<*xf32>>):
    %n2 = onnx.None
    %acc2 = "onnx.SequenceInsert"(%acc, %a, %n2) : (!onnx.seq<tensor<*xf32>>, tensor<3xf32>, none) -> !onnx.seq<tensor<*xf32>>
    onnx.Yield %cond, %acc2 : tensor<i1>, !onnx.seq<tensor<*xf32>>
  }) : (tensor<i64>, none, !onnx.seq<tensor<*xf32>>) -> !onnx.seq<tensor<*xf32>>
  return %y : !onnx.seq<tensor<*xf32>>
}

// -----

func.func @at_out_of_range(%a: tensor<3xf32>) -> tensor<*xf32> {
  %s = "onnx.SequenceConstruct"(%a) : (tensor<3xf32>) -> !onnx.seq<tensor<*xf32>>
  %p = "onnx.Constant"() <{value = dense<1> : tensor<i64>}> : () -> tensor<i64>
  // expected-error @+1 {{position out of range for a sequence of length 1}}
  %x = "onnx.SequenceAt"(%s, %p) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
  return %x : tensor<*xf32>
}

// -----

// Inserting into an empty sequence (position 0, the only valid one).
// CHECK-LABEL: func.func @insert_into_empty(
// CHECK-SAME: -> (tensor<2xf32> {onnx.name = "s[0]"})
// CHECK-NEXT: return %arg0
func.func @insert_into_empty(%a: tensor<2xf32>, %p: tensor<i64>) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "s"}) {
  %e = "onnx.SequenceEmpty"() <{dtype = 1 : i64}> : () -> !onnx.seq<tensor<*xf32>>
  %s = "onnx.SequenceInsert"(%e, %a, %p) : (!onnx.seq<tensor<*xf32>>, tensor<2xf32>, tensor<i64>) -> !onnx.seq<tensor<*xf32>>
  return %s : !onnx.seq<tensor<*xf32>>
}
