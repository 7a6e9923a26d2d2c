// RUN: kiln-opt %s --kiln-lower-checks --split-input-file --verify-diagnostics | FileCheck %s

// Each cf.assert records its 1-based number in the status word when it fails
// first; main returns the status; the messages go to the module.
// CHECK: module attributes {kiln.check_messages = ["K must be 2", "size must be 10"]}
// CHECK-LABEL: func.func @main(
// CHECK-SAME: -> i32
// CHECK: %[[S:.*]] = memref.alloca() : memref<i32>
// CHECK: memref.store %{{.*}}, %[[S]][]
// CHECK-NOT: cf.assert
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[NOT:.*]] = arith.xori %{{.*}}, %true
// CHECK: %[[CUR:.*]] = memref.load %[[S]][]
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[CUR]]
// CHECK: %[[REC:.*]] = arith.andi %[[NOT]], %[[FIRST]]
// CHECK: %[[NEXT:.*]] = arith.select %[[REC]], %[[ONE]], %[[CUR]]
// CHECK: memref.store %[[NEXT]], %[[S]][]
// CHECK: scf.for
// CHECK: arith.constant 2 : i32
// CHECK: memref.store
// CHECK: %[[R:.*]] = memref.load %[[S]][]
// CHECK: return %[[R]] : i32
func.func @main(%k: memref<i64>, %n: memref<i64>, %out: memref<4xf32>) {
  %c2 = arith.constant 2 : i64
  %c10 = arith.constant 10 : i64
  %kv = memref.load %k[] : memref<i64>
  %ok = arith.cmpi eq, %kv, %c2 : i64
  cf.assert %ok, "K must be 2"
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    %nv = memref.load %n[] : memref<i64>
    %ok2 = arith.cmpi eq, %nv, %c10 : i64
    cf.assert %ok2, "size must be 10"
  }
  return
}

// -----

// No checks: main is left alone.
// CHECK-LABEL: func.func @main(
// CHECK-NOT: -> i32
// CHECK-NOT: memref.alloca
func.func @main(%out: memref<4xf32>) {
  return
}

// -----

func.func @main() {
  return
}
func.func @helper(%ok: i1) {
  // expected-error @+1 {{run-time check outside the entry function 'main'}}
  cf.assert %ok, "no"
  return
}
