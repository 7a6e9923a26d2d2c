// RUN: kiln-opt %s --kiln-carry-in-place --split-input-file | FileCheck %s

// A carried tensor computed into a fresh destination is copied into the
// iteration argument before the yield.
// CHECK-LABEL: func.func @fresh_yield
// CHECK: scf.for {{.*}} iter_args(%[[H:.*]] = %{{.*}})
// CHECK:   %[[NEW:.*]] = linalg.generic
// CHECK:   %[[C:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[H]]
// CHECK:   scf.yield %[[C]]
#id = affine_map<(d0) -> (d0)>
func.func @fresh_yield(%h0: tensor<4xf32>, %n: index) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%h = %h0) -> (tensor<4xf32>) {
    %e = tensor.empty() : tensor<4xf32>
    %new = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%h : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %t = math.tanh %a : f32
      linalg.yield %t : f32
    } -> tensor<4xf32>
    scf.yield %new : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Written into the iteration argument already: left alone.
// CHECK-LABEL: func.func @in_place_yield
// CHECK-NOT: materialize_in_destination
// CHECK-NOT: alloc_tensor
func.func @in_place_yield(%y0: tensor<8x4xf32>, %v: tensor<4xf32>) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %r = scf.for %i = %c0 to %c8 step %c1 iter_args(%y = %y0) -> (tensor<8x4xf32>) {
    %s = tensor.insert_slice %v into %y[%i, 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<8x4xf32>
    scf.yield %s : tensor<8x4xf32>
  }
  return %r : tensor<8x4xf32>
}

// -----

// A destination defined outside the loop gets a per-iteration copy (a new
// tensor.empty when its contents are undefined).
// CHECK-LABEL: func.func @outside_destination
// CHECK: scf.for
// CHECK:   %[[COPY:.*]] = bufferization.alloc_tensor() copy(%{{.*}})
// CHECK:   vector.transfer_write %{{.*}}, %[[COPY]]
// CHECK:   %[[E:.*]] = tensor.empty()
// CHECK:   linalg.generic {{.*}} outs(%[[E]]
func.func @outside_destination(%init: tensor<8xf32>, %v: vector<4xf32>, %n: index) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<8xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (tensor<8xf32>) {
    %w = vector.transfer_write %v, %init[%c0] {in_bounds = [true]} : vector<4xf32>, tensor<8xf32>
    %g = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%w, %acc : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<8xf32>
    scf.yield %g : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}

// -----

// scf.while: the yielded tensor is copied into the "after" argument that the
// condition forwards the matching "before" argument to.
// CHECK-LABEL: func.func @while_fresh_yield
// CHECK: scf.while
// CHECK: } do {
// CHECK: ^bb0(%[[H:.*]]: tensor<4xf32>, %{{.*}}: i64):
// CHECK:   %[[NEW:.*]] = linalg.generic
// CHECK:   %[[C:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[H]]
// CHECK:   scf.yield %[[C]], %{{.*}}
#id = affine_map<(d0) -> (d0)>
func.func @while_fresh_yield(%h0: tensor<4xf32>, %n: i64) -> tensor<4xf32> {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %r:2 = scf.while (%h = %h0, %i = %c0) : (tensor<4xf32>, i64) -> (tensor<4xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    scf.condition(%go) %h, %i : tensor<4xf32>, i64
  } do {
  ^bb0(%h: tensor<4xf32>, %i: i64):
    %e = tensor.empty() : tensor<4xf32>
    %new = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%h : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %t = math.tanh %a : f32
      linalg.yield %t : f32
    } -> tensor<4xf32>
    %j = arith.addi %i, %c1 : i64
    scf.yield %new, %j : tensor<4xf32>, i64
  }
  return %r#0 : tensor<4xf32>
}
