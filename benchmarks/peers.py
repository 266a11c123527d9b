"""The peers each engine workload is compared with, computing the same gradients: the
hand-written NumPy floor, micrograd (a pure-Python scalar class, W1 only), autograd, and torch
when it is installed (the `bench` extra pins it; it is not a dependency of autodiff: its rows
are left out otherwise)."""

from __future__ import annotations

import math
from collections.abc import Callable

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval
from workloads import A0, B0, F32, MLP_KEYS, SCALAR_UNITS, X0

try:  # a peer when installed (not a dependency): its rows are left out otherwise
    import torch
except ImportError:
    torch = None


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


def add_torch(
    fns: dict[str, Callable[[], object]], make: Callable[[], Callable[[], object]]
) -> None:
    """Add the torch peer to `fns` when torch is installed (it is optional)."""
    if torch is not None:
        fns["torch"] = make()


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
