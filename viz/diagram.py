"""`viz.draw` and `Diagram`: the recorded graph as a picture.

In Jupyter a `Diagram` displays itself as a widget laid out in the browser (no system
Graphviz needed); when the system's `dot` is present the output also carries an SVG copy, so
saved notebooks show the diagram on static viewers. `.svg()` and `.save()` use `dot`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import graphviz

import autodiff as ad
from viz import dot as dotlib
from viz.widget import GraphView, node_details

FORMATS = (".svg", ".png", ".pdf", ".dot", ".gv")


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


def as_graph(obj: Any, target: Any = None) -> ad.Graph:
    """The `ad.Graph` to draw from a Graph, a tape (with `target=`) or a recorded tensor."""
    if isinstance(obj, ad.Graph):
        if target is not None:
            raise ValueError(
                "draw: a Graph already has its target; pass the tape instead to choose one "
                "(viz.draw(tape, target=loss))"
            )
        return obj
    if isinstance(obj, ad.GradientTape):
        return obj.graph(target)
    if isinstance(obj, ad.Tensor):
        if target is not None:
            raise ValueError("draw: give either a tensor or target=, not both")
        return ad.graph_of(obj)
    raise TypeError(
        f"draw: expected an ad.Graph, a GradientTape or a recorded tensor, got {type(obj).__name__}"
    )


class Diagram:
    """A drawn graph: `.source` (DOT), `.svg()`, `.save(path)`, and a notebook display."""

    def __init__(
        self,
        graph: ad.Graph,
        *,
        show: Sequence[str] = dotlib.SHOW,
        rankdir: str = "LR",
        collapse: int | None = None,
        title: str | None = None,
        graph_attr: dict[str, str] | None = None,
    ) -> None:
        """Draw `graph` (see `viz.draw` for the options)."""
        self.graph = graph
        self.show = tuple([show] if isinstance(show, str) else show)
        self._digraph = dotlib.build(
            graph,
            show=self.show,
            rankdir=rankdir,
            collapse=collapse,
            title=title,
            graph_attr=graph_attr,
        )

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
        """The notebook widget showing this diagram (zoom, pan, search, click for details)."""
        return GraphView(
            dot=self.source,
            patches=dotlib.fields(self.graph, self.show),
            details=node_details(self.graph),
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(bundle, tuple):  # ipywidgets 8 returns (data, metadata)
            bundle = bundle[0]
        bundle = dict(bundle)
        if shutil.which("dot"):
            bundle["image/svg+xml"] = self.svg()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"<viz.Diagram of {self.graph!r}>"


def draw(
    obj: Any,
    target: Any = None,
    show: Sequence[str] = dotlib.SHOW,
    rankdir: str = "LR",
    collapse: int | None = None,
    *,
    title: str | None = None,
    graph_attr: dict[str, str] | None = None,
) -> Diagram:
    """Draw what a tape recorded, with every value and gradient.

    `obj` is an `ad.Graph`, a tape (with `target=`), or a tensor recorded by a live tape.
    `show` picks the numbers shown ('value', 'grad'); `rankdir` the direction ('LR', 'TB');
    `collapse=N` folds name scopes deeper than N levels into one node each. In Jupyter the
    result displays itself; `.svg()` and `.save(path)` need the system's Graphviz.
    """
    return Diagram(
        as_graph(obj, target),
        show=show,
        rankdir=rankdir,
        collapse=collapse,
        title=title,
        graph_attr=graph_attr,
    )
