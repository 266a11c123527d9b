"""The benchmarks' harness: a table row, the timing loops, the registry, the table's rendering.

A benchmark is a function taking a `Config` and returning `Row`s, registered with
`@benchmark("key", "number title")`; `run.py` runs the registered ones in number order.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import math
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

import autodiff as ad


@dataclass
class Row:
    """One line of the table. `median`/`minimum` are in `unit` (see `_format`)."""

    what: str
    median: float | None
    minimum: float | None = None
    unit: str = "s"
    ratio: str = ""
    target: str = ""
    ok: bool | None = None  # None: no target
    note: str = ""
    bench: str = ""  # filled in by the runner


@dataclass
class Config:
    repeat: int = 7  # repeats of ordinary measurements
    big_repeat: int = 3  # repeats of multi-second measurements
    min_time: float = 0.05  # a repeat of a fast workload loops for at least this long (s)
    quick: bool = False


@dataclass
class Stats:
    median: float
    minimum: float
    times: list[float]


def measure(fns: dict[str, Callable[[], object]], repeat: int, cfg: Config) -> dict[str, Stats]:
    """Seconds per call of each function: `repeat` repeats, round-robin over the functions.

    Each function is warmed up and calibrated: a repeat calls it `number` times in a loop, with
    `number` chosen so that the loop takes at least `cfg.min_time`.
    """
    numbers = {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()  # warm-up (caches, lazy imports, BLAS threads)
        number, elapsed = 1, time.perf_counter() - start
        while elapsed < cfg.min_time:  # a slow function needs no loop
            number = max(number * 2, math.ceil(number * cfg.min_time / max(elapsed, 1e-9)))
            start = time.perf_counter()
            for _ in range(number):
                fn()
            elapsed = time.perf_counter() - start
        numbers[name] = number
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            number = numbers[name]
            with only_its_own_garbage():
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                times[name].append((time.perf_counter() - start) / number)
    return {name: Stats(statistics.median(ts), min(ts), ts) for name, ts in times.items() if ts}


def measure_once(fn: Callable[[], object], repeat: int) -> Stats:
    """Seconds per call of a slow function (no loop, no warm-up beyond what the caller did)."""
    times = []
    for _ in range(repeat):
        with only_its_own_garbage():
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return Stats(statistics.median(times), min(times), times)


@contextlib.contextmanager
def only_its_own_garbage() -> Iterator[None]:
    """Time a workload with the garbage collector on, as its users run it, but blind to what
    was alive before (this process's imports: torch, autograd, TensorFlow...): `gc.freeze`
    moves those objects to a permanent generation. A workload that makes reference cycles (a
    micrograd graph) then pays for collecting its own objects, as in a program of its own, not
    in proportion to what else the benchmark process imported (its time varied 2.3x between
    runs of `--only scalar` and the whole bench)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def timing_rows(stats: dict[str, Stats], reference: str, labels: dict[str, str]) -> list[Row]:
    """One row per measured function, with its ratio to the reference's median."""
    ref = stats[reference].median
    return [
        Row(
            labels.get(name, name),
            s.median,
            s.minimum,
            "s",
            ratio=f"{s.median / ref:.2f}x {reference}",
        )
        for name, s in stats.items()
    ]


def target_le(row: Row, value: float, limit: float, text: str) -> Row:
    """Mark `row` with the target `value <= limit`."""
    row.target = text
    row.ok = bool(value <= limit)
    return row


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max |b|."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-30))


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        for scale, suffix in ((1, "s"), (1e-3, "ms"), (1e-6, "us")):
            if abs(value) >= scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value / 1e-9:.3g} ns"
    if unit == "B":
        for scale, suffix in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
            if abs(value) >= scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value:.0f} B"
    if unit == "us/op":
        return f"{value:.2f} us/op"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "err":
        return f"{value:.1e}"
    if unit == "n":
        return f"{value:.0f}"
    return f"{value:.3g} {unit}".strip()


HEADER = ("#", "benchmark", "measurement", "median", "min", "ratio", "target", "result", "note")


RIGHT = {"median", "min", "ratio"}


def render(rows: list[Row], markdown: bool) -> str:
    cells = []
    previous = None
    for row in rows:
        number, _, title = row.bench.partition(" ")
        first = row.bench != previous
        previous = row.bench
        result = "" if row.ok is None else ("PASS" if row.ok else "FAIL")
        cells.append(
            (
                number if first or markdown else "",
                title if first or markdown else "",
                row.what,
                _format(row.median, row.unit),
                _format(row.minimum, row.unit),
                row.ratio,
                row.target,
                result,
                row.note,
            )
        )
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |"]
        lines.append("|" + "|".join("---:" if h in RIGHT else "---" for h in HEADER) + "|")
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in cells]
        return "\n".join(lines)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(HEADER)]

    def line(values: tuple[str, ...]) -> str:
        parts = [
            v.rjust(w) if h in RIGHT else v.ljust(w)
            for v, w, h in zip(values, widths, HEADER, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(HEADER), line(tuple("-" * w for w in widths))]
    previous = None
    for row, c in zip(rows, cells, strict=True):
        if previous is not None and row.bench != previous:
            out.append("")
        previous = row.bench
        out.append(line(c))
    return "\n".join(out)


BENCHMARKS: list[tuple[str, str, Callable[[Config], list[Row]]]] = []  # see `registered`


def benchmark(key: str, title: str) -> Callable:
    """Register a benchmark: `fn(cfg) -> list[Row]`, shown under `title` (`"1 MLP step"`)."""

    def register(fn: Callable[[Config], list[Row]]) -> Callable[[Config], list[Row]]:
        BENCHMARKS.append((key, title, fn))
        return fn

    return register


def registered() -> list[tuple[str, str, Callable[[Config], list[Row]]]]:
    """The registered benchmarks as (key, title, fn), in the order of their numbers."""
    return sorted(BENCHMARKS, key=lambda entry: int(entry[1].split()[0]))


def _grads(result: object) -> list[np.ndarray]:
    items = result if isinstance(result, list | tuple) else [result]
    return [np.asarray(g.numpy() if isinstance(g, ad.Tensor) else g) for g in items]


def check_rows(
    fns: dict[str, Callable[[], object]], reference: str, limit: float = 1e-4, note: str = ""
) -> list[Row]:
    """`check:` rows: the gradients of each function against the reference's (run once)."""
    expected = _grads(fns[reference]())
    rows = []
    for name, fn in fns.items():
        if name == reference:
            continue
        got = _grads(fn())
        err = max(rel_error(g, r) for g, r in zip(got, expected, strict=True))
        dtypes = sorted({str(g.dtype) for g in got})
        row = Row(f"check: {name} grads vs {reference}", err, None, "err", note=note)
        if not note and dtypes != ["float32"]:
            row.note = f"gradients are {', '.join(dtypes)}, not float32"
        rows.append(target_le(row, err, limit, f"<= {limit:g} rel"))
    return rows


LABELS = {"numpy": "numpy (hand-written floor)", "micrograd": "micrograd (pure Python)"}


def peak_bytes(fn: Callable[[], object], repeat: int) -> Stats:
    """Peak traced memory above the starting point while `fn()` runs (its result included)."""
    fn()  # warm-up
    peaks = []
    tracemalloc.start()
    try:
        for _ in range(repeat):
            gc.collect()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            result = fn()
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
            del result
    finally:
        tracemalloc.stop()
    return Stats(statistics.median(peaks), min(peaks), peaks)


SLOW_BUDGET = 20.0  # s: repeats of a slow measurement stop once they took this long


def measure_slow(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, Stats]:
    """Seconds per call of slow functions, round-robin, no warm-up: at least one repeat, more
    (up to `repeat`) while the repeats so far took less than `SLOW_BUDGET`."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    spent = 0.0
    for k in range(repeat):
        if k and spent > SLOW_BUDGET:
            break
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            spent += times[name][-1]
    return {name: Stats(statistics.median(ts), min(ts), ts) for name, ts in times.items()}


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _blas_env() -> str:
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    found = [f"{n}={os.environ[n]}" for n in names if n in os.environ]
    return f", {' '.join(found)}" if found else ""


def header(cfg: Config, repeat: int) -> str:
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cpus
    return (
        f"autodiff benchmarks: {cpus} CPUs ({usable} usable), numpy {np.__version__}, "
        f"autograd {_version('autograd')}, Python {platform.python_version()}, "
        f"{platform.machine()}, load average {_load()}{_blas_env()}\n"
        f"{repeat} repeat{'s' * (repeat > 1)} ({cfg.big_repeat} for the multi-second ones); "
        "median and min over repeats; ratios are of medians, measured in this run"
        + ("; --quick" if cfg.quick else "")
    )
