"""State that any view renders: a widget displayed again after its sliders moved shows the
present numbers, the same backward step and the same caption as the first view."""

from __future__ import annotations

import numpy as np
from playwright.sync_api import Page

import autodiff as ad
from viz import dot as dotlib

from .jupyter import JupyterServer, NotebookPage
from .test_widget_in_jupyter import (
    caption,
    cells_of,
    press,
    run_cells,
    slider,
    slider_value,
    wait_cells,
)


def graph_at(a: float, b: float) -> ad.Graph:
    """The graph of `a * b + a` at (a, b), as explore(f, ...) records it."""
    va, vb = ad.Variable(np.float32(a), name="a"), ad.Variable(np.float32(b), name="b")
    with ad.GradientTape() as tape:
        out = va * vb + va
    return tape.graph(out)


def test_lab_a_moved_widget_displayed_again_shows_the_present(
    page: Page, lab: JupyterServer
) -> None:
    nb = NotebookPage(page, lab, "redisplay.ipynb").open()
    run_cells(nb, [0])
    first = nb.diagram(0)
    press(slider(first, "a"), "ArrowRight", 3)
    press(slider(first, "b"), "ArrowLeft", 2)
    a, b = slider_value(slider(first, "a")), slider_value(slider(first, "b"))
    assert (a, b) != (2.0, 3.0)
    want = {fid: c["lines"] for fid, c in dotlib.fields(graph_at(a, b)).items()}
    wait_cells(first, want)
    page.wait_for_timeout(600)  # the sliders rest: the steps and the whole state are synced

    run_cells(nb, [1])
    second = nb.diagram(1)
    wait_cells(second, want)  # every number, not the first drawing plus the last change
    assert cells_of(second) == cells_of(first)
    for label, value in (("a", a), ("b", b)):
        assert slider_value(slider(second, label)) == value
    step = slider(second, "backward step")
    assert slider_value(step) == slider_value(slider(first, "backward step")) > 0
    assert caption(second) == caption(first) and caption(second).startswith("Step ")
