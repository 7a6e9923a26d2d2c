#!/usr/bin/env python3
"""Builds an ONNX model for a lit test.

  mkmodel.py SPEC OUT.onnx

SPEC is either a text file in ONNX's textual syntax (parsed with
onnx.parser.parse_model; nodes are named after their first output) or a Python file (*.py) that defines `model` (a
ModelProto) using onnx.helper; it may also write side files (external data)
next to OUT, whose folder it gets as OUT_DIR (SPEC_DIR: the spec's folder).
"""
import os
import sys

import onnx
import onnx.parser


def main():
    spec, out = sys.argv[1], sys.argv[2]
    if spec.endswith(".py"):
        env = {"OUT_DIR": os.path.dirname(os.path.abspath(out)), "os": os,
               "SPEC_DIR": os.path.dirname(os.path.abspath(spec)),
               "__name__": "mkmodel"}
        with open(spec) as f:
            exec(compile(f.read(), spec, "exec"), env)
        model = env["model"]
    else:
        with open(spec) as f:
            model = onnx.parser.parse_model(f.read())
    # Text specs cannot name nodes: name each unnamed node after its first
    # output, as many exporters do, so errors can be checked by node name.
    if not spec.endswith(".py"):
        for node in model.graph.node:
            if not node.name and node.output:
                node.name = node.output[0]
    with open(out, "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
