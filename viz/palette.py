"""The diagram's colours and fonts: one palette (`viz/palette.json`) for Python and the widget.

The JSON file is the single source: `viz/dot.py` colours the DOT with it and the widget's
JavaScript imports the same file when it is bundled. Colours are the Okabe–Ito palette, safe
for colour-blind readers.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

PALETTE_FILE = Path(__file__).with_name("palette.json")
MONO = "Courier"  # Graphviz (WebAssembly) has metrics for these names only
SANS = "Helvetica"


class Palette:
    """The colours of `palette.json` as attributes (`PALETTE.grad`), read-only."""

    def __init__(self, colours: dict[str, Any]) -> None:
        """`colours`: name -> "#RRGGBB" (or a list of them for a scale)."""
        self._colours = MappingProxyType(
            {k: v for k, v in colours.items() if not k.startswith("_")}
        )

    def __getattr__(self, name: str) -> Any:
        try:
            return self._colours[name]
        except KeyError:
            raise AttributeError(f"palette has no colour {name!r}") from None

    def as_dict(self) -> dict[str, Any]:
        """Every colour, by name."""
        return dict(self._colours)


def load(path: Path = PALETTE_FILE) -> Palette:
    """The palette in `path`."""
    return Palette(json.loads(path.read_text(encoding="utf-8")))


PALETTE = load()
