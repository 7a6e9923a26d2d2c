//===- ONNXDialect.cpp - the onnx dialect ---------------------------------===//
#include "dialects/onnx/ONNXDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln::onnx;

#include "dialects/onnx/ONNXOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/onnx/ONNXOpsTypes.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/ONNXOps.cpp.inc"

void ONNXDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/onnx/ONNXOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/onnx/ONNXOps.cpp.inc"
      >();
}

Operation *ONNXDialect::materializeConstant(OpBuilder &builder,
                                            Attribute value, Type type,
                                            Location loc) {
  if (isa<NoneType>(type))
    return NoneOp::create(builder, loc);
  if (auto elements = dyn_cast<ElementsAttr>(value))
    if (elements.getType() == type)
      return createConstant(builder, loc, elements);
  return nullptr;
}

OpFoldResult NoneOp::fold(FoldAdaptor) { return UnitAttr::get(getContext()); }

namespace {
constexpr int kGroupEnd = 1 << 20;
constexpr int kListEnd = kGroupEnd + 1;

struct SchemaTable {
  llvm::StringMap<llvm::SmallVector<int64_t, 8>> versions;
  llvm::StringMap<llvm::SmallVector<llvm::SmallVector<int>>> groups;
  llvm::StringMap<llvm::StringRef> domains;
  SchemaTable() {
#define KILN_ONNX_MAX_OPSET(N)
#define KILN_ONNX_MAX_IR_VERSION(N)
#define KILN_ONNX_OP(NAME, VERS, ...)                                          \
  add(#NAME, VERS);                                                            \
  addGroups(#NAME, {__VA_ARGS__});
#define KILN_ONNX_DOMAIN(NAME, DOMAIN) domains[#NAME] = DOMAIN;
#include "dialects/onnx/ONNXSchemaInfo.inc"
  }
  void addGroups(llvm::StringRef name, std::initializer_list<int> flat) {
    auto &list = groups[name];
    llvm::SmallVector<int> cur;
    for (int v : flat) {
      if (v == kListEnd)
        break;
      if (v == kGroupEnd) {
        list.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(v);
      }
    }
  }
  void add(llvm::StringRef name, llvm::StringRef vers) {
    llvm::SmallVector<llvm::StringRef> parts;
    vers.split(parts, ',');
    auto &list = versions[name];
    for (llvm::StringRef p : parts) {
      int64_t v = 0;
      if (!p.trim().getAsInteger(10, v))
        list.push_back(v);
    }
  }
};
const SchemaTable &schemaTable() {
  static const SchemaTable table;
  return table;
}
} // namespace

int64_t kiln::onnx::maxSupportedOpset() {
#define KILN_ONNX_MAX_OPSET(N) return N;
#define KILN_ONNX_MAX_IR_VERSION(N)
#define KILN_ONNX_OP(NAME, VERS, ...)
#include "dialects/onnx/ONNXSchemaInfo.inc"
}

int64_t kiln::onnx::maxSupportedIRVersion() {
#define KILN_ONNX_MAX_OPSET(N)
#define KILN_ONNX_MAX_IR_VERSION(N) return N;
#define KILN_ONNX_OP(NAME, VERS, ...)
#include "dialects/onnx/ONNXSchemaInfo.inc"
}

llvm::ArrayRef<int64_t> kiln::onnx::schemaVersions(llvm::StringRef name) {
  const auto &t = schemaTable().versions;
  auto it = t.find(name);
  if (it == t.end())
    return {};
  return it->second;
}

llvm::StringRef kiln::onnx::schemaDomain(llvm::StringRef name) {
  const auto &t = schemaTable().domains;
  auto it = t.find(name);
  return it == t.end() ? llvm::StringRef() : it->second;
}

llvm::ArrayRef<llvm::SmallVector<int>>
kiln::onnx::typeGroups(llvm::StringRef name) {
  const auto &t = schemaTable().groups;
  auto it = t.find(name);
  if (it == t.end())
    return {};
  return it->second;
}

int64_t kiln::onnx::schemaVersionFor(llvm::StringRef name, int64_t opset) {
  int64_t found = 0;
  for (int64_t v : schemaVersions(name))
    if (v <= opset)
      found = v;
  return found;
}

Type kiln::onnx::getElementTypeOrNull(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType();
  if (auto seq = dyn_cast<SeqType>(type))
    return getElementTypeOrNull(seq.getElementType());
  if (auto opt = dyn_cast<OptType>(type))
    return getElementTypeOrNull(opt.getElementType());
  return nullptr;
}

ConstantOp kiln::onnx::createConstant(OpBuilder &builder, Location loc,
                                      ElementsAttr value) {
  OperationState state(loc, ConstantOp::getOperationName());
  state.addAttribute(ConstantOp::getValueAttrName(state.name), value);
  state.addTypes(value.getType());
  return cast<ConstantOp>(builder.create(state));
}

StringRef kiln::onnx::getNodeName(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("onnx.node"))
    return name.getValue();
  return "";
}
