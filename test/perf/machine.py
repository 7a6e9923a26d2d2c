"""What the benchmark ran on: CPU name, FMA peak and ISA, tool versions."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from measure import last_line

HERE = os.path.dirname(os.path.abspath(__file__))
FMA_PEAK_SOURCE = os.path.join(HERE, "fma_peak.c")
C_COMPILERS = ("clang-22", "clang", "cc", "gcc")
# Without the preference, compilers split 512-bit vectors in two on the x86
# CPUs whose tuning prefers 256-bit ones (Skylake-X, Ice Lake, ...).
X86_FLAGS = ["-mprefer-vector-width=512"] if platform.machine() in ("x86_64", "AMD64") else []


@dataclass
class FmaPeak:
    """Single-core fp32 FMA peak measured by fma_peak.c."""
    isa: str            # avx512f, avx2+fma, neon, scalar; "unknown" if the probe failed
    gflops: float | None
    lanes: int = 0
    chains: int = 0
    note: str = ""      # why there is no number, or which compiler built the probe


def cpu_model_name() -> str:
    """The CPU's marketing name, from /proc/cpuinfo or lscpu."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    lscpu = shutil.which("lscpu")
    if lscpu:
        out = subprocess.run([lscpu], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def measure_fma_peak() -> FmaPeak:
    """Compiles fma_peak.c for this CPU and runs it."""
    compiler = next((c for c in C_COMPILERS if shutil.which(c)), None)
    if compiler is None:
        return FmaPeak("unknown", None, note="no C compiler (tried " + ", ".join(C_COMPILERS) + ")")
    with tempfile.TemporaryDirectory(prefix="kiln-fma-") as tmp:
        exe = os.path.join(tmp, "fma_peak")
        flags = ["-O2", "-march=native", "-ffp-contract=fast"] + X86_FLAGS
        build = subprocess.run([compiler, *flags, FMA_PEAK_SOURCE, "-o", exe],
                               capture_output=True, text=True)
        if build.returncode != 0:
            return FmaPeak("unknown", None, note=f"{compiler} failed: {last_line(build.stderr)}")
        run = subprocess.run([exe], capture_output=True, text=True)
        if run.returncode != 0:
            return FmaPeak("unknown", None, note=f"fma_peak failed: {last_line(run.stderr)}")
    probe = json.loads(run.stdout)
    return FmaPeak(probe["isa"], probe["gflops"], probe["lanes"], probe["chains"],
                   note=f"fma_peak.c built with {compiler} {' '.join(flags)}")


def kiln_version(kiln_compile: str) -> str:
    """The commit of the checkout holding kiln-compile, and what `kiln-compile
    --version` prints (LLVM's version)."""
    out = subprocess.run([kiln_compile, "--version"], capture_output=True, text=True)
    version = next((ln.strip() for ln in out.stdout.splitlines() if ln.strip()), "unknown")
    git = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(kiln_compile)),
                          "describe", "--always", "--dirty"], capture_output=True, text=True)
    if git.returncode != 0:
        return version
    return f"{git.stdout.strip()} (kiln-compile --version: {version})"
