"""Work deferred until the user rests: a slider's drag sends only what must be seen at once,
and the rest (the backward steps, the whole state of the cells) once it stops moving."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class WhenAtRest:
    """Calls `fn` once no `soon()` came for `delay` seconds, in a running event loop (a
    kernel); at once where there is none (plain Python, tests)."""

    def __init__(self, fn: Callable[[], None], delay: float) -> None:
        """`fn`: the deferred work; `delay`: the seconds of rest it waits for."""
        self.fn = fn
        self.delay = delay
        self._handle: asyncio.TimerHandle | None = None

    def soon(self) -> None:
        """Ask for `fn`: after `delay` s without another ask, or now without an event loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.now()
            return
        self.cancel()
        self._handle = loop.call_later(self.delay, self.now)

    def now(self) -> None:
        """Run `fn` at once (a pending call is dropped)."""
        self.cancel()
        self.fn()

    def cancel(self) -> None:
        """Drop a pending call, if any."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    @property
    def pending(self) -> bool:
        """Whether a call waits for the user to rest."""
        return self._handle is not None
