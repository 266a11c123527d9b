"""The value sliders of `viz.explore`: which leaf or element each one moves, on what grid.

A leaf of up to `max_elements` elements gets one slider per element. A larger leaf (a
weight matrix) gets one compact row: a scale (`W ×`) and a shift (`W +`) of every element,
and a picker for one element (`W[1, 2]`) with its own slider. Its value is then

    base × scale + shift,    base = the recorded value, with the picked elements as set.

Grids are round (a step of 1, 2 or 5 × 10ⁿ, at most `SLIDER_STEPS` to a range), so dragging
passes through round values and a typed value is taken exactly; a slider starts at the
recorded value even off that grid (the browser's first snap of it is not a move).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np

from viz import text

SLIDER_STEPS = 100  # a slider's range is at most this many steps (arrow keys move one)
MAX_PICKABLE = 400  # a tensor leaf with more elements gets no element picker


@dataclass(frozen=True)
class Control:
    """One slider: which leaf, which element, and how it moves the leaf. `kind` is
    "element" (a small leaf's element `index`), "scale", "shift" or "pick" (the element
    of a tensor leaf picked in its row)."""

    label: str
    leaf: str
    index: tuple[int, ...] | None = None
    kind: str = "element"


class TensorLeaf:
    """A leaf moved by scale, shift and picked elements: its value is base × scale + shift."""

    def __init__(self, name: str, value: np.ndarray) -> None:
        """`value`: the leaf's recorded value."""
        self.name = name
        self.base = np.array(value, copy=True)
        self.scale = 1.0
        self.shift = 0.0
        self.picked: tuple[int, ...] | None = None
        self.picker: widgets.Dropdown | None = None

    def move(self, control: Control, number: float) -> np.ndarray:
        """The leaf's new value after `control` moved to `number`."""
        if control.kind == "scale":
            self.scale = number
        elif control.kind == "shift":
            self.shift = number
        elif control.kind == "pick" and self.picked is not None:
            self.base[self.picked] = number
        return (self.base * self.scale + self.shift).astype(self.base.dtype)


def value_range(value: float, given: tuple[float, float] | None) -> tuple[float, float]:
    """A slider's range: `given`, checked, or the value ± max(2|value|, 1)."""
    if given is not None:
        lo, hi = float(given[0]), float(given[1])
        if not lo < hi:
            raise ValueError(f"explore: a range must be (low, high) with low < high, got {given}")
        if not math.isfinite(hi - lo):
            raise ValueError(
                f"explore: the range {given} is too wide for a slider (high - low overflows a "
                "float); give a narrower one, e.g. (-1e300, 1e300)"
            )
        return lo, hi
    half = max(2 * abs(value), 1.0)
    return value - half, value + half


def grid(value: float, lo: float, hi: float) -> tuple[float, float, float]:
    """A slider's (min, max, step): a round step (1, 2 or 5 × 10ⁿ, the first at least 1/100
    of the range) and ends on round multiples of it, so that dragging passes through round
    values (5.9, 6.0, 6.1) and arrow keys move a sensible amount (40 to 100 steps a range).

    The starting value stays as recorded even off the grid (b = 6.8814): the first move
    snaps it onto the grid, and typing into the readout gives exactly the value typed.
    """
    lo, hi = min(lo, value), max(hi, value)
    nominal = (hi - lo) / SLIDER_STEPS
    power = 10.0 ** math.floor(math.log10(nominal))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= nominal * (1 - 1e-9))
    digits = max(0, -math.floor(math.log10(step)) + 1)
    low = round(math.floor(lo / step + 1e-9) * step, digits)
    high = round(math.ceil(hi / step - 1e-9) * step, digits)
    return low, high, step


def snapped(widget: widgets.FloatSlider) -> float:
    """Where the browser puts a slider's value: on the grid min + k·step."""
    k = round((widget.value - widget.min) / widget.step)
    return widget.min + k * widget.step


def clean(number: float, step: float = 0.0) -> float:
    """A value the browser sent, cleaned of the rounding of min + k·step: 12 significant
    digits (6.000000000001 is 6), and nothing finer than a millionth of the step (a shift
    of -2.2e-16 is 0)."""
    if step > 0:
        number = round(number, max(0, 6 - math.floor(math.log10(step))))
    return float(f"{number:.12g}") + 0.0  # (+ 0.0: no -0)


def new_slider(control: Control, value: float, lo: float, hi: float) -> widgets.FloatSlider:
    """A slider for `control` at `value` on the round grid covering (lo, hi)."""
    if not all(math.isfinite(v) for v in (value, lo, hi)):
        raise ValueError(
            f"explore: the slider {control.label!r} needs finite numbers, got the value "
            f"{value} and the range ({lo}, {hi}); start the leaf at a finite value or set "
            f"ranges={{{control.leaf!r}: (low, high)}}"
        )
    lo, hi, step = grid(value, lo, hi)
    return widgets.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=control.label,
        continuous_update=True,
        readout=False,  # its own readout shows where the handle snapped: `readout` instead
        style={"description_width": "initial"},
        layout=widgets.Layout(width="260px"),
    )


def readout(value: float) -> widgets.Text:
    """A slider's number, beside it: the leaf's exact value as the diagram prints it (b =
    6.881 even where the handle snaps to 6.8), and a box to type a value into, which is
    taken exactly (on Enter)."""
    box = widgets.Text(
        value=text.number(value),
        continuous_update=False,
        tooltip="the exact value; type one and press Enter",
        layout=widgets.Layout(width="72px"),
    )
    box.add_class("adviz-readout")
    return box


def parse(typed: str) -> float:
    """A typed value as a float (a minus sign as `−` too); ValueError when it is none."""
    number = float(typed.strip().replace("\u2212", "-"))
    if not math.isfinite(number):
        raise ValueError(f"{typed!r} is not a finite number")
    return number


def make_sliders(
    values: Mapping[str, np.ndarray],
    ranges: Mapping[str, tuple[float, float]],
    max_elements: int,
) -> tuple[list[tuple[Control, widgets.FloatSlider]], dict[str, TensorLeaf]]:
    """The sliders for the leaves, and the state of each tensor leaf (see the module)."""
    sliders: list[tuple[Control, widgets.FloatSlider]] = []
    tensors: dict[str, TensorLeaf] = {}
    for leaf, value in values.items():
        if value.size <= max_elements:
            for index in np.ndindex(value.shape):
                label = leaf if value.ndim == 0 else leaf + text.index(index)
                v = float(value[index])
                lo, hi = value_range(v, ranges.get(label, ranges.get(leaf)))
                control = Control(label, leaf, index)
                sliders.append((control, new_slider(control, v, lo, hi)))
        else:
            tensors[leaf] = tensor = TensorLeaf(leaf, value)
            sliders += _tensor_sliders(leaf, value, ranges)
            if value.size <= MAX_PICKABLE:
                tensor.picker = widgets.Dropdown(
                    options=pick_options(value),
                    value="",
                    tooltip=f"pick one element of {leaf} to set with its own slider",
                    layout=widgets.Layout(width="120px"),
                )
    check_ranges(values, ranges, [c for c, _ in sliders], max_elements)
    return sliders, tensors


def _tensor_sliders(
    leaf: str, value: np.ndarray, ranges: Mapping[str, tuple[float, float]]
) -> list[tuple[Control, widgets.FloatSlider]]:
    """A tensor leaf's scale, shift, and (hidden until an element is picked) pick slider."""
    scale = Control(f"{leaf} ×", leaf, kind="scale")
    shift = Control(f"{leaf} +", leaf, kind="shift")  # moves what scaling cannot: zeros
    spread = float(np.max(np.abs(value))) if np.all(np.isfinite(value)) else 0.0
    lo, hi = ranges.get(shift.label, (-max(2 * spread, 1.0), max(2 * spread, 1.0)))
    out = [
        (scale, new_slider(scale, 1.0, *ranges.get(scale.label, (-2.0, 2.0)))),
        (shift, new_slider(shift, 0.0, lo, hi)),
    ]
    for control, widget in out:
        widget.tooltip = (
            f"{'adds this to' if control.kind == 'shift' else 'multiplies'} every element of "
            f"{leaf} (shape {value.shape})"
        )
    if value.size <= MAX_PICKABLE:
        pick = Control(f"{leaf}[·]", leaf, kind="pick")
        widget = new_slider(pick, 0.0, -1.0, 1.0)
        widget.layout.display = "none"  # until an element is picked
        widget.tooltip = f"sets the picked element of {leaf} (before × and +)"
        out.append((pick, widget))
    return out


def pick_options(value: np.ndarray) -> list[tuple[str, Any]]:
    """The element picker's choices: none (""), then every element by its index."""
    return [("one element…", "")] + [
        (text.index(index), index) for index in np.ndindex(value.shape)
    ]


def layout_rows(
    sliders: Sequence[tuple[Control, widgets.FloatSlider]],
    tensors: Mapping[str, TensorLeaf],
    readouts: Mapping[str, widgets.Text],
) -> list[widgets.HBox]:
    """The sliders laid out, each with its readout: element sliders three to a row; a tensor
    leaf on one compact row, named with its shape: scale, shift, element picker and the
    picked one's slider."""

    def with_readout(control: Control, widget: widgets.FloatSlider) -> widgets.HBox:
        box = readouts[control.label]
        box.layout.display = widget.layout.display  # a pick's: hidden until an element is
        return widgets.HBox([widget, box])  # picked (viz.explore shows both then)

    singles = [with_readout(c, w) for c, w in sliders if c.kind == "element"]
    rows = [widgets.HBox(singles[k : k + 3]) for k in range(0, len(singles), 3)]
    for leaf, tensor in tensors.items():
        own = [(c, w) for c, w in sliders if c.leaf == leaf and c.kind != "element"]
        for _, widget in own:
            widget.layout.width = "200px"
        own = [with_readout(c, w) for c, w in own]
        label = widgets.HTML(
            f"<b>{html.escape(leaf)}</b> {'×'.join(map(str, tensor.base.shape))}:",
            layout=widgets.Layout(width="auto", margin="0 8px 0 0"),
        )
        parts: list[widgets.Widget] = [label, *own[:2]]
        if tensor.picker is not None:
            parts += [tensor.picker, *own[2:]]
        rows.append(widgets.HBox(parts, layout=widgets.Layout(flex_flow="row wrap")))
    return rows


def check_ranges(
    values: Mapping[str, np.ndarray],
    ranges: Mapping[str, Any],
    controls: Sequence[Control],
    max_elements: int,
) -> None:
    """A clear error for a `ranges` key that names no slider (it would be ignored)."""
    labels: list[str] = []
    for leaf, value in values.items():
        if value.size > max_elements and leaf in ranges:
            raise ValueError(
                f"explore: ranges[{leaf!r}]: {leaf} has {value.size} elements and two "
                f"sliders that scale and shift them all; give their ranges instead: "
                f"ranges={{{leaf + ' ×'!r}: (0, 4), {leaf + ' +'!r}: (-1, 1)}}"
            )
        own = [c.label for c in controls if c.leaf == leaf and c.kind != "pick" and c.label != leaf]
        labels += own if value.size > max_elements else [leaf, *own]
    unknown = [key for key in ranges if key not in labels]
    if unknown:
        raise ValueError(f"explore: ranges has no slider named {unknown}; the sliders are {labels}")
