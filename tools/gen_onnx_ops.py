#!/usr/bin/env python3
"""Generate the ODS definitions of the `onnx` dialect from ONNX's own schemas.

One op per operator of the default domain (ai.onnx), of the classical-ML
(ai.onnx.ml) and training (ai.onnx.preview.training) domains and of the
experimental ai.onnx.preview domain; their operator names do not clash, so
all share the `onnx.` prefix (rows in ONNXSchemaInfo.inc name the domain of
ops outside ai.onnx). Operands, results and
attributes follow the newest schema version; attributes that only older
versions had are kept as optional attributes (unless they became inputs, in
which case the importer rewrites old nodes into the new form). Operand and
result types are the union, over every version, of the types the schema
allows, so a model of any opset verifies.

Outputs (both checked in, see README "The onnx dialect"):
  dialects/onnx/ONNXGeneratedOps.td   the ops
  dialects/onnx/ONNXSchemaInfo.inc    per-op versions and type groups (C++)

Usage: gen_onnx_ops.py [--check]   (--check: fail if the files are stale)
"""

import argparse
import os
import sys

import onnx
from onnx import defs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TD_OUT = os.path.join(ROOT, "dialects", "onnx", "ONNXGeneratedOps.td")
INC_OUT = os.path.join(ROOT, "dialects", "onnx", "ONNXSchemaInfo.inc")

ELEM = {
    "float": "F32",
    "double": "F64",
    "float16": "F16",
    "bfloat16": "BF16",
    "int8": "I8",
    "int16": "I16",
    "int32": "I32",
    "int64": "I64",
    "uint8": "UI8",
    "uint16": "UI16",
    "uint32": "UI32",
    "uint64": "UI64",
    "bool": "I1",
    "int4": "I<4>",
    "uint4": "UI<4>",
    "int2": "I<2>",
    "uint2": "UI<2>",
    "float8e4m3fn": "F8E4M3FN",
    "float8e4m3fnuz": "F8E4M3FNUZ",
    "float8e5m2": "F8E5M2",
    "float8e5m2fnuz": "F8E5M2FNUZ",
    "float8e8m0": "F8E8M0FNU",
    "float4e2m1": "F4E2M1FN",
    "complex64": "Complex<F32>",
    "complex128": "Complex<F64>",
    "string": "ONNX_StringType",
}
ELEM_ORDER = list(ELEM)

# Names that would clash with accessors ODS generates for every op.
RESERVED = {"operands", "results", "attributes", "properties", "context",
            "location", "loc", "type", "name"}
NONDETERMINISTIC = {"RandomNormal", "RandomNormalLike", "RandomUniform",
                    "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout"}
CONTROL_FLOW = {"If", "Loop", "Scan"}


def ident(name):
    """A name usable as an ODS operand/attribute/result name."""
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if out[0].isdigit():
        out = "_" + out
    if out in RESERVED:
        out = out + "_"
    return out


def parse_type(ts):
    """Split an ONNX type string into (kind, element)."""
    for kind in ("seq", "optional", "sparse_tensor", "map", "tensor"):
        if ts.startswith(kind + "("):
            inner = ts[len(kind) + 1:-1]
            if kind == "tensor":
                return ("tensor", inner)
            return (kind, inner)
    raise ValueError(ts)


def allowed_types(schema, param):
    ts = param.type_str
    for tc in schema.type_constraints:
        if tc.type_param_str == ts:
            return set(tc.allowed_type_strs)
    return {ts}


def ods_type(type_strs, optional):
    elems, others = set(), []
    for ts in sorted(type_strs):
        kind, inner = parse_type(ts)
        if kind == "tensor":
            elems.add(inner)
        elif kind == "seq" and "ONNX_SeqType" not in others:
            others.append("ONNX_SeqType")
        elif kind == "optional" and "ONNX_OptType" not in others:
            others.append("ONNX_OptType")
        elif kind in ("map", "sparse_tensor") and "AnyType" not in others:
            others.append("AnyType")
    parts = []
    if elems:
        ordered = [ELEM[e] for e in ELEM_ORDER if e in elems]
        parts.append("TensorOf<[" + ", ".join(ordered) + "]>")
    parts += others
    if optional:
        parts.append("NoneType")
    if len(parts) == 1:
        return parts[0]
    return "AnyTypeOf<[" + ", ".join(parts) + "]>"


def attr_default(attr):
    dv = attr.default_value
    if dv is None or dv.type == 0:
        return None
    t = attr.type
    A = defs.OpSchema.AttrType
    if t == A.INT:
        return str(dv.i)
    if t == A.FLOAT:
        v = repr(float(dv.f))
        if v in ("inf", "-inf", "nan"):
            return None
        return v
    if t == A.STRING:
        return dv.s.decode()
    if t == A.INTS:
        return "{" + ", ".join(str(i) for i in dv.ints) + "}"
    if t == A.FLOATS:
        return "{" + ", ".join(repr(float(f)) + "f" for f in dv.floats) + "}"
    return None


def ods_attr(attr, optional_only):
    A = defs.OpSchema.AttrType
    base = {
        A.INT: "I64Attr",
        A.FLOAT: "F32Attr",
        A.STRING: "StrAttr",
        A.INTS: "DenseI64ArrayAttr",
        A.FLOATS: "DenseF32ArrayAttr",
        A.STRINGS: "StrArrayAttr",
        A.TENSOR: "ElementsAttr",
        A.SPARSE_TENSOR: "ElementsAttr",
        A.TYPE_PROTO: "TypeAttr",
        A.TENSORS: "ArrayAttr",
        A.TYPE_PROTOS: "ArrayAttr",
    }.get(attr.type)
    if base is None:
        return None
    default = None if optional_only else attr_default(attr)
    if default is not None:
        if attr.type == A.STRING:
            return 'DefaultValuedStrAttr<StrAttr, "%s">' % default
        return 'DefaultValuedAttr<%s, "%s">' % (base, default)
    if attr.required and not optional_only:
        return base
    return "OptionalAttr<%s>" % base


# Domains besides the default one whose operators the dialect has.
DOMAINS = ("", "ai.onnx.ml", "ai.onnx.preview", "ai.onnx.preview.training")


def collect():
    by_name = {}
    for s in defs.get_all_schemas_with_history():
        if s.domain not in DOMAINS:
            continue
        other = by_name.get(s.name)
        if other and other[0].domain != s.domain:
            raise SystemExit("operator %s exists in domains '%s' and '%s'"
                             % (s.name, other[0].domain, s.domain))
        by_name.setdefault(s.name, []).append(s)
    for name, v in by_name.items():
        if len({s.domain for s in v}) != 1:
            raise SystemExit("op %s is in several domains" % name)
    for v in by_name.values():
        v.sort(key=lambda s: s.since_version)
    return dict(sorted(by_name.items()))


def gen_op(name, versions):
    newest = versions[-1]
    A = defs.OpSchema.AttrType
    P = defs.OpSchema.FormalParameterOption
    lines = []
    traits = []
    if name in CONTROL_FLOW:
        traits.append("RecursiveMemoryEffects")
    elif name not in NONDETERMINISTIC:
        traits.append("Pure")

    # Operands: newest form; element types unioned over versions by name.
    operands, groups = [], {}
    input_names = {i.name for i in newest.inputs}
    for idx, inp in enumerate(newest.inputs):
        types = set()
        for s in versions:
            for j, p in enumerate(s.inputs):
                if p.name == inp.name or (j == idx and p.name not in input_names):
                    types |= allowed_types(s, p)
        optional = inp.option == P.Optional
        t = ods_type(types, optional)
        if inp.option == P.Variadic:
            t = "Variadic<%s>" % t
        operands.append("%s:$%s" % (t, ident(inp.name)))
        if inp.type_str in {tc.type_param_str for tc in newest.type_constraints} \
                and inp.is_homogeneous:
            groups.setdefault(inp.type_str, []).append(idx)

    results, result_rows = [], []
    constraint_input = {}
    for idx, inp in enumerate(newest.inputs):
        constraint_input.setdefault(inp.type_str, idx)
    output_names = {o.name for o in newest.outputs}
    for idx, out in enumerate(newest.outputs):
        types = set()
        for s in versions:
            for j, p in enumerate(s.outputs):
                if p.name == out.name or (j == idx and p.name not in output_names):
                    types |= allowed_types(s, p)
        optional = out.option == P.Optional
        t = ods_type(types, optional)
        if out.option == P.Variadic:
            t = "Variadic<%s>" % t
        rname = ident(out.name)
        if rname in {ident(i.name) for i in newest.inputs}:
            rname = rname + "_out"
        results.append("%s:$%s" % (t, rname))
        fixed = ""
        tensor_types = [parse_type(x) for x in types]
        if len(types) == 1 and tensor_types[0][0] == "tensor":
            fixed = tensor_types[0][1]
        result_rows.append((idx, constraint_input.get(out.type_str, -1), fixed,
                            str(out.option).split(".")[-1]))
        if out.type_str in {tc.type_param_str for tc in newest.type_constraints} \
                and out.is_homogeneous:
            groups.setdefault(out.type_str, []).append(-(idx + 1))

    # Attributes: newest first, then ones only older versions had.
    attrs, regions, seen, optional_graphs = [], [], set(), []
    attr_rows = []
    # ODS getters are camel-cased: "K" and "k" would both give getK().
    taken = {ident(i.name).lower() for i in newest.inputs} | {
        r.split(":$")[1].lower() for r in results}
    for s in reversed(versions):
        old = s is not newest
        for an, a in sorted(s.attributes.items()):
            if an in seen:
                continue
            seen.add(an)
            if ident(an).lower() in taken:
                continue  # became an input: the importer rewrites old nodes
            kind = str(a.type).split(".")[-1]
            if a.type == A.GRAPH:
                if not old:
                    # An optional graph attribute may leave its region empty.
                    rt = "SizedRegion<1>" if a.required else "MaxSizedRegion<1>"
                    regions.append("%s:$%s" % (rt, ident(an)))
                    attr_rows.append((an, ident(an), kind))
                    if not a.required:
                        optional_graphs.append(an)
                continue
            if a.type == A.GRAPHS or a.type == A.SPARSE_TENSORS:
                continue
            oa = ods_attr(a, old)
            if oa is not None:
                attrs.append("%s:$%s" % (oa, ident(an)))
                attr_rows.append((an, ident(an), kind))

    vers = ", ".join(str(s.since_version) for s in versions)
    traits_s = ", ".join(traits)
    lines.append('def ONNX_%sOp : ONNX_Op<"%s", [%s]> {' % (name, name, traits_s))
    dom = " (domain %s)" % newest.domain if newest.domain else ""
    lines.append('  let summary = "ONNX %s (versions %s)%s";' % (name, vers, dom))
    args = operands + attrs
    lines.append("  let arguments = (ins%s);" % (
        "" if not args else "\n    " + ",\n    ".join(args)))
    lines.append("  let results = (outs%s);" % (
        "" if not results else "\n    " + ",\n    ".join(results)))
    if regions:
        lines.append("  let regions = (region %s);" % ", ".join(regions))
    lines.append("}")
    lines.append("")
    group_list = [g for g in groups.values() if len(g) > 1]
    return ("\n".join(lines), vers, group_list, attr_rows, result_rows,
            optional_graphs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    ops = collect()
    td = [
        "// GENERATED by tools/gen_onnx_ops.py from onnx %s; do not edit." % onnx.__version__,
        "// Regenerate: .venv/bin/python tools/gen_onnx_ops.py",
        "",
        "#ifndef KILN_ONNX_GENERATED_OPS",
        "#define KILN_ONNX_GENERATED_OPS",
        "",
    ]
    inc = [
        "// GENERATED by tools/gen_onnx_ops.py from onnx %s; do not edit." % onnx.__version__,
        "// KILN_ONNX_OP(NAME, \"since versions\", type groups...): operand i as i,",
        "// result k as -(k+1); each group ends with kGroupEnd, the list with kListEnd.",
        "// KILN_ONNX_ATTR(OP, \"onnx name\", \"mlir name\", KIND)",
        "// KILN_ONNX_RESULT(OP, result, input with the same type constraint or -1,",
        "//                  \"the one element type allowed\" or \"\", Single|Optional|Variadic)",
        "// KILN_ONNX_INPUT(OP, input, Single|Optional|Variadic)",
        "// KILN_ONNX_DOMAIN(OP, \"domain\") for ops outside ai.onnx",
        "// KILN_ONNX_OPTIONAL_GRAPH(OP, \"onnx name\"): a graph attribute the node",
        "//                  may leave out (its region is then empty)",
        "#ifndef KILN_ONNX_ATTR",
        "#define KILN_ONNX_ATTR(OP, NAME, MLIR_NAME, KIND)",
        "#endif",
        "#ifndef KILN_ONNX_RESULT",
        "#define KILN_ONNX_RESULT(OP, INDEX, SOURCE, FIXED, OPTION)",
        "#endif",
        "#ifndef KILN_ONNX_DOMAIN",
        "#define KILN_ONNX_DOMAIN(OP, DOMAIN)",
        "#endif",
        "#ifndef KILN_ONNX_OPTIONAL_GRAPH",
        "#define KILN_ONNX_OPTIONAL_GRAPH(OP, NAME)",
        "#endif",
        "#ifndef KILN_ONNX_INPUT",
        "#define KILN_ONNX_INPUT(OP, INDEX, OPTION)",
        "#endif",
        "KILN_ONNX_MAX_OPSET(%d)" % defs.onnx_opset_version(),
        "KILN_ONNX_MAX_IR_VERSION(%d)" % onnx.IR_VERSION,
    ]
    for name, versions in ops.items():
        text, vers, groups, attr_rows, result_rows, optional_graphs = gen_op(
            name, versions)
        td.append(text)
        flat = []
        for g in groups:
            flat += [str(x) for x in g] + ["kGroupEnd"]
        inc.append('KILN_ONNX_OP(%s, "%s", %s)' % (name, vers, ", ".join(flat + ["kListEnd"])))
        if versions[-1].domain:
            inc.append('KILN_ONNX_DOMAIN(%s, "%s")' % (name, versions[-1].domain))
        for an, mn, kind in attr_rows:
            inc.append('KILN_ONNX_ATTR(%s, "%s", "%s", %s)' % (name, an, mn, kind))
        for an in optional_graphs:
            inc.append('KILN_ONNX_OPTIONAL_GRAPH(%s, "%s")' % (name, an))
        for idx, inp in enumerate(versions[-1].inputs):
            inc.append('KILN_ONNX_INPUT(%s, %d, %s)' % (
                name, idx, str(inp.option).split(".")[-1]))
        for idx, src, fixed, option in result_rows:
            inc.append('KILN_ONNX_RESULT(%s, %d, %d, "%s", %s)' % (
                name, idx, src, fixed, option))
    td.append("#endif // KILN_ONNX_GENERATED_OPS")
    inc.append("#undef KILN_ONNX_OP")
    inc.append("#undef KILN_ONNX_ATTR")
    inc.append("#undef KILN_ONNX_RESULT")
    inc.append("#undef KILN_ONNX_INPUT")
    inc.append("#undef KILN_ONNX_DOMAIN")
    inc.append("#undef KILN_ONNX_OPTIONAL_GRAPH")
    inc.append("#undef KILN_ONNX_MAX_OPSET")
    inc.append("#undef KILN_ONNX_MAX_IR_VERSION")
    outs = {TD_OUT: "\n".join(td) + "\n", INC_OUT: "\n".join(inc) + "\n"}
    stale = []
    for path, text in outs.items():
        cur = open(path).read() if os.path.exists(path) else None
        if cur != text:
            stale.append(path)
            if not args.check:
                with open(path, "w") as f:
                    f.write(text)
    if args.check and stale:
        print("stale generated files (run tools/gen_onnx_ops.py):", *stale)
        return 1
    print("%d ops; %s" % (len(ops), "up to date" if not stale else "written"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
