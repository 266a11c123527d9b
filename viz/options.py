"""The drawing options of `viz.draw` and `viz.explore`, checked once, in one frozen object.

`viz.draw(...)` and `viz.explore(...)` take the options as keywords (their signatures are
the contract) and make one `DrawingOptions` at the top; it is then passed whole along both
paths: draw -> `Diagram` -> `viz.fit.opening` / `viz.dot.build`, and explore -> `Explorer`
-> `GraphView.show_graph` -> the same. Each option is checked here, with an error that names
the option, the value given and what to give instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

SHOW = ("value", "grad")  # the numbers a node shows by default
FORWARD_SHOW = ("value", "tangent")  # forward mode (a ForwardAccumulator's graph)
FIELDS = ("value", "grad", "tangent")  # the numbers a node can show
RANKDIRS = ("LR", "RL", "TB", "BT")
DETAILS = ("full", "compact")  # the nodes' level of detail, most detailed first
COLOR_BY = ("", "grad")


@dataclass(frozen=True)
class DrawingOptions:
    """How a graph is drawn (see `viz.draw` for each option). Made from the keywords as
    given (`show` may be one name, `folded` any iterable of keys, `color_by` None) and kept
    checked and normalised: `show` a tuple, `folded` a frozenset or None, `graph_attr` a
    read-only copy or None, `color_by` a string."""

    show: tuple[str, ...] = SHOW
    rankdir: str | None = None
    collapse: int | None = None
    title: str | None = None
    graph_attr: Mapping[str, str] | None = None
    folded: frozenset[str] | None = None
    color_by: str = ""
    detail: str | None = None

    def __post_init__(self) -> None:
        """Check every option; normalise `show`, `folded`, `graph_attr` and `color_by`."""
        normal = {
            "show": _show(self.show),
            "folded": _folded(self.folded),
            "graph_attr": _graph_attr(self.graph_attr),
            "color_by": _color_by(self.color_by),
        }
        for name, value in normal.items():
            object.__setattr__(self, name, value)
        _check_rankdir(self.rankdir)
        _check_collapse(self.collapse)
        _check_detail(self.detail)
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(
                f"draw: title must be a string or None, got {type(self.title).__name__} "
                f"{self.title!r:.60}; give title=str(...)"
            )

    @classmethod
    def of(cls, arguments: Mapping[str, Any]) -> DrawingOptions:
        """The options among `arguments` (a call's keywords by name: `locals()` at the top
        of `viz.draw` or `viz.explore`, whose keywords are named as the options), the others
        at their defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in arguments.items() if k in names})

    def for_forward_mode(self) -> DrawingOptions:
        """These options for a forward-mode graph: values and tangents when `show` was left
        at its default (values and gradients)."""
        return replace(self, show=FORWARD_SHOW) if self.show == SHOW else self


def _show(show: Iterable[str] | str) -> tuple[str, ...]:
    if not isinstance(show, str | Iterable):
        raise TypeError(
            f"draw: show must be a list of 'value', 'grad' and (forward mode) 'tangent', got "
            f"{type(show).__name__} {show!r:.60}; e.g. show=['value', 'grad']"
        )
    shown = (show,) if isinstance(show, str) else tuple(show)
    unknown = [s for s in shown if s not in FIELDS]
    if unknown:
        raise ValueError(
            f"draw: show may contain 'value', 'grad' and (forward mode) 'tangent', got {unknown}"
        )
    return shown


def _check_rankdir(rankdir: str | None) -> None:
    if rankdir is not None and rankdir not in RANKDIRS:
        raise ValueError(
            f"draw: rankdir must be 'LR', 'RL', 'TB', 'BT' or None (the direction that shows "
            f"the graph larger), got {rankdir!r}"
        )


def _check_collapse(collapse: int | None) -> None:
    if collapse is not None and (
        isinstance(collapse, bool) or not isinstance(collapse, int) or collapse < 0
    ):
        raise ValueError(f"draw: collapse must be None or an int >= 0, got {collapse!r}")


def _check_detail(detail: str | None) -> None:
    if detail is not None and detail not in DETAILS:
        raise ValueError(f"draw: detail must be 'full', 'compact' or None, got {detail!r}")


def _graph_attr(graph_attr: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if graph_attr is None:
        return None
    if not isinstance(graph_attr, Mapping):
        raise TypeError(
            f"draw: graph_attr must be a dict of Graphviz graph attributes, got "
            f"{type(graph_attr).__name__}; e.g. graph_attr={{'nodesep': '0.5'}}"
        )
    if "rankdir" in graph_attr:
        raise ValueError(
            "draw: graph_attr={'rankdir': ...} duplicates draw's own argument; give "
            f"rankdir={graph_attr['rankdir']!r} instead (the widget lays the graph out by it)"
        )
    return MappingProxyType(dict(graph_attr))


def _folded(folded: Iterable[str] | None) -> frozenset[str] | None:
    if folded is None:
        return None
    if isinstance(folded, str) or not isinstance(folded, Iterable):
        raise TypeError(
            f"draw: folded must be a list of fold keys or None, got {folded!r:.60}; give e.g. "
            "folded=['scope:layer1'], folded=[] (everything unfolded) or folded=diagram.folded"
        )
    return frozenset(folded)


def _color_by(color_by: str | None) -> str:
    """`color_by` checked: "" (plain) or "grad" (by the gradient's size); None is ""."""
    color_by = color_by or ""
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be '' or 'grad', got {color_by!r}")
    return color_by


DEFAULT = DrawingOptions()  # every option at its default
