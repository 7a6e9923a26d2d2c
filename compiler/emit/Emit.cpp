//===- Emit.cpp - LLVM dialect -> object -> model .so ---------------------===//
#include "compiler/emit/Emit.h"
#include "targets/cpu/Targets.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "lld/Common/Driver.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>
#include <unistd.h>

LLD_HAS_DRIVER(elf)

using namespace mlir;

namespace kiln {
namespace {

llvm::Error err(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

void initTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

/// Folder of the runtime built for a triple (Debian's multiarch name).
std::string multiarch(const llvm::Triple &t) {
  return cpu::getTargetInfo(t.str()).libDir;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options) {
  initTargets();
  cpu::TargetInfo info = cpu::getTargetInfo(resolveTriple(options));
  llvm::Triple triple(info.triple);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return err("unsupported target '" + triple.str() + "': " + error);
  std::string cpu = cpu::resolveCPU(info, options.cpu);
  std::string features = options.features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    std::string hostFeatures;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      hostFeatures += (hostFeatures.empty() ? "" : ",") +
                      std::string(f.second ? "+" : "-") + f.first().str();
    features = features.empty() ? hostFeatures : hostFeatures + "," + features;
  } else if (!info.baseFeatures.empty()) {
    // The ISA baseline the target promises (NEON on armv7, rv64gc).
    features = features.empty() ? info.baseFeatures
                                : info.baseFeatures + "," + features;
  }
  llvm::TargetOptions to;
  to.MCOptions.ABIName = info.abi;
  // Loops start on a cache line on x86-64 (LLVM's default is 16 bytes):
  // where a hot kernel loop begins within its line otherwise decides how
  // many lines its body spans, which moved a 3x3 conv's time by ~15% from
  // one build to the next.
  if (triple.isX86() && options.optLevel >= 2)
    to.LoopAlignment = 64;
  auto level = options.optLevel <= 0   ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to,
      info.bareMetal ? llvm::Reloc::Static : llvm::Reloc::PIC_, std::nullopt,
      level));
  if (!tm)
    return err("cannot create a target machine for '" + triple.str() +
               "' with cpu '" + cpu + "'");
  if (!options.cpu.empty() && options.cpu != "native" &&
      !tm->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return err("unknown --cpu '" + cpu + "' for target " + triple.str());
  return std::move(tm);
}

llvm::GlobalVariable *makeString(llvm::Module &m, llvm::StringRef s,
                                 const llvm::Twine &name) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *init = llvm::ConstantDataArray::getString(ctx, s, true);
  auto *gv = new llvm::GlobalVariable(
      m, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, name);
  gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return gv;
}

/// Rewrites every constant global of the LLVM dialect module into a flat byte
/// array holding the same bytes. Users only take the global's address (typed
/// GEPs do the indexing), so this changes nothing for them, but the
/// translation then copies each weight once as raw bytes and the assembler
/// writes it as one blob, instead of element by element.
void flattenWeights(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto i8 = IntegerType::get(ctx, 8);
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    if (!global.getConstant())
      continue;
    auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
    if (!value)
      continue;
    Type elt = value.getElementType();
    if (!elt.isIntOrFloat() || elt.getIntOrFloatBitWidth() % 8 != 0)
      continue;
    int64_t bytes = value.getNumElements() * (elt.getIntOrFloatBitWidth() / 8);
    if (bytes < 4096)
      continue;
    auto flatTensor = RankedTensorType::get({bytes}, i8);
    Attribute flat;
    if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
      flat = DenseResourceElementsAttr::get(flatTensor, res.getRawHandle());
    } else if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
      if (dense.isSplat())
        continue;
      flat =
          DenseElementsAttr::getFromRawBuffer(flatTensor, dense.getRawData());
    } else {
      continue;
    }
    global.setValueAttr(flat);
    global.setGlobalType(LLVM::LLVMArrayType::get(i8, bytes));
  }
}

/// Defines kiln_dispatch_N (declared by kiln-outline-parallel) and the
/// trampoline the thread pool calls, for every outlined body kiln_par_N.
llvm::Error addDispatchGlue(llvm::Module &m) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptrTy = llvm::PointerType::get(ctx, 0);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *voidTy = llvm::Type::getVoidTy(ctx);
  auto *trampTy = llvm::FunctionType::get(voidTy, {i64, ptrTy}, false);
  llvm::FunctionCallee parallelFor = m.getOrInsertFunction(
      "kiln_rt_parallel_for",
      llvm::FunctionType::get(voidTy, {ptrTy, i64, ptrTy, ptrTy}, false));
  for (llvm::Function &f : llvm::make_early_inc_range(m)) {
    if (!f.isDeclaration() || !f.getName().starts_with("kiln_dispatch_"))
      continue;
    std::string n = f.getName().drop_front(strlen("kiln_dispatch_")).str();
    llvm::Function *body = m.getFunction("kiln_par_" + n);
    if (!body)
      return err("internal: no body for " + f.getName());
    unsigned numRoots = f.arg_size() - 2;
    for (unsigned i = 0; i < numRoots; ++i)
      if (!f.getArg(i + 2)->getType()->isPointerTy())
        return err("internal: non-pointer capture in " + f.getName());
    // void kiln_tramp_N(i64 i, ptr args) { kiln_par_N(i, args[0], ...); }
    auto *tramp = llvm::Function::Create(
        trampTy, llvm::GlobalValue::InternalLinkage, "kiln_tramp_" + n, m);
    {
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", tramp));
      SmallVector<llvm::Value *> args{tramp->getArg(0)};
      for (unsigned i = 0; i < numRoots; ++i)
        args.push_back(b.CreateLoad(
            ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, tramp->getArg(1), i)));
      b.CreateCall(body, args);
      b.CreateRetVoid();
    }
    // void kiln_dispatch_N(ptr rt, i64 n, ptr roots...) {
    //   ptr args[] = {roots...}; kiln_rt_parallel_for(rt, n, tramp, args); }
    f.setLinkage(llvm::GlobalValue::InternalLinkage);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", &f));
    auto *arrTy = llvm::ArrayType::get(ptrTy, std::max(numRoots, 1u));
    llvm::Value *arr = b.CreateAlloca(arrTy);
    for (unsigned i = 0; i < numRoots; ++i)
      b.CreateStore(f.getArg(i + 2),
                    b.CreateConstInBoundsGEP2_64(arrTy, arr, 0, i));
    b.CreateCall(parallelFor, {f.getArg(0), f.getArg(1), tramp, arr});
    b.CreateRetVoid();
    body->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  return llvm::Error::success();
}

/// Defines the run wrapper and kiln_model_get_abi (see kiln/model_abi.h).
/// For a static object (`staticName` not empty) the ABI getter is
/// <name>_get_abi and <name>_run(inputs..., outputs..., workspace, rt) calls
/// the model directly, so several models link into one program.
llvm::Error addModelABI(llvm::Module &m, const ModelDesc &desc,
                        uint64_t workspaceSize,
                        ArrayRef<std::string> checkMessages,
                        llvm::StringRef triple, llvm::StringRef staticName) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptrTy = llvm::PointerType::get(ctx, 0);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Function *mainFn = m.getFunction("main");
  if (!mainFn)
    return err("internal: no main function after lowering");
  size_t nIn = desc.inputs.size(), nOut = desc.outputs.size();
  if (mainFn->arg_size() != nIn + nOut + 2)
    return err("internal: main has " + llvm::Twine(mainFn->arg_size()) +
               " arguments, expected " + llvm::Twine(nIn + nOut + 2));
  mainFn->setName("kiln_model_main");
  mainFn->setLinkage(llvm::GlobalValue::InternalLinkage);
  // main returns the status of its run-time checks (kiln-lower-checks), or
  // nothing when it has none.
  bool hasStatus = mainFn->getReturnType()->isIntegerTy(32);
  auto callMain = [&](llvm::IRBuilder<> &b, ArrayRef<llvm::Value *> args) {
    llvm::Value *rc = b.CreateCall(mainFn, args);
    b.CreateRet(hasStatus ? rc : llvm::ConstantInt::get(i32, 0));
  };

  // int32_t run(void *const *in, void *const *out, void *ws, kiln_rt *rt)
  auto *runTy =
      llvm::FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy}, false);
  auto *run = llvm::Function::Create(runTy, llvm::GlobalValue::InternalLinkage,
                                     "kiln_model_run", m);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", run));
    SmallVector<llvm::Value *> args;
    for (size_t i = 0; i < nIn; ++i)
      args.push_back(b.CreateLoad(
          ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, run->getArg(0), i)));
    for (size_t i = 0; i < nOut; ++i)
      args.push_back(b.CreateLoad(
          ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, run->getArg(1), i)));
    args.push_back(run->getArg(2));
    args.push_back(run->getArg(3));
    callMain(b, args);
  }

  auto *tensorTy = llvm::StructType::create(ctx, {ptrTy, i32, i32, ptrTy},
                                            "kiln_abi_tensor");
  auto tensors = [&](const std::vector<TensorDesc> &list,
                     llvm::StringRef kind) -> llvm::Constant * {
    SmallVector<llvm::Constant *> elems;
    for (auto [i, t] : llvm::enumerate(list)) {
      llvm::Constant *dims = llvm::ConstantPointerNull::get(ptrTy);
      if (!t.dims.empty()) {
        auto *init =
            llvm::ConstantDataArray::get(ctx, ArrayRef<int64_t>(t.dims));
        auto *gv = new llvm::GlobalVariable(
            m, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init,
            "kiln_" + kind + "_dims_" + llvm::Twine(i));
        dims = gv;
      }
      elems.push_back(llvm::ConstantStruct::get(
          tensorTy, {makeString(m, t.name, "kiln_" + kind + "_name"),
                     llvm::ConstantInt::get(i32, t.dtype),
                     llvm::ConstantInt::get(i32, t.dims.size()), dims}));
    }
    if (elems.empty())
      return llvm::ConstantPointerNull::get(ptrTy);
    auto *arrTy = llvm::ArrayType::get(tensorTy, elems.size());
    return new llvm::GlobalVariable(
        m, arrTy, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantArray::get(arrTy, elems), "kiln_" + kind);
  };
  llvm::Constant *messages = llvm::ConstantPointerNull::get(ptrTy);
  if (!checkMessages.empty()) {
    SmallVector<llvm::Constant *> strs;
    for (const std::string &msg : checkMessages)
      strs.push_back(makeString(m, msg, "kiln_check_message"));
    auto *arrTy = llvm::ArrayType::get(ptrTy, strs.size());
    messages = new llvm::GlobalVariable(
        m, arrTy, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantArray::get(arrTy, strs), "kiln_check_messages");
  }
  auto *abiTy = llvm::StructType::create(
      ctx,
      {i32, i32, i32, i32, ptrTy, ptrTy, i64, i64, ptrTy, ptrTy, ptrTy, ptrTy},
      "kiln_model_abi");
  constexpr uint32_t kAbiVersion = 2; // KILN_MODEL_ABI_VERSION
  llvm::Constant *abiInit = llvm::ConstantStruct::get(
      abiTy,
      {llvm::ConstantInt::get(i32, kAbiVersion),
       llvm::ConstantInt::get(i32, nIn), llvm::ConstantInt::get(i32, nOut),
       llvm::ConstantInt::get(i32, checkMessages.size()),
       tensors(desc.inputs, "inputs"), tensors(desc.outputs, "outputs"),
       llvm::ConstantInt::get(i64, workspaceSize),
       llvm::ConstantInt::get(i64, 64),
       makeString(m, "kiln-compile 0.1", "kiln_producer"),
       makeString(m, triple, "kiln_target"), run, messages});
  auto *abi = new llvm::GlobalVariable(
      m, abiTy, true, llvm::GlobalValue::PrivateLinkage, abiInit, "kiln_abi");
  auto *getAbi = llvm::Function::Create(
      llvm::FunctionType::get(ptrTy, false), llvm::GlobalValue::ExternalLinkage,
      staticName.empty() ? llvm::Twine("kiln_model_get_abi")
                         : staticName + "_get_abi",
      m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", getAbi));
  b.CreateRet(abi);
  if (staticName.empty())
    return llvm::Error::success();

  // int32_t <name>_run(in..., out..., void *workspace, kiln_rt *rt)
  SmallVector<llvm::Type *> params(nIn + nOut + 2, ptrTy);
  auto *direct = llvm::Function::Create(
      llvm::FunctionType::get(i32, params, false),
      llvm::GlobalValue::ExternalLinkage, staticName + "_run", m);
  llvm::IRBuilder<> d(llvm::BasicBlock::Create(ctx, "entry", direct));
  SmallVector<llvm::Value *> args;
  for (llvm::Argument &a : direct->args())
    args.push_back(&a);
  callMain(d, args);
  return llvm::Error::success();
}

llvm::Error writeFile(llvm::StringRef path,
                      llvm::function_ref<void(llvm::raw_pwrite_stream &)> fn) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return err("cannot write '" + path + "': " + ec.message());
  fn(out.os());
  out.keep();
  return llvm::Error::success();
}

/// The newest /usr/lib/gcc-cross/<arch>/<version>/libgcc.a ("" if none).
std::string findCrossLibgcc(llvm::StringRef arch) {
  std::string best;
  int bestVersion = -1;
  std::error_code ec;
  std::string dir = "/usr/lib/gcc-cross/" + arch.str();
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    int version = 0;
    if (llvm::StringRef(llvm::sys::path::filename(it->path()))
            .split('.')
            .first.getAsInteger(10, version))
      continue;
    std::string lib = it->path() + "/libgcc.a";
    if (version > bestVersion && llvm::sys::fs::exists(lib)) {
      best = lib;
      bestVersion = version;
    }
  }
  return best;
}

llvm::Error linkSharedObject(llvm::StringRef objPath,
                             llvm::StringRef runtimeLib, llvm::StringRef output,
                             const llvm::Triple &triple) {
  if (!llvm::sys::fs::exists(runtimeLib))
    return err("the Kiln runtime for " + triple.str() + " was not found at '" +
               runtimeLib + "'");
  SmallString<128> script;
  int fd;
  if (auto ec =
          llvm::sys::fs::createTemporaryFile("kiln-exports", "map", fd, script))
    return err("cannot create a temporary file: " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << "{ global: kiln_model_get_abi; kiln_rt_create; kiln_rt_destroy; "
          "local: *; };\n";
  }
  std::string arch = multiarch(triple);
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  std::vector<std::string> libDirs;
  if (multiarch(host) == arch) {
    libDirs = {"/usr/lib/" + arch, "/lib/" + arch};
  } else {
    libDirs = {"/usr/" + arch + "/lib"};
  }
  std::vector<std::string> args = {
      "ld.lld", "-shared", "-o", output.str(), "--version-script",
      script.str().str(), "-z", "noexecstack", "-z", "now", "--hash-style=gnu",
      "--as-needed",
      // The runtime's entry points are exported
      // even when no kernel calls into it (a
      // model without parallel loops).
      "--undefined=kiln_rt_create", "--undefined=kiln_rt_destroy", "-soname",
      llvm::sys::path::filename(output).str(), objPath.str(), runtimeLib.str()};
  for (const std::string &d : libDirs)
    args.push_back("-L" + d);
  args.push_back("-lm");
  args.push_back("-lc");
  // Helpers LLVM calls on some targets (64-bit division on ARMv7, half
  // conversions) come from the cross compiler's libgcc, linked in hidden.
  if (multiarch(host) != arch)
    if (std::string libgcc = findCrossLibgcc(arch); !libgcc.empty())
      args.push_back(libgcc);
  std::vector<const char *> argv;
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  std::string linkErrors;
  llvm::raw_string_ostream errOS(linkErrors);
  lld::Result r =
      lld::lldMain(argv, llvm::nulls(), errOS, {{lld::Gnu, &lld::elf::link}});
  llvm::sys::fs::remove(script);
  if (r.retCode != 0) {
    StringRef first = StringRef(linkErrors).split('\n').first;
    return err("linking failed: " + first);
  }
  return llvm::Error::success();
}
} // namespace

std::string resolveTriple(const TargetOptions &target) {
  return cpu::getTargetInfo(target.triple).triple;
}

std::string findRuntimeLibrary(StringRef triple, StringRef argv0) {
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0.str().c_str(), reinterpret_cast<void *>(&findRuntimeLibrary));
  SmallString<256> lib(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(lib, "..", "lib");
  SmallString<256> perTarget(lib);
  llvm::sys::path::append(perTarget, multiarch(llvm::Triple(triple)),
                          "libkiln_rt.a");
  if (llvm::sys::fs::exists(perTarget))
    return perTarget.str().str();
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  if (multiarch(host) == multiarch(llvm::Triple(triple))) {
    llvm::sys::path::append(lib, "libkiln_rt.a");
    return lib.str().str();
  }
  return perTarget.str().str();
}

llvm::Error emitModel(ModuleOp module, const ModelDesc &desc,
                      const TargetOptions &target, EmitKind kind,
                      StringRef runtimeLib, StringRef outputPath,
                      const StaticOptions &staticOptions) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  cpu::TargetInfo info = cpu::getTargetInfo(resolveTriple(target));
  if (info.bareMetal && kind == EmitKind::SharedObject)
    return err("target " + info.triple +
               " has no operating system to load a shared object: use "
               "--emit=static (model.o + model.h)");
  StaticOptions statik = staticOptions;
  if (kind == EmitKind::Static) {
    if (statik.name.empty())
      statik.name = cIdentifier(llvm::sys::path::stem(outputPath));
    if (statik.name != cIdentifier(statik.name))
      return err("--name '" + statik.name + "' is not a C identifier");
    if (statik.headerPath.empty()) {
      SmallString<128> h(outputPath);
      llvm::sys::path::replace_extension(h, "h");
      statik.headerPath = h.str().str();
    }
  }
  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);

  uint64_t workspace = 0;
  module.walk([&](Operation *op) {
    if (auto ws = op->getAttrOfType<IntegerAttr>("kiln.workspace_size"))
      workspace = ws.getInt();
  });
  std::vector<std::string> checkMessages;
  if (auto list = module->getAttrOfType<ArrayAttr>("kiln.check_messages"))
    for (Attribute a : list)
      checkMessages.push_back(cast<StringAttr>(a).str());

  flattenWeights(module);
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> m =
      translateModuleToLLVMIR(module, llvmCtx, "kiln_model");
  if (!m)
    return err("internal: translation to LLVM IR failed");
  m->setTargetTriple((*tm)->getTargetTriple());
  m->setDataLayout((*tm)->createDataLayout());
  if (auto e = addDispatchGlue(*m))
    return e;
  if (auto e = addModelABI(
          *m, desc, workspace, checkMessages, (*tm)->getTargetTriple().str(),
          kind == EmitKind::Static ? StringRef(statik.name) : StringRef()))
    return e;
  std::string verifyErrors;
  llvm::raw_string_ostream vs(verifyErrors);
  if (llvm::verifyModule(*m, &vs))
    return err("internal: invalid LLVM IR: " +
               StringRef(verifyErrors).split('\n').first);

  // Optimize.
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm->get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel level =
        target.optLevel <= 0   ? llvm::OptimizationLevel::O0
        : target.optLevel == 1 ? llvm::OptimizationLevel::O1
        : target.optLevel == 2 ? llvm::OptimizationLevel::O2
                               : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm = level == llvm::OptimizationLevel::O0
                                      ? pb.buildO0DefaultPipeline(level)
                                      : pb.buildPerModuleDefaultPipeline(level);
    mpm.run(*m, mam);
  }

  if (kind == EmitKind::LLVMIR)
    return writeFile(outputPath, [&](llvm::raw_pwrite_stream &os) {
      m->print(os, nullptr);
    });

  auto emitObject = [&](llvm::StringRef path) -> llvm::Error {
    std::error_code ec;
    llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
    if (ec)
      return err("cannot write '" + path + "': " + ec.message());
    llvm::legacy::PassManager pm;
    if ((*tm)->addPassesToEmitFile(pm, out.os(), nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
      return err("the target cannot emit object files");
    pm.run(*m);
    out.keep();
    return llvm::Error::success();
  };
  if (kind == EmitKind::Object)
    return emitObject(outputPath);
  if (kind == EmitKind::Static) {
    if (auto e = emitObject(outputPath))
      return e;
    std::string header =
        staticHeader(desc, statik, (*tm)->getTargetTriple().str(),
                     (*tm)->getTargetCPU(), workspace);
    return writeFile(statik.headerPath,
                     [&](llvm::raw_pwrite_stream &os) { os << header; });
  }

  SmallString<128> objPath;
  int fd;
  if (auto ec =
          llvm::sys::fs::createTemporaryFile("kiln-model", "o", fd, objPath))
    return err("cannot create a temporary file: " + ec.message());
  ::close(fd);
  auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove(objPath); });
  if (auto e = emitObject(objPath))
    return e;
  return linkSharedObject(objPath, runtimeLib, outputPath,
                          (*tm)->getTargetTriple());
}

} // namespace kiln
