"""What is drawn for a fold state: elements, copies of shared leaves, clusters and edges.

Given a graph's `Structure` and the set of folded container keys, every node is shown by one
drawn element: itself (`n3`) or the folded container it sits in (`g2`). A leaf read by
`COPY_MIN` or more drawn elements (a weight shared by every time step) is not drawn once with
edges across the whole picture: it gets a copy beside each reader (`n5~n12`), as TensorBoard
extracts its auxiliary nodes. Copies show the same value and gradient and are highlighted
together in the browser.

`viz.levels` picks the fold state (and the detail of the nodes) a diagram opens at.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import autodiff as ad
from viz.structure import ROOT, Container, Structure

COPY_MIN = 3  # a leaf read by this many drawn elements gets a copy beside each
MAX_DRAWN = 1500  # at most this many elements are drawn; the rest, farthest from the target,
# are summed up in one node (`REST`): a browser lays out 1,500 nodes in about a second
REST = "grest"


@dataclass
class Plan:
    """What the diagram draws (see the module's docstring)."""

    element: list[str]  # node id -> id of the drawn element showing it
    groups: dict[str, Container]  # folded group element id -> its container
    copies: dict[int, dict[str, str]]  # shared leaf id -> {reader element: copy id}
    placement: dict[str, str]  # drawn element -> key of the container it is drawn in
    edges: dict[tuple[str, str], list[tuple[int, int]]]  # drawn edge -> graph edges it shows
    outputs: dict[str, list[int]] = field(default_factory=dict)  # group -> its output nodes

    def shown_by(self, node: int) -> list[str]:
        """Every drawn element showing `node`: itself or its group, or all its copies."""
        copies = self.copies.get(node)
        return list(copies.values()) if copies else [self.element[node]]

    def drawn_nodes(self) -> list[int]:
        """The graph nodes drawn as themselves (not folded, not copied)."""
        return [i for i, e in enumerate(self.element) if e[0] == "n" and i not in self.copies]


def plan(graph: ad.Graph, structure: Structure, folded: Iterable[str] = ()) -> Plan:
    """Elements, copies, placement and edges for the fold state `folded` (container keys;
    unknown keys are ignored)."""
    folded = set(folded)
    shown: dict[str, str | None] = {}  # container -> the group element hiding it, if any
    groups: dict[str, Container] = {}
    for key, c in structure.containers.items():  # parents come before children
        above = shown.get(c.parent) if c.parent is not None else None
        if above is None and key in folded and c.kind != "root":
            above = f"g{structure.number[key]}"
            groups[above] = c
        shown[key] = above
    element = [shown[structure.home[n.id]] or f"n{n.id}" for n in graph.nodes]
    if len(set(element)) > MAX_DRAWN:
        groups[REST] = _cut_to_nearest(graph, element, MAX_DRAWN)
        left = set(element)
        groups = {g: c for g, c in groups.items() if g in left}
    placement: dict[str, str] = {}
    for n in graph.nodes:
        e = element[n.id]
        if e not in placement:
            place = structure.home[n.id] if e[0] == "n" else groups[e].parent or ROOT
            placement[e] = _drawn_container(structure, place)
    copies = _copies(graph, structure, element, placement)
    edges: dict[tuple[str, str], list[tuple[int, int]]] = {}
    outputs: dict[str, dict[int, None]] = {g: {} for g in groups}
    for n in graph.nodes:
        head = element[n.id]
        for i in n.inputs:
            tail = copies[i][head] if i in copies else element[i]
            if tail == head:
                continue
            edges.setdefault((tail, head), []).append((i, n.id))
            if tail in outputs:
                outputs[tail][i] = None
    if graph.target is not None and element[graph.target] in outputs:
        outputs[element[graph.target]][graph.target] = None
    return Plan(element, groups, copies, placement, edges, {g: list(o) for g, o in outputs.items()})


def _drawn_container(structure: Structure, key: str) -> str:
    """The container drawn as the cluster around what sits in `key`: an unfolded line of
    code draws no box of its own (its nodes sit in the line's scope or run)."""
    while structure.containers[key].kind == "line":
        key = structure.containers[key].parent or ROOT
    return key


def _cut_to_nearest(graph: ad.Graph, element: list[str], limit: int) -> Container:
    """Keep the `limit` elements nearest the target (breadth first along inputs, from the
    target or the last node); every other node is shown by one `REST` element."""
    start = graph.target if graph.target is not None else len(graph.nodes) - 1
    keep: set[str] = set()
    seen = {start}
    queue = deque([start])
    while queue and len(keep) < limit:
        n = queue.popleft()
        keep.add(element[n])
        for i in graph.nodes[n].inputs:
            if i not in seen:
                seen.add(i)
                queue.append(i)
    rest = [n.id for n in graph.nodes if element[n.id] not in keep]
    for n in rest:
        element[n] = REST
    ops = sum(graph.nodes[n].kind == "op" for n in rest)
    return Container("", "rest", f"{len(rest):,} more nodes", ROOT, nodes=rest, ops=ops)


def _copies(
    graph: ad.Graph, structure: Structure, element: list[str], placement: dict[str, str]
) -> dict[int, dict[str, str]]:
    copies = {}
    for n in graph.nodes:
        readers = structure.consumers[n.id]
        if n.kind == "op" or element[n.id][0] != "n" or len(readers) < COPY_MIN:
            continue
        by_element = list(dict.fromkeys(element[r] for r in readers))
        if len(by_element) < COPY_MIN:
            continue
        copies[n.id] = {e: f"n{n.id}~{e}" for e in by_element}
        del placement[element[n.id]]
        for e, copy in copies[n.id].items():
            placement[copy] = placement[e]
    return copies


# ----------------------------------------------------------------------------- folding
def folds_for_collapse(structure: Structure, collapse: int) -> set[str]:
    """`collapse=N`: the scopes N levels deep (and deeper) folded."""
    return {
        key
        for key, c in structure.containers.items()
        if c.kind == "scope" and key.removeprefix("scope:").count("/") == collapse
    }
