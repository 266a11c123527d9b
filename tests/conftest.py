"""Project-wide pytest configuration.

* In CI (``CI=true`` or ``CI=1``) a skipped test is a failure: a skip there means a
  missing dependency or a forgotten marker, never a pass.
* Hypothesis profiles: ``ci`` (derandomized, reproducible) and ``dev`` (fewer examples).
* Tiers: every test under ``tests/browser/`` is marked ``browser``, the notebooks' tests
  ``notebooks``, and a test that takes TensorFlow as its ``tf`` fixture ``tensorflow``, so that
  ``make check`` (the edit loop, under a minute) can leave out what needs a browser, a kernel
  or TensorFlow, and the ``slow`` tests (the packaging tests among them); ``make test`` runs
  them all.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import settings

IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1"}

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60)
settings.register_profile("dev", deadline=None, max_examples=30)
settings.load_profile("ci" if IN_CI else "dev")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier (see the module's docstring)."""
    for item in items:
        path = item.path.as_posix()
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        if path.endswith("/tests/test_notebooks.py"):
            item.add_marker(pytest.mark.notebooks)
        if path.endswith("/tests/test_packaging.py"):  # builds the wheel and its metadata
            item.add_marker(pytest.mark.slow)
        if "tf" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.tensorflow)


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """Return the human-readable reason recorded in a skipped report."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skipped report into a failed one (in place) when running in CI."""
    if not IN_CI or not report.skipped or hasattr(report, "wasxfail"):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped tests fail in CI: {_skip_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, None]:
    """In CI, report a test skipped in setup or call (skip mark, ``pytest.skip``) as failed."""
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """In CI, report a module skipped at import (``pytest.importorskip``) as a collection error."""
    outcome = yield
    _fail_skip(outcome.get_result())
