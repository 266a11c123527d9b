"""NumPy interop: `np.exp(t)`, `np.sum(t, axis=0)`, `a_numpy_array * t`, ... on tensors.

NumPy hands ufuncs to `Tensor.__array_ufunc__` and other functions to
`Tensor.__array_function__`; both land here and run the matching op of the table, so they are
recorded and differentiable. Functions that only inspect values (`np.allclose`, `np.shape`,
`np.isnan`, ...) run on the values and return plain NumPy results. Anything else raises a
`TypeError` naming it, rather than silently dropping off the tape.
"""

from __future__ import annotations

import importlib
import itertools
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


# ----------------------------------------------------------------------------- issue 25
# NumPy functions that map onto the selection, shape, math and linalg ops: NumPy's signature
# and result (as NumPy computes it), or a TypeError/ValueError saying what is not supported.
def _ops(module: str) -> Any:
    """An op-table module, imported when first called (they import this module's users)."""
    return importlib.import_module(f"autodiff.{module}")


def _refuse(name: str, what: str) -> TypeError:
    """The error for an argument of NumPy's that is not supported (`array_function` prefixes
    the function's name to a TypeError; other callers name it)."""
    return TypeError(f"{what} is not supported on autodiff tensors")


def _no_extras(name: str, **given: Any) -> None:
    """Refuse NumPy's arguments that have no meaning here (out=, dtype=, where=...)."""
    extras = sorted(k for k, v in given.items() if v is not None)
    if extras:
        raise _refuse(name, f"the arguments {extras}")


def _ints_of(values: Any) -> np.ndarray:
    return np.asarray(values._value if isinstance(values, Tensor) else values)


def _take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Tensor:
    """np.take: negative indices count from the end (as NumPy); axis None: the flat array."""
    _no_extras("np.take", out=out)
    if mode != "raise":
        raise _refuse("np.take", f"mode={mode!r} (only 'raise')")
    a = ops.reshape(a, [-1]) if axis is None else a
    ax = 0 if axis is None else axis
    index = _ints_of(indices)
    n = np.shape(a)[ax] if np.ndim(a) else 0
    if index.dtype.kind in "iu":
        index = np.where((index < 0) & (index >= -n), index + n, index)
    return _ops("array_ops").gather(a, index, axis=ax)


def _spread(op_name: str, power: float) -> Callable[..., Tensor]:
    """np.var (power 1) and np.std (power 0.5): ddof scales the result by (n / (n - ddof))."""
    name = f"np.{'var' if power == 1 else 'std'}"

    def call(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        ddof: int = 0,
        keepdims: bool = False,
        **kwargs: Any,
    ) -> Tensor:
        _no_extras(name, dtype=dtype, out=out, **kwargs)
        result = getattr(_ops("math_ops"), op_name)(a, axis, keepdims=keepdims)
        if ddof:
            shape = np.shape(a)
            axes = ops._axes(axis, len(shape))
            n = int(np.prod([shape[i] for i in (range(len(shape)) if axes is None else axes)]))
            result = result * float((n / (n - ddof)) ** power)
        return result

    return call


def _linalg_norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """np.linalg.norm: vector norms (ord None/2, 1, inf, p > 0) along one axis or of the
    whole flattened array; matrix norms ('fro', 1, inf) of two axes."""
    ndim = np.ndim(x)
    if axis is None and ord is not None:
        if ndim not in (1, 2):
            raise ValueError("np.linalg.norm: improper number of dimensions to norm")
        axis = (0, 1) if ndim == 2 else 0
    pair = axis is not None and not isinstance(axis, int | np.integer) and len(axis) == 2
    if pair:
        if ord not in (None, "fro", 1, np.inf):
            raise _refuse("np.linalg.norm", f"the matrix norm ord={ord!r} ('fro', 1, inf are)")
        ord = "euclidean" if ord in (None, "fro") else ord
    elif ord is None or ord == 2:
        ord = "euclidean"
    elif isinstance(ord, str) or not ord > 0:
        raise _refuse("np.linalg.norm", f"the vector norm ord={ord!r} (p > 0 and inf are)")
    return _ops("array_ops").norm(x, ord, axis=list(axis) if pair else axis, keepdims=keepdims)


def _einsum(subscripts: Any, *operands: Any, out: Any = None, optimize: Any = False, **kw: Any):
    """np.einsum with a subscripts string (optimize= only chooses an order: ignored)."""
    _no_extras("np.einsum", out=out, **kw)
    if not isinstance(subscripts, str):
        raise _refuse("np.einsum", "the interleaved form (operand, sublist, ...)")
    return _ops("array_ops").einsum(subscripts, *operands)


def _pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor:
    """np.pad in the modes 'constant' (one constant value), 'reflect' and 'symmetric'."""
    if mode not in ("constant", "reflect", "symmetric"):
        raise _refuse("np.pad", f"mode={mode!r} ('constant', 'reflect', 'symmetric' are)")
    value = kwargs.pop("constant_values", 0)
    if kwargs.pop("reflect_type", "even") != "even" or kwargs:
        raise _refuse("np.pad", f"the arguments {sorted(kwargs) or ['reflect_type']}")
    if mode == "constant" and np.ndim(value) != 0:
        raise _refuse("np.pad", "a constant value per axis (give one number)")
    pads = np.broadcast_to(np.asarray(_ints_of(pad_width)), (np.ndim(array), 2)).tolist()
    return _ops("array_ops").pad(array, pads, mode.upper(), constant_values=value)


def _tile(A: Any, reps: Any) -> Tensor:
    """np.tile: fewer reps than axes repeat the last axes; more add leading axes."""
    reps = [int(r) for r in np.atleast_1d(_ints_of(reps))]
    shape = list(np.shape(A))
    if len(reps) > len(shape):
        A = ops.reshape(A, [1] * (len(reps) - len(shape)) + shape)
    reps = [1] * (len(shape) - len(reps)) + reps
    return _ops("array_ops").tile(A, reps)


def _split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """np.split: a number of equal sections, or the (increasing) indices to cut at."""
    if isinstance(indices_or_sections, int | np.integer):
        return _ops("array_ops").split(ary, int(indices_or_sections), axis=axis)
    n = np.shape(ary)[axis]
    cuts = [int(i) for i in _ints_of(indices_or_sections)]
    sizes = [b - a for a, b in itertools.pairwise([0, *cuts, n])]
    if min(sizes) < 0:
        raise _refuse("np.split", f"indices {cuts} that are not increasing within [0, {n}]")
    return _ops("array_ops").split(ary, sizes, axis)


def _running(op_name: str) -> Callable[..., Tensor]:
    def call(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        _no_extras(f"np.{op_name}", dtype=dtype, out=out)
        if axis is None:
            a, axis = ops.reshape(a, [-1]), 0
        return getattr(_ops("math_ops"), op_name)(a, axis)

    return call


def _flip(m: Any, axis: Any = None) -> Tensor:
    axes = range(np.ndim(m)) if axis is None else np.atleast_1d(axis).tolist()
    return _ops("array_ops").reverse(m, list(axes))


FUNCTIONS.update(
    {
        np.take: _take,
        np.var: _spread("reduce_variance", 1.0),
        np.std: _spread("reduce_std", 0.5),
        np.linalg.norm: _linalg_norm,
        np.einsum: _einsum,
        np.pad: _pad,
        np.tile: _tile,
        np.split: _split,
        np.cumsum: _running("cumsum"),
        np.cumprod: _running("cumprod"),
        np.tensordot: lambda a, b, axes=2: _ops("array_ops").tensordot(a, b, axes),
        np.flip: _flip,
    }
)
