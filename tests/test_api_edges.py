"""The API's edges (issue 27): each silent wrong answer found there, against TensorFlow or NumPy.

One section per root: a variable's snapshot is a new tensor; dicts pair by sorted key; op
attributes are frozen when recorded (a property test mutates every mutable argument after
recording); perms are normalised; integer-array indices take one path; Python ints past int64
are refused; NumPy functions on tensors match NumPy or refuse (a property test runs every
function of the interop table against NumPy); custom gradients are never cached. TensorFlow
is imported by the tests that compare with it (marked `tensorflow`).
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad


@pytest.fixture(scope="module")
def tf() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


def same(ours: Any, theirs: Any) -> None:
    """Equal values (to float32 precision), shapes and dtypes; None only where None."""
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


# ============================================================================ 1. snapshots
@pytest.mark.tensorflow
@pytest.mark.parametrize("read", ["read_value", "value", "convert_to_tensor"])
def test_a_snapshot_taken_before_assign_is_a_tensor_of_its_own(tf: Any, read: str) -> None:
    def run(lib: Any) -> Any:
        w = lib.Variable([1.0, 2.0])
        old = lib.convert_to_tensor(w) if read == "convert_to_tensor" else getattr(w, read)()
        w.assign([3.0, 5.0])
        with lib.GradientTape() as tape:
            y = lib.reduce_sum((w - old) ** 2)
        return tape.gradient(y, w), old

    (ours, old), (theirs, their_old) = run(ad), run(tf)
    same(ours, theirs)  # [4, 6], not [0, 0]
    same(old, their_old)  # the value read, not the assigned one


@pytest.mark.tensorflow
@pytest.mark.parametrize("order", ["read first", "variable first"])
def test_a_read_inside_the_tape_is_its_own_node_and_reaches_the_variable(
    tf: Any, order: str
) -> None:
    def run(lib: Any) -> Any:
        v = lib.Variable([1.0, 2.0])
        with lib.GradientTape() as tape:
            if order == "read first":
                r = v.value()
                y = r * 2.0 + v * 3.0
            else:
                w3 = v * 3.0
                r = v.value()
                y = w3 + r * 2.0
        return tape.gradient(y, [r, v])

    for ours, theirs in zip(run(ad), run(tf), strict=True):
        same(ours, theirs)  # d/dr = 2 (not 5), d/dv = 5


def test_a_snapshot_has_a_new_identity_and_does_not_follow_assign() -> None:
    v = ad.Variable([1.0, 2.0], name="v")
    snapshots = [v.read_value(), v.value(), ad.convert_to_tensor(v), ad.constant(v)]
    v.assign([7.0, 8.0])
    assert len({id(s) for s in snapshots} | {id(v)}) == 5
    assert len({hash(s) for s in snapshots} | {hash(v)}) == 5
    for s in snapshots:
        assert not isinstance(s, ad.Variable)
        np.testing.assert_array_equal(s.numpy(), [1.0, 2.0])


# ============================================================================ 2. dict order
@pytest.mark.tensorflow
def test_dict_targets_pair_with_dict_output_gradients_by_key(tf: Any) -> None:
    def run(lib: Any) -> Any:
        x = lib.constant([1.0, 2.0, 3.0])
        with lib.GradientTape() as tape:
            tape.watch(x)
            y = {"b": x * 10.0, "a": x * 1.0}
        seeds = {"a": lib.constant([1.0, 0.0, 0.0]), "b": lib.constant([0.0, 0.0, 1.0])}
        return tape.gradient(y, x, output_gradients=seeds)

    same(run(ad), run(tf))  # [1, 0, 10]


@pytest.mark.tensorflow
def test_dict_sources_keep_their_keys_and_order(tf: Any) -> None:
    def run(lib: Any, kind: type) -> Any:
        a, b = lib.constant(2.0), lib.constant(1.0)
        sources = kind() if kind is not collections.defaultdict else kind(list)
        sources["b"], sources["a"] = b, a
        with lib.GradientTape() as tape:
            tape.watch([a, b])
            y = a * 3.0 + b * b
        return tape.gradient(y, sources)

    for kind in (dict, collections.OrderedDict, collections.defaultdict):
        ours, theirs = run(ad, kind), run(tf, kind)
        assert type(ours) is kind and list(ours) == list(theirs) == ["b", "a"]
        for k in ours:
            same(ours[k], theirs[k])


def test_output_gradients_of_the_wrong_structure_are_a_clear_error() -> None:
    x = ad.constant([1.0, 2.0])
    with ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = {"a": x * 2.0, "b": x * 3.0}
    with pytest.raises(ValueError, match=r"output_gradients.*structure of the target"):
        tape.gradient(y, x, output_gradients={"a": [1.0, 1.0], "c": [1.0, 1.0]})
    with pytest.raises(TypeError, match="keys that sort"):
        tape.gradient({1: y["a"], "b": y["b"]}, x)


# ============================================================================ 3. attributes
def _recorded_twice(f: Callable[[ad.Tensor], ad.Tensor], x0: np.ndarray, mutate: Callable) -> None:
    """The gradient and a replay of `f` at `x0`, before and after `mutate()` changes the
    arguments `f` gave its ops: all equal."""
    x = ad.constant(x0)
    with ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ad.reduce_sum(f(x) * 1.5)
    before = tape.gradient(y, x).numpy()
    graph = tape.graph(y)
    replayed = graph.replay({}).nodes[0].grad
    mutate()
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), before)
    np.testing.assert_array_equal(graph.replay({}).nodes[0].grad, replayed)
    np.testing.assert_array_equal(replayed, before)


def test_an_index_changed_after_the_op_changes_nothing() -> None:
    idx = np.array([0, 1])
    x = ad.constant([1.0, 2.0, 3.0])
    with ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ad.reduce_sum(x[idx] * [10.0, 20.0])
    idx[0] = 2
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [10.0, 20.0, 0.0])


# Each case: (x's shape, a function of x and its mutable arguments, the arguments, and a
# change to make to them in place afterwards). Every change keeps the arguments valid.
def _cases() -> dict[str, tuple]:
    def roll(a: Any) -> None:
        a[:] = [*list(a[1:]), a[0]]

    def shift(a: Any, n: int) -> None:  # (not a permutation: a sum would not see that)
        a[:] = [(int(i) + 1) % n for i in a]

    return {
        "index array": (
            (4, 3),
            lambda x, a: x[a[0]],
            [np.array([0, 1, 1])],
            lambda a: shift(a[0], 4),
        ),
        "index list": ((4, 3), lambda x, a: x[a[0]], [[0, 2, 2]], lambda a: shift(a[0], 4)),
        "mask": (
            (4, 3),
            lambda x, a: x[a[0]],
            [np.array([1, 0, 1, 1], bool)],
            lambda a: roll(a[0]),
        ),
        "tuple index": (
            (4, 3),
            lambda x, a: x[a[0], a[1]],
            [np.array([0, 3]), [1, 2]],
            lambda a: (shift(a[0], 4), shift(a[1], 3)),
        ),
        "perm list": (
            (2, 3, 4),
            lambda x, a: ad.transpose(x, a[0]),
            [[2, 0, 1]],
            lambda a: roll(a[0]),
        ),
        "perm array": (
            (2, 3, 4),
            lambda x, a: ad.transpose(x, a[0]) * np.arange(24.0).reshape(4, 2, 3),
            [np.array([2, 0, 1])],
            lambda a: roll(a[0]),
        ),
        "reshape list": (
            (2, 6),
            lambda x, a: ad.reshape(x, a[0]) * np.arange(12.0).reshape(3, 4),
            [[3, 4]],
            lambda a: roll(a[0]),
        ),
        "axis list": (
            (2, 3),
            lambda x, a: ad.reduce_max(x, axis=a[0]) * [1.0, 2.0],
            [[1]],
            lambda a: a[0].__setitem__(0, 0),
        ),
        "axis array": (
            (2, 3),
            lambda x, a: ad.reduce_logsumexp(x, axis=a[0]),
            [np.array([1])],
            lambda a: a[0].__setitem__(0, 0),
        ),
        "prod axes": (
            (2, 3),
            lambda x, a: ad.reduce_prod(x, axis=a[0], keepdims=True),
            [[0]],
            lambda a: a[0].__setitem__(0, 1),
        ),
        "broadcast shape": (
            (3,),
            lambda x, a: ad.broadcast_to(x, a[0]) * np.arange(6.0).reshape(2, 3),
            [[2, 3]],
            lambda a: a[0].__setitem__(0, 5),
        ),
        "index variable": (
            (4,),
            lambda x, a: x[a[0]] * [1.0, 2.0],
            [ad.Variable([0, 3])],
            lambda a: a[0].assign([2, 1]),
        ),
    }


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_mutating_any_argument_after_recording_changes_no_gradient_or_replay(
    name: str, data: st.DataObject
) -> None:
    shape, f, args, mutate = CASES[name]
    args = [a.copy() if isinstance(a, np.ndarray | list) else a for a in args]
    if isinstance(args[0], ad.Variable):
        args[0] = ad.Variable(args[0].numpy())
    x0 = data.draw(
        hnp.arrays(np.float64, shape, elements=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1))
    )
    _recorded_twice(lambda x: f(x, args), x0, lambda: mutate(args))


# ============================================================================ 4. perms
@pytest.mark.tensorflow
@pytest.mark.parametrize("perm", [[-1, 0], [1, -2], [-1, -2], [-1, 0, -2]])
def test_a_negative_perm_entry_counts_from_the_end(tf: Any, perm: list[int]) -> None:
    """TensorFlow's forward takes such a perm (its gradient then fails); the gradient here
    is checked on its own: of sum(transpose(x, perm) * transpose(w, perm)) it is w."""
    shape = (2, 3) if len(perm) == 2 else (2, 3, 4)
    x0 = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    w0 = x0 * 2 + 1
    x = ad.constant(x0)
    with ad.GradientTape() as tape:
        tape.watch(x)
        t = ad.transpose(x, perm)
        y = ad.reduce_sum(t * ad.transpose(w0, perm))
    same(t, tf.transpose(x0, perm).numpy())
    same(tape.gradient(y, x), w0)


@pytest.mark.parametrize("perm", [[0, 0], [0, 2], [0], [-3, 1]])
def test_a_perm_that_is_no_permutation_is_a_clear_error(perm: list[int]) -> None:
    with pytest.raises(ValueError, match=r"transpose: perm .* not a permutation"):
        ad.transpose(ad.ones((2, 3)), perm)


# ============================================================================ 5. int indices
@pytest.mark.parametrize(
    "index",
    [
        ((0, 0), slice(None)),
        (slice(None), (1, 1, 3)),
        ((0, 0, 2), (1, 1, 1)),
        ([0, 0], slice(None)),
        (np.array([2, 2]),),
        [1, 1, 1],
        ((), slice(None)),
    ],
    ids=repr,
)
def test_repeated_indices_add_up_whatever_sequence_holds_them(index: Any) -> None:
    x0 = np.arange(12.0).reshape(3, 4)
    x = ad.constant(x0)
    with ad.GradientTape() as tape:
        tape.watch(x)
        y = x[index]
        loss = ad.reduce_sum(y * np.arange(1.0, 1.0 + y.size).reshape(y.shape))
    np.testing.assert_array_equal(y.numpy(), x0[index])
    expected = np.zeros_like(x0)
    np.add.at(expected, index, np.arange(1.0, 1.0 + y.size).reshape(y.shape))
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), expected)


# ============================================================================ 6. big ints
@pytest.mark.tensorflow
@pytest.mark.parametrize(
    "value", [2**63, 2**64 - 1, -(2**63) - 1, 2**70, [2**63, 1], [[1], [2**63]]], ids=repr
)
def test_python_ints_past_int64_are_refused_as_tensorflow(tf: Any, value: Any) -> None:
    with pytest.raises(ValueError):
        tf.constant(value)
    with pytest.raises(ValueError, match="outside int64's range"):
        ad.constant(value)
    with pytest.raises(ValueError, match="outside int64's range"):
        ad.Variable(value)


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (2**63 - 1, None),
        (-(2**63), None),
        (2**40, None),
        (2**63, "uint64"),
        (2**63, "float32"),
        ([1.5, 2**63], None),  # a float among them: all floats
    ],
    ids=repr,
)
def test_python_ints_in_range_convert_as_tensorflow(tf: Any, value: int, dtype: Any) -> None:
    same(ad.constant(value, dtype=dtype), tf.constant(value, dtype=dtype).numpy())


# ============================================================================ 7. NumPy
def test_numpy_functions_that_would_drop_off_the_tape_are_refused() -> None:
    t = ad.constant([3.0, 1.0, 2.0])
    for f in (np.sort, np.round, np.around, np.unique):
        with pytest.raises(TypeError, match=f"np.{f.__name__} is not supported"):
            f(t)


def test_np_copy_is_recorded() -> None:
    x = ad.constant([1.0, 2.0])
    with ad.GradientTape() as tape:
        tape.watch(x)
        y = ad.reduce_sum(np.copy(x) * 3.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 3.0])


def test_numpy_keywords_without_a_counterpart_are_refused() -> None:
    t = ad.constant([[1.0, 2.0], [3.0, 4.0]])
    for call in (
        lambda: np.sum(t, dtype=np.float64),
        lambda: np.max(t, initial=5.0),
        lambda: np.dot(t, t, out=np.zeros((2, 2))),
        lambda: np.concatenate([t, t], dtype=np.float64),
    ):
        with pytest.raises(TypeError, match="not supported on autodiff tensors"):
            call()


FLOATS = st.sampled_from([np.float32, np.float64])


def _array(draw: Any, shape: tuple[int, ...], dtype: Any, low: float = -5, high: float = 5) -> Any:
    return draw(hnp.arrays(dtype, shape, elements=st.floats(low, high, width=32)))


def _unary_ufunc(ufunc: np.ufunc) -> Callable:
    @st.composite
    def case(draw: Any) -> tuple:
        x = _array(draw, draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0)), draw(FLOATS))
        return ufunc, [x], {}

    return case


def _binary_ufunc(ufunc: np.ufunc) -> Callable:
    @st.composite
    def case(draw: Any) -> tuple:
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3)).input_shapes
        dtype = draw(FLOATS)
        if ufunc is np.true_divide and draw(st.booleans()):
            dtype = draw(st.sampled_from([np.int8, np.int16, np.int32, np.int64]))
            ints = st.integers(-50, 50).filter(bool)
            return ufunc, [draw(hnp.arrays(dtype, s, elements=ints)) for s in shapes], {}
        return ufunc, [_array(draw, s, dtype) for s in shapes], {}

    return case


@st.composite
def _matmul(draw: Any, f: Any = np.matmul) -> tuple:
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(st.sampled_from([(), (2,), (1, 2)]))
    dtype = draw(FLOATS)
    a_shape = draw(st.sampled_from([(k,), (*batch, n, k)]))
    b_shape = draw(st.sampled_from([(k,), (k, m), (*batch, k, m), (2, 1, k, m)]))
    if f is np.dot and draw(st.booleans()):
        a_shape, b_shape = draw(st.sampled_from([((), (k, m)), ((n, k), ())]))
    return f, [_array(draw, a_shape, dtype), _array(draw, b_shape, dtype)], {}


@st.composite
def _reduction(draw: Any, f: Any) -> tuple:
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    axis = draw(
        st.none()
        | hnp.valid_tuple_axes(len(shape))
        | st.integers(-len(shape), max(len(shape) - 1, 0)).filter(lambda a: len(shape) > 0)
    )
    keepdims = draw(st.booleans())
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.uint8]))
    if np.dtype(dtype).kind in "iu":
        x = draw(hnp.arrays(dtype, shape, elements=st.integers(0, 9)))
    else:
        x = _array(draw, shape, dtype, -2, 2)
    kwargs = {"axis": axis, "keepdims": keepdims}
    if draw(st.booleans()) and not keepdims:
        return f, [x], {"axis": axis}
    return f, [x], kwargs


@st.composite
def _shape_function(draw: Any, f: Any) -> tuple:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = _array(draw, shape, draw(FLOATS))
    n = len(shape)
    if f is np.transpose:
        perm = draw(st.permutations(range(n)))
        perm = [a - n if draw(st.booleans()) else a for a in perm]
        return f, [x], draw(st.sampled_from([{"axes": perm}, {}]))
    if f is np.reshape:
        order = draw(st.sampled_from(["C", "F", "A"]))
        target = draw(st.sampled_from([(-1,), (x.size, 1), (1, -1), shape[::-1]]))
        if order == "A" and draw(st.booleans()):
            x = np.asfortranarray(x)
        return f, [x, target], {"order": order}
    if f is np.expand_dims:
        axes = draw(st.sampled_from([0, -1, (0, 1), n]))
        return f, [x, axes], {}
    if f is np.squeeze:
        x = x.reshape(1, *shape, 1)
        return f, [x], draw(st.sampled_from([{}, {"axis": 0}, {"axis": -1}, {"axis": (0, -1)}]))
    if f is np.broadcast_to:
        return f, [x, (2, *shape)], {}
    if f is np.clip:
        lo, hi = sorted(draw(st.lists(st.floats(-5, 5), min_size=2, max_size=2)))
        lo, hi = draw(st.sampled_from([(lo, hi), (hi, lo), (None, hi), (lo, None)]))
        return f, [x, lo, hi], {}
    if f in (np.concatenate, np.stack):
        axis = draw(st.sampled_from([0, -1, None] if f is np.concatenate else [0, -1, n]))
        return f, [[x, x * 2]], {"axis": axis}
    if f is np.where:
        condition = draw(hnp.arrays(bool, shape))
        return f, [condition, x, _array(draw, shape[-1:], x.dtype)], {}
    return f, [x], {}  # np.copy


@st.composite
def _lecture_function(draw: Any, f: Any) -> tuple:
    """The NumPy functions of the next lectures' ops (issue 25) with their keywords."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = _array(draw, shape, draw(FLOATS))
    n = len(shape)
    axis = draw(st.sampled_from([None, 0, -1]))
    if f in (np.cumsum, np.cumprod):
        return f, [x], {"axis": 0 if axis is None and n > 1 else axis}
    if f in (np.var, np.std):
        return f, [x], {"axis": axis, "ddof": draw(st.sampled_from([0, 1])) if x.size > 1 else 0}
    if f is np.take:
        indices = draw(hnp.arrays(np.int64, draw(st.integers(1, 4)), elements=st.integers(0, 2)))
        indices %= shape[0]
        return f, [x, indices], {"axis": 0}
    if f is np.flip:
        return f, [x], {"axis": axis}
    if f is np.tile:
        return f, [x, draw(st.sampled_from([2, (1, 2), (2,) * n]))], {}
    if f is np.pad:
        return f, [x, draw(st.sampled_from([1, ((0, 1),) * n]))], {}
    if f is np.split:
        return f, [x, 1], {"axis": -1}
    if f is np.linalg.norm:
        return f, [x], draw(st.sampled_from([{}, {"axis": -1}, {"axis": -1, "keepdims": True}]))
    if f is np.tensordot:
        return f, [x, _array(draw, shape[-1:], x.dtype)], {"axes": 1}
    return f, ["...i,...i->...", x, x * 2], {}  # np.einsum


# Each NumPy function on tensors (every entry of the interop table), with its cases.
NUMPY_CASES: dict[str, Callable[[], st.SearchStrategy]] = {
    **{
        f.__name__: _unary_ufunc(f)
        for f in (
            *(np.negative, np.positive, np.square, np.sqrt, np.absolute, np.sign),
            *(np.exp, np.log, np.log1p, np.sin, np.cos, np.tan, np.tanh),
        )
    },
    **{
        f.__name__: _binary_ufunc(f)
        for f in (
            *(np.add, np.subtract, np.multiply, np.true_divide, np.power, np.float_power),
            *(np.maximum, np.minimum, np.less, np.less_equal, np.greater, np.greater_equal),
            *(np.equal, np.not_equal),
        )
    },
    "matmul": lambda: _matmul(np.matmul),
    "dot": lambda: _matmul(np.dot),
    **{
        f.__name__: (lambda f=f: _reduction(f))
        for f in (np.sum, np.mean, np.max, np.amax, np.min, np.amin, np.prod)
    },
    **{
        f.__name__: (lambda f=f: _shape_function(f))
        for f in (
            *(np.transpose, np.reshape, np.expand_dims, np.squeeze, np.broadcast_to),
            *(np.clip, np.concatenate, np.stack, np.where, np.copy),
        )
    },
    **{
        f.__name__: (lambda f=f: _lecture_function(f))
        for f in (
            *(np.cumsum, np.cumprod, np.var, np.std, np.take, np.flip, np.tile, np.pad),
            *(np.split, np.linalg.norm, np.tensordot, np.einsum),
        )
    },
}


def test_every_function_of_the_interop_table_is_checked() -> None:
    from autodiff import interop

    table = {f.__name__ for f in interop.UFUNCS} | {f.__name__ for f in interop.FUNCTIONS}
    assert table - {"zeros_like", "ones_like"} <= set(NUMPY_CASES)


def _tensors(args: list[Any]) -> list[Any]:
    return [
        [ad.constant(a) for a in arg]
        if isinstance(arg, list)
        else ad.constant(arg)
        if isinstance(arg, np.ndarray) and arg.dtype != bool
        else arg
        for arg in args
    ]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's own, on the arrays
@pytest.mark.parametrize("name", sorted(NUMPY_CASES))
@given(data=st.data())
def test_numpy_functions_on_tensors_match_numpy_and_are_recorded(
    name: str, data: st.DataObject
) -> None:
    f, args, kwargs = data.draw(NUMPY_CASES[name]())
    try:
        expected = f(*args, **kwargs)
    except (ValueError, TypeError) as e:
        with pytest.raises(type(e)):
            f(*_tensors(args), **kwargs)
        return
    inputs = _tensors(args)
    with ad.GradientTape() as tape:
        watched = [t for t in _flat(inputs) if isinstance(t, ad.Tensor) and t.dtype.kind == "f"]
        tape.watch(watched)
        result = f(*inputs, **kwargs)
        if isinstance(expected, list):  # np.split: a list of arrays, a list of tensors here
            assert isinstance(result, list) and len(result) == len(expected)
            result, expected = ad.stack(result), np.stack(expected)
    assert isinstance(result, ad.Tensor), f"{name} returned {type(result).__name__}"
    ours = result.numpy()
    assert ours.shape == np.shape(expected) and ours.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6, equal_nan=True)
    if watched and result.dtype.kind == "f" and result.size:
        grads = tape.gradient(result, watched)
        assert any(g is not None for g in grads), f"{name} was not recorded"


def _flat(items: list[Any]) -> list[Any]:
    return [x for item in items for x in (item if isinstance(item, list) else [item])]


# ============================================================================ 8. custom grads
@pytest.mark.tensorflow
def test_a_custom_gradient_is_called_at_every_gradient_call(tf: Any) -> None:
    def run(lib: Any) -> Any:
        calls = []

        @lib.custom_gradient
        def f(x: Any) -> Any:
            def grad(upstream: Any) -> Any:
                calls.append(1)
                return upstream * (3.0 + len(calls))

            return lib.identity(x), grad

        x = lib.constant([1.0, 2.0])
        with lib.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = lib.reduce_sum(f(x))
        return [tape.gradient(y, x) for _ in range(3)], len(calls)

    (ours, n), (theirs, m) = run(ad), run(tf)
    assert n == m == 3
    for a, b in zip(ours, theirs, strict=True):
        same(a, b)


def test_a_custom_gradient_of_one_number_is_broadcast() -> None:
    """(TensorFlow hands the 5.0 back as it is, whatever the input's shape; here it is the
    gradient of every element, and flows on with the input's shape.)"""

    @ad.custom_gradient
    def f(x: Any) -> Any:
        return x * 2.0, lambda upstream: 5.0

    x = ad.constant([1.0, 2.0])
    with ad.GradientTape() as tape:
        tape.watch(x)
        y = ad.reduce_sum(f(x) * x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0 * 2 + 5.0, 2.0 * 2 + 5.0])


def test_a_custom_gradient_of_another_shape_is_a_clear_error() -> None:
    @ad.custom_gradient
    def f(x: Any) -> Any:
        return x * 2.0, lambda upstream: ad.constant([1.0, 2.0, 3.0])

    x = ad.constant([1.0, 2.0])
    with ad.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    with pytest.raises(ValueError, match=r"custom_gradient: .* f .*shape \(3,\).*shape \(2,\)"):
        tape.gradient(y, x)


# ============================================================================ smaller ones
@pytest.mark.tensorflow
def test_relu_second_derivative_is_zero_as_tensorflow(tf: Any) -> None:
    def run(lib: Any) -> Any:
        x = lib.constant([1.0, -2.0, 0.0])
        with lib.GradientTape() as outer:
            outer.watch(x)
            with lib.GradientTape() as inner:
                inner.watch(x)
                y = lib.nn.relu(x) if lib is tf else lib.relu(x)
            g = inner.gradient(y, x)
        return g, outer.gradient(g, x)

    for ours, theirs in zip(run(ad), run(tf), strict=True):
        same(ours, theirs)


@pytest.mark.tensorflow
def test_pow_of_minus_infinity_as_tensorflow(tf: Any) -> None:
    x = [-np.inf, -np.inf, -np.inf, -np.inf, -2.0, np.nan]
    y = [0.5, -0.5, 3.0, 2.0, 0.5, 1.0]
    same(ad.pow(ad.constant(x), ad.constant(y)), tf.pow(tf.constant(x), tf.constant(y)).numpy())
    for a, b in zip(x, y, strict=True):  # 0-d values (NumPy scalars: nan for (-inf) ** 0.5)
        for dtype in ("float32", "float64"):
            ours = ad.pow(ad.constant(a, dtype), ad.constant(b, dtype))
            same(ours, tf.pow(tf.constant(a, dtype), tf.constant(b, dtype)).numpy())


# ============================================================================ unclear errors
@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("subtract", {"y": [3.0, 5.0], "x": [1.0, 2.0]}),
        ("divide", {"y": [3.0, 5.0], "x": [1.0, 2.0]}),
        ("pow", {"y": [3.0, 2.0], "x": [1.0, 2.0]}),
        ("matmul", {"b": [[1.0], [2.0]], "a": [[3.0, 4.0]]}),
        ("where", {"y": [3.0, 5.0], "x": [1.0, 2.0], "condition": [True, False]}),
        ("clip_by_value", {"clip_value_max": 1.5, "t": [1.0, 2.0], "clip_value_min": 1.2}),
    ],
)
def test_inputs_given_by_keyword_in_any_order(tf: Any, name: str, kwargs: dict) -> None:
    same(getattr(ad, name)(**kwargs), getattr(tf, name)(**kwargs).numpy())


def test_a_missing_input_by_keyword_is_named() -> None:
    with pytest.raises(TypeError, match=r"where.*missing a required argument: 'x'"):
        ad.where(condition=[True], y=[1.0])


@pytest.mark.parametrize("op", [ad.concat, ad.stack])
def test_concat_and_stack_refuse_axis_none_before_anything_is_recorded(op: Any) -> None:
    x = ad.constant([1.0, 2.0])
    with ad.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(ValueError, match=f"{op.__name__}: axis must be one int, got None"):
            op([x, x], axis=None)
    assert tape.gradient(x * 1.0, x) is None  # (the tape left its `with`: unrecorded)


@pytest.mark.parametrize("make", [ad.Variable, ad.constant, lambda v, name: ad.exp(v, name=name)])
def test_a_name_must_be_a_string(make: Any) -> None:
    with pytest.raises(TypeError, match="name must be a string"):
        make(ad.constant(1.0), name=123)
