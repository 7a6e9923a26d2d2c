//===- NN.cpp - shape inference: NN ops -----------------------------------===//
//
// Convolutions, pooling, matrix products, normalizations, recurrences.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx {

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// Spatial output dims of a sliding window (Conv, pools). `kernel` has one
/// entry per spatial dim (kDynamic when unknown).
FailureOr<SmallVector<int64_t>> windowOutput(Operation *op,
                                             ArrayRef<int64_t> in,
                                             ArrayRef<int64_t> kernel,
                                             bool ceilMode) {
  size_t n = in.size();
  SmallVector<int64_t> strides(n, 1), dilations(n, 1), pads(2 * n, 0);
  if (auto s = getIntsAttr(op, "strides"))
    strides = *s;
  if (auto d = getIntsAttr(op, "dilations"))
    dilations = *d;
  if (auto p = getIntsAttr(op, "pads"))
    pads = *p;
  if (strides.size() != n || dilations.size() != n || pads.size() != 2 * n ||
      kernel.size() != n) {
    op->emitOpError("strides/dilations/pads/kernel_shape do not match the ")
        << n << " spatial dims";
    return failure();
  }
  StringRef autoPad = "NOTSET";
  if (auto a = op->getAttrOfType<StringAttr>("auto_pad"))
    autoPad = a.getValue();
  SmallVector<int64_t> out;
  for (size_t i = 0; i < n; ++i) {
    int64_t s = strides[i], d = dilations[i], k = kernel[i], x = in[i];
    if (s <= 0 || d <= 0) {
      op->emitOpError("strides and dilations must be positive");
      return failure();
    }
    if (isDyn(x)) {
      out.push_back(kDyn);
      continue;
    }
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out.push_back(ceilDiv(x, s));
      continue;
    }
    if (isDyn(k)) {
      out.push_back(kDyn);
      continue;
    }
    int64_t ek = (k - 1) * d + 1;
    int64_t padded = x;
    if (autoPad != "VALID")
      padded += pads[i] + pads[i + n];
    if (padded < ek) {
      op->emitOpError("kernel extent ")
          << ek << " exceeds the padded input size " << padded << " of dim "
          << i;
      return failure();
    }
    int64_t o;
    if (ceilMode) {
      o = ceilDiv(padded - ek, s) + 1;
      // The last window must start inside the input or the left padding.
      int64_t lead = autoPad == "VALID" ? 0 : pads[i];
      if ((o - 1) * s >= x + lead)
        --o;
    } else {
      o = floorDiv(padded - ek, s) + 1;
    }
    out.push_back(o);
  }
  return out;
}

/// Conv, ConvInteger, QLinearConv, DeformConv: X and W operand indices.
LogicalResult inferConv(Operation *op, unsigned xIdx, unsigned wIdx) {
  auto x = getShape(op->getOperand(xIdx));
  auto w = getShape(op->getOperand(wIdx));
  if (!x)
    return success();
  if (x->size() < 3)
    return shapeError(op, "expects an input of rank >= 3");
  size_t n = x->size() - 2;
  if (w && w->size() != x->size())
    return shapeError(op, "weight rank ")
           << w->size() << " differs from input rank " << x->size();
  int64_t group = getIntAttr(op, "group", 1);
  if (group <= 0)
    return shapeError(op, "group must be positive");
  if (w && !isDyn((*x)[1]) && !isDyn((*w)[1]) && (*x)[1] != (*w)[1] * group)
    return shapeError(op, "input channels ")
           << (*x)[1] << " != weight channels " << (*w)[1] << " * group "
           << group;
  SmallVector<int64_t> kernel(n, kDyn);
  if (auto k = getIntsAttr(op, "kernel_shape"))
    kernel = *k;
  else if (w)
    kernel.assign(w->begin() + 2, w->end());
  auto spatial = windowOutput(op, ArrayRef(*x).drop_front(2), kernel, false);
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> out = {(*x)[0], w ? (*w)[0] : kDyn};
  out.append(*spatial);
  return setShape(op->getResult(0), out);
}

LogicalResult inferConvTranspose(Operation *op) {
  auto x = getShape(op->getOperand(0));
  auto w = getShape(op->getOperand(1));
  if (!x)
    return success();
  if (x->size() < 3)
    return shapeError(op, "expects an input of rank >= 3");
  size_t n = x->size() - 2;
  int64_t group = getIntAttr(op, "group", 1);
  if (group <= 0)
    return shapeError(op, "group must be positive");
  if (w && w->size() != x->size())
    return shapeError(op, "weight rank differs from input rank");
  if (w && !isDyn((*x)[1]) && !isDyn((*w)[0]) && (*x)[1] != (*w)[0])
    return shapeError(op, "input channels ")
           << (*x)[1] << " != weight dim 0 " << (*w)[0];
  SmallVector<int64_t> out = {(*x)[0], w ? mulDims((*w)[1], group) : kDyn};
  if (auto os = getIntsAttr(op, "output_shape")) {
    ArrayRef<int64_t> spatial(*os);
    if (spatial.size() == n + 2)
      spatial = spatial.drop_front(2);
    if (spatial.size() != n)
      return shapeError(op, "output_shape has the wrong length");
    out.append(spatial.begin(), spatial.end());
    return setShape(op->getResult(0), out);
  }
  SmallVector<int64_t> kernel(n, kDyn);
  if (auto k = getIntsAttr(op, "kernel_shape"))
    kernel = *k;
  else if (w)
    kernel.assign(w->begin() + 2, w->end());
  SmallVector<int64_t> strides(n, 1), dilations(n, 1), pads(2 * n, 0),
      outPad(n, 0);
  if (auto s = getIntsAttr(op, "strides"))
    strides = *s;
  if (auto d = getIntsAttr(op, "dilations"))
    dilations = *d;
  if (auto p = getIntsAttr(op, "pads"))
    pads = *p;
  if (auto p = getIntsAttr(op, "output_padding"))
    outPad = *p;
  if (strides.size() != n || dilations.size() != n || pads.size() != 2 * n ||
      outPad.size() != n || kernel.size() != n)
    return shapeError(op, "window attributes do not match the spatial rank");
  StringRef autoPad = "NOTSET";
  if (auto a = op->getAttrOfType<StringAttr>("auto_pad"))
    autoPad = a.getValue();
  for (size_t i = 0; i < n; ++i) {
    int64_t in = (*x)[i + 2];
    if (isDyn(in)) {
      out.push_back(kDyn);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out.push_back(in * strides[i]);
    } else if (isDyn(kernel[i])) {
      out.push_back(kDyn);
    } else {
      int64_t p = autoPad == "VALID" ? 0 : pads[i] + pads[i + n];
      int64_t o = strides[i] * (in - 1) + outPad[i] +
                  (kernel[i] - 1) * dilations[i] + 1 - p;
      if (o <= 0)
        return shapeError(op, "non-positive output dim ") << o;
      out.push_back(o);
    }
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferPool(Operation *op) {
  auto x = getShape(op->getOperand(0));
  if (!x)
    return success();
  if (x->size() < 3)
    return shapeError(op, "expects an input of rank >= 3");
  auto kernel = getIntsAttr(op, "kernel_shape");
  if (!kernel)
    return shapeError(op, "requires kernel_shape");
  bool ceilMode = getIntAttr(op, "ceil_mode", 0) != 0;
  auto spatial =
      windowOutput(op, ArrayRef(*x).drop_front(2), *kernel, ceilMode);
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> out = {(*x)[0], (*x)[1]};
  out.append(*spatial);
  for (Value r : op->getResults())
    if (failed(setShape(r, out)))
      return failure();
  return success();
}

LogicalResult inferMatMul(Operation *op, unsigned aIdx, unsigned bIdx) {
  auto a = getShape(op->getOperand(aIdx));
  auto b = getShape(op->getOperand(bIdx));
  if (!a || !b)
    return success();
  if (a->empty() || b->empty())
    return shapeError(op, "operands must have rank >= 1");
  SmallVector<int64_t> sa(*a), sb(*b);
  bool aVec = sa.size() == 1, bVec = sb.size() == 1;
  if (aVec)
    sa.insert(sa.begin(), 1);
  if (bVec)
    sb.push_back(1);
  int64_t k1 = sa.back(), k2 = sb[sb.size() - 2];
  if (!isDyn(k1) && !isDyn(k2) && k1 != k2)
    return shapeError(op, "inner dims do not match: ") << k1 << " vs " << k2;
  SmallVector<SmallVector<int64_t>> batches = {
      SmallVector<int64_t>(sa.begin(), sa.end() - 2),
      SmallVector<int64_t>(sb.begin(), sb.end() - 2)};
  auto batch = broadcastShapes(batches);
  if (failed(batch))
    return shapeError(op, "batch dims do not broadcast");
  SmallVector<int64_t> out(*batch);
  if (!aVec)
    out.push_back(sa[sa.size() - 2]);
  if (!bVec)
    out.push_back(sb.back());
  return setShape(op->getResult(0), out);
}

LogicalResult inferGemm(Operation *op) {
  auto a = getShape(op->getOperand(0));
  auto b = getShape(op->getOperand(1));
  if (!a || !b)
    return success();
  if (a->size() != 2 || b->size() != 2)
    return shapeError(op, "A and B must be 2-D");
  bool ta = getIntAttr(op, "transA", 0), tb = getIntAttr(op, "transB", 0);
  int64_t m = (*a)[ta ? 1 : 0], k1 = (*a)[ta ? 0 : 1];
  int64_t k2 = (*b)[tb ? 1 : 0], n = (*b)[tb ? 0 : 1];
  if (!isDyn(k1) && !isDyn(k2) && k1 != k2)
    return shapeError(op, "inner dims do not match: ") << k1 << " vs " << k2;
  Value c = op->getOperand(2);
  if (auto cs = getShape(c)) {
    SmallVector<SmallVector<int64_t>> shapes = {{m, n}, *cs};
    auto bc = broadcastShapes(shapes);
    if (failed(bc) || bc->size() != 2)
      return shapeError(op, "C does not broadcast to the product");
  }
  return setShape(op->getResult(0), {m, n});
}

LogicalResult inferLayerNorm(Operation *op) {
  auto x = getShape(op->getOperand(0));
  if (!x)
    return success();
  int64_t r = x->size();
  auto axis = normalizeAxis(getIntAttr(op, "axis", -1), r);
  if (!axis)
    return shapeError(op, "axis out of range for rank ") << r;
  if (failed(setShape(op->getResult(0), *x)))
    return failure();
  SmallVector<int64_t> stat(*x);
  for (int64_t i = *axis; i < r; ++i)
    stat[i] = 1;
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    if (failed(setShape(op->getResult(i), stat)))
      return failure();
  return success();
}

LogicalResult inferRNN(Operation *op) {
  auto x = getShape(op->getOperand(0));
  auto r = getShape(op->getOperand(2));
  if (!x)
    return success();
  if (x->size() != 3)
    return shapeError(op, "X must be 3-D");
  bool batchFirst = getIntAttr(op, "layout", 0) != 0;
  int64_t seq = (*x)[batchFirst ? 1 : 0], batch = (*x)[batchFirst ? 0 : 1];
  StringRef dir = "forward";
  if (auto d = op->getAttrOfType<StringAttr>("direction"))
    dir = d.getValue();
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  int64_t hidden = getIntAttr(op, "hidden_size", kDyn);
  if (isDyn(hidden) && r && r->size() == 3)
    hidden = (*r)[2];
  SmallVector<int64_t> y = batchFirst
                               ? SmallVector<int64_t>{batch, seq, dirs, hidden}
                               : SmallVector<int64_t>{seq, dirs, batch, hidden};
  SmallVector<int64_t> h = batchFirst
                               ? SmallVector<int64_t>{batch, dirs, hidden}
                               : SmallVector<int64_t>{dirs, batch, hidden};
  if (failed(setShape(op->getResult(0), y)))
    return failure();
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    if (failed(setShape(op->getResult(i), h)))
      return failure();
  return success();
}

/// CausalConvWithState: output has the shape of the input (B, C, L),
/// present_state (B, C, k - 1) with k from the weight (C, 1, k); B and C
/// also from past_state.
LogicalResult inferCausalConv(Operation *op) {
  auto x = getShape(op->getOperand(0));
  auto w = getShape(op->getOperand(1));
  auto past = getShape(op->getOperand(3));
  if (x && x->size() != 3)
    return shapeError(op, "input must be rank 3 (batch, channels, length)");
  if (w && w->size() != 3)
    return shapeError(op, "weight must be rank 3 (channels, 1, k)");
  if (past && past->size() != 3)
    return shapeError(op, "past_state must be rank 3 (batch, channels, k-1)");
  if (x && failed(setShape(op->getResult(0), *x)))
    return failure();
  SmallVector<int64_t> st(3, kDyn);
  if (past)
    st = *past;
  if (x)
    for (int i = 0; i < 2; ++i)
      if (isDyn(st[i]))
        st[i] = (*x)[i];
  if (w && isDyn(st[1]))
    st[1] = (*w)[0];
  if (w && !isDyn((*w)[2]) && isDyn(st[2]))
    st[2] = (*w)[2] - 1;
  if (!x && !w && !past)
    return success();
  return setShape(op->getResult(1), st);
}

LogicalResult inferAttention(Operation *op) {
  auto q = getShape(op->getOperand(0));
  auto k = getShape(op->getOperand(1));
  auto v = getShape(op->getOperand(2));
  if (!q || !v || q->size() != v->size())
    return success();
  if (!k || k->size() != q->size())
    k = SmallVector<int64_t>(q->size(), kDyn);
  // Heads and per-head sizes of Q, K and V.
  int64_t b = (*q)[0], sq, hq, hkv, d, dv, skv;
  if (q->size() == 4) {
    hq = (*q)[1], sq = (*q)[2], d = (*q)[3];
    hkv = (*k)[1], skv = (*k)[2], dv = (*v)[3];
  } else if (q->size() == 3) {
    hq = getIntAttr(op, "q_num_heads", kDyn);
    hkv = getIntAttr(op, "kv_num_heads", kDyn);
    sq = (*q)[1], skv = (*k)[1];
    auto split = [](int64_t hidden, int64_t heads) {
      return isDyn(hidden) || isDyn(heads) || heads <= 0 || hidden % heads
                 ? kDyn
                 : hidden / heads;
    };
    d = split((*k)[2], hkv), dv = split((*v)[2], hkv);
    if (failed(setShape(op->getResult(0), {b, sq, mulDims(hq, dv)})))
      return failure();
  } else {
    return success();
  }
  if (q->size() == 4 && failed(setShape(op->getResult(0), {b, hq, sq, dv})))
    return failure();
  // The cache outputs and qk_matmul_output cover past + new keys.
  int64_t total = skv;
  if (op->getNumOperands() > 4) {
    auto past = getShape(op->getOperand(4));
    if (past && past->size() == 4)
      total = isDyn(skv) || isDyn((*past)[2]) ? kDyn : skv + (*past)[2];
  }
  if (op->getNumResults() == 4 &&
      (failed(setShape(op->getResult(1), {b, hkv, total, d})) ||
       failed(setShape(op->getResult(2), {b, hkv, total, dv})) ||
       failed(setShape(op->getResult(3), {b, hq, sq, total}))))
    return failure();
  return success();
}

/// LinearAttention: output [B, T, Hq * dv] with dv = value hidden / Hkv,
/// present_state [B, Hkv, dk, dv] with dk = query hidden / Hq.
LogicalResult inferLinearAttention(Operation *op) {
  auto q = getShape(op->getOperand(0));
  auto v = getShape(op->getOperand(2));
  if (!q || !v)
    return success();
  if (q->size() != 3 || v->size() != 3)
    return shapeError(op, "query and value must be 3-D (B, T, H*D)");
  int64_t hq = getIntAttr(op, "q_num_heads", kDyn);
  int64_t hkv = getIntAttr(op, "kv_num_heads", kDyn);
  if (!isDyn(hq) && !isDyn(hkv) && (hq <= 0 || hkv <= 0 || hq % hkv))
    return shapeError(op, "q_num_heads must be a positive multiple of "
                          "kv_num_heads");
  auto split = [](int64_t hidden, int64_t heads) {
    return isDyn(hidden) || isDyn(heads) || heads <= 0 || hidden % heads
               ? kDyn
               : hidden / heads;
  };
  int64_t b = (*q)[0], dk = split((*q)[2], hq), dv = split((*v)[2], hkv);
  if (failed(setShape(op->getResult(0), {b, (*q)[1], mulDims(hq, dv)})))
    return failure();
  return setShape(op->getResult(1), {b, hkv, dk, dv});
}

LogicalResult inferResize(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  bool isUpsample = isa<UpsampleOp>(op);
  SmallVector<int64_t> axes;
  if (auto a = getIntsAttr(op, "axes")) {
    for (int64_t x : *a) {
      auto n = normalizeAxis(x, r);
      if (!n)
        return shapeError(op, "axis ") << x << " out of range";
      axes.push_back(*n);
    }
  } else {
    for (int64_t i = 0; i < r; ++i)
      axes.push_back(i);
  }
  Value scalesV = op->getOperand(isUpsample ? 1 : 2);
  Value sizesV = isUpsample ? Value() : op->getOperand(3);
  SmallVector<int64_t> out(*in);
  auto policy = op->getAttrOfType<StringAttr>("keep_aspect_ratio_policy");
  auto mode = op->getAttrOfType<StringAttr>("coordinate_transformation_mode");
  bool stretch = !policy || policy.getValue() == "stretch";
  bool crop = mode && mode.getValue() == "tf_crop_and_resize";
  std::optional<SmallVector<int64_t>> sizes;
  if (sizesV && !isNone(sizesV)) {
    sizes = getConstantInts(sizesV);
    if (sizes && !sizes->empty()) {
      if (sizes->size() != axes.size())
        return shapeError(op, "sizes has ")
               << sizes->size() << " entries for " << axes.size() << " axes";
      for (auto [i, a] : llvm::enumerate(axes))
        out[a] = stretch ? (*sizes)[i] : kDyn;
      return setShape(op->getResult(0), out);
    }
    if (!sizes && getStatic1DLength(sizesV).value_or(0) != 0) {
      for (int64_t a : axes)
        out[a] = kDyn;
      return setShape(op->getResult(0), out);
    }
  }
  if (scalesV && !isNone(scalesV)) {
    auto scales = getConstantFloats(scalesV);
    if (!scales) {
      for (int64_t a : axes)
        out[a] = kDyn;
      return setShape(op->getResult(0), out);
    }
    if (scales->size() != axes.size())
      return shapeError(op, "scales has ")
             << scales->size() << " entries for " << axes.size() << " axes";
    for (auto [i, a] : llvm::enumerate(axes)) {
      float s = (float)(*scales)[i];
      if (!(s > 0))
        return shapeError(op, "scales must be positive");
      if (isDyn(out[a]) || crop) {
        out[a] = kDyn;
        continue;
      }
      out[a] = (int64_t)std::floor((float)out[a] * s);
    }
    return setShape(op->getResult(0), out);
  }
  return success();
}

LogicalResult inferDepthSpace(Operation *op, bool toSpace) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  if (in->size() != 4)
    return shapeError(op, "expects a 4-D input");
  int64_t b = getIntAttr(op, "blocksize", 1);
  if (b <= 0)
    return shapeError(op, "blocksize must be positive");
  int64_t n = (*in)[0], c = (*in)[1], h = (*in)[2], w = (*in)[3];
  if (toSpace) {
    if (!isDyn(c) && c % (b * b) != 0)
      return shapeError(op, "channels ") << c << " not divisible by " << b * b;
    return setShape(op->getResult(0), {n, isDyn(c) ? kDyn : c / (b * b),
                                       mulDims(h, b), mulDims(w, b)});
  }
  if ((!isDyn(h) && h % b) || (!isDyn(w) && w % b))
    return shapeError(op, "spatial dims not divisible by blocksize ") << b;
  return setShape(
      op->getResult(0),
      {n, mulDims(c, b * b), isDyn(h) ? kDyn : h / b, isDyn(w) ? kDyn : w / b});
}

/// Ops whose result 0 has the shape of operand 0.
bool isSameShapeNN(Operation *op) {
  return isa<InstanceNormalizationOp, LRNOp, SoftmaxOp, LogSoftmaxOp, HardmaxOp,
             LpNormalizationOp, MeanVarianceNormalizationOp, RMSNormalizationOp,
             GroupNormalizationOp, RotaryEmbeddingOp>(op);
}

} // namespace

std::optional<LogicalResult> inferNNShapes(Operation *op) {
  if (isSameShapeNN(op))
    return setSameShape(op->getResult(0), op->getOperand(0));
  if (isa<ConvOp, ConvIntegerOp, DeformConvOp>(op))
    return inferConv(op, 0, 1);
  if (isa<QLinearConvOp>(op))
    return inferConv(op, 0, 3);
  if (isa<ConvTransposeOp>(op))
    return inferConvTranspose(op);
  if (isa<MaxPoolOp, AveragePoolOp, LpPoolOp>(op))
    return inferPool(op);
  if (isa<GlobalAveragePoolOp, GlobalMaxPoolOp, GlobalLpPoolOp>(op)) {
    auto x = getShape(op->getOperand(0));
    if (!x)
      return success();
    if (x->size() < 2)
      return shapeError(op, "expects an input of rank >= 2");
    SmallVector<int64_t> out(*x);
    for (size_t i = 2; i < out.size(); ++i)
      out[i] = 1;
    return setShape(op->getResult(0), out);
  }
  if (isa<MatMulOp, MatMulIntegerOp>(op))
    return inferMatMul(op, 0, 1);
  if (isa<QLinearMatMulOp>(op))
    return inferMatMul(op, 0, 3);
  if (isa<GemmOp>(op))
    return inferGemm(op);
  if (isa<BatchNormalizationOp>(op)) {
    auto x = getShape(op->getOperand(0));
    if (!x)
      return success();
    if (failed(setShape(op->getResult(0), *x)))
      return failure();
    if (x->size() >= 2)
      for (unsigned i = 1; i < op->getNumResults(); ++i)
        if (failed(setShape(op->getResult(i), {(*x)[1]})))
          return failure();
    return success();
  }
  if (isa<ResizeOp, UpsampleOp>(op))
    return inferResize(op);
  if (isa<DepthToSpaceOp>(op))
    return inferDepthSpace(op, /*toSpace=*/true);
  if (isa<SpaceToDepthOp>(op))
    return inferDepthSpace(op, /*toSpace=*/false);
  if (isa<LayerNormalizationOp>(op))
    return inferLayerNorm(op);
  if (isa<RNNOp, GRUOp, LSTMOp>(op))
    return inferRNN(op);
  if (isa<AttentionOp>(op))
    return inferAttention(op);
  if (isa<LinearAttentionOp>(op))
    return inferLinearAttention(op);
  if (isa<CausalConvWithStateOp>(op))
    return inferCausalConv(op);
  if (isa<GridSampleOp>(op)) {
    auto x = getShape(op->getOperand(0));
    auto g = getShape(op->getOperand(1));
    if (!x || !g)
      return success();
    if (x->size() < 3 || g->size() != x->size())
      return shapeError(op, "X and grid ranks do not match");
    SmallVector<int64_t> out = {(*x)[0], (*x)[1]};
    out.append(g->begin() + 1, g->end() - 1);
    return setShape(op->getResult(0), out);
  }
  if (isa<NegativeLogLikelihoodLossOp, SoftmaxCrossEntropyLossOp>(op)) {
    // Loss [N, d1..dk] for reduction none, a scalar otherwise; SCE's
    // log_prob has the shape of the scores.
    auto x = getShape(op->getOperand(0));
    if (!x)
      return success();
    if (x->size() < 2)
      return shapeError(op, "expects an input of rank >= 2");
    SmallVector<int64_t> loss;
    auto red = op->getAttrOfType<StringAttr>("reduction");
    if (red && red.getValue() == "none") {
      loss.push_back((*x)[0]);
      loss.append(x->begin() + 2, x->end());
    }
    if (failed(setShape(op->getResult(0), loss)))
      return failure();
    if (op->getNumResults() > 1)
      return setShape(op->getResult(1), *x);
    return success();
  }
  if (isa<RoiAlignOp>(op)) {
    auto x = getShape(op->getOperand(0));
    auto rois = getShape(op->getOperand(1));
    if (!x || x->size() != 4)
      return success();
    return setShape(op->getResult(0),
                    {rois && rois->size() == 2 ? (*rois)[0] : kDyn, (*x)[1],
                     getIntAttr(op, "output_height", 1),
                     getIntAttr(op, "output_width", 1)});
  }
  if (isa<CenterCropPadOp>(op)) {
    // The input's shape with the sizes of `shape` on `axes`.
    auto x = getShape(op->getOperand(0));
    if (!x)
      return success();
    int64_t rank = x->size();
    SmallVector<int64_t> axes;
    if (auto a = getIntsAttr(op, "axes")) {
      for (int64_t ax : *a) {
        auto n = normalizeAxis(ax, rank);
        if (!n)
          return shapeError(op, "axis out of range");
        axes.push_back(*n);
      }
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    auto sizes = getPartialInts(op->getOperand(1));
    SmallVector<int64_t> out(*x);
    for (auto [i, a] : llvm::enumerate(axes))
      out[a] = sizes && i < sizes->size() ? (*sizes)[i] : kDyn;
    return setShape(op->getResult(0), out);
  }
  if (isa<Col2ImOp>(op)) {
    // [N, C, image_shape...] from input [N, C * prod(block_shape), L].
    auto x = getShape(op->getOperand(0));
    auto image = getPartialInts(op->getOperand(1));
    auto block = getConstantInts(op->getOperand(2));
    std::optional<int64_t> r = getStatic1DLength(op->getOperand(1));
    if (!r && image)
      r = image->size();
    if (!r)
      return success();
    SmallVector<int64_t> out = {x && x->size() == 3 ? (*x)[0] : kDyn, kDyn};
    if (x && x->size() == 3 && block && !ShapedType::isDynamic((*x)[1])) {
      int64_t k = 1;
      for (int64_t b : *block)
        k *= b;
      if (k > 0 && (*x)[1] % k == 0)
        out[1] = (*x)[1] / k;
    }
    for (int64_t i = 0; i < *r; ++i)
      out.push_back(image && i < (int64_t)image->size() ? (*image)[i] : kDyn);
    return setShape(op->getResult(0), out);
  }
  if (isa<AffineGridOp>(op)) {
    // [N, D1..Dr, r] from size [N, C, D1..Dr] and theta [N, r, r+1].
    auto theta = getShape(op->getOperand(0));
    auto size = getPartialInts(op->getOperand(1));
    std::optional<int64_t> n = getStatic1DLength(op->getOperand(1));
    if (!n && size)
      n = size->size();
    if (!n || *n < 3)
      return success();
    int64_t r = *n - 2;
    SmallVector<int64_t> out = {size ? (*size)[0] : kDyn};
    if (ShapedType::isDynamic(out[0]) && theta && theta->size() == 3)
      out[0] = (*theta)[0];
    for (int64_t i = 0; i < r; ++i)
      out.push_back(size ? (*size)[2 + i] : kDyn);
    out.push_back(r);
    return setShape(op->getResult(0), out);
  }
  if (isa<MaxRoiPoolOp>(op)) {
    auto x = getShape(op->getOperand(0));
    auto rois = getShape(op->getOperand(1));
    auto pooled = getIntsAttr(op, "pooled_shape");
    if (!x || x->size() < 3 || !pooled)
      return success();
    SmallVector<int64_t> out = {rois && rois->size() == 2 ? (*rois)[0] : kDyn,
                                (*x)[1]};
    out.append(*pooled);
    return setShape(op->getResult(0), out);
  }
  if (isa<DetOp>(op)) {
    auto x = getShape(op->getOperand(0));
    if (!x)
      return success();
    if (x->size() < 2)
      return shapeError(op, "expects rank >= 2");
    return setShape(op->getResult(0), ArrayRef(*x).drop_back(2));
  }
  return std::nullopt;
}

} // namespace kiln::onnx
