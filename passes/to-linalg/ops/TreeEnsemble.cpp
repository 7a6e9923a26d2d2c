//===- TreeEnsemble.cpp - ai.onnx.ml TreeEnsemble -------------------------===//
//
// The trees are compile-time attributes; they become constant tables indexed
// by node (feature, mode, split, true/false successor and whether it is a
// leaf, missing-value routing, the range of its set in the membership
// table), by leaf (weight, target) and by tree (root, whether the root is a
// leaf). One linalg.generic over Y [N, n_targets] walks, for each (sample n,
// target j), every tree from its root with an scf.while until a leaf, and
// aggregates the weights of the leaves of target j (SUM, AVERAGE, MIN, MAX;
// MIN/MAX start from the largest/lowest finite value, as the reference does).
// The trees are checked at compile time: every id in range, no cycles, so a
// walk always ends. Set-membership nodes take, in the order they appear in
// nodes_modes, the NaN-separated sets of membership_values.
//
//===----------------------------------------------------------------------===//
#include "passes/to-linalg/ConversionUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <functional>

using namespace mlir;

namespace kiln::tolinalg {
namespace {

enum Mode : int64_t { LEQ, LT, GTE, GT, EQ, NEQ, MEMBER };

/// The numbers of an ElementsAttr (int or float) as doubles.
std::optional<SmallVector<double>> toDoubles(ElementsAttr attr) {
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<double> out;
  Type elt = dense.getElementType();
  if (isa<FloatType>(elt)) {
    for (const APFloat &v : dense.getValues<APFloat>()) {
      APFloat d = v;
      bool lost;
      d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(d.convertToDouble());
    }
  } else if (auto it = dyn_cast<IntegerType>(elt)) {
    for (const APInt &v : dense.getValues<APInt>())
      out.push_back(it.isUnsigned() ? (double)v.getZExtValue()
                                    : (double)v.getSExtValue());
  } else {
    return std::nullopt;
  }
  return out;
}

/// The tables of a validated ensemble.
struct Ensemble {
  SmallVector<int64_t> feature, mode, trueId, falseId, trueLeaf, falseLeaf,
      tracksTrue, memberStart, memberCount, roots, rootIsLeaf, leafTarget;
  SmallVector<double> split, members, leafWeight;
};

/// Reads and checks the attributes; on failure `error` says why.
std::optional<Ensemble> readEnsemble(onnx::TreeEnsembleOp op,
                                     int64_t numFeatures, int64_t numTargets,
                                     std::string &error) {
  Ensemble e;
  e.feature.assign(op.getNodesFeatureids().begin(),
                   op.getNodesFeatureids().end());
  e.trueId.assign(op.getNodesTruenodeids().begin(),
                  op.getNodesTruenodeids().end());
  e.falseId.assign(op.getNodesFalsenodeids().begin(),
                   op.getNodesFalsenodeids().end());
  e.trueLeaf.assign(op.getNodesTrueleafs().begin(),
                    op.getNodesTrueleafs().end());
  e.falseLeaf.assign(op.getNodesFalseleafs().begin(),
                     op.getNodesFalseleafs().end());
  e.roots.assign(op.getTreeRoots().begin(), op.getTreeRoots().end());
  e.leafTarget.assign(op.getLeafTargetids().begin(),
                      op.getLeafTargetids().end());
  auto modes = toDoubles(op.getNodesModes());
  auto splits = toDoubles(op.getNodesSplits());
  auto weights = toDoubles(op.getLeafWeights());
  if (!modes || !splits || !weights) {
    error = "nodes_modes, nodes_splits and leaf_weights must be dense";
    return std::nullopt;
  }
  for (double m : *modes)
    e.mode.push_back((int64_t)m);
  e.split = *splits;
  e.leafWeight = *weights;
  size_t numNodes = e.feature.size();
  size_t numLeaves = e.leafTarget.size();
  if (e.mode.size() != numNodes || e.split.size() != numNodes ||
      e.trueId.size() != numNodes || e.falseId.size() != numNodes ||
      e.trueLeaf.size() != numNodes || e.falseLeaf.size() != numNodes ||
      e.leafWeight.size() != numLeaves) {
    error = "the nodes_* (and the leaf_*) attributes must have one entry per "
            "node (leaf)";
    return std::nullopt;
  }
  e.tracksTrue.assign(numNodes, 0);
  if (auto t = op.getNodesMissingValueTracksTrue()) {
    if (t->size() != numNodes) {
      error = "nodes_missing_value_tracks_true needs one entry per node";
      return std::nullopt;
    }
    e.tracksTrue.assign(t->begin(), t->end());
  }
  // Sets of the membership nodes, in node order.
  SmallVector<double> values;
  if (std::optional<ElementsAttr> mv = op.getMembershipValues()) {
    auto v = *mv ? toDoubles(*mv) : std::nullopt;
    if (!v) {
      error = "membership_values must be dense";
      return std::nullopt;
    }
    values = *v;
  }
  size_t pos = 0;
  e.memberStart.assign(numNodes, 0);
  e.memberCount.assign(numNodes, 0);
  for (size_t i = 0; i < numNodes; ++i) {
    if (e.mode[i] < LEQ || e.mode[i] > MEMBER) {
      error = "nodes_modes must be in [0, 6]";
      return std::nullopt;
    }
    if (e.feature[i] < 0 || e.feature[i] >= numFeatures) {
      error = "nodes_featureids must index X's features";
      return std::nullopt;
    }
    if (e.mode[i] != MEMBER)
      continue;
    if (pos >= values.size()) {
      error = "membership_values needs a set per membership node";
      return std::nullopt;
    }
    e.memberStart[i] = e.members.size();
    for (; pos < values.size() && !std::isnan(values[pos]); ++pos)
      e.members.push_back(values[pos]);
    e.memberCount[i] = e.members.size() - e.memberStart[i];
    ++pos; // the NaN
  }
  for (int64_t t : e.leafTarget)
    if (t < 0 || t >= numTargets) {
      error = "leaf_targetids must be in [0, n_targets)";
      return std::nullopt;
    }
  // Each tree: ids in range and no cycles (so every walk ends).
  auto inRange = [&](int64_t id, bool leaf) {
    return id >= 0 && (size_t)id < (leaf ? numLeaves : numNodes);
  };
  SmallVector<int8_t> state(numNodes, 0); // 0 new, 1 on the path, 2 done
  std::function<bool(int64_t)> visit = [&](int64_t n) {
    if (state[n] == 1)
      return false;
    if (state[n] == 2)
      return true;
    state[n] = 1;
    for (auto [id, leaf] : {std::pair{e.trueId[n], e.trueLeaf[n]},
                            std::pair{e.falseId[n], e.falseLeaf[n]}}) {
      if (!inRange(id, leaf) || (!leaf && !visit(id)))
        return false;
    }
    state[n] = 2;
    return true;
  };
  for (int64_t r : e.roots) {
    if (!inRange(r, false)) {
      error = "tree_roots must index nodes";
      return std::nullopt;
    }
    bool leaf = e.trueLeaf[r] && e.falseLeaf[r] && e.trueId[r] == e.falseId[r];
    e.rootIsLeaf.push_back(leaf);
    if (leaf ? !inRange(r, true) : !visit(r)) {
      error = "the trees must be acyclic with node and leaf ids in range";
      return std::nullopt;
    }
  }
  return e;
}

struct TreeEnsembleLowering : OpConversionPattern<onnx::TreeEnsembleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::TreeEnsembleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getStaticType(rewriter, op, op.getY().getType());
    auto xType = getStaticType(rewriter, op, adaptor.getX().getType());
    if (failed(type) || failed(xType))
      return failure();
    if (xType->getRank() != 2 || type->getRank() != 2 ||
        type->getDimSize(0) != xType->getDimSize(0) ||
        (op.getNTargets() && type->getDimSize(1) != (int64_t)*op.getNTargets()))
      return rewriter.notifyMatchFailure(
          op, "expects X [N, F] and Y [N, n_targets]");
    if (type->getElementType() != xType->getElementType())
      return rewriter.notifyMatchFailure(op, "Y must have X's element type");
    int64_t agg = (int64_t)op.getAggregateFunction();
    if (agg < 0 || agg > 3)
      return rewriter.notifyMatchFailure(op, "aggregate_function must be 0-3");
    int64_t post = (int64_t)op.getPostTransform();
    if (post != 0 && post != 2)
      return rewriter.notifyMatchFailure(
          op, "post_transform must be NONE (0) or LOGISTIC (2)");
    std::string error;
    auto e = readEnsemble(op, xType->getDimSize(1), type->getDimSize(1), error);
    if (!e)
      return rewriter.notifyMatchFailure(op, error);

    Location loc = op.getLoc();
    auto elt = cast<FloatType>(type->getElementType());
    auto intTable = [&](ArrayRef<int64_t> v) -> Value {
      SmallVector<int64_t> data(v);
      if (data.empty())
        data.push_back(0);
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get({(int64_t)data.size()},
                                                       rewriter.getI64Type()),
                                 ArrayRef<int64_t>(data)));
    };
    auto floatTable = [&](ArrayRef<double> v) -> Value {
      SmallVector<Attribute> data;
      for (double d : v)
        data.push_back(rewriter.getFloatAttr(elt, d));
      if (data.empty())
        data.push_back(rewriter.getFloatAttr(elt, 0.0));
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({(int64_t)data.size()}, elt), data));
    };
    Value feature = intTable(e->feature), mode = intTable(e->mode),
          trueId = intTable(e->trueId), falseId = intTable(e->falseId),
          trueLeaf = intTable(e->trueLeaf), falseLeaf = intTable(e->falseLeaf),
          tracks = intTable(e->tracksTrue),
          memberStart = intTable(e->memberStart),
          memberCount = intTable(e->memberCount), roots = intTable(e->roots),
          rootIsLeaf = intTable(e->rootIsLeaf),
          leafTarget = intTable(e->leafTarget);
    Value split = floatTable(e->split), members = floatTable(e->members),
          leafWeight = floatTable(e->leafWeight);
    Value x = adaptor.getX();
    int64_t numTrees = e->roots.size();
    const llvm::fltSemantics &sem = elt.getFloatSemantics();
    double init = agg == 2   ? APFloat::getLargest(sem).convertToDouble()
                  : agg == 3 ? APFloat::getLargest(sem, true).convertToDouble()
                             : 0.0;

    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, *type)},
        ArrayRef<AffineMap>{
            AffineMap::getMultiDimIdentityMap(2, rewriter.getContext())},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          Type i64 = b.getI64Type(), i1 = b.getI1Type();
          auto cIdx = [&](int64_t v) {
            return arith::ConstantIndexOp::create(b, l, v).getResult();
          };
          auto at = [&](OpBuilder &ob, Location ol, Value table, Value i) {
            if (!i.getType().isIndex())
              i = arith::IndexCastOp::create(ob, ol, ob.getIndexType(), i);
            return tensor::ExtractOp::create(ob, ol, table, i).getResult();
          };
          auto nonZero = [&](OpBuilder &ob, Location ol, Value v) {
            return arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::ne, v,
                                         createIntScalar(ob, ol, i64, 0))
                .getResult();
          };
          Value n = linalg::IndexOp::create(b, l, 0);
          Value j = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, 1));
          auto trees = scf::ForOp::create(
              b, l, cIdx(0), cIdx(numTrees), cIdx(1),
              ValueRange{createScalar(b, l, elt, init)},
              [&](OpBuilder &tb, Location tl, Value t, ValueRange acc) {
                Value start = at(tb, tl, roots, t);
                Value startLeaf = nonZero(tb, tl, at(tb, tl, rootIsLeaf, t));
                auto walk = scf::WhileOp::create(
                    tb, tl, TypeRange{i64, i1}, ValueRange{start, startLeaf},
                    [&](OpBuilder &wb, Location wl, ValueRange s) {
                      Value go = arith::XOrIOp::create(
                          wb, wl, s[1], createIntScalar(wb, wl, i1, 1));
                      scf::ConditionOp::create(wb, wl, go, s);
                    },
                    [&](OpBuilder &wb, Location wl, ValueRange s) {
                      Value node = s[0];
                      Value f = at(wb, wl, feature, node);
                      Value xv = tensor::ExtractOp::create(
                          wb, wl, x,
                          ValueRange{n, arith::IndexCastOp::create(
                                            wb, wl, wb.getIndexType(), f)});
                      Value sv = at(wb, wl, split, node);
                      Value m = at(wb, wl, mode, node);
                      auto fcmp = [&](arith::CmpFPredicate p) {
                        return arith::CmpFOp::create(wb, wl, p, xv, sv)
                            .getResult();
                      };
                      // Set membership: any member equal to x.
                      Value ms = at(wb, wl, memberStart, node);
                      Value mc = at(wb, wl, memberCount, node);
                      Value msIdx = arith::IndexCastOp::create(
                          wb, wl, wb.getIndexType(), ms);
                      Value meIdx = arith::IndexCastOp::create(
                          wb, wl, wb.getIndexType(),
                          arith::AddIOp::create(wb, wl, ms, mc));
                      auto member = scf::ForOp::create(
                          wb, wl, msIdx, meIdx, cIdx(1),
                          ValueRange{createIntScalar(wb, wl, i1, 0)},
                          [&](OpBuilder &mb, Location ml, Value k,
                              ValueRange found) {
                            Value eq = arith::CmpFOp::create(
                                mb, ml, arith::CmpFPredicate::OEQ, xv,
                                at(mb, ml, members, k));
                            scf::YieldOp::create(
                                mb, ml,
                                ValueRange{arith::OrIOp::create(mb, ml,
                                                                found[0], eq)});
                          });
                      std::pair<int64_t, Value> cases[] = {
                          {LEQ, fcmp(arith::CmpFPredicate::OLE)},
                          {LT, fcmp(arith::CmpFPredicate::OLT)},
                          {GTE, fcmp(arith::CmpFPredicate::OGE)},
                          {GT, fcmp(arith::CmpFPredicate::OGT)},
                          {EQ, fcmp(arith::CmpFPredicate::OEQ)},
                          {NEQ, fcmp(arith::CmpFPredicate::UNE)}};
                      Value cond = member.getResult(0);
                      for (auto [md, c] : cases) {
                        Value isMode = arith::CmpIOp::create(
                            wb, wl, arith::CmpIPredicate::eq, m,
                            createIntScalar(wb, wl, i64, md));
                        cond = arith::SelectOp::create(wb, wl, isMode, c, cond);
                      }
                      Value isNan = arith::CmpFOp::create(
                          wb, wl, arith::CmpFPredicate::UNO, xv, xv);
                      Value missing = arith::AndIOp::create(
                          wb, wl, isNan,
                          nonZero(wb, wl, at(wb, wl, tracks, node)));
                      cond = arith::OrIOp::create(wb, wl, cond, missing);
                      Value next = arith::SelectOp::create(
                          wb, wl, cond, at(wb, wl, trueId, node),
                          at(wb, wl, falseId, node));
                      Value leaf = arith::SelectOp::create(
                          wb, wl, cond, at(wb, wl, trueLeaf, node),
                          at(wb, wl, falseLeaf, node));
                      scf::YieldOp::create(
                          wb, wl, ValueRange{next, nonZero(wb, wl, leaf)});
                    });
                Value leafIdx = walk.getResult(0);
                Value w = at(tb, tl, leafWeight, leafIdx);
                Value mine =
                    arith::CmpIOp::create(tb, tl, arith::CmpIPredicate::eq,
                                          at(tb, tl, leafTarget, leafIdx), j);
                Value combined =
                    agg == 2 ? arith::MinimumFOp::create(tb, tl, acc[0], w)
                                   .getResult()
                    : agg == 3
                        ? arith::MaximumFOp::create(tb, tl, acc[0], w)
                              .getResult()
                        : arith::AddFOp::create(tb, tl, acc[0], w).getResult();
                scf::YieldOp::create(tb, tl,
                                     ValueRange{arith::SelectOp::create(
                                         tb, tl, mine, combined, acc[0])});
              });
          Value y = trees.getResult(0);
          if (agg == 0 && numTrees > 0)
            y = arith::DivFOp::create(
                b, l, y, createScalar(b, l, elt, (double)numTrees));
          if (post == 2) { // LOGISTIC
            Value one = createScalar(b, l, elt, 1.0);
            Value ex =
                math::ExpOp::create(b, l, arith::NegFOp::create(b, l, y));
            y = arith::DivFOp::create(b, l, one,
                                      arith::AddFOp::create(b, l, one, ex));
          }
          linalg::YieldOp::create(b, l, ValueRange{y});
        });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

} // namespace

void populateTreeEnsemblePatterns(TypeConverter &tc,
                                  RewritePatternSet &patterns) {
  patterns.add<TreeEnsembleLowering>(tc, patterns.getContext());
}

} // namespace kiln::tolinalg
