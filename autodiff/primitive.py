"""What an operation is, and how one runs: convert the inputs, compute with NumPy, record.

An `Op` pairs a forward function written on NumPy arrays with one gradient function per input:
a vector-Jacobian product written with the table's ops, on the backend `ops` its caller passes
(`autodiff.backend`): on tensors, a tape recording the backward pass can differentiate it again
(second derivatives); on bare arrays, it costs only its NumPy calls. Each op also carries a
short formula of its local derivatives, which the visualizer shows. `autodiff.ops` is the table.

    @primitive(grads=(lambda ops, g, out, x, y: g * y, lambda ops, g, out, x, y: g * x),
               formulas=("d(x*y)/dx = y", "d(x*y)/dy = x"))
    def multiply(x, y, name=None):
        return np.multiply(x, y)

The decorated function becomes the public one: it takes tensors (or anything `ad.constant`
accepts), and returns a `Tensor`, recorded on every tape that is recording.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autodiff.backend import ON_ARRAYS, ON_TENSORS
from autodiff.context import state
from autodiff.errors import InvalidArgumentError
from autodiff.tensor import (
    HELD,
    ID,
    SUPPORTED,
    VALUE,
    VAR_SCOPE,
    Ref,
    Tensor,
    Variable,
    VariableRead,
    checked_name,
    from_ref,
    repeated,
    to_array,
)

# An op's gradient for one input: `grad(ops, g, out, *inputs, **attrs)` (see `primitive`)
Grad = Callable[..., Tensor | None]
# An op's forward-mode rule: "elementwise", "linear", "multilinear", "vjp" (see
# `autodiff.forward`), or a function `jvp(ops, tangents, out, *inputs, **attrs)`
Jvp = str | Callable[..., Tensor | None]
NO_ATTRS: dict[str, Any] = {}

# What an op's inputs may hold, by NumPy dtype kind (b bool, i/u signed/unsigned int, f float,
# c complex), as TensorFlow's kernels: no arithmetic on bools, no order on complex numbers,
# transcendental functions on floats only (an int32 `exp` is refused, not computed in float64).
DTYPES = {
    "any": "biufc",
    "number": "iufc",  # arithmetic: not bool
    "signed": "ifc",  # negative, abs, sign, pow: unsigned values would wrap around
    "real": "iuf",  # ordered: maximum, relu, comparisons, reduce_max...
    "ordered": "biuf",  # argmax, argmin
    "float": "fc",  # exp, log, tanh, sigmoid...
    "real float": "f",  # softplus, softmax, logsumexp
    "bool": "b",  # reduce_any, reduce_all
}


class Op:
    """One operation of the table: its NumPy forward, its gradients and their formulas."""

    __slots__ = (
        "accepts",
        "args_of",
        "call",
        "differentiable",
        "dtypes",
        "explain",
        "formulas",
        "forward",
        "frees",
        "grads",
        "independent",
        "input_names",
        "joint",
        "jvp",
        "key",
        "name",
        "public",
        "record",
        "rerun",
        "run",
        "same_as",
        "saves",
        "saves_out",
        "variadic",
        "vjps",
    )

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        grads: Sequence[Grad | None],
        formulas: Sequence[str],
        *,
        input_names: Sequence[str],
        dtypes: str = "any",
        independent: Sequence[int] = (),
        variadic: bool = False,
        explain: Callable[..., str | None] | None = None,
        saves: Sequence[str] | None = None,
        public: bool = True,
        jvp: Jvp | None = None,
        joint: Callable[..., list[Any]] | None = None,
        attrs: bool = True,
    ) -> None:
        """See `primitive` for the meaning of each argument; `joint` is below; `attrs`: whether
        the forward takes attributes after its inputs."""
        if dtypes not in DTYPES:
            raise ValueError(f"{name}: dtypes={dtypes!r} is none of {sorted(DTYPES)}")
        self.name = name
        self.dtypes = dtypes
        # the dtypes its (non-independent) inputs may have: a set, checked on every call
        self.accepts = frozenset(d for d in SUPPORTED if d.kind in DTYPES[dtypes])
        self.public = public
        self.forward = forward
        self.grads = tuple(grads)
        self.formulas = tuple(formulas)
        self.input_names = tuple(input_names)
        # How the op is called, chosen here once for its call shape (see `_call_shape`):
        # `call(values, attrs)` and `run(tensors, attrs)` run the forward, `record(inputs,
        # output, attrs)` records it on the tapes, `args_of(refs, bare)` reads a record's
        # inputs for the gradients, and `vjps[i](ops, g, out, args, attrs)` is input i's gradient.
        _call_shape(self, None if variadic else len(self.input_names), attrs)
        self.independent = frozenset(independent)
        self.variadic = variadic
        self.explain = explain
        # How forward mode gets the op's Jacobian-vector product (see `autodiff.forward`):
        # None (an op defined without saying) is derived from the gradients, as "vjp"
        self.jvp = jvp
        self.differentiable = tuple(i for i, g in enumerate(self.grads) if g is not None)
        self._set_saves(saves)
        # What records keep of the op: its place in `TABLE`, or the op itself for a one-off
        # op (such as a custom gradient's), which is not in the table.
        self.key: int | Op = self
        # For ops that must re-run user code on replay (custom_gradient): values, attrs ->
        # (output, the op to differentiate that output with).
        self.rerun: Callable[[list[np.ndarray], Any], tuple[np.ndarray, Op]] | None = None
        # For a variadic op: (ops, g, out, inputs, attrs) -> the gradient of every input,
        # called once per backward step, on the backend `ops` (see `autodiff.backend`).
        # Given for one call of user code (a custom gradient's grad_fn); else from `grads`.
        self.joint = joint if joint is not None or not variadic else _joint(self.grads[0])
        # For a custom gradient's op: the id of the function's own output, whose tangent (in
        # forward mode, when its ops gave it one) is the op's, as TensorFlow's
        self.same_as: int | None = None

    def _set_saves(self, saves: Sequence[str] | None) -> None:
        """What the gradients read the values of (`saves`: None, everything), by input index;
        the backward pass of a non-persistent tape keeps only the shape of the rest: the
        values at the places of a record in `frees` (see `Record`; a variadic op's inputs are
        added to them), which `for_backward` replaces."""
        self.saves: frozenset[int] | None = None
        self.saves_out = True
        self.frees: tuple[int, ...] | None = None
        if saves is None:
            return
        unknown = set(saves) - {"out", *self.input_names}
        if unknown or (self.variadic and set(saves) - {"out"}):
            raise ValueError(f"{self.name}: saves={tuple(saves)} names no input or 'out'")
        self.saves = frozenset(self.input_names.index(s) for s in saves if s != "out")
        self.saves_out = "out" in saves
        inputs = () if self.variadic else range(len(self.input_names))
        self.frees = (() if self.saves_out else (OUTPUT,)) + tuple(
            INPUTS + i for i in inputs if i not in self.saves
        )

    def grad(self, index: int) -> Grad | None:
        """The gradient function of input `index` (variadic ops share one, given `index=`)."""
        if self.variadic:
            grad = self.grads[0]
            return None if grad is None else functools.partial(grad, index=index)
        return self.grads[index]

    def formula(self, index: int) -> str:
        """The local derivative with respect to input `index`, as short text."""
        if not self.formulas:
            return ""
        return self.formulas[0 if self.variadic else index]

    def __repr__(self) -> str:
        return f"<Op {self.name}>"


def _call_shape(op: Op, n: int | None, attrs: bool) -> None:
    """Give `op` (of `n` inputs, None for a variadic op, whose forward and gradient take a
    list; taking attributes or not) its ways of being called, chosen once when it is defined:
    they run for every op, so an op of one or two inputs, the common shapes, gets them without
    building a list or unpacking one (each costs ~100 ns, a tenth of a scalar op)."""
    forward = op.forward
    op.call = calling(forward, variadic=n is None)
    # `state.quiet(f, *args, **kwargs)` is `f(*args, **kwargs)` with NumPy's floating-point
    # warnings ignored: the one warnings policy of every forward (see `context.quiet_runner`)
    if n == 1 and not attrs:
        op.run = lambda inputs, attrs: state.quiet(forward, inputs[0]._value)
    elif n == 2 and not attrs:
        op.run = lambda inputs, attrs: state.quiet(forward, inputs[0]._value, inputs[1]._value)
    elif n is None:
        op.run = lambda inputs, attrs: state.quiet(forward, [x._value for x in inputs], **attrs)
    else:
        op.run = lambda inputs, attrs: state.quiet(forward, *[x._value for x in inputs], **attrs)
    op.vjps = () if n is None else tuple(_vjp(grad, n, attrs) for grad in op.grads)

    def record(inputs: Sequence[Tensor], output: Tensor, attrs: dict) -> Tensor:
        """Hand the recording tapes the record of the op making `output` from `inputs`, in
        the current name scope; returns `output`."""
        tapes = state.recording
        if tapes:
            key, out, attrs, scope = op.key, output._ref, attrs or None, state.scope
            if n == 1:  # (the record of an op of one input, of two, of any number)
                entry = (key, out, attrs, scope, inputs[0]._ref)
            elif n == 2:
                entry = (key, out, attrs, scope, inputs[0]._ref, inputs[1]._ref)
            else:
                entry = (key, out, attrs, scope, *[x._ref for x in inputs])
            for tape in tapes:
                tape._record(entry, op)
        return output

    def args_of(refs: Sequence[Ref], bare: bool) -> list[Any]:
        """The inputs of a record as its gradients take them: bare values (`bare`: a 0-d float
        is a NumPy scalar, see `Tensor`) or tensors."""
        if not bare:
            return [from_ref(x) for x in refs]
        if n == 1:
            return [refs[0][VALUE]]
        if n == 2:
            return [refs[0][VALUE], refs[1][VALUE]]
        return [x[VALUE] for x in refs]

    op.record, op.args_of = record, args_of


def calling(f: Callable[..., Any], variadic: bool) -> Callable[[Sequence[Any], dict], Any]:
    """`call(values, attrs)` for a function of an op's inputs and attributes (its forward, its
    `explain`): `f(*values, **attrs)`, or for a variadic op `f(values, **attrs)`."""
    if variadic:
        return lambda values, attrs: f(values, **attrs)
    return lambda values, attrs: f(*values, **attrs)


def _vjp(grad: Grad | None, n: int, attrs: bool) -> Callable[..., Any]:
    """`vjp(ops, g, out, args, attrs)`: `grad(ops, g, out, *args, **attrs)`, for an op of `n`
    inputs that takes attributes or not (see `_call_shape`), or None when the input gets no
    gradient."""
    if grad is None:
        return lambda ops, g, out, args, attrs: None
    if n == 1 and not attrs:
        return lambda ops, g, out, args, attrs: grad(ops, g, out, args[0])
    if n == 2 and not attrs:
        return lambda ops, g, out, args, attrs: grad(ops, g, out, args[0], args[1])
    return lambda ops, g, out, args, attrs: grad(ops, g, out, *args, **attrs)


def _joint(grad: Grad | None) -> Callable[..., list[Any]]:
    """`joint(ops, g, out, values, attrs)` for a variadic op's one gradient function, given
    the list of inputs and `index=`: the gradients of every input."""
    if grad is None:
        return lambda ops, g, out, values, attrs: [None] * len(values)
    return lambda ops, g, out, values, attrs: [
        grad(ops, g, out, values, index=i, **attrs) for i in range(len(values))
    ]


# Every op of the table (`primitive` adds them), by `Op.key`, their number.
TABLE: list[Op] = []

# What the tapes saw of one operation: (op, output ref, attrs, scope, *input refs), where op is
# the op's key in `TABLE` (a one-off op is kept itself) and attrs None when there are none.
# Records are flat tuples of numbers, strings and arrays (tensors as `Ref`s), which Python's
# cyclic garbage collector untracks in the young generations, so a recording of 100,000 ops
# costs nothing to the full collections. (A dict, even empty, would keep a tuple tracked, and
# so would a tuple nested two deep: the collector checks a container before its contents.)
Record = tuple[Any, ...]
OP, OUTPUT, ATTRS, SCOPE, INPUTS = range(5)  # the places in a `Record`; inputs: `[INPUTS:]`


class _ByKey(dict[Any, Op]):
    """The ops of `TABLE` by key; a key it does not hold is a one-off op, its own key."""

    def __missing__(self, key: Op) -> Op:
        return key


# `op_of(key)`: the op a record's key stands for (a bound dict lookup: no Python call for the
# ops of the table, which every record of a backward pass looks up)
_BY_KEY = _ByKey()
op_of: Callable[[int | Op], Op] = _BY_KEY.__getitem__


FREE_BYTES = 4096  # smaller values stay in the records: freeing them would save nothing


def _stand_in(ref: Ref) -> Ref:
    """`ref` with zeros for a value: same shape and dtype, taking no memory (`repeated`)."""
    key, value, name, scope = ref
    dtype = value.dtype
    return (key, repeated(value.shape, dtype, bytes(dtype.itemsize)), name, scope)


def for_backward(records: Sequence[Record]) -> list[Record]:
    """`records` as the backward pass needs them: the values no gradient reads (see
    `primitive(saves=...)`) replaced by zeros of their shape and dtype, so that a
    non-persistent tape's activations are freed before the backward pass allocates the
    gradients. (Variables' values, and small ones, are kept: freeing them saves nothing.)
    Records are shared by every tape recording at the time: they are copied."""
    stripped = []
    keep = stripped.append
    stand_ins: dict[int, Ref] = {}  # one per tensor (an output is also an input)
    for r in records:
        op = op_of(r[OP])
        frees = op.frees
        if frees is None:
            keep(r)
            continue
        if op.variadic:
            frees = (*frees, *range(INPUTS, len(r)))
        new = None
        for place in frees:
            x = r[place]
            if x[VAR_SCOPE] is None and x[VALUE].nbytes >= FREE_BYTES:  # (not a variable's)
                if new is None:
                    new = list(r)
                s = stand_ins.get(x[ID])
                new[place] = stand_ins[x[ID]] = _stand_in(x) if s is None else s
        keep(r if new is None else tuple(new))
    return stripped


# Attribute values that cannot change after the call: kept as they are (`frozen_attrs`).
_IMMUTABLE = frozenset(
    {int, float, bool, str, complex, type(None), slice, type(Ellipsis), np.dtype, Tensor}
)


def frozen_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """`attrs` as an op records them: what the caller may change later (a list, a NumPy array,
    a variable, as an index, a perm or an axis list) copied, arrays read-only, so that
    changing it after the op changes neither the gradient nor a replay."""
    for value in attrs.values():
        if type(value) not in _IMMUTABLE:
            return {k: _frozen_attr(v) for k, v in attrs.items()}
    return attrs  # the common case: ints, None, bools (`axis=1, keepdims=False`)


def _frozen_attr(value: Any) -> Any:
    """A copy of `value` that its caller can't change (see `frozen_attrs`)."""
    kind = type(value)
    if kind in _IMMUTABLE or isinstance(value, np.generic):
        return value
    if isinstance(value, Variable):  # its value of this moment, as a constant
        return Tensor(value._value)
    if isinstance(value, np.ndarray):  # (copied even when read-only: that flag can be reset)
        copy = value.copy()
        copy.flags.writeable = False
        return copy
    if isinstance(value, tuple):
        return tuple(_frozen_attr(v) for v in value)
    if isinstance(value, list):
        return [_frozen_attr(v) for v in value]
    if isinstance(value, dict):
        return {k: _frozen_attr(v) for k, v in value.items()}
    return value


def apply(op: Op, args: Sequence[Any], attrs: dict[str, Any], name: str | None = None) -> Tensor:
    """Run `op` on `args` (tensors or convertible values) and record it on the recording tapes."""
    inputs = _convert(op, args)
    if attrs:
        attrs = frozen_attrs(attrs)
    try:
        out = op.run(inputs, attrs)  # (NumPy's floating-point warnings ignored)
    except InvalidArgumentError:
        raise
    except (ValueError, TypeError, IndexError, ArithmeticError) as e:
        raise _invalid(op, inputs, attrs, e) from e
    if type(out) not in HELD:
        out = np.asarray(out)
    if name is not None and type(name) is not str:
        checked_name(name, op.name)
    return op.record(inputs, Tensor(out, name), attrs)


def record(op: Op, inputs: Sequence[Tensor], output: Tensor, attrs: dict[str, Any]) -> Tensor:
    """Tell the recording tapes that `op` made `output` from `inputs`; returns `output`."""
    return op.record(inputs, output, attrs)


_SCALARS = frozenset({float, int})  # Python numbers, converted to the tensors' dtype


def _convert(op: Op, args: Sequence[Any]) -> list[Tensor]:
    """Tensors for `args`: variables read, other values converted to the tensors' dtype."""
    # The common case first: tensors of one dtype (and Python numbers), nothing to check.
    if op.independent:
        return _convert_any(op, args)
    dtype = None
    numbers = False  # Python numbers to convert, once the tensors' dtype is known
    inputs = []
    for a in args:
        kind = type(a)
        if kind is Variable:
            a = a.read()
        elif kind in _SCALARS:
            numbers = True
            inputs.append(a)
            continue
        elif kind is not Tensor and kind is not VariableRead:
            return _convert_any(op, args)
        if dtype is None:
            dtype = a._value.dtype
        elif a._value.dtype != dtype:
            return _convert_any(op, args)  # raises: the dtypes differ
        inputs.append(a)
    if dtype not in op.accepts:  # (or None: no tensor)
        return _convert_any(op, args)
    if numbers:
        for i, a in enumerate(inputs):
            if type(a) is float and dtype.kind == "f":  # (`x * 0.5`: the number in x's dtype,
                inputs[i] = Tensor(dtype.type(a))  # the NumPy scalar a tensor holds, see Tensor)
            elif type(a) in _SCALARS:
                try:
                    inputs[i] = Tensor(to_array(a, dtype, error=ValueError))
                except (TypeError, ValueError):
                    return _convert_any(op, args)  # raises, naming the input
    return inputs


def _convert_any(op: Op, args: Sequence[Any]) -> list[Tensor]:
    """`_convert` for any arguments: checks each one, and raises clear errors."""
    independent = op.independent
    hint = None
    for i, a in enumerate(args):
        if isinstance(a, Tensor) and i not in independent:
            hint = a._value.dtype
            break
    converted = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            if type(a) is Variable:
                a = a.read()
        else:
            try:
                value = to_array(a, None if i in independent else hint, error=ValueError)
            except (TypeError, ValueError) as e:
                raise type(e)(f"{op.name}: input {_arg_name(op, i)}: {e}") from None
            a = Tensor(value)
            if i not in independent:
                hint = value.dtype
        converted.append(a)
    if len(converted) > 1 and hint is not None:
        for i, a in enumerate(converted):
            if a._value.dtype != hint and i not in independent:
                raise _dtype_mismatch(op, converted)
    if hint is not None and hint not in op.accepts:
        raise _dtype_refused(op, converted)
    return converted


def _arg_name(op: Op, index: int) -> str:
    if op.variadic:
        return f"{op.input_names[0]}[{index}]"
    return op.input_names[index] if index < len(op.input_names) else f"input {index}"


def describe(op: Op, inputs: Sequence[Tensor]) -> str:
    """`x: shape (1, 3) float32, y: shape (2, 2) float32`, for error messages."""
    return ", ".join(
        f"{_arg_name(op, i)}: shape {t.shape} {t.dtype}"
        for i, t in enumerate(inputs)
        if i not in op.independent or t.dtype == bool
    )


def _dtype_mismatch(op: Op, inputs: Sequence[Tensor]) -> InvalidArgumentError:
    typed = [(i, t) for i, t in enumerate(inputs) if i not in op.independent]
    first = typed[0][1].dtype
    other = next(i for i, t in typed if t.dtype != first)
    return InvalidArgumentError(
        f"{op.name}: inputs must have the same dtype, got {describe(op, inputs)}. "
        f"Cast one of them, e.g. ad.cast({_arg_name(op, other)}, ad.{first}); NumPy-style "
        "automatic promotion is not done (as in TensorFlow)"
    )


def _dtype_refused(op: Op, inputs: Sequence[Tensor]) -> InvalidArgumentError:
    """The error for inputs of a dtype `op` does not take (as TensorFlow's kernels)."""
    dtype = next(t.dtype for i, t in enumerate(inputs) if i not in op.independent)
    kinds = DTYPES[op.dtypes]
    if op.dtypes == "bool":
        reason = "it takes bool tensors; compare first (e.g. x > 0) or ad.cast(x, ad.bool)"
    elif dtype.kind == "c":
        reason = (
            "it is defined for real numbers only (complex numbers have no order); apply it to "
            "ad.abs(z), or to the real part, ad.cast(z, ad.float64)"
        )
    elif "f" in kinds and "i" not in kinds:
        reason = (
            f"it takes float tensors, not {dtype} (as in TensorFlow, an integer or bool "
            f"{op.name} is not computed in float for you); cast first: ad.cast(x, ad.float32)"
        )
    elif dtype.kind == "u":
        reason = (
            f"it is not defined for unsigned integers ({op.name} of a {dtype} would wrap "
            "around); cast first: ad.cast(x, ad.int32)"
        )
    else:
        reason = (
            "bool tensors are not numbers here (as in TensorFlow); cast first: "
            "ad.cast(x, ad.int32) or ad.cast(x, ad.float32)"
        )
    return InvalidArgumentError(f"{op.name}: {reason} (got {describe(op, inputs)})")


def _invalid(op: Op, inputs: Sequence[Tensor], attrs: dict, error: Exception) -> Exception:
    """A clear error naming the op, the inputs' shapes and dtypes, and a fix."""
    reason = None
    if op.explain is not None:
        values = [t._value for t in inputs]
        try:
            reason = calling(op.explain, op.variadic)(values, attrs)
        except Exception:
            reason = None
    if reason is None:
        text = str(error)
        if "broadcast" in text:
            reason = (
                "the shapes cannot be broadcast together (NumPy's rule: align the shapes from "
                "the right; each pair of dimensions must be equal or one of them 1). Reshape "
                "one input, e.g. with ad.reshape or ad.expand_dims, so that they line up"
            )
        else:
            reason = text
    static = ", ".join(f"{k}={v!r}" for k, v in attrs.items())
    return InvalidArgumentError(
        f"{op.name}: {reason} (got {describe(op, inputs)}{'; ' + static if static else ''})"
    )


def primitive(
    *,
    grads: Sequence[Grad | None],
    formulas: Sequence[str] = (),
    dtypes: str = "any",
    independent: Sequence[int] = (),
    variadic: bool = False,
    explain: Callable[..., str | None] | None = None,
    saves: Sequence[str] | None = None,
    name: str | None = None,
    public: bool = True,
    jvp: Jvp | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Tensor]]:
    """Define an operation: decorate its NumPy forward with its gradients.

    - `grads`: one function per tensor input, `grad(ops, g, out, *inputs, **attrs)`, returning
      the gradient sent to that input given the upstream gradient `g` and the output `out`.
      Write it with operators and the ops of `ops`, the backend its caller passes
      (`autodiff.backend`: tensors a tape may record, or bare arrays), of which `g`, `out`
      and the inputs are. `None` marks an input as not differentiable. A variadic op (first
      parameter a list of tensors) has one, called with `index=`.
    - `formulas`: the local derivative per input as short text, e.g. `"d(x*y)/dx = y"`.
    - `dtypes`: which dtypes the inputs may have, a key of `DTYPES` (`"float"`: float and
      complex; `"real"`: ints and floats...); others are refused with a clear error.
    - `independent`: inputs that keep their own dtype (e.g. `where`'s boolean condition).
    - `explain`: called with the forward's arguments when the forward fails; returns a reason
      for the error message (or None for the generic one).
    - `saves`: the inputs (by name) and `"out"` whose *values* the gradients read; of the
      others they read at most the shape and dtype. A non-persistent tape frees those values
      before its backward pass (PyTorch's "saved tensors"). `None` (the default): all.
    - `public`: whether `import autodiff` exports it (internal ops, such as the fused
      gradients, are reached through `autodiff.ops`).
    - `jvp`: how forward mode (`ForwardAccumulator`) gets the op's Jacobian-vector product:
      `"elementwise"` (the Jacobian is diagonal after broadcasting, so the gradient function
      applied to the broadcast tangent is the JVP), `"linear"` (the op is linear in its
      differentiable inputs: the op itself applied to the tangents), `"multilinear"` (linear
      in each input: one call per input with a tangent, as for matmul), `"vjp"` (derived from
      the gradients by transposing them, the double-VJP trick: one small tape per call), or
      a function `jvp(ops, tangents, out, *inputs, **attrs)` (tangents: one value or None
      per input, on the backend `ops`, as a gradient's) returning the output's tangent.
      Left out: `"vjp"`.

    The forward's parameters after the tensor inputs are static attributes (`axis=`...),
    recorded with the op; a `name=None` parameter names the output.
    """

    def define(forward: Callable[..., Any]) -> Callable[..., Tensor]:
        binder = _Binder(forward, 1 if variadic else len(grads))
        op = Op(
            name or forward.__name__,
            forward,
            grads,
            formulas,
            input_names=binder.input_names,
            attrs=bool(binder.attr_names),
            dtypes=dtypes,
            independent=independent,
            variadic=variadic,
            explain=explain,
            saves=saves,
            public=public,
            jvp=jvp,
        )
        op.key = len(TABLE)
        TABLE.append(op)
        _BY_KEY[op.key] = op
        function = _function(op, forward, binder)
        ON_TENSORS.include(op.name, function)
        ON_ARRAYS.include(op.name, forward)
        return function

    return define


class _Binder:
    """Splits a call's arguments into tensor inputs and static attributes (by hand: this is
    on the hot path, and `inspect.Signature.bind` takes ~20 us)."""

    _REQUIRED = object()

    def __init__(self, forward: Callable[..., Any], n_inputs: int) -> None:
        self.signature = inspect.signature(forward)
        everything = list(self.signature.parameters.values())
        params = [p for p in everything if p.name != "name"]
        names = [p.name for p in params]
        self.n_inputs, self.n_names = n_inputs, len(names)
        self.input_names, self.attr_names = names[:n_inputs], names[n_inputs:]
        self.attr_set = frozenset(self.attr_names)
        empty = inspect.Parameter.empty
        self.attr_defaults = {
            p.name: self._REQUIRED if p.default is empty else p.default for p in params[n_inputs:]
        }
        # every attribute has a default: a call with the inputs alone takes them all
        self.defaults = (
            None if self._REQUIRED in self.attr_defaults.values() else {**self.attr_defaults}
        )

    def quick(self, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any] | None:
        """The attributes of a call giving the inputs, then attributes by position or by
        keyword (none twice, all with defaults); None for any other call (see `__call__`)."""
        defaults, n_inputs = self.defaults, self.n_inputs
        if defaults is None or not n_inputs <= len(args) <= self.n_names:
            return None
        given = self.attr_names[: len(args) - n_inputs]
        if not kwargs.keys() <= self.attr_set or not kwargs.keys().isdisjoint(given):
            return None
        return {**defaults, **dict(zip(given, args[n_inputs:], strict=True)), **kwargs}

    def __call__(self, args: tuple, kwargs: dict[str, Any]) -> tuple[list, dict[str, Any]]:
        """`(inputs, attrs)` of one call; a TypeError as Python's for a wrong call."""
        n_inputs, signature = self.n_inputs, self.signature
        inputs = list(args[:n_inputs])
        attrs = dict(zip(self.attr_names, args[n_inputs:], strict=False))
        if len(args) > self.n_names:
            signature.bind(*args, **kwargs)  # raises the TypeError Python would
        by_name = {}  # inputs given by keyword, in any order (`subtract(y=b, x=a)`)
        for key, value in kwargs.items():
            if key in self.attr_defaults and key not in attrs:
                attrs[key] = value
            elif key in self.input_names[len(inputs) :]:
                by_name[key] = value
            else:
                signature.bind(*args, **kwargs)  # raises: unexpected or repeated
        for key in self.input_names[len(inputs) :]:
            if key not in by_name:
                break
            inputs.append(by_name.pop(key))
        if len(inputs) < n_inputs or by_name:
            signature.bind(*args, **kwargs)  # raises: missing input
        for key, default in self.attr_defaults.items():
            if key not in attrs:
                if default is self._REQUIRED:
                    signature.bind(*args, **kwargs)  # raises: missing argument
                attrs[key] = default
        return inputs, attrs


def _function(op: Op, forward: Callable[..., Any], binder: _Binder) -> Callable[..., Tensor]:
    """The public function of `op`: binds the arguments, then `apply`."""
    n_inputs, n_names, attr_names = binder.n_inputs, binder.n_names, binder.attr_names
    defaults, variadic = binder.defaults, op.variadic

    @functools.wraps(forward)
    def public(*args: Any, name: str | None = None, **kwargs: Any) -> Tensor:
        if defaults is not None and not kwargs and len(args) == n_inputs:
            attrs = defaults
        elif not kwargs and len(args) == n_names:  # every attribute given positionally
            attrs = dict(zip(attr_names, args[n_inputs:], strict=True))
            args = args[:n_inputs]
        elif (quick := binder.quick(args, kwargs)) is not None:  # attributes by keyword too
            args, attrs = args[:n_inputs], quick
        else:
            if len(args) == n_names + 1 and name is None:  # name given positionally
                *args, name = args
            try:
                args, attrs = binder(tuple(args), kwargs)
            except TypeError as e:
                raise TypeError(f"{op.name}{binder.signature}: {e}") from None
        if variadic:
            args = _as_list(op, args[0])
        return apply(op, args, attrs or NO_ATTRS, name)

    public.op = op  # type: ignore[attr-defined]
    return public


def public_names(namespace: Mapping[str, Any]) -> list[str]:
    """The names in `namespace` (a module's globals) of the public functions of ops."""
    return [
        name
        for name, value in namespace.items()
        if isinstance(getattr(value, "op", None), Op) and value.op.public
    ]


def _as_list(op: Op, values: Any) -> list[Any]:
    if isinstance(values, Tensor) or not isinstance(values, Sequence) or not values:
        raise ValueError(
            f"{op.name}: expected a non-empty list of tensors, got {type(values).__name__}; "
            f"pass e.g. ad.{op.name}([a, b], axis=0)"
        )
    return list(values)
