"""Regression tests for careless input: wrong answers, crashes and unclear errors, one by one.

Each test is one reported case, with values worked out by hand or taken from TensorFlow 2.x
(the reference). The last section checks the engine's structure: the backward sweep in its
own module, plain imports, the public names taken from the op table.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autodiff as ad
from autodiff import ops, primitive

ENGINE = Path(ad.__file__).parent


def check(tensor: Any, expected: Any, dtype: Any = ad.float32) -> None:
    assert isinstance(tensor, ad.Tensor), f"expected a Tensor, got {tensor!r}"
    assert tensor.dtype == dtype
    np.testing.assert_allclose(tensor.numpy(), np.asarray(expected), rtol=1e-6, atol=1e-6)


@contextmanager
def raises(kind: type[Exception] | tuple[type[Exception], ...], *words: str) -> Iterator[None]:
    """The block raises `kind`, whose message contains each of `words` (the op, the fix...)."""
    with pytest.raises(kind) as info:
        yield
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


@contextmanager
def no_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def gradient(f: Callable[..., ad.Tensor], *values: Any, dtype: Any = ad.float32) -> list[Any]:
    xs = [ad.constant(v, dtype) for v in values]
    with ad.GradientTape() as tape:
        tape.watch(xs)
        y = f(*xs)
    return tape.gradient(y, xs)


# ============================================================================ structure
def imports_of(module: str) -> set[str]:
    tree = ast.parse((ENGINE / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_graph_and_tape_do_not_import_each_other() -> None:
    assert not {"autodiff.tape", "autodiff.tape.backward"} & imports_of("graph")
    assert "autodiff.graph" in imports_of("tape")  # one direction only
    assert "autodiff.backward" in imports_of("graph") and "autodiff.backward" in imports_of("tape")


def test_no_module_rewrites_its_globals() -> None:
    for path in ENGINE.glob("*.py"):
        text = path.read_text()
        assert "globals()[" not in text and "_OnFirstUse" not in text, path.name


def test_ops_have_no_unused_broadcast_flag() -> None:
    assert "broadcast" not in primitive.Op.__slots__


def test_the_public_names_come_from_the_op_table() -> None:
    table = {
        name: f.op
        for name, f in vars(ops).items()
        if isinstance(getattr(f, "op", None), primitive.Op)
    }
    public = {name for name, op in table.items() if op.public}
    assert public <= set(ad.__all__) and all(hasattr(ad, name) for name in public)
    internal = set(table) - public
    assert {"tanh_grad", "getitem", "sum_to"} <= internal
    assert not internal & set(ad.__all__)
    assert {"ones_like", "zeros_like", "reduce_sum", "less"} <= set(ad.__all__)
