"""Numbers and names as short, safe text lines for labels and panels.

Values print with a fixed precision; small arrays in full, large ones as a summary
(shape, min, mean, max). Names lose nothing but their control characters, which are shown
escaped (a newline as `\\n`) so that every label is one line of plain text.
"""

from __future__ import annotations

import numpy as np

PRECISION = 4  # significant digits
MAX_ELEMENTS = 12  # arrays up to this size are printed in full in the diagram
MAX_NAME = 40  # longer names are cut (the full name is in the node's panel)


def number(value: float | complex | np.generic) -> str:
    """One number with `PRECISION` significant digits (`nan`, `inf` as such)."""
    kind = type(value)
    if kind is float:
        return f"{value + 0.0:.4g}"  # + 0.0: -0.0 shows as 0
    if kind is bool or isinstance(value, np.bool_):
        return str(bool(value))
    if kind is int or isinstance(value, np.integer):
        return str(int(value))
    return f"{value + 0.0 if value == 0 else value:.{PRECISION}g}"


def _float(value: float) -> str:
    """number() for the elements of a float array (-0.0 shows as 0)."""
    return f"{value + 0.0:.{PRECISION}g}"


def array_lines(value: np.ndarray | None, max_elements: int = MAX_ELEMENTS) -> list[str]:
    """`value` as text lines: in full when small, else `shape (…) min … mean … max …`.

    Columns are right-aligned as NumPy prints them; this is written out by hand because
    it runs for every number of a live diagram (many times faster than `np.array2string`).
    """
    if value is None:
        return ["None"]
    array = value if type(value) is np.ndarray else np.asarray(value)
    ndim = array.ndim
    if ndim == 0:
        return [number(array.item())]
    if array.size > max_elements:
        return [summary(array)]
    if ndim > 2 or array.size == 0:
        text = np.array2string(array, separator=" ", formatter={"all": number})
        return [line for line in text.splitlines() if line]
    fmt = _float if array.dtype.kind == "f" else number
    if ndim == 1:  # wrapped, several numbers a line
        cells = [fmt(v) for v in array.tolist()]
        width = max(map(len, cells))
        cells = [cell.rjust(width) for cell in cells]
        step = max(1, 48 // (width + 1))
        lines = [" " + " ".join(cells[k : k + step]) for k in range(0, len(cells), step)]
    else:  # one line per row
        rows = [[fmt(v) for v in row] for row in array.tolist()]
        width = max(len(cell) for row in rows for cell in row)
        lines = [" [" + " ".join(cell.rjust(width) for cell in row) + "]" for row in rows]
    lines[0] = "[" + lines[0][1:]
    lines[-1] += "]"
    return lines


SHORT = 24  # characters of a compact node's value or gradient, at most


def short(value: np.ndarray | None) -> str:
    """`value` in a compact node's one row: a scalar as a number, a small array as its
    elements on one line (cut at `SHORT` characters; the panel has them all)."""
    if value is None:
        return "None"
    array = value if type(value) is np.ndarray else np.asarray(value)
    if array.ndim == 0:
        return number(array.item())
    if array.size == 0:
        return "[]"
    fmt = _float if array.dtype.kind == "f" else number
    line = "[" + " ".join(fmt(v) for v in array.reshape(-1)[:SHORT].tolist()) + "]"
    return line if len(line) <= SHORT else line[: SHORT - 1] + "…"


def shape(shape: tuple[int, ...]) -> str:
    """A shape as it is named in labels and captions: `scalar`, or `(2, 3)`."""
    return "scalar" if shape == () else str(shape)


def index(position: tuple[int, ...]) -> str:
    """An element's index as sliders and checks name it: `[1, 2]`."""
    return f"[{', '.join(map(str, position))}]"


def summary(array: np.ndarray, shape: bool = True) -> str:
    """`(256, 10) min -1.2 mean 0.013 max 3.4` for a large array (without the shape when
    `shape` is false: a picture beside it shows the shape)."""
    head = f"{array.shape} " if shape else ""
    if array.dtype.kind == "b":
        return f"{head}{int(array.sum())} true of {array.size}"
    finite = array[np.isfinite(array)] if array.dtype.kind in "fc" else array
    bad = array.size - finite.size
    if finite.size == 0:
        return f"{head}all non-finite"
    text = (
        f"{head}min {number(finite.min())} mean {number(finite.mean())} max {number(finite.max())}"
    )
    return text + (f" ({bad} nan/inf)" if bad else "")


def full_lines(value: np.ndarray | None, limit: int = 1000) -> list[str]:
    """`value` printed in full (up to `limit` elements) for a node's detail panel."""
    if value is None:
        return ["None"]
    array = np.asarray(value)
    with np.printoptions(threshold=limit, precision=PRECISION + 2, linewidth=100):
        return str(array).splitlines()


def has_nan(value: np.ndarray | None) -> bool:
    """Whether `value` has a `nan` (an op was used outside its domain)."""
    return value is not None and value.dtype.kind in "fc" and bool(np.isnan(value).any())


def visible(name: str, limit: int = MAX_NAME) -> str:
    """`name` as one line of plain text: control characters escaped, cut to `limit`."""
    text = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"
