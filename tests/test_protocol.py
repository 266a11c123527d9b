"""One protocol between Python and the browser: `viz/protocol.json` (read by `viz.protocol`).

The widget's traits are made from it, `export_html` writes the traits it marks `export`, and
the JavaScript in `viz/js` reads, sets and sends only what it declares, and all of it (no
dead trait). The JavaScript is read as text: `model.get("name")` and `"change:name"` read a
trait, `model.set("name", ...)` and `report({name: ...})` set one, `send({kind: ...})` sends a
message and `msg.kind` reads one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import anywidget
import ipywidgets
import pytest

import autodiff as ad
import viz
from viz import protocol
from viz.explore import backward_steps_payload, forward_steps_payload
from viz.export import _state
from viz.renderer import Renderer
from viz.widget import GraphView

ROOT = Path(__file__).resolve().parent.parent
JS = {  # the widget's modules (not unit tests of them, whose fake models set anything)
    path.name: path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "viz/js").glob("*.js"))
    if not path.name.endswith((".test.js", ".spec.js"))
}
# set in the browser by a link, not by viz/js: the step slider's jslink (viz.explore), and
# the slider of an export_html page
SET_BY_LINKS = {"step"}


def _found(pattern: str, group: int = 1) -> set[str]:
    return {m.group(group) for source in JS.values() for m in re.finditer(pattern, source)}


def _object_keys(pattern: str) -> set[str]:
    """The keys of the object literals that `pattern` (ending in an opening brace) opens,
    written `key: value` or `key` alone."""
    keys: set[str] = set()
    for source in JS.values():
        for m in re.finditer(pattern + r"([^{}]*)\}", source):
            for part in re.split(r",(?![^()\[\]]*[)\]])", m.group(1)):
                key = re.match(r"\s*(\w+)\s*(?::|$)", part)
                if key:
                    keys.add(key.group(1))
    return keys


def _traits(side: str, role: str) -> set[str]:
    return {
        name
        for traits in protocol.MODELS.values()
        for name, t in traits.items()
        if side in getattr(t, role)
    }


def _messages(sender: str) -> set[str]:
    return {kind for kind, m in protocol.MESSAGES.items() if m.sender == sender}


def _synced(cls: type, base: type) -> dict[str, object]:
    own = set(cls.class_traits(sync=True)) - set(base.class_traits(sync=True))
    return {name: cls.class_traits()[name] for name in own}


@pytest.mark.parametrize(
    ("cls", "base", "model"),
    [(GraphView, anywidget.AnyWidget, "GraphView"), (Renderer, ipywidgets.Widget, "Renderer")],
)
def test_the_models_traits_are_the_declared_ones(cls: type, base: type, model: str) -> None:
    traits = _synced(cls, base)
    declared = protocol.MODELS[model]
    assert sorted(traits) == sorted(declared)
    for name, trait in traits.items():
        assert trait.default() == declared[name].default, name


def test_a_view_has_each_declared_default_and_its_own_containers() -> None:
    one, two = GraphView(), GraphView()
    for name, t in protocol.TRAITS.items():
        if not name.startswith("_"):
            assert getattr(one, name) == t.default, name
    one.details["n0"] = {}
    assert two.details == {}


def test_the_javascript_reads_every_trait_it_is_declared_to_read_and_no_other() -> None:
    read = _found(r'\.get\(\s*"(\w+)"\s*\)') | _found(r'"change:(\w+)"')
    assert read == _traits("js", "read_by")


def test_the_javascript_sets_only_the_traits_the_browser_may_set() -> None:
    written = _found(r'\.set\(\s*"(\w+)"') | _object_keys(r"\breport\(\s*\{")
    assert written == _traits("js", "set_by") - SET_BY_LINKS


def test_the_browser_sends_and_reads_the_declared_messages() -> None:
    assert _object_keys(r"\bsend\(\s*\{") == _messages("js")
    assert _found(r"\bmsg\.(\w+)") == _messages("python")


def test_python_handles_every_browser_message_and_sends_only_declared_ones() -> None:
    assert set(GraphView()._handlers) == _messages("js")
    sources = {p.name: p.read_text() for p in (ROOT / "viz").glob("*.py")}
    sends = [
        (name, line.strip())
        for name, text in sources.items()
        for line in text.splitlines()
        if re.search(r"\bself\.send\(", line)
    ]
    assert sends and all("protocol.message(" in line for _, line in sends), sends
    with pytest.raises(ValueError, match="not a message Python sends"):
        protocol.message("picture", "<svg/>")
    with pytest.raises(TypeError, match="carries a dict"):
        protocol.message("patches", [])


def test_a_browser_message_is_read_only_when_declared_and_well_typed() -> None:
    content = {"check": "n1", "coarser": "yes", "picture": 3, "other": 1, "detail": "full"}
    assert list(protocol.received(content)) == [("detail", "full"), ("check", "n1")]
    assert list(protocol.received(["coarser"])) == []


def test_the_constants_are_shared_with_the_javascript() -> None:
    from viz import saved

    assert saved.MAX_PICTURE == protocol.CONSTANTS["MAX_PICTURE"] == 3_000_000
    assert 'from "../protocol.json"' in JS["saved.js"]
    assert "3_000_000" not in "".join(JS.values())


def _graph() -> ad.Graph:
    x = ad.Variable([1.0, 2.0], name="x")
    with ad.GradientTape() as tape:
        y = ad.reduce_sum(ad.tanh(x * 3.0), name="y")
    return tape.graph(y)


def test_the_steps_carry_only_declared_fields_and_every_one_is_used() -> None:
    graph = _graph()
    payloads = [backward_steps_payload(graph), backward_steps_payload(graph, quiz=True)]
    acc_x = ad.Variable(2.0, name="x")
    with ad.ForwardAccumulator(acc_x, 1.0) as acc:
        out = ad.sin(acc_x * acc_x, name="out")
    payloads.append(forward_steps_payload(acc.graph(out)))
    fields = {key for payload in payloads for step in payload for key in step}
    assert fields == set(protocol.STEP_FIELDS)


def test_an_exported_page_holds_the_declared_traits() -> None:
    tape_x = ad.Variable(2.0, name="x")
    with ad.GradientTape() as tape:
        y = ad.tanh(tape_x * 3.0, name="y")
    state = _state(viz.draw(tape, target=y).widget())
    assert list(state) == list(protocol.EXPORTED)
    json.dumps(state, default=list)
