// RUN: kiln-opt %s --kiln-codegen-cpu --mlir-print-ir-after=kiln-lower-copies -o /dev/null 2>&1 | FileCheck %s

// A transformer FFN (matmul, activation, matmul, bias + residual): every
// matmul runs in thread tiles, none in the function itself. (The activation
// feeds the second matmul's left-hand side, which the second matmul's
// column tiles need whole: it and the first matmul must still be tiled, as
// a root of their own.)
// CHECK-LABEL: func.func @ffn
// CHECK-NOT: vector.fma
// CHECK-NOT: scf.for
// CHECK: call @kiln_dispatch_
// CHECK-NOT: vector.fma
// CHECK-NOT: scf.for
// CHECK: return
// CHECK: func.func private @kiln_par_
#row = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @ffn(%x: tensor<128x64xf32>) -> tensor<128x64xf32> {
  %w1 = arith.constant dense<0.01> : tensor<64x256xf32>
  %w2 = arith.constant dense<0.02> : tensor<256x64xf32>
  %b2 = arith.constant dense<0.5> : tensor<64xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<128x256xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<128x64xf32>, tensor<64x256xf32>) outs(%f1 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<128x256xf32>) outs(%e1 : tensor<128x256xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<128x256xf32>
  %e2 = tensor.empty() : tensor<128x64xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<128x256xf32>, tensor<256x64xf32>) outs(%f2 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %r = linalg.generic {indexing_maps = [#row, #id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b2, %y, %x : tensor<64xf32>, tensor<128x64xf32>, tensor<128x64xf32>) outs(%e2 : tensor<128x64xf32>) {
  ^bb0(%b: f32, %v: f32, %s: f32, %o: f32):
    %p = arith.addf %v, %b : f32
    %q = arith.addf %p, %s : f32
    linalg.yield %q : f32
  } -> tensor<128x64xf32>
  return %r : tensor<128x64xf32>
}
