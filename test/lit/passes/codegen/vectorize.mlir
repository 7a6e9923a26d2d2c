// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-vectorize{vector-bits=256 matmul-rows=4 matmul-vectors=2}))' --split-input-file | FileCheck %s

// A matmul becomes 4x16 register tiles: the K loop carries 4 accumulator
// rows of 16 lanes (2 registers of 8 each) and does FMAs; no linalg op is
// left.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>) -> tensor<8x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// -----

// Elementwise ops: the innermost dim by the vector width, the remainder
// peeled to a smaller static vector.
// CHECK-LABEL: func.func @elementwise
// CHECK: math.tanh {{.*}} : vector<8xf32>
// CHECK: math.tanh {{.*}} : vector<4xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<3x12xf32>) -> tensor<3x12xf32> {
  %e = tensor.empty() : tensor<3x12xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x12xf32>) outs(%e : tensor<3x12xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<3x12xf32>
  return %r : tensor<3x12xf32>
}

// -----

// Booleans are bytes in memory but bits in an LLVM vector: ops on i1 stay
// scalar; so do gathers (tensor.extract in the body).
// CHECK-LABEL: func.func @select_bool
// CHECK: linalg.generic
// CHECK-NOT: vector<
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @select_bool(%c: tensor<2x8xi1>, %x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%c, %x, %y : tensor<2x8xi1>, tensor<2x8xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%p: i1, %a: f32, %b: f32, %o: f32):
    %s = arith.select %p, %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}
