"""The op table, continued: `tf.nn`'s activations, losses, convolutions and pooling.

Each op is defined once as in `autodiff.ops` (`@primitive`: NumPy forward beside gradients
written with the table's own ops, `saves=`, dtypes), with TensorFlow's gradients: the labels'
gradient in `softmax_cross_entropy_with_logits` (and `softmax - labels` for the logits, as
TensorFlow's fused kernel, which assumes labels that sum to 1), None for integer labels, the
first maximum of a pooling window taking its gradient, `SAME` padding split as TensorFlow does
(the extra row or column after). Convolutions are NumPy's: the windows of the padded input are
a strided view, contracted with the kernel by `np.tensordot` (im2col); their gradients are ops
too (`conv2d_backprop_input`, `conv2d_backprop_filter`), so that they can be differentiated
again, as TensorFlow's.

`moments`, `batch_normalization`, `dropout`, `embedding_lookup` and `conv1d` are made of
other ops, as in TensorFlow, so their gradients (second derivatives included) are TensorFlow's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autodiff import random
from autodiff.array_ops import _values, gather
from autodiff.backend import Ops
from autodiff.context import name_scope
from autodiff.math_ops import erf
from autodiff.ops import (
    _axes,
    divide,
    log_softmax,
    multiply,
    reduce_mean,
    sigmoid,
    sqrt,
    square,
    squeeze,
    stop_gradient,
    subtract,
)
from autodiff.primitive import primitive, public_names
from autodiff.tensor import Tensor, TensorLike, convert_to_tensor


# ----------------------------------------------------------------------------- activations
@primitive(
    jvp="elementwise",
    dtypes="real float",  # (an integer alpha * x would truncate)
    saves=("features",),
    grads=(lambda ops, g, out, x, alpha: ops.where(x > 0, g, g * alpha),),
    formulas=("d leaky_relu(x)/dx = 1 where x > 0, else alpha",),
)
def leaky_relu(features: TensorLike, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """`x` where `x > 0`, else `alpha * x`, elementwise (TensorFlow's default alpha 0.2)."""
    return np.where(features > 0, features, features * np.asarray(alpha, features.dtype))


@primitive(
    jvp="elementwise",
    dtypes="real float",
    saves=("out",),
    grads=(lambda ops, g, out, x: ops.where(out < 0, g * (out + 1), g),),
    formulas=("d elu(x)/dx = 1 where x > 0, else elu(x) + 1",),
)
def elu(features: TensorLike, name: str | None = None) -> Tensor:
    """`x` where `x > 0`, else `exp(x) - 1`, elementwise."""
    return np.where(features > 0, features, np.expm1(np.minimum(features, 0)))


_GELU_C = math.sqrt(2 / math.pi)


def _gelu_grad(ops: Ops, g: Tensor, out: Tensor, x: Tensor, approximate: bool) -> Tensor:
    if approximate:
        t = ops.tanh(_GELU_C * (x + 0.044715 * x * x * x))
        local = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_C * (1 + 3 * 0.044715 * x * x)
        return g * local
    cdf = 0.5 * (1 + ops.erf(x * (1 / math.sqrt(2))))
    return g * (cdf + x * ops.exp(ops.negative(ops.square(x)) * 0.5) * (1 / math.sqrt(2 * math.pi)))


@primitive(
    jvp="elementwise",
    dtypes="real float",
    saves=("features",),
    grads=(_gelu_grad,),
    formulas=("d gelu(x)/dx = Φ(x) + x·φ(x)",),
)
def gelu(features: TensorLike, approximate: bool = False, name: str | None = None) -> Tensor:
    """`x·Φ(x)` (Φ the normal distribution's CDF), elementwise; with `approximate`, its tanh
    approximation `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`."""
    x = features
    if approximate:
        return 0.5 * x * (1 + np.tanh(_GELU_C * (x + 0.044715 * x**3)))
    return (0.5 * x * (1 + erf.op.forward(x / np.sqrt(x.dtype.type(2))))).astype(x.dtype)


@primitive(
    jvp="elementwise",
    dtypes="real float",
    saves=("features",),
    grads=(
        lambda ops, g, out, x, beta: (
            g * (ops.sigmoid(x * beta) * (1 + x * beta * (1 - ops.sigmoid(x * beta))))
        ),
    ),
    formulas=("d silu(x)/dx = σ(βx)(1 + βx(1 - σ(βx)))",),
)
def silu(features: TensorLike, beta: float = 1.0, name: str | None = None) -> Tensor:
    """`x · sigmoid(beta·x)` elementwise (swish)."""
    b = np.asarray(beta, features.dtype)
    return features * sigmoid.op.forward(features * b)


# ----------------------------------------------------------------------------- losses
def _class_axis(x: np.ndarray, axis: int) -> int:
    if x.ndim == 0:
        raise ValueError("logits must have rank 1 or more: a class axis of scores")
    (axis,) = _axes(axis, x.ndim)
    return axis


def _same_shape(labels: np.ndarray, logits: np.ndarray) -> None:
    if labels.shape != logits.shape:
        raise ValueError(
            f"labels {labels.shape} and logits {logits.shape} must have the same shape (one "
            "label per logit); for class indices use sparse_softmax_cross_entropy_with_logits"
        )


@primitive(
    jvp="vjp",
    dtypes="real float",
    grads=(
        lambda ops, g, out, labels, logits, axis: (
            ops.expand_dims(g, axis) * ops.negative(ops.log_softmax(logits, axis))
        ),
        lambda ops, g, out, labels, logits, axis: (
            ops.expand_dims(g, axis) * (ops.softmax(logits, axis) - ops.stop_gradient(labels))
        ),
    ),
    formulas=("d/dlabels = -log_softmax(logits)", "d/dlogits = softmax(logits) - labels"),
)
def softmax_cross_entropy_with_logits(
    labels: TensorLike, logits: TensorLike, axis: int = -1, name: str | None = None
) -> Tensor:
    """`-Σ labels · log_softmax(logits)` along `axis` (the classes), computed stably.

    Args:
      labels: a distribution over the classes per example (each row summing to 1), the
        shape of `logits`; it gets a gradient, `-log_softmax(logits)`, as in TensorFlow.
      logits: unnormalized scores.
      axis: the class axis.

    Returns:
      One loss per example: `logits`' shape without `axis`. The logits' gradient is
      TensorFlow's `softmax(logits) - labels` (exact when the labels sum to 1), and, as in
      TensorFlow, its own derivative with respect to the labels is taken as zero.
    """
    _same_shape(labels, logits)
    axis = _class_axis(logits, axis)
    return -np.sum(labels * log_softmax.op.forward(logits, axis), axis=axis)


def _one_hot(labels: Any, depth: int, dtype: np.dtype) -> np.ndarray:
    return np.eye(depth, dtype=dtype)[_values(labels)]


@primitive(
    jvp="vjp",
    dtypes="real float",
    independent=(0,),
    saves=("labels", "logits"),
    grads=(
        None,
        lambda ops, g, out, labels, logits: (
            ops.expand_dims(g, -1)
            * (ops.softmax(logits) - _one_hot(labels, logits.shape[-1], logits.dtype))
        ),
    ),
    formulas=("", "d/dlogits = softmax(logits) - one_hot(labels)"),
)
def sparse_softmax_cross_entropy_with_logits(
    labels: TensorLike, logits: TensorLike, name: str | None = None
) -> Tensor:
    """`-log_softmax(logits)[label]` per example: cross-entropy with class indices.

    Args:
      labels: int class indices, shape `logits.shape[:-1]`, each in [0, classes); their
        gradient is None.
      logits: unnormalized scores, shape (..., classes).
    """
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"labels must be int class indices, not {labels.dtype}; for one-hot or soft "
            "labels use softmax_cross_entropy_with_logits, or cast: ad.cast(labels, ad.int32)"
        )
    if logits.ndim == 0 or labels.shape != logits.shape[:-1]:
        raise ValueError(
            f"labels must have logits' shape without the class axis: logits {logits.shape} "
            f"needs labels {logits.shape[:-1]}, got {labels.shape}"
        )
    n = logits.shape[-1]
    bad = (labels < 0) | (labels >= n)
    if bad.any():
        raise ValueError(
            f"Received a label value of {int(labels[bad].flat[0])} which is outside the "
            f"valid range of [0, {n}): labels are class indices 0 to {n - 1}"
        )
    picked = np.take_along_axis(log_softmax.op.forward(logits, -1), labels[..., None], -1)
    return -picked[..., 0]


@primitive(
    jvp="elementwise",
    dtypes="real float",
    saves=("labels", "logits"),
    grads=(
        lambda ops, g, out, labels, logits: g * ops.negative(logits),
        lambda ops, g, out, labels, logits: g * (ops.sigmoid(logits) - labels),
    ),
    formulas=("d/dlabels = -logits", "d/dlogits = σ(logits) - labels"),
)
def sigmoid_cross_entropy_with_logits(
    labels: TensorLike, logits: TensorLike, name: str | None = None
) -> Tensor:
    """Elementwise binary cross-entropy of probabilities `labels` with `sigmoid(logits)`:
    `max(x, 0) - x·z + log(1 + e^-|x|)` (TensorFlow's stable form), same shapes."""
    _same_shape(labels, logits)
    x, z = logits, labels
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _l2_loss_jvp(ops: Ops, tangents: list, out: Tensor, t: Tensor) -> Tensor:
    """l2_loss's JVP, Σ t·ṫ."""
    return ops.reduce_sum(t * tangents[0])


@primitive(
    jvp=_l2_loss_jvp,
    dtypes="real float",
    saves=("t",),
    grads=(lambda ops, g, out, t: g * t,),
    formulas=("d(Σx²/2)/dx = x",),
)
def l2_loss(t: TensorLike, name: str | None = None) -> Tensor:
    """`sum(t ** 2) / 2`, a scalar (weight decay)."""
    return np.asarray(np.sum(np.square(t)) / 2, t.dtype)


# ----------------------------------------------------------------------------- normalization
def moments(
    x: TensorLike,
    axes: Sequence[int],
    shift: Any = None,
    keepdims: bool = False,
    name: str | None = None,
) -> tuple[Tensor, Tensor]:
    """The mean and variance of `x` over `axes`, made of ops as `tf.nn.moments`.

    Args:
      x: a float tensor.
      axes: the axes to reduce, e.g. [0] for per-feature moments of a batch, [0, 1, 2] for
        per-channel moments of NHWC images.
      shift: ignored (as in TensorFlow 2).
      keepdims: keep the reduced axes with length 1.

    Returns:
      `(mean, variance)`. As in TensorFlow, the variance is `mean((x - stop_gradient(mean))²)`,
      so its second derivative treats the mean as a constant.
    """
    with name_scope(name or "moments"):
        mean = reduce_mean(x, axes, keepdims=True)  # unnamed: the caller's names title it
        variance = reduce_mean(square(x - stop_gradient(mean)), axes, keepdims=True)
        if not keepdims:
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        return mean, variance


def batch_normalization(
    x: TensorLike,
    mean: TensorLike,
    variance: TensorLike,
    offset: TensorLike | None,
    scale: TensorLike | None,
    variance_epsilon: float,
    name: str | None = None,
) -> Tensor:
    """`(x - mean) · scale / sqrt(variance + variance_epsilon) + offset`, made of ops as
    `tf.nn.batch_normalization` (`x · inv + (offset - mean · inv)`), all broadcasting.

    Args:
      x: the input, e.g. (batch, features) or NHWC.
      mean, variance: e.g. from `moments`, broadcastable to `x`.
      offset, scale: the learned shift (beta) and scale (gamma), or None.
      variance_epsilon: a small float added to the variance.
    """
    x, mean, variance = (convert_to_tensor(t) for t in (x, mean, variance))
    with name_scope(name or "batchnorm"):
        # `inv` and `shift` named, so that captions read `x * inv + shift` (the caller's
        # names title the inputs and the output)
        if scale is None:
            inv = divide(1, sqrt(variance + variance_epsilon), name="inv")
        else:
            inv = multiply(1 / sqrt(variance + variance_epsilon), scale, name="inv")
        if offset is None:
            shift = multiply(-mean, inv, name="shift")
        else:
            shift = subtract(offset, mean * inv, name="shift")
        return x * inv + shift


def dropout(
    x: TensorLike,
    rate: float,
    noise_shape: Sequence[int] | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """`x` with each element zeroed with probability `rate`, the rest scaled by
    `1 / (1 - rate)`, as `tf.nn.dropout`; the mask comes from `ad.random.uniform(seed=seed)`
    (see `ad.random` for the seeding rules) and is recorded as a constant.

    Args:
      x: a float tensor.
      rate: the probability of dropping, in [0, 1).
      noise_shape: the mask's shape, broadcast to `x`'s (e.g. [batch, 1] drops whole rows).
      seed: the op seed.
    """
    x = convert_to_tensor(x)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be a number in [0, 1), got {rate!r}")
    shape = x.shape if noise_shape is None else tuple(int(n) for n in noise_shape)
    keep = random.uniform(shape, dtype=x.dtype, seed=seed).numpy() >= rate
    mask = keep.astype(x.dtype) * np.asarray(1 / (1 - rate), x.dtype)
    with name_scope(name or "dropout"):
        return x * Tensor(mask, "mask")


def embedding_lookup(
    params: TensorLike | Sequence[TensorLike],
    ids: TensorLike,
    max_norm: float | None = None,
    name: str | None = None,
) -> Tensor:
    """The rows of `params` at `ids` (`gather` along axis 0), as `tf.nn.embedding_lookup`.

    Args:
      params: the embedding table, (vocabulary, dimensions); a list of one table is taken too.
      ids: int ids, any shape, each in [0, vocabulary).
      max_norm: not supported (clip the table with ad.clip_by_norm... first).

    Returns:
      `ids.shape + params.shape[1:]`; the gradient adds up at repeated ids.
    """
    if isinstance(params, list | tuple):
        if len(params) != 1:
            raise ValueError(
                "embedding_lookup: a table split in several tensors is not supported; "
                "ad.concat them first"
            )
        params = params[0]
    if max_norm is not None:
        raise ValueError("embedding_lookup: max_norm is not supported; leave it None")
    return gather(params, ids, name=name)


@primitive(
    jvp="linear",
    dtypes="number",
    saves=(),
    grads=(
        lambda ops, g, out, value, bias, data_format: g,
        lambda ops, g, out, value, bias, data_format: ops.reduce_sum(
            g, _bias_sum_axes(value.ndim, data_format)
        ),
    ),
    formulas=("d/dvalue = 1", "d/dbias = the gradient summed over all but the channel axis"),
)
def bias_add(
    value: TensorLike, bias: TensorLike, data_format: str | None = None, name: str | None = None
) -> Tensor:
    """`value + bias`, the 1-D `bias` added along the channel axis (the last one; the second
    with data_format 'NC...', e.g. 'NCHW')."""
    axis = _bias_axis(value.ndim, data_format)
    if bias.ndim != 1 or value.ndim < 2 or value.shape[axis] != bias.shape[0]:
        raise ValueError(
            f"bias must be 1-D with one value per channel (axis {axis} of value, of rank >= 2):"
            f" value {value.shape}, bias {bias.shape}"
        )
    shape = [1] * value.ndim
    shape[axis] = -1
    return value + bias.reshape(shape)


def _bias_axis(ndim: int, data_format: str | None) -> int:
    if data_format is None or (data_format.startswith("N") and data_format.endswith("C")):
        return ndim - 1
    if data_format.startswith("NC"):
        return 1
    raise ValueError(f"data_format must be 'N...C' or 'NC...', got {data_format!r}")


def _bias_sum_axes(ndim: int, data_format: str | None) -> tuple[int, ...]:
    axis = _bias_axis(ndim, data_format)
    return tuple(a for a in range(ndim) if a != axis)


__all__ = [
    *public_names(globals()),
    "batch_normalization",
    "dropout",
    "embedding_lookup",
    "moments",
]
