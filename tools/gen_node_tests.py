#!/usr/bin/env python3
"""Write the ONNX backend node tests to disk in the standard test-data layout.

The pinned `onnx` wheel no longer ships `onnx/backend/test/data/node/`, but it
ships the case definitions (`onnx.backend.test.case.node`).  This script turns
them into

    OUT/<case.name>/model.onnx
    OUT/<case.name>/test_data_set_<i>/input_<j>.pb
    OUT/<case.name>/test_data_set_<i>/output_<j>.pb

the same layout `onnx/backend/test/cmd_tools.py generate-data` produces (sequence,
optional and map values are written as SequenceProto / OptionalProto / MapProto;
TensorProto values are written as they are).  It also writes `OUT/index.json`
(test name -> ONNX op type, expanded function tests mapped to the op they
expand) and `OUT/.stamp` (the versions of onnx, numpy and ml_dtypes, which
compute the reference outputs: ml_dtypes 0.7.0 changed float -> int4 casts).

Usage:
    tools/gen_node_tests.py [-o OUT] [--force] [--filter SUBSTR] [--op-type OP]

    -o OUT          output directory (default: build/onnx-node-tests)
    --force         regenerate even if OUT/.stamp matches the installed versions
    --filter SUBSTR only write cases whose name contains SUBSTR (no stamp written)
    --op-type OP    only collect cases for one op type (no stamp written)

Idempotent: if OUT/.stamp already holds the installed versions, it does
nothing.  Run it with the project venv (e.g. .venv/bin/python).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings

import numpy as np


def _value_proto(value, type_proto, name):
    """Serialize one input/output value according to its declared ONNX type."""
    import onnx
    from onnx import numpy_helper

    if type_proto.HasField("map_type"):
        return numpy_helper.from_dict(value, name)
    if type_proto.HasField("sequence_type"):
        return numpy_helper.from_list(value, name)
    if type_proto.HasField("optional_type"):
        return numpy_helper.from_optional(value, name)
    if isinstance(value, onnx.TensorProto):
        return value
    return numpy_helper.from_array(np.asarray(value) if not isinstance(value, np.ndarray) else value, name)


def _write_case(case, case_dir: str) -> None:
    if os.path.exists(case_dir):
        shutil.rmtree(case_dir)
    os.makedirs(case_dir)
    model = case.model
    with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    graph = model.graph
    for i, (inputs, outputs) in enumerate(case.data_sets or []):
        ds_dir = os.path.join(case_dir, f"test_data_set_{i}")
        os.makedirs(ds_dir)
        for kind, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for j, value in enumerate(values):
                info = infos[j]
                proto = _value_proto(value, info.type, info.name)
                with open(os.path.join(ds_dir, f"{kind}_{j}.pb"), "wb") as f:
                    f.write(proto.SerializeToString())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", default="build/onnx-node-tests")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--filter", default=None)
    parser.add_argument("--op-type", default=None)
    args = parser.parse_args(argv)

    # The case generators compute reference outputs with numpy and trigger
    # overflow/invalid-value warnings on purpose (e.g. casts, pow, log).
    np.seterr(all="ignore")
    warnings.filterwarnings("ignore")

    import onnx
    from onnx.backend.test.case import node

    import ml_dtypes
    import numpy

    out = args.output
    stamp = os.path.join(out, ".stamp")
    versions = (f"onnx {onnx.__version__}, numpy {numpy.__version__}, "
                f"ml_dtypes {ml_dtypes.__version__}")
    partial = bool(args.filter or args.op_type)
    if not args.force and not partial and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == versions:
                print(f"{out}: node tests for {versions} already generated (use --force)")
                return 0

    t0 = time.time()
    cases = node.collect_testcases(args.op_type)
    os.makedirs(out, exist_ok=True)
    if os.path.exists(stamp):
        os.remove(stamp)

    index: dict[str, str] = {}
    index_path = os.path.join(out, "index.json")
    if partial and os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    written = 0
    skipped = 0
    base_op = None
    for case in cases:
        if case.kind != "node" or case.model is None:
            skipped += 1
            continue
        nodes = case.model.graph.node
        if "_expanded" not in case.name and len(nodes) == 1:
            base_op = nodes[0].op_type
        # Expanded function tests are appended right after their base case.
        op_type = base_op if "_expanded" in case.name and base_op else (nodes[0].op_type if len(nodes) == 1 else "?")
        if args.filter and args.filter not in case.name:
            continue
        _write_case(case, os.path.join(out, case.name))
        index[case.name] = op_type
        written += 1

    with open(index_path, "w") as f:
        json.dump(index, f, indent=0, sort_keys=True)
    if not partial:
        # Remove directories of cases that no longer exist (older onnx).
        for entry in os.listdir(out):
            p = os.path.join(out, entry)
            if os.path.isdir(p) and entry not in index and os.path.exists(os.path.join(p, "model.onnx")):
                shutil.rmtree(p)
        with open(stamp, "w") as f:
            f.write(versions + "\n")
    print(f"{out}: wrote {written} node tests ({versions}, {skipped} skipped) in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
