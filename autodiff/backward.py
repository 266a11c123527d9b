"""The reverse-mode sweep shared by `GradientTape.gradient` and `Graph` (its own module so that
`tape.py` and `graph.py` depend on it and not on each other).

Given the records of a tape, the ids that gradients can reach (`traced`), the targets with
their seeds and the sources, `backward` walks the records in reverse order (iteratively, so
long chains cannot hit the recursion limit) and computes each vector-Jacobian product with
the op's gradient functions, on tensors when a tape records the sweep (so that it can
differentiate it again), else on bare arrays (see `autodiff.backend`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autodiff.backend import ON_ARRAYS, ON_TENSORS, Ops
from autodiff.context import state
from autodiff.primitive import ATTRS, INPUTS, NO_ATTRS, OP, OUTPUT, Record, op_of
from autodiff.tensor import HELD, ID, VALUE, Tensor, from_ref

Step = tuple[int, Any, dict[int, Any]]  # record index, upstream gradient, contributions


def backward(
    records: Sequence[Record],
    traced: set[int],
    targets: Sequence[Tensor],
    seeds: Sequence[Tensor],
    source_ids: Sequence[int],
    steps: list[Step] | None = None,
    arrays: bool = False,
    roots: set[int] | None = None,
) -> dict[int, Any]:
    """Reverse-mode sweep: gradient tensors of the targets (weighted by `seeds`), by tensor id.

    Only tensors that lead to a source get gradients. The gradients of the sources are kept;
    other gradients are dropped once passed on, so memory stays low. With `steps`, each op's
    work is appended to it as `(record index, upstream gradient, {input id: contribution})`.

    When no tape is recording, the sweep runs on bare NumPy arrays (`ON_ARRAYS`): the same
    gradient functions, the same NumPy calls, without making a tensor for every step; with
    `arrays=True` the gradients are then returned as arrays too. `roots`, when given, are the
    ids `traced` grew from (a tape's watched tensors): if all of them are sources, every traced
    tensor leads to a source, and the walk that finds those is skipped. NumPy's floating-point
    warnings are silenced, as in the forward ops: an infinite or nan gradient is the answer
    (TensorFlow's), not an accident to warn about.
    """
    if state.recording:
        return _sweep(records, traced, targets, seeds, source_ids, steps, roots, ON_TENSORS)
    grads = _sweep(records, traced, targets, seeds, source_ids, steps, roots, ON_ARRAYS)
    if arrays:
        return grads
    for k, g in grads.items():
        grads[k] = Tensor(g if type(g) in HELD else np.asarray(g))
    return grads


@np.errstate(all="ignore")  # (as a decorator: cheaper than a `with` block per call)
def _sweep(
    records: Sequence[Record],
    traced: set[int],
    targets: Sequence[Tensor],
    seeds: Sequence[Tensor],
    source_ids: Sequence[int],
    steps: list[Step] | None,
    roots: set[int] | None,
    ops: Ops,
) -> dict[int, Any]:
    """`backward`, with the ops of the backend `ops` (on tensors, or on bare arrays)."""
    keep = traced.intersection(source_ids)
    if not keep:
        return {}
    needed = traced if roots is not None and roots <= keep else _needed(records, traced, keep)
    grads: dict[int, Any] = {}
    for target, seed in zip(targets, seeds, strict=True):
        if target._id in needed:
            previous, g = grads.get(target._id), seed._value if ops.bare else seed
            grads[target._id] = g if previous is None else _with(previous, g)
    for index in range(len(records) - 1, -1, -1):
        record = records[index]
        out = record[OUTPUT][ID]
        g = grads.get(out) if out in keep else grads.pop(out, None)  # (sources' are kept)
        if g is None:
            continue
        if type(g) is _Parts:
            g = grads[out] = _total(g, ops)
        if steps is None and (len(record) == INPUTS + 1 or not _repeats(record)):
            _contributions(record, g, needed, ops, grads)  # straight into the gradients
        else:  # an op's own sum first (an input used twice), as the steps show it
            local: dict[int, Any] = {}
            _contributions(record, g, needed, ops, local)
            local = {k: _total(c, ops) if type(c) is _Parts else c for k, c in local.items()}
            if steps is not None:
                steps.append((index, g, local))
            for key, c in local.items():
                grads[key] = c if (previous := grads.get(key)) is None else _with(previous, c)
    return {k: _total(g, ops) if type(g) is _Parts else g for k, g in grads.items()}


def _repeats(record: Record) -> bool:
    """Whether the op of `record` reads one tensor more than once (`x * x`)."""
    if len(record) == INPUTS + 2:  # (the common case, a binary op, without making a set)
        return record[INPUTS][ID] == record[INPUTS + 1][ID]
    return len({x[ID] for x in record[INPUTS:]}) < len(record) - INPUTS


def _needed(records: Sequence[Record], traced: set[int], sources: set[int]) -> set[int]:
    """The traced tensors that depend on one of `sources` (a forward walk), sources included."""
    needed = set(sources)
    for record in records:
        out = record[OUTPUT][ID]
        if out in traced and out not in needed:
            for x in record[INPUTS:]:
                if x[ID] in needed:
                    needed.add(out)
                    break
    return needed


def _contributions(
    record: Record, g: Any, needed: set[int], ops: Ops, into: dict[int, Any]
) -> None:
    """Add what one op sends back to each input that needs it to the gradients `into`."""
    op, inputs, attrs = op_of(record[OP]), record[INPUTS:], record[ATTRS] or NO_ATTRS
    bare = ops.bare
    out = record[OUTPUT][VALUE] if bare else from_ref(record[OUTPUT])
    args = op.args_of(inputs, bare)
    vjps = op.vjps  # (a variadic op's `joint` gives every input's gradient in one call)
    joint = None if op.joint is None else op.joint(ops, g, out, args, attrs)
    for i, x in enumerate(inputs):
        if x[ID] in needed:
            c = vjps[i](ops, g, out, args, attrs) if joint is None else joint[i]
            if c is not None:
                if c.shape != x[VALUE].shape:  # a broadcast input: summed back to its shape
                    c = ops.sum_to(c, x[VALUE].shape)
                key = x[ID]  # (the first contribution as it is; more are collected)
                into[key] = c if (previous := into.get(key)) is None else _with(previous, c)


class _Parts(list):
    """The contributions to one gradient so far, summed once when it is read (`_total`)."""

    __slots__ = ()


def _with(previous: Any, g: Any) -> _Parts:
    """A gradient's contributions so far (one, or `_Parts`) and `g`: the sum is deferred."""
    if type(previous) is _Parts:
        previous.append(g)
        return previous
    return _Parts((previous, g))


def _total(parts: _Parts, ops: Ops) -> Any:
    """The sum of `parts`, left to right, as adding them one at a time: on tensors (an outer
    tape recording), one add per part; on bare arrays, the first sum is a new array and the
    others are added into it in place (one allocation for a fan-in of any size)."""
    if not ops.bare:
        return functools.reduce(ops.add, parts)
    total = parts[0] + parts[1]  # NumPy's add (an operator on NumPy scalars: much faster)
    for part in parts[2:]:
        if type(total) is np.ndarray and total.dtype == part.dtype and total.shape == part.shape:
            np.add(total, part, out=total)
        else:
            total = total + part
    return total


def refuse_complex(
    records: Sequence[Record],
    traced: set[int],
    targets: Sequence[Tensor],
    source_ids: Sequence[int],
    complex_ids: Mapping[int, str],
    where: str,
) -> None:
    """Raise a TypeError if a gradient from the targets to the sources would pass through one
    of `complex_ids` (traced complex values, id -> what it is).

    This engine does not differentiate complex numbers: TensorFlow's convention (the
    conjugate, d/dz sum(z*z) = 2·conj(z)) would need every gradient written for it, and
    the plain formulas would give wrong numbers without a word. Gradients that do not
    touch complex values are unaffected.
    """
    needed = _needed(records, traced, {i for i in source_ids if i in traced})
    reached = {t._id for t in targets} & needed
    for record in reversed(records):  # backward: what gets a gradient
        if record[OUTPUT][ID] in reached:
            op = op_of(record[OP])
            for i, x in enumerate(record[INPUTS:]):
                if x[ID] in needed and (op.variadic or op.grads[i] is not None):
                    reached.add(x[ID])
    hit = next((what for i, what in complex_ids.items() if i in reached), None)
    if hit is not None:
        raise TypeError(
            f"{where}: the gradient would flow through complex values ({hit}); this engine "
            "does not differentiate complex numbers (TensorFlow's convention, conj(df/dz), is "
            "not implemented). Compute with the real and imaginary parts as float tensors, or "
            "cut the complex part off with ad.stop_gradient"
        )
