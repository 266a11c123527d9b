"""The behaviour of `ad.GradientTape`, `ad.Tensor` and `ad.Variable`: TensorFlow's, as
`tf.GradientTape`, `tf.Tensor` and `tf.Variable` document it.

One test per behaviour, with values worked out by hand (written next to each case).
"""

from __future__ import annotations

import gc
import re
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import autodiff as ad

ONE_CALL = "GradientTape.gradient can only be called once on non-persistent tapes."


def check(tensor: Any, expected: Any, dtype: Any = ad.float32) -> None:
    """`tensor` is an `ad.Tensor` of `dtype` holding `expected` (up to float32 rounding)."""
    assert isinstance(tensor, ad.Tensor), f"expected a Tensor, got {tensor!r}"
    assert tensor.dtype == dtype
    expected = np.asarray(expected)
    assert tensor.shape == expected.shape
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=1e-6, atol=1e-6)


def check_structure(result: Any, expected: Any) -> None:
    """`result` has the nesting (types, keys, lengths) of `expected`, and its leaves' values."""
    if isinstance(expected, dict | list | tuple):
        assert type(result) is type(expected), f"{type(result).__name__}: {result!r}"
    if isinstance(expected, dict):
        assert list(result) == list(expected)
        for key in expected:
            check_structure(result[key], expected[key])
    elif isinstance(expected, list | tuple):
        assert len(result) == len(expected)
        for r, e in zip(result, expected, strict=True):
            check_structure(r, e)
    else:
        check(result, expected)


@contextmanager
def no_gc() -> Iterator[None]:
    """Garbage collection off: whatever is freed inside is freed by reference counting alone."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def all_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning (no "once per location" filtering by Python)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def user_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# ============================================================================ what gets watched
def test_constant_is_not_watched():
    x = ad.constant(3.0)
    with ad.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_variable_is_watched_automatically():
    v = ad.Variable(3.0)
    with ad.GradientTape() as tape:
        y = v * v
    check(tape.gradient(y, v), 6.0)  # d(v²)/dv = 2v


def test_watch_constant():
    x = ad.constant(3.0)
    with ad.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    check(tape.gradient(y, x), 6.0)


@pytest.mark.parametrize(
    "structure",
    [
        lambda a, b, c: [a, b, c],
        lambda a, b, c: (a, b, c),
        lambda a, b, c: {"a": a, "b": b, "c": c},
        lambda a, b, c: {"a": a, "rest": [b, (c,)]},
    ],
    ids=["list", "tuple", "dict", "nested"],
)
def test_watch_nested_structure(structure: Callable[..., Any]):
    a, b, c = ad.constant(2.0), ad.constant(3.0), ad.constant(4.0)
    with ad.GradientTape() as tape:
        tape.watch(structure(a, b, c))
        y = a * b * c
    # d(abc)/da = bc = 12, d/db = ac = 8, d/dc = ab = 6
    check_structure(tape.gradient(y, [a, b, c]), [12.0, 8.0, 6.0])


def test_watch_accessed_variables_false():
    u, v = ad.Variable(2.0), ad.Variable(5.0)
    with ad.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = u * v
    assert [w is v for w in tape.watched_variables()] == [True]
    du, dv = tape.gradient(y, [u, v])
    assert du is None
    check(dv, 2.0)  # d(uv)/dv = u


def test_untrainable_variable_is_not_watched():
    frozen, live = ad.Variable(2.0, trainable=False), ad.Variable(5.0)
    with ad.GradientTape(persistent=True) as tape:
        y = frozen * live
    assert [v is live for v in tape.watched_variables()] == [True]
    d_frozen, d_live = tape.gradient(y, [frozen, live])
    assert d_frozen is None
    check(d_live, 2.0)
    with ad.GradientTape() as tape:  # watching it by hand still works
        tape.watch(frozen)
        y = frozen * live
    check(tape.gradient(y, frozen), 5.0)


def test_watched_variables_in_first_watch_order():
    a, b, c, d = (ad.Variable(float(i)) for i in range(4))
    with ad.GradientTape(persistent=True) as tape:
        y = c * a  # c first, then a
        tape.watch([d, c])  # d new, c already watched
        y = y + b * a
    assert isinstance(tape.watched_variables(), tuple)
    assert [id(v) for v in tape.watched_variables()] == [id(c), id(a), id(d), id(b)]


# ============================================================================ persistence
def test_persistent_tape_allows_many_gradient_calls():
    x = ad.Variable(3.0)
    with ad.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * x
    check(tape.gradient(y, x), 6.0)  # 2x
    check(tape.gradient(z, x), 27.0)  # 3x²
    check(tape.gradient(y, x), 6.0)  # the same again
    check(tape.jacobian(z, x), 27.0)


CALLS = {
    "gradient": lambda tape, y, x: tape.gradient(y, x),
    "jacobian": lambda tape, y, x: tape.jacobian(y, x),
}


@pytest.mark.parametrize("first", CALLS)
@pytest.mark.parametrize("second", CALLS)
def test_non_persistent_tape_allows_one_call(first: str, second: str):
    x = ad.Variable([1.0, 2.0])
    with ad.GradientTape() as tape:
        y = ad.reduce_sum(x * x)  # a scalar: its Jacobian is its gradient
    check(CALLS[first](tape, y, x), [2.0, 4.0])
    with pytest.raises(RuntimeError, match=f"^{re.escape(ONE_CALL)}$"):
        CALLS[second](tape, y, x)


@pytest.mark.parametrize("inside", [True, False], ids=["inside-with", "after-with"])
def test_gradient_inside_and_outside_the_with_block(inside: bool):
    x = ad.Variable(4.0)
    with ad.GradientTape() as tape:
        y = x * x * x
        if inside:
            g = tape.gradient(y, x)
            y = y * 2.0  # the block goes on after the call
    if not inside:
        g = tape.gradient(y, x)
    check(g, 48.0)  # 3x² at 4


# ============================================================================ targets and sources
@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (lambda a, b: a, 6.0),
        (lambda a, b: [a, b], [6.0, 4.0]),
        (lambda a, b: (a, b), (6.0, 4.0)),
        (lambda a, b: {"b": b, "a": a}, {"b": 4.0, "a": 6.0}),
        (lambda a, b: {"p": [a, (b, a)], "q": {"r": b}}, {"p": [6.0, (4.0, 6.0)], "q": {"r": 4.0}}),
        (lambda a, b: [[a], ()], [[6.0], ()]),
    ],
    ids=["tensor", "list", "tuple", "dict", "nested", "with-empty-tuple"],
)
def test_gradient_keeps_the_structure_of_sources(sources: Callable[..., Any], expected: Any):
    a, b = ad.Variable(2.0), ad.Variable(3.0)
    with ad.GradientTape() as tape:
        y = 2.0 * a * b  # d/da = 2b = 6, d/db = 2a = 4
    check_structure(tape.gradient(y, sources(a, b)), expected)


def test_non_scalar_target_is_summed():
    x = ad.Variable([1.0, 2.0, 3.0])
    with ad.GradientTape() as tape:
        y = x * x  # shape (3,): the gradient of sum(x²) is 2x
    check(tape.gradient(y, x), [2.0, 4.0, 6.0])


def test_list_of_targets_is_summed():
    x = ad.Variable(2.0)
    with ad.GradientTape() as tape:
        y1 = x * x  # 2x = 4
        y2 = 3.0 * x  # 3
        y3 = ad.stack([x, x])  # 1 + 1
    check(tape.gradient([y1, y2, y3], x), 9.0)


def test_output_gradients_seed_the_target():
    x = ad.Variable([1.0, 2.0, 3.0])
    with ad.GradientTape(persistent=True) as tape:
        y = x * x
        z = 2.0 * x
    # 2x weighted by [1, 10, 100]
    check(tape.gradient(y, x, output_gradients=ad.constant([1.0, 10.0, 100.0])), [2, 40, 600])
    # one seed per target: 2x·[1, 0, 1] + 2·[0, 1, 1]
    seeds = [ad.constant([1.0, 0.0, 1.0]), ad.constant([0.0, 1.0, 1.0])]
    check(tape.gradient([y, z], x, output_gradients=seeds), [2.0, 2.0, 8.0])


@pytest.mark.parametrize(
    "mode",
    ["none", ad.UnconnectedGradients.NONE, "zero", ad.UnconnectedGradients.ZERO],
    ids=["none", "enum-none", "zero", "enum-zero"],
)
def test_unconnected_gradients(mode: Any):
    a = ad.Variable(2.0)
    b = ad.Variable([[1.0, 2.0]], dtype=ad.float64)  # read, but y does not depend on it
    c = ad.constant([5.0, 6.0, 7.0])  # never read
    with ad.GradientTape() as tape:
        y = a * a
        _ = b * 2.0
    da, db, dc = tape.gradient(y, [a, b, c], unconnected_gradients=mode)
    check(da, 4.0)
    if str(getattr(mode, "value", mode)) == "none":
        assert db is None and dc is None
    else:
        check(db, [[0.0, 0.0]], dtype=ad.float64)
        check(dc, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("call", CALLS)
def test_unconnected_gradients_rejects_other_values(call: str):
    x = ad.Variable(1.0)
    with ad.GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(ValueError, match="unconnected_gradients"):
        (tape.gradient if call == "gradient" else tape.jacobian)(
            y, x, unconnected_gradients="zeros"
        )


def test_jacobian_shape_and_values():
    x = ad.Variable([1.0, 2.0, 3.0])
    w = ad.Variable([[1.0, 2.0], [3.0, 4.0]])
    with ad.GradientTape(persistent=True) as tape:
        y = x * x  # dy_i/dx_j = 2x_i δ_ij
        z = ad.reduce_sum(w * w, axis=1)  # dz_i/dw_jk = 2w_jk δ_ij
    check(tape.jacobian(y, x), np.diag([2.0, 4.0, 6.0]))
    jz = tape.jacobian(z, w)
    assert jz.shape == (2, 2, 2)
    check(jz, [[[2.0, 4.0], [0.0, 0.0]], [[0.0, 0.0], [6.0, 8.0]]])
    assert tape.jacobian(y, w) is None
    check(tape.jacobian(y, w, unconnected_gradients="zero"), np.zeros((3, 2, 2)))


# ============================================================================ stop_recording, reset
def test_stop_recording_hides_operations():
    x = ad.Variable(3.0)
    with ad.GradientTape(persistent=True) as tape:
        with tape.stop_recording():
            c = x * x  # 9, not recorded: acts as a constant
        z = c * x  # recorded again
    assert tape.gradient(c, x) is None
    check(tape.gradient(z, x), 9.0)  # c, not 3x²


def test_stop_recording_pauses_only_that_tape():
    x = ad.Variable(3.0)
    with ad.GradientTape() as outer, ad.GradientTape() as inner, inner.stop_recording():
        y = x * x
    assert inner.gradient(y, x) is None
    check(outer.gradient(y, x), 6.0)


def test_stop_recording_resumes_after_an_exception():
    x = ad.Variable(3.0)
    with ad.GradientTape() as tape:
        with pytest.raises(ZeroDivisionError), tape.stop_recording():
            raise ZeroDivisionError
        y = x * x
    check(tape.gradient(y, x), 6.0)


def _outside_with(tape: ad.GradientTape) -> None:
    with tape.stop_recording():
        pass


def _inside_stop_recording(tape: ad.GradientTape) -> None:
    with tape, tape.stop_recording(), tape.stop_recording():
        pass


@pytest.mark.parametrize(
    "misuse", [_outside_with, _inside_stop_recording], ids=["outside-with", "nested"]
)
def test_stop_recording_needs_a_recording_tape(misuse: Callable[[ad.GradientTape], None]):
    with pytest.raises(RuntimeError):
        misuse(ad.GradientTape())


def test_reset_inside_the_with_block():
    v = ad.Variable(2.0)
    with ad.GradientTape(persistent=True) as tape:
        y1 = v * v
        tape.reset()
        y2 = 3.0 * v
    assert tape.gradient(y1, v) is None  # forgotten
    check(tape.gradient(y2, v), 3.0)  # recorded after the reset


@pytest.mark.parametrize("persistent", [True, False])
def test_reset_outside_the_with_block(persistent: bool):
    v = ad.Variable(2.0)
    tape = ad.GradientTape(persistent=persistent)
    with tape:
        y = v * v
    if persistent:
        tape.reset()
        assert tape.gradient(y, v) is None
        assert tape.watched_variables() == ()
    else:
        check(tape.gradient(y, v), 4.0)
        tape.reset()
    with tape:  # usable again
        y = 5.0 * v
    check(tape.gradient(y, v), 5.0)


# ============================================================================ non-differentiable
NOT_DIFFERENTIABLE = {
    "int32": lambda: ad.constant(3),
    "int64": lambda: ad.constant([1, 2], dtype=ad.int64),
    "bool": lambda: ad.constant([True, False]),
    "int-variable": lambda: ad.Variable(3),
}


@pytest.mark.parametrize("make", NOT_DIFFERENTIABLE.values(), ids=NOT_DIFFERENTIABLE.keys())
def test_integer_sources_give_none_and_warn_once_per_tape(make: Callable[[], ad.Tensor]):
    source, x = make(), ad.Variable(2.0)
    with all_warnings() as caught:
        for _ in range(2):  # two tapes: one warning each
            with ad.GradientTape(persistent=True) as tape:
                tape.watch(source)
                y = ad.reduce_sum(ad.cast(source, ad.float32)) * x
            for _ in range(2):
                ds, dx = tape.gradient(y, [source, x])
                assert ds is None
                check(dx, float(np.sum(source.numpy())))
            assert tape.jacobian(y, source) is None
    messages = user_warnings(caught)
    assert len(messages) == 2, messages
    assert all(str(source.dtype) in m and "differentiable" in m for m in messages), messages


def test_float_tapes_do_not_warn():
    x = ad.Variable(2.0)
    with all_warnings() as caught:
        with ad.GradientTape() as tape:
            y = ad.cast(x > 1.0, ad.float32) * x  # a bool on the way is fine
        check(tape.gradient(y, x), 1.0)
    assert user_warnings(caught) == []


# ============================================================================ threads
def test_tape_stack_is_per_thread():
    x = ad.Variable(3.0)
    results: dict[str, Any] = {}

    def worker() -> None:
        try:
            results["y"] = x * x  # the main thread's tape is active, but not here
            with ad.GradientTape() as own:
                z = x * x * x
            results["own"] = own.gradient(z, x)
        except BaseException as e:  # re-raised in the main thread
            results["error"] = e

    with ad.GradientTape(persistent=True) as tape:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        mine = x + 1.0
    if "error" in results:
        raise results["error"]
    assert tape.gradient(results["y"], x) is None
    check(tape.gradient(mine, x), 1.0)
    check(results["own"], 27.0)  # 3x², on the worker's own tape


# ============================================================================ errors inside `with`
def test_exception_inside_with_leaves_tape_and_variables_usable():
    v = ad.Variable(2.0)
    tape = ad.GradientTape(persistent=True)
    with pytest.raises(ValueError), tape:
        y = v * v
        v.assign_add(1.0)  # ran before the error: kept
        v.assign([1.0, 2.0])  # wrong shape: fails, changes nothing
    check(v.read_value(), 3.0)
    check(tape.gradient(y, v), 4.0)  # 2v at the value read (2)
    z = v * v  # the tape left the stack: not recorded
    assert tape.gradient(z, v) is None
    with pytest.raises(ValueError), tape:
        ad.matmul(ad.ones((1, 3)), ad.ones((2, 2)))
    with ad.GradientTape() as fresh:
        z = v * v
    check(fresh.gradient(z, v), 6.0)


# ============================================================================ Variable
@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (lambda v: v.assign([5.0, 6.0]), [5.0, 6.0]),
        (lambda v: v.assign(np.array([5.0, 6.0])), [5.0, 6.0]),  # float64 array, converted
        (lambda v: v.assign_add([0.5, 1.0]), [1.5, 3.0]),
        (lambda v: v.assign_sub(ad.constant([0.5, 1.0])), [0.5, 1.0]),
        (lambda v: v.assign([7, 8]), [7.0, 8.0]),
    ],
    ids=["assign", "assign-numpy", "assign_add", "assign_sub", "assign-ints"],
)
def test_variable_updates(update: Callable[[ad.Variable], Any], expected: list[float]):
    v = ad.Variable([1.0, 2.0])
    update(v)
    check(v.read_value(), expected)
    assert v.dtype == ad.float32 and v.shape == (2,)
    np.testing.assert_array_equal(np.asarray(v), expected)


@pytest.mark.parametrize(
    ("variable", "value", "error"),
    [
        (lambda: ad.Variable([1.0, 2.0]), [1.0, 2.0, 3.0], ValueError),
        (lambda: ad.Variable(1.0), [[1.0]], ValueError),
        (lambda: ad.Variable(1.0), ad.constant(1.0, dtype=ad.float64), (ValueError, TypeError)),
        (lambda: ad.Variable(1), 1.5, (ValueError, TypeError)),
    ],
    ids=["shape", "rank", "dtype", "float-into-int"],
)
@pytest.mark.parametrize("method", ["assign", "assign_add", "assign_sub"])
def test_variable_update_errors(
    variable: Callable[[], ad.Variable], value: Any, error: Any, method: str
):
    v = variable()
    before = v.numpy()
    with pytest.raises(error):
        getattr(v, method)(value)
    np.testing.assert_array_equal(v.numpy(), before)
    assert v.dtype == ad.as_dtype(before.dtype)


def test_variable_updates_are_not_recorded():
    x = ad.constant(2.0)
    v = ad.Variable(3.0)
    with ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = v * v  # reads v = 3
        v.assign(x * 4.0)  # v = 8; the assignment is no op of the graph
        z = v * 1.0
        v.assign_add(1.0)
    check(v.read_value(), 9.0)
    check(y, 9.0)
    check(tape.gradient(y, v), 6.0)  # 2·3: the value that was read
    assert tape.gradient(z, x) is None  # no path through the assignment
    check(tape.gradient(z, v), 1.0)


# ============================================================================ long chains
def test_hundred_thousand_op_chain():
    x = ad.Variable(1.0)
    with ad.GradientTape() as tape:
        y = x
        for _ in range(100_000):
            y = y + 0.0
    check(tape.gradient(y, x), 1.0)


# ============================================================================ memory
def _record_on(tape: ad.GradientTape, x: ad.Variable) -> tuple[ad.Tensor, weakref.ref]:
    """Record `y = sum((x·x)·2)` and return `y` and a weak reference to the intermediate."""
    with tape:
        h = x * x
        y = ad.reduce_sum(h * 2.0)
    return y, weakref.ref(h)


@pytest.mark.parametrize("persistent", [True, False])
@pytest.mark.parametrize("differentiate", [True, False], ids=["after-gradient", "unused"])
def test_deleted_tape_is_freed_without_gc(persistent: bool, differentiate: bool):
    x = ad.Variable([1.0, 2.0])
    with no_gc():
        tape = ad.GradientTape(persistent=persistent)
        y, h = _record_on(tape, x)
        if differentiate:
            grad = tape.gradient(y, x)
            check(grad, [4.0, 8.0])  # 4x
        tape_ref = weakref.ref(tape)
        del tape
        assert tape_ref() is None
        assert h() is None
        check(y, 10.0)  # what the user kept stays usable


def test_nested_tapes_are_freed_without_gc():
    x = ad.Variable(3.0)
    with no_gc():
        outer, inner = ad.GradientTape(), ad.GradientTape()
        with outer:
            y, _ = _record_on(inner, x)
            g = inner.gradient(y, x)
        gg = outer.gradient(g, x)
        refs = [weakref.ref(outer), weakref.ref(inner)]
        del outer, inner
        assert [r() for r in refs] == [None, None]
    check(gg, 4.0)  # d(4x)/dx


def test_tensors_and_variables_do_not_keep_a_tape_alive():
    x = ad.Variable(2.0)
    c = ad.constant(3.0)
    with no_gc():
        tape = ad.GradientTape(persistent=True)
        with tape:
            tape.watch(c)
            kept = [x * c, ad.exp(c), x.read_value(), x + 1.0]
        kept += tape.gradient(kept[0], [x, c])
        kept.append(tape.watched_variables())
        ref = weakref.ref(tape)
        del tape
        assert ref() is None


def test_non_persistent_tape_frees_intermediates_after_gradient():
    x = ad.Variable([1.0, 2.0])
    tape = ad.GradientTape()
    with no_gc():
        y, h = _record_on(tape, x)
        tape.gradient(y, x)
        assert h() is None  # the tape is still alive, but has let go of its records


# ============================================================================ nested tapes
def test_nested_tapes_second_derivative():
    x = ad.constant(3.0)
    with ad.GradientTape() as outer:
        outer.watch(x)
        with ad.GradientTape() as inner:
            inner.watch(x)
            y = x**3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    check(y, 27.0)
    check(dy, 27.0)  # 3x²
    check(d2y, 18.0)  # 6x


def test_nested_tapes_with_variables():
    v = ad.Variable(3.0)
    with ad.GradientTape() as outer:
        with ad.GradientTape() as inner:
            y = v**3
        dy = inner.gradient(y, v)
    check(outer.gradient(dy, v), 18.0)


def test_persistent_tape_differentiates_its_own_gradient():
    x = ad.constant(3.0)
    with ad.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x**3
        dy = tape.gradient(y, x)  # recorded by the tape itself
        d2y = tape.gradient(dy, x)
    check(dy, 27.0)
    check(d2y, 18.0)
    check(tape.gradient(dy, x), 18.0)  # also after the block


# ============================================================================ dtypes
T64 = ad.constant([1.0, 2.0], dtype=ad.float64)
I32 = ad.constant([1, 2])
I64 = ad.constant([1, 2], dtype=ad.int64)
F16 = ad.constant([1.0, 2.0], dtype=ad.float16)


def evaluate(expression: str) -> ad.Tensor:
    """The tensor an expression of the tables below makes (the expression is the test's id)."""
    return eval(expression, {"ad": ad, "np": np, "T64": T64, "I32": I32, "I64": I64, "F16": F16})


NEW_TENSOR_DTYPES = {
    "ad.constant(1.5)": ad.float32,
    "ad.constant([[1.0, 2.0]])": ad.float32,
    "ad.constant([1, 2.5])": ad.float32,
    "ad.constant(1)": ad.int32,
    "ad.constant([1, 2])": ad.int32,
    "ad.constant(2**40)": ad.int64,
    "ad.constant([1, -(2**40)])": ad.int64,
    "ad.constant(True)": ad.bool,
    "ad.constant(np.array([1.0, 2.0]))": ad.float64,
    "ad.constant(np.float64(1.0))": ad.float64,
    "ad.constant(np.array([1, 2], dtype=np.int64))": ad.int64,
    "ad.constant(np.ones(2, np.float16))": ad.float16,
    "ad.constant(1.0, dtype=ad.float64)": ad.float64,
    "ad.constant(1, dtype=ad.float32)": ad.float32,
    "ad.constant([1, 2], dtype='float64')": ad.float64,
    "ad.constant(1.5, dtype='float64')": ad.float64,
    "ad.constant(1.5, dtype=np.float16)": ad.float16,
    "ad.constant(2.0, dtype=float)": ad.float32,
    "ad.constant(2, dtype='int64')": ad.int64,
    "ad.constant(np.ones(2), dtype=ad.float32)": ad.float32,
    "ad.Variable(1.5)": ad.float32,
    "ad.Variable(1)": ad.int32,
    "ad.Variable(np.zeros(2))": ad.float64,
    "ad.Variable([1.0], dtype=ad.float64)": ad.float64,
    "ad.Variable(1.0, dtype='float64')": ad.float64,
}


@pytest.mark.parametrize("case", NEW_TENSOR_DTYPES)
def test_dtype_of_new_tensors(case: str):
    assert evaluate(case).dtype == NEW_TENSOR_DTYPES[case]


def test_big_int_keeps_its_value():
    assert ad.constant(2**40).numpy() == 2**40


SCALAR_MIXES = {
    "T64 + 1": ad.float64,
    "1.5 * T64": ad.float64,
    "2 ** T64": ad.float64,
    "T64 - [1.0, 2.0]": ad.float64,
    "[[1, 2]] @ ad.reshape(T64, (2, 1))": ad.float64,
    "ad.maximum(T64, 0.0)": ad.float64,
    "I32 + 2": ad.int32,
    "3 * I64": ad.int64,
    "F16 - 1": ad.float16,
    "T64 > 1": ad.bool,
}


@pytest.mark.parametrize("case", SCALAR_MIXES)
def test_python_scalar_takes_the_tensor_dtype(case: str):
    assert evaluate(case).dtype == SCALAR_MIXES[case]


MIXED_DTYPE_OPS = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: b * a,
    "divide": lambda a, b: ad.divide(a, b),
    "matmul": lambda a, b: ad.reshape(a, (1, 2)) @ ad.reshape(b, (2, 1)),
    "maximum": lambda a, b: ad.maximum(a, b),
}


@pytest.mark.parametrize("op", MIXED_DTYPE_OPS)
def test_mixed_float_dtypes_are_an_error(op: str):
    with pytest.raises(ValueError) as info:
        MIXED_DTYPE_OPS[op](ad.constant([1.0, 2.0]), T64)
    message = str(info.value)
    assert op in message and "float32" in message and "float64" in message, message
    # the fix names the second input, cast to the first one's dtype (`b * a`: float64 first)
    fix = {"matmul": "ad.cast(b, ad.float32)", "multiply": "ad.cast(y, ad.float64)"}
    assert fix.get(op, "ad.cast(y, ad.float32)") in message, message


# ============================================================================ reprs and attributes
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ([4.0], "Tensor([4.], shape=(1,), dtype=float32)"),
        (634.0, "Tensor(634.0, shape=(), dtype=float32)"),
        (1, "Tensor(1, shape=(), dtype=int32)"),
        (2**40, "Tensor(1099511627776, shape=(), dtype=int64)"),
        ([True, False], "Tensor([ True False], shape=(2,), dtype=bool)"),
        ([1.5, 2.25, 3.0], "Tensor([1.5  2.25 3.  ], shape=(3,), dtype=float32)"),
        ([[1.0, 2.0], [3.0, 4.0]], "Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"),
        ([[1, 2], [3, 4]], "Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"),
        (
            np.zeros((2, 1, 2), np.float32),
            "Tensor(\n[[[0. 0.]]\n\n [[0. 0.]]], shape=(2, 1, 2), dtype=float32)",
        ),
    ],
)
def test_repr_in_tensorflow_style(value: Any, text: str):
    assert repr(ad.constant(value)) == text


def test_tensor_attributes():
    t = ad.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="t")
    assert (t.shape, t.ndim, t.size, t.name, t.dtype) == ((2, 3), 2, 6, "t", ad.float32)
    assert isinstance(t.shape, tuple)
    assert isinstance(t.numpy(), np.ndarray)
    check(t.T, [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])
    np.testing.assert_array_equal(np.asarray(t), [[1, 2, 3], [4, 5, 6]])
    assert ad.constant(2.5).numpy() == 2.5
    assert ad.Variable(1.0, name="w").name == "w"


# ============================================================================ operators
V2 = 2.0  # the value of the variable x in the table below
OPERATORS = {
    # name: (expression of x, value, gradient), worked out at x = 2
    "radd": (lambda x: 1 + x, 3.0, 1.0),
    "rsub": (lambda x: 1 - x, -1.0, -1.0),
    "rmul": (lambda x: 3 * x, 6.0, 3.0),
    "rtruediv": (lambda x: 1 / x, 0.5, -0.25),  # -1/x²
    "rpow": (lambda x: 2**x, 4.0, 4.0 * np.log(2.0)),  # 2ˣ ln 2
    "pow": (lambda x: x**3, 8.0, 12.0),  # 3x²
    "truediv": (lambda x: x / 4, 0.5, 0.25),
    "sub": (lambda x: x - 5, -3.0, 1.0),
    "neg": (lambda x: -x, -2.0, -1.0),
    "abs": (lambda x: abs(-x), 2.0, 1.0),  # |-x| = x for x > 0
    # d/dx (x² - x)/(x + 2) = ((2x - 1)(x + 2) - (x² - x))/(x + 2)² = (12 - 2)/16
    "mixed": (lambda x: (x * x - x) / (x + 2), 0.5, 10.0 / 16.0),
}


@pytest.mark.parametrize("name", OPERATORS)
def test_operators_and_reflected_forms(name: str):
    expr, value, grad = OPERATORS[name]
    x = ad.Variable(V2)
    with ad.GradientTape() as tape:
        y = expr(x)
    check(y, value)
    check(tape.gradient(y, x), grad)


@pytest.mark.parametrize(
    "product",
    [lambda w: [[1, 2, 3]] @ w, lambda w: np.array([[1.0, 2.0, 3.0]], np.float32) @ w],
    ids=["list", "numpy"],
)
def test_reflected_matmul(product: Callable[[ad.Variable], ad.Tensor]):
    w = ad.Variable([[1.0], [2.0], [3.0]])
    with ad.GradientTape() as tape:
        y = product(w)
    check(y, [[14.0]])  # 1 + 4 + 9
    check(tape.gradient(y, w), [[1.0], [2.0], [3.0]])


@pytest.mark.parametrize(
    ("index", "value", "grad"),
    [
        (1, 20.0, [0, 1, 0, 0]),
        (slice(1, 3), [20.0, 30.0], [0, 1, 1, 0]),
        (slice(None, None, -2), [40.0, 20.0], [0, 1, 0, 1]),
        ([0, 0, 3], [10.0, 10.0, 40.0], [2, 0, 0, 1]),  # repeated indices add up
        (np.array([3, 1]), [40.0, 20.0], [0, 1, 0, 1]),
        ((None, 2), [30.0], [0, 0, 1, 0]),
    ],
    ids=["int", "slice", "step", "int-list", "int-array", "newaxis"],
)
def test_getitem_is_differentiable(index: Any, value: Any, grad: list[float]):
    x = ad.Variable([10.0, 20.0, 30.0, 40.0])
    with ad.GradientTape() as tape:
        y = x[index]
    check(y, value)
    check(tape.gradient(y, x), grad)


COMPARISONS = {
    "<": (lambda x: x < 2.0, [True, False, False]),
    "<=": (lambda x: x <= 2.0, [True, True, False]),
    ">": (lambda x: x > 2.0, [False, False, True]),
    ">=": (lambda x: x >= 2.0, [False, True, True]),
    "==": (lambda x: x == 2.0, [False, True, False]),
    "!=": (lambda x: x != 2.0, [True, False, True]),
    "reflected": (lambda x: 2 < x, [False, False, True]),  # noqa: SIM300 - x.__gt__ on purpose
    "tensor-tensor": (lambda x: x < x * 2.0, [True, True, True]),
}


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_return_bool_tensors_without_gradient(name: str):
    expr, expected = COMPARISONS[name]
    x = ad.Variable([1.0, 2.0, 3.0])
    with ad.GradientTape() as tape:
        mask = expr(x)
        y = ad.cast(mask, ad.float32) * 5.0
    check(mask, expected, dtype=ad.bool)
    assert tape.gradient(y, x) is None


# ============================================================================ error messages
def test_matmul_shape_error_names_op_and_shapes():
    with pytest.raises(ValueError) as info:
        ad.matmul(ad.ones((1, 3)), ad.ones((2, 2)))
    message = str(info.value)
    assert "matmul" in message and "(1, 3)" in message and "(2, 2)" in message, message


BROADCAST_OPS = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: ad.maximum(a, b),
}


@pytest.mark.parametrize("op", BROADCAST_OPS)
def test_broadcast_error_names_op_and_shapes(op: str):
    with pytest.raises(ValueError) as info:
        BROADCAST_OPS[op](ad.ones((2, 3)), ad.ones((4,)))
    message = str(info.value)
    assert op in message and "(2, 3)" in message and "(4,)" in message, message


def test_python_float_with_an_int_tensor_is_an_error():
    with pytest.raises((ValueError, TypeError), match="add"):
        ad.constant([1, 2]) + 0.5


# ============================================================================ NumPy interop
NUMPY = {
    # name: (expression of x = [[1, 2], [3, 4]], value, gradient of its sum)
    "square": (lambda x: np.square(x), [[1, 4], [9, 16]], [[2, 4], [6, 8]]),
    # d√(4x)/dx = 2/√(4x) = 1/√x
    "sqrt": (
        lambda x: np.sqrt(x * 4.0),
        [[2, 8**0.5], [12**0.5, 4]],
        [[1, 2**-0.5], [3**-0.5, 0.5]],
    ),
    "exp": (lambda x: np.exp(x - x), np.ones((2, 2)), np.zeros((2, 2))),
    "sum-axis": (lambda x: np.sum(x, axis=0), [4, 6], np.ones((2, 2))),
    "mean": (lambda x: np.mean(x), 2.5, np.full((2, 2), 0.25)),
    "max-keepdims": (lambda x: np.max(x, axis=1, keepdims=True), [[2], [4]], [[0, 1], [0, 1]]),
    "matmul": (lambda x: np.matmul(x, [[1.0], [10.0]]), [[21], [43]], [[1, 10], [1, 10]]),
    "maximum": (lambda x: np.maximum(x, 2.5), [[2.5, 2.5], [3, 4]], [[0, 0], [1, 1]]),
    "where": (lambda x: np.where(x > 2.5, x, 0.0), [[0, 0], [3, 4]], [[0, 0], [1, 1]]),
    "concatenate": (lambda x: np.concatenate([x, x * 2.0]), [[1, 2], [3, 4], [2, 4], [6, 8]], 3),
    # y[i, j] = x[j, i]·m[j]: row j of x gets m[j]
    "transpose": (lambda x: np.transpose(x) * [1.0, 0.0], [[1, 0], [2, 0]], [[1, 1], [0, 0]]),
    "ndarray-left": (
        lambda x: np.array([1, 10], np.float32) * x,
        [[1, 20], [3, 40]],
        [[1, 10]] * 2,
    ),
}


@pytest.mark.parametrize("name", NUMPY)
def test_numpy_functions_are_recorded(name: str):
    expr, value, grad = NUMPY[name]
    x = ad.Variable([[1.0, 2.0], [3.0, 4.0]])
    with ad.GradientTape() as tape:
        y = expr(x)
    check(y, value)
    check(tape.gradient(y, x), np.broadcast_to(grad, (2, 2)))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda t: np.diff(t), "diff"),  # (np.cumsum is recorded since issue 25)
        (lambda t: np.add.reduce(t), "add.reduce"),
        (lambda t: np.exp(t, out=np.empty(2, np.float32)), "exp"),
    ],
    ids=["diff", "ufunc-method", "out"],
)
def test_unsupported_numpy_functions_raise_type_error(call: Callable[[ad.Tensor], Any], name: str):
    with pytest.raises(TypeError, match=re.escape(name)):
        call(ad.constant([1.0, 2.0]))


def test_numpy_values():
    t = ad.constant([[1.0, 2.0]])
    assert isinstance(np.asarray(t), np.ndarray)
    np.testing.assert_array_equal(np.asarray(t), [[1.0, 2.0]])
    assert np.allclose(t, [[1.0, 2.0]]) and np.shape(t) == (1, 2)


def test_activations_no_gradient_reads_are_freed_before_the_backward_pass() -> None:
    """A non-persistent tape keeps, of each op, only what its gradient reads (`saves=` in
    the op table): the values of `x @ w` and `x @ w + b` are gone by the time backward
    reaches the last op, while `tanh`'s output (its gradient reads it) is kept until then.
    (The tape holds values, not tensors: the weak references are to the NumPy arrays.)"""
    x = ad.constant(np.ones((64, 64), np.float32))
    w = ad.Variable(np.full((64, 64), 0.01, np.float32))
    b = ad.Variable(np.zeros(64, np.float32))
    refs: dict[str, weakref.ref] = {}
    seen: dict[str, bool] = {}

    @ad.custom_gradient
    def spy(h):  # its gradient runs first in the backward pass: it looks at what is alive
        def grad(g):
            seen.update({name: ref() is not None for name, ref in refs.items()})
            return g

        return ad.identity(h), grad

    def forward() -> ad.Tensor:
        xw = x @ w
        pre = xw + b
        act = ad.tanh(pre)
        arrays = {"xw": np.asarray(xw), "pre": np.asarray(pre), "act": np.asarray(act)}
        assert all(a is np.asarray(t) for a, t in zip(arrays.values(), (xw, pre, act), strict=True))
        refs.update({name: weakref.ref(a) for name, a in arrays.items()})
        return ad.reduce_sum(spy(act))

    with ad.GradientTape() as tape:
        loss = forward()
    dw, db = tape.gradient(loss, [w, b])
    assert seen == {"xw": False, "pre": False, "act": True}
    expected = 64 * (1 - np.tanh(0.64) ** 2)  # every x is 1: d loss / d w_ij = sum_k tanh'
    np.testing.assert_allclose(dw.numpy(), np.full((64, 64), expected), rtol=1e-5)
    np.testing.assert_allclose(db.numpy(), np.full(64, expected), rtol=1e-5)

    with ad.GradientTape(persistent=True) as tape:  # a persistent tape keeps everything
        loss = forward()
    tape.gradient(loss, [w, b])
    assert seen == {"xw": True, "pre": True, "act": True}
    assert len(tape.graph(loss).nodes) == 8  # x, w, matmul, b, add, tanh, spy, reduce_sum
