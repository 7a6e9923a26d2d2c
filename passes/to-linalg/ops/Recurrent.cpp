//===- Recurrent.cpp - LSTM, GRU, RNN -------------------------------------===//
//
// One recipe for the three cells, per direction: X·W^T (+ Wb) for every time
// step is one linalg.matmul before the loop; an scf.for over the time steps
// carries h (and c for LSTM) and the direction's Y as tensors; each step is a
// linalg.matmul h·R^T (+ Rb) and linalg.generic ops for the gates, and the new
// h is inserted into Y with tensor.insert_slice. Layout 1 (batch-major) is
// transposed to layout 0 around the computation. Run-time sequence_lens
// mask each step (rows past their length keep their state and give zeros);
// the reverse direction then reads X and writes Y at lens[b] - 1 - step.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum class CellKind { LSTM, GRU, RNN };

/// An activation function with its alpha/beta.
struct Activation {
  std::string name; // lower case
  double alpha = 0.0, beta = 0.0;
};

bool usesAlpha(StringRef n) {
  return n == "leakyrelu" || n == "thresholdedrelu" || n == "scaledtanh" ||
         n == "hardsigmoid" || n == "elu" || n == "affine";
}
bool usesBeta(StringRef n) {
  return n == "scaledtanh" || n == "hardsigmoid" || n == "affine";
}
bool isKnownActivation(StringRef n) {
  return n == "sigmoid" || n == "tanh" || n == "relu" || n == "softsign" ||
         n == "softplus" || usesAlpha(n);
}
double defaultAlpha(StringRef n) {
  if (n == "leakyrelu")
    return 0.01;
  if (n == "hardsigmoid")
    return 0.2;
  return 1.0;
}
double defaultBeta(StringRef n) {
  if (n == "hardsigmoid")
    return 0.5;
  if (n == "affine")
    return 0.0;
  return 1.0;
}

Value applyActivation(OpBuilder &b, Location loc, const Activation &act,
                      Value x) {
  Type t = x.getType();
  auto cst = [&](double v) { return createScalar(b, loc, t, v); };
  StringRef n = act.name;
  if (n == "sigmoid") {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, cst(1.0),
                                 arith::AddFOp::create(b, loc, cst(1.0), e));
  }
  if (n == "tanh")
    return math::TanhOp::create(b, loc, x);
  if (n == "relu")
    return arith::MaxNumFOp::create(b, loc, x, cst(0.0));
  if (n == "leakyrelu") {
    Value neg =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(0.0));
    return arith::SelectOp::create(
        b, loc, neg, arith::MulFOp::create(b, loc, x, cst(act.alpha)), x);
  }
  if (n == "thresholdedrelu") {
    Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                     cst(act.alpha));
    return arith::SelectOp::create(b, loc, gt, x, cst(0.0));
  }
  if (n == "scaledtanh") {
    Value y = math::TanhOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, cst(act.beta)));
    return arith::MulFOp::create(b, loc, y, cst(act.alpha));
  }
  if (n == "hardsigmoid") {
    Value y = arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, cst(act.alpha)),
        cst(act.beta));
    y = arith::MaxNumFOp::create(b, loc, y, cst(0.0));
    return arith::MinNumFOp::create(b, loc, y, cst(1.0));
  }
  if (n == "elu") {
    Value neg =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(0.0));
    Value e =
        arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, x), cst(1.0));
    return arith::SelectOp::create(
        b, loc, neg, arith::MulFOp::create(b, loc, e, cst(act.alpha)), x);
  }
  if (n == "softsign") {
    Value d = arith::AddFOp::create(b, loc, cst(1.0),
                                    math::AbsFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, x, d);
  }
  if (n == "softplus")
    return math::LogOp::create(
        b, loc,
        arith::AddFOp::create(b, loc, cst(1.0),
                              math::ExpOp::create(b, loc, x)));
  // affine
  return arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, cst(act.alpha)), cst(act.beta));
}

/// A static slice of `src` at `offsets` with `sizes`, rank-reduced to
/// `resultShape`.
Value sliceTensor(OpBuilder &b, Location loc, Value src,
                  ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes,
                  ArrayRef<int64_t> resultShape) {
  auto srcType = cast<RankedTensorType>(src.getType());
  SmallVector<OpFoldResult> sz, strides;
  for (int64_t s : sizes) {
    sz.push_back(b.getIndexAttr(s));
    strides.push_back(b.getIndexAttr(1));
  }
  auto type = RankedTensorType::get(resultShape, srcType.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, type, src, offsets, sz,
                                        strides);
}

Value insertTensor(OpBuilder &b, Location loc, Value src, Value dest,
                   ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> sz, strides;
  for (int64_t s : sizes) {
    sz.push_back(b.getIndexAttr(s));
    strides.push_back(b.getIndexAttr(1));
  }
  return tensor::InsertSliceOp::create(b, loc, src, dest, offsets, sz, strides);
}

SmallVector<OpFoldResult> idx(OpBuilder &b, ArrayRef<int64_t> v) {
  SmallVector<OpFoldResult> r;
  for (int64_t x : v)
    r.push_back(b.getIndexAttr(x));
  return r;
}

/// a (M, K) x bT (K, N) accumulated into `init` (M, N).
Value matmul(OpBuilder &b, Location loc, Value a, Value bT, Value init) {
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{a, bT}, ValueRange{init})
      .getResult(0);
}

/// A linalg.generic over a 2-D space with identity maps for every input and
/// output, except inputs of rank 1 (broadcast along the rows).
SmallVector<Value> generic2D(
    OpBuilder &b, Location loc, ValueRange inputs, int64_t rows, int64_t cols,
    Type elt, unsigned numOutputs,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(cast<RankedTensorType>(v.getType()).getRank() == 1 ? row
                                                                      : id);
  auto type = RankedTensorType::get({rows, cols}, elt);
  SmallVector<Value> outs;
  SmallVector<Type> types;
  for (unsigned i = 0; i < numOutputs; ++i) {
    outs.push_back(createEmpty(b, loc, type));
    types.push_back(type);
    maps.push_back(id);
  }
  SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
  auto g = linalg::GenericOp::create(
      b, loc, types, inputs, outs, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> r = body(nb, nl, args.take_front(inputs.size()));
        linalg::YieldOp::create(nb, nl, r);
      });
  return SmallVector<Value>(g.getResults());
}

/// `src` ([seq, batch, n]) read in reverse within each row's length: row b
/// at step s is src[lens[b] - 1 - s, b]. With `step`, a [batch, n] result
/// for s = `step` (rows past their length read step 0); without, the whole
/// [seq, batch, n] with s the result's time index and zeros past the length.
Value reverseWithinLens(OpBuilder &b, Location loc, Value src, Value lens,
                        Value step) {
  MLIRContext *ctx = b.getContext();
  auto st = cast<RankedTensorType>(src.getType());
  int64_t seq = st.getDimSize(0);
  bool full = !step;
  int64_t rank = full ? 3 : 2, bDim = full ? 1 : 0;
  ArrayRef<int64_t> shape = st.getShape().drop_front(full ? 0 : 1);
  auto type = RankedTensorType::get(shape, st.getElementType());
  SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, {getAffineDimExpr(bDim, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{lens},
             ValueRange{createEmpty(b, loc, type)}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Type i64 = nb.getI64Type();
               Value s = full ? Value(linalg::IndexOp::create(nb, l, 0)) : step;
               s = arith::IndexCastOp::create(nb, l, i64, s);
               Value len = args[0];
               Value t = arith::SubIOp::create(
                   nb, l,
                   arith::SubIOp::create(nb, l, len,
                                         createIntScalar(nb, l, i64, 1)),
                   s);
               t = arith::MaxSIOp::create(nb, l, t,
                                          createIntScalar(nb, l, i64, 0));
               t = arith::MinSIOp::create(nb, l, t,
                                          createIntScalar(nb, l, i64, seq - 1));
               Value ti =
                   arith::IndexCastOp::create(nb, l, nb.getIndexType(), t);
               Value v = tensor::ExtractOp::create(
                   nb, l, src,
                   ValueRange{ti, linalg::IndexOp::create(nb, l, bDim),
                              linalg::IndexOp::create(nb, l, bDim + 1)});
               if (full) {
                 Value valid = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::slt, s, len);
                 v = arith::SelectOp::create(
                     nb, l, valid, v, createScalar(nb, l, v.getType(), 0.0));
               }
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

template <typename OpTy>
LogicalResult lowerRecurrent(OpTy op, CellKind kind, Value x, Value w, Value r,
                             Value bias, Value seqLens, Value initH,
                             Value initC, Value peep,
                             ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto wType = dyn_cast<RankedTensorType>(w.getType());
  auto rType = dyn_cast<RankedTensorType>(r.getType());
  if (!xType || !wType || !rType || !xType.hasStaticShape() ||
      !wType.hasStaticShape() || !rType.hasStaticShape() ||
      xType.getRank() != 3 || wType.getRank() != 3 || rType.getRank() != 3)
    return rewriter.notifyMatchFailure(op, "needs static 3-D X, W and R");
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return rewriter.notifyMatchFailure(op, "needs a float element type");
  int64_t layout = op.getLayout();
  if (layout != 0 && layout != 1)
    return rewriter.notifyMatchFailure(op, "layout must be 0 or 1");
  StringRef direction = op.getDirection();
  int64_t numDir = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return rewriter.notifyMatchFailure(op, "unknown direction");
  int64_t gates = kind == CellKind::LSTM ? 4 : kind == CellKind::GRU ? 3 : 1;
  int64_t hidden = rType.getDimSize(2);
  int64_t gh = gates * hidden;
  if (wType.getDimSize(0) != numDir || rType.getDimSize(0) != numDir ||
      wType.getDimSize(1) != gh || rType.getDimSize(1) != gh)
    return rewriter.notifyMatchFailure(op, "W/R shapes do not match");
  if (layout == 1)
    x = transposeTensor(rewriter, loc, x, {1, 0, 2});
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t seq = xt.getDimSize(0), batch = xt.getDimSize(1),
          input = xt.getDimSize(2);
  if (wType.getDimSize(2) != input)
    return rewriter.notifyMatchFailure(op, "W does not match X");

  auto absent = [](Value v) { return !v || isa<NoneType>(v.getType()); };
  // sequence_lens: unless they are all the sequence length, steps past a
  // row's length leave its state and give zeros in Y (`lens`, i64).
  Value lens;
  if (!absent(seqLens)) {
    auto lensType = dyn_cast<RankedTensorType>(seqLens.getType());
    if (!lensType || lensType.getShape() != ArrayRef<int64_t>{batch})
      return rewriter.notifyMatchFailure(op, "sequence_lens shape mismatch");
    auto c = getConstantInts(seqLens);
    if (failed(c) || llvm::any_of(*c, [&](int64_t l) { return l != seq; }))
      lens = createElementwise(
          rewriter, loc, seqLens,
          RankedTensorType::get({batch}, rewriter.getI64Type()),
          [](OpBuilder &b, Location l, ValueRange a) {
            return castScalar(b, l, a[0], a[0].getType(), b.getI64Type());
          });
  }
  auto checkShape = [&](Value v, ArrayRef<int64_t> shape) {
    if (absent(v))
      return true;
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.getShape() == shape;
  };
  if (!checkShape(bias, {numDir, 2 * gh}) ||
      !checkShape(peep, {numDir, 3 * hidden}))
    return rewriter.notifyMatchFailure(op, "B/P shapes do not match");
  SmallVector<int64_t> stateShape =
      layout == 0 ? SmallVector<int64_t>{numDir, batch, hidden}
                  : SmallVector<int64_t>{batch, numDir, hidden};
  if (!checkShape(initH, stateShape) || !checkShape(initC, stateShape))
    return rewriter.notifyMatchFailure(op, "initial state shapes do not match");
  if (layout == 1) {
    if (!absent(initH))
      initH = transposeTensor(rewriter, loc, initH, {1, 0, 2});
    if (!absent(initC))
      initC = transposeTensor(rewriter, loc, initC, {1, 0, 2});
  }

  // Activations, per direction.
  SmallVector<Activation> acts;
  unsigned perDir = kind == CellKind::LSTM ? 3 : kind == CellKind::GRU ? 2 : 1;
  if (auto names = op.getActivations()) {
    if (names->size() != perDir * numDir)
      return rewriter.notifyMatchFailure(op, "wrong number of activations");
    ArrayRef<float> alphas, betas;
    if (auto a = op.getActivationAlpha())
      alphas = *a;
    if (auto bt = op.getActivationBeta())
      betas = *bt;
    size_t ai = 0, bi = 0;
    for (Attribute a : *names) {
      Activation act;
      act.name = cast<StringAttr>(a).getValue().lower();
      if (!isKnownActivation(act.name))
        return rewriter.notifyMatchFailure(op, "unsupported activation " +
                                                   act.name);
      if (usesAlpha(act.name))
        act.alpha = ai < alphas.size() ? alphas[ai++] : defaultAlpha(act.name);
      if (usesBeta(act.name))
        act.beta = bi < betas.size() ? betas[bi++] : defaultBeta(act.name);
      acts.push_back(act);
    }
  } else {
    for (int64_t d = 0; d < numDir; ++d) {
      if (kind == CellKind::RNN) {
        acts.push_back({"tanh"});
      } else {
        acts.push_back({"sigmoid"});
        acts.push_back({"tanh"});
        if (kind == CellKind::LSTM)
          acts.push_back({"tanh"});
      }
    }
  }
  std::optional<double> clip;
  if (auto c = op.getClip())
    clip = c->convertToDouble();
  bool inputForget = false;
  bool linearBeforeReset = false;
  if constexpr (std::is_same_v<OpTy, onnx::LSTMOp>)
    inputForget = op.getInputForget() != 0;
  if constexpr (std::is_same_v<OpTy, onnx::GRUOp>)
    linearBeforeReset = op.getLinearBeforeReset() != 0;

  auto t2 = [&](int64_t a, int64_t c) {
    return RankedTensorType::get({a, c}, elt);
  };
  Value zero = createScalar(rewriter, loc, elt, 0.0);
  Value xFlat = reshapeTensor(rewriter, loc, x, {seq * batch, input});

  // The lengths per element of a [batch, hidden] state.
  Value lensB;
  if (lens)
    lensB = broadcastTensor(
        rewriter, loc, alignToAxis(rewriter, loc, lens, 0, 2),
        RankedTensorType::get({batch, hidden}, rewriter.getI64Type()));

  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < numDir; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    ArrayRef<Activation> dirActs = ArrayRef(acts).slice(d * perDir, perDir);
    Value wd = sliceTensor(rewriter, loc, w, idx(rewriter, {d, 0, 0}),
                           {1, gh, input}, {gh, input});
    Value wdT = transposeTensor(rewriter, loc, wd, {1, 0});
    Value rd = sliceTensor(rewriter, loc, r, idx(rewriter, {d, 0, 0}),
                           {1, gh, hidden}, {gh, hidden});
    Value rdT = transposeTensor(rewriter, loc, rd, {1, 0});
    Value wb, rb;
    if (!absent(bias)) {
      wb = sliceTensor(rewriter, loc, bias, idx(rewriter, {d, 0}), {1, gh},
                       {gh});
      rb = sliceTensor(rewriter, loc, bias, idx(rewriter, {d, gh}), {1, gh},
                       {gh});
    }
    // X·W^T + Wb for all steps.
    Value xwInit = wb ? broadcastTensor(rewriter, loc, wb, t2(seq * batch, gh))
                      : createFilled(rewriter, loc, t2(seq * batch, gh), zero);
    Value xw = matmul(rewriter, loc, xFlat, wdT, xwInit);
    xw = reshapeTensor(rewriter, loc, xw, {seq, batch, gh});
    // Loop-invariant accumulator of h·R^T: Rb broadcast, or zeros.
    Value hrInit = rb ? broadcastTensor(rewriter, loc, rb, t2(batch, gh))
                      : createFilled(rewriter, loc, t2(batch, gh), zero);
    // GRU without linear_before_reset: (r ⊙ h)·Rh^T + Rbh separately.
    Value rhT, rbhInit;
    if (kind == CellKind::GRU && !linearBeforeReset) {
      rhT = sliceTensor(rewriter, loc, rdT, idx(rewriter, {0, 2 * hidden}),
                        {hidden, hidden}, {hidden, hidden});
      rbhInit =
          sliceTensor(rewriter, loc, hrInit, idx(rewriter, {0, 2 * hidden}),
                      {batch, hidden}, {batch, hidden});
    }
    // Peepholes i, o, f.
    SmallVector<Value> p;
    if (!absent(peep))
      for (int64_t k = 0; k < 3; ++k)
        p.push_back(sliceTensor(rewriter, loc, peep,
                                idx(rewriter, {d, k * hidden}), {1, hidden},
                                {hidden}));
    auto initState = [&](Value v) {
      if (absent(v))
        return createFilled(rewriter, loc, t2(batch, hidden), zero);
      return sliceTensor(rewriter, loc, v, idx(rewriter, {d, 0, 0}),
                         {1, batch, hidden}, {batch, hidden});
    };
    Value h0 = initState(initH);
    Value c0 = kind == CellKind::LSTM ? initState(initC) : Value();
    Value y0 = createEmpty(rewriter, loc,
                           RankedTensorType::get({seq, batch, hidden}, elt));

    SmallVector<Value> iterArgs{h0, y0};
    if (c0)
      iterArgs.push_back(c0);
    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value ub = arith::ConstantIndexOp::create(rewriter, loc, seq);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto forOp = scf::ForOp::create(
        rewriter, loc, lb, ub, step, iterArgs,
        [&](OpBuilder &b, Location l, Value iv, ValueRange args) {
          Value h = args[0], y = args[1];
          Value c = c0 ? args[2] : Value();
          Value t = iv;
          if (reverse)
            t = arith::SubIOp::create(
                b, l, arith::ConstantIndexOp::create(b, l, seq - 1), iv);
          Value xwT =
              lens && reverse
                  ? reverseWithinLens(b, l, xw, lens, iv)
                  : sliceTensor(b, l, xw,
                                {t, b.getIndexAttr(0), b.getIndexAttr(0)},
                                {1, batch, gh}, {batch, gh});
          Value hr = matmul(b, l, h, rdT, hrInit);
          auto gate = [&](Value v, int64_t k) {
            return sliceTensor(b, l, v, idx(b, {0, k * hidden}),
                               {batch, hidden}, {batch, hidden});
          };
          auto clipped = [&](OpBuilder &nb, Location nl, Value v) {
            if (!clip)
              return v;
            v = arith::MaxNumFOp::create(nb, nl, v,
                                         createScalar(nb, nl, elt, -*clip));
            return Value(arith::MinNumFOp::create(
                nb, nl, v, createScalar(nb, nl, elt, *clip)));
          };
          auto act = [&](OpBuilder &nb, Location nl, unsigned i, Value v) {
            return applyActivation(nb, nl, dirActs[i], clipped(nb, nl, v));
          };
          Value hNew, cNew;
          if (kind == CellKind::RNN) {
            hNew = generic2D(b, l, {xwT, hr}, batch, hidden, elt, 1,
                             [&](OpBuilder &nb, Location nl, ValueRange s) {
                               Value v =
                                   arith::AddFOp::create(nb, nl, s[0], s[1]);
                               return SmallVector<Value>{act(nb, nl, 0, v)};
                             })[0];
          } else if (kind == CellKind::LSTM) {
            // Gate order i, o, f, c.
            SmallVector<Value> ins{gate(xwT, 0), gate(xwT, 1), gate(xwT, 2),
                                   gate(xwT, 3), gate(hr, 0),  gate(hr, 1),
                                   gate(hr, 2),  gate(hr, 3),  c};
            ins.append(p.begin(), p.end());
            bool hasP = !p.empty();
            auto res = generic2D(
                b, l, ins, batch, hidden, elt, 2,
                [&](OpBuilder &nb, Location nl, ValueRange s) {
                  auto add = [&](Value u, Value v) {
                    return Value(arith::AddFOp::create(nb, nl, u, v));
                  };
                  auto mul = [&](Value u, Value v) {
                    return Value(arith::MulFOp::create(nb, nl, u, v));
                  };
                  Value cPrev = s[8];
                  Value iPre = add(s[0], s[4]);
                  Value oPre = add(s[1], s[5]);
                  Value fPre = add(s[2], s[6]);
                  Value cPre = add(s[3], s[7]);
                  if (hasP) {
                    iPre = add(iPre, mul(s[9], cPrev));
                    fPre = add(fPre, mul(s[11], cPrev));
                  }
                  Value iG = act(nb, nl, 0, iPre);
                  Value fG =
                      inputForget
                          ? Value(arith::SubFOp::create(
                                nb, nl, createScalar(nb, nl, elt, 1.0), iG))
                          : act(nb, nl, 0, fPre);
                  Value cG = act(nb, nl, 1, cPre);
                  Value cT = add(mul(fG, cPrev), mul(iG, cG));
                  if (hasP)
                    oPre = add(oPre, mul(s[10], cT));
                  Value oG = act(nb, nl, 0, oPre);
                  Value hT = mul(oG, applyActivation(nb, nl, dirActs[2], cT));
                  return SmallVector<Value>{hT, cT};
                });
            hNew = res[0];
            cNew = res[1];
          } else {
            // GRU, gate order z, r, h.
            auto zr = generic2D(
                b, l, {gate(xwT, 0), gate(xwT, 1), gate(hr, 0), gate(hr, 1)},
                batch, hidden, elt, 2,
                [&](OpBuilder &nb, Location nl, ValueRange s) {
                  Value z =
                      act(nb, nl, 0, arith::AddFOp::create(nb, nl, s[0], s[2]));
                  Value rg =
                      act(nb, nl, 0, arith::AddFOp::create(nb, nl, s[1], s[3]));
                  return SmallVector<Value>{z, rg};
                });
            Value hh; // the recurrent part of the h gate
            if (linearBeforeReset) {
              hh = generic2D(b, l, {zr[1], gate(hr, 2)}, batch, hidden, elt, 1,
                             [&](OpBuilder &nb, Location nl, ValueRange s) {
                               return SmallVector<Value>{
                                   arith::MulFOp::create(nb, nl, s[0], s[1])};
                             })[0];
            } else {
              Value rh =
                  generic2D(b, l, {zr[1], h}, batch, hidden, elt, 1,
                            [&](OpBuilder &nb, Location nl, ValueRange s) {
                              return SmallVector<Value>{
                                  arith::MulFOp::create(nb, nl, s[0], s[1])};
                            })[0];
              hh = matmul(b, l, rh, rhT, rbhInit);
            }
            hNew = generic2D(
                b, l, {gate(xwT, 2), hh, zr[0], h}, batch, hidden, elt, 1,
                [&](OpBuilder &nb, Location nl, ValueRange s) {
                  Value g =
                      act(nb, nl, 1, arith::AddFOp::create(nb, nl, s[0], s[1]));
                  // (1 - z) * g + z * h = g + z * (h - g)
                  Value dlt = arith::SubFOp::create(nb, nl, s[3], g);
                  Value v = arith::AddFOp::create(
                      nb, nl, g, arith::MulFOp::create(nb, nl, s[2], dlt));
                  return SmallVector<Value>{v};
                })[0];
          }
          Value yRow = hNew;
          if (lens) {
            // Rows past their length keep their state and give zeros; Y
            // is in step order (reversed after the loop).
            t = iv;
            SmallVector<Value> ins{lensB, hNew, h};
            if (c)
              ins.append({cNew, c});
            Value s = arith::IndexCastOp::create(b, l, b.getI64Type(), iv);
            auto m = generic2D(
                b, l, ins, batch, hidden, elt, c ? 3 : 2,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value valid = arith::CmpIOp::create(
                      nb, nl, arith::CmpIPredicate::slt, s, a[0]);
                  SmallVector<Value> r{
                      arith::SelectOp::create(nb, nl, valid, a[1], a[2]),
                      arith::SelectOp::create(nb, nl, valid, a[1],
                                              createScalar(nb, nl, elt, 0.0))};
                  if (a.size() > 3)
                    r.push_back(
                        arith::SelectOp::create(nb, nl, valid, a[3], a[4]));
                  return r;
                });
            hNew = m[0];
            yRow = m[1];
            if (c)
              cNew = m[2];
          }
          Value yNew = insertTensor(b, l, yRow, y,
                                    {t, b.getIndexAttr(0), b.getIndexAttr(0)},
                                    {1, batch, hidden});
          SmallVector<Value> yields{hNew, yNew};
          if (cNew)
            yields.push_back(cNew);
          scf::YieldOp::create(b, l, yields);
        });
    hs.push_back(forOp.getResult(0));
    ys.push_back(lens && reverse
                     ? reverseWithinLens(rewriter, loc, forOp.getResult(1),
                                         lens, Value())
                     : forOp.getResult(1));
    if (kind == CellKind::LSTM)
      cs.push_back(forOp.getResult(2));
  }

  // Results in layout 0, then transposed for layout 1.
  SmallVector<Value> results;
  Value none;
  auto stack = [&](ArrayRef<Value> parts, ArrayRef<int64_t> partShape,
                   int64_t dirDim) {
    SmallVector<int64_t> shape(partShape);
    shape.insert(shape.begin() + dirDim, numDir);
    Value dest = createEmpty(rewriter, loc, RankedTensorType::get(shape, elt));
    for (int64_t d = 0; d < numDir; ++d) {
      SmallVector<int64_t> off(shape.size(), 0), sizes(shape);
      off[dirDim] = d;
      sizes[dirDim] = 1;
      dest = insertTensor(rewriter, loc, parts[d], dest, idx(rewriter, off),
                          sizes);
    }
    return dest;
  };
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    Value res = op->getResult(i);
    if (isa<NoneType>(res.getType()) || res.use_empty()) {
      if (!none)
        none = onnx::NoneOp::create(rewriter, loc);
      results.push_back(isa<NoneType>(res.getType()) ? none : Value());
      continue;
    }
    Value v;
    if (i == 0) {
      v = stack(ys, {seq, batch, hidden}, 1);
      if (layout == 1)
        v = transposeTensor(rewriter, loc, v, {2, 0, 1, 3});
    } else {
      v = stack(i == 1 ? hs : cs, {batch, hidden}, 0);
      if (layout == 1)
        v = transposeTensor(rewriter, loc, v, {1, 0, 2});
    }
    auto want = dyn_cast<RankedTensorType>(res.getType());
    if (!want ||
        want.getShape() != cast<RankedTensorType>(v.getType()).getShape())
      return rewriter.notifyMatchFailure(op, "unexpected result shape");
    results.push_back(v);
  }
  // Unused results: any value of the right type.
  for (unsigned i = 0; i < results.size(); ++i)
    if (!results[i]) {
      auto t = getStaticType(rewriter, op, op->getResult(i).getType());
      if (failed(t))
        return failure();
      results[i] = createEmpty(rewriter, loc, *t);
    }
  rewriter.replaceOp(op, results);
  return success();
}

struct LSTMLowering : OpConversionPattern<onnx::LSTMOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LSTMOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerRecurrent(op, CellKind::LSTM, a.getX(), a.getW(), a.getR(),
                          a.getB(), a.getSequenceLens(), a.getInitialH(),
                          a.getInitialC(), a.getP(), rewriter);
  }
};

struct GRULowering : OpConversionPattern<onnx::GRUOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::GRUOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerRecurrent(op, CellKind::GRU, a.getX(), a.getW(), a.getR(),
                          a.getB(), a.getSequenceLens(), a.getInitialH(),
                          Value(), Value(), rewriter);
  }
};

struct RNNLowering : OpConversionPattern<onnx::RNNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::RNNOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerRecurrent(op, CellKind::RNN, a.getX(), a.getW(), a.getR(),
                          a.getB(), a.getSequenceLens(), a.getInitialH(),
                          Value(), Value(), rewriter);
  }
};

} // namespace

void populateRecurrentPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LSTMLowering, GRULowering, RNNLowering>(tc, ctx);
}

} // namespace kiln::tolinalg
