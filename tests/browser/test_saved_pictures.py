"""A picture in every saved notebook: once the browser has drawn a diagram, the output also
carries the browser's drawing as `image/svg+xml` (with no system `dot`), and the live view
is not drawn again when the display is updated."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Page

from .jupyter import JupyterServer, NotebookPage

NOTEBOOK = "saved_pictures.ipynb"


@pytest.mark.parametrize("front_end", ["lab", "notebook7"])
def test_saved_notebook_carries_the_browsers_pictures_without_dot(
    page: Page, front_end: str, request: pytest.FixtureRequest, served: Path
) -> None:
    server: JupyterServer = request.getfixturevalue(front_end)
    nb = NotebookPage(page, server, NOTEBOOK).open()
    nb.run_all()
    assert "dot: None" in nb.output(0).text_content()  # the kernel has no Graphviz
    for index in (1, 2):
        out = nb.diagram(index)
        out.evaluate("(root) => { root.querySelector('.adviz').dataset.probe = 'first view'; }")
    # zoom in, so that a view drawn again (instead of kept) would show
    explore = nb.output(2)
    explore.locator(".adviz-viewport").hover()
    page.mouse.wheel(0, -300)
    view_box = explore.evaluate("(r) => r.querySelector('.adviz svg').getAttribute('viewBox')")
    for index in (1, 2):
        nb.wait_picture(index)
    page.wait_for_timeout(500)  # the front end re-renders the updated outputs
    for index in (1, 2):
        out = nb.output(index)
        assert out.locator(".adviz").count() == 1, "one live view, not two"
        assert out.evaluate("(r) => r.querySelector('.adviz').dataset.probe") == "first view"
        assert out.locator("img, .jp-RenderedSVG").count() == 0, "the picture is not shown live"
    assert explore.evaluate("(r) => r.querySelector('.adviz svg').getAttribute('viewBox')") == (
        view_box
    ), "the zoom survived the update"

    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=20_000
    )
    saved = nbformat.read(served / NOTEBOOK, as_version=4)
    for index, names in ((1, ("x", "w", "y = tanh")), (2, ("x", "w", "y = tanh"))):
        pictures = [
            o["data"]["image/svg+xml"]
            for o in saved.cells[index].outputs
            if "image/svg+xml" in o.get("data", {})
        ]
        assert len(pictures) == 1, f"cell {index}: one picture"
        svg = pictures[0]
        texts = " ".join(re.findall(r">([^<>]+)</text>", svg)).replace("\u00a0", " ")
        texts = re.sub(r"\s+", " ", texts)
        for name in names:
            assert name in texts, f"cell {index}: {name!r} not in the picture"
        assert "value: -6" in texts  # x * w, the numbers the browser showed
        assert 'class="adviz' not in svg and "tabindex" not in svg
        assert len(svg) < 200_000
    size = (served / NOTEBOOK).stat().st_size
    assert size < 600_000, f"the saved notebook is {size:,} bytes"
    text_plain = [o["data"].get("text/plain", "") for o in saved.cells[2].outputs]
    assert any("viz.explore widget" in t for t in text_plain)
    json.dumps(saved)  # a valid notebook


def test_lab_saved_notebook_exported_to_html_shows_the_pictures_offline(
    page: Page, lab: JupyterServer, served: Path, tmp_path: Path
) -> None:
    """`jupyter nbconvert --to html` of the notebook saved in JupyterLab, opened from file://
    with the network off: every diagram is there as the browser drew it."""
    nb = NotebookPage(page, lab, NOTEBOOK).open()
    nb.run_all()
    for index in (1, 2):
        nb.diagram(index)
        nb.wait_picture(index)
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=20_000
    )
    html = tmp_path / "saved.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--output",
            str(html),
            str(served / NOTEBOOK),
        ],
        check=True,
        capture_output=True,
    )
    requests: list[str] = []
    offline = page.context.browser.new_page()
    offline.route(
        "**/*",
        lambda route: (
            (requests.append(route.request.url), route.abort())
            if not route.request.url.startswith("file:")
            else route.continue_()
        ),
    )
    offline.goto(html.as_uri())
    images = offline.locator("img[src^='data:image/svg+xml']")
    assert images.count() == 2
    for k in range(2):  # drawn (the browser decoded the picture), and holding the graph
        assert images.nth(k).evaluate("(img) => img.complete && img.naturalWidth > 100")
        svg = base64.b64decode(images.nth(k).get_attribute("src").split(",", 1)[1]).decode()
        texts = " ".join(re.findall(r">([^<>]+)</text>", svg)).replace("\u00a0", " ")
        texts = " ".join(texts.split())
        assert "y = tanh" in texts and "value: -6" in texts, texts
    assert not any("unpkg" in r or "jupyter-widgets" in r for r in requests), requests
    offline.close()
