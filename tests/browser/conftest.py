"""Fixtures of the browser tests: Jupyter servers, Chromium, pages, screenshots, timings.

The servers (JupyterLab, Notebook 7 and Voila) serve a temporary copy of `notebooks/` plus a few
scratch notebooks written here; each starts once, on demand, and is stopped when the browser
tests are done, also when a test fails. Every test's page is screenshotted into
`test-output/browser/` when the test ends, so that a failure can be looked at.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from .jupyter import CHROMIUM, CHROMIUM_FLAGS, OUTPUT, RECORDED, JupyterServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Script paths of JupyterLab's and Notebook 7's own code (not of any extension)
JUPYTER_BUNDLES = ("/static/notebook/notebook_core.", "/static/lab/jlab_core.")

# Scratch notebooks for the scenarios the teaching notebooks do not have. Their cells are
# run one by one by the tests (cell indices below).
SCRATCH: dict[str, list[str]] = {
    "hostile_name.ipynb": [
        "import autodiff as ad\nimport viz",
        # a variable whose name is markup: shown as text, never parsed
        'v = ad.Variable(2.0, name="<img src=x onerror=alert(1)>")\n'
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    y = ad.multiply(v, v, name='<script>alert(2)</script>')\n"
        "viz.draw(tape, target=y)",
        "viz.explore(tape, y)",
    ],
    "out_of_domain.ipynb": [
        "import autodiff as ad\nimport viz",
        "def f(x):\n    return ad.log(x) * x\n\nviz.explore(f, x=1.0, ranges={'x': (-1.0, 2.0)})",
    ],
    "timings.ipynb": [
        "import numpy as np\nimport autodiff as ad\nimport viz",
        # the seed's graph
        "w = ad.Variable([[1, 2], [3, 4], [5, 6]], dtype=ad.float32, name='w')\n"
        "b = ad.Variable(ad.zeros(2, dtype=ad.float32), name='b')\n"
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    loss = ad.reduce_mean(([[1, 2, 3]] @ w + b) ** 2)\n"
        "viz.explore(tape, loss)",
        # the 200-node chain of `make bench` rows 7 and 8 (benchmarks/run.py: chain_tape)
        "rng = np.random.default_rng(0)\n"
        "x = ad.constant(rng.standard_normal((1, 4)).astype(np.float32), name='x')\n"
        "w = ad.Variable((0.5 * rng.standard_normal((4, 4))).astype(np.float32), name='w')\n"
        "b = ad.Variable(np.zeros(4, np.float32), name='b')\n"
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    h = x\n"
        "    for _ in range(65):\n"
        "        h = ad.tanh(h @ w + b)\n"
        "    loss = ad.reduce_sum(ad.square(h))\n"
        "print(len(tape.graph(loss)), 'nodes')",
        "viz.explore(tape, loss, folded=[], detail='full')",  # all 200 nodes, every number
        "viz.explore(tape, loss)",  # as it opens by default: the 65 layers folded
    ],
    # teaching: slider grids, quiz, check this gradient (tests/browser/test_teaching.py)
    "forward.ipynb": [
        "import autodiff as ad\nimport viz",
        # forward mode on a small graph: y = x·w, z = sin(y) + x, with ẋ = 0.5
        "x = ad.constant(3.0, name='x')\nw = ad.constant(2.0, name='w')\n"
        "with ad.ForwardAccumulator(x, 0.5) as acc:\n"
        "    y = x * w\n"
        "    z = ad.sin(y) + x\n"
        "viz.explore(acc, z)",
    ],
    "teaching.ipynb": [
        "import autodiff as ad\nimport viz",
        "x1 = ad.Variable(2.0, name='x1')\nw1 = ad.Variable(-3.0, name='w1')\n"
        "x2 = ad.Variable(0.0, name='x2')\nw2 = ad.Variable(1.0, name='w2')\n"
        "b = ad.Variable(6.8813735870195432, name='b')\n"
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    n = ad.add(x1 * w1 + x2 * w2, b, name='n')\n"
        "    out = ad.tanh(n, name='out')\n"
        "ex = viz.explore(tape, out, ranges={'b': (-2, 10)})\nex",
        "print(repr(float(ex.graph['b'].value)), repr(float(ex.graph['out'].value)))",
        "quiz = viz.explore(tape, out, quiz=True)\nquiz",
        "print(quiz.view.quiz_answers)",
        "import numpy as np\n"
        "W = ad.Variable(np.arange(9, dtype=np.float32).reshape(3, 3) / 10, name='W')\n"
        "with ad.GradientTape(persistent=True) as tape2:\n"
        "    s = ad.reduce_sum(ad.tanh(W), name='s')\n"
        "viz.explore(tape2, s)",
    ],
    # pictures in saved notebooks, drawn by the browser (tests/browser/test_saved_pictures.py)
    "saved_pictures.ipynb": [
        "import os, shutil\n"
        "os.environ['PATH'] = os.pathsep.join(\n"
        "    p for p in os.environ['PATH'].split(os.pathsep)\n"
        "    if not os.path.exists(os.path.join(p, 'dot'))\n)\n"
        "import autodiff as ad\nimport viz\nprint('dot:', shutil.which('dot'))",
        "x = ad.Variable(2.0, name='x')\nw = ad.Variable(-3.0, name='w')\n"
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    y = ad.tanh(x * w, name='y')\n"
        "viz.draw(tape, target=y)",
        "viz.explore(tape, y)",
    ],
    # a widget displayed again after its sliders moved (tests/browser/test_state.py)
    "redisplay.ipynb": [
        "import autodiff as ad\nimport viz\n"
        "ex = viz.explore(lambda a, b: a * b + a, a=2.0, b=3.0)\nex",
        "ex",
    ],
    # served by Voila: two draws and an explore share one renderer (tests/browser/test_voila.py)
    "voila_diagrams.ipynb": [
        "import autodiff as ad\nimport viz",
        "x = ad.Variable(2.0, name='x')\nw = ad.Variable(-3.0, name='w')\n"
        "b = ad.Variable(4.0, name='b')\n"
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    y = ad.multiply(x, w, name='y')\n"
        "    z = ad.add(y, b, name='z')\n"
        "viz.draw(tape, target=z)",
        "viz.explore(tape, z)",
        "viz.draw(tape, target=y)",
    ],
    # the whole model at first sight (tests/browser/test_first_sight.py): the seed, the
    # backprop-ninja lecture as a student writes it (no scopes, no names), a 2,000-node net
    "first_sight.ipynb": [
        "import numpy as np\nimport autodiff as ad\nimport viz\nfrom models import *",
        "w = ad.Variable([[1., 2.], [3., 4.], [5., 6.]], name='w')\n"
        "b = ad.Variable(ad.zeros(2), name='b')\nx = [[1., 2., 3.]]\n"
        "with ad.GradientTape(persistent=True) as tape:\n"
        "    loss = ad.reduce_mean((x @ w + b) ** 2)\n"
        "viz.explore(tape, loss)",
        "exec(NINJA_LECTURE)  # the lecture's cells, run in this notebook's namespace\n"
        "viz.explore(tape, loss)",
        "big_tape, big_loss = deep_scoped_chain(666)\nviz.draw(big_tape, target=big_loss)",
    ],
    # real models of a lesson (tests/browser/test_big_graphs.py); sources in models.py
    "big_graphs.ipynb": [
        "import numpy as np\nimport autodiff as ad\nimport viz\nfrom models import *",
        "mlp_tape, mlp_loss = mlp_step()\nviz.draw(mlp_tape, target=mlp_loss)",
        "rnn_tape, rnn_loss = rnn_unrolled()\nrnn = viz.explore(rnn_tape, rnn_loss)\nrnn",
        "big_tape, big_loss = deep_scoped_chain(666)\n"
        "print(len(big_tape.graph(big_loss)), 'nodes')",
        "viz.draw(big_tape, target=big_loss)",
        "import ipywidgets as widgets\n"
        "probe = widgets.IntSlider(description='probe')\necho = widgets.Label()\n"
        "probe.observe(lambda c: setattr(echo, 'value', str(c['new'])), 'value')\n"
        "widgets.VBox([probe, echo])",
        "chain_tape, chain_loss = shared_chain(40)\n"
        "print(len(chain_tape.graph(chain_loss)), 'nodes')\n"
        "viz.explore(chain_tape, chain_loss, folded=[])",
    ],
}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (the Makefile installs it); Playwright's own browsers are not used."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium (make test does)")
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[playwright_api.Browser]:
    """One headless Chromium for these tests. Package-scoped: Playwright's sync API runs an
    asyncio loop on this thread while it is open, which the other tests must not see
    (`viz.explore` defers work when it finds a running loop, as in a kernel)."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory the servers serve: the teaching notebooks and the scratch ones."""
    root = tmp_path_factory.mktemp("served")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(notebook, root / notebook.name)
    shutil.copy(ROOT / "tests" / "models.py", root / "models.py")
    for name, sources in SCRATCH.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        nbformat.write(nb, root / name)
    return root


def _server(kind: str, served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    server = JupyterServer(kind, served, tmp_path_factory.mktemp(f"jupyter-{kind}"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="package")
def lab(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab, started once for these tests (stopped after them, also on failure)."""
    yield from _server("lab", served, tmp_path_factory)


@pytest.fixture(scope="package")
def notebook7(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """Notebook 7, started once for these tests."""
    yield from _server("notebook", served, tmp_path_factory)


@pytest.fixture(scope="package")
def voila(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """Voila serving the same directory, started once for these tests."""
    yield from _server("voila", served, tmp_path_factory)


@pytest.fixture
def page(
    browser: playwright_api.Browser, request: pytest.FixtureRequest
) -> Iterator[playwright_api.Page]:
    """A fresh page; it fails the test on a JavaScript dialog (alert) or an uncaught error,
    and is screenshotted into test-output/browser/<test>.png when the test ends."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []

    def on_dialog(dialog: playwright_api.Dialog) -> None:
        problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def on_error(error: playwright_api.Error) -> None:
        stack = error.stack or ""
        first_frame = next((line for line in stack.splitlines() if " at " in line), "")
        if any(bundle in first_frame for bundle in JUPYTER_BUNDLES):
            # Jupyter's own front end (Notebook 7.6 throws one on every page load, reading
            # a settings schema): reported, not ours to fail on
            print(f"[{request.node.name}] error in Jupyter's front end: {error}")
            return
        problems.append(f"uncaught error in the page: {error}\n{stack}")

    page.on("pageerror", on_error)
    page.problems = problems  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(playwright_api.Error):
            page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=False)
        context.close()
    assert not problems, "\n".join(problems)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the timings measured in the page (also in test-output/browser/timings.json)."""
    if not RECORDED:
        return
    terminalreporter.section("browser timings (performance.now() in the page)")
    for key, ms in RECORDED.items():
        terminalreporter.write_line(f"{ms:9.1f} ms  {key}")
    terminalreporter.write_line(f"screenshots: {OUTPUT}")
