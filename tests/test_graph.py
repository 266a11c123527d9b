"""The seam between engine and visualizer: `tape.graph()`, `ad.Graph`, `Graph.replay` and
`Graph.backward_steps` (documented in `autodiff/graph.py` and `autodiff/tape.py`).

The visualizer only ever reads a `Graph`, so everything it draws is pinned down here: the nodes
of the seed example node by node, what `None` means for a gradient, immutability, replays that
agree with fresh tape runs, and backward steps whose contributions add up to `tape.gradient`
bit for bit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad

# ============================================================================ helpers


def summary(graph: ad.Graph) -> list[tuple[str, str | None, str, tuple[int, ...], bool]]:
    """Each node as `(kind, op, name, inputs, watched)`, in the graph's order."""
    return [(n.kind, n.op, n.name, tuple(n.inputs), n.watched) for n in graph.nodes]


def op_names(graph: ad.Graph) -> list[str]:
    """The ops of the graph's op nodes, in order."""
    return [n.op for n in graph.nodes if n.kind == "op"]


def node_named(graph: ad.Graph, name: str) -> ad.Node:
    """The one node called `name`."""
    matches = [n for n in graph.nodes if n.name == name]
    assert len(matches) == 1, f"expected one node named {name!r}, got {matches}"
    return matches[0]


def assert_array(actual: Any, expected: Any, dtype: Any = ad.float32) -> None:
    """`actual` is a NumPy array of `dtype` holding exactly `expected`."""
    assert isinstance(actual, np.ndarray), f"expected a NumPy array, got {actual!r}"
    assert actual.dtype == dtype
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert np.array_equal(actual, expected), f"{actual} != {expected}"


def same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Both None, or arrays of the same dtype and shape with exactly the same numbers."""
    if a is None or b is None:
        return a is None and b is None
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def assert_same_graph(actual: ad.Graph, expected: ad.Graph) -> None:
    """Same structure and target, and exactly the same values and gradients."""
    assert summary(actual) == summary(expected)
    assert [n.scope for n in actual.nodes] == [n.scope for n in expected.nodes]
    assert actual.target == expected.target
    for a, e in zip(actual.nodes, expected.nodes, strict=True):
        assert same(a.value, e.value), f"value of {a}: expected {e.value}"
        assert same(a.grad, e.grad), f"grad of {a}: expected {e.grad}"


def assert_topological(graph: ad.Graph) -> None:
    """Node ids are positions, and every node's inputs come before it."""
    for position, node in enumerate(graph.nodes):
        assert node.id == position
        assert all(0 <= i < node.id for i in node.inputs), node
        if node.kind != "op":
            assert node.inputs == () and node.op is None, node


def summed_contributions(steps: list[ad.BackwardStep]) -> dict[int, np.ndarray]:
    """Each node's contributions added up in step order (as the tape accumulates them)."""
    totals: dict[int, np.ndarray] = {}
    for step in steps:
        for node_id, contribution in step.contributions.items():
            previous = totals.get(node_id)
            totals[node_id] = contribution if previous is None else previous + contribution
    return totals


def tape_gradients(tape: ad.GradientTape, target: ad.Tensor, sources: list) -> list:
    """`tape.gradient` for each source, as NumPy arrays (or None)."""
    grads = tape.gradient(target, sources)
    return [None if g is None else np.asarray(g) for g in grads]


# ============================================================================ the seed graph

W_VALUE = [[1, 2], [3, 4], [5, 6]]
X_VALUE = [[1, 2, 3]]

#: (kind, op, name, inputs, watched) of the seed graph, in topological order.
SEED_NODES = [
    ("constant", None, "[[1, 2, 3]]", (), False),
    ("variable", None, "w", (), True),
    ("op", "matmul", "matmul", (0, 1), True),
    ("variable", None, "b", (), True),
    ("op", "add", "add", (2, 3), True),
    ("constant", None, "2", (), False),
    ("op", "pow", "pow", (4, 5), True),
    ("op", "reduce_mean", "reduce_mean", (6,), True),
]
X_ID, W_ID, MATMUL_ID, B_ID, ADD_ID, TWO_ID, POW_ID, LOSS_ID = range(len(SEED_NODES))


@dataclass
class Seed:
    """The seed example, recorded by a persistent tape: y = x @ w + b; loss = mean(y²)."""

    w: ad.Variable
    b: ad.Variable
    tape: ad.GradientTape
    loss: ad.Tensor
    graph: ad.Graph


def run_seed(w_value: Any = W_VALUE, b_value: Any = None) -> Seed:
    """A fresh run of the seed example with these values of `w` and `b` (default: zeros)."""
    w = ad.Variable(w_value, dtype=ad.float32, name="w")
    b = ad.Variable(ad.zeros(2) if b_value is None else b_value, name="b")
    with ad.GradientTape(persistent=True) as tape:
        y = X_VALUE @ w + b
        loss = ad.reduce_mean(y**2)
    return Seed(w, b, tape, loss, tape.graph(loss))


@pytest.fixture
def seed() -> Seed:
    return run_seed()


def test_seed_nodes_in_topological_order(seed):
    assert summary(seed.graph) == SEED_NODES
    assert_topological(seed.graph)
    assert all(n.scope == "" for n in seed.graph.nodes)


def test_seed_target_is_the_loss_node(seed):
    assert seed.graph.target == LOSS_ID
    assert seed.graph.nodes[LOSS_ID].value == np.asarray(seed.loss)


def test_seed_values(seed):
    values = [n.value for n in seed.graph.nodes]
    assert_array(values[X_ID], [[1, 2, 3]])
    assert_array(values[W_ID], W_VALUE)
    assert_array(values[MATMUL_ID], [[22, 28]])
    assert_array(values[B_ID], [0, 0])
    assert_array(values[ADD_ID], [[22, 28]])
    assert_array(values[TWO_ID], 2)
    assert_array(values[POW_ID], [[484, 784]])
    assert_array(values[LOSS_ID], 634)


def test_seed_grads(seed):
    grads = [n.grad for n in seed.graph.nodes]
    assert_array(grads[W_ID], [[22, 28], [44, 56], [66, 84]])
    assert_array(grads[B_ID], [22, 28])
    assert_array(grads[MATMUL_ID], [[22, 28]])
    assert_array(grads[ADD_ID], [[22, 28]])
    assert_array(grads[POW_ID], [[0.5, 0.5]])
    assert_array(grads[LOSS_ID], 1)
    assert grads[X_ID] is None  # a captured constant: not watched
    assert grads[TWO_ID] is None  # the exponent: not watched


def test_seed_grads_are_tape_gradients(seed):
    dw, db = tape_gradients(seed.tape, seed.loss, [seed.w, seed.b])
    assert same(seed.graph.nodes[W_ID].grad, dw)
    assert same(seed.graph.nodes[B_ID].grad, db)


def test_seed_python_values_are_named_by_their_value(seed):
    assert node_named(seed.graph, "[[1, 2, 3]]").id == X_ID
    assert node_named(seed.graph, "2").id == TWO_ID


# ======================================================================== the seed's first lesson


def test_unwatched_constant_has_no_grad_not_zeros():
    x = ad.constant([2.0])
    with ad.GradientTape() as tape:
        f = x**2
    node = node_named(tape.graph(f), "x")
    assert node.kind == "constant"
    assert node.watched is False
    assert node.grad is None


def test_watched_constant_has_its_grad():
    x = ad.constant([2.0])
    with ad.GradientTape() as tape:
        tape.watch(x)
        f = x**2
    node = node_named(tape.graph(f), "x")
    assert node.watched is True
    assert_array(node.grad, [4.0])


# ============================================================================ which part is drawn


def record_with_unrelated_branch() -> tuple[ad.GradientTape, ad.Tensor]:
    """A tape that recorded `y = a * 2` and, unrelated to `y`, `sin(c)`."""
    a = ad.Variable(1.0, name="a")
    c = ad.Variable(2.0, name="c")
    with ad.GradientTape(persistent=True) as tape:
        y = a * 2.0
        ad.sin(c)
    return tape, y


def test_graph_without_target_has_every_recorded_op():
    tape, _ = record_with_unrelated_branch()
    graph = tape.graph()
    assert op_names(graph) == ["multiply", "sin"]
    assert {"a", "c"} <= {n.name for n in graph.nodes}
    assert graph.target is None
    assert all(n.grad is None for n in graph.nodes)
    assert_topological(graph)


def test_graph_with_target_has_only_its_ancestors():
    tape, y = record_with_unrelated_branch()
    graph = tape.graph(y)
    assert summary(graph) == [
        ("variable", None, "a", (), True),
        ("constant", None, "2", (), False),
        ("op", "multiply", "multiply", (0, 1), True),
    ]
    assert graph.target == 2


def test_non_persistent_tape_graph_before_gradient():
    x = ad.Variable(3.0, name="x")
    with ad.GradientTape() as tape:
        y = x * x
    assert_array(node_named(tape.graph(y), "x").grad, 6)
    assert_array(np.asarray(tape.gradient(y, x)), 6)


@pytest.mark.parametrize("with_target", [True, False], ids=["target", "no-target"])
def test_non_persistent_tape_graph_after_gradient_raises(with_target):
    x = ad.Variable(3.0, name="x")
    with ad.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match=r"persistent=True"):
        tape.graph(y if with_target else None)


# ============================================================================ immutability


def frozen_arrays(graph: ad.Graph) -> list[np.ndarray]:
    """Every value and gradient array of a graph, and of its backward steps."""
    arrays = [n.value for n in graph.nodes] + [n.grad for n in graph.nodes if n.grad is not None]
    for step in graph.backward_steps():
        arrays.append(step.upstream)
        arrays.extend(step.contributions.values())
    return arrays


@pytest.mark.parametrize("replayed", [False, True], ids=["recorded", "replayed"])
def test_graph_arrays_are_read_only(seed, replayed):
    graph = seed.graph.replay({"b": [1.0, 2.0]}) if replayed else seed.graph
    for array in frozen_arrays(graph):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0


def test_nodes_cannot_be_reassigned(seed):
    node = seed.graph.nodes[W_ID]
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.value = np.zeros((3, 2), np.float32)
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.grad = None


def test_replay_returns_a_new_graph_and_leaves_the_original_alone(seed):
    before = [(n.value.copy(), None if n.grad is None else n.grad.copy()) for n in seed.graph]
    replayed = seed.graph.replay({"w": np.zeros((3, 2)), "b": [1.0, -1.0]})
    assert replayed is not seed.graph
    for node, (value, grad) in zip(seed.graph.nodes, before, strict=True):
        assert same(node.value, value)
        assert same(node.grad, grad)


# ============================================================================ replay


def test_replay_without_new_values_reproduces_the_graph(seed):
    assert_same_graph(seed.graph.replay({}), seed.graph)


def test_replay_with_the_original_values_reproduces_the_graph(seed):
    replayed = seed.graph.replay({"w": W_VALUE, "b": [0.0, 0.0], X_ID: X_VALUE, TWO_ID: 2.0})
    assert_same_graph(replayed, seed.graph)


NEW_W = [[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5]]
NEW_B = [0.75, -2.0]

#: How a replay names a variable's leaf: by node id, by name, or by the Variable itself.
KEYS: dict[str, Callable[[ad.Graph, ad.Variable], Any]] = {
    "id": lambda graph, variable: node_named(graph, variable.name).id,
    "name": lambda graph, variable: variable.name,
    "variable": lambda graph, variable: variable,
}


@pytest.mark.parametrize("key", list(KEYS))
def test_replay_with_new_values_equals_a_fresh_run(seed, key):
    to_key = KEYS[key]
    new = {to_key(seed.graph, seed.w): NEW_W, to_key(seed.graph, seed.b): NEW_B}
    replayed = seed.graph.replay(new)
    assert_same_graph(replayed, run_seed(NEW_W, NEW_B).graph)


def test_replay_of_one_leaf_keeps_the_others(seed):
    replayed = seed.graph.replay({"b": NEW_B})
    assert_same_graph(replayed, run_seed(W_VALUE, NEW_B).graph)


def test_replay_of_a_constant(seed):
    replayed = seed.graph.replay({X_ID: [[0, 0, 1]]})
    assert_array(replayed.nodes[ADD_ID].value, [[5, 6]])
    assert_array(replayed.nodes[LOSS_ID].value, (25 + 36) / 2)
    assert_array(replayed.nodes[W_ID].grad, [[0, 0], [0, 0], [5, 6]])
    assert replayed.nodes[X_ID].grad is None


@pytest.mark.parametrize(
    "key",
    ["nonexistent", ad.Variable(1.0, name="stranger"), 99],
    ids=["name", "variable", "id"],
)
def test_replay_unknown_key_names_the_leaves(seed, key):
    with pytest.raises(ValueError) as info:
        seed.graph.replay({key: 1.0})
    message = str(info.value)
    for leaf in ("w", "b", "[[1, 2, 3]]", "2"):
        assert repr(leaf) in message, f"{leaf!r} not named in: {message}"


def test_replay_wrong_shape_names_both_shapes(seed):
    with pytest.raises(ValueError) as info:
        seed.graph.replay({"b": [1.0, 2.0, 3.0]})
    assert "(2,)" in str(info.value)
    assert "(3,)" in str(info.value)


@pytest.mark.parametrize("key", [MATMUL_ID, "reduce_mean"], ids=["id", "name"])
def test_replay_value_for_an_op_node(seed, key):
    with pytest.raises(ValueError, match="leaves"):
        seed.graph.replay({key: np.zeros((1, 2))})


@pytest.mark.parametrize(
    "values", [[("w", NEW_W)], None, np.zeros(3)], ids=["list", "None", "array"]
)
def test_replay_needs_a_dict(seed, values):
    with pytest.raises(TypeError, match="dict"):
        seed.graph.replay(values)


def test_replay_without_target_recomputes_values_only():
    tape, _ = record_with_unrelated_branch()
    replayed = tape.graph().replay({"a": 5.0, "c": 0.0})
    assert replayed.target is None
    assert_array(node_named(replayed, "multiply").value, 10)
    assert_array(node_named(replayed, "sin").value, 0)
    assert all(n.grad is None for n in replayed.nodes)


# ============================================================================ backward steps


def contribution_table(steps: list[ad.BackwardStep]) -> list[tuple[int, list[int]]]:
    """`(node, [ids it sends gradients to])` for each step."""
    return [(s.node, sorted(s.contributions)) for s in steps]


def test_seed_backward_steps_in_order(seed):
    steps = seed.graph.backward_steps()
    assert contribution_table(steps) == [
        (LOSS_ID, [POW_ID]),
        (POW_ID, [ADD_ID]),
        (ADD_ID, [MATMUL_ID, B_ID]),
        (MATMUL_ID, [W_ID]),  # the unwatched constant x gets nothing
    ]
    assert [seed.graph.nodes[s.node].op for s in steps] == ["reduce_mean", "pow", "add", "matmul"]


def test_seed_backward_steps_values(seed):
    mean, power, add, matmul = seed.graph.backward_steps()
    assert_array(mean.upstream, 1)
    assert_array(mean.contributions[POW_ID], [[0.5, 0.5]])
    assert_array(power.upstream, [[0.5, 0.5]])
    assert_array(power.contributions[ADD_ID], [[22, 28]])
    assert_array(add.upstream, [[22, 28]])
    assert_array(add.contributions[MATMUL_ID], [[22, 28]])
    assert_array(add.contributions[B_ID], [22, 28])  # summed back to b's shape
    assert_array(matmul.upstream, [[22, 28]])
    assert_array(matmul.contributions[W_ID], [[22, 28], [44, 56], [66, 84]])


def test_seed_backward_steps_formulas(seed):
    mean, power, add, matmul = seed.graph.backward_steps()
    assert "1/n" in mean.formula
    assert "d(x^y)/dx" in power.formula
    assert "d(x+y)/dx = 1" in add.formula
    assert "d(x+y)/dy = 1" in add.formula
    assert "d(a@b)" in matmul.formula


def test_backward_steps_sum_to_tape_gradient(seed):
    totals = summed_contributions(seed.graph.backward_steps())
    dw, db = tape_gradients(seed.tape, seed.loss, [seed.w, seed.b])
    assert same(totals[W_ID], dw)
    assert same(totals[B_ID], db)
    for node_id, total in totals.items():
        assert same(total, seed.graph.nodes[node_id].grad)


def test_input_used_twice_gets_one_summed_contribution():
    x = ad.constant([1.0, -2.0, 3.0])
    with ad.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    graph = tape.graph(y)
    (step,) = graph.backward_steps()
    x_id = node_named(graph, "x").id
    assert list(step.contributions) == [x_id]
    assert_array(step.contributions[x_id], [2.0, -4.0, 6.0])
    assert "d(x*y)/dx = y" in step.formula


def test_fan_out_contributions_add_up():
    x = ad.constant([1.0, -2.0])
    with ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        z = x * 3 + x * 4
    graph = tape.graph(z)
    x_id = node_named(graph, "x").id
    to_x = [s.contributions[x_id] for s in graph.backward_steps() if x_id in s.contributions]
    assert len(to_x) == 2
    assert sorted(float(c[0]) for c in to_x) == [3.0, 4.0]
    assert_array(summed_contributions(graph.backward_steps())[x_id], [7.0, 7.0])
    assert same(graph.nodes[x_id].grad, np.asarray(tape.gradient(z, x)))


def test_backward_steps_need_a_target():
    tape, _ = record_with_unrelated_branch()
    with pytest.raises(ValueError, match="target"):
        tape.graph().backward_steps()


# ============================================================================ nested tapes, scopes


def test_outer_tape_graph_includes_the_inner_backward_pass():
    x = ad.Variable(3.0, name="x")
    with ad.GradientTape(persistent=True) as outer:
        with ad.GradientTape() as inner:
            y = x**3
        dy_dx = inner.gradient(y, x)  # 3x² = 27, computed with recorded ops
    everything = outer.graph()
    assert op_names(everything)[0] == "pow"  # the forward x³
    assert len(op_names(everything)) > 1  # then the backward ops
    graph = outer.graph(dy_dx)
    assert_topological(graph)
    assert {"multiply", "subtract", "pow"} <= set(op_names(graph))
    assert_array(graph.nodes[graph.target].value, 27)
    assert_array(node_named(graph, "x").grad, 18)  # d(3x²)/dx = 6x
    assert same(node_named(graph, "x").grad, np.asarray(outer.gradient(dy_dx, x)))


def test_name_scopes_nest():
    x = ad.constant(0.5)
    with ad.GradientTape() as tape:
        a = ad.exp(x)
        with ad.name_scope("layer1"):
            b = ad.sin(a)
            with ad.name_scope("dense"):
                c = ad.tanh(b)
            d = ad.cos(c)
        e = ad.sqrt(d)
    scopes = {n.op: n.scope for n in tape.graph(e).nodes if n.kind == "op"}
    assert scopes == {
        "exp": "",
        "sin": "layer1",
        "tanh": "layer1/dense",
        "cos": "layer1",
        "sqrt": "",
    }
    assert node_named(tape.graph(e), "x").scope == ""


def test_variables_belong_to_the_scope_they_were_created_in():
    with ad.name_scope("dense1"):
        w = ad.Variable([[1.0, 2.0]], name="w")
    b = ad.Variable([0.5], name="b")
    x = ad.constant([[3.0], [4.0]], name="x")
    assert (w.scope, b.scope) == ("dense1", "")
    with ad.GradientTape() as tape, ad.name_scope("model"):
        y = ad.reduce_sum(x @ w + b)  # used in another scope: w stays in its own
    graph = tape.graph(y)
    assert {n.name: n.scope for n in graph.leaves()} == {"x": "", "w": "dense1", "b": ""}
    assert node_named(graph, "matmul").scope == "model"


# ============================================================================ custom_gradient


def test_custom_gradient_is_one_node_and_replay_reruns_it():
    calls = []

    @ad.custom_gradient
    def log1pexp(t):
        calls.append(np.asarray(t).copy())
        e = ad.exp(t)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))

        return ad.log(1 + e), grad

    def run(value: Any) -> tuple[ad.Graph, np.ndarray]:
        """The graph of `log1pexp(x)` and the tape's gradient for `x`."""
        x = ad.constant(value, dtype=ad.float64)
        with ad.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = log1pexp(x)
        return tape.graph(y), np.asarray(tape.gradient(y, x))

    graph, dx = run([0.0, 1.0])
    assert summary(graph) == [
        ("constant", None, "x", (), True),
        ("op", "log1pexp", "log1pexp", (0,), True),
    ]
    assert same(graph.nodes[0].grad, dx)
    np.testing.assert_allclose(dx, [0.5, 1 - 1 / (1 + np.e)])

    calls.clear()
    replayed = graph.replay({"x": [2.0, -3.0]})
    assert [c.tolist() for c in calls] == [[2.0, -3.0]]  # the function ran again, once
    fresh, fresh_dx = run([2.0, -3.0])
    assert_same_graph(replayed, fresh)
    assert same(replayed.nodes[0].grad, fresh_dx)


# ============================================================================ random programs

SHAPES = [(), (3,), (2, 3)]
UNARY: dict[str, Callable[[ad.Tensor], ad.Tensor]] = {
    "tanh": ad.tanh,
    "exp": ad.exp,
    "sigmoid": ad.sigmoid,
    "square": ad.square,
}
BINARY: dict[str, Callable[[ad.Tensor, ad.Tensor], ad.Tensor]] = {
    "add": ad.add,
    "multiply": ad.multiply,
    "matmul": ad.matmul,
}
REDUCE: dict[str, Callable[..., ad.Tensor]] = {
    "reduce_sum": ad.reduce_sum,
    "reduce_mean": ad.reduce_mean,
}


@dataclass(frozen=True)
class Instruction:
    """`op` applied to the tensors at positions `args` (leaves first, then results)."""

    op: str
    args: tuple[int, ...]
    axis: int | None = None


@dataclass(frozen=True)
class Program:
    leaf_shapes: tuple[tuple[int, ...], ...]
    instructions: tuple[Instruction, ...]


def result_shape(
    op: str, shapes: list[tuple[int, ...]], axis: int | None = None
) -> tuple[int, ...] | None:
    """The shape `op` gives for inputs of these shapes, or None if they don't fit."""
    zeros = [np.zeros(s) for s in shapes]
    try:
        if op == "matmul":
            return None if min(len(s) for s in shapes) == 0 else np.matmul(*zeros).shape
        if op in BINARY:
            return np.broadcast_shapes(*shapes)
        if op in REDUCE:
            return np.sum(zeros[0], axis=axis).shape
    except ValueError:
        return None
    return shapes[0]


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """A few ops on one to three float64 leaves of shapes (), (3,), (2, 3)."""
    leaf_shapes = tuple(draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3)))
    shapes = list(leaf_shapes)
    instructions = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from([*UNARY, *BINARY, *REDUCE]))
        positions = range(len(shapes))
        if op in BINARY:
            pairs = [
                (i, j)
                for i in positions
                for j in positions
                if result_shape(op, [shapes[i], shapes[j]]) is not None
            ]
            if not pairs:
                op, pairs = "multiply", [(i, i) for i in positions]
            args = draw(st.sampled_from(pairs))
            axis = None
        else:
            args = (draw(st.sampled_from(positions)),)
            ndim = len(shapes[args[0]])
            axis = draw(st.sampled_from([None, *range(ndim)])) if op in REDUCE else None
        instructions.append(Instruction(op, args, axis))
        shapes.append(result_shape(op, [shapes[i] for i in args], axis))
    return Program(leaf_shapes, tuple(instructions))


def leaf_values(shapes: tuple[tuple[int, ...], ...]) -> st.SearchStrategy:
    """One float64 array per leaf shape, with modest values."""
    elements = st.floats(-2, 2, allow_nan=False, width=64)
    return st.tuples(*(hnp.arrays(np.float64, shape, elements=elements) for shape in shapes))


@dataclass
class Run:
    """A program run under a persistent tape: its leaf variables, target and graph."""

    leaves: list[ad.Variable]
    tape: ad.GradientTape
    target: ad.Tensor
    graph: ad.Graph


def run_program(program: Program, values: tuple[np.ndarray, ...]) -> Run:
    """Run `program` on leaf variables `v0, v1, ...` holding `values`; the last result is the
    target."""
    leaves = [ad.Variable(v, name=f"v{i}") for i, v in enumerate(values)]
    tensors: list[ad.Tensor] = list(leaves)
    with ad.GradientTape(persistent=True) as tape:
        for ins in program.instructions:
            args = [tensors[i] for i in ins.args]
            if ins.op in UNARY:
                tensors.append(UNARY[ins.op](*args))
            elif ins.op in BINARY:
                tensors.append(BINARY[ins.op](*args))
            else:
                tensors.append(REDUCE[ins.op](*args, axis=ins.axis))
    return Run(leaves, tape, tensors[-1], tape.graph(tensors[-1]))


@st.composite
def programs_with_values(draw: st.DrawFn) -> tuple[Program, tuple, tuple, list[str]]:
    program = draw(programs())
    first = draw(leaf_values(program.leaf_shapes))
    second = draw(leaf_values(program.leaf_shapes))
    keys = draw(
        st.lists(
            st.sampled_from(list(KEYS)),
            min_size=len(first),
            max_size=len(first),
        )
    )
    return program, first, second, keys


def in_graph(run: Run, variable: ad.Variable) -> bool:
    """Whether the target depends on `variable` (the graph holds only the target's ancestors)."""
    return any(n.name == variable.name for n in run.graph.nodes)


def assert_steps_reproduce_tape_gradient(run: Run) -> None:
    """Each leaf's contributions summed in step order are its `tape.gradient`, bit for bit."""
    totals = summed_contributions(run.graph.backward_steps())
    grads = tape_gradients(run.tape, run.target, run.leaves)
    for variable, grad in zip(run.leaves, grads, strict=True):
        if not in_graph(run, variable):
            assert grad is None
            continue
        node = node_named(run.graph, variable.name)
        total = totals.get(node.id)
        assert same(total, grad), f"{variable.name}: steps sum to {total}, tape says {grad}"
        assert same(node.grad, grad)


@given(programs_with_values())
def test_random_program_replay_equals_fresh_run(case):
    program, first, second, keys = case
    run = run_program(program, first)
    assert_topological(run.graph)
    assert_same_graph(run.graph.replay({}), run.graph)
    new = {
        KEYS[how](run.graph, variable): value
        for variable, value, how in zip(run.leaves, second, keys, strict=True)
        if in_graph(run, variable)
    }
    fresh = run_program(program, second)
    replayed = run.graph.replay(new)
    assert_same_graph(replayed, fresh.graph)
    assert_same_graph(replayed.replay({}), replayed)
    for node_id, total in summed_contributions(replayed.backward_steps()).items():
        assert same(total, fresh.graph.nodes[node_id].grad)


@given(programs_with_values())
def test_random_program_steps_sum_to_tape_gradient(case):
    program, first, second, _ = case
    assert_steps_reproduce_tape_gradient(run_program(program, first))
    assert_steps_reproduce_tape_gradient(run_program(program, second))


# ============================================ regressions: bugs found while writing these tests


def matmul_grads_by_hand(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gradients of sum(a @ b), treating a vector `a` as a row and `b` as a column."""
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    g = np.ones((a2.shape[0], b2.shape[1]))
    return (g @ b2.T).reshape(a.shape), (a2.T @ g).reshape(b.shape)


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((3,), (3,)), ((2, 3), (3,)), ((2,), (2, 3)), ((3,), (3, 2)), ((2, 3), (3, 2))],
    ids=str,
)
def test_matmul_with_vector_operands(a_shape, b_shape):
    """`matmul` takes rank-1 operands as NumPy does (and as the random programs draw them);
    its gradients must too."""
    a_value = np.arange(1.0, 1.0 + np.prod(a_shape)).reshape(a_shape)
    b_value = np.arange(-2.0, -2.0 + np.prod(b_shape)).reshape(b_shape)
    a = ad.Variable(a_value, name="a")
    b = ad.Variable(b_value, name="b")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.matmul(a, b)
    graph = tape.graph(y)
    da, db = matmul_grads_by_hand(a_value, b_value)
    assert_array(node_named(graph, "a").grad, da, dtype=ad.float64)
    assert_array(node_named(graph, "b").grad, db, dtype=ad.float64)
    assert_steps_reproduce_tape_gradient(Run([a, b], tape, y, graph))


def test_variable_assigned_while_recording():
    """Both reads of `w` (before and after `assign_add`) must give the graph what the tape
    used: the graph's gradient and a replay with the same values agree with the tape."""
    w = ad.Variable([1.0, 2.0], name="w")
    with ad.GradientTape(persistent=True) as tape:
        a = w * 3.0
        w.assign_add([1.0, 1.0])
        loss = ad.reduce_sum(w * a)  # (w + 1) · 3w: d/dw = 6w + 3 = [9, 15]
    graph = tape.graph(loss)
    assert_array(graph.nodes[graph.target].value, 24)
    dw = np.asarray(tape.gradient(loss, w))
    assert_array(dw, [9, 15])
    grads_of_w = [n.grad for n in graph.nodes if n.name == "w"]
    total = grads_of_w[0] if len(grads_of_w) == 1 else sum(grads_of_w)
    assert same(total, dw)
    assert_same_graph(graph.replay({}), graph)


def test_leaves_are_named_from_the_users_frame_past_a_library_that_asks(tmp_path, monkeypatch):
    """A library (a module of a package) asking for the graph on its user's behalf is skipped
    like the engine: the leaves are named by the user's variables, not by the library's."""
    package = tmp_path / "drawlib"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "draw.py").write_text(
        "def graph(tape, target):\n"
        "    weights = target  # a tensor the library holds under a name of its own\n"
        "    return tape.graph(weights)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from drawlib import draw

    w = ad.Variable([1.0, 2.0])
    bias = ad.constant(3.0)
    with ad.GradientTape() as tape:
        loss = ad.reduce_sum(w * bias)
    names = {n.name for n in draw.graph(tape, bias).nodes}
    assert names == {"bias"}
    names = {n.name for n in draw.graph(tape, loss).nodes if n.kind != "op"}
    assert names == {"w", "bias"}
