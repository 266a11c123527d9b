"""Nested structures (lists, tuples, dicts) of tensors: flatten them and rebuild them.

`gradient(target, {"w": w, "b": [b1, b2]})` returns gradients in the same structure; these two
functions are how.
"""

from __future__ import annotations

from typing import Any


def flatten(structure: Any) -> list[Any]:
    """The leaves of `structure` in order (dicts by insertion order; `None` is a leaf)."""
    leaves: list[Any] = []
    stack = [structure]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        else:
            leaves.append(item)
    return leaves


def pack(structure: Any, leaves: list[Any]) -> Any:
    """`structure` rebuilt with `leaves` (in `flatten`'s order) in place of its own leaves."""
    it = iter(leaves)

    def build(item: Any) -> Any:
        if isinstance(item, dict):
            return type(item)((k, build(v)) for k, v in item.items())
        if isinstance(item, list):
            return [build(v) for v in item]
        if isinstance(item, tuple):
            values = [build(v) for v in item]
            return type(item)(*values) if hasattr(item, "_fields") else tuple(values)
        return next(it)

    return build(structure)


def is_nested(structure: Any) -> bool:
    """Whether `structure` is a list, tuple or dict (rather than a single leaf)."""
    return isinstance(structure, list | tuple | dict)
