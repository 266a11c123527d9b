"""The notebook display of a Diagram: its static SVG copy is laid out by `dot` while the kernel
waits, so it is bounded by size (`viz.diagram.SVG_MAX_NODES` drawn nodes) and by time
(`viz.diagram.DOT_TIMEOUT`); when there is no copy, `text/plain` says why.

Fake `dot` programs (shell scripts put first on PATH) stand in for a slow, failing or watched
Graphviz. How long displaying a big diagram takes is measured by `make bench`, not here.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import autodiff as ad
import viz
from viz import diagram as diagram_module

WIDGET = "application/vnd.jupyter.widget-view+json"
SVG = "image/svg+xml"
posix_only = pytest.mark.skipif(os.name != "posix", reason="fake `dot` programs are sh scripts")


def seed_diagram() -> viz.Diagram:
    w = ad.Variable([[1, 2], [3, 4], [5, 6]], dtype=ad.float32, name="w")
    b = ad.Variable(ad.zeros(2, dtype=ad.float32), name="b")
    with ad.GradientTape(persistent=True) as tape:
        loss = ad.reduce_mean(([[1, 2, 3]] @ w + b) ** 2)
    return viz.draw(tape, target=loss)


def fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """Put an executable `dot` running the sh `script` first on PATH; returns its folder."""
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "dot"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    assert shutil.which("dot") == str(program)
    return folder


def is_running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_small_diagram_carries_a_static_svg() -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` is not on PATH (make setup installs it)")
    diagram = seed_diagram()
    bundle = diagram._repr_mimebundle_()
    assert WIDGET in bundle
    assert bundle[SVG].lstrip().startswith("<?xml") and "</svg>" in bundle[SVG]
    assert bundle["text/plain"].splitlines()[0] == repr(diagram)


@posix_only
def test_a_big_diagram_has_no_static_svg_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 5,000 ops (a multiply by a constant and a tanh each), all drawn: `folded=[]` keeps the
    # diagram from folding the repeated blocks into one node.
    x = ad.Variable(np.ones(3, np.float32), name="x")
    with ad.GradientTape() as tape:
        y = x
        for _ in range(2_500):
            y = ad.tanh(y * 1.001)
    diagram = viz.draw(tape, target=y, folded=[])
    drawn = diagram_module._drawn_nodes(diagram.source)
    assert drawn > diagram_module.SVG_MAX_NODES, f"only {drawn} nodes drawn"
    ran = tmp_path / "dot-ran"
    fake_dot(tmp_path, monkeypatch, f'touch "{ran}"\nexit 1\n')

    bundle = diagram._repr_mimebundle_()
    assert not ran.exists(), "dot ran on a diagram above the size limit"
    assert SVG not in bundle
    assert WIDGET in bundle  # the browser still draws it
    plain = bundle["text/plain"].splitlines()[0]
    assert plain.startswith(repr(diagram) + " (static SVG copy skipped: ")
    assert f"{drawn:,} drawn nodes is above the {diagram_module.SVG_MAX_NODES:,}-node limit" in (
        plain
    )
    assert "the widget draws it in the browser" in plain and ".save('graph.svg')" in plain


@posix_only
def test_a_slow_dot_is_stopped_and_the_timeout_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake dot reads the DOT, then waits in a child process: both must be killed.
    child = tmp_path / "child.pid"
    fake_dot(tmp_path, monkeypatch, f'cat >/dev/null\nsleep 60 &\necho $! > "{child}"\nwait\n')
    diagram = seed_diagram()
    start = time.perf_counter()
    bundle = diagram._repr_mimebundle_()
    elapsed = time.perf_counter() - start
    assert elapsed < diagram_module.DOT_TIMEOUT + 2.0, f"display took {elapsed:.1f} s"
    assert SVG not in bundle
    assert WIDGET in bundle
    timeout = f"{diagram_module.DOT_TIMEOUT:g}"
    assert bundle["text/plain"].splitlines()[0] == (
        f"{diagram!r} (static SVG copy skipped: dot took longer than {timeout} s, the limit "
        "for the synchronous layout; the widget draws it in the browser; call "
        ".save('graph.svg') to lay it out with dot)"
    )
    if Path("/proc").is_dir() and child.exists():
        pid = int(child.read_text())
        deadline = time.monotonic() + 2.0
        while is_running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not is_running(pid), "the process started by dot outlived the timeout"


@posix_only
def test_a_failing_dot_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, monkeypatch, "cat >/dev/null\necho 'Error: out of memory' >&2\nexit 3\n")
    diagram = seed_diagram()
    bundle = diagram._repr_mimebundle_()
    assert SVG not in bundle
    assert bundle["text/plain"].splitlines()[0] == (
        f"{diagram!r} (static SVG copy skipped: dot failed (exit status 3: Error: out of "
        "memory); the widget draws it in the browser)"
    )


@posix_only
def test_an_excluded_svg_does_not_run_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = tmp_path / "dot-ran"
    diagram = seed_diagram()  # (its level of detail may be measured by the real dot)
    fake_dot(tmp_path, monkeypatch, f'touch "{ran}"\nexit 1\n')
    bundle = diagram._repr_mimebundle_(exclude={SVG})
    assert SVG not in bundle and WIDGET in bundle
    assert bundle["text/plain"].splitlines()[0] == repr(diagram)
    assert not ran.exists()


def test_without_dot_the_text_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    diagram = seed_diagram()
    bundle = diagram._repr_mimebundle_()
    assert SVG not in bundle and WIDGET in bundle
    assert bundle["text/plain"].splitlines()[0] == (
        f"{diagram!r} (no static SVG copy: Graphviz's `dot` is not on PATH; the widget draws "
        "it in the browser)"
    )
