//===- lower-copies.cpp - kiln-lower-copies -------------------------------===//
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

#define DEBUG_TYPE "kiln-lower-copies"

namespace kiln {
#define GEN_PASS_DEF_LOWERCOPIESPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
/// The test the memref-to-LLVM lowering makes before it copies with memcpy
/// (anything else becomes a call to the memrefCopy runtime helper, which
/// models do not link).
bool isContiguous(Type type) {
  auto m = cast<MemRefType>(type);
  return m.getLayout().isIdentity() ||
         memref::isStaticShapeAndContiguousRowMajor(m);
}

struct LowerCopiesPass : kiln::impl::LowerCopiesPassBase<LowerCopiesPass> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      if (isContiguous(copy.getSource().getType()) &&
          isContiguous(copy.getTarget().getType()))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
