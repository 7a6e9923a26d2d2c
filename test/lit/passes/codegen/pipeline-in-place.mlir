// RUN: kiln-opt %s --kiln-codegen-cpu --mlir-print-ir-after=kiln-lower-copies -o /dev/null 2>&1 | FileCheck %s

// Two pads of one shape bufferize in place: each is a parallel fill and a
// parallel copy into the interior, and nothing is copied serially in the
// function itself (no merged fill that both would have to copy first).
// CHECK-LABEL: func.func @two_pads
// CHECK-NOT: copy
// CHECK-COUNT-5: call @kiln_dispatch_
// CHECK-NOT: copy
// CHECK: return
// CHECK: func.func private @kiln_par_0
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @two_pads(%x: tensor<16x32x32xf32>, %y: tensor<16x32x32xf32>) -> tensor<16x34x34xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<16x32x32xf32> to tensor<16x34x34xf32>
  %q = tensor.pad %y low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<16x32x32xf32> to tensor<16x34x34xf32>
  %e = tensor.empty() : tensor<16x34x34xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p, %q : tensor<16x34x34xf32>, tensor<16x34x34xf32>) outs(%e : tensor<16x34x34xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.mulf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x34x34xf32>
  return %r : tensor<16x34x34xf32>
}
