"""viz.export_html: one page that works from file:// with the network off — the diagram drawn
by the widget's own renderer, the step slider and Play walking the backward pass, captions,
no request, no console error. No Jupyter server is involved."""

from __future__ import annotations

from pathlib import Path

import models
from playwright.sync_api import Browser

import viz
from viz.explore import backward_steps_payload

from .jupyter import OUTPUT

READY = "window.__advizReady && document.querySelector('.adviz svg g.node')"


def open_offline(browser: Browser, path: Path) -> tuple:
    """The page at `path` in a context with no network; the requests it made and the console
    errors and page errors it printed are collected."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, offline=True)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function(READY, timeout=30_000)
    return context, page, requests, errors


def test_exported_explorer_steps_and_plays_offline(browser: Browser, tmp_path: Path) -> None:
    tape, loss = models.rnn_unrolled(steps=6)
    explorer = viz.explore(tape, loss)
    path = viz.export_html(explorer, tmp_path / "rnn.html", title="An RNN, 6 steps")
    steps = backward_steps_payload(explorer.graph)
    context, page, requests, errors = open_offline(browser, path)
    try:
        assert page.title() == "An RNN, 6 steps"
        caption = page.locator(".adviz-caption")
        assert caption.text_content() == steps[-1]["caption"]  # opens on the last step
        for k in (0, 1, 5):
            page.locator("#step").fill(str(k))
            assert caption.text_content() == steps[k]["caption"]
            current = page.locator(".adviz svg g.node.adviz-current")
            assert current.count() == (1 if steps[k]["current"] else 0)
        page.locator("#step").fill("0")
        page.evaluate(
            """() => { window.__seen = [];
              const el = document.querySelector('.adviz-caption');
              new MutationObserver(() => window.__seen.push(el.textContent))
                .observe(el, { childList: true, characterData: true, subtree: true }); }"""
        )
        page.get_by_role("button", name="▶ Play").click()
        page.wait_for_function("(n) => window.__seen.length >= n", arg=3, timeout=10_000)
        seen = page.evaluate("window.__seen")
        assert seen[:3] == [s["caption"] for s in steps[1:4]]
        # colour by |grad| works without the kernel: the magnitudes travel in the page
        page.get_by_role("button", name="Colour by |grad|").click()
        page.locator(".adviz-legend").wait_for()
        page.screenshot(path=str(OUTPUT / "export_rnn.png"))
        assert not [u for u in requests if not u.startswith(("file:", "blob:", "data:"))]
        assert not errors, errors
    finally:
        context.close()


def test_exported_diagram_shows_every_number_offline(browser: Browser, tmp_path: Path) -> None:
    tape, loss = models.mlp_step()
    diagram = viz.draw(tape, target=loss, folded=[])
    path = viz.export_html(diagram, tmp_path / "mlp.html")
    context, page, requests, errors = open_offline(browser, path)
    try:
        drawn = page.locator(".adviz svg g.node").count()
        assert drawn == len(diagram.graph.nodes)
        text = page.locator(".adviz svg").text_content().replace("\u00a0", " ")
        for cell in diagram.drawing.cells.values():
            assert " ".join(cell["lines"]).replace("\u00a0", " ").split()[1] in text
        assert page.locator("#step").count() == 0  # a drawing has no backward steps
        page.locator(".adviz svg g.node", has_text="mse").first.click()
        assert page.locator(".adviz-panel-title").text_content() == "mse · reduce_mean"
        assert not [u for u in requests if not u.startswith(("file:", "blob:", "data:"))]
        assert not errors, errors
    finally:
        context.close()


def test_exported_quiz_is_played_without_a_kernel(browser: Browser, tmp_path: Path) -> None:
    """Quiz mode needs no kernel after the first render: an exported page asks, checks,
    reveals and scores offline."""
    import autodiff as ad

    x = ad.Variable(2.0, name="x")
    y = ad.Variable(3.0, name="y")
    with ad.GradientTape(persistent=True) as tape:
        f = ad.add(x * y, x, name="f")
    explorer = viz.explore(tape, f, quiz=True)
    path = viz.export_html(explorer, tmp_path / "quiz.html")
    steps = backward_steps_payload(explorer.graph, quiz=True)
    context, page, requests, errors = open_offline(browser, path)
    try:
        quiz = page.locator(".adviz-quiz")
        # step 0 shows the first question already, with no gradient revealed
        assert "grad: 1" not in page.locator(".adviz svg").text_content()
        assert quiz.locator(".adviz-quiz-question").text_content() == steps[1]["question"]
        answer, check = quiz.locator("input"), quiz.get_by_role("button", name="Check")
        page.locator("#step").fill("1")
        assert quiz.locator(".adviz-quiz-question").text_content() == steps[1]["question"]
        answer.fill("2")
        check.click()
        assert quiz.locator(".adviz-quiz-wrong").is_visible()
        answer.fill("1")
        check.click()
        assert page.locator(".adviz-caption").text_content() == steps[1]["caption"]
        page.locator("#step").fill("2")
        answer.fill("1")
        check.click()
        assert "1 so far + 3 = 4" in page.locator(".adviz-caption").text_content()
        score = quiz.locator(".adviz-quiz-score").text_content()
        assert score.startswith("Score: 1 of 2 right on the first try"), score
        page.screenshot(path=str(OUTPUT / "export_quiz.png"))
        assert not [u for u in requests if not u.startswith(("file:", "blob:", "data:"))]
        assert not errors, errors
    finally:
        context.close()
