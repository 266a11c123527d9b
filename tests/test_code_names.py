"""Nodes named like the code (viz/code_names.py, `ad.Graph.renamed`, `Node.named`): the Python
names that hold the tensors where the diagram is drawn title the nodes, in search, captions,
panels and the graph's labels; an explicit `name=` wins; `names_from_code=False` turns it off."""

from __future__ import annotations

import json
import sys

import models
import numpy as np
import pytest

import autodiff as ad
import viz
from viz import code_names

LECTURE_NAMES = {
    "emb", "embcat", "hprebn", "bnmeani", "bndiff", "bndiff2", "bnvar", "bnvar_inv", "bnraw",
    "hpreact", "h", "logits", "logit_maxes", "norm_logits", "counts", "counts_sum",
    "counts_sum_inv", "probs", "logprobs", "loss",
}  # fmt: skip


def drawn_in(namespace: dict, call: str) -> object:
    """`call` (e.g. `viz.draw(tape, target=loss)`) run in `namespace`, as a notebook cell."""
    exec(f"import viz\n_result = {call}", namespace)
    return namespace.pop("_result")


@pytest.fixture(scope="module")
def ninja() -> dict:
    return models.ninja_namespace()


def test_the_lecture_graph_is_titled_with_the_lectures_names(ninja: dict) -> None:
    diagram = drawn_in(ninja, "viz.draw(tape, target=loss, detail='full', folded=[])")
    graph = diagram.graph
    assert {n.name for n in graph.nodes if n.kind == "op"} >= LECTURE_NAMES
    bnvar = graph["bnvar"]
    assert bnvar.op == "multiply" and bnvar.named and bnvar.shape == (1, 64)
    assert graph.nodes[graph.target].name == "loss"
    # titles keep the op beside the name, as for an explicit name=
    source = diagram.source
    for name, op in [("bnvar", "multiply"), ("counts_sum_inv", "pow"), ("logits", "add")]:
        assert f"<b>{name}\u00a0<font color=" in source and f">=\u00a0{op}</font>" in source
    # search finds them; the panels say them
    searched = diagram.drawing.drawn["names"]
    assert {"bnvar", "counts_sum_inv", "logits"} <= set(searched)
    details = diagram.widget().details
    assert details[f"n{bnvar.id}"]["title"] == "bnvar · multiply"
    assert details[f"n{graph['bnvar_inv'].id}"]["lines"][0] == "inputs: add, -0.5"
    # the unnamed temporaries keep their op's name (the lecture never names them)
    assert [n.name for n in graph.nodes if n.kind == "op" and not n.named] == [
        "matmul", "reduce_sum", "reduce_sum", "add", "multiply", "matmul", "getitem",
        "reduce_mean",
    ]  # fmt: skip


def test_names_from_code_false_gives_the_ops_names(ninja: dict) -> None:
    diagram = drawn_in(ninja, "viz.draw(tape, target=loss, names_from_code=False)")
    ops = [n.name for n in diagram.graph.nodes if n.kind == "op"]
    assert not LECTURE_NAMES & set(ops)
    assert "multiply#3" in diagram.drawing.drawn["names"]
    assert not any(n.named for n in diagram.graph.nodes if n.kind == "op")
    # the leaves are named by the engine (tape.graph), as before
    assert {"C", "W1", "bngain"} <= {n.name for n in diagram.graph.leaves()}


def test_captions_and_the_explorer_use_the_lectures_names(ninja: dict) -> None:
    explorer = drawn_in(ninja, "viz.explore(tape, loss)")
    captions = [s["caption"] for s in json.loads(explorer.view.steps)[1:]]
    first = {c.splitlines()[0].split(" · ")[1].split(":")[0] for c in captions}
    assert "bnvar = multiply(0.03226, reduce_sum#2)" in first
    assert "counts_sum_inv = pow(counts_sum, -1)" in first
    assert any("→ bndiff2:" in c for c in captions)
    off = drawn_in(ninja, "viz.explore(tape, loss, names_from_code=False)")
    assert "bnvar" not in off.view.steps


def test_an_explicit_name_wins_and_underscore_names_are_skipped() -> None:
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.multiply(x, 3.0, name="product")
        _hidden = ad.square(y)
        __ = z = ad.exp(_hidden)
    graph = viz.draw(tape, target=z).graph
    assert [n.name for n in graph.nodes if n.kind == "op"] == ["product", "square", "z"]
    assert [n.named for n in graph.nodes if n.kind == "op"] == [True, False, True]
    assert y is not None and __ is z


@pytest.mark.parametrize("keepdims", [False, True])
def test_moments_and_batch_norm_are_titled_with_the_callers_names(keepdims: bool) -> None:
    """`mean, variance = ad.nn.moments(...)` titles its two outputs `mean` and `variance`,
    once each (moments names nothing of its own); batch norm names its `inv` and `shift`."""
    x = ad.Variable(np.arange(24.0).reshape(2, 3, 4))
    with ad.GradientTape(persistent=True) as tape:
        mean, variance = ad.nn.moments(x, axes=[0, 1], keepdims=keepdims)
        normed = ad.nn.batch_normalization(x, mean, variance, None, None, 1e-3)
        loss = ad.reduce_sum(normed**2)
    graph = viz.draw(tape, target=loss).graph
    names = [n.name for n in graph.nodes]
    assert names.count("mean") == names.count("variance") == names.count("normed") == 1
    labels = viz.names.labels(graph)
    assert {"mean", "variance", "inv", "shift"} <= set(labels)  # normed = x * inv + shift
    assert not [label for label in labels if label.startswith(("mean#", "variance#"))]


def test_a_name_rebound_in_a_loop_names_only_the_tensor_it_holds_now() -> None:
    w = ad.Variable(0.5, name="w")
    with ad.GradientTape(persistent=True) as tape:
        h = ad.constant(1.0, name="h0")
        for _ in range(3):
            h = ad.tanh(h * w)
        loss = ad.square(h)
    graph = viz.draw(tape, target=loss).graph
    ops = [(n.op, n.name) for n in graph.nodes if n.kind == "op"]
    assert ops == [
        ("multiply", "multiply"), ("tanh", "tanh"), ("multiply", "multiply"), ("tanh", "tanh"),
        ("multiply", "multiply"), ("tanh", "h"), ("square", "loss"),
    ]  # fmt: skip
    labels = viz.draw(tape, target=loss).drawing.drawn["names"]
    assert labels.count("h") == 1 and "tanh#2" in labels


def test_one_tensor_held_by_several_names_takes_the_first_local_before_global() -> None:
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        first = ad.square(x)
        second = first  # bound later: the first name stays
        out = ad.exp(second)
    graph = tape.graph(out)
    names = code_names.code_names(graph, [{"first": first, "second": second}])
    assert names == {graph.ids_of(first)[0]: "first"}
    names = code_names.code_names(graph, [{"b": first}, {"a": first, "out": out}])
    assert sorted(names.values()) == ["b", "out"]  # locals come before globals
    assert code_names.code_names(graph, [{"_": first, "_1": out, "__": out}]) == {}


def test_names_reach_through_a_function_that_calls_draw() -> None:
    """The frame that called into viz, not viz's own frames, and a graph made elsewhere."""
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        activation = ad.tanh(x * 2.0)
    graph = tape.graph(activation)

    def helper(g: ad.Graph) -> viz.Diagram:
        return viz.draw(g)  # `activation` is not here...

    assert helper(graph).graph.nodes[graph.target].name == "tanh"
    assert viz.draw(graph).graph.nodes[graph.target].name == "activation"  # ...but here


def test_explore_of_a_function_takes_the_names_of_its_locals_at_return() -> None:
    def neuron(x: ad.Tensor, w: ad.Tensor) -> ad.Tensor:
        pre = x * w
        act = ad.tanh(pre)
        for _ in range(2):
            act = act * 1.5
        return act + 0.0

    explorer = viz.explore(neuron, x=1.0, w=0.5)
    ops = [n.name for n in explorer.graph.nodes if n.kind == "op"]
    assert ops == ["pre", "tanh", "multiply", "act", "add"]
    explorer.sliders[0][1].value = 2.0  # f re-runs: the same names, no new layout
    assert [n.name for n in explorer.graph.nodes if n.kind == "op"] == ops
    off = viz.explore(neuron, x=1.0, w=0.5, names_from_code=False)
    assert next(n.name for n in off.graph.nodes if n.kind == "op") == "multiply"
    assert sys.getprofile() is None  # the hook is gone once f has returned


def test_the_graph_carries_names_as_data() -> None:
    x = ad.Variable(2.0)
    c = ad.constant([1.0, 2.0])
    with ad.GradientTape(persistent=True) as tape:
        y = ad.multiply(x, 3.0, name="y")
        z = ad.reduce_sum(y * c)
    graph = tape.graph(z)
    assert graph.ids_of(y) == (graph["y"].id,) and graph.ids_of(z) == (graph.target,)
    assert graph.ids_of(ad.constant(1.0)) == () and graph[z].id == graph.target
    assert [n.named for n in graph.nodes] == [True, False, True, True, False, False]  # x, c, y
    renamed = graph.renamed({graph.target: "total", y: "scaled"})
    assert renamed.nodes[graph.target].name == "total" and renamed.nodes[graph.target].named
    assert renamed["scaled"].op == "multiply" and graph["y"].name == "y"  # a new graph
    assert renamed.nodes[graph.target].grad is graph.nodes[graph.target].grad
    replayed = renamed.replay({"x": 4.0})  # names survive a replay
    assert replayed.nodes[graph.target].name == "total"
    np.testing.assert_allclose(replayed.nodes[graph.target].value, 36.0)
    with pytest.raises(TypeError, match="non-empty str"):
        graph.renamed({0: ""})
    with pytest.raises(ValueError, match="no node with id 99"):
        graph.renamed({99: "a"})


def test_a_leaf_held_by_two_names_takes_the_first_as_an_intermediate_does() -> None:
    weight = ad.Variable(1.5)
    alias = weight
    with ad.GradientTape(persistent=True) as tape:
        y = alias * 2.0
    assert tape.graph(y).leaves()[0].name == "weight"
    assert viz.draw(tape, target=y).graph.leaves()[0].named
