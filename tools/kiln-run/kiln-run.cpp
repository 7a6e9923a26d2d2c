//===- kiln-run.cpp - run a compiled Kiln model from the command line -----===//
//
//   kiln-run OUT.so [--input NAME=FILE(.npy|.pb) ...] [--random-inputs]
//            [--seed S] [--output-dir DIR] [--compare NAME=FILE ...]
//            [--compare-dir DIR] [--rtol R --atol A]
//            [--bench --warmup N --iterations N] [--threads N] [--json]
//
// A sequence input or output NAME that kiln-compile flattened into NAME[0] ..
// NAME[N-1] (--sequence-length) can be given as one .pb file holding an
// onnx.SequenceProto (or an onnx.OptionalProto holding a sequence):
// --input NAME=FILE.pb, --compare NAME=FILE.pb.
//
// Exit codes: 0 success, 1 a --compare mismatch, 2 any error (one line
// "kiln-run: error: ..." on stderr).
//
//===----------------------------------------------------------------------===//

#include "HostTensor.h"
#include "TensorFiles.h"

#include "kiln/kiln.hpp"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

using namespace kiln::run;
namespace cl = llvm::cl;
using llvm::StringRef;

namespace {

cl::OptionCategory category("kiln-run options");

/// Flag names; libLLVM registers some of them (e.g. --threads) for itself,
/// so main() unregisters those before creating Options.
constexpr const char *kFlagNames[] = {
    "input",   "input-dir",   "random-inputs", "seed", "output-dir",
    "compare", "compare-dir", "rtol",          "atol", "bench",
    "warmup",  "iterations",  "threads",       "json"};

struct Options {
  cl::opt<std::string> modelPath{cl::Positional, cl::desc("<model.so>"),
                                 cl::Required, cl::cat(category)};
  cl::list<std::string> inputFiles{
      "input", cl::desc("Input tensor from a .npy or .pb file"),
      cl::value_desc("NAME=FILE"), cl::cat(category)};
  cl::opt<std::string> inputDir{
      "input-dir",
      cl::desc("Inputs by order from DIR/input_<i>.pb (an ONNX "
               "test_data_set directory)"),
      cl::value_desc("DIR"), cl::cat(category)};
  cl::opt<bool> randomInputs{"random-inputs",
                             cl::desc("Random data for inputs not given "
                                      "(floats in [-1,1], ints in [0,3])"),
                             cl::cat(category)};
  cl::opt<uint64_t> seed{"seed", cl::desc("Seed for --random-inputs"),
                         cl::init(0), cl::cat(category)};
  cl::opt<std::string> outputDir{
      "output-dir", cl::desc("Write each output to DIR/<name>.npy"),
      cl::value_desc("DIR"), cl::cat(category)};
  cl::list<std::string> compareFiles{
      "compare", cl::desc("Compare an output with a .npy or .pb reference"),
      cl::value_desc("NAME=FILE"), cl::cat(category)};
  cl::opt<std::string> compareDir{
      "compare-dir",
      cl::desc("Compare outputs by order with DIR/output_<i>.pb"),
      cl::value_desc("DIR"), cl::cat(category)};
  cl::opt<double> relTol{"rtol", cl::desc("Relative tolerance (default 1e-3)"),
                         cl::init(1e-3), cl::cat(category)};
  cl::opt<double> absTol{"atol", cl::desc("Absolute tolerance (default 1e-5)"),
                         cl::init(1e-5), cl::cat(category)};
  cl::opt<bool> bench{"bench", cl::desc("Time the model"), cl::cat(category)};
  cl::opt<int> warmup{"warmup", cl::desc("Untimed runs before --bench timing"),
                      cl::init(5), cl::cat(category)};
  cl::opt<int> iterations{"iterations", cl::desc("Timed runs for --bench"),
                          cl::init(20), cl::cat(category)};
  cl::opt<int> threads{"threads",
                       cl::desc("Threads per run (0 = one per CPU, default 1)"),
                       cl::init(1), cl::cat(category)};
  cl::opt<bool> json{"json",
                     cl::desc("Print one JSON object on stdout (nothing else)"),
                     cl::cat(category)};
};

enum ExitCode { kOk = 0, kMismatch = 1, kError = 2 };

[[noreturn]] void fatal(const llvm::Twine &msg) {
  llvm::outs().flush();
  llvm::errs() << "kiln-run: error: " << msg << "\n";
  std::exit(kError);
}

template <typename T> T check(llvm::Expected<T> v) {
  if (!v)
    fatal(llvm::toString(v.takeError()));
  return std::move(*v);
}

void check(llvm::Error e) {
  if (e)
    fatal(llvm::toString(std::move(e)));
}

/// Splits NAME=FILE.
std::pair<std::string, std::string> splitNameFile(StringRef arg,
                                                  StringRef flag) {
  size_t eq = arg.find('=');
  if (eq == StringRef::npos || eq == 0 || eq + 1 == arg.size())
    fatal("--" + flag + " expects NAME=FILE, got '" + arg + "'");
  return {arg.substr(0, eq).str(), arg.substr(eq + 1).str()};
}

std::string nameList(const std::vector<kiln::TensorInfo> &infos) {
  std::string s;
  for (const auto &t : infos)
    s += (s.empty() ? "'" : ", '") + t.name + "'";
  return s.empty() ? "none" : s;
}

int findByName(const std::vector<kiln::TensorInfo> &infos, StringRef name) {
  for (size_t i = 0; i < infos.size(); ++i)
    if (infos[i].name == name)
      return static_cast<int>(i);
  return -1;
}

/// The inputs/outputs NAME[0], NAME[1], ... that carry the elements of
/// sequence NAME (kiln-compile --sequence-length flattens a sequence so).
std::vector<int> sequenceElements(const std::vector<kiln::TensorInfo> &infos,
                                  StringRef name) {
  std::vector<int> idx;
  while (true) {
    std::string element = (name + "[" + llvm::Twine(idx.size()) + "]").str();
    int i = findByName(infos, element);
    if (i < 0)
      return idx;
    idx.push_back(i);
  }
}

/// Checks that a tensor read from `file` fits input/output `info`.
void checkFits(const HostTensor &t, const kiln::TensorInfo &info,
               StringRef kind, StringRef file, bool allowOtherDtype) {
  if (!allowOtherDtype && t.dtype() != info.dtype)
    fatal(llvm::formatv("{0} '{1}': expected dtype {2}, got {3} (from {4})",
                        kind, info.name, kiln_dtype_name(info.dtype),
                        kiln_dtype_name(t.dtype()), file)
              .str());
  if (t.shape() != info.shape)
    fatal(llvm::formatv("{0} '{1}': expected shape {2}, got {3} (from {4})",
                        kind, info.name, formatShape(info.shape),
                        formatShape(t.shape()), file)
              .str());
}

/// A file name for output `name`: characters other than [A-Za-z0-9._-]
/// become '_'.
std::string sanitize(StringRef name, size_t index) {
  std::string s;
  for (char c : name)
    s += (llvm::isAlnum(c) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (s.empty() || s == "." || s == "..")
    s = "output_" + std::to_string(index);
  return s;
}

struct Comparison {
  double maxAbs = 0, maxRel = 0;
  int64_t mismatches = 0;
  int64_t firstBad = -1;
  bool ok() const { return mismatches == 0; }
};

/// |a-b| <= atol + rtol*|b| elementwise; NaN equals NaN, inf equals inf.
Comparison compare(const HostTensor &got, const HostTensor &ref, double atol,
                   double rtol) {
  Comparison c;
  for (int64_t i = 0; i < got.numElements(); ++i) {
    double a = got.getDouble(i), b = ref.getDouble(i);
    // Equal values match, NaN matches NaN (and only NaN); not compared with
    // the tolerance, which is NaN for a NaN reference.
    if (a == b || (std::isnan(a) && std::isnan(b)))
      continue;
    double diff, rel;
    if (std::isnan(a) || std::isnan(b) || std::isinf(a) || std::isinf(b)) {
      diff = rel = INFINITY;
    } else {
      diff = std::fabs(a - b);
      rel = b != 0 ? diff / std::fabs(b) : INFINITY;
    }
    c.maxAbs = std::max(c.maxAbs, diff);
    c.maxRel = std::max(c.maxRel, rel);
    if (!(diff <= atol + rtol * std::fabs(b))) {
      if (c.firstBad < 0)
        c.firstBad = i;
      ++c.mismatches;
    }
  }
  return c;
}

std::string indexString(llvm::ArrayRef<int64_t> shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return formatShape(idx);
}

/// "%g" with `digits` significant digits.
std::string num(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}

llvm::json::Value number(double v) {
  if (!std::isfinite(v))
    return nullptr;
  return v;
}

std::string valuesPreview(const HostTensor &t) {
  std::string s = "[";
  int64_t n = std::min<int64_t>(t.numElements(), 8);
  for (int64_t i = 0; i < n; ++i)
    s += (i ? ", " : "") + num(t.getDouble(i));
  if (t.numElements() > n)
    s += ", ...";
  return s + "]";
}

double percentile(std::vector<double> sorted, double p) {
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  if (p == 50 && n % 2 == 0)
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * n));
  return sorted[rank ? rank - 1 : 0];
}

} // namespace

int main(int argc, char **argv) {
  auto &registered = cl::getRegisteredOptions();
  for (const char *name : kFlagNames) {
    auto it = registered.find(name);
    if (it != registered.end())
      it->second->removeArgument();
  }
  Options opt;
  cl::HideUnrelatedOptions(category);
  std::string clErrors;
  llvm::raw_string_ostream clErrStream(clErrors);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "kiln-run: run a model compiled by kiln-compile\n\n"
          "Exit codes: 0 ok, 1 a --compare mismatch, 2 an error.\n",
          &clErrStream)) {
    StringRef msg = StringRef(clErrors).trim();
    msg = msg.split('\n').first.trim();
    if (msg.consume_front(StringRef(argv[0]).str() + ": ") ||
        msg.consume_front("kiln-run: "))
      msg = msg.ltrim();
    fatal(msg.empty() ? StringRef("invalid command line") : msg);
  }
  if (opt.threads < 0)
    fatal("--threads must be >= 0");
  if (opt.bench && (opt.warmup < 0 || opt.iterations < 1))
    fatal("--bench needs --warmup >= 0 and --iterations >= 1");
  if (!(opt.relTol >= 0) || !(opt.absTol >= 0))
    fatal("--rtol and --atol must be >= 0");

  // Load the model.
  kiln::Model model;
  if (kiln::Model::tryLoad(opt.modelPath.c_str(), model) != KILN_OK)
    fatal(kiln_last_error());
  if (model.trySetThreads(opt.threads) != KILN_OK)
    fatal(kiln_last_error());
  std::vector<kiln::TensorInfo> inInfo = model.inputs(),
                                outInfo = model.outputs();

  // Inputs: --input NAME=FILE, then --input-dir, then --random-inputs.
  std::vector<std::optional<HostTensor>> inputs(inInfo.size());
  for (const std::string &arg : opt.inputFiles) {
    auto [name, file] = splitNameFile(arg, "input");
    int idx = findByName(inInfo, name);
    std::vector<int> elems;
    if (idx < 0 && !(elems = sequenceElements(inInfo, name)).empty()) {
      // A sequence (or an optional sequence) from a .pb file.
      std::vector<HostTensor> ts = check(readSequenceProto(file));
      if (ts.size() != elems.size())
        fatal(llvm::formatv("input '{0}': the model takes a sequence of {1} "
                            "tensors, {2} has {3}",
                            name, elems.size(), file, ts.size())
                  .str());
      for (size_t k = 0; k < elems.size(); ++k) {
        if (inputs[elems[k]])
          fatal("input '" + inInfo[elems[k]].name + "' given twice");
        checkFits(ts[k], inInfo[elems[k]], "input", file,
                  /*allowOtherDtype=*/false);
        inputs[elems[k]] = std::move(ts[k]);
      }
      continue;
    }
    if (idx < 0)
      fatal("unknown input '" + name +
            "' (the model's inputs: " + nameList(inInfo) + ")");
    if (inputs[idx])
      fatal("input '" + name + "' given twice");
    const kiln::TensorInfo &info = inInfo[idx];
    HostTensor t = check(readTensorFile(file, info.dtype));
    checkFits(t, info, "input", file, /*allowOtherDtype=*/false);
    inputs[idx] = std::move(t);
  }
  if (!opt.inputDir.empty()) {
    if (!llvm::sys::fs::is_directory(opt.inputDir))
      fatal(opt.inputDir + ": not a directory");
    for (size_t i = 0; i < inInfo.size(); ++i) {
      if (inputs[i])
        continue;
      llvm::SmallString<256> file(opt.inputDir);
      llvm::sys::path::append(file, "input_" + std::to_string(i) + ".pb");
      if (!llvm::sys::fs::exists(file))
        continue;
      HostTensor t = check(readTensorProto(file));
      checkFits(t, inInfo[i], "input", file, /*allowOtherDtype=*/false);
      inputs[i] = std::move(t);
    }
  }
  std::mt19937_64 rng(opt.seed);
  for (size_t i = 0; i < inInfo.size(); ++i) {
    if (inputs[i])
      continue;
    if (!opt.randomInputs)
      fatal("no data for input '" + inInfo[i].name + "' (give --input " +
            inInfo[i].name + "=FILE or --random-inputs)");
    HostTensor t = check(HostTensor::create(inInfo[i].dtype, inInfo[i].shape));
    fillRandom(t, rng);
    inputs[i] = std::move(t);
  }

  // References: --compare NAME=FILE, then --compare-dir.
  std::vector<std::optional<HostTensor>> refs(outInfo.size());
  std::vector<std::string> refFiles(outInfo.size());
  auto addRef = [&](int idx, StringRef file, HostTensor t) {
    const kiln::TensorInfo &info = outInfo[idx];
    checkFits(t, info, "output", file, /*allowOtherDtype=*/true);
    refs[idx] = std::move(t);
    refFiles[idx] = file.str();
  };
  for (const std::string &arg : opt.compareFiles) {
    auto [name, file] = splitNameFile(arg, "compare");
    int idx = findByName(outInfo, name);
    std::vector<int> elems;
    if (idx < 0 && !(elems = sequenceElements(outInfo, name)).empty()) {
      std::vector<HostTensor> ts = check(readSequenceProto(file));
      if (ts.size() != elems.size())
        fatal(llvm::formatv("output '{0}': the model returns a sequence of "
                            "{1} tensors, {2} has {3}",
                            name, elems.size(), file, ts.size())
                  .str());
      for (size_t k = 0; k < elems.size(); ++k) {
        if (refs[elems[k]])
          fatal("output '" + outInfo[elems[k]].name + "' compared twice");
        addRef(elems[k], file, std::move(ts[k]));
      }
      continue;
    }
    if (idx < 0)
      fatal("unknown output '" + name +
            "' in --compare (the model's "
            "outputs: " +
            nameList(outInfo) + ")");
    if (refs[idx])
      fatal("output '" + name + "' compared twice");
    addRef(idx, file, check(readTensorFile(file, outInfo[idx].dtype)));
  }
  if (!opt.compareDir.empty()) {
    if (!llvm::sys::fs::is_directory(opt.compareDir))
      fatal(opt.compareDir + ": not a directory");
    bool any = false;
    for (size_t i = 0; i < outInfo.size(); ++i) {
      llvm::SmallString<256> file(opt.compareDir);
      llvm::sys::path::append(file, "output_" + std::to_string(i) + ".pb");
      if (!llvm::sys::fs::exists(file))
        continue;
      any = true;
      if (!refs[i])
        addRef(static_cast<int>(i), file, check(readTensorProto(file)));
    }
    if (!any)
      fatal(opt.compareDir + ": no output_<i>.pb files");
  }
  bool comparing = !opt.compareFiles.empty() || !opt.compareDir.empty();

  // Buffers and the run.
  std::vector<HostTensor> outputs;
  for (const auto &info : outInfo)
    outputs.push_back(check(HostTensor::create(info.dtype, info.shape)));
  kiln::Workspace workspace;
  if (!workspace.allocate(model.workspaceSize()))
    fatal(llvm::formatv("out of memory allocating a {0}-byte workspace",
                        model.workspaceSize())
              .str());
  std::vector<kiln_tensor> inT, outT;
  for (auto &t : inputs)
    inT.push_back({t->data(), t->dtype(),
                   static_cast<int32_t>(t->shape().size()), t->shape().data()});
  for (auto &t : outputs)
    outT.push_back({t.data(), t.dtype(), static_cast<int32_t>(t.shape().size()),
                    t.shape().data()});
  if (model.tryRunChecked(inT, outT, workspace.data()) != KILN_OK)
    fatal(kiln_last_error());

  std::vector<double> times;
  if (opt.bench) {
    std::vector<const void *> inP;
    std::vector<void *> outP;
    for (auto &t : inputs)
      inP.push_back(t->data());
    for (auto &t : outputs)
      outP.push_back(t.data());
    for (int i = 0; i < opt.warmup + opt.iterations; ++i) {
      auto start = std::chrono::steady_clock::now();
      if (model.tryRun(inP, outP, workspace.data()) != KILN_OK)
        fatal(kiln_last_error());
      auto end = std::chrono::steady_clock::now();
      if (i >= opt.warmup)
        times.push_back(
            std::chrono::duration<double, std::milli>(end - start).count());
    }
  }

  // Outputs to files.
  if (!opt.outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(opt.outputDir))
      fatal(opt.outputDir + ": " + ec.message());
    llvm::StringSet<> used;
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string base = sanitize(outInfo[i].name, i);
      if (!used.insert(base).second)
        base += "_" + std::to_string(i);
      used.insert(base);
      llvm::SmallString<256> file(opt.outputDir);
      llvm::sys::path::append(file, base + ".npy");
      check(writeNpy(file, outputs[i]));
    }
  }

  // Comparison and the report.
  bool allOk = true;
  llvm::json::Object outJson;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const kiln::TensorInfo &info = outInfo[i];
    llvm::json::Object o;
    o["shape"] = llvm::json::Array(
        llvm::ArrayRef<int64_t>(info.shape.data(), info.shape.size()));
    o["dtype"] = kiln_dtype_name(info.dtype);
    std::string line =
        llvm::formatv("{0}: {1} {2} = {3}", info.name,
                      kiln_dtype_name(info.dtype), formatShape(info.shape),
                      valuesPreview(outputs[i]))
            .str();
    if (refs[i]) {
      Comparison c = compare(outputs[i], *refs[i], opt.absTol, opt.relTol);
      allOk &= c.ok();
      o["max_abs_err"] = number(c.maxAbs);
      o["max_rel_err"] = number(c.maxRel);
      o["ok"] = c.ok();
      line += llvm::formatv("\n  vs {0}: max_abs_err={1} max_rel_err={2} {3}",
                            refFiles[i], num(c.maxAbs, 3), num(c.maxRel, 3),
                            c.ok() ? "ok" : "MISMATCH")
                  .str();
      if (!c.ok())
        line += llvm::formatv("\n  {0} of {1} elements outside atol={2} + "
                              "rtol={3}*|ref|; first at {4}: got {5}, "
                              "expected {6}",
                              c.mismatches, outputs[i].numElements(),
                              num(opt.absTol), num(opt.relTol),
                              indexString(info.shape, c.firstBad),
                              num(outputs[i].getDouble(c.firstBad), 9),
                              num(refs[i]->getDouble(c.firstBad), 9))
                    .str();
    } else if (comparing) {
      line += "\n  (no reference)";
    }
    outJson[info.name] = std::move(o);
    if (!opt.json)
      llvm::outs() << line << "\n";
  }

  llvm::json::Object report;
  report["outputs"] = std::move(outJson);
  report["workspace_bytes"] = static_cast<int64_t>(model.workspaceSize());
  if (opt.bench) {
    double median = percentile(times, 50), p90 = percentile(times, 90);
    report["bench"] =
        llvm::json::Object{{"median_ms", median},
                           {"p90_ms", p90},
                           {"iterations", static_cast<int64_t>(opt.iterations)},
                           {"threads", static_cast<int64_t>(model.threads())}};
    if (!opt.json)
      llvm::outs() << llvm::formatv(
          "bench: median {0} ms, p90 {1} ms ({2} iterations, {3} "
          "warm-up, {4} thread{5})\n",
          num(median, 4), num(p90, 4), int(opt.iterations), int(opt.warmup),
          model.threads(), model.threads() == 1 ? "" : "s");
  }
  if (opt.json)
    llvm::outs() << llvm::json::Value(std::move(report)) << "\n";
  if (comparing && !allOk) {
    llvm::outs().flush();
    if (!opt.json)
      llvm::errs() << "kiln-run: outputs differ from the reference\n";
    return kMismatch;
  }
  return kOk;
}
