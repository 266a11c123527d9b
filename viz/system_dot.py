"""The system's Graphviz `dot`, run with a time limit (the graphviz package's `pipe` has none).

The notebook display's static SVG copy (`viz.diagram`) and the measured layouts that choose a
diagram's level of detail (`viz.fit`) are laid out by it while the kernel waits, so each run
is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess


def layout_size(source: str, timeout: float) -> tuple[float, float] | None:
    """The (width, height) in points of `source` laid out by the system's `dot`; None when
    there is no `dot`, it fails, or it takes longer than `timeout` seconds."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        bb = json.loads(run(exe, source, timeout, "json0"))["bb"]
        x0, y0, x1, y1 = (float(v) for v in bb.split(","))
    except (subprocess.SubprocessError, OSError, ValueError, KeyError):
        return None
    return x1 - x0, y1 - y0


def run(exe: str, source: str, timeout: float, fmt: str = "svg") -> bytes:
    """`dot -T<fmt>` on `source`; after `timeout` seconds (or on an interrupt) it is killed, with
    any process it started, and `subprocess.TimeoutExpired` raised. (The graphviz package's
    `pipe` takes no timeout.)"""
    posix = os.name == "posix"
    proc = subprocess.Popen(
        [exe, "-Kdot", f"-T{fmt}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,  # its own process group, killed as a whole
    )
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except BaseException:  # the timeout, or the user interrupting the kernel
        kill(proc, posix)
        raise
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, out, err)
    return out


def kill(proc: subprocess.Popen, posix: bool) -> None:
    """Kill `proc` (with its process group on POSIX), close its pipes and reap it."""
    with contextlib.suppress(OSError):  # already gone
        if posix:
            os.killpg(proc.pid, signal.SIGKILL)  # not reaped yet, so the id is still its own
        else:
            proc.kill()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=1.0)
