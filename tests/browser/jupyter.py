"""Real Jupyter servers and notebook pages for the browser tests.

`JupyterServer` starts JupyterLab, Notebook 7 or Voila on a free localhost port with a random
token, in a directory of its own, with its own config and runtime dirs (nothing of the user's
Jupyter setup is read or written); `stop()` ends it and its kernels. `NotebookPage` drives
one notebook in Chromium through Playwright: open it, run cells, find their outputs.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Locator, Page

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
TIMINGS = OUTPUT / "timings.json"  # read by `make bench` (benchmarks/run.py, row 8)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90.0  # seconds for a server to answer
ANNOUNCEMENTS = "@jupyterlab/apputils-extension:announcements"
RUN_TIMEOUT = 180_000  # ms for a notebook's cells to run


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """JupyterLab (`kind="lab"`), Notebook 7 (`kind="notebook"`) or Voila (`kind="voila"`:
    each notebook a page of its outputs, run in a kernel of its own when opened) serving
    `root`."""

    def __init__(self, kind: str, root: Path, home: Path) -> None:
        if kind not in ("lab", "notebook", "voila"):
            raise ValueError(f"kind must be 'lab', 'notebook' or 'voila', got {kind!r}")
        self.kind = kind
        self.root = root
        self.home = home
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / f"{kind}-server.log"
        self.process: subprocess.Popen | None = None
        self._workspaces = 0

    def start(self) -> JupyterServer:
        """Start the server and wait until its API answers."""
        config = self.home / "config"
        (config / "labconfig").mkdir(parents=True, exist_ok=True)
        if self.kind == "lab":
            # no "get notified about Jupyter news?" toast over the page (it asks the network)
            (config / "labconfig" / "page_config.json").write_text(
                json.dumps({"disabledExtensions": {ANNOUNCEMENTS: True}})
            )
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "JUPYTER_DATA_DIR": str(self.home / "data"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": str(self.home / "ipython"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
        }
        app = "LabApp" if self.kind == "lab" else "JupyterNotebookApp"
        ready = f"{self.url}/api/status?token={self.token}"
        command = [
            sys.executable,
            "-m",
            "jupyterlab" if self.kind == "lab" else "notebook",
            "--no-browser",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--{app}.expose_app_in_browser=True",
            f"--{app}.workspaces_dir={self.home / 'workspaces'}",
            "--ServerApp.port_retries=0",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        if self.kind == "voila":  # a server of its own: no /api/status, no root check
            ready = f"{self.url}/?token={self.token}"
            command = [
                sys.executable,
                "-m",
                "voila",
                "--no-browser",
                f"--port={self.port}",
                "--Voila.ip=127.0.0.1",
                f"--Voila.token={self.token}",
                "--Voila.port_retries=0",
                f"--Voila.connection_dir_root={self.home}",
                str(self.root),
            ]
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its kernels too are stopped with its process group
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter {self.kind} exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(ready, timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"jupyter {self.kind} did not answer in {START_TIMEOUT} s:\n{self.log()}"
        )

    def stop(self) -> None:
        """Stop the server and everything it started (kernels), politely then firmly."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass

    def log(self) -> str:
        """The server's output so far (for failure messages)."""
        try:
            return self.log_path.read_text()[-6000:]
        except OSError:
            return "(no log)"

    def notebook_url(self, name: str) -> str:
        """The address of notebook `name` in this server's front end (in JupyterLab, in a
        new workspace: no tab of an earlier test is reopened; in Voila, its rendered page)."""
        if self.kind == "voila":
            return f"{self.url}/voila/render/{name}?token={self.token}"
        if self.kind == "lab":
            self._workspaces += 1
            path = f"lab/workspaces/test{self._workspaces}/tree/{name}"
        else:
            path = f"notebooks/{name}"
        return f"{self.url}/{path}?token={self.token}"

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API; the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel the server runs (those of earlier tests), once they are
        idle: a kernel stopped while it still sends (a diagram's picture put into its
        output, viz/saved.py) logs zmq tracebacks that are not ours to judge."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kernels = self.api("GET", "kernels") or []
            if all(k.get("execution_state") == "idle" for k in kernels):
                break
            time.sleep(0.1)
        if kernels:
            time.sleep(0.5)  # the kernels' output threads send what an idle kernel queued
        for kernel in kernels:
            self.api("DELETE", f"kernels/{kernel['id']}")


# JavaScript run in the page: `window.jupyterapp` is exposed by `expose_app_in_browser`.
_PANEL = "window.jupyterapp?.shell?.currentWidget"
_KERNEL_IDLE = f"() => {_PANEL}?.sessionContext?.session?.kernel?.status === 'idle'"
_RUN_DONE = f"""(indices) => {{
  const panel = {_PANEL};
  const kernel = panel?.sessionContext?.session?.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const cells = panel.content.widgets;
  return indices.every((i) => cells[i].model.type !== 'code' ||
    (cells[i].model.executionCount !== null && !cells[i].node.querySelector('.jp-mod-pending')));
}}"""
_ERRORS = f"""() => {{
  const out = [];
  {_PANEL}.content.widgets.forEach((cell, i) => {{
    if (cell.model.type !== 'code') return;
    for (let k = 0; k < cell.model.outputs.length; k++) {{
      const o = cell.model.outputs.get(k).toJSON();
      if (o.output_type === 'error') out.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`);
    }}
  }});
  return out;
}}"""


class NotebookPage:
    """One notebook open in JupyterLab or Notebook 7, in a Playwright page."""

    def __init__(self, page: Page, server: JupyterServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name

    def open(self) -> NotebookPage:
        """Load the notebook and wait for its kernel to be idle."""
        self.server.shutdown_kernels()
        self.page.goto(self.server.notebook_url(self.name))
        self.page.wait_for_function(
            f"() => {_PANEL}?.context?.path === {json.dumps(self.name)}", timeout=60_000
        )
        self.page.evaluate(f"async () => {{ await {_PANEL}.sessionContext.ready; }}")
        self.page.wait_for_function(_KERNEL_IDLE, timeout=60_000)
        return self

    @property
    def cell_count(self) -> int:
        """How many cells the notebook has."""
        return self.page.evaluate(f"() => {_PANEL}.content.widgets.length")

    def run_all(self) -> None:
        """Run every cell (Run > Run All Cells) and wait until the kernel is done."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.wait_ran(list(range(self.cell_count)))

    def wait_ran(self, indices: list[int]) -> None:
        """Wait until the cells `indices` have run and the kernel is idle; fail on errors."""
        self.page.wait_for_function(_RUN_DONE, arg=indices, timeout=RUN_TIMEOUT)
        errors = self.page.evaluate(_ERRORS)
        assert not errors, f"{self.name}: cells raised:\n" + "\n".join(errors)

    def select(self, index: int) -> None:
        """Make cell `index` the active cell (what Run Selected Cell runs)."""
        self.page.evaluate(
            "(i) => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = i; }", index
        )

    def run_cell(self, index: int) -> None:
        """Run one cell (select it, Run Selected Cell) without waiting."""
        self.select(index)
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")

    def cell(self, index: int) -> Locator:
        """The cell `index` (0-based, markdown cells included)."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def output(self, index: int) -> Locator:
        """The output area of cell `index`."""
        return self.cell(index).locator(".jp-OutputArea").first

    def diagram(self, index: int) -> Locator:
        """The output area of cell `index`, scrolled into view, once its diagram is drawn."""
        output = self.output(index)
        output.scroll_into_view_if_needed()
        output.locator(".adviz svg g.node").first.wait_for()
        errors = [e.text_content() for e in output.locator(".adviz-error").all() if e.is_visible()]
        assert not errors, f"{self.name}, cell {index}: the widget shows an error: {errors}"
        return output

    def wait_picture(self, index: int, timeout: float = 30_000) -> None:
        """Wait until cell `index`'s output holds the browser's picture of its diagram
        (viz/saved.py): after that, nothing is sent until the view changes again."""
        self.page.wait_for_function(
            f"""(i) => {{
              const cell = {_PANEL}.content.widgets[i];
              for (let k = 0; k < cell.model.outputs.length; k++) {{
                if ('image/svg+xml' in (cell.model.outputs.get(k).toJSON().data || {{}})) {{
                  return true;
                }}
              }}
              return false;
            }}""",
            arg=index,
            timeout=timeout,
        )

    def diagram_cells(self) -> list[int]:
        """The indices of the code cells that draw a diagram (`viz.draw(` or `viz.explore(`)."""
        return self.page.evaluate(
            f"""() => {_PANEL}.content.widgets
              .map((c, i) => [i, c.model.type === 'code' &&
                /\\bviz\\.(draw|explore)\\(/.test(c.model.sharedModel.getSource())])
              .filter(([, drawn]) => drawn).map(([i]) => i)"""
        )

    def code_cell_index(self, startswith: str) -> int:
        """The index of the first code cell whose source starts with `startswith`."""
        index = self.page.evaluate(
            f"""(prefix) => {_PANEL}.content.widgets.findIndex(
                (c) => c.model.type === 'code' && c.model.sharedModel.getSource().trimStart()
                  .startsWith(prefix))""",
            startswith,
        )
        assert index >= 0, f"{self.name}: no code cell starts with {startswith!r}"
        return index


RECORDED: dict[str, float] = {}  # the timings of this test session, for the summary


def record_timing(key: str, milliseconds: float) -> None:
    """Add a timing (ms) to test-output/browser/timings.json, which `make bench` reads."""
    RECORDED[key] = milliseconds
    OUTPUT.mkdir(parents=True, exist_ok=True)
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    timings[key] = round(milliseconds, 3)
    TIMINGS.write_text(json.dumps(timings, indent=2) + "\n")
