"""An `ad.Graph` as a Graphviz diagram (DOT), styled to teach.

Leaves and ops look different (variables orange-tinted boxes, constants grey, ops white
rounded boxes); each node shows its name, op, shape and dtype, then its value and gradient
(gradients in blue, `None` greyed, `nan` in red). The target has a thick green border.
`name_scope`s are drawn as clusters; with `collapse=N`, scopes deeper than N levels fold into
one node each. Colours are the Okabe–Ito palette, safe for colour-blind readers.

Every user string goes into HTML-like labels escaped with `html.escape`, so names such as
`<script>` or `"a\\nb"` are text, never markup. Node ids are ours (`n3`), never user names.
Each value and gradient cell carries an id (`n3-value`, `n3-grad`) that Graphviz copies into
the SVG, so the browser can patch numbers in place without laying the graph out again.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import graphviz
import numpy as np

import autodiff as ad
from viz import text

SHOW = ("value", "grad")


@dataclass(frozen=True)
class Palette:
    """Colours of the diagram (Okabe–Ito, colour-blind safe)."""

    variable_fill: str = "#FCE9C4"  # orange #E69F00, tinted
    variable_border: str = "#E69F00"
    constant_fill: str = "#EEEEEE"
    constant_border: str = "#999999"
    op_fill: str = "#FFFFFF"
    op_border: str = "#555555"
    group_fill: str = "#E3F1FA"  # sky blue #56B4E9, tinted
    group_border: str = "#56B4E9"
    grad: str = "#0072B2"  # blue
    nan: str = "#D55E00"  # vermillion
    target: str = "#009E73"  # bluish green
    muted: str = "#999999"
    text: str = "#222222"
    edge: str = "#666666"
    cluster_fill: str = "#F7F7F7"
    cluster_border: str = "#BBBBBB"


PALETTE = Palette()
MONO = "Courier"
SANS = "Helvetica"
NBSP = "\u00a0"


def node_id(index: int) -> str:
    """The DOT (and SVG) id of graph node `index`."""
    return f"n{index}"


def edge_id(tail: str, head: str) -> str:
    """The DOT (and SVG) id of an edge between drawn elements: `e1-3` (nodes), `es0-5`."""
    return f"e{tail.removeprefix('n')}-{head.removeprefix('n')}"


def field_id(index: int, field: str) -> str:
    """The id of a node's `value` or `grad` cell (`n3-grad`)."""
    return f"n{index}-{field}"


def fields(graph: ad.Graph, show: Sequence[str] = SHOW) -> dict[str, dict]:
    """The text of every value and gradient cell, by cell id: `{"n3-grad": {"lines": [...],
    "nan": bool}}`. The diagram's labels use it, and the live widget sends it as patches."""
    out: dict[str, dict] = {}
    for node in graph.nodes:
        for field in show:
            array = node.value if field == "value" else node.grad
            lines = field_lines(field, array)
            if array is not None and array.size <= text.MAX_ELEMENTS:  # printed in full
                nan = array.dtype.kind in "fc" and any("nan" in line for line in lines)
            else:
                nan = text.has_nan(array)
            out[field_id(node.id, field)] = {"lines": lines, "nan": nan}
    return out


def field_lines(field: str, array: np.ndarray | None) -> list[str]:
    """The text lines of a value or gradient cell (`value: [[22 28]]`)."""
    lines = [line.replace(" ", NBSP) for line in text.array_lines(array)]
    label = f"{field}:{NBSP}" if field == "value" else f"grad:{NBSP * 2}"
    pad = NBSP * len(label)
    # no-break spaces: browsers collapse runs of plain spaces in SVG text, and columns would
    # no longer line up
    return [(label if k == 0 else pad) + line for k, line in enumerate(lines)]


def build(
    graph: ad.Graph,
    *,
    show: Sequence[str] = SHOW,
    rankdir: str = "LR",
    collapse: int | None = None,
    title: str | None = None,
    graph_attr: dict[str, str] | None = None,
) -> graphviz.Digraph:
    """The DOT diagram of `graph` (see the module's docstring for what it shows)."""
    show = _check_show(show)
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if collapse is not None and (not isinstance(collapse, int) or collapse < 0):
        raise ValueError(f"draw: collapse must be None or an int >= 0, got {collapse!r}")
    dot = graphviz.Digraph("autodiff", engine="dot")
    dot.attr(
        "graph",
        rankdir=rankdir,
        bgcolor="transparent",
        nodesep="0.25",
        ranksep="0.35",
        fontname=SANS,
        # At most 5 x (number of nodes) network-simplex iterations when placing nodes: a
        # variable read by every layer of a deep net gives hundreds of long edges, and the
        # unbounded placement took 27 s for a 200-node chain (1.2 s bounded); small graphs
        # need no iterations and are unchanged.
        nslimit="5",
        **(graph_attr or {}),
    )
    if title:
        dot.attr("graph", label=_html(f"<b>{_esc(title)}</b>"), labelloc="t", fontsize="16")
    dot.attr("node", shape="plain", fontname=SANS, fontsize="11", fontcolor=PALETTE.text)
    dot.attr("edge", color=PALETTE.edge, arrowsize="0.7", penwidth="1.2")

    cells = fields(graph, show)
    element = elements(graph, collapse)  # node id -> drawn element id ("n3" or "s0")
    groups = sorted({e for e in element.values() if e.startswith("s")}, key=lambda s: int(s[1:]))
    group_scopes = _group_scopes(graph, collapse)

    # nodes, placed in their scope's cluster
    by_scope: dict[str, list[tuple[str, str]]] = {}
    for node in graph.nodes:
        if element[node.id] != node_id(node.id):
            continue
        scope = _cluster_scope(node.scope, collapse)
        by_scope.setdefault(scope, []).append((node_id(node.id), _label(node, graph, cells)))
    for scope, group in zip(group_scopes, groups, strict=True):
        members = [n for n in graph.nodes if element[n.id] == group]
        parent = _cluster_scope("/".join(scope.split("/")[:-1]), collapse)
        by_scope.setdefault(parent, []).append((group, _group_label(scope, members, graph, cells)))
    _add_clusters(dot, by_scope)

    # edges, deduplicated (a collapsed scope may receive the same input twice)
    seen: set[tuple[str, str]] = set()
    for node in graph.nodes:
        head = element[node.id]
        for i in node.inputs:
            tail = element[i]
            if tail == head or (tail, head) in seen:
                continue
            seen.add((tail, head))
            source = graph.nodes[i]
            flows = source.grad is not None and node.grad is not None
            dot.edge(
                tail,
                head,
                id=edge_id(tail, head),
                color=PALETTE.edge if flows else PALETTE.muted,
                style="solid" if flows or graph.target is None else "dashed",
            )
    return dot


def _check_show(show: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(show, str):
        show = (show,)
    unknown = [s for s in show if s not in SHOW]
    if unknown:
        raise ValueError(f"draw: show may contain 'value' and 'grad', got {unknown}")
    return tuple(show)


def elements(graph: ad.Graph, collapse: int | None) -> dict[int, str]:
    """Which drawn element shows each node: itself, or its collapsed scope's group node."""
    scopes = _group_scopes(graph, collapse)
    element = {}
    for node in graph.nodes:
        folded = _folded_scope(node.scope, collapse)
        element[node.id] = f"s{scopes.index(folded)}" if folded else node_id(node.id)
    return element


def _folded_scope(scope: str, collapse: int | None) -> str:
    """The scope a node folds into under `collapse` ('' when it is drawn itself)."""
    if collapse is None or not scope:
        return ""
    parts = scope.split("/")
    return "/".join(parts[: collapse + 1]) if len(parts) > collapse else ""


def _group_scopes(graph: ad.Graph, collapse: int | None) -> list[str]:
    scopes = (_folded_scope(n.scope, collapse) for n in graph.nodes)
    return list(dict.fromkeys(s for s in scopes if s))


def _cluster_scope(scope: str, collapse: int | None) -> str:
    """The cluster a drawn element sits in: its scope, cut to `collapse` levels."""
    if collapse is None or not scope:
        return scope
    return "/".join(scope.split("/")[:collapse])


def _add_clusters(dot: graphviz.Digraph, by_scope: dict[str, list[tuple[str, str]]]) -> None:
    """Nodes into nested `cluster_…` subgraphs, one per scope path."""
    paths = set(by_scope)
    for scope in list(paths):  # every ancestor scope gets a cluster too
        parts = scope.split("/")
        paths.update("/".join(parts[:k]) for k in range(1, len(parts)))
    paths.discard("")
    order = sorted(paths)

    def fill(graph: graphviz.Digraph, scope: str) -> None:
        for ident, label in by_scope.get(scope, []):
            graph.node(ident, label=label, id=ident)
        depth = scope.count("/") + 1 if scope else 0
        for child in order:
            if child.count("/") == depth and (not scope or child.startswith(scope + "/")):
                with graph.subgraph(name=f"cluster_{order.index(child)}") as sub:
                    sub.attr(
                        label=_html(f"<i>{_esc(child.split('/')[-1])}</i>"),
                        style="rounded,filled",
                        fillcolor=PALETTE.cluster_fill,
                        color=PALETTE.cluster_border,
                        fontsize="11",
                        fontcolor="#555555",
                        labeljust="l",
                    )
                    fill(sub, child)

    fill(dot, "")


def _label(node: ad.Node, graph: ad.Graph, cells: dict[str, dict]) -> str:
    """The HTML-like label of one node."""
    is_target = node.id == graph.target
    muted = node.kind != "op" and node.grad is None and graph.target is not None
    if node.kind == "variable":
        fill, border = PALETTE.variable_fill, PALETTE.variable_border
    elif node.kind == "constant":
        fill, border = PALETTE.constant_fill, PALETTE.constant_border
    else:
        fill, border = PALETTE.op_fill, PALETTE.op_border
    if is_target:
        border = PALETTE.target
    title = _esc(text.visible(node.name))
    if node.kind == "op" and node.name != node.op:
        title += f' <font color="#666666">= {_esc(node.op or "")}</font>'
    meta = f"{_shape(node.shape)} {node.dtype}"
    if node.kind != "op":
        meta = f"{node.kind} · {meta}"
    if node.kind != "op" and not node.watched:
        meta += " · not watched"
    rows = [
        f'<tr><td id="{field_id(node.id, "name")}" href="#" align="left"><b>{title}</b></td></tr>',
        f'<tr><td align="left"><font point-size="9" color="#666666">{meta}</font></td></tr>',
    ]
    for field in ("value", "grad"):
        cell = cells.get(field_id(node.id, field))
        if cell is None:
            continue
        colour = PALETTE.grad if field == "grad" else PALETTE.text
        if cell["nan"]:
            colour = PALETTE.nan
        elif muted or (field == "grad" and node.grad is None):
            colour = PALETTE.muted
        rows.append(_field_row(field_id(node.id, field), cell["lines"], colour))
    if is_target:
        rows.append(
            f'<tr><td align="left"><font point-size="9" color="{PALETTE.target}">'
            "<b>target</b></font></td></tr>"
        )
    width = "3" if is_target else "1"
    return _html(
        f'<table border="{width}" cellborder="0" cellspacing="0" cellpadding="3" '
        f'style="rounded" bgcolor="{fill}" color="{border}">{"".join(rows)}</table>'
    )


def _group_label(
    scope: str, members: list[ad.Node], graph: ad.Graph, cells: dict[str, dict]
) -> str:
    """The label of a collapsed scope: its name, size, and its output's value and gradient."""
    ids = {n.id for n in members}
    outputs = [
        n
        for n in members
        if n.id == graph.target or any(n.id in m.inputs for m in graph.nodes if m.id not in ids)
    ]
    ops = sum(n.kind == "op" for n in members)
    rows = [
        f'<tr><td align="left"><b>{_esc(text.visible(scope.split("/")[-1]))}</b></td></tr>',
        f'<tr><td align="left"><font point-size="9" color="#666666">scope {_esc(scope)} · '
        f"{_count(ops, 'op')} · {_count(len(members) - ops, 'leaf', 'leaves')}</font></td></tr>",
    ]
    if len(outputs) == 1:
        out = outputs[0]
        for field in ("value", "grad"):
            cell = cells.get(field_id(out.id, field))
            if cell is not None:
                colour = (
                    PALETTE.nan
                    if cell["nan"]
                    else (PALETTE.grad if field == "grad" else PALETTE.text)
                )
                rows.append(_field_row(field_id(out.id, field), cell["lines"], colour))
    border = PALETTE.target if graph.target in ids else PALETTE.group_border
    return _html(
        f'<table border="2" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
        f'bgcolor="{PALETTE.group_fill}" color="{border}">{"".join(rows)}</table>'
    )


def _field_row(ident: str, lines: Iterable[str], colour: str) -> str:
    body = '<br align="left"/>'.join(_esc(line) for line in lines)
    return (
        f'<tr><td id="{ident}" href="#" align="left" balign="left">'
        f'<font face="{MONO}" point-size="10" color="{colour}">{body}</font></td></tr>'
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _shape(shape: tuple[int, ...]) -> str:
    return "scalar" if shape == () else str(shape)


def _esc(value: str) -> str:
    """Escape text for an HTML-like label (quotes too, so attributes are safe as well)."""
    return html.escape(value, quote=True)


def _html(markup: str) -> str:
    """Mark `markup` as an HTML-like label for the graphviz package (`<...>`)."""
    return f"<{markup}>"
