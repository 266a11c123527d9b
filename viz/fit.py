"""The level of detail a diagram opens at, measured where the system's `dot` is at hand.

`viz.levels` orders the levels from most to least detailed and estimates their sizes from the
labels. Where Graphviz's `dot` is installed, the levels of a graph of up to `MEASURE_NODES`
nodes are laid out instead (about 10-40 ms each), both directions, until one fits: the
diagram opens at the level that really fits, also in an exported page, which has no kernel
to ask for the next one. Without `dot`, or past `MEASURE_SECONDS`, the estimates decide, and
the browser asks for the next level when the drawing it lays out does not fit
(`viz.widget.GraphView`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import autodiff as ad
from viz import dot as dotlib
from viz import levels as levelslib
from viz.levels import READABLE, Level
from viz.options import DEFAULT, DrawingOptions
from viz.structure import Structure
from viz.system_dot import layout_size

MEASURE_NODES = 600  # graphs up to this many nodes have their levels measured by `dot`
MEASURE_SECONDS = 1.5  # measuring stops after this long (the estimates decide the rest)
DOT_TIMEOUT = 0.5  # seconds for one layout


def opening(
    graph: ad.Graph, structure: Structure, options: DrawingOptions = DEFAULT
) -> tuple[list[Level], int]:
    """The ladder of levels (`viz.levels.ladder`) and the index of the one to open at: the
    first that fits the view at a readable size, measured where it can be (the drawing
    options of `viz.dot.build` change the size a little; `rankdir`, `folded`, `collapse` and
    `detail` choose the ladder as `viz.levels.ladder` takes them)."""
    levels, first = levelslib.opening(graph, structure, options)
    if len(graph.nodes) > MEASURE_NODES:
        return levels, first
    deadline = time.perf_counter() + MEASURE_SECONDS
    directions = [options.rankdir] if options.rankdir else ["LR", "TB"]
    for k, level in enumerate(levels):
        best: tuple[float, Level] | None = None
        for direction in directions:
            candidate = replace(level, rankdir=direction)
            source = dotlib.build(graph, candidate, options, structure=structure).source
            size = layout_size(source, DOT_TIMEOUT)
            if size is None or time.perf_counter() > deadline:
                return levels, max(first, k)  # no `dot`, or out of time: the estimates
            zoom = levelslib.zoom(size)
            if best is None or zoom > best[0]:
                best = (zoom, candidate)
        levels[k] = best[1]
        if best[0] >= READABLE:
            return levels, k
    return levels, len(levels) - 1
