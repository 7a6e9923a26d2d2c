#!/usr/bin/env python3
"""ONNX Runtime in a process of its own, so that its peak RSS is its own.

    ort_probe.py MODEL.onnx INPUTS.npz THREADS
    ort_probe.py --baseline

creates a session (CPU execution provider, all graph optimizations, THREADS
intra-op threads), runs it once on the arrays of INPUTS.npz (by input name)
and prints {"session_s": ..., "first_run_ms": ...}. bench.py reads the peak
RSS of this process when it exits. It imports only numpy and onnxruntime (not
onnx) to count no more than an ONNX Runtime user would; --baseline stops after
the imports (the RSS of Python with onnxruntime loaded, no model).
bench.py also imports make_session from here for its in-process timing.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import onnxruntime as ort


def make_session(model: str, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def main(argv: list[str]) -> int:
    if argv[1:] == ["--baseline"]:
        print("{}")
        return 0
    model, inputs, threads = argv[1], argv[2], int(argv[3])
    with np.load(inputs) as npz:
        feeds = {name: npz[name] for name in npz.files}
    start = time.perf_counter()
    session = make_session(model, threads)
    session_s = time.perf_counter() - start
    start = time.perf_counter()
    session.run(None, feeds)
    first_run_ms = (time.perf_counter() - start) * 1000.0
    print(json.dumps({"session_s": session_s, "first_run_ms": first_run_ms}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
