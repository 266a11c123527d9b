"""`custom_gradient`: a Python function whose gradient you write yourself, as in TensorFlow.

```python
@ad.custom_gradient
def clip_gradient(x):
    def grad(upstream):
        return ad.clip_by_value(upstream, -1.0, 1.0)
    return ad.identity(x), grad
```

Tapes record one op in the function's place, whose gradient is `grad`. As in TensorFlow, the
ops inside the function are recorded too (they are not on the path to the output), so that a
`grad` written with engine ops can be differentiated by an outer tape. Variables the function
reads are extra inputs: `grad(upstream, variables=...)` then returns
`(input_gradients, variable_gradients)`.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from autodiff import nest, ops
from autodiff.backend import Ops
from autodiff.context import no_recording
from autodiff.primitive import Op, record
from autodiff.tape import GradientTape
from autodiff.tensor import Tensor, Variable, convert_to_tensor


def custom_gradient(f: Callable[..., tuple[Any, Callable[..., Any]]]) -> Callable[..., Tensor]:
    """Decorate `f(*tensors) -> (y, grad_fn)` so that tapes use `grad_fn(upstream)` as its
    gradient (one gradient per input; with variables, `(input_grads, variable_grads)`)."""

    @functools.wraps(f)
    def decorated(*args: Any, **kwargs: Any) -> Tensor:
        inputs = [_tensor(a) for a in args]
        y, grad_fn, variables = _run(f, inputs, kwargs)
        op = _custom_op(f, grad_fn, len(inputs), variables, kwargs)
        op.same_as = y._id  # forward mode: the tangent f's own ops gave y, if any
        reads = [v.read() for v in variables]
        return record(op, (*inputs, *reads), Tensor(y._value), {})

    return decorated


def _tensor(value: Any) -> Tensor:
    """`value` as a tensor; a variable as its read (the op's input is the variable itself,
    not a recorded snapshot of it as `convert_to_tensor` makes)."""
    return value.read() if isinstance(value, Variable) else convert_to_tensor(value)


def _run(
    f: Callable[..., Any], inputs: Sequence[Tensor], kwargs: dict[str, Any]
) -> tuple[Tensor, Callable[..., Any], list[Variable]]:
    """Call `f`, noting which trainable variables it reads."""
    with GradientTape(persistent=True) as spy:
        result = f(*inputs, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2 and callable(result[1])):
        raise TypeError(
            f"custom_gradient: {f.__name__} must return (output, grad_fn), got "
            f"{type(result).__name__}"
        )
    y, grad_fn = result
    if nest.is_nested(y):
        raise TypeError(
            f"custom_gradient: {f.__name__} returned several outputs; this engine supports one "
            "output tensor per custom_gradient function (stack them into one tensor)"
        )
    ids = {t._id for t in inputs}
    variables = [v for v in spy.watched_variables() if v.trainable and v._id not in ids]
    return _tensor(y), grad_fn, variables


def _custom_op(
    f: Callable[..., Any],
    grad_fn: Callable[..., Any],
    n_inputs: int,
    variables: list[Variable],
    kwargs: dict[str, Any],
) -> Op:
    """A one-off op whose gradients come from one call of `grad_fn` per backward step (never
    cached across calls: a persistent tape's second `gradient` calls it again, as TensorFlow)."""
    name = getattr(f, "__name__", "custom_gradient")

    def all_grads(
        ops: Ops, g: Any, out: Any, inputs: Sequence[Any], attrs: Any = None
    ) -> list[Any]:
        input_grads, variable_grads = call_grad_fn(g)  # (the user's grad_fn takes tensors)
        flat = nest.flatten(input_grads) if n_inputs > 1 else [input_grads]
        flat += nest.flatten(variable_grads)
        if len(flat) != n_inputs + len(variables):
            raise ValueError(
                f"custom_gradient: the gradient function of {name} returned {len(flat)} "
                f"gradients for {n_inputs} inputs and {len(variables)} variables"
            )
        grads = [_checked(name, i, v, inputs[i]) for i, v in enumerate(flat)]
        if not ops.bare:
            return grads
        return [None if v is None else v._value for v in grads]  # on `ops`: bare values

    def call_grad_fn(g: Any) -> tuple[Any, Any]:
        upstream = g if isinstance(g, Tensor) else Tensor(np.asarray(g))
        if variables:
            return grad_fn(upstream, variables=variables)
        return grad_fn(upstream), []

    def grad(ops: Ops, g: Any, out: Any, inputs: list[Any], index: int) -> Any:
        return all_grads(ops, g, out, inputs)[index]

    def rerun(values: list[np.ndarray], attrs: Any) -> tuple[np.ndarray, Op]:
        inputs = [Tensor(v) for v in values[:n_inputs]]
        with no_recording(), _assigned(variables, values[n_inputs:]):
            y, new_grad_fn, _ = _run(f, inputs, kwargs)
        return y._value, _custom_op(f, new_grad_fn, n_inputs, variables, kwargs)

    def forward(values: list[np.ndarray]) -> np.ndarray:
        return rerun(values, None)[0]

    op = Op(
        name,
        forward,
        (grad,),
        (f"custom gradient of {name}",),
        input_names=("inputs",),
        variadic=True,
        jvp="vjp",
        joint=all_grads,
    )
    op.rerun = rerun
    return op


def _checked(name: str, index: int, grad: Any, x: Any) -> Tensor | None:
    """The gradient `grad` a custom gradient function returned for input `index` (`x`), as a
    tensor of `x`'s shape: one number is broadcast to it; any other shape is an error."""
    if grad is None:
        return None
    grad = convert_to_tensor(grad)
    shape = np.shape(x)
    if grad.shape == shape:
        return grad
    if grad.size == 1 and grad.ndim <= len(shape):
        return ops.broadcast_to(grad, shape)
    raise ValueError(
        f"custom_gradient: the gradient function of {name} returned a gradient of shape "
        f"{grad.shape} for input {index}, which has shape {shape}; return one gradient of "
        "each input's shape (or one number, broadcast to it)"
    )


@contextlib.contextmanager
def _assigned(variables: Sequence[Variable], values: Sequence[np.ndarray]) -> Iterator[None]:
    """Give `variables` these values for the duration of the block (for replays)."""
    saved = [v._value for v in variables]
    try:
        for v, value in zip(variables, values, strict=False):
            v._value, v._read = value, None
        yield
    finally:
        for v, value in zip(variables, saved, strict=False):
            v._value, v._read = value, None
