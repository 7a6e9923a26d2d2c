#!/usr/bin/env python3
"""Kiln vs ONNX Runtime, side by side, on the same machine, inputs and threads.

For every model DIR/<name>/model.onnx (the zoo written by
test/models/build_models.py) it compiles a .so with kiln-compile (for the
host CPU unless --cpu says otherwise), then alternates timing rounds of
ONNX Runtime (CPU execution provider, intra-op threads = --threads, all
graph optimizations) and of kiln-run --bench on the inputs of
DIR/<name>/test_data_set_0. Machines are noisy and absolute times drift, so
the rounds are interleaved and the report is the ratio of the medians:

    ratio = Kiln median / ONNX Runtime median   (< 1: Kiln is faster)

Outputs are compared with ONNX Runtime's before timing (rtol 1e-3,
atol 1e-4); a model whose outputs differ is reported as WRONG, not timed.

This is a script, not a test: it never fails on speed.

Usage:
    test/perf/bench.py [--models DIR] [--only NAME[,NAME]] [--threads N[,N]]
                       [--iterations N] [--rounds N] [--cpu CPU]
                       [--kiln-compile PATH] [--kiln-run PATH] [--json OUT]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_inputs(model_dir: str, session: ort.InferenceSession) -> dict:
    files = sorted(glob.glob(os.path.join(model_dir, "test_data_set_0", "input_*.pb")))
    if len(files) != len(session.get_inputs()):
        raise RuntimeError(f"{model_dir}: expected {len(session.get_inputs())} input files")
    return {
        i.name: numpy_helper.to_array(onnx.load_tensor(f))
        for i, f in zip(session.get_inputs(), files)
    }


def ort_time(session: ort.InferenceSession, feeds: dict, iterations: int) -> list[float]:
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def kiln_time(args, so: str, model_dir: str, threads: int, iterations: int) -> list[float]:
    cmd = [args.kiln_run, so, "--input-dir", os.path.join(model_dir, "test_data_set_0"),
           "--bench", f"--iterations={iterations}", "--warmup=0", f"--threads={threads}",
           "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"kiln-run failed: {out.stderr.strip().splitlines()[-1:]}")
    # Per-iteration times are not printed; the median of one round stands
    # for the round.
    return [json.loads(out.stdout)["bench"]["median_ms"]]


def kiln_outputs_match(args, so: str, model_dir: str, session, feeds) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [args.kiln_run, so, "--input-dir", os.path.join(model_dir, "test_data_set_0"),
               "--output-dir", tmp]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            return False, out.stderr.strip().splitlines()[-1] if out.stderr else "kiln-run failed"
        ref = session.run(None, feeds)
        worst = 0.0
        for o, r in zip(session.get_outputs(), ref):
            got = np.load(os.path.join(tmp, o.name + ".npy"))
            if got.shape != r.shape or not np.allclose(got, r, rtol=1e-3, atol=1e-4):
                return False, f"{o.name} differs (max abs err {np.abs(got - r).max():.3g})"
            worst = max(worst, float(np.abs(got - r).max()) if r.size else 0.0)
        return True, f"max abs err {worst:.2g}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default=os.path.join(ROOT, "build", "models"))
    p.add_argument("--only", default="")
    p.add_argument("--threads", default="1")
    p.add_argument("--iterations", type=int, default=5, help="runs per round")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    p.add_argument("--cpu", default="native")
    p.add_argument("--kiln-compile", default=os.path.join(ROOT, "build", "bin", "kiln-compile"))
    p.add_argument("--kiln-run", default=os.path.join(ROOT, "build", "bin", "kiln-run"))
    p.add_argument("--json", default="")
    args = p.parse_args()

    names = sorted(d for d in os.listdir(args.models)
                   if os.path.exists(os.path.join(args.models, d, "model.onnx")))
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n in wanted]
    if not names:
        print(f"bench: no models in {args.models} (run test/models/build_models.py first)")
        return 2
    threads_list = [int(t) for t in args.threads.split(",")]

    results = []
    tmp = tempfile.mkdtemp(prefix="kiln-bench-")
    print(f"{'model':<14} {'threads':>7} {'ORT ms':>9} {'Kiln ms':>9} {'ratio':>7}  note")
    print("-" * 60)
    for name in names:
        model_dir = os.path.join(args.models, name)
        so = os.path.join(tmp, name + ".so")
        start = time.perf_counter()
        c = subprocess.run([args.kiln_compile, os.path.join(model_dir, "model.onnx"),
                            f"--cpu={args.cpu}", "-o", so], capture_output=True, text=True)
        compile_s = time.perf_counter() - start
        if c.returncode != 0:
            print(f"{name:<14} compile error: {c.stderr.strip().splitlines()[-1:]}")
            results.append({"model": name, "error": c.stderr.strip()})
            continue
        for threads in threads_list:
            so_opts = ort.SessionOptions()
            so_opts.intra_op_num_threads = threads
            so_opts.inter_op_num_threads = 1
            so_opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), so_opts,
                                           providers=["CPUExecutionProvider"])
            feeds = load_inputs(model_dir, session)
            ok, note = kiln_outputs_match(args, so, model_dir, session, feeds)
            if not ok:
                print(f"{name:<14} {threads:>7} {'':>9} {'':>9} {'':>7}  WRONG: {note}")
                results.append({"model": name, "threads": threads, "wrong": note})
                continue
            session.run(None, feeds)  # warm-up
            kiln_time(args, so, model_dir, threads, 1)
            ort_rounds, kiln_rounds = [], []
            for _ in range(args.rounds):
                ort_rounds.append(statistics.median(ort_time(session, feeds, args.iterations)))
                kiln_rounds += kiln_time(args, so, model_dir, threads, args.iterations)
            o, k = statistics.median(ort_rounds), statistics.median(kiln_rounds)
            print(f"{name:<14} {threads:>7} {o:>9.2f} {k:>9.2f} {k / o:>7.2f}  "
                  f"compile {compile_s:.1f} s, {note}")
            results.append({"model": name, "threads": threads, "ort_ms": o, "kiln_ms": k,
                            "ratio": k / o, "compile_s": compile_s,
                            "so_bytes": os.path.getsize(so)})
            sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": args.cpu, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
