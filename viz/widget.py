"""The notebook widget: an anywidget model whose JavaScript (viz/js, bundled into viz/static)
lays out DOT with Graphviz compiled to WebAssembly, in the browser.

Python owns the state in the traits (declared in viz/protocol.json), and a view can be
drawn again from them alone; the browser only renders them and reports what the user does
(`selected`, `folded`, `color_by`) and how long it took (`render_ms`, `patch_ms`). Folding
a scope in the browser changes `folded`; Python answers with the DOT of the new fold state.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import anywidget
import numpy as np

import autodiff as ad
from viz import check, names, protocol, text
from viz import dot as dotlib
from viz.fit import opening
from viz.levels import Level
from viz.options import DEFAULT, DETAILS, DrawingOptions
from viz.plan import Plan
from viz.renderer import Renderer, loader_esm
from viz.rest import WhenAtRest
from viz.saved import SavedPicture
from viz.structure import Container, Structure, analyse

DETAILS_UPFRONT = 300  # graphs up to this size send every node's details at once
SYNC_DELAY = 0.25  # seconds of rest before the whole state of the cells is synced


# the synced traits, as viz/protocol.json declares them (their docs are there)
_Traits = type("_Traits", (anywidget.AnyWidget,), protocol.trait_types("GraphView"))


class GraphView(_Traits):
    """A diagram in the notebook: laid out once per fold state, then patched in place.

    Its synced traits and messages are those of `viz/protocol.json` (`viz.protocol`): the
    state Python owns (`dot`, `drawn`, `patches`, `details`, `steps`...) and what the
    browser reports (`selected`, `folded`, `color_by`, `quiz_answers`, timings)."""

    _esm = loader_esm()  # a small loader: the renderer is in the shared `Renderer` model

    def __init__(self, **kwargs: Any) -> None:
        """An empty view; `show_graph` gives it a graph."""
        super().__init__(**kwargs)
        self._key = uuid.uuid4().hex
        self._renderer = Renderer.shared().ref()
        self.graph: ad.Graph | None = None
        self.drawing: dotlib.Drawing | None = None
        self._structure: Structure | None = None
        self._options = DEFAULT
        self._levels: list[Level] = []
        self._rung = 0  # the level of `_levels` drawn when it was chosen to fit
        self._sync = WhenAtRest(self._sync_cells, SYNC_DELAY)
        self.sent_at = 0.0  # time.perf_counter() when the last changed cells were sent
        self.saved = SavedPicture()  # the browser's last drawing, kept in the outputs
        self._handlers: dict[str, Callable[[Any], Any]] = {  # the browser's messages
            "coarser": lambda _: self._coarser(),
            "detail": self._detail,
            "check": self.check,
            "picture": self.saved.update,
        }
        self.observe(self._on_folded, names="folded")
        self.observe(self._on_selected, names="selected")
        self.observe(self._on_color_by, names="color_by")
        self.on_msg(self._on_message)

    def show_graph(
        self,
        graph: ad.Graph,
        options: DrawingOptions = DEFAULT,
        *,
        structure: Structure | None = None,
    ) -> None:
        """Draw `graph` anew (a new structure): laid out again in the browser, at the most
        detailed level that shows it whole (`viz.levels`), or at the options' `folded` and
        `detail` where they are given; `structure`: `analyse(graph)` if known."""
        structure = structure or analyse(graph)
        levels, first = opening(graph, structure, options)
        self.show_levels(graph, levels, first, structure, options)

    def show_levels(
        self,
        graph: ad.Graph,
        levels: Sequence[Level],
        first: int,
        structure: Structure,
        options: DrawingOptions,
    ) -> None:
        """Draw `graph` at `levels[first]`; the browser asks for the next level when the
        drawing turns out not to fit (`levels` from `viz.levels.opening`)."""
        self._options = options
        self._structure = structure
        self._levels = list(levels)
        self._rung = first
        self.graph = graph
        self._draw(self._levels[first], fitting=True)

    def update_values(self, graph: ad.Graph) -> None:
        """New values and gradients for the same structure: only changed cells are sent."""
        if self.drawing is None:
            raise RuntimeError("update_values: call show_graph first")
        self.graph = graph
        cells = dotlib.drawing_cells(graph, self.drawing.plan, self._options.show)
        old = self.drawing.cells
        changed = {k: v for k, v in cells.items() if old.get(k) != v}
        self.drawing.cells = cells
        if changed:
            self.send(protocol.message("patches", changed))  # the delta now, to every open view
        self.sent_at = time.perf_counter()
        if changed:
            self._sync.soon()  # the whole state in the trait, once the slider rests
        with self.hold_sync():
            self._send_magnitudes()
            if self.selected:
                self.details = {**self.details, **self._details_of(self.selected)}

    def _sync_cells(self) -> None:
        """The whole present state into the traits: every cell, and (small graphs) every
        node's details, so that a new view shows today's numbers even before a click."""
        if self.drawing is None or self.graph is None:
            return
        with self.hold_sync():
            self.patches = dict(self.drawing.cells)
            if len(self.graph.nodes) <= DETAILS_UPFRONT:
                self.details = {**self.details, **node_details(self.graph, quiz=self.quiz)}

    def _draw(self, level: Level, fitting: bool = False) -> None:
        """Draw `level`; `fitting`: it was chosen to fit, so the browser says if it does not
        (and gets the next level of the ladder)."""
        graph = self.graph
        drawing = dotlib.build(graph, level, self._options, structure=self._structure)
        self.drawing = drawing
        self._sync.cancel()  # `patches` is set below, whole
        coarser = fitting and self._rung < len(self._levels) - 1
        with self.hold_sync():
            self.dot = drawing.source
            self.drawn = {**drawing.drawn, "coarser": coarser, "detail": level.detail}
            self.patches = drawing.cells
            if sorted(level.folded) != sorted(self.folded):
                self.folded = sorted(level.folded)
            if len(graph.nodes) <= DETAILS_UPFRONT:
                details = node_details(graph, quiz=self.quiz)
            else:
                details = self._details_of(self.selected) if self.selected else {}
            self.details = {**details, **group_details(graph, drawing.plan)}
            self._send_magnitudes()

    def _on_folded(self, change: dict) -> None:
        if self.graph is None or self.drawing is None:
            return
        folded = frozenset(change["new"]) & set(self._structure.containers)
        if folded != self.drawing.folded:
            self._draw(replace(self.drawing.level, folded=folded))

    def _coarser(self) -> None:
        """The browser found that the drawing does not fit: the next level of the ladder."""
        if self.drawing is not None and self._rung < len(self._levels) - 1:
            self._rung += 1
            self._draw(self._levels[self._rung], fitting=True)

    def _detail(self, detail: str) -> None:
        """The browser zoomed in on a compact drawing (or out of a full one): the same fold
        state with `detail` nodes, laid out in the same direction."""
        if self.drawing is not None and detail in DETAILS and detail != self.drawing.level.detail:
            self._draw(replace(self.drawing.level, detail=detail))

    def _on_selected(self, change: dict) -> None:
        if self.graph is not None and change["new"]:  # fresh: values may have changed
            self.details = {**self.details, **self._details_of(change["new"])}

    def _on_color_by(self, change: dict) -> None:
        self._send_magnitudes()

    def _details_of(self, node: str) -> dict[str, dict]:
        """The panel of one node (by its id, `n3`), for the node the user clicked."""
        index = node[1:]
        graph = self.graph
        if graph is None or not (node.startswith("n") and index.isdigit()):
            return {}
        if int(index) >= len(graph.nodes):
            return {}
        return node_details(graph, [int(index)], quiz=self.quiz)

    def _on_message(self, _: Any, content: Any, buffers: Any) -> None:
        """The browser's messages (`viz/protocol.json`): {"coarser": true}, the drawing does
        not fit (the next level); {"detail": "full"}, zoomed in (the same drawing with full
        nodes); {"check": "n3"} checks that node's gradient; {"picture": svg} is its
        drawing, kept in the notebook's output (viz.saved)."""
        for kind, value in protocol.received(content):
            self._handlers[kind](value)

    def check(self, node: str) -> list[str]:
        """Check the gradient of `node` (an id, `n3`) against central differences; the
        result goes into its details panel and is returned."""
        panel = self._details_of(node).get(node)
        if panel is None or self.graph is None:
            return []
        index = int(node[1:])
        lines = check.check_gradient(self.graph, index, names.labels(self.graph)[index])
        self.details = {**self.details, node: {**panel, "check": lines}}
        return lines

    def _send_magnitudes(self) -> None:
        if self.color_by != "grad" or self.drawing is None:
            if self.magnitudes:
                self.magnitudes = {}
            return
        self.magnitudes = magnitudes(self.graph, self.drawing)


def magnitudes(graph: ad.Graph, drawing: dotlib.Drawing) -> dict[str, dict[str, float]]:
    """The size (root mean square) of the gradient at each drawn element and on each drawn
    edge. An edge carries what its head sends its tail in the backward pass (that op's
    contribution, not the tail's total), so the copies of a weight shared by 30 time steps
    show what each step gives it. A node shows its gradient; a copy, its reader's
    contribution; a folded group, its largest output's gradient. Sizes that are not finite
    are left out."""
    rms = [_finite(dotlib.grad_size(n.grad)) for n in graph.nodes]
    sent: dict[tuple[int, int], float] = {}  # (input, op) -> size of the contribution
    for step in graph.backward_steps():
        for i, contribution in step.contributions.items():
            size = _finite(dotlib.grad_size(contribution))
            if size is not None:
                sent[(i, step.node)] = size
    plan = drawing.plan
    nodes: dict[str, float] = {}
    for node in graph.nodes:
        if rms[node.id] is None:
            continue
        if node.id in plan.copies:
            for reader_element, copy in plan.copies[node.id].items():
                pairs = plan.edges.get((copy, reader_element), [])
                nodes[copy] = max((sent.get(p, 0.0) for p in pairs), default=0.0)
            continue
        e = plan.element[node.id]
        if e[0] == "n" or node.id in plan.outputs.get(e, ()):
            nodes[e] = max(nodes.get(e, 0.0), rms[node.id])
    edges = {}
    for (tail, head), pairs in plan.edges.items():
        values = [sent[p] for p in pairs if p in sent]
        if values:
            edges[dotlib.edge_id(tail, head)] = max(values)
    return {"nodes": nodes, "edges": edges}


def _finite(size: float) -> float | None:
    """`size`, or None when it is not finite (no gradient, inf or nan): no colour for it,
    and nothing a JSON message cannot carry."""
    return size if np.isfinite(size) else None


def group_details(graph: ad.Graph, plan: Plan) -> dict[str, dict]:
    """The panel of each folded group (and of the node standing for what is not drawn):
    what it holds, its most frequent ops and its outputs. A folded line of code shows the
    panel of the tensor it makes, and what it is made of."""
    details: dict[str, dict] = {}
    labels = names.labels(graph)  # once: a big graph folds into thousands of lines
    heads = [g.head for g in plan.groups.values() if g.kind == "line"]
    panels = node_details(graph, heads) if heads else {}
    for element, group in plan.groups.items():
        if group.kind == "line":
            details[element] = _line_details(graph, group, labels, panels[f"n{group.head}"])
            continue
        ops = Counter(graph.nodes[i].op for i in group.nodes if graph.nodes[i].kind == "op")
        leaves = len(group.nodes) - group.ops
        lines = [f"{group.ops} ops and {leaves} leaves"]
        if group.kind == "repeat":
            lines.append(f"{group.blocks} blocks of: {' → '.join(group.block_ops)}")
        lines.append(
            "most frequent ops: " + ", ".join(f"{op} ×{k}" for op, k in ops.most_common(6))
        )
        outputs = plan.outputs.get(element, [])
        if outputs:
            shown = ", ".join(labels[i] for i in outputs[:12])
            lines.append(f"outputs: {shown}" + (" …" if len(outputs) > 12 else ""))
        if group.kind == "rest":
            lines.append("Not drawn: the browser could not lay them out readably. Draw a part")
            lines.append("of the graph instead: tape.graph(t) of an intermediate tensor t.")
        else:
            lines.append("Click the node to unfold it.")
        title = (
            group.title if group.kind != "scope" else f"scope {group.key.removeprefix('scope:')}"
        )
        details[element] = {"title": text.visible(title, limit=200), "lines": lines}
    return details


def _line_details(graph: ad.Graph, line: Container, labels: Sequence[str], panel: dict) -> dict:
    """The panel of a folded line of code: its tensor's `panel` (value and gradient in full,
    why a gradient is None or zero), under the line and the ops it is made of."""
    ops = [labels[i] for i in line.nodes if graph.nodes[i].kind == "op" and i != line.head]
    made = f"{line.title}  (with {', '.join(ops)})" if ops else line.title
    lines = [made, "Click the node again to unfold the line into its ops.", "", *panel["lines"]]
    return {**panel, "lines": lines, "checkable": False}


def node_details(
    graph: ad.Graph, nodes: Sequence[int] | None = None, kernel: bool = True, quiz: bool = False
) -> dict[str, dict]:
    """The click panel of each node (all, or those in `nodes`): name, kind, shape, dtype,
    inputs, attributes, the full value and gradient, and why a gradient is None or zero.
    `kernel`: whether "check this gradient" can be offered (it replays the graph); `quiz`:
    gradients are left out (the quiz reveals them step by step)."""
    details = {}
    labels = names.labels(graph)
    for node in graph.nodes if nodes is None else (graph.nodes[i] for i in nodes):
        kind = node.op if node.kind == "op" else node.kind
        lines = [f"value ({node.dtype}, shape {node.shape}):", *text.full_lines(node.value)]
        lines += ["", "gradient of the target:" if graph.target is not None else "gradient:"]
        if quiz:
            lines.append("hidden in quiz mode: the backward steps reveal it")
        else:
            lines += text.full_lines(node.grad)
        if graph.target is not None and _none_or_zero(node.grad) and not quiz:
            lines += ["", f"Why? {graph.explain(node.id)}"]
        if node.kind == "op":
            inputs = ", ".join(labels[i] for i in node.inputs)
            lines = [f"inputs: {inputs}", *_attrs(node), "", *lines]
        if node.scope:
            lines.insert(0, f"scope: {node.scope}")
        details[f"n{node.id}"] = {
            "title": f"{labels[node.id]} · {kind}",
            "lines": lines,
            "checkable": kernel and not quiz and check.checkable(graph, node),
        }
    return details


def _none_or_zero(grad: np.ndarray | None) -> bool:
    return grad is None or (grad.dtype.kind in "fc" and not np.any(grad))


def _attrs(node: ad.Node) -> list[str]:
    if not node.attrs:
        return []
    shown = ", ".join(f"{k}={_short(v)}" for k, v in node.attrs.items())
    return [f"attributes: {shown}"]


def _short(value: object) -> str:
    if isinstance(value, np.ndarray):
        return text.summary(value) if value.size > 8 else np.array2string(value)
    return text.visible(repr(value), limit=60)
