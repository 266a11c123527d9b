"""The step captions: the graph's own unique labels, parenthesised, formulas in those labels,
accumulation stated, and the upstream × local product also where the upstream has zeros."""

from __future__ import annotations

import re

import numpy as np
import pytest
from models import backprop_ninja, deep_scoped_chain, mlp_step, ninja_namespace, rnn_unrolled

import autodiff as ad
from viz import names
from viz.code_names import named_like_code
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


# ----------------------------------------------------------------------------- tensors
def number(text: str) -> float:
    return float(text.strip("()"))


def test_a_tensor_step_works_the_largest_element_through_with_real_numbers() -> None:
    rng = np.random.default_rng(3)
    a = ad.Variable(rng.standard_normal((4, 5)), name="a")
    b = ad.Variable(rng.standard_normal((4, 5)), name="b")
    steps = captions(lambda: ad.reduce_sum(ad.multiply(a, b, name="ab") ** 2))
    step = next(s for s in steps if "ab = multiply(a, b)" in s)
    assert "the gradient arriving is ∂reduce_sum/∂ab, an array of shape (4, 5)" in step
    line = next(line for line in step.splitlines() if line.startswith("  → a:"))
    assert line.startswith("  → a: ∂ab/∂a = b, elementwise; upstream × local; for [")
    found = re.search(r"for \[(\d+), (\d+)\]: upstream (\S+) × local (\S+) = (\S+)$", line)
    assert found is not None, line
    r, c = int(found[1]), int(found[2])
    contribution = 2 * (a.numpy() * b.numpy()) * b.numpy()
    assert (r, c) == np.unravel_index(np.argmax(np.abs(contribution)), (4, 5))
    upstream, local, value = (number(found[k]) for k in (3, 4, 5))
    assert local == pytest.approx(b.numpy()[r, c], rel=1e-3)
    assert value == pytest.approx(contribution[r, c], rel=1e-3)
    assert upstream * local == pytest.approx(value, rel=2e-3)
    square = captions(lambda: ad.reduce_mean(a * a))[-1]  # an input used twice
    said = r"→ a: ∂multiply/∂a = a \+ a, elementwise; upstream × local;"
    said += r" for \[\d, \d\]: upstream 0\.05 "
    assert re.search(said, square), square


def test_tensor_captions_have_no_summaries_or_norms() -> None:
    """min/mean/max triples cannot be checked by hand; norms added read as wrong sums."""
    lecture = ninja_namespace()  # named like the lecture's code
    graph = named_like_code(lecture["tape"].graph(lecture["loss"]), [lecture])
    steps = [s["caption"] for s in backward_steps_payload(graph)[1:]]
    assert len(steps) == 28
    for step in steps:
        assert " min " not in step and " mean " not in step and "‖" not in step, step
        for line in step.splitlines()[1:]:
            assert "; for [" in line or "upstream × local = " in line or "= -1" in line, line
    # the accumulation of bndiff's two contributions is a sum of arrays, for one element
    bndiff2 = next(s for s in steps if "bndiff2 = pow(bndiff, 2)" in s)
    found = re.search(
        r"a sum of \(32, 64\) arrays: for \[\d+, \d+\]: (\S+) so far \+ (\S+) = (\S+)$", bndiff2
    )
    assert found is not None, bndiff2
    before, added, total = (number(found[k]) for k in (1, 2, 3))
    assert before + added == pytest.approx(total, rel=1e-3, abs=1e-9)


def test_every_step_of_the_course_models_is_said_without_summaries() -> None:
    for tape, loss in (mlp_step(), mlp_step(batch=1), rnn_unrolled(5), deep_scoped_chain(3)):
        for step in backward_steps_payload(tape.graph(loss))[1:]:
            assert " min " not in step["caption"] and "‖" not in step["caption"], step


def test_indexing_scatters_back_into_a_zero_array_of_the_inputs_shape() -> None:
    tape, loss = backprop_ninja()
    graph = tape.graph(loss)
    steps = [s["caption"] for s in backward_steps_payload(graph)[1:]]
    picked = next(s for s in steps if "= getitem(log)" in s)  # logprobs[range(n), Yb]
    assert "→ log: upstream scattered back into a zero array of log's shape (32, 27)" in picked
    assert "(32 of 864 elements get some)" in picked
    found = re.search(r"for \[(\d+), (\d+)\]: upstream\[\1\] = -0\.03125$", picked)
    assert found is not None, picked
    yb = np.asarray(graph.nodes[graph.target - 2].attrs["index"][1])
    assert int(found[2]) == yb[int(found[1])]  # the element picked in that row
    # an embedding row picked several times gets the sum of its copies (C[Xb])
    embedding = next(s for s in steps if "(27, 10)" in s)
    found = re.search(r"copied from it, .* \+ … \((\d+) terms, the largest first\)", embedding)
    assert found is not None and int(found[1]) > 3, embedding
    x = ad.Variable(np.arange(20.0).reshape(5, 4), name="x")
    step = captions(lambda: ad.reduce_sum(x[[0, 2, 2]] * x[[0, 2, 2]]))[-1]
    assert "→ x: upstream scattered back into a zero array of x's shape (5, 4)" in step
    assert "(8 of 20 elements get some)" in step
    assert "for [2, 3]: the upstream elements copied from it, 11 + 11 = 22; added to" in step
    assert step.endswith("a sum of (5, 4) arrays: for [2, 3]: 22 so far + 22 = 44")


def test_matmul_broadcast_and_concat_say_their_element() -> None:
    rng = np.random.default_rng(4)
    x = ad.Variable(rng.standard_normal((4, 3)), name="x")
    w = ad.Variable(rng.standard_normal((3, 5)), name="w")
    b = ad.Variable(rng.standard_normal((1, 5)), name="b")
    steps = captions(lambda: ad.reduce_sum(ad.concat([x @ w + b, x @ w], axis=0) ** 2))
    text = "\n".join(steps)
    matmul = r"→ w: xᵀ @ upstream; for \[(\d), (\d)\]: Σₖ x\[k, \1\] × upstream\[k, \2\] = "
    assert re.search(matmul, text), text
    broadcast = re.search(
        r"→ b: ∂add/∂b = 1; upstream × local, summed over the broadcast axes, \(4, 5\) → "
        r"\(1, 5\); for \[0, \d\]: Σ of 4 products upstream × local = .* \+ … \(4 terms, "
        r"the largest first\) = ",
        text,
    )
    assert broadcast is not None, text
    sliced = (
        r"→ matmul#2: the matching slice of the gradient; for \[0, (\d)\]: upstream\[4, \1\] = "
    )
    assert re.search(sliced, text), text
