"""Deep graphs, big exports, warnings and what the visualizer keeps (issue 27).

`Graph.explain` and the visualizer's walks are iterative (graphs past the recursion limit);
explaining every node of a graph, as `export_html` does, finds the graph's facts once (linear
in its size); no forward op warns (TensorFlow's policy: the value says inf or nan);
`Explorer.close()` closes every widget it made, and a loop of explores holds memory flat.
"""

from __future__ import annotations

import gc
import sys
import threading
import tracemalloc
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from ipywidgets.widgets import widget as ipywidget

import autodiff as ad
import viz
from autodiff import explain as explain_module
from viz.widget import node_details

DEEP = max(3 * sys.getrecursionlimit(), 3_000)  # ops: past any recursive walk


def _chain(
    n: int, start: Callable = lambda x: x * 1.0, end: Callable = lambda y: y * 1.0
) -> tuple[ad.Graph, ad.Variable]:
    """`start(x)`, then `n` ops of slope 1 (multiply by 1, add), then `end` of that."""
    x = ad.Variable(0.5, name="x")
    with ad.GradientTape() as tape:
        y = start(x)
        for _ in range(n // 2):
            y = y * 1.0 + 0.1
        y = end(y)
    return tape.graph(y), x


def _saturate(y: ad.Tensor) -> ad.Tensor:
    return ad.tanh(y - float(y.numpy()) + 4.5)  # slope 1 - tanh(4.5)² = 5e-4


# ============================================================================ deep graphs
@pytest.mark.parametrize(
    ("end", "words"),
    [
        (lambda y: ad.relu(y * 0.0 - 1.0), "is zero: the relu passed no gradient back"),
        (lambda y: ad.stop_gradient(y) * 2.0, "every path from it to"),
        (_saturate, "is small: the tanh on the way is saturated"),
    ],
    ids=["blocked", "stopped", "saturated"],
)
def test_explain_past_the_recursion_limit(end: Callable, words: str) -> None:
    """The op that explains x's gradient is at the far end of a chain deeper than Python's
    recursion limit (the walks that found it were recursive)."""
    graph, _ = _chain(DEEP, end=end)
    assert len(graph) > DEEP
    assert words in graph.explain("x")


def test_explain_gives_the_same_sentences_on_a_short_and_a_deep_graph() -> None:
    def sentences(n: int) -> list[str]:
        graph, _ = _chain(n, lambda x: ad.relu(x * 0.0 - 1.0) + ad.stop_gradient(x), _saturate)
        return [graph.explain(i).replace(f"'{graph.nodes[-1].name}'", "T") for i in range(6)]

    assert sentences(10) == sentences(DEEP)


def test_draw_and_explore_a_deep_graph() -> None:
    graph, _ = _chain(DEEP, end=lambda y: ad.relu(y * 0.0 - 1.0))
    assert viz.draw(graph).source
    explorer = viz.explore(graph)
    try:
        x = graph["x"].id
        details = node_details(graph, nodes=[x])  # the node panel
        assert any("the relu passed no gradient" in line for line in details[f"n{x}"]["lines"])
    finally:
        explorer.close()


# ============================================================================ linear exports
def test_explaining_every_node_finds_the_graphs_facts_once(monkeypatch: Any) -> None:
    """What made `export_html` quadratic: each explanation rebuilt the consumers, the
    backward steps and walked the graph. Now a graph's facts are found once."""
    made, steps = [], []
    facts_init, backward_steps = explain_module.Facts.__init__, ad.Graph.backward_steps
    monkeypatch.setattr(
        explain_module.Facts, "__init__", lambda self, g: (made.append(1), facts_init(self, g))[1]
    )
    monkeypatch.setattr(
        ad.Graph, "backward_steps", lambda self: (steps.append(1), backward_steps(self))[1]
    )
    graph, _ = _chain(400, lambda x: ad.relu(x * 0.0 - 1.0) + ad.stop_gradient(x * 2.0))
    details = node_details(graph, kernel=False)
    explained = sum(any(line.startswith("Why?") for line in d["lines"]) for d in details.values())
    assert explained > 300
    assert len(made) == 1 and len(steps) <= 1


def test_each_node_is_searched_once_whatever_the_number_of_explanations() -> None:
    graph, _ = _chain(600, lambda x: ad.relu(x * 0.0 - 1.0))
    looks = []
    original = explain_module._blocker_look

    def counted(facts: Any, c: int) -> Any:
        looks.append(c)
        return original(facts, c)

    explain_module._blocker_look = counted
    try:
        for node in graph.nodes:
            graph.explain(node.id)
    finally:
        explain_module._blocker_look = original
    assert 0 < len(looks) <= sum(len(n.inputs) for n in graph.nodes)


# ============================================================================ warnings
BIG = np.float32(3e38)
FORWARDS = {
    "multiply": lambda: ad.constant(BIG) * BIG,
    "add": lambda: ad.constant(BIG) + BIG,
    "subtract": lambda: ad.constant(-BIG) - BIG,
    "square": lambda: ad.square(ad.constant(BIG)),
    "matmul": lambda: ad.matmul(ad.constant([[BIG]]), ad.constant([[BIG]])),
    "reduce_sum": lambda: ad.reduce_sum(ad.constant([BIG, BIG])),
    "reduce_mean": lambda: ad.reduce_mean(ad.constant([BIG, BIG])),
    "reduce_prod": lambda: ad.reduce_prod(ad.constant([BIG, BIG])),
    "sin": lambda: ad.sin(ad.constant(np.inf)),
    "cos": lambda: ad.cos(ad.constant([np.inf])),
    "tan": lambda: ad.tan(ad.constant(np.inf)),
    "cast": lambda: ad.cast(ad.constant([np.nan, np.inf]), ad.int32),
    "exp": lambda: ad.exp(ad.constant(1e3)),
    "log": lambda: ad.log(ad.constant([0.0, -1.0])),
    "divide": lambda: ad.constant([0.0, 1.0]) / 0.0,
    "pow": lambda: ad.pow(ad.constant(-1.0), 0.5),
    "sqrt": lambda: ad.sqrt(ad.constant(-1.0)),
    "inf - inf": lambda: ad.constant(np.inf) - np.inf,
    "np.multiply": lambda: np.multiply(ad.constant([BIG]), BIG),
}


@pytest.mark.parametrize("name", sorted(FORWARDS))
def test_no_forward_op_warns_the_value_says_inf_or_nan(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ad.GradientTape():
            result = FORWARDS[name]()
        FORWARDS[name]()  # outside a tape too
    assert not np.all(np.isfinite(result.numpy())) or name == "cast"


def test_no_forward_op_warns_in_threads_running_at_once() -> None:
    """Each thread runs forwards in its own quiet context (NumPy releases the GIL on large
    arrays, so two threads are inside forwards at once)."""
    results: list[ad.Tensor] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                results.append(ad.constant(np.full(20_000, BIG)) * BIG)
        except BaseException as e:
            errors.append(e)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors and len(results) == 800
    assert np.isinf(results[-1].numpy()).all()


def test_the_policy_stays_with_the_engine() -> None:
    """NumPy's settings outside the engine are the user's: unchanged, and still warning."""
    before = np.geterr()
    ad.constant(BIG) * BIG
    assert np.geterr() == before
    with warnings.catch_warnings(), pytest.raises(RuntimeWarning):
        warnings.simplefilter("error")
        np.float32(3e38) * np.float32(3e38)


def test_explore_of_a_second_order_graph_with_relu_does_not_warn() -> None:
    x = ad.Variable([1.0, -2.0], name="x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ad.GradientTape(persistent=True) as outer:
            with ad.GradientTape() as inner:
                y = ad.reduce_sum(ad.relu(x) * x + ad.where(x > 0, x, -x))
            g = ad.reduce_sum(inner.gradient(y, x) ** 2)
        explorer = viz.explore(outer, g)
        for step in range(explorer.step.max + 1):
            explorer.step.value = step
    explorer.close()


# ============================================================================ leaks
def _explore_once() -> weakref.ref:
    explorer = viz.explore(lambda x: ad.tanh(x * 2.0) + x, x=1.0)
    explorer.close()
    return weakref.ref(explorer)


def test_close_closes_every_widget_the_explorer_made_and_frees_it() -> None:
    _explore_once()
    gc.collect()
    before = set(ipywidget._instances)
    explorer = viz.explore(lambda x, w: ad.reduce_sum(ad.tanh(x * w)), x=1.0, w=[1.0, 2.0])
    made = set(ipywidget._instances) - before
    assert len(made) >= 15
    ref = weakref.ref(explorer)
    explorer.close()
    del explorer
    gc.collect()
    assert set(ipywidget._instances) - before == set()
    assert ref() is None


@pytest.mark.slow
def test_a_loop_of_explores_holds_memory_flat() -> None:
    for _ in range(20):
        _explore_once()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(100):
            _explore_once()
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(900):
            _explore_once()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert grown / 900 < 1_000  # bytes per explore (78 KB each before close freed them)


# ============================================================================ clear errors
@pytest.mark.parametrize("make", [viz.draw, viz.explore])
def test_drawing_an_empty_tape_says_so(make: Callable) -> None:
    tape = ad.GradientTape()
    with tape:
        pass
    with pytest.raises(ValueError, match="recorded no operation"):
        make(tape) if make is viz.draw else make(tape.graph())


def test_a_slider_range_too_wide_for_a_float_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="too wide for a slider"):
        viz.explore(lambda x: x * 2.0, x=1.0, ranges={"x": (-1e308, 1e308)})


@pytest.mark.parametrize("name", ["show", "quiz", "rankdir", "title"])
def test_a_leaf_named_like_an_explore_argument_is_a_clear_error(name: str) -> None:
    f = eval(f"lambda {name}: {name} * 2.0")
    with pytest.raises(TypeError, match=f"parameter '{name}' has the name of explore's own"):
        viz.explore(f, **{name: 1.0})


def test_a_leaf_may_be_called_obj() -> None:
    explorer = viz.explore(lambda obj: obj * 2.0, obj=1.0)
    assert [c.label for c, _ in explorer.sliders] == ["obj"]
    explorer.close()


def test_graph_attr_rankdir_says_to_use_rankdir_and_others_override() -> None:
    x = ad.Variable(1.0, name="x")
    with ad.GradientTape() as tape:
        y = x * 2.0
    graph = tape.graph(y)
    with pytest.raises(ValueError, match="give rankdir='TB' instead"):
        viz.draw(graph, graph_attr={"rankdir": "TB"})
    assert "bgcolor=white" in viz.draw(graph, graph_attr={"bgcolor": "white"}).source


def test_a_variable_named_by_a_number_is_refused_before_drawing() -> None:
    with pytest.raises(TypeError, match="Variable: name must be a string"):
        ad.Variable(1.0, name=123)
