"""Benchmarks of the autodiff engine against peers measured in the same run.

Run with `make bench` (or `.venv/bin/python benchmarks/run.py`). Options: `--quick` for a fast
smoke run, `--repeat N` (default 7), `--markdown`, `--only KEY,...`, `--list`, `--strict`
(exit 1 when a target fails), `--blas-threads N` and `--profile KEY` (instead of the table:
cProfile one autodiff workload, top functions by self time).

Rows 1-4 are the engine-speed workloads W3, W1, W2 and W4 of issue 17, each with its peers:
the hand-written NumPy floor, micrograd (a pure-Python scalar class, W1 only), autograd, and
torch when it is installed (the `bench` extra pins it; it is not a dependency of autodiff: its
rows are left out otherwise). Row 10 is issue 25's conv2d step against the NumPy floor and torch.

BLAS runs single-threaded unless `OPENBLAS_NUM_THREADS` is set or `--blas-threads` says
otherwise (0: leave the environment alone). Both sides of every comparison make the same BLAS
calls, so one thread does not favour either, and it keeps the MLP rows steady: on a busy
machine, BLAS threads spin and fight other processes for the cores, which inflates matmuls
tenfold and drowns the engine's overhead (the ratio then drifts to 1.0x, a false PASS).

How to read the table
---------------------
Each group of rows is one benchmark (numbered as in the issue tracker). A row is one
measurement, repeated (default 7 times, fewer for the multi-second ones) after a warm-up:

- `median` and `min` are over the repeats. Fast workloads run in a loop long enough to time
  well, and a repeat reports the time per call. Peers of a group are timed round-robin (one
  repeat of each in turn), so background load hits them alike. The garbage collector stays on
  (users pay for it too) but collects before each repeat, and then ignores what was alive
  before it (`gc.freeze`): a workload's collections cost what they would in its own program,
  not in proportion to the peers this process imported (`harness.only_its_own_garbage`).
- `ratio` is this row's median over the median of the group's reference, named after the
  `x` (`1.18x numpy`: 18% slower than the hand-written NumPy measured in this run). Ratios
  are only compared within one run, never against numbers from another machine or day.
- `target` is the goal from the issue tracker and `result` says whether the median meets it.
  Rows without a target are context: peers, and numbers that explain a neighbouring row.
- `check:` rows verify that the peers compute the same gradients (max |a - b| / max |b|);
  they, and the rows of memory kept, report a single number in `median` (`min` is blank).
- Units: times per call (`ms`, `us`), `us/op` (time of the whole forward+backward divided by
  the number of forward ops), bytes (`KiB`, `MiB`: tracemalloc, NumPy buffers included).
- The header gives the load average: with a load above the CPU count, other processes were
  competing for the cores and medians are inflated (ratios less so, `min` least).

Machines are noisy: a ratio near its target can flip between runs; look at `min` (the least
disturbed repeat) to tell noise from a real regression.

Files
-----
- `run.py`: this runner (options, `--profile`, the table).
- `harness.py`: a table `Row`, the timing loops (`measure`, round-robin), the registry, the
  rendering, the gradient `check:` rows.
- `workloads.py`: the workloads written with autodiff, and their data.
- `peers.py`: the same workloads by the peers (NumPy floor, micrograd, autograd, torch).
- `engine_speed.py`: rows 1-7, 10 and 11 (engine speed and memory); `visualizer_speed.py`:
  rows 8 and 9 (the visualizer, big graphs, `export_html`, the browser tests' timings).

Adding a benchmark: write a function taking a `Config` and returning a list of `Row`s, and
register it with `@benchmark("key", "number title")`; its rows join the table in number order.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

import engine_speed  # noqa: F401  (registers rows 1-7, 10 and 11)
import visualizer_speed  # noqa: F401  (registers rows 8 and 9)
from harness import Config, Row, header, registered, render
from workloads import (
    CHAIN_SIZES,
    broadcast_data,
    make_broadcast_autodiff,
    make_chain_autodiff,
    make_mlp_autodiff,
    make_replay_chain,
    make_scalar_autodiff,
    mlp_data,
)

import autodiff as ad


def _profile_replay() -> Callable[[], ad.Graph]:
    graph, w, _ = make_replay_chain()
    value = w.numpy()
    return lambda: graph.replay({w: value})


PROFILES: dict[str, Callable[[], Callable[[], object]]] = {
    "mlp": lambda: make_mlp_autodiff(mlp_data())[0],
    "scalar": make_scalar_autodiff,
    "elementwise": lambda: make_chain_autodiff(CHAIN_SIZES[0]),
    "broadcast": lambda: make_broadcast_autodiff(*broadcast_data()),
    "replay": _profile_replay,
}


def profile(key: str, seconds: float = 3.0, top: int = 15) -> None:
    """cProfile the autodiff side of a benchmark for about `seconds`: the functions with the
    most self time, overall and in the autodiff package."""
    fn = PROFILES[key]()
    fn()
    start = time.perf_counter()
    fn()
    number = max(1, int(seconds / max(time.perf_counter() - start, 1e-6)))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        fn()
    profiler.disable()
    package = str(Path(ad.__file__).parent)
    stats = pstats.Stats(profiler).sort_stats("tottime")
    print(f"profile of {key!r}: {number} calls (times include cProfile's overhead)")
    print(f"\n== top {top} by self time (tottime), all code")
    stats.print_stats(top)
    print(f"== top {top} by self time in {package}")
    stats.print_stats(package.replace("\\", "\\\\"), top)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fast smoke run (< 30 s)")
    parser.add_argument("--repeat", type=int, default=None, help="repeats per measurement")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", default="", help="comma-separated benchmark keys")
    parser.add_argument("--list", action="store_true", help="list the benchmark keys")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="profile a workload")
    parser.add_argument(
        "--blas-threads",
        type=int,
        help="BLAS threads; default 1 unless OPENBLAS_NUM_THREADS is set; 0: leave as is",
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.repeat = args.repeat or (3 if args.quick else 7)
    args.only = {k.strip() for k in args.only.split(",") if k.strip()}
    unknown = args.only - {key for key, _, _ in registered()}
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; see --list")
    return args


def pin_blas_threads(threads: int | None, argv: list[str] | None) -> None:
    """Start again with the BLAS thread count set (BLAS reads it when NumPy is imported):
    1 unless `OPENBLAS_NUM_THREADS` is set; 0 leaves the environment alone."""
    if threads is None and "OPENBLAS_NUM_THREADS" not in os.environ:
        threads = 1
    if threads and os.environ.get("OPENBLAS_NUM_THREADS") != str(threads):
        n = str(threads)
        env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n)
        script = [sys.executable, str(Path(__file__).resolve())]
        os.execve(sys.executable, script + (sys.argv[1:] if argv is None else argv), env)


def run(cfg: Config, only: set[str]) -> list[Row]:
    """The rows of the registered benchmarks (those in `only`, or all), each titled."""
    rows: list[Row] = []
    for key, title, fn in registered():
        if only and key not in only:
            continue
        if sys.stderr.isatty():
            print(f"  running {key}...", file=sys.stderr, flush=True)
        try:
            new = fn(cfg)
        except Exception as e:  # one broken benchmark must not hide the others' rows
            new = [Row("ERROR", None, ok=False, note=f"{type(e).__name__}: {e}"[:100])]
        for row in new:
            row.bench = title
            rows.append(row)
    return rows


def summary(rows: list[Row], seconds: float) -> str:
    """How many targets were met, and which failed."""
    checked = [r for r in rows if r.ok is not None]
    failed = [r for r in checked if not r.ok]
    names = ", ".join(f"{r.bench.split()[0]} {r.what}" for r in failed)
    return (
        f"{len(checked) - len(failed)}/{len(checked)} targets met"
        + (f"; FAIL: {names}" if failed else "")
        + f"  (total {seconds:.0f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table; with `--strict`, 1 when a target fails."""
    args = parse(argv)
    pin_blas_threads(args.blas_threads, argv)
    if args.list:
        for key, title, _ in registered():
            print(f"{key:12} {title}")
        return 0
    if args.profile:
        profile(args.profile)
        return 0
    cfg = Config(
        repeat=args.repeat,
        big_repeat=max(1, round(args.repeat * 3 / 7)),
        min_time=0.01 if args.quick else 0.05,
        quick=args.quick,
    )
    print(header(cfg, args.repeat), flush=True)
    started = time.perf_counter()
    rows = run(cfg, args.only)
    print()
    print(render(rows, args.markdown))
    print()
    print(summary(rows, time.perf_counter() - started))
    return 1 if args.strict and any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
