// RUN: kiln-opt %s --kiln-pack-interface --split-input-file --verify-diagnostics | FileCheck %s

// int4 arguments and results become packed bytes: 5 elements in 3 bytes,
// unpacked (byte i / 2, shift 4 * (i % 2)) and packed (the last byte padded).
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<3xi8>) -> tensor<3xi8>
// CHECK: %[[U:.*]] = linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: arith.divui %[[I]]
// CHECK: tensor.extract %[[X]]
// CHECK: arith.shrui
// CHECK: arith.trunci %{{.*}} : i8 to i4
// CHECK: -> tensor<5xi4>
// CHECK: %[[N:.*]] = arith.addi %[[U]], %[[U]]
// CHECK: %[[P:.*]] = linalg.generic
// CHECK-COUNT-2: arith.extui %{{.*}} : i4 to i8
// CHECK: -> tensor<3xi8>
// CHECK: return %[[P]] : tensor<3xi8>
func.func @main(%x: tensor<5xi4>) -> tensor<5xi4> {
  %0 = arith.addi %x, %x : tensor<5xi4>
  return %0 : tensor<5xi4>
}

// -----

// float4 and uint2 (four per byte) of higher rank; other types are left alone.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<3xi8>, %{{.*}}: tensor<2x3xi8>) -> (tensor<2xi8>, tensor<2x3xi8>)
// CHECK: arith.bitcast %{{.*}} : i4 to f4E2M1FN
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 3] : tensor<6xf4E2M1FN> into tensor<2x3xf4E2M1FN>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x2x2xi2> into tensor<8xi2>
// CHECK-COUNT-4: arith.extui %{{.*}} : i2 to i8
func.func @main(%x: tensor<2x3xf4E2M1FN>, %y: tensor<2x3xi8>) -> (tensor<2x2x2xi2>, tensor<2x3xi8>) {
  %0 = tensor.empty() : tensor<2x2x2xi2>
  return %0, %y : tensor<2x2x2xi2>, tensor<2x3xi8>
}

// -----

// A scalar int4 result: one byte.
// CHECK-LABEL: func.func @scalar
// CHECK-SAME: -> tensor<1xi8>
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<i4> into tensor<1xi4>
func.func @scalar(%x: tensor<i4>) -> tensor<i4> {
  return %x : tensor<i4>
}

// -----

// expected-error @+1 {{packed interface tensors need static shapes}}
func.func @dynamic(%x: tensor<?xi4>) -> tensor<?xi4> {
  return %x : tensor<?xi4>
}
