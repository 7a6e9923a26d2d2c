#!/usr/bin/env python3
"""Export ResNet-50, MobileNetV2 and BERT-base with the real torch.onnx.export.

The counterpart of build_models.py (which replicates these graphs without
torch): the same three models, with random weights, exported by
torch.onnx.export (TorchScript exporter, opset 17, do_constant_folding=True,
eval mode) from torchvision and transformers.  Used only where torch is
installed; otherwise it prints "torch not installed: skipped" and exits 0.
Missing torchvision / transformers skip their models the same way.

For every model it writes

    OUTDIR/<name>/model.onnx
    OUTDIR/<name>/test_data_set_0/input_<j>.pb    seeded random inputs
    OUTDIR/<name>/test_data_set_0/output_<j>.pb   torch's outputs

(names: resnet50, mobilenetv2, bert-base, as in build_models.py), checks the
model with onnx.checker and, when onnxruntime is installed, runs it and
compares with torch.

Usage:
    test/models/export_torch_models.py OUTDIR [--only NAME ...] [--seed N] [--token-type-ids]
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
import warnings

MODELS = ("resnet50", "mobilenetv2", "bert-base")
OPSET = 17
SEQ = 128


def randomize_batchnorm(torch, model, gen) -> None:
    """Give every BatchNorm non-trivial statistics so that folding them matters."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(n, generator=gen) * 0.5 + 0.5)
                m.bias.copy_((torch.rand(n, generator=gen) - 0.5) * 0.2)
                m.running_mean.copy_((torch.rand(n, generator=gen) - 0.5) * 0.2)
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)


def make_resnet50(torch, gen, args):
    import torchvision

    model = torchvision.models.resnet50(weights=None)
    randomize_batchnorm(torch, model, gen)
    x = torch.randn(1, 3, 224, 224, generator=gen)
    return model.eval(), (x,), ["input"], ["output"]


def make_mobilenetv2(torch, gen, args):
    import torchvision

    model = torchvision.models.mobilenet_v2(weights=None)
    randomize_batchnorm(torch, model, gen)
    x = torch.randn(1, 3, 224, 224, generator=gen)
    return model.eval(), (x,), ["input"], ["output"]


def make_bert(torch, gen, args):
    import transformers

    # BertConfig() defaults are bert-base-uncased: vocab 30522, hidden 768,
    # 12 layers, 12 heads, FFN 3072, 512 positions.  Eager attention gives the
    # MatMul/Div/Add/Softmax/MatMul pattern (SDPA would export differently).
    config = transformers.BertConfig(attn_implementation="eager")
    try:
        config._attn_implementation = "eager"
    except Exception:  # noqa: BLE001 - attribute absent or read-only in some versions
        pass
    bert = transformers.BertModel(config, add_pooling_layer=True).eval()

    class Wrapper(torch.nn.Module):
        """Return a plain tuple (last_hidden_state, pooler_output)."""

        def __init__(self, inner):
            super().__init__()
            self.bert = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                            token_type_ids=token_type_ids, return_dict=False)
            return out[0], out[1]

    ids = torch.randint(1000, config.vocab_size, (1, SEQ), generator=gen, dtype=torch.int64)
    valid = SEQ - 28
    ids[0, 0], ids[0, valid - 1] = 101, 102
    ids[0, valid:] = 0
    mask = torch.zeros(1, SEQ, dtype=torch.int64)
    mask[0, :valid] = 1
    inputs = (ids, mask)
    names = ["input_ids", "attention_mask"]
    if args.token_type_ids:
        tt = torch.zeros(1, SEQ, dtype=torch.int64)
        tt[0, valid // 2:valid] = 1
        inputs += (tt,)
        names.append("token_type_ids")
    return Wrapper(bert).eval(), inputs, names, ["last_hidden_state", "pooler_output"]


BUILDERS = {"resnet50": ("torchvision", make_resnet50),
            "mobilenetv2": ("torchvision", make_mobilenetv2),
            "bert-base": ("transformers", make_bert)}


def export_one(torch, name: str, outdir: str, args) -> bool:
    import onnx
    from onnx import numpy_helper

    module_name, make = BUILDERS[name]
    try:
        __import__(module_name)
    except ImportError:
        print(f"{name}: {module_name} not installed: skipped")
        return True
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model, inputs, input_names, output_names = make(torch, gen, args)

    mdir = os.path.join(outdir, name)
    ds = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ds, exist_ok=True)
    for f in os.listdir(ds):
        if f.endswith(".pb"):
            os.remove(os.path.join(ds, f))
    path = os.path.join(mdir, "model.onnx")

    kwargs = dict(opset_version=OPSET, do_constant_folding=True, export_params=True,
                  input_names=input_names, output_names=output_names,
                  training=torch.onnx.TrainingMode.EVAL)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter, as build_models.py replicates
    t0 = time.time()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model(*inputs)
        try:
            torch.onnx.export(model, inputs, path, **kwargs)
        except Exception as e:  # noqa: BLE001
            if kwargs.get("dynamo") is not False:
                raise
            # A torch without the TorchScript exporter: fall back to the dynamo one
            # (its graphs differ from what build_models.py replicates).
            print(f"{name}: TorchScript exporter failed ({type(e).__name__}: {e}); retrying with dynamo=True")
            kwargs["dynamo"] = True
            torch.onnx.export(model, inputs, path, **kwargs)
    t_export = time.time() - t0
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    expected = [t.detach().cpu().numpy() for t in expected]

    onnx.checker.check_model(path, full_check=True)
    mb = os.path.getsize(path) / 1e6
    feeds = {n: t.detach().cpu().numpy() for n, t in zip(input_names, inputs)}
    for j, (iname, arr) in enumerate(feeds.items()):
        with open(os.path.join(ds, f"input_{j}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(arr, iname).SerializeToString())
    for j, (oname, arr) in enumerate(zip(output_names, expected)):
        with open(os.path.join(ds, f"output_{j}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(arr, oname).SerializeToString())

    nnodes = len(onnx.load(path, load_external_data=False).graph.node)
    line = f"{name}: {nnodes} nodes, {mb:.1f} MB, exported in {t_export:.1f} s"
    shapes = ", ".join(f"{n} {list(a.shape)}" for n, a in zip(output_names, expected))
    ok = True
    try:
        import numpy as np
        import onnxruntime as ort

        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = sess.run(output_names, feeds)
        diffs = [float(np.max(np.abs(g - e))) for g, e in zip(got, expected)]
        close = all(np.allclose(g, e, rtol=1e-3, atol=1e-4) for g, e in zip(got, expected))
        ok = close
        line += f", onnxruntime vs torch max |diff| {max(diffs):.2e}{'' if close else ' (MISMATCH)'}"
    except ImportError:
        line += ", onnxruntime not installed"
    print(f"{line}: {shapes}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--only", action="append", choices=MODELS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--token-type-ids", action="store_true",
                        help="bert-base: take token_type_ids as a third input")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch not installed: skipped")
        return 0
    ok = True
    for name in args.only or MODELS:
        ok &= export_one(torch, name, args.outdir, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
