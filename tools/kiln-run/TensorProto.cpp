//===- TensorProto.cpp - read serialized onnx.TensorProto files -----------===//
//
// The files of ONNX's test_data_set_N directories (input_0.pb, output_0.pb):
// data in raw_data (little-endian; int4/uint4/float4 two per byte, int2/uint2
// four per byte, low bits first) or in the typed repeated fields.
//
//===----------------------------------------------------------------------===//

#include "TensorFiles.h"

#include "onnx/onnx.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <climits>
#include <cstring>

using namespace kiln::run;
using llvm::StringRef;

static llvm::Error fileError(StringRef path, const llvm::Twine &msg) {
  return llvm::createStringError(path + ": " + msg);
}

static bool isSupported(int type) {
  switch (type) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::FLOAT8E4M3FN:
  case onnx::TensorProto::FLOAT8E4M3FNUZ:
  case onnx::TensorProto::FLOAT8E5M2:
  case onnx::TensorProto::FLOAT8E5M2FNUZ:
  case onnx::TensorProto::FLOAT8E8M0:
  case onnx::TensorProto::UINT4:
  case onnx::TensorProto::INT4:
  case onnx::TensorProto::FLOAT4E2M1:
  case onnx::TensorProto::UINT2:
  case onnx::TensorProto::INT2:
    return true;
  default:
    return false;
  }
}

static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readFile(StringRef path, StringRef what) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return fileError(path, buf.getError().message());
  if ((*buf)->getBufferSize() > static_cast<size_t>(INT_MAX))
    return fileError(path, "file too large for " + what);
  return std::move(*buf);
}

static llvm::Expected<HostTensor> fromProto(const onnx::TensorProto &proto,
                                            StringRef path);

llvm::Expected<HostTensor> kiln::run::readTensorProto(StringRef path) {
  auto buf = readFile(path, "a TensorProto");
  if (!buf)
    return buf.takeError();
  StringRef bytes = (*buf)->getBuffer();
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fileError(path, "not a valid serialized ONNX TensorProto");
  return fromProto(proto, path);
}

/// The wire format of onnx.SequenceProto (onnx-data.proto, which Kiln does
/// not compile): 1 name, 2 elem_type, 3 tensor_values, 5 sequence_values.
/// onnx.OptionalProto has the same numbers for its single value (3 a tensor,
/// 5 a sequence), so this reads both. Appends the tensors in order, those of
/// a nested sequence (an optional holding a sequence) included.
static bool parseSequence(google::protobuf::io::CodedInputStream &in,
                          std::vector<onnx::TensorProto> &out, int depth) {
  namespace wf = google::protobuf::internal;
  while (uint32_t tag = in.ReadTag()) {
    int field = static_cast<int>(tag >> 3);
    bool delimited = (tag & 7) == wf::WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if ((field == 3 || field == 5) && delimited) {
      uint32_t len;
      if (!in.ReadVarint32(&len))
        return false;
      auto limit = in.PushLimit(static_cast<int>(len));
      bool ok;
      if (field == 3) {
        out.emplace_back();
        ok = out.back().ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
      } else {
        ok = depth < 1 && parseSequence(in, out, depth + 1);
      }
      in.PopLimit(limit);
      if (!ok)
        return false;
    } else if ((field == 1 && delimited) ||
               (field == 2 &&
                (tag & 7) == wf::WireFormatLite::WIRETYPE_VARINT)) {
      if (!wf::WireFormatLite::SkipField(&in, tag)) // name, elem_type
        return false;
    } else {
      return false; // not a SequenceProto/OptionalProto of tensors
    }
  }
  return in.ConsumedEntireMessage();
}

llvm::Expected<std::vector<HostTensor>>
kiln::run::readSequenceProto(StringRef path) {
  auto buf = readFile(path, "a SequenceProto");
  if (!buf)
    return buf.takeError();
  StringRef bytes = (*buf)->getBuffer();
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  std::vector<onnx::TensorProto> protos;
  if (!parseSequence(in, protos, 0))
    return fileError(path, "not a valid serialized ONNX SequenceProto or "
                           "OptionalProto of tensors");
  std::vector<HostTensor> out;
  for (size_t i = 0; i < protos.size(); ++i) {
    auto t = fromProto(protos[i], (path + "[" + llvm::Twine(i) + "]").str());
    if (!t)
      return t.takeError();
    out.push_back(std::move(*t));
  }
  return out;
}

static llvm::Expected<HostTensor> fromProto(const onnx::TensorProto &proto,
                                            StringRef path) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return fileError(path, "tensors with external data are not supported");
  if (proto.has_segment())
    return fileError(path, "segmented tensors are not supported");
  int type = proto.data_type();
  if (!isSupported(type)) {
    const std::string &name = onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(type));
    return fileError(path,
                     llvm::formatv("unsupported data_type {0} ({1})", type,
                                   name.empty() ? "unknown" : name));
  }
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  auto t = HostTensor::create(static_cast<kiln_dtype>(type), shape);
  if (!t)
    return fileError(path, llvm::toString(t.takeError()));
  int64_t n = t->numElements();

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != t->numBytes())
      return fileError(path, llvm::formatv("raw_data has {0} bytes, shape {1} "
                                           "of {2} needs {3}",
                                           raw.size(), formatShape(shape),
                                           kiln_dtype_name(t->dtype()),
                                           t->numBytes()));
    if (!raw.empty())
      std::memcpy(t->data(), raw.data(), raw.size());
    return t;
  }

  auto checkCount = [&](int count, const char *field) -> llvm::Error {
    if (count != n)
      return fileError(path,
                       llvm::formatv("{0} has {1} values, shape {2} "
                                     "needs {3}",
                                     field, count, formatShape(shape), n));
    return llvm::Error::success();
  };
  switch (type) {
  case onnx::TensorProto::FLOAT:
    if (llvm::Error e = checkCount(proto.float_data_size(), "float_data"))
      return std::move(e);
    for (int64_t i = 0; i < n; ++i)
      t->setDouble(i, proto.float_data(static_cast<int>(i)));
    break;
  case onnx::TensorProto::DOUBLE:
    if (llvm::Error e = checkCount(proto.double_data_size(), "double_data"))
      return std::move(e);
    if (n)
      std::memcpy(t->data(), proto.double_data().data(), t->numBytes());
    break;
  case onnx::TensorProto::INT64:
    if (llvm::Error e = checkCount(proto.int64_data_size(), "int64_data"))
      return std::move(e);
    if (n)
      std::memcpy(t->data(), proto.int64_data().data(), t->numBytes());
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (llvm::Error e = checkCount(proto.uint64_data_size(), "uint64_data"))
      return std::move(e);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t v = proto.uint64_data(static_cast<int>(i));
      if (type == onnx::TensorProto::UINT64)
        std::memcpy(static_cast<char *>(t->data()) + i * 8, &v, 8);
      else
        t->setDouble(i, static_cast<double>(v));
    }
    break;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    // Bit patterns in int32_data.
    if (llvm::Error e = checkCount(proto.int32_data_size(), "int32_data"))
      return std::move(e);
    for (int64_t i = 0; i < n; ++i) {
      uint16_t bits =
          static_cast<uint16_t>(proto.int32_data(static_cast<int>(i)));
      std::memcpy(static_cast<char *>(t->data()) + i * 2, &bits, 2);
    }
    break;
  }
  case onnx::TensorProto::FLOAT8E4M3FN:
  case onnx::TensorProto::FLOAT8E4M3FNUZ:
  case onnx::TensorProto::FLOAT8E5M2:
  case onnx::TensorProto::FLOAT8E5M2FNUZ:
  case onnx::TensorProto::FLOAT8E8M0:
    // Bit patterns in int32_data, one per element.
    if (llvm::Error e = checkCount(proto.int32_data_size(), "int32_data"))
      return std::move(e);
    for (int64_t i = 0; i < n; ++i)
      t->setBits(i,
                 static_cast<uint8_t>(proto.int32_data(static_cast<int>(i))));
    break;
  case onnx::TensorProto::UINT4:
  case onnx::TensorProto::INT4:
  case onnx::TensorProto::FLOAT4E2M1:
  case onnx::TensorProto::UINT2:
  case onnx::TensorProto::INT2: {
    // Packed bytes (as in raw_data) in int32_data, one byte per value.
    int64_t packed = static_cast<int64_t>(t->numBytes());
    if (proto.int32_data_size() != packed)
      return fileError(
          path, llvm::formatv("int32_data has {0} values, shape "
                              "{1} of {2} needs {3} packed bytes",
                              proto.int32_data_size(), formatShape(shape),
                              kiln_dtype_name(t->dtype()), packed));
    auto *bytes = static_cast<uint8_t *>(t->data());
    for (int64_t i = 0; i < packed; ++i)
      bytes[i] = static_cast<uint8_t>(proto.int32_data(static_cast<int>(i)));
    break;
  }
  default: // INT32, INT16, INT8, UINT16, UINT8, BOOL: int32_data
    if (llvm::Error e = checkCount(proto.int32_data_size(), "int32_data"))
      return std::move(e);
    for (int64_t i = 0; i < n; ++i)
      t->setDouble(i, proto.int32_data(static_cast<int>(i)));
    break;
  }
  return t;
}
