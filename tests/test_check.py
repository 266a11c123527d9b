""" "Check this gradient" (viz/check.py and the widget's request), the details panel's "Why?"
line, and quiz mode's questions and answers."""

from __future__ import annotations

import json
import re

import numpy as np

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
        r"largest relative error \S+: the gradient agrees \(tolerance 1e-05 for "
        r"float64\)",
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
