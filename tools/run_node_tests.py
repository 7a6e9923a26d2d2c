#!/usr/bin/env python3
"""Compile and run ONNX's backend node tests with kiln-compile and kiln-run.

For every TESTS/<name>/model.onnx (written by tools/gen_node_tests.py) it runs

    kiln-compile TESTS/<name>/model.onnx -o TMP/<name>.so
    kiln-run TMP/<name>.so --input-dir TESTS/<name>/test_data_set_<i> \\
             --compare-dir TESTS/<name>/test_data_set_<i> --rtol R --atol A --json

for every data set, in parallel, with a timeout per compile and per run.  A test
passes when it compiles and every data set matches.  Otherwise its status is

    compile error  kiln-compile failed (or timed out); reason: its first stderr line
    run error      kiln-run exited 2 or crashed (or timed out); reason: its first stderr line
    fail           an output differs from the reference beyond the tolerance

The tolerance is ONNX's (rtol 1e-3, atol 1e-7) unless TOLERANCES below names the
test; every entry there says why it needs a looser bound.

The expected-failure list (default test/e2e/node-xfail.txt) has one
`test_name: reason` per line; `#` starts a comment.  The script exits non-zero
when a test that is not on the list does not pass (unexpected failure) or a test
on the list passes (unexpected pass: remove it from the list).

Usage:
    tools/run_node_tests.py [--kiln-compile PATH] [--kiln-run PATH] [--tests DIR]
                            [--xfail FILE] [-j N] [--compile-timeout S]
                            [--run-timeout S] [--filter SUBSTR] [--json OUT.json]
                            [--write-xfail] [--keep DIR] [-v]

    --kiln-compile PATH   compiler (default: build/bin/kiln-compile)
    --kiln-run PATH       runner (default: build/bin/kiln-run)
    --tests DIR           node tests directory (default: build/onnx-node-tests)
    --xfail FILE          expected-failure list (default: test/e2e/node-xfail.txt)
    -j N                  parallel tests (default: number of CPUs)
    --compile-timeout S   seconds per compile (default: 60)
    --run-timeout S       seconds per kiln-run (default: 60)
    --filter SUBSTR       only run tests whose name contains SUBSTR
    --json OUT.json       write per-test results and the summary as JSON
    --write-xfail         rewrite the list from the current failures; existing
                          reasons are kept, new entries get the reason from
                          test/e2e/import-xfail.txt or "TODO: <first error line>"
    --keep DIR            keep the compiled .so files in DIR
    -v, --verbose         list every failure with its reason

The last line printed is always `node tests: N passed, M failed`, where N is the
number of tests that passed and M the number of unexpected failures plus
unexpected passes.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from import_rate import first_line, group_key, parse_xfail, truncate  # noqa: E402

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-7

# Per-test tolerances looser than ONNX's default: test name -> (rtol, atol, why).
# Only for results that are correct up to rounding (a different but valid order
# of floating-point operations, or a libm function of a different accuracy);
# never to hide a wrong result.
_BF16_ATTENTION = (1e-2, 1e-2, "bfloat16 (8-bit mantissa, ulp 2^-8): matmuls and softmax "
                   "rounded in another order, as far from the exact result as the reference")
_F32_FFT = (1e-3, 1e-5, "the expected outputs come from numpy's complex64 FFT, up to 1.5e-6 "
            "from the exact inverse DFT (outputs up to 54; Kiln sums in f64 and matches "
            "the exact result to f32 rounding)")
TOLERANCES: dict[str, tuple[float, float, str]] = {
    "test_dft_inverse": _F32_FFT,
    "test_dft_inverse_opset19": _F32_FFT,
    "test_attention_3d_causal_bf16_expanded": _BF16_ATTENTION,
    "test_attention_4d_attn_mask_causal_bf16_expanded": _BF16_ATTENTION,
    "test_attention_4d_causal_bf16_expanded": _BF16_ATTENTION,
    "test_attention_4d_causal_padded_kv_bf16_expanded": _BF16_ATTENTION,
    "test_attention_4d_padded_kv_bf16_expanded": _BF16_ATTENTION,
}

STATUSES = ("pass", "fail", "compile error", "run error")


def _run(cmd: list[str], timeout: float) -> tuple[int | None, str, str, float]:
    """Run cmd in its own session; return (rc or None on timeout, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:  # e.g. the binary is being relinked
        return 127, "", f"cannot run {os.path.basename(cmd[0])}: {e.strerror}", 0.0
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return None, "", "", time.monotonic() - t0
    return (proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
            time.monotonic() - t0)


def _reason(rc: int | None, stderr: str, tool: str, paths: dict[str, str], timeout: float) -> str:
    if rc is None:
        return f"timeout ({timeout:g} s)"
    line = first_line(stderr)
    # Keep reasons machine-independent: drop the tool prefix and the paths.
    for prefix in (f"{tool}: error: ",):
        if line.startswith(prefix):
            line = line[len(prefix):]
    for path, short in paths.items():
        line = line.replace(path + ": ", "").replace(path, short)
    if rc < 0:
        return f"crash (signal {-rc})" + (f": {line}" if line else "")
    return line or f"exit code {rc} without a message"


def run_test(name: str, args: argparse.Namespace, tmp: str) -> dict:
    test_dir = os.path.join(args.tests, name)
    model = os.path.join(test_dir, "model.onnx")
    structured = _structured_io(model)
    if structured is not None:
        return _run_structured_test(name, args, tmp, structured)
    so = os.path.join(tmp, name + ".so")
    rtol, atol, _ = TOLERANCES.get(name, (DEFAULT_RTOL, DEFAULT_ATOL, ""))
    result: dict = {"status": "pass", "reason": "", "rtol": rtol, "atol": atol}
    rc, _, err, secs = _run([args.kiln_compile, model, "-o", so], args.compile_timeout)
    result["compile_seconds"] = round(secs, 3)
    if rc != 0:
        result.update(status="compile error", stderr=err[-4000:],
                      reason=_reason(rc, err, "kiln-compile", {model: "model.onnx"}, args.compile_timeout))
        return result
    data_sets = sorted((d for d in os.listdir(test_dir) if d.startswith("test_data_set_")),
                       key=lambda d: int(d.rsplit("_", 1)[1]))
    result["data_sets"] = len(data_sets)
    run_secs = 0.0
    for ds in data_sets:
        ds_dir = os.path.join(test_dir, ds)
        cmd = [args.kiln_run, so, "--input-dir", ds_dir, "--compare-dir", ds_dir,
               "--rtol", repr(rtol), "--atol", repr(atol), "--json"]
        rc, out, err, secs = _run(cmd, args.run_timeout)
        run_secs += secs
        if rc == 0:
            continue
        if rc == 1:
            bad = []
            try:
                outputs = json.loads(out).get("outputs", {})
            except ValueError:
                outputs = {}
            for oname, o in outputs.items():
                if not o.get("ok", False):
                    bad.append(f"{oname}: max abs err {o.get('max_abs_err')}, "
                               f"max rel err {o.get('max_rel_err')}")
            result.update(status="fail", data_set=ds,
                          reason="mismatch" + (f" ({'; '.join(bad)})" if bad else ""))
        else:
            result.update(status="run error", data_set=ds, stderr=err[-4000:],
                          reason=_reason(rc, err, "kiln-run", {so: "model.so", ds_dir: ds},
                                         args.run_timeout))
        break
    result["run_seconds"] = round(run_secs, 3)
    if args.keep:
        shutil.copy(so, os.path.join(args.keep, name + ".so"))
    try:
        os.remove(so)
    except OSError:
        pass
    return result



# Models with sequence or optional inputs/outputs.  A compiled model passes
# only tensors: kiln-compile flattens a sequence input NAME of length N
# (--sequence-length=NAME:N) into the tensor inputs NAME[0] .. NAME[N-1], an
# optional input into its element (or nothing with --absent-input=NAME), and
# sequence/optional outputs likewise.  For these tests the compile options
# come from each data set's inputs (lengths, element shapes, presence, and the
# shapes of inputs with symbolic dims), and the data set's SequenceProto /
# OptionalProto files are flattened into TensorProto files in that order.

def _structured_io(model_path: str):
    """(inputs, outputs) as [(name, TypeProto)] if the model has a sequence
    or optional input or output, else None."""
    import onnx
    try:
        m = onnx.load(model_path, load_external_data=False)
    except Exception:  # noqa: BLE001 - kiln-compile reports unreadable models
        return None
    inits = {i.name for i in m.graph.initializer}
    ins = [(i.name, i.type) for i in m.graph.input if i.name not in inits]
    outs = [(o.name, o.type) for o in m.graph.output]
    if all(t.HasField("tensor_type") for _, t in ins + outs):
        return None
    return ins, outs


def _flatten_value(name: str, typ, data: bytes, flags: list[str] | None):
    """The (name, TensorProto) list a value of ONNX type `typ` stored in
    `data` is passed as; appends the compile options it needs to `flags`."""
    import onnx
    kind = typ.WhichOneof("value")
    if kind == "tensor_type":
        t = onnx.TensorProto()
        t.ParseFromString(data)
        return [(name, t, typ)]
    if kind == "sequence_type":
        seq = onnx.SequenceProto()
        seq.ParseFromString(data)
        if seq.elem_type != onnx.SequenceProto.TENSOR:
            raise ValueError(f"{name}: only sequences of tensors are supported")
        if flags is not None:
            flags.append(f"--sequence-length={name}:{len(seq.tensor_values)}")
        return [(f"{name}[{i}]", t, typ.sequence_type.elem_type)
                for i, t in enumerate(seq.tensor_values)]
    if kind == "optional_type":
        opt = onnx.OptionalProto()
        opt.ParseFromString(data)
        elem = typ.optional_type.elem_type
        if opt.HasField("tensor_value"):
            inner = opt.tensor_value.SerializeToString()
        elif opt.HasField("sequence_value"):
            inner = opt.sequence_value.SerializeToString()
        else:
            if flags is not None:
                flags.append(f"--absent-input={name}")
            return []
        return _flatten_value(name, elem, inner, flags)
    raise ValueError(f"{name}: unsupported type {kind}")


def _static_shape(typ) -> bool:
    tt = typ.tensor_type
    return tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim)


def _prepare_data_set(ds_dir: str, out_dir: str, structured):
    """Writes the flattened inputs/outputs of one data set to out_dir; returns
    (compile flags, expected output names)."""
    ins, outs = structured
    flags: list[str] = []
    flat_in = []
    for i, (name, typ) in enumerate(ins):
        path = os.path.join(ds_dir, f"input_{i}.pb")
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            flat_in += _flatten_value(name, typ, f.read(), flags)
    for fname, t, typ in flat_in:
        if not (typ.HasField("tensor_type") and _static_shape(typ)) and len(t.dims):
            flags.append(f"--input-shape={fname}:" + "x".join(str(d) for d in t.dims))
    flat_out = []
    for i, (name, typ) in enumerate(outs):
        path = os.path.join(ds_dir, f"output_{i}.pb")
        if os.path.exists(path):
            with open(path, "rb") as f:
                flat_out += _flatten_value(name, typ, f.read(), None)
    os.makedirs(out_dir, exist_ok=True)
    for prefix, values in (("input", flat_in), ("output", flat_out)):
        for i, (_, t, _) in enumerate(values):
            with open(os.path.join(out_dir, f"{prefix}_{i}.pb"), "wb") as f:
                f.write(t.SerializeToString())
    return flags, [n for n, _, _ in flat_out]


def _run_structured_test(name: str, args: argparse.Namespace, tmp: str, structured) -> dict:
    test_dir = os.path.join(args.tests, name)
    model = os.path.join(test_dir, "model.onnx")
    rtol, atol, _ = TOLERANCES.get(name, (DEFAULT_RTOL, DEFAULT_ATOL, ""))
    result: dict = {"status": "pass", "reason": "", "rtol": rtol, "atol": atol}
    data_sets = sorted((d for d in os.listdir(test_dir) if d.startswith("test_data_set_")),
                       key=lambda d: int(d.rsplit("_", 1)[1]))
    result["data_sets"] = len(data_sets)
    compiled: dict[tuple, str] = {}
    compile_secs = run_secs = 0.0
    for ds in data_sets:
        ds_dir = os.path.join(test_dir, ds)
        flat_dir = os.path.join(tmp, name + "." + ds)
        try:
            flags, out_names = _prepare_data_set(ds_dir, flat_dir, structured)
        except (ValueError, OSError) as e:
            result.update(status="run error", data_set=ds, reason=f"reading the data set: {e}")
            break
        key = tuple(flags)
        if key not in compiled:
            so = os.path.join(tmp, f"{name}.{len(compiled)}.so")
            rc, _, err, secs = _run([args.kiln_compile, model, "-o", so, *flags],
                                    args.compile_timeout)
            compile_secs += secs
            if rc != 0:
                result.update(status="compile error", stderr=err[-4000:],
                              reason=_reason(rc, err, "kiln-compile", {model: "model.onnx"},
                                             args.compile_timeout))
                break
            compiled[key] = so
        so = compiled[key]
        cmd = [args.kiln_run, so, "--input-dir", flat_dir, "--rtol", repr(rtol),
               "--atol", repr(atol), "--json"]
        if out_names:
            cmd[4:4] = ["--compare-dir", flat_dir]
        rc, out, err, secs = _run(cmd, args.run_timeout)
        run_secs += secs
        try:
            outputs = json.loads(out).get("outputs", {}) if rc in (0, 1) else {}
        except ValueError:
            outputs = {}
        if rc in (0, 1) and sorted(outputs) != sorted(out_names):
            result.update(status="fail", data_set=ds,
                          reason=f"outputs {sorted(outputs)}, expected {sorted(out_names)}")
            break
        if rc == 0:
            continue
        if rc == 1:
            bad = [f"{o}: max abs err {v.get('max_abs_err')}, max rel err {v.get('max_rel_err')}"
                   for o, v in outputs.items() if not v.get("ok", False)]
            result.update(status="fail", data_set=ds,
                          reason="mismatch" + (f" ({'; '.join(bad)})" if bad else ""))
        else:
            result.update(status="run error", data_set=ds, stderr=err[-4000:],
                          reason=_reason(rc, err, "kiln-run", {so: "model.so", flat_dir: ds},
                                         args.run_timeout))
        break
    result["compile_seconds"] = round(compile_secs, 3)
    result["run_seconds"] = round(run_secs, 3)
    for so in compiled.values():
        if args.keep:
            shutil.copy(so, os.path.join(args.keep, os.path.basename(so)))
        try:
            os.remove(so)
        except OSError:
            pass
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiln-compile", default="build/bin/kiln-compile")
    parser.add_argument("--kiln-run", default="build/bin/kiln-run")
    parser.add_argument("--tests", default="build/onnx-node-tests")
    parser.add_argument("--xfail", default="test/e2e/node-xfail.txt")
    parser.add_argument("--import-xfail", default="test/e2e/import-xfail.txt", help=argparse.SUPPRESS)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--compile-timeout", type=float, default=60.0)
    parser.add_argument("--run-timeout", type=float, default=60.0)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--write-xfail", action="store_true")
    parser.add_argument("--keep", default=None)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    for tool in ("kiln_compile", "kiln_run"):
        path = os.path.abspath(getattr(args, tool))
        if not os.access(path, os.X_OK):
            print(f"run_node_tests: {tool.replace('_', '-')} not found or not executable: {path}",
                  file=sys.stderr)
            print("node tests: 0 passed, 1 failed")
            return 2
        setattr(args, tool, path)
    if not os.path.isdir(args.tests):
        print(f"run_node_tests: no tests in {args.tests}; run tools/gen_node_tests.py -o {args.tests}",
              file=sys.stderr)
        print("node tests: 0 passed, 1 failed")
        return 2
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)

    all_tests = sorted(e for e in os.listdir(args.tests)
                       if os.path.isfile(os.path.join(args.tests, e, "model.onnx")))
    tests = [t for t in all_tests if not args.filter or args.filter in t]
    index: dict[str, str] = {}
    index_path = os.path.join(args.tests, "index.json")
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    xfail, header = parse_xfail(args.xfail)
    for t in TOLERANCES:
        if t not in all_tests:
            print(f"warning: TOLERANCES names no test in {args.tests}: {t}", file=sys.stderr)

    t0 = time.monotonic()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="kiln-node-tests-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_test, t, args, tmp): t for t in tests}
        done = 0
        for fut in concurrent.futures.as_completed(futures):
            results[futures[fut]] = fut.result()
            done += 1
            if sys.stderr.isatty():
                print(f"\r{done}/{len(tests)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.monotonic() - t0
    for t in tests:
        results[t]["op_type"] = index.get(t, "unknown")

    passed = [t for t in tests if results[t]["status"] == "pass"]
    failed = [t for t in tests if results[t]["status"] != "pass"]

    if args.write_xfail:
        import_xfail, _ = parse_xfail(args.import_xfail)
        kept = {k: v for k, v in xfail.items() if k not in results and k in all_tests}
        for t in failed:
            kept[t] = (xfail.get(t) or import_xfail.get(t)
                       or truncate(f"TODO: {results[t]['status']}: {results[t]['reason']}", 160))
        if not header:
            header = [
                "# Node tests that kiln-compile + kiln-run are expected to fail (compile error,",
                "# run error or wrong result). Format: `test_name: reason`. Maintained with",
                "# tools/run_node_tests.py --write-xfail; remove a line as soon as the test passes.",
            ]
        from import_rate import write_xfail
        write_xfail(args.xfail, kept, header)
        print(f"wrote {args.xfail}: {len(kept)} entries")
        xfail = kept

    unexpected_fail = [t for t in failed if t not in xfail]
    unexpected_pass = [t for t in passed if t in xfail]
    expected_fail = [t for t in failed if t in xfail]
    stale = sorted(k for k in xfail if k not in all_tests)

    counts = collections.Counter(results[t]["status"] for t in tests)
    total = len(tests)
    rate = 100.0 * len(passed) / total if total else 0.0
    compile_times = sorted(results[t]["compile_seconds"] for t in tests
                           if results[t]["status"] != "compile error")
    print(f"kiln-compile: {args.kiln_compile}")
    print(f"kiln-run:     {args.kiln_run}")
    print(f"tests:        {args.tests}" + (f" (filter {args.filter!r})" if args.filter else ""))
    print(f"total {total}: " + ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES)
          + f" ({elapsed:.1f} s, -j {args.jobs})")
    if compile_times:
        print(f"compile time per test: median {statistics.median(compile_times):.3f} s, "
              f"max {compile_times[-1]:.3f} s")

    if failed:
        by_reason: dict[str, list[str]] = collections.defaultdict(list)
        for t in failed:
            key = results[t]["status"] + ": " + group_key(results[t]["reason"], t)
            by_reason[key].append(t)
        print("\nfailures by reason:")
        for key, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            example = names[0]
            print(f"  {len(names):5d}  {key}")
            print(f"         e.g. {example}: {truncate(results[example]['reason'])}")
        by_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for t in tests:
            by_op[results[t]["op_type"]][results[t]["status"]] += 1
        print("\nop types with failures (pass / fail / compile error / run error):")
        rows = [(op, c) for op, c in by_op.items() if c["pass"] != sum(c.values())]
        for op, c in sorted(rows, key=lambda r: (-(sum(r[1].values()) - r[1]["pass"]), r[0])):
            print(f"  {op:<32s} " + " / ".join(f"{c.get(s, 0):3d}" for s in STATUSES))
        if args.verbose:
            print("\nall failures:")
            for t in failed:
                print(f"  {t}: {results[t]['status']}: {truncate(results[t]['reason'], 200)}")

    status = 0
    if unexpected_fail:
        status = 1
        print(f"\nunexpected failures ({len(unexpected_fail)}):")
        for t in unexpected_fail:
            print(f"  {t}: {results[t]['status']}: {truncate(results[t]['reason'], 200)}")
    if unexpected_pass:
        status = 1
        print(f"\nunexpected passes ({len(unexpected_pass)}): remove them from {args.xfail}")
        for t in unexpected_pass:
            print(f"  {t}")
    if stale:
        print(f"\nwarning: {len(stale)} entries of {args.xfail} name no test in {args.tests}: "
              f"{', '.join(stale[:5])}{', ...' if len(stale) > 5 else ''}")
    print(f"\nexpected failures: {len(expected_fail)} (list has {len(xfail)} entries)")
    print(f"pass rate: {len(passed)}/{total} ({rate:.1f}%)")

    if args.json:
        summary = {
            "kiln_compile": args.kiln_compile, "kiln_run": args.kiln_run, "tests_dir": args.tests,
            "filter": args.filter, "total": total, "passed": len(passed),
            "counts": {s: counts.get(s, 0) for s in STATUSES}, "rate_percent": round(rate, 2),
            "expected_failures": len(expected_fail), "unexpected_failures": unexpected_fail,
            "unexpected_passes": unexpected_pass, "seconds": round(elapsed, 2),
            "median_compile_seconds": round(statistics.median(compile_times), 3) if compile_times else None,
            "default_rtol": DEFAULT_RTOL, "default_atol": DEFAULT_ATOL,
        }
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "tests": {t: results[t] for t in tests}}, f,
                      indent=1, sort_keys=True)

    print(f"node tests: {len(passed)} passed, {len(unexpected_fail) + len(unexpected_pass)} failed")
    return status


if __name__ == "__main__":
    sys.exit(main())
