"""`ad.Graph`: what a tape recorded, as plain immutable data for the visualizer.

The visualizer never touches tapes or records: it reads a `Graph` (nodes in topological order,
each with its value and its gradient), asks for a new one with other leaf values (`replay`),
and for the backward pass taken one op at a time (`backward_steps`). Gradients here come from
the same backward pass as `tape.gradient`, so the numbers agree exactly.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType, MappingProxyType
from typing import Any

import numpy as np

from autodiff import ops
from autodiff.backward import backward, refuse_complex
from autodiff.context import no_recording
from autodiff.explain import explain
from autodiff.primitive import ATTRS, INPUTS, OP, OUTPUT, SCOPE, Op, Record, op_of
from autodiff.tensor import ID, NAME, VALUE, VAR_SCOPE, Ref, Tensor, TensorLike, to_array

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, eq=False)
class Node:
    """One tensor of the graph: a leaf (`'variable'`, `'constant'`) or an op's output (`'op'`).

    `value` and `grad` are read-only NumPy arrays; `grad` is None where the target does not
    depend on the node or no gradient reaches it (unwatched). For an op node, `watched` says
    whether a watched tensor flows into it.

    `named` says whether `name` was given rather than made up: True for an explicit `name=`,
    a leaf named by the Python variable holding it, and a name given by `Graph.renamed`
    (the visualizer's names from code); False for an op's default name (its op, `multiply`)
    and an unnamed leaf's (`Variable`, `constant`, or its small value, `2`).
    """

    id: int
    kind: str
    op: str | None
    name: str
    scope: str
    inputs: tuple[int, ...]
    value: np.ndarray
    grad: np.ndarray | None
    watched: bool
    attrs: Mapping[str, Any]
    named: bool = False
    # forward mode (`ForwardAccumulator.graph`): the tangent the node carries, or None
    tangent: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the value."""
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the value."""
        return self.value.dtype

    @property
    def is_leaf(self) -> bool:
        """Whether the node is a variable or a constant (not computed by an op)."""
        return self.kind != "op"

    def __repr__(self) -> str:
        what = self.op if self.kind == "op" else self.kind
        grad = "None" if self.grad is None else f"{_brief(self.grad)}"
        return (
            f"Node({self.id}: {self.name!r} {what}{list(self.inputs) if self.inputs else ''}, "
            f"value={_brief(self.value)}, grad={grad})"
        )


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One op of the reverse pass: the gradient arriving at it and what it sends each input.

    `contributions[i]` is upstream × (local derivative) for input node `i` (summed if the op
    uses that input twice); `formula` states the local derivatives, `formulas` per input.
    """

    node: int
    upstream: np.ndarray
    contributions: Mapping[int, np.ndarray]
    formula: str
    formulas: Mapping[int, str]


class Graph:
    """The recorded computation: `nodes` in topological order and the `target` node's id."""

    __slots__ = ("_by_tensor", "_facts", "_ops", "_steps", "nodes", "target")

    def __init__(
        self,
        nodes: Sequence[Node],
        target: int | None,
        node_ops: Sequence[Op | None],
        by_tensor: Mapping[int, tuple[int, ...]],
        steps: Sequence[RawStep] = (),
    ) -> None:
        """Made by `tape.graph()` and `Graph.replay`, not by users."""
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.target = target
        self._ops = tuple(node_ops)
        self._by_tensor = by_tensor
        self._steps = tuple(steps)  # the backward pass that made the grads, for backward_steps
        self._facts: Any = None  # what `explain` reads of the graph, found on first use

    # ----- looking things up -----

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __getitem__(self, key: int | str | Tensor) -> Node:
        """The node with this id, name (if unique), or tensor/variable (a variable assigned
        while recording has a node per value it had: the first is returned)."""
        return self.nodes[self._find(key, "graph[...]")[0]]

    def ids_of(self, tensor: Tensor) -> tuple[int, ...]:
        """The ids of the nodes that are `tensor` (a leaf, a variable, or an op's output
        recorded in this graph): one, several for a variable assigned while recording, or
        none when the graph does not hold it."""
        return tuple(self._by_tensor.get(tensor._id, ())) if isinstance(tensor, Tensor) else ()

    def renamed(self, names: Mapping[int | str | Tensor, str]) -> Graph:
        """A new graph whose nodes carry these names, `{node id (or name, or tensor): new
        name}`, and count as `named`; values, gradients and structure are this graph's."""
        nodes = list(self.nodes)
        for key, name in names.items():
            if not isinstance(name, str) or not name:
                raise TypeError(f"renamed: the new name for {key!r} must be a non-empty str")
            for index in self._find(key, "renamed"):
                nodes[index] = _renamed(nodes[index], name)
        return Graph(nodes, self.target, self._ops, self._by_tensor, self._steps)

    def leaves(self) -> tuple[Node, ...]:
        """The variables and constants, in order."""
        return tuple(n for n in self.nodes if n.kind != "op")

    def _find(self, key: int | str | Tensor, where: str) -> tuple[int, ...]:
        """The ids of the node(s) `key` names."""
        if isinstance(key, Tensor):
            found = self._by_tensor.get(key._id)
            if not found:
                raise ValueError(
                    f"{where}: {key.name or 'this tensor'!s} is not in the graph; its leaves "
                    f"are {self._leaf_names()}"
                )
            return found
        if isinstance(key, int | np.integer) and not isinstance(key, bool):
            if 0 <= key < len(self.nodes):
                return (int(key),)
            raise ValueError(
                f"{where}: no node with id {key} (ids go from 0 to {len(self) - 1}); "
                f"leaves are {self._leaf_names(with_ids=True)}"
            )
        if isinstance(key, str):
            matches = [n.id for n in self.nodes if n.name == key]
            if len(matches) == 1:
                return (matches[0],)
            if matches:
                raise ValueError(
                    f"{where}: the name {key!r} matches nodes {matches}; use a node id instead"
                )
            raise ValueError(f"{where}: no node named {key!r}; leaves are {self._leaf_names()}")
        raise TypeError(f"{where}: a node key is an id (int), a name (str) or a variable")

    def _leaf_names(self, with_ids: bool = False) -> str:
        names = (f"{n.name!r}" + (f" (id {n.id})" if with_ids else "") for n in self.leaves())
        return ", ".join(names) or "none"

    # ----- replay -----

    def replay(self, values: Mapping[int | str | Tensor, TensorLike]) -> Graph:
        """A new graph recomputed from new leaf values, `{node id or name or Variable: array}`.

        Forward values and (when there is a target) gradients are recomputed through the same
        ops; the structure stays as recorded (no user code runs, except the function of a
        `custom_gradient` op). Each new value must have the leaf's shape.
        """
        if not isinstance(values, Mapping):
            raise TypeError(
                f"replay: expected a dict {{node id, name or variable: value}}, "
                f"got {type(values).__name__}"
            )
        arrays = [n.value for n in self.nodes]
        for key, value in values.items():
            for index in self._find(key, "replay"):
                self._set_leaf(arrays, self.nodes[index], value)
        return self._recompute(arrays)

    def astype(self, dtype: Any) -> Graph:
        """A new graph replayed with its float leaves cast to `dtype` (e.g. float64, to check
        a float32 gradient against finite differences without float32's rounding).

        The ops compute in the leaves' new precision where NumPy's promotion lets them; an
        op that casts explicitly keeps its dtype. Integer and bool leaves are unchanged.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(f"astype: expected a float dtype, got {dtype}")
        arrays = [
            _frozen(n.value.astype(dtype)) if n.kind != "op" and n.dtype.kind == "f" else n.value
            for n in self.nodes
        ]
        return self._recompute(arrays)

    def _set_leaf(self, arrays: list[np.ndarray], node: Node, value: TensorLike) -> None:
        """Put the new value of one leaf into `arrays`, checked."""
        if node.kind == "op":
            raise ValueError(
                f"replay: node {node.id} ({node.name!r}) is computed by {node.op}; only "
                f"leaves can be given new values: {self._leaf_names()}"
            )
        array = to_array(value, node.dtype, what=f"the value for {node.name!r}", where="replay")
        if array.shape != node.shape:
            raise ValueError(
                f"replay: {node.name!r} has shape {node.shape} but the new value has shape "
                f"{array.shape}; the graph's structure is fixed, so keep the shape"
            )
        arrays[node.id] = _frozen(array)

    def _recompute(self, arrays: list[np.ndarray]) -> Graph:
        """A graph with these leaf values, every op's value and the gradients recomputed."""
        node_ops = list(self._ops)
        with no_recording(), np.errstate(all="ignore"):
            for node in self.nodes:
                if node.kind != "op":
                    continue
                op = node_ops[node.id]
                inputs = [arrays[i] for i in node.inputs]
                if op.rerun is not None:
                    out, node_ops[node.id] = op.rerun(inputs, node.attrs)
                else:
                    out = op.call(inputs, node.attrs)
                arrays[node.id] = _frozen(np.asarray(out))
        return _assemble(self.nodes, arrays, self.target, node_ops, self._by_tensor)

    # ----- the backward pass, step by step -----

    def backward_steps(self) -> list[BackwardStep]:
        """The reverse pass as steps in execution order, from the target towards the leaves.

        Summing each node's contributions over the steps gives its `grad` exactly.
        """
        if self.target is None:
            raise ValueError(
                "backward_steps: this graph has no target; make it with tape.graph(target)"
            )
        return [_step(self.nodes[i], self._ops[i], up, local) for i, up, local in self._steps]

    def explain(self, node: int | str | Tensor) -> str:
        """One sentence saying why `node`'s gradient is what it is, above all when it is None
        or zero: not watched, cut by `stop_gradient`, not connected to the target, not a
        float, blocked by a ReLU, `where`, `maximum` or `minimum`, or a saturated `tanh` or
        `sigmoid` on the way. `node` is an id, a name or a leaf tensor."""
        if self.target is None:
            raise ValueError("explain: this graph has no target; make it with tape.graph(target)")
        if isinstance(node, Tensor) and not self._by_tensor.get(node._id):
            target = self.nodes[self.target].name
            return (
                f"The gradient of {node.name or 'this tensor'!r} is None: {target!r} does not "
                "depend on it (the target's graph holds only what the target depends on)."
            )
        return explain(self, self[node])

    def __repr__(self) -> str:
        target = "" if self.target is None else f", target={self.nodes[self.target].name!r}"
        return f"<Graph {len(self.nodes)} nodes{target}>"


def _renamed(node: Node, name: str) -> Node:
    """`node` with another name, given (so `named`)."""
    new = object.__new__(Node)
    new.__dict__.update(node.__dict__, name=name, named=True)
    return new


def _brief(array: np.ndarray) -> str:
    if array.size <= 4:
        return np.array2string(array, precision=4, separator=", ").replace("\n", "")
    return f"<{array.dtype} {array.shape}>"


def _frozen(value: np.ndarray | np.generic) -> np.ndarray:
    """`value` as a read-only array, so nobody can change a graph's numbers in place (the
    engine never writes into an array once a tensor holds it, so this takes nothing away).
    A tensor holds a 0-d float as a NumPy scalar: a graph shows it as a 0-d array."""
    array = value if type(value) is np.ndarray else np.array(value)
    array.flags.writeable = False
    return array


RawStep = tuple[int, np.ndarray, dict[int, np.ndarray]]  # node, upstream, contributions


def _backward(
    nodes: Sequence[Node],
    arrays: Sequence[np.ndarray],
    target: int,
    node_ops: Sequence[Op | None],
) -> tuple[list[np.ndarray | None], list[RawStep]]:
    """Gradients of the target for every node, and the steps that made them, by the tape's
    own backward pass (so they agree with `tape.gradient` exactly)."""
    tensors = [Tensor(a) for a in arrays]
    refs = [t._ref for t in tensors]
    records: list[Record] = [
        (node_ops[n.id], refs[n.id], n.attrs, "", *[refs[i] for i in n.inputs])
        for n in nodes
        if n.kind == "op"
    ]
    traced = {tensors[n.id]._id for n in nodes if n.watched}
    raw: list[tuple[int, Any, dict[int, Any]]] = []
    ids = [t._id for t in tensors]
    complex_ids = {
        tensors[n.id]._id: f"node {n.id}, {n.name!r} ({n.dtype})"
        for n in nodes
        if n.watched and n.dtype.kind == "c"
    }
    if complex_ids:
        refuse_complex(records, traced, [tensors[target]], ids, complex_ids, "graph")
    with no_recording():  # so the sweep runs on bare arrays
        seed = ops.ones_like(tensors[target])
        grads = backward(records, traced, [tensors[target]], [seed], ids, raw, arrays=True)
    result = [None if (g := grads.get(i)) is None else _frozen(np.asarray(g)) for i in ids]
    node_of = {t._id: i for i, t in enumerate(tensors)}
    steps = [
        (
            node_of[records[index][OUTPUT][ID]],
            _array(upstream),
            {node_of[k]: _array(v) for k, v in local.items()},
        )
        for index, upstream, local in raw
    ]
    return result, steps


def _array(value: Any) -> np.ndarray:
    """A step's number as an array (the backward pass may hand over arrays or tensors)."""
    return value._value if isinstance(value, Tensor) else np.asarray(value)


def _step(
    node: Node, op: Op, upstream: np.ndarray, contributions: dict[int, np.ndarray]
) -> BackwardStep:
    """A `BackwardStep` with the op's formulas for the inputs it sends gradients to."""
    contributions = {i: _frozen(v) for i, v in contributions.items()}
    formulas: dict[int, str] = {}
    for position, i in enumerate(node.inputs):
        if i in contributions and i not in formulas:
            formulas[i] = op.formula(position)
    return BackwardStep(
        node=node.id,
        upstream=_frozen(upstream),
        contributions=MappingProxyType(contributions),
        formula="; ".join(f for f in dict.fromkeys(formulas.values()) if f),
        formulas=MappingProxyType(formulas),
    )


def _assemble(
    template: Sequence[Node],
    arrays: Sequence[np.ndarray],
    target: int | None,
    node_ops: Sequence[Op | None],
    by_tensor: Mapping[int, tuple[int, ...]],
) -> Graph:
    """A graph with the structure of `template`, new values, and the gradients they give."""
    grads: Sequence[np.ndarray | None] = [None] * len(template)
    steps: list[RawStep] = []
    if target is not None:
        grads, steps = _backward(template, arrays, target, node_ops)
    nodes = [_renewed(n, arrays[n.id], grads[n.id]) for n in template]
    return Graph(nodes, target, node_ops, by_tensor, steps)


def _renewed(node: Node, value: np.ndarray, grad: np.ndarray | None) -> Node:
    """`node` with another value and gradient: `dataclasses.replace`, without the frozen
    dataclass's `__init__` (one `object.__setattr__` per field), as a replay makes one
    node per node of the graph."""
    new = object.__new__(Node)
    fields = new.__dict__
    fields.update(node.__dict__)
    fields["value"], fields["grad"] = value, grad
    fields["tangent"] = None  # (forward mode's tangents are not replayed)
    return new


def from_records(records: Sequence[Record], traced: set[int], target: Tensor | None) -> Graph:
    """The graph of what `records` computed (only what `target` depends on, when given)."""
    producer = {r[OUTPUT][ID]: k for k, r in enumerate(records)}
    if target is not None:
        records = _ancestors(records, producer, target)
    names = _caller_names()
    index: dict[Any, int] = {}  # tensor key -> node id
    nodes: list[Node] = []
    node_ops: list[Op | None] = []
    by_tensor: dict[int, tuple[int, ...]] = {}

    def add(ref: Ref, kind: str, record: Record | None, scope: str) -> None:
        key, value, tensor_name = ref[ID], ref[VALUE], ref[NAME]
        index[_key(ref)] = len(nodes)
        op = None if record is None else op_of(record[OP])
        given = tensor_name or (names.get(key) if op is None else None)
        by_tensor[key] = (*by_tensor.get(key, ()), len(nodes))
        if op is None:
            name = given or _value_label(value, kind)
            inputs, attrs = (), _EMPTY
        else:
            name = given or op.name
            inputs = tuple(index[_key(x)] for x in record[INPUTS:])
            attrs = MappingProxyType(dict(record[ATTRS] or {}))
        node = Node(
            len(nodes),
            kind,
            None if op is None else op.name,
            name,
            scope,
            inputs,
            _frozen(value),
            None,
            key in traced,
            attrs,
            bool(given),
        )
        nodes.append(node)
        node_ops.append(op)

    def add_leaf(x: Ref, reader_scope: str) -> None:
        if x[VAR_SCOPE] is not None:  # a variable's read, in the scope it was created in
            add(x, "variable", None, x[VAR_SCOPE])
        else:  # an unnamed, unwatched constant belongs to the op that reads it
            anonymous = not x[NAME] and x[ID] not in traced
            add(x, "constant", None, reader_scope if anonymous else "")

    for record in records:
        for x in record[INPUTS:]:
            if _key(x) not in index:
                add_leaf(x, record[SCOPE])
        add(record[OUTPUT], "op", record, record[SCOPE])
    target_ref = None if target is None else target._ref
    if target_ref is not None and _key(target_ref) not in index:  # the target is a leaf
        add_leaf(target_ref, "")
    target_id = None if target_ref is None else index[_key(target_ref)]
    return _assemble(nodes, [n.value for n in nodes], target_id, node_ops, by_tensor)


def _key(ref: Ref) -> Any:
    """What makes a tensor one node: its id; for a variable, also which value was read (a
    variable assigned while recording is read as several values)."""
    return ref[ID] if ref[VAR_SCOPE] is None else (ref[ID], id(ref[VALUE]))


def _ancestors(
    records: Sequence[Record], producer: Mapping[int, int], target: Tensor
) -> list[Record]:
    """The records `target` depends on, in recorded order (an iterative walk)."""
    wanted: set[int] = set()
    stack = [target._id]
    while stack:
        k = producer.get(stack.pop())
        if k is None or k in wanted:
            continue
        wanted.add(k)
        stack.extend(x[ID] for x in records[k][INPUTS:])
    if not wanted and not any(target._id == x[ID] for r in records for x in r[INPUTS:]):
        raise ValueError(
            "graph: the target was not recorded by this tape; pass a tensor computed inside "
            "the tape's `with` block"
        )
    return [records[k] for k in sorted(wanted)]


def _value_label(value: np.ndarray, kind: str) -> str:
    """The name of an unnamed leaf: its value when small (a captured `2` reads as `2`)."""
    if kind == "variable":
        return "Variable"
    if value.size <= 6:
        text = np.array2string(value, separator=", ", formatter={"float_kind": "{:.4g}".format})
        return " ".join(text.split())
    return "constant"


def _caller_names() -> dict[int, str]:
    """Tensor id -> the Python name bound to it in the user's frame (see `user_frame`), so
    that `x = ad.constant(...)` draws as `x`."""
    frame = user_frame(sys._getframe(1))
    if frame is None:
        return {}
    names: dict[int, str] = {}  # a tensor held by several names: the first local one
    for scope in (frame.f_locals, frame.f_globals):
        for name, value in scope.items():
            if isinstance(value, Tensor) and not name.startswith("_"):
                names.setdefault(value._id, name)
    return names


def user_frame(frame: FrameType | None) -> FrameType | None:
    """The first frame, from `frame` outwards, of the user's code: outside this package, and
    outside the package of the library (if any) that called into it, as a library drawing
    the user's tensors asks for their graph on the user's behalf. A module belongs to a
    library when it is part of a package; a script, a notebook or a top-level module (a test
    file) is the user's."""
    engine = _package_of(__name__)
    frame = _first_outside(frame, {engine})
    library = None if frame is None else _library_of(frame)
    return frame if library is None else _first_outside(frame, {engine, library})


def _first_outside(frame: FrameType | None, packages: set[str]) -> FrameType | None:
    """The first frame from `frame` outwards whose module is in none of `packages`."""
    while frame is not None and _package_of(frame.f_globals.get("__name__", "")) in packages:
        frame = frame.f_back
    return frame


def _library_of(frame: FrameType) -> str | None:
    """The top-level package the frame's module is part of, or None (`__main__`, even when
    run as `python -m package.module`, and top-level modules)."""
    package = _package_of(frame.f_globals.get("__package__") or "")
    module = frame.f_globals.get("__name__", "")
    return package if package and package == _package_of(module) else None


def _package_of(module: str) -> str:
    """The top-level package of a module's name (`autodiff` for `autodiff.graph`)."""
    return module.partition(".")[0]
