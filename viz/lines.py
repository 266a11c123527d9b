"""One node per line of the student's code: a named tensor with its unnamed temporaries.

A student writes `bnvar = 1/(n-1) * ad.reduce_sum(bndiff2, 0, keepdims=True)`: one line, one
name, but a constant, a `reduce_sum` and a `multiply` on the tape. Folded, the line is one
node titled by its expression (`bnvar = 0.03226 * reduce_sum(bndiff2)`), showing the named
tensor's value and gradient; the temporaries are one click away.

A node is *named* when it has a name of its own: a leaf (a variable, a tensor made by
`constant`), or an op output named explicitly (`name=`) or by the code that holds it (see
`viz.code_names`). A temporary (an unnamed op's output, or a Python number turned into a
constant) joins the line of the node that reads it, when every reader is in that one line and
in the same container (scope, repeated run). At most `MAX_MEMBERS` temporaries join a line,
so an unnamed chain is cut into readable pieces instead of one long expression.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import autodiff as ad
from viz import names, text

MAX_MEMBERS = 6  # temporaries in one line, at most
MAX_TITLE = 56  # characters of a line's expression, at most (the panel has it all)
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?|-?inf|nan")
INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "pow": "**", "matmul": "@"}
_TIGHT = {"pow": 3, "matmul": 2, "multiply": 2, "divide": 2, "add": 1, "subtract": 1}


@dataclass(frozen=True)
class Line:
    """A named tensor (`head`), the temporaries folded into it, and the line's expression."""

    head: int
    members: tuple[int, ...]
    title: str


def is_temporary(node: ad.Node) -> bool:
    """Whether `node` has no name of its own: an op output named after its op, or a scalar
    constant named after its value (a Python number in an expression)."""
    named = getattr(node, "named", None)
    if named is not None:
        return not named and node.kind != "variable"
    if node.kind == "op":
        return node.name == node.op
    return node.kind == "constant" and node.shape == () and bool(_NUMBER.fullmatch(node.name))


def find_lines(
    graph: ad.Graph, consumers: Sequence[Sequence[int]], home: Sequence[str]
) -> list[Line]:
    """Every line with at least one temporary (an op, or a number: `bndiff ** 2`), heads in
    graph order."""
    owner = list(range(len(graph.nodes)))
    members: dict[int, list[int]] = {}
    for node in reversed(graph.nodes):
        if node.id == graph.target or not is_temporary(node) or not consumers[node.id]:
            continue
        heads = {owner[c] for c in consumers[node.id]}
        if len(heads) != 1:
            continue
        head = heads.pop()
        if home[head] == home[node.id] and len(members.get(head, ())) < MAX_MEMBERS:
            owner[node.id] = head
            members.setdefault(head, []).append(node.id)
    labels = names.labels(graph)
    lines = []
    for head in sorted(members):
        inside = members[head]
        title = expression(graph, head, set(inside), labels)
        if not is_temporary(graph.nodes[head]):
            title = f"{labels[head]} = {title}"
        lines.append(Line(head, tuple(sorted(inside)), text.visible(title, MAX_TITLE)))
    return lines


def expression(graph: ad.Graph, head: int, inside: set[int], labels: Sequence[str]) -> str:
    """The line's code, rebuilt from its ops: `(bnvar + 1e-05) ** -0.5`; inputs from other
    lines by their labels (`viz.names`)."""
    return _term(graph, graph.nodes[head], inside, labels, top=True)[0]


def _term(
    graph: ad.Graph, node: ad.Node, inside: set[int], labels: Sequence[str], top: bool = False
) -> tuple[str, int]:
    """(text, binding strength) of `node` as a term; labels stand for what is not inside."""
    if node.kind != "op" or not (top or node.id in inside):
        return text.visible(labels[node.id], 24), 9
    args = [_term(graph, graph.nodes[i], inside, labels) for i in node.inputs]
    op = node.op or ""
    if op in INFIX and len(args) == 2:
        tight = _TIGHT[op]
        (a, ta), (b, tb) = args
        left = a if ta >= tight + (op == "pow") else f"({a})"
        right = b if tb > tight or (tb == tight and op in ("add", "multiply")) else f"({b})"
        return f"{left} {INFIX[op]} {right}", tight
    if op == "negative" and len(args) == 1:
        a, ta = args[0]
        return (f"-{a}" if ta >= 3 else f"-({a})"), 3
    if op == "getitem" and len(args) == 1:
        a, ta = args[0]
        return (f"{a}[…]" if ta >= 9 else f"({a})[…]"), 9
    return f"{op}({', '.join(a for a, _ in args)})", 9
