"""What Python and the browser say to each other, declared once: `viz/protocol.json`.

The JSON file is the single source, as `viz/palette.json` is for colours:

- `models`: every synced trait of each model (`GraphView`, `Renderer`): its type, default,
  who sets it and who reads it (`python`, `js`), whether `export_html` writes it into its
  page, and what it holds. `viz.widget.GraphView` and `viz.renderer.Renderer` make their
  traits from it (`trait_types`);
- `messages`: the custom messages, one key each (`{"check": "n3"}`), and which side sends
  them (`message` makes one, `received` reads the browser's);
- `step_fields`: the fields of a step of the step slider (`viz.explore`'s payloads);
- `constants`: numbers both sides use (`MAX_PICTURE`); the JavaScript bundle imports them.

`tests/test_protocol.py` checks the widget's traits and the JavaScript in `viz/js` against
these declarations (what the browser reads, sets and sends).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import traitlets

PROTOCOL_FILE = Path(__file__).with_name("protocol.json")
SIDES = ("python", "js")

# the declared types, as traitlets and as the Python values a message may carry
_TRAITS: dict[str, Callable[[Any], traitlets.TraitType]] = {
    "str": traitlets.Unicode,
    "int": traitlets.Int,
    "float": traitlets.Float,
    "bool": traitlets.Bool,
    "dict": lambda default: traitlets.Dict(default),
    "list[str]": lambda default: traitlets.List(traitlets.Unicode(), default),
}
_VALUES: dict[str, Callable[[Any], bool]] = {
    "true": lambda value: value is True,
    "str": lambda value: isinstance(value, str),
    "dict": lambda value: isinstance(value, dict),
}


@dataclass(frozen=True)
class Trait:
    """One synced trait of a model, as `protocol.json` declares it."""

    name: str
    type: str
    default: Any
    set_by: tuple[str, ...]
    read_by: tuple[str, ...]
    export: bool
    doc: str

    def trait_type(self) -> traitlets.TraitType:
        """The traitlets trait, synced, with its default and its doc as help."""
        default = self.default
        if isinstance(default, dict | list):  # each model gets its own copy
            default = type(default)(default)
        trait = _TRAITS[self.type](default).tag(sync=True)
        trait.help = self.doc
        return trait


@dataclass(frozen=True)
class Message:
    """One kind of custom message (`{kind: value}`), as `protocol.json` declares it."""

    kind: str
    sender: str  # "python" or "js"
    value: str  # the type of the value: "true", "str" or "dict"
    doc: str

    def accepts(self, value: Any) -> bool:
        """Whether `value` has the declared type."""
        return _VALUES[self.value](value)


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _check(data: dict[str, Any]) -> None:
    """A clear error for a declaration that is not well formed."""
    for model, traits in data["models"].items():
        for name, t in traits.items():
            where = f"{PROTOCOL_FILE.name}: {model}.{name}"
            if t["type"] not in _TRAITS:
                raise ValueError(f"{where}: type {t['type']!r} is not one of {sorted(_TRAITS)}")
            sides = [*t["set_by"], *t["read_by"]]
            if not t["set_by"] or not t["read_by"] or not set(sides) <= set(SIDES):
                raise ValueError(f"{where}: set_by and read_by must each name python or js")
    for kind, m in data["messages"].items():
        if m["from"] not in SIDES or m["value"] not in _VALUES:
            raise ValueError(f"{PROTOCOL_FILE.name}: message {kind!r} is not well formed")


_DATA = _load(PROTOCOL_FILE)
_check(_DATA)

MODELS: Mapping[str, Mapping[str, Trait]] = MappingProxyType(
    {
        model: MappingProxyType(
            {
                name: Trait(
                    name,
                    t["type"],
                    t["default"],
                    tuple(t["set_by"]),
                    tuple(t["read_by"]),
                    t["export"],
                    t["doc"],
                )
                for name, t in traits.items()
            }
        )
        for model, traits in _DATA["models"].items()
    }
)
TRAITS = MODELS["GraphView"]  # the diagram's traits, by name
MESSAGES: Mapping[str, Message] = MappingProxyType(
    {k: Message(k, m["from"], m["value"], m["doc"]) for k, m in _DATA["messages"].items()}
)
STEP_FIELDS: tuple[str, ...] = tuple(_DATA["step_fields"])
CONSTANTS: Mapping[str, Any] = MappingProxyType(dict(_DATA["constants"]))
EXPORTED: tuple[str, ...] = tuple(name for name, t in TRAITS.items() if t.export)
"""The traits an `export_html` page is drawn from."""


def trait_types(model: str = "GraphView") -> dict[str, traitlets.TraitType]:
    """The synced traits of `model`, by name, to put in its class."""
    return {name: t.trait_type() for name, t in MODELS[model].items()}


def message(kind: str, value: Any) -> dict[str, Any]:
    """The message `{kind: value}` Python sends the browser; a clear error when `kind` is not
    a declared message from Python or `value` has not its declared type."""
    declared = MESSAGES.get(kind)
    if declared is None or declared.sender != "python":
        sent = sorted(k for k, m in MESSAGES.items() if m.sender == "python")
        raise ValueError(f"protocol: {kind!r} is not a message Python sends (those are {sent})")
    if not declared.accepts(value):
        raise TypeError(f"protocol: the message {kind!r} carries a {declared.value}")
    return {kind: value}


def received(content: Any) -> Iterator[tuple[str, Any]]:
    """The (kind, value) pairs of a browser's message `content` that are declared messages
    from the browser with a value of the declared type, in the order they are declared;
    anything else is ignored (the browser's content is not trusted)."""
    if not isinstance(content, dict):
        return
    for kind, declared in MESSAGES.items():
        if declared.sender == "js" and kind in content and declared.accepts(content[kind]):
            yield kind, content[kind]
