#!/usr/bin/env python3
"""Kiln vs ONNX Runtime, side by side, on the same machine, inputs and threads.

Models: every DIR/<name>/model.onnx of --models (the zoo that
test/models/build_models.py writes, default build/models) and the
micro-models of micro_models.py, built into build/perf-models on first use
(--no-micro leaves them out, unless --only names them):

  gemm_512x1024x1024  MatMul of an input [512, 1024] by a constant [1024, 1024]
  conv3x3             Conv 1x64x56x56, 64 -> 64, 3x3, pad 1
  conv1x1             Conv 1x256x56x56, 256 -> 64, 1x1
  depthwise3x3        Conv 1x144x56x56, group 144, 3x3, pad 1

For each model it compiles a .so with kiln-compile (-O3 --cpu=native unless
--opt/--cpu say otherwise; the wall time is the compile time), runs it once
with kiln-run on DIR/<name>/test_data_set_0 and compares the outputs with
ONNX Runtime's (rtol 1e-3, atol 1e-4): a model whose outputs differ is
reported as WRONG and not timed. Then, at each thread count of --threads, it
alternates --rounds timing rounds of ONNX Runtime (in this process, CPU
execution provider, intra-op threads = threads, all graph optimizations) and
of `kiln-run --bench` (--iterations runs after as many warm-up runs, at
least 3, in a new process: ONNX Runtime's session stays warm between rounds).
Machines are noisy and absolute times drift, so the rounds are interleaved
and the report is the ratio of the medians over rounds:

    ORT/Kiln = ONNX Runtime median / Kiln median   (> 1: Kiln is faster)

It also reports the .so size, the initializer bytes of the .onnx (external
data included) and their difference (code and tables), the peak RSS of the
kiln-run process that checked the outputs, and ONNX Runtime's session
creation time and peak RSS measured in a process of its own (ort_probe.py).
Before the models it measures the single-core fp32 FMA peak of the CPU with
fma_peak.c (compiled with clang-22 or cc -O2 -march=native); the
micro-models report GFLOP/s and efficiency = GFLOP/s / (peak x threads).

This is a script, not a test: it never fails on speed.

Usage:
    test/perf/bench.py [--models DIR] [--only NAME[,NAME]] [--micro | --no-micro]
                       [--micro-cache DIR]
                       [--threads N[,N]] [--rounds N] [--iterations N]
                       [--cpu CPU] [--opt N] [--kiln-compile PATH] [--kiln-run PATH]
                       [--json OUT.json] [--markdown OUT.md]

Example (a GEMM and a convolution, 1 and 2 threads):
    .venv/bin/python test/perf/bench.py --only gemm_512x1024x1024,conv3x3 \\
        --threads 1,2 --markdown perf.md --json perf.json
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace

import numpy as np
import onnxruntime as ort

from machine import cpu_model_name, kiln_version, measure_fma_peak
from measure import (Kiln, compare_outputs, load_inputs, ort_baseline_rss, ort_probe,
                     weights_bytes)
from micro_models import MICRO_MODELS, build_micro_models, micro_flops
from ort_probe import make_session
from report import (MB, Machine, Row, console_header, console_row, fmt, write_json,
                    write_markdown)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Seconds of quiet between the ONNX Runtime and the Kiln rounds.
SETTLE_S = 0.2


@dataclass
class Case:
    """A model to benchmark: DIR/model.onnx and its inputs DIR/test_data_set_0."""
    name: str
    dir: str

    @property
    def onnx(self) -> str:
        return os.path.join(self.dir, "model.onnx")

    @property
    def inputs(self) -> str:
        return os.path.join(self.dir, "test_data_set_0")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default=os.path.join(ROOT, "build", "models"),
                   help="model zoo directory (default: build/models)")
    p.add_argument("--micro-cache", default=os.path.join(ROOT, "build", "perf-models"),
                   help="where the micro-models are built (default: build/perf-models)")
    p.add_argument("--micro", action=argparse.BooleanOptionalAction, default=True,
                   help="include the micro-models (default: yes)")
    p.add_argument("--only", default="", help="comma-separated model names")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--iterations", type=int, default=5, help="runs per round")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    p.add_argument("--cpu", default="native", help="kiln-compile --cpu")
    p.add_argument("--opt", type=int, default=3, help="kiln-compile -O level")
    p.add_argument("--kiln-compile", default=os.path.join(ROOT, "build", "bin", "kiln-compile"))
    p.add_argument("--kiln-run", default=os.path.join(ROOT, "build", "bin", "kiln-run"))
    p.add_argument("--json", default="", help="write the results as JSON here")
    p.add_argument("--markdown", default="", help="write a markdown report here")
    return p.parse_args()


def select_cases(args: argparse.Namespace) -> list[Case]:
    """Zoo models, then micro-models, filtered by --only. A micro-model is built
    only if selected; --only selects one even with --no-micro."""
    zoo = zoo_names(args.models)
    micro = list(MICRO_MODELS) if args.micro or args.only else []
    wanted = [n for n in args.only.split(",") if n]
    unknown = [n for n in wanted if n not in zoo and n not in micro]
    if unknown:
        print(f"bench: unknown model(s) {', '.join(unknown)} (not in {args.models} "
              f"nor micro-models {', '.join(MICRO_MODELS)})", file=sys.stderr)
    keep = (lambda n: n in wanted) if wanted else (lambda n: True)
    cases = [Case(n, os.path.join(args.models, n)) for n in zoo if keep(n)]
    micro_dirs = build_micro_models(args.micro_cache, [n for n in micro if keep(n)])
    return cases + [Case(n, d) for n, d in micro_dirs.items()]


def zoo_names(models: str) -> list[str]:
    """The models of a directory laid out as build_models.py writes it."""
    if not os.path.isdir(models):
        return []
    return sorted(d for d in os.listdir(models)
                  if os.path.exists(os.path.join(models, d, "model.onnx")))


def describe_machine(args: argparse.Namespace, kiln: Kiln, threads: list[int]) -> Machine:
    peak = measure_fma_peak()
    return Machine(
        date_utc=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        cpu_model=cpu_model_name(), logical_cpus=os.cpu_count() or 0,
        isa=peak.isa, fma_peak_gflops=peak.gflops, fma_probe=peak.note,
        kiln_version=kiln_version(args.kiln_compile), onnxruntime_version=ort.__version__,
        kiln_run_base_rss_bytes=kiln.baseline_rss(), ort_base_rss_bytes=ort_baseline_rss(),
        opt_level=args.opt, cpu_flag=args.cpu, threads=threads,
        rounds=args.rounds, iterations=args.iterations)


def bench_case(args: argparse.Namespace, kiln: Kiln, machine: Machine, case: Case,
               tmp: str) -> list[Row]:
    """Compiles one model, then checks and times it at every thread count."""
    so = os.path.join(tmp, case.name + ".so")
    compile_s, error = kiln.compile(case.onnx, so)
    static = Row(case.name, None, compile_s=compile_s, flops=micro_flops(case.name),
                 weights_bytes=weights_bytes(case.onnx))
    if error:
        return [report(replace(static, status="COMPILE ERROR", note=error))]
    static.so_bytes = os.path.getsize(so)
    static.so_minus_weights_bytes = static.so_bytes - static.weights_bytes
    static.arena_bytes = kiln.workspace_bytes(so, case.inputs)
    rows = [report(bench_threads(args, kiln, machine, case, so,
                                 replace(static, threads=threads)))
            for threads in machine.threads]
    os.remove(so)
    return rows


def bench_threads(args: argparse.Namespace, kiln: Kiln, machine: Machine, case: Case,
                  so: str, row: Row) -> Row:
    """Fills row: outputs checked against ONNX Runtime, RSS, then interleaved timings."""
    threads = row.threads
    try:
        session = make_session(case.onnx, threads)
        feeds = load_inputs(case.inputs, [i.name for i in session.get_inputs()])
        reference = session.run(None, feeds)  # also ONNX Runtime's warm-up
        probe = ort_probe(case.onnx, feeds, threads)
    except Exception as e:  # onnxruntime raises its own exception types
        row.status, row.note = "ORT ERROR", str(e).strip().splitlines()[0]
        return row
    row.ort_session_s, row.ort_rss_bytes = probe.session_s, probe.max_rss_bytes
    output_names = [o.name for o in session.get_outputs()]
    if not check_kiln(kiln, case, so, row, output_names, reference):
        return row
    try:
        ort_ms, kiln_ms = interleaved_medians(args, kiln, case, so, threads, session, feeds)
    except RuntimeError as e:
        row.status, row.note = "KILN ERROR", str(e)
        return row
    row.set_times(ort_ms, kiln_ms, machine.fma_peak_gflops)
    return row


def check_kiln(kiln: Kiln, case: Case, so: str, row: Row, output_names: list[str],
               reference: list[np.ndarray]) -> bool:
    """One kiln-run: its peak RSS, and its outputs against ONNX Runtime's (else
    row.status is KILN ERROR or WRONG)."""
    with tempfile.TemporaryDirectory(prefix="kiln-out-") as out:
        run = kiln.run_outputs(so, case.inputs, row.threads, out)
        if run.returncode != 0:
            row.status, row.note = "KILN ERROR", run.error()
            return False
        row.kiln_rss_bytes = run.max_rss_bytes
        ok, row.note = compare_outputs(out, output_names, reference)
    if not ok:
        row.status = "WRONG"
    return ok


def interleaved_medians(args: argparse.Namespace, kiln: Kiln, case: Case, so: str,
                        threads: int, session: ort.InferenceSession,
                        feeds: dict[str, np.ndarray]) -> tuple[float, float]:
    """(ONNX Runtime ms, Kiln ms): medians over rounds of the medians of each round."""
    ort_rounds, kiln_rounds = [], []
    for _ in range(args.rounds):
        ort_rounds.append(statistics.median(ort_times_ms(session, feeds, args.iterations)))
        # ONNX Runtime's workers spin for a while after a run; on a machine
        # with as many cores as threads they would slow the first runs of
        # kiln-run down (a millisecond-long micro-model's whole round).
        time.sleep(SETTLE_S)
        kiln_rounds.append(kiln.bench_ms(so, case.inputs, threads, args.iterations))
        time.sleep(SETTLE_S)
    return statistics.median(ort_rounds), statistics.median(kiln_rounds)


def ort_times_ms(session: ort.InferenceSession, feeds: dict[str, np.ndarray],
                 iterations: int) -> list[float]:
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def summary(machine: Machine) -> str:
    peak = fmt(machine.fma_peak_gflops, ".1f", missing="?")
    return (f"{machine.cpu_model} ({machine.isa}), FMA peak {peak} GFLOP/s (1 core, fp32)\n"
            f"kiln-compile: {machine.kiln_version}; onnxruntime {machine.onnxruntime_version}\n"
            f"RSS alone: kiln-run {fmt(machine.kiln_run_base_rss_bytes, '.0f', MB, '?')} MB, "
            f"python + onnxruntime {fmt(machine.ort_base_rss_bytes, '.0f', MB, '?')} MB")


def report(row: Row) -> Row:
    print(console_row(row), flush=True)
    return row


def main() -> int:
    args = parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    cases = select_cases(args)
    if not cases:
        print(f"bench: no models (run test/models/build_models.py {args.models}, "
              "or leave out --no-micro)", file=sys.stderr)
        return 2
    kiln = Kiln(args.kiln_compile, args.kiln_run, args.cpu, args.opt)
    machine = describe_machine(args, kiln, threads)
    print(summary(machine))
    print(console_header(), flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        for case in cases:
            rows += bench_case(args, kiln, machine, case, tmp)
    if args.json:
        write_json(args.json, machine, rows)
    if args.markdown:
        write_markdown(args.markdown, machine, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
