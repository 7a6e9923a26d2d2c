//===- ConversionUtils.cpp - shared pieces of the onnx lowerings ----------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace kiln::tolinalg {

static std::string nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto s = nodeName(l); !s.empty())
        return s;
  if (auto callsite = dyn_cast<CallSiteLoc>(loc))
    return nodeName(callsite.getCallee());
  return "";
}

std::string nodeName(Operation *op) { return nodeName(op->getLoc()); }

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
  return cast<RankedTensorType>(
      t.clone(convertElementType(t.getElementType())));
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

Value castToE8M0(OpBuilder &b, Location l, Value v, Type fromOnnx,
                 StringRef roundMode, bool saturate) {
  Type i32 = b.getI32Type();
  auto c = [&](uint32_t x) {
    return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(x));
  };
  auto ne0 = [&](Value x, uint32_t mask) {
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                 arith::AndIOp::create(b, l, x, c(mask)), c(0));
  };
  using P = arith::CmpIPredicate;
  v = castScalar(b, l, v, fromOnnx, b.getF32Type());
  Value x = arith::BitcastOp::create(b, l, i32, v);
  Value e = arith::AndIOp::create(b, l, arith::ShRUIOp::create(b, l, x, c(23)),
                                  c(0xff));
  Value special = arith::CmpIOp::create(b, l, P::eq, e, c(0xff));
  Value up;
  if (roundMode == "up") {
    up = ne0(x, 0x7fffff);
  } else if (roundMode == "nearest") {
    Value lsb = arith::CmpIOp::create(b, l, P::ne, e, c(0));
    Value rest = arith::OrIOp::create(b, l, ne0(x, 0x200000), ne0(x, 0x1fffff));
    up = arith::AndIOp::create(b, l, ne0(x, 0x400000),
                               arith::OrIOp::create(b, l, rest, lsb));
  }
  if (up) {
    up = arith::AndIOp::create(
        b, l, up,
        arith::XOrIOp::create(b, l, special,
                              arith::ConstantIntOp::create(b, l, 1, 1)));
    if (saturate)
      up = arith::AndIOp::create(
          b, l, up, arith::CmpIOp::create(b, l, P::ne, e, c(0xfe)));
    e = arith::AddIOp::create(b, l, e, arith::ExtUIOp::create(b, l, i32, up));
  }
  Value bits = arith::TruncIOp::create(b, l, b.getI8Type(), e);
  return arith::BitcastOp::create(b, l, b.getType<Float8E8M0FNUType>(), bits);
}

//===----------------------------------------------------------------------===//
// Helpers of the MatMul/Conv/Pooling/DataMovement families.
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
getWindowAttr(std::optional<ArrayRef<int64_t>> attr, size_t n, int64_t dflt) {
  if (!attr)
    return SmallVector<int64_t>(n, dflt);
  if (attr->size() != n)
    return failure();
  return SmallVector<int64_t>(attr->begin(), attr->end());
}

FailureOr<WindowPads> computeWindowPads(
    StringRef autoPad, ArrayRef<int64_t> inSpatial, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
    std::optional<ArrayRef<int64_t>> pads, ArrayRef<int64_t> outSpatial) {
  size_t n = inSpatial.size();
  if (kernel.size() != n || strides.size() != n || dilations.size() != n ||
      outSpatial.size() != n)
    return failure();
  WindowPads r;
  r.begin.assign(n, 0);
  r.end.assign(n, 0);
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      int64_t s = strides[i];
      if (s <= 0)
        return failure();
      int64_t out = (inSpatial[i] + s - 1) / s;
      int64_t total = std::max<int64_t>(
          0, (out - 1) * s + (kernel[i] - 1) * dilations[i] + 1 - inSpatial[i]);
      int64_t small = total / 2, big = total - small;
      r.begin[i] = autoPad == "SAME_UPPER" ? small : big;
      r.end[i] = autoPad == "SAME_UPPER" ? big : small;
    }
  } else if (autoPad == "NOTSET") {
    if (pads) {
      if (pads->size() != 2 * n)
        return failure();
      for (size_t i = 0; i < n; ++i) {
        r.begin[i] = (*pads)[i];
        r.end[i] = (*pads)[n + i];
      }
    }
  } else if (autoPad != "VALID") {
    return failure();
  }
  for (size_t i = 0; i < n; ++i) {
    if (r.begin[i] < 0 || r.end[i] < 0)
      return failure();
    // Every window of the output must lie in the padded input (ceil_mode).
    int64_t need =
        (outSpatial[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
    int64_t have = inSpatial[i] + r.begin[i] + r.end[i];
    if (need > have)
      r.end[i] += need - have;
  }
  return r;
}

Value padTensor(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  // Crops first.
  bool crop = false;
  SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()),
      strides(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    if (low[i] < 0) {
      offsets[i] = -low[i];
      sizes[i] += low[i];
      crop = true;
    }
    if (high[i] < 0) {
      sizes[i] += high[i];
      crop = true;
    }
  }
  if (crop)
    x = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(sizes, type.getElementType()), x,
        ValueRange{}, ValueRange{}, ValueRange{}, offsets, sizes, strides);
  SmallVector<int64_t> lo, hi, shape;
  bool any = false;
  for (int64_t i = 0; i < rank; ++i) {
    lo.push_back(std::max<int64_t>(low[i], 0));
    hi.push_back(std::max<int64_t>(high[i], 0));
    shape.push_back(sizes[i] + lo.back() + hi.back());
    any |= lo.back() || hi.back();
  }
  if (!any)
    return x;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> loOfr, hiOfr;
  for (int64_t i = 0; i < rank; ++i) {
    loOfr.push_back(b.getIndexAttr(lo[i]));
    hiOfr.push_back(b.getIndexAttr(hi[i]));
  }
  return tensor::PadOp::create(b, loc, resultType, x, loOfr, hiOfr, padValue);
}

Value transposeTensor(OpBuilder &b, Location loc, Value x,
                      ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(x.getType());
  bool identity = true;
  SmallVector<int64_t> shape;
  for (size_t i = 0; i < perm.size(); ++i) {
    identity &= perm[i] == (int64_t)i;
    shape.push_back(type.getDimSize(perm[i]));
  }
  if (identity)
    return x;
  Value init =
      createEmpty(b, loc, RankedTensorType::get(shape, type.getElementType()));
  return linalg::TransposeOp::create(b, loc, x, init, perm).getResult()[0];
}

Value reshapeTensor(OpBuilder &b, Location loc, Value x,
                    ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getShape() == shape)
    return x;
  auto target = RankedTensorType::get(shape, type.getElementType());
  if (type.getRank() == 0 || target.getRank() == 0) {
    if (type.getRank() > 0)
      return tensor::CollapseShapeOp::create(b, loc, target, x,
                                             ArrayRef<ReassociationIndices>{});
    return tensor::ExpandShapeOp::create(b, loc, target, x,
                                         ArrayRef<ReassociationIndices>{});
  }
  if (type.getRank() != target.getRank()) {
    if (auto re = getReassociationIndicesForReshape(type, target)) {
      if (type.getRank() > target.getRank())
        return tensor::CollapseShapeOp::create(b, loc, target, x, *re);
      return tensor::ExpandShapeOp::create(b, loc, target, x, *re);
    }
  }
  // Through 1-D.
  int64_t count = type.getNumElements();
  Value flat = x;
  if (type.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < type.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({count}, type.getElementType()), x,
        ArrayRef<ReassociationIndices>{all});
  }
  if (target.getRank() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0; i < target.getRank(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, target, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

Value broadcastTensor(OpBuilder &b, Location loc, Value x,
                      RankedTensorType type) {
  auto xType = cast<RankedTensorType>(x.getType());
  if (xType.getShape() == type.getShape())
    return x;
  return createElementwise(
      b, loc, ValueRange{x}, type.clone(xType.getElementType()),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

Value normalizeIndex(OpBuilder &b, Location loc, Value idx, int64_t dim) {
  Value i = idx;
  if (!i.getType().isIndex())
    i = arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value d = arith::ConstantIndexOp::create(b, loc, dim);
  Value last = arith::ConstantIndexOp::create(b, loc, dim - 1);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::AddIOp::create(b, loc, i, d);
  i = arith::SelectOp::create(b, loc, neg, wrapped, i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  return arith::MinSIOp::create(b, loc, i, last);
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

void emitRuntimeCheck(OpBuilder &b, Location loc, Operation *op, Value cond,
                      const Twine &what) {
  std::string name = nodeName(op->getLoc());
  std::string msg =
      (op->getName().stripDialect() +
       (name.empty() ? Twine() : Twine(" node '") + name + "'") + ": " + what)
          .str();
  cf::AssertOp::create(b, loc, cond, msg);
}

} // namespace kiln::tolinalg
