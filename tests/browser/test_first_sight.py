"""The whole model at first sight: every lecture's graph opens whole and legible.

Measured in JupyterLab at 1400x1000 (a cell about 968 px wide), as a student sees it: the
nodes in view of all drawn, the nodes cut at an edge, the smallest text on screen and the
widget's height; for the course's notebooks 03, 05 and 07 to 11 (every diagram they draw), the
seed, the backprop-ninja lecture written without scopes or names, and a 2,000-node net (too
big to open whole: it opens readable, on its target). Stepping through the lecture, the
current op is in view and readable, and the gradients written on the edges cover no node,
arrowhead or other text.
"""

from __future__ import annotations

import json
import re
import statistics

import models
import pytest
from playwright.sync_api import Locator, Page

import viz
from viz.explore import backward_steps_payload

from .jupyter import OUTPUT, JupyterServer, NotebookPage, record_timing
from .test_widget_in_jupyter import first_render_ms, key_to_patch_ms, press, run_cells, slider

READABLE_PX = 10.9  # 10-pt text at 1.1 px/pt
MAX_HEIGHT = 900  # px: the widget, toolbar, caption and legend included

# What a student sees of the diagram in `root`: nodes entirely in view, cut at an edge, and
# out of view; the smallest node text in view (px on screen); the widget's height.
FIRST_SIGHT_JS = """(root) => {
  const widget = root.querySelector('.adviz');
  const vp = widget.querySelector('.adviz-viewport').getBoundingClientRect();
  const svg = widget.querySelector('.adviz svg');
  const scale = svg.getScreenCTM().a;
  const seen = {inView: 0, cut: [], out: 0, total: 0, smallest: 99, texts: 0};
  for (const g of svg.querySelectorAll('g.node')) {
    seen.total++;
    const r = g.getBoundingClientRect();
    const inside = r.left >= vp.left - 1 && r.right <= vp.right + 1 && r.top >= vp.top - 1
      && r.bottom <= vp.bottom + 1;
    const outside = r.right <= vp.left || r.left >= vp.right || r.bottom <= vp.top
      || r.top >= vp.bottom;
    if (inside) seen.inView++;
    else if (outside) seen.out++;
    else seen.cut.push(g.id);
    if (outside) continue;
    for (const t of g.querySelectorAll('text')) {
      if (t.closest('.adviz-pic') || !t.textContent.trim()) continue;
      seen.texts++;
      seen.smallest = Math.min(seen.smallest, parseFloat(t.getAttribute('font-size')) * scale);
    }
  }
  seen.height = widget.getBoundingClientRect().height;
  seen.minimap = !widget.querySelector('.adviz-minimap').hidden;
  return seen;
}"""

# The gradients written on the turned edges of the current step, and what they cover: nodes
# and arrowheads (the forward ones and those of the turned edges), and each other.
FLOW_OVERLAPS_JS = """(root) => {
  const svg = root.querySelector('.adviz svg');
  const box = (el) => el.getBoundingClientRect();
  const cover = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
    * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const texts = [...svg.querySelectorAll('.adviz-flow-text')];
  const nodes = [...svg.querySelectorAll('g.node')].map(box);
  const heads = [...svg.querySelectorAll('g.edge:not(.adviz-back) polygon')].map(box);
  const out = [];
  texts.forEach((t, i) => {
    const r = box(t);
    const area = r.width * r.height;
    const node = Math.max(0, ...nodes.map((n) => cover(r, n))) / area;
    const head = Math.max(0, ...heads.map((h) => cover(r, h))) / area;
    const other = Math.max(0, ...texts.filter((_, j) => j !== i).map((u) => cover(r, box(u))))
      / area;
    out.push({text: t.textContent, node, head, other});
  });
  return out;
}"""


def first_sight(output: Locator) -> dict:
    """What the diagram in `output` shows at first sight (see FIRST_SIGHT_JS)."""
    return output.evaluate(FIRST_SIGHT_JS)


def assert_whole(output: Locator, what: str) -> dict:
    """The whole graph in view: no node off-screen or cut, every text readable, the widget
    at most MAX_HEIGHT tall, no minimap (nothing to pan to)."""
    seen = first_sight(output)
    summary = f"{what}: {seen['inView']} of {seen['total']} nodes in view, {seen}"
    assert seen["inView"] == seen["total"] and not seen["cut"], summary
    assert seen["smallest"] >= READABLE_PX, summary
    assert seen["height"] <= MAX_HEIGHT, summary
    assert not seen["minimap"], summary
    print(summary)
    return seen


@pytest.mark.parametrize(
    "notebook",
    [
        "01_gradient_tape.ipynb",
        "02_backprop_step_by_step.ipynb",
        "03_training_an_mlp.ipynb",
        "04_beyond_first_order.ipynb",
        "05_recurrent_nets_through_time.ipynb",
        "06_matrix_calculus_and_broadcasting.ipynb",
        "07_write_your_own_op.ipynb",
        "08_backprop_ninja.ipynb",
        "09_build_your_own_tape.ipynb",
        "10_convolution_and_batch_norm.ipynb",
        "11_attention.ipynb",
        "12_forward_and_reverse.ipynb",
    ],
)
def test_lab_every_diagram_of_the_course_opens_whole(
    page: Page, lab: JupyterServer, notebook: str
) -> None:
    nb = NotebookPage(page, lab, notebook).open()
    nb.run_all()
    cells = nb.diagram_cells()
    assert cells, f"{notebook} draws no diagram"
    for index in cells:
        out = nb.diagram(index)  # drawn, and no error shown by the widget
        page.wait_for_timeout(300)  # a drawing that does not fit asks for the next level
        out.locator(".adviz svg g.node").first.wait_for()
        assert_whole(out, f"{notebook}, cell {index}")
        out.screenshot(path=str(OUTPUT / f"first_sight_{notebook[:2]}_cell{index}.png"))


def test_lab_the_seed_and_the_lecture_open_whole_named_like_the_code(
    page: Page, lab: JupyterServer
) -> None:
    nb = NotebookPage(page, lab, "first_sight.ipynb").open()
    run_cells(nb, [0, 1, 2])
    seed = nb.diagram(1)
    assert_whole(seed, "the seed")
    seed.screenshot(path=str(OUTPUT / "first_sight_seed.png"))
    out = nb.diagram(2)
    page.wait_for_timeout(300)
    seen = assert_whole(out, "the backprop-ninja lecture")
    assert seen["total"] == 27  # one node per line of the lecture, and its 7 parameters
    out.screenshot(path=str(OUTPUT / "first_sight_ninja_cell.png"))  # with the sliders
    out.locator(".adviz").first.screenshot(path=str(OUTPUT / "first_sight_ninja.png"))
    titles = out.locator(".adviz svg g.node text").all_text_contents()
    joined = " ".join(t.replace("\u00a0", " ") for t in titles)
    for line in ("bnvar = 0.03226 * reduce_sum(bndiff2)", "counts_sum_inv = counts_sum ** -1"):
        assert line in joined, f"the lecture's line {line!r} is not a node title"
    search = out.get_by_role("searchbox", name="Search nodes by name")
    search.fill("bnvar")
    assert out.locator(".adviz-count").text_content().startswith("2 matches")  # bnvar, bnvar_inv
    search.fill("")


def test_lab_every_step_of_the_lecture_shows_its_op_and_hides_no_number(
    page: Page, lab: JupyterServer
) -> None:
    nb = NotebookPage(page, lab, "first_sight.ipynb").open()
    run_cells(nb, [0, 2])
    out = nb.diagram(2)
    namespace = models.ninja_namespace()
    exec("import viz\n_g = viz.draw(tape, target=loss).graph", namespace)
    steps = backward_steps_payload(namespace["_g"])
    step = slider(out, "backward step")
    press(step, "Home")
    for k in range(1, len(steps)):
        press(step, "ArrowRight")
        page.wait_for_function(
            "([root, k]) => root.querySelector('.adviz-caption')?.textContent"
            ".startsWith(`Step ${k} of`)",
            arg=[out.element_handle(), k],
        )
        seen = out.evaluate(
            """(root) => {
              const vp = root.querySelector('.adviz-viewport').getBoundingClientRect();
              const g = root.querySelector('.adviz svg g.node.adviz-current');
              if (!g) return null;
              const r = g.getBoundingClientRect();
              const scale = root.querySelector('.adviz svg').getScreenCTM().a;
              const sizes = [...g.querySelectorAll('text')].filter((t) => t.textContent.trim())
                .map((t) => parseFloat(t.getAttribute('font-size')) * scale);
              return {inside: r.left >= vp.left - 1 && r.right <= vp.right + 1
                && r.top >= vp.top - 1 && r.bottom <= vp.bottom + 1,
                font: Math.min(...sizes), title: g.textContent};
            }"""
        )
        assert seen and seen["inside"], f"step {k}: the current op is not in view: {seen}"
        assert seen["font"] >= READABLE_PX, f"step {k}: {seen}"
        for flow in out.evaluate(FLOW_OVERLAPS_JS):
            # a gradient on an edge covers no node, no arrowhead, no other gradient
            assert flow["node"] == 0 and flow["head"] == 0 and flow["other"] == 0, (k, flow)
        if k in (3, 12, 27):
            out.screenshot(path=str(OUTPUT / f"first_sight_ninja_step{k}.png"))


def test_lab_a_2000_node_net_opens_readable_on_its_target(page: Page, lab: JupyterServer) -> None:
    """2,002 nodes: 666 identical scoped layers fold into one run; readable, target in view
    (whole, here; a net without repeated structure would open panned on its target)."""
    nb = NotebookPage(page, lab, "first_sight.ipynb").open()
    run_cells(nb, [0, 3])
    out = nb.diagram(3)
    page.wait_for_timeout(300)
    seen = first_sight(out)
    print(f"2,000-node net: {seen['inView']} of {seen['total']} in view, {json.dumps(seen)}")
    assert seen["smallest"] >= READABLE_PX and seen["height"] <= MAX_HEIGHT, seen
    tape, loss = models.deep_scoped_chain(666)
    diagram = viz.draw(tape, target=loss)
    focus = diagram.drawing.plan.shown_by(diagram.graph.target)[-1]
    inside = out.evaluate(
        """(root, id) => { const vp = root.querySelector('.adviz-viewport')
            .getBoundingClientRect();
          const r = root.querySelector(`.adviz svg g.node[id="${id}"]`).getBoundingClientRect();
          return r.left >= vp.left - 1 && r.right <= vp.right + 1 && r.top >= vp.top - 1
            && r.bottom <= vp.bottom + 1; }""",
        focus,
    )
    assert inside, f"the target's element {focus} is not in the first view"
    out.screenshot(path=str(OUTPUT / "first_sight_net_2000.png"))


def node_box(output: Locator, title: str) -> dict:
    """The on-screen box of the node whose title starts with `title`, and its text."""
    return output.evaluate(
        """(root, title) => {
          for (const g of root.querySelectorAll('.adviz svg g.node')) {
            const text = [...g.querySelectorAll('text')].map((t) => t.textContent).join(' ')
              .replace(/\\u00a0/g, ' ').trim();  // what is drawn (not the hover titles)
            if (!text.startsWith(title)) continue;
            const r = g.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2, text};
          }
          return null;
        }""",
        title,
    )


def test_lab_zooming_in_shows_full_nodes_in_place_and_zooming_out_stops_at_the_whole(
    page: Page, lab: JupyterServer
) -> None:
    nb = NotebookPage(page, lab, "first_sight.ipynb").open()
    run_cells(nb, [0, 2])
    out = nb.diagram(2)
    page.wait_for_timeout(300)
    whole = first_sight(out)
    assert whole["inView"] == whole["total"] == 27
    # zooming out: the whole graph stays (no speck); the view does not shrink below it
    bnvar = node_box(out, "bnvar = ")
    page.mouse.move(bnvar["x"], bnvar["y"])
    for _ in range(5):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    after = first_sight(out)
    assert after["inView"] == after["total"] and after["smallest"] >= whole["smallest"] - 0.01
    # zooming in on bnvar: the drawing turns to full nodes (its numbers printed), bnvar
    # stays under the pointer
    assert "value:" not in bnvar["text"]
    full_drawn = (
        "(root) => [...root.querySelectorAll('.adviz svg g.node text')].some((t) =>"
        " t.textContent.includes('value:'))"
    )
    for _ in range(8):  # the wheel, until the drawing turns (a reader stops there too)
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(400)
        if out.evaluate(full_drawn):
            break
    page.wait_for_function(full_drawn, arg=out.element_handle())
    page.wait_for_timeout(300)
    full = node_box(out, "bnvar = ")
    assert full and "value:" in full["text"] and "grad:" in full["text"], full
    # the pictures' axis labels are drawn at their own width (never squeezed by the text
    # fitting of the node's cells: they were 1-13 px wide)
    squeezed = out.evaluate(
        """(root) => [...root.querySelectorAll('.adviz svg .adviz-pic text')]
          .filter((t) => t.textContent.trim() && t.hasAttribute('textLength'))
          .map((t) => t.textContent)"""
    )
    assert out.locator(".adviz svg .adviz-pic[data-kind='hist'] text").count() > 0
    assert squeezed == [], squeezed
    assert abs(full["x"] - bnvar["x"]) < 60 and abs(full["y"] - bnvar["y"]) < 60, (bnvar, full)
    out.screenshot(path=str(OUTPUT / "first_sight_ninja_zoomed.png"))
    # zooming back out returns to the compact drawing, whole
    for _ in range(12):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(60)
    page.wait_for_function(
        "(root) => root.querySelectorAll('.adviz svg g.node').length === 27 && ![...root"
        ".querySelectorAll('.adviz svg g.node text')]"
        ".some((t) => t.textContent.includes('value:'))",
        arg=out.element_handle(),
    )
    page.wait_for_timeout(300)
    back = first_sight(out)
    assert back["inView"] == back["total"] == 27 and back["smallest"] >= READABLE_PX, back


def test_lab_the_lecture_timings(page: Page, lab: JupyterServer) -> None:
    """What `make bench` reports beside the minimal widget's round trip: the lecture's first
    render (the kernel choosing its level, the browser laying it out) and a slider key."""
    nb = NotebookPage(page, lab, "first_sight.ipynb").open()
    run_cells(nb, [0])
    ms = first_render_ms(nb, 2)
    record_timing("first render: run cell to drawn SVG, backprop-ninja lecture (41 nodes)", ms)
    out = nb.diagram(2)
    nb.wait_picture(2)  # its picture is in the output: what follows is the slider alone
    times = key_to_patch_ms(out, slider(out, "bngain ×"), "ArrowRight", 12)
    record_timing(
        "slider key to patched SVG, backprop-ninja lecture (median of 12)", statistics.median(times)
    )


# The quiz's state in `root` after a step: the step shown (from the question or the caption)
# and, when it asks, the question and whether the current op is in view and readable.
QUIZ_STEP_JS = """(root) => {
  const input = root.querySelector('.adviz-quiz input');
  const asking = !!input && input.offsetParent !== null;  // else "no question here"
  const quiz = root.querySelector('.adviz-quiz');
  const text = asking ? quiz.querySelector('.adviz-quiz-question').textContent
    : (root.querySelector('.adviz-caption')?.textContent || '');
  const vp = root.querySelector('.adviz-viewport').getBoundingClientRect();
  const g = root.querySelector('.adviz svg g.node.adviz-current');
  const r = g ? g.getBoundingClientRect() : null;
  const inside = !!r && r.left >= vp.left - 1 && r.right <= vp.right + 1
    && r.top >= vp.top - 1 && r.bottom <= vp.bottom + 1;
  return {asking, text, inside};
}"""


def test_lab_the_cnn_quiz_asks_at_batch_norms_steps_only(page: Page, lab: JupyterServer) -> None:
    """Notebook 10's `quiz=["normed", "variance", "mean"]`: stepping through the whole backward
    pass, the quiz asks three times, at those ops in that order, each in view (a step into a
    folded scope unfolds it), and at no other step."""
    nb = NotebookPage(page, lab, "10_convolution_and_batch_norm.ipynb").open()
    nb.run_all()
    index = page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
            .findIndex((c) => c.model.sharedModel.getSource().includes('quiz='))"""
    )
    out = nb.diagram(index)
    quiz = out.locator(".adviz-quiz")
    step = slider(out, "backward step")
    asked, total, k = [], None, 0
    while total is None or k < total:
        k += 1
        press(step, "ArrowRight")
        page.wait_for_function(
            f"([root, k]) => ({QUIZ_STEP_JS})(root).text.startsWith(`Step ${{k}} of`)",
            arg=[out.element_handle(), k],
        )
        seen = out.evaluate(QUIZ_STEP_JS)
        total = total or int(seen["text"].split(" of ", 1)[1].split()[0])
        if seen["asking"]:
            assert seen["inside"], f"step {k}: the op asked about is not in view: {seen}"
            asked.append(seen["text"].split(" · ", 1)[1].split(" = ", 1)[0])
            out.screenshot(path=str(OUTPUT / f"quiz_cnn_step{k}.png"))
            count = re.search(r"Type (one|\d+) number", seen["text"]).group(1)
            quiz.locator("input").fill(" ".join(["123"] * (1 if count == "one" else int(count))))
            quiz.locator("button", has_text="Check").click()
            quiz.locator("button", has_text="Reveal").click()
            out.locator(".adviz-caption").wait_for(state="visible")
    assert asked == ["normed", "variance", "mean"], asked
