"""Every user string (variable, constant and op names, name scopes, titles) x hostile
strings, rendered through the system's `dot`: the SVG is well-formed and shows the string as
text (control characters escaped), never as markup."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autodiff as ad
import viz
from viz import text

HOSTILE = [
    "\"quoted\" 'single'",
    "]",
    "[",
    "}{",
    "a\\nb",
    "<script>alert(1)</script>",
    "&amp; &lt;",
    "tab\tnew\nline",
    "nul\x00esc\x1b[31m",
    "lone \ud800 surrogate",
    "emoji 🧮 ∂/∂x",
    "x" * 500,
    " ",
    "",
]
POSITIONS = ["variable", "constant", "op", "scope", "title"]
SVG = "{http://www.w3.org/2000/svg}"


def diagram(position: str, name: str) -> viz.Diagram:
    v = ad.Variable(2.0, name=name if position == "variable" else "v")
    c = ad.constant(3.0, name=name if position == "constant" else "c")
    with ad.GradientTape(persistent=True) as tape:
        if position == "scope":
            with ad.name_scope(name):
                y = v * c
        else:
            y = ad.multiply(v, c, name=name if position == "op" else "y")
        z = ad.square(y, name="z")
    return viz.draw(tape, target=z, folded=[], title=name if position == "title" else None)


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="needs Graphviz's dot (make test installs it)"
)
@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_any_string_in_any_position_renders_as_text(position: str, name: str) -> None:
    try:
        d = diagram(position, name)
    except ValueError as e:  # the engine may refuse a name, but then clearly
        assert "name" in str(e)
        return
    root = ET.fromstring(d.svg())
    shown = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert root.find(f".//{SVG}script") is None and root.find(f".//{SVG}foreignObject") is None
    expected = text.visible(name, limit=40 if position != "title" else 200)
    if expected.strip():
        words = expected.replace("\u00a0", " ").split()
        flat = " ".join(shown.replace("\u00a0", " ").split())
        assert all(word.rstrip("…") in flat for word in words), (expected, flat[:300])
    assert "\x00" not in shown and "\x1b" not in shown
    assert np.isclose(float(d.graph.nodes[d.graph.target].value), 36.0)
