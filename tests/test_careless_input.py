"""Careless input: every op x every dtype x odd shapes x special values, against TensorFlow.

For each op, Hypothesis draws a dtype (bool, signed and unsigned ints, float16/32/64, complex),
shapes (0-d, empty, broadcasting or not), static arguments (axes in and out of range...) and
values (0, -0, ±1, huge, tiny, ±inf, nan, the integer extremes). The op runs in this engine and
in TensorFlow, the reference, and:

- TensorFlow refuses it: the engine raises a ValueError or TypeError whose message names the
  op (never a bare NumPy error, never an answer);
- TensorFlow computes it: the engine gives the same dtype, shape and values (nan where nan);
  and, for float inputs, the same gradient (of the output weighted by ones). Complex inputs
  or outputs: the gradient is a TypeError naming `gradient` (this engine does not
  differentiate complex numbers: TensorFlow's convention, the conjugate, is not implemented);
  ints and bools: None, as TensorFlow.

Where the engine answers differently on purpose, `DIVERGES` says so and why. Each op's test
runs a few dozen examples (the `max_examples` below): the whole module takes a few seconds.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.tensorflow

Shape = tuple[int, ...]
# per op (the dtype, the shapes and the values all vary); raise it to search harder
EXAMPLES = int(os.environ.get("CARELESS_EXAMPLES", "25"))
DTYPES = [np.dtype(n) for n in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint32")]
DTYPES += [np.dtype(n) for n in ("float16", "float32", "float64", "complex64", "complex128")]
SHAPES: list[Shape] = [(), (0,), (1,), (3,), (2, 3), (3, 1), (1, 3), (2, 0), (2, 1, 3)]


# ----------------------------------------------------------------------------- values
def specials(dtype: np.dtype) -> list[Any]:
    """The values careless code feeds an op of this dtype."""
    if dtype.kind == "b":
        return [True, False]
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return [v for v in (0, 1, 2, 7, -1, -3, info.min, info.max) if info.min <= v <= info.max]
    real = np.finfo(dtype).dtype
    big = {np.float16: 6e4, np.float32: 1e30, np.float64: 1e300}[real.type]
    tiny = float(np.finfo(real).tiny) * 4  # normal: TensorFlow flushes subnormals to zero
    floats = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, big, -big, tiny, np.inf, -np.inf, np.nan]
    if dtype.kind == "c":
        return [complex(a, b) for a, b in zip(floats, floats[3:] + floats[:3], strict=True)]
    return floats


def arrays(dtype: np.dtype, shape: Shape) -> st.SearchStrategy[np.ndarray]:
    """Arrays of `dtype` and `shape`, mostly of special values, some ordinary ones."""
    elements = st.sampled_from(specials(dtype))
    if dtype.kind == "f":
        width = 8 * dtype.itemsize
        elements = elements | st.floats(-4, 4, width=width, allow_subnormal=False)
    return hnp.arrays(dtype, shape, elements=elements)


# ----------------------------------------------------------------------------- the ops
Run = Callable[[Any, list[Any], dict[str, Any]], Any]  # (library, inputs, attrs) -> output


@dataclass(frozen=True)
class Case:
    """How to call one op: `run(L, inputs, attrs)` with `L` the engine or TensorFlow, the
    shapes of its inputs (`shapes(draw)`), and its static arguments (`attrs(draw, shapes)`)."""

    run: Run
    shapes: Callable[[Any], list[Shape]]
    attrs: Callable[[Any, list[Shape]], dict[str, Any]] = lambda draw, shapes: {}
    dtype_of: Callable[[np.dtype, int], np.dtype] = lambda dtype, i: dtype  # input i's dtype
    differentiable: bool = True


def shapes(count: int, pool: Sequence[Shape] = SHAPES) -> Callable[[Any], list[Shape]]:
    return lambda draw: [draw(st.sampled_from(pool)) for _ in range(count)]


def axis(draw: Any, shapes: list[Shape]) -> dict[str, Any]:
    """`axis`: None, an int in or out of range, a tuple (maybe naming an axis twice)."""
    ndim = len(shapes[0])
    one = st.integers(-ndim - 1, ndim)
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    value = (
        None
        if choice == "none"
        else draw(one)
        if choice == "int"
        else tuple(draw(st.lists(one, max_size=2)))
    )
    return {"axis": value, "keepdims": draw(st.booleans())}


def lib(L: Any, name: str) -> Callable[..., Any]:
    if L is ad:
        return getattr(ad, name)
    for module in (tf.math, tf.nn, tf):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(name)


def unary(name: str) -> Case:
    return Case(lambda L, xs, a: lib(L, name)(xs[0]), shapes(1))


def binary(name: str) -> Case:
    return Case(lambda L, xs, a: lib(L, name)(xs[0], xs[1]), shapes(2))


def reduction(name: str) -> Case:
    return Case(lambda L, xs, a: lib(L, name)(xs[0], **a), shapes(1), axis)


def with_axis(name: str, **fixed: Any) -> Case:
    def attrs(draw: Any, shapes: list[Shape]) -> dict[str, Any]:
        ndim = len(shapes[0])
        return {"axis": draw(st.none() | st.integers(-ndim - 1, ndim)), **fixed}

    return Case(lambda L, xs, a: lib(L, name)(xs[0], **a), shapes(1), attrs)


def joined(name: str) -> Case:
    def attrs(draw: Any, shapes: list[Shape]) -> dict[str, Any]:
        ndim = len(shapes[0])
        return {"axis": draw(st.integers(-ndim - 1, ndim))}

    return Case(lambda L, xs, a: lib(L, name)(list(xs), **a), shapes(2), attrs)


def reshape_attrs(draw: Any, shapes: list[Shape]) -> dict[str, Any]:
    size = int(np.prod(shapes[0]))
    options = [(-1,), (size,), (1, -1), (size, 1), (-1, 2), (2, -1, 1), (size + 1,), (-1, -1)]
    return {"shape": draw(st.sampled_from(options))}


def transpose_attrs(draw: Any, shapes: list[Shape]) -> dict[str, Any]:
    ndim = len(shapes[0])
    perm = st.permutations(list(range(ndim))) | st.lists(st.integers(-1, ndim), max_size=ndim + 1)
    return {"perm": draw(st.none() | perm)}


def cast_attrs(draw: Any, shapes: list[Shape]) -> dict[str, Any]:
    return {"dtype": draw(st.sampled_from(DTYPES))}


MATMUL_SHAPES = [(2, 3), (3, 2), (3, 3), (3,), (0, 3), (3, 0), (2, 2, 3), (1, 3, 2), ()]

UNARY = "negative sqrt square abs sign exp log log1p sin cos tan tanh sigmoid relu softplus"
BINARY = "add subtract multiply divide pow maximum minimum"
COMPARISONS = "less less_equal greater greater_equal equal not_equal"
REDUCTIONS = "reduce_sum reduce_mean reduce_max reduce_min reduce_prod reduce_logsumexp"

CASES: dict[str, Case] = {
    **{name: unary(name) for name in f"{UNARY} identity".split()},
    "stop_gradient": Case(
        lambda L, xs, a: lib(L, "stop_gradient")(xs[0]), shapes(1), differentiable=False
    ),
    **{name: binary(name) for name in f"{BINARY} {COMPARISONS}".split()},
    **{name: reduction(name) for name in f"{REDUCTIONS} reduce_any reduce_all".split()},
    "argmax": with_axis("argmax"),
    "argmin": with_axis("argmin"),
    "softmax": with_axis("softmax"),
    "log_softmax": with_axis("log_softmax"),
    "concat": joined("concat"),
    "stack": joined("stack"),
    "add_n": Case(lambda L, xs, a: lib(L, "add_n")(list(xs)), shapes(2)),
    "matmul": Case(
        lambda L, xs, a: lib(L, "matmul")(xs[0], xs[1], **a),
        shapes(2, MATMUL_SHAPES),
        lambda draw, s: {"transpose_a": draw(st.booleans()), "transpose_b": draw(st.booleans())},
    ),
    "clip_by_value": Case(
        lambda L, xs, a: lib(L, "clip_by_value")(*xs),
        lambda d: [d(st.sampled_from(SHAPES)), (), ()],
    ),
    "where": Case(
        lambda L, xs, a: lib(L, "where")(*xs),
        shapes(3),
        dtype_of=lambda dtype, i: np.dtype(bool) if i == 0 else dtype,
    ),
    "reshape": Case(lambda L, xs, a: lib(L, "reshape")(xs[0], **a), shapes(1), reshape_attrs),
    "transpose": Case(lambda L, xs, a: lib(L, "transpose")(xs[0], **a), shapes(1), transpose_attrs),
    "cast": Case(lambda L, xs, a: lib(L, "cast")(xs[0], **a), shapes(1), cast_attrs),
}


# ----------------------------------------------------------------------------- divergences
# Each check returns why the engine answers differently there on purpose (or None).
Check = Callable[[str, np.dtype, list[np.ndarray], Any, Any], str | None]


def _float16_sum(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any):
    finite = [np.abs(x[np.isfinite(x)]) for x in inputs if x.dtype == np.float16]
    if dtype == np.float16 and any(x.size and x.max() > 1000 for x in finite):
        return (
            "float16 sums of large values: NumPy accumulates in float32 (6e4 + 1 - 6e4 = 1), "
            "TensorFlow in float16 (0, or inf where 6e4 + 6e4 overflows)"
        )
    return None


def _nan_logit(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any):
    if dtype.kind == "f" and (np.isposinf(inputs[0]) | np.isnan(inputs[0])).any():
        return "softmax of a nan or +inf logit: nan along its axis (TensorFlow: 0 at the others)"
    return None


def _pow_of_minus_infinity(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs):
    if dtype.kind == "f" and np.isneginf(inputs[0]).any():
        return "(-inf) ** 0.5: NumPy gives nan for small arrays, C99 and TensorFlow inf"
    return None


def _vector_matmul(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any):
    if theirs is None and any(x.ndim == 1 for x in inputs):
        return "matmul of a vector follows NumPy (the contract): TensorFlow needs rank >= 2"
    if theirs is None and dtype.kind in "iu" and dtype not in (np.int32, np.int64):
        return "matmul of small or unsigned ints: TensorFlow has no kernel, NumPy's product"
    return None


def _unspecified_cast(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any):
    target = np.asarray(ours).dtype
    if dtype.kind in "fc" and target.kind in "iu":
        x, info = inputs[0].real, np.iinfo(target)
        if (~np.isfinite(x) | (x < info.min) | (x > info.max)).any():
            return "nan, inf or out-of-range floats cast to an integer dtype: unspecified (C)"
    return None


def _nan_index(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any):
    if dtype.kind == "f" and np.isnan(inputs[0]).any():
        return (
            "argmax/argmin of a slice with a nan: the nan's index (NumPy's, and consistent with "
            "reduce_max, which is nan there); TensorFlow skips nans"
        )
    return None


def _empty_complex_mean(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs):
    if dtype.kind == "c" and inputs[0].size == 0:
        return "the mean of no complex number is nan, as for floats; TensorFlow gives 0"
    return None


def _complex_extremes(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any):
    if dtype.kind != "c":
        return None
    parts = [np.abs(np.concatenate([x.real.ravel(), x.imag.ravel()])) for x in inputs]
    limit = np.sqrt(np.finfo(dtype).max)  # |z|² overflows above it
    if any(np.isnan(p).any() or (p > limit).any() for p in parts):
        return (
            "complex numbers with an infinite, nan or huge part: NumPy follows C99's Annex G "
            "(sqrt(-inf-0j) = 0-infj, log(0.5+1e30j) finite), TensorFlow's formulas give nan"
        )
    return None


# op -> [(check(op, dtype, inputs, ours, theirs) -> reason or None)]; `theirs` is None when
# TensorFlow refused, `ours` None when the engine did. `_complex_extremes` applies to all.
DIVERGES: dict[str, list[Check]] = {
    "reduce_sum": [_float16_sum],
    "reduce_mean": [_float16_sum, _empty_complex_mean],
    "reduce_prod": [_float16_sum],
    "matmul": [_vector_matmul, _float16_sum],
    "cast": [_unspecified_cast],
    "pow": [_pow_of_minus_infinity],
    "softmax": [_nan_logit],
    "log_softmax": [_nan_logit],
    "argmax": [_nan_index],
    "argmin": [_nan_index],
}


def diverges(op: str, dtype: np.dtype, inputs: list[np.ndarray], ours: Any, theirs: Any) -> bool:
    checks = [_complex_extremes, *DIVERGES.get(op, [])]
    return any(check(op, dtype, inputs, ours, theirs) for check in checks)


# ----------------------------------------------------------------------------- the check
def tolerance(dtype: np.dtype) -> tuple[float, float]:
    """(rtol, atol) for comparing with TensorFlow: its float kernels (Eigen) are a few ulps
    from NumPy's, and it flushes subnormal results to zero."""
    real = np.finfo(dtype).dtype
    rtol = {np.float16: 4e-3, np.float32: 5e-5, np.float64: 1e-10}[real.type]
    return rtol, float(np.finfo(real).tiny) * 64


def assert_same(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype}, TensorFlow {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, TensorFlow {theirs.shape}"
    if ours.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
    else:
        rtol, atol = tolerance(ours.dtype)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


def attempt(f: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return f(), None
        except Exception as e:
            return None, e


def check(op: str, case: Case, dtype: np.dtype, inputs: list[np.ndarray], attrs: dict) -> None:
    """The engine and TensorFlow on the same inputs: same answer, or both refuse."""
    ours, error = attempt(lambda: case.run(ad, [ad.constant(x) for x in inputs], attrs))
    theirs, tf_error = attempt(lambda: case.run(tf, [tf.constant(x) for x in inputs], attrs))
    if error is not None:
        assert isinstance(error, ValueError | TypeError), f"{op}: {type(error).__name__}: {error}"
        assert op in str(error), f"the error does not name {op}: {error}"
    ours_np = None if ours is None else np.asarray(ours)
    theirs_np = None if theirs is None else theirs.numpy()
    if (error is None) != (tf_error is None):
        if diverges(op, dtype, inputs, ours_np, theirs_np):
            return
        raise AssertionError(
            f"{op}: TensorFlow {'raises ' + repr(tf_error) if tf_error else 'computes it'}, "
            f"the engine {'raises ' + repr(error) if error else 'computes ' + repr(ours_np)}"
        )
    if error is not None:
        return
    try:
        assert_same(ours_np, np.asarray(theirs_np), f"{op} on {dtype} {inputs} {attrs}")
    except AssertionError:
        if not diverges(op, dtype, inputs, ours_np, theirs_np):
            raise
        return
    if case.differentiable and ours_np.dtype.kind in "fc":
        check_gradient(op, case, inputs, attrs, ours_np.dtype)


def gradients(L: Any, case: Case, inputs: list[np.ndarray], attrs: dict) -> list[Any]:
    xs = [L.constant(x) for x in inputs]
    with L.GradientTape() as tape:
        tape.watch(xs)
        y = case.run(L, xs, attrs)
    return tape.gradient(y, xs, output_gradients=L.ones_like(y))


def check_gradient(
    op: str, case: Case, inputs: list[np.ndarray], attrs: dict, output: np.dtype
) -> None:
    """The gradient of the output (weighted by ones) with respect to each input: refused when
    it would flow through complex values, None for ints and bools, else TensorFlow's."""
    kinds = {x.dtype.kind for x in inputs}
    if "c" in kinds or ("f" in kinds and output.kind == "c"):
        _, error = attempt(lambda: gradients(ad, case, inputs, attrs))
        assert isinstance(error, TypeError), f"{op}: a complex gradient gives {error!r}"
        assert "gradient" in str(error) and "complex" in str(error), str(error)
        return
    ours, error = attempt(lambda: gradients(ad, case, inputs, attrs))
    theirs, tf_error = attempt(lambda: gradients(tf, case, inputs, attrs))
    if tf_error is not None:  # TensorFlow's own gradient fails (transpose with perm=[-1])
        assert error is None or isinstance(error, ValueError | TypeError), repr(error)
        return
    assert error is None, f"d {op}: TensorFlow computes it, the engine raises {error!r}"
    for i, (g, expected) in enumerate(zip(ours, theirs, strict=True)):
        what = f"d {op} / d input {i} on {inputs} {attrs}"
        if expected is None or inputs[i].dtype.kind not in "f":
            assert g is None, f"{what}: {g!r}, TensorFlow None"
            continue
        assert g is not None, f"{what}: None, TensorFlow {expected!r}"
        expected = tf.convert_to_tensor(expected).numpy()
        rtol, atol = tolerance(expected.dtype)
        # gradients cancel terms of size ~1 (log_softmax's 1 - 3·(1/3)): rounding errors of eps
        atol += 8 * float(np.finfo(expected.dtype).eps)
        np.testing.assert_allclose(np.asarray(g), expected, rtol=10 * rtol, atol=atol, err_msg=what)


@st.composite
def examples(draw: Any, case: Case) -> tuple[np.dtype, list[np.ndarray], dict[str, Any]]:
    dtype = draw(st.sampled_from(DTYPES))
    input_shapes = case.shapes(draw)
    attrs = case.attrs(draw, input_shapes)
    inputs = [draw(arrays(case.dtype_of(dtype, i), shape)) for i, shape in enumerate(input_shapes)]
    return dtype, inputs, attrs


@pytest.mark.parametrize("op", sorted(CASES))
def test_op_on_careless_input(op: str) -> None:
    case = CASES[op]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(examples(case))
    def run(example: tuple[np.dtype, list[np.ndarray], dict[str, Any]]) -> None:
        dtype, inputs, attrs = example
        check(op, case, dtype, inputs, attrs)

    run()
