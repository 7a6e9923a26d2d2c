//===- ConstantData.h - the bytes of a constant tensor ------------*- C++
//-*-===//
//
// Compile-time rewrites of weights (packing, transposing, slicing) read a
// constant's elements as raw bytes, whether it is an inline dense attribute
// or a resource blob (large initializers).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_CODEGEN_CONSTANTDATA_H
#define KILN_PASSES_CODEGEN_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <optional>

namespace kiln {

/// The raw bytes of a non-splat dense or resource constant, if it holds
/// them in memory (a splat dense attribute gives its single element).
inline std::optional<llvm::ArrayRef<char>>
constantBytes(mlir::Attribute value) {
  if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(value))
    return dense.getRawData();
  if (auto res = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value))
    if (mlir::AsmResourceBlob *blob = res.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

} // namespace kiln

#endif // KILN_PASSES_CODEGEN_CONSTANTDATA_H
