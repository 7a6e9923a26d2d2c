//===- TensorFiles.h - .npy and ONNX TensorProto (.pb) files ----*- C++ -*-===//
#ifndef KILN_TOOLS_KILN_RUN_TENSORFILES_H
#define KILN_TOOLS_KILN_RUN_TENSORFILES_H

#include "HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace kiln::run {

/// Reads a .npy file (format versions 1-3, little-endian, C order).
/// numpy has no dtype for bfloat16, float8, float4, int4 and int2: when
/// `modelDtype` is one of them, float32/float64 data (floats) or integer data
/// (int4/int2) is converted to it, and ml_dtypes arrays (saved as 'V1'/'V2'
/// records, one element each) are read as its bit patterns.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path,
                                   kiln_dtype modelDtype = kiln_dtype(0));
/// Writes `t` as a .npy file (bfloat16/float8/float4 as float32, int4/int2
/// as int8, uint4/uint2 as uint8).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &t);

/// Reads a serialized onnx.TensorProto (raw_data or typed fields).
llvm::Expected<HostTensor> readTensorProto(llvm::StringRef path);

/// Reads a serialized onnx.SequenceProto of tensors, or an onnx.OptionalProto
/// holding one: its elements, in order (none for an empty sequence or an
/// empty optional).
llvm::Expected<std::vector<HostTensor>> readSequenceProto(llvm::StringRef path);

/// Reads `path` by its extension (.npy or .pb).
llvm::Expected<HostTensor>
readTensorFile(llvm::StringRef path, kiln_dtype modelDtype = kiln_dtype(0));

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_TENSORFILES_H
