"""`ad.test`: gradient checking, as `tf.test.compute_gradient`.

```python
theoretical, numerical = ad.test.compute_gradient(lambda x: x * x, [3.0])
ad.test.assert_gradients_close(lambda x, w: ad.tanh(x @ w), [x0, w0])   # in an exercise
```

The theoretical Jacobian comes from the tape (`tape.jacobian`); the numerical one from central
differences, `(f(x + delta) - f(x - delta)) / (2 delta)` one element at a time, computed in
the dtype of `x` as TensorFlow does (so float32 inputs give float32 noise: compare with a
tolerance to match, or pass float64 values).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autodiff.tape import GradientTape
from autodiff.tensor import Tensor, constant

DELTA = 1.0 / 1024  # TensorFlow's default step: exact in binary, less rounding noise

__all__ = ["assert_gradients_close", "compute_gradient"]


def compute_gradient(
    f: Callable[..., Any], x: Sequence[Any], delta: float | None = None
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The theoretical and numerical Jacobians of `y = f(*x)`, as `tf.test.compute_gradient`.

    `x` is a list or tuple of values convertible to tensors (the arguments of `f`). Returns
    `(theoretical, numerical)`: one 2-D array per argument, of shape `(y.size, x_i.size)`, in
    the dtype of `x_i`. An argument `f` does not depend on gets zeros. Raises `ValueError`
    when `x` is not a list or tuple, `TypeError` for a non-float argument or result.
    """
    if not isinstance(x, list | tuple):
        raise ValueError(
            f"compute_gradient: x must be a list or tuple of the arguments of f (values "
            f"convertible to tensors), not {type(x).__name__}; e.g. compute_gradient(f, [x0])"
        )
    delta = DELTA if delta is None else float(delta)
    if not delta > 0:
        raise ValueError(f"compute_gradient: delta must be a positive step, got {delta}")
    values = [_float_array(v, k) for k, v in enumerate(x)]
    theoretical = _theoretical(f, values)
    numerical = tuple(_numerical(f, values, k, delta) for k in range(len(values)))
    return theoretical, numerical


def assert_gradients_close(
    f: Callable[..., Any],
    x: Sequence[Any],
    *,
    rtol: float = 1e-3,
    atol: float = 1e-3,
    delta: float | None = None,
) -> None:
    """Check the tape's gradients of `f` against central differences, in one line.

    Raises `AssertionError` naming the argument, the element and both values where they
    differ by more than `atol + rtol * |numerical|` (float32 values: keep the default
    tolerances; float64 values allow far tighter ones)."""
    theoretical, numerical = compute_gradient(f, x, delta)
    for k, (t, n) in enumerate(zip(theoretical, numerical, strict=True)):
        bad = np.abs(t - n) > atol + rtol * np.abs(n)
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            raise AssertionError(
                f"gradient of f with respect to argument {k} is wrong at output element "
                f"{row}, input element {col}: the tape gives {t[row, col]:.6g}, central "
                f"differences {n[row, col]:.6g} ({int(bad.sum())} of {bad.size} Jacobian "
                f"entries differ by more than atol={atol} + rtol={rtol} x |numerical|)"
            )


def _float_array(value: Any, k: int) -> np.ndarray:
    array = (value if isinstance(value, Tensor) else constant(value)).numpy()
    if array.dtype.kind != "f":
        raise TypeError(
            f"compute_gradient: argument {k} has dtype {array.dtype}; gradients are checked "
            f"for floats only: pass floats (e.g. 1.0 instead of 1) or cast it"
        )
    return np.array(array, copy=True)


def _result(f: Callable[..., Any], args: list[Any]) -> Tensor:
    y = f(*args)
    if not isinstance(y, Tensor):
        y = constant(y)
    if y.dtype.kind != "f":
        raise TypeError(f"compute_gradient: f returned dtype {y.dtype}; it must return floats")
    return y


def _theoretical(f: Callable[..., Any], values: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    sources = [constant(v) for v in values]
    with GradientTape(persistent=True) as tape:
        tape.watch(sources)
        y = _result(f, sources)
    jacobians = tape.jacobian(y, sources, unconnected_gradients="zero")
    return tuple(
        np.asarray(j.numpy(), dtype=v.dtype).reshape(y.size, v.size)
        for j, v in zip(jacobians, values, strict=True)
    )


def _numerical(f: Callable[..., Any], values: list[np.ndarray], k: int, delta: float) -> np.ndarray:
    x = values[k]
    flat = x.reshape(-1)  # a view: the perturbation is written into x
    args = list(values)
    y_size = _result(f, [constant(v) for v in values]).size
    jacobian = np.zeros((y_size, x.size), dtype=x.dtype)
    step = x.dtype.type(delta)
    for col in range(x.size):
        original = flat[col]
        flat[col] = original + step
        up = _result(f, [constant(v) for v in args]).numpy()
        flat[col] = original - step
        down = _result(f, [constant(v) for v in args]).numpy()
        flat[col] = original
        scale = np.asarray(2 * delta, dtype=up.dtype)
        jacobian[:, col] = ((up - down) / scale).reshape(-1)
    return jacobian
