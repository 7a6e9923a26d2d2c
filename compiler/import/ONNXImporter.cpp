//===- ONNXImporter.cpp - ONNX ModelProto -> onnx dialect -----------------===//
#include "compiler/import/ImporterImpl.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/stubs/logging.h>
#include <unistd.h>

using namespace mlir;

namespace kiln::import {
namespace {

llvm::Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

enum class Opt { Single, Optional, Variadic };

struct Arity {
  SmallVector<Opt> inputs, outputs;
  SmallVector<int> outSource;         // input sharing the type constraint
  SmallVector<std::string> outFixed;  // the one element type allowed
};

const llvm::StringMap<Arity> &arityTable() {
  static const auto table = [] {
    llvm::StringMap<Arity> t;
#define KILN_ONNX_MAX_OPSET(N)
#define KILN_ONNX_MAX_IR_VERSION(N)
#define KILN_ONNX_OP(NAME, VERS, ...) t[#NAME];
#define KILN_ONNX_INPUT(OP, INDEX, OPTION)                                     \
  t[#OP].inputs.push_back(Opt::OPTION);
#define KILN_ONNX_RESULT(OP, INDEX, SOURCE, FIXED, OPTION)                     \
  t[#OP].outputs.push_back(Opt::OPTION);                                       \
  t[#OP].outSource.push_back(SOURCE);                                          \
  t[#OP].outFixed.push_back(FIXED);
#include "dialects/onnx/ONNXSchemaInfo.inc"
    return t;
  }();
  return table;
}

/// ONNX type-string element names ("float", "int64") -> MLIR types.
Type elementTypeFromName(StringRef name, MLIRContext *ctx) {
  static const llvm::StringMap<int32_t> names = {
      {"float", 1},         {"uint8", 2},         {"int8", 3},
      {"uint16", 4},        {"int16", 5},         {"int32", 6},
      {"int64", 7},         {"string", 8},        {"bool", 9},
      {"float16", 10},      {"double", 11},       {"uint32", 12},
      {"uint64", 13},       {"complex64", 14},    {"complex128", 15},
      {"bfloat16", 16},     {"float8e4m3fn", 17}, {"float8e4m3fnuz", 18},
      {"float8e5m2", 19},   {"float8e5m2fnuz", 20}, {"uint4", 21},
      {"int4", 22},         {"float4e2m1", 23},   {"float8e8m0", 24},
      {"uint2", 25},        {"int2", 26}};
  auto it = names.find(name);
  return it == names.end() ? Type() : convertDataType(it->second, ctx);
}

/// A value that might be a tensor type; used to make result types unranked.
Type unranked(Type elt) { return UnrankedTensorType::get(elt); }

class Importer {
public:
  Importer(MLIRContext *ctx, std::string baseDir, std::string fileName,
           const ImportOptions &options)
      : ctx(ctx), b(ctx), baseDir(std::move(baseDir)),
        fileName(std::move(fileName)), options(options) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run(pb::ModelProto &model);

private:
  llvm::Expected<Type> convertType(const pb::TypeProto &t,
                                   StringRef valueName);
  llvm::Error importGraphBody(pb::GraphProto &g);
  llvm::Error importNode(pb::NodeProto &node);
  llvm::Expected<SmallVector<Type>> resultTypes(const pb::NodeProto &node,
                                                NodeState &n,
                                                const Arity &arity,
                                                ArrayRef<NamedAttribute> attrs,
                                                Operation *regionsHolder);
  llvm::Error importSubgraph(pb::GraphProto &g, Region &region,
                             ArrayRef<Type> fallbackInputs,
                             StringRef nodeDesc);
  Location nodeLoc(const pb::NodeProto &node);
  std::string describe(const pb::NodeProto &node) const;

  Value lookup(StringRef name) const {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end())
        return f->second;
    }
    return nullptr;
  }
  bool isDefined(StringRef name) const { return (bool)lookup(name); }

  /// Applies a declared (value_info / graph output) type to a value whose
  /// type is less precise, when the element types agree.
  void refineFromValueInfo(Value v, StringRef name);

  /// One tensor argument of @main.
  struct FlatArg {
    std::string name;
    Type type;
    /// The graph input when the argument is a plain tensor input.
    const pb::ValueInfoProto *tensorInput = nullptr;
  };
  /// Appends the tensor arguments that carry graph input `name` of type `t`:
  /// a tensor is one argument (its shape from --input-shape), a sequence of
  /// length N (--sequence-length) is the arguments of its elements, named
  /// `name[i]`, an optional is those of its element, or none when absent
  /// (--absent-input).
  llvm::Error flattenInput(const std::string &name, Type t,
                           const pb::ValueInfoProto *in,
                           SmallVector<FlatArg> &flat);
  /// Rebuilds the value of a flattened input from the arguments of `entry`,
  /// starting at `next`, in the order flattenInput appended them.
  Value rebuildInput(const std::string &name, Type t, Block *entry,
                     unsigned &next);
  llvm::StringSet<> usedLengths, usedAbsent; // names the options applied to

  MLIRContext *ctx;
  OpBuilder b;
  std::string baseDir, fileName;
  const ImportOptions &options;
  int64_t opset = 0;
  /// Opsets the model imports for the other domains Kiln knows ops of.
  llvm::StringMap<int64_t> domainOpsets;
  int64_t nodeCounter = 0;
  SmallVector<llvm::StringMap<Value>> scopes;
  SmallVector<llvm::StringMap<const pb::TypeProto *>> declared;
};

std::string Importer::describe(const pb::NodeProto &node) const {
  std::string name = node.name().empty() ? "<unnamed>" : node.name();
  std::string s = "node '" + name + "' (" + node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    s += ", domain '" + node.domain() + "'";
  return s + ")";
}

Location Importer::nodeLoc(const pb::NodeProto &node) {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + "_" + std::to_string(nodeCounter);
  return NameLoc::get(StringAttr::get(ctx, name),
                      FileLineColLoc::get(ctx, fileName, 0, 0));
}

llvm::Expected<Type> Importer::convertType(const pb::TypeProto &t,
                                           StringRef valueName) {
  if (t.has_tensor_type()) {
    const auto &tt = t.tensor_type();
    Type elt = convertDataType(tt.elem_type(), ctx);
    if (!elt)
      return err("value '" + valueName + "' has unsupported element type " +
                 dataTypeName(tt.elem_type()));
    if (!tt.has_shape())
      return Type(UnrankedTensorType::get(elt));
    SmallVector<int64_t> shape;
    for (const auto &d : tt.shape().dim()) {
      if (d.has_dim_value() && d.dim_value() >= 0) {
        shape.push_back(d.dim_value());
      } else if (d.has_dim_param() &&
                 options.dimParams.count(d.dim_param())) {
        shape.push_back(options.dimParams.at(d.dim_param()));
      } else {
        shape.push_back(ShapedType::kDynamic);
      }
    }
    return Type(RankedTensorType::get(shape, elt));
  }
  if (t.has_sparse_tensor_type())
    return err("value '" + valueName + "' is a sparse tensor (unsupported)");
  if (t.has_sequence_type()) {
    auto inner = convertType(t.sequence_type().elem_type(), valueName);
    if (!inner)
      return inner.takeError();
    return Type(onnx::SeqType::get(ctx, *inner));
  }
  if (t.has_optional_type()) {
    auto inner = convertType(t.optional_type().elem_type(), valueName);
    if (!inner)
      return inner.takeError();
    return Type(onnx::OptType::get(ctx, *inner));
  }
  if (t.has_map_type())
    return err("value '" + valueName + "' is a map (unsupported)");
  return err("value '" + valueName + "' has no type");
}

void Importer::refineFromValueInfo(Value v, StringRef name) {
  const pb::TypeProto *t = nullptr;
  for (auto it = declared.rbegin(); it != declared.rend() && !t; ++it) {
    auto f = it->find(name);
    if (f != it->end())
      t = f->second;
  }
  if (!t || !isa<UnrankedTensorType>(v.getType()))
    return;
  auto converted = convertType(*t, name);
  if (!converted) {
    llvm::consumeError(converted.takeError());
    return;
  }
  auto ranked = dyn_cast<RankedTensorType>(*converted);
  if (ranked && ranked.getElementType() ==
                    cast<TensorType>(v.getType()).getElementType())
    v.setType(ranked);
}

/// Names a subgraph uses from enclosing scopes (inputs of its nodes that it
/// does not define itself), recursively.
void collectOuterRefs(const pb::GraphProto &g, llvm::StringSet<> &out) {
  llvm::StringSet<> local;
  for (const auto &i : g.input())
    local.insert(i.name());
  for (const auto &i : g.initializer())
    local.insert(i.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      local.insert(o);
  auto use = [&](const std::string &name) {
    if (!name.empty() && !local.contains(name))
      out.insert(name);
  };
  for (const auto &n : g.node()) {
    for (const auto &i : n.input())
      use(i);
    for (const auto &a : n.attribute()) {
      llvm::StringSet<> inner;
      if (a.has_g())
        collectOuterRefs(a.g(), inner);
      for (const auto &sg : a.graphs())
        collectOuterRefs(sg, inner);
      for (const auto &kv : inner)
        use(kv.first().str());
    }
  }
  for (const auto &o : g.output())
    use(o.name());
}

llvm::Error Importer::importGraphBody(pb::GraphProto &g) {
  auto &scope = scopes.back();
  for (auto &init : *g.mutable_initializer()) {
    if (scope.count(init.name()))
      continue; // an input of the same name was already bound to it
    auto attr = importTensor(init, baseDir, ctx);
    if (!attr)
      return attr.takeError();
    Location loc = NameLoc::get(StringAttr::get(ctx, init.name()));
    scope[init.name()] = onnx::createConstant(b, loc, *attr).getResult();
  }
  // Nodes are topologically sorted in a valid model; tolerate models that
  // are not by importing each node once everything it reads is defined.
  size_t numNodes = g.node_size();
  std::vector<bool> done(numNodes, false);
  std::vector<SmallVector<std::string>> needs(numNodes);
  for (size_t i = 0; i < numNodes; ++i) {
    const auto &node = g.node(i);
    for (const auto &in : node.input())
      if (!in.empty())
        needs[i].push_back(in);
    llvm::StringSet<> outer;
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectOuterRefs(a.g(), outer);
      for (const auto &sg : a.graphs())
        collectOuterRefs(sg, outer);
    }
    for (const auto &kv : outer)
      needs[i].push_back(kv.first().str());
  }
  size_t remaining = numNodes;
  while (remaining) {
    bool progress = false;
    for (size_t i = 0; i < numNodes; ++i) {
      if (done[i] || !llvm::all_of(needs[i], [&](const std::string &n) {
            return isDefined(n);
          }))
        continue;
      if (auto e = importNode(*g.mutable_node(i)))
        return e;
      done[i] = true;
      --remaining;
      progress = true;
    }
    if (!progress)
      break;
  }
  if (remaining) {
    for (size_t i = 0; i < numNodes; ++i) {
      if (done[i])
        continue;
      for (const auto &n : needs[i])
        if (!isDefined(n))
          return err(describe(g.node(i)) + ": input '" + n +
                     "' is not produced by any node, initializer or graph "
                     "input" +
                     (remaining > 1 ? " (or the graph has a cycle)" : ""));
    }
  }
  return llvm::Error::success();
}

llvm::Error Importer::importSubgraph(pb::GraphProto &g, Region &region,
                                     ArrayRef<Type> fallbackInputs,
                                     StringRef nodeDesc) {
  Block *block = new Block();
  region.push_back(block);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(block);
  scopes.emplace_back();
  declared.emplace_back();
  for (const auto &vi : g.value_info())
    declared.back()[vi.name()] = &vi.type();
  for (const auto &vi : g.output())
    if (vi.has_type())
      declared.back()[vi.name()] = &vi.type();
  for (auto [i, in] : llvm::enumerate(g.input())) {
    Type t;
    if (in.has_type()) {
      auto converted = convertType(in.type(), in.name());
      if (!converted)
        return converted.takeError();
      t = *converted;
    }
    // Subgraph inputs may leave out types the enclosing op implies.
    if (i < fallbackInputs.size() && fallbackInputs[i] &&
        (!t || (isa<UnrankedTensorType>(t) &&
                onnx::getElementTypeOrNull(t) ==
                    onnx::getElementTypeOrNull(fallbackInputs[i]))))
      t = fallbackInputs[i];
    if (!t)
      return err(nodeDesc + ": subgraph input '" + in.name() +
                 "' has no type");
    scopes.back()[in.name()] = block->addArgument(t, b.getUnknownLoc());
  }
  if (auto e = importGraphBody(g))
    return e;
  SmallVector<Value> results;
  for (const auto &out : g.output()) {
    Value v = lookup(out.name());
    if (!v)
      return err(nodeDesc + ": subgraph output '" + out.name() +
                 "' is not defined");
    results.push_back(v);
  }
  onnx::YieldOp::create(b, b.getUnknownLoc(), results);
  scopes.pop_back();
  declared.pop_back();
  return llvm::Error::success();
}

llvm::Expected<SmallVector<Type>>
Importer::resultTypes(const pb::NodeProto &node, NodeState &n,
                      const Arity &arity, ArrayRef<NamedAttribute> attrs,
                      Operation *) {
  StringRef op = n.opType;
  auto inputElt = [&](size_t i) -> Type {
    if (i < n.inputs.size() && n.inputs[i])
      return onnx::getElementTypeOrNull(n.inputs[i].getType());
    return nullptr;
  };
  auto inputType = [&](size_t i) -> Type {
    if (i < n.inputs.size() && n.inputs[i])
      return n.inputs[i].getType();
    return nullptr;
  };
  auto dtypeAttr = [&](StringRef name, Type dflt) -> Type {
    if (const pb::AttributeProto *a = n.attr(name))
      return convertDataType(a->i(), ctx);
    return dflt;
  };
  auto tensorAttrElt = [&](StringRef name) -> Type {
    for (const NamedAttribute &a : attrs)
      if (a.getName() == name)
        if (auto e = dyn_cast<ElementsAttr>(a.getValue()))
          return e.getElementType();
    return nullptr;
  };

  // Number of results of each ODS result group.
  int numOut = node.output_size();
  SmallVector<Type> types;
  for (size_t k = 0; k < arity.outputs.size(); ++k) {
    Opt opt = arity.outputs[k];
    int count = 1;
    if (opt == Opt::Variadic)
      count = std::max(0, numOut - (int)k);
    for (int c = 0; c < count; ++c) {
      size_t idx = k + c;
      bool present = (int)idx < numOut && !node.output(idx).empty();
      if (opt == Opt::Optional && !present) {
        types.push_back(NoneType::get(ctx));
        continue;
      }
      Type elt;
      Type whole; // a full non-tensor type (sequences, optionals)
      if (op == "Cast") {
        elt = dtypeAttr("to", nullptr);
      } else if (op == "CastLike") {
        elt = inputElt(1);
      } else if (op == "Constant") {
        for (const NamedAttribute &a : attrs)
          if (auto e = dyn_cast<ElementsAttr>(a.getValue()))
            elt = e.getElementType();
      } else if (op == "ConstantOfShape") {
        elt = tensorAttrElt("value");
        if (!elt)
          elt = b.getF32Type();
      } else if (op == "LayerNormalization" && k > 0) {
        elt = dtypeAttr("stash_type", b.getF32Type());
      } else if (op == "Dropout" && k == 1) {
        elt = b.getI1Type();
      } else if (op == "LabelEncoder") {
        // The values' type: values_tensor, values_int64s, values_floats or
        // values_strings.
        elt = tensorAttrElt("values_tensor");
        if (!elt && n.attr("values_int64s"))
          elt = b.getI64Type();
        else if (!elt && n.attr("values_floats"))
          elt = b.getF32Type();
        else if (!elt && n.attr("values_strings"))
          elt = onnx::StringType::get(ctx);
      } else if (op == "BitCast") {
        elt = dtypeAttr("to", nullptr);
      } else if (op == "HannWindow" || op == "HammingWindow" ||
                 op == "BlackmanWindow" || op == "MelWeightMatrix") {
        elt = dtypeAttr("output_datatype", b.getF32Type());
      } else if (op == "LinearAttention" && k == 1) {
        elt = inputElt(3) ? inputElt(3) : inputElt(0);
      } else if (op == "EyeLike" || op == "RandomNormalLike" ||
                 op == "RandomUniformLike" || op == "Bernoulli") {
        elt = dtypeAttr("dtype", inputElt(0));
      } else if (op == "RandomNormal" || op == "RandomUniform") {
        elt = dtypeAttr("dtype", b.getF32Type());
      } else if (op == "Multinomial") {
        elt = dtypeAttr("dtype", b.getI32Type());
      } else if (op == "QuantizeLinear" && k == 0) {
        if (const pb::AttributeProto *a = n.attr("output_dtype");
            a && a->i() != 0)
          elt = convertDataType(a->i(), ctx);
        else
          elt = inputElt(2) ? inputElt(2) : b.getIntegerType(8, false);
      } else if (op == "DequantizeLinear" && k == 0) {
        if (const pb::AttributeProto *a = n.attr("output_dtype");
            a && a->i() != 0)
          elt = convertDataType(a->i(), ctx);
        else
          elt = inputElt(1);
      } else if (op == "Loop") {
        // Loop-carried values keep the types of their initial values.
        if (idx + 2 < n.inputs.size() && n.inputs[idx + 2])
          whole = n.inputs[idx + 2].getType();
      } else if (op == "SequenceEmpty") {
        whole = onnx::SeqType::get(
            ctx, unranked(dtypeAttr("dtype", b.getF32Type())));
      } else if (op == "SequenceConstruct") {
        whole = onnx::SeqType::get(ctx, unranked(inputElt(0)));
      } else if (op == "SplitToSequence") {
        whole = onnx::SeqType::get(ctx, unranked(inputElt(0)));
      } else if (op == "SequenceInsert" || op == "SequenceErase") {
        whole = inputType(0);
      } else if (op == "SequenceAt" || op == "ConcatFromSequence") {
        elt = inputElt(0);
      } else if (op == "Optional") {
        if (Type t = inputType(0)) {
          whole = onnx::OptType::get(ctx, t);
        } else {
          for (const NamedAttribute &a : attrs)
            if (auto ta = dyn_cast<TypeAttr>(a.getValue()))
              whole = onnx::OptType::get(ctx, ta.getValue());
        }
      } else if (op == "Identity" && inputType(0) &&
                 !isa<TensorType>(inputType(0))) {
        whole = inputType(0); // a sequence or an optional
      } else if (op == "OptionalGetElement") {
        if (auto o = dyn_cast_or_null<onnx::OptType>(inputType(0)))
          whole = o.getElementType();
        else
          whole = inputType(0);
      }
      bool fromRegions =
          op == "If" || op == "Scan" || op == "SequenceMap" ||
          (op == "Loop" && (idx + 2 >= n.inputs.size() || !n.inputs[idx + 2]));
      if (fromRegions && !whole) {
        types.push_back(nullptr);
        continue;
      }
      if (!elt && !whole) {
        if (!arity.outFixed[k].empty())
          elt = elementTypeFromName(arity.outFixed[k], ctx);
        else if (arity.outSource[k] >= 0)
          elt = inputElt(arity.outSource[k]);
        // Any other present input tied to the same type constraint.
        for (ArrayRef<int> group : onnx::typeGroups(op)) {
          if (elt || !llvm::is_contained(group, -(int)k - 1))
            continue;
          for (int i : group)
            if (i >= 0 && (elt = inputElt(i)))
              break;
        }
      }
      if (whole) {
        types.push_back(whole);
        continue;
      }
      if (!elt) {
        return err(describe(node) + ": cannot determine the type of output " +
                   llvm::Twine(idx));
      }
      types.push_back(unranked(elt));
    }
  }
  return types;
}

llvm::Error Importer::importNode(pb::NodeProto &node) {
  ++nodeCounter;
  Location loc = nodeLoc(node);
  StringRef domain = node.domain();
  if (domain.empty())
    domain = "ai.onnx";
  if (domain != "ai.onnx" && domain != "ai.onnx.ml" &&
      domain != "ai.onnx.preview" && domain != "ai.onnx.preview.training")
    return err(describe(node) + ": unsupported domain '" + domain +
               "' (only ai.onnx, ai.onnx.ml, ai.onnx.preview and "
               "ai.onnx.preview.training operators are supported)");
  ArrayRef<int64_t> versions = onnx::schemaVersions(node.op_type());
  if (versions.empty() || onnx::schemaDomain(node.op_type()) != domain)
    return err(describe(node) + ": unsupported operator '" + node.op_type() +
               "' (not an " + domain + " operator)");
  int64_t domainOpset = domain == "ai.onnx" ? opset : 0;
  if (domain != "ai.onnx") {
    auto it = domainOpsets.find(domain);
    if (it != domainOpsets.end())
      domainOpset = it->second;
  }
  if (domainOpset == 0)
    return err(describe(node) + ": the model imports no " + domain +
               " opset for this operator");
  int64_t version = onnx::schemaVersionFor(node.op_type(), domainOpset);
  if (!version)
    return err(describe(node) + ": " + node.op_type() +
               " does not exist in opset " + llvm::Twine(domainOpset) +
               " (introduced in opset " + llvm::Twine(versions.front()) + ")");
  std::string desc =
      describe(node) + " [opset " + std::to_string(domainOpset) + "]";

  NodeState n;
  n.opType = node.op_type();
  n.version = version;
  for (const auto &in : node.input()) {
    if (in.empty()) {
      n.inputs.push_back(nullptr);
      continue;
    }
    Value v = lookup(in);
    if (!v)
      return err(desc + ": input '" + in + "' is not defined");
    n.inputs.push_back(v);
  }
  for (const auto &a : node.attribute()) {
    if (!a.ref_attr_name().empty())
      return err(desc + ": attribute '" + a.name() +
                 "' refers to a function attribute outside a function");
    n.attrs.push_back(&a);
  }
  if (auto e = upgradeNode(n, b, loc))
    return err(desc + ": " + llvm::toString(std::move(e)));

  SmallVector<Value> outputs;
  if (!n.replacement.empty()) {
    outputs = n.replacement;
  } else {
    auto arIt = arityTable().find(n.opType);
    if (arIt == arityTable().end())
      return err(desc + ": unsupported operator '" + n.opType + "'");
    const Arity &ar = arIt->second;
    // Inputs: count and presence of required ones.
    bool variadicIn = !ar.inputs.empty() && ar.inputs.back() == Opt::Variadic;
    if (!variadicIn && n.inputs.size() > ar.inputs.size())
      return err(desc + ": has " + llvm::Twine(n.inputs.size()) +
                 " inputs; " + n.opType + " takes at most " +
                 llvm::Twine(ar.inputs.size()));
    for (size_t i = 0; i < ar.inputs.size(); ++i) {
      if (ar.inputs[i] == Opt::Variadic)
        break;
      bool present = i < n.inputs.size() && n.inputs[i];
      if (ar.inputs[i] == Opt::Single && !present)
        return err(desc + ": required input " + llvm::Twine(i) +
                   " is missing");
    }
    if (!variadicIn && n.inputs.size() < ar.inputs.size())
      n.inputs.resize(ar.inputs.size());
    if (variadicIn) {
      size_t fixed = ar.inputs.size() - 1;
      if (n.inputs.size() < fixed)
        n.inputs.resize(fixed);
      for (size_t i = fixed; i < n.inputs.size(); ++i)
        if (!n.inputs[i] && n.opType != "Loop" && n.opType != "Scan")
          return err(desc + ": variadic input " + llvm::Twine(i) +
                     " is empty");
    }
    size_t maxOut = ar.outputs.size();
    bool variadicOut = maxOut && ar.outputs.back() == Opt::Variadic;
    if (!variadicOut && (size_t)node.output_size() > maxOut)
      return err(desc + ": has " + llvm::Twine(node.output_size()) +
                 " outputs; " + n.opType + " has at most " +
                 llvm::Twine(maxOut));

    // Attributes the generic conversion does not handle.
    SmallVector<NamedAttribute> extra;
    SmallVector<const pb::AttributeProto *> graphs;
    SmallVector<std::string> graphNames = graphAttrNames(n.opType);
    for (const pb::AttributeProto *a : n.attrs) {
      auto mlirName = lookupAttr(n.opType, a->name());
      if (!mlirName)
        continue; // buildONNXOp reports unknown attributes
      if (a->type() == pb::AttributeProto::TENSOR) {
        auto t = importTensor(const_cast<pb::TensorProto &>(a->t()), baseDir,
                              ctx);
        if (!t)
          return err(desc + ": " + llvm::toString(t.takeError()));
        extra.push_back(b.getNamedAttr(*mlirName, *t));
      } else if (a->type() == pb::AttributeProto::SPARSE_TENSOR) {
        return err(desc + ": sparse tensor attribute '" + a->name() +
                   "' is not supported");
      } else if (a->type() == pb::AttributeProto::TYPE_PROTO) {
        auto t = convertType(a->tp(), a->name());
        if (!t)
          return err(desc + ": " + llvm::toString(t.takeError()));
        extra.push_back(b.getNamedAttr(*mlirName, TypeAttr::get(*t)));
      } else if (a->type() == pb::AttributeProto::GRAPH) {
        graphs.push_back(a);
      }
    }
    // Constant's value_* forms all become `value`.
    if (n.opType == "Constant") {
      for (const pb::AttributeProto *a : n.attrs) {
        Attribute v;
        StringRef name = a->name();
        if (name == "value_float")
          v = DenseElementsAttr::get(
              RankedTensorType::get({}, b.getF32Type()), a->f());
        else if (name == "value_floats")
          v = DenseElementsAttr::get(
              RankedTensorType::get({(int64_t)a->floats_size()},
                                    b.getF32Type()),
              ArrayRef<float>(a->floats().data(), a->floats_size()));
        else if (name == "value_int")
          v = makeI64Tensor(ctx, {a->i()}, /*scalar=*/true);
        else if (name == "value_ints")
          v = makeI64Tensor(ctx, SmallVector<int64_t>(a->ints().begin(),
                                                      a->ints().end()));
        else if (name == "value_string" || name == "value_strings") {
          SmallVector<StringRef> s;
          if (name == "value_string")
            s.push_back(a->s());
          else
            s.append(a->strings().begin(), a->strings().end());
          SmallVector<int64_t> shape;
          if (name == "value_strings")
            shape.push_back(s.size());
          v = DenseStringElementsAttr::get(
              RankedTensorType::get(shape, onnx::StringType::get(ctx)), s);
        } else if (name == "sparse_value") {
          return err(desc + ": sparse constants are not supported");
        }
        if (v)
          extra.push_back(b.getNamedAttr("value", v));
      }
      n.attrs.clear();
      if (extra.empty())
        return err(desc + ": Constant has no value");
    }

    auto types = resultTypes(node, n, ar, extra, nullptr);
    if (!types)
      return types.takeError();
    // Control flow: result types come from the regions, so build regions
    // first into a detached holder op's regions.
    SmallVector<std::unique_ptr<Region>> regions;
    for (const std::string &gname : graphNames) {
      const pb::AttributeProto *a = nullptr;
      for (const pb::AttributeProto *g : graphs)
        if (g->name() == gname)
          a = g;
      if (!a && isOptionalGraphAttr(n.opType, gname)) {
        regions.push_back(std::make_unique<Region>()); // stays empty
        continue;
      }
      if (!a)
        return err(desc + ": missing graph attribute '" + gname + "'");
      SmallVector<Type> fallback;
      if (n.opType == "Loop") {
        fallback.push_back(RankedTensorType::get({}, b.getI64Type()));
        fallback.push_back(RankedTensorType::get({}, b.getI1Type()));
        for (size_t i = 2; i < n.inputs.size(); ++i)
          fallback.push_back(n.inputs[i] ? n.inputs[i].getType() : Type());
      }
      if (n.opType == "Scan") {
        const pb::AttributeProto *ns = n.attr("num_scan_inputs");
        size_t numScan = ns ? ns->i() : 0;
        for (size_t i = 0; i < n.inputs.size(); ++i) {
          Type t = n.inputs[i] ? n.inputs[i].getType() : Type();
          if (t && i + numScan >= n.inputs.size()) // a slice of a scan input
            t = unranked(onnx::getElementTypeOrNull(t));
          fallback.push_back(t);
        }
      } else if (n.opType == "SequenceMap") {
        for (Value v : n.inputs) {
          Type t = v ? v.getType() : Type();
          if (auto seq = dyn_cast_or_null<onnx::SeqType>(t))
            t = seq.getElementType();
          fallback.push_back(t);
        }
      }
      auto region = std::make_unique<Region>();
      if (auto e = importSubgraph(const_cast<pb::GraphProto &>(a->g()),
                                  *region, fallback, desc))
        return e;
      regions.push_back(std::move(region));
    }
    // Fill result types the regions determine.
    for (size_t k = 0; k < types->size(); ++k) {
      if ((*types)[k])
        continue;
      Type t;
      if (!regions.empty()) {
        // If: then_branch (regions sorted: else, then); Loop/Scan: body.
        Region &r = n.opType == "If" ? *regions.back() : *regions.front();
        auto yield = cast<onnx::YieldOp>(r.front().getTerminator());
        size_t bodyIdx = k;
        size_t numCarried = 0;
        if (n.opType == "Loop") {
          bodyIdx = k + 1; // body outputs: cond, carried..., scan outputs...
          numCarried = n.inputs.size() - 2;
        } else if (n.opType == "Scan") {
          const pb::AttributeProto *ns = n.attr("num_scan_inputs");
          int64_t numScan = ns ? ns->i() : 0;
          numCarried = n.inputs.size() - numScan;
        }
        if (bodyIdx < yield.getNumOperands()) {
          t = yield.getOperand(bodyIdx).getType();
          if (n.opType == "SequenceMap")
            t = onnx::SeqType::get(ctx, unranked(onnx::getElementTypeOrNull(t)));
          if ((n.opType == "Loop" || n.opType == "Scan") && k >= numCarried)
            t = unranked(onnx::getElementTypeOrNull(t)); // stacked outputs
        }
      }
      if (!t)
        return err(desc + ": cannot determine the type of output " +
                   llvm::Twine(k));
      (*types)[k] = t;
    }
    auto built = buildONNXOp(b, loc, n, *types, extra, regions.size());
    if (!built)
      return err(desc + ": " + llvm::toString(built.takeError()));
    Operation *opPtr = *built;
    for (auto [i, r] : llvm::enumerate(regions))
      opPtr->getRegion(i).takeBody(*r);
    outputs.assign(opPtr->result_begin(), opPtr->result_end());
  }

  auto &scope = scopes.back();
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (name.empty() || i >= outputs.size())
      continue;
    if (scope.count(name))
      return err(desc + ": output '" + name +
                 "' is already produced by another node (not SSA)");
    refineFromValueInfo(outputs[i], name);
    scope[name] = outputs[i];
  }
  return llvm::Error::success();
}

llvm::Error Importer::flattenInput(const std::string &name, Type t,
                                   const pb::ValueInfoProto *in,
                                   SmallVector<FlatArg> &flat) {
  if (auto seq = dyn_cast<onnx::SeqType>(t)) {
    auto it = options.sequenceLengths.find(name);
    if (it == options.sequenceLengths.end())
      return err("graph input '" + name +
                 "' is a sequence; give its length with "
                 "--sequence-length=" +
                 name + ":N");
    usedLengths.insert(name);
    for (int64_t i = 0; i < it->second; ++i)
      if (auto e = flattenInput(name + "[" + std::to_string(i) + "]",
                                seq.getElementType(), nullptr, flat))
        return e;
    return llvm::Error::success();
  }
  if (auto opt = dyn_cast<onnx::OptType>(t)) {
    if (options.absentInputs.count(name)) {
      usedAbsent.insert(name);
      return llvm::Error::success();
    }
    return flattenInput(name, opt.getElementType(), nullptr, flat);
  }
  if (options.absentInputs.count(name))
    return err("--absent-input names '" + name +
               "', which is not an optional input of the model");
  auto tt = dyn_cast<TensorType>(t);
  if (!tt)
    return err("graph input '" + name + "' has an unsupported type");
  auto shapeIt = options.inputShapes.find(name);
  if (shapeIt != options.inputShapes.end()) {
    if (auto rt = dyn_cast<RankedTensorType>(tt)) {
      if (rt.getRank() != (int64_t)shapeIt->second.size())
        return err("--input-shape for '" + name + "' has rank " +
                   llvm::Twine(shapeIt->second.size()) +
                   " but the model's input has rank " +
                   llvm::Twine(rt.getRank()));
      for (auto [d, want] : llvm::zip(rt.getShape(), shapeIt->second))
        if (!ShapedType::isDynamic(d) && d != want)
          return err("--input-shape for '" + name + "' sets dim " +
                     llvm::Twine(want) + " where the model fixes " +
                     llvm::Twine(d));
    }
    t = RankedTensorType::get(shapeIt->second, tt.getElementType());
  }
  flat.push_back({name, t, in});
  return llvm::Error::success();
}

Value Importer::rebuildInput(const std::string &name, Type t, Block *entry,
                             unsigned &next) {
  Location loc = NameLoc::get(StringAttr::get(ctx, name));
  if (auto seq = dyn_cast<onnx::SeqType>(t)) {
    SmallVector<Value> elems;
    int64_t n = options.sequenceLengths.at(name);
    for (int64_t i = 0; i < n; ++i)
      elems.push_back(rebuildInput(name + "[" + std::to_string(i) + "]",
                                   seq.getElementType(), entry, next));
    return onnx::SequenceConstructOp::create(b, loc, t, elems).getResult();
  }
  if (auto opt = dyn_cast<onnx::OptType>(t)) {
    if (options.absentInputs.count(name)) {
      Value none = onnx::NoneOp::create(b, loc).getResult();
      return onnx::OptionalOp::create(b, loc, t, none,
                                      TypeAttr::get(opt.getElementType()))
          .getResult();
    }
    Value v = rebuildInput(name, opt.getElementType(), entry, next);
    return onnx::OptionalOp::create(b, loc, t, v, TypeAttr()).getResult();
  }
  return entry->getArgument(next++);
}

llvm::Expected<OwningOpRef<ModuleOp>> Importer::run(pb::ModelProto &model) {
  if (!model.has_graph())
    return err("not an ONNX model (no graph)");
  if (model.ir_version() <= 0)
    return err("not an ONNX model (no IR version)");
  if (model.ir_version() > onnx::maxSupportedIRVersion())
    return err("IR version " + llvm::Twine(model.ir_version()) +
               " is newer than the newest supported (" +
               llvm::Twine(onnx::maxSupportedIRVersion()) + ")");
  bool hasDefault = false;
  for (const auto &o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      hasDefault = true;
      opset = o.version();
    } else {
      domainOpsets[o.domain()] = o.version();
    }
  }
  if (!hasDefault)
    opset = model.ir_version() >= 3 ? 0 : 1; // 0: ai.onnx nodes are errors
  if (opset > onnx::maxSupportedOpset())
    return err("ai.onnx opset " + llvm::Twine(opset) +
               " is newer than the newest supported (" +
               llvm::Twine(onnx::maxSupportedOpset()) + ")");
  if (opset < 0)
    return err("invalid ai.onnx opset " + llvm::Twine(opset));

  pb::GraphProto &g = *model.mutable_graph();
  Location loc = FileLineColLoc::get(ctx, fileName, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  module->getOperation()->setAttr("onnx.ir_version",
                                  b.getI64IntegerAttr(model.ir_version()));
  module->getOperation()->setAttr("onnx.opset", b.getI64IntegerAttr(opset));
  if (!model.producer_name().empty())
    module->getOperation()->setAttr(
        "onnx.producer",
        b.getStringAttr(model.producer_name() + " " +
                        model.producer_version()));

  llvm::StringSet<> initNames;
  for (const auto &init : g.initializer())
    initNames.insert(init.name());
  // Graph inputs; those with an initializer of the same name are weights
  // (IR < 4 lists every weight as an input): they become constants.
  // Sequence and optional inputs are flattened into tensor arguments
  // (see flattenInput).
  SmallVector<FlatArg> flat;
  SmallVector<std::pair<const pb::ValueInfoProto *, Type>> inputs;
  llvm::StringSet<> seenInputs;
  for (const auto &in : g.input()) {
    if (initNames.contains(in.name()))
      continue;
    if (!seenInputs.insert(in.name()).second)
      return err("graph input '" + in.name() + "' is listed twice");
    auto t = convertType(in.type(), in.name());
    if (!t)
      return err("graph input: " + llvm::toString(t.takeError()));
    if (auto e = flattenInput(in.name(), *t, &in, flat))
      return std::move(e);
    inputs.push_back({&in, *t});
  }
  llvm::StringSet<> flatNames;
  for (const FlatArg &a : flat)
    flatNames.insert(a.name);
  for (const auto &kv : options.inputShapes) {
    if (flatNames.contains(kv.first))
      continue;
    if (seenInputs.contains(kv.first))
      return err("--input-shape names '" + kv.first +
                 "', a sequence or optional input: give the shapes of the "
                 "tensors it is passed as (" +
                 kv.first + "[i] for the elements of a sequence)");
    return err("--input-shape names '" + kv.first +
               "', which is not an input of the model");
  }
  for (const auto &kv : options.sequenceLengths)
    if (!usedLengths.contains(kv.first))
      return err("--sequence-length names '" + kv.first +
                 "', which is not a sequence input of the model");
  for (const auto &name : options.absentInputs)
    if (!usedAbsent.contains(name))
      return err("--absent-input names '" + name +
                 "', which is not an optional input of the model");
  SmallVector<Type> argTypes;
  for (const FlatArg &a : flat)
    argTypes.push_back(a.type);

  auto func = func::FuncOp::create(b, loc, "main",
                                   b.getFunctionType(argTypes, {}));
  module->push_back(func);
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  scopes.emplace_back();
  declared.emplace_back();
  for (const auto &vi : g.value_info())
    declared.back()[vi.name()] = &vi.type();
  for (const auto &vi : g.output())
    if (vi.has_type())
      declared.back()[vi.name()] = &vi.type();
  for (auto [i, a] : llvm::enumerate(flat)) {
    func.setArgAttr(i, "onnx.name", b.getStringAttr(a.name));
    const pb::ValueInfoProto *in = a.tensorInput;
    if (in && in->type().has_tensor_type() &&
        in->type().tensor_type().has_shape()) {
      SmallVector<Attribute> params;
      bool any = false;
      for (const auto &d : in->type().tensor_type().shape().dim()) {
        params.push_back(b.getStringAttr(d.dim_param()));
        any |= !d.dim_param().empty();
      }
      if (any)
        func.setArgAttr(i, "onnx.dim_params", b.getArrayAttr(params));
    }
  }
  unsigned nextArg = 0;
  for (auto [in, t] : inputs)
    scopes.back()[in->name()] = rebuildInput(in->name(), t, entry, nextArg);
  if (auto e = importGraphBody(g))
    return std::move(e);

  SmallVector<Value> results;
  llvm::StringSet<> outNames;
  for (const auto &out : g.output()) {
    Value v = lookup(out.name());
    if (!v)
      return err("graph output '" + out.name() + "' is not defined");
    results.push_back(v);
  }
  func::ReturnOp::create(b, loc, results);
  SmallVector<Type> resultTypes;
  for (Value v : results)
    resultTypes.push_back(v.getType());
  func.setType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(g.output()))
    func.setResultAttr(i, "onnx.name", b.getStringAttr(out.name()));
  return module;
}

/// Parses a ModelProto from a stream without reading the file into memory
/// first (peak memory stays near the model's size).
llvm::Error parseModel(google::protobuf::io::ZeroCopyInputStream &in,
                       pb::ModelProto &model, StringRef what) {
  google::protobuf::io::CodedInputStream coded(&in);
  coded.SetTotalBytesLimit(INT_MAX);
  if (!model.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    return err(what + " is not a valid ONNX model (protobuf parsing failed: "
                      "truncated or corrupted file?)");
  return llvm::Error::success();
}

void silenceProtobufLogging() {
  static bool once = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)once;
}

llvm::Expected<OwningOpRef<ModuleOp>>
finish(llvm::Expected<OwningOpRef<ModuleOp>> module, StringRef what) {
  if (!module)
    return err(what + ": " + llvm::toString(module.takeError()));
  return module;
}
} // namespace

} // namespace kiln::import

llvm::Expected<OwningOpRef<ModuleOp>>
kiln::importONNXModel(StringRef path, MLIRContext &context,
                      const ImportOptions &options) {
  using namespace kiln::import;
  silenceProtobufLogging();
  context.loadDialect<onnx::ONNXDialect, func::FuncDialect>();
  if (llvm::sys::fs::is_directory(path))
    return err(path + ": is a directory, not an ONNX model");
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return err(path + ": cannot open: " + std::strerror(errno));
  pb::ModelProto model;
  llvm::Error parsed = llvm::Error::success();
  {
    google::protobuf::io::FileInputStream in(fd, 1 << 20);
    in.SetCloseOnDelete(true);
    parsed = parseModel(in, model, path);
  }
  if (parsed)
    return std::move(parsed);
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  Importer importer(&context, dir.str().str(),
                    llvm::sys::path::filename(path).str(), options);
  return finish(importer.run(model), path);
}

llvm::Expected<OwningOpRef<ModuleOp>>
kiln::importONNXModelFromBuffer(StringRef bytes, StringRef baseDir,
                                MLIRContext &context,
                                const ImportOptions &options) {
  using namespace kiln::import;
  silenceProtobufLogging();
  context.loadDialect<onnx::ONNXDialect, func::FuncDialect>();
  pb::ModelProto model;
  google::protobuf::io::ArrayInputStream in(bytes.data(), bytes.size());
  if (auto e = parseModel(in, model, "<buffer>"))
    return std::move(e);
  Importer importer(&context, baseDir.str(), "<buffer>", options);
  return finish(importer.run(model), "<buffer>");
}
