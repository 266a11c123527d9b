"""The op table, continued: `tf.math` and `tf.linalg` ops the engine had not yet.

`erf atan sinh cosh cumsum cumprod reduce_variance reduce_std` and `inv det solve trace`,
each defined once as in `autodiff.ops` (`@primitive`: NumPy forward, gradients written with the
table's own ops, `saves=`, dtypes), with TensorFlow's gradients.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autodiff.backend import Ops
from autodiff.ops import (
    Axis,
    _axes,
    _count,
    _unreduce,
)
from autodiff.primitive import primitive, public_names
from autodiff.tensor import Tensor, TensorLike

_ERF = np.frompyfunc(math.erf, 1, 1)  # (Python floats, per element: exact to float64)


# ----------------------------------------------------------------------------- elementwise
@primitive(
    jvp="elementwise",
    dtypes="real float",
    grads=(
        lambda ops, g, out, x: g * (2 / math.sqrt(math.pi)) * ops.exp(ops.negative(ops.square(x))),
    ),
    formulas=("d erf(x)/dx = 2/√π·e^(-x²)",),
)
def erf(x: TensorLike, name: str | None = None) -> Tensor:
    """The error function `2/√π ∫₀ˣ e^(-t²) dt` elementwise (Python's `math.erf` per element)."""
    return np.asarray(_ERF(x), dtype=x.dtype)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: g / (1 + ops.square(x)),),
    formulas=("d atan(x)/dx = 1/(1+x²)",),
)
def atan(x: TensorLike, name: str | None = None) -> Tensor:
    """Inverse tangent elementwise (radians, in (-π/2, π/2))."""
    return np.arctan(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: g * ops.cosh(x),),
    formulas=("d sinh x/dx = cosh x",),
)
def sinh(x: TensorLike, name: str | None = None) -> Tensor:
    """Hyperbolic sine elementwise."""
    return np.sinh(x)


@primitive(
    jvp="elementwise",
    dtypes="float",
    grads=(lambda ops, g, out, x: g * ops.sinh(x),),
    formulas=("d cosh x/dx = sinh x",),
)
def cosh(x: TensorLike, name: str | None = None) -> Tensor:
    """Hyperbolic cosine elementwise."""
    return np.cosh(x)


# ----------------------------------------------------------------------------- running sums
def _cum_axis(x: np.ndarray, axis: Any) -> int:
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis must be one int, got {axis!r}")
    if x.ndim == 0:
        raise ValueError("a scalar has no axis to run along; reshape it to 1-d first")
    (axis,) = _axes(axis, x.ndim)
    return axis


def _running(ufunc: np.ufunc, x: np.ndarray, axis: Any, exclusive: bool, reverse: bool):
    """`ufunc.accumulate` along `axis`, from the end when `reverse`, shifted by one (starting
    from the identity) when `exclusive`: TensorFlow's cumsum and cumprod."""
    axis = _cum_axis(x, axis)
    if reverse:
        x = np.flip(x, axis)
    out = ufunc.accumulate(x, axis=axis, dtype=x.dtype)
    if exclusive:
        first = np.full_like(np.take(out, [0], axis=axis), ufunc.identity)
        out = np.concatenate([first, np.take(out, range(x.shape[axis] - 1), axis=axis)], axis)
    return np.flip(out, axis) if reverse else out


@primitive(
    jvp="linear",
    dtypes="number",
    saves=(),
    grads=(
        lambda ops, g, out, x, axis, exclusive, reverse: ops.cumsum(
            g, axis, exclusive, not reverse
        ),
    ),
    formulas=("the gradient summed the other way along the axis",),
)
def cumsum(
    x: TensorLike,
    axis: int = 0,
    exclusive: bool = False,
    reverse: bool = False,
    name: str | None = None,
) -> Tensor:
    """Running sums along `axis`, as `tf.math.cumsum`.

    Args:
      x: a tensor.
      axis: the axis to run along (0 by default).
      exclusive: each sum leaves out its own element (the first is 0).
      reverse: run from the end.
    """
    return _running(np.add, x, axis, exclusive, reverse)


@primitive(
    jvp="vjp",
    dtypes="number",
    saves=("x", "out"),
    grads=(
        lambda ops, g, out, x, axis, exclusive, reverse: (
            ops.cumsum(out * g, axis, exclusive, not reverse) / x
        ),
    ),
    formulas=("d cumprod(x)/dx = cumsum(out·g, reversed)/x",),
)
def cumprod(
    x: TensorLike,
    axis: int = 0,
    exclusive: bool = False,
    reverse: bool = False,
    name: str | None = None,
) -> Tensor:
    """Running products along `axis`, as `tf.math.cumprod` (arguments as `cumsum`).

    The gradient is TensorFlow's, `cumsum(out * g, reverse=not reverse) / x`: nan or inf
    where `x` is 0, as in TensorFlow.
    """
    return _running(np.multiply, x, axis, exclusive, reverse)


# ----------------------------------------------------------------------------- moments
def _variance_forward(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    axes = _axes(axis, x.ndim)
    mean = np.mean(x, axis=axes, keepdims=True)
    return np.mean(np.square(x - mean), axis=axes, keepdims=keepdims)


def _deviation(ops: Ops, x: Tensor, axis: Any) -> Tensor:
    return x - ops.reduce_mean(x, axis, keepdims=True)


@primitive(
    jvp="vjp",
    dtypes="real float",
    grads=(
        lambda ops, g, out, x, axis, keepdims: (
            _unreduce(ops, g, x, axis, keepdims) * (2 * _deviation(ops, x, axis) / _count(x, out))
        ),
    ),
    formulas=("d var(x)/dx = 2(x - mean)/n",),
)
def reduce_variance(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """The variance along `axis` (all axes when None): the mean of squared deviations from
    the mean (divided by n, NumPy's `ddof=0`), as `tf.math.reduce_variance`."""
    return _variance_forward(input_tensor, axis, keepdims)


@primitive(
    jvp="vjp",
    dtypes="real float",
    grads=(
        lambda ops, g, out, x, axis, keepdims: (
            _unreduce(ops, g / out, x, axis, keepdims) * (_deviation(ops, x, axis) / _count(x, out))
        ),
    ),
    formulas=("d std(x)/dx = (x - mean)/(n·std)",),
)
def reduce_std(
    input_tensor: TensorLike, axis: Axis = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """The standard deviation along `axis`: the square root of `reduce_variance`."""
    return np.sqrt(_variance_forward(input_tensor, axis, keepdims))


# ----------------------------------------------------------------------------- linalg
def _t(ops: Ops, x: Tensor) -> Tensor:
    """The matrices of `x` (its last two axes) transposed."""
    perm = list(range(x.ndim))
    perm[-2:] = perm[-1], perm[-2]
    return ops.transpose(x, perm)


def _square_matrices(x: np.ndarray) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(
            f"square matrices are needed in the last two axes, shape (..., n, n); got {x.shape}"
        )


def _singular(error: Exception) -> ValueError:
    return ValueError(
        f"the matrix is not invertible ({error}); check for linearly dependent rows, or "
        "add a small multiple of the identity (x + 1e-6 * ad.eye(n))"
    )


def _matrices(ops: Ops, x: Tensor) -> Tensor:
    """A batch of scalars as (..., 1, 1), to multiply matrices with."""
    return ops.expand_dims(ops.expand_dims(x, -1), -1)


def _inv_grad(ops: Ops, g: Tensor, out: Tensor, x: Tensor, adjoint: bool) -> Tensor:
    """-Yᵀ·g·Yᵀ for Y = inv(A); for Y = inv(Aᵀ), its transpose -Y·gᵀ·Y."""
    if adjoint:
        return ops.negative(ops.matmul(out, ops.matmul(g, out, transpose_a=True)))
    return ops.negative(ops.matmul(out, ops.matmul(g, out, transpose_b=True), transpose_a=True))


@primitive(
    jvp="vjp",
    dtypes="float",
    saves=("out",),
    grads=(_inv_grad,),
    formulas=("d inv(A)/dA = -inv(A)ᵀ·g·inv(A)ᵀ",),
)
def inv(input: TensorLike, adjoint: bool = False, name: str | None = None) -> Tensor:
    """The inverse of each square matrix (last two axes); with `adjoint`, of its transpose.

    Args:
      input: a float tensor of shape (..., n, n).
      adjoint: invert the (conjugate) transposes instead.
    """
    _square_matrices(input)
    a = np.conj(np.swapaxes(input, -1, -2)) if adjoint else input
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError as e:
        raise _singular(e) from None


@primitive(
    jvp="vjp",
    dtypes="float",
    saves=("input", "out"),
    grads=(lambda ops, g, out, x: _matrices(ops, g * out) * _t(ops, ops.inv(x)),),
    formulas=("d det(A)/dA = det(A)·inv(A)ᵀ",),
)
def det(input: TensorLike, name: str | None = None) -> Tensor:
    """The determinant of each square matrix in the last two axes, shape (...,)."""
    _square_matrices(input)
    return np.linalg.det(input)


def _solve_grad_rhs(
    ops: Ops, g: Tensor, out: Tensor, a: Tensor, b: Tensor, adjoint: bool
) -> Tensor:
    return ops.solve(a, g, adjoint=not adjoint)


def _solve_grad_matrix(
    ops: Ops, g: Tensor, out: Tensor, a: Tensor, b: Tensor, adjoint: bool
) -> Tensor:
    grad_b = ops.solve(a, g, adjoint=not adjoint)
    if adjoint:
        return ops.negative(ops.matmul(out, grad_b, transpose_b=True))
    return ops.negative(ops.matmul(grad_b, out, transpose_b=True))


@primitive(
    jvp="vjp",
    dtypes="float",
    saves=("matrix", "out"),
    grads=(_solve_grad_matrix, _solve_grad_rhs),
    formulas=("d/dA = -inv(A)ᵀ·g·Xᵀ", "d/dB = inv(A)ᵀ·g"),
)
def solve(
    matrix: TensorLike, rhs: TensorLike, adjoint: bool = False, name: str | None = None
) -> Tensor:
    """X with `matrix @ X = rhs` for each matrix of the batch, as `tf.linalg.solve`.

    Args:
      matrix: shape (..., n, n), invertible.
      rhs: shape (..., n, k), with the same batch dimensions.
      adjoint: solve with the (conjugate) transpose of `matrix`.
    """
    _square_matrices(matrix)
    if rhs.ndim != matrix.ndim or rhs.shape[:-1] != matrix.shape[:-1]:
        raise ValueError(
            f"rhs must have shape (..., n, k) with matrix's batch and n: matrix is "
            f"{matrix.shape}, rhs {rhs.shape} (for one vector, use shape (n, 1))"
        )
    a = np.conj(np.swapaxes(matrix, -1, -2)) if adjoint else matrix
    try:
        return np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError as e:
        raise _singular(e) from None


@primitive(
    jvp="linear",
    dtypes="number",
    saves=(),
    grads=(
        lambda ops, g, out, x: ops.where(
            np.eye(x.shape[-2], x.shape[-1], dtype=bool),
            ops.broadcast_to(_matrices(ops, g), x.shape),
            ops.zeros_like(x),
        ),
    ),
    formulas=("d trace(A)/dA = I",),
)
def trace(x: TensorLike, name: str | None = None) -> Tensor:
    """The sum of the diagonal of each matrix in the last two axes, shape (...,)."""
    if x.ndim < 2:
        raise ValueError(f"it needs matrices, shape (..., n, m); got {x.shape}")
    return np.trace(x, axis1=-2, axis2=-1)


__all__ = public_names(globals())
