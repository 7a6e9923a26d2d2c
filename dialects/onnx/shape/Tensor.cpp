//===- Tensor.cpp - shape inference: data movement ops --------------------===//
//
// Reshapes, slicing, gathers, concatenation, padding, shape queries.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ShapeInference.h"

#include "llvm/ADT/StringExtras.h"
#include <cmath>

using namespace mlir;

namespace kiln::onnx {

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

/// Unknown dims everywhere: only the rank is known.
SmallVector<int64_t> dynamicShape(int64_t rank) {
  return SmallVector<int64_t>(rank, kDyn);
}

LogicalResult inferReshape(Operation *op) {
  Value data = op->getOperand(0), shapeV = op->getOperand(1);
  bool allowZero = getIntAttr(op, "allowzero", 0) != 0;
  auto in = getShape(data);
  auto target = getPartialInts(shapeV);
  if (!target)
    return success();
  SmallVector<int64_t> out;
  int64_t inferIdx = -1;
  for (auto [i, v] : llvm::enumerate(*target)) {
    if (isDyn(v)) {
      out.push_back(kDyn);
    } else if (v == -1) {
      if (inferIdx >= 0)
        return shapeError(op, "shape has more than one -1");
      inferIdx = i;
      out.push_back(kDyn);
    } else if (v == 0 && !allowZero) {
      if (in && (int64_t)i >= (int64_t)in->size())
        return shapeError(op, "shape copies dim ")
               << i << " (0) of an input of rank " << in->size();
      out.push_back(in ? (*in)[i] : kDyn);
    } else if (v < 0) {
      return shapeError(op, "invalid dim ") << v << " in shape";
    } else {
      out.push_back(v);
    }
  }
  if (in) {
    auto total = getNumElements(*in);
    int64_t known = 1;
    bool allKnown = true;
    for (auto [i, d] : llvm::enumerate(out)) {
      if ((int64_t)i == inferIdx)
        continue;
      if (isDyn(d))
        allKnown = false;
      else
        known *= d;
    }
    if (total && allKnown) {
      if (inferIdx >= 0) {
        if (known == 0 || *total % known != 0)
          return shapeError(op, "cannot reshape ")
                 << *total << " elements with -1 and " << known
                 << " other elements";
        out[inferIdx] = *total / known;
      } else if (known != *total) {
        return shapeError(op, "cannot reshape ")
               << *total << " elements into " << known;
      }
    }
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferFlatten(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  int64_t axis = getIntAttr(op, "axis", 1);
  if (axis < -r || axis > r)
    return shapeError(op, "axis ") << axis << " out of range for rank " << r;
  if (axis < 0)
    axis += r;
  int64_t a = 1, b = 1;
  for (int64_t i = 0; i < r; ++i)
    (i < axis ? a : b) = mulDims(i < axis ? a : b, (*in)[i]);
  return setShape(op->getResult(0), {a, b});
}

LogicalResult inferSqueeze(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  SmallVector<bool> drop(r, false);
  Value axesV = op->getNumOperands() > 1 ? op->getOperand(1) : Value();
  if (!axesV || isNone(axesV)) {
    if (auto attr = getIntsAttr(op, "axes")) {
      for (int64_t a : *attr) {
        auto n = normalizeAxis(a, r);
        if (!n)
          return shapeError(op, "axis ") << a << " out of range";
        drop[*n] = true;
      }
    } else {
      for (int64_t i = 0; i < r; ++i) {
        if (isDyn((*in)[i]))
          return success(); // which dims are 1 is unknown
        drop[i] = (*in)[i] == 1;
      }
    }
  } else {
    auto axes = getConstantInts(axesV);
    if (!axes)
      return success();
    for (int64_t a : *axes) {
      auto n = normalizeAxis(a, r);
      if (!n)
        return shapeError(op, "axis ") << a << " out of range for rank " << r;
      drop[*n] = true;
    }
  }
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < r; ++i) {
    if (!drop[i]) {
      out.push_back((*in)[i]);
      continue;
    }
    if (!isDyn((*in)[i]) && (*in)[i] != 1)
      return shapeError(op, "cannot squeeze dim ")
             << i << " of size " << (*in)[i];
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferUnsqueeze(Operation *op) {
  auto in = getShape(op->getOperand(0));
  std::optional<SmallVector<int64_t>> axes;
  if (op->getNumOperands() > 1 && !isNone(op->getOperand(1)))
    axes = getConstantInts(op->getOperand(1));
  else
    axes = getIntsAttr(op, "axes");
  if (!in || !axes)
    return success();
  int64_t outRank = in->size() + axes->size();
  SmallVector<bool> inserted(outRank, false);
  for (int64_t a : *axes) {
    auto n = normalizeAxis(a, outRank);
    if (!n)
      return shapeError(op, "axis ")
             << a << " out of range for rank " << outRank;
    if (inserted[*n])
      return shapeError(op, "axis ") << a << " repeats";
    inserted[*n] = true;
  }
  SmallVector<int64_t> out;
  size_t j = 0;
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(inserted[i] ? 1 : (*in)[j++]);
  return setShape(op->getResult(0), out);
}

LogicalResult inferTranspose(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  SmallVector<int64_t> perm;
  if (auto p = getIntsAttr(op, "perm"))
    perm = *p;
  else
    for (int64_t i = r - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != r)
    return shapeError(op, "perm has ")
           << perm.size() << " entries for rank " << r;
  SmallVector<bool> seen(r, false);
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= r || seen[p])
      return shapeError(op, "perm is not a permutation");
    seen[p] = true;
    out.push_back((*in)[p]);
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferConcat(Operation *op) {
  std::optional<int64_t> rank;
  for (Value v : op->getOperands())
    if (auto r = getRank(v)) {
      if (rank && *rank != *r)
        return shapeError(op, "inputs have different ranks ")
               << *rank << " and " << *r;
      rank = r;
    }
  if (!rank)
    return success();
  auto axis = normalizeAxis(getIntAttr(op, "axis", 0), *rank);
  if (!axis)
    return shapeError(op, "axis out of range for rank ") << *rank;
  SmallVector<int64_t> out(*rank, kDyn);
  int64_t sum = 0;
  for (Value v : op->getOperands()) {
    auto s = getShape(v);
    if (!s) {
      sum = kDyn;
      continue;
    }
    for (int64_t i = 0; i < *rank; ++i) {
      int64_t d = (*s)[i];
      if (i == *axis) {
        sum = (isDyn(sum) || isDyn(d)) ? kDyn : sum + d;
      } else if (!isDyn(d)) {
        if (!isDyn(out[i]) && out[i] != d)
          return shapeError(op, "inputs disagree on dim ")
                 << i << ": " << out[i] << " vs " << d;
        out[i] = d;
      }
    }
  }
  out[*axis] = sum;
  return setShape(op->getResult(0), out);
}

LogicalResult inferSplit(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  auto axis = normalizeAxis(getIntAttr(op, "axis", 0), r);
  if (!axis)
    return shapeError(op, "axis out of range for rank ") << r;
  int64_t n = op->getNumResults();
  int64_t d = (*in)[*axis];
  SmallVector<int64_t> sizes(n, kDyn);
  Value splitV = op->getNumOperands() > 1 ? op->getOperand(1) : Value();
  std::optional<SmallVector<int64_t>> split;
  if (splitV && !isNone(splitV))
    split = getConstantInts(splitV);
  else
    split = getIntsAttr(op, "split");
  if (split) {
    if ((int64_t)split->size() != n)
      return shapeError(op, "split has ")
             << split->size() << " entries for " << n << " outputs";
    int64_t total = 0;
    for (int64_t s : *split) {
      if (s < 0)
        return shapeError(op, "negative split size ") << s;
      total += s;
    }
    if (!isDyn(d) && total != d)
      return shapeError(op, "split sizes sum to ")
             << total << " but the dim is " << d;
    sizes = *split;
  } else if (splitV && !isNone(splitV)) {
    // Non-constant split sizes: dims along the axis unknown.
  } else if (!isDyn(d) && n > 0) {
    int64_t chunk = (d + n - 1) / n;
    int64_t last = d - chunk * (n - 1);
    if (last >= 0) {
      sizes.assign(n, chunk);
      sizes.back() = last;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> out(*in);
    out[*axis] = sizes[i];
    if (failed(setShape(op->getResult(i), out)))
      return failure();
  }
  return success();
}

LogicalResult inferSlice(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  auto starts = getConstantInts(op->getOperand(1));
  auto ends = getConstantInts(op->getOperand(2));
  Value axesV = op->getNumOperands() > 3 ? op->getOperand(3) : Value();
  Value stepsV = op->getNumOperands() > 4 ? op->getOperand(4) : Value();
  std::optional<int64_t> n;
  if (starts)
    n = starts->size();
  else if (auto len = getStatic1DLength(op->getOperand(1)))
    n = *len;
  SmallVector<int64_t> axes;
  if (axesV && !isNone(axesV)) {
    auto a = getConstantInts(axesV);
    if (!a)
      return setShape(op->getResult(0), dynamicShape(r));
    axes = *a;
  } else {
    if (!n)
      return setShape(op->getResult(0), dynamicShape(r));
    for (int64_t i = 0; i < *n; ++i)
      axes.push_back(i);
  }
  SmallVector<int64_t> steps(axes.size(), 1);
  bool stepsKnown = true;
  if (stepsV && !isNone(stepsV)) {
    auto s = getConstantInts(stepsV);
    if (s)
      steps = *s;
    else
      stepsKnown = false;
  }
  if ((starts && starts->size() != axes.size()) ||
      (ends && ends->size() != axes.size()) || steps.size() != axes.size())
    return shapeError(op, "starts, ends, axes and steps differ in length");
  SmallVector<int64_t> out(*in);
  SmallVector<bool> seen(r, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto a = normalizeAxis(axes[i], r);
    if (!a)
      return shapeError(op, "axis ")
             << axes[i] << " out of range for rank " << r;
    if (seen[*a])
      return shapeError(op, "axis ") << axes[i] << " repeats";
    seen[*a] = true;
    if (stepsKnown && steps[i] == 0)
      return shapeError(op, "slice step cannot be 0");
    int64_t d = (*in)[*a];
    if (!starts || !ends || !stepsKnown) {
      out[*a] = kDyn;
      continue;
    }
    out[*a] = isDyn(d)
                  ? kDyn
                  : sliceRange(d, (*starts)[i], (*ends)[i], steps[i]).second;
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferGather(Operation *op) {
  auto data = getShape(op->getOperand(0));
  auto idx = getShape(op->getOperand(1));
  if (!data || !idx)
    return success();
  int64_t r = data->size();
  auto axis = normalizeAxis(getIntAttr(op, "axis", 0), r);
  if (!axis)
    return shapeError(op, "axis out of range for rank ") << r;
  SmallVector<int64_t> out(data->begin(), data->begin() + *axis);
  out.append(*idx);
  out.append(data->begin() + *axis + 1, data->end());
  return setShape(op->getResult(0), out);
}

LogicalResult inferGatherND(Operation *op) {
  auto data = getShape(op->getOperand(0));
  auto idx = getShape(op->getOperand(1));
  if (!data || !idx)
    return success();
  if (idx->empty())
    return shapeError(op, "indices must have rank >= 1");
  int64_t b = getIntAttr(op, "batch_dims", 0);
  int64_t m = idx->back();
  if (isDyn(m)) {
    // Rank unknown: it depends on the last dim of indices.
    return success();
  }
  if (b < 0 || b + m > (int64_t)data->size())
    return shapeError(op, "indices address ")
           << m << " dims after " << b << " batch dims of a rank "
           << data->size() << " tensor";
  SmallVector<int64_t> out(idx->begin(), idx->end() - 1);
  out.append(data->begin() + b + m, data->end());
  return setShape(op->getResult(0), out);
}

LogicalResult inferExpand(Operation *op) {
  auto in = getShape(op->getOperand(0));
  auto target = getPartialInts(op->getOperand(1));
  if (!in || !target)
    return success();
  for (int64_t v : *target)
    if (!isDyn(v) && v < 0)
      return shapeError(op, "invalid dim ") << v << " in shape";
  SmallVector<SmallVector<int64_t>> shapes = {*in, *target};
  auto out = broadcastShapes(shapes);
  if (failed(out))
    return shapeError(op, "input shape does not broadcast to the shape");
  return setShape(op->getResult(0), *out);
}

LogicalResult inferTile(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  auto reps = getConstantInts(op->getOperand(1));
  if (!reps)
    return setShape(op->getResult(0), dynamicShape(in->size()));
  if (reps->size() != in->size())
    return shapeError(op, "repeats has ")
           << reps->size() << " entries for rank " << in->size();
  SmallVector<int64_t> out;
  for (auto [d, rep] : llvm::zip(*in, *reps)) {
    if (rep < 0)
      return shapeError(op, "negative repeat ") << rep;
    out.push_back(mulDims(d, rep));
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferPad(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  std::optional<SmallVector<int64_t>> pads;
  Value padsV = op->getNumOperands() > 1 ? op->getOperand(1) : Value();
  if (padsV && !isNone(padsV))
    pads = getConstantInts(padsV);
  else
    pads = getIntsAttr(op, "paddings");
  SmallVector<int64_t> axes;
  Value axesV = op->getNumOperands() > 3 ? op->getOperand(3) : Value();
  if (axesV && !isNone(axesV)) {
    auto a = getConstantInts(axesV);
    if (!a)
      return setShape(op->getResult(0), dynamicShape(r));
    axes = *a;
  } else {
    for (int64_t i = 0; i < r; ++i)
      axes.push_back(i);
  }
  SmallVector<int64_t> out(*in);
  if (!pads) {
    for (int64_t a : axes)
      if (auto n = normalizeAxis(a, r))
        out[*n] = kDyn;
    return setShape(op->getResult(0), out);
  }
  int64_t n = axes.size();
  if ((int64_t)pads->size() != 2 * n)
    return shapeError(op, "pads has ")
           << pads->size() << " values; expected " << 2 * n;
  for (int64_t i = 0; i < n; ++i) {
    auto a = normalizeAxis(axes[i], r);
    if (!a)
      return shapeError(op, "axis ") << axes[i] << " out of range";
    if (isDyn(out[*a]))
      continue;
    out[*a] += (*pads)[i] + (*pads)[i + n];
    if (out[*a] < 0)
      return shapeError(op, "padding makes dim ") << *a << " negative";
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferShapeOp(Operation *op) {
  auto r = getRank(op->getOperand(0));
  if (!r)
    return success();
  int64_t start = getIntAttr(op, "start", 0);
  int64_t end = getIntAttr(op, "end", *r);
  auto clampAxis = [&](int64_t a) {
    if (a < 0)
      a += *r;
    return std::min(std::max<int64_t>(a, 0), *r);
  };
  start = clampAxis(start);
  end = clampAxis(end);
  return setShape(op->getResult(0), {std::max<int64_t>(end - start, 0)});
}

LogicalResult inferConstantOfShape(Operation *op) {
  if (auto s = getPartialInts(op->getOperand(0))) {
    for (int64_t d : *s)
      if (!isDyn(d) && d < 0)
        return shapeError(op, "negative dim ") << d << " in shape";
    return setShape(op->getResult(0), *s);
  }
  return success();
}

LogicalResult inferRange(Operation *op) {
  auto asDouble = [](Value v) -> std::optional<double> {
    if (auto i = getConstantInts(v); i && i->size() == 1)
      return (double)(*i)[0];
    if (auto f = getConstantFloats(v); f && f->size() == 1)
      return (*f)[0];
    return std::nullopt;
  };
  auto start = asDouble(op->getOperand(0));
  auto limit = asDouble(op->getOperand(1));
  auto delta = asDouble(op->getOperand(2));
  if (!start || !limit || !delta)
    return setShape(op->getResult(0), {kDyn});
  if (*delta == 0)
    return shapeError(op, "delta is 0");
  double n = std::ceil((*limit - *start) / *delta);
  if (!(n < 1e15))
    return setShape(op->getResult(0), {kDyn});
  return setShape(op->getResult(0), {std::max<int64_t>((int64_t)n, 0)});
}

LogicalResult inferOneHot(Operation *op) {
  auto idx = getShape(op->getOperand(0));
  if (!idx)
    return success();
  int64_t r = idx->size() + 1;
  auto axis = normalizeAxis(getIntAttr(op, "axis", -1), r);
  if (!axis)
    return shapeError(op, "axis out of range for rank ") << r;
  int64_t depth = kDyn;
  if (auto d = getConstantInts(op->getOperand(1)); d && d->size() == 1)
    depth = (*d)[0];
  else if (auto f = getConstantFloats(op->getOperand(1)); f && f->size() == 1)
    depth = (int64_t)(*f)[0];
  if (!isDyn(depth) && depth < 1)
    return shapeError(op, "depth must be positive");
  SmallVector<int64_t> out(*idx);
  out.insert(out.begin() + *axis, depth);
  return setShape(op->getResult(0), out);
}

LogicalResult inferTopK(Operation *op) {
  auto in = getShape(op->getOperand(0));
  if (!in)
    return success();
  int64_t r = in->size();
  auto axis = normalizeAxis(getIntAttr(op, "axis", -1), r);
  if (!axis)
    return shapeError(op, "axis out of range for rank ") << r;
  SmallVector<int64_t> out(*in);
  out[*axis] = kDyn;
  if (auto k = getConstantInts(op->getOperand(1)); k && k->size() == 1) {
    int64_t d = (*in)[*axis];
    if ((*k)[0] < 0 || (!isDyn(d) && (*k)[0] > d))
      return shapeError(op, "k = ") << (*k)[0] << " out of range";
    out[*axis] = (*k)[0];
  }
  for (Value res : op->getResults())
    if (failed(setShape(res, out)))
      return failure();
  return success();
}

LogicalResult inferCompress(Operation *op) {
  auto in = getShape(op->getOperand(0));
  auto cond = getConstantInts(op->getOperand(1));
  auto axisAttr = op->getAttrOfType<IntegerAttr>("axis");
  auto countTrue = [&](int64_t len) -> int64_t {
    if (!cond || isDyn(len))
      return kDyn;
    int64_t c = 0;
    for (int64_t i = 0; i < std::min<int64_t>(len, cond->size()); ++i)
      c += (*cond)[i] != 0;
    return c;
  };
  if (!axisAttr) {
    int64_t n = kDyn;
    if (in)
      if (auto e = getNumElements(*in))
        n = *e;
    return setShape(op->getResult(0), {countTrue(n)});
  }
  if (!in)
    return success();
  auto axis = normalizeAxis(axisAttr.getInt(), in->size());
  if (!axis)
    return shapeError(op, "axis out of range");
  SmallVector<int64_t> out(*in);
  out[*axis] = countTrue((*in)[*axis]);
  return setShape(op->getResult(0), out);
}

LogicalResult inferEinsum(Operation *op) {
  auto eqAttr = op->getAttrOfType<StringAttr>("equation");
  if (!eqAttr)
    return success();
  std::string eq;
  for (char c : eqAttr.getValue())
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
  if (terms.size() != op->getNumOperands())
    return shapeError(op, "equation has ")
           << terms.size() << " inputs; the op has " << op->getNumOperands();
  std::map<char, int64_t> dims;
  std::map<char, int> counts;
  SmallVector<SmallVector<int64_t>> ellipsis;
  for (auto [term, v] : llvm::zip(terms, op->getOperands())) {
    auto s = getShape(v);
    if (!s)
      return success();
    size_t e = term.find("...");
    int64_t letters = term.size() - (e == StringRef::npos ? 0 : 3);
    int64_t ell = (int64_t)s->size() - letters;
    if (ell < 0 || (e == StringRef::npos && ell != 0))
      return shapeError(op, "term '")
             << term << "' does not match rank " << s->size();
    int64_t k = 0;
    for (size_t i = 0; i < term.size(); ++i) {
      if (i == e) {
        ellipsis.emplace_back(s->begin() + k, s->begin() + k + ell);
        k += ell;
        i += 2;
        continue;
      }
      char c = term[i];
      if (!llvm::isAlpha(c))
        return shapeError(op, "bad equation '") << eqAttr.getValue() << "'";
      int64_t d = (*s)[k++];
      counts[c]++;
      auto [it, fresh] = dims.try_emplace(c, d);
      if (!fresh && !isDyn(d) && d != 1) {
        if (!isDyn(it->second) && it->second != 1 && it->second != d)
          return shapeError(op, "label '") << StringRef(&c, 1) << "' has sizes "
                                           << it->second << " and " << d;
        it->second = d;
      } else if (!fresh && isDyn(d) && it->second == 1) {
        it->second = kDyn;
      }
    }
  }
  auto ellShape = broadcastShapes(ellipsis);
  if (failed(ellShape))
    return shapeError(op, "ellipsis dims do not broadcast");
  std::string outTerm;
  if (explicitOut) {
    outTerm = rhs.str();
  } else {
    if (!ellipsis.empty())
      outTerm = "...";
    for (auto [c, n] : counts)
      if (n == 1)
        outTerm.push_back(c);
  }
  SmallVector<int64_t> out;
  for (size_t i = 0; i < outTerm.size(); ++i) {
    if (StringRef(outTerm).substr(i).starts_with("...")) {
      out.append(*ellShape);
      i += 2;
      continue;
    }
    auto it = dims.find(outTerm[i]);
    if (it == dims.end())
      return shapeError(op, "output label not in the inputs");
    out.push_back(it->second);
  }
  return setShape(op->getResult(0), out);
}

LogicalResult inferUnique(Operation *op) {
  auto in = getShape(op->getOperand(0));
  auto axisAttr = op->getAttrOfType<IntegerAttr>("axis");
  if (!axisAttr) {
    if (failed(setShape(op->getResult(0), {kDyn})))
      return failure();
  } else if (in) {
    auto axis = normalizeAxis(axisAttr.getInt(), in->size());
    if (!axis)
      return shapeError(op, "axis out of range");
    SmallVector<int64_t> out(*in);
    out[*axis] = kDyn;
    if (failed(setShape(op->getResult(0), out)))
      return failure();
  }
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    if (failed(setShape(op->getResult(i), {kDyn})))
      return failure();
  return success();
}

} // namespace

std::optional<LogicalResult> inferTensorShapes(Operation *op) {
  if (isa<ReshapeOp>(op))
    return inferReshape(op);
  if (isa<FlattenOp>(op))
    return inferFlatten(op);
  if (isa<SqueezeOp>(op))
    return inferSqueeze(op);
  if (isa<UnsqueezeOp>(op))
    return inferUnsqueeze(op);
  if (isa<TransposeOp>(op))
    return inferTranspose(op);
  if (isa<ConcatOp>(op))
    return inferConcat(op);
  if (isa<SplitOp>(op))
    return inferSplit(op);
  if (isa<SliceOp>(op))
    return inferSlice(op);
  if (isa<GatherOp>(op))
    return inferGather(op);
  if (isa<GatherElementsOp>(op))
    return setSameShape(op->getResult(0), op->getOperand(1));
  if (isa<GatherNDOp>(op))
    return inferGatherND(op);
  if (isa<ExpandOp>(op))
    return inferExpand(op);
  if (isa<TileOp>(op))
    return inferTile(op);
  if (isa<PadOp>(op))
    return inferPad(op);
  if (isa<ShapeOp>(op))
    return inferShapeOp(op);
  if (isa<SizeOp>(op))
    return setShape(op->getResult(0), {});
  if (isa<ConstantOfShapeOp>(op))
    return inferConstantOfShape(op);
  if (isa<RangeOp>(op))
    return inferRange(op);
  if (isa<OneHotOp>(op))
    return inferOneHot(op);
  if (isa<TopKOp>(op))
    return inferTopK(op);
  if (isa<CompressOp>(op))
    return inferCompress(op);
  if (isa<EinsumOp>(op))
    return inferEinsum(op);
  if (isa<UniqueOp>(op))
    return inferUnique(op);
  if (isa<NonZeroOp>(op)) {
    if (auto r = getRank(op->getOperand(0)))
      return setShape(op->getResult(0), {*r, kDyn});
    return success();
  }
  if (isa<NonMaxSuppressionOp>(op))
    return setShape(op->getResult(0), {kDyn, 3});
  if (isa<HannWindowOp, HammingWindowOp, BlackmanWindowOp>(op)) {
    if (auto n = getConstantInts(op->getOperand(0)); n && n->size() == 1)
      return setShape(op->getResult(0), {(*n)[0]});
    return setShape(op->getResult(0), {kDyn});
  }
  if (auto c = dyn_cast<ConstantOp>(op)) {
    if (auto v = getConstantElements(op->getResult(0)))
      if (auto t = dyn_cast<ShapedType>(v.getType()); t && t.hasRank())
        return setShape(op->getResult(0), t.getShape());
    return success();
  }
  return std::nullopt;
}

} // namespace kiln::onnx
