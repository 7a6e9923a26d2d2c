// RUN: kiln-opt %s --kiln-convert-onnx-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_collapse
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<2x3x4xf32> into tensor<2x12xf32>
func.func @reshape_collapse(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %s = "onnx.Constant"() {value = dense<[2, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// No single reassociation: through 1-D.
// CHECK-LABEL: func.func @reshape_general
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
func.func @reshape_general(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %s = "onnx.Constant"() {value = dense<[3, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze_squeeze
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [1, 2, 3]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x3xf32> into tensor<2x3xf32>
func.func @unsqueeze_squeeze(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Unsqueeze"(%x, %a) : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<1x2x3xf32>
  %1 = "onnx.Squeeze"(%0, %a) : (tensor<1x2x3xf32>, tensor<1xi64>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<2x3x4x5xf32> into tensor<6x20xf32>
func.func @flatten(%x: tensor<2x3x4x5xf32>) -> tensor<6x20xf32> {
  %0 = "onnx.Flatten"(%x) {axis = 2 : i64} : (tensor<2x3x4x5xf32>) -> tensor<6x20xf32>
  return %0 : tensor<6x20xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = "onnx.Transpose"(%x) {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x2xf32>, %b: tensor<2x3xf32>) -> tensor<2x5xf32> {
  %0 = "onnx.Concat"(%a, %b) {axis = -1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 2] [1, 1] : tensor<6x2xf32> to tensor<2x2xf32>
// CHECK: tensor.extract_slice %{{.*}}[2, 0] [4, 2] [1, 1] : tensor<6x2xf32> to tensor<4x2xf32>
func.func @split(%x: tensor<6x2xf32>) -> (tensor<2x2xf32>, tensor<4x2xf32>) {
  %s = "onnx.Constant"() {value = dense<[2, 4]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0, %1 = "onnx.Split"(%x, %s) : (tensor<6x2xf32>, tensor<2xi64>) -> (tensor<2x2xf32>, tensor<4x2xf32>)
  return %0, %1 : tensor<2x2xf32>, tensor<4x2xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 2] [1, 2] : tensor<2x6xf32> to tensor<2x2xf32>
func.func @slice(%x: tensor<2x6xf32>) -> tensor<2x2xf32> {
  %st = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %en = "onnx.Constant"() {value = dense<[5]> : tensor<1xi64>} : () -> tensor<1xi64>
  %ax = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %sp = "onnx.Constant"() {value = dense<[2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Slice"(%x, %st, %en, %ax, %sp) : (tensor<2x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Negative steps: a generic reading a reversed index.
// CHECK: #[[REV:.*]] = affine_map<(d0) -> (-d0 + 5)>
// CHECK-LABEL: func.func @slice_reverse
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}]
func.func @slice_reverse(%x: tensor<6xf32>) -> tensor<6xf32> {
  %st = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %en = "onnx.Constant"() {value = dense<[-100]> : tensor<1xi64>} : () -> tensor<1xi64>
  %sp = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Slice"(%x, %st, %en, %n, %sp) : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>, none, tensor<1xi64>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// CHECK-LABEL: func.func @pad_constant
// CHECK: tensor.extract_slice %{{.*}}[1, 0] [3, 3] [1, 1] : tensor<4x3xf32> to tensor<3x3xf32>
// CHECK: tensor.pad %{{.*}} low[0, 2] high[1, 0]
// CHECK: tensor.yield %{{.*}} : f32
func.func @pad_constant(%x: tensor<4x3xf32>, %v: tensor<f32>) -> tensor<4x5xf32> {
  %p = "onnx.Constant"() {value = dense<[-1, 2, 1, 0]> : tensor<4xi64>} : () -> tensor<4xi64>
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Pad"(%x, %p, %v, %n) {mode = "constant"} : (tensor<4x3xf32>, tensor<4xi64>, tensor<f32>, none) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.remsi
// CHECK: tensor.extract
func.func @pad_reflect(%x: tensor<3x3xf32>) -> tensor<3x7xf32> {
  %p = "onnx.Constant"() {value = dense<[0, 2, 0, 2]> : tensor<4xi64>} : () -> tensor<4xi64>
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Pad"(%x, %p, %n, %n) {mode = "reflect"} : (tensor<3x3xf32>, tensor<4xi64>, none, none) -> tensor<3x7xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %s = "onnx.Constant"() {value = dense<[2, 1, 4]> : tensor<3xi64>} : () -> tensor<3xi64>
  %0 = "onnx.Expand"(%x, %s) : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @tile
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x2x3x3xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<2x2x3x3xf32> into tensor<4x9xf32>
func.func @tile(%x: tensor<2x3xf32>) -> tensor<4x9xf32> {
  %r = "onnx.Constant"() {value = dense<[2, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Tile"(%x, %r) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// -----

// CHECK-LABEL: func.func @shape_size
// CHECK-DAG: arith.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: arith.constant dense<24> : tensor<i64>
func.func @shape_size(%x: tensor<2x3x4xf32>) -> (tensor<2xi64>, tensor<i64>) {
  %0 = "onnx.Shape"(%x) {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %1 = "onnx.Size"(%x) : (tensor<2x3x4xf32>) -> tensor<i64>
  return %0, %1 : tensor<2xi64>, tensor<i64>
}

// -----

// CHECK-LABEL: func.func @depth_to_space
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x2x2x3xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 4, 1, 5, 2]
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x4x6xf32>
func.func @depth_to_space(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// SpaceToDepth in CRD mode keeps the channel outermost.
// CHECK-LABEL: func.func @space_to_depth_crd
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x2x3x2xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 1, 3, 5, 2, 4]
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x8x2x3xf32>
func.func @space_to_depth_crd(%x: tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32> {
  %0 = "onnx.SpaceToDepth"(%x) {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  return %0 : tensor<1x8x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @space_to_depth_dcr
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 5, 1, 2, 4]
func.func @space_to_depth_dcr(%x: tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32> {
  %0 = "onnx.SpaceToDepth"(%x) {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  return %0 : tensor<1x8x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<2xi64>) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<3x5xf32>
func.func @gather(%x: tensor<3x5xf32>, %i: tensor<2xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.Gather"(%x, %i) {axis = 1 : i64} : (tensor<3x5xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @scatter_elements
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_elements(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %0 = "onnx.ScatterElements"(%x, %i, %u) {reduction = "add"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Slice with run-time starts/axes/steps: offsets and steps per dim computed
// before the loop (negative values wrapped, starts clamped), then a gather.
// CHECK-LABEL: func.func @slice_runtime
// CHECK: tensor.extract %{{.*}} : tensor<2xi64>
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3x10x5xf32>)
// CHECK: arith.muli
// CHECK: tensor.extract %{{.*}} : tensor<20x10x5xf32>
func.func @slice_runtime(%x: tensor<20x10x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %a: tensor<2xi64>, %st: tensor<2xi64>) -> tensor<3x10x5xf32> {
  %0 = "onnx.Slice"(%x, %s, %e, %a, %st) : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<3x10x5xf32>
  return %0 : tensor<3x10x5xf32>
}

// -----

// Pad with run-time pads (constant mode): begin pads read before the loop,
// the pad value selected outside the source.
// CHECK-LABEL: func.func @pad_runtime_constant
// CHECK: tensor.extract %{{.*}} : tensor<8xi64>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x3x4x5xf32>)
// CHECK: tensor.extract %{{.*}} : tensor<1x3x4x5xf32>
// CHECK: arith.select
func.func @pad_runtime_constant(%x: tensor<1x3x4x5xf32>, %p: tensor<8xi64>, %v: tensor<f32>) -> tensor<1x3x4x5xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Pad"(%x, %p, %v, %n) {mode = "constant"} : (tensor<1x3x4x5xf32>, tensor<8xi64>, tensor<f32>, none) -> tensor<1x3x4x5xf32>
  return %0 : tensor<1x3x4x5xf32>
}

// -----

// Pad with run-time pads in reflect mode: the source index is reflected with
// a run-time period.
// CHECK-LABEL: func.func @pad_runtime_reflect
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x3x6x5xf32>)
// CHECK: arith.remsi
// CHECK: tensor.extract %{{.*}} : tensor<1x3x4x5xf32>
func.func @pad_runtime_reflect(%x: tensor<1x3x4x5xf32>, %p: tensor<8xi64>) -> tensor<1x3x6x5xf32> {
  %n = "onnx.None"() : () -> none
  %0 = "onnx.Pad"(%x, %p, %n, %n) {mode = "reflect"} : (tensor<1x3x4x5xf32>, tensor<8xi64>, none, none) -> tensor<1x3x6x5xf32>
  return %0 : tensor<1x3x6x5xf32>
}
