"""Rows 1-7, 10 and 11: the engine's speed and memory against its peers measured in the same
run (W3 MLP, W1 scalar chain, W2 elementwise chain, W4 broadcast, memory, import time,
Graph.replay, conv2d, forward mode)."""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from harness import (
    LABELS,
    Config,
    Row,
    Stats,
    benchmark,
    check_rows,
    measure,
    measure_once,
    measure_slow,
    peak_bytes,
    rel_error,
    target_le,
    timing_rows,
)
from peers import (
    add_torch,
    make_broadcast_autograd,
    make_broadcast_numpy,
    make_broadcast_torch,
    make_chain_autograd,
    make_chain_numpy,
    make_chain_torch,
    make_conv_numpy,
    make_conv_torch,
    make_mlp_autograd,
    make_mlp_numpy,
    make_mlp_torch,
    make_scalar_autograd,
    make_scalar_micrograd,
    make_scalar_numpy,
    make_scalar_torch,
    torch,
)
from workloads import (
    A0,
    B0,
    CHAIN_SIZES,
    F32,
    SCALAR_OPS,
    SCALAR_UNITS,
    X0,
    broadcast_data,
    conv_data,
    make_broadcast_autodiff,
    make_chain_autodiff,
    make_conv_autodiff,
    make_mlp_autodiff,
    make_replay_chain,
    make_replay_seed,
    make_scalar_autodiff,
    mlp_data,
)

import autodiff as ad

ROOT = Path(__file__).resolve().parent.parent


def against_the_floor(fns: dict[str, Callable[[], object]], cfg: Config, limit: float) -> list[Row]:
    """Time autodiff and its peers round-robin, with the target `autodiff <= limit x` the
    hand-written NumPy floor, and check the peers' gradients against autodiff's."""
    checks = check_rows(fns, "autodiff")
    stats = measure(fns, cfg.repeat, cfg)
    rows = timing_rows(stats, "numpy", LABELS)
    ratio = stats["autodiff"].median / stats["numpy"].median
    target_le(rows[0], ratio, limit, f"<= {limit:g}x")
    return rows + checks


@benchmark("mlp", "1 W3 MLP 784-256-10 step, batch 256")
def bench_mlp(cfg: Config) -> list[Row]:
    d = mlp_data()
    fns = {
        "autodiff": make_mlp_autodiff(d)[0],
        "numpy": make_mlp_numpy(d),
        "autograd": make_mlp_autograd(d),
    }
    add_torch(fns, lambda: make_mlp_torch(d))
    return against_the_floor(fns, cfg, 1.15)


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
    return against_the_floor(fns, cfg, 1.5)


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
    return rows + kept_rows(forward)


def kept_rows(forward: Callable[[], ad.Tensor]) -> list[Row]:
    """What a non-persistent tape keeps: it frees its intermediates once gradient() returns.
    The forward runs in a function, so only the tape's records can keep the activations
    alive. The garbage collector is off: what is freed must be freed by reference counting
    alone."""
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
    return [
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


@benchmark("conv2d", "10 conv2d step, batch 32, 28x28x8, 3x3x8x16 SAME, and its gradients")
def bench_conv2d(cfg: Config) -> list[Row]:
    d = conv_data()
    fns = {"autodiff": make_conv_autodiff(d), "numpy": make_conv_numpy(d)}
    add_torch(fns, lambda: make_conv_torch(d))
    return against_the_floor(fns, cfg, 2.0)


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
