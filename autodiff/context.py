"""Per-thread state of the engine: which tapes are recording, and the current name scope.

Every operation looks here to decide whether to record itself, so this is kept tiny and
fast. Each thread has its own stack of tapes, as in TensorFlow.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import numpy as np


class Recorder(Protocol):
    """What the engine asks of an entered tape (a `GradientTape`, a `ForwardAccumulator`):
    whether it records, and taking each op's record and the variables it should watch. (A
    protocol, so that this module, below the tapes, does not import them.)"""

    _recording: bool
    _watch_accessed_variables: bool
    _variables: dict[int, Any]

    def _record(self, record: tuple[Any, ...], op: Any) -> None: ...

    def _watch_variable(self, variable: Any) -> None: ...


def quiet_runner() -> Callable[..., Any]:
    """`run(f, *args, **kwargs)`: `f(*args, **kwargs)` with NumPy's floating-point warnings
    ignored, the one warnings policy of every op's forward (as TensorFlow: no warning, the value
    says inf or nan). It runs `f` in a context of its own where `np.seterr(all="ignore")` holds
    (NumPy 2 keeps that setting in a context variable): ~20 ns a call, where `np.errstate` takes
    ~200 ns. `f` must not call it again (a context is entered once at a time): forwards are
    NumPy code. (NumPy 1 keeps the setting per thread: there, `np.errstate` per call.)"""
    before = np.geterr()
    quiet = contextvars.Context()
    quiet.run(np.seterr, all="ignore")
    if np.geterr() == before:
        return quiet.run

    np.seterr(**before)  # NumPy 1: that changed the thread's setting; put it back

    def run(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return f(*args, **kwargs)

    return run


class _ThreadState(threading.local):
    """The active tapes and name scopes of one thread."""

    def __init__(self) -> None:
        self.tapes: list[Recorder] = []  # entered tapes, innermost last
        self.recording: tuple[Recorder, ...] = ()  # the ones recording right now
        self.scope: str = ""  # "outer/inner" while inside name scopes
        # A new object whenever what the recording tapes watch may have changed (`refresh`):
        # a variable that has made sure they all watch it keeps the token, and its next reads
        # under the same tapes skip the check (a variable read by every op of a model).
        self.token = object()
        self.quiet = quiet_runner()  # (per thread: a context is entered by one at a time)

    def refresh(self) -> None:
        """Recompute which entered tapes are recording (after enter, exit, pause or reset)."""
        tapes = self.tapes
        self.recording = tuple([t for t in tapes if t._recording]) if tapes else ()
        self.token = object()


state = _ThreadState()


@contextlib.contextmanager
def no_recording() -> Iterator[None]:
    """Run engine ops without the tapes entered so far recording them.

    Tapes entered inside the block record as usual (a `custom_gradient` function may use one).
    """
    outer = state.tapes
    state.tapes = []
    state.refresh()
    try:
        yield
    finally:
        state.tapes = outer
        state.refresh()


class name_scope:
    """Context manager: operations recorded inside carry the scope `name` (nested: `outer/inner`).

    The visualizer draws each scope as a cluster, which can be collapsed into one node.
    """

    def __init__(self, name: str) -> None:
        """Open a scope called `name` (a non-empty string without '/')."""
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(
                f"name_scope: the name must be a non-empty string without '/', got {name!r}; "
                "nest scopes to make a path"
            )
        self.name = name
        self._outer: list[str] = []

    def __enter__(self) -> str:
        self._outer.append(state.scope)
        state.scope = f"{state.scope}/{self.name}" if state.scope else self.name
        return state.scope

    def __exit__(self, *exc_info: object) -> None:
        state.scope = self._outer.pop()
