"""NumPy interop: `np.exp(t)`, `np.sum(t, axis=0)`, `a_numpy_array * t`, ... on tensors.

NumPy hands ufuncs to `Tensor.__array_ufunc__` and other functions to
`Tensor.__array_function__` (installed by this module, at its end); both land here and run the
matching op of the table, so they are recorded and differentiable. Functions that only inspect
values (`np.allclose`, `np.shape`, `np.isnan`, ...) run on the values and return plain NumPy
results. Anything else raises a `TypeError` naming it, rather than silently dropping off the
tape.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from autodiff import array_ops, math_ops, ops
from autodiff.tensor import Tensor, convert_to_tensor

# ufunc -> the name of its op in the table (same arguments), looked up in `ops` when called
UFUNCS: dict[np.ufunc, str] = {
    np.add: "add",
    np.subtract: "subtract",
    np.multiply: "multiply",
    np.true_divide: "divide",
    np.negative: "negative",
    np.positive: "identity",
    np.power: "pow",
    np.float_power: "float_power",
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


def _as_float64(x: Any) -> Any:
    return ops.cast(x, np.float64) if isinstance(x, Tensor) else np.asarray(x, np.float64)


def _float_power(x: Any, y: Any) -> Tensor:
    """`np.float_power`: `pow` computed in float64 (complex128 for complex), as NumPy."""
    if any(np.asarray(v).dtype.kind == "c" for v in (x, y)):
        return ops.pow(ops.cast(x, np.complex128), ops.cast(y, np.complex128))
    return ops.pow(_as_float64(x), _as_float64(y))


def _true_divide(x: Any, y: Any) -> Tensor:
    """`np.true_divide`: integers divided in float64, as NumPy (`ad.divide` gives float32
    for 8- and 16-bit integers, as TensorFlow)."""
    if all(np.asarray(v).dtype.kind in "biu" for v in (x, y)):
        return ops.divide(_as_float64(x), _as_float64(y))
    return ops.divide(x, y)


# ufuncs whose NumPy dtype rules differ from the op's: the op, on NumPy's dtypes
DTYPED_UFUNCS: dict[np.ufunc, Callable[..., Tensor]] = {
    np.float_power: _float_power,
    np.true_divide: _true_divide,
}

# ufuncs that only inspect values: computed on the values, not recorded
VALUE_UFUNCS = {np.isnan, np.isinf, np.isfinite, np.signbit, np.logical_not}


def _refuse_extra(name: str, given: dict[str, Any]) -> None:
    """Refuse NumPy keywords the op has no counterpart for (rather than ignore them)."""
    used = sorted(k for k, v in given.items() if v is not None)
    if used:
        raise TypeError(
            f"the keyword arguments {used} are not supported on autodiff tensors (outputs "
            f"are new immutable tensors, in the dtype NumPy gives); call np.{name} on "
            "np.asarray(t) for a plain array"
        )


def _numpy_dtype(a: Any, name: str) -> Any:
    """`a` cast to the dtype NumPy's `np.sum`/`np.prod` (ints and bools: 64 bits) or
    `np.mean` (ints and bools: float64) compute in; floats unchanged (and recorded)."""
    if not isinstance(a, Tensor):
        a = convert_to_tensor(np.asarray(a))
    kind = a.dtype.kind
    if kind in "biu":
        if name == "mean":
            return ops.cast(a, np.float64)
        return ops.cast(a, np.uint64 if kind == "u" else np.int64)
    return a


def _reduction(op_name: str, numpy_name: str) -> Callable[..., Tensor]:
    def call(a: Any, axis: Any = None, *, keepdims: bool = False, **unsupported: Any) -> Tensor:
        _refuse_extra(numpy_name, unsupported)
        if numpy_name in ("sum", "prod", "mean"):
            a = _numpy_dtype(a, numpy_name)
        elif np.size(a) == 0:  # NumPy's max of nothing is an error (TensorFlow's is -inf)
            getattr(np, numpy_name)(np.asarray(a), axis=axis, keepdims=keepdims)
        return getattr(ops, op_name)(a, axis, keepdims=keepdims)

    return call


def _where(condition: Any, x: Any = None, y: Any = None) -> Tensor:
    if x is None or y is None:
        raise TypeError(
            "np.where(condition) without x and y is not recorded; use np.where(condition, x, y)"
        )
    return ops.where(condition, x, y)


def _dot(a: Any, b: Any, out: Any = None) -> Tensor:
    """`np.dot`: a product for a scalar, `matmul` up to 2-D, and for N-D NumPy's sum over
    the last axis of `a` and the second-to-last of `b` (shape
    `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`)."""
    _refuse_extra("dot", {"out": out})
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return ops.multiply(a, b)
    if (b.ndim <= 2 and a.ndim <= 2) or b.ndim == 1:
        return ops.matmul(a, b)
    n = b.ndim
    moved = ops.transpose(b, [n - 2, *range(n - 2), n - 1])  # b's summed axis first
    flat_b = ops.reshape(moved, [b.shape[-2], -1])
    product = ops.matmul(ops.reshape(a, [-1, a.shape[-1]]), flat_b)
    return ops.reshape(product, [*a.shape[:-1], *b.shape[:-2], b.shape[-1]])


def _reshape(a: Any, shape: Any = None, order: str = "C", *, copy: Any = None) -> Tensor:
    """`np.reshape` in C or Fortran order ('A': Fortran if `a` is Fortran-contiguous only)."""
    if shape is None:
        raise TypeError("reshape() missing required argument 'shape'")
    if order == "A":
        values = np.asarray(a)
        order = "F" if values.flags.f_contiguous and not values.flags.c_contiguous else "C"
    if order == "C":
        return ops.reshape(a, shape)
    if order != "F":
        raise ValueError(f"order must be one of 'C', 'F' or 'A', got {order!r}")
    shape = [shape] if isinstance(shape, int | np.integer) else list(shape)
    backwards = ops.reshape(ops.transpose(a), shape[::-1])  # Fortran order: reversed axes
    return ops.transpose(backwards)


def _concatenate(arrays: Any, axis: Any = 0, out: Any = None, **unsupported: Any) -> Tensor:
    _refuse_extra("concatenate", {"out": out, **unsupported})
    if axis is None:  # NumPy: flattened first
        return ops.concat([ops.reshape(x, [-1]) for x in arrays], axis=0)
    return ops.concat(list(arrays), axis=axis)


def _stack(arrays: Any, axis: int = 0, out: Any = None, **unsupported: Any) -> Tensor:
    _refuse_extra("stack", {"out": out, **unsupported})
    return ops.stack(list(arrays), axis=axis)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Tensor:
    """`np.clip`: `minimum(maximum(a, a_min), a_max)`, as NumPy (with a_min > a_max, a_max);
    either bound may be None (also given as `min=`/`max=`)."""
    a_min = kw.pop("min", a_min)
    a_max = kw.pop("max", a_max)
    _refuse_extra("clip", {"out": out, **kw})
    if a_min is None and a_max is None:
        raise ValueError("np.clip: one of a_min and a_max must be given")
    result = a if a_min is None else ops.maximum(a, a_min)
    return result if a_max is None else ops.minimum(result, a_max)


def _copy(a: Any, order: str = "K", subok: bool = False) -> Tensor:
    """`np.copy`: the same values, recorded (an `identity` op), so gradients flow through."""
    return ops.identity(a)


# function -> op (NumPy's signature mapped onto the op's)
FUNCTIONS: dict[Callable[..., Any], Callable[..., Tensor]] = {
    np.sum: _reduction("reduce_sum", "sum"),
    np.mean: _reduction("reduce_mean", "mean"),
    np.max: _reduction("reduce_max", "max"),
    np.amax: _reduction("reduce_max", "amax"),
    np.min: _reduction("reduce_min", "min"),
    np.amin: _reduction("reduce_min", "amin"),
    np.prod: _reduction("reduce_prod", "prod"),
    np.where: _where,
    np.dot: _dot,
    np.concatenate: _concatenate,
    np.stack: _stack,
    np.transpose: lambda a, axes=None: ops.transpose(a, axes),
    np.reshape: _reshape,
    np.expand_dims: lambda a, axis: ops.expand_dims(a, axis),
    np.squeeze: lambda a, axis=None: ops.squeeze(a, axis),
    np.broadcast_to: lambda array, shape, subok=False: ops.broadcast_to(array, shape),
    np.clip: _clip,
    np.copy: _copy,
    np.zeros_like: lambda a, dtype=None: ops.zeros_like(a, dtype),
    np.ones_like: lambda a, dtype=None: ops.ones_like(a, dtype),
}

# functions that only inspect values (or give indices, counts, bools): run by NumPy on the
# values. (Those that make new floats from them, np.sort or np.round, are refused: their
# result would drop off the tape.)
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
    np.isnan,
    np.iscomplexobj,
    np.isrealobj,
    np.argsort,
    np.nonzero,
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
    return DTYPED_UFUNCS.get(ufunc, getattr(ops, op_name, None))(*inputs)


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
    return array_ops.gather(a, index, axis=ax)


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
        result = getattr(math_ops, op_name)(a, axis, keepdims=keepdims)
        if ddof:
            shape = np.shape(a)
            axes = ops._axes(axis, len(shape))
            n = int(np.prod([shape[i] for i in (range(len(shape)) if axes is None else axes)]))
            with np.errstate(divide="ignore"):  # as NumPy: no degrees of freedom left, inf
                scale = np.float64(n) / max(n - ddof, 0)
            result = result * float(scale**power)
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
    return array_ops.norm(x, ord, axis=list(axis) if pair else axis, keepdims=keepdims)


def _einsum(subscripts: Any, *operands: Any, out: Any = None, optimize: Any = False, **kw: Any):
    """np.einsum with a subscripts string (optimize= only chooses an order: ignored)."""
    _no_extras("np.einsum", out=out, **kw)
    if not isinstance(subscripts, str):
        raise _refuse("np.einsum", "the interleaved form (operand, sublist, ...)")
    return array_ops.einsum(subscripts, *operands)


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
    return array_ops.pad(array, pads, mode.upper(), constant_values=value)


def _tile(A: Any, reps: Any) -> Tensor:
    """np.tile: fewer reps than axes repeat the last axes; more add leading axes."""
    reps = [int(r) for r in np.atleast_1d(_ints_of(reps))]
    shape = list(np.shape(A))
    if len(reps) > len(shape):
        A = ops.reshape(A, [1] * (len(reps) - len(shape)) + shape)
    reps = [1] * (len(shape) - len(reps)) + reps
    return array_ops.tile(A, reps)


def _split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """np.split: a number of equal sections, or the (increasing) indices to cut at."""
    if isinstance(indices_or_sections, int | np.integer):
        return array_ops.split(ary, int(indices_or_sections), axis=axis)
    n = np.shape(ary)[axis]
    cuts = [int(i) for i in _ints_of(indices_or_sections)]
    sizes = [b - a for a, b in itertools.pairwise([0, *cuts, n])]
    if min(sizes) < 0:
        raise _refuse("np.split", f"indices {cuts} that are not increasing within [0, {n}]")
    return array_ops.split(ary, sizes, axis)


def _running(op_name: str) -> Callable[..., Tensor]:
    def call(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        _no_extras(f"np.{op_name}", dtype=dtype, out=out)
        if axis is None:
            a, axis = ops.reshape(a, [-1]), 0
        return getattr(math_ops, op_name)(a, axis)

    return call


def _flip(m: Any, axis: Any = None) -> Tensor:
    axes = range(np.ndim(m)) if axis is None else np.atleast_1d(axis).tolist()
    return array_ops.reverse(m, list(axes))


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
        np.tensordot: lambda a, b, axes=2: array_ops.tensordot(a, b, axes),
        np.flip: _flip,
    }
)


# NumPy asks a tensor's class for these two: installed here, above the op table (`tensor.py`,
# below it, does not know the ops).
def _tensor_array_ufunc(
    self: Tensor, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any
) -> Any:
    """NumPy's ufuncs on tensors (`np.exp(t)`, `a_numpy_array * t`): see `array_ufunc`."""
    return array_ufunc(ufunc, method, inputs, kwargs)


def _tensor_array_function(self: Tensor, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    """NumPy's functions on tensors (`np.sum(t, axis=0)`): see `array_function`."""
    return array_function(func, args, kwargs)


Tensor.__array_ufunc__ = _tensor_array_ufunc  # type: ignore[attr-defined]
Tensor.__array_function__ = _tensor_array_function  # type: ignore[attr-defined]
