"""Writes Erf/Exp/Tanh models over 2^20 points of their useful ranges, the
inputs, and float64 references (math.erf, numpy) as .npy files in DIR."""

import math
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

N = 1 << 20
RANGES = {"Erf": (-6.0, 6.0), "Exp": (-87.0, 88.0), "Tanh": (-12.0, 12.0)}
REFERENCE = {"Erf": np.vectorize(math.erf), "Exp": np.exp, "Tanh": np.tanh}


def main(out: str) -> None:
    for op, (lo, hi) in RANGES.items():
        graph = helper.make_graph(
            [helper.make_node(op, ["x"], ["y"])], op.lower(),
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [N])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [N])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                  ir_version=8)
        onnx.save(model, f"{out}/{op.lower()}.onnx")
        x = np.linspace(lo, hi, N).astype(np.float32)
        np.save(f"{out}/{op.lower()}_x.npy", x)
        np.save(f"{out}/{op.lower()}_y.npy",
                REFERENCE[op](x.astype(np.float64)).astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1])
