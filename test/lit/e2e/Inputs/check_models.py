"""Models whose compiled shapes depend on run-time values (run-time-checks.test).

Writes topk.onnx (K is a graph input; the result is declared [3, 2]),
nonzero.onnx (result declared [2, 3]), and the inputs for a run that matches
the compiled shapes and for one that does not.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def save(name, nodes, inputs, outputs):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))


F, I = TensorProto.FLOAT, TensorProto.INT64
save("topk", [helper.make_node("TopK", ["x", "k"], ["v", "i"], name="top")],
     [helper.make_tensor_value_info("x", F, [3, 5]),
      helper.make_tensor_value_info("k", I, [1])],
     [helper.make_tensor_value_info("v", F, [3, 2]),
      helper.make_tensor_value_info("i", I, [3, 2])])
save("nonzero", [helper.make_node("NonZero", ["x"], ["y"], name="nz")],
     [helper.make_tensor_value_info("x", F, [2, 2])],
     [helper.make_tensor_value_info("y", I, [2, 3])])

rng = np.random.default_rng(3)
np.save(os.path.join(out, "x35.npy"), rng.random((3, 5), dtype=np.float32))
np.save(os.path.join(out, "k2.npy"), np.array([2], dtype=np.int64))
np.save(os.path.join(out, "k3.npy"), np.array([3], dtype=np.int64))
three = np.array([[1.5, 0.0], [np.nan, -2.0]], dtype=np.float32)
np.save(os.path.join(out, "three.npy"), three)
np.save(os.path.join(out, "three_expected.npy"), np.stack(np.nonzero(three)))
np.save(os.path.join(out, "four.npy"), np.ones((2, 2), dtype=np.float32))
