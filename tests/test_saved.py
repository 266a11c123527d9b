"""viz.saved: the browser's drawing joins the displayed output, so saved notebooks show it."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

import autodiff as ad
import viz
from viz import saved


class FakeHandle:
    """A display handle that records its updates."""

    def __init__(self, shown: dict) -> None:
        self.shown = [shown]

    def update(self, obj: dict, raw: bool = False) -> None:
        assert raw
        self.shown.append(obj)


@pytest.fixture
def handles(monkeypatch: pytest.MonkeyPatch) -> list[FakeHandle]:
    made: list[FakeHandle] = []

    def display(obj: dict, raw: bool = False, display_id: Any = None) -> FakeHandle:
        assert raw and display_id is True
        made.append(FakeHandle(obj))
        return made[-1]

    monkeypatch.setattr(saved, "display", display)
    return made


def recorded() -> tuple[ad.GradientTape, ad.Tensor]:
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.tanh(x * 3.0, name="y")
    return tape, y


PICTURE = '<svg xmlns="http://www.w3.org/2000/svg"><text>y = tanh</text></svg>'


@pytest.mark.parametrize("kind", ["draw", "explore"])
def test_the_browsers_picture_joins_every_display(kind: str, handles: list) -> None:
    tape, y = recorded()
    obj = viz.draw(tape, target=y) if kind == "draw" else viz.explore(tape, y)
    made_views: list = []
    if kind == "draw":
        make = obj.widget
        obj.widget = lambda: made_views.append(make()) or made_views[-1]
    obj._ipython_display_()
    if kind == "explore":
        obj._ipython_display_()  # shown twice: both outputs get the picture
    first = handles[0].shown[0]
    assert "application/vnd.jupyter.widget-view+json" in first
    assert first["text/plain"].startswith("<viz.")
    if shutil.which("dot"):  # headless runs: the system's dot draws it
        assert "<svg" in first["image/svg+xml"]
    widget = obj.view if kind == "explore" else made_views[0]  # the diagram's, for this display
    widget._on_message(widget, {"picture": PICTURE}, [])
    for handle in handles:
        assert handle.shown[-1]["image/svg+xml"] == PICTURE
        assert handle.shown[-1]["text/plain"] == first["text/plain"]
    updates = sum(len(h.shown) for h in handles)
    widget._on_message(widget, {"picture": PICTURE}, [])  # the same drawing: no update
    widget._on_message(widget, {"picture": "<script>alert(1)</script>"}, [])  # not SVG
    widget._on_message(widget, {"picture": "<svg>" + "x" * saved.MAX_PICTURE}, [])  # too big
    assert sum(len(h.shown) for h in handles) == updates
    if kind == "explore":  # the same widget displayed later starts with its picture
        obj._ipython_display_()
        assert handles[-1].shown[0]["image/svg+xml"] == PICTURE
