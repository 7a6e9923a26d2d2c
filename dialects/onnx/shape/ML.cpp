//===- ML.cpp - shapes of ai.onnx.ml, training and text ops ---------------===//
//
// The optimizers of ai.onnx.preview.training (each output has the shape of
// its X), the ai.onnx.ml ops Binarizer, LabelEncoder, ArrayFeatureExtractor
// and TreeEnsemble, TfIdfVectorizer and MaxUnpool.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

using namespace mlir;

namespace kiln::onnx {
namespace {

/// Output j of an optimizer over n tensors updates X_(j mod n): same shape.
LogicalResult inferOptimizer(Operation *op, unsigned numGroups) {
  unsigned numIn = op->getNumOperands() - 2;
  if (numIn == 0 || numIn % numGroups != 0)
    return success();
  unsigned n = numIn / numGroups;
  for (auto [j, r] : llvm::enumerate(op->getResults()))
    if (failed(setSameShape(r, op->getOperand(2 + j % n))))
      return failure();
  return success();
}

LogicalResult inferArrayFeatureExtractor(ArrayFeatureExtractorOp op) {
  auto x = getShape(op.getX());
  auto y = dyn_cast<RankedTensorType>(op.getY().getType());
  if (!x || x->empty() || !y)
    return success();
  SmallVector<int64_t> out(*x);
  if (out.size() == 1)
    out.insert(out.begin(), 1);
  out.back() = y.hasStaticShape() ? y.getNumElements() : ShapedType::kDynamic;
  return setShape(op.getZ(), out);
}

LogicalResult inferTfIdf(TfIdfVectorizerOp op) {
  auto x = getShape(op.getX());
  if (!x || x->empty() || x->size() > 2)
    return success();
  int64_t size = 0;
  for (int64_t i : op.getNgramIndexes())
    size = std::max(size, i + 1);
  SmallVector<int64_t> out;
  if (x->size() == 2)
    out.push_back((*x)[0]);
  out.push_back(size);
  return setShape(op.getY(), out);
}

LogicalResult inferMaxUnpool(MaxUnpoolOp op) {
  if (!isNone(op.getOutputShape())) {
    if (auto s = getConstantInts(op.getOutputShape()))
      return setShape(op.getOutput(), *s);
    return success();
  }
  auto x = getShape(op.getX());
  ArrayRef<int64_t> kernel = op.getKernelShape();
  if (!x || x->size() != kernel.size() + 2)
    return success();
  size_t n = kernel.size();
  SmallVector<int64_t> strides(n, 1), pads(2 * n, 0);
  if (auto s = op.getStrides(); s && s->size() == n)
    strides.assign(s->begin(), s->end());
  if (auto p = op.getPads(); p && p->size() == 2 * n)
    pads.assign(p->begin(), p->end());
  SmallVector<int64_t> out = {(*x)[0], (*x)[1]};
  for (size_t i = 0; i < n; ++i) {
    int64_t d = (*x)[2 + i];
    out.push_back(ShapedType::isDynamic(d) ? ShapedType::kDynamic
                                           : (d - 1) * strides[i] - pads[i] -
                                                 pads[n + i] + kernel[i]);
  }
  return setShape(op.getOutput(), out);
}

} // namespace

std::optional<LogicalResult> inferMLShapes(Operation *op) {
  if (isa<AdagradOp, MomentumOp>(op))
    return inferOptimizer(op, 3);
  if (isa<AdamOp>(op))
    return inferOptimizer(op, 4);
  if (isa<BinarizerOp, LabelEncoderOp>(op))
    return setSameShape(op->getResult(0), op->getOperand(0));
  if (auto a = dyn_cast<ArrayFeatureExtractorOp>(op))
    return inferArrayFeatureExtractor(a);
  if (auto t = dyn_cast<TreeEnsembleOp>(op)) {
    auto x = getShape(t.getX());
    if (!x || x->size() != 2 || !t.getNTargets())
      return success();
    return setShape(t.getY(), {(*x)[0], (int64_t)*t.getNTargets()});
  }
  if (auto t = dyn_cast<TfIdfVectorizerOp>(op))
    return inferTfIdf(t);
  if (auto u = dyn_cast<MaxUnpoolOp>(op))
    return inferMaxUnpool(u);
  return std::nullopt;
}

} // namespace kiln::onnx
