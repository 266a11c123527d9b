"""Nested structures (lists, tuples, dicts) of tensors: flatten them and rebuild them.

`gradient(target, {"w": w, "b": [b1, b2]})` returns gradients in the same structure; these two
functions are how. As TensorFlow's `tf.nest`, a dict's values are taken in the order of its
sorted keys (not insertion order), so that two dicts with the same keys pair up key by key
(`gradient(targets_dict, ..., output_gradients=seeds_dict)`); `pack` rebuilds a dict with its
own key order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any


def sorted_keys(item: dict) -> list[Any]:
    """The keys of `item` in TensorFlow's nest order (sorted), or a TypeError saying why not."""
    try:
        return sorted(item)
    except TypeError:
        kinds = sorted({type(k).__name__ for k in item})
        raise TypeError(
            f"a dict of tensors must have keys that sort (as in tf.nest, its values are taken "
            f"in the order of its sorted keys), got keys of types {', '.join(kinds)}; use keys "
            "of one type, e.g. all strings"
        ) from None


def flatten(structure: Any) -> list[Any]:
    """The leaves of `structure` in order (dicts by sorted key, as tf.nest; `None` is a leaf)."""
    leaves: list[Any] = []
    stack = [structure]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item[k] for k in reversed(sorted_keys(item)))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        else:
            leaves.append(item)
    return leaves


def flatten_up_to(shallow: Any, structure: Any, what: str) -> list[Any]:
    """The items of `structure` at the places of `shallow`'s leaves, in `flatten`'s order
    (so dicts pair key by key); below those places `structure` may hold anything (a list
    of numbers where `shallow` has a tensor). A ValueError, naming `what`, if the two
    structures differ."""
    items: list[Any] = []
    stack = [(shallow, structure)]
    while stack:
        s, item = stack.pop()
        if isinstance(s, dict):
            if not isinstance(item, dict) or set(item) != set(s):
                raise _mismatch(what, f"a dict with the keys {sorted_keys(s)}", item)
            stack.extend((s[k], item[k]) for k in reversed(sorted_keys(s)))
        elif isinstance(s, list | tuple):
            if not isinstance(item, list | tuple) or len(item) != len(s):
                raise _mismatch(what, f"a list of {len(s)}", item)
            stack.extend(zip(reversed(s), reversed(item), strict=True))
        else:
            items.append(item)
    return items


def _mismatch(what: str, expected: str, item: Any) -> ValueError:
    got = (
        f"a dict with the keys {sorted(item, key=repr)}"
        if isinstance(item, dict)
        else (
            f"a {type(item).__name__} of {len(item)}"
            if isinstance(item, list | tuple)
            else type(item).__name__
        )
    )
    return ValueError(f"{what} must have the structure of the target: {expected} there, got {got}")


def pack(structure: Any, leaves: list[Any]) -> Any:
    """`structure` rebuilt with `leaves` (in `flatten`'s order) in place of its own leaves."""
    return _build(structure, iter(leaves))


def _build(item: Any, leaves: Iterator[Any]) -> Any:
    # A module-level function rather than a closure: a recursive closure would form a
    # reference cycle holding the leaves (gradients) until the garbage collector runs.
    if isinstance(item, dict):
        built = {k: _build(item[k], leaves) for k in sorted_keys(item)}
        if isinstance(item, defaultdict):  # (its constructor takes the default factory first)
            result = type(item)(item.default_factory)
            result.update((k, built[k]) for k in item)
            return result
        return type(item)((k, built[k]) for k in item)
    if isinstance(item, list):
        return [_build(v, leaves) for v in item]
    if isinstance(item, tuple):
        values = [_build(v, leaves) for v in item]
        return type(item)(*values) if hasattr(item, "_fields") else tuple(values)
    return next(leaves)


def is_nested(structure: Any) -> bool:
    """Whether `structure` is a list, tuple or dict (rather than a single leaf)."""
    return isinstance(structure, list | tuple | dict)
