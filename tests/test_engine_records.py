"""The engine's recording machinery: records the cyclic garbage collector untracks, fan-in
accumulation, and what a tape keeps alive (no timings here: those are in benchmarks/run.py)."""

from __future__ import annotations

import gc
import inspect
import math
import warnings
import weakref

import numpy as np
import pytest

import autodiff as ad
from autodiff import primitive


def test_records_are_untracked_by_the_garbage_collector() -> None:
    """A long recording of small values adds nothing for the cyclic collector to traverse."""
    x = ad.Variable(np.linspace(-1, 1, 10, dtype=np.float32), name="x")
    with ad.GradientTape() as tape:
        y = x
        for _ in range(200):
            y = y * 1.0001 + 0.0001
        loss = ad.reduce_sum(y)
    for _ in range(3):  # a container is untracked once its contents are: one level a pass
        gc.collect()
    records = tape._records
    assert len(records) == 401
    # (the reduce_sum record holds its attrs, a dict, which keeps a tuple tracked)
    assert not any(gc.is_tracked(r) for r in records[:-1]) and gc.is_tracked(records[-1])
    assert not any(gc.is_tracked(x) for r in records for x in r[primitive.INPUTS :])
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), np.full(10, 1.0001**200), 1e-5)


def test_records_name_their_op_and_inputs() -> None:
    a = ad.constant([1.0, 2.0], name="a")
    with ad.GradientTape() as tape:
        b = ad.reduce_sum(a * 3.0, axis=0, name="b")
    mul, total = tape._records
    assert primitive.op_of(mul[0]).name == "multiply" and mul[2] is None
    assert mul[primitive.INPUTS][0] == a._id
    assert primitive.op_of(total[0]).name == "reduce_sum"
    assert total[1][0] == b._id and total[1][2] == "b"
    assert total[2] == {"axis": 0, "keepdims": False}


def test_scalar_chain_with_fan_in_matches_hand_derivatives() -> None:
    """W1 of the engine-speed issue: a and b are read 333+ times; their gradients add up."""
    x, a, b = (ad.Variable(np.array(v, np.float32)) for v in (0.5, 0.9, 0.1))
    with ad.GradientTape() as tape:
        y = x
        for _ in range(333):
            y = ad.tanh(y * a + b)
        y = y * a
    gx, ga, gb = tape.gradient(y, [x, a, b])
    xs, av, bv = 0.5, 0.9, 0.1
    ins, outs = [], []
    v = xs
    for _ in range(333):
        ins.append(v)
        v = math.tanh(v * av + bv)
        outs.append(v)
    g, dga, dgb = av, v, 0.0
    for y_in, t in zip(reversed(ins), reversed(outs), strict=True):
        g *= 1 - t * t
        dgb += g
        dga += g * y_in
        g *= av
    got = [gx.numpy(), ga.numpy(), gb.numpy()]
    np.testing.assert_allclose(got, [g, dga, dgb], rtol=1e-4, atol=1e-30)  # x's underflows
    assert ga.dtype == np.float32 and gb.shape == ()


def test_an_input_used_twice_sums_the_same_with_and_without_steps() -> None:
    """tape.gradient and Graph.backward_steps add an op's own contributions in one order."""
    w = ad.Variable(np.array([0.3, -1.7, 2.2], np.float32), name="w")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(w * w + ad.sin(w) * w)
    grad = tape.gradient(y, w).numpy()
    graph = tape.graph(y)
    np.testing.assert_array_equal(graph[w].grad, grad)
    steps = graph.backward_steps()
    node = graph[w].id
    total = None
    for step in steps:
        if node in step.contributions:
            c = step.contributions[node]
            total = c if total is None else total + c
    np.testing.assert_array_equal(total, grad)


def test_a_tape_keeps_values_not_tensors() -> None:
    """The records hold ids and values: a tensor the user drops is freed, its value is not
    (the graph still shows it), and a gradient still reaches through it."""
    x = ad.Variable(np.ones((64, 64), np.float32), name="x")
    with ad.GradientTape(persistent=True) as tape:
        big = x * 2.0
        small = ad.reduce_sum(big)
    refs = [weakref.ref(big), weakref.ref(small)]
    big_value, small_id = np.asarray(big), small._id
    del big
    assert refs[0]() is None  # the tensor object is gone...
    assert any(r[1][0] == small_id for r in tape._records)

    def users_code(target: ad.Tensor) -> None:  # `tape.graph` reads this frame's names
        g = tape.graph(target)
        assert len(g) == 4  # x, 2.0, multiply, reduce_sum
        assert np.array_equal(g["multiply"].value, big_value)  # ...its value is kept
        np.testing.assert_array_equal(tape.gradient(target, x).numpy(), np.full((64, 64), 2.0))

    users_code(small)
    del small
    assert refs[1]() is None  # the target too, while the persistent tape lives on
    assert any(r[1][0] == small_id for r in tape._records)


@pytest.mark.parametrize("persistent", [True, False])
def test_second_derivatives_through_untracked_records(persistent: bool) -> None:
    x = ad.Variable(np.array([0.5, -0.25], np.float32))
    with ad.GradientTape(persistent=persistent) as outer:
        with ad.GradientTape() as inner:
            y = ad.reduce_sum(ad.tanh(x) * x)
        g = inner.gradient(y, x)
    gg = outer.gradient(g, x)
    v = x.numpy().astype(np.float64)
    t = np.tanh(v)
    d1 = 1 - t * t  # tanh'
    d2 = -2 * t * d1  # tanh''
    np.testing.assert_allclose(g.numpy(), t + v * d1, rtol=1e-5)
    np.testing.assert_allclose(gg.numpy(), 2 * d1 + v * d2, rtol=1e-5)


def test_python_numbers_convert_to_the_tensor_dtype_and_errors_name_the_input() -> None:
    x = ad.constant(np.array([1.0, 2.0], np.float64))
    assert (x * 2).dtype == np.float64 and (3.0 - x).dtype == np.float64
    i = ad.constant([1, 2])
    assert (i + 1).dtype == np.int32
    with pytest.raises(ValueError, match="add: input y"):
        i + 1.5
    with pytest.raises(ad.InvalidArgumentError, match="same dtype"):
        x + ad.constant([1.0, 2.0])


def test_zero_d_floats_are_held_as_numpy_scalars_and_leave_as_arrays() -> None:
    """A 0-d float is a NumPy scalar inside a tensor (its arithmetic is several times faster
    than a 0-d array's); what leaves the engine is what it always was."""
    t = ad.constant(0.5) * 3.0
    assert type(t._value) is np.float32 and t.shape == () and t.dtype == ad.float32
    array = np.asarray(t)
    assert type(array) is np.ndarray and array.shape == () and not array.flags.writeable
    assert array == np.float32(1.5) and array.dtype == np.float32
    assert type(t.numpy()) is np.float32 and t.numpy() == np.float32(1.5)
    v = ad.Variable(1.0, name="v")
    v.assign(2.0)
    assert type(v._value) is np.float32 and float(v) == 2.0
    with ad.GradientTape() as tape:
        y = v * v
    graph = tape.graph(y)
    for node in graph.nodes:  # a graph's numbers are read-only arrays, as before
        assert type(node.value) is np.ndarray and not node.value.flags.writeable
        assert node.grad is None or type(node.grad) is np.ndarray
    assert graph.nodes[graph.target].value == 4.0 and graph["v"].grad == 4.0
    assert tape.gradient(y, v).numpy() == np.float32(4.0)


def test_zero_d_integers_wrap_around_silently_as_tensorflow() -> None:
    """Integers stay 0-d arrays: NumPy's integer scalars would warn on overflow, where
    TensorFlow (and NumPy's arrays) wrap around."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = ad.constant(2**30) * 4
        small = ad.constant(np.int8(127)) + ad.constant(np.int8(1))
    assert big.dtype == ad.int32 and big.numpy() == 0
    assert small.dtype == ad.int8 and small.numpy() == -128


def test_variables_are_watched_again_after_a_reset_and_by_each_new_tape() -> None:
    """A variable skips the watch check while the same tapes record; a reset or a new tape
    makes it check again."""
    v = ad.Variable(2.0, name="v")
    with ad.GradientTape(persistent=True) as tape:
        y = v * v
        tape.reset()
        assert tape.watched_variables() == ()
        z = v * 3.0
        with ad.GradientTape() as inner:
            w = v * v * v
        assert inner.watched_variables() == (v,)
        assert inner.gradient(w, v).numpy() == np.float32(12.0)
        with tape.stop_recording():
            u = v * 5.0
    assert tape.watched_variables() == (v,)
    assert tape.gradient(z, v).numpy() == np.float32(3.0)
    assert tape.gradient(y, v) is None and tape.gradient(u, v) is None


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_fused_gradients_under_a_sum_or_a_mean_are_numpys_numbers(op: str) -> None:
    """The upstream gradient of a sum is one number broadcast: tanh's and sigmoid's fused
    gradients multiply by it as a number (1: not at all), with the same numbers as NumPy."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((64, 128)).astype(np.float32)
    x = ad.Variable(x0, name="x")
    y0 = np.tanh(x0) if op == "tanh" else 1 / (1 + np.exp(-x0))
    local = 1 - y0 * y0 if op == "tanh" else (1 - y0) * y0
    f = getattr(ad, op)
    cases = [  # (loss, its output gradient, what the gradient must be)
        (lambda: ad.reduce_sum(f(x)), None, local),
        (lambda: ad.reduce_sum(f(x)), 3.0, local * np.float32(3)),  # a broadcast 3
        (lambda: ad.reduce_mean(f(x)), None, local * np.float32(1 / x0.size)),
        (lambda: ad.reduce_sum(f(x) * x0), None, local * x0),  # an upstream of many numbers
    ]
    for loss_of, weight, expected in cases:
        with ad.GradientTape() as tape:
            loss = loss_of()
        (grad,) = tape.gradient(loss, [x], output_gradients=weight)
        np.testing.assert_allclose(grad.numpy(), expected, rtol=2e-6, atol=1e-9)
        with ad.GradientTape(persistent=True) as tape:  # keeps every value: same numbers
            loss = loss_of()
        assert np.array_equal(tape.gradient(loss, x, output_gradients=weight), grad)


def test_gradients_of_a_sum_are_shared_read_only_views_that_keep_their_value() -> None:
    """The gradient of a full sum is one number repeated without memory, shared by value
    (`tensor.repeated`): a later gradient of another value, even -0.0 after 0.0 (equal as
    numbers, not as bytes), leaves an earlier one as it was."""
    x = ad.Variable(np.ones((3, 4), np.float32), name="x")
    grads = []  # (a list: 0.0 and -0.0 are the same key of a dict)
    for weight in (3.0, 5.0, 0.0, -0.0):
        with ad.GradientTape() as tape:
            loss = ad.reduce_sum(x)
        grads.append((weight, np.asarray(tape.gradient(loss, x, output_gradients=weight))))
    for weight, grad in grads:
        assert grad.shape == (3, 4) and not grad.flags.writeable
        assert np.array_equal(grad, np.full((3, 4), weight, np.float32))
        assert np.all(np.signbit(grad) == np.signbit(weight))


def test_gradient_returns_a_new_list_for_a_list_of_sources() -> None:
    """A flat list of sources is read as it is, not copied, and never handed back."""
    a, b = ad.Variable(2.0, name="a"), ad.Variable(3.0, name="b")
    sources = [a, b]
    with ad.GradientTape() as tape:
        y = a * b
    grads = tape.gradient(y, sources)
    assert grads is not sources and sources == [a, b]
    assert [g.numpy() for g in grads] == [np.float32(3.0), np.float32(2.0)]


def test_every_rule_of_the_table_takes_its_backend_first() -> None:
    """Gradients and forward-mode rules are called with the backend (`ops`) first: a rule
    written without it would get the backend as its upstream gradient."""
    rules = [(op, g) for op in primitive.TABLE for g in op.grads if g is not None]
    rules += [(op, op.jvp) for op in primitive.TABLE if callable(op.jvp)]
    assert len(rules) > 100
    for op, rule in rules:
        first = next(iter(inspect.signature(rule).parameters))
        assert first == "ops", f"{op.name}: {rule.__qualname__} takes {first!r} first"
