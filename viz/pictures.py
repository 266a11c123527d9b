"""Tensors as pictures: a small heatmap, sparkline or histogram beside a large array's summary.

`picture(array)` describes the picture as a small JSON-able dict that is sent to the browser
(`viz/js/pictures.js` draws it); `box(pic)` is the room, in Graphviz points, to reserve for it
in a node's label. The box depends only on the kind and shape of the picture, never on its
values, so moving a slider redraws the picture without moving the layout.

Which picture (shapes after dropping leading axes of length 1 beyond the last two, so a
`(1, 16, 16)` batch of one is a 16×16 array; `n` is the number of elements):

- `n <= 12` (printed in full as text), empty, `None`, bool, complex or non-numeric: none.
- 1-D or 2-D with both sides `<= HEAT_SIDE` (32) and `n <= HEAT_CELLS` (576), a 1-D vector
  counting as one row: a heatmap, one square per element::

      {"kind": "heat", "rows": r, "cols": c, "limit": m, "data": [...]}

  `data` holds the r·c elements row-major; `limit` is max |x| over the finite elements (0
  when there is none); the colour scale runs from −limit (`heat_negative` of
  `viz/palette.json`) over 0 (`heat_zero`) to +limit (`heat_positive`). Numbers are rounded
  to 4 significant digits *of the limit* (an absolute step of limit/1000, which no colour can
  show) to keep the messages short; nan is `null`, ±inf the strings `"inf"` / `"-inf"`
  (drawn with the colour of ±limit).
- any other vector (1-D, or one side > 1 only, e.g. `(1, 500)`): a sparkline::

      {"kind": "line", "n": n, "lo": lo, "hi": hi, "step": k, "data": [...]}

  `lo`, `hi`: the smallest and largest finite element (`null` when there is none). With
  `step == 1`, `data` holds the n values (`n <= LINE_POINTS`, 64); otherwise the vector is cut
  into buckets of `step` consecutive elements (the last one may be shorter) and `data` holds
  one `[a, b]` pair per bucket: its minimum and maximum, in the order they occur, so that
  a single spike survives. Non-finite elements are `null` (a gap in the line); a bucket with
  no finite element is `[null, null]`. `nonfinite` counts the nan/inf elements.
- 4-D with both spatial sides in `2..HEAT_SIDE`: a grid of small per-channel heatmaps,
  one colour scale for all. Read as NHWC feature maps (a batch of images: example 0's
  channels), or with `kernel=True` as a conv2d kernel HWIO (input channel 0 of each output
  filter); at most `MAPS_SHOWN` (8) maps, the first ones, in rows of `MAPS_PER_ROW` (4)::

      {"kind": "maps", "rows": h, "cols": w, "count": k, "limit": m,
       "labels": ["c0", ...], "caption": ["example 0 of 2", "8 of 16 channels: 8 not shown"],
       "data": [[...h·w...], ...k maps]}

  `labels` name each map (`c3`: channel 3; `f3`: filter 3), `caption` says what the maps
  are and how many are not shown; numbers as a heatmap's, `limit` over the maps shown.
- anything else (e.g. `(256, 10)`, 3-D): a histogram of the finite elements::

      {"kind": "hist", "lo": lo, "hi": hi, "counts": [...], "nonfinite": k}

  `HIST_BINS` (16) equal bins over [lo, hi], counted exactly as `np.histogram(finite, 16)`
  counts them (also a constant array: numpy's [v − 0.5, v + 0.5]; above `EXACT_HIST`
  elements, an element within a rounding error of a bin edge may fall in the bin next to
  numpy's, for twice the speed); `lo`, `hi` are `null` and the counts all 0 when no element
  is finite.

Integer arrays are pictured as their float values; numbers in the dicts are Python floats
or ints (`json.dumps` writes them as they are).

Boxes (whole points; `box(pic)` → (width, height)): a heatmap gets `cell` points a square,
`cell = min(7, 168 / max(r, c))`, at least `MIN_WIDTH` (112) wide for its legend, and
`LEGEND` (18) points below the squares for the legend (a gradient bar with `−m`, `0`, `+m`,
and a nan swatch when there is nan), plus a 2-point margin all round: a 16×16 heatmap is
116×134. A sparkline or histogram is 128×52: a 96×36 plot, a column of 28 points at its
right for y labels, and a row of text below for the x labels. Maps: the caption's two lines
(`CAPTION` each, at least as wide as their text at `CHAR` points a character), then rows of
maps (`cell = min(7, 40 / max(h, w))`, each map under a `MAP_LABEL` row, `MAP_GAP` apart),
then the legend: eight 28×28 channels are 176×148, a 3×3×1×4 kernel's four filters 116×75.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from viz.text import MAX_ELEMENTS

PALETTE: dict = json.loads((Path(__file__).with_name("palette.json")).read_text("utf-8"))

HEAT_SIDE = 32  # a heatmap has at most this many rows and columns ...
HEAT_CELLS = 24 * 24  # ... and this many elements
LINE_POINTS = 64  # a sparkline has at most this many values (or [min, max] buckets)
HIST_BINS = 16
DIGITS = 4  # significant digits kept (of the picture's largest magnitude)
EXACT_HIST = 1 << 16  # histograms of up to this many elements count exactly as numpy's

# Geometry of the boxes, in points (the drawing in viz/js/pictures.js fills whatever
# rectangle Graphviz gives; these are the sizes it is designed for)
MARGIN = 2
CELL = 7.0  # side of a heatmap square, at most
HEAT_EXTENT = 168.0  # a heatmap's squares shrink so that it is at most this wide or high
MIN_WIDTH = 112  # room for the legend of a heatmap
LEGEND = 20  # height of a heatmap's legend row (bar and labels)
PLOT_WIDTH, PLOT_HEIGHT = 96, 36  # sparkline and histogram plot
LABEL_COLUMN = 28  # y labels at the right of a plot
TEXT_ROW = 13  # x labels below a plot
MAPS_SHOWN = 8  # a 4-D array shows at most this many maps ...
MAPS_PER_ROW = 4  # ... in rows of this many
MAP_EXTENT = 40.0  # a map's squares shrink so that it is at most this wide or high
MAP_GAP = 4  # between maps
MAP_LABEL = 10  # the row of a map's label (`c3`) above it
CAPTION = 10  # each of the two caption lines of a grid of maps
CHAR = 5.0  # mean width of a character of the pictures' 9-point labels


def picture(array: np.ndarray | None, kernel: bool = False) -> dict | None:
    """JSON-able description of the picture of `array`, or None (small, None, non-numeric, empty).

    See the module docstring for the dicts; `kernel` reads a 4-D array as a conv2d kernel
    (height, width, in, out) rather than NHWC images. Cheap enough to call for every array
    of a live diagram at every slider move (a few microseconds for a 16×16 array).
    """
    if array is None:
        return None
    a = array if type(array) is np.ndarray else np.asarray(array)
    if a.size <= MAX_ELEMENTS or a.dtype.kind not in "fiu":
        return None
    if a.ndim == 4 and _spatial(a.shape, kernel):
        return _maps(a, kernel)
    shape = a.shape
    while len(shape) > 2 and shape[0] == 1:
        shape = shape[1:]
    if len(shape) == 1:
        shape = (1, shape[0])
    if len(shape) == 2:
        rows, cols = shape
        if rows <= HEAT_SIDE and cols <= HEAT_SIDE and a.size <= HEAT_CELLS:
            return _heat(a.reshape(-1), rows, cols)
        if rows == 1 or cols == 1:
            return _line(a.reshape(-1))
    if sum(side > 1 for side in shape) == 1:
        return _line(a.reshape(-1))
    return _hist(a.reshape(-1))


def chip(array: np.ndarray | None) -> dict | None:
    """The picture of a small array (4 to `MAX_ELEMENTS` elements, printed in full in a full
    node) for a compact node's one row: a heatmap; None for what `picture` pictures, for
    3 elements or fewer (short enough to print) and for what is not numeric."""
    if array is None:
        return None
    a = array if type(array) is np.ndarray else np.asarray(array)
    if not 3 < a.size <= MAX_ELEMENTS or a.dtype.kind not in "fiu":
        return None
    cols = a.shape[-1] if a.ndim >= 2 else a.size
    return _heat(a.reshape(-1), a.size // cols, cols)


def box(pic: dict) -> tuple[float, float]:
    """(width, height) in points (Graphviz points, 72/inch) to reserve in a label for `pic`.

    Depends only on the kind and shape, never on the values: a slider changes values and the
    layout must not move. Whole numbers (Graphviz wants integer cell sizes).
    """
    kind = pic["kind"]
    if kind == "heat":
        rows, cols = pic["rows"], pic["cols"]
        cell = min(CELL, HEAT_EXTENT / max(rows, cols))
        width = max(math.ceil(cols * cell), MIN_WIDTH) + 2 * MARGIN
        height = math.ceil(rows * cell) + LEGEND + 2 * MARGIN
        return width, height
    if kind == "maps":
        return _maps_box(pic)
    if kind in ("line", "hist"):
        width = PLOT_WIDTH + LABEL_COLUMN + 2 * MARGIN
        height = PLOT_HEIGHT + TEXT_ROW + 2 * MARGIN
        return width, height
    raise ValueError(f"unknown picture kind {kind!r}")


def _rounder(scale: float):
    """A function rounding a float64 array to `DIGITS` significant digits of `scale`."""
    if not scale > 0 or not math.isfinite(scale):
        return lambda x: x
    decimals = DIGITS - 1 - math.floor(math.log10(scale))
    if decimals >= 0:
        factor = 10.0**decimals  # exact up to 1e22; x * f / f keeps short reprs
        return lambda x: np.rint(x * factor) / factor
    factor = 10.0 ** (-decimals)
    return lambda x: np.rint(x / factor) * factor


def _round1(value: float, scale: float) -> float:
    return float(_rounder(scale)(np.float64(value)))


def _finite_range(a: np.ndarray) -> tuple[float, float, bool]:
    """(min, max) of the finite elements of `a`, and whether all are finite.

    min and max propagate nan and show ±inf, so the common all-finite case costs one pass
    each; only otherwise are the finite elements picked out.
    """
    lo, hi = float(a.min()), float(a.max())
    if math.isfinite(lo) and math.isfinite(hi):
        return lo, hi, True
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return math.nan, math.nan, False
    return float(finite.min()), float(finite.max()), False


def _with_nulls(values: list, mask_source: np.ndarray) -> list:
    """`values` (a list from `tolist()`) with nan as None and ±inf as "inf" / "-inf"."""
    for k in np.flatnonzero(~np.isfinite(mask_source)).tolist():
        v = values[k]
        values[k] = None if v != v else ("inf" if v > 0 else "-inf")
    return values


def sparkline(values: np.ndarray) -> dict:
    """A sparkline of `values` (a vector) whatever its length: e.g. a quantity per time step."""
    return _line(np.asarray(values, dtype=np.float64).ravel())


def _heat(flat: np.ndarray, rows: int, cols: int) -> dict:
    lo, hi, all_finite = _finite_range(flat)
    limit = 0.0 if math.isnan(lo) else max(-lo, hi)
    x = flat.astype(np.float64, copy=False)
    data = _rounder(limit)(x).tolist()
    if not all_finite:
        data = _with_nulls(data, x)
    return {
        "kind": "heat",
        "rows": rows,
        "cols": cols,
        "limit": _round1(limit, limit),
        "data": data,
    }


def _line(flat: np.ndarray) -> dict:
    n = flat.size
    lo, hi, all_finite = _finite_range(flat)
    empty = math.isnan(lo)
    rounder = _rounder(0.0 if empty else max(-lo, hi))
    x = flat.astype(np.float64, copy=False)
    nonfinite = 0 if all_finite else int(n - np.count_nonzero(np.isfinite(x)))
    if n <= LINE_POINTS:
        step = 1
        data = rounder(x).tolist()
        if not all_finite:
            data = _with_nulls(data, x)
            data = [v if v is None or type(v) is float else None for v in data]
    else:
        step = -(-n // LINE_POINTS)
        buckets = -(-n // step)
        if n != buckets * step:  # pad the last bucket with its own last value
            x = np.concatenate((x, np.full(buckets * step - n, x[-1])))
        grid = x.reshape(buckets, step)
        if all_finite:
            low, high = grid, grid
        else:
            good = np.isfinite(grid)
            low = np.where(good, grid, np.inf)
            high = np.where(good, grid, -np.inf)
        where_min = low.argmin(axis=1)
        where_max = high.argmax(axis=1)
        rows = np.arange(buckets)
        mins = grid[rows, where_min]
        maxs = grid[rows, where_max]
        first_is_min = where_min <= where_max
        a = rounder(np.where(first_is_min, mins, maxs)).tolist()
        b = rounder(np.where(first_is_min, maxs, mins)).tolist()
        data = [[u, v] for u, v in zip(a, b, strict=True)]
        if not all_finite:
            for k in np.flatnonzero(~np.isfinite(mins)).tolist():
                data[k] = [None, None]
    return {
        "kind": "line",
        "n": n,
        "lo": None if empty else _round1(lo, max(-lo, hi)),
        "hi": None if empty else _round1(hi, max(-lo, hi)),
        "step": step,
        "data": data,
        "nonfinite": nonfinite,
    }


def _hist(flat: np.ndarray) -> dict:
    lo, hi, all_finite = _finite_range(flat)
    x = flat if all_finite else flat[np.isfinite(flat)]
    nonfinite = flat.size - x.size
    if x.size == 0:
        return {"kind": "hist", "lo": None, "hi": None, "counts": [0] * HIST_BINS,
                "nonfinite": nonfinite}  # fmt: skip
    if lo == hi:  # as np.histogram does
        lo, hi = lo - 0.5, hi + 0.5
    # np.histogram's own algorithm for equal bins (numpy/lib/_histograms_impl.py), without
    # its argument checks: a third of its time on small arrays
    x = x.astype(np.float64, copy=False)
    norm = HIST_BINS / (hi - lo)
    index = ((x - lo) * norm).astype(np.intp)
    np.minimum(index, HIST_BINS - 1, out=index)
    if x.size <= EXACT_HIST:  # numpy's fix-up of elements a rounding error off a bin edge
        edges = np.linspace(lo, hi, HIST_BINS + 1)
        index[x < edges[index]] -= 1
        index[(x >= edges[index + 1]) & (index != HIST_BINS - 1)] += 1
    counts = np.bincount(index, minlength=HIST_BINS)
    scale = max(-lo, hi)
    return {
        "kind": "hist",
        "lo": _round1(lo, scale),
        "hi": _round1(hi, scale),
        "counts": counts.tolist(),
        "nonfinite": int(nonfinite),
    }


def _spatial(shape: tuple[int, ...], kernel: bool) -> bool:
    """Whether a 4-D shape has two spatial sides a grid of maps can show (2 to HEAT_SIDE)."""
    rows, cols = shape[:2] if kernel else shape[1:3]
    return 2 <= rows <= HEAT_SIDE and 2 <= cols <= HEAT_SIDE


def _maps_frame(shape: tuple[int, ...], kernel: bool) -> dict:
    """What a grid of maps of this shape shows, without its numbers: sides, count, labels
    and caption (so that its box is known from the shape alone)."""
    if kernel:
        rows, cols, inputs, total = shape
        first, what, prefix = f"input channel 0 of {inputs}", "filters", "f"
    else:
        examples, rows, cols, total = shape
        first, what, prefix = f"example 0 of {examples}", "channels", "c"
    count = min(total, MAPS_SHOWN)
    if count == total:
        second = f"all {total} {what}" if total > 1 else f"1 {what[:-1]}"
    else:
        second = f"{count} of {total} {what}: {total - count} not shown"
    return {
        "kind": "maps",
        "rows": rows,
        "cols": cols,
        "count": count,
        "labels": [f"{prefix}{k}" for k in range(count)],
        "caption": [first, second],
    }


def _maps(a: np.ndarray, kernel: bool) -> dict:
    """A grid of maps: example 0's channels (NHWC), or input channel 0 of each filter (HWIO)."""
    frame = _maps_frame(a.shape, kernel)
    count, rows, cols = frame["count"], frame["rows"], frame["cols"]
    picked = a[:, :, 0, :count] if kernel else a[0, :, :, :count]
    stack = np.ascontiguousarray(np.moveaxis(picked, -1, 0))
    heat = _heat(stack.reshape(-1), count * rows, cols)
    cells = rows * cols
    data = heat["data"]
    maps = [data[k * cells : (k + 1) * cells] for k in range(count)]
    return {**frame, "limit": heat["limit"], "data": maps}


def maps_box(shape: tuple[int, ...], kernel: bool = False) -> tuple[float, float] | None:
    """The box of the grid of maps of an array of this shape, or None when it gets another
    picture (or none): for estimates made from shapes alone."""
    if len(shape) != 4 or math.prod(shape) <= MAX_ELEMENTS or not _spatial(shape, kernel):
        return None
    return _maps_box(_maps_frame(shape, kernel))


def _maps_box(pic: dict) -> tuple[float, float]:
    """The room of a grid of maps: caption, rows of labelled maps, legend (module docstring)."""
    rows, cols, count = pic["rows"], pic["cols"], pic["count"]
    cell = min(CELL, MAP_EXTENT / max(rows, cols))
    across = min(count, MAPS_PER_ROW)
    down = -(-count // MAPS_PER_ROW)
    grid_width = across * math.ceil(cols * cell) + (across - 1) * MAP_GAP
    text_width = CHAR * max(len(line) for line in pic["caption"])
    width = math.ceil(max(grid_width, MIN_WIDTH, text_width)) + 2 * MARGIN
    grid_height = down * (MAP_LABEL + math.ceil(rows * cell)) + (down - 1) * MAP_GAP
    height = 2 * CAPTION + grid_height + LEGEND + 2 * MARGIN
    return width, height
