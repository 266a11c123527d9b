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
from typing import Any, Protocol

import numpy as np


# What this module reads of `graph.py`'s classes, as protocols: `graph.py` imports this module
# (`Graph.explain`), so this one does not import it back.
class Node(Protocol):
    """A node of the graph (`autodiff.graph.Node`)."""

    id: int
    kind: str
    op: str | None
    name: str
    inputs: tuple[int, ...]
    value: np.ndarray
    grad: np.ndarray | None
    watched: bool

    @property
    def dtype(self) -> np.dtype: ...


class BackwardStep(Protocol):
    """One op of the reverse pass (`autodiff.graph.BackwardStep`)."""

    node: int
    upstream: np.ndarray


class Graph(Protocol):
    """The recorded computation (`autodiff.graph.Graph`), with a target."""

    nodes: tuple[Node, ...]
    target: Any
    _facts: Any

    def backward_steps(self) -> Sequence[BackwardStep]: ...


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
    sentence = _explain(graph, node, facts(graph))
    return sentence[0].upper() + sentence[1:]


class Facts:
    """What explanations read of one graph, found once (a graph is immutable), so that
    explaining every node takes time linear in the graph's size: the consumers of each node,
    the backward steps by node, which nodes the target depends on (through stop_gradient or
    not), and, filled as explanations ask, the first stop, blocker or saturated op below a
    node. Every walk is iterative: a graph of any depth."""

    def __init__(self, graph: Graph) -> None:
        """The facts of `graph` (which has a target)."""
        self.graph = graph
        nodes = graph.nodes
        self.consumers: list[list[int]] = [[] for _ in nodes]
        for n in nodes:
            for i in n.inputs:
                self.consumers[i].append(n.id)
        self.is_stop = [n.op == "stop_gradient" for n in nodes]
        target = graph.target
        self.reaches = set(_walk(target, lambda n: nodes[n].inputs))
        # the nodes with a path to the target on which no node after them is a stop_gradient
        clean = lambda n: () if self.is_stop[n] else nodes[n].inputs
        self.reaches_clean = set() if self.is_stop[target] else set(_walk(target, clean))
        self.stop_above = [False] * len(nodes)  # a stop_gradient among the node's ancestors
        for n in nodes:
            self.stop_above[n.id] = self.is_stop[n.id] or any(self.stop_above[i] for i in n.inputs)
        self._steps: dict[int, BackwardStep] | None = None
        self.found: dict[str, dict[int, str]] = {"stop": {}, "blocker": {}, "saturated": {}}

    @property
    def steps(self) -> dict[int, BackwardStep]:
        """The backward steps by op node (made on first use)."""
        if self._steps is None:
            self._steps = {s.node: s for s in self.graph.backward_steps()}
        return self._steps


def facts(graph: Graph) -> Facts:
    """The `Facts` of `graph`, made once and kept with it."""
    found = graph._facts
    if found is None:
        found = graph._facts = Facts(graph)
    return found


def _explain(graph: Graph, node: Node, facts: Facts) -> str:
    target = graph.nodes[graph.target]
    name, t = f"the gradient of {node.name!r}", repr(target.name)
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
    if node.id not in facts.reaches:
        return f"{name} is None: {t} does not depend on it (no path leads from it to {t})."
    if node.grad is None:
        return _none_reason(graph, node, name, t, facts)
    return _zero_or_small_reason(node, name, t, facts)


def _none_reason(graph: Graph, node: Node, name: str, t: str, facts: Facts) -> str:
    if node.op == "stop_gradient":
        return f"{name} is None: it is the output of stop_gradient, which acts as a constant."
    if not node.watched:
        if node.kind != "op":
            what = (
                "a constant the tape does not watch: make it an ad.Variable, or call "
                "tape.watch on it inside the `with` block"
            )
        elif facts.stop_above[node.id]:
            what = "computed only from constants and stop_gradient outputs, which act as constants"
        else:
            what = "computed only from constants the tape does not watch"
        return f"{name} is None: it is {what}."
    if node.id not in facts.reaches_clean:
        first = _first_below(facts, node.id, "stop", lambda c: _stop_look(facts, c))
        stop = first or "stop_gradient"
        return (
            f"{name} is None: every path from it to {t} goes through "
            f"stop_gradient {stop!r}, which cuts the gradient."
        )
    return f"{name} is None: no gradient reaches it from {t}."


def _zero_or_small_reason(node: Node, name: str, t: str, facts: Facts) -> str:
    grad = np.asarray(node.grad)
    if grad.size and np.all(grad == 0):
        blocker = _first_below(facts, node.id, "blocker", lambda c: _blocker_look(facts, c))
        why = blocker or "the local derivatives on the way multiply to zero"
        return f"{name} is zero: {why}."
    saturated = _first_below(facts, node.id, "saturated", lambda c: _saturated_look(facts, c))
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


def _walk(start: int, neighbours: Callable[[int], Sequence[int]]) -> Iterator[int]:
    """`start`, then every node reached from it through `neighbours` (each once)."""
    seen, stack = {start}, [start]
    yield start
    while stack:
        for m in neighbours(stack.pop()):
            if m not in seen:
                seen.add(m)
                yield m
                stack.append(m)


# What a search below a node finds at one consumer: a sentence (found: stop there), or ""
# and whether to search on below it.
Look = Callable[[int], tuple[str, bool]]


def _first_below(facts: Facts, start: int, kind: str, look: Look) -> str:
    """The first sentence `look` finds on the way from `start` towards the target, depth
    first in the consumers' order (as a recursive search would), or "". Each node's answer
    is kept (`facts.found[kind]`): explaining every node searches each node once."""
    memo = facts.found[kind]
    if start in memo:
        return memo[start]
    consumers = facts.consumers
    stack: list[list[Any]] = [[start, iter(consumers[start]), None]]
    while stack:
        frame = stack[-1]
        n, rest, waiting = frame
        if waiting is not None and memo[waiting]:
            memo[n] = memo[waiting]
        else:
            for c in rest:
                text, deeper = look(c)
                if text or (deeper and c in memo and memo[c]):
                    memo[n] = text or memo[c]
                    break
                if deeper and c not in memo:
                    frame[2] = c
                    stack.append([c, iter(consumers[c]), None])
                    break
            else:
                memo[n] = ""
        if n in memo:
            stack.pop()
    return memo[start]


def _stop_look(facts: Facts, c: int) -> tuple[str, bool]:
    return (facts.graph.nodes[c].name, False) if facts.is_stop[c] else ("", True)


def _blocker_look(facts: Facts, c: int) -> tuple[str, bool]:
    """An op that sends nothing back although a gradient arrives at it."""
    step = facts.steps.get(c)
    if step is None:
        return "", False
    if np.any(np.asarray(step.upstream) != 0):
        op = facts.graph.nodes[c]
        text = BLOCKERS.get(op.op or "", "the local derivative of {op} is zero here")
        return text.format(op=_op_text(op)), False
    return "", True


def _saturated_look(facts: Facts, c: int) -> tuple[str, bool]:
    """A tanh or sigmoid whose local derivative is below `SATURATED` everywhere."""
    if c not in facts.steps:
        return "", False
    op = facts.graph.nodes[c]
    local = _local_slope(op)
    if local is not None and np.all(np.abs(local) < SATURATED):
        peak = float(np.max(np.abs(local)))
        return (
            f"the {_op_text(op)} on the way is saturated: its local derivative is at most "
            f"{peak:.2g} (below {SATURATED:g}), so it passes back almost nothing"
        ), False
    return "", True
