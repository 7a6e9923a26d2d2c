// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Adagrad: the decayed rate r / (1 + t * decay_factor) is computed once in
// f64; one generic updates X and H.
// CHECK-LABEL: func.func @adagrad
// CHECK-DAG: tensor.extract %{{.*}}[] : tensor<f32>
// CHECK-DAG: tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: arith.divf %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>)
// CHECK: math.sqrt
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @adagrad(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<3xf32>, %g: tensor<3xf32>, %h: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0:2 = "onnx.Adagrad"(%r, %t, %x, %g, %h) {decay_factor = 0.1 : f32, epsilon = 1.0e-5 : f32, norm_coefficient = 0.001 : f32} : (tensor<f32>, tensor<i64>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// Adam over two tensors: the bias-corrected rate (t > 0) is shared; one
// generic per X yields X, V and H; outputs are all X's, then V's, then H's.
// CHECK-LABEL: func.func @adam_two
// CHECK: math.powf
// CHECK: math.powf
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: %[[A:.*]]:3 = linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: %[[B:.*]]:3 = linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: return %[[A]]#0, %[[B]]#0, %[[A]]#1, %[[B]]#1, %[[A]]#2, %[[B]]#2
func.func @adam_two(%r: tensor<f32>, %t: tensor<i64>, %x1: tensor<2xf32>, %x2: tensor<3xf32>, %g1: tensor<2xf32>, %g2: tensor<3xf32>, %v1: tensor<2xf32>, %v2: tensor<3xf32>, %h1: tensor<2xf32>, %h2: tensor<3xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) {
  %0:6 = "onnx.Adam"(%r, %t, %x1, %x2, %g1, %g2, %v1, %v2, %h1, %h2) {alpha = 0.9 : f32, beta = 0.999 : f32, epsilon = 1.0e-7 : f32, norm_coefficient = 0.0 : f32, norm_coefficient_post = 0.0 : f32} : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>)
  return %0#0, %0#1, %0#2, %0#3, %0#4, %0#5 : tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>
}

// -----

// Nesterov momentum in f64: beta applies from the second update on (t > 0).
// CHECK-LABEL: func.func @nesterov
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK-NOT: arith.truncf
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<4xf64>, tensor<4xf64>)
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f64, f64
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @nesterov(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<4xf64>, %g: tensor<4xf64>, %v: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>) {
  %0:2 = "onnx.Momentum"(%r, %t, %x, %g, %v) {alpha = 0.9 : f32, beta = 0.1 : f32, mode = "nesterov", norm_coefficient = 0.01 : f32} : (tensor<f32>, tensor<i64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>)
  return %0#0, %0#1 : tensor<4xf64>, tensor<4xf64>
}

// -----

func.func @momentum_bad_mode(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<4xf32>, %g: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{failed to legalize operation 'onnx.Momentum'}}
  %0:2 = "onnx.Momentum"(%r, %t, %x, %g, %v) {alpha = 0.9 : f32, beta = 0.1 : f32, mode = "heavy-ball", norm_coefficient = 0.0 : f32} : (tensor<f32>, tensor<i64>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Training-mode Dropout with run-time ratio and mode: a hash of the linear
// index and the seed draws u in [0, 1); an element is kept when not training
// or u >= ratio, and scaled by 1 / (1 - ratio) when training.
// CHECK-LABEL: func.func @dropout_training
// CHECK: tensor.extract %{{.*}}[] : tensor<i1>
// CHECK: tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: arith.select
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<3x4xf32>) outs(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<3x4xi1>)
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.index_castui %{{.*}} : index to i32
// CHECK: arith.uitofp
// CHECK: arith.cmpf oge
// CHECK: arith.ori
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i1
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @dropout_training(%x: tensor<3x4xf32>, %ratio: tensor<f32>, %mode: tensor<i1>) -> (tensor<3x4xf32>, tensor<3x4xi1>) {
  %0:2 = "onnx.Dropout"(%x, %ratio, %mode) {seed = 7 : i64} : (tensor<3x4xf32>, tensor<f32>, tensor<i1>) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %0#0, %0#1 : tensor<3x4xf32>, tensor<3x4xi1>
}

// -----

// Without a ratio input the ratio is 0.5; f16 data scales in f16.
// CHECK-LABEL: func.func @dropout_default_ratio
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<5xf16>)
// CHECK: arith.cmpf oge
// CHECK: linalg.yield %{{.*}} : f16
func.func @dropout_default_ratio(%x: tensor<5xf16>, %mode: tensor<i1>) -> tensor<5xf16> {
  %none = onnx.None
  %0:2 = "onnx.Dropout"(%x, %none, %mode) : (tensor<5xf16>, none, tensor<i1>) -> (tensor<5xf16>, none)
  return %0#0 : tensor<5xf16>
}
