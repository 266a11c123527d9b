"""viz/js/pictures.js in Chromium, without Jupyter: pictures drawn into Graphviz's own cells.

The page renders, with @viz-js/viz (Graphviz WebAssembly, as the widget does), nodes whose
labels have a picture cell sized by `viz.pictures.box`, then draws the dicts of
`viz.pictures.picture` into them with `drawPicture`, and the tests check what a person sees:
squares and their colours, legends, the spike of a sparkline, the mode of a histogram, the
maps of a 4-D array and their labels, a compact node's chip, that everything stays inside
the reserved cell, and that a redraw replaces the picture. The page is saved as
test-output/browser/pictures.png.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from viz import text
from viz.pictures import box, picture

from .jupyter import OUTPUT, record_timing

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
PALETTE = json.loads((ROOT / "viz" / "palette.json").read_text())
MINUS = "\u2212"
ZOOM = 2.5  # screen pixels per point, for the screenshot

# the page's bundle: Graphviz and the module under test, as globals of `adpics`
ENTRY = """
import { instance } from "@viz-js/viz";
export { instance };
export * from "./viz/js/pictures.js";
"""

# In the page: render a DOT source into #diagram, and small helpers that read what is drawn
# (geometry in screen pixels, through getBoundingClientRect, as a person sees it).
HELPERS = """
window.render = async (dot, zoom) => {
  const viz = await adpics.instance();
  const svg = viz.renderSVGElement(dot);
  const w = parseFloat(svg.getAttribute("width"));
  const h = parseFloat(svg.getAttribute("height"));
  svg.setAttribute("width", `${w * zoom}px`);
  svg.setAttribute("height", `${h * zoom}px`);
  document.getElementById("diagram").replaceChildren(svg);
};
window.holder = (id) => document.querySelector(`#a_p${id}-value`);
window.draw = (id, json) => adpics.drawPicture(holder(id), JSON.parse(json));
const rectOf = (el) => {
  const r = el.getBoundingClientRect();
  return { x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
};
const shown = (el) => {
  for (let e = el; e && e.localName !== "svg"; e = e.parentElement) {
    if (e.getAttribute("display") === "none") return false;
  }
  return true;
};
const fillOf = (el) => el.getAttribute("fill");
window.look = (id) => {
  const h = holder(id);
  const cell = h.querySelector("polygon");
  const pics = h.querySelectorAll("g.adviz-pic");
  const pic = pics[0];
  const all = pic ? [...pic.querySelectorAll("*")].filter((e) => e.localName !== "g") : [];
  const visible = all.filter((e) => shown(e) && (e.localName !== "text" || e.textContent));
  const q = (sel) => (pic ? [...pic.querySelectorAll(sel)] : []);
  return {
    groups: pics.length,
    kind: pic ? pic.dataset.kind : null,
    cell: rectOf(cell),
    captions: q(".adviz-pic-caption").map((e) => e.textContent),
    mapLabels: q(".adviz-pic-maplabels text").map((e) => ({ text: e.textContent, ...rectOf(e) })),
    cellFill: cell.getAttribute("fill"),
    parts: visible.map((e) => ({ tag: e.localName, ...rectOf(e) })),
    squares: q(".adviz-pic-cells rect").map((e) => ({ fill: fillOf(e), ...rectOf(e) })),
    nanPath: (q(".adviz-pic-nan")[0] || { getAttribute: () => "" }).getAttribute("d") || "",
    nanKey: q(".adviz-pic-nankey").filter(shown).length,
    legend: q(".adviz-pic-legend text").map((e) => e.textContent),
    texts: q("text").filter(shown).map((e) => e.textContent).filter(Boolean),
    line: (q(".adviz-pic-line")[0] || { getAttribute: () => "" }).getAttribute("d") || "",
    lineBox: q(".adviz-pic-line").map(rectOf)[0] || null,
    zero: q(".adviz-pic-zero").filter(shown).map(rectOf),
    bars: q(".adviz-pic-bars rect").map((e) => ({ fill: fillOf(e), ...rectOf(e) })),
    pointer: pic ? pic.getAttribute("pointer-events") : null,
  };
};
"""


def label(node: str, name: str, array: np.ndarray, pic: dict, chip: bool = False) -> str:
    """A node label as viz/dot.py draws one, with the picture cell under the value text
    (with `chip`, the one-row cell of a compact node, 40×12)."""
    width, height = (40, 12) if chip else box(pic)
    summary = html.escape(text.summary(array))
    return (
        f'<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
        f'bgcolor="{PALETTE["variable_fill"]}" color="{PALETTE["variable_border"]}">'
        f'<tr><td align="left"><b>{html.escape(name)}</b></td></tr>'
        f'<tr><td align="left"><font point-size="9" color="#666666">{array.shape} '
        f"{array.dtype}</font></td></tr>"
        f'<tr><td id="{node}-value" href="#" align="left" balign="left">'
        f'<font face="Courier" point-size="10">{summary}</font></td></tr>'
        f'<tr><td id="p{node}-value" href="#" fixedsize="true" width="{width}" '
        f'height="{height}" bgcolor="#ffffff"> </td></tr></table>'
    )


def cases() -> dict[str, tuple[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    w = rng.uniform(-1.5, 1.5, (16, 16))
    w[3, 5], w[10, 2], w[0, 0] = -2.345, 2.0, 0.0  # most negative, a positive, zero
    n = rng.standard_normal((6, 20))
    n[1, 4] = n[4, 17] = n[5, 0] = np.nan
    spike = rng.standard_normal(10_000) * 0.2
    spike[6789] = 9.0
    hist = rng.standard_normal((256, 10)) * 0.5 + 1.0
    row = np.linspace(-3, 1, 13)
    gaps = np.sin(np.linspace(0, 12, 200)) + 2
    gaps[40:55] = np.nan
    sym = rng.standard_normal((64, 8))
    sym[0, :5] = np.nan
    column = np.linspace(0, 1, 30).reshape(30, 1) ** 2
    column[7, 0] = -np.inf
    maps = np.clip(rng.standard_normal((2, 12, 12, 16)) * 0.3, -0.9, 0.9)
    maps[0, :, :, 2] = np.linspace(-1, 1, 144).reshape(12, 12)  # channel 2: a ramp to ±1
    maps[0, 5, 7, 6] = np.nan
    kernel = rng.standard_normal((3, 3, 1, 4))
    kernel[:, :, 0, 1] = 0.0  # filter 1 all zero
    kernel[1, 1, 0, 3] = -4.0  # filter 3's centre: the most negative
    return {
        "n1": ("W", w),
        "n2": ("with_nan", n),
        "n3": ("spiky", spike),
        "n4": ("activations", hist),
        "n5": ("bias", row),
        "n6": ("gappy", gaps),
        "n7": ("symmetric", sym),
        "n8": ("column", column),
        "n9": ("feature_maps", maps),
        "n10": ("kernel", kernel),
        "n11": ("chip", maps),
    }


KERNELS = {"n10"}  # cases pictured as a conv2d kernel
CHIPS = {"n11"}  # cases drawn in a compact node's one-row cell


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """viz/js/pictures.js and @viz-js/viz bundled by the project's esbuild (IIFE `adpics`)."""
    if not ESBUILD.exists():
        pytest.skip("node_modules/.bin/esbuild missing: npm ci (make setup does)")
    out = tmp_path_factory.mktemp("pictures") / "adpics.js"
    subprocess.run(
        [str(ESBUILD), "--bundle", "--format=iife", "--global-name=adpics", "--loader=js",
         "--log-level=warning", f"--outfile={out}"],
        input=ENTRY.encode(), cwd=ROOT, check=True,
    )  # fmt: skip
    return out


@pytest.fixture
def diagram(page, bundle: Path) -> Iterator:
    """The page with every case's node rendered by Graphviz and its picture drawn."""
    page.set_content(
        "<!doctype html><html><body style='margin:8px;background:#fff'>"
        "<div id='diagram'></div></body></html>"
    )
    page.add_script_tag(path=str(bundle))
    page.add_script_tag(content=HELPERS)
    nodes = []
    pics = {}
    for node, (name, array) in cases().items():
        pics[node] = picture(array, kernel=node in KERNELS)
        pic_label = label(node, name, array, pics[node], chip=node in CHIPS)
        nodes.append(f"{node} [label=<{pic_label}>]")
    dot = (
        "digraph { node [shape=plain fontname=Helvetica fontsize=11]; nodesep=0.3\n"
        + "\n".join(nodes)
        + "\nn1 -> n3; n2 -> n4; n5 -> n6; n7 -> n8; n10 -> n9; n10 -> n11 }"
    )
    page.evaluate("([dot, zoom]) => render(dot, zoom)", [dot, ZOOM])
    for node, pic in pics.items():
        page.evaluate("([id, pic]) => draw(id, pic)", [node, json.dumps(pic)])
    page.pics = pics  # type: ignore[attr-defined]
    yield page


def look(page, node: str) -> dict:
    return page.evaluate("(id) => look(id)", node)


def inside(seen: dict, tolerance: float = 0.6) -> None:
    """Everything drawn lies inside the reserved cell."""
    cell = seen["cell"]
    for part in seen["parts"]:
        if part["width"] == 0 and part["height"] == 0:
            continue
        assert part["x"] >= cell["x"] - tolerance, (part, cell)
        assert part["y"] >= cell["y"] - tolerance, (part, cell)
        assert part["right"] <= cell["right"] + tolerance, (part, cell)
        assert part["bottom"] <= cell["bottom"] + tolerance, (part, cell)


def grid(squares: list[dict]) -> list[list[dict]]:
    """The squares as a person reads them: rows top to bottom, each left to right."""
    rows: dict[float, list[dict]] = {}
    for s in squares:
        rows.setdefault(round(s["y"]), []).append(s)
    return [sorted(rows[y], key=lambda s: s["x"]) for y in sorted(rows)]


def points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", path)]


# --- the tests -------------------------------------------------------------------------


def test_heatmap(diagram) -> None:
    w = cases()["n1"][1]
    seen = look(diagram, "n1")
    assert (seen["groups"], seen["kind"], seen["pointer"]) == (1, "heat", "none")
    rows = grid(seen["squares"])
    assert [len(r) for r in rows] == [16] * 16  # 256 squares, 16 by 16
    fills = [[s["fill"].lower() for s in r] for r in rows]
    assert fills[3][5] == PALETTE["heat_negative"].lower()  # the most negative element
    assert fills[0][0] == PALETTE["heat_zero"].lower()
    # the most positive element is 2.0 of a scale of ±2.345: orange, lighter than the end
    assert fills[10][2] != PALETTE["heat_positive"].lower()
    red, green, blue = (int(fills[10][2][k : k + 2], 16) for k in (1, 3, 5))
    assert red > green > blue
    # squares are squares, all the same size, about 7 points
    sizes = {(round(s["width"]), round(s["height"])) for s in seen["squares"]}
    assert sizes == {(round(7 * ZOOM), round(7 * ZOOM))} or len(sizes) <= 2
    limit = np.abs(w).max()
    m = f"{limit:.2g}"
    assert seen["legend"] == [MINUS + m, "0", "+" + m] == [MINUS + "2.3", "0", "+2.3"]
    assert seen["nanKey"] == 0 and seen["nanPath"] == ""
    inside(seen)
    # colours follow the values: darker blue for more negative along a row of increasing x
    diagram.evaluate(
        "([id, pic]) => draw(id, pic)",
        ["n1", json.dumps(picture(np.linspace(-1, 1, 256).reshape(16, 16)))],
    )
    seen = look(diagram, "n1")
    flat = [s["fill"].lower() for r in grid(seen["squares"]) for s in r]
    assert flat[0] == PALETTE["heat_negative"].lower()
    assert flat[-1] == PALETTE["heat_positive"].lower()
    blues = [int(c[5:7], 16) - int(c[1:3], 16) for c in flat[:128]]  # blue minus red
    assert blues == sorted(blues, reverse=True)
    assert seen["legend"] == [MINUS + "1", "0", "+1"]


def test_heatmap_with_nan(diagram) -> None:
    seen = look(diagram, "n2")
    rows = grid(seen["squares"])
    assert [len(r) for r in rows] == [20] * 6
    nan_fill = PALETTE["text"].lower()
    dark = {(i, j) for i, r in enumerate(rows) for j, s in enumerate(r) if s["fill"] == nan_fill}
    assert dark == {(1, 4), (4, 17), (5, 0)}
    assert seen["nanPath"].count("M") == 3  # a light diagonal across each nan square
    assert seen["nanKey"] == 1 and "nan" in seen["texts"]
    limit = np.nanmax(np.abs(cases()["n2"][1]))
    assert seen["legend"] == [MINUS + f"{limit:.2g}", "0", f"+{limit:.2g}"]
    inside(seen)


def test_small_vector_heatmap(diagram) -> None:
    seen = look(diagram, "n5")
    rows = grid(seen["squares"])
    assert [len(r) for r in rows] == [13]
    assert rows[0][0]["fill"].lower() == PALETTE["heat_negative"].lower()
    assert seen["legend"] == [MINUS + "3", "0", "+3"]
    inside(seen)


def test_sparkline(diagram) -> None:
    seen = look(diagram, "n3")
    pic = diagram.pics["n3"]
    assert seen["kind"] == "line"
    pts = points(seen["line"])
    assert len(pts) == 2 * len(pic["data"]) == 128  # a min and a max per bucket of 157
    top = min(y for _, y in pts)
    x_top = next(x for x, y in pts if y == top)
    xs = [x for x, _ in pts]
    # the spike (element 6789 of 10000) is the highest point, where it belongs
    assert (x_top - min(xs)) / (max(xs) - min(xs)) == pytest.approx(6789 / 9999, abs=0.01)
    assert sorted(y for _, y in pts)[1] > top + 10  # and it stands out
    box_ = seen["lineBox"]
    assert box_["y"] == pytest.approx(seen["cell"]["y"] + 3 * ZOOM, abs=ZOOM)  # at the top
    assert len(seen["zero"]) == 1  # 0 is within the range: a zero line
    assert seen["texts"] == [f"{pic['hi']:.3g}", MINUS + f"{-pic['lo']:.3g}", "0", "9999"]
    inside(seen)


def test_sparkline_with_gaps(diagram) -> None:
    seen = look(diagram, "n6")
    assert seen["line"].count("M") == 2  # one gap: two runs
    assert len(seen["zero"]) == 0  # all values > 0: no zero line
    assert "15 nan/inf" in seen["texts"]
    inside(seen)


def test_histogram(diagram) -> None:
    seen = look(diagram, "n4")
    pic = diagram.pics["n4"]
    counts = np.histogram(cases()["n4"][1], 16)[0]
    assert seen["kind"] == "hist" and len(seen["bars"]) == 16
    heights = [b["height"] for b in seen["bars"]]
    assert int(np.argmax(heights)) == int(np.argmax(counts))  # the tallest bar at the mode
    np.testing.assert_allclose(np.array(heights) / max(heights), counts / counts.max(), atol=0.02)
    lefts = [b["x"] for b in seen["bars"]]
    assert lefts == sorted(lefts)
    # a mark at 0, a sixteenth of the way per bin from lo
    (zero,) = seen["zero"]
    span = pic["hi"] - pic["lo"]
    frac = (zero["x"] - seen["bars"][0]["x"]) / (seen["bars"][-1]["right"] - seen["bars"][0]["x"])
    assert frac == pytest.approx(-pic["lo"] / span, abs=0.02)
    # bars left of 0 blue, right of 0 orange (as the heatmap's scale)
    assert seen["bars"][0]["fill"] != seen["bars"][-1]["fill"]
    assert f"{pic['hi']:.3g}" in seen["texts"] and str(counts.max()) in seen["texts"]
    inside(seen)


def test_histogram_with_nan_and_zero_label(diagram) -> None:
    seen = look(diagram, "n7")
    assert len(seen["bars"]) == 16 and len(seen["zero"]) == 1
    assert "0" in seen["texts"] and "+5 nan" in seen["texts"]
    inside(seen)


def test_column_heatmap_with_inf(diagram) -> None:
    seen = look(diagram, "n8")
    rows = grid(seen["squares"])
    assert [len(r) for r in rows] == [1] * 30
    assert rows[-1][0]["fill"].lower() == PALETTE["heat_positive"].lower()
    assert rows[7][0]["fill"].lower() == PALETTE["heat_negative"].lower()  # −inf: the end
    assert rows[0][0]["fill"].lower() == PALETTE["heat_zero"].lower()
    assert seen["legend"] == [MINUS + "1", "0", "+1"]
    inside(seen)


def maps_of(seen: dict, count: int) -> list[list[list[dict]]]:
    """The squares of a grid of maps, map by map (reading order), each as rows of squares."""
    squares = seen["squares"]
    per = len(squares) // count
    return [grid(squares[k * per : (k + 1) * per]) for k in range(count)]


def test_feature_maps(diagram) -> None:
    seen = look(diagram, "n9")
    assert (seen["groups"], seen["kind"], seen["pointer"]) == (1, "maps", "none")
    assert seen["captions"] == ["example 0 of 2", "8 of 16 channels: 8 not shown"]
    maps = maps_of(seen, 8)
    assert all([len(r) for r in m] == [12] * 12 for m in maps)  # eight 12×12 maps
    # two rows of four, left to right, each map under its label
    tops = sorted({round(m[0][0]["y"]) for m in maps})
    assert len(tops) == 2
    for k, (m, name) in enumerate(zip(maps, seen["mapLabels"], strict=True)):
        assert name["text"] == f"c{k}"
        assert round(m[0][0]["y"]) == tops[k // 4]
        assert name["bottom"] <= m[0][0]["y"] + 1 and abs(name["x"] - m[0][0]["x"]) < 2 * ZOOM
    lefts = [m[0][0]["x"] for m in maps[:4]]
    assert lefts == sorted(lefts) and lefts[1] - lefts[0] > 12 * 3 * ZOOM  # 40-point maps
    # one colour scale: channel 2's ramp runs from the negative end to the positive end
    ramp = [s["fill"].lower() for r in maps[2] for s in r]
    assert ramp[0] == PALETTE["heat_negative"].lower()
    assert ramp[-1] == PALETTE["heat_positive"].lower()
    assert seen["legend"] == [MINUS + "1", "0", "+1"]
    # channel 6's nan: a dark square with a light diagonal, and the nan key
    assert maps[6][5][7]["fill"].lower() == PALETTE["text"].lower()
    assert seen["nanPath"].count("M") == 1 and seen["nanKey"] == 1
    inside(seen)


def test_kernel_maps(diagram) -> None:
    seen = look(diagram, "n10")
    assert seen["captions"] == ["input channel 0 of 1", "all 4 filters"]
    assert [n["text"] for n in seen["mapLabels"]] == ["f0", "f1", "f2", "f3"]
    maps = maps_of(seen, 4)
    assert all([len(r) for r in m] == [3, 3, 3] for m in maps)
    assert {s["fill"].lower() for r in maps[1] for s in r} == {PALETTE["heat_zero"].lower()}
    assert maps[3][1][1]["fill"].lower() == PALETTE["heat_negative"].lower()
    assert seen["legend"] == [MINUS + "4", "0", "+4"]
    sizes = {round(s["width"] / ZOOM) for s in seen["squares"]}
    assert sizes == {7}  # 7-point squares: small kernels drawn large
    inside(seen)


def test_maps_chip(diagram) -> None:
    """A compact node's chip of a grid of maps: its first four maps side by side, no text."""
    seen = look(diagram, "n11")
    assert seen["kind"] == "maps" and seen["texts"] == []
    squares = [p for p in seen["parts"] if p["tag"] == "rect"][1:]  # after the chip's frame
    assert len(squares) == 4 * 144
    lefts = sorted({round(s["x"]) for s in squares})
    assert len(lefts) == 4 * 12  # four maps of 12 columns, side by side
    inside(seen)


def test_redraw_replaces_and_null_clears(diagram) -> None:
    rng = np.random.default_rng(5)
    for _ in range(3):
        diagram.evaluate(
            "([id, pic]) => draw(id, pic)",
            ["n1", json.dumps(picture(rng.standard_normal((16, 16))))],
        )
    seen = look(diagram, "n1")
    assert seen["groups"] == 1 and len(seen["squares"]) == 256
    # another kind in the same cell: the heatmap goes entirely
    diagram.evaluate(
        "([id, pic]) => draw(id, pic)", ["n1", json.dumps(picture(rng.standard_normal(500)))]
    )
    seen = look(diagram, "n1")
    assert (seen["groups"], seen["kind"], len(seen["squares"])) == (1, "line", 0)
    inside(seen)
    # another shape of heatmap
    diagram.evaluate(
        "([id, pic]) => draw(id, pic)", ["n1", json.dumps(picture(rng.standard_normal((4, 5))))]
    )
    seen = look(diagram, "n1")
    assert (seen["groups"], seen["kind"], len(seen["squares"])) == (1, "heat", 20)
    inside(seen)
    for empty in ("null", "undefined"):
        diagram.evaluate(f"(id) => adpics.drawPicture(holder(id), {empty})", "n1")
        seen = look(diagram, "n1")
        assert seen["groups"] == 0
        assert seen["cellFill"] == "#ffffff"  # Graphviz's cell is left alone
    diagram.evaluate("(id) => adpics.drawPicture(holder(id), {kind: 'constructor'})", "n1")
    assert look(diagram, "n1")["groups"] == 0


def mean_draw_ms(diagram, pics: list[str], anew: bool = False) -> float:
    """The mean time (ms, in the page) drawPicture takes for each of `pics` in turn; with
    `anew`, the cell is cleared before each (untimed), so that each is built from scratch."""
    return diagram.evaluate(
        """([pics, anew]) => {
          const parsed = pics.map((p) => JSON.parse(p));
          const h = holder("n1");
          let total = 0;
          for (const p of parsed) {
            if (anew) adpics.drawPicture(h, null);
            const t0 = performance.now();
            adpics.drawPicture(h, p);
            total += performance.now() - t0;
          }
          return total / parsed.length;
        }""",
        [pics, anew],
    )


def fills(seen: dict) -> list[list[str]]:
    """The heatmap's colours as a person reads them, row by row."""
    return [[s["fill"].lower() for s in row] for row in grid(seen["squares"])]


def test_cost_of_a_slider_move(diagram) -> None:
    """A slider redraws a 16×16 heatmap with new values, 100 times: the cell then shows the
    last values, square for square as a heatmap drawn anew shows them, and the redraws
    (which reuse the squares) cost less than half of drawing the same heatmaps anew, both
    measured here in the same page. The times also go to `make bench`."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((16, 16)) for _ in range(100)]
    pics = [json.dumps(picture(a)) for a in arrays]
    mean_draw_ms(diagram, pics[:20])  # warm up (the JIT), untimed
    moved = mean_draw_ms(diagram, pics)
    record_timing("drawPicture: a 16x16 heatmap redrawn with new values (mean of 100)", moved)
    seen = look(diagram, "n1")
    assert (seen["groups"], seen["kind"], len(seen["squares"])) == (1, "heat", 256)
    last = arrays[-1]
    i, j = np.unravel_index(np.argmax(np.abs(last)), last.shape)
    end = PALETTE["heat_positive" if last[i, j] > 0 else "heat_negative"].lower()
    assert fills(seen)[i][j] == end  # the largest |value| of the last array at the end
    limit = f"{np.abs(last).max():.2g}"
    assert seen["legend"] == [MINUS + limit, "0", "+" + limit]
    inside(seen)
    diagram.evaluate("(id) => adpics.drawPicture(holder(id), null)", "n1")
    diagram.evaluate("([id, pic]) => draw(id, pic)", ["n1", pics[-1]])
    fresh = look(diagram, "n1")
    assert fills(fresh) == fills(seen)
    where = [(s["x"], s["y"]) for s in seen["squares"]]
    assert [(s["x"], s["y"]) for s in fresh["squares"]] == where
    built = mean_draw_ms(diagram, pics, anew=True)
    record_timing("drawPicture: a 16x16 heatmap drawn anew (mean of 100)", built)
    assert moved < built / 2, (moved, built)
    # and from scratch, a kind after another (a new layout, or a cell changing kind)
    kinds = [json.dumps(picture(rng.standard_normal(shape))) for shape in
             [(16, 16), (10000,), (256, 10)] * 20]  # fmt: skip
    ms = mean_draw_ms(diagram, kinds)
    record_timing("drawPicture: built anew, heatmap, sparkline, histogram (mean of 60)", ms)
    seen = look(diagram, "n1")  # the last drawn, a histogram, alone in its cell
    assert (seen["groups"], seen["kind"], len(seen["bars"])) == (1, "hist", 16)
    assert seen["squares"] == []
    inside(seen)


def test_screenshot(diagram) -> None:
    """The page, for a person to judge: test-output/browser/pictures.png."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    diagram.locator("#diagram svg").screenshot(path=str(OUTPUT / "pictures.png"))
    assert (OUTPUT / "pictures.png").stat().st_size > 10_000
