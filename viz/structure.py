"""The graph's hierarchy, found once per structure: name scopes and runs of repeated blocks.

A big graph is made legible by transforming it before layout (Wongsuphasawat et al., VAST
2017, TensorBoard's graph view), not by shrinking the picture. This module finds what can be
folded:

- **scopes**: every `name_scope` path is a container of the nodes recorded inside it; a
  scope entered again after others (`with name_scope('a')`, then `'b'`, then `'a'` again) is
  a container of its own per entry, titled `a`, `a#2`, `a#3` (keys `"scope:a"`,
  `"scope:a#2"`), as TensorFlow names a re-entered scope `a_1`: one container for both
  entries would hold `b`'s input and its output, and draw a cycle a ⇄ b when folded;
- **repeats**: consecutive blocks with the same op structure (an RNN's time steps, identical
  layers) form a run, a container that folds to one "×N" node;
- **lines**: a named tensor with the unnamed temporaries that only it reads (`bnvar = 1/(n-1) *
  reduce_sum(bndiff2)` is a `multiply`, a `reduce_sum` and a constant): folded, one node per
  line of the student's code, titled by the line's expression (`viz.lines`).

Containers nest (a run sits inside a scope and may hold the scopes of its blocks). Each has a
`key` (`"scope:enc/layer1"`, `"repeat:17"`) that stays the same for the same graph structure,
so a fold state (a set of keys) survives a replay. `viz.plan` decides what is drawn for a
given fold state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

import autodiff as ad
from viz.lines import find_lines

ROOT = ""
MIN_REPEATS = 3  # a run has at least this many blocks
MAX_PERIOD = 64  # ops in one block, at most
_DIGITS = re.compile(r"\d+")


@dataclass
class Container:
    """A foldable part of the graph: a name scope or a run of repeated blocks."""

    key: str
    kind: str  # "root", "scope", "repeat" or "line"
    title: str
    parent: str | None
    depth: int = 0
    nodes: list[int] = field(default_factory=list)  # every node inside, nested ones too
    children: list[str] = field(default_factory=list)
    blocks: int = 0  # repeats: how many blocks
    block_ops: tuple[str, ...] = ()  # repeats: the ops of one block
    block_outputs: list[int] = field(default_factory=list)  # repeats: each block's last op
    ops: int = 0  # how many of `nodes` are ops
    head: int = -1  # lines: the named tensor the line makes


@dataclass
class Structure:
    """Containers of a graph, and the container each node sits in directly."""

    containers: dict[str, Container]
    home: list[str]  # node id -> key of its innermost container
    consumers: list[list[int]]  # node id -> ids of the nodes that read it
    number: dict[str, int] = field(init=False)  # key -> its position (drawn ids: g4, c4)

    def __post_init__(self) -> None:
        self.number = {key: k for k, key in enumerate(self.containers)}

    def chain(self, key: str) -> list[str]:
        """`key` and its ancestors, innermost first (the root last)."""
        out = []
        while key is not None:
            out.append(key)
            key = self.containers[key].parent
        return out

    def foldable(self) -> list[Container]:
        """Every container but the root, outermost first."""
        return sorted(
            (c for c in self.containers.values() if c.kind != "root"), key=lambda c: c.depth
        )


def scope_key(scope: str) -> str:
    """The fold key of a name scope (`"scope:layer1/dense"`)."""
    return f"scope:{scope}"


def analyse(graph: ad.Graph) -> Structure:
    """Find the scopes and the runs of repeated blocks of `graph` (linear in its size)."""
    consumers: list[list[int]] = [[] for _ in graph.nodes]
    for node in graph.nodes:
        for i in node.inputs:
            consumers[i].append(node.id)
    scopes = entered_scopes(graph, consumers)
    runs = find_runs(graph, consumers, scopes)
    return _containers(graph, consumers, runs, scopes)


def entered_scopes(graph: ad.Graph, consumers: Sequence[Sequence[int]]) -> list[str]:
    """Node id -> its scope path as drawn, each component numbered by entry: the ops of a
    scope recorded after leaving it (the recorded order is the order they ran) are in a
    new entry, `a#2`. Entries back to back, with nothing recorded between them (a loop
    whose body is all in the scope), cannot be told apart and stay one: they make no cycle.
    A leaf sits in the entry of its first reader inside its scope (else the first entry of
    its scope)."""
    drawn = [n.scope for n in graph.nodes]
    entered: dict[str, int] = {}  # drawn parent path + raw name -> entries so far
    before: list[str] = []  # the previous op's raw components and drawn ones
    before_drawn: list[str] = []
    for node in graph.nodes:
        if node.kind != "op":
            continue
        parts = node.scope.split("/") if node.scope else []
        same = 0
        while same < min(len(parts), len(before)) and parts[same] == before[same]:
            same += 1
        path = before_drawn[:same]
        for part in parts[same:]:
            key = "/".join([*path, part])
            entered[key] = entered.get(key, 0) + 1
            path.append(part if entered[key] == 1 else f"{part}#{entered[key]}")
        drawn[node.id] = "/".join(path)
        before, before_drawn = parts, path
    for node in graph.nodes:
        if node.kind != "op" and node.scope:
            depth = node.scope.count("/") + 1
            inside = (r for r in consumers[node.id] if _within(graph.nodes[r].scope, node.scope))
            reader = next(inside, None)
            if reader is not None:
                drawn[node.id] = "/".join(drawn[reader].split("/")[:depth])
    return drawn


def _within(scope: str, outer: str) -> bool:
    return scope == outer or scope.startswith(outer + "/")


def lines_of(structure: Structure) -> set[str]:
    """The keys of every line (folded together, one node per line of code)."""
    return {k for k, c in structure.containers.items() if c.kind == "line"}


# ----------------------------------------------------------------------------- repeats
@dataclass(frozen=True)
class Run:
    """Blocks of `period` consecutive op nodes (positions in the op sequence), repeated."""

    start: int
    period: int
    blocks: int


def tokens(
    graph: ad.Graph, consumers: Sequence[Sequence[int]]
) -> tuple[list[int], list[int], list[int]]:
    """The op nodes in order, a strict token per op and a loose one.

    Equal strict tokens mean the same op on inputs of the same kind and shape, wired the same
    way relative to it (an input computed `d` ops earlier, a leaf read by this op only, or the
    same shared leaf). Loose tokens compare the op, its shape and scope only: the first block
    of a run may read a leaf where the others read the previous block (an RNN's `h0`)."""
    ops = [n.id for n in graph.nodes if n.kind == "op"]
    position = {node: k for k, node in enumerate(ops)}
    strict_words: dict[tuple, int] = {}
    loose_words: dict[tuple, int] = {}
    strict, loose = [], []
    for k, node_id in enumerate(ops):
        node = graph.nodes[node_id]
        refs = []
        for i in node.inputs:
            source = graph.nodes[i]
            if i in position:
                refs.append(("op", k - position[i]))
            elif len(consumers[i]) > 1:
                refs.append(("shared", i))
            else:
                refs.append(("leaf", source.kind, source.shape, str(source.dtype)))
        word = (node.op, node.shape, str(node.dtype), _DIGITS.sub("#", node.scope))
        attrs = tuple(sorted((k, repr(v)) for k, v in node.attrs.items()))
        strict.append(strict_words.setdefault((word, tuple(refs), attrs), len(strict_words)))
        loose.append(loose_words.setdefault(word, len(loose_words)))
    return ops, strict, loose


def find_runs(
    graph: ad.Graph, consumers: Sequence[Sequence[int]], scopes: Sequence[str] | None = None
) -> list[tuple[Run, list[int]]]:
    """Runs of at least `MIN_REPEATS` identical consecutive blocks, largest first, with the
    op node ids of each run (greedy: the run covering most ops, then the rest). `scopes`:
    each node's scope as drawn (`entered_scopes`; by default, as recorded)."""
    scopes = [n.scope for n in graph.nodes] if scopes is None else scopes
    ops, strict, loose = tokens(graph, consumers)
    t = np.asarray(strict, dtype=np.int64)
    n = len(t)
    candidates = []
    for p in range(1, min(MAX_PERIOD, n // MIN_REPEATS) + 1):
        same = np.concatenate(([False], t[:-p] == t[p:], [False]))
        edges = np.flatnonzero(np.diff(same.astype(np.int8)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            blocks = (b - a + p) // p
            if blocks >= MIN_REPEATS:
                candidates.append((blocks * p, -p, int(a), p))
    candidates.sort(reverse=True)
    taken = np.zeros(n, dtype=bool)
    runs = []
    for _, _, start, p in candidates:
        run = _widen(start, p, strict, loose, taken)
        end = run.start + p * run.blocks
        if taken[run.start : end].any() or not _nests(graph, ops[run.start : end], scopes):
            continue
        taken[run.start : end] = True
        runs.append((run, ops[run.start : end]))
    return runs


def _widen(start: int, p: int, strict: list[int], loose: list[int], taken: np.ndarray) -> Run:
    """The run of period `p` whose strictly equal part starts at `start`, moved left over
    ops that match one block later loosely (a first block that reads a leaf instead of the
    previous block), then as many whole blocks as it has."""
    shift = 0
    while (
        shift < p
        and start - shift - 1 >= 0
        and not taken[start - shift - 1]
        and loose[start - shift - 1] == loose[start - shift - 1 + p]
    ):
        shift += 1
    begin = start - shift
    end = start + p
    while end < len(strict) and strict[end] == strict[end - p]:
        end += 1
    return Run(begin, p, (end - begin) // p)


def _nests(graph: ad.Graph, members: Sequence[int], drawn: Sequence[str]) -> bool:
    """Whether a run can be a container: every scope it touches below its common scope lies
    entirely inside it (so scopes and runs nest)."""
    scopes = {drawn[i] for i in members}
    common = _common_scope(scopes)
    inner = {s for s in scopes if s != common}
    if not inner:
        return True
    inside = set(members)
    for node in graph.nodes:
        if node.kind == "op" and drawn[node.id] in inner and node.id not in inside:
            return False
    return True


def _common_scope(scopes: set[str]) -> str:
    parts = [s.split("/") if s else [] for s in scopes]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common)


# ----------------------------------------------------------------------------- containers
def _containers(
    graph: ad.Graph,
    consumers: list[list[int]],
    runs: list[tuple[Run, list[int]]],
    drawn: Sequence[str],
) -> Structure:
    containers = {ROOT: Container(ROOT, "root", "", None)}
    scopes = dict.fromkeys(s for s in drawn if s)
    for scope in list(scopes):  # every ancestor of a scope is a scope too
        parts = scope.split("/")
        for k in range(1, len(parts)):
            scopes.setdefault("/".join(parts[:k]), None)
    for scope in sorted(scopes):
        parent = "/".join(scope.split("/")[:-1])
        containers[scope_key(scope)] = Container(
            scope_key(scope), "scope", scope.split("/")[-1], scope_key(parent) if parent else ROOT
        )
    home = [scope_key(s) if s else ROOT for s in drawn]
    for run, members in runs:
        _add_run(graph, consumers, containers, home, run, members, drawn)
    _add_lines(graph, consumers, containers, home)
    containers = {key: containers[key] for key in _by_depth(containers)}  # parents first
    for key, c in containers.items():
        c.depth = 0 if c.parent is None else containers[c.parent].depth + 1
        if c.parent is not None:
            containers[c.parent].children.append(key)
    for node in graph.nodes:
        key = home[node.id]
        while key is not None:
            c = containers[key]
            c.nodes.append(node.id)
            c.ops += node.kind == "op"
            key = c.parent
    empty = [k for k, c in containers.items() if not c.nodes and c.kind != "root"]
    for key in empty:
        del containers[key]
    for c in containers.values():
        c.children = [k for k in c.children if k in containers]
    return Structure(containers, home, consumers)


def _add_lines(
    graph: ad.Graph, consumers: list[list[int]], containers: dict[str, Container], home: list[str]
) -> None:
    """A container per line of code (`viz.lines`), inside the container of its head."""
    for line in find_lines(graph, consumers, home):
        key = f"line:{line.head}"
        containers[key] = Container(key, "line", line.title, home[line.head], head=line.head)
        for i in (line.head, *line.members):
            home[i] = key


def _by_depth(containers: dict[str, Container]) -> list[str]:
    """Keys ordered so that a parent comes before its children."""
    order, seen = [], set()
    for key in containers:  # each key after its chain of parents (iterative: any depth)
        chain = []
        while key is not None and key not in seen:
            chain.append(key)
            seen.add(key)
            key = containers[key].parent
        order.extend(reversed(chain))
    return order


def _add_run(
    graph: ad.Graph,
    consumers: list[list[int]],
    containers: dict[str, Container],
    home: list[str],
    run: Run,
    members: list[int],
    drawn: Sequence[str],
) -> None:
    """A run's container, between its common scope and the scopes of its blocks; the leaves
    read only inside it (and recorded in its scope) move in with their readers."""
    common = _common_scope({drawn[i] for i in members})
    outer = scope_key(common) if common else ROOT
    first = graph.nodes[members[0]]
    key = f"repeat:{first.id}"
    block = tuple(graph.nodes[i].op or "" for i in members[: run.period])
    outputs = [members[(b + 1) * run.period - 1] for b in range(run.blocks)]
    containers[key] = Container(
        key,
        "repeat",
        f"×{run.blocks}",
        outer,
        blocks=run.blocks,
        block_ops=block,
        block_outputs=outputs,
    )
    inside = set(members)
    for i in members:
        if home[i] == outer:
            home[i] = key
    for node in graph.nodes:
        readers = consumers[node.id]
        if (
            node.kind != "op"
            and home[node.id] == outer
            and len(readers) == 1
            and readers[0] in inside
        ):
            home[node.id] = key
    # scopes directly below the common scope that the run holds become its children
    touched = {drawn[i] for i in members} - {common}
    for scope in touched:
        parts = scope.split("/")
        depth = len(common.split("/")) if common else 0
        child = scope_key("/".join(parts[: depth + 1]))
        if containers[child].parent == outer:
            containers[child].parent = key
