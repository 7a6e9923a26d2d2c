// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_sum_keepdims
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%[[F]] : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[R]] {{\[\[}}0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
func.func @reduce_sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %axes = "onnx.Constant"() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceSum"(%x, %axes) : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Empty axes reduce everything; no keepdims gives a rank-0 result.
// CHECK-LABEL: func.func @reduce_max_all_unsigned
// CHECK: arith.constant 0 : i8
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: arith.maxui
// CHECK-NOT: tensor.expand_shape
func.func @reduce_max_all_unsigned(%x: tensor<2x3xui8>) -> tensor<ui8> {
  %none = onnx.None
  %0 = "onnx.ReduceMax"(%x, %none) {keepdims = 0 : i64} : (tensor<2x3xui8>, none) -> tensor<ui8>
  return %0 : tensor<ui8>
}

// -----

// noop_with_empty_axes returns the input.
// CHECK-LABEL: func.func @reduce_noop
// CHECK-NEXT: return %arg0
func.func @reduce_noop(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %none = onnx.None
  %0 = "onnx.ReduceSum"(%x, %none) {noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>, none) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean
// CHECK: arith.addf
// CHECK: arith.constant 1.200000e+01 : f32
// CHECK: arith.divf
func.func @reduce_mean(%x: tensor<3x4xf32>) -> tensor<1x1xf32> {
  %none = onnx.None
  %0 = "onnx.ReduceMean"(%x, %none) : (tensor<3x4xf32>, none) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_l1_l2
// CHECK: math.absf
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.sqrt
func.func @reduce_l1_l2(%x: tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>) {
  %axes = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceL1"(%x, %axes) : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<3x1xf32>
  %1 = "onnx.ReduceL2"(%x, %axes) : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<3x1xf32>
  return %0, %1 : tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Stable LogSumExp: max first, exp(x - max), sum, log + max.
// CHECK-LABEL: func.func @reduce_logsumexp
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.select
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: math.log
// CHECK: arith.addf
func.func @reduce_logsumexp(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %axes = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceLogSumExp"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_prod_int
// CHECK: arith.constant 1 : i32
// CHECK: arith.muli
func.func @reduce_prod_int(%x: tensor<3x4xi32>) -> tensor<3xi32> {
  %axes = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceProd"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x4xi32>, tensor<1xi64>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// ArgMax: two accumulators (value, index), strict compare keeps the first.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<3x4xf32>) outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.index 1
// CHECK: tensor.expand_shape
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3x1xi64> {
  %0 = "onnx.ArgMax"(%x) {axis = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// CHECK-LABEL: func.func @argmin_last_signed
// CHECK: arith.cmpi sle
func.func @argmin_last_signed(%x: tensor<3x4xi32>) -> tensor<4xi64> {
  %0 = "onnx.ArgMin"(%x) {keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<3x4xi32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// DynamicQuantizeLinear: min/max reductions (from 0), scale, zero point.
// CHECK-LABEL: func.func @dynamic_quantize
// CHECK: iterator_types = ["reduction", "reduction"]
// CHECK: arith.minimumf
// CHECK: iterator_types = ["reduction", "reduction"]
// CHECK: arith.maximumf
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptoui %{{.*}} : f32 to i8
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<3x4xi8>, tensor<f32>, tensor<i8>
func.func @dynamic_quantize(%x: tensor<3x4xf32>) -> (tensor<3x4xui8>, tensor<f32>, tensor<ui8>) {
  %0, %1, %2 = "onnx.DynamicQuantizeLinear"(%x) : (tensor<3x4xf32>) -> (tensor<3x4xui8>, tensor<f32>, tensor<ui8>)
  return %0, %1, %2 : tensor<3x4xui8>, tensor<f32>, tensor<ui8>
}

// -----

// Axes known only at run time, keepdims=1: the reduced dims are those that
// became 1 (here dim 1).
// CHECK-LABEL: func.func @reduce_runtime_axes_keepdims
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} into tensor<3x1x2xf32>
func.func @reduce_runtime_axes_keepdims(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x1x2xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// -----

// Run-time axes, keepdims=0, and only one choice of reduced dims fits the
// shapes (3x4x5 -> 3x5: dim 1): lowered as constant axes.
// CHECK-LABEL: func.func @reduce_runtime_axes_unique
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.maximumf
// CHECK-NOT: tensor.expand_shape
// CHECK: return %{{.*}} : tensor<3x5xf32>
func.func @reduce_runtime_axes_unique(%x: tensor<3x4x5xf32>, %axes: tensor<1xi64>) -> tensor<3x5xf32> {
  %0 = "onnx.ReduceMax"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x4x5xf32>, tensor<1xi64>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Run-time axes, keepdims=0, 3x2x2 -> 3x2 reduces dim 1 or dim 2: per-dim
// flags read from the axes before the loop (negative axes wrap), then a
// gather over [result elements] x [reduced elements].
// CHECK-LABEL: func.func @reduce_runtime_axes_ambiguous
// CHECK: %[[FLAGS:.*]]:3 = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: tensor.extract %arg1[%[[K]]] : tensor<1xi64>
// CHECK: arith.cmpi slt
// CHECK: scf.yield
// CHECK: arith.cmpi eq
// CHECK: %[[ALL:.*]] = arith.ori %[[FLAGS]]#0
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<6x2xf32>) outs(%{{.*}} : tensor<6xf32>)
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.remui
// CHECK: arith.divui
// CHECK: tensor.extract %arg0
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: tensor.expand_shape {{.*}} : tensor<6xf32> into tensor<3x2xf32>
func.func @reduce_runtime_axes_ambiguous(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.ReduceMean"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// LogSumExp with run-time axes: max gather, exp(x - max) summed by a second
// gather reading the max per result element.
// CHECK-LABEL: func.func @reduce_logsumexp_runtime_axes
// CHECK: scf.for
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<6x2xf32>) outs(%{{.*}} : tensor<6xf32>)
// CHECK: arith.maximumf
// CHECK: arith.select
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<6x2xf32>, tensor<6xf32>) outs(%{{.*}} : tensor<6xf32>)
// CHECK: math.exp
// CHECK: math.log
func.func @reduce_logsumexp_runtime_axes(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.ReduceLogSumExp"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// noop_with_empty_axes and run-time axes of a shape-preserving ReduceL1:
// either empty axes (the input) or size-1 dims reduced (|x|), chosen at run
// time.
// CHECK-LABEL: func.func @reduce_l1_runtime_noop
// CHECK: %[[N:.*]] = tensor.dim %arg1, %{{.*}} : tensor<?xi64>
// CHECK: %[[EMPTY:.*]] = arith.cmpi eq, %[[N]], %{{.*}} : index
// CHECK: math.absf
// CHECK: linalg.generic
// CHECK: arith.select %[[EMPTY]]
// CHECK: tensor.expand_shape {{.*}} into tensor<3x1xf32>
func.func @reduce_l1_runtime_noop(%x: tensor<3x1xf32>, %axes: tensor<?xi64>) -> tensor<3x1xf32> {
  %0 = "onnx.ReduceL1"(%x, %axes) {noop_with_empty_axes = 1 : i64} : (tensor<3x1xf32>, tensor<?xi64>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// An axes tensor of static length 0 is empty: reduce everything.
// CHECK-LABEL: func.func @reduce_static_empty_axes
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x1xf32>
func.func @reduce_static_empty_axes(%x: tensor<2x3xf32>, %axes: tensor<0xi64>) -> tensor<1x1xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) : (tensor<2x3xf32>, tensor<0xi64>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Reductions over the empty set give the start value (no loop over a
// zero-size dim): 0 for ReduceSum, log(0) = -inf for ReduceLogSum, -inf for
// ReduceMax; results without elements are empty tensors.
// CHECK-LABEL: func.func @reduce_empty_set
// CHECK-NOT: linalg.generic {{.*}}reduction
// CHECK-DAG: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK-DAG: math.log
// CHECK-DAG: arith.constant 0xFF800000 : f32
// CHECK-DAG: tensor.empty() : tensor<2x0xf32>
func.func @reduce_empty_set(%x: tensor<2x0x4xf32>, %axes: tensor<1xi64>) -> (tensor<2x1x4xf32>, tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<2x0xf32>) {
  %0 = "onnx.ReduceSum"(%x, %axes) : (tensor<2x0x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %1 = "onnx.ReduceLogSum"(%x, %axes) : (tensor<2x0x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %c = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %2 = "onnx.ReduceMax"(%x, %c) {keepdims = 0 : i64} : (tensor<2x0x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  %c2 = "onnx.Constant"() {value = dense<[2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %3 = "onnx.ReduceMin"(%x, %c2) {keepdims = 0 : i64} : (tensor<2x0x4xf32>, tensor<1xi64>) -> tensor<2x0xf32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<2x0xf32>
}
