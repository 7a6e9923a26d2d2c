#!/usr/bin/env python3
"""Small configurations of test/models/build_models.py's MobileNetV2 and BERT
for the cross-target tests (qemu-user emulates a CPU 10-50x slower than the
host runs it):

  mobilenetv2  the full torchvision graph and width (3.5 M parameters), on a
               1x3x96x96 input instead of 224x224 (the network is
               resolution-independent up to its GlobalAveragePool).
  bert-2l      BertModel with 2 layers, hidden 128, 2 heads, FFN 512,
               vocabulary 2000, 64 positions, sequence 48 (last 28 padding).

    small_models.py OUTDIR [--only mobilenetv2|bert-2l]

writes OUTDIR/<name>/model.onnx and OUTDIR/<name>/input_<j>.bin (raw, in the
model's input order); a model already there is not rebuilt.
"""
import argparse
import os
import sys

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(ROOT, "test", "models"))
import build_models  # noqa: E402


def mobilenetv2():
    model, _ = build_models.build_mobilenetv2(seed=0)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value = dims[3].dim_value = 96
    x = np.random.default_rng(1).standard_normal((1, 3, 96, 96), dtype=np.float32)
    return model, [x]


def bert_2l():
    build_models.BERT.update(hidden=128, heads=2, head_dim=64, ffn=512, layers=2,
                             vocab=2000, max_pos=64, seq=48)
    model, feeds = build_models.build_bert(seed=0)
    return model, [feeds[i.name] for i in model.graph.input]


MODELS = {"mobilenetv2": mobilenetv2, "bert-2l": bert_2l}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--only", action="append", choices=sorted(MODELS))
    args = ap.parse_args()
    for name in args.only or sorted(MODELS):
        d = os.path.join(args.outdir, name)
        if os.path.exists(os.path.join(d, "model.onnx")):
            continue
        os.makedirs(d, exist_ok=True)
        model, inputs = MODELS[name]()
        for j, x in enumerate(inputs):
            np.ascontiguousarray(x).tofile(os.path.join(d, "input_%d.bin" % j))
        onnx.save(model, os.path.join(d, "model.onnx"))
        print("%s: %d inputs" % (name, len(inputs)))


if __name__ == "__main__":
    main()
