#!/usr/bin/env python3
"""Builds the keyword-spotting model of the Cortex-M example: a DS-CNN in the
style of "Hello Edge" (Zhang et al. 2017), seeded random weights.

    mfcc [1, 1, 49, 10]  (49 frames x 10 MFCC coefficients)
    Conv 64 x (10x4) stride 2 + Relu
    4 x (depthwise Conv 3x3 + Relu, pointwise Conv 1x1 64 + Relu)
    GlobalAveragePool, Flatten, Gemm -> 12 keywords, Softmax -> probs [1, 12]

About 22k parameters (89 KB of fp32 weights), 2.5 M multiply-adds per run.

    make_kws.py OUT.onnx [--input OUT.bin]   (--input: a seeded mfcc input)
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(seed=0):
    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def weight(name, shape, fan_in):
        arr = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def bias(name, n):
        inits.append(numpy_helper.from_array(rng.uniform(-0.1, 0.1, n).astype(np.float32), name))
        return name

    def conv(x, name, cin, cout, k, stride=(1, 1), pads=(0, 0, 0, 0), group=1):
        w = weight(name + ".w", (cout, cin // group) + k, cin // group * k[0] * k[1])
        b = bias(name + ".b", cout)
        nodes.append(helper.make_node("Conv", [x, w, b], [name], name=name, kernel_shape=list(k),
                                      strides=list(stride), pads=list(pads), group=group))
        nodes.append(helper.make_node("Relu", [name], [name + ".relu"], name=name + "/relu"))
        return name + ".relu"

    x = conv("mfcc", "conv1", 1, 64, (10, 4), stride=(2, 2), pads=(4, 1, 4, 1))
    for i in range(4):
        x = conv(x, f"ds{i}.dw", 64, 64, (3, 3), pads=(1, 1, 1, 1), group=64)
        x = conv(x, f"ds{i}.pw", 64, 64, (1, 1))
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="pool"))
    nodes.append(helper.make_node("Flatten", ["pool"], ["flat"], name="flatten"))
    fc_w = weight("fc.w", (12, 64), 64)
    fc_b = bias("fc.b", 12)
    nodes.append(helper.make_node("Gemm", ["flat", fc_w, fc_b], ["logits"], name="fc", transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1))
    graph = helper.make_graph(
        nodes, "kws_dscnn",
        [helper.make_tensor_value_info("mfcc", TensorProto.FLOAT, [1, 1, 49, 10])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 12])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="kiln-example")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--input", help="also write a seeded mfcc input (raw float32)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    onnx.save(build(args.seed), args.output)
    if args.input:
        rng = np.random.default_rng(args.seed + 1)
        rng.standard_normal((1, 1, 49, 10), dtype=np.float32).tofile(args.input)


if __name__ == "__main__":
    main()
