"""Tensors and variables: immutable NumPy values with TensorFlow's dtype rules and operators.

A `Tensor` wraps a NumPy array and a unique id (the key tapes use to find it). It never refers
to a tape, so tensors can't keep tapes alive. A 0-d float value is held as a NumPy scalar
(`np.float32(0.5)`, see `Tensor`): NumPy's arithmetic on scalars is several times faster than
on 0-d arrays, and scalar code (micrograd's ground) is little else. Tapes keep a tensor's
`Ref` rather than the tensor: a tuple of its id, value, name and (for a variable's read)
scope, which Python's cyclic garbage collector does not track, so a long recording does not
slow every collection down. A `Variable` is a tensor whose value can be replaced with
`assign`; when an operation reads it, the operation sees a `VariableRead`, a snapshot
carrying the variable's id and the value of that moment, so later assignments don't change
what a tape recorded.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, Union

import numpy as np

from autodiff.context import state

# A tensor as tapes record it: (id, value, name, scope); the scope is None but for a variable's
# read (a `VariableRead`), where it is the variable's scope ('' outside any).
Ref = tuple[int, np.ndarray, str | None, str | None]
ID, VALUE, NAME, VAR_SCOPE = range(4)  # the places in a `Ref`: `ref[VALUE]`
TensorLike = Union["Tensor", np.ndarray, np.generic, float, int, bool, Sequence[Any]]
DTypeLike = np.dtype | type | str | None

_next_id = itertools.count().__next__

float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = (np.dtype(f"int{n}") for n in (8, 16, 32, 64))
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")
complex64, complex128 = np.dtype("complex64"), np.dtype("complex128")
_INT32 = np.iinfo(np.int32)

# What a tensor can hold: TensorFlow's numeric dtypes. NumPy's others (strings, objects,
# dates, float128...) are refused when a tensor is made, so no op ever sees them.
_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
SUPPORTED = frozenset(
    np.dtype(n) for n in (*_NAMES, "float16", "float32", "float64", "complex64", "complex128")
)


def as_dtype(dtype: DTypeLike) -> np.dtype:
    """NumPy dtype for `dtype` (`ad.float32`, `np.float32`, `'float32'`, `float`, ...)."""
    if isinstance(dtype, np.dtype) and dtype in SUPPORTED:
        return dtype
    if dtype is float:
        return float32
    if dtype is int:
        return int32
    if dtype is bool:
        return bool_
    try:
        result = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{dtype!r} is not a dtype; use e.g. ad.float32 or 'float64'") from e
    if not result.isnative:
        result = result.newbyteorder("=")
    if result not in SUPPORTED:
        raise TypeError(
            f"tensors cannot hold {result} values; use one of TensorFlow's dtypes: bool, "
            "int8-int64, uint8-uint64, float16, float32, float64, complex64, complex128"
        )
    return result


def is_differentiable(dtype: np.dtype) -> bool:
    """Whether tapes trace gradients through values of this dtype: floats, and complex
    numbers (traced so that a gradient through them is refused clearly, see `GradientTape`)."""
    return dtype.kind in "fc"


# What a tensor holds as it is given (see `Tensor.__init__`): arrays, and 0-d floats as NumPy
# scalars.
HELD = frozenset({np.ndarray, np.float16, np.float32, np.float64})


@functools.lru_cache(maxsize=256)
def repeated(shape: tuple[int, ...], dtype: np.dtype, item: bytes) -> np.ndarray:
    """A read-only array of `shape` holding one value everywhere (`item`: its bytes), which
    takes no memory (all strides 0 over the one item). Shared: the same few (zeros of an
    activation's shape, the gradient of a sum of a loss) come back at every training step."""
    return np.ndarray(shape, dtype, item, strides=(0,) * len(shape))


def _python_default(array: np.ndarray) -> np.ndarray:
    """TensorFlow's defaults for Python values: floats become float32, ints int32."""
    kind = array.dtype.kind
    if kind == "f":
        return array.astype(float32)
    if kind in "iu":
        if array.size and (array.min() < _INT32.min or array.max() > _INT32.max):
            return array.astype(int64)
        return array.astype(int32)
    if kind == "c":
        return array.astype(complex128)
    return array  # bool


def to_array(
    value: Any,
    dtype: DTypeLike = None,
    *,
    what: str = "value",
    error: type[Exception] = TypeError,
    where: str = "",
    cast: bool = False,
) -> np.ndarray:
    """A fresh NumPy array for `value` following TensorFlow's dtype rules.

    Python scalars and (nested) lists take float32/int32/bool; NumPy arrays keep their dtype;
    `dtype` overrides. A conversion that would lose the value (a float or an out-of-range
    int into an integer dtype, a complex number into a real one) raises `error`, except for
    a NumPy array with `cast=True` (an explicit `dtype=`: cast as NumPy's `astype`, as
    TensorFlow does). A value no tensor can hold (strings, objects, dates) is a TypeError.
    `where` (the operation) starts the message.
    """
    if isinstance(value, Tensor):
        array = value._value
        return array if dtype is None else array.astype(as_dtype(dtype), copy=False)
    if type(value) is float and isinstance(dtype, np.dtype) and dtype.kind == "f":  # `x * 2.0`
        return np.array(value, dtype)
    prefix = f"{where}: " if where else ""
    if isinstance(value, np.ndarray | np.generic):
        array = np.array(value)  # a copy: the user may change their array later
        python = False
    else:
        array, python = _from_python(value, what, prefix), True
        if array.dtype.kind in "ufO" and array.size:  # (NumPy's choices for ints past int64)
            _check_python_ints(array, value, dtype, what, prefix)
    if array.dtype not in SUPPORTED:
        array = _supported(array, value, what, prefix)
    if dtype is None:
        return _python_default(array) if python else array
    dtype = as_dtype(dtype)
    if array.dtype == dtype:
        return array
    if not cast or python:
        _check_lossless(array, dtype, value, what, prefix, error)
    elif array.dtype.kind == "c" and dtype.kind != "c":
        array = array.real  # what the cast keeps, without NumPy's warning
    return array.astype(dtype)


def _from_python(value: Any, what: str, prefix: str) -> np.ndarray:
    """`np.array(value)` for a Python value, with clear errors for what makes no tensor."""
    try:
        return np.array(value)
    except (ValueError, OverflowError) as e:
        raise ValueError(
            f"{prefix}cannot convert {what} {_short(value)} to a tensor: {e}. Nested lists "
            "must be rectangular (every row the same length)"
        ) from e


_INT64_LIMIT = 2**63


def _check_python_ints(
    array: np.ndarray, value: Any, dtype: DTypeLike, what: str, prefix: str
) -> None:
    """Refuse Python ints outside int64's range (NumPy would make them uint64, which int64
    wraps around, floats, or objects), as TensorFlow does, unless `dtype` asks for floats or
    unsigned integers, or the values hold a float (then they are all floats)."""
    if array.dtype.kind == "f" and not (np.abs(array) >= _INT64_LIMIT).any():
        return  # (floats: the scan below only when a value is that large)
    if dtype is not None and as_dtype(dtype).kind in "uf":
        return  # what it is converted to is checked by `_check_lossless`
    stack, big = [value], None
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, float) and array.dtype.kind == "f":
            return  # a float among them: a float tensor (`[1.5, 2**63]`, as TensorFlow)
        elif isinstance(item, int) and not -_INT64_LIMIT <= item < _INT64_LIMIT:
            big = item
    if big is not None:
        raise ValueError(
            f"{prefix}cannot convert {what} {_short(value)} to a tensor: the Python integer "
            f"{big} is outside int64's range [-2**63, 2**63 - 1] (as TensorFlow, it is "
            "refused rather than wrapped around or rounded). Pass it as a float (e.g. "
            "2.0**63), or dtype='uint64' for integers up to 2**64 - 1"
        )


def _supported(array: np.ndarray, value: Any, what: str, prefix: str) -> np.ndarray:
    """`array` in a dtype a tensor can hold (native byte order), or a TypeError."""
    if array.dtype.kind in "biufc" and array.dtype.newbyteorder("=") in SUPPORTED:
        return array.astype(array.dtype.newbyteorder("="))
    kind = {"O": "objects", "U": "strings", "S": "bytes", "M": "dates", "m": "time deltas"}
    held = kind.get(array.dtype.kind, f"{array.dtype} values")
    if array.dtype == object and isinstance(value, int | list | tuple):
        held += " (an integer too large for int64?)"
    raise TypeError(
        f"{prefix}cannot convert {what} {_short(value)} to a tensor: it holds {held} (NumPy "
        f"dtype {array.dtype}), and tensors hold numbers and bools of TensorFlow's dtypes. "
        "Pass numbers, nested lists of numbers or numeric NumPy arrays (a float128 array: "
        "cast it to float64 first)"
    )


def _check_lossless(
    array: np.ndarray,
    dtype: np.dtype,
    value: Any,
    what: str,
    prefix: str,
    error: type[Exception],
) -> None:
    """Raise `error` if converting `array` to `dtype` would change its values."""
    source = array.dtype.kind
    if dtype.kind in "iub" and source in "fc":
        raise error(
            f"{prefix}cannot convert {what} {_short(value)} to {dtype}: it is not an integer. "
            f"Use an integer, or cast the tensor to a float dtype with ad.cast(x, ad.float32)"
        )
    if dtype.kind == "f" and source == "c":
        raise error(
            f"{prefix}cannot convert {what} {_short(value)} to {dtype}: it is complex. Use "
            f"a complex tensor (ad.cast(x, ad.complex64)), or pass the real part"
        )
    if dtype.kind in "iu" and source in "iu" and array.size and not np.can_cast(array.dtype, dtype):
        info = np.iinfo(dtype)
        if array.min() < info.min or array.max() > info.max:
            raise error(
                f"{prefix}cannot convert {what} {_short(value)} to {dtype}: it is out of its "
                f"range [{info.min}, {info.max}]. Cast the tensor to a wider dtype first, "
                f"e.g. ad.cast(x, ad.int64)"
            )


def checked_name(name: Any, where: str) -> str | None:
    """`name` if it is None or a string, else a TypeError (a name is drawn as text)."""
    if name is None or isinstance(name, str):
        return name
    raise TypeError(
        f"{where}: name must be a string (or None), got {type(name).__name__} {_short(name)}; "
        f"e.g. name='w' or name=str(value)"
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Tensor:
    """An immutable multi-dimensional array, as `tf.Tensor`.

    Create one with `ad.constant`; operations return new tensors. Tensors support NumPy
    broadcasting in every operator, `t[index]`, and `np.asarray(t)`.
    """

    __slots__ = ("__weakref__", "_id", "_name", "_ref", "_value")
    __array_priority__ = 1000.0

    def __init__(self, value: np.ndarray, name: str | None = None) -> None:
        """Wrap `value` (a NumPy array, not copied). Users call `ad.constant` instead.

        A 0-d float array is held as its NumPy scalar: the same number, dtype and shape `()`,
        and arithmetic on it is several times faster. The engine takes either; NumPy
        functions take both."""
        if type(value) is np.ndarray and not value.ndim and value.dtype.kind == "f":
            value = value[()]
        self._value = value
        self._id = key = _next_id()
        self._name = name
        self._ref: Ref = (key, value, name, None)

    # ----- what a tensor is -----

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple of ints (`()` for a scalar)."""
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the values, e.g. `float32`."""
        return self._value.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions (the rank)."""
        return self._value.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._value.size

    @property
    def name(self) -> str | None:
        """The name given with `name=`, or None."""
        return self._name

    def numpy(self) -> np.ndarray:
        """The values as a new NumPy array (a NumPy scalar for a 0-d tensor, as TensorFlow)."""
        value = self._value
        return value.copy() if value.ndim else value[()]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        value = self._value
        if type(value) is not np.ndarray:  # a 0-d float, held as a NumPy scalar
            value = np.array(value)
        if copy:
            return value.astype(value.dtype if dtype is None else dtype)
        # The tensor's own values, without a copy (as TensorFlow), made read-only: a tensor
        # never changes, nor does what a tape recorded. (The engine itself never writes into
        # a tensor's array, so this is done here, where the array leaves the engine, rather
        # than for every array an op makes.)
        value.setflags(write=False)
        return value if dtype is None else value.astype(dtype, copy=False)

    def __repr__(self) -> str:
        text = str(self._value)
        if "\n" in text:
            text = "\n" + text
        return f"Tensor({text}, shape={self.shape}, dtype={self.dtype})"

    __str__ = __repr__

    # ----- Python protocols -----

    def __hash__(self) -> int:
        return self._id

    def __copy__(self) -> Tensor:
        return self  # immutable: a copy would be the same tensor (as TensorFlow)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # unpickled, a tensor is a new one: the id (what tapes know it by) is never copied
        return (_unpickled_tensor, (self._value, self._name))

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use ad.reduce_any / ad.reduce_all, or compare a scalar"
            )
        return bool(self._value)

    def __len__(self) -> int:
        if not self._value.ndim:
            raise TypeError("len() of a scalar (0-d) tensor is undefined")
        return len(self._value)

    def __iter__(self):  # type: ignore[no-untyped-def]
        if not self._value.ndim:
            raise TypeError("iteration over a scalar (0-d) tensor")
        return (self[i] for i in range(len(self._value)))

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return int(self._value)

    def __format__(self, spec: str) -> str:
        if not spec:
            return repr(self)
        return format(self._value[()] if self._value.ndim == 0 else self._value, spec)

    # ----- operators -----
    # `+`, `*`, `@`, `t[i]`, `<`, `.T`... are installed by the op module (`ops.py`, as
    # TensorFlow's `math_ops.py` does): each one is an op of the table, recorded like the
    # functions. NumPy's `np.exp(t)`, `np.sum(t)`... are installed by `interop.py`.

    if TYPE_CHECKING:  # (what they are, for type checkers; no import behind them)

        def __add__(self, other: TensorLike) -> Tensor: ...
        def __radd__(self, other: TensorLike) -> Tensor: ...
        def __sub__(self, other: TensorLike) -> Tensor: ...
        def __rsub__(self, other: TensorLike) -> Tensor: ...
        def __mul__(self, other: TensorLike) -> Tensor: ...
        def __rmul__(self, other: TensorLike) -> Tensor: ...
        def __truediv__(self, other: TensorLike) -> Tensor: ...
        def __rtruediv__(self, other: TensorLike) -> Tensor: ...
        def __pow__(self, other: TensorLike) -> Tensor: ...
        def __rpow__(self, other: TensorLike) -> Tensor: ...
        def __matmul__(self, other: TensorLike) -> Tensor: ...
        def __rmatmul__(self, other: TensorLike) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __lt__(self, other: TensorLike) -> Tensor: ...
        def __le__(self, other: TensorLike) -> Tensor: ...
        def __gt__(self, other: TensorLike) -> Tensor: ...
        def __ge__(self, other: TensorLike) -> Tensor: ...
        def __eq__(self, other: object) -> Tensor | bool: ...  # type: ignore[override]
        def __ne__(self, other: object) -> Tensor | bool: ...  # type: ignore[override]

        @property
        def T(self) -> Tensor: ...

    def __pos__(self) -> Tensor:
        return self


class VariableRead(Tensor):
    """What an operation sees when it reads a `Variable`: its value at that moment.

    It carries the variable's id (so tapes that watch the variable see it), name and scope.
    """

    __slots__ = ("scope", "trainable")

    def __init__(
        self, value: np.ndarray, var_id: int, name: str | None, trainable: bool, scope: str
    ) -> None:
        """A snapshot of a variable (made by `Variable.read`, not by users)."""
        self._value = value
        self._id = var_id
        self._name = name
        self._ref = (var_id, value, name, scope)
        self.trainable = trainable
        self.scope = scope

    def __repr__(self) -> str:
        return f"<VariableRead of {self._name!r}: {Tensor.__repr__(self)}>"


class Variable(Tensor):
    """A mutable tensor, as `tf.Variable`: the parameters a model learns.

    Every active tape with `watch_accessed_variables=True` watches a trainable variable when an
    operation reads it. `assign`, `assign_add` and `assign_sub` replace the value in place (same
    object, same shape and dtype) and are not recorded.
    """

    __slots__ = ("_read", "_token", "scope", "trainable")

    def __init__(
        self,
        initial_value: TensorLike,
        trainable: bool = True,
        name: str | None = None,
        dtype: DTypeLike = None,
    ) -> None:
        """Create a variable from `initial_value` (converted by the rules of `ad.constant`).

        Created inside `ad.name_scope`, it belongs to that scope (`.scope`, '' outside any):
        the visualizer draws it in the scope's cluster, with the layer that owns it.
        """
        name = checked_name(name, "Variable")
        super().__init__(
            to_array(initial_value, dtype, what="initial_value", where="Variable", cast=True), name
        )
        self.trainable = bool(trainable)
        self.scope: str = state.scope
        self._read: VariableRead | None = None
        self._token: object = None  # `state.token` when the recording tapes last watched it

    def read(self) -> VariableRead:
        """The current value as a tensor, watched by the active tapes (as an op would read it)."""
        snapshot = self._read
        if snapshot is None:
            snapshot = self._read = VariableRead(
                self._value, self._id, self._name, self.trainable, self.scope
            )
        if self.trainable and self._token is not state.token:
            for tape in state.recording:
                if tape._watch_accessed_variables and self._id not in tape._variables:
                    tape._watch_variable(self)
            self._token = state.token
        return snapshot

    # `read_value()` and `value()`, the current value as a new tensor recorded as a read of
    # the variable (an `identity` op, so that gradients flow through it to the variable), are
    # installed by the op module with the operators.
    if TYPE_CHECKING:

        def read_value(self) -> Tensor: ...
        def value(self) -> Tensor: ...

    def assign(self, value: TensorLike) -> Variable:
        """Replace the value with `value` (same shape; converted to this variable's dtype)."""
        new = Tensor(self._converted(value, "assign"))._value  # (held as a tensor holds it)
        self._value, self._read = new, None
        return self

    def assign_add(self, delta: TensorLike) -> Variable:
        """Add `delta` to the value in place."""
        return self.assign(self._value + self._converted(delta, "assign_add"))

    def assign_sub(self, delta: TensorLike) -> Variable:
        """Subtract `delta` from the value in place (e.g. a gradient-descent step)."""
        return self.assign(self._value - self._converted(delta, "assign_sub"))

    def _converted(self, value: TensorLike, op: str) -> np.ndarray:
        if op != "assign" and self.dtype == bool_:
            raise TypeError(
                f"{op}: variable {self._name or ''!r} is bool, which has no arithmetic; use "
                "assign(new_value) instead"
            )
        if isinstance(value, Tensor) and value.dtype != self.dtype:
            raise ValueError(
                f"{op}: variable {self._name or ''!r} has dtype {self.dtype} but the value has "
                f"dtype {value.dtype}; cast it first with ad.cast(value, ad.{self.dtype})"
            )
        array = to_array(value, self.dtype, what="the value", where=op)
        if array.shape != self.shape:
            raise ValueError(
                f"{op}: variable {self._name or ''!r} has shape {self.shape} but the value has "
                f"shape {array.shape}; a variable keeps its shape, so reshape the value"
            )
        return array

    # ----- what Python's protocols mean for a variable (as TensorFlow) -----

    def __copy__(self) -> Variable:
        return self  # `copy.copy(v)` is `v` itself

    def __deepcopy__(self, memo: dict[int, Any]) -> Variable:
        """A new variable (a new identity for tapes) with a copy of the value."""
        copied = _unpickled_variable(self._value, self.trainable, self._name, self.scope)
        memo[id(self)] = copied
        return copied

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickled_variable, (self._value, self.trainable, self._name, self.scope))

    def _in_place(self, symbol: str, fix: str) -> NoReturn:
        raise TypeError(
            f"`variable {symbol}= value` is not supported on ad.Variable: it would make a new "
            "tensor and rebind the name to it, leaving the variable (and what tapes watch) "
            f"behind. Change the variable in place with {fix}"
        )

    def __iadd__(self, other: TensorLike) -> NoReturn:
        self._in_place("+", "variable.assign_add(value)")

    def __isub__(self, other: TensorLike) -> NoReturn:
        self._in_place("-", "variable.assign_sub(value)")

    def __imul__(self, other: TensorLike) -> NoReturn:
        self._in_place("*", "variable.assign(variable * value)")

    def __itruediv__(self, other: TensorLike) -> NoReturn:
        self._in_place("/", "variable.assign(variable / value)")

    def __ipow__(self, other: TensorLike) -> NoReturn:
        self._in_place("**", "variable.assign(variable ** value)")

    def __imatmul__(self, other: TensorLike) -> NoReturn:
        self._in_place("@", "variable.assign(variable @ value)")

    def __repr__(self) -> str:
        return (
            f"<Variable '{self._name or 'Variable'}' shape={self.shape} dtype={self.dtype}, "
            f"numpy={self._value!r}>"
        )

    __str__ = __repr__


# The tensor classes, for checks by exact type on hot paths (`type(x) in TENSORS` is faster
# than `isinstance`).
TENSORS = frozenset({Tensor, VariableRead, Variable})


def from_ref(ref: Ref) -> Tensor:
    """The tensor a tape's `Ref` stands for: same id (tapes know it as the same tensor) and
    value; a `VariableRead` for a variable's read."""
    key, value, name, scope = ref
    if scope is not None:  # a variable's read
        return VariableRead(value, key, name, True, scope)
    tensor = Tensor.__new__(Tensor)
    tensor._value, tensor._id, tensor._name, tensor._ref = value, key, name, ref
    return tensor


def _unpickled_tensor(value: np.ndarray, name: str | None) -> Tensor:
    return Tensor(np.array(value), name)


def _unpickled_variable(
    value: np.ndarray, trainable: bool, name: str | None, scope: str
) -> Variable:
    """A new variable with these attributes (unpickled or deep-copied)."""
    variable = Variable(value, trainable=trainable, name=name)
    variable.scope = scope
    return variable


def constant(value: TensorLike, dtype: DTypeLike = None, name: str | None = None) -> Tensor:
    """An immutable tensor holding a copy of `value`, as `tf.constant`.

    Python floats (and lists of them) become float32, ints int32, NumPy arrays keep their
    dtype, and `dtype=` overrides. A constant is not watched by tapes unless `tape.watch`
    is called on it.
    """
    name = checked_name(name, "constant")
    if isinstance(value, Variable):
        value = value.read()
    return Tensor(to_array(value, dtype, where="constant", cast=True), name)


def convert_to_tensor(value: TensorLike, dtype: DTypeLike = None) -> Tensor:
    """`value` itself if it is already a tensor (of `dtype`), else a new constant."""
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != as_dtype(dtype):
            raise ValueError(
                f"convert_to_tensor: the tensor has dtype {value.dtype}, not {as_dtype(dtype)};"
                f" use ad.cast(x, ad.{as_dtype(dtype)}) to change it"
            )
        # a variable: its value as a new tensor, recorded as a read (see `read_value`)
        return value.read_value() if isinstance(value, Variable) else value
    return Tensor(to_array(value, dtype, where="convert_to_tensor", cast=True))
