#!/usr/bin/env python3
"""Where a model's time goes, per ONNX node: Kiln beside ONNX Runtime.

    .venv/bin/python test/perf/layers.py MODEL.onnx [--threads N] [--iterations N]
                                        [--kiln-compile PATH] [--kiln-run PATH] [--no-ort]

A script for finding what to work on, not a test. Kiln: the model is compiled
(-O3 --cpu=native) with the IR after kiln-outline-parallel printed with its
locations; every thread tile body (kiln_par_N, called through kiln_tramp_N)
is named after the ONNX node its ops come from (a Conv, Gemm, MatMul or pool
when several are fused: the conv, not its activation), and `perf record` of
`kiln-run --bench` gives each body's share of the samples, scaled to the
median run time. Samples outside the tile bodies (main's serial work, the
runtime) are listed as such. ONNX Runtime: its own per-node profile
(SessionOptions.enable_profiling, all graph optimizations), so fused nodes
appear under the name ONNX Runtime gives them (a Conv + Relu in NCHWc:
".../Relu_output_0_nchwc").

Needs `perf` (Debian: linux-perf) and onnxruntime. Times are noisy on a
shared machine: compare shares within one run, not across runs.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL_OPS = ("Conv", "Gemm", "MatMul", "Pool", "Attention")


def body_names(ir: str) -> dict[int, str]:
    """kiln_par_N -> the ONNX node most of its ops come from."""
    names = {}
    starts = list(re.finditer(r"func\.func private @kiln_par_(\d+)\(", ir))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(ir)
        locs = [l for l in re.findall(r'loc\("([^"]+)"', ir[m.end():end]) if l.startswith("/")]
        kernels = [l for l in locs if any(k in l for k in KERNEL_OPS)]
        counts = collections.Counter(kernels or locs)
        names[int(m.group(1))] = counts.most_common(1)[0][0] if counts else "?"
    return names


def kiln_profile(args, tmp: str) -> tuple[list[tuple[str, float]], float]:
    so = os.path.join(tmp, "model.so")
    done = subprocess.run(
        [args.kiln_compile, args.model, "-O3", "--cpu=native", "-o", so,
         "--mlir-print-ir-after=kiln-outline-parallel", "--mlir-print-debuginfo",
         "--mlir-print-local-scope"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"kiln-compile failed: {done.stderr.strip().splitlines()[-1:]}")
    names = body_names(done.stderr)
    data = os.path.join(tmp, "perf.data")
    run = subprocess.run(
        ["perf", "record", "-q", "-o", data, args.kiln_run, so, "--random-inputs", "--bench",
         "--json", f"--iterations={args.iterations}", "--warmup=3",
         f"--threads={args.threads}"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"perf record / kiln-run failed: {run.stderr.strip()[-300:]}")
    median_ms = json.loads(run.stdout)["bench"]["median_ms"]
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--sort", "sym"],
                            capture_output=True, text=True).stdout
    shares: dict[str, float] = collections.defaultdict(float)
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[\.\]\s+(\S+)", line)
        if not m:
            continue
        pct, sym = float(m.group(1)), m.group(2)
        body = re.fullmatch(r"kiln_(?:tramp|par)_(\d+)", sym)
        shares[names.get(int(body.group(1)), "?") if body else f"[{sym}]"] += pct
    order = list(dict.fromkeys(names[k] for k in sorted(names)))
    order += sorted(k for k in shares if k not in order)
    return [(n, shares[n] * median_ms / 100.0) for n in order if shares.get(n)], median_ms


def ort_profile(args, tmp: str) -> list[tuple[str, float]]:
    import numpy as np
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.enable_profiling = True
    opts.profile_file_prefix = os.path.join(tmp, "ort_profile")
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.model, opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {}
    for i in session.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in i.shape]
        dtype = np.float32 if "float" in i.type else np.int64
        feeds[i.name] = rng.random(shape).astype(dtype)
    for _ in range(args.iterations):
        session.run(None, feeds)
    events = json.load(open(session.end_profiling()))
    total: dict[str, float] = collections.defaultdict(float)
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            total[e["name"][:-len("_kernel_time")]] += e["dur"] / 1000.0 / args.iterations
    return list(total.items())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--kiln-compile", default=os.path.join(ROOT, "build/bin/kiln-compile"))
    ap.add_argument("--kiln-run", default=os.path.join(ROOT, "build/bin/kiln-run"))
    ap.add_argument("--no-ort", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kiln, median = kiln_profile(args, tmp)
        print(f"Kiln: median {median:.2f} ms, {args.threads} thread(s); ms per node")
        for name, ms in kiln:
            print(f"{ms:9.3f}  {name}")
        if not args.no_ort:
            ort_nodes = ort_profile(args, tmp)
            print(f"\nONNX Runtime: {sum(ms for _, ms in ort_nodes):.2f} ms in nodes; "
                  "ms per node")
            for name, ms in ort_nodes:
                print(f"{ms:9.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
