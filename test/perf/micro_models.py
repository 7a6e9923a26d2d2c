"""Single-op micro-models for the benchmark: one GEMM and three convolutions.

Each is written once into CACHE/<name>/model.onnx with a seeded random input
in CACHE/<name>/test_data_set_0/input_0.pb (the layout of the model zoo), fp32,
weights as initializers, IR version 8 / opset 17 so that any onnxruntime 1.x
loads it. CACHE/<name>/.stamp records this file's hash and the onnx version; a
model whose stamp matches is not rebuilt.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8
OPSET = 17
SEED = 0


@dataclass(frozen=True)
class Conv:
    """A Conv with a bias on one NCHW image; stride 1, 'same' padding."""
    channels_in: int
    channels_out: int
    size: int          # height = width
    kernel: int
    group: int = 1

    def flops(self) -> int:
        macs = (self.channels_out * self.size * self.size
                * (self.channels_in // self.group) * self.kernel * self.kernel)
        return 2 * macs


@dataclass(frozen=True)
class Gemm:
    """A [m, k] input times a constant [k, n] matrix (MatMul)."""
    m: int
    k: int
    n: int

    def flops(self) -> int:
        return 2 * self.m * self.k * self.n


MICRO_MODELS: dict[str, Conv | Gemm] = {
    "gemm_512x1024x1024": Gemm(512, 1024, 1024),
    "conv3x3": Conv(64, 64, 56, 3),
    "conv1x1": Conv(256, 64, 56, 1),
    "depthwise3x3": Conv(144, 144, 56, 3, group=144),
}


def micro_flops(name: str) -> int | None:
    """FLOPs of one run of a micro-model (None for other models)."""
    spec = MICRO_MODELS.get(name)
    return spec.flops() if spec else None


def build_micro_models(cache: str, names: list[str]) -> dict[str, str]:
    """Writes the named micro-models (if not cached); returns name -> model directory."""
    stamp = source_stamp()
    dirs = {}
    for name in names:
        model_dir = os.path.join(cache, name)
        if read_stamp(model_dir) != stamp:
            write_model(model_dir, name, MICRO_MODELS[name])
            with open(os.path.join(model_dir, ".stamp"), "w") as f:
                f.write(stamp)
        dirs[name] = model_dir
    return dirs


def write_model(model_dir: str, name: str, spec: Conv | Gemm) -> None:
    rng = np.random.default_rng(SEED)
    graph, x = gemm_graph(spec, rng) if isinstance(spec, Gemm) else conv_graph(spec, rng)
    graph.name = name
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="kiln test/perf/micro_models.py")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    data_dir = os.path.join(model_dir, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    onnx.save(model, os.path.join(model_dir, "model.onnx"))
    onnx.save_tensor(numpy_helper.from_array(x, "x"), os.path.join(data_dir, "input_0.pb"))


def gemm_graph(spec: Gemm, rng: np.random.Generator) -> tuple[onnx.GraphProto, np.ndarray]:
    b = random_array(rng, (spec.k, spec.n), fan_in=spec.k)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "b"], ["y"], name="/MatMul")], "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [spec.m, spec.k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [spec.m, spec.n])],
        [numpy_helper.from_array(b, "b")])
    return graph, random_array(rng, (spec.m, spec.k))


def conv_graph(spec: Conv, rng: np.random.Generator) -> tuple[onnx.GraphProto, np.ndarray]:
    per_group = spec.channels_in // spec.group
    w = random_array(rng, (spec.channels_out, per_group, spec.kernel, spec.kernel),
                     fan_in=per_group * spec.kernel * spec.kernel)
    bias = random_array(rng, (spec.channels_out,))
    pad = spec.kernel // 2
    node = helper.make_node("Conv", ["x", "w", "bias"], ["y"], name="/Conv",
                            kernel_shape=[spec.kernel, spec.kernel], pads=[pad] * 4,
                            strides=[1, 1], dilations=[1, 1], group=spec.group)
    graph = helper.make_graph(
        [node], "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       [1, spec.channels_in, spec.size, spec.size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       [1, spec.channels_out, spec.size, spec.size])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "bias")])
    return graph, random_array(rng, (1, spec.channels_in, spec.size, spec.size))


def random_array(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int = 1) -> np.ndarray:
    """Uniform in [-1, 1] / sqrt(fan_in): outputs stay O(1) whatever the reduction size."""
    return (rng.uniform(-1.0, 1.0, shape) / np.sqrt(fan_in)).astype(np.float32)


def source_stamp() -> str:
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    return f"{digest} onnx {onnx.__version__}\n"


def read_stamp(model_dir: str) -> str | None:
    try:
        with open(os.path.join(model_dir, ".stamp")) as f:
            return f.read()
    except OSError:
        return None
