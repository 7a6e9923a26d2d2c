"""Reads stdin, which must be exactly one JSON object, and prints its leaves
as sorted `path=value` lines (numbers as `num` when --types)."""
import json
import sys

text = sys.stdin.read()
obj = json.loads(text)  # fails on anything but one JSON value
assert isinstance(obj, dict), "not a JSON object"
assert text.strip().count("\n") == 0, "more than one line"


def walk(prefix, v):
    if isinstance(v, dict):
        for k in sorted(v):
            walk(f"{prefix}.{k}" if prefix else k, v[k])
    elif isinstance(v, list):
        print(f"{prefix}={json.dumps(v)}")
    elif isinstance(v, float) and "--types" in sys.argv:
        print(f"{prefix}=<number>")
    else:
        print(f"{prefix}={json.dumps(v)}")


walk("", obj)
