"""An `ad.Graph` as a Graphviz diagram (DOT), styled to teach, legible at any size.

Leaves and ops look different (variables orange-tinted boxes, constants grey, ops white
rounded boxes); each node shows its name, op, shape and dtype, then its value and gradient
(gradients in blue, `None` greyed, `nan` in red; tensors also as a small picture). The target
has a thick green border. Colours come from `viz/palette.json` (Okabe–Ito).

Big graphs are transformed before layout (`viz.structure`, `viz.plan`): name scopes and runs
of repeated blocks are clusters that fold into one node each, and a leaf read by many ops is
drawn beside each reader. `build` returns the DOT and the map the browser needs to find, for
each graph node, the elements that show it (`Drawing.drawn`).

Node ids are ours (`n3`, `g2`, `n5~n12`), never user names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import graphviz
import numpy as np

import autodiff as ad
from viz import pictures, text
from viz.labels import (
    NBSP,
    as_label,
    cluster_label,
    compact_label,
    esc,
    field_id,
    group_label,
    node_label,
)
from viz.levels import NODESEP, RANKSEP, Level
from viz.names import labels as labels_of
from viz.options import DEFAULT, SHOW, DrawingOptions
from viz.palette import PALETTE, SANS
from viz.plan import Plan, plan
from viz.structure import ROOT, Container, Structure, analyse

__all__ = ["NBSP", "Drawing", "build", "edge_id", "field_id", "field_lines", "fields"]


def edge_id(tail: str, head: str) -> str:
    """The DOT (and SVG) id of an edge between drawn elements: `e1-3`, `eg0-5`, `e5~n9-9`."""
    return f"e{tail.removeprefix('n')}-{head.removeprefix('n')}"


def fields(
    graph: ad.Graph, show: Sequence[str] = SHOW, nodes: Iterable[int] | None = None
) -> dict[str, dict]:
    """The content of the value and gradient cells of `nodes` (default: all), by cell id:
    `{"n3-grad": {"lines": [...], "nan": bool, "pic": dict | None}}`. The diagram's labels
    use it, and the live widget sends it as patches."""
    out: dict[str, dict] = {}
    kernel_nodes = kernels(graph)
    for node in graph.nodes if nodes is None else (graph.nodes[i] for i in nodes):
        for field in show:
            array = node.value if field == "value" else getattr(node, field)  # grad, tangent
            out[field_id(node.id, field)] = cell(field, array, node.id in kernel_nodes)
    return out


KERNEL_OPS = ("conv2d",)  # ops whose second input is a kernel (height, width, in, out)


def kernels(graph: ad.Graph) -> frozenset[int]:
    """The ids of the nodes a conv2d reads as its kernel: their 4-D values and gradients are
    pictured filter by filter (`viz.pictures.picture(kernel=True)`), not as images."""
    return frozenset(n.inputs[1] for n in graph.nodes if n.op in KERNEL_OPS and len(n.inputs) > 1)


def cell(field: str, array: np.ndarray | None, kernel: bool = False) -> dict:
    """One value or gradient cell: its text lines, whether it has a nan, its picture, and
    what a compact node shows: its `short` text, or else a picture (`pic`, or for a small
    array the `chip` a full node prints as numbers). `kernel`: the array is a conv2d kernel."""
    pic = pictures.picture(array, kernel)
    if pic is not None:  # the summary without the shape: the picture shows it
        lines = _labelled(field, [text.summary(array, shape=False).replace(" ", NBSP)])
    else:
        lines = field_lines(field, array)
    if array is not None and array.size <= text.MAX_ELEMENTS:  # printed in full
        nan = array.dtype.kind in "fc" and any("nan" in line for line in lines)
    else:
        nan = text.has_nan(array)
    small = pictures.chip(array) if pic is None else None
    if pic is not None or small is not None:
        return {"lines": lines, "nan": nan, "pic": pic, "short": "", "chip": small}
    return {"lines": lines, "nan": nan, "pic": None, "short": text.short(array).replace(" ", NBSP)}


def field_lines(field: str, array: np.ndarray | None) -> list[str]:
    """The text lines of a value or gradient cell (`value: [[22 28]]`)."""
    return _labelled(field, [line.replace(" ", NBSP) for line in text.array_lines(array)])


def _labelled(field: str, lines: list[str]) -> list[str]:
    label = f"{field}:{NBSP}" if field != "grad" else f"grad:{NBSP * 2}"  # (value, tangent)
    pad = NBSP * len(label)
    # no-break spaces: browsers collapse runs of plain spaces in SVG text, and columns would
    # no longer line up
    return [(label if k == 0 else pad) + line for k, line in enumerate(lines)]


def drawing_cells(graph: ad.Graph, drawn: Plan, show: Sequence[str] = SHOW) -> dict[str, dict]:
    """Every cell a drawing shows: those of the nodes drawn (and copied), of the folded
    groups' outputs, and each folded run's gradient trend (`trend_id`)."""
    visible = set(drawn.drawn_nodes()) | set(drawn.copies)
    for outputs in drawn.outputs.values():
        visible.update(outputs)
    cells = fields(graph, show, sorted(visible))
    if "grad" in show:
        for group in drawn.groups.values():
            if group.kind == "repeat" and graph.target is not None:
                cells[trend_id(group)] = trend_cell(graph, group)
    return cells


def trend_id(group: Container) -> str:
    """The cell id of a run's gradient trend (named after its last block's output)."""
    return f"n{group.block_outputs[-1]}-trend"


def grad_size(grad: np.ndarray | None) -> float:
    """The size of a gradient: the root mean square of its elements (nan for none, or an
    empty one; inf or nan when it holds them). The trend of a run and the gradient-size
    colours use it."""
    if grad is None or grad.size == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        return float(np.sqrt(np.mean(np.abs(np.asarray(grad, dtype=np.float64)) ** 2)))


def trend_cell(graph: ad.Graph, group: Container) -> dict:
    """The size of the gradient at each block's output, as a sparkline of log10 |grad|
    (root mean square): gradients vanishing or exploding through time show as a slope. A
    block whose gradient is exactly 0 (underflow) has no logarithm: a gap, counted in words."""
    sizes = np.asarray([grad_size(graph.nodes[i].grad) for i in group.block_outputs])
    with np.errstate(divide="ignore"):
        logs = np.log10(sizes)
    logs[~np.isfinite(logs)] = np.nan
    shown = np.flatnonzero(np.isfinite(logs))
    if shown.size:
        first, last = shown[0], shown[-1]
        text_line = (
            f"log10|grad| per block: {logs[first]:.1f} at block {first + 1} … "
            f"{logs[last]:.1f} at block {last + 1}"
        )
    else:
        text_line = "log10|grad| per block: no gradient"
    zeros = int(np.count_nonzero(sizes == 0))
    if zeros:
        text_line += f" ({zeros} blocks: 0)"
    pic = pictures.sparkline(logs)
    pic["nonfinite"] -= zeros  # the gaps of zeros are said in words, not as nan/inf
    return {"lines": [text_line.replace(" ", NBSP)], "nan": False, "pic": pic}


@dataclass
class Drawing:
    """A graph drawn at one level (`viz.levels`): the DOT, what each element shows, the cells."""

    digraph: graphviz.Digraph
    plan: Plan
    level: Level
    cells: dict[str, dict]  # the cells drawn (of nodes shown and of folded groups' outputs)
    drawn: dict  # for the browser (see `browser_map`)

    @property
    def folded(self) -> frozenset[str]:
        """The fold state drawn."""
        return self.level.folded

    @property
    def source(self) -> str:
        """The DOT source text."""
        return self.digraph.source


def build(
    graph: ad.Graph,
    level: Level,
    options: DrawingOptions = DEFAULT,
    *,
    structure: Structure | None = None,
) -> Drawing:
    """The diagram of `graph` at `level` (its detail, fold state and direction; see
    `viz.levels.opening` for the level a diagram opens at), drawn with `options` (the
    numbers it shows, its title and Graphviz attributes; the level has the rest)."""
    structure = structure or analyse(graph)
    drawn = plan(graph, structure, level.folded)
    cells = drawing_cells(graph, drawn, options.show)
    dot = _digraph(level, options.title, options.graph_attr)
    names = labels_of(graph)
    _add_elements(dot, graph, structure, drawn, cells, names, level.detail)
    _add_edges(dot, graph, drawn)
    return Drawing(dot, drawn, level, cells, browser_map(graph, structure, drawn, names))


def _digraph(
    level: Level, title: str | None, graph_attr: Mapping[str, str] | None
) -> graphviz.Digraph:
    dot = graphviz.Digraph("autodiff", engine="dot")
    attrs = dict(
        rankdir=level.rankdir,
        bgcolor="transparent",
        nodesep=f"{NODESEP[level.detail] / 72:.3g}",
        ranksep=f"{RANKSEP[level.detail] / 72:.3g}",
        fontname=SANS,
        # At most 5 x (number of nodes) network-simplex iterations when placing nodes: long
        # edges made the unbounded placement take 27 s for a 200-node chain (1.2 s bounded);
        # small graphs need no iterations and are unchanged.
        nslimit="5",
    )
    dot.attr("graph", **{**attrs, **(graph_attr or {})})  # (graph_attr's own win)
    if title:
        dot.attr("graph", label=as_label(f"<b>{esc(text.visible(title, 200))}</b>"))
        dot.attr("graph", labelloc="t", fontsize="16")
    dot.attr("node", shape="plain", fontname=SANS, fontsize="11", fontcolor=PALETTE.text)
    if level.detail == "compact":  # the browser writes a compact node's cells in one row
        dot.attr("node", **{"class": "adviz-compact"})
    dot.attr("edge", color=PALETTE.edge, arrowsize="0.7", penwidth="1.2")
    return dot


def _add_elements(
    dot: graphviz.Digraph,
    graph: ad.Graph,
    structure: Structure,
    drawn: Plan,
    cells: dict,
    names: Sequence[str],
    detail: str = "full",
) -> None:
    """Every drawn element, titled by its label in `names`, in the cluster of the container
    it is placed in; `detail` "compact" draws each in one row."""
    inside: dict[str, list[tuple[str, str]]] = {}
    for element, label in _labels(graph, structure, drawn, cells, names, detail):
        inside.setdefault(drawn.placement[element], []).append((element, label))
    index = structure.number
    children: dict[str, list[str]] = {}
    linked: set[str] = set()
    for key in inside:  # every cluster on the way from the root to an element
        while key != ROOT and key not in linked:
            linked.add(key)
            parent = structure.containers[key].parent or ROOT
            children.setdefault(parent, []).append(key)
            key = parent

    def fill(sub: graphviz.Digraph, key: str) -> None:
        for ident, label in inside.get(key, []):
            sub.node(ident, label=label, id=ident)
        for child in sorted(children.get(key, []), key=index.__getitem__):
            with sub.subgraph(name=f"cluster_{index[child]}") as cluster:
                c = structure.containers[child]
                cluster.attr(
                    id=f"c{index[child]}",
                    label=cluster_label(c),
                    style="rounded,filled",
                    fillcolor=PALETTE.repeat_fill if c.kind == "repeat" else PALETTE.cluster_fill,
                    color=PALETTE.cluster_border,
                    fontsize="11",
                    fontcolor=PALETTE.meta,
                    labeljust="l",
                    tooltip="click the title to fold",
                )
                fill(cluster, child)

    fill(dot, ROOT)


def _labels(
    graph: ad.Graph,
    structure: Structure,
    drawn: Plan,
    cells: dict,
    names: Sequence[str],
    detail: str,
) -> Iterator[tuple[str, str]]:
    """(element id, label) of every drawn element: nodes, the copies of shared leaves, and
    folded groups, at the nodes' `detail`."""
    compact = detail == "compact"
    for node in graph.nodes:
        name = names[node.id]
        if node.id in drawn.copies:
            readers = len(structure.consumers[node.id])
            for copy in drawn.copies[node.id].values():
                if compact:
                    yield copy, compact_label(node, graph, cells, name, copy_of=copy)
                else:
                    yield copy, node_label(node, graph, cells, name, copy, readers)
        elif drawn.element[node.id][0] == "n":
            draw = compact_label if compact else node_label
            yield drawn.element[node.id], draw(node, graph, cells, name)
    for g, group in drawn.groups.items():
        yield g, group_label(g, group, drawn.outputs.get(g, []), graph, cells, names, detail)


def _add_edges(dot: graphviz.Digraph, graph: ad.Graph, drawn: Plan) -> None:
    """The edges; a leaf (a weight, a constant) may sit beside the op that reads it, on its
    rank (`minlen=0`), instead of taking a rank of its own above it: the layout is as deep
    as the chain of ops, not one rank deeper for each layer's weights."""
    for (tail, head), pairs in drawn.edges.items():
        flows = any(
            graph.nodes[i].grad is not None and graph.nodes[j].grad is not None for i, j in pairs
        )
        leaf = tail[0] == "n" and all(graph.nodes[i].kind != "op" for i, _ in pairs)
        dot.edge(
            tail,
            head,
            id=edge_id(tail, head),
            color=PALETTE.edge if flows else PALETTE.muted,
            style="solid" if flows or graph.target is None else "dashed",
            **({"minlen": "0"} if leaf else {}),
        )


def browser_map(graph: ad.Graph, structure: Structure, drawn: Plan, names: Sequence[str]) -> dict:
    """What the browser needs to map graph nodes to drawn elements (the `drawn` trait):

    - `groups`: folded group id -> {"key": container key, "members": [node ids]};
    - `copied`: ids of the leaves drawn as copies (`n{leaf}~{reader element}`);
    - `clusters`: SVG cluster id (`c4`) -> key of the container it shows unfolded;
    - `names`: node id -> label, `names` (search finds nodes inside folded groups);
    - `focus`: the element showing the target (the view starts there when it cannot show all).
    """
    index = structure.number
    members: dict[str, list[int]] = {g: [] for g in drawn.groups}
    for node_id, e in enumerate(drawn.element):
        if e in members:
            members[e].append(node_id)
    clusters = {
        f"c{index[key]}": key
        for place in set(drawn.placement.values())
        for key in structure.chain(place)
        if key != ROOT
    }
    focus = drawn.shown_by(graph.target)[-1] if graph.target is not None else ""
    return {
        "groups": {g: {"key": c.key, "members": members[g]} for g, c in drawn.groups.items()},
        "copied": sorted(drawn.copies),
        "clusters": clusters,
        "names": list(names),
        "focus": focus,
    }
