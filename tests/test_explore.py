"""viz.explore driven through its widget model: sliders, patches, steps, captions, errors.

The browser's side (patching the SVG, stepping without the kernel) is covered by the browser
tests; here we assert what Python sends.
"""

from __future__ import annotations

import json

import models
import numpy as np
import pytest

import autodiff as ad
import viz
from viz import dot as dotlib
from viz.sliders import clean
from viz.sliders import grid as grid_of

NBSP = "\u00a0"


def plain(lines: list[str]) -> str:
    return " ".join(" ".join(lines).replace(NBSP, " ").split())


def seed() -> tuple[ad.GradientTape, ad.Tensor]:
    w = ad.Variable([[1, 2], [3, 4], [5, 6]], dtype=ad.float32, name="w")
    b = ad.Variable(ad.zeros(2, dtype=ad.float32), name="b")
    x = [[1, 2, 3]]
    with ad.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = ad.reduce_mean(y**2)
    return tape, loss


def slider(explorer: viz.Explorer, label: str):
    return {control.label: widget for control, widget in explorer.sliders}[label]


def steps(explorer: viz.Explorer) -> list[dict]:
    return json.loads(explorer.view.steps)


def test_one_slider_per_element_of_small_leaves_with_names_as_labels() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    labels = [control.label for control, _ in explorer.sliders]
    assert labels == [f"w[{i}, {j}]" for i in range(3) for j in range(2)] + ["b[0]", "b[1]"]
    w01 = slider(explorer, "w[0, 1]")
    assert (w01.value, w01.min, w01.max) == (2.0, -2.0, 6.0)  # value ± max(2|value|, 1)
    assert slider(explorer, "b[0]").min == -1.0


def test_ranges_can_be_set() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss, ranges={"w": (-10, 10), "b[1]": (0, 1)})
    assert (slider(explorer, "w[2, 1]").min, slider(explorer, "w[2, 1]").max) == (-10, 10)
    assert (slider(explorer, "b[1]").min, slider(explorer, "b[1]").max) == (0, 1)
    with pytest.raises(ValueError, match="low < high"):
        viz.explore(tape, loss, ranges={"w": (1, 0)})


def test_large_leaves_get_one_compact_row_scale_shift_and_an_element_picker() -> None:
    w = ad.Variable(np.ones((4, 5), np.float32), name="w")
    with ad.GradientTape() as tape:
        loss = ad.reduce_sum(w * w)
    explorer = viz.explore(tape, loss)
    assert [c.label for c, _ in explorer.sliders] == ["w ×", "w +", "w[·]"]
    row = explorer.children[0]
    label, scale, shift, picker, element = row.children  # (each slider with its readout)
    (scale, _), (shift, _), (element, element_box) = (b.children for b in (scale, shift, element))
    assert label.value == "<b>w</b> 4×5:"  # the tensor, named with its shape
    assert [scale.description, shift.description] == ["w ×", "w +"]
    assert "multiplies every element of w" in scale.tooltip
    assert element.layout.display == element_box.layout.display == "none"
    assert len(picker.options) == 1 + 20
    scale.value = 2.0
    assert plain(explorer.view.patches["n2-value"]["lines"]) == "value: 80"  # sum of 2² × 20

    picker.value = (1, 2)  # one element gets its own slider, at its value before × and +
    assert element.layout.display is None and element.description == "w[1, 2]"
    assert element_box.layout.display is None and element_box.value == "1"
    assert element.value == 1.0 and (element.min, element.max, element.step) == (-1, 3, 0.05)
    before = explorer.graph
    element.value = 3.0
    w_now = explorer.graph["w"].value
    assert w_now[1, 2] == 6.0 and np.all(np.delete(w_now.ravel(), 7) == 2.0)  # 3 × 2
    assert plain(explorer.view.patches["n2-value"]["lines"]) == f"value: {19 * 4 + 36}"
    shift.value = 1.0  # base × scale + shift, with the picked element as set
    assert explorer.graph["w"].value[1, 2] == 7.0 and explorer.graph is not before
    picker.value = ""
    assert element.layout.display == "none"


def recorded_messages(explorer: viz.Explorer) -> list[dict]:
    """The custom messages the explorer's view sends to the browser, from now on."""
    messages: list[dict] = []
    explorer.view.send = messages.append  # type: ignore[method-assign]
    return messages


def test_moving_a_slider_sends_only_the_changed_numbers() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    dot = explorer.view.dot
    messages = recorded_messages(explorer)
    slider(explorer, "b[0]").value = 1.0  # y = [[23, 28]], loss = (529 + 784) / 2
    (message,) = messages
    patches = message["patches"]
    assert plain(patches["n7-value"]["lines"]) == "value: 656.5"
    assert plain(patches["n3-value"]["lines"]) == "value: [1 0]"
    assert plain(patches["n3-grad"]["lines"]) == "grad: [23 28]"
    assert plain(patches["n1-grad"]["lines"]) == "grad: [[23 28] [46 56] [69 84]]"
    assert "n1-value" not in patches and "n0-value" not in patches  # w and x did not change
    assert explorer.view.dot == dot  # no new layout
    assert explorer.graph.nodes[7].value == 656.5
    # the trait holds the whole present state (a new view draws from it), not the delta
    assert explorer.view.patches == dotlib.fields(explorer.graph)
    assert plain(explorer.view.patches["n1-value"]["lines"]).startswith("value: [[1 2]")
    assert "[1. 0.]" in explorer.view.details["n3"]["lines"]  # b's panel too, before a click


def test_patches_match_a_fresh_run() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    slider(explorer, "w[1, 0]").value = -2.5
    w = ad.Variable([[1, 2], [-2.5, 4], [5, 6]], name="w")
    b = ad.Variable(ad.zeros(2), name="b")
    with ad.GradientTape() as fresh:
        again = ad.reduce_mean(([[1, 2, 3]] @ w + b) ** 2)
    expected = dotlib.fields(fresh.graph(again))
    for key, cell in explorer.view.patches.items():
        assert cell == expected[key]


def test_steps_walk_the_backward_pass_with_captions() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    payload = steps(explorer)
    assert len(payload) == 5  # the forward pass, then reduce_mean, pow, add, matmul
    assert explorer.step.max == 4 and explorer.step.value == 4 and explorer.view.step == 4
    assert [s["current"] for s in payload] == ["", "n7", "n6", "n4", "n2"]
    assert payload[0]["pending"] == ["n1", "n2", "n3", "n4", "n6", "n7"]
    assert all(plain(c["lines"]) == "grad: …" for c in payload[0]["base"].values())
    add = payload[3]
    assert add["edges"] == [[2, 4], [3, 4]] and add["nodes"] == ["n2", "n3"]
    done = [set(s["done"]) for s in payload]
    pending_at_add = [n for n in payload[0]["pending"] if not any(n in d for d in done[:4])]
    assert pending_at_add == ["n1", "n2"]  # matmul and w wait; b got its last contribution
    assert "[[22 28]] × [[1 1]] = [[22 28]]" in add["caption"]
    assert "→ b: ∂add/∂b = 1; upstream × local, summed over the broadcast axes" in add["caption"]
    assert "(1, 2) → (2,) = [22 28]" in add["caption"]
    pow_step = payload[2]["caption"]
    assert "[[0.5 0.5]] × [[44 56]] = [[22 28]]" in pow_step  # upstream × 2y = contribution
    last = payload[-1]
    assert set().union(*done) == set(payload[0]["pending"])  # every gradient final at the end
    assert plain(last["patches"]["n1-grad"]["lines"]) == ("grad: [[22 28] [44 56] [66 84]]")
    explorer.step.value = 1
    assert explorer.view.step == 1


def test_the_last_step_equals_the_full_gradient() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    slider(explorer, "w[0, 0]").value = 0.5
    shown = {}
    for step in steps(explorer):
        shown.update(step.get("base", {}))
        shown.update(step["patches"])
    final = dotlib.fields(explorer.graph)
    assert {k: v for k, v in final.items() if k.endswith("-grad") and k in shown} == shown


def test_nan_is_marked_with_a_message_and_the_widget_keeps_working() -> None:
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape() as tape:
        y = ad.log(x) * 3.0
    explorer = viz.explore(tape, y)
    slider(explorer, "x").value = -1.0
    assert explorer.view.patches["n1-value"]["nan"]
    assert "log produced nan" in explorer.view.message
    slider(explorer, "x").value = 1.0
    assert explorer.view.message == ""
    assert plain(explorer.view.patches["n3-value"]["lines"]) == "value: 0"


def test_explore_a_function_follows_control_flow() -> None:
    def relu_ish(x: ad.Tensor, w: ad.Tensor) -> ad.Tensor:
        z = x * w
        if z > 0:
            return z * 2.0
        return ad.exp(z)

    explorer = viz.explore(relu_ish, x=1.5, w=2.0)
    first = explorer.view.dot
    assert "multiply" in first and "exp" not in first
    slider(explorer, "w").value = -1.0  # another path: a new layout
    assert "exp" in explorer.view.dot
    assert plain(explorer.view.patches["n3-value"]["lines"]) == f"value: {np.exp(-1.5):.4g}"
    slider(explorer, "x").value = 1.0  # same path: only patches
    dot = explorer.view.dot
    slider(explorer, "x").value = 0.5
    assert explorer.view.dot == dot
    assert plain(explorer.view.patches["n0-value"]["lines"]) == "value: 0.5"


def test_errors_in_f_are_shown_not_raised() -> None:
    def picky(x: ad.Tensor) -> ad.Tensor:
        if x > 3:
            raise ValueError("x too big")
        return x * x

    explorer = viz.explore(picky, x=1.0, ranges={"x": (0, 5)})
    slider(explorer, "x").value = 3.5
    assert explorer.view.message == "ValueError: x too big"
    slider(explorer, "x").value = 2.0
    assert explorer.view.message == ""
    assert plain(explorer.view.patches["n1-value"]["lines"]) == "value: 4"


def test_clicking_a_node_sends_its_details() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss, ranges={"b": (-5, 5)})
    slider(explorer, "b[1]").value = 2.0
    explorer.view.selected = "n3"
    details = explorer.view.details["n3"]
    assert details["title"] == "b · variable"
    assert "[0. 2.]" in "\n".join(details["lines"])


def test_bad_calls_say_what_to_do() -> None:
    tape, loss = seed()
    with pytest.raises(TypeError, match="expected a GradientTape"):
        viz.explore(42)
    with pytest.raises(TypeError, match="for explore\\(f"):
        viz.explore(tape, loss, x=1.0)
    with pytest.raises(ValueError, match="give the leaves"):
        viz.explore(lambda: ad.constant(1.0))
    with pytest.raises(TypeError, match="must return a tensor"):
        viz.explore(lambda x: 3.0, x=1.0)
    with pytest.raises(ValueError, match="no float leaf named"):
        viz.explore(tape, loss, sliders=["nope"])
    with pytest.raises(ValueError, match="needs a target"):
        viz.explore(tape.graph())


def test_sliders_can_pick_any_float_leaf() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss, sliders=["[[1, 2, 3]]"])
    assert [c.label for c, _ in explorer.sliders] == [
        "[[1, 2, 3]][0, 0]",
        "[[1, 2, 3]][0, 1]",
        "[[1, 2, 3]][0, 2]",
    ]


def test_slider_grids_lie_on_round_numbers_and_start_at_the_recorded_value() -> None:
    """The grid min + k·step is round (…, 5.9, 6.0, 6.1, …) and the slider starts at the
    recorded value; the browser's snap of that value onto the grid is not a move, a typed
    value is taken exactly, and keys move a sensible amount."""
    b = ad.Variable(6.8813735870195432, name="b")
    w = ad.Variable(2.0, name="w")
    with ad.GradientTape() as tape:
        out = ad.tanh(w * b, name="out")
    explorer = viz.explore(tape, out, ranges={"b": (-2, 10), "w": (-3, 3)})
    grids = {"b": (-2.0, 10.0, 0.2), "w": (-3.0, 3.0, 0.1)}
    for label, (lo, hi, step) in grids.items():
        widget = slider(explorer, label)
        assert (widget.min, widget.max, widget.step) == (lo, hi, step)
        assert 1 / step <= 20  # 0 to 1 in at most 20 key presses
    b_slider = slider(explorer, "b")
    assert b_slider.value == float(np.float32(6.8813735870195432))  # as recorded
    before = explorer.graph
    b_slider.value = -2.0 + 44 * 0.2  # the browser snaps 6.8814 to the grid: no move
    assert explorer.graph is before
    b_slider.value = 6.0  # typed into the readout
    assert explorer.graph["b"].value == 6.0
    assert explorer.graph["out"].value == np.tanh(np.float32(12.0))
    b_slider.value = -2.0 + 0.2 * 41  # 6.200000000000001: the grid's rounding is cleaned
    assert float(explorer.graph["b"].value) == float(np.float32(6.2))
    assert grid_of(0.0, -40.0, 40.0) == (-40.0, 40.0, 1.0)
    assert grid_of(0.7071, -1.2929, 2.7071) == (-1.3, 2.75, 0.05)


def test_a_slider_value_rounded_by_the_browser_is_not_a_move() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    b0 = slider(explorer, "b[0]")
    before = explorer.graph
    messages = recorded_messages(explorer)
    b0.value = b0.value + 1e-13  # min + k·step computed in floating point, echoed back
    assert explorer.graph is before and messages == []
    b0.value = b0.value + b0.step  # one step: a real move
    assert explorer.graph is not before and messages


def test_a_leaf_that_is_not_finite_gets_a_clear_error() -> None:
    x = ad.Variable(np.inf, name="x")
    with ad.GradientTape() as tape:
        y = ad.exp(-x)
    with pytest.raises(ValueError, match=r"slider 'x' needs finite numbers.*ranges="):
        viz.explore(tape, y)


def test_a_range_for_no_slider_is_a_clear_error() -> None:
    tape, loss = seed()
    with pytest.raises(ValueError, match=r"no slider named \['q'\]; the sliders are \['w', "):
        viz.explore(tape, loss, ranges={"q": (0, 1)})
    w = ad.Variable(np.ones((4, 4), np.float32), name="W")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(w * w)
    with pytest.raises(
        ValueError, match=r"ranges\['W'\]: W has 16 elements .*'W ×': \(0, 4\), 'W \+'"
    ):
        viz.explore(tape, y, ranges={"W": (0, 4)})
    explorer = viz.explore(tape, y, ranges={"W ×": (0, 4)})
    scale = explorer.sliders[0][1]
    assert (scale.description, scale.min, scale.max) == ("W ×", 0.0, 4.0)


def test_a_zero_tensor_leaf_moves_with_its_shift_slider() -> None:
    """A zero-initialised bias cannot be scaled away from 0: its "+" slider shifts it."""
    b = ad.Variable(np.zeros(8, np.float32), name="b")
    w = ad.Variable(np.arange(8, dtype=np.float32), name="w")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.reduce_sum(ad.square(w + b))
    explorer = viz.explore(tape, y)
    scale, shift = slider(explorer, "b ×"), slider(explorer, "b +")
    shift.value = 0.5
    assert explorer.graph["b"].value.tolist() == [0.5] * 8
    scale.value = 2.0  # still 0 × 2 + 0.5
    assert explorer.graph["b"].value.tolist() == [0.5] * 8
    slider(explorer, "w ×").value = 2.0
    slider(explorer, "w +").value = -1.0
    assert explorer.graph["w"].value.tolist() == (np.arange(8) * 2.0 - 1.0).tolist()
    assert float(explorer.graph.nodes[explorer.graph.target].value) == pytest.approx(
        float(np.sum((np.arange(8) * 2.0 - 1.0 + 0.5) ** 2))
    )


def test_the_text_form_says_what_the_widget_is() -> None:
    tape, loss = seed()
    explorer = viz.explore(tape, loss)
    data = explorer._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert data["text/plain"] == (
        "<viz.explore widget: 8 nodes, target 'loss'; sliders: w[0, 0], w[0, 1], "
        "w[1, 0], w[1, 1], w[2, 0], w[2, 1], b[0], b[1]; 4 backward steps. Run the notebook "
        "in Jupyter to use it.>"
    )
    text = viz.draw(tape, target=loss)._repr_mimebundle_()["text/plain"]
    assert text.splitlines()[1] == (
        "A diagram of a recorded graph: 8 nodes, 4 operations, target 'loss'. In Jupyter "
        "it is drawn as an interactive widget with every value and gradient; outside, "
        ".save('graph.svg') draws it with Graphviz."
    )


def test_a_quiz_can_ask_only_at_the_tricky_steps_one_element_of_a_large_gradient() -> None:
    namespace = models.ninja_namespace()
    exec(
        "import viz\n_e = viz.explore(tape, loss, quiz=['bnvar', 'counts_sum_inv', 'logit_maxes'])",
        namespace,
    )
    explorer = namespace["_e"]
    graph = explorer.graph
    asked = {s["current"]: s for s in steps(explorer) if "question" in s}
    want = {f"n{graph[name].id}" for name in ("bnvar", "counts_sum_inv", "logit_maxes")}
    assert set(asked) == want
    bnvar = asked[f"n{graph['bnvar'].id}"]
    upstream = next(
        s.upstream for s in graph.backward_steps() if s.node == graph["bnvar"].id
    ).astype(np.float64)
    index = np.unravel_index(np.argmax(np.abs(upstream)), upstream.shape)
    assert f"at element [{index[0]}, {index[1]}]" in bnvar["question"]
    assert bnvar["answer"] == [float(upstream[index])] and bnvar["shape"] == []
    with pytest.raises(ValueError, match=r"'nope'\] is not an op of the graph.*quiz=True"):
        viz.explore(namespace["tape"], namespace["loss"], quiz=["nope"])


def test_a_readout_shows_the_exact_value_and_takes_a_typed_one() -> None:
    """Beside each slider, the leaf's exact value as the diagram prints it (the handle snaps
    to the grid, the number does not); a typed value is taken exactly, even off the grid or
    the range."""
    b = ad.Variable(6.8813735870195432, name="b")
    with ad.GradientTape() as tape:
        out = ad.tanh(b * 2.0, name="out")
    explorer = viz.explore(tape, out, ranges={"b": (-2, 10)})
    b_slider, box = slider(explorer, "b"), explorer.readouts["b"]
    assert box.value == "6.881" and not b_slider.readout
    b_slider.value = -2.0 + 44 * 0.2  # the browser's snap of 6.8814: no move, number kept
    assert box.value == "6.881"
    box.value = "6.123"  # typed, off the grid
    assert explorer.graph["b"].value == np.float32(6.123) and b_slider.value == 6.123
    assert box.value == "6.123"
    b_slider.value = 6.4  # dragged: the number follows the handle
    assert box.value == "6.4" and explorer.graph["b"].value == np.float32(6.4)
    box.value = "twelve"
    assert "'twelve' is not a number" in explorer.view.message and box.value == "6.4"
    box.value = "\u221220"  # beyond the range, with a typographic minus
    assert explorer.graph["b"].value == -20.0 and b_slider.min <= -20.0


def test_a_value_on_the_grid_is_cleaned_of_the_browsers_rounding() -> None:
    assert clean(-2.220446049250313e-16, 0.05) == 0.0  # min + k·step, shown as 0
    assert clean(6.000000000001, 0.2) == 6.0 and clean(6.2000000000000002, 0.2) == 6.2
    assert clean(0.7071, 0.05) == 0.7071  # a value off the grid (typed) is kept
