"""The level of detail a diagram opens at (viz.levels, viz.fit) and the lines of code it
folds (viz.lines): the most detailed level whose layout fits the view at a readable size."""

from __future__ import annotations

import re

import models
import numpy as np
import pytest

import autodiff as ad
import viz
from viz import dot as dotlib
from viz import fit, levels, lines
from viz.levels import READABLE, Level
from viz.plan import plan
from viz.structure import analyse
from viz.system_dot import layout_size


def lecture_diagram(**options: object) -> viz.Diagram:
    """The backprop-ninja lecture drawn from its own namespace, as a notebook would."""
    namespace = models.ninja_namespace()
    namespace["options"] = options
    exec("import viz\n_d = viz.draw(tape, target=loss, **options)", namespace)
    return namespace["_d"]


def test_each_line_of_the_lecture_is_one_node_titled_by_its_code() -> None:
    diagram = lecture_diagram()
    assert diagram.level.detail == "compact" and diagram.level.rankdir == "TB"
    titles = {c.title for c in diagram.structure.containers.values() if c.kind == "line"}
    assert {
        "hprebn = embcat @ W1 + b1",
        "bnvar = 0.03226 * reduce_sum(bndiff2)",
        "bnvar_inv = (bnvar + 1e-05) ** -0.5",
        "bndiff2 = bndiff ** 2",
        "counts_sum_inv = counts_sum ** -1",
        "loss = -reduce_mean(logprobs[…])",
    } <= titles
    # every line of the lecture is one drawn element; the parameters stay leaves of their own
    drawn = diagram.drawing.plan
    elements = set(drawn.element)
    assert len(elements) == 20 + 7  # 20 lines of code, 7 parameters
    graph = diagram.graph
    for name in ("bnvar", "counts_sum_inv", "logits", "h", "W1", "bngain"):
        assert drawn.element[graph[name].id] in elements


def test_a_line_never_crosses_a_scope_or_a_run_and_never_is_empty() -> None:
    tape, loss = models.mlp_step()
    graph = tape.graph(loss)
    structure = analyse(graph)
    found = [c for c in structure.containers.values() if c.kind == "line"]
    assert found and all(len(c.nodes) >= 2 for c in found)
    for c in found:
        scopes = {graph.nodes[i].scope for i in c.nodes if graph.nodes[i].kind == "op"}
        assert len(scopes) == 1
    x = ad.Variable(np.ones(3, np.float32), name="x")
    with ad.GradientTape() as t:
        y = x
        for _ in range(20):  # an unnamed chain: cut into lines of at most MAX_MEMBERS
            y = ad.sin(y)
    chain = t.graph(y)
    cut = [c for c in analyse(chain).containers.values() if c.kind == "line"]
    assert cut and max(len(c.nodes) for c in cut) == lines.MAX_MEMBERS + 1


def test_expressions_keep_the_order_of_operations() -> None:
    a = ad.Variable(2.0, name="a")
    b = ad.Variable(3.0, name="b")
    with ad.GradientTape() as tape:
        y = (a - b) - (a * (b + a)) / b**2
    graph = tape.graph(y).renamed({y: "y"})
    (line,) = [c for c in analyse(graph).containers.values() if c.kind == "line"]
    assert line.title == "y = a - b - a * (b + a) / b ** 2"


@pytest.mark.parametrize(
    ("model", "detail", "folds"),
    [
        ("seed", "full", False),  # small: every number
        ("mlp", "compact", False),  # 19 nodes: one row each, nothing folded
        ("rnn", "full", True),  # 154 nodes: the 30 steps folded, every number shown
    ],
)
def test_the_most_detailed_level_that_fits_is_chosen(model: str, detail: str, folds: bool) -> None:
    tape, loss = {
        "seed": models.shared_chain(1),
        "mlp": models.mlp_step(),
        "rnn": models.rnn_unrolled(),
    }[model]
    diagram = viz.draw(tape, target=loss)
    assert diagram.level.detail == detail
    assert bool({k for k in diagram.folded if not k.startswith("line:")}) == folds
    size = layout_size(diagram.source, 5.0)  # the level chosen fits (measured by dot)
    assert size is not None and levels.zoom(size) >= READABLE
    # and the one before it in the ladder does not
    ladder = diagram._levels
    if diagram._first > 0:
        graph, structure = diagram.graph, diagram.structure
        for direction in ("LR", "TB"):
            before = Level(
                ladder[diagram._first - 1].detail, ladder[diagram._first - 1].folded, direction
            )
            source = dotlib.build(graph, before, structure=structure).source
            assert levels.zoom(layout_size(source, 5.0)) < READABLE


def test_without_dot_the_estimates_choose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fit, "layout_size", lambda source, timeout: None)
    tape, loss = models.mlp_step()
    graph = tape.graph(loss)
    structure = analyse(graph)
    ladder, first = fit.opening(graph, structure)
    assert (ladder, first) == levels.opening(graph, structure)
    level = ladder[first]
    sizes = levels.label_sizes(graph, level.detail)
    size = levels.estimate(
        graph, plan(graph, structure, level.folded), sizes, level.detail, level.rankdir
    )
    assert levels.zoom(size) >= READABLE or first == len(ladder) - 1


@pytest.mark.parametrize("shape", [(2, 12, 12, 8), (2, 6, 6, 4), (4, 28, 28, 16)])
def test_the_estimate_of_a_full_node_with_feature_maps_is_as_tall_as_its_maps(
    shape: tuple[int, ...],
) -> None:
    """A 4-D NHWC value and its gradient are grids of maps (viz.pictures): the estimate of
    its full node counts their height (and a histogram's would not)."""
    x = ad.Variable(np.random.default_rng(0).standard_normal(shape))
    with ad.GradientTape() as tape:
        y = ad.reduce_sum(x * x)
    graph = tape.graph(y)
    estimated = levels.label_sizes(graph, "full")[0][1]
    maps = viz.pictures.box(viz.pictures.picture(x.numpy()))
    assert viz.pictures.maps_box(shape) == maps
    laid_out = 36 + 2 * (12.5 + maps[1])  # title and meta, then value and gradient
    assert abs(estimated - laid_out) <= 12.5, (estimated, laid_out)


def test_direction_detail_and_folds_can_be_given() -> None:
    tape, loss = models.mlp_step()
    assert viz.draw(tape, target=loss, rankdir="LR").level.rankdir == "LR"
    assert viz.draw(tape, target=loss, detail="full").level.detail == "full"
    full = viz.draw(tape, target=loss, detail="full", folded=[])
    assert full.level == Level("full", frozenset(), full.level.rankdir)
    with pytest.raises(ValueError, match="detail must be 'full', 'compact' or None"):
        viz.draw(tape, target=loss, detail="tiny")
    with pytest.raises(
        ValueError, match=re.escape("duplicates draw's own argument; give rankdir=")
    ):
        viz.draw(tape, target=loss, graph_attr={"rankdir": "TB"})
