""" "Check this gradient" (viz/check.py and the widget's request), the details panel's "Why?"
line, and quiz mode's questions and answers."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from models import backprop_ninja

import autodiff as ad
import viz
from viz import check
from viz.explore import backward_steps_payload


def graph_of_a_layer() -> ad.Graph:
    rng = np.random.default_rng(0)
    x = ad.constant(rng.standard_normal((3, 4)), dtype=ad.float64, name="x")
    w = ad.Variable(rng.standard_normal((4, 5)), dtype=ad.float64, name="w")
    with ad.GradientTape(persistent=True) as tape:
        loss = ad.reduce_sum(ad.tanh(x @ w) ** 2, name="loss")
    return tape.graph(loss)


def errors(lines: list[str]) -> list[float]:
    return [float(line.split()[-1]) for line in lines[2:-1]]


def test_a_leaf_gradient_agrees_with_central_differences() -> None:
    graph = graph_of_a_layer()
    w = graph["w"].id
    lines = check.check_gradient(graph, w)
    assert lines[0] == "Central differences, replaying the graph: 12 of 20 elements"
    assert len(errors(lines)) == 12 and max(errors(lines)) < 1e-6  # float64
    assert re.fullmatch(
        r"largest relative error \S+: the gradient agrees \(tolerance "
        r"\|tape − numerical\| ≤ \S+ \+ 0\.001·\|numerical\| for float64\)",
        lines[-1],
    )
    # the sample holds the largest gradients
    biggest = np.unravel_index(np.argmax(np.abs(graph.nodes[w].grad)), (4, 5))
    assert any(line.startswith(str(list(map(int, biggest)))) for line in lines[2:-1])


def test_a_wrong_gradient_is_reported_as_disagreeing() -> None:
    @ad.custom_gradient
    def wrong_square(x):
        return x * x, lambda g: g * x  # forgets the factor 2

    x = ad.Variable([1.0, 2.0, 3.0], dtype=ad.float64, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(wrong_square(x))
    lines = check.check_gradient(tape.graph(y), 0)
    assert max(errors(lines)) == 0.5  # tape x, numerical 2x
    assert "DISAGREES" in lines[-1]


@pytest.mark.parametrize("dtype", [ad.float32, ad.float64])
def test_a_wrong_gradient_disagrees_in_either_precision(dtype) -> None:
    @ad.custom_gradient
    def wrong_tanh(x):
        y = ad.tanh(x)
        return y, lambda g: g * (1 - y)  # should be 1 - y²

    x = ad.Variable([0.3, -0.2, 0.1, 0.05], dtype=dtype, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(wrong_tanh(x) * [1.0, 2.0, 3.0, 4.0])
    lines = check.check_gradient(tape.graph(y), 0)
    assert "DISAGREES (4 of 4 elements)" in lines[-1]


def test_correct_float32_gradients_of_the_backprop_ninja_graph_all_agree() -> None:
    """In float32, f's rounding over a step of 1e-3 read correct gradients as 3% to 100% off
    (bngain, W1, b2, b1: all DISAGREES); replayed in float64 every leaf agrees."""
    tape, loss = backprop_ninja()
    graph = tape.graph(loss)
    leaves = [n for n in graph.leaves() if check.checkable(graph, n)]
    assert len(leaves) == 7 and all(n.dtype == np.float32 for n in leaves)
    for leaf in leaves:
        lines = check.check_gradient(graph, leaf.id)
        assert lines[0].startswith("Central differences, replaying the graph in float64: 12 of")
        assert "the gradient agrees" in lines[-1], (leaf.name, lines)
        assert max(errors(lines)) < 1e-3
    # the float64 differences are those of the lecture's float64 twin, to rounding
    wide = graph.astype(np.float64)
    assert wide.nodes[wide.target].dtype == np.float64
    assert wide.nodes[wide.target].value == pytest.approx(float(loss.numpy()), rel=1e-6)


def test_a_graph_that_casts_is_checked_in_its_own_precision_and_says_so() -> None:
    x = ad.Variable([0.5, 1.5], dtype=ad.float32, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(ad.cast(x * x, ad.float32) * 3.0)
    lines = check.check_gradient(tape.graph(y), 0)
    assert lines[0].startswith("Central differences, replaying the graph in float32 (an op casts")
    assert "the gradient agrees" in lines[-1]


def test_what_cannot_be_checked_says_why() -> None:
    graph = graph_of_a_layer()
    unwatched = check.check_gradient(graph, graph["x"].id)
    assert unwatched[0].startswith("The gradient of 'x' is None")
    matmul = next(n.id for n in graph.nodes if n.op == "matmul")
    assert (
        "only leaves (variables, watched tensors) can be nudged"
        in (check.check_gradient(graph, matmul)[0])
    )


def test_the_widget_checks_on_request_and_explains_none() -> None:
    x = ad.Variable(2.0, name="x")
    c = ad.constant(3.0, name="c")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.square(x * c, name="y")
    explorer = viz.explore(tape, y)
    view = explorer.view
    assert view.details["n0"]["checkable"] and not view.details["n1"]["checkable"]
    assert view.details["n1"]["lines"][-1].startswith("Why? The gradient of 'c' is None")
    view._on_message(view, {"check": "n0"}, [])  # what the browser's button sends
    result = view.details["n0"]["check"]
    assert result[2].split()[:3] == ["(scalar)", "36", "36"]  # 2·(x·c)·c = 36
    explorer.sliders[0][1].value = 1.0  # new values: the old check is gone
    assert "check" not in view.details["n0"]


def test_quiz_steps_ask_for_the_gradient_arriving_and_hide_it_in_the_panel() -> None:
    x = ad.Variable([1.0, 2.0], name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(ad.square(x, name="sq"), name="total")
    graph = tape.graph(y)
    steps = backward_steps_payload(graph, quiz=True)
    assert steps[2]["question"] == (
        "Step 2 of 2 · sq = square(x). What gradient arrives here: ∂total/∂sq = ? "
        "Type 2 numbers (shape (2,), row by row)."
    )
    assert steps[2]["answer"] == [1.0, 1.0] and steps[2]["shape"] == [2]
    assert "question" not in backward_steps_payload(graph)[1]
    explorer = viz.explore(tape, y, quiz=True)
    assert explorer.view.quiz and explorer.view.step == 0 and explorer.step.value == 0
    assert explorer.play.layout.display == "none"  # stepping is by the slider, question by question
    assert json.loads(explorer.view.steps)[1]["answer"] == [1.0]
    panel = explorer.view.details["n0"]["lines"]
    assert "hidden in quiz mode: the backward steps reveal it" in panel
    assert not explorer.view.details["n0"]["checkable"]
    explorer.view.quiz_answers = {"1": {"tries": 1, "right": True, "revealed": True}}
    explorer.sliders[0][1].value = 3.0  # new values, new answers: the quiz starts again
    explorer._steps_at_rest.now()
    assert explorer.view.quiz_answers == {}
