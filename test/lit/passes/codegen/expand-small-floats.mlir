// RUN: kiln-opt %s --kiln-expand-small-floats --split-input-file | FileCheck %s

// f32 -> bf16: integer rounding (nearest even), no arith.truncf left.
// CHECK-LABEL: func.func @trunc_bf16
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.cmpf uno
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
// CHECK-NOT: arith.truncf
func.func @trunc_bf16(%x: f32) -> bf16 {
  %0 = arith.truncf %x : f32 to bf16
  return %0 : bf16
}

// -----

// Vectors too; an f16 source is widened to f32 first.
// CHECK-LABEL: func.func @trunc_f8_vector
// CHECK: arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK: arith.bitcast %{{.*}} : vector<8xf32> to vector<8xi32>
// CHECK: arith.bitcast %{{.*}} : vector<8xi8> to vector<8xf8E4M3FNUZ>
func.func @trunc_f8_vector(%x: vector<8xf16>) -> vector<8xf8E4M3FNUZ> {
  %0 = arith.truncf %x : vector<8xf16> to vector<8xf8E4M3FNUZ>
  return %0 : vector<8xf8E4M3FNUZ>
}

// -----

// float8 -> f32: exponent rebias, subnormals scaled, NaN (e5m2: inf too).
// CHECK-LABEL: func.func @ext_f8
// CHECK-NOT: arith.extf
// CHECK-DAG: %[[INF:.*]] = arith.constant 2139095040 : i32
// CHECK-DAG: %[[NAN:.*]] = arith.constant 2143289344 : i32
// CHECK: arith.bitcast %{{.*}} : f8E5M2 to i8
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.uitofp
// CHECK: arith.ori %{{.*}}, %[[INF]]
// CHECK: arith.select %{{.*}}, %[[NAN]]
// CHECK: arith.bitcast %{{.*}} : i32 to f32
func.func @ext_f8(%x: f8E5M2) -> f32 {
  %0 = arith.extf %x : f8E5M2 to f32
  return %0 : f32
}

// -----

// float4 -> f16 goes through f32 (exact).
// CHECK-LABEL: func.func @ext_f4_f16
// CHECK: arith.bitcast %{{.*}} : f4E2M1FN to i4
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @ext_f4_f16(%x: f4E2M1FN) -> f16 {
  %0 = arith.extf %x : f4E2M1FN to f16
  return %0 : f16
}

// -----

// e8m0 both ways, and float8 constants become integer constants.
// CHECK-LABEL: func.func @e8m0
// CHECK: %[[C:.*]] = arith.constant 56 : i8
// CHECK: arith.bitcast %[[C]] : i8 to f8E4M3FN
// CHECK: arith.bitcast %{{.*}} : f8E8M0FNU to i8
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.bitcast %{{.*}} : i8 to f8E8M0FNU
func.func @e8m0(%x: f8E8M0FNU, %y: f32) -> (f32, f8E8M0FNU, f8E4M3FN) {
  %0 = arith.extf %x : f8E8M0FNU to f32
  %1 = arith.truncf %y : f32 to f8E8M0FNU
  %c = arith.constant 1.0 : f8E4M3FN
  return %0, %1, %c : f32, f8E8M0FNU, f8E4M3FN
}

// -----

// A select of bf16 vectors selects the bit patterns (x86 would widen an odd
// <6 x bfloat> select through f32 and call __truncsfbf2).
// CHECK-LABEL: func.func @select_bf16_vector
// CHECK: %[[A:.*]] = arith.bitcast %{{.*}} : vector<6xbf16> to vector<6xi16>
// CHECK: %[[B:.*]] = arith.bitcast %{{.*}} : vector<6xbf16> to vector<6xi16>
// CHECK: %[[S:.*]] = arith.select %{{.*}}, %[[A]], %[[B]] : vector<6xi1>, vector<6xi16>
// CHECK: arith.bitcast %[[S]] : vector<6xi16> to vector<6xbf16>
func.func @select_bf16_vector(%c: vector<6xi1>, %x: vector<6xbf16>, %y: vector<6xbf16>) -> vector<6xbf16> {
  %0 = arith.select %c, %x, %y : vector<6xi1>, vector<6xbf16>
  return %0 : vector<6xbf16>
}

// -----

// f16 and f32 selects stay as they are.
// CHECK-LABEL: func.func @select_f16
// CHECK-NOT: arith.bitcast
// CHECK: arith.select %{{.*}} : f16
func.func @select_f16(%c: i1, %x: f16, %y: f16) -> f16 {
  %0 = arith.select %c, %x, %y : f16
  return %0 : f16
}
