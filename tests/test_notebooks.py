"""Execute the teaching notebooks and check what they print.

Every ``notebooks/*.ipynb`` is run top to bottom with nbclient, in its own directory, on a
``python3`` kernel that is guaranteed to be the Python running the tests (so it imports this
checkout's ``autodiff`` and ``viz``). Each notebook is executed once per session; the tests
below share that run.

To add expectations for a new notebook, add an entry to ``EXPECTED_OUTPUT``.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "python3"
CELL_TIMEOUT = 120  # seconds, per cell
NOTEBOOK_BUDGET = 30.0  # seconds, per notebook (kernel start-up included)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # colours in IPython tracebacks

# Notebook file name -> substrings that must appear in its printed output
# (stdout, and the text form of displayed values), in any order.
EXPECTED_OUTPUT: dict[str, list[str]] = {
    "01_gradient_tape.ipynb": [
        # a constant is not watched ...
        "f = x², df/dx at x = 2: None\n",
        # ... a variable, or a watched constant, is
        "f = x², df/dx at x = 2: Tensor([4.], shape=(1,), dtype=float32)\n",
        # several parameters at once
        "Y:  Tensor([[22. 28.]], shape=(1, 2), dtype=float32)\n",
        "Loss:  Tensor(634.0, shape=(), dtype=float32)\n",
        "d(Loss)/dw:  Tensor(\n[[22. 28.]\n [44. 56.]\n [66. 84.]], shape=(3, 2), dtype=float32)\n",
        "d(Loss)/db:  Tensor([22. 28.], shape=(2,), dtype=float32)\n",
        # one gradient call on a non-persistent tape, two on a persistent one
        "RuntimeError: GradientTape.gradient can only be called once on non-persistent tapes.\n",
        "h = x³, dh/dx at x = 2: Tensor([12.], shape=(1,), dtype=float32)\n",
        # the exercises run as given, and their checks accept the solutions
        "dg/dx at x = 1.5: None\nExercise 1: not answered yet\n",
        "Exercise 2: not answered yet\n",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n",
    ],
    "02_backprop_step_by_step.ipynb": [
        # the neuron tanh(x1*w1 + x2*w2 + b) and its gradients
        "out = 0.7071\n",
        "d(out)/d(x1) = -1.5000\n",
        "d(out)/d(x2) = 0.5000\n",
        "d(out)/d(w1) = 1.0000\n",
        "d(out)/d(w2) = 0.0000\n",
        "d(out)/d(b) = 0.5000\n",
        # the recorded backward pass: one step per op, with its local derivative
        "backward steps: 5\n",
        "1. out  [d(tanh x)/dx = 1 - tanh²x]  upstream 1.0000  ->  n <- 0.5000\n",
        "[d(x+y)/dx = 1; d(x+y)/dy = 1]  upstream 0.5000  ->  x1*w1 <- 0.5000, x2*w2 <- 0.5000\n",
        "[d(x*y)/dx = y; d(x*y)/dy = x]  upstream 0.5000  ->  x1 <- -1.5000, w1 <- 1.0000\n",
        # control flow: the branch taken decides what is recorded
        "w = +2.0: recorded ['multiply', 'subtract'], d(out)/dw = 1.5000\n",
        "w = -1.0: recorded ['multiply', 'subtract', 'multiply'], d(out)/dw = 0.0000\n",
        # ... and with ad.relu, one relu node whatever the branch
        "w = +2.0: recorded ['multiply', 'subtract', 'relu'], d(out)/dw = 1.5000\n",
        "w = -1.0: recorded ['multiply', 'subtract', 'relu'], d(out)/dw = 0.0000\n",
    ],
    "03_training_an_mlp.ipynb": [
        "parameters: 354\n",
        "log_softmax(z):  [[-200.    0.]]\n",
        "final accuracy: 0.9",
        # the exercises' runs re-seed: train() repeats the run above exactly
        "train() repeats the run above: True\n",
        "Exercise 1: not answered yet",
        "Exercise 4: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 4 (solution): correct\n",
    ],
    "04_beyond_first_order.ipynb": [
        # nested tapes: x**3 at 3
        "dy/dx   = Tensor(27.0, shape=(), dtype=float32)\n",
        "d2y/dx2 = Tensor(18.0, shape=(), dtype=float32)\n",
        "sin(x)       second derivative matches the formula: True\n",
        "tanh(x)      second derivative matches the formula: True\n",
        "sigmoid(x)   second derivative matches the formula: True\n",
        "log(1 + x²)  second derivative matches the formula: True\n",
        # Newton's method on x**4 - 3x**2 + x from x = 2
        "step 6: x = 1.1309011226",
        "converged: x = 1.130901\n",
        # Jacobians
        "matches diag(p) - p pᵀ: True\n",
        # stop_gradient and the straight-through estimator
        "d(a * a)/da                = 4.0\n",
        "d(a * stop_gradient(a))/da = 2.0\n",
        "value:    [ 0.  2. -1.]\ngradient: [1. 1. 1.]\n",
        # custom_gradient clipping the gradient [1, 6, -8] to [-1, 1]
        "clipped gradient: Tensor([ 1.  1. -1.], shape=(3,), dtype=float32)\n",
    ],
    "05_recurrent_nets_through_time.ipynb": [
        # 30 steps of 4 ops, the 30 inputs, W, U, h0 and the loss
        "recorded nodes: 154\n",
        "loss = -1.7954\n",
        # the gradient reaching h_t vanishes going back in time
        "t =  1: |d loss / d h_t| = 1.434e-07\n"
        "t =  5: |d loss / d h_t| = 7.334e-07\n"
        "t = 10: |d loss / d h_t| = 9.946e-06\n"
        "t = 20: |d loss / d h_t| = 2.221e-03\n"
        "t = 30: |d loss / d h_t| = 2.000e+00\n"
        "last / first: 1.395e+07\n",
        # why: the largest singular value of W is below 1, and tanh's slope 1 - h² shrinks it
        "largest singular value of W: 0.929\n",
        "mean of 1 - h²: 0.74\n",
        "average factor per step back: 0.567\n",
        # 3 W: above 1, but the tanh saturates and the gradient vanishes even faster
        "t =  1: |d loss / d h_t| = 7.918e-11\n"
        "t =  5: |d loss / d h_t| = 6.534e-10\n"
        "t = 10: |d loss / d h_t| = 2.458e-07\n"
        "t = 20: |d loss / d h_t| = 8.391e-04\n"
        "t = 30: |d loss / d h_t| = 2.000e+00\n"
        "last / first: 2.526e+10\n",
        "largest singular value of 3 W: 2.787\n",
        "mean of 1 - h²: 0.28\n",
        "factors 1 - h² below 0.1: 46% (with W: 5%)\n",
        # W is read by every step: its gradient is the sum of 30 contributions ...
        "contributions sent to W: 30\n",
        "step  1 sends W a contribution of norm 0.000e+00\n",
        "step 30 sends W a contribution of norm 1.505e+00\n",
        "their sum has norm 1.585e+00\n",
        "the sum equals tape.gradient(loss, W): True\n",
        # ... and a backward pass that assigned would keep only the last one, step 1's zero
        "assigned:    |d loss / d W| = 0.000e+00\naccumulated: |d loss / d W| = 1.585e+00\n",
        # without the tanh, 3 W explodes
        "linear RNN with 3 W:\n"
        "t =  1: |d loss / d h_t| = 2.569e+11\n"
        "t =  5: |d loss / d h_t| = 6.740e+09\n"
        "t = 10: |d loss / d h_t| = 7.118e+07\n"
        "t = 20: |d loss / d h_t| = 7.944e+03\n"
        "t = 30: |d loss / d h_t| = 2.000e+00\n"
        "last / first: 7.786e-12\n",
        "largest |eigenvalue| of W: 0.828\n",
        # clipping by global norm: norm 1, same direction; small gradients untouched
        "global norm before clipping: 1.059e+13\n",
        "global norm after clipping:  1.000000\n",
        "same direction: True\n",
        "tanh network: global norm 1.96, below 5, unchanged: True\n",
        # an orthogonal W keeps the norm without the tanh, and vanishes less with it
        "linear RNN, orthogonal W: last / first = 1.0000\n",
        "last / first: 1.641e+05\n",
        "average factor per step back: 0.661 (with W: 0.567)\n",
        "the gradient vanishes 85 times less than with W\n",
        # the exercises run as given, and their checks accept the solutions
        "Exercise 1: not answered yet",
        "Exercise 3: not answered yet",
        "the last 7 steps: off by 0.65%\n",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\n",
    ],
    "06_matrix_calculus_and_broadcasting.ipynb": [
        # broadcast forward, sum backward
        "dL/db = [2. 2. 2.]\n",
        "dL/db:            [11. 22. 33.]\n",
        "c of shape (2, 1) : gradient = G.sum(axis=1, keepdims=True)  shape (2, 1)\n",
        "c of shape ()     : gradient = G.sum()                       shape ()\n",
        "[[1. 1. 1.]\n [2. 2. 2.]]\n",
        # dW = Xᵀ G and its relatives, against the tape
        "dW (3, 2) = Xᵀ G: True\n",
        "dX (5, 3) = G Wᵀ: True\n",
        "db (2,) = G summed over the batch: True\n",
        # the Jacobian, and the vector-Jacobian product the backward pass computes instead
        "Jacobian dY/dW: (5, 2, 3, 2) = 60 numbers, of which 30 nonzero\n",
        "G · J has W's shape (3, 2) and equals tape.gradient: True\n",
        # add distributes, max routes, multiply swaps
        "s         upstream 2  ->  x*y <- 2, max(z, w) <- 2\n",
        "max(z, w) upstream 2  ->  z <- 2, w <- 0\n",
        "x*y       upstream 2  ->  x <- -8, y <- 6\n",
        "maximum(a, c)  d/da = [ 0. 20. 30.]  d/dc = [10.  0.  0.]\n",
        # softmax cross-entropy: p - y
        "p - y:                [ 0.7101  0.0354 -0.8416  0.0961]\n",
        "the tape:             [ 0.7101  0.0354 -0.8416  0.0961]\n",
        "batch gradient equals (P - Y) / N, and the tape agrees with central differences\n",
        # the exercises run as given, and their checks accept the solutions
        "Exercise 1: not answered yet",
        "Exercise 3: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\n",
    ],
    "08_backprop_ninja.ipynb": [
        # every hand-derived gradient agrees with the tape, the last one included
        "logit_maxes     exact: True  approximate: True",
        "C               exact: True  approximate: True  maxdiff: 0.0e+00\n",
        "(zero, up to rounding)\n",
        "batch norm backward in one formula: agrees with central differences\n",
        "Exercise 1: not answered yet (replace the None)\n",
        "Exercise 1 (solution): correct\n",
        "Exercise 2 (solution): correct\n",
        "Exercise 3 (solution): correct\n",
    ],
    "09_build_your_own_tape.ipynb": [
        # the student's engine: + and *, then the topological order of the neuron
        "c = -5.0, dc/da = -2.0, dc/db = 3.0\n",
        "topological order: x1 → w1 → x1w1 → x2 → w2 → x2w2 → x1w1x2w2 → b → n → o\n",
        "ad's order: x1 → w1 → x1w1 → x2 → w2 → x2w2 → x1w1x2w2 → b → n → o\n",
        # backward() gives notebook 02's gradients, and ad's, node by node
        "x1        data +2.0000   grad -1.5000\n",
        "o         data +0.7071   grad +1.0000\n",
        "x1         +2.0000  -1.5000  +2.0000  -1.5000\n",
        # a value used twice: the shares add up, as ad's
        "a          +2.0000 -23.0000  +2.0000 -23.0000\n",
        "d          +4.0000  +8.0000  +4.0000  +8.0000\n",
        "largest difference: 0.0e+00\n",
        "Exercise 1: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\n",
    ],
    "10_convolution_and_batch_norm.ipynb": [
        "images (8, 8, 8, 1) labels [0 1 0 1 0 1 0 1]\n",
        "conv (8, 8, 8, 4) pooled (8, 4, 4, 4) logits (8, 2)\n",
        # every op's gradient by hand agrees with the tape: cross-entropy, max-pool (512
        # windows, one winner each), batch norm per channel, the convolution
        "dlogits    (8, 2)         maxdiff 0.0e+00",
        "elements of act with a gradient: 512 of 2048\n",
        "dmean      (4,)           maxdiff",
        "dconv      (8, 8, 8, 4)   maxdiff",
        "dkernel    (3, 3, 1, 4)   maxdiff",
        "dx         (8, 8, 8, 1)   maxdiff",
        "dx as a convolution with the flipped kernel: maxdiff ",
        # sixty steps of training learn the bars
        "step 59: loss 0.0017\n",
        "accuracy on 64 new images: 1.00\n",
        "Exercise 1: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\n",
    ],
    "11_attention.ipynb": [
        "loss 2.8199 (a uniform guess: log 10 = 2.3026)\n",
        "scores (6, 6) weights (6, 6) out (6, 16)\n",
        # the softmax's gradient by hand, its rows summing to zero, then to q and k
        "dscores by hand: maxdiff 0.0e+00\n",
        "(zero)\n",
        "dq by hand: maxdiff ",
        "|dh| = 0.894 (the residual's share of dx, unchanged)\n",
        # without 1/sqrt(d) the scores spread as sqrt(d), the softmax saturates and the
        # gradient through it vanishes; with it, nothing moves
        "    4 |          1.67       0.284  2.4e-02 |        0.83       0.127  2.5e-02\n",
        " 1024 |         30.95       0.984  4.2e-04 |        0.97       0.158  2.4e-02\n",
        "d = 1024: the gradient through the softmax is 57× larger scaled\n",
        "Exercise 1: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\n",
    ],
    "07_write_your_own_op.ipynb": [
        # softplus: the naive composition gives nan, the custom op does not
        "naive gradient: [0.     0.2689 0.5    0.7311    nan]\n",
        "gradient: [0.     0.2689 0.5    0.7311 1.    ]\n",
        "Jacobian shape: (5, 5)\n",
        # the forgotten upstream gradient, caught
        "wrong at output element 0, input element 1: the tape gives 0.377541, "
        "central differences 0 (20 of 25 Jacobian entries",
        # reverse mode: one backward pass per output (times are printed, not checked)
        "wide: Jacobian (2, 1000): 2 backward passes, ",
        "tall: Jacobian (1000, 2): 1000 backward passes, ",
        "tall Jacobian by columns: 2 JVPs, ",
        "equals tape.jacobian: True\n",
        # what the op table says the backward rules read
        "add       ('x', 'y')   saves []\n",
        "exp       ('x',)       saves ['out']\n",
        "relu      ('x',)       saves ['x']\n",
        "MB in use    after forward | reaching the bottom | after gradient\n",
        # a custom op's insides are recorded too, unless computed with NumPy
        "softplus       8 ops recorded, ",
        "softplus_numpy 2 ops recorded, ",
        # the exercises run as given, and their checks accept the solutions
        "Exercise 1: not answered yet",
        "Exercise 4: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\nExercise 4 (solution): correct\n",
    ],
    "12_forward_and_reverse.ipynb": [
        # dual numbers and the accumulator agree (f'(2) = sin 2 + 2 cos 2 + 3)
        "Dual(7.81859, tangent=3.077)\nf'(2) by hand: 3.077\n",
        "y = 7.81859, dy/dx = 3.077\n",
        "4 forward steps",
        # the Jacobian both ways: passes counted (times printed, not checked)
        "n=200, m=2: forward 200 passes, reverse 2 passes; same Jacobian: True\n",
        "n=2, m=200: forward 2 passes, reverse 200 passes; same Jacobian: True\n",
        " n   forward (ms)  reverse (ms)  faster\n",
        "Hv matches the full Hessian times v: True\n",
        # checkpointing: the same gradients exactly (memory and time printed)
        "the same gradients, exactly: True\n",
        "peak memory: ",
        "blocks of  1: peak ",
        # the exercises run as given, and their checks accept the solutions
        "Exercise 1: not answered yet",
        "Exercise 3: not answered yet",
        "Exercise 1 (solution): correct\nExercise 2 (solution): correct\n"
        "Exercise 3 (solution): correct\n",
    ],
}


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook and how long it took."""

    notebook: nbformat.NotebookNode
    seconds: float

    def outputs(self) -> Iterator[tuple[int, dict]]:
        """Yield ``(cell index, output)`` for every output of every code cell."""
        for index, cell in enumerate(self.notebook.cells):
            if cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    yield index, output

    @property
    def text(self) -> str:
        """Everything printed to stdout, plus the plain-text form of displayed values."""
        parts = []
        for _, output in self.outputs():
            if output.output_type == "stream" and output.name == "stdout":
                parts.append(output.text)
            elif output.output_type in {"execute_result", "display_data"}:
                parts.append(output.get("data", {}).get("text/plain", "") + "\n")
        return "".join(parts)

    @property
    def errors(self) -> list[str]:
        """A readable description of every error output."""
        return [
            f"cell {index}: {output.ename}: {output.evalue}\n"
            + ANSI_ESCAPE.sub("", "\n".join(output.traceback))
            for index, output in self.outputs()
            if output.output_type == "error"
        ]


@pytest.fixture(scope="session")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Make the ``python3`` kernel run ``sys.executable``, whatever kernelspecs are installed.

    A ``python3`` kernelspec in the user's or the system's Jupyter directories may point at
    another Python that cannot import ``autodiff``. A spec written by ipykernel for this
    interpreter, first on ``JUPYTER_PATH``, takes precedence over all of them, and nothing
    is installed into the environment.
    """
    data_dir = tmp_path_factory.mktemp("jupyter")
    kernelspec.write_kernel_spec(
        data_dir / "kernels" / KERNEL_NAME,
        overrides={"display_name": f"Python 3 ({sys.executable})"},
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(data_dir))
        yield


def execute(path: Path) -> NotebookRun:
    """Run the notebook at ``path`` in its own directory; error outputs do not stop it."""
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        allow_errors=True,  # collect every error output, reported by the test below
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return NotebookRun(notebook, time.perf_counter() - start)


@pytest.fixture(scope="session")
def run_notebook(kernel_path: None) -> Callable[[Path], NotebookRun]:
    """Execute a notebook on first use, then return the same run to every test."""
    runs: dict[Path, NotebookRun] = {}

    def run(path: Path) -> NotebookRun:
        if path not in runs:
            runs[path] = execute(path)
        return runs[path]

    return run


notebook_params = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"
    missing = sorted(set(EXPECTED_OUTPUT) - {p.name for p in NOTEBOOKS})
    assert not missing, f"EXPECTED_OUTPUT names notebooks that do not exist: {missing}"


def test_kernel_is_this_python(kernel_path: None, tmp_path: Path) -> None:
    """The kernel runs the interpreter running the tests and imports this checkout."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import sys, autodiff\nprint(sys.executable)\nprint(autodiff.__file__)"
        )
    )
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    run = execute(path)
    assert not run.errors, "\n\n".join(run.errors)
    executable, module = run.text.splitlines()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(module).resolve().parent.parent == NOTEBOOK_DIR.parent


@notebook_params
def test_notebook_is_stripped(path: Path) -> None:
    """Notebooks are committed without outputs or execution counts."""
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert notebook.nbformat == 4
    nbformat.validate(notebook)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; "
        "clear them before committing (Jupyter: Edit > Clear Outputs of All Cells)"
    )


@notebook_params
def test_notebook_runs_without_errors(path: Path, run_notebook: Callable) -> None:
    run = run_notebook(path)
    assert not run.errors, f"{path.name} raised:\n\n" + "\n\n".join(run.errors)


@notebook_params
def test_notebook_prints_expected_values(path: Path, run_notebook: Callable) -> None:
    expected = EXPECTED_OUTPUT.get(path.name)
    assert expected, f"add the key values {path.name} prints to EXPECTED_OUTPUT in {__name__}"
    text = run_notebook(path).text
    missing = [s for s in expected if s not in text]
    assert not missing, f"{path.name}: missing from the output: {missing!r}\n\noutput:\n{text}"


@notebook_params
def test_notebook_runs_quickly(path: Path, run_notebook: Callable) -> None:
    seconds = run_notebook(path).seconds
    assert seconds < NOTEBOOK_BUDGET, (
        f"{path.name} took {seconds:.1f} s (budget {NOTEBOOK_BUDGET} s)"
    )


def test_an_executed_notebook_with_ten_diagrams_carries_the_renderer_once(
    kernel_path: None, tmp_path: Path
) -> None:
    """Every diagram's widget points to one shared model that holds the renderer (about
    1.5 MB); saved with its widget state, the notebook stays small."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import autodiff as ad\nimport viz\nw = ad.Variable([[1.0, 2.0], [3.0, 4.0]], name='w')"
        )
    ]
    for k in range(10):
        call = "viz.draw(tape, target=y)" if k % 2 else "viz.explore(tape, y)"
        notebook.cells.append(
            nbformat.v4.new_code_cell(
                f"with ad.GradientTape(persistent=True) as tape:\n"
                f"    y = ad.reduce_sum(ad.tanh(w * {k + 1}.0))\n{call}"
            )
        )
    client = nbclient.NotebookClient(
        notebook, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT, store_widget_state=True
    )
    client.execute()
    path = tmp_path / "ten.ipynb"
    nbformat.write(notebook, path)
    states = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    renderers = [s for s in states.values() if "code" in s["state"]]
    views = [s for s in states.values() if s["state"].get("_renderer")]
    assert len(renderers) == 1 and len(renderers[0]["state"]["code"]) > 500_000  # gzip+base64
    assert len(views) == 10 and all(len(s["state"]["_esm"]) < 2_000 for s in views)
    assert path.stat().st_size < 2_000_000, path.stat().st_size
    if shutil.which("dot"):  # headless: each diagram's picture drawn by the system's dot
        pictures = [
            o for c in notebook.cells[1:] for o in c.outputs if "image/svg+xml" in o.get("data", {})
        ]
        assert len(pictures) == 10


def test_a_notebook_names_the_nodes_like_its_code(kernel_path: None) -> None:
    """The backprop-ninja lecture in notebook cells: `viz.draw` titles the nodes with the
    notebook's names; IPython's output history (`_`, `_2`, `Out`) names nothing."""
    import json

    from models import NINJA_LECTURE

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import viz\n" + NINJA_LECTURE),
        nbformat.v4.new_code_cell("bnvar"),  # `_` and `_2` hold bnvar now
        nbformat.v4.new_code_cell(
            "import json\nd = viz.draw(tape, target=loss)\n"
            "print(json.dumps([n.name for n in d.graph.nodes if n.named]))"
        ),
    ]
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT)
    client.execute()
    names = json.loads(notebook.cells[2].outputs[0]["text"])
    assert {"bnvar", "counts_sum_inv", "logits", "loss", "C", "W1"} <= set(names)
    assert not [n for n in names if n.startswith("_")]
