#!/usr/bin/env python3
"""Measure how many ONNX node tests `kiln-compile --emit=onnx` imports.

For every TESTS/*/model.onnx it runs

    kiln-compile TESTS/<name>/model.onnx --emit=onnx -o /dev/null

in parallel with a per-model timeout, then reports the totals, the import rate,
and the failures grouped by the first line of stderr and by op type.  Generate
the tests first with tools/gen_node_tests.py.

The expected-failure list (default test/e2e/import-xfail.txt) has one
`test_name: reason` per line; `#` starts a comment.  The script exits non-zero
when
  * a test that is not on the list fails (unexpected failure),
  * a test on the list imports (unexpected pass: remove it from the list),
  * the list covers 3% or more of the tests.

Usage:
    tools/import_rate.py [--kiln-compile PATH] [--tests DIR] [--xfail FILE]
                         [-j N] [--timeout S] [--filter SUBSTR] [--json OUT.json]
                         [--write-xfail] [-v]

    --kiln-compile PATH  compiler to run (default: build/bin/kiln-compile)
    --tests DIR          node tests directory (default: build/onnx-node-tests)
    --xfail FILE         expected-failure list (default: test/e2e/import-xfail.txt)
    -j N                 parallel jobs (default: number of CPUs)
    --timeout S          seconds per model; a timeout is a failure "timeout" (default: 60)
    --filter SUBSTR      only run tests whose name contains SUBSTR
    --json OUT.json      write per-test results and the summary as JSON
    --write-xfail        rewrite the list from the current failures; existing
                         reasons are kept, new entries get "TODO: <stderr line>"
    -v, --verbose        list every failure with its reason

The last line printed is always `import: N passed, M failed`, where N is the
number of tests that imported and M the number of unexpected failures plus
unexpected passes.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import sys
import time

MAX_REASON = 120
XFAIL_LIMIT_PERCENT = 3.0


def parse_xfail(path: str) -> tuple[dict[str, str], list[str]]:
    """Return ({test: reason}, header comment lines) of an expected-failure list."""
    entries: dict[str, str] = {}
    header: list[str] = []
    if not os.path.exists(path):
        return entries, header
    seen_entry = False
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                if not seen_entry:
                    header.append(line)
                continue
            seen_entry = True
            content = stripped.split(" #", 1)[0].strip()
            name, sep, reason = content.partition(":")
            name = name.strip()
            if not sep or not name or " " in name:
                raise SystemExit(f"{path}:{lineno}: expected 'test_name: reason', got {stripped!r}")
            entries[name] = reason.strip()
    while header and not header[-1].strip():
        header.pop()
    return entries, header


def write_xfail(path: str, entries: dict[str, str], header: list[str]) -> None:
    if not header:
        header = [
            "# Node tests that `kiln-compile --emit=onnx` is expected to fail to import.",
            "# Format: `test_name: reason`. Maintained with tools/import_rate.py --write-xfail;",
            "# remove a line as soon as the test imports.",
        ]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(header) + "\n\n")
        for name in sorted(entries):
            f.write(f"{name}: {entries[name]}\n")


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def truncate(text: str, n: int = MAX_REASON) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def compile_flags(test_dir: str) -> list[str]:
    """The options a model with sequence or optional inputs/outputs needs
    (sequence lengths, absent optionals, element shapes), taken from its
    first data set the way run_node_tests.py takes them; [] for the rest."""
    import tempfile

    import run_node_tests  # imports this module: only at call time

    structured = run_node_tests._structured_io(os.path.join(test_dir, "model.onnx"))
    data_set = os.path.join(test_dir, "test_data_set_0")
    if structured is None or not os.path.isdir(data_set):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            flags, _ = run_node_tests._prepare_data_set(data_set, tmp, structured)
        except (ValueError, OSError):
            return []
    return flags


def run_one(compiler: str, test_dir: str, timeout: float) -> dict:
    model = os.path.join(test_dir, "model.onnx")
    cmd = [compiler, model, "--emit=onnx", "-o", os.devnull, *compile_flags(test_dir)]
    t0 = time.monotonic()
    try:
        # Own session, so that a timeout kills everything the compiler started.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:  # e.g. the binary is being relinked
        return {"status": "fail", "rc": None, "reason": f"cannot run kiln-compile: {e.strerror}",
                "stderr": "", "seconds": 0.0}
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return {"status": "fail", "rc": None, "reason": "timeout", "stderr": "",
                "seconds": round(time.monotonic() - t0, 3)}
    seconds = round(time.monotonic() - t0, 3)
    stderr = err.decode("utf-8", "replace")
    if proc.returncode == 0:
        return {"status": "pass", "rc": 0, "reason": "", "stderr": stderr, "seconds": seconds}
    line = first_line(stderr)
    # Keep reasons machine-independent: drop the tool prefix and the model path.
    for prefix in ("kiln-compile: error: ", model + ": "):
        if line.startswith(prefix):
            line = line[len(prefix):]
    line = line.replace(model, "model.onnx")
    if proc.returncode < 0:
        reason = f"crash (signal {-proc.returncode})" + (f": {line}" if line else "")
    elif not line:
        reason = f"exit code {proc.returncode} without a message"
    else:
        reason = line
    return {"status": "fail", "rc": proc.returncode, "reason": reason,
            "stderr": stderr[-4000:], "seconds": seconds}


def group_key(reason: str, name: str) -> str:
    """Make a reason comparable across tests: mask value names, test names and numbers."""
    key = reason.replace(name, "<test>")
    key = re.sub(r"\b(node|value|input|output|tensor|initializer|name|operand)\s+'[^']*'", r"\1 '…'", key)
    key = re.sub(r'\b(node|value|input|output|tensor|initializer|name|operand)\s+"[^"]*"', r'\1 "…"', key)
    key = re.sub(r"\d+", "N", key)
    return truncate(key)


def op_type_of(tests_dir: str, name: str, index: dict[str, str]) -> str:
    if name in index:
        return index[name]
    try:
        import onnx

        model = onnx.load(os.path.join(tests_dir, name, "model.onnx"), load_external_data=False)
        ops = [n.op_type for n in model.graph.node]
        if len(set(ops)) == 1:
            return ops[0]
        return "multi-node"
    except Exception:  # noqa: BLE001 - best-effort labelling only
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiln-compile", default="build/bin/kiln-compile")
    parser.add_argument("--tests", default="build/onnx-node-tests")
    parser.add_argument("--xfail", default="test/e2e/import-xfail.txt")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--write-xfail", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    compiler = os.path.abspath(args.kiln_compile)
    if not os.access(compiler, os.X_OK):
        print(f"import_rate: kiln-compile not found or not executable: {args.kiln_compile}", file=sys.stderr)
        print("import: 0 passed, 1 failed")
        return 2
    if not os.path.isdir(args.tests):
        print(f"import_rate: no tests in {args.tests}; run tools/gen_node_tests.py -o {args.tests}", file=sys.stderr)
        print("import: 0 passed, 1 failed")
        return 2

    all_tests = sorted(e for e in os.listdir(args.tests)
                       if os.path.isfile(os.path.join(args.tests, e, "model.onnx")))
    tests = [t for t in all_tests if not args.filter or args.filter in t]
    index: dict[str, str] = {}
    index_path = os.path.join(args.tests, "index.json")
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    xfail, header = parse_xfail(args.xfail)

    t0 = time.monotonic()
    results: dict[str, dict] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, compiler, os.path.join(args.tests, t), args.timeout): t for t in tests}
        done = 0
        for fut in concurrent.futures.as_completed(futures):
            results[futures[fut]] = fut.result()
            done += 1
            if sys.stderr.isatty():
                print(f"\r{done}/{len(tests)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.monotonic() - t0

    passed = [t for t in tests if results[t]["status"] == "pass"]
    failed = [t for t in tests if results[t]["status"] == "fail"]
    for t in failed:
        results[t]["op_type"] = op_type_of(args.tests, t, index)
    for t in passed:
        results[t]["op_type"] = index.get(t, "")

    if args.write_xfail:
        kept = {k: v for k, v in xfail.items() if k not in results}  # outside the filter
        for t in failed:
            kept[t] = xfail.get(t) or truncate("TODO: " + results[t]["reason"], 160)
        stale = [k for k in xfail if k not in results and k not in all_tests]
        for k in stale:
            kept.pop(k, None)
        write_xfail(args.xfail, kept, header)
        print(f"wrote {args.xfail}: {len(kept)} entries")
        xfail = kept

    unexpected_fail = [t for t in failed if t not in xfail]
    unexpected_pass = [t for t in passed if t in xfail]
    expected_fail = [t for t in failed if t in xfail]
    stale = sorted(k for k in xfail if k not in all_tests)

    total = len(tests)
    rate = 100.0 * len(passed) / total if total else 0.0
    print(f"kiln-compile: {compiler}")
    print(f"tests:        {args.tests}" + (f" (filter {args.filter!r})" if args.filter else ""))
    print(f"total {total}, imported {len(passed)}, failed {len(failed)}, "
          f"rate {rate:.1f}% ({elapsed:.1f} s, -j {args.jobs})")

    if failed:
        by_reason: dict[str, list[str]] = collections.defaultdict(list)
        by_op: dict[str, list[str]] = collections.defaultdict(list)
        for t in failed:
            by_reason[group_key(results[t]["reason"], t)].append(t)
            by_op[results[t]["op_type"]].append(t)
        print("\nfailures by first stderr line:")
        for key, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            example = names[0]
            print(f"  {len(names):5d}  {key}")
            print(f"         e.g. {example}: {truncate(results[example]['reason'])}")
        print("\nfailures by op type:")
        for op, names in sorted(by_op.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(names):5d}  {op:<28s} {truncate(', '.join(names[:3]) + (', ...' if len(names) > 3 else ''), 90)}")
        if args.verbose:
            print("\nall failures:")
            for t in failed:
                print(f"  {t}: {truncate(results[t]['reason'], 200)}")

    status = 0
    if unexpected_fail:
        status = 1
        print(f"\nunexpected failures ({len(unexpected_fail)}):")
        for t in unexpected_fail:
            print(f"  {t}: {truncate(results[t]['reason'], 200)}")
    if unexpected_pass:
        status = 1
        print(f"\nunexpected passes ({len(unexpected_pass)}): remove them from {args.xfail}")
        for t in unexpected_pass:
            print(f"  {t}")
    if stale:
        print(f"\nwarning: {len(stale)} entries of {args.xfail} name no test in {args.tests}: "
              f"{', '.join(stale[:5])}{', ...' if len(stale) > 5 else ''}")
    listed = len([k for k in xfail if k in all_tests])
    coverage = 100.0 * listed / len(all_tests) if all_tests else 0.0
    print(f"\nexpected failures: {len(expected_fail)} (list has {len(xfail)} entries, "
          f"{coverage:.2f}% of {len(all_tests)} tests; limit {XFAIL_LIMIT_PERCENT:.0f}%)")
    if coverage >= XFAIL_LIMIT_PERCENT:
        status = 1
        print(f"error: the expected-failure list covers {coverage:.2f}% of the tests "
              f"(>= {XFAIL_LIMIT_PERCENT:.0f}%): fix the importer instead of growing the list")

    if args.json:
        summary = {
            "kiln_compile": compiler, "tests_dir": args.tests, "filter": args.filter,
            "total": total, "imported": len(passed), "failed": len(failed), "rate_percent": round(rate, 2),
            "expected_failures": len(expected_fail), "unexpected_failures": unexpected_fail,
            "unexpected_passes": unexpected_pass, "xfail_coverage_percent": round(coverage, 2),
            "seconds": round(elapsed, 2),
        }
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "tests": {t: results[t] for t in tests}}, f, indent=1, sort_keys=True)

    print(f"import: {len(passed)} passed, {len(unexpected_fail) + len(unexpected_pass)} failed")
    return status


if __name__ == "__main__":
    sys.exit(main())
