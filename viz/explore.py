"""`viz.explore`: sliders that re-run the graph live, and backprop one operation at a time.

Moving a value slider replays the graph (`Graph.replay`, or re-runs `f` under a fresh tape)
and sends the browser only the numbers that changed; the browser patches the SVG text in
place, so nothing moves. The layout is redone only when `f` takes another path through its
control flow. The step slider (with a Play button, linked to the diagram in the browser)
walks the backward pass: all steps are sent once, so stepping needs no kernel.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets
import numpy as np

import autodiff as ad
from autodiff.forward import ForwardAccumulator, forward_steps
from viz import captions, code_names, names, saved, text
from viz import dot as dotlib
from viz import sliders as sliderlib
from viz.diagram import not_empty, static_svg
from viz.options import DEFAULT, FORWARD_SHOW, SHOW, DrawingOptions
from viz.rest import WhenAtRest
from viz.widget import GraphView

MAX_ELEMENTS = 6  # leaves up to this size get one slider per element; larger, a scale slider
PENDING = f"grad:{dotlib.NBSP * 2}…"
STEPS_DELAY = 0.25  # seconds of rest after a slider move before the steps are recomputed


# ----------------------------------------------------------------------------- sources
class _Source:
    """Where graphs come from: a recorded graph replayed, or a function re-run."""

    graph: ad.Graph

    def leaf_values(self) -> dict[str, np.ndarray]:
        """The slidable leaves and their current values, by label."""
        raise NotImplementedError

    def update(self, label: str, value: np.ndarray) -> ad.Graph:
        """The graph with the leaf `label` set to `value`."""
        raise NotImplementedError


class _Replay(_Source):
    """`explore(tape, target)`: the recorded graph, replayed with new leaf values."""

    def __init__(self, graph: ad.Graph, sliders: Sequence[str] | None) -> None:
        self.graph = graph
        leaves = [n for n in graph.leaves() if _slidable(n, sliders)]
        if sliders is not None:
            missing = set(sliders) - {n.name for n in leaves}
            if missing:
                raise ValueError(
                    f"explore: no float leaf named {sorted(missing)}; the graph's leaves are "
                    f"{[n.name for n in graph.leaves()]}"
                )
        labels = names.labels(graph)  # as the diagram titles them
        self._nodes = {labels[n.id]: n.id for n in leaves}
        self._values = {label: graph.nodes[i].value for label, i in self._nodes.items()}

    def leaf_values(self) -> dict[str, np.ndarray]:
        return dict(self._values)

    def update(self, label: str, value: np.ndarray) -> ad.Graph:
        self._values[label] = value
        self.graph = self.graph.replay({self._nodes[label]: value})
        return self.graph


class _Rerun(_Source):
    """`explore(f, **leaves)`: `f` re-run under a fresh tape, so control flow can change."""

    def __init__(
        self, f: Callable[..., Any], leaves: Mapping[str, Any], names_from_code: bool = True
    ) -> None:
        if not leaves:
            raise ValueError("explore(f, ...): give the leaves as keywords, e.g. x=1.0")
        self.f = f
        self.names_from_code = names_from_code
        self._values = {name: _as_float(name, value) for name, value in leaves.items()}
        self.graph = self._run(self._values)

    def _run(self, values: Mapping[str, np.ndarray]) -> ad.Graph:
        variables = {name: ad.Variable(value, name=name) for name, value in values.items()}
        local: dict[str, Any] = {}
        with ad.GradientTape() as tape:
            if self.names_from_code:
                out, local = code_names.call_keeping_locals(self.f, variables)
            else:
                out = self.f(**variables)
        name = getattr(self.f, "__name__", "f")
        if not isinstance(out, ad.Tensor):
            raise TypeError(
                f"explore: {name} must return a tensor (the target whose gradients are "
                f"shown), got {type(out).__name__}"
            )
        leaf = next((k for k, v in variables.items() if v is out), None)
        if leaf is not None:
            raise ValueError(
                f"explore: {name} returned its input {leaf!r} unchanged, so there is no "
                f"operation to draw; return a computation of it (e.g. {leaf} * 1.0)"
            )
        graph = tape.graph(out)
        if self.names_from_code:
            namespaces = (local, code_names.globals_of(self.f))
            graph = code_names.named_like_code(graph, namespaces)
        return graph

    def leaf_values(self) -> dict[str, np.ndarray]:
        return dict(self._values)

    def update(self, label: str, value: np.ndarray) -> ad.Graph:
        values = {**self._values, label: value}
        self.graph = self._run(values)
        self._values = values
        return self.graph


def _slidable(node: ad.Node, names: Sequence[str] | None) -> bool:
    if node.dtype.kind != "f":
        return False
    if names is not None:
        return node.name in names
    return node.kind == "variable" or node.watched


def _as_float(name: str, value: Any) -> np.ndarray:
    """A leaf's starting value as a float array, by the engine's dtype rules (Python floats
    and ints are float32, NumPy floats keep their precision); a clear error for the rest."""
    try:
        array = value.numpy() if isinstance(value, ad.Tensor) else ad.constant(value).numpy()
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"explore(f, {name}=...): the leaf {name} must be a number or an array of numbers, "
            f"got {type(value).__name__} {value!r:.60}"
        ) from e
    if array.dtype.kind in "iub":
        array = array.astype(np.float32)
    if array.dtype.kind != "f":
        raise TypeError(
            f"explore(f, {name}=...): the leaf {name} must be real numbers (a slider moves it), "
            f"got dtype {array.dtype}"
        )
    return array


# ----------------------------------------------------------------------------- the widget
class Explorer(widgets.VBox):
    """The widget `viz.explore` returns: value sliders, the live diagram, the step controls."""

    def __init__(
        self,
        source: _Source,
        options: DrawingOptions = DEFAULT,
        *,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        max_elements: int = MAX_ELEMENTS,
        quiz: bool | Sequence[str] = False,
        forward: bool = False,
    ) -> None:
        """Build the controls for `source`, drawn with `options` (see `viz.explore`);
        `forward`: the step slider walks forward mode's pass (the graph's nodes carry
        tangents) instead of backprop."""
        if forward and quiz:
            raise ValueError("explore: quiz= asks about gradients; forward mode has no quiz")
        self.forward = forward
        self.quiz = bool(quiz)
        self.asked = _asked(source.graph, quiz)  # the ops a quiz asks about (None: every op)
        self.source = source
        self.graph = source.graph
        if self.graph.target is None:
            raise ValueError("explore: the graph needs a target (the value whose gradients show)")
        self.options = options
        self._opening = options  # the first drawing's; later ones open at the level that fits
        self.view = GraphView(color_by=options.color_by, quiz=self.quiz)
        self.update_ms = 0.0  # slider change to patches sent, last time (Python side)
        # the backward steps are recomputed once the sliders rest: dragging pays for values only
        self._steps_at_rest = WhenAtRest(self._send_steps, STEPS_DELAY)
        self._structure = None
        self._make_sliders(source.leaf_values(), ranges or {}, max_elements)
        self.step = widgets.IntSlider(
            value=0,
            min=0,
            max=0,
            description="forward step" if forward else "backward step",
            continuous_update=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.play = widgets.Play(value=0, min=0, max=0, interval=900, description="play")
        self._links = [  # (kept, so that `close` closes them too)
            widgets.jslink((self.play, "value"), (self.step, "value")),
            widgets.jslink((self.step, "value"), (self.view, "step")),
        ]
        # the same link kernel-side, so that Python sees (and tests can drive) the step
        self.step.observe(lambda change: setattr(self.view, "step", change["new"]), "value")
        if self.quiz:
            self.view.step = 0  # the forward pass: nothing revealed yet
            self.play.layout.display = "none"  # Play would run past the questions
        self._redraw(self.graph)
        self._steps_at_rest.now()  # not deferred: every front end opens on the last step
        rows = sliderlib.layout_rows(self.sliders, self.tensors, self.readouts)
        children = [*rows, self.view, widgets.HBox([self.play, self.step])]
        super().__init__(children=children)

    def close(self) -> None:
        """Close every widget this explorer made (sliders, pickers and their rows, the
        diagram, the step controls and their links, and the layout and style of each), so
        that the kernel keeps none of them and the explorer can be freed."""
        rest = getattr(self, "_steps_at_rest", None)  # (also called on one half made)
        if rest is not None:
            rest.cancel()
        for widget in _widgets_of(self, getattr(self, "_links", [])):
            if widget is not self:
                widget.close()
        super().close()

    def __repr__(self) -> str:
        """In words (the text form of a saved notebook's output), not the widget tree."""
        graph = self.graph
        labels = ", ".join(c.label for c, _ in self.sliders) or "none"
        return (
            f"<viz.explore widget: {len(graph.nodes)} nodes, target "
            f"{graph.nodes[graph.target].name!r}; sliders: {labels}; "
            f"{self.step.max} {'forward' if self.forward else 'backward'} steps. Run the "
            "notebook in Jupyter to use it.>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, with the words of `repr` in full as its text form (ipywidgets cuts it
        at 110 characters)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict) and "text/plain" in data:
            data["text/plain"] = repr(self)
        return bundle

    def _ipython_display_(self) -> None:
        """Display the widget with a display id: once the browser has drawn the diagram, its
        picture joins the output, so a saved notebook shows it anywhere (viz.saved). Without
        a browser (nbconvert), the system's `dot` draws it when present."""
        bundle = self._repr_mimebundle_()
        data = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
        if self.view.drawing is not None and not self.view.saved.svg:
            svg, _ = static_svg(self.view.drawing.source)
            if svg is not None:
                data[saved.MIME] = svg
        self.view.saved.display(data)

    # ----- reacting to the user -----
    def _make_sliders(
        self, values: Mapping[str, np.ndarray], ranges: Mapping[str, Any], max_elements: int
    ) -> None:
        """The value sliders (viz.sliders) and their observers."""
        self.sliders, self.tensors = sliderlib.make_sliders(values, ranges, max_elements)
        # label -> the box beside each slider: the exact value, and where to type one
        self.readouts = {c.label: sliderlib.readout(w.value) for c, w in self.sliders}
        # label -> the grid value the browser will snap an off-grid starting value to
        self._snaps: dict[str, float] = {}
        for control, widget in self.sliders:
            self._expect_snap(control, widget)
            widget.observe(self._on_slider(control, widget), names="value")
            self.readouts[control.label].observe(self._on_typed(control, widget), names="value")
        self._configuring = False  # True while Python sets up a slider (not a move)
        for tensor in self.tensors.values():
            if tensor.picker is not None:
                tensor.picker.observe(self._on_pick(tensor), names="value")

    def _expect_snap(self, control: sliderlib.Control, widget: widgets.FloatSlider) -> None:
        snap = sliderlib.snapped(widget)
        if snap != widget.value:
            self._snaps[control.label] = snap

    def _on_pick(self, tensor: sliderlib.TensorLeaf) -> Callable[[dict], None]:
        control, widget = next(
            (c, w) for c, w in self.sliders if c.leaf == tensor.name and c.kind == "pick"
        )

        def picked(change: dict) -> None:
            index = change["new"]
            tensor.picked = index or None
            if not index:
                widget.layout.display = "none"
                self.readouts[control.label].layout.display = "none"
                return
            value = float(tensor.base[index])
            low, high, step = sliderlib.grid(value, *sliderlib.value_range(value, None))
            self._configuring = True
            try:
                with widget.hold_sync():
                    widget.max, widget.min = max(widget.max, high), min(widget.min, low)
                    widget.value = value
                    widget.min, widget.max, widget.step = low, high, step
                    widget.description = tensor.name + text.index(index)
                    widget.layout.display = None
                    self._show_number(control, value)
                    self.readouts[control.label].layout.display = None
            finally:
                self._configuring = False
            self._expect_snap(control, widget)

        return picked

    def _on_slider(
        self, control: sliderlib.Control, widget: widgets.FloatSlider
    ) -> Callable[[dict], None]:
        def changed(change: dict) -> None:
            if self._configuring:
                return
            # the browser computes a slider's value as min + k·step, in floating point: a
            # change far below a step is that rounding echoed back, not a move
            tiny = 1e-6 * (widget.step or 1.0)
            if abs(change["new"] - change["old"]) < tiny:
                return
            # a starting value off the round grid (b = 6.8814) is snapped by the browser
            # when it draws the slider (6.9): that echo is not a move either
            snap = self._snaps.pop(control.label, None)
            if snap is not None and abs(change["new"] - snap) < tiny:
                return
            number = sliderlib.clean(change["new"], widget.step)
            self._show_number(control, number)
            self.set_leaf(control, number)

        return changed

    def _on_typed(
        self, control: sliderlib.Control, widget: widgets.FloatSlider
    ) -> Callable[[dict], None]:
        """A value typed into a slider's readout: taken exactly; the handle moves to it (its
        snap onto the grid is not a move) and the range widens to hold it."""

        def typed(change: dict) -> None:
            if self._configuring:
                return
            try:
                number = sliderlib.parse(change["new"])
            except ValueError:
                self.view.message = (
                    f"{control.label}: {change['new']!r} is not a number; type one, e.g. 0.5"
                )
                self._show_number(control, widget.value)
                return
            self._configuring = True
            try:
                with widget.hold_sync():
                    widget.min, widget.max = min(widget.min, number), max(widget.max, number)
                    widget.value = number
            finally:
                self._configuring = False
            self._expect_snap(control, widget)
            self._show_number(control, number)
            self.set_leaf(control, number)

        return typed

    def _show_number(self, control: sliderlib.Control, number: float) -> None:
        """Write `number` into the readout of `control` (not read back as a typed value)."""
        self._configuring = True
        try:
            self.readouts[control.label].value = text.number(number)
        finally:
            self._configuring = False

    def set_leaf(self, control: sliderlib.Control, number: float) -> None:
        """Give one slider's element (or scale) a new value and update the diagram."""
        start = time.perf_counter()
        current = self.source.leaf_values()[control.leaf]
        if control.kind == "element":
            value = np.array(current, copy=True)
            value[control.index] = number
        else:  # base × scale + shift, with the picked elements of base as set
            value = self.tensors[control.leaf].move(control, number).astype(current.dtype)
        try:
            graph = self.source.update(control.leaf, value)
        except Exception as e:
            self.view.message = f"{type(e).__name__}: {e}"
            return
        self._redraw(graph, start)

    # ----- sending the graph -----
    def _redraw(self, graph: ad.Graph, start: float | None = None) -> None:
        start = time.perf_counter() if start is None else start
        structure = _structure(graph)
        if structure != self._structure:  # first draw, or `f` took another path
            self.view.show_graph(graph, self._opening)
            self._opening = replace(self.options, folded=None)
            self._structure = structure
            self.update_ms = (time.perf_counter() - start) * 1000
        else:
            self.view.update_values(graph)
            # until the changed cells were sent (the rest waits for the slider to rest)
            self.update_ms = (self.view.sent_at - start) * 1000
        self.graph = graph
        self.view.message = _nan_message(graph)
        if self.view.steps != "[]":  # not the first draw (that one sends them at once)
            self._steps_at_rest.soon()

    def _send_steps(self) -> None:
        graph = self.graph
        if self.forward:
            steps = forward_steps_payload(graph, self.options.show)
        else:
            steps = backward_steps_payload(graph, self.options.show, quiz=self.asked or self.quiz)
        payload = json.dumps(steps)  # one string: far cheaper to send than nested dicts
        if self.quiz and payload != self.view.steps:
            self.view.quiz_answers = {}  # new values, new answers: the quiz starts again
        self.view.steps = payload
        last = len(steps) - 1
        at_end = self.step.value == self.step.max and not self.quiz  # a quiz starts at 0
        self.step.max = self.play.max = last
        if at_end:
            self.step.value = last


def _asked(graph: ad.Graph, quiz: bool | Sequence[str]) -> frozenset[str] | None:
    """The labels of the ops a quiz asks about: None for every op (`quiz=True`), else the
    names given, each checked to be an op of the graph."""
    if isinstance(quiz, bool) or quiz is None:
        return None
    if isinstance(quiz, str):
        quiz = [quiz]
    labels = names.labels(graph)
    ops = {labels[n.id] for n in graph.nodes if n.kind == "op"}
    unknown = [q for q in quiz if q not in ops]
    if unknown or not quiz:
        shown = ", ".join(sorted(ops)[:12]) + (" …" if len(ops) > 12 else "")
        raise ValueError(
            f"explore: quiz= names the ops to ask about; {unknown or 'none'} "
            f"{'are' if len(unknown) > 1 else 'is'} not an op of the graph (its ops: {shown}). "
            "Pass quiz=True to ask about every step."
        )
    return frozenset(quiz)


def _structure(graph: ad.Graph) -> tuple:
    return tuple((n.kind, n.op, n.name, n.scope, n.inputs, n.shape) for n in graph.nodes)


def _nan_message(graph: ad.Graph) -> str:
    bad = [n for n in graph.nodes if n.kind == "op" and text.has_nan(n.value)]
    if not bad:
        return ""
    first = next(
        (n for n in bad if not any(text.has_nan(graph.nodes[i].value) for i in n.inputs)), bad[0]
    )
    return (
        f"{first.op} produced nan at {text.visible(first.name)!r}: an input is outside the "
        f"op's domain (e.g. log or sqrt of a negative number). Values and gradients that "
        f"depend on it are nan too ({len(bad)} node{'s' if len(bad) > 1 else ''})."
    )


# ----------------------------------------------------------------------------- the steps
def backward_steps_payload(
    graph: ad.Graph,
    show: Sequence[str] = SHOW,
    quiz: bool | Collection[str] = False,
) -> list[dict]:
    """What the browser needs to show each backward step without the kernel.

    Everything is named by graph node (`n3`) and graph edge (`[tail, head]` node ids); the
    browser finds the elements that show them (a node, its copies, or its folded group), so
    the steps stay valid whatever is folded. Step 0 is the forward pass: `pending` lists the
    nodes that will receive a gradient, `base` their cells' pending text. Step k has run the
    first k backward steps: `current` op, highlighted `edges` and `nodes`, `done` (nodes
    whose gradient became final at this step), `patches` (the gradient cells that changed),
    `flows` (the gradient each highlighted edge carries back, as text) and `caption` (the
    chain-rule product with numbers). With `quiz`, each step also has the `question` asked
    before it is revealed and its `answer`: the gradient arriving at the current op (with
    `quiz` a collection of node labels, only the steps of those ops ask).
    """
    steps = graph.backward_steps()
    reachable = [n.id for n in graph.nodes if n.grad is not None]
    last_contribution: dict[int, int] = {}
    for k, step in enumerate(steps, start=1):
        for i in step.contributions:
            last_contribution[i] = k
    grad_cells = "grad" in show
    payload = [_forward_step(reachable, grad_cells, bool(quiz))]
    totals: dict[int, np.ndarray] = {}
    labels = names.labels(graph)
    kernel_nodes = dotlib.kernels(graph)
    for k, step in enumerate(steps, start=1):
        entry = _step_entry(graph, step, k, len(steps), labels, totals)
        node = graph.nodes[step.node]
        if grad_cells:
            entry["patches"][dotlib.field_id(node.id, "grad")] = _grad_cell(
                step.upstream, node.id in kernel_nodes
            )
        for i, contribution in step.contributions.items():
            totals[i] = contribution if i not in totals else totals[i] + contribution
            if graph.nodes[i].kind != "op" and last_contribution[i] == k:
                entry["done"].append(f"n{i}")
            if grad_cells:
                entry["patches"][dotlib.field_id(i, "grad")] = _grad_cell(
                    totals[i], i in kernel_nodes
                )
        if quiz is True or (quiz and labels[node.id] in quiz):
            entry.update(captions.question(graph, step, k, len(steps), labels))
        payload.append(entry)
    return payload


def _step_entry(
    graph: ad.Graph,
    step: ad.BackwardStep,
    k: int,
    total: int,
    labels: Sequence[str],
    so_far: dict[int, np.ndarray],
) -> dict:
    """Step k's marks, flows and caption (its cells are added by the caller)."""
    node = step.node
    return {
        "current": f"n{node}",
        "edges": [[i, node] for i in step.contributions],
        "nodes": [f"n{i}" for i in step.contributions],
        "done": [f"n{node}"],
        "patches": {},
        "flows": [[i, node, captions.flow_text(c)] for i, c in step.contributions.items()],
        "caption": captions.caption(graph, step, k, total, labels, so_far),
    }


def _forward_step(reachable: list[int], grad_cells: bool, quiz: bool = False) -> dict:
    """Step 0: the forward pass, every gradient still pending (in a quiz, whose Play button
    is hidden, the first question is shown at once: its caption says so)."""
    base = (
        {dotlib.field_id(i, "grad"): {"lines": [PENDING], "nan": False} for i in reachable}
        if grad_cells
        else {}
    )
    return {
        "current": "",
        "edges": [],
        "nodes": [],
        "pending": [f"n{i}" for i in reachable],
        "done": [],
        "patches": {},
        "base": base,
        "caption": (
            "Forward pass: every value is computed, the gradients are hidden. Answer the first "
            "question above; after each right answer, move the step slider on to the next step."
            if quiz
            else "Forward pass: every value is computed, no gradient yet. Press play (or move "
            "the step slider) to send gradients back from the target, one op at a time."
        ),
    }


def forward_steps_payload(graph: ad.Graph, show: Sequence[str] = FORWARD_SHOW) -> list[dict]:
    """The forward pass of forward mode, in the form of `backward_steps_payload` (so that the
    same step slider, Play, marks and captions show it), with `direction: "forward"`: step 0
    has every value and the watched leaves' tangents; step k is the k-th op carrying a
    tangent, in topological order: the tangent each input sends along its edge (`flows`,
    drawn forward) and the sum the op's tangent cell gets (`patches`)."""
    steps = forward_steps(graph)
    labels = names.labels(graph)
    cells = "tangent" in show
    pending = [f"n{s.node}" for s in steps]
    base = {
        dotlib.field_id(s.node, "tangent"): {"lines": [f"tangent:{dotlib.NBSP}…"], "nan": False}
        for s in steps
        if cells
    }
    first = {
        "current": "",
        "edges": [],
        "nodes": [],
        "pending": pending,
        "done": [],
        "patches": {},
        "base": base,
        "direction": "forward",
        "caption": (
            "Forward mode: every value is computed, and the watched inputs carry their tangents "
            "(ẋ: how fast x moves along the chosen direction). Press play (or move the step "
            "slider) to push tangents forward, one op at a time: each op's tangent is the sum "
            "of its local derivatives times its inputs' tangents."
        ),
    }
    payload = [first]
    for k, step in enumerate(steps, start=1):
        node = step.node
        patches = (
            {dotlib.field_id(node, "tangent"): _cell("tangent", step.tangent)} if cells else {}
        )
        payload.append(
            {
                "current": f"n{node}",
                "edges": [[i, node] for i in step.contributions],
                "nodes": [f"n{i}" for i in step.contributions],
                "done": [f"n{node}"],
                "patches": patches,
                "flows": [[i, node, captions.flow_text(c)] for i, c in step.contributions.items()],
                "caption": captions.forward_caption(graph, step, k, len(steps), labels),
            }
        )
    return payload


def _cell(field: str, array: np.ndarray) -> dict:
    return dotlib.cell(field, array)


def _grad_cell(array: np.ndarray, kernel: bool = False) -> dict:
    return dotlib.cell("grad", array, kernel)


def _widgets_of(*roots: Any) -> list[widgets.Widget]:
    """Every widget reachable from `roots` (widgets, or lists of them) through the widgets'
    synced traits (children, layout, style, a link's ends), each once, the roots last."""
    found: dict[int, widgets.Widget] = {}
    stack = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, widgets.Widget) and id(item) not in found:
            found[id(item)] = item
            stack.extend(getattr(item, name, None) for name in item.keys)
    return list(found.values())[::-1]


# ----------------------------------------------------------------------------- entry point
def _check_leaf_names(f: Callable[..., Any], leaves: Mapping[str, Any]) -> None:
    """A clear error for a parameter of `f` that has the name of one of explore's own
    arguments (`show`, `quiz`, `target`...): explore takes that keyword, so the leaf is lost."""
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # (a builtin without a signature)
        return
    own = inspect.signature(explore).parameters
    for p in parameters:
        if p.name in own and p.name != "leaves" and p.default is p.empty and p.name not in leaves:
            name = getattr(f, "__name__", "f")
            raise TypeError(
                f"explore(f, ...): {name}'s parameter {p.name!r} has the name of explore's own "
                f"{p.name}= argument, so it cannot be given as a leaf; rename the parameter in "
                f"{name} (e.g. {p.name}_), or record a tape and call explore(tape, target)"
            )


def explore(
    obj: Any,
    /,
    target: Any = None,
    *,
    show: Sequence[str] = SHOW,
    rankdir: str | None = None,
    collapse: int | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    sliders: Sequence[str] | None = None,
    max_elements: int = MAX_ELEMENTS,
    title: str | None = None,
    folded: Sequence[str] | None = None,
    color_by: str = "",
    quiz: bool | Sequence[str] = False,
    detail: str | None = None,
    names_from_code: bool = True,
    mode: str | None = None,
    **leaves: Any,
) -> Explorer:
    """Explore a graph live: sliders for the leaves, and the backward pass step by step.

    - `explore(tape, target)`: the recorded graph; sliders for its variables and watched
      leaves (or the leaves named in `sliders=`), replayed without re-running your code.
    - `explore(f, x=1.0, w=[...])`: `f(**leaves)` re-run under a fresh tape at each change,
      so Python control flow follows the values (the layout is redone only when the graph's
      structure changes).

    Leaves of up to `max_elements` elements get a slider per element, larger ones a single
    slider that scales them. Ranges default to the value ± max(2|value|, 1); set them with
    `ranges={'w': (-3, 3), 'w[0, 1]': (0, 1)}`.

    The diagram opens whole at the most detailed level that keeps it readable, as `viz.draw`
    chooses it (`detail=`, `rankdir=`, `folded=[]` fix it); click a folded node to unfold
    it. Stepping and Play keep the current op in view, and mark the folded group it sits in.
    `color_by="grad"` colours nodes and edges by the size of their gradient (a button
    toggles it).

    Nodes are titled with the Python names that hold their tensors (`bnvar = multiply`)
    unless a tensor has an explicit `name=`: the names where `explore` is called for a tape,
    `f`'s local names when it returns (then its globals) for a function;
    `names_from_code=False` keeps the ops' names (`viz.code_names` has the rules).

    `quiz=True`: predict, then reveal. Gradients are hidden; at each backward step the
    student types the gradient arriving at the current op (for a large array, one element
    of it), which is checked (to 3 significant digits, shape included) and then revealed,
    with a score at the end. `quiz=["bnvar", "counts_sum_inv"]` asks only at those ops'
    steps (the others are shown as they come). Like the step slider, it works in the
    browser alone once drawn.

    Forward mode: `explore(acc, y)` for a `ForwardAccumulator` (or `mode="forward"`, the
    default for one) shows each node's value and tangent, and the step slider walks the
    forward pass in topological order: the tangent each input sends along its edge, and the
    caption `ẏ = ∂y/∂x · ẋ = 3 × 0.5 = 1.5`. It has no value sliders (the tangents were
    computed when the code ran).
    """
    arguments = dict(locals())  # the keywords as given: the drawing options are among them
    forward = isinstance(obj, ForwardAccumulator)
    if mode not in (None, "forward", "backward") or ((mode == "forward") != forward and mode):
        raise ValueError(
            f"explore: mode={mode!r}: 'forward' needs a ForwardAccumulator (explore(acc, y)), "
            "'backward' a tape, a graph or a function"
        )
    if not forward and not isinstance(obj, ad.GradientTape | ad.Graph) and callable(obj):
        _check_leaf_names(obj, leaves)  # first: a parameter of f may have an option's name
    options = DrawingOptions.of(arguments)  # the drawing options, checked
    if forward or isinstance(obj, ad.GradientTape | ad.Graph):
        if forward and (leaves or target is None):
            raise TypeError("explore(acc, y): give the accumulator and the target y only")
        if leaves:
            raise TypeError(
                f"explore: leaf keywords {sorted(leaves)} are for explore(f, ...); with a tape, "
                "the leaves are the recorded ones"
            )
        graph = obj if isinstance(obj, ad.Graph) else obj.graph(target)
        if names_from_code:
            graph = code_names.named_like_code(graph, code_names.caller_namespaces())
        if forward:
            replay = _Replay(not_empty(graph, "explore"), [])
            return Explorer(replay, options.for_forward_mode(), forward=True)
        source: _Source = _Replay(not_empty(graph, "explore"), sliders)
    elif callable(obj):
        if target is not None:
            raise TypeError("explore(f, **leaves): f's return value is the target")
        source = _Rerun(obj, leaves, names_from_code)
    else:
        raise TypeError(
            f"explore: expected a GradientTape (with a target), a Graph or a function, got "
            f"{type(obj).__name__}"
        )
    return Explorer(source, options, ranges=ranges, max_elements=max_elements, quiz=quiz)
