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
    if isinstance(value, np.bool_ | bool):
        return str(bool(value))
    if isinstance(value, np.integer | int):
        return str(int(value))
    return f"{value:.{PRECISION}g}"


def array_lines(
    value: np.ndarray | None, max_elements: int = MAX_ELEMENTS, width: int = 48
) -> list[str]:
    """`value` as text lines: in full when small, else `shape (…) min … mean … max …`."""
    if value is None:
        return ["None"]
    array = np.asarray(value)
    if array.size <= max_elements:
        text = np.array2string(
            array,
            separator=" ",
            max_line_width=width,
            formatter={"float_kind": number, "complex_kind": number},
        )
        return text.splitlines()
    return [summary(array)]


def summary(array: np.ndarray) -> str:
    """`(256, 10) min -1.2 mean 0.013 max 3.4` for a large array."""
    if array.dtype.kind == "b":
        return f"{array.shape} {int(array.sum())} true of {array.size}"
    finite = array[np.isfinite(array)] if array.dtype.kind in "fc" else array
    bad = array.size - finite.size
    if finite.size == 0:
        return f"{array.shape} all non-finite"
    text = (
        f"{array.shape} min {number(finite.min())} mean {number(finite.mean())} "
        f"max {number(finite.max())}"
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
