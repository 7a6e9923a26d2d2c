//===- Npy.cpp - .npy reader and writer -----------------------------------===//
//
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// A magic string, a version, a header length, a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } and the data.
//
//===----------------------------------------------------------------------===//

#include "TensorFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace kiln::run;
using llvm::StringRef;

namespace {

llvm::Error fileError(StringRef path, const llvm::Twine &msg) {
  return llvm::createStringError(path + ": " + msg);
}

struct Descr {
  const char *code; // without the byte-order character
  kiln_dtype dtype;
};

constexpr Descr kDescrs[] = {
    {"f4", KILN_DTYPE_FLOAT32}, {"f8", KILN_DTYPE_FLOAT64},
    {"f2", KILN_DTYPE_FLOAT16}, {"i1", KILN_DTYPE_INT8},
    {"i2", KILN_DTYPE_INT16},   {"i4", KILN_DTYPE_INT32},
    {"i8", KILN_DTYPE_INT64},   {"u1", KILN_DTYPE_UINT8},
    {"u2", KILN_DTYPE_UINT16},  {"u4", KILN_DTYPE_UINT32},
    {"u8", KILN_DTYPE_UINT64},  {"b1", KILN_DTYPE_BOOL},
};

/// A tiny parser for the header's dict literal.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : s(text) {}

  llvm::Error parse(std::string &descr, bool &fortran,
                    std::vector<int64_t> &shape) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    if (!consume('{'))
      return err("expected '{'");
    while (!peek('}')) {
      std::string key;
      if (!parseString(key))
        return err("expected a quoted key");
      if (!consume(':'))
        return err("expected ':' after '" + key + "'");
      if (key == "descr") {
        if (peek('['))
          return err("structured dtypes are not supported");
        if (!parseString(descr))
          return err("expected a string for 'descr'");
        haveDescr = true;
      } else if (key == "fortran_order") {
        skipSpace();
        if (s.consume_front("True"))
          fortran = true;
        else if (s.consume_front("False"))
          fortran = false;
        else
          return err("expected True or False for 'fortran_order'");
        haveFortran = true;
      } else if (key == "shape") {
        if (llvm::Error e = parseShape(shape))
          return e;
        haveShape = true;
      } else {
        return err("unexpected key '" + key + "'");
      }
      if (!consume(',') && !peek('}'))
        return err("expected ',' or '}'");
    }
    if (!haveDescr || !haveFortran || !haveShape)
      return err("missing 'descr', 'fortran_order' or 'shape'");
    return llvm::Error::success();
  }

private:
  llvm::Error err(const llvm::Twine &msg) {
    return llvm::createStringError("bad .npy header: " + msg);
  }
  void skipSpace() { s = s.ltrim(" \t\n\r"); }
  bool peek(char c) {
    skipSpace();
    return s.starts_with(StringRef(&c, 1));
  }
  bool consume(char c) {
    skipSpace();
    return s.consume_front(StringRef(&c, 1));
  }
  bool parseString(std::string &out) {
    skipSpace();
    if (s.empty() || (s[0] != '\'' && s[0] != '"'))
      return false;
    char q = s[0];
    size_t end = s.find(q, 1);
    if (end == StringRef::npos)
      return false;
    out = s.substr(1, end - 1).str();
    s = s.drop_front(end + 1);
    return true;
  }
  llvm::Error parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return err("expected '(' for 'shape'");
    while (!peek(')')) {
      skipSpace();
      size_t len = 0;
      while (len < s.size() && llvm::isDigit(s[len]))
        ++len;
      int64_t v;
      if (len == 0 || len > 18 || s.substr(0, len).getAsInteger(10, v))
        return err("bad dimension in 'shape'");
      shape.push_back(v);
      s = s.drop_front(len);
      skipSpace();
      if (s.consume_front("L")) // Python 2 longs
        skipSpace();
      if (!consume(',') && !peek(')'))
        return err("expected ',' or ')' in 'shape'");
    }
    consume(')');
    return llvm::Error::success();
  }

  StringRef s;
};

} // namespace

llvm::Expected<HostTensor> kiln::run::readNpy(StringRef path,
                                              kiln_dtype modelDtype) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return fileError(path, buf.getError().message());
  StringRef bytes = (*buf)->getBuffer();
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fileError(path, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen =
        static_cast<unsigned char>(bytes[8]) |
        (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fileError(path, "truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i]))
                   << (8 * i);
    offset = 12;
  } else {
    return fileError(path,
                     llvm::formatv("unsupported .npy version {0}", major));
  }
  if (bytes.size() - offset < headerLen)
    return fileError(path, "truncated .npy header");
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  if (llvm::Error e = HeaderParser(bytes.substr(offset, headerLen))
                          .parse(descr, fortran, shape))
    return fileError(path, llvm::toString(std::move(e)));
  if (fortran)
    return fileError(path, "Fortran-order arrays are not supported (save a "
                           "C-contiguous array, e.g. np.ascontiguousarray)");

  StringRef code(descr);
  if (code == "?")
    code = "|b1";
  char order = code.empty() ? '?' : code[0];
  if (order == '>' && !(code.size() == 3 && code[2] == '1'))
    return fileError(path,
                     "big-endian data ('" + descr + "') is not supported");
  if (order == '<' || order == '|' || order == '=' || order == '>')
    code = code.drop_front();
  StringRef data = bytes.drop_front(offset + headerLen);
  // numpy has no dtype for the float8/float4/int4/int2 types; ml_dtypes
  // arrays are saved as opaque 'V<itemsize>' records holding one element's
  // bits each (int4 unpacked, one per byte).
  size_t modelBits = kiln_dtype_bits(modelDtype);
  if (code.consume_front("V")) {
    unsigned itemSize = 0;
    if (!modelDtype || code.getAsInteger(10, itemSize) ||
        itemSize != (modelBits + 7) / 8 || itemSize > 4)
      return fileError(
          path, "numpy dtype '" + descr + "' does not match " +
                    (modelDtype ? kiln_dtype_name(modelDtype) : "any dtype"));
    auto t = HostTensor::create(modelDtype, shape);
    if (!t)
      return fileError(path, llvm::toString(t.takeError()));
    size_t want = static_cast<size_t>(t->numElements()) * itemSize;
    if (data.size() != want)
      return fileError(path, llvm::formatv("expected {0} bytes of data for "
                                           "shape {1} {2}, found {3}",
                                           want, formatShape(shape), descr,
                                           data.size()));
    uint32_t mask = modelBits >= 32 ? ~0u : (1u << modelBits) - 1;
    for (int64_t i = 0; i < t->numElements(); ++i) {
      uint32_t v = 0;
      std::memcpy(&v, data.data() + i * itemSize, itemSize);
      t->setBits(i, v & mask);
    }
    return t;
  }
  kiln_dtype dtype = static_cast<kiln_dtype>(0);
  for (const Descr &d : kDescrs)
    if (code == d.code)
      dtype = d.dtype;
  if (dtype == 0)
    return fileError(path, "unsupported numpy dtype '" + descr + "'");

  // Types numpy cannot hold come as values of a wider type: float32/float64
  // for bfloat16, float8 and float4; integers for int4/uint4/int2/uint2.
  kiln_dtype target = dtype;
  if (modelDtype && modelDtype != dtype &&
      ((isFloatType(modelDtype) && modelBits <= 16 &&
        modelDtype != KILN_DTYPE_FLOAT16 &&
        (dtype == KILN_DTYPE_FLOAT32 || dtype == KILN_DTYPE_FLOAT64)) ||
       (isPackedType(modelDtype) && !isFloatType(modelDtype) &&
        !isFloatType(dtype) && dtype != KILN_DTYPE_BOOL)))
    target = modelDtype;
  auto t = HostTensor::create(target, shape);
  if (!t)
    return fileError(path, llvm::toString(t.takeError()));
  auto file = HostTensor::create(dtype, shape);
  if (!file)
    return fileError(path, llvm::toString(file.takeError()));
  size_t want = file->numBytes();
  if (data.size() != want)
    return fileError(path, llvm::formatv("expected {0} bytes of data for "
                                         "shape {1} {2}, found {3}",
                                         want, formatShape(shape), descr,
                                         data.size()));
  if (target == dtype) {
    if (want)
      std::memcpy(t->data(), data.data(), want);
  } else {
    if (want)
      std::memcpy(file->data(), data.data(), want);
    for (int64_t i = 0; i < t->numElements(); ++i)
      t->setDouble(i, file->getDouble(i));
  }
  return t;
}

llvm::Error kiln::run::writeNpy(StringRef path, const HostTensor &t) {
  // Types numpy has no dtype for are written as values: float32 for
  // bfloat16/float8/float4, int8/uint8 for int4/int2 and uint4/uint2.
  const char *code = nullptr;
  kiln_dtype fileType = t.dtype();
  if (isFloatType(t.dtype()) && kiln_dtype_bits(t.dtype()) <= 16 &&
      t.dtype() != KILN_DTYPE_FLOAT16)
    fileType = KILN_DTYPE_FLOAT32;
  else if (t.dtype() == KILN_DTYPE_INT4 || t.dtype() == KILN_DTYPE_INT2)
    fileType = KILN_DTYPE_INT8;
  else if (t.dtype() == KILN_DTYPE_UINT4 || t.dtype() == KILN_DTYPE_UINT2)
    fileType = KILN_DTYPE_UINT8;
  for (const Descr &d : kDescrs)
    if (d.dtype == fileType)
      code = d.code;
  if (!code)
    return fileError(path, llvm::formatv("cannot write dtype {0}",
                                         kiln_dtype_name(t.dtype())));
  std::string shape = "(";
  for (int64_t d : t.shape())
    shape += std::to_string(d) + ", ";
  if (t.shape().size() > 1)
    shape.resize(shape.size() - 2);
  else if (t.shape().size() == 1)
    shape.resize(shape.size() - 1); // "(3,)"
  shape += ")";
  bool oneByte = kiln_dtype_size(fileType) == 1;
  std::string header =
      (llvm::Twine("{'descr': '") + (oneByte ? "|" : "<") + code +
       "', 'fortran_order': False, 'shape': " + shape + ", }")
          .str();
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  bool v2 = header.size() + 1 + 10 > 65535;
  size_t prefix = v2 ? 12 : 10;
  size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fileError(path, ec.message());
  os << "\x93NUMPY" << static_cast<char>(v2 ? 2 : 1) << '\0';
  size_t len = header.size();
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i)
    os << static_cast<char>((len >> (8 * i)) & 0xff);
  os << header;
  if (fileType != t.dtype()) {
    auto converted = HostTensor::create(fileType, t.shape());
    if (!converted)
      return fileError(path, llvm::toString(converted.takeError()));
    for (int64_t i = 0; i < t.numElements(); ++i)
      converted->setDouble(i, t.getDouble(i));
    os.write(static_cast<const char *>(converted->data()),
             converted->numBytes());
  } else {
    os.write(static_cast<const char *>(t.data()), t.numBytes());
  }
  os.close();
  if (os.has_error()) {
    std::error_code err = os.error();
    os.clear_error();
    return fileError(path, "write failed: " + err.message());
  }
  return llvm::Error::success();
}

llvm::Expected<HostTensor> kiln::run::readTensorFile(StringRef path,
                                                     kiln_dtype modelDtype) {
  if (path.ends_with_insensitive(".npy"))
    return readNpy(path, modelDtype);
  if (path.ends_with_insensitive(".pb"))
    return readTensorProto(path);
  return fileError(path, "unknown file type (expected .npy or .pb)");
}
