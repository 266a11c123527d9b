"""NumPy interop: `np.exp(t)`, `np.sum(t, axis=0)`, `a_numpy_array * t`, ... on tensors.

NumPy hands ufuncs to `Tensor.__array_ufunc__` and other functions to
`Tensor.__array_function__`; both land here and run the matching op of the table, so they are
recorded and differentiable. Functions that only inspect values (`np.allclose`, `np.shape`,
`np.isnan`, ...) run on the values and return plain NumPy results. Anything else raises a
`TypeError` naming it, rather than silently dropping off the tape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autodiff import ops
from autodiff.tensor import Tensor

# ufunc -> the name of its op in the table (same arguments); looked up when called, so that
# this module can be imported while the table is still being built
UFUNCS: dict[np.ufunc, str] = {
    np.add: "add",
    np.subtract: "subtract",
    np.multiply: "multiply",
    np.true_divide: "divide",
    np.negative: "negative",
    np.positive: "identity",
    np.power: "pow",
    np.float_power: "pow",
    np.square: "square",
    np.sqrt: "sqrt",
    np.absolute: "abs",
    np.sign: "sign",
    np.maximum: "maximum",
    np.minimum: "minimum",
    np.exp: "exp",
    np.log: "log",
    np.log1p: "log1p",
    np.sin: "sin",
    np.cos: "cos",
    np.tan: "tan",
    np.tanh: "tanh",
    np.matmul: "matmul",
    np.less: "less",
    np.less_equal: "less_equal",
    np.greater: "greater",
    np.greater_equal: "greater_equal",
    np.equal: "equal",
    np.not_equal: "not_equal",
}

# ufuncs that only inspect values: computed on the values, not recorded
VALUE_UFUNCS = {np.isnan, np.isinf, np.isfinite, np.signbit, np.logical_not}


def _reduction(op_name: str) -> Callable[..., Tensor]:
    def call(a: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
        return getattr(ops, op_name)(a, axis, keepdims=keepdims)

    return call


def _where(condition: Any, x: Any = None, y: Any = None) -> Tensor:
    if x is None or y is None:
        raise TypeError(
            "np.where(condition) without x and y is not recorded; use np.where(condition, x, y)"
        )
    return ops.where(condition, x, y)


def _dot(a: Any, b: Any) -> Tensor:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return ops.multiply(a, b)
    return ops.matmul(a, b)


# function -> op (NumPy's signature mapped onto the op's)
FUNCTIONS: dict[Callable[..., Any], Callable[..., Tensor]] = {
    np.sum: _reduction("reduce_sum"),
    np.mean: _reduction("reduce_mean"),
    np.max: _reduction("reduce_max"),
    np.amax: _reduction("reduce_max"),
    np.min: _reduction("reduce_min"),
    np.amin: _reduction("reduce_min"),
    np.prod: _reduction("reduce_prod"),
    np.where: _where,
    np.dot: _dot,
    np.concatenate: lambda arrays, axis=0: ops.concat(list(arrays), axis=axis),
    np.stack: lambda arrays, axis=0: ops.stack(list(arrays), axis=axis),
    np.transpose: lambda a, axes=None: ops.transpose(a, axes),
    np.reshape: lambda a, shape=None, **kw: ops.reshape(a, kw.get("newshape", shape)),
    np.expand_dims: lambda a, axis: ops.expand_dims(a, axis),
    np.squeeze: lambda a, axis=None: ops.squeeze(a, axis),
    np.broadcast_to: lambda array, shape: ops.broadcast_to(array, shape),
    np.clip: lambda a, a_min, a_max: ops.clip_by_value(a, a_min, a_max),
    np.zeros_like: lambda a, dtype=None: ops.zeros_like(a, dtype),
    np.ones_like: lambda a, dtype=None: ops.ones_like(a, dtype),
}

# functions that only inspect values: run by NumPy on the values
VALUE_FUNCTIONS = {
    np.shape,
    np.ndim,
    np.size,
    np.allclose,
    np.isclose,
    np.array_equal,
    np.array_equiv,
    np.argmax,
    np.argmin,
    np.any,
    np.all,
    np.count_nonzero,
    np.array2string,
    np.array_repr,
    np.array_str,
    np.around,
    np.round,
    np.isnan,
    np.sort,
    np.argsort,
    np.nonzero,
    np.unique,
    np.copy,
}


def _values(x: Any) -> Any:
    """`x` with tensors replaced by their NumPy values (through lists and tuples)."""
    if isinstance(x, Tensor):
        return x._value
    if isinstance(x, list | tuple):
        return type(x)(_values(v) for v in x)
    return x


def _unsupported(what: str) -> TypeError:
    return TypeError(
        f"{what} is not supported on autodiff tensors: it would not be recorded on the tape, "
        "so no gradient could flow through it. Use the autodiff op (e.g. ad.reduce_sum), or "
        "np.asarray(t) to work on the plain values"
    )


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict) -> Any:
    """`Tensor.__array_ufunc__`: run the matching op (or compute a value-only ufunc)."""
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if method == "__call__" and ufunc in VALUE_UFUNCS:
        return ufunc(*_values(inputs), **kwargs)
    op_name = UFUNCS.get(ufunc)
    if method != "__call__" or op_name is None:
        raise _unsupported(name)
    if kwargs:
        raise TypeError(
            f"{name}: the keyword arguments {sorted(kwargs)} are not supported on autodiff "
            "tensors (outputs are new immutable tensors, so out= cannot be used)"
        )
    return getattr(ops, op_name)(*inputs)


def array_function(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict) -> Any:
    """`Tensor.__array_function__`: run the matching op (or a value-only function)."""
    if func in VALUE_FUNCTIONS:
        return func(*_values(args), **{k: _values(v) for k, v in kwargs.items()})
    op = FUNCTIONS.get(func)
    module = getattr(func, "__module__", "numpy") or "numpy"
    name = f"{module.replace('numpy', 'np', 1)}.{getattr(func, '__name__', func)}"
    if op is None:
        raise _unsupported(name)
    try:
        return op(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{name}: {e}") from None
