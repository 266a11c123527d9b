"""`viz.export_html`: one self-contained HTML page of a diagram or an explorer.

The page holds the widget's own renderer (the bundle, Graphviz in WebAssembly included), the
widget's state as its traits hold it, and a stand-in for the kernel's model: the same
JavaScript that draws the notebook widget draws the page from the traits alone. Zoom, pan,
search, node details, the backward-step slider, Play, captions and colour by |grad| work from
`file://` with no kernel and no network. What needs Python (value sliders, folding and
unfolding) is shown as it was when exported.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from viz.diagram import Diagram
from viz.explore import Explorer
from viz.protocol import EXPORTED
from viz.renderer import BUNDLE, packed_bundle
from viz.widget import GraphView, group_details, magnitudes, node_details

MAX_BYTES = 50_000_000  # the page's state; above it, a clear error (draw a part instead)


def export_html(obj: Any, path: str | Path, *, title: str | None = None) -> Path:
    """Write `obj` (a `viz.Diagram` or a `viz.explore` widget) as one HTML file that works
    offline: open it in a browser, put it on a learning platform, or in slides.

    Returns the path written. Raises `ValueError` when the state is too large for one page
    (draw a part of the graph: `tape.graph(t)` of an intermediate tensor)."""
    view, fixed = _view_of(obj)
    if not BUNDLE.exists():
        raise FileNotFoundError(
            f"export_html: the widget's bundle {BUNDLE} is missing; build it with `make setup`"
        )
    state = _state(view)
    payload = json.dumps(state, separators=(",", ":"), allow_nan=False, default=_jsonable)
    if len(payload) > MAX_BYTES:
        raise ValueError(
            f"export_html: the diagram's state is {len(payload) / 1e6:.0f} MB, above the "
            f"{MAX_BYTES / 1e6:.0f} MB a page can carry; export a part of the graph "
            "(viz.draw(tape.graph(t)) of an intermediate tensor t) or fold it (folded=...)"
        )
    page = _page(
        payload,
        packed_bundle(),
        title or "autodiff graph",
        fixed,
        has_steps=len(json.loads(view.steps)) > 1,
    )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path


def _view_of(obj: Any) -> tuple[GraphView, str]:
    """The widget model to export, and a line of the fixed values of its sliders."""
    if isinstance(obj, Diagram):
        return obj.widget(), ""
    if isinstance(obj, Explorer):
        values = ", ".join(f"{w.description} = {w.value:.4g}" for _, w in obj.sliders)
        return obj.view, (f"Fixed at the export: {values}." if values else "")
    if isinstance(obj, GraphView):
        return obj, ""
    raise TypeError(
        f"export_html: expected a viz.Diagram (viz.draw) or a viz.explore widget, got "
        f"{type(obj).__name__}"
    )


def _state(view: GraphView) -> dict[str, Any]:
    """The traits a view is drawn from (those `viz/protocol.json` marks `export`), with
    every node's details and the gradient sizes as the present state has them."""
    if view.drawing is None or view.graph is None:
        raise ValueError("export_html: this widget has no graph yet")
    state = {name: getattr(view, name) for name in EXPORTED}
    state["patches"] = dict(view.drawing.cells)  # the present state, whatever is pending
    state["details"] = {
        **node_details(view.graph, kernel=False, quiz=view.quiz),  # no kernel to replay
        **group_details(view.graph, view.drawing.plan),
    }
    state["magnitudes"] = magnitudes(view.graph, view.drawing)
    return state


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, frozenset | set | tuple):
        return list(value)
    raise TypeError(f"export_html: cannot write {type(value).__name__} into the page")


def _json_in_script(text: str) -> str:
    """JSON safe inside a <script> element: every `<` (only ever inside a JSON string) as
    `\\u003c`, so that no `</script` or `<!--` can end the element early."""
    return text.replace("<", "\\u003c")


def _page(state: str, bundle: str, title: str, fixed: str, has_steps: bool) -> str:
    controls = (
        '<div class="controls"><button id="play" type="button">▶ Play</button>'
        '<label>backward step <input id="step" type="range" min="0" value="0"></label>'
        '<span id="step-value"></span></div>'
        if has_steps
        else ""
    )
    note = f'<p class="note">{html.escape(fixed)}</p>' if fixed else ""
    return (
        TEMPLATE.replace("%TITLE%", html.escape(title))
        .replace("%NOTE%", note)
        .replace("%CONTROLS%", controls)
        .replace("%STATE%", _json_in_script(state))
        .replace("%BUNDLE%", bundle)
    )


TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:;
  style-src 'unsafe-inline'; img-src data: blob:; worker-src blob:">
<title>%TITLE%</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
    margin: 16px auto; max-width: 1200px; padding: 0 16px; color: #222; }
  h1 { font-size: 18px; margin: 0 0 8px; }
  .note { color: #555; font-size: 13px; margin: 0 0 8px; }
  .controls { display: flex; gap: 12px; align-items: center; margin-top: 8px; font-size: 13px; }
  .controls input[type=range] { width: 320px; vertical-align: middle; }
</style>
</head>
<body>
<h1>%TITLE%</h1>
%NOTE%
<div id="diagram"></div>
%CONTROLS%
<p class="note">Drawn by autodiff-viz (MIT) with Graphviz (EPL-1.0), Viz.js, Expat and the
Emscripten runtime (MIT), embedded in this page: see THIRD_PARTY_NOTICES.md of autodiff-viz.</p>
<script type="application/json" id="adviz-state">%STATE%</script>
<script type="application/octet-stream" id="adviz-bundle">%BUNDLE%</script>
<script type="module">
// The widget's model, standing in for the kernel: the traits as exported; what a kernel
// would compute (folding, value sliders) stays as it was.
const state = JSON.parse(document.getElementById("adviz-state").textContent);
const handlers = new Map();
const model = {
  get: (key) => state[key],
  set: (key, value) => {
    if (key === "folded") return; // folding needs the kernel
    state[key] = value;
    for (const fn of handlers.get(`change:${key}`) || []) fn();
  },
  on: (event, fn) => handlers.set(event, [...(handlers.get(event) || []), fn]),
  off: (event, fn) => handlers.set(event, (handlers.get(event) || []).filter((f) => f !== fn)),
  save_changes: () => {},
  send: () => {},
};
// the renderer, gzipped and base64-encoded (no text in it can end its element early), run
// from a blob: URL
const packed = document.getElementById("adviz-bundle").textContent;
const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
const code = await new Response(stream).arrayBuffer();
const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
const widget = (await import(url)).default;
await widget.render({ model, el: document.getElementById("diagram") });

const slider = document.getElementById("step");
if (slider) {
  const steps = JSON.parse(state.steps);
  const shown = document.getElementById("step-value");
  slider.max = String(steps.length - 1);
  const show = (k) => {
    slider.value = String(k);
    shown.textContent = `${k} of ${steps.length - 1}`;
    model.set("step", k);
  };
  show(state.step >= 0 ? Math.min(state.step, steps.length - 1) : steps.length - 1);
  slider.addEventListener("input", () => show(Number(slider.value)));
  const play = document.getElementById("play");
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = "▶ Play";
  };
  play.addEventListener("click", () => {
    if (timer) return stop();
    if (Number(slider.value) >= steps.length - 1) show(0);
    play.textContent = "■ Stop";
    timer = setInterval(() => {
      const k = Number(slider.value) + 1;
      if (k >= steps.length) return stop();
      show(k);
    }, 900);
  });
}
window.__advizReady = true;
</script>
</body>
</html>
"""
