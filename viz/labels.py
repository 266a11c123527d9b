"""The HTML-like labels of the diagram's elements: a node, a copy of a shared leaf, a folded
group. All user text passes through `esc` (quotes too), so names such as `<script>` or
`"a\\nb"` are text, never markup.

Every value and gradient cell carries an id (`n3-value`; on a copy or a group `n3-value~g2`)
that Graphviz copies into the SVG, so the browser patches numbers in place without a new
layout; a tensor's picture gets a reserved cell (`pn3-value`) the browser draws into.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import autodiff as ad
from viz import pictures, text
from viz.options import FIELDS
from viz.palette import MONO, PALETTE
from viz.structure import Container

NBSP = "\u00a0"
MAX_OUTPUTS = 3  # a folded group shows the values of at most this many outputs


def field_id(index: int, field: str) -> str:
    """The id of a node's `value` or `grad` cell (`n3-grad`)."""
    return f"n{index}-{field}"


def esc(value: str) -> str:
    """Escape text for an HTML-like label (quotes too, so attributes are safe as well; and
    square brackets, which Graphviz's label lexer rejects in a name that is just `]`)."""
    return html.escape(value, quote=True).replace("[", "&#91;").replace("]", "&#93;")


def as_label(markup: str) -> str:
    """Mark `markup` as an HTML-like label for the graphviz package (`<...>`)."""
    return f"<{markup}>"


def node_label(
    node: ad.Node,
    graph: ad.Graph,
    cells: dict[str, dict],
    name: str,
    copy_of: str = "",
    readers: int = 0,
    element: str = "",
) -> str:
    """The label of one node titled `name` (its unique label, `viz.names`), or (`copy_of`
    its element id) of one copy of a shared leaf, or (`element` its id) of the folded line of
    code it makes, titled by the line (the op is in the line: not repeated)."""
    fill, border, is_target = _colours(node, graph)
    muted = node.kind != "op" and node.grad is None and graph.target is not None
    title = esc(name)
    if (
        node.kind == "op" and node.name != node.op and not element
    ):  # Graphviz drops plain spaces at a <font>
        op = esc(text.visible(node.op or ""))
        title += f'{NBSP}<font color="{PALETTE.meta}">={NBSP}{op}</font>'
    meta = f"{text.shape(node.shape)} {node.dtype}"
    if node.kind != "op":
        meta = f"{node.kind} · {meta}"
        if not node.watched:
            meta += " · not watched"
    if copy_of and readers:
        meta += f" · shared by {readers}"
    suffix = f"~{copy_of or element}" if copy_of or element else ""
    rows = [
        f'<tr><td id="n{node.id}-name{suffix}" href="#" align="left"><b>{title}</b></td></tr>',
        _meta_row(meta),
    ]
    for field in FIELDS:
        cell = cells.get(field_id(node.id, field))
        if cell is not None:
            grey = muted or (field != "value" and getattr(node, field) is None)
            ident = field_id(node.id, field)
            rows += _field_rows(ident, cell, grey, suffix, picture=fill if not copy_of else "")
    if is_target:
        rows.append(
            f'<tr><td align="left"><font point-size="10" color="{PALETTE.target}">'
            "<b>target</b></font></td></tr>"
        )
    return _table(rows, fill, border, "3" if is_target else "1")


COMPACT_PICTURE = (40, 12)  # a compact node's picture of a value or gradient (points)
COMPACT_SIZE = 10  # a compact node's text (points): 11 px at the smallest zoom, 1.1 px/pt


def compact_label(
    node: ad.Node,
    graph: ad.Graph,
    cells: dict[str, dict],
    name: str,
    copy_of: str = "",
    element: str = "",
    op: bool = True,
) -> str:
    """A node in one row: its title (`name = op`), shape, and value and gradient as a
    number or a small picture (the numbers are on hover and in the panel). `copy_of` or
    `element` (a folded line's id) suffix the cell ids as `node_label` does."""
    fill, border, is_target = _colours(node, graph)
    muted = node.kind != "op" and node.grad is None and graph.target is not None
    suffix = f"~{copy_of or element}" if copy_of or element else ""
    title = f"<b>{esc(name)}</b>"
    if op and node.kind == "op" and node.name != node.op:
        title += (
            f'<font color="{PALETTE.meta}">{NBSP}={NBSP}{esc(text.visible(node.op or ""))}</font>'
        )
    ident = element or f"n{node.id}"
    title = f'<font point-size="{COMPACT_SIZE}">{title}</font>'
    row = [
        f'<td id="{ident}-name{suffix if not element else ""}" href="#" align="left">{title}</td>',
        f'<td align="left"><font point-size="10" color="{PALETTE.meta}">'
        f"{esc(text.shape(node.shape))}</font></td>",
    ]
    for field in FIELDS:
        cell = cells.get(field_id(node.id, field))
        if cell is not None:
            grey = muted or (field != "value" and getattr(node, field) is None)
            row.append(_compact_cell(field_id(node.id, field), cell, grey, suffix))
    return _table([f"<tr>{''.join(row)}</tr>"], fill, border, "3" if is_target else "1", "1", "3")


def _compact_cell(ident: str, cell: dict, grey: bool, suffix: str) -> str:
    """A value or gradient in a compact row: a small picture, or its short text."""
    if cell.get("pic") or cell.get("chip"):
        width, height = COMPACT_PICTURE
        return (
            f'<td id="p{ident}{suffix}" href="#" fixedsize="true" width="{width}" '
            f'height="{height}" bgcolor="transparent"></td>'
        )
    body = _cell_font(ident, cell, grey, esc(cell.get("short", "")))
    return f'<td id="{ident}{suffix}" href="#" align="left">{body}</td>'


def _colours(node: ad.Node, graph: ad.Graph) -> tuple[str, str, bool]:
    """A node's fill and border colours, and whether it is the target."""
    fill, border = {
        "variable": (PALETTE.variable_fill, PALETTE.variable_border),
        "constant": (PALETTE.constant_fill, PALETTE.constant_border),
    }.get(node.kind, (PALETTE.op_fill, PALETTE.op_border))
    is_target = node.id == graph.target
    return fill, PALETTE.target if is_target else border, is_target


def group_label(
    element: str,
    group: Container,
    outputs: Sequence[int],
    graph: ad.Graph,
    cells: dict[str, dict],
    names: Sequence[str],
    detail: str = "full",
) -> str:
    """The label of a folded group: its name, what it holds, its outputs' values and grads.
    A folded line of code looks like the node it makes, titled by the line's expression."""
    leaves = len(group.nodes) - group.ops
    if group.kind == "line":
        head = graph.nodes[group.head]
        if detail == "compact":
            return compact_label(head, graph, cells, group.title, element=element, op=False)
        return node_label(head, graph, cells, group.title, element=element)
    if group.kind == "rest":
        return _rest_label(element, group)
    if detail == "compact":
        return _compact_group_label(element, group, outputs, graph, cells)
    if group.kind == "repeat":
        title = f"{group.title} {_block_name(group)}"
        meta = f"{group.blocks} repeated blocks of {_count(len(group.block_ops), 'op')}"
        fill = PALETTE.repeat_fill
    else:
        title = text.visible(group.title)
        meta = f"scope {group.key.removeprefix('scope:')} · {_count(group.ops, 'op')}"
        if leaves:
            meta += f" · {_count(leaves, 'leaf', 'leaves')}"
        fill = PALETTE.group_fill
    rows = [
        f'<tr><td id="{element}-name" href="#" align="left"><b>▸ {esc(title)}</b></td></tr>',
        _meta_row(f"{meta} · click to unfold"),
    ]
    shown = list(outputs)[:MAX_OUTPUTS]
    for out in shown:
        node = graph.nodes[out]
        if len(shown) > 1 or node.id == graph.target:
            rows.append(_meta_row(f"→ {names[node.id]}", bold=True))
        for field in FIELDS:
            cell = cells.get(field_id(out, field))
            if cell is not None:
                grey = field != "value" and getattr(node, field) is None
                ident = field_id(out, field)
                rows += _field_rows(ident, cell, grey, f"~{element}", picture=fill)
    if len(outputs) > len(shown):
        rows.append(_meta_row(f"and {len(outputs) - len(shown)} more outputs"))
    if group.kind == "repeat" and group.block_outputs:
        trend = f"n{group.block_outputs[-1]}-trend"
        cell = cells.get(trend)
        if cell is not None:
            rows += _field_rows(trend, cell, False, f"~{element}", picture=fill)
    border = PALETTE.target if graph.target in set(group.nodes) else PALETTE.group_border
    return _table(rows, fill, border, "2")


def _compact_group_label(
    element: str, group: Container, outputs: Sequence[int], graph: ad.Graph, cells: dict
) -> str:
    """A folded scope or run in one row: its title, size, and its first output's value and
    gradient (a run also its gradient's size per block)."""
    if group.kind == "repeat":
        title, fill = f"{group.title} {_block_name(group)}", PALETTE.repeat_fill
    else:
        title, fill = text.visible(group.title), PALETTE.group_fill
    row = [
        f'<td id="{element}-name" href="#" align="left">'
        f'<font point-size="{COMPACT_SIZE}"><b>▸ {esc(title)}</b></font></td>',
        f'<td align="left"><font point-size="10" color="{PALETTE.meta}">'
        f"{_count(group.ops, 'op')}</font></td>",
    ]
    suffix = f"~{element}"
    for out in list(outputs)[:1]:
        node = graph.nodes[out]
        for field in FIELDS:
            cell = cells.get(field_id(out, field))
            if cell is not None:
                grey = field != "value" and getattr(node, field) is None
                row.append(_compact_cell(field_id(out, field), cell, grey, suffix))
    if group.kind == "repeat" and group.block_outputs:
        trend = f"n{group.block_outputs[-1]}-trend"
        if trend in cells:
            row.append(_compact_cell(trend, cells[trend], False, suffix))
    border = PALETTE.target if graph.target in set(group.nodes) else PALETTE.group_border
    return _table([f"<tr>{''.join(row)}</tr>"], fill, border, "2", "1", "3")


def _rest_label(element: str, group: Container) -> str:
    """The node standing for what a very big diagram does not draw."""
    rows = [
        f'<tr><td id="{element}-name" href="#" align="left"><b>… {esc(group.title)}</b></td></tr>',
        _meta_row(f"{_count(group.ops, 'op')} · not drawn: too many to lay out in the browser"),
        _meta_row("the diagram shows the nodes nearest the target; search finds them all"),
    ]
    return _table(rows, PALETTE.constant_fill, PALETTE.muted, "1")


def cluster_label(group: Container) -> str:
    """The label of an unfolded container's cluster (clicking it folds the container)."""
    if group.kind == "repeat":
        title = f"▾ {group.title} {_block_name(group)}"
    else:
        title = f"▾ {text.visible(group.title)}"
    return as_label(f"<i>{esc(title)}</i>")


def _block_name(group: Container) -> str:
    ops = list(dict.fromkeys(group.block_ops))
    shown = " → ".join(ops[:4]) + (" …" if len(ops) > 4 else "")
    return f"[{shown}]"


def _meta_row(meta: str, bold: bool = False) -> str:
    meta = esc(text.visible(meta, limit=160))  # scope paths are user strings too
    body = f"<b>{meta}</b>" if bold else meta
    font = f'<font point-size="10" color="{PALETTE.meta}">{body}</font>'
    return f'<tr><td align="left">{font}</td></tr>'


def _field_rows(
    ident: str, cell: dict, grey: bool, suffix: str = "", picture: str = ""
) -> list[str]:
    """A value or gradient cell's rows; with `picture` (the node's fill colour), a room for
    its picture below the text (filled like the node: Graphviz stretches it to full width)."""
    body = '<br align="left"/>'.join(esc(line) for line in cell["lines"])
    rows = [
        f'<tr><td id="{ident}{suffix}" href="#" align="left" balign="left">'
        f"{_cell_font(ident, cell, grey, body)}</td></tr>"
    ]
    pic = cell.get("pic")
    if picture and pic:
        width, height = pictures.box(pic)
        rows.append(
            f'<tr><td id="p{ident}{suffix}" href="#" fixedsize="true" width="{width:g}" '
            f'height="{height:g}" bgcolor="transparent"> </td></tr>'
        )
    return rows


def _cell_font(ident: str, cell: dict, grey: bool, body: str) -> str:
    """A cell's text (`body`, escaped) in its colour: a value black, a gradient blue, nan
    red, no gradient grey."""
    field = ident.rsplit("-", 1)[1]
    colour = PALETTE.text if field == "value" else PALETTE.grad  # grad, trend
    if cell["nan"]:
        colour = PALETTE.nan
    elif grey:
        colour = PALETTE.muted
    return f'<font face="{MONO}" point-size="10" color="{colour}">{body}</font>'


def _table(
    rows: Iterable[str], fill: str, border: str, width: str, padding: str = "3", spacing: str = "0"
) -> str:
    return as_label(
        f'<table border="{width}" cellborder="0" cellspacing="{spacing}" cellpadding="{padding}" '
        f'style="rounded" bgcolor="{fill}" color="{border}">{"".join(rows)}</table>'
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
