"""Tensors made from a shape or a range rather than from data: `zeros`, `ones`, `range`, ...

These make constants (nothing is recorded), with TensorFlow's signatures and default dtypes.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from autodiff.tensor import DTypeLike, Tensor, TensorLike, as_dtype, float32, to_array

Shape = int | Sequence[int]


def _shape(shape: Shape | Tensor) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    return (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(n) for n in shape)


def zeros(shape: Shape, dtype: DTypeLike = float32, name: str | None = None) -> Tensor:
    """A tensor of zeros (float32 by default)."""
    return Tensor(np.zeros(_shape(shape), as_dtype(dtype)), name)


def ones(shape: Shape, dtype: DTypeLike = float32, name: str | None = None) -> Tensor:
    """A tensor of ones (float32 by default)."""
    return Tensor(np.ones(_shape(shape), as_dtype(dtype)), name)


def fill(dims: Shape, value: TensorLike, name: str | None = None) -> Tensor:
    """A tensor of shape `dims` filled with `value` (whose dtype it takes)."""
    scalar = to_array(value)
    return Tensor(np.full(_shape(dims), scalar, scalar.dtype), name)


def eye(num_rows: int, num_columns: int | None = None, dtype: DTypeLike = float32) -> Tensor:
    """The identity matrix (float32 by default)."""
    return Tensor(np.eye(num_rows, num_columns, dtype=as_dtype(dtype)))


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
    values = to_array(np.arange(start, limit, delta).tolist(), dtype)
    if dtype is None and builtins.any(isinstance(v, float) for v in (start, limit, delta)):
        values = values.astype(float32)
    return Tensor(values, name)


def linspace(start: float, stop: float, num: int, name: str | None = None) -> Tensor:
    """`num` evenly spaced float32 values from `start` to `stop`, both included."""
    return Tensor(np.linspace(start, stop, num, dtype=float32), name)


def one_hot(
    indices: TensorLike,
    depth: int,
    on_value: float = 1.0,
    off_value: float = 0.0,
    dtype: DTypeLike = float32,
) -> Tensor:
    """Rows of `depth` values, `on_value` at each index and `off_value` elsewhere."""
    idx = np.asarray(indices)
    out = np.full((*idx.shape, depth), off_value, as_dtype(dtype))
    if idx.size:
        np.put_along_axis(out, idx[..., None].astype(np.intp), on_value, axis=-1)
    return Tensor(out)
