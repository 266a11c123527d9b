"""The package as its users get it: the wheel built from this tree, its metadata and files, and
the wheel installed into a fresh venv with no Node.js on its PATH, where the README's snippets run.

The wheel build finds the widget's bundle that `make` built (viz/static/widget.js), so npm does
not run; pip fetches the build backend and, for the fresh venv, the dependencies from the package
index, reusing pip's cache. Only an unreachable index skips (a skip fails in CI all the same).
"""

from __future__ import annotations

import email.message
import email.parser
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import autodiff
import viz

ROOT = Path(__file__).resolve().parents[1]
DIST = "autodiff-viz"
README = ROOT / "README.md"
LICENSE_FILES = ["LICENSE", "THIRD_PARTY_NOTICES.md"]
LICENSE_EXPRESSION = "MIT AND EPL-1.0"
PYTHON = "Programming Language :: Python ::"

# What pip says when the package index cannot be reached (and only then).
OFFLINE = re.compile(
    r"NewConnectionError|ConnectTimeoutError|ReadTimeoutError|Temporary failure in name "
    r"resolution|Name or service not known|Network is unreachable|No route to host|ProxyError"
)


def run_pip(args: list[str], *, python: str = sys.executable, **kwargs) -> None:
    """`python -m pip ARGS`: skips if the index is unreachable, else fails with pip's output."""
    proc = subprocess.run(
        [python, "-m", "pip", *args, "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=900,
        **kwargs,
    )
    if proc.returncode != 0:
        out = proc.stdout + proc.stderr
        offline = OFFLINE.search(out)
        if offline:
            pytest.skip(f"the package index is unreachable ({offline.group(0)})")
        pytest.fail(f"pip {' '.join(args)} failed:\n{out[-4000:]}")


def source_version() -> str:
    """`autodiff.__version__` as written in autodiff/__init__.py (the one version source)."""
    text = (ROOT / "autodiff" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r"""^__version__ = ["']([^"']+)["']""", text, re.MULTILINE)
    assert found, "autodiff/__init__.py has no `__version__ = '...'` line"
    return found.group(1)


def readme_block(heading: str) -> str:
    """The first ```python block under README.md's `## heading`."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, f"README.md: no python block under '## {heading}'"
    return found.group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run_pip(["wheel", "--no-deps", "--wheel-dir", str(out), str(ROOT)])
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def dist_info(files: dict[str, bytes]) -> str:
    (name,) = {f.split("/")[0] for f in files if f.split("/")[0].endswith(".dist-info")}
    return name


@pytest.fixture(scope="module")
def metadata(files: dict[str, bytes], dist_info: str) -> email.message.Message:
    return email.parser.Parser().parsestr(files[f"{dist_info}/METADATA"].decode("utf-8"))


def test_metadata_fields(metadata: email.message.Message) -> None:
    assert metadata["Name"] == DIST
    assert metadata["Version"] == source_version()
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["License-Expression"] == LICENSE_EXPRESSION
    assert sorted(metadata.get_all("License-File")) == sorted(LICENSE_FILES)
    assert metadata["Summary"]

    classifiers = metadata.get_all("Classifier") or []
    for wanted in ("Typing :: Typed", "Framework :: Jupyter", f"{PYTHON} 3"):
        assert wanted in classifiers
    # PEP 639: with a License-Expression, no "License ::" classifiers.
    assert not [c for c in classifiers if c.startswith("License ::")]
    # A Python version classifier for each supported minor version, none below Requires-Python.
    minors = [int(c.rsplit(".", 1)[1]) for c in classifiers if c.startswith(f"{PYTHON} 3.")]
    assert minors and min(minors) == 10 and minors == list(range(10, max(minors) + 1))


def test_project_urls_reach_the_metadata(metadata: email.message.Message) -> None:
    """Every [project.urls] entry of pyproject.toml is a Project-URL (there may be none yet)."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python >= 3.11")
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"].get(
        "urls", {}
    )
    shown = dict(line.split(", ", 1) for line in metadata.get_all("Project-URL") or [])
    assert shown == urls
    assert all(url.startswith("https://") for url in shown.values())


def test_long_description_reads_on_pypi(metadata: email.message.Message) -> None:
    """README.md less its screenshots and its source map: no link that PyPI can't follow."""
    assert metadata["Description-Content-Type"] == "text/markdown"
    body = metadata.get_payload()
    assert body.lstrip().startswith(f"# {DIST}\n")
    first_screen = body.lstrip().splitlines()[:20]
    for command in ("pip install autodiff-viz", "make lab", "make test"):
        assert any(command in line for line in first_screen), command
    assert "## Quick look" in body and "## Installing" in body
    assert "## Layout" not in body
    relative = re.findall(r"\]\((?!https?://)[^)]*\)", body)
    assert not relative, f"relative links in the long description: {relative}"
    assert "../" not in body


def test_readme_opens_with_the_two_commands() -> None:
    """The developers' guide: README.md gives `make lab` and `make test` in its first lines."""
    first = README.read_text(encoding="utf-8").splitlines()[:12]
    assert any(line.startswith("make lab") for line in first)
    assert any(line.startswith("make test") for line in first)


def test_wheel_files(files: dict[str, bytes], dist_info: str) -> None:
    for name in (
        "autodiff/py.typed",
        "viz/py.typed",
        "viz/palette.json",
        "viz/protocol.json",
        "autodiff/tape.py",
    ):
        assert name in files, name
    assert len(files["viz/static/widget.js"]) > 100_000  # Graphviz in WebAssembly and the renderer
    assert b"renderer" in files["viz/static/loader.js"]  # each view's ESM: loads the shared bundle
    assert len(files["viz/static/widget.js.gz"]) > 100_000  # the bundle gzipped, shared once
    for name in LICENSE_FILES:
        assert files[f"{dist_info}/licenses/{name}"] == (ROOT / name).read_bytes()
    assert not [f for f in files if f.startswith(("viz/js/", "tests/", "node_modules/"))]


def test_notices_cover_the_bundle(files: dict[str, bytes]) -> None:
    """What esbuild kept of the bundled packages' legal comments is in THIRD_PARTY_NOTICES.md."""
    bundle = files["viz/static/widget.js"].decode("utf-8")
    legal = bundle.rsplit("/*! Bundled license information:", 1)
    assert len(legal) == 2, "widget.js has no legal comments at its end (--legal-comments=eof)"
    notices = (ROOT / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    rows = [line for line in notices.splitlines() if line.startswith("| ")]
    packages = set(re.findall(r"^((?:@[\w.-]+/)?[\w.-]+)/\S*:$", legal[1], re.MULTILINE))
    assert packages, legal[1]
    for package in packages:
        assert f"`{package}`" in notices, f"{package} is bundled but not in the notices"
    # "Viz.js 3.31.0", and each "Name https://..." of what it contains in object code form.
    for name, version in re.findall(r"^\s*([A-Z][\w.]*) (\d+(?:\.\d+)+)$", legal[1], re.MULTILINE):
        assert any(name in row and f"| {version} |" in row for row in rows), (name, version)
    for name in re.findall(r"^\s*([A-Z][\w.]*) https?://", legal[1], re.MULTILINE):
        assert any(row.startswith(f"| {name}") for row in rows), name
    for license_name in ("Eclipse Public License - v 1.0", "Permission is hereby granted"):
        assert license_name in notices


@pytest.mark.slow
def test_wheel_installs_and_runs_without_node(wheel: Path, tmp_path: Path) -> None:
    """A fresh venv (no system site-packages), PATH its bin/ only: pip install, README snippets."""
    venv_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True, timeout=300)
    bindir = venv_dir / ("Scripts" if os.name == "nt" else "bin")
    python = str(bindir / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(bindir)
    for tool in ("node", "npm", "npx", "yarn"):
        assert shutil.which(tool, path=env["PATH"]) is None, tool

    run_pip(["install", str(wheel)], python=python, env=env, cwd=tmp_path)

    quick, seeing = readme_block("Quick look"), readme_block("Seeing it")
    expected = re.findall(r"^print\(.*\)\s+# (.*)$", quick, re.MULTILINE)
    assert expected, "README's Quick look shows no printed output to check"
    checks = """
import importlib.metadata, importlib.resources, pathlib, shutil, sys
print("version", ad.__version__, viz.__version__, importlib.metadata.version("autodiff-viz"))
print("bundle", (importlib.resources.files("viz") / "static" / "widget.js").is_file())
prefix = pathlib.Path(sys.prefix).resolve()
print("installed", pathlib.Path(ad.__file__).resolve().is_relative_to(prefix))
print("node", shutil.which("node"), shutil.which("npm"))
"""
    script = tmp_path / "readme_snippets.py"
    script.write_text(quick + seeing + checks, encoding="utf-8")
    proc = subprocess.run(
        [python, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    version = source_version()
    assert lines[: len(expected)] == expected
    assert lines[len(expected) :] == [
        f"version {version} {version} {version}",
        "bundle True",
        "installed True",
        "node None None",
    ], proc.stdout + proc.stderr


def _documented_objects():
    """Every public function and class of autodiff and viz, and what their classes define."""
    for package in (autodiff, viz):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                    continue
                if inspect.isfunction(obj):
                    yield f"{module.__name__}.{name}", obj
                elif inspect.isclass(obj):
                    yield f"{module.__name__}.{name}", obj
                    for attr, member in vars(obj).items():
                        dunder = attr.startswith("__") and attr.endswith("__")
                        if attr.startswith("_") and not dunder:
                            continue
                        member = getattr(member, "__func__", getattr(member, "fget", member))
                        if inspect.isfunction(member) and _ours(member):
                            yield f"{module.__name__}.{name}.{attr}", member


def _ours(function: object) -> bool:
    """Whether a function is written in this project (not one a class gets from the standard
    library, such as a `typing.Protocol`'s `__subclasshook__`)."""
    return ROOT in Path(inspect.getsourcefile(function) or "/").resolve().parents


def test_help_shows_no_source_comments() -> None:
    """help() shows the comment block right above a def or class that has no docstring (pydoc
    falls back to inspect.getcomments): a section comment there leaks into the documentation."""
    leaks = []
    for label, obj in _documented_objects():
        if not inspect.getdoc(obj) and inspect.getcomments(obj):
            source = os.path.relpath(inspect.getsourcefile(obj), ROOT)
            line = inspect.getsourcelines(obj)[1] - 1
            leaks.append(f"{source}:{line} {inspect.getcomments(obj).strip()!r} in help({label})")
    assert not leaks, "comments shown by help():\n" + "\n".join(leaks)
