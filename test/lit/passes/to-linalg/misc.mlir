// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// CumSum: a reduction over a second walk of the axis, k <= j.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: arith.cmpi sle
// CHECK: arith.addf
// CHECK: arith.select
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %axis = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.CumSum"(%x, %axis) : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @cumsum_exclusive_reverse
// CHECK: arith.cmpi sgt
// CHECK: arith.addi
func.func @cumsum_exclusive_reverse(%x: tensor<5xi32>) -> tensor<5xi32> {
  %axis = "onnx.Constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %0 = "onnx.CumSum"(%x, %axis) {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<5xi32>, tensor<i32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// CHECK-LABEL: func.func @trilu_lower
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.subi
// CHECK: arith.constant -1 : i64
// CHECK: arith.cmpi sle
func.func @trilu_lower(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %k = "onnx.Constant"() {value = dense<-1> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.Trilu"(%x, %k) {upper = 0 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A run-time k is read in the body.
// CHECK-LABEL: func.func @trilu_runtime_k
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<i64>)
// CHECK: ^bb0(%{{.*}}: f32, %[[K:.*]]: i64, %{{.*}}: f32):
// CHECK: arith.cmpi sge, %{{.*}}, %[[K]]
func.func @trilu_runtime_k(%x: tensor<3x4xf32>, %k: tensor<i64>) -> tensor<3x4xf32> {
  %0 = "onnx.Trilu"(%x, %k) : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @cumsum_1d_runtime_axis
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @cumsum_1d_runtime_axis(%x: tensor<5xf32>, %axis: tensor<i32>) -> tensor<5xf32> {
  %0 = "onnx.CumSum"(%x, %axis) : (tensor<5xf32>, tensor<i32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// A run-time axis of a 2-D input: a scan per axis, then a select.
// CHECK-LABEL: func.func @cumsum_2d_runtime_axis
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @cumsum_2d_runtime_axis(%x: tensor<2x3xf32>, %axis: tensor<i32>) -> tensor<2x3xf32> {
  %0 = "onnx.CumSum"(%x, %axis) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @eyelike
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x4xi32>)
// CHECK: arith.cmpi eq
func.func @eyelike(%x: tensor<3x4xf32>) -> tensor<3x4xi32> {
  %0 = "onnx.EyeLike"(%x) {dtype = 6 : i64, k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

// -----

// CHECK-LABEL: func.func @range
// The run-time start/limit/delta must give the declared length (numpy's
// ceil((limit - start) / delta), in f64).
// CHECK: cf.assert %{{.*}}, "Range: delta must not be 0"
// CHECK: math.ceil
// CHECK: arith.fptosi
// CHECK: cf.assert %{{.*}}, "Range: start, limit and delta must give 4 elements (the declared output length)"
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: linalg.index 0
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @range(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) -> tensor<4xf32> {
  %0 = "onnx.Range"(%s, %l, %d) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape
// CHECK: arith.constant dense<7> : tensor<2x3xi8>
func.func @constant_of_shape(%s: tensor<2xi64>) -> tensor<2x3xui8> {
  %0 = "onnx.ConstantOfShape"(%s) {value = dense<7> : tensor<1xui8>} : (tensor<2xi64>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

// BitCast: one arith.bitcast per element.
// CHECK-LABEL: func.func @bitcast_f32_to_i32
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : f32 to i32
func.func @bitcast_f32_to_i32(%x: tensor<2x3xf32>) -> tensor<2x3xi32> {
  %0 = "onnx.BitCast"(%x) {to = 6 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// float8 from its byte: the bits kept as they are.
// CHECK-LABEL: func.func @bitcast_u8_to_f8
// CHECK: arith.bitcast %{{.*}} : i8 to f8E4M3FN
func.func @bitcast_u8_to_f8(%x: tensor<4xui8>) -> tensor<4xf8E4M3FN> {
  %0 = "onnx.BitCast"(%x) {to = 17 : i64} : (tensor<4xui8>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// bool is a byte holding 0 or 1.
// CHECK-LABEL: func.func @bitcast_bool_to_u8
// CHECK: arith.extui %{{.*}} : i1 to i8
func.func @bitcast_bool_to_u8(%x: tensor<4xi1>) -> tensor<4xui8> {
  %0 = "onnx.BitCast"(%x) {to = 2 : i64} : (tensor<4xi1>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @bitcast_u8_to_bool
// CHECK: %[[Z:.*]] = arith.constant 0 : i8
// CHECK: arith.cmpi ne, %{{.*}}, %[[Z]] : i8
func.func @bitcast_u8_to_bool(%x: tensor<4xui8>) -> tensor<4xi1> {
  %0 = "onnx.BitCast"(%x) {to = 9 : i64} : (tensor<4xui8>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Signed and unsigned bytes are the same signless type: nothing to do.
// CHECK-LABEL: func.func @bitcast_i8_to_u8
// CHECK-NEXT: return %{{.*}} : tensor<4xi8>
func.func @bitcast_i8_to_u8(%x: tensor<4xi8>) -> tensor<4xui8> {
  %0 = "onnx.BitCast"(%x) {to = 2 : i64} : (tensor<4xi8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// ReverseSequence: the length of the batch entry, clamped to [0, T], picks
// the source time step.
// CHECK-LABEL: func.func @reverse_sequence
// CHECK: linalg.generic
// CHECK: %[[T:.*]] = linalg.index 0 : index
// CHECK: %[[B:.*]] = linalg.index 1 : index
// CHECK: %[[LEN:.*]] = tensor.extract %{{.*}}[%[[B]]] : tensor<3xi64>
// CHECK: arith.maxsi %[[LEN]]
// CHECK: arith.minsi
// CHECK: arith.cmpi slt
// CHECK: %[[SRC:.*]] = arith.select
// CHECK: %[[I:.*]] = arith.index_cast %[[SRC]] : i64 to index
// CHECK: tensor.extract %{{.*}}[%[[I]], %[[B]]] : tensor<4x3xbf16>
func.func @reverse_sequence(%x: tensor<4x3xbf16>, %l: tensor<3xi64>) -> tensor<4x3xbf16> {
  %0 = "onnx.ReverseSequence"(%x, %l) {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xbf16>, tensor<3xi64>) -> tensor<4x3xbf16>
  return %0 : tensor<4x3xbf16>
}
