"""The engine against TensorFlow, the dev-only reference (skipped where TensorFlow is missing).

Every program here is written once against a library `L` and run twice, with `L = AD` (this
engine) and `L = TF`; both expose the contract's names (`L.matmul`, `L.reduce_sum`,
`L.GradientTape`, ...). Forward values and gradients must agree to float32 precision.

Most programs are random: a seeded generator composes a few operations from `OPS` (shapes
chosen so that they fit), and each program is checked for values, gradients, Hessian-vector
products (nested tapes) and Jacobians. Fixed scenarios cover the rest of the tape's API.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import autodiff as ad

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.tensorflow

# Tolerances: relative, plus absolute in units of the largest magnitude of the array (float32
# sums that cancel leave small entries with errors of the size of the big ones' rounding).
RTOL, ATOL = 1e-5, 1e-5
# Second derivatives: each library can be ~2e-5 off a float64 reference, so looser.
RTOL2, ATOL2 = 1e-4, 1e-4
Shape = tuple[int, ...]


# ============================================================================ the adapter
class Lib:
    """A library under the contract's names: the first of `modules` that has the name wins."""

    def __init__(self, name: str, modules: Sequence[ModuleType], **overrides: Any) -> None:
        self.name, self._modules, self._overrides = name, modules, overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        for module in self._modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"{self.name} has no {name}")

    def __repr__(self) -> str:
        return self.name


# Integer-array indexing is `x[[i, j]]` in the engine and `tf.gather` in TensorFlow (`rows`).
AD = Lib("ad", [ad, ad.math, ad.nn, ad.linalg], rows=lambda x, indices: x[list(indices)])
TF = Lib("tf", [tf, tf.math, tf.nn, tf.linalg], rows=tf.gather)
LIBS = (AD, TF)


def to_numpy(structure: Any) -> Any:
    """Nested lists/tuples/dicts of tensors as the same structure of NumPy arrays (None kept)."""
    if isinstance(structure, dict):
        return {k: to_numpy(v) for k, v in structure.items()}
    if isinstance(structure, list | tuple):
        return type(structure)(to_numpy(v) for v in structure)
    if structure is None:
        return None
    if isinstance(structure, tf.IndexedSlices):
        structure = tf.convert_to_tensor(structure)
    return np.asarray(structure)


def assert_same(
    actual: Any, expected: Any, path: str = "result", rtol: float = RTOL, atol: float = ATOL
) -> None:
    """Same nesting, same `None`s, same shapes and dtypes, values equal to float32 precision."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and list(actual) == list(expected), path
        for k in expected:
            assert_same(actual[k], expected[k], f"{path}[{k!r}]", rtol, atol)
    elif isinstance(expected, list | tuple):
        assert type(actual) is type(expected) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{i}]", rtol, atol)
    elif expected is None:
        assert actual is None, f"{path}: expected None (as TensorFlow), got {actual!r}"
    else:
        assert actual is not None, f"{path}: got None, TensorFlow gives {expected!r}"
        assert actual.shape == expected.shape, f"{path}: shape {actual.shape} != {expected.shape}"
        assert actual.dtype == expected.dtype, f"{path}: dtype {actual.dtype} != {expected.dtype}"
        scale = float(np.max(np.abs(expected), initial=1.0)) if expected.dtype.kind == "f" else 1.0
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * scale, err_msg=path)


def compare(program: Callable[[Lib], Any], rtol: float = RTOL, atol: float = ATOL) -> None:
    """Run `program` with both libraries and compare what it returns."""
    assert_same(to_numpy(program(AD)), to_numpy(program(TF)), rtol=rtol, atol=atol)


# ============================================================================ the operations
@dataclass(frozen=True)
class OpSpec:
    """An operation for random programs.

    `run(L, x, *others, **attrs)` applies it with library `L`. `plan(rng, shape)` picks the
    static attributes for an input of `shape` and the shapes of the other inputs it needs,
    as `(attrs, other_shapes)`, or returns None when the op does not fit that shape.
    """

    run: Callable[..., Any]
    plan: Callable[[np.random.RandomState, Shape], tuple[dict, list[Shape]] | None]


def no_attrs(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]]:
    return {}, []


def partner(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]]:
    """A second input broadcasting against `shape`: trailing dims kept or set to 1, or more."""
    kind = rng.randint(4)
    if kind == 0:
        other = shape
    elif kind == 1:  # fewer dimensions
        other = shape[rng.randint(len(shape) + 1) :]
    elif kind == 2:  # some dimensions 1
        other = tuple(1 if rng.rand() < 0.5 else n for n in shape)
    else:  # a new leading dimension: the result is bigger than x
        other = (int(rng.randint(1, 4)), *shape) if len(shape) < 4 else shape
    return {"swap": bool(rng.rand() < 0.5)}, [other]


def binary(fn: Callable[..., Any]) -> OpSpec:
    """A broadcasting binary op, applied as `fn(x, y)` or (swapped) `fn(y, x)`."""
    return OpSpec(
        lambda L, x, y, swap: fn(L, y, x) if swap else fn(L, x, y),
        partner,
    )


def axis_attrs(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]]:
    """`axis` None, one axis (maybe negative) or two; `keepdims` either way."""
    ndim = len(shape)
    choice = rng.randint(min(ndim, 2) + 1)
    if choice == 0:
        axis = None
    elif choice == 1:
        axis = int(rng.randint(-ndim, ndim))
    else:
        axis = tuple(int(a) for a in rng.choice(ndim, 2, replace=False))
    return {"axis": axis, "keepdims": bool(rng.rand() < 0.5)}, []


def reduction(name: str) -> OpSpec:
    return OpSpec(
        lambda L, x, axis, keepdims: getattr(L, name)(x, axis=axis, keepdims=keepdims), axis_attrs
    )


def one_axis(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    return {"axis": int(rng.randint(-len(shape), len(shape)))}, []


def plan_matmul(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    """`x @ w` or `w @ x` with a new matrix `w`, maybe transposed; x of rank 2 or 3."""
    if not 2 <= len(shape) <= 3:
        return None
    m, n, k = shape[-2], shape[-1], int(rng.randint(1, 4))
    ta, tb, left = (bool(b) for b in rng.rand(3) < 0.4)
    if left:  # w @ x: w is (k, m), or (m, k) with transpose_a
        return {"left": True, "ta": ta, "tb": False}, [(m, k) if ta else (k, m)]
    rows = m if ta else n  # x @ w: the rows w needs
    return {"left": False, "ta": ta, "tb": tb}, [(k, rows) if tb else (rows, k)]


def run_matmul(L: Lib, x: Any, w: Any, left: bool, ta: bool, tb: bool) -> Any:
    if left:
        return L.matmul(w, x, transpose_a=ta)
    return L.matmul(x, w, transpose_a=ta, transpose_b=tb)


def plan_reshape(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]]:
    size = int(np.prod(shape))
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    d = int(rng.choice(divisors))
    options = [(-1,), shape[::-1], (1, *shape), (size // d, d), (d, -1, 1)]
    return {"shape": options[rng.randint(len(options))]}, []


def plan_transpose(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if len(shape) < 2:
        return None
    return {"perm": None if rng.rand() < 0.3 else [int(a) for a in rng.permutation(len(shape))]}, []


def plan_expand_dims(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if len(shape) >= 4:
        return None
    return {"axis": int(rng.randint(-len(shape) - 1, len(shape) + 1))}, []


def plan_squeeze(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    ones = [i for i, n in enumerate(shape) if n == 1]
    if not ones or len(shape) < 2:
        return None
    return {"axis": int(rng.choice(ones)) if rng.rand() < 0.7 else None}, []


def plan_concat(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    axis = int(rng.randint(-len(shape), len(shape)))
    other = list(shape)
    other[axis] = int(rng.randint(1, 4))
    return {"axis": axis}, [tuple(other)]


def plan_stack(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if len(shape) >= 4:
        return None
    return {"axis": int(rng.randint(-len(shape) - 1, len(shape) + 1))}, [shape]


def plan_getitem(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    """A basic index: per axis an int, a slice (with steps, maybe negative) or everything."""
    if not shape:
        return None
    index: list[Any] = []
    for n in shape[: rng.randint(1, len(shape) + 1)]:
        options: list[Any] = [
            slice(None),
            int(rng.randint(-n, n)),
            slice(None, None, -1),
            slice(int(rng.randint(n)), None),
            slice(0, None, 2),
        ]
        if n >= 2:
            options.append(slice(1, -1) if n > 2 else slice(None, -1))
        index.append(options[rng.randint(len(options))])
    if rng.rand() < 0.2:
        index.insert(0, None)
    if rng.rand() < 0.2 and len(index) < len(shape):
        index = [Ellipsis, *index[1:]] if index and index[0] is not None else [Ellipsis]
    return {"index": tuple(index)}, []


def plan_gather(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    return {"indices": [int(i) for i in rng.randint(shape[0], size=rng.randint(1, 5))]}, []


# ---------------------------------------------------------------------------- issue 25's ops
def plan_gather_axis(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    axis = int(rng.randint(-len(shape), len(shape)))
    count = [int(rng.randint(1, 4)) for _ in range(rng.randint(1, 3))]
    return {"indices": rng.randint(shape[axis], size=count).tolist(), "axis": axis}, []


def plan_gather_nd(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    k = int(rng.randint(1, min(len(shape), 2) + 1))
    rows = [[int(rng.randint(n)) for n in shape[:k]] for _ in range(rng.randint(1, 4))]
    return {"indices": rows}, []


def plan_tile(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape or len(shape) > 3:
        return None
    return {"multiples": [int(m) for m in rng.randint(1, 3, size=len(shape))]}, []


def plan_pad(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape or len(shape) > 3:
        return None
    mode = ["CONSTANT", "REFLECT", "SYMMETRIC"][rng.randint(3)]
    most = {"CONSTANT": 2, "REFLECT": 1, "SYMMETRIC": 0}[mode]
    pads = [[int(rng.randint(0, min(2, n - 1 + most) + 1)) for _ in "ab"] for n in shape]
    if mode == "REFLECT":
        pads = [[min(a, n - 1), min(b, n - 1)] for (a, b), n in zip(pads, shape, strict=True)]
    return {"paddings": pads, "mode": mode}, []


def plan_split(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    axes = [a for a, n in enumerate(shape) if n >= 2]
    if not axes:
        return None
    axis = int(rng.choice(axes))
    first = int(rng.randint(1, shape[axis]))
    return {"sizes": [first, -1], "axis": axis, "part": int(rng.randint(2))}, []


def plan_unstack(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if len(shape) < 2:
        return None
    axis = int(rng.randint(len(shape)))
    return {"axis": axis, "part": int(rng.randint(shape[axis]))}, []


def plan_reverse(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    count = int(rng.randint(1, len(shape) + 1))
    return {"axis": sorted(int(a) for a in rng.choice(len(shape), count, replace=False))}, []


def plan_einsum(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    """x against a new tensor: a matrix product on the last axis, or a product summed."""
    if not shape or len(shape) > 3:
        return None
    s = "abc"[: len(shape)]
    if rng.rand() < 0.5:
        k = int(rng.randint(1, 4))
        return {"equation": f"{s},{s[-1]}z->{s[:-1]}z"}, [(shape[-1], k)]
    return {"equation": f"{s},{s}->{s[1:]}"}, [shape]


def plan_tensordot(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape or len(shape) > 3:
        return None
    n = int(rng.randint(1, min(len(shape), 2) + 1))
    return {"axes": n}, [(*shape[len(shape) - n :], int(rng.randint(1, 4)))]


def plan_norm(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    ord = ["euclidean", 1, np.inf, 3][rng.randint(4)]
    axis = None if rng.rand() < 0.4 else int(rng.randint(-len(shape), len(shape)))
    return {"ord": ord, "axis": axis, "keepdims": bool(rng.rand() < 0.5)}, []


def plan_cumulative(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    axis = int(rng.randint(-len(shape), len(shape)))
    exclusive, reverse = (bool(b) for b in rng.rand(2) < 0.5)
    return {"axis": axis, "exclusive": exclusive, "reverse": reverse}, []


def plan_partner(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    return ({}, [shape]) if shape else None


def plan_spread(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    """`axis_attrs` over more than one element (the deviation of one is 0: nan gradients)."""
    attrs, _ = axis_attrs(rng, shape)
    axes = attrs["axis"]
    axes = range(len(shape)) if axes is None else [axes] if isinstance(axes, int) else axes
    return (attrs, []) if int(np.prod([shape[a] for a in axes])) > 1 else None


def plan_labels(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    return {"labels": rng.randint(shape[-1], size=shape[:-1]).astype(np.int32)}, []


def plan_ids(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    return {"ids": rng.randint(shape[0], size=(2, int(rng.randint(1, 3)))).tolist()}, []


def plan_conv1d(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if len(shape) != 3:
        return None
    padding = ["SAME", "VALID"][rng.randint(2)]
    k = int(rng.randint(1, (3 if padding == "SAME" else shape[1]) + 1))
    attrs = {"stride": int(rng.randint(1, 3)), "padding": padding}
    return attrs, [(k, shape[2], int(rng.randint(1, 3)))]


def plan_bias(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    return ({}, [shape[-1:]]) if shape else None


def plan_moments(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    if not shape:
        return None
    count = int(rng.randint(1, len(shape) + 1))
    axes = sorted(int(a) for a in rng.choice(len(shape), count, replace=False))
    kept = tuple(1 if a in axes else n for a, n in enumerate(shape))
    return {"axes": axes}, [kept, kept]


def run_batch_norm(L: Lib, x: Any, offset: Any, scale: Any, axes: list[int]) -> Any:
    mean, variance = L.moments(x, axes, keepdims=True)
    return L.batch_normalization(x, mean, variance, offset, scale, 1e-3)


def as_images(L: Lib, x: Any) -> Any:
    """A tensor of rank 1 to 4 as NHWC images: (n,) -> (1, 1, n, 1), (a, b) -> (1, a, b, 1),
    (a, b, c) -> (1, a, b, c)."""
    shape = list(x.shape)
    if len(shape) == 4:
        return x
    return L.reshape(x, [1, *([1] * (2 - min(len(shape), 2))), *shape, *([1] * (len(shape) < 3))])


def image_shape(shape: Shape) -> Shape | None:
    if not shape or len(shape) > 4:
        return None
    if len(shape) == 4:
        return shape
    return (1, *([1] * (2 - min(len(shape), 2))), *shape, *([1] * (len(shape) < 3)))


def plan_conv2d(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    images = image_shape(shape)
    if images is None:
        return None
    padding = ["SAME", "VALID"][rng.randint(2)]
    kh, kw = (
        int(rng.randint(1, 4)) if padding == "SAME" else int(rng.randint(1, n + 1))
        for n in images[1:3]
    )
    strides = [int(s) for s in rng.randint(1, 3, size=2)]
    return {"strides": strides, "padding": padding}, [(kh, kw, images[3], int(rng.randint(1, 4)))]


def plan_pool(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    images = image_shape(shape)
    if images is None:
        return None
    padding = ["SAME", "VALID"][rng.randint(2)]
    ksize = [
        int(rng.randint(1, 4)) if padding == "SAME" else int(rng.randint(1, n + 1))
        for n in images[1:3]
    ]
    return {
        "ksize": ksize,
        "strides": [int(s) for s in rng.randint(1, 3, size=2)],
        "padding": padding,
    }, []


def plan_square(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    """A well-conditioned square matrix made of x: xᵀx + 3I, for x of rank 2."""
    if len(shape) != 2:
        return None
    return {}, [(shape[1], int(rng.randint(1, 3)))]


def plan_matrices(rng: np.random.RandomState, shape: Shape) -> tuple[dict, list[Shape]] | None:
    return ({}, []) if len(shape) >= 2 else None


def square_of(L: Lib, x: Any) -> Any:
    return L.matmul(x, x, transpose_a=True) + 3.0 * L.eye(x.shape[1])


ISSUE_25_OPS: dict[str, OpSpec] = {
    "gather": OpSpec(lambda L, x, indices, axis: L.gather(x, indices, axis=axis), plan_gather_axis),
    "gather_nd": OpSpec(lambda L, x, indices: L.gather_nd(x, indices), plan_gather_nd),
    "tile": OpSpec(lambda L, x, multiples: L.tile(x, multiples), plan_tile),
    "pad": OpSpec(lambda L, x, paddings, mode: L.pad(x, paddings, mode=mode), plan_pad),
    "split": OpSpec(lambda L, x, sizes, axis, part: L.split(x, sizes, axis=axis)[part], plan_split),
    "unstack": OpSpec(lambda L, x, axis, part: L.unstack(x, axis=axis)[part], plan_unstack),
    "reverse": OpSpec(lambda L, x, axis: L.reverse(x, axis), plan_reverse),
    "einsum": OpSpec(lambda L, x, y, equation: L.einsum(equation, x, y), plan_einsum),
    "tensordot": OpSpec(lambda L, x, y, axes: L.tensordot(x, y, axes), plan_tensordot),
    "norm": OpSpec(lambda L, x, **kw: L.norm(x + 0.125, **kw), plan_norm),  # (no 0: nan grads)
    "erf": OpSpec(lambda L, x: L.erf(x), no_attrs),
    "atan": OpSpec(lambda L, x: L.atan(x), no_attrs),
    "sinh": OpSpec(lambda L, x: L.sinh(x), no_attrs),
    "cosh": OpSpec(lambda L, x: L.cosh(x), no_attrs),
    "cumsum": OpSpec(lambda L, x, **kw: L.cumsum(x, **kw), plan_cumulative),
    "cumprod": OpSpec(lambda L, x, **kw: L.cumprod(1.0 + 0.5 * L.tanh(x), **kw), plan_cumulative),
    "reduce_variance": reduction("reduce_variance"),
    "reduce_std": OpSpec(reduction("reduce_std").run, plan_spread),
    "leaky_relu": OpSpec(lambda L, x: L.leaky_relu(x), no_attrs),
    "elu": OpSpec(lambda L, x: L.elu(x), no_attrs),
    "gelu": OpSpec(lambda L, x: L.gelu(x), no_attrs),
    "gelu(approximate)": OpSpec(lambda L, x: L.gelu(x, approximate=True), no_attrs),
    "silu": OpSpec(lambda L, x: L.silu(x), no_attrs),
    "l2_loss": OpSpec(lambda L, x: L.l2_loss(x), no_attrs),
    "softmax_cross_entropy_with_logits": OpSpec(
        lambda L, x, y: L.softmax_cross_entropy_with_logits(L.softmax(y), x), plan_partner
    ),
    "sparse_softmax_cross_entropy_with_logits": OpSpec(
        lambda L, x, labels: L.sparse_softmax_cross_entropy_with_logits(labels, x), plan_labels
    ),
    "embedding_lookup": OpSpec(lambda L, x, ids: L.embedding_lookup(x, ids), plan_ids),
    "conv1d": OpSpec(lambda L, x, f, **kw: L.conv1d(x, f, **kw), plan_conv1d),
    "sigmoid_cross_entropy_with_logits": OpSpec(
        lambda L, x, y: L.sigmoid_cross_entropy_with_logits(L.sigmoid(y), x), plan_partner
    ),
    "bias_add": OpSpec(lambda L, x, b: L.bias_add(L.reshape(x, [-1, x.shape[-1]]), b), plan_bias),
    "batch_normalization": OpSpec(run_batch_norm, plan_moments),
    "conv2d": OpSpec(lambda L, x, f, **kw: L.conv2d(as_images(L, x), f, **kw), plan_conv2d),
    "max_pool2d": OpSpec(lambda L, x, **kw: L.max_pool2d(as_images(L, x), **kw), plan_pool),
    "avg_pool2d": OpSpec(lambda L, x, **kw: L.avg_pool2d(as_images(L, x), **kw), plan_pool),
    "inv": OpSpec(lambda L, x, b: L.inv(square_of(L, x)), plan_square),
    "det": OpSpec(lambda L, x, b: L.det(square_of(L, x)) * 0.01, plan_square),
    "solve": OpSpec(lambda L, x, b: L.solve(square_of(L, x), b), plan_square),
    "trace": OpSpec(lambda L, x: L.trace(x), plan_matrices),
}  # fmt: skip


OPS: dict[str, OpSpec] = {
    # elementwise, with guards that keep each one inside its domain
    "negative": OpSpec(lambda L, x: L.negative(x), no_attrs),
    "square": OpSpec(lambda L, x: L.square(x), no_attrs),
    "abs": OpSpec(lambda L, x: L.abs(x), no_attrs),
    "exp": OpSpec(lambda L, x: L.exp(L.tanh(x) * 2.0), no_attrs),
    "log": OpSpec(lambda L, x: L.log(L.abs(x) + 0.5), no_attrs),
    "log1p": OpSpec(lambda L, x: L.log1p(L.square(x)), no_attrs),
    "sqrt": OpSpec(lambda L, x: L.sqrt(L.square(x) + 0.25), no_attrs),
    "sin": OpSpec(lambda L, x: L.sin(x), no_attrs),
    "cos": OpSpec(lambda L, x: L.cos(x), no_attrs),
    "tan": OpSpec(lambda L, x: L.tan(L.tanh(x)), no_attrs),
    "tanh": OpSpec(lambda L, x: L.tanh(x), no_attrs),
    "sigmoid": OpSpec(lambda L, x: L.sigmoid(x * 3.0), no_attrs),
    "relu": OpSpec(lambda L, x: L.relu(x), no_attrs),
    "softplus": OpSpec(lambda L, x: L.softplus(x), no_attrs),
    "clip_by_value": OpSpec(lambda L, x: L.clip_by_value(x, -0.5, 0.8), no_attrs),
    "scalars": OpSpec(lambda L, x: 1.5 - 2.0 * x + x**2 / 4.0 + 2.0 ** L.tanh(x), no_attrs),
    "stop_gradient": OpSpec(lambda L, x: x * L.stop_gradient(x), no_attrs),
    # binary, broadcasting
    "add": binary(lambda L, x, y: L.add(x, y)),
    "+": binary(lambda L, x, y: x + y),
    "-": binary(lambda L, x, y: x - L.subtract(y, x)),
    "*": binary(lambda L, x, y: x * y),
    "/": binary(lambda L, x, y: x / (y * y + 1.0)),
    "divide": binary(lambda L, x, y: L.divide(x, L.exp(y))),
    "pow": binary(lambda L, x, y: L.pow(L.abs(x) + 0.5, L.tanh(y) * 2.0)),
    "**": binary(lambda L, x, y: (x - y) ** 2),
    "maximum": binary(lambda L, x, y: L.maximum(x, y)),
    "minimum": binary(lambda L, x, y: L.minimum(x, y)),
    "where": binary(lambda L, x, y: L.where(x > y, x, y * 2.0)),
    "matmul": OpSpec(run_matmul, plan_matmul),
    # reductions
    "reduce_sum": reduction("reduce_sum"),
    "reduce_mean": reduction("reduce_mean"),
    "reduce_max": reduction("reduce_max"),
    "reduce_min": reduction("reduce_min"),
    "reduce_prod": reduction("reduce_prod"),
    "reduce_logsumexp": reduction("reduce_logsumexp"),
    "softmax": OpSpec(lambda L, x, axis: L.softmax(x, axis=axis), one_axis),
    "log_softmax": OpSpec(lambda L, x, axis: L.log_softmax(x, axis=axis), one_axis),
    # shapes
    "reshape": OpSpec(lambda L, x, shape: L.reshape(x, shape), plan_reshape),
    "transpose": OpSpec(lambda L, x, perm: L.transpose(x, perm=perm), plan_transpose),
    "expand_dims": OpSpec(lambda L, x, axis: L.expand_dims(x, axis), plan_expand_dims),
    "squeeze": OpSpec(lambda L, x, axis: L.squeeze(x, axis), plan_squeeze),
    "concat": OpSpec(lambda L, x, y, axis: L.concat([x, y, x], axis=axis), plan_concat),
    "stack": OpSpec(lambda L, x, y, axis: L.stack([x, y], axis=axis), plan_stack),
    "getitem": OpSpec(lambda L, x, index: x[index], plan_getitem),
    "x[[i, j]]": OpSpec(lambda L, x, indices: L.rows(x, indices), plan_gather),
    **ISSUE_25_OPS,
}


# ============================================================================ random programs
Ref = tuple[str, int]  # ("v", k): variable k; ("t", j): the output of step j


@dataclass(frozen=True)
class Step:
    op: str
    inputs: tuple[Ref, ...]
    attrs: dict[str, Any]


@dataclass
class Program:
    """Variables, steps, and the seeds (output gradients) of the steps nothing else uses."""

    variables: list[np.ndarray] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    seeds: dict[int, np.ndarray] = field(default_factory=dict)  # step index -> output gradient

    def __str__(self) -> str:
        lines = [f"v{k} = Variable(shape={v.shape})" for k, v in enumerate(self.variables)]
        for j, step in enumerate(self.steps):
            args = ", ".join(f"{kind}{i}" for kind, i in step.inputs)
            attrs = "".join(f", {k}={v!r}" for k, v in step.attrs.items())
            lines.append(f"t{j} = {step.op}({args}{attrs})")
        lines.append(f"targets: {', '.join(f't{j}' for j in self.seeds)}")
        return "\n".join(lines)

    def forward(self, L: Lib, variables: list[Any]) -> list[Any]:
        """The outputs of every step, computed with `L`."""
        outputs: list[Any] = []
        for step in self.steps:
            args = [variables[i] if kind == "v" else outputs[i] for kind, i in step.inputs]
            outputs.append(OPS[step.op].run(L, *args, **step.attrs))
        return outputs

    def targets(self, outputs: list[Any]) -> tuple[list[Any], list[np.ndarray]]:
        return [outputs[j] for j in self.seeds], list(self.seeds.values())


def random_array(rng: np.random.RandomState, shape: Shape) -> np.ndarray:
    return rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)


def generate(seed: int) -> Program:
    """A random program of 3-6 steps; TensorFlow (the reference) tells the shapes on the way.

    The first step is op number `seed` of `OPS` (cycling), so that every op is used.
    """
    rng = np.random.RandomState(seed)
    first = sorted(OPS)[seed % len(OPS)]
    program = Program()
    values: dict[Ref, Any] = {}  # TensorFlow values, for the shapes

    def new_variable(shape: Shape) -> Ref:
        program.variables.append(random_array(rng, shape))
        ref = ("v", len(program.variables) - 1)
        values[ref] = tf.constant(program.variables[-1])
        return ref

    def random_shape() -> Shape:
        return tuple(int(n) for n in rng.randint(1, 5, size=rng.randint(1, 4)))

    shape = random_shape()
    while OPS[first].plan(np.random.RandomState(0), shape) is None:  # fits by shape only
        shape = random_shape()
    current = new_variable(shape)
    for j in range(rng.randint(3, 7)):
        if j and rng.rand() < 0.2:  # branch off an earlier value
            refs = list(values)
            current = refs[rng.randint(len(refs))]
        shape = tuple(values[current].shape)
        plans = {name: spec.plan(rng, shape) for name, spec in OPS.items()}
        name = first if j == 0 else str(rng.choice(sorted(n for n, p in plans.items() if p)))
        attrs, other_shapes = plans[name]  # type: ignore[misc]
        inputs = [current]
        for other in other_shapes:
            same = [r for r, v in values.items() if tuple(v.shape) == other and r != current]
            reuse = same and rng.rand() < 0.4
            inputs.append(same[rng.randint(len(same))] if reuse else new_variable(other))
        program.steps.append(Step(name, tuple(inputs), attrs))
        current = ("t", j)
        values[current] = OPS[name].run(TF, *(values[r] for r in inputs), **attrs)
    used = {ref for step in program.steps for ref in step.inputs}
    for j in range(len(program.steps)):
        if ("t", j) not in used:
            program.seeds[j] = random_array(rng, tuple(values[("t", j)].shape))
    return program


def first_and_second_order(program: Program, L: Lib) -> dict[str, Any]:
    """Forward values, gradients (seeded with `output_gradients`) and a Hessian-vector product.

    The gradient is taken inside an outer tape, which then differentiates the gradients
    (seeded by fixed vectors) with `unconnected_gradients='zero'`.
    """
    variables = [L.Variable(v) for v in program.variables]
    directions = directions_of(program)
    with L.GradientTape() as outer:
        with L.GradientTape() as inner:
            outputs = program.forward(L, variables)
        targets, seeds = program.targets(outputs)
        grads = inner.gradient(targets, variables, output_gradients=[L.constant(s) for s in seeds])
        grads = [None if g is None else L.convert_to_tensor(g) for g in grads]
        connected = [(g, d) for g, d in zip(grads, directions, strict=True) if g is not None]
    hvp = outer.gradient(
        [g for g, _ in connected],
        variables,
        output_gradients=[L.constant(d) for _, d in connected],
        unconnected_gradients="zero",
    )
    return {"outputs": outputs, "gradients": grads, "hessian_vector": hvp}


def jacobians(program: Program, L: Lib) -> Any:
    """The Jacobian of the last step's output with respect to every variable."""
    variables = [L.Variable(v) for v in program.variables]
    with L.GradientTape() as tape:
        last = program.forward(L, variables)[-1]
    return tape.jacobian(last, variables, unconnected_gradients="zero")


SEEDS = range(len(OPS))  # one program starting with each op


@contextmanager
def shown_on_failure(program: Program) -> Iterator[None]:
    """Any failure inside names the program (its steps and shapes)."""
    try:
        yield
    except Exception as e:
        raise AssertionError(f"{type(e).__name__} in the program\n{program}\n{e}") from e


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_values_gradients_and_hessian(seed: int):
    program = generate(seed)
    with shown_on_failure(program):
        mine, theirs = (to_numpy(first_and_second_order(program, L)) for L in LIBS)
        assert_same(mine["outputs"], theirs["outputs"], "outputs")
        assert_same(mine["gradients"], theirs["gradients"], "gradients")
        assert_same(mine["hessian_vector"], theirs["hessian_vector"], "hvp", RTOL2, ATOL2)


@pytest.mark.parametrize("seed", SEEDS[::4])
def test_random_program_jacobian(seed: int):
    program = generate(seed)
    with shown_on_failure(program):
        compare(lambda L: jacobians(program, L))


def test_random_programs_use_every_op():
    used = {step.op for seed in SEEDS for step in generate(seed).steps}
    assert used == set(OPS)


# ============================================================================ forward mode
def directions_of(program: Program) -> list[np.ndarray]:
    """A fixed tangent for each variable of `program`."""
    return [np.cos(np.arange(v.size)).reshape(v.shape).astype(v.dtype) for v in program.variables]


def forward_mode(program: Program, L: Lib) -> dict[str, Any]:
    """The JVP of every step's output (the variables as primals), and both nestings with a tape:
    forward-over-backward (the JVP of the gradients: Hessian-vector products) and
    backward-over-forward (the gradient of the seeded JVPs)."""
    variables = [L.Variable(v) for v in program.variables]
    tangents = [L.constant(d) for d in directions_of(program)]
    with L.autodiff.ForwardAccumulator(variables, tangents) as acc:
        outputs = program.forward(L, variables)
    jvps = acc.jvp(outputs, unconnected_gradients="zero")
    with L.autodiff.ForwardAccumulator(variables, tangents) as acc:
        with L.GradientTape() as tape:
            targets, seeds = program.targets(program.forward(L, variables))
        grads = tape.gradient(targets, variables, output_gradients=[L.constant(s) for s in seeds])
        grads = [None if g is None else L.convert_to_tensor(g) for g in grads]  # (IndexedSlices)
    hvp = [None if g is None else acc.jvp(g, unconnected_gradients="zero") for g in grads]
    with L.GradientTape() as tape:
        with L.autodiff.ForwardAccumulator(variables, tangents) as acc:
            targets, seeds = program.targets(program.forward(L, variables))
        seeded = [
            L.reduce_sum(acc.jvp(t, unconnected_gradients="zero") * s)
            for t, s in zip(targets, seeds, strict=True)
        ]
        total = L.add_n(seeded)
    back = tape.gradient(total, variables, unconnected_gradients="zero")
    return {"jvps": jvps, "forward_over_backward": hvp, "backward_over_forward": back}


def jvps_by_jacobians(program: Program) -> list[np.ndarray]:
    """TensorFlow's JVPs of every step's output, as its tape's Jacobians times the tangents
    (where its ForwardAccumulator fails: gather_nd and embedding_lookup of a variable hand
    its double-backprop an IndexedSlices)."""
    variables = [tf.Variable(v) for v in program.variables]
    with tf.GradientTape(persistent=True) as tape:
        outputs = program.forward(TF, variables)
    jvps = []
    for y in outputs:
        jac = tape.jacobian(y, variables, unconnected_gradients="zero")
        products = [
            np.tensordot(np.asarray(j), d, axes=d.ndim)
            for j, d in zip(jac, directions_of(program), strict=True)
        ]
        jvps.append(np.asarray(sum(products), dtype=np.asarray(y).dtype))
    return jvps


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_forward_mode(seed: int):
    """ForwardAccumulator gives TensorFlow's JVPs on the random programs (every op), and its
    nestings with a tape both ways give TensorFlow's second derivatives."""
    program = generate(seed)
    with shown_on_failure(program):
        mine = to_numpy(forward_mode(program, AD))
        try:
            theirs = to_numpy(forward_mode(program, TF))
        except AttributeError as e:  # TensorFlow's own failure (see `jvps_by_jacobians`)
            assert "IndexedSlices" in str(e)
            assert {"gather_nd", "embedding_lookup"} & {s.op for s in program.steps}
            hvp = to_numpy(first_and_second_order(program, TF))["hessian_vector"]
            theirs = {
                "jvps": jvps_by_jacobians(program),
                "forward_over_backward": [
                    None if m is None else h
                    for m, h in zip(mine["forward_over_backward"], hvp, strict=True)
                ],
                "backward_over_forward": hvp,
            }
        assert_same(mine["jvps"], theirs["jvps"], "jvps")
        for key in ("forward_over_backward", "backward_over_forward"):
            assert_same(mine[key], theirs[key], key, RTOL2, ATOL2)


def test_random_program_jvps_are_jacobian_columns():
    """The JVP along each basis vector is a column of the tape's Jacobian (the engine alone)."""
    for seed in SEEDS[::7]:
        program = generate(seed)
        jac = to_numpy(jacobians(program, AD))
        for k, v in enumerate(program.variables):
            for i in range(min(v.size, 3)):
                basis = [np.zeros_like(w) for w in program.variables]
                basis[k].reshape(-1)[i] = 1
                variables = [ad.Variable(w) for w in program.variables]
                with ad.ForwardAccumulator(variables, basis) as acc:
                    last = program.forward(AD, variables)[-1]
                column = jac[k].reshape((*last.shape, -1))[..., i]
                np.testing.assert_allclose(
                    acc.jvp(last, unconnected_gradients="zero").numpy(), column, 1e-5, 1e-5
                )


def forward_scenarios(L: Lib) -> Any:
    """stop_gradient, a custom gradient, unconnected tensors and nesting accumulators."""
    x = L.constant([0.5, -1.0, 2.0])
    v = L.constant([1.0, 2.0, -0.5])

    @L.custom_gradient
    def clip_grad(t: Any) -> Any:
        return t * t, lambda dy: L.clip_by_value(dy, -0.3, 0.3) * t

    with L.autodiff.ForwardAccumulator(x, v) as outer:
        with L.autodiff.ForwardAccumulator(x, 2 * v) as inner:
            y = L.reduce_sum(L.sin(x) * x)
            cut = L.stop_gradient(x) * 3.0
            custom = clip_grad(x)
            lone = L.constant(1.0) * 2.0
        dy = inner.jvp(y)
    return {
        "jvp": inner.jvp([y, cut, custom, x]),
        "none": inner.jvp(lone),
        "zero": inner.jvp(lone, unconnected_gradients="zero"),
        "forward_over_forward": outer.jvp(dy),
        "outer": outer.jvp(y),
    }


def test_forward_mode_scenarios():
    compare(forward_scenarios, RTOL2, ATOL2)


# ============================================================================ fixed scenarios
def seed_example(L: Lib) -> Any:
    w = L.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="w")
    b = L.Variable(L.zeros(2), name="b")
    x = [[1.0, 2.0, 3.0]]
    with L.GradientTape() as tape:
        loss = L.reduce_mean((x @ w + b) ** 2)
    return loss, tape.gradient(loss, [w, b])


def nested_cube(L: Lib) -> Any:
    x = L.constant(3.0)
    with L.GradientTape() as outer:
        outer.watch(x)
        with L.GradientTape() as inner:
            inner.watch(x)
            y = x**3
        dy = inner.gradient(y, x)
    return y, dy, outer.gradient(dy, x)


def third_derivative(L: Lib) -> Any:
    x = L.Variable([0.3, -1.2, 2.0])
    with L.GradientTape() as t3:
        with L.GradientTape() as t2:
            with L.GradientTape() as t1:
                y = L.reduce_sum(L.sin(x) * L.exp(x) + L.softplus(x) * x)
            d1 = t1.gradient(y, x)  # recorded by t2 and t3
        d2 = t2.gradient(d1, x)  # recorded by t3
    return d1, d2, t3.gradient(d2, x)


def persistent_second_derivative(L: Lib) -> Any:
    x = L.Variable([[0.5, -1.0], [2.0, 0.1]])
    with L.GradientTape(persistent=True) as tape:
        y = L.reduce_logsumexp(x * x, axis=1)
        g = tape.gradient(y, x)
        h = tape.gradient(L.reduce_sum(g * g), x)
    return g, h, tape.gradient(y, x)


def persistent_multi_gradient(L: Lib) -> Any:
    w = L.Variable([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
    b = L.Variable([0.01, 0.02, 0.03])
    x = L.constant([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
    with L.GradientTape(persistent=True) as tape:
        tape.watch(x)
        h = L.tanh(x @ w + b)
        probs = L.softmax(h)
        loss = -L.reduce_mean(L.log_softmax(h)[:, 0])
    return [
        tape.gradient(loss, {"w": w, "b": b}),
        tape.gradient(probs, [x, (w,)]),
        tape.gradient([loss, h], {"inputs": [x], "params": {"b": b}}),
        tape.gradient(h, w, output_gradients=L.reshape(L.range(9.0), (3, 3))),
        tape.jacobian(probs, b),
    ]


def output_gradients(L: Lib) -> Any:
    x = L.Variable([1.0, -2.0, 3.0])
    with L.GradientTape(persistent=True) as tape:
        y = L.square(x)
        z = L.reduce_sum(L.sigmoid(x))
    seeds = [L.constant([0.5, 1.0, -1.0]), L.constant(2.0)]
    return tape.gradient([y, z], x, output_gradients=seeds), tape.gradient(y, x, seeds[0])


def unconnected(L: Lib) -> Any:
    a, b = L.Variable([1.0, 2.0]), L.Variable([[3.0]])
    c = L.constant([4.0, 5.0, 6.0])
    with L.GradientTape(persistent=True) as tape:
        tape.watch(c)
        y = a * a
        _ = b * 2.0
        z = L.stop_gradient(y) * c[:2]
    return {
        mode: [
            tape.gradient(y, [a, b, c], unconnected_gradients=mode),
            tape.gradient(z, {"a": a, "c": c}, unconnected_gradients=mode),
            tape.jacobian(y, [a, b], unconnected_gradients=mode),
        ]
        for mode in ("none", "zero")
    }


def watching(L: Lib) -> Any:
    u, v = L.Variable(2.0), L.Variable(3.0, trainable=False)
    k = L.constant(5.0)
    with L.GradientTape(persistent=True) as auto:
        y1 = u * v * k
    with L.GradientTape(watch_accessed_variables=False, persistent=True) as manual:
        manual.watch([k, {"v": v}])
        y2 = u * v * k
    with L.GradientTape(persistent=True) as paused:
        with paused.stop_recording():
            hidden = u * u
        y3 = hidden * u
    return [
        auto.gradient(y1, [u, v, k]),
        manual.gradient(y2, [u, v, k]),
        paused.gradient(y3, u),
        [var.numpy() for var in auto.watched_variables()],
        [var.numpy() for var in manual.watched_variables()],
    ]


def reset(L: Lib) -> Any:
    x = L.Variable([1.0, 2.0])
    with L.GradientTape(persistent=True) as tape:
        y = x * x
        tape.reset()
        z = x * 3.0
    return tape.gradient(y, x), tape.gradient(z, x)


def reflected_and_indexing(L: Lib) -> Any:
    w = L.Variable([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]])
    with L.GradientTape() as tape:
        y = [[1, 2, 3]] @ w
        y = 2.0 - y / 4.0 + 1.0 / (y * y + 1.0) + 2.0**y
        z = L.reduce_sum(y) + L.reduce_sum(w[1:, ::-1] * w[:2, 0:1]) + w[2, 1] * abs(-w[0, 0])
    return y, z, tape.gradient(z, w)


def ties(L: Lib) -> Any:
    """Ties of max/min/maximum/relu/abs/clip: how the gradient is shared."""
    x = L.Variable([[1.0, 3.0, 3.0], [0.0, -2.0, 0.0]])
    with L.GradientTape() as tape:
        parts = [
            L.reduce_max(x, axis=1),
            L.reduce_min(x),
            L.maximum(x, 0.0),
            L.minimum(x, 3.0),
            L.relu(x),
            L.abs(x),
            L.clip_by_value(x, 0.0, 3.0),
            L.reduce_prod(x, axis=1),
        ]
        loss = L.add_n([L.reduce_sum(p * (i + 1.0)) for i, p in enumerate(parts)])
    return loss, tape.gradient(loss, x)


def long_chain(L: Lib) -> Any:
    x = L.Variable(0.5)
    with L.GradientTape() as tape:
        y = x
        for i in range(300):
            y = L.sin(y) * 1.01 + 0.001 * i
    return y, tape.gradient(y, x)


def jacobian_cases(L: Lib) -> Any:
    x = L.Variable([[0.2, -0.4, 1.0], [1.5, 0.0, -0.3]])
    w = L.Variable([[1.0], [-1.0], [0.5]])
    with L.GradientTape(persistent=True) as tape:
        s = L.softmax(x, axis=0)
        p = x @ w
        lse = L.reduce_logsumexp(x, axis=1, keepdims=True)
    return [tape.jacobian(s, x), tape.jacobian(p, [x, w]), tape.jacobian(lse, {"x": x})]


def jacobian_of_jacobian(L: Lib) -> Any:
    x = L.Variable([0.5, -1.0])
    with L.GradientTape() as outer:
        with L.GradientTape() as inner:
            y = L.stack([x[0] * x[1] ** 2, L.sin(x[0]) + L.exp(x[1])])
        j = inner.jacobian(y, x)
    return j, outer.jacobian(j, x)


def integers(L: Lib) -> Any:
    n = L.constant([1, 2, 3])
    x = L.Variable([1.0, 2.0, 3.0])
    with L.GradientTape() as tape:
        tape.watch(n)
        y = L.cast(n, L.float32) * x
        m = n * 2
    return y, m, tape.gradient([y], [x, n])


SCENARIOS = [
    seed_example,
    nested_cube,
    third_derivative,
    persistent_second_derivative,
    persistent_multi_gradient,
    output_gradients,
    unconnected,
    watching,
    reset,
    reflected_and_indexing,
    ties,
    long_chain,
    jacobian_cases,
    jacobian_of_jacobian,
    integers,
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # integer sources warn, in each library
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_scenario(scenario: Callable[[Lib], Any]):
    compare(scenario)


def test_seed_example_values():
    loss, (dw, db) = to_numpy(seed_example(AD))
    assert loss == 634.0
    np.testing.assert_array_equal(db, [22.0, 28.0])
    np.testing.assert_array_equal(dw, [[22.0, 28.0], [44.0, 56.0], [66.0, 84.0]])


# ============================================================================ dtypes and reprs
VALUES = [
    1.5,
    [1.0, 2.0],
    [1, 2.5],
    7,
    [[1, 2], [3, 4]],
    2**40,
    True,
    [True, False],
    np.array([1.0, 2.0]),
    np.float64(2.5),
    np.array([1, 2], dtype=np.int64),
    np.ones((2, 1, 2), np.float16),
    np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    np.zeros((2, 0), np.float32),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_constant_dtype_and_repr(value: Any):
    mine, theirs = ad.constant(value), tf.constant(value)
    assert mine.dtype == theirs.dtype.as_numpy_dtype
    assert mine.shape == tuple(theirs.shape)
    assert repr(mine) == str(theirs).removeprefix("tf.")


@pytest.mark.parametrize("dtype", [ad.float16, ad.float32, ad.float64, ad.int32, ad.int64], ids=str)
@pytest.mark.parametrize(
    "expr",
    [lambda t: t + 1, lambda t: 2 * t, lambda t: t - 3, lambda t: t**2, lambda t: [[1, 2]] @ t],
    ids=["add", "rmul", "sub", "pow", "rmatmul"],
)
def test_python_scalar_takes_the_tensor_dtype(dtype: Any, expr: Callable[[Any], Any]):
    values = [[1, 2], [3, 4]]
    mine = expr(ad.constant(values, dtype=dtype))
    theirs = expr(tf.constant(values, dtype=dtype))
    assert mine.dtype == theirs.dtype.as_numpy_dtype
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", ["float16", "float64", "int64", np.float64, float], ids=str)
@pytest.mark.parametrize("value", [2, [1, 2], 1.5, [0.5, 2.0], np.array([1.0, 2.0])], ids=repr)
def test_dtype_override(value: Any, dtype: Any):
    def make(constant: Callable[..., Any]) -> Any:
        try:
            return constant(value, dtype=dtype)
        except (TypeError, ValueError):  # a float into an integer dtype
            return None

    mine, theirs = make(ad.constant), make(tf.constant)
    assert (mine is None) == (theirs is None)
    if theirs is not None:
        assert mine.dtype == theirs.dtype.as_numpy_dtype
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
