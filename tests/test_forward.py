"""Forward mode (`ForwardAccumulator`) and checkpointing (`recompute_grad`), the engine alone.

TensorFlow's JVPs of every op, and the nestings with tapes, are checked in test_tensorflow.py.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autodiff as ad
import viz
from autodiff.forward import RULES, forward_steps
from autodiff.primitive import TABLE
from viz.explore import forward_steps_payload


def test_every_differentiable_op_of_the_table_says_how_it_gets_its_jvp():
    undeclared = [op.name for op in TABLE if op.differentiable and op.jvp is None]
    assert undeclared == []
    for op in TABLE:
        assert op.jvp is None or callable(op.jvp) or op.jvp in RULES, op.name


def test_contract_names():
    assert ad.autodiff.ForwardAccumulator is ad.ForwardAccumulator
    assert ad.autodiff.GradientTape is ad.GradientTape


def test_jvp_of_a_scalar_function_and_unconnected_tensors():
    x = ad.constant(3.0)
    with ad.ForwardAccumulator(x, ad.constant(0.5)) as acc:
        y = x * x
        lone = ad.constant(2.0) * 4.0
    assert acc.jvp(y).numpy() == pytest.approx(3.0)  # 2x · ẋ = 6 × 0.5
    assert acc.jvp(x).numpy() == pytest.approx(0.5)
    assert acc.jvp(lone) is None
    assert acc.jvp(lone, unconnected_gradients="zero").numpy() == 0.0
    assert acc.jvp({"y": [y]})["y"][0].numpy() == pytest.approx(3.0)


def test_variables_are_primals_and_are_read_with_their_tangent():
    w = ad.Variable([[1.0, 2.0], [3.0, 4.0]])
    x = ad.constant([[1.0], [1.0]])
    with ad.ForwardAccumulator(w, np.ones((2, 2), np.float32)) as acc:
        y = w @ x
    np.testing.assert_allclose(acc.jvp(y).numpy(), [[2.0], [2.0]])


def test_stop_gradient_cuts_the_tangent():
    x = ad.constant([1.0, 2.0])
    with ad.ForwardAccumulator(x, [1.0, 1.0]) as acc:
        y = ad.stop_gradient(x) * 2.0
        z = ad.stop_gradient(x) * x
    assert acc.jvp(y) is None
    np.testing.assert_allclose(acc.jvp(z).numpy(), [1.0, 2.0])


def test_tangent_of_a_wrong_shape_or_dtype_is_refused_with_a_fix():
    with pytest.raises(ValueError, match=r"tangent of primal 0 has shape \(3,\).*\(2,\)"):
        ad.ForwardAccumulator(ad.constant([1.0, 2.0]), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"int32.*not differentiable.*ad\.cast"):
        ad.ForwardAccumulator(ad.constant([1, 2]), [1, 1])
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        ad.ForwardAccumulator([ad.constant(1.0), ad.constant(2.0)], [ad.constant(1.0)])
    with pytest.raises(TypeError, match="primal 0 is a float"):
        ad.ForwardAccumulator(1.0, 1.0)


def f_cubic(x: ad.Tensor) -> ad.Tensor:
    return ad.reduce_sum(ad.sin(x) * x**3 + ad.reduce_logsumexp(x) * ad.tanh(x))


def test_hvp_forward_over_backward_is_the_hessian_times_the_vector():
    x = ad.constant(np.linspace(-1, 1, 5), dtype=ad.float64)
    v = ad.constant(np.cos(np.arange(5.0)))
    with ad.ForwardAccumulator(x, v) as acc:
        with ad.GradientTape() as tape:
            tape.watch(x)
            y = f_cubic(x)
        g = tape.gradient(y, x)
    hvp = acc.jvp(g).numpy()
    with ad.GradientTape() as outer:
        outer.watch(x)
        with ad.GradientTape() as inner:
            inner.watch(x)
            y = f_cubic(x)
        g = inner.gradient(y, x)
    hessian = outer.jacobian(g, x).numpy()
    np.testing.assert_allclose(hvp, hessian @ v.numpy(), rtol=1e-10)
    # backward-over-forward: the gradient of the JVP
    with ad.GradientTape() as tape:
        tape.watch(x)
        with ad.ForwardAccumulator(x, v) as acc:
            y = f_cubic(x)
        jvp = acc.jvp(y)
    np.testing.assert_allclose(tape.gradient(jvp, x).numpy(), hessian @ v.numpy(), rtol=1e-10)


def test_custom_gradient_jvp_is_its_functions_own_or_its_grad_fn_transposed():
    @ad.custom_gradient
    def square_with_odd_gradient(t):
        return t * t, lambda dy: dy * 100.0

    @ad.custom_gradient
    def outside_the_engine(t):
        return ad.constant(t.numpy() ** 2), lambda dy: dy * 100.0

    x = ad.constant([1.0, 2.0])
    with ad.ForwardAccumulator(x, [1.0, 1.0]) as acc:
        own = square_with_odd_gradient(x)
        transposed = outside_the_engine(x)
    np.testing.assert_allclose(acc.jvp(own).numpy(), [2.0, 4.0])  # as TensorFlow
    np.testing.assert_allclose(acc.jvp(transposed).numpy(), [100.0, 100.0])  # as TensorFlow


def test_the_accumulator_does_not_record_its_own_jvp_ops_on_inner_tapes():
    x = ad.constant(2.0)
    with ad.ForwardAccumulator(x, 1.0) as acc, ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ad.exp(x)
    ops = [n.op for n in tape.graph().nodes if n.kind == "op"]
    assert ops == ["exp"]
    assert acc.jvp(y).numpy() == pytest.approx(np.exp(2.0))


def test_jvps_of_a_layer_equal_the_jacobian_times_the_tangent():
    rng = np.random.default_rng(0)
    x = ad.constant(rng.normal(size=(3, 4)))
    w = ad.Variable(rng.normal(size=(4, 5)))
    tangent = rng.normal(size=(4, 5))

    def layer():
        return ad.nn.log_softmax(ad.nn.gelu(x @ w) + ad.reduce_max(x, axis=1, keepdims=True))

    with ad.ForwardAccumulator(w, tangent) as acc:
        y = layer()
    with ad.GradientTape() as tape:
        y2 = layer()
    jac = tape.jacobian(y2, w).numpy()
    np.testing.assert_allclose(acc.jvp(y).numpy(), np.tensordot(jac, tangent, 2), rtol=1e-10)


# ----------------------------------------------------------------------------- recompute_grad
def deep_chain(x: ad.Tensor, ws: list[ad.Variable], block: int, checkpoint: bool) -> ad.Tensor:
    """`len(ws)` tanh layers, in blocks of `block` (each recomputed when `checkpoint`)."""

    def run(h: ad.Tensor, start: int) -> ad.Tensor:
        for w in ws[start : start + block]:
            h = ad.tanh(h @ w)
        return h

    for start in range(0, len(ws), block):
        step = lambda h, s=start: run(h, s)
        x = ad.recompute_grad(step)(x) if checkpoint else step(x)
    return ad.reduce_sum(x * x)


def gradients(checkpoint: bool, n: int = 48, width: int = 32) -> tuple[list, int]:
    """The gradients of the deep chain, and the peak memory of the forward and backward pass."""
    rng = np.random.default_rng(1)
    ws = [ad.Variable(rng.normal(size=(width, width)) / np.sqrt(width)) for _ in range(n)]
    x = ad.constant(rng.normal(size=(1024, width)))
    tracemalloc.start()
    with ad.GradientTape() as tape:
        loss = deep_chain(x, ws, block=7, checkpoint=checkpoint)
    grads = tape.gradient(loss, ws)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return [g.numpy() for g in grads], peak


def test_recompute_grad_gives_the_tapes_gradient_exactly_with_less_memory():
    plain, plain_peak = gradients(checkpoint=False)
    kept, kept_peak = gradients(checkpoint=True)
    for a, b in zip(plain, kept, strict=True):
        np.testing.assert_array_equal(a, b)
    assert kept_peak < 0.4 * plain_peak, (kept_peak, plain_peak)


def test_recompute_grad_keeps_no_activation_and_differentiates_twice():
    x = ad.constant([0.3, -0.7])
    w = ad.Variable([[1.0, 0.5], [-0.5, 2.0]])
    block = ad.recompute_grad(lambda t: ad.sin(t @ w) * t)
    with ad.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with ad.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = ad.reduce_sum(block(x))
        ops = [n.op for n in tape.graph().nodes if n.kind == "op"]
        gx, gw = tape.gradient(y, [x, w])
    assert ops == ["<lambda>", "reduce_sum"]  # the block is one op: its activations are not kept
    with ad.GradientTape(persistent=True) as outer2:
        outer2.watch(x)
        with ad.GradientTape() as tape2:
            tape2.watch(x)
            y2 = ad.reduce_sum(ad.sin(x @ w) * x)
        gx2, gw2 = tape2.gradient(y2, [x, w])
    np.testing.assert_array_equal(gx.numpy(), gx2.numpy())
    np.testing.assert_array_equal(gw.numpy(), gw2.numpy())
    np.testing.assert_allclose(
        outer.gradient(gx, x).numpy(), outer2.gradient(gx2, x).numpy(), rtol=1e-6
    )


def test_recompute_grad_under_forward_mode():
    x = ad.constant([0.3, -0.7])
    with ad.ForwardAccumulator(x, [1.0, 2.0]) as acc:
        y = ad.recompute_grad(lambda t: ad.exp(t) * t)(x)
    e = np.exp([0.3, -0.7])
    np.testing.assert_allclose(acc.jvp(y).numpy(), (e + e * [0.3, -0.7]) * [1, 2], rtol=1e-6)


def test_recompute_grad_refuses_several_outputs():
    with pytest.raises(TypeError, match="must return one tensor"):
        ad.recompute_grad(lambda t: (t, t))(ad.constant(1.0))


# ----------------------------------------------------------------------------- the widget
def small_forward() -> tuple[ad.ForwardAccumulator, ad.Tensor]:
    x, w = ad.constant(3.0, name="x"), ad.constant(2.0, name="w")
    with ad.ForwardAccumulator(x, 0.5) as acc:
        y = ad.multiply(x, w, name="y")
        z = ad.add(ad.sin(y), x, name="z")
    return acc, z


def test_the_graph_of_an_accumulator_carries_each_nodes_tangent():
    acc, z = small_forward()
    graph = acc.graph(z)
    tangents = {n.name: None if n.tangent is None else float(n.tangent) for n in graph.nodes}
    assert tangents["x"] == 0.5 and tangents["w"] is None and tangents["y"] == 1.0
    assert tangents["z"] == pytest.approx(np.cos(6.0) + 0.5)
    steps = forward_steps(graph)
    assert [graph.nodes[s.node].name for s in steps] == ["y", "sin", "z"]
    for s in steps:  # the contributions sum to the tangent
        np.testing.assert_allclose(sum(s.contributions.values()), s.tangent, rtol=1e-6)


def test_forward_steps_payload_has_captions_in_the_graphs_labels_and_flows_forward():
    acc, z = small_forward()
    steps = forward_steps_payload(acc.graph(z))
    assert steps[0]["direction"] == "forward" and steps[0]["pending"] == ["n2", "n3", "n4"]
    assert "ẏ = ∂y/∂x · ẋ = w · ẋ = 2 × 0.5 = 1" in steps[1]["caption"]
    assert steps[1]["flows"] == [[0, 2, "1"]]  # ∂y/∂x · ẋ sent from x to y
    assert steps[3]["caption"].endswith("ż = 0.9602 + 0.5 = 1.46")
    assert steps[3]["patches"]["n4-tangent"]["lines"] == ["tangent:\u00a01.46"]


def test_draw_and_explore_take_an_accumulator():
    acc, z = small_forward()
    source = viz.draw(acc, target=z).source
    assert "tangent: 0.5" in source.replace("\u00a0", " ") and "grad:" not in source
    widget = viz.explore(acc, z)
    assert widget.step.description == "forward step" and widget.step.max == 3
    assert "3 forward steps" in repr(widget)
    widget.close()
    with pytest.raises(ValueError, match="target of a ForwardAccumulator"):
        viz.draw(acc)
    with pytest.raises(ValueError, match="'forward' needs a ForwardAccumulator"):
        viz.explore(lambda x: x * 2.0, mode="forward", x=1.0)


def test_forward_mode_warns_no_more_than_the_forward_pass():
    """As every op's forward: an infinite or nan tangent is the answer, with no warning."""
    import warnings

    x = ad.constant([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ad.ForwardAccumulator(x, [1.0, 1.0]) as acc:
            y = ad.log(x)
            z = ad.reduce_max(x / x)  # 0/0: nan, through the double-VJP rule
        assert np.isinf(acc.jvp(y).numpy()[0])
        acc.jvp(z)
