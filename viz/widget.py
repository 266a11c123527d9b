"""The notebook widget: an anywidget model whose JavaScript (viz/js, bundled into viz/static)
lays out DOT with Graphviz compiled to WebAssembly, in the browser.

Python owns the state in these traitlets; the browser only renders them and reports what the
user does (`selected`) and how long it took (`render_ms`, `patch_ms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anywidget
import numpy as np
import traitlets

import autodiff as ad
from viz import text

BUNDLE = Path(__file__).parent / "static" / "widget.js"

_MISSING_BUNDLE = """
export default {
  render({ el }) {
    el.textContent = "viz: the widget's JavaScript bundle (viz/static/widget.js) is missing. "
      + "Build it with `make setup` (or `npm ci && npm run build` in the project folder).";
  },
};
"""


class GraphView(anywidget.AnyWidget):
    """A diagram in the notebook: laid out once, then patched in place as values change."""

    _esm = BUNDLE if BUNDLE.exists() else _MISSING_BUNDLE

    dot = traitlets.Unicode("").tag(sync=True)
    """DOT source; the browser lays it out again whenever it changes."""
    patches = traitlets.Dict().tag(sync=True)
    """Cell id -> {"lines": [...], "nan": bool}: new text for value and gradient cells."""
    highlight = traitlets.Dict().tag(sync=True)
    """{"nodes": [...], "edges": [...], "pending": [...], "current": id}: backward-step marks."""
    caption = traitlets.Unicode("").tag(sync=True)
    """A line under the diagram (the chain-rule product of the current step)."""
    message = traitlets.Unicode("").tag(sync=True)
    """A warning above the diagram (e.g. values outside an op's domain)."""
    details = traitlets.Dict().tag(sync=True)
    """Node id -> {"title": str, "lines": [...]}: the panel shown when a node is clicked."""
    selected = traitlets.Unicode("").tag(sync=True)
    """The node the user clicked ("" when none); set by the browser."""
    render_ms = traitlets.Float(0.0).tag(sync=True)
    """How long the browser took to lay out and draw the last DOT (reported by the browser)."""
    patch_ms = traitlets.Float(0.0).tag(sync=True)
    """How long the browser took to apply the last patches (reported by the browser)."""
    steps = traitlets.Unicode("[]").tag(sync=True)
    """The backward pass for the step slider, sent once, as JSON (see `viz.explore`): a list
    of {"current", "edges", "nodes", "pending", "patches", "caption"}, step 0 with "base"."""
    step = traitlets.Int(-1).tag(sync=True)
    """The backward step shown (-1: none, the plain diagram); linked to the step slider in
    the browser, so stepping needs no kernel."""


def node_details(graph: ad.Graph, nodes: Sequence[int] | None = None) -> dict[str, dict]:
    """The click panel of each node (all, or those in `nodes`): name, kind, shape, dtype,
    inputs, attributes, and the full value and gradient."""
    details = {}
    for node in graph.nodes if nodes is None else (graph.nodes[i] for i in nodes):
        kind = node.op if node.kind == "op" else node.kind
        lines = [f"value ({node.dtype}, shape {node.shape}):", *text.full_lines(node.value)]
        lines += ["", "gradient of the target:" if graph.target is not None else "gradient:"]
        lines += text.full_lines(node.grad)
        if node.kind == "op":
            inputs = ", ".join(text.visible(graph.nodes[i].name) for i in node.inputs)
            lines = [f"inputs: {inputs}", *_attrs(node), "", *lines]
        if node.scope:
            lines.insert(0, f"scope: {node.scope}")
        details[f"n{node.id}"] = {
            "title": f"{text.visible(node.name, limit=200)} · {kind}",
            "lines": lines,
        }
    return details


def _attrs(node: ad.Node) -> list[str]:
    if not node.attrs:
        return []
    shown = ", ".join(f"{k}={_short(v)}" for k, v in node.attrs.items())
    return [f"attributes: {shown}"]


def _short(value: object) -> str:
    if isinstance(value, np.ndarray):
        return text.summary(value) if value.size > 8 else np.array2string(value)
    return text.visible(repr(value), limit=60)
