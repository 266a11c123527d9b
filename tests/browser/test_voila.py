"""Voila: a notebook served as a page of its outputs, with nothing from the network.

Two `draw`s and an `explore` share the kernel's one renderer model (viz/renderer.py), which
each view's loader (viz/js/loader.js) reaches through Voila's widget manager: every diagram
is drawn with the engine's numbers and the step slider works, while every request that
leaves 127.0.0.1 is aborted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nbformat
from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Route

from .jupyter import OUTPUT, JupyterServer
from .test_widget_in_jupyter import (
    caption,
    expected_cells,
    press,
    run_here,
    slider,
    slider_value,
    svg_text,
    wait_cells,
)

NAME = "voila_diagrams.ipynb"  # conftest.SCRATCH: import, draw(z), explore(z), draw(y)
# Voila's own lab template links Font Awesome from a CDN (voila/templates/lab/index.html.j2):
# not ours, aborted like the rest, and the only requests allowed to try to leave.
VOILA_TEMPLATE_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@"
# Console errors of other packages' front-end extensions, which Voila loads too: Notebook 7's
# JupyterLab extension (built for a newer JupyterLab than Voila 0.5's core) fails to load
# ("The getter for the shared module is not a function"). Reported, not ours to fail on.
OTHERS = ("/voila/labextensions/@jupyter-notebook/",)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname == "127.0.0.1"


def diagram(page: Page, cell: int) -> Locator:
    """The output of code cell `cell`, once its diagram is drawn (Voila keeps every cell,
    inputs stripped)."""
    output = page.locator(".jp-Cell").nth(cell).locator(".jp-OutputArea").first
    output.locator(".adviz svg g.node").first.wait_for(timeout=90_000)
    errors = [e.text_content() for e in output.locator(".adviz-error").all() if e.is_visible()]
    assert not errors, f"cell {cell}: the widget shows an error: {errors}"
    return output


def test_voila_draws_every_diagram_offline(page: Page, voila: JupyterServer) -> None:
    outside: list[str] = []
    console_errors: list[str] = []

    def on_request(request: Request) -> None:
        if not is_local(request.url):
            outside.append(request.url)

    def offline(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if message.type != "error" or url.startswith(VOILA_TEMPLATE_CDN):
            return
        if any(other in message.text for other in OTHERS):
            print(f"error in another package's extension: {message.text.splitlines()[0]}")
            return
        console_errors.append(f"{message.text} ({url})")

    page.on("request", on_request)
    page.on("websocket", lambda socket: is_local(socket.url) or outside.append(socket.url))
    page.on("console", on_console)
    page.route("**/*", offline)
    page.goto(voila.notebook_url(NAME), timeout=120_000)

    # the engine's numbers for the same cells, computed here
    sources = [c.source for c in nbformat.read(voila.root / NAME, as_version=4).cells]
    ns = run_here(*sources[:2])
    tape, y, z = ns["tape"], ns["y"], ns["z"]

    draw_z, explore, draw_y = diagram(page, 1), diagram(page, 2), diagram(page, 3)
    wait_cells(draw_z, expected_cells(tape.graph(z)))
    wait_cells(draw_y, expected_cells(tape.graph(y)))
    for output, shown in (
        (draw_z, ("x", "w", "b", "y", "z", "value: -6", "value: -2", "grad:  -3")),
        (explore, ("x", "w", "b", "y", "z", "value: -6", "value: -2", "grad:  …")),
        (draw_y, ("x", "w", "y", "value: 2", "value: -3", "value: -6", "grad:  -3")),
    ):
        nodes = " | ".join(output.locator(".adviz svg g.node").all_text_contents())
        nodes = nodes.replace("\u00a0", " ")
        for text in shown:
            assert text in nodes, f"{text!r} not in the diagram's nodes: {nodes!r}"
    assert "value: 4" not in svg_text(draw_y)  # draw(y) is y's graph only: no b

    # the step slider moves the explanation on; at its end every gradient is shown
    step = slider(explore, "backward step")
    press(step, "Home")
    assert slider_value(step) == 0
    first = caption(explore)
    assert first.startswith("Forward pass"), first
    press(step, "ArrowRight")
    explore.page.wait_for_function(
        "([el, before]) => el.querySelector('.adviz-caption').textContent !== before",
        arg=[explore.element_handle(), first],
    )
    assert slider_value(step) == 1
    assert caption(explore).startswith("Step "), caption(explore)
    press(step, "End")
    wait_cells(explore, expected_cells(tape.graph(z)))

    OUTPUT.mkdir(parents=True, exist_ok=True)
    explore.screenshot(path=str(OUTPUT / "voila_explore_last_step.png"))

    strays = sorted({url for url in outside if not url.startswith(VOILA_TEMPLATE_CDN)})
    assert not strays, f"requests tried to leave 127.0.0.1: {strays}"
    assert not console_errors, "console errors:\n" + "\n".join(console_errors)
