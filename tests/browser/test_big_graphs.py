"""Real models at a glance: an MLP step, an unrolled RNN and a 2,000-node net in JupyterLab.

What a student at 1400x1000 sees is measured in the page: the on-screen size of the node text
in view, what is in view (the target, the backward step's current op), folding and unfolding
by click, and the copies of a shared weight following a slider.
"""

from __future__ import annotations

import statistics

import models
import numpy as np
from playwright.sync_api import Locator, Page

import autodiff as ad
import viz
from viz import dot as dotlib
from viz.explore import backward_steps_payload
from viz.plan import plan
from viz.structure import analyse, lines_of

from .jupyter import OUTPUT, JupyterServer, NotebookPage, record_timing
from .test_widget_in_jupyter import (
    first_render_ms,
    key_to_patch_ms,
    leaf,
    press,
    run_cells,
    slider,
    slider_value,
)

READABLE_PX = 10.9  # node text of 10-11 pt is drawn at 1.1 px/pt or more: >= 11 px

# The node texts in view in the diagram of `root`: their on-screen font size (px) and text.
TEXT_IN_VIEW_JS = """(root) => {
  const vp = root.querySelector('.adviz-viewport').getBoundingClientRect();
  const svg = root.querySelector('.adviz svg');
  const scale = svg.getScreenCTM().a;  // px per SVG unit (pt)
  const out = [];
  for (const t of svg.querySelectorAll('g.node text')) {
    if (t.closest('.adviz-pic')) continue;  // a picture's own labels
    const r = t.getBoundingClientRect();
    if (!t.textContent.trim() || r.width === 0) continue;
    if (r.right <= vp.left || r.left >= vp.right) continue;
    if (r.bottom <= vp.top || r.top >= vp.bottom) continue;
    out.push([parseFloat(t.getAttribute('font-size')) * scale, t.textContent]);
  }
  return {texts: out, height: vp.height, width: vp.width};
}"""
# Whether the element `id` of the diagram is entirely inside the viewport, and its text size.
IN_VIEW_JS = """(root, selector) => {
  const vp = root.querySelector('.adviz-viewport').getBoundingClientRect();
  const el = root.querySelector(selector);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const svg = root.querySelector('.adviz svg');
  const t = el.querySelector('text');
  return {
    inside: r.left >= vp.left - 1 && r.right <= vp.right + 1 && r.top >= vp.top - 1 &&
      r.bottom <= vp.bottom + 1,
    font: t ? parseFloat(t.getAttribute('font-size')) * svg.getScreenCTM().a : 0,
    id: el.id,
  };
}"""
# Every value/grad cell, with the element it is drawn in: {"n3-value": {"n3": [...], ...}}
CELLS_BY_ELEMENT_JS = """(root) => {
  const out = {};
  for (const el of root.querySelectorAll('.adviz svg [id]')) {
    const m = el.id.match(/^(?:a_)?(n\\d+-(?:value|grad))(?:~(.+))?$/);
    if (!m) continue;
    const lines = [...el.querySelectorAll('text')].map((t) => t.textContent);
    (out[m[1]] = out[m[1]] || {})[m[2] || 'own'] = lines;
  }
  return out;
}"""


# The stroke width (px) the gradient-magnitude view gives the edge out of node `id`.
EDGE_WIDTH_JS = """([root, id]) => parseFloat(
  root.querySelector(`.adviz svg g.edge[id^='e${id}-'] path`)?.style.strokeWidth || '0')"""
# Arms a stopwatch: from the next keydown to the next change of the last label in `root`.
ECHO_JS = """(root) => {
  const label = [...root.querySelectorAll('.widget-label')].at(-1);
  window.__echo = null;
  let t0 = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); },
    { capture: true, once: true });
  new MutationObserver((_, o) => { window.__echo = performance.now() - t0; o.disconnect(); })
    .observe(label, { subtree: true, characterData: true, childList: true });
}"""


def text_in_view(output: Locator) -> dict:
    """The node text in view (font px, text), and the viewport's size."""
    return output.evaluate(TEXT_IN_VIEW_JS)


def assert_readable(output: Locator, what: str) -> dict:
    """Every node text in view is at least READABLE_PX tall on screen; the view is neither a
    strip nor a wall."""
    view = text_in_view(output)
    assert len(view["texts"]) >= 5, f"{what}: almost no text in view: {view}"
    small = [t for t in view["texts"] if t[0] < READABLE_PX]
    assert not small, f"{what}: text below {READABLE_PX} px on screen: {small[:5]}"
    assert 150 <= view["height"] <= 700, f"{what}: the view is {view['height']} px tall"
    return view


def in_view(output: Locator, selector: str) -> dict | None:
    return output.evaluate(IN_VIEW_JS, selector)


def wait_dot_change(output: Locator, count_before: int) -> None:
    """Wait until the diagram is laid out again with another number of nodes."""
    output.page.wait_for_function(
        "([root, n]) => { const s = root.querySelector('.adviz svg');"
        " return s && s.querySelectorAll('g.node').length !== n; }",
        arg=[output.element_handle(), count_before],
        timeout=30_000,
    )
    output.page.wait_for_timeout(200)


def click_and_wait_for_layout(output: Locator, target: Locator) -> int:
    """Click `target` (a folded node, a cluster's title) and wait for the new layout; the
    number of nodes drawn before the click."""
    before = node_count(output)
    target.click()
    wait_dot_change(output, before)
    return before


def node_count(output: Locator) -> int:
    return output.locator(".adviz svg g.node").count()


def target_element(graph: ad.Graph) -> str:
    """The id of the element that shows the target in the diagram as it opens (the target
    itself, or the folded group it sits in)."""
    return viz.draw(graph).drawing.plan.shown_by(graph.target)[0]


def element_unfolded(graph: ad.Graph, node: int) -> str:
    """The element showing `node` once the runs and scopes are unfolded by clicks: itself,
    or the line of code it is folded into (`viz.lines`)."""
    structure = analyse(graph)
    return plan(graph, structure, lines_of(structure)).element[node]


def open_big(page: Page, lab: JupyterServer) -> NotebookPage:
    nb = NotebookPage(page, lab, "big_graphs.ipynb").open()
    run_cells(nb, [0])
    return nb


def test_lab_mlp_step_is_readable_and_folds_by_click(page: Page, lab: JupyterServer) -> None:
    nb = open_big(page, lab)
    run_cells(nb, [1])
    out = nb.diagram(1)
    tape, loss = models.mlp_step()
    graph = tape.graph(loss)
    view = assert_readable(out, "MLP step")
    assert node_count(out) == len(graph.nodes)  # whole, one compact node each
    target = in_view(out, f"g.node#{target_element(graph)}")
    assert target and target["inside"], "the loss is not in the first view"
    out.screenshot(path=str(OUTPUT / "mlp_step.png"))
    assert all("nan" not in t for _, t in view["texts"])

    # fold layer2 by its cluster's title, then unfold it by clicking the folded node
    title = out.locator(".adviz svg g.cluster text", has_text="layer2")
    before = click_and_wait_for_layout(out, title)
    group = out.locator(".adviz svg g.node.adviz-group", has_text="layer2")
    assert group.count() == 1, "layer2 folded by its title"
    tooltip = group.evaluate("(g) => g.querySelector(':scope > title').textContent")
    assert tooltip.startswith("scope layer2\n") and "ops and" in tooltip  # hover: what it holds
    assert "most frequent ops: " in tooltip and "Click the node to unfold it." in tooltip
    assert_readable(out, "MLP step, layer2 folded")
    click_and_wait_for_layout(out, group)
    inner = [n for n in graph.nodes if n.scope == "layer2"]
    for node in inner:
        assert out.locator(f".adviz svg g.node#n{node.id}").count() == 1
    assert node_count(out) == before


def test_lab_rnn_unrolled_readable_shared_weights_and_steps(page: Page, lab: JupyterServer) -> None:
    nb = open_big(page, lab)
    run_cells(nb, [2])
    out = nb.diagram(2)
    tape, loss = models.rnn_unrolled()
    graph = tape.graph(loss)
    assert_readable(out, "RNN, folded")
    group = out.locator(".adviz svg g.node.adviz-group", has_text="×30")
    assert group.count() == 1, "the 30 time steps start folded as one ×30 block"
    assert in_view(out, f"g.node#{target_element(graph)}")["inside"]
    # W's value and gradient as heatmaps, the folded run's log10|grad| per step as a line
    w_pics = out.locator(f".adviz svg g.node#n{leaf(graph, 'W')} .adviz-pic[data-kind='heat']")
    assert w_pics.count() == 2
    assert w_pics.first.locator("rect").count() >= 16
    assert out.locator(".adviz svg g.node.adviz-group .adviz-pic[data-kind='line']").count() == 1
    out.screenshot(path=str(OUTPUT / "rnn_folded.png"))
    # the whole overview fits: no minimap (nothing to pan to)
    assert out.locator(".adviz-minimap").is_hidden()
    out.screenshot(path=str(OUTPUT / "rnn_overview.png"))

    # search finds a node inside the folded block, and Enter brings its group into view
    search = out.get_by_role("searchbox", name="Search nodes by name")
    search.fill("x7")
    assert out.locator(".adviz-count").text_content() == "1 match (1 inside folded groups)"
    search.press("Enter")
    assert out.locator(".adviz svg g.node.adviz-match").get_attribute("id") == group.get_attribute(
        "id"
    )
    assert in_view(out, "g.node.adviz-match")["font"] >= READABLE_PX
    search.fill("")

    click_and_wait_for_layout(out, group)
    assert_readable(out, "RNN, unfolded")
    # unfolded, search jumps to the node (its line of code), on screen and readable
    search.fill("h12")
    search.press("Enter")
    h12 = next(n.id for n in graph.nodes if n.name == "h12")
    shown = in_view(out, "g.node.adviz-match")
    assert shown["id"] == element_unfolded(graph, h12)
    assert shown["inside"] and shown["font"] >= READABLE_PX
    search.fill("")
    w = leaf(graph, "W")
    copies = out.locator(f".adviz svg g.node[id^='n{w}~']")
    assert copies.count() == 30, "W is drawn beside each of the 30 matmuls that read it"
    assert out.locator(f".adviz svg g.node#n{w}").count() == 0
    out.screenshot(path=str(OUTPUT / "rnn_unfolded.png"))

    # a slider on the shared W updates every copy
    scale = slider(out, "W ×")
    press(scale, "ArrowRight", 3)
    factor = slider_value(scale)
    assert factor != 1.0
    replayed = graph.replay({w: (graph.nodes[w].value * factor).astype(np.float32)})
    want = {fid: c["lines"] for fid, c in dotlib.fields(replayed, nodes=[w]).items()}
    try:
        page.wait_for_function(
            f"([root, want]) => {{ const got = ({CELLS_BY_ELEMENT_JS})(root);"
            " return Object.keys(want).every((k) => got[k] && Object.keys(got[k]).length === 30"
            " && Object.values(got[k]).every((l) =>"
            " JSON.stringify(l) === JSON.stringify(want[k]))); }",
            arg=[out.element_handle(), want],
            timeout=20_000,
        )
    except Exception:
        got = out.evaluate(CELLS_BY_ELEMENT_JS)
        shown = {k: sorted({str(v) for v in got.get(k, {}).values()}) for k in want}
        raise AssertionError(f"W's copies show {shown}, the engine {want}") from None

    # stepping keeps the current op on screen and readable
    steps = backward_steps_payload(replayed)
    # the steps of the new values reach the browser once the slider rests: then step
    page.wait_for_function(
        "([root, want]) => root.querySelector('.adviz-caption')?.textContent === want",
        arg=[out.element_handle(), steps[-1]["caption"]],
    )
    step = slider(out, "backward step")
    press(step, "Home")
    for k in range(1, 41):  # ten time steps back, the view panning along the chain
        press(step, "ArrowRight")
        want_id = element_unfolded(graph, int(steps[k]["current"][1:]))
        page.wait_for_function(
            "([root, id]) => root.querySelector('.adviz svg g.node.adviz-current')?.id === id",
            arg=[out.element_handle(), want_id],
        )
        shown = in_view(out, "g.node.adviz-current")
        assert shown["inside"], f"step {k}: the current op {want_id} is off screen"
        assert shown["font"] >= READABLE_PX, f"step {k}: the current op's text is {shown}"
    # every copy of W shows the gradient W has received so far (10 of its 30 contributions)
    so_far = [
        st["patches"][f"n{w}-grad"]["lines"] for st in steps[1:41] if f"n{w}-grad" in st["patches"]
    ]
    copies_of_w = out.evaluate(CELLS_BY_ELEMENT_JS)[f"n{w}-grad"]
    assert len(copies_of_w) == 30
    assert all(lines == so_far[-1] for lines in copies_of_w.values()), (
        so_far[-1],
        {k: v for k, v in copies_of_w.items() if v != so_far[-1]},
    )
    assert so_far[-1] != want[f"n{w}-grad"]  # not the full gradient yet


def test_lab_gradient_magnitudes_show_vanishing_gradients(page: Page, lab: JupyterServer) -> None:
    nb = open_big(page, lab)
    run_cells(nb, [2])
    out = nb.diagram(2)
    tape, loss = models.rnn_unrolled()
    graph = tape.graph(loss)
    group = out.locator(".adviz svg g.node.adviz-group", has_text="×30")
    click_and_wait_for_layout(out, group)
    out.get_by_role("button", name="Colour by |grad|").click()
    legend = out.locator(".adviz-legend")
    legend.wait_for()
    assert legend.text_content().startswith("|grad|")
    # the edges out of h1 (early) and h29 (late): the early gradient is the smaller one
    h1, h29 = (
        element_unfolded(graph, next(n.id for n in graph.nodes if n.name == name)).removeprefix("n")
        for name in ("h1", "h29")
    )
    page.wait_for_function(
        f"([root, id]) => ({EDGE_WIDTH_JS})([root, id]) > 0", arg=[out.element_handle(), h1]
    )
    early, late = (page.evaluate(EDGE_WIDTH_JS, [out.element_handle(), i]) for i in (h1, h29))
    g1, g29 = (float(np.sqrt(np.mean(graph[name].grad ** 2))) for name in ("h1", "h29"))
    assert g1 < g29, "the model should show vanishing gradients"
    assert early < late, f"h1's edge ({early}px) should be thinner than h29's ({late}px)"
    # back to the first view: the last time steps and the loss, where the gradients are large
    out.get_by_role("button", name="Reset view").click()
    assert in_view(out, f"g.node#n{graph.target}")["inside"]
    out.screenshot(path=str(OUTPUT / "rnn_gradient_magnitudes.png"))  # the README's picture


def test_lab_big_graph_timings(page: Page, lab: JupyterServer) -> None:
    nb = open_big(page, lab)
    run_cells(nb, [3])
    assert "2002 nodes" in nb.output(3).text_content()
    ms = first_render_ms(nb, 4)
    record_timing("first render: run cell to drawn SVG, 2,000-node graph", ms)
    out = nb.diagram(4)
    assert_readable(out, "2,000-node net")
    out.screenshot(path=str(OUTPUT / "net_2000_nodes.png"))

    # a minimal widget's own round trip through the kernel, then a 124-node explore's
    run_cells(nb, [5])
    probe = slider(nb.output(5), "probe")
    rounds = []
    for _ in range(12):
        nb.output(5).evaluate(ECHO_JS)
        press(probe, "ArrowRight")
        rounds.append(page.wait_for_function("() => window.__echo").json_value())
        page.wait_for_timeout(50)
    record_timing(
        "minimal widget round trip through the kernel (median of 12)", statistics.median(rounds)
    )
    run_cells(nb, [6])
    assert "124 nodes" in nb.output(6).text_content()
    out = nb.diagram(6)
    nb.wait_picture(6)  # its picture is in the output: what follows is the slider alone
    times = key_to_patch_ms(out, slider(out, "a"), "ArrowRight", 12)
    record_timing(
        "slider key to patched SVG, 124-node graph (median of 12)", statistics.median(times)
    )


def test_notebook7_rnn_opens_readable_and_unfolds_by_click(
    page: Page, notebook7: JupyterServer
) -> None:
    nb = NotebookPage(page, notebook7, "big_graphs.ipynb").open()
    run_cells(nb, [0, 2])
    out = nb.diagram(2)
    assert_readable(out, "RNN in Notebook 7")
    group = out.locator(".adviz svg g.node.adviz-group", has_text="×30")
    click_and_wait_for_layout(out, group)
    assert_readable(out, "RNN in Notebook 7, unfolded")
    tape, loss = models.rnn_unrolled()
    w = leaf(tape.graph(loss), "W")
    assert out.locator(f".adviz svg g.node[id^='n{w}~']").count() == 30
