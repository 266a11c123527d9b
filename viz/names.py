"""What the diagram, the captions and the panels call each node: one unique short label.

A name used by one node is its label. Names used by several nodes (two unnamed `multiply`
ops, two leaves both called `x`) are numbered in graph order: `multiply#1`, `multiply#2`.
The diagram's titles, the step captions, the sliders and the panels all use these labels,
so "∂multiply#2/∂x1" names exactly one box on screen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import autodiff as ad
from viz import text

SIMPLE = re.compile(r"[\w#./]+")  # a label that reads as one symbol: w, h#2, dense/kernel


def unique(names: Sequence[str]) -> list[str]:
    """`names` made unique: a name used more than once becomes `name#1`, `name#2`, ..."""
    counts = Counter(names)
    seen: Counter[str] = Counter()
    labels = []
    for name in names:
        if counts[name] == 1:
            labels.append(name)
        else:
            seen[name] += 1
            labels.append(f"{name}#{seen[name]}")
    return labels


def labels(graph: ad.Graph) -> list[str]:
    """The label of every node of `graph` (by node id), visible text and unique."""
    return unique([text.visible(n.name) for n in graph.nodes])


def symbol(label: str) -> str:
    """`label` as a term of a formula: parenthesised unless it reads as one symbol
    (`(x1*w1 + x2*w2)`, but `w`, `h#2` and `dense/kernel` as they are)."""
    return label if SIMPLE.fullmatch(label) else f"({label})"
