#!/usr/bin/env python3
"""Compiles a model for the host and for a cross target, runs both with
kiln-runner (the target's under qemu-user) on the same inputs and compares
every output within fp32 tolerance.

    cross_check.py --build BUILD --target TRIPLE [--cpu CPU] [--qemu-cpu QCPU]
                   --model M.onnx --out DIR [--inputs A.bin B.bin ...]
                   [--rtol R] [--atol A] [--reuse-host]

Missing inputs are filled by kiln-runner with the same fixed pattern on both
sides. Prints one line per output with the max abs error, then
"cross: <target> <cpu> match" (exit 0) or "... MISMATCH" (exit 1), and the
compile and run times.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32,
          "int8": np.int8, "uint8": np.uint8, "bool": np.uint8, "int16": np.int16,
          "uint16": np.uint16, "float16": np.float16, "uint32": np.uint32, "uint64": np.uint64}
QEMU = {"aarch64": "qemu-aarch64", "arm": "qemu-arm", "riscv64": "qemu-riscv64"}


def multiarch(triple):
    parts = triple.split("-")
    arch = parts[0]
    if arch.startswith("arm") or arch.startswith("thumb"):
        arch = "arm"
    return arch + "-linux-" + parts[-1], arch


def run(cmd, env=None):
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("cross_check: failed (%d): %s\n%s%s" % (r.returncode, " ".join(cmd), r.stdout, r.stderr))
    return r.stdout, time.time() - t0


def outputs(listing):
    """[(name, dtype)] from kiln-runner's 'output i name dtype [dims]' lines."""
    res = []
    for line in listing.splitlines():
        p = line.split()
        if p and p[0] == "output":
            res.append((p[2], p[3]))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--cpu", default="")
    ap.add_argument("--qemu-cpu", default="")
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--inputs", nargs="*", default=[])
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--reuse-host", action="store_true",
                    help="keep OUT/host outputs from an earlier call with the same model")
    args = ap.parse_args()
    kc = os.path.join(args.build, "bin", "kiln-compile")
    ma, arch = multiarch(args.target)
    tag = args.target + ("-" + args.cpu if args.cpu else "")
    host_dir = os.path.join(args.out, "host")
    tgt_dir = os.path.join(args.out, tag)
    os.makedirs(host_dir, exist_ok=True)
    os.makedirs(tgt_dir, exist_ok=True)

    host_so = os.path.join(host_dir, "model.so")
    if not (args.reuse_host and os.path.exists(os.path.join(host_dir, "listing.txt"))):
        _, t_host = run([kc, args.model, "-o", host_so])
        listing, _ = run([os.path.join(args.build, "bin", "kiln-runner"), host_so, host_dir] + args.inputs)
        open(os.path.join(host_dir, "listing.txt"), "w").write(listing)
        print("host: compiled in %.1fs" % t_host)
    listing = open(os.path.join(host_dir, "listing.txt")).read()

    so = os.path.join(tgt_dir, "model.so")
    cmd = [kc, args.model, "--target=" + args.target, "-o", so]
    if args.cpu:
        cmd.append("--cpu=" + args.cpu)
    _, t_compile = run(cmd)
    qemu = [QEMU[arch], "-L", "/usr/" + ma]
    if args.qemu_cpu:
        qemu += ["-cpu", args.qemu_cpu]
    runner = os.path.join(args.build, "lib", ma, "kiln-runner")
    tgt_listing, t_run = run(qemu + [runner, so, tgt_dir] + args.inputs)
    if tgt_listing != listing:
        sys.exit("cross_check: the target describes the model differently:\n%s---\n%s"
                 % (listing, tgt_listing))

    ok = True
    for i, (name, dtype) in enumerate(outputs(listing)):
        t = DTYPES[dtype]
        want = np.fromfile(os.path.join(host_dir, "output_%d.bin" % i), dtype=t)
        got = np.fromfile(os.path.join(tgt_dir, "output_%d.bin" % i), dtype=t)
        if np.issubdtype(t, np.floating):
            want64, got64 = want.astype(np.float64), got.astype(np.float64)
            err = np.abs(got64 - want64)
            good = bool(np.all(err <= args.atol + args.rtol * np.abs(want64)))
            print("  output %d %s: %d values, max abs error %.3g%s"
                  % (i, name, want.size, err.max() if err.size else 0.0, "" if good else " (too large)"))
        else:
            good = bool(np.array_equal(want, got))
            print("  output %d %s: %d values, %s" % (i, name, want.size, "equal" if good else "DIFFER"))
        ok = ok and good
    print("cross: %s %s %s (compile %.1fs, run under qemu %.1fs)"
          % (args.target, args.cpu or "default", "match" if ok else "MISMATCH", t_compile, t_run))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
