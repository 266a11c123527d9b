"""`viz.draw` and `Diagram`: the recorded graph as a picture.

In Jupyter a `Diagram` displays itself as a widget laid out in the browser (no system
Graphviz needed); when the system's `dot` is present the output also carries an SVG copy, so
saved notebooks show the diagram on static viewers. That copy is laid out synchronously, so it
is bounded: skipped above `SVG_MAX_NODES` drawn nodes or after `DOT_TIMEOUT` seconds, and the
text form says why. `.svg()` and `.save()` use `dot`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import graphviz

import autodiff as ad
from viz import code_names, system_dot
from viz import dot as dotlib
from viz.fit import opening
from viz.levels import Level
from viz.options import DEFAULT, SHOW, DrawingOptions
from viz.structure import analyse
from viz.widget import GraphView

FORMATS = (".svg", ".png", ".pdf", ".dot", ".gv")

# The notebook display's static SVG copy is laid out by `dot` while the kernel waits, so it is
# bounded twice: no copy above SVG_MAX_NODES drawn nodes, and `dot` is stopped after
# DOT_TIMEOUT seconds. dot's time grows faster than the node count (graphviz 2.43, 2-CPU Linux
# VM, drawings of chains and of scoped layers: 1,000 nodes 0.16-0.23 s, 1,500 0.26-0.43 s,
# 2,000 0.37-0.75 s, 3,000 1.2-2.8 s); long edges (a weight read by every layer, drawn once)
# made even 248 nodes take 5.8 s, which only the timeout bounds.
SVG_MAX_NODES = 1_000
DOT_TIMEOUT = 0.8  # seconds
_SVG_BROWSER = "the widget draws it in the browser"
_SVG_LATER = f"{_SVG_BROWSER}; call .save('graph.svg') to lay it out with dot"


class DotNotFoundError(RuntimeError):
    """Graphviz's `dot` program is missing (needed only outside the notebook widget)."""


def _missing_dot(what: str) -> DotNotFoundError:
    return DotNotFoundError(
        f"viz: {what} needs Graphviz's `dot` program, which is not on PATH. Install it:\n"
        "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
        "  macOS:          brew install graphviz\n"
        "  conda:          conda install -c conda-forge graphviz\n"
        "Notebooks don't need it (the diagram is laid out in the browser), and "
        "`.source` / `.save('graph.dot')` work without it."
    )


def _drawn_nodes(source: str) -> int:
    """How many nodes a DOT source draws: each is a statement `id [label=...]`."""
    return source.count(" [label=") - source.count("\tgraph [label=")  # minus a title


def static_svg(source: str) -> tuple[str | None, str]:
    """The notebook display's SVG copy of `source`, laid out by the system's `dot` within
    `SVG_MAX_NODES` and `DOT_TIMEOUT`; or `(None, why there is none)`."""
    exe = shutil.which("dot")
    if exe is None:
        return None, f"no static SVG copy: Graphviz's `dot` is not on PATH; {_SVG_BROWSER}"
    nodes = _drawn_nodes(source)
    if nodes > SVG_MAX_NODES:
        return None, (
            f"static SVG copy skipped: {nodes:,} drawn nodes is above the {SVG_MAX_NODES:,}-node "
            f"limit for the synchronous layout; {_SVG_LATER}"
        )
    try:
        return system_dot.run(exe, source, DOT_TIMEOUT).decode("utf-8"), ""
    except subprocess.TimeoutExpired:
        return None, (
            f"static SVG copy skipped: dot took longer than {DOT_TIMEOUT:g} s, the limit for the "
            f"synchronous layout; {_SVG_LATER}"
        )
    except subprocess.CalledProcessError as e:
        status = f"killed by signal {-e.returncode}" if e.returncode < 0 else e.returncode
        lines = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        detail = f"exit status {status}" + (f": {lines[0][:200]}" if lines else "")
        return None, f"static SVG copy skipped: dot failed ({detail}); {_SVG_BROWSER}"
    except OSError as e:
        return None, f"static SVG copy skipped: dot could not run ({e}); {_SVG_BROWSER}"


def not_empty(graph: ad.Graph, where: str) -> ad.Graph:
    """`graph`, or a ValueError saying that there is nothing to draw."""
    if not graph.nodes:
        raise ValueError(
            f"{where}: the tape recorded no operation, so there is nothing to draw; run the "
            "computation inside the tape's `with` block (e.g. y = x * 2.0), then draw it"
        )
    return graph


def as_graph(obj: Any, target: Any = None) -> ad.Graph:
    """The `ad.Graph` to draw from a Graph, a tape (with `target=`) or a recorded tensor."""
    if isinstance(obj, ad.Graph):
        if target is not None:
            raise ValueError(
                "draw: a Graph already has its target; pass the tape instead to choose one "
                "(viz.draw(tape, target=loss))"
            )
        return not_empty(obj, "draw")
    if isinstance(obj, ad.GradientTape | ad.ForwardAccumulator):
        if isinstance(obj, ad.ForwardAccumulator) and target is None:
            raise ValueError("draw: give the target of a ForwardAccumulator: draw(acc, target=y)")
        return not_empty(obj.graph(target), "draw")
    if isinstance(obj, ad.Tensor):
        if target is not None:
            raise ValueError("draw: give either a tensor or target=, not both")
        return ad.graph_of(obj)
    raise TypeError(
        f"draw: expected an ad.Graph, a GradientTape or a recorded tensor, got {type(obj).__name__}"
    )


class Diagram:
    """A drawn graph: `.source` (DOT), `.svg()`, `.save(path)`, and a notebook display."""

    def __init__(self, graph: ad.Graph, options: DrawingOptions = DEFAULT) -> None:
        """Draw `graph` with `options` (see `viz.draw` for each)."""
        self.graph = graph
        self.options = options
        self.show = options.show
        self.color_by = options.color_by
        self.structure = analyse(graph)
        self._levels, self._first = opening(graph, self.structure, options)
        self.drawing = dotlib.build(
            graph, self._levels[self._first], options, structure=self.structure
        )
        self._digraph = self.drawing.digraph

    @property
    def folded(self) -> frozenset[str]:
        """The folded scopes, runs and lines (`"scope:layer1"`, `"repeat:17"`, `"line:9"`)."""
        return self.drawing.folded

    @property
    def level(self) -> Level:
        """The level of detail drawn: `detail` ("full", "compact"), `folded`, `rankdir`."""
        return self.drawing.level

    @property
    def source(self) -> str:
        """The DOT source text."""
        return self._digraph.source

    def pipe(self, format: str) -> bytes:
        """The diagram rendered by the system's `dot` in `format` ('svg', 'png', 'pdf')."""
        try:
            return self._digraph.pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise _missing_dot(f"rendering to {format}") from None

    def svg(self) -> str:
        """The diagram as SVG text (laid out by the system's `dot`)."""
        return self.pipe("svg").decode("utf-8")

    def save(self, path: str | Path) -> Path:
        """Write the diagram to `path`; the format comes from the suffix (.svg .png .pdf .dot)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise ValueError(
                f"save: unknown format {path.suffix or '(none)'!r} in {str(path)!r}; "
                "use a path ending in .svg, .png, .pdf or .dot"
            )
        if suffix in (".dot", ".gv"):
            path.write_text(self.source, encoding="utf-8")
        else:
            path.write_bytes(self.pipe(suffix[1:]))
        return path

    def widget(self) -> GraphView:
        """The notebook widget showing this diagram (zoom, pan, search, fold, click for
        details), starting in this diagram's fold state."""
        view = GraphView(color_by=self.color_by)
        view.show_levels(self.graph, self._levels, self._first, self.structure, self.options)
        return view

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self._bundle(self.widget(), include, exclude)

    def _ipython_display_(self) -> None:
        """Display the widget with a display id: once the browser has drawn it, its picture
        joins the output (`image/svg+xml`), so a saved notebook shows it anywhere."""
        view = self.widget()
        view.saved.display(self._bundle(view))

    def _bundle(self, view: GraphView, include: Any = None, exclude: Any = None) -> dict:
        bundle = view._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(bundle, tuple):  # ipywidgets 8 returns (data, metadata)
            bundle = bundle[0]
        bundle = dict(bundle)
        # A static SVG copy for viewers without the widget (saved notebooks on GitHub, nbviewer),
        # laid out by `dot` within bounds: the kernel waits for it (see SVG_MAX_NODES).
        why = ""
        if (include is None or "image/svg+xml" in include) and "image/svg+xml" not in (
            exclude or ()
        ):
            svg, why = static_svg(self.source)
            if svg is not None:
                bundle["image/svg+xml"] = svg
        first = f"{self!r} ({why})" if why else repr(self)
        bundle["text/plain"] = f"{first}\n{self.describe()}"
        return bundle

    def describe(self) -> str:
        """In words, what the diagram shows (the text form of a saved notebook's output)."""
        graph = self.graph
        ops = sum(n.kind == "op" for n in graph.nodes)
        target = graph.nodes[graph.target].name if graph.target is not None else None
        what = f"A diagram of a recorded graph: {len(graph.nodes)} nodes, {ops} operations"
        what += f", target {target!r}" if target is not None else ""
        lines = sum(key.startswith("line:") for key in self.folded)
        others = len(self.folded) - lines
        if others:
            what += f"; {others} scope{'s' if others > 1 else ''} or repeated block folded"
        if lines:
            what += f"; {lines} line{'s' if lines > 1 else ''} of code drawn as one node each"
        return (
            f"{what}. In Jupyter it is drawn as an interactive widget with every value and "
            "gradient; outside, .save('graph.svg') draws it with Graphviz."
        )

    def __repr__(self) -> str:
        return f"<viz.Diagram of {self.graph!r}>"


def draw(
    obj: Any,
    target: Any = None,
    show: Sequence[str] = SHOW,
    rankdir: str | None = None,
    collapse: int | None = None,
    *,
    title: str | None = None,
    graph_attr: dict[str, str] | None = None,
    folded: Sequence[str] | None = None,
    color_by: str = "",
    detail: str | None = None,
    names_from_code: bool = True,
) -> Diagram:
    """Draw what a tape recorded, with every value and gradient.

    `obj` is an `ad.Graph`, a tape (with `target=`), or a tensor recorded by a live tape; or
    a `ForwardAccumulator` (with `target=`): forward mode, each node's value and tangent.
    `show` picks the numbers shown ('value', 'grad', 'tangent').

    The diagram opens with its whole graph in view, every text readable, at the most detailed
    level that allows it: full nodes (every number), then compact nodes (one row each: name,
    shape, value and gradient as a number or a small picture; the numbers on hover and in
    the panel), then each line of code folded into one node (a named tensor with the unnamed
    temporaries it is made of: `bnvar = 0.03226 * reduce_sum(bndiff2)`), then runs of
    repeated blocks (an RNN's steps: one "×N" node), then name scopes from the deepest level
    up. `rankdir` fixes the direction ('LR', 'TB'; default: the one that shows the graph
    larger, top to bottom for a long chain); `detail` the nodes ('full', 'compact');
    `collapse=N` folds name scopes deeper than N levels; `folded=[]` unfolds everything and
    `folded=diagram.folded` reuses a fold state. In the widget, click a folded node to
    unfold it, a cluster's title to fold it; zooming in on compact nodes shows full ones.

    A leaf read by many ops (a shared weight) is drawn beside each reader. `color_by="grad"`
    colours nodes and edges by the size of their gradient (log scale; a button in the widget
    toggles it), so vanishing or exploding gradients show at a glance.

    Nodes are titled with the Python names that hold their tensors where `draw` is called
    (the notebook's names: `bnvar = multiply`), unless a tensor has an explicit `name=`;
    `names_from_code=False` keeps the ops' names (`viz.code_names` has the rules).

    In Jupyter the result displays itself; `.svg()` and `.save(path)` need the system's
    Graphviz.
    """
    options = DrawingOptions.of(locals())  # the drawing options, checked
    graph = as_graph(obj, target)
    if isinstance(obj, ad.ForwardAccumulator):
        options = options.for_forward_mode()  # values and tangents, unless `show` says
    if names_from_code:
        graph = code_names.named_like_code(graph, code_names.caller_namespaces())
    return Diagram(graph, options)
