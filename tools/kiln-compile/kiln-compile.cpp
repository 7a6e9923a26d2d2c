//===- kiln-compile.cpp - compile an ONNX model ---------------------------===//
//
// kiln-compile MODEL.onnx -o OUT [--emit=onnx|...] [--input-shape=NAME:DIMS]
//              [--sequence-length=NAME:N] [--absent-input=NAME]
//
// Errors are one line on stderr ("kiln-compile: error: ...") and a non-zero
// exit code; never a crash or a stack trace.
//
//===----------------------------------------------------------------------===//
#include "compiler/driver/Compile.h"
#include "compiler/import/ONNXImporter.h"
#include "dialects/onnx/ONNXDialect.h"
#include "passes/codegen/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/to-linalg/Passes.h"

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

static cl::OptionCategory kilnCategory("kiln-compile options");

static cl::opt<std::string> inputPath(cl::Positional, cl::desc("MODEL.onnx"),
                                      cl::Required, cl::cat(kilnCategory));
static cl::opt<std::string> outputPath("o",
                                       cl::desc("output file ('-': stdout)"),
                                       cl::value_desc("OUT"), cl::init("-"),
                                       cl::cat(kilnCategory));
static cl::opt<std::string>
    emit("emit",
         cl::desc("what to produce: onnx (imported, shape-inferred onnx "
                  "dialect), linalg, llvm (LLVM IR), obj, so (default), "
                  "static (OUT.o + OUT.h for static linking, bare metal "
                  "included)"),
         cl::init("so"), cl::cat(kilnCategory));
static cl::opt<std::string>
    target("target",
           cl::desc("target triple (default: host): x86_64-linux-gnu, "
                    "aarch64-linux-gnu, armv7-linux-gnueabihf, "
                    "riscv64-linux-gnu, thumbv7em-none-eabihf (bare metal: "
                    "--emit=static)"),
           cl::init(""), cl::cat(kilnCategory));
static cl::opt<std::string>
    cpu("cpu",
        cl::desc("target CPU: a name (e.g. skylake, cortex-a76) or "
                 "'native' (default: a portable level)"),
        cl::init(""), cl::cat(kilnCategory));
static cl::opt<std::string>
    staticName("name",
               cl::desc("--emit=static: C prefix of the entry points "
                        "(NAME_run, NAME_get_abi) and macros (default: the "
                        "output file's stem)"),
               cl::value_desc("NAME"), cl::init(""), cl::cat(kilnCategory));
static cl::opt<unsigned>
    optLevel("O", cl::desc("optimization level 0-3 (default 2)"), cl::Prefix,
             cl::init(2), cl::cat(kilnCategory));
static cl::opt<int64_t>
    tiles("tiles", cl::desc("parallel tiles per root op (default 16)"),
          cl::init(16), cl::cat(kilnCategory));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("static shape of an input: NAME:1x3x224x224"),
                cl::value_desc("NAME:DIMS"), cl::cat(kilnCategory));
static cl::list<std::string>
    dimParams("dim", cl::desc("value of a symbolic dim: NAME=VALUE"),
              cl::value_desc("NAME=VALUE"), cl::cat(kilnCategory));
static cl::list<std::string> sequenceLengths(
    "sequence-length",
    cl::desc("length of a sequence input: NAME:N (its elements become the "
             "tensor inputs NAME[0] .. NAME[N-1])"),
    cl::value_desc("NAME:N"), cl::cat(kilnCategory));
static cl::list<std::string>
    absentInputs("absent-input",
                 cl::desc("an optional input that is absent (no tensor)"),
                 cl::value_desc("NAME"), cl::cat(kilnCategory));
static cl::opt<bool>
    keepWeights("print-weights",
                cl::desc("print weight values in textual output (default: "
                         "elided beyond 16 elements)"),
                cl::init(false), cl::cat(kilnCategory));
static cl::opt<bool>
    summary("summary",
            cl::desc("print a summary (inputs, outputs, ops, weights) instead "
                     "of the module"),
            cl::init(false), cl::cat(kilnCategory));
static cl::opt<bool> noShapeInference(
    "no-shape-inference",
    cl::desc("print the module as imported, before the graph pipeline"),
    cl::init(false), cl::cat(kilnCategory));

static cl::opt<bool>
    noVectorize("no-vectorize",
                cl::desc("scalar loops only (no register tiles, no vector "
                         "instructions from Kiln; LLVM may still vectorize)"),
                cl::init(false), cl::cat(kilnCategory));

static int fail(const llvm::Twine &msg) {
  llvm::errs() << "kiln-compile: error: " << msg << "\n";
  return 1;
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
  // Hidden, for developers: --mlir-print-ir-after=PASS and the other
  // pass manager and printer options (--mlir-print-debuginfo) print the IR of
  // the real pipeline (the passes are registered first: the option parser lists
  // them when it is created).
  kiln::registerGraphPipelines();
  kiln::registerKilnToLinalgPasses();
  kiln::registerCodegenPipelines();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions(kilnCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "Kiln: ONNX ahead-of-time compiler\n");

  kiln::CompileOptions options;
  for (const std::string &spec : inputShapes) {
    StringRef s(spec);
    size_t colon = s.rfind(':');
    std::vector<int64_t> dims;
    if (colon == StringRef::npos || !parseDims(s.substr(colon + 1), dims))
      return fail("bad --input-shape '" + spec +
                  "' (expected NAME:DIMS, e.g. input:1x3x224x224)");
    options.import.inputShapes[s.substr(0, colon).str()] = dims;
  }
  for (const std::string &spec : dimParams) {
    auto [name, value] = StringRef(spec).split('=');
    int64_t v;
    if (name.empty() || value.getAsInteger(10, v) || v < 0)
      return fail("bad --dim '" + spec + "' (expected NAME=VALUE)");
    options.import.dimParams[name.str()] = v;
  }
  for (const std::string &spec : sequenceLengths) {
    StringRef s(spec);
    size_t colon = s.rfind(':');
    int64_t n;
    if (colon == StringRef::npos || colon == 0 ||
        s.substr(colon + 1).getAsInteger(10, n) || n < 0)
      return fail("bad --sequence-length '" + spec + "' (expected NAME:N)");
    options.import.sequenceLengths[s.substr(0, colon).str()] = n;
  }
  for (const std::string &name : absentInputs)
    options.import.absentInputs.insert(name);
  std::optional<kiln::Stage> stage = kiln::parseStage(emit);
  if (!stage)
    return fail("unknown --emit=" + emit +
                " (expected onnx, linalg, llvm, obj, so or static)");
  if (optLevel > 3)
    return fail("bad -O" + std::to_string(optLevel) + " (expected 0-3)");
  if (tiles < 1)
    return fail("--tiles must be positive");
  options.target.triple = target;
  options.target.cpu = cpu;
  options.target.optLevel = optLevel;
  options.tiles = tiles;
  options.vectorize = !noVectorize;
  options.staticOutput.name = staticName;

  kiln::CompileSession session;
  if (summary) {
    if (auto e = session.import(inputPath, options))
      return fail(llvm::toString(std::move(e)));
    std::string errorMessage;
    auto out = openOutputFile(outputPath, &errorMessage);
    if (!out)
      return fail(errorMessage);
    printSummary(session.module(), out->os());
    out->keep();
    return 0;
  }
  if (noShapeInference) {
    if (auto e = session.import(inputPath, options, /*graphPipeline=*/false))
      return fail(llvm::toString(std::move(e)));
    std::string errorMessage;
    auto out = openOutputFile(outputPath, &errorMessage);
    if (!out)
      return fail(errorMessage);
    OpPrintingFlags flags;
    if (!keepWeights)
      flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
    session.module()->print(out->os(), flags);
    out->keep();
    return 0;
  }
  if ((*stage == kiln::Stage::Object || *stage == kiln::Stage::SharedObject ||
       *stage == kiln::Stage::Static) &&
      outputPath == "-")
    return fail("--emit=" + emit + " needs an output file (-o FILE)");
  if (auto e = session.compile(inputPath, options, *stage, outputPath, argv[0],
                               keepWeights))
    return fail(llvm::toString(std::move(e)));
  return 0;
}
