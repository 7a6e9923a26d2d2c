#!/usr/bin/env python3
"""Build replicas of torch.onnx.export models with onnx.helper + numpy (no torch needed).

The graphs mirror what `torch.onnx.export(..., opset_version=17,
do_constant_folding=True)` (TorchScript exporter, eval mode) writes for

  resnet50     torchvision ResNet-50: BatchNorm folded into Conv weights/bias,
               Relu, MaxPool k3 s2 p1, bottlenecks 3-4-6-3 with downsample convs,
               Add, GlobalAveragePool, Flatten, Gemm(transB=1) to 1000 classes.
  mobilenetv2  torchvision MobileNetV2: Conv+BN folded, ReLU6 as Clip with
               min/max from Constant nodes, depthwise (group) convs, inverted
               residuals with Add, GlobalAveragePool (or ReduceMean with
               --mobilenet-reducemean), Flatten, Gemm to 1000 classes.
  unet-head    a small UNet-like segmentation head: strided Conv encoder,
               ConvTranspose decoder with a skip Concat, bilinear Resize,
               1x1 Conv + Sigmoid.
  lstm-kws     a keyword-spotting speech model: 20 frames x 40 filterbank
               features (seq-major, batch 1) -> bidirectional nn.LSTM (hidden
               64; Y Transpose+Reshape to [20, 1, 128] as torch exports it) ->
               nn.GRU (hidden 64, linear_before_reset=1) -> last step (Gather
               -1) -> Gemm(transB=1) to 12 keywords -> Softmax; outputs the
               probabilities and the GRU's final state.
  bert-base    transformers BertModel (eager attention): input_ids and
               attention_mask (int64 1x128; token_type_ids with
               --token-type-ids), Gather embeddings, LayerNormalization,
               12 layers of self-attention with Reshape shapes built by
               Shape->Gather->Unsqueeze->Concat chains, additive mask
               (Unsqueeze, Cast, Sub, Mul by finfo(float32).min), Softmax,
               Erf-based GELU, and the pooler (Gather token 0, Gemm, Tanh).

  ...          and the architectures of zoo.py (EfficientNet-B0, ViT-Tiny with a
               dynamic batch, GPT-2 small, a YOLO-style detector, a UNet).

Node, tensor and initializer names follow the exporter's conventions
("/layer1/layer1.0/conv1/Conv", "onnx::Conv_497", "/.../Constant_output_0").
Weights are seeded random numbers stored as raw_data initializers (BN statistics
are random too and folded the way the exporter folds them).

For every model it writes

    OUTDIR/<name>/model.onnx
    OUTDIR/<name>/test_data_set_0/input_<j>.pb    seeded random inputs
    OUTDIR/<name>/test_data_set_0/output_<j>.pb   onnxruntime's outputs

checks the model with onnx.checker, runs it in onnxruntime and prints the
output shapes.  A model whose OUTDIR/<name>/.stamp matches this script, its
options and the onnx/onnxruntime versions is not rebuilt (--force rebuilds).

Usage:
    test/models/build_models.py OUTDIR [--only NAME ...] [--seed N] [--no-ort] [--force]
                                [--token-type-ids] [--mobilenet-reducemean]

Sizes: resnet50 ~98 MB, mobilenetv2 ~14 MB, bert-base ~418 MB, lstm-kws ~0.4 MB,
gpt2 ~650 MB (fp32).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from graph_builder import (GraphBuilder, classifier, conv_bn, dim_of, layer_norm_of,  # noqa: F401
                           linear3d, make_model, split_heads, unsqueeze0)

from zoo import ZOO_BUILDERS  # noqa: E402

MODELS = ("resnet50", "mobilenetv2", "bert-base", "unet-head", "lstm-kws") + tuple(ZOO_BUILDERS)


# ---------------------------------------------------------------------------
# ResNet-50
# ---------------------------------------------------------------------------

def build_resnet50(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=320)
    x = conv_bn(gb, "input", "/conv1", 3, 64, 7, stride=2)
    x = gb.op("Relu", [x], "/relu")
    x = gb.op("MaxPool", [x], "/maxpool", ceil_mode=0, dilations=[1, 1], kernel_shape=[3, 3],
              pads=[1, 1, 1, 1], strides=[2, 2])
    cin = 64
    for li, (planes, blocks, stride) in enumerate(((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)), 1):
        for bi in range(blocks):
            s = stride if bi == 0 else 1
            scope = f"/layer{li}/layer{li}.{bi}"
            cout = planes * 4
            identity = x
            y = conv_bn(gb, x, f"{scope}/conv1", cin, planes, 1)
            y = gb.op("Relu", [y], f"{scope}/relu")
            y = conv_bn(gb, y, f"{scope}/conv2", planes, planes, 3, stride=s)
            y = gb.op("Relu", [y], f"{scope}/relu_1")
            # Smaller gamma on the last BN keeps activations bounded over 16 residual adds.
            y = conv_bn(gb, y, f"{scope}/conv3", planes, cout, 1, gamma=(0.1, 0.3))
            if bi == 0:
                identity = conv_bn(gb, x, f"{scope}/downsample/downsample.0", cin, cout, 1, stride=s)
            y = gb.op("Add", [y, identity], scope)
            x = gb.op("Relu", [y], f"{scope}/relu_2")
            cin = cout
    x = gb.op("GlobalAveragePool", [x], "/avgpool")
    x = gb.op("Flatten", [x], "", axis=1)
    logits = classifier(gb, x, "/fc", 2048, 1000, "fc")
    gb.nodes[-1].output[0] = "output"
    del logits
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1000])],
        "torchvision resnet50, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input": rng.standard_normal((1, 3, 224, 224), dtype=np.float32)}


# ---------------------------------------------------------------------------
# MobileNetV2
# ---------------------------------------------------------------------------

def relu6(gb: GraphBuilder, x: str, scope: str) -> str:
    lo = gb.constant(0.0, scope)
    hi = gb.constant(6.0, scope)
    return gb.op("Clip", [x, lo, hi], scope)


def build_mobilenetv2(seed: int, reducemean: bool = False, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=530)
    # features.0: ConvBNReLU6(3, 32, stride 2)
    x = conv_bn(gb, "input", "/features/features.0/features.0.0", 3, 32, 3, stride=2)
    x = relu6(gb, x, "/features/features.0/features.0.2")
    cin = 32
    idx = 1
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
        for i in range(n):
            stride = s if i == 0 else 1
            scope = f"/features/features.{idx}"
            hidden = cin * t
            y = x
            layer = 0
            if t != 1:  # pointwise expansion
                y = conv_bn(gb, y, f"{scope}/conv/conv.0/conv.0.0", cin, hidden, 1)
                y = relu6(gb, y, f"{scope}/conv/conv.0/conv.0.2")
                layer = 1
            # depthwise 3x3
            y = conv_bn(gb, y, f"{scope}/conv/conv.{layer}/conv.{layer}.0", hidden, hidden, 3,
                        stride=stride, group=hidden)
            y = relu6(gb, y, f"{scope}/conv/conv.{layer}/conv.{layer}.2")
            # pointwise linear projection
            y = conv_bn(gb, y, f"{scope}/conv/conv.{layer + 1}", hidden, c, 1, gamma=(0.2, 0.5))
            if stride == 1 and cin == c:
                y = gb.op("Add", [x, y], scope)
            x = y
            cin = c
            idx += 1
    x = conv_bn(gb, x, f"/features/features.{idx}/features.{idx}.0", cin, 1280, 1)
    x = relu6(gb, x, f"/features/features.{idx}/features.{idx}.2")
    if reducemean:
        x = gb.op("ReduceMean", [x], "", axes=[2, 3], keepdims=1)
    else:
        x = gb.op("GlobalAveragePool", [x], "")
    x = gb.op("Flatten", [x], "", axis=1)
    classifier(gb, x, "/classifier/classifier.1", 1280, 1000, "classifier.1")
    gb.nodes[-1].output[0] = "output"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1000])],
        "torchvision mobilenet_v2, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input": rng.standard_normal((1, 3, 224, 224), dtype=np.float32)}


# ---------------------------------------------------------------------------
# BERT-base
# ---------------------------------------------------------------------------

BERT = dict(hidden=768, heads=12, head_dim=64, ffn=3072, layers=12, vocab=30522,
            max_pos=512, type_vocab=2, seq=128, eps=1e-12)


def layer_norm(gb: GraphBuilder, x: str, scope: str, prefix: str) -> str:
    return layer_norm_of(gb, x, scope, prefix, BERT["hidden"], BERT["eps"])


def build_bert(seed: int, token_type_ids: bool = False, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    gb = GraphBuilder(seed, first_onnx_id=1500)
    H, NH, HD, F = BERT["hidden"], BERT["heads"], BERT["head_dim"], BERT["ffn"]
    seq = BERT["seq"]

    # ---- embeddings ----
    sc = "/embeddings"
    word = gb.initializer("embeddings.word_embeddings.weight", gb.randn((BERT["vocab"], H), 0.02))
    pos = gb.initializer("embeddings.position_embeddings.weight", gb.randn((BERT["max_pos"], H), 0.02))
    typ = gb.initializer("embeddings.token_type_embeddings.weight", gb.randn((BERT["type_vocab"], H), 0.02))
    pos_ids_buf = gb.initializer("embeddings.position_ids",
                                 np.arange(BERT["max_pos"], dtype=np.int64)[None, :])
    seq_len = dim_of(gb, "input_ids", 1, sc)
    # position_ids = self.position_ids[:, 0:seq_length]
    pos_ids = gb.op("Slice", [pos_ids_buf, gb.constant([0], sc, np.int64), unsqueeze0(gb, seq_len, sc),
                              gb.constant([1], sc, np.int64), gb.constant([1], sc, np.int64)], sc)
    if token_type_ids:
        tt_ids = "token_type_ids"
    else:
        # buffered_token_type_ids[:, :seq_length].expand(batch, seq_length)
        tt_buf = gb.initializer("embeddings.token_type_ids", np.zeros((1, BERT["max_pos"]), np.int64))
        tt = gb.op("Slice", [tt_buf, gb.constant([0], sc, np.int64), unsqueeze0(gb, seq_len, sc),
                             gb.constant([1], sc, np.int64), gb.constant([1], sc, np.int64)], sc)
        batch = dim_of(gb, "input_ids", 0, sc)
        shape = gb.op("Concat", [unsqueeze0(gb, batch, sc), unsqueeze0(gb, seq_len, sc)], sc, axis=0)
        tt_ids = gb.op("Expand", [tt, shape], sc)
    x = gb.op("Gather", [word, "input_ids"], f"{sc}/word_embeddings", axis=0)
    t = gb.op("Gather", [typ, tt_ids], f"{sc}/token_type_embeddings", axis=0)
    x = gb.op("Add", [x, t], sc)
    p = gb.op("Gather", [pos, pos_ids], f"{sc}/position_embeddings", axis=0)
    x = gb.op("Add", [x, p], sc)
    x = layer_norm(gb, x, f"{sc}/LayerNorm", "embeddings.LayerNorm")

    # ---- extended attention mask: (1.0 - mask[:, None, None, :].float()) * finfo.min ----
    m = gb.op("Unsqueeze", ["attention_mask", gb.constant([1], "", np.int64)], "")
    m = gb.op("Unsqueeze", [m, gb.constant([2], "", np.int64)], "")
    m = gb.op("Cast", [m], "", to=TensorProto.FLOAT)
    m = gb.op("Sub", [gb.constant(1.0, ""), m], "")
    mask = gb.op("Mul", [m, gb.constant(np.finfo(np.float32).min, "")], "")

    # Folded Unsqueeze(12)/Unsqueeze(64)/Unsqueeze(768) constants used by the Concats.
    heads_c = gb.initializer(gb.onnx_name("Concat"), np.array([NH], np.int64))
    hdim_c = gb.initializer(gb.onnx_name("Concat"), np.array([HD], np.int64))
    hidden_c = gb.initializer(gb.onnx_name("Concat"), np.array([H], np.int64))

    for i in range(BERT["layers"]):
        ls = f"/encoder/layer.{i}"
        pre = f"encoder.layer.{i}"
        sa = f"{ls}/attention/self"
        q = linear3d(gb, x, f"{sa}/query", f"{pre}.attention.self.query", H, H)
        k = linear3d(gb, x, f"{sa}/key", f"{pre}.attention.self.key", H, H)
        k = split_heads(gb, k, sa, heads_c, hdim_c)
        v = linear3d(gb, x, f"{sa}/value", f"{pre}.attention.self.value", H, H)
        v = split_heads(gb, v, sa, heads_c, hdim_c)
        q = split_heads(gb, q, sa, heads_c, hdim_c)
        kt = gb.op("Transpose", [k], sa, perm=[0, 1, 3, 2])
        scores = gb.op("MatMul", [q, kt], sa)
        scores = gb.op("Div", [scores, gb.constant(math.sqrt(HD), sa)], sa)
        scores = gb.op("Add", [scores, mask], sa)
        probs = gb.op("Softmax", [scores], sa, axis=-1)
        ctx = gb.op("MatMul", [probs, v], sa)
        ctx = gb.op("Transpose", [ctx], sa, perm=[0, 2, 1, 3])
        # context.view(context.size()[:-2] + (all_head_size,))
        b = unsqueeze0(gb, dim_of(gb, ctx, 0, sa), sa)
        s = unsqueeze0(gb, dim_of(gb, ctx, 1, sa), sa)
        shape = gb.op("Concat", [b, s, hidden_c], sa, axis=0)
        ctx = gb.op("Reshape", [ctx, shape], sa, allowzero=0)

        so = f"{ls}/attention/output"
        y = linear3d(gb, ctx, f"{so}/dense", f"{pre}.attention.output.dense", H, H)
        y = gb.op("Add", [y, x], so)
        x = layer_norm(gb, y, f"{so}/LayerNorm", f"{pre}.attention.output.LayerNorm")

        it = f"{ls}/intermediate"
        h = linear3d(gb, x, f"{it}/dense", f"{pre}.intermediate.dense", H, F)
        act = f"{it}/intermediate_act_fn"
        # gelu(x) = x * 0.5 * (1 + erf(x / sqrt(2))), in the exporter's op order
        g = gb.op("Div", [h, gb.constant(1.4142135381698608, act)], act)
        g = gb.op("Erf", [g], act)
        g = gb.op("Add", [g, gb.constant(1.0, act)], act)
        g = gb.op("Mul", [h, g], act)
        g = gb.op("Mul", [g, gb.constant(0.5, act)], act)

        ou = f"{ls}/output"
        y = linear3d(gb, g, f"{ou}/dense", f"{pre}.output.dense", F, H)
        y = gb.op("Add", [y, x], ou)
        x = layer_norm(gb, y, f"{ou}/LayerNorm", f"{pre}.output.LayerNorm")

    gb.nodes[-1].output[0] = "last_hidden_state"
    x = "last_hidden_state"
    # ---- pooler: tanh(dense(hidden_states[:, 0])) ----
    first = gb.op("Gather", [x, gb.constant(0, "/pooler", np.int64)], "/pooler", axis=1)
    bound = 0.02
    w = gb.initializer("pooler.dense.weight", gb.randn((H, H), bound))
    b = gb.initializer("pooler.dense.bias", gb.randn((H,), bound))
    pooled = gb.op("Gemm", [first, w, b], "/pooler/dense", alpha=1.0, beta=1.0, transB=1)
    gb.op("Tanh", [pooled], "/pooler/activation")
    gb.nodes[-1].output[0] = "pooler_output"

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, seq]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [1, seq])]
    if token_type_ids:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, [1, seq]))
    model = make_model(
        gb, "main_graph", inputs,
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, seq, H]),
         helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, [1, H])],
        "transformers BertModel bert-base-uncased, opset 17")

    rng = np.random.default_rng(seed + 1)
    ids = rng.integers(1000, BERT["vocab"], (1, seq), dtype=np.int64)
    valid = seq - 28  # the last 28 positions are padding
    ids[0, 0], ids[0, valid - 1], ids[0, valid:] = 101, 102, 0  # [CLS] ... [SEP] [PAD]...
    mask_arr = np.zeros((1, seq), np.int64)
    mask_arr[0, :valid] = 1
    feeds = {"input_ids": ids, "attention_mask": mask_arr}
    if token_type_ids:
        tt_arr = np.zeros((1, seq), np.int64)
        tt_arr[0, valid // 2:valid] = 1
        feeds["token_type_ids"] = tt_arr
    return model, feeds


def build_unet_head(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """A small UNet-like segmentation head: strided Conv encoder, ConvTranspose
    decoder with a skip Concat, bilinear Upsample (Resize, pytorch_half_pixel)
    and a 1x1 Conv + Sigmoid mask, as torch exports nn.Upsample/ConvTranspose2d."""
    gb = GraphBuilder(seed, first_onnx_id=40)

    def conv(x, scope, cin, cout, k, stride=1, pad=None):
        w = gb.initializer(gb.onnx_name("Conv"), gb.randn((cout, cin, k, k), (2.0 / (cin * k * k)) ** 0.5))
        b = gb.initializer(gb.onnx_name("Conv"), gb.uniform((cout,), -0.1, 0.1))
        p = k // 2 if pad is None else pad
        return gb.op("Conv", [x, w, b], scope, dilations=[1, 1], group=1, kernel_shape=[k, k],
                     pads=[p, p, p, p], strides=[stride, stride])

    e1 = gb.op("Relu", [conv("input", "/enc1/Conv", 8, 16, 3)], "/enc1/Relu")
    e2 = gb.op("Relu", [conv(e1, "/enc2/Conv", 16, 32, 3, stride=2)], "/enc2/Relu")
    e3 = gb.op("Relu", [conv(e2, "/enc3/Conv", 32, 64, 3, stride=2)], "/enc3/Relu")
    wt = gb.initializer("up.weight", gb.randn((64, 32, 2, 2), (1.0 / 64) ** 0.5))
    bt = gb.initializer("up.bias", gb.uniform((32,), -0.1, 0.1))
    u = gb.op("ConvTranspose", [e3, wt, bt], "/up/ConvTranspose", dilations=[1, 1], group=1,
              kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2])
    c = gb.op("Concat", [u, e2], "/Concat", axis=1)
    d = gb.op("Relu", [conv(c, "/dec/Conv", 64, 32, 3)], "/dec/Relu")
    scales = gb.initializer(gb.onnx_name("Resize"), np.array([1, 1, 2, 2], np.float32))
    r = gb.op("Resize", [d, "", scales], "/upsample/Resize", coordinate_transformation_mode="pytorch_half_pixel",
              cubic_coeff_a=-0.75, mode="linear", nearest_mode="floor")
    m = conv(r, "/head/Conv", 32, 2, 1, pad=0)
    gb.op("Sigmoid", [m], "/Sigmoid")
    gb.nodes[-1].output[0] = "mask"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 8, 64, 64])],
        [helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 2, 64, 64])],
        "UNet-style head with ConvTranspose and bilinear Resize, opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input": rng.standard_normal((1, 8, 64, 64), dtype=np.float32)}


def build_lstm_kws(seed: int, **_) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """A keyword-spotting model as torch exports nn.LSTM(bidirectional) ->
    nn.GRU -> nn.Linear on the last step -> softmax: weights in ONNX gate order
    (torch's exporter reorders them), zero initial states as initializers."""
    gb = GraphBuilder(seed, first_onnx_id=60)
    seq, batch, feat, hidden, classes = 20, 1, 40, 64, 12
    bound = 1.0 / hidden ** 0.5  # torch's uniform init for RNN weights

    def rnn(op_type, x, scope, cin, gates, num_dir, **attrs):
        w = gb.initializer(gb.onnx_name(op_type), gb.uniform((num_dir, gates * hidden, cin), -bound, bound))
        r = gb.initializer(gb.onnx_name(op_type), gb.uniform((num_dir, gates * hidden, hidden), -bound, bound))
        b = gb.initializer(gb.onnx_name(op_type), gb.uniform((num_dir, 2 * gates * hidden), -bound, bound))
        h0 = gb.initializer(gb.onnx_name(op_type), np.zeros((num_dir, batch, hidden), np.float32))
        ins = [x, w, r, b, "", h0]
        if op_type == "LSTM":
            ins.append(gb.initializer(gb.onnx_name(op_type), np.zeros((num_dir, batch, hidden), np.float32)))
        n_out = 3 if op_type == "LSTM" else 2
        return gb.op(op_type, ins, scope, num_outputs=n_out, hidden_size=hidden, **attrs)

    y, _, _ = rnn("LSTM", "input", "/lstm", feat, 4, 2, direction="bidirectional")
    y = gb.op("Transpose", [y], "/lstm", perm=[0, 2, 1, 3])  # [seq, batch, 2, hidden]
    shape = gb.constant([seq, batch, 2 * hidden], "/lstm", dtype=np.int64)
    y = gb.op("Reshape", [y, shape], "/lstm")
    g, gh = rnn("GRU", y, "/gru", 2 * hidden, 3, 1, linear_before_reset=1)
    g = gb.op("Squeeze", [g, gb.constant([1], "/gru", dtype=np.int64)], "/gru")  # [seq, batch, hidden]
    last = gb.op("Gather", [g, gb.constant(-1, "", dtype=np.int64)], "/Gather", axis=0)  # [batch, hidden]
    fc_w = gb.initializer("fc.weight", gb.uniform((classes, hidden), -bound, bound))
    fc_b = gb.initializer("fc.bias", gb.uniform((classes,), -bound, bound))
    logits = gb.op("Gemm", [last, fc_w, fc_b], "/fc", alpha=1.0, beta=1.0, transB=1)
    gb.op("Softmax", [logits], "/Softmax", axis=1)
    gb.nodes[-1].output[0] = "probs"
    for node in gb.nodes:  # the GRU's final state is the second graph output
        for i, o in enumerate(node.output):
            if o == gh:
                node.output[i] = "hidden"
    model = make_model(
        gb, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [seq, batch, feat])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [batch, classes]),
         helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [1, batch, hidden])],
        "speech keyword spotting: bidirectional LSTM, GRU, Linear, softmax; opset 17")
    rng = np.random.default_rng(seed + 1)
    return model, {"input": rng.standard_normal((seq, batch, feat), dtype=np.float32)}


BUILDERS = {"resnet50": build_resnet50, "mobilenetv2": build_mobilenetv2, "bert-base": build_bert,
            "unet-head": build_unet_head, "lstm-kws": build_lstm_kws, **ZOO_BUILDERS}


def run_ort(path: str, feeds: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = min(4, os.cpu_count() or 1)
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return list(zip(names, sess.run(names, feeds)))


def stamp_of(name: str, args) -> str:
    """Identifies what a build produced: this script, the options and the tool versions."""
    import onnxruntime

    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for src in ("build_models.py", "graph_builder.py", "zoo.py"):
        with open(os.path.join(here, src), "rb") as f:
            h.update(f.read())
    digest = h.hexdigest()[:16]
    opts = f"seed={args.seed} tt={args.token_type_ids} rm={args.mobilenet_reducemean} ort={not args.no_ort}"
    return f"{name} {digest} {opts} onnx={onnx.__version__} onnxruntime={onnxruntime.__version__}"


def build_one(name: str, outdir: str, args) -> None:
    mdir = os.path.join(outdir, name)
    stamp_path = os.path.join(mdir, ".stamp")
    stamp = stamp_of(name, args)
    if not args.force and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read().strip() == stamp:
                print(f"{name}: up to date in {mdir} (use --force to rebuild)")
                return
        os.remove(stamp_path)
    t0 = time.time()
    model, feeds = BUILDERS[name](args.seed, token_type_ids=args.token_type_ids,
                                  reducemean=args.mobilenet_reducemean)
    t_build = time.time() - t0
    ds = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ds, exist_ok=True)
    for f in os.listdir(ds):
        if f.endswith(".pb"):
            os.remove(os.path.join(ds, f))
    path = os.path.join(mdir, "model.onnx")
    onnx.save_model(model, path)
    nparams = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    nnodes = len(model.graph.node)
    del model
    onnx.checker.check_model(path, full_check=True)
    mb = os.path.getsize(path) / 1e6
    for j, (iname, arr) in enumerate(feeds.items()):
        with open(os.path.join(ds, f"input_{j}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(arr, iname).SerializeToString())
    line = f"{name}: {nnodes} nodes, {nparams / 1e6:.1f} M params, {mb:.1f} MB, built in {t_build:.1f} s"
    if args.no_ort:
        print(line + " (onnxruntime skipped: no expected outputs)")
        write_stamp(stamp_path, stamp)
        return
    t1 = time.time()
    outs = run_ort(path, feeds)
    t_ort = time.time() - t1
    for j, (oname, arr) in enumerate(outs):
        if not np.all(np.isfinite(arr)):
            raise SystemExit(f"{name}: output {oname} has non-finite values")
        with open(os.path.join(ds, f"output_{j}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(arr, oname).SerializeToString())
    shapes = ", ".join(f"{n} {list(a.shape)} {a.dtype} (|max| {np.abs(a).max():.3g})" for n, a in outs)
    print(f"{line}, onnxruntime {t_ort:.1f} s: {shapes}")
    write_stamp(stamp_path, stamp)


def write_stamp(path: str, stamp: str) -> None:
    with open(path, "w") as f:
        f.write(stamp + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--only", action="append", choices=MODELS,
                        help="build only this model (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ort", action="store_true", help="do not run onnxruntime")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--token-type-ids", action="store_true", help="bert-base: take token_type_ids as a third input")
    parser.add_argument("--mobilenet-reducemean", action="store_true",
                        help="mobilenetv2: pool with ReduceMean(axes 2,3) instead of GlobalAveragePool")
    args = parser.parse_args(argv)
    for name in args.only or MODELS:
        build_one(name, args.outdir, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
