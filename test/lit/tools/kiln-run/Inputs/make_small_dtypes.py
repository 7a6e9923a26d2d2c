"""Writes models and tensors with the packed/narrow interface dtypes into DIR.

  int4.onnx     x: int4[5], f: float[3] -> y = Cast(x, float), z = Cast(f, int4)
  float8.onnx   x: float[8] -> y = Cast(x, float8e4m3fn), w = Cast(y, float),
                               v = Cast(x, float8e5m2, saturate=0)
  uint2.onnx    x: uint2[6] -> y = Cast(x, uint8)
  bf16.onnx     x: float[6] -> y = Cast(x, bfloat16)
  sweep_<T>.onnx  b: T[all bit patterns], x: float[sweep] -> f = Cast(b, float),
                s = Cast(x, T), n = Cast(x, T, saturate=0) for each float8 and
                float4 type T (its TensorProto code)
Each model's inputs and outputs (from ONNX's reference evaluator) go into
DIR/<model>/input_<i>.pb and output_<i>.pb; int4 tensors in raw_data (packed)
except z, written with int32_data (one packed byte per value); float8 y with
int32_data (one value per element). Also .npy files for the --input/.npy
paths: DIR/int4_x.npy (int8 values), DIR/int4_x_ml.npy (ml_dtypes int4).
"""
import os
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

d = sys.argv[1]
os.makedirs(d, exist_ok=True)


def model(name, inputs, outputs, nodes):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    m.ir_version = 11
    onnx.save(m, os.path.join(d, name + ".onnx"))
    return m


def tensor(name, dtype, value, raw=True):
    value = np.asarray(value)
    if raw:
        return helper.make_tensor(name, dtype, value.shape, value, raw=True)
    return helper.make_tensor(name, dtype, value.shape, value.flatten().tolist()
                              if dtype not in (TensorProto.INT4, TensorProto.UINT4,
                                               TensorProto.INT2, TensorProto.UINT2)
                              else value.flatten())


def save(case, kind, i, t):
    os.makedirs(os.path.join(d, case), exist_ok=True)
    with open(os.path.join(d, case, f"{kind}_{i}.pb"), "wb") as f:
        f.write(t.SerializeToString())


def run(case, m, feeds, dtypes_in, dtypes_out, raw_out=None):
    outs = ReferenceEvaluator(m).run(None, feeds)
    for i, (n, v) in enumerate(feeds.items()):
        save(case, "input", i, tensor(n, dtypes_in[i], v))
    for i, v in enumerate(outs):
        raw = True if raw_out is None else raw_out[i]
        save(case, "output", i,
             tensor(m.graph.output[i].name, dtypes_out[i], v, raw))
    return outs


I4, U2, F, F8, E5, BF = (TensorProto.INT4, TensorProto.UINT2, TensorProto.FLOAT,
                         TensorProto.FLOAT8E4M3FN, TensorProto.FLOAT8E5M2,
                         TensorProto.BFLOAT16)

m = model("int4", [("x", I4, [5]), ("f", F, [3])],
          [("y", F, [5]), ("z", I4, [3])],
          [helper.make_node("Cast", ["x"], ["y"], to=F),
           helper.make_node("Cast", ["f"], ["z"], to=I4)])
x = np.array([-8, -1, 0, 3, 7], dtype=ml_dtypes.int4)
run("int4", m, {"x": x, "f": np.array([1, -2, 5], np.float32)}, [I4, F],
    [F, I4], raw_out=[True, False])
np.save(os.path.join(d, "int4_x.npy"), x.astype(np.int8))
np.save(os.path.join(d, "int4_x_ml.npy"), x)

m = model("float8", [("x", F, [8])],
          [("y", F8, [8]), ("w", F, [8]), ("v", E5, [8])],
          [helper.make_node("Cast", ["x"], ["y"], to=F8),
           helper.make_node("Cast", ["y"], ["w"], to=F),
           helper.make_node("Cast", ["x"], ["v"], to=E5, saturate=0)])
run("float8", m, {"x": np.array([0.1, -3.3, 500, np.nan, 1e-3, np.inf, -0.0,
                                 0.01171875], np.float32)},
    [F], [F8, F, E5], raw_out=[False, True, True])

m = model("uint2", [("x", U2, [6])], [("y", TensorProto.UINT8, [6])],
          [helper.make_node("Cast", ["x"], ["y"], to=TensorProto.UINT8)])
run("uint2", m, {"x": np.array([0, 1, 2, 3, 2, 1], dtype=ml_dtypes.uint2)},
    [U2], [TensorProto.UINT8])

m = model("bf16", [("x", F, [6])], [("y", BF, [6])],
          [helper.make_node("Cast", ["x"], ["y"], to=BF)])
run("bf16", m, {"x": np.array([1.00390625, 1.01171875, -3.4e38, np.nan,
                               1e-40, 3.3895314e38], np.float32)}, [F], [BF])

# Every bit pattern of each float8/float4 type to float, and a sweep of float
# values (edges, ties, subnormals, out of range, NaN/inf) to each type,
# saturating and not.
SMALL = [(TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn, 256),
         (TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz, 256),
         (TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2, 256),
         (TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz, 256),
         (TensorProto.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu, 256),
         (TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn, 16)]
rng = np.random.default_rng(0)
sweep = np.concatenate([
    np.array([0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.4e38], np.float32),
    np.ldexp(np.float32(1), np.arange(-150, 128)).astype(np.float32),
    (np.arange(-600, 600) / 16).astype(np.float32),
    (rng.standard_normal(2000) * np.exp2(rng.integers(-20, 20, 2000))).astype(np.float32)])
sweep = np.concatenate([sweep, np.nextafter(sweep, np.float32(np.inf)),
                        np.nextafter(sweep, np.float32(-np.inf))]).astype(np.float32)
for code, np_t, count in SMALL:
    name = "sweep_%d" % code
    patterns = np.arange(count, dtype=np.uint8).view(np_t)
    nodes = [helper.make_node("Cast", ["b"], ["f"], to=F),
             helper.make_node("Cast", ["x"], ["s"], to=code)]
    outputs = [("f", F, [count]), ("s", code, [sweep.size])]
    if code != TensorProto.FLOAT4E2M1:  # float4 always saturates
        nodes.append(helper.make_node("Cast", ["x"], ["n"], to=code, saturate=0))
        outputs.append(("n", code, [sweep.size]))
    m = model(name, [("b", code, [count]), ("x", F, [sweep.size])], outputs,
              nodes)
    run(name, m, {"b": patterns, "x": sweep}, [code, F], [o[1] for o in outputs])
