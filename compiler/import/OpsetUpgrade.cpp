//===- OpsetUpgrade.cpp - old operator versions -> newest form -------------===//
//
// The onnx dialect holds each operator in the form of its newest version.
// Nodes from older opsets are rewritten here: attributes that later became
// inputs turn into constant inputs, and operators whose meaning changed are
// re-expressed with current ones. Also builds the op from the upgraded node,
// converting attributes to the kinds the op declares.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/ImporterImpl.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace kiln::import {

namespace {
llvm::Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

enum class AttrKind {
  INT,
  FLOAT,
  STRING,
  INTS,
  FLOATS,
  STRINGS,
  TENSOR,
  SPARSE_TENSOR,
  GRAPH,
  TYPE_PROTO,
  TENSORS,
  TYPE_PROTOS,
};

struct AttrInfo {
  std::string mlirName;
  AttrKind kind;
  bool optionalGraph = false;
};

/// Attribute names and kinds per op, from the generated schema table.
const llvm::StringMap<llvm::StringMap<AttrInfo>> &attrTable() {
  static const auto table = [] {
    llvm::StringMap<llvm::StringMap<AttrInfo>> t;
#define KILN_ONNX_MAX_OPSET(N)
#define KILN_ONNX_MAX_IR_VERSION(N)
#define KILN_ONNX_OP(NAME, VERS, ...) t[#NAME];
#define KILN_ONNX_ATTR(OP, NAME, MLIR_NAME, KIND)                              \
  t[#OP][NAME] = AttrInfo{MLIR_NAME, AttrKind::KIND};
#define KILN_ONNX_OPTIONAL_GRAPH(OP, NAME) t[#OP][NAME].optionalGraph = true;
#include "dialects/onnx/ONNXSchemaInfo.inc"
    return t;
  }();
  return table;
}

Value constI64(OpBuilder &b, Location loc, ArrayRef<int64_t> v,
               bool scalar = false) {
  return onnx::createConstant(b, loc, makeI64Tensor(b.getContext(), v, scalar))
      .getResult();
}

/// A scalar constant of the element type of `like` holding `v`.
Value constScalarLike(OpBuilder &b, Location loc, Value like, double v) {
  Type elt = onnx::getElementTypeOrNull(like.getType());
  auto type = RankedTensorType::get({}, elt);
  Attribute a;
  if (auto ft = dyn_cast<FloatType>(elt))
    a = DenseElementsAttr::get(type, FloatAttr::get(ft, v).getValue());
  else
    a = DenseElementsAttr::get(
        type, APInt(elt.getIntOrFloatBitWidth(), (int64_t)v, true));
  return onnx::createConstant(b, loc, cast<ElementsAttr>(a)).getResult();
}

/// Moves the INTS attribute `name` (if present) to input `index` as an i64
/// constant, padding skipped optional inputs with null.
void intsAttrToInput(NodeState &n, OpBuilder &b, Location loc, StringRef name,
                     unsigned index) {
  const pb::AttributeProto *a = n.attr(name);
  if (!a)
    return;
  SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
  if (n.inputs.size() <= index)
    n.inputs.resize(index + 1);
  n.inputs[index] = constI64(b, loc, v);
  n.dropAttr(name);
}

Type unrankedLike(Value v) {
  return UnrankedTensorType::get(onnx::getElementTypeOrNull(v.getType()));
}
} // namespace

const pb::AttributeProto *NodeState::attr(StringRef name) const {
  for (const pb::AttributeProto *a : attrs)
    if (a->name() == name)
      return a;
  return nullptr;
}

void NodeState::dropAttr(StringRef name) {
  llvm::erase_if(attrs, [&](const pb::AttributeProto *a) {
    return a->name() == name;
  });
}

void NodeState::setIntAttr(StringRef name, int64_t v) {
  dropAttr(name);
  auto a = std::make_unique<pb::AttributeProto>();
  a->set_name(name.str());
  a->set_type(pb::AttributeProto::INT);
  a->set_i(v);
  attrs.push_back(a.get());
  owned.push_back(std::move(a));
}

void NodeState::setStringAttr(StringRef name, StringRef v) {
  dropAttr(name);
  auto a = std::make_unique<pb::AttributeProto>();
  a->set_name(name.str());
  a->set_type(pb::AttributeProto::STRING);
  a->set_s(v.str());
  attrs.push_back(a.get());
  owned.push_back(std::move(a));
}

llvm::Error upgradeNode(NodeState &n, OpBuilder &b, Location loc) {
  StringRef op = n.opType;
  int64_t v = n.version;
  static const llvm::StringSet<> reduce18 = {
      "ReduceMax", "ReduceMin", "ReduceMean", "ReduceProd", "ReduceL1",
      "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};
  if ((reduce18.contains(op) && v < 18) || (op == "ReduceSum" && v < 13)) {
    intsAttrToInput(n, b, loc, "axes", 1);
  } else if ((op == "Squeeze" || op == "Unsqueeze") && v < 13) {
    intsAttrToInput(n, b, loc, "axes", 1);
  } else if (op == "Split" && v < 13) {
    intsAttrToInput(n, b, loc, "split", 1);
  } else if (op == "Slice" && v < 10) {
    intsAttrToInput(n, b, loc, "starts", 1);
    intsAttrToInput(n, b, loc, "ends", 2);
    intsAttrToInput(n, b, loc, "axes", 3);
  } else if (op == "TopK" && v < 10) {
    if (const pb::AttributeProto *k = n.attr("k")) {
      n.inputs.resize(2);
      n.inputs[1] = constI64(b, loc, {k->i()});
      n.dropAttr("k");
    }
  } else if (op == "Pad" && v < 11) {
    const pb::AttributeProto *pads = n.attr("pads");
    if (!pads)
      pads = n.attr("paddings");
    if (pads) {
      SmallVector<int64_t> p(pads->ints().begin(), pads->ints().end());
      n.inputs.resize(3);
      n.inputs[1] = constI64(b, loc, p);
      const pb::AttributeProto *value = n.attr("value");
      n.inputs[2] =
          constScalarLike(b, loc, n.inputs[0], value ? value->f() : 0.0);
      n.dropAttr("pads");
      n.dropAttr("paddings");
      n.dropAttr("value");
    }
  } else if (op == "Clip" && v < 11) {
    const pb::AttributeProto *mn = n.attr("min"), *mx = n.attr("max");
    n.inputs.resize(3);
    if (mn)
      n.inputs[1] = constScalarLike(b, loc, n.inputs[0], mn->f());
    if (mx)
      n.inputs[2] = constScalarLike(b, loc, n.inputs[0], mx->f());
    n.dropAttr("min");
    n.dropAttr("max");
  } else if (op == "Dropout" && v < 12) {
    if (const pb::AttributeProto *r = n.attr("ratio")) {
      auto type = RankedTensorType::get({}, b.getF32Type());
      n.inputs.resize(2);
      n.inputs[1] = onnx::createConstant(
                        b, loc,
                        cast<ElementsAttr>(DenseElementsAttr::get(
                            type, APFloat((float)r->f()))))
                        .getResult();
    }
    n.dropAttr("ratio");
    n.dropAttr("is_test");
  } else if (op == "Upsample" || (op == "Resize" && v < 11)) {
    // Upsample (7, 9) and Resize-10 are Resize with asymmetric coordinates.
    Value scales;
    if (const pb::AttributeProto *s = n.attr("scales")) {
      SmallVector<float> f(s->floats().begin(), s->floats().end());
      auto type = RankedTensorType::get({(int64_t)f.size()}, b.getF32Type());
      scales = onnx::createConstant(
                   b, loc,
                   cast<ElementsAttr>(
                       DenseElementsAttr::get(type, ArrayRef<float>(f))))
                   .getResult();
      n.dropAttr("scales");
    } else if (n.inputs.size() > 1) {
      scales = n.inputs[1];
    }
    if (!scales)
      return err("has no scales");
    n.inputs = {n.inputs[0], Value(), scales};
    n.opType = "Resize";
    n.setStringAttr("coordinate_transformation_mode", "asymmetric");
    if (const pb::AttributeProto *mode = n.attr("mode")) {
      std::string m = mode->s();
      if (m == "bilinear" || m == "trilinear")
        n.setStringAttr("mode", "linear");
      if (m == "nearest")
        n.setStringAttr("nearest_mode", "floor");
    } else {
      n.setStringAttr("nearest_mode", "floor");
    }
  } else if (op == "DFT" && v < 20) {
    // DFT-17's axis attribute (default 1) became an input.
    const pb::AttributeProto *a = n.attr("axis");
    n.inputs.resize(3);
    n.inputs[2] = constI64(b, loc, {a ? a->i() : 1}, /*scalar=*/true);
    n.dropAttr("axis");
  } else if (op == "Scan" && v < 9) {
    return err("Scan-8 (batched form with sequence_lens) is not supported; "
               "use opset >= 9");
  } else if (op == "Scatter") {
    n.opType = "ScatterElements";
  } else if ((op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") &&
             v < 13) {
    // Before 13 these coerced the input to 2-D at `axis` (default 1):
    // Reshape(op(Flatten(x, axis), axis=1), Shape(x)).
    const pb::AttributeProto *a = n.attr("axis");
    int64_t axis = a ? a->i() : 1;
    Value x = n.inputs[0];
    auto make = [&](StringRef name, ValueRange operands, Type type,
                    ArrayRef<NamedAttribute> attrs = {}) {
      OperationState st(loc, ("onnx." + name).str());
      st.addOperands(operands);
      st.addAttributes(attrs);
      st.addTypes(type);
      return b.create(st)->getResult(0);
    };
    Type t = unrankedLike(x);
    Value shape = make("Shape", x, UnrankedTensorType::get(b.getI64Type()));
    Value flat = make("Flatten", x, t,
                      {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
    Value y = make(op, flat, t,
                   {b.getNamedAttr("axis", b.getI64IntegerAttr(1))});
    n.replacement = {make("Reshape", {y, shape}, t)};
  }
  return llvm::Error::success();
}

namespace {
llvm::Expected<Attribute> convertAttr(OpBuilder &b, const pb::AttributeProto &a,
                                      AttrKind kind) {
  using AP = pb::AttributeProto;
  auto mismatch = [&](StringRef expected) {
    return err("attribute '" + a.name() + "' has type " +
               AP::AttributeType_Name(a.type()) + "; expected " + expected);
  };
  switch (kind) {
  case AttrKind::INT:
    if (a.type() == AP::INT)
      return Attribute(b.getI64IntegerAttr(a.i()));
    return mismatch("INT");
  case AttrKind::FLOAT:
    if (a.type() == AP::FLOAT)
      return Attribute(b.getF32FloatAttr(a.f()));
    if (a.type() == AP::INT) // producers sometimes write 0 for 0.0
      return Attribute(b.getF32FloatAttr((float)a.i()));
    return mismatch("FLOAT");
  case AttrKind::STRING:
    if (a.type() == AP::STRING)
      return Attribute(b.getStringAttr(a.s()));
    return mismatch("STRING");
  case AttrKind::INTS:
    if (a.type() == AP::INTS || (a.type() == AP::UNDEFINED && !a.ints_size()))
      return Attribute(b.getDenseI64ArrayAttr(
          SmallVector<int64_t>(a.ints().begin(), a.ints().end())));
    if (a.type() == AP::INT)
      return Attribute(b.getDenseI64ArrayAttr({a.i()}));
    return mismatch("INTS");
  case AttrKind::FLOATS:
    if (a.type() == AP::FLOATS)
      return Attribute(b.getDenseF32ArrayAttr(
          SmallVector<float>(a.floats().begin(), a.floats().end())));
    return mismatch("FLOATS");
  case AttrKind::STRINGS: {
    if (a.type() != AP::STRINGS)
      return mismatch("STRINGS");
    SmallVector<StringRef> s(a.strings().begin(), a.strings().end());
    return Attribute(b.getStrArrayAttr(s));
  }
  default:
    return err("attribute '" + a.name() + "' of type " +
               AP::AttributeType_Name(a.type()) + " is not supported here");
  }
}
} // namespace

llvm::Expected<Operation *> buildONNXOp(OpBuilder &b, Location loc,
                                        NodeState &n,
                                        ArrayRef<Type> resultTypes,
                                        ArrayRef<NamedAttribute> extraAttrs,
                                        unsigned numRegions) {
  std::string opName = "onnx." + n.opType;
  auto it = attrTable().find(n.opType);
  if (it == attrTable().end())
    return err("unsupported operator '" + n.opType + "'");
  OperationState state(loc, opName);
  Value none;
  for (Value v : n.inputs) {
    if (!v) {
      if (!none)
        none = onnx::NoneOp::create(b, loc).getResult();
      v = none;
    }
    state.addOperands(v);
  }
  for (const pb::AttributeProto *a : n.attrs) {
    auto info = it->second.find(a->name());
    if (info == it->second.end())
      return err("unknown attribute '" + a->name() + "' for " + n.opType +
                 " (opset version " + llvm::Twine(n.version) + ")");
    // Tensors, graphs and types are converted by the caller (it owns the
    // proto and the regions); here they arrive pre-converted.
    AttrKind kind = info->second.kind;
    if (kind == AttrKind::GRAPH || kind == AttrKind::TENSOR ||
        kind == AttrKind::SPARSE_TENSOR || kind == AttrKind::TYPE_PROTO)
      continue;
    auto attr = convertAttr(b, *a, kind);
    if (!attr)
      return attr.takeError();
    state.addAttribute(info->second.mlirName, *attr);
  }
  state.addAttributes(extraAttrs);
  state.addTypes(resultTypes);
  for (unsigned i = 0; i < numRegions; ++i)
    state.addRegion();
  return b.create(state);
}

std::optional<std::string> lookupAttr(StringRef opType, StringRef name) {
  auto it = attrTable().find(opType);
  if (it == attrTable().end())
    return std::nullopt;
  auto info = it->second.find(name);
  if (info == it->second.end())
    return std::nullopt;
  return info->second.mlirName;
}

SmallVector<std::string> graphAttrNames(StringRef opType) {
  SmallVector<std::string> out;
  auto it = attrTable().find(opType);
  if (it == attrTable().end())
    return out;
  for (const auto &kv : it->second)
    if (kv.second.kind == AttrKind::GRAPH)
      out.push_back(kv.first().str());
  llvm::sort(out);
  return out;
}

bool isOptionalGraphAttr(StringRef opType, StringRef name) {
  auto it = attrTable().find(opType);
  if (it == attrTable().end())
    return false;
  auto info = it->second.find(name);
  return info != it->second.end() && info->second.optionalGraph;
}

} // namespace kiln::import
