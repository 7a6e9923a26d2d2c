//===- Compile.cpp - the compile session API ------------------------------===//
#include "compiler/driver/Compile.h"

#include "dialects/onnx/ONNXDialect.h"
#include "passes/codegen/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/to-linalg/Passes.h"
#include "targets/cpu/Targets.h"
#include "targets/cpu/TileTable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <mutex>

using namespace mlir;

namespace kiln {
namespace {
llvm::Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// "node 'conv1': " for locations that carry an ONNX node name.
std::string describeLoc(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return "node '" + name.getName().str() + "': ";
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto s = describeLoc(l); !s.empty())
        return s;
  if (auto callsite = dyn_cast<CallSiteLoc>(loc))
    return describeLoc(callsite.getCallee());
  return "";
}

/// ONNX TensorProto data type code of an element type (0 if none).
int32_t onnxDType(Type t) {
  if (t.isF32())
    return 1;
  if (t.isF64())
    return 11;
  if (t.isF16())
    return 10;
  if (t.isBF16())
    return 16;
  if (isa<Float8E4M3FNType>(t))
    return 17;
  if (isa<Float8E4M3FNUZType>(t))
    return 18;
  if (isa<Float8E5M2Type>(t))
    return 19;
  if (isa<Float8E5M2FNUZType>(t))
    return 20;
  if (isa<Float4E2M1FNType>(t))
    return 23;
  if (isa<Float8E8M0FNUType>(t))
    return 24;
  if (auto i = dyn_cast<IntegerType>(t)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1:
      return 9;
    case 2: // packed four per byte (kiln-pack-interface)
      return u ? 25 : 26;
    case 4: // packed two per byte
      return u ? 21 : 22;
    case 8:
      return u ? 2 : 3;
    case 16:
      return u ? 4 : 5;
    case 32:
      return u ? 12 : 6;
    case 64:
      return u ? 13 : 7;
    default:
      return 0;
    }
  }
  return 0;
}
/// The register tile table of the target CPU `options` name.
cpu::TileTable tileTable(const CompileOptions &options) {
  return cpu::selectTiles(cpu::getCPUFeatures(
      options.target.triple, options.target.cpu, options.target.features));
}
} // namespace

std::optional<Stage> parseStage(StringRef name) {
  return llvm::StringSwitch<std::optional<Stage>>(name)
      .Case("onnx", Stage::ONNX)
      .Case("linalg", Stage::Linalg)
      .Case("llvm", Stage::LLVMIR)
      .Case("llvm-dialect", Stage::LLVMDialect)
      .Case("obj", Stage::Object)
      .Case("so", Stage::SharedObject)
      .Case("static", Stage::Static)
      .Default(std::nullopt);
}

void registerCompilerPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerGraphPipelines();
    registerKilnToLinalgPasses();
    registerCodegenPipelines();
  });
}

CompileSession::CompileSession() {
  registerCompilerPasses();
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<onnx::ONNXDialect>();
  context_.appendDialectRegistry(registry);
  context_.loadAllAvailableDialects();
  context_.getDiagEngine().registerHandler([this](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error && firstError_.empty())
      firstError_ = describeLoc(diag.getLocation()) + diag.str();
    return success();
  });
}

CompileSession::~CompileSession() = default;

llvm::Error CompileSession::takeError(StringRef what) {
  std::string msg =
      firstError_.empty() ? (what + " failed").str() : firstError_;
  firstError_.clear();
  return err(path_ + ": " + msg);
}

llvm::Error
CompileSession::runPipeline(function_ref<void(OpPassManager &)> build,
                            StringRef what) {
  PassManager pm(&context_);
  // --mlir-print-ir-after=PASS and friends, when the tool registered them.
  if (failed(applyPassManagerCLOptions(pm)))
    return takeError(what);
  build(pm);
  if (failed(pm.run(*module_)))
    return takeError(what);
  return llvm::Error::success();
}

llvm::Error CompileSession::import(StringRef path,
                                   const CompileOptions &options,
                                   bool graphPipeline) {
  path_ = path.str();
  auto module = importONNXModel(path, context_, options.import);
  if (!module)
    return module.takeError();
  module_ = std::move(*module);
  if (failed(verify(*module_)))
    return takeError("verification");
  if (!graphPipeline)
    return llvm::Error::success();
  return runPipeline([](OpPassManager &pm) { buildGraphPipeline(pm); },
                     "the graph pipeline");
}

llvm::Error CompileSession::describe() {
  desc_ = ModelDesc();
  auto func = module_->lookupSymbol<func::FuncOp>("main");
  if (!func)
    return err(path_ + ": no main function");
  auto describeList = [&](TypeRange types, auto attrOf, StringRef kind,
                          std::vector<TensorDesc> &out) -> llvm::Error {
    for (auto [i, type] : llvm::enumerate(types)) {
      TensorDesc d;
      DictionaryAttr attrs = attrOf(i);
      if (attrs)
        if (auto n = attrs.template getAs<StringAttr>("onnx.name"))
          d.name = n.str();
      auto t = dyn_cast<RankedTensorType>(type);
      if (!t || !t.hasStaticShape()) {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << type;
        return err(path_ + ": " + kind + " '" + d.name + "' has type " + s +
                   ", which is not static; give its shape with "
                   "--input-shape=NAME:DIMS (or --dim=NAME=VALUE)");
      }
      d.dtype = onnxDType(t.getElementType());
      if (!d.dtype) {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << t.getElementType();
        return err(path_ + ": " + kind + " '" + d.name + "' has element type " +
                   s + ", which compiled models do not support yet");
      }
      d.dims.assign(t.getShape().begin(), t.getShape().end());
      out.push_back(d);
    }
    return llvm::Error::success();
  };
  if (auto e = describeList(
          func.getArgumentTypes(),
          [&](unsigned i) { return func.getArgAttrDict(i); }, "input",
          desc_.inputs))
    return e;
  return describeList(
      func.getResultTypes(),
      [&](unsigned i) { return func.getResultAttrDict(i); }, "output",
      desc_.outputs);
}

llvm::Error CompileSession::lowerToLinalg(const CompileOptions &options) {
  if (auto e = describe())
    return e;
  bool directConvs = tileTable(options).directConvs;
  return runPipeline(
      [&](OpPassManager &pm) { buildToLinalgPipeline(pm, directConvs); },
      "lowering to linalg");
}

llvm::Error CompileSession::lowerToLLVM(const CompileOptions &options) {
  CPUCodegenOptions cg;
  cg.tiles = options.tiles;
  // No threads without an OS: one tile per root op, no parallel loops.
  if (cpu::getTargetInfo(options.target.triple).bareMetal)
    cg.tiles = 1;
  cg.vectorize = options.vectorize;
  // Vector width and register tiles from the target CPU.
  cpu::TileTable table = tileTable(options);
  cg.vectorBits = table.vectorBits;
  cg.matmulRows = table.matmulRows;
  cg.matmulVectors = table.matmulVectors;
  return runPipeline(
      [&](OpPassManager &pm) { buildCPUCodegenPipeline(pm, cg); },
      "code generation");
}

llvm::Error CompileSession::emit(const CompileOptions &options, EmitKind kind,
                                 StringRef output, StringRef argv0) {
  std::string triple = resolveTriple(options.target);
  std::string runtime = findRuntimeLibrary(triple, argv0);
  StaticOptions statik = options.staticOutput;
  if (statik.source.empty())
    statik.source = llvm::sys::path::filename(path_).str();
  if (auto e = emitModel(*module_, desc_, options.target, kind, runtime, output,
                         statik))
    return err(path_ + ": " + llvm::toString(std::move(e)));
  return llvm::Error::success();
}

llvm::Error CompileSession::compile(StringRef input,
                                    const CompileOptions &options, Stage stage,
                                    StringRef output, StringRef argv0,
                                    bool printWeights) {
  auto printModule = [&]() -> llvm::Error {
    std::string message;
    auto out = openOutputFile(output, &message);
    if (!out)
      return err(message);
    OpPrintingFlags flags;
    if (!printWeights)
      flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
    flags.assumeVerified();
    module_->print(out->os(), flags);
    out->keep();
    return llvm::Error::success();
  };
  if (auto e = import(input, options))
    return e;
  if (stage == Stage::ONNX)
    return printModule();
  if (auto e = lowerToLinalg(options))
    return e;
  if (stage == Stage::Linalg)
    return printModule();
  if (auto e = lowerToLLVM(options))
    return e;
  if (stage == Stage::LLVMDialect)
    return printModule();
  EmitKind kind = stage == Stage::LLVMIR   ? EmitKind::LLVMIR
                  : stage == Stage::Object ? EmitKind::Object
                  : stage == Stage::Static ? EmitKind::Static
                                           : EmitKind::SharedObject;
  return emit(options, kind, output, argv0);
}

} // namespace kiln
