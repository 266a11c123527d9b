"""Gradient checks: every differentiable op's tape gradient against central differences.

Each op is described once, as an `OpCase` in the table `CASES`: a function of tensors and a
Hypothesis strategy drawing its inputs (shapes, and values from the op's domain, kept away
from kinks and ties where the op has them). Two parametrized tests run the whole table:

- `test_first_derivative`: in float64, for a random output direction v and a random input
  direction u, the tape's vector-Jacobian product (`output_gradients=v`) projected on u must
  match the central difference of F(x) = <v, f(x)>:

      <tape.gradient(f(x), x, output_gradients=v), u>  ≈  (F(x + h·u) - F(x - h·u)) / 2h

  Each input is checked on its own, so a failure names the wrong gradient. The gradient is
  computed twice: on its own, and inside an outer tape that records the backward pass. On
  its own, the backward pass runs on bare arrays and must make no tensor: a rule that calls
  the public ops rather than its backend's would still give the right numbers, slowly.
- `test_second_derivative` (cases marked `second_order`): the same check applied to
  G(x) = <∇F(x), w>, the first derivative computed by an inner tape, differentiated by an
  outer tape (nested tapes).
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from autodiff import backward, primitive

Shape = tuple[int, ...]
Example = tuple[tuple[np.ndarray, ...], dict[str, Any]]
"""What a case's strategy draws: the differentiable inputs (arrays), and extra keyword
arguments for the case's function that are not differentiated (e.g. `where`'s condition)."""
Domain = Callable[[Shape], st.SearchStrategy[np.ndarray]]
"""Draws an array of the given shape with values from an op's domain."""

# ----------------------------------------------------------------------------- the check
STEP = 1e-6  # h of the central differences (float64)
RTOL = 1e-6  # relative to the numerical derivative
ATOL = 1e-8
ROUNDOFF = 50.0  # the differences' rounding noise, in units of eps·Σ|terms| / h


@pytest.fixture(autouse=True)
def _backward_keeps_only_saved_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value no gradient reads is replaced by its shape before the backward pass, even
    these small ones (by default only values of 4 KiB and more are): an op whose `saves=`
    leaves out a value its gradient reads then gets zeros, and its check fails."""
    monkeypatch.setattr(primitive, "FREE_BYTES", 0)


def _tolerance(numeric: float, scale: float, eps: float, step: float) -> float:
    """What a correct gradient may miss the central difference by.

    `scale` is Σ|terms| of the function differenced: rounding it costs about eps·scale,
    which the difference quotient divides by h. A wrong gradient is off by O(|gradient|).
    """
    return ATOL + RTOL * abs(numeric) + ROUNDOFF * eps * scale / step


def _eps(*dtypes: np.dtype) -> float:
    """Machine epsilon of the least precise dtype involved."""
    return max(float(np.finfo(d).eps) for d in dtypes)


def _assert_directional(
    what: str, analytic: float, plus: float, minus: float, scale: float, eps: float, step: float
) -> None:
    numeric = (plus - minus) / (2 * step)
    error = abs(analytic - numeric)
    tolerance = _tolerance(numeric, scale, eps, step)
    assert error <= tolerance, (
        f"{what}: tape gives {analytic!r}, central differences {numeric!r} "
        f"(error {error:.3g} > tolerance {tolerance:.3g})"
    )


def _perturbed(arrays: Sequence[np.ndarray], i: int, delta: np.ndarray) -> list[np.ndarray]:
    """`arrays` with `delta` added to the i-th (kept in its dtype)."""
    moved = list(arrays)
    moved[i] = np.asarray(arrays[i] + delta, dtype=arrays[i].dtype)
    return moved


def _random(rng: np.random.Generator, shape: Shape, dtype: Any = np.float64) -> np.ndarray:
    return np.asarray(rng.standard_normal(shape), dtype=dtype)


def _dot(a: Any, b: Any) -> float:
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def _abs_dot(a: Any, b: Any) -> float:
    return float(np.sum(np.abs(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64))))


# ----------------------------------------------------------------------------- domains
SHAPES: list[Shape] = [(), (3,), (2, 3), (1, 3), (2, 1)]
RANK3: list[Shape] = [(2, 1, 3), (3, 2, 2)]


def _broadcasts(*shapes: Shape) -> bool:
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def combos(count: int, shapes: Sequence[Shape] = SHAPES) -> list[tuple[Shape, ...]]:
    """Every tuple of `count` shapes from `shapes` that broadcast together."""
    return [c for c in itertools.product(shapes, repeat=count) if _broadcasts(*c)]


def uniform(lo: float, hi: float, dtype: Any = np.float64) -> Domain:
    """Values in [lo, hi]."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    elements = st.floats(lo, hi, width=width)
    return lambda shape: hnp.arrays(dtype, shape, elements=elements)


def away_from_zero(lo: float, hi: float) -> Domain:
    """Values in [-hi, -lo] ∪ [lo, hi]."""
    elements = st.floats(lo, hi) | st.floats(-hi, -lo)
    return lambda shape: hnp.arrays(np.float64, shape, elements=elements)


GRID = 0.25


def grid(lo: int, hi: int, *, offset: float = 0.0, unique: bool = False) -> Domain:
    """Values (k + offset)·GRID for integers lo ≤ k ≤ hi, all different when `unique`.

    Values drawn with offset 0.5 never equal 0 or a value drawn with offset 0, and differ
    from them by at least GRID/2: that keeps kinks (|x| at 0, max(x, y) at x = y) far from
    x ± h·u. `unique` makes ties within one array impossible (for reduce_max/min).
    """
    elements = st.integers(lo, hi)

    def arrays(shape: Shape) -> st.SearchStrategy[np.ndarray]:
        ints = hnp.arrays(np.int64, shape, elements=elements, unique=unique)
        return ints.map(lambda k: (k + offset) * GRID)

    return arrays


REAL = uniform(-2.0, 2.0)
POSITIVE = uniform(0.2, 3.0)  # log, sqrt, the base of pow
NONZERO = away_from_zero(0.5, 2.0)  # divisors
OFF_GRID = grid(-12, 11, offset=0.5)  # ±0.125 ... ±2.875: never 0 nor on ON_GRID
ON_GRID = grid(-8, 8)  # multiples of 0.25 in [-2, 2]
DISTINCT = grid(-12, 11, offset=0.5, unique=True)  # no ties within an array
WITH_ZEROS = lambda shape: hnp.arrays(
    np.float64, shape, elements=st.just(0.0) | st.floats(-2.0, 2.0)
)


# ----------------------------------------------------------------------------- strategies
def operands(
    *domains: Domain, shapes: Sequence[tuple[Shape, ...]] | None = None, **kwargs: Any
) -> st.SearchStrategy[Example]:
    """One array per domain, their shapes drawn from `shapes` (default: every broadcasting
    combination of SHAPES). `kwargs` are strategies for extra keyword arguments."""
    shape_tuples = combos(len(domains)) if shapes is None else list(shapes)
    assert shape_tuples and all(len(s) == len(domains) for s in shape_tuples)

    @st.composite
    def draw_example(draw: st.DrawFn) -> Example:
        chosen = draw(st.sampled_from(shape_tuples))
        arrays = tuple(draw(domain(s)) for domain, s in zip(domains, chosen, strict=True))
        return arrays, {name: draw(strategy) for name, strategy in kwargs.items()}

    return draw_example()


def unary(domain: Domain, shapes: Sequence[Shape] = SHAPES) -> st.SearchStrategy[Example]:
    """One array of `domain`, its shape drawn from `shapes`."""
    return operands(domain, shapes=[(s,) for s in shapes])


def _valid_axis(axis: Any, ndim: int) -> bool:
    if axis is None:
        return True
    axes = [axis] if isinstance(axis, int) else list(axis)
    return all(-ndim <= a < ndim for a in axes) and len({a % ndim for a in axes}) == len(axes)


@st.composite
def matmul_operands(
    draw: st.DrawFn,
    *,
    transpose_a: bool = False,
    transpose_b: bool = False,
    vector_a: bool = False,
    vector_b: bool = False,
    batches: Sequence[tuple[Shape, Shape]] = (((), ()),),
) -> Example:
    """a and b for `matmul(a, b, transpose_a, transpose_b)`: matrices (or vectors) of sizes
    1 to 3, with leading batch shapes drawn from `batches`."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch_a, batch_b = draw(st.sampled_from(batches))
    a = (k,) if vector_a else ((k, n) if transpose_a else (n, k))
    b = (k,) if vector_b else ((m, k) if transpose_b else (k, m))
    return (draw(REAL(batch_a + a)), draw(REAL(batch_b + b))), {}


BATCHES = [((2,), (2,)), ((2,), ()), ((), (2,)), ((2, 1), (3,)), ((1,), (2,))]


@st.composite
def concat_operands(draw: st.DrawFn, axis: int, count: int) -> Example:
    """`count` arrays of one shape except along `axis`, where their lengths differ."""
    base = draw(st.sampled_from([s for s in SHAPES + RANK3 if s and _valid_axis(axis, len(s))]))
    arrays = []
    for _ in range(count):
        shape = list(base)
        shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(REAL(tuple(shape))))
    return tuple(arrays), {}


def same_shape(count: int, shapes: Sequence[Shape] = SHAPES) -> st.SearchStrategy[Example]:
    """`count` real arrays of one shape."""
    return operands(*[REAL] * count, shapes=[(s,) * count for s in shapes])


# ----------------------------------------------------------------------------- the table
@dataclass(frozen=True, repr=False)
class OpCase:
    """One gradient check: `fn(*inputs, **kwargs)` for `(inputs, kwargs)` drawn from `inputs`.

    `op` is the engine op the case checks (by default the start of `name`, up to "(").
    `step` is h; a larger one suits linear functions computed partly in float32 (cast).
    """

    name: str
    fn: Callable[..., ad.Tensor]
    inputs: st.SearchStrategy[Example]
    op: str | None = None
    second_order: bool = False
    step: float = STEP

    @property
    def covers(self) -> str:
        return self.op or self.name.split("(")[0]

    def __repr__(self) -> str:
        return self.name

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis' failure reports
        printer.text(self.name)


REDUCTIONS = {
    "reduce_sum": (ad.reduce_sum, REAL),
    "reduce_mean": (ad.reduce_mean, REAL),
    "reduce_max": (ad.reduce_max, DISTINCT),
    "reduce_min": (ad.reduce_min, DISTINCT),
    "reduce_prod": (ad.reduce_prod, WITH_ZEROS),  # a polynomial: smooth at zeros too
    "reduce_logsumexp": (ad.reduce_logsumexp, uniform(-3.0, 3.0)),
}
AXES: list[Any] = [None, 0, -1, (-1, 0)]  # none, int, negative int, tuple


def _reduction_cases() -> list[OpCase]:
    cases = []
    for name, (reduce, domain) in REDUCTIONS.items():
        for axis, keepdims in itertools.product(AXES, (False, True)):
            shapes = [s for s in SHAPES + RANK3 if _valid_axis(axis, len(s))]
            cases.append(
                OpCase(
                    f"{name}(axis={axis}, keepdims={keepdims})",
                    partial(reduce, axis=axis, keepdims=keepdims),
                    unary(domain, shapes),
                    second_order=name in ("reduce_prod", "reduce_logsumexp") and not keepdims,
                )
            )
    return cases


CLIP_SHAPES = [c for c in combos(3) if np.broadcast_shapes(*c) == c[0]]  # bounds fit t

CASES: list[OpCase] = [
    # --- arithmetic
    OpCase("add", ad.add, operands(REAL, REAL)),
    OpCase("subtract", ad.subtract, operands(REAL, REAL)),
    OpCase("multiply", ad.multiply, operands(REAL, REAL), second_order=True),
    OpCase("divide", ad.divide, operands(REAL, NONZERO), second_order=True),
    OpCase("negative", ad.negative, unary(REAL)),
    OpCase("pow", ad.pow, operands(POSITIVE, REAL), second_order=True),
    OpCase("square", ad.square, unary(REAL), second_order=True),
    OpCase("sqrt", ad.sqrt, unary(POSITIVE), second_order=True),
    OpCase("abs", ad.abs, unary(OFF_GRID)),
    OpCase("sign", ad.sign, unary(OFF_GRID)),
    OpCase("maximum", ad.maximum, operands(OFF_GRID, ON_GRID)),  # never tied
    OpCase("minimum", ad.minimum, operands(OFF_GRID, ON_GRID)),
    # --- elementwise
    OpCase("exp", ad.exp, unary(uniform(-3.0, 3.0)), second_order=True),
    OpCase("log", ad.log, unary(POSITIVE), second_order=True),
    OpCase("log1p", ad.log1p, unary(uniform(-0.5, 3.0)), second_order=True),
    OpCase("sin", ad.sin, unary(uniform(-4.0, 4.0)), second_order=True),
    OpCase("cos", ad.cos, unary(uniform(-4.0, 4.0)), second_order=True),
    OpCase("tan", ad.tan, unary(uniform(-1.2, 1.2)), second_order=True),
    OpCase("tanh", ad.tanh, unary(uniform(-3.0, 3.0)), second_order=True),
    OpCase("sigmoid", ad.sigmoid, unary(uniform(-5.0, 5.0)), second_order=True),
    OpCase("relu", ad.relu, unary(OFF_GRID)),
    OpCase("softplus", ad.softplus, unary(uniform(-5.0, 5.0)), second_order=True),
    OpCase(
        "where",
        lambda x, y, condition: ad.where(condition, x, y),
        # (any shapes of SHAPES broadcast together, the condition's too)
        operands(REAL, REAL, condition=hnp.arrays(bool, st.sampled_from(SHAPES))),
    ),
    OpCase(
        "clip_by_value",
        ad.clip_by_value,
        operands(OFF_GRID, grid(-8, -1), grid(1, 8), shapes=CLIP_SHAPES),
    ),
    # --- linear algebra
    OpCase("matmul", ad.matmul, matmul_operands(), second_order=True),
    OpCase(
        "matmul(transpose_a)",
        partial(ad.matmul, transpose_a=True),
        matmul_operands(transpose_a=True),
    ),
    OpCase(
        "matmul(transpose_b)",
        partial(ad.matmul, transpose_b=True),
        matmul_operands(transpose_b=True),
    ),
    OpCase(
        "matmul(transpose_a, transpose_b)",
        partial(ad.matmul, transpose_a=True, transpose_b=True),
        matmul_operands(transpose_a=True, transpose_b=True),
        second_order=True,
    ),
    OpCase("matmul(batched)", ad.matmul, matmul_operands(batches=BATCHES), second_order=True),
    OpCase(
        "matmul(batched, transpose_a, transpose_b)",
        partial(ad.matmul, transpose_a=True, transpose_b=True),
        matmul_operands(transpose_a=True, transpose_b=True, batches=BATCHES),
    ),
    OpCase("matmul(vector, matrix)", ad.matmul, matmul_operands(vector_a=True)),
    OpCase("matmul(matrix, vector)", ad.matmul, matmul_operands(vector_b=True)),
    OpCase("matmul(vector, vector)", ad.matmul, matmul_operands(vector_a=True, vector_b=True)),
    OpCase(
        "matmul(vector, batched)",
        ad.matmul,
        matmul_operands(vector_a=True, batches=[((), (2,)), ((), (2, 1))]),
    ),
    OpCase(
        "matmul(batched, vector)",
        ad.matmul,
        matmul_operands(vector_b=True, batches=[((2,), ()), ((2, 1), ())]),
    ),
    OpCase(
        "matmul(transpose_a, vector)",
        partial(ad.matmul, transpose_a=True),
        matmul_operands(transpose_a=True, vector_b=True),
    ),
    # --- shape
    OpCase("transpose", ad.transpose, unary(REAL, SHAPES + RANK3)),
    OpCase("transpose(perm=[1, 2, 0])", partial(ad.transpose, perm=[1, 2, 0]), unary(REAL, RANK3)),
    OpCase("reshape([-1])", partial(ad.reshape, shape=[-1]), unary(REAL, SHAPES + RANK3)),
    OpCase(
        "reshape([3, -1, 1])",
        partial(ad.reshape, shape=[3, -1, 1]),
        unary(REAL, [(3,), (2, 3), (1, 3), *RANK3]),
    ),
    OpCase("expand_dims(axis=0)", partial(ad.expand_dims, axis=0), unary(REAL)),
    OpCase("expand_dims(axis=-1)", partial(ad.expand_dims, axis=-1), unary(REAL)),
    OpCase("expand_dims(axis=1)", partial(ad.expand_dims, axis=1), unary(REAL, SHAPES[1:])),
    OpCase("squeeze", ad.squeeze, unary(REAL, [(1, 3), (2, 1), (2, 1, 3), (1, 1)])),
    OpCase("squeeze(axis=-1)", partial(ad.squeeze, axis=-1), unary(REAL, [(2, 1), (1, 1)])),
    OpCase("squeeze(axis=[0])", partial(ad.squeeze, axis=[0]), unary(REAL, [(1, 3), (1, 2, 2)])),
    OpCase("concat(axis=0)", lambda *xs: ad.concat(list(xs), axis=0), concat_operands(0, 2)),
    OpCase("concat(axis=1)", lambda *xs: ad.concat(list(xs), axis=1), concat_operands(1, 3)),
    OpCase("concat(axis=-1)", lambda *xs: ad.concat(list(xs), axis=-1), concat_operands(-1, 2)),
    OpCase("concat(x, x)", lambda x: ad.concat([x, x], axis=0), unary(REAL, SHAPES[1:])),
    OpCase("stack(axis=0)", lambda *xs: ad.stack(list(xs)), same_shape(2)),
    OpCase("stack(axis=1)", lambda *xs: ad.stack(list(xs), axis=1), same_shape(3, SHAPES[1:])),
    OpCase("stack(axis=-1)", lambda *xs: ad.stack(list(xs), axis=-1), same_shape(2)),
    OpCase("broadcast_to([2, 3])", partial(ad.broadcast_to, shape=[2, 3]), unary(REAL)),
    OpCase("broadcast_to([4, 2, 3])", partial(ad.broadcast_to, shape=[4, 2, 3]), unary(REAL)),
    OpCase("identity", ad.identity, unary(REAL)),
    OpCase("add_n", lambda *xs: ad.add_n(list(xs)), same_shape(3)),
    OpCase("add_n([x, y, x])", lambda x, y: ad.add_n([x, y, x]), same_shape(2)),
    # --- casts: linear, so a large step is exact; the float32 leg limits the precision
    OpCase(
        "cast(float64 -> float32)",
        partial(ad.cast, dtype=ad.float32),
        unary(REAL),
        step=1.0,
    ),
    OpCase(
        "cast(float32 -> float64)",
        partial(ad.cast, dtype=ad.float64),
        unary(uniform(-2.0, 2.0, np.float32)),
        step=1.0,
    ),
    # --- indexing (t[index])
    OpCase("getitem(x[1:])", lambda x: x[1:], unary(REAL, [(3,), (2, 3), (2, 1)]), op="getitem"),
    OpCase("getitem(x[..., ::-2])", lambda x: x[..., ::-2], unary(REAL, SHAPES[1:]), op="getitem"),
    OpCase("getitem(x[None, 0])", lambda x: x[None, 0], unary(REAL, SHAPES[1:]), op="getitem"),
    OpCase("getitem(x[-1, 1:])", lambda x: x[-1, 1:], unary(REAL, [(2, 3), (1, 3)]), op="getitem"),
    OpCase(
        "getitem(x[[0, 0, -1]])",
        lambda x: x[[0, 0, -1]],
        unary(REAL, SHAPES[1:] + RANK3),
        op="getitem",
    ),
    OpCase(
        "getitem(x[:, [2, 0, 2, 2]])",
        lambda x: x[:, [2, 0, 2, 2]],
        unary(REAL, [(2, 3), (1, 3)]),
        op="getitem",
    ),
    OpCase(
        "getitem(x[[1, 0, 1], [2, 2, 0]])",
        lambda x: x[[1, 0, 1], [2, 2, 0]],
        unary(REAL, [(2, 3)]),
        op="getitem",
    ),
    OpCase(
        "getitem(x[int tensor])",
        lambda x: x[ad.constant([[0, 1], [0, 0]])],
        unary(REAL, [(3,), (2, 3), (2, 1)]),
        op="getitem",
    ),
    # --- neural-net helpers
    OpCase("softmax", ad.softmax, unary(uniform(-3.0, 3.0), SHAPES[1:]), second_order=True),
    OpCase(
        "softmax(axis=0)",
        partial(ad.softmax, axis=0),
        unary(uniform(-3.0, 3.0), SHAPES[1:]),
        second_order=True,
    ),
    OpCase("log_softmax", ad.log_softmax, unary(uniform(-3.0, 3.0), SHAPES[1:]), second_order=True),
    OpCase(
        "log_softmax(axis=0)",
        partial(ad.log_softmax, axis=0),
        unary(uniform(-3.0, 3.0), SHAPES[1:]),
    ),
    # --- reductions: every op × axis None / int / negative int / tuple × keepdims
    *_reduction_cases(),
    # --- operators, including the reflected forms
    OpCase("x + y", lambda x, y: x + y, operands(REAL, REAL), op="add"),
    OpCase("x - y", lambda x, y: x - y, operands(REAL, REAL), op="subtract"),
    OpCase("x * y", lambda x, y: x * y, operands(REAL, REAL), op="multiply"),
    OpCase("x / y", lambda x, y: x / y, operands(REAL, NONZERO), op="divide"),
    OpCase("x ** y", lambda x, y: x**y, operands(POSITIVE, REAL), op="pow"),
    OpCase("x @ y", lambda x, y: x @ y, matmul_operands(batches=BATCHES), op="matmul"),
    OpCase("-x", lambda x: -x, unary(REAL), op="negative"),
    OpCase("abs(x)", lambda x: abs(x), unary(OFF_GRID), op="abs"),
    OpCase("x.T", lambda x: x.T, unary(REAL, SHAPES + RANK3), op="transpose"),
    OpCase("1.5 + x", lambda x: 1.5 + x, unary(REAL), op="add"),
    OpCase("1.5 - x", lambda x: 1.5 - x, unary(REAL), op="subtract"),
    OpCase("1.5 * x", lambda x: 1.5 * x, unary(REAL), op="multiply"),
    OpCase("1.5 / x", lambda x: 1.5 / x, unary(NONZERO), op="divide"),
    OpCase("1.5 ** x", lambda x: 1.5**x, unary(REAL), op="pow"),
    OpCase("x ** 3.0 (any sign)", lambda x: x**3.0, unary(REAL), op="pow"),
    OpCase(
        "[[1, 2, 3]] @ x",
        lambda x: [[1.0, 2.0, 3.0]] @ x,
        unary(REAL, [(3, 1), (3, 2), (2, 3, 2)]),
        op="matmul",
    ),
]


# ----------------------------------------------------------------------------- issue 25's ops
def _eye_plus(a: ad.Tensor) -> ad.Tensor:
    """a/4 + 3·I: for entries of a in [-2, 2] and n <= 3, diagonally dominant (each diagonal
    entry >= 2.5 > the row's other entries' sum <= 1), so invertible and well conditioned."""
    return a * 0.25 + 3.0 * np.eye(a.shape[-1])


def _weighted(parts: Sequence[ad.Tensor]) -> ad.Tensor:
    """The parts of a split (all of one shape) in one tensor, each weighted differently."""
    return ad.add_n([p * float(i + 1) for i, p in enumerate(parts)])


IMAGE_SHAPES = [(1, 4, 5, 2), (2, 3, 4, 2)]
KERNEL_SHAPES = [(2, 3, 2, 2), (3, 2, 2, 1)]
CONV_OPERANDS = operands(REAL, REAL, shapes=list(itertools.product(IMAGE_SHAPES, KERNEL_SHAPES)))
POOL_IMAGES = [(1, 4, 4, 1), (2, 3, 5, 2)]
POOL_DISTINCT = grid(-40, 40, offset=0.5, unique=True)  # no tie in any window
NN = ad.nn

ISSUE_25_CASES: list[OpCase] = [
    # --- selection and shape
    OpCase("gather", lambda x: ad.gather(x, [2, 0, 2]), unary(REAL, [(3,), (3, 2)])),
    OpCase(
        "gather(axis=1)",
        lambda x: ad.gather(x, [[1, 0], [1, 1]], axis=1),
        unary(REAL, [(2, 2), (1, 3), (2, 3, 2)]),
    ),
    OpCase(
        "gather(batch_dims=1)",
        lambda x: ad.gather(x, [[1, 1], [0, 2]], batch_dims=1),
        unary(REAL, [(2, 3), (2, 3, 2)]),
    ),
    OpCase(
        "gather(batch_dims=1, axis=2)",
        lambda x: ad.gather(x, [[1, 0, 1], [0, 0, 1]], axis=2, batch_dims=1),
        unary(REAL, [(2, 2, 2), (2, 3, 2, 2)]),
    ),
    OpCase(
        "gather_nd",
        lambda x: ad.gather_nd(x, [[0, 1], [1, 0], [0, 1]]),
        unary(REAL, [(2, 2), (2, 3), (2, 2, 3)]),
    ),
    OpCase("tile", lambda x: ad.tile(x, [2, 3]), unary(REAL, [(2, 1), (1, 3)]), second_order=True),
    OpCase(
        "pad",
        lambda x: ad.pad(x, [[1, 0], [2, 1]], constant_values=0.5),
        unary(REAL, [(2, 3), (1, 2)]),
    ),
    OpCase(
        "pad(REFLECT)",
        lambda x: ad.pad(x, [[1, 1], [1, 2]], mode="REFLECT"),
        unary(REAL, [(2, 3), (3, 3)]),
        second_order=True,
    ),
    OpCase(
        "pad(SYMMETRIC)",
        lambda x: ad.pad(x, [[1, 0], [2, 1]], mode="SYMMETRIC"),
        unary(REAL, [(2, 3), (1, 2)]),
    ),
    OpCase("split", lambda x: _weighted(ad.split(x, 3, axis=-1)), unary(REAL, [(3,), (2, 3)])),
    OpCase("split(sizes)", lambda x: ad.split(x, [1, -1], axis=0)[1], unary(REAL, [(3,), (3, 2)])),
    OpCase("unstack", lambda x: _weighted(ad.unstack(x, axis=1)), unary(REAL, [(2, 3), (1, 2, 2)])),
    OpCase("reverse", lambda x: ad.reverse(x, [0, -1]), unary(REAL, [(2, 3), (3, 2, 2)])),
    OpCase(
        "einsum('ij,jk->ik')",
        partial(ad.einsum, "ij,jk->ik"),
        matmul_operands(),
        second_order=True,
    ),
    OpCase(
        "einsum('bij,bjk->bik')",
        partial(ad.einsum, "bij,bjk->bik"),
        matmul_operands(batches=[((2,), (2,))]),
    ),
    OpCase("einsum('i,i->')", partial(ad.einsum, "i,i->"), same_shape(2, [(3,)])),
    OpCase("einsum('ij->j')", partial(ad.einsum, "ij->j"), unary(REAL, [(2, 3), (1, 3)])),
    OpCase(
        "einsum('...ij,jk')",
        partial(ad.einsum, "...ij,jk"),
        operands(REAL, REAL, shapes=[((2, 2, 3), (3, 2)), ((2, 3), (3, 1))]),
    ),
    OpCase(
        "tensordot(axes=1)",
        lambda a, b: ad.tensordot(a, b, 1),
        matmul_operands(),
        second_order=True,
    ),
    OpCase(
        "tensordot(axes=[[1, 0], [0, 2]])",
        lambda a, b: ad.tensordot(a, b, [[1, 0], [0, 2]]),
        operands(REAL, REAL, shapes=[((2, 3, 2), (3, 2, 2))]),
    ),
    OpCase("norm", ad.norm, unary(NONZERO, SHAPES[1:]), second_order=True),
    OpCase("norm(ord=1, axis=1)", lambda x: ad.norm(x, 1, axis=1), unary(OFF_GRID, [(2, 3)])),
    OpCase("norm(ord=inf)", lambda x: ad.norm(x, np.inf), unary(DISTINCT, [(3,), (2, 3)])),
    OpCase("norm(ord=3, axis=0)", lambda x: ad.norm(x, 3, axis=0), unary(NONZERO, [(3,), (2, 3)])),
    OpCase(
        "norm(fro, keepdims)",
        lambda x: ad.norm(x, "fro", axis=[-2, -1], keepdims=True),
        unary(NONZERO, [(2, 3), (2, 2, 2)]),
    ),
    OpCase(
        "norm(matrix 1)",  # (offsets: the column sums differ by far, no tie for the largest)
        lambda x: ad.norm(x + np.array([[0.0, 10.0, -20.0]]), 1, axis=[0, 1]),
        unary(NONZERO, [(2, 3)]),
    ),
    OpCase(
        "norm(matrix inf)",
        lambda x: ad.norm(x + np.array([[0.0], [-10.0]]), np.inf, axis=[-2, -1]),
        unary(NONZERO, [(2, 3), (2, 2, 3)]),
    ),
    # --- math
    OpCase("erf", ad.math.erf, unary(uniform(-2.0, 2.0)), second_order=True),
    OpCase("atan", ad.atan, unary(REAL), second_order=True),
    OpCase("sinh", ad.sinh, unary(REAL), second_order=True),
    OpCase("cosh", ad.cosh, unary(REAL), second_order=True),
    OpCase("cumsum", ad.cumsum, unary(REAL, SHAPES[1:])),
    OpCase(
        "cumsum(axis=-1, exclusive, reverse)",
        lambda x: ad.cumsum(x, axis=-1, exclusive=True, reverse=True),
        unary(REAL, SHAPES[1:]),
    ),
    OpCase("cumprod", ad.math.cumprod, unary(NONZERO, SHAPES[1:]), second_order=True),
    OpCase(
        "cumprod(axis=1, exclusive, reverse)",
        lambda x: ad.math.cumprod(x, axis=1, exclusive=True, reverse=True),
        unary(NONZERO, [(2, 3), (1, 3)]),
    ),
    OpCase("reduce_variance", ad.math.reduce_variance, unary(REAL), second_order=True),
    OpCase(
        "reduce_variance(axis=0, keepdims)",
        lambda x: ad.math.reduce_variance(x, axis=0, keepdims=True),
        unary(REAL, [(3,), (2, 3), *RANK3]),
    ),
    OpCase("reduce_std", ad.math.reduce_std, unary(DISTINCT, [(3,), (2, 3)]), second_order=True),
    OpCase(
        "reduce_std(axis=-1)",
        lambda x: ad.math.reduce_std(x, axis=-1),  # (not constant along the axis: std > 0)
        unary(DISTINCT, [(2, 3), *RANK3]),
    ),
    # --- linalg
    OpCase(
        "inv",
        lambda a: ad.linalg.inv(_eye_plus(a)),
        unary(REAL, [(2, 2), (3, 3), (2, 2, 2)]),
        second_order=True,
    ),
    OpCase(
        "inv(adjoint)",
        lambda a: ad.linalg.inv(_eye_plus(a), adjoint=True),
        unary(REAL, [(2, 2), (3, 3)]),
    ),
    OpCase(
        "det",
        lambda a: ad.linalg.det(_eye_plus(a)),
        unary(REAL, [(2, 2), (3, 3), (2, 2, 2)]),
        second_order=True,
    ),
    OpCase(
        "solve",
        lambda a, b: ad.linalg.solve(_eye_plus(a), b),
        operands(REAL, REAL, shapes=[((2, 2), (2, 3)), ((2, 3, 3), (2, 3, 1))]),
        second_order=True,
    ),
    OpCase(
        "solve(adjoint)",
        lambda a, b: ad.linalg.solve(_eye_plus(a), b, adjoint=True),
        operands(REAL, REAL, shapes=[((3, 3), (3, 2))]),
    ),
    OpCase("trace", ad.linalg.trace, unary(REAL, [(2, 2), (2, 3), (2, 3, 2)])),
    # --- nn
    OpCase("leaky_relu", NN.leaky_relu, unary(OFF_GRID)),
    OpCase("elu", NN.elu, unary(OFF_GRID), second_order=True),
    OpCase("gelu", NN.gelu, unary(uniform(-3.0, 3.0)), second_order=True),
    OpCase(
        "gelu(approximate)",
        partial(NN.gelu, approximate=True),
        unary(uniform(-3.0, 3.0)),
        second_order=True,
    ),
    OpCase("silu", partial(NN.silu, beta=1.5), unary(uniform(-3.0, 3.0)), second_order=True),
    OpCase(
        "softmax_cross_entropy_with_logits",
        # labels that sum to 1, for which TensorFlow's logits gradient is the exact one
        lambda y, x: NN.softmax_cross_entropy_with_logits(ad.softmax(y), x),
        same_shape(2, [(3,), (2, 3)]),
    ),
    OpCase(
        "softmax_cross_entropy_with_logits(axis=0)",
        lambda y, x: NN.softmax_cross_entropy_with_logits(ad.softmax(y, 0), x, axis=0),
        same_shape(2, [(2, 3)]),
    ),
    OpCase(
        "sparse_softmax_cross_entropy_with_logits",
        lambda x: NN.sparse_softmax_cross_entropy_with_logits([2, 0], x),
        unary(uniform(-3.0, 3.0), [(2, 3)]),
        second_order=True,
    ),
    OpCase(
        "sigmoid_cross_entropy_with_logits",
        NN.sigmoid_cross_entropy_with_logits,
        operands(uniform(0.0, 1.0), uniform(-3.0, 3.0), shapes=[((3,), (3,)), ((2, 3), (2, 3))]),
        second_order=True,
    ),
    OpCase("l2_loss", NN.l2_loss, unary(REAL), second_order=True),
    OpCase(
        "moments",  # (not second order: as TensorFlow, the variance's mean is a constant there)
        lambda x: ad.add_n(list(NN.moments(x, [0]))),
        unary(REAL, [(3,), (3, 2)]),
    ),
    OpCase(
        "batch_normalization",
        lambda x, m, v, b, s: NN.batch_normalization(x, m, v, b, s, 1e-3),
        operands(REAL, REAL, POSITIVE, REAL, REAL, shapes=[((4, 3), (3,), (3,), (3,), (3,))]),
        second_order=True,
    ),
    OpCase(
        "embedding_lookup",
        lambda t: NN.embedding_lookup(t, [[1, 1], [0, 2]]),
        unary(REAL, [(3, 2)]),
    ),
    OpCase(
        "bias_add",
        NN.bias_add,
        operands(REAL, REAL, shapes=[((2, 3), (3,)), ((2, 2, 3), (3,))]),
    ),
    OpCase(
        "conv2d(VALID)",
        lambda x, f: NN.conv2d(x, f, 1, "VALID"),
        CONV_OPERANDS,
        second_order=True,
    ),
    OpCase("conv2d(SAME, strides 2)", lambda x, f: NN.conv2d(x, f, 2, "SAME"), CONV_OPERANDS),
    OpCase(
        "conv2d(SAME, dilations 2)",
        lambda x, f: NN.conv2d(x, f, [1, 2], "SAME", dilations=2),
        CONV_OPERANDS,
        second_order=True,
    ),
    OpCase(
        "conv2d(explicit padding)",
        lambda x, f: NN.conv2d(x, f, 1, [[0, 0], [1, 0], [2, 1], [0, 0]]),
        CONV_OPERANDS,
    ),
    OpCase(
        "conv1d",
        lambda x, f: NN.conv1d(x, f, 2, "SAME"),
        operands(REAL, REAL, shapes=[((2, 5, 2), (3, 2, 2))]),
        op="conv2d",
    ),
    OpCase(
        "max_pool2d(VALID)",
        lambda x: NN.max_pool2d(x, 2, 2, "VALID"),
        unary(POOL_DISTINCT, POOL_IMAGES),
        second_order=True,
    ),
    OpCase(
        "max_pool2d(SAME, overlapping)",
        lambda x: NN.max_pool2d(x, 3, [1, 2], "SAME"),
        unary(POOL_DISTINCT, POOL_IMAGES),
    ),
    OpCase(
        "avg_pool2d(SAME)",
        lambda x: NN.avg_pool2d(x, [2, 3], 2, "SAME"),
        unary(REAL, POOL_IMAGES),
        second_order=True,
    ),
    OpCase(
        "avg_pool2d(VALID)", lambda x: NN.avg_pool2d(x, 2, 1, "VALID"), unary(REAL, POOL_IMAGES)
    ),
]
CASES += ISSUE_25_CASES


SECOND_ORDER = [case for case in CASES if case.second_order]

# The differentiable operations of the public API (the project's contract), as it lists them.
CONTRACT_OPS = """
    add subtract multiply divide negative pow square sqrt abs maximum minimum
    exp log log1p sin cos tan tanh sigmoid relu softplus where clip_by_value
    matmul transpose reshape expand_dims squeeze concat stack
    reduce_sum reduce_mean reduce_max reduce_min reduce_prod reduce_logsumexp
    softmax log_softmax getitem broadcast_to cast identity add_n
    gather gather_nd tile pad split unstack reverse einsum tensordot norm
""".split()  # noqa: SIM905 - the contract's lines, word for word


# ----------------------------------------------------------------------------- the tests
def _call(case: OpCase, arrays: Sequence[np.ndarray], kwargs: dict[str, Any]) -> ad.Tensor:
    return case.fn(*[ad.constant(a) for a in arrays], **kwargs)


@contextlib.contextmanager
def _no_tensors_in_bare_sweeps(what: str) -> Iterator[None]:
    """Fail if a backward pass on bare arrays (`ON_ARRAYS`: no tape records it) makes a
    tensor, naming the function that made it."""
    sweep, init = backward._sweep, ad.Tensor.__init__
    made: list[str] = []

    def counting_init(self: ad.Tensor, *args: Any, **kwargs: Any) -> None:
        made.append(sys._getframe(1).f_code.co_qualname)
        init(self, *args, **kwargs)

    def checked_sweep(*args: Any) -> Any:
        if not args[-1].bare:  # (the backend, last)
            return sweep(*args)
        ad.Tensor.__init__ = counting_init
        try:
            return sweep(*args)
        finally:
            ad.Tensor.__init__ = init

    backward._sweep = checked_sweep
    try:
        yield
    finally:
        backward._sweep = sweep
    assert not made, f"{what}: the backward pass on bare arrays made tensors in {made}"


def _vjp(
    case: OpCase,
    arrays: Sequence[np.ndarray],
    kwargs: dict[str, Any],
    v: np.ndarray,
    *,
    inside_outer_tape: bool = False,
) -> list[ad.Tensor | None]:
    """The tape's gradients of <v, f(x)> with respect to every input; with
    `inside_outer_tape`, computed while another tape records the backward pass."""
    xs = [ad.constant(a) for a in arrays]
    with contextlib.ExitStack() as stack:
        if inside_outer_tape:
            stack.enter_context(ad.GradientTape())
        with ad.GradientTape() as tape:
            tape.watch(xs)
            y = case.fn(*xs, **kwargs)
        return tape.gradient(y, xs, output_gradients=ad.constant(v))


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_first_derivative(case: OpCase, data: st.DataObject) -> None:
    arrays, kwargs = data.draw(case.inputs, label="inputs")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    out = _call(case, arrays, kwargs)
    v = _random(rng, out.shape, out.dtype)
    # The backward pass alone, and recorded by an outer tape (as for second derivatives).
    with _no_tensors_in_bare_sweeps(case.name):
        alone = _vjp(case, arrays, kwargs, v)
    recorded = _vjp(case, arrays, kwargs, v, inside_outer_tape=True)

    def F(moved: Sequence[np.ndarray]) -> tuple[float, float]:
        """F(x) = <v, f(x)>, and the size of the terms its rounding errors come from."""
        y = _call(case, moved, kwargs)
        return _dot(y, v), _abs_dot(y, v)

    h = case.step
    for i, x in enumerate(arrays):
        u = _random(rng, x.shape)
        (plus, at_plus), (minus, at_minus) = (
            F(_perturbed(arrays, i, h * u)),
            F(_perturbed(arrays, i, -h * u)),
        )
        # rounded at x ± h·u as well as at x (f(0) = 0 has no terms, but x ± h·u does)
        scale = max(_abs_dot(out, v), at_plus, at_minus)
        for how, grads in (("", alone), (" (recorded by an outer tape)", recorded)):
            what = f"{case.name}: d/d(input {i}) of shape {x.shape}{how}"
            grad = grads[i]
            assert grad is not None, f"{what}: the gradient is None"
            assert grad.shape == x.shape, f"{what}: the gradient has shape {grad.shape}"
            assert grad.dtype == x.dtype, f"{what}: the gradient has dtype {grad.dtype}"
            eps = _eps(x.dtype, out.dtype)
            _assert_directional(what, _dot(grad, u), plus, minus, scale, eps, h)


def _first_derivative_dot(
    case: OpCase,
    arrays: Sequence[np.ndarray],
    kwargs: dict[str, Any],
    v: np.ndarray,
    ws: Sequence[np.ndarray],
) -> tuple[float, float]:
    """G(x) = Σᵢ <∂F/∂xᵢ, wᵢ> from one tape, and Σ|terms| (its rounding scale)."""
    vjp = _vjp(case, arrays, kwargs, v)
    grads = [np.zeros_like(a) if g is None else g for a, g in zip(arrays, vjp, strict=True)]
    return sum(map(_dot, grads, ws)), sum(map(_abs_dot, grads, ws))


@pytest.mark.parametrize("case", SECOND_ORDER, ids=repr)
@given(data=st.data())
def test_second_derivative(case: OpCase, data: st.DataObject) -> None:
    arrays, kwargs = data.draw(case.inputs, label="inputs")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    out = _call(case, arrays, kwargs)
    v = _random(rng, out.shape)
    ws = [_random(rng, a.shape) for a in arrays]

    xs = [ad.constant(a) for a in arrays]
    with ad.GradientTape() as outer:
        outer.watch(xs)
        with ad.GradientTape() as inner:
            inner.watch(xs)
            y = case.fn(*xs, **kwargs)
        first = inner.gradient(y, xs, output_gradients=ad.constant(v))
        g = ad.add_n(
            [ad.reduce_sum(d * w) for d, w in zip(first, ws, strict=True) if d is not None]
        )
    second = outer.gradient(g, xs, unconnected_gradients="zero")

    _, scale = _first_derivative_dot(case, arrays, kwargs, v, ws)
    for i, (x, grad) in enumerate(zip(arrays, second, strict=True)):
        what = f"{case.name}: d/d(input {i}) of <gradient, w>, input shape {x.shape}"
        assert grad.shape == x.shape, f"{what}: the gradient has shape {grad.shape}"
        u = _random(rng, x.shape)
        plus, _ = _first_derivative_dot(case, _perturbed(arrays, i, STEP * u), kwargs, v, ws)
        minus, _ = _first_derivative_dot(case, _perturbed(arrays, i, -STEP * u), kwargs, v, ws)
        _assert_directional(what, _dot(grad, u), plus, minus, scale, _eps(x.dtype), STEP)


def test_every_differentiable_op_is_checked() -> None:
    """The table covers each differentiable op of the contract and of the engine's exports."""
    exported = {
        name
        for space in (ad, ad.nn, ad.math, ad.linalg)
        for name in dir(space)
        if getattr(getattr(getattr(space, name), "op", None), "differentiable", ())
    }
    listed = {name for name in CONTRACT_OPS if hasattr(ad, name) or name == "getitem"}
    checked = {case.covers for case in CASES}
    assert (exported | listed) - checked == set()
    assert {case.name for case in SECOND_ORDER} >= {
        "exp",
        "sin",
        "tanh",
        "sigmoid",
        "log",
        "pow",
        "multiply",
        "matmul",
        "softmax",
    }
