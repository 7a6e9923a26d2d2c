//===- kiln-compile.cpp - compile an ONNX model ---------------------------===//
//
// kiln-compile MODEL.onnx -o OUT [--emit=onnx|...] [--input-shape=NAME:DIMS]
//
// Errors are one line on stderr ("kiln-compile: error: ...") and a non-zero
// exit code; never a crash or a stack trace.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/ONNXImporter.h"
#include "dialects/onnx/ONNXDialect.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional, cl::desc("MODEL.onnx"),
                                      cl::Required);
static cl::opt<std::string> outputPath("o", cl::desc("output file ('-': stdout)"),
                                       cl::value_desc("OUT"), cl::init("-"));
static cl::opt<std::string>
    emit("emit", cl::desc("what to produce: onnx (imported, shape-inferred "
                          "onnx dialect)"),
         cl::init("onnx"));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("static shape of an input: NAME:1x3x224x224"),
                cl::value_desc("NAME:DIMS"));
static cl::list<std::string>
    dimParams("dim", cl::desc("value of a symbolic dim: NAME=VALUE"),
              cl::value_desc("NAME=VALUE"));
static cl::opt<bool>
    keepWeights("print-weights",
                cl::desc("print weight values in textual output (default: "
                         "elided beyond 16 elements)"),
                cl::init(false));
static cl::opt<bool>
    summary("summary",
            cl::desc("print a summary (inputs, outputs, ops, weights) instead "
                     "of the module"),
            cl::init(false));
static cl::opt<bool> noShapeInference(
    "no-shape-inference",
    cl::desc("print the module as imported, before the graph pipeline"),
    cl::init(false));

static int fail(const llvm::Twine &msg) {
  llvm::errs() << "kiln-compile: error: " << msg << "\n";
  return 1;
}

/// "node 'conv1': " for locations that carry an ONNX node name.
static std::string describeLoc(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return "node '" + name.getName().str() + "': ";
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto s = describeLoc(l); !s.empty())
        return s;
  return "";
}

static void printSummary(ModuleOp module, llvm::raw_ostream &os) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return;
  auto nameOf = [](DictionaryAttr attrs) -> std::string {
    if (attrs)
      if (auto n = attrs.getAs<StringAttr>("onnx.name"))
        return n.str();
    return "?";
  };
  os << "model: " << inputPath << "\n";
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    os << "  input  " << nameOf(func.getArgAttrDict(i)) << ": "
       << func.getArgument(i).getType() << "\n";
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    os << "  output " << nameOf(func.getResultAttrDict(i)) << ": "
       << func.getResultTypes()[i] << "\n";
  std::map<std::string, int> counts;
  int64_t weightBytes = 0, numWeights = 0;
  func.walk([&](Operation *op) {
    if (auto cst = dyn_cast<kiln::onnx::ConstantOp>(op)) {
      if (auto t = dyn_cast<RankedTensorType>(cst.getResult().getType());
          t && t.getElementType().isIntOrFloat()) {
        weightBytes += t.getNumElements() *
                       ((t.getElementType().getIntOrFloatBitWidth() + 7) / 8);
        ++numWeights;
      }
      return;
    }
    if (isa<kiln::onnx::ONNXDialect>(op->getDialect()) &&
        !isa<kiln::onnx::NoneOp, kiln::onnx::YieldOp>(op))
      ++counts[op->getName().stripDialect().str()];
  });
  int total = 0;
  for (auto &kv : counts)
    total += kv.second;
  os << "  ops: " << total << " (";
  bool first = true;
  for (auto &kv : counts) {
    os << (first ? "" : ", ") << kv.first << " " << kv.second;
    first = false;
  }
  os << ")\n  constants: " << numWeights << " (" << weightBytes << " bytes)\n";
}

static bool parseDims(StringRef s, std::vector<int64_t> &dims) {
  if (s.empty() || s == "scalar")
    return true;
  SmallVector<StringRef> parts;
  s.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0)
      return false;
    dims.push_back(d);
  }
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "Kiln: ONNX ahead-of-time compiler\n");

  kiln::ImportOptions options;
  for (const std::string &spec : inputShapes) {
    StringRef s(spec);
    size_t colon = s.rfind(':');
    std::vector<int64_t> dims;
    if (colon == StringRef::npos || !parseDims(s.substr(colon + 1), dims))
      return fail("bad --input-shape '" + spec +
                  "' (expected NAME:DIMS, e.g. input:1x3x224x224)");
    options.inputShapes[s.substr(0, colon).str()] = dims;
  }
  for (const std::string &spec : dimParams) {
    auto [name, value] = StringRef(spec).split('=');
    int64_t v;
    if (name.empty() || value.getAsInteger(10, v) || v < 0)
      return fail("bad --dim '" + spec + "' (expected NAME=VALUE)");
    options.dimParams[name.str()] = v;
  }
  if (emit != "onnx")
    return fail("--emit=" + emit + " is not available yet (supported: onnx)");

  MLIRContext context;
  std::string firstError;
  context.getDiagEngine().registerHandler([&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    if (firstError.empty())
      firstError = describeLoc(diag.getLocation()) + diag.str();
    return success();
  });

  auto module = kiln::importONNXModel(inputPath, context, options);
  if (!module)
    return fail(llvm::toString(module.takeError()));
  if (failed(verify(**module)))
    return fail(inputPath + ": " + firstError);
  if (!noShapeInference) {
    PassManager pm(&context);
    kiln::buildGraphPipeline(pm);
    if (failed(pm.run(**module)))
      return fail(inputPath + ": " +
                  (firstError.empty() ? "graph pipeline failed" : firstError));
  }

  std::string errorMessage;
  auto out = openOutputFile(outputPath, &errorMessage);
  if (!out)
    return fail(errorMessage);
  if (summary) {
    printSummary(**module, out->os());
    out->keep();
    return 0;
  }
  OpPrintingFlags flags;
  if (!keepWeights)
    flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
  flags.assumeVerified();
  (*module)->print(out->os(), flags);
  out->keep();
  return 0;
}
