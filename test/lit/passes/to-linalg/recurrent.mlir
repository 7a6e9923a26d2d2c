// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// Run-time sequence_lens: each step keeps the state of rows past their
// length and writes zeros to Y; the reverse direction reads X at
// lens[b] - 1 - step and reverses Y within each row's length after the loop.
// CHECK-LABEL: func.func @rnn_seq_lens_reverse
// CHECK: %[[LENS:.*]] = linalg.generic {{.*}} ins(%arg3 : tensor<2xi32>) outs(%{{.*}} : tensor<2xi64>)
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: %[[Y:.*]]:2 = scf.for %[[IV:.*]] = {{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[YACC:.*]] = %{{.*}})
// CHECK: linalg.generic {{.*}} ins(%[[LENS]] : tensor<2xi64>) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK: tensor.extract %{{.*}} : tensor<4x2x5xf32>
// CHECK: %[[M:.*]]:2 = linalg.generic
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: arith.select
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[M]]#1 into %[[YACC]][%[[IV]], 0, 0]
// CHECK: scf.yield %[[M]]#0, %[[INS]]
// CHECK: linalg.generic {{.*}} ins(%[[LENS]] : tensor<2xi64>) outs(%{{.*}} : tensor<4x2x5xf32>)
// CHECK: tensor.extract %[[Y]]#1
func.func @rnn_seq_lens_reverse(%x: tensor<4x2x3xf32>, %w: tensor<1x5x3xf32>, %r: tensor<1x5x5xf32>, %lens: tensor<2xi32>) -> tensor<4x1x2x5xf32> {
  %none = onnx.None
  %y, %yh = "onnx.RNN"(%x, %w, %r, %none, %lens, %none) {hidden_size = 5 : i64, direction = "reverse"} : (tensor<4x2x3xf32>, tensor<1x5x3xf32>, tensor<1x5x5xf32>, none, tensor<2xi32>, none) -> (tensor<4x1x2x5xf32>, none)
  return %y : tensor<4x1x2x5xf32>
}

// -----

// sequence_lens all equal to the sequence length: no masking.
// CHECK-LABEL: func.func @rnn_seq_lens_full
// CHECK: scf.for
// CHECK-NOT: arith.cmpi slt
// CHECK: scf.yield
func.func @rnn_seq_lens_full(%x: tensor<4x2x3xf32>, %w: tensor<1x5x3xf32>, %r: tensor<1x5x5xf32>) -> tensor<4x1x2x5xf32> {
  %none = onnx.None
  %lens = "onnx.Constant"() {value = dense<4> : tensor<2xi32>} : () -> tensor<2xi32>
  %y, %yh = "onnx.RNN"(%x, %w, %r, %none, %lens, %none) {hidden_size = 5 : i64} : (tensor<4x2x3xf32>, tensor<1x5x3xf32>, tensor<1x5x5xf32>, none, tensor<2xi32>, none) -> (tensor<4x1x2x5xf32>, none)
  return %y : tensor<4x1x2x5xf32>
}
