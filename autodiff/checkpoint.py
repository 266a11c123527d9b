"""`recompute_grad`: checkpointing, as `tf.recompute_grad`.

```python
block = ad.recompute_grad(lambda x: ad.tanh(x @ w1) @ w2)
with ad.GradientTape() as tape:
    loss = ad.reduce_sum(block(x))
tape.gradient(loss, w1)  # the same numbers; block's inner activations recomputed here
```

The tapes record one op in the block's place, whose inputs are the block's inputs and the
variables it reads, and whose output is the block's output: the activations inside the block
are not recorded, so nothing keeps them once the forward pass has moved on. The op's gradient
runs the block again under a tape of its own and differentiates that recomputation (one more
forward pass of the block per backward pass: memory traded for time).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autodiff import nest
from autodiff.backend import Ops
from autodiff.context import no_recording, state
from autodiff.forward import VIA_VJP
from autodiff.primitive import Op, record
from autodiff.tape import GradientTape
from autodiff.tensor import Tensor, Variable, convert_to_tensor


class _VariableSpy:
    """Sits on the stack of tapes to note the trainable variables the block reads (as a tape
    with `watch_accessed_variables`), and keeps nothing else."""

    _recording = True
    _watch_accessed_variables = True

    def __init__(self) -> None:
        self._variables: dict[int, Variable] = {}

    def _watch_variable(self, variable: Variable) -> None:
        self._variables[variable._id] = variable

    def _record(self, record: Any, op: Op) -> None:
        """Nothing to keep."""


def recompute_grad(f: Callable[..., Any]) -> Callable[..., Tensor]:
    """Decorate `f(*tensors) -> tensor` so that tapes keep only its inputs and output, and
    recompute its activations in the backward pass (same gradients, less memory)."""
    name = getattr(f, "__name__", "block")

    @functools.wraps(f)
    def checkpointed(*args: Any, **kwargs: Any) -> Tensor:
        inputs = [a.read() if isinstance(a, Variable) else convert_to_tensor(a) for a in args]
        y, variables = _run_unrecorded(f, inputs, kwargs)
        if not state.recording:
            return y
        op = _recompute_op(f, name, len(inputs), variables, kwargs)
        return record(op, (*inputs, *[v.read() for v in variables]), Tensor(y._value), {})

    return checkpointed


def _run_unrecorded(
    f: Callable[..., Any], inputs: Sequence[Tensor], kwargs: dict[str, Any]
) -> tuple[Tensor, list[Variable]]:
    """`f(*inputs)` with no tape recording it; the trainable variables it read."""
    spy = _VariableSpy()
    with no_recording():
        state.tapes.append(spy)  # type: ignore[arg-type]
        state.refresh()
        y = f(*inputs, **kwargs)
    if nest.is_nested(y) or not isinstance(y, Tensor):
        raise TypeError(
            f"recompute_grad: {getattr(f, '__name__', 'the function')} must return one tensor, "
            f"got {type(y).__name__}; stack several outputs into one tensor"
        )
    ids = {t._id for t in inputs}
    variables = [v for v in spy._variables.values() if v.trainable and v._id not in ids]
    return (y.read() if isinstance(y, Variable) else y), variables


def _recompute_op(
    f: Callable[..., Any],
    name: str,
    n_inputs: int,
    variables: list[Variable],
    kwargs: dict[str, Any],
) -> Op:
    """A one-off op standing for the block: its gradients recompute it under a tape."""

    def all_grads(
        ops: Ops, g: Any, out: Any, inputs: Sequence[Any], attrs: Any = None
    ) -> list[Any]:
        tensors = [x if isinstance(x, Tensor) else Tensor(np.asarray(x)) for x in inputs]
        upstream = g if isinstance(g, Tensor) else Tensor(np.asarray(g))
        with GradientTape() as tape:
            tape.watch(tensors[:n_inputs])
            tape.watch(variables)
            y = f(*tensors[:n_inputs], **kwargs)
        sources = [*tensors[:n_inputs], *variables]
        grads = tape.gradient(y, sources, output_gradients=upstream)
        if not ops.bare:
            return grads
        return [None if v is None else v._value for v in grads]  # on `ops`: bare values

    def grad(ops: Ops, g: Any, out: Any, inputs: list[Any], index: int) -> Any:
        return all_grads(ops, g, out, inputs)[index]

    def forward(values: list[np.ndarray]) -> np.ndarray:
        with no_recording():
            return f(*[Tensor(v) for v in values[:n_inputs]], **kwargs)._value

    op = Op(
        name,
        forward,
        (grad,),
        (f"recomputed gradient of {name}",),
        input_names=("inputs",),
        variadic=True,
        jvp=VIA_VJP,
        joint=all_grads,
    )
    return op
