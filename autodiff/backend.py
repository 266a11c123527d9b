"""The two backends a gradient or tangent rule computes with, passed to it as its first argument.

A rule of the op table is written once, with the table's ops by name, like autograd's
`anp.where` or TensorFlow's `math_ops.multiply` in its gradient code:

```python
grads=(lambda ops, g, out, x, y: ops.where(x >= y, g, ops.zeros_like(g)), ...)
```

and whoever calls it says which backend `ops` is:

- `ON_TENSORS`: the public functions, on tensors. A tape watching the backward pass records
  what the rule computes, so that the gradient can be differentiated again.
- `ON_ARRAYS`: each op's NumPy forward, on bare arrays. When no tape records the pass, the
  same rule costs only its NumPy calls: no tensor made, nothing recorded, no check run.

The backward sweep (`autodiff.backward`) and forward mode (`autodiff.forward`) choose one per
pass; the values a rule receives (`g`, `out`, the inputs) are of that backend's kind. `@primitive`
adds every op to both; `ones_like` and `zeros_like` (constants, not ops) are added beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Ops:
    """The op table by name on one backend: `ops.multiply(g, y)`, `ops.zeros_like(x)`."""

    def __init__(self, name: str, bare: bool) -> None:
        """`bare`: whether its ops take and return bare NumPy values (else tensors)."""
        self.name = name
        self.bare = bare

    def include(self, name: str, function: Callable[..., Any]) -> None:
        """Make `function` this backend's op `name` (by `@primitive`, once per op)."""
        if name in vars(self) or hasattr(Ops, name):
            raise ValueError(f"{self.name} already has an attribute named {name!r}")
        setattr(self, name, function)

    def __getattr__(self, name: str) -> Any:
        """(Only for names that are not ops: a clear error.)"""
        raise AttributeError(
            f"{self.name} has no op {name!r}: a rule can use the ops of the table "
            "(defined with @primitive) and ones_like, zeros_like"
        )

    def __repr__(self) -> str:
        return f"<ops {self.name}>"


ON_TENSORS = Ops("ON_TENSORS", bare=False)
ON_ARRAYS = Ops("ON_ARRAYS", bare=True)
