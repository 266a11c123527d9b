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
from viz.palette import MONO, PALETTE
from viz.structure import Container

NBSP = "\u00a0"
FIELDS = ("value", "grad")
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
) -> str:
    """The label of one node titled `name` (its unique label, `viz.names`), or (`copy_of`
    its element id) of one copy of a shared leaf."""
    is_target = node.id == graph.target
    muted = node.kind != "op" and node.grad is None and graph.target is not None
    fill, border = {
        "variable": (PALETTE.variable_fill, PALETTE.variable_border),
        "constant": (PALETTE.constant_fill, PALETTE.constant_border),
    }.get(node.kind, (PALETTE.op_fill, PALETTE.op_border))
    if is_target:
        border = PALETTE.target
    title = esc(name)
    if node.kind == "op" and node.name != node.op:  # Graphviz drops plain spaces at a <font>
        op = esc(text.visible(node.op or ""))
        title += f'{NBSP}<font color="{PALETTE.meta}">={NBSP}{op}</font>'
    meta = f"{text.shape(node.shape)} {node.dtype}"
    if node.kind != "op":
        meta = f"{node.kind} · {meta}"
        if not node.watched:
            meta += " · not watched"
    if copy_of:
        meta += f" · shared by {readers}"
    suffix = f"~{copy_of}" if copy_of else ""
    rows = [
        f'<tr><td id="n{node.id}-name{suffix}" href="#" align="left"><b>{title}</b></td></tr>',
        _meta_row(meta),
    ]
    for field in FIELDS:
        cell = cells.get(field_id(node.id, field))
        if cell is not None:
            grey = muted or (field == "grad" and node.grad is None)
            ident = field_id(node.id, field)
            rows += _field_rows(ident, cell, grey, suffix, picture=fill if not copy_of else "")
    if is_target:
        rows.append(
            f'<tr><td align="left"><font point-size="10" color="{PALETTE.target}">'
            "<b>target</b></font></td></tr>"
        )
    return _table(rows, fill, border, "3" if is_target else "1")


def group_label(
    element: str,
    group: Container,
    outputs: Sequence[int],
    graph: ad.Graph,
    cells: dict[str, dict],
    names: Sequence[str],
) -> str:
    """The label of a folded group: its name, what it holds, its outputs' values and grads."""
    leaves = len(group.nodes) - group.ops
    if group.kind == "rest":
        return _rest_label(element, group)
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
                grey = field == "grad" and node.grad is None
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
    field = ident.rsplit("-", 1)[1]
    colour = PALETTE.text if field == "value" else PALETTE.grad  # grad, trend
    if cell["nan"]:
        colour = PALETTE.nan
    elif grey:
        colour = PALETTE.muted
    body = '<br align="left"/>'.join(esc(line) for line in cell["lines"])
    rows = [
        f'<tr><td id="{ident}{suffix}" href="#" align="left" balign="left">'
        f'<font face="{MONO}" point-size="10" color="{colour}">{body}</font></td></tr>'
    ]
    pic = cell.get("pic")
    if picture and pic:
        width, height = pictures.box(pic)
        rows.append(
            f'<tr><td id="p{ident}{suffix}" href="#" fixedsize="true" width="{width:g}" '
            f'height="{height:g}" bgcolor="transparent"> </td></tr>'
        )
    return rows


def _table(rows: Iterable[str], fill: str, border: str, width: str) -> str:
    return as_label(
        f'<table border="{width}" cellborder="0" cellspacing="0" cellpadding="3" '
        f'style="rounded" bgcolor="{fill}" color="{border}">{"".join(rows)}</table>'
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
