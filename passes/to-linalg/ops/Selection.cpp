//===- Selection.cpp - NonZero, Compress, NonMaxSuppression ---------------===//
//
// Ops whose result size depends on the input values. The compiled model has
// static shapes, so the result size comes from the graph's declared output
// type (shape inference refines results from it); the lowering computes into
// a buffer of that size with a sequential scf.for over the candidates,
// writing only while there is room, and checks at run time (cf.assert, see
// kiln-lower-checks) that the values selected exactly that many: a run whose
// inputs select more or fewer returns an error instead of a wrong-sized
// result.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

Value cIndex(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

/// The static type of a value-dependent result, or an error that says why
/// it is needed.
FailureOr<RankedTensorType> resultType(ConversionPatternRewriter &rewriter,
                                       Operation *op, StringRef opName,
                                       Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return op->emitError()
           << opName << " node '" << nodeName(op)
           << "': the size of its result depends on the input values; "
              "compiled models have static shapes, so the graph must declare "
              "a static shape for this result";
  return getStaticType(rewriter, op, type);
}

/// Asserts at run time that `count` (index) equals `expected`.
void checkCount(OpBuilder &b, Location l, Value count, int64_t expected,
                Operation *op, const Twine &what) {
  Value ok = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, count,
                                   cIndex(b, l, expected));
  emitRuntimeCheck(b, l, op, ok,
                   what + " is not " + Twine(expected) +
                       ", the result size the model declares");
}

/// A sequential scf.for over [0, n) that appends: where pick(i) holds,
/// write(i, count, acc) fills slot `count` of `init` (only while count <
/// capacity, so nothing is written out of bounds) and count goes up.
/// Returns the final count (of every pick, also past capacity) and tensor.
using PickFn = function_ref<Value(OpBuilder &, Location, Value)>;
using WriteFn = function_ref<Value(OpBuilder &, Location, Value, Value, Value)>;
std::pair<Value, Value> appendLoop(OpBuilder &b, Location l, int64_t n,
                                   int64_t capacity, Value init, PickFn pick,
                                   WriteFn write) {
  auto loop = scf::ForOp::create(
      b, l, cIndex(b, l, 0), cIndex(b, l, n), cIndex(b, l, 1),
      ValueRange{cIndex(b, l, 0), init},
      [&](OpBuilder &b, Location l, Value i, ValueRange iter) {
        Value count = iter[0], acc = iter[1];
        Value picked = pick(b, l, i);
        Value room = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                           count, cIndex(b, l, capacity));
        auto ifOp = scf::IfOp::create(
            b, l, arith::AndIOp::create(b, l, picked, room),
            [&](OpBuilder &b, Location l) {
              scf::YieldOp::create(b, l, write(b, l, i, count, acc));
            },
            [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, acc); });
        Value inc = arith::SelectOp::create(b, l, picked, cIndex(b, l, 1),
                                            cIndex(b, l, 0));
        Value next = arith::AddIOp::create(b, l, count, inc);
        scf::YieldOp::create(b, l, ValueRange{next, ifOp.getResult(0)});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// x != 0 for one element (NaN counts as non-zero).
Value isNonZero(OpBuilder &b, Location l, Value v) {
  if (isa<FloatType>(v.getType()))
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v,
                                 createScalar(b, l, v.getType(), 0.0));
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v,
                               createScalar(b, l, v.getType(), 0.0));
}

struct NonZeroLowering : OpConversionPattern<onnx::NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::NonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto inType = getStaticType(rewriter, op, op.getX().getType());
    if (failed(inType))
      return failure();
    if (!inType->getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "element type not supported");
    auto outType = resultType(rewriter, op, "NonZero", op.getY().getType());
    if (failed(outType))
      return failure();
    int64_t rank = inType->getRank();
    int64_t n = inType->getNumElements();
    int64_t m = outType->getDimSize(1);
    if (outType->getRank() != 2 || outType->getDimSize(0) != rank)
      return op.emitError("NonZero: result shape must be [") << rank << ", N]";
    OpBuilder &b = rewriter;
    Value flat = reshapeTensor(b, l, adaptor.getX(), {n});
    Value init =
        createFilled(b, l, *outType, createIntScalar(b, l, b.getI64Type(), 0));
    auto [count, result] = appendLoop(
        b, l, n, m, init,
        [&](OpBuilder &b, Location l, Value i) {
          return isNonZero(
              b, l, tensor::ExtractOp::create(b, l, flat, ValueRange{i}));
        },
        [&](OpBuilder &b, Location l, Value i, Value count, Value acc) {
          // The multi-index of flat position i, one row per dim.
          int64_t stride = n;
          for (int64_t d = 0; d < rank; ++d) {
            int64_t dim = inType->getDimSize(d);
            stride /= dim;
            Value q = arith::DivUIOp::create(b, l, i, cIndex(b, l, stride));
            Value idx = arith::RemUIOp::create(b, l, q, cIndex(b, l, dim));
            Value v64 = arith::IndexCastOp::create(b, l, b.getI64Type(), idx);
            acc = tensor::InsertOp::create(b, l, v64, acc,
                                           ValueRange{cIndex(b, l, d), count});
          }
          return acc;
        });
    checkCount(b, l, count, m, op, "the number of non-zero input elements");
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct CompressLowering : OpConversionPattern<onnx::CompressOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::CompressOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto inType = getStaticType(rewriter, op, op.getInput().getType());
    auto condType = getStaticType(rewriter, op, op.getCondition().getType());
    if (failed(inType) || failed(condType))
      return failure();
    if (condType->getRank() != 1)
      return op.emitError("Compress: condition must be 1-D");
    auto outType =
        resultType(rewriter, op, "Compress", op.getOutput().getType());
    if (failed(outType))
      return failure();
    OpBuilder &b = rewriter;
    Value in = adaptor.getInput();
    int64_t axis = 0;
    if (auto a = op.getAxis()) {
      auto norm = normalizeAxis(*a, inType->getRank());
      if (!norm)
        return op.emitError("Compress: axis out of range");
      axis = *norm;
    } else {
      in = reshapeTensor(b, l, in, {inType->getNumElements()});
    }
    auto srcType = cast<RankedTensorType>(in.getType());
    int64_t rank = srcType.getRank();
    SmallVector<int64_t> expect(srcType.getShape());
    int64_t m = outType->getDimSize(op.getAxis() ? axis : 0);
    expect[axis] = m;
    if (outType->getShape() != ArrayRef<int64_t>(expect))
      return op.emitError("Compress: result shape does not match the input");
    int64_t len = std::min(condType->getDimSize(0), srcType.getDimSize(axis));
    Value init = createEmpty(b, l, *outType);
    Value cond = adaptor.getCondition();
    // One slice along the axis at a time.
    SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(b.getIndexAttr(d == axis ? 1 : srcType.getDimSize(d)));
    auto offsetsAt = [&](Value pos) {
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
      offsets[axis] = pos;
      return offsets;
    };
    auto [count, result] = appendLoop(
        b, l, len, m, init,
        [&](OpBuilder &b, Location l, Value i) -> Value {
          return tensor::ExtractOp::create(b, l, cond, ValueRange{i});
        },
        [&](OpBuilder &b, Location l, Value i, Value count, Value acc) {
          Value slice = tensor::ExtractSliceOp::create(b, l, in, offsetsAt(i),
                                                       sizes, strides);
          return tensor::InsertSliceOp::create(b, l, slice, acc,
                                               offsetsAt(count), sizes, strides)
              .getResult();
        });
    checkCount(b, l, count, m, op, "the number of true conditions");
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Reads element 0 of an optional scalar input, or returns `dflt`.
Value optionalScalar(OpBuilder &b, Location l, Value v, Value dflt) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return dflt;
  if (t.getNumElements() == 0)
    return dflt;
  SmallVector<Value> zeros(t.getRank(), cIndex(b, l, 0));
  return tensor::ExtractOp::create(b, l, v, zeros);
}

/// The corners of box `i` of batch `batch` as (ymin, xmin, ymax, xmax)
/// (center_point_box = 0: [y1, x1, y2, x2] in any corner order; 1: [x
/// center, y center, width, height]).
std::array<Value, 4> boxCorners(OpBuilder &b, Location l, Value boxes,
                                Value batch, Value i, bool center) {
  Value c[4];
  for (int k = 0; k < 4; ++k)
    c[k] = tensor::ExtractOp::create(b, l, boxes,
                                     ValueRange{batch, i, cIndex(b, l, k)});
  if (center) {
    Value half = createScalar(b, l, c[0].getType(), 0.5);
    Value hw = arith::MulFOp::create(b, l, c[2], half);
    Value hh = arith::MulFOp::create(b, l, c[3], half);
    return {arith::SubFOp::create(b, l, c[1], hh),
            arith::SubFOp::create(b, l, c[0], hw),
            arith::AddFOp::create(b, l, c[1], hh),
            arith::AddFOp::create(b, l, c[0], hw)};
  }
  return {arith::MinimumFOp::create(b, l, c[0], c[2]),
          arith::MinimumFOp::create(b, l, c[1], c[3]),
          arith::MaximumFOp::create(b, l, c[0], c[2]),
          arith::MaximumFOp::create(b, l, c[1], c[3])};
}

/// True when boxes a and b overlap by more than `threshold` (IoU), with
/// ONNX's rules: no overlap, an empty box or an empty union never suppress.
Value suppresses(OpBuilder &b, Location l, std::array<Value, 4> a,
                 std::array<Value, 4> c, Value threshold) {
  using P = arith::CmpFPredicate;
  Type t = a[0].getType();
  Value zero = createScalar(b, l, t, 0.0);
  Value iy0 = arith::MaximumFOp::create(b, l, a[0], c[0]);
  Value ix0 = arith::MaximumFOp::create(b, l, a[1], c[1]);
  Value iy1 = arith::MinimumFOp::create(b, l, a[2], c[2]);
  Value ix1 = arith::MinimumFOp::create(b, l, a[3], c[3]);
  Value overlapX = arith::CmpFOp::create(b, l, P::OGT, ix1, ix0);
  Value overlapY = arith::CmpFOp::create(b, l, P::OGT, iy1, iy0);
  Value inter =
      arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, ix1, ix0),
                            arith::SubFOp::create(b, l, iy1, iy0));
  auto area = [&](std::array<Value, 4> x) {
    return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, x[3], x[1]),
                                 arith::SubFOp::create(b, l, x[2], x[0]));
  };
  Value areaA = area(a), areaC = area(c);
  Value uni = arith::SubFOp::create(
      b, l, arith::AddFOp::create(b, l, areaA, areaC), inter);
  Value valid = arith::AndIOp::create(b, l, overlapX, overlapY);
  for (Value v : {inter, areaA, areaC, uni})
    valid = arith::AndIOp::create(b, l, valid,
                                  arith::CmpFOp::create(b, l, P::OGT, v, zero));
  Value iou = arith::DivFOp::create(b, l, inter, uni);
  return arith::AndIOp::create(
      b, l, valid, arith::CmpFOp::create(b, l, P::OGT, iou, threshold));
}

struct NonMaxSuppressionLowering
    : OpConversionPattern<onnx::NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::NonMaxSuppressionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto boxesType = getStaticType(rewriter, op, op.getBoxes().getType());
    auto scoresType = getStaticType(rewriter, op, op.getScores().getType());
    if (failed(boxesType) || failed(scoresType))
      return failure();
    if (boxesType->getRank() != 3 || boxesType->getDimSize(2) != 4 ||
        scoresType->getRank() != 3 ||
        scoresType->getDimSize(0) != boxesType->getDimSize(0) ||
        scoresType->getDimSize(2) != boxesType->getDimSize(1))
      return op.emitError("NonMaxSuppression: boxes must be [B, N, 4] and "
                          "scores [B, C, N]");
    auto outType = resultType(rewriter, op, "NonMaxSuppression",
                              op.getSelectedIndices().getType());
    if (failed(outType))
      return failure();
    if (outType->getRank() != 2 || outType->getDimSize(1) != 3)
      return op.emitError("NonMaxSuppression: result must be [M, 3]");
    int64_t batches = boxesType->getDimSize(0);
    int64_t classes = scoresType->getDimSize(1);
    int64_t n = boxesType->getDimSize(1);
    int64_t m = outType->getDimSize(0);
    bool center = op.getCenterPointBox() != 0;
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type(), i64 = b.getI64Type();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    // An omitted max_output_boxes_per_class selects nothing (as ONNX's
    // reference does); a negative one counts as 0.
    Value maxOut = optionalScalar(b, l, adaptor.getMaxOutputBoxesPerClass(),
                                  createIntScalar(b, l, i64, 0));
    maxOut =
        arith::MaxSIOp::create(b, l, maxOut, createIntScalar(b, l, i64, 0));
    Value iouTh = optionalScalar(b, l, adaptor.getIouThreshold(),
                                 createScalar(b, l, f32, 0.0));
    bool hasScoreTh = false;
    if (auto t =
            dyn_cast<RankedTensorType>(adaptor.getScoreThreshold().getType()))
      hasScoreTh = t.getNumElements() > 0;
    Value scoreTh = optionalScalar(b, l, adaptor.getScoreThreshold(),
                                   createScalar(b, l, f32, 0.0));
    Value negInf =
        createScalar(b, l, f32, -std::numeric_limits<double>::infinity());
    Value trueV = createIntScalar(b, l, b.getI1Type(), 1);
    Value falseV = createIntScalar(b, l, b.getI1Type(), 0);

    Value out = createFilled(b, l, *outType, createIntScalar(b, l, i64, 0));
    auto flagsType = RankedTensorType::get({n}, b.getI1Type());
    auto listType = RankedTensorType::get({std::max<int64_t>(n, 1)}, i64);
    Value c0 = cIndex(b, l, 0), c1 = cIndex(b, l, 1), cN = cIndex(b, l, n);
    Value cM = cIndex(b, l, m), noBox = cIndex(b, l, -1);

    // for each (batch, class): pick candidates in score order (ties: the
    // lower index first), keep one unless it overlaps a kept one.
    auto perPair = [&](OpBuilder &b, Location l, Value bi, Value ci,
                       Value total, Value result) -> std::pair<Value, Value> {
      Value done = createFilled(b, l, flagsType, falseV);
      Value kept = createEmpty(b, l, listType);
      auto rounds = scf::ForOp::create(
          b, l, c0, cN, c1,
          ValueRange{cIndex(b, l, 0), done, kept, total, result},
          [&](OpBuilder &b, Location l, Value, ValueRange it) {
            Value nKept = it[0], doneT = it[1], keptT = it[2];
            Value tot = it[3], res = it[4];
            // The best candidate not yet taken.
            auto best = scf::ForOp::create(
                b, l, c0, cN, c1, ValueRange{noBox, negInf},
                [&](OpBuilder &b, Location l, Value j, ValueRange bs) {
                  Value s = tensor::ExtractOp::create(b, l, scores,
                                                      ValueRange{bi, ci, j});
                  Value taken =
                      tensor::ExtractOp::create(b, l, doneT, ValueRange{j});
                  Value avail = arith::XOrIOp::create(b, l, taken, trueV);
                  if (hasScoreTh)
                    avail = arith::AndIOp::create(
                        b, l, avail,
                        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                              s, scoreTh));
                  Value none = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, bs[0], noBox);
                  Value higher = arith::CmpFOp::create(
                      b, l, arith::CmpFPredicate::OGT, s, bs[1]);
                  Value better = arith::AndIOp::create(
                      b, l, avail, arith::OrIOp::create(b, l, none, higher));
                  scf::YieldOp::create(
                      b, l,
                      ValueRange{
                          arith::SelectOp::create(b, l, better, j, bs[0]),
                          arith::SelectOp::create(b, l, better, s, bs[1])});
                });
            Value cand = best.getResult(0);
            Value found = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                                cand, noBox);
            Value underMax = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt,
                arith::IndexCastOp::create(b, l, i64, nKept), maxOut);
            Value consider = arith::AndIOp::create(b, l, found, underMax);
            auto step = scf::IfOp::create(
                b, l, consider,
                [&](OpBuilder &b, Location l) {
                  auto cb = boxCorners(b, l, boxes, bi, cand, center);
                  auto sup = scf::ForOp::create(
                      b, l, c0, nKept, c1, ValueRange{falseV},
                      [&](OpBuilder &b, Location l, Value k, ValueRange s) {
                        Value other = arith::IndexCastOp::create(
                            b, l, b.getIndexType(),
                            tensor::ExtractOp::create(b, l, keptT,
                                                      ValueRange{k}));
                        auto ob = boxCorners(b, l, boxes, bi, other, center);
                        Value hit = suppresses(b, l, cb, ob, iouTh);
                        scf::YieldOp::create(
                            b, l,
                            ValueRange{arith::OrIOp::create(b, l, s[0], hit)});
                      });
                  Value keep =
                      arith::XOrIOp::create(b, l, sup.getResult(0), trueV);
                  Value d2 = tensor::InsertOp::create(b, l, trueV, doneT,
                                                      ValueRange{cand});
                  auto add = scf::IfOp::create(
                      b, l, keep,
                      [&](OpBuilder &b, Location l) {
                        Value k2 = tensor::InsertOp::create(
                            b, l, arith::IndexCastOp::create(b, l, i64, cand),
                            keptT, ValueRange{nKept});
                        Value room = arith::CmpIOp::create(
                            b, l, arith::CmpIPredicate::ult, tot, cM);
                        auto w = scf::IfOp::create(
                            b, l, room,
                            [&](OpBuilder &b, Location l) {
                              Value r = res;
                              Value vals[3] = {bi, ci, cand};
                              for (int64_t q = 0; q < 3; ++q)
                                r = tensor::InsertOp::create(
                                    b, l,
                                    arith::IndexCastOp::create(b, l, i64,
                                                               vals[q]),
                                    r, ValueRange{tot, cIndex(b, l, q)});
                              scf::YieldOp::create(b, l, r);
                            },
                            [&](OpBuilder &b, Location l) {
                              scf::YieldOp::create(b, l, res);
                            });
                        scf::YieldOp::create(
                            b, l,
                            ValueRange{arith::AddIOp::create(b, l, nKept, c1),
                                       k2, arith::AddIOp::create(b, l, tot, c1),
                                       w.getResult(0)});
                      },
                      [&](OpBuilder &b, Location l) {
                        scf::YieldOp::create(
                            b, l, ValueRange{nKept, keptT, tot, res});
                      });
                  scf::YieldOp::create(
                      b, l,
                      ValueRange{add.getResult(0), d2, add.getResult(1),
                                 add.getResult(2), add.getResult(3)});
                },
                [&](OpBuilder &b, Location l) {
                  scf::YieldOp::create(
                      b, l, ValueRange{nKept, doneT, keptT, tot, res});
                });
            scf::YieldOp::create(b, l, step.getResults());
          });
      return {rounds.getResult(3), rounds.getResult(4)};
    };

    auto outer = scf::ForOp::create(
        b, l, c0, cIndex(b, l, batches), c1, ValueRange{c0, out},
        [&](OpBuilder &b, Location l, Value bi, ValueRange it) {
          auto inner = scf::ForOp::create(
              b, l, c0, cIndex(b, l, classes), c1, ValueRange{it[0], it[1]},
              [&](OpBuilder &b, Location l, Value ci, ValueRange it2) {
                auto [tot, res] = perPair(b, l, bi, ci, it2[0], it2[1]);
                scf::YieldOp::create(b, l, ValueRange{tot, res});
              });
          scf::YieldOp::create(b, l, inner.getResults());
        });
    checkCount(b, l, outer.getResult(0), m, op, "the number of selected boxes");
    rewriter.replaceOp(op, outer.getResult(1));
    return success();
  }
};

} // namespace

void populateSelectionPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<NonZeroLowering, CompressLowering, NonMaxSuppressionLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
