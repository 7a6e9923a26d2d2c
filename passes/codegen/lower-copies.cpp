//===- lower-copies.cpp - kiln-lower-copies -------------------------------===//
#include "passes/codegen/Passes.h"

#define DEBUG_TYPE "kiln-lower-copies"

namespace kiln {
#define GEN_PASS_DEF_LOWERCOPIESPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
bool isContiguous(Type type) {
  auto m = cast<MemRefType>(type);
  return m.getLayout().isIdentity() || m.areTrailingDimsContiguous(m.getRank());
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
