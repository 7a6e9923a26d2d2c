//===- Sequences.h - helpers of kiln-resolve-sequences ----------*- C++ -*-===//
//
// The canonical forms kiln-resolve-sequences works with (see the comment at
// the top of resolve-sequences.cpp) and the helpers its patterns share.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_GRAPH_SEQUENCES_H
#define KILN_PASSES_GRAPH_SEQUENCES_H

#include "dialects/onnx/ONNXDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace kiln::seq {

using mlir::ArrayRef;
using mlir::cast;
using mlir::DenseElementsAttr;
using mlir::isa;
using mlir::Location;
using mlir::NamedAttribute;
using mlir::NoneType;
using mlir::PatternRewriter;
using mlir::RankedTensorType;
using mlir::RewritePatternSet;
using mlir::SmallVector;
using mlir::TensorType;
using mlir::Type;
using mlir::TypeRange;
using mlir::UnrankedTensorType;
using mlir::Value;
using mlir::ValueRange;

/// The most loop iterations (and SequenceMap elements) unrolled.
inline constexpr int64_t kMaxUnroll = 4096;

inline bool isSeqOrOpt(Type t) { return isa<onnx::SeqType, onnx::OptType>(t); }

/// The elements of a resolved sequence.
inline std::optional<SmallVector<Value>> getElements(Value seq) {
  if (auto c = seq.getDefiningOp<onnx::SequenceConstructOp>())
    return SmallVector<Value>(c->getOperands());
  if (seq.getDefiningOp<onnx::SequenceEmptyOp>())
    return SmallVector<Value>();
  return std::nullopt;
}

/// A resolved optional: {present, value} (value null when absent).
inline std::optional<std::pair<bool, Value>> getOptional(Value opt) {
  auto o = opt.getDefiningOp<onnx::OptionalOp>();
  if (!o)
    return std::nullopt;
  Value v = o->getOperand(0);
  if (isa<NoneType>(v.getType()))
    return std::make_pair(false, Value());
  return std::make_pair(true, v);
}

inline Value makeSequence(PatternRewriter &rw, Location loc, Type seqType,
                          ValueRange elems) {
  return onnx::SequenceConstructOp::create(rw, loc, TypeRange{seqType}, elems,
                                           ArrayRef<NamedAttribute>{})
      .getResult();
}

inline Value i64Scalar(PatternRewriter &rw, Location loc, int64_t v) {
  auto t = RankedTensorType::get({}, rw.getI64Type());
  return onnx::createConstant(rw, loc, DenseElementsAttr::get(t, v))
      .getResult();
}

inline Value i64Vector(PatternRewriter &rw, Location loc, ArrayRef<int64_t> v) {
  auto t = RankedTensorType::get({(int64_t)v.size()}, rw.getI64Type());
  return onnx::createConstant(rw, loc, DenseElementsAttr::get(t, v))
      .getResult();
}

inline Type unrankedLike(Type t) {
  return UnrankedTensorType::get(cast<TensorType>(t).getElementType());
}

template <typename OpTy>
inline Value makeOp(PatternRewriter &rw, Location loc, Type resultType,
                    ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
  return OpTy::create(rw, loc, TypeRange{resultType}, operands, attrs)
      ->getResult(0);
}

/// How a sequence/optional result of an If is passed as tensors: the number
/// of tensors (elements, or 0/1 for an optional) and its kind.
struct Flattened {
  bool isOpt = false;
  bool present = true;
  SmallVector<Value> values;
};

/// The tensors a resolved sequence or optional is passed as; nullopt when it
/// is not resolved (or an optional of an optional).
std::optional<Flattened> flatten(Value v);

/// SequenceMap, Loops carrying sequences (unrolled) and If returning
/// sequences or optionals.
void populateSequenceControlFlowPatterns(RewritePatternSet &patterns);

} // namespace kiln::seq

#endif // KILN_PASSES_GRAPH_SEQUENCES_H
