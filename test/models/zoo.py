"""More architectures for the model checks, built like build_models.py's (random weights).

Replicas of what torch.onnx.export (TorchScript exporter, opset 17, eval mode,
constant folding) writes for

  efficientnet-b0  torchvision EfficientNet-B0: Conv+BN folded, SiLU as
                   Sigmoid+Mul, MBConv blocks (1x1 expand, depthwise 3x3/5x5,
                   squeeze-and-excitation with GlobalAveragePool, 1x1 project),
                   residual Adds, GlobalAveragePool, Flatten, Gemm.
  vit-tiny         a ViT-Tiny/16 (torchvision VisionTransformer layout, dim 192,
                   12 layers, 3 heads, MLP 768): patch Conv 16x16/16, Reshape +
                   Transpose to tokens, class token (Expand + Concat), position
                   embedding, pre-norm blocks (LayerNormalization, attention with
                   Shape-built Reshapes, Softmax, Erf GELU), head Gemm on token 0.
                   The batch dim is dynamic ('batch'): compiled with --input-shape.
  gpt2             GPT-2 small (transformers GPT2LMHeadModel, eager attention, no
                   KV cache): token + position (Range) embeddings, 12 blocks of
                   LayerNorm, fused QKV Conv1D (MatMul + Add, Split), causal mask
                   (Slice of a triangular buffer, Where with finfo.min), Softmax,
                   tanh-GELU (Pow/Tanh), final LayerNorm and the tied LM head.
  yolo-head        a YOLOv5-style detector: SiLU conv backbone, nearest
                   Resize x2 + Concat neck, two detection heads (Reshape,
                   Transpose, Sigmoid, Split into xy/wh/conf, grid and anchor
                   decode), Concat of all boxes.
  unet             a small UNet (3 levels): double Conv+BN+ReLU, MaxPool down,
                   ConvTranspose up, skip Concats, 1x1 Conv to 2 classes.
  loop-if          a scripted refinement loop: Loop (constant trip count, carried
                   state, scan output) and an If on a run-time condition.
  deep-convs       a deep stage on a small image (few pixels, many channels, as
                   ResNet's last stage): 3x3 without a bias, 3x3 stride 2,
                   dilated 3x3, 1x1 stride 1 and 2, a residual Add; 8x8 -> 4x4
                   and 7x7 maps (49 pixels: a row tile of 1 left over).
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import TensorProto, helper

from graph_builder import (GraphBuilder, classifier, conv_bn, dim_of, layer_norm_of, linear3d,
                           make_model, split_heads, unsqueeze0)


def silu(gb: GraphBuilder, x: str, scope: str) -> str:
    """nn.SiLU as the exporter writes it at opset 17: x * sigmoid(x)."""
    s = gb.op("Sigmoid", [x], scope)
    return gb.op("Mul", [x, s], scope)


def conv_bias(gb: GraphBuilder, x: str, scope: str, cin: int, cout: int, k: int = 1,
              stride: int = 1, std: float | None = None) -> str:
    """A Conv with a bias and no BatchNorm."""
    std = std if std is not None else math.sqrt(1.0 / (cin * k * k))
    w = gb.initializer(gb.onnx_name("Conv"), gb.randn((cout, cin, k, k), std))
    b = gb.initializer(gb.onnx_name("Conv"), gb.uniform((cout,), -0.1, 0.1))
    p = (k - 1) // 2
    return gb.op("Conv", [x, w, b], scope, dilations=[1, 1], group=1, kernel_shape=[k, k],
                 pads=[p, p, p, p], strides=[stride, stride])


# ---------------------------------------------------------------------------
# EfficientNet-B0
# ---------------------------------------------------------------------------

def build_efficientnet_b0(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=700)
    x = conv_bn(gb, "input", "/features/features.0/features.0.0", 3, 32, 3, stride=2)
    x = silu(gb, x, "/features/features.0/features.0.2")
    cin = 32
    # (expand ratio, kernel, stride, out channels, layers) per stage
    stages = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))
    for si, (t, k, s, cout, n) in enumerate(stages, 1):
        for i in range(n):
            stride = s if i == 0 else 1
            scope = f"/features/features.{si}/features.{si}.{i}/block"
            hidden = cin * t
            y = x
            li = 0
            if t != 1:
                y = conv_bn(gb, y, f"{scope}/block.{li}/block.{li}.0", cin, hidden, 1)
                y = silu(gb, y, f"{scope}/block.{li}/block.{li}.2")
                li += 1
            y = conv_bn(gb, y, f"{scope}/block.{li}/block.{li}.0", hidden, hidden, k,
                        stride=stride, group=hidden)
            y = silu(gb, y, f"{scope}/block.{li}/block.{li}.2")
            li += 1
            # squeeze-and-excitation: channels squeezed to a quarter of the block input
            se = f"{scope}/block.{li}"
            sq = max(1, cin // 4)
            z = gb.op("GlobalAveragePool", [y], f"{se}/avgpool")
            z = conv_bias(gb, z, f"{se}/fc1/Conv", hidden, sq)
            z = silu(gb, z, f"{se}/activation")
            z = conv_bias(gb, z, f"{se}/fc2/Conv", sq, hidden)
            z = gb.op("Sigmoid", [z], f"{se}/scale_activation")
            y = gb.op("Mul", [z, y], se)
            li += 1
            y = conv_bn(gb, y, f"{scope}/block.{li}/block.{li}.0", hidden, cout, 1, gamma=(0.2, 0.5))
            if stride == 1 and cin == cout:
                y = gb.op("Add", [y, x], f"/features/features.{si}/features.{si}.{i}")
            x = y
            cin = cout
    x = conv_bn(gb, x, "/features/features.8/features.8.0", cin, 1280, 1)
    x = silu(gb, x, "/features/features.8/features.8.2")
    x = gb.op("GlobalAveragePool", [x], "/avgpool")
    x = gb.op("Flatten", [x], "", axis=1)
    classifier(gb, x, "/classifier/classifier.1", 1280, 1000, "classifier.1")
    gb.nodes[-1].output[0] = "output"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1000])],
        "torchvision efficientnet_b0, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input": rng.standard_normal((1, 3, 224, 224), dtype=np.float32)}


# ---------------------------------------------------------------------------
# Transformer attention shared by ViT and GPT-2
# ---------------------------------------------------------------------------

def merge_heads(gb: GraphBuilder, ctx: str, scope: str, hidden: str) -> str:
    ctx = gb.op("Transpose", [ctx], scope, perm=[0, 2, 1, 3])
    b = unsqueeze0(gb, dim_of(gb, ctx, 0, scope), scope)
    s = unsqueeze0(gb, dim_of(gb, ctx, 1, scope), scope)
    shape = gb.op("Concat", [b, s, hidden], scope, axis=0)
    return gb.op("Reshape", [ctx, shape], scope, allowzero=0)


def gelu_erf(gb: GraphBuilder, h: str, scope: str) -> str:
    g = gb.op("Div", [h, gb.constant(1.4142135381698608, scope)], scope)
    g = gb.op("Erf", [g], scope)
    g = gb.op("Add", [g, gb.constant(1.0, scope)], scope)
    g = gb.op("Mul", [h, g], scope)
    return gb.op("Mul", [g, gb.constant(0.5, scope)], scope)


# ---------------------------------------------------------------------------
# ViT-Tiny/16
# ---------------------------------------------------------------------------

VIT = dict(image=224, patch=16, dim=192, layers=12, heads=3, mlp=768, classes=1000, eps=1e-6)


def build_vit_tiny(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=900)
    D, NH, P = VIT["dim"], VIT["heads"], VIT["patch"]
    HD = D // NH
    tokens = (VIT["image"] // P) ** 2
    w = gb.initializer("conv_proj.weight", gb.randn((D, 3, P, P), math.sqrt(1.0 / (3 * P * P))))
    b = gb.initializer("conv_proj.bias", gb.uniform((D,), -0.05, 0.05))
    x = gb.op("Conv", ["pixel_values", w, b], "/conv_proj", dilations=[1, 1], group=1,
              kernel_shape=[P, P], pads=[0, 0, 0, 0], strides=[P, P])
    # x.reshape(n, hidden_dim, n_h * n_w).permute(0, 2, 1)
    n = unsqueeze0(gb, dim_of(gb, "pixel_values", 0, ""), "")
    shape = gb.op("Concat", [n, gb.constant([D], "", np.int64), gb.constant([tokens], "", np.int64)],
                  "", axis=0)
    x = gb.op("Reshape", [x, shape], "", allowzero=0)
    x = gb.op("Transpose", [x], "", perm=[0, 2, 1])
    # class_token.expand(n, -1, -1), concatenated in front
    cls = gb.initializer("class_token", gb.randn((1, 1, D), 0.02))
    one = gb.constant([1], "", np.int64)
    cls = gb.op("Expand", [cls, gb.op("Concat", [n, one, one], "", axis=0)], "")
    x = gb.op("Concat", [cls, x], "", axis=1)
    pos = gb.initializer("encoder.pos_embedding", gb.randn((1, tokens + 1, D), 0.02))
    x = gb.op("Add", [x, pos], "/encoder")
    heads_c = gb.initializer(gb.onnx_name("Concat"), np.array([NH], np.int64))
    hdim_c = gb.initializer(gb.onnx_name("Concat"), np.array([HD], np.int64))
    hidden_c = gb.initializer(gb.onnx_name("Concat"), np.array([D], np.int64))
    for i in range(VIT["layers"]):
        ls = f"/encoder/layers/encoder_layer_{i}"
        pre = f"encoder.layers.encoder_layer_{i}"
        y = layer_norm_of(gb, x, f"{ls}/ln_1/LayerNormalization", f"{pre}.ln_1", D, VIT["eps"])
        sa = f"{ls}/self_attention"
        q = split_heads(gb, linear3d(gb, y, f"{sa}/q", f"{pre}.q", D, D), sa, heads_c, hdim_c)
        k = split_heads(gb, linear3d(gb, y, f"{sa}/k", f"{pre}.k", D, D), sa, heads_c, hdim_c)
        v = split_heads(gb, linear3d(gb, y, f"{sa}/v", f"{pre}.v", D, D), sa, heads_c, hdim_c)
        q = gb.op("Mul", [q, gb.constant(1.0 / math.sqrt(HD), sa)], sa)
        kt = gb.op("Transpose", [k], sa, perm=[0, 1, 3, 2])
        probs = gb.op("Softmax", [gb.op("MatMul", [q, kt], sa)], sa, axis=-1)
        ctx = merge_heads(gb, gb.op("MatMul", [probs, v], sa), sa, hidden_c)
        y = linear3d(gb, ctx, f"{sa}/out_proj", f"{pre}.self_attention.out_proj", D, D)
        x = gb.op("Add", [y, x], ls)
        y = layer_norm_of(gb, x, f"{ls}/ln_2/LayerNormalization", f"{pre}.ln_2", D, VIT["eps"])
        h = linear3d(gb, y, f"{ls}/mlp/mlp.0", f"{pre}.mlp.0", D, VIT["mlp"])
        h = gelu_erf(gb, h, f"{ls}/mlp/mlp.1")
        y = linear3d(gb, h, f"{ls}/mlp/mlp.3", f"{pre}.mlp.3", VIT["mlp"], D)
        x = gb.op("Add", [y, x], f"{ls}_1")
    x = layer_norm_of(gb, x, "/encoder/ln/LayerNormalization", "encoder.ln", D, VIT["eps"])
    x = gb.op("Gather", [x, gb.constant(0, "", np.int64)], "", axis=1)
    classifier(gb, x, "/heads/head", D, VIT["classes"], "heads.head")
    gb.nodes[-1].output[0] = "logits"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", VIT["classes"]])],
        "ViT-Tiny/16 in torchvision's VisionTransformer layout, dynamic batch, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"pixel_values": rng.standard_normal((1, 3, 224, 224), dtype=np.float32)}


# ---------------------------------------------------------------------------
# GPT-2 small
# ---------------------------------------------------------------------------

GPT2 = dict(vocab=50257, positions=1024, dim=768, layers=12, heads=12, seq=32, eps=1e-5)


def conv1d(gb: GraphBuilder, x: str, scope: str, prefix: str, cin: int, cout: int) -> str:
    """transformers' Conv1D: x @ weight[cin, cout] + bias (the exporter writes MatMul + Add)."""
    w = gb.initializer(f"{prefix}.weight", gb.randn((cin, cout), 0.02))
    b = gb.initializer(f"{prefix}.bias", gb.randn((cout,), 0.02))
    y = gb.op("MatMul", [x, w], scope)
    return gb.op("Add", [b, y], scope)


def gelu_tanh(gb: GraphBuilder, x: str, scope: str) -> str:
    """NewGELUActivation: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))."""
    half = gb.op("Mul", [gb.constant(0.5, scope), x], scope)
    cube = gb.op("Pow", [x, gb.constant(3.0, scope)], scope)
    inner = gb.op("Add", [x, gb.op("Mul", [gb.constant(0.044715, scope), cube], scope)], scope)
    inner = gb.op("Mul", [gb.constant(math.sqrt(2.0 / math.pi), scope), inner], scope)
    t = gb.op("Add", [gb.constant(1.0, scope), gb.op("Tanh", [inner], scope)], scope)
    return gb.op("Mul", [half, t], scope)


def build_gpt2(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=3000)
    D, NH, L, V = GPT2["dim"], GPT2["heads"], GPT2["seq"], GPT2["vocab"]
    HD = D // NH
    wte_arr = gb.randn((V, D), 0.02)
    wte = gb.initializer("transformer.wte.weight", wte_arr)
    wpe = gb.initializer("transformer.wpe.weight", gb.randn((GPT2["positions"], D), 0.01))
    sc = "/transformer"
    seq = dim_of(gb, "input_ids", 1, sc)
    pos = gb.op("Range", [gb.constant(0, sc, np.int64), seq, gb.constant(1, sc, np.int64)], sc)
    pos = unsqueeze0(gb, pos, sc)
    x = gb.op("Gather", [wte, "input_ids"], f"{sc}/wte", axis=0)
    x = gb.op("Add", [x, gb.op("Gather", [wpe, pos], f"{sc}/wpe", axis=0)], sc)
    # causal mask buffer (bias[:, :, :L, :L]) and the fill value
    tri = np.tril(np.ones((GPT2["positions"], GPT2["positions"]), dtype=bool))[None, None]
    bias = gb.initializer("transformer.h.0.attn.bias", tri)
    start = gb.constant([0], sc, np.int64)
    seq1 = unsqueeze0(gb, seq, sc)
    mask = gb.op("Slice", [bias, start, seq1, gb.constant([2], sc, np.int64), gb.constant([1], sc, np.int64)], sc)
    mask = gb.op("Slice", [mask, start, seq1, gb.constant([3], sc, np.int64), gb.constant([1], sc, np.int64)], sc)
    neg = gb.constant(np.finfo(np.float32).min, sc)
    heads_c = gb.initializer(gb.onnx_name("Concat"), np.array([NH], np.int64))
    hdim_c = gb.initializer(gb.onnx_name("Concat"), np.array([HD], np.int64))
    hidden_c = gb.initializer(gb.onnx_name("Concat"), np.array([D], np.int64))
    split = gb.initializer(gb.onnx_name("Split"), np.array([D, D, D], np.int64))
    for i in range(GPT2["layers"]):
        hs = f"{sc}/h.{i}"
        pre = f"transformer.h.{i}"
        y = layer_norm_of(gb, x, f"{hs}/ln_1/LayerNormalization", f"{pre}.ln_1", D, GPT2["eps"])
        at = f"{hs}/attn"
        qkv = conv1d(gb, y, f"{at}/c_attn", f"{pre}.attn.c_attn", D, 3 * D)
        q, k, v = gb.op("Split", [qkv, split], at, num_outputs=3, axis=2)
        q = split_heads(gb, q, at, heads_c, hdim_c)
        k = split_heads(gb, k, at, heads_c, hdim_c)
        v = split_heads(gb, v, at, heads_c, hdim_c)
        w = gb.op("MatMul", [q, gb.op("Transpose", [k], at, perm=[0, 1, 3, 2])], at)
        w = gb.op("Div", [w, gb.constant(float(HD) ** 0.5, at)], at)
        w = gb.op("Where", [mask, w, neg], at)
        w = gb.op("Softmax", [w], at, axis=-1)
        ctx = merge_heads(gb, gb.op("MatMul", [w, v], at), at, hidden_c)
        y = conv1d(gb, ctx, f"{at}/c_proj", f"{pre}.attn.c_proj", D, D)
        x = gb.op("Add", [y, x], hs)
        y = layer_norm_of(gb, x, f"{hs}/ln_2/LayerNormalization", f"{pre}.ln_2", D, GPT2["eps"])
        h = conv1d(gb, y, f"{hs}/mlp/c_fc", f"{pre}.mlp.c_fc", D, 4 * D)
        h = gelu_tanh(gb, h, f"{hs}/mlp/act")
        y = conv1d(gb, h, f"{hs}/mlp/c_proj", f"{pre}.mlp.c_proj", 4 * D, D)
        x = gb.op("Add", [x, y], f"{hs}_1")
    x = layer_norm_of(gb, x, f"{sc}/ln_f/LayerNormalization", "transformer.ln_f", D, GPT2["eps"])
    # lm_head shares wte; the exporter folds its transpose into a new initializer
    head = gb.initializer(gb.onnx_name("MatMul"), np.ascontiguousarray(wte_arr.T))
    gb.op("MatMul", [x, head], "/lm_head")
    gb.nodes[-1].output[0] = "logits"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, L])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, L, V])],
        "transformers GPT2LMHeadModel gpt2 (small), no KV cache, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input_ids": rng.integers(0, V, (1, L), dtype=np.int64)}


# ---------------------------------------------------------------------------
# YOLOv5-style detector
# ---------------------------------------------------------------------------

YOLO = dict(image=128, classes=8, anchors=(((10, 13), (16, 30), (33, 23)), ((30, 61), (62, 45), (59, 119))))


def build_yolo_head(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=1200)
    nc = YOLO["classes"]
    no = nc + 5
    size = YOLO["image"]

    def cbs(x, scope, cin, cout, k, stride=1):  # Conv + BN (folded) + SiLU
        return silu(gb, conv_bn(gb, x, f"{scope}/conv/Conv", cin, cout, k, stride=stride), f"{scope}/act")

    x = cbs("images", "/model.0", 3, 16, 3, 2)        # /2
    x = cbs(x, "/model.1", 16, 32, 3, 2)              # /4
    x = cbs(x, "/model.2", 32, 32, 3)
    p3 = cbs(x, "/model.3", 32, 64, 3, 2)             # /8
    p4 = cbs(p3, "/model.4", 64, 128, 3, 2)           # /16
    up = gb.op("Resize", [cbs(p4, "/model.5", 128, 64, 1), "", gb.constant([1.0, 1.0, 2.0, 2.0], "/model.6")],
               "/model.6", coordinate_transformation_mode="asymmetric", cubic_coeff_a=-0.75,
               mode="nearest", nearest_mode="floor")
    n3 = cbs(gb.op("Concat", [up, p3], "/model.7", axis=1), "/model.8", 128, 64, 3)
    feats = ((n3, 64, 8), (p4, 128, 16))
    outs = []
    for li, ((f, cin, stride), anchors) in enumerate(zip(feats, YOLO["anchors"])):
        sc = f"/model.9/m.{li}"
        g = size // stride
        y = conv_bias(gb, f, f"{sc}/Conv", cin, 3 * no, 1, std=0.05)
        y = gb.op("Reshape", [y, gb.constant([1, 3, no, g, g], sc, np.int64)], sc, allowzero=0)
        y = gb.op("Transpose", [y], sc, perm=[0, 1, 3, 4, 2])
        y = gb.op("Sigmoid", [y], sc)
        xy, wh, conf = gb.op("Split", [y, gb.constant([2, 2, no - 4], sc, np.int64)], sc,
                             num_outputs=3, axis=4)
        gy, gx = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
        grid = np.stack((gx, gy), -1).reshape(1, 1, g, g, 2).astype(np.float32) - 0.5
        anchor_grid = np.array(anchors, np.float32).reshape(1, 3, 1, 1, 2)
        grid_n = gb.initializer(gb.onnx_name("Add"), grid)
        agrid_n = gb.initializer(gb.onnx_name("Mul"), np.broadcast_to(anchor_grid, (1, 3, g, g, 2)).copy())
        xy = gb.op("Mul", [gb.op("Add", [gb.op("Mul", [xy, gb.constant(2.0, sc)], sc), grid_n], sc),
                           gb.constant(float(stride), sc)], sc)
        wh = gb.op("Mul", [gb.op("Pow", [gb.op("Mul", [wh, gb.constant(2.0, sc)], sc),
                                        gb.constant(2.0, sc)], sc), agrid_n], sc)
        y = gb.op("Concat", [xy, wh, conf], sc, axis=4)
        outs.append(gb.op("Reshape", [y, gb.constant([1, 3 * g * g, no], sc, np.int64)], sc, allowzero=0))
    gb.op("Concat", outs, "/model.9", axis=1)
    gb.nodes[-1].output[0] = "output0"
    boxes = 3 * sum((size // s) ** 2 for _, _, s in feats)
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, boxes, no])],
        "YOLOv5-style detector with Resize/Concat neck and decoded Split heads, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"images": rng.random((1, 3, size, size), dtype=np.float32)}


# ---------------------------------------------------------------------------
# UNet
# ---------------------------------------------------------------------------

def build_unet(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=1600)

    def double_conv(x, scope, cin, cout):
        y = gb.op("Relu", [conv_bn(gb, x, f"{scope}/double_conv.0", cin, cout, 3)], f"{scope}/double_conv.2")
        return gb.op("Relu", [conv_bn(gb, y, f"{scope}/double_conv.3", cout, cout, 3)], f"{scope}/double_conv.5")

    def down(x, scope, cin, cout):
        y = gb.op("MaxPool", [x], f"{scope}/maxpool_conv.0", ceil_mode=0, dilations=[1, 1],
                  kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2])
        return double_conv(y, f"{scope}/maxpool_conv.1", cin, cout)

    def up(x, skip, scope, cin, cout):
        w = gb.initializer(f"{scope[1:]}.up.weight", gb.randn((cin, cin // 2, 2, 2), math.sqrt(1.0 / cin)))
        b = gb.initializer(f"{scope[1:]}.up.bias", gb.uniform((cin // 2,), -0.1, 0.1))
        y = gb.op("ConvTranspose", [x, w, b], f"{scope}/up", dilations=[1, 1], group=1,
                  kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2])
        y = gb.op("Concat", [skip, y], scope, axis=1)
        return double_conv(y, f"{scope}/conv", cin, cout)

    x1 = double_conv("input", "/inc", 3, 16)
    x2 = down(x1, "/down1", 16, 32)
    x3 = down(x2, "/down2", 32, 64)
    x4 = down(x3, "/down3", 64, 128)
    y = up(x4, x3, "/up1", 128, 64)
    y = up(y, x2, "/up2", 64, 32)
    y = up(y, x1, "/up3", 32, 16)
    conv_bias(gb, y, "/outc/conv/Conv", 16, 2, 1)
    gb.nodes[-1].output[0] = "logits"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 96, 96])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2, 96, 96])],
        "UNet (3 levels, BN folded, ConvTranspose up), opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input": rng.standard_normal((1, 3, 96, 96), dtype=np.float32)}


# ---------------------------------------------------------------------------
# A scripted model with Loop and If
# ---------------------------------------------------------------------------

def build_loop_if(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """What torch.jit.script + export writes for a recurrent refinement:
    h = x; for i in range(4): h = tanh(h @ W + x * scale[i]); steps.append(h);
    out = h * 2 if h.sum() > 0 else h - 1. Loop with a constant trip count, a
    carried state and a scan output; If on a value computed at run time."""
    gb = GraphBuilder(seed, first_onnx_id=1900)
    d = 32
    gb.initializer("cell.weight", gb.randn((d, d), 1.0 / math.sqrt(d)))
    gb.initializer("cell.scales", gb.uniform((4, 1), 0.5, 1.5))
    # Loop body: (iter, cond, h) -> (cond, h', h')
    body_nodes = [
        helper.make_node("Gather", ["cell.scales", "i"], ["s"], name="/cell/Gather", axis=0),
        helper.make_node("Mul", ["x", "s"], ["xs"], name="/cell/Mul"),
        helper.make_node("MatMul", ["h_in", "cell.weight"], ["hw"], name="/cell/MatMul"),
        helper.make_node("Add", ["hw", "xs"], ["pre"], name="/cell/Add"),
        helper.make_node("Tanh", ["pre"], ["h_out"], name="/cell/Tanh"),
        helper.make_node("Identity", ["cond_in"], ["cond_out"], name="/cell/Identity"),
        helper.make_node("Identity", ["h_out"], ["step"], name="/cell/Identity_1"),
    ]
    body = helper.make_graph(
        body_nodes, "loop_body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("h_in", TensorProto.FLOAT, [1, d])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("h_out", TensorProto.FLOAT, [1, d]),
         helper.make_tensor_value_info("step", TensorProto.FLOAT, [1, d])])
    trip = gb.constant(4, "", np.int64)
    cond = gb.constant(True, "", np.bool_)
    h, steps = gb.op("Loop", [trip, cond, "x"], "/Loop", num_outputs=2, body=body)
    total = gb.op("ReduceSum", [h], "", keepdims=0)
    positive = gb.op("Greater", [total, gb.constant(0.0, "")], "")
    gb.initializer("two", np.array(2.0, np.float32))
    gb.initializer("one", np.array(1.0, np.float32))
    then_g = helper.make_graph(
        [helper.make_node("Mul", [h, "two"], ["y_then"], name="/If/then/Mul")], "then_branch", [],
        [helper.make_tensor_value_info("y_then", TensorProto.FLOAT, [1, d])])
    else_g = helper.make_graph(
        [helper.make_node("Sub", [h, "one"], ["y_else"], name="/If/else/Sub")], "else_branch", [],
        [helper.make_tensor_value_info("y_else", TensorProto.FLOAT, [1, d])])
    gb.op("If", [positive], "/If", then_branch=then_g, else_branch=else_g)
    gb.nodes[-1].output[0] = "y"
    # steps: [4, 1, d]
    gb.op("Identity", [steps], "")
    gb.nodes[-1].output[0] = "steps"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, d])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, d]),
         helper.make_tensor_value_info("steps", TensorProto.FLOAT, [4, 1, d])],
        "torch.jit.script refinement loop with a data-dependent If, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"x": rng.standard_normal((1, d), dtype=np.float32)}


def build_deep_convs(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=2000)

    def conv(x, scope, cin, cout, k, stride=1, dilation=1, bias=True):
        w = gb.initializer(gb.onnx_name("Conv"), gb.randn((cout, cin, k, k), math.sqrt(2.0 / (cin * k * k))))
        inputs = [x, w]
        if bias:
            inputs.append(gb.initializer(gb.onnx_name("Conv"), gb.uniform((cout,), -0.1, 0.1)))
        p = dilation * (k - 1) // 2
        return gb.op("Conv", inputs, scope, dilations=[dilation, dilation], group=1,
                     kernel_shape=[k, k], pads=[p, p, p, p], strides=[stride, stride])

    a = gb.op("Relu", [conv("x", "/a/Conv", 32, 160, 3, bias=False)], "/a/Relu")     # 8x8, 160
    b = gb.op("Relu", [conv(a, "/b/Conv", 160, 96, 3, stride=2)], "/b/Relu")         # 4x4, 96
    c = conv(b, "/c/Conv", 96, 256, 1)                                                 # 4x4, 256
    d = conv(a, "/d/Conv", 160, 256, 1, stride=2)                                      # 4x4, 256
    e = gb.op("Relu", [gb.op("Add", [c, d], "/e/Add")], "/e/Relu")
    f = conv(e, "/f/Conv", 256, 64, 3, dilation=2)                                     # 4x4, 64
    g = gb.op("Relu", [conv("y", "/g/Conv", 48, 192, 3)], "/g/Relu")                  # 7x7, 192
    gb.op("Identity", [f], "")
    gb.nodes[-1].output[0] = "out_small"
    gb.op("Identity", [conv(g, "/h/Conv", 192, 128, 1, bias=False)], "")
    gb.nodes[-1].output[0] = "out_7x7"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32, 8, 8]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 48, 7, 7])],
        [helper.make_tensor_value_info("out_small", TensorProto.FLOAT, [1, 64, 4, 4]),
         helper.make_tensor_value_info("out_7x7", TensorProto.FLOAT, [1, 128, 7, 7])],
        "deep convolutions on small images, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"x": rng.standard_normal((1, 32, 8, 8), dtype=np.float32),
                   "y": rng.standard_normal((1, 48, 7, 7), dtype=np.float32)}


ZOO_BUILDERS = {"efficientnet-b0": build_efficientnet_b0, "vit-tiny": build_vit_tiny, "gpt2": build_gpt2,
                "yolo-head": build_yolo_head, "unet": build_unet, "loop-if": build_loop_if,
                "deep-convs": build_deep_convs}

# kiln-compile flags a model needs (dynamic dims fixed at compile time).
COMPILE_FLAGS = {"vit-tiny": ["--input-shape=pixel_values:1x3x224x224"]}
