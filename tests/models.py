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


# Karpathy's makemore part 4, "backprop ninja": a 2-layer character MLP with batch norm and a
# hand-written cross-entropy, ported line by line as a student first writes it (no name scopes,
# no `name=`). Friction met in the port: NumPy's random numbers are float64 and a Variable keeps
# its array's dtype, so the lecture's float32 (PyTorch's default) needs `dtype=ad.float32`;
# `logprobs[range(n), Yb]` works as in PyTorch. It is source text so that it runs in a namespace
# of its own, as a notebook's cells do: the names a diagram takes from the code live there.
NINJA_LECTURE = """
import numpy as np
import autodiff as ad

rng = np.random.default_rng(42)
vocab_size, block_size, n_embd, n_hidden, n = 27, 3, 10, 64, 32
Xb = rng.integers(0, vocab_size, (n, block_size))
Yb = rng.integers(0, vocab_size, (n,))
f32 = ad.float32
C = ad.Variable(rng.standard_normal((vocab_size, n_embd)), dtype=f32)
W1 = ad.Variable(rng.standard_normal((n_embd * block_size, n_hidden)) * 0.3, dtype=f32)
b1 = ad.Variable(rng.standard_normal(n_hidden) * 0.1, dtype=f32)
W2 = ad.Variable(rng.standard_normal((n_hidden, vocab_size)) * 0.1, dtype=f32)
b2 = ad.Variable(rng.standard_normal(vocab_size) * 0.1, dtype=f32)
bngain = ad.Variable(rng.standard_normal((1, n_hidden)) * 0.1 + 1.0, dtype=f32)
bnbias = ad.Variable(rng.standard_normal((1, n_hidden)) * 0.1, dtype=f32)

with ad.GradientTape(persistent=True) as tape:
    emb = C[Xb]
    embcat = ad.reshape(emb, (n, -1))
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * ad.reduce_sum(hprebn, 0, keepdims=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * ad.reduce_sum(bndiff2, 0, keepdims=True)
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = ad.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = ad.reduce_max(logits, 1, keepdims=True)
    norm_logits = logits - logit_maxes
    counts = ad.exp(norm_logits)
    counts_sum = ad.reduce_sum(counts, 1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = ad.log(probs)
    loss = -ad.reduce_mean(logprobs[range(n), Yb])
"""


def ninja_namespace() -> dict:
    """The backprop-ninja lecture run in a namespace of its own (as a notebook's): its
    variables, `tape` (persistent) and `loss` (41 nodes)."""
    namespace: dict = {}
    exec(NINJA_LECTURE, namespace)
    return namespace


def backprop_ninja():
    """The backprop-ninja lecture's forward pass: `(tape, loss)`."""
    namespace = ninja_namespace()
    return namespace["tape"], namespace["loss"]
