//===- TensorFiles.h - .npy and ONNX TensorProto (.pb) files ----*- C++ -*-===//
#ifndef KILN_TOOLS_KILN_RUN_TENSORFILES_H
#define KILN_TOOLS_KILN_RUN_TENSORFILES_H

#include "HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace kiln::run {

/// Reads a .npy file (format versions 1-3, little-endian, C order).
/// bfloat16 has no numpy dtype: pass `float32ForBfloat16` to read float32 data
/// into a bfloat16 tensor.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path,
                                   bool float32ForBfloat16 = false);
/// Writes `t` as a .npy file (bfloat16 is written as float32).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &t);

/// Reads a serialized onnx.TensorProto (raw_data or typed fields).
llvm::Expected<HostTensor> readTensorProto(llvm::StringRef path);

/// Reads `path` by its extension (.npy or .pb).
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path,
                                          bool float32ForBfloat16 = false);

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_TENSORFILES_H
