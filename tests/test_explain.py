"""Graph.explain: why a gradient is None, zero or small, one test per reason."""

from __future__ import annotations

import numpy as np
import pytest

import autodiff as ad


def explain(build, name: str) -> str:
    """`build()` records on a tape and returns the target; the sentence for node `name`."""
    with ad.GradientTape(persistent=True) as tape:
        target = build()
    return tape.graph(target).explain(name)


def test_an_unwatched_constant() -> None:
    c = ad.constant(3.0, name="c")
    x = ad.Variable(2.0, name="x")
    assert explain(lambda: x * c, "c") == (
        "The gradient of 'c' is None: it is a constant the tape does not watch: make it an "
        "ad.Variable, or call tape.watch on it inside the `with` block."
    )


def test_cut_by_stop_gradient() -> None:
    x = ad.Variable(2.0, name="x")
    sentence = explain(lambda: ad.stop_gradient(x * 3.0, name="frozen") + 1.0, "x")
    assert sentence == (
        "The gradient of 'x' is None: every path from it to 'add' goes through stop_gradient "
        "'frozen', which cuts the gradient."
    )


def test_not_connected_to_the_target() -> None:
    x = ad.Variable(2.0, name="x")
    unused = ad.Variable(1.0, name="unused")

    def build() -> ad.Tensor:
        ad.square(unused)  # recorded, but the target does not depend on it
        return ad.multiply(x, 2.0, name="y")

    with ad.GradientTape(persistent=True) as tape:
        target = build()
    graph = tape.graph(target)
    assert graph.explain(unused) == (
        "The gradient of 'unused' is None: 'y' does not depend on it (the target's graph "
        "holds only what the target depends on)."
    )


def test_an_integer_tensor() -> None:
    k = ad.constant([1, 2], name="k")
    x = ad.Variable([1.0, 1.0], name="x")
    sentence = explain(lambda: ad.reduce_sum(x * ad.cast(k, ad.float32)), "k")
    assert sentence.startswith("The gradient of 'k' is None: it has dtype int32, and only float")


def test_blocked_by_a_relu_where_or_maximum() -> None:
    u = ad.Variable([-1.0, -2.0], name="u")
    assert explain(lambda: ad.reduce_sum(ad.relu(u, name="r")), "u") == (
        "The gradient of 'u' is zero: the relu 'r' passed no gradient back: its input was not "
        "positive."
    )
    a = ad.Variable([1.0, 2.0], name="a")
    b = ad.Variable([5.0, 6.0], name="b")
    sentence = explain(lambda: ad.reduce_sum(ad.where(a > 10.0, a, b, name="pick")), "a")
    assert sentence.endswith(
        "the where 'pick' chose the other branch, so no gradient flows back to it."
    )
    sentence = explain(lambda: ad.reduce_sum(ad.maximum(a, b, name="top")), "a")
    assert "the maximum 'top' took the other input" in sentence


def test_a_saturated_tanh_or_sigmoid() -> None:
    s = ad.Variable(np.float32(20.0), name="s")  # tanh(20) is 1.0 in float32: slope exactly 0
    assert "the tanh 'th' is saturated: its output is ±1" in explain(
        lambda: ad.tanh(s, name="th") * 2.0, "s"
    )
    s2 = ad.Variable(5.0, name="s2")  # slope 1.8e-4: small, not zero
    assert explain(lambda: ad.tanh(s2, name="th") * 2.0, "s2") == (
        "The gradient of 's2' is small: the tanh 'th' on the way is saturated: its local "
        "derivative is at most 0.00018 (below 0.001), so it passes back almost nothing."
    )
    z = ad.Variable(-12.0, name="z")
    assert "the sigmoid 'sg' on the way is saturated" in explain(
        lambda: ad.sigmoid(z, name="sg") + 0.0, "z"
    )


def test_the_output_of_stop_gradient_and_what_is_computed_from_it() -> None:
    x = ad.Variable(2.0, name="x")

    def build() -> ad.Tensor:
        frozen = ad.stop_gradient(x, name="frozen")
        return ad.multiply(frozen, 3.0, name="tripled") + x

    assert explain(build, "frozen").endswith(
        "it is the output of stop_gradient, which acts as a constant."
    )
    assert explain(build, "tripled").endswith(
        "computed only from constants and stop_gradient outputs, which act as constants."
    )


def test_a_gradient_that_flows_and_the_target() -> None:
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.square(x, name="y")
    graph = tape.graph(y)
    assert graph.explain(x) == (
        "The gradient of 'x' is neither None nor zero: it flows back from 'y' unblocked."
    )
    assert (
        graph.explain("y") == "'y' is the target: its gradient is 1, the seed of the backward pass."
    )
    with pytest.raises(ValueError, match="no node"):
        graph.explain(99)
    with pytest.raises(ValueError, match="explain: this graph has no target"):
        tape.graph().explain("x")


def test_a_target_that_depends_on_nothing_watched() -> None:
    c = ad.constant(3.0, name="c")
    sentence = explain(lambda: ad.square(c, name="f"), "f")
    assert sentence == (
        "'f' is the target, and its gradient is None: it depends on no watched tensor, so "
        "there is no backward pass to seed (make an input an ad.Variable, or call tape.watch "
        "on it)."
    )
