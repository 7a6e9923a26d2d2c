//===- Image.cpp - CenterCropPad, Col2Im, AffineGrid ----------------------===//
//
// Ops whose result shape is given by a run-time input (CenterCropPad's
// `shape`, Col2Im's `image_shape`, AffineGrid's `size`). They are lowered
// with the static result type; everything that can be is computed from it,
// and the run-time values are checked against it with cf.assert (checked at
// compile time instead when they are constants).
//
// CenterCropPad: per axis, crop (first index (in - out) / 2) or zero-pad
// (first output index (out - in) / 2) to the requested size: one
// extract_slice + tensor.pad.
//
// Col2Im: Y[n, c, i1..ir] sums X[n, c * K + k, l] over the K block offsets k
// (row-major over block_shape) whose sliding block l covers i: for each dim,
// t = i + pad_begin - k_d * dilation must be a multiple of the stride with
// t / stride < the number of blocks. One linalg.generic with a reduction
// over k; block_shape may be a run-time input (K is static: X's dim 1 / C).
//
// AffineGrid: grid[n, s1..sr, j] = sum_k theta[n, j, k] * base_k + theta[n,
// j, r] with base_k the normalized coordinate ([-1, 1]) of spatial dim
// r - 1 - k (x first), computed in f64 like ONNX's reference.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "dialects/onnx/ShapeInference.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Element `i` of 1-D integer tensor `t` as i64.
Value extractI64(OpBuilder &b, Location loc, Value t, int64_t i) {
  Value e = tensor::ExtractOp::create(
      b, loc, t, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
  if (e.getType() != b.getI64Type())
    e = arith::ExtSIOp::create(b, loc, b.getI64Type(), e);
  return e;
}

Value cmpI(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x,
           Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}

Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}

/// The node's name for diagnostics ("<Op> node 'name'").
std::string nodeLabel(Operation *op, StringRef opName) {
  std::string name = nodeName(op);
  return (opName + " node" + (name.empty() ? "" : " '" + name + "'")).str();
}

void assertTrue(OpBuilder &b, Location loc, Value cond, const Twine &msg) {
  cf::AssertOp::create(b, loc, cond, msg.str());
}

/// Checks that the entries `idx` of 1-D integer tensor `v` equal `expected`:
/// at compile time when `v` is a constant, with one cf.assert per entry
/// otherwise. `what(i)` names entry i for the message.
LogicalResult checkValues(ConversionPatternRewriter &rewriter, Operation *op,
                          Value onnxValue, Value converted,
                          ArrayRef<int64_t> idx, ArrayRef<int64_t> expected,
                          StringRef opName, StringRef inputName) {
  Location loc = op->getLoc();
  if (auto c = onnx::getConstantInts(onnxValue)) {
    for (auto [i, e] : llvm::zip(idx, expected))
      if (i >= (int64_t)c->size() || (*c)[i] != e)
        return rewriter.notifyMatchFailure(
            op, (inputName + " disagrees with the static result shape").str());
    return success();
  }
  for (auto [i, e] : llvm::zip(idx, expected)) {
    Value eq = cmpI(rewriter, loc, arith::CmpIPredicate::eq,
                    extractI64(rewriter, loc, converted, i),
                    i64Const(rewriter, loc, e));
    assertTrue(rewriter, loc, eq,
               nodeLabel(op, opName) + ": " + inputName + "[" + Twine(i) +
                   "] must be " + Twine(e) + " (the static result shape)");
  }
  return success();
}

bool isIntOrFloat(Type t) { return isa<IntegerType, FloatType>(t); }

//===----------------------------------------------------------------------===//
// CenterCropPad
//===----------------------------------------------------------------------===//

struct CenterCropPadLowering : OpConversionPattern<onnx::CenterCropPadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::CenterCropPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getInputData().getType());
    auto sType = getStaticType(rewriter, op, adaptor.getShape().getType());
    if (failed(type) || failed(xType) || failed(sType))
      return failure();
    Type elt = type->getElementType();
    if (!isIntOrFloat(elt))
      return rewriter.notifyMatchFailure(op, "needs int or float data");
    int64_t rank = xType->getRank();
    if (type->getRank() != rank)
      return rewriter.notifyMatchFailure(op, "result rank differs from input");
    SmallVector<int64_t> axes;
    if (auto a = op.getAxes()) {
      for (int64_t ax : *a) {
        auto n = normalizeAxis(ax, rank);
        if (!n || llvm::is_contained(axes, *n))
          return rewriter.notifyMatchFailure(op, "invalid axes");
        axes.push_back(*n);
      }
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    if (sType->getRank() != 1 || sType->getDimSize(0) != (int64_t)axes.size())
      return rewriter.notifyMatchFailure(op,
                                         "shape must hold one size per axis");
    ArrayRef<int64_t> in = xType->getShape(), out = type->getShape();
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(axes, d) && in[d] != out[d])
        return rewriter.notifyMatchFailure(
            op, "dims outside axes must keep their size");
    SmallVector<int64_t> idx, expected;
    for (auto [i, a] : llvm::enumerate(axes)) {
      idx.push_back(i);
      expected.push_back(out[a]);
    }
    if (failed(checkValues(rewriter, op, op.getShape(), adaptor.getShape(), idx,
                           expected, "CenterCropPad", "shape")))
      return failure();
    SmallVector<int64_t> low(rank), high(rank);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t diff = out[d] - in[d];
      // Crops start at (in - out) / 2, pads at (out - in) / 2 (floor).
      low[d] = diff >= 0 ? diff / 2 : -((-diff) / 2);
      high[d] = diff - low[d];
    }
    Value r = padTensor(rewriter, loc, adaptor.getInputData(), low, high,
                        createScalar(rewriter, loc, elt, 0.0));
    rewriter.replaceOp(op, r);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Col2Im
//===----------------------------------------------------------------------===//

struct Col2ImLowering : OpConversionPattern<onnx::Col2ImOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::Col2ImOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto xType = getStaticType(rewriter, op, adaptor.getInput().getType());
    auto iType = getStaticType(rewriter, op, adaptor.getImageShape().getType());
    auto bType = getStaticType(rewriter, op, adaptor.getBlockShape().getType());
    if (failed(type) || failed(xType) || failed(iType) || failed(bType))
      return failure();
    Type elt = type->getElementType();
    if (!isIntOrFloat(elt) || elt.isInteger(1))
      return rewriter.notifyMatchFailure(op, "needs numeric data");
    int64_t rank = type->getRank(), r = rank - 2;
    if (r < 1 || xType->getRank() != 3 || iType->getRank() != 1 ||
        bType->getRank() != 1 || iType->getDimSize(0) != r ||
        bType->getDimSize(0) != r)
      return rewriter.notifyMatchFailure(
          op, "expects input [N, C*K, L], image_shape and block_shape of the "
              "result's spatial rank");
    ArrayRef<int64_t> xs = xType->getShape(), ys = type->getShape();
    int64_t n = ys[0], c = ys[1];
    if (xs[0] != n || c == 0 || xs[1] % c != 0)
      return rewriter.notifyMatchFailure(
          op, "input dim 1 must be a multiple of the result's channels");
    int64_t kTotal = xs[1] / c, length = xs[2];
    auto dil = getWindowAttr(op.getDilations(), r, 1);
    auto str = getWindowAttr(op.getStrides(), r, 1);
    auto pads = getWindowAttr(op.getPads(), 2 * r, 0);
    if (failed(dil) || failed(str) || failed(pads))
      return rewriter.notifyMatchFailure(
          op, "dilations/strides/pads have the wrong size");
    if (llvm::any_of(*dil, [](int64_t v) { return v < 1; }) ||
        llvm::any_of(*str, [](int64_t v) { return v < 1; }))
      return rewriter.notifyMatchFailure(op, "dilations/strides must be >= 1");
    SmallVector<int64_t> idx, image;
    for (int64_t d = 0; d < r; ++d) {
      idx.push_back(d);
      image.push_back(ys[2 + d]);
    }
    if (failed(checkValues(rewriter, op, op.getImageShape(),
                           adaptor.getImageShape(), idx, image, "Col2Im",
                           "image_shape")))
      return failure();
    if (type->getNumElements() == 0 || kTotal == 0 || length == 0) {
      Value zero = createScalar(rewriter, loc, elt, 0.0);
      rewriter.replaceOp(op, createFilled(rewriter, loc, *type, zero));
      return success();
    }

    // Block sizes and block counts per dim (i64), folded when constant.
    auto blockConst = onnx::getConstantInts(op.getBlockShape());
    SmallVector<Value> block, blocks;
    Value kProd = i64Const(rewriter, loc, 1), lProd = kProd;
    Value okBlock, okBlocks;
    auto andI = [&](Value acc, Value v) {
      return acc ? arith::AndIOp::create(rewriter, loc, acc, v).getResult() : v;
    };
    for (int64_t d = 0; d < r; ++d) {
      Value k;
      if (blockConst) {
        if ((int64_t)blockConst->size() != r || (*blockConst)[d] < 1)
          return rewriter.notifyMatchFailure(op, "invalid block_shape");
        k = i64Const(rewriter, loc, (*blockConst)[d]);
      } else {
        k = extractI64(rewriter, loc, adaptor.getBlockShape(), d);
        okBlock = andI(okBlock, cmpI(rewriter, loc, arith::CmpIPredicate::sge,
                                     k, i64Const(rewriter, loc, 1)));
      }
      // (I + pb + pe - dil * (k - 1) - 1) / stride + 1
      Value span = arith::MulIOp::create(
          rewriter, loc, i64Const(rewriter, loc, (*dil)[d]),
          arith::SubIOp::create(rewriter, loc, k, i64Const(rewriter, loc, 1)));
      Value num = arith::SubIOp::create(
          rewriter, loc,
          i64Const(rewriter, loc, ys[2 + d] + (*pads)[d] + (*pads)[r + d] - 1),
          span);
      Value nb = arith::AddIOp::create(
          rewriter, loc,
          arith::FloorDivSIOp::create(rewriter, loc, num,
                                      i64Const(rewriter, loc, (*str)[d])),
          i64Const(rewriter, loc, 1));
      okBlocks = andI(okBlocks, cmpI(rewriter, loc, arith::CmpIPredicate::sge,
                                     nb, i64Const(rewriter, loc, 1)));
      kProd = arith::MulIOp::create(rewriter, loc, kProd, k);
      lProd = arith::MulIOp::create(rewriter, loc, lProd, nb);
      block.push_back(k);
      blocks.push_back(nb);
    }
    std::string node = nodeLabel(op, "Col2Im");
    if (okBlock)
      assertTrue(rewriter, loc, okBlock,
                 node + ": block_shape values must be positive");
    assertTrue(rewriter, loc,
               cmpI(rewriter, loc, arith::CmpIPredicate::eq, kProd,
                    i64Const(rewriter, loc, kTotal)),
               node + ": the product of block_shape must be " + Twine(kTotal) +
                   " (input dim 1 / result channels)");
    assertTrue(
        rewriter, loc,
        arith::AndIOp::create(rewriter, loc, okBlocks,
                              cmpI(rewriter, loc, arith::CmpIPredicate::eq,
                                   lProd, i64Const(rewriter, loc, length))),
        node + ": the number of sliding blocks must be input dim 2 (" +
            Twine(length) + ")");

    Value x = adaptor.getInput();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value init =
        createFilled(rewriter, loc, *type, createScalar(rewriter, loc, elt, 0));
    // An empty [K] operand gives the reduction dim its size.
    Value kRange =
        createEmpty(rewriter, loc, RankedTensorType::get({kTotal}, elt));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{kRange}, ValueRange{init},
        {AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx),
         AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Type i64 = b.getI64Type();
          auto iv = [&](int64_t d) -> Value {
            return arith::IndexCastOp::create(b, l, i64,
                                              linalg::IndexOp::create(b, l, d));
          };
          auto cst = [&](int64_t v) { return i64Const(b, l, v); };
          Value k = iv(rank);
          // Row-major offsets of k in the block, last dim fastest.
          SmallVector<Value> kd(r);
          Value rest = k;
          for (int64_t d = r - 1; d >= 0; --d) {
            kd[d] = arith::RemSIOp::create(b, l, rest, block[d]);
            rest = arith::DivSIOp::create(b, l, rest, block[d]);
          }
          Value valid, col = cst(0);
          for (int64_t d = 0; d < r; ++d) {
            Value t = arith::SubIOp::create(
                b, l, arith::AddIOp::create(b, l, iv(2 + d), cst((*pads)[d])),
                arith::MulIOp::create(b, l, kd[d], cst((*dil)[d])));
            Value s = cst((*str)[d]);
            Value q = arith::FloorDivSIOp::create(b, l, t, s);
            Value ok = arith::AndIOp::create(
                b, l,
                arith::AndIOp::create(
                    b, l, cmpI(b, l, arith::CmpIPredicate::sge, t, cst(0)),
                    cmpI(b, l, arith::CmpIPredicate::eq,
                         arith::MulIOp::create(b, l, q, s), t)),
                cmpI(b, l, arith::CmpIPredicate::slt, q, blocks[d]));
            valid = valid ? arith::AndIOp::create(b, l, valid, ok) : ok;
            col = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, col, blocks[d]), q);
          }
          // Clamped so that a skipped (invalid) read stays in bounds.
          col = arith::MaxSIOp::create(b, l, col, cst(0));
          col = arith::MinSIOp::create(b, l, col, cst(length - 1));
          Value ch = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, iv(1), cst(kTotal)), k);
          Type index = b.getIndexType();
          Value v = tensor::ExtractOp::create(
              b, l, x,
              ValueRange{linalg::IndexOp::create(b, l, 0),
                         arith::IndexCastOp::create(b, l, index, ch),
                         arith::IndexCastOp::create(b, l, index, col)});
          v = arith::SelectOp::create(b, l, valid, v,
                                      createScalar(b, l, elt, 0.0));
          linalg::YieldOp::create(b, l, createAdd(b, l, args[1], v));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// AffineGrid
//===----------------------------------------------------------------------===//

struct AffineGridLowering : OpConversionPattern<onnx::AffineGridOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::AffineGridOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, op.getType());
    auto tType = getStaticType(rewriter, op, adaptor.getTheta().getType());
    auto sType = getStaticType(rewriter, op, adaptor.getSize().getType());
    if (failed(type) || failed(tType) || failed(sType))
      return failure();
    int64_t rank = type->getRank(), r = rank - 2;
    ArrayRef<int64_t> ys = type->getShape(), ts = tType->getShape();
    if ((r != 2 && r != 3) || ys[rank - 1] != r || tType->getRank() != 3 ||
        ts[0] != ys[0] || ts[1] != r || ts[2] != r + 1 ||
        sType->getRank() != 1 || sType->getDimSize(0) != r + 2)
      return rewriter.notifyMatchFailure(
          op, "expects theta [N, r, r+1], size [N, C, D1..Dr] and grid "
              "[N, D1..Dr, r] with r = 2 or 3");
    SmallVector<int64_t> idx = {0}, expected = {ys[0]};
    for (int64_t d = 0; d < r; ++d) {
      idx.push_back(2 + d);
      expected.push_back(ys[1 + d]);
    }
    if (failed(checkValues(rewriter, op, op.getSize(), adaptor.getSize(), idx,
                           expected, "AffineGrid", "size")))
      return failure();
    bool align = op.getAlignCorners() != 0;
    Type elt = type->getElementType();
    Value theta = adaptor.getTheta();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, *type)},
        {AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext())},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          Type f64 = b.getF64Type();
          auto cf = [&](double v) { return createScalar(b, l, f64, v); };
          auto toF64 = [&](Value v) -> Value {
            return v.getType() == f64 ? v : arith::ExtFOp::create(b, l, f64, v);
          };
          Value n = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          auto th = [&](int64_t k) {
            Value kk = arith::ConstantIndexOp::create(b, l, k);
            return toF64(
                tensor::ExtractOp::create(b, l, theta, ValueRange{n, j, kk}));
          };
          Value acc;
          for (int64_t k = 0; k < r; ++k) {
            // Component k is the coordinate of spatial dim r - 1 - k.
            int64_t dim = r - 1 - k, size = ys[1 + dim];
            // numpy.arange(start, stop, step): start + i * step.
            double step = align ? 2.0 / (size - 1) : 2.0 / size;
            double start = align ? -1.0 : -1.0 + step / 2;
            if (align && size == 1)
              step = 0.0;
            Value i = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 1 + dim));
            Value base = arith::AddFOp::create(
                b, l, cf(start),
                arith::MulFOp::create(
                    b, l, arith::SIToFPOp::create(b, l, f64, i), cf(step)));
            Value term = arith::MulFOp::create(b, l, th(k), base);
            acc =
                acc ? arith::AddFOp::create(b, l, acc, term).getResult() : term;
          }
          acc = arith::AddFOp::create(b, l, acc, th(r));
          if (elt != f64)
            acc = arith::TruncFOp::create(b, l, elt, acc);
          linalg::YieldOp::create(b, l, acc);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Identity with kiln.expected_value (a run-time value shape inference
// assumed, see kiln-shape-inference): one cf.assert per element.
//===----------------------------------------------------------------------===//

struct ExpectedValueLowering : OpConversionPattern<onnx::IdentityOp> {
  ExpectedValueLowering(TypeConverter &tc, MLIRContext *ctx)
      : OpConversionPattern(tc, ctx, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(onnx::IdentityOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto expected =
        op->getAttrOfType<DenseIntElementsAttr>("kiln.expected_value");
    if (!expected)
      return failure();
    Location loc = op.getLoc();
    auto type = getStaticType(rewriter, op, adaptor.getInput().getType());
    if (failed(type))
      return failure();
    if (type->getRank() != 1 ||
        type->getNumElements() != (int64_t)expected.getNumElements())
      return rewriter.notifyMatchFailure(op, "expected values mismatch");
    auto msg = op->getAttrOfType<StringAttr>("kiln.expected_message");
    for (auto [i, v] : llvm::enumerate(expected.getValues<APInt>())) {
      Value eq = cmpI(rewriter, loc, arith::CmpIPredicate::eq,
                      extractI64(rewriter, loc, adaptor.getInput(), i),
                      i64Const(rewriter, loc, v.getSExtValue()));
      assertTrue(rewriter, loc, eq,
                 (msg ? msg.getValue() : StringRef("Identity")) + " (entry " +
                     Twine(i) + " must be " + Twine(v.getSExtValue()) + ")");
    }
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

void populateImagePatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<CenterCropPadLowering, Col2ImLowering, AffineGridLowering,
               ExpectedValueLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
