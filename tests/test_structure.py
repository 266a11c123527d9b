"""Big graphs before layout: scopes and repeated blocks found, folded, shared leaves copied.

Checked on what the DOT draws (parsed by Graphviz itself where it matters) and on the plan
that maps every graph node to the elements that show it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import models
import numpy as np
import pytest

import autodiff as ad
import viz
from viz import dot as dotlib
from viz import plan as plan_module
from viz.levels import Level
from viz.options import DrawingOptions
from viz.plan import COPY_MIN, REST, plan
from viz.structure import analyse
from viz.widget import GraphView, magnitudes


def rnn(steps: int = 30, scoped: bool = False) -> ad.Graph:
    rng = np.random.default_rng(0)
    w = ad.Variable(rng.standard_normal((4, 4)).astype(np.float32) * 0.5, name="W")
    u = ad.Variable(rng.standard_normal((3, 4)).astype(np.float32) * 0.5, name="U")
    with ad.GradientTape() as tape:
        h = ad.zeros((1, 4), name="h0")
        for t in range(steps):
            x = ad.constant(rng.standard_normal((1, 3)).astype(np.float32), name=f"x{t}")
            if scoped:
                with ad.name_scope(f"step{t}"):
                    h = ad.tanh(h @ w + x @ u)
            else:
                h = ad.tanh(h @ w + x @ u)
        loss = ad.reduce_sum(h, name="loss")
    return tape.graph(loss)


def repeats(graph: ad.Graph) -> list:
    return [c for c in analyse(graph).containers.values() if c.kind == "repeat"]


@pytest.mark.parametrize("scoped", [False, True])
def test_the_time_steps_of_an_rnn_are_one_run_of_30_blocks(scoped: bool) -> None:
    graph = rnn(scoped=scoped)
    (run,) = repeats(graph)
    assert run.blocks == 30  # all of them: the first step reads h0 instead of a tanh
    assert run.block_ops == ("matmul", "matmul", "add", "tanh")
    tanhs = [n.id for n in graph.nodes if n.op == "tanh"]
    assert run.block_outputs == tanhs
    # every op of the steps is inside, and so is each step's own input x_t (read once)
    inside = set(run.nodes)
    assert all(n.id in inside for n in graph.nodes if n.op in ("matmul", "add", "tanh"))
    assert all(n.id in inside for n in graph.nodes if n.name.startswith("x"))
    assert not {graph["W"].id, graph["U"].id, graph.target} & inside
    if scoped:  # the scopes of the steps nest inside the run
        scopes = [c for c in analyse(graph).containers.values() if c.kind == "scope"]
        assert len(scopes) == 30 and all(c.parent == run.key for c in scopes)


def test_no_run_without_repetition_and_layers_of_other_shapes_are_not_a_run() -> None:
    tape, loss = models.mlp_step()
    assert repeats(tape.graph(loss)) == []
    tape, loss = models.deep_scoped_chain(5)
    (run,) = repeats(tape.graph(loss))
    assert run.blocks == 5 and run.block_ops == ("matmul", "add", "tanh")


def test_an_rnn_opens_folded_and_readable() -> None:
    graph = rnn()
    diagram = viz.draw(graph)
    (run,) = repeats(graph)
    assert unfolded_lines(diagram.folded) == {run.key}
    assert diagram.level.detail == "full"  # folded, the run leaves room for every number
    drawn = diagram.drawing
    shown = {f"n{graph['W'].id}", f"n{graph['U'].id}", "g1", f"n{graph.target}"}
    assert set(drawn.plan.placement) == shown
    # the folded run shows its last step's value and gradient, and the gradient's trend
    assert drawn.plan.outputs["g1"] == [run.block_outputs[-1]]
    trend = drawn.cells[dotlib.trend_id(run)]
    logs = [np.log10(np.sqrt(np.mean(graph.nodes[i].grad ** 2))) for i in run.block_outputs]
    assert trend["pic"]["kind"] == "line" and trend["pic"]["n"] == 30
    assert trend["pic"]["data"] == pytest.approx(logs, abs=0.01)
    assert logs[0] < logs[-1] - 3  # this RNN's gradients vanish back through time
    assert trend["lines"][0].replace("\u00a0", " ") == (
        f"log10|grad| per block: {logs[0]:.1f} at block 1 … {logs[-1]:.1f} at block 30"
    )
    assert trend["pic"]["nonfinite"] == 0


def test_a_run_whose_early_gradients_underflow_to_zero_says_so() -> None:
    tape, loss = models.deep_scoped_chain(200)  # w = 0.5 I: the gradient halves, then is 0
    graph = tape.graph(loss)
    (run,) = repeats(graph)
    sizes = [
        np.sqrt(np.mean(graph.nodes[i].grad.astype(np.float64) ** 2)) for i in run.block_outputs
    ]
    zeros = sum(size == 0 for size in sizes)
    first = next(k for k, size in enumerate(sizes) if size > 0)
    assert zeros > 0 and first == zeros  # the earliest blocks get exactly 0
    trend = dotlib.trend_cell(graph, run)
    line = trend["lines"][0].replace("\u00a0", " ")
    assert line.startswith(
        f"log10|grad| per block: {np.log10(sizes[first]):.1f} at block {first + 1} … "
    )
    assert line.endswith(f"at block 200 ({zeros} blocks: 0)")
    pic = trend["pic"]
    assert pic["nonfinite"] == 0 and pic["step"] > 1  # 200 blocks: min/max buckets
    gaps = zeros // pic["step"]  # the buckets made only of zeros are gaps
    assert gaps > 0 and pic["data"][:gaps] == [[None, None]] * gaps


def test_unfolded_shared_weights_are_drawn_beside_each_reader() -> None:
    graph = rnn()
    drawn = plan(graph, analyse(graph), folded=())
    w = graph["W"].id
    readers = [n.id for n in graph.nodes if w in n.inputs]
    assert len(readers) == 30 >= COPY_MIN
    assert drawn.copies[w] == {f"n{r}": f"n{w}~n{r}" for r in readers}
    assert drawn.shown_by(w) == [f"n{w}~n{r}" for r in readers]
    for r in readers:  # each copy has the one edge into its reader, in its reader's cluster
        assert drawn.edges[(f"n{w}~n{r}", f"n{r}")] == [(w, r)]
        assert drawn.placement[f"n{w}~n{r}"] == drawn.placement[f"n{r}"]
    assert f"n{w}" not in drawn.placement  # the original is not drawn
    # a leaf read twice is drawn once, with its two edges
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape() as tape:
        f = x * x + x
    twice = tape.graph(f)
    assert plan(twice, analyse(twice)).copies == {}


def test_every_copy_shows_the_same_cells_and_ids_reach_the_svg() -> None:
    graph = rnn(steps=4)
    diagram = viz.draw(graph, folded=[], detail="full")
    ids = {el.get("id") for el in ET.fromstring(diagram.svg()).iter() if el.get("id")}
    w = graph["W"].id
    readers = [n.id for n in graph.nodes if w in n.inputs]
    for r in readers:
        assert {f"a_n{w}-value~n{w}~n{r}", f"n{w}~n{r}", f"e{w}~n{r}-{r}"} <= ids


def unfolded_lines(folded: Iterable[str]) -> set[str]:
    """The folded containers that are not lines of code."""
    return {key for key in folded if not key.startswith("line:")}


def test_fold_state_is_chosen_to_fit_and_can_be_given() -> None:
    tape, loss = models.mlp_step()
    graph = tape.graph(loss)
    # the MLP fits whole with compact nodes, nothing folded, read top to bottom
    assert viz.draw(graph).level == Level("compact", frozenset(), "TB")
    assert viz.draw(graph, folded=[]).folded == frozenset()
    scopes = {"scope:layer1", "scope:layer2", "scope:layer3", "scope:loss"}
    assert viz.draw(graph, collapse=0).folded == scopes
    seed = models.shared_chain(1)
    assert viz.draw(seed[0].graph(seed[1])).folded == frozenset()  # small: nothing folded
    # a fold state survives as keys: the same keys fold the same containers again
    again = viz.draw(graph, folded=["scope:layer2"])
    assert again.folded == {"scope:layer2"}
    assert "g" in "".join(again.drawing.plan.groups)


def test_widget_folds_and_unfolds_when_the_browser_says_so() -> None:
    graph = rnn()
    view = GraphView()
    view.show_graph(graph)
    (run,) = repeats(graph)
    assert unfolded_lines(view.folded) == {run.key}
    assert view.drawn["groups"]["g1"]["key"] == run.key
    assert sorted(view.drawn["groups"]["g1"]["members"]) == sorted(run.nodes)
    folded_dot, folded = view.dot, list(view.folded)
    view.folded = []  # the browser: a click on the ×30 node
    assert view.dot != folded_dot and view.drawn["groups"] == {}
    assert view.drawn["copied"] == sorted([graph["W"].id, graph["U"].id])
    w = graph["W"].id
    assert view.dot.count(f"n{w}~") >= 30
    view.folded = [*folded, "scope:no-such-scope"]  # unknown keys are ignored
    assert view.dot == folded_dot


def test_magnitudes_colour_the_drawn_elements_by_gradient_size() -> None:
    graph = rnn(steps=5)
    view = GraphView(color_by="grad")
    view.show_graph(graph, DrawingOptions(folded=[]))
    m = view.magnitudes
    target = f"n{graph.target}"
    assert m["nodes"][target] == pytest.approx(1.0)
    first_tanh = next(n for n in graph.nodes if n.op == "tanh")
    rms = float(np.sqrt(np.mean(first_tanh.grad.astype(np.float64) ** 2)))
    assert m["nodes"][f"n{first_tanh.id}"] == pytest.approx(rms)
    reader = next(n.id for n in graph.nodes if first_tanh.id in n.inputs)
    assert m["edges"][f"e{first_tanh.id}-{reader}"] == pytest.approx(rms)  # its only reader
    # the copies of W: each shows what its own time step sends W, the first the smallest
    w = graph["W"].id
    steps = {s.node: s for s in graph.backward_steps()}
    readers = [n.id for n in graph.nodes if w in n.inputs]
    sent = [
        float(np.sqrt(np.mean(steps[r].contributions[w].astype(np.float64) ** 2))) for r in readers
    ]
    assert [m["nodes"][f"n{w}~n{r}"] for r in readers] == pytest.approx(sent)
    assert [m["edges"][f"e{w}~n{r}-{r}"] for r in readers] == pytest.approx(sent)
    assert sent[0] < sent[-1]
    view.color_by = ""
    assert view.magnitudes == {}
    assert magnitudes(graph, view.drawing)["nodes"][target] == pytest.approx(1.0)


def test_a_huge_unstructured_graph_draws_the_part_nearest_the_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plan_module, "MAX_DRAWN", 40)
    rng = np.random.default_rng(0)
    x = ad.Variable(np.ones(3, np.float32), name="x")
    unary = [ad.tanh, ad.sin, ad.cos, ad.square, ad.exp]
    with ad.GradientTape() as tape:
        ys = [x]
        for _ in range(200):  # little repeated structure and no scopes: it stays big
            ys.append(unary[rng.integers(len(unary))](ys[-1 - int(rng.integers(min(3, len(ys))))]))
        loss = ad.reduce_sum(ad.stack(ys[-10:]), name="loss")
    graph = tape.graph(loss)
    drawing = dotlib.build(graph, Level("full", frozenset(), "LR"))
    drawn = drawing.plan
    assert len(set(drawn.element)) == 40 + 1  # 40 elements, and the one that stands for the rest
    rest = drawn.groups[REST]
    assert len(rest.nodes) == sum(e == REST for e in drawn.element) > 20
    assert drawn.element[graph.target] == f"n{graph.target}"
    # what is kept is what the target reads most directly: every input of the target is drawn
    assert all(drawn.element[i] != REST for i in graph.nodes[graph.target].inputs)
    assert "more nodes" in drawing.source
    assert len(drawing.drawn["names"]) == len(graph.nodes)  # search still finds every node
    view = GraphView()
    view.show_graph(graph, DrawingOptions(folded=[]))
    assert view.details[REST]["title"] == f"{len(rest.nodes):,} more nodes"


def test_gradient_sizes_that_are_not_finite_are_left_out_of_the_colours() -> None:
    x = ad.Variable([0.0, 4.0], name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(ad.sqrt(x), name="y")  # d sqrt / dx at 0 is inf
    view = GraphView(color_by="grad")
    view.show_graph(tape.graph(y))
    sizes = view.magnitudes
    assert f"n{tape.graph(y)['x'].id}" not in sizes["nodes"]  # its gradient holds inf
    assert sizes["nodes"][f"n{tape.graph(y).target}"] == 1.0
    json.dumps(sizes, allow_nan=False)  # what a kernel message can carry


def _has_cycle(edges: Iterable[tuple[str, str]]) -> bool:
    following: dict[str, set[str]] = {}
    for tail, head in edges:
        following.setdefault(tail, set()).add(head)
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in following.get(node, ()):
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in list(following))


def test_a_scope_entered_again_is_a_container_of_its_own_and_folds_without_a_cycle() -> None:
    """`a`, then `b`, then `a` again: one container for both entries of `a` would hold b's
    input and its output, so folding both drew a ⇄ b."""
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        with ad.name_scope("a"):
            y = ad.square(x, name="y")
            c = ad.constant(4.0)
        with ad.name_scope("b"):
            z = ad.multiply(y, 3.0, name="z")
        with ad.name_scope("a"):
            with ad.name_scope("inner"):
                u = ad.add(z, c, name="u")
            out = ad.tanh(u, name="out")
    graph = tape.graph(out)
    structure = analyse(graph)
    scopes = {k: c for k, c in structure.containers.items() if c.kind == "scope"}
    assert set(scopes) == {"scope:a", "scope:b", "scope:a#2", "scope:a#2/inner"}
    assert scopes["scope:a#2"].title == "a#2" and scopes["scope:a#2/inner"].parent == "scope:a#2"
    assert structure.home[graph["y"].id] == "scope:a"
    assert structure.home[graph["out"].id] == "scope:a#2"
    assert structure.home[graph["u"].id] == "scope:a#2/inner"
    assert graph["out"].scope == "a"  # the graph itself keeps the scope as recorded
    # the constant made in `a`'s first entry, read in the second: its reader's entry
    read_c = next(n for n in graph.nodes if n.kind == "constant" and float(n.value) == 4.0)
    assert structure.home[read_c.id] == "scope:a#2/inner"
    for folded in (["scope:a", "scope:b", "scope:a#2"], ["scope:a", "scope:a#2"]):
        drawn = plan_module.plan(graph, structure, folded)
        assert not _has_cycle(drawn.edges), drawn.edges
    drawn = plan_module.plan(graph, structure, ["scope:a", "scope:b", "scope:a#2"])
    assert sorted(drawn.groups) == sorted(f"g{structure.number[k]}" for k in scopes if "/" not in k)
    viz.draw(graph, folded=["scope:a", "scope:a#2"])  # draws


def test_a_scope_entered_in_a_loop_keeps_its_steps_apart_inside_one_run() -> None:
    """Entries with ops between them are apart; entries back to back (nothing recorded
    between) cannot be told apart by the recorded scopes, and stay one container."""
    w = ad.Variable(0.5, name="w")
    with ad.GradientTape(persistent=True) as tape:
        h = ad.constant(1.0, name="h0")
        for _ in range(6):
            with ad.name_scope("cell"):
                h = ad.tanh(h * w)
            h = h + 0.1
        loss = ad.square(h, name="loss")
    structure = analyse(tape.graph(loss))
    keys = [k for k, c in structure.containers.items() if c.kind == "scope"]
    assert sorted(keys) == sorted(["scope:cell"] + [f"scope:cell#{k}" for k in range(2, 7)])
    (run,) = [c for c in structure.containers.values() if c.kind == "repeat"]
    assert run.blocks == 6 and all(structure.containers[k].parent == run.key for k in keys)
    with ad.GradientTape(persistent=True) as tape:
        h = ad.constant(1.0, name="h0")
        for _ in range(6):
            with ad.name_scope("cell"):
                h = ad.tanh(h * w)
        loss = ad.square(h, name="loss")
    structure = analyse(tape.graph(loss))
    assert [k for k, c in structure.containers.items() if c.kind == "scope"] == ["scope:cell"]
