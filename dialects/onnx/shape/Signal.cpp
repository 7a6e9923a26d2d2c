//===- Signal.cpp - shape inference: DFT, STFT, MelWeightMatrix -----------===//
//
// Result shapes that depend on scalar inputs (lengths, axes) are known when
// those inputs are constants; otherwise only the rank (and the dims that do
// not depend on them) is. The window ops are in Tensor.cpp.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {

namespace {

/// The value of a one-element integer constant, if it is one.
std::optional<int64_t> getConstantScalar(Value v) {
  if (isNone(v))
    return std::nullopt;
  auto c = getConstantInts(v);
  if (!c || c->size() != 1)
    return std::nullopt;
  return (*c)[0];
}

LogicalResult inferDFT(DFTOp op) {
  auto x = getShape(op.getInput());
  if (!x)
    return success();
  int64_t r = x->size();
  if (r < 2)
    return shapeError(op, "expects an input of rank >= 2");
  bool inverse = op.getInverse() != 0, onesided = op.getOnesided() != 0;
  bool irfft = inverse && onesided;
  std::optional<int64_t> axis;
  if (isNone(op.getAxis())) {
    axis = r - 2;
  } else if (auto a = getConstantScalar(op.getAxis())) {
    if (*a < -r || *a > r - 2)
      return shapeError(op, "axis is out of range");
    axis = *a < 0 ? *a + r : *a;
  }
  SmallVector<int64_t> out(*x);
  out[r - 1] = irfft ? 1 : 2;
  bool sameLength = isNone(op.getDftLength()) && !onesided;
  if (!axis) {
    // Every non-complex dim could be the transformed one.
    if (!sameLength)
      for (int64_t d = 0; d + 1 < r; ++d)
        out[d] = ShapedType::kDynamic;
    return setShape(op.getOutput(), out);
  }
  int64_t len = (*x)[*axis];
  int64_t n = ShapedType::kDynamic;
  if (auto c = getConstantScalar(op.getDftLength())) {
    if (*c < 1)
      return shapeError(op, "dft_length must be positive");
    n = *c;
  } else if (isNone(op.getDftLength()) && !ShapedType::isDynamic(len)) {
    n = irfft ? 2 * (len - 1) : len;
  }
  if (ShapedType::isDynamic(n))
    out[*axis] = ShapedType::kDynamic;
  else
    out[*axis] = (!inverse && onesided) ? n / 2 + 1 : n;
  return setShape(op.getOutput(), out);
}

LogicalResult inferSTFT(STFTOp op) {
  auto s = getShape(op.getSignal());
  if (!s)
    return success();
  if (s->size() != 3)
    return shapeError(op, "expects a signal [batch, length, 1 or 2]");
  int64_t len = (*s)[1];
  int64_t t = ShapedType::kDynamic;
  if (!isNone(op.getWindow())) {
    if (auto w = getShape(op.getWindow()); w && w->size() == 1)
      t = (*w)[0];
  } else if (isNone(op.getFrameLength())) {
    t = len;
  } else if (auto c = getConstantScalar(op.getFrameLength())) {
    t = *c;
  }
  int64_t frames = ShapedType::kDynamic, bins = ShapedType::kDynamic;
  auto step = getConstantScalar(op.getFrameStep());
  if (step && *step > 0 && !ShapedType::isDynamic(t) &&
      !ShapedType::isDynamic(len) && t <= len)
    frames = (len - t) / *step + 1;
  if (!ShapedType::isDynamic(t))
    bins = op.getOnesided() ? t / 2 + 1 : t;
  return setShape(op.getOutput(), {(*s)[0], frames, bins, 2});
}

} // namespace

std::optional<LogicalResult> inferSignalShapes(Operation *op) {
  if (auto dft = dyn_cast<DFTOp>(op))
    return inferDFT(dft);
  if (auto stft = dyn_cast<STFTOp>(op))
    return inferSTFT(stft);
  if (auto mel = dyn_cast<MelWeightMatrixOp>(op)) {
    auto bins = getConstantScalar(mel.getDftLength());
    auto mels = getConstantScalar(mel.getNumMelBins());
    return setShape(mel.getOutput(),
                    {bins ? *bins / 2 + 1 : ShapedType::kDynamic,
                     mels ? *mels : ShapedType::kDynamic});
  }
  return std::nullopt;
}

} // namespace kiln::onnx
