//===- Fold.cpp - compile-time evaluation of shape arithmetic -------------===//
//
// Evaluates small ops whose inputs are constants (mostly the int64 shape
// arithmetic of exported models: Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape) so that the shapes they compute become static.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx {

namespace {

constexpr int64_t kMaxResult = 4096;
constexpr int64_t kMaxInput = 1 << 16;
constexpr int64_t kDynamic = ShapedType::kDynamic;

/// A small constant tensor: int values (sign- or zero-extended) or floats.
struct Lit {
  SmallVector<int64_t> shape;
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  bool isFloat = false;

  int64_t size() const { return isFloat ? floats.size() : ints.size(); }
  double f(int64_t i) const { return isFloat ? floats[i] : (double)ints[i]; }
};

bool isFoldableFloat(Type t) {
  return t.isF16() || t.isBF16() || t.isF32() || t.isF64();
}

/// Ints up to 64 bits, except ui64 (values above INT64_MAX do not fit).
bool isFoldableInt(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && i.getWidth() <= 64 && !(i.isUnsigned() && i.getWidth() == 64);
}

std::optional<Lit> litFromAttr(DenseElementsAttr dense) {
  if (!dense)
    return std::nullopt;
  auto type = dense.getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxInput)
    return std::nullopt;
  Lit lit;
  lit.shape.assign(type.getShape().begin(), type.getShape().end());
  Type elt = type.getElementType();
  if (isFoldableInt(elt)) {
    bool zext = elt.isUnsignedInteger() || elt.isInteger(1);
    for (const APInt &v : dense.getValues<APInt>())
      lit.ints.push_back(zext ? (int64_t)v.getZExtValue() : v.getSExtValue());
    return lit;
  }
  if (isFoldableFloat(elt)) {
    lit.isFloat = true;
    for (APFloat v : dense.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      lit.floats.push_back(v.convertToDouble());
    }
    return lit;
  }
  return std::nullopt;
}

std::optional<Lit> getLit(Value v) {
  return litFromAttr(
      dyn_cast_or_null<DenseElementsAttr>(getConstantElements(v)));
}

/// Like getLit, but also takes 1-D int values that are only partly known
/// (Shape of a tensor with dynamic dims), unknown entries as kDynamic. Only
/// for ops that move data around: the result folds when it picks no
/// unknown entry.
std::optional<Lit> getLitOrPartial(Value v) {
  if (auto l = getLit(v))
    return l;
  if (getConstantElements(v))
    return std::nullopt; // a constant too big or of another type
  auto p = getPartialInts(v);
  auto r = getRank(v);
  if (!p || !r || *r > 1)
    return std::nullopt;
  Lit lit;
  lit.ints = *p;
  if (*r == 1)
    lit.shape = {(int64_t)p->size()};
  return lit;
}

/// The attribute of result `r` holding `lit`, converted to the result's
/// element type; nothing when the type is not foldable, a value does not
/// convert, or the shape contradicts the result type.
std::optional<DenseElementsAttr> toAttr(Value r, const Lit &lit) {
  auto shaped = dyn_cast<ShapedType>(r.getType());
  if (!shaped)
    return std::nullopt;
  auto n = getNumElements(lit.shape);
  if (!n || *n != lit.size() || *n > kMaxResult)
    return std::nullopt;
  if (auto ranked = dyn_cast<RankedTensorType>(r.getType())) {
    if (ranked.getRank() != (int64_t)lit.shape.size())
      return std::nullopt;
    for (auto [a, b] : llvm::zip(ranked.getShape(), lit.shape))
      if (!ShapedType::isDynamic(a) && a != b)
        return std::nullopt;
  }
  Type elt = shaped.getElementType();
  auto type = RankedTensorType::get(lit.shape, elt);
  if (auto it = dyn_cast<IntegerType>(elt)) {
    if (!isFoldableInt(elt))
      return std::nullopt;
    SmallVector<APInt> vals;
    for (int64_t i = 0; i < lit.size(); ++i) {
      int64_t v;
      if (lit.isFloat) {
        double d = lit.floats[i];
        if (it.getWidth() == 1) {
          v = d != 0;
        } else {
          if (!(d > -9.2e18 && d < 9.2e18))
            return std::nullopt; // NaN or out of range: undefined
          v = (int64_t)std::trunc(d);
        }
      } else {
        v = lit.ints[i];
      }
      if (it.getWidth() == 1)
        v = v != 0;
      vals.push_back(APInt(it.getWidth(), (uint64_t)v, /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    }
    return DenseElementsAttr::get(type, vals);
  }
  if (auto ft = dyn_cast<FloatType>(elt)) {
    if (!isFoldableFloat(elt))
      return std::nullopt;
    SmallVector<APFloat> vals;
    for (int64_t i = 0; i < lit.size(); ++i) {
      APFloat v(lit.f(i));
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(v);
    }
    return DenseElementsAttr::get(type, vals);
  }
  return std::nullopt;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Calls `fn(coords, linear)` for every element of `shape`.
template <typename Fn> void forEachIndex(ArrayRef<int64_t> shape, Fn fn) {
  auto n = getNumElements(shape);
  if (!n)
    return;
  SmallVector<int64_t> c(shape.size(), 0);
  for (int64_t lin = 0; lin < *n; ++lin) {
    fn(ArrayRef<int64_t>(c), lin);
    for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
      if (++c[d] < shape[d])
        break;
      c[d] = 0;
    }
  }
}

/// The elements of `src` at linear indices `idx`, shaped `shape`.
Lit take(const Lit &src, ArrayRef<int64_t> idx, ArrayRef<int64_t> shape) {
  Lit out;
  out.isFloat = src.isFloat;
  out.shape.assign(shape.begin(), shape.end());
  for (int64_t i : idx) {
    if (src.isFloat)
      out.floats.push_back(src.floats[i]);
    else
      out.ints.push_back(src.ints[i]);
  }
  return out;
}

/// `src` broadcast (numpy rules) to `shape`.
Lit broadcastTo(const Lit &src, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> st = stridesOf(src.shape);
  int64_t off = shape.size() - src.shape.size();
  SmallVector<int64_t> idx;
  forEachIndex(shape, [&](ArrayRef<int64_t> c, int64_t) {
    int64_t lin = 0;
    for (size_t d = 0; d < src.shape.size(); ++d)
      if (src.shape[d] != 1)
        lin += c[d + off] * st[d];
    idx.push_back(lin);
  });
  return take(src, idx, shape);
}

std::optional<int64_t> evalInt(Operation *op, int64_t a, int64_t b) {
  uint64_t ua = a, ub = b;
  if (isa<AddOp, SumOp>(op))
    return (int64_t)(ua + ub);
  if (isa<SubOp>(op))
    return (int64_t)(ua - ub);
  if (isa<MulOp>(op))
    return (int64_t)(ua * ub);
  if (isa<DivOp>(op)) {
    if (b == 0 || (a == INT64_MIN && b == -1))
      return std::nullopt;
    return a / b;
  }
  if (isa<ModOp>(op)) {
    if (b == 0 || b == -1)
      return b == -1 ? std::optional<int64_t>(0) : std::nullopt;
    int64_t r = a % b;
    if (getIntAttr(op, "fmod", 0) == 0 && r != 0 && ((r < 0) != (b < 0)))
      r += b;
    return r;
  }
  if (isa<MaxOp>(op))
    return std::max(a, b);
  if (isa<MinOp>(op))
    return std::min(a, b);
  if (isa<EqualOp>(op))
    return a == b;
  if (isa<LessOp>(op))
    return a < b;
  if (isa<GreaterOp>(op))
    return a > b;
  if (isa<LessOrEqualOp>(op))
    return a <= b;
  if (isa<GreaterOrEqualOp>(op))
    return a >= b;
  if (isa<AndOp, BitwiseAndOp>(op))
    return a & b;
  if (isa<OrOp, BitwiseOrOp>(op))
    return a | b;
  if (isa<XorOp, BitwiseXorOp>(op))
    return a ^ b;
  return std::nullopt;
}

std::optional<double> evalFloat(Operation *op, double a, double b) {
  if (isa<AddOp, SumOp>(op))
    return a + b;
  if (isa<SubOp>(op))
    return a - b;
  if (isa<MulOp>(op))
    return a * b;
  if (isa<DivOp>(op))
    return a / b;
  if (isa<MaxOp>(op))
    return std::max(a, b);
  if (isa<MinOp>(op))
    return std::min(a, b);
  if (isa<EqualOp>(op))
    return a == b;
  if (isa<LessOp>(op))
    return a < b;
  if (isa<GreaterOp>(op))
    return a > b;
  if (isa<LessOrEqualOp>(op))
    return a <= b;
  if (isa<GreaterOrEqualOp>(op))
    return a >= b;
  return std::nullopt;
}

/// Binary and variadic elementwise ops (left fold over the operands).
std::optional<Lit> foldElementwise(Operation *op) {
  SmallVector<Lit> ins;
  SmallVector<SmallVector<int64_t>> shapes;
  for (Value v : op->getOperands()) {
    auto l = getLit(v);
    if (!l)
      return std::nullopt;
    shapes.push_back(l->shape);
    ins.push_back(std::move(*l));
  }
  if (ins.empty())
    return std::nullopt;
  auto shape = broadcastShapes(shapes);
  if (failed(shape) || !getNumElements(*shape) ||
      *getNumElements(*shape) > kMaxResult)
    return std::nullopt;
  bool isFloat = llvm::any_of(ins, [](const Lit &l) { return l.isFloat; });
  Lit acc = broadcastTo(ins[0], *shape);
  for (size_t k = 1; k < ins.size(); ++k) {
    Lit rhs = broadcastTo(ins[k], *shape);
    Lit next;
    next.shape = *shape;
    bool cmp =
        isa<EqualOp, LessOp, GreaterOp, LessOrEqualOp, GreaterOrEqualOp>(op);
    next.isFloat = isFloat && !cmp;
    for (int64_t i = 0; i < acc.size(); ++i) {
      if (isFloat) {
        auto r = evalFloat(op, acc.f(i), rhs.f(i));
        if (!r)
          return std::nullopt;
        if (next.isFloat)
          next.floats.push_back(*r);
        else
          next.ints.push_back((int64_t)*r);
      } else {
        auto r = evalInt(op, acc.ints[i], rhs.ints[i]);
        if (!r)
          return std::nullopt;
        next.ints.push_back(*r);
      }
    }
    acc = std::move(next);
  }
  return acc;
}

std::optional<Lit> foldUnary(Operation *op) {
  auto in = getLit(op->getOperand(0));
  if (!in)
    return std::nullopt;
  Lit out = *in;
  for (int64_t i = 0; i < out.size(); ++i) {
    if (out.isFloat) {
      double &v = out.floats[i];
      if (isa<NegOp>(op))
        v = -v;
      else if (isa<AbsOp>(op))
        v = std::fabs(v);
      else if (isa<NotOp>(op))
        v = v == 0;
      continue;
    }
    int64_t &v = out.ints[i];
    if (isa<NegOp>(op))
      v = (int64_t)(0 - (uint64_t)v);
    else if (isa<AbsOp>(op))
      v = v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
    else if (isa<NotOp>(op))
      v = v == 0;
  }
  return out;
}

std::optional<Lit> foldWhere(Operation *op) {
  auto c = getLit(op->getOperand(0));
  auto x = getLit(op->getOperand(1));
  auto y = getLit(op->getOperand(2));
  if (!c || !x || !y || x->isFloat != y->isFloat)
    return std::nullopt;
  SmallVector<SmallVector<int64_t>> shapes = {c->shape, x->shape, y->shape};
  auto shape = broadcastShapes(shapes);
  if (failed(shape) ||
      getNumElements(*shape).value_or(kMaxResult + 1) > kMaxResult)
    return std::nullopt;
  Lit bc = broadcastTo(*c, *shape), bx = broadcastTo(*x, *shape),
      by = broadcastTo(*y, *shape);
  for (int64_t i = 0; i < bx.size(); ++i)
    if (bc.f(i) == 0) {
      if (bx.isFloat)
        bx.floats[i] = by.floats[i];
      else
        bx.ints[i] = by.ints[i];
    }
  return bx;
}

std::optional<Lit> foldShape(Operation *op) {
  auto s = getShape(op->getOperand(0));
  if (!s)
    return std::nullopt;
  int64_t r = s->size();
  auto clampAxis = [&](int64_t a) {
    if (a < 0)
      a += r;
    return std::min(std::max<int64_t>(a, 0), r);
  };
  int64_t start = clampAxis(getIntAttr(op, "start", 0));
  int64_t end = clampAxis(getIntAttr(op, "end", r));
  Lit out;
  for (int64_t i = start; i < end; ++i) {
    if (ShapedType::isDynamic((*s)[i]))
      return std::nullopt;
    out.ints.push_back((*s)[i]);
  }
  out.shape = {(int64_t)out.ints.size()};
  return out;
}

std::optional<Lit> foldGather(Operation *op) {
  auto data = getLitOrPartial(op->getOperand(0));
  auto idx = getLit(op->getOperand(1));
  if (!data || !idx || idx->isFloat)
    return std::nullopt;
  int64_t r = data->shape.size();
  auto axis = normalizeAxis(getIntAttr(op, "axis", 0), r);
  if (!axis)
    return std::nullopt;
  int64_t dim = data->shape[*axis];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= data->shape[i];
  for (int64_t i = *axis + 1; i < r; ++i)
    inner *= data->shape[i];
  if (outer * idx->size() * inner > kMaxResult)
    return std::nullopt;
  SmallVector<int64_t> lin;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : idx->ints) {
      if (j < -dim || j >= dim)
        return std::nullopt;
      if (j < 0)
        j += dim;
      for (int64_t k = 0; k < inner; ++k)
        lin.push_back((o * dim + j) * inner + k);
    }
  SmallVector<int64_t> shape(data->shape.begin(), data->shape.begin() + *axis);
  shape.append(idx->shape);
  shape.append(data->shape.begin() + *axis + 1, data->shape.end());
  return take(*data, lin, shape);
}

std::optional<Lit> foldConcat(Operation *op) {
  SmallVector<Lit> ins;
  for (Value v : op->getOperands()) {
    auto l = getLitOrPartial(v);
    if (!l)
      return std::nullopt;
    ins.push_back(std::move(*l));
  }
  if (ins.empty())
    return std::nullopt;
  int64_t r = ins[0].shape.size();
  auto axis = normalizeAxis(getIntAttr(op, "axis", 0), r);
  if (!axis)
    return std::nullopt;
  Lit out;
  out.isFloat = ins[0].isFloat;
  out.shape = ins[0].shape;
  out.shape[*axis] = 0;
  for (const Lit &l : ins) {
    if ((int64_t)l.shape.size() != r || l.isFloat != out.isFloat)
      return std::nullopt;
    for (int64_t d = 0; d < r; ++d)
      if (d != *axis && l.shape[d] != out.shape[d])
        return std::nullopt;
    out.shape[*axis] += l.shape[*axis];
  }
  int64_t outer = 1;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= out.shape[i];
  for (int64_t o = 0; o < outer; ++o)
    for (const Lit &l : ins) {
      int64_t chunk = outer ? l.size() / outer : 0;
      for (int64_t k = 0; k < chunk; ++k) {
        if (l.isFloat)
          out.floats.push_back(l.floats[o * chunk + k]);
        else
          out.ints.push_back(l.ints[o * chunk + k]);
      }
    }
  return out;
}

std::optional<Lit> foldSlice(Operation *op) {
  auto data = getLitOrPartial(op->getOperand(0));
  auto starts = getConstantInts(op->getOperand(1));
  auto ends = getConstantInts(op->getOperand(2));
  if (!data || !starts || !ends || starts->size() != ends->size())
    return std::nullopt;
  int64_t r = data->shape.size();
  SmallVector<int64_t> axes, steps(starts->size(), 1);
  if (op->getNumOperands() > 3 && !isNone(op->getOperand(3))) {
    auto a = getConstantInts(op->getOperand(3));
    if (!a)
      return std::nullopt;
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (op->getNumOperands() > 4 && !isNone(op->getOperand(4))) {
    auto s = getConstantInts(op->getOperand(4));
    if (!s)
      return std::nullopt;
    steps = *s;
  }
  if (axes.size() != starts->size() || steps.size() != starts->size())
    return std::nullopt;
  SmallVector<int64_t> begin(r, 0), step(r, 1), shape(data->shape);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto a = normalizeAxis(axes[i], r);
    if (!a || steps[i] == 0)
      return std::nullopt;
    auto [s, len] =
        sliceRange(data->shape[*a], (*starts)[i], (*ends)[i], steps[i]);
    shape[*a] = len;
    begin[*a] = s;
    step[*a] = steps[i];
  }
  SmallVector<int64_t> st = stridesOf(data->shape), lin;
  forEachIndex(shape, [&](ArrayRef<int64_t> c, int64_t) {
    int64_t l = 0;
    for (int64_t d = 0; d < r; ++d)
      l += (begin[d] + c[d] * step[d]) * st[d];
    lin.push_back(l);
  });
  return take(*data, lin, shape);
}

std::optional<Lit> foldTranspose(Operation *op) {
  auto data = getLit(op->getOperand(0));
  if (!data)
    return std::nullopt;
  int64_t r = data->shape.size();
  SmallVector<int64_t> perm;
  if (auto p = getIntsAttr(op, "perm"))
    perm = *p;
  else
    for (int64_t i = r - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != r)
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= r)
      return std::nullopt;
    shape.push_back(data->shape[p]);
  }
  SmallVector<int64_t> st = stridesOf(data->shape), lin;
  forEachIndex(shape, [&](ArrayRef<int64_t> c, int64_t) {
    int64_t l = 0;
    for (int64_t d = 0; d < r; ++d)
      l += c[d] * st[perm[d]];
    lin.push_back(l);
  });
  return take(*data, lin, shape);
}

std::optional<Lit> foldTile(Operation *op) {
  auto data = getLit(op->getOperand(0));
  auto reps = getConstantInts(op->getOperand(1));
  if (!data || !reps || reps->size() != data->shape.size())
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (auto [d, n] : llvm::zip(data->shape, *reps)) {
    if (n < 0)
      return std::nullopt;
    shape.push_back(d * n);
  }
  if (getNumElements(shape).value_or(kMaxResult + 1) > kMaxResult)
    return std::nullopt;
  SmallVector<int64_t> st = stridesOf(data->shape), lin;
  forEachIndex(shape, [&](ArrayRef<int64_t> c, int64_t) {
    int64_t l = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      l += (c[d] % data->shape[d]) * st[d];
    lin.push_back(l);
  });
  return take(*data, lin, shape);
}

std::optional<Lit> foldConstantOfShape(Operation *op) {
  auto shape = getConstantInts(op->getOperand(0));
  if (!shape || llvm::any_of(*shape, [](int64_t d) { return d < 0; }) ||
      getNumElements(*shape).value_or(kMaxResult + 1) > kMaxResult)
    return std::nullopt;
  Lit value;
  value.isFloat = true;
  value.floats = {0.0};
  if (auto attr = op->getAttrOfType<DenseElementsAttr>("value")) {
    auto l = litFromAttr(attr);
    if (!l || l->size() != 1)
      return std::nullopt;
    value = *l;
  } else if (op->getAttr("value")) {
    return std::nullopt;
  }
  value.shape.clear();
  return broadcastTo(value, *shape);
}

std::optional<Lit> foldRange(Operation *op) {
  auto s = getLit(op->getOperand(0)), l = getLit(op->getOperand(1)),
       d = getLit(op->getOperand(2));
  if (!s || !l || !d || s->size() != 1 || l->size() != 1 || d->size() != 1 ||
      s->isFloat != d->isFloat)
    return std::nullopt;
  if (d->f(0) == 0)
    return std::nullopt;
  double n = std::ceil((l->f(0) - s->f(0)) / d->f(0));
  if (!(n <= kMaxResult))
    return std::nullopt;
  Lit out;
  out.isFloat = s->isFloat;
  int64_t count = std::max<int64_t>((int64_t)n, 0);
  out.shape = {count};
  for (int64_t i = 0; i < count; ++i) {
    if (out.isFloat)
      out.floats.push_back(s->f(0) + i * d->f(0));
    else
      out.ints.push_back(s->ints[0] + i * d->ints[0]);
  }
  return out;
}

std::optional<Lit> foldReduce(Operation *op) {
  auto data = getLit(op->getOperand(0));
  if (!data)
    return std::nullopt;
  int64_t r = data->shape.size();
  SmallVector<int64_t> axes;
  if (op->getNumOperands() > 1 && !isNone(op->getOperand(1))) {
    auto a = getConstantInts(op->getOperand(1));
    if (!a)
      return std::nullopt;
    axes = *a;
  }
  bool keep = getIntAttr(op, "keepdims", 1) != 0;
  if (axes.empty() && getIntAttr(op, "noop_with_empty_axes", 0))
    return data;
  SmallVector<bool> red(r, axes.empty());
  for (int64_t a : axes) {
    auto n = normalizeAxis(a, r);
    if (!n)
      return std::nullopt;
    red[*n] = true;
  }
  SmallVector<int64_t> keptShape;
  for (int64_t d = 0; d < r; ++d)
    keptShape.push_back(red[d] ? 1 : data->shape[d]);
  bool prod = isa<ReduceProdOp>(op), mx = isa<ReduceMaxOp>(op),
       mn = isa<ReduceMinOp>(op);
  int64_t outN = *getNumElements(keptShape);
  if ((mx || mn) && data->size() == 0)
    return std::nullopt;
  Lit out;
  out.isFloat = data->isFloat;
  out.ints.assign(out.isFloat ? 0 : outN, prod ? 1 : 0);
  out.floats.assign(out.isFloat ? outN : 0, prod ? 1.0 : 0.0);
  SmallVector<bool> seen(outN, false);
  SmallVector<int64_t> st = stridesOf(keptShape);
  forEachIndex(data->shape, [&](ArrayRef<int64_t> c, int64_t lin) {
    int64_t o = 0;
    for (int64_t d = 0; d < r; ++d)
      o += (red[d] ? 0 : c[d]) * st[d];
    bool first = !seen[o];
    seen[o] = true;
    if (out.isFloat) {
      double &acc = out.floats[o], v = data->floats[lin];
      acc = prod ? acc * v
            : mx ? (first ? v : std::max(acc, v))
            : mn ? (first ? v : std::min(acc, v))
                 : acc + v;
    } else {
      int64_t &acc = out.ints[o], v = data->ints[lin];
      acc = prod ? (int64_t)((uint64_t)acc * (uint64_t)v)
            : mx ? (first ? v : std::max(acc, v))
            : mn ? (first ? v : std::min(acc, v))
                 : (int64_t)((uint64_t)acc + (uint64_t)v);
    }
  });
  if (keep) {
    out.shape = keptShape;
  } else {
    for (int64_t d = 0; d < r; ++d)
      if (!red[d])
        out.shape.push_back(data->shape[d]);
  }
  return out;
}

/// Ops that only change the shape: the data with the result's static shape.
std::optional<Lit> foldReshapeLike(Operation *op) {
  auto data = getLitOrPartial(op->getOperand(0));
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!data || !type || !type.hasStaticShape() ||
      type.getNumElements() != data->size())
    return std::nullopt;
  data->shape.assign(type.getShape().begin(), type.getShape().end());
  return data;
}

std::optional<Lit> foldExpand(Operation *op) {
  auto data = getLit(op->getOperand(0));
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!data || !type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxResult)
    return std::nullopt;
  SmallVector<SmallVector<int64_t>> shapes = {
      data->shape, SmallVector<int64_t>(type.getShape())};
  auto bc = broadcastShapes(shapes);
  if (failed(bc) || ArrayRef(*bc) != type.getShape())
    return std::nullopt;
  return broadcastTo(*data, type.getShape());
}

std::optional<Lit> foldSingle(Operation *op) {
  if (isa<ShapeOp>(op))
    return foldShape(op);
  if (isa<SizeOp>(op)) {
    auto s = getShape(op->getOperand(0));
    if (!s)
      return std::nullopt;
    auto n = getNumElements(*s);
    if (!n)
      return std::nullopt;
    Lit out;
    out.ints = {*n};
    return out;
  }
  if (isa<AddOp, SubOp, MulOp, DivOp, ModOp, MaxOp, MinOp, SumOp, EqualOp,
          LessOp, GreaterOp, LessOrEqualOp, GreaterOrEqualOp, AndOp, OrOp,
          XorOp, BitwiseAndOp, BitwiseOrOp, BitwiseXorOp>(op))
    return foldElementwise(op);
  if (isa<NegOp, AbsOp, NotOp>(op))
    return foldUnary(op);
  if (isa<CastOp>(op))
    return getLit(op->getOperand(0));
  if (isa<IdentityOp>(op))
    return getLitOrPartial(op->getOperand(0));
  if (isa<WhereOp>(op))
    return foldWhere(op);
  if (isa<GatherOp>(op))
    return foldGather(op);
  if (isa<ConcatOp>(op))
    return foldConcat(op);
  if (isa<SliceOp>(op))
    return foldSlice(op);
  if (isa<TransposeOp>(op))
    return foldTranspose(op);
  if (isa<TileOp>(op))
    return foldTile(op);
  if (isa<ExpandOp>(op))
    return foldExpand(op);
  if (isa<ConstantOfShapeOp>(op))
    return foldConstantOfShape(op);
  if (isa<RangeOp>(op))
    return foldRange(op);
  if (isa<ReduceSumOp, ReduceProdOp, ReduceMaxOp, ReduceMinOp>(op))
    return foldReduce(op);
  if (isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op))
    return foldReshapeLike(op);
  return std::nullopt;
}

} // namespace

std::optional<SmallVector<DenseElementsAttr>> foldToConstants(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return std::nullopt;
  std::optional<Lit> lit = foldSingle(op);
  if (!lit || (!lit->isFloat && llvm::is_contained(lit->ints, kDynamic)))
    return std::nullopt;
  auto attr = toAttr(op->getResult(0), *lit);
  if (!attr)
    return std::nullopt;
  return SmallVector<DenseElementsAttr>{*attr};
}

} // namespace kiln::onnx
