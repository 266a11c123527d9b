"""The workloads, written with autodiff as a student would: each `make_*` returns the callable
a benchmark times (and `run.py --profile` profiles), and the `*_data` functions the arrays that
the peers (`peers.py`) receive too."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autodiff as ad

F32 = np.float32


F32 = np.float32


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
