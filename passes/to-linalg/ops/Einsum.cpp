//===- Einsum.cpp - Einsum ------------------------------------------------===//
//
// The equation is parsed into one label list per operand (`...` becomes the
// broadcast batch labels, right-aligned across operands as numpy does) and
// the output labels (explicit after `->`, or implicit: the `...` labels, then
// the labels used once, in ASCII order). The whole product is one
// linalg.generic with a loop per label: output labels are parallel, the
// others are reductions; a label repeated in an operand (a diagonal) is the
// same loop dim twice in its indexing map, and an operand dim of size 1
// against a larger label size reads index 0 (broadcast). f16/bf16 products
// accumulate in f32 and are rounded once at the end.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

/// Labels: letters are 0..51, the batch dims of `...` are kEllipsis + i
/// (i = 0 for the outermost broadcast dim).
constexpr int kEllipsis = 64;

struct ParsedEinsum {
  SmallVector<SmallVector<int>> inputs;
  SmallVector<int> output;
};

int letterLabel(char c) {
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  return c - 'A'; // upper case sorts first (ASCII order)
}

/// Parses `term` for an operand of rank `rank` (or the output, rank -1:
/// `...` stands for all `ellRank` batch dims). Returns labels or an error
/// message.
FailureOr<SmallVector<int>> parseTerm(StringRef term, int64_t rank,
                                      int64_t ellRank, std::string &err) {
  size_t e = term.find("...");
  if (e != StringRef::npos && term.find("...", e + 3) != StringRef::npos) {
    err = "more than one '...' in '" + term.str() + "'";
    return failure();
  }
  int64_t letters = term.size() - (e == StringRef::npos ? 0 : 3);
  int64_t ell =
      rank < 0 ? (e == StringRef::npos ? 0 : ellRank) : rank - letters;
  if (ell < 0 || (e == StringRef::npos && ell != 0)) {
    err = "term '" + term.str() + "' does not match the operand's rank " +
          std::to_string(rank);
    return failure();
  }
  SmallVector<int> labels;
  for (size_t i = 0; i < term.size(); ++i) {
    if (i == e) {
      for (int64_t m = 0; m < ell; ++m)
        labels.push_back(kEllipsis + (ellRank - ell + m));
      i += 2;
      continue;
    }
    if (!llvm::isAlpha(term[i])) {
      err = "bad character '" + std::string(1, term[i]) + "' in '" +
            term.str() + "'";
      return failure();
    }
    labels.push_back(letterLabel(term[i]));
  }
  return labels;
}

FailureOr<ParsedEinsum>
parseEquation(StringRef equation, ArrayRef<int64_t> ranks, std::string &err) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  StringRef lhs = eq, rhs;
  bool explicitOut = false;
  if (size_t p = lhs.find("->"); p != StringRef::npos) {
    rhs = lhs.substr(p + 2);
    lhs = lhs.substr(0, p);
    explicitOut = true;
  }
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ranks.size()) {
    err = "the equation has " + std::to_string(terms.size()) +
          " input terms for " + std::to_string(ranks.size()) + " inputs";
    return failure();
  }
  // Batch rank: the longest `...` of the operands.
  int64_t ellRank = 0;
  for (auto [term, rank] : llvm::zip(terms, ranks)) {
    if (term.contains("...")) {
      int64_t letters = term.size() - 3;
      ellRank = std::max(ellRank, rank - letters);
    }
  }
  ParsedEinsum parsed;
  for (auto [term, rank] : llvm::zip(terms, ranks)) {
    auto labels = parseTerm(term, rank, ellRank, err);
    if (failed(labels))
      return failure();
    parsed.inputs.push_back(*labels);
  }
  if (explicitOut) {
    auto labels = parseTerm(rhs, -1, ellRank, err);
    if (failed(labels))
      return failure();
    parsed.output = *labels;
    for (int l : parsed.output) {
      if (llvm::count(parsed.output, l) != 1) {
        err = "output label repeated in '" + rhs.str() + "'";
        return failure();
      }
      if (!llvm::any_of(parsed.inputs, [&](ArrayRef<int> in) {
            return llvm::is_contained(in, l);
          })) {
        err = "output label not in the inputs in '" + rhs.str() + "'";
        return failure();
      }
    }
  } else {
    for (int64_t m = 0; m < ellRank; ++m)
      parsed.output.push_back(kEllipsis + m);
    std::map<int, int> counts;
    for (ArrayRef<int> in : parsed.inputs)
      for (int l : in)
        if (l < kEllipsis)
          counts[l]++;
    for (auto [l, c] : counts)
      if (c == 1)
        parsed.output.push_back(l);
  }
  return parsed;
}

struct EinsumLowering : OpConversionPattern<onnx::EinsumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(onnx::EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto outType = getStaticType(rewriter, op, op.getType());
    if (failed(outType))
      return failure();
    SmallVector<RankedTensorType> inTypes;
    SmallVector<int64_t> ranks;
    for (Value v : op.getInputs()) {
      auto t = getStaticType(rewriter, op, v.getType());
      if (failed(t))
        return failure();
      inTypes.push_back(*t);
      ranks.push_back(t->getRank());
    }
    std::string err;
    auto parsed = parseEquation(op.getEquation(), ranks, err);
    if (failed(parsed))
      return op.emitError("Einsum '")
             << op.getEquation() << "': " << StringRef(err);

    // Loop dims: the output labels, then the summed labels in order of
    // first use. Label sizes broadcast (1 against n).
    SmallVector<int> loops(parsed->output);
    size_t numParallel = loops.size();
    std::map<int, int64_t> sizes;
    for (auto [labels, type] : llvm::zip(parsed->inputs, inTypes)) {
      for (auto [i, l] : llvm::enumerate(labels)) {
        if (!llvm::is_contained(loops, l))
          loops.push_back(l);
        int64_t d = type.getDimSize(i);
        auto [it, fresh] = sizes.try_emplace(l, d);
        if (fresh || d == it->second || d == 1)
          continue;
        if (it->second != 1)
          return op.emitError("Einsum '")
                 << op.getEquation() << "': a label has sizes " << it->second
                 << " and " << d;
        it->second = d;
      }
    }
    SmallVector<int64_t> outShape;
    for (int l : parsed->output)
      outShape.push_back(sizes[l]);
    if (outType->getShape() != ArrayRef<int64_t>(outShape))
      return rewriter.notifyMatchFailure(op, "result shape mismatch");

    auto dimOf = [&](int l) {
      return getAffineDimExpr(llvm::find(loops, l) - loops.begin(), ctx);
    };
    SmallVector<AffineMap> maps;
    for (auto [labels, type] : llvm::zip(parsed->inputs, inTypes)) {
      SmallVector<AffineExpr> exprs;
      for (auto [i, l] : llvm::enumerate(labels))
        exprs.push_back(type.getDimSize(i) == 1 && sizes[l] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : dimOf(l));
      maps.push_back(AffineMap::get(loops.size(), 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (int l : parsed->output)
      outExprs.push_back(dimOf(l));
    maps.push_back(AffineMap::get(loops.size(), 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iters(loops.size(),
                                           utils::IteratorType::reduction);
    std::fill_n(iters.begin(), numParallel, utils::IteratorType::parallel);
    bool reduces = loops.size() > numParallel;

    // Low-precision floats accumulate in f32.
    Type elt = outType->getElementType();
    Type accElt = elt;
    if (isa<FloatType>(elt) && elt.getIntOrFloatBitWidth() < 32)
      accElt = rewriter.getF32Type();
    auto accType = RankedTensorType::get(outShape, accElt);
    Value init = reduces
                     ? createFilled(rewriter, loc, accType,
                                    createScalar(rewriter, loc, accElt, 0.0))
                     : createEmpty(rewriter, loc, accType);
    Value result = linalg::GenericOp::create(
                       rewriter, loc, TypeRange{accType}, adaptor.getInputs(),
                       ValueRange{init}, maps, iters,
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         Value prod;
                         for (Value a : args.drop_back()) {
                           if (a.getType() != accElt)
                             a = arith::ExtFOp::create(b, l, accElt, a);
                           prod = prod ? createMul(b, l, prod, a) : a;
                         }
                         if (reduces)
                           prod = createAdd(b, l, args.back(), prod);
                         linalg::YieldOp::create(b, l, prod);
                       })
                       .getResult(0);
    if (accElt != elt)
      result = createElementwise(
          rewriter, loc, result, *outType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::TruncFOp::create(b, l, elt, a[0]);
          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateEinsumPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<EinsumLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
