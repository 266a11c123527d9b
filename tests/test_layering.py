"""The import graph of `autodiff/` and `viz/` runs one way: no cycle, and the engine never
names its client.

Every import counts, including those under `TYPE_CHECKING` and those inside functions: a
type-only or lazy import is still a place where a lower module knows an upper one. Where only a
type is needed, a `typing.Protocol` in the lower module says what it needs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autodiff", "viz")


def _module_names(package: str) -> set[str]:
    return {path.stem for path in (ROOT / package).glob("*.py")}


def _target(package: str, name: str, modules: dict[str, set[str]]) -> str | None:
    """The module node that `package.name` (or the package itself when `name` is empty) is."""
    if package not in modules:
        return None
    if name and name in modules[package]:
        return f"{package}.{name}"
    return f"{package}.__init__"


def _imports_of(package: str, path: Path, modules: dict[str, set[str]]) -> set[str]:
    """The modules of `PACKAGES` that the file at `path` imports, anywhere in its body."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top, _, rest = alias.name.partition(".")
                found.add(_target(top, rest.split(".")[0], modules))
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level else (node.module or "").split(".")[0]
            sub = (node.module or "") if node.level else (node.module or "").partition(".")[2]
            if sub:
                found.add(_target(base, sub.split(".")[0], modules))
            else:
                found.update(_target(base, alias.name, modules) for alias in node.names)
    found.discard(None)
    found.discard(f"{package}.{path.stem}")
    return found


def import_graph() -> dict[str, set[str]]:
    """Each module of `PACKAGES` (as `package.module`) mapped to the modules it imports."""
    modules = {package: _module_names(package) for package in PACKAGES}
    return {
        f"{package}.{path.stem}": _imports_of(package, path, modules)
        for package in PACKAGES
        for path in sorted((ROOT / package).glob("*.py"))
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path that returns to its start, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_type_only_and_lazy_imports(tmp_path: Path) -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from viz.widget import X\n"
    source += "def f():\n    from . import dot\n    import autodiff as ad\n"
    path = tmp_path / "m.py"
    path.write_text(source)
    modules = {"autodiff": {"__init__", "tape"}, "viz": {"__init__", "widget", "dot"}}
    assert _imports_of("viz", path, modules) == {"viz.widget", "viz.dot", "autodiff.__init__"}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package: str) -> None:
    graph = {m: deps for m, deps in import_graph().items() if m.startswith(package + ".")}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_engine_never_imports_the_visualizer() -> None:
    upward = {m: d for m, d in import_graph().items() if m.startswith("autodiff.")}
    assert not {m: sorted(d) for m, d in upward.items() if any(x.startswith("viz.") for x in d)}


def _strings_in_code(path: Path) -> list[str]:
    """String constants of a module's code, leaving out docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


def test_the_engine_does_not_name_its_client_in_code() -> None:
    named = {
        path.name: [s for s in _strings_in_code(path) if "viz" in s.split(".")[0].split("/")]
        for path in sorted((ROOT / "autodiff").glob("*.py"))
    }
    assert not {name: strings for name, strings in named.items() if strings}


def _layout_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("\n## Layout")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def test_the_readmes_layout_names_every_module() -> None:
    """A reader finds each module's job in the README: every Python module of the engine, the
    visualizer and the benchmarks, and every JavaScript module of the widget."""
    layout = _layout_section()
    files = [
        *(ROOT / "autodiff").glob("*.py"),
        *(ROOT / "viz").glob("*.py"),
        *(ROOT / "viz" / "js").glob("*.js"),
        *(ROOT / "benchmarks").glob("*.py"),
    ]
    missing = sorted(
        f"{f.parent.name}/{f.name}"
        for f in files
        if f.name != "__init__.py" and f.name not in layout
    )
    assert not missing, f"README's Layout misses {missing}"
