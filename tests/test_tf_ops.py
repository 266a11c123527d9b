"""The ops of issue 25 against TensorFlow: forward values, gradients and second derivatives.

Each case is a program written once against a library `L` (this engine's namespaces, or
TensorFlow's: `L.gather`, `L.conv2d`, `L.reduce_variance`...) and a list of inputs: float
inputs become watched variables, integer ones (indices, labels) constants. Both libraries run
it; the outputs, the gradients (seeded by the same random output gradients) and a
Hessian-vector product (the gradients differentiated by an outer tape) must agree to float32
precision. The random inputs differ per case (shapes, strides, paddings, axes).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import autodiff as ad

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

from test_tensorflow import RTOL2, Lib, assert_same, to_numpy  # noqa: E402

pytestmark = pytest.mark.tensorflow

AD = Lib("ad", [ad, ad.nn, ad.math, ad.linalg])
TF = Lib("tf", [tf, tf.nn, tf.math, tf.linalg])
RTOL, ATOL = 2e-5, 2e-5


@dataclass(frozen=True)
class Case:
    """`fn(L, *inputs)`; `second` says whether to compare second derivatives too."""

    id: str
    fn: Callable[..., Any]
    inputs: tuple[np.ndarray, ...]
    second: bool = True


def floats(seed: int, *shape: int, lo: float = -1.5, hi: float = 1.5) -> np.ndarray:
    return np.random.RandomState(seed).uniform(lo, hi, shape).astype(np.float32)


def ints(*values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


def distribution(seed: int, *shape: int) -> np.ndarray:
    e = np.exp(floats(seed, *shape, lo=-2, hi=2))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def invertible(seed: int, *shape: int) -> np.ndarray:
    n = shape[-1]
    return (floats(seed, *shape, lo=-0.5, hi=0.5) + 2 * np.eye(n)).astype(np.float32)


def ties(seed: int, *shape: int) -> np.ndarray:
    """Small integers as floats: many ties inside pooling windows."""
    return np.random.RandomState(seed).randint(0, 3, shape).astype(np.float32)


IMAGES = floats(1, 2, 7, 6, 3)
KERNEL = floats(2, 3, 3, 3, 4)
WIDE = floats(3, 2, 2, 3, 2)  # a 2x2 kernel, 3 in, 2 out
CONVS = [  # (id, strides, padding, dilations, kernel)
    ("valid", 1, "VALID", None, KERNEL),
    ("same", 1, "SAME", None, KERNEL),
    ("same stride 2", 2, "SAME", None, KERNEL),
    ("valid strides [2, 3]", [1, 2, 3, 1], "VALID", None, KERNEL),
    ("same 2x2 kernel stride 2", [2, 2], "SAME", None, WIDE),
    ("same dilation 2", 1, "SAME", 2, KERNEL),
    ("valid dilations [2, 1]", 1, "VALID", [1, 2, 1, 1], WIDE),
    ("explicit", 1, [[0, 0], [1, 2], [0, 1], [0, 0]], None, KERNEL),
]
POOLS = [  # (id, ksize, strides, padding)
    ("2x2 valid", 2, 2, "VALID"),
    ("3x3 same stride 2", 3, 2, "SAME"),
    ("[2, 3] same stride 1", [1, 2, 3, 1], 1, "SAME"),
    ("3x2 valid strides [1, 2]", [3, 2], [1, 2], "VALID"),
]

CASES: list[Case] = [
    # --- selection and shape
    Case("gather", lambda L, x, i: L.gather(x, i), (floats(0, 4, 3), ints(3, 0, 3, 1))),
    Case(
        "gather axis=1 2-d indices",
        lambda L, x, i: L.gather(x, i, axis=1),
        (floats(1, 2, 4, 3), ints([0, 3], [3, 3])),
    ),
    Case(
        "gather batch_dims=1 (one logit per row)",
        lambda L, x, i: L.gather(x, i, batch_dims=1),
        (floats(105, 3, 4), ints(2, 0, 3)),
    ),
    Case(
        "gather batch_dims=1 axis=2",
        lambda L, x, i: L.gather(x, i, axis=2, batch_dims=1),
        (floats(106, 2, 3, 4, 2), ints([[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 1], [1, 2]])),
    ),
    Case(
        "gather batch_dims=-1 axis=-1",
        lambda L, x, i: L.gather(x, i, axis=-1, batch_dims=-1),
        (floats(107, 2, 2, 3), ints([[0, 2], [1, 1]], [[2, 2], [0, 1]])),
    ),
    Case("gather axis=-1", lambda L, x, i: L.gather(x, i, axis=-1), (floats(2, 2, 3), ints(2, 0))),
    Case(
        "gather_nd elements",
        lambda L, x, i: L.gather_nd(x, i),
        (floats(3, 3, 4), ints([0, 1], [2, 3], [0, 1])),
    ),
    Case("gather_nd rows", lambda L, x, i: L.gather_nd(x, i), (floats(4, 3, 4, 2), ints([2], [0]))),
    Case("tile", lambda L, x: L.tile(x, [2, 1, 3]), (floats(5, 2, 3, 1),)),
    Case("pad constant", lambda L, x: L.pad(x, [[1, 0], [2, 1]]), (floats(6, 2, 3),)),
    Case(
        "pad constant_values",
        lambda L, x: L.pad(x, [[0, 2], [1, 1]], constant_values=1.5),
        (floats(6, 2, 3),),
    ),
    Case(
        "pad reflect", lambda L, x: L.pad(x, [[1, 1], [2, 1]], mode="REFLECT"), (floats(7, 3, 4),)
    ),
    Case(
        "pad symmetric",
        lambda L, x: L.pad(x, [[2, 1], [0, 3]], mode="SYMMETRIC"),
        (floats(8, 3, 4),),
    ),
    Case("split 3", lambda L, x: L.split(x, 3, axis=1), (floats(9, 2, 6),)),
    Case("split sizes", lambda L, x: L.split(x, [1, -1, 2], axis=0), (floats(10, 5, 2),)),
    Case("unstack axis 1", lambda L, x: L.unstack(x, axis=1), (floats(11, 2, 3, 2),)),
    Case("reverse", lambda L, x: L.reverse(x, [0, 2]), (floats(12, 2, 3, 2),)),
    Case(
        "einsum matmul",
        lambda L, a, b: L.einsum("ij,jk->ik", a, b),
        (floats(13, 2, 3), floats(14, 3, 4)),
    ),
    Case(
        "einsum batched",
        lambda L, a, b: L.einsum("bij,bjk->bik", a, b),
        (floats(15, 2, 2, 3), floats(16, 2, 3, 2)),
    ),
    Case("einsum dot", lambda L, a, b: L.einsum("i,i->", a, b), (floats(17, 4), floats(18, 4))),
    Case("einsum sum", lambda L, a: L.einsum("ij->j", a), (floats(19, 3, 2),)),
    Case(
        "einsum ellipsis",
        lambda L, a, b: L.einsum("...ij,jk->...ik", a, b),
        (floats(20, 2, 2, 3), floats(21, 3, 2)),
    ),
    Case(
        "einsum implicit",
        lambda L, a, b: L.einsum("ij,kj", a, b),
        (floats(22, 2, 3), floats(23, 4, 3)),
    ),
    Case(
        "einsum attention",
        lambda L, q, k: L.einsum("bhqd,bhkd->bhqk", q, k),
        (floats(24, 1, 2, 3, 4), floats(25, 1, 2, 2, 4)),
    ),
    Case("einsum outer", lambda L, a, b: L.einsum("i,j->ij", a, b), (floats(26, 3), floats(27, 2))),
    Case("tensordot 1", lambda L, a, b: L.tensordot(a, b, 1), (floats(28, 2, 3), floats(29, 3, 4))),
    Case(
        "tensordot 2",
        lambda L, a, b: L.tensordot(a, b, 2),
        (floats(30, 2, 3, 4), floats(31, 3, 4, 2)),
    ),
    Case(
        "tensordot pairs",
        lambda L, a, b: L.tensordot(a, b, [[1, 0], [0, 2]]),
        (floats(32, 2, 3, 4), floats(33, 3, 2, 2)),
    ),
    Case("norm", lambda L, x: L.norm(x), (floats(34, 3, 4),)),
    Case("norm ord=1 axis=1", lambda L, x: L.norm(x, ord=1, axis=1), (floats(35, 3, 4),)),
    Case(
        "norm ord=inf axis=0",
        lambda L, x: L.norm(x, ord=np.inf, axis=0, keepdims=True),
        (floats(36, 3, 4),),
    ),
    Case("norm ord=3 axis=-1", lambda L, x: L.norm(x, ord=3, axis=-1), (floats(37, 2, 4),)),
    Case("norm fro", lambda L, x: L.norm(x, ord="fro", axis=[-2, -1]), (floats(38, 2, 3, 4),)),
    Case("norm matrix 1", lambda L, x: L.norm(x, ord=1, axis=[1, 2]), (floats(39, 2, 3, 4),)),
    Case(
        "norm matrix inf",
        lambda L, x: L.norm(x, ord=np.inf, axis=[0, 1], keepdims=True),
        (floats(40, 3, 4),),
    ),
    Case("linalg.norm", lambda L, x: L.linalg_norm(x, axis=1), (floats(41, 3, 4),)),
    # --- nn: activations
    Case("leaky_relu", lambda L, x: L.leaky_relu(x), (floats(42, 3, 4),)),
    Case("leaky_relu alpha", lambda L, x: L.leaky_relu(x, alpha=0.05), (floats(43, 3, 4),)),
    Case("elu", lambda L, x: L.elu(x), (floats(44, 3, 4),)),
    Case("gelu", lambda L, x: L.gelu(x), (floats(45, 3, 4, lo=-3, hi=3),)),
    Case(
        "gelu approximate",
        lambda L, x: L.gelu(x, approximate=True),
        (floats(46, 3, 4, lo=-3, hi=3),),
    ),
    Case("silu", lambda L, x: L.silu(x), (floats(47, 3, 4, lo=-3, hi=3),)),
    Case("silu beta", lambda L, x: L.silu(x, beta=0.5), (floats(48, 3, 4, lo=-3, hi=3),)),
    # --- nn: losses
    Case(
        "softmax_cross_entropy_with_logits",
        lambda L, y, x: L.softmax_cross_entropy_with_logits(y, x),
        (distribution(49, 3, 4), floats(50, 3, 4, lo=-3, hi=3)),
    ),
    Case(
        "softmax_cross_entropy_with_logits axis=0",
        lambda L, y, x: L.softmax_cross_entropy_with_logits(labels=y, logits=x, axis=0),
        (distribution(51, 4, 3).T.copy(), floats(52, 3, 4)),
    ),
    Case(
        "sparse_softmax_cross_entropy_with_logits",
        lambda L, y, x: L.sparse_softmax_cross_entropy_with_logits(y, x),
        (ints(0, 3, 3), floats(53, 3, 4, lo=-3, hi=3)),
    ),
    Case(
        "sigmoid_cross_entropy_with_logits",
        lambda L, z, x: L.sigmoid_cross_entropy_with_logits(z, x),
        (floats(54, 3, 4, lo=0, hi=1), floats(55, 3, 4, lo=-3, hi=3)),
    ),
    Case("l2_loss", lambda L, x: L.l2_loss(x), (floats(56, 3, 4),)),
    # --- nn: normalization and lookup
    Case("moments", lambda L, x: L.moments(x, [0]), (floats(57, 5, 3),)),
    Case(
        "moments NHWC keepdims",
        lambda L, x: L.moments(x, [0, 1, 2], keepdims=True),
        (floats(58, 2, 3, 3, 2),),
    ),
    Case(
        "batch_normalization",
        lambda L, x, m, v, b, s: L.batch_normalization(x, m, v, b, s, 1e-3),
        (
            floats(59, 4, 3),
            floats(60, 3),
            floats(61, 3, lo=0.5, hi=2),
            floats(62, 3),
            floats(63, 3),
        ),
    ),
    Case(
        "batch_normalization of moments",
        lambda L, x, b, s: L.batch_normalization(x, *L.moments(x, [0]), b, s, 1e-3),
        (floats(64, 5, 3), floats(65, 3), floats(66, 3)),
    ),
    Case(
        "batch_normalization no offset or scale",
        lambda L, x, m, v: L.batch_normalization(x, m, v, None, None, 1e-3),
        (floats(67, 4, 3), floats(68, 3), floats(69, 3, lo=0.5, hi=2)),
    ),
    Case(
        "embedding_lookup",
        lambda L, t, i: L.embedding_lookup(t, i),
        (floats(70, 5, 3), ints([1, 4], [1, 0])),
    ),
    Case("bias_add", lambda L, x, b: L.bias_add(x, b), (floats(71, 2, 3, 4), floats(72, 4))),
    # --- math
    Case("erf", lambda L, x: L.erf(x), (floats(73, 3, 4, lo=-2, hi=2),)),
    Case("atan", lambda L, x: L.atan(x), (floats(74, 3, 4, lo=-3, hi=3),)),
    Case("sinh", lambda L, x: L.sinh(x), (floats(75, 3, 4),)),
    Case("cosh", lambda L, x: L.cosh(x), (floats(76, 3, 4),)),
    Case("cumsum", lambda L, x: L.cumsum(x), (floats(77, 3, 4),)),
    Case(
        "cumsum axis=1 exclusive reverse",
        lambda L, x: L.cumsum(x, axis=1, exclusive=True, reverse=True),
        (floats(78, 3, 4),),
    ),
    Case("cumprod", lambda L, x: L.cumprod(x, axis=-1), (floats(79, 3, 4, lo=0.5, hi=1.5),)),
    Case(
        "cumprod exclusive",
        lambda L, x: L.cumprod(x, axis=0, exclusive=True),
        (floats(80, 3, 4, lo=0.5, hi=1.5),),
    ),
    Case(
        "cumprod reverse",
        lambda L, x: L.cumprod(x, axis=1, reverse=True),
        (floats(81, 3, 4, lo=0.5, hi=1.5),),
    ),
    Case("reduce_variance", lambda L, x: L.reduce_variance(x), (floats(82, 3, 4),)),
    Case(
        "reduce_variance axis",
        lambda L, x: L.reduce_variance(x, axis=[0, 2], keepdims=True),
        (floats(83, 3, 2, 4),),
    ),
    Case("reduce_std", lambda L, x: L.reduce_std(x, axis=1), (floats(84, 3, 4),)),
    # --- linalg
    Case("inv", lambda L, a: L.inv(a), (invertible(85, 3, 3),)),
    Case("inv batched", lambda L, a: L.inv(a), (invertible(86, 2, 3, 3),)),
    Case("det", lambda L, a: L.det(a), (invertible(87, 2, 3, 3),)),
    Case("solve", lambda L, a, b: L.solve(a, b), (invertible(88, 3, 3), floats(89, 3, 2))),
    Case(
        "solve adjoint",
        lambda L, a, b: L.solve(a, b, adjoint=True),
        (invertible(90, 2, 3, 3), floats(91, 2, 3, 1)),
    ),
    Case("trace", lambda L, a: L.trace(a), (floats(92, 2, 3, 4),)),
    # --- convolutions and pooling
    *[
        Case(
            f"conv2d {name}",
            lambda L, x, f, s=s, p=p, d=d: L.conv2d(x, f, s, p, dilations=d),
            (IMAGES, kernel),
        )
        for name, s, p, d, kernel in CONVS
    ],
    Case(
        "conv1d same",
        lambda L, x, f: L.conv1d(x, f, 1, "SAME"),
        (floats(93, 2, 7, 3), floats(94, 3, 3, 2)),
    ),
    Case(
        "conv1d valid stride 2",
        lambda L, x, f: L.conv1d(x, f, 2, "VALID"),
        (floats(95, 2, 8, 2), floats(96, 2, 2, 3)),
    ),
    *[
        Case(f"max_pool2d {name}", lambda L, x, k=k, s=s, p=p: L.max_pool2d(x, k, s, p), (IMAGES,))
        for name, k, s, p in POOLS
    ],
    *[
        Case(
            f"max_pool2d ties {name}",
            lambda L, x, k=k, s=s, p=p: L.max_pool2d(x, k, s, p),
            (ties(97, 2, 6, 5, 2),),
        )
        for name, k, s, p in POOLS
    ],
    *[
        Case(f"avg_pool2d {name}", lambda L, x, k=k, s=s, p=p: L.avg_pool2d(x, k, s, p), (IMAGES,))
        for name, k, s, p in POOLS
    ],
    Case(
        "a CNN step",
        lambda L, x, f, b: L.reduce_mean(
            L.max_pool2d(L.relu(L.bias_add(L.conv2d(x, f, 1, "SAME"), b)), 2, 2, "VALID")
        ),
        (IMAGES, KERNEL, floats(98, 4)),
    ),
]


AD._overrides["linalg_norm"] = ad.linalg.norm
TF._overrides["linalg_norm"] = tf.linalg.norm


def transformer_block(L: Lib, x: Any, wq: Any, wk: Any, wv: Any, gamma: Any, beta: Any) -> Any:
    """Scaled dot-product self-attention, a residual and a layer norm, with einsum."""
    q, k, v = (L.einsum("btd,de->bte", x, w) for w in (wq, wk, wv))
    scores = L.einsum("bqd,bkd->bqk", q, k) / float(np.sqrt(x.shape[-1]))
    attended = L.einsum("bqk,bkd->bqd", L.softmax(scores, axis=-1), v)
    h = x + attended
    mean, variance = L.moments(h, [-1], keepdims=True)
    return L.batch_normalization(h, mean, variance, beta, gamma, 1e-5)


CASES.append(
    Case(
        "a transformer block",
        transformer_block,
        (
            floats(99, 2, 3, 4),
            *(floats(100 + i, 4, 4) for i in range(3)),
            floats(103, 4),
            floats(104, 4),
        ),
    )
)


def _direction(shape: tuple[int, ...]) -> np.ndarray:
    return np.cos(np.arange(int(np.prod(shape)))).reshape(shape).astype(np.float32)


def run(case: Case, L: Lib) -> dict[str, Any]:
    """Outputs, gradients (seeded) and, when `case.second`, a Hessian-vector product."""
    xs = [L.Variable(a) if a.dtype.kind == "f" else L.constant(a) for a in case.inputs]
    sources = [x for x, a in zip(xs, case.inputs, strict=True) if a.dtype.kind == "f"]
    rng = np.random.RandomState(0)
    with L.GradientTape() as outer:
        with L.GradientTape() as tape:
            out = case.fn(L, *xs)
        outs = list(out) if isinstance(out, list | tuple) else [out]
        seeds = [L.constant(rng.uniform(-1, 1, o.shape).astype(np.float32)) for o in outs]
        grads = tape.gradient(outs, sources, output_gradients=seeds)
        grads = [None if g is None else L.convert_to_tensor(g) for g in grads]  # IndexedSlices
        connected = [g for g in grads if g is not None]
        directions = [
            L.constant(
                np.cos(np.arange(g.shape.num_elements() if L is TF else g.size))
                .reshape(g.shape)
                .astype(np.float32)
            )
            for g in connected
        ]
    result = {"outputs": outs, "gradients": grads}
    if case.second:
        result["hvp"] = outer.gradient(
            connected, sources, output_gradients=directions, unconnected_gradients="zero"
        )
    return result


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_values_gradients_and_second_derivatives_match_tensorflow(case: Case) -> None:
    mine, theirs = (to_numpy(run(case, L)) for L in (AD, TF))
    assert_same(mine["outputs"], theirs["outputs"], "outputs", RTOL, ATOL)
    assert_same(mine["gradients"], theirs["gradients"], "gradients", RTOL, ATOL)
    if case.second:
        assert_same(mine["hvp"], theirs["hvp"], "hvp", RTOL2, 1e-4)
