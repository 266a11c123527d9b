"""Nested structures (lists, tuples, dicts) of tensors: flatten them and rebuild them.

`gradient(target, {"w": w, "b": [b1, b2]})` returns gradients in the same structure; these two
functions are how.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    return _build(structure, iter(leaves))


def _build(item: Any, leaves: Iterator[Any]) -> Any:
    # A module-level function rather than a closure: a recursive closure would form a
    # reference cycle holding the leaves (gradients) until the garbage collector runs.
    if isinstance(item, dict):
        return type(item)((k, _build(v, leaves)) for k, v in item.items())
    if isinstance(item, list):
        return [_build(v, leaves) for v in item]
    if isinstance(item, tuple):
        values = [_build(v, leaves) for v in item]
        return type(item)(*values) if hasattr(item, "_fields") else tuple(values)
    return next(leaves)


def is_nested(structure: Any) -> bool:
    """Whether `structure` is a list, tuple or dict (rather than a single leaf)."""
    return isinstance(structure, list | tuple | dict)
