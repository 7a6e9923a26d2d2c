"""Graph construction helpers shared by the model builders (build_models.py, zoo.py).

Builds graphs the way torch.onnx.export (TorchScript exporter, opset 17, eval
mode, constant folding) writes them: node and initializer names follow the
exporter's conventions, weights are seeded random numbers stored as raw_data.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # what torch 2.x writes for opset 17


class GraphBuilder:
    """Collects nodes and initializers, naming them the way torch's exporter does."""

    def __init__(self, seed: int, first_onnx_id: int = 100):
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[TensorProto] = []
        self.rng = np.random.default_rng(seed)
        self._used_names: dict[str, int] = {}
        self._onnx_id = first_onnx_id

    # -- naming -------------------------------------------------------------
    def _node_name(self, scope: str, op_type: str) -> str:
        base = f"{scope}/{op_type}"
        n = self._used_names.get(base, 0)
        self._used_names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def onnx_name(self, consumer: str) -> str:
        """Name of a folded constant, e.g. onnx::Conv_497."""
        self._onnx_id += 1
        return f"onnx::{consumer}_{self._onnx_id}"

    # -- graph construction -------------------------------------------------
    def initializer(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], scope: str = "", num_outputs: int = 1, **attrs) -> str | list[str]:
        name = self._node_name(scope, op_type)
        outputs = [f"{name}_output_{i}" for i in range(num_outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=name, **attrs))
        return outputs[0] if num_outputs == 1 else outputs

    def constant(self, value, scope: str = "", dtype=np.float32) -> str:
        """A Constant node, as the exporter emits for scalars and small index lists."""
        arr = np.array(value, dtype=dtype)
        return self.op("Constant", [], scope, value=numpy_helper.from_array(arr, ""))

    # -- weights ------------------------------------------------------------
    def randn(self, shape, std: float) -> np.ndarray:
        return (self.rng.standard_normal(shape, dtype=np.float32) * np.float32(std)).astype(np.float32)

    def uniform(self, shape, lo: float, hi: float) -> np.ndarray:
        return self.rng.uniform(lo, hi, shape).astype(np.float32)


def make_model(gb: GraphBuilder, name: str, inputs, outputs, doc: str) -> onnx.ModelProto:
    graph = helper.make_graph(gb.nodes, name, inputs, outputs, initializer=gb.initializers)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_operatorsetid("", OPSET)],
        producer_name="pytorch",
        producer_version="2.5.0",
        doc_string=f"Replica of torch.onnx.export output ({doc}) built by test/models/build_models.py; random weights.",
    )
    model.ir_version = IR_VERSION
    return model


# ---------------------------------------------------------------------------
# Conv + BatchNorm (folded) helper shared by the CNNs
# ---------------------------------------------------------------------------

def conv_bn(gb: GraphBuilder, x: str, scope: str, cin: int, cout: int, k: int, stride: int = 1,
            group: int = 1, gamma: tuple[float, float] = (0.5, 1.0)) -> str:
    """Conv (no bias) + BatchNorm2d in eval mode, folded into Conv weight and bias."""
    fan_in = (cin // group) * k * k
    w = gb.randn((cout, cin // group, k, k), math.sqrt(2.0 / fan_in))
    bn_gamma = gb.uniform((cout,), *gamma)
    bn_beta = gb.uniform((cout,), -0.1, 0.1)
    bn_mean = gb.uniform((cout,), -0.1, 0.1)
    bn_var = gb.uniform((cout,), 0.5, 1.5)
    scale = bn_gamma / np.sqrt(bn_var + np.float32(1e-5))
    w_folded = (w * scale[:, None, None, None]).astype(np.float32)
    b_folded = (bn_beta - bn_mean * scale).astype(np.float32)
    wname = gb.initializer(gb.onnx_name("Conv"), w_folded)
    bname = gb.initializer(gb.onnx_name("Conv"), b_folded)
    pad = (k - 1) // 2
    return gb.op("Conv", [x, wname, bname], scope, dilations=[1, 1], group=group,
                 kernel_shape=[k, k], pads=[pad, pad, pad, pad], strides=[stride, stride])


def classifier(gb: GraphBuilder, x: str, scope: str, cin: int, cout: int, prefix: str) -> str:
    """nn.Linear on a 2-D input: Gemm(transB=1) with the parameters under their module names."""
    bound = 1.0 / math.sqrt(cin)
    w = gb.initializer(f"{prefix}.weight", gb.uniform((cout, cin), -bound, bound))
    b = gb.initializer(f"{prefix}.bias", gb.uniform((cout,), -bound, bound))
    return gb.op("Gemm", [x, w, b], scope, alpha=1.0, beta=1.0, transB=1)


# ---------------------------------------------------------------------------
# Shape arithmetic as the tracer records it
# ---------------------------------------------------------------------------

def dim_of(gb: GraphBuilder, x: str, axis: int, scope: str) -> str:
    """x.size(axis) as the tracer records it: Shape -> Gather(scalar index)."""
    shape = gb.op("Shape", [x], scope)
    return gb.op("Gather", [shape, gb.constant(axis, scope, np.int64)], scope, axis=0)


def unsqueeze0(gb: GraphBuilder, x: str, scope: str) -> str:
    return gb.op("Unsqueeze", [x, gb.constant([0], scope, np.int64)], scope)


# ---------------------------------------------------------------------------
# Transformer pieces
# ---------------------------------------------------------------------------

def linear3d(gb: GraphBuilder, x: str, scope: str, prefix: str, cin: int, cout: int) -> str:
    """nn.Linear on a 3-D input: MatMul with the folded transposed weight, then Add(bias, .)."""
    w = gb.randn((cout, cin), 0.02)
    wt = gb.initializer(gb.onnx_name("MatMul"), np.ascontiguousarray(w.T))
    b = gb.initializer(f"{prefix}.bias", gb.randn((cout,), 0.02))
    y = gb.op("MatMul", [x, wt], scope)
    return gb.op("Add", [b, y], scope)


def layer_norm_of(gb: GraphBuilder, x: str, scope: str, prefix: str, dim: int, eps: float) -> str:
    """nn.LayerNorm over the last dim: LayerNormalization(axis=-1)."""
    w = gb.initializer(f"{prefix}.weight", (1.0 + gb.randn((dim,), 0.05)).astype(np.float32))
    b = gb.initializer(f"{prefix}.bias", gb.randn((dim,), 0.02))
    return gb.op("LayerNormalization", [x, w, b], scope, axis=-1, epsilon=eps)


def split_heads(gb: GraphBuilder, x: str, scope: str, heads: str, head_dim: str) -> str:
    """view(size()[:-1] + (heads, head_dim)).permute(0, 2, 1, 3), with Shape-built dims."""
    b = unsqueeze0(gb, dim_of(gb, x, 0, scope), scope)
    s = unsqueeze0(gb, dim_of(gb, x, 1, scope), scope)
    shape = gb.op("Concat", [b, s, heads, head_dim], scope, axis=0)
    y = gb.op("Reshape", [x, shape], scope, allowzero=0)
    return gb.op("Transpose", [y], scope, perm=[0, 2, 1, 3])
