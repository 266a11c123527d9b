"""Nodes named like the code: the Python names that hold the graph's tensors where it is drawn.

A student writes `bnvar = 1 / (n - 1) * ad.reduce_sum(bndiff2, 0, keepdims=True)` in a
notebook; `viz.draw(tape, target=loss)` there titles that node `bnvar = multiply` (the op stays
beside the name), not `multiply#3`, and search, captions, panels and the graph's labels say
`bnvar` too. The rules:

- **Where**: the namespace of the code that called `viz.draw` / `viz.explore` (the first frame
  outside the `viz` package): its local names, then its global names. In a notebook both are
  the notebook's namespace. For `viz.explore(f, **leaves)`, `f`'s local names when it returns
  (read each time `f` runs), then `f`'s module's (or notebook's) global names.
- **What**: only nodes whose name was not given (`Node.named` is False: an op's default name,
  an unnamed leaf's). An explicit `name=` wins, as does a leaf the engine named already.
- **Now**: a name names the tensor it holds now. A name rebound in a loop (`h = ad.tanh(...)`)
  names only the last `h`; the earlier ones keep their op's name.
- **Skipped**: names starting with `_` (`_`, `__`, `_1`, `_i3`: IPython's output history, and
  private names).
- **One tensor, several names**: the first in the namespace's order, local names before
  global ones. A function's local names come in the order its code assigns them first; a
  module's or notebook's in the order they were first bound (so `y = logits` later does not
  rename `logits`).

The engine does not import this: it only carries the names (`ad.Graph.renamed`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import autodiff as ad

PACKAGE = __name__.split(".")[0]  # "viz"


def caller_namespaces() -> list[Mapping[str, Any]]:
    """The local and global names of the code that called into `viz` (locals first; one
    mapping when they are the same, at a module's or notebook's top level)."""
    frame = sys._getframe(1)
    while frame is not None and _inside_viz(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    if frame is None:
        return []
    local, outer = frame.f_locals, frame.f_globals
    del frame  # no reference to a frame outlives the call
    return [local] if local is outer else [local, outer]


def _inside_viz(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def code_names(graph: ad.Graph, namespaces: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Node id -> the Python name holding its tensor, for the nodes without a given name
    (see the module's docstring for the rules)."""
    found: dict[int, str] = {}
    for namespace in namespaces:
        for name, value in list(namespace.items()):
            if name.startswith("_") or not isinstance(value, ad.Tensor):
                continue
            for index in graph.ids_of(value):
                if index not in found and not graph.nodes[index].named:
                    found[index] = name
    return found


def named_like_code(graph: ad.Graph, namespaces: Iterable[Mapping[str, Any]]) -> ad.Graph:
    """`graph` with its unnamed nodes named by the code (`code_names`); the same graph when
    no name applies."""
    names = code_names(graph, namespaces)
    return graph.renamed(names) if names else graph


def call_keeping_locals(
    f: Callable[..., Any], kwargs: Mapping[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """`f(**kwargs)` and `f`'s local names as they were when it returned.

    They are read by a profile hook (`sys.setprofile`) that looks only at the return of
    `f`'s own frame: debuggers (`sys.settrace`) are untouched. Without a Python function's
    code to recognise (a `functools.partial`, a callable object), or while a profiler is
    running (its hook is not replaced), `f` simply runs and the locals are `{}`.
    """
    code = getattr(getattr(f, "__func__", f), "__code__", None)
    if code is None or sys.getprofile() is not None:
        return f(**kwargs), {}
    captured: dict[str, Any] = {}

    def on_return(frame: Any, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is code:  # the outermost call returns last
            captured.clear()
            captured.update(frame.f_locals)

    sys.setprofile(on_return)
    try:
        out = f(**kwargs)
    finally:
        sys.setprofile(None)
    return out, captured


def globals_of(f: Callable[..., Any]) -> Mapping[str, Any]:
    """The global names `f` sees (its module's, or the notebook's), or none."""
    return getattr(getattr(f, "__func__", f), "__globals__", {})
