"""Tensors made from a shape or a range rather than from data: `zeros`, `ones`, `range`, ...

These make constants (nothing is recorded), with TensorFlow's signatures and default dtypes.
Their arguments are checked here, so that a bad one gets an error naming the function.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autodiff.tensor import DTypeLike, Tensor, TensorLike, as_dtype, float32, to_array

Shape = int | Sequence[int]


def _count(value: Any, where: str, what: str) -> int:
    """A non-negative int argument (a size), or a clear error."""
    if isinstance(value, Tensor):
        value = value._value.tolist() if value.ndim == 0 else value
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{where}: {what} must be an int, got {value!r} ({type(value).__name__}); sizes "
            "and counts are whole numbers"
        )
    if value < 0:
        raise ValueError(f"{where}: {what} must be >= 0, got {value}; a size cannot be negative")
    return int(value)


def _shape(shape: Shape | Tensor, where: str) -> tuple[int, ...]:
    """`shape` as a tuple of non-negative ints, or a clear error naming `where`."""
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, Sequence) or isinstance(shape, str):
        raise TypeError(
            f"{where}: the shape must be an int or a list of ints, got {shape!r}; pass e.g. [2, 3]"
        )
    return tuple(_count(n, where, f"shape {list(shape)}: each dimension") for n in shape)


def zeros(shape: Shape, dtype: DTypeLike = float32, name: str | None = None) -> Tensor:
    """A tensor of zeros (float32 by default)."""
    return Tensor(np.zeros(_shape(shape, "zeros"), as_dtype(dtype)), name)


def ones(shape: Shape, dtype: DTypeLike = float32, name: str | None = None) -> Tensor:
    """A tensor of ones (float32 by default)."""
    return Tensor(np.ones(_shape(shape, "ones"), as_dtype(dtype)), name)


def fill(dims: Shape, value: TensorLike, name: str | None = None) -> Tensor:
    """A tensor of shape `dims` filled with `value` (whose dtype it takes)."""
    scalar = to_array(value, where="fill")
    if scalar.ndim:
        raise ValueError(
            f"fill: value must be a scalar, got shape {scalar.shape}; use ad.broadcast_to to "
            "repeat a tensor"
        )
    return Tensor(np.full(_shape(dims, "fill"), scalar, scalar.dtype), name)


def eye(num_rows: int, num_columns: int | None = None, dtype: DTypeLike = float32) -> Tensor:
    """The identity matrix (float32 by default)."""
    rows = _count(num_rows, "eye", "num_rows")
    columns = rows if num_columns is None else _count(num_columns, "eye", "num_columns")
    return Tensor(np.eye(rows, columns, dtype=as_dtype(dtype)))


def range(
    start: float,
    limit: float | None = None,
    delta: float = 1,
    dtype: DTypeLike = None,
    name: str | None = None,
) -> Tensor:
    """Numbers from `start` up to (not including) `limit`, as `tf.range` (int32 for ints)."""
    if limit is None:
        start, limit = 0, start
    bounds = {"start": start, "limit": limit, "delta": delta}
    for what, value in bounds.items():
        value = value._value.tolist() if isinstance(value, Tensor) and value.ndim == 0 else value
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise TypeError(f"range: {what} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"range: {what} must be finite, got {value}")
        bounds[what] = value
    start, limit, delta = bounds.values()
    if delta == 0:
        raise ValueError(
            f"range: delta must not be 0 (got start={start}, limit={limit}, delta=0); the "
            "numbers would never reach the limit. Use a positive delta to count up, negative "
            "to count down"
        )
    values = to_array(np.arange(start, limit, delta).tolist(), dtype, where="range")
    if dtype is None and builtins.any(isinstance(v, float) for v in (start, limit, delta)):
        values = values.astype(float32)
    return Tensor(values, name)


def linspace(start: float, stop: float, num: int, name: str | None = None) -> Tensor:
    """`num` evenly spaced float32 values from `start` to `stop`, both included."""
    return Tensor(np.linspace(start, stop, _count(num, "linspace", "num"), dtype=float32), name)


def one_hot(
    indices: TensorLike,
    depth: int,
    on_value: TensorLike | None = None,
    off_value: TensorLike | None = None,
    dtype: DTypeLike = None,
) -> Tensor:
    """Rows of `depth` values, `on_value` (1) at each index and `off_value` (0) elsewhere; an
    index outside [0, depth) gives a row of `off_value` (as TensorFlow). The dtype is
    `dtype`, else that of `on_value` or `off_value`, else float32."""
    idx = to_array(indices, where="one_hot", what="indices")
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"one_hot: indices must be integers, got {idx.dtype}; cast them first, e.g. "
            "ad.cast(indices, ad.int32)"
        )
    depth = _count(depth, "one_hot", "depth")
    if dtype is None:
        given = [to_array(v, where="one_hot") for v in (on_value, off_value) if v is not None]
        dtype = given[0].dtype if given else float32
    dtype = as_dtype(dtype)
    on = to_array(1 if on_value is None else on_value, dtype, where="one_hot", what="on_value")
    off = to_array(0 if off_value is None else off_value, dtype, where="one_hot", what="off_value")
    if on.ndim or off.ndim:
        raise ValueError("one_hot: on_value and off_value must be scalars")
    hot = idx[..., None] == np.arange(depth)  # out-of-range indices match no column
    return Tensor(np.where(hot, on, off).astype(dtype, copy=False))
