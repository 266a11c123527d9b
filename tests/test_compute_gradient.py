"""ad.test.compute_gradient (as tf.test.compute_gradient) and the one-line assertion helper
for exercises: analytic Jacobians, TensorFlow's own numbers, a wrong gradient caught."""

from __future__ import annotations

import numpy as np
import pytest

import autodiff as ad


def test_jacobians_of_a_layer_equal_the_analytic_ones() -> None:
    x = np.array([[0.5, -1.0, 2.0]])
    w = np.arange(6.0).reshape(3, 2) / 10
    theoretical, numerical = ad.test.compute_gradient(lambda x, w: x @ w, [x, w])
    assert [j.shape for j in theoretical] == [(2, 3), (2, 6)]
    assert [j.dtype for j in theoretical + numerical] == [np.float64] * 4
    # d(x @ w)[j] / dx[i] = w[i, j];  d(x @ w)[j] / dw[i, k] = x[i] if k == j
    np.testing.assert_array_equal(theoretical[0], w.T)
    expected_w = np.zeros((2, 6))
    for i in range(3):
        for j in range(2):
            expected_w[j, i * 2 + j] = x[0, i]
    np.testing.assert_array_equal(theoretical[1], expected_w)
    np.testing.assert_allclose(numerical[0], w.T, rtol=1e-9)
    np.testing.assert_allclose(numerical[1], expected_w, rtol=1e-9)


def test_an_argument_f_ignores_gets_zeros_and_python_floats_are_float32() -> None:
    theoretical, numerical = ad.test.compute_gradient(lambda x, y: x * 2.0, [1.0, 2.0])
    assert theoretical[1].tolist() == [[0.0]] and numerical[1].tolist() == [[0.0]]
    assert theoretical[0].dtype == np.float32 and theoretical[0].tolist() == [[2.0]]


def test_inputs_are_left_as_they_were() -> None:
    x = np.array([1.0, 2.0])
    ad.test.compute_gradient(lambda x: ad.reduce_sum(ad.square(x)), [x])
    assert x.tolist() == [1.0, 2.0]


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    "name",
    ["square", "tanh_layer", "softmax", "reduce_prod", "broadcast_add"],
)
def test_matches_tensorflow(name: str) -> None:
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    cases = {
        "square": (lambda m: lambda x: x * x, [np.float32(3.0)]),
        "tanh_layer": (
            lambda m: lambda x, w: m.tanh(x @ w),
            [rng.standard_normal((2, 3)), rng.standard_normal((3, 4))],
        ),
        "softmax": (
            lambda m: lambda x: m.nn.softmax(x) if m is tf else m.softmax(x),
            [rng.standard_normal((2, 5))],
        ),
        "reduce_prod": (
            lambda m: lambda x: m.reduce_prod(x, axis=1),
            [rng.standard_normal((3, 4)).astype(np.float32)],
        ),
        "broadcast_add": (lambda m: lambda a, b: a + b, [np.ones((3, 1)), np.ones((1, 4))]),
    }
    make, args = cases[name]
    ours = ad.test.compute_gradient(make(ad), [np.array(a) for a in args])
    theirs = tf.test.compute_gradient(make(tf), [np.array(a) for a in args])
    for mine, reference in zip(ours, theirs, strict=True):
        for a, b in zip(mine, reference, strict=True):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_assertion_helper_catches_a_wrong_gradient() -> None:
    @ad.custom_gradient
    def wrong_square(x: ad.Tensor) -> tuple:
        return x * x, lambda g: g * x  # forgot the 2

    ad.test.assert_gradients_close(lambda x: ad.square(x), [np.array([1.5, -2.0])])
    with pytest.raises(AssertionError, match=r"argument 0 is wrong at output element 0, .*"
                       r"the tape gives 1\.5, central differences 3"):  # fmt: skip
        ad.test.assert_gradients_close(wrong_square, [np.array([1.5, -2.0])])


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"x must be a list or tuple .* not float"):
        ad.test.compute_gradient(lambda x: x, 1.0)
    with pytest.raises(TypeError, match=r"argument 0 has dtype int32; .* floats only"):
        ad.test.compute_gradient(lambda x: x * 2, [1])
    with pytest.raises(ValueError, match="delta must be a positive step"):
        ad.test.compute_gradient(lambda x: x, [1.0], delta=0)
