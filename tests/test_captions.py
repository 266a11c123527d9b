"""The step captions: the graph's own unique labels, parenthesised, formulas in those labels,
accumulation stated, and the upstream × local product also where the upstream has zeros."""

from __future__ import annotations

import numpy as np

import autodiff as ad
from viz import names
from viz.explore import backward_steps_payload


def captions(build) -> list[str]:
    with ad.GradientTape(persistent=True) as tape:
        target = build()
    return [s["caption"] for s in backward_steps_payload(tape.graph(target))[1:]]


def test_unnamed_nodes_get_unique_labels_everywhere() -> None:
    assert names.unique(["x", "multiply", "multiply", "y", "multiply"]) == [
        "x",
        "multiply#1",
        "multiply#2",
        "y",
        "multiply#3",
    ]
    x, y = ad.Variable(2.0, name="x"), ad.Variable(3.0, name="y")
    steps = captions(lambda: x * y * x)
    assert steps[0].startswith("Step 1 of 2 · multiply#2 = multiply(multiply#1, x)")
    first = "→ multiply#1: ∂multiply#2/∂multiply#1 = x = 2; upstream × local = 1 × 2 = 2"
    assert first in steps[0]
    assert "∂multiply/∂multiply" not in "".join(steps)


def test_labels_that_are_expressions_are_parenthesised() -> None:
    x1, w1 = ad.Variable(2.0, name="x1"), ad.Variable(-3.0, name="w1")

    def build() -> ad.Tensor:
        s = ad.multiply(x1, w1, name="x1*w1 + x2*w2")
        return ad.tanh(s, name="out")

    steps = captions(build)
    assert "∂out/∂(x1*w1 + x2*w2) = 1 - tanh²(x1*w1 + x2*w2) = " in steps[0]
    assert "→ w1: ∂(x1*w1 + x2*w2)/∂w1 = x1 = 2;" in steps[1]
    assert names.symbol("h#2") == "h#2" and names.symbol("dense/kernel") == "dense/kernel"


def test_formula_placeholders_become_the_inputs_labels() -> None:
    """matmul's formula says `aᵀ @ g`; next to a bias called `b` it must name the inputs."""
    x = ad.constant([[1.0, 2.0]], name="x")
    w = ad.Variable([[1.0], [2.0]], name="w")
    b = ad.Variable([0.5], name="b")
    steps = captions(lambda: ad.reduce_sum(x @ w + b))
    matmul = steps[-1]
    assert "→ w: xᵀ @ upstream = [[1] [2]]" in matmul
    assert "aᵀ" not in matmul and "@ g" not in matmul
    add = steps[1]
    assert "→ b: ∂add/∂b = 1; upstream × local, summed over the broadcast axes" in add


def test_a_second_contribution_says_how_it_adds_up() -> None:
    x, y = ad.Variable(2.0, name="x"), ad.Variable(3.0, name="y")
    steps = captions(lambda: ad.add(x * y, x, name="f"))
    assert "→ x: ∂f/∂x = 1; upstream × local = 1 × 1 = 1" in steps[0]
    second = "→ x: ∂multiply/∂x = y = 3; upstream × local = 1 × 3 = 3; 1 so far + 3 = 4"
    assert second in steps[1]


def test_the_product_is_shown_where_the_upstream_gradient_has_zeros() -> None:
    """A one-hot cross-entropy sends zeros back: the local derivative is still computed."""
    y = ad.constant([0.0, 1.0, 0.0], name="y")
    logits = ad.Variable([1.0, 2.0, 0.5], name="logits")

    def build() -> ad.Tensor:
        logp = ad.log(ad.softmax(logits), name="logp")
        return ad.negative(ad.reduce_sum(y * logp), name="loss")

    steps = captions(build)
    log_step = next(s for s in steps if "logp = log(" in s.splitlines()[0])
    p = np.exp([1.0, 2.0, 0.5]) / np.exp([1.0, 2.0, 0.5]).sum()
    assert "upstream × local = [-0 -1 -0]" not in log_step  # -0 is shown as 0
    assert "∂logp/∂softmax = 1/softmax = " in log_step
    local = " ".join(f"{v:.4g}" for v in 1 / p.astype(np.float32))
    assert f"upstream × local = [0 -1 0] × [{local}] = [0 -1.591 0]" in log_step
    softmax = next(s for s in steps if "· softmax(logits)" in s.splitlines()[0])
    assert "upstream × local" not in softmax  # not elementwise: no quotient pretending to be
    assert "∂softmax/∂logits = diag(s) - s·sᵀ; upstream · Jacobian = [" in softmax


def test_minus_zero_is_shown_as_zero() -> None:
    from viz import text

    assert text.number(-0.0) == "0" and text.number(np.float32(-0.0)) == "0"
    assert text.array_lines(np.array([-0.0, 1.0], np.float32)) == ["[0 1]"]


def test_an_edge_carries_a_few_numbers_in_full_and_a_larger_array_as_its_norm() -> None:
    from viz.captions import flow_text

    assert flow_text(np.array([0.5, -1.0], np.float32)) == "[0.5 -1]"
    assert flow_text(np.full((4, 4), 0.25, np.float32)) == "‖·‖ 1"
