"""Why a gradient is None or zero, in one sentence (`Graph.explain`).

The reasons, checked in this order: the node is the target; its dtype is not a float; the
target does not depend on it; it is a constant the tape does not watch (or computed from such
constants only); every path to the target goes through `stop_gradient`; an op on the way
blocked the gradient (a ReLU whose input was not positive, a `where` that chose the other
branch, a `maximum`/`minimum` whose other input won); a `tanh` or `sigmoid` on the way is
saturated (local derivative below `SATURATED`). Otherwise the gradient is simply what it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from autodiff.graph import BackwardStep, Graph, Node

SATURATED = 1e-3  # a tanh or sigmoid whose local derivative is below this is saturated
BLOCKERS = {
    "relu": "the {op} passed no gradient back: its input was not positive",
    "where": "the {op} chose the other branch, so no gradient flows back to it",
    "maximum": "the {op} took the other input, so no gradient flows back to it",
    "minimum": "the {op} took the other input, so no gradient flows back to it",
    "tanh": "the {op} is saturated: its output is ±1, where its slope 1 - tanh² is 0",
    "sigmoid": "the {op} is saturated: its output is 0 or 1, where its slope is 0",
}


def explain(graph: Graph, node: Node) -> str:
    """One sentence saying why `node`'s gradient (of `graph`'s target) is what it is."""
    sentence = _explain(graph, node)
    return sentence[0].upper() + sentence[1:]


def _explain(graph: Graph, node: Node) -> str:
    target = graph.nodes[graph.target]
    name, t = f"the gradient of {node.name!r}", repr(target.name)
    consumers = _consumers(graph)
    if node.id == target.id:
        if node.grad is None:
            return (
                f"{node.name!r} is the target, and its gradient is None: it depends on no "
                "watched tensor, so there is no backward pass to seed (make an input an "
                "ad.Variable, or call tape.watch on it)."
            )
        return f"{node.name!r} is the target: its gradient is 1, the seed of the backward pass."
    if node.dtype.kind != "f":
        return (
            f"{name} is None: it has dtype {node.dtype}, and only float tensors "
            f"are differentiable (cast it, e.g. ad.cast({node.name}, ad.float32))."
        )
    if not _reaches(node.id, target.id, consumers, graph, through_stop=True):
        return f"{name} is None: {t} does not depend on it (no path leads from it to {t})."
    if node.grad is None:
        return _none_reason(graph, node, name, t, consumers)
    return _zero_or_small_reason(graph, node, name, t, consumers)


def _none_reason(graph: Graph, node: Node, name: str, t: str, consumers: list) -> str:
    if node.op == "stop_gradient":
        return f"{name} is None: it is the output of stop_gradient, which acts as a constant."
    if not node.watched:
        if node.kind != "op":
            what = (
                "a constant the tape does not watch: make it an ad.Variable, or call "
                "tape.watch on it inside the `with` block"
            )
        elif _has_stop_above(graph, node.id):
            what = "computed only from constants and stop_gradient outputs, which act as constants"
        else:
            what = "computed only from constants the tape does not watch"
        return f"{name} is None: it is {what}."
    if not _reaches(node.id, graph.target, consumers, graph, through_stop=False):
        stop = _first_stop(graph, node.id, consumers)
        return (
            f"{name} is None: every path from it to {t} goes through "
            f"stop_gradient {stop!r}, which cuts the gradient."
        )
    return f"{name} is None: no gradient reaches it from {t}."


def _zero_or_small_reason(graph: Graph, node: Node, name: str, t: str, consumers: list) -> str:
    steps = {s.node: s for s in graph.backward_steps()}
    grad = np.asarray(node.grad)
    if grad.size and np.all(grad == 0):
        blocker = _blocker(graph, node.id, steps, consumers, set())
        why = blocker or "the local derivatives on the way multiply to zero"
        return f"{name} is zero: {why}."
    saturated = _saturated(graph, node.id, steps, consumers, set())
    if saturated:
        return f"{name} is small: {saturated}."
    return f"{name} is neither None nor zero: it flows back from {t} unblocked."


def _op_text(op: Node) -> str:
    """`tanh 'h1'`, or `tanh` for an op called by its own name."""
    return f"{op.op} {op.name!r}" if op.name != op.op else str(op.op)


def _local_slope(op: Node) -> np.ndarray | None:
    """The local derivative of a tanh or sigmoid op, from its output; None for other ops."""
    out = np.asarray(op.value, dtype=np.float64)
    if op.op == "tanh":
        return 1 - out**2
    if op.op == "sigmoid":
        return out * (1 - out)
    return None


def _walk(
    start: int,
    neighbours: Callable[[int], Sequence[int]],
    enter: Callable[[int], bool] | None = None,
) -> Iterator[int]:
    """`start`, then every node reached from it through `neighbours` (depth first, each
    once, as it is found), not going into the nodes `enter` refuses."""
    seen, stack = {start}, [start]
    yield start
    while stack:
        for m in neighbours(stack.pop()):
            if m not in seen and (enter is None or enter(m)):
                seen.add(m)
                yield m
                stack.append(m)


def _is_stop(graph: Graph, n: int) -> bool:
    return graph.nodes[n].op == "stop_gradient"


def _has_stop_above(graph: Graph, start: int) -> bool:
    """Whether a stop_gradient op is among the ops `start` is computed from (or is it)."""
    return any(_is_stop(graph, n) for n in _walk(start, lambda n: graph.nodes[n].inputs))


def _consumers(graph: Graph) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in graph.nodes]
    for n in graph.nodes:
        for i in n.inputs:
            out[i].append(n.id)
    return out


def _reaches(start: int, end: int, consumers: Sequence, graph: Graph, through_stop: bool) -> bool:
    """Whether a path leads from `start` to `end` (optionally not through stop_gradient)."""
    enter = None if through_stop else (lambda n: not _is_stop(graph, n))
    return any(n == end for n in _walk(start, consumers.__getitem__, enter))


def _first_stop(graph: Graph, start: int, consumers: Sequence) -> str:
    """The name of the first stop_gradient op found on the way from `start`."""
    found = (n for n in _walk(start, consumers.__getitem__) if n != start and _is_stop(graph, n))
    first = next(found, None)
    return graph.nodes[first].name if first is not None else "stop_gradient"


def _blocker(
    graph: Graph, n: int, steps: dict[int, BackwardStep], consumers: Sequence, seen: set
) -> str:
    """The first op, from `n` towards the target, that sends `n` nothing although a gradient
    arrives at it."""
    for c in consumers[n]:
        step = steps.get(c)
        if step is None or c in seen:
            continue
        seen.add(c)
        if np.any(np.asarray(step.upstream) != 0):
            op = graph.nodes[c]
            text = BLOCKERS.get(op.op or "", "the local derivative of {op} is zero here")
            return text.format(op=_op_text(op))
        deeper = _blocker(graph, c, steps, consumers, seen)
        if deeper:
            return deeper
    return ""


def _saturated(
    graph: Graph, n: int, steps: dict[int, BackwardStep], consumers: Sequence, seen: set
) -> str:
    """A tanh or sigmoid between `n` and the target whose local derivative is below
    `SATURATED` everywhere."""
    for c in consumers[n]:
        if c in seen or c not in steps:
            continue
        seen.add(c)
        op = graph.nodes[c]
        local = _local_slope(op)
        if local is not None and np.all(np.abs(local) < SATURATED):
            peak = float(np.max(np.abs(local)))
            return (
                f"the {_op_text(op)} on the way is saturated: its local derivative is at most "
                f"{peak:.2g} (below {SATURATED:g}), so it passes back almost nothing"
            )
        deeper = _saturated(graph, c, steps, consumers, seen)
        if deeper:
            return deeper
    return ""
