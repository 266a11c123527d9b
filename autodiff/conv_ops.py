"""The op table, continued: 2-D convolution and pooling on NHWC images, as `tf.nn`'s.

The windows of the padded input are a strided view (no copy) of shape
`(batch, out_h, out_w, k_h, k_w, channels)`; a convolution contracts them with the kernel
(`np.tensordot`, which lays them out as a matrix once: im2col), a pooling reduces them. The
gradients that put values back into windows ("col2im") loop over the kernel's positions only
(k_h · k_w slices), never over pixels.

Each gradient is an op of the table with its own gradients, as in TensorFlow, so that second
derivatives work: the input's gradient of `conv2d` is `conv2d_backprop_input` (the upstream
gradient correlated with the flipped kernel, i.e. a transposed convolution), the kernel's is
`conv2d_backprop_filter` (the input correlated with the upstream gradient); `max_pool2d`'s is
`max_pool2d_grad` (each window's gradient to its first maximum, as TensorFlow on CPU), whose
own gradient is `max_pool2d_grad_grad`; `avg_pool2d`'s is `avg_pool2d_grad`.

`SAME` padding is TensorFlow's: output size `ceil(n / stride)`, the total padding split with
the extra one after; average pooling divides by the number of real (unpadded) elements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autodiff.ops import expand_dims, squeeze
from autodiff.primitive import primitive, public_names
from autodiff.tensor import Tensor, TensorLike, convert_to_tensor

Padding = str | Sequence[Sequence[int]]


# ----------------------------------------------------------------------------- geometry
def _pair(value: Any, what: str) -> tuple[int, int]:
    """TensorFlow's int, [n], [h, w] or [1, h, w, 1] as (h, w)."""
    if isinstance(value, Tensor):
        value = value._value.tolist()
    items = [value] if isinstance(value, int | np.integer) else list(value)
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{what} must be ints, got {value!r}")
    if len(items) == 4:
        if items[0] != 1 or items[3] != 1:
            raise ValueError(
                f"{what} {items} must be 1 in the batch and channel dimensions (NHWC): "
                f"use [1, h, w, 1]"
            )
        items = items[1:3]
    elif len(items) == 1:
        items = items * 2
    if len(items) != 2 or min(items) < 1:
        raise ValueError(
            f"{what} must be a positive int or a list of 1, 2 or 4 of them, got {value!r}"
        )
    return int(items[0]), int(items[1])


def _pads(
    size: int, k: int, stride: int, dilation: int, padding: Any, axis: int
) -> tuple[int, int, int]:
    """(pad before, pad after, output length) of one spatial axis."""
    span = (k - 1) * dilation + 1
    if isinstance(padding, str):
        key = padding.upper()
        if key == "VALID":
            before = after = 0
        elif key == "SAME":
            out = -(-size // stride)
            total = max((out - 1) * stride + span - size, 0)
            before, after = total // 2, total - total // 2
        else:
            raise ValueError(f"padding must be 'SAME', 'VALID' or explicit pairs, got {padding!r}")
    else:
        before, after = padding[axis]
    out = (size + before + after - span) // stride + 1
    if out < 1:
        raise ValueError(
            f"the window ({k} wide, {span} with dilation) is larger than the padded input "
            f"({size + before + after}) along a spatial axis; use padding='SAME' or a smaller "
            "window"
        )
    return before, after, out


def _explicit(padding: Any) -> Any:
    """Explicit paddings `[[0, 0], [top, bottom], [left, right], [0, 0]]` as the two spatial
    pairs; strings as they are."""
    if isinstance(padding, str):
        return padding
    pairs = np.asarray(padding)
    if (
        pairs.shape != (4, 2)
        or pairs.dtype.kind not in "iu"
        or (pairs < 0).any()
        or pairs[[0, 3]].any()
    ):
        raise ValueError(
            f"explicit padding must be [[0, 0], [top, bottom], [left, right], [0, 0]] "
            f"of non-negative ints, got {padding!r}"
        )
    return pairs[1:3].tolist()


class Geometry:
    """Where the windows of an NHWC input are: padding, output size, strides, dilations."""

    def __init__(
        self,
        shape: Sequence[int],
        window: tuple[int, int],
        strides: Any,
        padding: Any,
        dilations: Any,
    ) -> None:
        if len(shape) != 4:
            raise ValueError(
                f"the input must be NHWC images, rank 4 (batch, height, width, "
                f"channels), got shape {tuple(shape)}; add a batch axis with ad.expand_dims"
            )
        self.window, self.strides = window, _pair(strides, "strides")
        self.dilations = (1, 1) if dilations is None else _pair(dilations, "dilations")
        padding = _explicit(padding)
        h = _pads(shape[1], window[0], self.strides[0], self.dilations[0], padding, 0)
        w = _pads(shape[2], window[1], self.strides[1], self.dilations[1], padding, 1)
        self.pads = ((h[0], h[1]), (w[0], w[1]))
        self.out = (h[2], w[2])
        self.shape = tuple(shape)
        self.padded = (
            shape[0],
            shape[1] + sum(self.pads[0]),
            shape[2] + sum(self.pads[1]),
            shape[3],
        )

    def pad(self, x: np.ndarray, value: Any = 0) -> np.ndarray:
        if not any(sum(p) for p in self.pads):
            return x
        return np.pad(x, ((0, 0), *self.pads, (0, 0)), constant_values=value)

    def crop(self, xp: np.ndarray) -> np.ndarray:
        (t, _), (left, _) = self.pads
        return xp[:, t : t + self.shape[1], left : left + self.shape[2], :]

    def windows(self, xp: np.ndarray) -> np.ndarray:
        """The read-only view (N, out_h, out_w, k_h, k_w, C) of the padded input's windows."""
        n, h, w, c = xp.strides
        (sh, sw), (dh, dw) = self.strides, self.dilations
        shape = (xp.shape[0], *self.out, *self.window, xp.shape[3])
        return as_strided(xp, shape, (n, h * sh, w * sw, h * dh, w * dw, c), writeable=False)

    def col2im(self, cols: np.ndarray) -> np.ndarray:
        """The windows' values (N, out_h, out_w, k_h, k_w, C) added back into the input's
        places (the padding cropped): one slice per kernel position."""
        xp = np.zeros(self.padded, cols.dtype)
        (sh, sw), (dh, dw), (oh, ow) = self.strides, self.dilations, self.out
        for i in range(self.window[0]):
            for j in range(self.window[1]):
                rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
                columns = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
                xp[:, rows, columns, :] += cols[:, :, :, i, j, :]
        return self.crop(xp)


def _nhwc(data_format: str) -> None:
    if data_format != "NHWC":
        raise ValueError(
            "only data_format='NHWC' is supported (as TensorFlow's CPU kernels); "
            "transpose NCHW images first: ad.transpose(x, [0, 2, 3, 1])"
        )


def _conv_geometry(
    x_shape: Sequence[int],
    f_shape: Sequence[int],
    strides: Any,
    padding: Any,
    data_format: str,
    dilations: Any,
) -> Geometry:
    _nhwc(data_format)
    if len(f_shape) != 4:
        raise ValueError(
            f"filters must have rank 4, (height, width, in_channels, out_channels), "
            f"got shape {tuple(f_shape)}"
        )
    if len(x_shape) == 4 and x_shape[3] != f_shape[2]:
        raise ValueError(
            f"the input has {x_shape[3]} channels (its last axis, NHWC) but the filters "
            f"expect {f_shape[2]} (their third axis): input {tuple(x_shape)}, filters "
            f"{tuple(f_shape)}"
        )
    return Geometry(x_shape, tuple(f_shape[:2]), strides, padding, dilations)


# ----------------------------------------------------------------------------- convolution
@primitive(
    jvp="multilinear",
    dtypes="real float",
    saves=("input", "filters"),
    grads=(
        lambda ops, g, out, x, f, **attrs: ops.conv2d_backprop_input(f, g, x.shape, **attrs),
        lambda ops, g, out, x, f, **attrs: ops.conv2d_backprop_filter(x, g, f.shape, **attrs),
    ),
    formulas=(
        "d/dinput = the upstream gradient correlated with the flipped kernel filters (a "
        "transposed convolution)",
        "d/dfilters = the windows of input correlated with the upstream gradient",
    ),
)
def conv2d(
    input: TensorLike,
    filters: TensorLike,
    strides: int | Sequence[int],
    padding: Padding,
    data_format: str = "NHWC",
    dilations: int | Sequence[int] | None = None,
    name: str | None = None,
) -> Tensor:
    """2-D convolution (cross-correlation, as in deep learning) of NHWC images, as `tf.nn.conv2d`.

    Args:
      input: (batch, height, width, in_channels).
      filters: (k_height, k_width, in_channels, out_channels).
      strides: the windows' step: an int, [h, w] or [1, h, w, 1].
      padding: 'VALID' (windows inside the image), 'SAME' (output ceil(size / stride),
        zeros around, the extra one after) or [[0, 0], [top, bottom], [left, right], [0, 0]].
      data_format: 'NHWC' only.
      dilations: the spacing of the kernel's taps: an int, [h, w] or [1, h, w, 1].

    Returns:
      (batch, out_height, out_width, out_channels).
    """
    geo = _conv_geometry(input.shape, filters.shape, strides, padding, data_format, dilations)
    return np.tensordot(geo.windows(geo.pad(input)), filters, axes=([3, 4, 5], [0, 1, 2]))


def _check_upstream(geo: Geometry, dy: np.ndarray, channels: int) -> None:
    expected = (geo.shape[0], *geo.out, channels)
    if dy.shape != expected:
        raise ValueError(f"out_backprop has shape {dy.shape}, the convolution gives {expected}")


@primitive(
    jvp="multilinear",
    public=False,
    dtypes="real float",
    grads=(
        lambda ops, g, out, f, dy, input_sizes, **attrs: ops.conv2d_backprop_filter(
            g, dy, f.shape, **attrs
        ),
        lambda ops, g, out, f, dy, input_sizes, **attrs: ops.conv2d(g, f, **attrs),
    ),
    formulas=("d/dfilters = conv2d_backprop_filter(upstream, out_backprop)", "d/dy = conv2d"),
)
def conv2d_backprop_input(
    filters: TensorLike,
    out_backprop: TensorLike,
    input_sizes: Sequence[int],
    strides: Any,
    padding: Padding,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """The gradient of `conv2d` for its input: each output's gradient spread over its window
    through the kernel (the correlation with the flipped kernel, a transposed convolution)."""
    shape = tuple(int(n) for n in input_sizes)
    geo = _conv_geometry(shape, filters.shape, strides, padding, data_format, dilations)
    _check_upstream(geo, out_backprop, filters.shape[3])
    return geo.col2im(np.tensordot(out_backprop, filters, axes=([3], [3])))


@primitive(
    jvp="multilinear",
    public=False,
    dtypes="real float",
    grads=(
        lambda ops, g, out, x, dy, filter_sizes, **attrs: ops.conv2d_backprop_input(
            g, dy, x.shape, **attrs
        ),
        lambda ops, g, out, x, dy, filter_sizes, **attrs: ops.conv2d(x, g, **attrs),
    ),
    formulas=("d/dinput = conv2d_backprop_input(upstream, out_backprop)", "d/dy = conv2d"),
)
def conv2d_backprop_filter(
    input: TensorLike,
    out_backprop: TensorLike,
    filter_sizes: Sequence[int],
    strides: Any,
    padding: Padding,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """The gradient of `conv2d` for its filters: the input's windows contracted with the
    upstream gradient over the batch and the output's positions."""
    shape = tuple(int(n) for n in filter_sizes)
    geo = _conv_geometry(input.shape, shape, strides, padding, data_format, dilations)
    _check_upstream(geo, out_backprop, shape[3])
    windows = geo.windows(geo.pad(input))
    return np.tensordot(windows, out_backprop, axes=([0, 1, 2], [0, 1, 2]))


def conv1d(
    input: TensorLike,
    filters: TensorLike,
    stride: int | Sequence[int],
    padding: str,
    data_format: str = "NWC",
    dilations: int | Sequence[int] | None = None,
    name: str | None = None,
) -> Tensor:
    """1-D convolution of (batch, width, channels) sequences, as `tf.nn.conv1d`: made of
    `expand_dims`, `conv2d` and `squeeze`, as in TensorFlow.

    Args:
      input: (batch, width, in_channels).
      filters: (k_width, in_channels, out_channels).
      stride: an int, or [s] or [1, s, 1].
      padding: 'SAME' or 'VALID'.
      data_format: 'NWC' only.
      dilations: an int, or [d] or [1, d, 1].
    """
    input, filters = convert_to_tensor(input), convert_to_tensor(filters)
    if data_format != "NWC":
        raise ValueError("conv1d: only data_format='NWC' is supported; transpose first")
    if input.ndim != 3 or filters.ndim != 3:
        raise ValueError(
            f"conv1d: input must be (batch, width, channels) and filters (width, in, out), "
            f"rank 3 both; got input {input.shape}, filters {filters.shape}"
        )
    s = _one(stride, "stride")
    d = 1 if dilations is None else _one(dilations, "dilations")
    x, f = expand_dims(input, 1), expand_dims(filters, 0)
    return squeeze(conv2d(x, f, [1, 1, s, 1], padding, dilations=[1, 1, d, 1]), [1], name=name)


def _one(value: Any, what: str) -> int:
    items = [value] if isinstance(value, int | np.integer) else list(value)
    if len(items) == 3 and items[0] == items[2] == 1:
        items = items[1:2]
    if len(items) != 1 or not isinstance(items[0], int | np.integer) or items[0] < 1:
        raise ValueError(f"conv1d: {what} must be a positive int, [n] or [1, n, 1], got {value!r}")
    return int(items[0])


# ----------------------------------------------------------------------------- pooling
def _pool_geometry(shape: Sequence[int], ksize: Any, strides: Any, padding: Any, df: str):
    _nhwc(df)
    return Geometry(shape, _pair(ksize, "ksize"), strides, padding, None)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _first_max(x: np.ndarray, geo: Geometry) -> np.ndarray:
    """For each output (N, out_h, out_w, C): the flat index, in the padded input, of its
    window's first maximum (row by row, as TensorFlow's CPU kernel)."""
    windows = geo.windows(geo.pad(x, _lowest(x.dtype)))
    n, oh, ow, kh, kw, c = windows.shape
    first = np.moveaxis(windows, 5, 3).reshape(n, oh, ow, c, kh * kw).argmax(-1)
    i, j = np.divmod(first, kw)
    rows = np.arange(oh)[:, None, None] * geo.strides[0] + i
    cols = np.arange(ow)[None, :, None] * geo.strides[1] + j
    _, hp, wp, _ = geo.padded
    batch = np.arange(n)[:, None, None, None]
    return ((batch * hp + rows) * wp + cols) * c + np.arange(c)


@primitive(
    jvp="vjp",
    dtypes="real",
    saves=("input",),
    grads=(lambda ops, g, out, x, **attrs: ops.max_pool2d_grad(x, g, **attrs),),
    formulas=("1 at each window's first maximum",),
)
def max_pool2d(
    input: TensorLike,
    ksize: int | Sequence[int],
    strides: int | Sequence[int],
    padding: Padding,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The maximum of each window of NHWC images, per channel, as `tf.nn.max_pool2d`.

    Args:
      input: (batch, height, width, channels).
      ksize: the window: an int, [h, w] or [1, h, w, 1].
      strides: the windows' step, same forms.
      padding: 'VALID' or 'SAME' (padding never wins a maximum).

    Returns:
      (batch, out_height, out_width, channels). The gradient goes to the first maximum of
      each window (row by row), as TensorFlow's.
    """
    geo = _pool_geometry(input.shape, ksize, strides, padding, data_format)
    return geo.windows(geo.pad(input, _lowest(input.dtype))).max(axis=(3, 4))


@primitive(
    jvp="vjp",
    public=False,
    dtypes="real",
    saves=("input",),
    grads=(
        lambda ops, g, out, x, dy, **attrs: ops.zeros_like(x),
        lambda ops, g, out, x, dy, **attrs: ops.max_pool2d_grad_grad(x, g, **attrs),
    ),
    formulas=("0", "the gradient at each window's first maximum"),
)
def max_pool2d_grad(
    input: TensorLike,
    grad: TensorLike,
    ksize: Any,
    strides: Any,
    padding: Padding,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The gradient of `max_pool2d`: each output's gradient added at its window's first max."""
    geo = _pool_geometry(input.shape, ksize, strides, padding, data_format)
    flat = _first_max(input, geo)
    total = np.bincount(flat.ravel(), grad.ravel(), minlength=math.prod(geo.padded))
    return geo.crop(total.astype(grad.dtype).reshape(geo.padded))


@primitive(
    jvp="vjp",
    public=False,
    dtypes="real",
    saves=("input",),
    grads=(
        lambda ops, g, out, x, gg, **attrs: ops.zeros_like(x),
        lambda ops, g, out, x, gg, **attrs: ops.max_pool2d_grad(x, g, **attrs),
    ),
    formulas=("0", "the gradient added at each window's first maximum"),
)
def max_pool2d_grad_grad(
    input: TensorLike,
    grad: TensorLike,
    ksize: Any,
    strides: Any,
    padding: Padding,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The gradient of `max_pool2d_grad` for its upstream: `grad` (input-shaped) read at
    each window's first maximum."""
    geo = _pool_geometry(input.shape, ksize, strides, padding, data_format)
    return geo.pad(grad).ravel()[_first_max(input, geo)]


def _counts(geo: Geometry, dtype: np.dtype) -> np.ndarray:
    """How many real (unpadded) elements each window holds, (1, out_h, out_w, 1)."""
    ones = geo.pad(np.ones((1, *geo.shape[1:3], 1), dtype))
    return geo.windows(ones).sum(axis=(3, 4))


@primitive(
    jvp="linear",
    dtypes="real float",
    saves=(),
    grads=(lambda ops, g, out, x, **attrs: ops.avg_pool2d_grad(g, x.shape, **attrs),),
    formulas=("1/(the window's size) at each element of the window",),
)
def avg_pool2d(
    input: TensorLike,
    ksize: int | Sequence[int],
    strides: int | Sequence[int],
    padding: Padding,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The mean of each window of NHWC images, per channel, as `tf.nn.avg_pool2d` (with
    'SAME' padding, over the window's real elements only). Arguments as `max_pool2d`."""
    geo = _pool_geometry(input.shape, ksize, strides, padding, data_format)
    sums = geo.windows(geo.pad(input)).sum(axis=(3, 4))
    return (sums / _counts(geo, input.dtype)).astype(input.dtype, copy=False)


@primitive(
    jvp="linear",
    public=False,
    dtypes="real float",
    saves=(),
    grads=(lambda ops, g, out, dy, input_sizes, **attrs: ops.avg_pool2d(g, **attrs),),
    formulas=("d/dy = avg_pool2d",),
)
def avg_pool2d_grad(
    grad: TensorLike,
    input_sizes: Sequence[int],
    ksize: Any,
    strides: Any,
    padding: Padding,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """The gradient of `avg_pool2d`: each output's gradient shared by its window's elements."""
    shape = tuple(int(n) for n in input_sizes)
    geo = _pool_geometry(shape, ksize, strides, padding, data_format)
    share = grad / _counts(geo, grad.dtype)
    n, oh, ow, c = share.shape
    cols = np.broadcast_to(share[:, :, :, None, None, :], (n, oh, ow, *geo.window, c))
    return geo.col2im(cols)


__all__ = [*public_names(globals()), "conv1d"]
