//===- TensorImport.cpp - ONNX TensorProto -> ElementsAttr ----------------===//
//
// Weights are imported without copies where the bytes allow it: raw_data is
// moved out of the protobuf into a dense_resource blob that owns it, and
// external data is memory-mapped and owned by its blob.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/ImporterImpl.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace kiln::import {

namespace {
using DT = pb::TensorProto::DataType;

/// Tensors up to this many bytes stay inline (DenseElementsAttr) so that they
/// print, fold and compare like any other constant.
constexpr size_t kInlineLimit = 1024;

llvm::Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// Bits of one element as stored in raw_data (sub-byte types are packed).
unsigned storageBits(int32_t dtype) {
  switch (dtype) {
  case DT::TensorProto_DataType_INT4:
  case DT::TensorProto_DataType_UINT4:
  case DT::TensorProto_DataType_FLOAT4E2M1:
    return 4;
  case DT::TensorProto_DataType_INT2:
  case DT::TensorProto_DataType_UINT2:
    return 2;
  case DT::TensorProto_DataType_FLOAT6E2M3:
  case DT::TensorProto_DataType_FLOAT6E3M2:
    return 6;
  case DT::TensorProto_DataType_BOOL:
    return 8;
  case DT::TensorProto_DataType_COMPLEX64:
    return 64;
  case DT::TensorProto_DataType_COMPLEX128:
    return 128;
  default:
    return 0; // derived from the MLIR type
  }
}

bool isSubByte(int32_t dtype) {
  unsigned b = storageBits(dtype);
  return b != 0 && b < 8;
}

/// Unpacks little-endian bit-packed elements (2, 4 or 6 bits each).
DenseElementsAttr unpackSubByte(RankedTensorType type, int32_t dtype,
                                ArrayRef<char> bytes, int64_t n) {
  unsigned bits = storageBits(dtype);
  SmallVector<APInt> ints;
  ints.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t bitPos = (uint64_t)i * bits;
    uint32_t word = 0;
    for (unsigned k = 0; k < 2 && bitPos / 8 + k < bytes.size(); ++k)
      word |= (uint32_t)(uint8_t)bytes[bitPos / 8 + k] << (8 * k);
    ints.push_back(APInt(bits, (word >> (bitPos % 8)) & ((1u << bits) - 1)));
  }
  Type elt = type.getElementType();
  if (isa<FloatType>(elt)) {
    SmallVector<APFloat> fs;
    for (const APInt &i : ints)
      fs.push_back(APFloat(cast<FloatType>(elt).getFloatSemantics(), i));
    return DenseElementsAttr::get(type, fs);
  }
  return DenseElementsAttr::get(type, ints);
}

/// Copies the typed repeated fields of `t` into little-endian bytes laid out
/// as raw_data would be (sub-byte types packed).
llvm::Expected<std::string> typedFieldBytes(const pb::TensorProto &t,
                                            int64_t n, unsigned eltBits) {
  std::string out;
  auto append = [&](const void *p, size_t size) {
    out.append(static_cast<const char *>(p), size);
  };
  switch (t.data_type()) {
  case DT::TensorProto_DataType_FLOAT:
  case DT::TensorProto_DataType_COMPLEX64:
    for (float f : t.float_data())
      append(&f, 4);
    break;
  case DT::TensorProto_DataType_DOUBLE:
  case DT::TensorProto_DataType_COMPLEX128:
    for (double d : t.double_data())
      append(&d, 8);
    break;
  case DT::TensorProto_DataType_INT64:
    for (int64_t v : t.int64_data())
      append(&v, 8);
    break;
  case DT::TensorProto_DataType_UINT32:
    for (uint64_t v : t.uint64_data()) {
      uint32_t w = (uint32_t)v;
      append(&w, 4);
    }
    break;
  case DT::TensorProto_DataType_UINT64:
    for (uint64_t v : t.uint64_data())
      append(&v, 8);
    break;
  default: {
    // int32_data holds one element per entry, or for 4-bit / 2-bit types the
    // packed bytes (two or four elements per entry).
    unsigned bits = storageBits(t.data_type());
    unsigned bytesPer = isSubByte(t.data_type()) ? 1 : (eltBits + 7) / 8;
    if (bits == 8)
      bytesPer = 1;
    for (int32_t v : t.int32_data())
      append(&v, bytesPer);
    break;
  }
  }
  return out;
}

/// Keeps a memory buffer (a mapping of an external data file) alive for as
/// long as the blob that points into it.
struct BufferOwner {
  std::unique_ptr<llvm::MemoryBuffer> buffer;
};

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readExternal(const pb::TensorProto &t, StringRef baseDir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" || kv.key() == "length") {
      int64_t v;
      if (StringRef(kv.value()).getAsInteger(10, v) || v < 0)
        return err("tensor '" + t.name() + "': bad external data " +
                   kv.key() + " '" + kv.value() + "'");
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty())
    return err("tensor '" + t.name() +
               "': external data without a location");
  if (baseDir.empty())
    return err("tensor '" + t.name() +
               "': external data needs the model's folder (model given as "
               "bytes)");
  if (llvm::sys::path::is_absolute(location))
    return err("tensor '" + t.name() + "': external data path '" + location +
               "' is absolute; it must be relative to the model's folder");
  SmallString<256> base, full;
  if (llvm::sys::fs::real_path(baseDir, base))
    return err("cannot resolve the model folder '" + baseDir + "'");
  full = base;
  llvm::sys::path::append(full, location);
  llvm::sys::path::remove_dots(full, /*remove_dot_dot=*/true);
  SmallString<256> real;
  if (llvm::sys::fs::real_path(full, real)) {
    // Report escapes before existence: '../x' must not probe the filesystem.
    if (!StringRef(full).starts_with(base.str().str() + "/"))
      return err("tensor '" + t.name() + "': external data path '" +
                 location + "' escapes the model's folder");
    return err("tensor '" + t.name() + "': external data file '" + location +
               "' not found in '" + base + "'");
  }
  if (!StringRef(real).starts_with(base.str().str() + "/"))
    return err("tensor '" + t.name() + "': external data path '" + location +
               "' escapes the model's folder");
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(real, fileSize))
    return err("tensor '" + t.name() + "': cannot stat '" + location + "'");
  if ((uint64_t)offset > fileSize)
    return err("tensor '" + t.name() + "': external data offset " +
               llvm::Twine(offset) + " is past the end of '" + location +
               "' (" + llvm::Twine(fileSize) + " bytes)");
  if (length < 0)
    length = fileSize - offset;
  if ((uint64_t)(offset + length) > fileSize)
    return err("tensor '" + t.name() + "': external data [" +
               llvm::Twine(offset) + ", " + llvm::Twine(offset + length) +
               ") is past the end of '" + location + "' (" +
               llvm::Twine(fileSize) + " bytes)");
  auto buf = llvm::MemoryBuffer::getFileSlice(real, length, offset);
  if (!buf)
    return err("tensor '" + t.name() + "': cannot read '" + location +
               "': " + buf.getError().message());
  return std::move(*buf);
}
} // namespace

Type convertDataType(int32_t dtype, MLIRContext *ctx) {
  Builder b(ctx);
  switch (dtype) {
  case DT::TensorProto_DataType_FLOAT:
    return b.getF32Type();
  case DT::TensorProto_DataType_DOUBLE:
    return b.getF64Type();
  case DT::TensorProto_DataType_FLOAT16:
    return b.getF16Type();
  case DT::TensorProto_DataType_BFLOAT16:
    return b.getBF16Type();
  case DT::TensorProto_DataType_INT8:
    return b.getIntegerType(8);
  case DT::TensorProto_DataType_INT16:
    return b.getIntegerType(16);
  case DT::TensorProto_DataType_INT32:
    return b.getIntegerType(32);
  case DT::TensorProto_DataType_INT64:
    return b.getIntegerType(64);
  case DT::TensorProto_DataType_UINT8:
    return b.getIntegerType(8, false);
  case DT::TensorProto_DataType_UINT16:
    return b.getIntegerType(16, false);
  case DT::TensorProto_DataType_UINT32:
    return b.getIntegerType(32, false);
  case DT::TensorProto_DataType_UINT64:
    return b.getIntegerType(64, false);
  case DT::TensorProto_DataType_BOOL:
    return b.getI1Type();
  case DT::TensorProto_DataType_INT4:
    return b.getIntegerType(4);
  case DT::TensorProto_DataType_UINT4:
    return b.getIntegerType(4, false);
  case DT::TensorProto_DataType_INT2:
    return b.getIntegerType(2);
  case DT::TensorProto_DataType_UINT2:
    return b.getIntegerType(2, false);
  case DT::TensorProto_DataType_FLOAT8E4M3FN:
    return b.getType<Float8E4M3FNType>();
  case DT::TensorProto_DataType_FLOAT8E4M3FNUZ:
    return b.getType<Float8E4M3FNUZType>();
  case DT::TensorProto_DataType_FLOAT8E5M2:
    return b.getType<Float8E5M2Type>();
  case DT::TensorProto_DataType_FLOAT8E5M2FNUZ:
    return b.getType<Float8E5M2FNUZType>();
  case DT::TensorProto_DataType_FLOAT8E8M0:
    return b.getType<Float8E8M0FNUType>();
  case DT::TensorProto_DataType_FLOAT4E2M1:
    return b.getType<Float4E2M1FNType>();
  case DT::TensorProto_DataType_FLOAT6E2M3:
    return b.getType<Float6E2M3FNType>();
  case DT::TensorProto_DataType_FLOAT6E3M2:
    return b.getType<Float6E3M2FNType>();
  case DT::TensorProto_DataType_COMPLEX64:
    return ComplexType::get(b.getF32Type());
  case DT::TensorProto_DataType_COMPLEX128:
    return ComplexType::get(b.getF64Type());
  case DT::TensorProto_DataType_STRING:
    return onnx::StringType::get(ctx);
  default:
    return nullptr;
  }
}

std::string dataTypeName(int32_t dtype) {
  if (pb::TensorProto::DataType_IsValid(dtype))
    return pb::TensorProto::DataType_Name(
        static_cast<pb::TensorProto::DataType>(dtype));
  return "data type " + std::to_string(dtype);
}

DenseElementsAttr makeI64Tensor(MLIRContext *ctx, ArrayRef<int64_t> values,
                                bool scalar) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  auto type = RankedTensorType::get(shape, IntegerType::get(ctx, 64));
  return DenseElementsAttr::get(type, values);
}

llvm::Expected<ElementsAttr> importTensor(pb::TensorProto &t,
                                          StringRef baseDir, MLIRContext *ctx) {
  Type elt = convertDataType(t.data_type(), ctx);
  if (!elt)
    return err("tensor '" + t.name() + "' has unsupported " +
               dataTypeName(t.data_type()));
  SmallVector<int64_t> shape;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return err("tensor '" + t.name() + "' has a negative dim");
    if (d != 0 && n > (INT64_MAX / d))
      return err("tensor '" + t.name() + "' is too large");
    shape.push_back(d);
    n *= d;
  }
  auto type = RankedTensorType::get(shape, elt);
  if (t.has_segment())
    return err("tensor '" + t.name() + "' is segmented (unsupported)");

  if (t.data_type() == DT::TensorProto_DataType_STRING) {
    if (t.string_data_size() != n)
      return err("tensor '" + t.name() + "' has " +
                 llvm::Twine(t.string_data_size()) + " strings; expected " +
                 llvm::Twine(n));
    SmallVector<StringRef> strs(t.string_data().begin(),
                                t.string_data().end());
    return cast<ElementsAttr>(DenseStringElementsAttr::get(type, strs));
  }

  unsigned bits = storageBits(t.data_type());
  if (!bits)
    bits = elt.getIntOrFloatBitWidth();
  uint64_t expectBytes = ((uint64_t)n * bits + 7) / 8;

  // The bytes: moved out of raw_data, mapped from external data, or packed
  // from the typed fields.
  std::unique_ptr<BufferOwner> mapped;
  std::unique_ptr<std::string> owned;
  ArrayRef<char> bytes;
  if (t.data_location() == pb::TensorProto::EXTERNAL) {
    auto buf = readExternal(t, baseDir);
    if (!buf)
      return buf.takeError();
    mapped = std::make_unique<BufferOwner>();
    mapped->buffer = std::move(*buf);
    bytes = ArrayRef<char>(mapped->buffer->getBufferStart(),
                           mapped->buffer->getBufferSize());
  } else if (t.has_raw_data()) {
    owned.reset(t.release_raw_data());
    bytes = ArrayRef<char>(owned->data(), owned->size());
  } else {
    auto packed = typedFieldBytes(t, n, bits);
    if (!packed)
      return packed.takeError();
    owned = std::make_unique<std::string>(std::move(*packed));
    bytes = ArrayRef<char>(owned->data(), owned->size());
  }
  if (bytes.size() != expectBytes)
    return err("tensor '" + t.name() + "' holds " + llvm::Twine(bytes.size()) +
               " bytes of data; its shape and " + dataTypeName(t.data_type()) +
               " need " + llvm::Twine(expectBytes));

  if (isSubByte(t.data_type()))
    return cast<ElementsAttr>(unpackSubByte(type, t.data_type(), bytes, n));
  if (elt.isInteger(1)) {
    SmallVector<bool> bools;
    for (char c : bytes)
      bools.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, bools));
  }
  if (bytes.size() <= kInlineLimit || n == 1)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, bytes));

  // Large: a blob that owns the bytes. Data must be aligned for its element
  // type; an unaligned external slice is copied once.
  size_t align = std::min<size_t>(16, std::max<size_t>(1, (bits + 7) / 8));
  if (!llvm::isAddrAligned(llvm::Align(align), bytes.data())) {
    owned = std::make_unique<std::string>(bytes.begin(), bytes.end());
    mapped.reset();
    bytes = ArrayRef<char>(owned->data(), owned->size());
  }
  AsmResourceBlob blob;
  if (owned) {
    blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        bytes, align,
        [keep = std::shared_ptr<std::string>(std::move(owned))](
            void *, size_t, size_t) {});
  } else {
    blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        bytes, align,
        [keep = std::shared_ptr<BufferOwner>(std::move(mapped))](
            void *, size_t, size_t) {});
  }
  std::string blobName = t.name().empty() ? std::string("tensor") : t.name();
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
}

} // namespace kiln::import
