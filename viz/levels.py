"""The level of detail a diagram opens at: the most detailed one that shows the whole graph.

A diagram should open with its whole graph in the cell, every text readable (the widget's
smallest zoom, 1.1 px per point, draws the 10-point node text at 11 px). The levels, from most
to least detailed:

1. nothing folded, with full nodes (name, op, shape, every value and gradient as numbers
   or a picture), then with compact nodes (one row: name, shape, value and gradient as a
   number or a small picture; every number on hover and in the panel);
2. each line of code folded (a named tensor with its unnamed temporaries, `viz.lines`),
   full nodes then compact;
3. then runs of repeated blocks folded, then name scopes from the deepest level up, each
   with full nodes, then compact.

Each level is tried left to right and top to bottom (`rankdir` 'LR' and 'TB'), and the
direction that shows it larger wins: a long chain reads down the cell, as a notebook
scrolls. The sizes are estimated from the labels before any layout (`estimate`); the browser
lays the chosen level out, and when the estimate was wrong it asks for the next level
(`viz.widget.GraphView`). A graph that fits at no level opens at the coarsest, panned to its
target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import autodiff as ad
from viz import pictures, text
from viz.options import DEFAULT, DETAILS, DrawingOptions
from viz.plan import Plan, folds_for_collapse, plan
from viz.structure import ROOT, Structure, lines_of

READABLE = 1.1  # px per point: the smallest zoom the widget opens at (viz/js/panzoom.js)
PX_PER_PT = 4 / 3  # the largest (100 %)
# The room a diagram should fit in, in points at READABLE: a JupyterLab cell is about 968 px
# wide at 1400 px with the file browser open; the viewport is at most 720 px high (the
# widget, with its toolbar, caption and legend, stays under 900 px).
VIEW_WIDTH_PT = 960 / READABLE - 8
VIEW_HEIGHT_PT = 720 / READABLE - 8
# Spacing between ranks and between nodes of a rank (points), as `viz.dot` sets them
RANKSEP = {"full": 25.0, "compact": 10.0}
NODESEP = {"full": 18.0, "compact": 10.0}
GROUP_SIZE = {"full": (230.0, 110.0), "compact": (260.0, 22.0)}  # a folded group's label
CHIP = 40.0  # width of a compact node's picture (points)


@dataclass(frozen=True)
class Level:
    """What a diagram draws: the nodes' detail, the fold state and the direction."""

    detail: str
    folded: frozenset[str]
    rankdir: str


def fold_states(structure: Structure, collapse: int | None = None) -> list[frozenset[str]]:
    """The fold states to try, least folded first (`collapse=N`: only its own)."""
    if collapse is not None:
        return [frozenset(folds_for_collapse(structure, collapse))]
    lines = lines_of(structure)
    repeats = {k for k, c in structure.containers.items() if c.kind == "repeat"}
    scopes = [c for c in structure.containers.values() if c.kind == "scope"]
    states = [frozenset(), frozenset(lines), frozenset(lines | repeats)]
    for level in sorted({c.key.count("/") for c in scopes}, reverse=True):
        deeper = {c.key for c in scopes if c.key.count("/") >= level}
        states.append(frozenset(lines | repeats | deeper))
    return list(dict.fromkeys(states))


def ladder(structure: Structure, options: DrawingOptions = DEFAULT) -> list[Level]:
    """Every level a diagram may open at, most detailed first: each fold state, least
    folded first, with full nodes, then compact ones. The options' `folded` (the user's
    fold state) or `collapse` fix the fold state; `rankdir` fixes the direction (else "TB"
    here: `opening` chooses it by the estimates); `detail` ("full" or "compact") the nodes'
    detail."""
    folded, detail = options.folded, options.detail
    states = [folded] if folded is not None else fold_states(structure, options.collapse)
    details = (detail,) if detail else DETAILS
    return [Level(d, state, options.rankdir or "TB") for state in states for d in details]


def opening(
    graph: ad.Graph, structure: Structure, options: DrawingOptions = DEFAULT
) -> tuple[list[Level], int]:
    """The ladder of levels (`ladder`) and the index of the first whose estimate fits the
    view at a readable size (the last if none does). The levels up to that one are
    estimated, each in the direction that shows it larger; the coarser ones after it (which
    the browser may ask for) keep its direction, and are not estimated: a plan of a big
    graph costs as much as its drawing."""
    levels = ladder(structure, options)
    rankdir = options.rankdir
    sizes: dict[str, list[tuple[float, float]]] = {}
    drawn: dict[frozenset[str], Plan] = {}
    for k, level in enumerate(levels):
        if level.folded not in drawn:
            drawn[level.folded] = plan(graph, structure, level.folded)
        if level.detail not in sizes:
            sizes[level.detail] = label_sizes(graph, level.detail)
        best, fits = _directed(graph, drawn[level.folded], sizes[level.detail], level, rankdir)
        levels[k] = best
        if fits:
            rest = [replace(other, rankdir=best.rankdir) for other in levels[k + 1 :]]
            return [*levels[: k + 1], *rest], k
    return levels, len(levels) - 1


def _directed(
    graph: ad.Graph,
    drawn: Plan,
    sizes: Sequence[tuple[float, float]],
    level: Level,
    rankdir: str | None,
) -> tuple[Level, bool]:
    """`level` in the direction that shows its plan `drawn` at the larger estimated zoom,
    and whether that fits the view at a readable size."""
    options = [rankdir] if rankdir else ["LR", "TB"]
    zooms = {d: zoom(estimate(graph, drawn, sizes, level.detail, d)) for d in options}
    best = max(options, key=zooms.__getitem__)
    return replace(level, rankdir=best), zooms[best] >= READABLE


def zoom(size: tuple[float, float]) -> float:
    """The zoom (px per point) at which a drawing of `size` fits the view whole."""
    width, height = size
    return min(PX_PER_PT, READABLE * VIEW_WIDTH_PT / width, READABLE * VIEW_HEIGHT_PT / height)


def estimate(
    graph: ad.Graph,
    drawn: Plan,
    sizes: Sequence[tuple[float, float]],
    detail: str = "full",
    rankdir: str = "LR",
) -> tuple[float, float]:
    """The layout's (width, height) in points, roughly: ranks side by side ('LR') or stacked
    ('TB'), the nodes of a rank stacked across; from the labels' sizes, without a layout."""
    size: dict[str, tuple[float, float]] = {}
    order: dict[str, int] = {}
    group = GROUP_SIZE[detail]
    for n in graph.nodes:
        for e in drawn.shown_by(n.id):
            order.setdefault(e, len(order))
            if e not in size:
                folded = drawn.groups.get(e)
                size[e] = sizes[n.id] if folded is None else group
                if folded is not None and folded.kind == "line":
                    size[e] = _line_size(graph, folded.head, folded.title, sizes, detail)
    rank = _ranks(drawn, order)
    across = 1 if rankdir in ("LR", "RL") else 0  # the side of a label along a rank
    along_of: dict[int, float] = {}
    across_of: dict[int, float] = {}
    for e, wh in size.items():
        r = rank[e]
        along_of[r] = max(along_of.get(r, 0.0), wh[1 - across])
        across_of[r] = across_of.get(r, 0.0) + wh[across] + NODESEP[detail]
    clusters = {p for p in drawn.placement.values() if p != ROOT}
    pad = 16.0 * len(clusters) ** 0.5
    along = sum(along_of.values()) + RANKSEP[detail] * (len(along_of) - 1) + pad
    wide = max(across_of.values()) + pad
    return (along, wide) if across else (wide, along)


def _ranks(drawn: Plan, order: dict[str, int]) -> dict[str, int]:
    """Each element's rank as `dot` assigns it, roughly: the longest path from a source,
    and a source (a leaf) one rank before its first reader, not all leaves in the first."""
    rank = dict.fromkeys(order, 0)
    readers: dict[str, list[str]] = {}
    edges = sorted(drawn.edges, key=lambda edge: order[edge[1]])
    for tail, head in edges:
        if order[tail] < order[head]:
            rank[head] = max(rank[head], rank[tail] + 1)
            readers.setdefault(tail, []).append(head)
    has_input = {head for _, head in edges}
    for e, heads in readers.items():
        if e not in has_input:
            rank[e] = max(0, min(rank[h] for h in heads) - 1)
    return rank


def _line_size(
    graph: ad.Graph, head: int, title: str, sizes: Sequence[tuple[float, float]], detail: str
) -> tuple[float, float]:
    """A folded line's label: its head's, titled by the line's expression."""
    width, height = sizes[head]
    if detail == "compact":
        return 6.6 * len(title) + 5.6 * len(
            text.shape(graph.nodes[head].shape)
        ) + 2 * CHIP + 30, height
    return max(width, 6.2 * len(title) + 10), height


def label_sizes(graph: ad.Graph, detail: str = "full") -> list[tuple[float, float]]:
    """Each node's label size in points, estimated from its name and its value's shape."""
    out = []
    for n in graph.nodes:
        title = min(len(n.name) + (len(n.op or "") + 3 if n.kind == "op" else 0), text.MAX_NAME)
        if detail == "compact":
            out.append((6.6 * title + 5.6 * len(text.shape(n.shape)) + 2 * CHIP + 30, 22.0))
            continue
        chars, lines = _value_text(n.value.shape, n.value.size)
        width = max(6.2 * title + 10, 5.6 * chars + 12, 70)
        out.append((width, 36.0 + 2 * 12.5 * lines))
    return out


def _value_text(shape: tuple[int, ...], size: int) -> tuple[int, int]:
    """(characters per line, lines) of a value cell."""
    if not shape:
        return 14, 1
    if size > text.MAX_ELEMENTS:
        maps = pictures.maps_box(shape)
        if maps is not None:  # the summary line and a grid of maps (NHWC)
            return max(44, round(maps[0] / 5.6)), 1 + round(maps[1] / 12.5)
        return 44, 1 + 5  # the summary line and a picture about five lines high
    if len(shape) == 1:
        return 8 + 8 * min(size, 6), -(-size // 6)
    return 8 + 8 * shape[-1], size // max(shape[-1], 1)
