//===- ConversionUtils.cpp - shared pieces of the onnx lowerings ----------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace kiln::tolinalg {

Type convertElementType(Type type) {
  if (auto i = dyn_cast<IntegerType>(type))
    if (!i.isSignless())
      return IntegerType::get(type.getContext(), i.getWidth());
  return type;
}

bool isUnsignedInt(Type type) {
  Type elt = getElementTypeOrSelf(type);
  auto i = dyn_cast<IntegerType>(elt);
  return i && i.isUnsigned();
}

ONNXTypeConverter::ONNXTypeConverter() {
  addConversion([](Type t) { return t; });
  addConversion([](RankedTensorType t) -> Type {
    return t.clone(convertElementType(t.getElementType()));
  });
  addConversion([](IntegerType t) -> Type { return convertElementType(t); });
  // Values whose type changes only in signedness are the same bits.
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

FailureOr<RankedTensorType> getStaticType(ConversionPatternRewriter &rewriter,
                                          Operation *op, Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return rewriter.notifyMatchFailure(op, "needs static shapes");
  return cast<RankedTensorType>(t.clone(convertElementType(t.getElementType())));
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value createScalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, value));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, APInt(type.getIntOrFloatBitWidth(), (int64_t)value,
                                   /*isSigned=*/true, /*implicitTrunc=*/true)));
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value) {
  Value empty = createEmpty(b, loc, type);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType inputType,
                       ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size();
  int64_t inRank = inputType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < inRank; ++i) {
    int64_t resDim = rank - inRank + i;
    if (inputType.getDimSize(i) == 1 && resultShape[resDim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(resDim, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value createElementwise(
    OpBuilder &b, Location loc, ValueRange inputs, RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(ctx, cast<RankedTensorType>(in.getType()),
                                resultType.getShape()));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

Value castScalar(OpBuilder &b, Location loc, Value v, Type fromOnnx,
                 Type toOnnx) {
  Type from = convertElementType(fromOnnx), to = convertElementType(toOnnx);
  if (from == to)
    return v;
  bool fromUnsigned = isUnsignedInt(fromOnnx);
  bool toUnsigned = isUnsignedInt(toOnnx);
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF) {
    if (fromF.getWidth() == toF.getWidth()) { // f16 <-> bf16, f8 <-> f8
      v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
      if (toF.isF32())
        return v;
      return arith::TruncFOp::create(b, loc, to, v);
    }
    if (fromF.getWidth() < toF.getWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    return arith::TruncFOp::create(b, loc, to, v);
  }
  if (fromF) {
    if (to.isInteger(1)) { // float -> bool: nonzero
      Value zero = createScalar(b, loc, from, 0.0);
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    }
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, v);
    return arith::FPToSIOp::create(b, loc, to, v);
  }
  if (toF) {
    if (fromUnsigned || from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, v);
    return arith::SIToFPOp::create(b, loc, to, v);
  }
  // int -> int
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (to.isInteger(1)) {
    Value zero = createScalar(b, loc, from, 0.0);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (fw < tw) {
    if (fromUnsigned || from.isInteger(1))
      return arith::ExtUIOp::create(b, loc, to, v);
    return arith::ExtSIOp::create(b, loc, to, v);
  }
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, to, v);
  return v;
}

Value createIntScalar(OpBuilder &b, Location loc, Type type, int64_t value) {
  unsigned w = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, APInt(w, value, /*isSigned=*/true,
                                   /*implicitTrunc=*/true)));
}

static Value createLimit(OpBuilder &b, Location loc, Type onnxElt,
                         bool highest) {
  Type t = convertElementType(onnxElt);
  if (auto f = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), !highest)));
  unsigned w = t.getIntOrFloatBitWidth();
  bool isUnsigned = isUnsignedInt(onnxElt) || w == 1;
  APInt v = isUnsigned ? (highest ? APInt::getMaxValue(w) : APInt::getZero(w))
                       : (highest ? APInt::getSignedMaxValue(w)
                                  : APInt::getSignedMinValue(w));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
}

Value createLowest(OpBuilder &b, Location loc, Type onnxElt) {
  return createLimit(b, loc, onnxElt, /*highest=*/false);
}
Value createHighest(OpBuilder &b, Location loc, Type onnxElt) {
  return createLimit(b, loc, onnxElt, /*highest=*/true);
}

Value createAdd(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value createMul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value createMax(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (isUnsigned || x.getType().isInteger(1))
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value createMin(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (isUnsigned || x.getType().isInteger(1))
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> getConstantInts(Value v) {
  Attribute attr;
  if (auto c = v.getDefiningOp<onnx::ConstantOp>())
    attr = c.getValueAttr();
  else if (auto c = v.getDefiningOp<arith::ConstantOp>())
    attr = c.getValue();
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return failure();
  SmallVector<int64_t> result;
  for (const APInt &i : dense.getValues<APInt>())
    result.push_back(i.getSExtValue());
  return result;
}

Value expandReducedDims(OpBuilder &b, Location loc, Value reduced,
                        ArrayRef<int64_t> fullShape, ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(reduced.getType());
  SmallVector<int64_t> shape(fullShape);
  for (int64_t a : axes)
    shape[a] = 1;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(axes, i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, reduced, groups);
}

Value createReduction(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> axes, Value init, bool keepDims,
                      ReduceFn combine) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(inType.getDimSize(i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  auto outType = RankedTensorType::get(outShape, init.getType());
  Value acc = createFilled(b, loc, outType, init);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{input}, ValueRange{acc}, maps,
      iters, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[0], args[1]));
      });
  Value result = generic.getResult(0);
  if (keepDims)
    result = expandReducedDims(b, loc, result, inType.getShape(), axes);
  return result;
}

Value alignToAxis(OpBuilder &b, Location loc, Value v, int64_t axis,
                  int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t trailing = rank - 1 - axis;
  if (type.getRank() != 1 || trailing <= 0)
    return v;
  SmallVector<int64_t> shape = {type.getDimSize(0)};
  shape.append(trailing, 1);
  ReassociationIndices group;
  for (int64_t i = 0; i <= trailing; ++i)
    group.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), v,
      ArrayRef<ReassociationIndices>{group});
}

Value createArgReduction(OpBuilder &b, Location loc, Value input, int64_t axis,
                         bool isMin, bool selectLast, bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  Type elt = inType.getElementType();
  int64_t rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == axis) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(inType.getDimSize(i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  // The accumulator starts at the first element's worst case; index 0.
  Type signedElt = elt;
  if (isUnsigned)
    signedElt = IntegerType::get(ctx, elt.getIntOrFloatBitWidth(),
                                 IntegerType::Unsigned);
  Value initV = isMin ? createHighest(b, loc, signedElt)
                      : createLowest(b, loc, signedElt);
  auto valType = RankedTensorType::get(outShape, elt);
  auto idxType = RankedTensorType::get(outShape, b.getI64Type());
  Value accV = createFilled(b, loc, valType, initV);
  Value accI =
      createFilled(b, loc, idxType, createIntScalar(b, loc, b.getI64Type(), 0));
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 outMap, outMap};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valType, idxType}, ValueRange{input},
      ValueRange{accV, accI}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value in = args[0], cur = args[1], curI = args[2];
        Value better;
        if (isa<FloatType>(elt)) {
          using P = arith::CmpFPredicate;
          P p = isMin ? (selectLast ? P::OLE : P::OLT)
                      : (selectLast ? P::OGE : P::OGT);
          better = arith::CmpFOp::create(nb, l, p, in, cur);
          Value inNaN = arith::CmpFOp::create(nb, l, P::UNO, in, in);
          Value curOrd = arith::CmpFOp::create(nb, l, P::ORD, cur, cur);
          better = arith::OrIOp::create(
              nb, l, better, arith::AndIOp::create(nb, l, inNaN, curOrd));
        } else {
          using P = arith::CmpIPredicate;
          P p = isMin ? (selectLast ? (isUnsigned ? P::ule : P::sle)
                                    : (isUnsigned ? P::ult : P::slt))
                      : (selectLast ? (isUnsigned ? P::uge : P::sge)
                                    : (isUnsigned ? P::ugt : P::sgt));
          better = arith::CmpIOp::create(nb, l, p, in, cur);
        }
        Value idx = linalg::IndexOp::create(nb, l, axis);
        idx = arith::IndexCastOp::create(nb, l, nb.getI64Type(), idx);
        Value v = arith::SelectOp::create(nb, l, better, in, cur);
        Value i = arith::SelectOp::create(nb, l, better, idx, curI);
        linalg::YieldOp::create(nb, l, ValueRange{v, i});
      });
  return generic.getResult(1);
}

} // namespace kiln::tolinalg
