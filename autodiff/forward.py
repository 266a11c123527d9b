"""Forward mode: `ForwardAccumulator`, as `tf.autodiff.ForwardAccumulator`.

```python
x = ad.constant([1.0, 2.0])
with ad.autodiff.ForwardAccumulator(x, ad.constant([1.0, 0.0])) as acc:
    y = ad.reduce_sum(x * x)
acc.jvp(y)  # ∂y/∂x · ẋ = 2.0
```

An accumulator sits on the stack of tapes: every op run while it is active is handed to it
(`_record`, as to a tape), and when an input of the op has a tangent, it computes the output's
tangent right away with the op's rule from the op table (`Op.jvp`, see `primitive`):

- `"elementwise"`: the Jacobian is diagonal (after broadcasting the inputs), so the gradient
  function applied to the tangent broadcast to the output's shape is the JVP;
- `"linear"`: the op is linear in its differentiable inputs: the op applied to the tangents;
- `"multilinear"`: linear in each input (matmul, einsum, conv2d): one call per tangent;
- `"vjp"`: derived from the gradient function by the double-VJP trick: the VJP u ↦ Jᵀu is
  linear in u, so the gradient of ⟨Jᵀu, ṫ⟩ with respect to u is J·ṫ (one small tape per op);
  a custom gradient's JVP is the tangent its function's own ops gave its output, and where
  they gave none (a function computed outside the engine), its `grad_fn` transposed so
  (TensorFlow's rule);
- a function of the tangents.

Each rule computes with the backend it is given (`autodiff.backend`): bare arrays when no tape
outside the accumulator records the tangents, else tensors. The tangents are computed while
the accumulator and the tapes entered after it are paused, so the tapes and accumulators
entered *before* it record them: a tape around an accumulator differentiates JVPs
(backward-over-forward), and an accumulator around a tape differentiates its backward pass
(forward-over-backward: Hessian-vector products).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autodiff import nest
from autodiff.backend import ON_ARRAYS, ON_TENSORS, Ops
from autodiff.context import no_recording, state
from autodiff.graph import Graph, _frozen, from_records
from autodiff.primitive import ATTRS, INPUTS, NO_ATTRS, OUTPUT, Op, Record, apply
from autodiff.tape import GradientTape, UnconnectedGradients, _unconnected
from autodiff.tensor import (
    HELD,
    ID,
    VALUE,
    Tensor,
    Variable,
    convert_to_tensor,
    from_ref,
    is_differentiable,
)

ELEMENTWISE, LINEAR, MULTILINEAR, VIA_VJP = "elementwise", "linear", "multilinear", "vjp"
RULES = (ELEMENTWISE, LINEAR, MULTILINEAR, VIA_VJP)
_BARE_RULES = (ELEMENTWISE, LINEAR, MULTILINEAR)


class ForwardAccumulator:
    """Compute Jacobian-vector products while the forward pass runs (forward mode).

    `primals`: a tensor or variable, or a nested list/tuple/dict of them; `tangents`: the
    direction for each, of the same structure, shapes and dtypes. Inside `with acc:`, every op
    reading a tensor with a tangent gives its output a tangent; `acc.jvp(y)` reads it.
    """

    def __init__(self, primals: Any, tangents: Any) -> None:
        """Watch `primals` with `tangents` (converted to each primal's dtype)."""
        self._recording = False
        flat_primals = nest.flatten(primals)
        # (one primal takes its tangent whole: a list of numbers is one tangent)
        flat_tangents = nest.flatten(tangents) if nest.is_nested(primals) else [tangents]
        if len(flat_primals) != len(flat_tangents):
            raise ValueError(
                f"ForwardAccumulator: {len(flat_primals)} primals but {len(flat_tangents)} "
                "tangents; give one tangent per primal, in the same structure"
            )
        # tangent of each tensor id (a variable's reads share its id)
        self._tangents: dict[int, Tensor] = {}
        self._records: list[Record] = []  # what ran while recording, for `graph`
        self._primals: list[Tensor] = []
        self._watch_accessed_variables = False  # (read by `Variable.read`, as a tape's)
        self._variables: dict[int, Variable] = {}
        for i, (p, t) in enumerate(zip(flat_primals, flat_tangents, strict=True)):
            self._watch(i, p, t)

    def _watch(self, index: int, primal: Any, tangent: Any) -> None:
        if not isinstance(primal, Tensor):
            raise TypeError(
                f"ForwardAccumulator: primal {index} is a {type(primal).__name__}, not a tensor "
                "or variable; make it one with ad.constant(value) or ad.Variable(value)"
            )
        dtype = primal._value.dtype
        tangent = convert_to_tensor(tangent, dtype=dtype if is_differentiable(dtype) else None)
        if tangent.shape != primal.shape:
            raise ValueError(
                f"ForwardAccumulator: the tangent of primal {index} has shape {tangent.shape} "
                f"but the primal has shape {primal.shape}; give a tangent of the primal's shape"
            )
        if not is_differentiable(dtype):
            raise TypeError(
                f"ForwardAccumulator: primal {index} has dtype {dtype}, which is not "
                "differentiable (only float tensors are); cast it, e.g. ad.cast(x, ad.float32)"
            )
        self._tangents[primal._id] = tangent
        self._primals.append(primal)

    def __enter__(self) -> ForwardAccumulator:
        if self in state.tapes:
            raise RuntimeError("this ForwardAccumulator is already recording; make a new one")
        state.tapes.append(self)
        self._recording = True
        state.refresh()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._recording = False
        if self in state.tapes:
            state.tapes.remove(self)
        state.refresh()

    def _record(self, record: Record, op: Op) -> None:
        """An op ran: keep it, and give its output a tangent if an input has one."""
        self._records.append(record)
        tangents = self._tangents
        for x in record[INPUTS:]:
            if x[ID] in tangents:
                break
        else:
            return
        value = record[OUTPUT][VALUE]
        if value.dtype.kind not in "fc":  # (bool and int outputs have no tangent)
            return
        if state.recording[0] is self:  # no tape outside to record the JVP: bare arrays
            # NumPy's warnings ignored, as in every forward: by the engine's cheap runner
            # where the rule makes only bare NumPy calls (it may not be entered twice)
            quiet = state.quiet if _bare(op) else _ignoring_warnings
            tangent = quiet(tangent_of, op, record, tangents, ON_ARRAYS)
        else:
            tapes = state.tapes
            state.tapes = tapes[: _index(tapes, self)]  # only the outer ones see the JVP's ops
            state.refresh()
            try:
                tangent = tangent_of(op, record, tangents, ON_TENSORS)
            finally:
                state.tapes = tapes
                state.refresh()
        if tangent is not None:
            tangents[record[OUTPUT][ID]] = tangent

    def jvp(self, primals: Any, unconnected_gradients: str = "none") -> Any:
        """The tangents of `primals` (a tensor or nested structure of them), same structure:
        the JVP ∂primal/∂(watched) · tangents. A tensor that does not depend on the watched
        primals gets None, or zeros with `unconnected_gradients='zero'` (as `gradient`)."""
        zero = _unconnected(unconnected_gradients) is UnconnectedGradients.ZERO
        results = []
        for p in nest.flatten(primals):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"ForwardAccumulator.jvp: expected tensors (or nested lists/tuples/dicts "
                    f"of them), got {type(p).__name__}"
                )
            t = self._tangents.get(p._id)
            if t is not None and not isinstance(t, Tensor):  # computed on bare arrays
                t = self._tangents[p._id] = Tensor(t if type(t) in HELD else np.asarray(t))
            if t is None and zero:
                t = ON_TENSORS.zeros_like(p)
            results.append(t)
        return nest.pack(primals, results) if nest.is_nested(primals) else results[0]

    def graph(self, target: Any) -> Graph:
        """What ran while recording that `target` depends on, as an `ad.Graph` whose nodes
        carry their tangents (`Node.tangent`, None where no tangent reaches); `grad` is the
        gradient of `target`, as in a tape's graph. `forward_steps(graph)` walks it."""
        if not isinstance(target, Tensor):
            raise TypeError(
                f"ForwardAccumulator.graph: the target must be a tensor, got "
                f"{type(target).__name__}"
            )
        if isinstance(target, Variable):
            target = target.read()
        graph = from_records(self._records, set(self._tangents), target)
        by_tensor = graph._by_tensor
        nodes = list(graph.nodes)
        for key, ids in by_tensor.items():
            t = self._tangents.get(key)
            if t is not None:
                t = _frozen(np.asarray(t._value if isinstance(t, Tensor) else t))
                for i in ids:
                    nodes[i] = dataclasses.replace(nodes[i], tangent=t)
        return Graph(nodes, graph.target, graph._ops, by_tensor, graph._steps)

    def __repr__(self) -> str:
        state_ = "recording" if self._recording else "not recording"
        return f"<ForwardAccumulator {len(self._tangents)} tangents, {state_}>"


def _index(tapes: Sequence[Any], item: Any) -> int:
    """Where `item` is in `tapes`, by identity."""
    for i, t in enumerate(tapes):
        if t is item:
            return i
    return len(tapes)


def _bare(op: Op) -> bool:
    """Whether `op`'s rule runs on bare arrays with NumPy calls only (not the double-VJP
    trick, a custom gradient's or a user's rule, which may run ops on tensors)."""
    rule = op.jvp
    if rule in _BARE_RULES:
        return True
    return callable(rule) and type(op.key) is int and op.same_as is None


@np.errstate(all="ignore")
def _ignoring_warnings(f: Any, *args: Any) -> Any:
    return f(*args)


def tangent_of(op: Op, record: Record, tangents: dict[int, Any], ops: Ops) -> Any:
    """The tangent of the output of `record` (an op of `op`), given the inputs' `tangents`,
    computed with the backend `ops`: on tensors, or on bare arrays (no tape records the JVP)."""
    bare = ops.bare
    refs, grads, variadic = record[INPUTS:], op.grads, op.variadic
    ts, found = [], False
    for i, x in enumerate(refs):
        t = tangents.get(x[ID])
        if t is not None:
            if grads[0 if variadic else i] is None:  # (stop_gradient, where's condition...)
                t = None
            else:
                found = True
                if bare is isinstance(t, Tensor):
                    t = _as(t, ops)
        ts.append(t)
    if not found:
        return None
    if op.same_as is not None and op.same_as in tangents:  # a custom gradient: TensorFlow's
        return _as(tangents[op.same_as], ops)  # rule, its function's own tangent if it has one
    if bare:
        inputs, out = [x[VALUE] for x in refs], record[OUTPUT][VALUE]
    else:
        inputs, out = [from_ref(x) for x in refs], from_ref(record[OUTPUT])
    attrs = record[ATTRS] or NO_ATTRS
    rule = op.jvp or VIA_VJP
    if rule == ELEMENTWISE:  # the common case first
        tangent = None
        shape = out.shape
        for i, t in enumerate(ts):
            if t is not None:
                if t.shape != shape:
                    t = ops.broadcast_to(t, shape)
                part = grads[i](ops, t, out, *inputs, **attrs)
                tangent = part if tangent is None else tangent + part
    else:
        tangent = _other_rule(op, rule, ts, out, inputs, attrs, ops)
    if tangent is None:
        return ops.zeros_like(out)
    if tangent.shape != out.shape:  # (a rule may give one number for a broadcast output)
        tangent = ops.broadcast_to(tangent, out.shape)
    return tangent


def _other_rule(op: Op, rule: Any, ts: list, out: Any, inputs: list, attrs: dict, ops: Ops) -> Any:
    """`tangent_of` for the rules but "elementwise"."""
    if callable(rule):
        return rule(ops, ts, out, *([inputs] if op.variadic else inputs), **attrs)
    if rule == LINEAR:
        args = [
            t if t is not None else _zero_or_same(op, i, x, ops) for i, (t, x) in _pairs(ts, inputs)
        ]
        return _call(op, args, attrs, ops)
    if rule == MULTILINEAR:
        parts = []
        for i, t in enumerate(ts):
            if t is not None:
                args = [t if j == i else x for j, x in enumerate(inputs)]
                parts.append(_call(op, args, attrs, ops))
        return _sum(parts, ops)
    if ops.bare:  # the double-VJP trick needs a tape: on tensors
        return _on_tensors(_transposed_vjp, op, ts, out, inputs, attrs)
    return _transposed_vjp(op, ts, out, inputs, attrs)


def _as(t: Any, ops: Ops) -> Any:
    """A tangent as the backend `ops` takes it: a bare value, or a tensor."""
    if t is None or ops.bare is not isinstance(t, Tensor):
        return t
    if ops.bare:
        return t._value
    return Tensor(t if type(t) in HELD else np.asarray(t))


def _call(op: Op, args: list, attrs: dict, ops: Ops) -> Any:
    """`op` itself on `args`, with the backend `ops`: its forward on bare values, or run."""
    return op.call(args, attrs) if ops.bare else apply(op, args, attrs)


def _on_tensors(rule: Any, op: Op, ts: list, out: Any, inputs: list, attrs: dict) -> Any:
    """`rule` run on tensors (and its result made bare again) from the bare-array mode."""
    wrap = [_as(x, ON_TENSORS) for x in inputs]
    with no_recording():
        tangent = rule(op, [_as(t, ON_TENSORS) for t in ts], _as(out, ON_TENSORS), wrap, attrs)
    return None if tangent is None else tangent._value


def _grad(op: Op, index: int) -> Any:
    return op.grads[0] if op.variadic else op.grads[index]


def _pairs(ts: list, inputs: list) -> Any:
    return enumerate(zip(ts, inputs, strict=True))


def _zero_or_same(op: Op, index: int, x: Any, ops: Ops) -> Any:
    """A linear op's argument for an input without a tangent: zeros where the input is
    differentiable, the input itself where it is not (an index, a condition)."""
    return x if _grad(op, index) is None else ops.zeros_like(x)


def _sum(parts: list[Any], ops: Ops) -> Any:
    total = None
    for p in parts:
        total = p if total is None else ops.add(total, p)
    return total


def _transposed_vjp(op: Op, ts: list, out: Tensor, inputs: list, attrs: dict) -> Tensor | None:
    """The double-VJP trick: the gradient u ↦ Jᵢᵀu is linear in u, so the gradient of
    Σᵢ ⟨Jᵢᵀu, ṫᵢ⟩ with respect to u (at u = 0) is Σᵢ Jᵢ ṫᵢ, the JVP."""
    u = Tensor(np.zeros(out.shape, out.dtype))
    with GradientTape() as tape:
        tape.watch(u)
        total = None
        for i, t in enumerate(ts):
            if t is None:
                continue
            grad = op.grad(i)
            h = (
                grad(ON_TENSORS, u, out, inputs, **attrs)
                if op.variadic
                else grad(ON_TENSORS, u, out, *inputs, **attrs)
            )
            if h is None:
                continue
            h = convert_to_tensor(h)
            if h.shape != inputs[i].shape:
                h = ON_TENSORS.sum_to(h, inputs[i].shape)
            term = ON_TENSORS.reduce_sum(h * t)
            total = term if total is None else total + term
    if total is None:
        return None
    tangent = tape.gradient(total, u)
    if tangent is None and op.key is op:  # (a custom gradient's one-off op)
        warnings.warn(
            f"ForwardAccumulator: the gradient function of the custom gradient {op.name} does "
            "not depend on its upstream gradient through engine ops, so forward mode (which "
            "transposes it, as TensorFlow does) gives a zero tangent; write grad_fn with "
            "engine ops (ad.multiply, ...), not NumPy",
            UserWarning,
            stacklevel=4,
        )
    return tangent


# ----------------------------------------------------------------------------- steps
@dataclasses.dataclass(frozen=True, eq=False)
class ForwardStep:
    """One op of the forward pass in forward mode: the tangent each input sends it.

    `contributions[i]` is (local derivative) · (tangent of input node `i`), summed if the op
    uses that input twice; their sum is the op's `tangent`. `formulas` per input, as the
    backward steps' (`d(x*y)/dx = y`).
    """

    node: int
    tangent: np.ndarray
    contributions: Mapping[int, np.ndarray]
    formulas: Mapping[int, str]


def forward_steps(graph: Graph) -> list[ForwardStep]:
    """The forward pass of a graph with tangents (`ForwardAccumulator.graph`), one step per op
    that carries a tangent, in topological order."""
    return [
        _forward_step(graph, node)
        for node in graph.nodes
        if node.kind == "op" and node.tangent is not None
    ]


def _forward_step(graph: Graph, node: Any) -> ForwardStep:
    op = graph._ops[node.id]
    refs = [(i, graph.nodes[i].value, None, None) for i in node.inputs]
    record = (op.key, (node.id, node.value, None, None), dict(node.attrs) or None, "", *refs)
    contributions, formulas = {}, {}
    for place, i in enumerate(node.inputs):
        t = graph.nodes[i].tangent
        if t is None or i in contributions:
            continue
        c = tangent_of(op, record, {i: t}, ON_ARRAYS)
        if c is not None:
            contributions[i] = np.asarray(c)
            formulas[i] = op.formula(place)
    return ForwardStep(node.id, node.tangent, contributions, formulas)
