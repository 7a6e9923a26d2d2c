//===- lower-checks.cpp - kiln-lower-checks -------------------------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#define DEBUG_TYPE "kiln-lower-checks"

namespace kiln {
#define GEN_PASS_DEF_LOWERCHECKSPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct LowerChecksPass : kiln::impl::LowerChecksPassBase<LowerChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> checks;
    module.walk([&](cf::AssertOp op) { checks.push_back(op); });
    if (checks.empty())
      return;
    auto main = module.lookupSymbol<func::FuncOp>("main");
    for (cf::AssertOp op : checks) {
      if (!main || op->getParentOfType<func::FuncOp>() != main) {
        op.emitError("run-time check outside the entry function 'main'");
        return signalPassFailure();
      }
    }
    if (main.getBody().empty())
      return;

    // One status word for the run: 0, or the 1-based number of the first
    // check that failed.
    OpBuilder b = OpBuilder::atBlockBegin(&main.getBody().front());
    Location loc = main.getLoc();
    Type i32 = b.getI32Type();
    Value status = memref::AllocaOp::create(b, loc, MemRefType::get({}, i32));
    Value zero = arith::ConstantIntOp::create(b, loc, i32, 0);
    memref::StoreOp::create(b, loc, zero, status);

    SmallVector<Attribute> messages;
    for (cf::AssertOp op : checks) {
      b.setInsertionPoint(op);
      Location l = op.getLoc();
      messages.push_back(op.getMsgAttr());
      Value code =
          arith::ConstantIntOp::create(b, l, i32, int64_t(messages.size()));
      Value zeroHere = arith::ConstantIntOp::create(b, l, i32, 0);
      Value trueV = arith::ConstantIntOp::create(b, l, b.getI1Type(), 1);
      Value failed = arith::XOrIOp::create(b, l, op.getArg(), trueV);
      Value current = memref::LoadOp::create(b, l, status);
      Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                          current, zeroHere);
      Value record = arith::AndIOp::create(b, l, failed, first);
      Value next = arith::SelectOp::create(b, l, record, code, current);
      memref::StoreOp::create(b, l, next, status);
      op.erase();
    }

    // main returns the status word.
    SmallVector<Type> results(main.getResultTypes());
    results.push_back(i32);
    main.setType(
        FunctionType::get(&getContext(), main.getArgumentTypes(), results));
    main.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      Value s = memref::LoadOp::create(b, ret.getLoc(), status);
      ret.getOperandsMutable().append(s);
    });
    module->setAttr("kiln.check_messages", b.getArrayAttr(messages));
  }
};
} // namespace
