"""`GradientTape`: records operations, then runs them backwards to get gradients.

A tape keeps a list of `Record`s (plain tuples, shared with the other tapes recording at the
same time, see `autodiff.primitive`) and the set of tensor ids that gradients can reach
(`_traced`): the watched tensors and variables, and every output of an op with a traced,
differentiable input. Tensors never refer to tapes, so a tape is freed as soon as the user
drops it. The backward pass (`autodiff.backward`) walks the records in reverse order and
computes each vector-Jacobian product with engine ops, so an outer tape records it: second
derivatives.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import sys
import warnings
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from autodiff import nest, ops, primitive
from autodiff.backward import backward, refuse_complex
from autodiff.context import state
from autodiff.errors import InvalidArgumentError
from autodiff.graph import Graph, from_records
from autodiff.primitive import FREE_BYTES, INPUTS, OUTPUT, Op, Record
from autodiff.tensor import (
    ID,
    TENSORS,
    VALUE,
    Tensor,
    TensorLike,
    Variable,
    is_differentiable,
    to_array,
)

ONE_CALL = "GradientTape.gradient can only be called once on non-persistent tapes."


class UnconnectedGradients(str, enum.Enum):
    """What `gradient` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


class GradientTape:
    """Record operations for automatic differentiation, as `tf.GradientTape`.

    ```python
    with ad.GradientTape() as tape:
        loss = ad.reduce_mean((x @ w + b) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    ```

    Every operation run inside the `with` block is recorded (so `graph()` shows unwatched
    parts too), but gradients reach only watched tensors: trainable variables that are read
    (when `watch_accessed_variables`), and whatever `watch` is given. A tape inside another
    is recorded by the outer one, including its backward pass, so nested tapes give higher
    derivatives. A non-persistent tape allows one `gradient` (or `jacobian`) call and then
    frees what it recorded; `persistent=True` allows many.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        """Create a tape; it records once entered with `with`."""
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._recording = False
        self._warned = False
        self._clear()
        _live_tapes.add(self)

    def _clear(self) -> None:
        # What was recorded: tuples of ids, names and values, never tensor objects, so that a
        # long recording leaves nothing for the cyclic garbage collector to traverse at every
        # full collection, and a value is freed as soon as no record (and no user) holds it.
        self._records: list[Record] | None = []
        self._large = False  # a recorded value is large enough to be worth freeing
        self._traced: set[int] = set()
        self._roots: set[int] = set()  # what `_traced` grew from: the watched tensors' ids
        self._variables: dict[int, Variable] = {}
        # traced complex values (id -> what it is): a gradient through them is refused
        self._complex: dict[int, str] = {}

    # ----- recording -----

    def __enter__(self) -> GradientTape:
        tapes = state.tapes
        if self in tapes:
            raise RuntimeError("this GradientTape is already recording; use a new tape to nest")
        if self._records is None:  # a used non-persistent tape starts afresh, as in TensorFlow
            self._clear()
        tapes.append(self)
        self._recording = True
        state.refresh()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop()

    def _stop(self) -> None:
        """Leave the stack of active tapes for good (end of `with`, or a consumed tape)."""
        self._recording = False
        tapes = state.tapes
        if self in tapes:  # (else it left at the end of `with`: nothing changes)
            tapes.remove(self)
            state.refresh()

    def _record(self, record: Record, op: Op) -> None:
        """Keep `record` (of `op`); its output is traced if a differentiable input is."""
        records = self._records
        if records is None:
            return
        records.append(record)
        out = record[OUTPUT]
        value = out[VALUE]
        array = type(value) is np.ndarray  # else a NumPy scalar: a float, small
        if array and value.nbytes >= FREE_BYTES:
            self._large = True
        traced = self._traced
        if traced:
            for i in range(len(record) - INPUTS) if op.variadic else op.differentiable:
                if record[INPUTS + i][ID] in traced:
                    kind = value.dtype.kind if array else "f"
                    if kind == "f":
                        traced.add(out[ID])
                    elif kind == "c":
                        traced.add(out[ID])
                        self._complex[out[ID]] = f"the output of {op.name} ({value.dtype})"
                    break

    def watch(self, tensor: Any) -> None:
        """Make gradients reach `tensor`: a tensor, a variable, or a nested list/tuple/dict.

        Only operations run after `watch` carry gradients to it. Integer and bool tensors
        can't be differentiated: they get a warning and their gradient stays None. Complex
        tensors are watched, but a gradient through them is refused (see `gradient`).
        """
        for t in nest.flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"watch: expected tensors or variables (or nested lists/tuples/dicts of "
                    f"them), got {type(t).__name__}; make a tensor with ad.constant(value)"
                )
            if isinstance(t, Variable):
                self._watch_variable(t)
            else:
                self._trace(t)

    def _watch_variable(self, variable: Variable) -> None:
        if variable._id not in self._variables:
            self._variables[variable._id] = variable
            self._trace(variable)

    def _trace(self, tensor: Tensor) -> None:
        """Let gradients reach `tensor` (or warn why they can't)."""
        dtype = tensor._value.dtype
        if not is_differentiable(dtype):
            self._warn_not_differentiable(tensor, "watch")
            return
        self._traced.add(tensor._id)
        self._roots.add(tensor._id)
        if dtype.kind == "c":
            what = "variable" if isinstance(tensor, Variable) else "tensor"
            self._complex[tensor._id] = f"the watched {what} {tensor.name or ''!r} ({tensor.dtype})"

    def watched_variables(self) -> tuple[Variable, ...]:
        """The variables watched so far (explicitly or by being read), in first-watch order."""
        return tuple(self._variables.values())

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Context manager: operations inside it are not recorded by this tape."""
        if not self._recording:
            raise RuntimeError(
                "stop_recording: this tape is not recording; use it inside the tape's "
                "`with` block (and not inside another stop_recording)"
            )
        self._recording = False
        state.refresh()
        try:
            yield
        finally:
            if self in state.tapes:
                self._recording = True
                state.refresh()

    def reset(self) -> None:
        """Forget everything recorded and watched; the tape can be used again (and keeps
        recording if it is inside its `with` block)."""
        self._clear()
        state.refresh()  # variables read from now on are watched again

    # ----- gradients -----

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """Gradients of `target` with respect to `sources`, in the structure of `sources`.

        A non-scalar target is summed, and so is a list of targets; `output_gradients`
        (shaped like the target, of its dtype) weights them instead. Sources the target does
        not depend on, or that aren't watched, get None (zeros with
        `unconnected_gradients='zero'`). A gradient that would flow through complex values
        raises a TypeError: this engine does not differentiate complex numbers.
        """
        zero = _unconnected(unconnected_gradients) is UnconnectedGradients.ZERO
        targets = _tensors(target, "gradient", "target")
        flat_sources = _tensors(sources, "gradient", "sources")
        seeds = _seeds(target, targets, output_gradients)
        records, traced = self._consume(targets, flat_sources, "gradient")
        grads = backward(
            records, traced, targets, seeds, [s._id for s in flat_sources], roots=self._roots
        )
        results = []
        for source in flat_sources:
            g = grads.get(source._id)
            if g is None:  # (a source with a gradient is traced, so differentiable)
                if not is_differentiable(source.dtype):
                    self._warn_not_differentiable(source, "gradient")
                elif zero:
                    g = ops.zeros_like(source)
            results.append(g)
        if flat_sources is sources:
            return results  # a flat list of tensors: no structure to rebuild
        return nest.pack(sources, results) if nest.is_nested(sources) else results[0]

    def jacobian(
        self,
        target: TensorLike,
        sources: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """The full Jacobian of `target`: for each source, shape `target.shape + source.shape`.

        Computed one row (one element of the target) at a time, with engine ops, so an outer
        tape can differentiate it. On a non-persistent tape it counts as the one call.
        """
        zero = _unconnected(unconnected_gradients) is UnconnectedGradients.ZERO
        (target,) = _tensors(target, "jacobian", "target")
        flat_sources = _tensors(sources, "jacobian", "sources")
        records, traced = self._consume([target], flat_sources, "jacobian")
        ids = [s._id for s in flat_sources]
        rows: list[list[Tensor | None]] = []
        for i in range(target.size):
            seed = np.zeros(target.size, target.dtype)
            seed[i] = 1
            seed_tensor = Tensor(seed.reshape(target.shape))
            grads = backward(records, traced, [target], [seed_tensor], ids, roots=self._roots)
            rows.append([grads.get(k) for k in ids])
        results = []
        for j, source in enumerate(flat_sources):
            column = [row[j] for row in rows]
            if not is_differentiable(source.dtype):
                self._warn_not_differentiable(source, "jacobian")
                results.append(None)
            elif not column:  # an empty target has an empty Jacobian
                results.append(Tensor(np.zeros(target.shape + source.shape, source.dtype)))
            elif all(c is None for c in column) and not zero:
                results.append(None)
            else:
                filled = [ops.zeros_like(source) if c is None else c for c in column]
                results.append(ops.reshape(ops.stack(filled), target.shape + source.shape))
        return nest.pack(sources, results) if nest.is_nested(sources) else results[0]

    def graph(self, target: TensorLike | None = None) -> Graph:
        """What the tape recorded, as an `ad.Graph` (only what `target` depends on, if given).

        With a target, each node's `grad` is the gradient of the target with respect to it.
        A non-persistent tape frees its records in `gradient`, so call this first.
        """
        if self._records is None:
            raise RuntimeError(
                "graph: this non-persistent tape freed what it recorded when gradient() (or "
                "jacobian()) was called; call tape.graph(...) before tape.gradient(...), or use "
                "ad.GradientTape(persistent=True)"
            )
        if target is not None:
            (target,) = _tensors(target, "graph", "target")
            if isinstance(target, Variable):
                target = target.read()
        return from_records(self._records, self._traced, target)

    def _consume(
        self, targets: Sequence[Tensor], sources: Sequence[Tensor], where: str
    ) -> tuple[list[Record], set[int]]:
        """The records to differentiate and the ids gradients reach. A non-persistent tape
        gives them up (the one call), unless the call is refused (a gradient through complex
        values): then it keeps them."""
        records = self._records
        if records is None:
            raise RuntimeError(ONE_CALL)
        traced = self._traced
        if self._complex:
            ids = [s._id for s in sources]
            refuse_complex(records, traced, targets, ids, self._complex, where)
        if not self._persistent:
            self._stop()  # TensorFlow: after gradient, a non-persistent tape stops recording
            self._records, self._traced = None, set()
            # keep only what the gradients read: the other activations are freed now, before
            # the backward pass allocates the gradients (a persistent tape keeps everything)
            if self._large:
                records = primitive.for_backward(records)
        return records, traced

    def _warn_not_differentiable(self, tensor: Tensor, where: str) -> None:
        if self._warned:
            return
        self._warned = True
        warnings.warn(
            f"{where}: {tensor.name or 'a tensor'} has dtype {tensor.dtype}, which is not "
            "differentiable (only float tensors are), so its gradient is None. "
            "Use a float tensor, e.g. ad.constant(value, dtype=ad.float32) or ad.cast.",
            UserWarning,
            stacklevel=_user_stacklevel(),
        )

    def __repr__(self) -> str:
        n = "freed" if self._records is None else f"{len(self._records)} ops"
        return (
            f"<GradientTape {n}, persistent={self._persistent}, "
            f"{'recording' if self._recording else 'not recording'}>"
        )


def _user_stacklevel() -> int:
    """The `stacklevel` that points a warning at the user's line, outside this package."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("autodiff"):
        frame, level = frame.f_back, level + 1
    return level


class _Tapes:
    """Weak references to the tapes made so far, oldest first, for `graph_of`; dead ones are
    dropped as the list grows (cheaper per tape than a WeakValueDictionary's entries)."""

    __slots__ = ("limit", "refs")

    def __init__(self) -> None:
        self.refs: list[weakref.ref[GradientTape]] = []
        self.limit = 64

    def add(self, tape: GradientTape) -> None:
        refs = self.refs
        refs.append(weakref.ref(tape))
        if len(refs) >= self.limit:
            refs[:] = [r for r in refs if r() is not None]
            self.limit = max(64, 2 * len(refs))

    def newest_first(self) -> list[GradientTape]:
        return [t for r in reversed(self.refs) if (t := r()) is not None]


_live_tapes = _Tapes()


def graph_of(tensor: Tensor) -> Graph:
    """The graph of `tensor` from the newest live tape that recorded it (`tape.graph(tensor)`).

    Lets a visualizer draw a tensor without being given its tape. A non-persistent tape
    forgets its records in `gradient`, so draw before that (or record with `persistent=True`).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"graph_of: expected a tensor, got {type(tensor).__name__}")
    key = tensor._id
    for tape in _live_tapes.newest_first():
        records = tape._records
        if records and any(r[OUTPUT][ID] == key for r in records):
            return tape.graph(tensor)
    raise ValueError(
        "graph_of: no live tape holds the records of this tensor. Draw it while its tape is "
        "alive and before tape.gradient() (a non-persistent tape frees its records there), "
        "record it with ad.GradientTape(persistent=True), or use the tape itself: "
        "tape.graph(tensor)"
    )


def _unconnected(value: UnconnectedGradients | str) -> UnconnectedGradients:
    if value is UnconnectedGradients.NONE:  # the default, without the Enum lookup
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {value!r}") from None


def _tensors(structure: Any, where: str, what: str) -> list[Tensor]:
    """The tensors of a (nested) structure, in order; a flat list of tensors is returned as
    it is (not copied: callers only read it)."""
    kind = type(structure)
    if kind in TENSORS:  # the common cases first: one tensor, a flat list of them
        return [structure]
    if kind is list and structure:
        for t in structure:  # (a loop: faster than all() on a generator)
            if type(t) not in TENSORS:
                break
        else:
            return structure
    flat = nest.flatten(structure)
    if not flat:
        raise ValueError(f"{where}: {what} is empty; pass a tensor or a list of tensors")
    tensors = []
    for t in flat:
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{where}: {what} must be tensors or variables (or nested lists/tuples/dicts "
                f"of them), got {type(t).__name__}"
                + (
                    "; a Python value has no gradient, make it ad.constant(...) and watch it"
                    if what == "sources"
                    else ""
                )
            )
        tensors.append(t)
    return tensors


def _seeds(target: Any, targets: list[Tensor], output_gradients: Any) -> list[Tensor]:
    """The starting gradient of each target: ones, or the given `output_gradients`, paired
    with the targets place by place (dicts key by key, as TensorFlow's nest)."""
    if output_gradients is None:
        return [_ones(t._value) for t in targets]
    if nest.is_nested(target):
        try:
            given = nest.flatten_up_to(target, output_gradients, "gradient: output_gradients")
        except ValueError:
            given = nest.flatten(output_gradients)  # a flat list: one per target, in order
            if not isinstance(output_gradients, list | tuple) or len(given) != len(targets):
                raise
    elif _one_tensor_list(output_gradients):
        given = list(output_gradients)  # `[g]` for one target (as TensorFlow takes it)
    else:
        given = [output_gradients]
    if len(given) != len(targets):
        raise ValueError(
            f"gradient: output_gradients has {len(given)} tensors for {len(targets)} targets; "
            "give one per target (or None for ones)"
        )
    seeds = []
    for i, (t, g) in enumerate(zip(targets, given, strict=False)):
        seeds.append(ops.ones_like(t) if g is None else _seed(t, g, i, len(targets)))
    return seeds


def _one_tensor_list(value: Any) -> bool:
    """Whether `value` is a list or tuple of one tensor or array."""
    return (
        isinstance(value, list | tuple)
        and len(value) == 1
        and isinstance(value[0], Tensor | np.ndarray)
    )


def _ones(value: Any) -> Tensor:
    """Ones shaped like `value`, a target's: the seed when no `output_gradients` are given."""
    if type(value) is np.ndarray and value.ndim:
        return Tensor(np.ones(value.shape, value.dtype))
    return Tensor(_one(value.dtype))  # a scalar: the common case, a loss


@functools.cache
def _one(dtype: np.dtype) -> np.ndarray:
    """A read-only 1 of `dtype`, shared (making one per call would be most of the cost)."""
    one = np.array(1, dtype)
    one.flags.writeable = False
    return one


def _seed(target: Tensor, given: Any, index: int, count: int) -> Tensor:
    """`given` as the seed of `target`: of its shape and dtype (converted as an op's input
    would be; a tensor of another dtype, or bools, are refused rather than cast)."""
    what = "output_gradients" + (f"[{index}]" if count > 1 else "")
    if isinstance(given, Tensor):
        seed = given.read() if isinstance(given, Variable) else given
        if seed.dtype != target.dtype:
            raise InvalidArgumentError(
                f"gradient: {what} has dtype {seed.dtype} but the target has {target.dtype}; "
                f"cast it first: ad.cast(g, ad.{target.dtype})"
            )
    else:
        value = to_array(given, where="gradient", what=what)
        if value.dtype.kind == "b" and target.dtype.kind != "b":
            raise InvalidArgumentError(
                f"gradient: {what} is bool but the target has dtype {target.dtype}; "
                "output_gradients weights the target, so give numbers (e.g. 1.0 and 0.0)"
            )
        seed = Tensor(to_array(value, target.dtype, error=ValueError, where="gradient", what=what))
    if seed.shape != target.shape:
        raise InvalidArgumentError(
            f"gradient: {what} must have the target's shape {target.shape}, got "
            f"{seed.shape}; reshape it (or broadcast it with ad.broadcast_to)"
        )
    return seed
