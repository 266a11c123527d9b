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
  (users pay for it too) but collects before each repeat.
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

Adding a benchmark: write a function taking a `Config` and returning a list of `Row`s, and
register it with `@benchmark("key", "title")`; its rows join the table in registration order.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.metadata
import math
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

import autodiff as ad

try:  # a peer when installed (not a dependency): its rows are left out otherwise
    import torch
except ImportError:
    torch = None

ROOT = Path(__file__).resolve().parent.parent
F32 = np.float32


# ============================================================================ table and timing
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
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return {name: Stats(statistics.median(ts), min(ts), ts) for name, ts in times.items() if ts}


def measure_once(fn: Callable[[], object], repeat: int) -> Stats:
    """Seconds per call of a slow function (no loop, no warm-up beyond what the caller did)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Stats(statistics.median(times), min(times), times)


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


BENCHMARKS: list[tuple[str, str, Callable[[Config], list[Row]]]] = []


def benchmark(key: str, title: str) -> Callable:
    """Register a benchmark: `fn(cfg) -> list[Row]`, shown under `title` (`"1 MLP step"`)."""

    def register(fn: Callable[[Config], list[Row]]) -> Callable[[Config], list[Row]]:
        BENCHMARKS.append((key, title, fn))
        return fn

    return register


# ============================================================================ workloads
# Each `make_*` returns the callables the benchmarks time (and `--profile` profiles).


# ----- W3 (and 5): MLP 784-256-10, tanh hidden, softmax cross-entropy, batch 256, float32
def mlp_data(batch: int = 256, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, batch)
    return {
        "X": rng.standard_normal((batch, 784)).astype(F32),
        "Y": np.eye(10, dtype=F32)[labels],
        "W1": (rng.standard_normal((784, 256)) / np.sqrt(784)).astype(F32),
        "b1": (0.1 * rng.standard_normal(256)).astype(F32),
        "W2": (rng.standard_normal((256, 10)) / 16).astype(F32),
        "b2": (0.1 * rng.standard_normal(10)).astype(F32),
    }


MLP_KEYS = ("W1", "b1", "W2", "b2")


def make_mlp_autodiff(
    d: dict[str, np.ndarray], loss: str = "logsumexp"
) -> tuple[Callable, Callable]:
    """(step, forward): `step()` returns the gradients of W1, b1, W2, b2 as tensors. The loss
    is W3's `mean(logsumexp(logits) - sum(onehot * logits))`, or with `loss="log_softmax"`
    `-mean(sum(onehot * log_softmax(logits)))` (the same number; row 5 measures that one)."""
    x, y = ad.constant(d["X"]), ad.constant(d["Y"])
    params = [ad.Variable(d[k], name=k) for k in MLP_KEYS]
    w1, b1, w2, b2 = params

    def forward() -> ad.Tensor:
        h = ad.tanh(x @ w1 + b1)
        logits = h @ w2 + b2
        if loss == "log_softmax":
            return -ad.reduce_mean(ad.reduce_sum(y * ad.log_softmax(logits), axis=1))
        picked = ad.reduce_sum(y * logits, axis=1)
        return ad.reduce_mean(ad.reduce_logsumexp(logits, axis=1) - picked)

    def step() -> list[ad.Tensor]:
        with ad.GradientTape() as tape:
            loss = forward()
        return tape.gradient(loss, params)

    forward.params = params  # type: ignore[attr-defined]  (for row 11)
    return step, forward


def make_mlp_numpy(d: dict[str, np.ndarray]) -> Callable[[], list[np.ndarray]]:
    """The hand-written forward and backward: the BLAS floor (in place where it is free)."""
    X, Y, W1, b1, W2, b2 = (d[k] for k in ("X", "Y", "W1", "b1", "W2", "b2"))
    inv_n = 1.0 / X.shape[0]  # a Python float keeps float32 (NEP 50)

    def step() -> list[np.ndarray]:
        h = X @ W1
        h += b1
        np.tanh(h, out=h)
        logits = h @ W2
        logits += b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        logp = shifted - np.log(total)
        loss = -(Y * logp).sum() * inv_n  # noqa: F841 (computed, as a training step would)
        # backward: d loss / d logits = (softmax - Y) / n, since each row of Y sums to 1
        dlogits = e / total
        dlogits -= Y
        dlogits *= inv_n
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(axis=0)
        dh = dlogits @ W2.T
        h *= h
        np.subtract(1, h, out=h)
        dh *= h  # d tanh: (1 - h²)
        dW1 = X.T @ dh
        db1 = dh.sum(axis=0)
        return [dW1, db1, dW2, db2]

    return step


def make_mlp_autograd(d: dict[str, np.ndarray]) -> Callable[[], list[np.ndarray]]:
    X, Y = d["X"], d["Y"]

    def loss(params: list) -> object:
        w1, b1, w2, b2 = params
        h = anp.tanh(anp.dot(X, w1) + b1)
        logits = anp.dot(h, w2) + b2
        top = np.max(getval(logits), axis=1)
        lse = anp.log(anp.sum(anp.exp(logits - top[:, None]), axis=1)) + top
        return anp.mean(lse - anp.sum(Y * logits, axis=1))

    gradient = autograd.grad(loss)
    params = [d[k] for k in MLP_KEYS]
    return lambda: gradient(params)


def make_mlp_torch(d: dict[str, np.ndarray]) -> Callable[[], list[np.ndarray]]:
    x, y = torch.from_numpy(d["X"]), torch.from_numpy(d["Y"])
    params = [torch.tensor(d[k], requires_grad=True) for k in MLP_KEYS]
    w1, b1, w2, b2 = params

    def step() -> list[np.ndarray]:
        logits = torch.tanh(x @ w1 + b1) @ w2 + b2
        loss = torch.mean(torch.logsumexp(logits, 1) - torch.sum(y * logits, 1))
        return [g.numpy() for g in torch.autograd.grad(loss, params)]

    return step


# ----- W1: scalar chain of 1,000 ops, gradients of x, a, b (a and b: 333+ contributions each)
SCALAR_UNITS = 333  # 333 x (mul, add, tanh) + one final mul = 1,000 ops
SCALAR_OPS = 3 * SCALAR_UNITS + 1
X0, A0, B0 = 0.5, 0.9, 0.1


def make_scalar_autodiff() -> Callable[[], list[ad.Tensor]]:
    x, a, b = (ad.Variable(np.array(v, F32), name=n) for v, n in ((X0, "x"), (A0, "a"), (B0, "b")))

    def step() -> list[ad.Tensor]:
        with ad.GradientTape() as tape:
            y = x
            for _ in range(SCALAR_UNITS):
                y = ad.tanh(y * a + b)
            y = y * a
        return tape.gradient(y, [x, a, b])

    return step


def make_scalar_numpy() -> Callable[[], list[np.float32]]:
    """The floor: NumPy float32 scalars, the forward keeping what the backward reads."""
    x, a, b = F32(X0), F32(A0), F32(B0)
    one = F32(1)

    def step() -> list[np.float32]:
        ins, outs = [], []
        y = x
        for _ in range(SCALAR_UNITS):
            ins.append(y)
            y = np.tanh(y * a + b)
            outs.append(y)
        g, ga = a, y  # d(y*a)/dy, d(y*a)/da
        gb = F32(0)
        for y_in, t in zip(reversed(ins), reversed(outs), strict=True):
            g = g * (one - t * t)  # through tanh, then + b, then * a
            gb = gb + g
            ga = ga + g * y_in
            g = g * a
        return [g, ga, gb]

    return step


def make_scalar_autograd() -> Callable[[], list[np.ndarray]]:
    def chain(params: list) -> object:
        y, a, b = params
        for _ in range(SCALAR_UNITS):
            y = anp.tanh(y * a + b)
        return y * a

    gradient = autograd.grad(chain)
    params = [np.array(v, F32) for v in (X0, A0, B0)]
    return lambda: gradient(params)


def make_scalar_torch() -> Callable[[], list[np.ndarray]]:
    params = [torch.tensor(v, dtype=torch.float32, requires_grad=True) for v in (X0, A0, B0)]
    x, a, b = params

    def step() -> list[np.ndarray]:
        y = x
        for _ in range(SCALAR_UNITS):
            y = torch.tanh(y * a + b)
        y = y * a
        return [g.numpy() for g in torch.autograd.grad(y, params)]

    return step


class Value:
    """micrograd-style scalar: a Python float, its gradient and a closure for the backward."""

    __slots__ = ("_backward", "_prev", "data", "grad")

    def __init__(self, data: float, prev: tuple[Value, ...] = ()) -> None:
        self.data, self.grad, self._prev, self._backward = data, 0.0, prev, None

    def __add__(self, other: Value) -> Value:
        out = Value(self.data + other.data, (self, other))

        def backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other: Value) -> Value:
        out = Value(self.data * other.data, (self, other))

        def backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def backward() -> None:
            self.grad += (1.0 - t * t) * out.grad

        out._backward = backward
        return out

    def backward(self) -> None:
        topo, seen, stack = [], set(), [(self, False)]
        while stack:  # iterative post-order: a 1,000-deep chain passes the recursion limit
            node, done = stack.pop()
            if done:
                topo.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in node._prev)
        self.grad = 1.0
        for node in reversed(topo):
            if node._backward is not None:
                node._backward()


def make_scalar_micrograd() -> Callable[[], list[float]]:
    def step() -> list[float]:
        x, a, b = Value(X0), Value(A0), Value(B0)
        y = x
        for _ in range(SCALAR_UNITS):
            y = (y * a + b).tanh()
        y = y * a
        y.backward()
        return [x.grad, a.grad, b.grad]

    return step


# ----- W2: elementwise chain on a length-10 vector, y = y * 1.0001 + 0.0001, N times
CHAIN_SIZES = (10_000, 100_000)


def make_chain_autodiff(n: int) -> Callable[[], ad.Tensor]:
    x = ad.Variable(np.linspace(-1, 1, 10, dtype=F32), name="x")

    def step() -> ad.Tensor:
        with ad.GradientTape() as tape:
            y = x
            for _ in range(n):
                y = y * 1.0001 + 0.0001
            loss = ad.reduce_sum(y)
        return tape.gradient(loss, x)

    return step


def make_chain_numpy(n: int) -> Callable[[], np.ndarray]:
    """The floor: the forward, then the backward's n multiplies (float32, NEP 50)."""
    x = np.linspace(-1, 1, 10, dtype=F32)

    def step() -> np.ndarray:
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        loss = y.sum()  # noqa: F841
        g = np.ones_like(x)
        for _ in range(n):
            g = g * 1.0001
        return g

    return step


def make_chain_autograd(n: int) -> Callable[[], np.ndarray]:
    def chain(y: object) -> object:
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        return anp.sum(y)

    gradient = autograd.grad(chain)
    x = np.linspace(-1, 1, 10, dtype=F32)
    return lambda: gradient(x)


def make_chain_torch(n: int) -> Callable[[], np.ndarray]:
    x = torch.linspace(-1, 1, 10, dtype=torch.float32, requires_grad=True)

    def step() -> np.ndarray:
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        return torch.autograd.grad(torch.sum(y), x)[0].numpy()

    return step


# ----- W4: broadcasting, reduce_sum(tanh(a + b)), a (256, 1), b (1, 256)
def broadcast_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((256, 1)).astype(F32), rng.standard_normal((1, 256)).astype(F32)


def make_broadcast_autodiff(a0: np.ndarray, b0: np.ndarray) -> Callable[[], list[ad.Tensor]]:
    a, b = ad.Variable(a0, name="a"), ad.Variable(b0, name="b")

    def step() -> list[ad.Tensor]:
        with ad.GradientTape() as tape:
            loss = ad.reduce_sum(ad.tanh(a + b))
        return tape.gradient(loss, [a, b])

    return step


def make_broadcast_numpy(a: np.ndarray, b: np.ndarray) -> Callable[[], list[np.ndarray]]:
    def step() -> list[np.ndarray]:
        t = np.tanh(a + b)
        loss = t.sum()  # noqa: F841
        t *= t
        np.subtract(1, t, out=t)  # d loss / d(a + b) = 1 - tanh²
        return [t.sum(axis=1, keepdims=True), t.sum(axis=0, keepdims=True)]

    return step


def make_broadcast_autograd(a: np.ndarray, b: np.ndarray) -> Callable[[], list[np.ndarray]]:
    gradient = autograd.grad(lambda p: anp.sum(anp.tanh(p[0] + p[1])))
    return lambda: gradient([a, b])


def make_broadcast_torch(a0: np.ndarray, b0: np.ndarray) -> Callable[[], list[np.ndarray]]:
    a, b = (torch.tensor(v, requires_grad=True) for v in (a0, b0))

    def step() -> list[np.ndarray]:
        loss = torch.sum(torch.tanh(a + b))
        return [g.numpy() for g in torch.autograd.grad(loss, [a, b])]

    return step


# ----- 7: graph replay
def chain_tape(units: int = 65) -> tuple[ad.GradientTape, ad.Tensor, ad.Variable]:
    """A 200-node graph: leaves x (1,4), w (4,4), b (4,); 65 x (matmul, add, tanh); square, sum."""
    rng = np.random.default_rng(0)
    x = ad.constant(rng.standard_normal((1, 4)).astype(F32), name="x")
    w = ad.Variable((0.5 * rng.standard_normal((4, 4))).astype(F32), name="w")
    b = ad.Variable(np.zeros(4, F32), name="b")
    with ad.GradientTape(persistent=True) as tape:
        h = x
        for _ in range(units):
            h = ad.tanh(h @ w + b)
        loss = ad.reduce_sum(ad.square(h))
    return tape, loss, w


def make_replay_chain(units: int = 65) -> tuple[ad.Graph, ad.Variable, Callable[[], ad.Graph]]:
    """The chain's graph, its variable w, and a function that builds the graph again."""
    tape, loss, w = chain_tape(units)
    return tape.graph(loss), w, lambda: tape.graph(loss)


def make_replay_seed() -> tuple[ad.Graph, ad.Variable]:
    """The README's example: w 3x2, b zeros(2), x [[1,2,3]], loss = mean((x @ w + b) ** 2)."""
    w = ad.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="w")
    b = ad.Variable(ad.zeros(2), name="b")
    x = [[1.0, 2.0, 3.0]]
    with ad.GradientTape(persistent=True) as tape:
        loss = ad.reduce_mean((x @ w + b) ** 2)
    return tape.graph(loss), w


# ============================================================================ benchmarks
def add_torch(
    fns: dict[str, Callable[[], object]], make: Callable[[], Callable[[], object]]
) -> None:
    """Add the torch peer to `fns` when torch is installed (it is optional)."""
    if torch is not None:
        fns["torch"] = make()


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


@benchmark("mlp", "1 W3 MLP 784-256-10 step, batch 256")
def bench_mlp(cfg: Config) -> list[Row]:
    d = mlp_data()
    fns = {
        "autodiff": make_mlp_autodiff(d)[0],
        "numpy": make_mlp_numpy(d),
        "autograd": make_mlp_autograd(d),
    }
    add_torch(fns, lambda: make_mlp_torch(d))
    checks = check_rows(fns, "autodiff")
    stats = measure(fns, cfg.repeat, cfg)
    rows = timing_rows(stats, "numpy", LABELS)
    target_le(rows[0], stats["autodiff"].median / stats["numpy"].median, 1.15, "<= 1.15x")
    return rows + checks


@benchmark("scalar", f"2 W1 scalar chain, {SCALAR_OPS:,} ops, grads of x, a, b")
def bench_scalar(cfg: Config) -> list[Row]:
    fns = {
        "autodiff": make_scalar_autodiff(),
        "numpy": make_scalar_numpy(),
        "micrograd": make_scalar_micrograd(),
        "autograd": make_scalar_autograd(),
    }
    add_torch(fns, make_scalar_torch)
    checks = check_rows(fns, "micrograd", note="float32 vs float64")
    stats = measure(fns, cfg.repeat, cfg)
    floor, micrograd = stats["numpy"].median, stats["micrograd"].median
    rows = [
        Row(
            LABELS.get(name, name),
            s.median / SCALAR_OPS * 1e6,
            s.minimum / SCALAR_OPS * 1e6,
            "us/op",
            ratio=f"{s.median / floor:.2f}x numpy",
            note=f"{s.median / micrograd:.2f}x micrograd",
        )
        for name, s in stats.items()
    ]
    target_le(rows[0], rows[0].median, 2.5, "<= 2.5 us/op")
    return rows + checks


@benchmark("elementwise", "3 W2 chain y = y * 1.0001 + 0.0001, 10-vector")
def bench_elementwise(cfg: Config) -> list[Row]:
    small, large = CHAIN_SIZES
    makers: dict[str, Callable[[int], Callable[[], object]]] = {
        "autodiff": make_chain_autodiff,
        "numpy": make_chain_numpy,
        "autograd": make_chain_autograd,
    }
    if torch is not None:
        makers["torch"] = make_chain_torch
    fns = {name: make(small) for name, make in makers.items()}
    checks = check_rows(fns, "autograd")
    stats = {small: measure(fns, cfg.big_repeat, cfg)}
    if cfg.quick:  # the peers' 100k runs take seconds each
        makers = {k: makers[k] for k in ("autodiff", "numpy")}
    stats[large] = measure_slow({k: make(large) for k, make in makers.items()}, cfg.big_repeat)
    rows = []
    for n, group in stats.items():
        floor = group["numpy"].median
        for name, s in group.items():
            row = Row(f"{LABELS.get(name, name)}, N={n:,}", s.median, s.minimum)
            row.ratio = f"{s.median / floor:.2f}x numpy"
            rows.append(row)
    target_le(rows[len(stats[small])], stats[large]["autodiff"].median, 1.0, "<= 1 s")
    for name in stats[large]:
        a, b = stats[large][name], stats[small][name]
        growth = Row(
            f"{name}: N={large:,} / N={small:,} time",
            a.median / b.median,
            a.minimum / b.minimum,
            "x",
            note="10 = linear; the garbage collector on",
        )
        rows.append(growth)
        if name == "autodiff":
            target_le(growth, growth.median, 11, "<= 11x")
    return rows + checks


@benchmark("broadcast", "4 W4 broadcast reduce_sum(tanh(a + b)), (256,1)+(1,256)")
def bench_broadcast(cfg: Config) -> list[Row]:
    a, b = broadcast_data()
    fns = {
        "autodiff": make_broadcast_autodiff(a, b),
        "numpy": make_broadcast_numpy(a, b),
        "autograd": make_broadcast_autograd(a, b),
    }
    add_torch(fns, lambda: make_broadcast_torch(a, b))
    checks = check_rows(fns, "autodiff")
    stats = measure(fns, cfg.repeat, cfg)
    rows = timing_rows(stats, "numpy", LABELS)
    target_le(rows[0], stats["autodiff"].median / stats["numpy"].median, 1.5, "<= 1.5x")
    return rows + checks


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


@benchmark("memory", "5 memory, MLP step")
def bench_memory(cfg: Config) -> list[Row]:
    d = mlp_data()
    ad_step, forward = make_mlp_autodiff(d, loss="log_softmax")
    repeat = max(3, cfg.big_repeat)
    ad_peak = peak_bytes(ad_step, repeat)
    np_peak = peak_bytes(make_mlp_numpy(d), repeat)
    rows = [
        Row(
            "autodiff",
            ad_peak.median,
            ad_peak.minimum,
            "B",
            ratio=f"{ad_peak.median / np_peak.median:.2f}x numpy",
        ),
        Row("numpy (hand-written)", np_peak.median, np_peak.minimum, "B", ratio="1.00x numpy"),
    ]
    target_le(rows[0], ad_peak.median / np_peak.median, 1.3, "<= 1.3x")

    # A non-persistent tape frees its intermediates once gradient() returns. The forward runs
    # in a function, so only the tape's records can keep the activations alive. The garbage
    # collector is off: what is freed must be freed by reference counting alone.
    for _ in range(2):  # warm-up: the first run fills caches that are never freed
        with ad.GradientTape() as tape:
            loss = forward()
        tape.gradient(loss, tape.watched_variables())
        del tape, loss
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tape = ad.GradientTape()
        with tape:
            loss = forward()
        recorded = tracemalloc.get_traced_memory()[0] - base
        grads = tape.gradient(loss, tape.watched_variables())
        grad_bytes = sum(g.numpy().nbytes for g in grads)
        after_gradient = tracemalloc.get_traced_memory()[0] - base - grad_bytes
        del tape, loss, grads
        after_del = tracemalloc.get_traced_memory()[0] - base
        gc.collect()
        after_collect = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
        gc.enable()
    tolerance = 64 * 1024
    kept = Row("kept after del tape, loss, grads", after_del, None, "B", note="refcounting only")
    if after_del > tolerance >= after_collect:
        kept.note = "freed only by gc.collect(): a reference cycle"
    rows += [
        Row(
            "recorded (after forward, tape alive)",
            recorded,
            None,
            "B",
            note="activations the tape keeps",
        ),
        target_le(
            Row(
                "kept after gradient() (minus grads)",
                after_gradient,
                None,
                "B",
                note="tape, loss, grads still alive",
            ),
            after_gradient,
            tolerance,
            "<= 64 KiB",
        ),
        target_le(kept, after_del, tolerance, "<= 64 KiB"),
        target_le(
            Row("kept after del and gc.collect()", after_collect, None, "B"),
            after_collect,
            tolerance,
            "<= 64 KiB",
        ),
    ]
    return rows


IMPORT_CODE = (
    "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)


@benchmark("import", "6 import time")
def bench_import(cfg: Config) -> list[Row]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    times: dict[str, list[float]] = {"autodiff": [], "numpy": []}
    totals: dict[str, list[float]] = {"autodiff": [], "numpy": []}
    for _ in range(cfg.repeat + 1):  # the first round warms the file cache, not counted
        for module in times:
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", IMPORT_CODE.format(module=module)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env=env,
            )
            totals[module].append(time.perf_counter() - start)
            times[module].append(float(out.stdout.strip().splitlines()[-1]))
    stats = {m: Stats(statistics.median(t[1:]), min(t[1:]), t[1:]) for m, t in times.items()}
    rows = timing_rows(stats, "numpy", {"numpy": "import numpy", "autodiff": "import autodiff"})
    target_le(rows[0], stats["autodiff"].median / stats["numpy"].median, 1.5, "<= 1.5x")
    for module in ("autodiff", "numpy"):
        t = totals[module][1:]
        rows.append(
            Row(
                f"whole process, {module}",
                statistics.median(t),
                min(t),
                note="python start-up included",
            )
        )
    return rows


@benchmark("replay", "7 Graph.replay")
def bench_replay(cfg: Config) -> list[Row]:
    graph, w, rebuild = make_replay_chain()
    rng = np.random.default_rng(1)
    new_w = [(0.5 * rng.standard_normal((4, 4))).astype(F32) for _ in range(8)]
    counter = iter(range(10**12))

    def replay_chain() -> ad.Graph:
        return graph.replay({w: new_w[next(counter) % len(new_w)]})

    # The replayed gradient must be the tape's gradient for the new value.
    check = graph.replay({w: new_w[0]})
    w2 = ad.Variable(new_w[0])
    x, b = graph["x"].value, graph["b"].value
    with ad.GradientTape() as tape:
        h = ad.constant(x)
        for _ in range(65):
            h = ad.tanh(h @ w2 + b)
        loss = ad.reduce_sum(ad.square(h))
    err = rel_error(check[w].grad, tape.gradient(loss, w2).numpy())

    stats = measure({"replay": replay_chain, "graph": rebuild}, cfg.repeat, cfg)
    seed, seed_w = make_replay_seed()
    seed_values = [rng.standard_normal((3, 2)).astype(F32) for _ in range(1000)]

    def replay_seed_1000() -> None:
        for value in seed_values:
            seed.replay({seed_w: value})

    for value in seed_values[:10]:  # warm-up
        seed.replay({seed_w: value})
    s_seed = measure_once(replay_seed_1000, cfg.big_repeat)
    s = stats["replay"]
    rows = [
        target_le(
            Row(f"replay({{w: ...}}), {len(graph)}-node chain", s.median, s.minimum),
            s.median,
            5e-3,
            "<= 5 ms",
        ),
        Row(
            f"tape.graph(target), {len(graph)} nodes",
            stats["graph"].median,
            stats["graph"].minimum,
            note="building the graph, for context",
        ),
        target_le(
            Row("seed graph: 1,000 replays (total)", s_seed.median, s_seed.minimum),
            s_seed.median,
            1.0,
            "< 1 s",
        ),
        target_le(Row("check: replayed grad vs tape", err, None, "err"), err, 1e-5, "<= 1e-5 rel"),
    ]
    if len(graph) != 200:
        rows[0].note = f"expected 200 nodes, got {len(graph)}"
    return rows


# ----- 8: the visualizer
def make_explorer_chain(units: int = 65) -> tuple:
    """`viz.explore` on the 200-node chain of row 7, and one of its value sliders."""
    import viz

    tape, loss, _ = chain_tape(units)
    explorer = viz.explore(tape, loss)
    return explorer, explorer.sliders[0]


def make_big_graph(units: int = 666) -> ad.Graph:
    """A 2,000-node graph: x, then per unit a constant, a multiply and a tanh."""
    x = ad.Variable(np.ones(3, F32), name="x")
    with ad.GradientTape() as tape:
        y = x
        for k in range(units):
            y = ad.tanh(y * (1.0 + k * 1e-3))
    return tape.graph(y)


BROWSER_TIMINGS = Path(__file__).resolve().parent.parent / "test-output/browser/timings.json"


@benchmark("viz", "8 visualizer")
def bench_viz(cfg: Config) -> list[Row]:
    from viz import dot as dotlib
    from viz.levels import Level

    explorer, (control, _) = make_explorer_chain()
    values = iter(np.linspace(-0.9, 0.9, 10**6).tolist())
    updates, handlers = [], []
    for _ in range(10 if cfg.quick else 40):
        start = time.perf_counter()
        explorer.set_leaf(control, next(values))
        handlers.append(time.perf_counter() - start)
        updates.append(explorer.update_ms / 1000)
    big = make_big_graph()
    level = Level("full", frozenset(), "LR")  # everything drawn, as it was measured before
    dot = measure({"dot": lambda: dotlib.build(big, level).source}, cfg.repeat, cfg)["dot"]
    rows = [
        target_le(
            Row(
                f"slider to patches sent, {len(explorer.graph)}-node graph",
                statistics.median(updates),
                min(updates),
                note="replay + changed cells (Python side)",
            ),
            statistics.median(updates),
            5e-3,
            "<= 5 ms",
        ),
        Row(
            "slider handler in all, with the backward steps",
            statistics.median(handlers),
            min(handlers),
            note="steps are sent after the slider rests, in a kernel",
        ),
        target_le(
            Row(f"DOT source, {len(big)}-node graph, unfolded", dot.median, dot.minimum),
            dot.median,
            1.0,
            "< 1 s",
        ),
    ]
    return rows + browser_rows()


# Targets of the browser tests' timings, matched by key (see `_key_has`): the first
# render of a diagram (run the cell, until its SVG is drawn), in seconds; None: context only.
BROWSER_TARGETS: list[tuple[tuple[str, ...], float | None, str]] = [
    (("first render", "seed"), None, ""),
    (("first render", "200-node"), 1.0, "<= 1 s"),
    (("first render", "2000-node"), 3.0, "<= 3 s"),
    (("first render", "backprop-ninja"), 1.5, "<= 1.5 s"),
]
BROWSER_EXPECTED = {  # recorded by tests/browser; a missing one is reported
    "first render, 200-node graph": ("first render", "200-node"),
    "first render, 2,000-node graph": ("first render", "2000-node"),
    "first render, backprop-ninja lecture": ("first render", "backprop-ninja"),
    "slider key, backprop-ninja lecture": ("slider key", "backprop-ninja"),
}
SLIDER_KEY = "slider key to patched svg"
ROUND_TRIP_KEY = "minimal widget round trip"
SLIDER_OVERHEAD = 10e-3  # s: slider key to patched SVG, beyond a bare widget round trip


def _key_words(key: str) -> str:
    """A timing key, lower case, with thousands separators dropped (`2,000` -> `2000`)."""
    return re.sub(r"(?<=\d),(?=\d{3})", "", key.lower())


def _key_has(key: str, words: tuple[str, ...]) -> bool:
    """Whether the key holds every one of `words`; a number must not continue a longer one
    (`200-node` is not found in `1200-node`)."""
    key = _key_words(key)
    return all(re.search(r"(?<![\d.])" + re.escape(w), key) for w in words)


def browser_rows() -> list[Row]:
    """The browser tests' timings (test-output/browser/timings.json, milliseconds): one row
    per key, with the targets of `BROWSER_TARGETS`, and for each slider timing its excess
    over the minimal widget round trip (the time our code adds)."""
    if not BROWSER_TIMINGS.exists():
        return [Row("browser timings", None, note="run the browser tests first (make test)")]
    import json

    age = (time.time() - BROWSER_TIMINGS.stat().st_mtime) / 3600
    source = f"from the browser tests, {age:.0f} h ago" if age >= 1 else "from the browser tests"
    timings = {
        k: v / 1000
        for k, v in json.loads(BROWSER_TIMINGS.read_text()).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    round_trip = next((v for k, v in timings.items() if ROUND_TRIP_KEY in _key_words(k)), None)
    rows = []
    for key, seconds in timings.items():
        row = Row(f"browser: {key}", seconds, None, note=source)
        for words, limit, text in BROWSER_TARGETS:
            if _key_has(key, words):
                if limit is not None:
                    target_le(row, seconds, limit, text)
                break
        rows.append(row)
        if SLIDER_KEY in _key_words(key) and round_trip is not None:
            excess = seconds - round_trip
            row = Row(
                f"  minus the minimal widget round trip ({round_trip * 1e3:.1f} ms)",
                excess,
                None,
                note="the time our code adds to a slider key",
            )
            if "124-node" in key:  # the target is set for a graph of about 120 nodes
                target_le(row, excess, SLIDER_OVERHEAD, "<= 10 ms")
            rows.append(row)
    for label, words in BROWSER_EXPECTED.items():
        if not any(_key_has(k, words) for k in timings):
            rows.append(Row(f"browser: {label}", None, note="not recorded by the browser tests"))
    return rows


# ----- 9: big graphs
DISPLAY_SIZES = (12_500, 30_000)  # nodes
COLLAPSE_SIZE = 15_000
DISPLAY_LIMIT = 1.0  # s: displaying a Diagram, kernel time
SLOW_BUDGET = 20.0  # s: repeats of a slow measurement stop once they took this long


def make_model_graph(n_nodes: int) -> ad.Graph:
    """A deep net of `n_nodes` nodes (a multiple of 4) as real models record it: scopes
    `model/layer{k}`, each layer with its own bias b and h = tanh(h @ w + b), the weight w
    shared by every layer (an RNN's steps); leaves x and w, then square and sum."""
    rng = np.random.default_rng(0)
    x = ad.constant(rng.standard_normal((1, 4)).astype(F32), name="x")
    w = ad.Variable((0.5 * rng.standard_normal((4, 4))).astype(F32), name="w")
    with ad.GradientTape() as tape:
        h = x
        with ad.name_scope("model"):
            for k in range(max(1, (n_nodes - 4) // 4)):
                with ad.name_scope(f"layer{k}"):
                    b = ad.Variable(np.full(4, 0.01 * (k % 7), F32), name="b")
                    h = ad.tanh(h @ w + b)
        loss = ad.reduce_sum(ad.square(h))
    return tape.graph(loss)


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


def time_display(graph: ad.Graph, repeat: int) -> tuple[Stats, str]:
    """Kernel time of displaying `viz.draw(graph)` in a notebook (drawing it, then its
    `_repr_mimebundle_`), and a note: the two parts, how many nodes are drawn, SVG copy."""
    import viz
    from viz.diagram import _drawn_nodes

    parts: dict[str, list[float]] = {"draw": [], "display": []}
    last: dict[str, object] = {}

    def display() -> None:
        start = time.perf_counter()
        diagram = viz.draw(graph)
        drawn = time.perf_counter()
        last["bundle"] = diagram._repr_mimebundle_()
        parts["draw"].append(drawn - start)
        parts["display"].append(time.perf_counter() - drawn)
        last["source"] = diagram.source

    stats = measure_slow({"display": display}, repeat)["display"]
    svg = "image/svg+xml" in last["bundle"]
    note = (
        f"draw {statistics.median(parts['draw']):.2f} s + _repr_mimebundle_ "
        f"{statistics.median(parts['display']):.2f} s; {_drawn_nodes(last['source']):,} nodes "
        f"drawn, {'with' if svg else 'no'} SVG copy"
    )
    return stats, note


@benchmark("big", "9 big graphs")
def bench_big(cfg: Config) -> list[Row]:
    import viz
    from viz.diagram import _drawn_nodes

    seed, _ = make_replay_seed()
    viz.draw(seed)._repr_mimebundle_()  # warm-up: lazy imports, the widget's class
    rows = []
    for size in DISPLAY_SIZES:
        graph = make_model_graph(size)
        s, note = time_display(graph, cfg.big_repeat)
        row = Row(f"display viz.draw(graph), {len(graph):,} nodes", s.median, s.minimum, note=note)
        rows.append(target_le(row, s.median, DISPLAY_LIMIT, "<= 1 s"))

    graph, half = make_model_graph(COLLAPSE_SIZE), make_model_graph(COLLAPSE_SIZE // 2)
    # "plain" is the drawing with nothing folded (what viz.draw drew before big graphs opened
    # folded); "default" is what viz.draw does now (folded to stay readable)
    options = {"plain": {"folded": []}, "default": {}, "collapse": {"collapse": 1}}
    sources: dict[str, str] = {}

    def drawer(name: str) -> Callable[[], None]:
        def draw() -> None:
            sources[name] = viz.draw(graph, **options[name]).source

        return draw

    fns = {name: drawer(name) for name in options}
    fns["half"] = lambda: viz.draw(half, collapse=1).source
    stats = measure_slow(fns, cfg.big_repeat)
    plain = stats["plain"].median
    labels = {
        "plain": "viz.draw(graph, folded=[]).source",
        "default": "viz.draw(graph).source",
        "collapse": "viz.draw(graph, collapse=1).source",
    }
    notes = {
        "plain": "nothing folded (at most 1,500 elements drawn, the rest as one node)",
        "default": "folded to stay readable",
        "collapse": "must be linear in size",
    }
    for name in ("plain", "default", "collapse"):
        s = stats[name]
        rows.append(
            Row(
                f"{labels[name]}, {len(graph):,} nodes",
                s.median,
                s.minimum,
                ratio=f"{s.median / plain:.2f}x plain",
                note=f"{_drawn_nodes(sources[name]):,} nodes drawn; {notes[name]}",
            )
        )
    target_le(rows[-1], stats["collapse"].median / plain, 2.0, "<= 2x plain")
    growth = stats["collapse"].median / stats["half"].median
    growth_row = Row(
        f"collapse=1: {len(graph):,} / {len(half):,} nodes time",
        growth,
        stats["collapse"].minimum / stats["half"].minimum,
        "x",
        note="2 = linear",
    )
    rows.append(target_le(growth_row, growth, 2.5, "<= 2.5x"))
    return rows + export_rows(cfg)


EXPORT_SIZES = (500, 2_000, 20_000)  # ops


def make_explained_chain(n_ops: int) -> ad.Graph:
    """A chain of `n_ops` ops whose gradients are mostly zero or None (a ReLU that blocks, a
    stop_gradient), so that `export_html` explains nearly every node (issue 27)."""
    x = ad.Variable(0.5, name="x")
    with ad.GradientTape() as tape:
        y = ad.relu(x * 0.0 - 1.0)
        cut = ad.stop_gradient(x * 2.0)
        for _ in range((n_ops - 5) // 2):
            y = ad.tanh(y) + cut
    return tape.graph(y)


def export_rows(cfg: Config) -> list[Row]:
    """`viz.export_html` (every node's details, each None or zero gradient explained) at
    500, 2,000 and 20,000 ops: linear in the graph's size."""
    import tempfile

    import viz

    diagrams = {n: viz.draw(make_explained_chain(n)) for n in EXPORT_SIZES}
    with tempfile.TemporaryDirectory() as folder:
        fns = {
            n: (lambda d=d: viz.export_html(d, Path(folder) / "export.html"))
            for n, d in diagrams.items()
        }
        stats = measure_slow({str(n): fn for n, fn in fns.items()}, cfg.big_repeat)
    rows = [
        Row(f"viz.export_html, {n:,} ops", stats[str(n)].median, stats[str(n)].minimum)
        for n in EXPORT_SIZES
    ]
    small, big = EXPORT_SIZES[1], EXPORT_SIZES[2]
    growth = stats[str(big)].median / stats[str(small)].median
    row = Row(f"export_html: {big:,} / {small:,} ops time", growth, unit="x", note="10 = linear")
    rows.append(target_le(row, growth, 15.0, "<= 15x"))
    return rows


# ============================================================================ profiling
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


# ============================================================================ main
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


# ----- 10: conv2d, NHWC (issue 25): a 3x3 SAME convolution and its gradients
CONV_SHAPES = {"x": (32, 28, 28, 8), "k": (3, 3, 8, 16), "y": (32, 28, 28, 16)}


def conv_data(seed: int = 0) -> dict[str, np.ndarray]:
    """Images, a kernel and the upstream gradient r: loss = sum(conv2d(x, k) * r)."""
    rng = np.random.default_rng(seed)
    return {key: rng.standard_normal(shape).astype(F32) for key, shape in CONV_SHAPES.items()}


def make_conv_autodiff(d: dict[str, np.ndarray]) -> Callable[[], list[ad.Tensor]]:
    x, k, r = ad.Variable(d["x"], name="x"), ad.Variable(d["k"], name="k"), d["y"]

    def step() -> list[ad.Tensor]:
        with ad.GradientTape() as tape:
            loss = ad.reduce_sum(ad.nn.conv2d(x, k, 1, "SAME") * r)
        return tape.gradient(loss, [x, k])

    return step


def make_conv_numpy(d: dict[str, np.ndarray]) -> Callable[[], list[np.ndarray]]:
    """The hand-written floor: im2col by a window view and one matrix product each way; the
    input's gradient added back one kernel position at a time."""
    x, k, r = d["x"], d["k"], d["y"]
    n, h, w, c = x.shape
    kh, kw, _, o = k.shape

    def step() -> list[np.ndarray]:
        xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
        windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
        cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * c)
        y = (cols @ k.reshape(-1, o)).reshape(n, h, w, o)
        loss = float(np.sum(y * r))  # noqa: F841
        upstream = r.reshape(-1, o)
        dk = (cols.T @ upstream).reshape(k.shape)
        dcols = (upstream @ k.reshape(-1, o).T).reshape(n, h, w, kh, kw, c)
        dxp = np.zeros_like(xp)
        for i in range(kh):
            for j in range(kw):
                dxp[:, i : i + h, j : j + w, :] += dcols[:, :, :, i, j, :]
        return [dxp[:, 1:-1, 1:-1, :], dk]

    return step


def make_conv_torch(d: dict[str, np.ndarray]) -> Callable[[], list[np.ndarray]]:
    """torch's conv2d (NCHW): the same numbers, gradients turned back to NHWC."""
    x = torch.tensor(d["x"]).permute(0, 3, 1, 2).contiguous().requires_grad_(True)
    k = torch.tensor(d["k"]).permute(3, 2, 0, 1).contiguous().requires_grad_(True)
    r = torch.tensor(d["y"]).permute(0, 3, 1, 2).contiguous()

    def step() -> list[np.ndarray]:
        loss = torch.sum(torch.nn.functional.conv2d(x, k, padding=1) * r)
        dx, dk = torch.autograd.grad(loss, [x, k])
        return [dx.permute(0, 2, 3, 1).numpy(), dk.permute(2, 3, 1, 0).numpy()]

    return step


@benchmark("conv2d", "10 conv2d step, batch 32, 28x28x8, 3x3x8x16 SAME, and its gradients")
def bench_conv2d(cfg: Config) -> list[Row]:
    d = conv_data()
    fns = {"autodiff": make_conv_autodiff(d), "numpy": make_conv_numpy(d)}
    add_torch(fns, lambda: make_conv_torch(d))
    checks = check_rows(fns, "autodiff")
    stats = measure(fns, cfg.repeat, cfg)
    rows = timing_rows(stats, "numpy", LABELS)
    target_le(rows[0], stats["autodiff"].median / stats["numpy"].median, 2.0, "<= 2x")
    return rows + checks


@benchmark("forward", "11 forward mode: JVP against the forward pass, HVP against two gradients")
def bench_forward(cfg: Config) -> list[Row]:
    """Forward mode's price: a JVP (`ForwardAccumulator`) against the same forward pass with no
    tape, on the MLP of row 1 (tangent on W1) and the scalar chain of row 2 (tangent on x); a
    Hessian-vector product of the MLP's loss by forward-over-backward against two gradients."""
    d = mlp_data()
    step, forward = make_mlp_autodiff(d)
    w1 = forward.params[0]  # type: ignore[attr-defined]
    v1 = ad.constant(np.cos(np.arange(d["W1"].size)).reshape(d["W1"].shape).astype(F32))

    def mlp_jvp() -> ad.Tensor:
        with ad.ForwardAccumulator(w1, v1) as acc:
            loss = forward()
        return acc.jvp(loss)

    def mlp_hvp() -> ad.Tensor:
        with ad.ForwardAccumulator(w1, v1) as acc:
            with ad.GradientTape() as tape:
                loss = forward()
            g = tape.gradient(loss, w1)
        return acc.jvp(g)

    def two_gradients() -> None:
        step()
        step()

    x = ad.constant(np.array(X0, F32))
    a, b = ad.constant(np.array(A0, F32)), ad.constant(np.array(B0, F32))

    def chain() -> ad.Tensor:
        y = x
        for _ in range(SCALAR_UNITS):
            y = ad.tanh(y * a + b)
        return y * a

    def chain_jvp() -> ad.Tensor:
        with ad.ForwardAccumulator(x, ad.constant(np.float32(1.0))) as acc:
            y = chain()
        return acc.jvp(y)

    fns = {
        "mlp forward": forward,
        "mlp jvp": mlp_jvp,
        "mlp hvp": mlp_hvp,
        "two gradients": two_gradients,
        "chain forward": chain,
        "chain jvp": chain_jvp,
    }
    stats = measure(fns, cfg.repeat, cfg)
    rows = []
    for name, reference, limit in (
        ("mlp jvp", "mlp forward", 3.0),
        ("chain jvp", "chain forward", 3.0),
        ("mlp hvp", "two gradients", None),
    ):
        ratio = stats[name].median / stats[reference].median
        row = Row(name, stats[name].median, stats[name].minimum, ratio=f"{ratio:.2f}x {reference}")
        rows.append(row if limit is None else target_le(row, ratio, limit, f"<= {limit:g}x"))
    rows += [Row(k, stats[k].median, stats[k].minimum) for k in ("mlp forward", "two gradients")]
    rows.append(Row("chain forward", stats["chain forward"].median, stats["chain forward"].minimum))
    return rows


def main(argv: list[str] | None = None) -> int:
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

    threads = args.blas_threads
    if threads is None and "OPENBLAS_NUM_THREADS" not in os.environ:
        threads = 1
    if threads and os.environ.get("OPENBLAS_NUM_THREADS") != str(threads):
        # BLAS reads these when NumPy is imported: start again with them set.
        n = str(threads)
        env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n)
        script = [sys.executable, str(Path(__file__).resolve())]
        os.execve(sys.executable, script + (sys.argv[1:] if argv is None else argv), env)
    if args.list:
        for key, title, _ in BENCHMARKS:
            print(f"{key:12} {title}")
        return 0
    if args.profile:
        profile(args.profile)
        return 0

    repeat = args.repeat or (3 if args.quick else 7)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    cfg = Config(
        repeat=repeat,
        big_repeat=max(1, round(repeat * 3 / 7)),
        min_time=0.01 if args.quick else 0.05,
        quick=args.quick,
    )
    only = {k.strip() for k in args.only.split(",") if k.strip()}
    unknown = only - {key for key, _, _ in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; see --list")

    print(header(cfg, repeat), flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    for key, title, fn in BENCHMARKS:
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
    print()
    print(render(rows, args.markdown))
    checked = [r for r in rows if r.ok is not None]
    failed = [r for r in checked if not r.ok]
    print()
    print(
        f"{len(checked) - len(failed)}/{len(checked)} targets met"
        + (
            f"; FAIL: {', '.join(f'{r.bench.split()[0]} {r.what}' for r in failed)}"
            if failed
            else ""
        )
        + f"  (total {time.perf_counter() - started:.0f} s)"
    )
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
