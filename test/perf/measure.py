"""The measurements of one model: compile, check, time, sizes and peak RSS."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ORT_PROBE = os.path.join(HERE, "ort_probe.py")
RTOL, ATOL = 1e-3, 1e-4


# --- processes ---------------------------------------------------------------

GNU_TIME = shutil.which("time")  # /usr/bin/time (Debian package "time"), not the shell's


@dataclass
class Finished:
    """A finished child process, with its own peak resident set size."""
    returncode: int
    stdout: str
    stderr: str
    max_rss_bytes: int | None   # None without GNU time

    def error(self) -> str:
        return last_line(self.stderr, f"exit code {self.returncode}")


def run_measured(cmd: list[str]) -> Finished:
    """Runs cmd under GNU time for its peak RSS. (wait4's ru_maxrss of a child
    of this process is no use: Linux carries the high-water mark of the
    parent's memory across the fork and exec into the child's.)"""
    if GNU_TIME is None:
        done = subprocess.run(cmd, capture_output=True, text=True)
        return Finished(done.returncode, done.stdout, done.stderr, None)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        done = subprocess.run([GNU_TIME, "-f", "%M", "-o", rss.name] + cmd,
                              capture_output=True, text=True)
        kib = last_line(rss.read())  # after "Command exited with non-zero status N"
    return Finished(done.returncode, done.stdout, done.stderr,
                    int(kib) * 1024 if kib.isdigit() else None)


# --- Kiln ----------------------------------------------------------------------

@dataclass
class Kiln:
    compile_path: str
    run_path: str
    cpu: str
    opt: int

    def compile(self, model: str, so: str) -> tuple[float, str | None]:
        """Compiles model to so; returns (wall seconds, error or None)."""
        cmd = [self.compile_path, model, f"--cpu={self.cpu}", f"-O{self.opt}", "-o", so]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode == 0:
            return seconds, None
        return seconds, last_line(done.stderr, f"exit code {done.returncode}")

    def run_outputs(self, so: str, input_dir: str, threads: int,
                    output_dir: str) -> Finished:
        """One plain run writing OUTPUT_DIR/<name>.npy; its peak RSS is the model's."""
        return run_measured([self.run_path, so, f"--input-dir={input_dir}",
                             f"--output-dir={output_dir}", f"--threads={threads}"])

    def baseline_rss(self) -> int | None:
        """Peak RSS of kiln-run without a model (`--version`): the tool's own share."""
        return run_measured([self.run_path, "--version"]).max_rss_bytes

    def workspace_bytes(self, so: str, input_dir: str) -> int | None:
        """The model's workspace (arena) size, from one `kiln-run --json` run."""
        done = subprocess.run([self.run_path, so, f"--input-dir={input_dir}", "--json"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return None
        return json.loads(done.stdout).get("workspace_bytes")

    def bench_ms(self, so: str, input_dir: str, threads: int, iterations: int) -> float:
        """Median ms of `iterations` runs in a fresh process, after as many
        warm-up runs (at least 3). ONNX Runtime's session stays warm between
        rounds; a fresh process is not: with one warm-up run, the 5 timed runs
        of a 3 ms conv took 4.3 ms, with 5 or more 3.25 ms."""
        warmup = max(3, iterations)
        cmd = [self.run_path, so, f"--input-dir={input_dir}", "--bench", "--json",
               f"--iterations={iterations}", f"--warmup={warmup}", f"--threads={threads}"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("kiln-run --bench failed: "
                               + last_line(done.stderr, f"exit code {done.returncode}"))
        return float(json.loads(done.stdout)["bench"]["median_ms"])


def compare_outputs(output_dir: str, names: list[str],
                    reference: list[np.ndarray]) -> tuple[bool, str]:
    """Kiln's OUTPUT_DIR/<name>.npy against ONNX Runtime's outputs (rtol 1e-3, atol 1e-4)."""
    worst = 0.0
    for name, ref in zip(names, reference):
        path = os.path.join(output_dir, name + ".npy")
        if not os.path.exists(path):
            return False, f"no output {name}"
        got = np.load(path)
        if got.shape != ref.shape:
            return False, f"{name}: shape {got.shape}, expected {ref.shape}"
        err = float(np.abs(got.astype(np.float64) - ref).max()) if ref.size else 0.0
        if not np.allclose(got, ref, rtol=RTOL, atol=ATOL, equal_nan=True):
            return False, f"{name} differs (max abs err {err:.3g})"
        worst = max(worst, err)
    return True, f"max abs err {worst:.2g}"


# --- ONNX Runtime ------------------------------------------------------------

@dataclass
class OrtProbe:
    session_s: float
    max_rss_bytes: int | None


def ort_probe(model: str, feeds: dict[str, np.ndarray], threads: int) -> OrtProbe:
    """Session creation time and peak RSS of ONNX Runtime in a process of its own."""
    with tempfile.TemporaryDirectory(prefix="kiln-ort-") as tmp:
        inputs = os.path.join(tmp, "inputs.npz")
        np.savez(inputs, **feeds)
        done = run_measured([sys.executable, ORT_PROBE, model, inputs, str(threads)])
    if done.returncode != 0:
        raise RuntimeError(f"ort_probe failed: {done.error()}")
    return OrtProbe(json.loads(done.stdout)["session_s"], done.max_rss_bytes)


def ort_baseline_rss() -> int | None:
    """Peak RSS of Python with numpy and onnxruntime imported, no session."""
    return run_measured([sys.executable, ORT_PROBE, "--baseline"]).max_rss_bytes


# --- model files -------------------------------------------------------------

def load_inputs(input_dir: str, input_names: list[str]) -> dict[str, np.ndarray]:
    """input_<i>.pb of an ONNX test data set, by position."""
    files = sorted(glob.glob(os.path.join(input_dir, "input_*.pb")),
                   key=lambda f: int(os.path.basename(f)[6:-3]))
    if len(files) != len(input_names):
        raise RuntimeError(f"{input_dir}: {len(files)} input files for {len(input_names)} inputs")
    return {name: numpy_helper.to_array(onnx.load_tensor(f)) for name, f in zip(input_names, files)}


def weights_bytes(model: str) -> int:
    """Bytes of the initializers of the main graph, stored inline or externally."""
    proto = onnx.load(model, load_external_data=False)
    return sum(tensor_bytes(t) for t in proto.graph.initializer)


def tensor_bytes(tensor: onnx.TensorProto) -> int:
    external = {e.key: e.value for e in tensor.external_data}
    if tensor.data_location == onnx.TensorProto.EXTERNAL and "length" in external:
        return int(external["length"])
    if tensor.raw_data:
        return len(tensor.raw_data)
    count = int(np.prod(tensor.dims, dtype=np.int64))
    return count * helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize


def last_line(text: str, fallback: str = "") -> str:
    """The last line of a tool's stderr: its error message."""
    lines = text.strip().splitlines()
    return lines[-1] if lines else fallback
