#!/usr/bin/env python3
"""Import whole models with kiln-compile and check that every type is static.

For each model directory under --models (a directory holding model.onnx, as
written by build_models.py or export_torch_models.py) it runs

    kiln-compile MODEL/model.onnx --emit=onnx -o -
    kiln-compile MODEL/model.onnx --emit=onnx --summary   (timed)

measures the wall time and the peak RSS of the second (the import and graph
pipeline without printing the weights as text; os.wait4 rusage of the child
itself, so it includes the ~90 MB the process occupies before reading a byte),
and scans the printed MLIR: every `tensor<...>` type must be
fully static (no `?` dimension, no unranked `tensor<*x...>`).  Offending lines
are reported (the first few per model).

It prints a table

    model | file MB | import s | peak RSS MB | (RSS-base)/file | static

where base is the RSS of importing the tiny bundled example (the process's own
footprint), so the ratio is the memory the import of the model itself takes.

and exits non-zero if a model fails to import or is not fully static.  The last
line is `models: N passed, M failed`.

Usage:
    test/models/check_import.py --models DIR [--kiln-compile PATH] [--only NAME ...]
                                [--timeout S] [--max-rss-ratio R] [--show N] [--keep DIR]

    --models DIR         directory of model dirs (or one model dir)
    --kiln-compile PATH  default: build/bin/kiln-compile
    --only NAME          check only this model (repeatable)
    --timeout S          seconds per model (default: 600)
    --max-rss-ratio R    also fail a model whose peak RSS / file size exceeds R
    --show N             offending lines to print per model (default: 5)
    --keep DIR           keep the printed MLIR as DIR/<model>.mlir
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo import COMPILE_FLAGS  # noqa: E402

TENSOR_RE = re.compile(r"tensor<([^<>]*)>")


def model_dirs(root: str) -> list[str]:
    if os.path.isfile(os.path.join(root, "model.onnx")):
        return [root]
    return sorted(os.path.join(root, d) for d in os.listdir(root)
                  if os.path.isfile(os.path.join(root, d, "model.onnx")))


def model_bytes(mdir: str) -> int:
    """model.onnx plus any external-data files next to it (test data excluded)."""
    total = 0
    for entry in os.listdir(mdir):
        p = os.path.join(mdir, entry)
        if os.path.isfile(p) and not entry.endswith((".mlir", ".json", ".txt")):
            total += os.path.getsize(p)
    return total


def run_measured(cmd: list[str], stdout_path: str, timeout: float) -> tuple[int | None, str, float, int]:
    """Run cmd with stdout to a file; return (rc or None on timeout, stderr, seconds, max RSS bytes)."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            # wait4 gives the rusage of this child alone (RUSAGE_CHILDREN would
            # be the maximum over every child waited for so far).
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux.
    rc = None if timed_out.is_set() else proc.returncode
    return rc, stderr, seconds, usage.ru_maxrss * 1024


def dynamic_lines(mlir_path: str) -> tuple[int, int, list[tuple[int, str]]]:
    """Return (number of tensor types, number of non-static ones, offending lines)."""
    n_types = n_bad = 0
    bad: list[tuple[int, str]] = []
    with open(mlir_path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("{-#"):
                break  # dialect resources (weights) follow; no types there
            types = TENSOR_RE.findall(line)
            if not types:
                continue
            n_types += len(types)
            nb = sum(1 for t in types if t.startswith("*") or "?" in t.split(",")[0])
            if nb:
                n_bad += nb
                bad.append((lineno, line.strip()))
    return n_types, n_bad, bad


def truncate(text: str, n: int = 200) -> str:
    """Shorten the middle of a line: the result types are at its end."""
    if len(text) <= n:
        return text
    head = n // 3
    return text[:head] + " ... " + text[-(n - head - 5):]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", required=True)
    parser.add_argument("--kiln-compile", default="build/bin/kiln-compile")
    parser.add_argument("--only", action="append")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--max-rss-ratio", type=float, default=None)
    parser.add_argument("--show", type=int, default=5)
    parser.add_argument("--keep", default=None)
    args = parser.parse_args(argv)

    compiler = os.path.abspath(args.kiln_compile)
    if not os.access(compiler, os.X_OK):
        print(f"check_import: kiln-compile not found or not executable: {args.kiln_compile}", file=sys.stderr)
        print("models: 0 passed, 1 failed")
        return 2
    if not os.path.isdir(args.models):
        print(f"check_import: no such directory: {args.models} (build it with test/models/build_models.py)",
              file=sys.stderr)
        print("models: 0 passed, 1 failed")
        return 2
    dirs = model_dirs(args.models)
    if args.only:
        dirs = [d for d in dirs if os.path.basename(os.path.normpath(d)) in args.only]
    if not dirs:
        print(f"check_import: no model.onnx under {args.models}", file=sys.stderr)
        print("models: 0 passed, 1 failed")
        return 2
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)

    rows = []
    passed = failed = 0
    # The process's own footprint (shared libraries, the MLIR context) before
    # it reads a model, measured on the tiny bundled example.
    example = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "examples", "tiny_cnn", "model.onnx")
    _, _, _, baseline = run_measured([compiler, example, "--emit=onnx", "--summary"],
                                     os.devnull, args.timeout)
    tmpdir = tempfile.mkdtemp(prefix="kiln-check-import-")
    try:
        for mdir in dirs:
            name = os.path.basename(os.path.normpath(mdir))
            mlir = os.path.join(tmpdir, f"{name}.mlir")
            flags = COMPILE_FLAGS.get(name, [])  # dynamic dims fixed as the user would
            cmd = [compiler, os.path.join(mdir, "model.onnx"), "--emit=onnx", "-o", "-"] + flags
            rc, stderr, _, _ = run_measured(cmd, mlir, args.timeout)
            if rc == 0:
                # Time and memory of the import itself (import + graph
                # pipeline, no textual printing of the weights).
                summary = [compiler, os.path.join(mdir, "model.onnx"), "--emit=onnx", "--summary"] + flags
                rc, stderr, seconds, rss = run_measured(summary, os.devnull, args.timeout)
            else:
                seconds, rss = 0.0, 0
            size = model_bytes(mdir)
            problems: list[str] = []
            static = "-"
            if rc is None:
                problems.append(f"timeout after {args.timeout:.0f} s")
            elif rc != 0:
                first = next((ln for ln in stderr.splitlines() if ln.strip()), f"exit code {rc}")
                problems.append(f"import failed (rc {rc}): {truncate(first)}")
            else:
                n_types, n_bad, bad = dynamic_lines(mlir)
                if n_types == 0:
                    problems.append("no tensor types in the output")
                static = "yes" if n_bad == 0 and n_types else "no"
                if n_bad:
                    problems.append(f"{n_bad} of {n_types} tensor types are not static, on {len(bad)} lines:")
                    for lineno, text in bad[: args.show]:
                        problems.append(f"  line {lineno}: {truncate(text)}")
                    if len(bad) > args.show:
                        problems.append(f"  ... {len(bad) - args.show} more lines")
            ratio = max(rss - baseline, 0) / size if size else 0.0
            if args.max_rss_ratio is not None and rc == 0 and ratio > args.max_rss_ratio:
                problems.append(f"peak RSS is {ratio:.2f}x the file size (limit {args.max_rss_ratio})")
            if args.keep and os.path.exists(mlir):
                shutil.copyfile(mlir, os.path.join(args.keep, f"{name}.mlir"))
            if os.path.exists(mlir):
                os.remove(mlir)
            ok = not problems
            passed += ok
            failed += not ok
            rows.append((name, size / 1e6, seconds, rss / 1e6, ratio, static, ok, problems))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    print(f"kiln-compile: {compiler} (process baseline {baseline / 1e6:.0f} MB RSS)")
    header = f"{'model':<20s} {'file MB':>9s} {'import s':>9s} {'peak RSS MB':>12s} {'(RSS-base)/file':>16s} {'static':>7s}  result"
    print(header)
    print("-" * len(header))
    for name, mb, secs, rss_mb, ratio, static, ok, _ in rows:
        print(f"{name:<20s} {mb:9.1f} {secs:9.2f} {rss_mb:12.1f} {ratio:16.2f} {static:>7s}  {'PASS' if ok else 'FAIL'}")
    for name, *_, ok, problems in rows:
        if problems:
            print(f"\n{name}:")
            for p in problems:
                print(f"  {p}")
    print(f"models: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
