"""What a lesson needs from the widget, in JupyterLab with real keys and clicks: sliders on
round numbers that take an exact typed value, gradients travelling back on reversed edges,
"check this gradient", and quiz mode (predict, then reveal)."""

from __future__ import annotations

import ast
import re

import numpy as np
from playwright.sync_api import Locator, Page

from viz.explore import backward_steps_payload

from .jupyter import OUTPUT, JupyterServer, NotebookPage
from .test_widget_in_jupyter import (
    caption,
    press,
    readout,
    run_cells,
    slider,
    svg_text,
    wait_for_caption,
)

NOTEBOOK = "teaching.ipynb"
EXPLORE, REPORT, QUIZ, ANSWERS, TENSOR = 1, 2, 3, 4, 5


def opened(page: Page, lab: JupyterServer, *cells: int) -> tuple[NotebookPage, Locator]:
    """The scratch notebook with its imports and `cells` run; the last one's diagram."""
    nb = NotebookPage(page, lab, NOTEBOOK).open()
    run_cells(nb, [0, *cells])
    return nb, nb.diagram(cells[-1])


def printed(nb: NotebookPage, index: int) -> str:
    """Run cell `index` and return what it printed."""
    nb.run_cell(index)
    nb.wait_ran([index])
    return nb.output(index).text_content().strip()


def leaf_and_target(nb: NotebookPage) -> tuple[float, float]:
    b, out = printed(nb, REPORT).split()
    return float(b), float(out)


def wait_text(out: Locator, node: str, text: str) -> None:
    """Wait until a text line of the node titled `node` reads `text` (spaces collapsed)."""
    out.page.wait_for_function(
        """([root, node, want]) => {
          const read = (t) => t.textContent.replace(/\\s+/g, ' ').trim();
          const g = [...root.querySelectorAll('.adviz svg g.node')]
            .find((g) => g.querySelector('text') && read(g.querySelector('text')) === node);
          return Boolean(g) && [...g.querySelectorAll('text')].some((t) => read(t) === want);
        }""",
        arg=[out.element_handle(), node, text],
    )


def type_into_readout(widget: Locator, text: str) -> None:
    """Type a value into a slider's readout box, as a student does, and press Enter."""
    box = readout(widget)
    box.click()
    box.fill(text)
    box.press("Enter")


def test_lab_sliders_start_exactly_lie_on_round_numbers_and_take_typed_values(
    page: Page, lab: JupyterServer
) -> None:
    nb, out = opened(page, lab, EXPLORE)
    recorded = float(np.float32(6.8813735870195432))
    assert leaf_and_target(nb)[0] == recorded  # drawing the slider did not move b

    b = slider(out, "b")
    assert readout(b).input_value() == "6.881"  # the exact value, as the node prints it
    type_into_readout(b, "6.123")  # off the grid: taken exactly
    wait_text(out, "b", "value: 6.123")
    assert leaf_and_target(nb)[0] == float(np.float32(6.123))
    type_into_readout(b, "6")
    wait_text(out, "b", "value: 6")
    b_value, target = leaf_and_target(nb)
    assert b_value == 6.0, "typing 6 gives exactly 6"
    assert target == float(np.tanh(np.float32(-6.0 + 6.0)))  # out is exactly 0

    press(b, "ArrowRight", 2)  # two steps of 0.2 (the round step of (-2, 10))
    wait_text(out, "b", "value: 6.4")
    assert leaf_and_target(nb)[0] == float(np.float32(6.4))

    type_into_readout(b, "10")  # "drag b up to 10" ends at 10
    wait_text(out, "b", "value: 10")
    assert leaf_and_target(nb)[0] == 10.0
    press(b, "Home")
    press(b, "ArrowRight", 5)  # from the low end: 5 presses move 1
    wait_text(out, "b", "value: -1")
    assert leaf_and_target(nb)[0] == float(np.float32(-1.0))


def seed_steps() -> list[dict]:
    """The backward steps of the scratch notebook's neuron, computed here."""
    import autodiff as ad

    x1, w1 = ad.Variable(2.0, name="x1"), ad.Variable(-3.0, name="w1")
    x2, w2 = ad.Variable(0.0, name="x2"), ad.Variable(1.0, name="w2")
    b = ad.Variable(6.8813735870195432, name="b")
    with ad.GradientTape(persistent=True) as tape:
        n = ad.add(x1 * w1 + x2 * w2, b, name="n")
        out = ad.tanh(n, name="out")
    return backward_steps_payload(tape.graph(out), quiz=True)


BACK_EDGES_JS = """(root) => [...root.querySelectorAll('.adviz svg g.edge.adviz-back')]
  .map((g) => ({
  id: g.id,
  marker: g.querySelector('path').getAttribute('marker-start') || '',
  arrowhead: getComputedStyle(g.querySelector('polygon')).display,
}))"""
# Texts of one line of a node that overlap on screen: [[node id, left text, right text]]
OVERLAPS_JS = """(root) => {
  const out = [];
  for (const g of root.querySelectorAll('.adviz svg g.node')) {
    const lines = new Map();
    for (const t of g.querySelectorAll('text')) {
      const y = t.getAttribute('y');
      if (!lines.has(y)) lines.set(y, []);
      lines.get(y).push(t);
    }
    for (const texts of lines.values()) {
      const boxes = texts.map((t) => [t, t.getBoundingClientRect()])
        .sort((a, b) => a[1].x - b[1].x);
      for (let i = 1; i < boxes.length; i++) {
        if (boxes[i - 1][1].right > boxes[i][1].left + 0.5) {
          out.push([g.id, boxes[i - 1][0].textContent, boxes[i][0].textContent]);
        }
      }
    }
  }
  return out;
}"""
FLOW_TEXTS_JS = """(root) => [...root.querySelectorAll('.adviz svg text.adviz-flow-text')]
  .map((t) => t.textContent)"""


def test_lab_backward_steps_send_gradients_back_on_reversed_edges(
    page: Page, lab: JupyterServer
) -> None:
    _, out = opened(page, lab, EXPLORE)
    assert out.evaluate(OVERLAPS_JS) == []  # "out = tanh": the name never runs into its op
    assert "out = tanh" in svg_text(out) and "n = add" in svg_text(out)
    steps = seed_steps()
    step = slider(out, "backward step")
    press(step, "Home")
    page.wait_for_function(
        "(root) => !root.querySelector('.adviz svg .adviz-back')", arg=out.element_handle()
    )
    assert out.evaluate(FLOW_TEXTS_JS) == []  # the forward view keeps its forward arrows
    for k in (1, 2, 3):
        press(step, "ArrowRight")
        wait_for_caption(page, out, steps[k]["caption"])
        back = out.evaluate(BACK_EDGES_JS)
        assert len(back) == len(steps[k]["flows"])
        assert all(e["marker"].startswith("url(#adviz-back-") for e in back)
        assert all(e["arrowhead"] == "none" for e in back), "the forward arrowhead is hidden"
        assert sorted(out.evaluate(FLOW_TEXTS_JS)) == sorted(f[2] for f in steps[k]["flows"])
    # step 3 is the add node: 0.5 goes back to both of its inputs
    assert out.evaluate(FLOW_TEXTS_JS) == ["0.5", "0.5"]
    assert "∂add/∂multiply#1 = 1; upstream × local = 0.5 × 1 = 0.5" in caption(out)


def test_lab_check_this_gradient_shows_a_small_relative_error(
    page: Page, lab: JupyterServer
) -> None:
    _, out = opened(page, lab, EXPLORE)
    out.locator(".adviz svg g.node", has_text="w1").first.click()
    panel = out.locator(".adviz-panel")
    assert panel.locator(".adviz-panel-title").text_content() == "w1 · variable"
    panel.locator("button.adviz-check").click()
    result = panel.locator(".adviz-check-result")
    result.wait_for(state="visible")
    text = result.text_content()
    error = float(re.search(r"largest relative error ([0-9.e+-]+)", text).group(1))
    assert error < 1e-2 and "agrees" in text
    assert re.search(r"\(scalar\)\s+1\s+1(\.\d+)?\s", text), text  # 0.5 × x1: tape 1, numerical ≈ 1
    # an op offers no check (only leaves can be nudged)
    out.locator(".adviz svg g.node", has_text="multiply#1").first.click()
    page.wait_for_function(
        "(root) => root.querySelector('.adviz-panel-title').textContent.startsWith('multiply#1')",
        arg=out.element_handle(),
    )
    assert panel.locator("button.adviz-check").is_hidden()


def test_lab_quiz_flags_a_wrong_answer_accepts_a_right_one_reveals_and_scores(
    page: Page, lab: JupyterServer
) -> None:
    nb, out = opened(page, lab, EXPLORE, QUIZ)
    steps = seed_steps()
    quiz = out.locator(".adviz-quiz")
    assert "grad: 1" not in svg_text(out).replace("  ", " ")  # nothing revealed at the start
    step = slider(out, "backward step")
    # step 0 (the forward pass) shows the first question at once, and does not say to press
    # Play, which a quiz hides
    quiz.wait_for(state="visible")
    assert quiz.locator(".adviz-quiz-question").text_content() == steps[1]["question"]
    assert "Press play" not in steps[0]["caption"] and "first question" in steps[0]["caption"]
    assert out.locator(".adviz-caption").text_content() == steps[0]["caption"]
    out.screenshot(path=str(OUTPUT / "quiz_step0.png"))
    answer = quiz.locator("input")
    check = quiz.locator("button", has_text="Check")

    press(step, "ArrowRight")  # step 1: tanh, ∂out/∂out = 1
    quiz.wait_for(state="visible")
    assert quiz.locator(".adviz-quiz-question").text_content() == steps[1]["question"]
    assert out.locator(".adviz-caption").is_hidden()  # the chain rule waits for the answer
    assert "grad: ?" in svg_text(out).replace("  ", " ")
    answer.fill("1 2")
    check.click()
    assert "Type one number" in quiz.locator(".adviz-quiz-feedback").text_content()
    answer.fill("0.3")
    check.click()
    assert quiz.locator(".adviz-quiz-wrong").is_visible()
    answer.fill("1")
    check.click()
    out.locator(".adviz-caption").wait_for(state="visible")
    assert out.locator(".adviz-caption").text_content() == steps[1]["caption"]
    assert "Right" in quiz.text_content()
    assert "move the step slider on to step 2" in quiz.text_content().lower()  # what next

    press(step, "ArrowRight")  # step 2: n, ∂out/∂n = 1 - tanh² = 0.5
    page.wait_for_function(
        "([root, want]) => root.querySelector('.adviz-quiz-question').textContent === want",
        arg=[out.element_handle(), steps[2]["question"]],
    )
    answer.fill("0.5")
    answer.press("Enter")
    assert "Right! Revealed" in quiz.text_content()

    for k in range(3, len(steps)):  # the rest: one wrong try each, then Reveal
        press(step, "ArrowRight")
        page.wait_for_function(
            "([root, want]) => root.querySelector('.adviz-quiz-question').textContent === want",
            arg=[out.element_handle(), steps[k]["question"]],
        )
        answer.fill("123")
        check.click()
        quiz.locator("button", has_text="Reveal").click()
        out.locator(".adviz-caption").wait_for(state="visible")
    score = quiz.locator(".adviz-quiz-score").text_content()
    assert score.startswith(f"Score: 1 of {len(steps) - 1} right on the first try"), score
    # the progress is in the kernel's traits: a new view resumes it
    recorded = ast.literal_eval(printed(nb, ANSWERS))
    assert recorded["1"] == {"tries": 2, "right": False, "revealed": True}
    assert recorded["2"] == {"tries": 1, "right": True, "revealed": True}
    out.screenshot(path=str(OUTPUT / "quiz.png"))


def test_lab_a_tensor_leaf_has_one_row_and_a_picked_element_takes_a_typed_value(
    page: Page, lab: JupyterServer
) -> None:
    _, out = opened(page, lab, TENSOR)
    rows = out.locator(".widget-hbox").filter(has=page.locator("select"))
    assert rows.count() == 1  # W's scale, shift and element picker share one row
    row = rows.first
    assert "W 3×3:" in row.text_content()
    top = {row.locator(".widget-slider").nth(k).bounding_box()["y"] for k in range(2)}
    assert len(top) == 1, "scale and shift on one line"
    row.locator("select").select_option(label="[2, 1]")
    element = slider(out, "W[2, 1]")
    element.wait_for(state="visible")
    assert readout(element).input_value() == "0.7"  # W[2, 1] as recorded
    type_into_readout(element, "0.25")
    out.page.wait_for_function(
        """(root) => [...root.querySelectorAll('.adviz svg g.node#n0 text')]
          .some((t) => t.textContent.replace(/\\s+/g, ' ').trim() === '[ 0.6 0.25 0.8]]')""",
        arg=out.element_handle(),
    )
    out.screenshot(path=str(OUTPUT / "tensor_leaf_row.png"))
