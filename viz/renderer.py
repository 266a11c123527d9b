"""The widget's renderer, shared: one model per kernel holds the JavaScript bundle (viz/js
with Graphviz in WebAssembly, about 1.5 MB); every diagram's own ESM is a small loader
(viz/js/loader.js) that imports the bundle from that model. A saved or executed notebook then
carries the bundle once, in the shared model's state, whatever its number of diagrams, and
it works offline in every front end that speaks the widget protocol: nothing is fetched.
"""

from __future__ import annotations

import base64
import gzip
from pathlib import Path
from typing import ClassVar

import ipywidgets

from viz import protocol

STATIC = Path(__file__).parent / "static"
BUNDLE = STATIC / "widget.js"
PACKED = STATIC / "widget.js.gz"  # the bundle gzipped by the build
LOADER = STATIC / "loader.js"

MISSING_BUNDLE = """
export default {
  render({ el }) {
    el.textContent = "viz: the widget's JavaScript bundle (viz/static/widget.js) is missing. "
      + "Build it with `make setup` (or `npm ci && npm run build` in the project folder).";
  },
};
"""


def packed_bundle() -> str:
    """The renderer's ES module, gzipped and base64-encoded (0.7 MB, against 3.3 MB for the
    bundle as a JSON string: its embedded WebAssembly is full of backslashes). The build
    writes the gzip (`npm run build`); without it, it is made here (0.15 s)."""
    if PACKED.exists() and BUNDLE.exists() and PACKED.stat().st_mtime >= BUNDLE.stat().st_mtime:
        packed = PACKED.read_bytes()
    else:
        code = BUNDLE.read_bytes() if BUNDLE.exists() else MISSING_BUNDLE.encode("utf-8")
        packed = gzip.compress(code, compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


# the synced trait `code` (`packed_bundle`), as viz/protocol.json declares it
_Traits = type("_Traits", (ipywidgets.Widget,), protocol.trait_types("Renderer"))


class Renderer(_Traits):
    """The model holding the renderer's code (its trait `code`), never displayed;
    `Renderer.shared()` is the one every view of this kernel points to (its `_renderer`
    trait)."""

    _shared: ClassVar[Renderer | None] = None
    _packed: ClassVar[str] = ""

    @classmethod
    def shared(cls) -> Renderer:
        """The kernel's renderer model, created on first use (again if it was closed)."""
        if cls._shared is None or cls._shared.comm is None:
            cls._packed = cls._packed or packed_bundle()
            cls._shared = cls(code=cls._packed)
        return cls._shared

    def ref(self) -> str:
        """How a view names this model (anywidget's widget reference)."""
        return f"anywidget:{self.model_id}"


def loader_esm() -> str:
    """Each view's ESM: the loader, or (no bundle built) the module that says how to build it."""
    return LOADER.read_text(encoding="utf-8") if LOADER.exists() else MISSING_BUNDLE
