// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// reduction none: one parallel generic over the target reads -input[n, t, d]
// at the class clamped into [0, C-1].
// CHECK-LABEL: func.func @nll_none
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%{{.*}} : tensor<3x2xi64>) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: %[[I0:.*]] = linalg.index 0
// CHECK: %[[I1:.*]] = linalg.index 1
// CHECK: tensor.extract %{{.*}}[%[[I0]], %{{.*}}, %[[I1]]] : tensor<3x5x2xf32>
// CHECK: arith.negf
// CHECK-NOT: arith.select
// CHECK: linalg.yield
func.func @nll_none(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %none = onnx.None
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %none) {reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>, none) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// mean with weights and ignore_index: the generic reduces the weighted losses
// and the weights (0 at ignored positions); the mean divides the two sums.
// CHECK-LABEL: func.func @nll_mean_weight_ii
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>)
// CHECK: tensor.extract %{{.*}} : tensor<3x5x6xf32>
// CHECK: arith.negf
// CHECK: tensor.extract %{{.*}} : tensor<5xf32>
// CHECK: arith.mulf
// CHECK: %[[IGN:.*]] = arith.cmpi eq, %{{.*}}, %c-1_i64
// CHECK: arith.select %[[IGN]]
// CHECK: arith.select %[[IGN]]
// CHECK: arith.addf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @nll_mean_weight_ii(%x: tensor<3x5x6xf32>, %t: tensor<3x6xi64>, %w: tensor<5xf32>) -> tensor<f32> {
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %w) {ignore_index = -1 : i64, reduction = "mean"} : (tensor<3x5x6xf32>, tensor<3x6xi64>, tensor<5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// mean without weights or ignore_index divides by the element count.
// CHECK-LABEL: func.func @nll_mean_plain
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<f32>)
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK: arith.divf
func.func @nll_mean_plain(%x: tensor<3x5xf32>, %t: tensor<3xi32>) -> tensor<f32> {
  %none = onnx.None
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %none) : (tensor<3x5xf32>, tensor<3xi32>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// f16 sums accumulate in f32 and truncate at the end.
// CHECK-LABEL: func.func @nll_sum_f16
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<f32>)
// CHECK: arith.extf
// CHECK: arith.addf {{.*}} : f32
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @nll_sum_f16(%x: tensor<2x4x3xf16>, %t: tensor<2x3xi64>) -> tensor<f16> {
  %none = onnx.None
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %none) {reduction = "sum"} : (tensor<2x4x3xf16>, tensor<2x3xi64>, none) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

// SoftmaxCrossEntropyLoss: log_softmax over dim 1 (max, exp, sum, log), then
// the NLL generic over it; log_prob is the log_softmax itself.
// CHECK-LABEL: func.func @sce_log_prob
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: %[[LP:.*]] = linalg.generic
// CHECK: math.log
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: tensor.extract %[[LP]]
// CHECK: return %{{.*}}, %[[LP]] : tensor<3x2xf32>, tensor<3x5x2xf32>
func.func @sce_log_prob(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>) -> (tensor<3x2xf32>, tensor<3x5x2xf32>) {
  %none = onnx.None
  %0, %1 = "onnx.SoftmaxCrossEntropyLoss"(%x, %t, %none) {ignore_index = 2 : i64, reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>, none) -> (tensor<3x2xf32>, tensor<3x5x2xf32>)
  return %0, %1 : tensor<3x2xf32>, tensor<3x5x2xf32>
}

// -----

// Without log_prob the second result is none.
// CHECK-LABEL: func.func @sce_sum_weight
// CHECK: math.log
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK: tensor.extract %{{.*}} : tensor<5xf32>
// CHECK-NOT: onnx.SoftmaxCrossEntropyLoss
func.func @sce_sum_weight(%x: tensor<3x5xf32>, %t: tensor<3xi64>, %w: tensor<5xf32>) -> tensor<f32> {
  %0, %1 = "onnx.SoftmaxCrossEntropyLoss"(%x, %t, %w) {reduction = "sum"} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> (tensor<f32>, none)
  return %0 : tensor<f32>
}

// -----

// A target whose shape is not the input's without dim 1 is rejected.
func.func @nll_bad_target(%x: tensor<3x5x2xf32>, %t: tensor<3x4xi64>) -> tensor<f32> {
  %none = onnx.None
  // expected-error @+1 {{failed to legalize operation 'onnx.NegativeLogLikelihoodLoss'}}
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %none) {reduction = "sum"} : (tensor<3x5x2xf32>, tensor<3x4xi64>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @sce_unknown_reduction(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> tensor<f32> {
  %none = onnx.None
  // expected-error @+1 {{failed to legalize operation 'onnx.SoftmaxCrossEntropyLoss'}}
  %0, %1 = "onnx.SoftmaxCrossEntropyLoss"(%x, %t, %none) {reduction = "avg"} : (tensor<3x5xf32>, tensor<3xi64>, none) -> (tensor<f32>, none)
  return %0 : tensor<f32>
}
