"""Results of the benchmark: one Row per model and thread count, printed as it
comes, then written as JSON and as a markdown report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Callable

MB = 1e6


@dataclass
class Machine:
    """What the numbers were measured on and with."""
    date_utc: str
    cpu_model: str
    logical_cpus: int
    isa: str
    fma_peak_gflops: float | None   # one core, fp32
    fma_probe: str
    kiln_version: str
    onnxruntime_version: str
    kiln_run_base_rss_bytes: int | None   # kiln-run --version: the tool without a model
    ort_base_rss_bytes: int | None        # python + numpy + onnxruntime, no session
    opt_level: int
    cpu_flag: str
    threads: list[int]
    rounds: int
    iterations: int


@dataclass
class Row:
    """One model at one thread count. status: ok, WRONG (outputs differ from
    ONNX Runtime's, not timed), COMPILE ERROR, KILN ERROR, ORT ERROR."""
    model: str
    threads: int | None
    status: str = "ok"
    note: str = ""
    ort_ms: float | None = None
    kiln_ms: float | None = None
    speedup: float | None = None          # ORT ms / Kiln ms: > 1 means Kiln is faster
    compile_s: float | None = None
    so_bytes: int | None = None
    weights_bytes: int | None = None
    so_minus_weights_bytes: int | None = None
    kiln_rss_bytes: int | None = None
    arena_bytes: int | None = None        # the model's workspace (kiln-run --json)
    ort_rss_bytes: int | None = None
    ort_session_s: float | None = None
    flops: int | None = None              # micro-models only
    ort_gflops: float | None = None
    kiln_gflops: float | None = None
    ort_efficiency: float | None = None   # GFLOP/s / (FMA peak x threads)
    kiln_efficiency: float | None = None

    def set_times(self, ort_ms: float, kiln_ms: float, peak_gflops: float | None) -> None:
        self.ort_ms, self.kiln_ms, self.speedup = ort_ms, kiln_ms, ort_ms / kiln_ms
        if self.flops is None:
            return
        self.ort_gflops = self.flops / ort_ms * 1e-6
        self.kiln_gflops = self.flops / kiln_ms * 1e-6
        if peak_gflops and self.threads:
            self.ort_efficiency = self.ort_gflops / (peak_gflops * self.threads)
            self.kiln_efficiency = self.kiln_gflops / (peak_gflops * self.threads)


def fmt(value: float | int | None, spec: str, scale: float = 1.0, missing: str = "") -> str:
    """value / scale formatted with spec; `missing` when there is no value."""
    if value is None:
        return missing
    return format(value if scale == 1.0 else value / scale, spec)


@dataclass
class Column:
    header: str
    cell: Callable[[Row], str]
    width: int = 8


def _time_cell(row: Row, value: float | None) -> str:
    return fmt(value, ".2f") if row.status == "ok" else row.status


MAIN_COLUMNS = [
    Column("model", lambda r: r.model, 18),
    Column("threads", lambda r: fmt(r.threads, "d"), 7),
    Column("ORT ms", lambda r: fmt(r.ort_ms, ".2f")),
    Column("Kiln ms", lambda r: _time_cell(r, r.kiln_ms), 9),
    Column("ORT/Kiln", lambda r: fmt(r.speedup, ".2f")),
    Column("compile s", lambda r: fmt(r.compile_s, ".1f"), 9),
    Column(".so MB", lambda r: fmt(r.so_bytes, ".1f", MB)),
    Column("weights MB", lambda r: fmt(r.weights_bytes, ".1f", MB), 10),
    Column("so-weights MB", lambda r: fmt(r.so_minus_weights_bytes, ".2f", MB), 13),
    Column("Kiln RSS MB", lambda r: fmt(r.kiln_rss_bytes, ".0f", MB), 11),
    Column("arena MB", lambda r: fmt(r.arena_bytes, ".1f", MB), 8),
    Column("ORT RSS MB", lambda r: fmt(r.ort_rss_bytes, ".0f", MB), 10),
    Column("ORT session s", lambda r: fmt(r.ort_session_s, ".2f"), 13),
]

MICRO_COLUMNS = [
    Column("model", lambda r: r.model, 18),
    Column("threads", lambda r: fmt(r.threads, "d"), 7),
    Column("GFLOP", lambda r: fmt(r.flops, ".3f", 1e9)),
    Column("ORT GFLOP/s", lambda r: fmt(r.ort_gflops, ".1f"), 11),
    Column("Kiln GFLOP/s", lambda r: fmt(r.kiln_gflops, ".1f"), 12),
    Column("ORT eff", lambda r: fmt(r.ort_efficiency, ".0%")),
    Column("Kiln eff", lambda r: fmt(r.kiln_efficiency, ".0%")),
]


# --- console -----------------------------------------------------------------

def console_header() -> str:
    line = _console_line([c.header for c in MAIN_COLUMNS])
    return line + "\n" + "-" * len(line)


def console_row(row: Row) -> str:
    line = _console_line([c.cell(row) for c in MAIN_COLUMNS])
    if row.kiln_gflops is not None:
        line += (f"  GFLOP/s ORT {row.ort_gflops:.1f} ({fmt(row.ort_efficiency, '.0%')}),"
                 f" Kiln {row.kiln_gflops:.1f} ({fmt(row.kiln_efficiency, '.0%')})")
    return line + (f"  {row.note}" if row.note else "")


def _console_line(cells: list[str]) -> str:
    """The model name left-aligned, numbers right-aligned, in fixed widths."""
    return "  ".join(cell.rjust(c.width) if i else cell.ljust(c.width)
                     for i, (c, cell) in enumerate(zip(MAIN_COLUMNS, cells)))


# --- files -------------------------------------------------------------------

def write_json(path: str, machine: Machine, rows: list[Row]) -> None:
    with open(path, "w") as f:
        json.dump({"machine": asdict(machine), "results": [asdict(r) for r in rows]}, f, indent=1)
        f.write("\n")


def write_markdown(path: str, machine: Machine, rows: list[Row]) -> None:
    with open(path, "w") as f:
        f.write(markdown(machine, rows))


def markdown(machine: Machine, rows: list[Row]) -> str:
    peak = fmt(machine.fma_peak_gflops, ".1f", missing="not measured")
    kiln_alone = fmt(machine.kiln_run_base_rss_bytes, ".0f", MB, "?")
    ort_alone = fmt(machine.ort_base_rss_bytes, ".0f", MB, "?")
    lines = [
        "# Kiln vs ONNX Runtime on the CPU",
        "",
        f"- Date: {machine.date_utc}",
        f"- CPU: {machine.cpu_model} ({machine.logical_cpus} logical CPUs), ISA {machine.isa}",
        f"- FMA peak, fp32, one core: {peak} GFLOP/s ({machine.fma_probe})",
        f"- Kiln: {machine.kiln_version}; -O{machine.opt_level} --cpu={machine.cpu_flag}",
        f"- ONNX Runtime: {machine.onnxruntime_version} (CPU execution provider, "
        "all graph optimizations)",
        f"- Threads: {', '.join(map(str, machine.threads))}; medians of {machine.rounds} "
        f"interleaved rounds of {machine.iterations} runs",
        "",
        "ORT/Kiln is the speed-up: above 1, Kiln is faster. RSS is the peak resident set "
        f"of a process that loads the model and runs it once: kiln-run (alone: {kiln_alone} "
        f"MB), or Python with onnxruntime (alone: {ort_alone} MB).",
        "",
    ]
    lines += markdown_table(MAIN_COLUMNS, rows)
    micro = [r for r in rows if r.flops is not None]
    if micro:
        lines += ["", "Micro-models: efficiency is GFLOP/s / (FMA peak x threads).", ""]
        lines += markdown_table(MICRO_COLUMNS, micro)
    notes = [f"- {r.model}{f' ({r.threads} threads)' if r.threads else ''}: "
             f"{r.status}: {r.note}" for r in rows if r.status != "ok"]
    if notes:
        lines += ["", "Notes:", ""] + notes
    return "\n".join(lines) + "\n"


def markdown_table(columns: list[Column], rows: list[Row]) -> list[str]:
    header = "| " + " | ".join(c.header for c in columns) + " |"
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"
    body = ["| " + " | ".join(c.cell(r) for c in columns) + " |" for r in rows]
    return [header, rule] + body
