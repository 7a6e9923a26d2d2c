// RUN: kiln-opt %s --kiln-lower-copies --split-input-file | FileCheck %s
// Nothing left for the LLVM lowering calls the memrefCopy helper:
// RUN: kiln-opt %s --kiln-lower-copies --split-input-file | kiln-opt --finalize-memref-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM
// LLVM-NOT: memrefCopy

// Copies that the LLVM lowering turns into memcpy stay memref.copy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}

// -----

// Strided copies become linalg.copy (loops later); the memrefCopy runtime
// helper that the LLVM lowering would call is not linked into models.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: memref.copy
// CHECK: linalg.copy
func.func @strided(%a: memref<4x8xf32>, %b: memref<4x8xf32, strided<[16, 1]>>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32, strided<[16, 1]>>
  return
}

// -----

// A unit-size view with a dynamic offset (a tile of a reduction result) is
// contiguous for the LLVM lowering: it stays a memref.copy (memcpy).
// CHECK-LABEL: func.func @unit_dynamic_offset
// CHECK: memref.copy
func.func @unit_dynamic_offset(%a: memref<1x1x1xf32, strided<[197, 1, 1], offset: ?>>, %b: memref<1x1x1xf32, strided<[197, 1, 1], offset: ?>>) {
  memref.copy %a, %b : memref<1x1x1xf32, strided<[197, 1, 1], offset: ?>> to memref<1x1x1xf32, strided<[197, 1, 1], offset: ?>>
  return
}

// -----

// A contiguous tile with a dynamic size: the LLVM lowering only uses memcpy
// for static shapes, so this one becomes a linalg.copy too.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-NOT: memref.copy
// CHECK: linalg.copy
func.func @dynamic_rows(%a: memref<?x192xf32, strided<[192, 1], offset: ?>>, %b: memref<?x192xf32, strided<[192, 1], offset: ?>>) {
  memref.copy %a, %b : memref<?x192xf32, strided<[192, 1], offset: ?>> to memref<?x192xf32, strided<[192, 1], offset: ?>>
  return
}
