"""Forward mode in the widget, in JupyterLab: `viz.explore(acc, z)` shows each node's value
and tangent, and its step slider pushes tangents forward along the edges (which keep their
arrows), with the chain rule in the caption."""

from __future__ import annotations

from playwright.sync_api import Page

from viz.explore import forward_steps_payload

from .jupyter import OUTPUT, JupyterServer, NotebookPage
from .test_widget_in_jupyter import caption, press, run_cells, slider, svg_text, wait_for_caption

NOTEBOOK = "forward.ipynb"

FORWARD_EDGES_JS = """(root) => [...root.querySelectorAll('.adviz svg g.edge.adviz-fwd')]
  .map((g) => ({
  marker: g.querySelector('path').getAttribute('marker-start') || '',
  arrowhead: getComputedStyle(g.querySelector('polygon')).display,
}))"""
FLOW_TEXTS_JS = """(root) => [...root.querySelectorAll('.adviz svg text.adviz-flow-text')]
  .map((t) => t.textContent)"""


def expected_steps() -> list[dict]:
    """The scratch notebook's forward steps, computed here."""
    import autodiff as ad
    import viz.code_names

    x, w = ad.constant(3.0, name="x"), ad.constant(2.0, name="w")
    with ad.ForwardAccumulator(x, 0.5) as acc:
        y = x * w
        z = ad.sin(y) + x
    graph = viz.code_names.named_like_code(acc.graph(z), [{"y": y, "z": z}])
    return forward_steps_payload(graph)


def test_lab_forward_steps_push_tangents_along_the_edges(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, NOTEBOOK).open()
    run_cells(nb, [0, 1])
    out = nb.diagram(1)
    text = svg_text(out)
    assert "tangent: 0.5" in text and "value: 3" in text  # x, with its tangent
    assert "tangent: 1.46" in text  # z's tangent: the last step, shown when drawn
    steps = expected_steps()
    step = slider(out, "forward step")
    press(step, "Home")
    wait_for_caption(page, out, steps[0]["caption"])
    assert "tangent: …" in svg_text(out)  # step 0: the ops' tangents not pushed yet
    page.screenshot(path=OUTPUT / "forward_mode_step0.png")
    for k in range(1, len(steps)):
        press(step, "ArrowRight")
        wait_for_caption(page, out, steps[k]["caption"])
        edges = out.evaluate(FORWARD_EDGES_JS)
        assert len(edges) == len(steps[k]["flows"])
        assert all(e["marker"] == "" and e["arrowhead"] != "none" for e in edges)
        assert sorted(out.evaluate(FLOW_TEXTS_JS)) == sorted(f[2] for f in steps[k]["flows"])
        page.screenshot(path=OUTPUT / f"forward_mode_step{k}.png")
    assert "ẏ = ∂y/∂x · ẋ = w · ẋ = 2 × 0.5 = 1" in steps[1]["caption"]
    assert "ż = 0.9602 + 0.5 = 1.46" in caption(out)
    assert sorted(out.evaluate(FLOW_TEXTS_JS)) == ["0.5", "0.9602"]
