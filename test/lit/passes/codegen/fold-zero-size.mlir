// RUN: kiln-opt %s --kiln-fold-zero-size --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-codegen-cpu --split-input-file | FileCheck %s --check-prefix=LLVM

// A reduction over an input without elements runs no iteration: its result
// is the filled init. A result without elements is an empty tensor.
// CHECK-LABEL: func.func @reduce_empty_set
// CHECK-SAME: (%{{.*}}: tensor<2x0x4xf32>) -> (tensor<2x4xf32>, tensor<2x0xf32>)
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK-NOT: linalg.generic
// CHECK: %[[E:.*]] = bufferization.alloc_tensor() : tensor<2x0xf32>
// CHECK: return %[[FILL]], %[[E]]
// LLVM-LABEL: llvm.func @reduce_empty_set
// LLVM-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#red = affine_map<(d0, d1, d2) -> (d0, d2)>
#red2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @reduce_empty_set(%x: tensor<2x0x4xf32>) -> (tensor<2x4xf32>, tensor<2x0xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<2x0x4xf32>) outs(%f : tensor<2x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %e2 = tensor.empty() : tensor<2x0xf32>
  %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<2x0xf32>) -> tensor<2x0xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #red2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x0x4xf32>) outs(%f2 : tensor<2x0xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2x0xf32>
  return %r, %r2 : tensor<2x4xf32>, tensor<2x0xf32>
}

// -----

// Slices and reshapes without elements become empty tensors; a result
// without elements returned twice gets one allocation per result.
// CHECK-LABEL: func.func @split_zero_size
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[A:.*]] = bufferization.alloc_tensor() : tensor<3x0xf32>
// CHECK: %[[B:.*]] = bufferization.alloc_tensor() : tensor<3x0xf32>
// CHECK: return %{{.*}}, %[[A]], %[[B]]
// LLVM-LABEL: llvm.func @split_zero_size
func.func @split_zero_size(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x0xf32>, tensor<3x0xf32>) {
  %0 = tensor.extract_slice %x[0, 2] [3, 0] [1, 1] : tensor<3x4xf32> to tensor<3x0xf32>
  %1 = tensor.collapse_shape %0 [[0, 1]] : tensor<3x0xf32> into tensor<0xf32>
  %2 = tensor.expand_shape %1 [[0, 1]] output_shape [3, 0] : tensor<0xf32> into tensor<3x0xf32>
  return %x, %0, %2 : tensor<3x4xf32>, tensor<3x0xf32>, tensor<3x0xf32>
}

// -----

// On buffers: copies of nothing go, then the unused buffers, and buffer
// arguments without elements get a 1-D type.
// CHECK-LABEL: func.func @buffers
// CHECK-SAME: (%{{.*}}: memref<0xf32>, %{{.*}}: memref<0xf32>, %{{.*}}: memref<0xf32>, %{{.*}}: memref<2xf32>)
// CHECK-NEXT: arith.constant
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return
func.func @buffers(%in: memref<2x0xf32>, %out: memref<3x0xf32>, %out2: memref<0x3xf32>, %b: memref<2xf32>) {
  %z = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<3x0xf32>
  linalg.fill ins(%z : f32) outs(%a : memref<3x0xf32>)
  memref.copy %a, %out : memref<3x0xf32> to memref<3x0xf32>
  linalg.fill ins(%z : f32) outs(%out2 : memref<0x3xf32>)
  linalg.fill ins(%z : f32) outs(%b : memref<2xf32>)
  memref.dealloc %a : memref<3x0xf32>
  return
}
