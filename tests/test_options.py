"""`viz.options.DrawingOptions`: the drawing options of `viz.draw` and `viz.explore`, checked
once and passed whole along both paths."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

import autodiff as ad
import viz
from viz.options import DEFAULT, FORWARD_SHOW, SHOW, DrawingOptions


def recorded() -> tuple[ad.GradientTape, ad.Tensor]:
    x = ad.Variable(2.0, name="x")
    with ad.GradientTape(persistent=True) as tape:
        y = ad.tanh(x * 3.0, name="y")
    return tape, y


@pytest.mark.parametrize("entry", [viz.draw, viz.explore])
def test_the_entry_points_keywords_are_the_options_with_their_defaults(entry: object) -> None:
    parameters = inspect.signature(entry).parameters
    for field in dataclasses.fields(DrawingOptions):
        if entry is viz.explore and field.name == "graph_attr":
            continue  # explore has no graph_attr
        assert parameters[field.name].default == getattr(DEFAULT, field.name), field.name


def test_options_are_normalised_and_frozen() -> None:
    options = DrawingOptions(show="grad", folded=["scope:a"], color_by=None, graph_attr={})
    assert options.show == ("grad",)
    assert options.folded == frozenset({"scope:a"})
    assert options.color_by == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.show = SHOW  # type: ignore[misc]
    assert DEFAULT.for_forward_mode().show == FORWARD_SHOW
    assert options.for_forward_mode() is options  # a chosen `show` is kept


def test_of_takes_the_options_among_a_calls_arguments() -> None:
    arguments = {"obj": None, "target": None, "rankdir": "LR", "quiz": True, "leaves": {}}
    assert DrawingOptions.of(arguments) == DrawingOptions(rankdir="LR")


@pytest.mark.parametrize(
    ("keywords", "error", "says"),
    [
        ({"show": ["values"]}, ValueError, "show may contain 'value', 'grad'"),
        ({"show": 3}, TypeError, "show must be a list"),
        ({"rankdir": "up"}, ValueError, "rankdir must be 'LR', 'RL', 'TB', 'BT' or None"),
        ({"collapse": -1}, ValueError, "collapse must be None or an int >= 0, got -1"),
        ({"collapse": True}, ValueError, "collapse must be None or an int >= 0, got True"),
        ({"title": 3}, TypeError, "title must be a string or None, got int 3"),
        ({"graph_attr": {"rankdir": "TB"}}, ValueError, "give rankdir='TB' instead"),
        ({"graph_attr": ["a"]}, TypeError, "graph_attr must be a dict"),
        ({"folded": "scope:a"}, TypeError, "folded must be a list of fold keys or None"),
        ({"color_by": "size"}, ValueError, "color_by must be '' or 'grad', got 'size'"),
        ({"detail": "tiny"}, ValueError, "detail must be 'full', 'compact' or None, got 'tiny'"),
    ],
)
def test_a_bad_option_is_named_with_its_value(keywords: dict, error: type, says: str) -> None:
    with pytest.raises(error, match=re.escape(says)):
        DrawingOptions(**keywords)
    tape, y = recorded()
    with pytest.raises(error, match=re.escape(says)):
        viz.draw(tape, target=y, **keywords)
    if "graph_attr" not in keywords:
        with pytest.raises(error, match=re.escape(says)):
            viz.explore(tape, y, **keywords)


def test_draw_and_explore_pass_one_options_object_along() -> None:
    tape, y = recorded()
    diagram = viz.draw(tape, target=y, rankdir="LR", title="t", folded=[], detail="full")
    assert diagram.options == DrawingOptions(rankdir="LR", title="t", folded=[], detail="full")
    assert diagram.widget()._options is diagram.options
    explorer = viz.explore(tape, y, rankdir="LR", color_by="grad", folded=[])
    assert explorer.options == DrawingOptions(rankdir="LR", color_by="grad", folded=[])
    assert explorer.view._options is explorer.options
    assert explorer.view.color_by == "grad"
    assert explorer.view.drawing.level.rankdir == "LR"
