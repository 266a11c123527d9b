"""Models of a real lesson, recorded on a persistent tape: shared by the browser tests' scratch
notebook (copied next to it) and the tests, which recompute what the page must show."""

from __future__ import annotations

import numpy as np

import autodiff as ad

F32 = np.float32


def mlp_step(sizes: tuple[int, ...] = (2, 16, 16, 1), batch: int = 8):
    """One training step of an MLP, each layer in its own name scope (32 nodes)."""
    rng = np.random.default_rng(0)
    x = ad.constant(rng.standard_normal((batch, sizes[0])).astype(F32), name="x")
    y = ad.constant(rng.standard_normal((batch, sizes[-1])).astype(F32), name="y")
    params = []
    for k in range(len(sizes) - 1):
        with ad.name_scope(f"layer{k + 1}"):
            w = rng.standard_normal((sizes[k], sizes[k + 1])) / np.sqrt(sizes[k])
            params.append(ad.Variable(w.astype(F32), name="W"))
            params.append(ad.Variable(np.zeros(sizes[k + 1], F32), name="b"))
    with ad.GradientTape(persistent=True) as tape:
        h = x
        for k in range(len(sizes) - 1):
            with ad.name_scope(f"layer{k + 1}"):
                h = ad.matmul(h, params[2 * k], name="x@W") + params[2 * k + 1]
                if k < len(sizes) - 2:
                    h = ad.tanh(h, name="h")
        with ad.name_scope("loss"):
            loss = ad.reduce_mean(ad.square(h - y), name="mse")
    return tape, loss


def rnn_unrolled(steps: int = 30, hidden: int = 4, inputs: int = 3):
    """h = tanh(h @ W + x_t @ U) over `steps` time steps, W and U shared (about 156 nodes)."""
    rng = np.random.default_rng(1)
    w = ad.Variable((rng.standard_normal((hidden, hidden)) * 0.6).astype(F32), name="W")
    u = ad.Variable((rng.standard_normal((inputs, hidden)) * 0.6).astype(F32), name="U")
    xs = rng.standard_normal((steps, 1, inputs)).astype(F32)
    with ad.GradientTape(persistent=True) as tape:
        h = ad.zeros((1, hidden), name="h0")
        for t in range(steps):
            h = ad.tanh(h @ w + ad.constant(xs[t], name=f"x{t}") @ u, name=f"h{t + 1}")
        loss = ad.reduce_sum(h, name="loss")
    return tape, loss


def deep_scoped_chain(layers: int):
    """`layers` layers `tanh(h @ w + b)`, each in a name scope, sharing w and b (3 per layer)."""
    x = ad.constant(np.ones((1, 4), F32), name="x")
    w = ad.Variable(np.eye(4, dtype=F32) * 0.5, name="w")
    b = ad.Variable(np.zeros(4, F32), name="b")
    with ad.GradientTape(persistent=True) as tape:
        h = x
        for k in range(layers):
            with ad.name_scope(f"layer{k}"):
                h = ad.tanh(h @ w + b)
        loss = ad.reduce_sum(h, name="loss")
    return tape, loss


def shared_chain(layers: int):
    """A chain of `layers` layers sharing a scalar weight `a` and bias `c` (3 per layer)."""
    a = ad.Variable(0.9, name="a")
    c = ad.Variable(0.1, name="c")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.constant(0.5, name="x")
        for _ in range(layers):
            y = ad.tanh(y * a + c)
        loss = ad.square(y, name="loss")
    return tape, loss
