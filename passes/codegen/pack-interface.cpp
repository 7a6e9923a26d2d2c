//===- pack-interface.cpp - kiln-pack-interface ---------------------------===//
//
// The model interface passes int4/uint4/float4 tensors packed two per byte and
// int2/uint2 four per byte, first element in the lowest bits (ONNX raw_data,
// kiln.h). Inside, such tensors take one byte per element. This pass gives
// the public functions' packed arguments and results the type
// tensor<ceil(N*bits/8) x i8> and unpacks/packs them at the boundary.
//
//===----------------------------------------------------------------------===//
#include "passes/codegen/Passes.h"

#include <numeric>

namespace kiln {
#define GEN_PASS_DEF_PACKINTERFACEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Elements per byte of a packed interface element type (0: not packed).
int64_t packFactor(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.getElementType().isIntOrFloat())
    return 0;
  unsigned bits = t.getElementType().getIntOrFloatBitWidth();
  return bits == 2 || bits == 4 ? 8 / bits : 0;
}

RankedTensorType packedType(RankedTensorType t) {
  int64_t k = packFactor(t);
  return RankedTensorType::get({(t.getNumElements() + k - 1) / k},
                               IntegerType::get(t.getContext(), 8));
}

/// `v` as a 1-D tensor (a view).
Value flatten(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto flat = RankedTensorType::get({t.getNumElements()}, t.getElementType());
  if (t.getRank() == 1)
    return v;
  if (t.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, flat, v,
                                         ArrayRef<ReassociationIndices>{});
  ReassociationIndices all(t.getRank());
  std::iota(all.begin(), all.end(), 0);
  return tensor::CollapseShapeOp::create(b, loc, flat, v,
                                         ArrayRef<ReassociationIndices>{all});
}

/// 1-D `v` reshaped to `type` (a view).
Value unflatten(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  if (type.getRank() == 1)
    return v;
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, v,
                                           ArrayRef<ReassociationIndices>{});
  ReassociationIndices all(type.getRank());
  std::iota(all.begin(), all.end(), 0);
  return tensor::ExpandShapeOp::create(b, loc, type, v,
                                       ArrayRef<ReassociationIndices>{all});
}

Value indexCst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// packed bytes -> tensor of `type`: element i is bits (i % k) * bits of
/// byte i / k.
Value unpack(OpBuilder &b, Location loc, Value packed, RankedTensorType type) {
  int64_t k = packFactor(type), n = type.getNumElements();
  unsigned bits = 8 / k;
  Type elt = type.getElementType();
  auto flatTy = RankedTensorType::get({n}, elt);
  Value empty = tensor::EmptyOp::create(b, loc, flatTy.getShape(), elt);
  MLIRContext *ctx = b.getContext();
  auto generic = linalg::GenericOp::create(
      b, loc, flatTy, ValueRange{}, ValueRange{empty},
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value i = linalg::IndexOp::create(nb, l, 0);
        Value kc = indexCst(nb, l, k);
        Value byteIdx = arith::DivUIOp::create(nb, l, i, kc);
        Value byte = tensor::ExtractOp::create(nb, l, packed, byteIdx);
        Value pos = arith::RemUIOp::create(nb, l, i, kc);
        Value shift = arith::IndexCastUIOp::create(
            nb, l, nb.getI8Type(),
            arith::MulIOp::create(nb, l, pos, indexCst(nb, l, bits)));
        Value v =
            arith::TruncIOp::create(nb, l, nb.getIntegerType(bits),
                                    arith::ShRUIOp::create(nb, l, byte, shift));
        if (v.getType() != elt)
          v = arith::BitcastOp::create(nb, l, elt, v);
        linalg::YieldOp::create(nb, l, v);
      });
  return unflatten(b, loc, generic.getResult(0), type);
}

/// tensor -> packed bytes, the last byte padded with zeros.
Value pack(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t k = packFactor(type), n = type.getNumElements();
  unsigned bits = 8 / k;
  Value flat = flatten(b, loc, v);
  RankedTensorType outTy = packedType(type);
  Value empty =
      tensor::EmptyOp::create(b, loc, outTy.getShape(), b.getI8Type());
  MLIRContext *ctx = b.getContext();
  auto generic = linalg::GenericOp::create(
      b, loc, outTy, ValueRange{}, ValueRange{empty},
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value byteIdx = linalg::IndexOp::create(nb, l, 0);
        Value first = arith::MulIOp::create(nb, l, byteIdx, indexCst(nb, l, k));
        Value last = indexCst(nb, l, n - 1);
        Value acc = arith::ConstantIntOp::create(nb, l, nb.getI8Type(), 0);
        for (int64_t j = 0; j < k; ++j) {
          Value i = arith::AddIOp::create(nb, l, first, indexCst(nb, l, j));
          // Past the end (padding of the last byte): read a valid element,
          // contribute zero.
          Value inRange =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ule, i, last);
          Value e = tensor::ExtractOp::create(
              nb, l, flat, ValueRange{arith::MinUIOp::create(nb, l, i, last)});
          Type intTy = nb.getIntegerType(bits);
          if (e.getType() != intTy)
            e = arith::BitcastOp::create(nb, l, intTy, e);
          Value byte = arith::ExtUIOp::create(nb, l, nb.getI8Type(), e);
          byte = arith::ShLIOp::create(
              nb, l, byte,
              arith::ConstantIntOp::create(nb, l, nb.getI8Type(), j * bits));
          byte = arith::SelectOp::create(
              nb, l, inRange, byte,
              arith::ConstantIntOp::create(nb, l, nb.getI8Type(), 0));
          acc = arith::OrIOp::create(nb, l, acc, byte);
        }
        linalg::YieldOp::create(nb, l, acc);
      });
  return generic.getResult(0);
}

struct PackInterfacePass
    : kiln::impl::PackInterfacePassBase<PackInterfacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      FunctionType fnType = func.getFunctionType();
      SmallVector<Type> inputs(fnType.getInputs()),
          results(fnType.getResults());
      bool changed = false;
      Block &entry = func.getBody().front();
      OpBuilder b = OpBuilder::atBlockBegin(&entry);
      for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
        if (!packFactor(arg.getType()))
          continue;
        auto type = cast<RankedTensorType>(arg.getType());
        if (!type.hasStaticShape()) {
          func.emitError("packed interface tensors need static shapes");
          return signalPassFailure();
        }
        SmallVector<OpOperand *> uses;
        for (OpOperand &use : arg.getUses())
          uses.push_back(&use);
        arg.setType(packedType(type));
        inputs[i] = arg.getType();
        Value unpacked = unpack(b, func.getLoc(), arg, type);
        for (OpOperand *use : uses)
          use->set(unpacked);
        changed = true;
      }
      for (Type &t : results) {
        if (!packFactor(t))
          continue;
        auto type = cast<RankedTensorType>(t);
        if (!type.hasStaticShape()) {
          func.emitError("packed interface tensors need static shapes");
          return signalPassFailure();
        }
        t = packedType(type);
        changed = true;
      }
      if (!changed)
        continue;
      func.walk([&](func::ReturnOp ret) {
        OpBuilder rb(ret);
        for (OpOperand &operand : ret->getOpOperands())
          if (packFactor(operand.get().getType()))
            operand.set(pack(rb, ret.getLoc(), operand.get()));
      });
      func.setFunctionType(FunctionType::get(&getContext(), inputs, results));
    }
  }
};
} // namespace
