"""The op table: every operation defined once, its NumPy forward and its gradients side by side.

Each entry is a function on NumPy arrays decorated with `@primitive(grads=..., formulas=...)`
(see `autodiff.primitive`). A gradient `grad(ops, g, out, *inputs, **attrs)` receives the
upstream gradient `g`, the op's output `out` and its inputs, and returns the gradient for one
input, written with operators and the ops of this table through `ops`, the backend its caller
passes (`autodiff.backend`): on tensors, so that a tape can differentiate it again, or on bare
arrays, when none records it.
`saves=` names the values the gradients read (inputs by name, and "out"): a non-persistent
tape frees the others before its backward pass; left out, everything is kept.
Forwards compute without minding NumPy's floating-point warnings: every caller runs them with
those ignored (`primitive.apply`, the backward pass, replays), so no op warns (as TensorFlow:
an overflow or 0/0 gives inf or nan, which the value shows). Adding an op means adding one
entry here: `import autodiff` exports every op of the table
but those marked `public=False` (see `__all__` at the end).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autodiff.backend import ON_ARRAYS, ON_TENSORS, Ops
from autodiff.primitive import NO_ATTRS, Grad, Op, apply, primitive, public_names
from autodiff.tensor import (
    DTypeLike,
    Tensor,
    TensorLike,
    Variable,
    as_dtype,
    float32,
    float64,
    int32,
    int64,
    repeated,
    to_array,
)

Axis = int | Sequence[int] | None


# ----------------------------------------------------------------------------- helpers
def _axes(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """`axis` (None, an int, a list or tuple of them, or an int tensor) as the sorted tuple of
    axes it names in an array of `ndim` dimensions (None: all of them). The one axis helper:
    every reduction and its gradient reads its axes through it."""
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, without the checks
        return (axis % ndim,)
    if isinstance(axis, Tensor):
        if axis.dtype.kind not in "iu":
            raise TypeError(f"axis must be an int tensor, not {axis.dtype}")
        axis = axis._value.tolist()
    items = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    axes = []
    for a in items:
        if not isinstance(a, int | np.integer) or isinstance(a, bool):
            raise TypeError(f"axis must be ints, got {axis!r}")
        if ndim == 0:
            raise ValueError(
                f"axis {int(a)} is out of range: a 0-d tensor has no axes (reshape it to 1-d "
                "first, e.g. ad.reshape(x, [1]))"
            )
        if not -ndim <= a < ndim:
            raise ValueError(
                f"axis {int(a)} is out of range for a tensor of rank {ndim} (axes go from "
                f"{-ndim} to {ndim - 1})"
            )
        axes.append(int(a) % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis {axis!r} names an axis twice")
    return tuple(sorted(axes))


def _kept_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The shape a reduction over `axis` has with `keepdims=True`."""
    axes = _axes(axis, len(shape))
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _unreduce(ops: Ops, g: Tensor, x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    """Broadcast a reduction's gradient `g` back to the shape of its input `x`."""
    if not keepdims and g.ndim and g.shape != _kept_shape(x.shape, axis):  # (0-d: as it is)
        g = ops.reshape(g, _kept_shape(x.shape, axis))
    return ops.broadcast_to(g, x.shape)


def _shape(shape: Any) -> tuple[int, ...]:
    if type(shape) is tuple:  # already one (a loop: faster than all() on a generator)
        for n in shape:
            if type(n) is not int:
                break
        else:
            return shape
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    return tuple(int(n) for n in shape)


def _zero_where(ops: Ops, condition: Tensor, g: Tensor) -> Tensor:
    """`g` with zeros where `condition` holds."""
    return ops.where(condition, ops.zeros_like(g), g)


def zeros_like(x: TensorLike, dtype: DTypeLike = None, name: str | None = None) -> Tensor:
    """A constant of zeros with the shape (and dtype, unless given) of `x`; not recorded."""
    return Tensor(np.zeros(*_shape_and_dtype(x, dtype, "zeros_like")), name)


def ones_like(x: TensorLike, dtype: DTypeLike = None, name: str | None = None) -> Tensor:
    """A constant of ones with the shape (and dtype, unless given) of `x`; not recorded."""
    return Tensor(np.ones(*_shape_and_dtype(x, dtype, "ones_like")), name)


def _shape_and_dtype(x: Any, dtype: DTypeLike, where: str) -> tuple[tuple[int, ...], np.dtype]:
    value = x._value if isinstance(x, Tensor) else to_array(x, where=where)
    return value.shape, value.dtype if dtype is None else as_dtype(dtype)


def _zeros_like_array(x: Any, dtype: DTypeLike = None) -> np.ndarray:
    """`zeros_like` on the bare arrays of a backward pass no tape records (`ON_ARRAYS`)."""
    return np.zeros(np.shape(x), np.result_type(x) if dtype is None else as_dtype(dtype))


def _ones_like_array(x: Any, dtype: DTypeLike = None) -> np.ndarray:
    """`ones_like` on the bare arrays of a backward pass no tape records (`ON_ARRAYS`)."""
    return np.ones(np.shape(x), np.result_type(x) if dtype is None else as_dtype(dtype))


# (constants, not ops: the rules of the table reach them through their backend as the ops)
ON_TENSORS.include("zeros_like", zeros_like)
ON_TENSORS.include("ones_like", ones_like)
ON_ARRAYS.include("zeros_like", _zeros_like_array)
ON_ARRAYS.include("ones_like", _ones_like_array)


# ----------------------------------------------------------------------------- arithmetic
@primitive(
    jvp="elementwise",
    dtypes="number",
    saves=(),
    grads=(lambda ops, g, out, x, y: g, lambda ops, g, out, x, y: g),
    formulas=("d(x+y)/dx = 1", "d(x+y)/dy = 1"),
)
def add(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """`x + y` elementwise, broadcasting as NumPy does."""
    return x + y  # NumPy's add (an operator: fast on NumPy scalars too)


@primitive(
    jvp="elementwise",
    dtypes="number",
    saves=(),
    grads=(lambda ops, g, out, x, y: g, lambda ops, g, out, x, y: ops.negative(g)),
    formulas=("d(x-y)/dx = 1", "d(x-y)/dy = -1"),
)
def subtract(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """`x - y` elementwise, broadcasting as NumPy does."""
    return x - y  # NumPy's subtract (an operator: fast on NumPy scalars too)


@primitive(
    jvp="elementwise",
    dtypes="number",
    saves=("x", "y"),
    grads=(lambda ops, g, out, x, y: g * y, lambda ops, g, out, x, y: g * x),
    formulas=("d(x*y)/dx = y", "d(x*y)/dy = x"),
)
def multiply(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """`x * y` elementwise, broadcasting as NumPy does."""
    return x * y  # NumPy's multiply (an operator: fast on NumPy scalars too)


@primitive(
    jvp="elementwise",
    dtypes="number",
    saves=("y", "out"),
    grads=(lambda ops, g, out, x, y: g / y, lambda ops, g, out, x, y: ops.negative(g) * out / y),
    formulas=("d(x/y)/dx = 1/y", "d(x/y)/dy = -x/y²"),
)
def divide(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """`x / y` elementwise (true division: integers give float32 up to 16 bits, float64 above,
    as TensorFlow)."""
    if x.dtype.kind in "iu":
        return np.true_divide(x, y, dtype=float32 if x.dtype.itemsize <= 2 else float64)
    return np.true_divide(x, y)


@primitive(
    jvp="elementwise",
    dtypes="signed",
    saves=(),
    grads=(lambda ops, g, out, x: ops.negative(g),),
    formulas=("d(-x)/dx = -1",),
)
def negative(x: TensorLike, name: str | None = None) -> Tensor:
    """`-x` elementwise."""
    return -x  # NumPy's negative (an operator: fast on NumPy scalars too)


def _pow_grad_y(ops: Ops, g: Tensor, out: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """x^y·log(x), with log(x) taken as 0 where x <= 0 (as TensorFlow: 0^y·0 is nan for y < 0)."""
    positive = x > 0
    safe_x = ops.where(positive, x, ops.ones_like(x))  # (log(1) = 0: no warning, no nan)
    log_x = ops.where(positive, ops.log(safe_x), ops.zeros_like(x))
    return g * (out * log_x)


@primitive(
    jvp="elementwise",
    dtypes="signed",
    grads=(lambda ops, g, out, x, y: g * y * ops.pow(x, y - 1), _pow_grad_y),
    formulas=("d(x^y)/dx = y·x^(y-1)", "d(x^y)/dy = x^y·log(x)"),
)
def pow(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """`x ** y` elementwise (TensorFlow's `tf.pow`; C's `pow` at -inf: `(-inf) ** 0.5` is
    inf, where NumPy gives nan)."""
    out = np.power(x, y)
    if out.dtype.kind == "f" and np.isnan(out).any():
        return np.where(np.isnan(out) & np.isneginf(x) & (y > 0), np.inf, out)
    return out


@primitive(
    jvp="elementwise",
    dtypes="number",
    saves=("x",),
    grads=(lambda ops, g, out, x: g * (2 * x),),
    formulas=("d(x²)/dx = 2x",),
)
def square(x: TensorLike, name: str | None = None) -> Tensor:
    """`x * x` elementwise."""
    return np.square(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    saves=("out",),
    grads=(lambda ops, g, out, x: g / (2 * out),),
    formulas=("d(√x)/dx = 1/(2√x)",),
)
def sqrt(x: TensorLike, name: str | None = None) -> Tensor:
    """Square root elementwise (`nan` below zero)."""
    return np.sqrt(x)


@primitive(
    jvp="elementwise",
    dtypes="signed",
    grads=(lambda ops, g, out, x: ops.zeros_like(g),),
    formulas=("d(sign x)/dx = 0",),
)
def sign(x: TensorLike, name: str | None = None) -> Tensor:
    """-1, 0 or 1 by the sign of each element (gradient zero)."""
    return np.sign(x)


@primitive(
    jvp="elementwise",
    dtypes="signed",
    grads=(lambda ops, g, out, x: g * ops.sign(x),),
    formulas=("d|x|/dx = sign(x)",),
)
def abs(x: TensorLike, name: str | None = None) -> Tensor:
    """`|x|` elementwise."""
    return np.abs(x)


@primitive(
    jvp="elementwise",
    dtypes="real",
    grads=(
        lambda ops, g, out, x, y: ops.where(x >= y, g, ops.zeros_like(g)),
        lambda ops, g, out, x, y: _zero_where(ops, x >= y, g),
    ),
    formulas=("d max(x,y)/dx = 1 where x ≥ y", "d max(x,y)/dy = 1 where y > x"),
)
def maximum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """The larger of `x` and `y` elementwise (ties send the gradient to `x`)."""
    return np.maximum(x, y)


@primitive(
    jvp="elementwise",
    dtypes="real",
    grads=(
        lambda ops, g, out, x, y: ops.where(x <= y, g, ops.zeros_like(g)),
        lambda ops, g, out, x, y: _zero_where(ops, x <= y, g),
    ),
    formulas=("d min(x,y)/dx = 1 where x ≤ y", "d min(x,y)/dy = 1 where y < x"),
)
def minimum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """The smaller of `x` and `y` elementwise (ties send the gradient to `x`)."""
    return np.minimum(x, y)


# ----------------------------------------------------------------------------- elementwise
@primitive(
    jvp="elementwise",
    dtypes="float",
    saves=("out",),
    grads=(lambda ops, g, out, x: g * out,),
    formulas=("d(eˣ)/dx = eˣ",),
)
def exp(x: TensorLike, name: str | None = None) -> Tensor:
    """`e ** x` elementwise."""
    return np.exp(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    saves=("x",),
    grads=(lambda ops, g, out, x: g / x,),
    formulas=("d(log x)/dx = 1/x",),
)
def log(x: TensorLike, name: str | None = None) -> Tensor:
    """Natural logarithm elementwise (`-inf` at 0, `nan` below)."""
    return np.log(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: g / (1 + x),),
    formulas=("d log(1+x)/dx = 1/(1+x)",),
)
def log1p(x: TensorLike, name: str | None = None) -> Tensor:
    """`log(1 + x)` elementwise, accurate for small `x`."""
    return np.log1p(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: g * ops.cos(x),),
    formulas=("d(sin x)/dx = cos x",),
)
def sin(x: TensorLike, name: str | None = None) -> Tensor:
    """Sine elementwise (radians)."""
    return np.sin(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: ops.negative(g) * ops.sin(x),),
    formulas=("d(cos x)/dx = -sin x",),
)
def cos(x: TensorLike, name: str | None = None) -> Tensor:
    """Cosine elementwise (radians)."""
    return np.cos(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: g * (1 + out * out),),
    formulas=("d(tan x)/dx = 1 + tan²x",),
)
def tan(x: TensorLike, name: str | None = None) -> Tensor:
    """Tangent elementwise (radians)."""
    return np.tan(x)


# The gradients of tanh and sigmoid in terms of their output y, fused into one op each (as
# TensorFlow's TanhGrad and SigmoidGrad) because every tanh in a backward pass needs one.
@primitive(
    jvp="elementwise",
    dtypes="float",
    public=False,
    grads=(
        lambda ops, g, out, y, dy: g * dy * (-2 * y),
        lambda ops, g, out, y, dy: ops.tanh_grad(y, g),
    ),
    formulas=("d/dy = -2y·dy", "d/d(dy) = 1 - y²"),
)
def tanh_grad(y: TensorLike, dy: TensorLike, name: str | None = None) -> Tensor:
    """`dy * (1 - y²)`: the gradient of tanh given its output `y` and upstream `dy`."""
    if y.ndim == 0 or y.shape != dy.shape:
        return dy * (1 - y * y)
    out = np.square(y)  # in place: one temporary instead of three (big activations)
    np.subtract(1, out, out=out)
    return _times_upstream(out, dy)


@primitive(
    jvp="elementwise",
    dtypes="float",
    public=False,
    grads=(
        lambda ops, g, out, y, dy: g * dy * (1 - 2 * y),
        lambda ops, g, out, y, dy: ops.sigmoid_grad(y, g),
    ),
    formulas=("d/dy = (1 - 2y)·dy", "d/d(dy) = y(1 - y)"),
)
def sigmoid_grad(y: TensorLike, dy: TensorLike, name: str | None = None) -> Tensor:
    """`dy * y * (1 - y)`: the gradient of sigmoid given its output `y` and upstream `dy`."""
    if y.ndim == 0 or y.shape != dy.shape:
        return dy * y * (1 - y)
    out = np.subtract(1, y)  # in place: one temporary instead of three (big activations)
    np.multiply(out, y, out=out)
    return _times_upstream(out, dy)


def _times_upstream(out: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """`dy * out`, written into `out` (a fused gradient's own temporary). An upstream gradient
    that is one number broadcast (all strides 0: the gradient of a sum, or of a weighted sum)
    multiplies as that number, and 1 not at all: one pass less, the same numbers."""
    if dy.size and not any(dy.strides):
        one = dy.reshape(-1)[0]
        return out if one == 1 else np.multiply(out, one, out=out)
    return np.multiply(dy, out, out=out)


@primitive(
    jvp="elementwise",
    dtypes="float",
    saves=("out",),
    grads=(lambda ops, g, out, x: ops.tanh_grad(out, g),),
    formulas=("d(tanh x)/dx = 1 - tanh²x",),
)
def tanh(x: TensorLike, name: str | None = None) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return np.tanh(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    saves=("out",),
    grads=(lambda ops, g, out, x: ops.sigmoid_grad(out, g),),
    formulas=("dσ(x)/dx = σ(x)(1-σ(x))",),
)
def sigmoid(x: TensorLike, name: str | None = None) -> Tensor:
    """The logistic function `1 / (1 + e^-x)`, computed without overflow."""
    if x.dtype.kind == "c":
        return 1 / (1 + np.exp(-x))
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


@primitive(
    jvp="elementwise",
    dtypes="real",
    public=False,
    saves=("x",),
    grads=(
        lambda ops, g, out, x, dy: ops.zeros_like(x),
        lambda ops, g, out, x, dy: ops.relu_grad(x, g),
    ),
    formulas=("d/dx = 0", "d/d(dy) = 1 where x > 0"),
)
def relu_grad(x: TensorLike, dy: TensorLike, name: str | None = None) -> Tensor:
    """`dy` where `x > 0`, else 0: the gradient of relu given its input `x` and upstream `dy`,
    one op (as TensorFlow's ReluGrad), so that its own gradient for `x` is zero, not None."""
    return np.where(x > 0, dy, np.zeros((), dy.dtype))


@primitive(
    jvp="elementwise",
    dtypes="real",
    saves=("x",),
    grads=(lambda ops, g, out, x: ops.relu_grad(x, g),),
    formulas=("d relu(x)/dx = 1 where x > 0",),
)
def relu(x: TensorLike, name: str | None = None) -> Tensor:
    """`max(x, 0)` elementwise (gradient 0 at 0, as TensorFlow)."""
    return np.maximum(x, 0)


@primitive(
    jvp="elementwise",
    dtypes="real float",
    grads=(lambda ops, g, out, x: g * ops.sigmoid(x),),
    formulas=("d softplus(x)/dx = σ(x)",),
)
def softplus(x: TensorLike, name: str | None = None) -> Tensor:
    """`log(1 + e^x)` elementwise, computed without overflow."""
    return np.logaddexp(np.zeros((), x.dtype), x)


def _where_explain(condition: np.ndarray, x: np.ndarray, y: np.ndarray) -> str | None:
    if condition.dtype != bool:
        return "the condition must be a bool tensor (compare first, e.g. x > 0)"
    return None


@primitive(
    jvp="elementwise",
    grads=(
        None,
        lambda ops, g, out, c, x, y: ops.where(c, g, ops.zeros_like(g)),
        lambda ops, g, out, c, x, y: _zero_where(ops, c, g),
    ),
    formulas=("", "d where(c,x,y)/dx = 1 where c", "d where(c,x,y)/dy = 1 where not c"),
    independent=(0,),
    explain=_where_explain,
)
def where(condition: TensorLike, x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Elements of `x` where `condition` is true, else of `y` (all three broadcast)."""
    if condition.dtype != bool:
        raise TypeError("condition must be bool")
    return np.where(condition, x, y)


@primitive(
    jvp="elementwise",
    dtypes="real",
    grads=(
        # those of max(min(t, hi), lo), as TensorFlow: right also when min > max (the output
        # is min) and where a bound is nan (no gradient flows)
        lambda ops, g, out, t, lo, hi: ops.where(
            t <= hi, ops.where(t >= lo, g, ops.zeros_like(g)), ops.zeros_like(g)
        ),
        lambda ops, g, out, t, lo, hi: _zero_where(ops, ops.minimum(t, hi) >= lo, g),
        lambda ops, g, out, t, lo, hi: ops.where(
            t > hi, ops.where(hi >= lo, g, ops.zeros_like(g)), ops.zeros_like(g)
        ),
    ),
    formulas=("1 where min ≤ t ≤ max", "1 where t < min or max < min", "1 where t > max ≥ min"),
)
def clip_by_value(
    t: TensorLike,
    clip_value_min: TensorLike,
    clip_value_max: TensorLike,
    name: str | None = None,
) -> Tensor:
    """`t` with values below `clip_value_min` or above `clip_value_max` replaced by them
    (`max(min(t, clip_value_max), clip_value_min)`, as TensorFlow: with min > max, min)."""
    return np.maximum(np.minimum(t, clip_value_max), clip_value_min)


# ----------------------------------------------------------------------------- comparisons
def _comparison(ufunc: np.ufunc, symbol: str, op_name: str, dtypes: str) -> Any:
    def forward(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
        return ufunc(x, y)

    forward.__name__ = forward.__qualname__ = op_name
    forward.__doc__ = f"`x {symbol} y` elementwise, a bool tensor (not differentiable)."
    return primitive(grads=(None, None), dtypes=dtypes)(forward)


less = _comparison(np.less, "<", "less", "real")
less_equal = _comparison(np.less_equal, "<=", "less_equal", "real")
greater = _comparison(np.greater, ">", "greater", "real")
greater_equal = _comparison(np.greater_equal, ">=", "greater_equal", "real")
equal = _comparison(np.equal, "==", "equal", "any")
not_equal = _comparison(np.not_equal, "!=", "not_equal", "any")


# ----------------------------------------------------------------------------- linear algebra
def _swap(a: np.ndarray) -> np.ndarray:
    return a.swapaxes(-1, -2)


def _matmul_explain(a: np.ndarray, b: np.ndarray, transpose_a: bool, transpose_b: bool) -> str:
    if a.ndim == 0 or b.ndim == 0:
        return "matmul needs tensors of rank 1 or more; use ad.multiply (or *) for scalars"
    if (transpose_a and a.ndim < 2) or (transpose_b and b.ndim < 2):
        return "transpose_a/transpose_b need a tensor of rank 2 or more"
    ka = a.shape[-2] if transpose_a else a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else (b.shape[-1] if transpose_b else b.shape[-2])
    if ka != kb:
        return (
            f"the inner dimensions differ: a{' (transposed)' if transpose_a else ''} has {ka} "
            f"columns but b{' (transposed)' if transpose_b else ''} has {kb} rows. For a @ b, "
            "a.shape[-1] must equal b.shape[-2]: transpose or reshape one of them "
            "(e.g. ad.transpose(b), or transpose_b=True)"
        )
    return (
        f"the batch dimensions {a.shape[:-2]} and {b.shape[:-2]} cannot be broadcast together;"
        " make them equal or 1"
    )


def _matmul_grad(wrt: int) -> Grad:
    """The gradient of `matmul` for input `wrt` (0: a, 1: b), including rank-1 operands."""

    def grad(
        ops: Ops, g: Tensor, out: Tensor, a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool
    ) -> Tensor:
        # Treat a vector b as an (n, 1) matrix and a vector a as (1, n), as NumPy does; the
        # gradient then gets back the axes the product dropped (b's first: both may be gone).
        shape = (a if wrt == 0 else b).shape
        if b.ndim == 1:
            b, g = ops.expand_dims(b, -1), ops.expand_dims(g, -1)
        if a.ndim == 1:
            a, g = ops.expand_dims(a, 0), ops.expand_dims(g, -2)
        if wrt == 0:  # d(a@b)/da = g @ bᵀ (transposed back if a was)
            if transpose_a:
                grad = ops.matmul(b, g, transpose_a=transpose_b, transpose_b=True)
            else:
                grad = ops.matmul(g, b, transpose_b=not transpose_b)
            target = a
        else:  # d(a@b)/db = aᵀ @ g
            if transpose_b:
                grad = ops.matmul(g, a, transpose_a=True, transpose_b=transpose_a)
            else:
                grad = ops.matmul(a, g, transpose_a=not transpose_a)
            target = b
        if grad.shape != target.shape:  # batch dimensions that were broadcast
            grad = ops.sum_to(grad, target.shape)
        return grad if grad.shape == shape else ops.reshape(grad, shape)

    return grad


@primitive(
    jvp="multilinear",
    dtypes="number",
    saves=("a", "b"),
    grads=(_matmul_grad(0), _matmul_grad(1)),
    formulas=("d(a@b)/da = g @ bᵀ", "d(a@b)/db = aᵀ @ g"),
    explain=_matmul_explain,
)
def matmul(
    a: TensorLike,
    b: TensorLike,
    transpose_a: bool = False,
    transpose_b: bool = False,
    name: str | None = None,
) -> Tensor:
    """Matrix product `a @ b` (batched over leading dimensions, vectors as NumPy treats them)."""
    if transpose_a:
        a = _swap(a)
    if transpose_b:
        b = _swap(b)
    return np.matmul(a, b)


# ----------------------------------------------------------------------------- shape
def _perm(perm: Any, ndim: int) -> tuple[int, ...] | None:
    """`perm` with its negative entries counted from the end (as NumPy), checked to name each
    axis once; None (reverse the axes) stays None. `transpose` and its gradient read it."""
    if perm is None:
        return None
    axes = _shape(perm)
    normal = tuple(a + ndim if a < 0 else a for a in axes)
    if sorted(normal) != list(range(ndim)):
        raise ValueError(
            f"perm {list(axes)} is not a permutation of the axes of a tensor of rank {ndim}: "
            f"give each axis 0..{ndim - 1} once (negative entries count from the end)"
        )
    return normal


def _transpose_grad(ops: Ops, g: Tensor, out: Tensor, a: Tensor, perm: Any) -> Tensor:
    return ops.transpose(g, None if perm is None else np.argsort(_perm(perm, a.ndim)).tolist())


@primitive(jvp="linear", saves=(), grads=(_transpose_grad,), formulas=("gradient transposed back",))
def transpose(a: TensorLike, perm: Sequence[int] | None = None, name: str | None = None) -> Tensor:
    """`a` with its axes permuted by `perm` (reversed when None; negative entries count from
    the end)."""
    return np.transpose(a, _perm(perm, a.ndim))


@primitive(
    jvp="linear",
    saves=(),
    grads=(lambda ops, g, out, x, shape: ops.reshape(g, x.shape),),
    formulas=("gradient reshaped back",),
)
def reshape(tensor: TensorLike, shape: Sequence[int], name: str | None = None) -> Tensor:
    """`tensor` with a new shape of the same size (one dimension may be -1)."""
    return tensor.reshape(_shape(shape))


@primitive(
    jvp="linear",
    saves=(),
    grads=(lambda ops, g, out, x, axis: ops.reshape(g, x.shape),),
    formulas=("gradient reshaped back",),
)
def expand_dims(input: TensorLike, axis: int, name: str | None = None) -> Tensor:
    """`input` with a new axis of length 1 inserted at `axis`."""
    return np.expand_dims(input, axis)


@primitive(
    jvp="linear",
    saves=(),
    grads=(lambda ops, g, out, x, axis: ops.reshape(g, x.shape),),
    formulas=("gradient reshaped back",),
)
def squeeze(input: TensorLike, axis: Axis = None, name: str | None = None) -> Tensor:
    """`input` without its axes of length 1 (only those in `axis`, when given)."""
    return np.squeeze(input, _axes(axis, input.ndim))


@primitive(
    jvp="linear",
    saves=(),
    grads=(lambda ops, g, out, x, shape: ops.sum_to(g, x.shape),),
    formulas=("gradient summed back",),
)
def broadcast_to(input: TensorLike, shape: Sequence[int], name: str | None = None) -> Tensor:
    """`input` repeated along new or length-1 axes to `shape`, by NumPy's broadcasting rules."""
    shape = _shape(shape)
    if input.size == 1 and input.ndim <= len(shape) and min(shape, default=1) >= 0:
        # one value (the gradient of a full reduction): a shared read-only array of it that
        # takes no memory, in a fraction of `np.broadcast_to`'s time
        return repeated(shape, input.dtype, input.tobytes())
    return np.broadcast_to(input, shape)


@primitive(
    jvp="linear",
    public=False,
    saves=(),
    grads=(lambda ops, g, out, x, shape: ops.broadcast_to(g, x.shape),),
    formulas=("gradient broadcast",),
)
def sum_to(input: TensorLike, shape: Sequence[int], name: str | None = None) -> Tensor:
    """Sum `input` down to `shape`, undoing a broadcast (the gradient of broadcasting)."""
    shape = _shape(shape)
    return input if input.shape == shape else unbroadcast(input, shape)


def unbroadcast(value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """`value` summed down to `shape`, a shape it was broadcast from (`sum_to` on NumPy values,
    for the backward pass on bare arrays: `shape` is a tuple, and not `value`'s own)."""
    axes = _BROADCAST_AXES.get((value.shape, shape))
    if axes is None:
        axes = _broadcast_axes(value.shape, shape)
    summed = np.add.reduce(value, axis=axes, keepdims=True)
    return summed if summed.ndim == len(shape) else summed.reshape(shape)


# The axes `sum_to` sums over, by (input shape, shape): every backward pass through a
# broadcast asks for the same few, and working them out in Python costs more than the lookup.
_BROADCAST_AXES: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[int, ...]] = {}


def _broadcast_axes(big: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of `big` that broadcasting `shape` to it added or stretched (and remember)."""
    lead = len(big) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and big[lead + i] != 1
    )
    if len(_BROADCAST_AXES) >= 1024:
        _BROADCAST_AXES.clear()
    _BROADCAST_AXES[big, shape] = axes
    return axes


def _concat_grad(
    ops: Ops, g: Tensor, out: Tensor, values: list[Tensor], index: int, axis: int
) -> Tensor:
    axis = axis % out.ndim
    start = builtins.sum(v.shape[axis] for v in values[:index])
    return ops.getitem(
        g, (slice(None),) * axis + (slice(start, start + values[index].shape[axis]),)
    )


@primitive(
    jvp="linear",
    saves=(),
    grads=(_concat_grad,),
    formulas=("the matching slice of the gradient",),
    variadic=True,
)
def concat(values: Sequence[TensorLike], axis: int, name: str | None = None) -> Tensor:
    """The tensors of `values` joined along an existing `axis`."""
    return np.concatenate(values, axis=_one_axis(axis, "concat"))


def _one_axis(axis: Any, op: str) -> int:
    """`axis` checked to be one int (NumPy would read None as "flatten first")."""
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TypeError(
            f"axis must be one int, got {axis!r}; to join the values flattened, reshape them "
            f"to 1-D first: ad.{op}([ad.reshape(x, [-1]) for x in values], axis=0)"
        )
    return int(axis)


def _stack_grad(
    ops: Ops, g: Tensor, out: Tensor, values: list[Tensor], index: int, axis: int
) -> Tensor:
    return ops.getitem(g, (slice(None),) * (axis % out.ndim) + (index,))


@primitive(
    jvp="linear",
    saves=(),
    grads=(_stack_grad,),
    formulas=("the matching slice of the gradient",),
    variadic=True,
)
def stack(values: Sequence[TensorLike], axis: int = 0, name: str | None = None) -> Tensor:
    """The tensors of `values` (all the same shape) joined along a new `axis`."""
    return np.stack(values, axis=_one_axis(axis, "stack"))


def _index(index: Any) -> Any:
    """A NumPy index for `index`, in one form: tensors, lists, and tuples inside the index
    tuple (`x[(0, 0), :]`) become integer (or bool) arrays, as NumPy reads them, so that every
    integer-array index takes the same path (`scatter` adds its repeats up)."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(item: Any) -> Any:
    if isinstance(item, Tensor):
        return item._value
    if isinstance(item, list | tuple):
        array = np.asarray(item)
        return array.astype(np.intp) if not array.size and array.dtype.kind == "f" else array
    return item


def _has_array(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return builtins.any(isinstance(i, np.ndarray) for i in items)


@primitive(
    jvp="linear",
    public=False,
    saves=(),
    grads=(lambda ops, g, out, x, index: ops.scatter(g, x.shape, index),),
    formulas=("the gradient put back at the indexed positions",),
)
def getitem(x: TensorLike, index: Any, name: str | None = None) -> Tensor:
    """`x[index]`: basic indexing (ints, slices, `None`, `...`) and integer-array indexing."""
    return x[_index(index)]


@primitive(
    jvp="linear",
    public=False,
    grads=(lambda ops, g, out, u, shape, index: ops.getitem(g, index),),
    formulas=("the gradient at the indexed positions",),
)
def scatter(
    updates: TensorLike, shape: Sequence[int], index: Any, name: str | None = None
) -> Tensor:
    """Zeros of `shape` with `updates` added at `index` (repeated indices add up)."""
    index = _index(index)
    result = np.zeros(_shape(shape), updates.dtype)
    if _has_array(index):
        np.add.at(result, index, updates)
    else:
        result[index] = updates
    return result


@primitive(
    jvp="linear",
    saves=(),
    grads=(lambda ops, g, out, x, dtype: ops.cast(g, x.dtype),),
    formulas=("gradient cast back",),
)
def cast(x: TensorLike, dtype: DTypeLike, name: str | None = None) -> Tensor:
    """`x` converted to `dtype` (gradients flow between float dtypes only). Complex to real
    keeps the real part; floats to integers truncate (nan and inf give unspecified values)."""
    dtype = as_dtype(dtype)
    if x.dtype.kind == "c" and dtype.kind != "c":  # to bool too: 1j is False, as TensorFlow
        x = np.real(x)
    return x.astype(dtype, copy=False)


@primitive(
    jvp="elementwise", saves=(), grads=(lambda ops, g, out, x: g,), formulas=("d(x)/dx = 1",)
)
def identity(input: TensorLike, name: str | None = None) -> Tensor:
    """`input` unchanged (a new tensor, recorded as an op)."""
    return input


@primitive(saves=(), grads=(None,), formulas=("no gradient flows back",))
def stop_gradient(input: TensorLike, name: str | None = None) -> Tensor:
    """`input` unchanged, but gradients do not flow through it (it acts as a constant)."""
    return input


# ----------------------------------------------------------------------------- reductions
@primitive(
    jvp="linear",
    dtypes="number",
    saves=(),
    grads=(lambda ops, g, out, x, axis, keepdims: _unreduce(ops, g, x, axis, keepdims),),
    formulas=("d(Σx)/dx = 1",),
)
def reduce_sum(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Sum of the elements along `axis` (all of them when None)."""
    x = input_tensor
    return np.add.reduce(x, axis=_axes(axis, x.ndim), keepdims=keepdims, dtype=x.dtype)


def _count(x: Tensor, out: Tensor) -> int:
    return x.size // builtins.max(out.size, 1) if x.size else 1


@primitive(
    jvp="linear",
    dtypes="number",
    saves=(),
    grads=(
        lambda ops, g, out, x, axis, keepdims: (
            _unreduce(ops, g, x, axis, keepdims) / _count(x, out)
        ),
    ),
    formulas=("d mean(x)/dx = 1/n",),
)
def reduce_mean(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Mean of the elements along `axis` (all of them when None). Integer inputs stay integer:
    the quotient is truncated towards zero, and the mean of nothing is 0 (as TensorFlow)."""
    x = input_tensor
    axes = _axes(axis, x.ndim)
    if x.dtype.kind in "iu":
        total = np.sum(
            x, axis=axes, keepdims=keepdims, dtype=np.int64 if x.dtype.kind == "i" else np.uint64
        )
        count = x.size // builtins.max(total.size, 1) if total.size else 0
        if count == 0:
            return np.zeros(total.shape, x.dtype)
        quotient = total // count  # floor division, then rounded towards zero:
        quotient += (total % count != 0) & (total < 0)
        return quotient.astype(x.dtype)
    if x.size == 0:  # NumPy would warn "mean of empty slice"
        return np.full(np.sum(x, axis=axes, keepdims=keepdims).shape, np.nan, x.dtype)
    return np.mean(x, axis=axes, keepdims=keepdims)


def _empty_start(x: np.ndarray, which: str) -> dict[str, Any]:
    """`initial=` for `np.max`/`np.min` when `x` is empty (NumPy raises there, TensorFlow gives
    the identity of the reduction); nothing otherwise, which leaves NumPy's fast path."""
    if x.size:
        return {}
    if x.dtype.kind == "f":
        return {"initial": -np.inf if which == "max" else np.inf}
    info = np.iinfo(x.dtype)
    return {"initial": info.min if which == "max" else info.max}


def _extremum_grad(
    ops: Ops, g: Tensor, out: Tensor, x: Tensor, axis: Any, keepdims: bool
) -> Tensor:
    """Ties share the gradient equally, as in TensorFlow."""
    hit = ops.cast(ops.equal(x, _unreduce(ops, out, x, axis, keepdims)), g.dtype)
    count = ops.reduce_sum(hit, axis, keepdims=True)
    return _unreduce(ops, g, x, axis, keepdims) * hit / count


@primitive(
    jvp="vjp",
    dtypes="real",
    grads=(_extremum_grad,),
    formulas=("1 at the maximum (shared by ties)",),
)
def reduce_max(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Largest element along `axis` (all of them when None; over no element, the smallest
    value of the dtype, -inf for floats, as TensorFlow)."""
    x = input_tensor
    return np.maximum.reduce(x, _axes(axis, x.ndim), keepdims=keepdims, **_empty_start(x, "max"))


@primitive(
    jvp="vjp",
    dtypes="real",
    grads=(_extremum_grad,),
    formulas=("1 at the minimum (shared by ties)",),
)
def reduce_min(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Smallest element along `axis` (all of them when None; over no element, the largest
    value of the dtype, inf for floats, as TensorFlow)."""
    x = input_tensor
    return np.minimum.reduce(x, _axes(axis, x.ndim), keepdims=keepdims, **_empty_start(x, "min"))


def _prod_others_grad(ops: Ops, g: Tensor, out: Tensor, x: Tensor) -> Tensor:
    """d/dx_j of Σᵢ gᵢ·Πₖ≠ᵢ xₖ = Σᵢ≠ⱼ gᵢ·Πₖ≠ᵢ,ⱼ xₖ, written with `prod_others` itself (on each
    row j of x with x_j set to 1), so that it can be differentiated again."""
    n = x.shape[-1]
    eye = np.eye(n, dtype=bool)
    rows = ops.where(eye, ops.ones_like(eye, dtype=x.dtype), ops.expand_dims(x, -2))  # (..., n, n)
    terms = ops.expand_dims(g, -2) * ops.prod_others(rows)  # [..., j, i] = gᵢ Πₖ≠ᵢ,ⱼ xₖ for i ≠ j
    return ops.reduce_sum(ops.where(eye, ops.zeros_like(terms), terms), axis=-1)


@primitive(
    jvp="vjp",
    dtypes="number",
    public=False,
    grads=(_prod_others_grad,),
    formulas=("d(Πₖ≠ᵢ xₖ)/dxⱼ = Πₖ≠ᵢ,ⱼ xₖ",),
)
def prod_others(x: TensorLike, name: str | None = None) -> Tensor:
    """Along the last axis, the product of all the *other* elements: Πₖ≠ᵢ xₖ.

    Made of exclusive running products from both ends, with no division, so it is exact
    when elements are zero. The gradient of `reduce_prod`.
    """
    if x.shape[-1] == 0:
        return np.zeros(x.shape, x.dtype)  # no element, no other
    ones = np.ones((*x.shape[:-1], 1), x.dtype)
    left = np.cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, x[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left * right


def _prod_grad(ops: Ops, g: Tensor, out: Tensor, x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    """The product of the *other* elements: the reduced axes are moved last and flattened,
    `prod_others` runs along them, and the result is put back in place."""
    axes = _axes(axis, x.ndim)
    reduced = list(range(x.ndim)) if axes is None else list(axes)
    kept = [a for a in range(x.ndim) if a not in reduced]
    perm = kept + reduced
    moved = ops.transpose(x, perm) if perm != list(range(x.ndim)) else x
    flat = ops.reshape(moved, [x.shape[a] for a in kept] + [math.prod(x.shape[a] for a in reduced)])
    others = ops.reshape(ops.prod_others(flat), [x.shape[a] for a in perm])
    if perm != list(range(x.ndim)):
        others = ops.transpose(others, np.argsort(perm).tolist())
    return _unreduce(ops, g, x, axis, keepdims) * others


@primitive(
    jvp="vjp", dtypes="number", grads=(_prod_grad,), formulas=("d Πx/dxᵢ = product of the others",)
)
def reduce_prod(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Product of the elements along `axis` (all of them when None)."""
    x = input_tensor
    return np.prod(x, axis=_axes(axis, x.ndim), keepdims=keepdims, dtype=x.dtype)


def _logsumexp_grad(
    ops: Ops, g: Tensor, out: Tensor, x: Tensor, axis: Any, keepdims: bool
) -> Tensor:
    """softmax(x) along the reduced axes, from x - max(x) (as TensorFlow): exp(x - out) would
    lose the digits of a large `out` (in float16, logsumexp([6e4] * 3) rounds to 6e4)."""
    top = ops.reduce_max(x, axis, keepdims=True)
    top = ops.stop_gradient(ops.where(ops.abs(top) < np.inf, top, ops.zeros_like(top)))
    e = ops.exp(x - top)
    return _unreduce(ops, g, x, axis, keepdims) * (e / ops.reduce_sum(e, axis, keepdims=True))


def _logsumexp_jvp(
    ops: Ops, tangents: list, out: Tensor, x: Tensor, axis: Any, keepdims: bool
) -> Tensor:
    """Σ softmax(x)·ẋ along the reduced axes (the softmax as the gradient computes it)."""
    return ops.reduce_sum(
        _logsumexp_grad(ops, ops.ones_like(out), out, x, axis, keepdims) * tangents[0],
        axis,
        keepdims,
    )


@primitive(
    jvp=_logsumexp_jvp,
    dtypes="real float",
    grads=(_logsumexp_grad,),
    formulas=("d logΣeˣ/dx = softmax(x)",),
)
def reduce_logsumexp(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """`log(sum(exp(x)))` along `axis`, computed without overflow."""
    x = input_tensor
    axes = _axes(axis, x.ndim)
    top = np.maximum.reduce(x, axes, keepdims=True, **_empty_start(x, "max"))
    top = np.where(np.isfinite(top), top, 0).astype(x.dtype)
    result = np.log(np.add.reduce(np.exp(x - top), axes, keepdims=True)) + top
    return result if keepdims else result.squeeze(axis=axes)


@primitive(dtypes="bool", grads=(None,), formulas=("",))
def reduce_any(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Whether any element along `axis` is true (bool)."""
    return np.any(input_tensor, axis=_axes(axis, input_tensor.ndim), keepdims=keepdims)


@primitive(dtypes="bool", grads=(None,), formulas=("",))
def reduce_all(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """Whether every element along `axis` is true (bool)."""
    return np.all(input_tensor, axis=_axes(axis, input_tensor.ndim), keepdims=keepdims)


@primitive(dtypes="ordered", grads=(None,), formulas=("",))
def argmax(
    input: TensorLike,
    axis: int | None = None,
    output_type: DTypeLike = "int64",
    name: str | None = None,
) -> Tensor:
    """Index of the largest element along `axis` (0 when None, as TensorFlow)."""
    return _arg_extremum(np.argmax, input, axis, output_type)


@primitive(dtypes="ordered", grads=(None,), formulas=("",))
def argmin(
    input: TensorLike,
    axis: int | None = None,
    output_type: DTypeLike = "int64",
    name: str | None = None,
) -> Tensor:
    """Index of the smallest element along `axis` (0 when None, as TensorFlow)."""
    return _arg_extremum(np.argmin, input, axis, output_type)


def _arg_extremum(find: Any, x: np.ndarray, axis: int | None, output_type: DTypeLike) -> Any:
    dtype = as_dtype(output_type)
    if dtype not in (int32, int64):
        raise TypeError(f"output_type must be int32 or int64, got {dtype}")
    if not isinstance(axis, int | np.integer | None):
        raise TypeError(f"axis must be one int, got {axis!r}")
    (axis,) = _axes(0 if axis is None else axis, x.ndim)
    if x.shape[axis] == 0:
        raise ValueError(f"axis {axis} is empty: there is no element to find")
    return find(x, axis=axis).astype(dtype)


# ----------------------------------------------------------------------------- neural nets
def _softmax_axis(axis: int | None) -> int:
    return -1 if axis is None else axis


def _softmax_checked_axis(logits: np.ndarray, axis: int | None) -> int:
    if not isinstance(axis, int | np.integer | None):
        raise TypeError(f"axis must be one int, got {axis!r}")
    return _axes(_softmax_axis(axis), logits.ndim)[0]


def _softmax_jvp(ops: Ops, tangents: list, out: Tensor, x: Tensor, axis: int | None) -> Tensor:
    """softmax's JVP, s·(ẋ - Σ s·ẋ): its Jacobian diag(s) - s·sᵀ is symmetric, so this is
    also its gradient."""
    t = tangents[0]
    return out * (t - ops.reduce_sum(t * out, _softmax_axis(axis), keepdims=True))


def _log_softmax_jvp(ops: Ops, tangents: list, out: Tensor, x: Tensor, axis: int | None) -> Tensor:
    """log_softmax's JVP, ẋ - Σ softmax(x)·ẋ."""
    t = tangents[0]
    return t - ops.reduce_sum(ops.exp(out) * t, _softmax_axis(axis), keepdims=True)


@primitive(
    jvp=_softmax_jvp,
    dtypes="real float",
    saves=("out",),
    grads=(
        lambda ops, g, out, x, axis: (
            out * (g - ops.reduce_sum(g * out, _softmax_axis(axis), keepdims=True))
        ),
    ),
    formulas=("d softmax(x)/dx = diag(s) - s·sᵀ",),
)
def softmax(logits: TensorLike, axis: int | None = None, name: str | None = None) -> Tensor:
    """`exp(x) / sum(exp(x))` along `axis` (the last by default), computed without overflow."""
    axis = _softmax_checked_axis(logits, axis)
    top = np.max(logits, axis=axis, keepdims=True, **_empty_start(logits, "max"))
    # inf logits: nan, as TensorFlow
    e = np.exp(logits - top)
    return e / np.sum(e, axis=axis, keepdims=True)


@primitive(
    jvp=_log_softmax_jvp,
    dtypes="real float",
    saves=("out",),
    grads=(
        lambda ops, g, out, x, axis: (
            g - ops.exp(out) * ops.reduce_sum(g, _softmax_axis(axis), keepdims=True)
        ),
    ),
    formulas=("d log_softmax(x)/dx = 1 - softmax(x)",),
)
def log_softmax(logits: TensorLike, axis: int | None = None, name: str | None = None) -> Tensor:
    """`x - logsumexp(x)` along `axis` (the last by default), computed without overflow."""
    axis = _softmax_checked_axis(logits, axis)
    top = np.max(logits, axis=axis, keepdims=True, **_empty_start(logits, "max"))
    shifted = logits - top
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _add_n_explain(values: list[np.ndarray]) -> str | None:
    if len({v.shape for v in values}) > 1:
        return (
            "add_n adds tensors of one shape, as TensorFlow; use ad.add (or +) for NumPy's "
            "broadcasting, or ad.broadcast_to first"
        )
    return None


def _add_n_forward(values: list[np.ndarray]) -> np.ndarray:
    if len({v.shape for v in values}) > 1:
        raise ValueError("shapes differ")  # see _add_n_explain
    total = values[0]
    for v in values[1:]:
        total = np.add(total, v)
    return total


@primitive(
    jvp="linear",
    dtypes="number",
    saves=(),
    grads=(lambda ops, g, out, inputs, index: g,),
    formulas=("d(Σxᵢ)/dxᵢ = 1",),
    variadic=True,
    explain=_add_n_explain,
)
def add_n(inputs: Sequence[TensorLike], name: str | None = None) -> Tensor:
    """The elementwise sum of a list of tensors."""
    return _add_n_forward(inputs)


# What `import autodiff` exports from this module: the public ops of the table, and the two
# constant makers above.
__all__ = [*public_names(globals()), "ones_like", "zeros_like"]


# ----------------------------------------------------------------------------- Tensor's operators
# Installed here, by the op table, rather than written in `tensor.py` (which the table is built
# on), as TensorFlow's `math_ops.py` installs `tf.Tensor`'s: `x * y` is `multiply`'s op.
def _operator(op: Op, reflected: bool = False) -> Callable[[Tensor, TensorLike], Tensor]:
    """`Tensor.__mul__` (`__rmul__` when `reflected`) for an op of two inputs and no
    attributes: `apply` without the public function's argument binding (scalar code is made
    of these)."""
    if reflected:

        def method(self: Tensor, other: TensorLike) -> Tensor:
            return apply(op, (other, self), NO_ATTRS)

    else:

        def method(self: Tensor, other: TensorLike) -> Tensor:
            return apply(op, (self, other), NO_ATTRS)

    return method


def _equal(self: Tensor, other: object) -> Tensor | bool:
    return False if other is None else equal(self, other)  # (as TensorFlow: `None in grads`)


def _not_equal(self: Tensor, other: object) -> Tensor | bool:
    return True if other is None else not_equal(self, other)


def _install(name: str, method: Callable[..., Any], doc: str) -> None:
    """Put `method` on `Tensor` as `name`, named and documented as if written there (so that
    help() and a traceback say `Tensor.__mul__`)."""
    method.__name__, method.__qualname__, method.__doc__ = name, f"Tensor.{name}", doc
    setattr(Tensor, name, method)


_ARITHMETIC = {
    "add": (add.op, "+"),
    "sub": (subtract.op, "-"),
    "mul": (multiply.op, "*"),
    "truediv": (divide.op, "/"),
    "pow": (pow.op, "**"),
}
for _name, (_op, _symbol) in _ARITHMETIC.items():
    _install(f"__{_name}__", _operator(_op), f"`self {_symbol} other`: `{_op.name}(self, other)`.")
    _install(
        f"__r{_name}__",
        _operator(_op, reflected=True),
        f"`other {_symbol} self`: `{_op.name}(other, self)`.",
    )
del _name, _op, _symbol
_install("__matmul__", lambda self, other: matmul(self, other), "`self @ other`: `matmul`.")
_install("__rmatmul__", lambda self, other: matmul(other, self), "`other @ self`: `matmul`.")
_install("__neg__", lambda self: negative(self), "`-self`: `negative(self)`.")
_install("__abs__", lambda self: abs(self), "`abs(self)`: the op `abs`.")
_install("__getitem__", lambda self, index: getitem(self, index), "`self[index]`, as NumPy's.")
_install("__lt__", lambda self, other: less(self, other), "`self < other`: `less`.")
_install("__le__", lambda self, other: less_equal(self, other), "`self <= other`: `less_equal`.")
_install("__gt__", lambda self, other: greater(self, other), "`self > other`: `greater`.")
_install("__ge__", lambda self, other: greater_equal(self, other), "`self >= other`.")
_install("__eq__", _equal, "`self == other`: `equal`; False against None (as TensorFlow).")
_install("__ne__", _not_equal, "`self != other`: `not_equal`; True against None.")
Tensor.T = property(  # type: ignore[method-assign, assignment]
    lambda self: transpose(self), doc="The transpose (axes reversed); recorded like `ad.transpose`."
)


def _read_value(self: Variable) -> Tensor:
    """The current value as a new tensor, as TensorFlow's: a snapshot with its own identity
    (assigning the variable later does not change it, and a tape sees it as a tensor of its
    own), recorded as a read of the variable (an `identity` op) so that gradients flow
    through it to the variable."""
    return identity(self)


def _value(self: Variable) -> Tensor:
    """The current value as a new tensor (TensorFlow's `Variable.value()`): `read_value`."""
    return identity(self)


Variable.read_value = _read_value  # type: ignore[method-assign]
Variable.value = _value  # type: ignore[method-assign]
