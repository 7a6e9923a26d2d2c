#!/usr/bin/env python3
"""Compile whole models to .so with kiln-compile and check them against ONNX Runtime.

For each model directory under --models (model.onnx plus test_data_set_0 with
inputs and ONNX Runtime's outputs, as written by build_models.py) it runs

    kiln-compile MODEL/model.onnx -o TMP/model.so          (timed)
    kiln-run TMP/model.so --input-dir D --compare-dir D --rtol R --atol A --threads T --json

and reports compile time, .so size, the max abs/rel error per output and
pass/fail. Models with a dynamic dim get the --input-shape flags zoo.py's
COMPILE_FLAGS names. Tolerances: fp32, rtol 1e-4 / atol 1e-5 unless the table below
gives a model a documented looser bound (none does today).

Usage:
    test/models/check_e2e.py --models DIR [--only NAME ...] [--threads N]
                             [--kiln-compile PATH] [--kiln-run PATH]

The last line is `e2e: N passed, M failed`.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo import COMPILE_FLAGS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCES = {}  # name -> (rtol, atol): none needed so far
DEFAULT_TOL = (1e-4, 1e-5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--only", action="append")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--kiln-compile", default=os.path.join(ROOT, "build/bin/kiln-compile"))
    ap.add_argument("--kiln-run", default=os.path.join(ROOT, "build/bin/kiln-run"))
    args = ap.parse_args()
    names = sorted(d for d in os.listdir(args.models)
                   if os.path.exists(os.path.join(args.models, d, "model.onnx")))
    if args.only:
        names = [n for n in names if n in args.only]
    passed = failed = 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="kiln-e2e-") as tmp:
        for name in names:
            mdir = os.path.join(args.models, name)
            data = os.path.join(mdir, "test_data_set_0")
            so = os.path.join(tmp, name + ".so")
            t0 = time.time()
            c = subprocess.run([args.kiln_compile, os.path.join(mdir, "model.onnx"), "-o", so]
                               + COMPILE_FLAGS.get(name, []),
                               capture_output=True, text=True)
            compile_s = time.time() - t0
            if c.returncode != 0:
                rows.append((name, compile_s, 0, "compile failed: " + c.stderr.strip().splitlines()[-1]))
                failed += 1
                continue
            rtol, atol = TOLERANCES.get(name, DEFAULT_TOL)
            r = subprocess.run([args.kiln_run, so, "--input-dir", data, "--compare-dir", data,
                                "--rtol", str(rtol), "--atol", str(atol),
                                "--threads", str(args.threads), "--json"],
                               capture_output=True, text=True)
            size_mb = os.path.getsize(so) / 1e6
            if r.returncode == 2 or not r.stdout.strip():
                rows.append((name, compile_s, size_mb, "run failed: " + r.stderr.strip()))
                failed += 1
                continue
            outs = json.loads(r.stdout)["outputs"]
            detail = ", ".join(f"{o}: abs {v['max_abs_err']:.2g} rel {v['max_rel_err']:.2g}"
                               for o, v in outs.items())
            ok = r.returncode == 0 and all(v["ok"] for v in outs.values())
            rows.append((name, compile_s, size_mb,
                         ("PASS " if ok else "FAIL ") + f"(rtol {rtol}, atol {atol}) " + detail))
            passed += ok
            failed += not ok
    print(f"{'model':<14s} {'compile s':>9s} {'.so MB':>8s}  result")
    for name, cs, mb, res in rows:
        print(f"{name:<14s} {cs:9.2f} {mb:8.1f}  {res}")
    print(f"e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
