//===- ML.cpp - ai.onnx.ml: Binarizer, ArrayFeatureExtractor, ... ---------===//
//
// Classical-ML operators of the ai.onnx.ml domain on numeric tensors:
// - Binarizer: x > threshold ? 1 : 0 (compared in f64).
// - ArrayFeatureExtractor: the last dim of X gathered at the flattened
//   indices Y ([..., K]; a 1-D X gives [1, K]); indices wrap when negative
//   and are clamped into range.
// - LabelEncoder with numeric keys and values: each element becomes the
//   value of the last key equal to it, else the default (string keys or
//   values are not lowered: Kiln has no string tensors at run time).
// - TfIdfVectorizer (ai.onnx, int tokens): see TfIdfVectorizerLowering.
// TreeEnsemble has its own file.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <map>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

struct BinarizerLowering : OpConversionPattern<onnx::BinarizerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::BinarizerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getY().getType());
    if (failed(type))
      return failure();
    if (adaptor.getX().getType() != *type)
      return rewriter.notifyMatchFailure(op, "Y must have the type of X");
    Type onnxElt = getElementTypeOrSelf(op.getX().getType());
    double threshold = op.getThreshold().convertToDouble();
    Value result = createElementwise(
        rewriter, op.getLoc(), adaptor.getX(), *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type f64 = b.getF64Type();
          Value x = a[0];
          Type elt = x.getType();
          if (isa<FloatType>(elt))
            x = elt == f64 ? x
                           : arith::ExtFOp::create(b, l, f64, x).getResult();
          else
            x = castScalar(b, l, x, onnxElt, f64);
          Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                           createScalar(b, l, f64, threshold));
          return arith::SelectOp::create(b, l, gt, createScalar(b, l, elt, 1.0),
                                         createScalar(b, l, elt, 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ArrayFeatureExtractorLowering
    : OpConversionPattern<onnx::ArrayFeatureExtractorOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::ArrayFeatureExtractorOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getZ().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    auto iType = getStaticType(rewriter, op, adaptor.getY().getType());
    if (failed(type) || failed(xType) || failed(iType))
      return failure();
    if (!type->getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "needs a numeric X");
    ArrayRef<int64_t> x = xType->getShape();
    int64_t k = iType->getNumElements();
    SmallVector<int64_t> expected(x);
    if (x.empty())
      return rewriter.notifyMatchFailure(op, "X must have rank >= 1");
    if (x.size() == 1)
      expected.insert(expected.begin(), 1);
    expected.back() = k;
    if (type->getShape() != ArrayRef<int64_t>(expected))
      return rewriter.notifyMatchFailure(
          op, "Z must have the shape of X with the last dim the index count");
    Location loc = op.getLoc();
    Value indices = reshapeTensor(rewriter, loc, adaptor.getY(), {k});
    Value data = adaptor.getX();
    int64_t rank = type->getRank();
    int64_t depth = x.back();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, *type)},
        ArrayRef<AffineMap>{
            AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext())},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          Value idx = tensor::ExtractOp::create(b, l, indices, ValueRange{j});
          SmallVector<Value> at;
          for (int64_t d = rank - (int64_t)x.size(); d < rank - 1; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          at.push_back(normalizeIndex(b, l, idx, depth));
          linalg::YieldOp::create(
              b, l, ValueRange{tensor::ExtractOp::create(b, l, data, at)});
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

/// Numeric keys or values of a LabelEncoder from the attribute forms
/// (`*_floats`, `*_int64s`, `*_tensor`), as doubles; nullopt if the numeric
/// forms are all absent.
std::optional<SmallVector<double>>
numericList(std::optional<ArrayRef<float>> f,
            std::optional<ArrayRef<int64_t>> i, std::optional<ElementsAttr> t) {
  SmallVector<double> out;
  if (f) {
    for (float v : *f)
      out.push_back(v);
    return out;
  }
  if (i) {
    for (int64_t v : *i)
      out.push_back((double)v);
    return out;
  }
  if (t) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(*t);
    if (!dense)
      return std::nullopt;
    Type elt = dense.getElementType();
    if (isa<FloatType>(elt)) {
      for (const APFloat &v : dense.getValues<APFloat>())
        out.push_back(v.convertToDouble());
      return out;
    }
    if (auto it = dyn_cast<IntegerType>(elt)) {
      for (const APInt &v : dense.getValues<APInt>())
        out.push_back(it.isUnsigned() || it.getWidth() == 1
                          ? (double)v.getZExtValue()
                          : (double)v.getSExtValue());
      return out;
    }
  }
  return std::nullopt;
}

struct LabelEncoderLowering : OpConversionPattern<onnx::LabelEncoderOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::LabelEncoderOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    Type outElt = type->getElementType();
    Type inElt = xType->getElementType();
    if (!outElt.isIntOrFloat() || !inElt.isIntOrFloat())
      return rewriter.notifyMatchFailure(
          op, "string keys or values are not supported");
    if (type->getShape() != xType->getShape())
      return rewriter.notifyMatchFailure(op, "Y must have the shape of X");
    auto keys =
        numericList(op.getKeysFloats(), op.getKeysInt64s(), op.getKeysTensor());
    auto values = numericList(op.getValuesFloats(), op.getValuesInt64s(),
                              op.getValuesTensor());
    if (!keys || !values)
      return rewriter.notifyMatchFailure(op, "needs numeric keys and values");
    if (keys->size() != values->size())
      return rewriter.notifyMatchFailure(
          op, "keys and values must have the same length");
    double dflt;
    if (auto t = op.getDefaultTensor()) {
      auto d = numericList(std::nullopt, std::nullopt, *t);
      if (!d || d->size() != 1)
        return rewriter.notifyMatchFailure(
            op, "default_tensor must hold one number");
      dflt = d->front();
    } else if (isa<FloatType>(outElt)) {
      dflt = op.getDefaultFloat().convertToDouble();
    } else {
      dflt = (double)(int64_t)op.getDefaultInt64();
    }
    Location loc = op.getLoc();
    // Keys in the input's type, values in the output's: constant tables.
    auto table = [&](ArrayRef<double> vals, Type elt) -> Value {
      auto t = RankedTensorType::get({(int64_t)vals.size()}, elt);
      SmallVector<Attribute> attrs;
      for (double v : vals)
        attrs.push_back(
            isa<FloatType>(elt)
                ? (Attribute)rewriter.getFloatAttr(elt, v)
                : (Attribute)rewriter.getIntegerAttr(elt, (int64_t)v));
      return arith::ConstantOp::create(rewriter, loc,
                                       DenseElementsAttr::get(t, attrs));
    };
    Value keyTable = table(*keys, inElt);
    Value valueTable = table(*values, outElt);
    int64_t n = keys->size();
    Value result = createElementwise(
        rewriter, loc, adaptor.getX(), *type,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0];
          Value init = createScalar(b, l, outElt, dflt);
          Value lb = arith::ConstantIndexOp::create(b, l, 0);
          Value ub = arith::ConstantIndexOp::create(b, l, n);
          Value step = arith::ConstantIndexOp::create(b, l, 1);
          auto loop = scf::ForOp::create(
              b, l, lb, ub, step, ValueRange{init},
              [&](OpBuilder &lb2, Location l2, Value k, ValueRange acc) {
                Value key = tensor::ExtractOp::create(lb2, l2, keyTable, k);
                Value eq = isa<FloatType>(inElt)
                               ? arith::CmpFOp::create(
                                     lb2, l2, arith::CmpFPredicate::OEQ, x, key)
                                     .getResult()
                               : arith::CmpIOp::create(
                                     lb2, l2, arith::CmpIPredicate::eq, x, key)
                                     .getResult();
                Value v = tensor::ExtractOp::create(lb2, l2, valueTable, k);
                scf::YieldOp::create(lb2, l2,
                                     ValueRange{arith::SelectOp::create(
                                         lb2, l2, eq, v, acc[0])});
              });
          return loop.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The n-grams of a TfIdfVectorizer pool that the op counts: those of sizes
/// in [min_gram_length, max_gram_length], with the output column each one
/// increments. A repeated n-gram takes the column of its last occurrence.
struct NGram {
  SmallVector<int64_t> tokens;
  int64_t column;
};

FailureOr<SmallVector<NGram>> collectNGrams(onnx::TfIdfVectorizerOp op,
                                            ArrayRef<int64_t> pool,
                                            std::string &error) {
  ArrayRef<int64_t> counts = op.getNgramCounts();
  ArrayRef<int64_t> indexes = op.getNgramIndexes();
  int64_t minLen = (int64_t)op.getMinGramLength();
  int64_t maxLen = (int64_t)op.getMaxGramLength();
  SmallVector<NGram> grams;
  std::map<SmallVector<int64_t>, size_t> seen;
  int64_t id = 0; // n-gram ids run over every size, counted or not
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t size = i + 1;
    int64_t begin = counts[i];
    int64_t end = i + 1 < counts.size() ? counts[i + 1] : (int64_t)pool.size();
    if (begin < 0 || end > (int64_t)pool.size() || begin > end) {
      error = "ngram_counts must be ascending offsets into the pool";
      return failure();
    }
    int64_t n = (end - begin) / size;
    for (int64_t k = 0; k < n; ++k, ++id) {
      if (size < minLen || size > maxLen)
        continue;
      if (id >= (int64_t)indexes.size() || indexes[id] < 0) {
        error = "ngram_indexes must give a column to every n-gram";
        return failure();
      }
      SmallVector<int64_t> tokens(pool.begin() + begin + k * size,
                                  pool.begin() + begin + (k + 1) * size);
      auto [it, inserted] = seen.try_emplace(tokens, grams.size());
      if (inserted)
        grams.push_back({tokens, indexes[id]});
      else
        grams[it->second].column = indexes[id];
    }
  }
  return grams;
}

/// TfIdfVectorizer on int32/int64 tokens. For an [N, C] (or [C]) input,
/// Y[n, j] counts, over the n-grams g of column j, the windows of row n that
/// read g: tokens x[s], x[s + d], ..., x[s + (|g| - 1) d] for skip distances
/// d = 1 .. max_skip_count + 1 (unigrams only at d = 1). TF gives the count,
/// IDF weights[j] (or 1) when it is nonzero, TFIDF weights[j] (or 1) times
/// it. The n-grams are constant tables grouped per column (CSR): one
/// linalg.generic over Y loops over its column's n-grams, skips and starts.
struct TfIdfVectorizerLowering : OpConversionPattern<onnx::TfIdfVectorizerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::TfIdfVectorizerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getPoolInt64s())
      return rewriter.notifyMatchFailure(
          op, "string pools are not supported (needs pool_int64s)");
    StringRef mode = op.getMode();
    if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
      return rewriter.notifyMatchFailure(op, "mode must be TF, IDF or TFIDF");
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    if (!xType->getElementType().isInteger())
      return rewriter.notifyMatchFailure(op, "X must hold int32/int64 tokens");
    int64_t rank = xType->getRank();
    int64_t numCols = 0;
    for (int64_t i : op.getNgramIndexes())
      numCols = std::max(numCols, i + 1);
    if ((rank != 1 && rank != 2) || type->getRank() != rank ||
        type->getShape().back() != numCols ||
        (rank == 2 && type->getDimSize(0) != xType->getDimSize(0)))
      return rewriter.notifyMatchFailure(
          op, "expects X [C] or [N, C] and Y [max(ngram_indexes) + 1] or "
              "[N, max(ngram_indexes) + 1]");
    std::optional<ArrayRef<float>> weights = op.getWeights();
    if (weights && !weights->empty() && (int64_t)weights->size() < numCols)
      return rewriter.notifyMatchFailure(op, "weights needs one per column");
    int64_t minGram = (int64_t)op.getMinGramLength();
    int64_t maxGram = (int64_t)op.getMaxGramLength();
    int64_t maxSkip = (int64_t)op.getMaxSkipCount();
    if (minGram < 1 || maxGram < minGram || maxSkip < 0)
      return rewriter.notifyMatchFailure(
          op, "needs 1 <= min_gram_length <= max_gram_length and "
              "max_skip_count >= 0");
    std::string error;
    auto grams = collectNGrams(op, *op.getPoolInt64s(), error);
    if (failed(grams))
      return rewriter.notifyMatchFailure(op, error);

    // Tables: per column the range of its entries; per entry (n-grams
    // sorted by column) the size and the tokens (padded to the longest).
    Location loc = op.getLoc();
    llvm::sort(*grams, [](const NGram &a, const NGram &b) {
      return a.column < b.column;
    });
    int64_t maxLen = 1;
    for (const NGram &g : *grams)
      maxLen = std::max(maxLen, (int64_t)g.tokens.size());
    SmallVector<int64_t> colStart(numCols + 1, 0), sizes, tokens;
    for (const NGram &g : *grams) {
      ++colStart[g.column + 1];
      sizes.push_back(g.tokens.size());
      for (int64_t k = 0; k < maxLen; ++k)
        tokens.push_back(k < (int64_t)g.tokens.size() ? g.tokens[k] : 0);
    }
    for (int64_t j = 0; j < numCols; ++j)
      colStart[j + 1] += colStart[j];
    auto i64Table = [&](ArrayRef<int64_t> v) -> Value {
      SmallVector<int64_t> data(v);
      if (data.empty())
        data.push_back(0);
      auto t =
          RankedTensorType::get({(int64_t)data.size()}, rewriter.getI64Type());
      return arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(t, ArrayRef<int64_t>(data)));
    };
    Value startTable = i64Table(colStart), sizeTable = i64Table(sizes);
    Value tokenTable = i64Table(tokens);
    Value weightTable;
    if (weights && !weights->empty())
      weightTable = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({(int64_t)weights->size()},
                                    rewriter.getF32Type()),
              *weights));

    Value x = adaptor.getX();
    int64_t c = xType->getShape().back();
    int64_t numSkips = maxSkip + 1;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, *type)},
        ArrayRef<AffineMap>{
            AffineMap::getMultiDimIdentityMap(rank, rewriter.getContext())},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          Type i64 = b.getI64Type();
          Type idx = b.getIndexType();
          auto cIdx = [&](int64_t v) {
            return arith::ConstantIndexOp::create(b, l, v).getResult();
          };
          auto toIdx = [&](Value v) {
            return arith::IndexCastOp::create(b, l, idx, v).getResult();
          };
          Value row = rank == 2 ? linalg::IndexOp::create(b, l, 0).getResult()
                                : Value();
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          Value first = toIdx(tensor::ExtractOp::create(b, l, startTable, col));
          Value last = toIdx(tensor::ExtractOp::create(
              b, l, startTable,
              arith::AddIOp::create(b, l, col, cIdx(1)).getResult()));
          Value zero = createIntScalar(b, l, i64, 0);
          auto entries = scf::ForOp::create(
              b, l, first, last, cIdx(1), ValueRange{zero},
              [&](OpBuilder &b1, Location l1, Value e, ValueRange acc1) {
                Value size =
                    toIdx(tensor::ExtractOp::create(b1, l1, sizeTable, e));
                Value isUni = arith::CmpIOp::create(
                    b1, l1, arith::CmpIPredicate::eq, size, cIdx(1));
                // Unigrams are read at skip distance 1 only.
                Value skips = arith::SelectOp::create(b1, l1, isUni, cIdx(1),
                                                      cIdx(numSkips));
                Value tokBase = arith::MulIOp::create(b1, l1, e, cIdx(maxLen));
                Value sizeM1 = arith::SubIOp::create(b1, l1, size, cIdx(1));
                auto dLoop = scf::ForOp::create(
                    b1, l1, cIdx(1),
                    arith::AddIOp::create(b1, l1, skips, cIdx(1)).getResult(),
                    cIdx(1), acc1,
                    [&](OpBuilder &b2, Location l2, Value d, ValueRange acc2) {
                      // Starts whose last token lies in the row.
                      Value span = arith::MulIOp::create(b2, l2, sizeM1, d);
                      Value ub = arith::MaxSIOp::create(
                          b2, l2, cIdx(0),
                          arith::SubIOp::create(b2, l2, cIdx(c), span));
                      auto sLoop = scf::ForOp::create(
                          b2, l2, cIdx(0), ub, cIdx(1), acc2,
                          [&](OpBuilder &b3, Location l3, Value s,
                              ValueRange acc3) {
                            Value yes =
                                createIntScalar(b3, l3, b3.getI1Type(), 1);
                            auto kLoop = scf::ForOp::create(
                                b3, l3, cIdx(0), size, cIdx(1), ValueRange{yes},
                                [&](OpBuilder &b4, Location l4, Value k,
                                    ValueRange m) {
                                  Value pos = arith::AddIOp::create(
                                      b4, l4, s,
                                      arith::MulIOp::create(b4, l4, k, d));
                                  SmallVector<Value> at;
                                  if (row)
                                    at.push_back(row);
                                  at.push_back(pos);
                                  Value tok =
                                      tensor::ExtractOp::create(b4, l4, x, at);
                                  if (tok.getType() != i64)
                                    tok = arith::ExtSIOp::create(b4, l4, i64,
                                                                 tok);
                                  Value want = tensor::ExtractOp::create(
                                      b4, l4, tokenTable,
                                      ValueRange{arith::AddIOp::create(
                                          b4, l4, tokBase, k)});
                                  Value eq = arith::CmpIOp::create(
                                      b4, l4, arith::CmpIPredicate::eq, tok,
                                      want);
                                  scf::YieldOp::create(
                                      b4, l4,
                                      ValueRange{arith::AndIOp::create(
                                          b4, l4, m[0], eq)});
                                });
                            Value inc = arith::ExtUIOp::create(
                                b3, l3, i64, kLoop.getResult(0));
                            scf::YieldOp::create(
                                b3, l3,
                                ValueRange{arith::AddIOp::create(
                                    b3, l3, acc3[0], inc)});
                          });
                      scf::YieldOp::create(b2, l2, sLoop.getResults());
                    });
                scf::YieldOp::create(b1, l1, dLoop.getResults());
              });
          Value count = entries.getResult(0);
          Type f32 = b.getF32Type();
          Value tf = arith::SIToFPOp::create(b, l, f32, count);
          Value w = weightTable
                        ? tensor::ExtractOp::create(b, l, weightTable, col)
                              .getResult()
                        : createScalar(b, l, f32, 1.0);
          Value y = tf;
          if (mode == "IDF") {
            Value any = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt,
                                              count, zero);
            y = arith::SelectOp::create(b, l, any, w,
                                        createScalar(b, l, f32, 0.0));
          } else if (mode == "TFIDF") {
            y = arith::MulFOp::create(b, l, w, tf);
          }
          linalg::YieldOp::create(b, l, ValueRange{y});
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

} // namespace

void populateMLPatterns(TypeConverter &tc, RewritePatternSet &patterns) {
  patterns.add<BinarizerLowering, ArrayFeatureExtractorLowering,
               LabelEncoderLowering, TfIdfVectorizerLowering>(
      tc, patterns.getContext());
}

} // namespace kiln::tolinalg
