"""The widget as a student uses it: real JupyterLab and Notebook 7, real Chromium, real keys.

Each scenario runs a notebook in the browser, then reads the diagram's SVG text and compares
it with what the engine computes here, in the test process, for the same values: the kernel
and the page must agree with the library to the last printed digit.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from playwright.sync_api import Locator, Page

import autodiff as ad
import viz
from viz import dot as dotlib
from viz.explore import backward_steps_payload

from .jupyter import OUTPUT, JupyterServer, NotebookPage, record_timing

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------- page helpers
# The value and gradient cells of the diagram in `root`: {"n3-grad": ["grad:  [22 28]"], ...}
# A cell drawn several times (the copies of a shared leaf, `n1-value~n5~n9`) is reported once
# if every copy shows the same lines, else as {"copies disagree": [...]}.
CELLS_JS = """(root) => {
  const svg = root.querySelector('.adviz svg');
  if (!svg) return null;
  const out = {};
  for (const el of svg.querySelectorAll('[id]')) {
    const m = el.id.match(/^(?:a_)?(n\\d+-(?:value|grad))(?:~.*)?$/);
    if (!m) continue;
    const lines = [...el.querySelectorAll('text')].map((t) => t.textContent);
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    const seen = out[m[1]];
    if (seen && JSON.stringify(seen) !== JSON.stringify(lines)) {
      out[m[1]] = {'copies disagree': [seen, lines]};
    } else if (!seen) out[m[1]] = lines;
  }
  return out;
}"""
# Where every node's shapes are drawn (their geometry, not the view's pan and zoom).
GEOMETRY_JS = """(root) => [...root.querySelectorAll('.adviz svg g.node')].map((g) =>
  g.id + ':' + [...g.querySelectorAll('polygon, path, ellipse')]
    .map((s) => s.getAttribute('points') || s.getAttribute('d') ||
      `${s.getAttribute('cx')},${s.getAttribute('cy')}`).join('|'))"""
# Arms a stopwatch: from the next keydown (or pointerdown) anywhere in the page to the next
# change of the diagram's SVG text in `root`; the ms land in `window.__keyToPatch`.
KEY_TO_PATCH_JS = """(root) => {
  const svg = root.querySelector('.adviz svg');
  window.__keyToPatch = null;
  let t0 = null;
  const start = () => { if (t0 === null) t0 = performance.now(); };
  document.addEventListener('keydown', start, true);
  document.addEventListener('pointerdown', start, true);
  const observer = new MutationObserver(() => {
    if (t0 === null) return;
    window.__keyToPatch = performance.now() - t0;
    observer.disconnect();
    document.removeEventListener('keydown', start, true);
    document.removeEventListener('pointerdown', start, true);
  });
  observer.observe(svg, { subtree: true, characterData: true, childList: true });
}"""


def cells_of(output: Locator) -> dict[str, list[str]]:
    """The value and gradient cells shown by the diagram in `output`."""
    cells = output.evaluate(CELLS_JS)
    assert cells, "no diagram in this output"
    return cells


def expected_cells(graph: ad.Graph) -> dict[str, list[str]]:
    """The value and gradient cells the visualizer shows for `graph`."""
    return {fid: cell["lines"] for fid, cell in dotlib.fields(graph).items()}


def svg_text(output: Locator) -> str:
    """All the text of the diagram in `output`, with no-break spaces as spaces."""
    return output.locator(".adviz svg").first.text_content().replace("\u00a0", " ")


def slider(output: Locator, label: str) -> Locator:
    """The ipywidgets slider described `label` in `output`."""
    return output.locator(".widget-slider").filter(
        has=output.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
    )


def readout(widget: Locator) -> Locator:
    """The box beside a value slider: its exact value, and where a student types one."""
    return widget.locator(
        "xpath=following-sibling::*[contains(concat(' ', @class, ' '), ' adviz-readout ')]"
    ).locator("input")


def slider_value(widget: Locator) -> float:
    """The number a slider shows: a value slider's readout box once the kernel has written
    the handle's new position into it (the handle moves in the browser at once; its
    aria-valuetext has 2 decimals), else the slider's own readout (the step slider). Tests
    move sliders to values with few digits."""
    box = readout(widget)
    if not box.count():
        return float(widget.locator(".widget-readout").text_content().replace("\u2212", "-"))
    widget.page.wait_for_function(
        """([handle, box]) => Math.abs(parseFloat(handle.getAttribute('aria-valuetext'))
            - parseFloat(box.value.replace('\u2212', '-'))) < 0.006""",
        arg=[widget.locator(".noUi-handle").element_handle(), box.element_handle()],
    )
    return float(box.input_value().replace("\u2212", "-"))


def press(widget: Locator, key: str, times: int = 1) -> None:
    """Focus a slider's handle and press `key` on it."""
    handle = widget.locator(".noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)


def wait_cells(output: Locator, expected: dict[str, list[str]], timeout: float = 20_000) -> None:
    """Wait until the diagram in `output` shows exactly `expected` (a diff on failure)."""
    try:
        output.page.wait_for_function(
            f"([root, want]) => {{ const got = ({CELLS_JS})(root); if (!got) return false; "
            "const same = (k) => JSON.stringify(got[k]) === JSON.stringify(want[k]); "
            "return Object.keys(got).length === Object.keys(want).length && "
            "Object.keys(want).every(same); }",
            arg=[output.element_handle(), dict(sorted(expected.items()))],
            timeout=timeout,
        )
    except Exception:
        got = cells_of(output)
        diff = {
            k: {"shown": got.get(k), "engine": expected.get(k)}
            for k in {*got, *expected}
            if got.get(k) != expected.get(k)
        }
        raise AssertionError(f"the diagram does not show the engine's values: {diff}") from None


def run_cells(nb: NotebookPage, indices: list[int]) -> None:
    """Run `indices` one after the other and wait for them."""
    for i in indices:
        nb.run_cell(i)
    nb.wait_ran(indices)


def notebook_source(name: str, startswith: str) -> str:
    """The source of the first code cell of `notebooks/name` that starts with `startswith`."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith(startswith):
            return cell.source
    raise AssertionError(f"{name}: no code cell starts with {startswith!r}")


def run_here(*sources: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run notebook code in this process and return its namespace (`viz` calls only build
    widgets here: nothing is displayed)."""
    namespace = {"ad": ad, "viz": viz, "np": np} if namespace is None else namespace
    for source in sources:
        exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


def scratch_source(nb: NotebookPage, index: int) -> str:
    """The source of cell `index` of a notebook the servers serve."""
    return nbformat.read(nb.server.root / nb.name, as_version=4).cells[index].source


def leaf(graph: ad.Graph, name: str) -> int:
    """The id of the leaf called `name`."""
    return next(n.id for n in graph.leaves() if n.name == name)


def caption(output: Locator) -> str:
    """The caption under the diagram (the backward step shown)."""
    return output.locator(".adviz-caption").text_content()


def wait_for_caption(page: Page, output: Locator, want: str) -> None:
    """Wait until the caption under the diagram reads `want` (the step has been shown)."""
    page.wait_for_function(
        "([root, want]) => root.querySelector('.adviz-caption').textContent === want",
        arg=[output.element_handle(), want],
    )


# The seed's loss graph, as notebooks 01 and 02 record it (persistent, to draw it).
SEED_RECORD = "with ad.GradientTape(persistent=True) as tape:\n    y = x @ w + b"


def seed_graph(b: list[float] | None = None) -> ad.Graph:
    """The seed's loss graph, with `b` set to `b` if given."""
    ns = run_here(notebook_source("01_gradient_tape.ipynb", "w = ad.Variable("))
    if b is not None:
        ns["b"].assign(np.asarray(b, np.float32))
    ns = run_here(notebook_source("01_gradient_tape.ipynb", SEED_RECORD), namespace=ns)
    return ns["tape"].graph(ns["loss"])


# ---------------------------------------------------------------------------- JupyterLab
def test_lab_runs_notebook_01_and_draws_the_seed(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, "01_gradient_tape.ipynb").open()
    nb.run_all()
    diagrams = page.locator(".jp-OutputArea .adviz svg")
    diagrams.nth(2).wait_for()
    assert diagrams.count() == 3  # x**2 with a constant, with a variable, and the seed's loss
    seed = nb.output(nb.code_cell_index(SEED_RECORD))
    wait_cells(seed, expected_cells(seed_graph()))
    text = svg_text(seed)
    # the seed's numbers: y = [[22 28]], loss = 634, dL/dw = x^T y, dL/db = y
    for shown in ("value: [[22 28]]", "value: 634", "grad:  [[22 28]", "[44 56]", "[66 84]]"):
        assert shown in text, f"{shown!r} not in the seed's diagram: {text!r}"
    # the constant x**2 graph: x is not watched, so no gradient
    assert "grad:  None" in svg_text(nb.output(nb.code_cell_index("import viz")))


def test_lab_value_slider_updates_values_in_place(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, "02_backprop_step_by_step.ipynb").open()
    nb.run_all()
    out = nb.diagram(nb.code_cell_index("w = ad.Variable([[1, 2], [3, 4], [5, 6]]"))
    wait_cells(out, expected_cells(seed_graph()))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    out.screenshot(path=str(OUTPUT / "explore_seed.png"))  # the README's picture
    before = cells_of(out)
    geometry = out.evaluate(GEOMETRY_JS)

    b0 = slider(out, "b[0]")
    press(b0, "ArrowRight")
    value = slider_value(b0)
    assert value == 1.0, "one step of 1 (the round step for the range (-40, 40))"
    graph = seed_graph(b=[value, 0.0])
    wait_cells(out, expected_cells(graph))
    after = cells_of(out)
    loss = graph.nodes[graph.target]
    assert float(loss.value) == ((22 + 1) ** 2 + 28**2) / 2
    changed = {k for k in after if after[k] != before[k]}
    w = leaf(graph, "w")
    assert f"n{w}-grad" in changed and f"n{graph.target}-value" in changed
    assert f"n{w}-value" not in changed  # w did not move
    assert out.evaluate(GEOMETRY_JS) == geometry, "the nodes moved: the layout was redone"


def test_lab_step_slider_and_play_walk_the_backward_pass(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, "02_backprop_step_by_step.ipynb").open()
    nb.run_all()
    neuron = run_here(notebook_source("02_backprop_step_by_step.ipynb", "x1 = ad.Variable("))
    graph = neuron["tape"].graph(neuron["out"])
    steps = backward_steps_payload(graph)
    captions = [s["caption"] for s in steps]
    out = nb.diagram(nb.code_cell_index("viz.explore(\n    tape,\n    out,"))
    step = slider(out, "backward step")
    assert caption(out) == captions[-1]  # it opens on the full gradient

    def shows(k: int) -> None:
        wait_for_caption(page, out, captions[k])
        current = out.locator(".adviz svg g.node.adviz-current")
        if steps[k]["current"]:
            assert current.get_attribute("id") == steps[k]["current"]
        else:
            assert current.count() == 0
        marked = {g.get_attribute("id") for g in out.locator("g.node.adviz-hl").all()}
        assert marked == set(steps[k]["nodes"])
        pending = {g.get_attribute("id") for g in out.locator("g.node.adviz-pending").all()}
        done = {n for s in steps[: k + 1] for n in s["done"]}
        assert pending == set(steps[0]["pending"]) - done

    press(step, "Home")
    shows(0)
    assert "grad:  …" in svg_text(out)  # no gradient yet
    press(step, "ArrowRight")
    shows(1)

    # play from the forward pass: every step in order, each caption once, ending on the last
    press(step, "Home")
    shows(0)
    page.evaluate(
        """(root) => {
          window.__captions = [];
          const el = root.querySelector('.adviz-caption');
          new MutationObserver(() => window.__captions.push(el.textContent))
            .observe(el, { childList: true, characterData: true, subtree: true });
        }""",
        out.element_handle(),
    )
    out.locator(".widget-play button").first.click()
    page.wait_for_function(
        "(want) => window.__captions.at(-1) === want",
        arg=captions[-1],
        timeout=5 * 1000 * len(captions),
    )
    seen = page.evaluate("window.__captions")
    assert [c for k, c in enumerate(seen) if k == 0 or c != seen[k - 1]] == captions[1:]
    wait_cells(out, expected_cells(graph))  # the last step shows the full gradient


def test_lab_markup_in_a_name_is_shown_as_text(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, "hostile_name.ipynb").open()
    nb.run_all()
    name = "<img src=x onerror=alert(1)>"
    for index in (1, 2):  # viz.draw and viz.explore
        out = nb.diagram(index)
        assert name in svg_text(out)
        assert "<script>alert(2)</script>" in svg_text(out)
        assert out.locator("img, script, iframe, foreignObject").count() == 0
    out = nb.output(2)
    assert out.locator(".widget-label", has_text=name).count() == 1  # the slider's label
    out.locator(".adviz svg g.node", has_text=name).first.click()
    assert out.locator(".adviz-panel-title").text_content() == f"{name} · variable"
    page.wait_for_timeout(500)  # an onerror handler would have run by now
    assert not page.problems  # type: ignore[attr-defined]
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_lab_nan_is_shown_and_the_widget_recovers(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, "out_of_domain.ipynb").open()
    nb.run_all()
    out = nb.diagram(1)
    message = out.locator(".adviz-message")
    assert message.is_hidden()
    f = run_here(scratch_source(nb, 1))["f"]

    def graph_at(x: float) -> ad.Graph:
        variable = ad.Variable(np.float64(x), name="x")
        with ad.GradientTape() as tape:
            y = f(x=variable)
        return tape.graph(y)

    x = slider(out, "x")
    press(x, "Home")  # x = -1: log(-1) is nan
    assert slider_value(x) == -1.0
    wait_cells(out, expected_cells(graph_at(-1.0)))
    message.wait_for()
    assert "log produced nan" in message.text_content()
    assert out.locator(".adviz svg text.adviz-nan").count() > 0
    press(x, "End")  # x = 2: back in the domain
    assert slider_value(x) == 2.0
    wait_cells(out, expected_cells(graph_at(2.0)))
    message.wait_for(state="hidden")
    assert out.locator(".adviz svg text.adviz-nan").count() == 0
    assert "value: 1.386" in svg_text(out)  # 2 log 2
    # the step controls still work after the nan
    press(slider(out, "backward step"), "Home")
    page.wait_for_function(
        "(root) => root.querySelector('.adviz-caption').textContent.startsWith('Forward pass')",
        arg=out.element_handle(),
    )


FIRST_RENDER_JS = """(root) => new Promise((resolve) => {
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    if (root.querySelector('.adviz svg g.node')) {
      observer.disconnect();
      resolve(performance.now() - t0);
    }
  });
  observer.observe(root, { subtree: true, childList: true });
  window.jupyterapp.commands.execute('notebook:run-cell');
})"""


def first_render_ms(nb: NotebookPage, index: int) -> float:
    """Run cell `index`; the ms (in the page) until its widget shows a drawn diagram."""
    nb.select(index)
    ms = nb.cell(index).evaluate(FIRST_RENDER_JS)
    nb.wait_ran([index])
    return ms


def key_to_patch_ms(out: Locator, widget: Locator, key: str, times: int) -> list[float]:
    """Press `key` on a slider `times` times; the ms from each key to the patched SVG."""
    found = []
    for _ in range(times):
        out.evaluate(KEY_TO_PATCH_JS)
        press(widget, key)
        found.append(out.page.wait_for_function("() => window.__keyToPatch").json_value())
        out.page.wait_for_timeout(50)
    return found


def test_lab_timings_seed_and_200_node_graphs(page: Page, lab: JupyterServer) -> None:
    nb = NotebookPage(page, lab, "timings.ipynb").open()
    run_cells(nb, [0])
    seed_ms = first_render_ms(nb, 1)
    record_timing("first render: run cell to drawn SVG, seed graph (8 nodes)", seed_ms)
    run_cells(nb, [2])
    assert "200 nodes" in nb.output(2).text_content()
    chain_ms = first_render_ms(nb, 3)
    out = nb.diagram(3)
    # all 200 nodes, w and b (read by each of the 65 layers) drawn as a copy beside each
    assert out.locator(".adviz svg g.node").count() == 200 - 2 + 2 * 65
    record_timing("first render: run cell to drawn SVG, 200-node graph, unfolded", chain_ms)
    folded_ms = first_render_ms(nb, 4)
    assert nb.diagram(4).locator(".adviz svg g.node.adviz-group", has_text="×65").count() == 1
    record_timing("first render: run cell to drawn SVG, 200-node graph, as it opens", folded_ms)
    scale = slider(out, "w ×")
    for index in (3, 4):  # their pictures are in the outputs: what follows is the slider alone
        nb.wait_picture(index)
    times = key_to_patch_ms(out, scale, "ArrowLeft", 12)
    record_timing(
        "slider key to patched SVG, 200-node graph (median of 12)", statistics.median(times)
    )
    # the last value shown is the engine's
    here = run_here(scratch_source(nb, 0), scratch_source(nb, 2))
    graph = here["tape"].graph(here["loss"])
    w = leaf(graph, "w")
    factor = slider_value(scale)
    assert factor == pytest.approx(1 - 12 * 0.05)  # 12 steps of 0.05 down from 1 (range -2..2)
    replayed = graph.replay({w: (graph.nodes[w].value * factor).astype(np.float32)})
    wait_cells(out, expected_cells(replayed))


# ---------------------------------------------------------------------------- Notebook 7
def test_notebook7_runs_notebook_02_and_a_dragged_slider_redraws(
    page: Page, notebook7: JupyterServer
) -> None:
    nb = NotebookPage(page, notebook7, "02_backprop_step_by_step.ipynb").open()
    nb.run_all()
    neuron = run_here(notebook_source("02_backprop_step_by_step.ipynb", "x1 = ad.Variable("))
    graph = neuron["tape"].graph(neuron["out"])
    out = nb.diagram(nb.code_cell_index("viz.explore(\n    tape,\n    out,"))
    wait_cells(out, expected_cells(graph))
    geometry = out.evaluate(GEOMETRY_JS)
    # Notebook 7 keeps arrow keys for itself: drag the handle with the mouse
    w1 = slider(out, "w1")
    handle = w1.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y, steps=8)
    page.mouse.up()
    value = slider_value(w1)
    assert value > -3.0
    replayed = graph.replay({leaf(graph, "w1"): np.float32(value)})
    wait_cells(out, expected_cells(replayed))
    assert out.evaluate(GEOMETRY_JS) == geometry


# ---------------------------------------------------------------------------- both servers
ERROR_LINE = re.compile(r"\[E |Traceback|\w*Error: |Fail")  # a server log line that is an error
# A browser page closed while the server still wrote to its websocket: the client went away
# (a test's page closing), not an error of the server, the kernel or the widget.
CLIENT_GONE = ("tornado.iostream.StreamClosedError", "tornado.websocket.WebSocketClosedError")


def without_client_gone(lines: list[str]) -> list[str]:
    """The log's lines without the tracebacks that end in `CLIENT_GONE`."""
    kept: list[str] = []
    block: list[str] = []
    for line in lines:
        if block and line and not line[0].isspace():  # the exception's line ends the block
            if not line.startswith(CLIENT_GONE):
                kept += [*block, line]
            block = []
        elif block or line.startswith("Traceback"):
            block.append(line)
        else:
            kept.append(line)
    return kept + block


def test_a_traceback_of_a_client_gone_is_left_out_and_any_other_kept() -> None:
    gone = [
        "Traceback (most recent call last):",
        '  File "x.py"',
        "tornado.websocket.WebSocketClosedError",
    ]
    ours = ["Traceback (most recent call last):", '  File "viz.py"', "ValueError: bad"]
    assert without_client_gone(["[I ok]", *gone, "", "During handling", "[I ok]"]) == [
        "[I ok]",
        "",
        "During handling",
        "[I ok]",
    ]
    assert without_client_gone([*gone, *ours]) == ours


def test_the_servers_logged_no_errors(lab: JupyterServer, notebook7: JupyterServer) -> None:
    """Runs last: nothing above made JupyterLab or Notebook 7 log an error or a traceback
    (a kernel crash, a failed comm message, an extension failing to load...)."""
    for server in (lab, notebook7):
        log = without_client_gone(server.log_path.read_text().splitlines())
        bad = [line[:300] for line in log if ERROR_LINE.match(line)]
        assert not bad, f"jupyter {server.kind} logged errors:\n" + "\n".join(bad[:20])
